//! Every model of `tests/fixtures/keras/` against real Keras: parameter counts, summary
//! table, weight shapes and outputs; and `step` against `forward`, bit for bit.

#[macro_use]
mod common;

use common::{Fixture, Output, assert_bits, assert_close, sequence};

/// One fixture: declares its model, checks its structure, runs every case.
///
/// `$run` says how `forward` is called: `fixed_vector`, `fixed_sequence`, `any_vector`,
/// `any_sequence`; `$stream` is `stream` when `step` exists, `no_stream` otherwise.
macro_rules! keras_case {
    ($case:ident, $run:ident, $stream:ident, { $($dsl:tt)* }) => {
        mod $case {
            use super::*;

            tinyrnn::model! { pub struct Net; $($dsl)* }

            #[test]
            fn matches_keras() {
                let fx = Fixture::load(stringify!($case));
                fx.assert_dsl(stringify!($($dsl)*));
                fx.assert_structure(&Net::LAYER_PARAMS, Net::PARAMS, &Net::summary());
                assert_eq!(core::mem::size_of::<Net>(), 4 * Net::PARAMS);
                let net = Net::from_flat(&fx.weights).expect("fixture weights load");
                // `to_flat` is `from_flat`'s inverse: Keras's `get_weights()` again.
                assert_eq!(net.to_flat(), fx.weights, "{}: to_flat", fx.name);
                // The same weights as little-endian bytes, through the const constructor.
                let bytes: Vec<u8> = fx.weights.iter().flat_map(|w| w.to_le_bytes()).collect();
                assert_eq!(Net::from_le_slice(&bytes), Ok(net.clone()), "{}: from_le_slice", fx.name);
                // The same model saved by Keras as .keras, .weights.h5 and legacy .h5.
                for path in fx.weight_files() {
                    let loaded = Net::from_keras_file(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                    assert_eq!(loaded, net, "{path}: weights differ from get_weights()");
                }
                for (i, case) in fx.cases.iter().enumerate() {
                    let what = format!("{} case {i}", fx.name);
                    let x = sequence::<{ Net::FEATURES }>(&case.input);
                    run!($run, $stream, net, x, &case.output, &what);
                }
            }
        }
    };
}

keras_case!(seed_rnn1, fixed_vector, stream, { input [50, 3]; simple_rnn(1); dense(1); });
keras_case!(seed_rnn2, fixed_vector, stream, { input [50, 3]; simple_rnn(2); dense(1); });
keras_case!(seed_rnn3, fixed_vector, stream, { input [50, 3]; simple_rnn(3); dense(1); });
keras_case!(seed_rnn4, fixed_vector, stream, { input [50, 3]; simple_rnn(4); dense(1); });
keras_case!(relu_seq_softmax, fixed_sequence, stream, {
    input [10, 3];
    simple_rnn(4, activation = relu, return_sequences = true);
    dense(3, activation = softmax);
});
keras_case!(stacked, fixed_vector, stream, {
    input [20, 4];
    simple_rnn(8, return_sequences = true);
    simple_rnn(6, return_sequences = true);
    simple_rnn(5);
    dense(3, activation = relu);
    dense(2, activation = sigmoid);
});
keras_case!(go_backwards, fixed_vector, no_stream, {
    input [12, 3];
    simple_rnn(4, go_backwards = true);
    dense(2);
});
keras_case!(go_backwards_seq, fixed_sequence, no_stream, {
    input [12, 3];
    simple_rnn(4, go_backwards = true, return_sequences = true);
    simple_rnn(3, go_backwards = true, return_sequences = true);
    dense(2);
});
keras_case!(go_backwards_mid, fixed_vector, no_stream, {
    input [9, 2];
    simple_rnn(3, return_sequences = true);
    simple_rnn(4, go_backwards = true, return_sequences = true);
    simple_rnn(2);
});
keras_case!(no_bias, fixed_vector, stream, {
    input [15, 3];
    simple_rnn(4, use_bias = false, activation = sigmoid);
    dense(2, use_bias = false, activation = tanh);
});
keras_case!(dense_first, fixed_vector, stream, {
    input [8, 5];
    dense(4, activation = relu);
    simple_rnn(3);
    dense(1, activation = linear);
});
keras_case!(activations, fixed_sequence, stream, {
    input [6, 3];
    simple_rnn(5, activation = linear, return_sequences = true);
    simple_rnn(5, activation = softmax, return_sequences = true);
    simple_rnn(4, activation = relu, return_sequences = true);
    dense(3, activation = tanh);
    dense(3, activation = sigmoid);
    dense(2, activation = softmax);
});
keras_case!(var_len, any_vector, stream, { input [_, 3]; simple_rnn(4); dense(2); });
keras_case!(var_len_seq, any_sequence, stream, {
    input [_, 2];
    simple_rnn(3, return_sequences = true);
    dense(2, activation = tanh);
});
keras_case!(var_len_backwards, any_vector, no_stream, {
    input [_, 3];
    dense(4);
    simple_rnn(3, go_backwards = true, return_sequences = true);
    simple_rnn(2);
});
keras_case!(long_seq, fixed_vector, stream, { input [400, 2]; simple_rnn(6); dense(1); });
keras_case!(wide, fixed_vector, stream, {
    input [30, 16];
    simple_rnn(32, return_sequences = true);
    simple_rnn(16);
    dense(4, activation = softmax);
});
keras_case!(single_dense, fixed_sequence, stream, { input [5, 4]; dense(3, activation = relu); });
keras_case!(lstm_basic, fixed_vector, stream, { input [20, 3]; lstm(4); dense(1); });
keras_case!(lstm_stacked, fixed_vector, stream, {
    input [10, 4];
    lstm(6, return_sequences = true);
    lstm(3);
    dense(2, activation = softmax);
});
keras_case!(lstm_options, fixed_sequence, no_stream, {
    input [12, 3];
    lstm(5, activation = relu, recurrent_activation = hard_sigmoid, use_bias = false, return_sequences = true, go_backwards = true);
    dense(2);
});
keras_case!(gru_basic, fixed_vector, stream, { input [20, 3]; gru(4); dense(1); });
keras_case!(gru_reset_before, fixed_vector, stream, {
    input [15, 3];
    gru(5, reset_after = false, return_sequences = true);
    gru(3);
    dense(1);
});
keras_case!(gru_options, fixed_vector, no_stream, {
    input [12, 2];
    gru(4, activation = softsign, recurrent_activation = hard_sigmoid, use_bias = false, go_backwards = true);
    dense(1);
});
keras_case!(gru_reset_before_nobias, fixed_vector, stream, {
    input [8, 3];
    gru(3, reset_after = false, use_bias = false);
    dense(1);
});
keras_case!(bidirectional_concat, fixed_vector, no_stream, { input [10, 3]; bidirectional(lstm(4)); dense(1); });
keras_case!(bidirectional_seq, fixed_sequence, no_stream, {
    input [9, 2];
    bidirectional(lstm(3, return_sequences = true));
    dense(2);
});
keras_case!(bidirectional_modes, fixed_vector, no_stream, {
    input [8, 3];
    bidirectional(gru(3, return_sequences = true), merge_mode = sum);
    bidirectional(simple_rnn(2, return_sequences = true), merge_mode = mul);
    bidirectional(lstm(2), merge_mode = ave);
    dense(1);
});
keras_case!(dropouts, fixed_sequence, stream, {
    input [10, 3];
    dropout(0.5);
    lstm(4, return_sequences = true);
    spatial_dropout1d(0.3);
    gru(3, return_sequences = true);
    gaussian_noise(0.1);
    gaussian_dropout(0.2);
    alpha_dropout(0.1);
    dense(2);
});
keras_case!(mixed_stack, fixed_vector, stream, {
    input [16, 4];
    dense(8, activation = relu);
    gru(6, return_sequences = true);
    lstm(5);
    dense(2);
});
keras_case!(lstm_long, fixed_vector, stream, { input [1000, 3]; lstm(8); dense(1); });
keras_case!(gru_long, fixed_vector, stream, { input [1000, 2]; gru(6); dense(1); });
keras_case!(lstm_wide, fixed_vector, stream, { input [10, 32]; lstm(64); dense(4); });
keras_case!(var_len_lstm_gru, any_vector, stream, { input [_, 3]; lstm(4, return_sequences = true); gru(3); dense(1); });
keras_case!(act_linear, fixed_sequence, stream, { input [6, 4]; dense(8, activation = linear); });
keras_case!(act_relu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = relu); });
keras_case!(act_relu6, fixed_sequence, stream, { input [6, 4]; dense(8, activation = relu6); });
keras_case!(act_leaky_relu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = leaky_relu); });
keras_case!(act_elu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = elu); });
keras_case!(act_selu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = selu); });
keras_case!(act_gelu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = gelu); });
keras_case!(act_sigmoid, fixed_sequence, stream, { input [6, 4]; dense(8, activation = sigmoid); });
keras_case!(act_hard_sigmoid, fixed_sequence, stream, { input [6, 4]; dense(8, activation = hard_sigmoid); });
keras_case!(act_tanh, fixed_sequence, stream, { input [6, 4]; dense(8, activation = tanh); });
keras_case!(act_hard_tanh, fixed_sequence, stream, { input [6, 4]; dense(8, activation = hard_tanh); });
keras_case!(act_softplus, fixed_sequence, stream, { input [6, 4]; dense(8, activation = softplus); });
keras_case!(act_softsign, fixed_sequence, stream, { input [6, 4]; dense(8, activation = softsign); });
keras_case!(act_silu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = silu); });
keras_case!(act_hard_silu, fixed_sequence, stream, { input [6, 4]; dense(8, activation = hard_silu); });
keras_case!(act_mish, fixed_sequence, stream, { input [6, 4]; dense(8, activation = mish); });
keras_case!(act_exponential, fixed_sequence, stream, { input [6, 4]; dense(8, activation = exponential); });
keras_case!(act_softmax, fixed_sequence, stream, { input [6, 4]; dense(8, activation = softmax); });
keras_case!(act_log_softmax, fixed_sequence, stream, { input [6, 4]; dense(8, activation = log_softmax); });
keras_case!(recurrent_activations, fixed_vector, stream, {
    input [10, 3];
    lstm(4, activation = gelu, recurrent_activation = hard_silu, return_sequences = true);
    gru(3, activation = mish, recurrent_activation = softplus);
});
keras_case!(activation_layers, fixed_sequence, stream, {
    input [8, 3];
    simple_rnn(4, return_sequences = true);
    activation(relu);
    dense(3);
    softmax();
});
keras_case!(activation_layers_any, any_vector, stream, {
    input [_, 2];
    dense(5);
    activation(gelu);
    lstm(3);
    activation(hard_sigmoid);
    dense(2);
    softmax();
});
keras_case!(relu_layers, fixed_sequence, stream, {
    input [6, 4];
    dense(6);
    relu();
    dense(6);
    relu(max_value = 1.5, negative_slope = 0.1, threshold = 0.2);
    dense(5);
    relu(max_value = 6);
});
keras_case!(leaky_elu_layers, any_vector, stream, {
    input [_, 3];
    dense(5);
    leaky_relu();
    gru(4, return_sequences = true);
    leaky_relu(negative_slope = 0.05);
    dense(3);
    elu(alpha = 0.5);
    simple_rnn(2);
    elu();
});
keras_case!(time_distributed, fixed_sequence, stream, {
    input [6, 3];
    lstm(4, return_sequences = true);
    time_distributed(dense(3, activation = relu));
    time_distributed(dense(2));
});
keras_case!(time_distributed_any, any_sequence, stream, {
    input [_, 2];
    gru(3, return_sequences = true);
    time_distributed(dense(2));
    time_distributed(activation(sigmoid));
});
keras_case!(layer_normalization, fixed_vector, stream, {
    input [8, 3];
    dense(5);
    layer_normalization();
    lstm(4);
    layer_normalization(epsilon = 0.01, center = false);
    dense(2);
});
keras_case!(layer_normalization_any, any_sequence, stream, {
    input [_, 4];
    layer_normalization(scale = false);
    gru(3, return_sequences = true);
    layer_normalization();
    dense(2);
});
keras_case!(batch_normalization, fixed_vector, stream, {
    input [8, 3];
    batch_normalization();
    lstm(4, return_sequences = true);
    batch_normalization(epsilon = 0.01, center = false);
    gru(3);
    batch_normalization(scale = false);
    dense(2);
});
keras_case!(normalization, any_sequence, stream, {
    input [_, 4];
    normalization();
    gru(3, return_sequences = true);
    dense(2);
    normalization(invert = true);
});
keras_case!(repeat_vector, fixed_sequence, no_stream, {
    input [6, 3];
    gru(5);
    repeat_vector(3);
    bidirectional(lstm(2, return_sequences = true));
    simple_rnn(4, go_backwards = true, return_sequences = true);
    dense(2);
});
#[test]
fn repeat_vector_sets_the_output_length() {
    assert_eq!(repeat_vector::Net::TIMESTEPS, Some(6));
    assert_eq!(repeat_vector::Net::OUTPUT_TIMESTEPS, Some(3));
    assert_eq!(flatten_prelu::Net::OUTPUT_TIMESTEPS, Some(3));
    assert_eq!(flatten::Net::OUTPUT_TIMESTEPS, None);
}
keras_case!(flatten, fixed_vector, no_stream, {
    input [4, 3];
    flatten();
    dense(5);
    repeat_vector(2);
    lstm(3, return_sequences = true);
    flatten();
    dense(2);
});
keras_case!(flatten_prelu, fixed_sequence, no_stream, {
    input [5, 3];
    lstm(4);
    flatten();
    prelu();
    dense(3);
    prelu();
    repeat_vector(3);
});
keras_case!(reshape, fixed_vector, no_stream, {
    input [6, 2];
    lstm(4);
    dense(6);
    reshape([3, 2]);
    gru(3, return_sequences = true);
    reshape([-1]);
    dense(2);
});
keras_case!(reshape_sequence, fixed_sequence, no_stream, {
    input [4, 3];
    reshape([6, 2]);
    simple_rnn(3);
    reshape([3]);
    reshape([3, 1]);
    lstm(2, return_sequences = true);
});
keras_case!(reshape_any, any_vector, no_stream, {
    input [_, 3];
    gru(4);
    dense(8);
    reshape([-1, 1]);
    lstm(2);
});
keras_case!(prelu_shared, fixed_vector, stream, {
    input [6, 3];
    dense(4);
    prelu(shared_axes = [1]);
    lstm(3, return_sequences = true);
    prelu(shared_axes = [1, 2]);
    gru(2);
    prelu(shared_axes = [1]);
});
keras_case!(conv1d_valid, fixed_vector, no_stream, {
    input [10, 3];
    conv1d(4, 3);
    conv1d(5, 2, strides = 2, activation = relu);
    lstm(3);
    dense(2);
});
keras_case!(conv1d_same, fixed_vector, no_stream, {
    input [9, 2];
    conv1d(4, 3, padding = same);
    conv1d(4, 4, padding = same, strides = 2);
    gru(3);
    dense(1);
});
keras_case!(conv1d_causal, fixed_sequence, stream, {
    input [12, 2];
    conv1d(4, 3, padding = causal, dilation_rate = 2);
    conv1d(4, 2, padding = causal, dilation_rate = 4, activation = tanh);
    gru(3, return_sequences = true);
    dense(2);
});
keras_case!(conv1d_groups, fixed_vector, no_stream, {
    input [8, 4];
    conv1d(6, 3, groups = 2, use_bias = false);
    conv1d(4, 1, groups = 2);
    lstm(2);
});
keras_case!(pooling, fixed_vector, no_stream, {
    input [12, 3];
    conv1d(4, 3, padding = same);
    max_pooling1d(2);
    average_pooling1d(3, strides = 2, padding = same);
    lstm(3);
    dense(1);
});
keras_case!(global_pooling, fixed_vector, no_stream, {
    input [10, 3];
    conv1d(5, 3, activation = relu);
    global_average_pooling1d();
    dense(2);
});
keras_case!(global_max_pooling, fixed_vector, no_stream, {
    input [10, 3];
    lstm(4, return_sequences = true);
    global_max_pooling1d();
    dense(2, activation = softmax);
});
keras_case!(fcn_classifier, fixed_vector, no_stream, {
    input [16, 1];
    conv1d(8, 3, padding = same);
    batch_normalization();
    relu();
    conv1d(8, 3, padding = same);
    batch_normalization();
    relu();
    global_average_pooling1d();
    dense(3, activation = softmax);
});
keras_case!(conv1d_causal_any, any_sequence, stream, {
    input [_, 2];
    conv1d(4, 3, padding = causal, dilation_rate = 2, activation = relu);
    conv1d(3, 1, padding = causal);
    gru(3, return_sequences = true);
    dense(1);
});
keras_case!(resampling, fixed_vector, no_stream, {
    input [6, 2];
    zero_padding1d([1, 2]);
    conv1d(3, 2);
    cropping1d(2);
    up_sampling1d(3);
    lstm(2);
    dense(1);
});
keras_case!(resampling_defaults, fixed_sequence, no_stream, {
    input [5, 3];
    zero_padding1d();
    cropping1d([0, 2]);
    up_sampling1d();
    gru(2, return_sequences = true);
});
// Windows slid along sequences of any length, in `forward`.
keras_case!(windows_any, any_vector, no_stream, {
    input [_, 2];
    conv1d(4, 3, strides = 2, activation = relu);
    max_pooling1d(2);
    lstm(3);
    dense(1);
});
keras_case!(windows_any_sequence, any_windows, no_stream, {
    input [_, 1];
    conv1d(4, 3, padding = same, dilation_rate = 2);
    average_pooling1d(3, strides = 1, padding = same);
    conv1d(3, 2, strides = 2, padding = causal);
    gru(2, return_sequences = true);
});
keras_case!(global_pooling_any, any_vector, no_stream, {
    input [_, 3];
    conv1d(6, 3, padding = same, groups = 3, activation = relu);
    global_average_pooling1d();
    dense(2);
});
keras_case!(global_max_pooling_any, any_vector, no_stream, {
    input [_, 2];
    lstm(3, return_sequences = true);
    global_max_pooling1d();
    dense(1);
});
