#!/usr/bin/env python3
"""Generate Keras reference fixtures for the tinyrnn Rust tests.

For every case in CASES this script builds a real Keras 3 ``Sequential``
model, fills every weight array with seeded uniform(-0.8, 0.8) values, runs
three seeded standard-normal input sequences through it (batch size 1, one
sequence at a time) and writes everything to
``tests/fixtures/keras/<case>.json``.

The output is deterministic: each case has its own seed (BASE_SEED + case
index), so appending a new case at the end of CASES never changes the
fixtures of earlier cases.

Run from anywhere:  python3 tools/gen_keras_fixtures.py
CI never runs this script; the generated JSON files are committed.
"""

import os

# Must be set before TensorFlow / Keras are imported.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
# model.summary() sizes its table from the terminal width (and rich wraps at
# the console width); pin it so the captured text does not depend on where
# the script is run.  With a wide console Keras uses its default of 88 chars.
os.environ["COLUMNS"] = "120"
os.environ["LINES"] = "50"

import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers as L  # noqa: E402

BASE_SEED = 20240601
WEIGHT_RANGE = 0.8
N_SEQUENCES = 3

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "keras"


def case(name, dsl, T, F, layers, lengths=None, input_scale=1.0,
         extended=False, act_check=None):
    """One fixture case.

    layers:      list of zero-argument callables returning a fresh Keras layer
                 (called after clear_session so names start from scratch).
    lengths:     sequence lengths for T=None (variable length) cases.
    input_scale: multiplier applied to the standard-normal inputs (1.0 unless
                 a case saturates badly; recorded in the fixture).
    extended:    write the per-layer "config" object and the per-weight "path"
                 (added after the first 18 cases; False keeps those fixtures
                 byte-identical).
    act_check:   activation name for the single-activation act_* cases: the
                 pre-activations must cover the activation's interesting
                 regions (see ACTIVATIONS) instead of the generic
                 sigmoid/softmax saturation check.
    """
    if T is None:
        assert lengths is not None and len(lengths) == N_SEQUENCES, name
    else:
        assert lengths is None, name
    return dict(name=name, dsl=dsl, T=T, F=F, layers=layers,
                lengths=lengths, input_scale=input_scale, extended=extended,
                act_check=act_check)


def xcase(name, dsl, T, F, layers, **kw):
    """A case with the extended fixture format (every case after the 18th)."""
    return case(name, dsl, T, F, layers, extended=True, **kw)


def rnn(units, **kw):
    return lambda: L.SimpleRNN(units, **kw)


def dense(units, **kw):
    return lambda: L.Dense(units, **kw)


def lstm(units, **kw):
    return lambda: L.LSTM(units, **kw)


def gru(units, **kw):
    return lambda: L.GRU(units, **kw)


def bidirectional(inner, **kw):
    return lambda: L.Bidirectional(inner(), **kw)


def dropout(rate):
    return lambda: L.Dropout(rate)


def spatial_dropout1d(rate):
    return lambda: L.SpatialDropout1D(rate)


def gaussian_noise(stddev):
    return lambda: L.GaussianNoise(stddev)


def gaussian_dropout(rate):
    return lambda: L.GaussianDropout(rate)


def alpha_dropout(rate):
    return lambda: L.AlphaDropout(rate)


def activation(name):
    return lambda: L.Activation(name)


def softmax(**kw):
    return lambda: L.Softmax(**kw)


def time_distributed(inner):
    return lambda: L.TimeDistributed(inner())


def layer_normalization(**kw):
    return lambda: L.LayerNormalization(**kw)


def batch_normalization(**kw):
    return lambda: L.BatchNormalization(**kw)


def normalization(**kw):
    return lambda: L.Normalization(**kw)


def repeat_vector(n):
    return lambda: L.RepeatVector(n)


def flatten():
    return lambda: L.Flatten()


def reshape(target_shape):
    return lambda: L.Reshape(target_shape)


def prelu(**kw):
    return lambda: L.PReLU(**kw)


def conv1d(filters, kernel_size, **kw):
    return lambda: L.Conv1D(filters, kernel_size, **kw)


def max_pooling1d(*args, **kw):
    return lambda: L.MaxPooling1D(*args, **kw)


def average_pooling1d(*args, **kw):
    return lambda: L.AveragePooling1D(*args, **kw)


def global_average_pooling1d():
    return lambda: L.GlobalAveragePooling1D()


def global_max_pooling1d():
    return lambda: L.GlobalMaxPooling1D()


def zero_padding1d(*args, **kw):
    return lambda: L.ZeroPadding1D(*args, **kw)


def cropping1d(*args, **kw):
    return lambda: L.Cropping1D(*args, **kw)


def up_sampling1d(*args, **kw):
    return lambda: L.UpSampling1D(*args, **kw)


def relu_layer(**kw):
    return lambda: L.ReLU(**kw)


def leaky_relu_layer(**kw):
    return lambda: L.LeakyReLU(**kw)


def elu_layer(**kw):
    return lambda: L.ELU(**kw)


# The 19 activations with a single-Dense act_<name> case each, in this order.
ACT_NAMES = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu",
             "sigmoid", "hard_sigmoid", "tanh", "hard_tanh", "softplus",
             "softsign", "silu", "hard_silu", "mish", "exponential",
             "softmax", "log_softmax"]


def act_case(name):
    # exponential: scale 1.0 keeps exp() of the pre-activations moderate.
    scale = 1.0 if name == "exponential" else 3.0
    return xcase(f"act_{name}",
                 f"input [6, 4]; dense(8, activation = {name});",
                 6, 4, [dense(8, activation=name)], input_scale=scale,
                 act_check=name)


# ---------------------------------------------------------------------------
# Case table.  Append new cases at the END only (seeds are index based).
# ---------------------------------------------------------------------------
CASES = [
    case("seed_rnn1", "input [50, 3]; simple_rnn(1); dense(1);",
         50, 3, [rnn(1), dense(1)]),
    case("seed_rnn2", "input [50, 3]; simple_rnn(2); dense(1);",
         50, 3, [rnn(2), dense(1)]),
    case("seed_rnn3", "input [50, 3]; simple_rnn(3); dense(1);",
         50, 3, [rnn(3), dense(1)]),
    case("seed_rnn4", "input [50, 3]; simple_rnn(4); dense(1);",
         50, 3, [rnn(4), dense(1)]),
    case("relu_seq_softmax",
         "input [10, 3]; simple_rnn(4, activation = relu, return_sequences = true); "
         "dense(3, activation = softmax);",
         10, 3, [rnn(4, activation="relu", return_sequences=True),
                 dense(3, activation="softmax")]),
    case("stacked",
         "input [20, 4]; simple_rnn(8, return_sequences = true); "
         "simple_rnn(6, return_sequences = true); simple_rnn(5); "
         "dense(3, activation = relu); dense(2, activation = sigmoid);",
         20, 4, [rnn(8, return_sequences=True), rnn(6, return_sequences=True),
                 rnn(5), dense(3, activation="relu"),
                 dense(2, activation="sigmoid")]),
    case("go_backwards",
         "input [12, 3]; simple_rnn(4, go_backwards = true); dense(2);",
         12, 3, [rnn(4, go_backwards=True), dense(2)]),
    case("go_backwards_seq",
         "input [12, 3]; simple_rnn(4, go_backwards = true, return_sequences = true); "
         "simple_rnn(3, go_backwards = true, return_sequences = true); dense(2);",
         12, 3, [rnn(4, go_backwards=True, return_sequences=True),
                 rnn(3, go_backwards=True, return_sequences=True), dense(2)]),
    case("go_backwards_mid",
         "input [9, 2]; simple_rnn(3, return_sequences = true); "
         "simple_rnn(4, go_backwards = true, return_sequences = true); simple_rnn(2);",
         9, 2, [rnn(3, return_sequences=True),
                rnn(4, go_backwards=True, return_sequences=True), rnn(2)]),
    case("no_bias",
         "input [15, 3]; simple_rnn(4, use_bias = false, activation = sigmoid); "
         "dense(2, use_bias = false, activation = tanh);",
         15, 3, [rnn(4, use_bias=False, activation="sigmoid"),
                 dense(2, use_bias=False, activation="tanh")]),
    case("dense_first",
         "input [8, 5]; dense(4, activation = relu); simple_rnn(3); "
         "dense(1, activation = linear);",
         8, 5, [dense(4, activation="relu"), rnn(3),
                dense(1, activation="linear")]),
    case("activations",
         "input [6, 3]; simple_rnn(5, activation = linear, return_sequences = true); "
         "simple_rnn(5, activation = softmax, return_sequences = true); "
         "simple_rnn(4, activation = relu, return_sequences = true); "
         "dense(3, activation = tanh); dense(3, activation = sigmoid); "
         "dense(2, activation = softmax);",
         6, 3, [rnn(5, activation="linear", return_sequences=True),
                rnn(5, activation="softmax", return_sequences=True),
                rnn(4, activation="relu", return_sequences=True),
                dense(3, activation="tanh"), dense(3, activation="sigmoid"),
                dense(2, activation="softmax")]),
    case("var_len", "input [_, 3]; simple_rnn(4); dense(2);",
         None, 3, [rnn(4), dense(2)], lengths=[1, 7, 50]),
    case("var_len_seq",
         "input [_, 2]; simple_rnn(3, return_sequences = true); "
         "dense(2, activation = tanh);",
         None, 2, [rnn(3, return_sequences=True), dense(2, activation="tanh")],
         lengths=[1, 5, 33]),
    case("var_len_backwards",
         "input [_, 3]; dense(4); simple_rnn(3, go_backwards = true, "
         "return_sequences = true); simple_rnn(2);",
         None, 3, [dense(4), rnn(3, go_backwards=True, return_sequences=True),
                   rnn(2)], lengths=[1, 6, 20]),
    case("long_seq", "input [400, 2]; simple_rnn(6); dense(1);",
         400, 2, [rnn(6), dense(1)]),
    case("wide",
         "input [30, 16]; simple_rnn(32, return_sequences = true); "
         "simple_rnn(16); dense(4, activation = softmax);",
         30, 16, [rnn(32, return_sequences=True), rnn(16),
                  dense(4, activation="softmax")]),
    case("single_dense", "input [5, 4]; dense(3, activation = relu);",
         5, 4, [dense(3, activation="relu")]),
    # ---- LSTM / GRU / Bidirectional / dropout-like layers / activations ----
    xcase("lstm_basic", "input [20, 3]; lstm(4); dense(1);",
          20, 3, [lstm(4), dense(1)]),
    xcase("lstm_stacked",
          "input [10, 4]; lstm(6, return_sequences = true); lstm(3); "
          "dense(2, activation = softmax);",
          10, 4, [lstm(6, return_sequences=True), lstm(3),
                  dense(2, activation="softmax")]),
    xcase("lstm_options",
          "input [12, 3]; lstm(5, activation = relu, recurrent_activation = "
          "hard_sigmoid, use_bias = false, return_sequences = true, "
          "go_backwards = true); dense(2);",
          12, 3, [lstm(5, activation="relu", recurrent_activation="hard_sigmoid",
                       use_bias=False, return_sequences=True,
                       go_backwards=True), dense(2)]),
    xcase("gru_basic", "input [20, 3]; gru(4); dense(1);",
          20, 3, [gru(4), dense(1)]),
    xcase("gru_reset_before",
          "input [15, 3]; gru(5, reset_after = false, return_sequences = true); "
          "gru(3); dense(1);",
          15, 3, [gru(5, reset_after=False, return_sequences=True), gru(3),
                  dense(1)]),
    xcase("gru_options",
          "input [12, 2]; gru(4, activation = softsign, recurrent_activation = "
          "hard_sigmoid, use_bias = false, go_backwards = true); dense(1);",
          12, 2, [gru(4, activation="softsign",
                      recurrent_activation="hard_sigmoid", use_bias=False,
                      go_backwards=True), dense(1)]),
    xcase("gru_reset_before_nobias",
          "input [8, 3]; gru(3, reset_after = false, use_bias = false); dense(1);",
          8, 3, [gru(3, reset_after=False, use_bias=False), dense(1)]),
    xcase("bidirectional_concat",
          "input [10, 3]; bidirectional(lstm(4)); dense(1);",
          10, 3, [bidirectional(lstm(4)), dense(1)]),
    xcase("bidirectional_seq",
          "input [9, 2]; bidirectional(lstm(3, return_sequences = true)); dense(2);",
          9, 2, [bidirectional(lstm(3, return_sequences=True)), dense(2)]),
    xcase("bidirectional_modes",
          "input [8, 3]; bidirectional(gru(3, return_sequences = true), "
          "merge_mode = sum); bidirectional(simple_rnn(2, return_sequences = "
          "true), merge_mode = mul); bidirectional(lstm(2), merge_mode = ave); "
          "dense(1);",
          8, 3, [bidirectional(gru(3, return_sequences=True), merge_mode="sum"),
                 bidirectional(rnn(2, return_sequences=True), merge_mode="mul"),
                 bidirectional(lstm(2), merge_mode="ave"), dense(1)]),
    xcase("dropouts",
          "input [10, 3]; dropout(0.5); lstm(4, return_sequences = true); "
          "spatial_dropout1d(0.3); gru(3, return_sequences = true); "
          "gaussian_noise(0.1); gaussian_dropout(0.2); alpha_dropout(0.1); "
          "dense(2);",
          10, 3, [dropout(0.5), lstm(4, return_sequences=True),
                  spatial_dropout1d(0.3), gru(3, return_sequences=True),
                  gaussian_noise(0.1), gaussian_dropout(0.2),
                  alpha_dropout(0.1), dense(2)]),
    xcase("mixed_stack",
          "input [16, 4]; dense(8, activation = relu); "
          "gru(6, return_sequences = true); lstm(5); dense(2);",
          16, 4, [dense(8, activation="relu"), gru(6, return_sequences=True),
                  lstm(5), dense(2)]),
    xcase("lstm_long", "input [1000, 3]; lstm(8); dense(1);",
          1000, 3, [lstm(8), dense(1)]),
    xcase("gru_long", "input [1000, 2]; gru(6); dense(1);",
          1000, 2, [gru(6), dense(1)]),
    xcase("lstm_wide", "input [10, 32]; lstm(64); dense(4);",
          10, 32, [lstm(64), dense(4)]),
    xcase("var_len_lstm_gru",
          "input [_, 3]; lstm(4, return_sequences = true); gru(3); dense(1);",
          None, 3, [lstm(4, return_sequences=True), gru(3), dense(1)],
          lengths=[1, 9, 40]),
] + [act_case(n) for n in ACT_NAMES] + [
    xcase("recurrent_activations",
          "input [10, 3]; lstm(4, activation = gelu, recurrent_activation = "
          "hard_silu, return_sequences = true); gru(3, activation = mish, "
          "recurrent_activation = softplus);",
          10, 3, [lstm(4, activation="gelu", recurrent_activation="hard_silu",
                       return_sequences=True),
                  gru(3, activation="mish", recurrent_activation="softplus")]),
    # 54-55: the Activation and Softmax layers (issue 14), in a sequence and after one.
    xcase("activation_layers",
          "input [8, 3]; simple_rnn(4, return_sequences = true); activation(relu); "
          "dense(3); softmax();",
          8, 3, [rnn(4, return_sequences=True), activation("relu"), dense(3),
                 softmax()]),
    xcase("activation_layers_any",
          "input [_, 2]; dense(5); activation(gelu); lstm(3); "
          "activation(hard_sigmoid); dense(2); softmax();",
          None, 2, [dense(5), activation("gelu"), lstm(3),
                    activation("hard_sigmoid"), dense(2), softmax(axis=-1)],
          lengths=[3, 7, 12]),
    # 56-57: the ReLU, LeakyReLU and ELU layers with and without their arguments.
    xcase("relu_layers",
          "input [6, 4]; dense(6); relu(); dense(6); "
          "relu(max_value = 1.5, negative_slope = 0.1, threshold = 0.2); dense(5); "
          "relu(max_value = 6);",
          6, 4, [dense(6), relu_layer(), dense(6),
                 relu_layer(max_value=1.5, negative_slope=0.1, threshold=0.2),
                 dense(5), relu_layer(max_value=6)],
          input_scale=3.0),
    xcase("leaky_elu_layers",
          "input [_, 3]; dense(5); leaky_relu(); gru(4, return_sequences = true); "
          "leaky_relu(negative_slope = 0.05); dense(3); elu(alpha = 0.5); "
          "simple_rnn(2); elu();",
          None, 3, [dense(5), leaky_relu_layer(), gru(4, return_sequences=True),
                    leaky_relu_layer(negative_slope=0.05), dense(3),
                    elu_layer(alpha=0.5), rnn(2), elu_layer()],
          lengths=[4, 9, 15], input_scale=2.0),
    # 58-59: TimeDistributed around Dense (and an activation layer) after a sequence.
    xcase("time_distributed",
          "input [6, 3]; lstm(4, return_sequences = true); "
          "time_distributed(dense(3, activation = relu)); time_distributed(dense(2));",
          6, 3, [lstm(4, return_sequences=True),
                 time_distributed(dense(3, activation="relu")),
                 time_distributed(dense(2))]),
    xcase("time_distributed_any",
          "input [_, 2]; gru(3, return_sequences = true); "
          "time_distributed(dense(2)); time_distributed(activation(sigmoid));",
          None, 2, [gru(3, return_sequences=True), time_distributed(dense(2)),
                    time_distributed(activation("sigmoid"))],
          lengths=[2, 5, 9]),
    # 60-61: LayerNormalization with Keras's defaults and with its options.
    xcase("layer_normalization",
          "input [8, 3]; dense(5); layer_normalization(); lstm(4); "
          "layer_normalization(epsilon = 0.01, center = false); dense(2);",
          8, 3, [dense(5), layer_normalization(), lstm(4),
                 layer_normalization(epsilon=0.01, center=False), dense(2)]),
    xcase("layer_normalization_any",
          "input [_, 4]; layer_normalization(scale = false); "
          "gru(3, return_sequences = true); layer_normalization(); dense(2);",
          None, 4, [layer_normalization(scale=False), gru(3, return_sequences=True),
                    layer_normalization(), dense(2)],
          lengths=[3, 6, 10], input_scale=2.0),
    # 62-63: BatchNormalization at inference (moving statistics, non-trainable)
    # with its options, momentum left in; Normalization (adapted statistics)
    # and its inverse.
    xcase("batch_normalization",
          "input [8, 3]; batch_normalization(); lstm(4, return_sequences = true); "
          "batch_normalization(epsilon = 0.01, center = false); gru(3); "
          "batch_normalization(scale = false); dense(2);",
          8, 3, [batch_normalization(momentum=0.9), lstm(4, return_sequences=True),
                 batch_normalization(epsilon=0.01, center=False), gru(3),
                 batch_normalization(scale=False), dense(2)]),
    xcase("normalization",
          "input [_, 4]; normalization(); gru(3, return_sequences = true); "
          "dense(2); normalization(invert = true);",
          None, 4, [normalization(), gru(3, return_sequences=True), dense(2),
                    normalization(invert=True)],
          lengths=[3, 6, 10], input_scale=2.0),
    # 64-66: RepeatVector (a second sequence, of its own length, read by a
    # Bidirectional and a go_backwards layer), Flatten (of the input itself,
    # of a returned sequence, and of a vector, where it changes nothing), PReLU
    # on vectors, and RepeatVector as the last layer.
    xcase("repeat_vector",
          "input [6, 3]; gru(5); repeat_vector(3); "
          "bidirectional(lstm(2, return_sequences = true)); "
          "simple_rnn(4, go_backwards = true, return_sequences = true); dense(2);",
          6, 3, [gru(5), repeat_vector(3),
                 bidirectional(lstm(2, return_sequences=True)),
                 rnn(4, go_backwards=True, return_sequences=True), dense(2)]),
    xcase("flatten",
          "input [4, 3]; flatten(); dense(5); repeat_vector(2); "
          "lstm(3, return_sequences = true); flatten(); dense(2);",
          4, 3, [flatten(), dense(5), repeat_vector(2),
                 lstm(3, return_sequences=True), flatten(), dense(2)]),
    xcase("flatten_prelu",
          "input [5, 3]; lstm(4); flatten(); prelu(); dense(3); prelu(); "
          "repeat_vector(3);",
          5, 3, [lstm(4), flatten(), prelu(), dense(3), prelu(),
                 repeat_vector(3)]),
    # 67-69: Reshape: a vector into a sequence (`(3, 2)`, and `(-1, 1)` after a
    # model of any length), a sequence into a vector (`(-1,)`) and into
    # another sequence (the input regrouped), a vector into itself.
    xcase("reshape",
          "input [6, 2]; lstm(4); dense(6); reshape([3, 2]); "
          "gru(3, return_sequences = true); reshape([-1]); dense(2);",
          6, 2, [lstm(4), dense(6), reshape((3, 2)),
                 gru(3, return_sequences=True), reshape((-1,)), dense(2)]),
    xcase("reshape_sequence",
          "input [4, 3]; reshape([6, 2]); simple_rnn(3); reshape([3]); "
          "reshape([3, 1]); lstm(2, return_sequences = true);",
          4, 3, [reshape((6, 2)), rnn(3), reshape((3,)), reshape((3, 1)),
                 lstm(2, return_sequences=True)]),
    xcase("reshape_any",
          "input [_, 3]; gru(4); dense(8); reshape([-1, 1]); lstm(2);",
          None, 3, [gru(4), dense(8), reshape((-1, 1)), lstm(2)],
          lengths=[2, 5, 9]),
    # 70: PReLU's shared_axes: one alpha per unit shared over time on a
    # sequence ([1]), one alpha for everything ([1, 2]), one for a vector's
    # units ([1]).
    xcase("prelu_shared",
          "input [6, 3]; dense(4); prelu(shared_axes = [1]); "
          "lstm(3, return_sequences = true); prelu(shared_axes = [1, 2]); "
          "gru(2); prelu(shared_axes = [1]);",
          6, 3, [dense(4), prelu(shared_axes=[1]), lstm(3, return_sequences=True),
                 prelu(shared_axes=[1, 2]), gru(2), prelu(shared_axes=[1])]),
    # 71-78: Conv1D (padding valid / same / causal, strides, dilation_rate,
    # groups, no bias, activations) before an RNN or a Dense head; MaxPooling1D
    # and AveragePooling1D (defaults; pool 3, stride 2, 'same': the average
    # over the unpadded entries only); GlobalAveragePooling1D and
    # GlobalMaxPooling1D (after a Conv1D and after an LSTM sequence); the FCN
    # of keras.io's "Timeseries classification from scratch", scaled down.
    xcase("conv1d_valid",
          "input [10, 3]; conv1d(4, 3); conv1d(5, 2, strides = 2, activation = relu); "
          "lstm(3); dense(2);",
          10, 3, [conv1d(4, 3), conv1d(5, 2, strides=2, activation="relu"),
                  lstm(3), dense(2)]),
    xcase("conv1d_same",
          "input [9, 2]; conv1d(4, 3, padding = same); "
          "conv1d(4, 4, padding = same, strides = 2); gru(3); dense(1);",
          9, 2, [conv1d(4, 3, padding="same"),
                 conv1d(4, 4, padding="same", strides=2), gru(3), dense(1)]),
    xcase("conv1d_causal",
          "input [12, 2]; conv1d(4, 3, padding = causal, dilation_rate = 2); "
          "conv1d(4, 2, padding = causal, dilation_rate = 4, activation = tanh); "
          "gru(3, return_sequences = true); dense(2);",
          12, 2, [conv1d(4, 3, padding="causal", dilation_rate=2),
                  conv1d(4, 2, padding="causal", dilation_rate=4,
                         activation="tanh"),
                  gru(3, return_sequences=True), dense(2)]),
    xcase("conv1d_groups",
          "input [8, 4]; conv1d(6, 3, groups = 2, use_bias = false); "
          "conv1d(4, 1, groups = 2); lstm(2);",
          8, 4, [conv1d(6, 3, groups=2, use_bias=False),
                 conv1d(4, 1, groups=2), lstm(2)]),
    xcase("pooling",
          "input [12, 3]; conv1d(4, 3, padding = same); max_pooling1d(2); "
          "average_pooling1d(3, strides = 2, padding = same); lstm(3); dense(1);",
          12, 3, [conv1d(4, 3, padding="same"), max_pooling1d(2),
                  average_pooling1d(3, strides=2, padding="same"), lstm(3),
                  dense(1)]),
    xcase("global_pooling",
          "input [10, 3]; conv1d(5, 3, activation = relu); "
          "global_average_pooling1d(); dense(2);",
          10, 3, [conv1d(5, 3, activation="relu"), global_average_pooling1d(),
                  dense(2)]),
    xcase("global_max_pooling",
          "input [10, 3]; lstm(4, return_sequences = true); "
          "global_max_pooling1d(); dense(2, activation = softmax);",
          10, 3, [lstm(4, return_sequences=True), global_max_pooling1d(),
                  dense(2, activation="softmax")]),
    xcase("fcn_classifier",
          "input [16, 1]; conv1d(8, 3, padding = same); batch_normalization(); "
          "relu(); conv1d(8, 3, padding = same); batch_normalization(); relu(); "
          "global_average_pooling1d(); dense(3, activation = softmax);",
          16, 1, [conv1d(8, 3, padding="same"), batch_normalization(),
                  relu_layer(), conv1d(8, 3, padding="same"),
                  batch_normalization(), relu_layer(),
                  global_average_pooling1d(), dense(3, activation="softmax")]),
    # 79: causal convolutions of stride 1 on sequences of any length (tinyrnn
    # streams them: its state is each one's receptive field), a kernel of 1
    # (no state) among them, before a GRU returning sequences.
    xcase("conv1d_causal_any",
          "input [_, 2]; conv1d(4, 3, padding = causal, dilation_rate = 2, "
          "activation = relu); conv1d(3, 1, padding = causal); "
          "gru(3, return_sequences = true); dense(1);",
          None, 2, [conv1d(4, 3, padding="causal", dilation_rate=2,
                           activation="relu"),
                    conv1d(3, 1, padding="causal"),
                    gru(3, return_sequences=True), dense(1)],
          lengths=[3, 7, 12]),
    # 80-81: ZeroPadding1D, Cropping1D, UpSampling1D (asymmetric, one number
    # for both ends, and Keras's defaults), around a Conv1D and before RNNs.
    xcase("resampling",
          "input [6, 2]; zero_padding1d([1, 2]); conv1d(3, 2); cropping1d(2); "
          "up_sampling1d(3); lstm(2); dense(1);",
          6, 2, [zero_padding1d((1, 2)), conv1d(3, 2), cropping1d(2),
                 up_sampling1d(3), lstm(2), dense(1)]),
    xcase("resampling_defaults",
          "input [5, 3]; zero_padding1d(); cropping1d([0, 2]); up_sampling1d(); "
          "gru(2, return_sequences = true);",
          5, 3, [zero_padding1d(), cropping1d((0, 2)), up_sampling1d(),
                 gru(2, return_sequences=True)]),
    # 82-84: convolutions and poolings on sequences of any length (tinyrnn
    # slides each window timestep by timestep in forward): valid with
    # strides, same with dilation, causal with strides (an output every 2
    # timesteps), pooling same of stride 1, and the global poolings; lengths
    # shorter than a window among them.
    xcase("windows_any",
          "input [_, 2]; conv1d(4, 3, strides = 2, activation = relu); "
          "max_pooling1d(2); lstm(3); dense(1);",
          None, 2, [conv1d(4, 3, strides=2, activation="relu"),
                    max_pooling1d(2), lstm(3), dense(1)],
          lengths=[7, 12, 20]),
    xcase("windows_any_sequence",
          "input [_, 1]; conv1d(4, 3, padding = same, dilation_rate = 2); "
          "average_pooling1d(3, strides = 1, padding = same); "
          "conv1d(3, 2, strides = 2, padding = causal); "
          "gru(2, return_sequences = true);",
          None, 1, [conv1d(4, 3, padding="same", dilation_rate=2),
                    average_pooling1d(3, strides=1, padding="same"),
                    conv1d(3, 2, strides=2, padding="causal"),
                    gru(2, return_sequences=True)],
          lengths=[2, 9, 16]),
    xcase("global_pooling_any",
          "input [_, 3]; conv1d(6, 3, padding = same, groups = 3, "
          "activation = relu); global_average_pooling1d(); dense(2);",
          None, 3, [conv1d(6, 3, padding="same", groups=3, activation="relu"),
                    global_average_pooling1d(), dense(2)],
          lengths=[1, 6, 13]),
    xcase("global_max_pooling_any",
          "input [_, 2]; lstm(3, return_sequences = true); "
          "global_max_pooling1d(); dense(1);",
          None, 2, [lstm(3, return_sequences=True), global_max_pooling1d(),
                    dense(1)],
          lengths=[3, 8, 11]),
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def f32list(a):
    """Nested list of Python floats, each exactly equal to an f32 value."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return float(np.float32(a))
    return [f32list(x) for x in a]


def flat_f32(a):
    return [float(np.float32(v)) for v in np.asarray(a, np.float32).ravel(order="C")]


def short_name(var):
    p = getattr(var, "path", None) or var.name
    return p.split("/")[-1].split(":")[0]


def weight_path(model, var):
    p = var.path
    prefix = model.name + "/"
    assert p.startswith(prefix), (p, prefix)
    return p[len(prefix):]


def shape_json(shape):
    return [None if d is None else int(d) for d in shape]


# Independent float64 NumPy reference, used only as a self-check of the
# Keras semantics we rely on (kernel layout, gate order, go_backwards output
# order, Bidirectional merging, activation definitions, ...).
def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


_erf = np.vectorize(math.erf, otypes=[np.float64])

# Keras 3.15.1 definitions (keras/src/activations/activations.py and
# keras/src/backend/tensorflow/nn.py).  SELU constants are those of
# tf.nn.selu; the defaults of parameterised activations are read from the
# signatures of keras.activations.* (see activation_params) and checked
# against these functions by check_activation_definitions().
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
LEAKY_RELU_SLOPE = 0.2
ACTIVATIONS = {
    # name: (float64 function, kinks the act_* pre-activations must straddle,
    #        (lo, hi, min_fraction) for the "not saturated" check of bounded
    #        activations, or None where it makes no sense).  The piecewise
    #        hard_* ones saturate exactly by design (the clipped parts are what
    #        the kink check exercises), so they only need 10% in the linear
    #        part; smooth bounded ones need 25% like the generic check.
    "linear": (lambda x: x, [], None),
    "relu": (lambda x: np.maximum(x, 0.0), [0.0], None),
    "relu6": (lambda x: np.minimum(np.maximum(x, 0.0), 6.0), [0.0, 6.0], None),
    "leaky_relu": (lambda x: np.where(x >= 0, x, LEAKY_RELU_SLOPE * x),
                   [0.0], None),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
            [0.0], None),
    "selu": (lambda x: SELU_SCALE * np.where(
        x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0.0))), [0.0], None),
    "gelu": (lambda x: 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0))),
             [-1.0, 0.0, 1.0], None),
    "sigmoid": (_sigmoid, [0.0], (0.0, 1.0, 0.25)),
    "hard_sigmoid": (lambda x: np.clip(x + 3.0, 0.0, 6.0) / 6.0,
                     [-3.0, 3.0], (0.0, 1.0, 0.10)),
    "tanh": (np.tanh, [0.0], (-1.0, 1.0, 0.25)),
    "hard_tanh": (lambda x: np.clip(x, -1.0, 1.0), [-1.0, 1.0],
                  (-1.0, 1.0, 0.10)),
    "softplus": (_softplus, [0.0], None),
    "softsign": (lambda x: x / (1.0 + np.abs(x)), [0.0], (-1.0, 1.0, 0.25)),
    "silu": (lambda x: x * _sigmoid(x), [0.0], None),
    "hard_silu": (lambda x: x * np.clip(x + 3.0, 0.0, 6.0) / 6.0,
                  [-3.0, 3.0], None),
    "mish": (lambda x: x * np.tanh(_softplus(x)), [0.0], None),
    "exponential": (np.exp, [0.0], None),
    "softmax": (lambda x: np.exp(x - x.max(axis=-1, keepdims=True))
                / np.exp(x - x.max(axis=-1, keepdims=True)).sum(
                    axis=-1, keepdims=True), [], (0.0, 1.0, 0.25)),
    "log_softmax": (lambda x: x - x.max(axis=-1, keepdims=True) - np.log(
        np.exp(x - x.max(axis=-1, keepdims=True)).sum(axis=-1, keepdims=True)),
        [], None),
}


def _act(name, x):
    if name not in ACTIVATIONS:
        raise ValueError(name)
    return ACTIVATIONS[name][0](x)


def activation_params(name):
    """Parameters (with Keras' defaults) of the function a string activation
    resolves to, e.g. leaky_relu -> {"negative_slope": 0.2}; SELU's fixed
    constants are recorded too.  {} when there are none."""
    import inspect
    fn = keras.activations.get(name)
    params = {k: v.default for k, v in inspect.signature(fn).parameters.items()
              if k != "x" and v.default is not inspect.Parameter.empty}
    if name == "selu":
        params = {"alpha": float(SELU_ALPHA), "scale": float(SELU_SCALE)}
    return params


def check_activation_definitions():
    """Every ACTIVATIONS entry equals keras.activations.get(name) on a dense
    float32 grid (and gelu is the exact erf form, not the tanh one)."""
    x = np.linspace(-9.0, 9.0, 3601).astype(np.float32)
    x2 = x[:3600].reshape(-1, 8)  # softmax / log_softmax act on the last axis
    for name, (fn, _, _) in ACTIVATIONS.items():
        xin = x2 if name in ("softmax", "log_softmax") else x
        got = np.asarray(keras.activations.get(name)(xin), np.float64)
        ref = fn(xin.astype(np.float64))
        tol = 1e-6 * np.maximum(1.0, np.abs(ref))
        err = np.abs(got - ref)
        assert np.all(err <= tol), (name, float(err.max()))
    xs = x.astype(np.float64)
    approx = 0.5 * xs * (1 + np.tanh(math.sqrt(2 / math.pi)
                                     * (xs + 0.044715 * xs ** 3)))
    assert np.max(np.abs(approx - ACTIVATIONS["gelu"][0](xs))) > 1e-4
    assert activation_params("gelu") == {"approximate": False}
    assert activation_params("leaky_relu") == {
        "negative_slope": LEAKY_RELU_SLOPE}
    assert activation_params("elu") == {"alpha": 1.0}


def _run_rnn(kind, cfg, ws, h):
    """One SimpleRNN / LSTM / GRU layer over h: (T, F)."""
    act, ract = cfg["activation"], cfg.get("recurrent_activation")
    W, U = ws[0], ws[1]
    n = U.shape[0]  # units
    seq = h[::-1] if cfg["go_backwards"] else h
    state = np.zeros(n)
    carry = np.zeros(n)
    outs = []
    if kind == "SimpleRNN":
        b = ws[2] if cfg["use_bias"] else np.zeros(n)
        for t in range(seq.shape[0]):
            state = _act(act, seq[t] @ W + state @ U + b)
            outs.append(state)
    elif kind == "LSTM":
        # Gate order i, f, c, o along the 4*units axis.
        b = ws[2] if cfg["use_bias"] else np.zeros(4 * n)
        for t in range(seq.shape[0]):
            z = seq[t] @ W + state @ U + b
            i = _act(ract, z[:n])
            f = _act(ract, z[n:2 * n])
            g = _act(act, z[2 * n:3 * n])
            o = _act(ract, z[3 * n:])
            carry = f * carry + i * g
            state = o * _act(act, carry)
            outs.append(state)
    elif kind == "GRU":
        # Gate order z, r, h along the 3*units axis.
        if cfg["reset_after"]:
            # bias (2, 3*units): [input bias row, recurrent bias row]
            b = ws[2] if cfg["use_bias"] else np.zeros((2, 3 * n))
            for t in range(seq.shape[0]):
                xw = seq[t] @ W + b[0]
                hu = state @ U + b[1]
                z = _act(ract, xw[:n] + hu[:n])
                r = _act(ract, xw[n:2 * n] + hu[n:2 * n])
                hh = _act(act, xw[2 * n:] + r * hu[2 * n:])
                state = z * state + (1.0 - z) * hh
                outs.append(state)
        else:
            b = ws[2] if cfg["use_bias"] else np.zeros(3 * n)
            for t in range(seq.shape[0]):
                xw = seq[t] @ W + b
                z = _act(ract, xw[:n] + state @ U[:, :n])
                r = _act(ract, xw[n:2 * n] + state @ U[:, n:2 * n])
                hh = _act(act, xw[2 * n:] + (r * state) @ U[:, 2 * n:])
                state = z * state + (1.0 - z) * hh
                outs.append(state)
    else:
        raise TypeError(kind)
    # Keras returns the states in processing order (i.e. reversed in time for
    # go_backwards); this is verified against Keras below.
    return np.stack(outs) if cfg["return_sequences"] else state


def _window_1d(n, size, stride, dilation, padding):
    """Output length and left padding of a 1D window op over n steps, as
    TensorFlow computes them (Keras 3 conv / pooling on the TF backend):
    'valid' none; 'causal' (size - 1) * dilation on the left; 'same'
    ceil(n / stride) outputs, total padding split with floor(total / 2) on
    the left (the extra step, if any, on the right)."""
    span = (size - 1) * dilation + 1
    if padding == "valid":
        return (n - span) // stride + 1, 0
    if padding == "causal":
        left = span - 1
        return (n + left - span) // stride + 1, left
    if padding == "same":
        out = -(-n // stride)
        total = max((out - 1) * stride + span - n, 0)
        return out, total // 2
    raise ValueError(padding)


def _conv1d(cfg, ws, h):
    """Conv1D over h: (T, C); kernel (kernel_size, C / groups, filters)."""
    assert cfg["data_format"] == "channels_last", cfg
    (k,), (s,), (d,) = cfg["kernel_size"], cfg["strides"], cfg["dilation_rate"]
    W = ws[0]
    groups, filters = cfg["groups"], cfg["filters"]
    n, c = h.shape
    assert W.shape == (k, c // groups, filters), (W.shape, h.shape, cfg)
    out_len, left = _window_1d(n, k, s, d, cfg["padding"])
    cg, fg = c // groups, filters // groups
    y = np.zeros((out_len, filters))
    for t in range(out_len):
        for j in range(k):
            src = t * s + j * d - left  # zero padding outside [0, n)
            if 0 <= src < n:
                for g in range(groups):
                    y[t, g * fg:(g + 1) * fg] += (
                        h[src, g * cg:(g + 1) * cg] @ W[j, :, g * fg:(g + 1) * fg])
    if cfg["use_bias"]:
        y = y + ws[1]
    return _act(cfg["activation"], y)


def _pool1d(cfg, h, reduce):
    """Max / average pooling over h: (T, C); padded steps are left out (the
    average divides by the number of real steps in the window)."""
    assert cfg["data_format"] == "channels_last", cfg
    (p,), (s,) = cfg["pool_size"], cfg["strides"]
    n = h.shape[0]
    out_len, left = _window_1d(n, p, s, 1, cfg["padding"])
    rows = []
    for t in range(out_len):
        lo = t * s - left
        win = h[max(lo, 0):min(lo + p, n)]
        assert len(win) > 0
        rows.append(reduce(win, axis=0))
    return np.stack(rows)


IDENTITY_AT_INFERENCE = (L.Dropout, L.SpatialDropout1D, L.GaussianNoise,
                         L.GaussianDropout, L.AlphaDropout)


def numpy_reference(model, x):
    """x: (T, F). Returns output for one sequence (no batch dim)."""
    h = np.asarray(x, np.float64)
    for layer in model.layers:
        ws = [np.asarray(w, np.float64) for w in layer.get_weights()]
        cfg = layer.get_config()
        if isinstance(layer, (L.SimpleRNN, L.LSTM, L.GRU)):
            h = _run_rnn(type(layer).__name__, cfg, ws, h)
        elif isinstance(layer, L.Bidirectional):
            fwd, bwd = layer.forward_layer, layer.backward_layer
            nf = len(fwd.weights)
            assert len(ws) == nf + len(bwd.weights)
            y = _run_rnn(type(fwd).__name__, fwd.get_config(), ws[:nf], h)
            bcfg = bwd.get_config()
            assert bcfg["go_backwards"] and not fwd.get_config()["go_backwards"]
            y_rev = _run_rnn(type(bwd).__name__, bcfg, ws[nf:], h)
            if cfg["layer"]["config"]["return_sequences"]:
                y_rev = y_rev[::-1]  # back to input time order
            mode = cfg["merge_mode"]
            if mode == "concat":
                h = np.concatenate([y, y_rev], axis=-1)
            elif mode == "sum":
                h = y + y_rev
            elif mode == "ave":
                h = (y + y_rev) / 2.0
            elif mode == "mul":
                h = y * y_rev
            else:
                raise ValueError(mode)
        elif isinstance(layer, L.Dense):
            W = ws[0]
            b = ws[1] if cfg["use_bias"] else np.zeros(W.shape[1])
            h = _act(cfg["activation"], h @ W + b)
        elif isinstance(layer, L.Conv1D):
            h = _conv1d(cfg, ws, h)
        elif isinstance(layer, L.ZeroPadding1D):
            assert cfg["data_format"] == "channels_last", cfg
            start, end = cfg["padding"]
            h = np.concatenate([np.zeros((start, h.shape[1])), h,
                                np.zeros((end, h.shape[1]))])
        elif isinstance(layer, L.Cropping1D):
            start, end = cfg["cropping"]
            h = h[start:len(h) - end]
        elif isinstance(layer, L.UpSampling1D):
            h = np.repeat(h, cfg["size"], axis=0)
        elif isinstance(layer, L.MaxPooling1D):
            h = _pool1d(cfg, h, np.max)
        elif isinstance(layer, L.AveragePooling1D):
            h = _pool1d(cfg, h, np.mean)
        elif isinstance(layer, (L.GlobalAveragePooling1D, L.GlobalMaxPooling1D)):
            assert cfg["data_format"] == "channels_last" and not cfg["keepdims"]
            assert h.ndim == 2
            h = (h.mean(axis=0) if isinstance(layer, L.GlobalAveragePooling1D)
                 else h.max(axis=0))
        elif isinstance(layer, L.LayerNormalization):
            assert list(cfg["axis"]) in ([-1], [2]) and not cfg["rms_scaling"], cfg
            mean = h.mean(axis=-1, keepdims=True)
            var = ((h - mean) ** 2).mean(axis=-1, keepdims=True)
            y = (h - mean) / np.sqrt(var + cfg["epsilon"])
            k = 0
            if cfg["scale"]:
                y = y * ws[k]
                k += 1
            if cfg["center"]:
                y = y + ws[k]
            h = y
        elif isinstance(layer, L.BatchNormalization):
            assert cfg["axis"] in (-1, [-1], 2, [2], 1, [1]), cfg
            k = 0
            gamma = beta = None
            if cfg["scale"]:
                gamma = ws[k]
                k += 1
            if cfg["center"]:
                beta = ws[k]
                k += 1
            mean, var = ws[k], ws[k + 1]
            y = (h - mean) / np.sqrt(var + cfg["epsilon"])
            if gamma is not None:
                y = y * gamma
            if beta is not None:
                y = y + beta
            h = y
        elif isinstance(layer, L.Normalization):
            assert cfg["axis"] in ((-1,), [-1], -1), cfg
            mean, var = ws[0], ws[1]
            dev = np.maximum(np.sqrt(var), 1e-7)
            h = mean + h * dev if cfg["invert"] else (h - mean) / dev
        elif isinstance(layer, L.TimeDistributed):
            inner = type("Inner", (), {"layers": [layer.layer]})()
            h = numpy_reference(inner, h)
        elif isinstance(layer, L.RepeatVector):
            assert h.ndim == 1
            h = np.repeat(h[None], cfg["n"], axis=0)
        elif isinstance(layer, L.Flatten):
            h = h.reshape(-1)
        elif isinstance(layer, L.Reshape):
            h = h.reshape(tuple(cfg["target_shape"]))
        elif isinstance(layer, L.PReLU):
            # alpha has h's shape, shared axes of size 1: numpy broadcasts it.
            assert ws[0].ndim == h.ndim, (cfg, ws[0].shape, h.shape)
            h = np.maximum(h, 0.0) - ws[0] * np.maximum(-h, 0.0)
        elif isinstance(layer, L.Activation):
            h = _act(cfg["activation"], h)
        elif isinstance(layer, L.Softmax):
            assert cfg["axis"] == -1, cfg
            h = _act("softmax", h)
        elif isinstance(layer, L.ReLU):
            s_, m, t = cfg["negative_slope"], cfg["max_value"], cfg["threshold"]
            y = np.where(h > t, h, 0.0) if t != 0 else np.maximum(h, 0.0)
            if m is not None:
                y = np.clip(y, 0.0, m)
            h = y - s_ * np.maximum(t - h, 0.0)
        elif isinstance(layer, L.LeakyReLU):
            h = np.where(h > 0, h, cfg["negative_slope"] * h)
        elif isinstance(layer, L.ELU):
            h = np.where(h > 0, h, cfg["alpha"] * np.expm1(h))
        elif isinstance(layer, IDENTITY_AT_INFERENCE):
            assert not ws
        else:
            raise TypeError(type(layer))
    return h


# Per-layer "config" object of the extended fixture format.
def _act_cfg(cfg, out, key):
    out[key] = cfg[key]
    params = activation_params(cfg[key])
    if params:
        out[key + "_params"] = params


def layer_config(layer):
    cfg = layer.get_config()
    out = {}
    if isinstance(layer, L.Dense):
        out["units"] = cfg["units"]
        _act_cfg(cfg, out, "activation")
        out["use_bias"] = cfg["use_bias"]
    elif isinstance(layer, (L.SimpleRNN, L.LSTM, L.GRU)):
        out["units"] = cfg["units"]
        _act_cfg(cfg, out, "activation")
        if "recurrent_activation" in cfg:
            _act_cfg(cfg, out, "recurrent_activation")
        for k in ("use_bias", "return_sequences", "go_backwards",
                  "reset_after"):
            if k in cfg:
                out[k] = cfg[k]
    elif isinstance(layer, L.Bidirectional):
        out["merge_mode"] = cfg["merge_mode"]
        for key, sub in (("forward_layer", layer.forward_layer),
                         ("backward_layer", layer.backward_layer)):
            out[key] = {"name": sub.name, "class": type(sub).__name__,
                        **layer_config(sub)}
    elif isinstance(layer, L.Conv1D):
        out["filters"] = cfg["filters"]
        for k in ("kernel_size", "strides", "padding", "data_format",
                  "dilation_rate", "groups"):
            v = cfg[k]
            out[k] = list(v) if isinstance(v, (list, tuple)) else v
        _act_cfg(cfg, out, "activation")
        out["use_bias"] = cfg["use_bias"]
    elif isinstance(layer, (L.MaxPooling1D, L.AveragePooling1D)):
        for k in ("pool_size", "strides", "padding", "data_format"):
            v = cfg[k]
            out[k] = list(v) if isinstance(v, (list, tuple)) else v
    elif isinstance(layer, (L.GlobalAveragePooling1D, L.GlobalMaxPooling1D)):
        out["data_format"] = cfg["data_format"]
        out["keepdims"] = cfg["keepdims"]
    elif isinstance(layer, L.ZeroPadding1D):
        out["padding"] = list(cfg["padding"])
        out["data_format"] = cfg["data_format"]
    elif isinstance(layer, L.Cropping1D):
        out["cropping"] = list(cfg["cropping"])
    elif isinstance(layer, L.UpSampling1D):
        out["size"] = cfg["size"]
    elif isinstance(layer, L.LayerNormalization):
        for k in ("axis", "epsilon", "center", "scale"):
            out[k] = cfg[k]
    elif isinstance(layer, L.BatchNormalization):
        for k in ("axis", "momentum", "epsilon", "center", "scale"):
            out[k] = cfg[k]
    elif isinstance(layer, L.Normalization):
        out["axis"] = list(cfg["axis"]) if isinstance(cfg["axis"], (list, tuple)) else cfg["axis"]
        out["invert"] = cfg["invert"]
    elif isinstance(layer, L.RepeatVector):
        out["n"] = cfg["n"]
    elif isinstance(layer, L.Flatten):
        pass
    elif isinstance(layer, L.Reshape):
        out["target_shape"] = list(cfg["target_shape"])
    elif isinstance(layer, L.PReLU):
        out["shared_axes"] = cfg["shared_axes"]
    elif isinstance(layer, L.TimeDistributed):
        out["layer"] = {"name": layer.layer.name, "class": type(layer.layer).__name__,
                        **layer_config(layer.layer)}
    elif isinstance(layer, L.Activation):
        _act_cfg(cfg, out, "activation")
    elif isinstance(layer, L.Softmax):
        out["axis"] = cfg["axis"]
    elif isinstance(layer, L.ReLU):
        for k in ("max_value", "negative_slope", "threshold"):
            out[k] = cfg[k]
    elif isinstance(layer, L.LeakyReLU):
        out["negative_slope"] = cfg["negative_slope"]
    elif isinstance(layer, L.ELU):
        out["alpha"] = cfg["alpha"]
    elif isinstance(layer, L.GaussianNoise):
        out["stddev"] = cfg["stddev"]
    elif isinstance(layer, IDENTITY_AT_INFERENCE):
        out["rate"] = cfg["rate"]
    else:
        raise TypeError(type(layer))
    return out


def act_coverage(name, pre, outputs):
    """act_* cases: the pre-activations straddle every kink of the activation
    and span negative, small and large values; bounded activations are not
    saturated.  Returns the fraction of unsaturated outputs (or None)."""
    _, kinks, bounds = ACTIVATIONS[name]
    pre = np.concatenate([p.ravel() for p in pre])
    # At least one value on each side of every kink (relu6's clip at 6 is
    # reached by a single pre-activation, 7.25, with the fixed seed).
    for k in sorted(set(kinks) | {-1.0, 1.0}):
        assert np.sum(pre < k) >= 1 and np.sum(pre > k) >= 1, (name, k)
    assert np.sum(np.abs(pre) < 1.0) >= 1, name
    vals = np.concatenate([np.asarray(o, np.float64).ravel() for o in outputs])
    assert np.all(np.isfinite(vals)), name
    if bounds is None:
        return None
    lo, hi, min_frac = bounds
    margin = 0.01 * (hi - lo)
    frac = float(np.mean((vals > lo + margin) & (vals < hi - margin)))
    assert frac > min_frac, (name, "outputs saturated", frac)
    return frac


def saturation_report(final_activation, outputs):
    """Fraction of outputs that are 'interesting' for sigmoid/softmax heads."""
    vals = np.concatenate([np.asarray(o, np.float64).ravel() for o in outputs])
    if final_activation == "sigmoid":
        return float(np.mean((vals > 0.01) & (vals < 0.99)))
    if final_activation == "softmax":
        return float(np.mean((vals > 0.01) & (vals < 0.99)))
    return None


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def build_case(index, c):
    seed = BASE_SEED + index
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)

    model = keras.Sequential([keras.Input((c["T"], c["F"]))]
                             + [mk() for mk in c["layers"]])

    # Weights: uniform(-0.8, 0.8) for every array, biases included; the
    # statistics of the normalization layers as they come out of training:
    # variances in (0.2, 1.0), a count of samples (an integer in Keras).
    new_weights = []
    for var in model.weights:
        w = rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=tuple(var.shape)).astype(np.float32)
        if short_name(var) in ("variance", "moving_variance"):
            w = (np.abs(w) + np.float32(0.2)).astype(np.float32)
        elif short_name(var) == "count":
            w = np.asarray(1000 + int(abs(float(w)) * 1000), dtype=var.dtype)
        new_weights.append(w)
    model.set_weights(new_weights)
    # Normalization computes with copies of its statistics that set_weights does
    # not refresh (loading a file does, through finalize_state()).
    for layer in model.layers:
        if isinstance(layer, L.Normalization):
            layer.finalize_state()
    got = model.get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(got, new_weights))

    # Inputs.
    lengths = c["lengths"] if c["T"] is None else [c["T"]] * N_SEQUENCES
    inputs = [
        (rng.standard_normal((t, c["F"])) * c["input_scale"]).astype(np.float32)
        for t in lengths
    ]

    cases = []
    outputs = []
    max_ref_err = 0.0
    for x in inputs:
        y = np.asarray(model(x[None], training=False))[0].astype(np.float32)
        assert np.all(np.isfinite(y)), (c["name"], y)
        ref = numpy_reference(model, x)
        assert ref.shape == y.shape, (c["name"], ref.shape, y.shape)
        max_ref_err = max(max_ref_err, float(np.max(np.abs(ref - y))))
        outputs.append(y)
        cases.append({"input": f32list(x), "output": f32list(y)})

    layer_infos = []
    for layer in model.layers:
        if not c["extended"]:
            layer_infos.append({
                "name": layer.name,
                "class": type(layer).__name__,
                "output_shape": shape_json(layer.output.shape),
                "params": int(layer.count_params()),
                "weights": [{"name": short_name(w), "shape": shape_json(w.shape)}
                            for w in layer.weights],
            })
            continue
        # Extended format: + "config" per layer, + "path" per weight (the
        # variable path without the model name, e.g.
        # "bidirectional/backward_lstm/lstm_cell/kernel", which tells apart
        # the forward and backward weights of a Bidirectional layer).
        layer_infos.append({
            "name": layer.name,
            "class": type(layer).__name__,
            "output_shape": shape_json(layer.output.shape),
            "params": int(layer.count_params()),
            "config": layer_config(layer),
            "weights": [{"name": short_name(w), "path": weight_path(model, w),
                         "shape": shape_json(w.shape)}
                        for w in layer.weights],
        })

    flat = []
    for w in got:
        flat.extend(flat_f32(w))

    lines = []
    model.summary(print_fn=lambda s, line_break=False: lines.append(s))
    summary = "\n".join(lines)

    fixture = {
        "name": c["name"],
        "dsl": c["dsl"],
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "seed": seed,
        "input_scale": c["input_scale"],
        "layers": layer_infos,
        "total_params": int(model.count_params()),
        "weights": flat,
        "cases": cases,
        "summary": summary,
    }

    # ---- self-checks ----
    total = fixture["total_params"]
    assert sum(li["params"] for li in layer_infos) == total, c["name"]
    assert len(flat) == total, c["name"]
    assert max_ref_err < 1e-4, (c["name"], max_ref_err)
    if c["act_check"] is not None:
        (dense_layer,) = model.layers
        W, b = [np.asarray(w, np.float64) for w in dense_layer.get_weights()]
        pre = [np.asarray(x, np.float64) @ W + b for x in inputs]
        sat = act_coverage(c["act_check"], pre, outputs)
    else:
        last_act = model.layers[-1].get_config().get("activation")
        sat = saturation_report(last_act, outputs)
        if sat is not None:
            assert sat > 0.25, (c["name"], "outputs saturated", sat)

    info = dict(params=total, out_shape=shape_json(model.layers[-1].output.shape),
                out_case_shapes=[list(o.shape) for o in outputs],
                ref_err=max_ref_err, sat=sat,
                out_range=(float(min(o.min() for o in outputs)),
                           float(max(o.max() for o in outputs))),
                # The live model, for tools/gen_keras_files.py (not written).
                model=model)
    return fixture, info


def fixture_text(fixture):
    """The exact text written to tests/fixtures/keras/<case>.json."""
    text = json.dumps(fixture, indent=None, allow_nan=False) + "\n"
    # Round-trip check: every float parses back to the identical f32.
    back = json.loads(text)
    assert back["weights"] == fixture["weights"]
    assert all(np.float32(v) == v for v in back["weights"])
    return text


def main():
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    check_activation_definitions()
    print(f"keras {keras.__version__}, tensorflow {tf.__version__}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}")
    for i, c in enumerate(CASES):
        fixture, info = build_case(i, c)
        text = fixture_text(fixture)
        path = OUT_DIR / f"{c['name']}.json"
        path.write_text(text, encoding="utf-8")
        sat = "" if info["sat"] is None else f" unsaturated={info['sat']:.2f}"
        print(f"{c['name']:<23} params={info['params']:<5} "
              f"output={info['out_shape']} per-seq={info['out_case_shapes']} "
              f"range=[{info['out_range'][0]:.4g}, {info['out_range'][1]:.4g}]"
              f" ref_err={info['ref_err']:.1e}{sat} "
              f"size={len(text.encode('utf-8'))}")
    print(f"wrote {len(CASES)} fixtures to {OUT_DIR.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
