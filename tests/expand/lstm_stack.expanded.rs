/// A tinyrnn model: input [_, 4] -> lstm(8) -> dropout(8) -> gru(4) -> dense(2).
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
#[repr(C, align(8))]
pub struct Stack {
    /// `lstm`: Keras `LSTM` with 8 units on 4 inputs.
    pub lstm: ::tinyrnn::__private::layers::Lstm<
        4,
        8,
        32,
        32,
        ::tinyrnn::__private::activations::Tanh,
        ::tinyrnn::__private::activations::Sigmoid,
    >,
    /// `dropout`: Keras `Dropout`, the identity at inference (no weights).
    pub dropout: ::tinyrnn::__private::layers::Passthrough<
        8,
        ::tinyrnn::__private::layers::Dropout,
    >,
    /// `gru`: Keras `GRU` with 4 units on 8 inputs.
    pub gru: ::tinyrnn::__private::layers::Gru<
        8,
        4,
        12,
        1,
        false,
        ::tinyrnn::__private::activations::Tanh,
        ::tinyrnn::__private::activations::Sigmoid,
    >,
    /// `dense`: Keras `Dense` with 2 units on 4 inputs.
    pub dense: ::tinyrnn::__private::layers::Dense<
        4,
        2,
        2,
        ::tinyrnn::__private::activations::Softmax,
    >,
}
/// The streaming state of [`Stack`]: each recurrent layer's hidden values, zero at the start.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
pub struct StackState {
    /// The hidden state of this layer.
    pub lstm: <::tinyrnn::__private::layers::Lstm<
        4,
        8,
        32,
        32,
        ::tinyrnn::__private::activations::Tanh,
        ::tinyrnn::__private::activations::Sigmoid,
    > as ::tinyrnn::__private::Layer>::State,
    /// The hidden state of this layer.
    pub gru: <::tinyrnn::__private::layers::Gru<
        8,
        4,
        12,
        1,
        false,
        ::tinyrnn::__private::activations::Tanh,
        ::tinyrnn::__private::activations::Sigmoid,
    > as ::tinyrnn::__private::Layer>::State,
}
impl StackState {
    /// The state before the first timestep: every hidden value zero, as in Keras.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            lstm: <::tinyrnn::__private::layers::Lstm<
                4,
                8,
                32,
                32,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            > as ::tinyrnn::__private::Layer>::INITIAL_STATE,
            gru: <::tinyrnn::__private::layers::Gru<
                8,
                4,
                12,
                1,
                false,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            > as ::tinyrnn::__private::Layer>::INITIAL_STATE,
        }
    }
    /// Resets every hidden value to zero, ready for a new sequence.
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}
impl ::core::default::Default for StackState {
    fn default() -> Self {
        Self::new()
    }
}
impl Stack {
    /// The number of weights, Keras's `model.count_params()`.
    pub const PARAMS: usize = 0
        + <::tinyrnn::__private::layers::Lstm<
            4,
            8,
            32,
            32,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::PARAMS
        + <::tinyrnn::__private::layers::Passthrough<
            8,
            ::tinyrnn::__private::layers::Dropout,
        > as ::tinyrnn::__private::Layer>::PARAMS
        + <::tinyrnn::__private::layers::Gru<
            8,
            4,
            12,
            1,
            false,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::PARAMS
        + <::tinyrnn::__private::layers::Dense<
            4,
            2,
            2,
            ::tinyrnn::__private::activations::Softmax,
        > as ::tinyrnn::__private::Layer>::PARAMS;
    /// Each layer's weight count, in order, as in Keras's `model.summary()`.
    pub const LAYER_PARAMS: [usize; 4] = [
        <::tinyrnn::__private::layers::Lstm<
            4,
            8,
            32,
            32,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::PARAMS,
        <::tinyrnn::__private::layers::Passthrough<
            8,
            ::tinyrnn::__private::layers::Dropout,
        > as ::tinyrnn::__private::Layer>::PARAMS,
        <::tinyrnn::__private::layers::Gru<
            8,
            4,
            12,
            1,
            false,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::PARAMS,
        <::tinyrnn::__private::layers::Dense<
            4,
            2,
            2,
            ::tinyrnn::__private::activations::Softmax,
        > as ::tinyrnn::__private::Layer>::PARAMS,
    ];
    /// The number of timesteps `forward` takes, `None` for any length (`input [_, F]`).
    pub const TIMESTEPS: ::core::option::Option<usize> = ::core::option::Option::None;
    /// The number of features per timestep (1 for a model that reads token ids).
    pub const FEATURES: usize = 4;
    /// For a model that reads token ids (`input [T]`, first layer `embedding`): how
    /// many ids its embedding maps (`input_dim`); `None` for one that reads features.
    pub const VOCABULARY: ::core::option::Option<usize> = ::core::option::Option::None;
    /// The length of each output vector.
    pub const OUTPUT_UNITS: usize = 2;
    /// How many timesteps `forward` returns when the model returns sequences: the
    /// input's, or `repeat_vector`'s `n`; `None` for as many as an input of any
    /// length has. `None` too for a model that returns one vector.
    pub const OUTPUT_TIMESTEPS: ::core::option::Option<usize> = ::core::option::Option::None;
    /// Whether `forward` returns one output per timestep.
    pub const RETURNS_SEQUENCES: bool = false;
    /// The model with every weight zero, for `const` and `static` items.
    pub const ZERO: Self = Self {
        lstm: <::tinyrnn::__private::layers::Lstm<
            4,
            8,
            32,
            32,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::ZERO,
        dropout: <::tinyrnn::__private::layers::Passthrough<
            8,
            ::tinyrnn::__private::layers::Dropout,
        > as ::tinyrnn::__private::Layer>::ZERO,
        gru: <::tinyrnn::__private::layers::Gru<
            8,
            4,
            12,
            1,
            false,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::ZERO,
        dense: <::tinyrnn::__private::layers::Dense<
            4,
            2,
            2,
            ::tinyrnn::__private::activations::Softmax,
        > as ::tinyrnn::__private::Layer>::ZERO,
    };
    /// The model with every weight zero.
    #[must_use]
    pub const fn zeroed() -> Self {
        Self::ZERO
    }
    /// Builds the model from Keras `model.get_weights()`: each array flattened
    /// row-major (numpy C order), concatenated in order.
    ///
    /// # Errors
    /// `tinyrnn::Error::WeightCount` when `w.len()` is not `Self::PARAMS`.
    pub fn from_flat(
        w: &[f32],
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
        ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
        let mut rest = w;
        ::core::result::Result::Ok(Self {
            lstm: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
            >(&mut rest)?,
            dropout: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                >,
            >(&mut rest)?,
            gru: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
            >(&mut rest)?,
            dense: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                >,
            >(&mut rest)?,
        })
    }
    /// Writes the weights to `out` in Keras `get_weights()` order, each array
    /// flattened row-major, concatenated: the inverse of [`Self::from_flat`] (and
    /// of a gradient from `backward`, which has the model's type, Keras's gradient
    /// list).
    ///
    /// # Errors
    /// `tinyrnn::Error::WeightCount` when `out.len()` is not `Self::PARAMS`.
    pub fn write_flat(
        &self,
        out: &mut [f32],
    ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
        ::tinyrnn::__private::layers::check_len(out, Self::PARAMS)?;
        let rest = out;
        let (head, rest) = rest
            .split_at_mut(
                <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Lstm<
            4,
            8,
            32,
            32,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::store_flat(&self.lstm, head)?;
        let (head, rest) = rest
            .split_at_mut(
                <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Passthrough<
            8,
            ::tinyrnn::__private::layers::Dropout,
        > as ::tinyrnn::__private::Layer>::store_flat(&self.dropout, head)?;
        let (head, rest) = rest
            .split_at_mut(
                <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Gru<
            8,
            4,
            12,
            1,
            false,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        > as ::tinyrnn::__private::Layer>::store_flat(&self.gru, head)?;
        let (head, rest) = rest
            .split_at_mut(
                <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Dense<
            4,
            2,
            2,
            ::tinyrnn::__private::activations::Softmax,
        > as ::tinyrnn::__private::Layer>::store_flat(&self.dense, head)?;
        let _ = rest;
        ::core::result::Result::Ok(())
    }
    /// The weights in Keras `get_weights()` order, flattened ([`Self::write_flat`]
    /// into a new `Vec`). Needs tinyrnn's `std` feature.
    #[must_use]
    pub fn to_flat(&self) -> ::tinyrnn::__private::Vec<f32>
    where
        for<'a> Self: ::tinyrnn::__private::HeapModel<'a>,
    {
        <Self as ::tinyrnn::__private::HeapModel<'_>>::flat_vec(self)
    }
    /// [`Self::from_flat`] straight into a heap allocation: the model is never built
    /// on the stack, so models larger than a thread's stack (an `lstm(256)` holds
    /// 2 MiB of weights) load anywhere. Needs tinyrnn's `std` feature.
    ///
    /// # Errors
    /// `tinyrnn::Error::WeightCount` when `w.len()` is not `Self::PARAMS`.
    pub fn boxed_from_flat(
        w: &[f32],
    ) -> ::core::result::Result<
        ::tinyrnn::__private::Box<Self>,
        ::tinyrnn::__private::Error,
    >
    where
        for<'a> Self: ::tinyrnn::__private::HeapModel<'a>,
    {
        ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
        let mut net = <Self as ::tinyrnn::__private::HeapModel<'_>>::boxed_zero();
        net.load_flat_in_place(w)?;
        ::core::result::Result::Ok(net)
    }
    /// [`Self::boxed_from_flat`] into a 64-byte-aligned allocation, inside
    /// `tinyrnn::Aligned` (which dereferences to the model): the weights start on a
    /// cache line even when the model's size does not let the struct itself be
    /// aligned (see `tinyrnn::Aligned`). Never built on the stack. Needs tinyrnn's
    /// `std` feature.
    ///
    /// # Errors
    /// `tinyrnn::Error::WeightCount` when `w.len()` is not `Self::PARAMS`.
    pub fn boxed_aligned_from_flat(
        w: &[f32],
    ) -> ::core::result::Result<
        ::tinyrnn::__private::Box<::tinyrnn::__private::Aligned<Self>>,
        ::tinyrnn::__private::Error,
    >
    where
        for<'a> Self: ::tinyrnn::__private::HeapModel<'a>,
    {
        ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
        let mut net = <Self as ::tinyrnn::__private::HeapModel<
            '_,
        >>::boxed_aligned_zero();
        net.0.load_flat_in_place(w)?;
        ::core::result::Result::Ok(net)
    }
    /// Overwrites every layer's weights with `w` (of length `Self::PARAMS`, checked by
    /// the caller) in place, layer by layer: what the boxed constructors fill their
    /// heap allocation with, so that the model is never on the stack.
    fn load_flat_in_place(
        &mut self,
        w: &[f32],
    ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
        let mut rest = w;
        ::tinyrnn::__private::layers::take_layer_into(&mut self.lstm, &mut rest)?;
        ::tinyrnn::__private::layers::take_layer_into(&mut self.dropout, &mut rest)?;
        ::tinyrnn::__private::layers::take_layer_into(&mut self.gru, &mut rest)?;
        ::tinyrnn::__private::layers::take_layer_into(&mut self.dense, &mut rest)?;
        ::core::result::Result::Ok(())
    }
    /// Builds the model from its weights as little-endian `f32` bytes, in Keras
    /// `get_weights()` order (what `tinyrnn convert` writes). It is `const`, so
    /// `static NET: Net = Net::from_le_bytes(include_bytes!("net.bin"));` keeps the
    /// weights in flash (read-only memory) with no copy in RAM. A blob of the wrong
    /// length does not compile: `expected &[u8; N], found &[u8; M]`.
    #[must_use]
    pub const fn from_le_bytes(bytes: &[u8; 2328]) -> Self {
        let bytes: &[u8] = bytes;
        let mut offset = 0;
        Self {
            lstm: <::tinyrnn::__private::layers::Lstm<
                4,
                8,
                32,
                32,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >>::from_le_bytes_at(bytes, &mut offset),
            dropout: <::tinyrnn::__private::layers::Passthrough<
                8,
                ::tinyrnn::__private::layers::Dropout,
            >>::from_le_bytes_at(bytes, &mut offset),
            gru: <::tinyrnn::__private::layers::Gru<
                8,
                4,
                12,
                1,
                false,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >>::from_le_bytes_at(bytes, &mut offset),
            dense: <::tinyrnn::__private::layers::Dense<
                4,
                2,
                2,
                ::tinyrnn::__private::activations::Softmax,
            >>::from_le_bytes_at(bytes, &mut offset),
        }
    }
    /// [`Self::from_le_bytes`] for a slice whose length is checked at run time.
    ///
    /// # Errors
    /// `tinyrnn::Error::ByteCount` when `bytes.len()` is not `4 * Self::PARAMS`.
    pub fn from_le_slice(
        bytes: &[u8],
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
        match <&[u8; 2328]>::try_from(bytes) {
            ::core::result::Result::Ok(array) => {
                ::core::result::Result::Ok(Self::from_le_bytes(array))
            }
            ::core::result::Result::Err(_) => {
                ::core::result::Result::Err(::tinyrnn::__private::Error::ByteCount {
                    expected: 2328,
                    found: bytes.len(),
                })
            }
        }
    }
    /// Loads the weights of a Keras file: `.keras`, Keras 3 `.weights.h5`, or legacy
    /// `.h5` (`model.save("x.h5")`). Its layers must be this model's, in order, with
    /// the same options and shapes; otherwise the error names the layer, the weight,
    /// and the expected and found shapes (or both architectures).
    ///
    /// # Errors
    /// `tinyrnn::LoadError`, saying what was expected and what was found.
    pub fn from_keras_file<P: ::tinyrnn::__private::ModelFile>(
        path: P,
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
        ::tinyrnn::__private::ModelFile::load_model::<Self>(path)
    }
    /// Loads the weights of a PyTorch state dict saved as `.safetensors`
    /// (`nn.RNN`, `nn.LSTM`, `nn.GRU`, `nn.Linear`, with `num_layers` and
    /// `bidirectional`), converted to Keras's layout: kernels transposed, the two
    /// biases of RNN and LSTM layers summed, GRU gates r, z, n moved to z, r, h.
    ///
    /// # Errors
    /// `tinyrnn::LoadError`, naming the PyTorch key, the expected and found shapes.
    pub fn from_torch_file<P: ::tinyrnn::__private::ModelFile>(
        path: P,
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
        ::tinyrnn::__private::ModelFile::load_torch_model::<Self>(path)
    }
    /// [`Self::from_torch_file`] for a state dict already in memory.
    ///
    /// # Errors
    /// `tinyrnn::LoadError`, naming the PyTorch key, the expected and found shapes.
    pub fn from_torch_bytes<B: ::tinyrnn::__private::ModelBytes>(
        bytes: B,
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
        ::tinyrnn::__private::ModelBytes::load_torch_model::<Self>(bytes)
    }
    /// [`Self::from_keras_file`] for a file already in memory.
    ///
    /// # Errors
    /// `tinyrnn::LoadError`, saying what was expected and what was found.
    pub fn from_keras_bytes<B: ::tinyrnn::__private::ModelBytes>(
        bytes: B,
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
        ::tinyrnn::__private::ModelBytes::load_model::<Self>(bytes)
    }
    /// The Keras 3 style summary, with each weight array and the parameter formulas.
    #[must_use]
    pub fn summary() -> ::tinyrnn::__private::Summary {
        const LAYERS: &[::tinyrnn::__private::LayerSummary] = &[
            ::tinyrnn::__private::LayerSummary {
                name: "lstm",
                kind: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Sequence {
                    timesteps: ::core::option::Option::None,
                    units: 8,
                },
                params: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Lstm<
                    4,
                    8,
                    32,
                    32,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[
                    ("units", "8"),
                    ("activation", "tanh"),
                    ("recurrent_activation", "sigmoid"),
                    ("use_bias", "true"),
                    ("return_sequences", "true"),
                    ("go_backwards", "false"),
                ],
            },
            ::tinyrnn::__private::LayerSummary {
                name: "dropout",
                kind: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Sequence {
                    timesteps: ::core::option::Option::None,
                    units: 8,
                },
                params: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Passthrough<
                    8,
                    ::tinyrnn::__private::layers::Dropout,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[("rate", "0.2")],
            },
            ::tinyrnn::__private::LayerSummary {
                name: "gru",
                kind: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Vector {
                    units: 4,
                },
                params: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Gru<
                    8,
                    4,
                    12,
                    1,
                    false,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[
                    ("units", "4"),
                    ("activation", "tanh"),
                    ("recurrent_activation", "sigmoid"),
                    ("use_bias", "true"),
                    ("return_sequences", "false"),
                    ("go_backwards", "false"),
                    ("reset_after", "false"),
                ],
            },
            ::tinyrnn::__private::LayerSummary {
                name: "dense",
                kind: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Vector {
                    units: 2,
                },
                params: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Dense<
                    4,
                    2,
                    2,
                    ::tinyrnn::__private::activations::Softmax,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[
                    ("units", "2"),
                    ("activation", "softmax"),
                    ("use_bias", "true"),
                ],
            },
        ];
        ::tinyrnn::__private::Summary {
            name: "Stack",
            layers: LAYERS,
            optimizer: ::core::option::Option::None,
            connections: ::core::option::Option::None,
        }
    }
    /** Runs the model over a sequence of any length from a zero state and returns the last output.
 Allocates nothing.*/
    ///
    #[must_use]
    pub fn forward(&self, x: &[[f32; 4]]) -> [f32; 2] {
        let mut state = StackState::new();
        let mut last = ::tinyrnn::__private::nalgebra::SVector::<f32, 4>::zeros();
        for xt in x.iter() {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 4>::from(*xt);
            let v = self.lstm.step(&mut state.lstm, &v);
            let v = self.dropout.step(&mut (), &v);
            let v = self.gru.step(&mut state.gru, &v);
            last = v;
        }
        let v = last;
        let v = self.dense.step(&mut (), &v);
        v.into()
    }
    /// Advances the model by one timestep: updates `state` and returns this timestep's
    /// output. Feeding a sequence through `step` from a new state gives bit-identical
    /// results to `forward` (its last output, or each of its outputs). Allocates nothing.
    pub fn step(&self, state: &mut StackState, x: &[f32; 4]) -> [f32; 2] {
        let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 4>::from(*x);
        let v = self.lstm.step(&mut state.lstm, &v);
        let v = self.dropout.step(&mut (), &v);
        let v = self.gru.step(&mut state.gru, &v);
        let v = self.dense.step(&mut (), &v);
        v.into()
    }
    /** Advances `B` independent streams by one timestep each (multi-channel audio, many
 sensors, scoring many sequences at once): stream `b` reads `xs[b]`, updates `states[b]`
 and gives output `b`, bit for bit what [`Self::step`] gives it alone. The recurrent
 and `dense` layers run the streams together, loading each weight once for several of
 them (a matrix-matrix product). Allocates nothing: `B` states, inputs and outputs on
 the stack.*/
    pub fn step_many<const B: usize>(
        &self,
        states: &mut [StackState; B],
        xs: &[[f32; 4]; B],
    ) -> [[f32; 2]; B] {
        let v = xs.map(::tinyrnn::__private::nalgebra::SVector::<f32, 4>::from);
        let v = self.lstm.step_many(states.each_mut().map(|s| &mut s.lstm), &v);
        let v = v.map(|v| self.dropout.step(&mut (), &v));
        let v = self.gru.step_many(states.each_mut().map(|s| &mut s.gru), &v);
        let v = self.dense.step_many(&v);
        v.map(::core::convert::Into::into)
    }
    ::tinyrnn::__private::with_heap! {
        { #[doc =
        " Adds the gradient of `loss` on this one sample (`x`, with target `y`) with\n respect to every weight into `grads` (a model of the same type, e.g. starting\n from `Self::ZERO`), and returns the sample's loss: Keras's loss on a batch of\n just `x`, and the gradient `tf.GradientTape` gives for it. A crossentropy after\n a last `dense` with a sigmoid or softmax is computed from its logits, as Keras\n does. Allocates: the tape (`Self::TAPE_BYTES_PER_STEP` bytes per timestep) and the\n stages' sequences, on the heap; `backward_in` with one tape reuses the tape's.\n\n # Panics\n If `x` is empty."]
        pub fn backward(& self, x : & [[f32; 4]], y : & [f32; 2], loss :
        ::tinyrnn::__private::train::Loss, grads : & mut Self,) -> f32 { let mut tape =
        StackTape::ZERO; self.backward_in(& mut tape, x, y, loss, grads,
        ::core::option::Option::None) } #[doc =
        " [`Self::backward`] in Keras's training mode: the dropout and noise layers act\n (`dropout`, `spatial_dropout1d`, `gaussian_noise`, `gaussian_dropout`,\n `alpha_dropout`, as Keras defines them with `training=True`), drawing from\n `noise`, and the gradient goes through what they drew. `fit` calls this.\n\n # Panics\n If `x` is empty."]
        pub fn backward_training(& self, x : & [[f32; 4]], y : & [f32; 2], loss :
        ::tinyrnn::__private::train::Loss, grads : & mut Self, noise : & mut
        ::tinyrnn::__private::train::Noise,) -> f32 { let mut tape = StackTape::ZERO;
        self.backward_in(& mut tape, x, y, loss, grads,
        ::core::option::Option::Some(noise)) } #[doc =
        " [`Self::backward`] (`noise` `None`) or [`Self::backward_training`] (`Some`)\n keeping the forward pass in `tape`, which the caller provides: one tape for many\n samples allocates its `Vec`s once, for the longest. The tape's contents before the\n call do not matter.\n\n # Panics\n If `x` is empty."]
        #[allow(clippy::large_stack_arrays, reason =
        "the stages' sequences follow from the model's size")] pub fn backward_in(& self,
        tape : & mut StackTape, x : & [[f32; 4]], y : & [f32; 2], loss :
        ::tinyrnn::__private::train::Loss, grads : & mut Self, noise :
        ::core::option::Option < & mut ::tinyrnn::__private::train::Noise >,) -> f32 {
        let t_len = x.len(); ::core::assert!(t_len > 0,
        "backward: the input has no timesteps"); tape.lstm.clear(); tape.lstm
        .resize_with(t_len, || < ::tinyrnn::__private::layers::LstmTape < 4, 8, 32 > >
        ::ZERO); tape.dropout.clear(); tape.dropout.resize_with(t_len, || [0.0_f32; 8]);
        tape.gru.clear(); tape.gru.resize_with(t_len, || <
        ::tinyrnn::__private::layers::GruTape < 8, 4, 12 > > ::ZERO); let mut noise =
        noise; let noisy = noise.is_some(); let _ = (& mut noise, noisy); let mut state =
        StackState::new(); let in_0 = x; let mut last_0_0 =
        ::tinyrnn::__private::nalgebra::SVector:: < f32, 4 > ::zeros(); for k in 0..t_len
        { let v = ::tinyrnn::__private::nalgebra::SVector:: < f32, 4 > ::from(in_0[k]);
        let _ = & v; let v = self.lstm.step_train(& mut state.lstm, & v, & mut tape
        .lstm[k]); let v = match noise.as_deref_mut() {
        ::core::option::Option::Some(noise) => { let _ = & noise; let mut a = v.data
        .0[0]; ::tinyrnn::__private::train::noise_layers::dropout(& mut a, 0.2f32, noise,
        & mut tape.dropout[k]); ::tinyrnn::__private::nalgebra::SVector::from(a) }
        ::core::option::Option::None => v, }; let v = self.gru.step_train(& mut state
        .gru, & v, & mut tape.gru[k]); last_0_0 = v; } let v = last_0_0; let v = self
        .dense.step_train(& v, & mut tape.dense); let out_0 = v; let predictions : [f32;
        2] = out_0.into(); let predictions = & predictions[..]; let from_logits = loss ==
        ::tinyrnn::__private::train::Loss::CategoricalCrossentropy; let mut gradient =
        [0.0_f32; 2]; let value = if from_logits { let logits : [f32; 2] = tape.dense.z
        .into(); loss.gradient_from_logits(& y[..], & logits[..], predictions, 2, & mut
        gradient) } else { loss.gradient(& y[..], predictions, 2, & mut gradient) }; let
        g = ::tinyrnn::__private::nalgebra::SVector:: < f32, 2 > ::from_column_slice(&
        gradient); let g = if from_logits { self.dense.backward_z(& tape.dense, & g, &
        mut grads.dense) } else { self.dense.backward(& tape.dense, & g, & mut grads
        .dense) }; let end_0 = g; let mut dh_lstm =
        ::tinyrnn::__private::nalgebra::SVector:: < f32, 8 > ::zeros(); let mut dc_lstm =
        ::tinyrnn::__private::nalgebra::SVector:: < f32, 8 > ::zeros(); let
        transposed_lstm = self.lstm.transposed(false); let mut dh_gru =
        ::tinyrnn::__private::nalgebra::SVector:: < f32, 4 > ::zeros(); let
        transposed_gru = self.gru.transposed(true); for k in (0..t_len).rev() { let g =
        if k + 1 == t_len { end_0 } else { ::tinyrnn::__private::nalgebra::SVector:: <
        f32, 4 > ::zeros() }; let (g, dh) = self.gru.backward_step(& transposed_gru, &
        mut tape.gru[k], & (g + dh_gru)); dh_gru = dh; let g = if noisy { g
        .component_mul(& ::tinyrnn::__private::nalgebra::SVector::from(tape.dropout[k]))
        } else { g }; let back = self.lstm.backward_step(& transposed_lstm, & mut tape
        .lstm[k], & (g + dh_lstm), & dc_lstm); (dh_lstm, dc_lstm) = (back.h, back.c); let
        g = back.x; let _ = g; } grads.lstm.add_gradients(& tape.lstm); grads.gru
        .add_gradients(& tape.gru); value } #[doc =
        r" The bytes of the tape `backward` keeps, beside its `Vec`s' contents."] pub
        const TAPE_BYTES : usize = ::core::mem::size_of:: < StackTape > (); #[doc =
        r" The bytes the tape `backward` keeps grows by per timestep, on the heap."] pub
        const TAPE_BYTES_PER_STEP : usize = 0 + ::core::mem::size_of:: <
        ::tinyrnn::__private::layers::LstmTape < 4, 8, 32 > > () + ::core::mem::size_of::
        < [f32; 8] > () + ::core::mem::size_of:: < ::tinyrnn::__private::layers::GruTape
        < 8, 4, 12 > > (); } { #[doc =
        " Not available: it reads a sequence of any length, whose tape grows on the heap: tinyrnn's `std` feature, so this model has no backward pass. Calling it is a compile\n error."]
        pub fn backward(& self, x : & [[f32; 4]], y : & [f32; 2], loss :
        ::tinyrnn::__private::train::Loss, grads : & mut Self,) -> f32 where for < 'a >
        Self : ::tinyrnn::__private::HeapTape < 'a >, { let _ = (x, y, loss, grads);
        ::core::unreachable!("the bound cannot hold for this model") } }
    }
}
::tinyrnn::__private::with_heap! {
    { #[doc =
    " What `Stack::backward` keeps of its forward pass for the backward pass: each layer's inputs, pre-activations and outputs, per timestep for the layers of the sequence, in `Vec`s as long as the sequence (`Stack::TAPE_BYTES_PER_STEP` bytes per timestep, on the heap)."]
    #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
    #[allow(dead_code, reason =
    "built by `backward` only, which a program may not call")] pub struct StackTape {
    #[doc = " This layer's tape."] pub lstm : ::tinyrnn::__private::Vec <
    ::tinyrnn::__private::layers::LstmTape < 4, 8, 32 > >, #[doc = " This layer's tape."]
    pub dropout : ::tinyrnn::__private::Vec < [f32; 8] >, #[doc = " This layer's tape."]
    pub gru : ::tinyrnn::__private::Vec < ::tinyrnn::__private::layers::GruTape < 8, 4,
    12 > >, #[doc = " This layer's tape."] pub dense :
    ::tinyrnn::__private::layers::DenseTape < 4, 2 >, }
    #[allow(clippy::large_stack_arrays, reason =
    "the tape's size follows from the model's")] impl StackTape { #[doc =
    r" Before a forward pass: zeros."] pub const ZERO : Self = Self { lstm :
    ::tinyrnn::__private::Vec::new(), dropout : ::tinyrnn::__private::Vec::new(), gru :
    ::tinyrnn::__private::Vec::new(), dense : < ::tinyrnn::__private::layers::DenseTape <
    4, 2 > > ::ZERO, }; } impl ::tinyrnn::__private::train::Tape for StackTape { const
    ZERO : Self = Self::ZERO; } impl ::tinyrnn::__private::train::Train for Stack { type
    Input = [[f32; 4]]; type Target = [f32; 2]; type Tape = StackTape; fn backward_in(&
    self, tape : & mut StackTape, x : & [[f32; 4]], y : & [f32; 2], loss :
    ::tinyrnn::__private::train::Loss, grads : & mut Self, noise : ::core::option::Option
    < & mut ::tinyrnn::__private::train::Noise >,) -> f32 { Stack::backward_in(self,
    tape, x, y, loss, grads, noise) } } } {}
}
impl ::tinyrnn::__private::Model for Stack {
    type State = StackState;
    const PARAMS: usize = Stack::PARAMS;
    const ZERO: Self = Stack::ZERO;
    fn from_flat(
        w: &[f32],
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
        Stack::from_flat(w)
    }
    fn write_flat(
        &self,
        out: &mut [f32],
    ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
        Stack::write_flat(self, out)
    }
    fn load_flat(
        &mut self,
        w: &[f32],
    ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
        ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
        self.load_flat_in_place(w)
    }
    fn summary() -> ::tinyrnn::__private::Summary {
        Stack::summary()
    }
}
const _: () = {
    ::core::assert!(
        Stack::PARAMS == 582,
        "tinyrnn: the runtime's parameter count differs from Keras's formulas"
    );
    ::core::assert!(
        ::core::mem::size_of:: < Stack > () == 4 * Stack::PARAMS,
        "tinyrnn: the model struct must hold its weights and nothing else"
    );
};
const _: ::core::option::Option<::tinyrnn::__private::nalgebra::SVector<f32, 1>> = ::core::option::Option::None;
