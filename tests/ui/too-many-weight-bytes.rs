tinyrnn::model! {
    input [50, 2660966983733188304];
    simple_rnn(2);
    dense(1);
}

fn main() {}
