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


def model_case(name, dsl, T, F, layers, loss):
    """layers: one callable per layer, taking the dtype and returning a fresh
    Keras layer (called after clear_session, so names start from scratch)."""
    return {"name": name, "dsl": dsl, "T": T, "F": F, "layers": layers,
            "loss": loss}


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


def build(c, dtype):
    keras.backend.clear_session()
    return keras.Sequential([keras.Input((c["T"], c["F"]), dtype=dtype)]
                            + [mk(dtype) for mk in c["layers"]])


def loss_and_grads(model, loss_fn, x, y, compiled=False):
    """(value, [grad per trainable weight]) with a GradientTape, the model
    called with training=False."""
    xt = tf.constant(x[None])
    yt = tf.constant(y[None])
    weights = model.trainable_weights

    def step(xt, yt):
        with tf.GradientTape() as tape:
            tape.watch([w.value for w in weights])
            out = model(xt, training=False)
            value = loss_fn(yt, out)
        return value, tape.gradient(value, weights), out

    if compiled:
        step = tf.function(step)
    value, grads, out = step(xt, yt)
    assert all(g is not None for g in grads)
    return value.numpy(), [g.numpy() for g in grads], out


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


def from_logits_value(loss, y, logits):
    """The loss computed by TF from the logits of the last Dense, float32,
    with the reduction Keras uses (mean over the last axis for BCE, sum for
    CCE, then sum / number of values)."""
    yt = tf.constant(y[None])
    z = tf.constant(logits[None])
    if loss == BCE:
        per = tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(labels=yt, logits=z),
            axis=-1)
    else:
        per = tf.nn.softmax_cross_entropy_with_logits(labels=yt, logits=z,
                                                      axis=-1)
    return (tf.reduce_sum(per) / tf.cast(tf.size(per), per.dtype)).numpy()


def probabilities_value(loss, y, out):
    """The same loss on the probabilities as a plain tensor (clipped path)."""
    fn = LOSS_CLASSES[loss]("float32")
    return fn(tf.constant(y[None]), tf.constant(out.numpy())).numpy()


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def gen_model(index, c):
    rng = np.random.default_rng(BASE_SEED + SEED_OFFSET + index)
    keras.utils.set_random_seed(BASE_SEED + SEED_OFFSET + index)

    m32 = build(c, "float32")
    # Every weight array, uniform(-0.5, 0.5) float32, in model.weights order.
    w = [rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=tuple(v.shape))
         .astype(np.float32) for v in m32.weights]
    m32.set_weights(w)
    got = m32.get_weights()
    assert len(got) == len(w) and all(
        a.dtype == np.float32 and np.array_equal(a, b)
        for a, b in zip(got, w))
    # get_weights() order == weights order == trainable_weights order here.
    assert [v.path for v in m32.trainable_weights] == \
        [v.path for v in m32.weights], c["name"]
    assert not m32.non_trainable_weights, c["name"]
    names = [var_path(v) for v in m32.weights]
    shapes = [list(v.shape) for v in m32.weights]

    x = rng.standard_normal((c["T"], c["F"])).astype(np.float32)
    out_shape = tuple(m32.output_shape[1:])
    y = make_target(rng, c["loss"], out_shape)

    loss32 = LOSS_CLASSES[c["loss"]]("float32")
    v32, g32, out = loss_and_grads(m32, loss32, x, y)
    assert v32.dtype == np.float32 and v32.shape == ()
    assert all(g.dtype == np.float32 and g.shape == a.shape
               for g, a in zip(g32, w))
    assert np.isfinite(v32) and all(np.isfinite(g).all() for g in g32)
    y_pred = out.numpy()[0]
    assert y_pred.shape == out_shape

    # Which path the crossentropy took (from the logits or the clipped
    # probabilities): compare bits with both.
    loss_path = "output"
    if c["loss"] in (BCE, CCE):
        assert hasattr(out, "_keras_logits"), c["name"]
        logits = out._keras_logits.numpy()[0]
        via_logits = from_logits_value(c["loss"], y, logits)
        via_probs = probabilities_value(c["loss"], y, out)
        assert via_logits.tobytes() == v32.tobytes(), \
            (c["name"], via_logits, via_probs, v32)
        loss_path = "logits"
        print(f"  {c['name']}: value {v32!r} = from logits {via_logits!r} "
              f"(clipped probabilities would give {via_probs!r})")

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

    # Float64 clone: the float32 weights cast exactly.
    m64 = build(c, "float64")
    m64.set_weights([a.astype(np.float64) for a in w])
    assert all(v.dtype == "float64" for v in m64.weights)
    loss64 = LOSS_CLASSES[c["loss"]]("float64")
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    v64, g64, out64 = loss_and_grads(m64, loss64, x64, y64)
    assert v64.dtype == np.float64 and out64.dtype == tf.float64
    assert all(g.dtype == np.float64 for g in g64)

    # Central finite differences of the float64 loss.
    w64 = [a.astype(np.float64) for a in w]
    fd = []
    for k, a in enumerate(w64):
        ga = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            vals = []
            for s in (FD_STEP, -FD_STEP):
                p = [b.copy() for b in w64]
                p[k][idx] += s
                m64.set_weights(p)
                vals.append(loss_value(m64, loss64, x64, y64))
            ga[idx] = (vals[0] - vals[1]) / (2 * FD_STEP)
        fd.append(ga)
    m64.set_weights(w64)

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
    }
    assert stats["f64_vs_fd"] < 1e-6, stats
    assert stats["f32_vs_f64"] < 1e-4, stats

    rec = {
        "name": c["name"],
        "dsl": c["dsl"],
        "loss": c["loss"],
        "loss_path": loss_path,
        "seed": BASE_SEED + SEED_OFFSET + index,
        "input_shape": [c["T"], c["F"]],
        "output_shape": list(out_shape),
        "weight_names": names,
        "weight_shapes": shapes,
        "x": f32list(x),
        "y": f32list(y),
        "y_pred": f32list(y_pred),
        "value": f32list(v32),
        "weights": f32list(flat(w, np.float32)),
        "grads": f32list(flat(g32, np.float32)),
        "value_f64": f64list(v64),
        "grads_f64": f64list(flat(g64, np.float64)),
        "graph_same_bits": graph_same,
    }
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
    print(f"  {'model':<22} {'n':>3}  {'f32 vs f64':>10}  {'value':>8}  "
          f"{'f64 vs FD':>9}  {'f32 vs FD':>9}  {'(elem)':>8}  graph bits")
    for s in stats:
        print(f"  {s['name']:<22} {s['n']:>3}  {s['f32_vs_f64']:10.2e}  "
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
