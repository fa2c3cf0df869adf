//! Keras weight files: damaged and mismatched files give errors that say what was expected
//! and found; `weights = "..."` embeds a file at compile time; the `tinyrnn` command
//! inspects and converts. (Loading every fixture file into its model is in tests/keras.rs.)

mod common;

use common::{Fixture, KERAS_FILE_CASES, tinyrnn};
use std::path::{Path, PathBuf};
use tinyrnn::LoadError;

tinyrnn::model! {
    /// The seed model, with the Keras weights embedded at compile time.
    pub struct Seed;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    weights = "tests/fixtures/keras-files/seed_rnn2.keras";
}

tinyrnn::model! {
    /// The seed architecture with another activation than the file's.
    pub struct SeedRelu;
    input [50, 3];
    simple_rnn(2, activation = relu);
    dense(1);
}

// In flash (read-only memory), built by the compiler from the .keras file.
static SEED: Seed = Seed::WEIGHTS;

// The same weights from the blob `tinyrnn convert seed_rnn2.keras -o seed_rnn2.bin` wrote.
static FROM_BLOB: Seed = Seed::from_le_bytes(include_bytes!("fixtures/bin/seed_rnn2.bin"));

fn file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/keras-files")
        .join(name)
}

fn load_err(name: &str) -> String {
    let err = Seed::from_keras_file(file(name)).expect_err(name);
    err.to_string()
}

#[test]
fn embedded_weights_are_the_files() {
    let fx = Fixture::load("seed_rnn2");
    assert_eq!(SEED, Seed::from_flat(&fx.weights).unwrap());
    assert_eq!(
        Seed::WEIGHTS,
        Seed::from_keras_file(file("seed_rnn2.keras")).unwrap()
    );
}

#[test]
fn convert_blob_builds_the_model_in_a_static() {
    assert_eq!(FROM_BLOB, SEED);
    // The checked-in blob is what `convert` writes today.
    let out = std::env::temp_dir().join(format!("tinyrnn-blob-{}.bin", std::process::id()));
    let (code, _, stderr) = tinyrnn(&[
        "convert",
        file("seed_rnn2.keras").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    assert_eq!(&written[..], include_bytes!("fixtures/bin/seed_rnn2.bin"));
}

#[test]
fn every_fixture_file_is_loaded_by_the_keras_tests() {
    let files: usize = KERAS_FILE_CASES
        .iter()
        .map(|case| Fixture::load(case).weight_files().len())
        .sum();
    assert_eq!(
        files,
        3 * KERAS_FILE_CASES.len(),
        "every case as .keras, .weights.h5 and .h5"
    );
}

#[test]
fn from_bytes_equals_from_file() {
    let bytes = std::fs::read(file("seed_rnn2.h5")).unwrap();
    assert_eq!(Seed::from_keras_bytes(&bytes).unwrap(), SEED);
}

#[test]
fn damaged_files_are_errors() {
    let cases = [
        (
            "broken/empty.keras",
            "not a Keras file: expected a `.keras` zip or an HDF5 `.h5`, found an empty file",
        ),
        ("broken/empty.h5", "found an empty file"),
        ("broken/png_renamed.keras", "found a PNG image"),
        ("broken/text_renamed.h5", "found a file starting with `This"),
        (
            "broken/truncated.keras",
            "damaged `.keras` file: not a readable zip archive",
        ),
        ("broken/truncated.h5", "damaged or unexpected HDF5 data"),
        (
            "broken/missing_weights.keras",
            "no `model.weights.h5` in the archive; it has [metadata.json, config.json]",
        ),
        (
            "broken/bad_config_json.keras",
            "model config: the model config is not JSON",
        ),
    ];
    for (name, want) in cases {
        let got = load_err(name);
        assert!(
            got.contains(want),
            "{name}: got {got:?}, want it to contain {want:?}"
        );
    }
    let missing = Seed::from_keras_file(file("no/such/file.keras")).unwrap_err();
    assert!(matches!(missing, LoadError::Io { .. }), "{missing:?}");
}

#[test]
fn another_architecture_names_both() {
    assert_eq!(
        load_err("gru_basic.keras"),
        "the file's layers differ from the model's: expected [simple_rnn (SimpleRNN), dense (Dense)], found [gru (GRU), dense (Dense)]"
    );
    assert!(load_err("gru_basic.h5").contains("found [gru (GRU), dense (Dense)]"));
}

#[test]
fn wrong_shapes_name_layer_weight_and_both_shapes() {
    // Same layer names, other sizes: SimpleRNN(4) and Dense(2).
    assert_eq!(
        load_err("var_len.weights.h5"),
        "layer `simple_rnn`, weight `kernel`: expected shape (3, 2), found (3, 4)"
    );
    assert_eq!(
        load_err("broken/shape_mismatch.keras"),
        "layer `simple_rnn`, weight `kernel`: expected shape (3, 2), found (3, 4)"
    );
    assert!(
        load_err("lstm_stacked.weights.h5")
            .starts_with("layer `simple_rnn` has no weights in the file; the file has [")
    );
}

#[test]
fn a_different_activation_is_an_error_not_wrong_numbers() {
    let err = SeedRelu::from_keras_file(file("seed_rnn2.keras")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "layer `simple_rnn`: `activation` differs: expected `relu`, found `tanh` in the file"
    );
    // A weights-only file has no config to compare: shapes are all it can check.
    assert!(SeedRelu::from_keras_file(file("seed_rnn2.weights.h5")).is_ok());
}

#[test]
fn inspect_prints_the_dsl_the_tests_compile() {
    for case in KERAS_FILE_CASES {
        let fx = Fixture::load(case);
        for ext in ["keras", "h5"] {
            let path = file(&format!("{case}.{ext}"));
            // The summary's table is Keras's, row for row.
            common::assert_inspect_prints(path.to_str().unwrap(), &fx, true);
        }
    }
}

#[test]
fn convert_writes_get_weights_as_little_endian_f32() {
    let fx = Fixture::load("bidirectional_modes");
    let out = std::env::temp_dir().join(format!("tinyrnn-convert-{}.bin", std::process::id()));
    let (code, stdout, stderr) = tinyrnn(&[
        "convert",
        file("bidirectional_modes.keras").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        format!("wrote 251 weights (1004 bytes) to {}\n", out.display())
    );
    let bytes = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let want: Vec<u8> = fx.weights.iter().flat_map(|w| w.to_le_bytes()).collect();
    assert_eq!(bytes, want);
}

#[test]
fn command_errors_are_one_line_and_never_panic() {
    for args in [
        vec!["inspect", "tests/fixtures/keras-files/broken/truncated.h5"],
        vec![
            "inspect",
            "tests/fixtures/keras-files/broken/png_renamed.keras",
        ],
        vec!["inspect", "tests/fixtures/keras-files/seed_rnn2.weights.h5"],
        vec![
            "convert",
            "tests/fixtures/keras-files/broken/shape_mismatch.keras",
            "-o",
            "/dev/null",
        ],
        vec!["inspect", "no/such.keras"],
    ] {
        let (code, stdout, stderr) = tinyrnn(&args);
        assert_eq!(code, 1, "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.starts_with("tinyrnn: error: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
    let (code, _, stderr) = tinyrnn(&["frobnicate", "x"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("tinyrnn: unknown command `frobnicate`"),
        "{stderr}"
    );
}
