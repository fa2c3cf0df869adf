//! `RepeatVector`, `Flatten` and `Reshape`: the layers that turn a vector into a sequence
//! and a sequence into a vector; `ZeroPadding1D`, `Cropping1D` and `UpSampling1D`, which
//! make a sequence of another length. None has weights.

use super::{Layer, weightless_layer_items};
use crate::{Error, WeightSpec};
use nalgebra::SVector;

/// Keras `RepeatVector(n)` on `W`-wide vectors: the vector, `N` times, as a sequence (the
/// decoder input of sequence-to-sequence models). No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, RepeatVector};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let repeat = RepeatVector::<2, 3>::ZERO;
/// assert_eq!(repeat.step(&mut (), &SVector::from([1.0, 2.0])), [[1.0, 2.0]; 3]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepeatVector<const W: usize, const N: usize>;

impl<const W: usize, const N: usize> RepeatVector<W, N> {
    /// The vector `N` times.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &SVector<f32, W>) -> [[f32; W]; N] {
        [(*x).into(); N]
    }

    /// The backward pass: the gradient with respect to the vector, the sum of `dy`'s
    /// timesteps (each was a copy of it).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, RepeatVector};
    ///
    /// let repeat = RepeatVector::<2, 2>::ZERO;
    /// assert_eq!(repeat.backward(&[[1.0, 2.0], [3.0, 4.0]]).as_slice(), &[4.0, 6.0]);
    /// ```
    #[must_use]
    pub fn backward(&self, dy: &[[f32; W]; N]) -> SVector<f32, W> {
        let mut dx = [0.0_f32; W];
        for dyt in dy {
            for (d, g) in dx.iter_mut().zip(dyt) {
                *d += g;
            }
        }
        SVector::from(dx)
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const W: usize, const N: usize> Layer for RepeatVector<W, N> {
    weightless_layer_items!(spec: REPEAT_VECTOR, input: SVector<f32, W>, output: [[f32; W]; N]);
}

/// Keras `Flatten()` on a sequence of `T` timesteps of `W` units: one vector of `N = T * W`
/// values, timestep after timestep (row-major, as Keras flattens). On a vector Keras's
/// `Flatten` changes nothing, and `model!` gives it `T = 1`. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Flatten, Layer};
///
/// let flatten = Flatten::<2, 2, 4>::ZERO;
/// assert_eq!(flatten.step(&mut (), &[[1.0, 2.0], [3.0, 4.0]]).as_slice(), &[1.0, 2.0, 3.0, 4.0]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Flatten<const T: usize, const W: usize, const N: usize>;

impl<const T: usize, const W: usize, const N: usize> Flatten<T, W, N> {
    const CHECK: () = assert!(N == T * W, "`N` is `T * W`");

    /// The sequence as one vector.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; W]; T]) -> SVector<f32, N> {
        let () = Self::CHECK;
        SVector::from_iterator(x.iter().flatten().copied())
    }

    /// The backward pass of [`Self::step`]: `dy`, the gradient with respect to the vector,
    /// as the sequence's.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Flatten, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let flatten = Flatten::<2, 2, 4>::ZERO;
    /// let dx = flatten.backward(&SVector::from([1.0, 2.0, 3.0, 4.0]));
    /// assert_eq!(dx, [[1.0, 2.0], [3.0, 4.0]]);
    /// ```
    #[must_use]
    pub fn backward(&self, dy: &SVector<f32, N>) -> [[f32; W]; T] {
        let () = Self::CHECK;
        let mut dx = [[0.0_f32; W]; T];
        for (d, g) in dx.iter_mut().flatten().zip(dy.iter()) {
            *d = *g;
        }
        dx
    }

    /// A vector, unchanged (`Flatten` after a layer that returns one vector).
    #[must_use]
    pub fn step_vector(&self, _state: &mut (), x: &SVector<f32, N>) -> SVector<f32, N> {
        *x
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const T: usize, const W: usize, const N: usize> Layer for Flatten<T, W, N> {
    weightless_layer_items!(spec: FLATTEN, input: [[f32; W]; T], output: SVector<f32, N>);
}

/// Keras `Reshape(target_shape)` in a sequence model: `TI` timesteps of `WI` values become
/// `TO` timesteps of `WO` (`TI * WI == TO * WO`), the values in order (row-major, as
/// Keras reshapes). A vector is one timestep: `TI = 1` reshapes a vector into a sequence
/// (`Reshape((-1, 1))` after a `Dense`), `TO = 1` a sequence into a vector (as `Flatten`).
/// No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, Reshape};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let to_sequence = Reshape::<1, 4, 2, 2>::ZERO;
/// let y = to_sequence.from_vector(&SVector::from([1.0, 2.0, 3.0, 4.0]));
/// assert_eq!(y, [[1.0, 2.0], [3.0, 4.0]]);
/// let regroup = Reshape::<2, 2, 4, 1>::ZERO;
/// assert_eq!(regroup.step(&mut (), &y), [[1.0], [2.0], [3.0], [4.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reshape<const TI: usize, const WI: usize, const TO: usize, const WO: usize>;

impl<const TI: usize, const WI: usize, const TO: usize, const WO: usize> Reshape<TI, WI, TO, WO> {
    const CHECK: () = assert!(TI * WI == TO * WO, "a reshape keeps every value");

    /// The sequence, reshaped.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; WI]; TI]) -> [[f32; WO]; TO] {
        let () = Self::CHECK;
        let mut y = [[0.0; WO]; TO];
        for (out, v) in y.iter_mut().flatten().zip(x.iter().flatten()) {
            *out = *v;
        }
        y
    }

    /// The backward pass of [`Self::step`]: `dy`, the gradient with respect to the
    /// reshaped sequence, reshaped back (a reshape only moves values).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, Reshape};
    ///
    /// let regroup = Reshape::<2, 2, 4, 1>::ZERO;
    /// assert_eq!(regroup.backward(&[[1.0], [2.0], [3.0], [4.0]]), [[1.0, 2.0], [3.0, 4.0]]);
    /// ```
    #[must_use]
    pub fn backward(&self, dy: &[[f32; WO]; TO]) -> [[f32; WI]; TI] {
        let () = Self::CHECK;
        let mut dx = [[0.0; WI]; TI];
        for (d, g) in dx.iter_mut().flatten().zip(dy.iter().flatten()) {
            *d = *g;
        }
        dx
    }

    /// The backward pass of [`Self::from_vector`]: the gradient with respect to the vector.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, Reshape};
    ///
    /// let to_sequence = Reshape::<1, 4, 2, 2>::ZERO;
    /// let dx = to_sequence.backward_from_vector(&[[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(dx.as_slice(), &[1.0, 2.0, 3.0, 4.0]);
    /// ```
    #[must_use]
    pub fn backward_from_vector(&self, dy: &[[f32; WO]; TO]) -> SVector<f32, WI> {
        SVector::from_iterator(self.backward(dy).iter().flatten().copied())
    }

    /// The backward pass of [`Self::to_vector`]: the gradient with respect to the sequence.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, Reshape};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let to_vector = Reshape::<2, 2, 1, 4>::ZERO;
    /// let dx = to_vector.backward_to_vector(&SVector::from([1.0, 2.0, 3.0, 4.0]));
    /// assert_eq!(dx, [[1.0, 2.0], [3.0, 4.0]]);
    /// ```
    #[must_use]
    pub fn backward_to_vector(&self, dy: &SVector<f32, WO>) -> [[f32; WI]; TI] {
        let () = Self::CHECK;
        let mut dx = [[0.0; WI]; TI];
        for (d, g) in dx.iter_mut().flatten().zip(dy.iter()) {
            *d = *g;
        }
        dx
    }

    /// A vector (`TI = 1`), reshaped into a sequence.
    #[must_use]
    pub fn from_vector(&self, x: &SVector<f32, WI>) -> [[f32; WO]; TO] {
        self.step(&mut (), &[[0.0; WI]; TI].map(|_| (*x).into()))
    }

    /// A sequence reshaped into one vector (`TO = 1`).
    #[must_use]
    pub fn to_vector(&self, x: &[[f32; WI]; TI]) -> SVector<f32, WO> {
        SVector::from_iterator(self.step(&mut (), x).iter().flatten().copied())
    }

    /// A vector reshaped into a vector of the same length (`TI = TO = 1`).
    #[must_use]
    pub fn step_vector(&self, _state: &mut (), x: &SVector<f32, WI>) -> SVector<f32, WO> {
        SVector::from_iterator(self.from_vector(x).iter().flatten().copied())
    }

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const TI: usize, const WI: usize, const TO: usize, const WO: usize> Layer
    for Reshape<TI, WI, TO, WO>
{
    weightless_layer_items!(spec: RESHAPE, input: [[f32; WI]; TI], output: [[f32; WO]; TO]);
}

/// The `impl Layer` and `from_le_bytes_at` of a layer that makes `TO` timesteps of `T`, each
/// `W` wide, without weights.
macro_rules! timesteps_layer {
    ($name:ident, $param:ident, $spec:ident) => {
        impl<const T: usize, const W: usize, const TO: usize, const $param: usize>
            $name<T, W, TO, $param>
        {
            /// The layer (it has no weights); for `model!`'s `const` constructor.
            #[must_use]
            pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
                Self
            }
        }

        impl<const T: usize, const W: usize, const TO: usize, const $param: usize> Layer
            for $name<T, W, TO, $param>
        {
            weightless_layer_items!(spec: $spec, input: [[f32; W]; T], output: [[f32; W]; TO]);
        }
    };
}

/// Keras `ZeroPadding1D(padding=(LEFT, TO - T - LEFT))` on `T` timesteps of `W` units:
/// `LEFT` timesteps of zeros, the sequence, then zeros up to `TO`. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, ZeroPadding1d};
///
/// let pad = ZeroPadding1d::<2, 1, 5, 1>::ZERO;
/// assert_eq!(pad.step(&mut (), &[[1.0], [2.0]]), [[0.0], [1.0], [2.0], [0.0], [0.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZeroPadding1d<const T: usize, const W: usize, const TO: usize, const LEFT: usize>;

impl<const T: usize, const W: usize, const TO: usize, const LEFT: usize>
    ZeroPadding1d<T, W, TO, LEFT>
{
    const CHECK: () = assert!(LEFT + T <= TO, "the padding is `LEFT` and `TO - T - LEFT`");

    /// The sequence between its zeros.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; W]; T]) -> [[f32; W]; TO] {
        let () = Self::CHECK;
        let mut y = [[0.0; W]; TO];
        for (yt, xt) in y.iter_mut().skip(LEFT).zip(x) {
            *yt = *xt;
        }
        y
    }

    /// The backward pass: the gradient with respect to the sequence, `dy` without the
    /// padding's timesteps.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, ZeroPadding1d};
    ///
    /// let pad = ZeroPadding1d::<2, 1, 5, 1>::ZERO;
    /// assert_eq!(pad.backward(&[[1.0], [2.0], [3.0], [4.0], [5.0]]), [[2.0], [3.0]]);
    /// ```
    #[must_use]
    pub fn backward(&self, dy: &[[f32; W]; TO]) -> [[f32; W]; T] {
        let () = Self::CHECK;
        let mut dx = [[0.0; W]; T];
        for (dxt, dyt) in dx.iter_mut().zip(dy.iter().skip(LEFT)) {
            *dxt = *dyt;
        }
        dx
    }
}

timesteps_layer!(ZeroPadding1d, LEFT, ZERO_PADDING_1D);

/// Keras `Cropping1D(cropping=(LEFT, T - TO - LEFT))` on `T` timesteps of `W` units: the
/// `TO` timesteps after the first `LEFT`. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Cropping1d, Layer};
///
/// let crop = Cropping1d::<4, 1, 2, 1>::ZERO;
/// assert_eq!(crop.step(&mut (), &[[1.0], [2.0], [3.0], [4.0]]), [[2.0], [3.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cropping1d<const T: usize, const W: usize, const TO: usize, const LEFT: usize>;

impl<const T: usize, const W: usize, const TO: usize, const LEFT: usize>
    Cropping1d<T, W, TO, LEFT>
{
    const CHECK: () = assert!(LEFT + TO <= T, "the cropping is `LEFT` and `T - TO - LEFT`");

    /// The timesteps left between the cropped ends.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; W]; T]) -> [[f32; W]; TO] {
        let () = Self::CHECK;
        let mut y = [[0.0; W]; TO];
        for (yt, xt) in y.iter_mut().zip(x.iter().skip(LEFT)) {
            *yt = *xt;
        }
        y
    }

    /// The backward pass: the gradient with respect to the sequence, `dy` where the kept
    /// timesteps were and zeros at the cropped ones.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Cropping1d, Layer};
    ///
    /// let crop = Cropping1d::<4, 1, 2, 1>::ZERO;
    /// assert_eq!(crop.backward(&[[1.0], [2.0]]), [[0.0], [1.0], [2.0], [0.0]]);
    /// ```
    #[must_use]
    pub fn backward(&self, dy: &[[f32; W]; TO]) -> [[f32; W]; T] {
        let () = Self::CHECK;
        let mut dx = [[0.0; W]; T];
        for (dxt, dyt) in dx.iter_mut().skip(LEFT).zip(dy) {
            *dxt = *dyt;
        }
        dx
    }
}

timesteps_layer!(Cropping1d, LEFT, CROPPING_1D);

/// Keras `UpSampling1D(size=SIZE)` on `T` timesteps of `W` units: each timestep `SIZE`
/// times, `TO = T * SIZE` in all. No weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, UpSampling1d};
///
/// let up = UpSampling1d::<2, 1, 4, 2>::ZERO;
/// assert_eq!(up.step(&mut (), &[[1.0], [2.0]]), [[1.0], [1.0], [2.0], [2.0]]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UpSampling1d<const T: usize, const W: usize, const TO: usize, const SIZE: usize>;

impl<const T: usize, const W: usize, const TO: usize, const SIZE: usize>
    UpSampling1d<T, W, TO, SIZE>
{
    const CHECK: () = assert!(TO == T * SIZE && SIZE > 0, "`TO` is `T * SIZE`");

    /// Every timestep, repeated.
    #[must_use]
    pub fn step(&self, _state: &mut (), x: &[[f32; W]; T]) -> [[f32; W]; TO] {
        let () = Self::CHECK;
        let mut y = [[0.0; W]; TO];
        for (block, xt) in y.chunks_exact_mut(SIZE).zip(x) {
            block.fill(*xt);
        }
        y
    }

    /// The backward pass: the gradient with respect to the sequence, each timestep's the
    /// sum of its `SIZE` copies'.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, UpSampling1d};
    ///
    /// let up = UpSampling1d::<2, 1, 4, 2>::ZERO;
    /// assert_eq!(up.backward(&[[1.0], [2.0], [3.0], [4.0]]), [[3.0], [7.0]]);
    /// ```
    #[must_use]
    pub fn backward(&self, dy: &[[f32; W]; TO]) -> [[f32; W]; T] {
        let () = Self::CHECK;
        let mut dx = [[0.0; W]; T];
        for (dxt, block) in dx.iter_mut().zip(dy.chunks_exact(SIZE)) {
            for dyt in block {
                for (d, g) in dxt.iter_mut().zip(dyt) {
                    *d += g;
                }
            }
        }
        dx
    }
}

timesteps_layer!(UpSampling1d, SIZE, UP_SAMPLING_1D);
