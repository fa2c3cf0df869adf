// The path is relative to the crate being built; trybuild builds in target/tests/trybuild/.
tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    weights = "../../../../tests/fixtures/keras-files/var_len.keras";
}

fn main() {
    let _ = Net::WEIGHTS;
}
