tinyrnn::model! {
    input [50, 3];
    lstm(4);
    dropout(0.2, 0.3);
    dense(1);
}

fn main() {}
