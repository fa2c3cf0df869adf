tinyrnn::model! {
    input [-1, 3];
    lstm(4);
    dense(1);
}

fn main() {}
