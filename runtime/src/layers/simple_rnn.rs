//! `SimpleRnn`: Keras's `SimpleRNN`, the fully connected recurrent layer.

use super::{FlatReader, Layer, check_len, kernel, matrix_from_le_bytes, zero_matrix};
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
            recurrent_kernel: matrix_from_le_bytes(bytes, offset),
            bias: matrix_from_le_bytes(bytes, offset),
            activation: PhantomData,
        }
    }
}

impl<const D: usize, const H: usize, const B: usize, A: Activation> Layer
    for SimpleRnn<D, H, B, A>
{
    const KIND: &'static str = tinyrnn_spec::SIMPLE_RNN.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::SIMPLE_RNN.keyword;
    const PARAMS: usize = {
        assert!(
            B == 0 || B == H,
            "the bias of `SimpleRnn` has length 0 or `units`"
        );
        H * (D + H) + B
    };
    const WEIGHTS: &'static [WeightSpec] = if B == 0 {
        &[
            WeightSpec::new("kernel", &[D, H]),
            WeightSpec::new("recurrent_kernel", &[H, H]),
        ]
    } else {
        &[
            WeightSpec::new("kernel", &[D, H]),
            WeightSpec::new("recurrent_kernel", &[H, H]),
            WeightSpec::new("bias", &[H]),
        ]
    };
    const FORMULA: &'static str = tinyrnn_spec::SIMPLE_RNN.formula(B != 0, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D), ("h", H)];
    const ZERO: Self = Self {
        kernel: zero_matrix(),
        recurrent_kernel: zero_matrix(),
        bias: zero_matrix(),
        activation: PhantomData,
    };
    type State = SVector<f32, H>;
    const INITIAL_STATE: SVector<f32, H> = zero_matrix();
    type Input = SVector<f32, D>;
    type Output = SVector<f32, H>;

    #[inline]
    fn step(&self, state: &mut SVector<f32, H>, x: &SVector<f32, D>) -> SVector<f32, H> {
        Self::step(self, state, x)
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        let mut r = FlatReader::new(w);
        r.fill(&mut self.kernel);
        r.fill(&mut self.recurrent_kernel);
        r.fill(&mut self.bias);
        Ok(())
    }
}
