//! `Gru`: Keras's `GRU`, gates in Keras's order z, r, h, with both `reset_after` variants.

use super::{
    Layer, kernel, load_recurrent, matrix_from_le_bytes, recurrent_from_le_bytes_at,
    recurrent_layer_items, recurrent_weights, zero_matrix,
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
        let (z, recurrent_h): (SVector<f32, H>, SVector<f32, H>);
        if RESET_AFTER {
            // inner = recurrent_kernel h + recurrent bias, all three gates in one pass.
            let mut inner = biases.get(1).copied().unwrap_or([0.0; G]);
            kernel::gemv(&mut inner, 0, rk, &h.data.0[0]);
            let (mut zz, mut rr) = (
                kernel::gate::<G, H>(&mx, 0) + kernel::gate::<G, H>(&inner, 0),
                kernel::gate::<G, H>(&mx, 1) + kernel::gate::<G, H>(&inner, 1),
            );
            RA::apply(&mut zz);
            RA::apply(&mut rr);
            recurrent_h = rr.component_mul(&kernel::gate::<G, H>(&inner, 2));
            z = zz;
        } else {
            // z and r: rows 0..2h of recurrent_kernel h, added to x . kernel + bias.
            kernel::gemv(&mut mx[..2 * H], 0, rk, &h.data.0[0]);
            let (mut zz, mut rr) = (kernel::gate::<G, H>(&mx, 0), kernel::gate::<G, H>(&mx, 1));
            RA::apply(&mut zz);
            RA::apply(&mut rr);
            // The candidate's recurrent part: rows 2h..3h against r * h.
            let mut hr = [0.0_f32; H];
            for ((o, r), h) in hr.iter_mut().zip(rr.iter()).zip(h.iter()) {
                *o = r * h;
            }
            let mut rec = [0.0_f32; H];
            kernel::gemv(&mut rec, 2 * H, rk, &hr);
            recurrent_h = SVector::from(rec);
            z = zz;
        }
        let mut candidate: SVector<f32, H> = kernel::gate::<G, H>(&mx, 2) + recurrent_h;
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
