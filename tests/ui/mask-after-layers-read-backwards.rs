tinyrnn::model! {
    input [10, 3];
    dense(4);
    masking(mask_value = -1.0);
    bidirectional(lstm(8));
}

tinyrnn::model! {
    struct Backwards;
    input [10, 3];
    dense(4);
    masking();
    lstm(8, return_sequences = true);
    lstm(4, go_backwards = true);
}

fn main() {}
