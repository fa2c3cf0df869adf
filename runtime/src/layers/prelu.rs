//! `PReLU`: a leaky ReLU whose slope is learned, one per unit (or shared).

use super::{
    FlatReader, Layer, check_len, matrix_from_le_bytes, stateless_layer_items, zero_matrix,
};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras `PReLU(shared_axes)` on `D`-wide vectors: `x` where `x >= 0`, else `alpha * x`
/// (computed as Keras does: `relu(x) - alpha * relu(-x)`). `A` is `D` with one learned
/// `alpha` per unit, or 1 with one shared by all (`shared_axes` naming the units' axis);
/// `SEQUENCE` says whether the layer sees a sequence, whose `alpha` Keras shapes `(1, A)`
/// (shared over time: `shared_axes` naming axis 1), where a vector's is `(A,)`.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, PRelu};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let prelu = PRelu::<2, 2, false>::from_flat(&[0.5, -1.0])?; // alpha
/// assert_eq!(PRelu::<2, 2, false>::PARAMS, 2);
/// let y = prelu.step(&mut (), &SVector::from([-2.0, -2.0]));
/// assert_eq!((y[0], y[1]), (-1.0, 2.0));
/// // One alpha shared by the units of every timestep: Keras's shape (1, 1).
/// assert_eq!(PRelu::<2, 1, true>::WEIGHTS[0].shape, &[1, 1]);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct PRelu<const D: usize, const A: usize, const SEQUENCE: bool> {
    /// The slopes for negative inputs: one per unit, or one for all.
    pub alpha: SVector<f32, A>,
}

impl<const D: usize, const A: usize, const SEQUENCE: bool> PRelu<D, A, SEQUENCE> {
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
        for (i, v) in y.iter_mut().enumerate() {
            let a = self.alpha[if A == 1 { 0 } else { i }];
            *v = v.max(0.0) - a * (-*v).max(0.0);
        }
        y
    }
}

impl<const D: usize, const A: usize, const SEQUENCE: bool> Layer for PRelu<D, A, SEQUENCE> {
    const KIND: &'static str = tinyrnn_spec::PRELU.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::PRELU.saving_name;
    const PARAMS: usize = {
        assert!(A == 1 || A == D, "one alpha per unit, or one for all");
        A
    };
    const WEIGHTS: &'static [WeightSpec] = if SEQUENCE {
        &[WeightSpec::new("alpha", &[1, A])]
    } else {
        &[WeightSpec::new("alpha", &[A])]
    };
    const FORMULA: &'static str = if A == 1 {
        "1"
    } else {
        tinyrnn_spec::PRELU.formula(false, false)
    };
    const SYMBOLS: &'static [(&'static str, usize)] = if A == 1 { &[] } else { &[("d", D)] };
    const ZERO: Self = Self {
        alpha: zero_matrix(),
    };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        FlatReader::new(w).fill(&mut self.alpha);
        Ok(())
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let mut w = super::FlatWriter::new(out);
        w.store(&self.alpha);
        Ok(())
    }
}
