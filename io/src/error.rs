//! The errors of reading weight files: each says what was expected and what was found, and
//! names the file's layer, weight or key. They belong to this crate, which reads files; the
//! `no_std` runtime's [`tinyrnn_runtime::Error`] covers loading a model from memory.

use std::fmt;

/// Why a weight file could not be read, or does not fit the model.
///
/// ```
/// let err = tinyrnn_io::read(b"not a model").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "not a Keras file: expected a `.keras` zip or an HDF5 `.h5`, found a file starting with `not a mo`"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// The weights read do not build the model (the runtime's error: wrong count, ...).
    Model(tinyrnn_runtime::Error),
    /// The file could not be read.
    Io {
        /// The path given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// Neither a `.keras` (zip) nor an HDF5 file.
    NotKeras {
        /// What the first bytes look like.
        found: String,
    },
    /// The zip container of a `.keras` file is damaged or lacks a member.
    Zip(String),
    /// The HDF5 data is damaged or not laid out as Keras writes it.
    Hdf5(String),
    /// The model config is missing, not JSON, or not a `Sequential` model.
    Config(String),
    /// The file's layers are not the model's.
    Architecture {
        /// The file's layers, `name (Class)`.
        file: Vec<String>,
        /// The model's layers, `name (Class)`.
        model: Vec<String>,
    },
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
    /// A layer of the model has no weights in the file.
    MissingLayer {
        /// The layer the model expects.
        layer: String,
        /// The layers the file has.
        found: Vec<String>,
    },
    /// A layer has a different number of weight arrays.
    ArrayCount {
        /// The layer.
        layer: String,
        /// The model's arrays, `name (shape)`.
        expected: Vec<String>,
        /// How many the file has.
        found: usize,
    },
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
    /// A PyTorch state dict is damaged or does not fit the model.
    Torch(String),
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
    /// The file's model has parts `model!` cannot express.
    Unsupported(Vec<Unsupported>),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Model(e) => e.fmt(f),
            LoadError::Io { path, message } => write!(f, "cannot read `{path}`: {message}"),
            LoadError::NotKeras { found } => write!(
                f,
                "not a Keras file: expected a `.keras` zip or an HDF5 `.h5`, found {found}"
            ),
            LoadError::Zip(m) => write!(f, "damaged `.keras` file: {m}"),
            LoadError::Hdf5(m) => write!(f, "damaged or unexpected HDF5 data: {m}"),
            LoadError::Config(m) => write!(f, "model config: {m}"),
            LoadError::Architecture { file, model } => write!(
                f,
                "the file's layers differ from the model's: expected [{}], found [{}]",
                model.join(", "),
                file.join(", ")
            ),
            LoadError::Option {
                layer,
                key,
                expected,
                found,
            } => write!(
                f,
                "layer `{layer}`: `{key}` differs: expected `{expected}`, found `{found}` in the file"
            ),
            LoadError::MissingLayer { layer, found } => write!(
                f,
                "layer `{layer}` has no weights in the file; the file has [{}]",
                found.join(", ")
            ),
            LoadError::ArrayCount {
                layer,
                expected,
                found,
            } => write!(
                f,
                "layer `{layer}`: expected {} weight arrays ({}), found {found}",
                expected.len(),
                expected.join(", ")
            ),
            LoadError::Shape {
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
            LoadError::Torch(m) => write!(f, "PyTorch state dict: {m}"),
            LoadError::TorchShape {
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
            LoadError::Unsupported(items) => {
                write!(f, "the model uses what tinyrnn cannot run yet: ")?;
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                f.write_str(&items.join("; "))
            }
        }
    }
}

impl std::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LoadError::Model(e) => Some(e),
            _ => None,
        }
    }
}

impl From<tinyrnn_runtime::Error> for LoadError {
    fn from(e: tinyrnn_runtime::Error) -> Self {
        LoadError::Model(e)
    }
}

fn shape(dims: &[usize]) -> String {
    let inner: Vec<String> = dims.iter().map(ToString::to_string).collect();
    if dims.len() == 1 {
        format!("({},)", inner.join(", "))
    } else {
        format!("({})", inner.join(", "))
    }
}

/// Something in a model from another tool that `model!` cannot express yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The layer's name in the file, or `input`.
    pub layer: String,
    /// What is not supported, e.g. "layer class `Conv2D` is not supported".
    pub what: String,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.layer, self.what)
    }
}
