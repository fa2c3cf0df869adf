//! `step_many` of lstm(256) (columns of exactly 4 KiB) at 16 placements of its stack and
//! heap: issue 17's figures for the order and packing of `kernel::many_sweep`.
//!
//! Each measurement runs in a frame pushed 256 bytes further down the stack than the one
//! before (a page's worth of offsets in 16 steps) with the model, inputs and states
//! allocated afresh, because `step_many`'s gate sums live on the stack and the weights on
//! the heap, and their offsets within a page decide whether the core's 4 KiB store-to-load
//! address check stalls the loads. Prints per B the median and lowest % of the FMA peak
//! (64 FLOP/cycle at the clock measured here) and each placement's figure.
//!
//! Usage: `many_placements` (pinned: `taskset -c 1`); a few seconds. Run it several times,
//! interleaved with the build it is compared with: the machine drifts between runs.

use std::hint::black_box;
use std::time::Instant;
use tinyrnn_bench::{Kind, flops, uniform, weights};

tinyrnn::model! { pub struct Lstm; input [_, 256]; lstm(256); }

/// GHz this thread runs at: a chain of 1000 multiplies (3 cycles), shifts and xors (1
/// each), 5000 cycles, as `many_peer`'s `ghz`.
fn ghz() -> f64 {
    let mut best = f64::INFINITY;
    for _ in 0..200 {
        let t = Instant::now();
        let mut x = black_box(1_u64);
        for _ in 0..1000 {
            x = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            x ^= x >> 29;
        }
        black_box(x);
        best = best.min(t.elapsed().as_secs_f64() * 1e9);
    }
    5000.0 / best
}

/// % of the peak of `B` streams' `step_many`, median of 5 rounds of `800 / B` calls.
#[inline(never)]
fn run<const B: usize>(peak_gflops: f64) -> f64 {
    let net = Lstm::boxed_from_flat(&weights(Kind::Lstm, 256, 256)).expect("weights");
    let v = uniform(256 * B, 5, 1.0);
    let xs: Box<[[f32; 256]; B]> = Box::new(core::array::from_fn(|b| {
        core::array::from_fn(|i| v[256 * b + i])
    }));
    let mut states: Box<[LstmState; B]> = Box::new(core::array::from_fn(|_| LstmState::new()));
    for _ in 0..10 {
        black_box(net.step_many(&mut states, black_box(&xs)));
    }
    let calls = 800 / B;
    let mut rounds: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..calls {
                black_box(net.step_many(&mut states, black_box(&xs)));
            }
            t.elapsed().as_secs_f64() * 1e9 / calls as f64
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    100.0 * (B * flops(Kind::Lstm, 256, 256)) as f64 / rounds[2] / peak_gflops
}

/// [`run`] in a frame `K` bytes deeper.
#[inline(never)]
fn placed<const K: usize, const B: usize>(peak_gflops: f64) -> f64 {
    let pad = [0_u8; K];
    black_box(&pad);
    run::<B>(peak_gflops)
}

macro_rules! placements {
    ($b:literal, $peak:expr; $($k:literal)*) => {{
        vec![$(placed::<$k, $b>($peak)),*]
    }};
}

macro_rules! report {
    ($($b:literal)*) => {$({
        let peak = 64.0 * ghz();
        let each = placements!($b, peak;
            1 256 512 768 1024 1280 1536 1792 2048 2304 2560 2816 3072 3328 3584 3840);
        let mut sorted = each.clone();
        sorted.sort_by(f64::total_cmp);
        let list: Vec<String> = each.iter().map(|p| format!("{p:.0}")).collect();
        println!(
            "B={:<2} median {:4.1}% lowest {:4.1}%  [{}]",
            $b,
            sorted[8],
            sorted[0],
            list.join(" ")
        );
    })*};
}

fn main() {
    report!(4 8 16 64);
}
