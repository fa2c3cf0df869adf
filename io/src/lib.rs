//! Reading Keras weight files for [tinyrnn](https://docs.rs/tinyrnn): the `.keras` zip,
//! Keras 3 `.weights.h5` and legacy `.h5`, with a pure-Rust HDF5 reader, and matching
//! their arrays to a model's layers with errors that name the layer, the weight, and the
//! expected and found shapes.
//!
//! The same code runs at run time (`Net::from_keras_file`) and at compile time
//! (`model! { ...; weights = "net.keras" }`), and behind the `tinyrnn` command.
//!
//! ```no_run
//! let file = tinyrnn_io::read(&std::fs::read("net.keras")?)?;
//! for layer in &file.layers {
//!     println!("{}: {} arrays", layer.name, layer.arrays.len());
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod config;
pub mod dsl;
mod error;
mod functional;
mod h5;
mod keras;
pub mod torch;
mod zip;

use tinyrnn_spec::Role;

pub use error::{LoadError, Unsupported};
pub use functional::GraphNode;
pub use keras::{Array, FileLayer, Format, KerasFile, read, saving_names, to_snake_case};

/// What a model expects of one layer, to match a file against: the model's `Summary` row,
/// or the macro's checked layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedLayer {
    /// The Keras-style name (`lstm_1`).
    pub name: String,
    /// The Keras class name (`LSTM`).
    pub class: String,
    /// Every weight array in `get_weights()` order (twice for `Bidirectional`).
    pub weights: Vec<(String, Vec<usize>)>,
    /// Options as Keras's config writes them, checked when the file has a config. For
    /// `Bidirectional`: `merge_mode`, then the wrapped layer's.
    pub options: Vec<(String, String)>,
}

/// The layers a config describes, as a model declared from it would expect them: weight
/// names and shapes from each class's Keras layout, and the config's own options. For a
/// `model!` declaration (converted to a [`config::ModelConfig`]) and for checking that a
/// file's arrays fit its own config.
///
/// # Errors
/// [`LoadError::Config`] when the input width is unknown, a layer lacks `units`, or a
/// class has no known weight layout.
pub fn expected_from_config(model: &config::ModelConfig) -> Result<Vec<ExpectedLayer>, LoadError> {
    let mut width = model
        .input
        .and_then(|[_, f]| f)
        .ok_or_else(|| LoadError::Config("the config gives no number of input features".into()))?;
    let mut layers = Vec::new();
    // What flows into each layer: a sequence (of `timesteps`, `None` for any) or a vector.
    let (mut sequence, mut timesteps) = (true, model.input.and_then(|[t, _]| t));
    for layer in &model.layers {
        let (mut weights, mut out, options) = layer_layout(layer, width)?;
        let described = layer.wrapped.as_deref().unwrap_or(layer);
        match tinyrnn_spec::layer_by_class(&described.class).map(|s| s.role) {
            Some(Role::Recurrent { .. }) => {
                sequence = described.return_sequences.unwrap_or(false);
            }
            Some(Role::Repeat) => (sequence, timesteps) = (true, layer.repeat),
            // A causal convolution of stride 1 keeps the timesteps, of any length.
            Some(Role::Convolution)
                if layer.padding.as_deref() == Some("causal")
                    && layer.strides.unwrap_or(1) == 1 => {}
            // On a sequence of any length a convolution or a pooling slides its window
            // timestep by timestep; the timesteps stay unknown.
            Some(Role::Convolution | Role::Pooling) if timesteps.is_none() => {}
            Some(Role::Convolution | Role::Pooling | Role::Resample) => {
                let t = timesteps
                    .and_then(|t| window_outputs(layer, t))
                    .ok_or_else(|| {
                        LoadError::Config(format!(
                            "`{}`: a window longer than its sequence, or one that pads, crops or repeats a sequence of any length",
                            layer.name
                        ))
                    })?;
                timesteps = Some(t);
            }
            Some(Role::GlobalPooling) => sequence = false,
            Some(Role::LearnedActivation) => {
                // One alpha per unit, or one shared by all units; Keras's shape keeps a
                // sequence's (shared) time axis.
                let axes = layer.shared_axes.as_deref().unwrap_or(&[]);
                let units_axis = if sequence { 2 } else { 1 };
                let a = if axes.contains(&units_axis) { 1 } else { out };
                let shape = if sequence { vec![1, a] } else { vec![a] };
                weights = vec![("alpha".to_owned(), shape)];
            }
            Some(Role::Reshape) => {
                let t = if sequence {
                    timesteps.ok_or_else(|| {
                        LoadError::Config(format!(
                            "`{}`: `Reshape` of a sequence of any length has no fixed shape",
                            layer.name
                        ))
                    })?
                } else {
                    1
                };
                let (t_out, w_out) = reshaped(layer, t, out)?;
                (sequence, timesteps, out) = (t_out.is_some(), t_out.or(timesteps), w_out);
            }
            Some(Role::Flatten) if sequence => {
                let t = timesteps.ok_or_else(|| {
                    LoadError::Config(format!(
                        "`{}`: `Flatten` of a sequence of any length has no fixed width",
                        layer.name
                    ))
                })?;
                out = out.checked_mul(t).ok_or_else(|| {
                    LoadError::Config(format!("`{}`: its width overflows", layer.name))
                })?;
                sequence = false;
            }
            _ => {}
        }
        layers.push(ExpectedLayer {
            name: layer.name.clone(),
            class: layer.class.clone(),
            weights,
            options,
        });
        width = out;
    }
    Ok(layers)
}

/// A window's options as a declaration states them: its size (`kernel_size`, `pool_size`),
/// `strides` (Keras's `None` for a pooling: its size), `padding`, and a convolution's
/// `dilation_rate` and `groups` (`conv`: a `Conv1D`).
fn window_options(
    layer: &config::LayerConfig,
    option: &mut impl FnMut(&str, Option<String>),
    size: usize,
    conv: bool,
) {
    let key = if conv { "kernel_size" } else { "pool_size" };
    option(key, Some(format!("[{size}]")));
    let strides = layer.strides.unwrap_or(if conv { 1 } else { size });
    option("strides", Some(format!("[{strides}]")));
    option(
        "padding",
        Some(layer.padding.clone().unwrap_or_else(|| "valid".to_owned())),
    );
    if conv {
        option(
            "dilation_rate",
            Some(format!("[{}]", layer.dilation_rate.unwrap_or(1))),
        );
        option("groups", Some(layer.groups.unwrap_or(1).to_string()));
    }
}

/// How many timesteps a window makes of `t`, as Keras computes them (`None` when a `valid`
/// window is longer than the sequence), or a layer that pads, crops or repeats timesteps
/// (`None` when cropping leaves none).
#[must_use]
pub fn window_outputs(layer: &config::LayerConfig, t: usize) -> Option<usize> {
    let [start, end] = layer.ends.unwrap_or([1, 1]);
    match layer.class.as_str() {
        "ZeroPadding1D" => return t.checked_add(start)?.checked_add(end),
        "Cropping1D" => {
            return t.checked_sub(start.checked_add(end)?).filter(|&n| n > 0);
        }
        "UpSampling1D" => return t.checked_mul(layer.size.unwrap_or(2)),
        _ => {}
    }
    let size = layer.window_size.unwrap_or(2);
    let conv = layer.class == tinyrnn_spec::CONV_1D.keras_class;
    let strides = layer.strides.unwrap_or(if conv { 1 } else { size }).max(1);
    let span = size
        .checked_sub(1)?
        .checked_mul(layer.dilation_rate.unwrap_or(1))?
        .checked_add(1)?;
    match layer.padding.as_deref() {
        Some("same" | "causal") => Some(t.div_ceil(strides)),
        _ => Some(t.checked_sub(span)? / strides + 1),
    }
}

/// `Reshape`'s output on `t` timesteps of `w` values: its timesteps (`None` for a vector)
/// and width, `-1` worked out.
fn reshaped(
    layer: &config::LayerConfig,
    t: usize,
    w: usize,
) -> Result<(Option<usize>, usize), LoadError> {
    let dims = layer.target_shape.as_deref().unwrap_or(&[]);
    let bad = || {
        LoadError::Config(format!(
            "`{}`: `Reshape` to {dims:?} cannot hold {t} timesteps of {w} values",
            layer.name
        ))
    };
    let total = t.checked_mul(w).ok_or_else(bad)?;
    let known = dims
        .iter()
        .filter(|&&d| d != -1)
        .try_fold(1_usize, |p, &d| p.checked_mul(usize::try_from(d).ok()?))
        .filter(|&k| k > 0)
        .ok_or_else(bad)?;
    let resolved: Vec<usize> = dims
        .iter()
        .map(|&d| {
            if d == -1 {
                total / known
            } else {
                usize::try_from(d).unwrap_or(0)
            }
        })
        .collect();
    if dims.iter().filter(|&&d| d == -1).count() > 1
        || resolved.iter().try_fold(1_usize, |p, &d| p.checked_mul(d)) != Some(total)
    {
        return Err(bad());
    }
    match resolved.as_slice() {
        [t, w] => Ok((Some(*t), *w)),
        [w] => Ok((None, *w)),
        _ => Err(bad()),
    }
}

type Layout = (Vec<(String, Vec<usize>)>, usize, Vec<(String, String)>);

/// A layer's weight arrays, output width and options on `d`-wide inputs, from its entry in
/// `tinyrnn_spec` and the config's options.
fn layer_layout(layer: &config::LayerConfig, d: usize) -> Result<Layout, LoadError> {
    let missing = |what: &str| LoadError::Config(format!("layer `{}` has no `{what}`", layer.name));
    let too_large = |units: usize| {
        LoadError::Config(format!(
            "layer `{}`: {units} units is too large",
            layer.name
        ))
    };
    let Some(spec) = tinyrnn_spec::layer_by_class(&layer.class) else {
        return Err(LoadError::Config(match layer.class.as_str() {
            model @ ("Sequential" | "Functional" | "Model") => format!(
                "layer `{}` is a whole model (`{model}`) used as a layer; tinyrnn reads one \
                 level of layers: build the outer model from the inner model's layers",
                layer.name
            ),
            other => format!(
                "layer `{}`: class `{other}` has no known weight layout",
                layer.name
            ),
        }));
    };
    let mut options = Vec::new();
    let mut option = |key: &str, value: Option<String>| {
        if let Some(v) = value {
            options.push((key.to_owned(), v));
        }
    };
    match spec.role {
        Role::Wrapper => {
            let inner = layer.wrapped.as_deref().ok_or_else(|| missing("layer"))?;
            let (weights, h, inner_options) = layer_layout(inner, d)?;
            let merge = layer
                .merge_mode
                .clone()
                .unwrap_or_else(|| tinyrnn_spec::MERGE_MODES[0].name.to_owned());
            let factor = tinyrnn_spec::merge_mode(&merge).map_or(1, |m| m.factor);
            let out = h.checked_mul(factor).ok_or_else(|| too_large(h))?;
            option("merge_mode", Some(merge));
            options.extend(inner_options);
            let both = weights.iter().chain(&weights).cloned().collect();
            return Ok((both, out, options));
        }
        Role::PerTimestep => {
            let inner = layer.wrapped.as_deref().ok_or_else(|| missing("layer"))?;
            return layer_layout(inner, d);
        }
        Role::Normalization(_) => {
            let (center, scale) = (layer.center.unwrap_or(true), layer.scale.unwrap_or(true));
            for (name, value) in &layer.numbers {
                option(name, Some(number_text(*value)));
            }
            option("center", layer.center.map(|b| b.to_string()));
            option("scale", layer.scale.map(|b| b.to_string()));
            option("invert", layer.invert.map(|b| b.to_string()));
            let weights = spec
                .normalization_weights(d, center, scale)
                .iter()
                .map(|w| (w.name.to_owned(), w.shape().to_vec()))
                .collect();
            return Ok((weights, d, options));
        }
        // A flattened sequence's width is `expected_from_config`'s, which knows its
        // timesteps.
        Role::Passthrough | Role::Flatten | Role::GlobalPooling => {
            return Ok((Vec::new(), d, options));
        }
        Role::Elementwise => {
            if spec.takes("activation") {
                option("activation", layer.activation.clone());
            }
            for (name, value) in &layer.numbers {
                option(name, Some(number_text(*value)));
            }
            return Ok((Vec::new(), d, options));
        }
        Role::Embedding => {
            let input_dim = layer.input_dim.ok_or_else(|| missing("input_dim"))?;
            let units = layer.units.ok_or_else(|| missing("output_dim"))?;
            option("input_dim", Some(input_dim.to_string()));
            option("output_dim", Some(units.to_string()));
            option("mask_zero", layer.mask_zero.map(|b| b.to_string()));
            input_dim
                .checked_mul(units)
                .ok_or_else(|| too_large(units))?;
            return Ok((
                vec![("embeddings".to_owned(), vec![input_dim, units])],
                units,
                options,
            ));
        }
        Role::LearnedActivation => {
            return Ok((vec![("alpha".to_owned(), vec![d])], d, options));
        }
        Role::Reshape => {
            // The output width, and the shape, are `expected_from_config`'s, which knows
            // the timesteps that reach it.
            let dims = layer
                .target_shape
                .as_ref()
                .ok_or_else(|| missing("target_shape"))?;
            let text: Vec<String> = dims.iter().map(ToString::to_string).collect();
            option("target_shape", Some(format!("[{}]", text.join(", "))));
            return Ok((Vec::new(), d, options));
        }
        Role::Repeat => {
            option("n", layer.repeat.map(|n| n.to_string()));
            return Ok((Vec::new(), d, options));
        }
        Role::Masking => {
            for (name, value) in &layer.numbers {
                option(name, Some(number_text(*value)));
            }
            return Ok((Vec::new(), d, options));
        }
        Role::Convolution => {
            let units = layer.units.ok_or_else(|| missing("filters"))?;
            let size = layer.window_size.ok_or_else(|| missing("kernel_size"))?;
            let groups = layer.groups.unwrap_or(1);
            option("filters", Some(units.to_string()));
            window_options(layer, &mut option, size, true);
            option("activation", layer.activation.clone());
            option("use_bias", layer.use_bias.map(|b| b.to_string()));
            let use_bias = layer.use_bias.unwrap_or(true);
            let shapes = spec
                .conv_weights(size, d, groups, units, use_bias)
                .ok_or_else(|| {
                    LoadError::Config(format!(
                        "layer `{}`: {groups} groups do not divide its {d} channels and {units} filters",
                        layer.name
                    ))
                })?;
            let mut weights = vec![("kernel".to_owned(), shapes.kernel.to_vec())];
            if let Some(b) = shapes.bias {
                weights.push(("bias".to_owned(), vec![b]));
            }
            return Ok((weights, units, options));
        }
        Role::Pooling => {
            let size = layer.window_size.unwrap_or(2);
            window_options(layer, &mut option, size, false);
            return Ok((Vec::new(), d, options));
        }
        Role::Resample => {
            let [start, end] = layer.ends.unwrap_or([1, 1]);
            match layer.class.as_str() {
                "ZeroPadding1D" => option("padding", Some(format!("[{start}, {end}]"))),
                "Cropping1D" => option("cropping", Some(format!("[{start}, {end}]"))),
                _ => option("size", Some(layer.size.unwrap_or(2).to_string())),
            }
            return Ok((Vec::new(), d, options));
        }
        Role::Recurrent { .. } | Role::Dense => {}
    }
    let units = layer.units.ok_or_else(|| missing("units"))?;
    let flag = |b: Option<bool>| b.map(|b| b.to_string());
    // The options a config states, in the order the model's summary gives them.
    option("units", Some(units.to_string()));
    option("activation", layer.activation.clone());
    if spec.takes("recurrent_activation") {
        option("recurrent_activation", layer.recurrent_activation.clone());
    }
    option("use_bias", flag(layer.use_bias));
    if spec.takes("return_sequences") {
        option("return_sequences", flag(layer.return_sequences));
    }
    if spec.takes("go_backwards") {
        option("go_backwards", flag(layer.go_backwards));
    }
    if spec.takes("reset_after") {
        option("reset_after", flag(layer.reset_after));
    }
    let shapes = spec
        .weights(
            d,
            units,
            layer.use_bias.unwrap_or(true),
            layer.reset_after.unwrap_or(true),
        )
        .ok_or_else(|| too_large(units))?;
    let weights = shapes
        .iter()
        .map(|w| (w.name.to_owned(), w.shape().to_vec()))
        .collect();
    Ok((weights, units, options))
}

/// Reads the file at `path`.
///
/// # Errors
/// [`LoadError::Io`] when it cannot be read, then as [`read`].
pub fn read_path(path: &std::path::Path) -> Result<KerasFile, LoadError> {
    let bytes = std::fs::read(path).map_err(|e| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    read(&bytes)
}

/// The file's weights for a model with `expected` layers, flattened in `get_weights()` order
/// (what `Net::from_flat` takes).
///
/// With a config (`.keras`, legacy `.h5`), the layers are matched in order and their classes
/// and options must be the model's; without one (`.weights.h5`), each layer is found in the
/// group Keras 3 saves it under: its class and its place among the layers of that class
/// ([`saving_names`]). Every array's shape must be the model's.
///
/// # Errors
/// [`LoadError::Architecture`], [`LoadError::Option`], [`LoadError::MissingLayer`],
/// [`LoadError::ArrayCount`] or [`LoadError::Shape`], each naming what differs.
pub fn weights_for(file: &KerasFile, expected: &[ExpectedLayer]) -> Result<Vec<f32>, LoadError> {
    let mut flat = Vec::new();
    if let Some(config) = &file.config {
        weights_by_config(file, config, expected, &mut flat)?;
    } else {
        weights_by_group(file, expected, &mut flat)?;
    }
    Ok(flat)
}

/// The layers of the file's config, matched to the model's in order.
fn weights_by_config(
    file: &KerasFile,
    config: &config::ModelConfig,
    expected: &[ExpectedLayer],
    flat: &mut Vec<f32>,
) -> Result<(), LoadError> {
    let ours: Vec<String> = expected
        .iter()
        .map(|e| format!("{} ({})", e.name, e.class))
        .collect();
    let theirs: Vec<String> = config
        .layers
        .iter()
        .map(|l| format!("{} ({})", l.name, l.class))
        .collect();
    let same_classes = config.layers.len() == expected.len()
        && config
            .layers
            .iter()
            .zip(expected)
            .all(|(l, e)| l.class == e.class);
    if !same_classes {
        return Err(LoadError::Architecture {
            file: theirs,
            model: ours,
        });
    }
    // Shapes first: a size that differs is clearest as the shapes it gives.
    for (layer, want) in config.layers.iter().zip(expected) {
        let arrays = file.layer(&layer.name).map_or(&[][..], |l| &l.arrays[..]);
        take_arrays(&want.name, arrays, &want.weights, flat)?;
    }
    for (layer, want) in config.layers.iter().zip(expected) {
        check_options(layer, want)?;
    }
    Ok(())
}

/// Without a config: each of the model's layers from the group Keras 3 saves it under.
fn weights_by_group(
    file: &KerasFile,
    expected: &[ExpectedLayer],
    flat: &mut Vec<f32>,
) -> Result<(), LoadError> {
    // Keras 3 saved each layer under its class and place, which `model!` also
    // names its layers by; `want.name` may be another's (a summary's, a file's).
    let groups = saving_names(expected.iter().map(|e| e.class.as_str()));
    for (want, group) in expected.iter().zip(&groups) {
        if want.weights.is_empty() {
            continue;
        }
        let Some(layer) = file.layer(group) else {
            return Err(LoadError::MissingLayer {
                layer: want.name.clone(),
                found: file.layers.iter().map(|l| l.name.clone()).collect(),
            });
        };
        take_arrays(&want.name, &layer.arrays, &want.weights, flat)?;
    }
    Ok(())
}

/// A numeric argument as the model's options write it: the `f32` the layer computes with,
/// or `None` (Keras's "no limit").
#[allow(
    clippy::cast_possible_truncation,
    reason = "the layer computes with the f32; configs hold the f64 of the same Python float"
)]
pub(crate) fn number_text(value: Option<f64>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| (v as f32).to_string())
}

/// Keras's other names for the same activation.
fn canonical_activation(name: &str) -> &str {
    match name {
        "swish" => "silu",
        "hard_swish" => "hard_silu",
        other => other,
    }
}

/// The file's options (when it states them) against the model's.
fn check_options(layer: &config::LayerConfig, want: &ExpectedLayer) -> Result<(), LoadError> {
    let mut inner = false;
    for (key, expected) in &want.options {
        if key == "merge_mode" {
            inner = true;
        }
        // Bidirectional's options after `merge_mode`, and all of TimeDistributed's, are
        // its wrapped layer's.
        let wrapped_option = (inner && key != "merge_mode")
            || tinyrnn_spec::layer_by_class(&layer.class).map(|s| s.role)
                == Some(Role::PerTimestep);
        let source = match (&layer.wrapped, wrapped_option) {
            (Some(w), true) => w.as_ref(),
            _ => layer,
        };
        let found = match key.as_str() {
            "units" => source.units.map(|u| u.to_string()),
            "activation" => source
                .activation
                .as_deref()
                .map(|a| canonical_activation(a).to_owned()),
            "recurrent_activation" => source
                .recurrent_activation
                .as_deref()
                .map(|a| canonical_activation(a).to_owned()),
            "use_bias" => source.use_bias.map(|b| b.to_string()),
            "return_sequences" => source.return_sequences.map(|b| b.to_string()),
            "go_backwards" => source.go_backwards.map(|b| b.to_string()),
            "reset_after" => source.reset_after.map(|b| b.to_string()),
            "merge_mode" => layer.merge_mode.clone(),
            "center" => source.center.map(|b| b.to_string()),
            "scale" => source.scale.map(|b| b.to_string()),
            "invert" => source.invert.map(|b| b.to_string()),
            "input_dim" => source.input_dim.map(|u| u.to_string()),
            "output_dim" => source.units.map(|u| u.to_string()),
            "mask_zero" => source.mask_zero.map(|b| b.to_string()),
            "n" => source.repeat.map(|n| n.to_string()),
            "filters" => source.units.map(|u| u.to_string()),
            "kernel_size" | "pool_size" => source.window_size.map(|k| format!("[{k}]")),
            "strides" => Some(format!(
                "[{}]",
                source
                    .strides
                    .or(source
                        .window_size
                        .filter(|_| { source.class != tinyrnn_spec::CONV_1D.keras_class }))
                    .unwrap_or(1)
            )),
            "padding" => source.padding.clone(),
            "dilation_rate" => Some(format!("[{}]", source.dilation_rate.unwrap_or(1))),
            "groups" => Some(source.groups.unwrap_or(1).to_string()),
            "shared_axes" => Some(match source.shared_axes.as_deref() {
                None | Some([]) => "None".to_owned(),
                Some(axes) => {
                    let axes: Vec<String> = axes.iter().map(ToString::to_string).collect();
                    format!("[{}]", axes.join(", "))
                }
            }),
            // The file may say `-1` where the declaration has the number it stands for.
            "target_shape" => source.target_shape.as_ref().map(|dims| {
                let total: i64 = expected
                    .trim_matches(['[', ']'])
                    .split(", ")
                    .filter_map(|d| d.parse::<i64>().ok())
                    .product();
                let known: i64 = dims.iter().filter(|&&d| d != -1).product();
                let dims: Vec<String> = dims
                    .iter()
                    .map(|&d| {
                        if d == -1 && known > 0 {
                            (total / known).to_string()
                        } else {
                            d.to_string()
                        }
                    })
                    .collect();
                format!("[{}]", dims.join(", "))
            }),
            number => source
                .numbers
                .iter()
                .find(|(n, _)| n == number)
                .map(|(_, v)| number_text(*v)),
        };
        if let Some(found) = found
            && found != canonical_activation(expected)
        {
            return Err(LoadError::Option {
                layer: want.name.clone(),
                key: key.clone(),
                expected: expected.clone(),
                found,
            });
        }
    }
    Ok(())
}

/// Appends a layer's arrays after checking their number and shapes.
fn take_arrays(
    layer: &str,
    arrays: &[Array],
    weights: &[(String, Vec<usize>)],
    flat: &mut Vec<f32>,
) -> Result<(), LoadError> {
    if arrays.len() != weights.len() {
        return Err(LoadError::ArrayCount {
            layer: layer.to_owned(),
            expected: weights
                .iter()
                .map(|(name, shape)| format!("{name} {shape:?}"))
                .collect(),
            found: arrays.len(),
        });
    }
    for (array, (name, shape)) in arrays.iter().zip(weights) {
        if &array.shape != shape || array.data.len() != shape.iter().product::<usize>() {
            return Err(LoadError::Shape {
                layer: layer.to_owned(),
                weight: name.clone(),
                expected: shape.clone(),
                found: array.shape.clone(),
            });
        }
        flat.extend_from_slice(&array.data);
    }
    Ok(())
}
