#!/usr/bin/env python3
"""Generate PyTorch reference fixtures for the tinyrnn Rust tests.

For every case in CASES this script builds a real PyTorch ``Net(nn.Module)``
(an nn.RNN / nn.LSTM / nn.GRU followed by an nn.Linear), fills every parameter
(both biases included) with seeded uniform(-0.5, 0.5) float32 values, runs
three seeded standard-normal input sequences through it (batch size 1, eval
mode, no grad) and writes to ``tests/fixtures/torch/``:

    <case>.safetensors   safetensors.torch.save_file(model.state_dict(), ...)
    <case>.pt            torch.save(model.state_dict(), ...)   (zip format)
    <case>.json          DSL, state_dict keys/shapes, parameter counts,
                         inputs and PyTorch outputs, the weights converted to
                         Keras get_weights() order (flat), module repr.

The point of the script is to VERIFY the PyTorch -> Keras weight mapping
(see tools/README.md): each case's state_dict is converted with that mapping
into the equivalent Keras 3 model, which must reproduce the PyTorch outputs
within 1e-5 (and so must the float64 NumPy reference of
gen_keras_fixtures.py, run on the Keras model).

Also writes ``tests/fixtures/torch/MANIFEST.json``: per file size and sha256,
the .pt zip members and the pickle protocol / opcodes / globals of data.pkl.

Output is byte-for-byte deterministic (checked with ``--check``, which
regenerates into a temporary directory and compares with the committed files).

Run from anywhere:  python3 tools/gen_torch_fixtures.py [--check]
CI never runs this script; the generated files are committed.
"""

import os
import sys

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ["COLUMNS"] = "120"
sys.dont_write_bytecode = True  # no tools/__pycache__ from the import below

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import pickletools  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
# triton (a torch dependency, GPU kernels only) bundles its own LLVM, which
# clashes with TensorFlow's in one process ("LLVM ERROR: inconsistency in
# registered CommandLine options", then abort) when torch._dynamo imports it.
# Nothing here needs it: make `import triton` fail, which torch handles.
sys.modules["triton"] = None
import keras  # noqa: E402
from keras import layers as L  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_keras_fixtures import numpy_reference, f32list, flat_f32  # noqa: E402

import torch  # noqa: E402
from torch import nn  # noqa: E402
import safetensors  # noqa: E402
import safetensors.torch  # noqa: E402

BASE_SEED = 20250701
WEIGHT_RANGE = 0.5
N_SEQUENCES = 3
TOLERANCE = 1e-5  # max |torch - keras|

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "tests" / "fixtures" / "torch"

GATES = {"rnn": 1, "lstm": 4, "gru": 3}
TORCH_CLASS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
KERAS_CLASS = {"rnn": L.SimpleRNN, "lstm": L.LSTM, "gru": L.GRU}
DSL_NAME = {"rnn": "simple_rnn", "lstm": "lstm", "gru": "gru"}


def case(name, dsl, kind, F, H, out, T=None, lengths=None, num_layers=1,
         bidirectional=False, bias=True, batch_first=True,
         nonlinearity="tanh", head="last"):
    """One fixture case.

    head: "last"   Linear on out[:, -1] (one output vector; for a
                   bidirectional module the Keras semantics instead:
                   concat(h_n forward, h_n backward) of the last layer),
          "seq"    Linear on every timestep of out (a sequence).
    T=None means variable length (`input [_, F]`), with the given lengths.
    """
    assert (T is None) == (lengths is not None), name
    return dict(name=name, dsl=dsl, kind=kind, F=F, H=H, out=out, T=T,
                lengths=lengths, num_layers=num_layers,
                bidirectional=bidirectional, bias=bias,
                batch_first=batch_first, nonlinearity=nonlinearity, head=head)


# ---------------------------------------------------------------------------
# Case table.  Append new cases at the END only (seeds are index based).
# ---------------------------------------------------------------------------
CASES = [
    case("rnn_tanh", "input [12, 3]; simple_rnn(4); dense(1);",
         "rnn", 3, 4, 1, T=12),
    case("rnn_relu", "input [12, 3]; simple_rnn(4, activation = relu); dense(1);",
         "rnn", 3, 4, 1, T=12, nonlinearity="relu"),
    case("lstm1", "input [15, 3]; lstm(5); dense(2);",
         "lstm", 3, 5, 2, T=15),
    case("lstm2", "input [10, 4]; lstm(6, return_sequences = true); lstm(6); dense(1);",
         "lstm", 4, 6, 1, T=10, num_layers=2),
    case("gru1", "input [15, 3]; gru(4); dense(1);",
         "gru", 3, 4, 1, T=15),
    case("gru2", "input [10, 2]; gru(3, return_sequences = true); gru(3); dense(1);",
         "gru", 2, 3, 1, T=10, num_layers=2),
    case("lstm_bi", "input [9, 3]; bidirectional(lstm(4)); dense(1);",
         "lstm", 3, 4, 1, T=9, bidirectional=True),
    case("gru_bi_seq",
         "input [8, 2]; bidirectional(gru(3, return_sequences = true)); dense(2);",
         "gru", 2, 3, 2, T=8, bidirectional=True, head="seq"),
    case("rnn_seq_not_batch_first",
         "input [7, 2]; simple_rnn(3, return_sequences = true); dense(1);",
         "rnn", 2, 3, 1, T=7, batch_first=False, head="seq"),
    case("lstm2_bi",
         "input [6, 3]; bidirectional(lstm(4, return_sequences = true)); "
         "bidirectional(lstm(4)); dense(1);",
         "lstm", 3, 4, 1, T=6, num_layers=2, bidirectional=True),
    case("lstm_nobias", "input [10, 3]; lstm(4, use_bias = false); dense(1);",
         "lstm", 3, 4, 1, T=10, bias=False),
    case("var_len_gru", "input [_, 3]; gru(4); dense(1);",
         "gru", 3, 4, 1, lengths=[1, 6, 25]),
]


# ---------------------------------------------------------------------------
# The PyTorch module
# ---------------------------------------------------------------------------
class Net(nn.Module):
    """An RNN-family layer, then nn.Linear on the last step or every step.

    forward takes (batch, T, F) whatever batch_first is (it transposes to
    (T, batch, F) itself when batch_first=False), so the fixture input is
    always [T, F].
    """

    def __init__(self, c):
        super().__init__()
        kw = dict(num_layers=c["num_layers"], bias=c["bias"],
                  batch_first=c["batch_first"],
                  bidirectional=c["bidirectional"])
        if c["kind"] == "rnn":
            kw["nonlinearity"] = c["nonlinearity"]
        # Attribute named as people do: self.rnn / self.lstm / self.gru.
        self.rnn_attr = c["kind"]
        setattr(self, c["kind"], TORCH_CLASS[c["kind"]](c["F"], c["H"], **kw))
        dirs = 2 if c["bidirectional"] else 1
        self.fc = nn.Linear(dirs * c["H"], c["out"])
        self.head = c["head"]
        self.batch_first = c["batch_first"]
        self.bidirectional = c["bidirectional"]

    def forward(self, x):  # x: (batch, T, F)
        rnn = getattr(self, self.rnn_attr)
        if not self.batch_first:
            x = x.transpose(0, 1)  # (T, batch, F)
        out, state = rnn(x)
        h_n = state[0] if isinstance(state, tuple) else state  # LSTM: (h_n, c_n)
        if not self.batch_first:
            out = out.transpose(0, 1)  # back to (batch, T, dirs*H)
        if self.head == "seq":
            # out is time-aligned for both directions (like Keras
            # Bidirectional with return_sequences=True, merge concat).
            return self.fc(out)
        if self.bidirectional:
            # Keras Bidirectional(return_sequences=False): the backward
            # layer's state after the WHOLE reversed sequence, which is
            # h_n of the last layer's reverse direction, not out[:, -1]
            # (that is the reverse direction after seeing only x[T-1]).
            return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=-1))
        return self.fc(out[:, -1])


def make_dsl(c):
    """The model! DSL derived from the case spec (checked against the table)."""
    T = "_" if c["T"] is None else str(c["T"])
    parts = [f"input [{T}, {c['F']}]"]
    for k in range(c["num_layers"]):
        args = [str(c["H"])]
        if c["kind"] == "rnn" and c["nonlinearity"] != "tanh":
            args.append(f"activation = {c['nonlinearity']}")
        if not c["bias"]:
            args.append("use_bias = false")
        if k < c["num_layers"] - 1 or c["head"] == "seq":
            args.append("return_sequences = true")
        layer = f"{DSL_NAME[c['kind']]}({', '.join(args)})"
        if c["bidirectional"]:
            layer = f"bidirectional({layer})"
        parts.append(layer)
    parts.append(f"dense({c['out']})")
    return "; ".join(parts) + ";"


# ---------------------------------------------------------------------------
# The equivalent Keras model and the PyTorch -> Keras weight mapping
# ---------------------------------------------------------------------------
def keras_model(c):
    keras.backend.clear_session()
    layers = [keras.Input((c["T"], c["F"]))]
    for k in range(c["num_layers"]):
        kw = dict(use_bias=c["bias"],
                  return_sequences=k < c["num_layers"] - 1 or c["head"] == "seq")
        if c["kind"] == "rnn":
            kw["activation"] = c["nonlinearity"]
        if c["kind"] == "gru":
            kw["reset_after"] = True  # PyTorch's GRU (also Keras 3's default)
        layer = KERAS_CLASS[c["kind"]](c["H"], **kw)
        if c["bidirectional"]:
            layer = L.Bidirectional(layer, merge_mode="concat")
        layers.append(layer)
    layers.append(L.Dense(c["out"]))
    return keras.Sequential(layers)


def gru_perm(h):
    """Row order taking PyTorch's GRU gate blocks r, z, n to Keras's z, r, h."""
    return np.concatenate([np.arange(h, 2 * h), np.arange(0, h),
                           np.arange(2 * h, 3 * h)])


def torch_to_keras(c, sd):
    """state_dict (name -> float32 ndarray) -> Keras get_weights() list.

    Returns the arrays and, per array, the state_dict keys it came from.
    """
    kind, h = c["kind"], c["H"]
    p = c["kind"]  # module attribute = key prefix
    perm = gru_perm(h) if kind == "gru" else np.arange(GATES[kind] * h)
    arrays, sources = [], []
    used = set()

    def take(key):
        used.add(key)
        return sd[key]

    for k in range(c["num_layers"]):
        for sfx in ([""] + (["_reverse"] if c["bidirectional"] else [])):
            w_ih = take(f"{p}.weight_ih_l{k}{sfx}")  # (gates*h, d)
            w_hh = take(f"{p}.weight_hh_l{k}{sfx}")  # (gates*h, h)
            arrays.append(np.ascontiguousarray(w_ih[perm].T))   # kernel (d, gates*h)
            sources.append([f"{p}.weight_ih_l{k}{sfx}"])
            arrays.append(np.ascontiguousarray(w_hh[perm].T))   # recurrent (h, gates*h)
            sources.append([f"{p}.weight_hh_l{k}{sfx}"])
            if c["bias"]:
                b_ih = take(f"{p}.bias_ih_l{k}{sfx}")
                b_hh = take(f"{p}.bias_hh_l{k}{sfx}")
                if kind == "gru":
                    # reset_after: (2, 3h) = [input bias row, recurrent row]
                    arrays.append(np.stack([b_ih[perm], b_hh[perm]]))
                else:
                    # float32 sum, exactly what a float32 converter computes
                    arrays.append((b_ih + b_hh).astype(np.float32))
                sources.append([f"{p}.bias_ih_l{k}{sfx}",
                                f"{p}.bias_hh_l{k}{sfx}"])
    arrays.append(np.ascontiguousarray(take("fc.weight").T))  # (in, out)
    sources.append(["fc.weight"])
    arrays.append(take("fc.bias"))
    sources.append(["fc.bias"])
    assert used == set(sd), (c["name"], set(sd) - used)
    assert all(a.dtype == np.float32 for a in arrays)
    return arrays, sources


def keras_param_count(c):
    """Keras count: PyTorch's minus the second bias of SimpleRNN / LSTM."""
    h, g = c["H"], GATES[c["kind"]]
    dirs = 2 if c["bidirectional"] else 1
    n = 0
    for k in range(c["num_layers"]):
        d = c["F"] if k == 0 else dirs * h
        per = g * h * (d + h)
        if c["bias"]:
            per += 2 * g * h if c["kind"] == "gru" else g * h
        n += dirs * per
    return n + dirs * h * c["out"] + c["out"]


# ---------------------------------------------------------------------------
# One case
# ---------------------------------------------------------------------------
def build_case(index, c, out_dir):
    seed = BASE_SEED + index
    assert make_dsl(c) == c["dsl"], (c["name"], make_dsl(c), c["dsl"])
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)

    model = Net(c).eval()
    # Weights: uniform(-0.5, 0.5) for every state_dict entry, in order.
    with torch.no_grad():
        for key, t in model.state_dict().items():
            v = rng.uniform(-WEIGHT_RANGE, WEIGHT_RANGE, size=tuple(t.shape))
            t.copy_(torch.from_numpy(v.astype(np.float32)))
    sd_t = model.state_dict()
    sd = {k: v.detach().cpu().numpy().copy() for k, v in sd_t.items()}
    assert all(a.dtype == np.float32 for a in sd.values())

    lengths = c["lengths"] if c["T"] is None else [c["T"]] * N_SEQUENCES
    inputs = [rng.standard_normal((t, c["F"])).astype(np.float32)
              for t in lengths]

    outputs = []
    with torch.no_grad():
        for x in inputs:
            y = model(torch.from_numpy(x)[None])[0].numpy().astype(np.float32)
            assert np.all(np.isfinite(y)), c["name"]
            outputs.append(y)

    # ---- Keras: the mapping, checked numerically ----
    km = keras_model(c)
    kw, sources = torch_to_keras(c, sd)
    shapes = [tuple(w.shape) for w in km.get_weights()]
    assert shapes == [w.shape for w in kw], (c["name"], shapes,
                                             [w.shape for w in kw])
    km.set_weights(kw)
    max_diff = 0.0
    max_ref = 0.0
    for x, y in zip(inputs, outputs):
        yk = np.asarray(km(x[None], training=False))[0]
        assert yk.shape == y.shape, (c["name"], yk.shape, y.shape)
        max_diff = max(max_diff, float(np.max(np.abs(yk - y))))
        ref = numpy_reference(km, x)  # float64, independent of both
        max_ref = max(max_ref, float(np.max(np.abs(ref - y))))
    assert max_diff < TOLERANCE, (c["name"], max_diff)
    assert max_ref < TOLERANCE, (c["name"], max_ref)

    torch_params = int(sum(t.numel() for t in sd_t.values()))
    assert torch_params == sum(p.numel() for p in model.parameters())
    keras_params = keras_param_count(c)
    assert keras_params == km.count_params(), (c["name"], km.count_params())
    keras_flat = []
    for w in kw:
        keras_flat.extend(flat_f32(w))
    assert len(keras_flat) == keras_params

    keras_weights_info = []
    for var, src, a in zip(km.weights, sources, kw):
        path = var.path
        prefix = km.name + "/"
        assert path.startswith(prefix)
        keras_weights_info.append({"path": path[len(prefix):],
                                   "shape": list(a.shape), "from": src})

    fixture = {
        "name": c["name"],
        "dsl": c["dsl"],
        "torch_version": torch.__version__,
        "safetensors_version": safetensors.__version__,
        "keras_version": keras.__version__,
        "seed": seed,
        "batch_first": c["batch_first"],
        "head": ("sequence" if c["head"] == "seq" else
                 "final_states" if c["bidirectional"] else "last_step"),
        "state_dict": [{"key": k, "shape": list(v.shape)} for k, v in sd.items()],
        "torch_params": torch_params,
        "keras_params": keras_params,
        "keras_weight_arrays": keras_weights_info,
        "keras_weights": keras_flat,
        "cases": [{"input": f32list(x), "output": f32list(y)}
                  for x, y in zip(inputs, outputs)],
        "module_repr": repr(model),
    }
    text = json.dumps(fixture, indent=None, allow_nan=False) + "\n"
    back = json.loads(text)
    assert back["keras_weights"] == keras_flat
    assert all(np.float32(v) == v for v in keras_flat)

    name = c["name"]
    (out_dir / f"{name}.json").write_text(text, encoding="utf-8")
    safetensors.torch.save_file(sd_t, str(out_dir / f"{name}.safetensors"))
    os.chmod(out_dir / f"{name}.safetensors", 0o644)  # it writes 0600
    torch.save(sd_t, str(out_dir / f"{name}.pt"))

    # Round trips: both files give back the exact state_dict, in order.
    st = safetensors.torch.load_file(str(out_dir / f"{name}.safetensors"))
    assert set(st) == set(sd)
    assert all(np.array_equal(st[k].numpy(), sd[k]) for k in sd)
    pt = torch.load(str(out_dir / f"{name}.pt"), weights_only=True)
    assert list(pt) == list(sd)
    assert all(np.array_equal(pt[k].numpy(), sd[k]) for k in sd)

    info = dict(torch_params=torch_params, keras_params=keras_params,
                max_diff=max_diff, max_ref=max_ref,
                out_shapes=[list(o.shape) for o in outputs],
                out_range=(float(min(o.min() for o in outputs)),
                           float(max(o.max() for o in outputs))))
    return fixture, info


# ---------------------------------------------------------------------------
# MANIFEST.json: what a reader of the files has to expect
# ---------------------------------------------------------------------------
def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def pickle_summary(data):
    """Protocol, opcode names (sorted), GLOBAL/STACK_GLOBAL targets and
    persistent ids of a pickle, found by walking its opcodes."""
    ops, globs, pids = set(), [], []
    proto = None
    strings = []  # recent string pushes, for STACK_GLOBAL
    for op, arg, _pos in pickletools.genops(data):
        ops.add(op.name)
        if op.name == "PROTO":
            proto = arg
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        if op.name == "GLOBAL":
            g = arg.replace(" ", ".")
            if g not in globs:
                globs.append(g)
        if op.name == "STACK_GLOBAL":
            g = f"{strings[-2]}.{strings[-1]}"
            if g not in globs:
                globs.append(g)
    return proto, sorted(ops), globs


def zip_members(path):
    raw = path.read_bytes()
    out = []
    with zipfile.ZipFile(path) as z:
        for zi in z.infolist():
            # local header: 30 bytes + name + extra, then the data
            off = zi.header_offset
            n = int.from_bytes(raw[off + 26:off + 28], "little")
            m = int.from_bytes(raw[off + 28:off + 30], "little")
            data_off = off + 30 + n + m
            out.append({"name": zi.filename, "compress_type": zi.compress_type,
                        "size": zi.file_size, "header_offset": off,
                        "data_offset": data_off,
                        "data_offset_mod_64": data_off % 64,
                        "date_time": list(zi.date_time),
                        "flag_bits": zi.flag_bits, "crc": zi.CRC})
    return out


def zip_layout(path):
    """Zip-level facts a reader must handle (PyTorch's own zip writer)."""
    raw = path.read_bytes()
    flags, extra_ids = set(), set()
    with zipfile.ZipFile(path) as z:
        for zi in z.infolist():
            off = zi.header_offset
            flags.add(int.from_bytes(raw[off + 6:off + 8], "little"))
            n = int.from_bytes(raw[off + 26:off + 28], "little")
            m = int.from_bytes(raw[off + 28:off + 30], "little")
            ex = raw[off + 30 + n:off + 30 + n + m]
            while len(ex) >= 4:
                extra_ids.add(f"0x{int.from_bytes(ex[:2], 'little'):04x}")
                ex = ex[4 + int.from_bytes(ex[2:4], "little"):]
        comment = z.comment.decode("latin-1")
    return {"local_header_flags": sorted(flags),
            "local_extra_field_ids": sorted(extra_ids),
            "data_descriptors": raw.count(b"PK\x07\x08"),
            "zip64_end_of_central_directory": raw.find(b"PK\x06\x06") >= 0,
            "zip64_locator": raw.find(b"PK\x06\x07") >= 0,
            "comment": comment}


def safetensors_header(path):
    raw = path.read_bytes()
    n = int.from_bytes(raw[:8], "little")
    return n, json.loads(raw[8:8 + n])


def manifest(out_dir):
    entries = []
    for c in CASES:
        name = c["name"]
        st = out_dir / f"{name}.safetensors"
        pt = out_dir / f"{name}.pt"
        hlen, header = safetensors_header(st)
        with zipfile.ZipFile(pt) as z:
            pkl_name = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            proto, ops, globs = pickle_summary(z.read(pkl_name))
            members = {n: z.read(n) for n in z.namelist()}
        # the small text members (byteorder, version, ...), not tensor data
        small = {n: v.decode("ascii", "replace") for n, v in members.items()
                 if "/data/" not in n and not n.endswith(".pkl")}
        entries.append({
            "name": name,
            "safetensors": {"size": st.stat().st_size, "sha256": sha256(st),
                            "header_len": hlen,
                            "header": header},
            "pt": {"size": pt.stat().st_size, "sha256": sha256(pt),
                   "zip": zip_layout(pt),
                   "members": zip_members(pt),
                   "small_members": small,
                   "pickle_protocol": proto, "pickle_opcodes": ops,
                   "pickle_globals": globs},
        })
    return {"torch_version": torch.__version__,
            "safetensors_version": safetensors.__version__,
            "pickle_opcodes_all": sorted({o for e in entries
                                          for o in e["pt"]["pickle_opcodes"]}),
            "pickle_globals_all": sorted({g for e in entries
                                          for g in e["pt"]["pickle_globals"]}),
            "files": entries}


def generate(out_dir):
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    print(f"torch {torch.__version__}, safetensors {safetensors.__version__}, "
          f"keras {keras.__version__}, numpy {np.__version__}, "
          f"python {sys.version.split()[0]}")
    for i, c in enumerate(CASES):
        _, info = build_case(i, c, out_dir)
        print(f"{c['name']:<24} torch_params={info['torch_params']:<4} "
              f"keras_params={info['keras_params']:<4} "
              f"out={info['out_shapes']} "
              f"range=[{info['out_range'][0]:.3g}, {info['out_range'][1]:.3g}] "
              f"|torch-keras|={info['max_diff']:.2e} "
              f"|torch-f64ref|={info['max_ref']:.2e}")
    text = json.dumps(manifest(out_dir), indent=1, allow_nan=False) + "\n"
    (out_dir / "MANIFEST.json").write_text(text, encoding="utf-8")
    print(f"wrote {3 * len(CASES)} files + MANIFEST.json to {out_dir}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temp dir and compare byte for byte "
                         "with tests/fixtures/torch/")
    args = ap.parse_args()
    names = [c["name"] for c in CASES]
    assert len(set(names)) == len(names)
    if not args.check:
        generate(OUT_DIR)
        return
    tmp = Path(tempfile.mkdtemp())
    try:
        generate(tmp)
        a = sorted(p.name for p in tmp.iterdir())
        b = sorted(p.name for p in OUT_DIR.iterdir())
        assert a == b, (a, b)
        bad = [n for n in a if (tmp / n).read_bytes() != (OUT_DIR / n).read_bytes()]
        if bad:
            sys.exit(f"differ: {bad}")
        print(f"--check: all {len(a)} files identical")
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
