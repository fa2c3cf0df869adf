//! `tinyrnn`: look inside a Keras file and turn it into what tinyrnn builds from.
//!
//! ```text
//! tinyrnn inspect model.keras [--name Net]   the model! DSL, the summary, the weight breakdown
//! tinyrnn convert model.keras -o net.bin     little-endian f32 weights for Net::from_le_bytes
//! ```
//!
//! Both also read PyTorch state dicts saved as `.safetensors` (and `.pt`); `inspect` then says
//! what a state dict does not record (activations, which timesteps a `Linear` reads).
//!
//! Errors are one line on stderr and a nonzero exit: 1 for a file that cannot be used,
//! 2 for a wrong command line.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use tinyrnn::LoadError;
use tinyrnn::keras::{self, config::LayerConfig, config::ModelConfig};
use tinyrnn::torch;
use tinyrnn::{LayerSummary, OutputShape, Summary, WeightSpec};

const USAGE: &str = "usage: tinyrnn inspect FILE [--name NAME] | tinyrnn convert FILE -o OUT";

enum Command {
    Inspect { file: PathBuf, name: String },
    Convert { file: PathBuf, out: PathBuf },
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let (command, rest) = args.split_first().ok_or("no command given")?;
    let mut file = None;
    let mut name = "Net".to_owned();
    let mut out = None;
    let mut rest = rest.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--name" => name.clone_from(rest.next().ok_or("`--name` needs a value")?),
            "-o" | "--output" => out = Some(PathBuf::from(rest.next().ok_or("`-o` needs a path")?)),
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            path if file.is_none() => file = Some(PathBuf::from(path)),
            extra => return Err(format!("unexpected argument `{extra}`")),
        }
    }
    let file = file.ok_or("no Keras file given")?;
    match command.as_str() {
        "inspect" => Ok(Command::Inspect { file, name }),
        "convert" => Ok(Command::Convert {
            file,
            out: out.ok_or("`convert` needs `-o OUT`")?,
        }),
        other => Err(format!("unknown command `{other}`")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("-h" | "--help")) {
        let _ = print_out(&format!("{USAGE}\n"));
        return ExitCode::SUCCESS;
    }
    let command = match parse_args(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tinyrnn: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = match command {
        Command::Inspect { file, name } => inspect(&file, &name),
        Command::Convert { file, out } => convert(&file, &out),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tinyrnn: error: {e}");
            ExitCode::from(1)
        }
    }
}

/// What a weight file describes: its architecture, the weights in Keras's
/// `get_weights()` order, and notes for the reader.
struct Described {
    config: ModelConfig,
    expected: Vec<keras::ExpectedLayer>,
    flat: Vec<f32>,
    notes: Vec<String>,
    /// The optimizer state a Keras file saved after training holds: values and bytes.
    optimizer: Option<(usize, usize)>,
}

fn read_file(path: &std::path::Path) -> Result<Vec<u8>, LoadError> {
    std::fs::read(path).map_err(|e| LoadError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

/// Reads a Keras file or a PyTorch `.safetensors` state dict.
fn describe(path: &std::path::Path) -> Result<Described, LoadError> {
    let bytes = read_file(path)?;
    let pt = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("pt" | "pth")
    );
    if torch::is_safetensors(&bytes) || pt {
        let dict = torch::read_path(path)?;
        let (config, mut notes) = torch::infer_config(&dict)?;
        let expected = keras::expected_from_config(&config)?;
        let flat = torch::weights_for(&dict, &expected)?;
        notes.insert(
            0,
            format!(
                "a PyTorch state dict: {} parameters in PyTorch, {} in Keras and tinyrnn (nn.RNN and nn.LSTM keep two biases, bias_ih and bias_hh, that Keras sums into one)",
                dict.params(),
                flat.len()
            ),
        );
        return Ok(Described {
            optimizer: None,
            config,
            expected,
            flat,
            notes,
        });
    }
    let file = keras::read(&bytes)?;
    let config = file.config.clone().ok_or_else(|| {
        LoadError::Config(
            "a `.weights.h5` file holds no architecture or layer order; use the `.keras` file \
             (`model.save(\"model.keras\")`)"
                .to_owned(),
        )
    })?;
    // A layer tinyrnn does not have is best reported as that, with everything else it
    // cannot run, rather than as the first layout it cannot compute.
    keras::dsl::to_dsl(&config, "Net").map_err(LoadError::Unsupported)?;
    let expected = keras::expected_from_config(&config)?;
    // The arrays must fit the file's own config before anything is printed from them.
    let flat = keras::weights_for(&file, &expected)?;
    let mut notes = Vec::new();
    if let Some(version) = &file.keras_version
        && version.starts_with("2.")
        && config.layers.iter().any(|l| {
            [&l.activation, &l.recurrent_activation]
                .iter()
                .any(|a| a.as_deref() == Some("hard_sigmoid"))
        })
    {
        notes.push(format!(
            "written by Keras {version}, whose `hard_sigmoid` is 0.2*x+0.5; tinyrnn computes Keras 3's relu6(x+3)/6"
        ));
    }
    Ok(Described {
        config,
        expected,
        flat,
        notes,
        optimizer: file.optimizer,
    })
}

fn inspect(path: &std::path::Path, name: &str) -> Result<(), LoadError> {
    let described = describe(path)?;
    let dsl = keras::dsl::to_dsl(&described.config, name).map_err(LoadError::Unsupported)?;
    let mut summary = summary(&described.config, &described.expected, name);
    summary.optimizer = described
        .optimizer
        .map(|(params, bytes)| tinyrnn::OptimizerParams { params, bytes });
    let mut text = String::from("tinyrnn::model! {\n");
    for line in dsl.lines() {
        text += "    ";
        text += line;
        text += "\n";
    }
    let _ = write!(
        text,
        "    params {};\n}}\n\n{summary}",
        summary.total_params()
    );
    for note in &described.notes {
        let _ = writeln!(text, "\nnote: {note}");
    }
    print_out(&text)
}

fn convert(path: &std::path::Path, out: &std::path::Path) -> Result<(), LoadError> {
    let described = describe(path)?;
    keras::dsl::to_dsl(&described.config, "Net").map_err(LoadError::Unsupported)?;
    let bytes: Vec<u8> = described
        .flat
        .iter()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    std::fs::write(out, &bytes).map_err(|e| LoadError::Io {
        path: out.display().to_string(),
        message: e.to_string(),
    })?;
    print_out(&format!(
        "wrote {} weights ({} bytes) to {}\n",
        bytes.len() / 4,
        bytes.len(),
        out.display()
    ))
}

/// Writes to stdout; a closed pipe (`tinyrnn inspect x | head`) is not an error.
fn print_out(text: &str) -> Result<(), LoadError> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(LoadError::Io {
            path: "<stdout>".to_owned(),
            message: e.to_string(),
        }),
        _ => Ok(()),
    }
}

/// Keras's parameter formula for a layer and the symbol of its units (`tinyrnn_spec`'s).
fn formula(layer: &LayerConfig) -> (&'static str, &'static str) {
    tinyrnn_spec::layer_by_class(&layer.class).map_or(("0", ""), |spec| {
        if let tinyrnn_spec::Role::Normalization(_) = spec.role {
            let (center, scale) = (layer.center.unwrap_or(true), layer.scale.unwrap_or(true));
            return (spec.normalization_formula(center, scale), "");
        }
        (
            spec.formula(
                layer.use_bias.unwrap_or(true),
                layer.reset_after.unwrap_or(true),
            ),
            spec.unit_symbol().unwrap_or(""),
        )
    })
}

/// The Keras-style summary of a file's model, from its config and the arrays it expects
/// (already checked against the file). Its `'static` data is leaked: this runs once, in a
/// short-lived command.
fn summary(config: &ModelConfig, expected: &[keras::ExpectedLayer], name: &str) -> Summary {
    let [mut timesteps, features] = config.input.unwrap_or([None, None]);
    let mut width = features.unwrap_or(0);
    let mut sequence = true;
    let mut rows = Vec::new();
    // Keras lists a Functional model's `InputLayer` as a layer of its own.
    if let Some(input) = &config.input_layer {
        rows.push(LayerSummary {
            name: String::leak(input.clone()),
            kind: "InputLayer",
            output: if config.tokens {
                OutputShape::Tokens { timesteps }
            } else {
                OutputShape::Sequence {
                    timesteps,
                    units: width,
                }
            },
            params: 0,
            non_trainable: 0,
            non_trainable_bytes: 0,
            weights: &[],
            copies: 1,
            formula: "0",
            symbols: &[],
            options: &[],
        });
    }
    for (layer, want) in config.layers.iter().zip(expected) {
        // Bidirectional holds its wrapped layer's weights twice, TimeDistributed once.
        let bidirectional = tinyrnn_spec::layer_by_class(&layer.class).map(|s| s.role)
            == Some(tinyrnn_spec::Role::Wrapper);
        let (described, copies) = match &layer.wrapped {
            Some(inner) => (inner.as_ref(), if bidirectional { 2 } else { 1 }),
            None => (layer, 1),
        };
        let (formula, unit_symbol) = formula(described);
        // A PReLU whose one alpha all units share.
        let shared_alpha = described.class == tinyrnn_spec::PRELU.keras_class
            && want
                .weights
                .iter()
                .all(|(_, s)| s.iter().product::<usize>() == 1);
        let formula = if shared_alpha { "1" } else { formula };
        let weights: Vec<WeightSpec> = want
            .weights
            .iter()
            .take(want.weights.len() / copies)
            .map(|(n, shape)| WeightSpec::new(String::leak(n.clone()), Vec::leak(shape.clone())))
            .collect();
        let units = described.units.unwrap_or(width);
        let mut out_width = match (&layer.wrapped, layer.merge_mode.as_deref()) {
            (Some(_), Some("concat") | None) if bidirectional => 2 * units,
            (Some(_), _) => units,
            (None, _) if layer.units.is_some() => units,
            (None, _) => width,
        };
        match described.class.as_str() {
            "SimpleRNN" | "LSTM" | "GRU" => {
                sequence = described.return_sequences.unwrap_or(false);
            }
            "RepeatVector" => (sequence, timesteps) = (true, layer.repeat),
            // Convolutions, poolings and the layers that pad, crop or repeat timesteps.
            class
                if matches!(
                    tinyrnn_spec::layer_by_class(class).map(|s| s.role),
                    Some(
                        tinyrnn_spec::Role::Convolution
                            | tinyrnn_spec::Role::Pooling
                            | tinyrnn_spec::Role::Resample
                    )
                ) =>
            {
                timesteps = timesteps.and_then(|t| keras::window_outputs(layer, t));
            }
            "GlobalMaxPooling1D" | "GlobalAveragePooling1D" => sequence = false,
            "Reshape" => {
                // Checked against the widths already (`expected_from_config`).
                let total = if sequence { timesteps.unwrap_or(0) } else { 1 } * width;
                let dims = layer.target_shape.clone().unwrap_or_default();
                let known: i64 = dims.iter().filter(|&&d| d != -1).product();
                let dim = |d: i64| {
                    if d == -1 {
                        usize::try_from(known).map_or(0, |k| total.checked_div(k).unwrap_or(0))
                    } else {
                        usize::try_from(d).unwrap_or(0)
                    }
                };
                match dims.as_slice() {
                    [t, w] => {
                        (sequence, timesteps, out_width) = (true, Some(dim(*t)), dim(*w));
                    }
                    [w] => (sequence, out_width) = (false, dim(*w)),
                    _ => {}
                }
            }
            "Flatten" if sequence => {
                out_width *= timesteps.unwrap_or(0);
                sequence = false;
            }
            _ => {}
        }
        // An embedding's `d` is the number of ids it maps.
        let d = described.input_dim.unwrap_or(width);
        let mut symbols: Vec<(&'static str, usize)> = match (unit_symbol, formula) {
            (_, "0" | "1") => Vec::new(),
            ("", _) => vec![("d", d)],
            (unit, _) => vec![("d", d), (unit, units)],
        };
        // A convolution's kernel size, and its groups.
        let mut formula = formula;
        if described.class == tinyrnn_spec::CONV_1D.keras_class {
            symbols.insert(0, ("k", described.window_size.unwrap_or(1)));
            if let Some(g) = described.groups.filter(|&g| g > 1) {
                symbols.insert(2, ("g", g));
                formula = if described.use_bias.unwrap_or(true) {
                    "k*(d/g)*u+u"
                } else {
                    "k*(d/g)*u"
                };
            }
        }
        rows.push(LayerSummary {
            name: String::leak(layer.name.clone()),
            kind: String::leak(layer.class.clone()),
            output: if sequence {
                OutputShape::Sequence {
                    timesteps,
                    units: out_width,
                }
            } else {
                OutputShape::Vector { units: out_width }
            },
            params: want
                .weights
                .iter()
                .map(|(_, s)| s.iter().product::<usize>())
                .sum(),
            non_trainable: tinyrnn_spec::layer_by_class(&described.class)
                .map_or(0, |spec| spec.non_trainable(width)),
            non_trainable_bytes: tinyrnn_spec::layer_by_class(&described.class)
                .map_or(0, |spec| spec.non_trainable_bytes(width)),
            weights: Vec::leak(weights),
            copies,
            formula,
            symbols: Vec::leak(symbols),
            options: &[],
        });
        width = out_width;
    }
    let (rows, connections) = match &config.graph {
        Some(graph) => as_graph(&rows, graph),
        None => (rows, None),
    };
    Summary {
        name: String::leak(name.to_owned()),
        layers: Vec::leak(rows),
        optimizer: None,
        connections,
    }
}

/// The rows of a Functional model that Keras summarizes as a graph: every node in the
/// config's order (the operations that compute masks included, without weights), and what
/// each is connected to (`embedding[0][0], not_equal[0][0]`).
fn as_graph(
    rows: &[LayerSummary],
    graph: &[keras::GraphNode],
) -> (Vec<LayerSummary>, Option<&'static [&'static str]>) {
    let mut out = Vec::new();
    let mut connections = Vec::new();
    for node in graph {
        let row = rows
            .iter()
            .find(|r| r.name == node.name)
            .copied()
            .unwrap_or_else(|| {
                let output = match node.output_shape.as_deref() {
                    Some([_, t]) => OutputShape::Tokens { timesteps: *t },
                    Some([_, t, u]) => OutputShape::Sequence {
                        timesteps: *t,
                        units: u.unwrap_or(0),
                    },
                    _ => OutputShape::Vector { units: 0 },
                };
                LayerSummary {
                    name: String::leak(node.name.clone()),
                    kind: String::leak(node.class.clone()),
                    output,
                    params: 0,
                    non_trainable: 0,
                    non_trainable_bytes: 0,
                    weights: &[],
                    copies: 1,
                    formula: "0",
                    symbols: &[],
                    options: &[],
                }
            });
        let inputs: Vec<String> = node.inputs.iter().map(|n| format!("{n}[0][0]")).collect();
        connections.push(&*String::leak(if inputs.is_empty() {
            "-".to_owned()
        } else {
            inputs.join(", ")
        }));
        out.push(row);
    }
    (out, Some(&*Vec::leak(connections)))
}
