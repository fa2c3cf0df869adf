//! The no_std promise: `tests/no-std` is a `#![no_std]` crate with its own
//! `#[panic_handler]` that uses `model!`; if std were anywhere in its dependency graph the
//! build would fail with "duplicate lang item `panic_impl`".

use std::path::Path;
use std::process::Command;

#[test]
fn model_builds_without_std() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), Into::into)
        .join("no-std-check");
    let output = Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--manifest-path"])
        .arg(root.join("tests/no-std/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "the no_std crate failed to build:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
