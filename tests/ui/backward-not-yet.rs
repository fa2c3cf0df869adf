// `backward` is generated for models of a fixed length so far (issue 16 in progress); on a
// model of any length (`input [_, F]`), calling it is a compile error that says so.
use tinyrnn::train::Loss;

tinyrnn::model! {
    struct Net;
    input [_, 3];
    lstm(4);
    dense(1);
}

fn main() {
    let net = Net::ZERO;
    let mut grads = Net::ZERO;
    let _ = net.backward(&[[0.0; 3]; 8], &[0.0], Loss::MeanSquaredError, &mut grads);
}
