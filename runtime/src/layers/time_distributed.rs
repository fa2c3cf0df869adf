//! `TimeDistributed`: Keras's wrapper that applies a layer to each timestep of a sequence.
//! Its weights are the wrapped layer's; on a sequence, `Dense` alone already does the same,
//! but Keras's files and summaries name the wrapper.

use super::Layer;
use crate::{Error, WeightSpec};

/// Keras `TimeDistributed(layer)`: `L` on each timestep, with `L`'s weights.
///
/// ```
/// use tinyrnn_runtime::activations::Linear;
/// use tinyrnn_runtime::layers::{Dense, Layer, TimeDistributed};
/// use tinyrnn_runtime::nalgebra::SVector;
///
/// type Td = TimeDistributed<Dense<2, 1, 1, Linear>>;
/// assert_eq!((Td::PARAMS, Td::KIND), (3, "TimeDistributed"));
/// let td = Td::from_flat(&[1.0, 2.0, 0.5])?;
/// assert_eq!(td.step(&mut (), &SVector::from([1.0, 1.0]))[0], 3.5);
/// # Ok::<(), tinyrnn_runtime::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TimeDistributed<L> {
    /// The wrapped layer.
    pub layer: L,
}

impl<L: Layer> TimeDistributed<L> {
    /// The wrapper around `layer`.
    #[must_use]
    pub const fn new(layer: L) -> Self {
        Self { layer }
    }

    /// The wrapped layer on one timestep.
    #[inline]
    pub fn step(&self, state: &mut L::State, x: &L::Input) -> L::Output {
        self.layer.step(state, x)
    }
}

impl<L: Layer> Layer for TimeDistributed<L> {
    const KIND: &'static str = tinyrnn_spec::TIME_DISTRIBUTED.keras_class;
    const KERAS_NAME: &'static str = tinyrnn_spec::TIME_DISTRIBUTED.saving_name;
    const PARAMS: usize = L::PARAMS;
    const NON_TRAINABLE: usize = L::NON_TRAINABLE;
    const NON_TRAINABLE_BYTES: usize = L::NON_TRAINABLE_BYTES;
    const WEIGHTS: &'static [WeightSpec] = L::WEIGHTS;
    const COPIES: usize = L::COPIES;
    const FORMULA: &'static str = L::FORMULA;
    const SYMBOLS: &'static [(&'static str, usize)] = L::SYMBOLS;
    const ZERO: Self = Self { layer: L::ZERO };
    type State = L::State;
    const INITIAL_STATE: Self::State = L::INITIAL_STATE;
    type Input = L::Input;
    type Output = L::Output;

    #[inline]
    fn step(&self, state: &mut Self::State, x: &Self::Input) -> Self::Output {
        self.layer.step(state, x)
    }

    fn load_flat(&mut self, w: &[f32]) -> Result<(), Error> {
        self.layer.load_flat(w)
    }

    fn store_flat(&self, out: &mut [f32]) -> Result<(), Error> {
        self.layer.store_flat(out)
    }
}
