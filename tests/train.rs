//! Keras 3's losses and optimizers (`tinyrnn::train`) against Keras itself:
//! `tools/gen_keras_train.py` writes, with real Keras 3.15 (TensorFlow backend), each loss's
//! value and `tf.GradientTape` gradient for one sample (`tests/fixtures/train/losses.json`),
//! and the weights after each of five `apply_gradients` steps of SGD (plain, momentum,
//! Nesterov) and Adam (`optimizers.json`).

#![allow(
    clippy::cast_possible_truncation,
    reason = "the fixtures' numbers are f32 values written as JSON numbers"
)]

use serde_json::Value;
use tinyrnn::train::{Loss, Optimizer, OptimizerSlots};

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/train/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// A vector or a sequence of vectors, flattened, and its last axis's length.
fn rows(v: &Value) -> (Vec<f32>, usize) {
    let items = v.as_array().expect("an array");
    match items.first() {
        Some(Value::Array(row)) => {
            let flat = items
                .iter()
                .flat_map(|r| {
                    r.as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x.as_f64().unwrap() as f32)
                })
                .collect();
            (flat, row.len())
        }
        _ => (
            items.iter().map(|x| x.as_f64().unwrap() as f32).collect(),
            items.len(),
        ),
    }
}

fn loss_named(name: &str) -> Loss {
    match name {
        "mean_squared_error" => Loss::MeanSquaredError,
        "mean_absolute_error" => Loss::MeanAbsoluteError,
        "binary_crossentropy" => Loss::BinaryCrossentropy,
        "categorical_crossentropy" => Loss::CategoricalCrossentropy,
        other => panic!("unknown loss {other}"),
    }
}

#[test]
fn losses_match_keras_values_and_gradients() {
    let fx = fixture("losses");
    let cases = fx["cases"].as_array().expect("cases");
    assert!(cases.len() >= 16, "every loss, several cases each");
    for (i, case) in cases.iter().enumerate() {
        let loss = loss_named(case["loss"].as_str().unwrap());
        let (y_true, units) = rows(&case["y_true"]);
        let (y_pred, _) = rows(&case["y_pred"]);
        let (want_grad, _) = rows(&case["grad"]);
        let want = case["value"].as_f64().unwrap() as f32;
        let what = format!("case {i} ({loss:?})");
        assert_eq!(loss.value(&y_true, &y_pred, units), {
            let mut g = vec![0.0; y_pred.len()];
            loss.gradient(&y_true, &y_pred, units, &mut g)
        });
        let mut grad = vec![f32::NAN; y_pred.len()];
        let got = loss.gradient(&y_true, &y_pred, units, &mut grad);
        assert!(
            (got - want).abs() <= 1e-5 * (1.0 + want.abs()),
            "{what}: loss {got}, Keras {want}"
        );
        let largest = want_grad.iter().fold(0.0_f32, |m, g| m.max(g.abs()));
        for (k, (g, w)) in grad.iter().zip(&want_grad).enumerate() {
            assert!(
                (g - w).abs() <= 1e-5 * largest.max(1e-30) + 1e-12,
                "{what}: d/dy_pred[{k}] {g}, Keras {w} (largest {largest})"
            );
        }
    }
}

/// A last layer with a sigmoid or softmax: Keras computes the crossentropy from its logits
/// (no clipping: a logit of 20 with label 0 costs 20, not the clipped 15.9).
#[test]
fn crossentropies_after_sigmoid_and_softmax_use_the_logits_as_keras() {
    let fx = fixture("losses");
    let cases = fx["activation_cases"].as_array().expect("activation cases");
    assert!(cases.len() >= 8);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let loss = loss_named(case["loss"].as_str().unwrap());
        let (y_true, units) = rows(&case["y_true"]);
        let (logits, _) = rows(&case["logits"]);
        let (y_pred, _) = rows(&case["y_pred"]);
        let (want_grad, _) = rows(&case["grad_logits"]);
        let want = case["value"].as_f64().unwrap() as f32;
        let mut grad = vec![f32::NAN; logits.len()];
        let got = loss.gradient_from_logits(&y_true, &logits, &y_pred, units, &mut grad);
        assert!(
            (got - want).abs() <= 1e-5 * (1.0 + want.abs()),
            "{name}: loss {got}, Keras {want}"
        );
        let largest = want_grad.iter().fold(0.0_f32, |m, g| m.max(g.abs()));
        for (k, (g, w)) in grad.iter().zip(&want_grad).enumerate() {
            assert!(
                (g - w).abs() <= 1e-5 * largest,
                "{name}: d/dlogit[{k}] {g}, Keras {w}"
            );
        }
    }
}

#[test]
fn optimizers_update_as_keras() {
    let fx = fixture("optimizers");
    for case in fx["cases"].as_array().expect("cases") {
        let o = &case["optimizer"];
        let num = |k: &str| o[k].as_f64().unwrap();
        let optimizer = match o["name"].as_str().unwrap() {
            "sgd" => Optimizer::Sgd {
                learning_rate: num("learning_rate"),
                momentum: num("momentum"),
                nesterov: o["nesterov"].as_bool().unwrap(),
            },
            "adam" => Optimizer::Adam {
                learning_rate: num("learning_rate"),
                beta_1: num("beta_1"),
                beta_2: num("beta_2"),
                epsilon: num("epsilon"),
            },
            other => panic!("unknown optimizer {other}"),
        };
        let (mut w, _) = rows(&case["w0"]);
        let mut slots = vec![OptimizerSlots::default(); w.len()];
        for (t, (g, want)) in case["grads"]
            .as_array()
            .unwrap()
            .iter()
            .zip(case["w"].as_array().unwrap())
            .enumerate()
        {
            let (g, _) = rows(g);
            let (want, _) = rows(want);
            let step = optimizer.step(u32::try_from(t + 1).unwrap());
            for ((w, g), s) in w.iter_mut().zip(&g).zip(&mut slots) {
                step.update(w, *g, s);
            }
            // Bit for bit: the same float32 operations in the same order as Keras's
            // `update_step` (tools/gen_keras_train.py found NumPy's float32 reproduces
            // them exactly too; a fused multiply-add or `1 - f32(beta)` would not).
            for (k, (got, want)) in w.iter().zip(&want).enumerate() {
                assert_eq!(
                    got.to_bits(),
                    want.to_bits(),
                    "{optimizer:?} step {} weight {k}: {got}, Keras {want}",
                    t + 1
                );
            }
        }
    }
}

/// The gradient through each activation, as TensorFlow computes it for Keras 3's
/// activations (`activations.json`: d sum(w y) / d x at probes on every kink and boundary,
/// and seeded values), from `Activation::backward`.
#[test]
fn activation_gradients_match_tensorflow() {
    use tinyrnn::activations::*;
    use tinyrnn::nalgebra::SVector;
    const N: usize = 24;

    fn check<A: Activation>(case: &Value) {
        let name = case["name"].as_str().unwrap();
        let vector = |k: &str| -> SVector<f32, N> {
            let (v, _) = rows(&case[k]);
            SVector::from_column_slice(&v)
        };
        let (x, w, want) = (vector("x"), vector("w"), vector("grad"));
        let mut y = x;
        A::apply(&mut y);
        let mut grad = w;
        A::backward(&x, &y, &mut grad);
        for (k, ((g, want), x)) in grad.iter().zip(want.iter()).zip(x.iter()).enumerate() {
            // TensorFlow's CPU kernels flush subnormal inputs to zero, and its `elu`/`selu`
            // compute `exp(x) - 1`, which is 0 (so is their output, and their gradient takes
            // the positive branch) for an `x` as small as the smallest normal float; tinyrnn
            // does neither (`expm1`). Those probes are left out.
            if *x != 0.0 && x.abs() <= f32::MIN_POSITIVE {
                continue;
            }
            assert!(
                (g - want).abs() <= 1e-5 * want.abs().max(1.0),
                "{name}: x[{k}] = {x}: gradient {g}, TensorFlow {want}"
            );
        }
    }

    let fx = fixture("activations");
    let cases = fx["cases"].as_array().expect("cases");
    for case in cases {
        match case["name"].as_str().unwrap() {
            "linear" => check::<Linear>(case),
            "relu" => check::<Relu>(case),
            "relu6" => check::<Relu6>(case),
            "leaky_relu" => check::<LeakyRelu>(case),
            "elu" => check::<Elu>(case),
            "selu" => check::<Selu>(case),
            "gelu" => check::<Gelu>(case),
            "sigmoid" => check::<Sigmoid>(case),
            "hard_sigmoid" => check::<HardSigmoid>(case),
            "tanh" => check::<Tanh>(case),
            "hard_tanh" => check::<HardTanh>(case),
            "softplus" => check::<Softplus>(case),
            "softsign" => check::<Softsign>(case),
            "silu" => check::<Silu>(case),
            "hard_silu" => check::<HardSilu>(case),
            "mish" => check::<Mish>(case),
            "exponential" => check::<Exponential>(case),
            "softmax" => check::<Softmax>(case),
            "log_softmax" => check::<LogSoftmax>(case),
            "relu(negative_slope=0.1, max_value=6.0, threshold=0.5)" => check::<
                ReluWith<{ 0.1_f32.to_bits() }, { 6.0_f32.to_bits() }, { 0.5_f32.to_bits() }>,
            >(case),
            "relu(max_value=4.0)" => check::<
                ReluWith<{ 0.0_f32.to_bits() }, { 4.0_f32.to_bits() }, { 0.0_f32.to_bits() }>,
            >(case),
            "relu(threshold=1.0)" => check::<
                ReluWith<{ 0.0_f32.to_bits() }, { f32::INFINITY.to_bits() }, { 1.0_f32.to_bits() }>,
            >(case),
            "leaky_relu(negative_slope=0.3)" => check::<LeakyReluWith<{ 0.3_f32.to_bits() }>>(case),
            "elu(alpha=0.5)" => check::<EluWith<{ 0.5_f32.to_bits() }>>(case),
            other => panic!("no activation for {other}"),
        }
    }
    assert_eq!(
        cases.len(),
        24,
        "every activation Keras 3 names, and five with arguments"
    );
}

/// One model of `gradients.json` (`tools/gen_keras_grads.py`): its `backward` on Keras's
/// sample gives Keras's loss and `tf.GradientTape`'s gradients, within 1e-5 of the largest.
macro_rules! gradient_case {
    ($index:literal, $name:ident, $output:ident, { $($dsl:tt)* }) => {
        gradient_case!($index, $name, $output, features, { $($dsl)* });
    };
    ($index:literal, $name:ident, $output:ident, $input:ident, { $($dsl:tt)* }) => {
        mod $name {
            use super::*;

            tinyrnn::model! { pub struct Net; $($dsl)* }

            #[test]
            fn backward_matches_keras() {
                let fx = fixture("gradients");
                let case = &fx["models"][$index];
                let name = stringify!($name);
                assert_eq!(case["name"].as_str(), Some(name));
                let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
                assert_eq!(squash(stringify!($($dsl)*)), squash(case["dsl"].as_str().unwrap()));
                let (weights, _) = rows(&case["weights"]);
                let net = Net::from_flat(&weights).unwrap();
                let x = gradient_case!(@input $input, case["x"]);
                let (y, _) = rows(&case["y"]);
                let loss = loss_named(case["loss"].as_str().unwrap());
                let mut grads = Net::ZERO;
                let value = gradient_case!(@run $output, net, x, y, loss, grads);
                let want = case["value"].as_f64().unwrap() as f32;
                assert!(
                    (value - want).abs() <= 1e-5 * (1.0 + want.abs()),
                    "{name}: loss {value}, Keras {want}"
                );
                let (want_grads, _) = rows(&case["grads"]);
                let got = grads.to_flat();
                assert_eq!(got.len(), want_grads.len());
                let largest = want_grads.iter().fold(0.0_f32, |m, g| m.max(g.abs()));
                for (k, (g, w)) in got.iter().zip(&want_grads).enumerate() {
                    assert!(
                        (g - w).abs() <= 1e-5 * largest,
                        "{name}: gradient {k}: {g}, Keras {w} (largest {largest})"
                    );
                }
                // `backward` adds: a second sample's gradient doubles this one's.
                let mut twice = grads.clone();
                let _ = gradient_case!(@run $output, net, x, y, loss, twice);
                for (a, b) in twice.to_flat().iter().zip(&got) {
                    assert!((a - 2.0 * b).abs() <= 1e-6 * largest);
                }
            }
        }
    };
    (@input features, $x:expr) => {{
        let (x, _) = rows(&$x);
        let x: Vec<[f32; Net::FEATURES]> =
            x.chunks(Net::FEATURES).map(|c| c.try_into().unwrap()).collect();
        x.try_into().unwrap()
    }};
    // Token ids, as JSON integers.
    (@input ids, $x:expr) => {{
        let ids: Vec<u32> = $x
            .as_array()
            .unwrap()
            .iter()
            .map(|v| u32::try_from(v.as_u64().unwrap()).unwrap())
            .collect();
        ids.try_into().unwrap()
    }};
    // On a model of any length: a `Vec` of the fixture's timesteps.
    (@input any_features, $x:expr) => {{
        let (x, _) = rows(&$x);
        let x: Vec<[f32; Net::FEATURES]> =
            x.chunks(Net::FEATURES).map(|c| c.try_into().unwrap()).collect();
        x
    }};
    (@input any_ids, $x:expr) => {{
        let ids: Vec<u32> = $x
            .as_array()
            .unwrap()
            .iter()
            .map(|v| u32::try_from(v.as_u64().unwrap()).unwrap())
            .collect();
        ids
    }};
    (@run any_sequence, $net:ident, $x:ident, $y:ident, $loss:ident, $grads:ident) => {{
        let y: Vec<[f32; Net::OUTPUT_UNITS]> =
            $y.chunks(Net::OUTPUT_UNITS).map(|c| c.try_into().unwrap()).collect();
        $net.backward(&$x, &y, $loss, &mut $grads)
    }};
    (@run vector, $net:ident, $x:ident, $y:ident, $loss:ident, $grads:ident) => {{
        let y: [f32; Net::OUTPUT_UNITS] = $y.clone().try_into().unwrap();
        $net.backward(&$x, &y, $loss, &mut $grads)
    }};
    (@run sequence, $net:ident, $x:ident, $y:ident, $loss:ident, $grads:ident) => {{
        let y: Vec<[f32; Net::OUTPUT_UNITS]> =
            $y.chunks(Net::OUTPUT_UNITS).map(|c| c.try_into().unwrap()).collect();
        let y = y.try_into().unwrap();
        $net.backward(&$x, &y, $loss, &mut $grads)
    }};
}

gradient_case!(0, seed, vector, { input [50, 3]; simple_rnn(2); dense(1); });
gradient_case!(1, seed_mae, vector, { input [50, 3]; simple_rnn(2); dense(1); });
gradient_case!(2, sequence_sigmoid_bce, sequence, {
    input [6, 2];
    simple_rnn(3, return_sequences = true);
    dropout(0.2);
    dense(2, activation = sigmoid);
});
gradient_case!(3, stacked_softmax_cce, vector, {
    input [5, 2];
    simple_rnn(4, return_sequences = true);
    simple_rnn(3, activation = relu);
    dense(3, activation = softmax);
});
gradient_case!(4, no_bias_relu_head, vector, {
    input [7, 3];
    simple_rnn(3, use_bias = false);
    dense(4, activation = relu);
    dense(1);
});
gradient_case!(5, sequence_mse, sequence, {
    input [4, 3];
    dense(4, activation = tanh);
    simple_rnn(2, return_sequences = true);
});
gradient_case!(6, dense_sigmoid_mse, vector, {
    input [3, 2];
    simple_rnn(2);
    dense(1, activation = sigmoid);
});

/// One case of `fit.json` (`tools/gen_keras_fit.py`): `fit` from Keras's initial weights on
/// Keras's samples ends at Keras's `model.fit(..., shuffle=False)` weights within
/// 1e-4 * (1 + |w|), after the first batch too, with Keras's per-epoch losses.
macro_rules! fit_case {
    ($index:literal, $name:ident, $output:ident, { $($dsl:tt)* }) => {
        mod $name {
            use super::*;
            use tinyrnn::train::{fit, FitOptions};

            tinyrnn::model! { pub struct Net; $($dsl)* }

            type X = [[f32; Net::FEATURES]; { Net::TIMESTEPS.unwrap() }];

            #[test]
            fn fit_matches_keras() {
                let fx = fixture("fit");
                let case = &fx["cases"][$index];
                let name = stringify!($name);
                assert_eq!(case["name"].as_str(), Some(name));
                let (w0, _) = rows(&case["weights0"]);
                let samples = |k: &str, width: usize| -> Vec<Vec<f32>> {
                    case[k]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| {
                            let (v, _) = rows(s);
                            assert_eq!(v.len() % width, 0);
                            v
                        })
                        .collect()
                };
                let xs: Vec<X> = samples("xs", Net::FEATURES)
                    .iter()
                    .map(|v| {
                        let rows: Vec<[f32; Net::FEATURES]> =
                            v.chunks(Net::FEATURES).map(|c| c.try_into().unwrap()).collect();
                        rows.try_into().unwrap()
                    })
                    .collect();
                let ys = fit_case!(@targets $output, samples("ys", Net::OUTPUT_UNITS));
                let o = &case["optimizer"];
                let num = |k: &str| o[k].as_f64().unwrap();
                let optimizer = match o["name"].as_str().unwrap() {
                    "sgd" => Optimizer::Sgd {
                        learning_rate: num("learning_rate"),
                        momentum: num("momentum"),
                        nesterov: o["nesterov"].as_bool().unwrap(),
                    },
                    _ => Optimizer::Adam {
                        learning_rate: num("learning_rate"),
                        beta_1: num("beta_1"),
                        beta_2: num("beta_2"),
                        epsilon: num("epsilon"),
                    },
                };
                let options = FitOptions {
                    loss: loss_named(case["loss"].as_str().unwrap()),
                    optimizer,
                    epochs: usize::try_from(case["epochs"].as_u64().unwrap()).unwrap(),
                    batch_size: usize::try_from(case["batch_size"].as_u64().unwrap()).unwrap(),
                    shuffle: false,
                    verbose: false,
                    // Absent in the cases without validation: none.
                    validation_split: case["validation_split"].as_f64().unwrap_or(0.0),
                    ..Default::default()
                };
                let close = |what: &str, got: &[f32], want: &[f32]| {
                    assert_eq!(got.len(), want.len(), "{name}: {what}");
                    for (k, (g, w)) in got.iter().zip(want).enumerate() {
                        assert!(
                            (g - w).abs() <= 1e-4 * (1.0 + w.abs()),
                            "{name}: {what} {k}: {g}, Keras {w}"
                        );
                    }
                };
                // The first optimizer step alone.
                let mut net = Net::from_flat(&w0).unwrap();
                let first = FitOptions { epochs: 1, validation_split: 0.0, ..options.clone() };
                let batch = options.batch_size;
                fit(&mut net, &xs[..batch], &ys[..batch], &first);
                let (want, _) = rows(&case["weights_after_first_batch"]);
                close("weight after the first batch", &net.to_flat(), &want);
                // The whole training.
                let mut net = Net::from_flat(&w0).unwrap();
                let history = fit(&mut net, &xs, &ys, &options);
                let (want, _) = rows(&case["history_loss"]);
                close("epoch loss", &history.loss, &want);
                let (want, _) = rows(&case["weights"]);
                close("final weight", &net.to_flat(), &want);
                let want: Vec<f32> = case["history_val_loss"]
                    .as_array()
                    .map(|v| v.iter().map(|x| x.as_f64().unwrap() as f32).collect())
                    .unwrap_or_default();
                close("validation loss", &history.val_loss, &want);
            }
        }
    };
    (@targets vector, $ys:expr) => {
        $ys.iter()
            .map(|v| <[f32; Net::OUTPUT_UNITS]>::try_from(v.as_slice()).unwrap())
            .collect::<Vec<_>>()
    };
    (@targets sequence, $ys:expr) => {
        $ys.iter()
            .map(|v| {
                let rows: Vec<[f32; Net::OUTPUT_UNITS]> =
                    v.chunks(Net::OUTPUT_UNITS).map(|c| c.try_into().unwrap()).collect();
                <[[f32; Net::OUTPUT_UNITS]; { Net::TIMESTEPS.unwrap() }]>::try_from(rows).unwrap()
            })
            .collect::<Vec<_>>()
    };
}

/// `fit` against Keras's `model.fit` (a module of its own: the models share names with
/// the gradient cases).
mod fits {
    use super::*;

    fit_case!(0, seed_sgd, vector, { input [6, 3]; simple_rnn(2); dense(1); });
    fit_case!(1, seed_sgd_nesterov, vector, { input [6, 3]; simple_rnn(2); dense(1); });
    fit_case!(2, seed_adam, vector, { input [6, 3]; simple_rnn(2); dense(1); });
    fit_case!(3, sequence_sigmoid_bce, sequence, {
        input [5, 2];
        simple_rnn(3, return_sequences = true);
        dense(2, activation = sigmoid);
    });
    fit_case!(4, softmax_cce_momentum, vector, {
        input [4, 3];
        simple_rnn(4);
        dense(3, activation = softmax);
    });
    fit_case!(5, seed_sgd_validation, vector, { input [6, 3]; simple_rnn(2); dense(1); });
    fit_case!(6, lstm_adam_validation, vector, { input [5, 3]; lstm(3); dense(1); });
    fit_case!(7, gru_softmax_cce_momentum_validation, vector, {
        input [5, 2];
        gru(3);
        dense(2, activation = softmax);
    });
    fit_case!(8, lstm_adam, vector, { input [5, 3]; lstm(3); dense(1); });
    fit_case!(9, gru_softmax_cce_adam, vector, {
        input [5, 2];
        gru(3);
        dense(2, activation = softmax);
    });
}

// LSTM and GRU (both `reset_after`), their options and activations.
gradient_case!(7, lstm_mse, vector, { input [6, 3]; lstm(4); dense(1); });
gradient_case!(8, lstm_sequences_bce, sequence, {
    input [5, 2];
    lstm(3, return_sequences = true);
    dense(2, activation = sigmoid);
});
gradient_case!(9, lstm_stacked_no_bias, vector, {
    input [4, 3];
    lstm(3, return_sequences = true, use_bias = false);
    lstm(2);
    dense(2);
});
gradient_case!(10, gru_mse, vector, { input [6, 3]; gru(4); dense(1); });
gradient_case!(11, gru_reset_before_cce, vector, {
    input [5, 2];
    gru(3, reset_after = false);
    dense(3, activation = softmax);
});
gradient_case!(12, gru_sequences_relu, sequence, {
    input [5, 3];
    gru(3, activation = relu, return_sequences = true);
    dense(1);
});
gradient_case!(13, lstm_activations, vector, {
    input [4, 2];
    lstm(3, activation = softsign, recurrent_activation = hard_sigmoid);
    dense(1);
});

/// The gradient cases of the other layers and options (`tools/gen_keras_grads.py`, models
/// 14 on; the convolutional and resampling ones, and masks read backwards or pooled, wait
/// for their backward passes).
mod more_gradients {
    use super::*;

    gradient_case!(14, rnn_backwards, vector, {
        input [5, 3]; simple_rnn(3, go_backwards = true); dense(1);
    });
    gradient_case!(15, rnn_backwards_sequences, sequence, {
        input [4, 2]; simple_rnn(3, go_backwards = true, return_sequences = true); dense(2);
    });
    gradient_case!(16, lstm_backwards_cce, vector, {
        input [5, 2]; lstm(3, go_backwards = true); dense(3, activation = softmax);
    });
    gradient_case!(17, lstm_backwards_sequences, sequence, {
        input [4, 3];
        lstm(2, go_backwards = true, return_sequences = true);
        lstm(2, return_sequences = true);
    });
    gradient_case!(18, gru_backwards, vector, { input [6, 2]; gru(3, go_backwards = true); dense(1); });
    gradient_case!(19, gru_backwards_sequences_bce, sequence, {
        input [5, 3];
        gru(3, reset_after = false, go_backwards = true, return_sequences = true);
        dense(2, activation = sigmoid);
    });
    gradient_case!(20, bidirectional_lstm, vector, { input [5, 3]; bidirectional(lstm(3)); dense(1); });
    gradient_case!(21, bidirectional_gru_sequences_bce, sequence, {
        input [4, 2];
        bidirectional(gru(2, return_sequences = true));
        dense(1, activation = sigmoid);
    });
    gradient_case!(22, bidirectional_rnn_sequences, sequence, {
        input [5, 2]; bidirectional(simple_rnn(2, return_sequences = true));
    });
    gradient_case!(23, bidirectional_rnn_sum, vector, {
        input [5, 3]; bidirectional(simple_rnn(3), merge_mode = sum); dense(1);
    });
    gradient_case!(24, bidirectional_gru_sum_sequences, sequence, {
        input [4, 3];
        bidirectional(gru(3, reset_after = false, return_sequences = true), merge_mode = sum);
        dense(2);
    });
    gradient_case!(25, bidirectional_lstm_sum, vector, {
        input [4, 2]; bidirectional(lstm(2), merge_mode = sum);
    });
    gradient_case!(26, bidirectional_rnn_mul_cce, vector, {
        input [4, 3];
        bidirectional(simple_rnn(3), merge_mode = mul);
        dense(3, activation = softmax);
    });
    gradient_case!(27, bidirectional_lstm_mul_sequences, sequence, {
        input [5, 2]; bidirectional(lstm(2, return_sequences = true), merge_mode = mul);
    });
    gradient_case!(28, bidirectional_gru_mul, vector, {
        input [5, 2]; bidirectional(gru(3), merge_mode = mul); dense(1);
    });
    gradient_case!(29, bidirectional_gru_ave, vector, {
        input [6, 2]; bidirectional(gru(3), merge_mode = ave); dense(1);
    });
    gradient_case!(30, bidirectional_lstm_ave_sequences, sequence, {
        input [5, 3];
        bidirectional(lstm(3, return_sequences = true), merge_mode = ave);
        dense(2);
    });
    gradient_case!(31, bidirectional_rnn_ave_sequences, sequence, {
        input [4, 2];
        bidirectional(simple_rnn(2, return_sequences = true), merge_mode = ave);
        dense(1);
    });
    gradient_case!(32, bidirectional_stacked, vector, {
        input [6, 2];
        bidirectional(simple_rnn(3, return_sequences = true));
        lstm(2);
        dense(1);
    });
    gradient_case!(33, bidirectional_stacked_sequences, sequence, {
        input [4, 3];
        bidirectional(gru(2, return_sequences = true), merge_mode = sum);
        bidirectional(lstm(2, return_sequences = true));
        dense(1);
    });
    gradient_case!(34, time_distributed, sequence, {
        input [5, 2];
        lstm(3, return_sequences = true);
        time_distributed(dense(3));
        time_distributed(activation(tanh));
        time_distributed(dense(1));
    });
    gradient_case!(35, time_distributed_softmax_cce, sequence, {
        input [4, 3];
        gru(3, return_sequences = true);
        time_distributed(dense(3, activation = softmax));
    });
    gradient_case!(36, masking_lstm, vector, { input [6, 2]; masking(); lstm(3); dense(1); });
    gradient_case!(37, masking_lstm_sequences, sequence, {
        input [6, 2]; masking(); lstm(3, return_sequences = true); dense(1);
    });
    gradient_case!(38, masking_gru, vector, { input [5, 3]; masking(); gru(3); dense(2); });
    gradient_case!(39, masking_gru_sequences, sequence, {
        input [6, 3]; masking(); gru(3, reset_after = false, return_sequences = true);
    });
    gradient_case!(40, masking_rnn, vector, { input [5, 2]; masking(); simple_rnn(3); dense(1); });
    gradient_case!(41, masking_rnn_sequences_cce, sequence, {
        input [5, 2];
        masking();
        simple_rnn(3, return_sequences = true);
        dense(3, activation = softmax);
    });
    gradient_case!(42, masking_value, sequence, {
        input [5, 3]; masking(mask_value = 0.5); gru(2, return_sequences = true); dense(1);
    });
    gradient_case!(43, masking_stacked, vector, {
        input [6, 2]; masking(); lstm(3, return_sequences = true); gru(2); dense(1);
    });
    gradient_case!(44, masking_dense_first, vector, {
        input [5, 3]; masking(); dense(3, activation = tanh); lstm(2); dense(1);
    });
    gradient_case!(45, masking_bidirectional_sequences, sequence, {
        input [5, 2]; masking(); bidirectional(lstm(2, return_sequences = true)); dense(1);
    });
    gradient_case!(46, masking_bidirectional, vector, {
        input [5, 3]; masking(); bidirectional(gru(2), merge_mode = sum); dense(1);
    });
    gradient_case!(47, masking_backwards_sequences, sequence, {
        input [5, 2]; masking(); gru(2, go_backwards = true, return_sequences = true);
    });
    gradient_case!(48, masking_backwards, vector, {
        input [5, 2]; masking(); lstm(2, go_backwards = true); dense(1);
    });
    gradient_case!(49, masking_global_average, vector, {
        input [6, 2];
        masking();
        lstm(3, return_sequences = true);
        global_average_pooling1d();
        dense(1);
    });
    gradient_case!(50, masking_time_distributed, sequence, {
        input [5, 2]; masking(); gru(3, return_sequences = true); time_distributed(dense(2));
    });
    gradient_case!(51, embedding_lstm, vector, ids, {
        input[6];
        embedding(8, 3);
        lstm(3);
        dense(1);
    });
    gradient_case!(52, embedding_mask_gru_cce, vector, ids, {
        input[6];
        embedding(8, 3, mask_zero = true);
        gru(3);
        dense(3, activation = softmax);
    });
    gradient_case!(53, embedding_mask_lstm_sequences, sequence, ids, {
        input[5];
        embedding(6, 2, mask_zero = true);
        lstm(2, return_sequences = true);
        dense(1);
    });
    gradient_case!(55, embedding_mask_bidirectional, vector, ids, {
        input[5];
        embedding(7, 3, mask_zero = true);
        bidirectional(gru(2));
        dense(1);
    });
    gradient_case!(54, embedding_repeated_ids, sequence, ids, {
        input[6];
        embedding(4, 2);
        simple_rnn(3, return_sequences = true);
    });
    gradient_case!(56, layer_normalization, sequence, {
        input [5, 3];
        layer_normalization();
        lstm(3, return_sequences = true);
        layer_normalization(epsilon = 0.01, center = false);
        dense(1);
    });
    gradient_case!(57, layer_normalization_vector, vector, {
        input [4, 3]; gru(3); layer_normalization(scale = false); dense(2);
    });
    gradient_case!(58, batch_normalization, vector, {
        input [5, 3];
        batch_normalization();
        lstm(3, return_sequences = true);
        batch_normalization(epsilon = 0.01, center = false);
        gru(2);
        batch_normalization(scale = false);
        dense(1);
    });
    gradient_case!(59, normalization, sequence, {
        input [5, 3];
        normalization();
        gru(3, return_sequences = true);
        dense(2);
        normalization(invert = true);
    });
    gradient_case!(60, conv1d_valid_strides, vector, {
        input [6, 2];
        conv1d(3, 2, strides = 2, activation = relu);
        lstm(2);
        dense(1);
    });
    gradient_case!(61, conv1d_same, sequence, {
        input [5, 2];
        conv1d(3, 3, padding = same);
        gru(2, return_sequences = true);
    });
    gradient_case!(62, conv1d_same_strides, vector, {
        input [6, 3];
        conv1d(3, 3, padding = same, strides = 2);
        simple_rnn(2);
        dense(1);
    });
    gradient_case!(63, conv1d_causal_dilation, sequence, {
        input [6, 2];
        conv1d(3, 2, padding = causal, dilation_rate = 2);
        lstm(2, return_sequences = true);
        dense(1);
    });
    gradient_case!(64, conv1d_groups, vector, {
        input [5, 4];
        conv1d(4, 2, groups = 2, use_bias = false);
        gru(2);
        dense(1);
    });
    gradient_case!(65, conv1d_global_average, vector, {
        input [6, 3];
        conv1d(4, 3, activation = relu);
        global_average_pooling1d();
        dense(2);
    });
    gradient_case!(66, conv1d_dilation_global_max, vector, {
        input [6, 2];
        conv1d(4, 2, dilation_rate = 2, activation = relu);
        global_max_pooling1d();
        dense(2, activation = softmax);
    });
    gradient_case!(67, pooling_valid, sequence, {
        input [6, 3];
        conv1d(3, 2, padding = same);
        max_pooling1d(2);
        lstm(2, return_sequences = true);
        average_pooling1d(2, strides = 1);
        dense(1);
    });
    gradient_case!(68, pooling_same, sequence, {
        input [5, 2];
        max_pooling1d(2, padding = same);
        gru(3, return_sequences = true);
        average_pooling1d(2, padding = same);
        dense(1);
    });
    gradient_case!(69, pooling_same_strides, vector, {
        input [6, 2];
        max_pooling1d(3, strides = 1, padding = same);
        average_pooling1d(3, strides = 2, padding = same);
        lstm(2);
        dense(1);
    });
    gradient_case!(70, global_max_pooling, vector, {
        input [5, 2];
        lstm(3, return_sequences = true);
        global_max_pooling1d();
        dense(2);
    });
    gradient_case!(71, global_average_pooling, vector, {
        input [5, 2];
        gru(3, return_sequences = true);
        global_average_pooling1d();
        dense(1);
    });
    gradient_case!(72, resampling, vector, {
        input [4, 2];
        zero_padding1d([1, 2]);
        conv1d(3, 2);
        cropping1d(1);
        up_sampling1d(2);
        lstm(2);
        dense(1);
    });
    gradient_case!(73, resampling_defaults, sequence, {
        input [4, 3];
        gru(3, return_sequences = true);
        zero_padding1d();
        cropping1d([0, 2]);
        up_sampling1d();
        dense(1);
    });
    gradient_case!(74, repeat_vector, sequence, {
        input [4, 2];
        gru(3);
        repeat_vector(3);
        lstm(2, return_sequences = true);
        dense(1);
    });
    gradient_case!(75, flatten, vector, {
        input [3, 2];
        flatten();
        dense(4);
        repeat_vector(2);
        lstm(2, return_sequences = true);
        flatten();
        dense(1);
    });
    gradient_case!(76, reshape, vector, {
        input [4, 2];
        lstm(3);
        dense(4);
        reshape([2, 2]);
        gru(2, return_sequences = true);
        reshape([-1]);
        dense(1);
    });
    gradient_case!(77, reshape_sequence, vector, {
        input [4, 3];
        reshape([6, 2]);
        simple_rnn(3, return_sequences = true);
        reshape([3, 6]);
        lstm(2);
    });
    gradient_case!(78, prelu, vector, {
        input [5, 2];
        dense(3);
        prelu(shared_axes = [1]);
        gru(3, return_sequences = true);
        prelu(shared_axes = [1, 2]);
        lstm(2);
        prelu();
        dense(1);
    });
    gradient_case!(79, activation_softmax_cce, sequence, {
        input [4, 3];
        simple_rnn(3, return_sequences = true);
        activation(relu);
        dense(3);
        softmax();
    });
    gradient_case!(80, activation_sigmoid_bce, vector, {
        input [5, 2];
        dense(3);
        activation(gelu);
        lstm(3);
        activation(tanh);
        dense(2);
        activation(sigmoid);
    });
    gradient_case!(81, relu_layers, vector, {
        input [4, 3];
        dense(4);
        relu(max_value = 0.5);
        lstm(3, return_sequences = true);
        relu(negative_slope = 0.1, threshold = 0.05);
        gru(2);
        relu();
        dense(1);
    });
    gradient_case!(82, leaky_elu_layers, vector, {
        input [5, 2];
        dense(3);
        leaky_relu();
        gru(3, return_sequences = true);
        leaky_relu(negative_slope = 0.05);
        dense(3);
        elu(alpha = 0.5);
        simple_rnn(2);
        elu();
        dense(1);
    });
    gradient_case!(83, dropout, vector, { input [4, 3]; dropout(0.5); lstm(3); dropout(0.2); dense(1); });
    gradient_case!(84, spatial_dropout1d, sequence, {
        input [5, 2]; gru(3, return_sequences = true); spatial_dropout1d(0.3); dense(1);
    });
    gradient_case!(85, gaussian_noise, vector, {
        input [4, 2]; gaussian_noise(0.1); simple_rnn(3); dense(2);
    });
    gradient_case!(86, gaussian_dropout_bce, sequence, {
        input [5, 3];
        lstm(2, return_sequences = true);
        gaussian_dropout(0.2);
        dense(1, activation = sigmoid);
    });
    gradient_case!(87, alpha_dropout_cce, vector, {
        input [4, 2]; gru(3); alpha_dropout(0.1); dense(3, activation = softmax);
    });
}

/// Models of any length (`input [_, F]`, Keras's `Input((None, F))`): the tape on the heap,
/// as long as the sample.
mod any_length_gradients {
    use super::*;

    gradient_case!(88, lstm_any, vector, any_features, { input [_, 3]; lstm(4); dense(1); });
    gradient_case!(89, gru_sequences_any_bce, any_sequence, any_features, {
        input [_, 2]; gru(3, return_sequences = true); dense(2, activation = sigmoid);
    });
    gradient_case!(90, backwards_stack_any, vector, any_features, {
        input [_, 3];
        simple_rnn(3, go_backwards = true, return_sequences = true);
        lstm(2);
        dense(1);
    });
    gradient_case!(91, bidirectional_any_cce, vector, any_features, {
        input [_, 2]; bidirectional(gru(3)); dense(3, activation = softmax);
    });
    gradient_case!(92, masking_sequences_any, any_sequence, any_features, {
        input [_, 3]; masking(); lstm(3, return_sequences = true); dense(2);
    });
    gradient_case!(93, embedding_mask_any, vector, any_ids, {
        input[_];
        embedding(10, 4, mask_zero = true);
        gru(3);
        dense(1);
    });
    gradient_case!(94, masking_backwards_any, vector, any_features, {
        input [_, 3]; masking(); gru(3, go_backwards = true); dense(1);
    });
    gradient_case!(95, norm_dropout_any, vector, any_features, {
        input [_, 3]; layer_normalization(); dropout(0.3); simple_rnn(4); dense(2);
    });
    gradient_case!(99, conv_pool_any, vector, any_features, {
        input [_, 2];
        conv1d(3, 3, strides = 2, activation = tanh);
        max_pooling1d(2);
        gru(3);
        dense(1);
    });
    gradient_case!(100, causal_conv_any, any_sequence, any_features, {
        input [_, 2];
        conv1d(4, 3, padding = causal, dilation_rate = 2);
        lstm(2, return_sequences = true);
    });
    gradient_case!(101, same_conv_global_average_any_cce, vector, any_features, {
        input [_, 3];
        conv1d(4, 3, padding = same);
        global_average_pooling1d();
        dense(2, activation = softmax);
    });
    gradient_case!(102, masked_global_average_any, vector, any_features, {
        input [_, 3];
        masking();
        lstm(3, return_sequences = true);
        global_average_pooling1d();
        dense(1);
    });
}

/// A mask made after the first layer: read as the stage makes it.
mod later_masks {
    use super::*;

    gradient_case!(103, dense_then_masking, sequence, {
        input [6, 2];
        dense(3, activation = tanh, use_bias = false);
        masking();
        lstm(3, return_sequences = true);
        dense(1);
    });
    gradient_case!(104, dense_then_masking_any, vector, any_features, {
        input [_, 3]; dense(2, use_bias = false); masking(); gru(3); dense(1);
    });
}

/// A mask read after a `go_backwards` layer in its stage: Keras hands the later layers that
/// layer's outputs in reading order and the mask in time order.
mod masks_after_go_backwards {
    use super::*;

    gradient_case!(96, masking_after_backwards, vector, {
        input [6, 2];
        masking();
        gru(3, go_backwards = true, return_sequences = true);
        lstm(2);
        dense(1);
    });
    gradient_case!(97, masking_after_backwards_sequences, sequence, {
        input [5, 3];
        masking();
        simple_rnn(3, go_backwards = true, return_sequences = true);
        simple_rnn(2, return_sequences = true);
    });
    gradient_case!(98, masking_after_backwards_any, vector, any_features, {
        input [_, 2];
        masking();
        lstm(3, go_backwards = true, return_sequences = true);
        gru(2);
        dense(1);
    });
}

/// `Model::load_flat` (what `fit` updates the model with, in place): `from_flat`'s weights,
/// and a wrong length refused with the model unchanged.
#[test]
fn load_flat_overwrites_in_place() {
    use tinyrnn::Model;

    tinyrnn::model! { struct Net; input [4, 2]; gru(3); dense(2); }
    let w: Vec<f32> = (0..Net::PARAMS).map(|i| i as f32 * 0.01).collect();
    let mut net = Net::boxed_from_flat(&vec![0.5; Net::PARAMS]).unwrap();
    net.load_flat(&w).unwrap();
    assert_eq!(net.to_flat(), w);
    assert_eq!(*net, Net::from_flat(&w).unwrap());
    let err = net.load_flat(&w[1..]).unwrap_err();
    assert_eq!(
        err,
        tinyrnn::Error::WeightCount {
            expected: Net::PARAMS,
            found: Net::PARAMS - 1
        }
    );
    assert_eq!(net.to_flat(), w);
}
