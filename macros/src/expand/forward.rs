//! The generated `forward` and `step`: the stages of timesteps a model runs, each layer's
//! `step` in turn, buffers where a layer reads the previous one's whole output backwards,
//! and `bidirectional`'s two directions merged.

use super::{layer_type, lit};
use crate::check::{Kind, Layer, Model, Section};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

/// Where masks reach, as Keras 3 carries them: from `embedding(..., mask_zero = true)` or
/// `masking()` through the layers that pass a mask on, to each recurrent layer (which
/// skips masked timesteps), until a layer ends it (`check::ends_mask`).
pub(super) struct Masks {
    /// The layers that read a mask: recurrent layers, and a `global_average_pooling1d`.
    pub(super) reads: Vec<bool>,
    /// The mask sources whose `keep` the layers of their own stage read, inline.
    used: Vec<bool>,
    /// Whether a layer that reads backwards (`bidirectional`, `go_backwards`) reads a mask:
    /// then every reader looks it up by timestep `p` from the input (the source is the
    /// first layer), as Keras's mask is indexed by timestep whatever order layers run in.
    pub(super) positional: bool,
}

pub(super) fn masked(m: &Model) -> Masks {
    let mut reads = vec![false; m.layers.len()];
    let mut used = vec![false; m.layers.len()];
    let mut positional = false;
    let mut source: Option<usize> = None;
    for (i, l) in m.layers.iter().enumerate() {
        if l.kind == Kind::Masking || (l.kind == Kind::Embedding && l.mask_zero) {
            source = Some(i);
            continue;
        }
        if l.kind.is_recurrent()
            && let Some(s) = source
        {
            reads[i] = true;
            used[s] = true;
            positional |= l.kind == Kind::Bidirectional || l.go_backwards;
        }
        // A masked global average reads the whole sequence's mask at once, by timestep.
        if l.kind.spec() == &tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D && source.is_some() {
            reads[i] = true;
            positional = true;
        }
        if crate::check::ends_mask(l.kind, l.seq_out) {
            source = None;
        }
    }
    if positional {
        used.fill(false);
    }
    Masks {
        reads,
        used,
        positional,
    }
}

/// Whether the timestep at `p` is kept, from the input (positional masks: their source is
/// the first layer).
pub(super) fn keep_at(m: &Model, p: &TokenStream) -> TokenStream {
    let Some(first) = m.layers.first() else {
        return quote!(true);
    };
    let f = &first.field;
    if first.kind == Kind::Embedding {
        quote!((x[#p] != 0))
    } else {
        let features = lit(m.features);
        quote!(self.#f.keeps(&::tinyrnn::__private::nalgebra::SVector::<f32, #features>::from(x[#p])))
    }
}

/// `let v = self.layer.step(&mut state.layer, &v);` for each layer in `range`; around a
/// mask, `keep` (whether this timestep is kept) and the carried output of the recurrent
/// layers that skip masked timesteps, as Keras does.
pub(super) fn steps(m: &Model, range: std::ops::Range<usize>, state: &TokenStream) -> TokenStream {
    steps_or(m, range, state, false)
}

/// [`steps`]; a window that completes none goes on to the next timestep (`continue` in a
/// loop over them), or with `returns` leaves `step` with `None` (`?`).
fn steps_or(
    m: &Model,
    range: std::ops::Range<usize>,
    state: &TokenStream,
    returns: bool,
) -> TokenStream {
    let Masks { reads, used, .. } = masked(m);
    range
        .map(|i| {
            let l = &m.layers[i];
            let f = &l.field;
            let keep = match l.kind {
                Kind::Embedding if used[i] => quote! { let keep = v != 0; },
                Kind::Masking if used[i] => quote! { let keep = self.#f.keeps(&v); },
                _ => TokenStream::new(),
            };
            let call = if l.gated && l.kind.pools_globally() && reads[i] {
                // A masked global average: the kept timesteps only (the stage reads `keep`
                // by position).
                quote! {
                    if keep {
                        self.#f.push(&mut #state.#f, &v);
                    }
                }
            } else if l.gated && l.kind.pools_globally() {
                // A running maximum or sum, finished after the sequence (`section_body`).
                quote! { self.#f.push(&mut #state.#f, &v); }
            } else if l.gated && returns {
                quote! { let v = self.#f.push(&mut #state.#f, &v)?; }
            } else if l.gated {
                // A window slid along a sequence of any length: the layers after it run
                // when it completes a window.
                quote! {
                    let ::core::option::Option::Some(v) = self.#f.push(&mut #state.#f, &v) else {
                        continue;
                    };
                }
            } else if l.kind.is_recurrent() && reads[i] {
                quote! {
                    let v = if keep {
                        self.#f.step(&mut #state.#f, &v)
                    } else {
                        self.#f.carried(&#state.#f)
                    };
                }
            } else if l.has_state() {
                quote! { let v = self.#f.step(&mut #state.#f, &v); }
            } else if matches!(l.kind, Kind::Flatten | Kind::Reshape) {
                // On a vector (a whole sequence is read in `section_body`).
                quote! { let v = self.#f.step_vector(&mut (), &v); }
            } else {
                quote! { let v = self.#f.step(&mut (), &v); }
            };
            quote! { #keep #call }
        })
        .collect()
}

/// Where a stage's loop puts each timestep's final `v`.
pub(super) enum Sink {
    /// A buffer for the next stage: `[[f32; width]; T]`.
    Buffer(Ident, usize),
    /// The caller's output sequence, `out`.
    Out,
    /// Only the last timestep matters: `last`, of `width`.
    Last(usize),
    /// Nothing: the stage ends in a running global pooling, finished after it.
    Discard,
}

impl Sink {
    /// Writes `v` to the sink, for a loop whose outputs are counted (`emitted`: a stage of
    /// windows slid along a sequence of any length, which do not emit at every timestep).
    fn write_counted(&self) -> TokenStream {
        match self {
            Sink::Out => quote! {
                if let ::core::option::Option::Some(slot) = out.get_mut(emitted) {
                    *slot = v.into();
                }
                emitted += 1;
            },
            Sink::Last(_) => quote! { last = v; },
            Sink::Buffer(..) | Sink::Discard => TokenStream::new(),
        }
    }
}

/// `for <pattern> in <items> { <body>; <write v to the sink> }`, with the sink declared.
pub(super) fn stage_loop(
    timesteps: Option<usize>,
    items: &TokenStream,
    pattern: &TokenStream,
    body: &TokenStream,
    sink: &Sink,
) -> TokenStream {
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    match sink {
        Sink::Buffer(buffer, width) => {
            let (w, t) = (lit(*width), lit(timesteps.unwrap_or(0)));
            quote! {
                let mut #buffer = [[0.0_f32; #w]; #t];
                for (#pattern, slot) in #items.zip(#buffer.iter_mut()) {
                    #body
                    *slot = v.into();
                }
            }
        }
        Sink::Out => quote! {
            for (#pattern, slot) in #items.zip(out.iter_mut()) {
                #body
                *slot = v.into();
            }
        },
        Sink::Last(width) => {
            let w = lit(*width);
            quote! {
                let mut last = #vector::<f32, #w>::zeros();
                for #pattern in #items {
                    #body
                    last = v;
                }
            }
        }
        Sink::Discard => quote! {
            for #pattern in #items {
                #body
            }
        },
    }
}

/// A stage with windows slid along a sequence of any length (`Layer::gated`): the loop over
/// the timesteps, where the layers after a window run when it completes one (`continue`
/// otherwise) and the outputs are counted as they come; then, for each window with `same`
/// padding, the windows that run past the sequence's end, through the layers after it; then
/// a running global pooling's result, as `last`.
fn gated_stage(
    m: &Model,
    layers: std::ops::Range<usize>,
    state: &TokenStream,
    items: &TokenStream,
    pattern: &TokenStream,
    calls: &TokenStream,
    sink: &Sink,
) -> TokenStream {
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    let write = sink.write_counted();
    let declare = match sink {
        Sink::Out => quote! { let mut emitted = 0_usize; },
        Sink::Last(width) => {
            let w = lit(*width);
            quote! { let mut last = #vector::<f32, #w>::zeros(); }
        }
        Sink::Buffer(..) | Sink::Discard => TokenStream::new(),
    };
    let mut code = quote! {
        #declare
        for #pattern in #items {
            #calls
            #write
        }
    };
    for g in layers.clone() {
        let l = &m.layers[g];
        let same = l
            .window
            .is_some_and(|w| w.padding == crate::check::Padding::Same);
        if !(l.gated && same) {
            continue;
        }
        let f = &l.field;
        let after = steps(m, g + 1..layers.end, state);
        code.extend(quote! {
            while let ::core::option::Option::Some(v) = self.#f.flush(&mut #state.#f) {
                #after
                #write
            }
        });
    }
    if let Some(last) = layers.end.checked_sub(1).map(|i| &m.layers[i])
        && last.gated
        && last.kind.pools_globally()
    {
        let f = &last.field;
        code.extend(quote! { let last = self.#f.finish(&#state.#f); });
    }
    code
}

/// Whether `l` reads a whole sequence at once into one array: a `flatten` or `reshape` of
/// a sequence.
fn reads_whole_sequence(l: &Layer) -> bool {
    (matches!(l.kind, Kind::Flatten | Kind::Reshape) && l.flatten_len > 1)
        || (l.kind.slides_window() && !l.streams)
        || (l.kind.pools_globally() && !l.gated)
}

/// The code of one section: its stages over its sequence (`x`, or what the `repeat_vector`
/// or `reshape` that starts it makes of the section before), then its tail. It leaves the
/// section's last vector in `v`, or writes the model's output sequence to `out`; `before`
/// is the previous section's sequence when this section's `reshape` reads all of it. The
/// returned expression is this section's whole sequence when the next section's `reshape`
/// reads it.
fn section_body(
    m: &Model,
    n: usize,
    section: &Section,
    before: Option<&TokenStream>,
) -> (TokenStream, Option<TokenStream>) {
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    let state = quote!(state);
    let mut body = TokenStream::new();
    let last = n + 1 == m.sections.len();
    let input = match section.source {
        None => quote!(x),
        Some(r) => {
            let l = &m.layers[r];
            let field = &l.field;
            let made = format_ident!("sequence_in_{}", n);
            let call = match (l.kind, before) {
                (_, Some(sequence)) => quote!(self.#field.step(&mut (), #sequence)),
                (Kind::Reshape, None) => quote!(self.#field.from_vector(&v)),
                _ => quote!(self.#field.step(&mut (), &v)),
            };
            body.extend(quote! { let #made = #call; });
            quote!((&#made))
        }
    };
    // The next section's `reshape`, when it reads this section's whole sequence.
    let next_reads_all = m
        .sections
        .get(n + 1)
        .and_then(|next| next.source)
        .is_some_and(|r| reads_whole_sequence(&m.layers[r]));
    let flattens = m
        .layers
        .get(section.tail.start)
        .filter(|l| reads_whole_sequence(l) && !section.tail.is_empty());
    let returns_sequence = last && m.returns_sequences();
    let last_stage = section.stages.len().saturating_sub(1);
    for (k, stage) in section.stages.iter().enumerate() {
        let source = if k == 0 {
            input.clone()
        } else {
            let b = format_ident!("buffer_{}_{}", n, k - 1);
            quote!(#b)
        };
        let Some(first) = m.layers.get(stage.layers.start) else {
            continue;
        };
        let Some(last_layer) = stage
            .layers
            .end
            .checked_sub(1)
            .and_then(|i| m.layers.get(i))
        else {
            continue;
        };
        let width_in = lit(first.input);
        let gated = stage.layers.clone().any(|i| m.layers[i].gated);
        let sink = if last_layer.gated && last_layer.kind.pools_globally() {
            Sink::Discard
        } else if k < last_stage || flattens.is_some() || next_reads_all {
            Sink::Buffer(format_ident!("buffer_{}_{}", n, k), last_layer.units)
        } else if returns_sequence {
            Sink::Out
        } else {
            Sink::Last(last_layer.units)
        };
        let masks = masked(m);
        if let (Some(inner), true, true) = (
            &first.wrapped,
            stage.bidirectional,
            masks.reads[stage.layers.start],
        ) {
            // Masked: each direction skips masked timesteps (its state carried over) and,
            // returning sequences, outputs zeros there, as Keras's `Bidirectional` makes its
            // layers do (`zero_output_for_mask`).
            let field = &first.field;
            let ty = layer_type(first);
            let (units, width_out) = (lit(inner.units), lit(first.units));
            let rest = steps(m, stage.layers.start + 1..stage.layers.end, &state);
            let keep = keep_at(m, &quote!(p));
            if first.seq_out {
                let timesteps = lit(section.timesteps.unwrap_or(0));
                let backward = format_ident!("backward_{}_{}", n, k);
                body.extend(quote! {
                    let mut #backward = [[0.0_f32; #units]; #timesteps];
                    for (p, (xt, slot)) in #source.iter().zip(#backward.iter_mut()).enumerate().rev() {
                        if #keep {
                            let v = #vector::<f32, #width_in>::from(*xt);
                            let v = self.#field.step_backward(&mut #state.#field, &v);
                            *slot = v.into();
                        }
                    }
                });
                let items = quote!(#source.iter().zip(#backward.iter()).enumerate());
                let pattern = quote!((p, (xt, bt)));
                let calls = quote! {
                    let keep = #keep;
                    let forward = if keep {
                        let v = #vector::<f32, #width_in>::from(*xt);
                        self.#field.step_forward(&mut #state.#field, &v)
                    } else {
                        #vector::<f32, #units>::zeros()
                    };
                    let v: #vector<f32, #width_out> =
                        <#ty>::merge::<#units, #width_out>(&forward, &#vector::<f32, #units>::from(*bt));
                    #rest
                };
                body.extend(stage_loop(
                    section.timesteps,
                    &items,
                    &pattern,
                    &calls,
                    &sink,
                ));
            } else {
                body.extend(quote! {
                    let mut backward_last = #vector::<f32, #units>::zeros();
                    for (p, xt) in #source.iter().enumerate().rev() {
                        if #keep {
                            let v = #vector::<f32, #width_in>::from(*xt);
                            backward_last = self.#field.step_backward(&mut #state.#field, &v);
                        }
                    }
                    let mut forward_last = #vector::<f32, #units>::zeros();
                    for (p, xt) in #source.iter().enumerate() {
                        if #keep {
                            let v = #vector::<f32, #width_in>::from(*xt);
                            forward_last = self.#field.step_forward(&mut #state.#field, &v);
                        }
                    }
                    let last: #vector<f32, #width_out> =
                        <#ty>::merge::<#units, #width_out>(&forward_last, &backward_last);
                });
            }
        } else if let (Some(inner), true) = (&first.wrapped, stage.bidirectional) {
            let field = &first.field;
            let ty = layer_type(first);
            let (units, width_out) = (lit(inner.units), lit(first.units));
            let rest = steps(m, stage.layers.start + 1..stage.layers.end, &state);
            if first.seq_out {
                // Backward pass first, its outputs re-aligned in time as Keras does.
                let timesteps = lit(section.timesteps.unwrap_or(0));
                let backward = format_ident!("backward_{}_{}", n, k);
                body.extend(quote! {
                    let mut #backward = [[0.0_f32; #units]; #timesteps];
                    for (xt, slot) in #source.iter().rev().zip(#backward.iter_mut().rev()) {
                        let v = #vector::<f32, #width_in>::from(*xt);
                        let v = self.#field.step_backward(&mut #state.#field, &v);
                        *slot = v.into();
                    }
                });
                let items = quote!(#source.iter().zip(#backward.iter()));
                let pattern = quote!((xt, bt));
                let calls = quote! {
                    let v = #vector::<f32, #width_in>::from(*xt);
                    let forward = self.#field.step_forward(&mut #state.#field, &v);
                    let v: #vector<f32, #width_out> =
                        <#ty>::merge::<#units, #width_out>(&forward, &#vector::<f32, #units>::from(*bt));
                    #rest
                };
                body.extend(stage_loop(
                    section.timesteps,
                    &items,
                    &pattern,
                    &calls,
                    &sink,
                ));
            } else {
                // Only the last output of each direction: two passes, no buffer.
                body.extend(quote! {
                    let mut backward_last = #vector::<f32, #units>::zeros();
                    for xt in #source.iter().rev() {
                        let v = #vector::<f32, #width_in>::from(*xt);
                        backward_last = self.#field.step_backward(&mut #state.#field, &v);
                    }
                    let mut forward_last = #vector::<f32, #units>::zeros();
                    for xt in #source.iter() {
                        let v = #vector::<f32, #width_in>::from(*xt);
                        forward_last = self.#field.step_forward(&mut #state.#field, &v);
                    }
                    let last: #vector<f32, #width_out> =
                        <#ty>::merge::<#units, #width_out>(&forward_last, &backward_last);
                });
            }
        } else {
            // A positional mask read in this stage: each timestep's `keep` from the input.
            let by_position = masks.positional && stage.layers.clone().any(|i| masks.reads[i]);
            let items = match (stage.reversed, by_position) {
                (false, false) => quote!(#source.iter()),
                (true, false) => quote!(#source.iter().rev()),
                (false, true) => quote!(#source.iter().enumerate()),
                (true, true) => quote!(#source.iter().enumerate().rev()),
            };
            let pattern = if by_position {
                quote!((p, xt))
            } else {
                quote!(xt)
            };
            let keep = by_position.then(|| {
                let keep = keep_at(m, &quote!(p));
                quote!(let keep = #keep;)
            });
            // In a reversed stage the layers after the `go_backwards` one read its outputs
            // in the order it emits them: the `n`-th of them is at position `n`, whose
            // mask Keras looks up in time order (its mask is passed on unreversed).
            let turn = stage
                .layers
                .clone()
                .find(|&i| m.layers[i].go_backwards)
                .filter(|&g| {
                    stage.reversed
                        && by_position
                        && (g + 1..stage.layers.end).any(|i| masks.reads[i])
                });
            let calls = match turn {
                Some(g) => {
                    let before = steps(m, stage.layers.start..g + 1, &state);
                    let after = steps(m, g + 1..stage.layers.end, &state);
                    let emitted = keep_at(m, &quote!(#source.len() - 1 - p));
                    quote! {
                        #before
                        let keep = #emitted;
                        #after
                    }
                }
                None => steps(m, stage.layers.clone(), &state),
            };
            let input = if n == 0 && k == 0 && m.tokens {
                quote!(let v: u32 = *xt;)
            } else {
                quote!(let v = #vector::<f32, #width_in>::from(*xt);)
            };
            let calls = quote! {
                #keep
                #input
                #calls
            };
            if gated {
                let layers = stage.layers.clone();
                body.extend(gated_stage(
                    m, layers, &state, &items, &pattern, &calls, &sink,
                ));
            } else {
                body.extend(stage_loop(
                    section.timesteps,
                    &items,
                    &pattern,
                    &calls,
                    &sink,
                ));
            }
        }
    }
    // This section's whole sequence, when a layer reads it at once.
    let whole = if section.stages.is_empty() {
        input
    } else {
        let b = format_ident!("buffer_{}_{}", n, last_stage);
        quote!((&#b))
    };
    if returns_sequence {
        if section.stages.is_empty() {
            // `repeat_vector` or `reshape` last: its sequence is the output.
            body.extend(quote! {
                for (slot, xt) in out.iter_mut().zip(#whole.iter()) {
                    *slot = *xt;
                }
            });
        }
        return (body, None);
    }
    if next_reads_all {
        return (body, Some(whole));
    }
    let mut tail = section.tail.clone();
    if let Some(reader) = flattens {
        let field = &reader.field;
        let call = if reader.kind == Kind::Reshape {
            quote!(self.#field.to_vector(#whole))
        } else if masked(m).reads[section.tail.start] {
            // Keras averages the kept timesteps only.
            let keep = keep_at(m, &quote!(p));
            quote!(self.#field.masked_average(#whole, &::core::array::from_fn(|p| #keep)))
        } else {
            quote!(self.#field.step(&mut (), #whole))
        };
        body.extend(quote! { let v = #call; });
        tail.start += 1;
    } else if !section.stages.is_empty() {
        body.extend(quote! { let v = last; });
    }
    body.extend(steps(m, tail, &state));
    (body, None)
}

pub(super) fn forward(model: &Model, state_name: &Ident) -> TokenStream {
    let m = model;
    let features = lit(m.features);
    let units = lit(m.output_units());
    // One timestep of input: a token id, or a vector of features.
    let elem = if m.tokens {
        quote!(u32)
    } else {
        quote!([f32; #features])
    };
    let uses_state = m.layers.iter().any(Layer::has_state);
    let init_state = uses_state.then(|| quote!(let mut state = #state_name::new();));

    let mut body = TokenStream::new();
    let mut whole = None;
    for (n, section) in m.sections.iter().enumerate() {
        let (code, sequence) = section_body(m, n, section, whole.as_ref());
        body.extend(code);
        whole = sequence;
    }
    let doc_reversed = if m.streamable() {
        ""
    } else {
        " Layers with `go_backwards = true` read their input from the last timestep to the\n first and emit their outputs in that order; `bidirectional` layers re-align their\n backward outputs in time before merging; both as Keras does."
    };
    let x_type = if let Some(t) = m.timesteps {
        let t = lit(t);
        quote!(&[#elem; #t])
    } else {
        quote!(&[#elem])
    };
    let over = if m.timesteps.is_some() {
        "a whole sequence"
    } else {
        "a sequence of any length"
    };
    let plain = match (m.returns_sequences(), m.output_timesteps()) {
        (false, _) => {
            let doc = format!(
                " Runs the model over {over} from a zero state and returns the last output.\n Allocates nothing."
            );
            quote! {
                #[doc = #doc]
                #[doc = #doc_reversed]
                #[must_use]
                pub fn forward(&self, x: #x_type) -> [f32; #units] {
                    #init_state
                    #body
                    v.into()
                }
            }
        }
        (true, Some(n)) => {
            let doc = if m.timesteps == Some(n) {
                format!(
                    " Runs the model over {over} from a zero state and returns the output at every\n timestep. Allocates nothing."
                )
            } else {
                format!(
                    " Runs the model over {over} from a zero state and returns the {n} timesteps of\n the sequence its `repeat_vector` makes. Allocates nothing."
                )
            };
            let n = lit(n);
            quote! {
                #[doc = #doc]
                #[doc = #doc_reversed]
                #[must_use]
                pub fn forward(&self, x: #x_type) -> [[f32; #units]; #n] {
                    #init_state
                    let mut out = [[0.0_f32; #units]; #n];
                    #body
                    out
                }
            }
        }
        (true, None) if m.layers.iter().any(|l| l.gated) => {
            // Each window slid along the sequence makes its own number of timesteps.
            let counts = m.layers.iter().filter(|l| l.gated).map(|l| {
                let ty = layer_type(l);
                quote!(let t = <#ty>::outputs(t);)
            });
            quote! {
                /// How many timesteps [`Self::forward`] writes for an input of `t`: as many
                /// as its convolutions and poolings make, window by window, as Keras
                /// computes them.
                #[must_use]
                pub const fn output_len(t: usize) -> usize {
                    #(#counts)*
                    t
                }

                /// Runs the model over a sequence of any length from a zero state and writes
                /// each of its outputs to `out`, one per window of its last convolution or
                /// pooling ([`Self::output_len`] of them). Allocates nothing.
                ///
                /// # Errors
                /// `tinyrnn::Error::OutputLength` when `out.len() != Self::output_len(x.len())`;
                /// `out` is untouched.
                pub fn forward(
                    &self,
                    x: &[#elem],
                    out: &mut [[f32; #units]],
                ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                    let expected = Self::output_len(x.len());
                    if out.len() != expected {
                        return ::core::result::Result::Err(::tinyrnn::__private::Error::OutputLength {
                            expected,
                            found: out.len(),
                        });
                    }
                    #init_state
                    #body
                    ::core::result::Result::Ok(())
                }
            }
        }
        (true, None) => quote! {
            /// Runs the model over a sequence of any length from a zero state and writes the
            /// output of every timestep to `out`. Allocates nothing.
            #[doc = #doc_reversed]
            ///
            /// # Errors
            /// `tinyrnn::Error::OutputLength` when `out.len() != x.len()`; `out` is untouched.
            pub fn forward(
                &self,
                x: &[#elem],
                out: &mut [[f32; #units]],
            ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                if out.len() != x.len() {
                    return ::core::result::Result::Err(::tinyrnn::__private::Error::OutputLength {
                        expected: x.len(),
                        found: out.len(),
                    });
                }
                #init_state
                #body
                ::core::result::Result::Ok(())
            }
        },
    };
    let Some(embedding) = m.layers.first().filter(|_| m.tokens) else {
        return plain;
    };
    let embedding = layer_type(embedding);
    let doc = " [`Self::forward`], refusing token ids that are not below the embedding's\n `input_dim` (which `forward` maps to zero vectors) before running.\n\n # Errors\n `tinyrnn::Error::TokenOutOfRange` naming the first such id and its timestep.";
    let checked = match (m.returns_sequences(), m.output_timesteps()) {
        (true, None) => quote! {
            #[doc = #doc]
            /// `tinyrnn::Error::OutputLength` as `forward`. `out` is untouched on error.
            pub fn try_forward(
                &self,
                x: &[u32],
                out: &mut [[f32; #units]],
            ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                <#embedding>::check_ids(x)?;
                self.forward(x, out)
            }
        },
        (sequence, n) => {
            let out = match n {
                Some(n) if sequence => {
                    let n = lit(n);
                    quote!([[f32; #units]; #n])
                }
                _ => quote!([f32; #units]),
            };
            quote! {
                #[doc = #doc]
                pub fn try_forward(
                    &self,
                    x: #x_type,
                ) -> ::core::result::Result<#out, ::tinyrnn::__private::Error> {
                    <#embedding>::check_ids(x)?;
                    ::core::result::Result::Ok(self.forward(x))
                }
            }
        }
    };
    quote! { #plain #checked }
}

pub(super) fn step(m: &Model, state_name: &Ident) -> TokenStream {
    let features = lit(m.features);
    let units = lit(m.output_units());
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    // One timestep of input, and it as the first layer's input `v`.
    let (x_type, input) = if m.tokens {
        (quote!(u32), quote!(let v: u32 = x;))
    } else {
        (
            quote!(&[f32; #features]),
            quote!(let v = #vector::<f32, #features>::from(*x);),
        )
    };
    if m.steps_per_window() {
        let calls = steps_or(m, 0..m.layers.len(), &quote!(state), true);
        return quote! {
            /// Advances the model by one timestep: updates `state` and returns an output
            /// when this timestep completes a window of its strided or `valid` convolutions
            /// and poolings (`None` otherwise), the outputs `forward` gives for the same
            /// sequence, in order, bit for bit. Allocates nothing.
            pub fn step(
                &self,
                state: &mut #state_name,
                x: #x_type,
            ) -> ::core::option::Option<[f32; #units]> {
                #input
                #calls
                ::core::option::Option::Some(v.into())
            }
        };
    }
    if let Some(why) = m.why_not_streamable() {
        let doc = format!(
            " Not available: {why}, so this model cannot stream. Calling it is a compile\n error; use `forward`."
        );
        return quote! {
            #[doc = #doc]
            pub fn step(&self, state: &mut #state_name, x: #x_type) -> [f32; #units]
            where
                for<'a> Self: ::tinyrnn::__private::Streamable<'a>,
            {
                let _ = (state, x);
                ::core::unreachable!("the `Streamable` bound cannot hold for this model")
            }
        };
    }
    let state = quote!(state);
    let calls = steps(m, 0..m.layers.len(), &state);
    let unused = (!m.layers.iter().any(Layer::has_state)).then(|| quote!(let _ = state;));
    let span = Span::call_site();
    let checked = m.layers.first().filter(|_| m.tokens).map(|embedding| {
        let embedding = layer_type(embedding);
        quote_spanned! {span=>
            /// [`Self::step`], refusing a token id that is not below the embedding's
            /// `input_dim` (which `step` maps to a zero vector); `state` is untouched then.
            ///
            /// # Errors
            /// `tinyrnn::Error::TokenOutOfRange` with `timestep` 0.
            pub fn try_step(
                &self,
                state: &mut #state_name,
                x: u32,
            ) -> ::core::result::Result<[f32; #units], ::tinyrnn::__private::Error> {
                <#embedding>::check_ids(&[x])?;
                ::core::result::Result::Ok(self.step(state, x))
            }
        }
    });
    quote_spanned! {span=>
        /// Advances the model by one timestep: updates `state` and returns this timestep's
        /// output. Feeding a sequence through `step` from a new state gives bit-identical
        /// results to `forward` (its last output, or each of its outputs). Allocates nothing.
        pub fn step(&self, state: &mut #state_name, x: #x_type) -> [f32; #units] {
            #unused
            #input
            #calls
            v.into()
        }

        #checked
    }
}

/// `step_many`: [`step`] for `B` independent streams, each with its own state. Where every
/// layer is a recurrent layer, a `dense` or a layer of one timestep's vector (no mask, no
/// token ids, no window), the recurrent and `dense` layers run all the streams together
/// (`Lstm::step_many`, ...: each weight loaded once for several streams); otherwise each
/// stream runs `step` in turn. Either way each stream's result is its own `step`'s, bit for
/// bit.
pub(super) fn step_many(m: &Model, state_name: &Ident) -> TokenStream {
    let features = lit(m.features);
    let units = lit(m.output_units());
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    let x_type = if m.tokens {
        quote!(u32)
    } else {
        quote!([f32; #features])
    };
    let x = if m.tokens {
        quote!(xs[b])
    } else {
        quote!(&xs[b])
    };
    let doc = " Advances `B` independent streams by one timestep each (multi-channel audio, many\n sensors, scoring many sequences at once): stream `b` reads `xs[b]`, updates `states[b]`\n and gives output `b`, bit for bit what [`Self::step`] gives it alone. The recurrent\n and `dense` layers run the streams together, loading each weight once for several of\n them (a matrix-matrix product). Allocates nothing: `B` states, inputs and outputs on\n the stack.";
    // The method, returning `[output; B]` under `bound`, its body `body`.
    let method = |output: TokenStream, bound: TokenStream, body: TokenStream| {
        quote! {
            #[doc = #doc]
            pub fn step_many<const B: usize>(
                &self,
                states: &mut [#state_name; B],
                xs: &[#x_type; B],
            ) -> [#output; B]
            #bound
            {
                #body
            }
        }
    };
    // Each stream through `step` in turn, returning what it returns.
    let per_stream = |output: TokenStream, bound: TokenStream| {
        method(
            output,
            bound,
            quote!(::core::array::from_fn(|b| self.step(&mut states[b], #x))),
        )
    };
    if m.steps_per_window() {
        return per_stream(
            quote!(::core::option::Option<[f32; #units]>),
            TokenStream::new(),
        );
    }
    if m.why_not_streamable().is_some() {
        return per_stream(
            quote!([f32; #units]),
            quote!(where for<'a> Self: ::tinyrnn::__private::Streamable<'a>,),
        );
    }
    let masks = masked(m);
    let batched = !m.tokens
        && !masks.reads.iter().any(|r| *r)
        && m.layers.iter().all(|l| {
            !l.gated
                && l.kind != Kind::Masking
                && l.kind != Kind::Embedding
                && (l.kind.is_recurrent() && l.kind != Kind::Bidirectional
                    || !l.has_state()
                    || l.streams)
        });
    if !batched {
        return per_stream(quote!([f32; #units]), TokenStream::new());
    }
    let calls = m.layers.iter().map(|l| {
        let f = &l.field;
        if l.kind.is_recurrent() {
            quote! { let v = self.#f.step_many(states.each_mut().map(|s| &mut s.#f), &v); }
        } else if l.kind == Kind::Dense {
            quote! { let v = self.#f.step_many(&v); }
        } else if l.has_state() {
            // A causal convolution: its ring, stream by stream.
            quote! {
                let v: [_; B] = ::core::array::from_fn(|b| self.#f.step(&mut states[b].#f, &v[b]));
            }
        } else if matches!(l.kind, Kind::Flatten | Kind::Reshape) {
            quote! { let v = v.map(|v| self.#f.step_vector(&mut (), &v)); }
        } else {
            quote! { let v = v.map(|v| self.#f.step(&mut (), &v)); }
        }
    });
    let unused = (!m.layers.iter().any(Layer::has_state)).then(|| quote!(let _ = states;));
    method(
        quote!([f32; #units]),
        TokenStream::new(),
        quote! {
            #unused
            let v = xs.map(#vector::<f32, #features>::from);
            #( #calls )*
            v.map(::core::convert::Into::into)
        },
    )
}
