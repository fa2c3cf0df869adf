tinyrnn::model! {
    input [10, 3];
    lstm(4);
    time_distributed(dense(2));
}

fn main() {}
