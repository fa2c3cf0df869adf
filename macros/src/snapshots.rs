//! Snapshots of what `model!` generates (as pin-project's `tests/expand/*.expanded.rs`), so
//! that a reviewer reads the generated code, and every change to it, in a diff: each case's
//! expansion, printed by `prettyplease`, must equal `tests/expand/<case>.expanded.rs` at the
//! workspace root. `TINYRNN_SNAPSHOTS=overwrite cargo test -p tinyrnn-macros --features
//! keras snapshots` rewrites them after an intended change.

use std::path::{Path, PathBuf};

/// The cases: a name and the `model!` body.
const CASES: [(&str, &str); 4] = [
    (
        "seed",
        "pub struct Net; input [50, 3]; simple_rnn(2); dense(1); params 15;",
    ),
    (
        "lstm_stack",
        "pub struct Stack; input [_, 4]; lstm(8, return_sequences = true); dropout(0.2); \
         gru(4, reset_after = false); dense(2, activation = softmax);",
    ),
    (
        "bidirectional",
        "pub struct Bi; input [8, 3]; bidirectional(lstm(4, return_sequences = true)); \
         bidirectional(gru(3), merge_mode = sum); dense(1);",
    ),
    (
        "weights",
        "pub struct Seed; input [50, 3]; simple_rnn(2); dense(1); \
         weights = \"../tests/fixtures/keras-files/seed_rnn2.keras\";",
    ),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the macros crate is in the workspace")
        .to_path_buf()
}

/// The expansion of `body`, printed; absolute paths (`include_bytes!` of an embedded
/// file) are written relative to the workspace.
fn expansion(body: &str) -> String {
    let tokens: proc_macro2::TokenStream = body.parse().expect("the case tokenizes");
    let expanded = crate::expand_model(tokens);
    let file = syn::parse2::<syn::File>(expanded).expect("the expansion parses as items");
    let text = prettyplease::unparse(&file);
    text.replace(&workspace().display().to_string(), "$WORKSPACE")
}

#[test]
fn expansions_match_their_snapshots() {
    let dir = workspace().join("tests/expand");
    let overwrite = std::env::var_os("TINYRNN_SNAPSHOTS").is_some_and(|v| v == "overwrite");
    let mut differ = Vec::new();
    for (name, body) in CASES {
        // Without the `keras` feature `weights = "..."` is an error by design.
        if name == "weights" && !cfg!(feature = "keras") {
            continue;
        }
        let got = expansion(body);
        let path = dir.join(format!("{name}.expanded.rs"));
        if overwrite {
            std::fs::create_dir_all(&dir).expect("tests/expand is writable");
            std::fs::write(&path, &got).expect("the snapshot is writable");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            differ.push(format!("{}:\n{got}", path.display()));
        }
    }
    assert!(
        differ.is_empty(),
        "expansions differ from their snapshots (rerun with TINYRNN_SNAPSHOTS=overwrite to \
         accept):\n{}",
        differ.join("\n")
    );
}
