//! The layer kinds `model!` knows, each read from its `tinyrnn_spec` entry, and the
//! parameter count and formula (with numbers) that messages print.

use tinyrnn_spec::{ACTIVATIONS, ActivationSpec as Activation, LayerSpec};

/// A layer kind `model!` knows: a handle on its `tinyrnn_spec` entry. Every entry of
/// `tinyrnn_spec::LAYERS` is a kind, so a new layer needs nothing here; the consts name the
/// kinds that the checker and the expansion treat apart.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Kind(&'static LayerSpec);

#[allow(
    non_upper_case_globals,
    reason = "the kinds read as the layers they are (`Kind::Lstm`), as the enum they replace did"
)]
impl Kind {
    pub const SimpleRnn: Kind = Kind(&tinyrnn_spec::SIMPLE_RNN);
    pub const Lstm: Kind = Kind(&tinyrnn_spec::LSTM);
    pub const Gru: Kind = Kind(&tinyrnn_spec::GRU);
    pub const Bidirectional: Kind = Kind(&tinyrnn_spec::BIDIRECTIONAL);
    pub const Dense: Kind = Kind(&tinyrnn_spec::DENSE);
    pub const SpatialDropout1d: Kind = Kind(&tinyrnn_spec::SPATIAL_DROPOUT_1D);
    pub const TimeDistributed: Kind = Kind(&tinyrnn_spec::TIME_DISTRIBUTED);
    pub const Normalization: Kind = Kind(&tinyrnn_spec::NORMALIZATION);
    pub const Embedding: Kind = Kind(&tinyrnn_spec::EMBEDDING);
    pub const Masking: Kind = Kind(&tinyrnn_spec::MASKING);
    pub const RepeatVector: Kind = Kind(&tinyrnn_spec::REPEAT_VECTOR);
    pub const Flatten: Kind = Kind(&tinyrnn_spec::FLATTEN);
    pub const PRelu: Kind = Kind(&tinyrnn_spec::PRELU);
    pub const Reshape: Kind = Kind(&tinyrnn_spec::RESHAPE);
    pub const Conv1d: Kind = Kind(&tinyrnn_spec::CONV_1D);
    pub const ZeroPadding1d: Kind = Kind(&tinyrnn_spec::ZERO_PADDING_1D);
    pub const Cropping1d: Kind = Kind(&tinyrnn_spec::CROPPING_1D);
    pub const UpSampling1d: Kind = Kind(&tinyrnn_spec::UP_SAMPLING_1D);
}

/// Every kind, in `tinyrnn_spec::LAYERS`'s order (the order messages list them).
pub(super) fn kinds() -> impl Iterator<Item = Kind> {
    tinyrnn_spec::LAYERS.into_iter().map(Kind)
}

impl Kind {
    /// What this kind is: its `tinyrnn_spec` entry.
    pub fn spec(self) -> &'static LayerSpec {
        self.0
    }

    /// The `model!` keyword, which is also Keras's layer name prefix.
    pub fn keyword(self) -> &'static str {
        self.spec().keyword
    }

    /// The Keras class name, accepted in messages' suggestions.
    pub fn keras_class(self) -> &'static str {
        self.spec().keras_class
    }

    /// The runtime type in `tinyrnn::__private::layers`: the layer itself, or for the
    /// training-only layers the `PassthroughKind` marker.
    pub fn runtime_type(self) -> &'static str {
        self.spec().runtime_type
    }

    /// Layers that read a sequence and carry state across timesteps.
    pub fn is_recurrent(self) -> bool {
        self.spec().is_recurrent()
    }

    /// The layers that make a new sequence from windows of the one before: `conv1d` and
    /// the pooling layers (not the global ones), and those that pad, crop or repeat
    /// timesteps ([`Kind::resamples`]).
    pub fn slides_window(self) -> bool {
        matches!(
            self.spec().role,
            tinyrnn_spec::Role::Convolution
                | tinyrnn_spec::Role::Pooling
                | tinyrnn_spec::Role::Resample
        )
    }

    /// `zero_padding1d`, `cropping1d`, `up_sampling1d`: another number of timesteps of the
    /// same vectors.
    pub fn resamples(self) -> bool {
        self.spec().role == tinyrnn_spec::Role::Resample
    }

    /// The global pooling layers: a sequence to one vector.
    pub fn pools_globally(self) -> bool {
        self.spec().role == tinyrnn_spec::Role::GlobalPooling
    }

    /// Layers that normalize each vector (`layer_normalization`, `batch_normalization`,
    /// `normalization`).
    pub fn is_normalization(self) -> bool {
        matches!(self.spec().role, tinyrnn_spec::Role::Normalization(_))
    }

    /// Layers that act only in training: identity at inference, no weights.
    pub fn is_passthrough(self) -> bool {
        self.spec().is_passthrough()
    }

    /// Layers that map each vector to one of the same width, without weights.
    pub fn keeps_width(self) -> bool {
        self.spec().keeps_width()
    }

    /// Layers that apply an activation to each vector (`activation`, `softmax`).
    pub fn is_elementwise(self) -> bool {
        self.spec().role == tinyrnn_spec::Role::Elementwise
    }

    /// The argument that may be given by position, first.
    pub(super) fn first_argument(self) -> &'static str {
        self.spec().first_argument()
    }

    pub(super) fn arguments(self) -> &'static [&'static str] {
        self.spec().arguments
    }

    pub(super) fn default_activation(self) -> &'static Activation {
        activation_named(self.spec().default_activation.unwrap_or("linear"))
    }
}

/// Keras's parameter count of one layer on `d` inputs and its formula with numbers
/// (`2*(3+2)+2`); `None` when the count overflows `usize`, and for `Bidirectional`, whose
/// count is its wrapped layer's.
pub(super) fn kind_params(
    kind: Kind,
    d: usize,
    u: usize,
    bias: bool,
    reset_after: bool,
) -> Option<(usize, String)> {
    let spec = kind.spec();
    if spec.role == tinyrnn_spec::Role::Wrapper {
        return None;
    }
    let n = spec.params(d, u, bias, reset_after)?;
    let mut formula = String::new();
    spec.write_formula(&mut formula, d, u, bias, reset_after)
        .ok()?;
    Some((n, formula))
}

/// The activation named `name` (a known name).
pub(super) fn activation_named(name: &str) -> &'static Activation {
    tinyrnn_spec::activation(name).unwrap_or(&ACTIVATIONS[0])
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn every_spec_entry_is_a_kind() {
        let keywords: Vec<&str> = kinds().map(Kind::keyword).collect();
        let spec: Vec<&str> = tinyrnn_spec::LAYERS.iter().map(|l| l.keyword).collect();
        assert_eq!(keywords, spec);
        assert_eq!(Kind::Bidirectional.keras_class(), "Bidirectional");
    }

    #[test]
    fn keras_parameter_formulas() {
        let count = |kind, d, u, bias| kind_params(kind, d, u, bias, true).map(|p| p.0);
        let formula =
            |kind, d, u, bias, reset_after| kind_params(kind, d, u, bias, reset_after).map(|p| p.1);
        // The founding question's counts: SimpleRNN(1..4) on 3 features, Dense(1) after it.
        for (h, want) in [(1, 5), (2, 12), (3, 21), (4, 32)] {
            assert_eq!(count(Kind::SimpleRnn, 3, h, true), Some(want));
            assert_eq!(count(Kind::Dense, h, 1, true), Some(h + 1));
        }
        assert_eq!(
            formula(Kind::SimpleRnn, 3, 2, true, true).as_deref(),
            Some("2*(3+2)+2")
        );
        assert_eq!(
            formula(Kind::Dense, 2, 1, true, true).as_deref(),
            Some("2*1+1")
        );
        assert_eq!(
            formula(Kind::Dense, 2, 1, false, true).as_deref(),
            Some("2*1")
        );
        // LSTM 4*(h*(d+h)+h); GRU 3*h*(d+h)+6*h with reset_after, 3*(h*(d+h)+h) without.
        assert_eq!(count(Kind::Lstm, 3, 4, true), Some(4 * (4 * 7 + 4)));
        assert_eq!(count(Kind::Gru, 3, 4, true), Some(3 * 4 * 7 + 6 * 4));
        assert_eq!(
            kind_params(Kind::Gru, 3, 4, true, false).map(|p| p.0),
            Some(3 * (4 * 7 + 4))
        );
        assert_eq!(
            formula(Kind::Gru, 3, 4, true, true).as_deref(),
            Some("3*4*(3+4)+6*4")
        );
        assert_eq!(count(Kind(&tinyrnn_spec::DROPOUT), 3, 3, true), Some(0));
    }

    #[test]
    fn parameter_counts_that_overflow_are_none() {
        assert_eq!(
            kind_params(Kind::SimpleRnn, 3, usize::MAX / 2, true, true),
            None
        );
        assert_eq!(kind_params(Kind::Dense, usize::MAX, 2, false, true), None);
        assert_eq!(kind_params(Kind::Lstm, 1, 1 << 31, true, true), None);
    }
}
