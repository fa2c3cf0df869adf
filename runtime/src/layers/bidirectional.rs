//! `Bidirectional`: Keras's wrapper that runs a recurrent layer forwards and a copy of it
//! backwards over the whole sequence, then merges the two outputs.

use super::{Layer, check_len, take_layer_into};
use crate::{Error, WeightSpec};
use core::marker::PhantomData;
use nalgebra::SVector;

/// How the forward and backward outputs are merged (Keras's `merge_mode`).
///
/// ```
/// use tinyrnn_runtime::layers::{Concat, Merge, Sum};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// let (f, b) = (SVector::from([1.0, 2.0]), SVector::from([10.0, 20.0]));
/// assert_eq!(Concat::merge::<2, 4>(&f, &b), SVector::from([1.0, 2.0, 10.0, 20.0]));
/// assert_eq!(Sum::merge::<2, 2>(&f, &b), SVector::from([11.0, 22.0]));
/// ```
pub trait Merge {
    /// Keras's name for the mode (`concat`), also the `model!` name.
    const NAME: &'static str;
    /// The output width as a multiple of the wrapped layer's units (2 for concat).
    const WIDTH_FACTOR: usize;
    /// Merges one timestep's forward output `f` and backward output `b`; `O` must be
    /// `WIDTH_FACTOR * H` (checked at compile time).
    fn merge<const H: usize, const O: usize>(
        f: &SVector<f32, H>,
        b: &SVector<f32, H>,
    ) -> SVector<f32, O>;

    /// The backward pass of [`Merge::merge`] (issue 16): from `g`, the gradient with
    /// respect to the merged output, the gradients with respect to `f` and `b`.
    ///
    /// ```
    /// use tinyrnn_runtime::layers::{Concat, Merge, Mul};
    /// use tinyrnn_runtime::nalgebra::SVector;
    ///
    /// let (f, b) = (SVector::from([1.0, 2.0]), SVector::from([10.0, 20.0]));
    /// let g = SVector::from([1.0, 1.0, 2.0, 2.0]);
    /// assert_eq!(Concat::backward::<2, 4>(&g, &f, &b), (SVector::from([1.0, 1.0]), SVector::from([2.0, 2.0])));
    /// assert_eq!(Mul::backward::<2, 2>(&SVector::from([1.0, 1.0]), &f, &b), (b, f));
    /// ```
    fn backward<const H: usize, const O: usize>(
        g: &SVector<f32, O>,
        f: &SVector<f32, H>,
        b: &SVector<f32, H>,
    ) -> (SVector<f32, H>, SVector<f32, H>);
}

macro_rules! merge_mode {
    (
        $(#[$doc:meta])* $ty:ident, $name:literal, $factor:literal, |$f:ident, $b:ident| $body:expr,
        backward: |$g:ident, $gf:ident, $gb:ident| ($df:expr, $db:expr)
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct $ty;

        impl Merge for $ty {
            const NAME: &'static str = $name;
            const WIDTH_FACTOR: usize = $factor;
            #[inline]
            fn merge<const H: usize, const O: usize>(
                f: &SVector<f32, H>,
                b: &SVector<f32, H>,
            ) -> SVector<f32, O> {
                const { assert!(O == $factor * H, "merged width must be WIDTH_FACTOR * units") };
                let mut out = SVector::<f32, O>::zeros();
                for (o, ($f, $b)) in out.iter_mut().zip(f.iter().zip(b.iter())) {
                    *o = $body;
                }
                out
            }

            #[inline]
            fn backward<const H: usize, const O: usize>(
                g: &SVector<f32, O>,
                f: &SVector<f32, H>,
                b: &SVector<f32, H>,
            ) -> (SVector<f32, H>, SVector<f32, H>) {
                const { assert!(O == $factor * H, "merged width must be WIDTH_FACTOR * units") };
                let (mut df, mut db) = (SVector::<f32, H>::zeros(), SVector::<f32, H>::zeros());
                for (((df, db), $g), ($gf, $gb)) in df
                    .iter_mut()
                    .zip(db.iter_mut())
                    .zip(g.iter())
                    .zip(f.iter().zip(b.iter()))
                {
                    let _ = (&$gf, &$gb);
                    (*df, *db) = ($df, $db);
                }
                (df, db)
            }
        }
    };
}

merge_mode!(
    /// `merge_mode="sum"`: `f + b`.
    Sum, "sum", 1, |f, b| f + b,
    backward: |g, f, b| (*g, *g)
);
merge_mode!(
    /// `merge_mode="mul"`: `f * b`.
    Mul, "mul", 1, |f, b| f * b,
    backward: |g, f, b| (g * b, g * f)
);
merge_mode!(
    /// `merge_mode="ave"`: `(f + b) / 2`.
    Ave, "ave", 1, |f, b| (f + b) / 2.0,
    backward: |g, f, b| (g / 2.0, g / 2.0)
);

/// `merge_mode="concat"` (Keras's default): `[f, b]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Concat;

impl Merge for Concat {
    const NAME: &'static str = "concat";
    const WIDTH_FACTOR: usize = 2;
    #[inline]
    fn merge<const H: usize, const O: usize>(
        f: &SVector<f32, H>,
        b: &SVector<f32, H>,
    ) -> SVector<f32, O> {
        const { assert!(O == 2 * H, "concat's width is 2 * units") };
        let mut out = SVector::<f32, O>::zeros();
        for (o, v) in out.iter_mut().zip(f.iter().chain(b.iter())) {
            *o = *v;
        }
        out
    }

    #[inline]
    fn backward<const H: usize, const O: usize>(
        g: &SVector<f32, O>,
        _f: &SVector<f32, H>,
        _b: &SVector<f32, H>,
    ) -> (SVector<f32, H>, SVector<f32, H>) {
        const { assert!(O == 2 * H, "concat's width is 2 * units") };
        let (mut df, mut db) = (SVector::<f32, H>::zeros(), SVector::<f32, H>::zeros());
        for (d, v) in df.iter_mut().chain(db.iter_mut()).zip(g.iter()) {
            *d = *v;
        }
        (df, db)
    }
}

/// Keras `Bidirectional(layer, merge_mode)`: `forward_layer` reads the sequence in order,
/// `backward_layer` (a copy with its own weights) from the last timestep to the first, and
/// the outputs are merged with `M`. With `return_sequences`, the backward outputs are
/// re-aligned in time before merging, as Keras does. Its weights are the forward layer's,
/// then the backward layer's, in Keras's `get_weights()` order.
///
/// It needs the whole sequence before its first output, so a model with one cannot `step`.
///
/// ```
/// use tinyrnn_runtime::layers::{Bidirectional, Concat, Layer, SimpleRnn};
/// use tinyrnn_runtime::activations::Tanh;
///
/// type Bi = Bidirectional<SimpleRnn<3, 2, 2, Tanh>, Concat>;
/// assert_eq!(Bi::PARAMS, 2 * 12);
/// assert_eq!(Bi::KIND, "Bidirectional");
/// assert_eq!(Bi::COPIES, 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Bidirectional<L, M> {
    /// The layer that reads the sequence forwards.
    pub forward_layer: L,
    /// The copy that reads it backwards.
    pub backward_layer: L,
    merge: PhantomData<M>,
}

impl<L: Layer, M: Merge> Bidirectional<L, M> {
    /// The wrapper around a forward layer and its backward copy.
    #[must_use]
    pub const fn new(forward_layer: L, backward_layer: L) -> Self {
        Self {
            forward_layer,
            backward_layer,
            merge: PhantomData,
        }
    }

    /// One timestep of the forward layer, which reads the sequence in order.
    #[inline]
    pub fn step_forward(&self, state: &mut (L::State, L::State), x: &L::Input) -> L::Output {
        self.forward_layer.step(&mut state.0, x)
    }

    /// One timestep of the backward layer, which reads the sequence from its end.
    #[inline]
    pub fn step_backward(&self, state: &mut (L::State, L::State), x: &L::Input) -> L::Output {
        self.backward_layer.step(&mut state.1, x)
    }

    /// Merges one timestep's forward and backward outputs.
    #[inline]
    #[must_use]
    pub fn merge<const H: usize, const O: usize>(
        f: &SVector<f32, H>,
        b: &SVector<f32, H>,
    ) -> SVector<f32, O> {
        M::merge(f, b)
    }

    /// [`Merge::backward`] of the merge mode.
    #[inline]
    #[must_use]
    pub fn merge_backward<const H: usize, const O: usize>(
        g: &SVector<f32, O>,
        f: &SVector<f32, H>,
        b: &SVector<f32, H>,
    ) -> (SVector<f32, H>, SVector<f32, H>) {
        M::backward(g, f, b)
    }
}

impl<L: Layer, M: Merge> Layer for Bidirectional<L, M> {
    const KIND: &'static str = tinyrnn_spec::BIDIRECTIONAL.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::BIDIRECTIONAL.saving_name;
    const PARAMS: usize = 2 * L::PARAMS;
    const WEIGHTS: &'static [WeightSpec] = L::WEIGHTS;
    const COPIES: usize = 2;
    const FORMULA: &'static str = L::FORMULA;
    const SYMBOLS: &'static [(&'static str, usize)] = L::SYMBOLS;
    const ZERO: Self = Self {
        forward_layer: L::ZERO,
        backward_layer: L::ZERO,
        merge: PhantomData,
    };
    type State = (L::State, L::State);
    const INITIAL_STATE: Self::State = (L::INITIAL_STATE, L::INITIAL_STATE);
    type Input = (L::Input, L::Input);
    type Output = (L::Output, L::Output);

    /// One step of each direction: the forward layer on `x.0`, the backward layer on `x.1`
    /// (which, over a sequence, is the timestep as far from the end as `x.0` is from the
    /// start).
    #[inline]
    fn step(&self, state: &mut Self::State, x: &Self::Input) -> Self::Output {
        (
            self.step_forward(state, &x.0),
            self.step_backward(state, &x.1),
        )
    }

    /// Each direction in place (so that `Net::boxed_from_flat` never holds the two layers
    /// on the stack: 4 MiB for `bidirectional(lstm(256))`).
    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        check_len(w, Self::PARAMS)?;
        let mut rest = w;
        take_layer_into(&mut self.forward_layer, &mut rest)?;
        take_layer_into(&mut self.backward_layer, &mut rest)
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        check_len(out, Self::PARAMS)?;
        let (forward, backward) = out.split_at_mut(L::PARAMS);
        self.forward_layer.store_flat(forward)?;
        self.backward_layer.store_flat(backward)
    }
}
