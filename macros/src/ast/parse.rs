//! The parser: `model!`'s tokens into the tree of `mod.rs`, each bad statement turned into
//! a [`Stmt::Broken`] and parsing resumed after it.

use super::{
    Arg, Dim, Header, InputStmt, LayerCall, ModelInput, Stmt, Value, error_range, tokens_text,
};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::parse::{Parse, ParseStream};
use syn::{Attribute, Ident, LitBool, LitFloat, LitInt, LitStr, Token, Visibility};

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
        while !input.is_empty() {
            if input.peek(Token![;]) {
                input.parse::<Token![;]>()?;
                continue;
            }
            stmts.push(parse_stmt(input));
        }
        Ok(ModelInput {
            attrs,
            header,
            stmts,
        })
    }
}

pub(super) const EXPECTED_STATEMENT: &str =
    "expected a layer such as `dense(1)`, `input [timesteps, features]` or `params N`";
pub(super) const END_OF_MODEL: &str = "the end of the model";

/// One statement; never fails, and always consumes at least one token.
pub(super) fn parse_stmt(input: ParseStream) -> Stmt {
    if !input.peek(Ident) {
        return garbage(input);
    }
    let Ok(name) = input.parse::<Ident>() else {
        return garbage(input);
    };
    if name == "input" {
        parse_input(&name, input)
    } else if name == "params" {
        parse_params(name, input)
    } else if name == "weights" && input.peek(Token![=]) {
        parse_weights(name, input)
    } else {
        let has_parens = input.peek(syn::token::Paren);
        match parse_call(name.clone(), input) {
            Ok(call) => {
                if !has_parens {
                    // `dense 1;`: the rest belongs to this statement, not to a new one.
                    skip_garbage(input);
                }
                Stmt::Layer(call)
            }
            Err(error) => Stmt::Broken {
                keyword: Some(name),
                error,
            },
        }
    }
}

/// Tokens that cannot start a statement: one error for the whole run.
pub(super) fn garbage(input: ParseStream) -> Stmt {
    let found = describe_next(input, END_OF_MODEL);
    let start = input.span();
    let message = if input.peek(Token![,]) {
        format!("expected `;` between statements, found {found}")
    } else if input.peek(Token![pub]) || input.peek(Token![struct]) {
        format!(
            "{EXPECTED_STATEMENT}, found {found}; the `struct` header must come first, before `input` and the layers"
        )
    } else if input.peek(Token![#]) {
        format!(
            "{EXPECTED_STATEMENT}, found {found}; attributes and doc comments go first, before the `struct` header"
        )
    } else {
        format!("{EXPECTED_STATEMENT}, found {found}")
    };
    skip_with_error(input, start, message)
}

pub(super) fn skip_with_error(input: ParseStream, start: Span, message: String) -> Stmt {
    let end = skip_garbage(input).unwrap_or(start);
    Stmt::Broken {
        keyword: None,
        error: error_range(start, end, message),
    }
}

/// Skips tokens up to (not including) the next `;` or the next token that starts a
/// statement, and returns the span of the last token skipped.
pub(super) fn skip_garbage(input: ParseStream) -> Option<Span> {
    let mut last = None;
    while !input.is_empty() && !input.peek(Token![;]) && !starts_statement(input) {
        match input.parse::<TokenTree>() {
            Ok(tt) => last = Some(tt.span()),
            Err(_) => break,
        }
    }
    last
}

/// `input`, `params` or `name(`: where parsing resumes after a mistake.
pub(super) fn starts_statement(input: ParseStream) -> bool {
    let fork = input.fork();
    match fork.parse::<Ident>() {
        Ok(ident) => {
            ident == "input"
                || ident == "params"
                || (ident == "weights" && fork.peek(Token![=]))
                || fork.peek(syn::token::Paren)
        }
        Err(_) => false,
    }
}

/// `weights = "path"`, after the keyword.
pub(super) fn parse_weights(keyword: Ident, input: ParseStream) -> Stmt {
    let _ = input.parse::<Token![=]>();
    if input.peek(LitStr)
        && let Ok(path) = input.parse::<LitStr>()
    {
        return Stmt::Weights { keyword, path };
    }
    let found = describe_next(input, END_OF_MODEL);
    let start = keyword.span();
    let end = skip_garbage(input).unwrap_or(start);
    Stmt::Broken {
        keyword: Some(keyword),
        error: error_range(
            start,
            end,
            format!(
                "expected a path in quotes after `weights =`, found {found}; e.g. `weights = \"models/net.keras\"`"
            ),
        ),
    }
}

pub(super) fn parse_input(keyword: &Ident, input: ParseStream) -> Stmt {
    let broken = |error| Stmt::Broken {
        keyword: Some(keyword.clone()),
        error,
    };
    if input.peek(syn::token::Bracket) {
        let Ok(content) = group_contents(input) else {
            return broken(error_at(input, "expected `[`"));
        };
        let (span, content) = content;
        return match parse_dims(&content) {
            Ok(dims) => Stmt::Input(InputStmt {
                keyword: keyword.clone(),
                span,
                dims,
            }),
            Err(e) => {
                drain(&content);
                broken(e)
            }
        };
    }
    if input.peek(syn::token::Paren) {
        // `input (50, 3)`, as in Python's `input_shape=(50, 3)`.
        let Ok((span, content)) = group_contents(input) else {
            return broken(error_at(input, "expected `[`"));
        };
        let fix = match parse_dims(&content) {
            Ok(dims) if !dims.is_empty() => {
                let dims: Vec<String> = dims.iter().map(Dim::text).collect();
                format!("`input [{}]`", dims.join(", "))
            }
            _ => "`input [timesteps, features]`".to_owned(),
        };
        drain(&content);
        return broken(error_range(
            keyword.span(),
            span,
            format!(
                "expected `[` after `input`, found `(`; the shape takes square brackets: {fix}"
            ),
        ));
    }
    let found = describe_next(input, END_OF_MODEL);
    let end = if input.is_empty() {
        keyword.span()
    } else {
        input.span()
    };
    skip_garbage(input);
    broken(error_range(
        keyword.span(),
        end,
        format!(
            "expected `[` after `input`, found {found}; write `input [timesteps, features]`, e.g. `input [50, 3]`"
        ),
    ))
}

/// The span and contents of the next `(...)` or `[...]`.
pub(super) fn group_contents(
    input: ParseStream<'_>,
) -> syn::Result<(Span, syn::parse::ParseBuffer<'_>)> {
    let content;
    let span = if input.peek(syn::token::Bracket) {
        syn::bracketed!(content in input).span.join()
    } else {
        syn::parenthesized!(content in input).span.join()
    };
    Ok((span, content))
}

pub(super) fn parse_dims(content: ParseStream) -> syn::Result<Vec<Dim>> {
    let mut dims = Vec::new();
    while !content.is_empty() {
        if content.peek(Token![-]) && content.peek2(LitInt) {
            // `input [-1, 3]`, as in numpy's `reshape(-1, ...)`.
            let minus = content.parse::<Token![-]>()?.span;
            let number: LitInt = content.parse()?;
            let hint = if dims.is_empty() {
                "; write `_` for any number of timesteps"
            } else {
                ""
            };
            return Err(error_range(
                minus,
                number.span(),
                format!(
                    "expected a number or `_` in `input [timesteps, features]`, found `-{number}`{hint}"
                ),
            ));
        } else if content.peek(Token![_]) {
            dims.push(Dim::Any(content.parse()?));
        } else if content.peek(LitInt) {
            dims.push(Dim::Num(content.parse()?));
        } else {
            let found = describe_next(content, "`]`");
            let hint = match content.fork().parse::<Ident>() {
                Ok(i) if i == "None" => "; write `_` for any number of timesteps",
                _ => "",
            };
            return Err(error_at(
                content,
                format!(
                    "expected a number or `_` in `input [timesteps, features]`, found {found}{hint}"
                ),
            ));
        }
        if !content.is_empty() {
            if !content.peek(Token![,]) {
                let found = describe_next(content, "`]`");
                return Err(error_at(
                    content,
                    format!("expected `,` between dimensions, found {found}"),
                ));
            }
            content.parse::<Token![,]>()?;
        }
    }
    Ok(dims)
}

pub(super) fn parse_params(keyword: Ident, input: ParseStream) -> Stmt {
    if input.peek(Token![-])
        && input.peek2(LitInt)
        && let (Ok(minus), Ok(number)) = (input.parse::<Token![-]>(), input.parse::<LitInt>())
    {
        return Stmt::Broken {
            error: error_range(
                minus.span,
                number.span(),
                format!(
                    "expected a number after `params`, found `-{number}`; a parameter count is 0 or more, e.g. `params 15`"
                ),
            ),
            keyword: Some(keyword),
        };
    }
    if input.peek(LitInt)
        && let Ok(value) = input.parse::<LitInt>()
    {
        return Stmt::Params { keyword, value };
    }
    let found = describe_next(input, END_OF_MODEL);
    let end = if input.is_empty() || starts_statement(input) {
        keyword.span()
    } else {
        input.span()
    };
    skip_garbage(input);
    Stmt::Broken {
        error: error_range(
            keyword.span(),
            end,
            format!("expected a number after `params`, found {found}; e.g. `params 15`"),
        ),
        keyword: Some(keyword),
    }
}

/// `name(args)`, or `name` alone (reported by `check/`, which knows whether `name` is a
/// layer). On error the contents of the parentheses are consumed.
pub(super) fn parse_call(name: Ident, input: ParseStream) -> syn::Result<LayerCall> {
    if !input.peek(syn::token::Paren) {
        return Ok(LayerCall {
            span: name.span(),
            end: name.span(),
            missing_parens: Some(describe_next(input, END_OF_MODEL)),
            name,
            args: Vec::new(),
        });
    }
    let content;
    let paren = syn::parenthesized!(content in input);
    let args = parse_args(&content).inspect_err(|_| drain(&content))?;
    let span = name.span().join(paren.span.close()).unwrap_or(name.span());
    Ok(LayerCall {
        name,
        span,
        end: paren.span.close(),
        args,
        missing_parens: None,
    })
}

pub(super) fn parse_args(content: ParseStream) -> syn::Result<Vec<Arg>> {
    let mut args = Vec::new();
    while !content.is_empty() {
        let arg = if content.peek(Ident) && content.peek2(Token![=]) {
            let key: Ident = content.parse()?;
            content.parse::<Token![=]>()?;
            let value = parse_value(content, &format!(" after `{key} =`"))?;
            Arg::Named { key, value }
        } else {
            Arg::Positional(parse_value(content, "")?)
        };
        if !content.is_empty() {
            if !content.peek(Token![,]) {
                let found = describe_next(content, "`)`");
                let message = match &arg {
                    Arg::Positional(Value::Ident(key)) => {
                        format!("expected `,` or `=` after `{key}`, found {found}")
                    }
                    _ => format!("expected `,` between arguments, found {found}"),
                };
                return Err(error_at(content, message));
            }
            content.parse::<Token![,]>()?;
        }
        args.push(arg);
    }
    Ok(args)
}

/// One argument value; `context` completes "expected a value" (" after `units =`").
pub(super) fn parse_value(input: ParseStream, context: &str) -> syn::Result<Value> {
    if input.peek(Token![-]) && (input.peek2(LitInt) || input.peek2(LitFloat)) {
        let minus = input.parse::<Token![-]>()?.span;
        let number = if input.peek(LitInt) {
            Value::Int(input.parse()?)
        } else {
            Value::Float(input.parse()?)
        };
        Ok(Value::Negative {
            minus,
            number: Box::new(number),
        })
    } else if input.peek(LitBool) {
        Ok(Value::Bool(input.parse()?))
    } else if input.peek(LitInt) {
        Ok(Value::Int(input.parse()?))
    } else if input.peek(LitFloat) {
        Ok(Value::Float(input.parse()?))
    } else if input.peek(LitStr) {
        Ok(Value::Str(input.parse()?))
    } else if input.peek(Ident) && input.peek2(syn::token::Paren) {
        let name: Ident = input.parse()?;
        Ok(Value::Call(parse_call(name, input)?))
    } else if input.peek(Ident) {
        Ok(Value::Ident(input.parse()?))
    } else {
        let mut tokens = TokenStream::new();
        while !input.is_empty() && !input.peek(Token![,]) {
            tokens.extend([input.parse::<TokenTree>()?]);
        }
        if tokens.is_empty() {
            let found = describe_next(input, "`)`");
            let what = if context.is_empty() {
                "an argument"
            } else {
                "a value"
            };
            return Err(error_at(
                input,
                format!("expected {what}{context}, found {found}"),
            ));
        }
        Ok(Value::Other(tokens))
    }
}

/// An error at the next token, or at the closing delimiter; unlike `ParseStream::error`,
/// without "unexpected end of input" before the message, which already says what was found.
pub(super) fn error_at(input: ParseStream, message: impl std::fmt::Display) -> syn::Error {
    syn::Error::new(input.span(), message)
}

/// Consumes what is left in a group, so that syn does not replace the error already found
/// with its own "unexpected token".
pub(super) fn drain(content: ParseStream) {
    while !content.is_empty() {
        if content.parse::<TokenTree>().is_err() {
            return;
        }
    }
}

/// The next token, quoted for a message ("`foo`", "`(`"), or `end` when there is none.
pub(super) fn describe_next(input: ParseStream, end: &str) -> String {
    match input.fork().parse::<TokenTree>() {
        Ok(TokenTree::Group(g)) => match g.delimiter() {
            Delimiter::Parenthesis => "`(`".to_owned(),
            Delimiter::Bracket => "`[`".to_owned(),
            Delimiter::Brace => "`{`".to_owned(),
            Delimiter::None => format!("`{}`", tokens_text(&g.stream())),
        },
        Ok(tt) => format!("`{tt}`"),
        Err(_) => end.to_owned(),
    }
}
