tinyrnn::model! {
    pub struct Net;
    input [10, 3];
    conv1d(4, 3, padding = same);
    gru(2);
}

fn main() {
    let net = Net::ZERO;
    let mut state = NetState::new();
    let _ = net.step(&mut state, &[0.0; 3]);
}
