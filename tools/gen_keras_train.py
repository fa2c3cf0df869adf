#!/usr/bin/env python3
"""Generate Keras 3 loss and optimizer fixtures for tinyrnn's training code.

Issue 16, first slice: training must match Keras 3's losses and optimizers
exactly.  This script uses real Keras 3 (TensorFlow backend) and writes

  tests/fixtures/train/losses.json      loss values and d loss / d y_pred
  tests/fixtures/train/optimizers.json  weights after each optimizer step

Every float in the fixtures is exactly a float32 value written as the
shortest Python float repr (it reads back to the same f64, hence the same
f32), except the `*_f64` reference fields, which are float64.

The output is deterministic: loss case i uses default_rng(BASE_SEED + i),
optimizer case j uses default_rng(BASE_SEED + 1000 + j), so appending a new
case at the end of a table never changes the earlier ones.  Before writing,
the script checks every case against a small independent NumPy
re-implementation (see check_losses / check_optimizers) and prints the
largest differences.

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
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402

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
    that fits in `width` columns stays on one line (as in
    gen_keras_files.py)."""
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
    items = [pad + format_json(v, indent + 1, width) for v in obj]
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


# ---------------------------------------------------------------------------
def generate(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    for fname, data, check in (("losses.json", gen_losses(), check_losses),
                               ("optimizers.json", gen_optimizers(),
                                check_optimizers)):
        text = format_json(data) + "\n"
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
    for table in (LOSS_CASES, ACT_CASES, OPT_CASES):
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
        print("--check: both files identical")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
