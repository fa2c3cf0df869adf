tinyrnn::model! {
    input [_, 3];
    lstm(8, return_sequences = true);
    flatten();
    dense(1);
}

fn main() {}
