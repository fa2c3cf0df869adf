//! The model a state dict implies, for `tinyrnn inspect`: its modules in the order they
//! chain by width, each as the Keras layer it equals.

use super::{Module, StateDict, modules};
use crate::LoadError;
use crate::config::{LayerConfig, ModelConfig};

/// The width a module reads and the width it writes (both directions of a bidirectional
/// layer, concatenated).
pub(super) fn widths(m: &Module<'_>, all: &[Module<'_>]) -> (usize, usize) {
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
pub(super) fn chain(modules: Vec<Module<'_>>) -> Vec<Module<'_>> {
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
    let all = modules(dict);
    if let Some(conv) = all.iter().find(|m| m.weight.shape.len() == 3) {
        return Err(LoadError::Torch(format!(
            "`{}` is an nn.Conv1d, whose padding and place a state dict does not say; declare the model with `model!` (`conv1d(filters, kernel_size, ...)`) and load the file with `from_torch_file`",
            conv.name
        )));
    }
    if let Some(norm) = all.iter().find(|m| m.norm.is_some()) {
        return Err(LoadError::Torch(format!(
            "`{}` is an nn.LayerNorm or nn.BatchNorm1d, whose place in the model a state dict does not say; declare the model with `model!` (`layer_normalization`, `batch_normalization`) and load the file with `from_torch_file`",
            norm.name
        )));
    }
    // An nn.Embedding's `weight` is 2-D without a bias, as a bias-free nn.Linear's: its
    // name is the only hint, used here for the message alone.
    if let Some(embedding) = all
        .iter()
        .find(|m| m.layer.is_none() && m.bias_ih.is_none() && m.name.to_lowercase().contains("emb"))
        && let [n, d] = embedding.weight.shape[..]
    {
        return Err(LoadError::Torch(format!(
            "`{}` looks like an nn.Embedding({n}, {d}), whose place a state dict does not say; declare the model with `model!` (`input [T]; embedding({n}, {d}); ...`) and load the file with `from_torch_file`",
            embedding.name
        )));
    }
    let modules = chain(all);
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
                let dense = &tinyrnn_spec::DENSE;
                layers.push(LayerConfig {
                    class: dense.keras_class.to_owned(),
                    name: name(dense.keyword),
                    units: m.weight.shape.first().copied(),
                    activation: dense.default_activation.map(str::to_owned),
                    use_bias: Some(m.bias_ih.is_some()),
                    ..LayerConfig::default()
                });
            }
            (Some((prefix, k)), Some(recurrent)) => {
                let h = recurrent.shape.get(1).copied().unwrap_or(0);
                let g = m.weight.shape.first().copied().unwrap_or(0);
                // The recurrent kind with as many gates as the module has row blocks.
                let kind = g.checked_div(h).and_then(|gates| {
                    tinyrnn_spec::LAYERS
                        .iter()
                        .find(|l| l.role == tinyrnn_spec::Role::Recurrent { gates })
                });
                let spec = match kind {
                    Some(spec) => *spec,
                    None => {
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
                if !spec.takes("recurrent_activation") {
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
                // PyTorch's activations are Keras's defaults; its GRU is `reset_after`.
                let cell = LayerConfig {
                    class: spec.keras_class.to_owned(),
                    name: name(spec.keyword),
                    units: Some(h),
                    activation: spec.default_activation.map(str::to_owned),
                    recurrent_activation: spec.default_recurrent_activation.map(str::to_owned),
                    use_bias: Some(m.bias_ih.is_some()),
                    return_sequences: Some(return_sequences),
                    go_backwards: Some(false),
                    reset_after: spec.default_reset_after,
                    ..LayerConfig::default()
                };
                layers.push(if bidirectional {
                    LayerConfig {
                        class: tinyrnn_spec::BIDIRECTIONAL.keras_class.to_owned(),
                        name: name(tinyrnn_spec::BIDIRECTIONAL.keyword),
                        merge_mode: Some(tinyrnn_spec::MERGE_MODES[0].name.to_owned()),
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
            tokens: false,
            graph: None,
            input_layer: None,
            layers,
        },
        assumptions,
    ))
}
