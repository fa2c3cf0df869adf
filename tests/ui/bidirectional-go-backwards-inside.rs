tinyrnn::model! {
    input [50, 3];
    bidirectional(lstm(4, go_backwards = true));
    dense(1);
}

fn main() {}
