// `backward` is generated for the recurrent layers (with `go_backwards` and in
// `bidirectional`), dense and the training-only layers so far (issue 16 in progress); on
// another model, calling it is a compile error that says so.
use tinyrnn::train::Loss;

tinyrnn::model! {
    struct Net;
    input [10, 3];
    conv1d(4, 3, padding = causal);
    lstm(4);
    dense(1);
}

fn main() {
    let net = Net::ZERO;
    let mut grads = Net::ZERO;
    let _ = net.backward(&[[0.0; 3]; 8], &[0.0], Loss::MeanSquaredError, &mut grads);
}
