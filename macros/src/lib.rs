//! The `model!` procedural macro of [tinyrnn](https://docs.rs/tinyrnn).
//!
//! Use it through the `tinyrnn` crate, which documents the DSL; this crate only parses
//! (`ast`), checks shapes (`check`) and generates code (`expand`).

#![forbid(unsafe_code)]

mod ast;
mod check;
mod embed;
mod expand;
mod fallback;
#[cfg(test)]
mod parser_props;
#[cfg(test)]
mod snapshots;

use proc_macro::TokenStream;

/// Declares a recurrent network as a struct of fixed-size weights; see `tinyrnn::model!`.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    expand_model(input.into()).into()
}

/// `model!` on `proc_macro2` tokens, which the snapshot tests call outside a compiler.
fn expand_model(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    syn::parse2::<ast::ModelInput>(input).map_or_else(syn::Error::into_compile_error, |parsed| {
        expand_checked(check::check(parsed))
    })
}

/// The generated model, or every error followed by a stand-in with the model's API surface
/// (`fallback.rs`), so that code using the model does not fail a second time.
fn expand_checked(checked: check::Checked) -> proc_macro2::TokenStream {
    match (checked.model, checked.errors.into_combined()) {
        (Some(model), None) => {
            let embedded = model.weights.as_ref().map(|path| {
                embed::embed(&model, path).unwrap_or_else(|e| {
                    // The error, and a stand-in `WEIGHTS` so that code using it is not
                    // reported a second time.
                    let error = e.into_compile_error();
                    let name = &model.name;
                    quote::quote! {
                        #error
                        impl #name {
                            #[doc(hidden)]
                            pub const WEIGHTS: Self = Self::ZERO;
                        }
                    }
                })
            });
            let mut tokens = expand::expand(&model);
            tokens.extend(embedded);
            tokens
        }
        (_, errors) => {
            let mut tokens = errors
                .map(syn::Error::into_compile_error)
                .unwrap_or_default();
            tokens.extend(fallback::stub(&checked.attrs, &checked.vis, &checked.name));
            tokens
        }
    }
}
