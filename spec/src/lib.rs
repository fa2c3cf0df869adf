//! What each layer kind of [tinyrnn](https://docs.rs/tinyrnn) is, written once: its `model!`
//! keyword, its Keras class and the name Keras 3 saves its weights under, its runtime type,
//! its arguments and their defaults, its weight arrays as functions of the input width `d`
//! and the units, and Keras's parameter formula; then the activations (with Keras's aliases)
//! and `Bidirectional`'s merge modes.
//!
//! The macro (checking and generating), the runtime (its layers' Keras names), the file
//! readers (weight layouts, the DSL printer) and the `tinyrnn` command all read these
//! tables, so a new layer is its runtime file, its entry here, and only the planning code
//! its new kind of data flow needs. `#![no_std]` and without dependencies, so that the
//! runtime on a microcontroller can depend on it.
//!
//! ```
//! use tinyrnn_spec::layer_by_keyword;
//!
//! // The founding question: SimpleRNN(2) on 3 features.
//! let rnn = layer_by_keyword("simple_rnn").unwrap();
//! assert_eq!(rnn.keras_class, "SimpleRNN");
//! assert_eq!(rnn.params(3, 2, true, true), Some(12));
//! assert_eq!(rnn.formula(true, true), "h*(d+h)+h");
//! let names: Vec<&str> = rnn.weights(3, 2, true, true).unwrap().iter().map(|w| w.name).collect();
//! assert_eq!(names, ["kernel", "recurrent_kernel", "bias"]);
//! ```

#![no_std]
#![forbid(unsafe_code)]

use core::fmt;

mod activations;
mod layers;

pub use activations::{
    ACTIVATION_ALIASES, ACTIVATIONS, ActivationSpec, MERGE_MODE_ALIASES, MERGE_MODES,
    MergeModeSpec, activation, merge_mode,
};
pub use layers::*;

/// What a layer does with its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reads a sequence and carries state across timesteps, with this many gates sharing
    /// each weight array (SimpleRNN 1, LSTM 4, GRU 3).
    Recurrent {
        /// Gates per unit.
        gates: usize,
    },
    /// Runs a copy of a recurrent layer backwards and merges (`Bidirectional`).
    Wrapper,
    /// A fully connected layer, on each timestep of a sequence (`Dense`).
    Dense,
    /// Acts only in training: the identity at inference, without weights (`Dropout`, ...).
    Passthrough,
    /// Applies an activation to each vector, without weights (`Activation`, `Softmax`).
    Elementwise,
    /// Applies the layer it wraps to each timestep of a sequence (`TimeDistributed`).
    PerTimestep,
    /// Maps a token id to a vector, the first layer of a model that reads ids
    /// (`Embedding`): `d` is the number of ids (`input_dim`), the units `output_dim`.
    Embedding,
    /// An activation with a learned parameter per unit (`PReLU`'s `alpha`).
    LearnedActivation,
    /// Repeats one vector as a sequence of a fixed length (`RepeatVector`), without
    /// weights.
    Repeat,
    /// Turns a sequence into one vector, timestep after timestep (`Flatten`), without
    /// weights.
    Flatten,
    /// Regroups the values of a sequence or a vector into timesteps of another width
    /// (`Reshape`), without weights.
    Reshape,
    /// Slides a kernel along a sequence (`Conv1D`): `kernel (k, d/g, u)`, `bias (u,)`.
    Convolution,
    /// Slides a window along a sequence and keeps its maximum or mean (`MaxPooling1D`,
    /// `AveragePooling1D`), without weights.
    Pooling,
    /// The maximum or mean of every timestep: one vector (`GlobalMaxPooling1D`,
    /// `GlobalAveragePooling1D`), without weights.
    GlobalPooling,
    /// Makes another number of timesteps of the same width, without weights: zeros added
    /// before and after (`ZeroPadding1D`), timesteps cut off at both ends (`Cropping1D`),
    /// each timestep repeated (`UpSampling1D`).
    Resample,
    /// Masks the timesteps whose features all equal a value, for the recurrent layers
    /// after it to skip, without weights (`Masking`).
    Masking,
    /// Normalizes each unit of each vector by a mean and a variance, then scales (`gamma`,
    /// with `scale`) and offsets (`beta`, with `center`) it where the kind has those.
    Normalization(Statistics),
}

/// Where a normalization layer's mean and variance come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistics {
    /// Over the units of each vector, computed per call (`LayerNormalization`).
    PerVector,
    /// The moving averages kept in training, stored as non-trainable weights
    /// `moving_mean` and `moving_variance` (`BatchNormalization` at inference).
    Moving,
    /// Fixed by `adapt()`, stored as non-trainable weights `mean`, `variance` and `count`
    /// (`Normalization`; no `gamma` or `beta`).
    Adapted,
}

/// One layer kind.
#[derive(Debug, PartialEq, Eq)]
pub struct LayerSpec {
    /// The `model!` keyword (`simple_rnn`, `relu`).
    pub keyword: &'static str,
    /// The Keras class (`SimpleRNN`).
    pub keras_class: &'static str,
    /// The class in snake case (`naming.to_snake_case`: `simple_rnn`, `re_lu`): the name
    /// Keras gives layers of this class, numbered after the first (`re_lu_1`), which
    /// `model!` gives its fields too, and the group Keras 3 saves their weights under,
    /// numbered among siblings of the same class. The keyword, but for `ReLU`'s.
    pub saving_name: &'static str,
    /// The type in `tinyrnn::__private::layers` (for training-only layers, their marker).
    pub runtime_type: &'static str,
    /// What it does.
    pub role: Role,
    /// Every argument `model!` takes, the one that may be given by position first.
    pub arguments: &'static [&'static str],
    /// Keras's default `activation`, for layers that take one.
    pub default_activation: Option<&'static str>,
    /// Keras's default `recurrent_activation`, for layers that take one.
    pub default_recurrent_activation: Option<&'static str>,
    /// Keras's default `reset_after`, for layers that take it (GRU: a second bias row).
    pub default_reset_after: Option<bool>,
    /// Whether the first argument must be given (`units`, `rate`); `softmax()` needs none.
    pub first_argument_required: bool,
}

/// One weight array: its Keras name and shape (`rank` dimensions of `dims`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeightShape {
    /// `kernel`, `recurrent_kernel` or `bias`.
    pub name: &'static str,
    /// The dimensions; only the first `rank` count.
    pub dims: [usize; 2],
    /// 0 (a scalar: `Normalization`'s `count`), 1 or 2.
    pub rank: usize,
}

impl WeightShape {
    /// The shape's dimensions.
    #[must_use]
    pub fn shape(&self) -> &[usize] {
        &self.dims[..self.rank]
    }
}

/// A layer's weight arrays in Keras `get_weights()` order (of one direction).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weights {
    arrays: [WeightShape; 4],
    len: usize,
}

impl Weights {
    const NONE: WeightShape = WeightShape {
        name: "",
        dims: [0, 0],
        rank: 0,
    };

    fn of(arrays: &[WeightShape]) -> Self {
        let mut all = [Self::NONE; 4];
        all[..arrays.len()].copy_from_slice(arrays);
        Self {
            arrays: all,
            len: arrays.len(),
        }
    }
}

impl Weights {
    /// How many values the arrays hold together; `None` when that overflows `usize`.
    #[must_use]
    pub fn count(&self) -> Option<usize> {
        self.iter().try_fold(0_usize, |n, w| {
            n.checked_add(
                w.shape()
                    .iter()
                    .try_fold(1_usize, |p, &x| p.checked_mul(x))?,
            )
        })
    }
}

/// A convolution's weight arrays (`Conv1D`): its kernel is of rank 3, which [`Weights`]
/// does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvWeights {
    /// `(kernel_size, d / groups, filters)`.
    pub kernel: [usize; 3],
    /// `(filters,)`, with `use_bias`.
    pub bias: Option<usize>,
}

impl ConvWeights {
    /// How many values: `k*(d/g)*u` (+ `u`).
    #[must_use]
    pub fn count(&self) -> Option<usize> {
        let [k, c, u] = self.kernel;
        k.checked_mul(c)?
            .checked_mul(u)?
            .checked_add(self.bias.unwrap_or(0))
    }
}

impl core::ops::Index<usize> for ConvWeights {
    type Output = [usize];

    fn index(&self, i: usize) -> &[usize] {
        match (i, &self.bias) {
            (0, _) => &self.kernel,
            (1, Some(b)) => core::slice::from_ref(b),
            _ => &[],
        }
    }
}

impl core::ops::Deref for Weights {
    type Target = [WeightShape];

    fn deref(&self) -> &[WeightShape] {
        &self.arrays[..self.len]
    }
}

impl LayerSpec {
    /// The argument that may be given by position (`units`, `rate`, `layer`, `stddev`).
    #[must_use]
    pub fn first_argument(&self) -> &'static str {
        self.arguments.first().copied().unwrap_or("")
    }

    /// Whether the layer reads a sequence and carries state (`Bidirectional` included).
    #[must_use]
    pub fn is_recurrent(&self) -> bool {
        matches!(self.role, Role::Recurrent { .. } | Role::Wrapper)
    }

    /// Whether the layer is the identity at inference, without weights.
    #[must_use]
    pub fn is_passthrough(&self) -> bool {
        self.role == Role::Passthrough
    }

    /// Whether the layer maps each vector to one of the same width without weights
    /// (training-only layers and activation layers).
    #[must_use]
    pub fn keeps_width(&self) -> bool {
        matches!(
            self.role,
            Role::Passthrough | Role::Elementwise | Role::Masking
        )
    }

    /// Whether `model!` (and Keras) accept the argument `name`.
    #[must_use]
    pub fn takes(&self, name: &str) -> bool {
        self.arguments.contains(&name)
    }

    /// Whether `reset_after` changes this layer's weights (GRU: a second bias row).
    const fn two_biases(&self, reset_after: bool) -> bool {
        reset_after && self.default_reset_after.is_some()
    }

    /// The weight arrays on `d`-wide inputs with `units` units; `None` when a size
    /// overflows `usize`. `Bidirectional`'s are its wrapped layer's, twice: see that layer.
    #[must_use]
    pub fn weights(
        &self,
        d: usize,
        units: usize,
        use_bias: bool,
        reset_after: bool,
    ) -> Option<Weights> {
        let w = |name, dims: [usize; 2], rank| WeightShape { name, dims, rank };
        match self.role {
            Role::Recurrent { gates } => {
                let g = units.checked_mul(gates)?;
                let kernels = [w("kernel", [d, g], 2), w("recurrent_kernel", [units, g], 2)];
                let bias = if self.two_biases(reset_after) {
                    w("bias", [2, g], 2)
                } else {
                    w("bias", [g, 0], 1)
                };
                Some(if use_bias {
                    Weights::of(&[kernels[0], kernels[1], bias])
                } else {
                    Weights::of(&kernels)
                })
            }
            Role::Embedding => Some(Weights::of(&[w("embeddings", [d, units], 2)])),
            Role::LearnedActivation => Some(Weights::of(&[w("alpha", [d, 0], 1)])),
            // Its kernel's shape needs the kernel size and groups: see `conv_weights`.
            Role::Convolution => None,
            Role::Dense => {
                let kernel = w("kernel", [d, units], 2);
                Some(if use_bias {
                    Weights::of(&[kernel, w("bias", [units, 0], 1)])
                } else {
                    Weights::of(&[kernel])
                })
            }
            Role::Wrapper
            | Role::PerTimestep
            | Role::Passthrough
            | Role::Elementwise
            | Role::Masking
            | Role::Repeat
            | Role::Flatten
            | Role::Reshape
            | Role::Pooling
            | Role::GlobalPooling
            | Role::Resample
            | Role::Normalization(_) => Some(Weights::of(&[])),
        }
    }

    /// Keras's parameter count on `d`-wide inputs (`count_params()`); `None` when it
    /// overflows `usize`. `Bidirectional`'s is twice its wrapped layer's.
    #[must_use]
    pub fn params(
        &self,
        d: usize,
        units: usize,
        use_bias: bool,
        reset_after: bool,
    ) -> Option<usize> {
        self.weights(d, units, use_bias, reset_after)?.count()
    }

    /// Keras's parameter formula in `d` (inputs) and [`LayerSpec::unit_symbol`]
    /// (`h*(d+h)+h`); `"0"` for layers without weights.
    #[must_use]
    pub const fn formula(&self, use_bias: bool, reset_after: bool) -> &'static str {
        match (self.role, use_bias, self.two_biases(reset_after)) {
            (Role::Recurrent { gates: 1 }, true, _) => "h*(d+h)+h",
            (Role::Recurrent { gates: 1 }, false, _) => "h*(d+h)",
            (Role::Recurrent { gates: 4 }, true, _) => "4*(h*(d+h)+h)",
            (Role::Recurrent { gates: 4 }, false, _) => "4*h*(d+h)",
            (Role::Recurrent { .. }, false, _) => "3*h*(d+h)",
            (Role::Recurrent { .. }, true, true) => "3*h*(d+h)+6*h",
            (Role::Recurrent { .. }, true, false) => "3*(h*(d+h)+h)",
            (Role::Dense, true, _) => "d*u+u",
            (Role::Dense, false, _) | (Role::Embedding, _, _) => "d*u",
            (Role::LearnedActivation, _, _) => "d",
            (Role::Convolution, true, _) => "k*d*u+u",
            (Role::Convolution, false, _) => "k*d*u",
            (
                Role::Wrapper
                | Role::PerTimestep
                | Role::Passthrough
                | Role::Elementwise
                | Role::Masking
                | Role::Repeat
                | Role::Flatten
                | Role::Reshape
                | Role::Pooling
                | Role::GlobalPooling
                | Role::Resample
                | Role::Normalization(_),
                _,
                _,
            ) => "0",
        }
    }

    /// The symbol of the units in [`LayerSpec::formula`]: `h` for recurrent layers, `u`
    /// for `Dense`, none for layers without weights.
    #[must_use]
    pub fn unit_symbol(&self) -> Option<&'static str> {
        match self.role {
            Role::Recurrent { .. } => Some("h"),
            Role::Dense | Role::Embedding | Role::Convolution => Some("u"),
            Role::Wrapper
            | Role::PerTimestep
            | Role::Passthrough
            | Role::Elementwise
            | Role::Masking
            | Role::Repeat
            | Role::Flatten
            | Role::Reshape
            | Role::Pooling
            | Role::GlobalPooling
            | Role::Resample
            | Role::LearnedActivation
            | Role::Normalization(_) => None,
        }
    }

    /// A convolution's weight arrays: `kernel (k, d/groups, u)` and, with `use_bias`,
    /// `bias (u,)`, on `d` input channels with `u` filters; `None` when `groups` does not
    /// divide `d` and `u` or a size overflows.
    ///
    /// ```
    /// let conv = tinyrnn_spec::layer_by_keyword("conv1d").unwrap();
    /// let w = conv.conv_weights(3, 4, 2, 6, true).unwrap();
    /// assert_eq!((&w[0], &w[1]), (&[3, 2, 6][..], &[6][..]));
    /// assert_eq!(w.count(), Some(42));
    /// ```
    #[must_use]
    pub fn conv_weights(
        &self,
        kernel_size: usize,
        d: usize,
        groups: usize,
        units: usize,
        use_bias: bool,
    ) -> Option<ConvWeights> {
        if groups == 0 || !d.is_multiple_of(groups) || !units.is_multiple_of(groups) {
            return None;
        }
        kernel_size.checked_mul(d / groups)?.checked_mul(units)?;
        Some(ConvWeights {
            kernel: [kernel_size, d / groups, units],
            bias: use_bias.then_some(units),
        })
    }

    /// A normalization layer's weight arrays on `d`-wide vectors, in Keras's
    /// `get_weights()` order: `gamma (d,)` with `scale`, then `beta (d,)` with `center`,
    /// then `moving_mean` and `moving_variance` (`BatchNormalization`); or `mean (d,)`,
    /// `variance (d,)` and the scalar `count` (`Normalization`, which ignores the flags).
    /// No arrays for other layers.
    ///
    /// ```
    /// use tinyrnn_spec::layer_by_keyword;
    ///
    /// let bn = layer_by_keyword("batch_normalization").unwrap();
    /// let names: Vec<&str> = bn.normalization_weights(4, false, true).iter().map(|w| w.name).collect();
    /// assert_eq!(names, ["gamma", "moving_mean", "moving_variance"]);
    /// assert_eq!(bn.normalization_formula(false, true), "3*d");
    /// assert_eq!(bn.non_trainable(4), 8);
    /// ```
    #[must_use]
    pub fn normalization_weights(&self, d: usize, center: bool, scale: bool) -> Weights {
        let w = |name| WeightShape {
            name,
            dims: [d, 0],
            rank: 1,
        };
        let mut all = [Weights::NONE; 4];
        let mut n = 0;
        let mut push = |shape| {
            all[n] = shape;
            n += 1;
        };
        match self.role {
            Role::Normalization(Statistics::Adapted) => {
                push(w("mean"));
                push(w("variance"));
                push(WeightShape {
                    name: "count",
                    dims: [0, 0],
                    rank: 0,
                });
            }
            Role::Normalization(statistics) => {
                if scale {
                    push(w("gamma"));
                }
                if center {
                    push(w("beta"));
                }
                if statistics == Statistics::Moving {
                    push(w("moving_mean"));
                    push(w("moving_variance"));
                }
            }
            _ => {}
        }
        Weights::of(&all[..n])
    }

    /// A normalization layer's parameter formula in `d`: `LayerNormalization` `2*d`, `d`
    /// or `0`, `BatchNormalization` two `d` more, `Normalization` `2*d+1`.
    #[must_use]
    pub const fn normalization_formula(&self, center: bool, scale: bool) -> &'static str {
        match (self.role, center, scale) {
            (Role::Normalization(Statistics::Adapted), _, _) => "2*d+1",
            (Role::Normalization(Statistics::Moving), true, true) => "4*d",
            (Role::Normalization(Statistics::Moving), false, false) => "2*d",
            (Role::Normalization(Statistics::Moving), _, _) => "3*d",
            (_, true, true) => "2*d",
            (_, false, false) => "0",
            _ => "d",
        }
    }

    /// The bytes Keras's summary counts for [`LayerSpec::non_trainable`]: 4 per `f32`, 8
    /// for `Normalization`'s `count`, which Keras keeps as an int64.
    #[must_use]
    pub const fn non_trainable_bytes(&self, d: usize) -> usize {
        match self.role {
            Role::Normalization(Statistics::Adapted) => 4 * 2 * d + 8,
            _ => 4 * self.non_trainable(d),
        }
    }

    /// How many of the layer's parameters on `d`-wide inputs are not trainable (Keras's
    /// "Non-trainable params"): the statistics of `BatchNormalization` (`2*d`) and
    /// `Normalization` (`2*d+1`); 0 for every other layer.
    #[must_use]
    pub const fn non_trainable(&self, d: usize) -> usize {
        match self.role {
            Role::Normalization(Statistics::Moving) => 2 * d,
            Role::Normalization(Statistics::Adapted) => 2 * d + 1,
            _ => 0,
        }
    }

    /// Writes [`LayerSpec::formula`] with the numbers in place of its symbols
    /// (`2*(3+2)+2` for `h*(d+h)+h`, `d = 3`, `h = 2`).
    ///
    /// # Errors
    /// Only those of `out`.
    pub fn write_formula(
        &self,
        out: &mut impl fmt::Write,
        d: usize,
        units: usize,
        use_bias: bool,
        reset_after: bool,
    ) -> fmt::Result {
        write_numbers(out, self.formula(use_bias, reset_after), d, units)
    }
}

/// Writes a parameter formula with `d` and the units (`h`, `u`) in place of its symbols:
/// `2*(3+2)+2` for `h*(d+h)+h`, `d = 3`, `h = 2`.
///
/// ```
/// let mut text = String::new();
/// tinyrnn_spec::write_numbers(&mut text, "2*d", 3, 0).unwrap();
/// assert_eq!(text, "2*3");
/// ```
///
/// # Errors
/// Only those of `out`.
pub fn write_numbers(
    out: &mut impl fmt::Write,
    formula: &str,
    d: usize,
    units: usize,
) -> fmt::Result {
    for c in formula.chars() {
        match c {
            'd' => write!(out, "{d}")?,
            'h' | 'u' => write!(out, "{units}")?,
            other => out.write_char(other)?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_classes_and_runtime_types_are_unique() {
        for (i, a) in LAYERS.iter().enumerate() {
            for b in &LAYERS[i + 1..] {
                assert_ne!(a.keyword, b.keyword);
                assert_ne!(a.keras_class, b.keras_class);
                assert_ne!(a.runtime_type, b.runtime_type);
            }
        }
    }

    /// The founding question's counts, by Keras's formula h(d+h)+h, and each kind's count
    /// against its formula written out with numbers.
    #[test]
    fn params_follow_the_formulas() {
        for u in 1..=4 {
            assert_eq!(SIMPLE_RNN.params(3, u, true, true), Some(u * (3 + u) + u));
        }
        let (d, u) = (5, 7);
        for spec in LAYERS.iter().filter(|s| s.role != Role::Convolution) {
            for bias in [false, true] {
                for reset_after in [false, true] {
                    let Some(n) = spec.params(d, u, bias, reset_after) else {
                        panic!("{}", spec.keyword)
                    };
                    let formula = spec.formula(bias, reset_after);
                    assert_eq!(n, eval(formula, d, u), "{} {formula}", spec.keyword);
                }
            }
        }
        assert_eq!(LSTM.params(usize::MAX / 2, 2, true, true), None);
        // Conv1D: k*(d/g)*u+u.
        let conv = CONV_1D.conv_weights(3, 6, 2, 4, true).unwrap();
        assert_eq!(conv.count(), Some(3 * (6 / 2) * 4 + 4));
        assert_eq!(CONV_1D.conv_weights(3, 6, 4, 4, true), None);
    }

    /// Evaluates a formula of `d`, `h`/`u`, digits, `+`, `*` and parentheses.
    fn eval(formula: &str, d: usize, units: usize) -> usize {
        struct Parser<'a> {
            text: &'a [u8],
            at: usize,
            d: usize,
            units: usize,
        }
        impl Parser<'_> {
            fn sum(&mut self) -> usize {
                let mut total = self.product();
                while self.text.get(self.at) == Some(&b'+') {
                    self.at += 1;
                    total += self.product();
                }
                total
            }
            fn product(&mut self) -> usize {
                let mut total = self.atom();
                while self.text.get(self.at) == Some(&b'*') {
                    self.at += 1;
                    total *= self.atom();
                }
                total
            }
            fn atom(&mut self) -> usize {
                let byte = self.text[self.at];
                self.at += 1;
                match byte {
                    b'(' => {
                        let value = self.sum();
                        self.at += 1; // `)`
                        value
                    }
                    b'd' => self.d,
                    b'h' | b'u' => self.units,
                    digit => usize::from(digit - b'0'),
                }
            }
        }
        Parser {
            text: formula.as_bytes(),
            at: 0,
            d,
            units,
        }
        .sum()
    }

    #[test]
    fn gru_reset_after_has_two_bias_rows() {
        let w = GRU.weights(3, 2, true, true).unwrap();
        assert_eq!(w.iter().last().unwrap().shape(), &[2, 6]);
        let w = GRU.weights(3, 2, true, false).unwrap();
        assert_eq!(w.iter().last().unwrap().shape(), &[6]);
        // reset_after means nothing to the others.
        assert_eq!(
            LSTM.weights(3, 2, true, true),
            LSTM.weights(3, 2, true, false)
        );
    }
}
