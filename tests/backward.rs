//! The layers' backward passes (issue 16) against central finite differences of the same
//! model computed in f64: a `simple_rnn` through time with a `dense` on every timestep, a
//! `dense` alone under every activation, an `lstm` (dh and dc carried back through time) and
//! a `gru` (`reset_after` true and false), with and without bias, under Keras's mean squared
//! error, over every timestep's output or the last one only (`return_sequences=False`).
//!
//! Each reference is written from Keras's formulas, not from the runtime's code: it reads
//! the layer's weights flat in Keras's `get_weights()` order (each array row-major), then
//! the inputs, then the initial state, so one vector of central differences checks the
//! weights' gradients (ours read back with `store_flat`, in the same order), the inputs'
//! (`backward`'s `x`) and the initial state's (what the first timestep passes back).

use tinyrnn::activations::{
    Activation, Elu, EluWith, Exponential, Gelu, HardSigmoid, HardSilu, HardTanh, LeakyRelu,
    LeakyReluWith, Linear, LogSoftmax, Mish, Relu, Relu6, ReluWith, Selu, Sigmoid, Silu, Softmax,
    Softplus, Softsign, Tanh,
};
use tinyrnn::layers::{
    Dense, DenseTape, Gru, GruTape, Layer, Lstm, LstmState, LstmTape, RnnTape, SimpleRnn,
};
use tinyrnn::nalgebra::SVector;
use tinyrnn::train::Loss;

/// Timesteps of every sequence.
const T: usize = 5;
/// Input features.
const D: usize = 3;
/// Units of the recurrent layers.
const H: usize = 4;
/// Units of the `dense` after the `simple_rnn`.
const U: usize = 2;
/// Samples and units of the `dense` alone: enough pre-activations to fall on both sides of
/// every kink of every activation.
const SAMPLES: usize = 8;
const DENSE_UNITS: usize = 4;
/// Gate rows of the fused kernels: `lstm` 4h, `gru` 3h.
const LSTM_G: usize = 4 * H;
const GRU_G: usize = 3 * H;

/// The scale of the inputs of the recurrent layers with `hard_sigmoid` gates: large enough
/// that some gates saturate (zero derivative) and others do not, which `compare` asserts.
/// Much larger, an `lstm(relu)` cell whose gates i and f saturate to exactly 0 while its
/// candidate is relu'd to 0 sits exactly at relu's kink: harmless (it stays 0 under every
/// perturbation), but the kink check cannot tell.
const SATURATING: f32 = 12.0;

/// The step of the central differences, in f64. Their truncation error is
/// `EPS^2 / 6 * f'''`, about 1e-12 here, and their rounding error `1e-16 * loss / EPS`,
/// about 1e-10: the reference gradient is good to ~1e-9, far below what is compared.
const EPS: f64 = 1e-6;
/// How far our f32 gradient may be from the f64 finite differences, as a fraction of the
/// largest gradient of the same part (weights, inputs or initial state). Ours is computed
/// in f32 from a forward pass in f32 whose `tanh` and `sigmoid` are within 4e-7 of the exact
/// values: each gradient carries errors of a few 1e-7 relative to the terms summed into it,
/// which are at most a few times the largest gradient. The worst seen is below 5e-7 in
/// every case (printed by each check, `cargo test --test backward -- --nocapture`): 1e-4
/// leaves more than two orders of magnitude, while a wrong or missing term (a gate's derivative, a path through time)
/// moves the gradients it touches by a sizeable fraction of the largest.
const TOLERANCE: f64 = 1e-4;
/// How far our f32 loss may be from the f64 reference's, relative: the same f32 errors.
const LOSS_TOLERANCE: f64 = 1e-5;
/// How close to a kink (where an activation's derivative, or its second derivative, jumps)
/// a pre-activation may come. Central differences across a kink average two slopes, and
/// f32 and f64 could take different sides of it. Perturbing one parameter by `EPS` moves a
/// pre-activation by about `EPS` times a weight or input (< 1e-5), and f32 rounding moves it
/// by ~1e-7: at 1e-3 from every kink both sides of every difference, and both precisions,
/// are on the same branch. Each check asserts it for every pre-activation it computes.
const KINK_MARGIN: f64 = 1e-3;

fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            #[allow(clippy::cast_precision_loss, reason = "24 random bits")]
            let u = (s >> 8) as f32 / (1u32 << 24) as f32;
            u - 0.5
        })
        .collect()
}

fn scaled(v: Vec<f32>, scale: f32) -> Vec<f32> {
    v.into_iter().map(|x| x * scale).collect()
}

/// An activation in f64, as Keras defines it, for the references: the finite differences
/// differentiate this formula, so they check the activation's backward too.
trait Reference: Activation {
    /// Where the derivative or the second derivative jumps.
    const KINKS: &'static [f64];
    /// The activation of every unit of `v`.
    fn apply64(v: &mut [f64]);
}

macro_rules! elementwise_reference {
    ($($ty:ty: [$($kink:expr),*] |$z:ident| $value:expr;)*) => {$(
        impl Reference for $ty {
            const KINKS: &'static [f64] = &[$($kink),*];
            fn apply64(v: &mut [f64]) {
                fn scalar($z: f64) -> f64 {
                    $value
                }
                for z in v.iter_mut() {
                    *z = scalar(*z);
                }
            }
        }
    )*};
}

/// Keras 3's `selu` constants, in full.
const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

fn sigmoid64(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn softplus64(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

fn hard_sigmoid64(z: f64) -> f64 {
    (z + 3.0).clamp(0.0, 6.0) / 6.0
}

/// `erf` in f64, which std lacks: `2/sqrt(pi) e^(-x^2) sum_n x (2x^2)^n / (1 3 5 ... (2n+1))`,
/// a series of positive terms (no cancellation); `erf` rounds to +-1 beyond 6.
fn erf64(x: f64) -> f64 {
    if x.abs() > 6.0 {
        return x.signum();
    }
    let (mut term, mut sum, mut n) = (x, x, 0.0);
    while term.abs() > 1e-17 * sum.abs() {
        n += 1.0;
        term *= 2.0 * x * x / (2.0 * n + 1.0);
        sum += term;
    }
    core::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp() * sum
}

elementwise_reference! {
    Linear: [] |z| z;
    Relu: [0.0] |z| z.max(0.0);
    Tanh: [] |z| z.tanh();
    Sigmoid: [] |z| sigmoid64(z);
    Relu6: [0.0, 6.0] |z| z.clamp(0.0, 6.0);
    LeakyRelu: [0.0] |z| if z < 0.0 { 0.2 * z } else { z };
    // alpha = 1: the derivative is continuous at 0, the second derivative is not.
    Elu: [0.0] |z| if z > 0.0 { z } else { z.exp_m1() };
    Selu: [0.0] |z| SELU_SCALE * if z > 0.0 { z } else { SELU_ALPHA * z.exp_m1() };
    Gelu: [] |z| 0.5 * z * (1.0 + erf64(z * core::f64::consts::FRAC_1_SQRT_2));
    HardSigmoid: [-3.0, 3.0] |z| hard_sigmoid64(z);
    HardTanh: [-1.0, 1.0] |z| z.clamp(-1.0, 1.0);
    Softplus: [] |z| softplus64(z);
    // The second derivative jumps at 0.
    Softsign: [0.0] |z| z / (1.0 + z.abs());
    Silu: [] |z| z * sigmoid64(z);
    HardSilu: [-3.0, 3.0] |z| z * hard_sigmoid64(z);
    Mish: [] |z| z * softplus64(z).tanh();
    Exponential: [] |z| z.exp();
}

/// Keras 3's `relu(x, negative_slope, max_value, threshold)`: `x` kept above the threshold
/// (or `max(x, 0)` for threshold 0), clipped to `max_value`, less `negative_slope *
/// max(threshold - x, 0)`.
impl<const S: u32, const M: u32, const T: u32> Reference for ReluWith<S, M, T> {
    const KINKS: &'static [f64] = &[f32::from_bits(T) as f64, f32::from_bits(M) as f64];
    fn apply64(v: &mut [f64]) {
        let (slope, max, threshold) = (
            f64::from(f32::from_bits(S)),
            f64::from(f32::from_bits(M)),
            f64::from(f32::from_bits(T)),
        );
        for z in v.iter_mut() {
            let kept = if threshold == 0.0 {
                z.max(0.0)
            } else if *z > threshold {
                *z
            } else {
                0.0
            };
            let clipped = if max.is_finite() {
                kept.clamp(0.0, max)
            } else {
                kept
            };
            *z = clipped - slope * (threshold - *z).max(0.0);
        }
    }
}

impl<const S: u32> Reference for LeakyReluWith<S> {
    const KINKS: &'static [f64] = &[0.0];
    fn apply64(v: &mut [f64]) {
        let slope = f64::from(f32::from_bits(S));
        for z in v.iter_mut() {
            *z = if *z > 0.0 { *z } else { slope * *z };
        }
    }
}

impl<const A: u32> Reference for EluWith<A> {
    const KINKS: &'static [f64] = &[0.0];
    fn apply64(v: &mut [f64]) {
        let alpha = f64::from(f32::from_bits(A));
        for z in v.iter_mut() {
            *z = if *z > 0.0 { *z } else { alpha * z.exp_m1() };
        }
    }
}

impl Reference for Softmax {
    const KINKS: &'static [f64] = &[];
    fn apply64(v: &mut [f64]) {
        let sum: f64 = v.iter().map(|z| z.exp()).sum();
        for z in v.iter_mut() {
            *z = z.exp() / sum;
        }
    }
}

impl Reference for LogSoftmax {
    const KINKS: &'static [f64] = &[];
    fn apply64(v: &mut [f64]) {
        let log_sum = v.iter().map(|z| z.exp()).sum::<f64>().ln();
        for z in v.iter_mut() {
            *z -= log_sum;
        }
    }
}

/// Every pre-activation a reference passed through an activation with kinks, beside each
/// of its kinks: `(kink, pre-activation)`.
#[derive(Default)]
struct Seen(Vec<(f64, f64)>);

impl Seen {
    /// The pair nearest its kink.
    fn nearest(&self) -> Option<(f64, f64)> {
        self.0
            .iter()
            .copied()
            .min_by(|a, b| (a.1 - a.0).abs().total_cmp(&(b.1 - b.0).abs()))
    }

    /// How many pre-activations fell below and above each finite kink.
    fn sides(&self) -> Vec<(f64, usize, usize)> {
        let mut kinks: Vec<f64> = self
            .0
            .iter()
            .map(|p| p.0)
            .filter(|k| k.is_finite())
            .collect();
        kinks.sort_by(f64::total_cmp);
        kinks.dedup();
        kinks
            .into_iter()
            .map(|k| {
                let at = self.0.iter().filter(|p| p.0 == k);
                let below = at.clone().filter(|p| p.1 < k).count();
                (k, below, at.count() - below)
            })
            .collect()
    }
}

/// `A` applied to `v` in f64, each pre-activation noted in `seen` with `A`'s kinks.
fn activate<A: Reference>(v: &mut [f64], seen: &mut Seen) {
    for &kink in A::KINKS {
        seen.0.extend(v.iter().map(|&z| (kink, z)));
    }
    A::apply64(v);
}

/// The next `n` values of a flat parameter vector.
fn take<'a>(p: &mut &'a [f64], n: usize) -> &'a [f64] {
    let (head, rest) = p.split_at(n);
    *p = rest;
    head
}

/// `x . w` for a Keras matrix `w` of shape `(x.len(), cols)`, row-major, from column
/// `first` on: `cols - first` values.
fn x_dot(x: &[f64], w: &[f64], cols: usize, first: usize) -> Vec<f64> {
    (first..cols)
        .map(|j| {
            x.iter()
                .enumerate()
                .map(|(i, xi)| xi * w[i * cols + j])
                .sum()
        })
        .collect()
}

fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a + b).collect()
}

fn mul(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(a, b)| a * b).collect()
}

/// Keras's mean squared error in f64: the mean over every output value.
fn mse64(targets: &[f32], outputs: &[f64]) -> f64 {
    assert_eq!(targets.len(), outputs.len());
    let total: f64 = targets
        .iter()
        .zip(outputs)
        .map(|(t, y)| (y - f64::from(*t)).powi(2))
        .sum();
    total / outputs.len() as f64
}

/// Ours: the mean squared error of `outputs` (rows of `units`) and its gradient.
fn mse(targets: &[f32], outputs: &[f32], units: usize) -> (f32, Vec<f32>) {
    let mut dy = vec![0.0; outputs.len()];
    let loss = Loss::MeanSquaredError.gradient(targets, outputs, units, &mut dy);
    (loss, dy)
}

/// The loss's gradient with respect to timestep `t`'s output of `N` units: its row of `dy`
/// with `return_sequences`; without, `dy` at the last timestep and zeros before.
fn from_loss<const N: usize>(dy: &[f32], t: usize, sequences: bool) -> SVector<f32, N> {
    if sequences {
        SVector::from_column_slice(&dy[t * N..(t + 1) * N])
    } else if t == T - 1 {
        SVector::from_column_slice(dy)
    } else {
        SVector::zeros()
    }
}

/// The outputs the loss sees: every timestep's, or with `sequences` false the last one.
fn kept<const N: usize>(mut outputs: Vec<f64>, sequences: bool) -> Vec<f64> {
    if !sequences {
        outputs.drain(..outputs.len() - N);
    }
    outputs
}

/// Checks our f32 `loss` and `gradient` at `params` (split into named `parts`, in order)
/// against `reference`, the same loss in f64, and its central differences; prints the
/// worst error of each part relative to its largest gradient.
fn compare(
    case: &str,
    params: &[f32],
    parts: &[(&'static str, usize)],
    (loss, gradient): (f32, &[f32]),
    reference: impl Fn(&[f64], &mut Seen) -> f64,
) {
    assert_eq!(params.len(), gradient.len(), "{case}");
    assert_eq!(
        params.len(),
        parts.iter().map(|p| p.1).sum::<usize>(),
        "{case}"
    );
    let p64: Vec<f64> = params.iter().copied().map(f64::from).collect();
    let mut seen = Seen::default();
    let want = reference(&p64, &mut seen);
    if let Some((kink, z)) = seen.nearest() {
        assert!(
            (z - kink).abs() > KINK_MARGIN,
            "{case}: a pre-activation {z} within {KINK_MARGIN} of the kink at {kink}: \
             choose other weights or inputs"
        );
    }
    for (kink, below, above) in seen.sides() {
        assert!(
            below > 0 && above > 0,
            "{case}: pre-activations below the kink at {kink}: {below}, above: {above}: \
             scale the inputs so that both sides are checked"
        );
    }
    assert!(
        (f64::from(loss) - want).abs() <= LOSS_TOLERANCE * want.abs(),
        "{case}: loss {loss}, reference {want}"
    );
    let numeric: Vec<f64> = (0..p64.len())
        .map(|i| {
            let (mut up, mut down) = (p64.clone(), p64.clone());
            up[i] += EPS;
            down[i] -= EPS;
            let (up, down) = (
                reference(&up, &mut Seen::default()),
                reference(&down, &mut Seen::default()),
            );
            (up - down) / (2.0 * EPS)
        })
        .collect();
    let mut worst = Vec::new();
    let mut start = 0;
    for &(part, len) in parts {
        let range = start..start + len;
        start += len;
        let (ours, numeric) = (&gradient[range.clone()], &numeric[range]);
        let largest = numeric.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
        assert!(
            largest > 1e-6,
            "{case}: the gradients of the {part} are all ~0"
        );
        let mut part_worst = 0.0_f64;
        for (i, (o, n)) in ours.iter().zip(numeric).enumerate() {
            let error = (f64::from(*o) - n).abs();
            assert!(
                error <= TOLERANCE * largest,
                "{case}: {part}[{i}]: backward {o}, finite differences {n}, error {error:.3e} \
                 > {TOLERANCE} * largest {largest:.3e}"
            );
            part_worst = part_worst.max(error / largest);
        }
        worst.push((part, part_worst));
    }
    println!(
        "{case}: worst error / largest gradient: {}; kinks (at, below, above): {:?}",
        worst
            .iter()
            .map(|(p, w)| format!("{p} {w:.1e}"))
            .collect::<Vec<_>>()
            .join(", "),
        seen.sides()
    );
}

// ---- simple_rnn, then dense on every timestep ----

/// The loss in f64 of a `simple_rnn` (weights `kernel (d, h)`, `recurrent_kernel (h, h)`,
/// `bias (h,)` with `use_bias`), then a `dense` on each of its outputs, then the inputs
/// and the initial state.
fn simple_rnn64<RA: Reference, DA: Reference>(
    rnn_bias: bool,
    mut p: &[f64],
    targets: &[f32],
    seen: &mut Seen,
) -> f64 {
    let (kernel, recurrent) = (take(&mut p, D * H), take(&mut p, H * H));
    let bias = if rnn_bias { take(&mut p, H) } else { &[0.0; H] };
    let (dense_kernel, dense_bias) = (take(&mut p, H * U), take(&mut p, U));
    let inputs = take(&mut p, T * D);
    let mut state = take(&mut p, H).to_vec();
    assert!(p.is_empty());
    let mut outputs = Vec::new();
    for xt in inputs.chunks(D) {
        state = add(
            &add(&x_dot(xt, kernel, H, 0), &x_dot(&state, recurrent, H, 0)),
            bias,
        );
        activate::<RA>(&mut state, seen);
        let mut y = add(&x_dot(&state, dense_kernel, U, 0), dense_bias);
        activate::<DA>(&mut y, seen);
        outputs.extend(y);
    }
    mse64(targets, &outputs)
}

/// A `simple_rnn` from a random initial state, then a `dense` on every timestep, under the
/// loss of every output.
fn check_simple_rnn<const RB: usize, RA: Reference, DA: Reference>() {
    let case = format!(
        "simple_rnn({}, use_bias={}) + dense({})",
        RA::NAME,
        RB != 0,
        DA::NAME
    );
    let rnn_w = values(SimpleRnn::<D, H, RB, RA>::PARAMS, 1);
    let dense_w = values(Dense::<H, U, U, DA>::PARAMS, 2);
    let inputs = values(T * D, 3);
    let initial = values(H, 5);
    let targets = values(T * U, 4);
    let rnn = SimpleRnn::<D, H, RB, RA>::from_flat(&rnn_w).unwrap();
    let dense = Dense::<H, U, U, DA>::from_flat(&dense_w).unwrap();

    // Forward, keeping the tapes; then the loss's gradient; then back through time.
    let mut h = SVector::<f32, H>::from_column_slice(&initial);
    let (mut rnn_tapes, mut dense_tapes) = ([RnnTape::ZERO; T], [DenseTape::ZERO; T]);
    let mut outputs = Vec::new();
    for (t, xt) in inputs.chunks(D).enumerate() {
        let v = rnn.step_train(&mut h, &SVector::from_column_slice(xt), &mut rnn_tapes[t]);
        outputs.extend(dense.step_train(&v, &mut dense_tapes[t]).iter());
    }
    let (loss, dy) = mse(&targets, &outputs, U);
    let (mut rnn_grads, mut dense_grads) = (SimpleRnn::ZERO, Dense::ZERO);
    let mut dh_next = SVector::<f32, H>::zeros();
    let mut dx = vec![0.0; T * D];
    for t in (0..T).rev() {
        let dv = dense.backward(&dense_tapes[t], &from_loss(&dy, t, true), &mut dense_grads);
        let (dxt, dh) = rnn.backward(&rnn_tapes[t], &(dv + dh_next), &mut rnn_grads);
        dx[t * D..(t + 1) * D].copy_from_slice(dxt.as_slice());
        dh_next = dh;
    }
    let mut gradient = vec![0.0; rnn_w.len() + dense_w.len()];
    let (rnn_g, dense_g) = gradient.split_at_mut(rnn_w.len());
    rnn_grads.store_flat(rnn_g).unwrap();
    dense_grads.store_flat(dense_g).unwrap();
    gradient.extend(&dx);
    gradient.extend(dh_next.iter());

    let parts = [
        ("weights", rnn_w.len() + dense_w.len()),
        ("inputs", T * D),
        ("initial state", H),
    ];
    let params = [rnn_w, dense_w, inputs, initial].concat();
    compare(&case, &params, &parts, (loss, &gradient), |p, seen| {
        simple_rnn64::<RA, DA>(RB != 0, p, &targets, seen)
    });
}

// ---- dense alone ----

/// The loss in f64 of a `dense` (`kernel (d, units)`, `bias (units,)` with `use_bias`) on
/// each of `SAMPLES` inputs, which follow its weights.
fn dense64<A: Reference>(bias: bool, mut p: &[f64], targets: &[f32], seen: &mut Seen) -> f64 {
    let kernel = take(&mut p, D * DENSE_UNITS);
    let bias = if bias {
        take(&mut p, DENSE_UNITS)
    } else {
        &[0.0; DENSE_UNITS]
    };
    let inputs = take(&mut p, SAMPLES * D);
    assert!(p.is_empty());
    let mut outputs = Vec::new();
    for x in inputs.chunks(D) {
        let mut y = add(&x_dot(x, kernel, DENSE_UNITS, 0), bias);
        activate::<A>(&mut y, seen);
        outputs.extend(y);
    }
    mse64(targets, &outputs)
}

/// A `dense` alone with activation `A` on `SAMPLES` inputs, scaled by `spread` so that its
/// pre-activations fall on both sides of each of `A`'s kinks, none within `KINK_MARGIN` of
/// one (both asserted by `compare`).
fn check_dense<const B: usize, A: Reference>(spread: f32) {
    let case = format!("dense({}, use_bias={})", A::NAME, B != 0);
    let weights = scaled(values(Dense::<D, DENSE_UNITS, B, A>::PARAMS, 31), 2.0);
    let inputs = scaled(values(SAMPLES * D, 32), spread);
    let targets = values(SAMPLES * DENSE_UNITS, 33);
    let dense = Dense::<D, DENSE_UNITS, B, A>::from_flat(&weights).unwrap();
    let mut tapes = [DenseTape::ZERO; SAMPLES];
    let mut outputs = Vec::new();
    for (x, tape) in inputs.chunks(D).zip(&mut tapes) {
        outputs.extend(
            dense
                .step_train(&SVector::from_column_slice(x), tape)
                .iter(),
        );
    }
    let (loss, dy) = mse(&targets, &outputs, DENSE_UNITS);
    let mut grads = Dense::ZERO;
    let mut gradient = vec![0.0; weights.len()];
    for (n, tape) in tapes.iter().enumerate() {
        let dy_n = SVector::from_column_slice(&dy[n * DENSE_UNITS..(n + 1) * DENSE_UNITS]);
        gradient.extend(dense.backward(tape, &dy_n, &mut grads).iter());
    }
    grads.store_flat(&mut gradient[..weights.len()]).unwrap();

    let parts = [("weights", weights.len()), ("inputs", SAMPLES * D)];
    let params = [weights, inputs].concat();
    compare(&case, &params, &parts, (loss, &gradient), |p, seen| {
        dense64::<A>(B != 0, p, &targets, seen)
    });
}

// ---- lstm ----

/// The loss in f64 of an `lstm`, as Keras: `z = x . kernel + h . recurrent_kernel + bias`
/// in gate blocks i, f, c, o; `c' = ra(z_f) c + ra(z_i) a(z_c)`, `h' = ra(z_o) a(c')`;
/// then the inputs and the initial `h` and `c`.
fn lstm64<A: Reference, RA: Reference>(
    bias: bool,
    sequences: bool,
    mut p: &[f64],
    targets: &[f32],
    seen: &mut Seen,
) -> f64 {
    let (kernel, recurrent) = (take(&mut p, D * LSTM_G), take(&mut p, H * LSTM_G));
    let bias = if bias {
        take(&mut p, LSTM_G)
    } else {
        &[0.0; LSTM_G]
    };
    let inputs = take(&mut p, T * D);
    let (mut h, mut c) = (take(&mut p, H).to_vec(), take(&mut p, H).to_vec());
    assert!(p.is_empty());
    let mut outputs = Vec::new();
    for xt in inputs.chunks(D) {
        let z = add(
            &add(
                &x_dot(xt, kernel, LSTM_G, 0),
                &x_dot(&h, recurrent, LSTM_G, 0),
            ),
            bias,
        );
        let mut gates = z.chunks(H).map(<[f64]>::to_vec);
        let (mut input, mut forget, mut candidate, mut output) = (
            gates.next().unwrap(),
            gates.next().unwrap(),
            gates.next().unwrap(),
            gates.next().unwrap(),
        );
        activate::<RA>(&mut input, seen);
        activate::<RA>(&mut forget, seen);
        activate::<A>(&mut candidate, seen);
        activate::<RA>(&mut output, seen);
        c = add(&mul(&forget, &c), &mul(&input, &candidate));
        let mut cell_out = c.clone();
        activate::<A>(&mut cell_out, seen);
        h = mul(&output, &cell_out);
        outputs.extend(&h);
    }
    mse64(targets, &kept::<H>(outputs, sequences))
}

/// An `lstm` over `T` timesteps from a random initial state (so that the first timestep's
/// recurrent terms count too), its inputs scaled by `input_scale`, under the loss of every
/// output (`sequences`) or of the last.
fn check_lstm<const B: usize, A: Reference, RA: Reference>(sequences: bool, input_scale: f32) {
    let case = format!(
        "lstm({}, {}, use_bias={}, return_sequences={sequences})",
        A::NAME,
        RA::NAME,
        B != 0
    );
    let weights = values(Lstm::<D, H, LSTM_G, B, A, RA>::PARAMS, 21);
    let inputs = scaled(values(T * D, 22), input_scale);
    let initial = values(2 * H, 23);
    let targets = values(if sequences { T * H } else { H }, 24);
    let lstm = Lstm::<D, H, LSTM_G, B, A, RA>::from_flat(&weights).unwrap();

    let mut state = LstmState {
        h: SVector::from_column_slice(&initial[..H]),
        c: SVector::from_column_slice(&initial[H..]),
    };
    let mut tapes = [LstmTape::ZERO; T];
    let mut outputs = Vec::new();
    for (xt, tape) in inputs.chunks(D).zip(&mut tapes) {
        outputs.extend(
            lstm.step_train(&mut state, &SVector::from_column_slice(xt), tape)
                .iter(),
        );
    }
    if !sequences {
        outputs.drain(..(T - 1) * H);
    }
    let (loss, dy) = mse(&targets, &outputs, H);
    let mut grads = Lstm::ZERO;
    let (mut dh, mut dc) = (SVector::zeros(), SVector::zeros());
    let mut dx = vec![0.0; T * D];
    for t in (0..T).rev() {
        let back = lstm.backward(
            &tapes[t],
            &(from_loss::<H>(&dy, t, sequences) + dh),
            &dc,
            &mut grads,
        );
        dx[t * D..(t + 1) * D].copy_from_slice(back.x.as_slice());
        (dh, dc) = (back.h, back.c);
    }
    let mut gradient = vec![0.0; weights.len()];
    grads.store_flat(&mut gradient).unwrap();
    gradient.extend(&dx);
    gradient.extend(dh.iter().chain(dc.iter()));

    let parts = [
        ("weights", weights.len()),
        ("inputs", T * D),
        ("initial state", 2 * H),
    ];
    let params = [weights, inputs, initial].concat();
    compare(&case, &params, &parts, (loss, &gradient), |p, seen| {
        lstm64::<A, RA>(B != 0, sequences, p, &targets, seen)
    });
}

// ---- gru ----

/// The loss in f64 of a `gru`, as Keras's `GRUCell.call`: with `x_* = x . kernel_* +
/// input_bias_*`, `z = ra(x_z + h . rk_z + rb_z)`, `r = ra(x_r + h . rk_r + rb_r)`, and
/// `n = a(x_h + r * (h . rk_h + rb_h))` with `reset_after` (bias `(2, 3h)`: input then
/// recurrent), or `n = a(x_h + (r * h) . rk_h)` without (bias `(3h,)`, input only);
/// `h' = z h + (1 - z) n`. Then the inputs and the initial state.
fn gru64<A: Reference, RA: Reference>(
    reset_after: bool,
    bias_rows: usize,
    sequences: bool,
    mut p: &[f64],
    targets: &[f32],
    seen: &mut Seen,
) -> f64 {
    let (kernel, recurrent) = (take(&mut p, D * GRU_G), take(&mut p, H * GRU_G));
    let biases = take(&mut p, bias_rows * GRU_G);
    let zeros = [0.0; GRU_G];
    let input_bias = biases.get(..GRU_G).unwrap_or(&zeros);
    let recurrent_bias = biases
        .get(GRU_G..)
        .filter(|b| !b.is_empty())
        .unwrap_or(&zeros);
    let inputs = take(&mut p, T * D);
    let mut h = take(&mut p, H).to_vec();
    assert!(p.is_empty());
    let mut outputs = Vec::new();
    for xt in inputs.chunks(D) {
        let mx = add(&x_dot(xt, kernel, GRU_G, 0), input_bias);
        let inner = add(&x_dot(&h, recurrent, GRU_G, 0), recurrent_bias);
        let mut update = add(&mx[..H], &inner[..H]);
        let mut reset = add(&mx[H..2 * H], &inner[H..2 * H]);
        activate::<RA>(&mut update, seen);
        activate::<RA>(&mut reset, seen);
        let recurrent_h = if reset_after {
            mul(&reset, &inner[2 * H..])
        } else {
            x_dot(&mul(&reset, &h), recurrent, GRU_G, 2 * H)
        };
        let mut candidate = add(&mx[2 * H..], &recurrent_h);
        activate::<A>(&mut candidate, seen);
        h = (0..H)
            .map(|j| update[j] * h[j] + (1.0 - update[j]) * candidate[j])
            .collect();
        outputs.extend(&h);
    }
    mse64(targets, &kept::<H>(outputs, sequences))
}

/// A `gru` over `T` timesteps from a random initial state, its inputs scaled by
/// `input_scale`, under the loss of every output (`sequences`) or of the last.
fn check_gru<const R: usize, const RESET_AFTER: bool, A: Reference, RA: Reference>(
    sequences: bool,
    input_scale: f32,
) {
    let case = format!(
        "gru({}, {}, use_bias={}, reset_after={RESET_AFTER}, return_sequences={sequences})",
        A::NAME,
        RA::NAME,
        R != 0
    );
    let weights = values(Gru::<D, H, GRU_G, R, RESET_AFTER, A, RA>::PARAMS, 41);
    let inputs = scaled(values(T * D, 42), input_scale);
    let initial = values(H, 43);
    let targets = values(if sequences { T * H } else { H }, 44);
    let gru = Gru::<D, H, GRU_G, R, RESET_AFTER, A, RA>::from_flat(&weights).unwrap();

    let mut h = SVector::<f32, H>::from_column_slice(&initial);
    let mut tapes = [GruTape::ZERO; T];
    let mut outputs = Vec::new();
    for (xt, tape) in inputs.chunks(D).zip(&mut tapes) {
        outputs.extend(
            gru.step_train(&mut h, &SVector::from_column_slice(xt), tape)
                .iter(),
        );
    }
    if !sequences {
        outputs.drain(..(T - 1) * H);
    }
    let (loss, dy) = mse(&targets, &outputs, H);
    let mut grads = Gru::ZERO;
    let mut dh = SVector::zeros();
    let mut dx = vec![0.0; T * D];
    for t in (0..T).rev() {
        let (dxt, dh_prev) = gru.backward(
            &tapes[t],
            &(from_loss::<H>(&dy, t, sequences) + dh),
            &mut grads,
        );
        dx[t * D..(t + 1) * D].copy_from_slice(dxt.as_slice());
        dh = dh_prev;
    }
    let mut gradient = vec![0.0; weights.len()];
    grads.store_flat(&mut gradient).unwrap();
    gradient.extend(&dx);
    gradient.extend(dh.iter());

    let parts = [
        ("weights", weights.len()),
        ("inputs", T * D),
        ("initial state", H),
    ];
    let params = [weights, inputs, initial].concat();
    compare(&case, &params, &parts, (loss, &gradient), |p, seen| {
        gru64::<A, RA>(RESET_AFTER, R, sequences, p, &targets, seen)
    });
}

// ---- the tests ----

#[test]
fn simple_rnn_and_dense_gradients_match_finite_differences() {
    check_simple_rnn::<H, Tanh, Sigmoid>();
    check_simple_rnn::<H, Relu, Tanh>();
    check_simple_rnn::<H, Sigmoid, Relu>();
}

#[test]
fn simple_rnn_without_bias_gradients_match_finite_differences() {
    check_simple_rnn::<0, Tanh, Sigmoid>();
    check_simple_rnn::<0, Relu, Linear>();
}

/// Every activation `tinyrnn::activations` offers, behind a `dense` alone, its backward
/// checked by differentiating the activation's f64 formula; kinked ones with pre-activations
/// on both sides of each kink, none within `KINK_MARGIN` of one.
#[test]
fn dense_gradients_match_finite_differences_for_every_activation() {
    const fn bits(x: f32) -> u32 {
        x.to_bits()
    }
    check_dense::<DENSE_UNITS, Linear>(1.0);
    check_dense::<0, Linear>(1.0);
    check_dense::<DENSE_UNITS, Relu>(1.0);
    check_dense::<0, Relu>(1.0);
    check_dense::<DENSE_UNITS, Tanh>(2.0);
    check_dense::<DENSE_UNITS, Sigmoid>(4.0);
    check_dense::<DENSE_UNITS, Relu6>(6.0);
    check_dense::<DENSE_UNITS, LeakyRelu>(1.0);
    check_dense::<DENSE_UNITS, Elu>(2.0);
    check_dense::<DENSE_UNITS, Selu>(2.0);
    check_dense::<DENSE_UNITS, Gelu>(3.0);
    check_dense::<DENSE_UNITS, HardSigmoid>(6.0);
    check_dense::<DENSE_UNITS, HardTanh>(2.0);
    check_dense::<DENSE_UNITS, Softplus>(4.0);
    check_dense::<DENSE_UNITS, Softsign>(2.0);
    check_dense::<DENSE_UNITS, Silu>(3.0);
    check_dense::<DENSE_UNITS, HardSilu>(6.0);
    check_dense::<DENSE_UNITS, Mish>(3.0);
    check_dense::<DENSE_UNITS, Exponential>(1.0);
    check_dense::<DENSE_UNITS, Softmax>(2.0);
    check_dense::<DENSE_UNITS, LogSoftmax>(2.0);
    // Keras's ReLU layer: slope 0.1 below a threshold of 0.5, clipped at 2.
    check_dense::<DENSE_UNITS, ReluWith<{ bits(0.1) }, { bits(2.0) }, { bits(0.5) }>>(2.0);
    check_dense::<DENSE_UNITS, ReluWith<{ bits(0.0) }, { bits(f32::INFINITY) }, { bits(0.0) }>>(
        1.0,
    );
    check_dense::<DENSE_UNITS, LeakyReluWith<{ bits(0.3) }>>(1.0);
    check_dense::<DENSE_UNITS, EluWith<{ bits(0.5) }>>(2.0);
}

#[test]
fn lstm_weight_input_and_state_gradients_match_finite_differences() {
    check_lstm::<LSTM_G, Tanh, Sigmoid>(true, 1.0);
    check_lstm::<0, Tanh, Sigmoid>(true, 1.0);
    check_lstm::<LSTM_G, Relu, HardSigmoid>(true, SATURATING);
    check_lstm::<0, Relu, HardSigmoid>(true, SATURATING);
}

#[test]
fn lstm_gradients_match_finite_differences_with_the_last_output_only() {
    check_lstm::<LSTM_G, Tanh, Sigmoid>(false, 1.0);
    check_lstm::<0, Relu, HardSigmoid>(false, SATURATING);
}

#[test]
fn gru_reset_after_gradients_match_finite_differences() {
    check_gru::<2, true, Tanh, Sigmoid>(true, 1.0);
    check_gru::<0, true, Tanh, Sigmoid>(true, 1.0);
    check_gru::<2, true, Relu, HardSigmoid>(true, SATURATING);
}

#[test]
fn gru_reset_before_gradients_match_finite_differences() {
    check_gru::<1, false, Tanh, Sigmoid>(true, 1.0);
    check_gru::<0, false, Tanh, Sigmoid>(true, 1.0);
    check_gru::<1, false, Relu, HardSigmoid>(true, SATURATING);
}

#[test]
fn gru_gradients_match_finite_differences_with_the_last_output_only() {
    check_gru::<2, true, Tanh, Sigmoid>(false, 1.0);
    check_gru::<1, false, Tanh, Sigmoid>(false, 1.0);
    check_gru::<0, true, Relu, HardSigmoid>(false, SATURATING);
}

/// The f64 `erf` behind the `gelu` reference, against known values.
#[test]
fn reference_erf_matches_known_values() {
    for (x, want) in [
        (0.0, 0.0),
        (0.5, 0.520_499_877_813_046_5),
        (1.0, 0.842_700_792_949_714_9),
        (-2.0, -0.995_322_265_018_952_7),
        (4.0, 0.999_999_984_582_742_1),
    ] {
        let got = erf64(x);
        assert!((got - want).abs() < 1e-15, "erf({x}): {got}, want {want}");
    }
}

/// `step_train` keeps a tape but computes what `step` computes, bit for bit (its own
/// arithmetic, not a second call of `step`), for every recurrent layer and option.
#[test]
fn step_train_gives_step_s_bits() {
    fn input(t: usize) -> SVector<f32, 2> {
        #[allow(clippy::cast_precision_loss, reason = "a small timestep")]
        let t = t as f32;
        SVector::from([(t * 0.3).sin(), t.cos()])
    }
    macro_rules! same_bits {
        ($layer:ty, $tape:expr, $seed:literal) => {{
            let layer = <$layer>::from_flat(&values(<$layer>::PARAMS, $seed)).unwrap();
            let (mut a, mut b) = (<$layer>::INITIAL_STATE, <$layer>::INITIAL_STATE);
            let mut tape = $tape;
            for t in 0..20 {
                let (want, got) = (
                    layer.step(&mut a, &input(t)),
                    layer.step_train(&mut b, &input(t), &mut tape),
                );
                assert_eq!(
                    want.map(f32::to_bits),
                    got.map(f32::to_bits),
                    "{} t={t}",
                    stringify!($layer)
                );
            }
        }};
    }
    same_bits!(SimpleRnn<2, 3, 3, Tanh>, RnnTape::ZERO, 11);
    same_bits!(Lstm<2, 3, 12, 12, Tanh, Sigmoid>, LstmTape::ZERO, 12);
    same_bits!(Lstm<2, 3, 12, 0, Relu, HardSigmoid>, LstmTape::ZERO, 13);
    same_bits!(Gru<2, 3, 9, 2, true, Tanh, Sigmoid>, GruTape::ZERO, 14);
    same_bits!(Gru<2, 3, 9, 1, false, Tanh, Sigmoid>, GruTape::ZERO, 15);
    same_bits!(Gru<2, 3, 9, 0, false, Relu, HardSigmoid>, GruTape::ZERO, 16);
}
