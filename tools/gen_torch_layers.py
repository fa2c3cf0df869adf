#!/usr/bin/env python3
"""PyTorch state dicts with nn.Embedding, nn.LayerNorm, nn.BatchNorm1d, nn.Conv1d.

gen_torch_fixtures.py covers one recurrent module and a Linear head.  Real
PyTorch sequence models also put an nn.Embedding in front (token ids), an
nn.LayerNorm between recurrent layers, and an nn.BatchNorm1d on the features
before the head.  A state dict does not say where those go; a `model!`
declaration does (issue 14), and the loader matches them in its order.

For every model below this script builds the real nn.Module, fills every
parameter and buffer with seeded values (BatchNorm1d's running statistics
too: variances in (0.5, 2.0), not the defaults), runs three seeded inputs
through it in eval mode, and writes to tests/fixtures/torch-layers/:

    <name>.safetensors   safetensors.torch.save_file(model.state_dict())
    <name>.pt            torch.save(model.state_dict())
    <name>.json          the `model!` declaration, the state dict's keys and
                         shapes, the inputs (token ids or [T][F] floats) and
                         PyTorch's outputs

and MANIFEST.json (sizes and sha256).  PyTorch's eps (1e-5) is not Keras's
(1e-3): the declarations say `epsilon = 0.00001`.  Output is byte-for-byte
deterministic.

Run from anywhere:  python3 tools/gen_torch_layers.py
CI never runs it; the files are committed.
"""

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path

sys.dont_write_bytecode = True
# As gen_torch_fixtures.py: triton's LLVM must not load (GPU kernels only).
sys.modules["triton"] = None

import numpy as np  # noqa: E402
import safetensors.torch  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

BASE_SEED = 20261128
N_CASES = 3
OUT_DIR = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "torch-layers"


class EmbeddingGru(nn.Module):
    """Token ids -> nn.Embedding -> nn.GRU -> last output -> nn.Linear."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(50, 8)
        self.gru = nn.GRU(8, 6, batch_first=True)
        self.head = nn.Linear(6, 2)

    def forward(self, ids):
        out, _ = self.gru(self.embedding(ids))
        return self.head(out[:, -1])


class LayerNormLstm(nn.Module):
    """nn.LSTM (sequences) -> nn.LayerNorm -> nn.LSTM -> last output -> nn.Linear."""

    def __init__(self):
        super().__init__()
        self.lstm1 = nn.LSTM(4, 6, batch_first=True)
        self.norm = nn.LayerNorm(6)
        self.lstm2 = nn.LSTM(6, 5, batch_first=True)
        self.head = nn.Linear(5, 1)

    def forward(self, x):
        out, _ = self.lstm1(x)
        out, _ = self.lstm2(self.norm(out))
        return self.head(out[:, -1])


class BatchNormGru(nn.Module):
    """nn.GRU -> last output -> nn.BatchNorm1d (eval: running statistics) -> nn.Linear."""

    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(3, 5, batch_first=True)
        self.norm = nn.BatchNorm1d(5)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(self.norm(out[:, -1]))


class ConvGru(nn.Module):
    """(N, L, C) -> nn.Conv1d (channels first, padding 1: Keras's `same` for a kernel
    of 3) and a dilated one with 2 groups -> nn.GRU -> last output -> nn.Linear."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(3, 4, 3, padding=1)
        self.dilated = nn.Conv1d(4, 6, 2, dilation=2, groups=2, bias=False)
        self.gru = nn.GRU(6, 5, batch_first=True)
        self.head = nn.Linear(5, 2)

    def forward(self, x):
        x = self.dilated(self.conv(x.transpose(1, 2))).transpose(1, 2)
        out, _ = self.gru(x)
        return self.head(out[:, -1])


MODELS = [
    dict(name="embedding_gru", module=EmbeddingGru,
         dsl="input [10]; embedding(50, 8); gru(6); dense(2);",
         ids=(10, 50)),
    dict(name="layernorm_lstm", module=LayerNormLstm,
         dsl="input [10, 4]; lstm(6, return_sequences = true); "
             "layer_normalization(epsilon = 0.00001); lstm(5); dense(1);",
         shape=(10, 4)),
    dict(name="batchnorm_gru", module=BatchNormGru,
         dsl="input [12, 3]; gru(5); batch_normalization(epsilon = 0.00001); "
             "dense(2);",
         shape=(12, 3)),
    dict(name="conv_gru", module=ConvGru,
         dsl="input [10, 3]; conv1d(4, 3, padding = same); "
             "conv1d(6, 2, dilation_rate = 2, groups = 2, use_bias = false); "
             "gru(5); dense(2);",
         shape=(10, 3)),
]


def fill(model, rng):
    """Seeded values for every parameter and floating buffer."""
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if not t.is_floating_point():
                continue  # num_batches_tracked
            if key.endswith("running_var"):
                v = rng.uniform(0.5, 2.0, size=tuple(t.shape))
            elif key.endswith("running_mean"):
                v = rng.standard_normal(tuple(t.shape)) * 0.5
            else:
                v = rng.uniform(-0.5, 0.5, size=tuple(t.shape))
            t.copy_(torch.from_numpy(v.astype(np.float32)))


def rounded(a):
    return [float(np.float32(v)) for v in np.asarray(a, np.float32).ravel()]


def build(index, spec):
    seed = BASE_SEED + index
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = spec["module"]().eval()
    fill(model, rng)
    cases = []
    for _ in range(N_CASES):
        if "ids" in spec:
            T, V = spec["ids"]
            x = rng.integers(0, V, T).astype(np.int64)
            xin = torch.from_numpy(x)[None]
            case_input = [int(v) for v in x]
        else:
            x = rng.standard_normal(spec["shape"]).astype(np.float32)
            xin = torch.from_numpy(x)[None]
            case_input = [rounded(row) for row in x]
        with torch.no_grad():
            y = model(xin)[0].numpy()
        assert np.all(np.isfinite(y))
        cases.append({"input": case_input, "output": rounded(y)})
    sd = {k: v.contiguous() for k, v in model.state_dict().items()}
    name = spec["name"]
    safetensors.torch.save_file(sd, str(OUT_DIR / f"{name}.safetensors"))
    os.chmod(OUT_DIR / f"{name}.safetensors", 0o644)
    torch.save(sd, str(OUT_DIR / f"{name}.pt"))
    back = safetensors.torch.load_file(str(OUT_DIR / f"{name}.safetensors"))
    assert all(torch.equal(back[k], sd[k]) for k in sd)
    fixture = {
        "name": name,
        "dsl": spec["dsl"],
        "module": repr(model),
        "torch_version": torch.__version__.split("+")[0],
        "seed": seed,
        "state_dict": [{"key": k, "shape": list(v.shape), "dtype": str(v.dtype)}
                       for k, v in sd.items()],
        "cases": cases,
    }
    (OUT_DIR / f"{name}.json").write_text(json.dumps(fixture, indent=1) + "\n")
    print(f"{name:<16} {sum(v.numel() for v in sd.values() if v.is_floating_point())}"
          f" floats, keys {list(sd)}")


def main():
    if OUT_DIR.exists():
        shutil.rmtree(OUT_DIR)
    OUT_DIR.mkdir(parents=True)
    torch.use_deterministic_algorithms(True)
    for i, spec in enumerate(MODELS):
        build(i, spec)
    manifest = {}
    for path in sorted(OUT_DIR.iterdir()):
        data = path.read_bytes()
        manifest[path.name] = {"bytes": len(data),
                               "sha256": hashlib.sha256(data).hexdigest()}
    (OUT_DIR / "MANIFEST.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
