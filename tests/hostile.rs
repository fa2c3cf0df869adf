//! Hostile input: weight files from anywhere, and numbers that are not nice.
//!
//! - The fuzzers' corpus, replayed: every file in `tests/fixtures/fuzz-regressions/<target>/`
//!   (a minimized cargo-fuzz corpus, and every input that ever crashed a target) goes through
//!   the same harness the fuzz targets run (`fuzz/src/lib.rs`, included below), with no
//!   panic, and within bounded memory, measured by a counting allocator.
//! - Each crash the fuzzers found, as its own test: the saved input is an error.
//! - Numerics against real Keras (`tools/gen_long_fixtures.py`): 100,000-step sequences through
//!   every layer kind stay finite and match Keras; NaN, infinities and +-1e30 propagate and
//!   saturate as Keras's; and every run gives the same bits.
#![allow(
    unsafe_code,
    reason = "a counting global allocator measures the loaders' memory, as in no_alloc.rs"
)]
#![allow(
    clippy::cast_possible_truncation,
    reason = "fixtures hold f32 values written as f64, and small counts"
)]

mod common;

#[path = "../fuzz/src/lib.rs"]
mod harness;

use common::KERAS_TOL;
use serde_json::Value;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// Memory: a counting allocator, per thread (each test runs on its own thread).
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    /// Bytes allocated on this thread and not yet freed, since the last `measure`.
    static LIVE: Cell<usize> = const { Cell::new(0) };
    /// The most `LIVE` reached.
    static PEAK: Cell<usize> = const { Cell::new(0) };
    /// The largest single allocation.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn grow(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(bytes);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(bytes)));
}

fn shrink(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

// SAFETY: every call goes straight to the system allocator; the counters are const-initialised
// thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        shrink(layout.size());
        grow(new_size);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` allocated on this thread: `(peak live bytes, largest single allocation)`.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    LIVE.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    LARGEST.with(|c| c.set(0));
    let r = f();
    (r, PEAK.with(Cell::get), LARGEST.with(Cell::get))
}

/// SECURITY.md's bound: whatever the bytes, a loader holds at most this much at once. The
/// heaviest real case is a `.keras` zip, which holds the archive's members (up to 4x the
/// file, zip.rs), the HDF5 reader's view of them (up to 2x, h5.rs), and the arrays read.
fn memory_bound(len: usize) -> usize {
    16 * len + (4 << 20)
}

// ---------------------------------------------------------------------------------------
// The fuzzers' corpus and crashes, replayed.
// ---------------------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Replays every file under `dirs` through `run`: no panic, memory within the bound.
/// Returns the number of files and how many loads the models accepted.
fn replay(dirs: &[PathBuf], run: fn(&[u8]) -> usize) -> (usize, usize) {
    let files: Vec<PathBuf> = dirs.iter().flat_map(|d| files_under(d)).collect();
    let mut accepted = 0;
    let mut worst = (0.0_f64, String::new());
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let start = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| measure(|| run(&bytes)));
        if start.elapsed().as_secs_f64() > 1.0 {
            eprintln!("slow: {name}: {:?}", start.elapsed());
        }
        let Ok((n, peak, largest)) = result else {
            panic!("{name} panicked the harness");
        };
        accepted += n;
        let bound = memory_bound(bytes.len());
        assert!(
            peak <= bound && largest <= bound,
            "{name}: {} bytes held {peak} bytes at once (largest allocation {largest}), over {bound}",
            bytes.len()
        );
        let ratio = peak as f64 / (bytes.len().max(1) as f64);
        if ratio > worst.0 && bytes.len() >= 8192 {
            worst = (ratio, name);
        }
    }
    eprintln!(
        "replayed {} files, {accepted} loads accepted; most memory per input byte: {:.1}x ({})",
        files.len(),
        worst.0,
        worst.1
    );
    (files.len(), accepted)
}

fn regressions(target: &str) -> PathBuf {
    root().join("tests/fixtures/fuzz-regressions").join(target)
}

#[test]
fn keras_corpus_replays_without_panic_in_bounded_memory() {
    let (files, _) = replay(&[regressions("keras_file")], harness::keras_bytes);
    assert!(files > 10, "the keras_file corpus is checked in");
}

#[test]
fn keras_config_corpus_replays_without_panic_in_bounded_memory() {
    let (files, parsed) = replay(&[regressions("keras_config")], harness::keras_config);
    assert!(files > 10, "the keras_config corpus is checked in");
    assert!(parsed > 0, "some of the corpus reads as models");
}

#[test]
fn safetensors_corpus_replays_without_panic_in_bounded_memory() {
    let (files, _) = replay(&[regressions("safetensors")], harness::safetensors_bytes);
    assert!(files > 10, "the safetensors corpus is checked in");
}

#[test]
fn pt_corpus_replays_without_panic_in_bounded_memory() {
    let (files, _) = replay(&[regressions("pt_file")], harness::pt_bytes);
    assert!(files > 10, "the pt_file corpus is checked in");
}

#[test]
fn blob_corpus_replays_without_panic_in_bounded_memory() {
    fn blob(data: &[u8]) -> usize {
        harness::blob(data);
        0
    }
    let (files, _) = replay(&[regressions("blob")], blob);
    assert!(files > 10, "the blob corpus is checked in");
}

/// The fuzzers' seeds, the real fixture files, reach the models through the harness: the
/// replay tests more than the loaders' first checks.
#[test]
fn real_files_load_through_the_harness() {
    let keras = root().join("tests/fixtures/keras-files");
    let (files, accepted) = replay(&[keras], harness::keras_bytes);
    assert!(
        files >= 36 && accepted >= 24,
        "{files} files, {accepted} loads"
    );
    // Saved as from a notebook: Sequential and Functional models, models that are not
    // chains, hostile configs. The `lstm` case's 8 files load into `Notebook`.
    let notebook = root().join("tests/fixtures/keras-notebook");
    let (files, accepted) = replay(&[notebook], harness::keras_bytes);
    assert!(
        files >= 50 && accepted >= 8,
        "{files} files, {accepted} loads"
    );
    let torch: Vec<PathBuf> = files_under(&root().join("tests/fixtures/torch"));
    let (mut safetensors, mut pt) = (0, 0);
    for path in &torch {
        let bytes = std::fs::read(path).expect("a fixture reads");
        match path.extension().and_then(|e| e.to_str()) {
            Some("safetensors") => safetensors += harness::safetensors_bytes(&bytes),
            Some("pt") => pt += harness::pt_file(path),
            _ => {}
        }
    }
    assert!(safetensors >= 5 && pt == safetensors, "{safetensors} {pt}");
}

// ---------------------------------------------------------------------------------------
// Numerics: 100,000 steps, NaN and infinities, determinism, against real Keras.
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Each crash found, as its own test: the saved input is an error, not a panic.
// ---------------------------------------------------------------------------------------

fn regression(target: &str, name: &str) -> Vec<u8> {
    let path = regressions(target).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A `.keras` whose config wraps `LSTM(units = 2^62)` in `Bidirectional`: the expected kernel
/// width `4 * units` overflowed `usize` in `expected_from_config` (io/src/lib.rs), a panic in
/// debug builds, which include the macro's `weights = "..."` at compile time.
#[test]
fn crash_bidirectional_lstm_units_overflow_is_an_error() {
    let bytes = regression(
        "keras_file",
        "crash-bidirectional-lstm-units-overflow.keras",
    );
    let file = tinyrnn::keras::read(&bytes).expect("the archive itself is sound");
    let config = file.config.as_ref().expect("a config");
    let err = tinyrnn::keras::expected_from_config(config).expect_err("units too large");
    assert!(err.to_string().contains("is too large"), "{err}");
    assert_eq!(harness::keras_bytes(&bytes), 0);
}

/// A `.safetensors` state dict of empty tensors whose `weight_hh_l0` and its `_reverse` claim
/// `2^63` columns (zero values, so the header is consistent): the bidirectional output width
/// `2 * h` overflowed in `infer_config` (io/src/torch.rs, what `tinyrnn inspect` runs).
#[test]
fn crash_bidirectional_hidden_width_overflow_is_an_error() {
    let bytes = regression(
        "safetensors",
        "crash-bidirectional-hidden-width-overflow.safetensors",
    );
    let dict = tinyrnn::torch::read_safetensors(&bytes).expect("the header is consistent");
    let inspected = tinyrnn::torch::infer_config(&dict)
        .and_then(|(config, _)| tinyrnn::keras::expected_from_config(&config));
    assert!(inspected.is_err(), "{inspected:?}");
    assert_eq!(harness::safetensors_bytes(&bytes), 0);
}

/// A 15 KB `.keras` zip whose 300 central-directory entries all point at one deflated run
/// of 60 KB, each within the old per-member limit (4x the file): read whole, the members
/// held 18 MB at once, growing with the square of the file (a 1 MB file: 80 GB). All members
/// together are now limited to 4x the file (io/src/zip.rs).
#[test]
fn crash_memory_overlapping_zip_members_is_an_error_in_bounded_memory() {
    let bytes = regression("keras_file", "crash-memory-overlapping-zip-members.keras");
    let (result, peak, _) = measure(|| tinyrnn::keras::read(&bytes));
    let err = result.expect_err("members beyond 4x the file");
    assert!(err.to_string().contains("claims"), "{err}");
    assert!(
        peak <= memory_bound(bytes.len()),
        "held {peak} bytes at once"
    );
}

/// A 21 KB `torch.save` file of 300 tensors viewing one 16 KB storage: `read_pt` read every
/// tensor, 4.8 MB of values (and as much again converting them), again growing with the
/// square of the file. All tensors together are now limited to 4x the file (io/src/torch.rs).
#[test]
fn crash_memory_tensors_sharing_one_storage_is_an_error_in_bounded_memory() {
    let path = regressions("pt_file").join("crash-memory-tensors-sharing-one-storage.pt");
    let len = std::fs::metadata(&path)
        .expect("the regression exists")
        .len();
    let (result, peak, _) = measure(|| tinyrnn::torch::read_pt(&path));
    let err = result.expect_err("tensors beyond 4x the file");
    assert!(err.to_string().contains("more than the"), "{err}");
    assert!(
        peak <= memory_bound(len as usize),
        "held {peak} bytes at once"
    );
}

/// A `.safetensors` state dict whose `fc.weight` is empty with shape `(2^63, 0)`: the
/// architecture `tinyrnn inspect` infers from it has a `Dense` of 2^63 units on 0 inputs,
/// which the dict fits, and converting its weight looped over all 2^63 rows: a hang in a
/// debug build (`cargo run --bin tinyrnn`), optimised away in release, so the fuzzers (built
/// optimised) could not see it; the debug replay of their corpus did. An empty tensor is
/// now not looped over (io/src/torch.rs).
#[test]
fn crash_hang_empty_linear_of_2_63_rows_returns_at_once() {
    let bytes = regression(
        "safetensors",
        "crash-hang-empty-linear-of-2-63-rows.safetensors",
    );
    let start = std::time::Instant::now();
    let dict = tinyrnn::torch::read_safetensors(&bytes).expect("the header is consistent");
    let (config, _) = tinyrnn::torch::infer_config(&dict).expect("two nn.Linear");
    let layers = tinyrnn::keras::expected_from_config(&config).expect("shapes fit usize");
    let _ = tinyrnn::torch::weights_for(&dict, &layers);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
