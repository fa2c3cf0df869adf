//! `Dense`: a fully connected layer, applied per timestep on sequences as Keras 3 does.

use super::{
    FlatReader, Layer, check_len, grad, kernel, matrix_from_le_bytes, stateless_layer_items,
    zero_matrix,
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

    /// [`Self::step`] for `NB` inputs at once (`Net::step_many`): each weight is loaded
    /// once for several inputs, and each output is bit for bit what [`Self::step`] gives.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu;
    /// use tinyrnn_runtime::layers::{Dense, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let dense = Dense::<2, 1, 1, Relu>::from_flat(&[1.0, -1.0, 0.5])?;
    /// let xs = [SVector::from([1.0, 3.0]), SVector::from([3.0, 1.0])];
    /// let ys = dense.step_many(&xs);
    /// assert_eq!(ys, [dense.step(&mut (), &xs[0]), dense.step(&mut (), &xs[1])]);
    /// assert_eq!((ys[0][0], ys[1][0]), (0.0, 2.5));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    #[inline]
    #[must_use]
    pub fn step_many<const NB: usize>(&self, xs: &[SVector<f32, D>; NB]) -> [SVector<f32, U>; NB] {
        // Each stream's sums at a cache-line boundary (see `kernel::gemv2_many`).
        let mut z = [crate::Aligned([0.0_f32; U]); NB];
        for crate::Aligned(z) in &mut z {
            z[..B].copy_from_slice(&self.bias.data.0[0]);
        }
        {
            let mut outs = z.each_mut().map(|crate::Aligned(z)| &mut z[..]);
            kernel::gemv_many(
                &mut outs,
                0,
                &self.kernel.data.0,
                &xs.each_ref().map(|x| &x.data.0[0]),
            );
        }
        kernel::widest(
            U * NB,
            #[inline(always)]
            || {
                z.map(|crate::Aligned(z)| {
                    let mut z = SVector::from(z);
                    A::apply(&mut z);
                    z
                })
            },
        )
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

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let mut w = super::FlatWriter::new(out);
        w.store(&self.kernel);
        w.store(&self.bias);
        Ok(())
    }
}

/// What one call of [`Dense`] keeps for its backward pass: its input, its pre-activation
/// `z` and its output `y` (issue 16).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DenseTape<const D: usize, const U: usize> {
    /// The input.
    pub x: SVector<f32, D>,
    /// `kernel x + bias`, before the activation.
    pub z: SVector<f32, U>,
    /// The output, `activation(z)`.
    pub y: SVector<f32, U>,
}

impl<const D: usize, const U: usize> DenseTape<D, U> {
    /// Before any call: zeros.
    pub const ZERO: Self = Self {
        x: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; D]; 1])),
        z: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; U]; 1])),
        y: SVector::from_array_storage(nalgebra::ArrayStorage([[0.0; U]; 1])),
    };
}

impl<const D: usize, const U: usize, const B: usize, A: Activation> Dense<D, U, B, A> {
    /// [`Dense::step`], keeping what the backward pass needs in `tape`: the same output,
    /// bit for bit.
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Tanh;
    /// use tinyrnn_runtime::layers::{Dense, DenseTape, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// // y = tanh(2 x0 - x1 + 0.5); d loss / d y = 1.
    /// let dense = Dense::<2, 1, 1, Tanh>::from_flat(&[2.0, -1.0, 0.5])?;
    /// let mut tape = DenseTape::ZERO;
    /// let x = SVector::from([0.25, 0.5]);
    /// let y = dense.step_train(&x, &mut tape);
    /// let mut grads = Dense::ZERO;
    /// let dx = dense.backward(&tape, &SVector::from([1.0]), &mut grads);
    /// let dz = 1.0 - y[0] * y[0];
    /// assert_eq!((grads.kernel[(0, 0)], grads.kernel[(0, 1)], grads.bias[0]), (dz * 0.25, dz * 0.5, dz));
    /// assert_eq!((dx[0], dx[1]), (2.0 * dz, -dz));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn step_train(&self, x: &SVector<f32, D>, tape: &mut DenseTape<D, U>) -> SVector<f32, U> {
        let mut z = [0.0_f32; U];
        for (z, b) in z.iter_mut().zip(self.bias.as_slice()) {
            *z = *b;
        }
        kernel::gemv(&mut z, 0, &self.kernel.data.0, &x.data.0[0]);
        tape.x = *x;
        tape.z = SVector::from(z);
        let mut y = tape.z;
        A::apply(&mut y);
        tape.y = y;
        y
    }

    /// The backward pass of one call: from `dy`, the loss's gradient with respect to the
    /// output, adds the gradients of the kernel and the bias to `grads` (a layer of the same
    /// type used as the gradient) and returns the gradient with respect to the input.
    pub fn backward(
        &self,
        tape: &DenseTape<D, U>,
        dy: &SVector<f32, U>,
        grads: &mut Self,
    ) -> SVector<f32, D> {
        let mut dz = *dy;
        A::backward(&tape.z, &tape.y, &mut dz);
        self.backward_z(tape, &dz, grads)
    }

    /// [`Self::backward`] from the gradient with respect to `z`, before the activation (a
    /// loss computed from the logits, as Keras does after a sigmoid or softmax).
    pub fn backward_z(
        &self,
        tape: &DenseTape<D, U>,
        dz: &SVector<f32, U>,
        grads: &mut Self,
    ) -> SVector<f32, D> {
        let dz: [f32; U] = (*dz).into();
        grad::add_outer(&mut grads.kernel, &dz, &tape.x.into());
        for (b, dz) in grads.bias.iter_mut().zip(&dz) {
            *b += dz;
        }
        SVector::from(grad::transposed(&self.kernel, &dz))
    }
}
