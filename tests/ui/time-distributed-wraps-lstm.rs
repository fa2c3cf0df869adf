tinyrnn::model! {
    input [10, 3];
    time_distributed(lstm(4));
    time_distributed(8);
}

fn main() {}
