tinyrnn::model! {
    input [50, 3];
    pub struct Net;
    simple_rnn(2);
    dense(1);
}

fn main() {}
