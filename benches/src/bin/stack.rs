//! Measures how much stack `forward` and `step` use: `cargo run --release --bin stack`.
//!
//! Each measurement runs the call on a fresh thread with a given stack size, in a child
//! process (a stack overflow aborts the process), and bisects for the smallest size that
//! works. The same search for a thread that does nothing but receive the model is subtracted,
//! which leaves the call's own use. Thread stacks come in 4 KiB pages, so results are
//! rounded up to whole pages. Weights and inputs live on the heap; only the call's frames count.

use std::hint::black_box;
use std::process::Command;
use tinyrnn_bench::{Kind, Seed, SeedState, inputs, n64, n128, uniform, weights};

/// Runs `what` on a thread with `bytes` of stack; returns only if it did not overflow.
fn trial(what: &str, bytes: usize) {
    let run: Box<dyn FnOnce() + Send> = match what {
        "noop" => {
            let w = Box::new(uniform(64, 1, 1.0));
            Box::new(move || {
                black_box(&w);
            })
        }
        "seed_forward" => {
            let net = Seed::boxed_from_flat(&uniform(Seed::PARAMS, 1, 0.5)).expect("weights");
            let x: Box<[[f32; 3]; 50]> = Box::new(inputs::<3>(50, 3).try_into().expect("50"));
            Box::new(move || {
                black_box(net.forward(black_box(&x)));
            })
        }
        "seed_step" => {
            let net = Seed::boxed_from_flat(&uniform(Seed::PARAMS, 1, 0.5)).expect("weights");
            Box::new(move || {
                let mut s = SeedState::new();
                black_box(net.step(&mut s, black_box(&[0.5, 0.25, -1.0])));
            })
        }
        "lstm64_forward" => {
            let net = n64::Lstm::boxed_from_flat(&weights(Kind::Lstm, 64, 64)).expect("weights");
            let x: Box<[[f32; 64]; 100]> = inputs::<64>(100, 7)
                .into_boxed_slice()
                .try_into()
                .expect("100");
            Box::new(move || {
                black_box(net.forward(black_box(&x)));
            })
        }
        "lstm64_step" => {
            let net = n64::Lstm::boxed_from_flat(&weights(Kind::Lstm, 64, 64)).expect("weights");
            Box::new(move || {
                let mut s = n64::LstmState::new();
                black_box(net.step(&mut s, black_box(&[0.5; 64])));
            })
        }
        "lstm128_step" => {
            let net = n128::Lstm::boxed_from_flat(&weights(Kind::Lstm, 128, 128)).expect("weights");
            Box::new(move || {
                let mut s = n128::LstmState::new();
                black_box(net.step(&mut s, black_box(&[0.5; 128])));
            })
        }
        other => panic!("unknown measurement {other}"),
    };
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(run)
        .expect("thread")
        .join()
        .expect("no panic");
}

/// The smallest stack (in 4 KiB pages) on which `what` runs, by bisection in child processes.
fn smallest(what: &str) -> usize {
    let me = std::env::current_exe().expect("own path");
    let fits = |pages: usize| {
        Command::new(&me)
            .args(["--trial", what, &(pages * 4096).to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("child runs")
            .success()
    };
    let (mut lo, mut hi) = (0, 16 * 256); // 0 fails, 16 MiB fits
    assert!(fits(hi), "{what} needs more than 16 MiB");
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, what, bytes] = args.as_slice()
        && flag == "--trial"
    {
        trial(what, bytes.parse().expect("a size"));
        return;
    }
    let base = smallest("noop");
    println!(
        "a thread that only receives the model needs {} KiB of stack",
        base * 4
    );
    for what in [
        "seed_step",
        "seed_forward",
        "lstm64_step",
        "lstm64_forward",
        "lstm128_step",
    ] {
        let pages = smallest(what);
        println!(
            "{what}: {} KiB ({} pages over the empty thread)",
            (pages - base) * 4,
            pages - base
        );
    }
}
