tinyrnn::model! {
    input [50, 3];
    input [50, 4];
    simple_rnn(2);
    dense(1);
}

fn main() {}
