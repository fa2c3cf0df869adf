tinyrnn::model! {
    input [50, 3];
    bidirectional(lstm(4));
    dense(1);
    params 250;
}

fn main() {}
