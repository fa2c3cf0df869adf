//! Keras files as users have them (`tools/gen_keras_notebook.py`): saved from a process that
//! built other models first, so that Keras's layer names carry suffixes (`lstm_4`,
//! `dense_9`) while Keras 3 stores weights under names of its own (`layers/lstm`,
//! `layers/dense`); Sequential and Functional; with dropout and regularizers left in; as
//! `.keras`, `.weights.h5`, Keras 3's legacy `.h5` and tf_keras 2's `.h5`.
//!
//! For each: every file loads to exactly `get_weights()`, the model gives Keras's outputs,
//! `tinyrnn inspect` prints the `model!` declared here and Keras's own summary table, and
//! `weights = "..."` embeds such a file. Models that are not chains, and hostile configs,
//! are errors that say why.

#[macro_use]
mod common;

use common::{Fixture, Output, assert_bits, assert_close, sequence};
use serde_json::Value;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keras-notebook");

/// The files saved of each model, and whether they hold a config.
const FILES: [(&str, bool); 4] = [
    ("keras", true),
    ("weights.h5", false),
    ("h5", true),
    ("tf_keras.h5", true),
];

fn json(name: &str) -> Value {
    let path = format!("{DIR}/{name}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// One case, saved as a Sequential and as a Functional model: declares its model once and
/// checks both.
macro_rules! notebook_case {
    ($case:ident, $run:ident, $stream:ident, { $($dsl:tt)* }) => {
        mod $case {
            use super::*;

            tinyrnn::model! { pub struct Net; $($dsl)* }

            #[test]
            fn sequential_and_functional_files_load_and_match_keras() {
                for kind in ["sequential", "functional"] {
                    let name = format!("{}_{kind}", stringify!($case));
                    let fx = Fixture::load_path(&format!("{DIR}/{name}.json"));
                    fx.assert_dsl(stringify!($($dsl)*));
                    assert_eq!(Net::PARAMS, fx.total_params, "{name}");
                    let want: Vec<usize> = fx.layers.iter().map(|l| l.params).collect();
                    assert_eq!(Net::LAYER_PARAMS.to_vec(), want, "{name}");
                    let net = Net::from_flat(&fx.weights).expect("fixture weights load");
                    for (ext, _) in FILES {
                        let path = format!("{DIR}/{name}.{ext}");
                        let loaded =
                            Net::from_keras_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                        assert_eq!(loaded, net, "{path}: weights differ from get_weights()");
                        let bytes = std::fs::read(&path).unwrap();
                        assert_eq!(Net::from_keras_bytes(&bytes).as_ref(), Ok(&net), "{path}");
                    }
                    for (i, case) in fx.cases.iter().enumerate() {
                        let what = format!("{name} case {i}");
                        let x = sequence::<{ Net::FEATURES }>(&case.input);
                        run!($run, $stream, net, x, &case.output, &what);
                    }
                }
            }
        }
    };
}

notebook_case!(rnn, fixed_vector, stream, {
    input [12, 3]; simple_rnn(5, return_sequences = true); simple_rnn(4); dense(2);
});
notebook_case!(lstm, fixed_vector, stream, {
    input [10, 4];
    lstm(6, return_sequences = true);
    dropout(0.2);
    lstm(3);
    dense(1, activation = sigmoid);
});
notebook_case!(gru, any_vector, stream, {
    input [_, 3];
    gru(5, return_sequences = true);
    gru(3, reset_after = false);
    dense(2, activation = softmax);
});
notebook_case!(bidirectional, fixed_vector, no_stream, {
    input [8, 3];
    bidirectional(lstm(4, return_sequences = true));
    bidirectional(simple_rnn(3, return_sequences = true), merge_mode = mul);
    bidirectional(gru(3), merge_mode = sum);
    dense(1);
});
notebook_case!(noise, fixed_vector, stream, {
    input [10, 3];
    dense(4, activation = relu);
    spatial_dropout1d(0.1);
    gaussian_noise(0.1);
    lstm(4, return_sequences = true);
    gaussian_dropout(0.2);
    alpha_dropout(0.1);
    dropout(0.3);
    simple_rnn(3);
    dense(2, activation = tanh);
    dense(1);
});

tinyrnn::model! {
    /// A Functional model with suffixed names, embedded at compile time.
    pub struct Embedded;
    input [10, 4];
    lstm(6, return_sequences = true);
    dropout(0.2);
    lstm(3);
    dense(1, activation = sigmoid);
    weights = "tests/fixtures/keras-notebook/lstm_functional.keras";
}

#[test]
fn weights_in_model_read_a_functional_file_at_compile_time() {
    let fx = Fixture::load_path(&format!("{DIR}/lstm_functional.json"));
    assert_eq!(Embedded::WEIGHTS, Embedded::from_flat(&fx.weights).unwrap());
}

fn models() -> Vec<String> {
    json("MANIFEST")["models"]
        .as_array()
        .expect("models")
        .iter()
        .map(|m| m.as_str().expect("a name").to_owned())
        .collect()
}

#[test]
fn the_fixtures_are_what_they_claim() {
    let models = models();
    assert_eq!(models.len(), 10, "5 cases x (Sequential, Functional)");
    for name in &models {
        let fx = json(name);
        let class = if name.ends_with("_functional") {
            "Functional"
        } else {
            "Sequential"
        };
        assert_eq!(fx["model_class"], class, "{name}");
        // Built after other models: Keras's names are not the ones a fresh process gives.
        let names = fx["keras_names"].as_array().unwrap();
        assert!(
            names.iter().all(|n| n.as_str().unwrap().contains('_')),
            "{name}: {names:?}"
        );
    }
}

#[test]
fn weight_groups_are_named_as_keras_3_names_them() {
    for name in models() {
        let fx = json(&name);
        let mut classes: Vec<&str> = Vec::new();
        if !fx["input_layer"].is_null() {
            classes.push("InputLayer");
        }
        classes.extend(
            fx["layers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["class"].as_str().unwrap()),
        );
        let mut ours = tinyrnn::keras::saving_names(classes);
        ours.sort();
        let keras: Vec<&str> = fx["weight_groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap())
            .collect();
        assert_eq!(ours, keras, "{name}");
    }
}

#[test]
fn snake_case_is_keras_s_for_every_layer_class() {
    let table = json("snake_case");
    let table = table.as_object().unwrap();
    assert!(table.len() > 100, "every class of keras.layers");
    for (class, want) in table {
        assert_eq!(
            tinyrnn::keras::to_snake_case(class),
            want.as_str().unwrap(),
            "{class}"
        );
    }
}

#[test]
fn inspect_prints_the_model_and_keras_s_summary() {
    for name in models() {
        let fx = Fixture::load_path(&format!("{DIR}/{name}.json"));
        for (ext, config) in FILES {
            if config {
                // Keras 3 wrote all but the tf_keras file: its summary's rows, InputLayer and
                // suffixes included.
                let path = format!("{DIR}/{name}.{ext}");
                common::assert_inspect_prints(&path, &fx, ext != "tf_keras.h5");
            }
        }
    }
}

/// The error of loading `file` into a model of the `lstm` case, and of inspecting it.
fn errors(file: &str) -> (String, String) {
    let path = format!("{DIR}/{file}");
    let load = lstm::Net::from_keras_file(&path)
        .expect_err(file)
        .to_string();
    let (code, stdout, stderr) = common::tinyrnn(&["inspect", &path]);
    assert_eq!(code, 1, "{file}: {stdout}{stderr}");
    assert!(stdout.is_empty(), "{file}: {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{file}: {stderr}");
    assert!(!stderr.contains("panicked"), "{file}: {stderr}");
    (load, stderr.trim_end().to_owned())
}

#[test]
fn what_is_not_a_chain_is_an_error_that_says_why() {
    let cases = [
        (
            "not-chains/merge.keras",
            "model config: layer `add` takes 2 inputs (`dense_20`, `dense_21`): the model merges branches; tinyrnn reads chains of one-input layers",
        ),
        (
            "not-chains/merge.tf_keras.h5",
            "model config: layer `add` takes 2 inputs (`dense_20`, `dense_21`): the model merges branches; tinyrnn reads chains of one-input layers",
        ),
        (
            "not-chains/two_inputs.keras",
            "model config: the model has 2 inputs (`input_layer_17`, `input_layer_18`); tinyrnn reads models with one input",
        ),
        (
            "not-chains/two_outputs.keras",
            "model config: the model has 2 outputs (`dense_23`, `dense_24`); tinyrnn reads models with one output",
        ),
        (
            "not-chains/shared_layer.keras",
            "model config: layer `dense_25` is called 2 times (a shared layer); tinyrnn reads models whose layers are each called once",
        ),
    ];
    for (file, want) in cases {
        let (load, inspect) = errors(file);
        assert_eq!(load, want, "{file}");
        assert_eq!(inspect, format!("tinyrnn: error: {want}"), "{file}");
    }
    // A model inside the model is a chain of two layers whose first is a whole model.
    let (_, inspect) = errors("not-chains/nested_model.keras");
    assert_eq!(
        inspect,
        "tinyrnn: error: the model uses what tinyrnn cannot run yet: `sequential_10`: a whole model (`Sequential`) used as a layer is not supported; build the outer model from the inner model's layers"
    );
}

#[test]
fn hostile_configs_are_errors_never_hangs() {
    let cases = [
        ("cycle.keras", "the layers form a cycle through `dense_9`"),
        (
            "missing_layer.keras",
            "layer `dropout_2` reads `no_such_layer`, which is not a layer of the model",
        ),
        (
            "missing_output.keras",
            "the model's output is `no_such_layer`, which is not a layer of the model",
        ),
        (
            "unconnected.keras",
            "layer `lstm_4` is never called on a tensor of the model",
        ),
        (
            "deep_nesting.keras",
            "the model config is not JSON: recursion limit exceeded",
        ),
        (
            "duplicate_name.keras",
            "two layers of the Functional config are named `dense_9`",
        ),
    ];
    for (file, want) in cases {
        let (load, inspect) = errors(&format!("hostile/{file}"));
        assert!(
            load.starts_with(&format!("model config: {want}")),
            "{file}: {load}"
        );
        assert!(inspect.contains(want), "{file}: {inspect}");
    }
    let listed = json("MANIFEST")["hostile"].as_array().unwrap().len();
    assert_eq!(listed, cases.len(), "every hostile file is tested");
    assert!(Path::new(DIR).join("hostile").is_dir());
}

/// Keras 3 records how `Masking` and `Embedding(mask_zero=True)` compute their mask as
/// operations of their own (`NotEqual`, `Any`) passed to the LSTM as `mask=`. The graph is
/// still a chain, and these models load: the mask is the one their first layer makes.
/// (Their outputs against Keras's are in `tests/examples.rs`: `sensor_masking`,
/// `text_classification_masked`.)
#[test]
fn masks_keras_records_as_operations_do_not_break_the_chain() {
    tinyrnn::model! {
        struct Masked;
        input [5, 3];
        masking();
        lstm(3);
        dense(1);
    }
    tinyrnn::model! {
        struct Ids;
        input [_];
        embedding(10, 4, mask_zero = true);
        lstm(3);
        dense(1);
    }
    let cases = [
        (
            "masked/masking.keras",
            "input [5, 3]; masking(); lstm(3); dense(1);",
        ),
        (
            "masked/embedding_mask_zero.keras",
            "input [_]; embedding(10, 4, mask_zero = true); lstm(3); dense(1);",
        ),
    ];
    for (file, dsl) in cases {
        let path = format!("{DIR}/{file}");
        let (code, stdout, stderr) = common::tinyrnn(&["inspect", &path]);
        assert_eq!(code, 0, "{file}: {stderr}");
        assert_eq!(
            common::canonical_dsl(&common::inspected_dsl(&stdout)),
            common::canonical_dsl(dsl),
            "{file}:\n{stdout}"
        );
    }
    let masked = Masked::from_keras_file(format!("{DIR}/masked/masking.keras")).unwrap();
    let ids = Ids::from_keras_file(format!("{DIR}/masked/embedding_mask_zero.keras")).unwrap();
    // A masked timestep changes nothing: the same output as without it.
    let x = [
        [0.5, -1.0, 2.0],
        [0.0; 3],
        [1.0, 0.0, -0.5],
        [0.0; 3],
        [0.0; 3],
    ];
    let y = [
        [0.5, -1.0, 2.0],
        [1.0, 0.0, -0.5],
        [0.0; 3],
        [0.0; 3],
        [0.0; 3],
    ];
    assert_eq!(masked.forward(&x), masked.forward(&y));
    assert_eq!(ids.forward(&[3, 0, 7, 0]), ids.forward(&[3, 7]));
    assert_ne!(ids.forward(&[3, 7]), ids.forward(&[7, 3]));
}
