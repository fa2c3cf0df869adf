tinyrnn::model! {
    input [50, 3];
    simple_rnn(activation = relu, 4);
    dense(1);
}

fn main() {}
