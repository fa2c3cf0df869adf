//! tinyrnn on a microcontroller (a Cortex-M4F, a Cortex-M0 or a RISC-V core: [`board`]): the
//! models (the seed, an lstm(16) and a streaming conv + GRU), their weights in flash, and one
//! function per model and entry point (`step` over a sequence, `forward`) that the firmware
//! (`src/main.rs`) times and checks, and that `src/bin/no_panic.rs` proves panic-free; and
//! training steps of the seed model ([`train`]: `backward` and SGD), likewise timed, checked
//! and proved panic-free.
//!
//! The models and their data are shared with the host test that computes the expected
//! outputs (`tests/firmware.rs`), so both sides compile the same declarations and weights.
#![no_std]

include!("../../../tests/fixtures/firmware/models.rs");

pub mod board;

/// The inputs and the host's outputs for them: `expected.rs`, written by the host test
/// `tests/firmware.rs` (`cargo test --test firmware`) and copied here by `build.rs`.
pub mod expected {
    include!(concat!(env!("OUT_DIR"), "/expected.rs"));
}

/// The seed model with Keras's weights, built at compile time from the blob that
/// `tinyrnn convert seed_rnn2.keras` writes: read-only data, in flash. (Training starts
/// from a copy of it on the stack.)
#[cfg(any(feature = "seed", feature = "train"))]
pub static SEED: Seed = Seed::from_le_bytes(include_bytes!(
    "../../../tests/fixtures/firmware/seed_rnn2.bin"
));

/// Training steps of the seed model, the host test's code too (`tests/firmware.rs`).
#[cfg(feature = "train")]
pub mod train;

/// The lstm(16) model with the host test's deterministic weights, in flash.
#[cfg(feature = "lstm")]
pub static LSTM: Lstm16 = Lstm16::from_le_bytes(include_bytes!(
    "../../../tests/fixtures/firmware/lstm16.bin"
));

/// The conv + GRU model with the host test's deterministic weights, in flash.
#[cfg(feature = "conv")]
pub static CONV: ConvGru = ConvGru::from_le_bytes(include_bytes!(
    "../../../tests/fixtures/firmware/conv_gru.bin"
));

/// Streams a sequence through [`SEED`] with `step`, from a new state, writing every output.
#[cfg(feature = "seed")]
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn tinyrnn_seed_steps(x: &[[f32; 3]; 50], out: &mut [[f32; 1]; 50]) {
    let mut state = SeedState::new();
    for (xt, yt) in x.iter().zip(out.iter_mut()) {
        *yt = SEED.step(&mut state, xt);
    }
}

/// [`SEED`]'s `forward` over a whole sequence.
#[cfg(feature = "seed")]
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn tinyrnn_seed_forward(x: &[[f32; 3]; 50], out: &mut [f32; 1]) {
    *out = SEED.forward(x);
}

/// Streams a sequence through [`LSTM`] with `step`, from a new state, writing every output.
#[cfg(feature = "lstm")]
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn tinyrnn_lstm_steps(x: &[[f32; 4]; 20], out: &mut [[f32; 1]; 20]) {
    let mut state = Lstm16State::new();
    for (xt, yt) in x.iter().zip(out.iter_mut()) {
        *yt = LSTM.step(&mut state, xt);
    }
}

/// [`LSTM`]'s `forward` over a whole sequence.
#[cfg(feature = "lstm")]
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn tinyrnn_lstm_forward(x: &[[f32; 4]; 20], out: &mut [f32; 1]) {
    *out = LSTM.forward(x);
}

/// Streams a sequence through [`CONV`] with `step`, one sample per call, from a new state
/// (the convolutions' ring buffers of past samples and the GRU's hidden values).
#[cfg(feature = "conv")]
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn tinyrnn_conv_steps(x: &[[f32; 1]; 32], out: &mut [[f32; 1]; 32]) {
    let mut state = ConvGruState::new();
    for (xt, yt) in x.iter().zip(out.iter_mut()) {
        *yt = CONV.step(&mut state, xt);
    }
}

/// [`CONV`]'s `forward` over a whole sequence.
#[cfg(feature = "conv")]
#[unsafe(no_mangle)]
#[inline(never)]
pub extern "C" fn tinyrnn_conv_forward(x: &[[f32; 1]; 32], out: &mut [f32; 1]) {
    *out = CONV.forward(x);
}
