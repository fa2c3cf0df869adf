tinyrnn::model! {
    input [20, 1];
    embedding(1000, 8);
    lstm(8);
}

fn main() {}
