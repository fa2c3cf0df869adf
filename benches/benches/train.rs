//! `cd benches && cargo bench --bench train`: issue 16's goal, `backward` under 3x
//! `forward`. For `simple_rnn(N)`, `lstm(N)` and `gru(N)` on 100 timesteps (the `rnn`
//! bench's models, input = units = N), the time of `forward` and of `backward` (its own
//! forward pass keeping the tape, the loss's gradient, back through time) on one sequence,
//! in the same process.

use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;
use tinyrnn::train::Loss;
use tinyrnn_bench::{Kind, SEQ, inputs, n8, n16, n32, n64, weights};

macro_rules! cell {
    ($c:ident, $m:ident, $model:ident, $kind:expr) => {{
        let name = format!("{}{}", $kind.name(), $m::N);
        let net = $m::$model::boxed_from_flat(&weights($kind, $m::N, $m::N)).expect("weights");
        let x: Box<[[f32; $m::N]; SEQ]> = inputs::<{ $m::N }>(SEQ, 7)
            .into_boxed_slice()
            .try_into()
            .expect("SEQ steps");
        let y = [0.5_f32; $m::N];
        let mut g = $c.benchmark_group("train");
        g.throughput(Throughput::Elements(SEQ as u64));
        g.bench_function(BenchmarkId::new("forward", &name), |b| {
            b.iter(|| net.forward(black_box(&x)))
        });
        let mut grads = $m::$model::boxed_from_flat(&vec![0.0; $m::$model::PARAMS]).expect("zeros");
        g.bench_function(BenchmarkId::new("backward", &name), |b| {
            b.iter(|| net.backward(black_box(&x), &y, Loss::MeanSquaredError, &mut grads))
        });
        g.finish();
    }};
}

fn main() {
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .configure_from_args();
    cell!(c, n8, Rnn, Kind::SimpleRnn);
    cell!(c, n8, Lstm, Kind::Lstm);
    cell!(c, n8, Gru, Kind::Gru);
    cell!(c, n16, Lstm, Kind::Lstm);
    cell!(c, n16, Gru, Kind::Gru);
    cell!(c, n32, Lstm, Kind::Lstm);
    cell!(c, n32, Gru, Kind::Gru);
    cell!(c, n64, Rnn, Kind::SimpleRnn);
    cell!(c, n64, Lstm, Kind::Lstm);
    cell!(c, n64, Gru, Kind::Gru);
    c.final_summary();
}
