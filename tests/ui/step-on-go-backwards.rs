tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    simple_rnn(2, go_backwards = true);
    dense(1);
}

fn main() {
    let net = Net::zeroed();
    let mut state = NetState::new();
    let _ = net.step(&mut state, &[0.0; 3]);
}
