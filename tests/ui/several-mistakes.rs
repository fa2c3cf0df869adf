tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    attention(8);
    simple_rnn(0, activation = tanhh);
    dense(1, use_bias = 1) 42;
    params 15;
}

// Without an unknown layer, the parameter count is known and checked too.
tinyrnn::model! {
    pub struct Other;
    input [50, 3];
    simple_rnn(4);
    simple_rnn(2, activation = tanhh);
    dense(1);
    params 15;
}

fn main() {}
