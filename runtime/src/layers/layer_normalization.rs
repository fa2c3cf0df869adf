//! `LayerNormalization`: each vector normalized over its units, then scaled and offset.

use super::{
    FlatReader, Layer, check_len, matrix_from_le_bytes, stateless_layer_items, zero_matrix,
};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras `LayerNormalization(epsilon, center, scale)` on `D` units: `(x - mean) /
/// sqrt(variance + epsilon) * gamma + beta`, the mean and variance over the units of each
/// vector. `G` is `D` with `scale` (else 0: no `gamma`), `B` is `D` with `center` (else 0:
/// no `beta`); `EPSILON` is the bits of an `f32` (const generics cannot be floats).
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, LayerNormalization};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type Ln = LayerNormalization<2, 2, 2, { 0.001_f32.to_bits() }>;
/// assert_eq!((Ln::PARAMS, Ln::KIND), (4, "LayerNormalization"));
/// let ln = Ln::from_flat(&[1.0, 1.0, 0.0, 0.5])?; // gamma, then beta
/// let y = ln.step(&mut (), &SVector::from([1.0, 3.0]));
/// assert!((y[0] + 1.0).abs() < 1e-3 && (y[1] - 1.5).abs() < 1e-3);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNormalization<const D: usize, const G: usize, const B: usize, const EPSILON: u32> {
    /// The scale, `(units,)`, with `scale = true`.
    pub gamma: SVector<f32, G>,
    /// The offset, `(units,)`, with `center = true`.
    pub beta: SVector<f32, B>,
}

impl<const D: usize, const G: usize, const B: usize, const EPSILON: u32>
    LayerNormalization<D, G, B, EPSILON>
{
    /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it), in Keras
    /// `get_weights()` order: `gamma`, then `beta`.
    ///
    /// # Panics
    /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
    #[must_use]
    pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
        Self {
            gamma: matrix_from_le_bytes(bytes, offset),
            beta: matrix_from_le_bytes(bytes, offset),
        }
    }

    /// One vector, normalized.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        #[allow(clippy::cast_precision_loss, reason = "a layer's width")]
        let n = D as f32;
        let mean = x.sum() / n;
        let variance = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inv = 1.0 / crate::sqrt(variance + f32::from_bits(EPSILON));
        let mut y = *x;
        for (i, v) in y.iter_mut().enumerate() {
            let scale = if G == 0 { inv } else { inv * self.gamma[i] };
            let offset = if B == 0 { 0.0 } else { self.beta[i] };
            *v = (*v - mean) * scale + offset;
        }
        y
    }
}

impl<const D: usize, const G: usize, const B: usize, const EPSILON: u32> Layer
    for LayerNormalization<D, G, B, EPSILON>
{
    const KIND: &'static str = tinyrnn_spec::LAYER_NORMALIZATION.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::LAYER_NORMALIZATION.saving_name;
    const PARAMS: usize = {
        assert!(G == 0 || G == D, "`gamma` has length 0 or `units`");
        assert!(B == 0 || B == D, "`beta` has length 0 or `units`");
        G + B
    };
    const WEIGHTS: &'static [WeightSpec] = match (G, B) {
        (0, 0) => &[],
        (0, _) => &[WeightSpec::new("beta", &[D])],
        (_, 0) => &[WeightSpec::new("gamma", &[D])],
        _ => &[
            WeightSpec::new("gamma", &[D]),
            WeightSpec::new("beta", &[D]),
        ],
    };
    const FORMULA: &'static str =
        tinyrnn_spec::LAYER_NORMALIZATION.normalization_formula(B != 0, G != 0);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D)];
    const ZERO: Self = Self {
        gamma: zero_matrix(),
        beta: zero_matrix(),
    };
    stateless_layer_items!(input: D, output: D);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        let mut r = FlatReader::new(w);
        r.fill(&mut self.gamma);
        r.fill(&mut self.beta);
        Ok(())
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let mut w = super::FlatWriter::new(out);
        w.store(&self.gamma);
        w.store(&self.beta);
        Ok(())
    }
}

impl<const D: usize, const G: usize, const B: usize, const EPSILON: u32>
    LayerNormalization<D, G, B, EPSILON>
{
    /// [`Self::step`], keeping its input for the backward pass (issue 16).
    pub fn step_train(
        &self,
        x: &SVector<f32, D>,
        tape: &mut super::VectorTape<D>,
    ) -> SVector<f32, D> {
        tape.record(x, self.step(&mut (), x))
    }

    /// The backward pass: adds `gamma`'s and `beta`'s gradients to `grads` and returns the
    /// input's, through the mean and the variance (as TensorFlow differentiates Keras's
    /// `(x - mean) / sqrt(variance + epsilon) * gamma + beta`).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, LayerNormalization, VectorTape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type Ln = LayerNormalization<2, 2, 2, 0x3a83_126f>;
    /// let ln = Ln::from_flat(&[1.0, 2.0, 0.0, 0.5])?;
    /// let mut tape = VectorTape::ZERO;
    /// ln.step_train(&SVector::from([1.0, 3.0]), &mut tape);
    /// let mut grads = Ln::ZERO;
    /// let dx = ln.backward(&tape, &SVector::from([1.0, 1.0]), &mut grads);
    /// // beta's gradient is g; the normalized values sum to zero, and so does dx.
    /// assert_eq!((grads.beta[0], grads.beta[1]), (1.0, 1.0));
    /// assert!((dx[0] + dx[1]).abs() < 1e-6);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward(
        &self,
        tape: &super::VectorTape<D>,
        g: &SVector<f32, D>,
        grads: &mut Self,
    ) -> SVector<f32, D> {
        #[allow(clippy::cast_precision_loss, reason = "a layer's width")]
        let n = D as f32;
        let x = &tape.x;
        let mean = x.iter().sum::<f32>() / n;
        let variance = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / n;
        let inv = 1.0 / crate::sqrt(variance + f32::from_bits(EPSILON));
        let mut x_hat = [0.0_f32; D];
        for (h, v) in x_hat.iter_mut().zip(x) {
            *h = (v - mean) * inv;
        }
        // The gradient with respect to the normalized values.
        let mut g_hat = g.data.0[0];
        let gamma = self.gamma.as_slice();
        for (k, (gh, h)) in g_hat.iter_mut().zip(&x_hat).enumerate() {
            if let Some(dg) = grads.gamma.as_mut_slice().get_mut(k) {
                *dg += *gh * h;
            }
            if let Some(db) = grads.beta.as_mut_slice().get_mut(k) {
                *db += *gh;
            }
            if let Some(s) = gamma.get(k) {
                *gh *= s;
            }
        }
        let mean_g = g_hat.iter().sum::<f32>() / n;
        let mean_gh = g_hat.iter().zip(&x_hat).map(|(a, b)| a * b).sum::<f32>() / n;
        let mut dx = [0.0_f32; D];
        for ((d, gh), h) in dx.iter_mut().zip(&g_hat).zip(&x_hat) {
            *d = inv * (gh - mean_g - h * mean_gh);
        }
        SVector::from(dx)
    }
}
