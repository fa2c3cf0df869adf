//! The layers' backward passes (issue 16, in progress) against finite differences of the
//! same model computed in f64: a `simple_rnn` through time, then a `dense` on every
//! timestep, with several activations, under Keras's mean squared error.

use tinyrnn::activations::{Activation, Relu, Sigmoid, Tanh};
use tinyrnn::layers::{Dense, DenseTape, Layer, RnnTape, SimpleRnn};
use tinyrnn::nalgebra::SVector;
use tinyrnn::train::Loss;

const T: usize = 6;
const D: usize = 3;
const H: usize = 4;
const U: usize = 2;

fn values(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            #[allow(clippy::cast_precision_loss, reason = "24 random bits")]
            let u = (s >> 8) as f32 / (1u32 << 24) as f32;
            u - 0.5
        })
        .collect()
}

/// An activation in f64, for the reference.
fn act64(name: &str, z: f64) -> f64 {
    match name {
        "tanh" => z.tanh(),
        "sigmoid" => 1.0 / (1.0 + (-z).exp()),
        "relu" => z.max(0.0),
        other => panic!("{other}"),
    }
}

/// The loss of the model in f64: the simple_rnn (Keras kernel layouts: `kernel (d, h)`,
/// row-major) over the sequence, the dense on each of its outputs, MSE over all.
fn loss64(
    weights: &[f64],
    inputs: &[[f32; D]],
    targets: &[[f32; U]],
    rnn_act: &str,
    dense_act: &str,
) -> f64 {
    let (kernel, rest) = weights.split_at(D * H);
    let (recurrent, rest) = rest.split_at(H * H);
    let (bias, rest) = rest.split_at(H);
    let (dense_kernel, dense_bias) = rest.split_at(H * U);
    let mut state = [0.0_f64; H];
    let mut total = 0.0;
    for (xt, yt) in inputs.iter().zip(targets) {
        let mut pre = [0.0_f64; H];
        for (j, zj) in pre.iter_mut().enumerate() {
            *zj = bias[j]
                + (0..D)
                    .map(|i| f64::from(xt[i]) * kernel[i * H + j])
                    .sum::<f64>()
                + (0..H).map(|i| state[i] * recurrent[i * H + j]).sum::<f64>();
        }
        state = pre.map(|z| act64(rnn_act, z));
        for (u, target) in yt.iter().enumerate() {
            let z = dense_bias[u]
                + (0..H)
                    .map(|i| state[i] * dense_kernel[i * U + u])
                    .sum::<f64>();
            let diff = act64(dense_act, z) - f64::from(*target);
            total += diff * diff;
        }
    }
    #[allow(clippy::cast_precision_loss, reason = "small sizes")]
    let n = (T * U) as f64;
    total / n
}

fn check<RA: Activation, DA: Activation>(rnn_act: &str, dense_act: &str) {
    let rnn_w = values(D * H + H * H + H, 1);
    let dense_w = values(H * U + U, 2);
    let rnn = SimpleRnn::<D, H, H, RA>::from_flat(&rnn_w).unwrap();
    let dense = Dense::<H, U, U, DA>::from_flat(&dense_w).unwrap();
    let x: Vec<[f32; D]> = values(T * D, 3)
        .chunks(D)
        .map(|c| c.try_into().unwrap())
        .collect();
    let y: Vec<[f32; U]> = values(T * U, 4)
        .chunks(U)
        .map(|c| c.try_into().unwrap())
        .collect();

    // Forward, keeping the tapes; then the loss's gradient; then back through time.
    let mut h = SVector::<f32, H>::zeros();
    let (mut rnn_tapes, mut dense_tapes) = ([RnnTape::ZERO; T], [DenseTape::ZERO; T]);
    let mut outputs = Vec::new();
    for (t, xt) in x.iter().enumerate() {
        let v = rnn.step_train(&mut h, &SVector::from(*xt), &mut rnn_tapes[t]);
        outputs.extend(dense.step_train(&v, &mut dense_tapes[t]).iter());
    }
    let targets: Vec<f32> = y.concat();
    let mut dy = vec![0.0; T * U];
    let loss = Loss::MeanSquaredError.gradient(&targets, &outputs, U, &mut dy);
    let (mut rnn_grads, mut dense_grads) = (SimpleRnn::ZERO, Dense::ZERO);
    let mut dh_next = SVector::<f32, H>::zeros();
    for t in (0..T).rev() {
        let dyt = SVector::<f32, U>::from_column_slice(&dy[t * U..(t + 1) * U]);
        let dv = dense.backward(&dense_tapes[t], &dyt, &mut dense_grads);
        let (_, dh) = rnn.backward(&rnn_tapes[t], &(dv + dh_next), &mut rnn_grads);
        dh_next = dh;
    }

    // The reference: central differences of the f64 loss, weight by weight.
    let w64: Vec<f64> = rnn_w
        .iter()
        .chain(&dense_w)
        .map(|&w| f64::from(w))
        .collect();
    assert!((loss64(&w64, &x, &y, rnn_act, dense_act) - f64::from(loss)).abs() < 1e-5);
    let eps = 1e-6;
    let numeric: Vec<f64> = (0..w64.len())
        .map(|i| {
            let (mut up, mut down) = (w64.clone(), w64.clone());
            up[i] += eps;
            down[i] -= eps;
            (loss64(&up, &x, &y, rnn_act, dense_act) - loss64(&down, &x, &y, rnn_act, dense_act))
                / (2.0 * eps)
        })
        .collect();
    // Ours, in the same (Keras) order: kernels row-major `(d, h)`, i.e. our column j.
    let mut ours = Vec::new();
    for i in 0..D {
        ours.extend((0..H).map(|j| rnn_grads.kernel[(j, i)]));
    }
    for i in 0..H {
        ours.extend((0..H).map(|j| rnn_grads.recurrent_kernel[(j, i)]));
    }
    ours.extend(rnn_grads.bias.iter());
    for i in 0..H {
        ours.extend((0..U).map(|u| dense_grads.kernel[(u, i)]));
    }
    ours.extend(dense_grads.bias.iter());
    let largest = numeric.iter().fold(0.0_f64, |m, g| m.max(g.abs()));
    for (i, (o, n)) in ours.iter().zip(&numeric).enumerate() {
        assert!(
            (f64::from(*o) - n).abs() <= 1e-4 * largest,
            "{rnn_act}/{dense_act} weight {i}: backward {o}, finite differences {n}"
        );
    }
}

#[test]
fn simple_rnn_and_dense_gradients_match_finite_differences() {
    check::<Tanh, Sigmoid>("tanh", "sigmoid");
    check::<Relu, Tanh>("relu", "tanh");
    check::<Sigmoid, Relu>("sigmoid", "relu");
}

/// `step_train` keeps a tape but computes what `step` computes, bit for bit (its own
/// arithmetic, not a second call of `step`), for every recurrent layer and option.
#[test]
fn step_train_gives_step_s_bits() {
    use tinyrnn::activations::{HardSigmoid, Relu};
    use tinyrnn::layers::{Gru, GruTape, Lstm, LstmTape};

    fn input(t: usize) -> SVector<f32, 2> {
        #[allow(clippy::cast_precision_loss, reason = "a small timestep")]
        let t = t as f32;
        SVector::from([(t * 0.3).sin(), t.cos()])
    }
    macro_rules! same_bits {
        ($layer:ty, $tape:expr, $seed:literal) => {{
            let layer = <$layer>::from_flat(&values(<$layer>::PARAMS, $seed)).unwrap();
            let (mut a, mut b) = (<$layer>::INITIAL_STATE, <$layer>::INITIAL_STATE);
            let mut tape = $tape;
            for t in 0..20 {
                let (want, got) = (
                    layer.step(&mut a, &input(t)),
                    layer.step_train(&mut b, &input(t), &mut tape),
                );
                assert_eq!(
                    want.map(f32::to_bits),
                    got.map(f32::to_bits),
                    "{} t={t}",
                    stringify!($layer)
                );
            }
        }};
    }
    same_bits!(SimpleRnn<2, 3, 3, Tanh>, RnnTape::ZERO, 11);
    same_bits!(Lstm<2, 3, 12, 12, Tanh, Sigmoid>, LstmTape::ZERO, 12);
    same_bits!(Lstm<2, 3, 12, 0, Relu, HardSigmoid>, LstmTape::ZERO, 13);
    same_bits!(Gru<2, 3, 9, 2, true, Tanh, Sigmoid>, GruTape::ZERO, 14);
    same_bits!(Gru<2, 3, 9, 1, false, Tanh, Sigmoid>, GruTape::ZERO, 15);
    same_bits!(Gru<2, 3, 9, 0, false, Relu, HardSigmoid>, GruTape::ZERO, 16);
}
