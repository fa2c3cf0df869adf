tinyrnn::model! {
    input [50, 3];
    simple_rnn(2, 4);
    dense(1, units = 2);
}

fn main() {}
