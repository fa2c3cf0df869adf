//! `Normalization`: each unit standardized by the mean and variance `adapt()` measured.

use super::{
    FlatReader, Layer, check_len, matrix_from_le_bytes, stateless_layer_items, zero_matrix,
};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras's `backend.epsilon()`, the least standard deviation `Normalization` divides by.
const EPSILON: f32 = 1e-7;

/// Keras `Normalization(invert)` on `D` units, adapted: `(x - mean) / max(sqrt(variance),
/// 1e-7)`, or with `INVERT` its inverse `mean + x * max(sqrt(variance), 1e-7)`. Its
/// weights are Keras's, all non-trainable: `mean (D,)`, `variance (D,)` and the scalar
/// `count` of samples `adapt()` saw (an integer in Keras's files, kept as an `f32` here and
/// unused at inference), `2*D+1` parameters.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, Normalization};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type Norm = Normalization<2, false>;
/// assert_eq!((Norm::PARAMS, Norm::NON_TRAINABLE, Norm::FORMULA), (5, 5, "2*d+1"));
/// let norm = Norm::from_flat(&[1.0, -1.0, 4.0, 0.25, 100.0])?; // mean, variance, count
/// let y = norm.step(&mut (), &SVector::from([3.0, 0.0]));
/// assert_eq!((y[0], y[1]), (1.0, 2.0));
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Normalization<const D: usize, const INVERT: bool> {
    /// The mean of each unit, `(units,)`.
    pub mean: SVector<f32, D>,
    /// The variance of each unit, `(units,)`.
    pub variance: SVector<f32, D>,
    /// How many samples `adapt()` saw, `()`.
    pub count: SVector<f32, 1>,
}

impl<const D: usize, const INVERT: bool> Normalization<D, INVERT> {
    /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it), in Keras
    /// `get_weights()` order: `mean`, `variance`, `count`.
    ///
    /// # Panics
    /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
    #[must_use]
    pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
        Self {
            mean: matrix_from_le_bytes(bytes, offset),
            variance: matrix_from_le_bytes(bytes, offset),
            count: matrix_from_le_bytes(bytes, offset),
        }
    }

    /// One vector, standardized (or, with `INVERT`, restored).
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        // Over plain slices, which the compiler vectorises.
        let mut y: [f32; D] = (*x).into();
        let statistics = self.mean.as_slice().iter().zip(self.variance.as_slice());
        for (v, (mean, variance)) in y.iter_mut().zip(statistics) {
            let deviation = crate::sqrt(*variance).max(EPSILON);
            *v = if INVERT {
                mean + *v * deviation
            } else {
                (*v - mean) / deviation
            };
        }
        SVector::from(y)
    }
}

impl<const D: usize, const INVERT: bool> Layer for Normalization<D, INVERT> {
    const KIND: &'static str = tinyrnn_spec::NORMALIZATION.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::NORMALIZATION.saving_name;
    const PARAMS: usize = 2 * D + 1;
    const NON_TRAINABLE: usize = tinyrnn_spec::NORMALIZATION.non_trainable(D);
    const NON_TRAINABLE_BYTES: usize = tinyrnn_spec::NORMALIZATION.non_trainable_bytes(D);
    const WEIGHTS: &'static [WeightSpec] = &[
        WeightSpec::new("mean", &[D]),
        WeightSpec::new("variance", &[D]),
        WeightSpec::new("count", &[]),
    ];
    const FORMULA: &'static str = tinyrnn_spec::NORMALIZATION.normalization_formula(false, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D)];
    const ZERO: Self = Self {
        mean: zero_matrix(),
        variance: zero_matrix(),
        count: zero_matrix(),
    };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        let mut r = FlatReader::new(w);
        r.fill(&mut self.mean);
        r.fill(&mut self.variance);
        r.fill(&mut self.count);
        Ok(())
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let mut w = super::FlatWriter::new(out);
        w.store(&self.mean);
        w.store(&self.variance);
        w.store(&self.count);
        Ok(())
    }
}

impl<const D: usize, const INVERT: bool> Normalization<D, INVERT> {
    /// [`Self::step`], keeping its input and output for the backward pass (issue 16).
    pub fn step_train(
        &self,
        x: &SVector<f32, D>,
        tape: &mut super::VectorTape<D>,
    ) -> SVector<f32, D> {
        tape.record(x, self.step(&mut (), x))
    }

    /// The backward pass: the input's gradient, `g / deviation` (`g * deviation` with
    /// `invert`). The layer has no trainable weights: `grads` gets nothing.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, Normalization, VectorTape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let norm = Normalization::<1, false>::from_flat(&[1.0, 4.0, 10.0])?; // mean, variance, count
    /// let mut grads = Normalization::ZERO;
    /// let dx = norm.backward(&VectorTape::ZERO, &SVector::from([1.0]), &mut grads);
    /// assert_eq!((dx[0], grads.variance[0]), (0.5, 0.0));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward(
        &self,
        _tape: &super::VectorTape<D>,
        g: &SVector<f32, D>,
        _grads: &mut Self,
    ) -> SVector<f32, D> {
        let mut dx: [f32; D] = (*g).into();
        for (d, variance) in dx.iter_mut().zip(self.variance.as_slice()) {
            let deviation = crate::sqrt(*variance).max(EPSILON);
            *d = if INVERT {
                *d * deviation
            } else {
                *d / deviation
            };
        }
        SVector::from(dx)
    }
}
