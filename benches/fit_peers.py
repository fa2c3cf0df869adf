#!/usr/bin/env python3
"""Issue 16's speed item: tinyrnn's `fit` against Keras's `model.fit` and PyTorch.

    cd benches && python3 fit_peers.py [--samples 1024] [--epochs 10] [--cpu 1]
                                       [--rounds 1] [--native]

Two models on input [50, 3], one output, trained on the same data from the same
initial weights with the same settings in all three frameworks:

  seed    SimpleRNN(2) -> Dense(1)    (15 parameters)
  lstm32  LSTM(32)     -> Dense(1)    (4641 parameters)

  loss mean squared error, Adam(learning rate 0.001, beta 0.9 / 0.999, epsilon
  1e-7, Keras's default epsilon, also given to torch), batches of 32, no
  shuffling, E epochs over N samples.

What each side runs (each in a child process of its own, pinned to one CPU
with sched_setaffinity, as `taskset -c CPU` would, unless --cpu -1):

  data     Keras 3 builds both models with its default initialisers
           (glorot_uniform kernels, orthogonal recurrent kernels, zero biases,
           LSTM's unit_forget_bias) after keras.utils.set_random_seed(seed);
           their get_weights(), flattened, and seeded numpy data go to one
           file (format in src/bin/fit_peer.rs).
  keras    model.compile(optimizer=Adam(0.001), loss="mse");
           model.fit(xs, ys, epochs=E, batch_size=32, shuffle=False,
           verbose=0), Keras 3 on TensorFlow; compile's jit_compile="auto",
           which is no XLA on a CPU-only machine. A callback times each epoch
           (on_epoch_begin .. on_epoch_end). TF_NUM_INTRAOP_THREADS /
           TF_NUM_INTEROP_THREADS = 1 and tf.config.threading's intra-op and
           inter-op parallelism 1, set before anything runs.
  torch    nn.RNN(tanh) / nn.LSTM (batch_first) + nn.Linear on the last
           output, the Keras weights transposed (kernel (d, h) ->
           weight_ih (h, d), recurrent kernel -> weight_hh, Keras's bias in
           bias_ih, zeros in bias_hh, which is frozen: trainable, Adam would
           move it as far as bias_ih, and the pair would learn twice as fast
           as Keras's one bias; gate order i, f, g, o is Keras's i, f, c, o),
           F.mse_loss, torch.optim.Adam(lr=0.001, eps=1e-7); the loop Keras's
           train step runs: forward, loss, backward, step, per batch of 32 in
           order. torch.set_num_threads(1) and set_num_interop_threads(1).
           Its Adam adds epsilon to sqrt(v_hat), Keras's to sqrt(v): the
           same but for gradients near 1e-7 (some of LSTM's), hence a loss a
           few 1e-4 from Keras's.
  tinyrnn  `cargo build --release --bin fit_peer` (before any timing), then
           `cargo run --release --bin fit_peer -- <datafile>`:
           tinyrnn::train::fit with the same options (src/bin/fit_peer.rs).

Time per epoch: wall time (time.perf_counter / std::time::Instant) of one
pass over the N samples: every batch's forward pass, loss, gradient and
optimizer step, plus whatever the framework does per epoch (Keras: its data
adapter's iterator and callbacks). The table's figure is the median over
epochs 2..E (epoch 1 is reported apart: Keras traces its train step then).
Keras and PyTorch epochs are timed inside one E-epoch run. tinyrnn's come from
E calls of `fit` with epochs=1 (its fit has no per-epoch hook); a separate
E-epoch `fit` gives its loss history and a whole-run mean that the script
prints beside the median as a check.

Each framework's loss history (Keras's definition: the mean over the epoch's
batches of each batch's loss before its step, weighted by the batch's size)
is printed with how far it is from Keras's.

The script prints a CPU time / wall time ratio per framework (from
time.process_time, all the process's threads) as a check on "one thread" and
on interference; tinyrnn's is not measured (it has one thread).
"""

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
T, F = 50, 3
MAGIC = b"TRNFIT01"
MODELS = [("seed", "simple_rnn", 2), ("lstm32", "lstm", 32)]
LR, EPS = 0.001, 1e-7


def pin(cpu):
    if cpu >= 0:
        os.sched_setaffinity(0, {cpu})


def one_thread_env():
    os.environ.update(
        TF_NUM_INTRAOP_THREADS="1",
        TF_NUM_INTEROP_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        CUDA_VISIBLE_DEVICES="",
        KERAS_BACKEND="tensorflow",
    )


# ---------------------------------------------------------------- data file


def write_data(path, n, epochs, batch, seed):
    import numpy as np

    import keras

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    xs = rng.standard_normal((n, T, F)).astype(np.float32)
    # A learnable target with some memory: the last 10 steps of two features.
    s = (xs[:, -10:, 0] - 0.5 * xs[:, -10:, 2]).sum(axis=1)
    ys = np.tanh(0.3 * s).astype(np.float32)
    weights = []
    for _, kind, units in MODELS:
        model = keras_model(keras, kind, units)
        weights.append(np.concatenate([w.ravel() for w in model.get_weights()]))
    with open(path, "wb") as f:
        f.write(MAGIC)
        f.write(struct.pack("<5I", n, epochs, batch, T, F))
        for a in [xs, ys, *weights]:
            f.write(np.ascontiguousarray(a, dtype="<f4").tobytes())


def read_data(path):
    import numpy as np

    with open(path, "rb") as f:
        raw = f.read()
    assert raw[:8] == MAGIC, f"{path}: not a fit_peers.py data file"
    n, epochs, batch, t, f = struct.unpack("<5I", raw[8:28])
    assert (t, f) == (T, F)
    floats = np.frombuffer(raw[28:], dtype="<f4")
    xs = floats[: n * T * F].reshape(n, T, F)
    ys = floats[n * T * F : n * T * F + n].reshape(n, 1)
    rest = floats[n * T * F + n :]
    sizes = [params(kind, units) for _, kind, units in MODELS]
    assert len(rest) == sum(sizes)
    weights = [rest[: sizes[0]], rest[sizes[0] :]]
    return xs, ys, weights, epochs, batch


def params(kind, units):
    gates = {"simple_rnn": 1, "lstm": 4}[kind]
    return gates * units * (F + units + 1) + units + 1


def shapes(kind, units):
    g = {"simple_rnn": 1, "lstm": 4}[kind] * units
    return [(F, g), (units, g), (g,), (units, 1), (1,)]


def unflatten(flat, kind, units):
    out, i = [], 0
    for shape in shapes(kind, units):
        size = 1
        for d in shape:
            size *= d
        out.append(flat[i : i + size].reshape(shape))
        i += size
    assert i == len(flat)
    return out


# ---------------------------------------------------------------- keras


def keras_model(keras, kind, units):
    layer = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM}[kind]
    return keras.Sequential(
        [keras.Input((T, F)), layer(units), keras.layers.Dense(1)]
    )


def run_keras(path):
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    import keras

    xs, ys, weights, epochs, batch = read_data(path)
    for (name, kind, units), w in zip(MODELS, weights):
        model = keras_model(keras, kind, units)
        model.set_weights(unflatten(w, kind, units))
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=LR), loss="mse")

        class Timer(keras.callbacks.Callback):
            def __init__(self):
                super().__init__()
                self.times, self.cpu = [], []

            def on_epoch_begin(self, epoch, logs=None):
                self.t0, self.c0 = time.perf_counter(), time.process_time()

            def on_epoch_end(self, epoch, logs=None):
                self.times.append(time.perf_counter() - self.t0)
                self.cpu.append(time.process_time() - self.c0)

        timer = Timer()
        t0 = time.perf_counter()
        history = model.fit(
            xs,
            ys,
            epochs=epochs,
            batch_size=batch,
            shuffle=False,
            verbose=0,
            callbacks=[timer],
        )
        fit_s = time.perf_counter() - t0
        emit("keras", name, timer.times, timer.cpu, fit_s, history.history["loss"])


# ---------------------------------------------------------------- torch


def run_torch(path):
    import numpy as np
    import torch

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    def tensor(a):
        return torch.tensor(np.asarray(a, dtype=np.float32))  # a copy: writable, contiguous

    xs, ys, weights, epochs, batch = read_data(path)
    X, Y = tensor(xs), tensor(ys)
    n = len(X)

    class Net(torch.nn.Module):
        def __init__(self, kind, units):
            super().__init__()
            rnn = {"simple_rnn": torch.nn.RNN, "lstm": torch.nn.LSTM}[kind]
            self.rnn = rnn(F, units, batch_first=True)
            self.dense = torch.nn.Linear(units, 1)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.dense(out[:, -1])

    for (name, kind, units), w in zip(MODELS, weights):
        model = Net(kind, units)
        kernel, recurrent, bias, dense_kernel, dense_bias = unflatten(w, kind, units)
        with torch.no_grad():
            model.rnn.weight_ih_l0.copy_(tensor(kernel.T))
            model.rnn.weight_hh_l0.copy_(tensor(recurrent.T))
            model.rnn.bias_ih_l0.copy_(tensor(bias))
            model.rnn.bias_hh_l0.zero_()
            model.dense.weight.copy_(tensor(dense_kernel.T))
            model.dense.bias.copy_(tensor(dense_bias))
        # Keras has one bias: a trainable bias_hh would be a second copy of it, moved by
        # Adam as far as bias_ih each step (Adam's steps hardly depend on the gradient's
        # size), so the sum would learn twice as fast. It stays zero.
        model.rnn.bias_hh_l0.requires_grad_(False)
        trainable = [p for p in model.parameters() if p.requires_grad]
        opt = torch.optim.Adam(trainable, lr=LR, eps=EPS)
        times, cpu, losses = [], [], []
        t_fit = time.perf_counter()
        for _ in range(epochs):
            t0, c0 = time.perf_counter(), time.process_time()
            total = count = 0.0
            for i in range(0, n, batch):
                xb, yb = X[i : i + batch], Y[i : i + batch]
                opt.zero_grad(set_to_none=True)
                loss = torch.nn.functional.mse_loss(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item() * len(xb)
                count += len(xb)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            losses.append(total / count)
        emit("torch", name, times, cpu, time.perf_counter() - t_fit, losses)


def emit(framework, model, times, cpu, fit_s, losses):
    line = dict(
        framework=framework,
        model=model,
        epoch_s=list(times),
        cpu_s=list(cpu),
        fit_s=fit_s,
        loss=[float(v) for v in losses],
    )
    print(json.dumps(line), flush=True)


# ---------------------------------------------------------------- driver


def child(side, path, cpu):
    """Runs one side in a fresh interpreter; returns its JSON lines."""
    cmd = [sys.executable, os.path.abspath(__file__), "--side", side, "--data", path]
    cmd += ["--cpu", str(cpu)]
    return parse(subprocess.run(cmd, check=True, capture_output=True, text=True))


def parse(proc):
    out = [json.loads(l) for l in proc.stdout.splitlines() if l.startswith("{")]
    if not out:
        sys.exit(f"no result from {proc.args}:\n{proc.stdout}\n{proc.stderr}")
    return out


def cargo(native):
    env = dict(os.environ)
    if native:
        env["RUSTFLAGS"] = "-C target-cpu=native"
        env["CARGO_TARGET_DIR"] = os.path.join(HERE, "target", "native")
    return env


def tree_state():
    """The commit the tinyrnn build came from, and whether its sources had edits."""
    root = os.path.dirname(HERE)

    def git(*a):
        return subprocess.run(["git", *a], cwd=root, capture_output=True,
                              text=True).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown commit"
    dirty = git("status", "--porcelain", "--", "src", "runtime", "macros")
    return f"commit {head}" + (", with uncommitted changes in its sources" if dirty else "")


def cpu_model():
    """/proc/cpuinfo's model name, family and model (of the first CPU)."""
    info = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                info[key.strip()] = value.strip()
    except OSError:
        pass
    name = info.get("model name", "unknown")
    return f"{name} (family {info.get('cpu family', '?')}, model {info.get('model', '?')})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--samples", type=int, default=1024)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cpu", type=int, default=min(1, os.cpu_count() - 1),
                    help="CPU to pin every side to (-1: no pinning)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="run keras, torch, tinyrnn this many times, in turn")
    ap.add_argument("--native", action="store_true",
                    help="build fit_peer with -C target-cpu=native")
    ap.add_argument("--data", default=os.path.join(HERE, "target", "fit_peers.bin"))
    ap.add_argument("--side", choices=["data", "keras", "torch"], help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.side:
        one_thread_env()
        pin(args.cpu)
        if args.side == "data":
            write_data(args.data, args.samples, args.epochs, args.batch, args.seed)
        elif args.side == "keras":
            run_keras(args.data)
        else:
            run_torch(args.data)
        return

    args.load_before = os.getloadavg()
    os.makedirs(os.path.dirname(args.data), exist_ok=True)
    env = cargo(args.native)
    subprocess.run(["cargo", "build", "--release", "-q", "--bin", "fit_peer"],
                   cwd=HERE, env=env, check=True)
    one_thread_env()
    subprocess.run([sys.executable, os.path.abspath(__file__), "--side", "data",
                    "--data", args.data, "--samples", str(args.samples),
                    "--epochs", str(args.epochs), "--batch", str(args.batch),
                    "--seed", str(args.seed), "--cpu", str(args.cpu)], check=True)

    runs = []  # (round, line)
    for r in range(args.rounds):
        for side in ["keras", "torch"]:
            runs += [(r, l) for l in child(side, args.data, args.cpu)]
        cmd = ["cargo", "run", "--release", "-q", "--bin", "fit_peer", "--", args.data]
        proc = subprocess.run(cmd, cwd=HERE, env=env, check=True, capture_output=True,
                              text=True, preexec_fn=lambda: pin(args.cpu))
        runs += [(r, l) for l in parse(proc)]
    report(args, runs)


def report(args, runs):
    frameworks = ["keras", "torch", "tinyrnn"]
    label = {"keras": "Keras", "torch": "PyTorch", "tinyrnn": "tinyrnn"}

    def lines(fw, model):
        return [l for _, l in runs if l["framework"] == fw and l["model"] == model]

    def steady(fw, model):
        # The median over every round's epochs 2..E.
        return statistics.median(t for l in lines(fw, model) for t in l["epoch_s"][1:])

    def load(v):
        return " ".join(f"{x:.2f}" for x in v)

    print(f"CPU: {cpu_model()}; {os.cpu_count()} CPUs; load average (1, 5, 15 min) "
          f"{load(args.load_before)} before the run, {load(os.getloadavg())} after")
    print(f"pinned to CPU {args.cpu}" if args.cpu >= 0 else "not pinned")
    print(f"tinyrnn: {tree_state()}")
    print(f"{args.samples} samples x [{T}, {F}], batch {args.batch}, {args.epochs} "
          f"epochs, {args.rounds} round(s), tinyrnn built for "
          f"{'-C target-cpu=native' if args.native else 'the default target'}")
    print("seconds per epoch: median of epochs 2..E (all rounds)\n")
    print("| model | Keras | PyTorch | tinyrnn | Keras / tinyrnn | PyTorch / tinyrnn |")
    print("|---|---|---|---|---|---|")
    for name, _, _ in MODELS:
        k, p, t = (steady(fw, name) for fw in frameworks)
        print(f"| {name} | {k:.4f} | {p:.4f} | {t:.5f} | {k / t:.1f}x | {p / t:.1f}x |")

    print("\nfirst epoch (s), whole fit / E (s), CPU time / wall time over epochs 2..E:")
    for name, _, _ in MODELS:
        for fw in frameworks:
            ls = lines(fw, name)
            first = " ".join(f"{l['epoch_s'][0]:.4f}" for l in ls)
            whole = " ".join(f"{l['fit_s'] / len(l['epoch_s']):.4f}" for l in ls)
            cpu = ""
            if "cpu_s" in ls[0]:
                ratio = [sum(l["cpu_s"][1:]) / sum(l["epoch_s"][1:]) for l in ls]
                cpu = "  cpu/wall " + " ".join(f"{v:.2f}" for v in ratio)
            print(f"  {name:7} {label[fw]:8} first {first}  fit/E {whole}{cpu}")

    print("\nloss per epoch (first round), and the largest |relative difference| from "
          "Keras's:")
    for name, _, _ in MODELS:
        keras_loss = lines("keras", name)[0]["loss"]
        for fw in frameworks:
            loss = lines(fw, name)[0]["loss"]
            diff = max(abs(a - b) / abs(b) for a, b in zip(loss, keras_loss))
            shown = " ".join(f"{v:.6f}" for v in loss)
            print(f"  {name:7} {label[fw]:8} {shown}  (max rel. diff {diff:.1e})")


if __name__ == "__main__":
    main()
