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

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    loop {}
}
