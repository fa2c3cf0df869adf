//! Train in Rust, deploy the same struct: the seed model (`simple_rnn(2); dense(1)` on
//! `input [50, 3]`, 15 parameters) learns a leaky integrator with
//! [`tinyrnn::train::fit`], and its weights become the blob that
//! `Net::from_le_bytes(include_bytes!("net.bin"))` keeps in a firmware's flash.
//!
//! The task: each of 50 timesteps carries three features drawn uniformly from [-1, 1), and
//! the target is `0.3 * sum_t 0.8^(49 - t) * (x_t[0] - 0.5 * x_t[1])`, a decaying memory of
//! two features (the third is noise to ignore). Tanh units in their near-linear range,
//! with a recurrent matrix whose eigenvalue is 0.8, are such an integrator, so two units
//! suffice (the trained kernel weighs the features about 1 : -0.5 : 0). The samples come
//! from a seeded splitmix64: 512 to train on, 64 held out.
//!
//! It prints the held-out mean squared error before training, one line per epoch (Keras's
//! `verbose`), the held-out error after it beside the targets' variance (what predicting
//! their mean would score), then writes, in `target/train/` (or the directory given as
//! the first argument):
//!
//! - `net.bin`: the 15 weights as little-endian `f32`, in Keras `get_weights()` order,
//!   read back here with `Net::from_le_slice` and checked bit for bit against the trained
//!   model;
//! - `train.svg`: the loss per epoch, and the held-out predictions against their targets
//!   before and after training.
//!
//! Run with `cargo run --release --example train`.

use plotters::prelude::*;
use std::error::Error;
use std::path::{Path, PathBuf};
use std::time::Instant;
use tinyrnn::train::{FitOptions, Loss, Optimizer, fit};

tinyrnn::model! {
    /// The seed model: `SimpleRNN(2)` then `Dense(1)`, 12 + 3 parameters.
    pub struct Net;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    params 15;
}

/// One input sequence: 50 timesteps of 3 features.
type Sequence = [[f32; 3]; 50];

const TRAIN: usize = 512;
const HELD_OUT: usize = 64;
/// How much of the previous sum each timestep keeps.
const DECAY: f32 = 0.8;
/// Keeps the targets well inside tanh's (-1, 1): their standard deviation is about 0.27.
const SCALE: f32 = 0.3;

/// splitmix64: a small seeded generator, so the example needs no `rand` and its numbers
/// are the same on every machine.
struct SplitMix(u64);

impl SplitMix {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1), from the top 24 bits (exact in `f32`).
    fn symmetric(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1 << 23) as f32 - 1.0
    }
}

/// The leaky integrator the model is to learn.
fn target(x: &Sequence) -> [f32; 1] {
    let sum = x
        .iter()
        .fold(0.0_f32, |acc, v| DECAY * acc + (v[0] - 0.5 * v[1]));
    [SCALE * sum]
}

/// The mean over the samples of the squared error of `net`'s prediction.
fn mean_squared_error(net: &Net, xs: &[Sequence], ys: &[[f32; 1]]) -> f32 {
    let total: f32 = xs
        .iter()
        .zip(ys)
        .map(|(x, [y])| {
            let [p] = net.forward(x);
            (p - y) * (p - y)
        })
        .sum();
    total / xs.len() as f32
}

/// The targets' variance: the mean squared error of always predicting their mean.
fn variance(ys: &[[f32; 1]]) -> f32 {
    let n = ys.len() as f32;
    let mean = ys.iter().map(|[y]| y).sum::<f32>() / n;
    ys.iter().map(|[y]| (y - mean) * (y - mean)).sum::<f32>() / n
}

fn main() -> Result<(), Box<dyn Error>> {
    let out_dir = std::env::args_os().nth(1).map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/train"),
        PathBuf::from,
    );
    let start = Instant::now();

    let mut random = SplitMix(16);
    let xs: Vec<Sequence> = (0..TRAIN + HELD_OUT)
        .map(|_| core::array::from_fn(|_| core::array::from_fn(|_| random.symmetric())))
        .collect();
    let ys: Vec<[f32; 1]> = xs.iter().map(target).collect();
    let (train_inputs, held_inputs) = xs.split_at(TRAIN);
    let (train_targets, held_targets) = ys.split_at(TRAIN);

    // Small seeded random weights (not Keras's initializers: any small start learns this).
    let initial: Vec<f32> = (0..Net::PARAMS).map(|_| 0.3 * random.symmetric()).collect();
    let mut net = Net::from_flat(&initial)?;
    let untrained = net.clone();
    let variance = variance(held_targets);
    println!(
        "{TRAIN} training and {HELD_OUT} held-out sequences of [50, 3]; {} parameters",
        Net::PARAMS
    );
    println!(
        "held-out MSE before training {:.5} (target variance {variance:.5})",
        mean_squared_error(&net, held_inputs, held_targets)
    );

    let history = fit(
        &mut net,
        train_inputs,
        train_targets,
        &FitOptions {
            loss: Loss::MeanSquaredError,
            optimizer: Optimizer::adam(0.01),
            epochs: 60,
            batch_size: 16,
            shuffle: true,
            seed: 16,
            // `verbose: true`, a line per epoch, is the default.
            ..Default::default()
        },
    );
    let trained_mse = mean_squared_error(&net, held_inputs, held_targets);
    println!(
        "held-out MSE {trained_mse:.5} (target variance {variance:.5}, R^2 {:.4}) after {:.2} s",
        1.0 - trained_mse / variance,
        start.elapsed().as_secs_f64()
    );

    // The blob: what `tinyrnn convert` writes from a Keras file, here from our own training.
    std::fs::create_dir_all(&out_dir)?;
    let blob_path = out_dir.join("net.bin");
    let blob: Vec<u8> = net.to_flat().iter().flat_map(|w| w.to_le_bytes()).collect();
    std::fs::write(&blob_path, &blob)?;
    let reloaded = Net::from_le_slice(&std::fs::read(&blob_path)?)?;
    let x = &held_inputs[0];
    let (want, got) = (net.forward(x), reloaded.forward(x));
    assert!(
        want[0].to_bits() == got[0].to_bits(),
        "reloaded model differs: trained {want:?}, reloaded {got:?}"
    );
    println!(
        "wrote {} ({} bytes); reloaded, its forward equals the trained model's bit for bit",
        blob_path.display(),
        blob.len()
    );
    println!("in firmware: static NET: Net = Net::from_le_bytes(include_bytes!(\"net.bin\"));");

    let svg_path = out_dir.join("train.svg");
    draw(
        &svg_path,
        &history.loss,
        variance,
        &untrained,
        &net,
        held_inputs,
        held_targets,
    )?;
    println!("wrote {}", svg_path.display());
    Ok(())
}

/// Two panels: the training loss per epoch (log scale) beside the targets' variance, and
/// each held-out sequence's prediction against its target, before and after training.
fn draw(
    path: &Path,
    loss: &[f32],
    variance: f32,
    untrained: &Net,
    trained: &Net,
    xs: &[Sequence],
    ys: &[[f32; 1]],
) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (1100, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(560);

    let epochs = loss.len();
    let lowest = loss.iter().copied().fold(variance, f32::min);
    let highest = loss.iter().copied().fold(variance, f32::max);
    let mut chart = ChartBuilder::on(&left)
        .caption("Training loss (MSE) per epoch", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(1..epochs, (lowest * 0.5..highest * 2.0).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("epoch")
        .y_desc("loss")
        .light_line_style(BLACK.mix(0.04))
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            loss.iter().enumerate().map(|(i, &l)| (i + 1, l)),
            BLUE.stroke_width(2),
        ))?
        .label("training loss")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLUE.stroke_width(2)));
    // Predicting the targets' mean would score their variance: the line to get well under.
    let reference = RGBColor(230, 120, 0).stroke_width(2);
    chart
        .draw_series(DashedLineSeries::new(
            [(1, variance), (epochs, variance)],
            8,
            5,
            reference,
        ))?
        .label("held-out target variance")
        .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], reference));
    chart
        .configure_series_labels()
        .border_style(BLACK)
        .background_style(WHITE.mix(0.9))
        .draw()?;

    let predictions = |net: &Net| -> Vec<(f32, f32)> {
        xs.iter()
            .zip(ys)
            .map(|(x, [y])| (*y, net.forward(x)[0]))
            .collect()
    };
    let before = predictions(untrained);
    let after = predictions(trained);
    let reach = before
        .iter()
        .chain(&after)
        .fold(0.0_f32, |m, &(y, p)| m.max(y.abs()).max(p.abs()))
        * 1.1;
    let mut chart = ChartBuilder::on(&right)
        .caption(
            format!("{} held-out sequences: prediction vs target", xs.len()),
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(-reach..reach, -reach..reach)?;
    chart
        .configure_mesh()
        .x_desc("target")
        .y_desc("prediction")
        .light_line_style(BLACK.mix(0.04))
        .draw()?;
    chart
        .draw_series(LineSeries::new(
            [(-reach, -reach), (reach, reach)],
            BLACK.mix(0.5),
        ))?
        .label("prediction = target")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.mix(0.5)));
    chart
        .draw_series(
            before
                .iter()
                .map(|&point| Circle::new(point, 3, RGBColor(150, 150, 150).filled())),
        )?
        .label("before training")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, RGBColor(150, 150, 150).filled()));
    chart
        .draw_series(
            after
                .iter()
                .map(|&point| Circle::new(point, 3, RED.filled())),
        )?
        .label("after training")
        .legend(|(x, y)| Circle::new((x + 10, y), 3, RED.filled()));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .border_style(BLACK)
        .background_style(WHITE.mix(0.9))
        .draw()?;

    root.present()?;
    Ok(())
}
