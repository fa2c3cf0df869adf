//! `RepeatVector` and `Flatten`: the layers that turn a vector into a sequence and a
//! sequence into a vector. Neither has weights.

use super::Layer;
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

    /// The layer (it has no weights); for `model!`'s `const` constructor.
    #[must_use]
    pub const fn from_le_bytes_at(_bytes: &[u8], _offset: &mut usize) -> Self {
        Self
    }
}

impl<const W: usize, const N: usize> Layer for RepeatVector<W, N> {
    const KIND: &'static str = tinyrnn_spec::REPEAT_VECTOR.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::REPEAT_VECTOR.saving_name;
    const PARAMS: usize = 0;
    const WEIGHTS: &'static [WeightSpec] = &[];
    const FORMULA: &'static str = "0";
    const SYMBOLS: &'static [(&'static str, usize)] = &[];
    const ZERO: Self = Self;
    type State = ();
    const INITIAL_STATE: () = ();
    type Input = SVector<f32, W>;
    type Output = [[f32; W]; N];

    fn step(&self, state: &mut (), x: &SVector<f32, W>) -> [[f32; W]; N] {
        Self::step(self, state, x)
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        super::check_len(w, 0)
    }
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
    const KIND: &'static str = tinyrnn_spec::FLATTEN.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::FLATTEN.saving_name;
    const PARAMS: usize = 0;
    const WEIGHTS: &'static [WeightSpec] = &[];
    const FORMULA: &'static str = "0";
    const SYMBOLS: &'static [(&'static str, usize)] = &[];
    const ZERO: Self = Self;
    type State = ();
    const INITIAL_STATE: () = ();
    type Input = [[f32; W]; T];
    type Output = SVector<f32, N>;

    fn step(&self, state: &mut (), x: &[[f32; W]; T]) -> SVector<f32, N> {
        Self::step(self, state, x)
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        super::check_len(w, 0)
    }
}
