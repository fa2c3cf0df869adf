//! What `model!` emits after an error, beside the errors: the struct, its state type and the
//! model's API surface, with no weights and no behaviour (as `thiserror-impl/src/fallback.rs`
//! does for derives). Code that uses the model (`Net::summary()`, `net.forward(&x)`,
//! `NetState::new()`) then compiles against it, so one mistake in `model!` is reported
//! once, not again at every use. The program never builds, so nothing here ever runs.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::{Attribute, Ident, Visibility};

/// The stand-in for the model `name` that failed to check.
pub fn stub(attrs: &[Attribute], vis: &Visibility, name: &Ident) -> TokenStream {
    let state = format_ident!("{name}State");
    let title = name.to_string();
    let p = quote!(::tinyrnn::__private);
    let error = quote!(#p::Error);
    let output = quote!(#p::StubOutput);
    quote! {
        #(#attrs)*
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::cmp::PartialEq)]
        #vis struct #name;

        #[doc(hidden)]
        #[derive(::core::clone::Clone, ::core::fmt::Debug, ::core::default::Default, ::core::cmp::PartialEq)]
        #vis struct #state;

        #[allow(dead_code, clippy::all, clippy::pedantic)]
        impl #state {
            pub const fn new() -> Self { Self }
            pub fn reset(&mut self) {}
        }

        #[allow(dead_code, unused_variables, clippy::all, clippy::pedantic)]
        impl #name {
            pub const PARAMS: usize = 0;
            pub const LAYER_PARAMS: [usize; 0] = [];
            pub const FEATURES: usize = 1;
            pub const TIMESTEPS: ::core::option::Option<usize> = ::core::option::Option::None;
            pub const OUTPUT_UNITS: usize = 1;
            pub const ZERO: Self = Self;
            pub const WEIGHTS: Self = Self;
            pub fn zeroed() -> Self { Self }
            pub fn summary() -> #p::Summary {
                #p::Summary {
                    name: #title,
                    layers: &[],
                    optimizer: ::core::option::Option::None,
                    connections: ::core::option::Option::None,
                }
            }
            pub fn from_flat(w: &[f32]) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(Self)
            }
            pub fn boxed_from_flat(w: &[f32]) -> ::core::result::Result<#p::Box<Self>, #error> {
                ::core::unreachable!()
            }
            pub const fn from_le_bytes<const N: usize>(bytes: &[u8; N]) -> Self { Self }
            pub fn from_le_slice(bytes: &[u8]) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(Self)
            }
            pub fn from_keras_file<P>(path: P) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(Self)
            }
            pub fn from_keras_bytes<B>(bytes: B) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(Self)
            }
            pub fn from_torch_file<P>(path: P) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(Self)
            }
            pub fn from_torch_bytes<B>(bytes: B) -> ::core::result::Result<Self, #error> {
                ::core::result::Result::Ok(Self)
            }
            pub fn write_flat(&self, out: &mut [f32]) -> ::core::result::Result<(), #error> {
                ::core::result::Result::Ok(())
            }
            pub fn to_flat(&self) -> #p::Vec<f32> {
                ::core::unreachable!()
            }
            pub fn backward<X: ?Sized, Y: ?Sized>(
                &self,
                x: &X,
                y: &Y,
                loss: #p::train::Loss,
                grads: &mut Self,
            ) -> f32 {
                0.0
            }
            pub fn forward<X: ?Sized>(&self, x: &X) -> #output { #output }
            pub fn step<S: ?Sized, X: ?Sized>(&self, state: &mut S, x: &X) -> #output {
                #output
            }
            pub fn step_many<S: ?Sized, X: ?Sized>(
                &self,
                states: &mut S,
                xs: &X,
            ) -> &'static [#p::StubOutput] {
                &[]
            }
        }
    }
}
