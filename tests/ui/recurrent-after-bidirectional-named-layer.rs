tinyrnn::model! {
    input [50, 3];
    bidirectional(merge_mode = sum, layer = gru(4));
    gru(2);
    dense(1);
}

fn main() {}
