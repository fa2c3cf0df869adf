tinyrnn::model! {
    input [50, 0];
    simple_rnn(2);
    dense(1);
}

fn main() {}
