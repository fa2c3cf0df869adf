#!/usr/bin/env python3
"""Generate the hostile-numerics fixtures of tests/numerics.rs, in tests/fixtures/long/.

long.json: sequences of T = 100,000 steps through SimpleRNN, LSTM, GRU and Bidirectional
(each followed by a Dense), run by real Keras 3. To keep the file small it stores no
inputs: they come from a 32-bit linear congruential generator that tests/numerics.rs
reproduces exactly,

    state = (1664525 * state + 1013904223) mod 2**32      (then read the value)
    x     = (state >> 8) / 2**23 - 1                       (exact in float32, in [-1, 1))

drawn row-major (timestep by timestep, feature by feature) from the case's `lcg_seed`.
Stored: the weights (get_weights() order, flattened row-major), Keras's outputs at a few
checkpoint timesteps (models returning sequences) or its final output, and the largest
difference between Keras in float32 and the same model in float64 over the whole run
(`f64_drift`), which shows that float32 noise does not build up over the sequence: the
recurrent kernels are scaled to spectral norm 0.5, so every recurrence is a contraction.

nonfinite.json: small models fed NaN, +inf, -inf and +-1e30, with Keras's outputs, to
check that tinyrnn propagates them as Keras does: every activation on a Dense layer (the
pre-activations are exactly the special values times the kernel), and each recurrent
layer kind with its default and other activation families. Non-finite numbers are
written as the strings "nan", "inf", "-inf" (JSON has no such numbers).

Run from anywhere:  python3 tools/gen_long_fixtures.py   (about a minute)
CI never runs this script; the generated JSON files are committed.
"""

import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import json  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras import layers as L  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "long"

BASE_SEED = 20250800
LCG_A = 1664525
LCG_C = 1013904223
T_LONG = 100_000
CHECKPOINTS = [0, 1, 9, 99, 999, 9_999, 49_999, 99_998, 99_999]
SPECTRAL_NORM = 0.5


def lcg_inputs(seed, t, f):
    """The inputs tests/numerics.rs generates: row-major, float32, in [-1, 1)."""
    state = seed & 0xFFFFFFFF
    out = np.empty(t * f, dtype=np.float32)
    for i in range(t * f):
        state = (LCG_A * state + LCG_C) & 0xFFFFFFFF
        out[i] = np.float32((state >> 8) / 8388608.0 - 1.0)
    return out.reshape(t, f)


def f32(v):
    """A float32 for JSON: a number when finite, else "nan", "inf" or "-inf"."""
    v = float(np.float32(v))
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def f32list(a):
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 0:
        return f32(a)
    return [f32list(x) for x in a]


def flat(weights):
    return [f32(v) for w in weights for v in np.asarray(w, np.float32).ravel(order="C")]


# ---------------------------------------------------------------------------
# long.json
# ---------------------------------------------------------------------------
LONG_CASES = [
    # name, dsl, features, layers, returns sequences
    ("long_simple_rnn", "input [_, 2]; simple_rnn(8, return_sequences = true); dense(2);", 2,
     lambda: [L.SimpleRNN(8, return_sequences=True), L.Dense(2)], True),
    ("long_lstm", "input [_, 2]; lstm(8, return_sequences = true); dense(2);", 2,
     lambda: [L.LSTM(8, return_sequences=True), L.Dense(2)], True),
    ("long_gru", "input [_, 2]; gru(8, return_sequences = true); dense(2);", 2,
     lambda: [L.GRU(8, return_sequences=True), L.Dense(2)], True),
    ("long_bidirectional", "input [_, 2]; bidirectional(lstm(4)); dense(2);", 2,
     lambda: [L.Bidirectional(L.LSTM(4)), L.Dense(2)], False),
]


def contractive_weights(model, rng):
    """uniform(-0.8, 0.8) kernels and biases; recurrent kernels scaled to spectral norm 0.5."""
    out = []
    for var in model.weights:
        w = rng.uniform(-0.8, 0.8, size=tuple(var.shape))
        if var.path.endswith("recurrent_kernel"):
            w *= SPECTRAL_NORM / np.linalg.norm(w, 2)
        elif var.path.endswith("bias"):
            w *= 0.5
        out.append(w.astype(np.float32))
    return out


def build(layers, f, dtype):
    keras.backend.clear_session()
    keras.config.set_floatx(dtype)
    model = keras.Sequential([keras.Input((None, f))] + layers())
    keras.config.set_floatx("float32")
    return model


def long_case(index, name, dsl, f, layers, sequences):
    seed = BASE_SEED + index
    rng = np.random.default_rng(seed)
    model = build(layers, f, "float32")
    weights = contractive_weights(model, rng)
    model.set_weights(weights)
    lcg_seed = int(rng.integers(0, 2**32))
    x = lcg_inputs(lcg_seed, T_LONG, f)
    y = np.asarray(model.predict(x[None], batch_size=1, verbose=0))[0]
    # The same model in float64: how far float32 drifts over the whole sequence.
    model64 = build(layers, f, "float64")
    model64.set_weights([w.astype(np.float64) for w in weights])
    y64 = np.asarray(model64.predict(x[None].astype(np.float64), batch_size=1, verbose=0))[0]
    drift = float(np.max(np.abs(y.astype(np.float64) - y64)))
    assert np.all(np.isfinite(y)), name
    assert drift < 1e-5, (name, drift)
    fixture = {
        "dsl": dsl,
        "features": f,
        "timesteps": T_LONG,
        "seed": seed,
        "lcg_seed": lcg_seed,
        "weights": flat(weights),
        "f64_drift": drift,
    }
    if sequences:
        fixture["checkpoints"] = CHECKPOINTS
        fixture["outputs"] = [f32list(y[t]) for t in CHECKPOINTS]
        spread = float(np.std(y[-1000:]))
    else:
        fixture["output"] = f32list(y)
        spread = float("nan")
    print(f"{name:<20} params={model.count_params():<4} drift_vs_f64={drift:.1e} "
          f"std(last 1000)={spread:.3f} out={np.asarray(y[-1]).round(4).tolist()}")
    return fixture


# ---------------------------------------------------------------------------
# nonfinite.json
# ---------------------------------------------------------------------------
ACTIVATIONS = ["linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "sigmoid",
               "hard_sigmoid", "tanh", "hard_tanh", "softplus", "softsign", "silu",
               "hard_silu", "mish", "exponential", "softmax", "log_softmax"]
SPECIALS = [float("nan"), float("inf"), float("-inf"), 1e30, -1e30, 0.0, 1.5, -2.0]
DENSE_KERNEL = [[1.0, -1.0, 2.0, 0.5]]
DENSE_BIAS = [0.0, 0.25, -0.5, 0.0]

RECURRENT_CASES = [
    ("simple_rnn", "simple_rnn(3, return_sequences = true)",
     lambda: L.SimpleRNN(3, return_sequences=True)),
    ("simple_rnn_relu", "simple_rnn(3, activation = relu, return_sequences = true)",
     lambda: L.SimpleRNN(3, activation="relu", return_sequences=True)),
    ("simple_rnn_softsign", "simple_rnn(3, activation = softsign, return_sequences = true)",
     lambda: L.SimpleRNN(3, activation="softsign", return_sequences=True)),
    ("lstm", "lstm(3, return_sequences = true)",
     lambda: L.LSTM(3, return_sequences=True)),
    ("lstm_relu_hard_sigmoid",
     "lstm(3, activation = relu, recurrent_activation = hard_sigmoid, return_sequences = true)",
     lambda: L.LSTM(3, activation="relu", recurrent_activation="hard_sigmoid",
                    return_sequences=True)),
    ("lstm_gelu_silu",
     "lstm(3, activation = gelu, recurrent_activation = silu, return_sequences = true)",
     lambda: L.LSTM(3, activation="gelu", recurrent_activation="silu", return_sequences=True)),
    ("gru", "gru(3, return_sequences = true)",
     lambda: L.GRU(3, return_sequences=True)),
    ("gru_reset_before", "gru(3, reset_after = false, return_sequences = true)",
     lambda: L.GRU(3, reset_after=False, return_sequences=True)),
    ("gru_elu_hard_sigmoid",
     "gru(3, activation = elu, recurrent_activation = hard_sigmoid, return_sequences = true)",
     lambda: L.GRU(3, activation="elu", recurrent_activation="hard_sigmoid",
                   return_sequences=True)),
    ("bidirectional_lstm", "bidirectional(lstm(2, return_sequences = true))",
     lambda: L.Bidirectional(L.LSTM(2, return_sequences=True))),
    ("bidirectional_gru_sum", "bidirectional(gru(2, return_sequences = true), merge_mode = sum)",
     lambda: L.Bidirectional(L.GRU(2, return_sequences=True), merge_mode="sum")),
]
T_SMALL, F_SMALL = 8, 3


def recurrent_inputs(rng):
    """Finite LCG-free random inputs with one kind of special value each."""
    base = rng.uniform(-1.0, 1.0, size=(T_SMALL, F_SMALL)).astype(np.float32)
    cases = []
    for t, f, v in [(3, 0, np.nan), (3, 0, np.inf), (3, 0, -np.inf), (3, 0, 1e30),
                    (3, 1, -1e30)]:
        x = base.copy()
        x[t, f] = v
        cases.append(x)
    # Every value huge: saturation everywhere.
    cases.append((base * np.float32(1e30)).astype(np.float32))
    # +inf and -inf in one timestep: inf - inf inside the kernel product.
    x = base.copy()
    x[2, 0], x[2, 1] = np.inf, -np.inf
    cases.append(x)
    return cases


def run_cases(model, inputs):
    out = []
    for x in inputs:
        y = np.asarray(model(x[None], training=False))[0].astype(np.float32)
        out.append({"input": f32list(x), "output": f32list(y)})
    return out


def nonfinite_cases():
    cases = {}
    x = np.asarray(SPECIALS, np.float32).reshape(-1, 1)
    for act in ACTIVATIONS:
        keras.backend.clear_session()
        model = keras.Sequential([keras.Input((len(SPECIALS), 1)), L.Dense(4, activation=act)])
        weights = [np.asarray(DENSE_KERNEL, np.float32), np.asarray(DENSE_BIAS, np.float32)]
        model.set_weights(weights)
        cases[f"act_{act}"] = {
            "dsl": f"input [{len(SPECIALS)}, 1]; dense(4, activation = {act});",
            "weights": flat(weights),
            "cases": run_cases(model, [x]),
        }
    for i, (name, dsl, layer) in enumerate(RECURRENT_CASES):
        keras.backend.clear_session()
        rng = np.random.default_rng(BASE_SEED + 100 + i)
        model = keras.Sequential([keras.Input((T_SMALL, F_SMALL)), layer()])
        weights = [rng.uniform(-0.8, 0.8, size=w.shape).astype(np.float32)
                   for w in model.get_weights()]
        model.set_weights(weights)
        cases[name] = {
            "dsl": f"input [{T_SMALL}, {F_SMALL}]; {dsl};",
            "weights": flat(weights),
            "cases": run_cases(model, recurrent_inputs(rng)),
        }
    return cases


def write(name, data):
    text = json.dumps(data, indent=None, allow_nan=False) + "\n"
    (OUT_DIR / name).write_text(text, encoding="utf-8")
    print(f"wrote tests/fixtures/long/{name} ({len(text.encode())} bytes)")


def main():
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    versions = {"python": sys.version.split()[0], "keras": keras.__version__,
                "tensorflow": tf.__version__, "numpy": np.__version__,
                "backend": keras.backend.backend()}
    print(versions)
    long = {
        "generated_by": "tools/gen_long_fixtures.py",
        "versions": versions,
        "lcg": {"a": LCG_A, "c": LCG_C, "modulus": 2**32,
                "value": "(state >> 8) / 2**23 - 1, after each step, row-major"},
        "cases": {name: long_case(i, name, dsl, f, layers, seq)
                  for i, (name, dsl, f, layers, seq) in enumerate(LONG_CASES)},
    }
    write("long.json", long)
    write("nonfinite.json", {
        "generated_by": "tools/gen_long_fixtures.py",
        "versions": versions,
        "cases": nonfinite_cases(),
    })


if __name__ == "__main__":
    main()
