//! The `model!` procedural macro of [tinyrnn](https://docs.rs/tinyrnn).
//!
//! Use it through the `tinyrnn` crate, which documents the DSL; this crate only parses
//! (`ast`), checks shapes (`check`) and generates code (`expand`).

#![forbid(unsafe_code)]

mod ast;
mod check;
mod expand;

use proc_macro::TokenStream;

/// Declares a recurrent network as a struct of fixed-size weights; see `tinyrnn::model!`.
#[proc_macro]
pub fn model(input: TokenStream) -> TokenStream {
    syn::parse::<ast::ModelInput>(input)
        .map_or_else(syn::Error::into_compile_error, |parsed| {
            expand_checked(check::check(parsed))
        })
        .into()
}

/// The generated model, or every error followed by a stub struct so that code naming the
/// model does not fail a second time.
fn expand_checked(checked: check::Checked) -> proc_macro2::TokenStream {
    match (checked.model, checked.errors.into_combined()) {
        (Some(model), None) => expand::expand(&model),
        (_, errors) => {
            let errors = errors.map(syn::Error::into_compile_error);
            let (attrs, vis, name) = (&checked.attrs, &checked.vis, &checked.name);
            quote::quote! {
                #errors
                #(#attrs)*
                #vis struct #name;
            }
        }
    }
}
