//! Property test of the parser and checker as library functions: random and mutated `model!`
//! token streams must never panic, and each must come out as a model (which then expands to
//! valid Rust) or as at least one spanned error, never as neither.
//!
//! The streams come from a seeded generator (no dependency): valid models and the
//! compile-fail cases of `tests/ui/` are mutated token by token (deleted, duplicated,
//! swapped, replaced by random identifiers, numbers, literals and punctuation, wrapped in or
//! replaced by nested groups, spliced with other models), and some streams are random from
//! scratch. `TINYRNN_PROPS_CASES` and `TINYRNN_PROPS_SEED` widen a local run; CI runs the
//! default count with the default seed, so it is reproducible.

use proc_macro2::{Delimiter, Group, Punct, Spacing, Span, TokenStream, TokenTree};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;

const DEFAULT_CASES: u64 = 4_000;
const DEFAULT_SEED: u64 = 0x7159_2024_0601;

/// xorshift64*: small, seeded, and the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (`n > 0`), near enough for a test.
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).expect("below n")
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Valid models covering every layer, option and statement.
const VALID: &[&str] = &[
    "pub struct Net; input [50, 3]; simple_rnn(2); dense(1); params 15;",
    "input [50, 3]; simple_rnn(2); dense(1)",
    "/// Doc.\n#[derive(Debug)] pub(crate) struct Tagger; input [_, 2]; simple_rnn(4, return_sequences = true); dense(3, activation = softmax);",
    "input [20, 4]; simple_rnn(8, return_sequences = true); simple_rnn(6, return_sequences = true); simple_rnn(5); dense(3, activation = relu); dense(2, activation = sigmoid);",
    "input [15, 3]; simple_rnn(4, use_bias = false, activation = sigmoid); dense(2, use_bias = false, activation = tanh);",
    "input [10, 4]; lstm(6, return_sequences = true); lstm(3); dense(2, activation = softmax);",
    "input [15, 3]; gru(5, reset_after = false, return_sequences = true); gru(3); dense(1);",
    "input [8, 3]; bidirectional(gru(3, return_sequences = true), merge_mode = sum); bidirectional(simple_rnn(2, return_sequences = true), merge_mode = mul); bidirectional(lstm(2), merge_mode = ave); dense(1);",
    "input [10, 3]; dropout(0.5); lstm(4, return_sequences = true); spatial_dropout1d(0.3); gru(3, return_sequences = true); gaussian_noise(0.1); gaussian_dropout(0.2); alpha_dropout(0.1, seed = 3); dense(2);",
    "input [16, 4]; dense(8, activation = \"relu\"); gru(6, return_sequences = true); lstm(5); dense(2);",
    "input [12, 3]; lstm(5, activation = relu, recurrent_activation = hard_sigmoid, use_bias = false, return_sequences = true, go_backwards = true); dense(2);",
    "input [_, 3]; bidirectional(lstm(units = 4)); dense(1, activation = log_softmax)",
    "input [7, 2]; simple_rnn(3, go_backwards = true); dense(1, activation = leaky_relu)",
    "pub struct Net; input [50, 3]; simple_rnn(2); dense(1); weights = \"../tests/fixtures/keras-files/seed_rnn2.keras\";",
    "pub struct Net; input [15, 3]; gru(4); dense(1); weights = \"../tests/fixtures/torch/gru1.safetensors\";",
];

/// Single tokens and short runs to insert or replace with.
const SNIPPETS: &[&str] = &[
    // Layers, statements, keys and values of the DSL.
    "simple_rnn",
    "lstm",
    "gru",
    "bidirectional",
    "dense",
    "dropout",
    "spatial_dropout1d",
    "gaussian_noise",
    "gaussian_dropout",
    "alpha_dropout",
    "SimpleRNN",
    "LSTM",
    "Dense",
    "input",
    "params",
    "weights",
    "units",
    "activation",
    "recurrent_activation",
    "use_bias",
    "return_sequences",
    "go_backwards",
    "reset_after",
    "merge_mode",
    "rate",
    "stddev",
    "seed",
    "concat",
    "sum",
    "mul",
    "ave",
    "tanh",
    "relu",
    "sigmoid",
    "softmax",
    "gelu",
    "swish",
    "linear",
    "None",
    "true",
    "false",
    "pub",
    "struct",
    "crate",
    "self",
    "Net",
    "Model",
    "fn",
    "r#type",
    "_",
    "__x",
    "\u{e9}t\u{e9}",
    // Numbers: zero, small, huge, overflowing, suffixed, in other bases, floats.
    "0",
    "1",
    "2",
    "3",
    "8",
    "64",
    "-1",
    "1000000",
    "4294967296",
    "4611686018427387904",
    "9223372036854775807",
    "18446744073709551615",
    "18446744073709551616",
    "340282366920938463463374607431768211456",
    "1u8",
    "3usize",
    "0x10",
    "0b11",
    "1_000",
    "0.5",
    "1.0",
    "-0.1",
    "1e3",
    "1e400",
    "0.0",
    "1.5f32",
    "f32::NAN",
    // Other literals.
    "\"relu\"",
    "\"\"",
    "\"net.keras\"",
    "\"Cargo.toml\"",
    "\"../tests/fixtures/keras-files/broken/truncated.keras\"",
    "b\"x\"",
    "'c'",
    "r\"raw\"",
    // Punctuation, alone and joined.
    ";",
    ",",
    "=",
    "-",
    "+",
    "*",
    "#",
    "!",
    "<",
    ">",
    ".",
    ":",
    "::",
    "->",
    "=>",
    "..",
    "&",
    "?",
    "@",
    "$",
    "/",
    "%",
    "^",
    "|",
    "~",
    "==",
    // Attributes and visibility.
    "#[derive(Debug)]",
    "/// doc",
    "#![inner]",
    "pub(crate)",
    // Groups.
    "()",
    "[]",
    "{}",
    "(2)",
    "[50, 3]",
    "[_, 3]",
    "(lstm(2))",
    "{ dense(1) }",
    "(,)",
    "[;]",
];

fn parse(text: &str) -> TokenStream {
    TokenStream::from_str(text).unwrap_or_else(|e| panic!("`{text}` lexes: {e}"))
}

/// Every `model! { ... }` body in `tests/ui/*.rs`, the known mistakes.
fn ui_bodies() -> Vec<TokenStream> {
    fn find(stream: TokenStream, out: &mut Vec<TokenStream>) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        for (i, tt) in tokens.iter().enumerate() {
            if let TokenTree::Group(g) = tt {
                let after_bang = i >= 2
                    && matches!(&tokens[i - 1], TokenTree::Punct(p) if p.as_char() == '!')
                    && matches!(&tokens[i - 2], TokenTree::Ident(id) if id == "model");
                if after_bang {
                    out.push(g.stream());
                } else {
                    find(g.stream(), out);
                }
            }
        }
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/ui");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "rs"));
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("a UI test reads");
        if let Ok(stream) = TokenStream::from_str(&text) {
            find(stream, &mut out);
        }
    }
    out
}

struct Generator {
    rng: Rng,
    seeds: Vec<TokenStream>,
    snippets: Vec<Vec<TokenTree>>,
}

impl Generator {
    fn new(seed: u64) -> Self {
        let mut seeds: Vec<TokenStream> = VALID.iter().map(|s| parse(s)).collect();
        seeds.extend(ui_bodies());
        let snippets = SNIPPETS
            .iter()
            .map(|s| parse(s).into_iter().collect())
            .collect();
        Self {
            rng: Rng(seed | 1),
            seeds,
            snippets,
        }
    }

    fn snippet(&mut self) -> Vec<TokenTree> {
        let i = self.rng.below(self.snippets.len());
        self.snippets[i].clone()
    }

    fn ident(&mut self) -> TokenTree {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz_0123456789";
        let len = 1 + self.rng.below(12);
        let mut name = String::from(char::from(
            b"abcdefghijklmnopqrstuvwxyz_"[self.rng.below(27)],
        ));
        for _ in 1..len {
            name.push(char::from(*self.rng.pick(CHARS)));
        }
        if name == "_" {
            name.push('x');
        }
        TokenTree::Ident(proc_macro2::Ident::new(&name, Span::call_site()))
    }

    fn number(&mut self) -> TokenTree {
        let n = match self.rng.below(4) {
            0 => self.rng.next() % 10,
            1 => self.rng.next() % 1000,
            2 => 1 << self.rng.below(64),
            _ => self.rng.next(),
        };
        if self.rng.chance(25) {
            let f = (n as f64) / 1000.0;
            TokenTree::Literal(proc_macro2::Literal::f64_unsuffixed(f))
        } else {
            TokenTree::Literal(proc_macro2::Literal::u64_unsuffixed(n))
        }
    }

    fn punct(&mut self) -> TokenTree {
        let c = *self.rng.pick(&[
            ';', ',', '=', '-', '#', '!', '<', '>', '.', ':', '&', '*', '/',
        ]);
        let spacing = if self.rng.chance(20) {
            Spacing::Joint
        } else {
            Spacing::Alone
        };
        TokenTree::Punct(Punct::new(c, spacing))
    }

    fn random_tokens(&mut self, depth: usize) -> Vec<TokenTree> {
        let len = self.rng.below(8);
        (0..len).flat_map(|_| self.random_token(depth)).collect()
    }

    fn random_token(&mut self, depth: usize) -> Vec<TokenTree> {
        match self.rng.below(if depth < 3 { 6 } else { 5 }) {
            0 | 1 => self.snippet(),
            2 => vec![self.ident()],
            3 => vec![self.number()],
            4 => vec![self.punct()],
            _ => {
                let delimiter = *self.rng.pick(&[
                    Delimiter::Parenthesis,
                    Delimiter::Bracket,
                    Delimiter::Brace,
                    Delimiter::None,
                ]);
                let inner: TokenStream = self.random_tokens(depth + 1).into_iter().collect();
                vec![TokenTree::Group(Group::new(delimiter, inner))]
            }
        }
    }

    /// One mutation somewhere in `tokens`, possibly inside a group.
    fn mutate(&mut self, tokens: &mut Vec<TokenTree>, depth: usize) {
        let groups: Vec<usize> = (0..tokens.len())
            .filter(|&i| matches!(tokens[i], TokenTree::Group(_)))
            .collect();
        if !groups.is_empty() && depth < 4 && self.rng.chance(35) {
            let i = *self.rng.pick(&groups);
            if let TokenTree::Group(g) = &tokens[i] {
                let mut inner: Vec<TokenTree> = g.stream().into_iter().collect();
                self.mutate(&mut inner, depth + 1);
                let mut new = Group::new(g.delimiter(), inner.into_iter().collect());
                new.set_span(g.span());
                tokens[i] = TokenTree::Group(new);
            }
            return;
        }
        let len = tokens.len();
        let at = self.rng.below(len + 1);
        match self.rng.below(9) {
            // Delete a token or a run.
            0 | 1 if len > 0 => {
                let at = at.min(len - 1);
                let run = 1 + self.rng.below(3).min(len - 1 - at);
                tokens.drain(at..at + run);
            }
            // Duplicate a token.
            2 if len > 0 => {
                let at = at.min(len - 1);
                let copy = tokens[at].clone();
                tokens.insert(at, copy);
            }
            // Swap two tokens.
            3 if len > 1 => {
                let (a, b) = (self.rng.below(len), self.rng.below(len));
                tokens.swap(a, b);
            }
            // Replace a token.
            4 | 5 if len > 0 => {
                let at = at.min(len - 1);
                let new = self.random_token(depth);
                tokens.splice(at..=at, new);
            }
            // Wrap a run in a group.
            6 if len > 0 => {
                let at = at.min(len - 1);
                let end = (at + 1 + self.rng.below(4)).min(len);
                let inner: TokenStream = tokens.drain(at..end).collect();
                let delimiter =
                    *self
                        .rng
                        .pick(&[Delimiter::Parenthesis, Delimiter::Bracket, Delimiter::Brace]);
                tokens.insert(at, TokenTree::Group(Group::new(delimiter, inner)));
            }
            // Splice in a run of another model.
            7 => {
                let other: Vec<TokenTree> =
                    self.rng.pick(&self.seeds).clone().into_iter().collect();
                if !other.is_empty() {
                    let from = self.rng.below(other.len());
                    let to = (from + 1 + self.rng.below(6)).min(other.len());
                    tokens.splice(at..at, other[from..to].iter().cloned());
                }
            }
            // Insert random tokens.
            _ => {
                let new = self.random_token(depth);
                tokens.splice(at..at, new);
            }
        }
    }

    fn case(&mut self) -> TokenStream {
        if self.rng.chance(10) {
            return self
                .random_tokens(0)
                .into_iter()
                .chain(self.random_tokens(0))
                .collect();
        }
        let seed = self.rng.pick(&self.seeds).clone();
        let mut tokens: Vec<TokenTree> = seed.into_iter().collect();
        // Some unmutated seeds: the valid models must keep expanding.
        let mutations = self.rng.below(5);
        for _ in 0..mutations {
            self.mutate(&mut tokens, 0);
        }
        tokens.into_iter().collect()
    }
}

/// What one stream gave.
#[derive(Debug, Default)]
struct Tally {
    models: u64,
    parse_errors: u64,
    check_errors: u64,
}

/// Parses, checks and expands one stream as the macro does, asserting the property.
fn run(tokens: TokenStream, tally: &mut Tally) {
    let parsed = match syn::parse2::<crate::ast::ModelInput>(tokens) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert!(
                !e.to_compile_error().is_empty() && !e.to_string().is_empty(),
                "a parse error without a message"
            );
            tally.parse_errors += 1;
            return;
        }
    };
    let checked = crate::check::check(parsed);
    let has_model = checked.model.is_some();
    let mut errors: Vec<String> = Vec::new();
    if let Some(e) = checked.errors.into_combined() {
        errors = e.into_iter().map(|e| e.to_string()).collect();
    }
    assert!(
        has_model || !errors.is_empty(),
        "neither a model nor an error"
    );
    assert!(
        errors.iter().all(|m| !m.trim().is_empty()),
        "an empty error message: {errors:?}"
    );
    if !errors.is_empty() {
        tally.check_errors += 1;
        return;
    }
    tally.models += 1;
}

/// The full macro path on a stream that checks out: expansion (and embedding) must give
/// items that parse as Rust.
fn run_expand(tokens: TokenStream) {
    let Ok(parsed) = syn::parse2::<crate::ast::ModelInput>(tokens) else {
        return;
    };
    let out = crate::expand_checked(crate::check::check(parsed));
    if let Err(e) = syn::parse2::<syn::File>(out.clone()) {
        panic!("the expansion does not parse as Rust: {e}\n{out}");
    }
}

#[test]
fn random_and_mutated_streams_give_a_model_or_spanned_errors() {
    let env = |key: &str| std::env::var(key).ok().and_then(|v| v.parse::<u64>().ok());
    let cases = env("TINYRNN_PROPS_CASES").unwrap_or(DEFAULT_CASES);
    let seed = env("TINYRNN_PROPS_SEED").unwrap_or(DEFAULT_SEED);
    let mut generator = Generator::new(seed);
    assert!(
        generator.seeds.len() > VALID.len(),
        "the UI cases were found"
    );
    let mut tally = Tally::default();
    for case in 0..cases {
        let tokens = generator.case();
        let text = tokens.to_string();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let before = tally.models;
            run(tokens.clone(), &mut tally);
            if tally.models > before {
                run_expand(tokens);
            }
        }));
        if let Err(panic) = result {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            panic!("case {case} (seed {seed:#x}) panicked: {message}\nmodel! {{ {text} }}");
        }
    }
    eprintln!("parser_props: {cases} cases, seed {seed:#x}: {tally:?}");
    // The generator must reach all three outcomes, or it tests less than it claims.
    assert!(tally.models > cases / 50, "{tally:?}");
    assert!(
        tally.parse_errors > 0 && tally.check_errors > cases / 10,
        "{tally:?}"
    );
}

/// Found by the property test: a parameter count that fits `usize` but whose `4 * PARAMS`
/// bytes (`from_le_bytes`'s array) do not made the expansion panic with an overflow.
#[test]
fn weights_too_large_for_their_bytes_are_an_error_not_a_panic() {
    let tokens = parse("input [50, 2660966983733188304]; simple_rnn(2); dense(1);");
    let parsed = syn::parse2::<crate::ast::ModelInput>(tokens).expect("parses");
    let checked = crate::check::check(parsed);
    let error = checked.errors.into_combined().expect("an error");
    assert!(checked.model.is_none());
    assert!(
        error
            .to_string()
            .contains("take more than `usize::MAX` bytes"),
        "{error}"
    );
}
