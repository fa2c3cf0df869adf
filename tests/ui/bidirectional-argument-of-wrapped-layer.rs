tinyrnn::model! {
    input [50, 3];
    bidirectional(lstm(4), return_sequences = true);
    lstm(2);
    dense(1);
}

fn main() {}
