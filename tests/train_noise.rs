//! Dropout and the noise layers in training mode (issue 16): `backward_training` (what
//! `fit` calls) draws their masks and noise from a seeded `Noise` and takes the gradient
//! through what it drew, while `backward` and `forward` keep them the identity. Keras draws
//! from TensorFlow's generators, which tinyrnn does not reproduce, so the draws are checked
//! against their definitions and the gradient against finite differences of the same
//! draws (a seed gives the same draws whatever the weights).

use tinyrnn::train::{FitOptions, Loss, Noise, Optimizer, Train, fit};

tinyrnn::model! {
    /// Dropout between recurrent layers, Gaussian noise on the last vector.
    struct Stacked;
    input [6, 3];
    simple_rnn(4, return_sequences = true);
    dropout(0.5);
    lstm(3);
    gaussian_noise(0.3);
    dense(2);
}

tinyrnn::model! {
    /// A mask per channel for the sequence, then multiplicative and SELU-style noise.
    struct Noisy;
    input [5, 2];
    spatial_dropout1d(0.4);
    gru(3, return_sequences = true);
    gaussian_dropout(0.3);
    alpha_dropout(0.2);
    dense(1);
}

tinyrnn::model! {
    /// Rates of zero: Keras skips the layers.
    struct Zero;
    input [4, 2];
    dropout(0.0);
    simple_rnn(3);
    gaussian_noise(0.0);
    dense(1);
}

fn values(n: usize, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    (0..n).map(|_| noise.uniform() - 0.5).collect()
}

/// `backward_training`'s gradient against central differences of its loss, the draws
/// fixed by the seed.
fn check_against_differences<M: Train>(x: &M::Input, y: &M::Target, seed: u64) {
    let weights = values(M::PARAMS, 11);
    let net = M::from_flat(&weights).unwrap();
    let loss_at = |w: &[f32]| {
        let net = M::from_flat(w).unwrap();
        let mut scratch = M::ZERO;
        net.backward_training(
            x,
            y,
            Loss::MeanSquaredError,
            &mut scratch,
            &mut Noise::new(seed),
        )
    };
    let mut grads = M::ZERO;
    let value = net.backward_training(
        x,
        y,
        Loss::MeanSquaredError,
        &mut grads,
        &mut Noise::new(seed),
    );
    assert_eq!(
        value,
        loss_at(&weights),
        "the same draws give the same loss"
    );
    let mut plain = M::ZERO;
    let inference = net.backward(x, y, Loss::MeanSquaredError, &mut plain);
    assert_ne!(value, inference, "training mode draws noise");
    let mut analytic = vec![0.0_f32; M::PARAMS];
    grads.write_flat(&mut analytic).unwrap();
    let largest = analytic.iter().fold(0.0_f32, |m, g| m.max(g.abs()));
    assert!(largest > 1e-3);
    // Steps of 1e-2 on weights of at most 0.5: truncation ~1e-4 relative, rounding of
    // the f32 loss ~1e-7 / 1e-2; the tolerance sits above both.
    let h = 1e-2_f32;
    let mut worst = 0.0_f32;
    for k in 0..weights.len() {
        let (mut up, mut down) = (weights.clone(), weights.clone());
        up[k] += h;
        down[k] -= h;
        let numeric = (loss_at(&up) - loss_at(&down)) / (2.0 * h);
        worst = worst.max((numeric - analytic[k]).abs() / largest);
    }
    assert!(
        worst < 2e-3,
        "worst difference {worst} of the largest gradient {largest}"
    );
}

#[test]
fn dropout_and_gaussian_noise_gradients_follow_their_draws() {
    let x: [[f32; 3]; 6] =
        core::array::from_fn(|t| core::array::from_fn(|f| values(18, 3)[t * 3 + f]));
    check_against_differences::<Stacked>(&x, &[0.3, -0.2], 5);
}

#[test]
fn spatial_gaussian_and_alpha_dropout_gradients_follow_their_draws() {
    let x: [[f32; 2]; 5] =
        core::array::from_fn(|t| core::array::from_fn(|f| values(10, 4)[t * 2 + f]));
    let y: [[f32; 1]; 5] = core::array::from_fn(|t| [values(5, 6)[t]]);
    check_against_differences::<Noisy>(&x, &y, 9);
}

#[test]
fn rates_of_zero_are_the_identity_in_training_too() {
    let net = Zero::from_flat(&values(Zero::PARAMS, 2)).unwrap();
    let x: [[f32; 2]; 4] =
        core::array::from_fn(|t| core::array::from_fn(|f| values(8, 7)[t * 2 + f]));
    let (mut a, mut b) = (Zero::ZERO, Zero::ZERO);
    let trained = net.backward_training(
        &x,
        &[0.5],
        Loss::MeanSquaredError,
        &mut a,
        &mut Noise::new(1),
    );
    let plain = net.backward(&x, &[0.5], Loss::MeanSquaredError, &mut b);
    assert_eq!((trained, a.to_flat()), (plain, b.to_flat()));
}

#[test]
fn draws_follow_keras_definitions() {
    use tinyrnn::train::noise_layers::{
        alpha_dropout, dropout, gaussian_dropout, gaussian_noise, spatial_mask,
    };
    const N: usize = 20_000;
    let filled = |x: f32| -> Box<[f32; N]> { vec![x; N].into_boxed_slice().try_into().unwrap() };
    let mut noise = Noise::new(42);
    #[allow(clippy::cast_precision_loss, reason = "a count of samples")]
    let mean = |v: &[f32]| v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
    #[allow(clippy::cast_precision_loss, reason = "a count of samples")]
    let var = |v: &[f32]| {
        let m = mean(v);
        v.iter().map(|x| (f64::from(*x) - m).powi(2)).sum::<f64>() / v.len() as f64
    };
    // Dropout: a fraction `rate` zeroed, the rest scaled by 1 / (1 - rate): mean kept.
    let (mut v, mut f) = (filled(1.0), filled(0.0));
    dropout(&mut v, 0.3, &mut noise, &mut f);
    #[allow(clippy::cast_precision_loss, reason = "a count of samples")]
    let dropped = v.iter().filter(|x| **x == 0.0).count() as f64 / N as f64;
    assert!((dropped - 0.3).abs() < 0.015, "{dropped}");
    assert!((mean(&v[..]) - 1.0).abs() < 0.03);
    // Gaussian noise: mean 0, deviation stddev, gradient factor 1.
    let (mut v, mut f) = (filled(0.0), filled(0.0));
    gaussian_noise(&mut v, 0.5, &mut noise, &mut f);
    assert!(mean(&v[..]).abs() < 0.02 && (var(&v[..]).sqrt() - 0.5).abs() < 0.02);
    assert!(f.iter().all(|x| *x == 1.0));
    // Gaussian dropout: factor of mean 1 and deviation sqrt(rate / (1 - rate)).
    let (mut v, mut f) = (filled(1.0), filled(0.0));
    gaussian_dropout(&mut v, 0.2, &mut noise, &mut f);
    assert!((mean(&v[..]) - 1.0).abs() < 0.02 && (var(&v[..]).sqrt() - 0.5).abs() < 0.02);
    assert_eq!(v, f);
    // Alpha dropout keeps a standard normal input's mean 0 and variance 1 (its purpose).
    let (mut v, mut f) = (filled(0.0), filled(0.0));
    for x in v.iter_mut() {
        *x = noise.normal();
    }
    alpha_dropout(&mut v, 0.2, &mut noise, &mut f);
    let (m, s2) = (mean(&v[..]), var(&v[..]));
    assert!(m.abs() < 0.03 && (s2 - 1.0).abs() < 0.05, "{m} {s2}");
    // Spatial dropout: one factor per channel, 0 or 1 / (1 - rate).
    let mask: [f32; 1000] = spatial_mask(0.5, &mut noise);
    assert!(mask.iter().all(|x| *x == 0.0 || *x == 2.0));
}

#[test]
fn fit_trains_through_dropout_and_is_repeatable() {
    let xs: Vec<[[f32; 3]; 6]> = (0..16)
        .map(|i| core::array::from_fn(|t| core::array::from_fn(|f| values(18, 100 + i)[t * 3 + f])))
        .collect();
    let ys: Vec<[f32; 2]> = xs.iter().map(|x| [x[5][0], x[4][1]]).collect();
    let start = Stacked::from_flat(&values(Stacked::PARAMS, 12)).unwrap();
    let options = FitOptions {
        loss: Loss::MeanSquaredError,
        optimizer: Optimizer::adam(0.02),
        epochs: 20,
        batch_size: 4,
        verbose: false,
        seed: 3,
        ..Default::default()
    };
    let (mut a, mut b) = (start.clone(), start.clone());
    let (first, second) = (
        fit(&mut a, &xs, &ys, &options),
        fit(&mut b, &xs, &ys, &options),
    );
    assert_eq!(first, second, "a seed gives the same run");
    assert_eq!(a.to_flat(), b.to_flat());
    assert!(first.loss[19] < first.loss[0] * 0.8, "{:?}", first.loss);
    let mut c = start.clone();
    let other = fit(
        &mut c,
        &xs,
        &ys,
        &FitOptions {
            seed: 4,
            ..options.clone()
        },
    );
    assert_ne!(other.loss, first.loss, "another seed draws other masks");
}
