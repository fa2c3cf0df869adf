//! `BatchNormalization` at inference: each unit normalized by its moving mean and variance.

use super::{
    FlatReader, Layer, check_len, matrix_from_le_bytes, stateless_layer_items, zero_matrix,
};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras `BatchNormalization(epsilon, center, scale)` at inference on `D` units: `(x -
/// moving_mean) / sqrt(moving_variance + epsilon) * gamma + beta`, computed as TensorFlow
/// does (`x * inv + (beta - moving_mean * inv)`, `inv = gamma / sqrt(moving_variance +
/// epsilon)`). `G` is `D` with `scale` (else 0: no `gamma`), `B` is `D` with `center` (else
/// 0: no `beta`); `EPSILON` is the bits of an `f32`. The moving statistics are Keras's
/// non-trainable weights: they count in [`Layer::PARAMS`] and in
/// [`Layer::NON_TRAINABLE`].
///
/// ```
/// use tinyrnn_runtime::layers::{BatchNormalization, Layer};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type Bn = BatchNormalization<2, 2, 2, { 0.0_f32.to_bits() }>;
/// assert_eq!((Bn::PARAMS, Bn::NON_TRAINABLE, Bn::FORMULA), (8, 4, "4*d"));
/// // gamma, beta, moving_mean, moving_variance
/// let bn = Bn::from_flat(&[2.0, 1.0, 0.0, 0.5, 1.0, 3.0, 4.0, 1.0])?;
/// let y = bn.step(&mut (), &SVector::from([3.0, 4.0]));
/// assert_eq!((y[0], y[1]), (2.0, 1.5));
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNormalization<const D: usize, const G: usize, const B: usize, const EPSILON: u32> {
    /// The scale, `(units,)`, with `scale = true`.
    pub gamma: SVector<f32, G>,
    /// The offset, `(units,)`, with `center = true`.
    pub beta: SVector<f32, B>,
    /// The moving mean, `(units,)` (non-trainable).
    pub moving_mean: SVector<f32, D>,
    /// The moving variance, `(units,)` (non-trainable).
    pub moving_variance: SVector<f32, D>,
}

impl<const D: usize, const G: usize, const B: usize, const EPSILON: u32>
    BatchNormalization<D, G, B, EPSILON>
{
    /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it), in Keras
    /// `get_weights()` order: `gamma`, `beta`, `moving_mean`, `moving_variance`.
    ///
    /// # Panics
    /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
    #[must_use]
    pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
        Self {
            gamma: matrix_from_le_bytes(bytes, offset),
            beta: matrix_from_le_bytes(bytes, offset),
            moving_mean: matrix_from_le_bytes(bytes, offset),
            moving_variance: matrix_from_le_bytes(bytes, offset),
        }
    }

    /// One vector, normalized.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        // Over plain slices, which the compiler vectorises (nalgebra's element iterator and
        // indexing kept this one unit at a time).
        let epsilon = f32::from_bits(EPSILON);
        let (gamma, beta) = (self.gamma.as_slice(), self.beta.as_slice());
        let mut y: [f32; D] = (*x).into();
        let statistics = self
            .moving_mean
            .as_slice()
            .iter()
            .zip(self.moving_variance.as_slice());
        for (k, (v, (mean, variance))) in y.iter_mut().zip(statistics).enumerate() {
            let mut inv = 1.0 / crate::sqrt(variance + epsilon);
            if let Some(g) = gamma.get(k) {
                inv *= g;
            }
            let offset = beta.get(k).copied().unwrap_or(0.0);
            *v = *v * inv + (offset - mean * inv);
        }
        SVector::from(y)
    }
}

impl<const D: usize, const G: usize, const B: usize, const EPSILON: u32> Layer
    for BatchNormalization<D, G, B, EPSILON>
{
    const KIND: &'static str = tinyrnn_spec::BATCH_NORMALIZATION.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::BATCH_NORMALIZATION.saving_name;
    const PARAMS: usize = {
        assert!(G == 0 || G == D, "`gamma` has length 0 or `units`");
        assert!(B == 0 || B == D, "`beta` has length 0 or `units`");
        G + B + 2 * D
    };
    const NON_TRAINABLE: usize = tinyrnn_spec::BATCH_NORMALIZATION.non_trainable(D);
    const WEIGHTS: &'static [WeightSpec] = {
        const fn statistics<const D: usize>() -> [WeightSpec; 2] {
            [
                WeightSpec::new("moving_mean", &[D]),
                WeightSpec::new("moving_variance", &[D]),
            ]
        }
        match (G, B) {
            (0, 0) => &statistics::<D>(),
            (0, _) => &[
                WeightSpec::new("beta", &[D]),
                statistics::<D>()[0],
                statistics::<D>()[1],
            ],
            (_, 0) => &[
                WeightSpec::new("gamma", &[D]),
                statistics::<D>()[0],
                statistics::<D>()[1],
            ],
            _ => &[
                WeightSpec::new("gamma", &[D]),
                WeightSpec::new("beta", &[D]),
                statistics::<D>()[0],
                statistics::<D>()[1],
            ],
        }
    };
    const FORMULA: &'static str =
        tinyrnn_spec::BATCH_NORMALIZATION.normalization_formula(B != 0, G != 0);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D)];
    const ZERO: Self = Self {
        gamma: zero_matrix(),
        beta: zero_matrix(),
        moving_mean: zero_matrix(),
        moving_variance: zero_matrix(),
    };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        let mut r = FlatReader::new(w);
        r.fill(&mut self.gamma);
        r.fill(&mut self.beta);
        r.fill(&mut self.moving_mean);
        r.fill(&mut self.moving_variance);
        Ok(())
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let mut w = super::FlatWriter::new(out);
        w.store(&self.gamma);
        w.store(&self.beta);
        w.store(&self.moving_mean);
        w.store(&self.moving_variance);
        Ok(())
    }
}

impl<const D: usize, const G: usize, const B: usize, const EPSILON: u32>
    BatchNormalization<D, G, B, EPSILON>
{
    /// [`Self::step`], keeping its input for the backward pass (issue 16).
    pub fn step_train(
        &self,
        x: &SVector<f32, D>,
        tape: &mut super::VectorTape<D>,
    ) -> SVector<f32, D> {
        tape.record(x, self.step(&mut (), x))
    }

    /// The backward pass with the moving statistics, as Keras computes with
    /// `training=False`: adds `gamma`'s and `beta`'s gradients to `grads` (the moving mean
    /// and variance are not trainable: theirs stay as they are) and returns the input's.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{BatchNormalization, Layer, VectorTape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type Bn = BatchNormalization<1, 1, 1, 0x3a83_126f>;
    /// // gamma 2, beta 0, mean 1, variance 4 - epsilon: y = 2 (x - 1) / 2.
    /// let bn = Bn::from_flat(&[2.0, 0.0, 1.0, 4.0 - 0.001])?;
    /// let mut tape = VectorTape::ZERO;
    /// bn.step_train(&SVector::from([3.0]), &mut tape);
    /// let mut grads = Bn::ZERO;
    /// let dx = bn.backward(&tape, &SVector::from([1.0]), &mut grads);
    /// assert_eq!((dx[0], grads.gamma[0], grads.beta[0], grads.moving_mean[0]), (1.0, 1.0, 1.0, 0.0));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward(
        &self,
        tape: &super::VectorTape<D>,
        g: &SVector<f32, D>,
        grads: &mut Self,
    ) -> SVector<f32, D> {
        let epsilon = f32::from_bits(EPSILON);
        let gamma = self.gamma.as_slice();
        let mut dx = [0.0_f32; D];
        let statistics = self
            .moving_mean
            .as_slice()
            .iter()
            .zip(self.moving_variance.as_slice());
        for (k, (((d, g), x), (mean, variance))) in dx
            .iter_mut()
            .zip(g.as_slice())
            .zip(&tape.x)
            .zip(statistics)
            .enumerate()
        {
            let inv = 1.0 / crate::sqrt(variance + epsilon);
            if let Some(dg) = grads.gamma.as_mut_slice().get_mut(k) {
                *dg += g * (x - mean) * inv;
            }
            if let Some(db) = grads.beta.as_mut_slice().get_mut(k) {
                *db += g;
            }
            *d = g * inv * gamma.get(k).copied().unwrap_or(1.0);
        }
        SVector::from(dx)
    }
}
