tinyrnn::model! {
    input [10, 3];
    lstm(8, return_sequences = true);
    prelu();
    lstm(4);
}

fn main() {}
