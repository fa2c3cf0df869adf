//! One argument's value: units, rates, seeds, flags, activations, merge modes and the
//! numbers of the activation layers, each checked as Keras checks it, with the fix in the
//! message.

use super::Errors;
use super::args::positive;
use super::diagnostics::{quoted_list, suggest};
use super::kind::Kind;
use crate::ast::Value;
use tinyrnn_spec::{
    ACTIVATION_ALIASES, ACTIVATIONS, ActivationSpec as Activation, MERGE_MODE_ALIASES, MERGE_MODES,
    MergeModeSpec as MergeMode,
};

pub(super) fn check_merge_mode(v: &Value, errs: &mut Errors) -> Option<&'static MergeMode> {
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
pub(super) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Float(f) => f.base10_parse::<f64>().ok(),
        Value::Int(n) => n.base10_parse::<f64>().ok(),
        Value::Negative { number: n, .. } => number(n).map(|x| -x),
        _ => None,
    }
}

/// A dropout `rate` or a noise `stddev`: Keras 3 accepts both from 0 to 1, inclusive.
pub(super) fn check_rate(key: &str, v: &Value, errs: &mut Errors) -> bool {
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
pub(super) fn check_seed(v: &Value, errs: &mut Errors) -> bool {
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

/// `reshape`'s `target_shape`: `[timesteps, features]` or `[features]` (brackets or a
/// tuple's parentheses), each at least 1 or one of them `-1` (`None`: worked out from the
/// input).
pub(super) fn check_target_shape(v: &Value, errs: &mut Errors) -> Option<Vec<Option<usize>>> {
    use proc_macro2::{Delimiter, TokenTree};
    let wrong = |errs: &mut Errors, why: &str| {
        errs.push_range(
            (v.span(), v.end_span()),
            format!(
                "expected `target_shape` as `[timesteps, features]` or `[features]` (one entry may be `-1`), found `{}`{why}",
                v.text()
            ),
        );
        None
    };
    let Value::Other(tokens) = v else {
        return wrong(errs, "");
    };
    let mut trees = tokens.clone().into_iter();
    let (Some(TokenTree::Group(group)), None) = (trees.next(), trees.next()) else {
        return wrong(errs, "");
    };
    if !matches!(
        group.delimiter(),
        Delimiter::Bracket | Delimiter::Parenthesis
    ) {
        return wrong(errs, "");
    }
    let mut dims = Vec::new();
    let mut negative = false;
    for tree in group.stream() {
        match tree {
            TokenTree::Punct(p) if p.as_char() == ',' => {}
            TokenTree::Punct(p) if p.as_char() == '-' && !negative => negative = true,
            TokenTree::Literal(lit) => {
                let Ok(n) = lit.to_string().parse::<u64>() else {
                    return wrong(errs, "; each entry is a whole number");
                };
                match (negative, n) {
                    (true, 1) => dims.push(None),
                    (false, n) if n >= 1 => dims.push(Some(usize::try_from(n).ok()?)),
                    _ => return wrong(errs, "; each entry is at least 1, or `-1`"),
                }
                negative = false;
            }
            _ => return wrong(errs, ""),
        }
    }
    if dims.is_empty() || dims.len() > 2 {
        return wrong(errs, "; a sequence model's shapes have 1 or 2 dimensions");
    }
    if dims.iter().filter(|d| d.is_none()).count() > 1 {
        return wrong(errs, "; at most one entry may be `-1`");
    }
    Some(dims)
}

/// `padding = valid | same | causal` (`causal` for `conv1d` only), as a name or a string.
pub(super) fn check_padding(kind: Kind, v: &Value, errs: &mut Errors) -> Option<super::Padding> {
    use super::Padding;
    let name = match v {
        Value::Ident(i) => i.to_string(),
        Value::Str(s) => s.value(),
        _ => String::new(),
    };
    let allowed: &[&str] = if kind == Kind::Conv1d {
        &["valid", "same", "causal"]
    } else {
        &["valid", "same"]
    };
    match name.as_str() {
        "valid" => return Some(Padding::Valid),
        "same" => return Some(Padding::Same),
        "causal" if kind == Kind::Conv1d => return Some(Padding::Causal),
        _ => {}
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected `padding` of {}, found `{}`",
            quoted_list(allowed),
            v.text()
        ),
    );
    None
}

/// `zero_padding1d`'s `padding` or `cropping1d`'s `cropping`: timesteps at the start and
/// at the end, `n` for both or `[start, end]` (Keras's int or tuple), zeros allowed.
pub(super) fn check_ends(key: &str, v: &Value, errs: &mut Errors) -> Option<(usize, usize)> {
    use proc_macro2::{Delimiter, TokenTree};
    let whole = |lit: &proc_macro2::Literal| lit.to_string().parse::<usize>().ok();
    match v {
        Value::Int(n) => {
            if let Ok(n) = n.base10_parse::<usize>() {
                return Some((n, n));
            }
        }
        Value::Other(tokens) => {
            let mut trees = tokens.clone().into_iter();
            if let (Some(TokenTree::Group(group)), None) = (trees.next(), trees.next())
                && matches!(
                    group.delimiter(),
                    Delimiter::Bracket | Delimiter::Parenthesis
                )
            {
                let items: Vec<TokenTree> = group.stream().into_iter().collect();
                if let [
                    TokenTree::Literal(start),
                    TokenTree::Punct(comma),
                    TokenTree::Literal(end),
                ] = items.as_slice()
                    && comma.as_char() == ','
                    && let (Some(start), Some(end)) = (whole(start), whole(end))
                {
                    return Some((start, end));
                }
            }
        }
        _ => {}
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected `{key}` as a whole number of timesteps for both ends, or `[start, end]`, found `{}`",
            v.text()
        ),
    );
    None
}

/// `prelu`'s `shared_axes`: `[1]`, `[2]` or `[1, 2]` (Keras's axes after the batch's: 1 the
/// timesteps of a sequence, or a vector's units; 2 a sequence's units).
pub(super) fn check_axes(v: &Value, errs: &mut Errors) -> Option<Vec<usize>> {
    let dims = check_target_shape(v, errs)?;
    let axes: Option<Vec<usize>> = dims.iter().map(|d| d.filter(|&a| a <= 2)).collect();
    if let Some(mut axes) = axes {
        axes.sort_unstable();
        axes.dedup();
        return Some(axes);
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected `shared_axes` among `[1, 2]` (1: the timesteps, or a vector's units; 2: a sequence's units), found `{}`",
            v.text()
        ),
    );
    None
}

/// A window's size, stride, dilation or groups: a whole number, at least 1.
pub(super) fn check_count(key: &str, v: &Value, errs: &mut Errors) -> Option<usize> {
    if let Value::Int(n) = v {
        return positive(
            n,
            &format!("expected `{key}` of at least 1, found `0`"),
            errs,
        );
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!("expected a whole number for `{key}`, found `{}`", v.text()),
    );
    None
}

/// `repeat_vector`'s `n`: how many timesteps it makes, at least 1.
pub(super) fn check_repeat(v: &Value, errs: &mut Errors) -> Option<usize> {
    if let Value::Int(n) = v {
        return positive(n, "expected `n` of at least 1 (timesteps), found `0`", errs);
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected a whole number of timesteps for `n`, found `{}`",
            v.text()
        ),
    );
    None
}

/// `embedding`'s `input_dim`: how many token ids it maps, at least 1.
pub(super) fn check_input_dim(v: &Value, errs: &mut Errors) -> Option<usize> {
    if let Value::Int(n) = v {
        return positive(
            n,
            "expected an `input_dim` of at least 1 (the number of token ids), found `0`",
            errs,
        );
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected a whole number of token ids for `input_dim`, found `{}`",
            v.text()
        ),
    );
    None
}

pub(super) fn check_units(v: &Value, errs: &mut Errors) -> Option<usize> {
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

pub(super) fn check_flag(key: &str, v: &Value, errs: &mut Errors) -> Option<bool> {
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

pub(super) fn check_activation(
    key: &str,
    v: &Value,
    errs: &mut Errors,
) -> Option<&'static Activation> {
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

/// Keras's default of a boolean argument, from `tinyrnn_spec`.
pub(super) fn flag(name: &str) -> bool {
    tinyrnn_spec::flag_default(name).unwrap_or(false)
}

/// `axis = -1` (`softmax`, `layer_normalization`): Keras's default, the units; tinyrnn has
/// no other axis.
pub(super) fn check_axis(v: &Value, errs: &mut Errors) -> bool {
    if matches!(v, Value::Negative { number, .. } if matches!(&**number, Value::Int(n) if n.base10_digits() == "1"))
    {
        return true;
    }
    errs.push_range(
        (v.span(), v.end_span()),
        format!(
            "expected `-1` for `axis` (over the units, Keras's default), found `{}`; remove it",
            v.text()
        ),
    );
    false
}

/// A numeric argument of an activation layer (`relu(max_value = 6)`): a finite number, at
/// least Keras's least value where Keras has one.
pub(super) fn check_number(kind: Kind, key: &str, v: &Value, errs: &mut Errors) -> Option<f32> {
    let range = (v.span(), v.end_span());
    let least = tinyrnn_spec::number_argument(kind.keyword(), key).and_then(|(_, least)| least);
    #[allow(
        clippy::cast_possible_truncation,
        reason = "the argument becomes the f32 the layer computes with"
    )]
    match number(v).map(|x| x as f32) {
        Some(x) if x.is_finite() && least.is_none_or(|least| x >= least) => Some(x),
        Some(x) if x.is_finite() => {
            errs.push_range(
                range,
                format!(
                    "expected `{key}` of at least {}, found `{}`",
                    least.unwrap_or(0.0),
                    v.text()
                ),
            );
            None
        }
        _ => {
            errs.push_range(
                range,
                format!("expected a number for `{key}`, found `{}`", v.text()),
            );
            None
        }
    }
}
