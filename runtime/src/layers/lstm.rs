//! `Lstm`: Keras's `LSTM`, gates in Keras's order i, f, c, o, all in one fused kernel.

use super::{
    Layer, Transposed, grad, grad::product, kernel, load_recurrent, matrix_from_le_bytes,
    recurrent_from_le_bytes_at, recurrent_layer_items, recurrent_weights, zero_matrix,
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
        // The activations on the widest registers (`finish` leaves the output in `state.h`:
        // nothing returned through the extra frame, which a debug build would copy).
        kernel::widest(
            G,
            #[inline(always)]
            || {
                Self::finish(state, &z);
            },
        );
        state.h
    }

    /// [`Self::step`] for `NB` independent streams at once (`Net::step_many`): each weight
    /// is loaded once for several streams, and each stream's state and output are bit for
    /// bit what [`Self::step`] gives it alone.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
    /// use tinyrnn_runtime::layers::{Layer, Lstm};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type L = Lstm<2, 3, 12, 12, Tanh, Sigmoid>;
    /// let lstm = L::from_flat(&(0..L::PARAMS).map(|i| (i % 7) as f32 * 0.1 - 0.3).collect::<Vec<_>>())?;
    /// let xs = [SVector::from([0.5, -1.0]), SVector::from([2.0, 0.25])];
    /// let (mut a, mut b) = (L::INITIAL_STATE, L::INITIAL_STATE);
    /// let one = [lstm.step(&mut a, &xs[0]), lstm.step(&mut b, &xs[1])];
    /// let mut states = [L::INITIAL_STATE; 2];
    /// assert_eq!(lstm.step_many(states.each_mut(), &xs), one);
    /// assert_eq!(states, [a, b]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    pub fn step_many<const NB: usize>(
        &self,
        mut states: [&mut LstmState<H>; NB],
        xs: &[SVector<f32, D>; NB],
    ) -> [SVector<f32, H>; NB] {
        const { assert!(G == 4 * H, "`Lstm` needs G == 4 * H") };
        // Each stream's sums at a cache-line boundary (see `kernel::gemv2_many`).
        let mut z = [crate::Aligned([0.0_f32; G]); NB];
        for crate::Aligned(z) in &mut z {
            z[..B].copy_from_slice(&self.bias.data.0[0]);
        }
        {
            let hs = states.each_ref().map(|s| &s.h.data.0[0]);
            let mut outs = z.each_mut().map(|crate::Aligned(z)| &mut z[..]);
            kernel::gemv2_many(
                &mut outs,
                0,
                (&self.kernel.data.0, &xs.each_ref().map(|x| &x.data.0[0])),
                (&self.recurrent_kernel.data.0, &hs),
            );
        }
        kernel::widest(
            G * NB,
            #[inline(always)]
            || {
                let mut out = [SVector::zeros(); NB];
                for ((o, state), crate::Aligned(z)) in out.iter_mut().zip(states.iter_mut()).zip(&z)
                {
                    *o = Self::finish(state, z);
                }
                out
            },
        )
    }

    /// The rest of a step from the gates' pre-activations `z`: the state updated, the
    /// output returned.
    #[allow(
        clippy::inline_always,
        reason = "`step` as it was before `step_many` shared it: measured on the firmware, a call here costs stack and instructions"
    )]
    #[inline(always)]
    fn finish(state: &mut LstmState<H>, z: &[f32; G]) -> SVector<f32, H> {
        let mut input = kernel::gate::<G, H>(z, 0);
        let mut forget = kernel::gate::<G, H>(z, 1);
        let mut candidate = kernel::gate::<G, H>(z, 2);
        let mut output = kernel::gate::<G, H>(z, 3);
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
    /// order i, f, c, o; after [`Lstm::backward_step`], the loss's gradient with respect to
    /// them.
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
        for (p, b) in pre.iter_mut().zip(self.bias.as_slice()) {
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
        let (gates, _) = tape.gates.as_chunks_mut::<H>();
        for (slot, gate) in gates.iter_mut().zip([input, forget, candidate, output]) {
            *slot = gate.data.0[0];
        }
        // The state as `step` updates it, in the same operations (`f * c + i * g`, then
        // `o * A(c)`): the same bits. On arrays: nalgebra's iterators do not vectorise.
        let mut cell = product(&forget.data.0[0], &state.c.data.0[0]);
        for (c, ig) in cell
            .iter_mut()
            .zip(product(&input.data.0[0], &candidate.data.0[0]))
        {
            *c += ig;
        }
        let mut cell_out = SVector::from(cell);
        A::apply(&mut cell_out);
        let hidden = product(&output.data.0[0], &cell_out.data.0[0]);
        (state.c, state.h) = (SVector::from(cell), SVector::from(hidden));
        tape.cell = cell;
        tape.cell_out = cell_out.data.0[0];
        state.h
    }

    /// The backward pass of one timestep: from `dh`, the loss's gradient with respect to its
    /// output (from the layers after it and, through the state, the timesteps after it),
    /// and `dc`, with respect to its cell state (from the timestep after it), adds the
    /// weights' gradients to `grads` and returns the gradients with respect to the input,
    /// the state and the cell state before the timestep.
    ///
    /// Through time, [`Self::backward_step`] and one [`Self::add_gradients`] after the
    /// last timestep do the same faster.
    pub fn backward(
        &self,
        tape: &LstmTape<D, H, G>,
        dh: &SVector<f32, H>,
        dc: &SVector<f32, H>,
        grads: &mut Self,
    ) -> LstmGrad<D, H> {
        let mut tape = *tape;
        let back = self.backward_step(&self.transposed(true), &mut tape, dh, dc);
        grads.add_gradients(core::slice::from_ref(&tape));
        back
    }

    /// [`Self::backward`] without the weights' gradients: replaces the tape's `z` by the
    /// gradient with respect to it, which [`Self::add_gradients`] reads once the sequence is
    /// done. `transposed` is [`Self::transposed`], made once for the whole sequence.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
    /// use tinyrnn_runtime::layers::{Layer, Lstm, LstmTape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type L = Lstm<1, 1, 4, 4, Tanh, Sigmoid>;
    /// let lstm = L::from_flat(&[0.5, -0.25, 1.0, 0.75, 0.1, 0.2, -0.3, 0.4, 0.0, 1.0, 0.0, 0.0])?;
    /// let mut state = L::INITIAL_STATE;
    /// let mut tapes = [LstmTape::ZERO; 3];
    /// for (x, tape) in [1.0, -2.0, 0.5].iter().zip(&mut tapes) {
    ///     lstm.step_train(&mut state, &SVector::from([*x]), tape);
    /// }
    /// // d loss / d h_3 = 1, back through the three timesteps.
    /// let (mut one_by_one, mut at_once) = (L::ZERO, L::ZERO);
    /// let (mut dh, mut dc) = (SVector::from([1.0]), SVector::zeros());
    /// let (mut kept, transposed) = (tapes, lstm.transposed(true));
    /// for (tape, kept) in tapes.iter().zip(&mut kept).rev() {
    ///     let back = lstm.backward(tape, &dh, &dc, &mut one_by_one);
    ///     assert_eq!(back, lstm.backward_step(&transposed, kept, &dh, &dc));
    ///     (dh, dc) = (back.h, back.c);
    /// }
    /// at_once.add_gradients(&kept);
    /// assert!((at_once.kernel - one_by_one.kernel).abs().max() < 1e-6);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    pub fn backward_step(
        &self,
        transposed: &Transposed<D, H, G>,
        tape: &mut LstmTape<D, H, G>,
        dh: &SVector<f32, H>,
        dc: &SVector<f32, H>,
    ) -> LstmGrad<D, H> {
        // On arrays, not nalgebra's element-wise operations, whose iterators do not
        // vectorise; the activations' `backward` reads the arrays of the vectors it gets.
        let (gates, _) = tape.gates.as_chunks::<H>();
        let (pre, _) = tape.z.as_chunks::<H>();
        let ([i, f, g, o], [pre_i, pre_f, pre_g, pre_o]) = (
            core::array::from_fn(|k| gates.get(k).copied().unwrap_or([0.0; H])),
            core::array::from_fn(|k| SVector::from(pre.get(k).copied().unwrap_or([0.0; H]))),
        );
        let (dh, dc) = (&dh.data.0[0], &dc.data.0[0]);
        // Through h = o * A(cell).
        let mut d_cell = SVector::from(product(dh, &o));
        A::backward(
            &SVector::from(tape.cell),
            &SVector::from(tape.cell_out),
            &mut d_cell,
        );
        let mut d_cell = d_cell.data.0[0];
        for (d, c) in d_cell.iter_mut().zip(dc) {
            *d += c;
        }
        let mut d_o = SVector::from(product(dh, &tape.cell_out));
        RA::backward(&pre_o, &SVector::from(o), &mut d_o);
        // Through cell = f * c + i * g.
        let mut d_f = SVector::from(product(&d_cell, &tape.c));
        RA::backward(&pre_f, &SVector::from(f), &mut d_f);
        let mut d_i = SVector::from(product(&d_cell, &g));
        RA::backward(&pre_i, &SVector::from(i), &mut d_i);
        let mut d_g = SVector::from(product(&d_cell, &i));
        A::backward(&pre_g, &SVector::from(g), &mut d_g);
        let (dz, _) = tape.z.as_chunks_mut::<H>();
        for (slot, d) in dz.iter_mut().zip([d_i, d_f, d_g, d_o]) {
            *slot = d.data.0[0];
        }
        let mut dh_prev = [0.0_f32; H];
        transposed.add_state(&mut dh_prev, &tape.z);
        LstmGrad {
            x: SVector::from(transposed.input(&tape.z)),
            h: SVector::from(dh_prev),
            c: SVector::from(product(&d_cell, &f)),
        }
    }

    /// The kernels transposed, for [`Self::backward_step`]: the input's (if `input`: a
    /// first layer's input gradient is not needed) and the recurrent one.
    #[must_use]
    pub fn transposed(&self, input: bool) -> Transposed<D, H, G> {
        Transposed::new(&self.kernel, &self.recurrent_kernel, input)
    }

    /// Adds to `self`, a gradient, the weights' gradients of the timesteps whose tapes
    /// [`Self::backward_step`] went through: `sum_t dz_t x_t^T` for the kernel, with the
    /// states for the recurrent kernel, `sum_t dz_t` for the bias, in one pass each (see
    /// [`Self::backward_step`]'s example).
    pub fn add_gradients(&mut self, tapes: &[LstmTape<D, H, G>]) {
        grad::add_products(&mut self.kernel, tapes, 0..G, |t| (&t.z, &t.x));
        grad::add_products(&mut self.recurrent_kernel, tapes, 0..G, |t| (&t.z, &t.h));
        grad::add_sums(self.bias.as_mut_slice(), tapes, |t| &t.z[..]);
    }
}
