//! Layers, one file each, generic over their `const` sizes.
//!
//! Every layer implements [`Layer`], whose associated consts describe it the way Keras does
//! (class name, parameter count, weight arrays and their shapes), and has an inherent
//! `step(&self, state, x) -> y` that maps one timestep. Stateless layers use `()` as state, so
//! generated code calls every layer the same way.

mod batch_normalization;
mod bidirectional;
mod conv;
mod dense;
mod elementwise;
mod embedding;
mod grad;
pub use grad::{Transposed, VectorTape};
mod gru;
mod kernel;
pub use kernel::vector_lanes;
mod layer_normalization;
mod lstm;
mod masking;
mod normalization;
mod passthrough;
mod prelu;
mod reshaping;
mod simple_rnn;
mod time_distributed;

pub use batch_normalization::BatchNormalization;
pub use bidirectional::{Ave, Bidirectional, Concat, Merge, Mul, Sum};
pub use conv::{
    CAUSAL, CausalConv1d, CausalTape, Conv1d, ConvState, ConvTape, GlobalPooling1d, Pooling1d,
    RunningPooling1d, RunningState, SAME, SlidingConv1d, SlidingPooling1d, VALID, WindowState,
};
pub use dense::{Dense, DenseTape};
pub use elementwise::{
    ActivationLayer, Elementwise, ElementwiseKind, EluLayer, LeakyReluLayer, ReluLayer,
    SoftmaxLayer,
};
pub use embedding::Embedding;
pub use gru::{Gru, GruTape};
pub use layer_normalization::LayerNormalization;
pub use lstm::{Lstm, LstmGrad, LstmState, LstmTape};
pub use masking::Masking;
pub use normalization::Normalization;
pub use passthrough::{
    AlphaDropout, Dropout, GaussianDropout, GaussianNoise, Passthrough, PassthroughKind,
    SpatialDropout1D,
};
pub use prelu::PRelu;
pub use reshaping::{Cropping1d, Flatten, RepeatVector, Reshape, UpSampling1d, ZeroPadding1d};
pub use simple_rnn::{RnnTape, SimpleRnn};
pub use time_distributed::TimeDistributed;

use crate::{Error, WeightSpec};
use nalgebra::{ArrayStorage, SMatrix};

/// What every layer tells about itself, as associated consts, plus loading from flat weights.
///
/// ```
/// use tinyrnn_runtime::layers::{Layer, SimpleRnn};
/// use tinyrnn_runtime::activations::Tanh;
///
/// // The founding question: SimpleRNN(2) on 3 features has h*(d+h)+h = 2*(3+2)+2 weights.
/// type Rnn = SimpleRnn<3, 2, 2, Tanh>;
/// assert_eq!(Rnn::PARAMS, 12);
/// assert_eq!(Rnn::KIND, "SimpleRNN");
/// assert_eq!(Rnn::FORMULA, "h*(d+h)+h");
/// let names: Vec<_> = Rnn::WEIGHTS.iter().map(|w| w.name).collect();
/// assert_eq!(names, ["kernel", "recurrent_kernel", "bias"]);
/// ```
pub trait Layer: Sized {
    /// The Keras class name, as `model.summary()` prints it (`SimpleRNN`).
    const KIND: &'static str;
    /// The Keras layer name prefix (`simple_rnn`, `re_lu`): the class in snake case.
    const KERAS_NAME: &'static str;
    /// The number of weights, Keras's `count_params()` for this layer.
    const PARAMS: usize;
    /// How many of [`Layer::PARAMS`] Keras does not train (`BatchNormalization`'s moving
    /// statistics, `Normalization`'s), 0 for most layers: the summary's "Non-trainable
    /// params".
    const NON_TRAINABLE: usize = 0;
    /// The bytes Keras counts for the non-trainable weights (4 per `f32`, 8 for
    /// `Normalization`'s int64 `count`), for the summary's totals.
    const NON_TRAINABLE_BYTES: usize = 4 * Self::NON_TRAINABLE;
    /// The weight arrays in Keras `get_weights()` order, with Keras's names and shapes
    /// (of one copy, when the layer holds [`Layer::COPIES`] of them).
    const WEIGHTS: &'static [WeightSpec];
    /// How many times [`Layer::WEIGHTS`] repeats: 2 for `Bidirectional` (forward, then
    /// backward), 1 otherwise.
    const COPIES: usize = 1;
    /// Keras's parameter formula in the symbols of [`Layer::SYMBOLS`], e.g. `h*(d+h)+h`.
    const FORMULA: &'static str;
    /// The values of the formula's symbols, e.g. `[("d", 3), ("h", 2)]`.
    const SYMBOLS: &'static [(&'static str, usize)];
    /// The layer with every weight zero, usable in `const` and `static` items.
    const ZERO: Self;
    /// What the layer carries from one timestep to the next (`()` when nothing).
    type State: Clone + core::fmt::Debug;
    /// The state before the first timestep (zeros, as in Keras).
    const INITIAL_STATE: Self::State;
    /// One timestep's input: `SVector<f32, D>`, a pair of them for `Bidirectional`.
    type Input;
    /// One timestep's output.
    type Output;

    /// Maps one timestep, carrying `state` to the next: the same as the layer's inherent
    /// `step`, for code generic over layers. `Bidirectional` steps both directions, each
    /// on the timestep it reads.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Layer, SimpleRnn};
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// fn run<L: Layer>(layer: &L, xs: &[L::Input]) -> Option<L::Output> {
    ///     let mut state = L::INITIAL_STATE;
    ///     xs.iter().map(|x| Layer::step(layer, &mut state, x)).last()
    /// }
    /// let rnn = SimpleRnn::<1, 1, 1, Linear>::from_flat(&[1.0, 0.5, 0.0])?;
    /// let y = run(&rnn, &[SVector::from([1.0]), SVector::from([1.0])]);
    /// assert_eq!(y, Some(SVector::from([1.5])));
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    fn step(&self, state: &mut Self::State, x: &Self::Input) -> Self::Output;

    /// Overwrites the layer's weights with `w`: its weights in Keras `get_weights()` order,
    /// each array flattened row-major, concatenated. Each layer states its weight list here
    /// once; [`Layer::from_flat`] builds on it, and `Net::boxed_from_flat` calls it on a
    /// model that lives on the heap, so that no layer is built on the stack.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Dense, Layer};
    /// use tinyrnn_runtime::activations::Linear;
    ///
    /// let mut dense = Dense::<2, 1, 1, Linear>::ZERO;
    /// dense.load_flat(&[0.5, -1.0, 0.25])?;
    /// assert_eq!(dense.kernel.as_slice(), &[0.5, -1.0]);
    /// assert_eq!(dense.load_flat(&[1.0]).is_err(), true);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::WeightCount`] when `w.len() != Self::PARAMS`; `self` is then unchanged.
    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error>;

    /// Writes the layer's weights to `out` in Keras `get_weights()` order, each array
    /// flattened row-major, concatenated: the inverse of [`Layer::load_flat`] (issue 16: a
    /// gradient, which has the layer's type, as Keras lists its gradients).
    ///
    /// ```
    /// use tinyrnn_runtime::activations::Linear;
    /// use tinyrnn_runtime::layers::{Dense, Layer};
    ///
    /// let w = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5, -0.5];
    /// let dense = Dense::<3, 2, 2, Linear>::from_flat(&w)?;
    /// let mut out = [0.0; 8];
    /// dense.store_flat(&mut out)?;
    /// assert_eq!(out, w);
    /// # Ok::<(), tinyrnn_runtime::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::WeightCount`] when `out.len() != Self::PARAMS`; `out` is then unchanged.
    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error>;

    /// Builds the layer from its weights in Keras `get_weights()` order, each array
    /// flattened row-major, concatenated: [`Layer::ZERO`] loaded with
    /// [`Layer::load_flat`].
    ///
    /// # Errors
    /// [`Error::WeightCount`] when `w.len() != Self::PARAMS`.
    fn from_flat(w: &[f32]) -> Result<Self, Error> {
        let mut layer = Self::ZERO;
        layer.load_flat(w)?;
        Ok(layer)
    }
}

/// Checks a flat weight slice's length before anything is read from it (the layers'
/// `from_flat` and `model!`'s generated constructors).
///
/// # Errors
/// [`Error::WeightCount`] when `w.len() != expected`.
#[doc(hidden)]
pub fn check_len(w: &[f32], expected: usize) -> Result<(), Error> {
    if w.len() == expected {
        Ok(())
    } else {
        Err(Error::WeightCount {
            expected,
            found: w.len(),
        })
    }
}

/// A marker type for a weightless layer (`Dropout` for `Passthrough`, `SoftmaxLayer` for
/// `Elementwise`): its Keras class and name, from its `tinyrnn_spec` entry.
macro_rules! kind_marker {
    ($kind:ident: $(#[$doc:meta])* $ty:ident, $spec:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $ty;

        impl $kind for $ty {
            const KIND: &'static str = tinyrnn_spec::$spec.keras_class;
            const KERAS_NAME: &'static str = tinyrnn_spec::$spec.saving_name;
        }
    };
}
pub(crate) use kind_marker;

/// A recurrent layer's weight list, Keras's `get_weights()` order: `kernel (d, g)`,
/// `recurrent_kernel (h, g)` and, `$has_bias`, `bias` of shape `$bias`. One list for
/// `SimpleRnn`, `Lstm` and `Gru`, in their `WEIGHTS` consts.
macro_rules! recurrent_weights {
    ($d:expr, $h:expr, $g:expr, $has_bias:expr, $bias:expr) => {
        if $has_bias {
            &[
                WeightSpec::new("kernel", &[$d, $g]),
                WeightSpec::new("recurrent_kernel", &[$h, $g]),
                WeightSpec::new("bias", $bias),
            ]
        } else {
            &[
                WeightSpec::new("kernel", &[$d, $g]),
                WeightSpec::new("recurrent_kernel", &[$h, $g]),
            ]
        }
    };
}
pub(crate) use recurrent_weights;

/// The part of `impl Layer` that `SimpleRnn`, `Lstm` and `Gru` share: the formula's
/// symbols, `ZERO`, the state, one timestep (their inherent `step`) and loading their three
/// arrays. Each states only its names, counts, weight shapes and formula.
macro_rules! recurrent_layer_items {
    (state: $state:ty = $initial:expr, marker: $marker:ident) => {
        const SYMBOLS: &'static [(&'static str, usize)] = &[("d", D), ("h", H)];
        const ZERO: Self = Self {
            kernel: zero_matrix(),
            recurrent_kernel: zero_matrix(),
            bias: zero_matrix(),
            $marker: PhantomData,
        };
        type State = $state;
        const INITIAL_STATE: $state = $initial;
        type Input = SVector<f32, D>;
        type Output = SVector<f32, H>;

        #[inline]
        fn step(&self, state: &mut $state, x: &SVector<f32, D>) -> SVector<f32, H> {
            Self::step(self, state, x)
        }

        fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
            load_recurrent(
                w,
                Self::PARAMS,
                &mut self.kernel,
                &mut self.recurrent_kernel,
                &mut self.bias,
            )
        }

        fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
            super::check_len(out, Self::PARAMS)?;
            let mut w = super::FlatWriter::new(out);
            w.store(&self.kernel);
            w.store(&self.recurrent_kernel);
            w.store(&self.bias);
            Ok(())
        }
    };
}
pub(crate) use recurrent_layer_items;

/// The part of `impl Layer` that the layers without state share (`Dense`, `Passthrough`,
/// `Elementwise`, `LayerNormalization`): no state, `SVector` in and out, one timestep is
/// their inherent `step`.
macro_rules! stateless_layer_items {
    (input: $input:ident, output: $output:ident) => {
        type State = ();
        const INITIAL_STATE: () = ();
        type Input = SVector<f32, $input>;
        type Output = SVector<f32, $output>;

        #[inline]
        fn step(&self, state: &mut (), x: &SVector<f32, $input>) -> SVector<f32, $output> {
            Self::step(self, state, x)
        }
    };
}
pub(crate) use stateless_layer_items;

/// The whole `impl Layer` of a layer without weights or state (`Masking`, `RepeatVector`,
/// `Flatten`, `Reshape`): its Keras names from its `tinyrnn_spec` entry, no parameters,
/// its input and output types, one timestep as its inherent `step`.
macro_rules! weightless_layer_items {
    (spec: $spec:ident, input: $input:ty, output: $output:ty) => {
        weightless_layer_items!(
            spec: tinyrnn_spec::$spec,
            input: $input,
            output: $output
        );
    };
    (spec: $spec:expr, input: $input:ty, output: $output:ty) => {
        const KIND: &'static str = $spec.keras_class;
        const KERAS_NAME: &'static str = $spec.saving_name;
        const PARAMS: usize = 0;
        const WEIGHTS: &'static [WeightSpec] = &[];
        const FORMULA: &'static str = "0";
        const SYMBOLS: &'static [(&'static str, usize)] = &[];
        const ZERO: Self = Self;
        type State = ();
        const INITIAL_STATE: () = ();
        type Input = $input;
        type Output = $output;

        fn step(&self, state: &mut (), x: &$input) -> $output {
            Self::step(self, state, x)
        }

        fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
            super::check_len(w, 0)
        }

        fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
            super::check_len(out, 0)
        }
    };
}
pub(crate) use weightless_layer_items;

/// `from_le_bytes_at` of `SimpleRnn`, `Lstm` and `Gru`: their three arrays from bytes.
macro_rules! recurrent_from_le_bytes_at {
    (marker: $marker:ident) => {
        /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it), in
        /// Keras `get_weights()` order. `const`, so that weights can be built into flash;
        /// the generated `Net::from_le_bytes` calls it.
        ///
        /// # Panics
        /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
        #[must_use]
        pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
            Self {
                kernel: matrix_from_le_bytes(bytes, offset),
                recurrent_kernel: matrix_from_le_bytes(bytes, offset),
                bias: matrix_from_le_bytes(bytes, offset),
                $marker: PhantomData,
            }
        }
    };
}
pub(crate) use recurrent_from_le_bytes_at;

/// A recurrent layer's [`Layer::load_flat`]: its kernel, recurrent kernel and bias, in
/// place, after checking that `w` holds exactly `params` values.
pub(crate) fn load_recurrent<
    const G: usize,
    const D: usize,
    const H: usize,
    const BR: usize,
    const BC: usize,
>(
    w: &[f32],
    params: usize,
    kernel: &mut SMatrix<f32, G, D>,
    recurrent_kernel: &mut SMatrix<f32, G, H>,
    bias: &mut SMatrix<f32, BR, BC>,
) -> Result<(), Error> {
    check_len(w, params)?;
    let mut r = FlatReader::new(w);
    r.fill(kernel);
    r.fill(recurrent_kernel);
    r.fill(bias);
    Ok(())
}

/// Reads matrices off a flat slice whose total length was already checked.
pub(crate) struct FlatReader<'a> {
    rest: &'a [f32],
}

impl<'a> FlatReader<'a> {
    pub(crate) fn new(w: &'a [f32]) -> Self {
        Self { rest: w }
    }

    /// The next `R * C` values into an `R x C` column-major matrix, in place: a Keras
    /// `(C, R)` array in row-major order. Values missing (impossible after `check_len`)
    /// leave the rest of the matrix as it was.
    pub(crate) fn fill<const R: usize, const C: usize>(&mut self, m: &mut SMatrix<f32, R, C>) {
        for (dst, src) in m.as_mut_slice().iter_mut().zip(self.rest) {
            *dst = *src;
        }
        self.rest = self.rest.get(R * C..).unwrap_or(&[]);
    }
}

/// The inverse of [`FlatReader`]: writes matrices to a flat slice, one after another.
pub(crate) struct FlatWriter<'a> {
    rest: &'a mut [f32],
}

impl<'a> FlatWriter<'a> {
    pub(crate) fn new(out: &'a mut [f32]) -> Self {
        Self { rest: out }
    }

    /// The `R x C` column-major matrix as the next `R * C` values: a Keras `(C, R)` array in
    /// row-major order.
    pub(crate) fn store<const R: usize, const C: usize>(&mut self, m: &SMatrix<f32, R, C>) {
        let rest = core::mem::take(&mut self.rest);
        let split = (R * C).min(rest.len());
        let (head, tail) = rest.split_at_mut(split);
        for (dst, src) in head.iter_mut().zip(m.as_slice()) {
            *dst = *src;
        }
        self.rest = tail;
    }
}

/// An all-zero matrix, in a `const` context.
#[must_use]
pub(crate) const fn zero_matrix<const R: usize, const C: usize>() -> SMatrix<f32, R, C> {
    SMatrix::from_array_storage(ArrayStorage([[0.0; R]; C]))
}

/// Reads the next `R * C` little-endian `f32`s of `bytes` from `*offset` (advancing it) as an
/// `R x C` column-major matrix: a Keras `(C, R)` array in row-major order. Usable in `const`
/// items, where reading past the end is a compile error.
///
/// # Panics
/// If fewer than `4 * R * C` bytes are left; the generated `from_le_bytes` takes a byte
/// array of exactly the model's size, so it never does.
#[must_use]
pub const fn matrix_from_le_bytes<const R: usize, const C: usize>(
    bytes: &[u8],
    offset: &mut usize,
) -> SMatrix<f32, R, C> {
    let mut data = [[0.0_f32; R]; C];
    let mut c = 0;
    while c < C {
        let mut r = 0;
        while r < R {
            let i = *offset;
            data[c][r] = f32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
            *offset += 4;
            r += 1;
        }
        c += 1;
    }
    SMatrix::from_array_storage(ArrayStorage(data))
}

/// Takes the next layer off a model's flat weights (Keras `get_weights()` order), advancing
/// `rest` past it. `model!`'s `from_flat` calls this once per layer.
///
/// ```
/// use tinyrnn_runtime::layers::{Dense, take_layer};
/// use tinyrnn_runtime::activations::Linear;
///
/// let w = [1.0, 2.0, 3.0, 4.0];
/// let mut rest = &w[..];
/// let first = take_layer::<Dense<1, 1, 1, Linear>>(&mut rest)?;
/// assert_eq!((first.kernel[0], first.bias[0]), (1.0, 2.0));
/// assert_eq!(rest, &[3.0, 4.0]);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
///
/// # Errors
/// [`Error::WeightCount`] when fewer than `L::PARAMS` values are left.
pub fn take_layer<L: Layer>(rest: &mut &[f32]) -> Result<L, Error> {
    let (head, tail) = rest.split_at_checked(L::PARAMS).ok_or(Error::WeightCount {
        expected: L::PARAMS,
        found: rest.len(),
    })?;
    *rest = tail;
    L::from_flat(head)
}

/// [`take_layer`] in place: loads the next layer's weights into `layer` (see
/// [`Layer::load_flat`]), advancing `rest` past them. `model!`'s `boxed_from_flat` calls this
/// once per layer of a model that lives on the heap.
///
/// # Errors
/// [`Error::WeightCount`] when fewer than `L::PARAMS` values are left.
#[doc(hidden)]
pub fn take_layer_into<L: Layer>(layer: &mut L, rest: &mut &[f32]) -> Result<(), Error> {
    let (head, tail) = rest.split_at_checked(L::PARAMS).ok_or(Error::WeightCount {
        expected: L::PARAMS,
        found: rest.len(),
    })?;
    *rest = tail;
    layer.load_flat(head)
}
