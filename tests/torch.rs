//! PyTorch state dicts (`tests/fixtures/torch/`, written by `tools/gen_torch_fixtures.py`
//! with real PyTorch): each loads into the equivalent `model!` with exactly the weights the
//! generator's own Keras mapping produced (which it checked against Keras's outputs), and
//! reproduces PyTorch's outputs.

#[macro_use]
mod common;

use common::{Output, assert_close, sequence};
use serde_json::Value;

struct TorchFixture {
    name: String,
    dsl: String,
    torch_params: usize,
    keras_params: usize,
    keras_weights: Vec<f32>,
    cases: Vec<common::Case>,
}

fn floats(v: &Value) -> Vec<f32> {
    match v {
        Value::Array(items) => items.iter().flat_map(floats).collect(),
        #[allow(clippy::cast_possible_truncation, reason = "f32 values stored as f64")]
        other => vec![other.as_f64().expect("a number") as f32],
    }
}

fn load(name: &str) -> TorchFixture {
    let path = format!(
        "{}/tests/fixtures/torch/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let count = |key: &str| usize::try_from(v[key].as_u64().expect(key)).unwrap();
    let cases = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let rows = |v: &Value| v.as_array().unwrap().iter().map(floats).collect::<Vec<_>>();
            common::Case {
                input: rows(&c["input"]),
                output: if c["output"][0].is_array() {
                    Output::Sequence(rows(&c["output"]))
                } else {
                    Output::Vector(floats(&c["output"]))
                },
            }
        })
        .collect();
    TorchFixture {
        name: name.to_owned(),
        dsl: v["dsl"].as_str().unwrap().to_owned(),
        torch_params: count("torch_params"),
        keras_params: count("keras_params"),
        keras_weights: floats(&v["keras_weights"]),
        cases,
    }
}

fn path(name: &str, ext: &str) -> String {
    format!(
        "{}/tests/fixtures/torch/{name}.{ext}",
        env!("CARGO_MANIFEST_DIR")
    )
}

macro_rules! torch_case {
    ($case:ident, $run:ident, { $($dsl:tt)* }) => {
        mod $case {
            use super::*;

            tinyrnn::model! { pub struct Net; $($dsl)* }

            #[test]
            fn matches_pytorch() {
                let fx = load(stringify!($case));
                let squash = |s: &str| s.split_whitespace().collect::<String>();
                assert_eq!(squash(stringify!($($dsl)*)), squash(&fx.dsl), "{}: dsl", fx.name);
                assert_eq!(Net::PARAMS, fx.keras_params, "{}: Keras count", fx.name);
                assert_eq!(
                    tinyrnn::torch::pytorch_params(&Net::summary()),
                    fx.torch_params,
                    "{}: PyTorch count",
                    fx.name
                );
                let net = Net::from_torch_file(path(&fx.name, "safetensors"))
                    .unwrap_or_else(|e| panic!("{}: {e}", fx.name));
                // Exactly the weights of the generator's Keras mapping.
                assert_eq!(net, Net::from_flat(&fx.keras_weights).unwrap(), "{}: converted weights", fx.name);
                let bytes = std::fs::read(path(&fx.name, "safetensors")).unwrap();
                assert_eq!(Net::from_torch_bytes(&bytes).unwrap(), net);
                // torch.save's own format gives the same weights.
                let pt = Net::from_torch_file(path(&fx.name, "pt"))
                    .unwrap_or_else(|e| panic!("{}.pt: {e}", fx.name));
                assert_eq!(pt, net, "{}: .pt", fx.name);
                for (i, case) in fx.cases.iter().enumerate() {
                    let what = format!("{} case {i}", fx.name);
                    let x = sequence::<{ Net::FEATURES }>(&case.input);
                    run!($run, no_stream, net, x, &case.output, &what);
                }
            }
        }
    };
}

torch_case!(rnn_tanh, fixed_vector, { input [12, 3]; simple_rnn(4); dense(1); });
torch_case!(rnn_relu, fixed_vector, { input [12, 3]; simple_rnn(4, activation = relu); dense(1); });
torch_case!(lstm1, fixed_vector, { input [15, 3]; lstm(5); dense(2); });
torch_case!(lstm2, fixed_vector, { input [10, 4]; lstm(6, return_sequences = true); lstm(6); dense(1); });
torch_case!(gru1, fixed_vector, { input [15, 3]; gru(4); dense(1); });
torch_case!(gru2, fixed_vector, { input [10, 2]; gru(3, return_sequences = true); gru(3); dense(1); });
torch_case!(lstm_bi, fixed_vector, { input [9, 3]; bidirectional(lstm(4)); dense(1); });
torch_case!(gru_bi_seq, fixed_sequence, { input [8, 2]; bidirectional(gru(3, return_sequences = true)); dense(2); });
torch_case!(rnn_seq_not_batch_first, fixed_sequence, { input [7, 2]; simple_rnn(3, return_sequences = true); dense(1); });
torch_case!(lstm2_bi, fixed_vector, {
    input [6, 3];
    bidirectional(lstm(4, return_sequences = true));
    bidirectional(lstm(4));
    dense(1);
});
torch_case!(lstm_nobias, fixed_vector, { input [10, 3]; lstm(4, use_bias = false); dense(1); });
torch_case!(var_len_gru, any_vector, { input [_, 3]; gru(4); dense(1); });

mod errors {
    use super::path;

    tinyrnn::model! { pub struct Lstm5; input [15, 3]; lstm(5); dense(2) }
    tinyrnn::model! { pub struct Lstm6; input [15, 3]; lstm(6); dense(2) }
    tinyrnn::model! { pub struct GruBefore; input [15, 3]; gru(4, reset_after = false); dense(1) }
    tinyrnn::model! { pub struct LstmOnly; input [15, 3]; lstm(5) }

    #[test]
    fn a_wrong_size_names_the_pytorch_key_and_both_shapes() {
        let err = Lstm6::from_torch_file(path("lstm1", "safetensors")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "layer `lstm`: PyTorch tensor `lstm.weight_ih_l0`: expected shape (24, 3), found (20, 3)"
        );
    }

    #[test]
    fn reset_before_gru_has_no_pytorch_equivalent() {
        let err = GruBefore::from_torch_file(path("gru1", "safetensors")).unwrap_err();
        assert!(
            err.to_string()
                .contains("PyTorch's GRU is Keras's `reset_after = true`"),
            "{err}"
        );
    }

    #[test]
    fn modules_left_over_are_an_error() {
        let err = LstmOnly::from_torch_file(path("lstm1", "safetensors")).unwrap_err();
        assert!(
            err.to_string()
                .contains("the state dict has modules the model does not"),
            "{err}"
        );
    }

    #[test]
    fn other_files_say_what_they_are() {
        let pt = std::fs::read(path("lstm1", "pt")).unwrap();
        let err = Lstm5::from_torch_bytes(&pt).unwrap_err();
        assert!(err.to_string().contains("use `from_torch_file`"), "{err}");
        let err = Lstm5::from_torch_bytes(b"").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("PyTorch state dict: not a .safetensors file"),
            "{err}"
        );
        let truncated = std::fs::read(path("lstm1", "safetensors")).unwrap();
        let err = Lstm5::from_torch_bytes(&truncated[..truncated.len() / 2]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("PyTorch state dict: not a readable .safetensors file"),
            "{err}"
        );
        assert!(Lstm5::from_torch_file(path("lstm1", "safetensors")).is_ok());
    }
}

mod compile_time_and_cli {
    use super::{load, path};
    use std::process::Command;

    tinyrnn::model! {
        /// nn.LSTM(4, 6, num_layers=2) + nn.Linear(6, 1), embedded at compile time.
        pub struct Embedded;
        input [10, 4];
        lstm(6, return_sequences = true);
        lstm(6);
        dense(1);
        weights = "tests/fixtures/torch/lstm2.safetensors";
    }

    tinyrnn::model! {
        pub struct FromPt;
        input [9, 3];
        bidirectional(lstm(4));
        dense(1);
        weights = "tests/fixtures/torch/lstm_bi.pt";
    }

    static EMBEDDED: Embedded = Embedded::WEIGHTS;

    #[test]
    fn weights_statement_reads_state_dicts() {
        assert_eq!(
            EMBEDDED,
            Embedded::from_flat(&load("lstm2").keras_weights).unwrap()
        );
        assert_eq!(
            FromPt::WEIGHTS,
            FromPt::from_flat(&load("lstm_bi").keras_weights).unwrap()
        );
    }

    fn inspect(file: &str) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_tinyrnn"))
            .args(["inspect", file])
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    #[test]
    fn inspect_infers_the_layers_and_says_what_it_assumed() {
        for ext in ["safetensors", "pt"] {
            let (code, stdout, stderr) = inspect(&path("lstm2_bi", ext));
            assert_eq!(code, 0, "{stderr}");
            let squashed: String = stdout.split_whitespace().collect();
            assert!(
                squashed.contains(
                    "input[_,3];bidirectional(lstm(4,return_sequences=true));bidirectional(lstm(4));dense(1);params681;"
                ),
                "{stdout}"
            );
            assert!(
                stdout.contains("note: a PyTorch state dict: 745 parameters in PyTorch, 681 in Keras and tinyrnn"),
                "{stdout}"
            );
            assert!(
                stdout.contains("assumed to read the last timestep"),
                "{stdout}"
            );
        }
        let (_, stdout, _) = inspect(&path("rnn_relu", "safetensors"));
        assert!(
            stdout.contains("nn.RNN's nonlinearity is not in a state dict; assumed tanh"),
            "{stdout}"
        );
    }

    #[test]
    fn convert_writes_the_keras_order() {
        let out = std::env::temp_dir().join(format!("tinyrnn-torch-{}.bin", std::process::id()));
        let status = Command::new(env!("CARGO_BIN_EXE_tinyrnn"))
            .args(["convert", &path("gru2", "pt"), "-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let bytes = std::fs::read(&out).unwrap();
        let _ = std::fs::remove_file(&out);
        let want: Vec<u8> = load("gru2")
            .keras_weights
            .iter()
            .flat_map(|w| w.to_le_bytes())
            .collect();
        assert_eq!(bytes, want);
    }
}
