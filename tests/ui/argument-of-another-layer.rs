tinyrnn::model! {
    input [50, 3];
    simple_rnn(2);
    dense(1, go_backwards = true);
}

fn main() {}
