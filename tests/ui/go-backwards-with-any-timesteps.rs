tinyrnn::model! {
    input [_, 3];
    simple_rnn(4, return_sequences = true);
    simple_rnn(2, go_backwards = true);
    dense(1);
}

fn main() {}
