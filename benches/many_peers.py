#!/usr/bin/env python3
"""Issue 17's many-streams item: tinyrnn's `step_many` against PyTorch.

    cd benches && python3 many_peers.py [--cpu 1] [--quick] [--native]
                                        [--peak-flop-per-cycle P]

For lstm(N) and gru(N), input = units = N, N in 64, 128, 256, and B streams in
1, 4, 16, 64: the time of advancing all B streams by one timestep.

  torch    nn.LSTM(N, N) / nn.GRU(N, N) (PyTorch's GRU is Keras's
           reset_after=True) on an input of shape (1, B, N): one timestep of B
           sequences per call, the returned state fed back into the next call,
           as a streaming loop does; torch.no_grad(), float32,
           torch.set_num_threads(1) and set_num_interop_threads(1).
  tinyrnn  `net.step_many(&mut states, &xs)` with B states
           (src/bin/many_peer.rs, built before anything is timed; --native:
           with -C target-cpu=native), and beside it `step` called B times,
           in the same process.

Each side runs in a process of its own, pinned to one CPU with
sched_setaffinity (as `taskset -c CPU`), one after the other. Figures are
medians over 9 rounds of calls (about 0.1 s each; --quick: 0.02 s).

GFLOP/s counts the multiply-adds of the matrix products, 2 per weight per
stream (benches' convention: lstm 16 N^2, gru 12 N^2 per stream and step).
Percent of peak: GFLOP/s over the core's single-core FP32 peak, FLOP per
cycle (default: 64 for a core with AVX-512 and two 512-bit FMA pipes, as AMD
Zen 5 and Intel Xeon server cores; give --peak-flop-per-cycle 32 for Zen 4,
whose AVX-512 is double-pumped 256-bit) times the clock tinyrnn's process
measured (a dependent integer chain of known latency, beside each cell).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = (64, 128, 256)
STREAMS = (1, 4, 16, 64)


def pin(cpu):
    if cpu >= 0:
        os.sched_setaffinity(0, {cpu})


def torch_side(args):
    """One JSON line per cell, from a child process pinned to args.cpu."""
    pin(args.cpu)
    import torch
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    budget = 0.02 if args.quick else 0.1
    g = torch.Generator().manual_seed(5)
    for n in SIZES:
        for kind in ("lstm", "gru"):
            layer = (torch.nn.LSTM if kind == "lstm" else torch.nn.GRU)(n, n)
            layer.eval()
            for b in STREAMS:
                x = torch.rand((1, b, n), generator=g) * 2 - 1
                h = torch.zeros((1, b, n))
                state = (h, torch.zeros((1, b, n))) if kind == "lstm" else h
                with torch.no_grad():
                    def call():
                        nonlocal state
                        _, state = layer(x, state)
                    for _ in range(20):
                        call()
                    calls, t0 = 0, time.perf_counter()
                    while time.perf_counter() - t0 < budget / 4:
                        call()
                        calls += 1
                    per_round = max(3, 4 * calls)
                    rounds = []
                    for _ in range(9):
                        t = time.perf_counter()
                        for _ in range(per_round):
                            call()
                        rounds.append((time.perf_counter() - t) * 1e9 / per_round)
                print(json.dumps({"kind": kind, "n": n, "b": b,
                                  "torch_ns": statistics.median(rounds),
                                  "torch": torch.__version__}), flush=True)


def run(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=HERE,
                         env=env)
    return [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cpu", type=int, default=1)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--native", action="store_true")
    ap.add_argument("--peak-flop-per-cycle", type=float, default=64.0)
    ap.add_argument("--torch-side", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_side:
        torch_side(args)
        return
    env = dict(os.environ)
    target_dir = HERE / "target"
    if args.native:
        env["RUSTFLAGS"] = "-C target-cpu=native"
        env["CARGO_TARGET_DIR"] = str(HERE / "target" / "native")
        target_dir = HERE / "target" / "native"
    subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "many_peer"],
                   check=True, cwd=HERE, env=env)
    binary = str(target_dir / "release" / "many_peer")
    taskset = ["taskset", "-c", str(args.cpu)] if args.cpu >= 0 else []
    ours = run(taskset + [binary] + (["--quick"] if args.quick else []))
    theirs = run([sys.executable, __file__, "--torch-side", "--cpu", str(args.cpu)]
                 + (["--quick"] if args.quick else []))
    key = lambda d: (d["kind"], d["n"], d["b"])
    torch_ns = {key(d): d for d in theirs}
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=HERE).stdout.strip()
    model = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                  if l.startswith("model name")), "?")
    print(f"tinyrnn {commit} ({'native' if args.native else 'default target'}), "
          f"torch {theirs[0]['torch'] if theirs else '?'}, {model}, CPU {args.cpu}")
    print(f"peak: {args.peak_flop_per_cycle:g} FLOP/cycle x the measured clock\n")
    print("| cell | B | step_many ns | B x step ns | step_many / step | GFLOP/s | "
          "% of peak | PyTorch ns | PyTorch / tinyrnn |")
    print("|---|---|---|---|---|---|---|---|---|")
    for d in sorted(ours, key=key):
        t = torch_ns.get(key(d), {}).get("torch_ns", float("nan"))
        gflops = d["flop"] / d["many_ns"]
        peak = args.peak_flop_per_cycle * d["ghz"]
        print(f"| {d['kind']}({d['n']}) | {d['b']} | {d['many_ns']:.0f} | "
              f"{d['single_ns']:.0f} | {d['single_ns'] / d['many_ns']:.2f}x | "
              f"{gflops:.1f} | {100 * gflops / peak:.0f}% | {t:.0f} | "
              f"{t / d['many_ns']:.1f}x |")


if __name__ == "__main__":
    main()
