//! Phase 3: generate the model struct, its state and its methods from a checked [`Model`].
//!
//! The generated code only composes runtime types (`tinyrnn::__private::layers::*`) and
//! calls their `step`; every path is absolute so that it works wherever the macro is called.

use crate::check::{Activation, Kind, Layer, Model, Resample};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Ident;

mod backward;
mod forward;

use forward::{forward, step, step_many};

fn lit(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
}

/// The runtime type of a layer, spanned on the user's layer tokens so that a type error
/// points there.
fn layer_type(layer: &Layer) -> TokenStream {
    let l = layer;
    let span = l.span;
    let activation = |a: &Activation| {
        let ty = Ident::new(a.runtime_type, span);
        quote_spanned!(span=> ::tinyrnn::__private::activations::#ty)
    };
    let (inputs, units) = (lit(l.input), lit(l.units));
    let bias = |n: usize| lit(if l.use_bias { n } else { 0 });
    let (act, rec_act) = (activation(l.activation), activation(l.recurrent_activation));
    let layers = quote_spanned!(span=> ::tinyrnn::__private::layers);
    if l.gated {
        return sliding_type(l, &layers, &act);
    }
    match l.kind {
        Kind::SimpleRnn => {
            let bias = bias(l.units);
            quote_spanned!(span=> #layers::SimpleRnn<#inputs, #units, #bias, #act>)
        }
        Kind::Lstm => {
            let (gates, bias) = (lit(4 * l.units), bias(4 * l.units));
            quote_spanned!(span=> #layers::Lstm<#inputs, #units, #gates, #bias, #act, #rec_act>)
        }
        Kind::Gru => {
            let gates = lit(3 * l.units);
            let rows = lit(match (l.use_bias, l.reset_after) {
                (false, _) => 0,
                (true, false) => 1,
                (true, true) => 2,
            });
            let reset_after = l.reset_after;
            quote_spanned! {span=>
                #layers::Gru<#inputs, #units, #gates, #rows, #reset_after, #act, #rec_act>
            }
        }
        Kind::Dense => {
            let bias = bias(l.units);
            quote_spanned!(span=> #layers::Dense<#inputs, #units, #bias, #act>)
        }
        Kind::Bidirectional => {
            if let (Some(inner), Some(merge)) = (&l.wrapped, l.merge) {
                let inner = layer_type(inner);
                let merge = Ident::new(merge.runtime_type, span);
                quote_spanned!(span=> #layers::Bidirectional<#inner, #layers::#merge>)
            } else {
                quote_spanned!(span=> ())
            }
        }
        Kind::Embedding => {
            let input_dim = lit(l.input_dim);
            quote_spanned!(span=> #layers::Embedding<#input_dim, #units>)
        }
        Kind::Conv1d if l.streams => {
            let Some(window) = l.window else {
                return quote_spanned!(span=> ());
            };
            let size = lit(window.size);
            let column = lit(window.size * (l.input / window.groups.max(1)));
            let (dilation, groups) = (lit(window.dilation), lit(window.groups));
            let reach = lit((window.size - 1) * window.dilation);
            let bias = bias(l.units);
            quote_spanned! {span=>
                #layers::CausalConv1d<#inputs, #units, #size, #column, #bias, #dilation, #groups,
                    #reach, #act>
            }
        }
        Kind::Conv1d => {
            let Some(window) = l.window else {
                return quote_spanned!(span=> ());
            };
            let (steps_in, steps_out) = (lit(l.flatten_len), lit(l.timesteps.unwrap_or(0)));
            let size = lit(window.size);
            let column = lit(window.size * (l.input / window.groups.max(1)));
            let strides = lit(window.strides);
            let (dilation, groups) = (lit(window.dilation), lit(window.groups));
            let pad = padding(window.padding);
            let bias = bias(l.units);
            quote_spanned! {span=>
                #layers::Conv1d<#steps_in, #inputs, #steps_out, #units, #size, #column, #bias,
                    #strides, #dilation, #groups, #pad, #act>
            }
        }
        Kind::ZeroPadding1d | Kind::Cropping1d | Kind::UpSampling1d => {
            let (steps_in, steps_out) = (lit(l.flatten_len), lit(l.timesteps.unwrap_or(0)));
            let (kind, n) = match l.resample {
                Some(Resample::Pad(start, _)) => ("ZeroPadding1d", start),
                Some(Resample::Crop(start, _)) => ("Cropping1d", start),
                Some(Resample::Repeat(n)) => ("UpSampling1d", n),
                None => return quote_spanned!(span=> ()),
            };
            let (kind, n) = (Ident::new(kind, span), lit(n));
            quote_spanned!(span=> #layers::#kind<#steps_in, #inputs, #steps_out, #n>)
        }
        pooling if pooling.slides_window() => {
            let Some(window) = l.window else {
                return quote_spanned!(span=> ());
            };
            let (steps_in, steps_out) = (lit(l.flatten_len), lit(l.timesteps.unwrap_or(0)));
            let (size, strides) = (lit(window.size), lit(window.strides));
            let pad = padding(window.padding);
            let average = pooling.keyword() == tinyrnn_spec::AVERAGE_POOLING_1D.keyword;
            quote_spanned! {span=>
                #layers::Pooling1d<#steps_in, #inputs, #steps_out, #size, #strides, #pad, #average>
            }
        }
        global if global.pools_globally() => {
            let t = lit(l.flatten_len);
            let average = global.keyword() == tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D.keyword;
            quote_spanned!(span=> #layers::GlobalPooling1d<#t, #inputs, #average>)
        }
        Kind::PRelu => {
            let (a, sequence) = (lit(l.alpha), l.seq_out);
            quote_spanned!(span=> #layers::PRelu<#inputs, #a, #sequence>)
        }
        Kind::RepeatVector => {
            let n = lit(l.timesteps.unwrap_or(0));
            quote_spanned!(span=> #layers::RepeatVector<#inputs, #n>)
        }
        Kind::Flatten => {
            let t = lit(l.flatten_len);
            quote_spanned!(span=> #layers::Flatten<#t, #inputs, #units>)
        }
        Kind::Reshape => {
            let t_in = lit(l.flatten_len);
            let t_out = lit(if l.seq_out {
                l.timesteps.unwrap_or(1)
            } else {
                1
            });
            quote_spanned!(span=> #layers::Reshape<#t_in, #inputs, #t_out, #units>)
        }
        Kind::Masking => {
            let value = Literal::u32_unsuffixed(l.number("mask_value").to_bits());
            quote_spanned!(span=> #layers::Masking<#inputs, #value>)
        }
        Kind::Normalization => {
            let invert = l.invert;
            quote_spanned!(span=> #layers::Normalization<#inputs, #invert>)
        }
        normalization if normalization.is_normalization() => {
            let ty = Ident::new(normalization.runtime_type(), span);
            let gamma = lit(if l.scale { l.input } else { 0 });
            let beta = lit(if l.center { l.input } else { 0 });
            let epsilon = Literal::u32_unsuffixed(l.number("epsilon").to_bits());
            quote_spanned!(span=> #layers::#ty<#inputs, #gamma, #beta, #epsilon>)
        }
        Kind::TimeDistributed => {
            if let Some(inner) = &l.wrapped {
                let inner = layer_type(inner);
                quote_spanned!(span=> #layers::TimeDistributed<#inner>)
            } else {
                quote_spanned!(span=> ())
            }
        }
        elementwise if elementwise.is_elementwise() => {
            let kind = Ident::new(elementwise.runtime_type(), span);
            // The activation layers' numbers are `f32` bits in const generics.
            let f32_bits = |name: &str| Literal::u32_unsuffixed(l.number(name).to_bits());
            let acts = quote_spanned!(span=> ::tinyrnn::__private::activations);
            let act = match elementwise.keyword() {
                "relu" => {
                    let (s, m, t) = (
                        f32_bits("negative_slope"),
                        f32_bits("max_value"),
                        f32_bits("threshold"),
                    );
                    quote_spanned!(span=> #acts::ReluWith<#s, #m, #t>)
                }
                "leaky_relu" => {
                    let s = f32_bits("negative_slope");
                    quote_spanned!(span=> #acts::LeakyReluWith<#s>)
                }
                "elu" => {
                    let a = f32_bits("alpha");
                    quote_spanned!(span=> #acts::EluWith<#a>)
                }
                _ => act,
            };
            quote_spanned!(span=> #layers::Elementwise<#inputs, #act, #layers::#kind>)
        }
        passthrough => {
            let kind = Ident::new(passthrough.runtime_type(), span);
            quote_spanned!(span=> #layers::Passthrough<#inputs, #layers::#kind>)
        }
    }
}

/// The type of a window slid along a sequence of any length (`Layer::gated`): a convolution,
/// a pooling, or a global pooling's running maximum or sum.
fn sliding_type(l: &Layer, layers: &TokenStream, act: &TokenStream) -> TokenStream {
    let span = l.span;
    let (inputs, units) = (lit(l.input), lit(l.units));
    if l.kind.pools_globally() {
        let average = l.kind.spec() == &tinyrnn_spec::GLOBAL_AVERAGE_POOLING_1D;
        return quote_spanned!(span=> #layers::RunningPooling1d<#inputs, #average>);
    }
    let Some(w) = l.window else {
        return quote_spanned!(span=> ());
    };
    let span_len = (w.size - 1) * w.dilation + 1;
    let left = match w.padding {
        crate::check::Padding::Valid => 0,
        crate::check::Padding::Causal => span_len - 1,
        crate::check::Padding::Same => (span_len - 1) / 2,
    };
    let same = w.padding == crate::check::Padding::Same;
    let (n, left, size, strides) = (lit(span_len), lit(left), lit(w.size), lit(w.strides));
    if l.kind == Kind::Conv1d {
        let column = lit(w.size * (l.input / w.groups.max(1)));
        let (dilation, groups) = (lit(w.dilation), lit(w.groups));
        let bias = lit(if l.use_bias { l.units } else { 0 });
        quote_spanned! {span=>
            #layers::SlidingConv1d<#inputs, #units, #size, #column, #bias, #strides, #dilation,
                #groups, #n, #left, #same, #act>
        }
    } else {
        let average = l.kind.spec() == &tinyrnn_spec::AVERAGE_POOLING_1D;
        quote_spanned! {span=>
            #layers::SlidingPooling1d<#inputs, #n, #strides, #left, #same, #average>
        }
    }
}

/// `padding`'s runtime constant: `VALID`, `SAME` or `CAUSAL`.
fn padding(p: crate::check::Padding) -> TokenStream {
    let name = Ident::new(&p.name().to_uppercase(), proc_macro2::Span::call_site());
    quote!({ ::tinyrnn::__private::layers::#name })
}

/// The layer's options as Keras's config writes them, for loaders to compare with a file.
fn keras_options(l: &Layer) -> Vec<(&'static str, String)> {
    let mut options = Vec::new();
    if let Some(inner) = &l.wrapped {
        if let Some(merge) = l.merge {
            options.push(("merge_mode", merge.name.to_owned()));
        }
        options.extend(keras_options(inner));
        return options;
    }
    if l.kind == Kind::Normalization {
        options.push(("invert", l.invert.to_string()));
        return options;
    }
    if l.kind == Kind::RepeatVector {
        options.push(("n", l.timesteps.unwrap_or(0).to_string()));
        return options;
    }
    if l.kind == Kind::Flatten || l.kind.pools_globally() {
        return options;
    }
    match l.resample {
        Some(Resample::Pad(start, end)) => options.push(("padding", format!("[{start}, {end}]"))),
        Some(Resample::Crop(start, end)) => {
            options.push(("cropping", format!("[{start}, {end}]")));
        }
        Some(Resample::Repeat(n)) => options.push(("size", n.to_string())),
        None => {}
    }
    if l.resample.is_some() {
        return options;
    }
    if let Some(w) = l.window {
        if l.kind == Kind::Conv1d {
            options.push(("filters", l.units.to_string()));
            options.push(("kernel_size", format!("[{}]", w.size)));
        } else {
            options.push(("pool_size", format!("[{}]", w.size)));
        }
        options.push(("strides", format!("[{}]", w.strides)));
        options.push(("padding", w.padding.name().to_owned()));
        if l.kind == Kind::Conv1d {
            options.push(("dilation_rate", format!("[{}]", w.dilation)));
            options.push(("groups", w.groups.to_string()));
            options.push(("activation", l.activation.name.to_owned()));
            options.push(("use_bias", l.use_bias.to_string()));
        }
        return options;
    }
    if l.kind == Kind::PRelu {
        let axes: Vec<String> = l.shared_axes.iter().map(ToString::to_string).collect();
        let axes = if axes.is_empty() {
            "None".to_owned()
        } else {
            format!("[{}]", axes.join(", "))
        };
        options.push(("shared_axes", axes));
        return options;
    }
    if l.kind == Kind::Reshape {
        let shape = if l.seq_out {
            format!("[{}, {}]", l.timesteps.unwrap_or(0), l.units)
        } else {
            format!("[{}]", l.units)
        };
        options.push(("target_shape", shape));
        return options;
    }
    if l.kind == Kind::Embedding {
        options.push(("input_dim", l.input_dim.to_string()));
        options.push(("output_dim", l.units.to_string()));
        options.push(("mask_zero", l.mask_zero.to_string()));
        return options;
    }
    if l.kind.is_normalization() {
        options.push(("epsilon", l.number("epsilon").to_string()));
        options.push(("center", l.center.to_string()));
        options.push(("scale", l.scale.to_string()));
        return options;
    }
    if l.kind.keeps_width() {
        if l.kind.spec().takes("activation") {
            options.push(("activation", l.activation.name.to_owned()));
        }
        // As a file's config states them: `None` for no limit.
        for (name, value) in &l.numbers {
            let text = if value.is_finite() {
                value.to_string()
            } else {
                "None".to_owned()
            };
            options.push((name, text));
        }
        return options;
    }
    options.push(("units", l.units.to_string()));
    options.push(("activation", l.activation.name.to_owned()));
    if matches!(l.kind, Kind::Lstm | Kind::Gru) {
        options.push((
            "recurrent_activation",
            l.recurrent_activation.name.to_owned(),
        ));
    }
    options.push(("use_bias", l.use_bias.to_string()));
    if l.kind.is_recurrent() {
        options.push(("return_sequences", l.seq_out.to_string()));
        options.push(("go_backwards", l.go_backwards.to_string()));
    }
    if l.kind == Kind::Gru {
        options.push(("reset_after", l.reset_after.to_string()));
    }
    options
}

fn model_text(m: &Model) -> String {
    let t = m.timesteps.map_or("_".to_owned(), |t| t.to_string());
    let layers: Vec<String> = m
        .layers
        .iter()
        .map(|l| {
            let argument = match (
                l.kind.is_elementwise() || l.kind.is_normalization() || l.kind == Kind::Masking,
                l.kind.spec().takes("activation"),
            ) {
                _ if l.kind == Kind::Embedding => format!("{}, {}", l.input_dim, l.units),
                _ if l.kind == Kind::RepeatVector => l.timesteps.unwrap_or(0).to_string(),
                _ if l.kind == Kind::Flatten || l.kind == Kind::PRelu => String::new(),
                _ if l.kind == Kind::Reshape && l.seq_out => {
                    format!("[{}, {}]", l.timesteps.unwrap_or(0), l.units)
                }
                _ if l.kind == Kind::Reshape => format!("[{}]", l.units),
                (true, true) => l.activation.name.to_owned(),
                (true, false) => String::new(),
                _ => l.units.to_string(),
            };
            format!(" -> {}({argument})", l.kind.keyword())
        })
        .collect();
    if m.tokens {
        return format!("input [{t}]{}", layers.concat());
    }
    format!("input [{t}, {}]{}", m.features, layers.concat())
}

pub fn expand(m: &Model) -> TokenStream {
    let name = &m.name;
    let vis = &m.vis;
    let attrs = &m.attrs;
    let state_name = format_ident!("{}State", name);
    let name_str = name.to_string();
    let tys: Vec<TokenStream> = m.layers.iter().map(layer_type).collect();
    let fields: Vec<&Ident> = m.layers.iter().map(|l| &l.field).collect();
    let n_layers = lit(m.layers.len());
    let features = lit(m.features);
    let output_timesteps = match m.output_timesteps() {
        Some(t) if m.returns_sequences() => {
            let t = lit(t);
            quote!(::core::option::Option::Some(#t))
        }
        _ => quote!(::core::option::Option::None),
    };
    let vocabulary = match m.layers.first() {
        Some(l) if m.tokens => {
            let v = lit(l.input_dim);
            quote!(::core::option::Option::Some(#v))
        }
        _ => quote!(::core::option::Option::None),
    };
    let units = lit(m.output_units());
    let derived = lit(m.params);
    let layer = quote!(::tinyrnn::__private::Layer);
    let vector = quote!(::tinyrnn::__private::nalgebra::SVector);

    let default_doc = (!attrs.iter().any(|a| a.path().is_ident("doc"))).then(|| {
        let doc = format!(" A tinyrnn model: {}.", model_text(m));
        quote!(#[doc = #doc])
    });
    let field_docs = m.layers.iter().map(|l| {
        let doc = match (&l.wrapped, l.merge) {
            (Some(inner), Some(merge)) => format!(
                " `{}`: Keras `Bidirectional({}({}), merge_mode=\"{}\")` on {} inputs.",
                l.field,
                inner.kind.keras_class(),
                inner.units,
                merge.name,
                l.input
            ),
            (Some(inner), None) => format!(
                " `{}`: Keras `TimeDistributed({})` on each timestep of {} inputs.",
                l.field,
                inner.kind.keras_class(),
                l.input
            ),
            (None, _) if l.kind == Kind::Embedding => format!(
                " `{}`: Keras `Embedding({}, {}{})`: token ids below {} to vectors.",
                l.field,
                l.input_dim,
                l.units,
                if l.mask_zero { ", mask_zero=True" } else { "" },
                l.input_dim
            ),
            (None, _) if l.kind == Kind::RepeatVector => format!(
                " `{}`: Keras `RepeatVector({})`: its {}-wide input vector as a sequence of {} timesteps (no weights).",
                l.field,
                l.timesteps.unwrap_or(0),
                l.input,
                l.timesteps.unwrap_or(0)
            ),
            (None, _) if l.kind == Kind::Reshape => format!(
                " `{}`: Keras `Reshape`: {} timesteps of {} values regrouped as {} of {} (no weights).",
                l.field,
                l.flatten_len,
                l.input,
                if l.seq_out { l.timesteps.unwrap_or(1) } else { 1 },
                l.units
            ),
            (None, _) if l.kind == Kind::PRelu => format!(
                " `{}`: Keras `PReLU()` on {} units: one learned `alpha` each.",
                l.field, l.input
            ),
            (None, _) if l.kind == Kind::Flatten => format!(
                " `{}`: Keras `Flatten()`: {} timesteps of {} units as one vector of {} (no weights).",
                l.field, l.flatten_len, l.input, l.units
            ),
            (None, _) if l.kind == Kind::Masking => format!(
                " `{}`: Keras `Masking({})`: masks the timesteps whose {} features all equal it (no weights).",
                l.field,
                l.number("mask_value"),
                l.input
            ),
            (None, _) if l.kind.is_normalization() => format!(
                " `{}`: Keras `{}` on {} units.",
                l.field,
                l.kind.keras_class(),
                l.input
            ),
            (None, _) if l.kind.is_elementwise() => format!(
                " `{}`: Keras `{}`, on each vector (no weights).",
                l.field,
                l.kind.keras_class(),
            ),
            (None, _) if l.kind.is_passthrough() => format!(
                " `{}`: Keras `{}`, the identity at inference (no weights).",
                l.field,
                l.kind.keras_class()
            ),
            (None, _) => format!(
                " `{}`: Keras `{}` with {} units on {} inputs.",
                l.field,
                l.kind.keras_class(),
                l.units,
                l.input
            ),
        };
        quote!(#[doc = #doc])
    });

    let recurrent: Vec<(&Ident, &TokenStream)> = m
        .layers
        .iter()
        .zip(&tys)
        .filter(|(l, _)| l.has_state())
        .map(|(l, t)| (&l.field, t))
        .collect();
    let r_fields: Vec<&Ident> = recurrent.iter().map(|(f, _)| *f).collect();
    let r_tys: Vec<&TokenStream> = recurrent.iter().map(|(_, t)| *t).collect();
    let state_doc = format!(
        " The streaming state of [`{name}`]: each recurrent layer's hidden values, zero at the start."
    );

    let timesteps_const = if let Some(t) = m.timesteps {
        let t = lit(t);
        quote!(::core::option::Option::Some(#t))
    } else {
        quote!(::core::option::Option::None)
    };

    // Summary rows.
    let summary_rows = m.layers.iter().zip(&tys).map(|(l, ty)| {
        let lname = l.field.to_string();
        let (option_keys, option_values): (Vec<&str>, Vec<String>) =
            keras_options(l).into_iter().unzip();
        let units = lit(l.units);
        let output = if l.seq_out {
            let timesteps = if let Some(t) = l.timesteps {
                let t = lit(t);
                quote!(::core::option::Option::Some(#t))
            } else {
                quote!(::core::option::Option::None)
            };
            quote!(::tinyrnn::__private::OutputShape::Sequence {
                timesteps: #timesteps,
                units: #units,
            })
        } else {
            quote!(::tinyrnn::__private::OutputShape::Vector { units: #units })
        };
        quote! {
            ::tinyrnn::__private::LayerSummary {
                name: #lname,
                kind: <#ty as #layer>::KIND,
                output: #output,
                params: <#ty as #layer>::PARAMS,
                non_trainable: <#ty as #layer>::NON_TRAINABLE,
                non_trainable_bytes: <#ty as #layer>::NON_TRAINABLE_BYTES,
                weights: <#ty as #layer>::WEIGHTS,
                copies: <#ty as #layer>::COPIES,
                formula: <#ty as #layer>::FORMULA,
                symbols: <#ty as #layer>::SYMBOLS,
                options: &[ #( (#option_keys, #option_values) ),* ],
            }
        }
    });

    let returns_sequences = m.returns_sequences();

    let bytes_len = lit(4 * m.params);
    // The struct is aligned as far as its size allows without padding (at most 64 bytes, a
    // cache line): `size_of == 4 * PARAMS` holds, and when the size is a multiple of 64 every
    // weight column of a layer whose gate count is a multiple of 16 starts a cache line, so
    // no vector load of the kernel straddles two (lstm(32) `step` 366 -> 254 ns natively;
    // BENCHMARKS.md). Other models can be wrapped in `tinyrnn::Aligned`.
    let align = lit(struct_align(4 * m.params));
    let from_bytes = m.layers.iter().map(|l| {
        let ty = layer_type(l);
        if let (Some(inner), Some(_)) = (&l.wrapped, l.merge) {
            let inner = layer_type(inner);
            quote! {
                <#ty>::new(
                    <#inner>::from_le_bytes_at(bytes, &mut offset),
                    <#inner>::from_le_bytes_at(bytes, &mut offset),
                )
            }
        } else if let Some(inner) = &l.wrapped {
            let inner = layer_type(inner);
            quote!(<#ty>::new(<#inner>::from_le_bytes_at(bytes, &mut offset)))
        } else {
            quote!(<#ty>::from_le_bytes_at(bytes, &mut offset))
        }
    });

    let forward = forward(m, &state_name);
    let step = step(m, &state_name);
    let step_many = step_many(m, &state_name);
    let (backward, backward_items) = backward::backward(m, name, &state_name);

    quote! {
        #(#attrs)*
        #default_doc
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #[repr(C, align(#align))]
        #vis struct #name {
            #( #field_docs pub #fields: #tys, )*
        }

        #[doc = #state_doc]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #vis struct #state_name {
            #(
                #[doc = " The hidden state of this layer."]
                pub #r_fields: <#r_tys as #layer>::State,
            )*
        }

        impl #state_name {
            /// The state before the first timestep: every hidden value zero, as in Keras.
            #[must_use]
            pub const fn new() -> Self {
                Self { #( #r_fields: <#r_tys as #layer>::INITIAL_STATE, )* }
            }

            /// Resets every hidden value to zero, ready for a new sequence.
            pub fn reset(&mut self) {
                *self = Self::new();
            }
        }

        impl ::core::default::Default for #state_name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl #name {
            /// The number of weights, Keras's `model.count_params()`.
            pub const PARAMS: usize = 0 #( + <#tys as #layer>::PARAMS )*;
            /// Each layer's weight count, in order, as in Keras's `model.summary()`.
            pub const LAYER_PARAMS: [usize; #n_layers] = [ #( <#tys as #layer>::PARAMS ),* ];
            /// The number of timesteps `forward` takes, `None` for any length (`input [_, F]`).
            pub const TIMESTEPS: ::core::option::Option<usize> = #timesteps_const;
            /// The number of features per timestep (1 for a model that reads token ids).
            pub const FEATURES: usize = #features;
            /// For a model that reads token ids (`input [T]`, first layer `embedding`): how
            /// many ids its embedding maps (`input_dim`); `None` for one that reads features.
            pub const VOCABULARY: ::core::option::Option<usize> = #vocabulary;
            /// The length of each output vector.
            pub const OUTPUT_UNITS: usize = #units;
            /// How many timesteps `forward` returns when the model returns sequences: the
            /// input's, or `repeat_vector`'s `n`; `None` for as many as an input of any
            /// length has. `None` too for a model that returns one vector.
            pub const OUTPUT_TIMESTEPS: ::core::option::Option<usize> = #output_timesteps;
            /// Whether `forward` returns one output per timestep.
            pub const RETURNS_SEQUENCES: bool = #returns_sequences;
            /// The model with every weight zero, for `const` and `static` items.
            pub const ZERO: Self = Self { #( #fields: <#tys as #layer>::ZERO, )* };

            /// The model with every weight zero.
            #[must_use]
            pub const fn zeroed() -> Self {
                Self::ZERO
            }

            /// Builds the model from Keras `model.get_weights()`: each array flattened
            /// row-major (numpy C order), concatenated in order.
            ///
            /// # Errors
            /// `tinyrnn::Error::WeightCount` when `w.len()` is not `Self::PARAMS`.
            pub fn from_flat(w: &[f32]) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
                ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
                let mut rest = w;
                ::core::result::Result::Ok(Self {
                    #( #fields: ::tinyrnn::__private::layers::take_layer::<#tys>(&mut rest)?, )*
                })
            }

            /// Writes the weights to `out` in Keras `get_weights()` order, each array
            /// flattened row-major, concatenated: the inverse of [`Self::from_flat`] (and
            /// of a gradient from `backward`, which has the model's type, Keras's gradient
            /// list).
            ///
            /// # Errors
            /// `tinyrnn::Error::WeightCount` when `out.len()` is not `Self::PARAMS`.
            pub fn write_flat(&self, out: &mut [f32]) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                ::tinyrnn::__private::layers::check_len(out, Self::PARAMS)?;
                let rest = out;
                #(
                    let (head, rest) = rest.split_at_mut(<#tys as #layer>::PARAMS);
                    <#tys as #layer>::store_flat(&self.#fields, head)?;
                )*
                let _ = rest;
                ::core::result::Result::Ok(())
            }

            /// The weights in Keras `get_weights()` order, flattened ([`Self::write_flat`]
            /// into a new `Vec`). Needs tinyrnn's `std` feature.
            #[must_use]
            pub fn to_flat(&self) -> ::tinyrnn::__private::Vec<f32>
            where
                for<'a> Self: ::tinyrnn::__private::HeapModel<'a>,
            {
                <Self as ::tinyrnn::__private::HeapModel<'_>>::flat_vec(self)
            }

            /// [`Self::from_flat`] straight into a heap allocation: the model is never built
            /// on the stack, so models larger than a thread's stack (an `lstm(256)` holds
            /// 2 MiB of weights) load anywhere. Needs tinyrnn's `std` feature.
            ///
            /// # Errors
            /// `tinyrnn::Error::WeightCount` when `w.len()` is not `Self::PARAMS`.
            pub fn boxed_from_flat(
                w: &[f32],
            ) -> ::core::result::Result<::tinyrnn::__private::Box<Self>, ::tinyrnn::__private::Error>
            where
                for<'a> Self: ::tinyrnn::__private::HeapModel<'a>,
            {
                ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
                let mut net = <Self as ::tinyrnn::__private::HeapModel<'_>>::boxed_zero();
                net.load_flat_in_place(w)?;
                ::core::result::Result::Ok(net)
            }

            /// [`Self::boxed_from_flat`] into a 64-byte-aligned allocation, inside
            /// `tinyrnn::Aligned` (which dereferences to the model): the weights start on a
            /// cache line even when the model's size does not let the struct itself be
            /// aligned (see `tinyrnn::Aligned`). Never built on the stack. Needs tinyrnn's
            /// `std` feature.
            ///
            /// # Errors
            /// `tinyrnn::Error::WeightCount` when `w.len()` is not `Self::PARAMS`.
            pub fn boxed_aligned_from_flat(
                w: &[f32],
            ) -> ::core::result::Result<
                ::tinyrnn::__private::Box<::tinyrnn::__private::Aligned<Self>>,
                ::tinyrnn::__private::Error,
            >
            where
                for<'a> Self: ::tinyrnn::__private::HeapModel<'a>,
            {
                ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
                let mut net = <Self as ::tinyrnn::__private::HeapModel<'_>>::boxed_aligned_zero();
                net.0.load_flat_in_place(w)?;
                ::core::result::Result::Ok(net)
            }

            /// Overwrites every layer's weights with `w` (of length `Self::PARAMS`, checked by
            /// the caller) in place, layer by layer: what the boxed constructors fill their
            /// heap allocation with, so that the model is never on the stack.
            fn load_flat_in_place(
                &mut self,
                w: &[f32],
            ) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                let mut rest = w;
                #( ::tinyrnn::__private::layers::take_layer_into(&mut self.#fields, &mut rest)?; )*
                ::core::result::Result::Ok(())
            }

            /// Builds the model from its weights as little-endian `f32` bytes, in Keras
            /// `get_weights()` order (what `tinyrnn convert` writes). It is `const`, so
            /// `static NET: Net = Net::from_le_bytes(include_bytes!("net.bin"));` keeps the
            /// weights in flash (read-only memory) with no copy in RAM. A blob of the wrong
            /// length does not compile: `expected &[u8; N], found &[u8; M]`.
            #[must_use]
            pub const fn from_le_bytes(bytes: &[u8; #bytes_len]) -> Self {
                let bytes: &[u8] = bytes;
                let mut offset = 0;
                Self { #( #fields: #from_bytes, )* }
            }

            /// [`Self::from_le_bytes`] for a slice whose length is checked at run time.
            ///
            /// # Errors
            /// `tinyrnn::Error::ByteCount` when `bytes.len()` is not `4 * Self::PARAMS`.
            pub fn from_le_slice(bytes: &[u8]) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
                match <&[u8; #bytes_len]>::try_from(bytes) {
                    ::core::result::Result::Ok(array) => ::core::result::Result::Ok(Self::from_le_bytes(array)),
                    ::core::result::Result::Err(_) => ::core::result::Result::Err(::tinyrnn::__private::Error::ByteCount {
                        expected: #bytes_len,
                        found: bytes.len(),
                    }),
                }
            }

            /// Loads the weights of a Keras file: `.keras`, Keras 3 `.weights.h5`, or legacy
            /// `.h5` (`model.save("x.h5")`). Its layers must be this model's, in order, with
            /// the same options and shapes; otherwise the error names the layer, the weight,
            /// and the expected and found shapes (or both architectures).
            ///
            /// # Errors
            /// `tinyrnn::LoadError`, saying what was expected and what was found.
            pub fn from_keras_file<P: ::tinyrnn::__private::ModelFile>(
                path: P,
            ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
                ::tinyrnn::__private::ModelFile::load_model::<Self>(path)
            }

            /// Loads the weights of a PyTorch state dict saved as `.safetensors`
            /// (`nn.RNN`, `nn.LSTM`, `nn.GRU`, `nn.Linear`, with `num_layers` and
            /// `bidirectional`), converted to Keras's layout: kernels transposed, the two
            /// biases of RNN and LSTM layers summed, GRU gates r, z, n moved to z, r, h.
            ///
            /// # Errors
            /// `tinyrnn::LoadError`, naming the PyTorch key, the expected and found shapes.
            pub fn from_torch_file<P: ::tinyrnn::__private::ModelFile>(
                path: P,
            ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
                ::tinyrnn::__private::ModelFile::load_torch_model::<Self>(path)
            }

            /// [`Self::from_torch_file`] for a state dict already in memory.
            ///
            /// # Errors
            /// `tinyrnn::LoadError`, naming the PyTorch key, the expected and found shapes.
            pub fn from_torch_bytes<B: ::tinyrnn::__private::ModelBytes>(
                bytes: B,
            ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
                ::tinyrnn::__private::ModelBytes::load_torch_model::<Self>(bytes)
            }

            /// [`Self::from_keras_file`] for a file already in memory.
            ///
            /// # Errors
            /// `tinyrnn::LoadError`, saying what was expected and what was found.
            pub fn from_keras_bytes<B: ::tinyrnn::__private::ModelBytes>(
                bytes: B,
            ) -> ::core::result::Result<Self, ::tinyrnn::__private::LoadError> {
                ::tinyrnn::__private::ModelBytes::load_model::<Self>(bytes)
            }

            /// The Keras 3 style summary, with each weight array and the parameter formulas.
            #[must_use]
            pub fn summary() -> ::tinyrnn::__private::Summary {
                const LAYERS: &[::tinyrnn::__private::LayerSummary] = &[ #( #summary_rows, )* ];
                ::tinyrnn::__private::Summary {
                    name: #name_str,
                    layers: LAYERS,
                    optimizer: ::core::option::Option::None,
                    connections: ::core::option::Option::None,
                }
            }

            #forward
            #step
            #step_many
            #backward
        }

        #backward_items

        impl ::tinyrnn::__private::Model for #name {
            type State = #state_name;
            const PARAMS: usize = #name::PARAMS;
            const ZERO: Self = #name::ZERO;

            fn from_flat(w: &[f32]) -> ::core::result::Result<Self, ::tinyrnn::__private::Error> {
                #name::from_flat(w)
            }

            fn write_flat(&self, out: &mut [f32]) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                #name::write_flat(self, out)
            }

            fn load_flat(&mut self, w: &[f32]) -> ::core::result::Result<(), ::tinyrnn::__private::Error> {
                ::tinyrnn::__private::layers::check_len(w, Self::PARAMS)?;
                self.load_flat_in_place(w)
            }

            fn summary() -> ::tinyrnn::__private::Summary {
                #name::summary()
            }
        }

        const _: () = {
            ::core::assert!(
                #name::PARAMS == #derived,
                "tinyrnn: the runtime's parameter count differs from Keras's formulas"
            );
            ::core::assert!(
                ::core::mem::size_of::<#name>() == 4 * #name::PARAMS,
                "tinyrnn: the model struct must hold its weights and nothing else"
            );
        };
        // The vector type is named once here so that every model checks it resolves.
        const _: ::core::option::Option<#vector<f32, 1>> = ::core::option::Option::None;
    }
}

/// The largest power of two that divides `bytes`, at most 64 (at least 4: an empty model).
fn struct_align(bytes: usize) -> usize {
    if bytes == 0 {
        4
    } else {
        (1 << bytes.trailing_zeros()).min(64)
    }
}
