//! Training as Keras 3 trains: its losses and optimizers, one sample and one weight at a
//! time, without an allocator (`Loss`, `Optimizer`, from the runtime), the models' generated
//! `backward` (`Train`), and with `std`, [`fit`]: Keras's `model.fit`. `backward` covers
//! every layer on an input of a fixed length, without an allocator, and on a sequence of
//! any length (`input [_, F]`, with `std`: its tape grows with the sequence).
//!
//! ```
//! use tinyrnn::train::{fit, FitOptions, Loss, Optimizer};
//!
//! tinyrnn::model! { struct Net; input [4, 1]; simple_rnn(2); dense(1); }
//!
//! // Learn the sum of four values.
//! let xs: Vec<[[f32; 1]; 4]> = (0..16)
//!     .map(|i| core::array::from_fn(|t| [((i * 7 + t * 3) % 10) as f32 / 10.0 - 0.45]))
//!     .collect();
//! let ys: Vec<[f32; 1]> = xs.iter().map(|x| [x.iter().map(|v| v[0]).sum()]).collect();
//! let mut net = Net::from_flat(&[0.1; Net::PARAMS])?;
//! let history = fit(&mut net, &xs, &ys, &FitOptions {
//!     loss: Loss::MeanSquaredError,
//!     optimizer: Optimizer::adam(0.05),
//!     epochs: 30,
//!     batch_size: 4,
//!     shuffle: false,
//!     verbose: false,
//!     ..Default::default()
//! });
//! assert_eq!(history.loss.len(), 30);
//! assert!(history.loss[29] < history.loss[0] / 4.0);
//! # Ok::<(), tinyrnn::Error>(())
//! ```
//!
//! On a sequence of any length, each sample has its own (`Vec`s; the tape on the heap):
//!
//! ```
//! use tinyrnn::train::{fit, FitOptions, Loss, Optimizer};
//!
//! tinyrnn::model! { struct Net; input [_, 1]; gru(3); dense(1); }
//!
//! // The sum of 2 to 7 values.
//! let xs: Vec<Vec<[f32; 1]>> = (0..24)
//!     .map(|i| (0..2 + i % 6).map(|t| [((i * 7 + t * 3) % 10) as f32 / 10.0 - 0.45]).collect())
//!     .collect();
//! let ys: Vec<[f32; 1]> = xs.iter().map(|x| [x.iter().map(|v| v[0]).sum()]).collect();
//! let mut net = Net::from_flat(&[0.1; Net::PARAMS])?;
//! let mut grads = Net::ZERO;
//! let before = net.backward(&xs[0], &ys[0], Loss::MeanSquaredError, &mut grads);
//! assert!(before > 0.0 && grads.to_flat().iter().any(|g| *g != 0.0));
//! let options = FitOptions { optimizer: Optimizer::adam(0.05), epochs: 40, batch_size: 4,
//!     verbose: false, ..Default::default() };
//! let history = fit(&mut net, &xs, &ys, &options);
//! assert!(history.loss[39] < history.loss[0] / 4.0);
//! # Ok::<(), tinyrnn::Error>(())
//! ```

#[doc(inline)]
pub use tinyrnn_runtime::train::*;

#[cfg(feature = "std")]
pub use fitting::{FitOptions, History, fit};

/// A model's tape (`NetTape`) in a new heap allocation, written there directly, never on
/// the stack: for `backward_in` on long sequences, whose tape (`Net::TAPE_BYTES`) would not
/// fit on a thread's stack. `fit` uses one.
///
/// ```
/// use tinyrnn::train::{Loss, boxed_tape};
///
/// tinyrnn::model! { struct Net; input [2000, 8]; lstm(32); dense(1); }
///
/// assert!(Net::TAPE_BYTES > 3_000_000);
/// let net = Net::boxed_from_flat(&vec![0.01; Net::PARAMS])?;
/// let mut grads = Net::boxed_from_flat(&vec![0.0; Net::PARAMS])?;
/// let mut tape = boxed_tape::<NetTape>();
/// let x = vec![[0.5_f32; 8]; 2000].try_into().unwrap();
/// let loss = net.backward_in(&mut tape, &x, &[1.0], Loss::MeanSquaredError, &mut grads, None);
/// assert!(loss > 0.0 && grads.dense.bias[0] != 0.0);
/// # Ok::<(), tinyrnn::Error>(())
/// ```
#[cfg(feature = "std")]
#[must_use]
pub fn boxed_tape<T: Tape>() -> std::boxed::Box<T> {
    crate::__private::boxed_tape()
}

#[cfg(feature = "std")]
mod fitting {
    use super::{Loss, Noise, Optimizer, OptimizerSlots, Train, boxed_tape};
    use crate::__private::HeapModel;
    use std::borrow::Borrow;
    use std::string::String;
    use std::time::Instant;
    use std::vec::Vec;
    use std::{format, println, vec};

    /// What [`fit`] does: Keras's `model.compile(loss, optimizer)` and `model.fit(epochs,
    /// batch_size, shuffle)`. `Default` gives Keras's defaults where tinyrnn has them
    /// (mean squared error, `adam(0.001)`, 1 epoch, batches of 32, shuffled, a progress
    /// line per epoch).
    #[derive(Debug, Clone, PartialEq)]
    pub struct FitOptions {
        /// The loss.
        pub loss: Loss,
        /// The optimizer.
        pub optimizer: Optimizer,
        /// Passes over the samples.
        pub epochs: usize,
        /// Samples per optimizer step; the last batch of an epoch may be shorter.
        pub batch_size: usize,
        /// Whether each epoch visits the samples in a new order (from `seed`; Keras's
        /// order comes from TensorFlow's generator, which this does not reproduce: compare
        /// with Keras with `shuffle = false`).
        pub shuffle: bool,
        /// The seed of the shuffling and of the dropout and noise layers' draws (which act
        /// during `fit` as in Keras's training mode, and nowhere else).
        pub seed: u64,
        /// Whether to print a line per epoch (its loss and time), as Keras's `verbose`.
        pub verbose: bool,
        /// The fraction of the samples held out to compute `val_loss` after each epoch, as
        /// Keras's `validation_split`: the last `n - floor(n * (1 - split))` samples, taken
        /// before any shuffling and never trained on. `0.0` (the default): none.
        pub validation_split: f64,
    }

    impl Default for FitOptions {
        fn default() -> Self {
            Self {
                loss: Loss::MeanSquaredError,
                optimizer: Optimizer::adam(0.001),
                epochs: 1,
                batch_size: 32,
                shuffle: true,
                seed: 0,
                verbose: true,
                validation_split: 0.0,
            }
        }
    }

    /// What [`fit`] returns, as Keras's `History.history`.
    #[derive(Debug, Clone, Default, PartialEq)]
    pub struct History {
        /// Each epoch's loss as Keras reports it: the mean of its batches' losses, each
        /// weighted by its number of samples (the loss of each batch computed before its
        /// optimizer step).
        pub loss: Vec<f32>,
        /// With a `validation_split`, each epoch's loss on the held-out samples after its
        /// last step, as Keras's `val_loss` (the mean over batches of `batch_size`, weighted
        /// by their sizes; dropout off); empty without one.
        pub val_loss: Vec<f32>,
    }

    /// Keras's `model.fit` on `xs` and targets `ys` (the shorter decides how many samples):
    /// for each batch, the mean of its samples' gradients (`backward`) and one optimizer
    /// step, as Keras's `train_step` does. `xs` holds the samples as `forward` takes them,
    /// or anything that borrows as one: on a model of any length (`input [_, F]`),
    /// `Vec<[f32; F]>`s of their own lengths (and targets as long, for a model that returns
    /// sequences).
    ///
    /// See the [module's example](super).
    ///
    /// # Panics
    /// If `validation_split` is not in `[0, 1)` or leaves no sample to train on or to
    /// validate with (Keras raises an error there too), and, on a model of any length, where
    /// its `backward` does (an empty sample, one too short for a window, or a sequence
    /// target of another length). Never otherwise for a model that `model!` generated (its
    /// weights always fit its size).
    pub fn fit<M, X, Y>(net: &mut M, xs: &[X], ys: &[Y], options: &FitOptions) -> History
    where
        M: Train,
        X: Borrow<M::Input>,
        Y: Borrow<M::Target>,
    {
        let all = xs.len().min(ys.len());
        let split = options.validation_split;
        assert!(
            (0.0..1.0).contains(&split),
            "validation_split must be in [0, 1), not {split}"
        );
        // Keras's `train_validation_split`: floor(n * (1 - split)) samples to train on.
        #[allow(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "a count of samples, floored in f64, as Keras's int(math.floor(...))"
        )]
        let n = if split > 0.0 {
            let n = (all as f64 * (1.0 - split)).floor() as usize;
            assert!(
                n > 0 && n < all,
                "validation_split {split} of {all} samples leaves {n} to train on and {} to validate with",
                all - n.min(all)
            );
            n
        } else {
            all
        };
        let mut order: Vec<usize> = (0..n).collect();
        let mut weights = vec![0.0_f32; M::PARAMS];
        let mut gradient = vec![0.0_f32; M::PARAMS];
        let mut slots = vec![OptimizerSlots::default(); M::PARAMS];
        // The batch's gradient, on the heap (a model can be larger than a thread's stack),
        // zeroed in place for each batch.
        let zeros = vec![0.0_f32; M::PARAMS];
        let mut grads = <M as HeapModel<'_>>::boxed_zero();
        net.write_flat(&mut weights)
            .expect("a model's weights fit its size");
        let mut random = options.seed ^ 0x9e37_79b9_7f4a_7c15;
        // The dropout and noise layers' draws: their own stream from the same seed.
        let mut noise = Noise::new(options.seed ^ 0x6a09_e667_f3bc_c908);
        // One tape for every sample, on the heap: long sequences do not fit on the stack.
        let mut tape = boxed_tape::<M::Tape>();
        let mut steps = 0_u32;
        let mut history = History::default();
        for epoch in 0..options.epochs {
            let start = Instant::now();
            if options.shuffle {
                for i in (1..order.len()).rev() {
                    random = splitmix(random);
                    #[allow(
                        clippy::cast_possible_truncation,
                        reason = "an index below the number of samples"
                    )]
                    let j = (random % (i as u64 + 1)) as usize;
                    order.swap(i, j);
                }
            }
            // Keras's loss tracker: a mean weighted by each batch's size, in float32.
            let (mut total, mut count) = (0.0_f32, 0.0_f32);
            for batch in order.chunks(options.batch_size.max(1)) {
                grads
                    .load_flat(&zeros)
                    .expect("a model's weights fit its size");
                let mut sum = 0.0_f32;
                for &i in batch {
                    sum += net.backward_in(
                        &mut tape,
                        xs[i].borrow(),
                        ys[i].borrow(),
                        options.loss,
                        &mut grads,
                        Some(&mut noise),
                    );
                }
                #[allow(clippy::cast_precision_loss, reason = "a batch's size")]
                let size = batch.len() as f32;
                grads
                    .write_flat(&mut gradient)
                    .expect("a model's weights fit its size");
                steps += 1;
                let step = options.optimizer.step(steps);
                for ((w, g), s) in weights.iter_mut().zip(&gradient).zip(&mut slots) {
                    step.update(w, g / size, s);
                }
                net.load_flat(&weights)
                    .expect("a model's weights fit its size");
                let batch_loss = sum / size;
                total += batch_loss * size;
                count += size;
            }
            let loss = total / count;
            history.loss.push(loss);
            let validation = (n < all).then(|| {
                // Keras's `evaluate`: batches in order, the same size-weighted mean.
                let (mut total, mut count) = (0.0_f32, 0.0_f32);
                let held_out: Vec<usize> = (n..all).collect();
                let mut scratch = <M as HeapModel<'_>>::boxed_zero();
                for batch in held_out.chunks(options.batch_size.max(1)) {
                    let sum: f32 = batch
                        .iter()
                        .map(|&i| {
                            net.backward_in(
                                &mut tape,
                                xs[i].borrow(),
                                ys[i].borrow(),
                                options.loss,
                                &mut scratch,
                                None,
                            )
                        })
                        .sum();
                    #[allow(clippy::cast_precision_loss, reason = "a batch's size")]
                    let size = batch.len() as f32;
                    total += sum / size * size;
                    count += size;
                }
                total / count
            });
            if let Some(val_loss) = validation {
                history.val_loss.push(val_loss);
            }
            if options.verbose {
                let val = validation.map_or(String::new(), |v| format!(", val_loss {v:.6}"));
                println!(
                    "epoch {}/{}: loss {loss:.6}{val} ({:.1} ms)",
                    epoch + 1,
                    options.epochs,
                    start.elapsed().as_secs_f64() * 1e3
                );
            }
        }
        history
    }

    /// splitmix64's step: the shuffling's generator.
    fn splitmix(state: u64) -> u64 {
        let mut z = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}
