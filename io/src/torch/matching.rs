//! Matching a state dict's modules to a model's layers, in order and by shape, and
//! converting each to Keras's layout (transposed kernels, summed or stacked biases, GRU's
//! gates reordered).

use super::{Module, Norm, StateDict, Tensor, modules};
use crate::{ExpectedLayer, LoadError};

/// A declared layer's shape as PyTorch would hold it.
pub(super) struct Want {
    /// Gates per unit: 1 (RNN), 4 (LSTM), 3 (GRU), 0 for `Dense`.
    gates: usize,
    inputs: usize,
    units: usize,
    bias: bool,
    bidirectional: bool,
}

pub(super) fn want(layer: &ExpectedLayer) -> Result<Option<Want>, LoadError> {
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
    let bidirectional = layer.class == tinyrnn_spec::BIDIRECTIONAL.keras_class;
    let per_direction = if bidirectional {
        layer.weights.len() / 2
    } else {
        layer.weights.len()
    };
    let dense = layer.class == tinyrnn_spec::DENSE.keras_class;
    let bias = per_direction == if dense { 2 } else { 3 };
    match (shape(0), shape(1)) {
        (Some(&[d, u]), _) if dense => Ok(Some(Want {
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

pub(super) fn dims(shape: &[usize]) -> String {
    let inner: Vec<String> = shape.iter().map(ToString::to_string).collect();
    format!("({})", inner.join(", "))
}

/// Whether `m` has the shapes `w` needs.
pub(super) fn fits(m: &Module<'_>, w: &Want) -> bool {
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
pub(super) fn describe(w: &Want) -> String {
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
        if special(&modules, &mut used, layer, &mut flat)? {
            continue;
        }
        let Some(w) = want(layer)? else {
            continue;
        };
        let candidates: Vec<usize> = (0..modules.len())
            .filter(|&i| {
                !used[i]
                    && !modules[i].reverse
                    && modules[i].norm.is_none()
                    && modules[i].weight.shape.len() == 2
                    && (modules[i].layer.is_some()) == (w.gates > 0)
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

/// `nn.Embedding` for `embedding` (its `weight` is Keras's `embeddings`, same layout),
/// `nn.Conv1d` for `conv1d` (its `weight (u, d/g, k)` transposed to Keras's `(k, d/g, u)`), and
/// `nn.LayerNorm` / `nn.BatchNorm1d` for `layer_normalization` / `batch_normalization`
/// (`weight` is `gamma`, `bias` is `beta`, `running_mean` and `running_var` the moving
/// statistics): the next unused module of the shapes the declared layer has, appended to
/// `flat`. `false` for other layers.
fn special(
    modules: &[Module<'_>],
    used: &mut [bool],
    layer: &ExpectedLayer,
    flat: &mut Vec<f32>,
) -> Result<bool, LoadError> {
    let weight = |name: &str| {
        layer
            .weights
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s.as_slice())
    };
    if layer.class == tinyrnn_spec::EMBEDDING.keras_class {
        let Some(shape) = weight("embeddings") else {
            return Ok(false);
        };
        let found = (0..modules.len()).find(|&i| {
            !used[i]
                && modules[i].layer.is_none()
                && modules[i].norm.is_none()
                && modules[i].bias_ih.is_none()
                && modules[i].weight.shape == shape
        });
        let Some(i) = found else {
            return Err(LoadError::Torch(format!(
                "layer `{}` needs an nn.Embedding with `weight` {}, and none is left in the state dict",
                layer.name,
                dims(shape)
            )));
        };
        used[i] = true;
        flat.extend_from_slice(&modules[i].weight.data);
        return Ok(true);
    }
    if layer.class == tinyrnn_spec::CONV_1D.keras_class {
        // Keras's kernel (k, d/g, u) is PyTorch's weight (u, d/g, k), transposed.
        let Some(&[k, cg, u]) = weight("kernel") else {
            return Ok(false);
        };
        let bias = weight("bias").is_some();
        let found = (0..modules.len()).find(|&i| {
            let m = &modules[i];
            !used[i] && m.weight.shape == [u, cg, k] && m.bias_ih.is_some() == bias
        });
        let Some(i) = found else {
            return Err(LoadError::Torch(format!(
                "layer `{}` needs an nn.Conv1d with `weight` {}{}, and none is left in the state dict",
                layer.name,
                dims(&[u, cg, k]),
                if bias { " and `bias`" } else { " and no bias" }
            )));
        };
        used[i] = true;
        let w = &modules[i].weight.data;
        for tap in 0..k {
            for c in 0..cg {
                for f in 0..u {
                    flat.push(w[(f * cg + c) * k + tap]);
                }
            }
        }
        if let Some(b) = modules[i].bias_ih {
            flat.extend_from_slice(&b.data);
        }
        return Ok(true);
    }
    let batch = layer.class == tinyrnn_spec::BATCH_NORMALIZATION.keras_class;
    if !batch && layer.class != tinyrnn_spec::LAYER_NORMALIZATION.keras_class {
        return Ok(false);
    }
    if layer.weights.is_empty() {
        return Ok(true);
    }
    let (gamma, beta) = (weight("gamma"), weight("beta"));
    let d = layer.weights[0].1.first().copied().unwrap_or(0);
    let what = if batch {
        "an nn.BatchNorm1d"
    } else {
        "an nn.LayerNorm"
    };
    let found = (0..modules.len()).find(|&i| {
        let m = &modules[i];
        !used[i]
            && m.norm
                .is_some_and(|n| matches!(n, Norm::Batch(..)) == batch)
            && m.weight.shape == [d]
            && m.bias_ih.is_some_and(|b| b.shape == [d])
    });
    let Some(i) = found else {
        return Err(LoadError::Torch(format!(
            "layer `{}` needs {what} of {d} features with `weight` and `bias`{}, and none is left in the state dict",
            layer.name,
            if batch {
                ", `running_mean` and `running_var`"
            } else {
                ""
            }
        )));
    };
    let m = &modules[i];
    if gamma.is_none() || beta.is_none() {
        return Err(LoadError::Torch(format!(
            "layer `{}`: {what} has both `weight` and `bias` (`{}`); declare it with `center = true, scale = true`",
            layer.name, m.name
        )));
    }
    used[i] = true;
    flat.extend_from_slice(&m.weight.data);
    if let Some(b) = m.bias_ih {
        flat.extend_from_slice(&b.data);
    }
    if let Some(Norm::Batch(mean, var)) = m.norm {
        if let Some(t) = [mean, var].into_iter().find(|t| t.shape != [d]) {
            return Err(LoadError::TorchShape {
                layer: layer.name.clone(),
                key: t.key.clone(),
                expected: vec![d],
                found: t.shape.clone(),
            });
        }
        flat.extend_from_slice(&mean.data);
        flat.extend_from_slice(&var.data);
    }
    Ok(true)
}

/// The first shape that differs, named by its PyTorch key.
pub(super) fn mismatch(m: &Module<'_>, w: &Want, layer: &str) -> LoadError {
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
pub(super) fn convert(m: &Module<'_>, w: &Want, flat: &mut Vec<f32>) {
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
