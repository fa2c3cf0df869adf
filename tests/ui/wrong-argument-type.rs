tinyrnn::model! {
    input [50, 3];
    simple_rnn(2.5);
    dense(1, use_bias = 1);
}

fn main() {}
