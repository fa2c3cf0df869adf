//! Numbers that are not nice, against real Keras (`tools/gen_long_fixtures.py`):
//! 100,000-step sequences through every layer kind stay finite and match Keras; NaN,
//! infinities and +-1e30 propagate and saturate as Keras's; and every run gives the same
//! bits.
#![allow(
    clippy::cast_possible_truncation,
    reason = "fixtures hold f32 values written as f64, and small counts"
)]

mod common;

use common::KERAS_TOL;
use serde_json::Value;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A float of `tests/fixtures/long/*.json`: a number, or "nan", "inf", "-inf".
fn float(v: &Value) -> f32 {
    match v {
        Value::String(s) if s == "nan" => f32::NAN,
        Value::String(s) if s == "inf" => f32::INFINITY,
        Value::String(s) if s == "-inf" => f32::NEG_INFINITY,
        other => other.as_f64().expect("a number") as f32,
    }
}

fn floats(v: &Value) -> Vec<f32> {
    v.as_array().expect("an array").iter().map(float).collect()
}

fn long_fixture(file: &str) -> Value {
    let path = root().join("tests/fixtures/long").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture JSON")
}

fn assert_dsl(case: &Value, tokens: &str) {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(
        squash(tokens).trim_end_matches(';'),
        squash(case["dsl"].as_str().expect("dsl")).trim_end_matches(';'),
        "the test's model! differs from the fixture's"
    );
}

/// The inputs of `tools/gen_long_fixtures.py`: a 32-bit LCG, `(state >> 8) / 2^23 - 1` after
/// each step, row-major. Every value is exact in f32, so Python and Rust agree bit for bit.
fn lcg<const F: usize>(seed: u32, timesteps: usize) -> Vec<[f32; F]> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (state >> 8) as f32 / 8_388_608.0 - 1.0
    };
    (0..timesteps)
        .map(|_| std::array::from_fn(|_| next()))
        .collect()
}

/// Within Keras's tolerance, or the same non-finite value.
fn close(got: f32, want: f32) -> bool {
    if want.is_nan() {
        got.is_nan()
    } else if want.is_infinite() {
        got == want
    } else {
        (got - want).abs() <= KERAS_TOL * (1.0 + want.abs())
    }
}

fn same_bits(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits())
}

#[test]
fn lcg_matches_the_generator() {
    // (1664525 * 1 + 1013904223) >> 8 = 3967065, / 2^23 - 1.
    assert_eq!(lcg::<1>(1, 1)[0][0], 3_967_065.0 / 8_388_608.0 - 1.0);
}

/// One long fixture whose model returns sequences: `forward` over all 100,000 steps, `step`
/// over them bit for bit, every output finite, Keras's checkpoints within tolerance, and a
/// second run bit for bit the first.
macro_rules! long_sequence_case {
    ($test:ident, $case:literal, $model:ident, { $($dsl:tt)* }) => {
        #[test]
        fn $test() {
            tinyrnn::model! { pub struct $model; $($dsl)* }
            let fixture = long_fixture("long.json");
            let case = &fixture["cases"][$case];
            assert_dsl(case, stringify!($($dsl)*));
            let net = $model::from_flat(&floats(&case["weights"])).expect("fixture weights");
            let timesteps = case["timesteps"].as_u64().expect("timesteps") as usize;
            assert_eq!(timesteps, 100_000);
            let seed = u32::try_from(case["lcg_seed"].as_u64().expect("seed")).expect("u32");
            let x = lcg::<{ $model::FEATURES }>(seed, timesteps);
            let mut out = vec![[0.0_f32; $model::OUTPUT_UNITS]; timesteps];
            net.forward(&x, &mut out).expect("buffer length");
            assert!(out.as_flattened().iter().all(|v| v.is_finite()), "{}: not finite", $case);
            let mut state = <$model as tinyrnn::Model>::State::default();
            for (t, (xt, want)) in x.iter().zip(&out).enumerate() {
                let y = net.step(&mut state, xt);
                assert!(same_bits(&y, want), "{} t={t}: step {y:?} != forward {want:?}", $case);
            }
            let mut max_diff = 0.0_f32;
            let checkpoints = case["checkpoints"].as_array().expect("checkpoints");
            for (t, want) in checkpoints.iter().zip(case["outputs"].as_array().expect("outputs")) {
                let t = t.as_u64().expect("t") as usize;
                let want = floats(want);
                for (g, w) in out[t].iter().zip(&want) {
                    assert!(close(*g, *w), "{} t={t}: got {:?}, Keras {want:?}", $case, out[t]);
                    max_diff = max_diff.max((g - w).abs());
                }
            }
            let mut again = vec![[0.0_f32; $model::OUTPUT_UNITS]; timesteps];
            net.forward(&x, &mut again).expect("buffer length");
            assert!(same_bits(out.as_flattened(), again.as_flattened()), "{}: runs differ", $case);
            eprintln!(
                "{}: {timesteps} steps, all finite; largest difference from Keras at {} checkpoints: {max_diff:e}; Keras f32 vs f64 drift {}",
                $case,
                checkpoints.len(),
                case["f64_drift"]
            );
        }
    };
}

long_sequence_case!(long_simple_rnn_matches_keras, "long_simple_rnn", LongSimpleRnn, {
    input [_, 2]; simple_rnn(8, return_sequences = true); dense(2);
});
long_sequence_case!(long_lstm_matches_keras, "long_lstm", LongLstm, {
    input [_, 2]; lstm(8, return_sequences = true); dense(2);
});
long_sequence_case!(long_gru_matches_keras, "long_gru", LongGru, {
    input [_, 2]; gru(8, return_sequences = true); dense(2);
});

#[test]
fn long_bidirectional_matches_keras() {
    tinyrnn::model! { pub struct LongBidirectional; input [_, 2]; bidirectional(lstm(4)); dense(2); }
    let fixture = long_fixture("long.json");
    let case = &fixture["cases"]["long_bidirectional"];
    assert_dsl(case, "input [_, 2]; bidirectional(lstm(4)); dense(2);");
    let net = LongBidirectional::from_flat(&floats(&case["weights"])).expect("fixture weights");
    let seed = u32::try_from(case["lcg_seed"].as_u64().expect("seed")).expect("u32");
    let x = lcg::<2>(seed, 100_000);
    let got = net.forward(&x);
    let want = floats(&case["output"]);
    for (g, w) in got.iter().zip(&want) {
        assert!(close(*g, *w), "got {got:?}, Keras {want:?}");
    }
    assert!(same_bits(&got, &net.forward(&x)), "runs differ");
    let diff = got
        .iter()
        .zip(&want)
        .map(|(g, w)| (g - w).abs())
        .fold(0.0, f32::max);
    eprintln!("long_bidirectional: 100000 steps; difference from Keras {diff:e}");
}

/// Weights in `[-0.8, 0.8)` from the LCG: not contractive, unlike the fixtures'.
fn lcg_weights(n: usize, seed: u32) -> Vec<f32> {
    lcg::<1>(seed, n).into_iter().map(|[w]| 0.8 * w).collect()
}

/// Every layer kind, with weights that do not damp and inputs of +-1e30, NaN-free: 100,000
/// steps stay finite (the saturating activations bound every state), and runs repeat.
#[test]
fn every_layer_kind_stays_finite_over_100k_extreme_steps() {
    tinyrnn::model! {
        pub struct Extreme;
        input [_, 3];
        dense(4, activation = tanh);
        simple_rnn(6, return_sequences = true);
        lstm(5, return_sequences = true);
        gru(4, return_sequences = true);
        gru(4, reset_after = false, return_sequences = true);
        dense(3, activation = softmax);
    }
    tinyrnn::model! {
        pub struct ExtremeBidirectional;
        input [_, 3];
        bidirectional(gru(3), merge_mode = mul);
        dense(2, activation = log_softmax);
    }
    let x: Vec<[f32; 3]> = lcg::<3>(7, 100_000)
        .into_iter()
        .map(|row| row.map(|v| if v < 0.0 { -1e30 } else { 1e30 }))
        .collect();
    let net = Extreme::from_flat(&lcg_weights(Extreme::PARAMS, 11)).expect("weights");
    let mut out = vec![[0.0_f32; 3]; x.len()];
    net.forward(&x, &mut out).expect("buffer length");
    assert!(out.as_flattened().iter().all(|v| v.is_finite()));
    let mut again = vec![[0.0_f32; 3]; x.len()];
    net.forward(&x, &mut again).expect("buffer length");
    assert!(same_bits(out.as_flattened(), again.as_flattened()));
    let bi = ExtremeBidirectional::from_flat(&lcg_weights(ExtremeBidirectional::PARAMS, 13))
        .expect("weights");
    let y = bi.forward(&x);
    assert!(y.iter().all(|v| v.is_finite()), "{y:?}");
    assert!(same_bits(&y, &bi.forward(&x)));
}

/// What the `nonfinite.json` cases compared.
#[derive(Default)]
struct Tally {
    compared: usize,
    /// Keras outputs that were NaN or infinite.
    nonfinite: usize,
    differences: Vec<String>,
}

impl Tally {
    fn assert_none(&self, what: &str) {
        eprintln!(
            "{what}: {} outputs compared with Keras, {} of them NaN or infinite; {} differ",
            self.compared,
            self.nonfinite,
            self.differences.len()
        );
        assert!(
            self.differences.is_empty(),
            "{} differences:\n{}",
            self.differences.len(),
            self.differences.join("\n")
        );
    }
}

/// A test over cases of `nonfinite.json`: models whose last layer returns sequences, fed
/// Keras's inputs (NaN, +-inf, +-1e30 among finite values). Every output must be NaN where
/// Keras's is NaN, the same infinity where Keras's is infinite, and within tolerance
/// elsewhere; a second run must give the same bits.
macro_rules! nonfinite_test {
    ($test:ident, $what:literal, [$($case:literal, $model:ident, { $($dsl:tt)* };)*]) => {
        #[test]
        fn $test() {
            let fixture = long_fixture("nonfinite.json");
            let mut tally = Tally::default();
            $({
                tinyrnn::model! { pub struct $model; $($dsl)* }
                const T: usize = match $model::TIMESTEPS {
                    Some(t) => t,
                    None => 0,
                };
                let case = &fixture["cases"][$case];
                assert_dsl(case, stringify!($($dsl)*));
                let net = $model::from_flat(&floats(&case["weights"])).expect("fixture weights");
                for (i, run) in case["cases"].as_array().expect("cases").iter().enumerate() {
                    let rows: Vec<Vec<f32>> =
                        run["input"].as_array().expect("input").iter().map(floats).collect();
                    let x: [[f32; $model::FEATURES]; T] =
                        std::array::from_fn(|t| std::array::from_fn(|f| rows[t][f]));
                    let got = net.forward(&x);
                    let again = net.forward(&x);
                    assert!(same_bits(got.as_flattened(), again.as_flattened()), "runs differ");
                    let outputs = run["output"].as_array().expect("output");
                    for (t, want) in outputs.iter().enumerate() {
                        for (u, (g, w)) in got[t].iter().zip(&floats(want)).enumerate() {
                            tally.compared += 1;
                            tally.nonfinite += usize::from(!w.is_finite());
                            if !close(*g, *w) {
                                tally.differences.push(format!(
                                    "{} input {i} t={t} unit {u}: tinyrnn {g}, Keras {w} (x_t = {:?})",
                                    $case, rows[t]
                                ));
                            }
                        }
                    }
                }
            })*
            tally.assert_none($what);
        }
    };
}

nonfinite_test! {
    nonfinite_inputs_through_every_activation_propagate_as_keras, "activations", [
        "act_linear", ActLinear, { input [8, 1]; dense(4, activation = linear); };
        "act_relu", ActRelu, { input [8, 1]; dense(4, activation = relu); };
        "act_relu6", ActRelu6, { input [8, 1]; dense(4, activation = relu6); };
        "act_leaky_relu", ActLeakyRelu, { input [8, 1]; dense(4, activation = leaky_relu); };
        "act_elu", ActElu, { input [8, 1]; dense(4, activation = elu); };
        "act_selu", ActSelu, { input [8, 1]; dense(4, activation = selu); };
        "act_gelu", ActGelu, { input [8, 1]; dense(4, activation = gelu); };
        "act_sigmoid", ActSigmoid, { input [8, 1]; dense(4, activation = sigmoid); };
        "act_hard_sigmoid", ActHardSigmoid, { input [8, 1]; dense(4, activation = hard_sigmoid); };
        "act_tanh", ActTanh, { input [8, 1]; dense(4, activation = tanh); };
        "act_hard_tanh", ActHardTanh, { input [8, 1]; dense(4, activation = hard_tanh); };
        "act_softplus", ActSoftplus, { input [8, 1]; dense(4, activation = softplus); };
        "act_softsign", ActSoftsign, { input [8, 1]; dense(4, activation = softsign); };
        "act_silu", ActSilu, { input [8, 1]; dense(4, activation = silu); };
        "act_hard_silu", ActHardSilu, { input [8, 1]; dense(4, activation = hard_silu); };
        "act_mish", ActMish, { input [8, 1]; dense(4, activation = mish); };
        "act_exponential", ActExponential, { input [8, 1]; dense(4, activation = exponential); };
        "act_softmax", ActSoftmax, { input [8, 1]; dense(4, activation = softmax); };
        "act_log_softmax", ActLogSoftmax, { input [8, 1]; dense(4, activation = log_softmax); };
    ]
}

nonfinite_test! {
    nonfinite_inputs_through_every_recurrent_layer_propagate_as_keras, "recurrent layers", [
        "simple_rnn", SimpleRnn, { input [8, 3]; simple_rnn(3, return_sequences = true); };
        "simple_rnn_relu", SimpleRnnRelu, {
            input [8, 3]; simple_rnn(3, activation = relu, return_sequences = true);
        };
        "simple_rnn_softsign", SimpleRnnSoftsign, {
            input [8, 3]; simple_rnn(3, activation = softsign, return_sequences = true);
        };
        "lstm", Lstm, { input [8, 3]; lstm(3, return_sequences = true); };
        "lstm_relu_hard_sigmoid", LstmReluHardSigmoid, {
            input [8, 3];
            lstm(3, activation = relu, recurrent_activation = hard_sigmoid, return_sequences = true);
        };
        "lstm_gelu_silu", LstmGeluSilu, {
            input [8, 3];
            lstm(3, activation = gelu, recurrent_activation = silu, return_sequences = true);
        };
        "gru", Gru, { input [8, 3]; gru(3, return_sequences = true); };
        "gru_reset_before", GruResetBefore, {
            input [8, 3]; gru(3, reset_after = false, return_sequences = true);
        };
        "gru_elu_hard_sigmoid", GruEluHardSigmoid, {
            input [8, 3];
            gru(3, activation = elu, recurrent_activation = hard_sigmoid, return_sequences = true);
        };
        "bidirectional_lstm", BidirectionalLstm, {
            input [8, 3]; bidirectional(lstm(2, return_sequences = true));
        };
        "bidirectional_gru_sum", BidirectionalGruSum, {
            input [8, 3]; bidirectional(gru(2, return_sequences = true), merge_mode = sum);
        };
    ]
}
