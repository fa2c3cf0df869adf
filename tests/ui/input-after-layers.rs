tinyrnn::model! {
    simple_rnn(2);
    input [50, 3];
    dense(1);
}

fn main() {}
