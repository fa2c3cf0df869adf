tinyrnn::model! {
    input [50, 3];
    bidirectional(8);
    dense(1);
}

fn main() {}
