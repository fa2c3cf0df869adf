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
        #[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
        if LANES == 16 && super::zmm::streams(out, row0, first, second) {
            return;
        }
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
/// (`benches/src/bin/many_placements.rs`: % of the FMA peak, medians of 3 interleaved runs
/// over 16 placements of stack and heap, and the lowest placement): 4 streams 48% (45)
/// unpacked, 38% (32) packed; 8 streams 57-59% (45) unpacked, 51-55% (48) packed; 16 streams
/// 66-71% (32) unpacked, 72% (70) packed. Unpacked, the lowest placements are those where
/// the stack's sums share their offset in a page with the weights (4 KiB apart, as their
/// columns are), and the core's 4 KiB store-to-load address check stalls the loads; the
/// packed tiles load from the stack instead.
const PACK_STREAMS: usize = 16;

/// Columns of one packed panel of [`many_sweep`]: two buffers of them, 8 KiB each with
/// AVX-512 (2 KiB with SSE2), which leave room in a 32 KiB L1 (Zen 4) for the streams'
/// sums and inputs. Measured with `lstm(256)` on Zen 5 (48 KiB of L1), 16 streams: 32
/// columns 191 GFLOP/s, 64 columns 184; 64 streams 204 and 210.
const PACKED_COLUMNS: usize = 32;

/// One packed block of [`many_sweep`]: [`MANY_ROWS`] rows of [`PACKED_COLUMNS`] columns.
type Packed = [[f32; MANY_ROWS]; PACKED_COLUMNS];

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
/// From [`PACK_STREAMS`] streams, each block of a panel's rows is copied into one
/// contiguous block of [`PACKED_COLUMNS`] columns, which every tile reads: in place the
/// panel's columns would all fall in the same few sets of L1 and evict each other, which is
/// what limits [`many_columns`] to 8 of them; packed, the sums are loaded and stored once
/// per 32 columns instead of 8. Two buffers take turns: while the tiles read one block, each
/// tile copies its share of the next into the other ([`packed_tiles`]), so the copy's loads
/// from L2 or L3 go out between the tiles' arithmetic instead of holding it up.
///
/// Measured on Zen 5 (`lstm(256)`, GFLOP/s, medians of 12 processes, the streams' sums at
/// cache-line boundaries): 16 streams 162 with the copy made by the first tile as it reads
/// the weights, 191 with the two buffers; 64 streams 219 and 204. Each output gets the same
/// additions in the same order (column panels in order, as [`many_block`]).
#[inline(always)]
fn many_sweep<const NB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]; NB],
    (row0, len): (usize, usize),
    m: &[[f32; R]; C],
    xs: &[&[f32; C]; NB],
) {
    // The tiles make the copies: there must be one.
    const { assert!(PACK_STREAMS >= TILE_STREAMS) };
    let mut col = 0;
    if NB >= PACK_STREAMS {
        // Blocks of `MANY_ROWS` rows by `PACKED_COLUMNS` columns, panel after panel, down
        // the rows of each.
        let row_blocks = len / MANY_ROWS;
        let packed = if row_blocks > 0 {
            4 * (C / 4) / PACKED_COLUMNS * PACKED_COLUMNS
        } else {
            0
        };
        let blocks = packed / PACKED_COLUMNS * row_blocks;
        let at = |b: usize| (b / row_blocks * PACKED_COLUMNS, b % row_blocks * MANY_ROWS);
        let mut buffers: [crate::Aligned<Packed>; 2] =
            [crate::Aligned([[0.0; MANY_ROWS]; PACKED_COLUMNS]); 2];
        if blocks > 0 {
            let [crate::Aligned(first), _] = &mut buffers;
            pack(first, (m, row0), 0, 0..PACKED_COLUMNS);
        }
        for b in 0..blocks {
            let (col, row) = at(b);
            let [crate::Aligned(even), crate::Aligned(odd)] = &mut buffers;
            let (panel, next) = if b % 2 == 0 {
                (&*even, odd)
            } else {
                (&*odd, even)
            };
            let packed_xs = xs.map(|x| {
                x.get(col..)
                    .and_then(<[f32]>::first_chunk::<PACKED_COLUMNS>)
                    .unwrap_or(&[0.0; PACKED_COLUMNS])
            });
            let next = (b + 1 < blocks).then(|| (next, at(b + 1)));
            packed_tiles(outs, row, panel, &packed_xs, (m, row0), next);
            if row + MANY_ROWS + MANY_ROWS > len {
                // The panel's last block: the rows below it, in place.
                let rest = (row0, row + MANY_ROWS, len);
                sweep_rows(outs, rest, m, xs, col..col + PACKED_COLUMNS);
            }
        }
        col = packed;
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

/// Rows `row..row + MANY_ROWS` of every stream against a packed block of [`many_sweep`],
/// [`TILE_STREAMS`] streams at a time, each tile followed by its share of the copy of the
/// next block, `next` (its buffer, and the column and row of `m` it starts at, `m`'s rows
/// counted from `m_row`).
#[inline(always)]
fn packed_tiles<const R: usize, const C: usize>(
    outs: &mut [&mut [f32]],
    row: usize,
    panel: &Packed,
    xs: &[&[f32; PACKED_COLUMNS]],
    (m, m_row): (&[[f32; R]; C], usize),
    mut next: Option<(&mut Packed, (usize, usize))>,
) {
    let (tiles, rest) = outs.as_chunks_mut::<TILE_STREAMS>();
    let (xs_tiles, xs_rest) = xs.as_chunks::<TILE_STREAMS>();
    let share = PACKED_COLUMNS.div_ceil(tiles.len().max(1));
    let all = 0..PACKED_COLUMNS;
    for (t, (outs, xs)) in tiles.iter_mut().zip(xs_tiles).enumerate() {
        tile::<MANY_ROWS, MANY_ROWS, PACKED_COLUMNS>(outs, xs, row, (panel, 0), all.clone());
        if let Some((next, (col, next_row))) = next.as_mut() {
            let cols = (t * share).min(PACKED_COLUMNS)..((t + 1) * share).min(PACKED_COLUMNS);
            pack(next, (m, m_row + *next_row), *col, cols);
        }
    }
    alone::<MANY_ROWS, MANY_ROWS, PACKED_COLUMNS>(rest, xs_rest, row, (panel, 0), all);
}

/// Copies rows `m_row..m_row + MANY_ROWS` of `m`'s columns `col + cols` into the columns
/// `cols` of `panel`.
#[inline(always)]
fn pack<const R: usize, const C: usize>(
    panel: &mut Packed,
    (m, m_row): (&[[f32; R]; C], usize),
    col: usize,
    cols: core::ops::Range<usize>,
) {
    let (Some(to), Some(from)) = (
        panel.get_mut(cols.clone()),
        m.get(col + cols.start..col + cols.end),
    ) else {
        return;
    };
    for (to, from) in to.iter_mut().zip(from) {
        if let Some(from) = rows::<MANY_ROWS>(from, m_row) {
            *to = *from;
        }
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
        tile::<RB, R, C>(outs, xs, row, (m, m_row), cols.clone());
    }
    alone::<RB, R, C>(rest, xs_rest, row, (m, m_row), cols);
}

/// One tile of [`many_tiles`]: rows `row..row + RB` of [`TILE_STREAMS`] streams.
#[inline(always)]
fn tile<const RB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]; TILE_STREAMS],
    xs: &[&[f32; C]; TILE_STREAMS],
    row: usize,
    (m, m_row): (&[[f32; R]; C], usize),
    cols: core::ops::Range<usize>,
) {
    let mut acc = [[0.0; RB]; TILE_STREAMS];
    for (a, out) in acc.iter_mut().zip(outs.iter()) {
        let Some(o) = out.get(row..).and_then(<[f32]>::first_chunk::<RB>) else {
            return;
        };
        *a = *o;
    }
    tile_columns(&mut acc, m, xs, m_row, cols);
    for (a, out) in acc.iter().zip(outs.iter_mut()) {
        let Some(o) = out.get_mut(row..).and_then(<[f32]>::first_chunk_mut::<RB>) else {
            return;
        };
        *o = *a;
    }
}

/// The streams left over by [`many_tiles`]' tiles (one at most), each alone.
#[inline(always)]
fn alone<const RB: usize, const R: usize, const C: usize>(
    outs: &mut [&mut [f32]],
    xs: &[&[f32; C]],
    row: usize,
    (m, m_row): (&[[f32; R]; C], usize),
    cols: core::ops::Range<usize>,
) {
    for (out, x) in outs.iter_mut().zip(xs) {
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
