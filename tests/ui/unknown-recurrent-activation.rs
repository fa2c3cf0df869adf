tinyrnn::model! {
    input [50, 3];
    lstm(4, recurrent_activation = sigmod);
    dense(1);
}

fn main() {}
