tinyrnn::model! {
    input [50, 3];
    simple_rnn(2);
    dense(1);
    params = 15;
}

fn main() {}
