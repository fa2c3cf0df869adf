//! Reading the Keras fixtures written by `tools/gen_keras_fixtures.py`, and comparing with them.
#![allow(
    dead_code,
    reason = "each test binary uses a different part of this module"
)]
#![allow(
    clippy::cast_possible_truncation,
    reason = "fixtures hold f32 values written as f64, and small counts"
)]

use serde_json::Value;
use tinyrnn::{OutputShape, Summary};

// The comparison of one fixture case, shared by tests/keras.rs and tests/torch.rs:
// `run!(shape, stream | no_stream, net, x, &case.output, &what)` checks `forward` against
// the reference and, with `stream`, `step` against `forward` bit for bit. They name `Net`
// and `NetState` of the calling module.

#[allow(unused_macros, reason = "used by the fixture tests only")]
macro_rules! run {
    (fixed_vector, $stream:ident, $net:ident, $x:ident, $want:expr, $what:expr) => {{
        const T: usize = match Net::TIMESTEPS {
            Some(t) => t,
            None => 0,
        };
        let x: [[f32; Net::FEATURES]; T] = $x.try_into().expect("fixture length");
        let got = $net.forward(&x);
        let Output::Vector(want) = $want else {
            panic!("{}: expected a vector", $what)
        };
        assert_close($what, &got, want);
        stream!(
            $stream,
            $net,
            x,
            |outputs: &[[f32; Net::OUTPUT_UNITS]]| {
                assert_bits($what, outputs.last().expect("a step"), &got);
            }
        );
    }};
    (fixed_sequence, $stream:ident, $net:ident, $x:ident, $want:expr, $what:expr) => {{
        const T: usize = match Net::TIMESTEPS {
            Some(t) => t,
            None => 0,
        };
        let x: [[f32; Net::FEATURES]; T] = $x.try_into().expect("fixture length");
        let got = $net.forward(&x);
        let Output::Sequence(want) = $want else {
            panic!("{}: expected a sequence", $what)
        };
        assert_eq!(got.len(), want.len());
        for (t, (g, w)) in got.iter().zip(want).enumerate() {
            assert_close(&format!("{} t={t}", $what), g, w);
        }
        stream!(
            $stream,
            $net,
            x,
            |outputs: &[[f32; Net::OUTPUT_UNITS]]| {
                for (t, (s, f)) in outputs.iter().zip(&got).enumerate() {
                    assert_bits(&format!("{} t={t}", $what), s, f);
                }
            }
        );
    }};
    (any_vector, $stream:ident, $net:ident, $x:ident, $want:expr, $what:expr) => {{
        let got = $net.forward(&$x);
        let Output::Vector(want) = $want else {
            panic!("{}: expected a vector", $what)
        };
        assert_close($what, &got, want);
        stream!(
            $stream,
            $net,
            $x,
            |outputs: &[[f32; Net::OUTPUT_UNITS]]| {
                assert_bits($what, outputs.last().expect("a step"), &got);
            }
        );
    }};
    // Windows slid along a sequence of any length: `Net::output_len` outputs, and the
    // wrong length refused.
    (any_windows, no_stream, $net:ident, $x:ident, $want:expr, $what:expr) => {{
        let mut got = vec![[0.0; Net::OUTPUT_UNITS]; Net::output_len($x.len())];
        $net.forward(&$x, &mut got)
            .expect("out has output_len's length");
        let Output::Sequence(want) = $want else {
            panic!("{}: expected a sequence", $what)
        };
        assert_eq!(got.len(), want.len(), "{}: output_len", $what);
        for (t, (g, w)) in got.iter().zip(want).enumerate() {
            assert_close(&format!("{} t={t}", $what), g, w);
        }
        let mut longer = vec![[0.0; Net::OUTPUT_UNITS]; got.len() + 1];
        assert_eq!(
            $net.forward(&$x, &mut longer),
            Err(tinyrnn::Error::OutputLength {
                expected: got.len(),
                found: got.len() + 1
            }),
            "{}",
            $what
        );
    }};
    (any_sequence, $stream:ident, $net:ident, $x:ident, $want:expr, $what:expr) => {{
        let mut got = vec![[0.0; Net::OUTPUT_UNITS]; $x.len()];
        $net.forward(&$x, &mut got)
            .expect("out has the input's length");
        let Output::Sequence(want) = $want else {
            panic!("{}: expected a sequence", $what)
        };
        assert_eq!(got.len(), want.len());
        for (t, (g, w)) in got.iter().zip(want).enumerate() {
            assert_close(&format!("{} t={t}", $what), g, w);
        }
        stream!(
            $stream,
            $net,
            $x,
            |outputs: &[[f32; Net::OUTPUT_UNITS]]| {
                for (t, (s, f)) in outputs.iter().zip(&got).enumerate() {
                    assert_bits(&format!("{} t={t}", $what), s, f);
                }
            }
        );
    }};
}

/// Feeds the sequence through `step`, twice (the second time after `reset`, which must
/// give the same outputs), and hands the outputs to `$check`.
#[allow(unused_macros, reason = "used by the fixture tests only")]
macro_rules! stream {
    (no_stream, $net:ident, $x:ident, $check:expr) => {};
    (stream, $net:ident, $x:ident, $check:expr) => {{
        let mut state = NetState::default();
        let first: Vec<_> = $x.iter().map(|xt| $net.step(&mut state, xt)).collect();
        ($check)(&first);
        state.reset();
        let again: Vec<_> = $x.iter().map(|xt| $net.step(&mut state, xt)).collect();
        assert_eq!(first, again, "reset() must restore the initial state");
    }};
}

/// Keras and tinyrnn agree within `|got - want| <= KERAS_TOL * (1 + |want|)`: float32 maths in
/// a different order (oneDNN, Eigen's tanh) differs in the last bits, never more.
pub const KERAS_TOL: f32 = 1e-5;

/// The cases that `tools/gen_keras_files.py` also saved as `.keras`, `.weights.h5` and `.h5`.
pub const KERAS_FILE_CASES: [&str; 44] = [
    "seed_rnn2",
    "stacked",
    "no_bias",
    "var_len",
    "lstm_stacked",
    "gru_basic",
    "gru_reset_before",
    "bidirectional_modes",
    "dropouts",
    "mixed_stack",
    "act_gelu",
    "lstm_options",
    "activation_layers",
    "activation_layers_any",
    "relu_layers",
    "leaky_elu_layers",
    "time_distributed",
    "time_distributed_any",
    "layer_normalization",
    "layer_normalization_any",
    "batch_normalization",
    "normalization",
    "repeat_vector",
    "flatten",
    "flatten_prelu",
    "reshape",
    "reshape_sequence",
    "reshape_any",
    "prelu_shared",
    "conv1d_valid",
    "conv1d_same",
    "conv1d_causal",
    "conv1d_groups",
    "pooling",
    "global_pooling",
    "global_max_pooling",
    "fcn_classifier",
    "conv1d_causal_any",
    "resampling",
    "resampling_defaults",
    "windows_any",
    "windows_any_sequence",
    "global_pooling_any",
    "global_max_pooling_any",
];

pub struct Fixture {
    pub name: String,
    pub dsl: String,
    pub weights: Vec<f32>,
    pub total_params: usize,
    pub layers: Vec<LayerRef>,
    pub cases: Vec<Case>,
    pub summary: String,
}

pub struct LayerRef {
    pub name: String,
    pub class: String,
    pub output_shape: Vec<Option<usize>>,
    pub params: usize,
    pub weights: Vec<(String, Vec<usize>)>,
}

pub struct Case {
    pub input: Vec<Vec<f32>>,
    pub output: Output,
}

pub enum Output {
    Vector(Vec<f32>),
    Sequence(Vec<Vec<f32>>),
}

/// Every number of a JSON value (nested arrays flattened, in order), as `f32`.
pub fn json_floats(v: &Value) -> Vec<f32> {
    match v {
        Value::Array(items) => items.iter().flat_map(json_floats).collect(),
        other => vec![other.as_f64().expect("a number") as f32],
    }
}

/// The models of `tests/fixtures/keras-examples/` (`tools/gen_keras_examples.py`): twelve
/// architectures of Keras's examples and common tutorials, six of masks, three with
/// convolutional front ends, then two of masks that end at a convolution and two that a
/// global average reads.
pub const KERAS_EXAMPLES: [&str; 25] = [
    "weather_forecasting",
    "imdb_bidirectional_lstm",
    "char_text_generation",
    "number_addition",
    "lstm_autoencoder",
    "keyword_spotting",
    "activity_recognition",
    "text_classification_masked",
    "sensor_masking",
    "lstm_flatten_batchnorm",
    "stacked_gru_layernorm",
    "prelu_head",
    "masks_through_sequences",
    "masking_value_chain",
    "masked_bidirectional",
    "masking_bidirectional_last",
    "masked_go_backwards",
    "masked_time_distributed",
    "fcn_classifier",
    "cnn_lstm_activity",
    "audio_causal_gru",
    "masking_conv_lstm",
    "masked_causal_conv",
    "masked_global_average",
    "masking_lstm_average",
];

fn floats(v: &Value) -> Vec<f32> {
    v.as_array()
        .expect("an array of numbers")
        .iter()
        .map(|x| x.as_f64().expect("a number") as f32)
        .collect()
}

fn rows(v: &Value) -> Vec<Vec<f32>> {
    v.as_array()
        .expect("an array of rows")
        .iter()
        .map(floats)
        .collect()
}

impl Fixture {
    pub fn load(name: &str) -> Self {
        Self::load_path(&format!(
            "{}/tests/fixtures/keras/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
    }

    /// A fixture of `tests/fixtures/keras/`'s format at `path` (other generators write it too).
    pub fn load_path(path: &str) -> Self {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
        let layers = v["layers"]
            .as_array()
            .expect("layers")
            .iter()
            .map(|l| LayerRef {
                name: l["name"].as_str().expect("name").to_owned(),
                class: l["class"].as_str().expect("class").to_owned(),
                output_shape: l["output_shape"]
                    .as_array()
                    .expect("output_shape")
                    .iter()
                    .map(|d| d.as_u64().map(|d| d as usize))
                    .collect(),
                params: l["params"].as_u64().expect("params") as usize,
                weights: l["weights"]
                    .as_array()
                    .expect("weights")
                    .iter()
                    .map(|w| {
                        let shape = w["shape"]
                            .as_array()
                            .expect("shape")
                            .iter()
                            .map(|d| d.as_u64().expect("dim") as usize)
                            .collect();
                        (w["name"].as_str().expect("weight name").to_owned(), shape)
                    })
                    .collect(),
            })
            .collect();
        let cases = v["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .map(|c| {
                let out = &c["output"];
                let output = if out[0].is_array() {
                    Output::Sequence(rows(out))
                } else {
                    Output::Vector(floats(out))
                };
                Case {
                    input: rows(&c["input"]),
                    output,
                }
            })
            .collect();
        Fixture {
            name: v["name"].as_str().expect("name").to_owned(),
            dsl: v["dsl"].as_str().expect("dsl").to_owned(),
            weights: floats(&v["weights"]),
            total_params: v["total_params"].as_u64().expect("total_params") as usize,
            layers,
            cases,
            summary: v["summary"].as_str().expect("summary").to_owned(),
        }
    }

    /// The Keras files saved from this fixture's model (`tools/gen_keras_files.py`).
    pub fn weight_files(&self) -> Vec<String> {
        ["keras", "weights.h5", "h5"]
            .iter()
            .map(|ext| {
                format!(
                    "{}/tests/fixtures/keras-files/{}.{ext}",
                    env!("CARGO_MANIFEST_DIR"),
                    self.name
                )
            })
            .filter(|path| std::path::Path::new(path).exists())
            .collect()
    }

    /// The model in the test is the one the fixture was made from.
    pub fn assert_dsl(&self, tokens: &str) {
        let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        assert_eq!(
            squash(tokens).trim_end_matches(';'),
            squash(&self.dsl).trim_end_matches(';'),
            "{}: the test's model! differs from the fixture's",
            self.name
        );
    }

    /// Counts, names, shapes and the summary table equal Keras's.
    pub fn assert_structure(&self, layer_params: &[usize], params: usize, summary: &Summary) {
        assert_eq!(params, self.total_params, "{}: total params", self.name);
        let want: Vec<usize> = self.layers.iter().map(|l| l.params).collect();
        assert_eq!(
            layer_params,
            want.as_slice(),
            "{}: per-layer params",
            self.name
        );
        assert_eq!(
            summary.layers.len(),
            self.layers.len(),
            "{}: layer count",
            self.name
        );
        for (ours, keras) in summary.layers.iter().zip(&self.layers) {
            assert_eq!(ours.name, keras.name, "{}: layer name", self.name);
            assert_eq!(ours.kind, keras.class, "{}: layer class", self.name);
            assert_eq!(
                ours.params, keras.params,
                "{}: {} params",
                self.name, keras.name
            );
            let shape: Vec<Option<usize>> = match ours.output {
                OutputShape::Vector { units } => vec![None, Some(units)],
                OutputShape::Sequence { timesteps, units } => vec![None, timesteps, Some(units)],
                OutputShape::Tokens { timesteps } => vec![None, timesteps],
                _ => panic!("{}: an output shape this test does not know", self.name),
            };
            assert_eq!(
                shape, keras.output_shape,
                "{}: {} output shape",
                self.name, keras.name
            );
            // Keras lists a bidirectional layer's arrays twice: forward, then backward.
            let weights: Vec<(String, Vec<usize>)> = (0..ours.copies)
                .flat_map(|_| ours.weights)
                .map(|w| (w.name.to_owned(), w.shape.to_vec()))
                .collect();
            assert_eq!(
                weights, keras.weights,
                "{}: {} weights",
                self.name, keras.name
            );
        }
        // The table and totals, line for line; only the model's name differs.
        let ours = summary.to_string();
        let keras_lines: Vec<&str> = self.summary.lines().skip(1).collect();
        let our_lines: Vec<&str> = ours.lines().skip(1).take(keras_lines.len()).collect();
        assert_eq!(
            our_lines, keras_lines,
            "{}: summary table\n--- ours ---\n{ours}\n--- keras ---\n{}",
            self.name, self.summary
        );
    }
}

/// Fixed-size input rows.
pub fn sequence<const F: usize>(input: &[Vec<f32>]) -> Vec<[f32; F]> {
    input
        .iter()
        .map(|row| <[f32; F]>::try_from(row.as_slice()).expect("row width"))
        .collect()
}

/// Asserts `got` is within [`KERAS_TOL`] of `want`, naming the fixture, case and timestep.
pub fn assert_close(what: &str, got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    // `TINYRNN_MARGIN=1 cargo test -- --nocapture` prints how much of the tolerance each
    // comparison used (BENCHMARKS.md quotes the worst, for the fast activations).
    if std::env::var_os("TINYRNN_MARGIN").is_some() {
        let used = got
            .iter()
            .zip(want)
            .map(|(g, w)| (g - w).abs() / (1.0 + w.abs()))
            .fold(0.0_f32, f32::max);
        eprintln!("margin {:.6} {what}", used / KERAS_TOL);
    }
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        let err = (g - w).abs();
        assert!(
            err <= KERAS_TOL * (1.0 + w.abs()),
            "{what}[{i}]: got {g}, want {w} (Keras), error {err:e} > {KERAS_TOL:e} * (1 + |want|)\n got:  {got:?}\n want: {want:?}"
        );
    }
}

/// Asserts two outputs are the same bits (streaming vs whole-sequence).
pub fn assert_bits(what: &str, got: &[f32], want: &[f32]) {
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(
        bits(got),
        bits(want),
        "{what}: step {got:?} vs forward {want:?}"
    );
}

/// Runs the `tinyrnn` command: its exit code, stdout and stderr.
pub fn tinyrnn(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tinyrnn"))
        .args(args)
        .output()
        .expect("the tinyrnn binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A statement with its named arguments sorted, so that `lstm(4, a = 1, b = 2)` and
/// `lstm(4, b = 2, a = 1)`, the same layer, compare equal. Nested calls are sorted too.
fn canonical(statement: &str) -> String {
    let Some((name, rest)) = statement.split_once('(') else {
        return statement.to_owned();
    };
    let inner = rest.strip_suffix(')').unwrap_or(rest);
    let mut args = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                args.push(canonical(&inner[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    args.push(canonical(&inner[start..]));
    args[1..].sort();
    format!("{name}({})", args.join(","))
}

/// Statements without whitespace, each canonical.
pub fn canonical_dsl(dsl: &str) -> Vec<String> {
    let squashed: String = dsl.split_whitespace().collect();
    squashed
        .split(';')
        .filter(|s| !s.is_empty())
        .map(canonical)
        .collect()
}

/// The DSL statements of `tinyrnn inspect`'s output, as one line without whitespace.
pub fn inspected_dsl(stdout: &str) -> String {
    let body: String = stdout
        .lines()
        .skip_while(|l| !l.starts_with("tinyrnn::model! {"))
        .skip(2) // the `model!` line and `pub struct Net;`
        .take_while(|l| !l.trim_start().starts_with("params "))
        .collect();
    body.split_whitespace().collect()
}

/// `tinyrnn inspect path` prints the fixture's `model!` (up to the order of named arguments)
/// with its `params` line and, with `keras_summary`, every row of Keras's own summary table
/// (for files Keras 3 wrote: tf_keras names the same layers with counters of its own).
pub fn assert_inspect_prints(path: &str, fx: &Fixture, keras_summary: bool) {
    let (code, stdout, stderr) = tinyrnn(&["inspect", path]);
    assert_eq!(code, 0, "{path}: {stderr}");
    assert_eq!(
        canonical_dsl(&inspected_dsl(&stdout)),
        canonical_dsl(&fx.dsl),
        "{path}:\n{stdout}"
    );
    assert!(
        stdout.contains(&format!("params {};", fx.total_params)),
        "{path}:\n{stdout}"
    );
    if keras_summary {
        for line in fx.summary.lines().skip(1) {
            assert!(
                stdout.contains(line),
                "{path}: missing {line:?} in\n{stdout}"
            );
        }
    }
}
