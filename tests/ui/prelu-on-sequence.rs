tinyrnn::model! {
    input [10, 3];
    lstm(8, return_sequences = true);
    prelu();
    lstm(4);
}

tinyrnn::model! {
    struct Axes;
    input [10, 3];
    lstm(8);
    prelu(shared_axes = [2]);
    prelu(shared_axes = [3]);
}

fn main() {}
