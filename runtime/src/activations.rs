//! Activation functions, with Keras 3's definitions, as zero-sized marker types.
//!
//! A layer is generic over its activation (`Dense<3, 2, 2, Relu>`), so the choice costs no
//! bytes in the model and no branch in the forward pass. Every activation works on a whole
//! vector because softmax needs the vector; the element-wise ones map each value.

use nalgebra::SVector;

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
}

// The helpers below only pay off inlined into a layer's loop over its units, where they
// vectorise: `#[inline(always)]`, allowed per item.

/// `e^r` for `|r| <= ln 2 / 2`, minus `1 + r`, over `r^2`: Cephes `expf`'s polynomial, in
/// Estrin's form (three dependent steps instead of six).
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn exp_tail(r: f32, r2: f32) -> f32 {
    let lo = 0.5 + 0.166_666_65 * r;
    let mid = 4.166_579_6e-2 + 8.333_452e-3 * r;
    let hi = 1.398_199_9e-3 + 1.987_569_1e-4 * r;
    lo + r2 * (mid + r2 * hi)
}

/// Cody-Waite reduction `x = n ln 2 + r`, `|r| <= ln 2 / 2`, for `|x| < 2^21`: `(n, r)`.
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn reduce(x: f32) -> (i32, f32) {
    /// `1.5 * 2^23`: adding it rounds to an integer, which lands in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    /// `ln 2` in two parts; `n * LN2_HI` is exact for `|n| < 2^9`.
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let t = x * core::f32::consts::LOG2_E + ROUND;
    let n = t - ROUND;
    let r = (x - n * LN2_HI) - n * LN2_LO;
    // n, from the low mantissa bits of t (t's bits are ROUND's plus n).
    #[allow(
        clippy::cast_possible_wrap,
        reason = "both bit patterns are below 2^31"
    )]
    let n = t.to_bits() as i32 - ROUND.to_bits() as i32;
    (n, r)
}

/// `2^k` for `-126 <= k <= 127`, built from its bits.
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn pow2(k: i32) -> f32 {
    #[allow(clippy::cast_sign_loss, reason = "k + 127 is in 1..=254")]
    f32::from_bits(((k + 127) as u32) << 23)
}

/// `e^x` in `f32` without branches, tables or calls, so that loops over it vectorise:
/// [`reduce`], Cephes's polynomial for `e^r`, and `2^n` applied as two exact powers of two
/// `2^(n/2) * 2^(n - n/2)`, which overflow to `inf` and underflow through the subnormals to
/// `0` exactly as `e^x` does. Relative error within 2 ulp for normal results; NaN for NaN.
#[must_use]
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
pub(crate) fn exp(x: f32) -> f32 {
    // e^89 > f32::MAX and e^-104 < half the smallest subnormal: the clamp changes no result,
    // and keeps both halves of n within the normal exponents.
    let (n, r) = reduce(x.clamp(-104.0, 89.0));
    let r2 = r * r;
    let p = (1.0 + r) + r2 * exp_tail(r, r2);
    let half = n >> 1;
    p * pow2(half) * pow2(n - half)
}

/// `tanh` without branches: see [`Tanh`].
#[allow(clippy::inline_always, reason = "see above")]
#[inline(always)]
fn tanh(x: f32) -> f32 {
    const SIGN: u32 = 0x8000_0000;
    let abs = f32::from_bits(x.to_bits() & !SIGN);
    // tanh(9) rounds to 1; the clamp keeps e^(2|x|) finite (and NaN stays NaN).
    let abs = if abs > 9.0 { 9.0 } else { abs };
    // tanh = (e^2|x| - 1) / (e^2|x| + 1), with e^2|x| - 1 = 2^n (r + r^2 tail) + (2^n - 1)
    // computed without cancellation: for small |x|, n = 0 and it is r + r^2 tail exactly.
    let (n, r) = reduce(abs + abs);
    let r2 = r * r;
    let scale = pow2(n);
    let em1 = scale * (r + r2 * exp_tail(r, r2)) + (scale - 1.0);
    let magnitude = em1 / (em1 + 2.0);
    f32::from_bits(magnitude.to_bits() | (x.to_bits() & SIGN))
}

macro_rules! elementwise {
    ($(#[$doc:meta])* $ty:ident, $name:literal, |$x:ident| $body:expr) => {
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
        }

        impl Activation for $ty {
            const NAME: &'static str = $name;
            #[inline]
            fn apply<const N: usize>(v: &mut SVector<f32, N>) {
                // A plain slice loop over an inlined, branch-free `scalar`: vectorised.
                for x in v.as_mut_slice() {
                    *x = Self::scalar(*x);
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
    Linear, "linear", |x| x
);

elementwise!(
    /// `relu`: `max(x, 0)`; NaN stays NaN.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu;
    /// assert_eq!(Relu::scalar(-2.0), 0.0);
    /// assert_eq!(Relu::scalar(3.0), 3.0);
    /// ```
    Relu, "relu", |x| if x < 0.0 { 0.0 } else { x }
);

elementwise!(
    /// `tanh`: the hyperbolic tangent, Keras's default for recurrent layers.
    ///
    /// Computed without branches or calls, so that a layer's loop over its units vectorises:
    /// `(e^2x - 1) / (e^2x + 1)` with a polynomial `e^2x - 1` that keeps its relative
    /// accuracy near zero. Within 2e-7 of the exact value everywhere, and a few ulp
    /// (Keras's own float32 `tanh` is an approximation of the same order).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Tanh;
    /// assert_eq!(Tanh::scalar(0.0), 0.0);
    /// assert!((Tanh::scalar(1.0) - 0.761_594_2).abs() < 1e-6);
    /// assert_eq!((Tanh::scalar(50.0), Tanh::scalar(-50.0)), (1.0, -1.0));
    /// ```
    Tanh, "tanh", |x| tanh(x)
);

elementwise!(
    /// `sigmoid`: `1 / (1 + exp(-x))`, with a vectorisable `exp` (relative error a few
    /// ulp).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Sigmoid;
    /// assert_eq!(Sigmoid::scalar(0.0), 0.5);
    /// assert_eq!(Sigmoid::scalar(-200.0), 0.0);
    /// assert_eq!(Sigmoid::scalar(200.0), 1.0);
    /// ```
    Sigmoid, "sigmoid", |x| 1.0 / (1.0 + exp(-x))
);

elementwise!(
    /// `relu6`: `min(max(x, 0), 6)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu6;
    /// assert_eq!([Relu6::scalar(-1.0), Relu6::scalar(3.0), Relu6::scalar(9.0)], [0.0, 3.0, 6.0]);
    /// ```
    Relu6, "relu6", |x| x.clamp(0.0, 6.0)
);

elementwise!(
    /// `leaky_relu`: `x` for `x >= 0`, else `0.2 * x` (Keras 3's default `negative_slope`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::LeakyRelu;
    /// assert_eq!([LeakyRelu::scalar(-1.0), LeakyRelu::scalar(2.0)], [-0.2, 2.0]);
    /// ```
    LeakyRelu, "leaky_relu", |x| if x < 0.0 { 0.2 * x } else { x }
);

elementwise!(
    /// `elu`: `x` for `x > 0`, else `exp(x) - 1` (`alpha = 1`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Elu;
    /// assert_eq!(Elu::scalar(2.0), 2.0);
    /// assert!((Elu::scalar(-1.0) - (-0.632_120_56)).abs() < 1e-7);
    /// ```
    Elu, "elu", |x| if x > 0.0 { x } else { libm::expm1f(x) }
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
    Selu, "selu", |x| if x > 0.0 { SELU_SCALE * x } else { SELU_SCALE * SELU_ALPHA * libm::expm1f(x) }
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
    Gelu, "gelu", |x| 0.5 * x * (1.0 + libm::erff(x * core::f32::consts::FRAC_1_SQRT_2))
);

elementwise!(
    /// `hard_sigmoid`: Keras 3's `relu6(x + 3) / 6` (not tf.keras 2's `0.2 * x + 0.5`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::HardSigmoid;
    /// assert_eq!([HardSigmoid::scalar(-3.0), HardSigmoid::scalar(0.0), HardSigmoid::scalar(3.0)], [0.0, 0.5, 1.0]);
    /// ```
    HardSigmoid, "hard_sigmoid", |x| Relu6::scalar(x + 3.0) / 6.0
);

elementwise!(
    /// `hard_tanh`: `x` clipped to `[-1, 1]`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::HardTanh;
    /// assert_eq!([HardTanh::scalar(-2.0), HardTanh::scalar(0.5), HardTanh::scalar(2.0)], [-1.0, 0.5, 1.0]);
    /// ```
    HardTanh, "hard_tanh", |x| x.clamp(-1.0, 1.0)
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
    Softplus, "softplus", |x| (if x > 0.0 { x } else { 0.0 }) + libm::log1pf(libm::expf(-libm::fabsf(x)))
);

elementwise!(
    /// `softsign`: `x / (1 + |x|)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Softsign;
    /// assert_eq!([Softsign::scalar(-1.0), Softsign::scalar(3.0)], [-0.5, 0.75]);
    /// ```
    Softsign, "softsign", |x| x / (1.0 + libm::fabsf(x))
);

elementwise!(
    /// `silu` (also `swish`): `x * sigmoid(x)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Silu;
    /// assert_eq!(Silu::scalar(0.0), 0.0);
    /// assert!((Silu::scalar(1.0) - 0.731_058_6).abs() < 1e-6);
    /// ```
    Silu, "silu", |x| x * Sigmoid::scalar(x)
);

elementwise!(
    /// `hard_silu` (also `hard_swish`): `x * hard_sigmoid(x)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::HardSilu;
    /// assert_eq!([HardSilu::scalar(-4.0), HardSilu::scalar(0.0), HardSilu::scalar(4.0)], [0.0, 0.0, 4.0]);
    /// ```
    HardSilu, "hard_silu", |x| x * HardSigmoid::scalar(x)
);

elementwise!(
    /// `mish`: `x * tanh(softplus(x))`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Mish;
    /// assert_eq!(Mish::scalar(0.0), 0.0);
    /// assert!((Mish::scalar(1.0) - 0.865_098_4).abs() < 1e-6);
    /// ```
    Mish, "mish", |x| x * libm::tanhf(Softplus::scalar(x))
);

elementwise!(
    /// `exponential`: `exp(x)`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Exponential;
    /// assert_eq!(Exponential::scalar(0.0), 1.0);
    /// ```
    Exponential, "exponential", |x| libm::expf(x)
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
    fn exp_is_within_2_ulp() {
        let mut worst = 0;
        for x in grid(-87.3, 88.72) {
            worst = worst.max(ulps(exp(x), f64::from(x).exp()));
        }
        assert!(worst <= 2, "worst {worst} ulp");
        // Subnormal results: within one subnormal step.
        for x in grid(-104.0, -87.3) {
            let err = (f64::from(exp(x)) - f64::from(x).exp()).abs();
            assert!(
                err <= 1.5e-45,
                "x = {x}: {} vs {}",
                exp(x),
                f64::from(x).exp()
            );
        }
        assert_eq!(exp(0.0), 1.0);
        assert_eq!((exp(88.73), exp(1000.0)), (f32::INFINITY, f32::INFINITY));
        assert_eq!((exp(-104.0), exp(-1000.0)), (0.0, 0.0));
        assert_eq!(
            (exp(f32::INFINITY), exp(f32::NEG_INFINITY)),
            (f32::INFINITY, 0.0)
        );
        assert!(exp(f32::NAN).is_nan());
        assert!(exp(f32::from_bits(0x7FC0_0001)).is_nan());
        assert!(exp(f32::from_bits(0xFFC0_1234)).is_nan());
    }

    #[test]
    fn tanh_is_within_2e_7() {
        let mut worst: f64 = 0.0;
        for x in grid(-20.0, 20.0) {
            let err = (f64::from(Tanh::scalar(x)) - f64::from(x).tanh()).abs();
            worst = worst.max(err);
        }
        assert!(worst < 2e-7, "worst {worst}");
        // Near zero, relative accuracy too.
        for x in every_97th(1e-30, 0.625) {
            let want = f64::from(x).tanh();
            assert!(ulps(Tanh::scalar(x), want) <= 2, "x = {x}");
            assert!(ulps(Tanh::scalar(-x), -want) <= 2, "x = {x}");
        }
        assert_eq!(
            (Tanh::scalar(f32::INFINITY), Tanh::scalar(f32::NEG_INFINITY)),
            (1.0, -1.0)
        );
        assert!(Tanh::scalar(f32::NAN).is_nan());
    }

    #[test]
    fn sigmoid_is_within_4_ulp() {
        let mut worst = 0;
        for x in grid(-87.0, 20.0) {
            worst = worst.max(ulps(
                Sigmoid::scalar(x),
                1.0 / (1.0 + (-f64::from(x)).exp()),
            ));
        }
        assert!(worst <= 4, "worst {worst} ulp");
        assert!(Sigmoid::scalar(f32::NAN).is_nan());
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
