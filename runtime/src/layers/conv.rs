//! `Conv1D` and the 1-D pooling layers: windows slid along a whole sequence of a fixed
//! length.

use super::{
    FlatReader, Layer, check_len, matrix_from_le_bytes, weightless_layer_items, zero_matrix,
};
use crate::activations::Activation;
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::{SMatrix, SVector};

/// `padding="valid"`: no padding.
pub const VALID: u8 = 0;
/// `padding="same"`: as many outputs as `ceil(T / strides)`, the padding split as
/// TensorFlow splits it (the extra one on the right).
pub const SAME: u8 = 1;
/// `padding="causal"`: `(kernel_size - 1) * dilation_rate` zeros on the left only.
pub const CAUSAL: u8 = 2;

/// The zeros before the first timestep for `padding`, with `t` timesteps in and `to` out,
/// a window of `span` timesteps and stride `s`.
const fn pad_left(padding: u8, t: usize, to: usize, span: usize, s: usize) -> usize {
    match padding {
        VALID => 0,
        CAUSAL => span - 1,
        _ => ((to - 1) * s + span).saturating_sub(t) / 2,
    }
}

/// What the inherent impls of [`Conv1d`], [`CausalConv1d`] and [`SlidingConv1d`] share:
/// Keras's kernel shape and the `const` constructor from bytes.
macro_rules! conv_inherent_items {
    () => {
        /// Keras's kernel shape, `(kernel_size, channels / groups, filters)`.
        pub const KERNEL_SHAPE: [usize; 3] = [K, C / G, F];

        /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it).
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
    };
}

/// The part of `impl Layer` that [`Conv1d`], [`CausalConv1d`] and [`SlidingConv1d`] share: Keras's names, the
/// parameter count (with the checks of their sizes), the weight list and formula, `ZERO`,
/// and loading their kernel and bias.
macro_rules! conv_layer_items {
    () => {
        const KIND: &'static str = tinyrnn_spec::CONV_1D.keras_class;
        const KERAS_NAME: &'static str = tinyrnn_spec::CONV_1D.saving_name;
        const PARAMS: usize = {
            assert!(
                G > 0 && C.is_multiple_of(G) && F.is_multiple_of(G),
                "groups divide channels and filters"
            );
            assert!(KC == K * (C / G), "a kernel column holds k * c / g weights");
            assert!(B == 0 || B == F, "the bias has length 0 or `filters`");
            KC * F + B
        };
        const WEIGHTS: &'static [WeightSpec] = if B == 0 {
            &[WeightSpec::new("kernel", &Self::KERNEL_SHAPE)]
        } else {
            &[
                WeightSpec::new("kernel", &Self::KERNEL_SHAPE),
                WeightSpec::new("bias", &[F]),
            ]
        };
        const FORMULA: &'static str = match (B, G) {
            (0, 1) => "k*d*u",
            (_, 1) => "k*d*u+u",
            (0, _) => "k*(d/g)*u",
            _ => "k*(d/g)*u+u",
        };
        const SYMBOLS: &'static [(&'static str, usize)] = if G == 1 {
            &[("k", K), ("d", C), ("u", F)]
        } else {
            &[("k", K), ("d", C), ("g", G), ("u", F)]
        };
        const ZERO: Self = Self {
            kernel: zero_matrix(),
            bias: zero_matrix(),
            activation: PhantomData,
        };

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
    };
}

/// Keras `Conv1D(filters = F, kernel_size = K, strides = S, padding, dilation_rate = DIL,
/// groups = G, activation = A, use_bias)` on `T` timesteps of `C` channels, giving `TO`
/// timesteps of `F`. `KC` is `K * C / G` (a kernel column per filter), `B` is `F` with a
/// bias (else 0), `PAD` one of [`VALID`], [`SAME`], [`CAUSAL`].
///
/// ```
/// use tinyrnn_runtime::activations::Linear;
/// use tinyrnn_runtime::layers::{Conv1d, Layer, VALID};
///
/// // Two filters of width 2 on one channel: a difference and a sum.
/// type Conv = Conv1d<3, 1, 2, 2, 2, 2, 0, 1, 1, 1, VALID, Linear>;
/// assert_eq!((Conv::PARAMS, Conv::FORMULA), (4, "k*d*u"));
/// let conv = Conv::from_flat(&[-1.0, 1.0, 1.0, 1.0])?; // kernel (2, 1, 2)
/// assert_eq!(conv.step(&mut (), &[[1.0], [3.0], [6.0]]), [[2.0, 4.0], [3.0, 9.0]]);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Conv1d<
    const T: usize,
    const C: usize,
    const TO: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const S: usize,
    const DIL: usize,
    const G: usize,
    const PAD: u8,
    A,
> {
    /// Keras `kernel`, shape `(k, c/g, f)`, stored as its `f x (k*c/g)` transpose.
    pub kernel: SMatrix<f32, F, KC>,
    /// Keras `bias`, shape `(f,)`; empty without a bias.
    pub bias: SVector<f32, B>,
    activation: PhantomData<A>,
}

impl<
    const T: usize,
    const C: usize,
    const TO: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const S: usize,
    const DIL: usize,
    const G: usize,
    const PAD: u8,
    A: Activation,
> Conv1d<T, C, TO, F, K, KC, B, S, DIL, G, PAD, A>
{
    conv_inherent_items!();

    /// The whole sequence, convolved.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; C]; T]) -> [[f32; F]; TO] {
        let mut y = [[0.0; F]; TO];
        for (o, out) in y.iter_mut().enumerate() {
            let mut z = self.pre_activation(x, o);
            A::apply(&mut z);
            *out = z.into();
        }
        y
    }

    /// The input timestep under tap `k` of output `o`; `None` in the padding.
    fn tap(o: usize, k: usize) -> Option<usize> {
        let left = pad_left(PAD, T, TO, (K - 1) * DIL + 1, S);
        (o * S + k * DIL).checked_sub(left).filter(|&t| t < T)
    }

    /// Output `o` before the activation: the bias plus every tap's contribution.
    fn pre_activation(&self, x: &[[f32; C]; T], o: usize) -> SVector<f32, F> {
        let mut z = if B == 0 {
            SVector::zeros()
        } else {
            SVector::from_fn(|f, _| self.bias[f])
        };
        for k in 0..K {
            // The padding is zeros.
            if let Some(input) = Self::tap(o, k).and_then(|t| x.get(t)) {
                accumulate::<C, F, KC, G>(&mut z, &self.kernel, k, input);
            }
        }
        z
    }

    /// [`Self::step`] for training: the same outputs, bit for bit, keeping each output's
    /// pre-activation and activation in `tape` for [`Self::backward`].
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu;
    /// use tinyrnn_runtime::layers::{Conv1d, ConvTape, Layer, VALID};
    ///
    /// type Conv = Conv1d<3, 1, 2, 1, 2, 2, 1, 1, 1, 1, VALID, Relu>;
    /// let conv = Conv::from_flat(&[1.0, -1.0, 0.5])?;
    /// let mut tape = ConvTape::ZERO;
    /// let x = [[1.0], [3.0], [2.0]];
    /// assert_eq!(conv.step_train(&x, &mut tape), conv.step(&mut (), &x));
    /// assert_eq!(tape.z, [[-1.5], [1.5]]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn step_train(&self, x: &[[f32; C]; T], tape: &mut ConvTape<TO, F>) -> [[f32; F]; TO] {
        for (o, (z, y)) in tape.z.iter_mut().zip(tape.y.iter_mut()).enumerate() {
            let pre = self.pre_activation(x, o);
            let mut out = pre;
            A::apply(&mut out);
            (*z, *y) = (pre.into(), out.into());
        }
        tape.y
    }

    /// The backward pass over the whole sequence `x` (the input of
    /// [`Self::step_train`], which filled `tape`): from `dy`, the loss's gradient with
    /// respect to every output, adds the kernel's and the bias's gradients to `grads` (a
    /// layer of the same type used as the gradient) and returns the gradient with respect
    /// to `x` (the padding's is dropped).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::layers::{Conv1d, ConvTape, Layer, VALID};
    ///
    /// // y(o) = x(o) - x(o + 1) + 0.5.
    /// type Conv = Conv1d<3, 1, 2, 1, 2, 2, 1, 1, 1, 1, VALID, Linear>;
    /// let conv = Conv::from_flat(&[1.0, -1.0, 0.5])?;
    /// let (mut tape, mut grads) = (ConvTape::ZERO, Conv::ZERO);
    /// let x = [[1.0], [3.0], [2.0]];
    /// let _ = conv.step_train(&x, &mut tape);
    /// let dx = conv.backward(&x, &tape, &[[1.0], [2.0]], &mut grads);
    /// assert_eq!(dx, [[1.0], [1.0], [-2.0]]);
    /// // Tap 0 saw 1 and 3, tap 1 saw 3 and 2; the bias sums the gradients.
    /// let mut flat = [0.0; 3];
    /// grads.store_flat(&mut flat)?;
    /// assert_eq!(flat, [7.0, 7.0, 3.0]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward(
        &self,
        x: &[[f32; C]; T],
        tape: &ConvTape<TO, F>,
        dy: &[[f32; F]; TO],
        grads: &mut Self,
    ) -> [[f32; C]; T] {
        let mut dx = [[0.0_f32; C]; T];
        backward_windows::<C, F, K, KC, B, G, A>(
            &self.kernel,
            (&mut grads.kernel, &mut grads.bias),
            (x, &mut dx),
            ((&tape.z, &tape.y), dy),
            Self::tap,
        );
        dx
    }
}

/// A convolution's outputs as its training forward pass kept them: pre-activations and
/// activations.
type Outputs<'a, const F: usize> = (&'a [[f32; F]], &'a [[f32; F]]);

/// The backward pass of a convolution over a whole sequence `x` ([`Conv1d::backward`],
/// [`SlidingConv1d::backward_slice`]): for each output `o`, from its gradient `dy[o]`
/// through the activation (its pre-activation `z[o]` and output `y[o]`), adds the bias's
/// and, tap by tap, the kernel's gradients and the gradient with respect to the input
/// under tap `k` (`tap(o, k)`, `None` in the padding) into `dx`.
fn backward_windows<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const G: usize,
    A: Activation,
>(
    kernel: &SMatrix<f32, F, KC>,
    (grad_kernel, grad_bias): (&mut SMatrix<f32, F, KC>, &mut SVector<f32, B>),
    (x, dx): (&[[f32; C]], &mut [[f32; C]]),
    ((z, y), dy): (Outputs<'_, F>, &[[f32; F]]),
    tap: impl Fn(usize, usize) -> Option<usize>,
) {
    for (o, ((dy, z), y)) in dy.iter().zip(z).zip(y).enumerate() {
        let mut dz = SVector::from(*dy);
        A::backward(&SVector::from(*z), &SVector::from(*y), &mut dz);
        for (b, d) in grad_bias.iter_mut().zip(dz.iter()) {
            *b += d;
        }
        for k in 0..K {
            let Some(at) = tap(o, k) else {
                continue;
            };
            let (Some(xt), Some(dxt)) = (x.get(at), dx.get_mut(at)) else {
                continue;
            };
            accumulate_backward::<C, F, KC, G>(kernel, grad_kernel, k, (xt, dxt), &dz);
        }
    }
}

/// What [`Conv1d::step_train`] keeps for [`Conv1d::backward`]: each output's
/// pre-activation `z` and activation `y`, `TO` timesteps of `F` filters.
///
/// ```
/// use tinyrnn_runtime::layers::ConvTape;
///
/// assert_eq!(ConvTape::<2, 3>::ZERO.z, [[0.0; 3]; 2]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvTape<const TO: usize, const F: usize> {
    /// Each output before the activation.
    pub z: [[f32; F]; TO],
    /// Each output.
    pub y: [[f32; F]; TO],
}

impl<const TO: usize, const F: usize> ConvTape<TO, F> {
    /// Before a forward pass: zeros.
    pub const ZERO: Self = Self {
        z: [[0.0; F]; TO],
        y: [[0.0; F]; TO],
    };
}

/// Adds tap `k`'s contribution of the timestep `input` to every filter of `z`: for each
/// input channel, its weight column (one value per filter, contiguous) times its value,
/// over the filters of its group. Each filter's sum runs over taps, then channels, in the
/// same order whatever the loop's shape.
#[inline]
fn accumulate<const C: usize, const F: usize, const KC: usize, const G: usize>(
    z: &mut SVector<f32, F>,
    kernel: &SMatrix<f32, F, KC>,
    k: usize,
    input: &[f32; C],
) {
    let (cg, fg) = (C / G, F / G);
    let weights = kernel.as_slice();
    for group in 0..G {
        let filters = group * fg..(group + 1) * fg;
        for c in 0..cg {
            let v = input[group * cg + c];
            let column = &weights[(k * cg + c) * F..][..F];
            for (zf, w) in z.as_mut_slice()[filters.clone()]
                .iter_mut()
                .zip(&column[filters.clone()])
            {
                *zf += v * w;
            }
        }
    }
}

/// The backward pass of [`accumulate`] for tap `k`: from `dz`, the gradient with respect to
/// the output before the activation, adds `input x dz` into the kernel's gradient `grad`
/// and `kernel^T dz` into `dx`, the gradient with respect to the tap's input, group by group.
fn accumulate_backward<const C: usize, const F: usize, const KC: usize, const G: usize>(
    kernel: &SMatrix<f32, F, KC>,
    grad: &mut SMatrix<f32, F, KC>,
    k: usize,
    (input, dx): (&[f32; C], &mut [f32; C]),
    dz: &SVector<f32, F>,
) {
    let (cg, fg) = (C / G, F / G);
    let weights = kernel.as_slice();
    for group in 0..G {
        let filters = group * fg..(group + 1) * fg;
        let dz = dz.as_slice().get(filters.clone()).unwrap_or_default();
        for c in 0..cg {
            let (channel, column) = (group * cg + c, (k * cg + c) * F);
            let (Some(value), Some(dvalue)) = (input.get(channel), dx.get_mut(channel)) else {
                continue;
            };
            let rows = column + filters.start..column + filters.end;
            let gradient = grad.as_mut_slice().get_mut(rows.clone());
            for (g, dz) in gradient.into_iter().flatten().zip(dz) {
                *g += value * dz;
            }
            let column = weights.get(rows).unwrap_or_default();
            *dvalue += column.iter().zip(dz).map(|(w, dz)| w * dz).sum::<f32>();
        }
    }
}

impl<
    const T: usize,
    const C: usize,
    const TO: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const S: usize,
    const DIL: usize,
    const G: usize,
    const PAD: u8,
    A: Activation,
> Layer for Conv1d<T, C, TO, F, K, KC, B, S, DIL, G, PAD, A>
{
    conv_layer_items!();
    type State = ();
    const INITIAL_STATE: () = ();
    type Input = [[f32; C]; T];
    type Output = [[f32; F]; TO];

    fn step(&self, state: &mut (), x: &[[f32; C]; T]) -> [[f32; F]; TO] {
        Self::step(self, state, x)
    }
}

/// Keras `MaxPooling1D` (`AVERAGE = false`) or `AveragePooling1D` (`pool_size = P`,
/// `strides = S`, `padding` [`VALID`] or [`SAME`]) on `T` timesteps of `W` units, giving
/// `TO`. With `same` a window's padding is left out: of the maximum, and of the mean's
/// count, as TensorFlow does. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, Pooling1d, SAME};
///
/// let mean = Pooling1d::<3, 1, 2, 2, 2, SAME, true>::ZERO;
/// assert_eq!(mean.step(&mut (), &[[1.0], [3.0], [8.0]]), [[2.0], [8.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pooling1d<
    const T: usize,
    const W: usize,
    const TO: usize,
    const P: usize,
    const S: usize,
    const PAD: u8,
    const AVERAGE: bool,
>;

impl<
    const T: usize,
    const W: usize,
    const TO: usize,
    const P: usize,
    const S: usize,
    const PAD: u8,
    const AVERAGE: bool,
> Pooling1d<T, W, TO, P, S, PAD, AVERAGE>
{
    /// The whole sequence, pooled.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; W]; T]) -> [[f32; W]; TO] {
        let left = pad_left(PAD, T, TO, P, S);
        let mut y = [[0.0; W]; TO];
        for (o, out) in y.iter_mut().enumerate() {
            let start = (o * S).saturating_sub(left);
            let end = (o * S + P).saturating_sub(left).min(T);
            let window = &x[start..end];
            for (u, v) in out.iter_mut().enumerate() {
                let values = window.iter().map(|xt| xt[u]);
                *v = if AVERAGE {
                    #[allow(clippy::cast_precision_loss, reason = "a window's length")]
                    let n = window.len() as f32;
                    values.sum::<f32>() / n
                } else {
                    values.fold(f32::NEG_INFINITY, f32::max)
                };
            }
        }
        y
    }

    /// The backward pass over the whole sequence `x`: from `dy`, the loss's gradient with
    /// respect to every output, the gradient with respect to `x`. A mean hands each of its
    /// window's timesteps an equal share (padding left out, as in the count); a maximum
    /// hands all of it to the window's first maximum, as TensorFlow's `MaxPoolGrad` does.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, Pooling1d, SAME};
    ///
    /// let max = Pooling1d::<3, 1, 2, 2, 2, SAME, false>::ZERO;
    /// assert_eq!(max.backward(&[[1.0], [3.0], [8.0]], &[[1.0], [2.0]]), [[0.0], [1.0], [2.0]]);
    /// let mean = Pooling1d::<3, 1, 2, 2, 2, SAME, true>::ZERO;
    /// assert_eq!(mean.backward(&[[1.0], [3.0], [8.0]], &[[1.0], [2.0]]), [[0.5], [0.5], [2.0]]);
    /// ```
    #[must_use]
    pub fn backward(&self, x: &[[f32; W]; T], dy: &[[f32; W]; TO]) -> [[f32; W]; T] {
        let left = pad_left(PAD, T, TO, P, S);
        let mut dx = [[0.0_f32; W]; T];
        for (o, dy) in dy.iter().enumerate() {
            let start = (o * S).saturating_sub(left);
            let end = (o * S + P).saturating_sub(left).min(T);
            let (Some(window), Some(dwindow)) = (x.get(start..end), dx.get_mut(start..end)) else {
                continue;
            };
            for (u, d) in dy.iter().enumerate() {
                if AVERAGE {
                    #[allow(clippy::cast_precision_loss, reason = "a window's length")]
                    let n = window.len() as f32;
                    for dxt in dwindow.iter_mut() {
                        if let Some(g) = dxt.get_mut(u) {
                            *g += d / n;
                        }
                    }
                } else {
                    let values = window
                        .iter()
                        .map(|xt| xt.get(u).copied().unwrap_or_default());
                    let max = values.clone().fold(f32::NEG_INFINITY, f32::max);
                    let first = values.clone().position(|v| v == max).unwrap_or_default();
                    if let Some(g) = dwindow.get_mut(first).and_then(|dxt| dxt.get_mut(u)) {
                        *g += d;
                    }
                }
            }
        }
        dx
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<
    const T: usize,
    const W: usize,
    const TO: usize,
    const P: usize,
    const S: usize,
    const PAD: u8,
    const AVERAGE: bool,
> Layer for Pooling1d<T, W, TO, P, S, PAD, AVERAGE>
{
    weightless_layer_items!(
        spec: if AVERAGE {
            tinyrnn_spec::AVERAGE_POOLING_1D
        } else {
            tinyrnn_spec::MAX_POOLING_1D
        },
        input: [[f32; W]; T],
        output: [[f32; W]; TO]
    );
}

/// Keras `GlobalMaxPooling1D` (`AVERAGE = false`) or `GlobalAveragePooling1D` on `T`
/// timesteps of `W` units: one vector, each unit's maximum or mean over time. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{GlobalPooling1d, Layer};
///
/// let max = GlobalPooling1d::<3, 2, false>::ZERO;
/// assert_eq!(max.step(&mut (), &[[1.0, 5.0], [3.0, 0.0], [2.0, 1.0]]).as_slice(), &[3.0, 5.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GlobalPooling1d<const T: usize, const W: usize, const AVERAGE: bool>;

impl<const T: usize, const W: usize, const AVERAGE: bool> GlobalPooling1d<T, W, AVERAGE> {
    /// The sequence, pooled over time.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; W]; T]) -> SVector<f32, W> {
        SVector::from_fn(|u, _| {
            let values = x.iter().map(|xt| xt[u]);
            if AVERAGE {
                #[allow(clippy::cast_precision_loss, reason = "a sequence's length")]
                let n = T as f32;
                values.sum::<f32>() / n
            } else {
                values.fold(f32::NEG_INFINITY, f32::max)
            }
        })
    }

    /// Keras's `GlobalAveragePooling1D` after a mask: the mean of the timesteps `keep`
    /// marks, the others left out of the sum and the count (NaN when none is kept, as
    /// Keras's `0 / 0`).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{GlobalPooling1d, Layer};
    ///
    /// let mean = GlobalPooling1d::<3, 1, true>::ZERO;
    /// let y = mean.masked_average(&[[1.0], [5.0], [3.0]], &[true, false, true]);
    /// assert_eq!(y[0], 2.0);
    /// ```
    #[must_use]
    pub fn masked_average(&self, x: &[[f32; W]; T], keep: &[bool; T]) -> SVector<f32, W> {
        let mut sum = [0.0_f32; W];
        let mut kept = 0.0_f32;
        for (xt, _) in x.iter().zip(keep).filter(|(_, keep)| **keep) {
            kept += 1.0;
            for (s, v) in sum.iter_mut().zip(xt) {
                *s += v;
            }
        }
        SVector::from(sum.map(|s| s / kept))
    }

    /// The backward pass of [`Self::masked_average`]: `dy` divided among the kept timesteps
    /// (none to the masked ones; none at all when every timestep is masked, whose mean is
    /// the constant NaN Keras also gives).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{GlobalPooling1d, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let mean = GlobalPooling1d::<3, 1, true>::ZERO;
    /// let dx = mean.masked_average_backward(&[true, false, true], &SVector::from([1.0]));
    /// assert_eq!(dx, [[0.5], [0.0], [0.5]]);
    /// ```
    #[must_use]
    pub fn masked_average_backward(&self, keep: &[bool; T], dy: &SVector<f32, W>) -> [[f32; W]; T] {
        let kept = keep.iter().filter(|k| **k).count();
        let mut dx = [[0.0_f32; W]; T];
        if kept == 0 {
            return dx;
        }
        #[allow(clippy::cast_precision_loss, reason = "a sequence's length")]
        let kept = kept as f32;
        for (d, _) in dx.iter_mut().zip(keep).filter(|(_, keep)| **keep) {
            for (d, g) in d.iter_mut().zip(dy.iter()) {
                *d = g / kept;
            }
        }
        dx
    }

    /// The backward pass over the whole sequence `x`: from `dy`, the loss's gradient with
    /// respect to the pooled vector, the gradient with respect to `x`. A mean hands every
    /// timestep `dy / T`; a maximum hands `dy` to the timesteps where it is reached, split
    /// equally among ties, as TensorFlow's gradient of `reduce_max` does.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{GlobalPooling1d, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let max = GlobalPooling1d::<3, 2, false>::ZERO;
    /// let x = [[1.0, 5.0], [3.0, 0.0], [3.0, 1.0]];
    /// let dx = max.backward(&x, &SVector::from([1.0, 2.0]));
    /// assert_eq!(dx, [[0.0, 2.0], [0.5, 0.0], [0.5, 0.0]]);
    /// let mean = GlobalPooling1d::<2, 1, true>::ZERO;
    /// assert_eq!(mean.backward(&[[1.0], [2.0]], &SVector::from([1.0])), [[0.5], [0.5]]);
    /// ```
    #[must_use]
    pub fn backward(&self, x: &[[f32; W]; T], dy: &SVector<f32, W>) -> [[f32; W]; T] {
        let mut dx = [[0.0_f32; W]; T];
        for (u, d) in dy.iter().enumerate() {
            let values = x.iter().map(|xt| xt.get(u).copied().unwrap_or_default());
            let max = values.clone().fold(f32::NEG_INFINITY, f32::max);
            #[allow(clippy::cast_precision_loss, reason = "a sequence's length")]
            let share = if AVERAGE {
                d / T as f32
            } else {
                d / values.clone().filter(|v| *v == max).count() as f32
            };
            for (dxt, v) in dx.iter_mut().zip(values) {
                if let Some(g) = dxt.get_mut(u).filter(|_| AVERAGE || v == max) {
                    *g += share;
                }
            }
        }
        dx
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const T: usize, const W: usize, const AVERAGE: bool> Layer for GlobalPooling1d<T, W, AVERAGE> {
    weightless_layer_items!(
        spec: if AVERAGE {
            tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D
        } else {
            tinyrnn_spec::GLOBAL_MAX_POOLING_1D
        },
        input: [[f32; W]; T],
        output: SVector<f32, W>
    );
}

/// The state of a [`CausalConv1d`]: the last `R = (kernel_size - 1) * dilation_rate`
/// timesteps it read (zeros before the first, as causal padding is), in a ring.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConvState<const C: usize, const R: usize> {
    /// The timesteps, oldest overwritten first.
    pub past: [[f32; C]; R],
    /// Where the next timestep goes.
    pub next: usize,
}

impl<const C: usize, const R: usize> ConvState<C, R> {
    /// Before the first timestep: the causal padding, zeros.
    pub const ZERO: Self = Self {
        past: [[0.0; C]; R],
        next: 0,
    };
}

/// Keras `Conv1D(padding="causal", strides=1)`, one timestep at a time: what [`Conv1d`]
/// computes for a whole sequence, from the `R = (K - 1) * DIL` timesteps before this one
/// (its state, a ring buffer, nothing more), so that a model with it streams with `step`,
/// bit for bit as `forward`, and takes sequences of any length. Same weights and layout.
///
/// ```
/// use tinyrnn_runtime::activations::Linear;
/// use tinyrnn_runtime::layers::{CausalConv1d, ConvState, Layer};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// // Kernel 2, dilation 2: y(t) = x(t - 2) - x(t), on one channel.
/// type Conv = CausalConv1d<1, 1, 2, 2, 0, 2, 1, 2, Linear>;
/// let conv = Conv::from_flat(&[1.0, -1.0])?;
/// let mut state = ConvState::ZERO;
/// let ys: Vec<f32> = [1.0, 2.0, 4.0, 8.0]
///     .iter()
///     .map(|&x| conv.step(&mut state, &SVector::from([x]))[0])
///     .collect();
/// assert_eq!(ys, [-1.0, -2.0, -3.0, -6.0]);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CausalConv1d<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const DIL: usize,
    const G: usize,
    const R: usize,
    A,
> {
    /// Keras `kernel`, shape `(k, c/g, f)`, stored as its `f x (k*c/g)` transpose.
    pub kernel: SMatrix<f32, F, KC>,
    /// Keras `bias`, shape `(f,)`; empty without a bias.
    pub bias: SVector<f32, B>,
    activation: PhantomData<A>,
}

impl<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const DIL: usize,
    const G: usize,
    const R: usize,
    A: Activation,
> CausalConv1d<C, F, K, KC, B, DIL, G, R, A>
{
    conv_inherent_items!();

    const REACH: () = assert!(R == (K - 1) * DIL, "the state holds the receptive field");

    /// One timestep: the kernel over it and the `R` before it; then it joins them.
    #[must_use]
    pub fn step(&self, state: &mut ConvState<C, R>, x: &SVector<f32, C>) -> SVector<f32, F> {
        let () = Self::REACH;
        let mut z = if B == 0 {
            SVector::zeros()
        } else {
            SVector::from_fn(|f, _| self.bias[f])
        };
        let now: [f32; C] = (*x).into();
        // The ring's position, below `R` in any state `step` made; a state edited by hand
        // to hold another (the field is public) restarts the ring rather than panic.
        let next = if state.next < R { state.next } else { 0 };
        for k in 0..K {
            // Tap `k` reads the timestep `lag = (K - 1 - k) * DIL <= R` before this one,
            // `lag` places back around the ring (no division: `R` need not be a power of 2).
            let lag = (K - 1 - k) * DIL;
            let input = if lag == 0 {
                &now
            } else if next >= lag {
                &state.past[next - lag]
            } else {
                &state.past[next + R - lag]
            };
            accumulate::<C, F, KC, G>(&mut z, &self.kernel, k, input);
        }
        if R > 0 {
            state.past[next] = now;
            state.next = if next + 1 == R { 0 } else { next + 1 };
        }
        A::apply(&mut z);
        z
    }
}

/// What one timestep of a [`CausalConv1d`] keeps for the backward pass (issue 16): the
/// input under each tap (tap `k` read the timestep `(K - 1 - k) * DIL` before this one;
/// zeros in the causal padding), and the output before and after the activation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CausalTape<const C: usize, const F: usize, const K: usize> {
    /// The inputs under the taps, in the kernel's order.
    pub taps: [[f32; C]; K],
    /// The output before the activation.
    pub z: [f32; F],
    /// The output.
    pub y: [f32; F],
}

impl<const C: usize, const F: usize, const K: usize> CausalTape<C, F, K> {
    /// Before any timestep: zeros.
    pub const ZERO: Self = Self {
        taps: [[0.0; C]; K],
        z: [0.0; F],
        y: [0.0; F],
    };
}

impl<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const DIL: usize,
    const G: usize,
    const R: usize,
    A: Activation,
> CausalConv1d<C, F, K, KC, B, DIL, G, R, A>
{
    /// [`Self::step`], keeping the taps' inputs and the output in `tape`: the same state and
    /// output, bit for bit.
    pub fn step_train(
        &self,
        state: &mut ConvState<C, R>,
        x: &SVector<f32, C>,
        tape: &mut CausalTape<C, F, K>,
    ) -> SVector<f32, F> {
        let next = if state.next < R { state.next } else { 0 };
        for (k, slot) in tape.taps.iter_mut().enumerate() {
            let lag = (K - 1 - k) * DIL;
            *slot = if lag == 0 {
                (*x).into()
            } else {
                let at = if next >= lag {
                    next - lag
                } else {
                    next + R - lag
                };
                state.past.get(at).copied().unwrap_or([0.0; C])
            };
        }
        let y = self.step(state, x);
        let mut z = y;
        // `step` applied the activation in place; the pre-activation again, in its order.
        z.fill(0.0);
        if B != 0 {
            z = SVector::from_fn(|f, _| self.bias.as_slice().get(f).copied().unwrap_or(0.0));
        }
        for (k, input) in tape.taps.iter().enumerate() {
            accumulate::<C, F, KC, G>(&mut z, &self.kernel, k, input);
        }
        (tape.z, tape.y) = (z.into(), y.into());
        y
    }

    /// The backward pass of one timestep: from `dy`, the gradient with respect to its
    /// output, adds the kernel's and the bias's gradients to `grads` and returns the
    /// gradient with respect to each tap's input (tap `k`'s belongs to the timestep
    /// `(K - 1 - k) * DIL` before this one, which the caller adds it to).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::layers::{CausalConv1d, CausalTape, ConvState, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// // y(t) = x(t - 2) - x(t): d y / d x(t - 2) = 1, d y / d x(t) = -1.
    /// type Conv = CausalConv1d<1, 1, 2, 2, 0, 2, 1, 2, Linear>;
    /// let conv = Conv::from_flat(&[1.0, -1.0])?;
    /// let (mut state, mut tapes) = (ConvState::ZERO, [CausalTape::ZERO; 3]);
    /// for (x, tape) in [1.0, 2.0, 4.0].iter().zip(&mut tapes) {
    ///     conv.step_train(&mut state, &SVector::from([*x]), tape);
    /// }
    /// let mut grads = Conv::ZERO;
    /// let taps = conv.backward_step(&tapes[2], &SVector::from([1.0]), &mut grads);
    /// assert_eq!(taps, [[1.0], [-1.0]]);
    /// // The kernel's gradient: each tap's input, x(0) = 1 and x(2) = 4.
    /// assert_eq!((grads.kernel[(0, 0)], grads.kernel[(0, 1)]), (1.0, 4.0));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward_step(
        &self,
        tape: &CausalTape<C, F, K>,
        dy: &SVector<f32, F>,
        grads: &mut Self,
    ) -> [[f32; C]; K] {
        let mut dz = *dy;
        A::backward(&SVector::from(tape.z), &SVector::from(tape.y), &mut dz);
        for (b, d) in grads.bias.as_mut_slice().iter_mut().zip(dz.iter()) {
            *b += d;
        }
        let mut inputs = [[0.0_f32; C]; K];
        for (k, (dx, input)) in inputs.iter_mut().zip(&tape.taps).enumerate() {
            accumulate_backward::<C, F, KC, G>(
                &self.kernel,
                &mut grads.kernel,
                k,
                (input, dx),
                &dz,
            );
        }
        inputs
    }
}

impl<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const DIL: usize,
    const G: usize,
    const R: usize,
    A: Activation,
> Layer for CausalConv1d<C, F, K, KC, B, DIL, G, R, A>
{
    conv_layer_items!();
    type State = ConvState<C, R>;
    const INITIAL_STATE: ConvState<C, R> = ConvState::ZERO;
    type Input = SVector<f32, C>;
    type Output = SVector<f32, F>;

    fn step(&self, state: &mut ConvState<C, R>, x: &SVector<f32, C>) -> SVector<f32, F> {
        Self::step(self, state, x)
    }
}

/// The state of a window slid along a sequence of any length, one timestep at a time
/// ([`SlidingConv1d`], [`SlidingPooling1d`]): the last `N` timesteps read (`N` the window's
/// span, in a ring by their index), how many were read, and how many windows were emitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WindowState<const C: usize, const N: usize> {
    /// The timesteps, timestep `i` at `i % N`.
    pub ring: [[f32; C]; N],
    /// Timesteps read so far.
    pub read: usize,
    /// Windows emitted so far.
    pub emitted: usize,
}

impl<const C: usize, const N: usize> WindowState<C, N> {
    /// Before the first timestep.
    pub const ZERO: Self = Self {
        ring: [[0.0; C]; N],
        read: 0,
        emitted: 0,
    };

    /// Keeps timestep `x`.
    fn keep(&mut self, x: [f32; C]) {
        if let Some(slot) = self.ring.get_mut(self.read % N) {
            *slot = x;
        }
        self.read += 1;
    }

    /// The timesteps under window `o`'s `K` taps, tap `k` at `o * S + k * DIL - LEFT`:
    /// `None` in the padding, before the sequence or past what was read.
    fn taps<const K: usize, const S: usize, const DIL: usize, const LEFT: usize>(
        &self,
        o: usize,
    ) -> [Option<&[f32; C]>; K] {
        core::array::from_fn(|k| {
            let i = (o * S + k * DIL).checked_sub(LEFT)?;
            if i >= self.read || self.read - i > N {
                return None;
            }
            self.ring.get(i % N)
        })
    }

    /// Whether window `o = emitted`, whose last tap reads timestep `o * S + (N - 1) - LEFT`,
    /// ends with the timestep just read.
    fn window_ends<const S: usize, const LEFT: usize>(&self) -> bool {
        self.emitted * S + (N - 1) + 1 == self.read + LEFT
    }
}

/// How many windows of span `n` and stride `s` a sequence of `t` timesteps makes: `valid`,
/// or `same` and `causal` (stride 1, `same`; any stride, `causal`).
const fn windows(t: usize, n: usize, s: usize, padded: bool) -> usize {
    if padded {
        t.div_ceil(s)
    } else if t >= n {
        (t - n) / s + 1
    } else {
        0
    }
}

/// Keras `Conv1D` on a sequence of any length, one timestep at a time, emitting an output
/// when a window is complete: every `S`-th timestep once the first window is full (`padding =
/// valid`), from the first timestep (`causal`, any stride: an output every `S` timesteps),
/// or one per timestep with the last `(N - 1) / 2` emitted at the end by [`Self::flush`]
/// (`same`, stride 1; with strides its padding depends on the sequence's length). What
/// [`Conv1d`] computes for a whole sequence, the same windows in the same order, for
/// `model!`'s `forward` on `input [_, F]`. `N` is the span `(K - 1) * DIL + 1`, `LEFT` the
/// padding before the sequence, `SAME` whether windows run past its end. Same weights.
///
/// ```
/// use tinyrnn_runtime::activations::Linear;
/// use tinyrnn_runtime::layers::{Layer, SlidingConv1d, WindowState};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// // Kernel 2, stride 2, valid: y = x(2o) + x(2o + 1), on one channel.
/// type Conv = SlidingConv1d<1, 1, 2, 2, 0, 2, 1, 1, 2, 0, false, Linear>;
/// let conv = Conv::from_flat(&[1.0, 1.0])?;
/// let mut state = WindowState::ZERO;
/// let out: Vec<_> = [1.0, 2.0, 3.0, 4.0, 5.0]
///     .iter()
///     .map(|&x| conv.push(&mut state, &SVector::from([x])).map(|y| y[0]))
///     .collect();
/// assert_eq!(out, [None, Some(3.0), None, Some(7.0), None]);
/// assert_eq!(Conv::outputs(5), 2);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SlidingConv1d<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const S: usize,
    const DIL: usize,
    const G: usize,
    const N: usize,
    const LEFT: usize,
    const SAME: bool,
    A,
> {
    /// Keras `kernel`, shape `(k, c/g, f)`, stored as its `f x (k*c/g)` transpose.
    pub kernel: SMatrix<f32, F, KC>,
    /// Keras `bias`, shape `(f,)`; empty without a bias.
    pub bias: SVector<f32, B>,
    activation: PhantomData<A>,
}

impl<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const S: usize,
    const DIL: usize,
    const G: usize,
    const N: usize,
    const LEFT: usize,
    const SAME: bool,
    A: Activation,
> SlidingConv1d<C, F, K, KC, B, S, DIL, G, N, LEFT, SAME, A>
{
    conv_inherent_items!();

    const SPAN: () = assert!(N == (K - 1) * DIL + 1, "`N` is the window's span");

    /// How many outputs a sequence of `t` timesteps gives.
    #[must_use]
    pub const fn outputs(t: usize) -> usize {
        windows(t, N, S, SAME || LEFT == N - 1)
    }

    /// Reads one timestep; the output of the window it completes, if it completes one.
    #[must_use]
    pub fn push(
        &self,
        state: &mut WindowState<C, N>,
        x: &SVector<f32, C>,
    ) -> Option<SVector<f32, F>> {
        let () = Self::SPAN;
        state.keep((*x).into());
        if !state.window_ends::<S, LEFT>() {
            return None;
        }
        Some(self.next_window(state))
    }

    /// After the last timestep (`same` padding): the next window that runs past the
    /// sequence's end, until there are as many outputs as timesteps.
    #[must_use]
    pub fn flush(&self, state: &mut WindowState<C, N>) -> Option<SVector<f32, F>> {
        (SAME && state.emitted < Self::outputs(state.read)).then(|| self.next_window(state))
    }

    fn next_window(&self, state: &mut WindowState<C, N>) -> SVector<f32, F> {
        let mut z = if B == 0 {
            SVector::zeros()
        } else {
            SVector::from_fn(|f, _| self.bias[f])
        };
        let taps = state.taps::<K, S, DIL, LEFT>(state.emitted);
        for (k, tap) in taps.iter().enumerate() {
            if let Some(x) = tap {
                accumulate::<C, F, KC, G>(&mut z, &self.kernel, k, x);
            }
        }
        state.emitted += 1;
        A::apply(&mut z);
        z
    }

    /// The timestep of a sequence of `len` under tap `k` of window `o`; `None` in the
    /// padding (what [`WindowState`]'s ring leaves out).
    fn tap_of(o: usize, k: usize, len: usize) -> Option<usize> {
        (o * S + k * DIL).checked_sub(LEFT).filter(|&t| t < len)
    }

    /// [`Self::push`] and [`Self::flush`] over a whole sequence `x` at once, for training
    /// (`backward` on `input [_, F]`): each window's pre-activation into `z` and output into
    /// `y`, bit for bit what pushing gives. `z` and `y` hold [`Self::outputs`]`(x.len())`
    /// timesteps (extra ones are left alone).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Relu;
    /// use tinyrnn_runtime::layers::{Layer, SlidingConv1d, WindowState};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// // Kernel 2, stride 1, valid: y = relu(x(o) - x(o + 1)).
    /// type Conv = SlidingConv1d<1, 1, 2, 2, 0, 1, 1, 1, 2, 0, false, Relu>;
    /// let conv = Conv::from_flat(&[1.0, -1.0])?;
    /// let x = [[1.0], [3.0], [2.0]];
    /// let (mut z, mut y) = ([[0.0]; 2], [[0.0]; 2]);
    /// conv.train_slice(&x, &mut z, &mut y);
    /// assert_eq!((z, y), ([[-2.0], [1.0]], [[0.0], [1.0]]));
    /// let mut state = WindowState::ZERO;
    /// let pushed: Vec<_> = x.iter().filter_map(|v| conv.push(&mut state, &SVector::from(*v))).collect();
    /// assert_eq!(pushed[1][0], y[1][0]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn train_slice(&self, x: &[[f32; C]], z: &mut [[f32; F]], y: &mut [[f32; F]]) {
        let () = Self::SPAN;
        let outputs = Self::outputs(x.len());
        for (o, (z, y)) in z.iter_mut().zip(y.iter_mut()).take(outputs).enumerate() {
            let mut pre = if B == 0 {
                SVector::zeros()
            } else {
                SVector::from_fn(|f, _| self.bias[f])
            };
            for k in 0..K {
                if let Some(input) = Self::tap_of(o, k, x.len()).and_then(|t| x.get(t)) {
                    accumulate::<C, F, KC, G>(&mut pre, &self.kernel, k, input);
                }
            }
            let mut out = pre;
            A::apply(&mut out);
            (*z, *y) = (pre.into(), out.into());
        }
    }

    /// The backward pass of [`Self::train_slice`] over the whole sequence `x`: from `dy`,
    /// the loss's gradient with respect to each output, adds the kernel's and the bias's
    /// gradients to `grads` and the gradient with respect to `x` to `dx` (as long as `x`).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::layers::{Layer, SlidingConv1d};
    ///
    /// // y(o) = x(o) - x(o + 1) + 0.5.
    /// type Conv = SlidingConv1d<1, 1, 2, 2, 1, 1, 1, 1, 2, 0, false, Linear>;
    /// let (conv, mut grads) = (Conv::from_flat(&[1.0, -1.0, 0.5])?, Conv::ZERO);
    /// let x = [[1.0], [3.0], [2.0]];
    /// let (mut z, mut y) = ([[0.0]; 2], [[0.0]; 2]);
    /// conv.train_slice(&x, &mut z, &mut y);
    /// let mut dx = [[0.0]; 3];
    /// conv.backward_slice(&x, (&z, &y), &[[1.0], [2.0]], &mut dx, &mut grads);
    /// assert_eq!(dx, [[1.0], [1.0], [-2.0]]);
    /// let mut flat = [0.0; 3];
    /// grads.store_flat(&mut flat)?;
    /// assert_eq!(flat, [7.0, 7.0, 3.0]);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    pub fn backward_slice(
        &self,
        x: &[[f32; C]],
        (z, y): (&[[f32; F]], &[[f32; F]]),
        dy: &[[f32; F]],
        dx: &mut [[f32; C]],
        grads: &mut Self,
    ) {
        let len = x.len();
        backward_windows::<C, F, K, KC, B, G, A>(
            &self.kernel,
            (&mut grads.kernel, &mut grads.bias),
            (x, dx),
            ((z, y), dy),
            |o, k| Self::tap_of(o, k, len),
        );
    }
}

impl<
    const C: usize,
    const F: usize,
    const K: usize,
    const KC: usize,
    const B: usize,
    const S: usize,
    const DIL: usize,
    const G: usize,
    const N: usize,
    const LEFT: usize,
    const SAME: bool,
    A: Activation,
> Layer for SlidingConv1d<C, F, K, KC, B, S, DIL, G, N, LEFT, SAME, A>
{
    conv_layer_items!();
    type State = WindowState<C, N>;
    const INITIAL_STATE: WindowState<C, N> = WindowState::ZERO;
    type Input = SVector<f32, C>;
    type Output = Option<SVector<f32, F>>;

    fn step(&self, state: &mut WindowState<C, N>, x: &SVector<f32, C>) -> Self::Output {
        self.push(state, x)
    }
}

/// Keras `MaxPooling1D` (`AVERAGE = false`) or `AveragePooling1D` on a sequence of any
/// length, one timestep at a time, as [`SlidingConv1d`] slides its kernel: the windows of
/// [`Pooling1d`], padding left out of the maximum and of the mean's count. `N` is the pool
/// size. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, SlidingPooling1d, WindowState};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let max = SlidingPooling1d::<1, 2, 2, 0, false, false>::ZERO;
/// let mut state = WindowState::ZERO;
/// let out: Vec<_> = [1.0, 5.0, 3.0, 2.0]
///     .iter()
///     .filter_map(|&x| max.push(&mut state, &SVector::from([x])).map(|y| y[0]))
///     .collect();
/// assert_eq!(out, [5.0, 3.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlidingPooling1d<
    const W: usize,
    const N: usize,
    const S: usize,
    const LEFT: usize,
    const SAME: bool,
    const AVERAGE: bool,
>;

impl<
    const W: usize,
    const N: usize,
    const S: usize,
    const LEFT: usize,
    const SAME: bool,
    const AVERAGE: bool,
> SlidingPooling1d<W, N, S, LEFT, SAME, AVERAGE>
{
    /// How many outputs a sequence of `t` timesteps gives.
    #[must_use]
    pub const fn outputs(t: usize) -> usize {
        windows(t, N, S, SAME)
    }

    /// Reads one timestep; the window it completes, pooled, if it completes one.
    #[must_use]
    pub fn push(
        &self,
        state: &mut WindowState<W, N>,
        x: &SVector<f32, W>,
    ) -> Option<SVector<f32, W>> {
        state.keep((*x).into());
        if !state.window_ends::<S, LEFT>() {
            return None;
        }
        Some(Self::next_window(state))
    }

    /// After the last timestep (`same` padding): the next window that runs past the end.
    #[must_use]
    pub fn flush(&self, state: &mut WindowState<W, N>) -> Option<SVector<f32, W>> {
        (SAME && state.emitted < Self::outputs(state.read)).then(|| Self::next_window(state))
    }

    /// The timesteps of a sequence of `len` under window `o`, padding left out.
    fn window_of(o: usize, len: usize) -> impl Iterator<Item = usize> + Clone {
        (0..N).filter_map(move |k| (o * S + k).checked_sub(LEFT).filter(|&t| t < len))
    }

    /// [`Self::push`] and [`Self::flush`] over a whole sequence `x` at once (`backward`
    /// on `input [_, F]`): each window, pooled, into `out`, bit for bit what pushing gives.
    /// `out` holds [`Self::outputs`]`(x.len())` timesteps (extra ones are left alone).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, SlidingPooling1d};
    ///
    /// let max = SlidingPooling1d::<1, 2, 2, 0, false, false>::ZERO;
    /// let mut out = [[0.0]; 2];
    /// max.pool_slice(&[[1.0], [5.0], [3.0], [2.0]], &mut out);
    /// assert_eq!(out, [[5.0], [3.0]]);
    /// ```
    pub fn pool_slice(&self, x: &[[f32; W]], out: &mut [[f32; W]]) {
        for (o, y) in out.iter_mut().take(Self::outputs(x.len())).enumerate() {
            let window = Self::window_of(o, x.len());
            for (u, y) in y.iter_mut().enumerate() {
                let values = window.clone().filter_map(|t| x.get(t)?.get(u).copied());
                *y = if AVERAGE {
                    #[allow(clippy::cast_precision_loss, reason = "a window's length")]
                    let n = window.clone().count() as f32;
                    values.sum::<f32>() / n
                } else {
                    values.fold(f32::NEG_INFINITY, f32::max)
                };
            }
        }
    }

    /// The backward pass of [`Self::pool_slice`]: from `dy`, the loss's gradient with
    /// respect to each output, adds the gradient with respect to `x` to `dx`. A mean hands
    /// each of its window's timesteps an equal share; a maximum hands all of it to the
    /// window's first maximum, as TensorFlow's `MaxPoolGrad` does.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, SlidingPooling1d};
    ///
    /// let max = SlidingPooling1d::<1, 2, 2, 0, true, false>::ZERO;
    /// let mut dx = [[0.0]; 3];
    /// max.backward_slice(&[[1.0], [3.0], [8.0]], &[[1.0], [2.0]], &mut dx);
    /// assert_eq!(dx, [[0.0], [1.0], [2.0]]);
    /// ```
    pub fn backward_slice(&self, x: &[[f32; W]], dy: &[[f32; W]], dx: &mut [[f32; W]]) {
        for (o, dy) in dy.iter().enumerate() {
            let window = Self::window_of(o, x.len());
            for (u, d) in dy.iter().enumerate() {
                if AVERAGE {
                    #[allow(clippy::cast_precision_loss, reason = "a window's length")]
                    let n = window.clone().count() as f32;
                    for t in window.clone() {
                        if let Some(g) = dx.get_mut(t).and_then(|dxt| dxt.get_mut(u)) {
                            *g += d / n;
                        }
                    }
                } else {
                    let value = |t: usize| x.get(t).and_then(|xt| xt.get(u)).copied();
                    let max = window
                        .clone()
                        .filter_map(value)
                        .fold(f32::NEG_INFINITY, f32::max);
                    let first = window.clone().find(|&t| value(t) == Some(max));
                    if let Some(g) = first.and_then(|t| dx.get_mut(t)?.get_mut(u)) {
                        *g += d;
                    }
                }
            }
        }
    }

    fn next_window(state: &mut WindowState<W, N>) -> SVector<f32, W> {
        let taps = state.taps::<N, S, 1, LEFT>(state.emitted);
        let y = SVector::from_fn(|u, _| {
            let values = taps.iter().flatten().filter_map(|xt| xt.get(u).copied());
            if AVERAGE {
                #[allow(clippy::cast_precision_loss, reason = "a window's length")]
                let n = taps.iter().flatten().count() as f32;
                values.sum::<f32>() / n
            } else {
                values.fold(f32::NEG_INFINITY, f32::max)
            }
        });
        state.emitted += 1;
        y
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<
    const W: usize,
    const N: usize,
    const S: usize,
    const LEFT: usize,
    const SAME: bool,
    const AVERAGE: bool,
> Layer for SlidingPooling1d<W, N, S, LEFT, SAME, AVERAGE>
{
    const KIND: &'static str = if AVERAGE {
        tinyrnn_spec::AVERAGE_POOLING_1D.keras_class
    } else {
        tinyrnn_spec::MAX_POOLING_1D.keras_class
    };
    const KERAS_NAME: &'static str = if AVERAGE {
        tinyrnn_spec::AVERAGE_POOLING_1D.saving_name
    } else {
        tinyrnn_spec::MAX_POOLING_1D.saving_name
    };
    const PARAMS: usize = 0;
    const WEIGHTS: &'static [WeightSpec] = &[];
    const FORMULA: &'static str = "0";
    const SYMBOLS: &'static [(&'static str, usize)] = &[];
    const ZERO: Self = Self;
    type State = WindowState<W, N>;
    const INITIAL_STATE: WindowState<W, N> = WindowState::ZERO;
    type Input = SVector<f32, W>;
    type Output = Option<SVector<f32, W>>;

    fn step(&self, state: &mut WindowState<W, N>, x: &SVector<f32, W>) -> Self::Output {
        self.push(state, x)
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, 0)
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, 0)
    }
}

/// The state of a [`RunningPooling1d`]: the maximum, or the sum, of every timestep read so
/// far, and how many were read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunningState<const W: usize> {
    /// The running maximum or sum.
    pub value: [f32; W],
    /// Timesteps read so far.
    pub read: usize,
}

/// Keras `GlobalMaxPooling1D` (`AVERAGE = false`) or `GlobalAveragePooling1D` on a sequence
/// of any length, one timestep at a time: [`Self::push`] each, then [`Self::finish`] gives
/// what [`GlobalPooling1d`] computes for a whole sequence, in the same order. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, RunningPooling1d};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let mean = RunningPooling1d::<1, true>::ZERO;
/// let mut state = RunningPooling1d::<1, true>::INITIAL_STATE;
/// for x in [1.0, 2.0, 6.0] {
///     mean.push(&mut state, &SVector::from([x]));
/// }
/// assert_eq!(mean.finish(&state)[0], 3.0);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunningPooling1d<const W: usize, const AVERAGE: bool>;

impl<const W: usize, const AVERAGE: bool> RunningPooling1d<W, AVERAGE> {
    /// Adds one timestep to the maximum or the sum.
    pub fn push(&self, state: &mut RunningState<W>, x: &SVector<f32, W>) {
        for (value, x) in state.value.iter_mut().zip(x.iter()) {
            *value = if AVERAGE { *value + x } else { value.max(*x) };
        }
        state.read += 1;
    }

    /// The maximum, or the mean, of every timestep read (the mean of none is NaN).
    #[must_use]
    pub fn finish(&self, state: &RunningState<W>) -> SVector<f32, W> {
        #[allow(clippy::cast_precision_loss, reason = "a sequence's length")]
        let n = state.read as f32;
        SVector::from(state.value.map(|v| if AVERAGE { v / n } else { v }))
    }

    /// [`Self::push`] of every timestep of `x` marked in `keep` (all of them with `None`),
    /// then [`Self::finish`]: the pooled whole sequence, bit for bit (`backward` on
    /// `input [_, F]`).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, RunningPooling1d};
    ///
    /// let mean = RunningPooling1d::<1, true>::ZERO;
    /// assert_eq!(mean.pool_slice(&[[1.0], [2.0], [6.0]], None)[0], 3.0);
    /// assert_eq!(mean.pool_slice(&[[1.0], [2.0], [6.0]], Some(&[true, false, true]))[0], 3.5);
    /// ```
    #[must_use]
    pub fn pool_slice(&self, x: &[[f32; W]], keep: Option<&[bool]>) -> SVector<f32, W> {
        let mut state = Self::INITIAL_STATE;
        for (t, xt) in x.iter().enumerate() {
            if keep.is_none_or(|keep| keep.get(t).copied().unwrap_or(false)) {
                self.push(&mut state, &SVector::from(*xt));
            }
        }
        self.finish(&state)
    }

    /// The backward pass of [`Self::pool_slice`]: from `dy`, the loss's gradient with
    /// respect to the pooled vector, adds the gradient with respect to `x` to `dx`. A mean
    /// hands each timestep it read `dy / n` (the masked ones nothing, and none at all when
    /// every one is masked); a maximum hands `dy` to the timesteps where it is reached,
    /// split among ties, as TensorFlow's gradient of `reduce_max` does.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, RunningPooling1d};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let max = RunningPooling1d::<1, false>::ZERO;
    /// let mut dx = [[0.0]; 3];
    /// max.backward_slice(&[[1.0], [3.0], [3.0]], None, &SVector::from([1.0]), &mut dx);
    /// assert_eq!(dx, [[0.0], [0.5], [0.5]]);
    /// ```
    pub fn backward_slice(
        &self,
        x: &[[f32; W]],
        keep: Option<&[bool]>,
        dy: &SVector<f32, W>,
        dx: &mut [[f32; W]],
    ) {
        let read = |t: usize| keep.is_none_or(|keep| keep.get(t).copied().unwrap_or(false));
        for (u, d) in dy.iter().enumerate() {
            let value = |t: usize| {
                x.get(t)
                    .and_then(|xt| xt.get(u))
                    .copied()
                    .unwrap_or_default()
            };
            let timesteps = (0..x.len()).filter(|&t| read(t));
            let max = timesteps
                .clone()
                .map(value)
                .fold(f32::NEG_INFINITY, f32::max);
            let chosen = |t: &usize| AVERAGE || value(*t) == max;
            let count = timesteps.clone().filter(chosen).count();
            if count == 0 {
                continue;
            }
            #[allow(clippy::cast_precision_loss, reason = "a sequence's length")]
            let share = d / count as f32;
            for t in timesteps.filter(chosen) {
                if let Some(g) = dx.get_mut(t).and_then(|dxt| dxt.get_mut(u)) {
                    *g += share;
                }
            }
        }
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const W: usize, const AVERAGE: bool> Layer for RunningPooling1d<W, AVERAGE> {
    const KIND: &'static str = if AVERAGE {
        tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D.keras_class
    } else {
        tinyrnn_spec::GLOBAL_MAX_POOLING_1D.keras_class
    };
    const KERAS_NAME: &'static str = if AVERAGE {
        tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D.saving_name
    } else {
        tinyrnn_spec::GLOBAL_MAX_POOLING_1D.saving_name
    };
    const PARAMS: usize = 0;
    const WEIGHTS: &'static [WeightSpec] = &[];
    const FORMULA: &'static str = "0";
    const SYMBOLS: &'static [(&'static str, usize)] = &[];
    const ZERO: Self = Self;
    type State = RunningState<W>;
    /// The sum starts at `-0.0`, as Rust's `f32` sums do; the maximum at minus infinity.
    const INITIAL_STATE: RunningState<W> = RunningState {
        value: [if AVERAGE { -0.0 } else { f32::NEG_INFINITY }; W],
        read: 0,
    };
    type Input = SVector<f32, W>;
    type Output = ();

    fn step(&self, state: &mut RunningState<W>, x: &SVector<f32, W>) {
        self.push(state, x);
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, 0)
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, 0)
    }
}
