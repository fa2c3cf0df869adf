// One mistake in `model!` is one error: code using the model compiles against a stand-in
// with its API surface, and reports nothing more.
tinyrnn::model! {
    pub struct Net;
    input [50, 3];
    simple_rnn(2, activation = tanhh);
    dense(1);
}

fn main() -> Result<(), tinyrnn::Error> {
    println!("{} {}", Net::summary(), Net::PARAMS);
    let net = Net::from_flat(&[0.0; 15])?;
    let x = [[0.0_f32; Net::FEATURES]; 50];
    let y = net.forward(&x);
    println!("{} {:?}", y[0], y.len());
    assert_eq!(y, [0.0]);
    let mut state = NetState::new();
    for xt in &x {
        for v in net.step(&mut state, xt) {
            println!("{v}");
        }
    }
    state.reset();
    let again = Net::from_keras_file("net.keras")?;
    assert_eq!(again, net);
    static NET: Net = Net::from_le_bytes(&[0; 60]);
    let _ = (&NET, Net::ZERO);
    Ok(())
}
