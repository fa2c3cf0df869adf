tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    bidirectional(lstm(4));
    dense(1);
}

fn main() {
    let net = Net::zeroed();
    let mut state = NetState::new();
    let _ = net.step(&mut state, &[0.0; 3]);
}
