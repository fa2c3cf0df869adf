//! tinyrnn side of issue 17's many-streams comparison: `step_many` (B streams advanced one
//! timestep together) against `step` called B times, for lstm(N) and gru(N) with input =
//! units = N; `benches/many_peers.py` runs it beside PyTorch's `nn.LSTM` / `nn.GRU` (batch B,
//! one timestep per call, one thread) and prints BENCHMARKS.md's table.
//!
//! Usage: `many_peer [--quick]`. One line of JSON per cell on stdout:
//! `{"kind":"lstm","n":64,"b":16,"many_ns":..,"single_ns":..,"flop":..,"ghz":..}`: the
//! median time of one `step_many` call, of B `step` calls, the multiply-add FLOPs of one
//! call (2 per weight per stream), and the clock this thread got (a dependent chain of
//! known latency, as `benches/rnn.rs`'s `clock`).

use std::hint::black_box;
use std::time::Instant;
use tinyrnn_bench::{Kind, flops, uniform};

macro_rules! models {
    ($($module:ident = $n:tt;)*) => {
        $(
            mod $module {
                tinyrnn::model! { pub struct Lstm; input [_, $n]; lstm($n); }
                tinyrnn::model! { pub struct Gru; input [_, $n]; gru($n); }
                pub const N: usize = $n;
            }
        )*
    };
}

models! {
    n64 = 64;
    n128 = 128;
    n256 = 256;
}

/// Median nanoseconds of one call of `f`, over 9 rounds of calls lasting about `budget_ms`.
fn median_ns(mut f: impl FnMut(), budget_ms: f64) -> f64 {
    for _ in 0..20 {
        f();
    }
    let start = Instant::now();
    let mut calls = 0_u32;
    while start.elapsed().as_secs_f64() * 1e3 < budget_ms / 4.0 {
        f();
        calls += 1;
    }
    let per_round = (calls * 4).max(3);
    let mut rounds: Vec<f64> = (0..9)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per_round {
                f();
            }
            t.elapsed().as_secs_f64() * 1e9 / f64::from(per_round)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[4]
}

/// GHz this thread runs at: 1000 iterations of a multiply (3 cycles), shift and xor (1
/// each) that depend on each other: 5000 cycles.
fn ghz() -> f64 {
    fn chain(mut x: u64) -> u64 {
        for _ in 0..1000 {
            x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 29;
        }
        x
    }
    5000.0 / median_ns(|| {
        black_box(chain(black_box(1)));
    }, 20.0)
}

macro_rules! cell {
    ($m:ident, $model:ident, $state:ident, $kind:expr, $b:literal, $budget:expr) => {{
        const N: usize = $m::N;
        const B: usize = $b;
        let kind: Kind = $kind;
        let net = $m::$model::boxed_from_flat(&tinyrnn_bench::weights(kind, N, N)).expect("weights");
        let xs: Box<[[f32; N]; B]> = uniform(N * B, 5, 1.0)
            .chunks_exact(N)
            .map(|c| <[f32; N]>::try_from(c).expect("N values"))
            .collect::<Vec<_>>()
            .into_boxed_slice()
            .try_into()
            .expect("B inputs");
        let mut states: Box<[$m::$state; B]> = Box::new(core::array::from_fn(|_| $m::$state::new()));
        let many_ns = median_ns(
            || {
                black_box(net.step_many(&mut states, black_box(&xs)));
            },
            $budget,
        );
        let single_ns = median_ns(
            || {
                for (state, x) in states.iter_mut().zip(black_box(&*xs)) {
                    black_box(net.step(state, x));
                }
            },
            $budget,
        );
        let clock = ghz();
        println!(
            "{{\"kind\":\"{}\",\"n\":{N},\"b\":{B},\"many_ns\":{many_ns:.1},\"single_ns\":{single_ns:.1},\"flop\":{},\"ghz\":{clock:.3}}}",
            kind.name(),
            B * flops(kind, N, N),
        );
    }};
}

macro_rules! size {
    ($m:ident, $budget:expr) => {{
        cell!($m, Lstm, LstmState, Kind::Lstm, 1, $budget);
        cell!($m, Lstm, LstmState, Kind::Lstm, 4, $budget);
        cell!($m, Lstm, LstmState, Kind::Lstm, 16, $budget);
        cell!($m, Lstm, LstmState, Kind::Lstm, 64, $budget);
        cell!($m, Gru, GruState, Kind::Gru, 1, $budget);
        cell!($m, Gru, GruState, Kind::Gru, 4, $budget);
        cell!($m, Gru, GruState, Kind::Gru, 16, $budget);
        cell!($m, Gru, GruState, Kind::Gru, 64, $budget);
    }};
}

fn main() {
    let budget = if std::env::args().any(|a| a == "--quick") { 20.0 } else { 100.0 };
    size!(n64, budget);
    size!(n128, budget);
    size!(n256, budget);
}
