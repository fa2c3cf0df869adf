//! Convolutions and poolings slid along a sequence of any length (`input [_, F]`): `step`
//! returns an output each time a window completes (`None` otherwise), the outputs of
//! `forward` on the same sequence, in order, bit for bit; `forward` on the same model with
//! a fixed length agrees too. (`forward` itself is compared with Keras in tests/keras.rs,
//! `windows_any` and the others.)

mod common;

use common::assert_bits;

tinyrnn::model! {
    /// tests/fixtures/keras/windows_any's model: valid strided convolution, max pooling.
    struct Vector;
    input [_, 2];
    conv1d(4, 3, strides = 2, activation = relu);
    max_pooling1d(2);
    lstm(3);
    dense(1);
}

tinyrnn::model! {
    /// The same with a fixed length.
    struct VectorFixed;
    input [11, 2];
    conv1d(4, 3, strides = 2, activation = relu);
    max_pooling1d(2);
    lstm(3);
    dense(1);
}

tinyrnn::model! {
    /// A strided causal convolution (an output every 2 timesteps, from the first), a
    /// dilated valid one and an average pooling of stride 1, returning sequences.
    struct Sequence;
    input [_, 1];
    conv1d(3, 2, strides = 2, padding = causal);
    conv1d(4, 2, dilation_rate = 2, groups = 1);
    average_pooling1d(2, strides = 1);
    gru(2, return_sequences = true);
}

tinyrnn::model! {
    struct SequenceFixed;
    input [11, 1];
    conv1d(3, 2, strides = 2, padding = causal);
    conv1d(4, 2, dilation_rate = 2, groups = 1);
    average_pooling1d(2, strides = 1);
    gru(2, return_sequences = true);
}

fn weights(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (s >> 8) as f32 / (1u32 << 24) as f32 - 0.5
        })
        .collect()
}

fn inputs<const F: usize>(t: usize) -> Vec<[f32; F]> {
    let w = weights(t * F, 99);
    w.chunks(F).map(|c| c.try_into().unwrap()).collect()
}

#[test]
fn step_emits_forward_s_outputs_when_windows_complete() {
    let net = Vector::from_flat(&weights(Vector::PARAMS, 1)).unwrap();
    let fixed = VectorFixed::from_flat(&weights(VectorFixed::PARAMS, 1)).unwrap();
    for t in [0, 2, 5, 6, 11, 30] {
        let x = inputs::<2>(t);
        let mut state = VectorState::new();
        let emitted: Vec<[f32; 1]> = x.iter().filter_map(|xt| net.step(&mut state, xt)).collect();
        // The convolution's valid windows of 3 every 2 timesteps, pooled by 2.
        let convolved = if t >= 3 { (t - 3) / 2 + 1 } else { 0 };
        let windows = convolved / 2;
        assert_eq!(emitted.len(), windows, "t = {t}");
        let forward = net.forward(&x);
        match emitted.last() {
            Some(last) => assert_bits(&format!("t = {t}"), last, &forward),
            // Nothing reached the LSTM: its zero state, as `forward` returns it.
            None => assert_eq!(forward, [net.dense.bias[0]], "t = {t}"),
        }
        if t == 11 {
            let x: [[f32; 2]; 11] = x.clone().try_into().unwrap();
            assert_bits("fixed length", &fixed.forward(&x), &forward);
        }
        state.reset();
        let again: Vec<_> = x.iter().filter_map(|xt| net.step(&mut state, xt)).collect();
        assert_eq!(again, emitted, "reset() restores the initial state");
    }
}

#[test]
fn step_returns_every_output_of_a_sequence() {
    let net = Sequence::from_flat(&weights(Sequence::PARAMS, 2)).unwrap();
    let fixed = SequenceFixed::from_flat(&weights(SequenceFixed::PARAMS, 2)).unwrap();
    for t in [1, 4, 7, 11, 25] {
        let x = inputs::<1>(t);
        let mut state = SequenceState::new();
        let emitted: Vec<[f32; 2]> = x.iter().filter_map(|xt| net.step(&mut state, xt)).collect();
        let mut out = vec![[0.0; 2]; Sequence::output_len(t)];
        net.forward(&x, &mut out).unwrap();
        assert_eq!(emitted.len(), out.len(), "t = {t}");
        assert_bits(&format!("t = {t}"), &emitted.concat(), &out.concat());
        if t == 11 {
            let x: [[f32; 1]; 11] = x.clone().try_into().unwrap();
            assert_bits("fixed length", &fixed.forward(&x).concat(), &out.concat());
        }
    }
    // The stride-2 causal convolution makes ceil(t / 2), the dilated one 2 fewer, the
    // pooling 1 fewer.
    assert_eq!(Sequence::output_len(11), 3);
    assert_eq!(Sequence::output_len(4), 0);
}

tinyrnn::model! {
    struct BagAny;
    input [_];
    embedding(20, 3, mask_zero = true);
    global_average_pooling1d();
    dense(2);
}

tinyrnn::model! {
    struct BagFixed;
    input [7];
    embedding(20, 3, mask_zero = true);
    global_average_pooling1d();
    dense(2);
}

tinyrnn::model! {
    struct AverageAny;
    input [_, 2];
    masking();
    lstm(3, return_sequences = true);
    global_average_pooling1d();
    dense(1);
}

tinyrnn::model! {
    struct AverageFixed;
    input [5, 2];
    masking();
    lstm(3, return_sequences = true);
    global_average_pooling1d();
    dense(1);
}

/// A masked global average (Keras's mean of the kept timesteps, compared with Keras on a
/// fixed length in tests/examples.rs) keeps a running sum of the kept timesteps on a
/// sequence of any length: the same bits.
#[test]
fn a_masked_global_average_of_any_length_equals_the_fixed_one() {
    let ids = [3_u32, 0, 5, 0, 0, 9, 1];
    let any = BagAny::from_flat(&weights(BagAny::PARAMS, 3)).unwrap();
    let fixed = BagFixed::from_flat(&weights(BagFixed::PARAMS, 3)).unwrap();
    assert_bits("ids", &any.forward(&ids), &fixed.forward(&ids));
    let x = [[0.5, 0.1], [0.0, 0.0], [0.3, -0.2], [0.0, 0.0], [1.0, 0.4]];
    let any = AverageAny::from_flat(&weights(AverageAny::PARAMS, 4)).unwrap();
    let fixed = AverageFixed::from_flat(&weights(AverageFixed::PARAMS, 4)).unwrap();
    assert_bits("features", &any.forward(&x), &fixed.forward(&x));
}
