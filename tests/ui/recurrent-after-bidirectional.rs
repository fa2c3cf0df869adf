tinyrnn::model! {
    input [50, 3];
    bidirectional(lstm(4));
    lstm(2);
    dense(1);
}

fn main() {}
