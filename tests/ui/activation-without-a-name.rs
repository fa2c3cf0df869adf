tinyrnn::model! {
    input [10, 3];
    lstm(4, return_sequences = true);
    activation();
    dense(1);
}

fn main() {}
