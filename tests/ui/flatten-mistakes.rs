tinyrnn::model! {
    input [10, 3];
    flatten(2);
    dense(1);
}

tinyrnn::model! {
    struct RecurrentAfter;
    input [10, 3];
    dense(4);
    flatten();
    lstm(8);
}

fn main() {}
