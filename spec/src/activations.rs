//! The activations Keras 3 accepts by name (with its aliases), and `Bidirectional`'s merge
//! modes: what `model!` accepts, the runtime type of each, and what the file readers check.

/// An activation Keras 3 accepts by name.
#[derive(Debug, PartialEq, Eq)]
pub struct ActivationSpec {
    /// Keras's name (`relu`).
    pub name: &'static str,
    /// The type in `tinyrnn::__private::activations`.
    pub runtime_type: &'static str,
}

macro_rules! activations {
    ($($name:literal => $ty:literal),* $(,)?) => {
        /// Every activation Keras 3 accepts by name for these layers.
        pub const ACTIVATIONS: [ActivationSpec; 19] = [
            $(ActivationSpec { name: $name, runtime_type: $ty }),*
        ];
    };
}

activations! {
    "linear" => "Linear",
    "relu" => "Relu",
    "relu6" => "Relu6",
    "leaky_relu" => "LeakyRelu",
    "elu" => "Elu",
    "selu" => "Selu",
    "gelu" => "Gelu",
    "sigmoid" => "Sigmoid",
    "hard_sigmoid" => "HardSigmoid",
    "tanh" => "Tanh",
    "hard_tanh" => "HardTanh",
    "softplus" => "Softplus",
    "softsign" => "Softsign",
    "silu" => "Silu",
    "hard_silu" => "HardSilu",
    "mish" => "Mish",
    "exponential" => "Exponential",
    "softmax" => "Softmax",
    "log_softmax" => "LogSoftmax",
}

/// Keras's other names for the same activations: `(alias, name)`.
pub const ACTIVATION_ALIASES: [(&str, &str); 2] = [("swish", "silu"), ("hard_swish", "hard_silu")];

/// The activation called `name` by Keras, aliases included.
///
/// ```
/// assert_eq!(tinyrnn_spec::activation("swish").unwrap().name, "silu");
/// assert!(tinyrnn_spec::activation("tanhh").is_none());
/// ```
#[must_use]
pub fn activation(name: &str) -> Option<&'static ActivationSpec> {
    let name = ACTIVATION_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name, |(_, canonical)| canonical);
    ACTIVATIONS.iter().find(|a| a.name == name)
}

/// How `Bidirectional` merges its two directions.
#[derive(Debug, PartialEq, Eq)]
pub struct MergeModeSpec {
    /// Keras's name (`concat`).
    pub name: &'static str,
    /// The type in `tinyrnn::__private::layers`.
    pub runtime_type: &'static str,
    /// The output width as a multiple of the wrapped layer's units.
    pub factor: usize,
}

/// Keras's merge modes; `concat` is the default.
pub const MERGE_MODES: [MergeModeSpec; 4] = [
    MergeModeSpec {
        name: "concat",
        runtime_type: "Concat",
        factor: 2,
    },
    MergeModeSpec {
        name: "sum",
        runtime_type: "Sum",
        factor: 1,
    },
    MergeModeSpec {
        name: "mul",
        runtime_type: "Mul",
        factor: 1,
    },
    MergeModeSpec {
        name: "ave",
        runtime_type: "Ave",
        factor: 1,
    },
];

/// Other names for the merge modes (Keras's `Concatenate`, `Average`, ... layers, numpy's
/// `mean`), which Keras does not accept: suggested in messages, never accepted.
pub const MERGE_MODE_ALIASES: [(&str, &str); 8] = [
    ("concatenate", "concat"),
    ("add", "sum"),
    ("multiply", "mul"),
    ("product", "mul"),
    ("prod", "mul"),
    ("average", "ave"),
    ("avg", "ave"),
    ("mean", "ave"),
];

/// The merge mode Keras calls `name`.
#[must_use]
pub fn merge_mode(name: &str) -> Option<&'static MergeModeSpec> {
    MERGE_MODES.iter().find(|m| m.name == name)
}
