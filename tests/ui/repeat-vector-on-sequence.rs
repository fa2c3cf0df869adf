tinyrnn::model! {
    input [10, 3];
    lstm(8, return_sequences = true);
    repeat_vector(4);
    lstm(8);
}

tinyrnn::model! {
    struct First;
    input [10, 3];
    repeat_vector(4);
    lstm(8);
}

fn main() {}
