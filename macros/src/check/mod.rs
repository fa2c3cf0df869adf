//! Phase 2: validate the syntax tree and infer every layer's shapes.
//!
//! Every mistake is collected (not just the first), each spanned on the tokens to fix and
//! worded rustc-style: what was expected, what was found, and the fix. Checks that depend
//! on something already reported wrong stay quiet, so that each mistake gives one error.
//! The result is a [`Model`] whose layers know their input width, units and whether they
//! see a sequence, plus the plan `forward` follows (stages of timesteps, then the layers
//! after the last recurrent output).
//!
//! This file reads the statements into a model (`check`) and holds the types the phases
//! share; `args.rs` checks one call's arguments, `flow.rs` follows the data through the
//! layers and plans `forward`, `kind.rs` ties each layer kind to its `tinyrnn_spec` entry,
//! and `diagnostics.rs` words the messages.

mod args;
mod diagnostics;
pub(crate) mod flow;
mod kind;
mod values;

use args::{check_call, check_input};
use diagnostics::{call_text, is_shape_argument, suggest};
use flow::{build, count_params, flow_after_sequence, needs_sequence};
pub use kind::Kind;
use kind::kind_params;

use crate::ast::{Arg, Dim, InputStmt, ModelInput, Stmt, error_range};
use proc_macro2::Span;
use std::ops::Range;
use syn::{Attribute, Ident, LitInt, LitStr, Visibility};
pub use tinyrnn_spec::{ActivationSpec as Activation, MergeModeSpec as MergeMode};

/// A checked model, ready to generate.
#[derive(Clone)]
pub struct Model {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// `None` for `input [_, F]`.
    pub timesteps: Option<usize>,
    /// 1 for a model that reads token ids (`tokens`).
    pub features: usize,
    /// `input [T]`: the model reads one token id per timestep (its first layer is
    /// `embedding`).
    pub tokens: bool,
    pub layers: Vec<Layer>,
    /// The runs of layers over one sequence each: the input's, then each
    /// `repeat_vector`'s (which is in no section: it makes the next one's sequence).
    pub sections: Vec<Section>,
    /// The count derived from Keras's formulas, checked against the runtime's at compile time.
    pub params: usize,
    /// `weights = "path"`: a Keras file to embed, relative to the crate's manifest.
    pub weights: Option<LitStr>,
}

/// Layers over one sequence: stages of timesteps, then the layers that see one vector.
#[derive(Clone)]
pub struct Section {
    /// The sequence's timesteps (`None`: any, the input's `_`).
    pub timesteps: Option<usize>,
    /// The `repeat_vector` that makes the sequence, `None` for the input.
    pub source: Option<usize>,
    /// Runs of layers evaluated timestep by timestep; a new stage starts where a layer
    /// must read the previous one's whole output backwards.
    pub stages: Vec<Stage>,
    /// The layers after the sequence (they see one vector, the first may be the `flatten`
    /// of the whole sequence), empty when the section's output is the model's sequence.
    pub tail: Range<usize>,
}

#[derive(Clone)]
pub struct Stage {
    pub layers: Range<usize>,
    /// Whether the stage reads its input from the last timestep to the first.
    pub reversed: bool,
    /// Whether the stage starts with a `bidirectional` layer, which reads its whole
    /// source backwards before the forward pass.
    pub bidirectional: bool,
}

impl Model {
    pub fn output_units(&self) -> usize {
        self.layers.last().map_or(self.features, |l| l.units)
    }

    pub fn returns_sequences(&self) -> bool {
        self.layers.last().is_none_or(|l| l.seq_out)
    }

    /// Whether `step` can run the model one timestep at a time.
    pub fn streamable(&self) -> bool {
        self.why_not_streamable().is_none()
    }

    /// Whether `step` runs the model one timestep at a time but returns an output only when
    /// a window completes: every layer streams, and some are convolutions or poolings slid
    /// along a sequence of any length whose windows all end within the sequence (not
    /// `same`, which pads past its end; not a global pooling, which ends with it).
    pub fn steps_per_window(&self) -> bool {
        self.layers.iter().any(|l| l.gated) && self.why_not_streamable_but(true).is_none()
    }

    /// The layer that keeps `step` from running the model one timestep at a time, and why.
    pub fn why_not_streamable(&self) -> Option<String> {
        self.why_not_streamable_but(false)
    }

    /// [`Self::why_not_streamable`], with the windows of [`Self::steps_per_window`]
    /// allowed when `windows` is set.
    fn why_not_streamable_but(&self, windows: bool) -> Option<String> {
        self.layers.iter().find_map(|l| {
            if windows
                && l.gated
                && !l.kind.pools_globally()
                && l.window.is_some_and(|w| w.padding != Padding::Same)
            {
                return None;
            }
            let why = match l.kind {
                Kind::Bidirectional => "reads the whole sequence backwards before its first output",
                _ if l.go_backwards => {
                    "(`go_backwards = true`) reads the whole sequence backwards before its first output"
                }
                Kind::RepeatVector => "makes a sequence of its own from the input's last output",
                Kind::Flatten | Kind::Reshape if l.flatten_len > 1 => {
                    "reads the whole sequence at once"
                }
                _ if l.gated && l.kind.pools_globally() => {
                    "gives one vector after the whole sequence"
                }
                _ if l.gated => {
                    "pads past the sequence's end (`same`), so its last windows wait for the end (`forward` runs it over a sequence of any length)"
                }
                k if (k.slides_window() && !l.streams) || k.pools_globally() => {
                    "reads the whole sequence at once"
                }
                Kind::Reshape if l.seq_out => {
                    "makes a sequence of its own from the input's last output"
                }
                _ => return None,
            };
            Some(format!("layer `{}` {why}", l.field))
        })
    }

    /// The timesteps of the sequence `forward` returns (`None`: as many as the input's).
    pub fn output_timesteps(&self) -> Option<usize> {
        self.sections.last().and_then(|s| s.timesteps)
    }
}

#[derive(Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "one field per Keras boolean option, as Keras names them"
)]
pub struct Layer {
    pub kind: Kind,
    /// The Keras-style name (`simple_rnn`, `simple_rnn_1`), also the struct field.
    pub field: Ident,
    /// The user's tokens, where type errors about this layer land.
    pub span: Span,
    /// The width of each input vector.
    pub input: usize,
    /// The width of each output vector (for `bidirectional`, after merging).
    pub units: usize,
    pub activation: &'static Activation,
    pub recurrent_activation: &'static Activation,
    pub use_bias: bool,
    pub reset_after: bool,
    pub go_backwards: bool,
    /// Whether the layer emits one vector per timestep.
    pub seq_out: bool,
    /// For `bidirectional` and `time_distributed`: the wrapped layer (its `units` are its
    /// own).
    pub wrapped: Option<Box<Layer>>,
    /// For `bidirectional`: how the two directions merge.
    pub merge: Option<&'static MergeMode>,
    /// The numeric arguments of an activation layer (`relu(max_value = 6)`), each given or
    /// Keras's default; Keras's `None` (no limit) is infinity.
    pub numbers: Vec<(&'static str, f32)>,
    /// `layer_normalization`'s and `batch_normalization`'s `center` (an offset `beta`).
    pub center: bool,
    /// `layer_normalization`'s and `batch_normalization`'s `scale` (a factor `gamma`).
    pub scale: bool,
    /// `normalization`'s `invert` (restore, rather than standardize).
    pub invert: bool,
    /// `embedding`'s `input_dim`: ids must be below it (0 for other layers).
    pub input_dim: usize,
    /// `embedding`'s `mask_zero`: id 0 masks its timestep.
    pub mask_zero: bool,
    /// The timesteps of the sequence the layer emits (`None`: any); for `repeat_vector`,
    /// its `n`.
    pub timesteps: Option<usize>,
    /// `prelu`'s number of alphas: the units, or 1 (shared).
    pub alpha: usize,
    /// `prelu`'s `shared_axes` as given.
    pub shared_axes: Vec<usize>,
    /// `conv1d`'s kernel or a pooling's pool (`None` for other layers).
    pub window: Option<Window>,
    /// What `zero_padding1d`, `cropping1d` or `up_sampling1d` does (`None` for other
    /// layers).
    pub resample: Option<Resample>,
    /// A causal `conv1d` of stride 1: it runs timestep by timestep, its state the
    /// timesteps its kernel still reaches back to.
    pub streams: bool,
    /// A window slid along a sequence of any length (`input [_, F]`), one timestep at a
    /// time, emitting an output when a window is complete (`streams` too): it runs in
    /// `forward`, not in `step`, unless it is a causal `conv1d` of stride 1.
    pub gated: bool,
    /// `flatten`'s input: timesteps of `input`-wide vectors (1 on a vector, which it keeps).
    pub flatten_len: usize,
}

impl Layer {
    /// Whether the layer carries state from one timestep to the next: the recurrent layers,
    /// and a causal `conv1d` of stride 1 (its receptive field).
    pub fn has_state(&self) -> bool {
        self.kind.is_recurrent() || self.streams
    }

    /// The numeric argument `name`, given or its default.
    pub fn number(&self, name: &str) -> f32 {
        self.numbers
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(f32::INFINITY, |(_, v)| *v)
    }
}

/// How a window (`conv1d`'s kernel, a pooling's pool) pads the sequence it slides along.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    Valid,
    Same,
    Causal,
}

impl Padding {
    /// As Keras's config writes it.
    pub fn name(self) -> &'static str {
        match self {
            Padding::Valid => "valid",
            Padding::Same => "same",
            Padding::Causal => "causal",
        }
    }
}

/// A window slid along a sequence: `conv1d`'s kernel or a pooling's pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub size: usize,
    pub strides: usize,
    pub dilation: usize,
    pub groups: usize,
    pub padding: Padding,
}

impl Window {
    /// The timesteps it covers: `(size - 1) * dilation + 1`.
    fn span(self) -> Option<usize> {
        self.size
            .checked_sub(1)?
            .checked_mul(self.dilation)?
            .checked_add(1)
    }

    /// How many timesteps it makes of `t`, as Keras computes them; `None` when `t` is too
    /// short for a `valid` window.
    fn outputs(self, t: usize) -> Option<usize> {
        match self.padding {
            Padding::Valid => Some((t.checked_sub(self.span()?)?) / self.strides + 1),
            Padding::Same | Padding::Causal => Some(t.div_ceil(self.strides)),
        }
    }
}

/// What a layer of [`Kind::resamples`] does to the timesteps of a sequence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resample {
    /// `zero_padding1d`: this many timesteps of zeros before, and after.
    Pad(usize, usize),
    /// `cropping1d`: this many timesteps cut off at the start, and at the end.
    Crop(usize, usize),
    /// `up_sampling1d`: each timestep this many times.
    Repeat(usize),
}

impl Resample {
    /// How many timesteps it makes of `t`; `None` when cropping leaves none (or a count
    /// overflows).
    pub fn outputs(self, t: usize) -> Option<usize> {
        match self {
            Resample::Pad(start, end) => t.checked_add(start)?.checked_add(end),
            Resample::Crop(start, end) => t
                .checked_sub(start.checked_add(end)?)
                .filter(|&left| left > 0),
            Resample::Repeat(n) => t.checked_mul(n),
        }
    }
}

/// Every error found, in source order.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, message));
    }

    /// An error on the tokens from `start` to `end`.
    fn push_range(&mut self, (start, end): (Span, Span), message: impl std::fmt::Display) {
        self.0.push(error_range(start, end, message));
    }

    pub fn into_combined(self) -> Option<syn::Error> {
        self.0.into_iter().reduce(|mut all, e| {
            all.combine(e);
            all
        })
    }
}

/// The options of one layer call, before shapes are known. `None` marks a value that was
/// wrong (already reported).
#[allow(
    clippy::struct_excessive_bools,
    reason = "one field per Keras boolean option, and how the layer runs"
)]
struct Options {
    kind: Kind,
    /// The call as written, `simple_rnn(4)`, for messages.
    call_text: String,
    /// The call with `return_sequences = true`, for the hint of a layer after it.
    returning_sequences_text: String,
    /// The name through the `)`, where errors about the whole call land.
    range: (Span, Span),
    span: Span,
    name_ident: Ident,
    /// For `bidirectional`, the wrapped layer's units.
    units: Option<usize>,
    activation: Option<&'static Activation>,
    recurrent_activation: Option<&'static Activation>,
    use_bias: Option<bool>,
    reset_after: Option<bool>,
    /// Always `Some(false)` for layers that do not take it.
    return_sequences: Option<bool>,
    /// Whether `return_sequences` was written out, for the hint's wording.
    return_sequences_given: bool,
    go_backwards: Option<bool>,
    go_backwards_range: Option<(Span, Span)>,
    /// For `bidirectional`: the wrapped layer, when it checked out, and the merge mode.
    wrapped: Option<Box<Options>>,
    merge: Option<&'static MergeMode>,
    /// Whether every argument was known, valid and given once. Otherwise a typo may hide
    /// what the user meant (`return_sequence = true`), and checks that depend on it stay
    /// quiet.
    args_ok: bool,
    /// The numeric arguments given (`None`: wrong, already reported).
    numbers: Vec<(&'static str, Option<f32>)>,
    center: Option<bool>,
    scale: Option<bool>,
    invert: Option<bool>,
    /// `embedding`'s `input_dim` (its `output_dim` is `units`).
    input_dim: Option<usize>,
    mask_zero: Option<bool>,
    /// `repeat_vector`'s `n`.
    repeat: Option<usize>,
    /// `reshape`'s `target_shape` as written (`None` for `-1`).
    target: Option<Vec<Option<usize>>>,
    /// `prelu`'s `shared_axes` (empty when none are shared; `None`: wrong, reported).
    shared_axes: Option<Vec<usize>>,
    /// `prelu`'s number of alphas, once its input is known: the units, or 1.
    alpha: Option<usize>,
    /// `conv1d`'s kernel or a pooling's pool, as given (`None`: a wrong value, reported).
    window: Option<Window>,
    /// `zero_padding1d`'s, `cropping1d`'s or `up_sampling1d`'s, as given (`None`: a wrong
    /// value, reported).
    resample: Option<Resample>,
    /// A causal `conv1d` of stride 1, which runs timestep by timestep.
    streams: bool,
    /// A window slid along a sequence of any length, emitting when a window is complete.
    gated: bool,
    /// `reshape`'s output, once its input is known: `(timesteps, width)`, `timesteps`
    /// `None` for a vector.
    reshaped: Option<(Option<usize>, usize)>,
    /// `flatten`'s input timesteps, 1 on a vector; `None` until known.
    flatten_len: Option<usize>,
}

impl Options {
    /// Whether everything the parameter count depends on is known (a wrong activation
    /// does not stop the count from being checked).
    fn known(&self) -> bool {
        if !self.args_ok {
            return false;
        }
        match self.kind {
            Kind::Bidirectional => {
                self.merge.is_some() && self.wrapped.as_ref().is_some_and(|w| w.known())
            }
            Kind::TimeDistributed => self.wrapped.as_ref().is_some_and(|w| w.known()),
            k if k.is_normalization() => {
                self.center.is_some() && self.scale.is_some() && self.invert.is_some()
            }
            Kind::Embedding => {
                self.units.is_some() && self.input_dim.is_some() && self.mask_zero.is_some()
            }
            Kind::RepeatVector => self.repeat.is_some(),
            Kind::Reshape => self.reshaped.is_some() && self.flatten_len.is_some(),
            Kind::PRelu => self.alpha.is_some(),
            k if k.resamples() => self.reshaped.is_some() && self.resample.is_some(),
            k if k.slides_window() || k.pools_globally() => {
                self.reshaped.is_some()
                    && self.window.is_some()
                    && (k != Kind::Conv1d || (self.units.is_some() && self.use_bias.is_some()))
            }
            Kind::Flatten => self.flatten_len.is_some(),
            k if k.keeps_width() => true,
            _ => self.units.is_some() && self.use_bias.is_some() && self.reset_after.is_some(),
        }
    }

    /// The width of the output on `input`-wide vectors, when known.
    fn output_width(&self, input: usize) -> Option<usize> {
        match self.kind {
            Kind::Bidirectional => self
                .wrapped
                .as_ref()?
                .units?
                .checked_mul(self.merge?.factor),
            Kind::TimeDistributed => self.wrapped.as_ref()?.output_width(input),
            k if k.keeps_width() || k.is_normalization() => Some(input),
            Kind::RepeatVector | Kind::PRelu => Some(input),
            Kind::Flatten => input.checked_mul(self.flatten_len?),
            Kind::Reshape => Some(self.reshaped?.1),
            k if k.slides_window() || k.pools_globally() => Some(self.reshaped?.1),
            _ => self.units,
        }
    }

    /// Keras's parameter count on `d` inputs and the formula with numbers, e.g.
    /// `2*(3+2)+2`; `None` when unknown or overflowing.
    fn params(&self, d: usize) -> Option<(usize, String)> {
        match self.kind {
            Kind::Bidirectional => {
                let (n, formula) = self.wrapped.as_ref()?.params(d)?;
                Some((n.checked_mul(2)?, format!("2*({formula})")))
            }
            Kind::TimeDistributed => self.wrapped.as_ref()?.params(d),
            k if k.is_normalization() => {
                let (center, scale) = (self.center?, self.scale?);
                let spec = k.spec();
                let n = spec.normalization_weights(d, center, scale).count()?;
                let mut formula = String::new();
                let symbols = spec.normalization_formula(center, scale);
                tinyrnn_spec::write_numbers(&mut formula, symbols, d, d).ok()?;
                Some((n, formula))
            }
            k if k.keeps_width() => Some((0, "0".to_owned())),
            Kind::RepeatVector | Kind::Flatten | Kind::Reshape => Some((0, "0".to_owned())),
            Kind::PRelu => {
                let a = self.alpha?;
                Some((a, a.to_string()))
            }
            Kind::Conv1d => {
                let (window, filters, bias) = (self.window?, self.units?, self.use_bias?);
                let count = self
                    .kind
                    .spec()
                    .conv_weights(window.size, d, window.groups, filters, bias)?
                    .count()?;
                let per_group = if window.groups == 1 {
                    d.to_string()
                } else {
                    format!("({d}/{})", window.groups)
                };
                let plus_bias = if bias {
                    format!("+{filters}")
                } else {
                    String::new()
                };
                Some((
                    count,
                    format!("{}*{per_group}*{filters}{plus_bias}", window.size),
                ))
            }
            k if k.slides_window() || k.pools_globally() => Some((0, "0".to_owned())),
            // The ids are the embedding's inputs: `d` is `input_dim`.
            Kind::Embedding => {
                kind_params(Kind::Embedding, self.input_dim?, self.units?, true, true)
            }
            kind => kind_params(
                kind,
                d,
                self.units?,
                self.use_bias?,
                self.reset_after.unwrap_or(true),
            ),
        }
    }

    /// Whether the layer returns sequences, when known for sure.
    fn returns_sequences(&self) -> Option<bool> {
        if !self.args_ok {
            return None;
        }
        match self.kind {
            Kind::Bidirectional => self.wrapped.as_ref()?.returns_sequences(),
            _ => self.return_sequences,
        }
    }
}

/// What checking found: the model when it is sound, every error, and the header for the
/// stub struct emitted after errors.
pub struct Checked {
    pub model: Option<Model>,
    pub errors: Errors,
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
}

/// `input [T, F]` once checked.
struct Input<'a> {
    stmt: &'a InputStmt,
    timesteps: Option<usize>,
    features: Option<usize>,
}

impl Input<'_> {
    /// `input [T]`: one token id per timestep.
    fn tokens(&self) -> bool {
        self.stmt.dims.len() == 1
    }

    fn any_timesteps(&self) -> bool {
        matches!(self.stmt.dims.first(), Some(Dim::Any(_)))
    }

    fn range(&self) -> (Span, Span) {
        (self.stmt.keyword.span(), self.stmt.span)
    }
}

/// Why a `bidirectional` layer must buffer a sequence.
#[derive(Clone, Copy)]
enum BufferReason {
    /// It comes after other layers, whose output it reads twice.
    After,
    /// It returns sequences, so its backward outputs wait for the forward pass.
    Sequences,
}

/// What the next layer receives.
#[derive(Clone, Copy)]
enum Flow {
    Sequence,
    /// One vector, the last timestep of the recurrent layer at this index.
    Vector(usize),
    /// One vector, made by the `flatten` at this index.
    Flat(usize),
    /// Not known after an earlier mistake; checks that depend on it stay quiet.
    Unknown,
}

/// `repeat_vector` and `flatten`: what they read, and what flows after them.
#[allow(
    clippy::option_option,
    reason = "the timesteps now: not known yet (no input), any (`_`), or a number"
)]
#[allow(
    clippy::too_many_arguments,
    reason = "the flow so far, as the loop tracks it"
)]
fn reshape_flow(
    o: &mut Options,
    flow: &mut Flow,
    timesteps_now: &mut Option<Option<usize>>,
    width_now: Option<usize>,
    index: usize,
    layers: &[Option<Options>],
    input: Option<&Input>,
    errs: &mut Errors,
) {
    match (o.kind, *flow) {
        (Kind::RepeatVector, Flow::Sequence) => {
            let before = index
                .checked_sub(1)
                .and_then(|i| layers.get(i))
                .and_then(Option::as_ref)
                .map_or_else(
                    || "the input".to_owned(),
                    |p| format!("`{}` before it", p.call_text),
                );
            errs.push_range(
                o.range,
                format!(
                    "`{}` repeats one vector, but {before} gives a sequence; put it after a layer that returns one vector (a recurrent layer without `return_sequences`, or `flatten()`)",
                    o.call_text
                ),
            );
            o.args_ok = false;
        }
        (Kind::RepeatVector, _) => {
            *timesteps_now = Some(o.repeat);
            *flow = Flow::Sequence;
        }
        (Kind::Flatten, Flow::Sequence) => match *timesteps_now {
            Some(Some(t)) => {
                o.flatten_len = Some(t);
                *flow = Flow::Flat(index);
            }
            Some(None) => {
                errs.push_range(
                    o.range,
                    format!(
                        "`{}` makes one vector of every timestep, which needs a fixed number of timesteps{}",
                        o.call_text,
                        give_timesteps(input)
                    ),
                );
                o.args_ok = false;
            }
            None => o.args_ok = false,
        },
        (Kind::Flatten, _) => o.flatten_len = Some(1),
        (Kind::Reshape, _) => reshape(o, flow, timesteps_now, width_now, index, input, errs),
        (k, _) if k.slides_window() || k.pools_globally() => {
            slide(o, flow, timesteps_now, width_now, index, input, errs);
        }
        (Kind::PRelu, flow_now) => {
            let (Some(axes), Some(width)) = (o.shared_axes.clone(), width_now) else {
                o.args_ok = false;
                return;
            };
            let sequence = matches!(flow_now, Flow::Sequence);
            if matches!(flow_now, Flow::Unknown) {
                o.args_ok = false;
            } else if sequence && !axes.contains(&1) {
                errs.push_range(
                    o.range,
                    format!(
                        "`{}` on a sequence has, in Keras, an `alpha` for each timestep (its shape `(timesteps, ...)`), which tinyrnn does not support; share it over time: `prelu(shared_axes = [1])`",
                        o.call_text
                    ),
                );
                o.args_ok = false;
            } else if !sequence && axes.contains(&2) {
                errs.push_range(
                    o.range,
                    format!(
                        "`{}` reads a vector, whose only axis is 1 (its units); use `shared_axes = [1]` for one alpha for all",
                        o.call_text
                    ),
                );
                o.args_ok = false;
            } else {
                let shared_units = axes.contains(&if sequence { 2 } else { 1 });
                o.alpha = Some(if shared_units { 1 } else { width });
            }
        }
        _ => {}
    }
}

/// `, but the input is `input [_, 3]`; give the number of timesteps, ...`: the end of
/// the messages of layers that need a fixed number of timesteps.
fn give_timesteps(input: Option<&Input>) -> String {
    input.map_or_else(String::new, |i| {
        format!(
            ", but the input is `{}`; give the number of timesteps, e.g. `input [50, {}]`",
            i.stmt.text(),
            i.stmt.dims.get(1).map_or("3".to_owned(), Dim::text)
        )
    })
}

/// `conv1d`, the pooling layers and the global ones: a whole sequence of a fixed length in
/// (this version reads it whole), a sequence of as many timesteps as the window makes, or
/// one vector, out.
#[allow(
    clippy::option_option,
    reason = "the timesteps now: not known yet (no input), any (`_`), or a number"
)]
fn slide(
    o: &mut Options,
    flow: &mut Flow,
    timesteps_now: &mut Option<Option<usize>>,
    width_now: Option<usize>,
    index: usize,
    input: Option<&Input>,
    errs: &mut Errors,
) {
    // A causal convolution of stride 1 runs timestep by timestep: any length, no new
    // section.
    if o.kind == Kind::Conv1d
        && matches!(*flow, Flow::Sequence)
        && o.window
            .is_some_and(|w| w.padding == Padding::Causal && w.strides == 1)
    {
        let (Some(width), Some(window), Some(units)) = (width_now, o.window, o.units) else {
            o.args_ok = false;
            return;
        };
        if !groups_divide(o, units, width, window, errs) {
            return;
        }
        o.streams = true;
        o.flatten_len = Some(1);
        o.reshaped = Some((None, units));
        return;
    }
    let t = match (*flow, *timesteps_now) {
        (Flow::Sequence, Some(Some(t))) => t,
        // Any length: a convolution or a pooling slides its window one timestep at a
        // time (in `forward`), and a global pooling keeps a running maximum or sum.
        (Flow::Sequence, Some(None)) if !o.kind.resamples() => {
            slide_any_length(o, flow, width_now, index, errs);
            return;
        }
        (Flow::Sequence, Some(None)) => {
            errs.push_range(
                o.range,
                format!(
                    "`{}` reads the whole sequence, which needs a fixed number of timesteps{}",
                    o.call_text,
                    give_timesteps(input)
                ),
            );
            o.args_ok = false;
            *flow = Flow::Unknown;
            return;
        }
        (Flow::Vector(_) | Flow::Flat(_), _) => {
            errs.push_range(
                o.range,
                format!(
                    "`{}` reads a sequence, but gets one vector; put it before the layer that returns one vector",
                    o.call_text
                ),
            );
            o.args_ok = false;
            *flow = Flow::Unknown;
            return;
        }
        _ => {
            o.args_ok = false;
            return;
        }
    };
    o.flatten_len = Some(t);
    if o.kind.resamples() {
        let (Some(width), Some(resample)) = (width_now, o.resample) else {
            o.args_ok = false;
            return;
        };
        let Some(out) = resample.outputs(t) else {
            errs.push_range(
                o.range,
                format!(
                    "`{}` cuts off every timestep of the {t} it gets; crop fewer, or give more timesteps",
                    o.call_text
                ),
            );
            o.args_ok = false;
            *flow = Flow::Unknown;
            return;
        };
        o.reshaped = Some((Some(out), width));
        *timesteps_now = Some(Some(out));
        return;
    }
    let (Some(width), Some(window)) = (width_now, o.window) else {
        o.args_ok = false;
        return;
    };
    if o.kind.pools_globally() {
        o.reshaped = Some((None, width));
        *flow = Flow::Flat(index);
        return;
    }
    let units = if o.kind == Kind::Conv1d {
        if let Some(units) = o.units
            && !groups_divide(o, units, width, window, errs)
        {
            return;
        }
        o.units
    } else {
        Some(width)
    };
    let Some(out) = window.outputs(t) else {
        errs.push_range(
            o.range,
            format!(
                "`{}` needs at least {} timesteps with `padding = valid`, but gets {t}; pad with `padding = same` or give more timesteps",
                o.call_text,
                window.span().unwrap_or(usize::MAX)
            ),
        );
        o.args_ok = false;
        *flow = Flow::Unknown;
        return;
    };
    o.reshaped = units.map(|u| (Some(out), u));
    *timesteps_now = Some(Some(out));
}

/// Whether `conv1d`'s groups divide its `width` input channels and its `units` filters;
/// if not, says so and marks the call wrong.
fn groups_divide(
    o: &mut Options,
    units: usize,
    width: usize,
    window: Window,
    errs: &mut Errors,
) -> bool {
    if units.is_multiple_of(window.groups) && width.is_multiple_of(window.groups) {
        return true;
    }
    errs.push_range(
        o.range,
        format!(
            "`{}` splits its {width} input channels and its filters into {} groups, which must divide both",
            o.call_text, window.groups
        ),
    );
    o.args_ok = false;
    false
}

/// [`slide`] on a sequence of any length: the layer streams (`gated`), its output a
/// sequence of as many timesteps as the windows make (known at run time), or one vector.
fn slide_any_length(
    o: &mut Options,
    flow: &mut Flow,
    width_now: Option<usize>,
    index: usize,
    errs: &mut Errors,
) {
    let (Some(width), Some(window)) = (width_now, o.window) else {
        o.args_ok = false;
        return;
    };
    o.flatten_len = Some(1);
    if o.kind.pools_globally() {
        (o.streams, o.gated) = (true, true);
        o.reshaped = Some((None, width));
        *flow = Flow::Flat(index);
        return;
    }
    if window.padding == Padding::Same && window.strides > 1 {
        errs.push_range(
            o.range,
            format!(
                "`{}` pads by an amount that depends on the sequence's length (`same` with strides), which needs a fixed number of timesteps; give it, or use `padding = valid` or `causal`",
                o.call_text
            ),
        );
        o.args_ok = false;
        *flow = Flow::Unknown;
        return;
    }
    let units = if o.kind == Kind::Conv1d {
        let Some(units) = o.units else {
            o.args_ok = false;
            return;
        };
        if !groups_divide(o, units, width, window, errs) {
            return;
        }
        units
    } else {
        width
    };
    (o.streams, o.gated) = (true, true);
    o.reshaped = Some((None, units));
}

/// `reshape(target_shape)`: the values it reads (a whole sequence, of a fixed length, or a
/// vector), the shape it makes of them (`-1` worked out), and what flows after it.
#[allow(
    clippy::option_option,
    reason = "the timesteps now: not known yet (no input), any (`_`), or a number"
)]
fn reshape(
    o: &mut Options,
    flow: &mut Flow,
    timesteps_now: &mut Option<Option<usize>>,
    width_now: Option<usize>,
    index: usize,
    input: Option<&Input>,
    errs: &mut Errors,
) {
    let (Some(target), Some(width)) = (o.target.clone(), width_now) else {
        o.args_ok = false;
        return;
    };
    let timesteps = match (*flow, *timesteps_now) {
        (Flow::Sequence, Some(Some(t))) => t,
        (Flow::Sequence, Some(None)) => {
            errs.push_range(
                o.range,
                format!(
                    "`{}` regroups every value of the sequence, which needs a fixed number of timesteps{}",
                    o.call_text,
                    give_timesteps(input)
                ),
            );
            o.args_ok = false;
            *flow = Flow::Unknown;
            return;
        }
        (Flow::Sequence, None) | (Flow::Unknown, _) => {
            o.args_ok = false;
            return;
        }
        _ => 1,
    };
    let sequence_in = matches!(*flow, Flow::Sequence);
    let Some(total) = timesteps.checked_mul(width) else {
        o.args_ok = false;
        return;
    };
    let known: usize = target.iter().flatten().product();
    let resolved: Vec<usize> = target
        .iter()
        .map(|d| d.unwrap_or(total.checked_div(known).unwrap_or(0)))
        .collect();
    let what = if sequence_in {
        format!("{timesteps} timesteps of {width}")
    } else {
        format!("a vector of {width}")
    };
    if resolved.iter().product::<usize>() != total || resolved.contains(&0) {
        // What flows after it is unknown: no cascade of errors about it.
        *flow = Flow::Unknown;
        errs.push_range(
            o.range,
            format!(
                "`{}` cannot hold the {total} values it reads ({what}); give a shape of {total} values, e.g. `reshape([{total}, 1])` or `reshape([{total}])`",
                o.call_text
            ),
        );
        o.args_ok = false;
        return;
    }
    o.flatten_len = Some(timesteps);
    match resolved.as_slice() {
        [t, w] => {
            o.reshaped = Some((Some(*t), *w));
            *timesteps_now = Some(Some(*t));
            *flow = Flow::Sequence;
        }
        [w] => {
            o.reshaped = Some((None, *w));
            if sequence_in {
                *flow = Flow::Flat(index);
            }
        }
        _ => o.args_ok = false,
    }
}

/// `input [T]` (token ids) goes with a first layer `embedding`, and `embedding` only there.
fn check_tokens(input: Option<&Input>, layers: &[Option<Options>], errs: &mut Errors) {
    let first = layers.first().and_then(Option::as_ref);
    for (i, o) in layers.iter().enumerate() {
        if let Some(o) = o
            && o.kind == Kind::Embedding
            && i > 0
        {
            errs.push_range(
                o.range,
                format!(
                    "`{}` reads token ids, so it must be the first layer; move it right after `input`",
                    o.call_text
                ),
            );
        }
    }
    let Some(input) = input else { return };
    let [timesteps] = input.stmt.dims.as_slice() else {
        if let Some(o) = first.filter(|o| o.kind == Kind::Embedding) {
            errs.push_range(
                input.range(),
                format!(
                    "`{}` reads one token id per timestep, but the input is `{}`; declare `input [{}]`",
                    o.call_text,
                    input.stmt.text(),
                    input.stmt.dims.first().map_or("50".to_owned(), Dim::text)
                ),
            );
        }
        return;
    };
    if first.is_some_and(|o| o.kind != Kind::Embedding) {
        errs.push_range(
            input.range(),
            format!(
                "expected `input [timesteps, features]`, found `{}`; for one feature per timestep write `input [{}, 1]` (`input [{}]` is for token ids, read by a first layer `embedding(input_dim, output_dim)`)",
                input.stmt.text(),
                timesteps.text(),
                timesteps.text()
            ),
        );
    }
}

/// Whether a layer of `kind` ends the mask before it, as Keras 3 carries masks along the
/// graph: a recurrent layer (`bidirectional` too) that returns one vector uses it up, and
/// the layers that do not support masks drop it: those that change the sequence's shape,
/// and `conv1d` and the poolings (a causal `conv1d` too: Keras 3.15 convolves the masked
/// timesteps and the layers after it see no mask). Every other layer passes it on
/// (`time_distributed` included, which Keras hands the mask across).
pub fn ends_mask(kind: Kind, returns_sequences: bool) -> bool {
    matches!(kind, Kind::Flatten | Kind::Reshape | Kind::RepeatVector)
        || kind.slides_window()
        || kind.pools_globally()
        || (kind.is_recurrent() && !returns_sequences)
}

/// Masks (`embedding(..., mask_zero = true)`, `masking()`) reach the recurrent layers
/// after them, which skip masked timesteps. Those that read backwards look the mask up by
/// timestep, from the input: it must come from the first layer.
fn check_masks(layers: &[Option<Options>], errs: &mut Errors) {
    let mut mask: Option<(usize, &Options)> = None;
    for (i, o) in layers.iter().enumerate() {
        let Some(o) = o else {
            mask = None;
            continue;
        };
        if o.kind == Kind::Masking || (o.kind == Kind::Embedding && o.mask_zero == Some(true)) {
            mask = Some((i, o));
            continue;
        }
        if o.kind.is_recurrent()
            && let Some((at, source)) = mask
            && at > 0
            && (o.kind == Kind::Bidirectional || o.go_backwards == Some(true))
        {
            errs.push_range(
                o.range,
                format!(
                    "`{}` reads its input backwards, where tinyrnn looks the mask up from the model's input: it can skip the timesteps a first `masking()` or `embedding(..., mask_zero = true)` masks, not those of `{}` after other layers",
                    o.call_text, source.call_text
                ),
            );
        }
        // Keras's `GlobalAveragePooling1D` is the one pooling that reads a mask: it averages
        // the kept timesteps only, which tinyrnn looks up from the model's input.
        if o.kind.spec() == &tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D
            && let Some((at, source)) = mask
            && at > 0
        {
            errs.push_range(
                o.range,
                format!(
                    "`{}` averages the timesteps the mask keeps, which tinyrnn looks up from the model's input: it can read the mask of a first `masking()` or `embedding(..., mask_zero = true)`, not that of `{}` after other layers",
                    o.call_text, source.call_text
                ),
            );
        }
        if ends_mask(o.kind, o.returns_sequences() == Some(true)) {
            mask = None;
        }
    }
}

/// Checks the parsed input, collecting every error.
pub fn check(input: ModelInput) -> Checked {
    let ModelInput {
        attrs,
        header,
        stmts,
    } = input;
    let mut errs = Errors::default();
    let (vis, name) = match header {
        Some(h) => (h.vis, h.name),
        None => (
            Visibility::Inherited,
            Ident::new("Model", Span::call_site()),
        ),
    };

    let mut input: Option<Input> = None;
    // An `input` statement that did not parse: not reported as missing a second time.
    let mut input_attempted = false;
    let mut params: Option<&LitInt> = None;
    let mut weights: Option<LitStr> = None;
    // One entry per layer statement, `None` for those that are unknown or did not parse.
    let mut layers: Vec<Option<Options>> = Vec::new();
    let mut seq_out: Vec<bool> = Vec::new();
    let mut first_layer: Option<((Span, Span), String)> = None;
    let mut flow = Flow::Sequence;
    // The latest recurrent layer in the current run of timestep-by-timestep layers.
    let mut stage_recurrent: Option<usize> = None;
    // The first `go_backwards` layer that must buffer the output of the one before it.
    let mut buffered: Option<(usize, usize)> = None;
    // The first `bidirectional` layer that must buffer a whole sequence, and why.
    let mut bidirectional_buffered: Option<(usize, BufferReason)> = None;
    // Whether the layers so far all passed sequences on: `forward` runs them in stages.
    let mut in_stages = true;
    // The timesteps of the sequence flowing now (`None`: any), once the input is known;
    // `repeat_vector(n)` makes it `n`.
    let mut timesteps_now: Option<Option<usize>> = None;
    // The width of what flows now, when known (for `reshape`'s shapes).
    let mut width_now: Option<usize> = None;

    for stmt in &stmts {
        match stmt {
            Stmt::Broken { keyword, error } => {
                errs.0.push(error.clone());
                match keyword {
                    Some(k) if k == "input" => input_attempted = true,
                    Some(k) if k == "params" || k == "weights" => {}
                    Some(_) => {
                        layers.push(None);
                        seq_out.push(false);
                        flow = Flow::Unknown;
                        in_stages = false;
                    }
                    None => {}
                }
            }
            Stmt::Input(i) => {
                if let Some(first) = &input {
                    errs.push_range(
                        (i.keyword.span(), i.span),
                        format!(
                            "duplicate `input`: the model already has `{}`; remove one of them",
                            first.stmt.text()
                        ),
                    );
                    continue;
                }
                if let Some((_, first_text)) = &first_layer {
                    errs.push_range(
                        (i.keyword.span(), i.span),
                        format!(
                            "`{}` must come before the layers; move it above `{first_text}`",
                            i.text()
                        ),
                    );
                }
                let (timesteps, features) = check_input(i, &mut errs);
                timesteps_now = Some(timesteps);
                width_now = features;
                input = Some(Input {
                    stmt: i,
                    timesteps,
                    features,
                });
            }
            Stmt::Params { keyword, value } => {
                if let Some(first) = params {
                    errs.push_range(
                        (keyword.span(), value.span()),
                        format!(
                            "duplicate `params`: the count is already given as `params {first}`; remove one of them"
                        ),
                    );
                } else {
                    params = Some(value);
                }
            }
            Stmt::Weights { keyword, path } => {
                if let Some(first) = &weights {
                    errs.push_range(
                        (keyword.span(), path.span()),
                        format!(
                            "duplicate `weights`: the model already reads `{}`; remove one of them",
                            LitStr::value(first)
                        ),
                    );
                } else {
                    weights = Some(path.clone());
                }
            }
            Stmt::Layer(call) => {
                let index = layers.len();
                if first_layer.is_none() {
                    first_layer = Some(((call.name.span(), call.end), call_text(call, None)));
                }
                // `inptu [50, 3]`, `simple_rnn(2, input_shape = [50, 3])`: the input is there,
                // mistyped, and reported as such.
                let misspelt = call.missing_parens.is_some()
                    && suggest(&call.name.to_string(), &["input"]).is_some();
                let keras_shape = call.args.iter().any(
                    |a| matches!(a, Arg::Named { key, .. } if is_shape_argument(&key.to_string())),
                );
                input_attempted |= misspelt || keras_shape;
                // The call's own errors come after one about the whole call, as in the source.
                let mut call_errs = Errors::default();
                let mut options = check_call(call, &mut call_errs);
                // The layers that change what flows: a vector repeated as a sequence of a
                // known length, a sequence flattened into one vector.
                if let Some(o) = options.as_mut() {
                    reshape_flow(
                        o,
                        &mut flow,
                        &mut timesteps_now,
                        width_now,
                        index,
                        &layers,
                        input.as_ref(),
                        &mut errs,
                    );
                }
                width_now = width_now.and_then(|w| options.as_ref()?.output_width(w));
                match &options {
                    None => flow = Flow::Unknown,
                    Some(o) if o.kind.is_recurrent() => {
                        match flow {
                            Flow::Vector(before) | Flow::Flat(before) => {
                                if let Some(Some(prev)) = layers.get(before) {
                                    errs.push_range(o.range, needs_sequence(o, prev));
                                }
                            }
                            Flow::Sequence if in_stages => {
                                if o.go_backwards == Some(true)
                                    && buffered.is_none()
                                    && let Some(prev) = stage_recurrent
                                {
                                    buffered = Some((prev, index));
                                }
                                if o.kind == Kind::Bidirectional && bidirectional_buffered.is_none()
                                {
                                    if index > 0 {
                                        bidirectional_buffered = Some((index, BufferReason::After));
                                    } else if o.returns_sequences() == Some(true) {
                                        bidirectional_buffered =
                                            Some((index, BufferReason::Sequences));
                                    }
                                }
                                stage_recurrent = Some(index);
                            }
                            Flow::Sequence | Flow::Unknown => {}
                        }
                        flow = match o.returns_sequences() {
                            Some(true) => flow_after_sequence(flow),
                            Some(false) => Flow::Vector(index),
                            None => Flow::Unknown,
                        };
                    }
                    Some(o)
                        if o.kind == Kind::SpatialDropout1d || o.kind == Kind::TimeDistributed =>
                    {
                        if let Flow::Vector(before) | Flow::Flat(before) = flow
                            && let Some(Some(prev)) = layers.get(before)
                        {
                            errs.push_range(o.range, needs_sequence(o, prev));
                        }
                    }
                    Some(_) => {}
                }
                errs.0.append(&mut call_errs.0);
                in_stages &= matches!(flow, Flow::Sequence);
                seq_out.push(matches!(flow, Flow::Sequence));
                layers.push(options);
            }
        }
    }

    match (&input, &first_layer) {
        (None, _) if input_attempted => {}
        (None, Some((range, text))) => errs.push_range(
            *range,
            format!(
                "missing `input [timesteps, features]` before `{text}`; declare the shape of one sample first, e.g. `input [50, 3];`"
            ),
        ),
        (None, None) if layers.is_empty() => errs.push(
            Span::call_site(),
            "empty model: expected `input [timesteps, features]` and at least one layer, e.g. `input [50, 3]; dense(1);`",
        ),
        (None, None) => errs.push(
            Span::call_site(),
            "missing `input [timesteps, features]`, e.g. `input [50, 3];` before the first layer",
        ),
        (Some(i), _) if layers.is_empty() => errs.push_range(
            i.range(),
            format!(
                "a model needs at least one layer after `{}`; add one, e.g. `dense(1);`",
                i.stmt.text()
            ),
        ),
        (Some(_), _) => {}
    }
    if input_attempted && input.is_none() && layers.is_empty() {
        errs.push(
            Span::call_site(),
            "a model needs at least one layer after `input`, e.g. `dense(1);`",
        );
    }

    if let (Some((prev, index)), Some(i)) = (buffered, &input)
        && i.any_timesteps()
        && let (Some(Some(prev)), Some(Some(o))) = (layers.get(prev), layers.get(index))
    {
        errs.push_range(
            o.go_backwards_range.unwrap_or(o.range),
            format!(
                "`go_backwards = true` after `{}` must buffer its whole output, which needs a fixed number of timesteps, but the input is `{}`; give the number of timesteps, e.g. `input [50, {}]`",
                prev.call_text,
                i.stmt.text(),
                i.stmt.dims.get(1).map_or("3".to_owned(), Dim::text)
            ),
        );
    }

    if let (Some((index, reason)), Some(i)) = (bidirectional_buffered, &input)
        && i.any_timesteps()
        && let Some(Some(o)) = layers.get(index)
    {
        let why = match reason {
            BufferReason::After => "after other layers must buffer their whole output",
            BufferReason::Sequences => "returns sequences, so it must buffer its backward outputs",
        };
        errs.push_range(
            o.range,
            format!(
                "`{}` {why}, which needs a fixed number of timesteps, but the input is `{}`; give the number of timesteps, e.g. `input [50, {}]`",
                o.call_text,
                i.stmt.text(),
                i.stmt.dims.get(1).map_or("3".to_owned(), Dim::text)
            ),
        );
    }

    check_tokens(input.as_ref(), &layers, &mut errs);
    check_masks(&layers, &mut errs);
    let features = input.as_ref().and_then(|i| i.features);
    let counts = features.and_then(|f| count_params(f, &layers, &mut errs));
    if let (Some(p), Some((total, breakdown))) = (params, &counts) {
        match p.base10_parse::<usize>() {
            Ok(n) if n == *total => {}
            Ok(n) => errs.push(
                p.span(),
                format!(
                    "parameter count mismatch: expected `params {total}`, found `params {n}` ({}, total {total})",
                    breakdown.join(", ")
                ),
            ),
            Err(e) => errs.push(p.span(), e),
        }
    }

    let model = if errs.0.is_empty() {
        build(&name, input.as_ref(), &layers, &seq_out, counts, &mut errs)
    } else {
        None
    };
    let model = model.map(|m| Model {
        attrs: attrs.clone(),
        vis: vis.clone(),
        weights,
        ..m
    });
    Checked {
        model,
        errors: errs,
        attrs,
        vis,
        name,
    }
}
