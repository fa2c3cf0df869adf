//! The generated `backward` (issue 16): the model's forward pass keeping each layer's tape,
//! the loss's gradient, then the layers' backward passes in reverse order and back through
//! time, adding every weight's gradient into a model of the same type.
//!
//! For every layer on an input of a fixed length: `simple_rnn`, `lstm` and `gru`
//! (`go_backwards` too), `bidirectional` around them (every merge mode), `dense`,
//! `time_distributed`, the activation and normalization layers, `embedding`, `conv1d`
//! (a causal one of stride 1 streaming, as in `step`), the poolings, `zero_padding1d`,
//! `cropping1d`, `up_sampling1d`, `repeat_vector`, `flatten`, `reshape` and the
//! training-only layers (the identity; in training mode, `backward_training`, as Keras
//! draws them), with a mask from one source. On a sequence of any length (`input [_, F]`)
//! the same: the stages' tapes and sequences are `Vec`s as long as their sequence, so it
//! needs `std` (`with_heap!`), and the windows and poolings that `forward` slides along it
//! run over their whole input, starting sections as on a fixed length
//! (`sliding_as_sources`). Other models (two mask sources) get a `backward` whose call is
//! a compile error that says why.
//!
//! The layers run in sections and stages as in `forward`. A section is the run of layers
//! over one sequence: the input's, or the one its source layer (`conv1d`, a pooling, a
//! resampling layer, `reshape`, `repeat_vector`) makes from the section before's whole
//! sequence or final vector. Within a section, a `go_backwards` layer or a `bidirectional`
//! starts a stage that reads the stage before's whole output. The forward pass keeps each
//! section's input, each stage's output sequence and every layer's tape; the backward pass
//! goes through the sections in reverse: the tail (back to the last stage's last vector, or
//! through a `flatten`, `reshape` or global pooling to its whole sequence), the stages in
//! reverse, each back through its own timesteps handing the gradient with respect to its
//! input sequence to the stage before, then the source layer, which hands the gradient
//! with respect to the previous section's sequence (or final vector) back to it.

use super::lit;
use crate::check::{Kind, Layer, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

/// Why `backward` is not generated for this model yet, if it is not.
pub(super) fn why_not_trainable(m: &Model) -> Option<String> {
    // A mask from a later layer is read as it is made, in time order; one read backwards
    // (`go_backwards`, `bidirectional`, a global average) is looked up by timestep, from the
    // first layer (as `forward` does).
    let source = |l: &Layer| l.kind == Kind::Masking || (l.kind == Kind::Embedding && l.mask_zero);
    if m.layers.iter().filter(|l| source(l)).count() > 1 {
        return Some("it has more than one mask source".to_owned());
    }
    if m.layers.iter().skip(1).any(source) && super::forward::masked(m).positional {
        return Some("its mask, read backwards, does not come from its first layer".to_owned());
    }
    // (A mask ends at a convolution, a pooling, `flatten`, `reshape` and `repeat_vector`,
    // where Keras drops or ends it, so only the first section's layers read it.)
    let rnn = |l: &Layer| matches!(l.kind, Kind::SimpleRnn | Kind::Lstm | Kind::Gru);
    m.layers.iter().find_map(|l| {
        let ok = match l.kind {
            _ if rnn(l) => true,
            Kind::Bidirectional => l
                .wrapped
                .as_deref()
                .is_some_and(|inner| rnn(inner) && !inner.go_backwards),
            Kind::TimeDistributed => l
                .wrapped
                .as_deref()
                .is_some_and(|w| w.kind == Kind::Dense || vector_layer(w).is_some()),
            Kind::Dense
            | Kind::Embedding
            | Kind::Masking
            | Kind::Conv1d
            | Kind::RepeatVector
            | Kind::Flatten
            | Kind::Reshape => true,
            k if k.slides_window() || k.pools_globally() => true,
            k => k.is_passthrough() || vector_layer(l).is_some(),
        };
        (!ok).then(|| {
            format!(
                "layer `{}` has no backward pass yet (so far `simple_rnn`, `lstm`, `gru`, `bidirectional` around them, `dense`, `time_distributed(dense)`, the activation layers, `prelu`, `layer_normalization`, `batch_normalization`, `conv1d`, the poolings, the resampling and reshaping layers and the training-only layers)",
                l.field
            )
        })
    })
}

/// Layers that map each vector to one of the same width and keep their input and output
/// (`VectorTape`): activations, the normalizations, `prelu`. `true` for those with weights.
fn vector_layer(l: &Layer) -> Option<bool> {
    if l.kind.is_elementwise() {
        return Some(false);
    }
    matches!(
        l.kind.keyword(),
        "layer_normalization" | "batch_normalization" | "prelu" | "normalization"
    )
    .then_some(true)
}

/// A dropout or noise layer's keyword and its rate (or deviation), for training mode.
fn noise_layer(l: &Layer) -> Option<(&'static str, f32)> {
    if !l.kind.is_passthrough() {
        return None;
    }
    let value = l
        .numbers
        .iter()
        .find(|(name, _)| matches!(*name, "rate" | "stddev"))
        .map_or(0.0, |(_, v)| *v);
    Some((l.kind.keyword(), value))
}

fn tape_type(l: &Layer) -> TokenStream {
    if let (Kind::Bidirectional | Kind::TimeDistributed, Some(inner)) =
        (l.kind, l.wrapped.as_deref())
    {
        return tape_type(inner);
    }
    let layers = quote!(::tinyrnn::__private::layers);
    let (input, units) = (lit(l.input), lit(l.units));
    if noise_layer(l).is_some() {
        // What the gradient is multiplied by: the layer's draws in training mode.
        return quote!([f32; #units]);
    }
    if vector_layer(l).is_some() {
        return quote!(#layers::VectorTape<#units>);
    }
    if l.kind == Kind::Embedding {
        // The token id.
        return quote!(u32);
    }
    match l.kind {
        Kind::Conv1d if l.streams => {
            let size = lit(l.window.map_or(1, |w| w.size));
            quote!(#layers::CausalTape<#input, #units, #size>)
        }
        // On a sequence of any length: as long as its output, on the heap.
        Kind::Conv1d if l.timesteps.is_none() => quote!(::tinyrnn::__private::SlideTape<#units>),
        Kind::Conv1d => {
            let steps = lit(l.timesteps.unwrap_or(0));
            quote!(#layers::ConvTape<#steps, #units>)
        }
        Kind::SimpleRnn => quote!(#layers::RnnTape<#input, #units>),
        Kind::Lstm => {
            let gates = lit(4 * l.units);
            quote!(#layers::LstmTape<#input, #units, #gates>)
        }
        Kind::Gru => {
            let gates = lit(3 * l.units);
            quote!(#layers::GruTape<#input, #units, #gates>)
        }
        _ => quote!(#layers::DenseTape<#input, #units>),
    }
}

/// A `bidirectional` layer's wrapped layer and the names its two directions go by in the
/// generated code: the width of one direction, the wrapper's type (for its merge), the
/// tapes' fields and the buffers of each direction's outputs.
struct Directions<'a> {
    inner: &'a Layer,
    h: proc_macro2::Literal,
    ty: TokenStream,
    fwd: Ident,
    bwd: Ident,
    fwd_out: Ident,
    bwd_out: Ident,
}

fn directions(l: &Layer) -> Directions<'_> {
    let f = &l.field;
    // The checker only builds a `bidirectional` around a layer.
    let inner = l.wrapped.as_deref().unwrap_or(l);
    Directions {
        inner,
        h: lit(inner.units),
        ty: super::layer_type(l),
        fwd: format_ident!("{}_forward", f),
        bwd: format_ident!("{}_backward", f),
        fwd_out: format_ident!("forward_{}", f),
        bwd_out: format_ident!("backward_{}", f),
    }
}

/// The code of one recurrent layer's backward step: `layer` (an expression of the layer),
/// its tape slot, gradient and transposes; defines `g`, the input's gradient, and carries
/// `dh` (and `dc`, for an LSTM) back in time.
fn recurrent_back(
    kind: Kind,
    layer: &TokenStream,
    tape: &TokenStream,
    (dh, dc): (&Ident, &Ident),
    tr: &Ident,
) -> TokenStream {
    if kind == Kind::Lstm {
        quote! {
            let back = #layer.backward_step(&#tr, &mut #tape, &(g + #dh), &#dc);
            (#dh, #dc) = (back.h, back.c);
            let g = back.x;
        }
    } else {
        quote! {
            let (g, dh) = #layer.backward_step(&#tr, &mut #tape, &(g + #dh));
            #dh = dh;
        }
    }
}

/// `backward` and `TAPE_BYTES` (methods of the model), and the tape type (an item beside it).
#[allow(
    clippy::too_many_lines,
    reason = "one generated function: forward on the tapes, the loss, back through each stage"
)]
pub(super) fn backward(m: &Model, name: &Ident, state_name: &Ident) -> (TokenStream, TokenStream) {
    let tape_name = format_ident!("{}Tape", name);
    let units = lit(m.output_units());
    let features = lit(m.features);
    if let Some(why) = why_not_trainable(m) {
        let bound = quote!(::tinyrnn::__private::Trainable<'a>);
        return (untrainable(m, &why, &bound), TokenStream::new());
    }
    let any_len = m.timesteps.is_none();
    // On a sequence of any length, `forward` slides its windows and poolings along it one
    // timestep at a time; `backward` runs each over its whole input instead, as on a fixed
    // length (its output a `Vec`, as long as the windows make), so they start sections.
    let original = m;
    let as_sources;
    let m = if any_len && m.layers.iter().any(|l| l.gated) {
        as_sources = sliding_as_sources(m);
        &as_sources
    } else {
        m
    };
    // A window or pooling of a model of any length: its type has `train_slice`,
    // `pool_slice` and `backward_slice` (`original`'s type of it).
    let sliding = |i: usize| original.layers[i].gated;
    let t_len = m.timesteps.unwrap_or(0);
    let steps = lit(t_len);
    let x_type = match (m.tokens, any_len) {
        (true, false) => quote!([u32; #steps]),
        (true, true) => quote!([u32]),
        (false, false) => quote!([[f32; #features]; #steps]),
        (false, true) => quote!([[f32; #features]]),
    };
    let masks = super::forward::masked(m);
    // The section of each layer (a section's source is its first), and the timesteps of
    // the sequence its stages run over.
    let mut section_of = vec![0; m.layers.len()];
    for (n, section) in m.sections.iter().enumerate() {
        let start = section.source.unwrap_or(0);
        for slot in section_of.iter_mut().take(section.tail.end).skip(start) {
            *slot = n;
        }
    }
    let section_steps = |n: usize| m.sections[n].timesteps.unwrap_or(0);
    // Section `n`'s number of timesteps in the generated code: a literal, or `t_len` (the
    // input's length) on a model of any length; and a buffer of one value per timestep
    // (on the heap there).
    let steps_of = |n: usize| -> TokenStream {
        match (m.sections[n].timesteps, n) {
            (Some(t), _) => {
                let t = lit(t);
                quote!(#t)
            }
            (None, 0) => quote!(t_len),
            (None, n) => {
                let id = format_ident!("t_len_{}", n);
                quote!(#id)
            }
        }
    };
    let buffer = |zero: TokenStream, n: usize| -> TokenStream {
        let steps = steps_of(n);
        if m.sections[n].timesteps.is_some() {
            quote!([#zero; #steps])
        } else {
            quote!(::tinyrnn::__private::filled(#zero, #steps))
        }
    };
    let in_stage = |i: usize| {
        m.sections
            .iter()
            .flat_map(|s| &s.stages)
            .any(|s| s.layers.contains(&i))
    };
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    let weighted = |l: &Layer| {
        l.kind.is_recurrent()
            || l.kind == Kind::Dense
            || l.kind == Kind::Conv1d
            || l.kind == Kind::Embedding
            || l.kind == Kind::TimeDistributed
            || vector_layer(l) == Some(true)
    };
    let taped = |l: &Layer| weighted(l) || noise_layer(l).is_some() || vector_layer(l).is_some();
    let bidirectional = |l: &Layer| l.kind == Kind::Bidirectional;

    // The tape: per timestep for the layers of the sequence, once for the tail's; the two
    // directions of a `bidirectional` apart.
    let mut tape_fields = Vec::new();
    let mut tape_zero = Vec::new();
    // A model of any length: its stages' tapes are `Vec`s, grown to the sequence.
    let mut tape_grow = vec![TokenStream::new(); m.sections.len()];
    let mut step_sizes = Vec::new();
    for (i, l) in m.layers.iter().enumerate() {
        if !taped(l) {
            continue;
        }
        let zero = if noise_layer(l).is_some() {
            let u = lit(l.units);
            quote!([0.0_f32; #u])
        } else if l.kind == Kind::Embedding {
            quote!(0_u32)
        } else {
            let ty = tape_type(l);
            quote!(<#ty>::ZERO)
        };
        let ty = tape_type(l);
        let fields = if bidirectional(l) {
            vec![
                format_ident!("{}_forward", l.field),
                format_ident!("{}_backward", l.field),
            ]
        } else {
            vec![l.field.clone()]
        };
        for f in fields {
            if in_stage(i) && m.sections[section_of[i]].timesteps.is_none() {
                // As long as the sequence: sized by `backward_in`.
                tape_fields.push(quote!(pub #f: ::tinyrnn::__private::Vec<#ty>));
                tape_zero.push(quote!(#f: ::tinyrnn::__private::Vec::new()));
                let steps = steps_of(section_of[i]);
                tape_grow[section_of[i]].extend(quote! {
                    tape.#f.clear();
                    tape.#f.resize_with(#steps, || #zero);
                });
                step_sizes.push(quote!(::core::mem::size_of::<#ty>()));
            } else if in_stage(i) {
                let steps = lit(section_steps(section_of[i]));
                tape_fields.push(quote!(pub #f: [#ty; #steps]));
                tape_zero.push(quote!(#f: [#zero; #steps]));
            } else {
                tape_fields.push(quote!(pub #f: #ty));
                tape_zero.push(quote!(#f: #zero));
            }
        }
    }

    // Forward, keeping the tapes. A dropout or noise layer draws in training mode only
    // (`noise` is `Some`), and keeps what it multiplied by.
    let noise_call = |l: &Layer, slot: TokenStream| -> TokenStream {
        let Some((keyword, value)) = noise_layer(l) else {
            return TokenStream::new();
        };
        let layers = quote!(::tinyrnn::__private::train::noise_layers);
        let draw = match keyword {
            "spatial_dropout1d" => {
                let mask = format_ident!("mask_{}", l.field);
                quote!(#layers::scale(&mut a, &#mask, &mut #slot))
            }
            "gaussian_noise" => quote!(#layers::gaussian_noise(&mut a, #value, noise, &mut #slot)),
            "gaussian_dropout" => {
                quote!(#layers::gaussian_dropout(&mut a, #value, noise, &mut #slot))
            }
            "alpha_dropout" => quote!(#layers::alpha_dropout(&mut a, #value, noise, &mut #slot)),
            _ => quote!(#layers::dropout(&mut a, #value, noise, &mut #slot)),
        };
        quote! {
            let v = match noise.as_deref_mut() {
                ::core::option::Option::Some(noise) => {
                    let _ = &noise;
                    let mut a = v.data.0[0];
                    #draw;
                    #vector::from(a)
                }
                ::core::option::Option::None => v,
            };
        }
    };
    // A `masking` after the first layer: `keep` is filled as the stage runs.
    let later_source = m
        .layers
        .iter()
        .position(|l| l.kind == Kind::Masking)
        .filter(|&s| s > 0);
    // One layer's forward call at processing step `k` of its stage (`None`: the tail).
    let call = |i: usize, at: Option<TokenStream>| -> TokenStream {
        let l = &m.layers[i];
        let f = &l.field;
        let slot = at
            .as_ref()
            .map_or_else(|| quote!(tape.#f), |k| quote!(tape.#f[#k]));
        match l.kind {
            Kind::Dense => quote!(let v = self.#f.step_train(&v, &mut #slot);),
            Kind::TimeDistributed => quote!(let v = self.#f.layer.step_train(&v, &mut #slot);),
            // A masked timestep: the state and output carried over, as Keras does, and
            // the tape's gradients zero (the weights get nothing from it).
            k if k.is_recurrent() && !bidirectional(l) && masks.reads[i] => {
                let ty = tape_type(l);
                // A `go_backwards` layer reads timestep T - 1 - k at its step k; the layers
                // after it in its stage read its k-th output there, with the mask of
                // timestep k (Keras passes its mask on in time order).
                let at = if l.go_backwards {
                    let steps_lit = steps_of(0);
                    quote!(#steps_lit - 1 - k)
                } else {
                    quote!(k)
                };
                quote! {
                    let v = if keep[#at] {
                        self.#f.step_train(&mut state.#f, &v, &mut #slot)
                    } else {
                        #slot = <#ty>::ZERO;
                        self.#f.carried(&state.#f)
                    };
                }
            }
            k if k.is_recurrent() && !bidirectional(l) => {
                quote!(let v = self.#f.step_train(&mut state.#f, &v, &mut #slot);)
            }
            // A mask made here (not by the first layer): kept for the readers after it, in
            // time order (they read it forwards).
            Kind::Masking if Some(i) == later_source => match at {
                Some(k) => quote!(keep[#k] = self.#f.keeps(&v);),
                None => TokenStream::new(),
            },
            Kind::Masking => TokenStream::new(),
            // A causal convolution in a stage: one timestep at a time, its ring as state.
            Kind::Conv1d if l.streams => {
                quote!(let v = self.#f.step_train(&mut state.#f, &v, &mut #slot);)
            }
            // On a vector, which they keep (a whole sequence is read by the tail's start).
            Kind::Flatten | Kind::Reshape => quote!(let v = self.#f.step_vector(&mut (), &v);),
            _ if vector_layer(l).is_some() => quote!(let v = self.#f.step_train(&v, &mut #slot);),
            Kind::Embedding => quote! {
                #slot = v;
                let v = self.#f.step(&mut (), &v);
            },
            _ => noise_call(l, slot),
        }
    };
    // SpatialDropout1D: one mask per sequence.
    let spatial_masks = m.layers.iter().enumerate().filter_map(|(i, l)| {
        let (keyword, rate) = noise_layer(l)?;
        (keyword == "spatial_dropout1d" && in_stage(i)).then(|| {
            let mask = format_ident!("mask_{}", l.field);
            let u = lit(l.units);
            quote! {
                let #mask: [f32; #u] = match noise.as_deref_mut() {
                    ::core::option::Option::Some(noise) => {
                        ::tinyrnn::__private::train::noise_layers::spatial_mask(#rate, noise)
                    }
                    ::core::option::Option::None => [1.0; #u],
                };
            }
        })
    });
    let spatial_masks: Vec<TokenStream> = spatial_masks.collect();

    // The sections' forward passes. Section `n` reads `in_n` (a reference: the input, or
    // what its source layer makes of the section before); its stage `s` reads `seq_n_{s-1}`
    // (`in_n` for the first), in reverse for a `go_backwards` stage, and writes `seq_n_s` (a
    // sequence, in the order it processes the timesteps) or `last_n_s` (its last vector);
    // its tail leaves `out_n`, its last vector.
    let mut forward_stages = TokenStream::new();
    let last_section = m.sections.len() - 1;
    let sequences = m.returns_sequences();
    // Whether a layer reads its section's whole sequence at once, into one vector (the
    // first of a tail), or the previous section's into its own sequence (a source).
    let whole_reader = |l: &Layer| {
        (matches!(l.kind, Kind::Flatten | Kind::Reshape) && l.flatten_len > 1)
            || l.kind.pools_globally()
            || l.kind.slides_window()
    };
    // Section `n`'s whole sequence (a reference): its last stage's, or its input's.
    let whole = |n: usize| -> TokenStream {
        let section = &m.sections[n];
        if section.stages.is_empty() {
            let input = format_ident!("in_{}", n);
            quote!(#input)
        } else {
            let seq = format_ident!("seq_{}_{}", n, section.stages.len() - 1);
            quote!((&#seq))
        }
    };
    // The tail's first layer, when it reads the whole sequence.
    let tail_reader = |n: usize| -> Option<usize> {
        let tail = &m.sections[n].tail;
        (!tail.is_empty() && whole_reader(&m.layers[tail.start])).then_some(tail.start)
    };
    let stage_out =
        |n: usize, s: usize| -> &Layer { &m.layers[m.sections[n].stages[s].layers.end - 1] };
    let width_in = |n: usize, s: usize| -> usize {
        m.layers
            .get(m.sections[n].stages[s].layers.start)
            .map_or(m.features, |l| l.input)
    };
    for (n, section) in m.sections.iter().enumerate() {
        let stages = &section.stages;
        let steps = steps_of(n);
        let input = format_ident!("in_{}", n);
        let made = match section.source {
            None => quote!(x),
            Some(r) => {
                let l = &m.layers[r];
                let f = &l.field;
                let before = whole(n - 1);
                let out = format_ident!("out_{}", n - 1);
                let ty = super::layer_type(&original.layers[r]);
                let width = lit(l.input);
                match l.kind {
                    // A window on a sequence of any length: its output as long as the
                    // windows make (in the tape, or on the heap).
                    Kind::Conv1d if sliding(r) => quote! {{
                        let outputs = <#ty>::outputs(#before.len());
                        tape.#f.resize(outputs);
                        self.#f.train_slice(#before, &mut tape.#f.z, &mut tape.#f.y);
                        &tape.#f.y[..]
                    }},
                    _ if sliding(r) => quote! {&{
                        let mut pooled = ::tinyrnn::__private::filled(
                            [0.0_f32; #width],
                            <#ty>::outputs(#before.len()),
                        );
                        self.#f.pool_slice(#before, &mut pooled);
                        pooled
                    }},
                    Kind::Conv1d => quote!(&self.#f.step_train(#before, &mut tape.#f)),
                    Kind::RepeatVector => quote!(&self.#f.step(&mut (), &#out)),
                    Kind::Reshape if l.flatten_len <= 1 => quote!(&self.#f.from_vector(&#out)),
                    _ => quote!(&self.#f.step(&mut (), #before)),
                }
            }
        };
        forward_stages.extend(quote!(let #input = #made;));
        if n > 0 && section.timesteps.is_none() {
            // Its length: the windows' count (none would leave the layers after them
            // nothing to read, so Keras refuses it too).
            let len = steps_of(n);
            let grow = &tape_grow[n];
            forward_stages.extend(quote! {
                let #len = #input.len();
                ::core::assert!(
                    #len > 0,
                    "backward: the input's {} timesteps are too few for a window",
                    t_len
                );
                #grow
            });
        }
        let source = |s: usize| -> TokenStream {
            if s == 0 {
                quote!(#input)
            } else {
                let src = format_ident!("seq_{}_{}", n, s - 1);
                quote!(#src)
            }
        };
        for (s, stage) in stages.iter().enumerate() {
            let src = source(s);
            let w_in = lit(width_in(n, s));
            let out = stage_out(n, s);
            let w_out = lit(out.units);
            let (seq, last) = (
                format_ident!("seq_{}_{}", n, s),
                format_ident!("last_{}_{}", n, s),
            );
            let first = &m.layers[stage.layers.start];
            let pos = if stage.reversed {
                quote!(#steps - 1 - k)
            } else {
                quote!(k)
            };
            let read = if n == 0 && s == 0 && m.tokens {
                quote!(let v: u32 = #src[#pos];)
            } else {
                quote!(let v = #vector::<f32, #w_in>::from(#src[#pos]);)
            };
            let rest_start = stage.layers.start + usize::from(bidirectional(first));
            let calls = (rest_start..stage.layers.end).map(|i| call(i, Some(quote!(k))));
            let calls: Vec<TokenStream> = calls.collect();
            let sink = if out.seq_out {
                quote!(#seq[k] = v.into();)
            } else {
                quote!(#last = v;)
            };
            let mut prelude = if out.seq_out {
                let seq_buffer = buffer(quote!([0.0_f32; #w_out]), n);
                quote!(let mut #seq = #seq_buffer;)
            } else {
                quote!(let mut #last = #vector::<f32, #w_out>::zeros();)
            };
            let mut head = TokenStream::new();
            let mut after = TokenStream::new();
            if bidirectional(first) {
                let f = &first.field;
                let Directions {
                    inner,
                    h,
                    ty,
                    fwd,
                    bwd,
                    fwd_out,
                    bwd_out,
                } = directions(first);
                // A mask: each direction skips its masked timesteps, carrying its state;
                // the outputs there are zeros when returning sequences (Keras's
                // `zero_output_for_mask`), else the carried state (the last output).
                let masked = masks.reads[stage.layers.start];
                let inner_tape = tape_type(inner);
                let skipped = |dir: TokenStream, half: TokenStream| {
                    if first.seq_out {
                        quote!(#vector::<f32, #h>::zeros())
                    } else {
                        quote!(self.#f.#dir.carried(&state.#f.#half))
                    }
                };
                let (bwd_skip, fwd_skip) = (
                    skipped(quote!(backward_layer), quote!(1)),
                    skipped(quote!(forward_layer), quote!(0)),
                );
                let bwd_call = if masked {
                    quote! {
                        if keep[t] {
                            self.#f.backward_layer.step_train(&mut state.#f.1, &v, &mut tape.#bwd[k])
                        } else {
                            tape.#bwd[k] = <#inner_tape>::ZERO;
                            #bwd_skip
                        }
                    }
                } else {
                    quote!(self.#f.backward_layer.step_train(&mut state.#f.1, &v, &mut tape.#bwd[k]))
                };
                let fwd_call = if masked {
                    quote! {
                        if keep[k] {
                            self.#f.forward_layer.step_train(&mut state.#f.0, &v, &mut tape.#fwd[k])
                        } else {
                            tape.#fwd[k] = <#inner_tape>::ZERO;
                            #fwd_skip
                        }
                    }
                } else {
                    quote!(self.#f.forward_layer.step_train(&mut state.#f.0, &v, &mut tape.#fwd[k]))
                };
                // The backward direction first, its outputs aligned in time (Keras's order).
                let direction_buffer = buffer(quote!([0.0_f32; #h]), n);
                prelude.extend(quote! {
                    let mut #bwd_out = #direction_buffer;
                    let mut #fwd_out = #direction_buffer;
                    for k in 0..#steps {
                        let t = #steps - 1 - k;
                        let v = #vector::<f32, #w_in>::from(#src[t]);
                        let v = #bwd_call;
                        #bwd_out[t] = v.into();
                    }
                });
                head = quote! {
                    let forward = #fwd_call;
                    #fwd_out[k] = forward.into();
                };
                if first.seq_out {
                    let merged = lit(first.units);
                    head.extend(quote! {
                        let v: #vector<f32, #merged> = <#ty>::merge::<#h, #merged>(
                            &forward,
                            &#vector::from(#bwd_out[k]),
                        );
                    });
                } else {
                    // Only the last outputs: merged after the loop (nothing follows in this stage).
                    head.extend(quote!(let _ = forward;));
                    after = quote! {
                        #last = <#ty>::merge::<#h, #w_out>(
                            &#vector::from(#fwd_out[#steps - 1]),
                            &#vector::from(#bwd_out[0]),
                        );
                    };
                }
            }
            let sink = if bidirectional(first) && !first.seq_out {
                TokenStream::new()
            } else {
                sink
            };
            forward_stages.extend(quote! {
                #prelude
                for k in 0..#steps {
                    #read
                    let _ = &v;
                    #head
                    #( #calls )*
                    #sink
                }
                #after
            });
        }
        // The tail, when the section ends in a vector: the model's output, or what the next
        // section's `repeat_vector` or `reshape` reads.
        let next_reads_vector = m
            .sections
            .get(n + 1)
            .and_then(|next| next.source)
            .is_some_and(|r| !whole_reader(&m.layers[r]));
        if (n == last_section && !sequences) || next_reads_vector {
            let mut tail = section.tail.clone();
            let start = if let Some(r) = tail_reader(n) {
                let l = &m.layers[r];
                let f = &l.field;
                let all = whole(n);
                tail.start += 1;
                if sliding(r) && masks.reads[r] {
                    quote!(self.#f.pool_slice(#all, ::core::option::Option::Some(&keep)))
                } else if sliding(r) {
                    quote!(self.#f.pool_slice(#all, ::core::option::Option::None))
                } else if l.kind == Kind::Reshape {
                    quote!(self.#f.to_vector(#all))
                } else if masks.reads[r] {
                    // A masked global average: over the kept timesteps.
                    quote!(self.#f.masked_average(#all, &keep))
                } else {
                    quote!(self.#f.step(&mut (), #all))
                }
            } else {
                let last = format_ident!("last_{}_{}", n, stages.len().saturating_sub(1));
                quote!(#last)
            };
            let calls = tail.map(|i| call(i, None));
            let out = format_ident!("out_{}", n);
            forward_stages.extend(quote! {
                let v = #start;
                #( #calls )*
                let #out = v;
            });
        }
    }
    let out_steps = steps_of(last_section);
    let out_vector = format_ident!("out_{}", last_section);
    let (predictions, truth) = if sequences {
        let all = whole(last_section);
        (
            quote!(let predictions = #all.as_flattened();),
            quote!(y.as_flattened()),
        )
    } else {
        (
            quote! {
                let predictions: [f32; #units] = #out_vector.into();
                let predictions = &predictions[..];
            },
            quote!(&y[..]),
        )
    };

    // The last layer, whose activation Keras skips for a crossentropy after a sigmoid or a
    // softmax (it computes the loss from the logits): a `dense`, in the tail or the sequence.
    let last_index = m.layers.len() - 1;
    // (Or an activation layer: Keras's sigmoid and softmax tag their output with their
    // input, whatever layer applies them; `time_distributed` loses the tag.)
    let last = m
        .layers
        .last()
        .filter(|l| l.kind == Kind::Dense || l.kind.is_elementwise());
    // Where the last layer's tape keeps the logits.
    let logits_field = if last.is_some_and(|l| l.kind == Kind::Dense) {
        quote!(z)
    } else {
        quote!(x)
    };
    let from_logits = match last.map(|l| l.activation.name) {
        Some("sigmoid") => quote!(loss == ::tinyrnn::__private::train::Loss::BinaryCrossentropy),
        Some("softmax") => {
            quote!(loss == ::tinyrnn::__private::train::Loss::CategoricalCrossentropy)
        }
        _ => quote!(false),
    };
    let logits_buffer = buffer(quote!([0.0_f32; #units]), last_section);
    let logits = match last {
        Some(layer) if in_stage(last_index) => {
            let f = &layer.field;
            quote! {
                let mut logits = #logits_buffer;
                for (z, tape) in logits.iter_mut().zip(tape.#f.iter()) {
                    *z = tape.#logits_field.into();
                }
                let logits = logits.as_flattened();
            }
        }
        Some(layer) => {
            let f = &layer.field;
            quote!(let logits: [f32; #units] = tape.#f.#logits_field.into();)
        }
        None => quote!(let logits = predictions;),
    };

    // Backward. A first weighted layer's input gradient is not needed: it is not computed.
    let first_weighted = m.layers.iter().position(weighted);
    let needs_input = |i: usize| first_weighted.is_some_and(|first| first < i);
    let back = |i: usize, at: Option<TokenStream>| -> TokenStream {
        let l = &m.layers[i];
        let f = &l.field;
        let (slot, tape) = match &at {
            Some(k) => (quote!(tape.#f[#k]), quote!(&tape.#f[#k])),
            None => (quote!(tape.#f), quote!(&tape.#f)),
        };
        match l.kind {
            Kind::Dense if i == last_index => quote! {
                let g = if from_logits {
                    self.#f.backward_z(#tape, &g, &mut grads.#f)
                } else {
                    self.#f.backward(#tape, &g, &mut grads.#f)
                };
            },
            Kind::Dense => quote!(let g = self.#f.backward(#tape, &g, &mut grads.#f);),
            // Tap `j` read the timestep `(K - 1 - j) * DIL` before this one: its gradient
            // waits in `pending` until the loop gets there; the last tap's is this one's.
            Kind::Conv1d if l.streams => {
                let pending = format_ident!("pending_{}", f);
                let (size, dilation) = l.window.map_or((1, 1), |w| (w.size, w.dilation));
                let (last, dil) = (lit(size - 1), lit(dilation));
                quote! {
                    let taps = self.#f.backward_step(#tape, &g, &mut grads.#f);
                    for (j, tap) in taps.iter().enumerate().take(#last) {
                        let lag = (#last - j) * #dil;
                        if let Some(earlier) = k.checked_sub(lag).and_then(|e| #pending.get_mut(e)) {
                            for (p, v) in earlier.iter_mut().zip(tap) {
                                *p += v;
                            }
                        }
                    }
                    let mut now = taps[#last];
                    for (n, p) in now.iter_mut().zip(&#pending[k]) {
                        *n += p;
                    }
                    let g = #vector::from(now);
                }
            }
            Kind::TimeDistributed => {
                if l.wrapped.as_deref().and_then(vector_layer) == Some(false) {
                    quote!(let g = self.#f.layer.backward(#tape, &g);)
                } else {
                    quote!(let g = self.#f.layer.backward(#tape, &g, &mut grads.#f.layer);)
                }
            }
            _ if vector_layer(l) == Some(false) && i == last_index => quote! {
                let g = if from_logits { g } else { self.#f.backward(#tape, &g) };
            },
            _ if vector_layer(l) == Some(false) => quote!(let g = self.#f.backward(#tape, &g);),
            // The first layer: nothing before it wants a gradient.
            Kind::Embedding => quote! {
                grads.#f.add_gradient(#slot, &g);
                let g = ();
            },
            _ if vector_layer(l).is_some() => {
                quote!(let g = self.#f.backward(#tape, &g, &mut grads.#f);)
            }
            _ if noise_layer(l).is_some() => quote! {
                let g = if noisy {
                    g.component_mul(&#vector::from(#slot))
                } else {
                    g
                };
            },
            // The recurrent layers keep each timestep's gradients in their tapes and add
            // the weights' after the loop (`add_gradients`).
            k if k.is_recurrent() && !bidirectional(l) => {
                let (dh, dc) = (format_ident!("dh_{}", f), format_ident!("dc_{}", f));
                let tr = format_ident!("transposed_{}", f);
                let code = recurrent_back(k, &quote!(self.#f), &slot, (&dh, &dc), &tr);
                if masks.reads[i] {
                    let at = if l.go_backwards {
                        let steps_lit = steps_of(0);
                        quote!(#steps_lit - 1 - k)
                    } else {
                        quote!(k)
                    };
                    // A masked timestep passed its state (its output) through unchanged.
                    let width = lit(l.input);
                    quote! {
                        let g = if keep[#at] {
                            #code
                            g
                        } else {
                            #dh += g;
                            #vector::<f32, #width>::zeros()
                        };
                    }
                } else {
                    code
                }
            }
            _ => TokenStream::new(),
        }
    };
    // The state's (and cell's) gradients carried back in time, and the transposed kernels,
    // for one recurrent layer (`layer`: its expression; `name`: its identifiers' suffix).
    let carried = |kind: Kind, units: usize, name: &Ident, layer: &TokenStream, input: bool| {
        let (dh, dc, tr) = (
            format_ident!("dh_{}", name),
            format_ident!("dc_{}", name),
            format_ident!("transposed_{}", name),
        );
        let u = lit(units);
        let dc_decl =
            (kind == Kind::Lstm).then(|| quote!(let mut #dc = #vector::<f32, #u>::zeros();));
        quote! {
            let mut #dh = #vector::<f32, #u>::zeros();
            #dc_decl
            let #tr = #layer.transposed(#input);
        }
    };

    // Which parts of the backward pass run: a layer's input gradient is wanted when a
    // weighted layer comes before it (`needs_input`); a section's pass runs when it holds a
    // weighted layer or comes after one, a stage's likewise.
    let active = |n: usize| first_weighted.is_some_and(|f| f < m.sections[n].tail.end);
    let stage_runs =
        |stage: &crate::check::Stage| first_weighted.is_some_and(|f| f < stage.layers.end);
    // The gradient with respect to section `n`'s whole sequence, and to its final vector.
    let d_whole = |n: usize| -> Ident {
        let stages = m.sections[n].stages.len();
        if stages == 0 {
            format_ident!("d_in_{}", n)
        } else {
            format_ident!("d_seq_{}_{}", n, stages - 1)
        }
    };
    // Back through section `n`'s tail from `g` (the gradient with respect to its final
    // vector) to its last stage's last vector (`end_n`) or, through a layer that read the
    // whole sequence, to that sequence.
    let tail_back = |n: usize, g: TokenStream| -> TokenStream {
        let section = &m.sections[n];
        let reader = tail_reader(n);
        let layers = section.tail.start + usize::from(reader.is_some())..section.tail.end;
        let calls = layers.rev().map(|i| back(i, None));
        let to_stages = match reader {
            Some(reader) if needs_input(reader) => {
                let layer = &m.layers[reader];
                let field = &layer.field;
                let d_all = d_whole(n);
                let all = whole(n);
                let width = lit(layer.input);
                let keep = if masks.reads[reader] {
                    quote!(::core::option::Option::Some(&keep))
                } else {
                    quote!(::core::option::Option::None)
                };
                let call = if sliding(reader) {
                    quote! {{
                        let mut d = ::tinyrnn::__private::filled([0.0_f32; #width], #all.len());
                        self.#field.backward_slice(#all, #keep, &g, &mut d);
                        d
                    }}
                } else if layer.kind == Kind::Reshape {
                    quote!(self.#field.backward_to_vector(&g))
                } else if layer.kind == Kind::Flatten {
                    quote!(self.#field.backward(&g))
                } else if masks.reads[reader] {
                    quote!(self.#field.masked_average_backward(&keep, &g))
                } else {
                    quote!(self.#field.backward(#all, &g))
                };
                quote!(let #d_all = #call;)
            }
            None if section.stages.last().is_some_and(stage_runs) => {
                let end = format_ident!("end_{}", n);
                quote!(let #end = g;)
            }
            _ => quote!(let _ = g;),
        };
        quote! {
            let g = #g;
            #( #calls )*
            #to_stages
        }
    };
    // Where section `n`'s backward pass starts: the loss's gradient (the last section), or
    // what the next section's source hands back.
    let section_entry = |n: usize| -> TokenStream {
        let next_reads_vector = m
            .sections
            .get(n + 1)
            .and_then(|next| next.source)
            .is_some_and(|r| !whole_reader(&m.layers[r]));
        if n == last_section && sequences {
            let w = lit(m.output_units());
            let d = d_whole(n);
            let d_buffer = buffer(quote!([0.0_f32; #w]), n);
            quote! {
                let mut #d = #d_buffer;
                for (d, g) in #d.as_flattened_mut().iter_mut().zip(gradient.iter()) {
                    *d = *g;
                }
            }
        } else if n == last_section {
            tail_back(
                n,
                quote!(#vector::<f32, #units>::from_column_slice(&gradient)),
            )
        } else if next_reads_vector {
            let d = format_ident!("d_out_{}", n);
            tail_back(n, quote!(#d))
        } else {
            TokenStream::new()
        }
    };
    // Back through section `n`'s source `r`: from the gradient with respect to its sequence
    // (`d_in_n`) to the previous section's sequence or final vector; a `conv1d` adds its
    // weights' gradients.
    let source_back = |n: usize, r: usize| -> TokenStream {
        if first_weighted.is_none_or(|f| f > r) {
            return TokenStream::new();
        }
        let l = &m.layers[r];
        let f = &l.field;
        let d_in = format_ident!("d_in_{}", n);
        let before = whole(n - 1);
        let width = lit(l.input);
        let (target, call) = match l.kind {
            Kind::Conv1d if sliding(r) => (
                d_whole(n - 1),
                quote! {{
                    let mut d = ::tinyrnn::__private::filled([0.0_f32; #width], #before.len());
                    self.#f.backward_slice(
                        #before,
                        (&tape.#f.z, &tape.#f.y),
                        &#d_in,
                        &mut d,
                        &mut grads.#f,
                    );
                    d
                }},
            ),
            _ if sliding(r) => (
                d_whole(n - 1),
                quote! {{
                    let mut d = ::tinyrnn::__private::filled([0.0_f32; #width], #before.len());
                    self.#f.backward_slice(#before, &#d_in, &mut d);
                    d
                }},
            ),
            Kind::Conv1d => (
                d_whole(n - 1),
                quote!(self.#f.backward(#before, &tape.#f, &#d_in, &mut grads.#f)),
            ),
            Kind::RepeatVector => (
                format_ident!("d_out_{}", n - 1),
                quote!(self.#f.backward(&#d_in)),
            ),
            Kind::Reshape if l.flatten_len <= 1 => (
                format_ident!("d_out_{}", n - 1),
                quote!(self.#f.backward_from_vector(&#d_in)),
            ),
            k if k.slides_window() && !k.resamples() => {
                (d_whole(n - 1), quote!(self.#f.backward(#before, &#d_in)))
            }
            _ => (d_whole(n - 1), quote!(self.#f.backward(&#d_in))),
        };
        if needs_input(r) {
            quote!(let #target = #call;)
        } else {
            quote!(let _ = #call;)
        }
    };
    let mut backward_stages = TokenStream::new();
    for (n, section) in m.sections.iter().enumerate().rev() {
        if !active(n) {
            continue;
        }
        let stages = &section.stages;
        let steps = steps_of(n);
        backward_stages.extend(section_entry(n));
        for (s, stage) in stages.iter().enumerate().rev() {
            if !stage_runs(stage) {
                continue;
            }
            let out = stage_out(n, s);
            let w_in = lit(width_in(n, s));
            let w_out = lit(out.units);
            let first = &m.layers[stage.layers.start];
            let pos = if stage.reversed {
                quote!(#steps - 1 - k)
            } else {
                quote!(k)
            };
            let rest_start = stage.layers.start + usize::from(bidirectional(first));
            let mut setup = TokenStream::new();
            let mut add_gradients = TokenStream::new();
            for i in stage.layers.clone() {
                let l = &m.layers[i];
                let f = &l.field;
                if bidirectional(l) {
                    let inner = directions(l).inner;
                    for (dir, name) in
                        [("forward_layer", "forward"), ("backward_layer", "backward")]
                    {
                        let dir = format_ident!("{}", dir);
                        let id = format_ident!("{}_{}", f, name);
                        setup.extend(carried(
                            inner.kind,
                            inner.units,
                            &id,
                            &quote!(self.#f.#dir),
                            needs_input(i),
                        ));
                        add_gradients.extend(quote!(grads.#f.#dir.add_gradients(&tape.#id);));
                    }
                } else if l.kind.is_recurrent() {
                    setup.extend(carried(
                        l.kind,
                        l.units,
                        f,
                        &quote!(self.#f),
                        needs_input(i),
                    ));
                    add_gradients.extend(quote!(grads.#f.add_gradients(&tape.#f);));
                } else if l.kind == Kind::Conv1d && l.streams {
                    // The gradients with respect to its earlier timesteps' inputs, handed
                    // on by later timesteps' taps until the loop reaches them.
                    let pending = format_ident!("pending_{}", f);
                    let channels = lit(l.input);
                    let pending_buffer = buffer(quote!([0.0_f32; #channels]), n);
                    setup.extend(quote!(let mut #pending = #pending_buffer;));
                }
            }
            let rest_back = (rest_start..stage.layers.end)
                .rev()
                .map(|i| back(i, Some(quote!(k))));
            let rest_back: Vec<TokenStream> = rest_back.collect();
            // The gradient with respect to the stage's output at processing step `k`.
            let d_seq = format_ident!("d_seq_{}_{}", n, s);
            let d_in = if s == 0 {
                format_ident!("d_in_{}", n)
            } else {
                format_ident!("d_seq_{}_{}", n, s - 1)
            };
            let end = format_ident!("end_{}", n);
            let g_at = if out.seq_out {
                quote!(let g = #vector::<f32, #w_out>::from(#d_seq[k]);)
            } else {
                quote! {
                    let g = if k + 1 == #steps { #end } else { #vector::<f32, #w_out>::zeros() };
                }
            };
            let keep_input = (s > 0 || n > 0) && needs_input(stage.layers.start);
            let d_in_buffer = buffer(quote!([0.0_f32; #w_in]), n);
            let d_in_decl = keep_input.then(|| quote!(let mut #d_in = #d_in_buffer;));
            let mut head_back = TokenStream::new();
            let mut after = TokenStream::new();
            if bidirectional(first) {
                let f = &first.field;
                let Directions {
                    inner,
                    h,
                    ty,
                    fwd,
                    bwd,
                    fwd_out,
                    bwd_out,
                } = directions(first);
                let g_back = format_ident!("g_backward_{}", f);
                let merged = lit(first.units);
                let merge_g = if first.seq_out {
                    quote! {
                        let (gf, gb) = <#ty>::merge_backward::<#h, #merged>(
                            &g,
                            &#vector::from(#fwd_out[k]),
                            &#vector::from(#bwd_out[k]),
                        );
                        #g_back[k] = gb.into();
                        let g = gf;
                    }
                } else {
                    quote! {
                        let g = if k + 1 == #steps {
                            let (gf, gb) = <#ty>::merge_backward::<#h, #merged>(
                                &g,
                                &#vector::from(#fwd_out[#steps - 1]),
                                &#vector::from(#bwd_out[0]),
                            );
                            #g_back[0] = gb.into();
                            gf
                        } else {
                            #vector::<f32, #h>::zeros()
                        };
                    }
                };
                let g_back_buffer = buffer(quote!([0.0_f32; #h]), n);
                setup.extend(quote!(let mut #g_back = #g_back_buffer;));
                let fwd_step = recurrent_back(
                    inner.kind,
                    &quote!(self.#f.forward_layer),
                    &quote!(tape.#fwd[k]),
                    (&format_ident!("dh_{}", fwd), &format_ident!("dc_{}", fwd)),
                    &format_ident!("transposed_{}", fwd),
                );
                // A masked timestep: the state's gradient passes through; the output's
                // joins it where the output was the carried state, and is dropped where
                // it was the constant zeros.
                let masked = masks.reads[stage.layers.start];
                let w_in_inner = lit(inner.input);
                let skip = |name: &Ident| {
                    let dh = format_ident!("dh_{}", name);
                    if first.seq_out {
                        quote!(#vector::<f32, #w_in_inner>::zeros())
                    } else {
                        quote! {{
                            #dh += g;
                            #vector::<f32, #w_in_inner>::zeros()
                        }}
                    }
                };
                let fwd_step = if masked {
                    let skip = skip(&fwd);
                    quote! {
                        let g = if keep[k] {
                            #fwd_step
                            g
                        } else {
                            #skip
                        };
                    }
                } else {
                    fwd_step
                };
                head_back = quote! {
                    #merge_g
                    #fwd_step
                };
                let bwd_step = recurrent_back(
                    inner.kind,
                    &quote!(self.#f.backward_layer),
                    &quote!(tape.#bwd[k]),
                    (&format_ident!("dh_{}", bwd), &format_ident!("dc_{}", bwd)),
                    &format_ident!("transposed_{}", bwd),
                );
                // The backward direction read timestep `T - 1 - k` at its step `k`.
                let add_in = keep_input.then(|| {
                    quote! {
                        for (d, v) in #d_in[t].iter_mut().zip(g.iter()) {
                            *d += v;
                        }
                    }
                });
                let bwd_step = if masked {
                    let skip = skip(&bwd);
                    quote! {
                        let g = if keep[t] {
                            #bwd_step
                            g
                        } else {
                            #skip
                        };
                    }
                } else {
                    bwd_step
                };
                after = quote! {
                    for k in (0..#steps).rev() {
                        let t = #steps - 1 - k;
                        let g = #vector::<f32, #h>::from(#g_back[t]);
                        #bwd_step
                        #add_in
                        let _ = g;
                    }
                };
            }
            let add_in = keep_input.then(|| {
                quote! {
                    for (d, v) in #d_in[#pos].iter_mut().zip(g.iter()) {
                        *d += v;
                    }
                }
            });
            backward_stages.extend(quote! {
                #setup
                #d_in_decl
                for k in (0..#steps).rev() {
                    #g_at
                    #( #rest_back )*
                    #head_back
                    #add_in
                    let _ = g;
                }
                #after
                #add_gradients
            });
        }
        if let Some(r) = section.source {
            backward_stages.extend(source_back(n, r));
        }
    }
    let gradient_decl = if sequences && m.sections[last_section].timesteps.is_none() {
        quote!(let mut gradient = ::tinyrnn::__private::filled(0.0_f32, t_len * #units);)
    } else {
        let grad_len = if sequences {
            section_steps(last_section) * m.output_units()
        } else {
            m.output_units()
        };
        let grad_len = lit(grad_len);
        quote!(let mut gradient = [0.0_f32; #grad_len];)
    };
    let state_decl = m
        .layers
        .iter()
        .any(Layer::has_state)
        .then(|| quote!(let mut state = #state_name::new();));
    // The mask, by timestep, from the first layer; Keras's loss reads it where it reaches
    // the output (a sequence): each kept timestep weighted T / kept, the others 0.
    let mut alive = false;
    for l in &m.layers {
        alive |= l.kind == Kind::Masking || (l.kind == Kind::Embedding && l.mask_zero);
        if crate::check::ends_mask(l.kind, l.seq_out) {
            alive = false;
        }
    }
    let output_masked = alive && sequences;
    let keep_decl = (output_masked || masks.reads.iter().any(|r| *r)).then(|| {
        let keep = super::forward::keep_at(m, &quote!(p));
        if let Some(s) = later_source {
            let all = buffer(quote!(false), section_of[s]);
            quote!(let mut keep = #all;)
        } else if any_len {
            quote! {
                let keep: ::tinyrnn::__private::Vec<bool> = (0..t_len).map(|p| #keep).collect();
            }
        } else {
            quote!(let keep: [bool; #steps] = ::core::array::from_fn(|p| #keep);)
        }
    });
    let loss_code = if output_masked {
        quote! {
            #[allow(clippy::cast_precision_loss, reason = "counts of timesteps")]
            let (steps, kept) = (#out_steps as f32, keep.iter().filter(|k| **k).count() as f32);
            let weight = if kept > 0.0 { steps / kept } else { 0.0 };
            #logits
            let mut total = 0.0_f32;
            for (t, keep) in keep.iter().enumerate() {
                let at = t * #units..(t + 1) * #units;
                let mut step = [0.0_f32; #units];
                let value = if from_logits {
                    loss.gradient_from_logits(&#truth[at.clone()], &logits[at.clone()], &predictions[at.clone()], #units, &mut step)
                } else {
                    loss.gradient(&#truth[at.clone()], &predictions[at.clone()], #units, &mut step)
                };
                let w = if *keep { weight } else { 0.0 };
                total += value * w;
                for (g, s) in gradient[at].iter_mut().zip(step) {
                    *g = s * w / steps;
                }
            }
            let value = total / steps;
        }
    } else {
        quote! {
            let value = if from_logits {
                #logits
                loss.gradient_from_logits(#truth, &logits[..], predictions, #units, &mut gradient)
            } else {
                loss.gradient(#truth, predictions, #units, &mut gradient)
            };
        }
    };
    let tape_doc = if any_len {
        format!(
            " What `{name}::backward` keeps of its forward pass for the backward pass: each layer's inputs, pre-activations and outputs, per timestep for the layers of the sequence, in `Vec`s as long as the sequence (`{name}::TAPE_BYTES_PER_STEP` bytes per timestep, on the heap)."
        )
    } else {
        format!(
            " What `{name}::backward` keeps of its forward pass for the backward pass: each layer's inputs, pre-activations and outputs, per timestep for the layers of the sequence ({t_len} timesteps). `{name}::TAPE_BYTES` bytes, on the stack during `backward`."
        )
    };
    let (y_type, target) = match (sequences, m.sections[last_section].timesteps) {
        (false, _) => (quote!(&[f32; #units]), quote!([f32; #units])),
        (true, Some(_)) => (
            quote!(&[[f32; #units]; #out_steps]),
            quote!([[f32; #units]; #out_steps]),
        ),
        (true, None) => (quote!(&[[f32; #units]]), quote!([[f32; #units]])),
    };
    // A model of any length: the tapes grown to the sequence; its target as long.
    let first_grow = &tape_grow[0];
    let grow = any_len.then(|| {
        quote! {
            let t_len = x.len();
            ::core::assert!(t_len > 0, "backward: the input has no timesteps");
            #first_grow
        }
    });
    let same_len =
        (any_len && sequences && m.sections[last_section].timesteps.is_none()).then(|| {
            quote! {
                ::core::assert_eq!(
                    y.len(),
                    #out_steps,
                    "backward: the target has {} timesteps, the output {}",
                    y.len(),
                    #out_steps
                );
            }
        });
    let (costs, panics) = if any_len {
        (
            " Allocates: the tape (`Self::TAPE_BYTES_PER_STEP` bytes per timestep) and the\n stages' sequences, on the heap; `backward_in` with one tape reuses the tape's.",
            match (sequences, original.layers.iter().any(|l| l.gated)) {
                (true, true) => {
                    "\n\n # Panics\n If `x` is empty, too short for a window, or `y` is not as long as the\n output."
                }
                (true, false) => "\n\n # Panics\n If `x` is empty or `y` is not as long as `x`.",
                (false, true) => "\n\n # Panics\n If `x` is empty or too short for a window.",
                (false, false) => "\n\n # Panics\n If `x` is empty.",
            },
        )
    } else {
        (
            " Allocates nothing: the tape of the forward pass (`Self::TAPE_BYTES`) is on\n the stack.",
            "",
        )
    };
    let backward_doc = format!(
        " Adds the gradient of `loss` on this one sample (`x`, with target `y`) with\n respect to every weight into `grads` (a model of the same type, e.g. starting\n from `Self::ZERO`), and returns the sample's loss: Keras's loss on a batch of\n just `x`, and the gradient `tf.GradientTape` gives for it. A crossentropy after\n a last `dense` with a sigmoid or softmax is computed from its logits, as Keras\n does.{costs}{panics}"
    );
    let training_doc = format!(
        " [`Self::backward`] in Keras's training mode: the dropout and noise layers act\n (`dropout`, `spatial_dropout1d`, `gaussian_noise`, `gaussian_dropout`,\n `alpha_dropout`, as Keras defines them with `training=True`), drawing from\n `noise`, and the gradient goes through what they drew. `fit` calls this.{panics}"
    );
    let in_doc = if any_len {
        format!(
            " [`Self::backward`] (`noise` `None`) or [`Self::backward_training`] (`Some`)\n keeping the forward pass in `tape`, which the caller provides: one tape for many\n samples allocates its `Vec`s once, for the longest. The tape's contents before the\n call do not matter.{panics}"
        )
    } else {
        " [`Self::backward`] (`noise` `None`) or [`Self::backward_training`] (`Some`)\n keeping the forward pass in `tape`, which the caller provides: for long\n sequences, on the heap (`tinyrnn::train::boxed_tape`) rather than the stack\n (`Self::TAPE_BYTES`). The tape's contents before the call do not matter.".to_owned()
    };
    let sizes = if any_len {
        quote! {
            /// The bytes of the tape `backward` keeps, beside its `Vec`s' contents.
            pub const TAPE_BYTES: usize = ::core::mem::size_of::<#tape_name>();

            /// The bytes the tape `backward` keeps grows by per timestep, on the heap.
            pub const TAPE_BYTES_PER_STEP: usize = 0 #( + #step_sizes )*;
        }
    } else {
        quote! {
            /// The bytes of the tape `backward` keeps on the stack.
            pub const TAPE_BYTES: usize = ::core::mem::size_of::<#tape_name>();
        }
    };
    let methods = quote! {
        #[doc = #backward_doc]
        pub fn backward(
            &self,
            x: &#x_type,
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
        ) -> f32 {
            let mut tape = #tape_name::ZERO;
            self.backward_in(&mut tape, x, y, loss, grads, ::core::option::Option::None)
        }

        #[doc = #training_doc]
        pub fn backward_training(
            &self,
            x: &#x_type,
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
            noise: &mut ::tinyrnn::__private::train::Noise,
        ) -> f32 {
            let mut tape = #tape_name::ZERO;
            self.backward_in(&mut tape, x, y, loss, grads, ::core::option::Option::Some(noise))
        }

        #[doc = #in_doc]
        #[allow(
            clippy::large_stack_arrays,
            reason = "the stages' sequences follow from the model's size"
        )]
        pub fn backward_in(
            &self,
            tape: &mut #tape_name,
            x: &#x_type,
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
            noise: ::core::option::Option<&mut ::tinyrnn::__private::train::Noise>,
        ) -> f32 {
            #grow
            let mut noise = noise;
            let noisy = noise.is_some();
            let _ = (&mut noise, noisy);
            #( #spatial_masks )*
            #state_decl
            #keep_decl
            #forward_stages
            #same_len
            #predictions
            let from_logits = #from_logits;
            #gradient_decl
            #loss_code
            #backward_stages
            value
        }

        #sizes
    };
    let vis = &m.vis;
    let items = quote! {
        #[doc = #tape_doc]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[allow(dead_code, reason = "built by `backward` only, which a program may not call")]
        #vis struct #tape_name {
            #(
                #[doc = " This layer's tape."]
                #tape_fields,
            )*
        }

        #[allow(
            clippy::large_stack_arrays,
            reason = "the tape's size follows from the model's"
        )]
        impl #tape_name {
            /// Before a forward pass: zeros.
            pub const ZERO: Self = Self { #( #tape_zero, )* };
        }

        impl ::tinyrnn::__private::train::Tape for #tape_name {
            const ZERO: Self = Self::ZERO;
        }

        impl ::tinyrnn::__private::train::Train for #name {
            type Input = #x_type;
            type Target = #target;
            type Tape = #tape_name;

            fn backward_in(
                &self,
                tape: &mut #tape_name,
                x: &#x_type,
                y: &#target,
                loss: ::tinyrnn::__private::train::Loss,
                grads: &mut Self,
                noise: ::core::option::Option<&mut ::tinyrnn::__private::train::Noise>,
            ) -> f32 {
                #name::backward_in(self, tape, x, y, loss, grads, noise)
            }
        }
    };
    if any_len {
        // Its tape is on the heap: without `std`, `backward` is a compile error that says so.
        let stub = untrainable(
            m,
            "it reads a sequence of any length, whose tape grows on the heap: tinyrnn's `std` feature",
            &quote!(::tinyrnn::__private::HeapTape<'a>),
        );
        let methods = quote! {
            ::tinyrnn::__private::with_heap! { { #methods } { #stub } }
        };
        let items = quote! {
            ::tinyrnn::__private::with_heap! { { #items } {} }
        };
        return (methods, items);
    }
    (methods, items)
}

/// A model of any length as `backward` runs it: its windows and poolings (`Layer::gated`,
/// slid along the sequence in `forward`) each read their whole input and start a section,
/// as on a fixed length; a global pooling reads its section's whole sequence.
fn sliding_as_sources(m: &Model) -> Model {
    let mut m = m.clone();
    for l in &mut m.layers {
        if l.gated {
            (l.gated, l.streams) = (false, false);
        }
    }
    m.sections = crate::check::flow::sections(&m.layers, m.timesteps);
    m
}

/// The `backward` of a model that has none: a method whose call is a compile error (its
/// `bound` cannot hold), documented with `why`.
fn untrainable(m: &Model, why: &str, bound: &TokenStream) -> TokenStream {
    let units = lit(m.output_units());
    let features = lit(m.features);
    let doc = format!(
        " Not available: {why}, so this model has no backward pass. Calling it is a compile\n error."
    );
    let y_type = if m.returns_sequences() {
        quote!(&[[f32; #units]])
    } else {
        quote!(&[f32; #units])
    };
    let x_type = if m.tokens {
        quote!(&[u32])
    } else {
        quote!(&[[f32; #features]])
    };
    quote! {
        #[doc = #doc]
        pub fn backward(
            &self,
            x: #x_type,
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
        ) -> f32
        where
            for<'a> Self: #bound,
        {
            let _ = (x, y, loss, grads);
            ::core::unreachable!("the bound cannot hold for this model")
        }
    }
}
