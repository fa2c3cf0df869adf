//! What the firmware (`examples/firmware`, run under QEMU by `ci/firmware-check` on a
//! Cortex-M4F, a Cortex-M0 and a RISC-V core) checks itself against, computed on the host with
//! the same model declarations and weights.
//!
//! - `tests/fixtures/firmware/seed_rnn2.bin`: the seed model's weights, as
//!   `tinyrnn convert seed_rnn2.keras` writes them (checked here).
//! - `tests/fixtures/firmware/lstm16.bin`: deterministic weights for
//!   `input [20, 4]; lstm(16); dense(1)` (checked here).
//! - `tests/fixtures/firmware/conv_gru.bin`: deterministic weights for the streaming
//!   `ConvGru` model, three causal dilated convolutions, `gru(8)` and `dense(1)` (checked here).
//! - `target/firmware/expected.rs` (or `$TINYRNN_FIRMWARE_EXPECTED`), written by every run of
//!   this test: the inputs and the host's outputs for them (every `step` output and the
//!   `forward` output), plus Keras's outputs for the seed model, as Rust source that the
//!   firmware `include!`s. Floats are written with `{:?}`, which reads back to the same bits.
//!   Also the on-device training run's: [`train::STEPS`] SGD steps of the seed model from
//!   its Keras weights on deterministic samples, computed by `examples/firmware/src/train.rs`
//!   (this test's module `train`, the firmware's too), its per-step losses and final weights,
//!   which the firmware must reproduce bit for bit.
//!   It is written, not checked in, so that the firmware is always compared with the host's
//!   maths as it is now.
//!
//! If a checked-in blob differs from what the host makes, the test fails;
//! `TINYRNN_BLESS=1 cargo test --test firmware` rewrites the blobs.

mod common;

use common::{Fixture, Output, assert_bits, assert_close};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

include!("fixtures/firmware/models.rs");

/// The firmware's training run, the same source on both sides.
#[path = "../examples/firmware/src/train.rs"]
mod train;

/// How many input sequences the firmware runs through the LSTM model.
const LSTM_SEQUENCES: usize = 2;
/// How many input sequences the firmware streams through the conv + GRU model.
const CONV_SEQUENCES: usize = 2;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where the firmware's build reads the expected outputs from.
fn expected_path() -> PathBuf {
    std::env::var_os("TINYRNN_FIRMWARE_EXPECTED")
        .map_or_else(|| root().join("target/firmware/expected.rs"), PathBuf::from)
}

/// Deterministic values in `[lo, hi)`: a 64-bit LCG (Knuth's MMIX constants), top 24 bits.
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self, lo: f32, hi: f32) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let unit = (self.0 >> 40) as f32 / 16_777_216.0;
        lo + (hi - lo) * unit
    }
}

fn lstm_weights() -> Vec<f32> {
    let mut rng = Lcg(0x7469_6e79_726e_6e16);
    (0..Lstm16::PARAMS)
        .map(|_| rng.uniform(-0.5, 0.5))
        .collect()
}

fn lstm_inputs() -> Vec<[[f32; 4]; 20]> {
    let mut rng = Lcg(0x6669_726d_7761_7265);
    (0..LSTM_SEQUENCES)
        .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| rng.uniform(-2.0, 2.0))))
        .collect()
}

fn conv_weights() -> Vec<f32> {
    let mut rng = Lcg(0x636f_6e76_6772_7508);
    (0..ConvGru::PARAMS)
        .map(|_| rng.uniform(-0.5, 0.5))
        .collect()
}

/// Samples in [-1, 1): a signal, as an audio model reads it.
fn conv_inputs() -> Vec<[[f32; 1]; 32]> {
    let mut rng = Lcg(0x6175_6469_6f73_616d);
    (0..CONV_SEQUENCES)
        .map(|_| core::array::from_fn(|_| [rng.uniform(-1.0, 1.0)]))
        .collect()
}

/// The training samples: inputs in [-1, 1).
fn train_inputs() -> Vec<train::Input> {
    let mut rng = Lcg(0x7472_6169_6e69_6e67);
    (0..train::SAMPLES)
        .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| rng.uniform(-1.0, 1.0))))
        .collect()
}

/// Their targets: a smooth function of the sequence (the mean of its first feature over the
/// last ten timesteps, plus half its last second feature), for the seed model to learn.
fn train_targets(xs: &[train::Input]) -> Vec<train::Target> {
    xs.iter()
        .map(|x| {
            let tail: f32 = x[40..].iter().map(|v| v[0]).sum();
            [tail / 10.0 + 0.5 * x[49][1]]
        })
        .collect()
}

fn le_bytes(weights: &[f32]) -> Vec<u8> {
    weights.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// `tinyrnn convert` on the seed model's Keras file, as a user would make the blob.
fn convert_seed() -> Vec<u8> {
    let keras =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/keras-files/seed_rnn2.keras");
    let out = std::env::temp_dir().join(format!("tinyrnn-firmware-{}.bin", std::process::id()));
    let run = Command::new(env!("CARGO_BIN_EXE_tinyrnn"))
        .arg("convert")
        .arg(&keras)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("the tinyrnn command runs");
    assert!(
        run.status.success(),
        "tinyrnn convert failed: {}",
        String::from_utf8_lossy(&run.stderr)
    );
    let blob = std::fs::read(&out).expect("convert wrote the blob");
    let _ = std::fs::remove_file(&out);
    blob
}

/// The host's outputs for one sequence: `step` at every timestep from a new state, then
/// `forward`, which must equal the last step bit for bit.
macro_rules! outputs {
    ($net:expr, $state:ty, $x:expr) => {{
        let (net, x) = (&$net, &$x);
        let mut state = <$state>::new();
        let steps = x.map(|xt| net.step(&mut state, &xt));
        let forward = net.forward(x);
        assert_bits("forward vs last step", &forward, &steps[steps.len() - 1]);
        (steps, forward)
    }};
}

/// `[a, b, c]`, each float as `{:?}` (shortest form that reads back to the same bits).
fn row(values: &[f32]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    format!("[{}]", items.join(", "))
}

/// A `[[f32; W]; T]` sequence, one timestep per line.
fn rows<const W: usize>(values: &[[f32; W]], indent: &str) -> String {
    let mut out = String::from("[\n");
    for v in values {
        let _ = writeln!(out, "{indent}    {},", row(v));
    }
    out + indent + "]"
}

/// `pub static NAME: TYPE = [ ... ];` with a doc comment.
fn item(out: &mut String, doc: &str, name: &str, ty: &str, items: &[String]) {
    let _ = writeln!(out, "/// {doc}");
    let _ = writeln!(out, "pub static {name}: {ty} = [");
    for i in items {
        let _ = writeln!(out, "    {i},");
    }
    out.push_str("];\n\n");
}

/// The weight blobs and the expected outputs, computed on this host.
struct Data {
    seed_blob: Vec<u8>,
    lstm_blob: Vec<u8>,
    conv_blob: Vec<u8>,
    expected: String,
}

fn data() -> Data {
    // The seed model: Keras's weights (through `tinyrnn convert`) and Keras's own cases.
    let fx = Fixture::load("seed_rnn2");
    let seed_blob = convert_seed();
    assert_eq!(
        seed_blob,
        le_bytes(&fx.weights),
        "convert wrote get_weights()"
    );
    let seed = Seed::from_le_slice(&seed_blob).expect("a blob of the seed model's size");
    assert_eq!(seed, Seed::from_flat(&fx.weights).unwrap());
    let seed_inputs: Vec<[[f32; 3]; 50]> = fx
        .cases
        .iter()
        .map(|c| {
            let rows: Vec<[f32; 3]> = common::sequence(&c.input);
            rows.try_into().expect("50 timesteps")
        })
        .collect();
    let keras: Vec<[f32; 1]> = fx
        .cases
        .iter()
        .map(|c| match &c.output {
            Output::Vector(v) => v.as_slice().try_into().expect("one unit"),
            Output::Sequence(_) => panic!("the seed model returns one vector"),
        })
        .collect();
    let seed_out: Vec<_> = seed_inputs
        .iter()
        .map(|x| outputs!(seed, SeedState, x))
        .collect();
    for (i, ((_, forward), want)) in seed_out.iter().zip(&keras).enumerate() {
        assert_close(&format!("seed case {i}"), forward, want);
    }

    // Training on the device: SGD steps of the seed model from Keras's weights.
    let train_inputs = train_inputs();
    let train_targets = train_targets(&train_inputs);
    let (xs, ys): (
        &[train::Input; train::SAMPLES],
        &[train::Target; train::SAMPLES],
    ) = (
        train_inputs.as_slice().try_into().expect("SAMPLES inputs"),
        train_targets
            .as_slice()
            .try_into()
            .expect("SAMPLES targets"),
    );
    let mut trained = seed.clone();
    let mut train_losses = [0.0_f32; train::STEPS];
    train::train(&mut trained, xs, ys, &mut train_losses, &mut ());
    let mut train_weights = [0.0_f32; Seed::PARAMS];
    trained.write_flat(&mut train_weights).unwrap();
    // The same as `fit` with these options, bit for bit: the firmware trains as `fit` does.
    let mut fitted = seed.clone();
    let history = tinyrnn::train::fit(
        &mut fitted,
        &train_inputs,
        &train_targets,
        &tinyrnn::train::FitOptions {
            loss: train::LOSS,
            optimizer: train::OPTIMIZER,
            epochs: 1,
            batch_size: train::BATCH,
            shuffle: false,
            verbose: false,
            ..Default::default()
        },
    );
    let mut fitted_weights = [0.0_f32; Seed::PARAMS];
    fitted.write_flat(&mut fitted_weights).unwrap();
    assert_eq!(
        train_weights.map(f32::to_bits),
        fitted_weights.map(f32::to_bits),
        "train.rs's weights {train_weights:?} vs fit's {fitted_weights:?}"
    );
    #[allow(clippy::cast_precision_loss, reason = "a few steps")]
    let mean_loss = train_losses.iter().sum::<f32>() / train::STEPS as f32;
    assert_close("train.rs's mean loss vs fit's", &[mean_loss], &history.loss);
    assert!(
        train_losses[train::STEPS - 1] < train_losses[0],
        "training lowers the loss: {train_losses:?}"
    );

    // The lstm(16) model: deterministic weights and inputs.
    let lstm_blob = le_bytes(&lstm_weights());
    let lstm = Lstm16::from_le_slice(&lstm_blob).expect("a blob of the lstm model's size");
    let lstm_inputs = lstm_inputs();
    let lstm_out: Vec<_> = lstm_inputs
        .iter()
        .map(|x| outputs!(lstm, Lstm16State, x))
        .collect();

    // The conv + GRU model: deterministic weights and inputs.
    let conv_blob = le_bytes(&conv_weights());
    let conv = ConvGru::from_le_slice(&conv_blob).expect("a blob of the conv model's size");
    let conv_inputs = conv_inputs();
    let conv_out: Vec<_> = conv_inputs
        .iter()
        .map(|x| outputs!(conv, ConvGruState, x))
        .collect();

    let mut text = String::from(
        "// @generated by tests/firmware.rs (`cargo test --test firmware`): the host's outputs\n\
         // that examples/firmware checks itself against.\n\n",
    );
    let n = seed_inputs.len();
    let sequences =
        |xs: &[[[f32; 3]; 50]]| -> Vec<String> { xs.iter().map(|x| rows(x, "    ")).collect() };
    item(
        &mut text,
        "The seed model's inputs: Keras's test cases (tests/fixtures/keras/seed_rnn2.json).",
        "SEED_INPUTS",
        &format!("[[[f32; 3]; 50]; {n}]"),
        &sequences(&seed_inputs),
    );
    item(
        &mut text,
        "The host's `Seed::step` output at every timestep, from a new state.",
        "SEED_STEPS",
        &format!("[[[f32; 1]; 50]; {n}]"),
        &seed_out
            .iter()
            .map(|(s, _)| rows(s, "    "))
            .collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's `Seed::forward` output.",
        "SEED_FORWARD",
        &format!("[[f32; 1]; {n}]"),
        &seed_out.iter().map(|(_, f)| row(f)).collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "Keras's own output for the same weights and inputs.",
        "SEED_KERAS",
        &format!("[[f32; 1]; {n}]"),
        &keras.iter().map(|k| row(k)).collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The lstm(16) model's inputs: deterministic values in [-2, 2).",
        "LSTM_INPUTS",
        &format!("[[[f32; 4]; 20]; {LSTM_SEQUENCES}]"),
        &lstm_inputs
            .iter()
            .map(|x| rows(x, "    "))
            .collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's `Lstm16::step` output at every timestep, from a new state.",
        "LSTM_STEPS",
        &format!("[[[f32; 1]; 20]; {LSTM_SEQUENCES}]"),
        &lstm_out
            .iter()
            .map(|(s, _)| rows(s, "    "))
            .collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's `Lstm16::forward` output.",
        "LSTM_FORWARD",
        &format!("[[f32; 1]; {LSTM_SEQUENCES}]"),
        &lstm_out.iter().map(|(_, f)| row(f)).collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The conv + GRU model's inputs: deterministic samples in [-1, 1).",
        "CONV_INPUTS",
        &format!("[[[f32; 1]; 32]; {CONV_SEQUENCES}]"),
        &conv_inputs
            .iter()
            .map(|x| rows(x, "    "))
            .collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's `ConvGru::step` output at every sample, from a new state.",
        "CONV_STEPS",
        &format!("[[[f32; 1]; 32]; {CONV_SEQUENCES}]"),
        &conv_out
            .iter()
            .map(|(s, _)| rows(s, "    "))
            .collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's `ConvGru::forward` output.",
        "CONV_FORWARD",
        &format!("[[f32; 1]; {CONV_SEQUENCES}]"),
        &conv_out.iter().map(|(_, f)| row(f)).collect::<Vec<_>>(),
    );
    let samples = train::SAMPLES;
    item(
        &mut text,
        "The training samples' inputs: deterministic values in [-1, 1).",
        "TRAIN_INPUTS",
        &format!("[[[f32; 3]; 50]; {samples}]"),
        &sequences(&train_inputs),
    );
    item(
        &mut text,
        "The training samples' targets.",
        "TRAIN_TARGETS",
        &format!("[[f32; 1]; {samples}]"),
        &train_targets.iter().map(|y| row(y)).collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's loss at each training step (its batch's, before its update).",
        "TRAIN_LOSSES",
        &format!("[f32; {}]", train::STEPS),
        &train_losses
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>(),
    );
    item(
        &mut text,
        "The host's weights after the training steps, in `write_flat` order.",
        "TRAIN_WEIGHTS",
        &format!("[f32; {}]", Seed::PARAMS),
        &train_weights
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>(),
    );
    let text = text.trim_end().to_owned() + "\n";

    Data {
        seed_blob,
        lstm_blob,
        conv_blob,
        expected: text,
    }
}

#[test]
fn firmware_blobs_and_expected_outputs() {
    let data = data();
    // The blobs are checked in: the firmware's `from_le_bytes(include_bytes!(...))`.
    let bless = std::env::var_os("TINYRNN_BLESS").is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for (name, bytes) in [
        ("seed_rnn2.bin", &data.seed_blob),
        ("lstm16.bin", &data.lstm_blob),
        ("conv_gru.bin", &data.conv_blob),
    ] {
        let path = root().join("tests/fixtures/firmware").join(name);
        if bless {
            std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        } else if std::fs::read(&path).ok().as_ref() != Some(bytes) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "tests/fixtures/firmware/{stale:?} differ from the weights the host makes; if that is \
         intended, rewrite them with `TINYRNN_BLESS=1 cargo test --test firmware`"
    );
    // The expected outputs are written for the firmware's build, through a temporary file so
    // that a concurrent build never reads half a file.
    let path = expected_path();
    let dir = path.parent().expect("a file in a directory");
    std::fs::create_dir_all(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let tmp = path.with_extension(format!("rs.{}", std::process::id()));
    std::fs::write(&tmp, &data.expected).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    std::fs::rename(&tmp, &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

#[test]
fn expected_values_read_back_to_the_same_bits() {
    // The firmware compares against exactly what the host computed: a float printed with
    // `{:?}` parses back to the same bits, as Rust parses the literal in expected.rs.
    for v in lstm_weights()
        .into_iter()
        .chain([1e-7, -0.0, 3.402_823_5e38, 1.0e-40])
    {
        let text = format!("{v:?}");
        assert_eq!(
            text.parse::<f32>().unwrap().to_bits(),
            v.to_bits(),
            "{text}"
        );
    }
}
