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

/// One copy of the gradient's tiles (`grad/tiles.rs`) for registers of `lanes` floats: the
/// build's own, and on x86-64 with `std` copies for AVX-512 and AVX where the build's target
/// lacks them, chosen at run time (as `kernel`'s products are).
macro_rules! tiles_width {
    ($(#[$attr:meta])* $name:ident, lanes: $lanes:expr) => {
        $(#[$attr])*
        mod $name {
            /// `f32` lanes in one vector register.
            const LANES: usize = $lanes;

            include!("grad/tiles.rs");
        }
    };
}

tiles_width!(
    /// The build's target's registers.
    base,
    lanes: super::LANES
);

tiles_width!(
    /// AVX-512's registers, for x86-64 builds without it that find it at run time. Four
    /// timesteps at a time are only taken with AVX-512 in the build's target (`QUADS`), so
    /// this copy sums them one at a time as the build's own does: the same bits.
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx512f")))]
    avx512,
    lanes: 16
);

tiles_width!(
    /// AVX's 256-bit registers, for x86-64 builds without AVX that find it at run time.
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx")))]
    avx,
    lanes: 8
);

/// The gradient's tiles compiled for AVX-512 and AVX, and the run-time check (as
/// `kernel::wider`).
#[cfg(all(
    feature = "std",
    target_arch = "x86_64",
    not(target_feature = "avx512f")
))]
#[allow(
    unsafe_code,
    reason = "calling a function compiled for CPU features is unsafe; each call is behind a \
              run-time check that the CPU has them"
)]
mod wider {
    /// [`super::avx512::add_products`], compiled for AVX-512.
    #[target_feature(enable = "avx512f")]
    fn add_products_avx512<const R: usize, const C: usize, S, F>(
        grad: &mut [[f32; R]; C],
        steps: &[S],
        rows: core::ops::Range<usize>,
        pair: &F,
    ) where
        F: Fn(&S) -> (&[f32; R], &[f32; C]),
    {
        super::avx512::add_products(grad, steps, rows, pair);
    }

    /// [`super::avx::add_products`], compiled for AVX.
    #[cfg(not(target_feature = "avx"))]
    #[target_feature(enable = "avx")]
    fn add_products_avx<const R: usize, const C: usize, S, F>(
        grad: &mut [[f32; R]; C],
        steps: &[S],
        rows: core::ops::Range<usize>,
        pair: &F,
    ) where
        F: Fn(&S) -> (&[f32; R], &[f32; C]),
    {
        super::avx::add_products(grad, steps, rows, pair);
    }

    /// [`super::add_products`] on the widest registers this CPU has, if wider than the
    /// build's; `false` (nothing done) if it has none.
    #[inline(always)]
    pub(super) fn add_products<const R: usize, const C: usize, S, F>(
        grad: &mut [[f32; R]; C],
        steps: &[S],
        rows: core::ops::Range<usize>,
        pair: &F,
    ) -> bool
    where
        F: Fn(&S) -> (&[f32; R], &[f32; C]),
    {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: this CPU has AVX-512F, checked on the line above.
            unsafe { add_products_avx512(grad, steps, rows, pair) };
            return true;
        }
        #[cfg(not(target_feature = "avx"))]
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: this CPU has AVX, checked on the line above.
            unsafe { add_products_avx(grad, steps, rows, pair) };
            return true;
        }
        false
    }
}

/// `grad[rows] += sum_s dz_s x_s^T` over the timesteps `steps`, `pair` giving each one's
/// `dz` and input (of which only `rows` of `dz` are read): a kernel's gradient over a whole
/// sequence, in tiles of a few columns by a few registers of rows kept in registers while
/// the timesteps stream past (`grad/tiles.rs`), on AVX-512 or AVX where the CPU has them
/// and the build's target does not.
#[inline(always)]
pub(crate) fn add_products<const R: usize, const C: usize, S>(
    grad: &mut SMatrix<f32, R, C>,
    steps: &[S],
    rows: core::ops::Range<usize>,
    pair: impl Fn(&S) -> (&[f32; R], &[f32; C]),
) {
    let grad = &mut grad.data.0;
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    ))]
    if wider::add_products(grad, steps, rows.clone(), &pair) {
        return;
    }
    base::add_products(grad, steps, rows, &pair);
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

#[cfg(test)]
mod tests {
    use super::*;

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

    /// A timestep's `dz` and input.
    fn pair<const R: usize, const C: usize>(s: &([f32; R], [f32; C])) -> (&[f32; R], &[f32; C]) {
        (&s.0, &s.1)
    }

    /// A kernel's gradient over a sequence: every width's copy of the tiles and the run-time
    /// choice give the bits of the build's own copy, and the sums of products one timestep
    /// at a time in f64 within rounding.
    fn check<const R: usize, const C: usize, const T: usize>() {
        let steps: [([f32; R], [f32; C]); T] =
            core::array::from_fn(|t| (values(7 + 2 * t), values(8 + 2 * t)));
        let start: [[f32; R]; C] = core::array::from_fn(|j| values(1000 + j));
        let pair = pair::<R, C>;
        for rows in [0..R, R / 3..R] {
            let mut want = start;
            base::add_products(&mut want, &steps, rows.clone(), &pair);
            let mut chosen = SMatrix::<f32, R, C>::from_data(nalgebra::ArrayStorage(start));
            add_products(&mut chosen, &steps, rows.clone(), pair);
            let bits = |g: &[[f32; R]; C]| g.map(|c| c.map(f32::to_bits));
            assert_eq!(
                bits(&chosen.data.0),
                bits(&want),
                "chosen, R={R} C={C} T={T}"
            );
            #[cfg(all(
                feature = "std",
                target_arch = "x86_64",
                not(target_feature = "avx512f")
            ))]
            {
                let mut wide = start;
                avx512::add_products(&mut wide, &steps, rows.clone(), &pair);
                assert_eq!(bits(&wide), bits(&want), "avx512, R={R} C={C} T={T}");
            }
            #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx")))]
            {
                let mut wide = start;
                avx::add_products(&mut wide, &steps, rows.clone(), &pair);
                assert_eq!(bits(&wide), bits(&want), "avx, R={R} C={C} T={T}");
            }
            for (j, column) in want.iter().enumerate() {
                for (r, g) in column.iter().enumerate() {
                    let mut exact = f64::from(start[j][r]);
                    if rows.contains(&r) {
                        for (dz, x) in &steps {
                            exact += f64::from(dz[r]) * f64::from(x[j]);
                        }
                    }
                    assert!(
                        (f64::from(*g) - exact).abs() < 1e-4,
                        "R={R} C={C} ({r}, {j})"
                    );
                }
            }
        }
    }

    #[test]
    fn every_vector_width_gives_the_same_gradient_bits() {
        check::<2, 3, 5>();
        check::<24, 8, 7>();
        check::<64, 16, 9>();
        check::<96, 33, 4>();
        check::<200, 50, 13>();
    }
}
