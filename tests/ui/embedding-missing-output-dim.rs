tinyrnn::model! {
    input [20];
    embedding(1000);
    lstm(8);
}

fn main() {}
