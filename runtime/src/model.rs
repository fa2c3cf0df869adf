//! The trait every `model!` struct implements, for code generic over models.

use crate::{Error, Summary};

/// What every `model!`-generated network offers, for code written against any model
/// (loaders, benchmarks, tests). The same items exist as inherent items on the struct.
///
/// ```
/// use tinyrnn_runtime::Model;
///
/// fn describe<M: Model>() -> (usize, usize) {
///     (M::PARAMS, M::summary().total_params())
/// }
/// # struct Empty;
/// # impl Model for Empty {
/// #     type State = ();
/// #     const PARAMS: usize = 0;
/// #     const ZERO: Self = Empty;
/// #     fn from_flat(w: &[f32]) -> Result<Self, tinyrnn_runtime::Error> { Ok(Empty) }
/// #     fn write_flat(&self, out: &mut [f32]) -> Result<(), tinyrnn_runtime::Error> { Ok(()) }
/// #     fn summary() -> tinyrnn_runtime::Summary {
/// #         tinyrnn_runtime::Summary { name: "Empty", layers: &[], optimizer: None, connections: None }
/// #     }
/// # }
/// assert_eq!(describe::<Empty>(), (0, 0));
/// ```
pub trait Model: Sized {
    /// The streaming state: every recurrent layer's hidden values, zero at the start.
    type State: Default;
    /// Keras's `count_params()` for the model.
    const PARAMS: usize;
    /// The model with all weights zero, usable in `const` and `static` items.
    const ZERO: Self;

    /// Builds the model from Keras `model.get_weights()`, each array flattened row-major
    /// (numpy C order) and concatenated.
    ///
    /// # Errors
    /// [`Error::WeightCount`] when `w.len() != Self::PARAMS`.
    fn from_flat(w: &[f32]) -> Result<Self, Error>;

    /// Writes the weights to `out` in Keras `get_weights()` order, each array flattened
    /// row-major, concatenated: the inverse of [`Model::from_flat`].
    ///
    /// # Errors
    /// [`Error::WeightCount`] when `out.len() != Self::PARAMS`.
    fn write_flat(&self, out: &mut [f32]) -> Result<(), Error>;

    /// Overwrites the weights with `w` (as [`Model::from_flat`] reads it), in place: a model
    /// on the heap stays there (`model!`'s models load layer by layer; this default builds
    /// the model first). On an error the model is unchanged.
    ///
    /// # Errors
    /// [`Error::WeightCount`] when `w.len() != Self::PARAMS`.
    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        *self = Self::from_flat(w)?;
        Ok(())
    }

    /// The Keras-style summary with the weight breakdown.
    fn summary() -> Summary;
}

/// Implemented by no model: `step` on a model that cannot stream requires it, which turns
/// the call into a compile error carrying this message.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be streamed one timestep at a time",
    label = "`step` needs every layer to run forward in time",
    note = "a layer with `go_backwards = true`, or a `bidirectional` layer, needs the whole sequence before its first output, and `repeat_vector`, `flatten`, `reshape`, a `conv1d` that is not causal with stride 1, a pooling, or a layer that pads, crops or repeats timesteps, reads it all at once (on a sequence of any length, a `same` window waits for its end): call `forward` with the whole sequence instead"
)]
pub trait Streamable<'a> {}

/// Implemented by no model: `backward` on a model that it does not cover requires it,
/// which turns the call into a compile error carrying this message.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no backward pass",
    label = "`backward` does not cover this model",
    note = "`backward` is generated for every layer, on an input of a fixed length or of any length, with one mask source (`masking()` or `embedding(..., mask_zero = true)`); the model's doc for `backward` says what this one lacks"
)]
pub trait Trainable<'a> {}
