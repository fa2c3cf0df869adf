tinyrnn::model! {
    input [_, 3];
    dense(4);
    bidirectional(lstm(4));
}

fn main() {}
