tinyrnn::model! {
    input [50, 3];
    lstm(4, dropout = 0.2, recurrent_dropout = 0.1);
    dense(1);
}

fn main() {}
