//! The loader harnesses behind the cargo-fuzz targets (`fuzz/fuzz_targets/`), shared with
//! their replay in `tests/hostile.rs` (which includes this file as a module): each one takes
//! arbitrary bytes as a user's weight file (or a model config) and runs them through what
//! `Net::from_keras_*`, `Net::from_torch_*`, `Net::from_le_slice` and `tinyrnn inspect` run.
//!
//! Whatever the bytes, nothing may panic, and:
//! - weights that a loader accepts for a model have exactly the model's parameter count, so
//!   `from_flat` takes them, and `forward` on them runs (non-finite outputs are fine);
//! - a blob loads only at exactly `4 * PARAMS` bytes, `from_le_slice` and `from_flat` of
//!   the same values give the same model, and `step` equals `forward` bit for bit.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use tinyrnn::keras::{self, ExpectedLayer};
use tinyrnn::torch;

// The Keras fixtures' architectures (tests/fixtures/keras-files/), so that mutated fixture
// files get past the shape checks and into `from_flat` and `forward`.
tinyrnn::model! { pub struct Rnn; input [50, 3]; simple_rnn(2); dense(1) }
tinyrnn::model! {
    pub struct Stacked;
    input [10, 4];
    lstm(6, return_sequences = true);
    lstm(3);
    dense(2, activation = softmax);
}
tinyrnn::model! {
    pub struct Bidi;
    input [8, 3];
    bidirectional(gru(3, return_sequences = true), merge_mode = sum);
    bidirectional(simple_rnn(2, return_sequences = true), merge_mode = mul);
    bidirectional(lstm(2), merge_mode = ave);
    dense(1);
}
tinyrnn::model! {
    pub struct GruBefore;
    input [15, 3];
    gru(5, reset_after = false, return_sequences = true);
    gru(3);
    dense(1);
}
tinyrnn::model! {
    pub struct Drops;
    input [10, 3];
    dropout(0.5);
    lstm(4, return_sequences = true);
    spatial_dropout1d(0.3);
    gru(3, return_sequences = true);
    gaussian_noise(0.1);
    gaussian_dropout(0.2);
    alpha_dropout(0.1);
    dense(2);
}
tinyrnn::model! {
    pub struct NoBias;
    input [15, 3];
    simple_rnn(4, use_bias = false, activation = sigmoid);
    dense(2, use_bias = false, activation = tanh);
}
tinyrnn::model! {
    pub struct Mixed;
    input [16, 4];
    dense(8, activation = relu);
    gru(6, return_sequences = true);
    lstm(5);
    dense(2);
}
tinyrnn::model! { pub struct VarLen; input [_, 3]; simple_rnn(4); dense(2) }
// tests/fixtures/keras-files/relu_layers.*: the activation layers with their arguments.
tinyrnn::model! {
    pub struct Relus;
    input [6, 4];
    dense(6);
    relu();
    dense(6);
    relu(max_value = 1.5, negative_slope = 0.1, threshold = 0.2);
    dense(5);
    relu(max_value = 6);
}
// tests/fixtures/keras-notebook/lstm_*: Sequential and Functional, saved after other models.
tinyrnn::model! {
    pub struct Notebook;
    input [10, 4];
    lstm(6, return_sequences = true);
    dropout(0.2);
    lstm(3);
    dense(1, activation = sigmoid);
}

// tests/fixtures/keras-files/batch_normalization.*: non-trainable statistics.
tinyrnn::model! {
    pub struct Statistics;
    input [8, 3];
    batch_normalization();
    lstm(4, return_sequences = true);
    batch_normalization(epsilon = 0.01, center = false);
    gru(3);
    batch_normalization(scale = false);
    dense(2);
}
// tests/fixtures/keras-files/flatten.*: sequences flattened and repeated.
tinyrnn::model! {
    pub struct Reshaped;
    input [4, 3];
    flatten();
    dense(5);
    repeat_vector(2);
    lstm(3, return_sequences = true);
    flatten();
    dense(2);
}
// tests/fixtures/keras-examples/text_classification_masked.keras: token ids, masked.
tinyrnn::model! {
    pub struct Tokens;
    input [_];
    embedding(100, 8, mask_zero = true);
    gru(8);
    dense(1, activation = sigmoid);
}
// tests/fixtures/keras-files/pooling.* and conv1d_causal_any.*: windows read whole, and
// causal convolutions that stream.
tinyrnn::model! {
    pub struct Windows;
    input [12, 3];
    conv1d(4, 3, padding = same);
    max_pooling1d(2);
    average_pooling1d(3, strides = 2, padding = same);
    lstm(3);
    dense(1);
}
tinyrnn::model! {
    pub struct Causal;
    input [_, 2];
    conv1d(4, 3, padding = causal, dilation_rate = 2, activation = relu);
    conv1d(3, 1, padding = causal);
    gru(3, return_sequences = true);
    dense(1);
}
// tests/fixtures/keras-files/resampling.*: timesteps padded, cropped and repeated.
tinyrnn::model! {
    pub struct Resampled;
    input [6, 2];
    zero_padding1d([1, 2]);
    conv1d(3, 2);
    cropping1d(2);
    up_sampling1d(3);
    lstm(2);
    dense(1);
}
// tests/fixtures/keras-files/windows_any.*: windows slid along a sequence of any length.
tinyrnn::model! {
    pub struct Slid;
    input [_, 2];
    conv1d(4, 3, strides = 2, activation = relu);
    max_pooling1d(2);
    lstm(3);
    dense(1);
}
// The PyTorch fixtures' architectures (tests/fixtures/torch/).
tinyrnn::model! { pub struct TorchRnn; input [12, 3]; simple_rnn(4); dense(1) }
tinyrnn::model! { pub struct TorchGru; input [15, 3]; gru(4); dense(1) }
tinyrnn::model! {
    pub struct TorchLstm2;
    input [10, 4];
    lstm(6, return_sequences = true);
    lstm(6);
    dense(1);
}
tinyrnn::model! {
    pub struct TorchBidi2;
    input [6, 3];
    bidirectional(lstm(4, return_sequences = true));
    bidirectional(lstm(4));
    dense(1);
}
tinyrnn::model! { pub struct TorchNoBias; input [10, 3]; lstm(4, use_bias = false); dense(1) }

/// A model the harnesses can run: `forward` on a fixed input, and `step` over it when the
/// model streams.
pub trait Run: tinyrnn::Model {
    /// `forward`'s output on the fixed input.
    fn forward_fixed(&self) -> Vec<f32>;
    /// Every output of `step` over the same input, concatenated, for models that stream.
    fn stream_fixed(&self) -> Option<Vec<f32>>;
}

/// `forward`'s output, a vector or a sequence, as one slice of values.
trait Floats {
    fn floats(&self) -> Vec<f32>;
}

impl<const N: usize> Floats for [f32; N] {
    fn floats(&self) -> Vec<f32> {
        self.to_vec()
    }
}

impl<const N: usize, const T: usize> Floats for [[f32; N]; T] {
    fn floats(&self) -> Vec<f32> {
        self.as_flattened().to_vec()
    }
}

/// `step`'s outputs end with `forward`'s: its last one, or all of them.
fn assert_streams_as_forward(forward: &[f32], streamed: &[f32]) {
    assert!(
        streamed.len() >= forward.len(),
        "step gave fewer outputs than forward"
    );
    assert_same_bits(
        forward,
        &streamed[streamed.len() - forward.len()..],
        "step and forward",
    );
}

/// A fixed, varied input: values in [-1, 1].
fn input<const F: usize, const T: usize>() -> [[f32; F]; T] {
    let mut x = [[0.0; F]; T];
    for (t, row) in x.iter_mut().enumerate() {
        for (f, v) in row.iter_mut().enumerate() {
            *v = ((t * 7 + f * 3) % 11) as f32 / 5.0 - 1.0;
        }
    }
    x
}

macro_rules! run_fixed {
    ($($model:ident: $stream:tt),* $(,)?) => {$(
        impl Run for $model {
            fn forward_fixed(&self) -> Vec<f32> {
                const T: usize = match $model::TIMESTEPS {
                    Some(t) => t,
                    None => 0,
                };
                self.forward(&input::<{ $model::FEATURES }, T>()).floats()
            }

            fn stream_fixed(&self) -> Option<Vec<f32>> {
                run_fixed!(@stream $stream, self, $model)
            }
        }
    )*};
    (@stream stream, $net:ident, $model:ident) => {{
        const T: usize = match $model::TIMESTEPS {
            Some(t) => t,
            None => 0,
        };
        let mut state = <$model as tinyrnn::Model>::State::default();
        let mut all = Vec::new();
        for x in &input::<{ $model::FEATURES }, T>() {
            all.extend($net.step(&mut state, x));
        }
        Some(all)
    }};
    (@stream no_stream, $net:ident, $model:ident) => {
        None
    };
}

run_fixed!(
    Rnn: stream,
    Stacked: stream,
    Bidi: no_stream,
    GruBefore: stream,
    Drops: stream,
    NoBias: stream,
    Mixed: stream,
    Notebook: stream,
    Relus: stream,
    Statistics: stream,
    Reshaped: no_stream,
    Windows: no_stream,
    Resampled: no_stream,
    TorchRnn: stream,
    TorchGru: stream,
    TorchLstm2: stream,
    TorchBidi2: no_stream,
    TorchNoBias: stream,
);

impl Run for VarLen {
    fn forward_fixed(&self) -> Vec<f32> {
        self.forward(&input::<3, 9>()).to_vec()
    }

    fn stream_fixed(&self) -> Option<Vec<f32>> {
        let mut state = VarLenState::default();
        let mut all = Vec::new();
        for x in &input::<3, 9>() {
            all.extend(self.step(&mut state, x));
        }
        Some(all)
    }
}

impl Run for Causal {
    fn forward_fixed(&self) -> Vec<f32> {
        let mut out = [[0.0; 1]; 9];
        self.forward(&input::<2, 9>(), &mut out)
            .expect("one output per timestep");
        out.concat()
    }

    fn stream_fixed(&self) -> Option<Vec<f32>> {
        let mut state = CausalState::default();
        let mut all = Vec::new();
        for x in &input::<2, 9>() {
            all.extend(self.step(&mut state, x));
        }
        Some(all)
    }
}

impl Run for Slid {
    fn forward_fixed(&self) -> Vec<f32> {
        self.forward(&input::<2, 9>()).to_vec()
    }

    /// An output each time a window completes; `forward`'s is the last of them.
    fn stream_fixed(&self) -> Option<Vec<f32>> {
        let mut state = SlidState::default();
        let mut all = Vec::new();
        for x in &input::<2, 9>() {
            all.extend(self.step(&mut state, x).into_iter().flatten());
        }
        Some(all)
    }
}

impl Run for Tokens {
    /// Ids in range and out of it (which `forward` maps to zeros), zeros (masked) between.
    fn forward_fixed(&self) -> Vec<f32> {
        self.forward(&[3, 0, 99, 100, 0, 7, u32::MAX]).to_vec()
    }

    fn stream_fixed(&self) -> Option<Vec<f32>> {
        let mut state = TokensState::default();
        let mut all = Vec::new();
        for id in [3, 0, 99, 100, 0, 7, u32::MAX] {
            all.extend(self.step(&mut state, id));
        }
        Some(all)
    }
}

/// The layers `M` expects of a file.
fn expected<M: tinyrnn::Model>() -> Vec<ExpectedLayer> {
    keras::expected_layers(&M::summary())
}

/// Weights a loader accepted for `M`: they must build it, and it must run.
fn accept<M: Run>(flat: &[f32]) {
    let net = M::from_flat(flat).unwrap_or_else(|e| {
        panic!(
            "the loader accepted {} weights for a model of {}: {e}",
            flat.len(),
            M::PARAMS
        )
    });
    let out = net.forward_fixed();
    if let Some(streamed) = net.stream_fixed() {
        assert_streams_as_forward(&out, &streamed);
    }
}

/// Equal bit for bit, any NaN equal to any NaN.
fn assert_same_bits(a: &[f32], b: &[f32], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (x, y) in a.iter().zip(b) {
        assert!(
            x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()),
            "{what}: {a:?} != {b:?}"
        );
    }
}

/// A Keras file (`.keras`, `.weights.h5`, legacy `.h5`) from memory: what
/// `Net::from_keras_bytes` runs for each fixture architecture, then what `tinyrnn inspect`
/// runs on the file's own config.
///
/// Returns how many of the fixture architectures took the file's weights.
pub fn keras_bytes(data: &[u8]) -> usize {
    let Ok(file) = keras::read(data) else {
        return 0;
    };
    let mut accepted = 0;
    macro_rules! each {
        ($($model:ident),*) => {$(
            if let Ok(flat) = keras::weights_for(&file, &expected::<$model>()) {
                accept::<$model>(&flat);
                accepted += 1;
            }
        )*};
    }
    each!(
        Rnn, Stacked, Bidi, GruBefore, Drops, NoBias, Mixed, VarLen, Notebook, Relus, Statistics,
        Reshaped, Tokens, Windows, Causal, Resampled, Slid
    );
    if let Some(config) = &file.config
        && let Ok(layers) = keras::expected_from_config(config)
        && let Ok(flat) = keras::weights_for(&file, &layers)
    {
        let want: usize = layers
            .iter()
            .flat_map(|l| &l.weights)
            .map(|(_, shape)| shape.iter().product::<usize>())
            .sum();
        assert_eq!(
            flat.len(),
            want,
            "weights_for and the config's shapes disagree"
        );
        let _ = keras::dsl::to_dsl(config, "Net");
    }
    accepted
}

/// A model config (`config.json` of a `.keras` file, a legacy file's `model_config`) as
/// `tinyrnn inspect` reads it: parsed (a Functional graph reduced to its chain), its
/// layers' weight shapes, its `model!` text. Returns 1 when the config reads as a model.
pub fn keras_config(data: &[u8]) -> usize {
    let Ok(text) = std::str::from_utf8(data) else {
        return 0;
    };
    let Ok(config) = keras::config::parse(text) else {
        return 0;
    };
    let _ = keras::expected_from_config(&config);
    let _ = keras::dsl::to_dsl(&config, "Net");
    1
}

/// A `.safetensors` state dict from memory, as `Net::from_torch_bytes` and
/// `tinyrnn inspect` read it. Returns how many of the fixture architectures took it.
pub fn safetensors_bytes(data: &[u8]) -> usize {
    torch::read_safetensors(data).map_or(0, |dict| state_dict(&dict))
}

/// A `torch.save` file: `read_pt` reads only from a path, so the bytes go to a file first.
pub fn pt_bytes(data: &[u8]) -> usize {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let path: PathBuf = std::env::temp_dir().join(format!(
        "tinyrnn-fuzz-{}-{}.pt",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let accepted = if std::fs::write(&path, data).is_ok() {
        pt_file(&path)
    } else {
        0
    };
    let _ = std::fs::remove_file(&path);
    accepted
}

/// A `torch.save` file at `path`.
pub fn pt_file(path: &Path) -> usize {
    torch::read_pt(path).map_or(0, |dict| state_dict(&dict))
}

fn state_dict(dict: &torch::StateDict) -> usize {
    let mut accepted = 0;
    macro_rules! each {
        ($($model:ident),*) => {$(
            if let Ok(flat) = torch::weights_for(dict, &expected::<$model>()) {
                accept::<$model>(&flat);
                accepted += 1;
            }
        )*};
    }
    each!(
        TorchRnn,
        TorchGru,
        TorchLstm2,
        TorchBidi2,
        TorchNoBias,
        VarLen
    );
    let _ = dict.params();
    // `tinyrnn inspect`: the architecture the shapes imply, then its weights.
    if let Ok((config, _notes)) = torch::infer_config(dict)
        && let Ok(layers) = keras::expected_from_config(&config)
    {
        let _ = torch::weights_for(dict, &layers);
        let _ = keras::dsl::to_dsl(&config, "Net");
    }
    accepted
}

/// Little-endian `f32` weight blobs (`tinyrnn convert`'s output): the bytes as given, which
/// load only at the model's exact size, and the bytes repeated to that size, which always
/// load, as whatever values they spell (NaN and infinities included).
pub fn blob(data: &[u8]) {
    fn one<M: Run, E>(data: &[u8], from_le_slice: fn(&[u8]) -> Result<M, E>) {
        let size = 4 * M::PARAMS;
        assert_eq!(
            from_le_slice(data).is_ok(),
            data.len() == size,
            "blob of {}",
            data.len()
        );
        if data.is_empty() {
            return;
        }
        let bytes: Vec<u8> = data.iter().copied().cycle().take(size).collect();
        let Ok(net) = from_le_slice(&bytes) else {
            panic!("a blob of the exact size does not load");
        };
        let floats: Vec<f32> = bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert!(
            M::from_flat(&floats[1..]).is_err(),
            "one weight short loads"
        );
        let same = M::from_flat(&floats).expect("the blob's values load");
        let out = net.forward_fixed();
        assert_same_bits(&out, &same.forward_fixed(), "from_le_slice and from_flat");
        if let Some(streamed) = net.stream_fixed() {
            assert_streams_as_forward(&out, &streamed);
        }
    }
    one::<Rnn, _>(data, Rnn::from_le_slice);
    one::<Stacked, _>(data, Stacked::from_le_slice);
    one::<Bidi, _>(data, Bidi::from_le_slice);
    one::<GruBefore, _>(data, GruBefore::from_le_slice);
    one::<NoBias, _>(data, NoBias::from_le_slice);
    one::<Mixed, _>(data, Mixed::from_le_slice);
    one::<VarLen, _>(data, VarLen::from_le_slice);
}
