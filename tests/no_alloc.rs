//! `forward` and `step` allocate nothing: a counting global allocator watches this thread
//! while every kind of model runs.
#![allow(
    unsafe_code,
    reason = "a global allocator is unsafe by definition; this one only counts"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: forwards every call to `System` unchanged; it only counts this thread's calls.

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

tinyrnn::model! {
    struct Seed;
    input [50, 3];
    simple_rnn(2);
    dense(1);
}

tinyrnn::model! {
    struct Stack;
    input [_, 4];
    dense(8, activation = relu);
    gru(6, return_sequences = true);
    dropout(0.2);
    lstm(5, return_sequences = true);
    dense(2, activation = softmax);
}

tinyrnn::model! {
    struct Both;
    input [20, 3];
    bidirectional(lstm(4, return_sequences = true));
    gru(3, go_backwards = true);
    dense(1);
}

tinyrnn::model! {
    struct Ids;
    input [_];
    embedding(40, 4, mask_zero = true);
    normalization();
    lstm(5);
    repeat_vector(3);
    gru(2, return_sequences = true);
}

tinyrnn::model! {
    struct Masked;
    input [6, 3];
    masking();
    simple_rnn(4, return_sequences = true);
    batch_normalization();
    gru(3);
    flatten();
    prelu();
}

tinyrnn::model! {
    struct Audio;
    input [_, 1];
    conv1d(4, 3, padding = causal);
    conv1d(4, 3, padding = causal, dilation_rate = 2, groups = 2);
    gru(3, return_sequences = true);
}

tinyrnn::model! {
    struct Windows;
    input [16, 2];
    zero_padding1d([1, 2]);
    conv1d(4, 3, strides = 2, padding = same);
    batch_normalization();
    relu();
    max_pooling1d(2);
    up_sampling1d(3);
    cropping1d(1);
    average_pooling1d(3, strides = 2);
    lstm(3, return_sequences = true);
    global_average_pooling1d();
    dense(2);
}

tinyrnn::model! {
    struct Slid;
    input [_, 2];
    conv1d(4, 3, padding = same);
    average_pooling1d(2);
    gru(3, return_sequences = true);
}

tinyrnn::model! {
    struct Bag;
    input [7];
    embedding(100, 3, mask_zero = true);
    global_average_pooling1d();
    dense(1);
}

fn weights(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| ((i * 37 % 101) as f32 / 101.0) - 0.5)
        .collect()
}

#[test]
fn forward_and_step_allocate_nothing() {
    let seed = Seed::from_flat(&weights(Seed::PARAMS)).unwrap();
    let stack = Stack::from_flat(&weights(Stack::PARAMS)).unwrap();
    let both = Both::from_flat(&weights(Both::PARAMS)).unwrap();
    let ids = Ids::from_flat(&weights(Ids::PARAMS)).unwrap();
    let masked = Masked::from_flat(&weights(Masked::PARAMS)).unwrap();
    let audio = Audio::from_flat(&weights(Audio::PARAMS)).unwrap();
    let windows = Windows::from_flat(&weights(Windows::PARAMS)).unwrap();
    let bag = Bag::from_flat(&weights(Bag::PARAMS)).unwrap();
    let slid = Slid::from_flat(&weights(Slid::PARAMS)).unwrap();
    let mut slid_out = [[0.0; 3]; 8];
    let x16 = [[0.3, -0.2]; 16];
    let samples = [[0.5], [-0.25], [1.0], [0.0], [0.75]];
    let mut audio_out = [[0.0; 3]; 5];
    let tokens = [3_u32, 0, 7, 39, 0, 12, 99];
    let x6 = [
        [0.3, -0.2, 0.9],
        [0.0; 3],
        [0.5, 0.1, 0.0],
        [0.0; 3],
        [1.0; 3],
        [0.0; 3],
    ];
    let x50 = [[0.3, -0.2, 0.9]; 50];
    let x20 = [[0.3, -0.2, 0.9]; 20];
    let x7 = [[0.1, 0.2, -0.3, 0.4]; 7];
    let mut out = [[0.0; 2]; 7];
    let mut sink = 0.0;

    let n = allocations(|| {
        sink += seed.forward(&x50)[0];
        let mut state = SeedState::new();
        for xt in &x50 {
            sink += seed.step(&mut state, xt)[0];
        }
        stack.forward(&x7, &mut out).unwrap();
        let mut state = StackState::new();
        for xt in &x7 {
            sink += stack.step(&mut state, xt)[1];
        }
        state.reset();
        sink += both.forward(&x20)[0];
        sink += ids.forward(&tokens)[2][1];
        sink += ids.try_forward(&tokens).map_or(1.0, |y| y[0][0]);
        sink += masked.forward(&x6)[0];
        let mut state = MaskedState::new();
        for xt in &x6 {
            sink += masked.step(&mut state, xt)[0];
        }
        audio.forward(&samples, &mut audio_out).unwrap();
        let mut state = AudioState::new();
        for xt in &samples {
            sink += audio.step(&mut state, xt)[2];
        }
        sink += windows.forward(&x16)[1];
        sink += bag.forward(&tokens)[0];
        slid.forward(&x16, &mut slid_out).unwrap();
        sink += slid_out[7][0];
    });
    assert_eq!(n, 0, "forward/step allocated {n} times");
    assert!(sink.is_finite());
    // The counter works: a Vec allocates.
    assert_eq!(allocations(|| drop(std::hint::black_box(vec![1_u8]))), 1);
}
