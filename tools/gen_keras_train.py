#!/usr/bin/env python3
"""Generate Keras 3 loss, optimizer and activation-gradient fixtures for
tinyrnn's training code.

Issue 16, first slice: training must match Keras 3's losses and optimizers
exactly.  This script uses real Keras 3 (TensorFlow backend) and writes

  tests/fixtures/train/losses.json       loss values and d loss / d y_pred
  tests/fixtures/train/optimizers.json   weights after each optimizer step
  tests/fixtures/train/activations.json  each activation's output and the
                                         gradient TF backpropagates through
                                         it, kinks included (see the
                                         activation case table below)

Every float in the fixtures is exactly a float32 value written as the
shortest Python float repr (it reads back to the same f64, hence the same
f32), except the `*_f64` reference fields, which are float64, and the
activation cases' `args` (the Python values passed to Keras).

The output is deterministic: loss case i uses default_rng(BASE_SEED + i),
optimizer case j uses default_rng(BASE_SEED + 1000 + j), activation case k
uses default_rng(BASE_SEED + 2000 + k), so appending a new case at the end
of a table never changes the earlier ones.  Before writing, the script
checks every case against a small independent NumPy re-implementation (see
check_losses / check_optimizers / check_activations) and prints the largest
differences.

Run from anywhere:  python3 tools/gen_keras_train.py [--check]
(--check regenerates into a temp dir and compares byte for byte.)
CI never runs this script; the generated JSON files are committed.

===========================================================================
Keras 3.15.1's losses (keras/src/losses/losses.py, loss.py and the
TensorFlow backend's keras/src/backend/tensorflow/nn.py), for one sample of
shape [U] (a vector) or [T, U] (a sequence); the loss objects are called on a
batch of one, y[None]:

  Loss.__call__ converts y_true and y_pred to the loss dtype (floatx, i.e.
  float32, unless the loss was built with dtype=...; the *_f64 fields use
  dtype="float64"), calls the function below, which reduces the LAST axis
  only, giving per-sample values of shape [1] (vector) or per-timestep
  values of shape [1, T] (sequence), then reduces them with
  "sum_over_batch_size":  divide_no_nan(sum(values), prod(values.shape)),
  i.e. sum / 1 for a vector and sum over timesteps / T for a sequence (the
  mean over timesteps, done as one sum then one division).

  mean_squared_error:   mean(square(y_true - y_pred), axis=-1)
  mean_absolute_error:  mean(abs(y_true - y_pred), axis=-1)
      (tf.abs's gradient is sign(x): 0 where y_pred == y_true exactly.)
  binary_crossentropy (from_logits=False, label_smoothing=0):
      mean(bce, axis=-1) where, elementwise (backend nn.binary_crossentropy)
        p   = clip_by_value(y_pred, eps, 1 - eps)
        bce = -(y_true * log(p) + (1 - y_true) * log(1 - p))
      written as  bce = y_true * log(p);  bce += (1 - y_true) * log(1 - p);
      return -bce.  eps = keras.config.epsilon() = 1e-7; the bounds are
      Python floats converted to float32: f32(1e-7) = 1.00000001e-7 and
      f32(1 - 1e-7) = 1 - 2^-23 = 0.99999988, so 1 - p >= 2^-23.
      clip_by_value's gradient passes where eps <= y_pred <= 1 - eps
      (bounds included) and is 0 outside: y_pred = 0.0 or 1.0 gets no
      gradient from that element.
  categorical_crossentropy (from_logits=False, label_smoothing=0, axis=-1):
      backend nn.categorical_crossentropy, per row of the last axis:
        q = y_pred / reduce_sum(y_pred, axis, keepdims=True)  (RENORMALISED
            by its sum, always, even for softmax outputs)
        q = clip_by_value(q, eps, 1 - eps)
        value = -reduce_sum(y_true * log(q), axis)
      (a SUM over the classes, not a mean; the gradient flows through the
      renormalisation, so every class gets a gradient, and a clipped class
      still gets one through the sum.)

  IMPORTANT (TensorFlow backend): keras.activations.sigmoid / softmax (and
  so Dense(..., activation="sigmoid"/"softmax") and Activation layers) set
  `output._keras_logits = x` on their result, and the backend's
  binary_crossentropy / categorical_crossentropy then IGNORE the
  probabilities and compute from those logits (backend nn._get_logits; in a
  tf.function it also recognises a tensor made by a Sigmoid / Softmax op),
  with no clipping:
      tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
          = max(x, 0) - x * z + log1p(exp(-abs(x)))   (then mean over U)
      tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)
          = sum(z * (logsumexp(x) - x)), gradient softmax(x) - z.
  So model.fit / evaluate / train_on_batch with a sigmoid / softmax output
  layer and from_logits=False use these formulas (checked here: a
  Dense(1, "sigmoid") with logit 20 and y_true 0 reports 20.0, not the
  clipped 15.94).  The "activation_cases" of losses.json record that path:
  y_pred = keras.activations.sigmoid/softmax(logits), the loss as Keras
  reports it and its gradient with respect to the LOGITS.  The plain
  "cases" are what Keras gives for probabilities that do not come straight
  from such an activation (e.g. a NumPy array).

===========================================================================
Keras 3.15.1's optimizers (keras/src/optimizers/sgd.py, adam.py,
base_optimizer.py), float32 variable w, gradient g, all arithmetic in
float32, one op at a time in this order (order matters for bit-exactness):

  The learning rate is a float32 variable: lr = f32(learning_rate).
  Python-float hyper-parameters become float32 constants where they meet a
  float32 tensor; expressions on Python floats (1 - beta_1) are evaluated
  in float64 FIRST and then rounded to float32.

  SGD, momentum == 0:      w = w - g * lr                   (assign_sub)
  SGD, momentum != 0 (m starts at 0, mu = f32(momentum)):
                           m = m * mu - g * lr               (assign)
                           w = w + m                         (assign_add)
  SGD, nesterov=True:      m = m * mu - g * lr
                           w = w + (m * mu - g * lr)         (new m)
  Adam (m, v start at 0; t = iterations + 1 as float32, iterations counts
  the apply calls already done):
      b1p   = pow(f32(beta_1), t)          (tf.pow on float32 scalars)
      b2p   = pow(f32(beta_2), t)
      alpha = lr * sqrt(1 - b2p) / (1 - b1p)   ((lr * sqrt(..)) / (..))
      m     = m + (g - m) * f32(1 - beta_1)    (1 - beta_1 in float64)
      v     = v + (g * g - v) * f32(1 - beta_2)
      w     = w - (m * alpha) / (sqrt(v) + f32(epsilon))
  No weight decay, clipping, EMA, loss scaling or gradient accumulation
  (all off by default).  tf.pow on a float32 scalar gives glibc's powf
  result with denormals flushed to zero (TensorFlow runs its ops with
  FTZ/DAZ set; beta^t only gets there after hundreds of steps, where
  1 - b1p = 1 anyway); NumPy's own float32 power differs from it by an ulp
  now and then, so the NumPy check below uses a correctly rounded pow.
"""

import os

# Must be set before TensorFlow / Keras are imported.
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ["KERAS_BACKEND"] = "tensorflow"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

# Each activation case traces its own tf.function: no retracing warnings.
tf.get_logger().setLevel("ERROR")

BASE_SEED = 20261129
OPT_SEED_OFFSET = 1000
N_STEPS = 5
N_WEIGHTS = 7

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "train"

LOSS_CLASSES = {
    "mean_squared_error": lambda dtype: keras.losses.MeanSquaredError(
        dtype=dtype),
    "mean_absolute_error": lambda dtype: keras.losses.MeanAbsoluteError(
        dtype=dtype),
    "binary_crossentropy": lambda dtype: keras.losses.BinaryCrossentropy(
        from_logits=False, dtype=dtype),
    "categorical_crossentropy":
        lambda dtype: keras.losses.CategoricalCrossentropy(
            from_logits=False, dtype=dtype),
}


# ---------------------------------------------------------------------------
# Loss case table.  Each `make(rng)` returns (y_true, y_pred) as float32
# arrays of shape [U] or [T, U].  Append new cases at the end.
# ---------------------------------------------------------------------------
def f32(a):
    return np.asarray(a, dtype=np.float32)


def sigmoid32(x):
    return f32(1.0 / (1.0 + np.exp(-np.asarray(x, np.float64))))


def softmax32(x):
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return f32(e / e.sum(axis=-1, keepdims=True))


def one_hot(rng, shape):
    """One-hot rows (last axis) with seeded classes."""
    y = np.zeros(shape, np.float32)
    flat = y.reshape(-1, shape[-1])
    for row in flat:
        row[rng.integers(shape[-1])] = 1.0
    return y


def bits(rng, shape):
    return f32(rng.integers(0, 2, size=shape))


def normal(rng, shape, scale=1.0):
    return f32(rng.standard_normal(shape) * scale)


def lcase(name, loss, make, note=""):
    return dict(name=name, loss=loss, make=make, note=note)


MSE, MAE = "mean_squared_error", "mean_absolute_error"
BCE, CCE = "binary_crossentropy", "categorical_crossentropy"

# Edge values for the crossentropies (float32).
EPS32 = np.float32(1e-7)            # clip lower bound as Keras uses it
ONE_M_EPS32 = np.float32(1 - 1e-7)  # clip upper bound: 1 - 2^-23
BELOW_1 = np.nextafter(np.float32(1), np.float32(0))  # 1 - 2^-24, clipped


def _mae_partial(rng):
    yt = normal(rng, [5])
    yp = normal(rng, [5])
    yp[1] = yt[1]
    yp[3] = yt[3]
    return yt, yp


def _bce_edges(rng):
    # Exactly 0.0 and 1.0, both right and wrong, and values just outside /
    # exactly on the clip bounds.
    yt = f32([1, 0, 0, 1, 0, 1, 1, 0])
    yp = f32([0.0, 1.0, 0.0, 1.0, BELOW_1, 5e-8, EPS32, ONE_M_EPS32])
    return yt, yp


def _bce_equal(rng):
    # y_pred == y_true with soft labels (no clipping involved).
    yt = sigmoid32(normal(rng, [4], 2.0))
    return yt, yt.copy()


def _cce_edges_wrong(rng):
    # The true class predicted as exactly 0.0: q clipped to eps.
    return f32([1, 0, 0]), f32([0.0, 1.0, 0.0])


def _cce_edges_right(rng):
    # y_pred == y_true (one-hot): q = 1 clipped to 1 - eps, zeros to eps.
    return f32([0, 0, 1, 0]), f32([0, 0, 1, 0])


def _cce_soft(rng):
    yt = softmax32(normal(rng, [4]))
    yp = softmax32(normal(rng, [4], 1.5))
    return yt, yp


def _cce_unnormalised(rng):
    # Rows not summing to 1: Keras divides by the sum first.
    yt = one_hot(rng, [2, 3])
    yp = f32(rng.uniform(0.05, 0.6, size=[2, 3]))
    return yt, yp


LOSS_CASES = [
    # mean squared error
    lcase("mse_vec3", MSE, lambda r: (normal(r, [3]), normal(r, [3]))),
    lcase("mse_vec1", MSE, lambda r: (normal(r, [1]), normal(r, [1]))),
    lcase("mse_seq4x2", MSE, lambda r: (normal(r, [4, 2]), normal(r, [4, 2])),
          "sequence: mean over units, then mean over timesteps"),
    lcase("mse_equal", MSE,
          lambda r: (lambda y: (y, y.copy()))(normal(r, [4])),
          "y_pred == y_true: value 0, gradient 0"),
    lcase("mse_seq3x1_large", MSE,
          lambda r: (normal(r, [3, 1], 10.0), normal(r, [3, 1], 10.0))),
    # mean absolute error
    lcase("mae_vec3", MAE, lambda r: (normal(r, [3]), normal(r, [3]))),
    lcase("mae_vec1", MAE, lambda r: (normal(r, [1]), normal(r, [1]))),
    lcase("mae_seq3x2", MAE, lambda r: (normal(r, [3, 2]), normal(r, [3, 2]))),
    lcase("mae_equal", MAE,
          lambda r: (lambda y: (y, y.copy()))(normal(r, [4])),
          "y_pred == y_true: TF's gradient of abs at 0 is 0"),
    lcase("mae_partial_equal", MAE, _mae_partial,
          "elements 1 and 3 equal: gradient 0 there"),
    # binary crossentropy (probabilities)
    lcase("bce_vec1", BCE, lambda r: (f32([1]), sigmoid32(normal(r, [1])))),
    lcase("bce_vec4", BCE, lambda r: (bits(r, [4]), sigmoid32(normal(r, [4], 2.0)))),
    lcase("bce_seq3x2", BCE,
          lambda r: (bits(r, [3, 2]), sigmoid32(normal(r, [3, 2], 2.0)))),
    lcase("bce_edges", BCE, _bce_edges,
          "y_pred exactly 0.0 / 1.0 (right and wrong), 1 - 2^-24 and 5e-8 "
          "(clipped: no gradient), exactly f32(1e-7) and f32(1 - 1e-7) "
          "(on the bounds: gradient passes)"),
    lcase("bce_soft", BCE,
          lambda r: (f32(r.uniform(0, 1, [3])), sigmoid32(normal(r, [3])))),
    lcase("bce_equal_soft", BCE, _bce_equal, "y_pred == y_true, soft labels"),
    # categorical crossentropy (probabilities)
    lcase("cce_vec3", CCE, lambda r: (one_hot(r, [3]), softmax32(normal(r, [3])))),
    lcase("cce_vec5", CCE,
          lambda r: (one_hot(r, [5]), softmax32(normal(r, [5], 2.0)))),
    lcase("cce_seq3x4", CCE,
          lambda r: (one_hot(r, [3, 4]), softmax32(normal(r, [3, 4], 2.0)))),
    lcase("cce_soft", CCE, _cce_soft, "soft labels (a softmax row)"),
    lcase("cce_edges_wrong", CCE, _cce_edges_wrong,
          "true class predicted exactly 0.0"),
    lcase("cce_edges_right", CCE, _cce_edges_right,
          "y_pred == y_true, one-hot with exact 0.0 and 1.0"),
    lcase("cce_unnormalised", CCE, _cce_unnormalised,
          "rows summing to less or more than 1: renormalised by Keras"),
]


# Cases where y_pred comes straight out of keras.activations.sigmoid /
# softmax, so that Keras uses the logits (see the module docstring).
# `make(rng)` returns (y_true, logits).
ACT_CASES = [
    lcase("bce_logits_vec1", BCE, lambda r: (f32([0]), normal(r, [1], 2.0))),
    lcase("bce_logits_vec3", BCE, lambda r: (bits(r, [3]), normal(r, [3], 2.0))),
    lcase("bce_logits_seq3x2", BCE,
          lambda r: (bits(r, [3, 2]), normal(r, [3, 2], 2.0))),
    lcase("bce_logits_saturated", BCE,
          lambda r: (f32([0, 1, 1, 0]), f32([20.0, -20.0, 20.0, -20.0])),
          "sigmoid(20) is exactly 1.0 in float32; no clipping"),
    lcase("cce_logits_vec3", CCE, lambda r: (one_hot(r, [3]), normal(r, [3], 2.0))),
    lcase("cce_logits_seq2x4", CCE,
          lambda r: (one_hot(r, [2, 4]), normal(r, [2, 4], 2.0))),
    lcase("cce_logits_saturated", CCE,
          lambda r: (f32([0, 1, 0]), f32([20.0, -20.0, 0.0])),
          "softmax gives exactly 1.0 for the wrong class; no clipping"),
    lcase("cce_logits_soft", CCE,
          lambda r: (softmax32(normal(r, [4])), normal(r, [4], 1.5))),
]


# ---------------------------------------------------------------------------
# Optimizer case table.  Append new cases at the end.
# ---------------------------------------------------------------------------
OPT_CASES = [
    dict(name="sgd", optimizer="sgd", kwargs=dict(learning_rate=0.1)),
    dict(name="sgd_momentum", optimizer="sgd",
         kwargs=dict(learning_rate=0.05, momentum=0.9)),
    dict(name="sgd_nesterov", optimizer="sgd",
         kwargs=dict(learning_rate=0.05, momentum=0.9, nesterov=True)),
    dict(name="adam", optimizer="adam", kwargs=dict(learning_rate=0.01)),
    dict(name="adam_custom", optimizer="adam",
         kwargs=dict(learning_rate=0.002, beta_1=0.8, beta_2=0.95,
                     epsilon=1e-6)),
]


# ---------------------------------------------------------------------------
# Activation case table (activations.json).  Append new cases at the end:
# case i draws its random inputs and weights from
# default_rng(BASE_SEED + ACT_SEED_OFFSET + i).
#
# Each case: `x` = the fixed probes (listed first, `n_fixed` of them) then
# seeded uniform(-8, 8) values up to N_ACT; `w` = N_ACT seeded uniform(-1, 1)
# weights; `y` = the activation on x[None] (one row of 24: softmax and
# log_softmax work over the whole row); `grad` = d sum(w * y) / d x from a
# tf.GradientTape, all float32.  The upstream gradient is exactly w (the
# gradient of sum(w * y) with respect to y), so grad is the vector-Jacobian
# product backprop needs: w * f'(x) elementwise, or J(x)^T w for softmax /
# log_softmax.
#
# `at` lists (x, f'(x)) pairs: the derivative convention at each kink as
# TensorFlow applies it, asserted on the fixture (grad == w * f'(x), to 1e-6
# relative; exactly 0 where f'(x) = 0).  `kinks` are the points where f' is
# discontinuous: the NumPy check skips inputs within 1e-3 of them.
#
# How Keras 3.15.1 builds each one (keras/src/activations/activations.py,
# keras/src/ops/nn.py, keras/src/backend/tensorflow/nn.py) and the
# conventions observed here (TF 2.21 CPU kernels):
#
#   linear        returns x itself: f' = 1 everywhere.
#   relu          tf.nn.relu.  ReluGrad passes where the OUTPUT is > 0:
#                 relu'(0) = relu'(-0) = 0.
#   relu6         tf.nn.relu6.  Relu6Grad passes where 0 < x < 6 (strict):
#                 relu6'(0) = 0 and relu6'(6) = 0.
#   leaky_relu    tf.nn.leaky_relu(alpha=0.2).  LeakyReluGrad: 1 where
#                 x > 0, else alpha: leaky_relu'(0) = leaky_relu'(-0) = 0.2.
#   elu           tf.nn.elu (alpha 1).  EluGrad uses the output: y < 0 ?
#                 y + 1 : 1, so elu'(0) = elu'(-0) = 1; elu'(-100) = 0
#                 (y = -1 exactly).
#   selu          tf.nn.selu.  SeluGrad: y < 0 ? y + scale * alpha : scale,
#                 so selu'(0) = scale = 1.0507009 (the right derivative,
#                 not scale * alpha = 1.7580993); selu'(-100) = 0.
#   gelu          approximate=False: tf.nn.gelu = (0.5 * x) * erfc(-x *
#                 f32(0.7071067811865476)), differentiated op by op (Mul,
#                 Erfc, Neg; ErfcGrad: -g * f32(2/sqrt(pi)) * exp(-u^2));
#                 smooth, gelu'(0) = 0.5.
#   sigmoid       tf.nn.sigmoid.  SigmoidGrad uses the output: y * (1 - y);
#                 0 once y rounds to 1.0 (x = 20, 100) or to 0.0 (x = -100).
#   hard_sigmoid  relu6(x + 3) / 6 (two float32 ops first): f' = 1/6 where
#                 0 < x + 3 < 6 IN FLOAT32, else 0; so 0 at x = -3 and at
#                 x = 3, and also 0 at x = 3 - 2^-22 (the float32 just
#                 below 3: x + 3 rounds to 6 and y = 1), while the float32
#                 just above -3 gives x + 3 = 2^-22 > 0: f' = 1/6.
#   tanh          tf.nn.tanh.  TanhGrad uses the output: 1 - y * y; 0 once
#                 y rounds to +-1.
#   hard_tanh     tf.clip_by_value(x, -1, 1) = maximum(minimum(x, 1), -1);
#                 the Minimum / Maximum gradients pass where x <= 1 and
#                 x >= -1 (bounds INCLUDED): hard_tanh'(+-1) = 1, 0 beyond.
#   softplus      tf.math.softplus.  SoftplusGrad: 1 / (1 + exp(-x)), no
#                 thresholds (the forward kernel returns x above 13.94 and
#                 exp(x) below -13.94, hence the probes at +-14).
#   softsign      tf.nn.softsign.  SoftsignGrad: 1 / (1 + |x|)^2, 1 at 0.
#   silu          tf.nn.silu (custom gradient): s * (1 + x * (1 - s)) with
#                 s = sigmoid(x); 0.5 at 0.
#   hard_silu     x * hard_sigmoid(x), product rule: hs(x) + x * hs'(x), so
#                 0 at x = -3, 1 at x = 3 and at 3 - 2^-22 (hs = 1, hs' = 0
#                 there, see hard_sigmoid), about -0.5 just above -3, 0.5 at 0.
#   mish          x * tanh(softplus(x)), op by op; mish'(0) = 0.59999996.
#   exponential   tf.exp; ExpGrad: y.  Probes only up to +-20 (exp(100) is
#                 inf in float32).
#   softmax       tf.nn.softmax over the row.  SoftmaxGrad: (w - sum(w * y))
#                 * y.  No +100 probe here: it would make y one-hot (the
#                 other entries underflowing, some to subnormals that TF
#                 flushes) and the whole gradient exactly 0.  Instead 20,
#                 19.5, 19 and 18 share most of the mass (strong coupling),
#                 the uniform(-8, 8) entries get y in 1e-12..1e-5 (normal
#                 floats), -100 gives y = 0 exactly; 1.0 appears twice (a
#                 tie).
#   log_softmax   tf.nn.log_softmax over the row.  LogSoftmaxGrad: w -
#                 sum(w) * exp(y).  Same probes as softmax.
#   relu(x, negative_slope=0.1, max_value=6.0, threshold=0.5)
#                 ReLU.static_call: n = relu(-x + 0.5);
#                 x = where(x > 0.5, x, 0); x = clip_by_value(x, 0, 6);
#                 y = x - 0.1 * n.  f' = 0.1 below the threshold (via n),
#                 EXACTLY 0 AT THE THRESHOLD x = 0.5 (where's x > 0.5 is
#                 false and relu'(0) = 0 for n: y = 0 there), 1 for
#                 0.5 < x <= 6 (clip_by_value includes its bound: f'(6) = 1,
#                 unlike relu6), 0 above 6.
#   relu(x, max_value=4.0)
#                 relu(x) then clip_by_value(., 0, 4): f'(0) = 0, f'(4) = 1,
#                 0 above 4.  (max_value == 6 with threshold 0 takes the
#                 relu6 path instead: f'(6) = 0.)
#   relu(x, threshold=1.0)
#                 where(x > 1, x, 0): f'(1) = 0, 1 above, 0 below.
#   leaky_relu(x, negative_slope=0.3)
#                 tf.nn.leaky_relu(alpha=0.3): f'(0) = f'(-0) = 0.3.
#   elu(x, alpha=0.5)
#                 tf.where(x > 0, elu(x), 0.5 * elu(x)): at x = 0 the where
#                 takes the alpha branch, so f'(0) = f'(-0) = 0.5 * 1 = 0.5
#                 (the LEFT derivative, while alpha = 1 gives the right one).
#
#   Subnormal inputs (the +-2^-149 probes, one float32 ulp from 0): TF's
#   CPU kernels run with denormals flushed to zero (FTZ/DAZ), so they act
#   as 0 in comparisons and arithmetic: relu(2^-149) = 0 with f' = 0,
#   leaky_relu'(2^-149) = 0.2, elu(x, alpha=0.5)(2^-149) = 0 with f' = 0.5;
#   select-style kernels can still pass the subnormal through unchanged
#   (elu(+-2^-149) = +-2^-149).  The smallest normal +-2^-126 behaves like
#   any positive / negative number.  A Rust implementation that does not
#   flush denormals will differ on the subnormal probes only.
#
#   keras.layers.ReLU(max_value=6, negative_slope=0.1, threshold=0.5),
#   LeakyReLU(negative_slope=0.3) and ELU(alpha=0.5) call these same
#   functions; generate() checks that the layers give the same bits (y and
#   grad, on the function case's x and w) and lists them in the fixture's
#   `layers_identical`; a layer that differed would be added as a
#   "layer:..." case instead.
#
#   Graph mode: the same computation inside a tf.function (as model.fit,
#   predict and train_on_batch run it) gives the same bits for every case
#   EXCEPT hard_sigmoid, hard_silu and gelu, where Grappler's constant
#   folding turns x / 6 into x * f32(1/6) (forward and backward) and folds
#   gelu's gradient constants into one (see GRAPH_DIFFERS); those cases
#   also carry y_graph / grad_graph (1 to 2 ulp from the eager values).
# ---------------------------------------------------------------------------
ACT_SEED_OFFSET = 2000
N_ACT = 24


def nx(v, toward):
    """The float32 next to v in the direction of toward."""
    return np.nextafter(np.float32(v), np.float32(toward))


def around(*vs):
    """Each value and its two float32 neighbours."""
    out = []
    for v in vs:
        out += [np.float32(v), nx(v, -np.inf), nx(v, np.inf)]
    return out


SUB = 2.0 ** -149    # the smallest subnormal float32: 1 ulp from 0
NORM = 2.0 ** -126   # the smallest normal float32
ZEROS = [0.0, -0.0]
TINY = [SUB, -SUB, NORM, -NORM]
ONES = [1.0, -1.0]
BIG = [20.0, -20.0, 100.0, -100.0]
SOFTMAX_PROBES = [0.0, -0.0, 1.0, 1.0, -1.0, 20.0, 19.5, 19.0, 18.0, -20.0,
                  -100.0]
SELU_SCALE = 1.0507009873554805
KA = keras.activations


def acase(name, fn, probes, kinks=(), at=(), args=None, function=None,
          note=""):
    return dict(name=name, fn=fn, probes=probes, kinks=list(kinks),
                at=list(at), args=args or {}, function=function or name,
                note=note)


ACTIVATION_CASES = [
    acase("linear", KA.get("linear"), ZEROS + ONES + BIG,
          at=[(0.0, 1), (100.0, 1)]),
    acase("relu", KA.get("relu"), ZEROS + TINY + ONES + BIG, kinks=[0],
          at=[(0.0, 0), (-0.0, 0), (SUB, 0), (-SUB, 0), (NORM, 1),
              (-NORM, 0)],
          note="relu'(0) = 0 (ReluGrad: y > 0); subnormal x flushed to 0"),
    acase("relu6", KA.get("relu6"), ZEROS + TINY + around(6) + ONES + BIG,
          kinks=[0, 6],
          at=[(0.0, 0), (-0.0, 0), (SUB, 0), (NORM, 1), (6, 0),
              (nx(6, 0), 1), (nx(6, 7), 0)],
          note="Relu6Grad: 0 < x < 6, so relu6'(0) = relu6'(6) = 0"),
    acase("leaky_relu", KA.get("leaky_relu"), ZEROS + TINY + ONES + BIG,
          kinks=[0], at=[(0.0, 0.2), (-0.0, 0.2), (SUB, 0.2), (NORM, 1)],
          args={"negative_slope": 0.2},
          note="LeakyReluGrad: x > 0 ? 1 : 0.2, so leaky_relu'(0) = 0.2"),
    acase("elu", KA.get("elu"), ZEROS + TINY + ONES + BIG, kinks=[],
          at=[(0.0, 1), (-0.0, 1), (SUB, 1), (-SUB, 1), (-100, 0)],
          args={"alpha": 1.0},
          note="EluGrad: y < 0 ? y + 1 : 1, so elu'(0) = 1"),
    acase("selu", KA.get("selu"), ZEROS + TINY + ONES + BIG, kinks=[0],
          at=[(0.0, SELU_SCALE), (-0.0, SELU_SCALE), (-100, 0)],
          note="SeluGrad: y < 0 ? y + scale*alpha : scale, so selu'(0) = "
               "scale"),
    acase("gelu", KA.get("gelu"), ZEROS + ONES + [3.0, -3.0] + BIG,
          at=[(0.0, 0.5)], args={"approximate": False}),
    acase("sigmoid", KA.get("sigmoid"), ZEROS + ONES + [14.0, -14.0] + BIG,
          at=[(0.0, 0.25), (20, 0), (100, 0), (-100, 0)],
          note="SigmoidGrad: y * (1 - y), 0 where y rounds to 1 or 0"),
    acase("hard_sigmoid", KA.get("hard_sigmoid"),
          ZEROS + around(3, -3) + ONES + BIG, kinks=[3, -3],
          at=[(0.0, 1 / 6), (3, 0), (-3, 0), (nx(3, 0), 0),
              (nx(3, 4), 0), (nx(-3, 0), 1 / 6), (nx(-3, -4), 0)],
          note="relu6(x + 3) / 6: f' = 1/6 where 0 < x + 3 < 6 in float32, "
               "so 0 at +-3 and at the float32 just below 3"),
    acase("tanh", KA.get("tanh"), ZEROS + ONES + [9.0, -9.0] + BIG,
          at=[(0.0, 1), (20, 0), (-100, 0)],
          note="TanhGrad: 1 - y * y"),
    acase("hard_tanh", KA.get("hard_tanh"), ZEROS + around(1, -1) + BIG,
          kinks=[1, -1],
          at=[(0.0, 1), (1, 1), (-1, 1), (nx(1, 0), 1), (nx(1, 2), 0),
              (nx(-1, 0), 1), (nx(-1, -2), 0)],
          note="clip_by_value(x, -1, 1): gradient passes on the bounds, "
               "hard_tanh'(+-1) = 1"),
    acase("softplus", KA.get("softplus"),
          ZEROS + ONES + [14.0, -14.0] + BIG,
          at=[(0.0, 0.5), (100, 1), (-100, 0)],
          note="SoftplusGrad: 1 / (1 + exp(-x))"),
    acase("softsign", KA.get("softsign"), ZEROS + ONES + BIG,
          at=[(0.0, 1), (1, 0.25)],
          note="SoftsignGrad: 1 / (1 + |x|)^2"),
    acase("silu", KA.get("silu"), ZEROS + ONES + BIG, at=[(0.0, 0.5)],
          note="tf.nn.silu's gradient: s * (1 + x * (1 - s))"),
    acase("hard_silu", KA.get("hard_silu"),
          ZEROS + around(3, -3) + ONES + BIG, kinks=[3, -3],
          at=[(0.0, 0.5), (3, 1), (-3, 0), (nx(3, 0), 1), (nx(3, 4), 1),
              (nx(-3, 0), -0.5), (nx(-3, -4), 0)],
          note="x * hard_sigmoid(x): 0 at -3, 1 at 3"),
    acase("mish", KA.get("mish"), ZEROS + ONES + BIG, at=[(0.0, 0.6)]),
    acase("exponential", KA.get("exponential"), ZEROS + ONES + [20.0, -20.0],
          at=[(0.0, 1)], note="inputs up to +-20 only"),
    acase("softmax", KA.get("softmax"), SOFTMAX_PROBES, args={"axis": -1},
          note="the whole row: grad = (w - sum(w * y)) * y"),
    acase("log_softmax", KA.get("log_softmax"), SOFTMAX_PROBES,
          args={"axis": -1},
          note="the whole row: grad = w - sum(w) * exp(y)"),
    acase("relu(negative_slope=0.1, max_value=6.0, threshold=0.5)",
          lambda x: KA.relu(x, negative_slope=0.1, max_value=6.0,
                            threshold=0.5),
          ZEROS + around(0.5, 6) + ONES + BIG, kinks=[0.5, 6],
          at=[(0.0, 0.1), (0.5, 0), (nx(0.5, 0), 0.1), (nx(0.5, 1), 1),
              (6, 1), (nx(6, 0), 1), (nx(6, 7), 0), (-100, 0.1), (100, 0)],
          args={"negative_slope": 0.1, "max_value": 6.0, "threshold": 0.5},
          function="relu",
          note="f'(0.5) = 0 at the threshold, f'(6) = 1 (clip_by_value)"),
    acase("relu(max_value=4.0)", lambda x: KA.relu(x, max_value=4.0),
          ZEROS + TINY + around(4) + ONES + BIG, kinks=[0, 4],
          at=[(0.0, 0), (SUB, 0), (NORM, 1), (4, 1), (nx(4, 0), 1),
              (nx(4, 5), 0)],
          args={"max_value": 4.0}, function="relu",
          note="relu then clip_by_value(0, 4): f'(0) = 0, f'(4) = 1"),
    acase("relu(threshold=1.0)", lambda x: KA.relu(x, threshold=1.0),
          ZEROS + around(1) + BIG, kinks=[1],
          at=[(0.0, 0), (1, 0), (nx(1, 0), 0), (nx(1, 2), 1)],
          args={"threshold": 1.0}, function="relu",
          note="where(x > 1, x, 0): f'(1) = 0"),
    acase("leaky_relu(negative_slope=0.3)",
          lambda x: KA.leaky_relu(x, negative_slope=0.3),
          ZEROS + TINY + ONES + BIG, kinks=[0],
          at=[(0.0, 0.3), (-0.0, 0.3), (SUB, 0.3), (NORM, 1)],
          args={"negative_slope": 0.3}, function="leaky_relu",
          note="f'(0) = 0.3"),
    acase("elu(alpha=0.5)", lambda x: KA.elu(x, alpha=0.5),
          ZEROS + TINY + ONES + BIG, kinks=[0],
          at=[(0.0, 0.5), (-0.0, 0.5), (SUB, 0.5), (NORM, 1), (-100, 0)],
          args={"alpha": 0.5}, function="elu",
          note="where(x > 0, elu(x), 0.5 * elu(x)): f'(0) = 0.5"),
]

# The cases whose tf.function (graph) run differs from the eager one: in a
# graph, Grappler's constant folding rewrites a division by a constant into
# a multiplication by its float32 reciprocal, and folds constants that meet
# in the gradient.  model.fit / predict / train_on_batch run in a
# tf.function, so they see the *_graph values; model(x) and the eager tape
# see y / grad.
GRAPH_DIFFERS = {
    "hard_sigmoid": "in a tf.function Grappler turns both divisions by 6 "
                    "into multiplications by f32(1/6) = 0.16666667: "
                    "y_graph = relu6(x + 3) * f32(1/6), grad_graph = "
                    "(w * f32(1/6)) masked by Relu6Grad, vs relu6(x + 3) / 6 "
                    "and (w / 6) masked eagerly (1 ulp apart at times)",
    "hard_silu": "x * hard_sigmoid(x), with hard_sigmoid's division by 6 "
                 "turned into a multiplication by f32(1/6) in a tf.function",
    "gelu": "y is the same; in a tf.function Grappler folds Erfc's gradient "
            "constant -2/sqrt(pi) and the f32(1/sqrt 2) of the chain rule "
            "into one float32 constant -0.7978846, so grad_graph is up to "
            "2 ulp from grad",
}

# The Keras layers that take the same arguments: (case name, layer, the
# function case they must equal bit for bit).
ACTIVATION_LAYERS = [
    ("layer:ReLU(max_value=6, negative_slope=0.1, threshold=0.5)",
     lambda: keras.layers.ReLU(max_value=6, negative_slope=0.1,
                               threshold=0.5),
     "relu(negative_slope=0.1, max_value=6.0, threshold=0.5)"),
    ("layer:LeakyReLU(negative_slope=0.3)",
     lambda: keras.layers.LeakyReLU(negative_slope=0.3),
     "leaky_relu(negative_slope=0.3)"),
    ("layer:ELU(alpha=0.5)", lambda: keras.layers.ELU(alpha=0.5),
     "elu(alpha=0.5)"),
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


def format_json(obj, indent=0, width=160, lead=0, pack=False):
    """Indented JSON (one space per level) in which every object or array
    that fits in `width` columns stays on one line (as in
    gen_keras_files.py).  With pack=True, an array of numbers that does not
    fit is written as several lines of as many numbers as fit, instead of
    one number per line."""
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
                                                 len(key), pack))
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    if pack and all(isinstance(v, (int, float)) for v in obj):
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
    items = [pad + format_json(v, indent + 1, width, 0, pack) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def header(what):
    return {
        "generator": "tools/gen_keras_train.py",
        "what": what,
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "backend": keras.backend.backend(),
        "seed": BASE_SEED,
    }


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------
def keras_loss(loss, y_true, y_pred, dtype):
    """(value, d value / d y_pred) from the Keras loss object on a batch of
    one, with a GradientTape, in `dtype`."""
    fn = LOSS_CLASSES[loss](dtype)
    yt = tf.constant(np.asarray(y_true)[None].astype(dtype))
    yp = tf.constant(np.asarray(y_pred)[None].astype(dtype))
    with tf.GradientTape() as tape:
        tape.watch(yp)
        value = fn(yt, yp)
    grad = tape.gradient(value, yp)
    assert value.dtype == dtype and grad.dtype == dtype
    assert value.shape == (), value.shape
    return value.numpy(), grad.numpy()[0]


def keras_loss_via_activation(loss, y_true, logits, dtype):
    """Like keras_loss, but y_pred = keras.activations.sigmoid / softmax
    (logits) inside the tape, so Keras takes its from-logits path; the
    gradient is with respect to the logits."""
    fn = LOSS_CLASSES[loss](dtype)
    act = keras.activations.sigmoid if loss == BCE else \
        keras.activations.softmax
    yt = tf.constant(np.asarray(y_true)[None].astype(dtype))
    x = tf.constant(np.asarray(logits)[None].astype(dtype))
    with tf.GradientTape() as tape:
        tape.watch(x)
        yp = act(x)
        assert hasattr(yp, "_keras_logits")
        value = fn(yt, yp)
    grad = tape.gradient(value, x)
    # Calling the loss on the same probabilities as a plain tensor takes the
    # clipped path instead (tells the two apart in the saturated cases).
    plain = fn(yt, tf.constant(yp.numpy()))
    return yp.numpy()[0], value.numpy(), grad.numpy()[0], plain.numpy()


def loss_case(index, c):
    rng = np.random.default_rng(BASE_SEED + index)
    y_true, y_pred = c["make"](rng)
    y_true, y_pred = f32(y_true), f32(y_pred)
    assert y_true.shape == y_pred.shape and y_true.ndim in (1, 2), c["name"]
    if c["loss"] in (BCE, CCE):
        assert ((y_pred >= 0) & (y_pred <= 1)).all(), c["name"]
        assert ((y_true >= 0) & (y_true <= 1)).all(), c["name"]
    v32, g32 = keras_loss(c["loss"], y_true, y_pred, "float32")
    v64, g64 = keras_loss(c["loss"], y_true, y_pred, "float64")
    assert np.isfinite(v32) and np.isfinite(g32).all(), c["name"]
    out = {"name": c["name"], "loss": c["loss"]}
    if c["note"]:
        out["note"] = c["note"]
    out.update({
        "kind": "vector" if y_pred.ndim == 1 else "sequence",
        "shape": list(y_pred.shape),
        "y_true": f32list(y_true), "y_pred": f32list(y_pred),
        "value": f32list(v32), "grad": f32list(g32),
        "value_f64": f64list(v64), "grad_f64": f64list(g64),
    })
    return out


def act_case(index, c):
    rng = np.random.default_rng(BASE_SEED + 500 + index)
    y_true, logits = c["make"](rng)
    y_true, logits = f32(y_true), f32(logits)
    assert y_true.shape == logits.shape, c["name"]
    yp32, v32, g32, plain32 = keras_loss_via_activation(
        c["loss"], y_true, logits, "float32")
    _, v64, g64, _ = keras_loss_via_activation(
        c["loss"], y_true, logits, "float64")
    out = {"name": c["name"], "loss": c["loss"],
           "activation": "sigmoid" if c["loss"] == BCE else "softmax"}
    if c["note"]:
        out["note"] = c["note"]
    out.update({
        "kind": "vector" if logits.ndim == 1 else "sequence",
        "shape": list(logits.shape),
        "y_true": f32list(y_true), "logits": f32list(logits),
        "y_pred": f32list(yp32),
        "value": f32list(v32), "grad_logits": f32list(g32),
        "value_f64": f64list(v64), "grad_logits_f64": f64list(g64),
        "value_from_probabilities": f32list(plain32),
    })
    return out


def gen_losses():
    cases = [loss_case(i, c) for i, c in enumerate(LOSS_CASES)]
    acts = [act_case(i, c) for i, c in enumerate(ACT_CASES)]
    data = header("Keras 3 losses on one sample (a batch of one): value and "
                  "d value / d y_pred, float32 (value, grad) and float64 "
                  "(value_f64, grad_f64)")
    data.update({
        "epsilon": keras.config.epsilon(),
        "clip_low_f32": float(np.float32(keras.config.epsilon())),
        "clip_high_f32": float(np.float32(1.0 - keras.config.epsilon())),
        "reduction": "sum_over_batch_size",
        "cases": cases,
        "activation_cases": acts,
    })
    return data


# ---------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------
def f32_constants(c):
    """The float32 constants the update rule uses (see the docstring)."""
    kw = c["kwargs"]
    if c["optimizer"] == "sgd":
        return {"learning_rate": float(np.float32(kw["learning_rate"])),
                "momentum": float(np.float32(kw.get("momentum", 0.0)))}
    b1, b2 = kw.get("beta_1", 0.9), kw.get("beta_2", 0.999)
    return {"learning_rate": float(np.float32(kw["learning_rate"])),
            "beta_1": float(np.float32(b1)),
            "beta_2": float(np.float32(b2)),
            "one_minus_beta_1": float(np.float32(1 - b1)),
            "one_minus_beta_2": float(np.float32(1 - b2)),
            "epsilon": float(np.float32(kw.get("epsilon", 1e-7)))}


def make_optimizer(c):
    cls = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}
    return cls[c["optimizer"]](**c["kwargs"])


def hyper_params(c, opt):
    """Every hyper-parameter value as the optimizer holds it."""
    cfg = opt.get_config()
    assert cfg["name"] == c["optimizer"], cfg
    keys = ["learning_rate", "momentum", "nesterov"] if c["optimizer"] == "sgd" \
        else ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"]
    out = {"name": cfg["name"]}
    for k in keys:
        out[k] = c["kwargs"].get(k, cfg[k])
        if k != "learning_rate":
            assert out[k] == cfg[k], (k, out[k], cfg[k])
    # get_config's learning rate is the float32 variable's value.
    assert cfg["learning_rate"] == float(np.float32(out["learning_rate"]))
    for k in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
              "loss_scale_factor", "gradient_accumulation_steps"):
        assert cfg[k] is None, (k, cfg[k])
    assert cfg["use_ema"] is False
    return out


def slot_values(c, opt):
    """Momentum (SGD) or m, v (Adam) after a step, by variable path."""
    slots = {}
    for var in opt.variables:
        p = var.path
        if p.endswith("_momentum"):
            slots["m"] = var.numpy()
        elif p.endswith("_velocity"):
            slots["v"] = var.numpy()
    return slots


def run_optimizer(c, w0, grads, compiled=False):
    keras.backend.clear_session()  # names (sgd, adam) and paths from scratch
    opt = make_optimizer(c)
    var = keras.Variable(w0, dtype="float32")
    steps = []

    def apply(g):
        opt.apply_gradients([(g, var)])

    if compiled:
        apply = tf.function(apply)
    for g in grads:
        apply(tf.constant(g))
        step = {"w": var.numpy().copy()}
        step.update(slot_values(c, opt))
        steps.append(step)
    assert int(opt.iterations.numpy()) == len(grads)
    return opt, steps


def opt_case(index, c):
    rng = np.random.default_rng(BASE_SEED + OPT_SEED_OFFSET + index)
    w0 = f32(rng.uniform(-1.0, 1.0, N_WEIGHTS))
    grads = f32(rng.standard_normal((N_STEPS, N_WEIGHTS)))
    # A few special gradients: an exact zero, a large and a tiny one.
    grads[1, 2] = 0.0
    grads[3, 5] = np.float32(25.0)
    grads[4, 0] = np.float32(1e-6)
    opt, steps = run_optimizer(c, w0, grads)
    # The same steps inside a tf.function (as model.fit runs them, without
    # XLA: jit_compile="auto" is off on CPU-only machines) must give the
    # same bits.
    _, steps_fn = run_optimizer(c, w0, grads, compiled=True)
    for a, b in zip(steps, steps_fn):
        for k in a:
            assert np.array_equal(a[k], b[k]), (c["name"], k)
    out = {"name": c["name"],
           "optimizer": hyper_params(c, opt),
           "f32_constants": f32_constants(c),
           "w0": f32list(w0),
           "grads": f32list(grads),
           "w": [f32list(s["w"]) for s in steps]}
    if "m" in steps[0]:
        out["m"] = [f32list(s["m"]) for s in steps]
    if "v" in steps[0]:
        out["v"] = [f32list(s["v"]) for s in steps]
    if c["optimizer"] == "adam":
        # beta^t as tf.pow computes it (float32 scalars), as Adam does.
        k = f32_constants(c)
        out["beta_1_power"] = [f32list(tf.pow(tf.constant(np.float32(
            k["beta_1"])), tf.constant(np.float32(t))).numpy())
            for t in range(1, N_STEPS + 1)]
        out["beta_2_power"] = [f32list(tf.pow(tf.constant(np.float32(
            k["beta_2"])), tf.constant(np.float32(t))).numpy())
            for t in range(1, N_STEPS + 1)]
    return out


def gen_optimizers():
    data = header("Keras 3 optimizers: a float32 keras.Variable(w0), one "
                  "apply_gradients([(grads[k], var)]) per step; w[k], m[k], "
                  "v[k] are the values after step k+1")
    data["steps"] = N_STEPS
    data["cases"] = [opt_case(i, c) for i, c in enumerate(OPT_CASES)]
    return data


# ---------------------------------------------------------------------------
# Activations
# ---------------------------------------------------------------------------
def act_inputs(index, c):
    rng = np.random.default_rng(BASE_SEED + ACT_SEED_OFFSET + index)
    fixed = f32(c["probes"])
    assert fixed.ndim == 1 and len(fixed) < N_ACT, c["name"]
    x = np.concatenate([fixed, f32(rng.uniform(-8.0, 8.0,
                                               N_ACT - len(fixed)))])
    w = f32(rng.uniform(-1.0, 1.0, N_ACT))
    return x, w


def keras_activation(fn, x, w, compiled=False):
    """(y, d sum(w * y) / d x) for x as one row x[None], float32."""
    def run(xt, wt):
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = fn(xt)
            total = tf.reduce_sum(wt * y)
        return y, tape.gradient(total, xt)

    if compiled:
        run = tf.function(run)
    y, g = run(tf.constant(x[None]), tf.constant(w[None]))
    assert y.dtype == tf.float32 and g.dtype == tf.float32
    return y.numpy()[0], g.numpy()[0]


def same_bits(a, b):
    return np.array_equal(f32(a).view(np.uint32), f32(b).view(np.uint32))


def activation_case(index, c):
    x, w = act_inputs(index, c)
    y, g = keras_activation(c["fn"], x, w)
    # model.fit runs the same ops in a tf.function, where Grappler may
    # rewrite them (see GRAPH_DIFFERS): recorded where the bits differ.
    y2, g2 = keras_activation(c["fn"], x, w, compiled=True)
    differs = not (same_bits(y, y2) and same_bits(g, g2))
    assert differs == (c["name"] in GRAPH_DIFFERS), c["name"]
    assert np.isfinite(g).all() and np.isfinite(g2).all(), c["name"]
    out = {"name": c["name"], "function": c["function"], "args": c["args"]}
    if c["note"]:
        out["note"] = c["note"]
    out.update({"n_fixed": len(c["probes"]),
                "x": f32list(x), "y": f32list(y), "w": f32list(w),
                "grad": f32list(g)})
    if differs:
        out.update({"graph_note": GRAPH_DIFFERS[c["name"]],
                    "y_graph": f32list(y2), "grad_graph": f32list(g2)})
    return out


def gen_activations():
    cases = [activation_case(i, c) for i, c in enumerate(ACTIVATION_CASES)]
    by_name = {c["name"]: (i, c) for i, c in enumerate(ACTIVATION_CASES)}
    identical, extra = [], []
    for lname, make, fname in ACTIVATION_LAYERS:
        i, c = by_name[fname]
        x, w = act_inputs(i, c)
        layer = make()
        y, g = keras_activation(layer, x, w)
        ref = cases[i]
        if same_bits(y, ref["y"]) and same_bits(g, ref["grad"]):
            identical.append(lname)
            continue
        out = {"name": lname, "function": fname, "args": c["args"],
               "note": "the layer, called on the function case's x and w",
               "n_fixed": len(c["probes"]), "x": f32list(x),
               "y": f32list(y), "w": f32list(w), "grad": f32list(g)}
        extra.append(out)
    data = header("Keras 3 activations on one row x[None] of 24 float32 "
                  "inputs (fixed probes first, n_fixed of them, then seeded "
                  "uniform(-8, 8)): y = activation(x) and grad = "
                  "d sum(w * y) / d x from a GradientTape (the "
                  "vector-Jacobian product with upstream gradient w), "
                  "float32")
    data.update({
        "n": N_ACT,
        "subnormals": "TensorFlow flushes subnormal float32 inputs to zero "
                      "(FTZ/DAZ) in its CPU kernels: the +-2^-149 probes "
                      "show that (e.g. relu(2^-149) = 0 with derivative 0)",
        "layers_identical": identical,
        "cases": cases + extra,
    })
    return data


# ---------------------------------------------------------------------------
# Independent NumPy checks (run on the JSON as written and read back)
# ---------------------------------------------------------------------------
def np_loss(loss, yt, yp, bounds_dtype=np.float32):
    """float64 value and gradient from the formulas in the docstring, with
    the clip bounds 1e-7 and 1 - 1e-7 rounded to `bounds_dtype` as Keras
    does for a float32 / float64 loss."""
    yt = np.asarray(yt, np.float64)
    yp = np.asarray(yp, np.float64)
    if yp.ndim == 1:
        yt, yp = yt[None], yp[None]
        squeeze = True
    else:
        squeeze = False
    T, U = yp.shape
    lo, hi = float(bounds_dtype(1e-7)), float(bounds_dtype(1 - 1e-7))
    if loss == MSE:
        d = yp - yt
        per, g = (d * d).mean(-1), 2 * d / U
    elif loss == MAE:
        d = yp - yt
        per, g = np.abs(d).mean(-1), np.sign(d) / U
    elif loss == BCE:
        p = np.clip(yp, lo, hi)
        inside = (yp >= lo) & (yp <= hi)
        per = (-(yt * np.log(p) + (1 - yt) * np.log(1 - p))).mean(-1)
        g = -(yt / p - (1 - yt) / (1 - p)) * inside / U
    else:
        s = yp.sum(-1, keepdims=True)
        q = yp / s
        qc = np.clip(q, lo, hi)
        inside = (q >= lo) & (q <= hi)
        per = -(yt * np.log(qc)).sum(-1)
        dq = -yt / qc * inside
        g = (dq - (dq * q).sum(-1, keepdims=True)) / s
    value = per.mean()
    g = g / T
    return value, (g[0] if squeeze else g)


def np_loss_logits(loss, yt, x):
    yt = np.asarray(yt, np.float64)
    x = np.asarray(x, np.float64)
    if x.ndim == 1:
        yt, x = yt[None], x[None]
        squeeze = True
    else:
        squeeze = False
    T, U = x.shape
    if loss == BCE:
        per = (np.maximum(x, 0) - x * yt + np.log1p(np.exp(-np.abs(x)))).mean(-1)
        g = (1 / (1 + np.exp(-x)) - yt) / U
    else:
        m = x.max(-1, keepdims=True)
        lse = m + np.log(np.exp(x - m).sum(-1, keepdims=True))
        per = (yt * (lse - x)).sum(-1)
        # TF's fused kernel: gradient softmax - labels (labels summing to 1).
        g = np.exp(x - lse) - yt
    value = per.mean()
    g = g / T
    return value, (g[0] if squeeze else g)


def rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1.0, np.abs(b))))


def check_losses(data):
    worst = {}
    for c in data["cases"]:
        v, g = np_loss(c["loss"], c["y_true"], c["y_pred"])
        e32 = max(rel(c["value"], v), rel(c["grad"], g))
        v, g = np_loss(c["loss"], c["y_true"], c["y_pred"], np.float64)
        e64 = max(rel(c["value_f64"], v), rel(c["grad_f64"], g))
        assert e32 < 1e-5 and e64 < 1e-12, (c["name"], e32, e64)
        w = worst.setdefault(c["loss"], [0.0, 0.0])
        w[0], w[1] = max(w[0], e32), max(w[1], e64)
    for c in data["activation_cases"]:
        v, g = np_loss_logits(c["loss"], c["y_true"], c["logits"])
        e32 = max(rel(c["value"], v), rel(c["grad_logits"], g))
        e64 = max(rel(c["value_f64"], v), rel(c["grad_logits_f64"], g))
        assert e32 < 1e-5 and e64 < 1e-12, (c["name"], e32, e64)
        w = worst.setdefault(c["loss"] + " (logits)", [0.0, 0.0])
        w[0], w[1] = max(w[0], e32), max(w[1], e64)
    for k, (e32, e64) in worst.items():
        print(f"  {k:<36} NumPy f64 vs Keras f32 {e32:.2e}  vs Keras f64 "
              f"{e64:.2e}  (max |diff| / max(1, |ref|))")


def pow_f32(b, t):
    """Correctly rounded float32 b**t (glibc powf's result here)."""
    exact = Fraction(float(b)) ** t
    lo = np.float32(float(exact))
    # float(exact) is correctly rounded to f64; fix the rare double rounding.
    cands = [np.nextafter(lo, np.float32(-1)), lo, np.nextafter(lo, np.float32(2))]
    return min(cands, key=lambda c: abs(Fraction(float(c)) - exact))


def np_optimizer(c):
    """float32 NumPy replay of Keras's update rule, op by op."""
    k = c["f32_constants"]
    lr = np.float32(k["learning_rate"])
    w = f32(c["w0"])
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    out = []
    for t, g in enumerate(f32(c["grads"]), start=1):
        if c["optimizer"]["name"] == "sgd":
            mu = np.float32(k["momentum"])
            if mu == 0:
                w = w - g * lr
            else:
                m = m * mu - g * lr
                if c["optimizer"]["nesterov"]:
                    w = w + (m * mu - g * lr)
                else:
                    w = w + m
        else:
            tt = np.float32(t)
            b1p = pow_f32(np.float32(k["beta_1"]), int(tt))
            b2p = pow_f32(np.float32(k["beta_2"]), int(tt))
            alpha = lr * np.sqrt(np.float32(1) - b2p) / (np.float32(1) - b1p)
            m = m + (g - m) * np.float32(k["one_minus_beta_1"])
            v = v + (g * g - v) * np.float32(k["one_minus_beta_2"])
            w = w - (m * alpha) / (np.sqrt(v) + np.float32(k["epsilon"]))
        assert w.dtype == np.float32 and m.dtype == np.float32
        out.append((w.copy(), m.copy(), v.copy()))
    return out


def check_optimizers(data):
    for c in data["cases"]:
        ref = np_optimizer(c)
        w = f32(c["w"])
        nw = np.stack([r[0] for r in ref])
        ulps = np.abs(w.view(np.int32).astype(np.int64)
                      - nw.view(np.int32).astype(np.int64)).max()
        same = np.array_equal(w, nw)
        for key, i in (("m", 1), ("v", 2)):
            if key in c:
                same = same and np.array_equal(
                    f32(c[key]), np.stack([r[i] for r in ref]))
        if c["optimizer"]["name"] == "adam":
            for t in range(1, N_STEPS + 1):
                for b, got in ((c["f32_constants"]["beta_1"],
                                c["beta_1_power"][t - 1]),
                               (c["f32_constants"]["beta_2"],
                                c["beta_2_power"][t - 1])):
                    same = same and pow_f32(np.float32(b), t) == np.float32(got)
        print(f"  {c['name']:<14} float32 NumPy replay: "
              f"{'bit-identical' if same else 'DIFFERS'} "
              f"(max {ulps} ulp on w, max |dw| "
              f"{float(np.abs(w.astype(np.float64) - nw).max()):.1e})")
        assert same, c["name"]


def np_sigmoid(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                    np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))


def np_activation(function, args, x, w):
    """float64 y and d sum(w * y) / d x from the textbook formulas."""
    x = np.asarray(x, np.float64)
    w = np.asarray(w, np.float64)
    s = np_sigmoid(x)
    if function == "linear":
        y, d = x, np.ones_like(x)
    elif function == "relu":
        slope = args.get("negative_slope", 0.0)
        thr = args.get("threshold", 0.0)
        top = args.get("max_value", np.inf)
        y = np.where(x > thr, np.minimum(x, top), 0.0) \
            + slope * np.minimum(x - thr, 0.0)
        d = ((x > thr) & (x < top)) + slope * (x < thr)
    elif function == "relu6":
        y, d = np.clip(x, 0, 6), ((x > 0) & (x < 6)) * 1.0
    elif function == "leaky_relu":
        a = args["negative_slope"]
        y, d = np.where(x > 0, x, a * x), np.where(x > 0, 1.0, a)
    elif function in ("elu", "selu"):
        a, k = (args["alpha"], 1.0) if function == "elu" else \
            (1.6732632423543772, SELU_SCALE)
        y = k * np.where(x > 0, x, a * np.expm1(np.minimum(x, 0)))
        d = k * np.where(x > 0, 1.0, a * np.exp(np.minimum(x, 0)))
    elif function == "gelu":
        erf = np.vectorize(math.erf)(x / math.sqrt(2))
        y = 0.5 * x * (1 + erf)
        d = 0.5 * (1 + erf) + x * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    elif function == "sigmoid":
        y, d = s, s * (1 - s)
    elif function == "hard_sigmoid":
        y, d = np.clip(x / 6 + 0.5, 0, 1), ((x > -3) & (x < 3)) / 6.0
    elif function == "tanh":
        y = np.tanh(x)
        d = 1 - y * y
    elif function == "hard_tanh":
        y, d = np.clip(x, -1, 1), (np.abs(x) <= 1) * 1.0
    elif function == "softplus":
        y, d = np.logaddexp(0, x), s
    elif function == "softsign":
        y, d = x / (1 + np.abs(x)), 1 / (1 + np.abs(x)) ** 2
    elif function == "silu":
        y, d = x * s, s * (1 + x * (1 - s))
    elif function == "hard_silu":
        hs = np.clip(x / 6 + 0.5, 0, 1)
        y, d = x * hs, hs + x * ((x > -3) & (x < 3)) / 6.0
    elif function == "mish":
        t = np.tanh(np.logaddexp(0, x))
        y, d = x * t, t + x * (1 - t * t) * s
    elif function == "exponential":
        y = d = np.exp(x)
    elif function in ("softmax", "log_softmax"):
        m = x.max()
        lse = m + np.log(np.exp(x - m).sum())
        p = np.exp(x - lse)
        if function == "softmax":
            return p, p * (w - (w * p).sum())
        return x - lse, w - w.sum() * p
    else:
        raise ValueError(function)
    return y, w * d


def check_activations(data):
    spec = {c["name"]: c for c in ACTIVATION_CASES}
    worst_y = worst_g = 0.0
    for case in data["cases"]:
        c = spec[case["function"] if case["name"].startswith("layer:")
                 else case["name"]]
        x, w = f32(case["x"]), f32(case["w"])
        y, g = f32(case["y"]), f32(case["grad"])
        assert len(x) == len(w) == len(y) == len(g) == N_ACT
        # The conventions stated in the table, at the exact probes.
        for xv, dv in c["at"]:
            hit = np.flatnonzero(x.view(np.uint32) == f32(xv).view(np.uint32))
            assert len(hit) >= 1, (case["name"], xv)
            for i in hit:
                if dv == 0:
                    assert g[i] == 0, (case["name"], xv, g[i])
                else:
                    ratio = float(g[i]) / float(w[i])
                    assert abs(ratio - dv) <= 1e-6 * abs(dv), \
                        (case["name"], xv, ratio, dv)
        # float64 formulas away from the kinks and the subnormals.
        y64, g64 = np_activation(c["function"], c["args"], x, w)
        x64 = x.astype(np.float64)
        keep = (x64 == 0) | (np.abs(x64) >= NORM)
        for k in c["kinks"]:
            keep &= np.abs(x64 - k) > 1e-3
        if c["function"] in ("softmax", "log_softmax"):
            keep[:] = True  # the Jacobian couples every element
        ey, eg = rel(y[keep], y64[keep]), rel(g[keep], g64[keep])
        if "y_graph" in case:
            yg, gg = f32(case["y_graph"]), f32(case["grad_graph"])
            ey = max(ey, rel(yg[keep], y64[keep]))
            eg = max(eg, rel(gg[keep], g64[keep]))
        if c["function"] == "hard_sigmoid":
            # float32 replays, eager (/ 6) and graph (* f32(1/6)).
            t = np.minimum(np.maximum(x + np.float32(3), np.float32(0)),
                           np.float32(6))
            inside = (t > 0) & (t < 6)
            assert np.array_equal(y, t / np.float32(6))
            assert np.array_equal(g, np.where(inside, w / np.float32(6), 0))
            r = np.float32(1 / 6)
            assert np.array_equal(f32(case["y_graph"]), t * r)
            assert np.array_equal(f32(case["grad_graph"]),
                                  np.where(inside, w * r, 0))
        assert ey < 2e-6 and eg < 2e-6, (case["name"], ey, eg)
        worst_y, worst_g = max(worst_y, ey), max(worst_g, eg)
        print(f"  {case['name']:<56} y {ey:.1e}  grad {eg:.1e}  "
              f"({int(keep.sum())} of {N_ACT})")
    print(f"  largest: y {worst_y:.2e}, grad {worst_g:.2e} "
          f"(max |diff| / max(1, |ref|), NumPy f64 vs TF f32)")
    print(f"  layers identical to the functions: "
          f"{len(data['layers_identical'])} of {len(ACTIVATION_LAYERS)}")


# ---------------------------------------------------------------------------
def generate(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    for fname, data, check, pack in (
            ("losses.json", gen_losses(), check_losses, False),
            ("optimizers.json", gen_optimizers(), check_optimizers, False),
            ("activations.json", gen_activations(), check_activations,
             True)):
        text = format_json(data, pack=pack) + "\n"
        back = json.loads(text)
        assert back == json.loads(json.dumps(data))
        print(f"{fname}:")
        check(back)
        (out_dir / fname).write_text(text, encoding="utf-8")
        print(f"  wrote {out_dir / fname} ({len(text.encode())} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir and compare byte for "
                         "byte with tests/fixtures/train/")
    args = ap.parse_args()
    for table in (LOSS_CASES, ACT_CASES, OPT_CASES, ACTIVATION_CASES):
        names = [c["name"] for c in table]
        assert len(set(names)) == len(names)
    assert keras.config.epsilon() == 1e-7
    assert keras.config.floatx() == "float32"
    if not args.check:
        generate(OUT_DIR)
        return
    tmp = Path(tempfile.mkdtemp())
    try:
        generate(tmp)
        bad = [p.name for p in sorted(tmp.iterdir())
               if p.read_bytes() != (OUT_DIR / p.name).read_bytes()]
        if bad:
            sys.exit(f"differ: {bad}")
        print("--check: all files identical")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
