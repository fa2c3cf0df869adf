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
//!
//! The code that depends on the vector width (`kernel/blocks.rs`) is compiled once per
//! width: for the build's target, and on x86-64 with `std` also for AVX and AVX-512 where the
//! target lacks them, chosen at run time for the CPU ([`wider`]), so that a binary built for
//! the default target runs its larger products on the widest registers the machine has. All
//! copies give every output the same additions in the same order: the same bits.

#![allow(
    clippy::inline_always,
    reason = "the kernel only works once inlined: every size is then a constant, so loops unroll \
              and the accumulators stay in registers; measured in BENCHMARKS.md"
)]

/// One copy of the code whose register blocks depend on the vector width
/// (`kernel/blocks.rs`), for registers of `lanes` floats and `accumulators` of them per
/// block. [`base`] is the build's target's; on x86-64 with `std`, wider copies are compiled
/// too and chosen at run time ([`wider`]).
macro_rules! width {
    (
        $(#[$attr:meta])* $name:ident,
        lanes: $lanes:expr,
        accumulators: $accumulators:expr,
        largest_rest: $largest_rest:expr
    ) => {
        $(#[$attr])*
        mod $name {
            use super::{PANEL_BYTES, add1, add4, many_columns, rows, trips};

            /// `f32` lanes in one vector register.
            pub(crate) const LANES: usize = $lanes;

            /// Accumulator registers per block: half of the register file or so, the rest
            /// holding the weights and the broadcast inputs in flight. A power of two, so
            /// that the smaller blocks (`BLOCK / 2`, `BLOCK / 4`, ... 4 rows) cover any
            /// remainder that is a multiple of 4.
            pub(crate) const ACCUMULATORS: usize = $accumulators;

            /// Outputs computed together in registers.
            pub(crate) const BLOCK: usize = LANES * ACCUMULATORS;

            /// The largest block below [`BLOCK`] for the rows that a whole number of
            /// `BLOCK`s leaves; smaller ones by halves, then blocks of 4 rows.
            const LARGEST_REST: usize = $largest_rest;

            include!("kernel/blocks.rs");
        }
    };
}

width!(
    /// The build's target's registers: 16 lanes with AVX-512, 8 with AVX, else 4 (SSE2, and
    /// NEON's 128-bit registers: with 8 on NEON, blocks of 64 rows took 16 of its 32
    /// registers, and LLVM kept those sums in memory, loading and storing each one for every
    /// four columns: 27% more instructions in lstm(32)'s `step`, counted under QEMU).
    base,
    lanes: if cfg!(target_feature = "avx512f") {
        16
    } else if cfg!(target_feature = "avx") {
        8
    } else {
        4
    },
    accumulators: if cfg!(target_feature = "avx512f") { 16 } else { 8 },
    largest_rest: if ACCUMULATORS >= 16 { BLOCK / 2 } else { BLOCK / 4 }
);

width!(
    /// AVX-512's 512-bit registers, for x86-64 builds without it that find it at run time.
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx512f")))]
    avx512,
    lanes: 16,
    accumulators: 16,
    largest_rest: BLOCK / 2
);

width!(
    /// AVX's 256-bit registers, for x86-64 builds without AVX that find it at run time.
    #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx")))]
    avx,
    lanes: 8,
    accumulators: 8,
    largest_rest: BLOCK / 2
);

pub(crate) use base::LANES;

/// How many of `len` rows [`gemv2`] computes in register blocks (the rest, its tail, column
/// by column with [`add1`]): the partition of the build's own width ([`base`]), which every
/// width's copy and [`gemv2_many`] follow, so that each row gets the same additions in the
/// same order whichever runs. Whole blocks, then blocks of a quarter (a half with AVX-512),
/// an eighth and of 4 rows, each at most once: up to 15 rows are left to the tail where a
/// block is 32 rows (SSE2, NEON, microcontrollers), whose scalar registers hold no larger
/// sums. Without panels; with them every row is in a block.
const fn blocked_rows(len: usize) -> usize {
    use base::{ACCUMULATORS, BLOCK};
    let mut done = len - len % BLOCK;
    if ACCUMULATORS >= 16 && done + BLOCK / 2 <= len {
        done += BLOCK / 2;
    }
    if done + BLOCK / 4 <= len {
        done += BLOCK / 4;
    }
    if done + BLOCK / 8 <= len {
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

/// Matrices larger than this (an L1 data cache) are streamed from L2 instead of read in
/// register blocks: in column panels ([`panels`]), or front to back with AVX-512
/// (`zmm::stream`).
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

/// [`base`]'s register blocks written with AVX-512 intrinsics, for builds whose target has
/// AVX-512 (`-C target-cpu=native` on Intel Xeon and AMD Zen 4/5). Left to the optimiser,
/// the blocks become 256-bit code where LLVM's tuning for the CPU prefers 256-bit vectors
/// (Intel's server cores do), and blocks sized for 16-lane registers then need twice the
/// registers there are: `lstm(32)`'s `step` took 1.9x as long (measured on Zen 5 built with
/// `-C target-feature=+prefer-256-bit`). Each lane gets [`add4`]'s and [`add1`]'s operations
/// in their order, so the results are the bits of the plain code. The products streamed
/// from L2 are here too (`stream`: one column after the other instead of `panels`' eight
/// side by side).
#[cfg(all(target_arch = "x86_64", target_feature = "avx512f"))]
#[allow(
    unsafe_code,
    reason = "the intrinsics that load and store vectors take raw pointers: each comes from \
              a reference to exactly the 16 floats it reads or writes, or (`stream`) from a \
              row whose bounds are checked once before its loops; an empty `asm!` block \
              keeps `stream`'s loops as they are written"
)]
mod zmm {
    use super::{rows, trips};
    use core::arch::x86_64::{
        __m512, _mm512_add_ps, _mm512_loadu_ps, _mm512_mul_ps, _mm512_set1_ps, _mm512_storeu_ps,
    };
    use core::mem::MaybeUninit;

    // SAFETY (every call of an intrinsic below): the build's target has AVX-512F (this
    // module's `cfg`), which is all that these intrinsics need; the compiler still asks for
    // `unsafe` because the functions here do not list the feature themselves (they could not
    // then be `#[inline(always)]`).

    /// The 16 floats of `v`, as a vector.
    #[inline(always)]
    fn load(v: &[f32; 16]) -> __m512 {
        // SAFETY: `v` is 16 readable floats; the load has no alignment requirement.
        unsafe { _mm512_loadu_ps(v.as_ptr()) }
    }

    /// `x` in every lane.
    #[inline(always)]
    fn splat(x: f32) -> __m512 {
        // SAFETY: see above.
        unsafe { _mm512_set1_ps(x) }
    }

    /// `a + b` per lane.
    #[inline(always)]
    fn add(a: __m512, b: __m512) -> __m512 {
        // SAFETY: see above.
        unsafe { _mm512_add_ps(a, b) }
    }

    /// `a b` per lane.
    #[inline(always)]
    fn mul(a: __m512, b: __m512) -> __m512 {
        // SAFETY: see above.
        unsafe { _mm512_mul_ps(a, b) }
    }

    /// `a b + c` per lane, rounded once.
    #[cfg(all(feature = "std", target_feature = "fma"))]
    #[inline(always)]
    fn fused(a: __m512, b: __m512, c: __m512) -> __m512 {
        // SAFETY: see above.
        unsafe { core::arch::x86_64::_mm512_fmadd_ps(a, b, c) }
    }

    /// `acc + w x` per lane, fused as [`super::add1`] fuses.
    #[inline(always)]
    fn add1(acc: __m512, w: __m512, x: __m512) -> __m512 {
        #[cfg(all(feature = "std", target_feature = "fma"))]
        {
            fused(w, x, acc)
        }
        #[cfg(not(all(feature = "std", target_feature = "fma")))]
        {
            add(acc, mul(w, x))
        }
    }

    /// `w0 x0 + w1 x1` per lane, the second product fused as [`super::add4`] fuses it.
    #[inline(always)]
    fn pair(w0: __m512, x0: __m512, w1: __m512, x1: __m512) -> __m512 {
        #[cfg(all(feature = "std", target_feature = "fma"))]
        {
            fused(w1, x1, mul(w0, x0))
        }
        #[cfg(not(all(feature = "std", target_feature = "fma")))]
        {
            add(mul(w0, x0), mul(w1, x1))
        }
    }

    /// Two rows of partial sums for [`stream`], left uninitialised: each pass writes a
    /// row before any pass reads it.
    type Sums<const R: usize> = MaybeUninit<crate::Aligned<[[f32; R]; 2]>>;

    /// `blocks.rs`'s `gemv2` for matrices streamed from L2 ([`stream`] on each); `false`
    /// (nothing done) where `stream` does not apply. Out of line in unoptimised builds,
    /// so that its partial sums (`8 R` bytes) are on the stack only while it runs, not
    /// through the activations after it too (`tests/boxed.rs` steps lstm(256) on a 64 KiB
    /// stack).
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(debug_assertions, inline(never))]
    pub(super) fn streams<const R: usize, const C1: usize, const C2: usize>(
        out: &mut [f32],
        row0: usize,
        (m1, x1): (&[[f32; R]; C1], &[f32; C1]),
        (m2, x2): (&[[f32; R]; C2], &[f32; C2]),
    ) -> bool {
        if !out.len().is_multiple_of(16) || row0 + out.len() > R {
            return false;
        }
        let mut sums = Sums::<R>::uninit();
        // SAFETY: `row0 + out.len() <= R` and `out.len()` is a multiple of 16, checked above.
        unsafe {
            stream(out, row0, m1, x1, &mut sums);
            stream(out, row0, m2, x2, &mut sums);
        }
        true
    }

    /// `out[i] += sum_j m[j][row0 + i] * x[j]` for a matrix streamed from L2, reading its
    /// weights in memory order: one column after the other, front to back, a single
    /// stream. `blocks.rs`'s `panels` read eight columns side by side instead (eight
    /// streams), and on Zen 5 that caps the rate at which L2 feeds the core at 135-140
    /// GB/s, against 185-200 for one stream (BENCHMARKS.md).
    ///
    /// The order of the additions is [`super::add4`]'s, one column per pass: for each four
    /// columns, `low = w0 x0`, then `low += w1 x1` (fused as `add4` fuses it), `high = w2
    /// x2`, and `out += low + (high + w3 x3)`, with `low` and `high` in `sums`; then the
    /// columns past the last four, one at a time ([`super::add1`]). So every output gets
    /// `panels`' bits.
    ///
    /// Each pass is a loop of one vector a step, which [`each`] keeps as it is. Unrolled in
    /// full (its trip count is a constant), LLVM forwards `low` and `high` through
    /// registers and interleaves the four passes, which turns the one stream back into
    /// four: gru(64)'s `step` 624 -> 720 ns on Zen 5. Unrolled by 2 to 8 (the trip count
    /// hidden), 624 -> 741 ns, and lstm(64)'s 818 -> 841; the same passes written in C
    /// drew 185-200 GB/s from L2 at one vector a step and 134 at two or four.
    ///
    /// # Safety
    ///
    /// `row0 + out.len() <= R`, and `out.len()` is a multiple of 16 ([`streams`] checks
    /// both).
    #[inline(always)]
    unsafe fn stream<const R: usize, const C: usize>(
        out: &mut [f32],
        row0: usize,
        m: &[[f32; R]; C],
        x: &[f32; C],
        sums: &mut Sums<R>,
    ) {
        let len = out.len();
        let vectors = len / 16;
        let sum = out.as_mut_ptr();
        let low = sums.as_mut_ptr().cast::<f32>();
        let high = low.wrapping_add(R);
        let (cols4, cols_rest) = m.as_chunks::<4>();
        let (xs4, xs_rest) = x.as_chunks::<4>();
        // SAFETY: every `load_at` and `store_at` below takes vector `i < vectors` of a row,
        // floats `16 i .. 16 i + 16` from its start: inside `out` (`16 vectors` floats),
        // inside each row of `sums` (`R >= 16 vectors` floats each, `high` the second), and
        // inside rows `row0 .. row0 + len` of a column (`row0 + len <= R`, the caller's).
        // `low` and `high` are written (passes 1 and 3) before they are read (passes 2 and
        // 4) at every `i`.
        unsafe {
            for (c, xs) in cols4.iter().zip(xs4) {
                let [w0, w1, w2, w3] = c.each_ref().map(|c| c.as_ptr().wrapping_add(row0));
                let x = xs.map(splat);
                each(vectors, |i| store_at(low, i, mul(load_at(w0, i), x[0])));
                each(vectors, |i| {
                    store_at(low, i, add1(load_at(low, i), load_at(w1, i), x[1]));
                });
                each(vectors, |i| store_at(high, i, mul(load_at(w2, i), x[2])));
                each(vectors, |i| {
                    let pairs = add(
                        load_at(low, i),
                        add1(load_at(high, i), load_at(w3, i), x[3]),
                    );
                    store_at(sum, i, add(load_at(sum, i), pairs));
                });
            }
            for (c, &xj) in cols_rest.iter().zip(xs_rest) {
                let w = c.as_ptr().wrapping_add(row0);
                let xj = splat(xj);
                each(vectors, |i| {
                    store_at(sum, i, add1(load_at(sum, i), load_at(w, i), xj));
                });
            }
        }
    }

    /// Vector `i` of the row that starts at `base`: floats `16 i .. 16 i + 16`.
    ///
    /// # Safety
    ///
    /// They must be readable.
    #[inline(always)]
    unsafe fn load_at(base: *const f32, i: usize) -> __m512 {
        // SAFETY: the caller's; the load has no alignment requirement.
        unsafe { _mm512_loadu_ps(base.add(16 * i)) }
    }

    /// Stores `v` as vector `i` of the row that starts at `base`.
    ///
    /// # Safety
    ///
    /// Floats `16 i .. 16 i + 16` from `base` must be writable.
    #[inline(always)]
    unsafe fn store_at(base: *mut f32, i: usize, v: __m512) {
        // SAFETY: the caller's; the store has no alignment requirement.
        unsafe { _mm512_storeu_ps(base.add(16 * i), v) }
    }

    /// `f(0)`, `f(1)`, ... `f(n - 1)`, in a loop that the optimiser neither unrolls nor
    /// merges with the loops around it: after each step, `i` passes through an empty
    /// `asm!` block, so its next value is unknown to the optimiser and the loop has no
    /// trip count to unroll by (see [`stream`]).
    #[inline(always)]
    fn each(n: usize, mut f: impl FnMut(usize)) {
        let mut i = 0;
        while i < n {
            f(i);
            i += 1;
            // SAFETY: an empty block: it reads and writes nothing but the register that
            // holds `i`, and leaves its value as it is.
            unsafe {
                core::arch::asm!(
                    "/* {0} */",
                    inout(reg) i,
                    options(pure, nomem, nostack, preserves_flags)
                );
            }
        }
    }

    /// `blocks.rs`'s `block_columns` for `RB` rows, a multiple of 16 up to 256; `false`
    /// (nothing done) for other sizes.
    #[inline(always)]
    pub(super) fn block_columns<const RB: usize, const R: usize, const C: usize>(
        acc: &mut [f32; RB],
        m: &[[f32; R]; C],
        x: &[f32; C],
        row: usize,
        cols: core::ops::Range<usize>,
    ) -> bool {
        match RB {
            16 => vectors::<1, RB, R, C>(acc, m, x, row, cols),
            32 => vectors::<2, RB, R, C>(acc, m, x, row, cols),
            64 => vectors::<4, RB, R, C>(acc, m, x, row, cols),
            128 => vectors::<8, RB, R, C>(acc, m, x, row, cols),
            256 => vectors::<16, RB, R, C>(acc, m, x, row, cols),
            _ => return false,
        }
        true
    }

    /// [`block_columns`] on `V` vectors of sums. Forced inline only where optimised (as
    /// `debug_assertions` are off): unoptimised, every block of every product would get its
    /// own copy of each `V`'s locals in one stack frame (over 64 KiB for `lstm(256)`).
    #[cfg_attr(not(debug_assertions), inline(always))]
    #[cfg_attr(debug_assertions, inline)]
    fn vectors<const V: usize, const RB: usize, const R: usize, const C: usize>(
        acc: &mut [f32; RB],
        m: &[[f32; R]; C],
        x: &[f32; C],
        row: usize,
        cols: core::ops::Range<usize>,
    ) {
        let Some(acc) = acc.as_chunks_mut::<16>().0.first_chunk_mut::<V>() else {
            return;
        };
        let mut v: [__m512; V] = core::array::from_fn(|i| load(&acc[i]));
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
            let (w0, w1, w2, w3) = (
                w0.as_chunks::<16>().0,
                w1.as_chunks::<16>().0,
                w2.as_chunks::<16>().0,
                w3.as_chunks::<16>().0,
            );
            let x = xs.map(splat);
            for (i, v) in v.iter_mut().enumerate() {
                let (Some(w0), Some(w1), Some(w2), Some(w3)) =
                    (w0.get(i), w1.get(i), w2.get(i), w3.get(i))
                else {
                    return;
                };
                let low = pair(load(w0), x[0], load(w1), x[1]);
                let high = pair(load(w2), x[2], load(w3), x[3]);
                *v = add(*v, add(low, high));
            }
        }
        if cols.end >= C {
            for (c, &xj) in cols_rest.iter().zip(xs_rest) {
                let Some(w) = rows::<RB>(c, row) else {
                    return;
                };
                let xj = splat(xj);
                for (v, w) in v.iter_mut().zip(w.as_chunks::<16>().0) {
                    *v = add1(*v, load(w), xj);
                }
            }
        }
        for (a, v) in acc.iter_mut().zip(v) {
            // SAFETY: `a` is 16 writable floats; the store has no alignment requirement.
            unsafe { _mm512_storeu_ps(a.as_mut_ptr(), v) };
        }
    }
}

/// Products of at least this many bytes of weights run on wider registers than the build's
/// target has, where the CPU has them ([`wider`]). Smaller ones stay inlined in the layer's
/// code: a call into a function compiled for other features cannot be inlined, and for a few
/// hundred weights it costs more than the wider registers save (measured on Zen 5 with
/// AVX-512: `gru(8)`'s 768-byte products 21% slower through the call, `lstm(8)`'s 2 KiB
/// ones 3% faster, `gru(16)`'s 3 KiB ones twice as fast).
#[cfg(all(
    feature = "std",
    target_arch = "x86_64",
    not(target_feature = "avx512f")
))]
const WIDER_BYTES: usize = 2 * 1024;

/// The products compiled for wider registers than the build's target has, and the run-time
/// choice between them: x86-64 builds for the default target (SSE2) or for AVX2 find
/// AVX-512 or AVX on the CPU they run on (`is_x86_feature_detected!`: the standard library
/// reads CPUID once and caches it, so each check is a load and a test).
///
/// Every copy adds the same products in the same order ([`add4`]'s tree per four columns,
/// then [`add1`] per column; FMA only where the build's target has it, so never in a copy
/// chosen here), so a model's outputs are the same bits whichever copy runs: on any x86-64,
/// as on a Cortex-M or aarch64 with the same build settings.
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
    /// [`super::avx512::gemv2`], compiled for AVX-512.
    #[target_feature(enable = "avx512f")]
    fn gemv2_avx512<const R: usize, const C1: usize, const C2: usize>(
        out: &mut [f32],
        row0: usize,
        first: (&[[f32; R]; C1], &[f32; C1]),
        second: (&[[f32; R]; C2], &[f32; C2]),
    ) {
        super::avx512::gemv2(out, row0, first, second);
    }

    /// [`super::avx::gemv2`], compiled for AVX.
    #[cfg(not(target_feature = "avx"))]
    #[target_feature(enable = "avx")]
    fn gemv2_avx<const R: usize, const C1: usize, const C2: usize>(
        out: &mut [f32],
        row0: usize,
        first: (&[[f32; R]; C1], &[f32; C1]),
        second: (&[[f32; R]; C2], &[f32; C2]),
    ) {
        super::avx::gemv2(out, row0, first, second);
    }

    /// [`super::avx512::gemv2_many`], compiled for AVX-512.
    #[target_feature(enable = "avx512f")]
    fn gemv2_many_avx512<const NB: usize, const R: usize, const C1: usize, const C2: usize>(
        outs: &mut [&mut [f32]; NB],
        row0: usize,
        first: (&[[f32; R]; C1], &[&[f32; C1]; NB]),
        second: (&[[f32; R]; C2], &[&[f32; C2]; NB]),
    ) {
        super::avx512::gemv2_many(outs, row0, first, second);
    }

    /// [`super::avx::gemv2_many`], compiled for AVX.
    #[cfg(not(target_feature = "avx"))]
    #[target_feature(enable = "avx")]
    fn gemv2_many_avx<const NB: usize, const R: usize, const C1: usize, const C2: usize>(
        outs: &mut [&mut [f32]; NB],
        row0: usize,
        first: (&[[f32; R]; C1], &[&[f32; C1]; NB]),
        second: (&[[f32; R]; C2], &[&[f32; C2]; NB]),
    ) {
        super::avx::gemv2_many(outs, row0, first, second);
    }

    /// `f()`, compiled for AVX-512 (`f` inlined here).
    #[target_feature(enable = "avx512f")]
    pub(super) fn avx512<T>(f: impl FnOnce() -> T) -> T {
        f()
    }

    /// `f()`, compiled for AVX (`f` inlined here).
    #[cfg(not(target_feature = "avx"))]
    #[target_feature(enable = "avx")]
    pub(super) fn avx<T>(f: impl FnOnce() -> T) -> T {
        f()
    }

    /// `f()` as the build's target compiles it, out of line: inlined, a debug build would
    /// hold `f`'s locals in the caller's frame as well as in [`avx512`]'s (`tests/boxed.rs`
    /// steps lstm(256) on a 64 KiB stack).
    #[inline(never)]
    fn as_built<T>(f: impl FnOnce() -> T) -> T {
        f()
    }

    /// [`super::widest`]: `f()` compiled for AVX-512 or AVX if this CPU has it, as
    /// [`gemv2`] chooses.
    #[inline(always)]
    pub(super) fn widest<T>(f: impl FnOnce() -> T) -> T {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: this CPU has AVX-512F, checked on the line above.
            return unsafe { avx512(f) };
        }
        #[cfg(not(target_feature = "avx"))]
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: this CPU has AVX, checked on the line above.
            return unsafe { avx(f) };
        }
        as_built(f)
    }

    /// The vector lanes of the widest copy this CPU runs.
    pub(super) fn lanes() -> usize {
        if std::is_x86_feature_detected!("avx512f") {
            16
        } else if cfg!(target_feature = "avx") || std::is_x86_feature_detected!("avx") {
            8
        } else {
            4
        }
    }

    /// [`super::gemv2`] on the widest registers this CPU has, if wider than the build's;
    /// `false` (and nothing done) if it has none.
    #[inline(always)]
    pub(super) fn gemv2<const R: usize, const C1: usize, const C2: usize>(
        out: &mut [f32],
        row0: usize,
        first: (&[[f32; R]; C1], &[f32; C1]),
        second: (&[[f32; R]; C2], &[f32; C2]),
    ) -> bool {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: this CPU has AVX-512F, checked on the line above.
            unsafe { gemv2_avx512(out, row0, first, second) };
            return true;
        }
        #[cfg(not(target_feature = "avx"))]
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: this CPU has AVX, checked on the line above.
            unsafe { gemv2_avx(out, row0, first, second) };
            return true;
        }
        false
    }

    /// [`super::gemv2_many`] on the widest registers this CPU has, as [`gemv2`].
    #[inline(always)]
    pub(super) fn gemv2_many<const NB: usize, const R: usize, const C1: usize, const C2: usize>(
        outs: &mut [&mut [f32]; NB],
        row0: usize,
        first: (&[[f32; R]; C1], &[&[f32; C1]; NB]),
        second: (&[[f32; R]; C2], &[&[f32; C2]; NB]),
    ) -> bool {
        if std::is_x86_feature_detected!("avx512f") {
            // SAFETY: this CPU has AVX-512F, checked on the line above.
            unsafe { gemv2_many_avx512(outs, row0, first, second) };
            return true;
        }
        #[cfg(not(target_feature = "avx"))]
        if std::is_x86_feature_detected!("avx") {
            // SAFETY: this CPU has AVX, checked on the line above.
            unsafe { gemv2_many_avx(outs, row0, first, second) };
            return true;
        }
        false
    }
}

/// The `f32` lanes of the vector registers that the layers' matrix products use when run
/// here: the build's target's, or on x86-64 with `std` the widest the CPU has (4 for SSE2 or
/// NEON, 8 for AVX, 16 for AVX-512; 1 on targets without vectors, where the compiler still
/// computes four lanes' worth per block in scalar registers).
///
/// The results are the same bits whichever width runs: this is for reports and benchmarks.
///
/// ```
/// let lanes = tinyrnn_runtime::layers::vector_lanes();
/// assert!([1, 4, 8, 16].contains(&lanes));
/// ```
#[must_use]
pub fn vector_lanes() -> usize {
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    ))]
    {
        wider::lanes()
    }
    #[cfg(not(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    )))]
    {
        if cfg!(any(
            target_arch = "x86_64",
            target_feature = "sse2",
            target_feature = "neon",
            target_feature = "simd128"
        )) {
            LANES
        } else {
            1
        }
    }
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
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    ))]
    if 4 * R * (C1 + C2) >= WIDER_BYTES && wider::gemv2(out, row0, first, second) {
        return;
    }
    base::gemv2(out, row0, first, second);
}

/// [`gemv2`] for `NB` streams at once (`step_many`): `outs[s][i] += sum_j m1[j][row0 + i] *
/// x1[s][j] + sum_j m2[j][row0 + i] * x2[s][j]`, each stream's result bit for bit its own
/// [`gemv2`]'s. The `outs` are as long as the shortest of them.
///
/// The callers put each of the `outs` at a cache-line boundary (`crate::Aligned`): their
/// vector loads and stores then never straddle two lines. Left to the stack's alignment,
/// the offset changed from one process to the next, and with it the speed: `lstm(256)` at
/// 16 streams ran at 130-145 GFLOP/s in most processes and 180-195 in a few, on Zen 5
/// (BENCHMARKS.md).
///
/// One stream is [`gemv2`] itself, whose products too large for L1 read their weights in
/// the order L2 streams fastest (`zmm::stream`); the tiles of several streams are built
/// for reuse, not for that.
#[inline(always)]
pub(crate) fn gemv2_many<const NB: usize, const R: usize, const C1: usize, const C2: usize>(
    outs: &mut [&mut [f32]; NB],
    row0: usize,
    first: (&[[f32; R]; C1], &[&[f32; C1]; NB]),
    second: (&[[f32; R]; C2], &[&[f32; C2]; NB]),
) {
    if let ([out], [x1], [x2]) = (outs.as_mut_slice(), first.1.as_slice(), second.1.as_slice()) {
        gemv2(out, row0, (first.0, x1), (second.0, x2));
        return;
    }
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    ))]
    if 4 * R * (C1 + C2) >= WIDER_BYTES && wider::gemv2_many(outs, row0, first, second) {
        return;
    }
    base::gemv2_many(outs, row0, first, second);
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

/// `f()` on the widest registers this CPU has, for the element-wise work on `values` values
/// around the products (the activations). For x86-64 builds with `std` whose target lacks
/// AVX-512, `f` is compiled for AVX-512 and for AVX too and runs on the widest the CPU has,
/// as [`gemv2`]'s products do (`f` must be an `#[inline(always)]` closure: LLVM otherwise
/// keeps it out of line, compiled for the build's target). Elsewhere, or for fewer than
/// [`WIDEST_VALUES`] values, `f()` as compiled. The activations' operations are the same
/// IEEE operations at any width and are never fused without FMA in the build's target, so
/// the bits do not depend on the copy (the test `every_width_activates_to_the_same_bits`).
///
/// Measured on Zen 5, default target, `step`: lstm(16) 72 -> 43 ns, lstm(32) 180 -> 95 ns,
/// lstm(64) 1100 -> 880 ns, gru(32) 137 -> 86 ns; gru(8) (24 values) 34 -> 38 ns, hence
/// [`WIDEST_VALUES`].
#[inline(always)]
pub(crate) fn widest<T>(values: usize, f: impl FnOnce() -> T) -> T {
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    ))]
    if values >= WIDEST_VALUES {
        return wider::widest(f);
    }
    let _ = values;
    f()
}

/// The fewest values for which [`widest`] leaves the build's own code: below, the call to
/// the wider copy costs more than the wider registers save.
#[cfg(all(
    feature = "std",
    target_arch = "x86_64",
    not(target_feature = "avx512f")
))]
const WIDEST_VALUES: usize = 32;

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
                100,
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
        // Columns of 4 KiB, from 4 streams: `many_sweep`'s order.
        check_many::<5, 1024, 30, 33>();
        check_many::<4, 1024, 8, 3>();
    }

    /// Each vector width's copy of the blocks, and the run-time choice on this CPU, give
    /// every output the bits of the build's own copy: one product, and many streams.
    fn check_widths<const NB: usize, const R: usize, const C1: usize, const C2: usize>() {
        type One<'a, const R: usize, const C1: usize, const C2: usize> = &'a dyn Fn(
            &mut [f32],
            usize,
            (&[[f32; R]; C1], &[f32; C1]),
            (&[[f32; R]; C2], &[f32; C2]),
        );
        type Many<'a, const NB: usize, const R: usize, const C1: usize, const C2: usize> =
            &'a dyn Fn(
                &mut [&mut [f32]; NB],
                usize,
                (&[[f32; R]; C1], &[&[f32; C1]; NB]),
                (&[[f32; R]; C2], &[&[f32; C2]; NB]),
            );
        let m1: [[f32; R]; C1] = core::array::from_fn(|j| values(13 + j));
        let m2: [[f32; R]; C2] = core::array::from_fn(|j| values(3000 + j));
        let x1: [[f32; C1]; NB] = core::array::from_fn(|s| values(40 + s));
        let x2: [[f32; C2]; NB] = core::array::from_fn(|s| values(80 + s));
        let init: [[f32; R]; NB] = core::array::from_fn(|s| values(120 + s));
        let bits = |o: [[f32; R]; NB]| o.map(|o| o.map(f32::to_bits));
        for row0 in [0, 1, R / 3].into_iter().filter(|&r| r < R) {
            let len = R - row0;
            let one = |f: One<R, C1, C2>| {
                let mut out = init;
                for s in 0..NB {
                    f(&mut out[s][..len], row0, (&m1, &x1[s]), (&m2, &x2[s]));
                }
                bits(out)
            };
            let many = |f: Many<NB, R, C1, C2>| {
                let mut out = init;
                let mut outs = out.each_mut().map(|o| &mut o[..len]);
                f(
                    &mut outs,
                    row0,
                    (&m1, &x1.each_ref()),
                    (&m2, &x2.each_ref()),
                );
                bits(out)
            };
            let want = one(&|o, r, a, b| base::gemv2(o, r, a, b));
            let case = std::format!("R={R} C1={C1} C2={C2} NB={NB} row0={row0}");
            assert_eq!(one(&|o, r, a, b| gemv2(o, r, a, b)), want, "chosen, {case}");
            assert_eq!(
                many(&|o, r, a, b| gemv2_many(o, r, a, b)),
                want,
                "chosen many, {case}"
            );
            #[cfg(all(
                feature = "std",
                target_arch = "x86_64",
                not(target_feature = "avx512f")
            ))]
            {
                let got = one(&|o, r, a, b| avx512::gemv2(o, r, a, b));
                assert_eq!(got, want, "avx512, {case}");
                let got = many(&|o, r, a, b| avx512::gemv2_many(o, r, a, b));
                assert_eq!(got, want, "avx512 many, {case}");
            }
            #[cfg(all(feature = "std", target_arch = "x86_64", not(target_feature = "avx")))]
            {
                assert_eq!(
                    one(&|o, r, a, b| avx::gemv2(o, r, a, b)),
                    want,
                    "avx, {case}"
                );
                let got = many(&|o, r, a, b| avx::gemv2_many(o, r, a, b));
                assert_eq!(got, want, "avx many, {case}");
            }
        }
    }

    /// Output `row` of [`gemv2`] as the kernel defines it, one scalar operation at a time:
    /// from `init`, each matrix's columns four at a time ([`add4`]) and then one at a time
    /// ([`add1`]) where the row is in a block, or one at a time throughout in the tail.
    fn defined<const R: usize, const C1: usize, const C2: usize>(
        init: f32,
        (m1, x1): (&[[f32; R]; C1], &[f32; C1]),
        (m2, x2): (&[[f32; R]; C2], &[f32; C2]),
        row: usize,
        in_block: bool,
    ) -> f32 {
        fn columns<const R: usize, const C: usize>(
            mut acc: f32,
            m: &[[f32; R]; C],
            x: &[f32; C],
            row: usize,
            in_block: bool,
        ) -> f32 {
            let fours = if in_block { C / 4 } else { 0 };
            for g in 0..fours {
                let w = [0, 1, 2, 3].map(|i| m[4 * g + i][row]);
                acc = add4(acc, w, x[4 * g..][..4].try_into().unwrap());
            }
            for j in 4 * fours..C {
                acc = add1(acc, m[j][row], x[j]);
            }
            acc
        }
        let acc = columns(init, m1, x1, row, in_block);
        columns(acc, m2, x2, row, in_block)
    }

    /// Every output of [`gemv2`] (on whichever width runs here) and of [`gemv2_many`] is
    /// [`defined`]'s bits: the blocks of every size, the AVX-512 intrinsics where the build
    /// has them, the tail and the panels all add the same products in the same order.
    fn check_defined<const NB: usize, const R: usize, const C1: usize, const C2: usize>() {
        let m1: [[f32; R]; C1] = core::array::from_fn(|j| values(17 + j));
        let m2: [[f32; R]; C2] = core::array::from_fn(|j| values(5000 + j));
        let x1: [[f32; C1]; NB] = core::array::from_fn(|s| values(50 + s));
        let x2: [[f32; C2]; NB] = core::array::from_fn(|s| values(90 + s));
        let init: [[f32; R]; NB] = core::array::from_fn(|s| values(130 + s));
        let panels = 4 * R * (C1 + C2) > PANEL_BYTES;
        for row0 in [0, 1, R / 3].into_iter().filter(|&r| r < R) {
            let len = R - row0;
            let blocked = if panels { len } else { blocked_rows(len) };
            let mut one = init;
            for s in 0..NB {
                gemv2(&mut one[s][..len], row0, (&m1, &x1[s]), (&m2, &x2[s]));
            }
            let mut many = init;
            gemv2_many(
                &mut many.each_mut().map(|o| &mut o[..len]),
                row0,
                (&m1, &x1.each_ref()),
                (&m2, &x2.each_ref()),
            );
            for s in 0..NB {
                for i in 0..len {
                    let want = defined(
                        init[s][i],
                        (&m1, &x1[s]),
                        (&m2, &x2[s]),
                        row0 + i,
                        i < blocked,
                    );
                    let case = std::format!("R={R} C1={C1} C2={C2} row0={row0} stream {s} i={i}");
                    assert_eq!(one[s][i].to_bits(), want.to_bits(), "gemv2, {case}");
                    assert_eq!(many[s][i].to_bits(), want.to_bits(), "gemv2_many, {case}");
                }
            }
        }
    }

    #[test]
    fn every_output_adds_in_the_defined_order() {
        check_defined::<1, 12, 3, 3>();
        check_defined::<3, 31, 5, 2>();
        check_defined::<2, 24, 8, 8>();
        check_defined::<4, 96, 17, 24>();
        check_defined::<2, 200, 50, 50>();
        check_defined::<3, 256, 64, 64>();
        check_defined::<2, 300, 9, 75>();
        check_defined::<2, 512, 128, 128>();
        check_defined::<5, 1024, 19, 24>();
        // Over PANEL_BYTES, whole vectors from row R / 3 = 176 too (AVX-512's `zmm::stream`
        // where the build has it), and matrices of 2 and 1 columns past their fours.
        check_defined::<2, 528, 42, 41>();
    }

    #[test]
    fn every_vector_width_gives_the_same_bits() {
        check_widths::<1, 12, 3, 3>();
        check_widths::<3, 31, 5, 2>();
        check_widths::<2, 24, 8, 8>();
        check_widths::<4, 96, 17, 24>();
        check_widths::<8, 200, 50, 50>();
        check_widths::<5, 256, 64, 64>();
        check_widths::<3, 300, 9, 75>();
        check_widths::<16, 512, 128, 128>();
        check_widths::<6, 1024, 21, 16>();
    }

    /// `many_sweep`'s packed panels (columns of 4 KiB, from 16 streams: blocks of 32
    /// columns in two buffers, then the rest; 66 and 70 columns leave a rest, odd stream
    /// counts a stream alone) in all three checks, on a thread whose stack holds their
    /// matrices.
    #[test]
    #[cfg(feature = "std")]
    fn packed_panels_give_the_same_bits() {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(|| {
                check_many::<17, 1024, 66, 5>();
                check_defined::<16, 1024, 64, 3>();
                check_widths::<33, 1024, 70, 2>();
            })
            .expect("a test thread")
            .join()
            .expect("the checks pass");
    }

    /// [`widest`]'s copies (AVX-512 and AVX, where this CPU has them) give every activation
    /// the bits of the build's own code, over their whole range, the saturation points,
    /// zeros, infinities and NaN.
    #[test]
    #[cfg(all(
        feature = "std",
        target_arch = "x86_64",
        not(target_feature = "avx512f")
    ))]
    #[allow(
        unsafe_code,
        reason = "each copy runs only after the check that this CPU has its features"
    )]
    fn every_width_activates_to_the_same_bits() {
        use crate::activations::{
            Activation, Elu, Exponential, Gelu, HardSigmoid, HardSilu, HardTanh, LeakyRelu, Linear,
            LogSoftmax, Mish, Relu, Selu, Sigmoid, Silu, Softmax, Softplus, Softsign, Tanh,
        };
        use nalgebra::SVector;
        fn same<A: Activation>(input: &SVector<f32, 515>) {
            let mut built = *input;
            A::apply(&mut built);
            let bits = |v: &SVector<f32, 515>| v.map(f32::to_bits);
            // The copy `wider::$copy`, where this CPU has `$feature`.
            macro_rules! on {
                ($copy:ident, $feature:tt, $name:literal) => {
                    if std::is_x86_feature_detected!($feature) {
                        let mut wide = *input;
                        // SAFETY: this CPU has the copy's features, checked on the line above.
                        unsafe {
                            super::wider::$copy(
                                #[inline(always)]
                                || A::apply(&mut wide),
                            );
                        }
                        assert_eq!(bits(&wide), bits(&built), "{} on {}", A::NAME, $name);
                    }
                };
            }
            on!(avx512, "avx512f", "AVX-512");
            #[cfg(not(target_feature = "avx"))]
            on!(avx, "avx", "AVX");
        }
        #[allow(clippy::cast_precision_loss, reason = "small integers")]
        let mut input: SVector<f32, 515> = SVector::from_fn(|i, _| (i as f32 - 250.0) * 0.071);
        let edges = [
            0.0,
            -0.0,
            7.930_165,
            -7.930_165,
            15.860_33,
            -15.860_33,
            1e30,
            -1e30,
            1e-40,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            f32::MAX,
            f32::MIN,
        ];
        for (v, e) in input.iter_mut().skip(501).zip(edges) {
            *v = e;
        }
        same::<Linear>(&input);
        same::<Relu>(&input);
        same::<Tanh>(&input);
        same::<Sigmoid>(&input);
        same::<LeakyRelu>(&input);
        same::<Elu>(&input);
        same::<Selu>(&input);
        same::<Gelu>(&input);
        same::<HardSigmoid>(&input);
        same::<HardTanh>(&input);
        same::<Softplus>(&input);
        same::<Softsign>(&input);
        same::<Silu>(&input);
        same::<HardSilu>(&input);
        same::<Mish>(&input);
        same::<Exponential>(&input);
        same::<Softmax>(&input);
        same::<LogSoftmax>(&input);
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
