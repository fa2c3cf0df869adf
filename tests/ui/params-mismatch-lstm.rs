tinyrnn::model! {
    input [50, 3];
    lstm(4);
    dropout(0.2);
    dense(1);
    params 100;
}

fn main() {}
