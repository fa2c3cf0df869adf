tinyrnn::model! {
    input [20];
    embedding(1000, 8, mask_zero = true);
    bidirectional(lstm(8));
    dense(1);
}

tinyrnn::model! {
    struct Sensor;
    input [10, 3];
    masking(mask_value = -1.0);
    lstm(8, return_sequences = true);
    lstm(4, go_backwards = true);
}

fn main() {}
