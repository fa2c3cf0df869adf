//! The architectures of Keras's own examples and common tutorials
//! (`tools/gen_keras_examples.py`, `tests/fixtures/keras-examples/`), as a user brings them:
//! each `.keras` file, saved from a notebook after other models, loads into the `model!`
//! declared here (the one `tinyrnn inspect` prints for it) and reproduces Keras's outputs;
//! `step` equals `forward` bit for bit where the model streams; `inspect` prints the
//! declaration and, for the Sequential models, Keras's own summary rows.

#[macro_use]
mod common;

use common::{assert_bits, assert_close, json_floats as floats};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/keras-examples");

fn fixture(name: &str) -> Value {
    let path = format!("{DIR}/{name}.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn ids(v: &Value) -> Vec<u32> {
    v.as_array()
        .expect("token ids")
        .iter()
        .map(|id| u32::try_from(id.as_u64().expect("an id")).expect("a u32 id"))
        .collect()
}

fn rows<const F: usize>(v: &Value) -> Vec<[f32; F]> {
    v.as_array()
        .expect("timesteps")
        .iter()
        .map(|row| floats(row).try_into().expect("a timestep of F features"))
        .collect()
}

/// An output of `forward`, one vector or one per timestep, as one list.
trait Flat {
    fn flat(&self) -> Vec<f32>;
}
impl<const U: usize> Flat for [f32; U] {
    fn flat(&self) -> Vec<f32> {
        self.to_vec()
    }
}
impl<const U: usize, const T: usize> Flat for [[f32; U]; T] {
    fn flat(&self) -> Vec<f32> {
        self.concat()
    }
}
fn flat(v: &impl Flat) -> Vec<f32> {
    v.flat()
}

/// The model's outputs for `x` from `forward`, flattened.
macro_rules! outputs {
    (fixed, $net:ident, $x:expr) => {{
        const T: usize = match Net::TIMESTEPS {
            Some(t) => t,
            None => 0,
        };
        let x: [_; T] = $x.clone().try_into().expect("the fixture's length");
        flat(&$net.forward(&x))
    }};
    (any_vector, $net:ident, $x:expr) => {
        $net.forward(&$x).to_vec()
    };
    (any_sequence, $net:ident, $x:expr) => {{
        let mut out = vec![[0.0; Net::OUTPUT_UNITS]; $x.len()];
        $net.forward(&$x, &mut out)
            .expect("one output per timestep");
        out.concat()
    }};
}

/// One architecture: its `model!` and the checks above.
macro_rules! example {
    ($name:ident, $input:ident, $len:ident, $stream:ident, { $($dsl:tt)* }) => {
        mod $name {
            use super::*;

            tinyrnn::model! { pub struct Net; $($dsl)* }

            #[test]
            fn loads_and_matches_keras() {
                let name = stringify!($name);
                let fx = fixture(name);
                let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                assert_eq!(
                    squash(stringify!($($dsl)*)),
                    squash(fx["dsl"].as_str().unwrap()),
                    "{name}: the test's model! differs from the fixture's"
                );
                assert_eq!(Some(Net::PARAMS as u64), fx["total_params"].as_u64(), "{name}");
                let want: Vec<u64> = fx["layers"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["params"].as_u64().unwrap())
                    .collect();
                let ours: Vec<u64> = Net::LAYER_PARAMS.iter().map(|&p| p as u64).collect();
                assert_eq!(ours, want, "{name}: per-layer params");
                assert_eq!(
                    Some(Net::summary().non_trainable_params() as u64),
                    fx["non_trainable_params"].as_u64(),
                    "{name}: non-trainable params"
                );
                assert_eq!(core::mem::size_of::<Net>(), 4 * Net::PARAMS);
                let path = format!("{DIR}/{name}.keras");
                let net = Net::from_keras_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                assert_eq!(Net::from_flat(&floats(&fx["weights"])), Ok(net.clone()), "{name}");
                assert_eq!(net.to_flat(), floats(&fx["weights"]), "{name}: to_flat");
                for (i, case) in fx["cases"].as_array().unwrap().iter().enumerate() {
                    let what = format!("{name} case {i}");
                    let x = example!(@input $input, &case["input"]);
                    let got = outputs!($len, net, x);
                    assert_close(&what, &got, &floats(&case["output"]));
                    example!(@stream $stream, net, x, got, &what);
                }
            }
        }
    };
    (@input tokens, $v:expr) => { ids($v) };
    (@input features, $v:expr) => { rows::<{ Net::FEATURES }>($v) };
    (@stream stream, $net:ident, $x:ident, $got:ident, $what:expr) => {{
        let mut state = NetState::new();
        let steps: Vec<[f32; Net::OUTPUT_UNITS]> =
            $x.iter().map(|xt| $net.step(&mut state, example!(@one xt))).collect();
        if Net::RETURNS_SEQUENCES {
            assert_bits($what, &steps.concat(), &$got);
        } else {
            assert_bits($what, steps.last().expect("a step"), &$got);
        }
    }};
    (@stream no_stream, $net:ident, $x:ident, $got:ident, $what:expr) => {{
        let _ = (&$net, &$x, &$got, $what);
    }};
    (@one $xt:ident) => { StepInput::step_input($xt) };
}

/// `step` takes a token id by value and a timestep of features by reference.
trait StepInput<'a> {
    type Arg;
    fn step_input(&'a self) -> Self::Arg;
}
impl StepInput<'_> for u32 {
    type Arg = u32;
    fn step_input(&self) -> u32 {
        *self
    }
}
impl<'a, const F: usize> StepInput<'a> for [f32; F] {
    type Arg = &'a [f32; F];
    fn step_input(&'a self) -> &'a [f32; F] {
        self
    }
}

example!(weather_forecasting, features, fixed, stream, {
    input [12, 7];
    lstm(32);
    dense(1);
});
example!(imdb_bidirectional_lstm, tokens, fixed, no_stream, {
    input[12];
    embedding(200, 8);
    bidirectional(lstm(8, return_sequences = true));
    bidirectional(lstm(8));
    dense(1, activation = sigmoid);
});
example!(char_text_generation, features, fixed, stream, {
    input [10, 20];
    lstm(16);
    dense(20, activation = softmax);
});
example!(keyword_spotting, features, fixed, stream, {
    input [16, 10];
    normalization();
    gru(16);
    dense(4, activation = softmax);
});
example!(activity_recognition, features, fixed, stream, {
    input [16, 9];
    lstm(16);
    dropout(0.5);
    dense(16, activation = relu);
    dense(6, activation = softmax);
});
example!(text_classification_masked, tokens, any_vector, stream, {
    input[_];
    embedding(100, 8, mask_zero = true);
    gru(8);
    dense(1, activation = sigmoid);
});
example!(sensor_masking, features, fixed, stream, {
    input [10, 3];
    masking();
    lstm(8);
    dense(1);
});
example!(stacked_gru_layernorm, features, fixed, stream, {
    input [12, 4];
    gru(8, return_sequences = true);
    layer_normalization();
    gru(8);
    dense(3, activation = softmax);
});
example!(number_addition, features, fixed, no_stream, {
    input [7, 12];
    lstm(16);
    repeat_vector(4);
    lstm(16, return_sequences = true);
    dense(12, activation = softmax);
});
example!(lstm_autoencoder, features, fixed, no_stream, {
    input [10, 3];
    lstm(8);
    repeat_vector(10);
    lstm(8, return_sequences = true);
    time_distributed(dense(3));
});
example!(lstm_flatten_batchnorm, features, fixed, no_stream, {
    input [8, 4];
    lstm(8, return_sequences = true);
    batch_normalization();
    flatten();
    dense(1);
});
example!(prelu_head, features, fixed, stream, {
    input [6, 5];
    simple_rnn(8);
    dense(8);
    prelu();
    dense(2);
});
// Convolutional front ends (issue 15): keras.io's FCN classifier (BatchNormalization with
// moving statistics away from their init), a CNN-LSTM whose valid convolutions and pooling
// shrink the sequence, and a causal dilated audio model of any length, which streams.
example!(fcn_classifier, features, fixed, no_stream, {
    input [24, 1];
    conv1d(8, 3, padding = same);
    batch_normalization();
    relu();
    conv1d(8, 3, padding = same);
    batch_normalization();
    relu();
    conv1d(8, 3, padding = same);
    batch_normalization();
    relu();
    global_average_pooling1d();
    dense(2, activation = softmax);
});
example!(cnn_lstm_activity, features, fixed, no_stream, {
    input [32, 9];
    conv1d(16, 3, activation = relu);
    conv1d(16, 3, activation = relu);
    dropout(0.5);
    max_pooling1d(2);
    lstm(16);
    dense(16, activation = relu);
    dense(6, activation = softmax);
});
example!(audio_causal_gru, features, any_sequence, stream, {
    input [_, 1];
    conv1d(8, 3, padding = causal, activation = tanh);
    conv1d(8, 3, padding = causal, dilation_rate = 2, activation = tanh);
    conv1d(8, 3, padding = causal, dilation_rate = 4);
    gru(8, return_sequences = true);
    dense(1);
});
// Not examples: masks end at a convolution, which Keras 3 does not pass them through (the
// LSTM here reads every timestep), a causal one included (which still streams).
example!(masking_conv_lstm, features, fixed, no_stream, {
    input [8, 3];
    masking();
    conv1d(4, 3, padding = same, activation = relu);
    lstm(3);
    dense(1);
});
example!(masked_causal_conv, tokens, any_sequence, stream, {
    input[_];
    embedding(30, 4, mask_zero = true);
    conv1d(4, 2, padding = causal, dilation_rate = 2);
    gru(3, return_sequences = true);
});
// Not examples: the one pooling that reads a mask, Keras's `GlobalAveragePooling1D`, averages
// the kept timesteps only.
example!(masked_global_average, tokens, fixed, no_stream, {
    input[10];
    embedding(50, 6, mask_zero = true);
    global_average_pooling1d();
    dense(8, activation = relu);
    dense(1, activation = sigmoid);
});
example!(masking_lstm_average, features, fixed, no_stream, {
    input [8, 3];
    masking();
    lstm(4, return_sequences = true);
    global_average_pooling1d();
    dense(2);
});
// Not examples: Keras's masks where they travel furthest (through recurrent layers that
// return sequences, which repeat their last output at a masked timestep, and the layers
// between them), with `step` bit for bit equal to `forward`.
example!(masks_through_sequences, tokens, any_sequence, stream, {
    input[_];
    embedding(30, 4, mask_zero = true);
    simple_rnn(5, return_sequences = true);
    dense(3, activation = tanh);
    gru(2, return_sequences = true);
});
example!(masking_value_chain, features, fixed, stream, {
    input [9, 3];
    masking(mask_value = 0.5);
    dense(4, activation = relu);
    dropout(0.2);
    lstm(3, return_sequences = true);
    lstm(2);
});
example!(masked_bidirectional, tokens, fixed, no_stream, {
    input[10];
    embedding(40, 4, mask_zero = true);
    bidirectional(lstm(3, return_sequences = true));
    gru(2);
    dense(1);
});
example!(masking_bidirectional_last, features, fixed, no_stream, {
    input [8, 3];
    masking();
    bidirectional(gru(3), merge_mode = sum);
    dense(2);
});
example!(masked_go_backwards, tokens, fixed, no_stream, {
    input[10];
    embedding(30, 4, mask_zero = true);
    simple_rnn(4, go_backwards = true, return_sequences = true);
    lstm(3);
    dense(1);
});
example!(masked_time_distributed, tokens, any_vector, stream, {
    input[_];
    embedding(30, 4, mask_zero = true);
    time_distributed(dense(4));
    gru(3);
    dense(1);
});

/// `tinyrnn inspect` prints each file's `model!` and its parameter count, and Keras's own
/// summary rows: for a Functional model whose mask Keras computes in an operation of its
/// own (`NotEqual`), the graph table with that row and a "Connected to" column.
#[test]
fn inspect_prints_the_model_and_keras_s_summary() {
    for name in common::KERAS_EXAMPLES {
        let fx = fixture(name);
        let path = format!("{DIR}/{name}.keras");
        let (code, stdout, stderr) = common::tinyrnn(&["inspect", &path]);
        assert_eq!(code, 0, "{path}: {stderr}");
        assert_eq!(
            common::canonical_dsl(&common::inspected_dsl(&stdout)),
            common::canonical_dsl(fx["dsl"].as_str().unwrap()),
            "{path}:\n{stdout}"
        );
        assert!(
            stdout.contains(&format!("params {};", fx["total_params"])),
            "{path}:\n{stdout}"
        );
        let summary = fx["summary"].as_str().unwrap();
        for line in summary.lines().skip(1) {
            assert!(
                stdout.contains(line),
                "{path}: missing {line:?} in\n{stdout}"
            );
        }
    }
}

/// A notebook compiles and fits before it saves: the file then holds the optimizer's
/// state and a `compile_config` as well. Those are not the model: the same weights load,
/// and `inspect` prints the same declaration, and Keras's summary with the optimizer's
/// variables counted as Keras counts them.
#[test]
fn files_saved_after_training_load_the_same_model() {
    let trained = |name: &str| format!("{DIR}/trained/{name}.keras");
    assert_eq!(
        imdb_bidirectional_lstm::Net::from_keras_file(trained("imdb_bidirectional_lstm")),
        imdb_bidirectional_lstm::Net::from_keras_file(format!(
            "{DIR}/imdb_bidirectional_lstm.keras"
        ))
    );
    assert_eq!(
        char_text_generation::Net::from_keras_file(trained("char_text_generation")),
        char_text_generation::Net::from_keras_file(format!("{DIR}/char_text_generation.keras"))
    );
    assert_eq!(
        keyword_spotting::Net::from_keras_file(trained("keyword_spotting")),
        keyword_spotting::Net::from_keras_file(format!("{DIR}/keyword_spotting.keras"))
    );
    for name in [
        "imdb_bidirectional_lstm",
        "char_text_generation",
        "keyword_spotting",
    ] {
        let (code, stdout, stderr) = common::tinyrnn(&["inspect", &trained(name)]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert_eq!(
            common::canonical_dsl(&common::inspected_dsl(&stdout)),
            common::canonical_dsl(fixture(name)["dsl"].as_str().unwrap()),
            "{name}:\n{stdout}"
        );
        // Keras's summary of the trained model, its "Optimizer params" line included.
        let text = std::fs::read_to_string(format!("{DIR}/trained/{name}.json")).unwrap();
        let keras: Value = serde_json::from_str(&text).unwrap();
        let summary = keras["summary"].as_str().unwrap();
        assert!(summary.contains(" Optimizer params: "), "{name}");
        for line in summary.lines().skip(1) {
            assert!(
                stdout.contains(line),
                "{name}: missing {line:?} in\n{stdout}"
            );
        }
    }
}

/// Options tinyrnn does not run are named by `inspect`, before any weight is compared: a
/// `Normalization` given its statistics as arguments, a `PReLU` with an alpha per timestep.
#[test]
fn inspect_names_what_it_cannot_run() {
    for (file, want) in [
        (
            "normalization_arguments",
            "tinyrnn: error: the model uses what tinyrnn cannot run yet: `normalization_2`: `mean=[0.5,1.0]` is not supported; `normalization_2`: `variance=[2.0,3.0]` is not supported",
        ),
        (
            "prelu_per_timestep",
            "tinyrnn: error: the model uses what tinyrnn cannot run yet: `p_re_lu_2`: on a sequence, one `alpha` per timestep is not supported (`shared_axes=[1]` is)",
        ),
    ] {
        let (code, stdout, stderr) =
            common::tinyrnn(&["inspect", &format!("{DIR}/unsupported/{file}.keras")]);
        assert_eq!((code, stdout.as_str()), (1, ""), "{file}");
        assert_eq!(stderr.trim_end(), want, "{file}");
    }
}
