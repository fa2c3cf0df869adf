//! Whole generated `backward`s of models with several stages or sections (issue 16):
//! `go_backwards` layers, `bidirectional` with each merge mode, `time_distributed(dense)`,
//! convolutions, poolings and the layers that make a new sequence, against
//! central differences of the model's own loss, and against each other where Keras's
//! definitions make two models the same function.

use tinyrnn::train::{Loss, Noise, Train};

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    (0..n).map(|_| noise.uniform() - 0.5).collect()
}

/// `backward`'s gradient against central differences of its loss (steps of 1e-2 on
/// weights of at most 0.5: truncation ~1e-4 relative, f32 rounding ~1e-5; the tolerance is
/// above both).
/// `frozen`: the non-trainable weights (a batch normalization's moving statistics), whose
/// gradient Keras does not take: zero here, whatever the differences say.
fn check<M: Train>(
    x: &M::Input,
    y: &M::Target,
    loss: Loss,
    positive: bool,
    frozen: core::ops::Range<usize>,
) {
    // All positive for a model whose weights include a variance.
    let weights: Vec<f32> = values(M::PARAMS, 21)
        .into_iter()
        .map(|w| if positive { w.abs() + 0.05 } else { w })
        .collect();
    let net = M::from_flat(&weights).unwrap();
    let loss_at = |w: &[f32]| {
        let mut scratch = M::ZERO;
        M::from_flat(w).unwrap().backward(x, y, loss, &mut scratch)
    };
    let mut grads = M::ZERO;
    net.backward(x, y, loss, &mut grads);
    let mut analytic = vec![0.0_f32; M::PARAMS];
    grads.write_flat(&mut analytic).unwrap();
    assert!(analytic.iter().all(|g| g.is_finite()), "{analytic:?}");
    let largest = analytic.iter().fold(0.0_f32, |m, g| m.max(g.abs()));
    assert!(largest > 1e-3);
    let h = 1e-2_f32;
    let mut worst = (0.0_f32, 0);
    for k in 0..weights.len() {
        if frozen.contains(&k) {
            assert_eq!(analytic[k], 0.0, "non-trainable weight {k}");
            continue;
        }
        let (mut up, mut down) = (weights.clone(), weights.clone());
        up[k] += h;
        down[k] -= h;
        let numeric = (loss_at(&up) - loss_at(&down)) / (2.0 * h);
        assert!(numeric.is_finite(), "weight {k}");
        let d = (numeric - analytic[k]).abs() / largest;
        if d > worst.0 {
            worst = (d, k);
        }
    }
    assert!(
        worst.0 < 2e-3,
        "weight {}: difference {} of the largest gradient {largest}",
        worst.1,
        worst.0
    );
}

fn sequence<const T: usize, const F: usize>(seed: u64) -> [[f32; F]; T] {
    let v = values(T * F, seed);
    core::array::from_fn(|t| core::array::from_fn(|f| 2.0 * v[t * F + f]))
}

macro_rules! model_case {
    ($name:ident, $output:ident, $loss:expr, { $($dsl:tt)* }) => {
        model_case!($name, $output, $loss, false, 0..0, { $($dsl)* });
    };
    ($name:ident, $output:ident, $loss:expr, $positive:literal, $frozen:expr, { $($dsl:tt)* }) => {
        #[test]
        fn $name() {
            tinyrnn::model! { struct Net; $($dsl)* }
            let x = sequence::<{ Net::TIMESTEPS.unwrap() }, { Net::FEATURES }>(3);
            model_case!(@run $output, Net, x, $loss, $positive, $frozen);
        }
    };
    (@run vector, $net:ident, $x:ident, $loss:expr, $positive:literal, $frozen:expr) => {{
        let y: [f32; $net::OUTPUT_UNITS] = core::array::from_fn(|u| values(8, 4)[u].abs());
        check::<$net>(&$x, &y, $loss, $positive, $frozen);
    }};
    (@run sequence, $net:ident, $x:ident, $loss:expr, $positive:literal, $frozen:expr) => {{
        let y: [[f32; $net::OUTPUT_UNITS]; { $net::OUTPUT_TIMESTEPS.unwrap() }] =
            core::array::from_fn(|t| core::array::from_fn(|u| values(64, 5)[t * 4 + u].abs()));
        check::<$net>(&$x, &y, $loss, $positive, $frozen);
    }};
}

model_case!(go_backwards_lstm, vector, Loss::MeanSquaredError, {
    input [5, 3]; lstm(3, go_backwards = true); dense(2);
});
model_case!(go_backwards_gru_sequence, sequence, Loss::MeanSquaredError, {
    input [4, 2]; gru(3, go_backwards = true, return_sequences = true); dense(2);
});
model_case!(dense_then_go_backwards, vector, Loss::MeanSquaredError, {
    input [4, 3]; dense(4, activation = tanh); simple_rnn(3, go_backwards = true); dense(1);
});
model_case!(stacked_go_backwards, sequence, Loss::MeanAbsoluteError, {
    input [5, 2];
    lstm(3, return_sequences = true);
    gru(2, go_backwards = true, return_sequences = true);
    simple_rnn(2, return_sequences = true);
});
model_case!(bidirectional_concat, vector, Loss::MeanSquaredError, {
    input [5, 3]; bidirectional(lstm(3)); dense(2);
});
model_case!(bidirectional_sum_sequence, sequence, Loss::MeanSquaredError, {
    input [4, 2]; bidirectional(gru(3, return_sequences = true), merge_mode = sum); dense(2);
});
model_case!(bidirectional_mul, vector, Loss::MeanSquaredError, {
    input [4, 3]; bidirectional(simple_rnn(3), merge_mode = mul); dense(1);
});
model_case!(bidirectional_ave_stacked, vector, Loss::BinaryCrossentropy, {
    input [5, 2];
    bidirectional(lstm(2, return_sequences = true), merge_mode = ave);
    bidirectional(gru(2));
    dense(1, activation = sigmoid);
});
model_case!(dense_then_bidirectional, sequence, Loss::MeanSquaredError, {
    input [4, 3];
    dense(3, activation = tanh);
    bidirectional(simple_rnn(2, return_sequences = true));
    time_distributed(dense(2));
});
model_case!(time_distributed_dense, sequence, Loss::CategoricalCrossentropy, {
    input [4, 3];
    simple_rnn(4, return_sequences = true);
    time_distributed(dense(3, activation = softmax));
});

tinyrnn::model! { struct Forwards; input [6, 3]; gru(3); dense(2); }
tinyrnn::model! { struct Backwards; input [6, 3]; gru(3, go_backwards = true); dense(2); }

#[test]
fn go_backwards_is_the_same_layer_on_the_reversed_sequence() {
    let weights = values(Forwards::PARAMS, 9);
    let (f, b) = (
        Forwards::from_flat(&weights).unwrap(),
        Backwards::from_flat(&weights).unwrap(),
    );
    let x = sequence::<6, 3>(10);
    let mut reversed = x;
    reversed.reverse();
    let target = [0.25, -0.5];
    let (mut gf, mut gb) = (Forwards::ZERO, Backwards::ZERO);
    let lf = f.backward(&reversed, &target, Loss::MeanSquaredError, &mut gf);
    let lb = b.backward(&x, &target, Loss::MeanSquaredError, &mut gb);
    assert_eq!(lf, lb);
    assert_eq!(gf.to_flat(), gb.to_flat());
}

model_case!(activation_layers, vector, Loss::MeanSquaredError, {
    input [4, 3];
    simple_rnn(4, return_sequences = true);
    activation(softsign);
    lstm(3);
    elu();
    dense(2);
    activation(tanh);
});
model_case!(layer_normalization_between, sequence, Loss::MeanSquaredError, {
    input [4, 3];
    gru(4, return_sequences = true);
    layer_normalization();
    simple_rnn(3, return_sequences = true);
    layer_normalization(center = false);
});
// batch_normalization(2): gamma, beta, then the moving mean and variance (4..8).
model_case!(batch_normalization_and_prelu, vector, Loss::MeanSquaredError, true, 4..8, {
    input [5, 2];
    batch_normalization();
    lstm(3);
    dense(4);
    prelu();
    dense(1);
});
model_case!(prelu_shared_on_a_sequence, sequence, Loss::MeanSquaredError, {
    input [4, 2];
    simple_rnn(3, return_sequences = true);
    prelu(shared_axes = [1]);
    time_distributed(dense(2));
});
model_case!(softmax_layer_head, vector, Loss::CategoricalCrossentropy, {
    input [4, 2];
    gru(3);
    dense(3);
    softmax();
});

tinyrnn::model! {
    struct Tokens;
    input [5];
    embedding(6, 3);
    lstm(3);
    dense(2);
}

#[test]
fn embedding_gradients_land_on_the_tokens_read() {
    let ids = [2_u32, 0, 5, 2, 9];
    check::<Tokens>(&ids, &[0.3, 0.1], Loss::MeanSquaredError, false, 0..0);
    let net = Tokens::from_flat(&values(Tokens::PARAMS, 21)).unwrap();
    let mut grads = Tokens::ZERO;
    net.backward(&ids, &[0.3, 0.1], Loss::MeanSquaredError, &mut grads);
    // Rows of tokens never read (1, 3, 4) and the out-of-range 9 get nothing.
    for token in [1, 3, 4] {
        assert_eq!(grads.embedding.embeddings.column(token).sum(), 0.0);
    }
    assert_ne!(grads.embedding.embeddings.column(2).sum(), 0.0);
}

// Sections: a convolution, a pooling or a resampling layer makes the next one's sequence.
model_case!(conv_causal_strides_groups, vector, Loss::MeanSquaredError, {
    input [7, 4];
    conv1d(4, 3, padding = causal, strides = 2, groups = 2, activation = tanh);
    gru(3);
    dense(2);
});
model_case!(conv_after_rnn, sequence, Loss::MeanAbsoluteError, {
    input [6, 2];
    lstm(3, return_sequences = true);
    conv1d(2, 2, padding = same, dilation_rate = 2, activation = sigmoid);
    simple_rnn(2, return_sequences = true);
});
model_case!(pooling_between_rnns, vector, Loss::MeanSquaredError, {
    input [7, 2];
    simple_rnn(3, return_sequences = true);
    max_pooling1d(3, strides = 2, padding = same);
    gru(2, return_sequences = true);
    average_pooling1d(2, padding = same);
    global_max_pooling1d();
    dense(1);
});
model_case!(global_average_after_bidirectional, vector, Loss::BinaryCrossentropy, {
    input [5, 2];
    bidirectional(gru(2, return_sequences = true));
    global_average_pooling1d();
    dense(1, activation = sigmoid);
});
model_case!(resampling_around_rnns, sequence, Loss::MeanSquaredError, {
    input [4, 2];
    lstm(2, return_sequences = true);
    zero_padding1d([2, 1]);
    up_sampling1d(2);
    cropping1d([3, 1]);
    gru(2, go_backwards = true, return_sequences = true);
});
model_case!(repeat_and_reshape, vector, Loss::MeanSquaredError, {
    input [4, 3];
    gru(4);
    repeat_vector(3);
    simple_rnn(2, return_sequences = true);
    reshape([2, 3]);
    lstm(2, return_sequences = true);
    flatten();
    dense(4);
    reshape([2, 2]);
    time_distributed(dense(1));
    flatten();
    dense(1);
});

tinyrnn::model! {
    struct Pooled;
    input [6, 2];
    conv1d(3, 2, padding = same, activation = relu);
    max_pooling1d(2);
    lstm(2);
    dense(1);
}

#[test]
fn backward_computes_what_forward_does() {
    let net = Pooled::from_flat(&values(Pooled::PARAMS, 21)).unwrap();
    let x = sequence::<6, 2>(7);
    let y = net.forward(&x);
    // The loss of `forward`'s prediction, against a target of zero: its mean square.
    let mut grads = Pooled::ZERO;
    let value = net.backward(&x, &[0.0], Loss::MeanSquaredError, &mut grads);
    assert_eq!(value, y[0] * y[0]);
}

model_case!(causal_dilated_stack_streaming, sequence, Loss::MeanSquaredError, {
    input [8, 1];
    conv1d(3, 3, padding = causal, activation = tanh);
    conv1d(3, 3, padding = causal, dilation_rate = 2, groups = 3);
    conv1d(2, 2, padding = causal, dilation_rate = 4, use_bias = false);
    gru(3, return_sequences = true);
    dense(1);
});

model_case!(causal_convolutions_alone, sequence, Loss::MeanSquaredError, {
    input [6, 2];
    conv1d(3, 2, padding = causal, dilation_rate = 2, activation = tanh);
    conv1d(1, 3, padding = causal);
});

tinyrnn::model! {
    /// A mask read by the LSTM, ended by the convolution (Keras drops it there).
    struct MaskedConv;
    input [6, 2];
    masking();
    lstm(3, return_sequences = true);
    conv1d(2, 2);
    global_average_pooling1d();
    dense(1);
}

#[test]
fn a_mask_ended_by_a_convolution() {
    let mut x = sequence::<6, 2>(3);
    // Timesteps 1 and 4 masked (every feature equal to the mask value, 0).
    x[1] = [0.0; 2];
    x[4] = [0.0; 2];
    check::<MaskedConv>(&x, &[0.25], Loss::MeanSquaredError, false, 0..0);
    // backward's forward pass skips them as `forward` does: the same loss.
    let net = MaskedConv::from_flat(&values(MaskedConv::PARAMS, 21)).unwrap();
    let mut grads = MaskedConv::ZERO;
    let value = net.backward(&x, &[0.25], Loss::MeanSquaredError, &mut grads);
    let out = net.forward(&x)[0];
    assert!((value - (out - 0.25) * (out - 0.25)).abs() <= 1e-6 * (1.0 + value));
}

tinyrnn::model! {
    /// A mask read after a `go_backwards` layer in its stage: the GRU reads the LSTM's
    /// outputs in reading order, with the mask in time order, as Keras hands them on.
    struct MaskedAfterTurn;
    input [6, 2];
    masking();
    lstm(3, go_backwards = true, return_sequences = true);
    gru(2);
    dense(1);
}

#[test]
fn a_mask_read_after_a_go_backwards_layer() {
    let mut x = sequence::<6, 2>(5);
    x[0] = [0.0; 2];
    x[3] = [0.0; 2];
    check::<MaskedAfterTurn>(&x, &[0.5], Loss::MeanSquaredError, false, 0..0);
    let net = MaskedAfterTurn::from_flat(&values(MaskedAfterTurn::PARAMS, 22)).unwrap();
    let mut grads = MaskedAfterTurn::ZERO;
    let value = net.backward(&x, &[0.5], Loss::MeanSquaredError, &mut grads);
    let out = net.forward(&x)[0];
    assert!((value - (out - 0.5) * (out - 0.5)).abs() <= 1e-6 * (1.0 + value));
}

tinyrnn::model! {
    /// A mask made after the first layer: the bias-free dense keeps zero timesteps zero,
    /// and the LSTM skips them.
    struct DenseThenMasking;
    input [6, 2];
    dense(3, activation = tanh, use_bias = false);
    masking();
    lstm(3, return_sequences = true);
    dense(2);
}

#[test]
fn a_mask_made_after_the_first_layer() {
    let mut x = sequence::<6, 2>(6);
    x[2] = [0.0; 2];
    x[5] = [0.0; 2];
    let y: [[f32; 2]; 6] =
        core::array::from_fn(|t| [values(12, 7)[2 * t], values(12, 7)[2 * t + 1]]);
    check::<DenseThenMasking>(&x, &y, Loss::MeanSquaredError, false, 0..0);
}
