//! Data flow and planning: which layers see sequences, what `forward` must buffer, the
//! parameter count, and the checked layers and stages the expansion follows.

use super::kind::Kind;
use super::{Errors, Flow, Input, Layer, Model, Options, Section, Stage};
use proc_macro2::{Ident, Span};
use std::ops::Range;
use syn::Visibility;

/// A sequence stays a sequence; otherwise the flow was not known.
pub(super) fn flow_after_sequence(before: Flow) -> Flow {
    match before {
        Flow::Unknown => Flow::Unknown,
        _ => Flow::Sequence,
    }
}

/// `simple_rnn(2)` after `simple_rnn(4)`, which returns one vector.
pub(super) fn needs_sequence(layer: &Options, prev: &Options) -> String {
    if prev.kind == Kind::Flatten {
        return format!(
            "`{}` needs a sequence, but `{}` before it makes one vector of the whole sequence; remove `{}`, or repeat the vector as a sequence with `repeat_vector(n)`",
            layer.call_text, prev.call_text, prev.call_text
        );
    }
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
        None => match &layer.wrapped {
            // On one vector the wrapped layer alone does what `time_distributed` would.
            Some(inner) if layer.kind == Kind::TimeDistributed => {
                format!(", or use `{}` on the vector", inner.call_text)
            }
            _ => String::new(),
        },
    };
    format!(
        "`{}` needs a sequence, but `{}` before it returns only its last timestep; {fix}{or_dropout}",
        layer.call_text, prev.call_text
    )
}

/// Every layer's parameter count and formula, when every size is known, with the total.
pub(super) fn count_params(
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

/// The checked layer for `opt` on `input`-wide vectors; `field` names it; `timesteps` are
/// those of the sequence it emits, when it emits one.
pub(super) fn build_layer(
    opt: &Options,
    field: &str,
    input: usize,
    seq_out: bool,
    timesteps: Option<usize>,
) -> Option<Layer> {
    let wrapped = match &opt.wrapped {
        Some(inner) => Some(Box::new(build_layer(
            inner, field, input, seq_out, timesteps,
        )?)),
        None => None,
    };
    let merge = match opt.kind {
        Kind::Bidirectional => Some(opt.merge?),
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
        merge,
        numbers: numbers(opt)?,
        center: opt.center?,
        scale: opt.scale?,
        invert: opt.invert?,
        input_dim: opt.input_dim.unwrap_or(0),
        mask_zero: opt.mask_zero?,
        timesteps: match opt.kind {
            Kind::RepeatVector => opt.repeat,
            Kind::Reshape => opt.reshaped?.0.or(timesteps),
            k if k.slides_window() && !opt.streams => opt.reshaped?.0,
            _ => timesteps,
        },
        flatten_len: opt.flatten_len.unwrap_or(1),
        alpha: opt.alpha.unwrap_or(0),
        shared_axes: opt.shared_axes.clone().unwrap_or_default(),
        window: opt.window,
        resample: opt.resample,
        streams: opt.streams,
        gated: opt.gated,
    })
}

/// The model, from layers that all checked out.
pub(super) fn build(
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
    // Keras names layers by class in snake case, numbered per class: `lstm`, `lstm_1`,
    // `re_lu`; a wrapped layer takes a number too.
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
    let mut timesteps = input.timesteps;
    for (opt, &seq_out) in options.iter().zip(seq_out) {
        let opt = opt.as_ref()?;
        let field = next_name(opt.kind.spec().saving_name);
        if let Some(inner) = &opt.wrapped {
            next_name(inner.kind.spec().saving_name);
        }
        let layer = build_layer(opt, &field, width, seq_out, timesteps)?;
        width = layer.units;
        timesteps = layer.timesteps;
        layers.push(layer);
    }
    let sections = sections(&layers, input.timesteps);
    let needs_buffer = sections.first().is_some_and(|s| {
        s.stages.len() > 1
            || layers[s.stages.first().map_or(0, |st| st.layers.start)..s.tail.start]
                .iter()
                .any(|l| l.kind == Kind::Bidirectional && l.seq_out)
    });
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
        tokens: input.tokens(),
        layers,
        sections,
        params,
        weights: None,
    })
}

/// The sections of the model: the input's sequence, then one after each `repeat_vector`.
pub(crate) fn sections(layers: &[Layer], input: Option<usize>) -> Vec<Section> {
    let mut sections = Vec::new();
    let (mut start, mut timesteps, mut source) = (0, input, None);
    for (i, l) in layers.iter().enumerate() {
        // A `repeat_vector`, a `reshape` that makes a sequence, a convolution or a pooling
        // starts a new one.
        if l.kind == Kind::RepeatVector
            || (l.kind == Kind::Reshape && l.seq_out)
            || (l.kind.slides_window() && !l.streams)
        {
            let (stages, tail) = plan(layers, start..i);
            sections.push(Section {
                timesteps,
                source,
                stages,
                tail,
            });
            (start, timesteps, source) = (i + 1, l.timesteps, Some(i));
        }
    }
    let (stages, tail) = plan(layers, start..layers.len());
    sections.push(Section {
        timesteps,
        source,
        stages,
        tail,
    });
    sections
}

/// Splits the layers of `range` that see its sequence into stages, and returns the tail
/// after them. A stage runs timestep by timestep over its source (the section's sequence,
/// or the buffered output of the stage before); a new one starts where a layer must read
/// its whole input first: `go_backwards` after a recurrent layer, and every `bidirectional`
/// after other layers. A `flatten` of the sequence starts the tail, reading the last
/// stage's buffered output.
pub(super) fn plan(layers: &[Layer], range: Range<usize>) -> (Vec<Stage>, Range<usize>) {
    let end = range.end;
    let mut seq_end = layers[range.clone()]
        .iter()
        .position(|l| !l.seq_out)
        .map_or(end, |i| range.start + i + 1);
    if seq_end > range.start
        && ((matches!(layers[seq_end - 1].kind, Kind::Flatten | Kind::Reshape)
            && layers[seq_end - 1].flatten_len > 1)
            || (layers[seq_end - 1].kind.pools_globally() && !layers[seq_end - 1].gated))
    {
        seq_end -= 1;
    }
    let mut stages: Vec<Stage> = Vec::new();
    let mut has_recurrent = false;
    for (i, layer) in layers.iter().enumerate().take(seq_end).skip(range.start) {
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
        has_recurrent |= layer.has_state();
    }
    (stages, seq_end..end)
}

/// The numeric arguments of an activation layer, each given or Keras's default (`None`,
/// Keras's "no limit", is infinity); `None` when a given one was wrong.
fn numbers(opt: &Options) -> Option<Vec<(&'static str, f32)>> {
    let keyword = opt.kind.keyword();
    tinyrnn_spec::NUMBER_ARGUMENTS
        .iter()
        .filter(|(k, ..)| *k == keyword)
        .map(|(_, name, default, _)| {
            let value = match opt.numbers.iter().find(|(n, _)| n == name) {
                Some((_, given)) => (*given)?,
                None => default.unwrap_or(f32::INFINITY),
            };
            Some((*name, value))
        })
        // A dropout or noise layer's rate or deviation: for training mode.
        .chain(
            opt.numbers
                .iter()
                .filter(|(name, _)| matches!(*name, "rate" | "stddev"))
                .map(|(name, value)| value.map(|v| (*name, v))),
        )
        .collect()
}
