//! `cd benches && cargo bench --bench conv`: issue 15's convolutions. `step` of a causal
//! dilated stack before a GRU (the streaming audio model: 3 x conv1d(N, 3, causal,
//! dilation 1/2/4) + gru(N), one sample per call) and `forward` of keras.io's FCN
//! classifier (3 x conv1d + batch_normalization + relu, global average, dense) over 128
//! timesteps, each beside a hand-written scalar baseline of the same arithmetic in the same
//! process. The side-by-side with RTNeural's `Conv1DT` on these cells is
//! `benches/peers/rtneural-conv/` (`src/bin/conv_peer.rs` is its tinyrnn side).

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use tinyrnn_bench::conv::{Fcn, Stack8, Stack8State, Stack16, Stack16State, Stack32, Stack32State};
use tinyrnn_bench::{fcn_weights, inputs, uniform};

/// The scalar baseline of one causal convolution's `step`: the same taps over a ring of
/// past inputs, in `Vec`s.
struct ScalarConv {
    kernel: Vec<f32>, // (k, c, f) row-major, as Keras
    bias: Vec<f32>,
    k: usize,
    c: usize,
    f: usize,
    dilation: usize,
    past: Vec<Vec<f32>>,
    next: usize,
}

impl ScalarConv {
    fn new(k: usize, c: usize, f: usize, dilation: usize, seed: u64) -> Self {
        let w = uniform(k * c * f + f, seed, 0.3);
        let reach = (k - 1) * dilation;
        Self {
            kernel: w[..k * c * f].to_vec(),
            bias: w[k * c * f..].to_vec(),
            k,
            c,
            f,
            dilation,
            past: vec![vec![0.0; c]; reach],
            next: 0,
        }
    }

    fn step(&mut self, x: &[f32]) -> Vec<f32> {
        let reach = self.past.len();
        let mut y = self.bias.clone();
        for tap in 0..self.k {
            let lag = (self.k - 1 - tap) * self.dilation;
            let input = if lag == 0 {
                x
            } else {
                &self.past[(self.next + reach - lag) % reach]
            };
            for (ch, v) in input.iter().enumerate() {
                let row = &self.kernel[(tap * self.c + ch) * self.f..][..self.f];
                for (yf, w) in y.iter_mut().zip(row) {
                    *yf += v * w;
                }
            }
        }
        if reach > 0 {
            self.past[self.next].copy_from_slice(x);
            self.next = (self.next + 1) % reach;
        }
        y
    }
}

macro_rules! bench_stack {
    ($c:ident, $model:ident, $state:ident, $n:literal) => {{
        let net = $model::from_flat(&uniform($model::PARAMS, 3, 0.3)).expect("weights");
        let x = inputs::<1>(1, 5)[0];
        let mut g = $c.benchmark_group("conv_stack_step");
        let mut state = $state::new();
        g.bench_function(BenchmarkId::new("tinyrnn", $n), |b| {
            b.iter(|| net.step(&mut state, black_box(&x)))
        });
        // The baseline's convolutions only (its GRU is the rnn bench's scalar one).
        let mut convs = [
            ScalarConv::new(3, 1, $n, 1, 11),
            ScalarConv::new(3, $n, $n, 2, 12),
            ScalarConv::new(3, $n, $n, 4, 13),
        ];
        g.bench_function(BenchmarkId::new("scalar_convs_only", $n), |b| {
            b.iter(|| {
                let mut v = black_box(x).to_vec();
                for conv in &mut convs {
                    v = conv.step(&v);
                }
                v[0]
            })
        });
        g.finish();
    }};
}

fn fcn(c: &mut Criterion) {
    let net = Fcn::from_flat(&fcn_weights(Fcn::PARAMS)).expect("weights");
    let x: [[f32; 1]; 128] = inputs::<1>(128, 2).try_into().expect("128 steps");
    let mut g = c.benchmark_group("fcn_forward");
    g.throughput(Throughput::Elements(128));
    g.bench_function(BenchmarkId::new("tinyrnn", 128), |b| {
        b.iter(|| net.forward(black_box(&x)))
    });
    g.finish();
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    bench_stack!(c, Stack8, Stack8State, 8);
    bench_stack!(c, Stack16, Stack16State, 16);
    bench_stack!(c, Stack32, Stack32State, 32);
    fcn(&mut c);
    c.final_summary();
}
