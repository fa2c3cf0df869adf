//! The activations of Keras's activation layers that take arguments (`ReLU`, `LeakyReLU`,
//! `ELU`), their arguments as the bits of `f32`s in const generics.

use super::Activation;
use nalgebra::SVector;

/// Applies `f` to every unit of `v`.
#[inline]
fn each<const N: usize>(v: &mut SVector<f32, N>, f: impl Fn(f32) -> f32) {
    for x in v.as_mut_slice() {
        *x = f(*x);
    }
}

/// Keras's `ReLU(max_value, negative_slope, threshold)` layer, its parameters given as the
/// bits of `f32`s (`const` generics cannot be floats); `MAX_VALUE` is `f32::INFINITY` for
/// Keras's `None`. With `t` the threshold, `s` the slope and `m` the maximum, as Keras 3's
/// `relu`: `y = x` where `x > t` (or `max(x, 0)` when `t == 0`), else 0; `y` clipped to
/// `[0, m]`; then `y - s * max(t - x, 0)`.
///
/// ```
/// use tinyrnn_runtime::activations::ReluWith;
///
/// const fn bits(x: f32) -> u32 { x.to_bits() }
/// type R = ReluWith<{ bits(0.5) }, { bits(2.0) }, { bits(1.0) }>;
/// assert_eq!(R::scalar(3.0), 2.0);   // clipped to max_value
/// assert_eq!(R::scalar(1.5), 1.5);   // above the threshold
/// assert_eq!(R::scalar(0.5), -0.25); // below it: -0.5 * (1 - 0.5)
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReluWith<const NEGATIVE_SLOPE: u32, const MAX_VALUE: u32, const THRESHOLD: u32>;

impl<const S: u32, const M: u32, const T: u32> ReluWith<S, M, T> {
    /// The activation of one value.
    #[must_use]
    #[inline]
    pub fn scalar(x: f32) -> f32 {
        let (slope, max, threshold) = (f32::from_bits(S), f32::from_bits(M), f32::from_bits(T));
        let y = if threshold == 0.0 {
            x.max(0.0)
        } else if x > threshold {
            x
        } else {
            0.0
        };
        let y = if max.is_finite() {
            y.clamp(0.0, max)
        } else {
            y
        };
        if slope == 0.0 {
            y
        } else {
            y - slope * (threshold - x).max(0.0)
        }
    }
}

impl<const S: u32, const M: u32, const T: u32> ReluWith<S, M, T> {
    /// The derivative at `x`: 1 where the output follows `x` (above the threshold, up to
    /// `max_value` included, as TensorFlow's clip passes its bounds), `negative_slope` below
    /// the threshold, 0 elsewhere (0 at the threshold itself).
    #[must_use]
    #[inline]
    pub fn derivative(x: f32) -> f32 {
        let (slope, max, threshold) = (f32::from_bits(S), f32::from_bits(M), f32::from_bits(T));
        let above = if threshold == 0.0 {
            x > 0.0
        } else {
            x > threshold
        };
        let kept = above && (!max.is_finite() || x <= max);
        let leak = if slope != 0.0 && x < threshold {
            slope
        } else {
            0.0
        };
        if kept { 1.0 + leak } else { leak }
    }
}

impl<const S: u32, const M: u32, const T: u32> Activation for ReluWith<S, M, T> {
    const NAME: &'static str = "relu";
    #[inline]
    fn apply<const N: usize>(v: &mut SVector<f32, N>) {
        each(v, Self::scalar);
    }

    #[inline]
    fn backward<const N: usize>(
        x: &SVector<f32, N>,
        _y: &SVector<f32, N>,
        grad: &mut SVector<f32, N>,
    ) {
        for (g, x) in grad.iter_mut().zip(x.iter()) {
            *g *= Self::derivative(*x);
        }
    }
}

/// Keras's `LeakyReLU(negative_slope)` layer (default 0.3): `x` for `x > 0`, else
/// `negative_slope * x`; the slope as the bits of an `f32`.
///
/// ```
/// use tinyrnn_runtime::activations::LeakyReluWith;
///
/// type L = LeakyReluWith<{ 0.3_f32.to_bits() }>;
/// assert_eq!([L::scalar(-2.0), L::scalar(2.0)], [-0.6, 2.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeakyReluWith<const NEGATIVE_SLOPE: u32>;

impl<const S: u32> LeakyReluWith<S> {
    /// The activation of one value.
    #[must_use]
    #[inline]
    pub fn scalar(x: f32) -> f32 {
        if x > 0.0 { x } else { f32::from_bits(S) * x }
    }
}

impl<const S: u32> Activation for LeakyReluWith<S> {
    const NAME: &'static str = "leaky_relu";
    #[inline]
    fn apply<const N: usize>(v: &mut SVector<f32, N>) {
        each(v, Self::scalar);
    }

    /// 1 for `x > 0`, else `negative_slope`.
    #[inline]
    fn backward<const N: usize>(
        x: &SVector<f32, N>,
        _y: &SVector<f32, N>,
        grad: &mut SVector<f32, N>,
    ) {
        for (g, x) in grad.iter_mut().zip(x.iter()) {
            *g *= if *x > 0.0 { 1.0 } else { f32::from_bits(S) };
        }
    }
}

/// Keras's `ELU(alpha)` layer (default 1.0): `x` for `x > 0`, else `alpha * (exp(x) - 1)`;
/// `alpha` as the bits of an `f32`.
///
/// ```
/// use tinyrnn_runtime::activations::EluWith;
///
/// type E = EluWith<{ 0.5_f32.to_bits() }>;
/// assert_eq!(E::scalar(2.0), 2.0);
/// assert!((E::scalar(-1.0) - 0.5 * (-0.632_120_56)).abs() < 1e-7);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EluWith<const ALPHA: u32>;

impl<const A: u32> EluWith<A> {
    /// The activation of one value.
    #[must_use]
    #[inline]
    pub fn scalar(x: f32) -> f32 {
        if x > 0.0 {
            x
        } else {
            f32::from_bits(A) * libm::expm1f(x)
        }
    }
}

impl<const A: u32> Activation for EluWith<A> {
    const NAME: &'static str = "elu";
    #[inline]
    fn apply<const N: usize>(v: &mut SVector<f32, N>) {
        each(v, Self::scalar);
    }

    /// 1 for `x > 0`, else `y + alpha` (`alpha * exp(x)`).
    #[inline]
    fn backward<const N: usize>(
        x: &SVector<f32, N>,
        y: &SVector<f32, N>,
        grad: &mut SVector<f32, N>,
    ) {
        for ((g, x), y) in grad.iter_mut().zip(x.iter()).zip(y.iter()) {
            *g *= if *x > 0.0 { 1.0 } else { y + f32::from_bits(A) };
        }
    }
}
