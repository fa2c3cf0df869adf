//! A `#![no_std]` crate that uses `model!`. It defines its own `#[panic_handler]`, so if std
//! entered the dependency graph the build would fail with "duplicate lang item".
#![no_std]

tinyrnn::model! {
    /// The founding question's model.
    pub struct Net;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    params 15;
}

/// Weights that live in read-only memory, built at compile time.
pub static NET: Net = Net::ZERO;

/// Runs the model without std, allocation or panics.
#[must_use]
pub fn run(x: &[[f32; 3]; 50]) -> f32 {
    let mut state = NetState::new();
    let mut last = [0.0];
    for xt in x {
        last = NET.step(&mut state, xt);
    }
    NET.forward(x)[0] + last[0]
}

tinyrnn::model! {
    /// Token ids in, masked, normalized, repeated and flattened: issue 14's layers.
    pub struct Tokens;
    input [12];
    embedding(50, 4, mask_zero = true);
    batch_normalization();
    gru(4);
    prelu();
    repeat_vector(3);
    lstm(3, return_sequences = true);
    flatten();
    dense(2);
}

tinyrnn::model! {
    /// Convolutions, streaming and whole (issue 15's layers).
    pub struct Signal;
    input [16, 1];
    conv1d(4, 3, padding = causal, dilation_rate = 2);
    zero_padding1d(1);
    conv1d(4, 3, activation = relu);
    max_pooling1d(2);
    up_sampling1d(2);
    cropping1d([0, 1]);
    global_average_pooling1d();
    dense(1);
}

/// `forward` of the convolutions without std.
#[must_use]
pub fn run_signal(x: &[[f32; 1]; 16]) -> f32 {
    Signal::ZERO.forward(x)[0]
}

/// The same without std: `forward`, and `try_forward` refusing an id out of range.
#[must_use]
pub fn run_tokens(ids: &[u32; 12]) -> f32 {
    let net = Tokens::ZERO;
    let checked = net.try_forward(ids).map_or(0.0, |y| y[0]);
    net.forward(ids)[0] + checked
}

tinyrnn::model! {
    /// A sequence of any length: `forward` without std (its `backward`, whose tape grows
    /// with the sequence, needs std's heap: calling it here is a compile error).
    pub struct AnyLength;
    input [_, 3];
    masking();
    lstm(4);
    dense(1);
}

/// `forward` on a sequence of any length without std.
#[must_use]
pub fn run_any(x: &[[f32; 3]]) -> f32 {
    AnyLength::ZERO.forward(x)[0]
}

/// One SGD step of the founding model without std: `backward`'s tape on the stack.
pub fn train_step(net: &mut Net, x: &[[f32; 3]; 50], y: f32) -> f32 {
    let mut grads = Net::ZERO;
    let loss = net.backward(x, &[y], tinyrnn::train::Loss::MeanSquaredError, &mut grads);
    let (mut weights, mut gradient) = ([0.0; Net::PARAMS], [0.0; Net::PARAMS]);
    if net.write_flat(&mut weights).is_ok() && grads.write_flat(&mut gradient).is_ok() {
        for (w, g) in weights.iter_mut().zip(gradient) {
            *w -= 0.01 * g;
        }
        if let Ok(updated) = Net::from_flat(&weights) {
            *net = updated;
        }
    }
    loss
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
