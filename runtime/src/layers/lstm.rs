//! `Lstm`: Keras's `LSTM`, gates in Keras's order i, f, c, o, all in one fused kernel.

use super::{
    Layer, kernel, load_recurrent, matrix_from_le_bytes, recurrent_from_le_bytes_at,
    recurrent_layer_items, recurrent_weights, zero_matrix,
};
use crate::activations::Activation;
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::{SMatrix, SVector};

/// Keras `LSTM(units, activation, recurrent_activation, use_bias)`.
///
/// With `z = x_t . kernel + h_{t-1} . recurrent_kernel + bias` split into four blocks of `h`
/// (gates i, f, c, o): `c_t = ra(z_f) * c_{t-1} + ra(z_i) * a(z_c)`, `h_t = ra(z_o) * a(c_t)`,
/// where `a` is the activation and `ra` the recurrent activation.
///
/// `D` inputs, `H` units, `G = 4 * H` (Rust cannot compute it in a type yet), `B` bias
/// length (`G`, or `0` for `use_bias=False`), `A` activation, `RA` recurrent activation.
/// Parameters: `4*(h*(d+h)+h)`.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, Lstm};
/// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type L = Lstm<3, 2, 8, 8, Tanh, Sigmoid>;
/// assert_eq!(L::PARAMS, 4 * (2 * (3 + 2) + 2));
/// let lstm = L::ZERO;
/// let mut state = L::INITIAL_STATE;
/// // All weights zero: every gate is sigmoid(0) = 0.5 and the candidate tanh(0) = 0.
/// let h = lstm.step(&mut state, &SVector::from([1.0, 2.0, 3.0]));
/// assert_eq!(h, SVector::from([0.0, 0.0]));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Lstm<const D: usize, const H: usize, const G: usize, const B: usize, A, RA> {
    /// Keras `kernel`, shape `(d, 4h)`, stored as its transpose (same memory order).
    pub kernel: SMatrix<f32, G, D>,
    /// Keras `recurrent_kernel`, shape `(h, 4h)`, stored as its transpose.
    pub recurrent_kernel: SMatrix<f32, G, H>,
    /// Keras `bias`, shape `(4h,)`; empty when `use_bias=False`.
    pub bias: SVector<f32, B>,
    activations: PhantomData<(A, RA)>,
}

/// The state an LSTM carries between timesteps: hidden and cell values.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, Lstm, LstmState};
/// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
///
/// let state: LstmState<2> = Lstm::<3, 2, 8, 8, Tanh, Sigmoid>::INITIAL_STATE;
/// assert_eq!((state.h.sum(), state.c.sum()), (0.0, 0.0));
/// assert_eq!(core::mem::size_of::<LstmState<2>>(), 4 * 2 * 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LstmState<const H: usize> {
    /// The hidden state, which is also the layer's output.
    pub h: SVector<f32, H>,
    /// The cell (carry) state.
    pub c: SVector<f32, H>,
}

impl<const D: usize, const H: usize, const G: usize, const B: usize, A: Activation, RA: Activation>
    Lstm<D, H, G, B, A, RA>
{
    /// The output a masked timestep repeats: the state's `h`, which is the last output
    /// (zeros before the first), as Keras carries it over masked timesteps.
    #[must_use]
    pub fn carried(&self, state: &LstmState<H>) -> SVector<f32, H> {
        state.h
    }

    /// Advances one timestep: updates `state` and returns the new hidden state.
    #[inline]
    pub fn step(&self, state: &mut LstmState<H>, x: &SVector<f32, D>) -> SVector<f32, H> {
        const { assert!(G == 4 * H, "`Lstm` needs G == 4 * H") };
        // z = bias + kernel x + recurrent_kernel h: all four gates in one pass over the
        // (4h, d+h) weights, whose columns are Keras's rows (see `kernel`).
        let mut z = [0.0_f32; G];
        z[..B].copy_from_slice(&self.bias.data.0[0]);
        kernel::gemv2(
            &mut z,
            0,
            (&self.kernel.data.0, &x.data.0[0]),
            (&self.recurrent_kernel.data.0, &state.h.data.0[0]),
        );
        let mut input = kernel::gate::<G, H>(&z, 0);
        let mut forget = kernel::gate::<G, H>(&z, 1);
        let mut candidate = kernel::gate::<G, H>(&z, 2);
        let mut output = kernel::gate::<G, H>(&z, 3);
        RA::apply(&mut input);
        RA::apply(&mut forget);
        A::apply(&mut candidate);
        RA::apply(&mut output);
        state.c = forget.component_mul(&state.c) + input.component_mul(&candidate);
        let mut cell = state.c;
        A::apply(&mut cell);
        state.h = output.component_mul(&cell);
        state.h
    }
}

impl<const D: usize, const H: usize, const G: usize, const B: usize, A: Activation, RA: Activation>
    Lstm<D, H, G, B, A, RA>
{
    recurrent_from_le_bytes_at!(marker: activations);
}

impl<const D: usize, const H: usize, const G: usize, const B: usize, A: Activation, RA: Activation>
    Layer for Lstm<D, H, G, B, A, RA>
{
    const KIND: &'static str = tinyrnn_spec::LSTM.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::LSTM.saving_name;
    const PARAMS: usize = {
        assert!(G == 4 * H, "`Lstm` needs G == 4 * H");
        assert!(
            B == 0 || B == G,
            "the bias of `Lstm` has length 0 or 4 * units"
        );
        G * (D + H) + B
    };
    const WEIGHTS: &'static [WeightSpec] = recurrent_weights!(D, H, G, B != 0, &[G]);
    const FORMULA: &'static str = tinyrnn_spec::LSTM.formula(B != 0, false);
    recurrent_layer_items!(state: LstmState<H> = LstmState {
        h: zero_matrix(),
        c: zero_matrix(),
    }, marker: activations);
}
