// The matrix products whose register blocks depend on the vector width: included by
// `kernel.rs`'s `width!` once per width, inside a module that defines `LANES`,
// `ACCUMULATORS`, `BLOCK` and `LARGEST_REST` (so `cargo fmt` does not see this file: `.ci/run`
// checks it with `rustfmt`).
// Each copy gives every output the same additions in the same order.

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

/// `super::gemv2` in this width's register blocks.
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
    // The rest, by halves (`LARGEST_REST` rows at most, each size once), then blocks of 4
    // rows (one SSE2 or NEON register; a half or a quarter of one on wider targets), up to
    // the rows that the build's own width computes in blocks.
    let blocked = super::blocked_rows(len);
    macro_rules! halves {
        ($($rows:literal)*) => {$(
            if BLOCK > $rows && $rows <= LARGEST_REST && done + $rows <= blocked {
                block2::<$rows, R, C1, C2>(out, done, row0 + done, first, second);
                done += $rows;
            }
        )*};
    }
    halves!(128 64 32 16 8 4);
    while done + 4 <= blocked {
        block2::<4, R, C1, C2>(out, done, row0 + done, first, second);
        done += 4;
    }
    // The rest (at most 15 rows: see `blocked_rows`): column by column, each output's
    // additions in the same order as in a block.
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
    // Eight columns per pass over the outputs (two groups of four, each added as `add4`
    // adds it), which halves the outputs' loads and stores.
    let (cols8, _) = m.as_chunks::<8>();
    let (xs8, _) = x.as_chunks::<8>();
    for (c, xs) in cols8.iter().zip(xs8) {
        let mut w: [&[f32]; 8] = [&[]; 8];
        for (w, c) in w.iter_mut().zip(c) {
            let Some(c) = c.get(range.clone()) else {
                return;
            };
            *w = c;
        }
        let (Some(xa), Some(xb)) = (xs.first_chunk::<4>(), xs.last_chunk::<4>()) else {
            return;
        };
        let pairs = out.iter_mut().zip(w[0]).zip(w[1]).zip(w[2]).zip(w[3]);
        let pairs = pairs.zip(w[4]).zip(w[5]).zip(w[6]).zip(w[7]);
        for ((((((((o, w0), w1), w2), w3), w4), w5), w6), w7) in pairs {
            let low = add4(*o, [*w0, *w1, *w2, *w3], xa);
            *o = add4(low, [*w4, *w5, *w6, *w7], xb);
        }
    }
    let (cols4, cols_rest) = m.as_chunks::<4>();
    let (xs4, xs_rest) = x.as_chunks::<4>();
    for (c, xs) in cols4.iter().zip(xs4).skip(2 * cols8.len()) {
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

/// Rows of one [`gemv2_many`] block: four registers of sums per stream, eight on NEON (32
/// rows, as before [`LANES`] there was 4: 16 rows took 5% more instructions in lstm(32)'s
/// `step_many` for 8 streams, counted under QEMU).
const MANY_ROWS: usize = if cfg!(target_feature = "neon") {
    8 * LANES
} else {
    4 * LANES
};

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
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
    if LANES == 16 && super::zmm::block_columns(acc, m, x, row, cols.clone()) {
        return;
    }
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

/// Streams whose sums one tile of [`many_block`] holds: each weight loaded from L1 then
/// serves as many streams, where one stream at a time needed a load per multiply-add and
/// was bound by the loads, not the arithmetic. Two: with four, the sums and the inputs'
/// broadcasts need more registers than AVX-512's 32 (B = 16 on Zen 5: 52-59% of the peak
/// with one stream at a time, 49-57% with four, 63-72% with two, lstm(256) aside).
const TILE_STREAMS: usize = 2;

/// Streams from which [`gemv2_many`] takes [`many_sweep`]'s order for matrices whose
/// columns are a multiple of 4 KiB (the smallest number measured).
const SWEEP_STREAMS: usize = 4;

/// Streams from which [`many_sweep`] packs its panels. Measured on Zen 5 with `lstm(256)`
/// (`benches/src/bin/many_placements.rs`: % of the FMA peak, medians of 4-5 interleaved
/// runs over 16 placements of stack and heap, and the lowest placement): 8 streams 50-56%
/// (39) unpacked, 43% (40) packed; 16 streams 50-52% (25) unpacked, 55-56% (53) packed; 64
/// streams 60% unpacked, 61-62% (59) packed. Packed, the slow placements are gone (both
/// full `many_peers.py` runs of the unpacked sweep hit one at 16 streams: 39% and 25%).
const PACK_STREAMS: usize = 16;

/// Columns of one packed panel of [`many_sweep`] (16 KiB of stack with AVX-512, 4 KiB with
/// SSE2). Measured with `lstm(256)`, before [`packing_tile`] (the copy in a pass of its
/// own), 64 streams: 32 columns 56%, 64 columns 60%, 128 columns 62%; 16 streams 48%, 50%,
/// 49%.
const PACKED_COLUMNS: usize = 64;

/// Rows `row..row + RB` of every stream (`row0 + row..` of the matrix `m`), over `m`'s
/// columns panel by panel: each panel's weights are read from L1 by every stream in turn,
/// [`TILE_STREAMS`] streams at a time.
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
        many_tiles::<RB, R, C>(outs, row, (m, row0 + row), xs, col..(col + width).min(C));
        col += width;
    }
}

/// [`many_block`] for the first `len` rows of every stream, in the other order: one panel of
/// columns at a time, down every row block of it. Each of the panel's columns is then read
/// front to back, as [`panels`] reads them, where [`many_block`] reads a few cache lines of
/// every column, each a page apart for the largest layers (columns of 4 KiB, which
/// [`many_columns`] gives the narrowest panels), which the hardware prefetchers do not
/// follow. The streams' sums (4 KiB each for `lstm(256)`) then come from L2 once per panel
/// instead of staying in L1.
///
/// From [`PACK_STREAMS`] streams, each panel's block of rows is copied into one contiguous
/// block of [`PACKED_COLUMNS`] columns (by the first tile, [`packing_tile`]), which the
/// other tiles read: in place the panel's columns would all fall in the same few sets of L1
/// and evict each other, which is what limits [`many_columns`] to 8 of them; packed, the
/// sums are loaded and stored once per 64 columns instead of 8.
///
/// Measured on Zen 5 (`lstm(256)`, % of the FMA peak, median over 16 placements of the
/// stack and heap, and the lowest): before this order 4 streams 33%, 16 streams 44% (26), 64
/// streams 51% (19); swept 44-46%, 50-53% (25), 52-54% (19); packed, 16 streams 55-56%
/// (53), 64 streams 61-62% (59). The lowest figures come from placements where the stack's sums and
/// the weights share their offset in a page (the core's 4 KiB store-to-load address check
/// stalls the loads); the packed panel's loads come from the stack instead. Each output
/// gets the same additions in the same order (column panels in order, as [`many_block`]).
#[inline(always)]
fn many_sweep<const NB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]; NB],
    (row0, len): (usize, usize),
    m: &[[f32; R]; C],
    xs: &[&[f32; C]; NB],
) {
    let mut col = 0;
    if NB >= PACK_STREAMS {
        let mut panel = [[0.0; MANY_ROWS]; PACKED_COLUMNS];
        while col + PACKED_COLUMNS <= 4 * (C / 4) {
            let packed_xs = xs.map(|x| {
                x.get(col..)
                    .and_then(<[f32]>::first_chunk::<PACKED_COLUMNS>)
                    .unwrap_or(&[0.0; PACKED_COLUMNS])
            });
            let mut row = 0;
            while row + MANY_ROWS <= len {
                // The first tile copies the panel as it reads the weights; the others read
                // the copy.
                let (Some((first, others)), Some((xs_first, xs_others))) = (
                    outs.split_at_mut_checked(TILE_STREAMS),
                    packed_xs.split_at_checked(TILE_STREAMS),
                ) else {
                    return;
                };
                packing_tile(first, row, (m, row0 + row), xs_first, col, &mut panel);
                let packed = (&panel, 0);
                let all = 0..PACKED_COLUMNS;
                many_tiles::<MANY_ROWS, MANY_ROWS, PACKED_COLUMNS>(
                    others, row, packed, xs_others, all,
                );
                row += MANY_ROWS;
            }
            sweep_rows(outs, (row0, row, len), m, xs, col..col + PACKED_COLUMNS);
            col += PACKED_COLUMNS;
        }
    }
    let width = const { many_columns(R) };
    while col < C {
        sweep_rows(outs, (row0, 0, len), m, xs, col..(col + width).min(C));
        col += width;
    }
}

/// Rows `start..len` of every stream against the columns `cols` of `m`: blocks of
/// [`MANY_ROWS`], then of [`LANES`], then single rows, as [`gemv2_many`] takes them.
#[inline(always)]
fn sweep_rows<const NB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]; NB],
    (row0, start, len): (usize, usize, usize),
    m: &[[f32; R]; C],
    xs: &[&[f32; C]; NB],
    cols: core::ops::Range<usize>,
) {
    let mut row = start;
    while row + MANY_ROWS <= len {
        many_tiles::<MANY_ROWS, R, C>(outs, row, (m, row0 + row), xs, cols.clone());
        row += MANY_ROWS;
    }
    if row + LANES <= len {
        many_tiles::<LANES, R, C>(outs, row, (m, row0 + row), xs, cols.clone());
        row += LANES;
    }
    while row < len {
        many_tiles::<1, R, C>(outs, row, (m, row0 + row), xs, cols.clone());
        row += 1;
    }
}

/// [`many_tiles`]' first tile on a packed panel of [`many_sweep`], which also copies the
/// panel's weights (`m`'s columns `col..`, rows `m_row..`) into `panel` as it reads them:
/// copied first, in a pass of their own, the loads of 64 columns' pieces a page apart kept
/// the tiles waiting (16 streams of `lstm(256)` on Zen 5: 50% of the peak with the copy
/// apart, 55-56% with it in the first tile; 64 streams 60% and 61-62%). The same operations
/// in the same order as [`tile_columns`] on the copy.
///
/// It is not [`tile_columns`] with an optional copy: written that way (and the first tile
/// through [`many_tiles`]), the same bits came out but 16 streams ran at 49% against 56%
/// here, over three interleaved rounds of `many_placements`. A likely cause:
/// [`tile_columns`] hides its trip count from the optimiser ([`trips`]), while this loop's
/// 16 groups are a known count.
#[inline(always)]
fn packing_tile<const R: usize, const C: usize>(
    outs: &mut [&mut [f32]],
    row: usize,
    (m, m_row): (&[[f32; R]; C], usize),
    xs: &[&[f32; PACKED_COLUMNS]],
    col: usize,
    panel: &mut [[f32; MANY_ROWS]; PACKED_COLUMNS],
) {
    let mut acc = [[0.0; MANY_ROWS]; TILE_STREAMS];
    for (a, out) in acc.iter_mut().zip(outs.iter()) {
        let Some(o) = out.get(row..).and_then(<[f32]>::first_chunk::<MANY_ROWS>) else {
            return;
        };
        *a = *o;
    }
    let Some(cols) = m.get(col..col + PACKED_COLUMNS) else {
        return;
    };
    let (cols4, _) = cols.as_chunks::<4>();
    let (panel4, _) = panel.as_chunks_mut::<4>();
    for (g, (c, p)) in cols4.iter().zip(panel4.iter_mut()).enumerate() {
        let (Some(w0), Some(w1), Some(w2), Some(w3)) = (
            rows::<MANY_ROWS>(&c[0], m_row),
            rows::<MANY_ROWS>(&c[1], m_row),
            rows::<MANY_ROWS>(&c[2], m_row),
            rows::<MANY_ROWS>(&c[3], m_row),
        ) else {
            return;
        };
        p[0] = *w0;
        p[1] = *w1;
        p[2] = *w2;
        p[3] = *w3;
        for (acc, x) in acc.iter_mut().zip(xs) {
            let Some(x) = x.as_chunks::<4>().0.get(g) else {
                return;
            };
            for k in 0..MANY_ROWS {
                acc[k] = add4(acc[k], [w0[k], w1[k], w2[k], w3[k]], x);
            }
        }
    }
    for (a, out) in acc.iter().zip(outs.iter_mut()) {
        let Some(o) = out
            .get_mut(row..)
            .and_then(<[f32]>::first_chunk_mut::<MANY_ROWS>)
        else {
            return;
        };
        *o = *a;
    }
}

/// Rows `row..row + RB` of every stream (`m_row..` of `m`) against the columns `cols` of
/// `m`: the streams [`TILE_STREAMS`] at a time ([`tile_columns`]), an odd one out alone
/// ([`block_columns`]).
#[inline(always)]
fn many_tiles<const RB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]],
    row: usize,
    (m, m_row): (&[[f32; R]; C], usize),
    xs: &[&[f32; C]],
    cols: core::ops::Range<usize>,
) {
    let (tiles, rest) = outs.as_chunks_mut::<TILE_STREAMS>();
    let (xs_tiles, xs_rest) = xs.as_chunks::<TILE_STREAMS>();
    for (outs, xs) in tiles.iter_mut().zip(xs_tiles) {
        let mut acc = [[0.0; RB]; TILE_STREAMS];
        for (a, out) in acc.iter_mut().zip(outs.iter()) {
            let Some(o) = out.get(row..).and_then(<[f32]>::first_chunk::<RB>) else {
                return;
            };
            *a = *o;
        }
        tile_columns(&mut acc, m, xs, m_row, cols.clone());
        for (a, out) in acc.iter().zip(outs.iter_mut()) {
            let Some(o) = out.get_mut(row..).and_then(<[f32]>::first_chunk_mut::<RB>) else {
                return;
            };
            *o = *a;
        }
    }
    for (out, x) in rest.iter_mut().zip(xs_rest) {
        let Some(o) = out.get_mut(row..).and_then(<[f32]>::first_chunk_mut::<RB>) else {
            return;
        };
        let mut acc = *o;
        block_columns(&mut acc, m, x, m_row, cols.clone());
        *o = acc;
    }
}

/// [`block_columns`] for [`TILE_STREAMS`] streams at once: each group of four columns'
/// weights is read once for all of them, and each stream's sums get [`block_columns`]'s
/// operations in its order.
#[inline(always)]
fn tile_columns<const RB: usize, const R: usize, const C: usize>(
    acc: &mut [[f32; RB]; TILE_STREAMS],
    m: &[[f32; R]; C],
    xs: &[&[f32; C]; TILE_STREAMS],
    row: usize,
    cols: core::ops::Range<usize>,
) {
    let (cols4, cols_rest) = m.as_chunks::<4>();
    let groups = cols.start / 4..cols.end.min(4 * cols4.len()) / 4;
    let Some(cols4) = cols4.get(groups.clone()) else {
        return;
    };
    let xs4 = xs.map(|x| x.as_chunks::<4>().0.get(groups.clone()).unwrap_or_default());
    for (g, c) in cols4.iter().enumerate().take(trips(cols4.len())) {
        let (Some(w0), Some(w1), Some(w2), Some(w3)) = (
            rows::<RB>(&c[0], row),
            rows::<RB>(&c[1], row),
            rows::<RB>(&c[2], row),
            rows::<RB>(&c[3], row),
        ) else {
            return;
        };
        for (acc, x) in acc.iter_mut().zip(&xs4) {
            let Some(x) = x.get(g) else {
                return;
            };
            for k in 0..RB {
                acc[k] = add4(acc[k], [w0[k], w1[k], w2[k], w3[k]], x);
            }
        }
    }
    if cols.end < C {
        return;
    }
    let xs_rest = xs.map(|x| x.as_chunks::<4>().1);
    for (j, c) in cols_rest.iter().enumerate() {
        let Some(w) = rows::<RB>(c, row) else {
            return;
        };
        for (acc, x) in acc.iter_mut().zip(&xs_rest) {
            let Some(&xj) = x.get(j) else {
                return;
            };
            for k in 0..RB {
                acc[k] = add1(acc[k], w[k], xj);
            }
        }
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
        super::blocked_rows(len)
    };
    let mut row = 0;
    if NB >= SWEEP_STREAMS && const { many_columns(R) } <= 8 {
        many_sweep::<NB, R, C1>(outs, (row0, blocked), first.0, first.1);
        many_sweep::<NB, R, C2>(outs, (row0, blocked), second.0, second.1);
        row = blocked;
    }
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
