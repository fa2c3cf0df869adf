tinyrnn::model! {
    input [50, 3];
    lstm(4);
    dropout(1.5);
    dense(1);
}

fn main() {}
