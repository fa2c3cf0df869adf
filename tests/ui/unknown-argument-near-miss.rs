tinyrnn::model! {
    input [50, 3];
    simple_rnn(2, return_sequence = true);
    dense(1);
}

fn main() {}
