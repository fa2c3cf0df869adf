//! The one hot loop of every layer: a matrix-vector product on column-major weights, written
//! so that the compiler keeps a block of outputs in vector registers across all the columns.
//!
//! A Keras kernel `(d, g)` is stored as an `g x d` column-major matrix: column `j` holds the
//! `g` weights that input `j` contributes to every output, contiguously. The product is then
//! a sum of scaled columns, `y += x[j] * column_j`, which vectorises along the column with no
//! horizontal sums (a dot product per output would need them, and Rust does not reassociate
//! float sums, so it would stay scalar). The outputs are cut into blocks that fit in the
//! target's vector registers (`BLOCK` floats); each block sweeps every column once, so each
//! weight is loaded once and each output is stored once per product.
//!
//! Four columns are summed in a small tree before they touch the accumulator, which shortens
//! the accumulator's dependency chain four times: small blocks (few independent
//! accumulators) are otherwise bound by the latency of one add per column.
//!
//! Everything is `#[inline(always)]` and sized by `const` generics, so after inlining every
//! loop bound is a constant and the compiler unrolls and vectorises for the build's target
//! (`-C target-cpu=native` gives AVX2 or AVX-512 registers; the default x86-64 target SSE2).

#![allow(
    clippy::inline_always,
    reason = "the kernel only works once inlined: every size is then a constant, so loops unroll \
              and the accumulators stay in registers; measured in BENCHMARKS.md"
)]

/// `f32` lanes in one vector register of the build's target: 4 in NEON's 128-bit registers,
/// as in SSE2's. (With 8 on NEON, blocks of 64 rows took 16 of its 32 registers, and LLVM
/// kept those sums in memory, loading and storing each one for every four columns: 27% more
/// instructions in lstm(32)'s `step`, counted under QEMU.)
pub(crate) const LANES: usize = if cfg!(target_feature = "avx512f") {
    16
} else if cfg!(target_feature = "avx") {
    8
} else {
    4
};

/// Accumulator registers per block: half of the register file or so, the rest holding the
/// weights and the broadcast inputs in flight. A power of two, so that the tail blocks
/// (`BLOCK / 2`, `BLOCK / 4`, ...) cover any remainder that is a multiple of `LANES`.
const ACCUMULATORS: usize = if cfg!(target_feature = "avx512f") {
    16
} else {
    8
};

/// Outputs computed together in registers.
const BLOCK: usize = LANES * ACCUMULATORS;

/// Matrices larger than this (an L1 data cache) are streamed in column panels instead: see
/// [`panels`].
const PANEL_BYTES: usize = 32 * 1024;

/// The trip count `n` of a loop over groups of four columns, hidden from the optimiser when
/// the loop is long enough to run as a loop. Known trip counts of 8 or more are unrolled in
/// full, and the scheduler then hoists every column's broadcast input to the top, more than
/// there are registers: lstm(32) spilled 4 KiB of them to the stack, which pushed its 32 KiB
/// of weights out of L1 and doubled its `step` time. Short loops (up to 28 columns) keep
/// their full unrolling, which they profit from.
#[inline(always)]
fn trips(n: usize) -> usize {
    if n >= 8 { core::hint::black_box(n) } else { n }
}

/// `acc + (w[0] x[0] + w[1] x[1]) + (w[2] x[2] + w[3] x[3])`: four columns summed in a small
/// tree before they touch the accumulator (which shortens its dependency chain four times).
///
/// On targets with FMA (`-C target-cpu=native` on any x86-64 of the last decade) and with
/// the `std` feature, whose `f32::mul_add` is the only safe way to ask for a fused
/// multiply-add on stable Rust (`core` lacks it), the second product of each pair is fused.
/// That frees add slots and shortens each column group's chain: 5-12% off `step` for N = 16
/// to 64 with AVX-512 (BENCHMARKS.md). Results then differ in the last bits from builds
/// without FMA (a fused product is rounded once, with its sum); `step` and `forward` still
/// agree bit for bit, and every Keras fixture passes either way.
#[inline(always)]
fn add4(acc: f32, w: [f32; 4], x: &[f32; 4]) -> f32 {
    #[cfg(all(feature = "std", target_feature = "fma"))]
    {
        acc + (w[1].mul_add(x[1], w[0] * x[0]) + w[3].mul_add(x[3], w[2] * x[2]))
    }
    #[cfg(not(all(feature = "std", target_feature = "fma")))]
    {
        acc + ((w[0] * x[0] + w[1] * x[1]) + (w[2] * x[2] + w[3] * x[3]))
    }
}

/// `acc + w x`, fused under the same conditions as [`add4`].
#[inline(always)]
fn add1(acc: f32, w: f32, x: f32) -> f32 {
    #[cfg(all(feature = "std", target_feature = "fma"))]
    {
        w.mul_add(x, acc)
    }
    #[cfg(not(all(feature = "std", target_feature = "fma")))]
    {
        acc + w * x
    }
}

/// Rows `row..row + RB` of a column, if it has them. Every access at a row offset in this
/// file goes through `get` or `zip`, never an index (arrays are indexed only below their
/// constant length): the ranges follow from constants, so the optimiser removes the checks
/// at `opt-level = 3`, and where it keeps one (`"s"` inlines less) it is a branch, not a
/// reachable panic.
#[inline(always)]
fn rows<const RB: usize>(col: &[f32], row: usize) -> Option<&[f32; RB]> {
    col.get(row..).and_then(<[f32]>::first_chunk::<RB>)
}

/// `acc[k] += sum_j m[j][row + k] * x[j]` for `k < RB`: one block of outputs against every
/// column of `m`.
#[inline(always)]
fn block<const RB: usize, const R: usize, const C: usize>(
    acc: &mut [f32; RB],
    m: &[[f32; R]; C],
    x: &[f32; C],
    row: usize,
) {
    block_columns(acc, m, x, row, 0..C);
}

/// One block of `RB` outputs at `out[i..]` (rows `row0 + i..`): both products, in registers.
#[inline(always)]
fn block2<const RB: usize, const R: usize, const C1: usize, const C2: usize>(
    out: &mut [f32],
    i: usize,
    row: usize,
    (m1, x1): (&[[f32; R]; C1], &[f32; C1]),
    (m2, x2): (&[[f32; R]; C2], &[f32; C2]),
) {
    let Some(o) = out.get_mut(i..).and_then(<[f32]>::first_chunk_mut::<RB>) else {
        return;
    };
    let mut acc = *o;
    block(&mut acc, m1, x1, row);
    block(&mut acc, m2, x2, row);
    *o = acc;
}

/// `out[i] += sum_j m1[j][row0 + i] * x1[j] + sum_j m2[j][row0 + i] * x2[j]` for every `i`
/// of `out`: rows `row0..row0 + out.len()` of the product of the `[m1 m2]` (column-major,
/// `R` rows) with `[x1; x2]`, in one pass. `out` holds the initial values (a bias, or zeros).
///
/// Rows past `R` are not read: the caller passes a range inside the matrix.
#[inline(always)]
pub(crate) fn gemv2<const R: usize, const C1: usize, const C2: usize>(
    out: &mut [f32],
    row0: usize,
    first: (&[[f32; R]; C1], &[f32; C1]),
    second: (&[[f32; R]; C2], &[f32; C2]),
) {
    if 4 * R * (C1 + C2) > PANEL_BYTES {
        panels(out, row0, first.0, first.1);
        panels(out, row0, second.0, second.1);
        return;
    }
    let len = out.len();
    let mut done = 0;
    while done + BLOCK <= len {
        block2::<BLOCK, R, C1, C2>(out, done, row0 + done, first, second);
        done += BLOCK;
    }
    // The rest, by halves: each size runs at most once.
    if ACCUMULATORS >= 16 && done + BLOCK / 2 <= len {
        block2::<{ BLOCK / 2 }, R, C1, C2>(out, done, row0 + done, first, second);
        done += BLOCK / 2;
    }
    if ACCUMULATORS >= 8 && done + BLOCK / 4 <= len {
        block2::<{ BLOCK / 4 }, R, C1, C2>(out, done, row0 + done, first, second);
        done += BLOCK / 4;
    }
    if ACCUMULATORS >= 4 && done + BLOCK / 8 <= len {
        block2::<{ BLOCK / 8 }, R, C1, C2>(out, done, row0 + done, first, second);
        done += BLOCK / 8;
    }
    if done + LANES <= len {
        block2::<LANES, R, C1, C2>(out, done, row0 + done, first, second);
        done += LANES;
    }
    // Half and quarter registers (8 and 4 rows on AVX-512, where `gru(8)` has 24 rows).
    if LANES >= 16 && done + 8 <= len {
        block2::<8, R, C1, C2>(out, done, row0 + done, first, second);
        done += 8;
    }
    if LANES >= 8 && done + 4 <= len {
        block2::<4, R, C1, C2>(out, done, row0 + done, first, second);
        done += 4;
    }
    // Fewer than 4 rows left: column by column over them, each output's additions in the
    // same order as in a block.
    let row = row0 + done;
    for (col, xj) in first.0.iter().zip(first.1) {
        let w = col.get(row..).unwrap_or_default();
        for (o, w) in out.iter_mut().skip(done).zip(w) {
            *o = add1(*o, *w, *xj);
        }
    }
    for (col, xj) in second.0.iter().zip(second.1) {
        let w = col.get(row..).unwrap_or_default();
        for (o, w) in out.iter_mut().skip(done).zip(w) {
            *o = add1(*o, *w, *xj);
        }
    }
}

/// [`gemv2`] for weights that do not fit in L1: four whole columns at a time, each read
/// front to back, with the outputs (at most a few KiB, so in L1) loaded and stored once per
/// four columns. Register blocks would instead read every column in short pieces, a page
/// apart for large layers, which defeats the hardware prefetchers and the TLB: measured, this
/// order streams the weights from L2 up to twice as fast for `lstm(128)` and larger. Each
/// output sees the same additions in the same order as in [`block`].
#[inline(always)]
fn panels<const R: usize, const C: usize>(
    out: &mut [f32],
    row0: usize,
    m: &[[f32; R]; C],
    x: &[f32; C],
) {
    let range = row0..row0 + out.len();
    let (cols4, cols_rest) = m.as_chunks::<4>();
    let (xs4, xs_rest) = x.as_chunks::<4>();
    for (c, xs) in cols4.iter().zip(xs4) {
        let (Some(w0), Some(w1), Some(w2), Some(w3)) = (
            c[0].get(range.clone()),
            c[1].get(range.clone()),
            c[2].get(range.clone()),
            c[3].get(range.clone()),
        ) else {
            return;
        };
        for ((((o, w0), w1), w2), w3) in out.iter_mut().zip(w0).zip(w1).zip(w2).zip(w3) {
            *o = add4(*o, [*w0, *w1, *w2, *w3], xs);
        }
    }
    for (c, &xj) in cols_rest.iter().zip(xs_rest) {
        let Some(w) = c.get(range.clone()) else {
            return;
        };
        for (o, w) in out.iter_mut().zip(w) {
            *o = add1(*o, *w, xj);
        }
    }
}

/// How many of `len` rows [`gemv2`] computes in register blocks (the rest, its tail, column
/// by column with [`add1`]): the same partition, so that [`gemv2_many`] gives each row the
/// same additions in the same order. Without panels; with them every row is in a block.
const fn blocked_rows(len: usize) -> usize {
    let mut done = len - len % BLOCK;
    if ACCUMULATORS >= 16 && done + BLOCK / 2 <= len {
        done += BLOCK / 2;
    }
    if ACCUMULATORS >= 8 && done + BLOCK / 4 <= len {
        done += BLOCK / 4;
    }
    if ACCUMULATORS >= 4 && done + BLOCK / 8 <= len {
        done += BLOCK / 8;
    }
    if done + LANES <= len {
        done += LANES;
    }
    if LANES >= 16 && done + 8 <= len {
        done += 8;
    }
    if LANES >= 8 && done + 4 <= len {
        done += 4;
    }
    done
}

/// Rows of one [`gemv2_many`] block: four registers of sums per stream, eight on NEON (32
/// rows, as before [`LANES`] there was 4: 16 rows took 5% more instructions in lstm(32)'s
/// `step_many` for 8 streams, counted under QEMU).
const MANY_ROWS: usize = if cfg!(target_feature = "neon") {
    8 * LANES
} else {
    4 * LANES
};

/// Columns of one [`gemv2_many`] panel of a matrix of `r` rows (a multiple of 4, at most
/// 64): few enough that the panel's weights stay in L1 while every stream reads them. A
/// column is `4 r` bytes after the one before, so a block's pieces of consecutive columns
/// fall in only `4096 / gcd(4 r, 4096)` groups of the cache's 64 sets (an L1 way of 4 KiB:
/// 64 sets of 64 bytes, on x86 and Arm cores alike); at 8 columns per group they fit in 8
/// of its ways. (`lstm(64)`'s 1 KiB columns in panels 64 columns wide overflowed their sets
/// and ran at a quarter of the speed of `gru(64)`'s 768-byte ones. Copying each panel into
/// one contiguous block first, as matrix-matrix products pack theirs, was slower still.)
const fn many_columns(r: usize) -> usize {
    let (mut a, mut b) = (4 * r, 4096);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    let groups = match 4096_usize.checked_div(a) {
        Some(groups) => groups,
        None => 1,
    };
    let columns = 8 * groups;
    if columns > 64 { 64 } else { columns }
}

/// `acc[k] += sum_j m[j][row + k] * x[j]` over the columns `cols` of `m` (their start a
/// multiple of 4): four at a time, summed in a tree ([`add4`]), then, if `cols` ends the
/// matrix, the rest one by one. [`block`] is this over every column; [`gemv2_many`]'s
/// panels over some, in the same order.
#[inline(always)]
fn block_columns<const RB: usize, const R: usize, const C: usize>(
    acc: &mut [f32; RB],
    m: &[[f32; R]; C],
    x: &[f32; C],
    row: usize,
    cols: core::ops::Range<usize>,
) {
    let (cols4, cols_rest) = m.as_chunks::<4>();
    let (xs4, xs_rest) = x.as_chunks::<4>();
    let groups = cols.start / 4..cols.end.min(4 * cols4.len()) / 4;
    let (Some(cols4), Some(xs4)) = (cols4.get(groups.clone()), xs4.get(groups)) else {
        return;
    };
    for (c, xs) in cols4.iter().zip(xs4).take(trips(cols4.len())) {
        let (Some(w0), Some(w1), Some(w2), Some(w3)) = (
            rows::<RB>(&c[0], row),
            rows::<RB>(&c[1], row),
            rows::<RB>(&c[2], row),
            rows::<RB>(&c[3], row),
        ) else {
            return;
        };
        for k in 0..RB {
            acc[k] = add4(acc[k], [w0[k], w1[k], w2[k], w3[k]], xs);
        }
    }
    if cols.end < C {
        return;
    }
    for (c, &xj) in cols_rest.iter().zip(xs_rest) {
        let Some(w) = rows::<RB>(c, row) else {
            return;
        };
        for k in 0..RB {
            acc[k] = add1(acc[k], w[k], xj);
        }
    }
}

/// Rows `row..row + RB` of every stream (`row0 + row..` of the matrix `m`), over `m`'s
/// columns panel by panel: each panel's weights are read from L1 by every stream in turn.
#[inline(always)]
fn many_block<const RB: usize, const NB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]; NB],
    (row0, row): (usize, usize),
    m: &[[f32; R]; C],
    xs: &[&[f32; C]; NB],
) {
    let width = const { many_columns(R) };
    let mut col = 0;
    while col < C {
        let cols = col..(col + width).min(C);
        for (out, x) in outs.iter_mut().zip(xs) {
            let Some(o) = out.get_mut(row..).and_then(<[f32]>::first_chunk_mut::<RB>) else {
                return;
            };
            let mut acc = *o;
            block_columns(&mut acc, m, x, row0 + row, cols.clone());
            *o = acc;
        }
        col += width;
    }
}

/// [`gemv2`] for `NB` streams at once (`step_many`): `outs[s][i] += sum_j m1[j][row0 + i] *
/// x1[s][j] + sum_j m2[j][row0 + i] * x2[s][j]`. Blocks of rows against panels of columns
/// small enough to stay in L1 while every stream reads them, so that the weights come from
/// memory or L2 once for all the streams, where [`gemv2`] per stream would read them once
/// each. Every output gets the additions of [`gemv2`], in the same order (all of one
/// matrix's columns, then the other's; the same rows in its column-by-column tail), so
/// each stream's result is bit for bit its own [`gemv2`]'s. The `outs` are as long as the
/// shortest of them.
#[inline(always)]
pub(crate) fn gemv2_many<const NB: usize, const R: usize, const C1: usize, const C2: usize>(
    outs: &mut [&mut [f32]; NB],
    row0: usize,
    first: (&[[f32; R]; C1], &[&[f32; C1]; NB]),
    second: (&[[f32; R]; C2], &[&[f32; C2]; NB]),
) {
    if let ([out], [x1], [x2]) = (&mut outs[..], &first.1[..], &second.1[..]) {
        // One stream: nothing to share.
        gemv2(out, row0, (first.0, x1), (second.0, x2));
        return;
    }
    let len = outs.iter().map(|o| o.len()).min().unwrap_or(0);
    let blocked = if 4 * R * (C1 + C2) > PANEL_BYTES {
        len
    } else {
        blocked_rows(len)
    };
    let mut row = 0;
    while row + MANY_ROWS <= blocked {
        many_block::<MANY_ROWS, NB, R, C1>(outs, (row0, row), first.0, first.1);
        many_block::<MANY_ROWS, NB, R, C2>(outs, (row0, row), second.0, second.1);
        row += MANY_ROWS;
    }
    if row + LANES <= blocked {
        many_block::<LANES, NB, R, C1>(outs, (row0, row), first.0, first.1);
        many_block::<LANES, NB, R, C2>(outs, (row0, row), second.0, second.1);
        row += LANES;
    }
    while row < blocked {
        many_block::<1, NB, R, C1>(outs, (row0, row), first.0, first.1);
        many_block::<1, NB, R, C2>(outs, (row0, row), second.0, second.1);
        row += 1;
    }
    // The tail, as [`gemv2`]'s: column by column.
    for (out, (x1, x2)) in outs.iter_mut().zip(first.1.iter().zip(second.1)) {
        let span = row0 + blocked..row0 + len;
        let tail = out.get_mut(blocked..len).unwrap_or_default();
        for (col, xj) in first.0.iter().zip(x1.iter()) {
            let w = col.get(span.clone()).unwrap_or_default();
            for (o, w) in tail.iter_mut().zip(w) {
                *o = add1(*o, *w, *xj);
            }
        }
        for (col, xj) in second.0.iter().zip(x2.iter()) {
            let w = col.get(span.clone()).unwrap_or_default();
            for (o, w) in tail.iter_mut().zip(w) {
                *o = add1(*o, *w, *xj);
            }
        }
    }
}

/// [`gemv2_many`] with one matrix.
#[inline(always)]
pub(crate) fn gemv_many<const NB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]; NB],
    row0: usize,
    m: &[[f32; R]; C],
    xs: &[&[f32; C]; NB],
) {
    gemv2_many::<NB, R, C, 0>(outs, row0, (m, xs), (&[], &[&[]; NB]));
}

/// [`gemv2`] with one matrix.
#[inline(always)]
pub(crate) fn gemv<const R: usize, const C: usize>(
    out: &mut [f32],
    row0: usize,
    m: &[[f32; R]; C],
    x: &[f32; C],
) {
    gemv2::<R, C, 0>(out, row0, (m, x), (&[], &[]));
}

/// Gate `k` (of `H` units) of a recurrent layer's `G` pre-activation values, as a vector.
/// Copied by iterators, not indexed: where the optimiser keeps this a function of its own
/// (`opt-level = "s"` does) an index by `k` keeps a bounds check, and with it a reachable
/// panic in `step`.
#[inline]
pub(crate) fn gate<const G: usize, const H: usize>(
    z: &[f32; G],
    k: usize,
) -> nalgebra::SVector<f32, H> {
    let mut g = [0.0_f32; H];
    for (o, v) in g.iter_mut().zip(z.iter().skip(k * H)) {
        *o = *v;
    }
    nalgebra::SVector::from(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The product computed one output at a time, in f64.
    fn reference<const R: usize, const C: usize>(m: &[[f32; R]; C], x: &[f32; C]) -> [f64; R] {
        let mut y = [0.0; R];
        for (r, y) in y.iter_mut().enumerate() {
            for (col, xj) in m.iter().zip(x) {
                *y += f64::from(col[r]) * f64::from(*xj);
            }
        }
        y
    }

    fn values<const N: usize>(seed: usize) -> [f32; N] {
        #[allow(
            clippy::cast_possible_truncation,
            reason = "any 32 bits of the seed do"
        )]
        let mut s = seed as u32;
        core::array::from_fn(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            #[allow(clippy::cast_precision_loss, reason = "16 random bits")]
            let v = (s >> 16) as f32 / 65536.0;
            v - 0.5
        })
    }

    fn check<const R: usize, const C1: usize, const C2: usize>() {
        let m1: [[f32; R]; C1] = core::array::from_fn(|j| values(7 + j));
        let m2: [[f32; R]; C2] = core::array::from_fn(|j| values(1000 + j));
        let (x1, x2) = (values::<C1>(3), values::<C2>(5));
        let want1 = reference(&m1, &x1);
        let want2 = reference(&m2, &x2);
        // Every row range, so that every block size and the scalar tail run.
        for row0 in [0, 1, R / 3, R / 2].into_iter().filter(|&r| r < R) {
            for len in [0, 1, R - row0, (R - row0) / 2] {
                let mut out = [1.0_f32; R];
                gemv2(&mut out[..len], row0, (&m1, &x1), (&m2, &x2));
                for (i, o) in out[..len].iter().enumerate() {
                    let want = 1.0 + want1[row0 + i] + want2[row0 + i];
                    assert!(
                        (f64::from(*o) - want).abs() < 1e-5,
                        "R={R} C1={C1} C2={C2} row0={row0} len={len} i={i}: {o} vs {want}"
                    );
                }
                assert!(out[len..].iter().all(|&o| o == 1.0), "wrote past the range");
            }
        }
    }

    #[test]
    fn matches_a_plain_product_for_every_block_size() {
        check::<1, 1, 1>();
        check::<3, 5, 2>();
        check::<12, 3, 3>();
        check::<15, 7, 5>();
        check::<32, 8, 8>();
        check::<96, 17, 24>();
        check::<200, 50, 50>();
        check::<256, 64, 64>();
        // Over PANEL_BYTES: the panel path.
        check::<260, 30, 33>();
        check::<300, 9, 75>();
    }

    /// `gemv2_many` gives each stream exactly its own `gemv2`'s bits, for every length of
    /// output (every block size and the tail), with and without panels, for 1 to 19 streams.
    fn check_many<const NB: usize, const R: usize, const C1: usize, const C2: usize>() {
        let m1: [[f32; R]; C1] = core::array::from_fn(|j| values(11 + j));
        let m2: [[f32; R]; C2] = core::array::from_fn(|j| values(2000 + j));
        let x1: [[f32; C1]; NB] = core::array::from_fn(|s| values(30 + s));
        let x2: [[f32; C2]; NB] = core::array::from_fn(|s| values(70 + s));
        for row0 in [0, 1, R / 3].into_iter().filter(|&r| r < R) {
            for len in [
                0,
                1,
                3,
                5,
                R - row0,
                (R - row0) / 2,
                (R - row0).saturating_sub(3),
            ] {
                let len = len.min(R - row0);
                let mut many: [[f32; R]; NB] = core::array::from_fn(|s| values(90 + s));
                let want: [[f32; R]; NB] = core::array::from_fn(|s| {
                    let mut out = many[s];
                    gemv2(&mut out[..len], row0, (&m1, &x1[s]), (&m2, &x2[s]));
                    out
                });
                let mut outs = many.each_mut().map(|o| &mut o[..len]);
                gemv2_many(
                    &mut outs,
                    row0,
                    (&m1, &x1.each_ref()),
                    (&m2, &x2.each_ref()),
                );
                for s in 0..NB {
                    assert_eq!(
                        many[s].map(f32::to_bits),
                        want[s].map(f32::to_bits),
                        "NB={NB} R={R} C1={C1} C2={C2} row0={row0} len={len} stream {s}"
                    );
                }
            }
        }
    }

    #[test]
    fn many_streams_match_one_at_a_time_bit_for_bit() {
        check_many::<1, 12, 3, 3>();
        check_many::<3, 31, 5, 2>();
        check_many::<8, 96, 17, 24>();
        check_many::<9, 64, 16, 16>();
        check_many::<16, 200, 50, 50>();
        check_many::<19, 47, 7, 9>();
        // Over PANEL_BYTES: every row in a block.
        check_many::<5, 260, 30, 33>();
    }

    #[test]
    fn one_matrix() {
        let m: [[f32; 40]; 6] = core::array::from_fn(values);
        let x = values::<6>(9);
        let mut out = [0.0; 40];
        gemv(&mut out, 0, &m, &x);
        for (o, w) in out.iter().zip(reference(&m, &x)) {
            assert!((f64::from(*o) - w).abs() < 1e-5);
        }
    }
}
