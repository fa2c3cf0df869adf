//! tinyrnn side of issue 15's comparison with RTNeural's `Conv1DT`, the twin of
//! `benches/peers/rtneural-conv/rtn_conv.cpp` (same cells, weights, input, loop, statistics
//! and output lines; README.md there says how to build and run both, interleaved).
//!
//! Cells, N = 8, 16, 32, one sample per call, the state carried (`net.step(&mut state, &x)`):
//! `stackN` is benches/conv.rs's stack (3 x `conv1d(N, 3, padding = causal)`, dilation 1, 2,
//! 4, then `gru(N)`), `convsN` the same convolutions without the GRU. With `--fcn`, `fcn128`:
//! `forward` of conv.rs's `Fcn` (keras.io's FCN classifier) over 128 timesteps.
//! Weights `uniform(PARAMS, 3, 0.3)` in Keras order, input `inputs::<1>(1, 5)[0]`, as
//! conv.rs; the FCN's `fcn_weights` (`uniform(PARAMS, 9, 0.3)`, each moving variance `v`
//! made `0.5 + v`) and input `inputs::<1>(128, 2)`, as conv.rs. Models boxed and 64-byte
//! aligned (`boxed_aligned_from_flat`), as RTNeural's Eigen members are aligned.
//!
//! Usage: `conv_peer [--check] [--fcn] [--only CELL] [steps=200000] [reps=3]` (`--only`: that
//! cell alone, for profilers). Lines
//! `tinyrnn <cell> block_ns r1 r2 .. | chunk_med <ns>` (ns per call: the mean of each block of
//! `steps` calls, the median of 1000-call chunks; `fcn128`: `steps / 100` calls in chunks of
//! 10), or with `--check` the outputs after 10 calls from a fresh state.

use std::hint::black_box;
use std::time::Instant;
use tinyrnn_bench::conv::{
    Convs8, Convs8State, Convs16, Convs16State, Convs32, Convs32State, Fcn, Stack8, Stack8State,
    Stack16, Stack16State, Stack32, Stack32State,
};
use tinyrnn_bench::{fcn_weights, inputs, uniform};

/// The `--only` cell, if any.
static ONLY: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();

fn selected(name: &str) -> bool {
    ONLY.get()
        .and_then(Option::as_deref)
        .is_none_or(|only| only == name)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Times `call` as rtn_conv.cpp does: `calls / 10` (at least 100) warm-up calls, then `reps`
/// blocks of `calls` calls in chunks of `chunk`; prints the line.
fn time_cell(name: &str, mut call: impl FnMut(), calls: usize, chunk: usize, reps: usize) {
    for _ in 0..(calls / 10).max(100) {
        call();
    }
    let mut blocks = Vec::new();
    let mut chunks = Vec::new();
    for _ in 0..reps {
        let t0 = Instant::now();
        let mut tc = t0;
        for _ in 0..calls / chunk {
            for _ in 0..chunk {
                call();
            }
            let t = Instant::now();
            chunks.push((t - tc).as_secs_f64() * 1e9 / chunk as f64);
            tc = t;
        }
        blocks.push((tc - t0).as_secs_f64() * 1e9 / (calls / chunk * chunk) as f64);
    }
    let b: Vec<String> = blocks.iter().map(|b| format!("{b:.2}")).collect();
    println!(
        "tinyrnn  {name:8} block_ns {} | chunk_med {:.2}",
        b.join(" "),
        median(chunks)
    );
}

/// Prints the first four and the last of `y`, as rtn_conv.cpp's `--check`.
fn print_check(name: &str, y: &[f32]) {
    println!(
        "check {name:8} {:.9} {:.9} {:.9} {:.9} {:.9}",
        y[0],
        y[1],
        y[2],
        y[3],
        y[y.len() - 1]
    );
}

macro_rules! cell {
    ($name:expr, $model:ident, $state:ident, $check:expr, $steps:expr, $reps:expr) => {
        if selected($name) {
            cell!(@run $name, $model, $state, $check, $steps, $reps);
        }
    };
    (@run $name:expr, $model:ident, $state:ident, $check:expr, $steps:expr, $reps:expr) => {{
        let net = $model::boxed_aligned_from_flat(&uniform($model::PARAMS, 3, 0.3)).expect("weights");
        let x = inputs::<1>(1, 5)[0];
        let mut state = $state::new();
        if $check {
            let mut y = net.step(&mut state, &x);
            for _ in 1..10 {
                y = net.step(&mut state, &x);
            }
            print_check($name, &y);
        } else {
            time_cell(
                $name,
                || {
                    black_box(net.step(&mut state, black_box(&x)));
                },
                $steps,
                1000,
                $reps,
            );
        }
    }};
}

fn fcn(check: bool, steps: usize, reps: usize) {
    let w = fcn_weights(Fcn::PARAMS);
    let net = Fcn::boxed_aligned_from_flat(&w).expect("weights");
    let x: Box<[[f32; 1]; 128]> = inputs::<1>(128, 2)
        .into_boxed_slice()
        .try_into()
        .expect("128 steps");
    if check {
        let y = net.forward(&x);
        println!(
            "check {:8} {:.9} {:.9} {:.9} {:.9}",
            "fcn128", y[0], y[1], y[2], y[3]
        );
    } else {
        time_cell(
            "fcn128",
            || {
                black_box(net.forward(black_box(&x)));
            },
            steps / 100,
            10,
            reps,
        );
    }
}

fn main() {
    let mut check = false;
    let mut with_fcn = false;
    let mut steps = 200_000_usize;
    let mut reps = 3_usize;
    let mut pos = 0;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--check" => check = true,
            "--fcn" => with_fcn = true,
            "--only" => only = args.next(),
            _ => {
                if pos == 0 {
                    steps = a.parse().expect("steps");
                } else {
                    reps = a.parse().expect("reps");
                }
                pos += 1;
            }
        }
    }
    ONLY.set(only).expect("set once");
    cell!("stack8", Stack8, Stack8State, check, steps, reps);
    cell!("stack16", Stack16, Stack16State, check, steps, reps);
    cell!("stack32", Stack32, Stack32State, check, steps, reps);
    cell!("convs8", Convs8, Convs8State, check, steps, reps);
    cell!("convs16", Convs16, Convs16State, check, steps, reps);
    cell!("convs32", Convs32, Convs32State, check, steps, reps);
    if with_fcn && selected("fcn128") {
        fcn(check, steps, reps);
    }
}
