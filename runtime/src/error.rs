//! The one error type of tinyrnn: every failure says what was expected and what was found.
//!
//! Without `alloc` it has the variants of loading and running a model from memory; with it
//! (the `std` feature enables it), also those of reading weight files, which carry names and
//! messages.

#[cfg(feature = "alloc")]
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};
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
    #[cfg(feature = "alloc")]
    /// The file could not be read.
    Io {
        /// The path given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    #[cfg(feature = "alloc")]
    /// Neither a `.keras` (zip) nor an HDF5 file.
    NotKeras {
        /// What the first bytes look like.
        found: String,
    },
    #[cfg(feature = "alloc")]
    /// The zip container of a `.keras` file is damaged or lacks a member.
    Zip(String),
    #[cfg(feature = "alloc")]
    /// The HDF5 data is damaged or not laid out as Keras writes it.
    Hdf5(String),
    #[cfg(feature = "alloc")]
    /// The model config is missing, not JSON, or not a `Sequential` model.
    Config(String),
    #[cfg(feature = "alloc")]
    /// The file's layers are not the model's.
    Architecture {
        /// The file's layers, `name (Class)`.
        file: Vec<String>,
        /// The model's layers, `name (Class)`.
        model: Vec<String>,
    },
    #[cfg(feature = "alloc")]
    /// A layer's option (activation, `return_sequences`, ...) differs.
    Option {
        /// The layer, as the model names it.
        layer: String,
        /// The Keras config key.
        key: String,
        /// The model's value.
        expected: String,
        /// The file's value.
        found: String,
    },
    #[cfg(feature = "alloc")]
    /// A layer of the model has no weights in the file.
    MissingLayer {
        /// The layer the model expects.
        layer: String,
        /// The layers the file has.
        found: Vec<String>,
    },
    #[cfg(feature = "alloc")]
    /// A layer has a different number of weight arrays.
    ArrayCount {
        /// The layer.
        layer: String,
        /// The model's arrays, `name (shape)`.
        expected: Vec<String>,
        /// How many the file has.
        found: usize,
    },
    #[cfg(feature = "alloc")]
    /// A weight array has a different shape.
    Shape {
        /// The layer.
        layer: String,
        /// The weight's Keras name (`kernel`).
        weight: String,
        /// The model's shape.
        expected: Vec<usize>,
        /// The file's shape.
        found: Vec<usize>,
    },
    #[cfg(feature = "alloc")]
    /// A PyTorch state dict is damaged or does not fit the model.
    Torch(String),
    #[cfg(feature = "alloc")]
    /// A PyTorch tensor has another shape than the model needs.
    TorchShape {
        /// The layer, as the model names it.
        layer: String,
        /// The state-dict key (`lstm.weight_ih_l0`).
        key: String,
        /// The shape the model needs, in PyTorch's layout.
        expected: Vec<usize>,
        /// The tensor's shape.
        found: Vec<usize>,
    },
    #[cfg(feature = "alloc")]
    /// The file's model has parts `model!` cannot express.
    Unsupported(Vec<Unsupported>),
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
            #[cfg(feature = "alloc")]
            Error::Io { path, message } => write!(f, "cannot read `{path}`: {message}"),
            #[cfg(feature = "alloc")]
            Error::NotKeras { found } => write!(
                f,
                "not a Keras file: expected a `.keras` zip or an HDF5 `.h5`, found {found}"
            ),
            #[cfg(feature = "alloc")]
            Error::Zip(m) => write!(f, "damaged `.keras` file: {m}"),
            #[cfg(feature = "alloc")]
            Error::Hdf5(m) => write!(f, "damaged or unexpected HDF5 data: {m}"),
            #[cfg(feature = "alloc")]
            Error::Config(m) => write!(f, "model config: {m}"),
            #[cfg(feature = "alloc")]
            Error::Architecture { file, model } => write!(
                f,
                "the file's layers differ from the model's: expected [{}], found [{}]",
                model.join(", "),
                file.join(", ")
            ),
            #[cfg(feature = "alloc")]
            Error::Option {
                layer,
                key,
                expected,
                found,
            } => write!(
                f,
                "layer `{layer}`: `{key}` differs: expected `{expected}`, found `{found}` in the file"
            ),
            #[cfg(feature = "alloc")]
            Error::MissingLayer { layer, found } => write!(
                f,
                "layer `{layer}` has no weights in the file; the file has [{}]",
                found.join(", ")
            ),
            #[cfg(feature = "alloc")]
            Error::ArrayCount {
                layer,
                expected,
                found,
            } => write!(
                f,
                "layer `{layer}`: expected {} weight arrays ({}), found {found}",
                expected.len(),
                expected.join(", ")
            ),
            #[cfg(feature = "alloc")]
            Error::Shape {
                layer,
                weight,
                expected,
                found,
            } => write!(
                f,
                "layer `{layer}`, weight `{weight}`: expected shape {}, found {}",
                shape(expected),
                shape(found)
            ),
            #[cfg(feature = "alloc")]
            Error::Torch(m) => write!(f, "PyTorch state dict: {m}"),
            #[cfg(feature = "alloc")]
            Error::TorchShape {
                layer,
                key,
                expected,
                found,
            } => {
                let dims = |d: &[usize]| {
                    let inner: Vec<String> = d.iter().map(ToString::to_string).collect();
                    format!("({})", inner.join(", "))
                };
                write!(
                    f,
                    "layer `{layer}`: PyTorch tensor `{key}`: expected shape {}, found {}",
                    dims(expected),
                    dims(found)
                )
            }
            #[cfg(feature = "alloc")]
            Error::Unsupported(items) => {
                write!(f, "the model uses what tinyrnn cannot run yet: ")?;
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                f.write_str(&items.join("; "))
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

#[cfg(feature = "alloc")]
fn shape(dims: &[usize]) -> String {
    let inner: Vec<String> = dims.iter().map(ToString::to_string).collect();
    if dims.len() == 1 {
        format!("({},)", inner.join(", "))
    } else {
        format!("({})", inner.join(", "))
    }
}

/// Something in a model from another tool that `model!` cannot express yet.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The layer's name in the file, or `input`.
    pub layer: String,
    /// What is not supported, e.g. "layer class `Conv1D` is not supported".
    pub what: String,
}

#[cfg(feature = "alloc")]
impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.layer, self.what)
    }
}
