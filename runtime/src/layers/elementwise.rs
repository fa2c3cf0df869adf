//! Layers that apply an activation to each vector, without weights: Keras's `Activation`,
//! `Softmax` (over the units, Keras's `axis=-1`), `ReLU`, `LeakyReLU` and `ELU` layers.

use super::{Layer, kind_marker, stateless_layer_items};
use crate::activations::Activation;
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::SVector;

/// Which Keras layer an [`Elementwise`] layer is: its class and `model!` keyword.
///
/// ```
/// use tinyrnn_runtime::layers::{ElementwiseKind, SoftmaxLayer};
///
/// assert_eq!(SoftmaxLayer::KIND, "Softmax");
/// assert_eq!(SoftmaxLayer::KERAS_NAME, "softmax");
/// ```
pub trait ElementwiseKind {
    /// The Keras class name (`Activation`).
    const KIND: &'static str;
    /// The Keras layer name prefix and `model!` keyword (`activation`).
    const KERAS_NAME: &'static str;
}

kind_marker!(
    ElementwiseKind:
    /// Keras `Activation(activation)`.
    ActivationLayer, ACTIVATION
);
kind_marker!(
    ElementwiseKind:
    /// Keras `Softmax()`: the `Softmax` activation over the units.
    SoftmaxLayer, SOFTMAX
);
kind_marker!(
    ElementwiseKind:
    /// Keras `ReLU(max_value, negative_slope, threshold)`, with `ReluWith`.
    ReluLayer, RELU
);
kind_marker!(
    ElementwiseKind:
    /// Keras `LeakyReLU(negative_slope)`, with `LeakyReluWith`.
    LeakyReluLayer, LEAKY_RELU
);
kind_marker!(
    ElementwiseKind:
    /// Keras `ELU(alpha)`, with `EluWith`.
    EluLayer, ELU
);

/// A layer that applies the activation `A` to each `D`-wide vector: zero parameters, the
/// same width out.
///
/// ```
/// use tinyrnn_runtime::activations::Relu;
/// use tinyrnn_runtime::layers::{ActivationLayer, Elementwise, Layer};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type R = Elementwise<3, Relu, ActivationLayer>;
/// assert_eq!((R::PARAMS, R::KIND), (0, "Activation"));
/// let y = R::ZERO.step(&mut (), &SVector::from([-1.0, 0.5, 2.0]));
/// assert_eq!(y, SVector::from([0.0, 0.5, 2.0]));
/// assert_eq!(core::mem::size_of::<R>(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Elementwise<const D: usize, A, K> {
    kinds: PhantomData<(A, K)>,
}

impl<const D: usize, A: Activation, K: ElementwiseKind> Elementwise<D, A, K> {
    /// Reads nothing: the layer has no weights. Present so that every layer has it.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self { kinds: PhantomData }
    }

    /// The activation of `x`.
    #[inline]
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        let mut y = *x;
        A::apply(&mut y);
        y
    }
}

impl<const D: usize, A: Activation, K: ElementwiseKind> Layer for Elementwise<D, A, K> {
    const KIND: &'static str = K::KIND;
    const KERAS_NAME: &'static str = K::KERAS_NAME;
    const PARAMS: usize = 0;
    const WEIGHTS: &'static [WeightSpec] = &[];
    const FORMULA: &'static str = tinyrnn_spec::ACTIVATION.formula(false, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[];
    const ZERO: Self = Self { kinds: PhantomData };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        super::check_len(w, 0)
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        super::check_len(out, 0)
    }
}

impl<const D: usize, A: Activation, K: ElementwiseKind> Elementwise<D, A, K> {
    /// [`Self::step`], keeping its input and output for the backward pass (issue 16).
    #[inline]
    pub fn step_train(
        &self,
        x: &SVector<f32, D>,
        tape: &mut super::VectorTape<D>,
    ) -> SVector<f32, D> {
        tape.record(x, self.step(&mut (), x))
    }

    /// The backward pass: the gradient with respect to the input, from `g`'s with respect to
    /// the output (see [`super::VectorTape`]'s example).
    #[inline]
    #[must_use]
    pub fn backward(&self, tape: &super::VectorTape<D>, g: &SVector<f32, D>) -> SVector<f32, D> {
        let mut g = *g;
        A::backward(&SVector::from(tape.x), &SVector::from(tape.y), &mut g);
        g
    }
}
