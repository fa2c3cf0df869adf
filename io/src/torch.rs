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

use crate::config::{LayerConfig, ModelConfig};
use crate::{ExpectedLayer, LoadError};

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

/// One direction of one layer of an `nn.RNN`/`nn.LSTM`/`nn.GRU`, or an `nn.Linear`.
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
            });
        }
    }
    out.sort_by_key(|m| m.order);
    out
}

/// A declared layer's shape as PyTorch would hold it.
struct Want {
    /// Gates per unit: 1 (RNN), 4 (LSTM), 3 (GRU), 0 for `Dense`.
    gates: usize,
    inputs: usize,
    units: usize,
    bias: bool,
    bidirectional: bool,
}

fn want(layer: &ExpectedLayer) -> Result<Option<Want>, LoadError> {
    let shape = |i: usize| layer.weights.get(i).map(|(_, s)| s.as_slice());
    let option = |key: &str| {
        layer
            .options
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    if layer.weights.is_empty() {
        return Ok(None);
    }
    let bidirectional = layer.class == "Bidirectional";
    let per_direction = if bidirectional {
        layer.weights.len() / 2
    } else {
        layer.weights.len()
    };
    let bias = per_direction == if layer.class == "Dense" { 2 } else { 3 };
    match (shape(0), shape(1)) {
        (Some(&[d, u]), _) if layer.class == "Dense" => Ok(Some(Want {
            gates: 0,
            inputs: d,
            units: u,
            bias,
            bidirectional: false,
        })),
        (Some(&[d, g]), Some(&[h, _])) if h > 0 => {
            if g / h == 3 && option("reset_after") == Some("false") {
                return Err(LoadError::Torch(format!(
                    "layer `{}`: PyTorch's GRU is Keras's `reset_after = true`; declare `gru(.., reset_after = true)`",
                    layer.name
                )));
            }
            Ok(Some(Want {
                gates: g / h,
                inputs: d,
                units: h,
                bias,
                bidirectional,
            }))
        }
        _ => Err(LoadError::Torch(format!(
            "layer `{}` ({}) has no PyTorch equivalent",
            layer.name, layer.class
        ))),
    }
}

fn dims(shape: &[usize]) -> String {
    let inner: Vec<String> = shape.iter().map(ToString::to_string).collect();
    format!("({})", inner.join(", "))
}

/// Whether `m` has the shapes `w` needs.
fn fits(m: &Module<'_>, w: &Want) -> bool {
    let g = w.gates.max(1) * w.units;
    let biases_fit = |t: Option<&Tensor>| t.is_none_or(|t| t.shape == [g]);
    let bias_given = m.bias_ih.is_some();
    if w.gates == 0 {
        return m.layer.is_none()
            && m.weight.shape == [w.units, w.inputs]
            && bias_given == w.bias
            && biases_fit(m.bias_ih);
    }
    m.layer.is_some()
        && m.weight.shape == [g, w.inputs]
        && m.recurrent.is_some_and(|r| r.shape == [g, w.units])
        && bias_given == w.bias
        && (m.bias_hh.is_some() == w.bias)
        && biases_fit(m.bias_ih)
        && biases_fit(m.bias_hh)
}

/// What `w` expects, in PyTorch's terms, for a message.
fn describe(w: &Want) -> String {
    if w.gates == 0 {
        return format!(
            "an nn.Linear with `weight` {}{}",
            dims(&[w.units, w.inputs]),
            if w.bias {
                " and `bias`"
            } else {
                " and no bias"
            }
        );
    }
    let kind = match w.gates {
        1 => "nn.RNN",
        4 => "nn.LSTM",
        _ => "nn.GRU",
    };
    let g = w.gates * w.units;
    format!(
        "an {kind} layer{} with `weight_ih_l*` {}, `weight_hh_l*` {}{}",
        if w.bidirectional {
            " and its `_reverse`"
        } else {
            ""
        },
        dims(&[g, w.inputs]),
        dims(&[g, w.units]),
        if w.bias {
            " and both biases"
        } else {
            " and no biases"
        }
    )
}

/// The state dict's weights for a model with `expected` layers, converted to Keras's layout
/// and flattened in `get_weights()` order (what `Net::from_flat` takes).
///
/// # Errors
/// [`LoadError::TorchShape`] naming the PyTorch key, the expected and the found shape when
/// a layer's module does not fit, [`LoadError::Torch`] when no module is left for a layer
/// or tensors are left over.
pub fn weights_for(dict: &StateDict, expected: &[ExpectedLayer]) -> Result<Vec<f32>, LoadError> {
    let modules = modules(dict);
    let mut used = vec![false; modules.len()];
    let mut flat = Vec::new();
    for layer in expected {
        let Some(w) = want(layer)? else {
            continue;
        };
        let candidates: Vec<usize> = (0..modules.len())
            .filter(|&i| {
                !used[i] && !modules[i].reverse && (modules[i].layer.is_some()) == (w.gates > 0)
            })
            .collect();
        let Some(&index) = candidates.iter().find(|&&i| fits(&modules[i], &w)) else {
            return Err(match candidates.first() {
                Some(&i) => mismatch(&modules[i], &w, &layer.name),
                None => LoadError::Torch(format!(
                    "layer `{}` needs {}, and none is left in the state dict",
                    layer.name,
                    describe(&w)
                )),
            });
        };
        used[index] = true;
        convert(&modules[index], &w, &mut flat);
        if w.bidirectional {
            let forward = &modules[index];
            let reverse = modules
                .iter()
                .position(|m| m.reverse && m.layer == forward.layer)
                .filter(|&i| fits(&modules[i], &w))
                .ok_or_else(|| {
                    LoadError::Torch(format!(
                        "layer `{}` is bidirectional, but `{}` has no `_reverse` direction of the same shape",
                        layer.name, forward.name
                    ))
                })?;
            used[reverse] = true;
            convert(&modules[reverse], &w, &mut flat);
        }
    }
    let left: Vec<String> = modules
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(m, _)| m.name.clone())
        .collect();
    if !left.is_empty() {
        return Err(LoadError::Torch(format!(
            "the state dict has modules the model does not: {}",
            left.join(", ")
        )));
    }
    Ok(flat)
}

/// The width a module reads and the width it writes (both directions of a bidirectional
/// layer, concatenated).
fn widths(m: &Module<'_>, all: &[Module<'_>]) -> (usize, usize) {
    let input = m.weight.shape.get(1).copied().unwrap_or(0);
    let output = match m.recurrent {
        Some(r) => {
            let h = r.shape.get(1).copied().unwrap_or(0);
            let both = all.iter().any(|o| o.reverse && o.layer == m.layer);
            // Saturating: `h` is a tensor's dimension, which a hostile file can make huge.
            if both { h.saturating_mul(2) } else { h }
        }
        None => m.weight.shape.first().copied().unwrap_or(0),
    };
    (input, output)
}

/// The forward modules in the order data flows through them: from the one no other module
/// feeds, each next the unused one that reads what the last wrote (the next layer of the same
/// `nn.LSTM` first). A `.safetensors` header keeps no order, so shapes give it; ties keep the
/// file's order. Reverse directions follow their forward ones.
fn chain(modules: Vec<Module<'_>>) -> Vec<Module<'_>> {
    let forward: Vec<usize> = (0..modules.len())
        .filter(|&i| !modules[i].reverse)
        .collect();
    let w: Vec<(usize, usize)> = modules.iter().map(|m| widths(m, &modules)).collect();
    let next_layer_of = |i: usize, j: usize| match (&modules[i].layer, &modules[j].layer) {
        (Some((prefix, index)), Some((other, next))) => prefix == other && *next == index + 1,
        _ => false,
    };
    let prefix = |i: usize| modules[i].layer.as_ref().map(|l| &l.0);
    let first_layer = |i: usize| modules[i].layer.as_ref().is_none_or(|l| l.1 == 0);
    // Fed: another module writes the width this one reads.
    let fed = |i: usize| {
        forward
            .iter()
            .any(|&j| j != i && w[j].1 == w[i].0 && (prefix(j).is_none() || prefix(j) != prefix(i)))
    };
    // Where data enters: a module nothing feeds; with equal widths everywhere, the first
    // recurrent module, as recurrent models usually start with one.
    let start = [
        |i: usize, m: &[Module<'_>]| m[i].layer.is_some(),
        |_: usize, _: &[Module<'_>]| true,
    ]
    .iter()
    .find_map(|prefer| {
        forward
            .iter()
            .copied()
            .find(|&i| first_layer(i) && !fed(i) && prefer(i, &modules))
    })
    .or_else(|| {
        forward
            .iter()
            .copied()
            .find(|&i| modules[i].layer.is_some() && first_layer(i))
    })
    .or_else(|| forward.first().copied());
    let mut order = Vec::new();
    let mut current = start;
    while let Some(i) = current {
        order.push(i);
        let same_module_next = forward
            .iter()
            .copied()
            .find(|&j| !order.contains(&j) && next_layer_of(i, j));
        current = same_module_next.or_else(|| {
            forward.iter().copied().find(|&j| {
                !order.contains(&j)
                    && w[j].0 == w[i].1
                    && modules[j].layer.as_ref().is_none_or(|l| l.1 == 0)
            })
        });
    }
    // Anything not reached keeps its place after the chain, so that errors can name it.
    let rest: Vec<usize> = forward
        .iter()
        .copied()
        .filter(|i| !order.contains(i))
        .collect();
    order.extend(rest);
    let mut slots: Vec<Option<Module<'_>>> = modules.into_iter().map(Some).collect();
    let mut out = Vec::new();
    for i in order {
        let layer = slots[i].as_ref().and_then(|m| m.layer.clone());
        if let Some(m) = slots[i].take() {
            out.push(m);
        }
        if let Some(r) = slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|m| m.reverse && m.layer == layer))
            && let Some(m) = slots[r].take()
        {
            out.push(m);
        }
    }
    out.extend(slots.into_iter().flatten());
    out
}

/// The Keras-style architecture a state dict implies, for `tinyrnn inspect`, with what had to
/// be assumed because a state dict does not record it (activations, which timesteps a
/// `Linear` reads, the number of timesteps).
///
/// # Errors
/// [`LoadError::Torch`] when the dict holds no recurrent or linear module, or a module whose
/// shapes are not those of an RNN, LSTM or GRU.
pub fn infer_config(dict: &StateDict) -> Result<(ModelConfig, Vec<String>), LoadError> {
    let modules = chain(modules(dict));
    let first = modules.first().ok_or_else(|| {
        LoadError::Torch("no nn.RNN, nn.LSTM, nn.GRU or nn.Linear weights".to_owned())
    })?;
    let features = first.weight.shape.get(1).copied();
    let mut layers = Vec::new();
    let mut assumptions = Vec::new();
    let mut names = std::collections::HashMap::<&str, usize>::new();
    let mut name = |keyword: &'static str| {
        let n = names.entry(keyword).or_insert(0);
        *n += 1;
        if *n == 1 {
            keyword.to_owned()
        } else {
            format!("{keyword}_{}", *n - 1)
        }
    };
    for (i, m) in modules.iter().enumerate() {
        if m.reverse {
            continue;
        }
        let next_is_linear = modules
            .iter()
            .skip(i + 1)
            .find(|n| !n.reverse)
            .is_some_and(|n| n.layer.is_none());
        match (&m.layer, m.recurrent) {
            (None, _) => {
                layers.push(LayerConfig {
                    class: "Dense".to_owned(),
                    name: name("dense"),
                    units: m.weight.shape.first().copied(),
                    activation: Some("linear".to_owned()),
                    use_bias: Some(m.bias_ih.is_some()),
                    ..LayerConfig::default()
                });
            }
            (Some((prefix, k)), Some(recurrent)) => {
                let h = recurrent.shape.get(1).copied().unwrap_or(0);
                let g = m.weight.shape.first().copied().unwrap_or(0);
                let (class, keyword) = match g.checked_div(h) {
                    Some(1) => ("SimpleRNN", "simple_rnn"),
                    Some(4) => ("LSTM", "lstm"),
                    Some(3) => ("GRU", "gru"),
                    _ => {
                        return Err(LoadError::Torch(format!(
                            "`{}`: {g} rows for {h} units is not an RNN, LSTM or GRU",
                            m.name
                        )));
                    }
                };
                let deeper = modules
                    .iter()
                    .any(|o| o.layer.as_ref().is_some_and(|(p, j)| p == prefix && j > k));
                let return_sequences = deeper || !next_is_linear;
                if class == "SimpleRNN" {
                    assumptions.push(format!(
                        "`{}`: nn.RNN's nonlinearity is not in a state dict; assumed tanh (write `activation = relu` for nonlinearity='relu')",
                        m.name
                    ));
                }
                if !deeper && next_is_linear {
                    assumptions.push(format!(
                        "`{}`: the Linear after it is assumed to read the last timestep; set `return_sequences = true` if it reads every timestep",
                        m.name
                    ));
                }
                let bidirectional = modules.iter().any(|o| o.reverse && o.layer == m.layer);
                let cell = LayerConfig {
                    class: class.to_owned(),
                    name: name(keyword),
                    units: Some(h),
                    activation: Some("tanh".to_owned()),
                    recurrent_activation: (class != "SimpleRNN").then(|| "sigmoid".to_owned()),
                    use_bias: Some(m.bias_ih.is_some()),
                    return_sequences: Some(return_sequences),
                    go_backwards: Some(false),
                    reset_after: (class == "GRU").then_some(true),
                    ..LayerConfig::default()
                };
                layers.push(if bidirectional {
                    LayerConfig {
                        class: "Bidirectional".to_owned(),
                        name: name("bidirectional"),
                        merge_mode: Some("concat".to_owned()),
                        wrapped: Some(Box::new(cell)),
                        ..LayerConfig::default()
                    }
                } else {
                    cell
                });
            }
            (Some(_), None) => {
                return Err(LoadError::Torch(format!("`{}` has no `weight_hh`", m.name)));
            }
        }
    }
    if modules.iter().any(|m| m.layer.is_none()) {
        assumptions
            .push("nn.Linear activations are not in a state dict; assumed linear".to_owned());
    }
    assumptions.push("the number of timesteps is not in a state dict: `_` (any)".to_owned());
    Ok((
        ModelConfig {
            name: "torch".to_owned(),
            input: Some([None, features]),
            input_layer: None,
            layers,
        },
        assumptions,
    ))
}

/// The first shape that differs, named by its PyTorch key.
fn mismatch(m: &Module<'_>, w: &Want, layer: &str) -> LoadError {
    let g = w.gates.max(1) * w.units;
    let (weight_shape, recurrent_shape) = if w.gates == 0 {
        (vec![w.units, w.inputs], None)
    } else {
        (vec![g, w.inputs], Some(vec![g, w.units]))
    };
    let shape_error = |t: &Tensor, expected: Vec<usize>| LoadError::TorchShape {
        layer: layer.to_owned(),
        key: t.key.clone(),
        expected,
        found: t.shape.clone(),
    };
    if m.weight.shape != weight_shape {
        return shape_error(m.weight, weight_shape);
    }
    if let (Some(r), Some(expected)) = (m.recurrent, recurrent_shape)
        && r.shape != expected
    {
        return shape_error(r, expected);
    }
    LoadError::Torch(format!(
        "layer `{layer}` needs {}; `{}` {}",
        describe(w),
        m.name,
        if m.bias_ih.is_some() {
            "has biases"
        } else {
            "has no biases"
        }
    ))
}

/// Appends one module's weights in Keras's layout.
fn convert(m: &Module<'_>, w: &Want, flat: &mut Vec<f32>) {
    let h = w.units;
    // Keras's gate block for each of PyTorch's: GRU r, z, n -> z, r, h.
    let block = |b: usize| if w.gates == 3 && b < 2 { 1 - b } else { b };
    // Row `r` of a (g*h, cols) PyTorch matrix, moved to Keras's gate order.
    let keras_row = |r: usize| block(r / h.max(1)) * h + r % h.max(1);
    let transpose = |t: &Tensor, flat: &mut Vec<f32>| {
        // Nothing to move in an empty tensor, whose other dimension a file can make huge.
        if t.data.is_empty() {
            return;
        }
        let (rows, cols) = (t.shape[0], t.shape[1]);
        let mut out = vec![0.0_f32; rows * cols];
        for r in 0..rows {
            let kr = if w.gates == 0 { r } else { keras_row(r) };
            for c in 0..cols {
                // Keras is (cols, rows) row-major: element (c, kr).
                out[c * rows + kr] = t.data[r * cols + c];
            }
        }
        flat.extend_from_slice(&out);
    };
    let reorder = |t: &Tensor| {
        let mut out = vec![0.0_f32; t.data.len()];
        for (r, v) in t.data.iter().enumerate() {
            out[keras_row(r)] = *v;
        }
        out
    };
    transpose(m.weight, flat);
    if let Some(r) = m.recurrent {
        transpose(r, flat);
    }
    match (m.bias_ih, m.bias_hh) {
        (Some(b), None) => flat.extend_from_slice(&b.data),
        (Some(ih), Some(hh)) if w.gates == 3 => {
            flat.extend(reorder(ih));
            flat.extend(reorder(hh));
        }
        (Some(ih), Some(hh)) => flat.extend(ih.data.iter().zip(&hh.data).map(|(a, b)| a + b)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
