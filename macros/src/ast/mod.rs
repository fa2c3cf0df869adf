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
//! value     := `-`? (INT | FLOAT) | `true` | `false` | STRING | IDENT | layer
//! dim       := INT | `_`
//! ```
//! Nothing here knows which layers exist: that is checked in `check/`. A statement that
//! does not parse becomes [`Stmt::Broken`], in source order, and parsing resumes at the next
//! `;` or the next thing that looks like a statement, so one typo gives one error.
//!
//! This file holds the tree; `parse.rs` the parser that builds it.

mod parse;

use proc_macro2::{Punct, Spacing, Span, TokenStream, TokenTree};
use syn::spanned::Spanned as _;
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Token, Visibility};

/// The whole macro input.
pub struct ModelInput {
    pub attrs: Vec<Attribute>,
    pub header: Option<Header>,
    /// Every statement in source order, including those that did not parse.
    pub stmts: Vec<Stmt>,
}

/// `pub struct Net;`
pub struct Header {
    pub vis: Visibility,
    pub name: Ident,
}

pub enum Stmt {
    Input(InputStmt),
    Params {
        keyword: Ident,
        value: LitInt,
    },
    Layer(LayerCall),
    /// `weights = "models/net.keras"`: a Keras file read at compile time.
    Weights {
        keyword: Ident,
        path: LitStr,
    },
    /// A statement that did not parse: its error, and its first identifier (`input`,
    /// `params` or a layer name) when it had one, so that checking does not report it as
    /// missing a second time.
    Broken {
        keyword: Option<Ident>,
        error: syn::Error,
    },
}

/// `input [50, 3]`
pub struct InputStmt {
    pub keyword: Ident,
    /// The brackets and what is inside them.
    pub span: Span,
    pub dims: Vec<Dim>,
}

impl InputStmt {
    /// The statement as written, for messages: `input [50, 3]`.
    pub fn text(&self) -> String {
        let dims: Vec<String> = self.dims.iter().map(Dim::text).collect();
        format!("input [{}]", dims.join(", "))
    }
}

pub enum Dim {
    Any(Token![_]),
    Num(LitInt),
}

impl Dim {
    pub fn text(&self) -> String {
        match self {
            Dim::Any(_) => "_".to_owned(),
            Dim::Num(n) => n.to_string(),
        }
    }
}

/// `simple_rnn(2, return_sequences = true)`
pub struct LayerCall {
    pub name: Ident,
    /// The name through the `)` where the compiler can join spans, else the name.
    pub span: Span,
    /// The closing `)`, or the name when the parentheses are missing: errors about the
    /// whole call span from `name` to `end`.
    pub end: Span,
    pub args: Vec<Arg>,
    /// What followed the name instead of `(`, quoted for a message ("`;`"), when the
    /// parentheses are missing.
    pub missing_parens: Option<String>,
}

pub enum Arg {
    Positional(Value),
    Named { key: Ident, value: Value },
}

impl Arg {
    /// The first and last token of the argument as written.
    pub fn span_range(&self) -> (Span, Span) {
        match self {
            Arg::Positional(v) => (v.span(), v.end_span()),
            Arg::Named { key, value } => (key.span(), value.end_span()),
        }
    }
}

pub enum Value {
    Int(LitInt),
    Float(LitFloat),
    Bool(LitBool),
    Str(LitStr),
    Ident(Ident),
    Call(LayerCall),
    /// `-0.1`: a minus sign and the `Int` or `Float` after it, kept apart so that messages
    /// span both tokens (syn joins them into one literal spanned on the `-` alone).
    Negative {
        minus: Span,
        number: Box<Value>,
    },
    /// Anything else, kept for a "wrong argument type" error.
    Other(TokenStream),
}

impl Value {
    /// The first token of the value.
    pub fn span(&self) -> Span {
        match self {
            Value::Int(v) => v.span(),
            Value::Float(v) => v.span(),
            Value::Bool(v) => v.span,
            Value::Str(v) => v.span(),
            Value::Ident(v) => v.span(),
            Value::Call(v) => v.name.span(),
            Value::Negative { minus, .. } => *minus,
            Value::Other(v) => v.clone().into_iter().next().map_or(v.span(), |t| t.span()),
        }
    }

    /// The last token of the value.
    pub fn end_span(&self) -> Span {
        match self {
            Value::Call(v) => v.end,
            Value::Negative { number, .. } => number.end_span(),
            Value::Other(v) => v.clone().into_iter().last().map_or(v.span(), |t| t.span()),
            other => other.span(),
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
            Value::Call(v) => v.text(),
            Value::Negative { number, .. } => format!("-{}", number.text()),
            Value::Other(v) => tokens_text(v),
        }
    }
}

impl LayerCall {
    /// The call as written, normalised: `lstm(4, return_sequences = true)`.
    pub fn text(&self) -> String {
        if self.missing_parens.is_some() {
            return self.name.to_string();
        }
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Positional(v) => v.text(),
                Arg::Named { key, value } => format!("{key} = {}", value.text()),
            })
            .collect();
        format!("{}({})", self.name, args.join(", "))
    }
}

/// Tokens as a user would write them: `-2`, not the printer's `- 2`.
pub(super) fn tokens_text(tokens: &TokenStream) -> String {
    let mut text = String::new();
    let mut word_before = false;
    for tt in tokens.clone() {
        let word = matches!(tt, TokenTree::Ident(_) | TokenTree::Literal(_));
        if word && word_before {
            text.push(' ');
        }
        text.push_str(&tt.to_string());
        word_before = word;
    }
    text
}

/// An error spanning from `start` to `end` (several tokens), where rustc can show the range.
pub fn error_range(start: Span, end: Span, message: impl std::fmt::Display) -> syn::Error {
    let mut first = Punct::new('<', Spacing::Alone);
    first.set_span(start);
    let mut last = Punct::new('>', Spacing::Alone);
    last.set_span(end);
    let tokens: TokenStream = [TokenTree::Punct(first), TokenTree::Punct(last)]
        .into_iter()
        .collect();
    syn::Error::new_spanned(tokens, message)
}
