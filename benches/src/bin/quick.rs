//! Development aid, not a benchmark of record: `cargo run --release --bin quick` prints the
//! median `step` time of lstm and gru at N = 8..128 (interleaved runs, plain `Instant`), for
//! quick A/B checks while changing the kernel. BENCHMARKS.md's figures come from `cargo bench`.
//!
//! Extra cases: `linN` is lstm(N) with linear activations (the matrix-vector product and
//! the element-wise work alone), `lDx32` is lstm(32) on D inputs (weights of 28 to 36 KiB,
//! either side of the 32 KiB L1 data cache), `hdN+k` is lstm(N) with a dense(1) head
//! (aligned to 4 bytes only) placed k bytes past a cache line, `hdN+al` the same inside
//! `tinyrnn::Aligned`.

use std::hint::black_box;
use std::time::Instant;
use tinyrnn_bench::{Kind, inputs, n8, n16, n32, n64, n128, weights};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// A case: runs `step` the given number of times, returns ns per call.
type Timer = Box<dyn FnMut(u32) -> f64>;

/// The case that runs `one_step` and times it.
fn timed(mut one_step: impl FnMut() + 'static) -> Timer {
    Box::new(move |iters: u32| {
        let t = Instant::now();
        for _ in 0..iters {
            one_step();
        }
        t.elapsed().as_secs_f64() * 1e9 / f64::from(iters)
    })
}

macro_rules! timer {
    ($m:ident, $model:ident, $state:ident, $kind:expr) => {{
        let net = $m::$model::from_flat(&weights($kind, $m::N, $m::N)).expect("weights");
        let x = inputs::<{ $m::N }>(1, 7)[0];
        let mut state = $m::$state::new();
        timed(move || {
            black_box(net.step(&mut state, black_box(&x)));
        })
    }};
}

/// Shapes around the L1 boundary, and linear-activation variants.
mod probe {
    tinyrnn::model! { pub struct Lin32; input [1, 32]; lstm(32, activation = linear, recurrent_activation = linear); }
    tinyrnn::model! { pub struct Lin8; input [1, 8]; lstm(8, activation = linear, recurrent_activation = linear); }
    tinyrnn::model! { pub struct Lin16; input [1, 16]; lstm(16, activation = linear, recurrent_activation = linear); }
    tinyrnn::model! { pub struct Head16; input [1, 16]; lstm(16); dense(1); }
    tinyrnn::model! { pub struct Head32; input [1, 32]; lstm(32); dense(1); }
    tinyrnn::model! { pub struct L24; input [1, 24]; lstm(32); }
    tinyrnn::model! { pub struct L28; input [1, 28]; lstm(32); }
    tinyrnn::model! { pub struct L36; input [1, 36]; lstm(32); }
    tinyrnn::model! { pub struct L40; input [1, 40]; lstm(32); }
}

macro_rules! probe {
    ($model:ident, $state:ident, $d:expr) => {{
        let w = tinyrnn_bench::uniform(probe::$model::PARAMS, 3, 0.17);
        let net = probe::$model::from_flat(&w).expect("weights");
        let x = [0.5_f32; $d];
        let mut state = probe::$state::new();
        timed(move || {
            black_box(net.step(&mut state, black_box(&x)));
        })
    }};
}

/// A model with a `dense(1)` head (size not a multiple of 64, so aligned to 4 only) boxed at
/// `pad` bytes past a 64-byte boundary, or inside `tinyrnn::Aligned`.
macro_rules! headed {
    ($model:ident, $state:ident, $d:expr, $pad:expr) => {{
        let w = tinyrnn_bench::uniform(probe::$model::PARAMS, 3, 0.17);
        let net = probe::$model::from_flat(&w).expect("weights");
        let x = [0.5_f32; $d];
        let mut state = probe::$state::new();
        // A buffer of models; the one at the wanted offset is used.
        let slots: Vec<probe::$model> = vec![net; 17];
        let at = slots
            .iter()
            .position(|m| (&raw const *m) as usize % 64 == $pad)
            .unwrap_or(0);
        eprintln!(
            "{} at {} mod 64",
            stringify!($model),
            (&raw const slots[at]) as usize % 64
        );
        timed(move || {
            black_box(slots[at].step(&mut state, black_box(&x)));
        })
    }};
    ($model:ident, $state:ident, $d:expr) => {{
        let w = tinyrnn_bench::uniform(probe::$model::PARAMS, 3, 0.17);
        let net = Box::new(tinyrnn::Aligned(
            probe::$model::from_flat(&w).expect("weights"),
        ));
        let x = [0.5_f32; $d];
        let mut state = probe::$state::new();
        timed(move || {
            black_box(net.step(&mut state, black_box(&x)));
        })
    }};
}

fn main() {
    let mut cases: Vec<(&str, Timer)> = vec![
        ("lstm8", timer!(n8, Lstm, LstmState, Kind::Lstm)),
        ("lstm16", timer!(n16, Lstm, LstmState, Kind::Lstm)),
        ("lstm32", timer!(n32, Lstm, LstmState, Kind::Lstm)),
        ("lin8", probe!(Lin8, Lin8State, 8)),
        ("lin16", probe!(Lin16, Lin16State, 16)),
        ("lin32", probe!(Lin32, Lin32State, 32)),
        ("l24x32", probe!(L24, L24State, 24)),
        ("l28x32", probe!(L28, L28State, 28)),
        ("l36x32", probe!(L36, L36State, 36)),
        ("l40x32", probe!(L40, L40State, 40)),
        ("hd16+0", headed!(Head16, Head16State, 16, 0)),
        ("hd16+4", headed!(Head16, Head16State, 16, 4)),
        ("hd16+al", headed!(Head16, Head16State, 16)),
        ("hd32+0", headed!(Head32, Head32State, 32, 0)),
        ("hd32+4", headed!(Head32, Head32State, 32, 4)),
        ("hd32+al", headed!(Head32, Head32State, 32)),
        ("lstm64", timer!(n64, Lstm, LstmState, Kind::Lstm)),
        ("lstm128", timer!(n128, Lstm, LstmState, Kind::Lstm)),
        ("gru8", timer!(n8, Gru, GruState, Kind::Gru)),
        ("gru16", timer!(n16, Gru, GruState, Kind::Gru)),
        ("gru32", timer!(n32, Gru, GruState, Kind::Gru)),
        ("gru64", timer!(n64, Gru, GruState, Kind::Gru)),
        ("gru128", timer!(n128, Gru, GruState, Kind::Gru)),
        ("rnn32", timer!(n32, Rnn, RnnState, Kind::SimpleRnn)),
        ("dense32", timer!(n32, Dense, DenseState, Kind::Dense)),
    ];
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); cases.len()];
    for _ in 0..21 {
        for (i, (_, f)) in cases.iter_mut().enumerate() {
            let once = f(100);
            let iters = (2e6 / once.max(1.0)).clamp(100.0, 1e6) as u32;
            times[i].push(f(iters));
        }
    }
    for ((name, _), t) in cases.iter().zip(times) {
        println!("{name:8} {:8.1} ns", median(t));
    }
}
