tinyrnn::model! {
    input [50, 3];
    lstm(4);
    dense(1);
    params -5;
}

fn main() {}
