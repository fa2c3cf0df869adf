tinyrnn::model! {
    input [10, 3];
    lstm(8);
    dense(6);
    reshape([4, 2]);
    lstm(4);
}

tinyrnn::model! {
    struct AnyLength;
    input [_, 3];
    lstm(8, return_sequences = true);
    reshape([-1]);
    dense(1);
}

tinyrnn::model! {
    struct BadShape;
    input [10, 3];
    lstm(8);
    reshape([-1, -1]);
    reshape(8);
    reshape([2, 2, 2]);
}

fn main() {}
