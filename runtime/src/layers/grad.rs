//! What the layers' backward passes share (issue 16): a kernel's gradient, `dz` times an
//! input, added in; and the kernel's transpose times `dz`, the input's gradient.

use nalgebra::SMatrix;

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

/// `kernel^T dz`: for each input, its column's dot product with `dz`.
pub(crate) fn transposed<const R: usize, const C: usize>(
    kernel: &SMatrix<f32, R, C>,
    dz: &[f32; R],
) -> [f32; C] {
    kernel
        .data
        .0
        .map(|column| column.iter().zip(dz).map(|(w, d)| w * d).sum())
}
