//! Training, as Keras 3 trains: its losses ([`Loss`]) and its optimizers ([`Optimizer`]),
//! for one sample and one weight at a time, without an allocator, so that a model can keep
//! learning on a microcontroller. (Issue 16 builds `backward` and `fit` on these.)
//!
//! ```
//! use tinyrnn_runtime::train::{Loss, Optimizer, OptimizerSlots};
//!
//! // The loss of one sample and its gradient with respect to the prediction.
//! let (y_true, y_pred) = ([1.0, 0.0], [0.75, 0.5]);
//! let mut grad = [0.0; 2];
//! let loss = Loss::MeanSquaredError.gradient(&y_true, &y_pred, 2, &mut grad);
//! assert_eq!(loss, (0.25 * 0.25 + 0.5 * 0.5) / 2.0);
//! assert_eq!(grad, [2.0 * -0.25 / 2.0, 2.0 * 0.5 / 2.0]);
//!
//! // One step of Keras's SGD on one weight.
//! let sgd = Optimizer::sgd(0.1);
//! let (mut w, mut slots) = (1.0_f32, OptimizerSlots::default());
//! sgd.step(1).update(&mut w, 0.5, &mut slots);
//! assert_eq!(w, 1.0 - 0.5 * 0.1);
//! ```

/// Keras's `epsilon()`, by which the crossentropies keep probabilities off 0 and 1.
pub const EPSILON: f32 = 1e-7;

/// A loss of Keras 3, on probabilities (`from_logits = False`, Keras's default).
///
/// The value of one sample is Keras's loss on a batch of just that sample: the mean over its
/// output units (for the crossentropies, the sum over the classes) and, for a model that
/// returns sequences, over its timesteps. `y_true` and `y_pred` are the sample's outputs one
/// timestep after another, `units` values each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Loss {
    /// `keras.losses.MeanSquaredError`: `mean((y_pred - y_true)^2)`.
    MeanSquaredError,
    /// `keras.losses.MeanAbsoluteError`: `mean(|y_pred - y_true|)` (gradient 0 where they
    /// are equal, as TensorFlow's `abs`).
    MeanAbsoluteError,
    /// `keras.losses.BinaryCrossentropy`: `-mean(t log p + (1 - t) log(1 - p))`, `p`
    /// clipped to `[EPSILON, 1 - EPSILON]` (gradient 0 where it is clipped).
    BinaryCrossentropy,
    /// `keras.losses.CategoricalCrossentropy`: `-sum(t log p)` over the classes of each
    /// timestep, `p` first divided by its sum over the classes, then clipped as above.
    CategoricalCrossentropy,
}

impl Loss {
    /// The loss of one sample (see [`Loss`]).
    #[must_use]
    pub fn value(self, y_true: &[f32], y_pred: &[f32], units: usize) -> f32 {
        self.evaluate(y_true, y_pred, units, None)
    }

    /// The loss of one sample, and its gradient with respect to `y_pred` written to `grad`
    /// (the same layout).
    pub fn gradient(self, y_true: &[f32], y_pred: &[f32], units: usize, grad: &mut [f32]) -> f32 {
        self.evaluate(y_true, y_pred, units, Some(grad))
    }

    /// The loss of one sample whose predictions are `sigmoid` or `softmax` of `logits` (a
    /// last layer with that activation), as Keras computes it then: from the logits, without
    /// clipping (`sigmoid_cross_entropy_with_logits`, `softmax_cross_entropy_with_logits`;
    /// Keras's sigmoid and softmax leave their logits on their output for the loss), and its
    /// gradient with respect to the logits, written to `grad`: `(sigmoid(x) - t) / units`,
    /// or `softmax(x) * sum(t) - t`, over the timesteps. The other losses, which do not look
    /// at logits, are computed from the predictions `y_pred` as [`Loss::gradient`] does and
    /// their gradient is with respect to `y_pred`.
    ///
    /// ```
    /// use tinyrnn_runtime::train::Loss;
    ///
    /// // A sigmoid output of logit 20 for label 0: Keras's loss is 20 (from the logit), not
    /// // the 15.9 of the clipped probability.
    /// let mut grad = [0.0];
    /// let loss = Loss::BinaryCrossentropy.gradient_from_logits(&[0.0], &[20.0], &[1.0], 1, &mut grad);
    /// assert!((loss - 20.0).abs() < 1e-5 && (grad[0] - 1.0).abs() < 1e-6);
    /// ```
    pub fn gradient_from_logits(
        self,
        y_true: &[f32],
        logits: &[f32],
        y_pred: &[f32],
        units: usize,
        grad: &mut [f32],
    ) -> f32 {
        let units = units.max(1);
        #[allow(clippy::cast_precision_loss, reason = "sizes of a model's output")]
        let (n_units, timesteps) = (units as f32, (logits.len() / units).max(1) as f32);
        let rows = y_true.chunks(units).zip(logits.chunks(units));
        let mut total = 0.0_f32;
        match self {
            Loss::BinaryCrossentropy => {
                for (k, (t, x)) in rows.enumerate() {
                    let mut sum = 0.0_f32;
                    for (i, (t, x)) in t.iter().zip(x).enumerate() {
                        // max(x, 0) - x t + log(1 + exp(-|x|)), TensorFlow's stable form.
                        sum += x.max(0.0) - x * t + libm::log1pf(libm::expf(-libm::fabsf(*x)));
                        if let Some(g) = grad.get_mut(k * units + i) {
                            *g = (1.0 / (1.0 + libm::expf(-x)) - t) / n_units / timesteps;
                        }
                    }
                    total += sum / n_units;
                }
            }
            Loss::CategoricalCrossentropy => {
                for (k, (t, x)) in rows.enumerate() {
                    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
                    let sum_exp: f32 = x.iter().map(|x| libm::expf(x - max)).sum();
                    let log_sum = max + libm::logf(sum_exp);
                    let labels: f32 = t.iter().sum();
                    total += t.iter().zip(x).map(|(t, x)| t * (log_sum - x)).sum::<f32>();
                    for (i, (t, x)) in t.iter().zip(x).enumerate() {
                        if let Some(g) = grad.get_mut(k * units + i) {
                            *g = (libm::expf(x - log_sum) * labels - t) / timesteps;
                        }
                    }
                }
            }
            other => return other.gradient(y_true, y_pred, units, grad),
        }
        total / timesteps
    }

    fn evaluate(
        self,
        y_true: &[f32],
        y_pred: &[f32],
        units: usize,
        mut grad: Option<&mut [f32]>,
    ) -> f32 {
        let units = units.max(1);
        #[allow(clippy::cast_precision_loss, reason = "sizes of a model's output")]
        let (n_units, timesteps) = (units as f32, (y_pred.len() / units).max(1) as f32);
        let mut total = 0.0_f32;
        let rows = y_true.chunks(units).zip(y_pred.chunks(units));
        for (k, (t, p)) in rows.enumerate() {
            let mut g_row = grad
                .as_deref_mut()
                .and_then(|g| g.get_mut(k * units..(k + 1) * units));
            let row = match self {
                Loss::MeanSquaredError => {
                    let mut sum = 0.0_f32;
                    for (i, (t, p)) in t.iter().zip(p).enumerate() {
                        let d = p - t;
                        sum += d * d;
                        if let Some(g) = g_row.as_deref_mut().and_then(|g| g.get_mut(i)) {
                            *g = 2.0 * d / n_units / timesteps;
                        }
                    }
                    sum / n_units
                }
                Loss::MeanAbsoluteError => {
                    let mut sum = 0.0_f32;
                    for (i, (t, p)) in t.iter().zip(p).enumerate() {
                        let d = p - t;
                        sum += libm::fabsf(d);
                        if let Some(g) = g_row.as_deref_mut().and_then(|g| g.get_mut(i)) {
                            let sign = if d > 0.0 {
                                1.0
                            } else if d < 0.0 {
                                -1.0
                            } else {
                                0.0
                            };
                            *g = sign / n_units / timesteps;
                        }
                    }
                    sum / n_units
                }
                Loss::BinaryCrossentropy => {
                    let mut sum = 0.0_f32;
                    for (i, (t, p)) in t.iter().zip(p).enumerate() {
                        let c = p.clamp(EPSILON, 1.0 - EPSILON);
                        sum += t * libm::logf(c) + (1.0 - t) * libm::logf(1.0 - c);
                        if let Some(g) = g_row.as_deref_mut().and_then(|g| g.get_mut(i)) {
                            let inside = *p >= EPSILON && *p <= 1.0 - EPSILON;
                            let d = -(t / c - (1.0 - t) / (1.0 - c));
                            *g = if inside { d / n_units / timesteps } else { 0.0 };
                        }
                    }
                    -sum / n_units
                }
                Loss::CategoricalCrossentropy => {
                    let s: f32 = p.iter().sum();
                    let mut sum = 0.0_f32;
                    for (t, p) in t.iter().zip(p) {
                        sum += t * libm::logf((p / s).clamp(EPSILON, 1.0 - EPSILON));
                    }
                    if let Some(g) = g_row {
                        // d/dp_i of -sum_j t_j log(clip(p_j / s)): through the clip (0
                        // where clipped) and the division by the sum.
                        let mut weighted = 0.0_f32;
                        for (t, p) in t.iter().zip(p) {
                            let q = p / s;
                            if (EPSILON..=1.0 - EPSILON).contains(&q) {
                                weighted += t;
                            }
                        }
                        for ((g, t), p) in g.iter_mut().zip(t).zip(p) {
                            let q = p / s;
                            let own = if (EPSILON..=1.0 - EPSILON).contains(&q) {
                                t / q
                            } else {
                                0.0
                            };
                            *g = -(own - weighted) / s / timesteps;
                        }
                    }
                    -sum
                }
            };
            total += row;
        }
        total / timesteps
    }
}

/// An optimizer of Keras 3, updating each weight exactly as Keras's `update_step` does,
/// with its hyper-parameters as the Python floats Keras keeps (`f64`) and converted to
/// `f32` where Keras converts them.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Optimizer {
    /// `keras.optimizers.SGD`: `m = momentum * m - lr * g`, then `w += m` (Nesterov:
    /// `w += momentum * m - lr * g`); without momentum `w -= lr * g`.
    Sgd {
        /// `learning_rate` (Keras's default 0.01).
        learning_rate: f64,
        /// `momentum` (default 0).
        momentum: f64,
        /// `nesterov` (default false).
        nesterov: bool,
    },
    /// `keras.optimizers.Adam` (without `amsgrad`): `m += (g - m)(1 - beta_1)`, `v += (g^2 -
    /// v)(1 - beta_2)`, `w -= m alpha / (sqrt(v) + epsilon)` with `alpha = lr sqrt(1 -
    /// beta_2^t) / (1 - beta_1^t)` at step `t`.
    Adam {
        /// `learning_rate` (Keras's default 0.001).
        learning_rate: f64,
        /// `beta_1` (default 0.9).
        beta_1: f64,
        /// `beta_2` (default 0.999).
        beta_2: f64,
        /// `epsilon` (default 1e-7).
        epsilon: f64,
    },
}

impl Optimizer {
    /// Keras's `SGD(learning_rate)`, the rest its defaults (no momentum).
    #[must_use]
    pub const fn sgd(learning_rate: f64) -> Self {
        Optimizer::Sgd {
            learning_rate,
            momentum: 0.0,
            nesterov: false,
        }
    }

    /// Keras's `Adam(learning_rate)`, the rest its defaults.
    #[must_use]
    pub const fn adam(learning_rate: f64) -> Self {
        Optimizer::Adam {
            learning_rate,
            beta_1: 0.9,
            beta_2: 0.999,
            epsilon: 1e-7,
        }
    }

    /// The update of step `t` (1 for the first), its per-step constants computed once, as
    /// Keras computes them (in `f32`).
    #[must_use]
    #[allow(
        clippy::cast_possible_truncation,
        reason = "Keras casts them to float32"
    )]
    pub fn step(&self, t: u32) -> Step {
        match *self {
            Optimizer::Sgd {
                learning_rate,
                momentum,
                nesterov,
            } => Step::Sgd {
                lr: learning_rate as f32,
                momentum: momentum as f32,
                nesterov,
            },
            Optimizer::Adam {
                learning_rate,
                beta_1,
                beta_2,
                epsilon,
            } => {
                // TensorFlow's float32 `pow` (glibc's `powf`) rounds correctly; `libm`'s
                // `powf` can be an ulp off, so the power is taken in f64 and rounded once.
                let power = |beta: f64| libm::pow(f64::from(beta as f32), f64::from(t)) as f32;
                let (beta_1_power, beta_2_power) = (power(beta_1), power(beta_2));
                let lr = learning_rate as f32;
                Step::Adam {
                    alpha: lr * libm::sqrtf(1.0 - beta_2_power) / (1.0 - beta_1_power),
                    // Python's `1 - beta` in f64, then float32, as Keras multiplies.
                    one_minus_beta_1: (1.0 - beta_1) as f32,
                    one_minus_beta_2: (1.0 - beta_2) as f32,
                    epsilon: epsilon as f32,
                }
            }
        }
    }
}

/// One weight's optimizer state, as Keras keeps it per variable: SGD's momentum, Adam's
/// `m` and `v` (zeros before the first step).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OptimizerSlots {
    /// SGD's momentum, or Adam's first moment.
    pub m: f32,
    /// Adam's second moment.
    pub v: f32,
}

/// One step of an [`Optimizer`], its per-step constants computed ([`Optimizer::step`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step {
    /// SGD's learning rate and momentum, as float32.
    Sgd {
        /// The learning rate.
        lr: f32,
        /// The momentum.
        momentum: f32,
        /// Nesterov momentum.
        nesterov: bool,
    },
    /// Adam's step size `alpha` and its constants, as float32.
    Adam {
        /// `lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)`.
        alpha: f32,
        /// `1 - beta_1`.
        one_minus_beta_1: f32,
        /// `1 - beta_2`.
        one_minus_beta_2: f32,
        /// `epsilon`.
        epsilon: f32,
    },
}

impl Step {
    /// Updates weight `w` with its gradient `g` and its `slots`, as Keras's `update_step`.
    #[inline]
    pub fn update(&self, w: &mut f32, g: f32, slots: &mut OptimizerSlots) {
        match *self {
            Step::Sgd {
                lr,
                momentum,
                nesterov,
            } => {
                if momentum == 0.0 {
                    *w -= g * lr;
                } else {
                    slots.m = slots.m * momentum - g * lr;
                    *w += if nesterov {
                        slots.m * momentum - g * lr
                    } else {
                        slots.m
                    };
                }
            }
            Step::Adam {
                alpha,
                one_minus_beta_1,
                one_minus_beta_2,
                epsilon,
            } => {
                slots.m += (g - slots.m) * one_minus_beta_1;
                slots.v += (g * g - slots.v) * one_minus_beta_2;
                *w -= (slots.m * alpha) / (libm::sqrtf(slots.v) + epsilon);
            }
        }
    }
}

/// What a model's `backward` keeps of its forward pass: the type `model!` generates beside
/// the model (`NetTape`). On an input of a fixed length it is all numbers, so its `ZERO` can
/// be written straight into a heap allocation (`tinyrnn::train::boxed_tape`) for long
/// sequences; on a sequence of any length it holds `Vec`s that `backward` grows to the input.
pub trait Tape: Sized {
    /// Before a forward pass: zeros.
    const ZERO: Self;
}

/// A model that `backward` covers, which `fit` trains: `model!` implements it for them.
pub trait Train: crate::Model + Clone {
    /// One sample, as `forward` takes it (`[[f32; F]; T]`, or `[u32; T]` of token ids;
    /// `[[f32; F]]` on a model of any length).
    type Input: ?Sized;
    /// One sample's target, as `forward` returns its output (`[f32; N]`, or
    /// `[[f32; N]; T]` for a model that returns sequences; `[[f32; N]]` on a model of any
    /// length, as long as its input).
    type Target: ?Sized;
    /// The model's tape (`NetTape`).
    type Tape: Tape;

    /// The model's `backward_in`: adds the gradient of `loss` on the sample `x` with target
    /// `y` into `grads`, keeping the forward pass in `tape`, and returns the sample's loss;
    /// with `noise`, in Keras's training mode (the dropout and noise layers draw from it).
    fn backward_in(
        &self,
        tape: &mut Self::Tape,
        x: &Self::Input,
        y: &Self::Target,
        loss: Loss,
        grads: &mut Self,
        noise: Option<&mut Noise>,
    ) -> f32;

    /// The model's `backward`: adds the gradient of `loss` on the sample `x` with target
    /// `y` into `grads`, and returns the sample's loss (the tape on the stack).
    fn backward(&self, x: &Self::Input, y: &Self::Target, loss: Loss, grads: &mut Self) -> f32 {
        let mut tape = Self::Tape::ZERO;
        self.backward_in(&mut tape, x, y, loss, grads, None)
    }

    /// [`Train::backward`] in Keras's training mode: the dropout and noise layers act,
    /// drawing from `noise`, and the gradient goes through what they drew.
    fn backward_training(
        &self,
        x: &Self::Input,
        y: &Self::Target,
        loss: Loss,
        grads: &mut Self,
        noise: &mut Noise,
    ) -> f32 {
        let mut tape = Self::Tape::ZERO;
        self.backward_in(&mut tape, x, y, loss, grads, Some(noise))
    }

    /// The sample's loss as [`Train::backward`] returns it (Keras's `evaluate` on a batch
    /// of just `x`), its gradient thrown away.
    fn loss(&self, x: &Self::Input, y: &Self::Target, loss: Loss) -> f32 {
        let mut scratch = Self::ZERO;
        self.backward(x, y, loss, &mut scratch)
    }
}

/// The random numbers of training: the draws of the dropout and noise layers in
/// [`Train::backward_training`] (`fit` seeds one from `FitOptions::seed`). splitmix64, so a
/// seed gives the same draws on every platform, a microcontroller's included. Keras draws
/// from TensorFlow's generators, which this does not reproduce: compare a model with
/// dropout against Keras in distribution, not bit for bit.
///
/// ```
/// use tinyrnn_runtime::train::Noise;
///
/// let (mut a, mut b) = (Noise::new(7), Noise::new(7));
/// assert_eq!(a.uniform(), b.uniform());
/// let u = a.uniform();
/// assert!((0.0..1.0).contains(&u));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Noise {
    state: u64,
}

impl Noise {
    /// A generator from a seed.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits (splitmix64).
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform on `[0, 1)`: 24 random bits, every value a multiple of `2^-24`.
    pub fn uniform(&mut self) -> f32 {
        #[allow(clippy::cast_precision_loss, reason = "24 bits: exact in an f32")]
        let bits = (self.next_u64() >> 40) as f32;
        bits * (1.0 / 16_777_216.0)
    }

    /// Standard normal (Box-Muller on two uniforms).
    pub fn normal(&mut self) -> f32 {
        // 1 - u is in (0, 1]: its logarithm is finite.
        let radius = libm::sqrtf(-2.0 * libm::logf(1.0 - self.uniform()));
        radius * libm::cosf(core::f32::consts::TAU * self.uniform())
    }
}

/// What the dropout and noise layers do in Keras's training mode (they are the identity
/// otherwise), one vector at a time: each changes `v` in place and writes into `factor`
/// what the backward pass multiplies the gradient by. `backward_training` calls them.
///
/// ```
/// use tinyrnn_runtime::train::{Noise, noise_layers};
///
/// let (mut v, mut factor) = ([1.0_f32; 1000], [0.0_f32; 1000]);
/// noise_layers::dropout(&mut v, 0.25, &mut Noise::new(1), &mut factor);
/// let kept = v.iter().filter(|&&x| x != 0.0).count();
/// assert!((700..800).contains(&kept));
/// assert!(v.iter().all(|&x| x == 0.0 || x == 1.0 / 0.75));
/// assert_eq!(v, factor);
/// ```
pub mod noise_layers {
    use super::Noise;

    /// Keras `Dropout(rate)`: each value kept with probability `1 - rate` and scaled by
    /// `1 / (1 - rate)`, else zero. `rate = 0` keeps everything (Keras skips the layer).
    pub fn dropout<const N: usize>(
        v: &mut [f32; N],
        rate: f32,
        noise: &mut Noise,
        factor: &mut [f32; N],
    ) {
        let scale = 1.0 / (1.0 - rate);
        for (v, f) in v.iter_mut().zip(factor.iter_mut()) {
            *f = if rate > 0.0 && noise.uniform() < rate {
                0.0
            } else if rate > 0.0 {
                scale
            } else {
                1.0
            };
            *v *= *f;
        }
    }

    /// Keras `SpatialDropout1D(rate)`'s mask for one sequence: one [`dropout`] factor per
    /// channel, the same at every timestep (apply it with [`scale`]).
    pub fn spatial_mask<const N: usize>(rate: f32, noise: &mut Noise) -> [f32; N] {
        let mut factor = [0.0; N];
        dropout(&mut [1.0; N], rate, noise, &mut factor);
        factor
    }

    /// `v *= factor`, and `factor` kept for the backward pass: a mask drawn once per sequence
    /// ([`spatial_mask`]).
    pub fn scale<const N: usize>(v: &mut [f32; N], mask: &[f32; N], factor: &mut [f32; N]) {
        for ((v, m), f) in v.iter_mut().zip(mask).zip(factor.iter_mut()) {
            *f = *m;
            *v *= m;
        }
    }

    /// Keras `GaussianNoise(stddev)`: adds normal noise of that deviation. The gradient
    /// goes through unchanged (`factor` = 1).
    pub fn gaussian_noise<const N: usize>(
        v: &mut [f32; N],
        stddev: f32,
        noise: &mut Noise,
        factor: &mut [f32; N],
    ) {
        for (v, f) in v.iter_mut().zip(factor.iter_mut()) {
            if stddev > 0.0 {
                *v += stddev * noise.normal();
            }
            *f = 1.0;
        }
    }

    /// Keras `GaussianDropout(rate)`: multiplies by normal noise of mean 1 and deviation
    /// `sqrt(rate / (1 - rate))`.
    pub fn gaussian_dropout<const N: usize>(
        v: &mut [f32; N],
        rate: f32,
        noise: &mut Noise,
        factor: &mut [f32; N],
    ) {
        let stddev = libm::sqrtf(rate / (1.0 - rate));
        for (v, f) in v.iter_mut().zip(factor.iter_mut()) {
            *f = if rate > 0.0 {
                1.0 + stddev * noise.normal()
            } else {
                1.0
            };
            *v *= *f;
        }
    }

    /// Keras `AlphaDropout(rate)`: dropped values set to SELU's negative saturation
    /// `-alpha * scale`, then an affine map `a x + b` that keeps a SELU network's mean and
    /// variance (`a = ((1 - rate)(1 + rate alpha'^2))^-1/2`, `b = -a alpha' rate`).
    pub fn alpha_dropout<const N: usize>(
        v: &mut [f32; N],
        rate: f32,
        noise: &mut Noise,
        factor: &mut [f32; N],
    ) {
        if rate <= 0.0 {
            factor.fill(1.0);
            return;
        }
        let alpha_p = -1.673_263_2_f32 * 1.050_701;
        let a = 1.0 / libm::sqrtf((1.0 - rate) * (1.0 + rate * alpha_p * alpha_p));
        let b = -a * alpha_p * rate;
        for (v, f) in v.iter_mut().zip(factor.iter_mut()) {
            let kept = noise.uniform() >= rate;
            *v = if kept { a * *v + b } else { a * alpha_p + b };
            *f = if kept { a } else { 0.0 };
        }
    }
}
