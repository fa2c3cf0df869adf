/// A tinyrnn model: input [8, 3] -> bidirectional(8) -> bidirectional(3) -> dense(1).
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
#[repr(C, align(8))]
pub struct Bi {
    /// `bidirectional`: Keras `Bidirectional(LSTM(4), merge_mode="concat")` on 3 inputs.
    pub bidirectional: ::tinyrnn::__private::layers::Bidirectional<
        ::tinyrnn::__private::layers::Lstm<
            3,
            4,
            16,
            16,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        >,
        ::tinyrnn::__private::layers::Concat,
    >,
    /// `bidirectional_1`: Keras `Bidirectional(GRU(3), merge_mode="sum")` on 8 inputs.
    pub bidirectional_1: ::tinyrnn::__private::layers::Bidirectional<
        ::tinyrnn::__private::layers::Gru<
            8,
            3,
            9,
            2,
            true,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        >,
        ::tinyrnn::__private::layers::Sum,
    >,
    /// `dense`: Keras `Dense` with 1 units on 3 inputs.
    pub dense: ::tinyrnn::__private::layers::Dense<
        3,
        1,
        1,
        ::tinyrnn::__private::activations::Linear,
    >,
}
/// The streaming state of [`Bi`]: each recurrent layer's hidden values, zero at the start.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
pub struct BiState {
    /// The hidden state of this layer.
    pub bidirectional: <::tinyrnn::__private::layers::Bidirectional<
        ::tinyrnn::__private::layers::Lstm<
            3,
            4,
            16,
            16,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        >,
        ::tinyrnn::__private::layers::Concat,
    > as ::tinyrnn::__private::Layer>::State,
    /// The hidden state of this layer.
    pub bidirectional_1: <::tinyrnn::__private::layers::Bidirectional<
        ::tinyrnn::__private::layers::Gru<
            8,
            3,
            9,
            2,
            true,
            ::tinyrnn::__private::activations::Tanh,
            ::tinyrnn::__private::activations::Sigmoid,
        >,
        ::tinyrnn::__private::layers::Sum,
    > as ::tinyrnn::__private::Layer>::State,
}
impl BiState {
    /// The state before the first timestep: every hidden value zero, as in Keras.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            bidirectional: <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Concat,
            > as ::tinyrnn::__private::Layer>::INITIAL_STATE,
            bidirectional_1: <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Gru<
                    8,
                    3,
                    9,
                    2,
                    true,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Sum,
            > as ::tinyrnn::__private::Layer>::INITIAL_STATE,
        }
    }
    /// Resets every hidden value to zero, ready for a new sequence.
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}
impl ::core::default::Default for BiState {
    fn default() -> Self {
        Self::new()
    }
}
impl Bi {
    /// The number of weights, Keras's `model.count_params()`.
    pub const PARAMS: usize = 0
        + <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Lstm<
                3,
                4,
                16,
                16,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Concat,
        > as ::tinyrnn::__private::Layer>::PARAMS
        + <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Gru<
                8,
                3,
                9,
                2,
                true,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Sum,
        > as ::tinyrnn::__private::Layer>::PARAMS
        + <::tinyrnn::__private::layers::Dense<
            3,
            1,
            1,
            ::tinyrnn::__private::activations::Linear,
        > as ::tinyrnn::__private::Layer>::PARAMS;
    /// Each layer's weight count, in order, as in Keras's `model.summary()`.
    pub const LAYER_PARAMS: [usize; 3] = [
        <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Lstm<
                3,
                4,
                16,
                16,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Concat,
        > as ::tinyrnn::__private::Layer>::PARAMS,
        <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Gru<
                8,
                3,
                9,
                2,
                true,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Sum,
        > as ::tinyrnn::__private::Layer>::PARAMS,
        <::tinyrnn::__private::layers::Dense<
            3,
            1,
            1,
            ::tinyrnn::__private::activations::Linear,
        > as ::tinyrnn::__private::Layer>::PARAMS,
    ];
    /// The number of timesteps `forward` takes, `None` for any length (`input [_, F]`).
    pub const TIMESTEPS: ::core::option::Option<usize> = ::core::option::Option::Some(8);
    /// The number of features per timestep (1 for a model that reads token ids).
    pub const FEATURES: usize = 3;
    /// For a model that reads token ids (`input [T]`, first layer `embedding`): how
    /// many ids its embedding maps (`input_dim`); `None` for one that reads features.
    pub const VOCABULARY: ::core::option::Option<usize> = ::core::option::Option::None;
    /// The length of each output vector.
    pub const OUTPUT_UNITS: usize = 1;
    /// How many timesteps `forward` returns when the model returns sequences: the
    /// input's, or `repeat_vector`'s `n`; `None` for as many as an input of any
    /// length has. `None` too for a model that returns one vector.
    pub const OUTPUT_TIMESTEPS: ::core::option::Option<usize> = ::core::option::Option::None;
    /// Whether `forward` returns one output per timestep.
    pub const RETURNS_SEQUENCES: bool = false;
    /// The model with every weight zero, for `const` and `static` items.
    pub const ZERO: Self = Self {
        bidirectional: <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Lstm<
                3,
                4,
                16,
                16,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Concat,
        > as ::tinyrnn::__private::Layer>::ZERO,
        bidirectional_1: <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Gru<
                8,
                3,
                9,
                2,
                true,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Sum,
        > as ::tinyrnn::__private::Layer>::ZERO,
        dense: <::tinyrnn::__private::layers::Dense<
            3,
            1,
            1,
            ::tinyrnn::__private::activations::Linear,
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
            bidirectional: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                >,
            >(&mut rest)?,
            bidirectional_1: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                >,
            >(&mut rest)?,
            dense: ::tinyrnn::__private::layers::take_layer::<
                ::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
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
                <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Lstm<
                3,
                4,
                16,
                16,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Concat,
        > as ::tinyrnn::__private::Layer>::store_flat(&self.bidirectional, head)?;
        let (head, rest) = rest
            .split_at_mut(
                <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Gru<
                8,
                3,
                9,
                2,
                true,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Sum,
        > as ::tinyrnn::__private::Layer>::store_flat(&self.bidirectional_1, head)?;
        let (head, rest) = rest
            .split_at_mut(
                <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::PARAMS,
            );
        <::tinyrnn::__private::layers::Dense<
            3,
            1,
            1,
            ::tinyrnn::__private::activations::Linear,
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
        ::tinyrnn::__private::layers::take_layer_into(
            &mut self.bidirectional,
            &mut rest,
        )?;
        ::tinyrnn::__private::layers::take_layer_into(
            &mut self.bidirectional_1,
            &mut rest,
        )?;
        ::tinyrnn::__private::layers::take_layer_into(&mut self.dense, &mut rest)?;
        ::core::result::Result::Ok(())
    }
    /// Builds the model from its weights as little-endian `f32` bytes, in Keras
    /// `get_weights()` order (what `tinyrnn convert` writes). It is `const`, so
    /// `static NET: Net = Net::from_le_bytes(include_bytes!("net.bin"));` keeps the
    /// weights in flash (read-only memory) with no copy in RAM. A blob of the wrong
    /// length does not compile: `expected &[u8; N], found &[u8; M]`.
    #[must_use]
    pub const fn from_le_bytes(bytes: &[u8; 1976]) -> Self {
        let bytes: &[u8] = bytes;
        let mut offset = 0;
        Self {
            bidirectional: <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Concat,
            >>::new(
                <::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >>::from_le_bytes_at(bytes, &mut offset),
                <::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >>::from_le_bytes_at(bytes, &mut offset),
            ),
            bidirectional_1: <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Gru<
                    8,
                    3,
                    9,
                    2,
                    true,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Sum,
            >>::new(
                <::tinyrnn::__private::layers::Gru<
                    8,
                    3,
                    9,
                    2,
                    true,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >>::from_le_bytes_at(bytes, &mut offset),
                <::tinyrnn::__private::layers::Gru<
                    8,
                    3,
                    9,
                    2,
                    true,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >>::from_le_bytes_at(bytes, &mut offset),
            ),
            dense: <::tinyrnn::__private::layers::Dense<
                3,
                1,
                1,
                ::tinyrnn::__private::activations::Linear,
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
        match <&[u8; 1976]>::try_from(bytes) {
            ::core::result::Result::Ok(array) => {
                ::core::result::Result::Ok(Self::from_le_bytes(array))
            }
            ::core::result::Result::Err(_) => {
                ::core::result::Result::Err(::tinyrnn::__private::Error::ByteCount {
                    expected: 1976,
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
                name: "bidirectional",
                kind: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Sequence {
                    timesteps: ::core::option::Option::Some(8),
                    units: 8,
                },
                params: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Lstm<
                        3,
                        4,
                        16,
                        16,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Concat,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[
                    ("merge_mode", "concat"),
                    ("units", "4"),
                    ("activation", "tanh"),
                    ("recurrent_activation", "sigmoid"),
                    ("use_bias", "true"),
                    ("return_sequences", "true"),
                    ("go_backwards", "false"),
                ],
            },
            ::tinyrnn::__private::LayerSummary {
                name: "bidirectional_1",
                kind: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Vector {
                    units: 3,
                },
                params: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[
                    ("merge_mode", "sum"),
                    ("units", "3"),
                    ("activation", "tanh"),
                    ("recurrent_activation", "sigmoid"),
                    ("use_bias", "true"),
                    ("return_sequences", "false"),
                    ("go_backwards", "false"),
                    ("reset_after", "true"),
                ],
            },
            ::tinyrnn::__private::LayerSummary {
                name: "dense",
                kind: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::KIND,
                output: ::tinyrnn::__private::OutputShape::Vector {
                    units: 1,
                },
                params: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::PARAMS,
                non_trainable: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE,
                non_trainable_bytes: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::NON_TRAINABLE_BYTES,
                weights: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::WEIGHTS,
                copies: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::COPIES,
                formula: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::FORMULA,
                symbols: <::tinyrnn::__private::layers::Dense<
                    3,
                    1,
                    1,
                    ::tinyrnn::__private::activations::Linear,
                > as ::tinyrnn::__private::Layer>::SYMBOLS,
                options: &[
                    ("units", "1"),
                    ("activation", "linear"),
                    ("use_bias", "true"),
                ],
            },
        ];
        ::tinyrnn::__private::Summary {
            name: "Bi",
            layers: LAYERS,
            optimizer: ::core::option::Option::None,
            connections: ::core::option::Option::None,
        }
    }
    /** Runs the model over a whole sequence from a zero state and returns the last output.
 Allocates nothing.*/
    /** Layers with `go_backwards = true` read their input from the last timestep to the
 first and emit their outputs in that order; `bidirectional` layers re-align their
 backward outputs in time before merging; both as Keras does.*/
    #[must_use]
    pub fn forward(&self, x: &[[f32; 3]; 8]) -> [f32; 1] {
        let mut state = BiState::new();
        let mut backward_0_0 = [[0.0_f32; 4]; 8];
        for (xt, slot) in x.iter().rev().zip(backward_0_0.iter_mut().rev()) {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::from(*xt);
            let v = self.bidirectional.step_backward(&mut state.bidirectional, &v);
            *slot = v.into();
        }
        let mut buffer_0_0 = [[0.0_f32; 8]; 8];
        for ((xt, bt), slot) in x
            .iter()
            .zip(backward_0_0.iter())
            .zip(buffer_0_0.iter_mut())
        {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::from(*xt);
            let forward = self.bidirectional.step_forward(&mut state.bidirectional, &v);
            let v: ::tinyrnn::__private::nalgebra::SVector<f32, 8> = <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Concat,
            >>::merge::<
                4,
                8,
            >(&forward, &::tinyrnn::__private::nalgebra::SVector::<f32, 4>::from(*bt));
            *slot = v.into();
        }
        let mut backward_last = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            3,
        >::zeros();
        for xt in buffer_0_0.iter().rev() {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 8>::from(*xt);
            backward_last = self
                .bidirectional_1
                .step_backward(&mut state.bidirectional_1, &v);
        }
        let mut forward_last = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            3,
        >::zeros();
        for xt in buffer_0_0.iter() {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 8>::from(*xt);
            forward_last = self
                .bidirectional_1
                .step_forward(&mut state.bidirectional_1, &v);
        }
        let last: ::tinyrnn::__private::nalgebra::SVector<f32, 3> = <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Gru<
                8,
                3,
                9,
                2,
                true,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Sum,
        >>::merge::<3, 3>(&forward_last, &backward_last);
        let v = last;
        let v = self.dense.step(&mut (), &v);
        v.into()
    }
    /** Not available: layer `bidirectional` reads the whole sequence backwards before its first output, so this model cannot stream. Calling it is a compile
 error; use `forward`.*/
    pub fn step(&self, state: &mut BiState, x: &[f32; 3]) -> [f32; 1]
    where
        for<'a> Self: ::tinyrnn::__private::Streamable<'a>,
    {
        let _ = (state, x);
        ::core::unreachable!("the `Streamable` bound cannot hold for this model")
    }
    /** Advances `B` independent streams by one timestep each (multi-channel audio, many
 sensors, scoring many sequences at once): stream `b` reads `xs[b]`, updates `states[b]`
 and gives output `b`, bit for bit what [`Self::step`] gives it alone. The recurrent
 and `dense` layers run the streams together, loading each weight once for several of
 them (a matrix-matrix product). Allocates nothing: `B` states, inputs and outputs on
 the stack.*/
    pub fn step_many<const B: usize>(
        &self,
        states: &mut [BiState; B],
        xs: &[[f32; 3]; B],
    ) -> [[f32; 1]; B]
    where
        for<'a> Self: ::tinyrnn::__private::Streamable<'a>,
    {
        ::core::array::from_fn(|b| self.step(&mut states[b], &xs[b]))
    }
    /** Adds the gradient of `loss` on this one sample (`x`, with target `y`) with
 respect to every weight into `grads` (a model of the same type, e.g. starting
 from `Self::ZERO`), and returns the sample's loss: Keras's loss on a batch of
 just `x`, and the gradient `tf.GradientTape` gives for it. A crossentropy after
 a last `dense` with a sigmoid or softmax is computed from its logits, as Keras
 does. Allocates nothing: the tape of the forward pass (`Self::TAPE_BYTES`) is on
 the stack.*/
    pub fn backward(
        &self,
        x: &[[f32; 3]; 8],
        y: &[f32; 1],
        loss: ::tinyrnn::__private::train::Loss,
        grads: &mut Self,
    ) -> f32 {
        let mut tape = BiTape::ZERO;
        self.backward_in(&mut tape, x, y, loss, grads, ::core::option::Option::None)
    }
    /** [`Self::backward`] in Keras's training mode: the dropout and noise layers act
 (`dropout`, `spatial_dropout1d`, `gaussian_noise`, `gaussian_dropout`,
 `alpha_dropout`, as Keras defines them with `training=True`), drawing from
 `noise`, and the gradient goes through what they drew. `fit` calls this.*/
    pub fn backward_training(
        &self,
        x: &[[f32; 3]; 8],
        y: &[f32; 1],
        loss: ::tinyrnn::__private::train::Loss,
        grads: &mut Self,
        noise: &mut ::tinyrnn::__private::train::Noise,
    ) -> f32 {
        let mut tape = BiTape::ZERO;
        self.backward_in(
            &mut tape,
            x,
            y,
            loss,
            grads,
            ::core::option::Option::Some(noise),
        )
    }
    /** [`Self::backward`] (`noise` `None`) or [`Self::backward_training`] (`Some`)
 keeping the forward pass in `tape`, which the caller provides: for long
 sequences, on the heap (`tinyrnn::train::boxed_tape`) rather than the stack
 (`Self::TAPE_BYTES`). The tape's contents before the call do not matter.*/
    #[allow(
        clippy::large_stack_arrays,
        reason = "the stages' sequences follow from the model's size"
    )]
    pub fn backward_in(
        &self,
        tape: &mut BiTape,
        x: &[[f32; 3]; 8],
        y: &[f32; 1],
        loss: ::tinyrnn::__private::train::Loss,
        grads: &mut Self,
        noise: ::core::option::Option<&mut ::tinyrnn::__private::train::Noise>,
    ) -> f32 {
        let mut noise = noise;
        let noisy = noise.is_some();
        let _ = (&mut noise, noisy);
        let mut state = BiState::new();
        let in_0 = x;
        let mut seq_0_0 = [[0.0_f32; 8]; 8];
        let mut backward_bidirectional = [[0.0_f32; 4]; 8];
        let mut forward_bidirectional = [[0.0_f32; 4]; 8];
        for k in 0..8 {
            let t = 8 - 1 - k;
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::from(in_0[t]);
            let v = self
                .bidirectional
                .backward_layer
                .step_train(
                    &mut state.bidirectional.1,
                    &v,
                    &mut tape.bidirectional_backward[k],
                );
            backward_bidirectional[t] = v.into();
        }
        for k in 0..8 {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::from(in_0[k]);
            let _ = &v;
            let forward = self
                .bidirectional
                .forward_layer
                .step_train(
                    &mut state.bidirectional.0,
                    &v,
                    &mut tape.bidirectional_forward[k],
                );
            forward_bidirectional[k] = forward.into();
            let v: ::tinyrnn::__private::nalgebra::SVector<f32, 8> = <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Concat,
            >>::merge::<
                4,
                8,
            >(
                &forward,
                &::tinyrnn::__private::nalgebra::SVector::from(backward_bidirectional[k]),
            );
            seq_0_0[k] = v.into();
        }
        let mut last_0_1 = ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::zeros();
        let mut backward_bidirectional_1 = [[0.0_f32; 3]; 8];
        let mut forward_bidirectional_1 = [[0.0_f32; 3]; 8];
        for k in 0..8 {
            let t = 8 - 1 - k;
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 8>::from(seq_0_0[t]);
            let v = self
                .bidirectional_1
                .backward_layer
                .step_train(
                    &mut state.bidirectional_1.1,
                    &v,
                    &mut tape.bidirectional_1_backward[k],
                );
            backward_bidirectional_1[t] = v.into();
        }
        for k in 0..8 {
            let v = ::tinyrnn::__private::nalgebra::SVector::<f32, 8>::from(seq_0_0[k]);
            let _ = &v;
            let forward = self
                .bidirectional_1
                .forward_layer
                .step_train(
                    &mut state.bidirectional_1.0,
                    &v,
                    &mut tape.bidirectional_1_forward[k],
                );
            forward_bidirectional_1[k] = forward.into();
            let _ = forward;
        }
        last_0_1 = <::tinyrnn::__private::layers::Bidirectional<
            ::tinyrnn::__private::layers::Gru<
                8,
                3,
                9,
                2,
                true,
                ::tinyrnn::__private::activations::Tanh,
                ::tinyrnn::__private::activations::Sigmoid,
            >,
            ::tinyrnn::__private::layers::Sum,
        >>::merge::<
            3,
            3,
        >(
            &::tinyrnn::__private::nalgebra::SVector::from(
                forward_bidirectional_1[8 - 1],
            ),
            &::tinyrnn::__private::nalgebra::SVector::from(backward_bidirectional_1[0]),
        );
        let v = last_0_1;
        let v = self.dense.step_train(&v, &mut tape.dense);
        let out_0 = v;
        let predictions: [f32; 1] = out_0.into();
        let predictions = &predictions[..];
        let from_logits = false;
        let mut gradient = [0.0_f32; 1];
        let value = if from_logits {
            let logits: [f32; 1] = tape.dense.z.into();
            loss.gradient_from_logits(&y[..], &logits[..], predictions, 1, &mut gradient)
        } else {
            loss.gradient(&y[..], predictions, 1, &mut gradient)
        };
        let g = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            1,
        >::from_column_slice(&gradient);
        let g = if from_logits {
            self.dense.backward_z(&tape.dense, &g, &mut grads.dense)
        } else {
            self.dense.backward(&tape.dense, &g, &mut grads.dense)
        };
        let end_0 = g;
        let mut dh_bidirectional_1_forward = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            3,
        >::zeros();
        let transposed_bidirectional_1_forward = self
            .bidirectional_1
            .forward_layer
            .transposed(true);
        let mut dh_bidirectional_1_backward = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            3,
        >::zeros();
        let transposed_bidirectional_1_backward = self
            .bidirectional_1
            .backward_layer
            .transposed(true);
        let mut g_backward_bidirectional_1 = [[0.0_f32; 3]; 8];
        let mut d_seq_0_0 = [[0.0_f32; 8]; 8];
        for k in (0..8).rev() {
            let g = if k + 1 == 8 {
                end_0
            } else {
                ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::zeros()
            };
            let g = if k + 1 == 8 {
                let (gf, gb) = <::tinyrnn::__private::layers::Bidirectional<
                    ::tinyrnn::__private::layers::Gru<
                        8,
                        3,
                        9,
                        2,
                        true,
                        ::tinyrnn::__private::activations::Tanh,
                        ::tinyrnn::__private::activations::Sigmoid,
                    >,
                    ::tinyrnn::__private::layers::Sum,
                >>::merge_backward::<
                    3,
                    3,
                >(
                    &g,
                    &::tinyrnn::__private::nalgebra::SVector::from(
                        forward_bidirectional_1[8 - 1],
                    ),
                    &::tinyrnn::__private::nalgebra::SVector::from(
                        backward_bidirectional_1[0],
                    ),
                );
                g_backward_bidirectional_1[0] = gb.into();
                gf
            } else {
                ::tinyrnn::__private::nalgebra::SVector::<f32, 3>::zeros()
            };
            let (g, dh) = self
                .bidirectional_1
                .forward_layer
                .backward_step(
                    &transposed_bidirectional_1_forward,
                    &mut tape.bidirectional_1_forward[k],
                    &(g + dh_bidirectional_1_forward),
                );
            dh_bidirectional_1_forward = dh;
            for (d, v) in d_seq_0_0[k].iter_mut().zip(g.iter()) {
                *d += v;
            }
            let _ = g;
        }
        for k in (0..8).rev() {
            let t = 8 - 1 - k;
            let g = ::tinyrnn::__private::nalgebra::SVector::<
                f32,
                3,
            >::from(g_backward_bidirectional_1[t]);
            let (g, dh) = self
                .bidirectional_1
                .backward_layer
                .backward_step(
                    &transposed_bidirectional_1_backward,
                    &mut tape.bidirectional_1_backward[k],
                    &(g + dh_bidirectional_1_backward),
                );
            dh_bidirectional_1_backward = dh;
            for (d, v) in d_seq_0_0[t].iter_mut().zip(g.iter()) {
                *d += v;
            }
            let _ = g;
        }
        grads.bidirectional_1.forward_layer.add_gradients(&tape.bidirectional_1_forward);
        grads
            .bidirectional_1
            .backward_layer
            .add_gradients(&tape.bidirectional_1_backward);
        let mut dh_bidirectional_forward = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            4,
        >::zeros();
        let mut dc_bidirectional_forward = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            4,
        >::zeros();
        let transposed_bidirectional_forward = self
            .bidirectional
            .forward_layer
            .transposed(false);
        let mut dh_bidirectional_backward = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            4,
        >::zeros();
        let mut dc_bidirectional_backward = ::tinyrnn::__private::nalgebra::SVector::<
            f32,
            4,
        >::zeros();
        let transposed_bidirectional_backward = self
            .bidirectional
            .backward_layer
            .transposed(false);
        let mut g_backward_bidirectional = [[0.0_f32; 4]; 8];
        for k in (0..8).rev() {
            let g = ::tinyrnn::__private::nalgebra::SVector::<
                f32,
                8,
            >::from(d_seq_0_0[k]);
            let (gf, gb) = <::tinyrnn::__private::layers::Bidirectional<
                ::tinyrnn::__private::layers::Lstm<
                    3,
                    4,
                    16,
                    16,
                    ::tinyrnn::__private::activations::Tanh,
                    ::tinyrnn::__private::activations::Sigmoid,
                >,
                ::tinyrnn::__private::layers::Concat,
            >>::merge_backward::<
                4,
                8,
            >(
                &g,
                &::tinyrnn::__private::nalgebra::SVector::from(forward_bidirectional[k]),
                &::tinyrnn::__private::nalgebra::SVector::from(backward_bidirectional[k]),
            );
            g_backward_bidirectional[k] = gb.into();
            let g = gf;
            let back = self
                .bidirectional
                .forward_layer
                .backward_step(
                    &transposed_bidirectional_forward,
                    &mut tape.bidirectional_forward[k],
                    &(g + dh_bidirectional_forward),
                    &dc_bidirectional_forward,
                );
            (dh_bidirectional_forward, dc_bidirectional_forward) = (back.h, back.c);
            let g = back.x;
            let _ = g;
        }
        for k in (0..8).rev() {
            let t = 8 - 1 - k;
            let g = ::tinyrnn::__private::nalgebra::SVector::<
                f32,
                4,
            >::from(g_backward_bidirectional[t]);
            let back = self
                .bidirectional
                .backward_layer
                .backward_step(
                    &transposed_bidirectional_backward,
                    &mut tape.bidirectional_backward[k],
                    &(g + dh_bidirectional_backward),
                    &dc_bidirectional_backward,
                );
            (dh_bidirectional_backward, dc_bidirectional_backward) = (back.h, back.c);
            let g = back.x;
            let _ = g;
        }
        grads.bidirectional.forward_layer.add_gradients(&tape.bidirectional_forward);
        grads.bidirectional.backward_layer.add_gradients(&tape.bidirectional_backward);
        value
    }
    /// The bytes of the tape `backward` keeps on the stack.
    pub const TAPE_BYTES: usize = ::core::mem::size_of::<BiTape>();
}
/// What `Bi::backward` keeps of its forward pass for the backward pass: each layer's inputs, pre-activations and outputs, per timestep for the layers of the sequence (8 timesteps). `Bi::TAPE_BYTES` bytes, on the stack during `backward`.
#[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
#[allow(dead_code, reason = "built by `backward` only, which a program may not call")]
pub struct BiTape {
    /// This layer's tape.
    pub bidirectional_forward: [::tinyrnn::__private::layers::LstmTape<3, 4, 16>; 8],
    /// This layer's tape.
    pub bidirectional_backward: [::tinyrnn::__private::layers::LstmTape<3, 4, 16>; 8],
    /// This layer's tape.
    pub bidirectional_1_forward: [::tinyrnn::__private::layers::GruTape<8, 3, 9>; 8],
    /// This layer's tape.
    pub bidirectional_1_backward: [::tinyrnn::__private::layers::GruTape<8, 3, 9>; 8],
    /// This layer's tape.
    pub dense: ::tinyrnn::__private::layers::DenseTape<3, 1>,
}
#[allow(clippy::large_stack_arrays, reason = "the tape's size follows from the model's")]
impl BiTape {
    /// Before a forward pass: zeros.
    pub const ZERO: Self = Self {
        bidirectional_forward: [<::tinyrnn::__private::layers::LstmTape<
            3,
            4,
            16,
        >>::ZERO; 8],
        bidirectional_backward: [<::tinyrnn::__private::layers::LstmTape<
            3,
            4,
            16,
        >>::ZERO; 8],
        bidirectional_1_forward: [<::tinyrnn::__private::layers::GruTape<
            8,
            3,
            9,
        >>::ZERO; 8],
        bidirectional_1_backward: [<::tinyrnn::__private::layers::GruTape<
            8,
            3,
            9,
        >>::ZERO; 8],
        dense: <::tinyrnn::__private::layers::DenseTape<3, 1>>::ZERO,
    };
}
impl ::tinyrnn::__private::train::Tape for BiTape {
    const ZERO: Self = Self::ZERO;
}
impl ::tinyrnn::__private::train::Train for Bi {
    type Input = [[f32; 3]; 8];
    type Target = [f32; 1];
    type Tape = BiTape;
    fn backward_in(
        &self,
        tape: &mut BiTape,
        x: &[[f32; 3]; 8],
        y: &[f32; 1],
        loss: ::tinyrnn::__private::train::Loss,
        grads: &mut Self,
        noise: ::core::option::Option<&mut ::tinyrnn::__private::train::Noise>,
    ) -> f32 {
        Bi::backward_in(self, tape, x, y, loss, grads, noise)
    }
}
impl ::tinyrnn::__private::Model for Bi {
    type State = BiState;
    const PARAMS: usize = Bi::PARAMS;
    const ZERO: Self = Bi::ZERO;
    fn from_flat(
        w: &[f32],
    ) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
        Bi::from_flat(w)
    }
    fn write_flat(
        &self,
        out: &mut [f32],
    ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
        Bi::write_flat(self, out)
    }
    fn load_flat(
        &mut self,
        w: &[f32],
    ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
        ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
        self.load_flat_in_place(w)
    }
    fn summary() -> ::tinyrnn::__private::Summary {
        Bi::summary()
    }
}
const _: () = {
    ::core::assert!(
        Bi::PARAMS == 494,
        "tinyrnn: the runtime's parameter count differs from Keras's formulas"
    );
    ::core::assert!(
        ::core::mem::size_of:: < Bi > () == 4 * Bi::PARAMS,
        "tinyrnn: the model struct must hold its weights and nothing else"
    );
};
const _: ::core::option::Option<::tinyrnn::__private::nalgebra::SVector<f32, 1>> = ::core::option::Option::None;
