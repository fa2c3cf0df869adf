tinyrnn::model! {
    input [50, 3];
    bidirectional(lstm(4), merge_mode = None);
    dense(1);
}

fn main() {}
