//! PyTorch state dicts (`model.state_dict()`), mapped to Keras's weight layout.
//!
//! | PyTorch | Keras (what `model!` layers hold) |
//! |---|---|
//! | `weight_ih_l{k}` `(g*h, d)` | `kernel` `(d, g*h)`: transposed |
//! | `weight_hh_l{k}` `(g*h, h)` | `recurrent_kernel` `(h, g*h)`: transposed |
//! | `bias_ih_l{k}` + `bias_hh_l{k}` (RNN, LSTM) | `bias` `(g*h,)`: their sum |
//! | `bias_ih_l{k}`, `bias_hh_l{k}` (GRU) | `bias` `(2, g*h)`: input row, recurrent row |
//! | GRU gates r, z, n | GRU gates z, r, h: the first two blocks swap |
//! | LSTM gates i, f, g, o | LSTM gates i, f, c, o: the same order |
//! | `..._l{k}_reverse` | the backward layer of `bidirectional` |
//! | `num_layers = n` | `n` stacked layers |
//! | `Linear.weight` `(out, in)`, `.bias` | `Dense` `kernel` `(in, out)`: transposed, `bias` |
//!
//! PyTorch's GRU is Keras's `reset_after = true`. Layers are matched in order and by shape:
//! each declared layer takes the first unused module whose shapes fit its input width and
//! units (in the file's order, or by name for `.safetensors`, whose header keeps none).

use crate::LoadError;

mod infer;
mod matching;

pub use infer::infer_config;
pub use matching::weights_for;

/// One tensor of a state dict, as float32.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Its state-dict key (`lstm.weight_ih_l0`).
    pub key: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its values, row-major.
    pub data: Vec<f32>,
}

/// A PyTorch state dict: its tensors, in the file's order where it has one.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StateDict {
    /// The tensors.
    pub tensors: Vec<Tensor>,
}

impl StateDict {
    /// The number of values in all tensors: PyTorch's parameter count.
    #[must_use]
    pub fn params(&self) -> usize {
        self.tensors.iter().map(|t| t.data.len()).sum()
    }

    fn get(&self, key: &str) -> Option<&Tensor> {
        self.tensors.iter().find(|t| t.key == key)
    }
}

/// `nn.BatchNorm1d`'s `num_batches_tracked`, an int64 count of training batches: no
/// weight of the model (Keras has no such variable), skipped.
fn is_batch_counter(key: &str) -> bool {
    key == "num_batches_tracked" || key.ends_with(".num_batches_tracked")
}

/// Whether `bytes` look like a `.safetensors` file: a little-endian header length, then JSON.
#[must_use]
pub fn is_safetensors(bytes: &[u8]) -> bool {
    bytes.len() > 8 && bytes[8] == b'{'
}

/// Reads a `.safetensors` state dict. Its header keeps no order, so tensors are sorted by
/// key, numbers compared as numbers (`layers.2` before `layers.10`).
///
/// # Errors
/// [`LoadError::Torch`] for a damaged file or a tensor that is not float32.
pub fn read_safetensors(bytes: &[u8]) -> Result<StateDict, LoadError> {
    let file = safetensors::SafeTensors::deserialize(bytes)
        .map_err(|e| LoadError::Torch(format!("not a readable .safetensors file: {e}")))?;
    let mut tensors = Vec::new();
    for (key, view) in file.iter() {
        if is_batch_counter(key) {
            continue;
        }
        if view.dtype() != safetensors::Dtype::F32 {
            return Err(LoadError::Torch(format!(
                "`{key}`: expected float32 weights, found {:?}",
                view.dtype()
            )));
        }
        let data = view
            .data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        tensors.push(Tensor {
            key: key.to_owned(),
            shape: view.shape().to_vec(),
            data,
        });
    }
    tensors.sort_by(|a, b| natural_cmp(&a.key, &b.key));
    Ok(StateDict { tensors })
}

/// Reads a `torch.save(model.state_dict(), path)` file (`.pt`/`.pth`, the zip container or
/// the older ones) with Burn's pure-Rust `pytorch-reader`. It reads tensors from the file
/// itself, so there is no from-bytes variant; its names come unordered, so they are sorted
/// as for `.safetensors`.
///
/// # Errors
/// [`LoadError::Torch`] for a damaged file or a tensor that is not float32.
pub fn read_pt(path: &std::path::Path) -> Result<StateDict, LoadError> {
    let reader = pytorch_reader::PytorchReader::new(path)
        .map_err(|e| LoadError::Torch(format!("not a readable torch.save file: {e}")))?;
    // Tensors can share one storage, so together they could hold the file many times over:
    // all of them may hold at most 4x the file's length.
    let len = std::fs::metadata(path).map_or(0, |m| m.len());
    let mut left = len.saturating_mul(4).saturating_add(1024);
    let mut tensors = Vec::new();
    for (key, tensor) in reader.tensors() {
        if is_batch_counter(key) {
            continue;
        }
        if tensor.dtype() != pytorch_reader::DType::F32 {
            return Err(LoadError::Torch(format!(
                "`{key}`: expected float32 weights, found {:?}",
                tensor.dtype()
            )));
        }
        let size = tensor
            .shape()
            .iter()
            .try_fold(4_u64, |n, &d| n.checked_mul(u64::try_from(d).ok()?))
            .filter(|&n| n <= left)
            .ok_or_else(|| {
                LoadError::Torch(format!(
                    "`{key}`: shape {:?} is more than the {len}-byte file holds",
                    tensor.shape()
                ))
            })?;
        left -= size;
        let bytes = tensor
            .read()
            .map_err(|e| LoadError::Torch(format!("`{key}`: {e}")))?;
        tensors.push(Tensor {
            key: key.clone(),
            shape: tensor.shape().to_vec(),
            data: bytes
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect(),
        });
    }
    tensors.sort_by(|a, b| natural_cmp(&a.key, &b.key));
    Ok(StateDict { tensors })
}

/// Reads a state dict from a file: `.safetensors`, or a `torch.save` file.
///
/// # Errors
/// [`LoadError::Io`] when the file cannot be read, [`LoadError::Torch`] when it is neither.
pub fn read_path(path: &std::path::Path) -> Result<StateDict, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    if is_safetensors(&bytes) {
        read_safetensors(&bytes)
    } else {
        read_pt(path)
    }
}

/// `a.b10` after `a.b2`: digit runs compare as numbers.
fn natural_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, sa), (db, sb)) in ca.iter().zip(&cb) {
        let order = if *da && *db {
            sa.len().cmp(&sb.len()).then(sa.cmp(sb))
        } else {
            sa.cmp(sb)
        };
        if order.is_ne() {
            return order;
        }
    }
    ca.len().cmp(&cb.len())
}

/// One direction of one layer of an `nn.RNN`/`nn.LSTM`/`nn.GRU`, an `nn.Linear` or
/// `nn.Embedding` (a 2-D `weight`), or an `nn.LayerNorm` / `nn.BatchNorm1d` (a 1-D `weight`,
/// `norm`).
#[derive(Debug)]
struct Module<'a> {
    /// The keys' common prefix and suffix, for messages (`lstm.*_l1_reverse`).
    name: String,
    /// Where it starts in the file order, for ties.
    order: usize,
    /// `weight_ih` / `Linear.weight`.
    weight: &'a Tensor,
    /// `weight_hh`, for recurrent modules.
    recurrent: Option<&'a Tensor>,
    bias_ih: Option<&'a Tensor>,
    bias_hh: Option<&'a Tensor>,
    /// For recurrent modules: `(prefix, layer)`; `reverse` marks the backward direction.
    layer: Option<(String, usize)>,
    reverse: bool,
    /// For `nn.LayerNorm` and `nn.BatchNorm1d`: which.
    norm: Option<Norm<'a>>,
}

/// A module with a 1-D `weight`: an `nn.LayerNorm`, or an `nn.BatchNorm1d` with its running
/// statistics.
#[derive(Debug, Clone, Copy)]
enum Norm<'a> {
    Layer,
    /// `running_mean`, `running_var`.
    Batch(&'a Tensor, &'a Tensor),
}

fn modules(dict: &StateDict) -> Vec<Module<'_>> {
    let mut out = Vec::new();
    for (order, t) in dict.tensors.iter().enumerate() {
        if let Some((prefix, rest)) = t.key.rsplit_once("weight_ih_l") {
            let (index, reverse) = match rest.strip_suffix("_reverse") {
                Some(i) => (i, true),
                None => (rest, false),
            };
            let Ok(layer) = index.parse::<usize>() else {
                continue;
            };
            let key = |name: &str| format!("{prefix}{name}_l{rest}");
            out.push(Module {
                name: format!("{prefix}*_l{rest}"),
                order,
                weight: t,
                recurrent: dict.get(&key("weight_hh")),
                bias_ih: dict.get(&key("bias_ih")),
                bias_hh: dict.get(&key("bias_hh")),
                layer: Some((prefix.to_owned(), layer)),
                reverse,
                norm: None,
            });
        } else if let Some(prefix) = t.key.strip_suffix("weight")
            && t.shape.len() == 2
            && !t.key.contains("weight_hh")
        {
            out.push(Module {
                name: format!("{prefix}weight"),
                order,
                weight: t,
                recurrent: None,
                bias_ih: dict.get(&format!("{prefix}bias")),
                bias_hh: None,
                layer: None,
                reverse: false,
                norm: None,
            });
        } else if let Some(prefix) = t.key.strip_suffix("weight")
            && t.shape.len() == 3
        {
            // An nn.Conv1d: weight (out, in / groups, kernel_size).
            out.push(Module {
                name: format!("{prefix}weight"),
                order,
                weight: t,
                recurrent: None,
                bias_ih: dict.get(&format!("{prefix}bias")),
                bias_hh: None,
                layer: None,
                reverse: false,
                norm: None,
            });
        } else if let Some(prefix) = t.key.strip_suffix("weight")
            && t.shape.len() == 1
        {
            let norm = match dict
                .get(&format!("{prefix}running_mean"))
                .zip(dict.get(&format!("{prefix}running_var")))
            {
                Some((mean, var)) => Norm::Batch(mean, var),
                None => Norm::Layer,
            };
            out.push(Module {
                name: format!("{prefix}weight"),
                order,
                weight: t,
                recurrent: None,
                bias_ih: dict.get(&format!("{prefix}bias")),
                bias_hh: None,
                layer: None,
                reverse: false,
                norm: Some(norm),
            });
        }
    }
    out.sort_by_key(|m| m.order);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ExpectedLayer;

    #[test]
    fn numbers_in_keys_sort_as_numbers() {
        let mut keys = vec![
            "layers.10.weight",
            "layers.2.weight",
            "fc.bias",
            "fc.weight",
        ];
        keys.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            keys,
            [
                "fc.bias",
                "fc.weight",
                "layers.2.weight",
                "layers.10.weight"
            ]
        );
    }

    fn tensor(key: &str, shape: &[usize], data: Vec<f32>) -> Tensor {
        Tensor {
            key: key.to_owned(),
            shape: shape.to_vec(),
            data,
        }
    }

    #[test]
    fn gru_gates_swap_and_biases_stay_two_rows() {
        // h = 1, d = 1: gates r, z, n are rows 0, 1, 2.
        let dict = StateDict {
            tensors: vec![
                tensor("gru.weight_ih_l0", &[3, 1], vec![1.0, 2.0, 3.0]),
                tensor("gru.weight_hh_l0", &[3, 1], vec![4.0, 5.0, 6.0]),
                tensor("gru.bias_ih_l0", &[3], vec![7.0, 8.0, 9.0]),
                tensor("gru.bias_hh_l0", &[3], vec![10.0, 11.0, 12.0]),
            ],
        };
        let expected = [ExpectedLayer {
            name: "gru".into(),
            class: "GRU".into(),
            weights: vec![
                ("kernel".into(), vec![1, 3]),
                ("recurrent_kernel".into(), vec![1, 3]),
                ("bias".into(), vec![2, 3]),
            ],
            options: vec![("reset_after".into(), "true".into())],
        }];
        // Keras z, r, h: PyTorch's z (2.0) first, then r (1.0), then n.
        assert_eq!(
            weights_for(&dict, &expected).unwrap(),
            [
                2.0, 1.0, 3.0, 5.0, 4.0, 6.0, 8.0, 7.0, 9.0, 11.0, 10.0, 12.0
            ]
        );
    }

    #[test]
    fn lstm_biases_add_and_kernels_transpose() {
        // d = 2, h = 1: weight_ih is (4, 2).
        let dict = StateDict {
            tensors: vec![
                tensor(
                    "rnn.weight_ih_l0",
                    &[4, 2],
                    (0..8).map(|i| i as f32).collect(),
                ),
                tensor("rnn.weight_hh_l0", &[4, 1], vec![0.5; 4]),
                tensor("rnn.bias_ih_l0", &[4], vec![1.0; 4]),
                tensor("rnn.bias_hh_l0", &[4], vec![0.25; 4]),
            ],
        };
        let expected = [ExpectedLayer {
            name: "lstm".into(),
            class: "LSTM".into(),
            weights: vec![
                ("kernel".into(), vec![2, 4]),
                ("recurrent_kernel".into(), vec![1, 4]),
                ("bias".into(), vec![4]),
            ],
            options: Vec::new(),
        }];
        let flat = weights_for(&dict, &expected).unwrap();
        assert_eq!(&flat[..8], &[0.0, 2.0, 4.0, 6.0, 1.0, 3.0, 5.0, 7.0]);
        assert_eq!(&flat[12..], &[1.25; 4]);
    }

    #[test]
    fn a_wrong_shape_names_the_key() {
        let dict = StateDict {
            tensors: vec![tensor("fc.weight", &[1, 5], vec![0.0; 5])],
        };
        let expected = [ExpectedLayer {
            name: "dense".into(),
            class: "Dense".into(),
            weights: vec![("kernel".into(), vec![4, 1])],
            options: Vec::new(),
        }];
        assert_eq!(
            weights_for(&dict, &expected).unwrap_err().to_string(),
            "layer `dense`: PyTorch tensor `fc.weight`: expected shape (1, 4), found (1, 5)"
        );
    }
}
