//! Compile-fail tests: every mistake in a `model!` call is a readable compile error,
//! spanned on the tokens to fix. Snapshots live in `tests/ui/*.stderr`; regenerate them
//! with `TRYBUILD=overwrite cargo test --test ui` and read every diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
