//! `Net::boxed_from_flat` never builds the model on the stack: an `lstm(256)` (2 MiB of
//! weights, as large as a test thread's whole stack) and a `bidirectional(lstm(256))` (4 MiB)
//! load and run on a 64 KiB stack.

tinyrnn::model! {
    pub struct Big;
    input [_, 256];
    lstm(256);
    dense(1);
}

tinyrnn::model! {
    /// 4 MiB of weights in a wrapper, which loads its two layers in place too.
    pub struct BigBidirectional;
    input [4, 256];
    bidirectional(lstm(256));
    dense(1);
}

tinyrnn::model! {
    pub struct Seed;
    input [50, 3];
    simple_rnn(2);
    dense(1);
}

fn weights(n: usize) -> Vec<f32> {
    #[allow(clippy::cast_precision_loss, reason = "small values")]
    (0..n)
        .map(|i| ((i * 7919) % 201) as f32 / 1000.0 - 0.1)
        .collect()
}

/// Runs `f` on a thread with a stack of `bytes`; a stack overflow aborts the test binary.
fn on_stack<T: Send + 'static>(bytes: usize, f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(bytes)
        .spawn(f)
        .expect("thread starts")
        .join()
        .expect("thread does not panic")
}

#[test]
fn lstm256_loads_and_steps_on_a_64_kib_stack() {
    assert!(
        std::mem::size_of::<Big>() > 2 << 20,
        "bigger than a test thread's stack"
    );
    let w = weights(Big::PARAMS);
    let (net, y) = on_stack(64 << 10, move || {
        let net = Big::boxed_from_flat(&w).expect("PARAMS weights");
        let mut state = Box::new(BigState::new());
        let y = net.step(&mut state, &[0.5; 256]);
        (net, y)
    });
    // The same weights through the stack constructor, on a stack large enough for it.
    let w = weights(Big::PARAMS);
    let (reference, y_ref) = on_stack(64 << 20, move || {
        let net = Box::new(Big::from_flat(&w).expect("PARAMS weights"));
        let y = net.step(&mut BigState::new(), &[0.5; 256]);
        (net, y)
    });
    assert!(*net == *reference, "boxed_from_flat and from_flat differ");
    assert_eq!(y, y_ref);
    assert!(y[0].is_finite());
}

#[test]
fn bidirectional_lstm256_loads_on_a_64_kib_stack() {
    assert!(std::mem::size_of::<BigBidirectional>() > 4 << 20);
    let w = weights(BigBidirectional::PARAMS);
    let (net, y) = on_stack(64 << 10, move || {
        let net = BigBidirectional::boxed_from_flat(&w).expect("PARAMS weights");
        let y = net.forward(&[[0.5; 256]; 4]);
        (net, y)
    });
    let w = weights(BigBidirectional::PARAMS);
    let (reference, y_ref) = on_stack(64 << 20, move || {
        let net = Box::new(BigBidirectional::from_flat(&w).expect("PARAMS weights"));
        let y = net.forward(&[[0.5; 256]; 4]);
        (net, y)
    });
    assert!(*net == *reference, "boxed_from_flat and from_flat differ");
    assert_eq!(y, y_ref);
    assert!(y[0].is_finite());
}

#[test]
fn boxed_from_flat_checks_the_length() {
    let err = on_stack(64 << 10, || Big::boxed_from_flat(&[0.0; 10]).map(|_| ()));
    assert_eq!(
        err,
        Err(tinyrnn::Error::WeightCount {
            expected: Big::PARAMS,
            found: 10
        })
    );
}

#[test]
fn boxed_equals_from_flat_for_the_seed_model() {
    let w = weights(Seed::PARAMS);
    let boxed = Seed::boxed_from_flat(&w).expect("15 weights");
    assert_eq!(*boxed, Seed::from_flat(&w).expect("15 weights"));
    let x = [[0.25, -0.5, 1.0]; 50];
    assert_eq!(
        boxed.forward(&x),
        Seed::from_flat(&w).expect("15 weights").forward(&x)
    );
}

#[test]
fn boxed_aligned_from_flat_is_on_a_cache_line_and_off_the_stack() {
    // Big's size (4 * 525_569 bytes) is odd in 4-byte units: the struct is aligned to 4 only.
    assert_eq!(std::mem::align_of::<Big>(), 4);
    let w = weights(Big::PARAMS);
    let (aligned, y) = on_stack(64 << 10, move || {
        let net = Big::boxed_aligned_from_flat(&w).expect("PARAMS weights");
        let y = net.step(&mut Box::new(BigState::new()), &[0.5; 256]);
        (net, y)
    });
    assert_eq!((&raw const aligned.0) as usize % 64, 0);
    let w = weights(Big::PARAMS);
    let plain = on_stack(64 << 10, move || {
        Big::boxed_from_flat(&w).expect("PARAMS weights")
    });
    assert!(aligned.0 == *plain, "the same weights");
    assert_eq!(y, plain.step(&mut Box::new(BigState::new()), &[0.5; 256]));
    let err = on_stack(64 << 10, || {
        Big::boxed_aligned_from_flat(&[0.0; 3]).map(|_| ())
    });
    assert_eq!(
        err,
        Err(tinyrnn::Error::WeightCount {
            expected: Big::PARAMS,
            found: 3
        })
    );
}
