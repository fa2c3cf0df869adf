//! Small recurrent neural networks, declared in one macro call, checked at compile time.
//!
//! ```
//! tinyrnn::model! {
//!     pub struct Net;
//!     input [50, 3];      // [timesteps, features]
//!     simple_rnn(2);
//!     dense(1);
//!     params 15;          // compile-time assertion, Keras-exact
//! }
//!
//! // Keras's `model.get_weights()`, flattened row-major and concatenated.
//! let weights = [0.1_f32; Net::PARAMS];
//! let net = Net::from_flat(&weights)?;
//! let y: [f32; 1] = net.forward(&[[0.5; 3]; 50]);
//! assert!(y[0].is_finite());
//! assert_eq!(Net::LAYER_PARAMS, [12, 3]);
//! assert_eq!(core::mem::size_of::<Net>(), 4 * Net::PARAMS);
//! # Ok::<(), tinyrnn::Error>(())
//! ```
//!
//! [`model!`] turns the declaration into a plain struct of fixed-size [`nalgebra`] matrices
//! (nothing but the weights), a state type for streaming, and methods that allocate nothing:
//! `from_flat`, `forward`, `step`, `summary`. The layers and their parameter counts are
//! Keras's, so a model trained in Keras runs here with the same outputs.
//!
//! The crate is `no_std` without its default `std` feature, which only adds
//! `std::error::Error` for [`Error`].
#![no_std]
// `unsafe` only in `__private::heap` (the boxed constructors write a constant straight into
// a heap allocation); denied everywhere else.
#![deny(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;

// Lets the crate's own tests and doctests use `::tinyrnn::` paths as users do.
extern crate self as tinyrnn;

#[doc(inline)]
pub use tinyrnn_runtime::{
    Aligned, Error, LayerSummary, Model, OptimizerParams, OutputShape, Summary, WeightSpec,
    activations, layers,
};

/// Re-exported so that users can name the weight matrices without depending on it.
pub use tinyrnn_runtime::nalgebra;

pub mod train;

#[cfg(feature = "keras")]
pub mod keras;
#[cfg(feature = "keras")]
pub mod torch;
/// The errors of reading weight files (`Net::from_keras_file`, `Net::from_torch_bytes`,
/// `weights = "..."`, the `tinyrnn` command): each names the file's layer, weight or key
/// with what was expected and found. Loading from memory has [`Error`].
#[cfg(feature = "keras")]
pub use tinyrnn_io::LoadError;

/// Declares a recurrent network: a struct of weights, its streaming state and its methods.
///
/// ```
/// tinyrnn::model! {
///     /// Doc comments and attributes before the header go to the struct.
///     pub struct Net;
///     input [50, 3];
///     simple_rnn(2);
///     dense(1);
///     params 15;
/// }
/// assert_eq!(Net::PARAMS, 15);
/// ```
///
/// # The DSL
///
/// - `pub struct Net;` (optional): visibility and name. Without it the struct is `Model`.
///   It also declares `NetState` (`ModelState`), the streaming state.
/// - `input [timesteps, features];`: timesteps may be `_` for any length.
/// - Layers, in order, with Keras's names, arguments and defaults. The first argument may
///   be positional; the others are by keyword:
///   - `simple_rnn(units, activation = tanh, use_bias = true, return_sequences = false,
///     go_backwards = false)`: Keras `SimpleRNN`, `h*(d+h)+h` parameters.
///   - `lstm(units, activation = tanh, recurrent_activation = sigmoid, use_bias = true,
///     return_sequences = false, go_backwards = false)`: Keras `LSTM`, `4*(h*(d+h)+h)`.
///   - `gru(units, ..., reset_after = true)`: Keras `GRU`, `3*h*(d+h)+6*h`
///     (`3*(h*(d+h)+h)` with `reset_after = false`).
///   - `bidirectional(lstm(8), merge_mode = concat)`: Keras `Bidirectional` around any
///     recurrent layer; merge modes `concat`, `sum`, `mul`, `ave`.
///   - `dense(units, activation = linear, use_bias = true)`: Keras `Dense`, `d*u+u`
///     parameters. After a layer that returns sequences (or first), it applies per
///     timestep, as Keras 3 does on 3-D input.
///   - `dropout(rate)`, `spatial_dropout1d(rate)`, `gaussian_noise(stddev)`,
///     `gaussian_dropout(rate)`, `alpha_dropout(rate)`: no weights, identity at inference.
/// - Activations: the 19 Keras 3 names (`linear`, `relu`, `relu6`, `leaky_relu`, `elu`,
///   `selu`, `gelu`, `sigmoid`, `hard_sigmoid`, `tanh`, `hard_tanh`, `softplus`,
///   `softsign`, `silu`, `hard_silu`, `mish`, `exponential`, `softmax`, `log_softmax`),
///   also as strings (`"tanh"`); see [`activations`].
/// - `params N;` (optional): a compile-time assertion of the total parameter count.
/// - Every `;` is optional: `model! { input [50, 3]; simple_rnn(2); dense(1) }` compiles.
///
/// Rust macros take `()`, `[]` or `{}`, so `model!<...>` is not possible: use braces.
///
/// # What it generates
///
/// For `pub struct Net;`:
/// - `Net` with one public field per layer, named as Keras names layers (`simple_rnn`,
///   `simple_rnn_1`, `dense`), each a [`layers`] type, and nothing else:
///   `size_of::<Net>() == 4 * Net::PARAMS`.
/// - Consts `PARAMS` (Keras's `count_params()`), `LAYER_PARAMS: [usize; L]`, `TIMESTEPS`,
///   `FEATURES`, `OUTPUT_UNITS`, `RETURNS_SEQUENCES`, `ZERO`.
/// - `Net::from_flat(&[f32]) -> Result<Net, Error>`: Keras `model.get_weights()`, each array
///   flattened row-major (numpy C order), concatenated. `Net::zeroed()` for all zeros.
/// - `net.forward(&x)`: for `input [T, F]`, `x: &[[f32; F]; T]` and the result is `[f32; N]`,
///   or `[[f32; N]; T]` when the last layer returns sequences. For `input [_, F]`,
///   `x: &[[f32; F]]`, and a sequence result is written to an `out: &mut [[f32; N]]` buffer.
/// - `net.step(&mut state, &[f32; F]) -> [f32; N]`: one timestep, bit-identical to `forward`.
///   A model with `go_backwards = true` or `bidirectional` cannot stream, and calling `step`
///   is a compile error.
/// - `Net::summary()`: Keras 3's summary table and the weight breakdown, as [`Summary`].
/// - An implementation of [`Model`].
///
/// ```
/// tinyrnn::model! {
///     pub struct Tagger;
///     input [_, 2];                                    // any number of timesteps
///     simple_rnn(4, return_sequences = true);
///     dense(3, activation = softmax);                 // per timestep
/// }
///
/// let net = Tagger::from_flat(&[0.25; Tagger::PARAMS])?;
/// let x = [[1.0, -1.0]; 7];
/// let mut out = [[0.0; 3]; 7];
/// net.forward(&x, &mut out)?;
///
/// // Streaming gives the same numbers, bit for bit.
/// let mut state = TaggerState::default();
/// for (xt, want) in x.iter().zip(&out) {
///     assert_eq!(&net.step(&mut state, xt), want);
/// }
/// # Ok::<(), tinyrnn::Error>(())
/// ```
///
/// Mistakes are compile errors that point at the tokens to fix:
///
/// ```compile_fail
/// tinyrnn::model! {
///     input [50, 3];
///     simple_rnn(4);
///     simple_rnn(2);  // error: `simple_rnn(2)` needs a sequence, but `simple_rnn(4)` before
///                     // it returns only its last timestep; add `return_sequences = true` ...
/// }
/// ```
pub use tinyrnn_macros::model;

/// What each layer kind is, written once (keyword, Keras class, arguments, weight shapes,
/// parameter formula, activations, merge modes): the table `model!`, the file readers and
/// the `tinyrnn` command read.
///
/// ```
/// let lstm = tinyrnn::spec::layer_by_keyword("lstm").unwrap();
/// assert_eq!(lstm.keras_class, "LSTM");
/// assert_eq!(lstm.params(3, 2, true, true), Some(4 * (2 * (3 + 2) + 2)));
/// ```
pub use tinyrnn_spec as spec;

/// What generated code names; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use tinyrnn_runtime::{
        Aligned, Error, Layer, LayerSummary, Model, OutputShape, Streamable, Summary, Trainable,
        activations, layers, nalgebra, train,
    };

    /// What `forward` and `step` return on the stand-in `model!` emits after an error
    /// (`macros/src/fallback.rs`): it indexes, iterates, prints and compares like an output,
    /// so that code using the model reports nothing more. No value of it is ever used: the
    /// program does not build.
    #[derive(Debug, Clone, Copy, PartialEq)]
    pub struct StubOutput;

    impl core::ops::Deref for StubOutput {
        type Target = [f32];
        fn deref(&self) -> &[f32] {
            &[]
        }
    }

    impl IntoIterator for StubOutput {
        type Item = f32;
        type IntoIter = core::iter::Empty<f32>;
        fn into_iter(self) -> Self::IntoIter {
            core::iter::empty()
        }
    }

    impl<const N: usize> PartialEq<[f32; N]> for StubOutput {
        fn eq(&self, _: &[f32; N]) -> bool {
            false
        }
    }

    /// What the file loaders return.
    #[cfg(feature = "keras")]
    pub use tinyrnn_io::LoadError;
    /// Without the `keras` feature the file loaders cannot be called (see [`ModelFile`]);
    /// their signatures still name an error type.
    #[cfg(not(feature = "keras"))]
    pub use tinyrnn_runtime::Error as LoadError;

    /// What `Net::boxed_from_flat` returns: `std`'s `Box`, with the `std` feature.
    #[cfg(feature = "std")]
    pub use std::boxed::Box;

    /// What `Net::to_flat` returns: `std`'s `Vec`, with the `std` feature.
    #[cfg(feature = "std")]
    pub use std::vec::Vec;

    /// Without the `std` feature no value of this exists: it only lets the generated
    /// `to_flat` compile (calling it is a compile error, see [`HeapModel`]).
    #[cfg(not(feature = "std"))]
    pub enum Vec<T> {
        #[doc(hidden)]
        Never(core::convert::Infallible, core::marker::PhantomData<T>),
    }

    /// Without the `std` feature there is no heap, and no value of this exists: it only lets
    /// the generated `boxed_from_flat` compile (calling it is a compile error, see
    /// [`HeapModel`]).
    #[cfg(not(feature = "std"))]
    pub enum Box<T> {
        #[doc(hidden)]
        Never(core::convert::Infallible, core::marker::PhantomData<T>),
    }

    #[cfg(not(feature = "std"))]
    impl<T> core::ops::Deref for Box<T> {
        type Target = T;
        fn deref(&self) -> &T {
            match *self {
                Box::Never(never, _) => match never {},
            }
        }
    }

    #[cfg(not(feature = "std"))]
    impl<T> core::ops::DerefMut for Box<T> {
        fn deref_mut(&mut self) -> &mut T {
            match *self {
                Box::Never(never, _) => match never {},
            }
        }
    }

    /// What `backward` needs on a model of any length (`input [_, F]`), whose tape grows
    /// with the sequence: a heap, with the `std` feature. Without it the generated
    /// `backward` is bounded by this, so that only a call to it is an error, with this
    /// message.
    #[diagnostic::on_unimplemented(
        message = "`backward` on a model of any length needs a heap: tinyrnn's `std` feature",
        label = "`{Self}` keeps a tape as long as its input",
        note = "enable `features = [\"std\"]` on the tinyrnn dependency (it is on by default), or give the model a fixed length (`input [T, F]`), whose tape has a fixed size"
    )]
    pub trait HeapTape<'a> {}

    #[cfg(feature = "std")]
    impl<M: Model> HeapTape<'_> for M {}

    /// What a convolution on a sequence of any length keeps for `backward`: each output's
    /// pre-activation and activation, as many as its windows make.
    #[cfg(feature = "std")]
    #[derive(Debug, Clone, PartialEq)]
    pub struct SlideTape<const F: usize> {
        /// Each output before the activation.
        pub z: Vec<[f32; F]>,
        /// Each output.
        pub y: Vec<[f32; F]>,
    }

    #[cfg(feature = "std")]
    impl<const F: usize> SlideTape<F> {
        /// Before a forward pass: empty.
        pub const ZERO: Self = Self {
            z: Vec::new(),
            y: Vec::new(),
        };

        /// Room for `outputs` outputs, zeros.
        pub fn resize(&mut self, outputs: usize) {
            for v in [&mut self.z, &mut self.y] {
                v.clear();
                v.resize(outputs, [0.0; F]);
            }
        }
    }

    /// `value` repeated `n` times, on the heap: the buffers of `backward` on a model of any
    /// length.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn filled<T: Clone>(value: T, n: usize) -> Vec<T> {
        std::vec![value; n]
    }

    /// Expands to its first braced group with the `std` feature, else to its second: the
    /// generated code that needs a heap, and what stands in for it without one.
    #[cfg(feature = "std")]
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __tinyrnn_with_heap {
        ({ $($heap:tt)* } { $($no_heap:tt)* }) => { $($heap)* };
    }

    /// Expands to its first braced group with the `std` feature, else to its second.
    #[cfg(not(feature = "std"))]
    #[doc(hidden)]
    #[macro_export]
    macro_rules! __tinyrnn_with_heap {
        ({ $($heap:tt)* } { $($no_heap:tt)* }) => { $($no_heap)* };
    }

    pub use crate::__tinyrnn_with_heap as with_heap;

    /// What `Net::boxed_from_flat` needs: a heap, with the `std` feature. Generated code
    /// bounds the method with `for<'a> Self: HeapModel<'a>`, so that without `std` the method
    /// still compiles and only a call to it is an error, with this message.
    #[diagnostic::on_unimplemented(
        message = "`boxed_from_flat` needs a heap: tinyrnn's `std` feature",
        label = "`{Self}` cannot be boxed without `std`",
        note = "enable `features = [\"std\"]` on the tinyrnn dependency (it is on by default), or build the model with `from_flat` or `from_le_bytes` into a `static`"
    )]
    pub trait HeapModel<'a>: Sized {
        /// `Self::ZERO` in a new heap allocation, written there directly: never on the
        /// stack, whatever the model's size.
        fn boxed_zero() -> Box<Self>;

        /// The same inside [`Aligned`]: a 64-byte-aligned allocation.
        fn boxed_aligned_zero() -> Box<Aligned<Self>>;

        /// The weights in Keras `get_weights()` order, flattened (`Model::write_flat`).
        fn flat_vec(&self) -> Vec<f32>;
    }

    #[cfg(feature = "std")]
    impl<M: Model> HeapModel<'_> for M {
        fn boxed_zero() -> Box<M> {
            heap::boxed_zero()
        }

        fn boxed_aligned_zero() -> Box<Aligned<M>> {
            heap::boxed_aligned_zero()
        }

        fn flat_vec(&self) -> Vec<f32> {
            let mut flat = std::vec![0.0; M::PARAMS];
            // The length is `PARAMS`, so writing cannot fail.
            let _ = self.write_flat(&mut flat);
            flat
        }
    }

    /// `T::ZERO` in a new heap allocation, never on the stack: `tinyrnn::train::boxed_tape`.
    #[cfg(feature = "std")]
    #[must_use]
    pub fn boxed_tape<T: tinyrnn_runtime::train::Tape>() -> Box<T> {
        heap::boxed_tape()
    }

    /// The crate's only `unsafe` code: three functions, seven blocks, each with its `SAFETY`.
    #[cfg(feature = "std")]
    #[allow(
        unsafe_code,
        reason = "moving a value into the heap without a stack temporary needs a raw write"
    )]
    mod heap {
        use super::{Aligned, Box, Model};

        /// `T::ZERO` in a fresh heap allocation, as [`boxed_zero`]: a model's tape holds
        /// every timestep's values, megabytes for long sequences.
        pub(super) fn boxed_tape<T: tinyrnn_runtime::train::Tape>() -> Box<T> {
            let mut boxed = Box::<T>::new_uninit();
            let p: *mut T = boxed.as_mut_ptr();
            if core::mem::needs_drop::<T>() {
                // A model of any length's tape (`Vec`s, empty in `ZERO`: a few words).
                // SAFETY: `p` is valid for writes of one `T` and `write` drops nothing.
                unsafe { p.write(T::ZERO) };
            } else {
                // SAFETY: as in `boxed_zero`: `p` is valid for writes of one `T`, which has
                // no drop glue, so the assignment writes the valid value `T::ZERO` (straight
                // from read-only data, never through the stack) and reads nothing.
                unsafe { *p = T::ZERO };
            }
            // SAFETY: the allocation was fully initialised by the write above.
            unsafe { boxed.assume_init() }
        }

        /// `M::ZERO` in a fresh heap allocation.
        ///
        /// `Box::new(M::ZERO)` is not enough: without optimisation (debug builds, tests) the
        /// argument is first materialised on the caller's stack, and a 2 MiB `lstm(256)`
        /// overflows a thread's stack before the heap is reached. Assigning the constant to
        /// the place `*p` copies it from read-only data straight into the allocation.
        pub(super) fn boxed_zero<M: Model>() -> Box<M> {
            const {
                assert!(
                    !core::mem::needs_drop::<M>(),
                    "models are plain weights, with no drop glue"
                );
            };
            let mut boxed = Box::<M>::new_uninit();
            let p: *mut M = boxed.as_mut_ptr();
            // SAFETY: `p` comes from a live `Box<MaybeUninit<M>>`: non-null, aligned and
            // valid for writes of one `M`. `M` has no drop glue (asserted above), so the
            // assignment neither reads nor drops the uninitialised old value; it only writes
            // the valid value `M::ZERO`.
            unsafe { *p = M::ZERO };
            // SAFETY: the allocation was fully initialised by the write above.
            unsafe { boxed.assume_init() }
        }

        /// `Aligned(M::ZERO)` in a fresh heap allocation, as [`boxed_zero`]: the constant is
        /// assigned to the place `(*p).0`, never built on the stack. `Box<Aligned<M>>`
        /// allocates and frees with `Aligned<M>`'s layout, 64-byte aligned.
        pub(super) fn boxed_aligned_zero<M: Model>() -> Box<Aligned<M>> {
            const {
                assert!(
                    !core::mem::needs_drop::<Aligned<M>>(),
                    "models are plain weights, with no drop glue"
                );
            };
            let mut boxed = Box::<Aligned<M>>::new_uninit();
            let p: *mut Aligned<M> = boxed.as_mut_ptr();
            // SAFETY: `p` comes from a live `Box<MaybeUninit<Aligned<M>>>`: non-null, aligned
            // and valid for writes. `Aligned<M>` is `repr(C)` with the one field `0` of type
            // `M`, which has no drop glue (asserted above), so the assignment neither reads
            // nor drops the uninitialised old value; it writes the valid value `M::ZERO` over
            // every byte of the field, and `Aligned<M>` has no other bytes than padding.
            unsafe { (*p).0 = M::ZERO };
            // SAFETY: the only field was fully initialised by the write above.
            unsafe { boxed.assume_init() }
        }
    }

    /// What `Net::from_keras_file` and `Net::from_torch_file` take: a path, with the `keras`
    /// feature (which reads PyTorch files too).
    #[diagnostic::on_unimplemented(
        message = "reading Keras and PyTorch files needs tinyrnn's `keras` feature",
        label = "`{Self}` is not a path here",
        note = "enable `features = [\"keras\"]` on the tinyrnn dependency (it is on by default)"
    )]
    pub trait ModelFile {
        /// Loads the model `M` from the Keras file at this path.
        ///
        /// # Errors
        /// What `tinyrnn::keras::load_file` returns.
        fn load_model<M: Model>(self) -> Result<M, LoadError>;

        /// Loads the model `M` from the PyTorch state dict at this path.
        ///
        /// # Errors
        /// What `tinyrnn::torch::load_file` returns.
        fn load_torch_model<M: Model>(self) -> Result<M, LoadError>;
    }

    /// What `Net::from_keras_bytes` and `Net::from_torch_bytes` take: bytes, with the
    /// `keras` feature (which reads PyTorch files too).
    #[diagnostic::on_unimplemented(
        message = "reading Keras and PyTorch files needs tinyrnn's `keras` feature",
        label = "`{Self}` is not bytes here",
        note = "enable `features = [\"keras\"]` on the tinyrnn dependency (it is on by default)"
    )]
    pub trait ModelBytes {
        /// Loads the model `M` from these bytes of a Keras file.
        ///
        /// # Errors
        /// What `tinyrnn::keras::load` returns.
        fn load_model<M: Model>(self) -> Result<M, LoadError>;

        /// Loads the model `M` from these bytes of a PyTorch state dict.
        ///
        /// # Errors
        /// What `tinyrnn::torch::load` returns.
        fn load_torch_model<M: Model>(self) -> Result<M, LoadError>;
    }

    #[cfg(feature = "keras")]
    impl<P: AsRef<std::path::Path>> ModelFile for P {
        fn load_model<M: Model>(self) -> Result<M, LoadError> {
            crate::keras::load_file(self)
        }

        fn load_torch_model<M: Model>(self) -> Result<M, LoadError> {
            crate::torch::load_file(self)
        }
    }

    #[cfg(feature = "keras")]
    impl<B: AsRef<[u8]>> ModelBytes for B {
        fn load_model<M: Model>(self) -> Result<M, LoadError> {
            crate::keras::load(self.as_ref())
        }

        fn load_torch_model<M: Model>(self) -> Result<M, LoadError> {
            crate::torch::load(self.as_ref())
        }
    }
}
