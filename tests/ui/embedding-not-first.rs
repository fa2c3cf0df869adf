tinyrnn::model! {
    input [20, 4];
    lstm(8, return_sequences = true);
    embedding(1000, 8);
    dense(1);
}

fn main() {}
