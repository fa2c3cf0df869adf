//! The compile-time probe of BENCHMARKS.md: a 4-layer lstm(128) model (526,336 weights),
//! built on the heap, stepped and run. Time its compilation with
//! `touch src/bin/deep.rs && time cargo build --release --bin deep` (and without
//! `--release`), against the same for `src/bin/stack.rs`.

tinyrnn::model! {
    /// Four stacked lstm(128) layers on 128 features.
    pub struct Deep;
    input [_, 128];
    lstm(128, return_sequences = true);
    lstm(128, return_sequences = true);
    lstm(128, return_sequences = true);
    lstm(128);
}

fn main() {
    let net = Deep::boxed_from_flat(&vec![0.01; Deep::PARAMS]).expect("weights");
    let mut state = DeepState::new();
    println!("step: {}", net.step(&mut state, &[0.1; 128])[0]);
    let x = vec![[0.1_f32; 128]; 10];
    println!("forward: {}", net.forward(&x)[0]);
}
