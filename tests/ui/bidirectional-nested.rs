tinyrnn::model! {
    input [50, 3];
    bidirectional(bidirectional(lstm(4)));
    dense(1);
}

fn main() {}
