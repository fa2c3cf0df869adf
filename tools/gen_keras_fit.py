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
optimizer hyper-parameters, which are as passed to Keras.

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
  * NumPy float64, independent of TensorFlow: SimpleRNN (tanh, h0 = 0),
    Dense, the four losses (crossentropies from the logits), back
    propagation through time, the mean gradient of each batch, SGD /
    nesterov / Adam in Keras's form, the size-weighted epoch loss; compared
    to the stored float32 results (printed; max |diff| / max(1, |w|)).

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

SEED_DSL = "input [6, 3]; simple_rnn(2); dense(1);"


def seed_layers():
    return [lambda: L.SimpleRNN(2), lambda: L.Dense(1)]


def case(name, dsl, T, F, layers, loss, optimizer, epochs=3, batch_size=4):
    """optimizer: (name, kwargs as passed to Keras)."""
    return {"name": name, "dsl": dsl, "T": T, "F": F, "layers": layers,
            "loss": loss, "optimizer": optimizer, "epochs": epochs,
            "batch_size": batch_size}


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
    and the weights."""

    def __init__(self):
        super().__init__()
        self.logs, self.totals, self.counts, self.weights = [], [], [], []
        self.epoch_starts = []

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
    history = model.fit(xs, ys, epochs=c["epochs"],
                        batch_size=c["batch_size"], shuffle=False, verbose=0,
                        callbacks=[rec])
    assert list(history.history) == ["loss"], history.history.keys()
    hist = np.asarray(history.history["loss"], np.float32)
    return {"model": model, "jit_compile": resolved, "history": hist,
            "rec": rec, "weights": flat(model.get_weights(), np.float32)}


def train_on_batch(c, w0, xs, ys, seed):
    model = build(c, w0, seed)
    model.compile(optimizer=make_optimizer(c), loss=c["loss"],
                  jit_compile=False)
    B = c["batch_size"]
    loss = model.train_on_batch(xs[:B], ys[:B])
    return np.float32(loss), flat(model.get_weights(), np.float32)


def tf_replay(c, w0, xs, ys, seed, batches):
    """The train step by hand: GradientTape + apply_gradients per batch, in
    a tf.function.  Returns (batch losses [epoch][batch], weights after each
    step)."""
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

    losses, steps = [], []
    for _ in range(c["epochs"]):
        row = []
        for lo, hi in batches:
            row.append(step(tf.constant(xs[lo:hi]),
                            tf.constant(ys[lo:hi])).numpy())
            steps.append(flat(model.get_weights(), np.float32))
        losses.append(row)
    return np.asarray(losses, np.float32), steps


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
    """(Dense activation name, return_sequences) of the SimpleRNN (tanh,
    with bias) + Dense models this replay knows."""
    keras.backend.clear_session()
    rnn, dense = [mk() for mk in c["layers"]]
    assert isinstance(rnn, L.SimpleRNN) and isinstance(dense, L.Dense)
    assert rnn.cell.activation.__name__ == "tanh" and rnn.cell.use_bias
    assert dense.use_bias and not rnn.go_backwards
    return dense.activation.__name__, rnn.return_sequences


def np_forward_backward(c, ws, x, y, act, seq):
    """SimpleRNN then Dense, float64.  ws = [K, R, b, Kd, bd].  Returns
    (loss, grads) for the batch x [B][T][F], y."""
    K, R, b, Kd, bd = ws
    B, T, _ = x.shape
    U = K.shape[1]
    hs = [np.zeros((B, U))]
    for t in range(T):
        hs.append(np.tanh(x[:, t] @ K + hs[-1] @ R + b))
    H = np.stack(hs[1:], axis=1)                      # [B][T][U]
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
    gK, gR, gb = np.zeros_like(K), np.zeros_like(R), np.zeros_like(b)
    dh = np.zeros((B, U))
    for t in reversed(range(T)):
        dh = dh + dH[:, t]
        da = dh * (1 - hs[t + 1] ** 2)
        gK += x[:, t].T @ da
        gR += hs[t].T @ da
        gb += da.sum(axis=0)
        dh = da @ R.T
    return loss, [gK, gR, gb, gKd, gbd]


def np_replay(c, w0, xs, ys, batches):
    """Float64 training: returns (epoch losses, final weights flattened)."""
    opt = hyper_params(c)
    act, seq = np_structure(c)
    ws = [a.astype(np.float64) for a in w0]
    m = [np.zeros_like(a) for a in ws]
    v = [np.zeros_like(a) for a in ws]
    xs, ys = xs.astype(np.float64), ys.astype(np.float64)
    t, epoch_losses = 0, []
    for _ in range(c["epochs"]):
        total = 0.0
        for lo, hi in batches:
            loss, grads = np_forward_backward(c, ws, xs[lo:hi], ys[lo:hi],
                                              act, seq)
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
        epoch_losses.append(total / xs.shape[0])
    return np.asarray(epoch_losses), flat(ws, np.float64)


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
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
    batches = [(lo, min(lo + B, N_SAMPLES)) for lo in range(0, N_SAMPLES, B)]
    sizes = [hi - lo for lo, hi in batches]
    nb = len(batches)

    fit = run_fit(c, w0, xs, ys, seed, False)
    assert fit["jit_compile"] is False
    rec = fit["rec"]
    assert rec.epoch_starts == [e * nb for e in range(E)], rec.epoch_starts
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
    except Exception as exc:  # pragma: no cover - depends on the TF build
        xla_note = {"ran": False, "error": f"{type(exc).__name__}"}

    # The first step alone, from weights0.
    tob_loss, tob_w = train_on_batch(c, w0, xs, ys, seed)
    assert tob_w.tobytes() == rec.weights[0].tobytes(), c["name"]
    assert tob_loss == rec.logs[0]

    # Replay by hand; it gives the batch losses.
    batch_losses, steps = tf_replay(c, w0, xs, ys, seed, batches)
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

    # NumPy float64 replay.
    np_loss, np_w = np_replay(c, w0, xs, ys, batches)
    stats = {
        "name": c["name"],
        "n": int(W0.size),
        "steps": E * nb,
        "np_w": float(np.max(np.abs(np_w - fit["weights"])
                             / np.maximum(1, np.abs(np_w)))),
        "np_loss": float(np.max(np.abs(np_loss - fit["history"])
                                / np.abs(np_loss))),
        "moved": float(np.max(np.abs(fit["weights"] - W0))),
        "xla": xla_note,
        "replay_max_ulps": replay_max_ulps,
    }
    assert stats["np_w"] < 1e-4 and stats["np_loss"] < 1e-4, stats

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
                    "weights_after_each_batch"):
            a = np.asarray(rec[key], dtype=np.float64)
            assert np.array_equal(a.astype(np.float32).astype(np.float64), a)
    print("fit.json:")
    print(f"  {'case':<22} {'n':>3} {'steps':>5}  {'moved':>7}  "
          f"{'f64 w':>8}  {'f64 loss':>8}  replay  xla (differing, ulp)")
    for s in stats:
        x = s["xla"]
        xs = (f"{x['weights_differing']}/{s['n']}, {x['max_ulps']}"
              if x["ran"] else x["error"])
        print(f"  {s['name']:<22} {s['n']:>3} {s['steps']:>5}  "
              f"{s['moved']:7.3f}  {s['np_w']:8.1e}  {s['np_loss']:8.1e}  "
              f"{'same' if s['replay_max_ulps'] == 0 else 'differ'}    {xs}")
    print("  (moved: max |weights - weights0|; f64 w: NumPy float64 replay, "
          "max |diff| / max(1, |w|); f64 loss: largest relative difference "
          "of history_loss; replay: GradientTape + apply_gradients by hand "
          "vs fit, every step)")
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
