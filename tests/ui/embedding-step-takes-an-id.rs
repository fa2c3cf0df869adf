tinyrnn::model! {
    pub struct Net;
    input [_];
    embedding(100, 4);
    gru(3);
}

fn main() {
    let net = Net::ZERO;
    let mut state = NetState::new();
    let _ = net.step(&mut state, &[1.0]);
    let _ = net.forward(&[[0.5_f32; 1]; 3]);
}
