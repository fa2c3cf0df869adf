//! What the layers' backward passes share (issue 16): the input's gradient, a kernel's
//! transpose times `dz`; and a kernel's gradient, `dz` times an input, for one timestep or
//! for a whole sequence at once.
//!
//! The backward pass through time splits the two. The input's and the state's gradients
//! are needed timestep by timestep (each feeds the timestep before), so they are computed in
//! the loop, with the kernels transposed once per sequence ([`Transposed`]). The
//! weights' gradients are not: each timestep's `dz` is kept, and after the loop
//! [`add_products`] adds `sum_t dz_t x_t^T` in one pass, a matrix-matrix product whose
//! blocks stay in registers, where adding `dz_t x_t^T` per timestep would load and store the
//! whole gradient at every timestep.
//!
//! Every access goes through `get`, `zip` or a chunk, never an index at a computed offset
//! (as in `kernel`): no reachable panic on a microcontroller.

#![allow(
    clippy::inline_always,
    reason = "as `kernel`: the loops only vectorise once inlined with constant sizes"
)]

use super::kernel::{self, LANES};
use nalgebra::{SMatrix, SVector};

/// `grad += dz x^T` for a kernel stored as Keras's transpose (`R` outputs by `C` inputs,
/// column `j` the weights from input `j`): each column gains `x_j * dz`.
pub(crate) fn add_outer<const R: usize, const C: usize>(
    grad: &mut SMatrix<f32, R, C>,
    dz: &[f32; R],
    x: &[f32; C],
) {
    for (column, x) in grad.data.0.iter_mut().zip(x) {
        for (w, dz) in column.iter_mut().zip(dz) {
            *w += x * dz;
        }
    }
}

/// A recurrent layer's kernels transposed, for its backward pass: the gradients with
/// respect to the input and the state are `kernel^T dz` and `recurrent_kernel^T dz`, which
/// on the transposes are the same column sweep as the forward pass's products (and as fast),
/// where on the kernels themselves they would be dot products along each column, which the
/// compiler does not vectorise well. Built once per sequence (`Lstm::transposed`, ...).
///
/// `D` inputs, `H` units, `G` rows of the kernels (`H`, `3 * H` or `4 * H`).
///
/// ```
/// use tinyrnn_runtime::activations::Tanh;
/// use tinyrnn_runtime::layers::{Layer, SimpleRnn};
///
/// let rnn = SimpleRnn::<2, 1, 1, Tanh>::from_flat(&[1.0, 2.0, 3.0, 0.5])?;
/// let t = rnn.transposed(true);
/// assert_eq!((t.kernel[(0, 0)], t.kernel[(1, 0)], t.recurrent_kernel[(0, 0)]), (1.0, 2.0, 3.0));
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Transposed<const D: usize, const H: usize, const G: usize> {
    /// `kernel^T`: column `g` holds the weights from every input to row `g`; zeros when
    /// the input's gradient is not wanted.
    pub kernel: SMatrix<f32, D, G>,
    /// `recurrent_kernel^T`.
    pub recurrent_kernel: SMatrix<f32, H, G>,
    /// Whether the input's gradient is wanted (a first layer's is not).
    pub input: bool,
}

impl<const D: usize, const H: usize, const G: usize> Transposed<D, H, G> {
    /// The transposes of `kernel` (if `input`, else zeros) and `recurrent_kernel`.
    pub(crate) fn new(
        kernel: &SMatrix<f32, G, D>,
        recurrent_kernel: &SMatrix<f32, G, H>,
        input: bool,
    ) -> Self {
        Self {
            kernel: if input {
                kernel.transpose()
            } else {
                SMatrix::zeros()
            },
            recurrent_kernel: recurrent_kernel.transpose(),
            input,
        }
    }

    /// `kernel^T dz`, or zeros if the input's gradient is not wanted.
    #[inline(always)]
    pub(crate) fn input(&self, dz: &[f32; G]) -> [f32; D] {
        let mut out = [0.0_f32; D];
        if self.input {
            kernel::gemv(&mut out, 0, &self.kernel.data.0, dz);
        }
        out
    }

    /// `recurrent_kernel^T dz`, added into `out`.
    #[inline(always)]
    pub(crate) fn add_state(&self, out: &mut [f32; H], dz: &[f32; G]) {
        kernel::gemv(out, 0, &self.recurrent_kernel.data.0, dz);
    }

    /// `recurrent_kernel^T dz` over rows `row..row + H` of the kernel, `dz` theirs.
    #[inline(always)]
    pub(crate) fn state_block(&self, row: usize, dz: &[f32; H]) -> [f32; H] {
        let mut out = [0.0_f32; H];
        if let Some(columns) = self
            .recurrent_kernel
            .data
            .0
            .get(row..)
            .and_then(<[[f32; H]]>::first_chunk::<H>)
        {
            kernel::gemv(&mut out, 0, columns, dz);
        }
        out
    }
}

/// What a layer that maps each vector to one of the same width (an activation, a
/// normalization, `prelu`) keeps for its backward pass: its input and its output.
///
/// ```
/// use tinyrnn_runtime::activations::Tanh;
/// use tinyrnn_runtime::layers::{ActivationLayer, Elementwise, VectorTape};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let layer = Elementwise::<1, Tanh, ActivationLayer>::from_le_bytes_at(&[], &mut 0);
/// let mut tape = VectorTape::ZERO;
/// let y = layer.step_train(&SVector::from([0.5]), &mut tape);
/// let dx = layer.backward(&tape, &SVector::from([1.0]));
/// assert!((dx[0] - (1.0 - y[0] * y[0])).abs() < 1e-7);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct VectorTape<const D: usize> {
    /// The input.
    pub x: [f32; D],
    /// The output.
    pub y: [f32; D],
}

impl<const D: usize> VectorTape<D> {
    /// Before any call: zeros.
    pub const ZERO: Self = Self {
        x: [0.0; D],
        y: [0.0; D],
    };

    /// Keeps a call's input `x` and output `y`, and hands `y` on: each such layer's
    /// `step_train` is its `step` through this.
    #[inline]
    pub(crate) fn record(&mut self, x: &SVector<f32, D>, y: SVector<f32, D>) -> SVector<f32, D> {
        (self.x, self.y) = (x.data.0[0], y.data.0[0]);
        y
    }
}

/// `kernel^T dz` as a dot product per column: for a `Dense` layer, whose few outputs make
/// short columns.
pub(crate) fn transposed<const R: usize, const C: usize>(
    kernel: &SMatrix<f32, R, C>,
    dz: &[f32; R],
) -> [f32; C] {
    kernel
        .data
        .0
        .map(|column| column.iter().zip(dz).map(|(w, d)| w * d).sum())
}

/// Whether [`add_products`]'s tiles take four timesteps at a time: with AVX-512 (see
/// `tile`); elsewhere one at a time, which keeps fewer registers live (16 of them with SSE
/// and AVX2, where the four timesteps' rows spill).
const QUADS: bool = cfg!(target_feature = "avx512f");

/// Columns summed together by [`add_products`].
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

/// `grad[rows] += sum_s dz_s x_s^T` over the timesteps `steps`, `pair` giving each one's
/// `dz` and input (of which only `rows` of `dz` are read): a kernel's gradient over a whole
/// sequence, in tiles of [`TILE_COLUMNS`] columns by [`TILE_ROWS`] rows kept in registers
/// while the timesteps stream past.
#[inline(always)]
pub(crate) fn add_products<const R: usize, const C: usize, S>(
    grad: &mut SMatrix<f32, R, C>,
    steps: &[S],
    rows: core::ops::Range<usize>,
    pair: impl Fn(&S) -> (&[f32; R], &[f32; C]),
) {
    let grad = &mut grad.data.0;
    let mut col = 0;
    while col + TILE_COLUMNS <= C {
        tiles::<TILE_COLUMNS, R, C, S>(grad, steps, rows.clone(), col, &pair);
        col += TILE_COLUMNS;
    }
    while col < C {
        tiles::<1, R, C, S>(grad, steps, rows.clone(), col, &pair);
        col += 1;
    }
}

/// `bias += sum_s dz_s` over the first `bias.len()` values of each `dz_s` (a bias of length
/// 0 for `use_bias=False` takes nothing).
#[inline(always)]
pub(crate) fn add_sums<S>(bias: &mut [f32], steps: &[S], dz: impl Fn(&S) -> &[f32]) {
    for step in steps {
        for (b, d) in bias.iter_mut().zip(dz(step)) {
            *b += d;
        }
    }
}

/// `a * b`, element by element.
#[inline(always)]
pub(crate) fn product<const H: usize>(a: &[f32; H], b: &[f32; H]) -> [f32; H] {
    let mut out = [0.0_f32; H];
    for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
        *o = a * b;
    }
    out
}

/// `a + b`, element by element.
#[inline(always)]
pub(crate) fn add<const H: usize>(a: &[f32; H], b: &[f32; H]) -> [f32; H] {
    let mut out = [0.0_f32; H];
    for ((o, a), b) in out.iter_mut().zip(a).zip(b) {
        *o = a + b;
    }
    out
}
