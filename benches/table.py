#!/usr/bin/env python3
"""Turns criterion's medians (benches/target/criterion) into BENCHMARKS.md's tables.

    python3 table.py [BASELINE] [TARGET_DIR]   # BASELINE: a --save-baseline name ("new");
                                               # TARGET_DIR: CARGO_TARGET_DIR ("target")
    python3 table.py rtneural                  # step against RTNeural's figures (issue 6),
                                               # from target/native and target

ns/step is criterion's median time per iteration; `forward` iterations run SEQ timesteps
(50 for the seed model), so they are divided by that. GFLOP/s counts the multiply-adds of the
matrix-vector products only (see BENCHMARKS.md for the formulas).
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE / "target" / "criterion"
SEQ = 100
SIZES = [8, 16, 32, 64, 128]
KINDS = ["simple_rnn", "lstm", "gru", "dense"]


def flops(kind, n):
    return {"simple_rnn": 4 * n * n, "lstm": 16 * n * n, "gru": 12 * n * n, "dense": 2 * n * n}[kind]


def median(group, impl, n, baseline):
    path = ROOT / group / impl / str(n) / baseline / "estimates.json"
    if not path.exists():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt_ns(ns):
    if ns is None:
        return "-"
    if ns >= 10_000:
        return f"{ns / 1000:.1f} us"
    if ns >= 100:
        return f"{ns:.0f}"
    return f"{ns:.1f}"


def ratio(base, ours):
    if base is None or ours is None:
        return "-"
    return f"{base / ours:.1f}x"


def table(mode, baseline):
    per = SEQ if mode == "forward" else 1
    rows = [
        f"| layer | N | FLOP/step | tinyrnn ns/step | GFLOP/s | scalar ns/step | vs scalar | candle ns/step | vs candle |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in KINDS:
        for n in SIZES:
            group = f"{kind}_{mode}"
            t = median(group, "tinyrnn", n, baseline)
            s = median(group, "scalar", n, baseline)
            c = median(group, "candle", n, baseline)
            t, s, c = (None if v is None else v / per for v in (t, s, c))
            f = flops(kind, n)
            gf = "-" if t is None else f"{f / t:.1f}"
            rows.append(
                f"| {kind} | {n} | {f} | {fmt_ns(t)} | {gf} | {fmt_ns(s)} | {ratio(s, t)} | {fmt_ns(c)} | {ratio(c, t)} |"
            )
    return "\n".join(rows)


# RTNeural's median ns per step on this machine kind, as issue 6 gives them (g++ -O3, one
# core, input = units = N, its best backend per cell; "native" is the best of -march=native
# and -mavx2 -mfma). Not measured here: RTNeural is C++ and not built by this repository.
RTNEURAL = {
    ("lstm", 8): (58, 151), ("lstm", 16): (84, 302), ("lstm", 32): (265, 833), ("lstm", 64): (1293, 2665),
    ("gru", 8): (54, 131), ("gru", 16): (80, 252), ("gru", 32): (231, 616), ("gru", 64): (1018, 2040),
}


def rtneural():
    native = (HERE / "target" / "native" / "criterion").resolve()
    default = (HERE / "target" / "criterion").resolve()
    print("| layer | N | RTNeural native | tinyrnn native | ratio | RTNeural no -march | tinyrnn default target | ratio |")
    print("|---|---|---|---|---|---|---|---|")
    global ROOT
    for (kind, n), (rt_native, rt_default) in RTNEURAL.items():
        ROOT = native
        ours_native = median(f"{kind}_step", "tinyrnn", n, "new")
        ROOT = default
        ours_default = median(f"{kind}_step", "tinyrnn", n, "new")
        print(
            f"| {kind} | {n} | {rt_native} | {fmt_ns(ours_native)} | {rt_native / ours_native:.2f}x "
            f"| {rt_default} | {fmt_ns(ours_default)} | {rt_default / ours_default:.2f}x |"
        )


def main():
    global ROOT
    if sys.argv[1:] == ["rtneural"]:
        rtneural()
        return
    baseline = sys.argv[1] if len(sys.argv) > 1 else "new"
    if len(sys.argv) > 2:
        ROOT = (HERE / sys.argv[2]).resolve() / "criterion"
    seed_step = median("seed_step", "tinyrnn", 2, baseline)
    seed_fwd = median("seed_forward", "tinyrnn", 2, baseline)
    print(f"### step (one timestep, batch 1) [{baseline}]\n")
    print(table("step", baseline))
    print(f"\n### forward (whole sequence of {SEQ}, per timestep) [{baseline}]\n")
    print(table("forward", baseline))
    heads = [(n, median("lstm_head_step", "aligned", n, baseline), median("lstm_head_step", "off_by_4", n, baseline)) for n in (16, 32, 64)]
    if any(a is not None for _, a, _ in heads):
        print("\n### weight alignment: lstm(N) + dense(1) `step`, ns\n")
        print("| N | in `tinyrnn::Aligned` | 4 bytes past a cache line | slowdown |")
        print("|---|---|---|---|")
        for n, a, o in heads:
            print(f"| {n} | {fmt_ns(a)} | {fmt_ns(o)} | {ratio(o, a)} |")
    clock = median("clock", "mul_shift_xor_chain", 1000, baseline)
    if clock is not None:
        print(f"\neffective clock during the run: {5000 / clock:.2f} GHz (1000 x imul+shr+xor = 5000 cycles in {clock:.0f} ns)")
    reads = [(kib, median("read", "sum_u32", kib, baseline)) for kib in (16, 128, 512)]
    reads = [f"{kib} KiB {kib * 1024 / ns:.0f} GB/s" for kib, ns in reads if ns is not None]
    if reads:
        print("cache read bandwidth (vectorised sum): " + ", ".join(reads))
    if seed_step is not None and seed_fwd is not None:
        print(
            f"\nseed model (simple_rnn(2), dense(1) on [50, 3]): step {seed_step:.1f} ns, "
            f"forward {seed_fwd:.0f} ns for 50 steps ({seed_fwd / 50:.1f} ns/step)"
        )


if __name__ == "__main__":
    main()
