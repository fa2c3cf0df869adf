//! A Keras model config written as `model!` DSL text, for `tinyrnn inspect`: paste it into
//! `tinyrnn::model! { ... }` and it compiles to the same architecture.

use crate::config::{LayerConfig, ModelConfig};
use crate::number_text;
use std::fmt::Write as _;
use tinyrnn_spec::Role;

/// The `model!` keyword for a Keras class name.
#[must_use]
pub fn keyword(class: &str) -> Option<&'static str> {
    tinyrnn_spec::layer_by_class(class).map(|l| l.keyword)
}

pub use crate::Unsupported;

/// The `model!` body for `model` (without the braces), or everything it cannot express.
///
/// # Errors
/// Every [`Unsupported`] item found, in layer order.
pub fn to_dsl(model: &ModelConfig, name: &str) -> Result<String, Vec<Unsupported>> {
    let mut problems = Vec::new();
    let mut text = format!("pub struct {name};\n");
    match model.input {
        Some([t, _]) if model.tokens => {
            let t = t.map_or("_".to_owned(), |t| t.to_string());
            let _ = writeln!(text, "input [{t}];");
        }
        Some([t, Some(f)]) => {
            let t = t.map_or("_".to_owned(), |t| t.to_string());
            let _ = writeln!(text, "input [{t}, {f}];");
        }
        _ => problems.push(Unsupported {
            layer: "input".into(),
            what: "the input shape is not `(batch, timesteps, features)` with a known number of features".into(),
        }),
    }
    // Whether each layer reads a sequence (`[batch, time, units]`): Keras writes a
    // normalization's axis as -1 or as the last axis's index, 2 on a sequence, 1 on a vector.
    let mut sequence = true;
    for layer in &model.layers {
        let last_axis = if sequence { 2 } else { 1 };
        let recurrent = layer.wrapped.as_deref().unwrap_or(layer);
        match tinyrnn_spec::layer_by_class(&recurrent.class).map(|s| s.role) {
            Some(Role::Recurrent { .. }) => {
                sequence = recurrent.return_sequences.unwrap_or(false);
            }
            Some(Role::Repeat) => sequence = true,
            Some(Role::Flatten) => sequence = false,
            Some(Role::Reshape) => {
                sequence = layer.target_shape.as_ref().is_some_and(|d| d.len() == 2);
            }
            _ => {}
        }
        match layer_call(layer, last_axis) {
            Ok(call) => {
                text.push_str(&call);
                text.push_str(";\n");
            }
            Err(mut p) => problems.append(&mut p),
        }
    }
    if problems.is_empty() {
        Ok(text)
    } else {
        Err(problems)
    }
}

/// `lstm(8, return_sequences = true)`: the units and every option that is not the default;
/// `last_axis` is the index of the units' axis in the layer's input.
fn layer_call(layer: &LayerConfig, last_axis: i64) -> Result<String, Vec<Unsupported>> {
    let unsupported = |what: String| Unsupported {
        layer: layer.name.clone(),
        what,
    };
    let Some(spec) = tinyrnn_spec::layer_by_class(&layer.class) else {
        let what = match layer.class.as_str() {
            model @ ("Sequential" | "Functional" | "Model") => format!(
                "a whole model (`{model}`) used as a layer is not supported; build the outer \
                 model from the inner model's layers"
            ),
            class => format!("layer class `{class}` is not supported"),
        };
        return Err(vec![unsupported(what)]);
    };
    let keyword = spec.keyword;
    let mut problems: Vec<Unsupported> = layer
        .unsupported
        .iter()
        .map(|(k, v)| unsupported(format!("`{k}={v}` is not supported")))
        .collect();
    let mut args: Vec<String> = Vec::new();
    match spec.role {
        Role::Wrapper | Role::PerTimestep => match &layer.wrapped {
            Some(inner) => match layer_call(inner, last_axis) {
                Ok(call) => args.push(call),
                Err(mut p) => problems.append(&mut p),
            },
            None => problems.push(unsupported("no wrapped layer in its config".into())),
        },
        Role::Passthrough => args.push(format!("{}", layer.rate.unwrap_or(0.0))),
        Role::Normalization(_) | Role::Masking | Role::Flatten | Role::GlobalPooling => {}
        Role::LearnedActivation => match layer.shared_axes.as_deref() {
            None | Some([]) if last_axis == 2 => problems.push(unsupported(
                "on a sequence, one `alpha` per timestep is not supported (`shared_axes=[1]` is)"
                    .into(),
            )),
            None | Some([]) => {}
            Some(axes)
                if axes.iter().all(|&a| a == 1 || (a == 2 && last_axis == 2))
                    && (last_axis == 1 || axes.contains(&1)) =>
            {
                let axes: Vec<String> = axes.iter().map(ToString::to_string).collect();
                args.push(format!("shared_axes = [{}]", axes.join(", ")));
            }
            Some(axes) => problems.push(unsupported(format!(
                "`shared_axes={axes:?}` is not supported (`[1]`, and `[1, 2]` on a sequence, are)"
            ))),
        },
        Role::Reshape => match &layer.target_shape {
            Some(dims) if (1..=2).contains(&dims.len()) && dims.iter().all(|&d| d == -1 || d > 0) => {
                let dims: Vec<String> = dims.iter().map(ToString::to_string).collect();
                args.push(format!("[{}]", dims.join(", ")));
            }
            other => problems.push(unsupported(format!(
                "`target_shape={}` is not a sequence model's shape (`(timesteps, features)` or `(features,)`)",
                other.as_ref().map_or("None".to_owned(), |d| format!("{d:?}"))
            ))),
        },
        Role::Convolution | Role::Pooling => {
            let conv = spec.role == Role::Convolution;
            let size = layer.window_size.unwrap_or(2);
            if conv {
                match layer.units {
                    Some(u) => args.push(u.to_string()),
                    None => problems.push(unsupported("no `filters` in its config".into())),
                }
            }
            args.push(size.to_string());
            let strides = layer.strides.unwrap_or(if conv { 1 } else { size });
            if strides != if conv { 1 } else { size } {
                args.push(format!("strides = {strides}"));
            }
            match layer.padding.as_deref() {
                None | Some("valid") => {}
                Some(p @ "same") => args.push(format!("padding = {p}")),
                Some(p @ "causal") if conv => args.push(format!("padding = {p}")),
                Some(p) => problems.push(unsupported(format!("`padding={p}` is not supported"))),
            }
            for (key, value) in [("dilation_rate", layer.dilation_rate), ("groups", layer.groups)] {
                if let Some(v) = value.filter(|&v| v != 1) {
                    args.push(format!("{key} = {v}"));
                }
            }
        }
        Role::Resample => match (layer.class.as_str(), layer.ends, layer.size) {
            ("UpSampling1D", _, size) => {
                let size = size.unwrap_or(2);
                if size != 2 {
                    args.push(size.to_string());
                }
            }
            (_, ends, _) => match ends.unwrap_or([1, 1]) {
                [1, 1] => {}
                [start, end] if start == end => args.push(start.to_string()),
                [start, end] => args.push(format!("[{start}, {end}]")),
            },
        },
        Role::Repeat => match layer.repeat {
            Some(n) => args.push(n.to_string()),
            None => problems.push(unsupported("no `n` in its config".into())),
        },
        Role::Embedding => match (layer.input_dim, layer.units) {
            (Some(i), Some(o)) => {
                args.push(i.to_string());
                args.push(o.to_string());
            }
            _ => problems.push(unsupported(
                "no `input_dim` or `output_dim` in its config".into(),
            )),
        },
        Role::Elementwise => {
            if spec.takes("activation") {
                match &layer.activation {
                    Some(a) => args.push(a.clone()),
                    None => problems.push(unsupported("no `activation` in its config".into())),
                }
            }
        }
        Role::Recurrent { .. } | Role::Dense => match layer.units {
            Some(u) => args.push(u.to_string()),
            None => problems.push(unsupported("no `units` in its config".into())),
        },
    }
    // The activation and normalization layers' numbers, compared as the f32 the layer
    // computes with.
    for (name, value) in &layer.numbers {
        let default = tinyrnn_spec::number_argument(keyword, name)
            .and_then(|(default, _)| default)
            .map(|d| d.to_string());
        if value.map(|_| number_text(*value)) != default {
            match value {
                Some(_) => args.push(format!("{name} = {}", number_text(*value))),
                None => problems.push(unsupported(format!("`{name}=None` is not supported"))),
            }
        }
    }
    // Keras writes the units' axis as -1, or as its index (tf_keras's `LayerNormalization`).
    if spec.takes("axis")
        && let Some(axis) = layer.axis
        && axis != -1
        && axis != last_axis
    {
        problems.push(unsupported(format!(
            "`axis={axis}` is not supported (the units, `axis=-1`, are)"
        )));
    }
    let mut option = |key: &str, value: Option<String>, default: &str| {
        if let Some(v) = value
            && v != default
        {
            args.push(format!("{key} = {v}"));
        }
    };
    for (key, value, default) in [
        ("activation", &layer.activation, spec.default_activation),
        (
            "recurrent_activation",
            &layer.recurrent_activation,
            spec.default_recurrent_activation,
        ),
    ] {
        if let Some(a) = value
            && tinyrnn_spec::activation(a).is_none()
        {
            problems.push(unsupported(format!("activation `{a}` is not supported")));
        }
        if let Some(default) = default
            && spec.role != Role::Elementwise
        {
            option(key, value.clone(), default);
        }
    }
    let flag = |b: Option<bool>| b.map(|b| b.to_string());
    for (key, value) in [
        ("use_bias", layer.use_bias),
        ("return_sequences", layer.return_sequences),
        ("go_backwards", layer.go_backwards),
        ("reset_after", layer.reset_after),
        ("center", layer.center),
        ("scale", layer.scale),
        ("invert", layer.invert),
        ("mask_zero", layer.mask_zero),
    ] {
        if spec.takes(key)
            && let Some(default) = tinyrnn_spec::flag_default(key)
        {
            option(key, flag(value), if default { "true" } else { "false" });
        }
    }
    if spec.takes("merge_mode") {
        match layer.merge_mode.as_deref() {
            Some(name) if tinyrnn_spec::merge_mode(name).is_none() => {
                let known: Vec<&str> = tinyrnn_spec::MERGE_MODES.iter().map(|m| m.name).collect();
                problems.push(unsupported(format!(
                    "`merge_mode={name}` is not supported ({} are)",
                    known.join(", ")
                )));
            }
            _ => option(
                "merge_mode",
                layer.merge_mode.clone(),
                tinyrnn_spec::MERGE_MODES[0].name,
            ),
        }
    }
    if problems.is_empty() {
        Ok(format!("{keyword}({})", args.join(", ")))
    } else {
        Err(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;

    #[test]
    fn writes_only_what_differs_from_the_defaults() {
        let json = r#"{"class_name": "Sequential", "config": {"layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [null, null, 3]}},
            {"class_name": "GRU", "config": {"name": "gru", "units": 4, "activation": "tanh",
             "recurrent_activation": "hard_sigmoid", "use_bias": true, "return_sequences": true,
             "go_backwards": false, "reset_after": false}},
            {"class_name": "Bidirectional", "config": {"name": "bidirectional", "merge_mode": "concat",
             "layer": {"class_name": "LSTM", "config": {"name": "forward_lstm", "units": 2,
             "activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": true,
             "return_sequences": false, "go_backwards": false}}}},
            {"class_name": "Dropout", "config": {"name": "dropout", "rate": 0.25}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 1, "activation": "sigmoid", "use_bias": true}}]}}"#;
        let dsl = to_dsl(&parse(json).unwrap(), "Net").unwrap();
        assert_eq!(
            dsl,
            "pub struct Net;\ninput [_, 3];\n\
             gru(4, recurrent_activation = hard_sigmoid, return_sequences = true, reset_after = false);\n\
             bidirectional(lstm(2));\ndropout(0.25);\ndense(1, activation = sigmoid);\n"
        );
    }

    #[test]
    fn lists_everything_it_cannot_express() {
        let json = r#"{"class_name": "Sequential", "config": {"layers": [
            {"class_name": "Conv2D", "config": {"name": "conv2d", "batch_input_shape": [null, 10, 3]}},
            {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "activation": "my_act", "stateful": true}}]}}"#;
        let problems = to_dsl(&parse(json).unwrap(), "Net").unwrap_err();
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "`conv2d`: layer class `Conv2D` is not supported",
                "`lstm`: `stateful=true` is not supported",
                "`lstm`: activation `my_act` is not supported",
            ]
        );
    }
}
