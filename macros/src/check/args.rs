//! Checking one layer call's arguments (and `input [T, F]`): their names, types, ranges
//! and defaults, each mistake reported on its tokens with the fix.

use super::diagnostics::{
    arg_text, call_text, call_text_without, quoted_list, unknown_argument, unknown_layer,
    with_wrapped,
};
use super::kind::{Kind, activation_named, kinds};
use super::values::{
    check_activation, check_axes, check_axis, check_count, check_ends, check_flag, check_input_dim,
    check_merge_mode, check_number, check_padding, check_rate, check_repeat, check_seed,
    check_target_shape, check_units, flag, number,
};
use super::{Errors, Options};
use crate::ast::{Arg, Dim, InputStmt, LayerCall, Value};
use proc_macro2::Span;
use syn::LitInt;
use tinyrnn_spec::{ACTIVATIONS, MERGE_MODES};

pub(super) fn check_input(i: &InputStmt, errs: &mut Errors) -> (Option<usize>, Option<usize>) {
    // `input [T]`: token ids, for a model whose first layer is `embedding` (checked with
    // the layers); one id per timestep.
    if let [timesteps] = i.dims.as_slice() {
        return (check_timesteps(timesteps, errs), Some(1));
    }
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
    let timesteps = check_timesteps(timesteps, errs);
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

/// `T` of `input [T, F]` or `input [T]`: `None` for `_` (or after an error).
fn check_timesteps(timesteps: &Dim, errs: &mut Errors) -> Option<usize> {
    match timesteps {
        Dim::Any(_) => None,
        Dim::Num(n) => positive(
            n,
            "expected at least 1 timestep, found `0`; write `_` for any number of timesteps",
            errs,
        ),
    }
}

/// The value of a size, reporting `zero` when it is 0.
pub(super) fn positive(n: &LitInt, zero: &str, errs: &mut Errors) -> Option<usize> {
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
pub(super) fn check_call(call: &LayerCall, errs: &mut Errors) -> Option<Options> {
    let name = call.name.to_string();
    // `LSTM(4, ...)`: reported, then its arguments are checked as `lstm`'s, so that one
    // compile also reports their mistakes (and those of a layer it wraps).
    let known = kinds().find(|k| k.keyword() == name);
    let keras_class = known.is_none();
    let kind = if let Some(kind) = known {
        kind
    } else {
        errs.push(
            call.name.span(),
            unknown_layer(&name, call.missing_parens.is_some()),
        );
        match kinds().find(|k| k.keras_class() == name) {
            Some(kind) if call.missing_parens.is_none() => kind,
            _ => return None,
        }
    };
    let name = kind.keyword();
    if let Some(found) = &call.missing_parens {
        let example = match kind.first_argument() {
            "units" => format!("{name}(8)"),
            "layer" => format!("{name}(lstm(8))"),
            "activation" => format!("{name}(relu)"),
            _ if !kind.spec().first_argument_required => format!("{name}()"),
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
    if kind.arguments().is_empty() && !call.args.is_empty() {
        // `flatten(2)`: Keras's `Flatten` has no argument tinyrnn needs.
        errs.push_range(
            range,
            format!("`{name}` takes no arguments; write `{name}()`"),
        );
        return None;
    }
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
    let mut numbers: Vec<(&'static str, Option<f32>)> = Vec::new();
    let (mut center, mut scale, mut invert) = (None, None, None);
    let (mut input_dim, mut mask_zero, mut repeat) = (None, None, None);
    let mut target = None;
    let mut shared_axes = None;
    // A window's size, strides, dilation, groups, padding: `None` until given.
    let (mut size, mut strides, mut dilation, mut groups, mut padding) =
        (None, None, None, None, None);
    // `zero_padding1d`'s `padding`, `cropping1d`'s `cropping`, `up_sampling1d`'s `size`.
    let (mut ends, mut up) = (None, None);
    let (mut use_bias, mut return_sequences, mut go_backwards, mut reset_after) =
        (None, None, None, None);
    for (i, arg) in call.args.iter().enumerate() {
        let arg_range = arg.span_range();
        let (key, value) = match arg {
            Arg::Positional(v) if i == 0 => (first, v),
            // `embedding(input_dim, output_dim)`, as Keras's signature reads.
            Arg::Positional(v) if i == 1 && kind == Kind::Embedding && !named_before => {
                ("output_dim", v)
            }
            // `conv1d(filters, kernel_size)`, as Keras's signature reads.
            Arg::Positional(v) if i == 1 && kind == Kind::Conv1d && !named_before => {
                ("kernel_size", v)
            }
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
                    (k, _) if k.keeps_width() => {
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
            "units" | "output_dim" | "filters" => units = Some(check_units(value, errs)),
            "kernel_size" | "pool_size" => size = Some(check_count(key, value, errs)),
            "strides" => strides = Some(check_count(key, value, errs)),
            "dilation_rate" => dilation = Some(check_count(key, value, errs)),
            "groups" => groups = Some(check_count(key, value, errs)),
            "padding" if kind == Kind::ZeroPadding1d => ends = Some(check_ends(key, value, errs)),
            "cropping" => ends = Some(check_ends(key, value, errs)),
            "size" => up = Some(check_count(key, value, errs)),
            "padding" => padding = Some(check_padding(kind, value, errs)),
            "input_dim" => input_dim = Some(check_input_dim(value, errs)),
            "n" => repeat = Some(check_repeat(value, errs)),
            "target_shape" => target = Some(check_target_shape(value, errs)),
            "shared_axes" => shared_axes = Some(check_axes(value, errs)),
            "mask_zero" => mask_zero = Some(check_flag(key, value, errs)),
            "activation" => activation = Some(check_activation(key, value, errs)),
            "recurrent_activation" => {
                recurrent_activation = Some(check_activation(key, value, errs));
            }
            "use_bias" => use_bias = Some(check_flag(key, value, errs)),
            "return_sequences" => return_sequences = Some(check_flag(key, value, errs)),
            "go_backwards" => go_backwards = Some(check_flag(key, value, errs)),
            "reset_after" => reset_after = Some(check_flag(key, value, errs)),
            "merge_mode" => merge = Some(check_merge_mode(value, errs)),
            "layer" if kind == Kind::TimeDistributed => {
                wrapped = Some(check_per_timestep(call, value, errs).map(Box::new));
            }
            "layer" => wrapped = Some(check_wrapped(call, value, errs).map(Box::new)),
            "rate" | "stddev" => {
                let ok = check_rate(key, value, errs);
                args_ok &= ok;
                // Kept for training mode (`backward_training`); the identity otherwise.
                #[allow(clippy::cast_possible_truncation, reason = "a rate from 0 to 1")]
                numbers.push((
                    key,
                    if ok {
                        number(value).map(|v| v as f32)
                    } else {
                        None
                    },
                ));
            }
            "seed" => args_ok &= check_seed(value, errs),
            "axis" => args_ok &= check_axis(value, errs),
            "center" => center = Some(check_flag(key, value, errs)),
            "scale" => scale = Some(check_flag(key, value, errs)),
            "invert" => invert = Some(check_flag(key, value, errs)),
            "max_value" | "negative_slope" | "threshold" | "alpha" | "epsilon" | "mask_value" => {
                numbers.push((key, check_number(kind, key, value, errs)));
            }
            _ => {}
        }
    }

    // The required first argument, when nothing else explains its absence.
    if !given.iter().any(|g| g.0 == first) && args_ok && kind.spec().first_argument_required {
        let example = match first {
            "units" => "8",
            "input_dim" => "1000, 8",
            "n" => "4",
            "filters" => "8, 3",
            "target_shape" => "[-1, 1]",
            "layer" => "lstm(8)",
            "activation" => "relu",
            _ => "0.2",
        };
        let mut args = vec![example.to_owned()];
        args.extend(call.args.iter().map(arg_text));
        let what = match first {
            "units" => "a number of units",
            "input_dim" => {
                "the number of token ids (`input_dim`) and a vector width (`output_dim`)"
            }
            "n" => "the number of timesteps to repeat the vector (`n`)",
            "filters" => "a number of filters and a kernel size",
            "target_shape" => "a shape (`target_shape`)",
            "layer" => "a recurrent layer to wrap",
            "stddev" => "a standard deviation",
            "activation" => "an activation",
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
    } else if kind == Kind::Conv1d && size.is_none() && args_ok {
        let mut args: Vec<String> = call.args.iter().map(arg_text).collect();
        args.insert(1.min(args.len()), "3".to_owned());
        errs.push_range(
            range,
            format!(
                "`{text}` needs a kernel size (`kernel_size`) after the number of filters, e.g. `{name}({})`",
                args.join(", ")
            ),
        );
        args_ok = false;
    } else if kind == Kind::Embedding && units.is_none() && args_ok {
        let mut args: Vec<String> = call.args.iter().map(arg_text).collect();
        args.insert(1.min(args.len()), "8".to_owned());
        errs.push_range(
            range,
            format!(
                "`{text}` needs the width of its vectors (`output_dim`) after `input_dim`, e.g. `{name}({})`",
                args.join(", ")
            ),
        );
        args_ok = false;
    }
    let units = units.flatten();
    let return_sequences_given = return_sequences.is_some();
    let return_sequences = return_sequences.unwrap_or(Some(flag("return_sequences")));
    let wrapped = wrapped.flatten();
    args_ok &= !matches!(kind, Kind::Bidirectional | Kind::TimeDistributed) || wrapped.is_some();
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
        use_bias: use_bias.unwrap_or(Some(flag("use_bias"))),
        reset_after: reset_after.unwrap_or(Some(flag("reset_after"))),
        return_sequences: return_sequences.map(|r| kind.is_recurrent() && r),
        go_backwards: go_backwards.unwrap_or(Some(flag("go_backwards"))),
        go_backwards_range: given.iter().find(|g| g.0 == "go_backwards").map(|g| g.2),
        wrapped,
        merge,
        args_ok,
        numbers,
        center: center.unwrap_or(Some(flag("center"))),
        scale: scale.unwrap_or(Some(flag("scale"))),
        invert: invert.unwrap_or(Some(flag("invert"))),
        input_dim: input_dim.flatten(),
        mask_zero: mask_zero.unwrap_or(Some(flag("mask_zero"))),
        repeat: repeat.flatten(),
        target: target.flatten(),
        shared_axes: shared_axes.unwrap_or(Some(Vec::new())),
        streams: false,
        gated: false,
        resample: match kind {
            Kind::ZeroPadding1d => ends
                .unwrap_or(Some((1, 1)))
                .map(|(l, r)| super::Resample::Pad(l, r)),
            Kind::Cropping1d => ends
                .unwrap_or(Some((1, 1)))
                .map(|(l, r)| super::Resample::Crop(l, r)),
            Kind::UpSampling1d => up.unwrap_or(Some(2)).map(super::Resample::Repeat),
            _ => None,
        },
        window: if (kind.slides_window() && !kind.resamples()) || kind.pools_globally() {
            let size = size.unwrap_or(Some(if kind == Kind::Conv1d { 0 } else { 2 }));
            (|| {
                let size = size?;
                Some(super::Window {
                    size,
                    strides: strides.unwrap_or(Some(if kind == Kind::Conv1d {
                        1
                    } else {
                        size
                    }))?,
                    dilation: dilation.unwrap_or(Some(1))?,
                    groups: groups.unwrap_or(Some(1))?,
                    padding: padding.unwrap_or(Some(super::Padding::Valid))?,
                })
            })()
            .filter(|w| w.size > 0)
        } else {
            None
        },
        alpha: None,
        reshaped: None,
        flatten_len: None,
    })
}

/// The layer inside `bidirectional(...)`: a recurrent layer that reads forwards. `outer`
/// is the `bidirectional` call, for the fixes.
pub(super) fn check_wrapped(outer: &LayerCall, v: &Value, errs: &mut Errors) -> Option<Options> {
    let Value::Call(call) = v else {
        // `bidirectional(8)`, `bidirectional(lstm)`, `bidirectional(LSTM)`.
        let (inner, what) = match v {
            Value::Int(n) => (format!("lstm({n})"), String::new()),
            Value::Ident(i) => match kinds()
                .find(|k| k.is_recurrent() && (*i == k.keyword() || *i == k.keras_class()))
            {
                Some(k) if k != Kind::Bidirectional => (
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

/// The layer `time_distributed` wraps: one that maps each vector (`dense`, an activation
/// layer, a training-only one); a recurrent layer reads the whole sequence itself.
fn check_per_timestep(outer: &LayerCall, v: &Value, errs: &mut Errors) -> Option<Options> {
    let Value::Call(call) = v else {
        errs.push_range(
            (v.span(), v.end_span()),
            format!(
                "expected a layer to apply to each timestep, found `{}`; e.g. `{}`",
                v.text(),
                with_wrapped(outer, "dense(8)", None)
            ),
        );
        return None;
    };
    let inner = check_call(call, errs)?;
    if inner.kind.is_recurrent() || inner.kind == Kind::TimeDistributed {
        errs.push_range(
            inner.range,
            format!(
                "`time_distributed` applies a layer to each timestep, found `{}`, which reads a whole sequence; use `{}` on its own",
                inner.call_text, inner.call_text
            ),
        );
        return None;
    }
    Some(inner)
}
