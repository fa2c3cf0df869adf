//! The table: one `LayerSpec` per layer kind, the list of them, and the arguments some
//! kinds take beyond their entry (flags' and numbers' defaults).

use crate::{LayerSpec, Role, Statistics};

macro_rules! passthrough {
    ($name:ident, $keyword:literal, $class:literal, $first:literal) => {
        #[doc = concat!("Keras `", $class, "`: the identity at inference.")]
        pub const $name: LayerSpec = LayerSpec {
            keyword: $keyword,
            keras_class: $class,
            saving_name: $keyword,
            runtime_type: $class,
            role: Role::Passthrough,
            arguments: &[$first, "seed"],
            default_activation: None,
            default_recurrent_activation: None,
            default_reset_after: None,
            first_argument_required: true,
        };
    };
}

/// Keras `SimpleRNN`.
pub const SIMPLE_RNN: LayerSpec = LayerSpec {
    keyword: "simple_rnn",
    keras_class: "SimpleRNN",
    saving_name: "simple_rnn",
    runtime_type: "SimpleRnn",
    role: Role::Recurrent { gates: 1 },
    arguments: &[
        "units",
        "activation",
        "use_bias",
        "return_sequences",
        "go_backwards",
    ],
    default_activation: Some("tanh"),
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `LSTM`.
pub const LSTM: LayerSpec = LayerSpec {
    keyword: "lstm",
    keras_class: "LSTM",
    saving_name: "lstm",
    runtime_type: "Lstm",
    role: Role::Recurrent { gates: 4 },
    arguments: &[
        "units",
        "activation",
        "recurrent_activation",
        "use_bias",
        "return_sequences",
        "go_backwards",
    ],
    default_activation: Some("tanh"),
    default_recurrent_activation: Some("sigmoid"),
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `GRU`.
pub const GRU: LayerSpec = LayerSpec {
    keyword: "gru",
    keras_class: "GRU",
    saving_name: "gru",
    runtime_type: "Gru",
    role: Role::Recurrent { gates: 3 },
    arguments: &[
        "units",
        "activation",
        "recurrent_activation",
        "use_bias",
        "return_sequences",
        "go_backwards",
        "reset_after",
    ],
    default_activation: Some("tanh"),
    default_recurrent_activation: Some("sigmoid"),
    default_reset_after: Some(true),
    first_argument_required: true,
};

/// Keras `Bidirectional`.
pub const BIDIRECTIONAL: LayerSpec = LayerSpec {
    keyword: "bidirectional",
    keras_class: "Bidirectional",
    saving_name: "bidirectional",
    runtime_type: "Bidirectional",
    role: Role::Wrapper,
    arguments: &["layer", "merge_mode"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `Dense`.
pub const DENSE: LayerSpec = LayerSpec {
    keyword: "dense",
    keras_class: "Dense",
    saving_name: "dense",
    runtime_type: "Dense",
    role: Role::Dense,
    arguments: &["units", "activation", "use_bias"],
    default_activation: Some("linear"),
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

passthrough!(DROPOUT, "dropout", "Dropout", "rate");
passthrough!(
    SPATIAL_DROPOUT_1D,
    "spatial_dropout1d",
    "SpatialDropout1D",
    "rate"
);
passthrough!(GAUSSIAN_NOISE, "gaussian_noise", "GaussianNoise", "stddev");
passthrough!(
    GAUSSIAN_DROPOUT,
    "gaussian_dropout",
    "GaussianDropout",
    "rate"
);
passthrough!(ALPHA_DROPOUT, "alpha_dropout", "AlphaDropout", "rate");

/// Keras's defaults of the boolean arguments, for every layer that takes them.
pub const FLAG_DEFAULTS: [(&str, bool); 8] = [
    ("use_bias", true),
    ("return_sequences", false),
    ("go_backwards", false),
    ("reset_after", true),
    ("center", true),
    ("scale", true),
    ("invert", false),
    ("mask_zero", false),
];

/// Keras's default of the boolean argument `name` (`use_bias`: `true`).
///
/// ```
/// assert_eq!(tinyrnn_spec::flag_default("return_sequences"), Some(false));
/// assert_eq!(tinyrnn_spec::flag_default("units"), None);
/// ```
#[must_use]
pub fn flag_default(name: &str) -> Option<bool> {
    FLAG_DEFAULTS
        .iter()
        .find(|(flag, _)| *flag == name)
        .map(|(_, default)| *default)
}

/// Keras `Activation(activation)`: the activation on each vector.
pub const ACTIVATION: LayerSpec = LayerSpec {
    keyword: "activation",
    keras_class: "Activation",
    saving_name: "activation",
    runtime_type: "ActivationLayer",
    role: Role::Elementwise,
    arguments: &["activation"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `Softmax(axis=-1)`: softmax over the units of each vector.
pub const SOFTMAX: LayerSpec = LayerSpec {
    keyword: "softmax",
    keras_class: "Softmax",
    saving_name: "softmax",
    runtime_type: "SoftmaxLayer",
    role: Role::Elementwise,
    arguments: &["axis"],
    default_activation: Some("softmax"),
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `ReLU(max_value=None, negative_slope=0.0, threshold=0.0)`.
pub const RELU: LayerSpec = LayerSpec {
    keyword: "relu",
    keras_class: "ReLU",
    saving_name: "re_lu",
    runtime_type: "ReluLayer",
    role: Role::Elementwise,
    arguments: &["max_value", "negative_slope", "threshold"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `LeakyReLU(negative_slope=0.3)`.
pub const LEAKY_RELU: LayerSpec = LayerSpec {
    keyword: "leaky_relu",
    keras_class: "LeakyReLU",
    saving_name: "leaky_re_lu",
    runtime_type: "LeakyReluLayer",
    role: Role::Elementwise,
    arguments: &["negative_slope"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `ELU(alpha=1.0)`.
pub const ELU: LayerSpec = LayerSpec {
    keyword: "elu",
    keras_class: "ELU",
    saving_name: "elu",
    runtime_type: "EluLayer",
    role: Role::Elementwise,
    arguments: &["alpha"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `TimeDistributed(layer)`: the wrapped layer on each timestep, with its weights.
pub const TIME_DISTRIBUTED: LayerSpec = LayerSpec {
    keyword: "time_distributed",
    keras_class: "TimeDistributed",
    saving_name: "time_distributed",
    runtime_type: "TimeDistributed",
    role: Role::PerTimestep,
    arguments: &["layer"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `LayerNormalization(axis=-1, epsilon=1e-3, center=True, scale=True)`.
pub const LAYER_NORMALIZATION: LayerSpec = LayerSpec {
    keyword: "layer_normalization",
    keras_class: "LayerNormalization",
    saving_name: "layer_normalization",
    runtime_type: "LayerNormalization",
    role: Role::Normalization(Statistics::PerVector),
    arguments: &["axis", "epsilon", "center", "scale"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `BatchNormalization(axis=-1, momentum=0.99, epsilon=1e-3, center=True,
/// scale=True)` at inference: the moving mean and variance, then `gamma` and `beta`
/// (`momentum` acts only in training).
pub const BATCH_NORMALIZATION: LayerSpec = LayerSpec {
    keyword: "batch_normalization",
    keras_class: "BatchNormalization",
    saving_name: "batch_normalization",
    runtime_type: "BatchNormalization",
    role: Role::Normalization(Statistics::Moving),
    arguments: &["axis", "epsilon", "center", "scale"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `Normalization(axis=-1, invert=False)`, adapted: `(x - mean) /
/// max(sqrt(variance), 1e-7)`, or its inverse with `invert`.
pub const NORMALIZATION: LayerSpec = LayerSpec {
    keyword: "normalization",
    keras_class: "Normalization",
    saving_name: "normalization",
    runtime_type: "Normalization",
    role: Role::Normalization(Statistics::Adapted),
    arguments: &["axis", "invert"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `Embedding(input_dim, output_dim, mask_zero=False)`: the first layer of a model
/// that reads token ids (`input [T]`). With `mask_zero`, id 0 masks its timestep.
pub const EMBEDDING: LayerSpec = LayerSpec {
    keyword: "embedding",
    keras_class: "Embedding",
    saving_name: "embedding",
    runtime_type: "Embedding",
    role: Role::Embedding,
    arguments: &["input_dim", "output_dim", "mask_zero"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `Masking(mask_value=0.0)`: a timestep whose features all equal `mask_value` is
/// skipped by the recurrent layers after it (and zeroed).
pub const MASKING: LayerSpec = LayerSpec {
    keyword: "masking",
    keras_class: "Masking",
    saving_name: "masking",
    runtime_type: "Masking",
    role: Role::Masking,
    arguments: &["mask_value"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `PReLU(shared_axes=None)`: `x`, or `alpha * x` below 0, one learned `alpha` per
/// unit, or shared over the axes named (on a sequence, at least the timesteps').
pub const PRELU: LayerSpec = LayerSpec {
    keyword: "prelu",
    keras_class: "PReLU",
    saving_name: "p_re_lu",
    runtime_type: "PRelu",
    role: Role::LearnedActivation,
    arguments: &["shared_axes"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `Conv1D(filters, kernel_size, strides=1, padding="valid", dilation_rate=1,
/// groups=1, activation=None, use_bias=True)` on a sequence of a fixed length.
pub const CONV_1D: LayerSpec = LayerSpec {
    keyword: "conv1d",
    keras_class: "Conv1D",
    saving_name: "conv1d",
    runtime_type: "Conv1d",
    role: Role::Convolution,
    arguments: &[
        "filters",
        "kernel_size",
        "strides",
        "padding",
        "dilation_rate",
        "groups",
        "activation",
        "use_bias",
    ],
    default_activation: Some("linear"),
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// A 1-D pooling layer of Keras, `(pool_size=2, strides=None, padding="valid")`, or one
/// that pads, crops or repeats timesteps: no weights, no activation, every argument
/// optional.
macro_rules! pooling {
    ($name:ident, $keyword:literal, $class:literal, $runtime:literal, $role:ident, $args:expr) => {
        #[doc = concat!("Keras `", $class, "`.")]
        pub const $name: LayerSpec = LayerSpec {
            keyword: $keyword,
            keras_class: $class,
            saving_name: $keyword,
            runtime_type: $runtime,
            role: Role::$role,
            arguments: $args,
            default_activation: None,
            default_recurrent_activation: None,
            default_reset_after: None,
            first_argument_required: false,
        };
    };
}

const WINDOW: &[&str] = &["pool_size", "strides", "padding"];
pooling!(
    MAX_POOLING_1D,
    "max_pooling1d",
    "MaxPooling1D",
    "MaxPooling1d",
    Pooling,
    WINDOW
);
pooling!(
    AVERAGE_POOLING_1D,
    "average_pooling1d",
    "AveragePooling1D",
    "AveragePooling1d",
    Pooling,
    WINDOW
);
pooling!(
    GLOBAL_MAX_POOLING_1D,
    "global_max_pooling1d",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling1d",
    GlobalPooling,
    &[]
);
pooling!(
    GLOBAL_AVERAGE_POOLING_1D,
    "global_average_pooling1d",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling1d",
    GlobalPooling,
    &[]
);

pooling!(
    ZERO_PADDING_1D,
    "zero_padding1d",
    "ZeroPadding1D",
    "ZeroPadding1d",
    Resample,
    &["padding"]
);
pooling!(
    CROPPING_1D,
    "cropping1d",
    "Cropping1D",
    "Cropping1d",
    Resample,
    &["cropping"]
);
pooling!(
    UP_SAMPLING_1D,
    "up_sampling1d",
    "UpSampling1D",
    "UpSampling1d",
    Resample,
    &["size"]
);

/// Keras `RepeatVector(n)`: one vector, `n` times, as a sequence.
pub const REPEAT_VECTOR: LayerSpec = LayerSpec {
    keyword: "repeat_vector",
    keras_class: "RepeatVector",
    saving_name: "repeat_vector",
    runtime_type: "RepeatVector",
    role: Role::Repeat,
    arguments: &["n"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// Keras `Flatten()`: a sequence of a fixed length as one vector (a vector unchanged).
pub const FLATTEN: LayerSpec = LayerSpec {
    keyword: "flatten",
    keras_class: "Flatten",
    saving_name: "flatten",
    runtime_type: "Flatten",
    role: Role::Flatten,
    arguments: &[],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: false,
};

/// Keras `Reshape(target_shape)`: `(timesteps, features)` or `(features,)`, one entry
/// may be `-1`; the values keep their order.
pub const RESHAPE: LayerSpec = LayerSpec {
    keyword: "reshape",
    keras_class: "Reshape",
    saving_name: "reshape",
    runtime_type: "Reshape",
    role: Role::Reshape,
    arguments: &["target_shape"],
    default_activation: None,
    default_recurrent_activation: None,
    default_reset_after: None,
    first_argument_required: true,
};

/// The numeric arguments of the activation layers and Keras's defaults (`None`: Keras's
/// `None`, no limit): `(keyword, argument, default, least value)`.
pub const NUMBER_ARGUMENTS: [(&str, &str, Option<f32>, Option<f32>); 8] = [
    ("relu", "max_value", None, Some(0.0)),
    ("relu", "negative_slope", Some(0.0), Some(0.0)),
    ("relu", "threshold", Some(0.0), Some(0.0)),
    ("leaky_relu", "negative_slope", Some(0.3), Some(0.0)),
    ("elu", "alpha", Some(1.0), None),
    ("layer_normalization", "epsilon", Some(0.001), Some(0.0)),
    ("batch_normalization", "epsilon", Some(0.001), Some(0.0)),
    ("masking", "mask_value", Some(0.0), None),
];

/// The numeric argument `name` of the layer `keyword`: Keras's default and least value.
#[must_use]
pub fn number_argument(keyword: &str, name: &str) -> Option<(Option<f32>, Option<f32>)> {
    NUMBER_ARGUMENTS
        .iter()
        .find(|(k, n, _, _)| *k == keyword && *n == name)
        .map(|(_, _, default, least)| (*default, *least))
}

/// Every layer kind, in the order `model!`'s messages list them.
pub const LAYERS: [&LayerSpec; 33] = [
    &SIMPLE_RNN,
    &LSTM,
    &GRU,
    &BIDIRECTIONAL,
    &DENSE,
    &DROPOUT,
    &SPATIAL_DROPOUT_1D,
    &GAUSSIAN_NOISE,
    &GAUSSIAN_DROPOUT,
    &ALPHA_DROPOUT,
    &ACTIVATION,
    &SOFTMAX,
    &RELU,
    &LEAKY_RELU,
    &ELU,
    &TIME_DISTRIBUTED,
    &LAYER_NORMALIZATION,
    &BATCH_NORMALIZATION,
    &NORMALIZATION,
    &EMBEDDING,
    &MASKING,
    &PRELU,
    &REPEAT_VECTOR,
    &FLATTEN,
    &RESHAPE,
    &CONV_1D,
    &MAX_POOLING_1D,
    &AVERAGE_POOLING_1D,
    &GLOBAL_MAX_POOLING_1D,
    &GLOBAL_AVERAGE_POOLING_1D,
    &ZERO_PADDING_1D,
    &CROPPING_1D,
    &UP_SAMPLING_1D,
];

/// The layer whose `model!` keyword is `keyword`.
#[must_use]
pub fn layer_by_keyword(keyword: &str) -> Option<&'static LayerSpec> {
    LAYERS.iter().copied().find(|l| l.keyword == keyword)
}

/// The layer of Keras class `class`.
#[must_use]
pub fn layer_by_class(class: &str) -> Option<&'static LayerSpec> {
    LAYERS.iter().copied().find(|l| l.keras_class == class)
}
