//! `PReLU`: a leaky ReLU whose slope is learned, one per unit.

use super::{
    FlatReader, Layer, check_len, matrix_from_le_bytes, stateless_layer_items, zero_matrix,
};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras `PReLU()` on `D`-wide vectors: `x` where `x >= 0`, else `alpha * x`, with one
/// learned `alpha` per unit (computed as Keras does: `relu(x) - alpha * relu(-x)`).
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, PRelu};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let prelu = PRelu::<2>::from_flat(&[0.5, -1.0])?; // alpha
/// assert_eq!(PRelu::<2>::PARAMS, 2);
/// let y = prelu.step(&mut (), &SVector::from([-2.0, -2.0]));
/// assert_eq!((y[0], y[1]), (-1.0, 2.0));
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PRelu<const D: usize> {
    /// The slopes for negative inputs, `(units,)`.
    pub alpha: SVector<f32, D>,
}

impl<const D: usize> PRelu<D> {
    /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it).
    ///
    /// # Panics
    /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
    #[must_use]
    pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
        Self {
            alpha: matrix_from_le_bytes(bytes, offset),
        }
    }

    /// One vector through the activation.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        let mut y = *x;
        for (v, a) in y.iter_mut().zip(self.alpha.iter()) {
            *v = v.max(0.0) - a * (-*v).max(0.0);
        }
        y
    }
}

impl<const D: usize> Layer for PRelu<D> {
    const KIND: &'static str = tinyrnn_spec::PRELU.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::PRELU.saving_name;
    const PARAMS: usize = D;
    const WEIGHTS: &'static [WeightSpec] = &[WeightSpec::new("alpha", &[D])];
    const FORMULA: &'static str = tinyrnn_spec::PRELU.formula(false, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D)];
    const ZERO: Self = Self {
        alpha: zero_matrix(),
    };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        FlatReader::new(w).fill(&mut self.alpha);
        Ok(())
    }
}
