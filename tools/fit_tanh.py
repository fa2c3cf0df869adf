#!/usr/bin/env python3
"""Fits the rational tanh of runtime/src/activations.rs: tanh(x) ~ x P(x^2) / Q(x^2) on
[0, 9], P and Q of degree 4 in x^2, Q(0) = 1, minimising the largest relative error.

Method: Sanathanan-Koerner iteration (linearised least squares, reweighted by the previous
denominator) with Lawson's weights, which drive least squares towards the minimax fit.
Prints the coefficients rounded to f32 (as they appear in `tanh_ratio`), the errors of the
f32 evaluation in the same order of operations as the Rust code, and the input clamps
TANH_SATURATES and SIGMOID_SATURATES: the first f32 where the rational (and its tanh(x/2)/2
form) rounds to exactly 1 (1/2), with no value beyond it before.

    python3 tools/fit_tanh.py

Deterministic (no random numbers); needs numpy only.
"""
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


def main():
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


def saturation(p, q, top, lo, hi):
    """The first x in [lo, hi] where rational_f32 == top, if no x before it exceeds top."""
    xs = all_f32(lo, hi)
    y = rational_f32(xs, p, q)
    first = np.argmax(y >= top)
    assert y[first] == top, "overshoots before it reaches the top"
    return xs[first]


def saturations(p32, q32):
    half_p = [np.float32(p32[k] * np.float32(0.25) ** (k + 1)) for k in range(5)]
    half_q = [np.float32(q32[k] * np.float32(0.25) ** k) for k in range(5)]
    print("TANH_SATURATES =", repr(float(saturation(p32, q32, np.float32(1.0), 6.0, 9.3))))
    print("SIGMOID_SATURATES =", repr(float(saturation(half_p, half_q, np.float32(0.5), 12.0, 18.6))))


if __name__ == "__main__":
    main()
