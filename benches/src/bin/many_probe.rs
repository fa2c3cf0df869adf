//! Development aid: `step_many` of lstm(64) over 16 streams in a loop for a few seconds,
//! through `probe_lstm64_many16` (not inlined), for `perf record -e cpu-clock`.
use std::hint::black_box;
use tinyrnn_bench::{Kind, n64, probe_lstm64_many16, uniform, weights};

fn main() {
    let net = n64::Lstm::boxed_from_flat(&weights(Kind::Lstm, 64, 64)).expect("weights");
    let v = uniform(64 * 16, 5, 1.0);
    let xs: [[f32; 64]; 16] = core::array::from_fn(|b| core::array::from_fn(|i| v[64 * b + i]));
    let mut states: [n64::LstmState; 16] = core::array::from_fn(|_| n64::LstmState::new());
    let start = std::time::Instant::now();
    let mut n = 0_u64;
    while start.elapsed().as_secs_f64() < 3.0 {
        for _ in 0..100 {
            black_box(probe_lstm64_many16(&net, &mut states, black_box(&xs)));
        }
        n += 100;
    }
    println!("{:.0} ns per call", start.elapsed().as_secs_f64() * 1e9 / n as f64);
}
