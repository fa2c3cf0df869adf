//! `Dense`: a fully connected layer, applied per timestep on sequences as Keras 3 does.

use super::{
    FlatReader, Layer, check_len, kernel, matrix_from_le_bytes, stateless_layer_items, zero_matrix,
};
use crate::activations::Activation;
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::{SMatrix, SVector};

/// Keras `Dense(units, activation, use_bias)`: `y = activation(x . kernel + bias)`.
///
/// `D` inputs, `U` units, `B` bias length (`U` with a bias, `0` for `use_bias=False`), `A` the
/// activation. Parameters: `d*u+u` (or `d*u` without bias).
///
/// ```
/// use tinyrnn_runtime::layers::{Dense, Layer};
/// use tinyrnn_runtime::activations::Linear;
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// // kernel (2, 1) = [[2], [3]], bias (1,) = [1]
/// let dense = Dense::<2, 1, 1, Linear>::from_flat(&[2.0, 3.0, 1.0])?;
/// assert_eq!(Dense::<2, 1, 1, Linear>::PARAMS, 3);
/// assert_eq!(dense.step(&mut (), &SVector::from([1.0, 1.0]))[0], 6.0);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dense<const D: usize, const U: usize, const B: usize, A> {
    /// Keras `kernel`, shape `(d, u)`, stored as its `u x d` transpose (same memory order).
    pub kernel: SMatrix<f32, U, D>,
    /// Keras `bias`, shape `(u,)`; empty when `use_bias=False`.
    pub bias: SVector<f32, B>,
    activation: PhantomData<A>,
}

impl<const D: usize, const U: usize, const B: usize, A: Activation> Dense<D, U, B, A> {
    /// Maps one timestep's input to the layer's output. Dense layers carry no state.
    #[inline]
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, D>) -> SVector<f32, U> {
        let mut z = [0.0_f32; U];
        z[..B].copy_from_slice(&self.bias.data.0[0]);
        kernel::gemv(&mut z, 0, &self.kernel.data.0, &x.data.0[0]);
        let mut z = SVector::from(z);
        A::apply(&mut z);
        z
    }
}

impl<const D: usize, const U: usize, const B: usize, A: Activation> Dense<D, U, B, A> {
    /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it), in Keras
    /// `get_weights()` order. `const`, so that weights can be built into flash; the generated
    /// `Net::from_le_bytes` calls it.
    ///
    /// # Panics
    /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
    #[must_use]
    pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
        Self {
            kernel: matrix_from_le_bytes(bytes, offset),
            bias: matrix_from_le_bytes(bytes, offset),
            activation: PhantomData,
        }
    }
}

impl<const D: usize, const U: usize, const B: usize, A: Activation> Layer for Dense<D, U, B, A> {
    const KIND: &'static str = tinyrnn_spec::DENSE.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::DENSE.saving_name;
    const PARAMS: usize = {
        assert!(
            B == 0 || B == U,
            "the bias of `Dense` has length 0 or `units`"
        );
        D * U + B
    };
    const WEIGHTS: &'static [WeightSpec] = if B == 0 {
        &[WeightSpec::new("kernel", &[D, U])]
    } else {
        &[
            WeightSpec::new("kernel", &[D, U]),
            WeightSpec::new("bias", &[U]),
        ]
    };
    const FORMULA: &'static str = tinyrnn_spec::DENSE.formula(B != 0, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D), ("u", U)];
    const ZERO: Self = Self {
        kernel: zero_matrix(),
        bias: zero_matrix(),
        activation: PhantomData,
    };
    stateless_layer_items!(input: D, output: U);

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        let mut r = FlatReader::new(w);
        r.fill(&mut self.kernel);
        r.fill(&mut self.bias);
        Ok(())
    }
}
