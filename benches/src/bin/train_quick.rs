//! Development aid, not a benchmark of record: `cargo run --release --bin train_quick`
//! prints, for the `train` bench's cells, the median time of `forward` and `backward` on
//! one 100-step sequence (interleaved runs, plain `Instant`) and their ratio, for quick A/B
//! checks while changing the backward pass. `train_quick <cell> <forward|backward> <n>`
//! runs one of them n times, for `valgrind --tool=callgrind`. BENCHMARKS.md's figures come
//! from `cargo bench --bench train`.

use std::hint::black_box;
use std::time::Instant;
use tinyrnn::train::Loss;
use tinyrnn_bench::{Kind, SEQ, inputs, n8, n16, n32, n64, weights};

type Run = Box<dyn FnMut(bool)>;

macro_rules! cell {
    ($m:ident, $model:ident, $kind:expr) => {{
        let name = format!("{}{}", $kind.name(), $m::N);
        let net = $m::$model::boxed_from_flat(&weights($kind, $m::N, $m::N)).expect("weights");
        let x: Box<[[f32; $m::N]; SEQ]> = inputs::<{ $m::N }>(SEQ, 7)
            .into_boxed_slice()
            .try_into()
            .expect("SEQ steps");
        let y = [0.5_f32; $m::N];
        let mut grads =
            $m::$model::boxed_from_flat(&vec![0.0; $m::$model::PARAMS]).expect("zeros");
        let run: Run = Box::new(move |backward| {
            if backward {
                black_box(net.backward(black_box(&x), &y, Loss::MeanSquaredError, &mut grads));
            } else {
                black_box(net.forward(black_box(&x)));
            }
        });
        (name, run)
    }};
}

fn main() {
    let mut cells: Vec<(String, Run)> = vec![
        cell!(n8, Rnn, Kind::SimpleRnn),
        cell!(n8, Lstm, Kind::Lstm),
        cell!(n8, Gru, Kind::Gru),
        cell!(n16, Lstm, Kind::Lstm),
        cell!(n16, Gru, Kind::Gru),
        cell!(n32, Lstm, Kind::Lstm),
        cell!(n32, Gru, Kind::Gru),
        cell!(n64, Rnn, Kind::SimpleRnn),
        cell!(n64, Lstm, Kind::Lstm),
        cell!(n64, Gru, Kind::Gru),
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [cell, which, n] = &args[..] {
        let n: u32 = n.parse().expect("a count");
        let (_, run) = cells.iter_mut().find(|(name, _)| name == cell).expect("a cell");
        for _ in 0..n {
            run(which == "backward");
        }
        return;
    }
    for (name, run) in &mut cells {
        let mut times = [Vec::new(), Vec::new()];
        for _ in 0..15 {
            for (backward, times) in [false, true].into_iter().zip(&mut times) {
                let t = Instant::now();
                for _ in 0..20 {
                    run(backward);
                }
                times.push(t.elapsed().as_secs_f64() * 1e9 / 20.0 / SEQ as f64);
            }
        }
        let [f, b] = times.map(|mut v| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        });
        println!("{name:10} forward {f:8.1} ns/step  backward {b:8.1} ns/step  {:.2}x", b / f);
    }
}
