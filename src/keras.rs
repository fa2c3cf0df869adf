//! Keras weight files: the `.keras` zip, Keras 3 `.weights.h5` and legacy `.h5`, read with a
//! pure-Rust HDF5 reader and matched to a model's layers.
//!
//! Every generated model has `Net::from_keras_file(path)` and `Net::from_keras_bytes(bytes)`;
//! this module holds what they call, for code generic over models, and the file reader.
//!
//! ```
//! tinyrnn::model! {
//!     pub struct Net;
//!     input [50, 3];
//!     simple_rnn(2);
//!     dense(1);
//! }
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keras-files/seed_rnn2.keras");
//! let net = Net::from_keras_file(path)?;
//! let y = net.forward(&[[0.1, 0.2, 0.3]; 50]);
//! assert!(y[0].is_finite());
//!
//! // A file of another architecture is an error that says what differs.
//! let other = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keras-files/gru_basic.keras");
//! let err = Net::from_keras_file(other).unwrap_err();
//! assert!(err.to_string().starts_with("the file's layers differ from the model's"));
//! # Ok::<(), tinyrnn::LoadError>(())
//! ```

use crate::{LoadError, Model, Summary};
use std::borrow::ToOwned;
use std::format;
use std::path::Path;
use std::vec::Vec;

pub use tinyrnn_io::{
    Array, ExpectedLayer, FileLayer, Format, GraphNode, KerasFile, config, dsl,
    expected_from_config, read, read_path, saving_names, to_snake_case, weights_for,
    window_outputs,
};

/// What a model expects of a file: each layer's Keras name, class, weight shapes and options.
///
/// ```
/// tinyrnn::model! { pub struct Net; input [50, 3]; simple_rnn(2); dense(1) }
///
/// let layers = tinyrnn::keras::expected_layers(&Net::summary());
/// assert_eq!(layers[0].class, "SimpleRNN");
/// assert_eq!(layers[0].weights[0], ("kernel".to_owned(), vec![3, 2]));
/// assert!(layers[1].options.contains(&("activation".to_owned(), "linear".to_owned())));
/// ```
#[must_use]
pub fn expected_layers(summary: &Summary) -> Vec<ExpectedLayer> {
    summary
        .layers
        .iter()
        .map(|l| ExpectedLayer {
            name: l.name.to_owned(),
            class: l.kind.to_owned(),
            weights: (0..l.copies)
                .flat_map(|_| l.weights)
                .map(|w| (w.name.to_owned(), w.shape.to_vec()))
                .collect(),
            options: l
                .options
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        })
        .collect()
}

/// The model `M` with the weights of a Keras file held in memory.
///
/// ```
/// tinyrnn::model! { pub struct Net; input [50, 3]; simple_rnn(2); dense(1) }
///
/// let err = tinyrnn::keras::load::<Net>(b"not a model").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "not a Keras file: expected a `.keras` zip or an HDF5 `.h5`, found a file starting with `not a mo`"
/// );
/// ```
///
/// # Errors
/// A [`LoadError`] when the file is damaged, or its layers, options or shapes are not `M`'s.
pub fn load<M: Model>(bytes: &[u8]) -> Result<M, LoadError> {
    let file = read(bytes)?;
    let flat = weights_for(&file, &expected_layers(&M::summary()))?;
    M::from_flat(&flat).map_err(|e| LoadError::Config(format!("weights do not fit: {e}")))
}

/// The model `M` with the weights of the Keras file at `path`.
///
/// # Errors
/// [`LoadError::Io`] when the file cannot be read, then as [`load`].
pub fn load_file<M: Model>(path: impl AsRef<Path>) -> Result<M, LoadError> {
    let file = read_path(path.as_ref())?;
    let flat = weights_for(&file, &expected_layers(&M::summary()))?;
    M::from_flat(&flat).map_err(|e| LoadError::Config(format!("weights do not fit: {e}")))
}
