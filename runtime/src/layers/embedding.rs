//! `Embedding`: a token id in, its row of the embedding matrix out.

use super::{FlatReader, Layer, check_len, matrix_from_le_bytes, zero_matrix};
use crate::{Error, WeightSpec};
use nalgebra::{SMatrix, SVector};

/// Keras `Embedding(input_dim = V, output_dim = D)`: token id `i` becomes row `i` of
/// `embeddings`, shape `(V, D)`. An id `>= V` is not an error here (so that `forward` and
/// `step` never panic): it becomes a vector of zeros, as TensorFlow's gather gives on a GPU.
/// The models' `try_forward` and `try_step` refuse such ids with
/// [`Error::TokenOutOfRange`] instead, as Keras on a CPU does.
///
/// ```
/// use tinyrnn_runtime::layers::{Embedding, Layer};
///
/// type Emb = Embedding<3, 2>;
/// assert_eq!((Emb::PARAMS, Emb::FORMULA), (6, "d*u"));
/// let emb = Emb::from_flat(&[0.0, 0.5, 1.0, 1.5, 2.0, 2.5])?; // 3 rows of 2
/// assert_eq!(emb.step(&mut (), &1).as_slice(), &[1.0, 1.5]);
/// assert_eq!(emb.step(&mut (), &7).as_slice(), &[0.0, 0.0]); // out of range
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding<const V: usize, const D: usize> {
    /// Keras `embeddings`, shape `(input_dim, output_dim)`, stored as its transpose: one
    /// column per token.
    pub embeddings: SMatrix<f32, D, V>,
}

impl<const V: usize, const D: usize> Embedding<V, D> {
    /// Reads the layer from little-endian `f32` bytes at `*offset` (advancing it).
    ///
    /// # Panics
    /// If fewer than `4 * PARAMS` bytes are left (a compile error in a `const` item).
    #[must_use]
    pub const fn from_le_bytes_at(bytes: &[u8], offset: &mut usize) -> Self {
        Self {
            embeddings: matrix_from_le_bytes(bytes, offset),
        }
    }

    /// The vector of token `id`; zeros when `id >= V`.
    #[must_use]
    pub fn step(&self, _state: &mut (), id: &u32) -> SVector<f32, D> {
        match usize::try_from(*id) {
            Ok(i) if i < V => self.embeddings.column(i).into_owned(),
            _ => SVector::zeros(),
        }
    }

    /// Whether every id is below `V`; the first one that is not, as the error the
    /// checked calls return.
    ///
    /// # Errors
    /// [`Error::TokenOutOfRange`] naming the first id `>= V` and its position.
    pub fn check_ids(ids: &[u32]) -> Result<(), Error> {
        match ids
            .iter()
            .position(|&id| usize::try_from(id).map_or(true, |i| i >= V))
        {
            Some(timestep) => Err(Error::TokenOutOfRange {
                timestep,
                id: ids[timestep],
                input_dim: V,
            }),
            None => Ok(()),
        }
    }
}

impl<const V: usize, const D: usize> Layer for Embedding<V, D> {
    const KIND: &'static str = tinyrnn_spec::EMBEDDING.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::EMBEDDING.saving_name;
    const PARAMS: usize = V * D;
    const WEIGHTS: &'static [WeightSpec] = &[WeightSpec::new("embeddings", &[V, D])];
    const FORMULA: &'static str = tinyrnn_spec::EMBEDDING.formula(false, false);
    const SYMBOLS: &'static [(&'static str, usize)] = &[("d", V), ("u", D)];
    const ZERO: Self = Self {
        embeddings: zero_matrix(),
    };
    type State = ();
    const INITIAL_STATE: () = ();
    type Input = u32;
    type Output = SVector<f32, D>;

    #[inline]
    fn step(&self, state: &mut (), id: &u32) -> SVector<f32, D> {
        Self::step(self, state, id)
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        FlatReader::new(w).fill(&mut self.embeddings);
        Ok(())
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let mut w = super::FlatWriter::new(out);
        w.store(&self.embeddings);
        Ok(())
    }
}

impl<const V: usize, const D: usize> Embedding<V, D> {
    /// The backward pass of [`Self::step`] (issue 16): adds `g`, the gradient with respect
    /// to the vector of token `id`, into that token's column of `self`, a gradient (nothing
    /// for an id `>= V`, whose vector is the constant zeros).
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Embedding, Layer};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let mut grads = Embedding::<3, 2>::ZERO;
    /// grads.add_gradient(1, &SVector::from([0.5, -1.0]));
    /// grads.add_gradient(1, &SVector::from([0.5, 0.0]));
    /// grads.add_gradient(9, &SVector::from([1.0, 1.0]));
    /// assert_eq!(grads.embeddings.column(1).as_slice(), &[1.0, -1.0]);
    /// assert_eq!(grads.embeddings.sum(), 0.0);
    /// ```
    pub fn add_gradient(&mut self, id: u32, g: &SVector<f32, D>) {
        if let Some(column) = usize::try_from(id)
            .ok()
            .and_then(|i| self.embeddings.data.0.get_mut(i))
        {
            for (w, g) in column.iter_mut().zip(g.iter()) {
                *w += g;
            }
        }
    }
}
