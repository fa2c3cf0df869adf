tinyrnn::model! {
    input [50, 3];
    simple_rnn();
    dense(activation = sigmoid);
}

fn main() {}
