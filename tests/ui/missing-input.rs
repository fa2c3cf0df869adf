tinyrnn::model! {
    pub struct Net;
    simple_rnn(2);
    dense(1);
}

fn main() {}
