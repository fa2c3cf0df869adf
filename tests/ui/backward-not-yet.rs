// `backward` covers every layer on an input of a fixed length or of any length, with one
// mask source; a model with two (a second `masking()` replacing the first's mask) is not
// covered yet: calling `backward` is a compile error that says so.
use tinyrnn::train::Loss;

tinyrnn::model! {
    struct Net;
    input [5, 3];
    masking();
    lstm(3, return_sequences = true);
    masking();
    gru(2);
    dense(1);
}

fn main() {
    let net = Net::ZERO;
    let mut grads = Net::ZERO;
    let _ = net.backward(&[[0.0; 3]; 5], &[0.0], Loss::MeanSquaredError, &mut grads);
}
