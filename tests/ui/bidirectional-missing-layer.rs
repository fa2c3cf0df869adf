tinyrnn::model! {
    input [50, 3];
    bidirectional();
    dense(1);
}

fn main() {}
