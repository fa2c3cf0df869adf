//! The one error type of tinyrnn: every failure says what was expected and what was found.
//!
//! Its variants are those of loading and running a model from memory; reading weight files
//! has errors of its own, in `tinyrnn-io` (`tinyrnn::LoadError`).

use core::fmt;

/// Why weights could not be loaded or a sequence could not be processed.
///
/// Every variant carries what was expected and what was found, so the message alone is
/// enough to fix the call.
///
/// ```
/// use tinyrnn_runtime::Error;
///
/// let e = Error::WeightCount { expected: 15, found: 14 };
/// assert_eq!(
///     e.to_string(),
///     "wrong number of weights: expected 15 f32 values, found 14"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A flat weight slice (Keras `get_weights()` order) has the wrong length.
    WeightCount {
        /// The model's parameter count.
        expected: usize,
        /// The length of the slice given.
        found: usize,
    },
    /// A little-endian weight blob has the wrong length.
    ByteCount {
        /// Four bytes per parameter.
        expected: usize,
        /// The length of the blob given.
        found: usize,
    },
    /// An output buffer's length differs from the input sequence's.
    OutputLength {
        /// The number of timesteps in the input.
        expected: usize,
        /// The length of the output buffer given.
        found: usize,
    },
    /// A token id is not below the `embedding` layer's `input_dim` (the checked
    /// `try_forward` and `try_step` of models that read token ids).
    TokenOutOfRange {
        /// The timestep of the id (0 for `try_step`).
        timestep: usize,
        /// The id given.
        id: u32,
        /// The embedding's `input_dim`: ids must be below it.
        input_dim: usize,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::WeightCount { expected, found } => write!(
                f,
                "wrong number of weights: expected {expected} f32 values, found {found}"
            ),
            Error::ByteCount { expected, found } => write!(
                f,
                "wrong weight blob length: expected {expected} bytes (4 per f32 weight), found {found}"
            ),
            Error::OutputLength { expected, found } => write!(
                f,
                "wrong output buffer length: expected {expected} timesteps (one per input step), found {found}"
            ),
            Error::TokenOutOfRange {
                timestep,
                id,
                input_dim,
            } => write!(
                f,
                "token id out of range at timestep {timestep}: expected an id below {input_dim} (the embedding's input_dim), found {id}"
            ),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}
