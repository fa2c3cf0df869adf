//! `Net::step_many` (issue 17's contract): `B` independent streams advanced together, each
//! stream's outputs and state bit for bit what `step` gives it alone, for every kind of
//! model that streams: the batched path (recurrent and `dense` layers sharing each weight
//! load) and the stream-by-stream one (masks, token ids, windows).

use tinyrnn::train::Noise;

fn numbers(n: usize, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    (0..n).map(|_| noise.uniform() * 2.0 - 1.0).collect()
}

/// Runs `B` streams for 5 timesteps through `step_many` and one at a time through `step`.
macro_rules! same_as_step {
    ($name:ident, $b:literal, { $($dsl:tt)* }) => {
        #[test]
        fn $name() {
            tinyrnn::model! { struct Net; $($dsl)* }
            let net = Net::from_flat(&numbers(Net::PARAMS, 1)).unwrap();
            let mut many: [NetState; $b] = core::array::from_fn(|_| NetState::new());
            let mut alone: [NetState; $b] = core::array::from_fn(|_| NetState::new());
            for t in 0..5_u64 {
                let xs: [[f32; Net::FEATURES]; $b] = core::array::from_fn(|b| {
                    let v = numbers(Net::FEATURES, 100 * t + b as u64);
                    let mut x: [f32; Net::FEATURES] = core::array::from_fn(|f| v[f]);
                    // Some timesteps of some streams all zero: what `masking()` skips.
                    if (t + b as u64) % 4 == 1 {
                        x = [0.0; Net::FEATURES];
                    }
                    x
                });
                let ys = net.step_many(&mut many, &xs);
                for b in 0..$b {
                    let y = net.step(&mut alone[b], &xs[b]);
                    assert_eq!(
                        ys[b].map(f32::to_bits),
                        y.map(f32::to_bits),
                        "stream {b} of {}, timestep {t}",
                        $b
                    );
                }
                assert_eq!(many, alone);
            }
        }
    };
}

same_as_step!(seed_one_stream, 1, { input [50, 3]; simple_rnn(2); dense(1); });
same_as_step!(seed_seventeen, 17, { input [50, 3]; simple_rnn(2); dense(1); });
same_as_step!(lstm_stack, 16, {
    input [_, 5];
    lstm(16, return_sequences = true);
    lstm(8);
    dense(3, activation = softmax);
});
same_as_step!(lstm_wide, 9, { input [_, 40]; lstm(64); dense(1); });
same_as_step!(lstm_panels, 5, { input [_, 64]; lstm(96); });
// One stream takes `step`'s own product (streamed from L2 one column after the other with
// AVX-512).
same_as_step!(lstm_panels_one_stream, 1, { input [_, 64]; lstm(96); });
same_as_step!(gru_reset_after, 16, { input [_, 8]; gru(32); dense(4, activation = relu); });
same_as_step!(gru_reset_before, 11, {
    input [_, 6];
    gru(12, reset_after = false, return_sequences = true);
    gru(7, reset_after = false);
});
same_as_step!(odd_widths, 3, {
    input [_, 7];
    simple_rnn(13, activation = relu, use_bias = false, return_sequences = true);
    dense(9, activation = tanh);
    lstm(5, use_bias = false);
    dense(3, use_bias = false);
});
same_as_step!(vector_layers, 6, {
    input [_, 4];
    dense(6, activation = tanh);
    layer_normalization();
    dropout(0.5);
    gru(6, return_sequences = true);
    prelu(shared_axes = [1]);
    time_distributed(dense(3));
    leaky_relu();
});
same_as_step!(causal_convolution, 4, {
    input [32, 2];
    conv1d(4, 3, padding = causal, dilation_rate = 2);
    gru(5);
    dense(1);
});
same_as_step!(masked, 8, { input [_, 3]; masking(); lstm(4); dense(1); });

/// A strided window: an output when a window completes, per stream.
#[test]
fn strided_windows_stream_by_stream() {
    tinyrnn::model! { struct Net; input [_, 2]; conv1d(3, 2, strides = 2); simple_rnn(3); }
    let net = Net::from_flat(&numbers(Net::PARAMS, 3)).unwrap();
    let mut many: [NetState; 3] = core::array::from_fn(|_| NetState::new());
    let mut alone = many.clone();
    for t in 0..7_u64 {
        let xs: [[f32; 2]; 3] = core::array::from_fn(|b| {
            let v = numbers(2, 10 * t + b as u64);
            [v[0], v[1]]
        });
        let ys = net.step_many(&mut many, &xs);
        for b in 0..3 {
            assert_eq!(ys[b], net.step(&mut alone[b], &xs[b]));
        }
        assert_eq!(ys[0].is_some(), t % 2 == 1);
    }
}

#[test]
fn token_ids_stream_by_stream() {
    tinyrnn::model! { struct Net; input [_]; embedding(20, 4, mask_zero = true); gru(3); dense(2); }
    let net = Net::from_flat(&numbers(Net::PARAMS, 2)).unwrap();
    let mut many: [NetState; 4] = core::array::from_fn(|_| NetState::new());
    let mut alone = many.clone();
    for t in 0..6_u32 {
        let ids: [u32; 4] = core::array::from_fn(|b| (t * 7 + u32::try_from(b).unwrap() * 3) % 20);
        let ys = net.step_many(&mut many, &ids);
        for b in 0..4 {
            assert_eq!(ys[b], net.step(&mut alone[b], ids[b]));
        }
    }
    assert_eq!(many, alone);
}
