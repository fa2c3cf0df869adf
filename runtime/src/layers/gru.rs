//! `Gru`: Keras's `GRU`, gates in Keras's order z, r, h, with both `reset_after` variants.

use super::{
    Layer, Transposed, grad, kernel, load_recurrent, matrix_from_le_bytes,
    recurrent_from_le_bytes_at, recurrent_layer_items, recurrent_weights, zero_matrix,
};
use crate::activations::Activation;
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::{SMatrix, SVector};

/// Keras `GRU(units, activation, recurrent_activation, use_bias, reset_after)`.
///
/// With `x_z, x_r, x_h` the blocks of `x_t . kernel + input_bias` and `u_*` those of
/// `h_{t-1} . recurrent_kernel (+ recurrent_bias)`: `z = ra(x_z + u_z)`, `r = ra(x_r + u_r)`,
/// candidate `n = a(x_h + r * u_h)` with `reset_after = true` (Keras's default, and PyTorch's
/// GRU), or `n = a(x_h + (r * h_{t-1}) . recurrent_kernel_h + bias_h)` with
/// `reset_after = false`; then `h_t = z * h_{t-1} + (1 - z) * n`, exactly as Keras.
///
/// `D` inputs, `H` units, `G = 3 * H`, `R` bias rows (2 with `reset_after`: input and
/// recurrent biases; 1 without; 0 for `use_bias=False`), `RESET_AFTER`, `A` activation,
/// `RA` recurrent activation. Parameters: `3*h*(d+h)+6*h` with `reset_after`, else
/// `3*(h*(d+h)+h)`.
///
/// ```
/// use tinyrnn_runtime::layers::{Gru, Layer};
/// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
///
/// assert_eq!(Gru::<3, 2, 6, 2, true, Tanh, Sigmoid>::PARAMS, 3 * 2 * (3 + 2) + 6 * 2);
/// assert_eq!(Gru::<3, 2, 6, 1, false, Tanh, Sigmoid>::PARAMS, 3 * (2 * (3 + 2) + 2));
/// assert_eq!(Gru::<3, 2, 6, 2, true, Tanh, Sigmoid>::WEIGHTS[2].shape, &[2, 6]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Gru<
    const D: usize,
    const H: usize,
    const G: usize,
    const R: usize,
    const RESET_AFTER: bool,
    A,
    RA,
> {
    /// Keras `kernel`, shape `(d, 3h)`, stored as its transpose (same memory order).
    pub kernel: SMatrix<f32, G, D>,
    /// Keras `recurrent_kernel`, shape `(h, 3h)`, stored as its transpose.
    pub recurrent_kernel: SMatrix<f32, G, H>,
    /// Keras `bias`: shape `(2, 3h)` with `reset_after` (column 0 the input bias, column 1
    /// the recurrent bias, as stored here), `(3h,)` without; empty for `use_bias=False`.
    pub bias: SMatrix<f32, G, R>,
    activations: PhantomData<(A, RA)>,
}

impl<
    const D: usize,
    const H: usize,
    const G: usize,
    const R: usize,
    const RESET_AFTER: bool,
    A: Activation,
    RA: Activation,
> Gru<D, H, G, R, RESET_AFTER, A, RA>
{
    /// The output a masked timestep repeats: the state's `h`, which is the last output
    /// (zeros before the first), as Keras carries it over masked timesteps.
    #[must_use]
    pub fn carried(&self, h: &SVector<f32, H>) -> SVector<f32, H> {
        *h
    }

    /// Advances one timestep: updates the hidden state `h` and returns it.
    #[inline]
    pub fn step(&self, h: &mut SVector<f32, H>, x: &SVector<f32, D>) -> SVector<f32, H> {
        const { assert!(G == 3 * H, "`Gru` needs G == 3 * H") };
        // Column-major storage: bias column 0 is the input bias, column 1 (reset_after only)
        // the recurrent bias.
        let biases = &self.bias.data.0;
        let mut mx = biases.first().copied().unwrap_or([0.0; G]);
        kernel::gemv(&mut mx, 0, &self.kernel.data.0, &x.data.0[0]);
        let rk = &self.recurrent_kernel.data.0;
        if RESET_AFTER {
            // inner = recurrent_kernel h + recurrent bias, all three gates in one pass.
            let mut inner = biases.get(1).copied().unwrap_or([0.0; G]);
            kernel::gemv(&mut inner, 0, rk, &h.data.0[0]);
            // The activations on the widest registers (the output left in `h`, as in
            // `Lstm::step`).
            kernel::widest(
                G,
                #[inline(always)]
                || {
                    Self::finish_after(h, &mx, &inner);
                },
            );
            *h
        } else {
            // z and r: rows 0..2h of recurrent_kernel h, added to x . kernel + bias.
            kernel::gemv(&mut mx[..2 * H], 0, rk, &h.data.0[0]);
            let (z, hr) = kernel::widest(
                G,
                #[inline(always)]
                || Self::gates_before(h, &mx),
            );
            // The candidate's recurrent part: rows 2h..3h against r * h.
            let mut rec = [0.0_f32; H];
            kernel::gemv(&mut rec, 2 * H, rk, &hr);
            kernel::widest(
                G,
                #[inline(always)]
                || {
                    Self::finish(h, z, &mx, SVector::from(rec));
                },
            );
            *h
        }
    }

    /// [`Self::step`] for `NB` independent streams at once (`Net::step_many`): each weight
    /// is loaded once for several streams, and each stream's state and output are bit for
    /// bit what [`Self::step`] gives it alone.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
    /// use tinyrnn_runtime::layers::{Gru, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type G = Gru<2, 3, 9, 2, true, Tanh, Sigmoid>;
    /// let gru = G::from_flat(&(0..G::PARAMS).map(|i| (i % 5) as f32 * 0.2 - 0.4).collect::<Vec<_>>())?;
    /// let xs = [SVector::from([0.5, -1.0]), SVector::from([2.0, 0.25])];
    /// let (mut a, mut b) = (SVector::zeros(), SVector::zeros());
    /// let one = [gru.step(&mut a, &xs[0]), gru.step(&mut b, &xs[1])];
    /// let mut hs = [SVector::zeros(); 2];
    /// assert_eq!(gru.step_many(hs.each_mut(), &xs), one);
    /// assert_eq!(hs, [a, b]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    pub fn step_many<const NB: usize>(
        &self,
        mut hs: [&mut SVector<f32, H>; NB],
        xs: &[SVector<f32, D>; NB],
    ) -> [SVector<f32, H>; NB] {
        const { assert!(G == 3 * H, "`Gru` needs G == 3 * H") };
        let biases = &self.bias.data.0;
        // Each stream's sums at a cache-line boundary (see `kernel::gemv2_many`).
        let mut mx = [crate::Aligned(biases.first().copied().unwrap_or([0.0; G])); NB];
        kernel::gemv_many(
            &mut mx.each_mut().map(|crate::Aligned(m)| &mut m[..]),
            0,
            &self.kernel.data.0,
            &xs.each_ref().map(|x| &x.data.0[0]),
        );
        let rk = &self.recurrent_kernel.data.0;
        let mut out = [SVector::zeros(); NB];
        if RESET_AFTER {
            let mut inner = [crate::Aligned(biases.get(1).copied().unwrap_or([0.0; G])); NB];
            let states = hs.each_ref().map(|h| &h.data.0[0]);
            let mut outs = inner.each_mut().map(|crate::Aligned(m)| &mut m[..]);
            kernel::gemv_many(&mut outs, 0, rk, &states);
            let pairs = mx.iter().zip(&inner);
            kernel::widest(
                G * NB,
                #[inline(always)]
                || {
                    for ((o, h), (crate::Aligned(mx), crate::Aligned(inner))) in
                        out.iter_mut().zip(hs.iter_mut()).zip(pairs)
                    {
                        *o = Self::finish_after(h, mx, inner);
                    }
                },
            );
        } else {
            let states = hs.each_ref().map(|h| &h.data.0[0]);
            let mut outs = mx.each_mut().map(|crate::Aligned(m)| &mut m[..2 * H]);
            kernel::gemv_many(&mut outs, 0, rk, &states);
            let mut zs = [SVector::zeros(); NB];
            let mut hrs = [[0.0_f32; H]; NB];
            kernel::widest(
                G * NB,
                #[inline(always)]
                || {
                    let gates = zs.iter_mut().zip(&mut hrs);
                    for (((z, hr), h), mx) in gates.zip(hs.iter()).zip(&mx) {
                        (*z, *hr) = Self::gates_before(h, mx);
                    }
                },
            );
            let mut rec = [crate::Aligned([0.0_f32; H]); NB];
            kernel::gemv_many(
                &mut rec.each_mut().map(|crate::Aligned(r)| &mut r[..]),
                2 * H,
                rk,
                &hrs.each_ref(),
            );
            kernel::widest(
                G * NB,
                #[inline(always)]
                || {
                    for ((((o, h), z), mx), crate::Aligned(rec)) in
                        out.iter_mut().zip(hs.iter_mut()).zip(zs).zip(&mx).zip(rec)
                    {
                        *o = Self::finish(h, z, mx, SVector::from(rec));
                    }
                },
            );
        }
        out
    }

    /// `reset_after`'s rest of a step, from the input's part `mx` and the recurrent part
    /// `inner` (biases included).
    #[allow(
        clippy::inline_always,
        reason = "`step` as it was before `step_many` shared it: measured on the firmware, a call here costs stack and instructions"
    )]
    #[inline(always)]
    fn finish_after(h: &mut SVector<f32, H>, mx: &[f32; G], inner: &[f32; G]) -> SVector<f32, H> {
        let (mut zz, mut rr) = (
            kernel::gate::<G, H>(mx, 0) + kernel::gate::<G, H>(inner, 0),
            kernel::gate::<G, H>(mx, 1) + kernel::gate::<G, H>(inner, 1),
        );
        RA::apply(&mut zz);
        RA::apply(&mut rr);
        let recurrent_h = rr.component_mul(&kernel::gate::<G, H>(inner, 2));
        Self::finish(h, zz, mx, recurrent_h)
    }

    /// `reset_after = false`: the update gate `z` and `r * h`, from `mx` whose first `2h`
    /// rows hold both products.
    #[allow(
        clippy::inline_always,
        reason = "`step` as it was before `step_many` shared it: measured on the firmware, a call here costs stack and instructions"
    )]
    #[inline(always)]
    fn gates_before(h: &SVector<f32, H>, mx: &[f32; G]) -> (SVector<f32, H>, [f32; H]) {
        let (mut zz, mut rr) = (kernel::gate::<G, H>(mx, 0), kernel::gate::<G, H>(mx, 1));
        RA::apply(&mut zz);
        RA::apply(&mut rr);
        let mut hr = [0.0_f32; H];
        for ((o, r), h) in hr.iter_mut().zip(rr.iter()).zip(h.iter()) {
            *o = r * h;
        }
        (zz, hr)
    }

    /// The candidate and the new state, from the update gate `z`, the input's part of the
    /// candidate (`mx`'s last `h` rows) and its recurrent part.
    #[allow(
        clippy::inline_always,
        reason = "`step` as it was before `step_many` shared it: measured on the firmware, a call here costs stack and instructions"
    )]
    #[inline(always)]
    fn finish(
        h: &mut SVector<f32, H>,
        z: SVector<f32, H>,
        mx: &[f32; G],
        recurrent_h: SVector<f32, H>,
    ) -> SVector<f32, H> {
        let mut candidate: SVector<f32, H> = kernel::gate::<G, H>(mx, 2) + recurrent_h;
        A::apply(&mut candidate);
        // h = z * h + (1 - z) * candidate, in Keras's order of operations.
        *h = z.component_mul(h) + (z.map(|z| 1.0 - z)).component_mul(&candidate);
        *h
    }
}

impl<
    const D: usize,
    const H: usize,
    const G: usize,
    const R: usize,
    const RESET_AFTER: bool,
    A: Activation,
    RA: Activation,
> Gru<D, H, G, R, RESET_AFTER, A, RA>
{
    recurrent_from_le_bytes_at!(marker: activations);
}

impl<
    const D: usize,
    const H: usize,
    const G: usize,
    const R: usize,
    const RESET_AFTER: bool,
    A: Activation,
    RA: Activation,
> Layer for Gru<D, H, G, R, RESET_AFTER, A, RA>
{
    const KIND: &'static str = tinyrnn_spec::GRU.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::GRU.saving_name;
    const PARAMS: usize = {
        assert!(G == 3 * H, "`Gru` needs G == 3 * H");
        assert!(
            R == 0 || R == if RESET_AFTER { 2 } else { 1 },
            "`Gru` has 2 bias rows with reset_after, 1 without, 0 without bias"
        );
        G * (D + H + R)
    };
    // One bias row is Keras's `(3h,)`, two its `(2, 3h)`.
    const WEIGHTS: &'static [WeightSpec] =
        recurrent_weights!(D, H, G, R != 0, if R == 1 { &[G] } else { &[R, G] });
    const FORMULA: &'static str = tinyrnn_spec::GRU.formula(R != 0, R == 2);
    recurrent_layer_items!(state: SVector<f32, H> = zero_matrix(), marker: activations);
}

/// What one timestep of [`Gru`] keeps for the backward pass through time (issue 16).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GruTape<const D: usize, const H: usize, const G: usize> {
    /// The timestep's input.
    pub x: [f32; D],
    /// The state before the timestep.
    pub h: [f32; H],
    /// `kernel x + input bias`, the three gates (z, r, h) in Keras's order; after
    /// [`Gru::backward_step`], the loss's gradient with respect to it.
    pub mx: [f32; G],
    /// The recurrent part: with `reset_after`, `recurrent_kernel h + recurrent bias`, all
    /// three gates; without, `recurrent_kernel h` for z and r, and for the candidate
    /// `recurrent_kernel (r * h)`. After [`Gru::backward_step`], the loss's gradient with
    /// respect to it.
    pub inner: [f32; G],
    /// The update gate z, the reset gate r and the candidate, after their activations.
    pub gates: [f32; G],
}

impl<const D: usize, const H: usize, const G: usize> GruTape<D, H, G> {
    /// Before any timestep: zeros.
    pub const ZERO: Self = Self {
        x: [0.0; D],
        h: [0.0; H],
        mx: [0.0; G],
        inner: [0.0; G],
        gates: [0.0; G],
    };
}

impl<
    const D: usize,
    const H: usize,
    const G: usize,
    const R: usize,
    const RESET_AFTER: bool,
    A: Activation,
    RA: Activation,
> Gru<D, H, G, R, RESET_AFTER, A, RA>
{
    /// [`Gru::step`], keeping what the backward pass needs in `tape`: the same state and
    /// output, bit for bit.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
    /// use tinyrnn_runtime::layers::{Gru, GruTape, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// type G = Gru<1, 1, 3, 2, true, Tanh, Sigmoid>;
    /// let gru = G::from_flat(&[0.5, -0.25, 1.0, 0.1, 0.2, -0.3, 0.0, 0.1, 0.2, 0.3, 0.0, -0.1])?;
    /// let (mut h, mut tape) = (SVector::zeros(), GruTape::ZERO);
    /// let y = gru.step_train(&mut h, &SVector::from([2.0]), &mut tape);
    /// let mut again = SVector::zeros();
    /// assert_eq!(y, gru.step(&mut again, &SVector::from([2.0])));
    /// let mut grads = G::ZERO;
    /// let (dx, _) = gru.backward(&tape, &SVector::from([1.0]), &mut grads);
    /// assert!(dx[0] != 0.0 && grads.kernel[(2, 0)] != 0.0);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn step_train(
        &self,
        h: &mut SVector<f32, H>,
        x: &SVector<f32, D>,
        tape: &mut GruTape<D, H, G>,
    ) -> SVector<f32, H> {
        tape.x = (*x).into();
        tape.h = (*h).into();
        let biases = &self.bias.data.0;
        let mut mx = biases.first().copied().unwrap_or([0.0; G]);
        kernel::gemv(&mut mx, 0, &self.kernel.data.0, &x.data.0[0]);
        tape.mx = mx;
        let rk = &self.recurrent_kernel.data.0;
        let mut inner = [0.0_f32; G];
        let (mut update, mut reset) = if RESET_AFTER {
            inner = biases.get(1).copied().unwrap_or([0.0; G]);
            kernel::gemv(&mut inner, 0, rk, &h.data.0[0]);
            (
                kernel::gate::<G, H>(&mx, 0) + kernel::gate::<G, H>(&inner, 0),
                kernel::gate::<G, H>(&mx, 1) + kernel::gate::<G, H>(&inner, 1),
            )
        } else {
            // As `step`: the recurrent product added into the input's part (the same bits);
            // the recurrent part alone too, for the tape.
            let mut combined = mx;
            kernel::gemv(&mut combined[..2 * H], 0, rk, &h.data.0[0]);
            kernel::gemv(&mut inner[..2 * H], 0, rk, &h.data.0[0]);
            (
                kernel::gate::<G, H>(&combined, 0),
                kernel::gate::<G, H>(&combined, 1),
            )
        };
        RA::apply(&mut update);
        RA::apply(&mut reset);
        if !RESET_AFTER {
            let mut hr = [0.0_f32; H];
            for ((o, r), h) in hr.iter_mut().zip(reset.iter()).zip(h.iter()) {
                *o = r * h;
            }
            let mut rec = [0.0_f32; H];
            kernel::gemv(&mut rec, 2 * H, rk, &hr);
            for (slot, v) in inner.iter_mut().skip(2 * H).zip(rec) {
                *slot = v;
            }
        }
        tape.inner = inner;
        // The candidate, computed as `step` computes it: the output mixes it with the state
        // (h' = z h + (1 - z) candidate), so the backward pass keeps it apart.
        let mut candidate = kernel::gate::<G, H>(&mx, 2)
            + if RESET_AFTER {
                reset.component_mul(&kernel::gate::<G, H>(&inner, 2))
            } else {
                kernel::gate::<G, H>(&inner, 2)
            };
        A::apply(&mut candidate);
        for (k, gate) in [update, reset, candidate].iter().enumerate() {
            for (slot, v) in tape.gates.iter_mut().skip(k * H).zip(gate.iter()) {
                *slot = *v;
            }
        }
        // The state as `step` updates it, in Keras's order of operations: the same bits.
        *h = update.component_mul(h) + (update.map(|z| 1.0 - z)).component_mul(&candidate);
        *h
    }

    /// The backward pass of one timestep: from `dh`, the loss's gradient with respect to its
    /// output (from the layers after it and, through the state, the timesteps after it),
    /// adds the weights' gradients to `grads` and returns the gradients with respect to the
    /// input and to the state before the timestep.
    ///
    /// Through time, [`Self::backward_step`] and one [`Self::add_gradients`] after the
    /// last timestep do the same faster.
    pub fn backward(
        &self,
        tape: &GruTape<D, H, G>,
        dh: &SVector<f32, H>,
        grads: &mut Self,
    ) -> (SVector<f32, D>, SVector<f32, H>) {
        let mut tape = *tape;
        let back = self.backward_step(&self.transposed(true), &mut tape, dh);
        grads.add_gradients(core::slice::from_ref(&tape));
        back
    }

    /// [`Self::backward`] without the weights' gradients: replaces the tape's `mx` and
    /// `inner` by the gradients with respect to them, which [`Self::add_gradients`] reads
    /// once the sequence is done. `transposed` is [`Self::transposed`], made once for the
    /// whole sequence.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
    /// use tinyrnn_runtime::layers::{Gru, GruTape, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// // reset_after = false: Keras 2's GRU, one bias row.
    /// type G = Gru<1, 1, 3, 1, false, Tanh, Sigmoid>;
    /// let gru = G::from_flat(&[0.5, -0.25, 1.0, 0.1, 0.2, -0.3, 0.0, 0.1, 0.2])?;
    /// let (mut h, mut tapes) = (SVector::zeros(), [GruTape::ZERO; 3]);
    /// for (x, tape) in [1.0, -2.0, 0.5].iter().zip(&mut tapes) {
    ///     gru.step_train(&mut h, &SVector::from([*x]), tape);
    /// }
    /// let (mut one_by_one, mut at_once) = (G::ZERO, G::ZERO);
    /// let (mut dh, mut kept, transposed) = (SVector::from([1.0]), tapes, gru.transposed(true));
    /// for (tape, kept) in tapes.iter().zip(&mut kept).rev() {
    ///     let back = gru.backward(tape, &dh, &mut one_by_one);
    ///     assert_eq!(back, gru.backward_step(&transposed, kept, &dh));
    ///     dh = back.1;
    /// }
    /// at_once.add_gradients(&kept);
    /// assert!((at_once.recurrent_kernel - one_by_one.recurrent_kernel).abs().max() < 1e-6);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    pub fn backward_step(
        &self,
        transposed: &Transposed<D, H, G>,
        tape: &mut GruTape<D, H, G>,
        dh: &SVector<f32, H>,
    ) -> (SVector<f32, D>, SVector<f32, H>) {
        use grad::{add, product};
        // On arrays, not nalgebra's element-wise operations, whose iterators do not
        // vectorise (as `Lstm::backward_step`).
        let blocks = |v: &[f32; G]| -> [[f32; H]; 3] {
            let (chunks, _) = v.as_chunks::<H>();
            core::array::from_fn(|k| chunks.get(k).copied().unwrap_or([0.0; H]))
        };
        let ([z, r, candidate], [mx_z, mx_r, mx_h], [in_z, in_r, inner_h]) =
            (blocks(&tape.gates), blocks(&tape.mx), blocks(&tape.inner));
        let (h, dh) = (&tape.h, &dh.data.0[0]);
        // h' = z * h + (1 - z) * candidate.
        let mut h_minus = *h;
        for (d, c) in h_minus.iter_mut().zip(&candidate) {
            *d -= c;
        }
        let mut dz = SVector::from(product(dh, &h_minus));
        RA::backward(
            &SVector::from(add(&mx_z, &in_z)),
            &SVector::from(z),
            &mut dz,
        );
        let mut d_candidate = SVector::from(product(dh, &z.map(|z| 1.0 - z)));
        let pre_candidate = if RESET_AFTER {
            add(&mx_h, &product(&r, &inner_h))
        } else {
            add(&mx_h, &inner_h)
        };
        A::backward(
            &SVector::from(pre_candidate),
            &SVector::from(candidate),
            &mut d_candidate,
        );
        let d_candidate = d_candidate.data.0[0];
        let mut dh_prev = product(dh, &z);
        let (dr, d_inner_h) = if RESET_AFTER {
            (product(&d_candidate, &inner_h), product(&d_candidate, &r))
        } else {
            // The candidate's recurrent part reads r * h: its gradient, through the
            // candidate's block of the recurrent kernel.
            let d_hr = transposed.state_block(2 * H, &d_candidate);
            dh_prev = add(&dh_prev, &product(&d_hr, &r));
            (product(&d_hr, h), [0.0; H])
        };
        let mut dr = SVector::from(dr);
        RA::backward(
            &SVector::from(add(&mx_r, &in_r)),
            &SVector::from(r),
            &mut dr,
        );
        let (dz, dr) = (dz.data.0[0], dr.data.0[0]);
        // The input's part (kernel, input bias) and the recurrent part, gate by gate.
        let (mx, _) = tape.mx.as_chunks_mut::<H>();
        for (slot, d) in mx.iter_mut().zip([dz, dr, d_candidate]) {
            *slot = d;
        }
        let (inner, _) = tape.inner.as_chunks_mut::<H>();
        for (slot, d) in inner.iter_mut().zip([dz, dr, d_inner_h]) {
            *slot = d;
        }
        transposed.add_state(&mut dh_prev, &tape.inner);
        if !RESET_AFTER {
            // The candidate's rows of the recurrent kernel read r * h: `add_gradients`
            // finds their gradient here.
            for (slot, v) in tape.inner.iter_mut().skip(2 * H).zip(d_candidate) {
                *slot = v;
            }
        }
        (
            SVector::from(transposed.input(&tape.mx)),
            SVector::from(dh_prev),
        )
    }

    /// The kernels transposed, for [`Self::backward_step`]: the input's (if `input`: a
    /// first layer's input gradient is not needed) and the recurrent one.
    #[must_use]
    pub fn transposed(&self, input: bool) -> Transposed<D, H, G> {
        Transposed::new(&self.kernel, &self.recurrent_kernel, input)
    }

    /// Adds to `self`, a gradient, the weights' gradients of the timesteps whose tapes
    /// [`Self::backward_step`] went through, in one pass each (see its example).
    pub fn add_gradients(&mut self, tapes: &[GruTape<D, H, G>]) {
        grad::add_products(&mut self.kernel, tapes, 0..G, |t| (&t.mx, &t.x));
        let rows = if RESET_AFTER { 0..G } else { 0..2 * H };
        grad::add_products(&mut self.recurrent_kernel, tapes, rows, |t| {
            (&t.inner, &t.h)
        });
        if !RESET_AFTER {
            // The candidate's rows read r * h, not h.
            for t in tapes {
                let mut hr = [0.0_f32; H];
                for ((o, r), h) in hr.iter_mut().zip(t.gates.iter().skip(H)).zip(&t.h) {
                    *o = r * h;
                }
                for (column, x) in self.recurrent_kernel.data.0.iter_mut().zip(hr) {
                    for (w, d) in column.iter_mut().zip(&t.inner).skip(2 * H) {
                        *w += x * d;
                    }
                }
            }
        }
        let mut rows = self.bias.data.0.iter_mut();
        if let Some(row) = rows.next() {
            grad::add_sums(row, tapes, |t| &t.mx[..]);
        }
        if let Some(row) = rows.next() {
            grad::add_sums(row, tapes, |t| &t.inner[..]);
        }
    }
}
