//! `backward` on a model of any length (`input [_, F]`) against the same model declared
//! with a fixed length: the same loss and gradients, bit for bit, at several lengths, in
//! inference and in training mode (the same draws); `fit` on samples of their own lengths.
//! Keras's own gradients for such models are in `tests/train.rs` (`any_length_gradients`).

use tinyrnn::train::{FitOptions, Loss, Noise, Optimizer, fit};

/// Deterministic weights in [-0.4, 0.4], and inputs in [-1, 1] (some timesteps all zero,
/// which a `masking()` skips).
fn numbers(n: usize, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    (0..n).map(|_| noise.uniform() * 2.0 - 1.0).collect()
}

/// A model of any length and its fixed-length twins (`$fixed` timesteps each).
macro_rules! twins {
    ($name:ident, $loss:expr, [$($fixed:ident = $t:literal),+], $output:ident, $layers:tt) => {
        mod $name {
            use super::*;

            twins!(@model Any, [_, 3], $layers);
            $( twins!(@model $fixed, [$t, 3], $layers); )+

            #[test]
            fn gradients_equal_the_fixed_length_models() {
                let weights: Vec<f32> = numbers(Any::PARAMS, 1).iter().map(|w| w * 0.4).collect();
                let any = Any::from_flat(&weights).unwrap();
                $(
                    let fixed = $fixed::from_flat(&weights).unwrap();
                    let mut x = [[0.0_f32; 3]; $t];
                    for (row, v) in x.iter_mut().zip(numbers($t * 3, $t).chunks(3)) {
                        row.copy_from_slice(v);
                    }
                    if let Some(row) = x.get_mut(1) {
                        *row = [0.0; 3];
                    }
                    let y = numbers(twins!(@len $output, $fixed) * Any::OUTPUT_UNITS, 99);
                    let y: Vec<f32> = y.iter().map(|v| v.abs()).collect();
                    for training in [false, true] {
                        let (mut a, mut f) = (Any::ZERO, $fixed::ZERO);
                        let (mut na, mut nf) = (Noise::new(5), Noise::new(5));
                        let (la, lf) = twins!(@run $output, training, any, fixed, x, y, $loss, a, f, na, nf, $fixed);
                        assert_eq!(la.to_bits(), lf.to_bits(), "{} timesteps, training {training}", $t);
                        assert_eq!(a.to_flat(), f.to_flat(), "{} timesteps, training {training}", $t);
                        assert!(a.to_flat().iter().any(|g| *g != 0.0));
                    }
                )+
            }
        }
    };
    (@model $model:ident, $input:tt, { $($layers:tt)* }) => {
        tinyrnn::model! { pub struct $model; input $input; $($layers)* }
    };
    (@len vector, $fixed:ident) => { 1 };
    (@len sequence, $fixed:ident) => { $fixed::OUTPUT_TIMESTEPS.unwrap() };
    (@run vector, $training:ident, $any:ident, $fixed:ident, $x:ident, $y:ident, $loss:expr,
     $a:ident, $f:ident, $na:ident, $nf:ident, $ty:ident) => {{
        let y: [f32; Any::OUTPUT_UNITS] = $y[..].try_into().unwrap();
        if $training {
            (
                $any.backward_training(&$x[..], &y, $loss, &mut $a, &mut $na),
                $fixed.backward_training(&$x, &y, $loss, &mut $f, &mut $nf),
            )
        } else {
            ($any.backward(&$x[..], &y, $loss, &mut $a), $fixed.backward(&$x, &y, $loss, &mut $f))
        }
    }};
    (@run sequence, $training:ident, $any:ident, $fixed:ident, $x:ident, $y:ident, $loss:expr,
     $a:ident, $f:ident, $na:ident, $nf:ident, $ty:ident) => {{
        let y: Vec<[f32; Any::OUTPUT_UNITS]> =
            $y.chunks(Any::OUTPUT_UNITS).map(|c| c.try_into().unwrap()).collect();
        let fixed_y: [[f32; Any::OUTPUT_UNITS]; { $ty::OUTPUT_TIMESTEPS.unwrap() }] =
            y.clone().try_into().unwrap();
        if $training {
            (
                $any.backward_training(&$x[..], &y, $loss, &mut $a, &mut $na),
                $fixed.backward_training(&$x, &fixed_y, $loss, &mut $f, &mut $nf),
            )
        } else {
            (
                $any.backward(&$x[..], &y, $loss, &mut $a),
                $fixed.backward(&$x, &fixed_y, $loss, &mut $f),
            )
        }
    }};
}

twins!(
    simple_rnn,
    Loss::MeanSquaredError,
    [T1 = 1, T4 = 4, T13 = 13],
    vector,
    {
        simple_rnn(3);
        dense(2);
    }
);
twins!(
    lstm_stack,
    Loss::MeanAbsoluteError,
    [T2 = 2, T9 = 9],
    vector,
    {
        lstm(4, return_sequences = true);
        lstm(3);
        dense(1);
    }
);
twins!(
    gru_sequences,
    Loss::BinaryCrossentropy,
    [T3 = 3, T8 = 8],
    sequence,
    {
        gru(3, reset_after = false, return_sequences = true);
        dense(2, activation = sigmoid);
    }
);
twins!(
    go_backwards,
    Loss::MeanSquaredError,
    [T5 = 5, T7 = 7],
    sequence,
    {
        gru(3, go_backwards = true, return_sequences = true);
        simple_rnn(2, return_sequences = true);
    }
);
twins!(
    bidirectional,
    Loss::CategoricalCrossentropy,
    [T3 = 3, T6 = 6],
    vector,
    {
        bidirectional(lstm(3), merge_mode = ave);
        dense(3, activation = softmax);
    }
);
twins!(
    masked,
    Loss::MeanSquaredError,
    [T4 = 4, T10 = 10],
    sequence,
    {
        masking();
        lstm(3, return_sequences = true);
        time_distributed(dense(2));
    }
);
twins!(
    masked_backwards,
    Loss::MeanSquaredError,
    [T4 = 4, T6 = 6],
    vector,
    {
        masking();
        gru(3, go_backwards = true);
        dense(1);
    }
);
twins!(
    later_mask,
    Loss::MeanSquaredError,
    [T4 = 4, T7 = 7],
    vector,
    {
        dense(2, use_bias = false);
        masking();
        gru(3);
        dense(1);
    }
);
twins!(
    noise_and_norms,
    Loss::MeanSquaredError,
    [T6 = 6, T11 = 11],
    vector,
    {
        gaussian_noise(0.2);
        layer_normalization();
        dense(4, activation = tanh);
        dropout(0.3);
        simple_rnn(4, return_sequences = true);
        spatial_dropout1d(0.2);
        prelu(shared_axes = [1]);
        gru(2);
        alpha_dropout(0.1);
        dense(2);
    }
);
twins!(
    repeat_vector,
    Loss::MeanSquaredError,
    [T3 = 3, T7 = 7],
    vector,
    {
        lstm(3);
        repeat_vector(4);
        gru(2);
        dense(1);
    }
);

mod tokens {
    use super::*;

    tinyrnn::model! { pub struct Any; input [_]; embedding(9, 3, mask_zero = true); lstm(3); dense(2); }
    tinyrnn::model! { pub struct Fixed; input [6]; embedding(9, 3, mask_zero = true); lstm(3); dense(2); }

    #[test]
    fn gradients_equal_the_fixed_length_model() {
        let weights = numbers(Any::PARAMS, 3);
        let (any, fixed) = (
            Any::from_flat(&weights).unwrap(),
            Fixed::from_flat(&weights).unwrap(),
        );
        let ids = [3_u32, 0, 8, 1, 0, 5];
        let (mut a, mut f) = (Any::ZERO, Fixed::ZERO);
        let la = any.backward(&ids[..], &[0.5, -0.25], Loss::MeanSquaredError, &mut a);
        let lf = fixed.backward(&ids, &[0.5, -0.25], Loss::MeanSquaredError, &mut f);
        assert_eq!(la.to_bits(), lf.to_bits());
        assert_eq!(a.to_flat(), f.to_flat());
    }
}

mod fitting {
    use super::*;

    tinyrnn::model! { pub struct Any; input [_, 3]; gru(4); dense(1); }
    tinyrnn::model! { pub struct Fixed; input [8, 3]; gru(4); dense(1); }

    fn options() -> FitOptions {
        FitOptions {
            loss: Loss::MeanSquaredError,
            optimizer: Optimizer::adam(0.01),
            epochs: 3,
            batch_size: 3,
            shuffle: true,
            verbose: false,
            validation_split: 0.25,
            ..Default::default()
        }
    }

    /// Samples of one length: `fit` on the model of any length is `fit` on the fixed one.
    #[test]
    fn fit_equals_the_fixed_length_model() {
        let weights = numbers(Any::PARAMS, 4);
        let (mut any, mut fixed) = (
            Any::from_flat(&weights).unwrap(),
            Fixed::from_flat(&weights).unwrap(),
        );
        let xs: Vec<[[f32; 3]; 8]> = (0..10)
            .map(|i| {
                let v = numbers(24, 10 + i);
                core::array::from_fn(|t| [v[3 * t], v[3 * t + 1], v[3 * t + 2]])
            })
            .collect();
        let ys: Vec<[f32; 1]> = xs.iter().map(|x| [x[7][0] * 0.5]).collect();
        let ragged: Vec<Vec<[f32; 3]>> = xs.iter().map(|x| x.to_vec()).collect();
        let a = fit(&mut any, &ragged, &ys, &options());
        let f = fit(&mut fixed, &xs, &ys, &options());
        assert_eq!(a, f);
        assert_eq!(any.to_flat(), fixed.to_flat());
    }

    /// Samples of their own lengths (the task: the sum of the first feature, however long).
    #[test]
    fn fit_learns_on_sequences_of_their_own_lengths() {
        let mut net = Any::from_flat(&numbers(Any::PARAMS, 6)).unwrap();
        let xs: Vec<Vec<[f32; 3]>> = (0..48_u64)
            .map(|i| {
                let t = 2 + usize::try_from(i % 9).unwrap();
                numbers(3 * t, 100 + i)
                    .chunks(3)
                    .map(|c| [c[0] * 0.3, c[1], c[2]])
                    .collect()
            })
            .collect();
        let ys: Vec<[f32; 1]> = xs.iter().map(|x| [x.iter().map(|r| r[0]).sum()]).collect();
        let history = fit(
            &mut net,
            &xs,
            &ys,
            &FitOptions {
                epochs: 30,
                batch_size: 8,
                validation_split: 0.0,
                ..options()
            },
        );
        let (first, last) = (history.loss[0], history.loss[29]);
        assert!(last < 0.5 * first, "loss {first} -> {last}");
    }
}

mod lengths {
    use super::*;

    tinyrnn::model! { pub struct Seq; input [_, 3]; lstm(2, return_sequences = true); }
    tinyrnn::model! { pub struct Last; input [_, 3]; lstm(2); }
    tinyrnn::model! { pub struct Seven; input [7, 3]; lstm(2, return_sequences = true); }

    #[test]
    #[should_panic(expected = "backward: the target has 2 timesteps, the output 3")]
    fn a_target_of_another_length_is_refused() {
        let mut grads = Seq::ZERO;
        let _ = Seq::ZERO.backward(
            &[[0.0; 3]; 3],
            &[[0.0; 2]; 2],
            Loss::MeanSquaredError,
            &mut grads,
        );
    }

    #[test]
    #[should_panic(expected = "backward: the input has no timesteps")]
    fn an_empty_input_is_refused() {
        let mut grads = Last::ZERO;
        let _ = Last::ZERO.backward(&[], &[0.0; 2], Loss::MeanSquaredError, &mut grads);
    }

    /// One tape for samples of many lengths: each call's result as with a fresh tape.
    #[test]
    fn a_reused_tape_gives_a_fresh_tapes_results() {
        let net = Seq::from_flat(&numbers(Seq::PARAMS, 8)).unwrap();
        let mut tape = SeqTape::ZERO;
        for t in [5, 2, 9, 1, 4] {
            let x: Vec<[f32; 3]> = numbers(3 * t, t as u64)
                .chunks(3)
                .map(|c| [c[0], c[1], c[2]])
                .collect();
            let y = vec![[0.25, -0.5]; t];
            let (mut a, mut b) = (Seq::ZERO, Seq::ZERO);
            let la = net.backward_in(&mut tape, &x, &y, Loss::MeanSquaredError, &mut a, None);
            let lb = net.backward(&x, &y, Loss::MeanSquaredError, &mut b);
            assert_eq!(la.to_bits(), lb.to_bits());
            assert_eq!(a.to_flat(), b.to_flat());
            assert_eq!(tape.lstm.len(), t);
        }
    }

    /// The tape grows by what a fixed-length model keeps per timestep.
    #[test]
    fn the_tape_grows_by_a_fixed_length_tapes_timestep() {
        assert_eq!(Seven::TAPE_BYTES, 7 * Seq::TAPE_BYTES_PER_STEP);
    }
}

/// Windows and poolings on a sequence of any length: `forward` slides them along it;
/// `backward` runs each over its whole input (as long as the windows make).
mod windows {
    use super::*;

    twins!(
        causal_stack,
        Loss::MeanSquaredError,
        [T2 = 2, T9 = 9],
        sequence,
        {
            conv1d(4, 3, padding = causal, dilation_rate = 2, activation = relu);
            conv1d(2, 2, padding = causal);
            lstm(2, return_sequences = true);
        }
    );
    twins!(
        valid_strides_pooling,
        Loss::MeanSquaredError,
        [T7 = 7, T12 = 12],
        vector,
        {
            conv1d(4, 3, strides = 2, activation = tanh);
            max_pooling1d(2);
            gru(3);
            dense(1);
        }
    );
    twins!(
        same_and_average,
        Loss::MeanAbsoluteError,
        [T5 = 5, T8 = 8],
        sequence,
        {
            conv1d(3, 4, padding = same, groups = 1, use_bias = false);
            average_pooling1d(3, strides = 1, padding = same);
            simple_rnn(2, return_sequences = true);
        }
    );
    twins!(
        strided_causal_global_max,
        Loss::MeanSquaredError,
        [T6 = 6, T11 = 11],
        vector,
        {
            conv1d(4, 2, strides = 3, padding = causal);
            global_max_pooling1d();
            dense(2);
        }
    );
    twins!(
        lstm_then_global_average,
        Loss::MeanSquaredError,
        [T3 = 3, T10 = 10],
        vector,
        {
            lstm(4, return_sequences = true);
            global_average_pooling1d();
            dense(1);
        }
    );
    twins!(
        masked_global_average,
        Loss::MeanSquaredError,
        [T4 = 4, T9 = 9],
        vector,
        {
            masking();
            gru(3, return_sequences = true);
            global_average_pooling1d();
            dense(1);
        }
    );
    twins!(
        pooling_first,
        Loss::MeanSquaredError,
        [T4 = 4, T8 = 8],
        vector,
        {
            average_pooling1d(2);
            conv1d(3, 2, padding = causal);
            gru(2);
            dense(1);
        }
    );

    tinyrnn::model! { pub struct Short; input [_, 3]; conv1d(2, 4); lstm(2); dense(1); }

    #[test]
    #[should_panic(expected = "backward: the input's 3 timesteps are too few for a window")]
    fn a_sequence_too_short_for_a_window_is_refused() {
        let mut grads = Short::ZERO;
        let _ = Short::ZERO.backward(&[[0.0; 3]; 3], &[0.0], Loss::MeanSquaredError, &mut grads);
    }
}
