//! The generated `forward` and `step`: the stages of timesteps a model runs, each layer's
//! `step` in turn, buffers where a layer reads the previous one's whole output backwards,
//! and `bidirectional`'s two directions merged.

use super::{layer_type, lit};
use crate::check::Model;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

/// `let v = self.layer.step(&mut state.layer, &v);` for each layer in `range`.
pub(super) fn steps(m: &Model, range: std::ops::Range<usize>, state: &TokenStream) -> TokenStream {
    m.layers[range]
        .iter()
        .map(|l| {
            let f = &l.field;
            if l.kind.is_recurrent() {
                quote! { let v = self.#f.step(&mut #state.#f, &v); }
            } else {
                quote! { let v = self.#f.step(&mut (), &v); }
            }
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
}

/// `for <pattern> in <items> { <body>; <write v to the sink> }`, with the sink declared.
pub(super) fn stage_loop(
    m: &Model,
    items: &TokenStream,
    pattern: &TokenStream,
    body: &TokenStream,
    sink: &Sink,
) -> TokenStream {
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    match sink {
        Sink::Buffer(buffer, width) => {
            let (w, t) = (lit(*width), lit(m.timesteps.unwrap_or(0)));
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
    }
}

pub(super) fn forward(model: &Model, state_name: &Ident) -> TokenStream {
    let m = model;
    let features = lit(m.features);
    let units = lit(m.output_units());
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    let state = quote!(state);
    let uses_state = m.layers.iter().any(|l| l.kind.is_recurrent());
    let init_state = uses_state.then(|| quote!(let mut state = #state_name::new();));
    let last_stage = m.stages.len().saturating_sub(1);

    let mut body = TokenStream::new();
    for (k, stage) in m.stages.iter().enumerate() {
        let source = if k == 0 {
            quote!(x)
        } else {
            let b = format_ident!("buffer_{}", k - 1);
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
        let sink = if k < last_stage {
            Sink::Buffer(format_ident!("buffer_{}", k), last_layer.units)
        } else if m.returns_sequences() {
            Sink::Out
        } else {
            Sink::Last(last_layer.units)
        };
        if let (Some(inner), true) = (&first.wrapped, stage.bidirectional) {
            let field = &first.field;
            let ty = layer_type(first);
            let (units, width_out) = (lit(inner.units), lit(first.units));
            let rest = steps(m, stage.layers.start + 1..stage.layers.end, &state);
            if first.seq_out {
                // Backward pass first, its outputs re-aligned in time as Keras does.
                let timesteps = lit(m.timesteps.unwrap_or(0));
                let backward = format_ident!("backward_{}", k);
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
                body.extend(stage_loop(m, &items, &pattern, &calls, &sink));
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
            let items = if stage.reversed {
                quote!(#source.iter().rev())
            } else {
                quote!(#source.iter())
            };
            let calls = steps(m, stage.layers.clone(), &state);
            let calls = quote! {
                let v = #vector::<f32, #width_in>::from(*xt);
                #calls
            };
            body.extend(stage_loop(m, &items, &quote!(xt), &calls, &sink));
        }
    }
    if !m.returns_sequences() {
        let calls = steps(m, m.tail.clone(), &state);
        body.extend(quote! {
            let v = last;
            #calls
            v.into()
        });
    }

    let doc_reversed = if m.streamable() {
        ""
    } else {
        " Layers with `go_backwards = true` read their input from the last timestep to the\n first and emit their outputs in that order; `bidirectional` layers re-align their\n backward outputs in time before merging; both as Keras does."
    };
    match (m.timesteps, m.returns_sequences()) {
        (Some(t), false) => {
            let t = lit(t);
            quote! {
                /// Runs the model over a whole sequence from a zero state and returns the last
                /// output. Allocates nothing.
                #[doc = #doc_reversed]
                #[must_use]
                pub fn forward(&self, x: &[[f32; #features]; #t]) -> [f32; #units] {
                    #init_state
                    #body
                }
            }
        }
        (Some(t), true) => {
            let t = lit(t);
            quote! {
                /// Runs the model over a whole sequence from a zero state and returns the
                /// output at every timestep. Allocates nothing.
                #[doc = #doc_reversed]
                #[must_use]
                pub fn forward(&self, x: &[[f32; #features]; #t]) -> [[f32; #units]; #t] {
                    #init_state
                    let mut out = [[0.0_f32; #units]; #t];
                    #body
                    out
                }
            }
        }
        (None, false) => quote! {
            /// Runs the model over a sequence of any length from a zero state and returns the
            /// last output. Allocates nothing.
            #[doc = #doc_reversed]
            #[must_use]
            pub fn forward(&self, x: &[[f32; #features]]) -> [f32; #units] {
                #init_state
                #body
            }
        },
        (None, true) => quote! {
            /// Runs the model over a sequence of any length from a zero state and writes the
            /// output of every timestep to `out`. Allocates nothing.
            #[doc = #doc_reversed]
            ///
            /// # Errors
            /// `tinyrnn::Error::OutputLength` when `out.len() != x.len()`; `out` is untouched.
            pub fn forward(
                &self,
                x: &[[f32; #features]],
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
    }
}

pub(super) fn step(m: &Model, state_name: &Ident) -> TokenStream {
    let features = lit(m.features);
    let units = lit(m.output_units());
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    if !m.streamable() {
        return quote! {
            /// Not available: a layer with `go_backwards = true` or a `bidirectional` layer
            /// needs the whole sequence before its first output, so this model cannot stream. Calling it is a compile
            /// error; use `forward`.
            pub fn step(&self, state: &mut #state_name, x: &[f32; #features]) -> [f32; #units]
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
    let unused = (!m.layers.iter().any(|l| l.kind.is_recurrent())).then(|| quote!(let _ = state;));
    let span = Span::call_site();
    quote_spanned! {span=>
        /// Advances the model by one timestep: updates `state` and returns this timestep's
        /// output. Feeding a sequence through `step` from a new state gives bit-identical
        /// results to `forward` (its last output, or each of its outputs). Allocates nothing.
        pub fn step(&self, state: &mut #state_name, x: &[f32; #features]) -> [f32; #units] {
            #unused
            let v = #vector::<f32, #features>::from(*x);
            #calls
            v.into()
        }
    }
}
