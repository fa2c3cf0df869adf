//! A Keras model's architecture, from its JSON config (`config.json` in a `.keras` file,
//! the `model_config` attribute of a legacy `.h5`), reduced to what tinyrnn needs.

use crate::LoadError;
use serde_json::Value;

/// A model's input shape and layers: a `Sequential` model, or a Functional one whose graph
/// is a chain, which computes the same.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelConfig {
    /// The Keras model name (`sequential`, `functional_3`).
    pub name: String,
    /// `[timesteps, features]`, `None` for an unknown size, when the config gives it.
    pub input: Option<[Option<usize>; 2]>,
    /// Whether the model reads token ids (a 2-D input `(batch, timesteps)`, for a first
    /// layer `Embedding`); `input` then gives 1 feature.
    pub tokens: bool,
    /// The name of the model's `InputLayer` when Keras counts it among the model's layers
    /// (Functional models: it is a row of their summary); `None` for `Sequential`.
    pub input_layer: Option<String>,
    /// The layers after the input, in the order they run.
    pub layers: Vec<LayerConfig>,
    /// For a Functional model whose masks are operations of their own, every node as
    /// Keras's summary lists it (a graph, with "Connected to"); `None` for a chain.
    pub graph: Option<Vec<crate::functional::GraphNode>>,
}

/// One layer's class, name and the options that change what it computes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LayerConfig {
    /// The Keras class name (`LSTM`).
    pub class: String,
    /// The Keras layer name (`lstm_1`).
    pub name: String,
    /// `units`, for `Dense` and recurrent layers.
    pub units: Option<usize>,
    /// `activation`, by name (`None` in Keras is `linear`).
    pub activation: Option<String>,
    /// `recurrent_activation` of `LSTM` and `GRU`.
    pub recurrent_activation: Option<String>,
    /// `use_bias`.
    pub use_bias: Option<bool>,
    /// `return_sequences`.
    pub return_sequences: Option<bool>,
    /// `go_backwards`.
    pub go_backwards: Option<bool>,
    /// `reset_after` of `GRU`.
    pub reset_after: Option<bool>,
    /// `merge_mode` of `Bidirectional` (`None` when Keras had `None`).
    pub merge_mode: Option<String>,
    /// `rate` of the dropout layers, `stddev` of `GaussianNoise`.
    pub rate: Option<f64>,
    /// `axis` of `Softmax` and `LayerNormalization` (Keras's default `-1`: the units; a
    /// one-element list, as `LayerNormalization` writes it, reads as its element).
    pub axis: Option<i64>,
    /// `center` of `LayerNormalization` (an offset `beta`).
    pub center: Option<bool>,
    /// `scale` of `LayerNormalization` (a factor `gamma`).
    pub scale: Option<bool>,
    /// `invert` of `Normalization` (restore rather than standardize).
    pub invert: Option<bool>,
    /// `input_dim` of `Embedding`: the number of token ids (its `output_dim` is `units`).
    pub input_dim: Option<usize>,
    /// `mask_zero` of `Embedding`.
    pub mask_zero: Option<bool>,
    /// `n` of `RepeatVector`: the timesteps it makes.
    pub repeat: Option<usize>,
    /// `target_shape` of `Reshape`, as written (`-1`: worked out from the input).
    pub target_shape: Option<Vec<i64>>,
    /// `shared_axes` of `PReLU` (`None`: none shared).
    pub shared_axes: Option<Vec<i64>>,
    /// `kernel_size` of `Conv1D`, `pool_size` of the pooling layers.
    pub window_size: Option<usize>,
    /// `strides` of a window (`None` where the config gives none: a pooling's is its size).
    pub strides: Option<usize>,
    /// `padding` of a window: `valid`, `same` or `causal`.
    pub padding: Option<String>,
    /// `dilation_rate` of `Conv1D`.
    pub dilation_rate: Option<usize>,
    /// `groups` of `Conv1D`.
    pub groups: Option<usize>,
    /// `padding` of `ZeroPadding1D`, `cropping` of `Cropping1D`: timesteps at the start
    /// and at the end.
    pub ends: Option<[usize; 2]>,
    /// `size` of `UpSampling1D`: how many times each timestep repeats.
    pub size: Option<usize>,
    /// The numeric arguments of the activation layers the config states
    /// (`tinyrnn_spec::NUMBER_ARGUMENTS`), `None` for Keras's `None`.
    pub numbers: Vec<(String, Option<f64>)>,
    /// For `Bidirectional`: the wrapped (forward) layer.
    pub wrapped: Option<Box<LayerConfig>>,
    /// Options set to values tinyrnn cannot run (`stateful`, `return_state`, ...), with
    /// the value found.
    pub unsupported: Vec<(String, String)>,
}

/// Parses a Keras 3 (`config.json`) or Keras 2 (`model_config`) model config: `Sequential`,
/// or Functional (`Functional`, tf.keras's older `Model`) when its graph is one chain.
///
/// # Errors
/// [`LoadError::Config`] when the JSON is not a model config, or a Functional graph is not a
/// chain (the message names the layer and says why).
pub fn parse(json: &str) -> Result<ModelConfig, LoadError> {
    let root: Value = serde_json::from_str(json)
        .map_err(|e| LoadError::Config(format!("the model config is not JSON: {e}")))?;
    let class = root["class_name"].as_str().unwrap_or("");
    let config = &root["config"];
    match class {
        "Sequential" => parse_sequential(config),
        "Functional" | "Model" => {
            let chain = crate::functional::chain(config)?;
            let (input, tokens) = input_shape(&chain.input["config"]);
            let graph = chain.operations.then(|| crate::functional::graph(config));
            Ok(ModelConfig {
                name: config["name"].as_str().unwrap_or("functional").to_owned(),
                input,
                tokens,
                graph,
                input_layer: Some(chain.input_name),
                layers: chain
                    .layers
                    .iter()
                    .map(|l| layer_config(l["class_name"].as_str().unwrap_or(""), &l["config"]))
                    .collect(),
            })
        }
        _ => Err(LoadError::Config(format!(
            "expected a `Sequential` or `Functional` model, found `{class}`"
        ))),
    }
}

fn parse_sequential(config: &Value) -> Result<ModelConfig, LoadError> {
    // Keras 2 wrote `{"layers": [...]}` or, older, the list itself.
    let layers = config["layers"]
        .as_array()
        .or_else(|| config.as_array())
        .ok_or_else(|| LoadError::Config("the Sequential config has no `layers` list".into()))?;
    let (mut input, mut tokens) = (None, false);
    let mut out = Vec::new();
    for layer in layers {
        let class = layer["class_name"].as_str().unwrap_or("").to_owned();
        let cfg = &layer["config"];
        if input.is_none() {
            (input, tokens) = input_shape(cfg);
        }
        if class == "InputLayer" {
            continue;
        }
        out.push(layer_config(&class, cfg));
    }
    Ok(ModelConfig {
        name: config["name"].as_str().unwrap_or("sequential").to_owned(),
        input,
        tokens,
        graph: None,
        input_layer: None,
        layers: out,
    })
}

/// `[timesteps, features]` from a layer config's `batch_shape` (Keras 3) or
/// `batch_input_shape` (Keras 2), when it gives a 3-D shape; a 2-D shape `(batch,
/// timesteps)` is one token id per timestep (`true`), 1 feature.
fn input_shape(cfg: &Value) -> (Option<[Option<usize>; 2]>, bool) {
    let Some(shape) = cfg
        .get("batch_shape")
        .or_else(|| cfg.get("batch_input_shape"))
        .and_then(Value::as_array)
    else {
        return (None, false);
    };
    let dim = |v: &Value| v.as_u64().and_then(|d| usize::try_from(d).ok());
    match shape.as_slice() {
        [_, t, f] => (Some([dim(t), dim(f)]), false),
        [_, t] => (Some([dim(t), Some(1)]), true),
        _ => (None, false),
    }
}

fn layer_config(class: &str, cfg: &Value) -> LayerConfig {
    let flag = |key: &str| cfg.get(key).and_then(Value::as_bool);
    let mut unsupported = Vec::new();
    for key in ["stateful", "return_state", "time_major"] {
        if flag(key) == Some(true) {
            unsupported.push((key.to_owned(), "true".to_owned()));
        }
    }
    // Sequences are `(batch, time, channels)`; a global pooling that keeps its time axis
    // is not one vector.
    if cfg.get("data_format").and_then(Value::as_str) == Some("channels_first") {
        unsupported.push(("data_format".to_owned(), "\"channels_first\"".to_owned()));
    }
    if flag("keepdims") == Some(true) {
        unsupported.push(("keepdims".to_owned(), "true".to_owned()));
    }
    // A Normalization given its statistics as arguments holds no weights to read them from.
    for key in ["mean", "variance"] {
        if class == "Normalization"
            && let Some(v) = cfg.get(key).filter(|v| !v.is_null())
        {
            unsupported.push((key.to_owned(), v.to_string()));
        }
    }

    let wrapped = cfg.get("layer").filter(|l| l.is_object()).map(|l| {
        Box::new(layer_config(
            l["class_name"].as_str().unwrap_or(""),
            &l["config"],
        ))
    });
    LayerConfig {
        class: class.to_owned(),
        name: cfg["name"].as_str().unwrap_or("").to_owned(),
        units: cfg
            .get("units")
            .or_else(|| cfg.get("output_dim"))
            .or_else(|| cfg.get("filters"))
            .and_then(Value::as_u64)
            .and_then(|u| usize::try_from(u).ok()),
        activation: cfg.get("activation").and_then(activation_name),
        recurrent_activation: cfg.get("recurrent_activation").and_then(activation_name),
        use_bias: flag("use_bias"),
        return_sequences: flag("return_sequences"),
        go_backwards: flag("go_backwards"),
        reset_after: flag("reset_after"),
        merge_mode: match cfg.get("merge_mode") {
            Some(Value::String(m)) => Some(m.clone()),
            Some(Value::Null) => Some("None".to_owned()),
            _ => None,
        },
        rate: cfg
            .get("rate")
            .or_else(|| cfg.get("stddev"))
            .and_then(Value::as_f64),
        axis: match cfg.get("axis") {
            Some(Value::Array(list)) => match list.as_slice() {
                [only] => only.as_i64(),
                // Several axes: not the units alone.
                _ => Some(i64::MAX),
            },
            other => other.and_then(Value::as_i64),
        },
        center: flag("center"),
        scale: flag("scale"),
        invert: flag("invert"),
        input_dim: cfg
            .get("input_dim")
            .and_then(Value::as_u64)
            .and_then(|u| usize::try_from(u).ok()),
        mask_zero: flag("mask_zero"),
        window_size: first_number(cfg.get("kernel_size").or_else(|| cfg.get("pool_size"))),
        strides: first_number(cfg.get("strides")),
        padding: cfg
            .get("padding")
            .and_then(Value::as_str)
            .map(str::to_owned),
        dilation_rate: first_number(cfg.get("dilation_rate")),
        groups: first_number(cfg.get("groups")),
        ends: ends(cfg.get("cropping").or_else(|| {
            cfg.get("padding")
                .filter(|_| class == tinyrnn_spec::ZERO_PADDING_1D.keras_class)
        })),
        size: cfg
            .get("size")
            .and_then(Value::as_u64)
            .and_then(|u| usize::try_from(u).ok()),
        shared_axes: cfg
            .get("shared_axes")
            .and_then(|v| match v {
                Value::Number(_) => Some(vec![v.clone()]),
                Value::Array(items) => Some(items.clone()),
                _ => None,
            })
            .map(|axes| {
                axes.iter()
                    .map(|a| a.as_i64().unwrap_or(i64::MIN))
                    .collect()
            }),
        target_shape: cfg
            .get("target_shape")
            .and_then(Value::as_array)
            .map(|dims| {
                dims.iter()
                    .map(|d| d.as_i64().unwrap_or(i64::MIN))
                    .collect()
            }),
        repeat: cfg
            .get("n")
            .and_then(Value::as_u64)
            .and_then(|u| usize::try_from(u).ok()),
        numbers: numbers(class, cfg),
        wrapped,
        unsupported,
    }
}

/// `ZeroPadding1D`'s `padding` or `Cropping1D`'s `cropping`: `[start, end]` as Keras writes
/// it, or one number for both.
fn ends(value: Option<&Value>) -> Option<[usize; 2]> {
    let count = |v: &Value| v.as_u64().and_then(|n| usize::try_from(n).ok());
    match value? {
        Value::Array(items) => match items.as_slice() {
            [start, end] => Some([count(start)?, count(end)?]),
            _ => None,
        },
        n => count(n).map(|n| [n, n]),
    }
}

/// A window's number, written as `3` or as Keras writes it, `[3]`.
fn first_number(value: Option<&Value>) -> Option<usize> {
    let value = value?;
    let n = match value {
        Value::Array(items) if items.len() == 1 => &items[0],
        other => other,
    };
    n.as_u64().and_then(|n| usize::try_from(n).ok())
}

/// The numeric arguments a layer of class `class` takes that its config states.
fn numbers(class: &str, cfg: &Value) -> Vec<(String, Option<f64>)> {
    let Some(spec) = tinyrnn_spec::layer_by_class(class) else {
        return Vec::new();
    };
    tinyrnn_spec::NUMBER_ARGUMENTS
        .iter()
        .filter(|(keyword, ..)| *keyword == spec.keyword)
        .filter_map(|(_, name, ..)| match cfg.get(*name)? {
            Value::Null => Some(((*name).to_owned(), None)),
            v => Some(((*name).to_owned(), Some(v.as_f64()?))),
        })
        .collect()
}

/// `"tanh"`, or a serialised function `{"class_name": "function", "config": "tanh"}`;
/// `None` (Keras's `activation=None`) is `linear`.
fn activation_name(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => Some("linear".to_owned()),
        Value::Object(o) => o.get("config").and_then(|c| match c {
            Value::String(s) => Some(s.clone()),
            Value::Object(inner) => inner.get("name").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_keras_3_sequential_config() {
        let json = r#"{"class_name": "Sequential", "config": {"name": "sequential", "layers": [
            {"class_name": "InputLayer", "config": {"batch_shape": [null, 50, 3], "name": "input_layer"}},
            {"class_name": "SimpleRNN", "config": {"name": "simple_rnn", "units": 2, "activation": "tanh",
             "use_bias": true, "return_sequences": false, "go_backwards": false, "stateful": false}},
            {"class_name": "Bidirectional", "config": {"name": "bidirectional", "merge_mode": "sum",
             "layer": {"class_name": "LSTM", "config": {"name": "forward_lstm", "units": 4}}}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 1, "activation": null}}]}}"#;
        let m = parse(json).unwrap();
        assert_eq!(m.input, Some([Some(50), Some(3)]));
        assert_eq!(m.layers.len(), 3);
        assert_eq!(m.layers[0].class, "SimpleRNN");
        assert_eq!(m.layers[0].units, Some(2));
        assert_eq!(m.layers[1].merge_mode.as_deref(), Some("sum"));
        assert_eq!(m.layers[1].wrapped.as_ref().unwrap().class, "LSTM");
        assert_eq!(m.layers[2].activation.as_deref(), Some("linear"));
    }

    #[test]
    fn rejects_what_is_not_a_model() {
        assert!(matches!(parse("[1, 2"), Err(LoadError::Config(_))));
        let other = r#"{"class_name": "Dense", "config": {}}"#;
        let err = parse(other).unwrap_err().to_string();
        assert!(
            err.contains("expected a `Sequential` or `Functional` model, found `Dense`"),
            "{err}"
        );
    }

    #[test]
    fn flags_options_that_cannot_run() {
        let json = r#"{"class_name": "Sequential", "config": {"layers": [
            {"class_name": "LSTM", "config": {"name": "lstm", "units": 2, "stateful": true,
             "batch_input_shape": [1, null, 3]}}]}}"#;
        let m = parse(json).unwrap();
        assert_eq!(m.input, Some([None, Some(3)]));
        assert_eq!(
            m.layers[0].unsupported,
            [("stateful".to_owned(), "true".to_owned())]
        );
    }
}
