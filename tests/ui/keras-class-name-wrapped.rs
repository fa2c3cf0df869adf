tinyrnn::model! {
    input [50, 3];
    Bidirectional(LSTM(4, return_sequence = true));
    dense(1);
}

fn main() {}
