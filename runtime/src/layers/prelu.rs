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

impl<const D: usize, const A: usize, const SEQUENCE: bool> PRelu<D, A, SEQUENCE> {
    /// [`Self::step`], keeping its input for the backward pass (issue 16).
    pub fn step_train(
        &self,
        x: &SVector<f32, D>,
        tape: &mut super::VectorTape<D>,
    ) -> SVector<f32, D> {
        tape.record(x, self.step(&mut (), x))
    }

    /// The backward pass of Keras's `relu(x) - alpha * relu(-x)`: adds `alpha`'s gradient
    /// (`g * min(x, 0)`, summed over the units that share it) to `grads` and returns the
    /// input's (`g` where `x > 0`, `alpha * g` where `x < 0`, 0 at 0 as TensorFlow's relu).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, PRelu, VectorTape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let prelu = PRelu::<2, 1, false>::from_flat(&[0.25])?;
    /// let mut tape = VectorTape::ZERO;
    /// prelu.step_train(&SVector::from([-2.0, 3.0]), &mut tape);
    /// let mut grads = PRelu::ZERO;
    /// let dx = prelu.backward(&tape, &SVector::from([1.0, 1.0]), &mut grads);
    /// assert_eq!((dx[0], dx[1], grads.alpha[0]), (0.25, 1.0, -2.0));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward(
        &self,
        tape: &super::VectorTape<D>,
        g: &SVector<f32, D>,
        grads: &mut Self,
    ) -> SVector<f32, D> {
        let alpha = self.alpha.as_slice();
        let mut dx = [0.0_f32; D];
        for (k, ((d, g), x)) in dx.iter_mut().zip(g.as_slice()).zip(&tape.x).enumerate() {
            let a = if A == 1 { 0 } else { k };
            if let Some(da) = grads.alpha.as_mut_slice().get_mut(a) {
                *da += g * x.min(0.0);
            }
            let slope = alpha.get(a).copied().unwrap_or(0.0);
            *d = if *x > 0.0 {
                *g
            } else if *x < 0.0 {
                slope * g
            } else {
                0.0
            };
        }
        SVector::from(dx)
    }
}
