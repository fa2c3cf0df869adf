tinyrnn::model! {
    input [50, 3];
    lstm(4, reset_after = false);
    dense(1);
}

fn main() {}
