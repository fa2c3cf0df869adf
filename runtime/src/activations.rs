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
                for x in v.iter_mut() {
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
    /// ```
    /// use tinyrnn_runtime::activations::Tanh;
    /// assert_eq!(Tanh::scalar(0.0), 0.0);
    /// assert!((Tanh::scalar(1.0) - 0.761_594_2).abs() < 1e-6);
    /// ```
    Tanh, "tanh", |x| libm::tanhf(x)
);

elementwise!(
    /// `sigmoid`: `1 / (1 + exp(-x))`.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Sigmoid;
    /// assert_eq!(Sigmoid::scalar(0.0), 0.5);
    /// assert_eq!(Sigmoid::scalar(-200.0), 0.0);
    /// ```
    Sigmoid, "sigmoid", |x| 1.0 / (1.0 + libm::expf(-x))
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
