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

pub mod scalar {
    //! Hand-written scalar loops: what a user writes without a library. Weights are taken
    //! in Keras's `get_weights()` order and transposed once, at load time, into one row per
    //! output (`[kernel column; recurrent column]`), so that each output is one contiguous
    //! dot product over `[x; h]`. `f32::tanh` and `f32::exp` from std. Rust does not
    //! reassociate float sums, so these loops stay scalar: this is the "plain loops"
    //! baseline of the issue.

    fn sigmoid(x: f32) -> f32 {
        1.0 / (1.0 + (-x).exp())
    }

    /// `rows[g]` = column `g` of a Keras `(d, g_total)` row-major array.
    fn transpose_into(rows: &mut [Vec<f32>], keras: &[f32], d: usize) {
        let g_total = rows.len();
        for j in 0..d {
            for (g, row) in rows.iter_mut().enumerate() {
                row.push(keras[j * g_total + g]);
            }
        }
    }

    /// The rows of `[kernel; recurrent_kernel]` (Keras arrays), one per gate unit.
    fn fused_rows(
        kernel: &[f32],
        recurrent: &[f32],
        d: usize,
        h: usize,
        g: usize,
    ) -> Vec<Vec<f32>> {
        let mut rows = vec![Vec::with_capacity(d + h); g];
        transpose_into(&mut rows, kernel, d);
        transpose_into(&mut rows, recurrent, h);
        rows
    }

    /// `w . [x; h]`, left to right.
    fn dot(w: &[f32], x: &[f32], h: &[f32]) -> f32 {
        let (wx, wh) = w.split_at(x.len());
        let mut s = 0.0;
        for (w, v) in wx.iter().zip(x) {
            s += w * v;
        }
        for (w, v) in wh.iter().zip(h) {
            s += w * v;
        }
        s
    }

    /// Keras `SimpleRNN(h)` with tanh.
    pub struct SimpleRnn {
        rows: Vec<Vec<f32>>,
        bias: Vec<f32>,
        z: Vec<f32>,
        /// The hidden state.
        pub h: Vec<f32>,
    }

    impl SimpleRnn {
        /// From Keras `get_weights()`: kernel `(d, h)`, recurrent `(h, h)`, bias `(h,)`.
        #[must_use]
        pub fn new(w: &[f32], d: usize, h: usize) -> Self {
            let (kernel, rest) = w.split_at(d * h);
            let (recurrent, bias) = rest.split_at(h * h);
            Self {
                rows: fused_rows(kernel, recurrent, d, h, h),
                bias: bias.to_vec(),
                z: vec![0.0; h],
                h: vec![0.0; h],
            }
        }

        /// One timestep; returns the new hidden state.
        pub fn step(&mut self, x: &[f32]) -> &[f32] {
            for (z, (row, b)) in self.z.iter_mut().zip(self.rows.iter().zip(&self.bias)) {
                *z = (dot(row, x, &self.h) + b).tanh();
            }
            self.h.copy_from_slice(&self.z);
            &self.h
        }
    }

    /// Keras `LSTM(h)` (tanh, sigmoid), gates i, f, c, o.
    pub struct Lstm {
        rows: Vec<Vec<f32>>,
        bias: Vec<f32>,
        z: Vec<f32>,
        /// The hidden state.
        pub h: Vec<f32>,
        /// The cell state.
        pub c: Vec<f32>,
    }

    impl Lstm {
        /// From Keras `get_weights()`: kernel `(d, 4h)`, recurrent `(h, 4h)`, bias `(4h,)`.
        #[must_use]
        pub fn new(w: &[f32], d: usize, h: usize) -> Self {
            let (kernel, rest) = w.split_at(d * 4 * h);
            let (recurrent, bias) = rest.split_at(h * 4 * h);
            Self {
                rows: fused_rows(kernel, recurrent, d, h, 4 * h),
                bias: bias.to_vec(),
                z: vec![0.0; 4 * h],
                h: vec![0.0; h],
                c: vec![0.0; h],
            }
        }

        /// One timestep; returns the new hidden state.
        pub fn step(&mut self, x: &[f32]) -> &[f32] {
            for (z, (row, b)) in self.z.iter_mut().zip(self.rows.iter().zip(&self.bias)) {
                *z = dot(row, x, &self.h) + b;
            }
            let n = self.h.len();
            for k in 0..n {
                let i = sigmoid(self.z[k]);
                let f = sigmoid(self.z[n + k]);
                let g = self.z[2 * n + k].tanh();
                let o = sigmoid(self.z[3 * n + k]);
                self.c[k] = f * self.c[k] + i * g;
                self.h[k] = o * self.c[k].tanh();
            }
            &self.h
        }
    }

    /// Keras `GRU(h)` with `reset_after = true` (tanh, sigmoid), gates z, r, h.
    pub struct Gru {
        kernel_rows: Vec<Vec<f32>>,
        recurrent_rows: Vec<Vec<f32>>,
        input_bias: Vec<f32>,
        recurrent_bias: Vec<f32>,
        xz: Vec<f32>,
        hz: Vec<f32>,
        /// The hidden state.
        pub h: Vec<f32>,
    }

    impl Gru {
        /// From Keras `get_weights()`: kernel `(d, 3h)`, recurrent `(h, 3h)`, bias `(2, 3h)`.
        #[must_use]
        pub fn new(w: &[f32], d: usize, h: usize) -> Self {
            let g = 3 * h;
            let (kernel, rest) = w.split_at(d * g);
            let (recurrent, bias) = rest.split_at(h * g);
            let mut kernel_rows = vec![Vec::with_capacity(d); g];
            transpose_into(&mut kernel_rows, kernel, d);
            let mut recurrent_rows = vec![Vec::with_capacity(h); g];
            transpose_into(&mut recurrent_rows, recurrent, h);
            Self {
                kernel_rows,
                recurrent_rows,
                input_bias: bias[..g].to_vec(),
                recurrent_bias: bias[g..].to_vec(),
                xz: vec![0.0; g],
                hz: vec![0.0; g],
                h: vec![0.0; h],
            }
        }

        /// One timestep; returns the new hidden state.
        pub fn step(&mut self, x: &[f32]) -> &[f32] {
            for (z, (row, b)) in self
                .xz
                .iter_mut()
                .zip(self.kernel_rows.iter().zip(&self.input_bias))
            {
                *z = dot(row, x, &[]) + b;
            }
            for (z, (row, b)) in self
                .hz
                .iter_mut()
                .zip(self.recurrent_rows.iter().zip(&self.recurrent_bias))
            {
                *z = dot(row, &self.h, &[]) + b;
            }
            let n = self.h.len();
            for k in 0..n {
                let z = sigmoid(self.xz[k] + self.hz[k]);
                let r = sigmoid(self.xz[n + k] + self.hz[n + k]);
                let c = (self.xz[2 * n + k] + r * self.hz[2 * n + k]).tanh();
                self.h[k] = z * self.h[k] + (1.0 - z) * c;
            }
            &self.h
        }
    }

    /// Keras `Dense(u)`, linear.
    pub struct Dense {
        rows: Vec<Vec<f32>>,
        bias: Vec<f32>,
        /// The last output.
        pub y: Vec<f32>,
    }

    impl Dense {
        /// From Keras `get_weights()`: kernel `(d, u)`, bias `(u,)`.
        #[must_use]
        pub fn new(w: &[f32], d: usize, u: usize) -> Self {
            let (kernel, bias) = w.split_at(d * u);
            let mut rows = vec![Vec::with_capacity(d); u];
            transpose_into(&mut rows, kernel, d);
            Self {
                rows,
                bias: bias.to_vec(),
                y: vec![0.0; u],
            }
        }

        /// One timestep.
        pub fn step(&mut self, x: &[f32]) -> &[f32] {
            for (y, (row, b)) in self.y.iter_mut().zip(self.rows.iter().zip(&self.bias)) {
                *y = dot(row, x, &[]) + b;
            }
            &self.y
        }
    }
}

pub mod candle {
    //! candle-nn's `LSTM` and `GRU` with the Keras weights, reordered to PyTorch's layout
    //! (`weight_ih` `(G, d)` = Keras kernel transposed; GRU gates r, z, n instead of Keras's
    //! z, r, h), on the CPU device, batch 1, f32.

    use candle_core::{DType, Device, Tensor};
    use candle_nn::rnn::{GRUConfig, LSTMConfig, RNN};
    use std::collections::HashMap;

    pub use candle_nn::rnn::{GRUState, LSTMState};

    /// Keras `(d, g)` row-major to PyTorch `(g, d)` row-major, with gate blocks of `h` rows
    /// taken in `order`.
    fn torch_rows(keras: &[f32], d: usize, h: usize, order: &[usize]) -> Vec<f32> {
        let g = order.len() * h;
        let mut out = Vec::with_capacity(g * d);
        for &block in order {
            for r in block * h..(block + 1) * h {
                out.extend((0..d).map(|j| keras[j * g + r]));
            }
        }
        out
    }

    fn reorder(v: &[f32], h: usize, order: &[usize]) -> Vec<f32> {
        order
            .iter()
            .flat_map(|&b| v[b * h..(b + 1) * h].iter().copied())
            .collect()
    }

    fn tensor(v: Vec<f32>, shape: &[usize]) -> Tensor {
        Tensor::from_vec(v, shape, &Device::Cpu).expect("shape matches")
    }

    /// A candle-nn recurrent layer on `d` inputs, batch 1.
    pub struct Candle<L> {
        /// candle-nn's layer.
        pub layer: L,
        d: usize,
    }

    /// A recurrent state whose hidden values are a `(1, h)` tensor.
    pub trait Hidden {
        /// The hidden values.
        fn h(&self) -> &Tensor;
    }

    impl Hidden for LSTMState {
        fn h(&self) -> &Tensor {
            LSTMState::h(self)
        }
    }

    impl Hidden for GRUState {
        fn h(&self) -> &Tensor {
            GRUState::h(self)
        }
    }

    impl<L: RNN> Candle<L>
    where
        L::State: Hidden,
    {
        /// The zero state.
        ///
        /// # Panics
        /// Never for the CPU device.
        #[must_use]
        pub fn zero_state(&self) -> L::State {
            self.layer.zero_state(1).expect("zero state")
        }

        /// One timestep, as a user of candle writes it: the input becomes a `(1, d)` tensor.
        ///
        /// # Panics
        /// Never for these shapes.
        #[must_use]
        pub fn step(&self, state: &L::State, x: &[f32]) -> L::State {
            let x = Tensor::from_slice(x, (1, self.d), &Device::Cpu).expect("input");
            self.layer.step(&x, state).expect("step")
        }

        /// A whole `(1, T, d)` sequence through `RNN::seq`; returns the last hidden state.
        ///
        /// # Panics
        /// Never for these shapes.
        #[must_use]
        pub fn forward(&self, x: &Tensor) -> Tensor {
            let states = self.layer.seq(x).expect("seq");
            states.last().expect("a timestep").h().clone()
        }
    }

    /// An `LSTM(h)` on `d` inputs.
    pub type Lstm = Candle<candle_nn::LSTM>;

    impl Lstm {
        /// From Keras `get_weights()`.
        ///
        /// # Panics
        /// If candle rejects the shapes (it does not for these).
        #[must_use]
        pub fn new(w: &[f32], d: usize, h: usize) -> Self {
            let g = 4 * h;
            let (kernel, rest) = w.split_at(d * g);
            let (recurrent, bias) = rest.split_at(h * g);
            let order = [0, 1, 2, 3]; // i, f, c(g), o in both
            let mut map = HashMap::new();
            map.insert(
                "weight_ih_l0".to_owned(),
                tensor(torch_rows(kernel, d, h, &order), &[g, d]),
            );
            map.insert(
                "weight_hh_l0".to_owned(),
                tensor(torch_rows(recurrent, h, h, &order), &[g, h]),
            );
            map.insert("bias_ih_l0".to_owned(), tensor(bias.to_vec(), &[g]));
            map.insert("bias_hh_l0".to_owned(), tensor(vec![0.0; g], &[g]));
            let vb = candle_nn::VarBuilder::from_tensors(map, DType::F32, &Device::Cpu);
            let layer = candle_nn::lstm(d, h, LSTMConfig::default(), vb).expect("LSTM weights");
            Self { layer, d }
        }
    }

    /// A `GRU(h)` (Keras `reset_after = true`, PyTorch's formulation) on `d` inputs.
    pub type Gru = Candle<candle_nn::GRU>;

    impl Gru {
        /// From Keras `get_weights()`.
        ///
        /// # Panics
        /// If candle rejects the shapes (it does not for these).
        #[must_use]
        pub fn new(w: &[f32], d: usize, h: usize) -> Self {
            let g = 3 * h;
            let (kernel, rest) = w.split_at(d * g);
            let (recurrent, bias) = rest.split_at(h * g);
            let order = [1, 0, 2]; // PyTorch r, z, n from Keras z, r, h
            let mut map = HashMap::new();
            map.insert(
                "weight_ih_l0".to_owned(),
                tensor(torch_rows(kernel, d, h, &order), &[g, d]),
            );
            map.insert(
                "weight_hh_l0".to_owned(),
                tensor(torch_rows(recurrent, h, h, &order), &[g, h]),
            );
            map.insert(
                "bias_ih_l0".to_owned(),
                tensor(reorder(&bias[..g], h, &order), &[g]),
            );
            map.insert(
                "bias_hh_l0".to_owned(),
                tensor(reorder(&bias[g..], h, &order), &[g]),
            );
            let vb = candle_nn::VarBuilder::from_tensors(map, DType::F32, &Device::Cpu);
            let layer = candle_nn::gru(d, h, GRUConfig::default(), vb).expect("GRU weights");
            Self { layer, d }
        }
    }

    /// A `(1, T, d)` tensor of a sequence.
    ///
    /// # Panics
    /// Never.
    #[must_use]
    pub fn sequence<const D: usize>(x: &[[f32; D]]) -> Tensor {
        let flat: Vec<f32> = x.iter().flatten().copied().collect();
        Tensor::from_vec(flat, (1, x.len(), D), &Device::Cpu).expect("sequence")
    }

    /// A `(1, h)` tensor's values.
    ///
    /// # Panics
    /// Never for `(1, h)` f32 tensors.
    #[must_use]
    pub fn values(t: &Tensor) -> Vec<f32> {
        t.flatten_all()
            .and_then(|t| t.to_vec1())
            .expect("f32 values")
    }
}

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
