//! Training the seed model on the device: [`STEPS`] steps of Keras's SGD, each on a batch of
//! [`BATCH`] samples, as `tinyrnn::train::fit` takes them (`batch_size = BATCH`, `shuffle =
//! false`), without an allocator: the model, its gradient, the flat weights and the
//! optimizer's slots are local variables, and `backward`'s tape is on the stack
//! (`Seed::TAPE_BYTES`).
//!
//! One training step: `grads = Seed::ZERO`, [`tinyrnn_train_backward`] on each sample of the
//! batch (adding its gradient into `grads`), then [`tinyrnn_train_update`]: the mean of the
//! samples' gradients and one SGD update of every weight, through `write_flat` and
//! `from_flat`. Its loss is the batch's: the mean of its samples' losses, as `fit` reports.
//!
//! This file is the firmware's module `train` (`src/lib.rs`) and the host test's
//! (`tests/firmware.rs`, through `#[path]`), so both run exactly this code on the same weights
//! and samples; the host writes what it computed to `expected.rs` and the firmware compares its
//! own results with them bit for bit.

use super::Seed;
use tinyrnn::train::{Loss, Optimizer, OptimizerSlots};

/// The loss: mean squared error.
pub const LOSS: Loss = Loss::MeanSquaredError;
/// The optimizer: Keras's `SGD(learning_rate = 0.05)`, no momentum.
pub const OPTIMIZER: Optimizer = Optimizer::sgd(0.05);
/// Samples per training step.
pub const BATCH: usize = 2;
/// Training steps.
pub const STEPS: usize = 4;
/// Samples in all: each is used once, in order.
pub const SAMPLES: usize = BATCH * STEPS;

/// One sample, as the seed model's `forward` takes it.
pub type Input = [[f32; 3]; 50];
/// One sample's target, as the seed model's `forward` returns it.
pub type Target = [f32; 1];

/// What [`train`] calls around the work it does, for the firmware's instruction counts
/// (its markers); the host's, `()`, does nothing.
pub trait Marks {
    /// Before one sample's `backward`.
    fn backward(&mut self) {}
    /// Before one optimizer update.
    fn update(&mut self) {}
    /// After either.
    fn end(&mut self) {}
}

impl Marks for () {}

/// Adds the gradient of [`LOSS`] on one sample (`x`, target `y`) into `grads`, and returns
/// the sample's loss: the seed model's `backward`.
// Named, on the device, for the instruction counts and the no-panic scan (reachable.awk).
#[cfg_attr(target_os = "none", unsafe(no_mangle))]
#[inline(never)]
#[allow(clippy::trivially_copy_pass_by_ref, reason = "as `backward` takes it")]
pub fn tinyrnn_train_backward(net: &Seed, x: &Input, y: &Target, grads: &mut Seed) -> f32 {
    net.backward(x, y, LOSS, grads)
}

/// One optimizer step `t` (1 for the first): the batch's gradient `grads` (the sum of its
/// samples') divided by [`BATCH`], and [`OPTIMIZER`]'s update of each weight, as
/// `tinyrnn::train::fit` does it.
// Named, on the device, for the instruction counts and the no-panic scan (reachable.awk).
#[cfg_attr(target_os = "none", unsafe(no_mangle))]
#[inline(never)]
pub fn tinyrnn_train_update(
    net: &mut Seed,
    grads: &Seed,
    slots: &mut [OptimizerSlots; Seed::PARAMS],
    t: u32,
) {
    let mut weights = [0.0_f32; Seed::PARAMS];
    let mut gradient = [0.0_f32; Seed::PARAMS];
    // Neither can fail: both arrays have the model's size.
    if net.write_flat(&mut weights).is_err() || grads.write_flat(&mut gradient).is_err() {
        return;
    }
    #[allow(clippy::cast_precision_loss, reason = "a batch's size")]
    let size = BATCH as f32;
    let step = OPTIMIZER.step(t);
    for ((w, g), s) in weights.iter_mut().zip(&gradient).zip(slots.iter_mut()) {
        step.update(w, g / size, s);
    }
    if let Ok(updated) = Seed::from_flat(&weights) {
        *net = updated;
    }
}

/// [`STEPS`] training steps of `net` on `xs` and `ys`, [`BATCH`] samples each, in order;
/// writes each step's loss (its batch's, computed before its update) to `losses`.
pub fn train(
    net: &mut Seed,
    xs: &[Input; SAMPLES],
    ys: &[Target; SAMPLES],
    losses: &mut [f32; STEPS],
    marks: &mut impl Marks,
) {
    let mut slots = [OptimizerSlots::default(); Seed::PARAMS];
    let batches = xs.chunks_exact(BATCH).zip(ys.chunks_exact(BATCH));
    let mut t = 0_u32;
    for ((xb, yb), loss) in batches.zip(losses.iter_mut()) {
        let mut grads = Seed::ZERO;
        let mut sum = 0.0_f32;
        for (x, y) in xb.iter().zip(yb) {
            marks.backward();
            sum += tinyrnn_train_backward(net, x, y, &mut grads);
            marks.end();
        }
        t += 1;
        marks.update();
        tinyrnn_train_update(net, &grads, &mut slots, t);
        marks.end();
        #[allow(clippy::cast_precision_loss, reason = "a batch's size")]
        let size = BATCH as f32;
        *loss = sum / size;
    }
}
