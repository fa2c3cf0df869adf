tinyrnn::model! {
    input [50, 3];
    simple_rnn(2, return_sequences = True, use_bias = "false");
    dense(1);
}

fn main() {}
