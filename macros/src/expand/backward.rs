//! The generated `backward` (issue 16, in progress): the model's forward pass keeping each
//! layer's tape, the loss's gradient, then the layers' backward passes in reverse order and
//! back through time, adding every weight's gradient into a model of the same type.
//!
//! So far for models of `simple_rnn`, `lstm` and `gru` (reading forwards), `dense` and the training-only
//! layers (the identity, as in Keras's inference; dropout during training comes with
//! `fit`), on an input of a fixed length. Other models get a `backward` whose call is a
//! compile error that says so.

use super::lit;
use crate::check::{Kind, Layer, Model};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::Ident;

/// Why `backward` is not generated for this model yet, if it is not.
pub(super) fn why_not_trainable(m: &Model) -> Option<String> {
    if m.timesteps.is_none() {
        return Some("it reads a sequence of any length (`input [_, F]`)".to_owned());
    }
    if m.tokens {
        return Some("it reads token ids (`embedding`)".to_owned());
    }
    if m.sections.len() != 1 || m.sections[0].stages.len() > 1 {
        return Some("it has layers that read a whole sequence at once".to_owned());
    }
    m.layers.iter().find_map(|l| {
        let ok = match l.kind {
            Kind::SimpleRnn | Kind::Lstm | Kind::Gru => !l.go_backwards,
            Kind::Dense => true,
            k => k.is_passthrough(),
        };
        (!ok).then(|| {
            format!(
                "layer `{}` has no backward pass yet (so far `simple_rnn`, `lstm` and `gru` reading forwards, `dense` and the training-only layers)",
                l.field
            )
        })
    })
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
    let layers = quote!(::tinyrnn::__private::layers);
    let (input, units) = (lit(l.input), lit(l.units));
    if noise_layer(l).is_some() {
        // What the gradient is multiplied by: the layer's draws in training mode.
        return quote!([f32; #units]);
    }
    match l.kind {
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

/// `backward` and `TAPE_BYTES` (methods of the model), and the tape type (an item beside it).
pub(super) fn backward(m: &Model, name: &Ident, state_name: &Ident) -> (TokenStream, TokenStream) {
    let tape_name = format_ident!("{}Tape", name);
    let units = lit(m.output_units());
    let features = lit(m.features);
    if let Some(why) = why_not_trainable(m) {
        let doc = format!(
            " Not available yet: {why}, so this model has no backward pass (issue 16 is in\n progress). Calling it is a compile error."
        );
        let y_type = if m.returns_sequences() {
            quote!(&[[f32; #units]])
        } else {
            quote!(&[f32; #units])
        };
        let methods = quote! {
            #[doc = #doc]
            pub fn backward(
                &self,
                x: &[[f32; #features]],
                y: #y_type,
                loss: ::tinyrnn::__private::train::Loss,
                grads: &mut Self,
            ) -> f32
            where
                for<'a> Self: ::tinyrnn::__private::Trainable<'a>,
            {
                let _ = (x, y, loss, grads);
                ::core::unreachable!("the `Trainable` bound cannot hold for this model")
            }
        };
        return (methods, TokenStream::new());
    }
    let t_len = m.timesteps.unwrap_or(0);
    let steps = lit(t_len);
    let section = &m.sections[0];
    let stage = section.stages.first().map_or(0..0, |s| s.layers.clone());
    let tail = section.tail.clone();
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
    let weighted = |l: &Layer| l.kind.is_recurrent() || l.kind == Kind::Dense;
    let taped = |l: &Layer| weighted(l) || noise_layer(l).is_some();

    // The tape: per timestep for the layers of the sequence, once for the tail's.
    let mut tape_fields = Vec::new();
    for (i, l) in m.layers.iter().enumerate() {
        if !taped(l) {
            continue;
        }
        let (f, ty) = (&l.field, tape_type(l));
        if stage.contains(&i) {
            tape_fields.push(quote!(pub #f: [#ty; #steps]));
        } else {
            tape_fields.push(quote!(pub #f: #ty));
        }
    }
    let tape_zero = m
        .layers
        .iter()
        .enumerate()
        .filter(|(_, l)| taped(l))
        .map(|(i, l)| {
            let (f, ty) = (&l.field, tape_type(l));
            let zero = if noise_layer(l).is_some() {
                let u = lit(l.units);
                quote!([0.0_f32; #u])
            } else {
                quote!(<#ty>::ZERO)
            };
            if stage.contains(&i) {
                quote!(#f: [#zero; #steps])
            } else {
                quote!(#f: #zero)
            }
        });

    // Forward, keeping the tapes. A dropout or noise layer draws in training mode only
    // (`noise` is `Some`), and keeps what it multiplied by.
    let noise_call = |l: &Layer, slot: TokenStream| -> TokenStream {
        let Some((keyword, value)) = noise_layer(l) else {
            return TokenStream::new();
        };
        let layers = quote!(::tinyrnn::__private::train::noise_layers);
        let vector = quote!(::tinyrnn::__private::nalgebra::SVector);
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
    let stage_calls = stage.clone().map(|i| {
        let l = &m.layers[i];
        let f = &l.field;
        match l.kind {
            k if k.is_recurrent() => {
                quote!(let v = self.#f.step_train(&mut state.#f, &v, &mut tape.#f[t]);)
            }
            Kind::Dense => quote!(let v = self.#f.step_train(&v, &mut tape.#f[t]);),
            _ => noise_call(l, quote!(tape.#f[t])),
        }
    });
    // SpatialDropout1D: one mask per sequence.
    let spatial_masks = stage.clone().filter_map(|i| {
        let l = &m.layers[i];
        let (keyword, rate) = noise_layer(l)?;
        (keyword == "spatial_dropout1d").then(|| {
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
    let stage_out = m
        .layers
        .get(stage.end.wrapping_sub(1))
        .map_or(m.features, |l| l.units);
    let stage_out = lit(stage_out);
    let tail_calls = tail.clone().map(|i| {
        let l = &m.layers[i];
        let f = &l.field;
        if l.kind == Kind::Dense {
            quote!(let v = self.#f.step_train(&v, &mut tape.#f);)
        } else {
            noise_call(l, quote!(tape.#f))
        }
    });
    let sequences = m.returns_sequences();
    let (collect, predictions, truth) = if sequences {
        (
            quote!(predictions[t] = v.into();),
            quote!(let mut predictions = [[0.0_f32; #units]; #steps];),
            quote!(y.as_flattened()),
        )
    } else {
        (quote!(last = v;), quote!(), quote!(&y[..]))
    };

    // The last weighted layer, whose activation Keras skips for a crossentropy after a
    // sigmoid or a softmax (it computes the loss from the logits).
    let last = m.layers.len().checked_sub(1).and_then(|i| {
        let l = &m.layers[i];
        (l.kind == Kind::Dense).then_some((i, l))
    });
    let logits_pair = last.map(|(_, l)| l.activation.name);
    let from_logits = match logits_pair {
        Some("sigmoid") => quote!(loss == ::tinyrnn::__private::train::Loss::BinaryCrossentropy),
        Some("softmax") => {
            quote!(loss == ::tinyrnn::__private::train::Loss::CategoricalCrossentropy)
        }
        _ => quote!(false),
    };
    let logits = if let Some((index, layer)) = last {
        let f = &layer.field;
        if stage.contains(&index) {
            quote! {
                let mut logits = [[0.0_f32; #units]; #steps];
                for (z, tape) in logits.iter_mut().zip(tape.#f.iter()) {
                    *z = tape.z.into();
                }
                let logits = logits.as_flattened();
            }
        } else {
            quote!(let logits: [f32; #units] = tape.#f.z.into();)
        }
    } else {
        quote!(let logits = predictions;)
    };

    // Backward: the tail once, then the sequence's layers back through time.
    let last_index = m.layers.len() - 1;
    // A first weighted layer's input gradient is not needed: it is not computed.
    let first_weighted = m.layers.iter().position(weighted);
    let back = |i: usize, timestep: bool| {
        let l = &m.layers[i];
        let f = &l.field;
        let tr = format_ident!("transposed_{}", f);
        let tape = if timestep {
            quote!(&tape.#f[t])
        } else {
            quote!(&tape.#f)
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
            _ if noise_layer(l).is_some() => quote! {
                let g = if noisy {
                    g.component_mul(&::tinyrnn::__private::nalgebra::SVector::from(*#tape))
                } else {
                    g
                };
            },
            // The recurrent layers keep each timestep's gradients in their tapes and add
            // the weights' after the loop (`add_gradients`).
            Kind::Lstm => {
                let (dh, dc) = (format_ident!("dh_{}", f), format_ident!("dc_{}", f));
                quote! {
                    let back = self.#f.backward_step(&#tr, &mut tape.#f[t], &(g + #dh), &#dc);
                    (#dh, #dc) = (back.h, back.c);
                    let g = back.x;
                }
            }
            k if k.is_recurrent() => {
                let dh = format_ident!("dh_{}", f);
                quote! {
                    let (g, dh) = self.#f.backward_step(&#tr, &mut tape.#f[t], &(g + #dh));
                    #dh = dh;
                }
            }
            _ => TokenStream::new(),
        }
    };
    let tail_back = tail.clone().rev().map(|i| back(i, false));
    let stage_back = stage.clone().rev().map(|i| back(i, true));
    let transposes = stage
        .clone()
        .filter(|&i| m.layers[i].kind.is_recurrent())
        .map(|i| {
            let f = &m.layers[i].field;
            let tr = format_ident!("transposed_{}", f);
            let input = first_weighted.is_some_and(|first| first < i);
            quote!(let #tr = self.#f.transposed(#input);)
        });
    let add_gradients = stage
        .clone()
        .filter(|&i| m.layers[i].kind.is_recurrent())
        .map(|i| {
            let f = &m.layers[i].field;
            quote!(grads.#f.add_gradients(&tape.#f);)
        });
    let dh_init = stage
        .clone()
        .filter(|&i| m.layers[i].kind.is_recurrent())
        .map(|i| {
            let l = &m.layers[i];
            let (dh, dc) = (
                format_ident!("dh_{}", l.field),
                format_ident!("dc_{}", l.field),
            );
            let u = lit(l.units);
            let cell =
                (l.kind == Kind::Lstm).then(|| quote!(let mut #dc = #vector::<f32, #u>::zeros();));
            quote! {
                let mut #dh = #vector::<f32, #u>::zeros();
                #cell
            }
        });
    let stage_grad = if sequences {
        quote! {
            let g = #vector::<f32, #units>::from_column_slice(
                gradient.get(t * #units..(t + 1) * #units).unwrap_or(&[0.0; #units]),
            );
        }
    } else {
        quote! {
            let g = if t + 1 == #steps { end } else { #vector::<f32, #stage_out>::zeros() };
        }
    };
    let grad_len = if sequences {
        t_len * m.output_units()
    } else {
        m.output_units()
    };
    let grad_len = lit(grad_len);
    let state_decl = stage
        .clone()
        .any(|i| m.layers[i].kind.is_recurrent())
        .then(|| quote!(let mut state = #state_name::new();));
    let tape_doc = format!(
        " What `{name}::backward` keeps of its forward pass for the backward pass: each layer's inputs, pre-activations and outputs, per timestep for the layers of the sequence ({t_len} timesteps). `{name}::TAPE_BYTES` bytes, on the stack during `backward`."
    );
    let y_type = if sequences {
        quote!(&[[f32; #units]; #steps])
    } else {
        quote!(&[f32; #units])
    };
    let last_decl =
        (!sequences).then(|| quote!(let mut last = #vector::<f32, #stage_out>::zeros();));
    let tail_input = (!sequences).then(|| quote!(let v = last;));
    let prediction_out = if sequences {
        quote!(let predictions = predictions.as_flattened();)
    } else {
        quote!(let predictions: [f32; #units] = v.into(); let predictions = &predictions[..];)
    };
    let end_of_tail = if sequences {
        TokenStream::new()
    } else {
        quote! {
            let g = #vector::<f32, #units>::from_column_slice(&gradient);
            #( #tail_back )*
            let end = g;
        }
    };
    let methods = quote! {
        /// Adds the gradient of `loss` on this one sample (`x`, with target `y`) with
        /// respect to every weight into `grads` (a model of the same type, e.g. starting
        /// from `Self::ZERO`), and returns the sample's loss: Keras's loss on a batch of
        /// just `x`, and the gradient `tf.GradientTape` gives for it. A crossentropy after
        /// a last `dense` with a sigmoid or softmax is computed from its logits, as Keras
        /// does. Allocates nothing: the tape of the forward pass (`Self::TAPE_BYTES`) is on
        /// the stack.
        pub fn backward(
            &self,
            x: &[[f32; #features]; #steps],
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
        ) -> f32 {
            self.backward_with(x, y, loss, grads, ::core::option::Option::None)
        }

        /// [`Self::backward`] in Keras's training mode: the dropout and noise layers act
        /// (`dropout`, `spatial_dropout1d`, `gaussian_noise`, `gaussian_dropout`,
        /// `alpha_dropout`, as Keras defines them with `training=True`), drawing from
        /// `noise`, and the gradient goes through what they drew. `fit` calls this.
        pub fn backward_training(
            &self,
            x: &[[f32; #features]; #steps],
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
            noise: &mut ::tinyrnn::__private::train::Noise,
        ) -> f32 {
            self.backward_with(x, y, loss, grads, ::core::option::Option::Some(noise))
        }

        #[allow(
            clippy::large_stack_arrays,
            reason = "the tape's size follows from the model's (`TAPE_BYTES`)"
        )]
        fn backward_with(
            &self,
            x: &[[f32; #features]; #steps],
            y: #y_type,
            loss: ::tinyrnn::__private::train::Loss,
            grads: &mut Self,
            noise: ::core::option::Option<&mut ::tinyrnn::__private::train::Noise>,
        ) -> f32 {
            let mut noise = noise;
            let noisy = noise.is_some();
            let _ = (&mut noise, noisy);
            let mut tape = #tape_name::ZERO;
            #( #spatial_masks )*
            #state_decl
            #predictions
            #last_decl
            for (t, xt) in x.iter().enumerate() {
                let v = #vector::<f32, #features>::from(*xt);
                #( #stage_calls )*
                #collect
            }
            #tail_input
            #( #tail_calls )*
            #prediction_out
            let from_logits = #from_logits;
            let mut gradient = [0.0_f32; #grad_len];
            let value = if from_logits {
                #logits
                loss.gradient_from_logits(#truth, &logits[..], predictions, #units, &mut gradient)
            } else {
                loss.gradient(#truth, predictions, #units, &mut gradient)
            };
            #end_of_tail
            #( #dh_init )*
            #( #transposes )*
            for t in (0..#steps).rev() {
                #stage_grad
                #( #stage_back )*
                let _ = g;
            }
            #( #add_gradients )*
            value
        }

        /// The bytes of the tape `backward` keeps on the stack.
        pub const TAPE_BYTES: usize = ::core::mem::size_of::<#tape_name>();
    };
    let tape_zero: Vec<TokenStream> = tape_zero.collect();
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
    };
    let input = quote!([[f32; #features]; #steps]);
    let target = if sequences {
        quote!([[f32; #units]; #steps])
    } else {
        quote!([f32; #units])
    };
    let items = quote! {
        #items

        impl ::tinyrnn::__private::train::Train for #name {
            type Input = #input;
            type Target = #target;

            fn backward(
                &self,
                x: &#input,
                y: &#target,
                loss: ::tinyrnn::__private::train::Loss,
                grads: &mut Self,
            ) -> f32 {
                #name::backward(self, x, y, loss, grads)
            }

            fn backward_training(
                &self,
                x: &#input,
                y: &#target,
                loss: ::tinyrnn::__private::train::Loss,
                grads: &mut Self,
                noise: &mut ::tinyrnn::__private::train::Noise,
            ) -> f32 {
                #name::backward_training(self, x, y, loss, grads, noise)
            }
        }
    };
    (methods, items)
}
