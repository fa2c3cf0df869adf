tinyrnn::model! {
    pub struct Net;
    input [10, 3];
    lstm(8);
    repeat_vector(4);
    lstm(8, return_sequences = true);
}

fn main() {
    let net = Net::ZERO;
    let mut state = NetState::new();
    let _ = net.step(&mut state, &[0.0; 3]);
}
