//! Hostile input: weight files from anywhere.
//!
//! - The fuzzers' corpus, replayed: every file in `tests/fixtures/fuzz-regressions/<target>/`
//!   (a minimized cargo-fuzz corpus, and every input that ever crashed a target) goes through
//!   the same harness the fuzz targets run (`fuzz/src/lib.rs`, included below), with no
//!   panic, and within bounded memory, measured by a counting allocator.
//! - Each crash the fuzzers found, as its own test: the saved input is an error.
//!
//! Numbers that are not nice (100,000 steps, NaN, infinities) are in `tests/numerics.rs`.
#![allow(
    unsafe_code,
    reason = "a counting global allocator measures the loaders' memory, as in no_alloc.rs"
)]
#![allow(
    clippy::cast_possible_truncation,
    reason = "fixtures hold f32 values written as f64, and small counts"
)]

mod common;

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------------------
// Memory: a counting allocator, per thread (each test runs on its own thread).
// ---------------------------------------------------------------------------------------

struct Counting;

thread_local! {
    /// Bytes allocated on this thread and not yet freed, since the last `measure`.
    static LIVE: Cell<usize> = const { Cell::new(0) };
    /// The most `LIVE` reached.
    static PEAK: Cell<usize> = const { Cell::new(0) };
    /// The largest single allocation.
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn grow(bytes: usize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get().saturating_add(bytes);
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
    let _ = LARGEST.try_with(|largest| largest.set(largest.get().max(bytes)));
}

fn shrink(bytes: usize) {
    let _ = LIVE.try_with(|live| live.set(live.get().saturating_sub(bytes)));
}

// SAFETY: every call goes straight to the system allocator; the counters are const-initialised
// thread-locals without destructors, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grow(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        shrink(layout.size());
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        shrink(layout.size());
        grow(new_size);
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// What `f` allocated on this thread: `(peak live bytes, largest single allocation)`.
fn measure<R>(f: impl FnOnce() -> R) -> (R, usize, usize) {
    LIVE.with(|c| c.set(0));
    PEAK.with(|c| c.set(0));
    LARGEST.with(|c| c.set(0));
    let r = f();
    (r, PEAK.with(Cell::get), LARGEST.with(Cell::get))
}

/// SECURITY.md's bound: whatever the bytes, a loader holds at most this much at once. The
/// heaviest real case is a `.keras` zip, which holds the archive's members (up to 4x the
/// file, zip.rs), the HDF5 reader's view of them (up to 2x, h5.rs), and the arrays read.
/// The constant covers `hdf5-reader` 0.12.1's one allocation sized by a field of the file
/// alone: a compound datatype's member list, reserved from its 16-bit count before the
/// members are read (at most 65,535 x 72 bytes, 4.7 MB; found by fuzzing, corpus input
/// `keras_file/corpus-f46e3001...`, 1,115 bytes).
fn memory_bound(len: usize) -> usize {
    16 * len + (5 << 20)
}

// ---------------------------------------------------------------------------------------
// The fuzzers' corpus and crashes, replayed.
// ---------------------------------------------------------------------------------------

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Replays every file under `dirs` through `run`: no panic, memory within the bound.
/// Returns the number of files and how many loads the models accepted.
fn replay(dirs: &[PathBuf], run: fn(&[u8]) -> usize) -> (usize, usize) {
    let files: Vec<PathBuf> = dirs.iter().flat_map(|d| files_under(d)).collect();
    let mut accepted = 0;
    let mut worst = (0.0_f64, String::new());
    for path in &files {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        let start = std::time::Instant::now();
        let result = std::panic::catch_unwind(|| measure(|| run(&bytes)));
        if start.elapsed().as_secs_f64() > 1.0 {
            eprintln!("slow: {name}: {:?}", start.elapsed());
        }
        let Ok((n, peak, largest)) = result else {
            panic!("{name} panicked the harness");
        };
        accepted += n;
        let bound = memory_bound(bytes.len());
        assert!(
            peak <= bound && largest <= bound,
            "{name}: {} bytes held {peak} bytes at once (largest allocation {largest}), over {bound}",
            bytes.len()
        );
        let ratio = peak as f64 / (bytes.len().max(1) as f64);
        if ratio > worst.0 && bytes.len() >= 8192 {
            worst = (ratio, name);
        }
    }
    eprintln!(
        "replayed {} files, {accepted} loads accepted; most memory per input byte: {:.1}x ({})",
        files.len(),
        worst.0,
        worst.1
    );
    (files.len(), accepted)
}

fn regressions(target: &str) -> PathBuf {
    root().join("tests/fixtures/fuzz-regressions").join(target)
}

#[test]
fn keras_corpus_replays_without_panic_in_bounded_memory() {
    let (files, _) = replay(&[regressions("keras_file")], harness::keras_bytes);
    assert!(files > 10, "the keras_file corpus is checked in");
}

#[test]
fn keras_config_corpus_replays_without_panic_in_bounded_memory() {
    let (files, parsed) = replay(&[regressions("keras_config")], harness::keras_config);
    assert!(files > 10, "the keras_config corpus is checked in");
    assert!(parsed > 0, "some of the corpus reads as models");
}

#[test]
fn safetensors_corpus_replays_without_panic_in_bounded_memory() {
    let (files, _) = replay(&[regressions("safetensors")], harness::safetensors_bytes);
    assert!(files > 10, "the safetensors corpus is checked in");
}

#[test]
fn pt_corpus_replays_without_panic_in_bounded_memory() {
    let (files, _) = replay(&[regressions("pt_file")], harness::pt_bytes);
    assert!(files > 10, "the pt_file corpus is checked in");
}

#[test]
fn blob_corpus_replays_without_panic_in_bounded_memory() {
    fn blob(data: &[u8]) -> usize {
        harness::blob(data);
        0
    }
    let (files, _) = replay(&[regressions("blob")], blob);
    assert!(files > 10, "the blob corpus is checked in");
}

/// The fuzzers' seeds, the real fixture files, reach the models through the harness: the
/// replay tests more than the loaders' first checks.
#[test]
fn real_files_load_through_the_harness() {
    let keras = root().join("tests/fixtures/keras-files");
    let (files, accepted) = replay(&[keras], harness::keras_bytes);
    assert!(
        files >= 36 && accepted >= 24,
        "{files} files, {accepted} loads"
    );
    // Saved as from a notebook: Sequential and Functional models, models that are not
    // chains, hostile configs. The `lstm` case's 8 files load into `Notebook`.
    let notebook = root().join("tests/fixtures/keras-notebook");
    let (files, accepted) = replay(&[notebook], harness::keras_bytes);
    assert!(
        files >= 50 && accepted >= 8,
        "{files} files, {accepted} loads"
    );
    let torch: Vec<PathBuf> = files_under(&root().join("tests/fixtures/torch"));
    let (mut safetensors, mut pt) = (0, 0);
    for path in &torch {
        let bytes = std::fs::read(path).expect("a fixture reads");
        match path.extension().and_then(|e| e.to_str()) {
            Some("safetensors") => safetensors += harness::safetensors_bytes(&bytes),
            Some("pt") => pt += harness::pt_file(path),
            _ => {}
        }
    }
    assert!(safetensors >= 5 && pt == safetensors, "{safetensors} {pt}");
}

// ---------------------------------------------------------------------------------------
// Each crash found, as its own test: the saved input is an error, not a panic.
// ---------------------------------------------------------------------------------------

fn regression(target: &str, name: &str) -> Vec<u8> {
    let path = regressions(target).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A `.keras` whose config wraps `LSTM(units = 2^62)` in `Bidirectional`: the expected kernel
/// width `4 * units` overflowed `usize` in `expected_from_config` (io/src/lib.rs), a panic in
/// debug builds, which include the macro's `weights = "..."` at compile time.
#[test]
fn crash_bidirectional_lstm_units_overflow_is_an_error() {
    let bytes = regression(
        "keras_file",
        "crash-bidirectional-lstm-units-overflow.keras",
    );
    let file = tinyrnn::keras::read(&bytes).expect("the archive itself is sound");
    let config = file.config.as_ref().expect("a config");
    let err = tinyrnn::keras::expected_from_config(config).expect_err("units too large");
    assert!(err.to_string().contains("is too large"), "{err}");
    assert_eq!(harness::keras_bytes(&bytes), 0);
}

/// A `.safetensors` state dict of empty tensors whose `weight_hh_l0` and its `_reverse` claim
/// `2^63` columns (zero values, so the header is consistent): the bidirectional output width
/// `2 * h` overflowed in `infer_config` (io/src/torch.rs, what `tinyrnn inspect` runs).
#[test]
fn crash_bidirectional_hidden_width_overflow_is_an_error() {
    let bytes = regression(
        "safetensors",
        "crash-bidirectional-hidden-width-overflow.safetensors",
    );
    let dict = tinyrnn::torch::read_safetensors(&bytes).expect("the header is consistent");
    let inspected = tinyrnn::torch::infer_config(&dict)
        .and_then(|(config, _)| tinyrnn::keras::expected_from_config(&config));
    assert!(inspected.is_err(), "{inspected:?}");
    assert_eq!(harness::safetensors_bytes(&bytes), 0);
}

/// A 15 KB `.keras` zip whose 300 central-directory entries all point at one deflated run
/// of 60 KB, each within the old per-member limit (4x the file): read whole, the members
/// held 18 MB at once, growing with the square of the file (a 1 MB file: 80 GB). All members
/// together are now limited to 4x the file (io/src/zip.rs).
#[test]
fn crash_memory_overlapping_zip_members_is_an_error_in_bounded_memory() {
    let bytes = regression("keras_file", "crash-memory-overlapping-zip-members.keras");
    let (result, peak, _) = measure(|| tinyrnn::keras::read(&bytes));
    let err = result.expect_err("members beyond 4x the file");
    assert!(err.to_string().contains("claims"), "{err}");
    assert!(
        peak <= memory_bound(bytes.len()),
        "held {peak} bytes at once"
    );
}

/// A 21 KB `torch.save` file of 300 tensors viewing one 16 KB storage: `read_pt` read every
/// tensor, 4.8 MB of values (and as much again converting them), again growing with the
/// square of the file. All tensors together are now limited to 4x the file (io/src/torch.rs).
#[test]
fn crash_memory_tensors_sharing_one_storage_is_an_error_in_bounded_memory() {
    let path = regressions("pt_file").join("crash-memory-tensors-sharing-one-storage.pt");
    let len = std::fs::metadata(&path)
        .expect("the regression exists")
        .len();
    let (result, peak, _) = measure(|| tinyrnn::torch::read_pt(&path));
    let err = result.expect_err("tensors beyond 4x the file");
    assert!(err.to_string().contains("more than the"), "{err}");
    assert!(
        peak <= memory_bound(len as usize),
        "held {peak} bytes at once"
    );
}

/// A `.safetensors` state dict whose `fc.weight` is empty with shape `(2^63, 0)`: the
/// architecture `tinyrnn inspect` infers from it has a `Dense` of 2^63 units on 0 inputs,
/// which the dict fits, and converting its weight looped over all 2^63 rows: a hang in a
/// debug build (`cargo run --bin tinyrnn`), optimised away in release, so the fuzzers (built
/// optimised) could not see it; the debug replay of their corpus did. An empty tensor is
/// now not looped over (io/src/torch.rs).
#[test]
fn crash_hang_empty_linear_of_2_63_rows_returns_at_once() {
    let bytes = regression(
        "safetensors",
        "crash-hang-empty-linear-of-2-63-rows.safetensors",
    );
    let start = std::time::Instant::now();
    let dict = tinyrnn::torch::read_safetensors(&bytes).expect("the header is consistent");
    let (config, _) = tinyrnn::torch::infer_config(&dict).expect("two nn.Linear");
    let layers = tinyrnn::keras::expected_from_config(&config).expect("shapes fit usize");
    let _ = tinyrnn::torch::weights_for(&dict, &layers);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
