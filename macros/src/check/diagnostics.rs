//! The wording of messages: call texts for hints, quoted lists, and spelling suggestions.

use super::kind::{Kind, kinds};
use crate::ast::{Arg, LayerCall, Value};

/// `bare`: the name had no parentheses, so it may be a misspelt `input` or `params`.
pub(super) fn unknown_layer(name: &str, bare: bool) -> String {
    if let Some(k) = kinds().find(|k| k.keras_class() == name) {
        return format!(
            "unknown layer `{name}`; Keras's `{name}` is `{}` here",
            k.keyword()
        );
    }
    let keywords: Vec<&str> = kinds().map(Kind::keyword).collect();
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
pub(super) const TRAINING_ONLY_ARGUMENTS: [&str; 15] = [
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
pub(super) fn unknown_argument(call: &LayerCall, kind: Kind, key: &str, value: &Value) -> String {
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
        && kinds().any(|k| k.is_recurrent() && k.arguments().contains(&key))
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
    let owners: Vec<&str> = kinds()
        .filter(|k| k.arguments().contains(&key))
        .map(Kind::keyword)
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
pub(super) fn is_shape_argument(key: &str) -> bool {
    matches!(
        key,
        "input_shape" | "input_dim" | "batch_input_shape" | "shape"
    )
}

pub(super) fn arg_text(arg: &Arg) -> String {
    match arg {
        Arg::Positional(v) => v.text(),
        Arg::Named { key, value } => format!("{key} = {}", value.text()),
    }
}

/// `simple_rnn(2, return_sequences = true)`, as written, for messages; with `set`, one
/// named argument replaced or added.
pub(super) fn call_text(call: &LayerCall, set: Option<(&str, &str)>) -> String {
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
pub(super) fn quoted_list(names: &[&str]) -> String {
    quoted_list_joined(names, "or")
}

/// [`quoted_list`] with another conjunction: `` `a`, `b`, and `c` ``.
pub(super) fn quoted_list_joined(names: &[&str], conjunction: &str) -> String {
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
pub(super) fn with_wrapped(outer: &LayerCall, inner: &str, drop: Option<&str>) -> String {
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
pub(super) fn call_text_without(call: &LayerCall, key: &str) -> String {
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
pub(super) fn suggest<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
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
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
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
