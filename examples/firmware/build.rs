//! Puts the target's memory layout (`memory/<target>.x`) where the runtime's `link.x`
//! (cortex-m-rt's or riscv-rt's) finds it as `memory.x`, links with `link.x`, and brings in
//! the host's expected outputs (`expected.rs`, written by `cargo test --test firmware` in the
//! main repository) for `src/lib.rs` to `include!`.

use std::{env, fs, path::PathBuf};

fn main() {
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let target = env::var("TARGET").expect("cargo sets TARGET");
    let memory = PathBuf::from("memory").join(format!("{target}.x"));
    if let Err(e) = fs::copy(&memory, out.join("memory.x")) {
        panic!(
            "{}: {e}\nThe firmware builds for thumbv7em-none-eabihf, thumbv6m-none-eabi and \
             riscv32imc-unknown-none-elf (--target), each with its memory layout in memory/.",
            memory.display()
        );
    }
    println!("cargo:rustc-link-search={}", out.display());
    // The runtime's linker script, which includes memory.x. Here rather than in rustflags,
    // which a RUSTFLAGS variable would replace.
    println!("cargo:rustc-link-arg-bins=-Tlink.x");
    println!("cargo:rerun-if-changed=memory");
    println!("cargo:rerun-if-changed=build.rs");

    let expected = env::var_os("TINYRNN_FIRMWARE_EXPECTED").map_or_else(
        || PathBuf::from("../../target/firmware/expected.rs"),
        PathBuf::from,
    );
    println!("cargo:rerun-if-env-changed=TINYRNN_FIRMWARE_EXPECTED");
    println!("cargo:rerun-if-changed={}", expected.display());
    if let Err(e) = fs::copy(&expected, out.join("expected.rs")) {
        panic!(
            "{}: {e}\nThe host's expected outputs are missing: run `cargo test --test firmware` \
             in the main repository first (ci/firmware-check does).",
            expected.display()
        );
    }
}
