//! Phase 2: validate the syntax tree and infer every layer's shapes.
//!
//! Every mistake is collected (not just the first), each spanned on the tokens to fix and
//! worded rustc-style: what was expected, what was found, and the fix. Checks that depend
//! on something already reported wrong stay quiet, so that each mistake gives one error.
//! The result is a [`Model`] whose layers know their input width, units and whether they
//! see a sequence, plus the plan `forward` follows (stages of timesteps, then the layers
//! after the last recurrent output).

use crate::ast::{Arg, Dim, InputStmt, LayerCall, ModelInput, Stmt, Value, error_range};
use proc_macro2::Span;
use std::ops::Range;
use syn::{Attribute, Ident, LitInt, LitStr, Visibility};
use tinyrnn_spec::{ACTIVATION_ALIASES, ACTIVATIONS, LayerSpec, MERGE_MODE_ALIASES, MERGE_MODES};
pub use tinyrnn_spec::{ActivationSpec as Activation, MergeModeSpec as MergeMode};

/// A checked model, ready to generate.
pub struct Model {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    /// `None` for `input [_, F]`.
    pub timesteps: Option<usize>,
    pub features: usize,
    pub layers: Vec<Layer>,
    /// Runs of layers evaluated timestep by timestep; a new stage starts where a layer
    /// must read the previous one's whole output backwards.
    pub stages: Vec<Stage>,
    /// The layers after the last sequence (they see one vector), empty when the model
    /// returns sequences.
    pub tail: Range<usize>,
    /// The count derived from Keras's formulas, checked against the runtime's at compile time.
    pub params: usize,
    /// `weights = "path"`: a Keras file to embed, relative to the crate's manifest.
    pub weights: Option<LitStr>,
}

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
        !self
            .layers
            .iter()
            .any(|l| l.go_backwards || l.kind == Kind::Bidirectional)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SimpleRnn,
    Lstm,
    Gru,
    Bidirectional,
    Dense,
    Dropout,
    SpatialDropout1d,
    GaussianNoise,
    GaussianDropout,
    AlphaDropout,
}

const KINDS: [Kind; 10] = [
    Kind::SimpleRnn,
    Kind::Lstm,
    Kind::Gru,
    Kind::Bidirectional,
    Kind::Dense,
    Kind::Dropout,
    Kind::SpatialDropout1d,
    Kind::GaussianNoise,
    Kind::GaussianDropout,
    Kind::AlphaDropout,
];

impl Kind {
    /// What this kind is: `tinyrnn_spec`'s entry, which `KINDS` lists in the same order.
    pub fn spec(self) -> &'static LayerSpec {
        tinyrnn_spec::LAYERS[self as usize]
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

    /// Layers that act only in training: identity at inference, no weights.
    pub fn is_passthrough(self) -> bool {
        self.spec().is_passthrough()
    }

    /// The argument that may be given by position, first.
    fn first_argument(self) -> &'static str {
        self.spec().first_argument()
    }

    fn arguments(self) -> &'static [&'static str] {
        self.spec().arguments
    }

    fn default_activation(self) -> &'static Activation {
        activation_named(self.spec().default_activation.unwrap_or("linear"))
    }
}

/// Keras's parameter count of one layer on `d` inputs and its formula with numbers
/// (`2*(3+2)+2`); `None` when the count overflows `usize`, and for `Bidirectional`, whose
/// count is its wrapped layer's.
fn kind_params(
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
fn activation_named(name: &str) -> &'static Activation {
    tinyrnn_spec::activation(name).unwrap_or(&ACTIVATIONS[0])
}

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
    /// For `bidirectional`: the wrapped layer (its `units` are its own) and the merge.
    pub wrapped: Option<(Box<Layer>, &'static MergeMode)>,
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
            k if k.is_passthrough() => true,
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
            k if k.is_passthrough() => Some(input),
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
            k if k.is_passthrough() => Some((0, "0".to_owned())),
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
    /// Not known after an earlier mistake; checks that depend on it stay quiet.
    Unknown,
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
                let options = check_call(call, &mut call_errs);
                match &options {
                    None => flow = Flow::Unknown,
                    Some(o) if o.kind.is_recurrent() => {
                        match flow {
                            Flow::Vector(before) => {
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
                    Some(o) if o.kind == Kind::SpatialDropout1d => {
                        if let Flow::Vector(before) = flow
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

/// A sequence stays a sequence; otherwise the flow was not known.
fn flow_after_sequence(before: Flow) -> Flow {
    match before {
        Flow::Unknown => Flow::Unknown,
        _ => Flow::Sequence,
    }
}

/// `simple_rnn(2)` after `simple_rnn(4)`, which returns one vector.
fn needs_sequence(layer: &Options, prev: &Options) -> String {
    let fix = match &prev.wrapped {
        _ if prev.return_sequences_given => {
            format!("change it to `{}`", prev.returning_sequences_text)
        }
        Some(inner) => format!(
            "add `return_sequences = true` to the `{}` it wraps: `{}`",
            inner.call_text, prev.returning_sequences_text
        ),
        None => format!(
            "add `return_sequences = true` to it: `{}`",
            prev.returning_sequences_text
        ),
    };
    // Keras's `SpatialDropout1D` drops whole channels of a sequence; on one vector that is
    // `Dropout`, and both are the identity at inference.
    let or_dropout = match layer.call_text.strip_prefix("spatial_dropout1d(") {
        Some(args) => format!(", or use `dropout({args}` on the vector"),
        None => String::new(),
    };
    format!(
        "`{}` needs a sequence, but `{}` before it returns only its last timestep; {fix}{or_dropout}",
        layer.call_text, prev.call_text
    )
}

/// Every layer's parameter count and formula, when every size is known, with the total.
fn count_params(
    features: usize,
    layers: &[Option<Options>],
    errs: &mut Errors,
) -> Option<(usize, Vec<String>)> {
    let known: Vec<&Options> = layers
        .iter()
        .map(|o| o.as_ref().filter(|o| o.known()))
        .collect::<Option<_>>()?;
    let mut width = features;
    let mut total: usize = 0;
    let mut breakdown = Vec::new();
    for o in known {
        let counted = o.params(width).and_then(|(n, formula)| {
            Some((total.checked_add(n)?, n, formula, o.output_width(width)?))
        });
        let Some((sum, n, formula, out)) = counted else {
            errs.push_range(
                o.range,
                format!(
                    "`{}` makes the model too large: its parameter count overflows `usize`",
                    o.call_text
                ),
            );
            return None;
        };
        // `from_le_bytes` takes `4 * PARAMS` bytes, which must fit `usize` too.
        if sum.checked_mul(4).is_none() {
            errs.push_range(
                o.range,
                format!(
                    "`{}` makes the model too large: its {sum} parameters take more than `usize::MAX` bytes",
                    o.call_text
                ),
            );
            return None;
        }
        total = sum;
        if formula == n.to_string() {
            // `dropout(0.2): 0`, not `0 = 0`.
            breakdown.push(format!("{}: {n}", o.call_text));
        } else {
            breakdown.push(format!("{}: {formula} = {n}", o.call_text));
        }
        width = out;
    }
    Some((total, breakdown))
}

/// The checked layer for `opt` on `input`-wide vectors; `field` names it.
fn build_layer(opt: &Options, field: &str, input: usize, seq_out: bool) -> Option<Layer> {
    let wrapped = match opt.kind {
        Kind::Bidirectional => {
            let inner = opt.wrapped.as_ref()?;
            let inner_layer = build_layer(inner, field, input, seq_out)?;
            Some((Box::new(inner_layer), opt.merge?))
        }
        _ => None,
    };
    Some(Layer {
        kind: opt.kind,
        field: Ident::new(field, opt.name_ident.span()),
        span: opt.span,
        input,
        units: opt.output_width(input)?,
        activation: opt.activation?,
        recurrent_activation: opt.recurrent_activation?,
        use_bias: opt.use_bias?,
        reset_after: opt.reset_after?,
        go_backwards: opt.go_backwards?,
        seq_out,
        wrapped,
    })
}

/// The model, from layers that all checked out.
fn build(
    name: &Ident,
    input: Option<&Input>,
    options: &[Option<Options>],
    seq_out: &[bool],
    counts: Option<(usize, Vec<String>)>,
    errs: &mut Errors,
) -> Option<Model> {
    let input = input?;
    let features = input.features?;
    let (params, _) = counts?;
    let mut width = features;
    let mut layers = Vec::new();
    // Keras numbers layers per class: `lstm`, `lstm_1`; a wrapped layer takes a number too.
    let mut counts = std::collections::HashMap::<&str, usize>::new();
    let mut next_name = |keyword: &'static str| {
        let n = counts.entry(keyword).or_insert(0);
        let name = if *n == 0 {
            keyword.to_owned()
        } else {
            format!("{keyword}_{n}")
        };
        *n += 1;
        name
    };
    for (opt, &seq_out) in options.iter().zip(seq_out) {
        let opt = opt.as_ref()?;
        let field = next_name(opt.kind.keyword());
        if let Some(inner) = &opt.wrapped {
            next_name(inner.kind.keyword());
        }
        let layer = build_layer(opt, &field, width, seq_out)?;
        width = layer.units;
        layers.push(layer);
    }
    let (stages, tail) = plan(&layers);
    let needs_buffer = stages.len() > 1
        || layers
            .iter()
            .any(|l| l.kind == Kind::Bidirectional && l.seq_out);
    if input.timesteps.is_none() && needs_buffer {
        // Reported above from the statements; this only guards the generated code.
        errs.push(
            Span::call_site(),
            "this model must buffer a whole sequence, which needs a fixed number of timesteps",
        );
        return None;
    }
    if layers.is_empty() {
        return None;
    }
    Some(Model {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        name: name.clone(),
        timesteps: input.timesteps,
        features,
        layers,
        stages,
        tail,
        params,
        weights: None,
    })
}

/// Splits the layers that see sequences into stages, and returns the tail after them. A
/// stage runs timestep by timestep over its source (the input, or the buffered output of
/// the stage before); a new one starts where a layer must read its whole input first:
/// `go_backwards` after a recurrent layer, and every `bidirectional` after other layers.
fn plan(layers: &[Layer]) -> (Vec<Stage>, Range<usize>) {
    let seq_end = layers
        .iter()
        .position(|l| !l.seq_out)
        .map_or(layers.len(), |i| i + 1);
    let mut stages: Vec<Stage> = Vec::new();
    let mut has_recurrent = false;
    for (i, layer) in layers[..seq_end].iter().enumerate() {
        let bidirectional = layer.kind == Kind::Bidirectional;
        let new_stage = stages.is_empty()
            || (layer.go_backwards && has_recurrent)
            || (bidirectional && stages.last().is_some_and(|s| !s.layers.is_empty()));
        if new_stage {
            stages.push(Stage {
                layers: i..i,
                reversed: false,
                bidirectional,
            });
            has_recurrent = false;
        }
        if let Some(stage) = stages.last_mut() {
            stage.layers.end = i + 1;
            stage.reversed |= layer.go_backwards;
        }
        has_recurrent |= layer.kind.is_recurrent();
    }
    (stages, seq_end..layers.len())
}

fn check_input(i: &InputStmt, errs: &mut Errors) -> (Option<usize>, Option<usize>) {
    let [timesteps, features] = i.dims.as_slice() else {
        let hint = match i.dims.as_slice() {
            [only] => format!(
                "for one feature per timestep write `input [{}, 1]`",
                only.text()
            ),
            [_, timesteps, features] => format!(
                "leave out the batch size: `input [{}, {}]`",
                timesteps.text(),
                features.text()
            ),
            _ => "e.g. `input [50, 3]`".to_owned(),
        };
        errs.push(
            i.span,
            format!(
                "expected `input [timesteps, features]`, found `{}`; {hint}",
                i.text()
            ),
        );
        return (None, None);
    };
    let timesteps = match timesteps {
        Dim::Any(_) => None,
        Dim::Num(n) => positive(
            n,
            "expected at least 1 timestep, found `0`; write `_` for any number of timesteps",
            errs,
        ),
    };
    let features = match features {
        Dim::Any(u) => {
            errs.push(
                u.span,
                "expected the number of features, found `_`; only the timesteps may be `_`",
            );
            None
        }
        Dim::Num(n) => positive(n, "expected at least 1 feature, found `0`", errs),
    };
    (timesteps, features)
}

/// The value of a size, reporting `zero` when it is 0.
fn positive(n: &LitInt, zero: &str, errs: &mut Errors) -> Option<usize> {
    match n.base10_parse::<usize>() {
        Ok(0) => {
            errs.push(n.span(), zero);
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            errs.push(n.span(), e);
            None
        }
    }
}

/// The options of one layer call; `None` when the layer is unknown (unless it is a Keras
/// class name, checked as its layer) or has no parentheses.
fn check_call(call: &LayerCall, errs: &mut Errors) -> Option<Options> {
    let name = call.name.to_string();
    // `LSTM(4, ...)`: reported, then its arguments are checked as `lstm`'s, so that one
    // compile also reports their mistakes (and those of a layer it wraps).
    let known = KINDS.iter().copied().find(|k| k.keyword() == name);
    let keras_class = known.is_none();
    let kind = if let Some(kind) = known {
        kind
    } else {
        errs.push(
            call.name.span(),
            unknown_layer(&name, call.missing_parens.is_some()),
        );
        match KINDS.iter().copied().find(|k| k.keras_class() == name) {
            Some(kind) if call.missing_parens.is_none() => kind,
            _ => return None,
        }
    };
    let name = kind.keyword();
    if let Some(found) = &call.missing_parens {
        let example = match kind.first_argument() {
            "units" => format!("{name}(8)"),
            "layer" => format!("{name}(lstm(8))"),
            _ => format!("{name}(0.2)"),
        };
        errs.push(
            call.name.span(),
            format!(
                "expected `(` after `{name}`, found {found}; layers take their arguments in parentheses, e.g. `{example}`"
            ),
        );
        return None;
    }
    let text = call_text(call, None);
    let range = (call.name.span(), call.end);
    let allowed = kind.arguments();
    let first = kind.first_argument();
    // Each known argument once, in source order: its key, its value and its tokens.
    let mut given: Vec<(&str, &Value, (Span, Span))> = Vec::new();
    // A layer under its Keras class name is already wrong: checks of the whole call stay quiet.
    let mut args_ok = !keras_class;
    let mut named_before = false;
    // `None` until given; then `Some(None)` when the value was wrong (already reported).
    let mut units = None;
    let mut activation = None;
    let mut recurrent_activation = None;
    let mut merge = None;
    let mut wrapped: Option<Option<Box<Options>>> = None;
    let (mut use_bias, mut return_sequences, mut go_backwards, mut reset_after) =
        (None, None, None, None);
    for (i, arg) in call.args.iter().enumerate() {
        let arg_range = arg.span_range();
        let (key, value) = match arg {
            Arg::Positional(v) if i == 0 => (first, v),
            Arg::Positional(v) if named_before && !given.iter().any(|g| g.0 == first) => {
                // `dense(activation = relu, 4)`: the units, out of place.
                let mut args: Vec<String> = vec![v.text()];
                args.extend(call.args.iter().take(i).map(arg_text));
                args.extend(call.args.iter().skip(i + 1).map(arg_text));
                errs.push_range(
                    arg_range,
                    format!(
                        "positional argument `{}` after named arguments; give the {} first: `{name}({})`",
                        v.text(),
                        if first == "units" { "units" } else { first },
                        args.join(", ")
                    ),
                );
                (first, v)
            }
            Arg::Positional(v) => {
                let what = if first == "units" {
                    "its units".to_owned()
                } else {
                    format!("its `{first}`")
                };
                let named = |example: String| {
                    format!(
                        "`{name}` takes only {what} by position; name the others, e.g. `{example}`"
                    )
                };
                let why = match (kind, v) {
                    (_, Value::Ident(i)) if ACTIVATIONS.iter().any(|a| *i == a.name) => {
                        named(format!("activation = {i}"))
                    }
                    (_, Value::Bool(b)) => named(format!("use_bias = {}", b.value)),
                    (Kind::Bidirectional, Value::Ident(i))
                        if MERGE_MODES.iter().any(|m| *i == m.name) =>
                    {
                        named(format!("merge_mode = {i}"))
                    }
                    (Kind::Bidirectional, Value::Call(_)) => {
                        "`bidirectional` wraps a single layer and makes the backward copy itself; remove this one".to_owned()
                    }
                    (Kind::Bidirectional, _) => named("merge_mode = sum".to_owned()),
                    (k, Value::Int(n)) if k.is_passthrough() => named(format!("seed = {n}")),
                    (k, _) if k.is_passthrough() => {
                        let given = given
                            .iter()
                            .find(|g| g.0 == first)
                            .map_or(String::new(), |g| format!(", here `{}`", g.1.text()));
                        format!("`{name}` takes a single `{first}`{given}; remove this one")
                    }
                    _ => named("activation = relu".to_owned()),
                };
                errs.push_range(
                    arg_range,
                    format!("unexpected positional argument `{}`: {why}", v.text()),
                );
                args_ok = false;
                continue;
            }
            Arg::Named { key, value } => {
                named_before = true;
                let k = key.to_string();
                let Some(known) = allowed.iter().find(|a| **a == k) else {
                    errs.push(key.span(), unknown_argument(call, kind, &k, value));
                    args_ok = false;
                    continue;
                };
                (*known, value)
            }
        };
        if let Some((_, first_value, _)) = given.iter().find(|g| g.0 == key) {
            let message = if key == first && matches!(call.args.first(), Some(Arg::Positional(_))) {
                format!(
                    "duplicate argument `{key}`: the first argument `{}` already gives the {key} of `{name}`; remove one of them",
                    first_value.text()
                )
            } else {
                format!(
                    "duplicate argument `{key}`: `{name}` already has `{key} = {}`; remove one of them",
                    first_value.text()
                )
            };
            errs.push_range(arg_range, message);
            args_ok = false;
            continue;
        }
        given.push((key, value, arg_range));
        match key {
            "units" => units = Some(check_units(value, errs)),
            "activation" => activation = Some(check_activation(key, value, errs)),
            "recurrent_activation" => {
                recurrent_activation = Some(check_activation(key, value, errs));
            }
            "use_bias" => use_bias = Some(check_flag(key, value, errs)),
            "return_sequences" => return_sequences = Some(check_flag(key, value, errs)),
            "go_backwards" => go_backwards = Some(check_flag(key, value, errs)),
            "reset_after" => reset_after = Some(check_flag(key, value, errs)),
            "merge_mode" => merge = Some(check_merge_mode(value, errs)),
            "layer" => wrapped = Some(check_wrapped(call, value, errs).map(Box::new)),
            "rate" | "stddev" => args_ok &= check_rate(key, value, errs),
            "seed" => args_ok &= check_seed(value, errs),
            _ => {}
        }
    }

    // The required first argument, when nothing else explains its absence.
    if !given.iter().any(|g| g.0 == first) && args_ok {
        let example = match first {
            "units" => "8",
            "layer" => "lstm(8)",
            _ => "0.2",
        };
        let mut args = vec![example.to_owned()];
        args.extend(call.args.iter().map(arg_text));
        let what = match first {
            "units" => "a number of units",
            "layer" => "a recurrent layer to wrap",
            "stddev" => "a standard deviation",
            _ => "a rate",
        };
        errs.push_range(
            range,
            format!(
                "`{text}` needs {what} first, e.g. `{name}({})`",
                args.join(", ")
            ),
        );
        args_ok = false;
    }
    let units = units.flatten();
    let return_sequences_given = return_sequences.is_some();
    let return_sequences = return_sequences.unwrap_or(Some(false));
    let wrapped = wrapped.flatten();
    args_ok &= kind != Kind::Bidirectional || wrapped.is_some();
    let merge = merge.unwrap_or(Some(&MERGE_MODES[0]));

    Some(Options {
        kind,
        returning_sequences_text: match &wrapped {
            Some(w) => with_wrapped(call, &w.returning_sequences_text, None),
            None => call_text(call, Some(("return_sequences", "true"))),
        },
        return_sequences_given: match &wrapped {
            Some(w) => w.return_sequences_given,
            None => return_sequences_given,
        },
        call_text: text,
        range,
        span: call.span,
        name_ident: call.name.clone(),
        units: match &wrapped {
            Some(w) => w.units,
            None => units,
        },
        activation: activation.unwrap_or(Some(kind.default_activation())),
        recurrent_activation: recurrent_activation.unwrap_or(Some(activation_named(
            kind.spec()
                .default_recurrent_activation
                .unwrap_or("sigmoid"),
        ))),
        use_bias: use_bias.unwrap_or(Some(true)),
        reset_after: reset_after.unwrap_or(Some(true)),
        return_sequences: return_sequences.map(|r| kind.is_recurrent() && r),
        go_backwards: go_backwards.unwrap_or(Some(false)),
        go_backwards_range: given.iter().find(|g| g.0 == "go_backwards").map(|g| g.2),
        wrapped,
        merge,
        args_ok,
    })
}

/// The layer inside `bidirectional(...)`: a recurrent layer that reads forwards. `outer`
/// is the `bidirectional` call, for the fixes.
fn check_wrapped(outer: &LayerCall, v: &Value, errs: &mut Errors) -> Option<Options> {
    let Value::Call(call) = v else {
        // `bidirectional(8)`, `bidirectional(lstm)`, `bidirectional(LSTM)`.
        let (inner, what) = match v {
            Value::Int(n) => (format!("lstm({n})"), String::new()),
            Value::Ident(i) => match KINDS
                .iter()
                .find(|k| k.is_recurrent() && (*i == k.keyword() || *i == k.keras_class()))
            {
                Some(k) if *k != Kind::Bidirectional => (
                    format!("{}(8)", k.keyword()),
                    " without parentheses".to_owned(),
                ),
                _ => ("lstm(8)".to_owned(), String::new()),
            },
            _ => ("lstm(8)".to_owned(), String::new()),
        };
        errs.push_range(
            (v.span(), v.end_span()),
            format!(
                "expected a recurrent layer to wrap, found `{}`{what}; e.g. `{}`",
                v.text(),
                with_wrapped(outer, &inner, None)
            ),
        );
        return None;
    };
    let inner = check_call(call, errs)?;
    if inner.kind == Kind::Bidirectional {
        let fix = inner.wrapped.as_ref().map_or(String::new(), |w| {
            format!(": `{}`", with_wrapped(outer, &w.call_text, None))
        });
        errs.push_range(
            inner.range,
            format!(
                "`bidirectional` cannot wrap another `bidirectional`: it already runs its layer in both directions; remove one of them{fix}"
            ),
        );
        return None;
    }
    if !inner.kind.is_recurrent() {
        let units = match inner.units {
            Some(u) if !inner.kind.is_passthrough() => u,
            _ => 8,
        };
        errs.push_range(
            inner.range,
            format!(
                "`bidirectional` wraps a recurrent layer, found `{}`; wrap {}, e.g. `{}`",
                inner.call_text,
                quoted_list(&["simple_rnn", "lstm", "gru"]),
                with_wrapped(outer, &format!("lstm({units})"), None)
            ),
        );
        return None;
    }
    if inner.go_backwards == Some(true) {
        errs.push_range(
            inner.go_backwards_range.unwrap_or(inner.range),
            format!(
                "`go_backwards = true` inside `bidirectional` is not supported: `bidirectional` already runs a backward copy; remove it: `{}`",
                with_wrapped(outer, &call_text_without(call, "go_backwards"), None)
            ),
        );
        return None;
    }
    Some(inner)
}

fn check_merge_mode(v: &Value, errs: &mut Errors) -> Option<&'static MergeMode> {
    let name = match v {
        Value::Ident(i) => i.to_string(),
        Value::Str(s) => s.value(),
        other => {
            let names: Vec<&str> = MERGE_MODES.iter().map(|m| m.name).collect();
            errs.push_range(
                (other.span(), other.end_span()),
                format!(
                    "expected a merge mode ({}), found `{}`",
                    quoted_list(&names),
                    other.text()
                ),
            );
            return None;
        }
    };
    if let Some(m) = MERGE_MODES.iter().find(|m| m.name == name) {
        return Some(m);
    }
    let names: Vec<&str> = MERGE_MODES.iter().map(|m| m.name).collect();
    let alias = MERGE_MODE_ALIASES
        .iter()
        .find(|(alias, _)| alias.eq_ignore_ascii_case(&name))
        .map(|(_, to)| *to);
    let hint = if name == "None" {
        format!(
            "Keras's `merge_mode=None` returns the two directions as two outputs, which `model!` does not support; expected one of {}",
            quoted_list(&names)
        )
    } else if let Some(s) = alias.or_else(|| suggest(&name, &names)) {
        format!("did you mean `{s}`?")
    } else {
        format!("expected one of {}", quoted_list(&names))
    };
    errs.push(v.span(), format!("unknown merge mode `{name}`; {hint}"));
    None
}

/// The value of a number literal, negative or not.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => f.base10_parse::<f64>().ok(),
        Value::Int(n) => n.base10_parse::<f64>().ok(),
        Value::Negative { number: n, .. } => number(n).map(|x| -x),
        _ => None,
    }
}

/// A dropout `rate` or a noise `stddev`: Keras 3 accepts both from 0 to 1, inclusive.
fn check_rate(key: &str, v: &Value, errs: &mut Errors) -> bool {
    let hint = match (number(v), v) {
        (Some(x), _) if (0.0..=1.0).contains(&x) => return true,
        // `dropout(20)`: a percentage.
        (Some(x), Value::Int(_)) if key == "rate" && x > 1.0 && x < 100.0 => {
            format!("; a rate is a fraction: for {x}% write `{}`", x / 100.0)
        }
        (Some(_), _) => String::new(),
        (None, Value::Str(s)) if s.value().trim().parse::<f64>().is_ok() => {
            "; write it without quotes".to_owned()
        }
        (None, _) => format!("; e.g. `{key} = 0.2`"),
    };
    let expected = if number(v).is_some() {
        format!("a `{key}` from 0 to 1")
    } else {
        format!("a number for `{key}`")
    };
    errs.push_range(
        (v.span(), v.end_span()),
        format!("expected {expected}, found `{}`{hint}", v.text()),
    );
    false
}

/// Keras's `seed`, accepted for compatibility: it only seeds training-time noise.
fn check_seed(v: &Value, errs: &mut Errors) -> bool {
    if let Value::Int(_) = v {
        return true;
    }
    if let Value::Negative { number, .. } = v
        && let Value::Int(_) = **number
    {
        return true;
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!("expected a whole number for `seed`, found `{}`", v.text()),
    );
    false
}

fn check_units(v: &Value, errs: &mut Errors) -> Option<usize> {
    if let Value::Int(n) = v {
        return positive(n, "expected at least 1 unit, found `0`", errs);
    }
    if let Value::Negative { .. } = v {
        errs.push_range(
            (v.span(), v.end_span()),
            format!("expected at least 1 unit, found `{}`", v.text()),
        );
        return None;
    }
    let hint = match v {
        Value::Float(f) => f
            .base10_parse::<f64>()
            .ok()
            .filter(|x| x.fract() == 0.0 && *x >= 1.0 && *x < 1e15)
            .map_or(String::new(), |x| format!("; write `{x}`")),
        _ => String::new(),
    };
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected a whole number of units, found `{}`{hint}",
            v.text()
        ),
    );
    None
}

fn check_flag(key: &str, v: &Value, errs: &mut Errors) -> Option<bool> {
    if let Value::Bool(b) = v {
        return Some(b.value);
    }
    let hint = match v {
        Value::Ident(i) if i == "True" => "; Rust spells it `true`",
        Value::Ident(i) if i == "False" => "; Rust spells it `false`",
        Value::Int(n) if n.base10_digits() == "1" => "; write `true`",
        Value::Int(n) if n.base10_digits() == "0" => "; write `false`",
        Value::Str(s) if s.value() == "true" || s.value() == "false" => "; write it without quotes",
        _ => "",
    };
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected `true` or `false` for `{key}`, found `{}`{hint}",
            v.text()
        ),
    );
    None
}

fn check_activation(key: &str, v: &Value, errs: &mut Errors) -> Option<&'static Activation> {
    let name = match v {
        Value::Ident(i) => i.to_string(),
        Value::Str(s) => s.value(),
        other => {
            errs.push_range(
                (other.span(), other.end_span()),
                format!(
                    "expected an activation name such as `tanh` for `{key}`, found `{}`",
                    other.text()
                ),
            );
            return None;
        }
    };
    let canonical = ACTIVATION_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map_or(name.as_str(), |(_, to)| to);
    if let Some(a) = ACTIVATIONS.iter().find(|a| a.name == canonical) {
        return Some(a);
    }
    let names: Vec<&str> = ACTIVATIONS.iter().map(|a| a.name).collect();
    let hint = if name == "None" {
        "Keras's `activation=None` is `linear` here".to_owned()
    } else if let Some(s) = suggest(&name, &names) {
        format!("did you mean `{s}`?")
    } else {
        format!("expected one of {}", quoted_list(&names))
    };
    errs.push(v.span(), format!("unknown activation `{name}`; {hint}"));
    None
}

/// `bare`: the name had no parentheses, so it may be a misspelt `input` or `params`.
fn unknown_layer(name: &str, bare: bool) -> String {
    if let Some(k) = KINDS.iter().find(|k| k.keras_class() == name) {
        return format!(
            "unknown layer `{name}`; Keras's `{name}` is `{}` here",
            k.keyword()
        );
    }
    let keywords: Vec<&str> = KINDS.iter().map(|k| k.keyword()).collect();
    if bare && let Some(s) = suggest(name, &["input", "params"]) {
        return format!("unknown statement `{name}`; did you mean `{s}`?");
    }
    match suggest(name, &keywords) {
        Some(s) => format!("unknown layer `{name}`; did you mean `{s}`?"),
        None => format!(
            "unknown layer `{name}`; expected {}",
            quoted_list(&keywords)
        ),
    }
}

/// Keras arguments that only act in training (dropout masks, initial weights, penalties):
/// a trained model runs without them.
const TRAINING_ONLY_ARGUMENTS: [&str; 15] = [
    "dropout",
    "recurrent_dropout",
    "seed",
    "noise_shape",
    "kernel_initializer",
    "recurrent_initializer",
    "bias_initializer",
    "unit_forget_bias",
    "kernel_regularizer",
    "recurrent_regularizer",
    "bias_regularizer",
    "activity_regularizer",
    "kernel_constraint",
    "recurrent_constraint",
    "bias_constraint",
];

/// `key = value` is not an argument of `call`, a `kind` layer.
fn unknown_argument(call: &LayerCall, kind: Kind, key: &str, value: &Value) -> String {
    let layer = kind.keyword();
    if is_shape_argument(key) {
        return format!(
            "unknown argument `{key}` for `{layer}`; the shape is declared once, before the layers: `input [timesteps, features]`, e.g. `input [50, 3]`"
        );
    }
    let allowed = kind.arguments();
    if let Some(s) = suggest(key, allowed) {
        return format!("unknown argument `{key}` for `{layer}`; did you mean `{s}`?");
    }
    if kind == Kind::Bidirectional
        && KINDS
            .iter()
            .any(|k| k.is_recurrent() && k.arguments().contains(&key))
    {
        // `bidirectional(lstm(4), return_sequences = true)`: it belongs inside.
        let inner = call.args.iter().find_map(|a| match a {
            Arg::Positional(Value::Call(c)) => Some(c),
            Arg::Named {
                key,
                value: Value::Call(c),
            } if key == "layer" => Some(c),
            _ => None,
        });
        let has_it = |inner: &LayerCall| {
            inner.args.iter().enumerate().any(|(i, a)| match a {
                Arg::Named { key: k, .. } => k == key,
                Arg::Positional(_) => i == 0 && key == "units",
            })
        };
        let fix = match inner {
            Some(inner) if has_it(inner) => {
                format!(", and `{}` already gives it: remove this one", inner.text())
            }
            Some(inner) => format!(
                ": `{}`",
                with_wrapped(
                    call,
                    &call_text(inner, Some((key, &value.text()))),
                    Some(key)
                )
            ),
            None if key == "units" => format!(", e.g. `bidirectional(lstm({}))`", value.text()),
            None => format!(", e.g. `bidirectional(lstm(8, {key} = {}))`", value.text()),
        };
        return format!(
            "unknown argument `{key}` for `bidirectional`; it is an argument of the wrapped layer{fix}"
        );
    }
    if TRAINING_ONLY_ARGUMENTS.contains(&key) {
        return format!(
            "unknown argument `{key}` for `{layer}`; Keras uses it only in training, and inference runs without it: remove it"
        );
    }
    let owners: Vec<&str> = KINDS
        .iter()
        .filter(|k| k.arguments().contains(&key))
        .map(|k| k.keyword())
        .collect();
    let elsewhere = if owners.is_empty() {
        String::new()
    } else {
        format!(
            " (`{key}` is an argument of {})",
            quoted_list_joined(&owners, "and")
        )
    };
    format!(
        "unknown argument `{key}` for `{layer}`; expected one of {}{elsewhere}",
        quoted_list(allowed)
    )
}

/// Keras's ways of giving the input shape to the first layer.
fn is_shape_argument(key: &str) -> bool {
    matches!(
        key,
        "input_shape" | "input_dim" | "batch_input_shape" | "shape"
    )
}

fn arg_text(arg: &Arg) -> String {
    match arg {
        Arg::Positional(v) => v.text(),
        Arg::Named { key, value } => format!("{key} = {}", value.text()),
    }
}

/// `simple_rnn(2, return_sequences = true)`, as written, for messages; with `set`, one
/// named argument replaced or added.
fn call_text(call: &LayerCall, set: Option<(&str, &str)>) -> String {
    if call.missing_parens.is_some() {
        return call.name.to_string();
    }
    let mut args: Vec<String> = Vec::new();
    let mut done = false;
    for arg in &call.args {
        match (arg, set) {
            (Arg::Named { key, .. }, Some((k, v))) if key == k => {
                if !done {
                    args.push(format!("{k} = {v}"));
                    done = true;
                }
            }
            _ => args.push(arg_text(arg)),
        }
    }
    if let (Some((k, v)), false) = (set, done) {
        args.push(format!("{k} = {v}"));
    }
    format!("{}({})", call.name, args.join(", "))
}

/// `` `a` ``, `` `a` or `b` ``, `` `a`, `b`, or `c` ``, as rustc lists alternatives.
fn quoted_list(names: &[&str]) -> String {
    quoted_list_joined(names, "or")
}

/// [`quoted_list`] with another conjunction: `` `a`, `b`, and `c` ``.
fn quoted_list_joined(names: &[&str], conjunction: &str) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} {conjunction} {b}"),
        [init @ .., last] => format!("{}, {conjunction} {last}", init.join(", ")),
    }
}

/// `bidirectional(...)` as written, with its wrapped layer (the first positional argument,
/// or `layer = ...`) written as `inner`, and without the argument `drop` when given.
fn with_wrapped(outer: &LayerCall, inner: &str, drop: Option<&str>) -> String {
    let mut replaced = false;
    let mut args: Vec<String> = Vec::new();
    for (i, arg) in outer.args.iter().enumerate() {
        match arg {
            Arg::Named { key, .. } if drop.is_some_and(|d| key == d) => {}
            Arg::Positional(_) if i == 0 && !replaced => {
                args.push(inner.to_owned());
                replaced = true;
            }
            Arg::Named { key, .. } if key == "layer" && !replaced => {
                args.push(format!("layer = {inner}"));
                replaced = true;
            }
            _ => args.push(arg_text(arg)),
        }
    }
    if !replaced {
        args.insert(0, inner.to_owned());
    }
    format!("{}({})", outer.name, args.join(", "))
}

/// `lstm(4, go_backwards = true)` as written, without the argument `key`.
fn call_text_without(call: &LayerCall, key: &str) -> String {
    let args: Vec<String> = call
        .args
        .iter()
        .filter(|a| !matches!(a, Arg::Named { key: k, .. } if k == key))
        .map(arg_text)
        .collect();
    format!("{}({})", call.name, args.join(", "))
}

/// The closest name, when it is close enough to be a typo or a different spelling
/// (`SimpleRnn`, `simplernn`, `simple_rn`).
fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let normal = |s: &str| s.to_lowercase().replace('_', "");
    if let Some(c) = candidates.iter().find(|c| normal(c) == normal(name)) {
        return Some(c);
    }
    candidates
        .iter()
        .map(|c| (edit_distance(&normal(name), &normal(c)), *c))
        .filter(|(d, c)| *d <= (c.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`: `inptu` is one
/// edit from `input`.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table: i-2, i-1 and i.
    let mut before: Vec<usize> = (0..=b.len()).collect();
    let mut prev: Vec<usize> = before.clone();
    for (i, ca) in a.iter().enumerate() {
        let mut row = Vec::with_capacity(b.len() + 1);
        row.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let substitute = prev
                .get(j)
                .map_or(usize::MAX, |d| d + usize::from(ca != cb));
            let delete = prev.get(j + 1).map_or(usize::MAX, |d| d + 1);
            let insert = row.get(j).map_or(usize::MAX, |d| d + 1);
            let mut best = substitute.min(delete).min(insert);
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(before.get(j - 1).map_or(usize::MAX, |d| d + 1));
            }
            row.push(best);
        }
        before = std::mem::replace(&mut prev, row);
    }
    prev.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_the_spec_s_layers_in_order() {
        assert_eq!(KINDS.len(), tinyrnn_spec::LAYERS.len());
        for (kind, spec) in KINDS.iter().zip(tinyrnn_spec::LAYERS) {
            assert_eq!(kind.spec(), spec);
        }
    }

    #[test]
    fn suggestions_catch_typos_and_other_spellings() {
        let names = ["simple_rnn", "dense"];
        assert_eq!(suggest("simple_rn", &names), Some("simple_rnn"));
        assert_eq!(suggest("SimpleRnn", &names), Some("simple_rnn"));
        assert_eq!(suggest("dens", &names), Some("dense"));
        assert_eq!(suggest("conv1d", &names), None);
        assert_eq!(suggest("desne", &names), Some("dense"));
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("tanh", "tanh"), 0);
        assert_eq!(edit_distance("inptu", "input"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
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
        assert_eq!(count(Kind::Dropout, 3, 3, true), Some(0));
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

    #[test]
    fn lists_read_like_rustc() {
        assert_eq!(quoted_list(&["a"]), "`a`");
        assert_eq!(quoted_list(&["a", "b"]), "`a` or `b`");
        assert_eq!(quoted_list(&["a", "b", "c"]), "`a`, `b`, or `c`");
        assert_eq!(quoted_list_joined(&["a", "b"], "and"), "`a` and `b`");
        assert_eq!(
            quoted_list_joined(&["a", "b", "c"], "and"),
            "`a`, `b`, and `c`"
        );
    }
}
