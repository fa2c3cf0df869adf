#!/usr/bin/env python3
"""Generate Keras 3 whole-model gradient fixtures for tinyrnn's training code.

Issue 16: training in Rust must give Keras's gradients.  For each small
model in MODELS this script builds a real Keras 3 Sequential model
(TensorFlow backend) the way tools/gen_keras_fixtures.py does
(keras.Input((T, F)) then the layers), fills every weight array with seeded
uniform(-0.5, 0.5) float32 values, draws one seeded input sample x [T][F]
(standard normal, float32) and one target y shaped like the model's output
for one sample ([U] or [T][U]; 0/1 labels for binary crossentropy, one-hot
rows for categorical crossentropy, standard normal otherwise), and records

  value     loss_fn(y[None], model(x[None], training=False)), the loss
            object built with its defaults (reduction
            "sum_over_batch_size"), float32
  grads     d value / d weights from a tf.GradientTape (eager, the model
            called with training=False, gradients taken with respect to
            model.trainable_weights), each array flattened row-major and
            concatenated in model.get_weights() order, float32
  weights   model.get_weights(), flattened row-major and concatenated
  value_f64, grads_f64
            the same computation on a float64 clone (every layer and the
            loss built with dtype="float64", the float32 weights cast
            exactly), to show how far float32 rounding goes

into tests/fixtures/train/gradients.json.  Every float is exactly a float32
value (float(np.float32(v)), the shortest repr, which reads back to the same
f32) except the *_f64 fields.

Model i uses numpy.random.default_rng(BASE_SEED + SEED_OFFSET + i) =
default_rng(20261129 + 3000 + i), drawn in this order: every weight array in
model.weights order, then x, then y; append new models at the end.

Models 14 and later (the layers and options `backward` did not cover yet:
go_backwards, bidirectional with every merge_mode, time_distributed, masks,
embedding, the normalization layers, conv1d and the poolings, padding /
cropping / up-sampling, repeat_vector, flatten, reshape, prelu, the
activation layers, the identity-at-inference layers) add these rules and
fields; the records of models 0-13 are unchanged:

  * Weights: BatchNormalization's moving_variance and Normalization's
    variance are |w| + 0.2 of their uniform draw, Normalization's count
    1000 + int(|w| * 1000) (an int64 in Keras, written as a float like every
    weight); Normalization stands for an adapted layer: its statistics are
    set (then finalize_state(), which set_weights alone does not refresh).
  * Non-trainable weights (BatchNormalization's moving_mean and
    moving_variance, all of Normalization's mean, variance, count): `grads`
    and `grads_f64` still line up with get_weights() / `weights` (same
    length, same order), with 0.0 for every non-trainable entry (the tape
    only sees model.trainable_weights; the script maps them back by variable
    path).  Such models have a `trainable` field: one bool per weight array,
    in weight_names order (the field is absent when every weight trains).
    The finite differences only perturb the trainable arrays.
  * Token ids (models whose first layer is an embedding): keras.Input((T,),
    dtype="int32"), `input_kind` is "ids", `input_shape` is [T] and `x` is
    the list of the T ids as JSON integers (uniform in 1..input_dim-1, with
    0 at the case's zero_steps: masked with mask_zero = true, an ordinary
    token without it).  TF's gradient of the embedding matrix is an
    IndexedSlices; it is made dense with tf.convert_to_tensor (rows of
    repeated ids summed, unused rows 0) and flattened like any weight.
  * Masks: `masking()` models set every feature of the case's zero_steps
    timesteps to mask_value (start, middle and end among the cases), and
    the script checks that dropping the Masking layer changes the loss (the
    steps are skipped, not read as zeros).  A recurrent layer skips a masked
    step: its state is carried and, returning sequences, its output there
    is the previous output (zeros before the first kept step); a
    bidirectional layer returning sequences outputs zeros there
    (zero_output_for_mask); a go_backwards layer returning sequences emits
    its outputs in reading order, but the mask it passes on stays in time
    order (Keras does not reverse it), so output row j is weighed by the
    mask of time step j although it belongs to time step T-1-j
    (masking_backwards_sequences records exactly that).
  * The mask in the loss.  When the model's output carries a mask (the last
    layer returns a sequence after masking() or mask_zero = true: the mask
    passes through recurrent layers returning sequences, Dense,
    time_distributed), Keras 3's Loss.__call__ reads it from the output
    (y_pred._keras_mask) and applies it (keras/src/losses/loss.py
    apply_mask): with the per-timestep losses l_t (MSE: mean over the units
    of (y - y_pred)^2; BCE / CCE as above), valid = number of kept steps,
    weight w = divide_no_nan(T, valid) (float32) for kept steps and 0 for
    masked ones,
        value = divide_no_nan(sum_t(l_t * w_t), T)
    in float32, i.e. sum over kept steps of l_t / valid up to rounding, NOT
    the plain mean over all T.  Such records have `loss_mask` (T ints, 1 =
    kept, as Keras's mask) and `value_without_mask` (the same loss on the
    output as a plain tensor: mean over all T steps, for comparison);
    `value` and `grads` are Keras's masked ones (masked steps get no
    gradient from the loss).  The script checks that value is bit for bit
    that formula (re-done with TF ops), equal within 1e-6 to the float64
    numpy masked mean and different from the unmasked mean.  A model whose
    output is one vector (the mask consumed by a recurrent layer or by
    global_average_pooling1d, which averages the kept steps only) has no
    mask on its output and no `loss_mask`.
  * time_distributed(dense(..., activation = softmax)) drops the
    _keras_logits tag (TimeDistributed reshapes the output), so its
    crossentropy is computed on the clipped probabilities: `loss_path` is
    "output" and the value is bit for bit that of the loss on the output as
    a plain tensor.  The Softmax layer, activation(sigmoid) and dropout-like
    layers after a Dense keep the tag ("logits").
  * Layers that are the identity at training=False (dropout,
    spatial_dropout1d, gaussian_noise, gaussian_dropout, alpha_dropout): the
    script rebuilds the model without them (same weights) and checks the
    same value and gradient bits.
  * Kinks: for relu / leaky_relu / elu / prelu layers, Dense / Conv1D with
    activation relu and max poolings (ties), the script asserts that every
    input (pre-activation; gap between the two largest values of each
    pooling window) lies more than 1e-5 from a kink in the float64 model,
    so that the finite differences (step 1e-6) cross none.  No input had to
    be nudged for that.
  * bidirectional: merge_mode concat, sum, mul, ave (the DSL's).  Keras 3
    also accepts merge_mode=None, which returns the two directions as a
    tuple of two outputs; nothing can follow it in a Sequential model and
    the DSL has no way to write it, so there is no such case.
  * The tf.function run must give the loss within 1e-5 (relative) of the
    eager one (it does bit for bit for most models; graph_same_bits says).

Notes on what Keras does here (Keras 3.15.1, TF 2.21.0):
  * Dropout is the identity with training=False.
  * BinaryCrossentropy / CategoricalCrossentropy after a Dense with a sigmoid
    / softmax activation: on the TensorFlow backend the activation tags its
    output with `_keras_logits`, the tag survives Sequential, and the loss
    computes FROM THE LOGITS (sigmoid_cross_entropy_with_logits /
    softmax_cross_entropy_with_logits, no clipping; see the docstring of
    tools/gen_keras_train.py).  The script asserts that the tag is there and
    that the recorded value is bit-identical to that from-logits formula
    applied to the logits; `loss_path` is "logits" for those models and
    "output" (the loss on the model's output) for the others.
  * MSE after a sigmoid (dense_sigmoid_mse) goes through the probabilities.
  * LSTM / GRU: the script hides any GPU (CUDA_VISIBLE_DEVICES=-1), so Keras
    never takes its cuDNN path and runs its own cell (implementation=2: one
    matmul of the kernel for all gates, gate order i, f, c, o for LSTM and
    z, r, h for GRU).  GRU with reset_after=True (Keras's default) has a
    bias [2, 3U] (input row, recurrent row; r multiplies the recurrent
    candidate term after the matmul), with reset_after=False a bias [3U]
    (r multiplies h before the matmul).  LSTM's unit_forget_bias init is
    overwritten by the seeded weights like everything else.

Before writing, the script checks each model's float64 gradient against
central finite differences of the float64 loss (step 1e-6) and the float32
gradient against the float64 one, and prints the largest differences; it
also records whether the same step run in a tf.function (as model.fit does)
gives the same bits (`graph_same_bits`; if not, `value_graph` and
`grads_graph` hold the graph results).

Run from anywhere:  python3 tools/gen_keras_grads.py [--check]
(--check regenerates into a temp dir and compares byte for byte.)
CI never runs this script; the generated JSON is committed.
"""

import os

# Must be set before TensorFlow / Keras are imported.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ["KERAS_BACKEND"] = "tensorflow"
# No GPU: on a GPU Keras would run LSTM / GRU through cuDNN (other bits).
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers as L  # noqa: E402

tf.get_logger().setLevel("ERROR")

BASE_SEED = 20261129
SEED_OFFSET = 3000
WEIGHT_RANGE = 0.5
FD_STEP = 1e-6

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_FILE = "gradients.json"
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "train"

MSE = "mean_squared_error"
MAE = "mean_absolute_error"
BCE = "binary_crossentropy"
CCE = "categorical_crossentropy"

LOSS_CLASSES = {
    MSE: lambda dtype: keras.losses.MeanSquaredError(dtype=dtype),
    MAE: lambda dtype: keras.losses.MeanAbsoluteError(dtype=dtype),
    BCE: lambda dtype: keras.losses.BinaryCrossentropy(
        from_logits=False, dtype=dtype),
    CCE: lambda dtype: keras.losses.CategoricalCrossentropy(
        from_logits=False, dtype=dtype),
}


def model_case(name, dsl, T, F, layers, loss, zero_steps=(), mask_value=0.0,
               vocab=None, any_length=False):
    """layers: one callable per layer, taking the dtype and returning a fresh
    Keras layer (called after clear_session, so names start from scratch).

    zero_steps: timesteps of x set entirely to mask_value after drawing x
                (for masking() models), or ids set to 0 (for
                embedding(..., mask_zero = true) models).
    vocab:      the embedding's input_dim for models that read token ids:
                keras.Input((T,), dtype="int32"), F is None, x holds ids.
    any_length: the model's Input has no length (keras.Input((None, F)), the
                DSL's `input [_, F]`); x still has T timesteps.
    """
    if vocab is not None:
        assert F is None, name
    return {"name": name, "dsl": dsl, "T": T, "F": F, "layers": layers,
            "loss": loss, "zero_steps": tuple(zero_steps),
            "mask_value": mask_value, "vocab": vocab,
            "any_length": any_length}


def k(cls, *args, **kw):
    """Table shorthand: a fresh cls(*args, **kw) of the given dtype."""
    return lambda d: cls(*args, dtype=d, **kw)


def wrap(cls, inner, **kw):
    """Table shorthand: a wrapper (Bidirectional, TimeDistributed) around a
    fresh inner layer, both of the given dtype."""
    return lambda d: cls(inner(d), dtype=d, **kw)


# Layers that are the identity at training=False: models with them are also
# run without them (same weights) and must give the same bits.
IDENTITY_AT_INFERENCE = (L.Dropout, L.SpatialDropout1D, L.GaussianNoise,
                         L.GaussianDropout, L.AlphaDropout)


# ---------------------------------------------------------------------------
# Model table.  Append new models at the end (seeds are by index).
# ---------------------------------------------------------------------------
MODELS = [
    model_case(
        "seed", "input [50, 3]; simple_rnn(2); dense(1);", 50, 3,
        [lambda d: L.SimpleRNN(2, dtype=d), lambda d: L.Dense(1, dtype=d)],
        MSE),
    model_case(
        "seed_mae", "input [50, 3]; simple_rnn(2); dense(1);", 50, 3,
        [lambda d: L.SimpleRNN(2, dtype=d), lambda d: L.Dense(1, dtype=d)],
        MAE),
    model_case(
        "sequence_sigmoid_bce",
        "input [6, 2]; simple_rnn(3, return_sequences = true); dropout(0.2); "
        "dense(2, activation = sigmoid);", 6, 2,
        [lambda d: L.SimpleRNN(3, return_sequences=True, dtype=d),
         lambda d: L.Dropout(0.2, dtype=d),
         lambda d: L.Dense(2, activation="sigmoid", dtype=d)],
        BCE),
    model_case(
        "stacked_softmax_cce",
        "input [5, 2]; simple_rnn(4, return_sequences = true); "
        "simple_rnn(3, activation = relu); dense(3, activation = softmax);",
        5, 2,
        [lambda d: L.SimpleRNN(4, return_sequences=True, dtype=d),
         lambda d: L.SimpleRNN(3, activation="relu", dtype=d),
         lambda d: L.Dense(3, activation="softmax", dtype=d)],
        CCE),
    model_case(
        "no_bias_relu_head",
        "input [7, 3]; simple_rnn(3, use_bias = false); "
        "dense(4, activation = relu); dense(1);", 7, 3,
        [lambda d: L.SimpleRNN(3, use_bias=False, dtype=d),
         lambda d: L.Dense(4, activation="relu", dtype=d),
         lambda d: L.Dense(1, dtype=d)],
        MSE),
    model_case(
        "sequence_mse",
        "input [4, 3]; dense(4, activation = tanh); "
        "simple_rnn(2, return_sequences = true);", 4, 3,
        [lambda d: L.Dense(4, activation="tanh", dtype=d),
         lambda d: L.SimpleRNN(2, return_sequences=True, dtype=d)],
        MSE),
    model_case(
        "dense_sigmoid_mse",
        "input [3, 2]; simple_rnn(2); dense(1, activation = sigmoid);", 3, 2,
        [lambda d: L.SimpleRNN(2, dtype=d),
         lambda d: L.Dense(1, activation="sigmoid", dtype=d)],
        MSE),
    model_case(
        "lstm_mse", "input [6, 3]; lstm(4); dense(1);", 6, 3,
        [lambda d: L.LSTM(4, dtype=d), lambda d: L.Dense(1, dtype=d)],
        MSE),
    model_case(
        "lstm_sequences_bce",
        "input [5, 2]; lstm(3, return_sequences = true); "
        "dense(2, activation = sigmoid);", 5, 2,
        [lambda d: L.LSTM(3, return_sequences=True, dtype=d),
         lambda d: L.Dense(2, activation="sigmoid", dtype=d)],
        BCE),
    model_case(
        "lstm_stacked_no_bias",
        "input [4, 3]; lstm(3, return_sequences = true, use_bias = false); "
        "lstm(2); dense(2);", 4, 3,
        [lambda d: L.LSTM(3, return_sequences=True, use_bias=False, dtype=d),
         lambda d: L.LSTM(2, dtype=d),
         lambda d: L.Dense(2, dtype=d)],
        MSE),
    model_case(
        "gru_mse", "input [6, 3]; gru(4); dense(1);", 6, 3,
        [lambda d: L.GRU(4, dtype=d), lambda d: L.Dense(1, dtype=d)],
        MSE),
    model_case(
        "gru_reset_before_cce",
        "input [5, 2]; gru(3, reset_after = false); "
        "dense(3, activation = softmax);", 5, 2,
        [lambda d: L.GRU(3, reset_after=False, dtype=d),
         lambda d: L.Dense(3, activation="softmax", dtype=d)],
        CCE),
    model_case(
        "gru_sequences_relu",
        "input [5, 3]; gru(3, activation = relu, return_sequences = true); "
        "dense(1);", 5, 3,
        [lambda d: L.GRU(3, activation="relu", return_sequences=True,
                         dtype=d),
         lambda d: L.Dense(1, dtype=d)],
        MSE),
    model_case(
        "lstm_activations",
        "input [4, 2]; lstm(3, activation = softsign, "
        "recurrent_activation = hard_sigmoid); dense(1);", 4, 2,
        [lambda d: L.LSTM(3, activation="softsign",
                          recurrent_activation="hard_sigmoid", dtype=d),
         lambda d: L.Dense(1, dtype=d)],
        MSE),
    # ---- 14-19: go_backwards (issue 16: the layers backward lacked) ----
    model_case(
        "rnn_backwards",
        "input [5, 3]; simple_rnn(3, go_backwards = true); dense(1);", 5, 3,
        [k(L.SimpleRNN, 3, go_backwards=True), k(L.Dense, 1)], MSE),
    model_case(
        "rnn_backwards_sequences",
        "input [4, 2]; simple_rnn(3, go_backwards = true, "
        "return_sequences = true); dense(2);", 4, 2,
        [k(L.SimpleRNN, 3, go_backwards=True, return_sequences=True),
         k(L.Dense, 2)], MSE),
    model_case(
        "lstm_backwards_cce",
        "input [5, 2]; lstm(3, go_backwards = true); "
        "dense(3, activation = softmax);", 5, 2,
        [k(L.LSTM, 3, go_backwards=True),
         k(L.Dense, 3, activation="softmax")], CCE),
    model_case(
        "lstm_backwards_sequences",
        "input [4, 3]; lstm(2, go_backwards = true, return_sequences = true); "
        "lstm(2, return_sequences = true);", 4, 3,
        [k(L.LSTM, 2, go_backwards=True, return_sequences=True),
         k(L.LSTM, 2, return_sequences=True)], MSE),
    model_case(
        "gru_backwards",
        "input [6, 2]; gru(3, go_backwards = true); dense(1);", 6, 2,
        [k(L.GRU, 3, go_backwards=True), k(L.Dense, 1)], MSE),
    model_case(
        "gru_backwards_sequences_bce",
        "input [5, 3]; gru(3, reset_after = false, go_backwards = true, "
        "return_sequences = true); dense(2, activation = sigmoid);", 5, 3,
        [k(L.GRU, 3, reset_after=False, go_backwards=True,
           return_sequences=True),
         k(L.Dense, 2, activation="sigmoid")], BCE),
    # ---- 20-33: bidirectional, every merge_mode the DSL has ----
    model_case(
        "bidirectional_lstm",
        "input [5, 3]; bidirectional(lstm(3)); dense(1);", 5, 3,
        [wrap(L.Bidirectional, k(L.LSTM, 3)), k(L.Dense, 1)], MSE),
    model_case(
        "bidirectional_gru_sequences_bce",
        "input [4, 2]; bidirectional(gru(2, return_sequences = true)); "
        "dense(1, activation = sigmoid);", 4, 2,
        [wrap(L.Bidirectional, k(L.GRU, 2, return_sequences=True)),
         k(L.Dense, 1, activation="sigmoid")], BCE),
    model_case(
        "bidirectional_rnn_sequences",
        "input [5, 2]; bidirectional(simple_rnn(2, return_sequences = true));",
        5, 2,
        [wrap(L.Bidirectional, k(L.SimpleRNN, 2, return_sequences=True))],
        MSE),
    model_case(
        "bidirectional_rnn_sum",
        "input [5, 3]; bidirectional(simple_rnn(3), merge_mode = sum); "
        "dense(1);", 5, 3,
        [wrap(L.Bidirectional, k(L.SimpleRNN, 3), merge_mode="sum"),
         k(L.Dense, 1)], MSE),
    model_case(
        "bidirectional_gru_sum_sequences",
        "input [4, 3]; bidirectional(gru(3, reset_after = false, "
        "return_sequences = true), merge_mode = sum); dense(2);", 4, 3,
        [wrap(L.Bidirectional, k(L.GRU, 3, reset_after=False,
                                 return_sequences=True), merge_mode="sum"),
         k(L.Dense, 2)], MSE),
    model_case(
        "bidirectional_lstm_sum",
        "input [4, 2]; bidirectional(lstm(2), merge_mode = sum);", 4, 2,
        [wrap(L.Bidirectional, k(L.LSTM, 2), merge_mode="sum")], MSE),
    model_case(
        "bidirectional_rnn_mul_cce",
        "input [4, 3]; bidirectional(simple_rnn(3), merge_mode = mul); "
        "dense(3, activation = softmax);", 4, 3,
        [wrap(L.Bidirectional, k(L.SimpleRNN, 3), merge_mode="mul"),
         k(L.Dense, 3, activation="softmax")], CCE),
    model_case(
        "bidirectional_lstm_mul_sequences",
        "input [5, 2]; bidirectional(lstm(2, return_sequences = true), "
        "merge_mode = mul);", 5, 2,
        [wrap(L.Bidirectional, k(L.LSTM, 2, return_sequences=True),
              merge_mode="mul")], MSE),
    model_case(
        "bidirectional_gru_mul",
        "input [5, 2]; bidirectional(gru(3), merge_mode = mul); dense(1);",
        5, 2,
        [wrap(L.Bidirectional, k(L.GRU, 3), merge_mode="mul"),
         k(L.Dense, 1)], MSE),
    model_case(
        "bidirectional_gru_ave",
        "input [6, 2]; bidirectional(gru(3), merge_mode = ave); dense(1);",
        6, 2,
        [wrap(L.Bidirectional, k(L.GRU, 3), merge_mode="ave"),
         k(L.Dense, 1)], MSE),
    model_case(
        "bidirectional_lstm_ave_sequences",
        "input [5, 3]; bidirectional(lstm(3, return_sequences = true), "
        "merge_mode = ave); dense(2);", 5, 3,
        [wrap(L.Bidirectional, k(L.LSTM, 3, return_sequences=True),
              merge_mode="ave"),
         k(L.Dense, 2)], MSE),
    model_case(
        "bidirectional_rnn_ave_sequences",
        "input [4, 2]; bidirectional(simple_rnn(2, return_sequences = true), "
        "merge_mode = ave); dense(1);", 4, 2,
        [wrap(L.Bidirectional, k(L.SimpleRNN, 2, return_sequences=True),
              merge_mode="ave"),
         k(L.Dense, 1)], MSE),
    model_case(
        "bidirectional_stacked",
        "input [6, 2]; bidirectional(simple_rnn(3, return_sequences = true)); "
        "lstm(2); dense(1);", 6, 2,
        [wrap(L.Bidirectional, k(L.SimpleRNN, 3, return_sequences=True)),
         k(L.LSTM, 2), k(L.Dense, 1)], MSE),
    model_case(
        "bidirectional_stacked_sequences",
        "input [4, 3]; bidirectional(gru(2, return_sequences = true), "
        "merge_mode = sum); bidirectional(lstm(2, return_sequences = true)); "
        "dense(1);", 4, 3,
        [wrap(L.Bidirectional, k(L.GRU, 2, return_sequences=True),
              merge_mode="sum"),
         wrap(L.Bidirectional, k(L.LSTM, 2, return_sequences=True)),
         k(L.Dense, 1)], MSE),
    # ---- 34-35: time_distributed ----
    model_case(
        "time_distributed",
        "input [5, 2]; lstm(3, return_sequences = true); "
        "time_distributed(dense(3)); time_distributed(activation(tanh)); "
        "time_distributed(dense(1));", 5, 2,
        [k(L.LSTM, 3, return_sequences=True),
         wrap(L.TimeDistributed, k(L.Dense, 3)),
         wrap(L.TimeDistributed, k(L.Activation, "tanh")),
         wrap(L.TimeDistributed, k(L.Dense, 1))], MSE),
    model_case(
        "time_distributed_softmax_cce",
        "input [4, 3]; gru(3, return_sequences = true); "
        "time_distributed(dense(3, activation = softmax));", 4, 3,
        [k(L.GRU, 3, return_sequences=True),
         wrap(L.TimeDistributed, k(L.Dense, 3, activation="softmax"))], CCE),
    # ---- 36-50: masking (some timesteps all mask_value) ----
    model_case(
        "masking_lstm",
        "input [6, 2]; masking(); lstm(3); dense(1);", 6, 2,
        [k(L.Masking), k(L.LSTM, 3), k(L.Dense, 1)], MSE,
        zero_steps=(0, 2, 5)),
    model_case(
        "masking_lstm_sequences",
        "input [6, 2]; masking(); lstm(3, return_sequences = true); dense(1);",
        6, 2,
        [k(L.Masking), k(L.LSTM, 3, return_sequences=True), k(L.Dense, 1)],
        MSE, zero_steps=(0, 3, 5)),
    model_case(
        "masking_gru",
        "input [5, 3]; masking(); gru(3); dense(2);", 5, 3,
        [k(L.Masking), k(L.GRU, 3), k(L.Dense, 2)], MSE,
        zero_steps=(1, 4)),
    model_case(
        "masking_gru_sequences",
        "input [6, 3]; masking(); gru(3, reset_after = false, "
        "return_sequences = true);", 6, 3,
        [k(L.Masking), k(L.GRU, 3, reset_after=False, return_sequences=True)],
        MSE, zero_steps=(0, 2, 5)),
    model_case(
        "masking_rnn",
        "input [5, 2]; masking(); simple_rnn(3); dense(1);", 5, 2,
        [k(L.Masking), k(L.SimpleRNN, 3), k(L.Dense, 1)], MSE,
        zero_steps=(0, 1, 4)),
    model_case(
        "masking_rnn_sequences_cce",
        "input [5, 2]; masking(); simple_rnn(3, return_sequences = true); "
        "dense(3, activation = softmax);", 5, 2,
        [k(L.Masking), k(L.SimpleRNN, 3, return_sequences=True),
         k(L.Dense, 3, activation="softmax")], CCE,
        zero_steps=(0, 2)),
    model_case(
        "masking_value",
        "input [5, 3]; masking(mask_value = 0.5); "
        "gru(2, return_sequences = true); dense(1);", 5, 3,
        [k(L.Masking, mask_value=0.5), k(L.GRU, 2, return_sequences=True),
         k(L.Dense, 1)], MSE, zero_steps=(1, 4), mask_value=0.5),
    model_case(
        "masking_stacked",
        "input [6, 2]; masking(); lstm(3, return_sequences = true); gru(2); "
        "dense(1);", 6, 2,
        [k(L.Masking), k(L.LSTM, 3, return_sequences=True), k(L.GRU, 2),
         k(L.Dense, 1)], MSE, zero_steps=(0, 3, 4)),
    model_case(
        "masking_dense_first",
        "input [5, 3]; masking(); dense(3, activation = tanh); lstm(2); "
        "dense(1);", 5, 3,
        [k(L.Masking), k(L.Dense, 3, activation="tanh"), k(L.LSTM, 2),
         k(L.Dense, 1)], MSE, zero_steps=(0, 2)),
    model_case(
        "masking_bidirectional_sequences",
        "input [5, 2]; masking(); bidirectional(lstm(2, return_sequences = "
        "true)); dense(1);", 5, 2,
        [k(L.Masking),
         wrap(L.Bidirectional, k(L.LSTM, 2, return_sequences=True)),
         k(L.Dense, 1)], MSE, zero_steps=(0, 2)),
    model_case(
        "masking_bidirectional",
        "input [5, 3]; masking(); bidirectional(gru(2), merge_mode = sum); "
        "dense(1);", 5, 3,
        [k(L.Masking), wrap(L.Bidirectional, k(L.GRU, 2), merge_mode="sum"),
         k(L.Dense, 1)], MSE, zero_steps=(2, 4)),
    model_case(
        "masking_backwards_sequences",
        "input [5, 2]; masking(); gru(2, go_backwards = true, "
        "return_sequences = true);", 5, 2,
        [k(L.Masking), k(L.GRU, 2, go_backwards=True, return_sequences=True)],
        MSE, zero_steps=(1, 4)),
    model_case(
        "masking_backwards",
        "input [5, 2]; masking(); lstm(2, go_backwards = true); dense(1);",
        5, 2,
        [k(L.Masking), k(L.LSTM, 2, go_backwards=True), k(L.Dense, 1)], MSE,
        zero_steps=(0, 3)),
    model_case(
        "masking_global_average",
        "input [6, 2]; masking(); lstm(3, return_sequences = true); "
        "global_average_pooling1d(); dense(1);", 6, 2,
        [k(L.Masking), k(L.LSTM, 3, return_sequences=True),
         k(L.GlobalAveragePooling1D), k(L.Dense, 1)], MSE,
        zero_steps=(1, 5)),
    model_case(
        "masking_time_distributed",
        "input [5, 2]; masking(); gru(3, return_sequences = true); "
        "time_distributed(dense(2));", 5, 2,
        [k(L.Masking), k(L.GRU, 3, return_sequences=True),
         wrap(L.TimeDistributed, k(L.Dense, 2))], MSE, zero_steps=(0, 4)),
    # ---- 51-55: embedding (x holds token ids) ----
    model_case(
        "embedding_lstm",
        "input [6]; embedding(8, 3); lstm(3); dense(1);", 6, None,
        [k(L.Embedding, 8, 3), k(L.LSTM, 3), k(L.Dense, 1)], MSE,
        vocab=8, zero_steps=(2,)),
    model_case(
        "embedding_mask_gru_cce",
        "input [6]; embedding(8, 3, mask_zero = true); gru(3); "
        "dense(3, activation = softmax);", 6, None,
        [k(L.Embedding, 8, 3, mask_zero=True), k(L.GRU, 3),
         k(L.Dense, 3, activation="softmax")], CCE,
        vocab=8, zero_steps=(0, 3)),
    model_case(
        "embedding_mask_lstm_sequences",
        "input [5]; embedding(6, 2, mask_zero = true); "
        "lstm(2, return_sequences = true); dense(1);", 5, None,
        [k(L.Embedding, 6, 2, mask_zero=True),
         k(L.LSTM, 2, return_sequences=True), k(L.Dense, 1)], MSE,
        vocab=6, zero_steps=(1, 4)),
    model_case(
        "embedding_repeated_ids",
        "input [6]; embedding(4, 2); simple_rnn(3, return_sequences = true);",
        6, None,
        [k(L.Embedding, 4, 2), k(L.SimpleRNN, 3, return_sequences=True)],
        MSE, vocab=4),
    model_case(
        "embedding_mask_bidirectional",
        "input [5]; embedding(7, 3, mask_zero = true); bidirectional(gru(2)); "
        "dense(1);", 5, None,
        [k(L.Embedding, 7, 3, mask_zero=True),
         wrap(L.Bidirectional, k(L.GRU, 2)), k(L.Dense, 1)], MSE,
        vocab=7, zero_steps=(4,)),
    # ---- 56-59: normalization layers (non-trainable weights: zero grads) ----
    model_case(
        "layer_normalization",
        "input [5, 3]; layer_normalization(); "
        "lstm(3, return_sequences = true); "
        "layer_normalization(epsilon = 0.01, center = false); dense(1);", 5, 3,
        [k(L.LayerNormalization), k(L.LSTM, 3, return_sequences=True),
         k(L.LayerNormalization, epsilon=0.01, center=False), k(L.Dense, 1)],
        MSE),
    model_case(
        "layer_normalization_vector",
        "input [4, 3]; gru(3); layer_normalization(scale = false); dense(2);",
        4, 3,
        [k(L.GRU, 3), k(L.LayerNormalization, scale=False), k(L.Dense, 2)],
        MSE),
    model_case(
        "batch_normalization",
        "input [5, 3]; batch_normalization(); "
        "lstm(3, return_sequences = true); "
        "batch_normalization(epsilon = 0.01, center = false); gru(2); "
        "batch_normalization(scale = false); dense(1);", 5, 3,
        [k(L.BatchNormalization), k(L.LSTM, 3, return_sequences=True),
         k(L.BatchNormalization, epsilon=0.01, center=False), k(L.GRU, 2),
         k(L.BatchNormalization, scale=False), k(L.Dense, 1)], MSE),
    model_case(
        "normalization",
        "input [5, 3]; normalization(); gru(3, return_sequences = true); "
        "dense(2); normalization(invert = true);", 5, 3,
        [k(L.Normalization), k(L.GRU, 3, return_sequences=True),
         k(L.Dense, 2), k(L.Normalization, invert=True)], MSE),
    # ---- 60-73: conv1d, poolings, padding / cropping / up-sampling ----
    model_case(
        "conv1d_valid_strides",
        "input [6, 2]; conv1d(3, 2, strides = 2, activation = relu); lstm(2); "
        "dense(1);", 6, 2,
        [k(L.Conv1D, 3, 2, strides=2, activation="relu"), k(L.LSTM, 2),
         k(L.Dense, 1)], MSE),
    model_case(
        "conv1d_same",
        "input [5, 2]; conv1d(3, 3, padding = same); "
        "gru(2, return_sequences = true);", 5, 2,
        [k(L.Conv1D, 3, 3, padding="same"),
         k(L.GRU, 2, return_sequences=True)], MSE),
    model_case(
        "conv1d_same_strides",
        "input [6, 3]; conv1d(3, 3, padding = same, strides = 2); "
        "simple_rnn(2); dense(1);", 6, 3,
        [k(L.Conv1D, 3, 3, padding="same", strides=2), k(L.SimpleRNN, 2),
         k(L.Dense, 1)], MSE),
    model_case(
        "conv1d_causal_dilation",
        "input [6, 2]; conv1d(3, 2, padding = causal, dilation_rate = 2); "
        "lstm(2, return_sequences = true); dense(1);", 6, 2,
        [k(L.Conv1D, 3, 2, padding="causal", dilation_rate=2),
         k(L.LSTM, 2, return_sequences=True), k(L.Dense, 1)], MSE),
    model_case(
        "conv1d_groups",
        "input [5, 4]; conv1d(4, 2, groups = 2, use_bias = false); gru(2); "
        "dense(1);", 5, 4,
        [k(L.Conv1D, 4, 2, groups=2, use_bias=False), k(L.GRU, 2),
         k(L.Dense, 1)], MSE),
    model_case(
        "conv1d_global_average",
        "input [6, 3]; conv1d(4, 3, activation = relu); "
        "global_average_pooling1d(); dense(2);", 6, 3,
        [k(L.Conv1D, 4, 3, activation="relu"), k(L.GlobalAveragePooling1D),
         k(L.Dense, 2)], MSE),
    model_case(
        "conv1d_dilation_global_max",
        "input [6, 2]; conv1d(4, 2, dilation_rate = 2, activation = relu); "
        "global_max_pooling1d(); dense(2, activation = softmax);", 6, 2,
        [k(L.Conv1D, 4, 2, dilation_rate=2, activation="relu"),
         k(L.GlobalMaxPooling1D), k(L.Dense, 2, activation="softmax")], CCE),
    model_case(
        "pooling_valid",
        "input [6, 3]; conv1d(3, 2, padding = same); max_pooling1d(2); "
        "lstm(2, return_sequences = true); average_pooling1d(2, strides = 1); "
        "dense(1);", 6, 3,
        [k(L.Conv1D, 3, 2, padding="same"), k(L.MaxPooling1D, 2),
         k(L.LSTM, 2, return_sequences=True),
         k(L.AveragePooling1D, 2, strides=1), k(L.Dense, 1)], MSE),
    model_case(
        "pooling_same",
        "input [5, 2]; max_pooling1d(2, padding = same); "
        "gru(3, return_sequences = true); "
        "average_pooling1d(2, padding = same); dense(1);", 5, 2,
        [k(L.MaxPooling1D, 2, padding="same"),
         k(L.GRU, 3, return_sequences=True),
         k(L.AveragePooling1D, 2, padding="same"), k(L.Dense, 1)], MSE),
    model_case(
        "pooling_same_strides",
        "input [6, 2]; max_pooling1d(3, strides = 1, padding = same); "
        "average_pooling1d(3, strides = 2, padding = same); lstm(2); "
        "dense(1);", 6, 2,
        [k(L.MaxPooling1D, 3, strides=1, padding="same"),
         k(L.AveragePooling1D, 3, strides=2, padding="same"), k(L.LSTM, 2),
         k(L.Dense, 1)], MSE),
    model_case(
        "global_max_pooling",
        "input [5, 2]; lstm(3, return_sequences = true); "
        "global_max_pooling1d(); dense(2);", 5, 2,
        [k(L.LSTM, 3, return_sequences=True), k(L.GlobalMaxPooling1D),
         k(L.Dense, 2)], MSE),
    model_case(
        "global_average_pooling",
        "input [5, 2]; gru(3, return_sequences = true); "
        "global_average_pooling1d(); dense(1);", 5, 2,
        [k(L.GRU, 3, return_sequences=True), k(L.GlobalAveragePooling1D),
         k(L.Dense, 1)], MSE),
    model_case(
        "resampling",
        "input [4, 2]; zero_padding1d([1, 2]); conv1d(3, 2); cropping1d(1); "
        "up_sampling1d(2); lstm(2); dense(1);", 4, 2,
        [k(L.ZeroPadding1D, (1, 2)), k(L.Conv1D, 3, 2), k(L.Cropping1D, 1),
         k(L.UpSampling1D, 2), k(L.LSTM, 2), k(L.Dense, 1)], MSE),
    model_case(
        "resampling_defaults",
        "input [4, 3]; gru(3, return_sequences = true); zero_padding1d(); "
        "cropping1d([0, 2]); up_sampling1d(); dense(1);", 4, 3,
        [k(L.GRU, 3, return_sequences=True), k(L.ZeroPadding1D),
         k(L.Cropping1D, (0, 2)), k(L.UpSampling1D), k(L.Dense, 1)], MSE),
    # ---- 74-82: repeat_vector, flatten, reshape, prelu, activation
    # layers ----
    model_case(
        "repeat_vector",
        "input [4, 2]; gru(3); repeat_vector(3); "
        "lstm(2, return_sequences = true); dense(1);", 4, 2,
        [k(L.GRU, 3), k(L.RepeatVector, 3),
         k(L.LSTM, 2, return_sequences=True), k(L.Dense, 1)], MSE),
    model_case(
        "flatten",
        "input [3, 2]; flatten(); dense(4); repeat_vector(2); "
        "lstm(2, return_sequences = true); flatten(); dense(1);", 3, 2,
        [k(L.Flatten), k(L.Dense, 4), k(L.RepeatVector, 2),
         k(L.LSTM, 2, return_sequences=True), k(L.Flatten), k(L.Dense, 1)],
        MSE),
    model_case(
        "reshape",
        "input [4, 2]; lstm(3); dense(4); reshape([2, 2]); "
        "gru(2, return_sequences = true); reshape([-1]); dense(1);", 4, 2,
        [k(L.LSTM, 3), k(L.Dense, 4), k(L.Reshape, (2, 2)),
         k(L.GRU, 2, return_sequences=True), k(L.Reshape, (-1,)),
         k(L.Dense, 1)], MSE),
    model_case(
        "reshape_sequence",
        "input [4, 3]; reshape([6, 2]); "
        "simple_rnn(3, return_sequences = true); "
        "reshape([3, 6]); lstm(2);", 4, 3,
        [k(L.Reshape, (6, 2)), k(L.SimpleRNN, 3, return_sequences=True),
         k(L.Reshape, (3, 6)), k(L.LSTM, 2)], MSE),
    model_case(
        "prelu",
        "input [5, 2]; dense(3); prelu(shared_axes = [1]); "
        "gru(3, return_sequences = true); prelu(shared_axes = [1, 2]); "
        "lstm(2); prelu(); dense(1);", 5, 2,
        [k(L.Dense, 3), k(L.PReLU, shared_axes=[1]),
         k(L.GRU, 3, return_sequences=True), k(L.PReLU, shared_axes=[1, 2]),
         k(L.LSTM, 2), k(L.PReLU), k(L.Dense, 1)], MSE),
    model_case(
        "activation_softmax_cce",
        "input [4, 3]; simple_rnn(3, return_sequences = true); "
        "activation(relu); dense(3); softmax();", 4, 3,
        [k(L.SimpleRNN, 3, return_sequences=True), k(L.Activation, "relu"),
         k(L.Dense, 3), k(L.Softmax)], CCE),
    model_case(
        "activation_sigmoid_bce",
        "input [5, 2]; dense(3); activation(gelu); lstm(3); "
        "activation(tanh); dense(2); activation(sigmoid);", 5, 2,
        [k(L.Dense, 3), k(L.Activation, "gelu"), k(L.LSTM, 3),
         k(L.Activation, "tanh"), k(L.Dense, 2), k(L.Activation, "sigmoid")],
        BCE),
    model_case(
        "relu_layers",
        "input [4, 3]; dense(4); relu(max_value = 0.5); "
        "lstm(3, return_sequences = true); "
        "relu(negative_slope = 0.1, threshold = 0.05); gru(2); relu(); "
        "dense(1);", 4, 3,
        [k(L.Dense, 4), k(L.ReLU, max_value=0.5),
         k(L.LSTM, 3, return_sequences=True),
         k(L.ReLU, negative_slope=0.1, threshold=0.05), k(L.GRU, 2),
         k(L.ReLU), k(L.Dense, 1)], MSE),
    model_case(
        "leaky_elu_layers",
        "input [5, 2]; dense(3); leaky_relu(); "
        "gru(3, return_sequences = true); "
        "leaky_relu(negative_slope = 0.05); dense(3); elu(alpha = 0.5); "
        "simple_rnn(2); elu(); dense(1);", 5, 2,
        [k(L.Dense, 3), k(L.LeakyReLU), k(L.GRU, 3, return_sequences=True),
         k(L.LeakyReLU, negative_slope=0.05), k(L.Dense, 3),
         k(L.ELU, alpha=0.5), k(L.SimpleRNN, 2), k(L.ELU), k(L.Dense, 1)],
        MSE),
    # ---- 83-87: identity at training=False (checked against the model
    # without them, bit for bit) ----
    model_case(
        "dropout",
        "input [4, 3]; dropout(0.5); lstm(3); dropout(0.2); dense(1);", 4, 3,
        [k(L.Dropout, 0.5), k(L.LSTM, 3), k(L.Dropout, 0.2), k(L.Dense, 1)],
        MSE),
    model_case(
        "spatial_dropout1d",
        "input [5, 2]; gru(3, return_sequences = true); "
        "spatial_dropout1d(0.3); dense(1);", 5, 2,
        [k(L.GRU, 3, return_sequences=True), k(L.SpatialDropout1D, 0.3),
         k(L.Dense, 1)], MSE),
    model_case(
        "gaussian_noise",
        "input [4, 2]; gaussian_noise(0.1); simple_rnn(3); dense(2);", 4, 2,
        [k(L.GaussianNoise, 0.1), k(L.SimpleRNN, 3), k(L.Dense, 2)], MSE),
    model_case(
        "gaussian_dropout_bce",
        "input [5, 3]; lstm(2, return_sequences = true); "
        "gaussian_dropout(0.2); dense(1, activation = sigmoid);", 5, 3,
        [k(L.LSTM, 2, return_sequences=True), k(L.GaussianDropout, 0.2),
         k(L.Dense, 1, activation="sigmoid")], BCE),
    model_case(
        "alpha_dropout_cce",
        "input [4, 2]; gru(3); alpha_dropout(0.1); "
        "dense(3, activation = softmax);", 4, 2,
        [k(L.GRU, 3), k(L.AlphaDropout, 0.1),
         k(L.Dense, 3, activation="softmax")], CCE),
    # ---- 88-95: on a sequence of any length (keras.Input((None, F))) ----
    model_case(
        "lstm_any", "input [_, 3]; lstm(4); dense(1);", 9, 3,
        [k(L.LSTM, 4), k(L.Dense, 1)], MSE, any_length=True),
    model_case(
        "gru_sequences_any_bce",
        "input [_, 2]; gru(3, return_sequences = true); "
        "dense(2, activation = sigmoid);", 6, 2,
        [k(L.GRU, 3, return_sequences=True),
         k(L.Dense, 2, activation="sigmoid")], BCE, any_length=True),
    model_case(
        "backwards_stack_any",
        "input [_, 3]; simple_rnn(3, go_backwards = true, "
        "return_sequences = true); lstm(2); dense(1);", 7, 3,
        [k(L.SimpleRNN, 3, go_backwards=True, return_sequences=True),
         k(L.LSTM, 2), k(L.Dense, 1)], MSE, any_length=True),
    model_case(
        "bidirectional_any_cce",
        "input [_, 2]; bidirectional(gru(3)); "
        "dense(3, activation = softmax);", 5, 2,
        [wrap(L.Bidirectional, k(L.GRU, 3)),
         k(L.Dense, 3, activation="softmax")], CCE, any_length=True),
    model_case(
        "masking_sequences_any",
        "input [_, 3]; masking(); lstm(3, return_sequences = true); "
        "dense(2);", 8, 3,
        [k(L.Masking), k(L.LSTM, 3, return_sequences=True), k(L.Dense, 2)],
        MSE, zero_steps=(1, 4, 7), any_length=True),
    model_case(
        "embedding_mask_any",
        "input [_]; embedding(10, 4, mask_zero = true); gru(3); dense(1);",
        7, None,
        [k(L.Embedding, 10, 4, mask_zero=True), k(L.GRU, 3), k(L.Dense, 1)],
        MSE, vocab=10, zero_steps=(0, 5), any_length=True),
    model_case(
        "masking_backwards_any",
        "input [_, 3]; masking(); gru(3, go_backwards = true); dense(1);", 7, 3,
        [k(L.Masking), k(L.GRU, 3, go_backwards=True), k(L.Dense, 1)], MSE,
        zero_steps=(2, 6), any_length=True),
    model_case(
        "norm_dropout_any",
        "input [_, 3]; layer_normalization(); dropout(0.3); simple_rnn(4); "
        "dense(2);", 6, 3,
        [k(L.LayerNormalization), k(L.Dropout, 0.3), k(L.SimpleRNN, 4),
         k(L.Dense, 2)], MSE, any_length=True),
    # ---- 96-98: a mask read after a go_backwards layer in its stage: Keras
    # hands the later layers the go_backwards layer's outputs in reading order
    # and the mask in time order ----
    model_case(
        "masking_after_backwards",
        "input [6, 2]; masking(); gru(3, go_backwards = true, "
        "return_sequences = true); lstm(2); dense(1);", 6, 2,
        [k(L.Masking), k(L.GRU, 3, go_backwards=True, return_sequences=True),
         k(L.LSTM, 2), k(L.Dense, 1)], MSE, zero_steps=(0, 4)),
    model_case(
        "masking_after_backwards_sequences",
        "input [5, 3]; masking(); simple_rnn(3, go_backwards = true, "
        "return_sequences = true); simple_rnn(2, return_sequences = true);",
        5, 3,
        [k(L.Masking),
         k(L.SimpleRNN, 3, go_backwards=True, return_sequences=True),
         k(L.SimpleRNN, 2, return_sequences=True)], MSE, zero_steps=(1,)),
    model_case(
        "masking_after_backwards_any",
        "input [_, 2]; masking(); lstm(3, go_backwards = true, "
        "return_sequences = true); gru(2); dense(1);", 7, 2,
        [k(L.Masking), k(L.LSTM, 3, go_backwards=True, return_sequences=True),
         k(L.GRU, 2), k(L.Dense, 1)], MSE, zero_steps=(1, 2), any_length=True),
    # ---- 99-102: windows and poolings on a sequence of any length ----
    model_case(
        "conv_pool_any",
        "input [_, 2]; conv1d(3, 3, strides = 2, activation = tanh); "
        "max_pooling1d(2); gru(3); dense(1);", 11, 2,
        [k(L.Conv1D, 3, 3, strides=2, activation="tanh"),
         k(L.MaxPooling1D, 2), k(L.GRU, 3), k(L.Dense, 1)],
        MSE, any_length=True),
    model_case(
        "causal_conv_any",
        "input [_, 2]; conv1d(4, 3, padding = causal, dilation_rate = 2); "
        "lstm(2, return_sequences = true);", 7, 2,
        [k(L.Conv1D, 4, 3, padding="causal", dilation_rate=2),
         k(L.LSTM, 2, return_sequences=True)], MSE, any_length=True),
    model_case(
        "same_conv_global_average_any_cce",
        "input [_, 3]; conv1d(4, 3, padding = same); "
        "global_average_pooling1d(); dense(2, activation = softmax);", 6, 3,
        [k(L.Conv1D, 4, 3, padding="same"), k(L.GlobalAveragePooling1D),
         k(L.Dense, 2, activation="softmax")], CCE, any_length=True),
    model_case(
        "masked_global_average_any",
        "input [_, 3]; masking(); lstm(3, return_sequences = true); "
        "global_average_pooling1d(); dense(1);", 6, 3,
        [k(L.Masking), k(L.LSTM, 3, return_sequences=True),
         k(L.GlobalAveragePooling1D), k(L.Dense, 1)], MSE, zero_steps=(2, 5),
        any_length=True),
    # ---- 103-104: a mask made after the first layer (a bias-free dense keeps
    # the zero timesteps zero) ----
    model_case(
        "dense_then_masking",
        "input [6, 2]; dense(3, activation = tanh, use_bias = false); "
        "masking(); lstm(3, return_sequences = true); dense(1);", 6, 2,
        [k(L.Dense, 3, activation="tanh", use_bias=False), k(L.Masking),
         k(L.LSTM, 3, return_sequences=True), k(L.Dense, 1)], MSE,
        zero_steps=(1, 4)),
    model_case(
        "dense_then_masking_any",
        "input [_, 3]; dense(2, use_bias = false); masking(); gru(3); "
        "dense(1);", 7, 3,
        [k(L.Dense, 2, use_bias=False), k(L.Masking), k(L.GRU, 3),
         k(L.Dense, 1)], MSE, zero_steps=(0, 3, 6), any_length=True),
]


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------
def f32list(a):
    """Nested list of Python floats, each exactly equal to an f32 value."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return float(a)
    return [f32list(x) for x in a]


def f64list(a):
    a = np.asarray(a, dtype=np.float64)
    if a.ndim == 0:
        return float(a)
    return [f64list(x) for x in a]


def format_json(obj, indent=0, width=160, lead=0):
    """Indented JSON (one space per level) in which every object or array
    that fits in `width` columns stays on one line, and an array of numbers
    that does not fit is written as several lines of as many numbers as fit
    (the same layout as gen_keras_train.py's format_json with pack=True)."""
    flat = json.dumps(obj, allow_nan=False)
    if not isinstance(obj, (dict, list)) or not obj \
            or indent + lead + len(flat) <= width:
        return flat
    pad = " " * (indent + 1)
    if isinstance(obj, dict):
        items = []
        for k, v in obj.items():
            key = json.dumps(k) + ": "
            items.append(pad + key + format_json(v, indent + 1, width,
                                                 len(key)))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool)
           for v in obj):
        lines, line = [], ""
        for v in obj:
            item = json.dumps(v, allow_nan=False)
            if line and len(pad) + len(line) + 2 + len(item) + 1 > width:
                lines.append(line)
                line = ""
            line = line + ", " + item if line else item
        lines.append(line)
        return "[\n" + ",\n".join(pad + ln for ln in lines) + "\n" \
            + " " * indent + "]"
    items = [pad + format_json(v, indent + 1, width, 0) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def flat(arrays, dtype):
    return np.concatenate([np.asarray(a, dtype=dtype).reshape(-1)
                           for a in arrays])


def max_ulps(a, b):
    """Largest distance in float32 units in the last place (nonzero values
    of the same sign; signed zeros count as equal)."""
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    ne = a != b
    if not ne.any():
        return 0
    ai = a[ne].view(np.int32).astype(np.int64)
    bi = b[ne].view(np.int32).astype(np.int64)
    assert (np.sign(a[ne]) == np.sign(b[ne])).all()
    return int(np.max(np.abs(ai - bi)))


def var_path(v):
    """Variable path without the model name, e.g. simple_rnn/simple_rnn_cell/
    kernel."""
    return v.path.split("/", 1)[1] if v.path.startswith("sequential") \
        else v.path


def build(c, dtype, skip=()):
    """The case's Sequential model; layers of the classes in `skip` left out
    (for the identity and masking cross-checks)."""
    keras.backend.clear_session()
    T = None if c["any_length"] else c["T"]
    if c["vocab"] is not None:
        inp = keras.Input((T,), dtype="int32")
    else:
        inp = keras.Input((T, c["F"]), dtype=dtype)
    layers = [mk(dtype) for mk in c["layers"]]
    return keras.Sequential([inp] + [ly for ly in layers
                                     if not isinstance(ly, skip)])


def set_weights(model, arrays):
    """model.set_weights, each array cast to its variable's dtype (float64
    clones; Normalization's int64 count), then Normalization's
    finalize_state(): it computes with copies of its statistics that
    set_weights does not refresh."""
    model.set_weights([np.asarray(a).astype(v.dtype)
                       for a, v in zip(arrays, model.weights)])
    for layer in model.layers:
        if isinstance(layer, L.Normalization):
            layer.finalize_state()


def loss_and_grads(model, loss_fn, x, y, compiled=False):
    """(value, [grad per weight in model.weights order], output) with a
    GradientTape, the model called with training=False; the gradient of a
    non-trainable weight is zeros (the tape is not asked for it); an
    embedding's IndexedSlices gradient is made dense."""
    xt = tf.constant(x[None])
    yt = tf.constant(y[None])
    weights = model.trainable_weights

    def step(xt, yt):
        with tf.GradientTape() as tape:
            tape.watch([w.value for w in weights])
            out = model(xt, training=False)
            value = loss_fn(yt, out)
        grads = [g if g is None else tf.convert_to_tensor(g)
                 for g in tape.gradient(value, weights)]
        return value, grads, out

    if compiled:
        step = tf.function(step)
    value, grads, out = step(xt, yt)
    assert all(g is not None for g in grads)
    by_path = {v.path: g.numpy() for v, g in zip(weights, grads)}
    full = [by_path[v.path] if v.path in by_path
            else np.zeros(tuple(v.shape), np.dtype(v.dtype))
            for v in model.weights]
    return value.numpy(), full, out


def loss_value(model, loss_fn, x, y):
    return loss_fn(tf.constant(y[None]),
                   model(tf.constant(x[None]), training=False)).numpy()


def make_target(rng, loss, shape):
    if loss == BCE:
        return rng.integers(0, 2, size=shape).astype(np.float32)
    if loss == CCE:
        y = np.zeros(shape, np.float32)
        rows = y.reshape(-1, shape[-1])
        for row in rows:
            row[rng.integers(shape[-1])] = 1.0
        return y
    return rng.standard_normal(shape).astype(np.float32)


def masked_mean(per, mask):
    """Keras 3's "sum_over_batch_size" reduction of per-timestep losses `per`
    [1, T] with the output's mask [1, T] (keras/src/losses/loss.py
    apply_mask + reduce_values), op for op in float32: the kept timesteps
    weigh w = divide_no_nan(T, valid), the masked ones 0, and the sum of
    per * weight is divided by T (all of them, masked ones included)."""
    if mask is None:
        return tf.reduce_sum(per) / tf.cast(tf.size(per), per.dtype)
    total = tf.cast(tf.reduce_prod(tf.shape(mask)), per.dtype)
    valid = tf.reduce_sum(tf.cast(mask, per.dtype))
    weight = tf.where(tf.cast(mask, tf.bool), tf.math.divide_no_nan(
        total, valid), tf.zeros_like(per))
    return tf.math.divide_no_nan(tf.reduce_sum(per * weight),
                                 tf.cast(tf.size(per), per.dtype))


def from_logits_value(loss, y, logits, mask=None):
    """The loss computed by TF from the logits of the last Dense, float32,
    with the reduction Keras uses (mean over the last axis for BCE, sum for
    CCE, then sum / number of values, or masked_mean with a mask)."""
    yt = tf.constant(y[None])
    z = tf.constant(logits[None])
    if loss == BCE:
        per = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=yt, logits=z),
            axis=-1)
    else:
        per = tf.nn.softmax_cross_entropy_with_logits(labels=yt, logits=z,
                                                      axis=-1)
    if mask is not None:
        return masked_mean(per, tf.constant(mask[None])).numpy()
    return (tf.reduce_sum(per) / tf.cast(tf.size(per), per.dtype)).numpy()


def probabilities_value(loss, y, out, mask=None):
    """The same loss on the probabilities as a plain tensor (clipped path),
    with masked_mean when a mask is given."""
    fn = LOSS_CLASSES[loss]("float32")
    plain = tf.constant(out.numpy())
    if mask is None:
        return fn(tf.constant(y[None]), plain).numpy()
    per = fn.call(tf.constant(y[None]), plain)
    return masked_mean(per, tf.constant(mask[None])).numpy()


def per_step_losses(loss, y, out):
    """Per-output-row losses [T] (the loss before its reduction) in float64,
    from the plain output (no mask, no logits tag)."""
    fn = LOSS_CLASSES[loss]("float64")
    return fn.call(tf.constant(y[None].astype(np.float64)),
                   tf.constant(out.numpy().astype(np.float64))).numpy()[0]


def draw_weights(rng, model):
    """One seeded uniform(-0.5, 0.5) float32 array per weight, in
    model.weights order; BatchNormalization's moving_variance and
    Normalization's variance become |w| + 0.2, Normalization's count
    1000 + int(|w| * 1000) (int64), as in gen_keras_fixtures.py."""
    out = []
    for v in model.weights:
        w = rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=tuple(v.shape)) \
            .astype(np.float32)
        short = v.path.split("/")[-1]
        if short in ("variance", "moving_variance"):
            w = (np.abs(w) + np.float32(0.2)).astype(np.float32)
        elif short == "count":
            w = np.asarray(1000 + int(abs(float(w)) * 1000),
                           dtype=np.dtype(v.dtype))
        out.append(w)
    return out


def draw_x(rng, c):
    """x [T][F] standard normal float32 (zero_steps rows set to mask_value),
    or for id models ids [T] uniform in 1..vocab-1 (int32; zero_steps set to
    id 0)."""
    if c["vocab"] is not None:
        x = rng.integers(1, c["vocab"], size=c["T"]).astype(np.int32)
        for t in c["zero_steps"]:
            x[t] = 0
        return x
    x = rng.standard_normal((c["T"], c["F"])).astype(np.float32)
    for t in c["zero_steps"]:
        x[t, :] = np.float32(c["mask_value"])
    return x


KINK_MARGIN = 1e-5


def _window_starts(T, pool, stride, padding):
    """(start, end) of each pooling window over T timesteps, TF's padding
    (same: pad_left = pad_total // 2; padded entries never win)."""
    if padding == "valid":
        n = (T - pool) // stride + 1
        return [(i * stride, i * stride + pool) for i in range(n)]
    n = -(-T // stride)
    left = max((n - 1) * stride + pool - T, 0) // 2
    return [(max(i * stride - left, 0), min(i * stride - left + pool, T))
            for i in range(n)]


def _top2_gap(vals):
    """Smallest gap between the largest and second largest entry along
    axis 0 (inf for windows of one entry)."""
    if vals.shape[0] < 2:
        return np.inf
    s = np.sort(vals, axis=0)
    return float(np.min(s[-1] - s[-2]))


def kink_margin(model, x):
    """The smallest distance, in the float64 model at the fixture's weights,
    of a value to a kink the finite differences could cross: the input of a
    relu / leaky_relu / elu / prelu layer (and relu's threshold and
    max_value), the pre-activation of a Dense / Conv1D with activation relu,
    and the gap between the two largest values of each max-pooling window.
    Returns (margin, where)."""
    probe = keras.Model(model.inputs, [ly.output for ly in model.layers])
    outs = probe(tf.constant(x[None]), training=False)
    if not isinstance(outs, (list, tuple)):
        outs = [outs]
    best = (np.inf, None)
    for i, ly in enumerate(model.layers):
        h = (np.asarray(x[None], np.float64) if i == 0
             else outs[i - 1].numpy())
        d = np.inf
        if isinstance(ly, L.ReLU):
            cfg = ly.get_config()
            d = np.min(np.abs(h - cfg["threshold"]))
            if cfg["max_value"] is not None:
                d = min(d, np.min(np.abs(h - cfg["max_value"])))
        elif isinstance(ly, (L.LeakyReLU, L.ELU, L.PReLU)):
            d = np.min(np.abs(h))
        elif isinstance(ly, L.Activation) and \
                ly.get_config()["activation"] == "relu":
            d = np.min(np.abs(h))
        elif isinstance(ly, (L.Dense, L.Conv1D)) and \
                ly.get_config()["activation"] == "relu":
            act = ly.activation
            ly.activation = keras.activations.linear
            try:
                pre = ly(tf.constant(h)).numpy()
            finally:
                ly.activation = act
            d = np.min(np.abs(pre))
        elif isinstance(ly, L.GlobalMaxPooling1D):
            d = _top2_gap(h[0])
        elif isinstance(ly, L.MaxPooling1D):
            cfg = ly.get_config()
            d = min(_top2_gap(h[0, a:b]) for a, b in _window_starts(
                h.shape[1], cfg["pool_size"][0], cfg["strides"][0],
                cfg["padding"]))
        if d < best[0]:
            best = (float(d), ly.name)
    return best


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def gen_model(index, c):
    rng = np.random.default_rng(BASE_SEED + SEED_OFFSET + index)
    keras.utils.set_random_seed(BASE_SEED + SEED_OFFSET + index)

    m32 = build(c, "float32")
    # Every weight array, uniform(-0.5, 0.5) float32, in model.weights order.
    w = draw_weights(rng, m32)
    set_weights(m32, w)
    got = m32.get_weights()
    assert len(got) == len(w) and all(
        a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(got, w))
    # get_weights() order == weights order; the trainable ones in the same
    # relative order (non-trainable ones: BatchNormalization's moving
    # statistics, Normalization's mean / variance / count).
    trainable = [v.trainable for v in m32.weights]
    assert [v.path for v in m32.trainable_weights] == \
        [v.path for v in m32.weights if v.trainable], c["name"]
    assert [v.path for v in m32.non_trainable_weights] == \
        [v.path for v in m32.weights if not v.trainable], c["name"]
    if index < 14:
        assert all(trainable), c["name"]
    names = [var_path(v) for v in m32.weights]
    shapes = [list(v.shape) for v in m32.weights]

    x = draw_x(rng, c)
    # (The output's own shape: a model of any length declares None timesteps.)
    out_shape = tuple(m32(x[None], training=False).shape[1:])
    y = make_target(rng, c["loss"], out_shape)

    loss32 = LOSS_CLASSES[c["loss"]]("float32")
    v32, g32, out = loss_and_grads(m32, loss32, x, y)
    assert v32.dtype == np.float32 and v32.shape == ()
    assert all(g.shape == a.shape for g, a in zip(g32, w))
    assert all(g.dtype == np.float32 for g, t in zip(g32, trainable) if t)
    assert np.isfinite(v32) and all(np.isfinite(g).all() for g in g32)
    y_pred = out.numpy()[0]
    assert y_pred.shape == out_shape

    # A mask on the model's output (a masking / mask_zero model whose last
    # layer returns a sequence): Keras's loss weighs the timesteps with it.
    # (keras.src.backend.get_keras_mask: the tensor's _keras_mask attribute)
    mask = getattr(out, "_keras_mask", None)
    loss_mask = None if mask is None else mask.numpy()[0]
    masked_info = None
    if loss_mask is not None:
        assert index >= 14 and loss_mask.shape == (c["T"],), c["name"]
        assert not loss_mask.all() and loss_mask.any(), c["name"]
        per = per_step_losses(c["loss"], y, out)
        with_mask = per[loss_mask].sum() / loss_mask.sum()
        without = per.mean()
        value_without_mask = LOSS_CLASSES[c["loss"]]("float32")(
            tf.constant(y[None]), tf.constant(out.numpy())).numpy()
        masked_info = (float(with_mask), float(without),
                       float(value_without_mask))

    # Which path the crossentropy took (from the logits or the clipped
    # probabilities): compare bits with both.
    loss_path = "output"
    if c["loss"] in (BCE, CCE):
        via_probs = probabilities_value(c["loss"], y, out, loss_mask)
        if hasattr(out, "_keras_logits"):
            logits = out._keras_logits.numpy()[0]
            via_logits = from_logits_value(c["loss"], y, logits, loss_mask)
            assert via_logits.tobytes() == v32.tobytes(), \
                (c["name"], via_logits, via_probs, v32)
            loss_path = "logits"
            print(f"  {c['name']}: value {v32!r} = from logits "
                  f"{via_logits!r} (clipped probabilities would give "
                  f"{via_probs!r})")
        else:
            # Only models added after the first 14 (TimeDistributed drops
            # the tag): the loss on the clipped probabilities.
            assert index >= 14, c["name"]
            assert via_probs.tobytes() == v32.tobytes(), \
                (c["name"], via_probs, v32)
            print(f"  {c['name']}: value {v32!r} = clipped probabilities "
                  f"(no _keras_logits tag on the output)")
    elif loss_mask is not None:
        # MSE / MAE: Keras's value is bit for bit the masked reduction.
        per32 = LOSS_CLASSES[c["loss"]]("float32").call(
            tf.constant(y[None]), tf.constant(out.numpy()))
        rep = masked_mean(per32, tf.constant(loss_mask[None])).numpy()
        assert rep.tobytes() == v32.tobytes(), (c["name"], rep, v32)
    if masked_info is not None:
        with_mask, without, value_without_mask = masked_info
        assert abs(float(v32) - with_mask) <= 1e-6 * abs(with_mask), \
            (c["name"], v32, with_mask, without)
        assert abs(float(v32) - without) > 1e-3 * abs(without), \
            (c["name"], v32, with_mask, without)
        print(f"  {c['name']}: mask {loss_mask.astype(int).tolist()} in the "
              f"loss: value {v32!r}, numpy masked mean {with_mask:.9g}, "
              f"unmasked mean {without:.9g}")

    # Same step in a tf.function (as model.fit runs it).
    vg, gg, _ = loss_and_grads(m32, loss32, x, y, compiled=True)
    graph_same = vg.tobytes() == v32.tobytes() and all(
        a.tobytes() == b.tobytes() for a, b in zip(gg, g32))
    G32f, GGf = flat(g32, np.float32), flat(gg, np.float32)
    n_signed = int(np.sum((G32f == GGf)
                          & (np.signbit(G32f) != np.signbit(GGf))))
    graph_diff = (f"value {'same' if vg == v32 else 'differs'}, "
                  f"{int(np.sum(G32f != GGf))} grads differ "
                  f"(max {max_ulps(G32f, GGf)} ulp), "
                  f"{n_signed} zeros of the other sign")
    assert abs(float(vg) - float(v32)) <= 1e-5 * abs(float(v32)), \
        (c["name"], vg, v32)

    # Identity layers: the model without them gives the same bits.
    if any(isinstance(ly, IDENTITY_AT_INFERENCE) for ly in m32.layers):
        mi = build(c, "float32", skip=IDENTITY_AT_INFERENCE)
        assert [v.path for v in mi.weights] == [v.path for v in m32.weights]
        set_weights(mi, w)
        vi, gi, _ = loss_and_grads(mi, loss32, x, y)
        assert vi.tobytes() == v32.tobytes() and all(
            a.tobytes() == b.tobytes() for a, b in zip(gi, g32)), c["name"]
        print(f"  {c['name']}: same bits without the identity layers")
    # Masking: the mask changes the result (masked timesteps are skipped,
    # not read as zeros).
    if any(isinstance(ly, L.Masking) for ly in m32.layers):
        mm = build(c, "float32", skip=(L.Masking,))
        set_weights(mm, w)
        vm = loss_value(mm, loss32, x, y)
        assert abs(float(vm) - float(v32)) > 1e-3 * abs(float(v32)), \
            (c["name"], vm, v32)

    # Float64 clone: the float32 weights cast exactly.
    m64 = build(c, "float64")
    set_weights(m64, w)
    assert all(v.dtype == "float64" for v in m64.weights
               if not v.path.endswith("/count"))
    loss64 = LOSS_CLASSES[c["loss"]]("float64")
    x64 = x if c["vocab"] is not None else x.astype(np.float64)
    y64 = y.astype(np.float64)
    v64, g64, out64 = loss_and_grads(m64, loss64, x64, y64)
    assert v64.dtype == np.float64 and out64.dtype == tf.float64
    assert all(g.dtype == np.float64 for g, t in zip(g64, trainable) if t)

    # No kink or max-pooling tie within reach of the finite differences.
    margin = kink_margin(m64, x64)
    if index >= 14:
        assert margin[0] > KINK_MARGIN, (c["name"], margin)

    # Central finite differences of the float64 loss (trainable weights;
    # zeros for the others, as in grads).
    w64 = [a.astype(np.float64) for a in w]
    fd = []
    for kk, a in enumerate(w64):
        ga = np.zeros_like(a)
        if not trainable[kk]:
            fd.append(ga)
            continue
        for idx in np.ndindex(a.shape):
            vals = []
            for s in (FD_STEP, -FD_STEP):
                p = [b.copy() for b in w64]
                p[kk][idx] += s
                set_weights(m64, p)
                vals.append(loss_value(m64, loss64, x64, y64))
            ga[idx] = (vals[0] - vals[1]) / (2 * FD_STEP)
        fd.append(ga)
    set_weights(m64, w64)

    G32, G64, FD = flat(g32, np.float64), flat(g64, np.float64), flat(
        fd, np.float64)
    stats = {
        "name": c["name"],
        "n": int(G32.size),
        "f32_vs_f64": float(np.max(np.abs(G32 - G64)) / np.max(np.abs(G64))),
        "value_f32_vs_f64": abs(float(v32) - float(v64)) / abs(float(v64)),
        "f64_vs_fd": float(np.max(np.abs(G64 - FD)) / np.max(np.abs(FD))),
        "f32_vs_fd": float(np.max(np.abs(G32 - FD)) / np.max(np.abs(FD))),
        "f32_vs_fd_elem": float(np.max(np.abs(G32 - FD)
                                       / np.maximum(np.abs(FD), 1e-30))),
        "graph_same_bits": graph_same,
        "graph_diff": graph_diff,
        "kink_margin": margin,
    }
    assert stats["f64_vs_fd"] < 1e-6, stats
    assert stats["f32_vs_f64"] < 1e-4, stats

    rec = {
        "name": c["name"],
        "dsl": c["dsl"],
        "loss": c["loss"],
        "loss_path": loss_path,
        "seed": BASE_SEED + SEED_OFFSET + index,
        "input_shape": ([None if c["any_length"] else c["T"]]
                        + ([] if c["vocab"] is not None else [c["F"]])),
    }
    if c["vocab"] is not None:
        rec["input_kind"] = "ids"
    rec.update({
        "output_shape": list(out_shape),
        "weight_names": names,
        "weight_shapes": shapes,
    })
    if not all(trainable):
        rec["trainable"] = trainable
    rec.update({
        "x": [int(i) for i in x] if c["vocab"] is not None else f32list(x),
        "y": f32list(y),
        "y_pred": f32list(y_pred),
    })
    if loss_mask is not None:
        rec["loss_mask"] = [int(b) for b in loss_mask]
    rec["value"] = f32list(v32)
    if loss_mask is not None:
        rec["value_without_mask"] = f32list(masked_info[2])
    rec.update({
        "weights": f32list(flat(w, np.float32)),
        "grads": f32list(flat(g32, np.float32)),
        "value_f64": f64list(v64),
        "grads_f64": f64list(flat(g64, np.float64)),
        "graph_same_bits": graph_same,
    })
    if not graph_same:
        rec["value_graph"] = f32list(vg)
        rec["grads_graph"] = f32list(flat(gg, np.float32))
    return rec, stats


def generate(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    models, stats = [], []
    for i, c in enumerate(MODELS):
        rec, st = gen_model(i, c)
        models.append(rec)
        stats.append(st)
    data = {
        "generator": "tools/gen_keras_grads.py",
        "what": "Keras 3 loss value and d loss / d weights (GradientTape, "
                "training=False) for small Sequential models on one sample "
                "(a batch of one); weights and grads flattened row-major and "
                "concatenated in model.get_weights() order; float32, with "
                "float64 references (value_f64, grads_f64)",
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "backend": keras.backend.backend(),
        "seed": BASE_SEED + SEED_OFFSET,
        "weight_range": [-WEIGHT_RANGE, WEIGHT_RANGE],
        "reduction": "sum_over_batch_size",
        "models": models,
    }
    text = format_json(data) + "\n"
    back = json.loads(text)
    assert back == json.loads(json.dumps(data))
    # Every float32 field reads back to the same f32.
    for rec, m in zip(back["models"], models):
        for key in ("x", "y", "y_pred", "value", "weights", "grads"):
            a = np.asarray(rec[key], dtype=np.float64)
            assert np.array_equal(a.astype(np.float32).astype(np.float64), a)
    print("gradients.json:")
    print(f"  {'model':<33} {'n':>3}  {'f32 vs f64':>10}  {'value':>8}  "
          f"{'f64 vs FD':>9}  {'f32 vs FD':>9}  {'(elem)':>8}  graph bits")
    for s in stats:
        print(f"  {s['name']:<33} {s['n']:>3}  {s['f32_vs_f64']:10.2e}  "
              f"{s['value_f32_vs_f64']:8.1e}  {s['f64_vs_fd']:9.2e}  "
              f"{s['f32_vs_fd']:9.2e}  {s['f32_vs_fd_elem']:8.1e}  "
              f"{'same' if s['graph_same_bits'] else 'differ'}")
    for s in stats:
        if not s["graph_same_bits"]:
            print(f"  tf.function vs eager, {s['name']}: {s['graph_diff']}")
    print("  (max |a - b| / max |b|; value: relative; (elem): largest "
          "elementwise |f32 - FD| / |FD|; FD: central, step 1e-6, float64)")
    (out_dir / OUT_FILE).write_text(text, encoding="utf-8")
    print(f"  wrote {out_dir / OUT_FILE} ({len(text.encode())} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir and compare byte for "
                         "byte with tests/fixtures/train/gradients.json")
    args = ap.parse_args()
    names = [c["name"] for c in MODELS]
    assert len(set(names)) == len(names)
    assert keras.config.epsilon() == 1e-7
    assert keras.config.floatx() == "float32"
    if not args.check:
        generate(OUT_DIR)
        return
    tmp = Path(tempfile.mkdtemp())
    try:
        generate(tmp)
        if (tmp / OUT_FILE).read_bytes() != (OUT_DIR / OUT_FILE).read_bytes():
            sys.exit(f"differ: {OUT_FILE}")
        print(f"--check: {OUT_FILE} identical")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
