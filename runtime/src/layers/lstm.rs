//! `Lstm`: Keras's `LSTM`, gates in Keras's order i, f, c, o, all in one fused kernel.

use super::{
    Layer, grad, kernel, load_recurrent, matrix_from_le_bytes, recurrent_from_le_bytes_at,
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

/// What one timestep of [`Lstm`] keeps for the backward pass through time (issue 16).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LstmTape<const D: usize, const H: usize, const G: usize> {
    /// The timestep's input.
    pub x: [f32; D],
    /// The state before the timestep.
    pub h: [f32; H],
    /// The cell state before the timestep.
    pub c: [f32; H],
    /// The gates' pre-activations, `kernel x + recurrent_kernel h + bias`, in Keras's
    /// order i, f, c, o.
    pub z: [f32; G],
    /// The gates after their activations.
    pub gates: [f32; G],
    /// The new cell state.
    pub cell: [f32; H],
    /// `activation(cell)`.
    pub cell_out: [f32; H],
}

impl<const D: usize, const H: usize, const G: usize> LstmTape<D, H, G> {
    /// Before any timestep: zeros.
    pub const ZERO: Self = Self {
        x: [0.0; D],
        h: [0.0; H],
        c: [0.0; H],
        z: [0.0; G],
        gates: [0.0; G],
        cell: [0.0; H],
        cell_out: [0.0; H],
    };
}

/// The gradients an [`Lstm`] timestep passes back: to its input, its state and its cell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LstmGrad<const D: usize, const H: usize> {
    /// With respect to the timestep's input.
    pub x: SVector<f32, D>,
    /// With respect to the state before it.
    pub h: SVector<f32, H>,
    /// With respect to the cell state before it.
    pub c: SVector<f32, H>,
}

impl<const D: usize, const H: usize, const G: usize, const B: usize, A: Activation, RA: Activation>
    Lstm<D, H, G, B, A, RA>
{
    /// [`Lstm::step`], keeping what the backward pass needs in `tape`: the same state and
    /// output, bit for bit.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
    /// use tinyrnn_runtime::layers::{Layer, Lstm, LstmTape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type L = Lstm<1, 1, 4, 4, Tanh, Sigmoid>;
    /// let lstm = L::from_flat(&[0.5, -0.25, 1.0, 0.75, 0.1, 0.2, -0.3, 0.4, 0.0, 1.0, 0.0, 0.0])?;
    /// let (mut state, mut tape) = (L::INITIAL_STATE, LstmTape::ZERO);
    /// let h = lstm.step_train(&mut state, &SVector::from([2.0]), &mut tape);
    /// let mut again = L::INITIAL_STATE;
    /// assert_eq!(h, lstm.step(&mut again, &SVector::from([2.0])));
    /// let mut grads = L::ZERO;
    /// let back = lstm.backward(&tape, &SVector::from([1.0]), &SVector::zeros(), &mut grads);
    /// assert!(back.x[0] != 0.0 && grads.kernel[(3, 0)] != 0.0);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn step_train(
        &self,
        state: &mut LstmState<H>,
        x: &SVector<f32, D>,
        tape: &mut LstmTape<D, H, G>,
    ) -> SVector<f32, H> {
        tape.x = (*x).into();
        tape.h = state.h.into();
        tape.c = state.c.into();
        let mut pre = [0.0_f32; G];
        for (p, b) in pre.iter_mut().zip(self.bias.iter()) {
            *p = *b;
        }
        kernel::gemv2(
            &mut pre,
            0,
            (&self.kernel.data.0, &x.data.0[0]),
            (&self.recurrent_kernel.data.0, &state.h.data.0[0]),
        );
        tape.z = pre;
        let (mut input, mut forget, mut candidate, mut output) = (
            kernel::gate::<G, H>(&pre, 0),
            kernel::gate::<G, H>(&pre, 1),
            kernel::gate::<G, H>(&pre, 2),
            kernel::gate::<G, H>(&pre, 3),
        );
        RA::apply(&mut input);
        RA::apply(&mut forget);
        A::apply(&mut candidate);
        RA::apply(&mut output);
        for (k, gate) in [input, forget, candidate, output].iter().enumerate() {
            for (slot, v) in tape.gates.iter_mut().skip(k * H).zip(gate.iter()) {
                *slot = *v;
            }
        }
        // The state as `step` updates it, in the same operations: the same bits.
        state.c = forget.component_mul(&state.c) + input.component_mul(&candidate);
        let mut cell_out = state.c;
        A::apply(&mut cell_out);
        state.h = output.component_mul(&cell_out);
        tape.cell = state.c.into();
        tape.cell_out = cell_out.into();
        state.h
    }

    /// The backward pass of one timestep: from `dh`, the loss's gradient with respect to its
    /// output (from the layers after it and, through the state, the timesteps after it),
    /// and `dc`, with respect to its cell state (from the timestep after it), adds the
    /// weights' gradients to `grads` and returns the gradients with respect to the input,
    /// the state and the cell state before the timestep.
    pub fn backward(
        &self,
        tape: &LstmTape<D, H, G>,
        dh: &SVector<f32, H>,
        dc: &SVector<f32, H>,
        grads: &mut Self,
    ) -> LstmGrad<D, H> {
        let gate = |k: usize| kernel::gate::<G, H>(&tape.gates, k);
        let pre = |k: usize| kernel::gate::<G, H>(&tape.z, k);
        let (i, f, g, o) = (gate(0), gate(1), gate(2), gate(3));
        let (cell, cell_out) = (SVector::from(tape.cell), SVector::from(tape.cell_out));
        // Through h = o * A(cell).
        let mut d_cell = dh.component_mul(&o);
        A::backward(&cell, &cell_out, &mut d_cell);
        let d_cell = d_cell + dc;
        let mut d_o = dh.component_mul(&cell_out);
        RA::backward(&pre(3), &o, &mut d_o);
        // Through cell = f * c + i * g.
        let mut d_f = d_cell.component_mul(&SVector::from(tape.c));
        RA::backward(&pre(1), &f, &mut d_f);
        let mut d_i = d_cell.component_mul(&g);
        RA::backward(&pre(0), &i, &mut d_i);
        let mut d_g = d_cell.component_mul(&i);
        A::backward(&pre(2), &g, &mut d_g);
        let mut dz = [0.0_f32; G];
        for (k, d) in [d_i, d_f, d_g, d_o].iter().enumerate() {
            for (slot, v) in dz.iter_mut().skip(k * H).zip(d.iter()) {
                *slot = *v;
            }
        }
        grad::add_outer(&mut grads.kernel, &dz, &tape.x);
        grad::add_outer(&mut grads.recurrent_kernel, &dz, &tape.h);
        for (b, d) in grads.bias.iter_mut().zip(&dz) {
            *b += d;
        }
        LstmGrad {
            x: SVector::from(grad::transposed(&self.kernel, &dz)),
            h: SVector::from(grad::transposed(&self.recurrent_kernel, &dz)),
            c: d_cell.component_mul(&f),
        }
    }
}
