tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    weights = "models/no-such-file.keras";
}

fn main() {}
