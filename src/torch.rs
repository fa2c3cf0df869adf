//! PyTorch state dicts: `nn.RNN`, `nn.LSTM`, `nn.GRU` and `nn.Linear` weights, saved with
//! `safetensors.torch.save_file(model.state_dict(), "net.safetensors")` or
//! `torch.save(model.state_dict(), "net.pt")`, converted to the Keras layout the layers hold
//! (see [`tinyrnn_io::torch`] for the mapping table).
//!
//! ```
//! tinyrnn::model! {
//!     pub struct Net;
//!     input [15, 3];
//!     gru(4);        // nn.GRU(3, 4): PyTorch's GRU is Keras's reset_after = true
//!     dense(1);      // nn.Linear(4, 1) on the last timestep
//! }
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/torch/gru1.safetensors");
//! let net = Net::from_torch_file(path)?;
//! assert!(net.forward(&[[0.5; 3]; 15])[0].is_finite());
//! // Keras and tinyrnn count 3*h*(d+h)+6*h for a GRU; so does PyTorch.
//! assert_eq!(tinyrnn::torch::pytorch_params(&Net::summary()), Net::PARAMS);
//! # Ok::<(), tinyrnn::LoadError>(())
//! ```

use crate::keras::expected_layers;
use crate::{Model, Summary};
use std::borrow::ToOwned;
use std::format;
use std::path::Path;
use std::string::String;

use crate::LoadError;
pub use tinyrnn_io::torch::{
    StateDict, Tensor, infer_config, is_safetensors, read_path, read_pt, read_safetensors,
    weights_for,
};

/// Reads a state dict from a `.safetensors` file's bytes.
///
/// # Errors
/// [`LoadError::Torch`] for other or damaged files.
pub fn read(bytes: &[u8]) -> Result<StateDict, LoadError> {
    if tinyrnn_io::torch::is_safetensors(bytes) {
        read_safetensors(bytes)
    } else if bytes.starts_with(b"PK\x03\x04") {
        Err(LoadError::Torch(
            "a `torch.save` file (.pt/.pth) is read from its path, not from memory: use \
             `from_torch_file`, or export with \
             `safetensors.torch.save_file(model.state_dict(), \"net.safetensors\")`"
                .to_owned(),
        ))
    } else {
        Err(LoadError::Torch(
            "not a .safetensors file (no JSON header after the 8-byte length)".to_owned(),
        ))
    }
}

/// The model `M` with the weights of a PyTorch state dict held in memory.
///
/// # Errors
/// A [`LoadError`] naming the PyTorch key and the expected and found shapes when a module
/// does not fit, or what is missing or left over.
pub fn load<M: Model>(bytes: &[u8]) -> Result<M, LoadError> {
    let dict = read(bytes)?;
    let flat = weights_for(&dict, &expected_layers(&M::summary()))?;
    M::from_flat(&flat).map_err(|e| LoadError::Torch(format!("weights do not fit: {e}")))
}

/// The model `M` with the weights of the state dict at `path`.
///
/// # Errors
/// [`LoadError::Io`] when the file cannot be read, then as [`load`].
pub fn load_file<M: Model>(path: impl AsRef<Path>) -> Result<M, LoadError> {
    let dict = tinyrnn_io::torch::read_path(path.as_ref())?;
    let flat = weights_for(&dict, &expected_layers(&M::summary()))?;
    M::from_flat(&flat).map_err(|e| LoadError::Torch(format!("weights do not fit: {e}")))
}

/// How many parameters PyTorch counts for the model: Keras's count plus, for every `nn.RNN`
/// and `nn.LSTM` layer and direction, its second bias (PyTorch keeps `bias_ih` and
/// `bias_hh`, Keras their sum). GRUs keep both biases in Keras too.
///
/// ```
/// tinyrnn::model! { pub struct Net; input [10, 4]; lstm(6, return_sequences = true); lstm(6); dense(1) }
///
/// // Each LSTM layer has 4*6 more in PyTorch: bias_ih and bias_hh instead of one bias.
/// assert_eq!(tinyrnn::torch::pytorch_params(&Net::summary()), Net::PARAMS + 2 * 4 * 6);
/// ```
#[must_use]
pub fn pytorch_params(summary: &Summary) -> usize {
    summary
        .layers
        .iter()
        .map(|l| {
            let extra = match (l.kind, l.weights.get(2)) {
                ("SimpleRNN" | "LSTM" | "Bidirectional", Some(bias)) if bias.shape.len() == 1 => {
                    bias.len() * l.copies
                }
                _ => 0,
            };
            l.params + extra
        })
        .sum()
}

/// A note for a summary of a model loaded from PyTorch: both counts, and why they differ.
///
/// ```
/// tinyrnn::model! { pub struct Net; input [12, 3]; simple_rnn(4); dense(1) }
///
/// assert_eq!(
///     tinyrnn::torch::params_note(&Net::summary()),
///     "Loaded from PyTorch, which counts 41 parameters where Keras and tinyrnn count 37: \
///      nn.RNN and nn.LSTM keep two biases (bias_ih, bias_hh) that Keras sums into one."
/// );
/// ```
#[must_use]
pub fn params_note(summary: &Summary) -> String {
    let (keras, torch) = (summary.total_params(), pytorch_params(summary));
    if keras == torch {
        format!("Loaded from PyTorch, which counts the same {keras} parameters.")
    } else {
        format!(
            "Loaded from PyTorch, which counts {torch} parameters where Keras and tinyrnn count {keras}: \
             nn.RNN and nn.LSTM keep two biases (bias_ih, bias_hh) that Keras sums into one."
        )
    }
}
