// The tiles of a kernel's gradient over a sequence, whose sizes depend on the vector width:
// included by `grad.rs`'s `tiles_width!` once per width, inside a module that defines
// `LANES` (so `cargo fmt` does not see this file: `.ci/run` checks it with `rustfmt`). Each
// copy adds every gradient's products in the same order.

/// Whether [`add_products`]'s tiles take four timesteps at a time: with AVX-512 (see
/// `tile`); elsewhere one at a time, which keeps fewer registers live (16 of them with SSE
/// and AVX2, where the four timesteps' rows spill).
const QUADS: bool = cfg!(target_feature = "avx512f");

/// Columns summed together by [`add_products`]. (Eight in the AVX-512 copy that sums one
/// timestep at a time made `backward` 15-30x slower: LLVM then vectorised across the
/// timesteps, as the comment in [`tile`] describes. Four is measured fine there.)
const TILE_COLUMNS: usize = 4;

/// Rows of [`add_products`]'s full tiles: with [`TILE_COLUMNS`], eight registers of sums.
const TILE_ROWS: usize = 2 * LANES;

/// One tile of [`add_products`]: rows `row..row + RB` of columns `col..col + NC`.
#[inline(always)]
fn tile<const NC: usize, const RB: usize, const R: usize, const C: usize, S>(
    grad: &mut [[f32; R]; C],
    steps: &[S],
    (row, col): (usize, usize),
    pair: &impl Fn(&S) -> (&[f32; R], &[f32; C]),
) {
    let mut acc = [[0.0_f32; RB]; NC];
    let slices = |step| tile_slices::<NC, RB, R, C, S>(pair, step, row, col);
    // Four timesteps at a time, summed in a small tree before they touch the sums (as the
    // kernel sums four columns): one sum per timestep is a reduction across timesteps that
    // LLVM vectorises the wrong way with AVX-512 (gathering each row from four tapes,
    // scattering the sums back), 20 times slower than this.
    let (quads, rest) = if QUADS {
        steps.as_chunks::<4>()
    } else {
        (&[][..], steps)
    };
    for quad in quads {
        let (Some((d0, x0)), Some((d1, x1)), Some((d2, x2)), Some((d3, x3))) = (
            slices(&quad[0]),
            slices(&quad[1]),
            slices(&quad[2]),
            slices(&quad[3]),
        ) else {
            return;
        };
        for (c, a) in acc.iter_mut().enumerate() {
            let (Some(x0), Some(x1), Some(x2), Some(x3)) =
                (x0.get(c), x1.get(c), x2.get(c), x3.get(c))
            else {
                return;
            };
            for (k, a) in a.iter_mut().enumerate() {
                let (Some(d0), Some(d1), Some(d2), Some(d3)) =
                    (d0.get(k), d1.get(k), d2.get(k), d3.get(k))
                else {
                    return;
                };
                *a += (d0 * x0 + d1 * x1) + (d2 * x2 + d3 * x3);
            }
        }
    }
    for step in rest {
        let Some((d, x)) = slices(step) else {
            return;
        };
        for (a, x) in acc.iter_mut().zip(x) {
            for (a, d) in a.iter_mut().zip(d) {
                *a += d * x;
            }
        }
    }
    for (column, a) in grad.iter_mut().skip(col).zip(acc) {
        for (g, a) in column.iter_mut().skip(row).zip(a) {
            *g += a;
        }
    }
}

/// A timestep's rows `row..row + RB` of `dz` and inputs `col..col + NC`.
#[inline(always)]
fn tile_slices<'a, const NC: usize, const RB: usize, const R: usize, const C: usize, S>(
    pair: &impl Fn(&S) -> (&[f32; R], &[f32; C]),
    step: &'a S,
    row: usize,
    col: usize,
) -> Option<(&'a [f32; RB], &'a [f32; NC])> {
    let (dz, x) = pair(step);
    Some((
        dz.get(row..).and_then(<[f32]>::first_chunk::<RB>)?,
        x.get(col..).and_then(<[f32]>::first_chunk::<NC>)?,
    ))
}

/// The tiles of [`add_products`] for columns `col..col + NC`, rows in `rows`.
#[inline(always)]
fn tiles<const NC: usize, const R: usize, const C: usize, S>(
    grad: &mut [[f32; R]; C],
    steps: &[S],
    rows: core::ops::Range<usize>,
    col: usize,
    pair: &impl Fn(&S) -> (&[f32; R], &[f32; C]),
) {
    let mut row = rows.start;
    while row + TILE_ROWS <= rows.end {
        tile::<NC, TILE_ROWS, R, C, S>(grad, steps, (row, col), pair);
        row += TILE_ROWS;
    }
    if row + LANES <= rows.end {
        tile::<NC, LANES, R, C, S>(grad, steps, (row, col), pair);
        row += LANES;
    }
    // Half and quarter registers (`gru(8)` has 24 rows, a register and a half of AVX-512).
    if LANES >= 16 && row + 8 <= rows.end {
        tile::<NC, 8, R, C, S>(grad, steps, (row, col), pair);
        row += 8;
    }
    if LANES >= 8 && row + 4 <= rows.end {
        tile::<NC, 4, R, C, S>(grad, steps, (row, col), pair);
        row += 4;
    }
    while row < rows.end {
        tile::<NC, 1, R, C, S>(grad, steps, (row, col), pair);
        row += 1;
    }
}

/// `super::add_products` with this width's tiles.
#[inline(always)]
pub(crate) fn add_products<const R: usize, const C: usize, S>(
    grad: &mut [[f32; R]; C],
    steps: &[S],
    rows: core::ops::Range<usize>,
    pair: &impl Fn(&S) -> (&[f32; R], &[f32; C]),
) {
    let mut col = 0;
    while col + TILE_COLUMNS <= C {
        tiles::<TILE_COLUMNS, R, C, S>(grad, steps, rows.clone(), col, pair);
        col += TILE_COLUMNS;
    }
    while col < C {
        tiles::<1, R, C, S>(grad, steps, rows.clone(), col, pair);
        col += 1;
    }
}
