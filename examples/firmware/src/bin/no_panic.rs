//! Links only if no panic can be reached from the models' `step` and `forward`, nor from a
//! training step of the seed model (`backward` and the SGD update).
//!
//! It calls the firmware's six entry points (`step` over a sequence and `forward`, for each
//! model) and the training's two (`tinyrnn_train_backward` on one sample,
//! `tinyrnn_train_update`) on inputs, weights and gradients the optimiser cannot see
//! (`black_box`: any `f32` values, NaN and infinities included), and nothing else that could
//! panic. Its `#[panic_handler]` calls a
//! function that exists nowhere: if any panic survived optimisation in the code reachable
//! from `main`, the linker would need that function and fail with "undefined symbol:
//! tinyrnn_a_panic_is_reachable_from_forward_or_step". `ci/firmware-check` builds it; that
//! it links is the proof, and running it under QEMU shows it is a real program.
#![no_std]
#![no_main]

use core::hint::black_box;
use tinyrnn_firmware as fw;

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", riscv_rt::entry)]
fn main() -> ! {
    let x = black_box([[0.0_f32; 3]; 50]);
    let (mut steps, mut y) = ([[0.0_f32; 1]; 50], [0.0_f32; 1]);
    fw::tinyrnn_seed_steps(&x, &mut steps);
    fw::tinyrnn_seed_forward(&x, &mut y);
    black_box((&steps, &y));

    let x = black_box([[0.0_f32; 4]; 20]);
    let (mut steps, mut y) = ([[0.0_f32; 1]; 20], [0.0_f32; 1]);
    fw::tinyrnn_lstm_steps(&x, &mut steps);
    fw::tinyrnn_lstm_forward(&x, &mut y);
    black_box((&steps, &y));

    let x = black_box([[0.0_f32; 1]; 32]);
    let (mut steps, mut y) = ([[0.0_f32; 1]; 32], [0.0_f32; 1]);
    fw::tinyrnn_conv_steps(&x, &mut steps);
    fw::tinyrnn_conv_forward(&x, &mut y);
    black_box((&steps, &y));

    // A training step: `backward` of a sample into a gradient, then the update, on any
    // weights, gradient, step number and optimizer slots.
    let sample = black_box([[0.0_f32; 3]; 50]);
    let target = black_box([0.0_f32; 1]);
    let mut net = black_box(fw::Seed::ZERO);
    let mut grads = black_box(fw::Seed::ZERO);
    let mut slots = black_box([tinyrnn::train::OptimizerSlots::default(); fw::Seed::PARAMS]);
    let loss = fw::train::tinyrnn_train_backward(&net, &sample, &target, &mut grads);
    fw::train::tinyrnn_train_update(&mut net, &grads, &mut slots, black_box(1));
    black_box((&net, &grads, &slots, loss));

    // The control: an index the optimiser cannot check keeps a bounds-check panic, and then
    // this program must not link (ci/firmware-check builds it with this feature, expecting
    // the failure, to show that the proof above is not vacuous).
    #[cfg(feature = "no-panic-control")]
    black_box(x[black_box(32_usize)]); // x: the conv model's 32 samples

    fw::board::exit(true)
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    unsafe extern "C" {
        fn tinyrnn_a_panic_is_reachable_from_forward_or_step() -> !;
    }
    // SAFETY: never runs: the program links only if nothing calls this handler.
    unsafe { tinyrnn_a_panic_is_reachable_from_forward_or_step() }
}
