//! `SimpleRnn`: Keras's `SimpleRNN`, the fully connected recurrent layer.

use super::{
    Layer, Transposed, grad, kernel, load_recurrent, matrix_from_le_bytes,
    recurrent_from_le_bytes_at, recurrent_layer_items, recurrent_weights, zero_matrix,
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

    /// [`Self::step`] for `NB` independent streams at once (`Net::step_many`): each weight
    /// is loaded once for several streams, and each stream's state and output are bit for
    /// bit what [`Self::step`] gives it alone.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Tanh;
    /// use tinyrnn_runtime::layers::{Layer, SimpleRnn};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let rnn = SimpleRnn::<1, 2, 2, Tanh>::from_flat(&[0.5, -0.5, 0.1, 0.2, 0.3, 0.4, 0.0, 0.1])?;
    /// let xs = [SVector::from([1.0]), SVector::from([-2.0])];
    /// let (mut a, mut b) = (SVector::zeros(), SVector::zeros());
    /// let one = [rnn.step(&mut a, &xs[0]), rnn.step(&mut b, &xs[1])];
    /// let mut hs = [SVector::zeros(); 2];
    /// assert_eq!(rnn.step_many(hs.each_mut(), &xs), one);
    /// assert_eq!(hs, [a, b]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    pub fn step_many<const NB: usize>(
        &self,
        mut hs: [&mut SVector<f32, H>; NB],
        xs: &[SVector<f32, D>; NB],
    ) -> [SVector<f32, H>; NB] {
        // Each stream's sums at a cache-line boundary (see `kernel::gemv2_many`).
        let mut z = [crate::Aligned([0.0_f32; H]); NB];
        for crate::Aligned(z) in &mut z {
            z[..B].copy_from_slice(&self.bias.data.0[0]);
        }
        {
            let states = hs.each_ref().map(|h| &h.data.0[0]);
            let mut outs = z.each_mut().map(|crate::Aligned(z)| &mut z[..]);
            kernel::gemv2_many(
                &mut outs,
                0,
                (&self.kernel.data.0, &xs.each_ref().map(|x| &x.data.0[0])),
                (&self.recurrent_kernel.data.0, &states),
            );
        }
        kernel::widest(
            H * NB,
            #[inline(always)]
            || {
                let mut out = [SVector::zeros(); NB];
                for ((o, h), crate::Aligned(z)) in out.iter_mut().zip(hs.iter_mut()).zip(z) {
                    let mut z = SVector::from(z);
                    A::apply(&mut z);
                    **h = z;
                    *o = z;
                }
                out
            },
        )
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

/// What one timestep of a recurrent layer keeps for the backward pass through time: its
/// input, the state before it, its pre-activation `z` and its output (issue 16).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RnnTape<const D: usize, const H: usize> {
    /// The timestep's input.
    pub x: SVector<f32, D>,
    /// The hidden state before the timestep.
    pub h: SVector<f32, H>,
    /// `kernel x + recurrent_kernel h + bias`, before the activation; after
    /// [`SimpleRnn::backward_step`], the loss's gradient with respect to it.
    pub z: SVector<f32, H>,
    /// The output, `activation(z)`, the next state.
    pub y: SVector<f32, H>,
}

impl<const D: usize, const H: usize> RnnTape<D, H> {
    /// Before any timestep: zeros.
    pub const ZERO: Self = Self {
        x: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; D]; 1])),
        h: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; H]; 1])),
        z: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; H]; 1])),
        y: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; H]; 1])),
    };
}

impl<const D: usize, const H: usize, const B: usize, A: Activation> SimpleRnn<D, H, B, A> {
    /// [`SimpleRnn::step`], keeping what the backward pass needs in `tape`: the same state
    /// and output, bit for bit.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::layers::{Layer, RnnTape, SimpleRnn};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// // h' = 2 x + 0.5 h (linear, one unit): two steps, then d loss / d h2 = 1.
    /// let rnn = SimpleRnn::<1, 1, 0, Linear>::from_flat(&[2.0, 0.5])?;
    /// let (mut h, mut tapes) = (SVector::zeros(), [RnnTape::ZERO; 2]);
    /// for (x, tape) in [1.0, 3.0].iter().zip(&mut tapes) {
    ///     rnn.step_train(&mut h, &SVector::from([*x]), tape);
    /// }
    /// assert_eq!(h[0], 2.0 * 3.0 + 0.5 * 2.0);
    /// let mut grads = SimpleRnn::ZERO;
    /// let (dx2, dh1) = rnn.backward(&tapes[1], &SVector::from([1.0]), &mut grads);
    /// let (dx1, _) = rnn.backward(&tapes[0], &dh1, &mut grads);
    /// assert_eq!((dx2[0], dx1[0]), (2.0, 2.0 * 0.5));
    /// // d h2 / d kernel = x2 + 0.5 x1; d h2 / d recurrent_kernel = h1 + 0.5 h0.
    /// assert_eq!((grads.kernel[(0, 0)], grads.recurrent_kernel[(0, 0)]), (3.0 + 0.5, 2.0));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn step_train(
        &self,
        h: &mut SVector<f32, H>,
        x: &SVector<f32, D>,
        tape: &mut RnnTape<D, H>,
    ) -> SVector<f32, H> {
        let mut z = [0.0_f32; H];
        for (z, b) in z.iter_mut().zip(self.bias.as_slice()) {
            *z = *b;
        }
        kernel::gemv2(
            &mut z,
            0,
            (&self.kernel.data.0, &x.data.0[0]),
            (&self.recurrent_kernel.data.0, &h.data.0[0]),
        );
        tape.x = *x;
        tape.h = *h;
        tape.z = SVector::from(z);
        let mut y = tape.z;
        A::apply(&mut y);
        tape.y = y;
        *h = y;
        y
    }

    /// The backward pass of one timestep: from `dy`, the loss's gradient with respect to
    /// its output (from the layers after it at this timestep plus, through the state, from
    /// the timesteps after it), adds the weights' gradients to `grads` and returns the
    /// gradients with respect to the input and to the state before the timestep (which the
    /// timestep before adds to its `dy`).
    ///
    /// Through time, [`Self::backward_step`] and one [`Self::add_gradients`] after the
    /// last timestep do the same faster.
    pub fn backward(
        &self,
        tape: &RnnTape<D, H>,
        dy: &SVector<f32, H>,
        grads: &mut Self,
    ) -> (SVector<f32, D>, SVector<f32, H>) {
        let mut tape = *tape;
        let back = self.backward_step(&self.transposed(true), &mut tape, dy);
        grads.add_gradients(core::slice::from_ref(&tape));
        back
    }

    /// [`Self::backward`] without the weights' gradients: replaces the tape's `z` by the
    /// gradient with respect to it, which [`Self::add_gradients`] reads once the sequence is
    /// done. `transposed` is [`Self::transposed`], made once for the whole sequence.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::layers::{Layer, RnnTape, SimpleRnn};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// // The example of `step_train`, the weights' gradients added after the sequence.
    /// let rnn = SimpleRnn::<1, 1, 0, Linear>::from_flat(&[2.0, 0.5])?;
    /// let (mut h, mut tapes) = (SVector::zeros(), [RnnTape::ZERO; 2]);
    /// for (x, tape) in [1.0, 3.0].iter().zip(&mut tapes) {
    ///     rnn.step_train(&mut h, &SVector::from([*x]), tape);
    /// }
    /// let transposed = rnn.transposed(false);
    /// let (_, dh1) = rnn.backward_step(&transposed, &mut tapes[1], &SVector::from([1.0]));
    /// rnn.backward_step(&transposed, &mut tapes[0], &dh1);
    /// let mut grads = SimpleRnn::<1, 1, 0, Linear>::ZERO;
    /// grads.add_gradients(&tapes);
    /// assert_eq!((grads.kernel[(0, 0)], grads.recurrent_kernel[(0, 0)]), (3.0 + 0.5, 2.0));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    pub fn backward_step(
        &self,
        transposed: &Transposed<D, H, H>,
        tape: &mut RnnTape<D, H>,
        dy: &SVector<f32, H>,
    ) -> (SVector<f32, D>, SVector<f32, H>) {
        let mut dz = *dy;
        A::backward(&tape.z, &tape.y, &mut dz);
        tape.z = dz;
        let dz = &dz.data.0[0];
        let mut dh = [0.0_f32; H];
        transposed.add_state(&mut dh, dz);
        (SVector::from(transposed.input(dz)), SVector::from(dh))
    }

    /// The kernels transposed, for [`Self::backward_step`]: the input's (if `input`: a
    /// first layer's input gradient is not needed) and the recurrent one.
    #[must_use]
    pub fn transposed(&self, input: bool) -> Transposed<D, H, H> {
        Transposed::new(&self.kernel, &self.recurrent_kernel, input)
    }

    /// Adds to `self`, a gradient, the weights' gradients of the timesteps whose tapes
    /// [`Self::backward_step`] went through: `sum_t dz_t x_t^T` for the kernel, with the
    /// states for the recurrent kernel, `sum_t dz_t` for the bias, in one pass each.
    pub fn add_gradients(&mut self, tapes: &[RnnTape<D, H>]) {
        grad::add_products(&mut self.kernel, tapes, 0..H, |t| {
            (&t.z.data.0[0], &t.x.data.0[0])
        });
        grad::add_products(&mut self.recurrent_kernel, tapes, 0..H, |t| {
            (&t.z.data.0[0], &t.h.data.0[0])
        });
        grad::add_sums(self.bias.as_mut_slice(), tapes, |t| t.z.as_slice());
    }
}
