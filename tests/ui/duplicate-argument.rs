tinyrnn::model! {
    input [50, 3];
    simple_rnn(2, use_bias = true, use_bias = false);
    dense(1);
}

fn main() {}
