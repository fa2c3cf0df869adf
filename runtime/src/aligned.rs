//! [`Aligned`]: a value at a cache-line boundary.

use core::ops::{Deref, DerefMut};

/// A value placed at a 64-byte boundary (a cache line), for models whose own alignment is
/// less.
///
/// A `model!` struct is aligned as far as its size allows without padding (its size is
/// always exactly `4 * PARAMS` bytes): to 64 bytes when that size is a multiple of 64, less
/// otherwise (a model ending in `dense(1)` usually gets 4). With the weights at a cache-line
/// boundary, no vector load of a layer's kernel straddles two lines when the layer's gate
/// count is a multiple of 16; measured with `-C target-cpu=native` (AVX-512), `lstm(32)`
/// `step` takes 254 ns aligned and 366 ns four bytes off, `lstm(16)` 94 and 114 ns
/// (BENCHMARKS.md). Wrapping a model in `Aligned` gives any model that alignment, for 0 to
/// 60 bytes of padding. It dereferences to the model, so its methods are called as before.
/// For a large model, the generated `Net::boxed_aligned_from_flat` builds a
/// `Box<Aligned<Net>>` without passing the model through the stack.
///
/// ```
/// use tinyrnn_runtime::Aligned;
/// use tinyrnn_runtime::activations::{Sigmoid, Tanh};
/// use tinyrnn_runtime::layers::{Layer, Lstm};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type L = Lstm<3, 2, 8, 8, Tanh, Sigmoid>;
/// let lstm = Aligned(L::ZERO);
/// assert_eq!(core::mem::align_of_val(&lstm), 64);
/// assert_eq!((&raw const lstm.0) as usize % 64, 0);
/// let mut state = L::INITIAL_STATE;
/// let h = lstm.step(&mut state, &SVector::from([1.0, 2.0, 3.0])); // through `Deref`
/// assert_eq!(h, SVector::from([0.0, 0.0]));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[repr(C, align(64))]
pub struct Aligned<T>(pub T);

impl<T> Aligned<T> {
    /// Wraps `value`.
    ///
    /// ```
    /// let x = tinyrnn_runtime::Aligned::new([1.0_f32; 3]);
    /// assert_eq!(x.into_inner(), [1.0; 3]);
    /// ```
    #[must_use]
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// The wrapped value.
    ///
    /// ```
    /// assert_eq!(tinyrnn_runtime::Aligned(7_u8).into_inner(), 7);
    /// ```
    #[must_use]
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Aligned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> DerefMut for Aligned<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.0
    }
}

impl<T> From<T> for Aligned<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}
