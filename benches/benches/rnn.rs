//! `cd benches && cargo bench`: per-timestep latency (`step`, batch 1) and whole-sequence
//! throughput (`forward` over `SEQ` timesteps) of tinyrnn, hand-written scalar loops and
//! candle-nn, for simple_rnn, lstm, gru and dense with input = units = N, and the seed model.
//!
//! Benchmark ids: `{layer}_{step|forward}/{impl}/{N}`. `forward` times are for `SEQ` steps;
//! `table.py` turns criterion's medians into BENCHMARKS.md's table (ns/step).
//! Any argument is passed to criterion (`cargo bench -- lstm_step` runs only those).

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use tinyrnn_bench::{Kind, SEQ, Seed, SeedState, candle, inputs, scalar, uniform, weights};

macro_rules! bench_size {
    ($c:ident, $m:ident) => {{
        use tinyrnn_bench::$m as m;
        const N: usize = m::N;
        let x = inputs::<N>(SEQ, 7);
        let xs: [[f32; N]; SEQ] = x.clone().try_into().expect("SEQ steps");
        let xt = x[0];

        macro_rules! ours {
            ($kind:expr, $model:ident, $state:ident) => {{
                let kind: Kind = $kind;
                let net = m::$model::from_flat(&weights(kind, N, N)).expect("weights");
                let mut g = $c.benchmark_group(format!("{}_step", kind.name()));
                let mut state = m::$state::new();
                g.bench_function(BenchmarkId::new("tinyrnn", N), |b| {
                    b.iter(|| net.step(&mut state, black_box(&xt)))
                });
                let mut hand = scalar_for!(kind, N);
                g.bench_function(BenchmarkId::new("scalar", N), |b| {
                    b.iter(|| black_box(hand.step(black_box(&xt))[0]))
                });
                candle_step!(kind, g, N, xt);
                g.finish();

                let mut g = $c.benchmark_group(format!("{}_forward", kind.name()));
                g.throughput(Throughput::Elements(SEQ as u64));
                g.bench_function(BenchmarkId::new("tinyrnn", N), |b| {
                    b.iter(|| net.forward(black_box(&xs)))
                });
                let mut hand = scalar_for!(kind, N);
                g.bench_function(BenchmarkId::new("scalar", N), |b| {
                    b.iter(|| {
                        hand.reset();
                        let mut last = 0.0;
                        for xt in black_box(&xs) {
                            last = hand.step(xt)[0];
                        }
                        last
                    })
                });
                candle_forward!(kind, g, N, x);
                g.finish();
            }};
        }

        ours!(Kind::SimpleRnn, Rnn, RnnState);
        ours!(Kind::Lstm, Lstm, LstmState);
        ours!(Kind::Gru, Gru, GruState);
        ours!(Kind::Dense, Dense, DenseState);
    }};
}

/// The scalar baseline of a kind, behind one type so that the macro above can call it.
enum Hand {
    Rnn(scalar::SimpleRnn),
    Lstm(scalar::Lstm),
    Gru(scalar::Gru),
    Dense(scalar::Dense),
}

impl Hand {
    fn new(kind: Kind, n: usize) -> Self {
        let w = weights(kind, n, n);
        match kind {
            Kind::SimpleRnn => Hand::Rnn(scalar::SimpleRnn::new(&w, n, n)),
            Kind::Lstm => Hand::Lstm(scalar::Lstm::new(&w, n, n)),
            Kind::Gru => Hand::Gru(scalar::Gru::new(&w, n, n)),
            Kind::Dense => Hand::Dense(scalar::Dense::new(&w, n, n)),
        }
    }

    #[inline]
    fn step(&mut self, x: &[f32]) -> &[f32] {
        match self {
            Hand::Rnn(l) => l.step(x),
            Hand::Lstm(l) => l.step(x),
            Hand::Gru(l) => l.step(x),
            Hand::Dense(l) => l.step(x),
        }
    }

    fn reset(&mut self) {
        match self {
            Hand::Rnn(l) => l.h.fill(0.0),
            Hand::Lstm(l) => {
                l.h.fill(0.0);
                l.c.fill(0.0);
            }
            Hand::Gru(l) => l.h.fill(0.0),
            Hand::Dense(_) => {}
        }
    }
}

macro_rules! scalar_for {
    ($kind:expr, $n:expr) => {
        Hand::new($kind, $n)
    };
}

macro_rules! candle_step {
    ($kind:expr, $g:ident, $n:expr, $xt:expr) => {
        match $kind {
            Kind::Lstm => {
                let l = candle::Lstm::new(&weights(Kind::Lstm, $n, $n), $n, $n);
                let mut s = l.zero_state();
                $g.bench_function(BenchmarkId::new("candle", $n), |b| {
                    b.iter(|| s = l.step(&s, black_box(&$xt)))
                });
            }
            Kind::Gru => {
                let l = candle::Gru::new(&weights(Kind::Gru, $n, $n), $n, $n);
                let mut s = l.zero_state();
                $g.bench_function(BenchmarkId::new("candle", $n), |b| {
                    b.iter(|| s = l.step(&s, black_box(&$xt)))
                });
            }
            Kind::SimpleRnn | Kind::Dense => {}
        }
    };
}

macro_rules! candle_forward {
    ($kind:expr, $g:ident, $n:expr, $x:expr) => {
        let seq = candle::sequence(&$x);
        match $kind {
            Kind::Lstm => {
                let l = candle::Lstm::new(&weights(Kind::Lstm, $n, $n), $n, $n);
                $g.bench_function(BenchmarkId::new("candle", $n), |b| {
                    b.iter(|| l.forward(black_box(&seq)))
                });
            }
            Kind::Gru => {
                let l = candle::Gru::new(&weights(Kind::Gru, $n, $n), $n, $n);
                $g.bench_function(BenchmarkId::new("candle", $n), |b| {
                    b.iter(|| l.forward(black_box(&seq)))
                });
            }
            Kind::SimpleRnn | Kind::Dense => {}
        }
    };
}

fn seed(c: &mut Criterion) {
    let net = Seed::from_flat(&uniform(Seed::PARAMS, 1, 0.5)).expect("weights");
    let x: [[f32; 3]; 50] = inputs::<3>(50, 3).try_into().expect("50 steps");
    let mut g = c.benchmark_group("seed_step");
    let mut state = SeedState::new();
    g.bench_function(BenchmarkId::new("tinyrnn", 2), |b| {
        b.iter(|| net.step(&mut state, black_box(&x[0])))
    });
    g.finish();
    let mut g = c.benchmark_group("seed_forward");
    g.throughput(Throughput::Elements(50));
    g.bench_function(BenchmarkId::new("tinyrnn", 2), |b| {
        b.iter(|| net.forward(black_box(&x)))
    });
    g.finish();
}

/// Weight alignment: lstm(N) with a dense(1) head (a struct aligned to 4 bytes), `step`
/// with the model at a cache line (inside `tinyrnn::Aligned`) and 4 bytes past one (the
/// worst case: every 64-byte load of a weight column straddles two lines).
macro_rules! alignment {
    ($c:ident, $($m:ident)*) => {{
        let mut g = $c.benchmark_group("lstm_head_step");
        $(
            {
                use tinyrnn_bench::$m as m;
                let w = uniform(m::LstmHead::PARAMS, 5, 0.17);
                let net = m::LstmHead::from_flat(&w).expect("weights");
                let x = inputs::<{ m::N }>(1, 7)[0];
                let aligned = Box::new(tinyrnn::Aligned(net.clone()));
                let mut state = m::LstmHeadState::new();
                g.bench_function(BenchmarkId::new("aligned", m::N), |b| {
                    b.iter(|| aligned.step(&mut state, black_box(&x)))
                });
                // 17 copies in a row: one of them starts 4 bytes past a cache line.
                let slots = vec![net; 17];
                let off = slots
                    .iter()
                    .position(|s| (&raw const *s) as usize % 64 == 4)
                    .expect("16 consecutive 4-byte-aligned offsets cover 4 mod 64");
                let mut state = m::LstmHeadState::new();
                g.bench_function(BenchmarkId::new("off_by_4", m::N), |b| {
                    b.iter(|| slots[off].step(&mut state, black_box(&x)))
                });
            }
        )*
        g.finish();
    }};
}

/// A chain of 1000 dependent `imul`, `shr`, `xor` (3 + 1 + 1 cycles on x86-64): its time
/// gives the clock this thread actually got during the run (`table.py` prints it).
fn clock(c: &mut Criterion) {
    fn chain(mut x: u64) -> u64 {
        for _ in 0..1000 {
            x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 29;
        }
        x
    }
    let mut g = c.benchmark_group("clock");
    g.bench_function(BenchmarkId::new("mul_shift_xor_chain", 1000), |b| {
        b.iter(|| chain(black_box(1)))
    });
    g.finish();
}

/// The roofline: how fast this core reads an array of `KIB` KiB already in its caches (a
/// vectorised integer sum). A layer step reads every weight once, 2 FLOP per 4-byte weight, so
/// GFLOP/s cannot exceed half these GB/s once the weights leave L1.
fn bandwidth(c: &mut Criterion) {
    let mut g = c.benchmark_group("read");
    for kib in [16_usize, 128, 512] {
        let v: Vec<u32> = (0..kib * 256)
            .map(|i| u32::try_from(i).unwrap_or(0))
            .collect();
        g.throughput(Throughput::Bytes((kib * 1024) as u64));
        g.bench_function(BenchmarkId::new("sum_u32", kib), |b| {
            b.iter(|| black_box(&v).iter().fold(0_u32, |a, &x| a.wrapping_add(x)))
        });
    }
    g.finish();
}

fn main() {
    // candle parallelises its matmul over RAYON_NUM_THREADS (default: every core). The
    // comparison is one core against one core, so pin it to 1 unless the caller chose.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        let status = std::process::Command::new(std::env::current_exe().expect("own path"))
            .args(std::env::args_os().skip(1))
            .env("RAYON_NUM_THREADS", "1")
            .status()
            .expect("re-run with RAYON_NUM_THREADS=1");
        std::process::exit(status.code().unwrap_or(1));
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    clock(&mut c);
    bandwidth(&mut c);
    seed(&mut c);
    bench_size!(c, n8);
    bench_size!(c, n16);
    bench_size!(c, n32);
    bench_size!(c, n64);
    bench_size!(c, n128);
    alignment!(c, n16 n32 n64);
    clock(&mut c);
    c.final_summary();
}
