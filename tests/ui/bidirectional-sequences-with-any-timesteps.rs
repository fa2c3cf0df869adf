tinyrnn::model! {
    input [_, 3];
    bidirectional(lstm(4, return_sequences = true));
    dense(1);
}

fn main() {}
