tinyrnn::model! {
    input [50, 3];
    simple_rnn(2 3);
    simple_rnn(2, activation relu);
    dense(1,, use_bias = false);
    dense(1, use_bias =);
}

fn main() {}
