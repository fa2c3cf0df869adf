#!/usr/bin/env python3
"""Save some fixture models as real Keras files for the loader tests.

For every case in SELECTED this script rebuilds the model of
``tools/gen_keras_fixtures.py`` (same case table, same seed, same weights:
the regenerated fixture JSON must equal the committed
``tests/fixtures/keras/<case>.json`` byte for byte, or the script stops) and
saves it to ``tests/fixtures/keras-files/`` as

* ``<case>.keras``       Keras 3 native zip (``model.save``),
* ``<case>.weights.h5``  Keras 3 weights only (``model.save_weights``),
* ``<case>.h5``          legacy HDF5, written by tf_keras (Keras 2) from the
                         same architecture and weights when tf_keras builds the
                         case and reproduces the fixture outputs within 1e-5,
                         else by Keras 3's legacy H5 writer (``model.save``
                         with a ``.h5`` path); MANIFEST.json records which.

Every file is loaded back and must reproduce the fixture outputs.  It also
writes a few broken files under ``broken/`` and ``MANIFEST.json`` (file
kinds, writers, the HDF5 dataset paths holding the weights in get_weights
order with shapes, dtypes and data offsets, the attributes giving that order,
the HDF5 format details, the .keras zip members and the layer configs).

Keras 3 writes two things into a .keras file that change on every run: the
save time (metadata.json ``date_saved`` and the model.weights.h5 zip member's
timestamp) and ``shared_object_id`` values in config.json, which are Python
``id()``s (memory addresses).  ``deterministic_saving()`` runs the save with a
frozen clock (FROZEN_TIME) and with ids numbered in serialization order from
FAKE_ID_BASE (large like real addresses), so the output is byte-identical from
run to run.  The HDF5 files need no such help.

Run from anywhere:
    python3 tools/gen_keras_files.py          # (re)write the files
    python3 tools/gen_keras_files.py --check  # regenerate in a temp dir and
                                              # compare with the committed ones
"""

import argparse
import builtins
import contextlib
import datetime
import hashlib
import io
import json
import shutil
import struct
import sys
import tempfile
import time
import warnings
import zipfile
import zlib
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_keras_fixtures as G  # noqa: E402  (sets the TF / Keras env vars)

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
import tensorflow as tf  # noqa: E402
from keras.src.saving import saving_lib, serialization_lib  # noqa: E402

try:  # Keras 2, for the legacy .h5 files: pip install --no-deps tf_keras
    import tf_keras
except ImportError:  # pragma: no cover - fallback recorded in the manifest
    tf_keras = None

tf.get_logger().setLevel("ERROR")
try:
    import absl.logging
    absl.logging.set_verbosity(absl.logging.ERROR)
except ImportError:  # pragma: no cover
    pass
warnings.filterwarnings("ignore", message=".*HDF5 file.*legacy.*")

SELECTED = ["seed_rnn2", "stacked", "no_bias", "var_len", "lstm_stacked",
            "gru_basic", "gru_reset_before", "bidirectional_modes", "dropouts",
            "mixed_stack", "act_gelu", "lstm_options", "activation_layers",
            "activation_layers_any", "relu_layers", "leaky_elu_layers", "time_distributed",
            "time_distributed_any", "layer_normalization",
            "layer_normalization_any", "batch_normalization",
            "normalization", "repeat_vector", "flatten", "flatten_prelu",
            "reshape", "reshape_sequence", "reshape_any", "prelu_shared",
            "conv1d_valid", "conv1d_same", "conv1d_causal", "conv1d_groups",
            "pooling", "global_pooling", "global_max_pooling",
            "fcn_classifier", "conv1d_causal_any", "resampling",
            "resampling_defaults", "windows_any", "windows_any_sequence",
            "global_pooling_any", "global_max_pooling_any"]

OUT_DIR = G.REPO_ROOT / "tests" / "fixtures" / "keras-files"
JSON_DIR = G.OUT_DIR  # tests/fixtures/keras

# Frozen clock for .keras saving (metadata.json date_saved and zip member
# times).  The date of BASE_SEED.
FROZEN_TIME = datetime.datetime(2024, 6, 1, 0, 0, 0)
# shared_object_id values: FAKE_ID_BASE + 16 * k, k = serialization order.
# Real ones are CPython object addresses (~1.4e14, more than 32 bits), and so
# are these, so a reader must still parse them as 64-bit integers.
FAKE_ID_BASE = 0x7F00_0000_0000
LEGACY_TOL = 1e-5   # tf_keras outputs vs the fixture outputs
RELOAD_TOL = 1e-6   # reloaded files vs the fixture outputs

# config keys that matter to tinyrnn (others, e.g. initializers and
# regularizers, are left out of the manifest's config summaries).
CONFIG_KEYS = ["name", "batch_shape", "batch_input_shape", "dtype", "units",
               "activation", "recurrent_activation", "use_bias",
               "return_sequences", "return_state", "go_backwards", "stateful",
               "unroll", "time_major", "reset_after", "dropout",
               "recurrent_dropout", "merge_mode", "rate", "stddev",
               "noise_shape"]


# ---------------------------------------------------------------------------
# Deterministic saving
# ---------------------------------------------------------------------------
class _FrozenTime:
    """Stand-in for the ``time`` module inside zipfile."""

    def time(self):
        return FROZEN_TIME.timestamp()

    def localtime(self, *args):
        return FROZEN_TIME.timetuple()

    def __getattr__(self, name):
        return getattr(time, name)


class _FrozenDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN_TIME


@contextlib.contextmanager
def deterministic_saving():
    """Freeze the clock zipfile and Keras' saving_lib read, and replace
    ``id()`` inside keras' serialization_lib (only used for
    shared_object_id) by a counter."""
    assert hasattr(saving_lib, "datetime") and hasattr(zipfile, "time")
    ids, keep = {}, []

    def stable_id(obj):
        key = builtins.id(obj)
        if key not in ids:
            ids[key] = FAKE_ID_BASE + 16 * len(ids)
            keep.append(obj)  # keeps the object alive: its id is not reused
        return ids[key]

    frozen_dt = type("datetime", (), {"datetime": _FrozenDatetime})
    with mock.patch.object(zipfile, "time", _FrozenTime()), \
            mock.patch.object(saving_lib, "datetime", frozen_dt), \
            mock.patch.object(serialization_lib, "id", stable_id, create=True):
        yield


@contextlib.contextmanager
def layers_from(module):
    """Make the case table's layer factories (``L.LSTM(...)`` etc. in
    gen_keras_fixtures) build layers of another Keras, e.g. tf_keras."""
    saved = G.L
    G.L = module
    try:
        yield
    finally:
        G.L = saved


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------
def fixture_model(name):
    """The case's live Keras 3 model and its fixture, checked against the
    committed JSON."""
    names = [c["name"] for c in G.CASES]
    index = names.index(name)
    fixture, info = G.build_case(index, G.CASES[index])
    committed = (JSON_DIR / f"{name}.json").read_text(encoding="utf-8")
    if G.fixture_text(fixture) != committed:
        sys.exit(f"{name}: the rebuilt fixture differs from "
                 f"tests/fixtures/keras/{name}.json; run gen_keras_fixtures.py "
                 "first (or check the pinned versions)")
    return index, fixture, info["model"]


def max_err(model_fn, fixture):
    err = 0.0
    for k in fixture["cases"]:
        x = np.asarray(k["input"], np.float32)[None]
        y = np.asarray(model_fn(x), np.float32)[0]
        want = np.asarray(k["output"], np.float32)
        assert y.shape == want.shape, (y.shape, want.shape)
        err = max(err, float(np.max(np.abs(y - want))))
    return err


def load_error(e):
    msg = " ".join(str(e).split())
    return f"fails: {type(e).__name__}: {msg[:200]}"


def k3_call(model):
    return lambda x: model(x, training=False)


def _simple_config(cfg):
    return {k: v for k, v in cfg.items()
            if k in CONFIG_KEYS and k not in ("dtype", "batch_shape",
                                              "batch_input_shape")}


def build_tf_keras(c, model):
    """The same architecture in tf_keras with the same weights, or (None,
    reason)."""
    if tf_keras is None:
        return None, "tf_keras is not installed"
    tf_keras.backend.clear_session()
    try:
        with layers_from(tf_keras.layers):
            tm = tf_keras.Sequential([tf_keras.Input((c["T"], c["F"]))]
                                     + [mk() for mk in c["layers"]])
        tm.set_weights(model.get_weights())
        for lay in tm.layers:  # as in gen_keras_fixtures.build_case
            if type(lay).__name__ == "Normalization":
                lay.finalize_state()
    except Exception as e:  # noqa: BLE001 - any failure means fallback
        return None, f"tf_keras cannot build the case: {type(e).__name__}"
    assert [lay.name for lay in tm.layers] == [lay.name for lay in model.layers]
    for a, b in zip(tm.layers, model.layers):
        ca, cb = _simple_config(a.get_config()), _simple_config(b.get_config())
        common = set(ca) & set(cb)
        assert {k: ca[k] for k in common} == {k: cb[k] for k in common}, \
            (a.name, ca, cb)
    assert all(np.array_equal(a, b)
               for a, b in zip(tm.get_weights(), model.get_weights()))
    return tm, None


# ---------------------------------------------------------------------------
# Inspection (for MANIFEST.json)
# ---------------------------------------------------------------------------
def sha256(data):
    return hashlib.sha256(data).hexdigest()


def _dtype_str(dt):
    return np.dtype(dt).str  # e.g. "<f4"


def _attr_type(attr_id):
    t, space = attr_id.get_type(), attr_id.get_space()
    dims = space.get_simple_extent_dims()
    shape = "scalar" if space.get_simple_extent_type() == h5py.h5s.SCALAR \
        else list(dims)
    if t.get_class() == h5py.h5t.STRING:
        cset = "UTF-8" if t.get_cset() == h5py.h5t.CSET_UTF8 else "ASCII"
        if t.is_variable_str():
            kind = f"variable-length string ({cset}, global heap)"
        else:
            kind = f"fixed-length string of {t.get_size()} bytes ({cset})"
    else:
        kind = _dtype_str(t.dtype)
    return kind, shape


def _attr_value(value):
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if isinstance(value, np.ndarray):
        return [_attr_value(v) for v in value.tolist()]
    if isinstance(value, (np.generic,)):
        return value.item()
    return value


_STAB_MSG, _LINFO_MSG = 0x11, 0x02


def describe_hdf5(data):
    """Format facts and every object of an HDF5 file given as bytes."""
    f = h5py.File(io.BytesIO(data), "r")
    fcpl = f.id.get_create_plist()
    sb = fcpl.get_version()
    info = {
        "superblock_version": sb[0],
        "freelist_version": sb[1],
        "symbol_table_entry_version": sb[2],
        "shared_header_version": sb[3],
        "offset_and_length_sizes": list(fcpl.get_sizes()),
        "userblock": fcpl.get_userblock(),
        "object_header_versions": set(),
        "group_storage": set(),
        "dataset_layouts": set(),
        "filters": set(),
        "dataset_dtypes": set(),
        "attributes": [],
        "group_count": 0,
        "datasets": {},
    }

    def visit_obj(path, obj):
        oinfo = h5py.h5o.get_info(obj.id)
        info["object_header_versions"].add(oinfo.hdr.version)
        for name in obj.attrs:
            aid = h5py.h5a.open(obj.id, name.encode())
            kind, shape = _attr_type(aid)
            entry = {"object": path, "name": name, "type": kind,
                     "shape": shape}
            value = _attr_value(obj.attrs[name])
            if isinstance(value, str) and len(value) > 80:
                entry["value_len"] = len(value)  # model_config: see configs
            else:
                entry["value"] = value
            info["attributes"].append(entry)
        if isinstance(obj, h5py.Group):
            present = oinfo.hdr.mesg.present
            if present & (1 << _STAB_MSG):
                info["group_storage"].add(
                    "symbol table (v1 B-tree + local heap)")
            if present & (1 << _LINFO_MSG):
                info["group_storage"].add("link messages (new style)")
            info["group_count"] += 1
        else:
            dcpl = obj.id.get_create_plist()
            layout = {h5py.h5d.CONTIGUOUS: "contiguous",
                      h5py.h5d.COMPACT: "compact",
                      h5py.h5d.CHUNKED: "chunked"}[dcpl.get_layout()]
            info["dataset_layouts"].add(layout)
            for i in range(dcpl.get_nfilters()):
                info["filters"].add(str(dcpl.get_filter(i)))
            info["dataset_dtypes"].add(_dtype_str(obj.dtype))
            info["datasets"][path.lstrip("/")] = {
                "shape": list(obj.shape), "dtype": _dtype_str(obj.dtype),
                "layout": layout, "data_offset": obj.id.get_offset(),
                "storage_size": obj.id.get_storage_size(),
                "values": np.asarray(obj[()]),
            }

    visit_obj("/", f)
    f.visititems(lambda name, obj: visit_obj("/" + name, obj))
    for key in ("object_header_versions", "group_storage", "dataset_layouts",
                "filters", "dataset_dtypes"):
        info[key] = sorted(info[key])
    info["file_size"] = len(data)
    f.close()
    return info


def _by_value(datasets, weights):
    """Dataset path of each get_weights() array, found by value: every array
    must match exactly one dataset and every dataset one array."""
    out, used = [], set()
    for w in weights:
        hits = [p for p, d in datasets.items()
                if d["values"].shape == w.shape
                and d["dtype"] == _dtype_str(w.dtype)
                and np.array_equal(d["values"], w)]
        assert len(hits) == 1, hits
        used.add(hits[0])
        out.append(hits[0])
    assert used == set(datasets), set(datasets) - used
    return out


def weight_table(h5info, paths, model):
    rows = []
    for p, var in zip(paths, model.weights):
        d = h5info["datasets"][p]
        # Contiguous little-endian, row-major: the raw data are
        # itemsize * prod(shape) bytes at data_offset (of the HDF5 file, or of
        # the model.weights.h5 member for a .keras file); float32 but for
        # Normalization's int64 `count`.
        item = np.dtype(d["dtype"]).itemsize
        assert d["dtype"] == "<f4" or G.short_name(var) == "count", d
        assert d["storage_size"] == item * int(np.prod(d["shape"])), d
        rows.append({"dataset": p, "variable": G.weight_path(model, var),
                     "shape": d["shape"], "dtype": d["dtype"],
                     "data_offset": d["data_offset"]})
    return rows


def public_h5info(h5info):
    return {k: v for k, v in h5info.items() if k != "datasets"}


def legacy_order(data):
    """Dataset paths in load order, from the legacy format's attributes:
    model_weights.layer_names, then each layer group's weight_names."""
    f = h5py.File(io.BytesIO(data), "r")
    mw = f["model_weights"]
    layer_names = [_attr_value(n) for n in mw.attrs["layer_names"]]
    weight_names, paths = {}, []
    for ln in layer_names:
        names = _attr_value(mw[ln].attrs["weight_names"])
        weight_names[ln] = names
        paths.extend(f"model_weights/{ln}/{wn}" for wn in names)
    f.close()
    return layer_names, weight_names, paths


def summarize_config(obj):
    """{class_name, module, config: the keys in CONFIG_KEYS} of a serialized
    Keras object; Bidirectional's inner layers are summarized too."""
    cfg = obj.get("config", {})
    out = {"class_name": obj["class_name"]}
    for k in ("module", "registered_name"):
        if k in obj:
            out[k] = obj[k]
    out["config"] = {k: cfg[k] for k in CONFIG_KEYS if k in cfg}
    for sub in ("layer", "backward_layer"):
        if sub in cfg:
            out["config"][sub] = summarize_config(cfg[sub])
    return out


def summarize_model_config(model_cfg):
    cfg = model_cfg["config"]
    return {
        "class_name": model_cfg["class_name"],
        "name": cfg.get("name"),
        "build_input_shape": cfg.get("build_input_shape"),
        "top_level_keys": sorted(model_cfg),
        "layers": [summarize_config(lay) for lay in cfg["layers"]],
    }


def zip_members(data):
    zf = zipfile.ZipFile(io.BytesIO(data))
    rows = []
    for zi in zf.infolist():
        # Local header: 30 bytes + file name + extra field, then the data.
        n, m = struct.unpack("<HH", data[zi.header_offset + 26:
                                         zi.header_offset + 30])
        rows.append({"name": zi.filename, "size": zi.file_size,
                     "compressed_size": zi.compress_size,
                     "compression": {zipfile.ZIP_STORED: "stored",
                                     zipfile.ZIP_DEFLATED: "deflated"}.get(
                                         zi.compress_type, zi.compress_type),
                     "date_time": list(zi.date_time),
                     "flag_bits": zi.flag_bits,
                     "header_offset": zi.header_offset,
                     "data_offset": zi.header_offset + 30 + n + m,
                     "crc32": f"{zi.CRC:08x}"})
    return zf, rows


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------
def generate_case(name, out_dir):
    index, fixture, model = fixture_model(name)
    c = G.CASES[index]
    weights = model.get_weights()
    paths = {kind: out_dir / f"{name}{ext}" for kind, ext in
             (("keras3", ".keras"), ("weights_h5", ".weights.h5"),
              ("legacy_h5", ".h5"))}
    k3_writer = f"keras {keras.__version__}"

    with deterministic_saving():
        model.save(paths["keras3"])
    model.save_weights(paths["weights_h5"])  # HDF5: deterministic as is

    # Legacy HDF5: tf_keras if it reproduces the fixture, else Keras 3.
    tm, reason = build_tf_keras(c, model)
    legacy = {}
    if tm is not None:
        err = max_err(lambda x: tm(x, training=False), fixture)
        if err <= LEGACY_TOL:
            legacy = {"writer": f"tf_keras {tf_keras.__version__}",
                      "writer_max_abs_err": err}
            tm.save(str(paths["legacy_h5"]))
        else:
            acts = json.dumps(summarize_model_config(
                json.loads(tm.to_json())))
            reason = (f"tf_keras {tf_keras.__version__} outputs differ from "
                      f"the fixture by {err:.3g} > {LEGACY_TOL}")
            if "hard_sigmoid" in acts:
                reason += (" (tf_keras hard_sigmoid is clip(0.2 x + 0.5, 0, "
                           "1); Keras 3's is relu6(x + 3) / 6)")
    if not legacy:
        model.save(paths["legacy_h5"])  # Keras 3's legacy H5 writer
        legacy = {"writer": f"{k3_writer} (legacy H5 writer)",
                  "fallback_reason": reason}

    # ---- reload every file and compare with the fixture outputs ----
    reload = {}
    m3 = keras.saving.load_model(paths["keras3"])
    reload["keras3"] = {k3_writer: max_err(k3_call(m3), fixture)}
    m3.set_weights([np.zeros_like(w) for w in weights])
    m3.load_weights(paths["weights_h5"])
    reload["weights_h5"] = {k3_writer: max_err(k3_call(m3), fixture)}
    legacy_loads = {}
    try:
        ml = keras.saving.load_model(paths["legacy_h5"], compile=False)
        legacy_loads[k3_writer] = max_err(k3_call(ml), fixture)
    except Exception as e:  # noqa: BLE001
        legacy_loads[k3_writer] = load_error(e)
    if tf_keras is not None:
        try:
            tf_keras.backend.clear_session()
            ml = tf_keras.models.load_model(paths["legacy_h5"], compile=False)
            legacy_loads[f"tf_keras {tf_keras.__version__}"] = max_err(
                lambda x: ml(x, training=False), fixture)
        except Exception as e:  # noqa: BLE001
            legacy_loads[f"tf_keras {tf_keras.__version__}"] = load_error(e)
    reload["legacy_h5"] = legacy_loads
    own = legacy["writer"].split(" (")[0]
    for kind, res in reload.items():
        key = own if kind == "legacy_h5" else k3_writer
        assert isinstance(res[key], float) and res[key] <= RELOAD_TOL, \
            (name, kind, res)

    # ---- manifest entries ----
    files = []
    data = paths["keras3"].read_bytes()
    zf, members = zip_members(data)
    assert [m["name"] for m in members] == [
        "metadata.json", "config.json", "model.weights.h5"], members
    assert all(m["date_time"] in ([1980, 1, 1, 0, 0, 0],
                                  list(FROZEN_TIME.timetuple()[:6]))
               for m in members), members
    config = json.loads(zf.read("config.json"))
    metadata = json.loads(zf.read("metadata.json"))
    inner = describe_hdf5(zf.read("model.weights.h5"))
    files.append({
        "file": paths["keras3"].name, "kind": "keras3", "writer": k3_writer,
        "size": len(data), "sha256": sha256(data),
        "zip_members": members, "metadata.json": metadata,
        "weights_member": "model.weights.h5",
        "weights": weight_table(inner, _by_value(inner["datasets"], weights),
                                model),
        "hdf5": public_h5info(inner),
        "reload_max_abs_err": reload["keras3"],
    })
    data = paths["weights_h5"].read_bytes()
    h5info = describe_hdf5(data)
    files.append({
        "file": paths["weights_h5"].name, "kind": "weights_h5",
        "writer": k3_writer, "size": len(data), "sha256": sha256(data),
        "weights": weight_table(h5info, _by_value(h5info["datasets"],
                                                  weights), model),
        "hdf5": public_h5info(h5info),
        "reload_max_abs_err": reload["weights_h5"],
    })
    data = paths["legacy_h5"].read_bytes()
    h5info = describe_hdf5(data)
    layer_names, weight_names, order = legacy_order(data)
    assert order == _by_value(h5info["datasets"], weights), order
    with h5py.File(io.BytesIO(data), "r") as f:
        model_config = json.loads(_attr_value(f.attrs["model_config"]))
    files.append({
        "file": paths["legacy_h5"].name, "kind": "legacy_h5", **legacy,
        "size": len(data), "sha256": sha256(data),
        "layer_names": layer_names, "weight_names": weight_names,
        "weights": weight_table(h5info, order, model),
        "model_config": summarize_model_config(model_config),
        "hdf5": public_h5info(h5info),
        "reload_max_abs_err": reload["legacy_h5"],
    })
    entry = {
        "fixture": f"tests/fixtures/keras/{name}.json",
        "dsl": fixture["dsl"],
        "seed": fixture["seed"],
        "total_params": fixture["total_params"],
        "keras_config": summarize_model_config(config),
        "files": files,
    }
    return entry


def tiny_png():
    """A valid 1x1 grey PNG (67 bytes)."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
            + chunk(b"IEND", b""))


def rezip(src, dst, replace=None, drop=()):
    """Copy a zip member by member (same ZipInfo, so same timestamps and
    flags), replacing or dropping some members."""
    replace = replace or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for zi in zin.infolist():
            if zi.filename in drop:
                continue
            zout.writestr(zi, replace.get(zi.filename, zin.read(zi)))


def generate_broken(out_dir):
    b = out_dir / "broken"
    b.mkdir(parents=True, exist_ok=True)
    keras_file = (out_dir / "seed_rnn2.keras").read_bytes()
    h5_file = (out_dir / "seed_rnn2.h5").read_bytes()
    with zipfile.ZipFile(out_dir / "seed_rnn2.keras") as z:
        config = z.read("config.json")
    with zipfile.ZipFile(out_dir / "var_len.keras") as z:
        var_len_weights = z.read("model.weights.h5")
    (b / "truncated.keras").write_bytes(keras_file[:len(keras_file) // 2])
    (b / "truncated.h5").write_bytes(h5_file[:len(h5_file) // 2])
    (b / "empty.keras").write_bytes(b"")
    (b / "empty.h5").write_bytes(b"")
    (b / "png_renamed.keras").write_bytes(tiny_png())
    (b / "text_renamed.h5").write_bytes(
        b"This is a text file, not an HDF5 file.\n")
    rezip(out_dir / "seed_rnn2.keras", b / "shape_mismatch.keras",
          replace={"model.weights.h5": var_len_weights})
    rezip(out_dir / "seed_rnn2.keras", b / "missing_weights.keras",
          drop=("model.weights.h5",))
    rezip(out_dir / "seed_rnn2.keras", b / "bad_config_json.keras",
          replace={"config.json": config[:len(config) // 2]})
    what = {
        "truncated.keras": "first half of seed_rnn2.keras (the zip's central "
                           "directory and part of model.weights.h5 are gone)",
        "truncated.h5": "first half of seed_rnn2.h5 (valid superblock whose "
                        "end-of-file address is past the end of the file)",
        "empty.keras": "0 bytes",
        "empty.h5": "0 bytes",
        "png_renamed.keras": "a valid 1x1 PNG image renamed .keras",
        "text_renamed.h5": "a one-line text file renamed .h5",
        "shape_mismatch.keras": "valid zip: seed_rnn2's metadata.json and "
                                "config.json (SimpleRNN(2), Dense(1) over "
                                "[50, 3]) with var_len's model.weights.h5 "
                                "(SimpleRNN(4), Dense(2): same group and "
                                "dataset names, other shapes)",
        "missing_weights.keras": "seed_rnn2.keras without model.weights.h5",
        "bad_config_json.keras": "seed_rnn2.keras whose config.json is cut "
                                 "in half (invalid JSON)",
    }
    out = []
    for fname, desc in what.items():
        data = (b / fname).read_bytes()
        out.append({"file": f"broken/{fname}", "size": len(data),
                    "sha256": sha256(data), "what": desc})
    return out


WRONG_ARCHITECTURE = [
    {"file": "gru_basic.keras", "for_case": "seed_rnn2",
     "why": "valid file, but GRU(4), Dense(1) over [20, 3] where seed_rnn2 "
            "is SimpleRNN(2), Dense(1) over [50, 3]"},
    {"file": "lstm_stacked.weights.h5", "for_case": "seed_rnn2",
     "why": "valid weights of LSTM(6), LSTM(3), Dense(2): other layer names, "
            "count and shapes"},
    {"file": "gru_basic.h5", "for_case": "seed_rnn2",
     "why": "valid legacy file whose layer_names are gru, dense"},
    {"file": "var_len.weights.h5", "for_case": "seed_rnn2",
     "why": "same layer and dataset names (simple_rnn, dense), other "
            "shapes: SimpleRNN(4), Dense(2)"},
]


def generate(out_dir):
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    versions = {
        "python": sys.version.split()[0], "keras": keras.__version__,
        "tensorflow": tf.__version__,
        "tf_keras": None if tf_keras is None else tf_keras.__version__,
        "h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version,
        "numpy": np.__version__,
    }
    print("  ".join(f"{k} {v}" for k, v in versions.items()))
    cases = {}
    for name in SELECTED:
        cases[name] = generate_case(name, out_dir)
        sizes = ", ".join(f"{f['file']} {f['size']}"
                          for f in cases[name]["files"])
        print(f"{name:<20} legacy writer: "
              f"{cases[name]['files'][2]['writer']:<32} {sizes}")
    manifest = {
        "generated_by": "tools/gen_keras_files.py (see tools/README.md)",
        "versions": versions,
        "frozen_time": FROZEN_TIME.isoformat(),
        "fake_shared_object_id_base": FAKE_ID_BASE,
        "cases": cases,
        "broken": generate_broken(out_dir),
        "wrong_architecture": WRONG_ARCHITECTURE,
    }
    text = format_json(manifest) + "\n"
    assert json.loads(text) == json.loads(json.dumps(manifest))
    (out_dir / "MANIFEST.json").write_text(text, encoding="utf-8")
    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    print(f"wrote {sum(1 for p in out_dir.rglob('*') if p.is_file())} files "
          f"({total} bytes) to {out_dir}")


def format_json(obj, indent=0, width=160, lead=0):
    """Indented JSON (one space per level) in which every object or array
    that fits in `width` columns stays on one line, so MANIFEST.json stays
    short and readable.  `lead`: columns already used on the first line."""
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


def tree_digest(root):
    return {str(p.relative_to(root)): sha256(p.read_bytes())
            for p in sorted(root.rglob("*")) if p.is_file()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare "
                         "with the committed files (exit 1 on a difference)")
    args = ap.parse_args()
    if not args.check:
        generate(OUT_DIR)
        return
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "keras-files"
        generate(fresh)
        want, got = tree_digest(OUT_DIR), tree_digest(fresh)
    diff = sorted(k for k in set(want) | set(got) if want.get(k) != got.get(k))
    for k in diff:
        print(f"DIFFERS: {k}")
    print("identical" if not diff else f"{len(diff)} file(s) differ")
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
