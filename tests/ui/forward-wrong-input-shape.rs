tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    simple_rnn(2);
    dense(1);
}

fn main() {
    let _ = Net::zeroed().forward(&[[0.0; 4]; 50]);
}
