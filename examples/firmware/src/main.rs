//! The tinyrnn firmware, run by `ci/firmware-check` on three cores under QEMU: a Cortex-M4F
//! (`mps2-an386`), and without an FPU, where every `f32` operation is a library call, a
//! Cortex-M0 (`microbit`) and a RV32IMC core (`sifive_e`); see `src/board.rs`.
//!
//! Runs the seed model, the lstm(16) model and a streaming conv + GRU model (weights in flash)
//! over fixed input sequences,
//! with `step` (streaming, one timestep at a time) and with `forward`, prints the outputs over
//! semihosting, and exits 0 only if every output equals the host's for the same weights and
//! inputs (`expected.rs`, written by the host test `tests/firmware.rs`) within
//! [`REL_TOL`]; it also counts how many are bit-exact. It also measures the stack each model
//! uses, by painting the stack and finding the lowest word that was overwritten, and brackets
//! each run with marker functions between which QEMU's execution log counts instructions.
//!
//! Then it trains: SGD steps of the seed model from its weights in flash (`src/train.rs`,
//! the host test's code too), and exits 0 only if every step's loss and every final weight
//! equal the host's bit for bit; it measures the stack the training uses (`backward`'s tape
//! is on it) and counts the instructions of each sample's `backward` and of each update.
//!
//! With a model's feature off (`--no-default-features`: an empty firmware), its run replays
//! the host's outputs instead: the same data, comparisons and printing, without the model,
//! so that the difference in size between two builds is the model's own.
#![no_std]
#![no_main]

use core::hint::black_box;
use tinyrnn_firmware::board::{self, hprintln};
use tinyrnn_firmware::expected as host;

/// The firmware's outputs must equal the host's within this relative error.
const REL_TOL: f32 = 1e-5;
/// Against Keras, the host tests' tolerance: `|got - want| <= KERAS_TOL * (1 + |want|)`.
const KERAS_TOL: f32 = 1e-5;

/// Marker functions: `ci/firmware-check` counts the instructions QEMU executes from a
/// `tinyrnn_mark_*` to the next `tinyrnn_mark_end`. Each body differs, so none are merged.
macro_rules! markers {
    ($($name:ident = $id:literal;)*) => {$(
        #[unsafe(no_mangle)]
        #[inline(never)]
        pub extern "C" fn $name() {
            black_box($id);
        }
    )*};
}

markers! {
    tinyrnn_mark_end = 0_u32;
    tinyrnn_mark_seed_steps = 1_u32;
    tinyrnn_mark_seed_forward = 2_u32;
    tinyrnn_mark_lstm_steps = 3_u32;
    tinyrnn_mark_lstm_forward = 4_u32;
    tinyrnn_mark_conv_steps = 5_u32;
    tinyrnn_mark_conv_forward = 6_u32;
    tinyrnn_mark_train_backward = 7_u32;
    tinyrnn_mark_train_update = 8_u32;
}

/// Stack high-water marks. [`Stack::new`], first thing in `main`, fills all free RAM below
/// `main`'s frame (down to the end of the statics) with [`stack::PAINT`]; a word that no
/// longer holds it was used by the stack.
mod stack {
    use core::ptr;
    use tinyrnn_firmware::board;

    /// What free stack is painted with (cortex-m-rt's `paint-stack` value).
    pub const PAINT: u32 = 0xCCCC_CCCC;

    /// The lowest address below `limit` whose paint is gone (`limit` if none is).
    #[inline(always)]
    fn lowest_used(limit: usize) -> usize {
        let mut p = board::stack_bottom();
        // SAFETY: free RAM between the statics and the stack pointer, word-aligned.
        while p < limit && unsafe { ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        p
    }

    /// Paints the free stack below the caller's frame; returns the stack pointer.
    #[inline(always)]
    fn fill() -> usize {
        let top = board::sp() & !3;
        let mut p = board::stack_bottom();
        while p < top {
            // SAFETY: free RAM below the stack pointer, which nothing else uses (no
            // interrupts are enabled); volatile, so the compiler keeps every write.
            unsafe { ptr::write_volatile(p as *mut u32, PAINT) };
            p += 4;
        }
        top
    }

    /// The whole program's lowest stack address so far.
    pub struct Stack {
        low: usize,
    }

    impl Stack {
        /// Paints all free stack. Inlined into `main`, whose frame (and the reset code's,
        /// above it) counts as used.
        #[inline(always)]
        pub fn new() -> Self {
            fill();
            Self {
                low: board::stack_top(),
            }
        }

        /// Repaints the free stack below the caller's frame; returns the stack pointer, from
        /// which [`Stack::used_since`] measures. Inlined, so that it runs in the caller's frame.
        #[inline(always)]
        pub fn paint(&mut self) -> usize {
            self.low = self.low.min(lowest_used(board::sp() & !3));
            fill()
        }

        /// Bytes of stack used below `top` since [`Stack::paint`] returned it.
        #[inline(always)]
        pub fn used_since(&mut self, top: usize) -> usize {
            let low = lowest_used(top);
            self.low = self.low.min(low);
            top - low
        }

        /// The whole program's stack high-water mark, in bytes.
        #[inline(always)]
        pub fn high_water(&mut self) -> usize {
            self.low = self.low.min(lowest_used(board::sp() & !3));
            board::stack_top() - self.low
        }
    }
}

/// One model's test: its data, how to run it, and where its weights are.
struct Case<const F: usize, const N: usize, const T: usize, const S: usize> {
    name: &'static str,
    dsl: &'static str,
    /// Address and size of the weights; `None` in a firmware built without the model.
    weights: Option<(usize, usize)>,
    /// Bytes of the model's state (what `step` carries; the RAM a stream needs besides the
    /// stack), 0 without the model.
    state: usize,
    inputs: &'static [[[f32; F]; T]; S],
    host_steps: &'static [[[f32; N]; T]; S],
    host_forward: &'static [[f32; N]; S],
    keras: Option<&'static [[f32; N]; S]>,
    steps: fn(usize, &[[f32; F]; T], &mut [[f32; N]; T]),
    forward: fn(usize, &[[f32; F]; T], &mut [f32; N]),
    mark_steps: extern "C" fn(),
    mark_forward: extern "C" fn(),
}

/// Counts the outputs compared with the host's: bit-exact, within [`REL_TOL`], or not.
#[derive(Default)]
struct Tally {
    values: usize,
    exact: usize,
    bad: usize,
    max_rel: f32,
}

impl Tally {
    fn add(&mut self, what: &str, s: usize, t: usize, got: f32, want: f32) {
        self.values += 1;
        if got.to_bits() == want.to_bits() {
            self.exact += 1;
            return;
        }
        let rel = if got == want {
            0.0
        } else {
            (got - want).abs() / want.abs()
        };
        if !(rel <= REL_TOL) {
            self.bad += 1;
            hprintln!(
                "  MISMATCH {} sequence {} t {}: got {:?}, host {:?}",
                what,
                s,
                t,
                got,
                want
            );
        }
        if !(rel <= self.max_rel) {
            self.max_rel = rel;
        }
    }
}

/// Runs one model over every sequence, then compares and prints. Returns whether it passed.
fn check<const F: usize, const N: usize, const T: usize, const S: usize>(
    case: &Case<F, N, T, S>,
    stack: &mut stack::Stack,
) -> bool {
    let mut steps = [[[0.0_f32; N]; T]; S];
    let mut forward = [[0.0_f32; N]; S];
    let top = stack.paint();
    for s in 0..S {
        let x = black_box(&case.inputs[s]);
        (case.mark_steps)();
        (case.steps)(s, x, &mut steps[s]);
        tinyrnn_mark_end();
        (case.mark_forward)();
        (case.forward)(s, x, &mut forward[s]);
        tinyrnn_mark_end();
    }
    let used = stack.used_since(top);

    hprintln!(
        "{}: {} ({} sequences of {} timesteps)",
        case.name,
        case.dsl,
        S,
        T
    );
    match case.weights {
        Some((address, bytes)) => {
            let place = if board::in_ram(address) {
                "RAM"
            } else {
                "flash"
            };
            hprintln!(
                "  weights: {} bytes at {:#010x} ({})",
                bytes,
                address,
                place
            );
        }
        None => hprintln!("  weights: none (no model: replays the host's outputs)"),
    }
    hprintln!("  state: {} bytes", case.state);
    let mut tally = Tally::default();
    for s in 0..S {
        for t in 0..T {
            for u in 0..N {
                tally.add("step", s, t, steps[s][t][u], case.host_steps[s][t][u]);
            }
        }
        for u in 0..N {
            let (got, want) = (forward[s][u], case.host_forward[s][u]);
            tally.add("forward", s, T, got, want);
            hprintln!(
                "  sequence {} unit {}: forward {:?} ({:#010x}), last step {:?}, host {:?}",
                s,
                u,
                got,
                got.to_bits(),
                steps[s][T - 1][u],
                want
            );
        }
    }
    let ok = tally.bad == 0;
    hprintln!(
        "  against the host: {} values ({} step outputs, {} forward), {} bit-exact, max relative error {:e}: {}",
        tally.values,
        S * T * N,
        S * N,
        tally.exact,
        tally.max_rel,
        if ok { "ok" } else { "FAIL" }
    );
    let mut keras_ok = true;
    if let Some(keras) = case.keras {
        let mut max_err = 0.0_f32;
        for s in 0..S {
            for u in 0..N {
                let (got, want) = (forward[s][u], keras[s][u]);
                let err = (got - want).abs();
                keras_ok &= err <= KERAS_TOL * (1.0 + want.abs());
                if !(err <= max_err) {
                    max_err = err;
                }
            }
        }
        hprintln!(
            "  against Keras: max |error| {:e}, within {:e} * (1 + |want|): {}",
            max_err,
            KERAS_TOL,
            if keras_ok { "ok" } else { "FAIL" }
        );
    }
    hprintln!(
        "  stack: {} bytes below the caller for step and forward",
        used
    );
    // One line per model for ci/firmware-check.
    hprintln!(
        "RESULT {} timesteps={} sequences={} values={} exact={} stack={} state={} ok={}",
        case.name,
        T,
        S,
        tally.values,
        tally.exact,
        used,
        case.state,
        ok && keras_ok
    );
    ok && keras_ok
}

// The runs: the model's when it is built in, else a replay of the host's outputs.

#[cfg(feature = "seed")]
fn seed_steps(_: usize, x: &[[f32; 3]; 50], out: &mut [[f32; 1]; 50]) {
    tinyrnn_firmware::tinyrnn_seed_steps(x, out);
}
#[cfg(feature = "seed")]
fn seed_forward(_: usize, x: &[[f32; 3]; 50], out: &mut [f32; 1]) {
    tinyrnn_firmware::tinyrnn_seed_forward(x, out);
}
#[cfg(not(feature = "seed"))]
fn seed_steps(s: usize, x: &[[f32; 3]; 50], out: &mut [[f32; 1]; 50]) {
    black_box(x);
    *out = *black_box(&host::SEED_STEPS[s]);
}
#[cfg(not(feature = "seed"))]
fn seed_forward(s: usize, x: &[[f32; 3]; 50], out: &mut [f32; 1]) {
    black_box(x);
    *out = *black_box(&host::SEED_FORWARD[s]);
}

#[cfg(feature = "lstm")]
fn lstm_steps(_: usize, x: &[[f32; 4]; 20], out: &mut [[f32; 1]; 20]) {
    tinyrnn_firmware::tinyrnn_lstm_steps(x, out);
}
#[cfg(feature = "lstm")]
fn lstm_forward(_: usize, x: &[[f32; 4]; 20], out: &mut [f32; 1]) {
    tinyrnn_firmware::tinyrnn_lstm_forward(x, out);
}
#[cfg(not(feature = "lstm"))]
fn lstm_steps(s: usize, x: &[[f32; 4]; 20], out: &mut [[f32; 1]; 20]) {
    black_box(x);
    *out = *black_box(&host::LSTM_STEPS[s]);
}
#[cfg(not(feature = "lstm"))]
fn lstm_forward(s: usize, x: &[[f32; 4]; 20], out: &mut [f32; 1]) {
    black_box(x);
    *out = *black_box(&host::LSTM_FORWARD[s]);
}

#[cfg(feature = "conv")]
fn conv_steps(_: usize, x: &[[f32; 1]; 32], out: &mut [[f32; 1]; 32]) {
    tinyrnn_firmware::tinyrnn_conv_steps(x, out);
}
#[cfg(feature = "conv")]
fn conv_forward(_: usize, x: &[[f32; 1]; 32], out: &mut [f32; 1]) {
    tinyrnn_firmware::tinyrnn_conv_forward(x, out);
}
#[cfg(not(feature = "conv"))]
fn conv_steps(s: usize, x: &[[f32; 1]; 32], out: &mut [[f32; 1]; 32]) {
    black_box(x);
    *out = *black_box(&host::CONV_STEPS[s]);
}
#[cfg(not(feature = "conv"))]
fn conv_forward(s: usize, x: &[[f32; 1]; 32], out: &mut [f32; 1]) {
    black_box(x);
    *out = *black_box(&host::CONV_FORWARD[s]);
}

// Training: the seed model's, when it is built in, else a replay of the host's results.

/// The training's marks: the marker functions around each `backward` and each update.
#[cfg(feature = "train")]
struct Markers;

#[cfg(feature = "train")]
impl tinyrnn_firmware::train::Marks for Markers {
    fn backward(&mut self) {
        tinyrnn_mark_train_backward();
    }
    fn update(&mut self) {
        tinyrnn_mark_train_update();
    }
    fn end(&mut self) {
        tinyrnn_mark_end();
    }
}

/// Trains a copy of the seed model (on the stack) on the host's samples; writes its final
/// weights (`write_flat`) and each step's loss.
#[cfg(feature = "train")]
fn train_run(
    weights: &mut [f32; tinyrnn_firmware::Seed::PARAMS],
    losses: &mut [f32; tinyrnn_firmware::train::STEPS],
) {
    let mut net = black_box(&tinyrnn_firmware::SEED).clone();
    let (xs, ys) = black_box((&host::TRAIN_INPUTS, &host::TRAIN_TARGETS));
    tinyrnn_firmware::train::train(&mut net, xs, ys, losses, &mut Markers);
    if net.write_flat(weights).is_err() {
        weights.fill(f32::NAN);
    }
}
#[cfg(not(feature = "train"))]
fn train_run<const W: usize, const L: usize>(weights: &mut [f32; W], losses: &mut [f32; L]) {
    black_box((&host::TRAIN_INPUTS, &host::TRAIN_TARGETS));
    weights.copy_from_slice(black_box(&host::TRAIN_WEIGHTS[..]));
    losses.copy_from_slice(black_box(&host::TRAIN_LOSSES[..]));
}

/// Runs the training steps, then compares with the host's results (bit for bit: the same
/// code on the same data) and prints. Returns whether it passed.
fn check_training<const W: usize, const L: usize>(
    host_weights: &'static [f32; W],
    host_losses: &'static [f32; L],
    run: fn(&mut [f32; W], &mut [f32; L]),
    stack: &mut stack::Stack,
) -> bool {
    let mut weights = [0.0_f32; W];
    let mut losses = [0.0_f32; L];
    let top = stack.paint();
    run(&mut weights, &mut losses);
    let used = stack.used_since(top);

    let samples = host::TRAIN_INPUTS.len();
    let batch = samples / L;
    let timesteps = host::TRAIN_INPUTS[0].len();
    let tape = tinyrnn_firmware::Seed::TAPE_BYTES;
    hprintln!(
        "train: the seed model from its weights in flash, {} SGD steps of {} samples ({} timesteps each), mean squared error",
        L,
        batch,
        timesteps
    );
    if cfg!(not(feature = "train")) {
        hprintln!("  no training: replays the host's results");
    }
    hprintln!(
        "  backward's tape: {} bytes (on the stack); weights: {} values",
        tape,
        W
    );
    let mut tally = Tally::default();
    for (k, (&got, &want)) in losses.iter().zip(host_losses).enumerate() {
        tally.add("loss", 0, k, got, want);
        hprintln!(
            "  step {}: loss {:?} ({:#010x}), host {:?}",
            k + 1,
            got,
            got.to_bits(),
            want
        );
    }
    for (i, (&got, &want)) in weights.iter().zip(host_weights).enumerate() {
        tally.add("weight", 0, i, got, want);
    }
    let ok = tally.bad == 0 && tally.exact == tally.values;
    hprintln!(
        "  against the host: {} values ({} losses, {} final weights), {} bit-exact: {}",
        tally.values,
        L,
        W,
        tally.exact,
        if ok { "ok" } else { "FAIL" }
    );
    hprintln!("  stack: {} bytes below the caller for the training", used);
    hprintln!(
        "RESULT train steps={} batch={} timesteps={} values={} exact={} stack={} tape={} ok={}",
        L,
        batch,
        timesteps,
        tally.values,
        tally.exact,
        used,
        tape,
        ok
    );
    ok
}

/// Bytes of a model's state type when the model is built in.
macro_rules! state_bytes {
    ($feature:literal, $state:ident) => {{
        #[cfg(feature = $feature)]
        let bytes = core::mem::size_of::<tinyrnn_firmware::$state>();
        #[cfg(not(feature = $feature))]
        let bytes = 0;
        bytes
    }};
}

#[cfg_attr(target_arch = "arm", cortex_m_rt::entry)]
#[cfg_attr(target_arch = "riscv32", riscv_rt::entry)]
fn main() -> ! {
    let mut stack = stack::Stack::new();
    hprintln!(
        "tinyrnn firmware: {}, weights in flash, checked against the host",
        board::NAME
    );

    #[cfg(feature = "seed")]
    let seed_weights = Some((
        core::ptr::from_ref(&tinyrnn_firmware::SEED) as usize,
        core::mem::size_of::<tinyrnn_firmware::Seed>(),
    ));
    #[cfg(not(feature = "seed"))]
    let seed_weights = None;
    let seed_ok = check(
        &Case {
            name: "seed",
            dsl: "input [50, 3]; simple_rnn(2); dense(1)",
            weights: seed_weights,
            state: state_bytes!("seed", SeedState),
            inputs: &host::SEED_INPUTS,
            host_steps: &host::SEED_STEPS,
            host_forward: &host::SEED_FORWARD,
            keras: Some(&host::SEED_KERAS),
            steps: seed_steps,
            forward: seed_forward,
            mark_steps: tinyrnn_mark_seed_steps,
            mark_forward: tinyrnn_mark_seed_forward,
        },
        &mut stack,
    );

    #[cfg(feature = "lstm")]
    let lstm_weights = Some((
        core::ptr::from_ref(&tinyrnn_firmware::LSTM) as usize,
        core::mem::size_of::<tinyrnn_firmware::Lstm16>(),
    ));
    #[cfg(not(feature = "lstm"))]
    let lstm_weights = None;
    let lstm_ok = check(
        &Case {
            name: "lstm16",
            dsl: "input [20, 4]; lstm(16); dense(1)",
            weights: lstm_weights,
            state: state_bytes!("lstm", Lstm16State),
            inputs: &host::LSTM_INPUTS,
            host_steps: &host::LSTM_STEPS,
            host_forward: &host::LSTM_FORWARD,
            keras: None,
            steps: lstm_steps,
            forward: lstm_forward,
            mark_steps: tinyrnn_mark_lstm_steps,
            mark_forward: tinyrnn_mark_lstm_forward,
        },
        &mut stack,
    );

    #[cfg(feature = "conv")]
    let conv_weights = Some((
        core::ptr::from_ref(&tinyrnn_firmware::CONV) as usize,
        core::mem::size_of::<tinyrnn_firmware::ConvGru>(),
    ));
    #[cfg(not(feature = "conv"))]
    let conv_weights = None;
    let conv_ok = check(
        &Case {
            name: "conv",
            dsl: "input [32, 1]; conv1d(8, 3, padding = causal) dilated 1, 2, 4; gru(8); dense(1)",
            weights: conv_weights,
            state: state_bytes!("conv", ConvGruState),
            inputs: &host::CONV_INPUTS,
            host_steps: &host::CONV_STEPS,
            host_forward: &host::CONV_FORWARD,
            keras: None,
            steps: conv_steps,
            forward: conv_forward,
            mark_steps: tinyrnn_mark_conv_steps,
            mark_forward: tinyrnn_mark_conv_forward,
        },
        &mut stack,
    );

    let train_ok = check_training(
        &host::TRAIN_WEIGHTS,
        &host::TRAIN_LOSSES,
        train_run,
        &mut stack,
    );

    let ok = seed_ok && lstm_ok && conv_ok && train_ok;
    hprintln!("RESULT program stack={}", stack.high_water());
    hprintln!("firmware: {}", if ok { "PASS" } else { "FAIL" });
    board::exit(ok)
}

// A panic or a fault prints what happened and ends the run with status 1 (rather than
// looping until ci/firmware-check's timeout).

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    hprintln!("PANIC: {}", info);
    board::exit(false)
}

/// A fault (a bad address, an undefined instruction): where it happened.
#[cfg(target_arch = "arm")]
#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    hprintln!("HARD FAULT at pc {:#010x}", frame.pc());
    board::exit(false)
}

/// A trap (a bad address, an illegal instruction, such as a float instruction on a core
/// without the F extension): its cause and where it happened.
#[cfg(target_arch = "riscv32")]
#[unsafe(export_name = "ExceptionHandler")]
fn exception(_: &riscv_rt::TrapFrame) -> ! {
    hprintln!(
        "TRAP mcause {:#x} at pc {:#010x}",
        riscv::register::mcause::read().bits(),
        riscv::register::mepc::read()
    );
    board::exit(false)
}
