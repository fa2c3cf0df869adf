tinyrnn::model! {
    input [50, 3];
    lstm(4);
    dropout(rate = "x");
    dense(1);
}

fn main() {}
