#!/usr/bin/env python3
"""Save Keras files the way a notebook does, for the loader tests.

A user's file rarely comes from a fresh Python process: a notebook builds a
few models, then saves the one it wants.  Keras names every layer with a
process-wide counter (``lstm_7``, ``dense_12``), while Keras 3 saves weights
under names derived from each layer's class and its place among its siblings
(``layers/lstm``, ``layers/dense_1``).  Most keras.io examples also build
Functional models (``keras.Model(inputs, outputs)``), not Sequential ones.

This script does what such a notebook does, in ONE process and without
``clear_session()``: it first builds throwaway models, then, for every case in
CASES, a Sequential and a Functional model of the same layers (with the
training-only options people leave in: dropout, recurrent_dropout,
regularizers), fills the weights with seeded uniform(-0.8, 0.8) values, runs
three seeded standard-normal sequences through each and saves it as

* ``<model>.keras``        Keras 3 ``model.save`` (deterministic, as
                           tools/gen_keras_files.py does it),
* ``<model>.weights.h5``   Keras 3 ``model.save_weights``,
* ``<model>.h5``           Keras 3's legacy HDF5 writer,
* ``<model>.tf_keras.h5``  tf_keras 2 (``pip install --no-deps tf_keras``):
                           the same model rebuilt in Keras 2, after Keras 2
                           throwaway models too, with the same weights and
                           outputs within 1e-5 of Keras 3's,

and writes ``<model>.json``: the DSL, Keras's layer names and the groups its
weights were saved under, per-layer parameters, weights in ``get_weights()``
order, inputs, Keras outputs and ``model.summary()``.  Every file is loaded
back by Keras and must reproduce the outputs.  Outputs are also checked
against the float64 NumPy reference of gen_keras_fixtures.py.

It also writes models that are not chains (``not-chains/``: a merge, two
inputs, two outputs, a shared layer, a nested model), hostile configs made by
editing a real file's ``config.json`` (``hostile/``: a cycle, a missing layer,
deep nesting), Functional chains whose masks Keras records as operations of
their own (``masked/``: ``Embedding(mask_zero=True)`` and ``Masking`` before
an LSTM), and ``snake_case.json``: Keras's ``naming.to_snake_case`` of
every layer class in ``keras.layers``, which names the weight groups.

Run from anywhere:  python3 tools/gen_keras_notebook.py
Output: tests/fixtures/keras-notebook/ (CI never runs Python).
"""

import copy
import inspect
import io
import json
import shutil
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_keras_files as KF  # noqa: E402  (imports gen_keras_fixtures: env)

G = KF.G
import h5py  # noqa: E402
import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.utils import naming  # noqa: E402

tf_keras = KF.tf_keras

BASE_SEED = 20261128
OUT_DIR = G.REPO_ROOT / "tests" / "fixtures" / "keras-notebook"
LEGACY_TOL = 1e-5


# Each layer factory takes the Keras module (keras or tf_keras) so that the
# same case builds in both.
def l2(M):
    return M.regularizers.L2(1e-4)


CASES = [
    dict(name="rnn", T=12, F=3, lengths=None,
         dsl="input [12, 3]; simple_rnn(5, return_sequences = true); "
             "simple_rnn(4); dense(2);",
         layers=lambda M: [
             M.layers.SimpleRNN(5, return_sequences=True, dropout=0.1,
                                kernel_regularizer=l2(M)),
             M.layers.SimpleRNN(4, recurrent_dropout=0.1),
             M.layers.Dense(2),
         ]),
    dict(name="lstm", T=10, F=4, lengths=None,
         dsl="input [10, 4]; lstm(6, return_sequences = true); "
             "dropout(0.2); lstm(3); dense(1, activation = sigmoid);",
         layers=lambda M: [
             M.layers.LSTM(6, return_sequences=True, dropout=0.2,
                           recurrent_dropout=0.2, kernel_regularizer=l2(M),
                           recurrent_regularizer=l2(M)),
             M.layers.Dropout(0.2),
             M.layers.LSTM(3, bias_regularizer=l2(M)),
             M.layers.Dense(1, activation="sigmoid",
                            kernel_regularizer=l2(M)),
         ]),
    dict(name="gru", T=None, F=3, lengths=[4, 9, 17],
         dsl="input [_, 3]; gru(5, return_sequences = true); "
             "gru(3, reset_after = false); dense(2, activation = softmax);",
         layers=lambda M: [
             M.layers.GRU(5, return_sequences=True, dropout=0.1,
                          recurrent_dropout=0.1),
             M.layers.GRU(3, reset_after=False, kernel_regularizer=l2(M)),
             M.layers.Dense(2, activation="softmax"),
         ]),
    dict(name="bidirectional", T=8, F=3, lengths=None,
         dsl="input [8, 3]; bidirectional(lstm(4, return_sequences = true)); "
             "bidirectional(simple_rnn(3, return_sequences = true), "
             "merge_mode = mul); bidirectional(gru(3), merge_mode = sum); "
             "dense(1);",
         layers=lambda M: [
             M.layers.Bidirectional(M.layers.LSTM(
                 4, return_sequences=True, dropout=0.1)),
             M.layers.Bidirectional(M.layers.SimpleRNN(
                 3, return_sequences=True), merge_mode="mul"),
             M.layers.Bidirectional(M.layers.GRU(3), merge_mode="sum"),
             M.layers.Dense(1),
         ]),
    dict(name="noise", T=10, F=3, lengths=None,
         dsl="input [10, 3]; dense(4, activation = relu); "
             "spatial_dropout1d(0.1); gaussian_noise(0.1); "
             "lstm(4, return_sequences = true); gaussian_dropout(0.2); "
             "alpha_dropout(0.1); dropout(0.3); simple_rnn(3); "
             "dense(2, activation = tanh); dense(1);",
         layers=lambda M: [
             M.layers.Dense(4, activation="relu"),
             M.layers.SpatialDropout1D(0.1),
             M.layers.GaussianNoise(0.1),
             M.layers.LSTM(4, return_sequences=True),
             M.layers.GaussianDropout(0.2),
             M.layers.AlphaDropout(0.1),
             M.layers.Dropout(0.3),
             M.layers.SimpleRNN(3),
             M.layers.Dense(2, activation="tanh"),
             M.layers.Dense(1),
         ]),
]


def build(M, c, functional):
    """The case as a Sequential or a Functional model of Keras module M."""
    inp = M.Input((c["T"], c["F"]))
    layers = c["layers"](M)
    if not functional:
        return M.Sequential([inp] + layers)
    x = inp
    for layer in layers:
        x = layer(x)
    return M.Model(inp, x)


def throwaway_models(M):
    """What a notebook built before the model it saves."""
    for units in (1, 2):
        build(M, CASES[0], functional=False)
        M.Sequential([M.Input((50, 3)), M.layers.SimpleRNN(units),
                      M.layers.Dense(1)])
    inp = M.Input((20, 2))
    x = M.layers.LSTM(3)(M.layers.GRU(2, return_sequences=True)(inp))
    M.Model(inp, M.layers.Dense(1)(M.layers.Dropout(0.5)(x)))
    M.Sequential([M.Input((5, 2)), M.layers.Bidirectional(M.layers.LSTM(2)),
                  M.layers.Dense(1)])


class Chain:
    """A model's layers without its InputLayer, for G.numpy_reference."""

    def __init__(self, model):
        self.layers = [lay for lay in model.layers
                       if type(lay).__name__ != "InputLayer"]


def weight_groups(h5_bytes):
    """The groups under layers/ of a Keras 3 weights file, in HDF5 order."""
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        return sorted(f["layers"].keys())


def generate_model(index, c, functional, out_dir):
    kind = "functional" if functional else "sequential"
    name = f"{c['name']}_{kind}"
    seed = BASE_SEED + 2 * index + int(functional)
    rng = np.random.default_rng(seed)
    model = build(keras, c, functional)
    weights = [rng.uniform(-G.WEIGHT_RANGE, G.WEIGHT_RANGE, size=w.shape)
               .astype(np.float32) for w in model.get_weights()]
    model.set_weights(weights)
    lengths = c["lengths"] or [c["T"]] * G.N_SEQUENCES
    inputs = [rng.standard_normal((t, c["F"])).astype(np.float32)
              for t in lengths]
    cases, ref_err = [], 0.0
    for x in inputs:
        y = np.asarray(model(x[None], training=False))[0].astype(np.float32)
        assert np.all(np.isfinite(y)), (name, y)
        ref = G.numpy_reference(Chain(model), x)
        ref_err = max(ref_err, float(np.max(np.abs(ref - y))))
        cases.append({"input": G.f32list(x), "output": G.f32list(y)})
    assert ref_err < 1e-4, (name, ref_err)
    fixture = {"cases": cases}

    files = {}
    paths = {k: out_dir / f"{name}{ext}" for k, ext in (
        ("keras", ".keras"), ("weights_h5", ".weights.h5"),
        ("legacy_h5", ".h5"), ("tf_keras_h5", ".tf_keras.h5"))}
    with KF.deterministic_saving():
        model.save(paths["keras"])
    model.save_weights(paths["weights_h5"])
    model.save(paths["legacy_h5"])
    files["keras"] = f"keras {keras.__version__}"
    files["weights_h5"] = f"keras {keras.__version__}"
    files["legacy_h5"] = f"keras {keras.__version__} (legacy H5 writer)"

    # Reload with Keras: each file gives the same outputs.
    m = keras.saving.load_model(paths["keras"])
    assert KF.max_err(KF.k3_call(m), fixture) <= 1e-6, name
    m.set_weights([np.zeros_like(w) for w in weights])
    m.load_weights(paths["weights_h5"])
    assert KF.max_err(KF.k3_call(m), fixture) <= 1e-6, name
    m = keras.saving.load_model(paths["legacy_h5"], compile=False)
    assert KF.max_err(KF.k3_call(m), fixture) <= 1e-6, name

    if tf_keras is not None:
        tm = build(tf_keras, c, functional)
        tm.set_weights(weights)
        err = KF.max_err(lambda x: tm(x, training=False), fixture)
        assert err <= LEGACY_TOL, (name, err)
        tm.save(str(paths["tf_keras_h5"]))
        files["tf_keras_h5"] = f"tf_keras {tf_keras.__version__}"
        tm2 = tf_keras.models.load_model(str(paths["tf_keras_h5"]),
                                         compile=False)
        assert KF.max_err(lambda x: tm2(x, training=False), fixture) \
            <= LEGACY_TOL, name
        with h5py.File(paths["tf_keras_h5"], "r") as f:
            tf_names = [n.decode() if isinstance(n, bytes) else n
                        for n in f["model_weights"].attrs["layer_names"]]
    else:  # pragma: no cover
        tf_names = None

    with zipfile.ZipFile(paths["keras"]) as z:
        config = json.loads(z.read("config.json"))
        groups = weight_groups(z.read("model.weights.h5"))
    assert groups == weight_groups(paths["weights_h5"].read_bytes()), name

    chain = Chain(model).layers
    lines = []
    model.summary(print_fn=lambda s, line_break=False: lines.append(s))
    flat = [v for w in model.get_weights() for v in G.flat_f32(w)]
    assert len(flat) == model.count_params(), name
    return name, {
        "name": name,
        "dsl": c["dsl"],
        "model_class": config["class_name"],
        "keras_version": keras.__version__,
        "tensorflow_version": tf.__version__,
        "tf_keras_version": None if tf_keras is None else tf_keras.__version__,
        "seed": seed,
        "input_layer": (model.layers[0].name if functional else None),
        # Keras's names (process-wide counters) and the groups Keras 3 saved
        # the weights under (class and place among siblings), sorted.
        "keras_names": [lay.name for lay in chain],
        "weight_groups": groups,
        "tf_keras_layer_names": tf_names,
        "layers": [{
            "name": lay.name,
            "class": type(lay).__name__,
            "output_shape": G.shape_json(lay.output.shape),
            "params": int(lay.count_params()),
            "weights": [{"name": G.short_name(w), "shape": G.shape_json(w.shape)}
                        for w in lay.weights],
        } for lay in chain],
        "total_params": int(model.count_params()),
        "weights": flat,
        "cases": cases,
        "summary": "\n".join(lines),
        "files": files,
        "numpy_reference_max_abs_err": ref_err,
    }


# ---------------------------------------------------------------------------
# Models that are not chains, and hostile configs
# ---------------------------------------------------------------------------
def not_chains(out_dir):
    keras.utils.set_random_seed(BASE_SEED)  # their initial weights
    L = keras.layers
    d = out_dir / "not-chains"
    d.mkdir()
    made = {}

    inp = keras.Input((6, 3))
    x = L.LSTM(4)(inp)
    out = L.Add()([L.Dense(2)(x), L.Dense(2)(x)])
    made["merge"] = keras.Model(inp, out)

    a, b = keras.Input((6, 3)), keras.Input((6, 2))
    x = L.LSTM(4)(L.Concatenate()([a, b]))
    made["two_inputs"] = keras.Model([a, b], L.Dense(1)(x))

    inp = keras.Input((6, 3))
    x = L.GRU(4)(inp)
    made["two_outputs"] = keras.Model(inp, [L.Dense(1)(x), L.Dense(2)(x)])

    inp = keras.Input((6, 3))
    shared = L.Dense(3, activation="tanh")
    x = L.SimpleRNN(4)(shared(shared(inp)))
    made["shared_layer"] = keras.Model(inp, L.Dense(1)(x))

    inp = keras.Input((6, 3))
    inner = keras.Sequential([keras.Input((6, 3)), L.LSTM(4)])
    made["nested_model"] = keras.Model(inp, L.Dense(1)(inner(inp)))

    for name, model in made.items():
        with KF.deterministic_saving():
            model.save(d / f"{name}.keras")
    if tf_keras is not None:
        T = tf_keras.layers
        inp = tf_keras.Input((6, 3))
        x = T.LSTM(4)(inp)
        out = T.Add()([T.Dense(2)(x), T.Dense(2)(x)])
        tf_keras.Model(inp, out).save(str(d / "merge.tf_keras.h5"))
    return sorted(p.name for p in d.iterdir())


def hostile(out_dir, source):
    """Real Functional file, edited config.json."""
    d = out_dir / "hostile"
    d.mkdir()
    with zipfile.ZipFile(source) as z:
        config = json.loads(z.read("config.json"))
    layers = config["config"]["layers"]

    def history(layer):
        return layer["inbound_nodes"][0]["args"][0]["config"]["keras_history"]

    def write(name, cfg_text, what):
        KF.rezip(source, d / name, replace={"config.json": cfg_text})
        return {"file": f"hostile/{name}", "what": what}

    made = []
    cfg = copy.deepcopy(config)
    first = cfg["config"]["layers"][1]
    history(first)[0] = cfg["config"]["layers"][-1]["name"]
    made.append(write("cycle.keras", json.dumps(cfg),
                      f"`{first['name']}` reads the output layer: a cycle"))
    cfg = copy.deepcopy(config)
    history(cfg["config"]["layers"][2])[0] = "no_such_layer"
    made.append(write("missing_layer.keras", json.dumps(cfg),
                      "a layer reads `no_such_layer`"))
    cfg = copy.deepcopy(config)
    cfg["config"]["output_layers"] = ["no_such_layer", 0, 0]
    made.append(write("missing_output.keras", json.dumps(cfg),
                      "output_layers names `no_such_layer`"))
    cfg = copy.deepcopy(config)
    cfg["config"]["layers"][1]["inbound_nodes"] = []
    made.append(write("unconnected.keras", json.dumps(cfg),
                      "the first layer after the input has no inbound node"))
    deep = "[" * 100_000 + "]" * 100_000
    text = json.dumps(config).replace('"inbound_nodes": []',
                                      f'"inbound_nodes": {deep}', 1)
    made.append(write("deep_nesting.keras", text,
                      "100,000 nested lists in the InputLayer's inbound_nodes"))
    cfg = copy.deepcopy(config)
    cfg["config"]["layers"].append(copy.deepcopy(layers[-1]))
    made.append(write("duplicate_name.keras", json.dumps(cfg),
                      "two layers with the output layer's name"))
    return made


def masked(out_dir):
    """Functional chains whose masks Keras 3 records as operations of their
    own (NotEqual, Any) passed to the LSTM as `mask=`: chains all the same."""
    keras.utils.set_random_seed(BASE_SEED + 1)
    L = keras.layers
    d = out_dir / "masked"
    d.mkdir()
    inp = keras.Input((None,), dtype="int32")
    x = L.LSTM(3)(L.Embedding(10, 4, mask_zero=True)(inp))
    models = {"embedding_mask_zero": keras.Model(inp, L.Dense(1)(x))}
    inp = keras.Input((5, 3))
    x = L.LSTM(3)(L.Masking(0.0)(inp))
    models["masking"] = keras.Model(inp, L.Dense(1)(x))
    for name, model in models.items():
        with KF.deterministic_saving():
            model.save(d / f"{name}.keras")
    return sorted(p.name for p in d.iterdir())


def snake_case_table():
    classes = sorted(
        name for name, obj in vars(keras.layers).items()
        if inspect.isclass(obj) and issubclass(obj, keras.layers.Layer))
    return {name: naming.to_snake_case(name) for name in classes}


def main():
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    print(f"keras {keras.__version__}, tensorflow {tf.__version__}, "
          f"tf_keras {None if tf_keras is None else tf_keras.__version__}")
    throwaway_models(keras)
    if tf_keras is not None:
        throwaway_models(tf_keras)
    made = []
    for i, c in enumerate(CASES):
        for functional in (False, True):
            name, fixture = generate_model(i, c, functional, OUT_DIR)
            text = G.fixture_text(fixture)
            (OUT_DIR / f"{name}.json").write_text(text, encoding="utf-8")
            made.append(name)
            print(f"{name:<26} {fixture['model_class']:<10} "
                  f"{fixture['keras_names']} -> {fixture['weight_groups']}")
    manifest = {
        "generated_by": "tools/gen_keras_notebook.py (see tools/README.md)",
        "models": made,
        "not_chains": not_chains(OUT_DIR),
        "hostile": hostile(OUT_DIR, OUT_DIR / "lstm_functional.keras"),
        "masked": masked(OUT_DIR),
    }
    (OUT_DIR / "MANIFEST.json").write_text(
        json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    (OUT_DIR / "snake_case.json").write_text(
        json.dumps(snake_case_table(), indent=1) + "\n", encoding="utf-8")
    total = sum(p.stat().st_size for p in OUT_DIR.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in OUT_DIR.rglob('*') if p.is_file())} files "
          f"({total} bytes) to {OUT_DIR}")


if __name__ == "__main__":
    main()
