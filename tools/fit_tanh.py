#!/usr/bin/env python3
"""Fits the rational tanh of runtime/src/activations/mod.rs: tanh(x) ~ x P(x^2) / Q(x^2) on
[0, 9], P and Q of degree 4 in x^2, Q(0) = 1, minimising the largest relative error.

Method: Sanathanan-Koerner iteration (linearised least squares, reweighted by the previous
denominator) with Lawson's weights, which drive least squares towards the minimax fit.
Prints the coefficients rounded to f32 (as they appear in `tanh_ratio`), the errors of the
f32 evaluation in the same order of operations as the Rust code, and the input clamps
TANH_SATURATE and SIGMOID_SATURATE: the first f32 where the rational (and its tanh(x/2)/2
form) rounds to exactly 1 (1/2), with no value beyond it before; for the unfused evaluation
and for the fused one (each multiply-add rounded once, as builds with FMA evaluate it).
The fused multiply-add is emulated in numpy's long double (64-bit significand on x86-64,
where a product of two f32 is exact), then rounded to f32 (see `fma_f32`); the Rust tests
`tanh_stays_in_range` and `sigmoid_stays_in_range` check both clamps over every f32 below
them with the real operation.

    python3 tools/fit_tanh.py                 # fit, then the clamps of the fitted P and Q
    python3 tools/fit_tanh.py --saturations   # the clamps of the P and Q in the Rust source

The fit itself depends in its last bits on numpy's LAPACK, so the source's coefficients (the
second command reads them) are what the clamps there were found for.

Deterministic (no random numbers); needs numpy only.
"""
import re
import sys
from pathlib import Path

import numpy as np

DEG_P, DEG_Q, X_MAX = 4, 4, 9.0


def fit():
    xs = np.concatenate([
        np.linspace(1e-4, X_MAX, 20000),
        X_MAX * (1 - np.cos(np.linspace(0, np.pi / 2, 20000))),
    ])
    xs = np.unique(xs[xs > 0])
    t, u = np.tanh(xs), xs * xs
    w, q_prev = np.ones_like(xs), np.ones_like(xs)
    for _ in range(60):
        cols = [xs * u**k for k in range(DEG_P + 1)] + [-t * u**k for k in range(1, DEG_Q + 1)]
        a = np.stack(cols, axis=1)
        scale = np.sqrt(w) / (t * q_prev)
        c, *_ = np.linalg.lstsq(a * scale[:, None], t * scale, rcond=None)
        p, q = c[: DEG_P + 1], np.concatenate([[1.0], c[DEG_P + 1 :]])
        num = sum(p[k] * u**k for k in range(DEG_P + 1))
        den = sum(q[k] * u**k for k in range(DEG_Q + 1))
        err = (xs * num / den - t) / t
        q_prev = den
        w = np.maximum(w * np.abs(err) / np.sum(w * np.abs(err)), 1e-12)
    return p, q, np.abs(err).max()


def rational_f32(x, p, q):
    """The Rust evaluation order (Estrin), in f32."""
    u = x * x
    u2 = u * u
    u4 = u2 * u2
    num = ((p[0] + p[1] * u) + u2 * (p[2] + p[3] * u)) + u4 * p[4]
    den = ((q[0] + q[1] * u) + u2 * (q[2] + q[3] * u)) + u4 * q[4]
    return x * num / den


def fma_f32(a, b, c):
    """a * b + c as a fused multiply-add gives it: the product exact in long double, the sum
    rounded to its 64 bits and then to f32. That second rounding can differ from one rounding
    in rare ties; the Rust tests check the clamps with the real operation."""
    wide = np.longdouble
    exact = np.asarray(a, dtype=wide) * np.asarray(b, dtype=wide) + np.asarray(c, dtype=wide)
    return exact.astype(np.float32)


def rational_f32_fused(x, p, q):
    """The same order with each multiply-add fused, as builds with FMA evaluate it."""
    x = np.asarray(x, dtype=np.float32)
    u = x * x
    u2 = u * u
    u4 = u2 * u2
    num = fma_f32(u4, p[4], fma_f32(u2, fma_f32(p[3], u, p[2]), fma_f32(p[1], u, p[0])))
    den = fma_f32(u4, q[4], fma_f32(u2, fma_f32(q[3], u, q[2]), fma_f32(q[1], u, q[0])))
    return x * num / den


def source_coefficients():
    """P and Q as `tanh_ratio` in runtime/src/activations/mod.rs writes them."""
    source = (Path(__file__).parent.parent / "runtime/src/activations/mod.rs").read_text()
    def array(name):
        body = re.search(rf"const {name}: \[f32; 5\] = \[(.*?)\];", source, re.S).group(1)
        return [np.float32(float(v.replace("_", ""))) for v in body.split(",") if v.strip()]
    return array("P"), array("Q")


def main():
    if "--saturations" in sys.argv[1:]:
        p32, q32 = source_coefficients()
        print("P =", [repr(float(v)) for v in p32])
        print("Q =", [repr(float(v)) for v in q32])
        saturations(p32, q32)
        return
    p, q, rel = fit()
    print(f"max relative error of the fit (f64): {rel:.3g}")
    p32, q32 = [np.float32(v) for v in p], [np.float32(v) for v in q]
    print("P =", [repr(float(v)) for v in p32])
    print("Q =", [repr(float(v)) for v in q32])
    xs = np.linspace(0, 9.25, 2_000_001, dtype=np.float32)
    got = np.clip(rational_f32(xs, p32, q32), -1, 1).astype(np.float64)
    err = np.abs(got - np.tanh(xs.astype(np.float64)))
    print(f"f32 evaluation, clamped to [-1, 1]: max |error| {err.max():.3g} at x = {xs[err.argmax()]}")
    saturations(p32, q32)


def all_f32(lo, hi):
    """Every f32 from lo to hi (both positive)."""
    bits = np.arange(np.float32(lo).view(np.int32), np.float32(hi).view(np.int32) + 1, dtype=np.int32)
    return bits.view(np.float32)


def saturation(p, q, top, lo, hi, rational=rational_f32):
    """The first x in [lo, hi] where `rational` == top, if no x before it exceeds top."""
    xs = all_f32(lo, hi)
    y = rational(xs, p, q)
    first = np.argmax(y >= top)
    assert y[first] == top, "overshoots before it reaches the top"
    return xs[first]


def saturations(p32, q32):
    half_p = [np.float32(p32[k] * np.float32(0.25) ** (k + 1)) for k in range(5)]
    half_q = [np.float32(q32[k] * np.float32(0.25) ** k) for k in range(5)]
    for name, rational in [("unfused", rational_f32), ("fused", rational_f32_fused)]:
        tanh = saturation(p32, q32, np.float32(1.0), 6.0, 9.3, rational)
        sigmoid = saturation(half_p, half_q, np.float32(0.5), 12.0, 18.6, rational)
        print(f"{name}: TANH_SATURATE {float(tanh)!r}, SIGMOID_SATURATE {float(sigmoid)!r}")


if __name__ == "__main__":
    main()
