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
