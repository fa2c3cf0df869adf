//! What `benches/rnn.rs` measures, kept apart so that it is tested (`cargo test` here):
//!
//! - tinyrnn models (`model!`) with input = units = N for N in 8, 16, 32, 64, 128, and the
//!   seed model;
//! - [`scalar`]: the same layers as straightforward hand-written loops, the way a user would
//!   write them without a library (one dot product per output, `f32::tanh`, `f32::exp`);
//! - [`candle`]: candle-nn's `LSTM` and `GRU` on candle's CPU backend, with the same weights.
//!
//! Tests at the bottom check that all three compute the same thing.

/// Timesteps of the whole-sequence (`forward`) benchmarks.
pub const SEQ: usize = 100;

/// The sizes benchmarked: input features = units = N.
pub const SIZES: [usize; 5] = [8, 16, 32, 64, 128];

/// Multiply-add FLOPs of one timestep of each layer with `d` inputs and `h` units (2 per
/// weight of the matrix-vector products; activations and element-wise work not counted).
#[must_use]
pub fn flops(kind: Kind, d: usize, h: usize) -> usize {
    match kind {
        Kind::SimpleRnn => 2 * h * (d + h),
        Kind::Lstm => 2 * 4 * h * (d + h),
        Kind::Gru => 2 * 3 * h * (d + h),
        Kind::Dense => 2 * h * d,
    }
}

/// The layer kinds benchmarked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `simple_rnn(N)`.
    SimpleRnn,
    /// `lstm(N)`.
    Lstm,
    /// `gru(N)` (Keras's default `reset_after = true`).
    Gru,
    /// `dense(N)`, per timestep.
    Dense,
}

impl Kind {
    /// The `model!` keyword, used in benchmark names.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::SimpleRnn => "simple_rnn",
            Kind::Lstm => "lstm",
            Kind::Gru => "gru",
            Kind::Dense => "dense",
        }
    }

    /// Keras's parameter count for input `d`, units `h`, with bias.
    #[must_use]
    pub fn params(self, d: usize, h: usize) -> usize {
        match self {
            Kind::SimpleRnn => h * (d + h) + h,
            Kind::Lstm => 4 * (h * (d + h) + h),
            Kind::Gru => 3 * h * (d + h) + 6 * h,
            Kind::Dense => d * h + h,
        }
    }
}

/// Weights for the FCN classifier of `benches/conv.rs` and `conv_peer` (3 x `conv1d(32,
/// 8/5/3, padding = same)` + `batch_normalization()` + `relu()` on one feature, global
/// average pooling, `dense(4)`): `uniform(params, 9, 0.3)` in Keras order, each moving
/// variance made positive (`0.5 + v`), as a trained model's are (negative ones give NaNs).
#[must_use]
pub fn fcn_weights(params: usize) -> Vec<f32> {
    // Where each batch normalization's `gamma, beta, moving_mean, moving_variance` start.
    const BN: [usize; 3] = [
        8 * 32 + 32,
        8 * 32 + 32 + 128 + 5 * 32 * 32 + 32,
        8 * 32 + 32 + 128 + 5 * 32 * 32 + 32 + 128 + 3 * 32 * 32 + 32,
    ];
    let mut w = uniform(params, 9, 0.3);
    for start in BN {
        for v in &mut w[start + 3 * 32..start + 4 * 32] {
            *v += 0.5;
        }
    }
    w
}

/// Deterministic pseudo-random values in `[-scale, scale]` (a 64-bit LCG), so every run and
/// every implementation sees the same weights and inputs.
#[must_use]
pub fn uniform(n: usize, seed: u64, scale: f32) -> Vec<f32> {
    let mut s = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            #[allow(clippy::cast_precision_loss, reason = "24 random bits")]
            let u = (s >> 40) as f32 / (1u64 << 24) as f32;
            scale * (2.0 * u - 1.0)
        })
        .collect()
}

/// Keras-like weights for a layer: uniform in `[-1/sqrt(h), 1/sqrt(h)]`, biases included.
#[must_use]
pub fn weights(kind: Kind, d: usize, h: usize) -> Vec<f32> {
    #[allow(clippy::cast_precision_loss, reason = "small sizes")]
    let scale = 1.0 / (h as f32).sqrt();
    uniform(kind.params(d, h), 42 + h as u64, scale)
}

/// A sequence of `t` inputs of width `d`, uniform in `[-1, 1]`.
#[must_use]
pub fn inputs<const D: usize>(t: usize, seed: u64) -> Vec<[f32; D]> {
    let flat = uniform(t * D, seed, 1.0);
    flat.chunks_exact(D)
        .map(|c| c.try_into().expect("D values"))
        .collect()
}

macro_rules! sized_models {
    ($($module:ident = $n:tt;)*) => {
        $(
            /// The benchmarked models at one size (input = units).
            pub mod $module {
                tinyrnn::model! {
                    /// `simple_rnn(N)`.
                    pub struct Rnn; input [100, $n]; simple_rnn($n);
                }
                tinyrnn::model! {
                    /// `lstm(N)`.
                    pub struct Lstm; input [100, $n]; lstm($n);
                }
                tinyrnn::model! {
                    /// `gru(N)`.
                    pub struct Gru; input [100, $n]; gru($n);
                }
                tinyrnn::model! {
                    /// `dense(N)`, per timestep.
                    pub struct Dense; input [100, $n]; dense($n);
                }
                tinyrnn::model! {
                    /// `lstm(N)` with a `dense(1)` head: its size is not a multiple of 64
                    /// bytes, so the struct is aligned to 4 bytes only.
                    pub struct LstmHead; input [100, $n]; lstm($n); dense(1);
                }
                /// N.
                pub const N: usize = $n;
            }
        )*
    };
}

sized_models! {
    n8 = 8;
    n16 = 16;
    n32 = 32;
    n64 = 64;
    n128 = 128;
}

const _: () = assert!(n8::Lstm::TIMESTEPS.unwrap() == SEQ);

/// Not inlined, so that its assembly can be read: `objdump -d --no-show-raw-insn
/// target/release/deps/rnn-* | awk '/probe_lstm64_step>:/,/^$/'`.
#[inline(never)]
pub fn probe_lstm64_step(net: &n64::Lstm, state: &mut n64::LstmState, x: &[f32; 64]) -> [f32; 64] {
    net.step(state, x)
}

/// As [`probe_lstm64_step`], for gru(64).
#[inline(never)]
pub fn probe_gru64_step(net: &n64::Gru, state: &mut n64::GruState, x: &[f32; 64]) -> [f32; 64] {
    net.step(state, x)
}

/// As [`probe_lstm64_step`], for lstm(32).
#[inline(never)]
pub fn probe_lstm32_step(net: &n32::Lstm, state: &mut n32::LstmState, x: &[f32; 32]) -> [f32; 32] {
    net.step(state, x)
}

/// As [`probe_lstm64_step`], for lstm(8).
#[inline(never)]
pub fn probe_lstm8_step(net: &n8::Lstm, state: &mut n8::LstmState, x: &[f32; 8]) -> [f32; 8] {
    net.step(state, x)
}

tinyrnn::model! {
    /// The founding question's model, `SimpleRNN(2)` and `Dense(1)` on `[50, 3]`.
    pub struct Seed;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    params 15;
}

pub mod conv;
pub mod scalar;

pub mod candle;

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_close(what: &str, got: &[f32], want: &[f32], tol: f32) {
        assert_eq!(got.len(), want.len(), "{what}");
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            assert!(
                (g - w).abs() <= tol * (1.0 + w.abs()),
                "{what}[{i}]: got {g}, want {w}"
            );
        }
    }

    /// Runs `f` on a thread with a large stack: lstm(128) is 2 MiB of weights, as big as a
    /// test thread's whole default stack.
    fn big_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(f)
            .expect("thread")
            .join()
            .expect("no panic");
    }

    macro_rules! check_size {
        ($m:ident) => {
            big_stack(|| {
                const N: usize = $m::N;
                let x = inputs::<N>(SEQ, 7);
                let xs: [[f32; N]; SEQ] = x.clone().try_into().expect("SEQ steps");
                let what = |k: Kind| format!("{}({N})", k.name());

                // tinyrnn, the scalar loops and candle, step by step and over the sequence.
                macro_rules! versus_candle {
                    ($kind:expr, $model:ident, $state:ident, $hand:ty, $cand:ty) => {{
                        let w = weights($kind, N, N);
                        let net = $m::$model::from_flat(&w).expect("weights");
                        let mut hand = <$hand>::new(&w, N, N);
                        let cand = <$cand>::new(&w, N, N);
                        let mut state = $m::$state::new();
                        let mut cs = cand.zero_state();
                        for xt in &x {
                            let ours = net.step(&mut state, xt);
                            cs = cand.step(&cs, xt);
                            assert_close(&what($kind), hand.step(xt), &ours, 1e-5);
                            assert_close(&what($kind), &candle::values(cs.h()), &ours, 1e-5);
                        }
                        let last = net.forward(&xs);
                        assert_close(
                            &what($kind),
                            &candle::values(&cand.forward(&candle::sequence(&x))),
                            &last,
                            1e-5,
                        );
                    }};
                }
                versus_candle!(Kind::Lstm, Lstm, LstmState, scalar::Lstm, candle::Lstm);
                versus_candle!(Kind::Gru, Gru, GruState, scalar::Gru, candle::Gru);

                let w = weights(Kind::SimpleRnn, N, N);
                let net = $m::Rnn::from_flat(&w).expect("weights");
                let mut hand = scalar::SimpleRnn::new(&w, N, N);
                let mut state = $m::RnnState::new();
                for xt in &x {
                    let ours = net.step(&mut state, xt);
                    assert_close(&what(Kind::SimpleRnn), hand.step(xt), &ours, 1e-5);
                }

                let w = weights(Kind::Dense, N, N);
                let net = $m::Dense::from_flat(&w).expect("weights");
                let mut hand = scalar::Dense::new(&w, N, N);
                let mut state = $m::DenseState::new();
                for xt in &x {
                    let ours = net.step(&mut state, xt);
                    assert_close(&what(Kind::Dense), hand.step(xt), &ours, 1e-5);
                }
            })
        };
    }

    #[test]
    fn baselines_agree_with_tinyrnn_n8() {
        check_size!(n8);
    }

    #[test]
    fn baselines_agree_with_tinyrnn_n16() {
        check_size!(n16);
    }

    #[test]
    fn baselines_agree_with_tinyrnn_n32() {
        check_size!(n32);
    }

    #[test]
    fn baselines_agree_with_tinyrnn_n64() {
        check_size!(n64);
    }

    #[test]
    fn baselines_agree_with_tinyrnn_n128() {
        check_size!(n128);
    }

    #[test]
    fn seed_model_runs() {
        let net = Seed::from_flat(&uniform(Seed::PARAMS, 1, 0.5)).expect("weights");
        let x: [[f32; 3]; 50] = inputs::<3>(50, 3).try_into().expect("50 steps");
        assert!(net.forward(&x)[0].is_finite());
    }

    #[test]
    fn flop_formula_of_the_issue() {
        // "LSTM(64) is 65,536 FLOP per step".
        assert_eq!(flops(Kind::Lstm, 64, 64), 65_536);
    }
}

/// As [`probe_lstm64_step`], for `step_many` over 16 streams.
#[inline(never)]
pub fn probe_lstm64_many16(
    net: &n64::Lstm,
    states: &mut [n64::LstmState; 16],
    xs: &[[f32; 64]; 16],
) -> [[f32; 64]; 16] {
    net.step_many(states, xs)
}
