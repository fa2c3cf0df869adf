//! Phase 1: the `model!` tokens parsed into a syntax tree, recovering after each bad
//! statement so that one compile reports every mistake.
//!
//! Grammar (every `;` is optional):
//! ```text
//! model     := attribute* header? statement*
//! header    := visibility `struct` IDENT `;`
//! statement := `input` `[` dim `,` dim `]` | `params` INT | layer
//! layer     := IDENT `(` (arg (`,` arg)* `,`?)? `)`
//! arg       := value | IDENT `=` value
//! value     := INT | FLOAT | `true` | `false` | STRING | IDENT | layer
//! dim       := INT | `_`
//! ```
//! Nothing here knows which layers exist: that is checked in `check.rs`.

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Token, Visibility};

/// The whole macro input.
pub struct ModelInput {
    pub attrs: Vec<Attribute>,
    pub header: Option<Header>,
    pub stmts: Vec<Stmt>,
    /// Statements that did not parse; parsing went on after each.
    pub errors: Vec<syn::Error>,
}

/// `pub struct Net;`
pub struct Header {
    pub vis: Visibility,
    pub name: Ident,
}

pub enum Stmt {
    Input(InputStmt),
    Params { keyword: Ident, value: LitInt },
    Layer(LayerCall),
}

/// `input [50, 3]`
pub struct InputStmt {
    pub keyword: Ident,
    pub span: Span,
    pub dims: Vec<Dim>,
}

pub enum Dim {
    Any(Token![_]),
    Num(LitInt),
}

/// `simple_rnn(2, return_sequences = true)`
pub struct LayerCall {
    pub name: Ident,
    pub span: Span,
    pub args: Vec<Arg>,
}

pub enum Arg {
    Positional(Value),
    Named { key: Ident, value: Value },
}

pub enum Value {
    Int(LitInt),
    Float(LitFloat),
    Bool(LitBool),
    Str(LitStr),
    Ident(Ident),
    Call(LayerCall),
    /// Anything else, kept for a "wrong argument type" error.
    Other(TokenStream),
}

impl Value {
    pub fn span(&self) -> Span {
        match self {
            Value::Int(v) => v.span(),
            Value::Float(v) => v.span(),
            Value::Bool(v) => v.span,
            Value::Str(v) => v.span(),
            Value::Ident(v) => v.span(),
            Value::Call(v) => v.span,
            Value::Other(v) => v.span(),
        }
    }

    /// The value as the user wrote it, for messages.
    pub fn text(&self) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Float(v) => v.to_string(),
            Value::Bool(v) => v.value.to_string(),
            Value::Str(v) => format!("{:?}", v.value()),
            Value::Ident(v) => v.to_string(),
            Value::Call(v) => format!("{}(..)", v.name),
            Value::Other(v) => v.to_string(),
        }
    }
}

impl Parse for ModelInput {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let header = if input.peek(Token![pub]) || input.peek(Token![struct]) {
            let vis: Visibility = input.parse()?;
            input.parse::<Token![struct]>()?;
            let name: Ident = input.parse()?;
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
            }
            Some(Header { vis, name })
        } else {
            None
        };
        let mut stmts = Vec::new();
        let mut errors = Vec::new();
        while !input.is_empty() {
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
                continue;
            }
            match parse_stmt(input) {
                Ok(stmt) => stmts.push(stmt),
                Err(e) => {
                    errors.push(e);
                    skip_statement(input);
                }
            }
        }
        Ok(ModelInput {
            attrs,
            header,
            stmts,
            errors,
        })
    }
}

const EXPECTED_STATEMENT: &str =
    "expected a layer such as `dense(1)`, `input [timesteps, features]` or `params N`";

fn parse_stmt(input: ParseStream) -> syn::Result<Stmt> {
    if !input.peek(Ident) {
        return Err(input.error(format!("{EXPECTED_STATEMENT}, found {}", describe_next(input))));
    }
    let name: Ident = input.parse()?;
    if name == "input" {
        if !input.peek(syn::token::Bracket) {
            return Err(syn::Error::new(
                name.span(),
                "expected `input [timesteps, features]`, e.g. `input [50, 3]`",
            ));
        }
        let content;
        let bracket = syn::bracketed!(content in input);
        let mut dims = Vec::new();
        while !content.is_empty() {
            if content.peek(Token![_]) {
                dims.push(Dim::Any(content.parse()?));
            } else if content.peek(LitInt) {
                dims.push(Dim::Num(content.parse()?));
            } else {
                return Err(content.error(format!(
                    "expected a number or `_` in `input [timesteps, features]`, found {}",
                    describe_next(&content)
                )));
            }
            if !content.is_empty() {
                content.parse::<Token![,]>()?;
            }
        }
        Ok(Stmt::Input(InputStmt {
            keyword: name,
            span: bracket.span.join(),
            dims,
        }))
    } else if name == "params" {
        if !input.peek(LitInt) {
            return Err(input.error(format!(
                "expected the expected parameter count after `params`, e.g. `params 15`, found {}",
                describe_next(input)
            )));
        }
        Ok(Stmt::Params {
            keyword: name,
            value: input.parse()?,
        })
    } else {
        parse_call_after_name(name, input).map(Stmt::Layer)
    }
}

fn parse_call_after_name(name: Ident, input: ParseStream) -> syn::Result<LayerCall> {
    if !input.peek(syn::token::Paren) {
        return Err(syn::Error::new(
            name.span(),
            format!("expected `(` after `{name}`: layers are written like `{name}(8)`"),
        ));
    }
    let content;
    let paren = syn::parenthesized!(content in input);
    let mut args = Vec::new();
    while !content.is_empty() {
        if content.peek(Ident) && content.peek2(Token![=]) {
            let key: Ident = content.parse()?;
            content.parse::<Token![=]>()?;
            let value = parse_value(&content)?;
            args.push(Arg::Named { key, value });
        } else {
            args.push(Arg::Positional(parse_value(&content)?));
        }
        if !content.is_empty() {
            content.parse::<Token![,]>()?;
        }
    }
    let span = name.span().join(paren.span.close()).unwrap_or(name.span());
    Ok(LayerCall { name, span, args })
}

fn parse_value(input: ParseStream) -> syn::Result<Value> {
    if input.peek(LitBool) {
        Ok(Value::Bool(input.parse()?))
    } else if input.peek(LitInt) {
        Ok(Value::Int(input.parse()?))
    } else if input.peek(LitFloat) {
        Ok(Value::Float(input.parse()?))
    } else if input.peek(LitStr) {
        Ok(Value::Str(input.parse()?))
    } else if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let name: Ident = input.parse()?;
        Ok(Value::Call(parse_call_after_name(name, input)?))
    } else if input.peek(Ident) {
        Ok(Value::Ident(input.parse()?))
    } else {
        let mut tokens = TokenStream::new();
        while !input.is_empty() && !input.peek(Token![,]) {
            tokens.extend([input.parse::<TokenTree>()?]);
        }
        if tokens.is_empty() {
            return Err(input.error("expected a value"));
        }
        Ok(Value::Other(tokens))
    }
}

/// Skips the rest of a statement that failed to parse: up to and including the next `;`.
fn skip_statement(input: ParseStream) {
    while !input.is_empty() {
        if input.peek(Token![;]) {
            let _ = input.parse::<Token![;]>();
            return;
        }
        if input.parse::<TokenTree>().is_err() {
            return;
        }
    }
}

/// The next token, quoted for a message: "`foo`", or "the end of the model".
fn describe_next(input: ParseStream) -> String {
    match input.fork().parse::<TokenTree>() {
        Ok(TokenTree::Group(g)) => {
            let (open, close) = match g.delimiter() {
                proc_macro2::Delimiter::Parenthesis => ("(", ")"),
                proc_macro2::Delimiter::Bracket => ("[", "]"),
                proc_macro2::Delimiter::Brace => ("{", "}"),
                proc_macro2::Delimiter::None => ("", ""),
            };
            format!("`{open}...{close}`")
        }
        Ok(tt) => format!("`{tt}`"),
        Err(_) => "the end of the model".to_owned(),
    }
}
