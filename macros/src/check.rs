//! Phase 2: validate the syntax tree and infer every layer's shapes.
//!
//! Every mistake is collected (not just the first), each spanned on the tokens to fix and
//! worded rustc-style: what was expected, what was found, and the fix. The result is a
//! [`Model`] whose layers know their input width, units and whether they see a sequence,
//! plus the plan `forward` follows (stages of timesteps, then the layers after the last
//! recurrent output).

use crate::ast::{Arg, Dim, InputStmt, LayerCall, ModelInput, Stmt, Value};
use proc_macro2::Span;
use std::ops::Range;
use syn::{Attribute, Ident, LitInt, Visibility};

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
}

pub struct Stage {
    pub layers: Range<usize>,
    /// Whether the stage reads its input from the last timestep to the first.
    pub reversed: bool,
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
        !self.layers.iter().any(|l| l.go_backwards)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SimpleRnn,
    Dense,
}

const KINDS: [Kind; 2] = [Kind::SimpleRnn, Kind::Dense];

impl Kind {
    /// The `model!` keyword, which is also Keras's layer name prefix.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::SimpleRnn => "simple_rnn",
            Kind::Dense => "dense",
        }
    }

    /// The Keras class name, accepted in messages' suggestions.
    pub fn keras_class(self) -> &'static str {
        match self {
            Kind::SimpleRnn => "SimpleRNN",
            Kind::Dense => "Dense",
        }
    }

    /// The runtime type in `tinyrnn::__private::layers`.
    pub fn runtime_type(self) -> &'static str {
        match self {
            Kind::SimpleRnn => "SimpleRnn",
            Kind::Dense => "Dense",
        }
    }

    pub fn is_recurrent(self) -> bool {
        matches!(self, Kind::SimpleRnn)
    }

    fn arguments(self) -> &'static [&'static str] {
        match self {
            Kind::SimpleRnn => &[
                "units",
                "activation",
                "use_bias",
                "return_sequences",
                "go_backwards",
            ],
            Kind::Dense => &["units", "activation", "use_bias"],
        }
    }

    fn default_activation(self) -> &'static Activation {
        match self {
            Kind::SimpleRnn => &ACTIVATIONS[2],
            Kind::Dense => &ACTIVATIONS[0],
        }
    }

    /// Keras's parameter count and the formula with its numbers, e.g. `2*(3+2)+2 = 12`.
    fn params(self, d: usize, u: usize, bias: bool) -> (usize, String) {
        let b = usize::from(bias) * u;
        match self {
            Kind::SimpleRnn => {
                let n = u * (d + u) + b;
                let bias = if bias { format!("+{u}") } else { String::new() };
                (n, format!("{u}*({d}+{u}){bias} = {n}"))
            }
            Kind::Dense => {
                let n = d * u + b;
                let bias = if bias { format!("+{u}") } else { String::new() };
                (n, format!("{d}*{u}{bias} = {n}"))
            }
        }
    }
}

pub struct Activation {
    pub name: &'static str,
    /// The runtime type in `tinyrnn::__private::activations`.
    pub runtime_type: &'static str,
}

pub const ACTIVATIONS: [Activation; 5] = [
    Activation { name: "linear", runtime_type: "Linear" },
    Activation { name: "relu", runtime_type: "Relu" },
    Activation { name: "tanh", runtime_type: "Tanh" },
    Activation { name: "sigmoid", runtime_type: "Sigmoid" },
    Activation { name: "softmax", runtime_type: "Softmax" },
];

pub struct Layer {
    pub kind: Kind,
    /// The Keras-style name (`simple_rnn`, `simple_rnn_1`), also the struct field.
    pub field: Ident,
    /// The user's tokens, where type errors about this layer land.
    pub span: Span,
    pub input: usize,
    pub units: usize,
    pub activation: &'static Activation,
    pub use_bias: bool,
    pub go_backwards: bool,
    /// Whether the layer emits one vector per timestep.
    pub seq_out: bool,
}

/// Every error found, in source order.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        self.0.push(syn::Error::new(span, message));
    }

    pub fn into_combined(self) -> Option<syn::Error> {
        self.0.into_iter().reduce(|mut all, e| {
            all.combine(e);
            all
        })
    }
}

/// The options of one layer call, before shapes are known.
struct Options {
    kind: Kind,
    call_text: String,
    span: Span,
    name_ident: Ident,
    /// `None` when missing or invalid (already reported).
    units: Option<usize>,
    activation: &'static Activation,
    use_bias: bool,
    return_sequences: bool,
    /// Whether `return_sequences` was written out, for the hint's wording.
    return_sequences_given: bool,
    go_backwards: bool,
    go_backwards_span: Option<Span>,
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

/// Checks the parsed input, collecting every error.
pub fn check(input: ModelInput) -> Checked {
    let ModelInput {
        attrs,
        header,
        stmts,
        errors: parse_errors,
    } = input;
    let mut errs = Errors(parse_errors);
    let (vis, name) = match header {
        Some(h) => (h.vis, h.name),
        None => (Visibility::Inherited, Ident::new("Model", Span::call_site())),
    };

    let mut input: Option<(&InputStmt, Option<usize>, Option<usize>)> = None;
    let mut params: Option<&LitInt> = None;
    let mut calls = Vec::new();
    for stmt in &stmts {
        match stmt {
            Stmt::Input(i) => {
                if input.is_some() {
                    errs.push(i.keyword.span(), "duplicate `input`: a model has one input");
                    continue;
                }
                if !calls.is_empty() {
                    errs.push(
                        i.keyword.span(),
                        "`input [timesteps, features]` must come before the first layer",
                    );
                }
                let (t, f) = check_input(i, &mut errs);
                input = Some((i, t, f));
            }
            Stmt::Params { keyword, value } => {
                if params.is_some() {
                    errs.push(keyword.span(), "duplicate `params`: state the count once");
                } else {
                    params = Some(value);
                }
            }
            Stmt::Layer(call) => calls.push(call),
        }
    }

    let options: Vec<Option<Options>> = calls.iter().map(|c| check_call(c, &mut errs)).collect();

    let (timesteps, features) = match input {
        Some((_, t, f)) => (t, f),
        None => {
            errs.push(
                Span::call_site(),
                "missing `input [timesteps, features]`, e.g. `input [50, 3];` before the first layer",
            );
            (None, None)
        }
    };
    if calls.is_empty() && input.is_some() {
        errs.push(
            Span::call_site(),
            "a model needs at least one layer after `input`, e.g. `dense(1)`",
        );
    }

    // Shapes: which layers see sequences (needs no sizes, so it runs even after other errors).
    let mut seq = true;
    let mut collapsed_by: Option<&Options> = None;
    let mut seq_flags = Vec::new();
    for opt in options.iter().flatten() {
        if opt.kind.is_recurrent() {
            if !seq {
                if let Some(prev) = collapsed_by {
                    let fix = if prev.return_sequences_given {
                        "change `return_sequences = false` to `return_sequences = true`"
                    } else {
                        "add `return_sequences = true`"
                    };
                    errs.push(
                        opt.span,
                        format!(
                            "`{}` needs a sequence, but `{}` before it returns only its last timestep; {fix} in `{}`",
                            opt.call_text, prev.call_text, prev.call_text
                        ),
                    );
                }
            }
            seq = opt.return_sequences;
            if !seq {
                collapsed_by = Some(opt);
            }
        }
        seq_flags.push(seq);
    }

    let mut model = (|| {
        let features = features?;
        let options: Vec<&Options> = options.iter().map(Option::as_ref).collect::<Option<_>>()?;
        let mut width = features;
        let mut layers = Vec::new();
        let mut counts = std::collections::HashMap::<&str, usize>::new();
        let mut total = 0;
        let mut breakdown = Vec::new();
        for (opt, &seq_out) in options.iter().zip(&seq_flags) {
            let units = opt.units?;
            let n = counts.entry(opt.kind.keyword()).or_insert(0);
            let field = if *n == 0 {
                opt.kind.keyword().to_owned()
            } else {
                format!("{}_{n}", opt.kind.keyword())
            };
            *n += 1;
            let (count, formula) = opt.kind.params(width, units, opt.use_bias);
            total += count;
            breakdown.push(format!("{}: {formula}", opt.call_text));
            layers.push(Layer {
                kind: opt.kind,
                field: Ident::new(&field, opt.name_ident.span()),
                span: opt.span,
                input: width,
                units,
                activation: opt.activation,
                use_bias: opt.use_bias,
                go_backwards: opt.go_backwards,
                seq_out,
            });
            width = units;
        }
        if let Some(p) = params {
            match p.base10_parse::<usize>() {
                Ok(n) if n == total => {}
                Ok(n) => errs.push(
                    p.span(),
                    format!(
                        "parameter count mismatch: `params {n}` but the layers have {total} ({}, total {total})",
                        breakdown.join(", ")
                    ),
                ),
                Err(e) => errs.push(p.span(), e),
            }
        }
        let (stages, tail) = plan(&layers);
        if timesteps.is_none() && stages.len() > 1 {
            let l = &layers[stages[1].layers.start];
            let span = options[stages[1].layers.start]
                .go_backwards_span
                .unwrap_or(l.span);
            errs.push(
                span,
                "`go_backwards = true` after a recurrent layer must buffer the whole sequence, which needs a fixed length; declare `input [timesteps, features]` with a number of timesteps",
            );
        }
        if layers.is_empty() {
            return None;
        }
        Some(Model {
            attrs: Vec::new(),
            vis: Visibility::Inherited,
            name: name.clone(),
            timesteps,
            features,
            layers,
            stages,
            tail,
            params: total,
        })
    })();
    if let Some(m) = &mut model {
        m.attrs.clone_from(&attrs);
        m.vis = vis.clone();
    }
    Checked {
        model,
        errors: errs,
        attrs,
        vis,
        name,
    }
}

/// Splits the layers that see sequences into stages, and returns the tail after them.
fn plan(layers: &[Layer]) -> (Vec<Stage>, Range<usize>) {
    let seq_end = layers
        .iter()
        .position(|l| !l.seq_out)
        .map_or(layers.len(), |i| i + 1);
    let mut stages: Vec<Stage> = Vec::new();
    let mut has_recurrent = false;
    for (i, layer) in layers[..seq_end].iter().enumerate() {
        let new_stage = stages.is_empty() || (layer.go_backwards && has_recurrent);
        if new_stage {
            stages.push(Stage {
                layers: i..i + 1,
                reversed: false,
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
    if i.dims.len() != 2 {
        errs.push(
            i.span,
            format!(
                "expected `input [timesteps, features]` (2 dimensions), found {} dimension{}",
                i.dims.len(),
                if i.dims.len() == 1 { "" } else { "s" }
            ),
        );
        return (None, None);
    }
    let timesteps = match &i.dims[0] {
        Dim::Any(_) => None,
        Dim::Num(n) => positive(n, "timesteps", errs),
    };
    let features = match &i.dims[1] {
        Dim::Any(u) => {
            errs.push(
                u.span,
                "the number of features must be a number; only timesteps may be `_`",
            );
            None
        }
        Dim::Num(n) => positive(n, "features", errs),
    };
    (timesteps, features)
}

fn positive(n: &LitInt, what: &str, errs: &mut Errors) -> Option<usize> {
    match n.base10_parse::<usize>() {
        Ok(0) => {
            errs.push(n.span(), format!("`{what}` must be at least 1, found `0`"));
            None
        }
        Ok(v) => Some(v),
        Err(e) => {
            errs.push(n.span(), e);
            None
        }
    }
}

fn check_call(call: &LayerCall, errs: &mut Errors) -> Option<Options> {
    let name = call.name.to_string();
    let Some(kind) = KINDS.iter().copied().find(|k| k.keyword() == name) else {
        errs.push(call.name.span(), unknown_layer(&name));
        return None;
    };
    let allowed = kind.arguments();
    let mut given: Vec<(&str, &Value, Span)> = Vec::new();
    let mut ok = true;
    for (i, arg) in call.args.iter().enumerate() {
        let (key, value, key_span) = match arg {
            Arg::Positional(v) if i == 0 => ("units", v, v.span()),
            Arg::Positional(v) => {
                errs.push(
                    v.span(),
                    format!(
                        "unexpected positional argument `{}`: only the units come first, name the others, e.g. `activation = relu`",
                        v.text()
                    ),
                );
                ok = false;
                continue;
            }
            Arg::Named { key, value } => {
                let k = key.to_string();
                let Some(known) = allowed.iter().find(|a| **a == k) else {
                    errs.push(key.span(), unknown_argument(kind, &k));
                    ok = false;
                    continue;
                };
                (*known, value, key.span())
            }
        };
        if given.iter().any(|(k, _, _)| *k == key) {
            errs.push(
                key_span,
                format!("duplicate argument `{key}` in `{}`", kind.keyword()),
            );
            ok = false;
            continue;
        }
        given.push((key, value, key_span));
    }
    let get = |key: &str| given.iter().find(|(k, _, _)| *k == key).map(|(_, v, _)| *v);

    let units = match get("units") {
        None => {
            errs.push(
                call.span,
                format!(
                    "`{0}` needs a number of units, e.g. `{0}(8)`",
                    kind.keyword()
                ),
            );
            None
        }
        Some(Value::Int(n)) => match n.base10_parse::<usize>() {
            Ok(0) => {
                errs.push(n.span(), "`units` must be at least 1, found `0`");
                None
            }
            Ok(u) => Some(u),
            Err(e) => {
                errs.push(n.span(), e);
                None
            }
        },
        Some(v) => {
            errs.push(
                v.span(),
                format!(
                    "expected a whole number of units, found `{}`",
                    v.text()
                ),
            );
            None
        }
    };
    let activation = match get("activation") {
        None => Some(kind.default_activation()),
        Some(v) => check_activation(v, errs),
    };
    let mut flag = |key: &str, default: bool| match get(key) {
        None => Some(default),
        Some(Value::Bool(b)) => Some(b.value),
        Some(v) => {
            errs.push(
                v.span(),
                format!(
                    "expected `true` or `false` for `{key}`, found `{}`",
                    v.text()
                ),
            );
            None
        }
    };
    let use_bias = flag("use_bias", true);
    let return_sequences = flag("return_sequences", false);
    let go_backwards = flag("go_backwards", false);

    let call_text = call_text(call);
    let (Some(activation), Some(use_bias), Some(return_sequences), Some(go_backwards), true) =
        (activation, use_bias, return_sequences, go_backwards, ok)
    else {
        return None;
    };
    Some(Options {
        kind,
        call_text,
        span: call.span,
        name_ident: call.name.clone(),
        units,
        activation,
        use_bias,
        return_sequences: kind.is_recurrent() && return_sequences,
        return_sequences_given: get("return_sequences").is_some(),
        go_backwards,
        go_backwards_span: given
            .iter()
            .find(|(k, _, _)| *k == "go_backwards")
            .map(|(_, _, s)| *s),
    })
}

fn check_activation(v: &Value, errs: &mut Errors) -> Option<&'static Activation> {
    let name = match v {
        Value::Ident(i) => i.to_string(),
        Value::Str(s) => s.value(),
        other => {
            errs.push(
                other.span(),
                format!(
                    "expected an activation name such as `tanh`, found `{}`",
                    other.text()
                ),
            );
            return None;
        }
    };
    if let Some(a) = ACTIVATIONS.iter().find(|a| a.name == name) {
        return Some(a);
    }
    let names: Vec<&str> = ACTIVATIONS.iter().map(|a| a.name).collect();
    let hint = suggest(&name, &names).map_or(String::new(), |s| format!("did you mean `{s}`? "));
    errs.push(
        v.span(),
        format!(
            "unknown activation `{name}`; {hint}expected one of {}",
            quoted_list(&names)
        ),
    );
    None
}

fn unknown_layer(name: &str) -> String {
    let keywords: Vec<&str> = KINDS.iter().map(|k| k.keyword()).collect();
    if let Some(k) = KINDS.iter().find(|k| k.keras_class() == name) {
        return format!(
            "unknown layer `{name}`: Keras's `{name}` is written `{}` here",
            k.keyword()
        );
    }
    match suggest(name, &keywords) {
        Some(s) => format!("unknown layer `{name}`: did you mean `{s}`?"),
        None => format!(
            "unknown layer `{name}`; expected one of {}",
            quoted_list(&keywords)
        ),
    }
}

fn unknown_argument(kind: Kind, key: &str) -> String {
    let allowed = kind.arguments();
    let hint = suggest(key, allowed).map_or(String::new(), |s| format!("did you mean `{s}`? "));
    format!(
        "unknown argument `{key}` for `{}`; {hint}expected one of {}",
        kind.keyword(),
        quoted_list(allowed)
    )
}

/// `simple_rnn(2, return_sequences = true)`, as written, for messages.
fn call_text(call: &LayerCall) -> String {
    let args: Vec<String> = call
        .args
        .iter()
        .map(|a| match a {
            Arg::Positional(v) => v.text(),
            Arg::Named { key, value } => format!("{key} = {}", value.text()),
        })
        .collect();
    format!("{}({})", call.name, args.join(", "))
}

fn quoted_list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
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

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_and_other_spellings() {
        let names = ["simple_rnn", "dense"];
        assert_eq!(suggest("simple_rn", &names), Some("simple_rnn"));
        assert_eq!(suggest("SimpleRnn", &names), Some("simple_rnn"));
        assert_eq!(suggest("dens", &names), Some("dense"));
        assert_eq!(suggest("conv1d", &names), None);
    }

    #[test]
    fn edit_distance_counts_single_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("tanh", "tanh"), 0);
    }

    #[test]
    fn keras_parameter_formulas() {
        // The founding question's counts: SimpleRNN(1..4) on 3 features, Dense(1) after it.
        for (h, want) in [(1, 5), (2, 12), (3, 21), (4, 32)] {
            assert_eq!(Kind::SimpleRnn.params(3, h, true).0, want);
            assert_eq!(Kind::Dense.params(h, 1, true).0, h + 1);
        }
        assert_eq!(Kind::SimpleRnn.params(3, 2, true).1, "2*(3+2)+2 = 12");
        assert_eq!(Kind::Dense.params(2, 1, true).1, "2*1+1 = 3");
        assert_eq!(Kind::Dense.params(2, 1, false).1, "2*1 = 2");
    }
}
