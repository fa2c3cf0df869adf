//! candle-nn's `LSTM` and `GRU` with the Keras weights, reordered to PyTorch's layout
//! (`weight_ih` `(G, d)` = Keras kernel transposed; GRU gates r, z, n instead of Keras's
//! z, r, h), on the CPU device, batch 1, f32.

use candle_core::{DType, Device, Tensor};
use candle_nn::rnn::{GRUConfig, LSTMConfig, RNN};
use std::collections::HashMap;

pub use candle_nn::rnn::{GRUState, LSTMState};

/// Keras `(d, g)` row-major to PyTorch `(g, d)` row-major, with gate blocks of `h` rows
/// taken in `order`.
fn torch_rows(keras: &[f32], d: usize, h: usize, order: &[usize]) -> Vec<f32> {
    let g = order.len() * h;
    let mut out = Vec::with_capacity(g * d);
    for &block in order {
        for r in block * h..(block + 1) * h {
            out.extend((0..d).map(|j| keras[j * g + r]));
        }
    }
    out
}

fn reorder(v: &[f32], h: usize, order: &[usize]) -> Vec<f32> {
    order
        .iter()
        .flat_map(|&b| v[b * h..(b + 1) * h].iter().copied())
        .collect()
}

fn tensor(v: Vec<f32>, shape: &[usize]) -> Tensor {
    Tensor::from_vec(v, shape, &Device::Cpu).expect("shape matches")
}

/// A candle-nn recurrent layer on `d` inputs, batch 1.
pub struct Candle<L> {
    /// candle-nn's layer.
    pub layer: L,
    d: usize,
}

/// A recurrent state whose hidden values are a `(1, h)` tensor.
pub trait Hidden {
    /// The hidden values.
    fn h(&self) -> &Tensor;
}

impl Hidden for LSTMState {
    fn h(&self) -> &Tensor {
        LSTMState::h(self)
    }
}

impl Hidden for GRUState {
    fn h(&self) -> &Tensor {
        GRUState::h(self)
    }
}

impl<L: RNN> Candle<L>
where
    L::State: Hidden,
{
    /// The zero state.
    ///
    /// # Panics
    /// Never for the CPU device.
    #[must_use]
    pub fn zero_state(&self) -> L::State {
        self.layer.zero_state(1).expect("zero state")
    }

    /// One timestep, as a user of candle writes it: the input becomes a `(1, d)` tensor.
    ///
    /// # Panics
    /// Never for these shapes.
    #[must_use]
    pub fn step(&self, state: &L::State, x: &[f32]) -> L::State {
        let x = Tensor::from_slice(x, (1, self.d), &Device::Cpu).expect("input");
        self.layer.step(&x, state).expect("step")
    }

    /// A whole `(1, T, d)` sequence through `RNN::seq`; returns the last hidden state.
    ///
    /// # Panics
    /// Never for these shapes.
    #[must_use]
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let states = self.layer.seq(x).expect("seq");
        states.last().expect("a timestep").h().clone()
    }
}

/// An `LSTM(h)` on `d` inputs.
pub type Lstm = Candle<candle_nn::LSTM>;

impl Lstm {
    /// From Keras `get_weights()`.
    ///
    /// # Panics
    /// If candle rejects the shapes (it does not for these).
    #[must_use]
    pub fn new(w: &[f32], d: usize, h: usize) -> Self {
        let g = 4 * h;
        let (kernel, rest) = w.split_at(d * g);
        let (recurrent, bias) = rest.split_at(h * g);
        let order = [0, 1, 2, 3]; // i, f, c(g), o in both
        let mut map = HashMap::new();
        map.insert(
            "weight_ih_l0".to_owned(),
            tensor(torch_rows(kernel, d, h, &order), &[g, d]),
        );
        map.insert(
            "weight_hh_l0".to_owned(),
            tensor(torch_rows(recurrent, h, h, &order), &[g, h]),
        );
        map.insert("bias_ih_l0".to_owned(), tensor(bias.to_vec(), &[g]));
        map.insert("bias_hh_l0".to_owned(), tensor(vec![0.0; g], &[g]));
        let vb = candle_nn::VarBuilder::from_tensors(map, DType::F32, &Device::Cpu);
        let layer = candle_nn::lstm(d, h, LSTMConfig::default(), vb).expect("LSTM weights");
        Self { layer, d }
    }
}

/// A `GRU(h)` (Keras `reset_after = true`, PyTorch's formulation) on `d` inputs.
pub type Gru = Candle<candle_nn::GRU>;

impl Gru {
    /// From Keras `get_weights()`.
    ///
    /// # Panics
    /// If candle rejects the shapes (it does not for these).
    #[must_use]
    pub fn new(w: &[f32], d: usize, h: usize) -> Self {
        let g = 3 * h;
        let (kernel, rest) = w.split_at(d * g);
        let (recurrent, bias) = rest.split_at(h * g);
        let order = [1, 0, 2]; // PyTorch r, z, n from Keras z, r, h
        let mut map = HashMap::new();
        map.insert(
            "weight_ih_l0".to_owned(),
            tensor(torch_rows(kernel, d, h, &order), &[g, d]),
        );
        map.insert(
            "weight_hh_l0".to_owned(),
            tensor(torch_rows(recurrent, h, h, &order), &[g, h]),
        );
        map.insert(
            "bias_ih_l0".to_owned(),
            tensor(reorder(&bias[..g], h, &order), &[g]),
        );
        map.insert(
            "bias_hh_l0".to_owned(),
            tensor(reorder(&bias[g..], h, &order), &[g]),
        );
        let vb = candle_nn::VarBuilder::from_tensors(map, DType::F32, &Device::Cpu);
        let layer = candle_nn::gru(d, h, GRUConfig::default(), vb).expect("GRU weights");
        Self { layer, d }
    }
}

/// A `(1, T, d)` tensor of a sequence.
///
/// # Panics
/// Never.
#[must_use]
pub fn sequence<const D: usize>(x: &[[f32; D]]) -> Tensor {
    let flat: Vec<f32> = x.iter().flatten().copied().collect();
    Tensor::from_vec(flat, (1, x.len(), D), &Device::Cpu).expect("sequence")
}

/// A `(1, h)` tensor's values.
///
/// # Panics
/// Never for `(1, h)` f32 tensors.
#[must_use]
pub fn values(t: &Tensor) -> Vec<f32> {
    t.flatten_all()
        .and_then(|t| t.to_vec1())
        .expect("f32 values")
}
