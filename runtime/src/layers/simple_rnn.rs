//! `SimpleRnn`: Keras's `SimpleRNN`, the fully connected recurrent layer.

use super::{
    Layer, kernel, load_recurrent, matrix_from_le_bytes, recurrent_from_le_bytes_at,
    recurrent_layer_items, recurrent_weights, zero_matrix,
};
use crate::activations::Activation;
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::{SMatrix, SVector};

/// Keras `SimpleRNN(units, activation, use_bias)`:
/// `h_t = activation(x_t . kernel + bias + h_{t-1} . recurrent_kernel)`, `h_0 = 0`.
///
/// `D` input features, `H` units, `B` bias length (`H`, or `0` for `use_bias=False`), `A` the
/// activation. Parameters: `h*(d+h)+h` (or `h*(d+h)` without bias), which is the answer to
/// "why does `SimpleRNN(2)` on 3 features have 12 parameters": kernel 3x2, recurrent kernel
/// 2x2, bias 2.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, SimpleRnn};
/// use tinyrnn_runtime::activations::Linear;
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// // One unit, one feature: h_t = 2 x_t + 1 + 0.5 h_{t-1}
/// let rnn = SimpleRnn::<1, 1, 1, Linear>::from_flat(&[2.0, 0.5, 1.0])?;
/// let mut h = SimpleRnn::<1, 1, 1, Linear>::INITIAL_STATE;
/// assert_eq!(rnn.step(&mut h, &SVector::from([1.0]))[0], 3.0);
/// assert_eq!(rnn.step(&mut h, &SVector::from([1.0]))[0], 4.5);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SimpleRnn<const D: usize, const H: usize, const B: usize, A> {
    /// Keras `kernel`, shape `(d, h)`, stored as its `h x d` transpose (same memory order).
    pub kernel: SMatrix<f32, H, D>,
    /// Keras `recurrent_kernel`, shape `(h, h)`, stored as its transpose.
    pub recurrent_kernel: SMatrix<f32, H, H>,
    /// Keras `bias`, shape `(h,)`; empty when `use_bias=False`.
    pub bias: SVector<f32, B>,
    activation: PhantomData<A>,
}

impl<const D: usize, const H: usize, const B: usize, A: Activation> SimpleRnn<D, H, B, A> {
    /// The output a masked timestep repeats: the state's `h`, which is the last output
    /// (zeros before the first), as Keras carries it over masked timesteps.
    #[must_use]
    pub fn carried(&self, h: &SVector<f32, H>) -> SVector<f32, H> {
        *h
    }

    /// Advances one timestep: updates the hidden state `h` and returns it.
    #[inline]
    pub fn step(&self, h: &mut SVector<f32, H>, x: &SVector<f32, D>) -> SVector<f32, H> {
        // bias + kernel x + recurrent_kernel h, in one pass over the (h, d+h) weights.
        let mut z = [0.0_f32; H];
        z[..B].copy_from_slice(&self.bias.data.0[0]);
        kernel::gemv2(
            &mut z,
            0,
            (&self.kernel.data.0, &x.data.0[0]),
            (&self.recurrent_kernel.data.0, &h.data.0[0]),
        );
        let mut z = SVector::from(z);
        A::apply(&mut z);
        *h = z;
        z
    }
}

impl<const D: usize, const H: usize, const B: usize, A: Activation> SimpleRnn<D, H, B, A> {
    recurrent_from_le_bytes_at!(marker: activation);
}

impl<const D: usize, const H: usize, const B: usize, A: Activation> Layer
    for SimpleRnn<D, H, B, A>
{
    const KIND: &'static str = tinyrnn_spec::SIMPLE_RNN.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::SIMPLE_RNN.saving_name;
    const PARAMS: usize = {
        assert!(
            B == 0 || B == H,
            "the bias of `SimpleRnn` has length 0 or `units`"
        );
        H * (D + H) + B
    };
    const WEIGHTS: &'static [WeightSpec] = recurrent_weights!(D, H, H, B != 0, &[H]);
    const FORMULA: &'static str = tinyrnn_spec::SIMPLE_RNN.formula(B != 0, false);
    recurrent_layer_items!(state: SVector<f32, H> = zero_matrix(), marker: activation);
}
