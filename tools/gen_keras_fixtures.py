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


def case(name, dsl, T, F, layers, lengths=None, input_scale=1.0):
    """One fixture case.

    layers:      list of zero-argument callables returning a fresh Keras layer
                 (called after clear_session so names start from scratch).
    lengths:     sequence lengths for T=None (variable length) cases.
    input_scale: multiplier applied to the standard-normal inputs (1.0 unless
                 a case saturates badly; recorded in the fixture).
    """
    if T is None:
        assert lengths is not None and len(lengths) == N_SEQUENCES, name
    else:
        assert lengths is None, name
    return dict(name=name, dsl=dsl, T=T, F=F, layers=layers,
                lengths=lengths, input_scale=input_scale)


def rnn(units, **kw):
    return lambda: L.SimpleRNN(units, **kw)


def dense(units, **kw):
    return lambda: L.Dense(units, **kw)


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


def shape_json(shape):
    return [None if d is None else int(d) for d in shape]


# Independent float64 NumPy reference, used only as a self-check of the
# Keras semantics we rely on (kernel layout, go_backwards output order, ...).
def _act(name, x):
    if name == "tanh":
        return np.tanh(x)
    if name == "relu":
        return np.maximum(x, 0.0)
    if name == "sigmoid":
        return 1.0 / (1.0 + np.exp(-x))
    if name == "linear":
        return x
    if name == "softmax":
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(name)


def numpy_reference(model, x):
    """x: (T, F). Returns output for one sequence (no batch dim)."""
    h = np.asarray(x, np.float64)
    for layer in model.layers:
        ws = [np.asarray(w, np.float64) for w in layer.get_weights()]
        cfg = layer.get_config()
        act = cfg["activation"]
        if isinstance(layer, L.SimpleRNN):
            W, U = ws[0], ws[1]
            b = ws[2] if cfg["use_bias"] else np.zeros(W.shape[1])
            seq = h[::-1] if cfg["go_backwards"] else h
            state = np.zeros(W.shape[1])
            outs = []
            for t in range(seq.shape[0]):
                state = _act(act, seq[t] @ W + state @ U + b)
                outs.append(state)
            # Keras returns the states in processing order (i.e. reversed in
            # time for go_backwards); this is verified against Keras below.
            h = np.stack(outs) if cfg["return_sequences"] else state
        elif isinstance(layer, L.Dense):
            W = ws[0]
            b = ws[1] if cfg["use_bias"] else np.zeros(W.shape[1])
            h = _act(act, h @ W + b)
        else:
            raise TypeError(type(layer))
    return h


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

    # Weights: uniform(-0.8, 0.8) for every array, biases included.
    new_weights = [
        rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=w.shape).astype(np.float32)
        for w in model.get_weights()
    ]
    model.set_weights(new_weights)
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
        layer_infos.append({
            "name": layer.name,
            "class": type(layer).__name__,
            "output_shape": shape_json(layer.output.shape),
            "params": int(layer.count_params()),
            "weights": [{"name": short_name(w), "shape": shape_json(w.shape)}
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
    last_act = model.layers[-1].get_config()["activation"]
    sat = saturation_report(last_act, outputs)
    if sat is not None:
        assert sat > 0.25, (c["name"], "outputs saturated", sat)

    info = dict(params=total, out_shape=shape_json(model.layers[-1].output.shape),
                out_case_shapes=[list(o.shape) for o in outputs],
                ref_err=max_ref_err, sat=sat,
                out_range=(float(min(o.min() for o in outputs)),
                           float(max(o.max() for o in outputs))))
    return fixture, info


def main():
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    print(f"keras {keras.__version__}, tensorflow {tf.__version__}, "
          f"numpy {np.__version__}, python {sys.version.split()[0]}")
    for i, c in enumerate(CASES):
        fixture, info = build_case(i, c)
        text = json.dumps(fixture, indent=None, allow_nan=False) + "\n"
        # Round-trip check: every float parses back to the identical f32.
        back = json.loads(text)
        assert back["weights"] == fixture["weights"]
        assert all(np.float32(v) == v for v in back["weights"])
        path = OUT_DIR / f"{c['name']}.json"
        path.write_text(text, encoding="utf-8")
        sat = "" if info["sat"] is None else f" unsaturated={info['sat']:.2f}"
        print(f"{c['name']:<18} params={info['params']:<5} "
              f"output={info['out_shape']} per-seq={info['out_case_shapes']} "
              f"range=[{info['out_range'][0]:.4g}, {info['out_range'][1]:.4g}]"
              f" ref_err={info['ref_err']:.1e}{sat}")
    print(f"wrote {len(CASES)} fixtures to {OUT_DIR.relative_to(REPO_ROOT)}")


if __name__ == "__main__":
    main()
