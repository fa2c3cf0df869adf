//! Training-only layers (dropout, noise): no weights, and the identity at inference, as in
//! Keras when `training=False`. They exist so that a Keras model's layer list, names and
//! summary carry over unchanged.

use super::{Layer, kind_marker, stateless_layer_items};
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::SVector;

/// Which Keras layer a [`Passthrough`] stands for.
///
/// ```
/// use tinyrnn_runtime::layers::{PassthroughKind, SpatialDropout1D};
///
/// assert_eq!(SpatialDropout1D::KIND, "SpatialDropout1D");
/// assert_eq!(SpatialDropout1D::KERAS_NAME, "spatial_dropout1d");
/// ```
pub trait PassthroughKind {
    /// The Keras class name (`Dropout`).
    const KIND: &'static str;
    /// The Keras layer name prefix and `model!` keyword (`dropout`).
    const KERAS_NAME: &'static str;
}

kind_marker!(
    PassthroughKind:
    /// Keras `Dropout(rate)`.
    Dropout, DROPOUT
);
kind_marker!(
    PassthroughKind:
    /// Keras `SpatialDropout1D(rate)`.
    SpatialDropout1D, SPATIAL_DROPOUT_1D
);
kind_marker!(
    PassthroughKind:
    /// Keras `GaussianNoise(stddev)`.
    GaussianNoise, GAUSSIAN_NOISE
);
kind_marker!(
    PassthroughKind:
    /// Keras `GaussianDropout(rate)`.
    GaussianDropout, GAUSSIAN_DROPOUT
);
kind_marker!(
    PassthroughKind:
    /// Keras `AlphaDropout(rate)`.
    AlphaDropout, ALPHA_DROPOUT
);

/// A layer that only acts in training: zero parameters, identity at inference.
///
/// ```
/// use tinyrnn_runtime::layers::{Dropout, Layer, Passthrough};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type D = Passthrough<3, Dropout>;
/// assert_eq!((D::PARAMS, D::KIND), (0, "Dropout"));
/// let x = SVector::from([1.0, 2.0, 3.0]);
/// assert_eq!(D::ZERO.step(&mut (), &x), x);
/// assert_eq!(core::mem::size_of::<D>(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Passthrough<const D: usize, K> {
    kind: PhantomData<K>,
}

impl<const D: usize, K: PassthroughKind> Passthrough<D, K> {
    /// Reads nothing: the layer has no weights. Present so that every layer has it.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self { kind: PhantomData }
    }

    /// Returns its input unchanged.
    #[inline]
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        *x
    }
}

impl<const D: usize, K: PassthroughKind> Layer for Passthrough<D, K> {
    const KIND: &'static str = K::KIND;
    const KERAS_NAME: &'static str = K::KERAS_NAME;
    const PARAMS: usize = 0;
    const WEIGHTS: &'static [WeightSpec] = &[];
    const FORMULA: &'static str = tinyrnn_spec::DROPOUT.formula(false, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[];
    const ZERO: Self = Self { kind: PhantomData };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        super::check_len(w, 0)
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        super::check_len(out, 0)
    }
}
