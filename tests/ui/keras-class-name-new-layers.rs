tinyrnn::model! {
    input [50, 3];
    LSTM(4, return_sequences = true);
    GRU(4);
    Dropout(0.2);
    dense(1);
}

fn main() {}
