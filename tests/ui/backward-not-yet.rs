// `backward` is generated for every model of a fixed length and for models of any length
// (`input [_, F]`) whose layers keep the length; a convolution or pooling on a sequence of
// any length makes a length known only at run time, which `backward` does not cover yet:
// calling it is a compile error that says so.
use tinyrnn::train::Loss;

tinyrnn::model! {
    struct Net;
    input [_, 3];
    conv1d(4, 3, padding = causal);
    lstm(4);
    dense(1);
}

fn main() {
    let net = Net::ZERO;
    let mut grads = Net::ZERO;
    let _ = net.backward(&[[0.0; 3]; 8], &[0.0], Loss::MeanSquaredError, &mut grads);
}
