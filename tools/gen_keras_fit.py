#!/usr/bin/env python3
"""Generate Keras 3 `model.fit` fixtures for tinyrnn's training loop.

Issue 16: `fit` in Rust must end at the weights Keras's
`model.fit(xs, ys, epochs=E, batch_size=B, shuffle=False, verbose=0)` ends
at.  For each case in CASES this script builds a real Keras 3 Sequential
model (TensorFlow backend, `keras.Sequential([keras.Input((T, F)), ...])`,
as tools/gen_keras_grads.py does), fills every weight array with seeded
uniform(-0.5, 0.5) float32 values, draws N = 10 seeded samples xs [N][T][F]
(standard normal, float32) and targets ys [N] + output shape (0/1 labels for
binary crossentropy, one-hot rows for categorical crossentropy, standard
normal otherwise), then

    model.compile(optimizer=<fresh optimizer>, loss=<loss name>,
                  jit_compile=False)            # no metrics
    history = model.fit(xs, ys, epochs=E, batch_size=B, shuffle=False,
                        verbose=0, callbacks=[<recorder>])

and writes tests/fixtures/train/fit.json with, per case: `weights0` (the
initial get_weights(), flattened row-major and concatenated), `xs`, `ys`,
`loss`, `optimizer` (name and every hyper-parameter, Keras defaults filled
in), `epochs`, `batch_size`, `batch_sizes` (the batches of one epoch, in
order: shuffle=False slices xs in order, the last batch is the remainder),
`history_loss` (history.history["loss"]), `batch_losses` (the loss of every
batch, [epoch][batch]), `running_loss` (logs["loss"] as on_train_batch_end
sees it), `weights` (the final get_weights(), flattened),
`weights_after_each_batch` (get_weights() after every step, in order) and
`weights_after_first_batch` (a second fresh copy from weights0, compiled the
same way, one `train_on_batch(xs[:B], ys[:B])`: pins the first step alone).
Every float is exactly a float32 (float(np.float32(v))) except the
optimizer hyper-parameters and validation_split, which are as passed to
Keras.

Validation (cases 5 on; VALIDATION below): those cases carry
`validation_split` (the Python float passed as
`model.fit(..., validation_split=s)`; 0.0 = none), `n_train`,
`val_batch_sizes`, `val_batch_losses` ([epoch][validation batch]) and
`history_val_loss` (history.history["val_loss"]; [] when s is 0, where
Keras's history has no "val_loss" key at all).  Cases 0-4 predate it and
have none of these fields: ABSENT MEANS validation_split 0, no validation
(their bytes never change).  What Keras 3 does (read in
keras/src/backend/tensorflow/trainer.py fit / evaluate / test_step and
keras/src/trainers/data_adapters/array_slicing.py train_validation_split):
  * the split happens BEFORE any shuffling: fit trains on the first
    n_train = int(math.floor(n * (1.0 - s))) samples and validates with the
    last n - n_train, in their order (the script checks its count against
    train_validation_split itself).  The arithmetic is float64 on the
    Python float s: with n = 10, s = 0.2 gives 8 and s = 0.3 gives 7, but
    the same computation on the float32 nearest to s (widened to float64)
    gives 7 and 6 (0.2f32 = 0.200000003, 10 * (1 - that) = 7.99999997).
    split_at 0 or n raises a ValueError.
  * batch_sizes, weights_after_each_batch, running_loss, history_loss are
    those of the n_train training samples only.
  * after every epoch (validation_freq=1) fit runs evaluate() on the
    held-out samples, in batches of batch_size (validation_batch_size
    unset), in order, never shuffled, the last batch the remainder; its
    test_step is y_pred = model(x, training=False) (dropout off; no
    difference for these models) and the same compiled loss (from the
    logits after sigmoid / softmax); evaluate() first resets the loss
    tracker, then updates it per batch with sample_weight = the batch's
    size, so val_loss is the float32 size-weighted mean of the batch
    losses, exactly as the training loss.  It uses the weights after the
    epoch's last step.  fit hands its callbacks to that evaluate(), so a
    callback's on_test_batch_end sees the running validation loss.

What one step is (keras/src/backend/tensorflow/trainer.py, train_step):
  y_pred = model(x_batch, training=True)     (no dropout in these models)
  loss   = compile_loss(y_batch, y_pred)     the loss with reduction
           "sum_over_batch_size": the mean over every output value of the
           batch (BCE: mean over units, then over samples and timesteps;
           CCE: sum over classes, then mean over samples)
  grads  = d loss / d trainable_weights      (so the MEAN gradient over the
           batch's samples; the 2-sample last batch is averaged over 2)
  optimizer.apply_gradients(zip(grads, trainable_weights))
The crossentropies after a Dense with a sigmoid / softmax activation are
computed from the logits (see tools/gen_keras_grads.py and
gen_keras_train.py): `loss_path` "logits".  The optimizer update rules,
op by op in float32, are in the docstring of tools/gen_keras_train.py.

How Keras computes the epoch's "loss" (EPOCH_LOSS below; read in
keras/src/trainers/trainer.py compile(): `self._loss_tracker =
metrics_module.Mean(name="loss")`, the TF train_step above:
`self._loss_tracker.update_state(loss, sample_weight=tf.shape(x)[0])`, and
keras/src/metrics/reduction_metrics.py Mean): fit() calls reset_metrics()
at the start of every epoch (total = count = 0); after each batch b, in
float32,
    total = total + loss_b * n_b      (n_b = the batch's number of samples)
    count = count + n_b
and logs["loss"] = total / count (divide_no_nan).  So the epoch's loss is
the mean over batches WEIGHTED BY EACH BATCH'S SIZE (= the mean over
samples, since each batch loss is a mean over its samples), not the plain
mean of the batch losses; and the logs a callback's on_train_batch_end
receives are this RUNNING weighted mean, not the batch's own loss (only
batch 0's log equals its batch loss).  history.history["loss"][e] is the
last running value of epoch e.  The script checks this bit for bit: the
batch losses come from the replay below (the same train step by hand), the
float32 accumulation above reproduces the recorder's `total` / `count`
variables after every batch, the running logs and history_loss exactly;
the plain mean of the batch losses differs (asserted, so a wrong formula
fails a test).

XLA: with jit_compile="auto" (compile's default) Keras 3 on the TensorFlow
backend turns XLA OFF when TensorFlow sees no device other than the CPU
(Trainer._resolve_auto_jit_compile), so fit() runs the train step as a
plain tf.function on the CPU.  The stored results come from
jit_compile=False, passed explicitly (for reproducibility on machines that
have a GPU; this script hides any GPU from TensorFlow), and the script
checks that the "auto" default resolves to False here and gives the same
bits.  It also runs jit_compile=True once per case and records in
`xla_vs_stored` how far XLA's weights are (not stored: XLA fuses and
reorders float32 ops).  The whole fit runs twice and must give the same
bits.

Checks (replays):
  * TensorFlow by hand: a fresh model from weights0 and a fresh optimizer;
    per batch, in a tf.function (as fit runs it), a GradientTape over
    loss_fn(y_b, model(x_b, training=True)), then
    optimizer.apply_gradients: must reproduce every step's weights bit for
    bit (`replay_same_bits`).  Its batch losses are the stored
    `batch_losses`.
    After each epoch the same replay runs Keras's test step by hand
    (loss_fn(y_b, model(x_b, training=False)) in a tf.function) on every
    validation batch: those are the stored `val_batch_losses`, and their
    float32 size-weighted mean must equal, bit for bit, the validation
    tracker's total / count after every validation batch (recorded by the
    callback) and history_val_loss.
  * NumPy float64, independent of TensorFlow: SimpleRNN (tanh), LSTM
    (tanh, sigmoid gates i, f, c, o) or GRU (tanh, sigmoid gates z, r, h,
    reset_after=True), h0 = c0 = 0, Dense, the four losses (crossentropies
    from the logits), back propagation through time (checked against
    central finite differences on the first batch), the mean gradient of
    each batch, SGD / nesterov / Adam in Keras's form, the size-weighted
    epoch loss, and each epoch's validation loss (with the weights after
    the epoch: the mean loss of each validation batch, then their mean
    weighted by batch size); compared to the stored float32 results
    (printed; max |diff| / max(1, |w|); must be under 1e-4, relative for
    the losses).

Case i uses numpy.random.default_rng(BASE_SEED + SEED_OFFSET + i) =
default_rng(20261129 + 4000 + i), drawn in this order: every weight array in
model.weights order, then xs, then ys; keras.utils.set_random_seed(same)
before every model build.  Append new cases at the end.

Run from anywhere:  python3 tools/gen_keras_fit.py [--check]
(--check regenerates into a temp dir and compares byte for byte.)
CI never runs this script; the generated JSON is committed.
"""

import os

# Must be set before TensorFlow / Keras are imported.  No GPU: the fixtures
# are the CPU results (see XLA above).
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ["CUDA_VISIBLE_DEVICES"] = "-1"

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import shutil  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_keras_grads import (  # noqa: E402
    BCE, CCE, MAE, MSE, f32list, flat, format_json, make_target, max_ulps,
    var_path)
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers as L  # noqa: E402
from keras.src.losses import LossFunctionWrapper  # noqa: E402
from keras.src.trainers.data_adapters.array_slicing import (  # noqa: E402
    train_validation_split)

tf.get_logger().setLevel("ERROR")

BASE_SEED = 20261129
SEED_OFFSET = 4000
WEIGHT_RANGE = 0.5
N_SAMPLES = 10

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_FILE = "fit.json"
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "train"

EPOCH_LOSS = (
    "mean over the epoch's batches weighted by each batch's number of "
    "samples: Keras's loss tracker is a keras.metrics.Mean updated after "
    "every batch with sample_weight = batch size, in float32: total += "
    "loss_b * n_b; count += n_b; logs['loss'] = total / count; reset at "
    "the start of each epoch. history.history['loss'][e] is its value after "
    "the epoch's last batch; logs['loss'] in on_train_batch_end is the "
    "running value (running_loss), not the batch's own loss (batch_losses)")

VALIDATION = (
    "cases without a validation_split field (0-4) have validation_split 0 "
    "and no validation. With validation_split s > 0, fit(..., "
    "validation_split=s) trains on the first n_train = floor(n_samples * "
    "(1.0 - s)) samples (float64 arithmetic on the Python float s, as "
    "Keras's train_validation_split; batch_sizes are that part's batches) "
    "and after every epoch runs evaluate() on the last n_samples - n_train "
    "samples in order, in batches of batch_size (val_batch_sizes; the last "
    "one the remainder): per batch the loss (reduction sum_over_batch_size) "
    "of model(x_batch, training=False), with the weights after the epoch's "
    "last step (val_batch_losses [epoch][batch]); history_val_loss[e] is "
    "their mean weighted by the batches' sizes, accumulated in float32 "
    "exactly as epoch_loss (Keras's loss tracker, reset by evaluate()). "
    "validation_split 0.0 in a case: no validation, history_val_loss []")

SEED_DSL = "input [6, 3]; simple_rnn(2); dense(1);"
LSTM_DSL = "input [5, 3]; lstm(3); dense(1);"
GRU_DSL = "input [5, 2]; gru(3); dense(2, activation = softmax);"


def seed_layers():
    return [lambda: L.SimpleRNN(2), lambda: L.Dense(1)]


def case(name, dsl, T, F, layers, loss, optimizer, epochs=3, batch_size=4,
         validation_split=None):
    """optimizer: (name, kwargs as passed to Keras).  validation_split: None
    for cases 0-4 (written before validation existed: no validation fields
    in their JSON, so their bytes never change), else the float passed to
    fit (0.0: no validation, fields written anyway)."""
    c = {"name": name, "dsl": dsl, "T": T, "F": F, "layers": layers,
         "loss": loss, "optimizer": optimizer, "epochs": epochs,
         "batch_size": batch_size}
    if validation_split is not None:
        c["validation_split"] = validation_split
    return c


def split_of(c):
    return c.get("validation_split") or 0.0


# ---------------------------------------------------------------------------
# Case table.  Append new cases at the end (seeds are by index).
# ---------------------------------------------------------------------------
CASES = [
    case("seed_sgd", SEED_DSL, 6, 3, seed_layers(), MSE,
         ("sgd", dict(learning_rate=0.05))),
    case("seed_sgd_nesterov", SEED_DSL, 6, 3, seed_layers(), MSE,
         ("sgd", dict(learning_rate=0.05, momentum=0.9, nesterov=True))),
    case("seed_adam", SEED_DSL, 6, 3, seed_layers(), MSE,
         ("adam", dict(learning_rate=0.01))),
    case("sequence_sigmoid_bce",
         "input [5, 2]; simple_rnn(3, return_sequences = true); "
         "dense(2, activation = sigmoid);", 5, 2,
         [lambda: L.SimpleRNN(3, return_sequences=True),
          lambda: L.Dense(2, activation="sigmoid")],
         BCE, ("adam", dict(learning_rate=0.01)), epochs=4),
    case("softmax_cce_momentum",
         "input [4, 3]; simple_rnn(4); dense(3, activation = softmax);",
         4, 3,
         [lambda: L.SimpleRNN(4), lambda: L.Dense(3, activation="softmax")],
         CCE, ("sgd", dict(learning_rate=0.1, momentum=0.5)), batch_size=3),
    # 5-9: validation_split (history_val_loss), and LSTM / GRU.
    case("seed_sgd_validation", SEED_DSL, 6, 3, seed_layers(), MSE,
         ("sgd", dict(learning_rate=0.05)), batch_size=2,
         validation_split=0.25),
    case("lstm_adam_validation", LSTM_DSL, 5, 3,
         [lambda: L.LSTM(3), lambda: L.Dense(1)],
         MSE, ("adam", dict(learning_rate=0.01)), batch_size=3,
         validation_split=0.2),
    case("gru_softmax_cce_momentum_validation", GRU_DSL, 5, 2,
         [lambda: L.GRU(3), lambda: L.Dense(2, activation="softmax")],
         CCE, ("sgd", dict(learning_rate=0.1, momentum=0.9)), batch_size=2,
         validation_split=0.3),
    case("lstm_adam", LSTM_DSL, 5, 3,
         [lambda: L.LSTM(3), lambda: L.Dense(1)],
         MSE, ("adam", dict(learning_rate=0.01)), validation_split=0.0),
    case("gru_softmax_cce_adam", GRU_DSL, 5, 2,
         [lambda: L.GRU(3), lambda: L.Dense(2, activation="softmax")],
         CCE, ("adam", dict(learning_rate=0.01)), batch_size=3,
         validation_split=0.0),
]


# ---------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------
def make_optimizer(c):
    name, kw = c["optimizer"]
    cls = {"sgd": keras.optimizers.SGD, "adam": keras.optimizers.Adam}
    return cls[name](**kw)


def hyper_params(c):
    """Name and every hyper-parameter (Keras's defaults filled in), as in
    tools/gen_keras_train.py's optimizers.json."""
    name, kw = c["optimizer"]
    keras.backend.clear_session()  # the optimizer's name from scratch
    cfg = make_optimizer(c).get_config()
    assert cfg["name"] == name, cfg
    keys = ["learning_rate", "momentum", "nesterov"] if name == "sgd" \
        else ["learning_rate", "beta_1", "beta_2", "epsilon", "amsgrad"]
    out = {"name": name}
    for k in keys:
        out[k] = kw.get(k, cfg[k])
        if k != "learning_rate":
            assert out[k] == cfg[k], (k, out[k], cfg[k])
    assert cfg["learning_rate"] == float(np.float32(out["learning_rate"]))
    for k in ("weight_decay", "clipnorm", "global_clipnorm", "clipvalue",
              "loss_scale_factor", "gradient_accumulation_steps"):
        assert cfg[k] is None, (k, cfg[k])
    assert cfg["use_ema"] is False
    assert name != "adam" or out["amsgrad"] is False
    return out


def build(c, w0, seed):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((c["T"], c["F"]))]
                             + [mk() for mk in c["layers"]])
    if w0 is not None:
        model.set_weights(w0)
    return model


class Recorder(keras.callbacks.Callback):
    """After every batch: logs["loss"], the loss tracker's total and count,
    and the weights.  After every validation batch (fit passes its callbacks
    to the evaluate() it runs after each epoch): the same, in test_*."""

    def __init__(self):
        super().__init__()
        self.logs, self.totals, self.counts, self.weights = [], [], [], []
        self.epoch_starts = []
        self.test_logs, self.test_totals, self.test_counts = [], [], []
        self.test_starts, self.test_weights = [], []

    def on_test_begin(self, logs=None):
        self.test_starts.append(len(self.test_logs))
        self.test_weights.append(flat(self.model.get_weights(), np.float32))

    def on_test_batch_end(self, batch, logs=None):
        self.test_logs.append(np.float32(logs["loss"]))
        tracker = self.model._loss_tracker
        self.test_totals.append(tracker.total.numpy())
        self.test_counts.append(tracker.count.numpy())

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_starts.append(len(self.logs))

    def on_train_batch_end(self, batch, logs=None):
        self.logs.append(np.float32(logs["loss"]))
        tracker = self.model._loss_tracker
        self.totals.append(tracker.total.numpy())
        self.counts.append(tracker.count.numpy())
        self.weights.append(flat(self.model.get_weights(), np.float32))


def run_fit(c, w0, xs, ys, seed, jit_compile):
    model = build(c, w0, seed)
    kw = {} if jit_compile == "default" else {"jit_compile": jit_compile}
    model.compile(optimizer=make_optimizer(c), loss=c["loss"], **kw)
    resolved = model.jit_compile
    rec = Recorder()
    split = split_of(c)
    # validation_split only where a case has one (the old cases' calls stay
    # as they were; 0.0 is fit's default anyway).
    vkw = {"validation_split": split} if split else {}
    history = model.fit(xs, ys, epochs=c["epochs"],
                        batch_size=c["batch_size"], shuffle=False, verbose=0,
                        callbacks=[rec], **vkw)
    want = ["loss", "val_loss"] if split else ["loss"]
    assert list(history.history) == want, history.history.keys()
    hist = np.asarray(history.history["loss"], np.float32)
    val = np.asarray(history.history["val_loss"], np.float32) if split \
        else np.zeros(0, np.float32)
    return {"model": model, "jit_compile": resolved, "history": hist,
            "val_history": val, "rec": rec,
            "weights": flat(model.get_weights(), np.float32)}


def train_on_batch(c, w0, xs, ys, seed):
    model = build(c, w0, seed)
    model.compile(optimizer=make_optimizer(c), loss=c["loss"],
                  jit_compile=False)
    B = c["batch_size"]
    loss = model.train_on_batch(xs[:B], ys[:B])
    return np.float32(loss), flat(model.get_weights(), np.float32)


def tf_replay(c, w0, xs, ys, seed, batches, val_batches):
    """The train step by hand: GradientTape + apply_gradients per batch, in
    a tf.function; after each epoch, Keras's test step by hand on every
    validation batch (loss_fn(y_b, model(x_b, training=False)), another
    tf.function).  Returns (batch losses [epoch][batch], weights after each
    step, validation batch losses [epoch][validation batch])."""
    model = build(c, w0, seed)
    opt = make_optimizer(c)
    # The loss object compile() makes of the name (compile_utils.get_loss):
    # the function wrapped with reduction "sum_over_batch_size".
    loss_fn = LossFunctionWrapper(keras.losses.get(c["loss"]),
                                  name=c["loss"])
    weights = model.trainable_weights
    opt.build(weights)

    @tf.function(reduce_retracing=True)
    def step(x, y):
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            loss = loss_fn(y, y_pred)
        grads = tape.gradient(loss, weights)
        opt.apply_gradients(zip(grads, weights))
        return loss

    @tf.function(reduce_retracing=True)
    def test_step(x, y):
        return loss_fn(y, model(x, training=False))

    losses, steps, val_losses = [], [], []
    for _ in range(c["epochs"]):
        row = []
        for lo, hi in batches:
            row.append(step(tf.constant(xs[lo:hi]),
                            tf.constant(ys[lo:hi])).numpy())
            steps.append(flat(model.get_weights(), np.float32))
        losses.append(row)
        val_losses.append([test_step(tf.constant(xs[lo:hi]),
                                     tf.constant(ys[lo:hi])).numpy()
                           for lo, hi in val_batches])
    return (np.asarray(losses, np.float32), steps,
            np.asarray(val_losses, np.float32).reshape(c["epochs"],
                                                       len(val_batches)))


def loss_path(c, model, xs):
    if c["loss"] not in (BCE, CCE):
        return "output"
    out = model(tf.constant(xs[:2]), training=True)
    assert hasattr(out, "_keras_logits"), c["name"]
    return "logits"


# ---------------------------------------------------------------------------
# NumPy float64 replay (independent of TensorFlow)
# ---------------------------------------------------------------------------
def np_structure(c):
    """(recurrent kind, Dense activation name, return_sequences) of the
    models this replay knows: one SimpleRNN (tanh), LSTM (tanh, sigmoid
    gates) or GRU (tanh, sigmoid gates, reset_after=True), with bias, no
    dropout, forwards, then a Dense with bias."""
    keras.backend.clear_session()
    rnn, dense = [mk() for mk in c["layers"]]
    assert isinstance(dense, L.Dense) and dense.use_bias
    assert not rnn.go_backwards and rnn.cell.use_bias
    assert rnn.cell.activation.__name__ == "tanh"
    if isinstance(rnn, L.SimpleRNN):
        kind = "simple_rnn"
    elif isinstance(rnn, L.LSTM):
        kind = "lstm"
    else:
        assert isinstance(rnn, L.GRU) and rnn.cell.reset_after
        kind = "gru"
    if kind != "simple_rnn":
        assert rnn.cell.recurrent_activation.__name__ == "sigmoid"
        assert rnn.cell.dropout == 0 and rnn.cell.recurrent_dropout == 0
    return kind, dense.activation.__name__, rnn.return_sequences


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def np_rnn_forward(kind, ws, x):
    """The recurrent layer, float64, h0 = c0 = 0.  ws = its [kernel,
    recurrent_kernel, bias] in Keras's layout (gates i, f, c, o for LSTM,
    z, r, h for GRU; the GRU bias is [2][3U]: input row, recurrent row).
    Returns (H [B][T][U], per-step cache)."""
    K, R, b = ws
    B, T, _ = x.shape
    U = R.shape[0]
    h, cs, cache, H = np.zeros((B, U)), np.zeros((B, U)), [], []
    for t in range(T):
        if kind == "simple_rnn":
            hn = np.tanh(x[:, t] @ K + h @ R + b)
            cache.append((h, hn))
        elif kind == "lstm":
            a = x[:, t] @ K + h @ R + b
            i, f = sigmoid(a[:, :U]), sigmoid(a[:, U:2 * U])
            g, o = np.tanh(a[:, 2 * U:3 * U]), sigmoid(a[:, 3 * U:])
            cn = f * cs + i * g
            hn = o * np.tanh(cn)
            cache.append((h, cs, i, f, g, o, cn))
            cs = cn
        else:
            xm = x[:, t] @ K + b[0]
            im = h @ R + b[1]
            z = sigmoid(xm[:, :U] + im[:, :U])
            r = sigmoid(xm[:, U:2 * U] + im[:, U:2 * U])
            hh = np.tanh(xm[:, 2 * U:] + r * im[:, 2 * U:])
            hn = z * h + (1 - z) * hh
            cache.append((h, z, r, hh, im))
        h = hn
        H.append(h)
    return np.stack(H, axis=1), cache


def np_rnn_backward(kind, ws, x, cache, dH):
    """Back propagation through time: the gradients of [kernel,
    recurrent_kernel, bias] given dH = d loss / d H [B][T][U]."""
    K, R, b = ws
    B, T, _ = x.shape
    U = R.shape[0]
    gK, gR, gb = np.zeros_like(K), np.zeros_like(R), np.zeros_like(b)
    dh, dc = np.zeros((B, U)), np.zeros((B, U))
    for t in reversed(range(T)):
        dh = dh + dH[:, t]
        if kind == "simple_rnn":
            hp, hn = cache[t]
            da = dh * (1 - hn ** 2)
            gK += x[:, t].T @ da
            gR += hp.T @ da
            gb += da.sum(axis=0)
            dh = da @ R.T
        elif kind == "lstm":
            hp, cp, i, f, g, o, cn = cache[t]
            tc = np.tanh(cn)
            do = dh * tc
            dc = dc + dh * o * (1 - tc ** 2)
            da = np.concatenate([dc * g * i * (1 - i),
                                 dc * cp * f * (1 - f),
                                 dc * i * (1 - g ** 2),
                                 do * o * (1 - o)], axis=1)
            dc = dc * f
            gK += x[:, t].T @ da
            gR += hp.T @ da
            gb += da.sum(axis=0)
            dh = da @ R.T
        else:
            hp, z, r, hh, im = cache[t]
            dz = dh * (hp - hh) * z * (1 - z)
            dah = dh * (1 - z) * (1 - hh ** 2)
            dr = dah * im[:, 2 * U:] * r * (1 - r)
            dxm = np.concatenate([dz, dr, dah], axis=1)
            dim = np.concatenate([dz, dr, dah * r], axis=1)
            gK += x[:, t].T @ dxm
            gR += hp.T @ dim
            gb[0] += dxm.sum(axis=0)
            gb[1] += dim.sum(axis=0)
            dh = dh * z + dim @ R.T
    return [gK, gR, gb]


def np_forward_backward(c, ws, x, y, st):
    """The recurrent layer then Dense, float64.  ws = [K, R, b, Kd, bd],
    st = np_structure(c).  Returns (loss, grads) for the batch x [B][T][F],
    y."""
    kind, act, seq = st
    Kd, bd = ws[3], ws[4]
    H, cache = np_rnn_forward(kind, ws[:3], x)          # [B][T][U]
    U = H.shape[-1]
    top = H if seq else H[:, -1]
    z = top @ Kd + bd
    n = z.size // z.shape[-1]                          # samples x timesteps
    if c["loss"] == MSE:
        assert act == "linear"
        loss, dz = np.mean((z - y) ** 2), 2 * (z - y) / z.size
    elif c["loss"] == MAE:
        assert act == "linear"
        loss, dz = np.mean(np.abs(z - y)), np.sign(z - y) / z.size
    elif c["loss"] == BCE:
        assert act == "sigmoid"
        per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        loss = np.mean(per)
        dz = (1 / (1 + np.exp(-z)) - y) / z.size
    else:
        assert act == "softmax" and c["loss"] == CCE
        zm = z - z.max(axis=-1, keepdims=True)
        lse = np.log(np.exp(zm).sum(axis=-1, keepdims=True))
        loss = np.mean(np.sum(y * (lse - zm), axis=-1))
        dz = (np.exp(zm - lse) - y) / n
    gKd = top.reshape(-1, U).T @ dz.reshape(-1, dz.shape[-1])
    gbd = dz.reshape(-1, dz.shape[-1]).sum(axis=0)
    dtop = dz @ Kd.T
    dH = dtop if seq else np.zeros_like(H)
    if not seq:
        dH[:, -1] = dtop
    return loss, np_rnn_backward(kind, ws[:3], x, cache, dH) + [gKd, gbd]


def np_gradient_check(c, w0, xs, ys, B):
    """The float64 gradient of the first batch from weights0 against
    central finite differences (step 1e-6): the largest |diff| / max(1,
    |g|)."""
    st = np_structure(c)
    ws = [a.astype(np.float64) for a in w0]
    x, y = xs[:B].astype(np.float64), ys[:B].astype(np.float64)
    _, grads = np_forward_backward(c, ws, x, y, st)
    worst = 0.0
    for k, g in enumerate(grads):
        for idx in np.ndindex(g.shape):
            keep = ws[k][idx]
            ws[k][idx] = keep + 1e-6
            up, _ = np_forward_backward(c, ws, x, y, st)
            ws[k][idx] = keep - 1e-6
            down, _ = np_forward_backward(c, ws, x, y, st)
            ws[k][idx] = keep
            fd = (up - down) / 2e-6
            worst = max(worst, abs(fd - g[idx]) / max(1.0, abs(g[idx])))
    return worst


def np_replay(c, w0, xs, ys, batches, val_batches):
    """Float64 training: returns (epoch losses, epoch validation losses,
    final weights flattened).  The validation loss of an epoch: with the
    weights after its last step, the loss (a mean) of each validation batch,
    then their mean weighted by the batches' sizes."""
    opt = hyper_params(c)
    st = np_structure(c)
    ws = [a.astype(np.float64) for a in w0]
    m = [np.zeros_like(a) for a in ws]
    v = [np.zeros_like(a) for a in ws]
    xs, ys = xs.astype(np.float64), ys.astype(np.float64)
    n_train = batches[-1][1]
    t, epoch_losses, val_losses = 0, [], []
    for _ in range(c["epochs"]):
        total = 0.0
        for lo, hi in batches:
            loss, grads = np_forward_backward(c, ws, xs[lo:hi], ys[lo:hi],
                                              st)
            total += loss * (hi - lo)
            t += 1
            lr = opt["learning_rate"]
            for k, g in enumerate(grads):
                if opt["name"] == "sgd":
                    mu = opt["momentum"]
                    if mu == 0:
                        ws[k] = ws[k] - lr * g
                        continue
                    m[k] = mu * m[k] - lr * g
                    ws[k] = ws[k] + (mu * m[k] - lr * g if opt["nesterov"]
                                     else m[k])
                else:
                    b1, b2 = opt["beta_1"], opt["beta_2"]
                    alpha = lr * np.sqrt(1 - b2 ** t) / (1 - b1 ** t)
                    m[k] = m[k] + (g - m[k]) * (1 - b1)
                    v[k] = v[k] + (g * g - v[k]) * (1 - b2)
                    ws[k] = ws[k] - m[k] * alpha / (np.sqrt(v[k])
                                                     + opt["epsilon"])
        epoch_losses.append(total / n_train)
        if val_batches:
            vt = sum(np_forward_backward(c, ws, xs[lo:hi], ys[lo:hi], st)[0]
                     * (hi - lo) for lo, hi in val_batches)
            val_losses.append(vt / (val_batches[-1][1] - val_batches[0][0]))
    return (np.asarray(epoch_losses), np.asarray(val_losses),
            flat(ws, np.float64))


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def split_count(n, split):
    """The number of samples fit trains on: Keras's train_validation_split
    (keras/src/trainers/data_adapters/array_slicing.py) keeps the first
    int(math.floor(n * (1.0 - split))), in float64, and validates with the
    rest; checked against that function."""
    if not split:
        return n
    k = int(math.floor(n * (1.0 - split)))
    tr, va = train_validation_split((np.arange(n),), validation_split=split)
    assert list(tr[0]) == list(range(k)) and list(va[0]) == \
        list(range(k, n)), (n, split)
    assert 0 < k < n
    return k


def epoch_loss_f32(batch_losses, sizes):
    """Keras's Mean tracker in float32, step by step: (running values,
    totals, counts) for one epoch."""
    total, count = np.float32(0), np.float32(0)
    running, totals, counts = [], [], []
    for loss, n in zip(batch_losses, sizes):
        total = np.float32(total + np.float32(np.float32(loss)
                                              * np.float32(n)))
        count = np.float32(count + np.float32(n))
        totals.append(total)
        counts.append(count)
        running.append(np.float32(total / count))
    return running, totals, counts


def gen_case(index, c):
    seed = BASE_SEED + SEED_OFFSET + index
    rng = np.random.default_rng(seed)
    model = build(c, None, seed)
    assert not model.non_trainable_weights, c["name"]
    assert [v.path for v in model.trainable_weights] == \
        [v.path for v in model.weights], c["name"]
    w0 = [rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=tuple(v.shape))
          .astype(np.float32) for v in model.weights]
    names = [var_path(v) for v in model.weights]
    shapes = [list(v.shape) for v in model.weights]
    xs = rng.standard_normal((N_SAMPLES, c["T"], c["F"])).astype(np.float32)
    out_shape = tuple(model.output_shape[1:])
    ys = make_target(rng, c["loss"], (N_SAMPLES,) + out_shape)
    model.set_weights(w0)
    path = loss_path(c, model, xs)
    W0 = flat(w0, np.float32)

    B, E = c["batch_size"], c["epochs"]
    split = split_of(c)
    n_train = split_count(N_SAMPLES, split)
    batches = [(lo, min(lo + B, n_train)) for lo in range(0, n_train, B)]
    sizes = [hi - lo for lo, hi in batches]
    nb = len(batches)
    val_batches = [(lo, min(lo + B, N_SAMPLES))
                   for lo in range(n_train, N_SAMPLES, B)]
    val_sizes = [hi - lo for lo, hi in val_batches]
    nvb = len(val_batches)

    fit = run_fit(c, w0, xs, ys, seed, False)
    assert fit["jit_compile"] is False
    rec = fit["rec"]
    assert rec.epoch_starts == [e * nb for e in range(E)], rec.epoch_starts
    assert rec.test_starts == [e * nvb for e in range(E if split else 0)], \
        rec.test_starts
    assert len(rec.test_logs) == E * nvb and len(fit["val_history"]) == \
        (E if split else 0)
    # Each epoch's evaluate() sees the weights after the epoch's last step.
    assert all(a.tobytes() == rec.weights[(e + 1) * nb - 1].tobytes()
               for e, a in enumerate(rec.test_weights))
    assert np.isfinite(fit["val_history"]).all()
    assert len(rec.weights) == E * nb
    assert rec.weights[-1].tobytes() == fit["weights"].tobytes()
    assert all(np.isfinite(w).all() for w in rec.weights)
    assert np.isfinite(fit["history"]).all()
    for w in rec.weights:      # every step changes the weights
        assert not np.array_equal(w, W0)

    # Deterministic: the same fit again, and the compile default ("auto").
    again = run_fit(c, w0, xs, ys, seed, False)
    auto = run_fit(c, w0, xs, ys, seed, "default")
    assert auto["jit_compile"] is False, auto["jit_compile"]
    for other in (again, auto):
        assert other["weights"].tobytes() == fit["weights"].tobytes()
        assert other["history"].tobytes() == fit["history"].tobytes()
        assert other["val_history"].tobytes() == \
            fit["val_history"].tobytes()
        assert all(a.tobytes() == b.tobytes()
                   for a, b in zip(other["rec"].weights, rec.weights))

    # XLA, for information only.
    try:
        xla = run_fit(c, w0, xs, ys, seed, True)
        assert xla["jit_compile"] is True
        xw = xla["weights"]
        xla_note = {
            "ran": True,
            "weights_differing": int(np.sum(xw != fit["weights"])),
            "max_ulps": max_ulps(xw, fit["weights"]),
            "max_abs_diff": f32list(np.max(np.abs(xw - fit["weights"]))),
            "history_loss_same_bits":
                xla["history"].tobytes() == fit["history"].tobytes(),
        }
        if split:
            xla_note["history_val_loss_same_bits"] = \
                xla["val_history"].tobytes() == fit["val_history"].tobytes()
    except Exception as exc:  # pragma: no cover - depends on the TF build
        xla_note = {"ran": False, "error": f"{type(exc).__name__}"}

    # The first step alone, from weights0.
    tob_loss, tob_w = train_on_batch(c, w0, xs, ys, seed)
    assert tob_w.tobytes() == rec.weights[0].tobytes(), c["name"]
    assert tob_loss == rec.logs[0]

    # Replay by hand; it gives the batch losses.
    batch_losses, steps, val_batch_losses = tf_replay(
        c, w0, xs, ys, seed, batches, val_batches)
    replay_same = all(a.tobytes() == b.tobytes()
                      for a, b in zip(steps, rec.weights))
    replay_max_ulps = max(max_ulps(a, b) for a, b in zip(steps, rec.weights))
    assert replay_same, (c["name"], replay_max_ulps)

    # The epoch loss: Keras's Mean tracker, bit for bit.
    running_all = []
    for e in range(E):
        running, totals, counts = epoch_loss_f32(batch_losses[e], sizes)
        k = e * nb
        for j in range(nb):
            assert rec.totals[k + j] == totals[j], (c["name"], e, j)
            assert rec.counts[k + j] == counts[j], (c["name"], e, j)
            assert rec.logs[k + j] == running[j], (c["name"], e, j)
        assert running[-1] == fit["history"][e]
        assert running[0] == batch_losses[e][0]
        plain = np.float32(np.mean(batch_losses[e].astype(np.float64)))
        assert abs(float(plain) - float(running[-1])) > 1e-6, \
            (c["name"], e, plain, running[-1])
        running_all.append(running)

    # The validation loss: evaluate()'s Mean tracker (reset by evaluate),
    # the same formula over the validation batches, bit for bit.
    for e in range(E if split else 0):
        running, totals, counts = epoch_loss_f32(val_batch_losses[e],
                                                 val_sizes)
        k = e * nvb
        for j in range(nvb):
            assert rec.test_totals[k + j] == totals[j], (c["name"], e, j)
            assert rec.test_counts[k + j] == counts[j], (c["name"], e, j)
            assert rec.test_logs[k + j] == running[j], (c["name"], e, j)
        assert running[-1] == fit["val_history"][e], (c["name"], e)
        if len(set(val_sizes)) > 1:
            plain = np.float32(np.mean(val_batch_losses[e].astype(
                np.float64)))
            assert abs(float(plain) - float(running[-1])) > 1e-6, \
                (c["name"], e, plain, running[-1])

    # NumPy float64 replay.
    np_loss, np_val, np_w = np_replay(c, w0, xs, ys, batches, val_batches)
    fd = np_gradient_check(c, w0, xs, ys, B)
    assert fd < 1e-6, (c["name"], fd)
    stats = {
        "name": c["name"],
        "n": int(W0.size),
        "steps": E * nb,
        "np_w": float(np.max(np.abs(np_w - fit["weights"])
                             / np.maximum(1, np.abs(np_w)))),
        "np_loss": float(np.max(np.abs(np_loss - fit["history"])
                                / np.abs(np_loss))),
        "np_val": float(np.max(np.abs(np_val - fit["val_history"])
                               / np.abs(np_val))) if split else None,
        "fd": fd,
        "moved": float(np.max(np.abs(fit["weights"] - W0))),
        "xla": xla_note,
        "replay_max_ulps": replay_max_ulps,
    }
    assert stats["np_w"] < 1e-4 and stats["np_loss"] < 1e-4, stats
    assert not split or stats["np_val"] < 1e-4, stats

    rec_json = {
        "name": c["name"],
        "dsl": c["dsl"],
        "seed": seed,
        "input_shape": [c["T"], c["F"]],
        "output_shape": list(out_shape),
        "weight_names": names,
        "weight_shapes": shapes,
        "loss": c["loss"],
        "loss_path": path,
        "optimizer": hyper_params(c),
        "epochs": E,
        "batch_size": B,
        "n_samples": N_SAMPLES,
        "batch_sizes": sizes,
        "weights0": f32list(W0),
        "xs": f32list(xs),
        "ys": f32list(ys),
        "history_loss": f32list(fit["history"]),
        "batch_losses": f32list(batch_losses),
        "running_loss": f32list(np.asarray(running_all, np.float32)),
        "weights": f32list(fit["weights"]),
        "weights_after_first_batch": f32list(tob_w),
        "weights_after_each_batch": f32list(np.stack(rec.weights)),
        "xla_vs_stored": xla_note,
    }
    if "validation_split" in c:
        # Cases 5 on (absent from cases 0-4: validation_split 0, no
        # validation).  batch_sizes above are then the training part's.
        rec_json.update({
            "validation_split": split,
            "n_train": n_train,
            "val_batch_sizes": val_sizes,
            "val_batch_losses": f32list(val_batch_losses) if split else [],
            "history_val_loss": f32list(fit["val_history"]),
        })
    return rec_json, stats


def generate(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    cases, stats = [], []
    for i, c in enumerate(CASES):
        rec, st = gen_case(i, c)
        cases.append(rec)
        stats.append(st)
    data = {
        "generator": "tools/gen_keras_fit.py",
        "what": "Keras 3 model.fit(xs, ys, epochs, batch_size, shuffle=False, "
                "verbose=0) after compile(optimizer, loss, jit_compile=False) "
                "(no metrics), from weights0; weights flattened row-major and "
                "concatenated in model.get_weights() order; float32",
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "backend": keras.backend.backend(),
        "device": "CPU",
        "seed": BASE_SEED + SEED_OFFSET,
        "weight_range": [-WEIGHT_RANGE, WEIGHT_RANGE],
        "shuffle": False,
        "step": "per batch: loss = the loss (reduction sum_over_batch_size) "
                "of model(x_batch, training=True); grads = d loss / d "
                "weights (the mean gradient over the batch's samples); one "
                "optimizer.apply_gradients; the last batch holds the "
                "remaining samples",
        "epoch_loss": EPOCH_LOSS,
        "validation": VALIDATION,
        "jit_compile": {
            "stored": False,
            "auto_resolves_to": False,
            "note": "compile's default jit_compile='auto' turns XLA off when "
                    "TensorFlow sees only the CPU (same bits as the stored "
                    "jit_compile=False); xla_vs_stored in each case compares "
                    "a jit_compile=True run, not stored",
        },
        "replay_same_bits": True,
        "cases": cases,
    }
    text = format_json(data) + "\n"
    back = json.loads(text)
    assert back == json.loads(json.dumps(data))
    for rec in back["cases"]:
        for key in ("weights0", "xs", "ys", "history_loss", "batch_losses",
                    "running_loss", "weights", "weights_after_first_batch",
                    "weights_after_each_batch", "val_batch_losses",
                    "history_val_loss"):
            if key not in rec:
                continue
            a = np.asarray(rec[key], dtype=np.float64)
            assert np.array_equal(a.astype(np.float32).astype(np.float64), a)
    print("fit.json:")
    print(f"  {'case':<35} {'n':>3} {'steps':>5}  {'moved':>7}  "
          f"{'f64 w':>8}  {'f64 loss':>8}  {'f64 val':>8}  {'fd':>8}  "
          f"replay  xla (differing, ulp)")
    for s in stats:
        x = s["xla"]
        xs = (f"{x['weights_differing']}/{s['n']}, {x['max_ulps']}"
              if x["ran"] else x["error"])
        val = "-" if s["np_val"] is None else f"{s['np_val']:8.1e}"
        print(f"  {s['name']:<35} {s['n']:>3} {s['steps']:>5}  "
              f"{s['moved']:7.3f}  {s['np_w']:8.1e}  {s['np_loss']:8.1e}  "
              f"{val:>8}  {s['fd']:8.1e}  "
              f"{'same' if s['replay_max_ulps'] == 0 else 'differ'}    {xs}")
    print("  (moved: max |weights - weights0|; f64 w: NumPy float64 replay, "
          "max |diff| / max(1, |w|); f64 loss / f64 val: largest relative "
          "difference of history_loss / history_val_loss; fd: the float64 "
          "gradient of the first batch vs central differences; replay: "
          "GradientTape + apply_gradients by hand vs fit, every step)")
    (out_dir / OUT_FILE).write_text(text, encoding="utf-8")
    print(f"  wrote {out_dir / OUT_FILE} ({len(text.encode())} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir and compare byte for "
                         "byte with tests/fixtures/train/fit.json")
    args = ap.parse_args()
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    assert keras.config.floatx() == "float32"
    assert not [d for d in tf.config.list_physical_devices()
                if d.device_type != "CPU"]
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
