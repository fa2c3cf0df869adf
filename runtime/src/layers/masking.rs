//! `Masking`: timesteps whose features all equal a value are skipped downstream.

use super::{Layer, weightless_layer_items};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras `Masking(mask_value)` on `D` features (`MASK_VALUE` is the bits of an `f32`): a
/// timestep whose features all equal the value is masked, its output zeros, and the
/// recurrent layers after it skip it (state and output carried over), as Keras does;
/// `model!` generates that skipping from [`Masking::keeps`]. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, Masking};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type Mask = Masking<2, { 0.0_f32.to_bits() }>;
/// let mask = Mask::ZERO;
/// assert!(!mask.keeps(&SVector::from([0.0, 0.0])));
/// assert!(mask.keeps(&SVector::from([0.0, 1.0])));
/// assert_eq!(mask.step(&mut (), &SVector::from([0.0, 1.0])).as_slice(), &[0.0, 1.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Masking<const D: usize, const MASK_VALUE: u32>;

impl<const D: usize, const MASK_VALUE: u32> Masking<D, MASK_VALUE> {
    /// Whether the timestep `x` is kept: some feature differs from the mask value.
    #[must_use]
    pub fn keeps(&self, x: &SVector<f32, D>) -> bool {
        let value = f32::from_bits(MASK_VALUE);
        #[allow(
            clippy::float_cmp,
            reason = "Keras compares with the mask value exactly"
        )]
        x.iter().any(|&v| v != value)
    }

    /// The timestep, or zeros where it is masked.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, D> {
        if self.keeps(x) { *x } else { SVector::zeros() }
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const D: usize, const MASK_VALUE: u32> Layer for Masking<D, MASK_VALUE> {
    weightless_layer_items!(spec: MASKING, input: SVector<f32, D>, output: SVector<f32, D>);
}
