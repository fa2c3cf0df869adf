//! Measures how much stack `forward` and `step` use: `cargo run --release --bin stack`.
//!
//! Each measurement runs on a thread with a 1 MiB stack, in a child process (a stack overflow
//! aborts the process): the thread first recurses through `levels` frames of a known size
//! (about 300 bytes each), then makes the call. Bisection finds the deepest recursion after
//! which the call still fits; the same search for an empty call is subtracted, which leaves
//! the call's own use, to within one frame. Weights and inputs live on the heap; only the
//! call's frames count.

use std::hint::black_box;
use std::process::Command;
use tinyrnn_bench::{Kind, Seed, SeedState, inputs, n64, n128, uniform, weights};

const STACK: usize = 1 << 20;

/// Recurses through `levels` frames with a 32-byte pad each, then calls `f`.
#[inline(never)]
fn eat(levels: usize, f: &mut dyn FnMut()) {
    let pad = [0_u8; 32];
    black_box(&pad);
    if levels == 0 {
        f();
    } else {
        eat(levels - 1, f);
    }
    black_box(&pad);
}

/// Runs `what` after `levels` frames, on a thread with `stack` bytes of stack; returns only
/// if it did not overflow.
fn trial(what: &str, levels: usize, stack: usize) {
    let run: Box<dyn FnMut() + Send> = match what {
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
    let mut run = run;
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            eat(levels, &mut *run);
        })
        .expect("thread")
        .join()
        .expect("no panic");
}

/// The deepest recursion after which `what` still runs on a `stack`-byte thread, by
/// bisection in child processes.
fn deepest(what: &str, stack: usize) -> usize {
    let me = std::env::current_exe().expect("own path");
    let fits = |levels: usize| {
        Command::new(&me)
            .args(["--trial", what, &levels.to_string(), &stack.to_string()])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("child runs")
            .success()
    };
    let (mut lo, mut hi) = (0, stack / 16); // 0 fits, hi cannot
    assert!(fits(lo), "{what} does not fit in {stack} bytes");
    while hi - lo > 1 {
        let mid = (lo + hi) / 2;
        if fits(mid) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, what, levels, stack] = args.as_slice()
        && flag == "--trial"
    {
        trial(
            what,
            levels.parse().expect("a depth"),
            stack.parse().expect("a size"),
        );
        return;
    }
    // One more MiB of stack holds this many more frames: the frame size, exactly.
    let base = deepest("noop", STACK);
    #[allow(clippy::cast_precision_loss, reason = "small counts")]
    let frame = STACK as f64 / (deepest("noop", 2 * STACK) - base) as f64;
    println!("one recursion frame is {frame:.1} bytes; an empty call fits after {base} frames");
    for what in [
        "seed_step",
        "seed_forward",
        "lstm64_step",
        "lstm64_forward",
        "lstm128_step",
    ] {
        #[allow(clippy::cast_precision_loss, reason = "small counts")]
        let bytes = (base - deepest(what, STACK)) as f64 * frame;
        println!("{what}: {bytes:.0} bytes (+/- {frame:.0})");
    }
}
