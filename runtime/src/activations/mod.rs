//! Activation functions, with Keras 3's definitions, as zero-sized marker types.
//!
//! A layer is generic over its activation (`Dense<3, 2, 2, Relu>`), so the choice costs no
//! bytes in the model and no branch in the forward pass. Every activation works on a whole
//! vector because softmax needs the vector; the element-wise ones map each value.

use nalgebra::SVector;

mod with_arguments;

pub use with_arguments::{EluWith, LeakyReluWith, ReluWith};

/// An activation applied in place to a layer's pre-activation vector.
///
/// ```
/// use tinyrnn_runtime::activations::{Activation, Softmax};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let mut v = SVector::from([0.0_f32, 0.0]);
/// Softmax::apply(&mut v);
/// assert_eq!(v, SVector::from([0.5, 0.5]));
/// assert_eq!(Softmax::NAME, "softmax");
/// ```
pub trait Activation {
    /// The name Keras uses for it (`activation="tanh"`), which is also the `model!` name.
    const NAME: &'static str;
    /// Applies the activation to every unit of `v`.
    fn apply<const N: usize>(v: &mut SVector<f32, N>);

    /// The backward pass: turns `grad`, the gradient of a loss with respect to the
    /// activation's output `y = f(x)`, into its gradient with respect to the input `x`,
    /// as TensorFlow's gradient of Keras's activation computes it (with its conventions at
    /// the kinks: `relu'(0) = 0`, ...).
    fn backward<const N: usize>(
        x: &SVector<f32, N>,
        y: &SVector<f32, N>,
        grad: &mut SVector<f32, N>,
    );
}

// The helpers below only pay off inlined into a layer's loop over its units, where they
// vectorise: `#[inline(always)]`, allowed per item.

/// Whether the activations' polynomials fuse their multiply-adds, as the products of the
/// layers do (`kernel::add4`): on targets with FMA (`-C target-cpu=native` on any x86-64 of
/// the last decade) and with the `std` feature, whose `f32::mul_add` is the only safe way
/// to ask for the instruction on stable Rust. lstm(32)'s `step` 89 -> 85-86 ns on Zen 5
/// (BENCHMARKS.md). The outputs then differ in their last bits from builds without FMA,
/// as the products' do.
const FUSED: bool = cfg!(all(feature = "std", target_feature = "fma"));

/// `a b + c`, rounded once if `FUSE` (one instruction where [`FUSED`]; elsewhere libm's
/// exact `fmaf`, which only the tests call), else rounded after the product and after the
/// sum.
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn mul_add<const FUSE: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FUSE {
        #[cfg(all(feature = "std", target_feature = "fma"))]
        {
            a.mul_add(b, c)
        }
        #[cfg(not(all(feature = "std", target_feature = "fma")))]
        {
            libm::fmaf(a, b, c)
        }
    } else {
        a * b + c
    }
}

/// `x P(x^2) / Q(x^2)`, a rational approximation of `tanh` on `[-9, 9]` (numerator of
/// degree 9, denominator of degree 8, fitted for relative error by `tools/fit_tanh.py`),
/// or with `HALF`, of `tanh(x / 2) / 2` on `[-18, 18]` (the same function: its `k`-th
/// coefficients scaled by `4^-k` for `(x / 2)^2`, and the numerator's by `1/4` more for the
/// two halvings). Both polynomials in
/// Estrin's form: four dependent steps, then one division. Against `e^x`-based forms (a
/// range reduction, a polynomial, a rescaling, then the division) this halves the latency
/// of a recurrent step's activations, which small layers wait on: lstm(8) `step` 66 -> 48
/// ns (BENCHMARKS.md). Each multiply-add fused if `FUSE` ([`FUSED`] in the activations).
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn tanh_ratio<const HALF: bool, const FUSE: bool>(x: f32) -> f32 {
    const P: [f32; 5] = [
        1.0,
        0.133_809_9,
        3.495_543_3e-3,
        2.060_827_5e-5,
        1.335_344_9e-8,
    ];
    const Q: [f32; 5] = [
        1.0,
        0.467_143_06,
        2.587_681_6e-2,
        3.285_558_5e-4,
        7.776_08e-7,
    ];
    /// `c[k] * first * 4^-k`: exact, powers of two.
    const fn scaled(c: [f32; 5], first: f32) -> [f32; 5] {
        let mut out = c;
        let mut k = 0;
        let mut f = first;
        while k < 5 {
            out[k] = c[k] * f;
            f *= 0.25;
            k += 1;
        }
        out
    }
    // Constants, so that no build computes them at run time (opt-level "s" did).
    const HALF_P: [f32; 5] = scaled(P, 0.25);
    const HALF_Q: [f32; 5] = scaled(Q, 1.0);
    let (p, q) = if HALF { (&HALF_P, &HALF_Q) } else { (&P, &Q) };
    let u = x * x;
    let u2 = u * u;
    let u4 = u2 * u2;
    let num = estrin::<FUSE>(p, u, u2, u4);
    let den = estrin::<FUSE>(q, u, u2, u4);
    x * num / den
}

/// `((c0 + c1 u) + u2 (c2 + c3 u)) + u4 c4`, given `u`'s powers: a polynomial of degree 4
/// in Estrin's form, each multiply-add fused if `FUSE`.
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn estrin<const FUSE: bool>(c: &[f32; 5], u: f32, u2: f32, u4: f32) -> f32 {
    let low = mul_add::<FUSE>(c[1], u, c[0]);
    let high = mul_add::<FUSE>(c[3], u, c[2]);
    mul_add::<FUSE>(u4, c[4], mul_add::<FUSE>(u2, high, low))
}

/// Where [`tanh_ratio`] (f32, in its order of operations) first rounds to exactly 1, with
/// no value above 1 before it, unfused and fused: clamping the input there keeps the
/// output in `[-1, 1]` and makes saturation exact, with no second clamp on the output
/// (which costs a third of lstm(8)'s `step` on the default target). Found by
/// `tools/fit_tanh.py`, checked here by the tests `tanh_stays_in_range` and
/// `sigmoid_stays_in_range` (over every f32 up to them, both forms).
const TANH_SATURATE: [f32; 2] = [7.930_165, 8.048_666];
/// The same for `tanh_ratio::<true, _>` and `0.5`: sigmoid's input clamp.
const SIGMOID_SATURATE: [f32; 2] = [15.860_33, 16.097_332];
/// [`TANH_SATURATE`] of this build's form.
const TANH_SATURATES: f32 = TANH_SATURATE[FUSED as usize];
/// [`SIGMOID_SATURATE`] of this build's form.
const SIGMOID_SATURATES: f32 = SIGMOID_SATURATE[FUSED as usize];

/// `tanh` without branches: see [`Tanh`].
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn tanh(x: f32) -> f32 {
    // NaN stays NaN.
    tanh_ratio::<false, FUSED>(x.clamp(-TANH_SATURATES, TANH_SATURATES))
}

/// `sigmoid` without branches: `1/2 + tanh(x / 2) / 2`; see [`Sigmoid`].
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    0.5 + tanh_ratio::<true, FUSED>(x.clamp(-SIGMOID_SATURATES, SIGMOID_SATURATES))
}

macro_rules! elementwise {
    (
        $(#[$doc:meta])* $ty:ident, $name:literal, |$x:ident| $body:expr,
        derivative: |$dx:ident, $dy:ident| $derivative:expr
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $ty;

        impl $ty {
            /// The activation of one value.
            #[must_use]
            #[inline]
            pub fn scalar($x: f32) -> f32 {
                $body
            }

            /// The derivative at input `x`, whose output is `y`, as TensorFlow's gradient
            /// of the activation computes it.
            #[must_use]
            #[inline]
            #[allow(unused_variables, reason = "each derivative needs the input or the output")]
            pub fn derivative($dx: f32, $dy: f32) -> f32 {
                $derivative
            }
        }

        impl Activation for $ty {
            const NAME: &'static str = $name;
            // Always inlined: out of line, a recurrent step calls it once per gate, through
            // memory, and the gates' activations run one after the other instead of
            // overlapping (lstm(8) `step`: 66 ns with calls, measured in BENCHMARKS.md).
            #[allow(clippy::inline_always, reason = "see above")]
            #[inline(always)]
            fn apply<const N: usize>(v: &mut SVector<f32, N>) {
                // A plain slice loop over an inlined, branch-free `scalar`: vectorised.
                for x in v.as_mut_slice() {
                    *x = Self::scalar(*x);
                }
            }

            #[inline]
            fn backward<const N: usize>(
                x: &SVector<f32, N>,
                y: &SVector<f32, N>,
                grad: &mut SVector<f32, N>,
            ) {
                // Over the arrays, not nalgebra's iterators, which do not vectorise.
                let (x, y) = (&x.data.0[0], &y.data.0[0]);
                for ((g, x), y) in grad.data.0[0].iter_mut().zip(x).zip(y) {
                    *g *= Self::derivative(*x, *y);
                }
            }
        }
    };
}

elementwise!(
    /// `linear`: the identity, Keras's default for `Dense`.
    ///
    /// ```
    /// assert_eq!(tinyrnn_runtime::activations::Linear::scalar(-2.5), -2.5);
    /// ```
    Linear, "linear", |x| x,
    derivative: |x, y| 1.0
);

elementwise!(
    /// `relu`: `max(x, 0)`; NaN stays NaN.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu;
    /// assert_eq!(Relu::scalar(-2.0), 0.0);
    /// assert_eq!(Relu::scalar(3.0), 3.0);
    /// ```
    Relu, "relu", |x| if x < 0.0 { 0.0 } else { x },
    derivative: |x, y| if x > 0.0 { 1.0 } else { 0.0 }
);

elementwise!(
    /// `tanh`: the hyperbolic tangent, Keras's default for recurrent layers.
    ///
    /// Computed without branches or calls, so that a layer's loop over its units vectorises:
    /// a rational function `x P(x^2) / Q(x^2)`, its input clamped to `[-7.93, 7.93]`,
    /// where it rounds to exactly +-1 (and never beyond, before). Within 4e-7 of the exact
    /// value everywhere (tested on a 2-million-point grid), 5 ulp near zero, odd, and exactly
    /// +-1 from +-7.93 on. TensorFlow's own float32 `tanh` is a
    /// rational approximation of the same kind.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Tanh;
    /// assert_eq!(Tanh::scalar(0.0), 0.0);
    /// assert!((Tanh::scalar(1.0) - 0.761_594_2).abs() < 1e-6);
    /// assert_eq!((Tanh::scalar(50.0), Tanh::scalar(-50.0)), (1.0, -1.0));
    /// ```
    Tanh, "tanh", |x| tanh(x),
    derivative: |x, y| 1.0 - y * y
);

elementwise!(
    /// `sigmoid`: `1 / (1 + exp(-x))`, computed as `1/2 + tanh(x / 2) / 2` with the same
    /// rational function as [`Tanh`]: branch-free and vectorised, within 4e-7 of the exact
    /// value everywhere (an absolute bound: values below 1e-7 are not accurate relatively),
    /// always in `[0, 1]`, and exactly 0 and 1 from -+15.86 on.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Sigmoid;
    /// assert_eq!(Sigmoid::scalar(0.0), 0.5);
    /// assert_eq!(Sigmoid::scalar(-200.0), 0.0);
    /// assert_eq!(Sigmoid::scalar(200.0), 1.0);
    /// ```
    Sigmoid, "sigmoid", |x| sigmoid(x),
    derivative: |x, y| y * (1.0 - y)
);

elementwise!(
    /// `relu6`: `min(max(x, 0), 6)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu6;
    /// assert_eq!([Relu6::scalar(-1.0), Relu6::scalar(3.0), Relu6::scalar(9.0)], [0.0, 3.0, 6.0]);
    /// ```
    Relu6, "relu6", |x| x.clamp(0.0, 6.0),
    derivative: |x, y| if x > 0.0 && x < 6.0 { 1.0 } else { 0.0 }
);

elementwise!(
    /// `leaky_relu`: `x` for `x >= 0`, else `0.2 * x` (Keras 3's default `negative_slope`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::LeakyRelu;
    /// assert_eq!([LeakyRelu::scalar(-1.0), LeakyRelu::scalar(2.0)], [-0.2, 2.0]);
    /// ```
    LeakyRelu, "leaky_relu", |x| if x < 0.0 { 0.2 * x } else { x },
    derivative: |x, y| if x > 0.0 { 1.0 } else { 0.2 }
);

elementwise!(
    /// `elu`: `x` for `x > 0`, else `exp(x) - 1` (`alpha = 1`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Elu;
    /// assert_eq!(Elu::scalar(2.0), 2.0);
    /// assert!((Elu::scalar(-1.0) - (-0.632_120_56)).abs() < 1e-7);
    /// ```
    Elu, "elu", |x| if x > 0.0 { x } else { libm::expm1f(x) },
    derivative: |x, y| if y < 0.0 { y + 1.0 } else { 1.0 }
);

/// SELU's `alpha`, from Klambauer et al. (2017), as Keras 3 writes it.
const SELU_ALPHA: f32 = 1.673_263_2;
/// SELU's `scale`.
const SELU_SCALE: f32 = 1.050_701;

elementwise!(
    /// `selu`: `scale * x` for `x > 0`, else `scale * alpha * (exp(x) - 1)`, with
    /// `alpha = 1.67326324` and `scale = 1.05070098`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Selu;
    /// assert!((Selu::scalar(1.0) - 1.050_701).abs() < 1e-6);
    /// assert!((Selu::scalar(-30.0) + 1.758_099_3).abs() < 1e-6);
    /// ```
    Selu, "selu", |x| if x > 0.0 { SELU_SCALE * x } else { SELU_SCALE * SELU_ALPHA * libm::expm1f(x) },
    derivative: |x, y| if y < 0.0 { y + SELU_SCALE * SELU_ALPHA } else { SELU_SCALE }
);

elementwise!(
    /// `gelu`: `x * (1 + erf(x / sqrt(2))) / 2`, the exact form (Keras 3's default,
    /// `approximate=False`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Gelu;
    /// assert_eq!(Gelu::scalar(0.0), 0.0);
    /// assert!((Gelu::scalar(1.0) - 0.841_344_7).abs() < 1e-6);
    /// ```
    Gelu, "gelu", |x| 0.5 * x * (1.0 + libm::erff(x * core::f32::consts::FRAC_1_SQRT_2)),
    derivative: |x, y| 0.5 * (1.0 + libm::erff(x * core::f32::consts::FRAC_1_SQRT_2)) + x * libm::expf(-0.5 * x * x) * (0.5 * core::f32::consts::FRAC_2_SQRT_PI * core::f32::consts::FRAC_1_SQRT_2)
);

elementwise!(
    /// `hard_sigmoid`: Keras 3's `relu6(x + 3) / 6` (not tf.keras 2's `0.2 * x + 0.5`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::HardSigmoid;
    /// assert_eq!([HardSigmoid::scalar(-3.0), HardSigmoid::scalar(0.0), HardSigmoid::scalar(3.0)], [0.0, 0.5, 1.0]);
    /// ```
    HardSigmoid, "hard_sigmoid", |x| Relu6::scalar(x + 3.0) / 6.0,
    derivative: |x, y| {
        // relu6's gradient on `x + 3` (0 where that rounds to 6, just below x = 3).
        let s = x + 3.0;
        if s > 0.0 && s < 6.0 { 1.0 / 6.0 } else { 0.0 }
    }
);

elementwise!(
    /// `hard_tanh`: `x` clipped to `[-1, 1]`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::HardTanh;
    /// assert_eq!([HardTanh::scalar(-2.0), HardTanh::scalar(0.5), HardTanh::scalar(2.0)], [-1.0, 0.5, 1.0]);
    /// ```
    HardTanh, "hard_tanh", |x| x.clamp(-1.0, 1.0),
    derivative: |x, y| if (-1.0..=1.0).contains(&x) { 1.0 } else { 0.0 }
);

elementwise!(
    /// `softplus`: `log(1 + exp(x))`, computed as `max(x, 0) + log1p(exp(-|x|))` so that it
    /// neither overflows nor loses small values.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Softplus;
    /// assert!((Softplus::scalar(0.0) - core::f32::consts::LN_2).abs() < 1e-7);
    /// assert_eq!(Softplus::scalar(100.0), 100.0);
    /// ```
    Softplus, "softplus", |x| (if x > 0.0 { x } else { 0.0 }) + libm::log1pf(libm::expf(-libm::fabsf(x))),
    derivative: |x, y| 1.0 / (1.0 + libm::expf(-x))
);

elementwise!(
    /// `softsign`: `x / (1 + |x|)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Softsign;
    /// assert_eq!([Softsign::scalar(-1.0), Softsign::scalar(3.0)], [-0.5, 0.75]);
    /// ```
    Softsign, "softsign", |x| x / (1.0 + libm::fabsf(x)),
    derivative: |x, y| 1.0 / ((1.0 + libm::fabsf(x)) * (1.0 + libm::fabsf(x)))
);

elementwise!(
    /// `silu` (also `swish`): `x * sigmoid(x)`, with libm's `expf` for the sigmoid: the fast
    /// [`Sigmoid`]'s error is absolute, and `x` would scale it.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Silu;
    /// assert_eq!(Silu::scalar(0.0), 0.0);
    /// assert!((Silu::scalar(1.0) - 0.731_058_6).abs() < 1e-6);
    /// ```
    Silu, "silu", |x| x * (1.0 / (1.0 + libm::expf(-x))),
    derivative: |x, y| { let s = 1.0 / (1.0 + libm::expf(-x)); s * (1.0 + x * (1.0 - s)) }
);

elementwise!(
    /// `hard_silu` (also `hard_swish`): `x * hard_sigmoid(x)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::HardSilu;
    /// assert_eq!([HardSilu::scalar(-4.0), HardSilu::scalar(0.0), HardSilu::scalar(4.0)], [0.0, 0.0, 4.0]);
    /// ```
    HardSilu, "hard_silu", |x| x * HardSigmoid::scalar(x),
    derivative: |x, y| HardSigmoid::scalar(x) + x * HardSigmoid::derivative(x, 0.0)
);

elementwise!(
    /// `mish`: `x * tanh(softplus(x))`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Mish;
    /// assert_eq!(Mish::scalar(0.0), 0.0);
    /// assert!((Mish::scalar(1.0) - 0.865_098_4).abs() < 1e-6);
    /// ```
    Mish, "mish", |x| x * libm::tanhf(Softplus::scalar(x)),
    derivative: |x, y| { let t = libm::tanhf(Softplus::scalar(x)); t + x * (1.0 - t * t) / (1.0 + libm::expf(-x)) }
);

elementwise!(
    /// `exponential`: `exp(x)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Exponential;
    /// assert_eq!(Exponential::scalar(0.0), 1.0);
    /// ```
    Exponential, "exponential", |x| libm::expf(x),
    derivative: |x, y| y
);

/// `softmax` over the units: `exp(x - max) / sum(exp(x - max))`, as Keras computes it.
///
/// ```
/// use tinyrnn_runtime::activations::{Activation, Softmax};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let mut v = SVector::from([1.0_f32, 2.0, 3.0]);
/// Softmax::apply(&mut v);
/// assert!((v.sum() - 1.0).abs() < 1e-6);
/// assert!(v[2] > v[1] && v[1] > v[0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Softmax;

impl Activation for Softmax {
    const NAME: &'static str = "softmax";

    /// `dx = y * (dy - sum(dy * y))`: the softmax's Jacobian, applied.
    #[inline]
    fn backward<const N: usize>(
        _x: &SVector<f32, N>,
        y: &SVector<f32, N>,
        grad: &mut SVector<f32, N>,
    ) {
        let dot: f32 = grad.iter().zip(y.iter()).map(|(g, y)| g * y).sum();
        for (g, y) in grad.iter_mut().zip(y.iter()) {
            *g = y * (*g - dot);
        }
    }

    #[inline]
    fn apply<const N: usize>(v: &mut SVector<f32, N>) {
        let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let mut sum = 0.0;
        for x in v.iter_mut() {
            *x = libm::expf(*x - max);
            sum += *x;
        }
        for x in v.iter_mut() {
            *x /= sum;
        }
    }
}

/// `log_softmax` over the units: `x - max - log(sum(exp(x - max)))`.
///
/// ```
/// use tinyrnn_runtime::activations::{Activation, LogSoftmax};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let mut v = SVector::from([0.0_f32, 0.0]);
/// LogSoftmax::apply(&mut v);
/// assert!((v[0] + core::f32::consts::LN_2).abs() < 1e-7);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogSoftmax;

impl Activation for LogSoftmax {
    const NAME: &'static str = "log_softmax";

    /// `dx = dy - softmax(x) * sum(dy)`, `softmax(x) = exp(y)`.
    #[inline]
    fn backward<const N: usize>(
        _x: &SVector<f32, N>,
        y: &SVector<f32, N>,
        grad: &mut SVector<f32, N>,
    ) {
        let sum: f32 = grad.iter().sum();
        for (g, y) in grad.iter_mut().zip(y.iter()) {
            *g -= libm::expf(*y) * sum;
        }
    }

    #[inline]
    fn apply<const N: usize>(v: &mut SVector<f32, N>) {
        let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let sum: f32 = v.iter().map(|x| libm::expf(x - max)).sum();
        let log_sum = libm::logf(sum);
        for x in v.iter_mut() {
            *x = *x - max - log_sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_of_equal_values_is_uniform() {
        let mut v = SVector::from([3.0_f32; 4]);
        Softmax::apply(&mut v);
        assert_eq!(v, SVector::from([0.25; 4]));
    }

    #[test]
    fn softmax_does_not_overflow_on_large_inputs() {
        let mut v = SVector::from([1000.0_f32, 1000.0]);
        Softmax::apply(&mut v);
        assert_eq!(v, SVector::from([0.5, 0.5]));
    }

    #[test]
    fn relu_propagates_nan() {
        assert!(Relu::scalar(f32::NAN).is_nan());
    }

    /// Ulps between `got` and the f64 value `want` rounded to f32.
    fn ulps(got: f32, want: f64) -> u32 {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "rounding to f32 is the point"
        )]
        let want = want as f32;
        if got == want {
            return 0;
        }
        assert_eq!(
            got.is_sign_negative(),
            want.is_sign_negative(),
            "{got} vs {want}"
        );
        got.to_bits().abs_diff(want.to_bits())
    }

    /// 2,000,001 evenly spaced values from `lo` to `hi`.
    fn grid(lo: f32, hi: f32) -> impl Iterator<Item = f32> {
        let (lo, hi) = (f64::from(lo), f64::from(hi));
        #[allow(
            clippy::cast_possible_truncation,
            reason = "rounding to f32 is the point"
        )]
        (0..=2_000_000).map(move |i| (lo + (hi - lo) * f64::from(i) / 2e6) as f32)
    }

    /// Every 97th f32 from `lo` to `hi`, both positive.
    fn every_97th(lo: f32, hi: f32) -> impl Iterator<Item = f32> {
        (lo.to_bits()..=hi.to_bits())
            .step_by(97)
            .map(f32::from_bits)
    }

    #[test]
    fn tanh_is_within_4e_7() {
        let mut worst: f64 = 0.0;
        for x in grid(-20.0, 20.0) {
            let got = Tanh::scalar(x);
            assert!((-1.0..=1.0).contains(&got), "x = {x}: {got}");
            assert_eq!(Tanh::scalar(-x), -got, "odd, x = {x}");
            worst = worst.max((f64::from(got) - f64::from(x).tanh()).abs());
        }
        assert!(worst < 4e-7, "worst {worst}");
        // Near zero, relative accuracy too.
        let mut worst = 0;
        for x in every_97th(1e-30, 0.625) {
            worst = worst.max(ulps(Tanh::scalar(x), f64::from(x).tanh()));
        }
        assert!(worst <= 5, "worst {worst} ulp near zero");
        assert_eq!(Tanh::scalar(0.0), 0.0);
        assert_eq!(
            (Tanh::scalar(f32::INFINITY), Tanh::scalar(f32::NEG_INFINITY)),
            (1.0, -1.0)
        );
        assert!(Tanh::scalar(f32::NAN).is_nan());
    }

    #[test]
    fn sigmoid_is_within_4e_7() {
        let mut worst: f64 = 0.0;
        for x in grid(-100.0, 100.0) {
            let got = Sigmoid::scalar(x);
            assert!((0.0..=1.0).contains(&got), "x = {x}: {got}");
            worst = worst.max((f64::from(got) - 1.0 / (1.0 + (-f64::from(x)).exp())).abs());
        }
        assert!(worst < 4e-7, "worst {worst}");
        assert_eq!(Sigmoid::scalar(0.0), 0.5);
        assert_eq!(
            (
                Sigmoid::scalar(f32::INFINITY),
                Sigmoid::scalar(f32::NEG_INFINITY)
            ),
            (1.0, 0.0)
        );
        assert!(Sigmoid::scalar(f32::NAN).is_nan());
    }

    /// Every f32 in `[lo, hi]`, both positive.
    fn every_f32(lo: f32, hi: f32) -> impl Iterator<Item = f32> {
        (lo.to_bits()..=hi.to_bits()).map(f32::from_bits)
    }

    /// Both forms, unfused and fused, whichever this build uses.
    #[test]
    fn tanh_stays_in_range() {
        fn check<const FUSE: bool>() {
            let saturates = TANH_SATURATE[usize::from(FUSE)];
            // Below 6 the value is at most tanh(6) + 4e-7 < 1; from 6 to the clamp, every
            // f32.
            for x in every_f32(6.0, saturates) {
                assert!(
                    tanh_ratio::<false, FUSE>(x) <= 1.0,
                    "x = {x}, fused: {FUSE}"
                );
            }
            assert_eq!(tanh_ratio::<false, FUSE>(saturates), 1.0, "fused: {FUSE}");
        }
        check::<false>();
        check::<true>();
    }

    /// Both forms, as [`tanh_stays_in_range`].
    #[test]
    fn sigmoid_stays_in_range() {
        fn check<const FUSE: bool>() {
            let saturates = SIGMOID_SATURATE[usize::from(FUSE)];
            // 0.5 + t <= 1 and 0.5 - t >= 0 both follow from t <= 0.5 (odd: t(-x) = -t(x)).
            for x in every_f32(12.0, saturates) {
                let t = tanh_ratio::<true, FUSE>(x);
                assert!(t <= 0.5, "x = {x}, fused: {FUSE}");
                assert_eq!(tanh_ratio::<true, FUSE>(-x), -t, "fused: {FUSE}");
            }
            let top = tanh_ratio::<true, FUSE>(saturates);
            assert_eq!((0.5 + top, 0.5 - top), (1.0, 0.0), "fused: {FUSE}");
        }
        check::<false>();
        check::<true>();
    }

    /// The fused form is as accurate as the one the other tests check (the build's own):
    /// within 4e-7 of tanh and of the sigmoid, and odd.
    #[test]
    fn both_forms_are_within_4e_7() {
        fn check<const FUSE: bool>() {
            let mut worst: f64 = 0.0;
            for x in grid(-20.0, 20.0) {
                let t = TANH_SATURATE[usize::from(FUSE)];
                let got = tanh_ratio::<false, FUSE>(x.clamp(-t, t));
                assert!((-1.0..=1.0).contains(&got), "x = {x}: {got}, fused: {FUSE}");
                worst = worst.max((f64::from(got) - f64::from(x).tanh()).abs());
                let s = SIGMOID_SATURATE[usize::from(FUSE)];
                let got = 0.5 + tanh_ratio::<true, FUSE>((2.0 * x).clamp(-s, s));
                let want = 1.0 / (1.0 + (-2.0 * f64::from(x)).exp());
                worst = worst.max((f64::from(got) - want).abs());
            }
            assert!(worst < 4e-7, "worst {worst}, fused: {FUSE}");
        }
        check::<false>();
        check::<true>();
    }

    #[test]
    fn sigmoid_is_symmetric() {
        for x in [-4.0_f32, -1.0, 0.25, 3.0] {
            assert!(
                (Sigmoid::scalar(x) + Sigmoid::scalar(-x) - 1.0).abs() < 1e-6,
                "x = {x}"
            );
        }
    }
}
