//! tinyrnn side of issue 16's `fit` comparison with Keras's `model.fit` and a PyTorch
//! training loop; `benches/fit_peers.py` writes the data, runs all three and prints the
//! table (`cd benches && python3 fit_peers.py`, see BENCHMARKS.md, "Training").
//!
//! Usage: `fit_peer <datafile> [--only seed|lstm32]`. The file (little-endian, written by
//! `fit_peers.py`): the 8 bytes `TRNFIT01`, then `u32` samples N, epochs E, batch size B,
//! timesteps T (50) and features F (3), then `f32`: the N x T x F inputs, the N targets, the
//! seed model's initial weights (15) and lstm(32)'s (4641), each in Keras's `get_weights()`
//! order, flattened row-major and concatenated.
//!
//! For each model, after one untimed epoch, two runs from the file's initial weights, MSE,
//! `adam(0.001)`, batches of B, no shuffling:
//! - `fit` with `epochs: E`, timed as a whole: the loss history (what Keras's and PyTorch's
//!   runs are compared with) and the mean time per epoch;
//! - E calls of `fit` with `epochs: 1`, one after another on the same model, each timed: the
//!   per-epoch times (each call starts Adam's moments and step count afresh, which changes
//!   the losses but not the work).
//!
//! One line of JSON per model on stdout:
//! `{"framework":"tinyrnn","model":..,"params":..,"epoch_s":[..],"fit_s":..,"loss":[..]}`.

use std::hint::black_box;
use std::time::Instant;
use tinyrnn::train::{FitOptions, Loss, Optimizer, Train, fit};
use tinyrnn_bench::Seed;

tinyrnn::model! {
    /// `LSTM(32)` then `Dense(1)` on `[50, 3]`: 4608 + 33 parameters.
    pub struct Lstm32;
    input [50, 3];
    lstm(32);
    dense(1);
    params 4641;
}

const T: usize = 50;
const F: usize = 3;

/// What the data file holds.
struct Data {
    epochs: usize,
    batch_size: usize,
    xs: Vec<[[f32; F]; T]>,
    ys: Vec<[f32; 1]>,
    seed_weights: Vec<f32>,
    lstm_weights: Vec<f32>,
}

fn read_data(path: &str) -> Result<Data, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
    let rest = bytes
        .strip_prefix(b"TRNFIT01")
        .ok_or_else(|| format!("{path}: not a fit_peers.py data file"))?;
    let (header, body) = rest
        .split_at_checked(20)
        .ok_or_else(|| format!("{path}: truncated header"))?;
    let header: Vec<usize> = header
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .collect();
    let &[n, epochs, batch_size, steps, features] = header.as_slice() else {
        unreachable!("20 bytes are 5 u32s")
    };
    if (steps, features) != (T, F) {
        return Err(format!(
            "{path}: input [{steps}, {features}], expected [{T}, {F}]"
        ));
    }
    let floats: Vec<f32> = body
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let want = n * T * F + n + Seed::PARAMS + Lstm32::PARAMS;
    if floats.len() != want || body.len() % 4 != 0 {
        return Err(format!(
            "{path}: {} bytes of floats, expected {}",
            body.len(),
            4 * want
        ));
    }
    let (x_flat, rest) = floats.split_at(n * T * F);
    let (y_flat, rest) = rest.split_at(n);
    let (seed_weights, lstm_weights) = rest.split_at(Seed::PARAMS);
    let xs = x_flat
        .chunks_exact(T * F)
        .map(|s| core::array::from_fn(|t| core::array::from_fn(|f| s[t * F + f])))
        .collect();
    Ok(Data {
        epochs,
        batch_size,
        xs,
        ys: y_flat.iter().map(|&v| [v]).collect(),
        seed_weights: seed_weights.to_vec(),
        lstm_weights: lstm_weights.to_vec(),
    })
}

fn json_list(v: &[impl std::fmt::Display]) -> String {
    let items: Vec<String> = v.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(","))
}

/// The two runs described at the top, on a model `M` built from `w0`; prints the line.
fn run<M>(name: &str, w0: &[f32], data: &Data)
where
    M: Train<Input = [[f32; F]; T], Target = [f32; 1]>,
{
    let options = FitOptions {
        loss: Loss::MeanSquaredError,
        optimizer: Optimizer::adam(0.001),
        epochs: data.epochs,
        batch_size: data.batch_size,
        shuffle: false,
        verbose: false,
        ..FitOptions::default()
    };
    // Warm-up: one epoch on a throwaway copy (page faults, caches, the clock's ramp).
    let mut net = M::from_flat(w0).expect("the file's weights fit the model");
    black_box(fit(
        &mut net,
        &data.xs,
        &data.ys,
        &FitOptions {
            epochs: 1,
            ..options.clone()
        },
    ));

    let mut net = M::from_flat(w0).expect("the file's weights fit the model");
    let start = Instant::now();
    let history = fit(&mut net, &data.xs, &data.ys, &options);
    let fit_s = start.elapsed().as_secs_f64();
    black_box(&net);

    let one = FitOptions {
        epochs: 1,
        ..options
    };
    let mut net = M::from_flat(w0).expect("the file's weights fit the model");
    let epoch_s: Vec<f64> = (0..data.epochs)
        .map(|_| {
            let start = Instant::now();
            black_box(fit(&mut net, &data.xs, &data.ys, &one));
            start.elapsed().as_secs_f64()
        })
        .collect();
    println!(
        "{{\"framework\":\"tinyrnn\",\"model\":\"{name}\",\"params\":{},\"samples\":{},\
         \"epoch_s\":{},\"fit_s\":{fit_s},\"loss\":{}}}",
        M::PARAMS,
        data.xs.len(),
        json_list(&epoch_s),
        json_list(&history.loss)
    );
}

fn main() {
    let mut path = None;
    let mut only = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--only" => only = args.next(),
            _ => path = Some(a),
        }
    }
    let Some(path) = path else {
        eprintln!("usage: fit_peer <datafile> [--only seed|lstm32]");
        std::process::exit(2);
    };
    let data = read_data(&path).unwrap_or_else(|e| {
        eprintln!("fit_peer: {e}");
        std::process::exit(1);
    });
    let selected = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if selected("seed") {
        run::<Seed>("seed", &data.seed_weights, &data);
    }
    if selected("lstm32") {
        run::<Lstm32>("lstm32", &data.lstm_weights, &data);
    }
}
