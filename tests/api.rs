//! The generated API's contract beyond Keras numbers: the seed's own syntax, defaults,
//! errors as values, several models in one module, and the `Model` trait.

use tinyrnn::Error;

// The founding question's form, verbatim: no header, no trailing `;`. Without a header the
// struct is the private `Model`, so its tests live beside it.
mod seed_form {
    use super::*;

    tinyrnn::model! { input [50,3]; simple_rnn(2); dense(1) }

    #[test]
    fn header_less_model_is_named_model() {
        assert_eq!(Model::PARAMS, 15);
        assert_eq!(Model::LAYER_PARAMS, [12, 3]);
        let _: ModelState = ModelState::new();
        assert_eq!(Model::summary().name, "Model");
    }

    #[test]
    fn shape_consts_describe_input_and_output() {
        assert_eq!(Model::TIMESTEPS, Some(50));
        assert_eq!(Model::FEATURES, 3);
        assert_eq!(Model::OUTPUT_UNITS, 1);
        assert_eq!(
            [Model::RETURNS_SEQUENCES, Second::RETURNS_SEQUENCES],
            [false, true]
        );
    }

    #[test]
    fn wrong_weight_count_is_an_error_that_says_expected_and_found() {
        let err = Model::from_flat(&[0.0; 14]).unwrap_err();
        assert_eq!(
            err,
            Error::WeightCount {
                expected: 15,
                found: 14
            }
        );
        assert_eq!(
            err.to_string(),
            "wrong number of weights: expected 15 f32 values, found 14"
        );
        assert!(Model::from_flat(&[0.0; 22]).is_err());
        assert!(Model::from_flat(&[]).is_err());
    }

    #[test]
    fn zeroed_model_equals_loading_zeros() {
        let zeros = Model::from_flat(&[0.0; 15]).unwrap();
        assert_eq!(zeros, Model::zeroed());
        assert_eq!(zeros, Model::ZERO);
        // All weights zero: tanh(0) = 0 at every step, then a zero dense layer.
        assert_eq!(zeros.forward(&[[1.0; 3]; 50]), [0.0]);
    }

    #[test]
    fn weights_land_in_keras_order() {
        // kernel (3, 2), recurrent_kernel (2, 2), bias (2,), dense kernel (2, 1), dense bias (1,)
        let w: Vec<f32> = (0..15).map(|i| i as f32).collect();
        let net = Model::from_flat(&w).unwrap();
        // Keras kernel[i][j] = w[i * 2 + j]; ours is its transpose.
        assert_eq!(net.simple_rnn.kernel[(1, 2)], 5.0);
        assert_eq!(net.simple_rnn.recurrent_kernel[(0, 1)], 8.0);
        assert_eq!(net.simple_rnn.bias.as_slice(), &[10.0, 11.0]);
        assert_eq!(net.dense.kernel.as_slice(), &[12.0, 13.0]);
        assert_eq!(net.dense.bias.as_slice(), &[14.0]);
    }

    #[test]
    fn struct_is_exactly_its_weights_and_state_its_hidden_values() {
        assert_eq!(core::mem::size_of::<Model>(), 4 * 15);
        assert_eq!(core::mem::size_of::<ModelState>(), 4 * 2);
    }

    #[test]
    fn summary_answers_the_founding_question() {
        let text = Model::summary().to_string();
        assert!(
            text.contains(
                "simple_rnn: kernel (3, 2) + recurrent_kernel (2, 2) + bias (2,) = 12 = h*(d+h)+h, d=3, h=2"
            ),
            "{text}"
        );
        assert!(
            text.contains("dense: kernel (2, 1) + bias (1,) = 3 = d*u+u, d=2, u=1"),
            "{text}"
        );
        assert!(text.contains(" Total params: 15 (60.00 B)"), "{text}");
    }
}

// Several models in one module, each with its own struct and state type.
tinyrnn::model! {
    /// A first model, with an attribute that passes through.
    #[repr(C)]
    pub struct First;
    input [4, 2];
    simple_rnn(3);
}

tinyrnn::model! {
    pub(crate) struct Second
    input [_, 2]
    simple_rnn(3, return_sequences = true)
    dense(1)
    params 22
}

// Semicolons optional between statements too; activation as a Keras-style string.
tinyrnn::model! {
    struct Strings;
    input [3, 1];
    dense(2, activation = "relu");
}

// Weights built at compile time into a `static`: read-only memory, no RAM copy.
static FLASH: Strings = Strings::from_le_bytes(&[
    0x00, 0x00, 0x80, 0x3f, // kernel[0][0] = 1.0
    0x00, 0x00, 0x80, 0xbf, // kernel[0][1] = -1.0
    0x00, 0x00, 0x00, 0x00, // bias[0] = 0.0
    0x00, 0x00, 0x00, 0x40, // bias[1] = 2.0
]);

#[test]
fn const_weights_from_le_bytes() {
    assert_eq!(FLASH, Strings::from_flat(&[1.0, -1.0, 0.0, 2.0]).unwrap());
    assert_eq!(FLASH.forward(&[[3.0]; 3]), [[3.0, 0.0]; 3]);
    assert_eq!(
        Strings::from_le_slice(&[0; 15]),
        Err(Error::ByteCount {
            expected: 16,
            found: 15
        })
    );
}

#[test]
fn state_and_model_sizes() {
    assert_eq!(core::mem::size_of::<StringsState>(), 0);
    assert_eq!(core::mem::size_of::<Second>(), 4 * Second::PARAMS);
    assert_eq!(core::mem::size_of::<SecondState>(), 4 * 3);
    assert_eq!(Second::TIMESTEPS, None);
}

#[test]
fn sequence_output_buffer_of_the_wrong_length_is_an_error() {
    let net = Second::from_flat(&[0.5; 22]).unwrap();
    let x = [[1.0, 2.0]; 4];
    let mut out = [[7.0; 1]; 3];
    assert_eq!(
        net.forward(&x, &mut out),
        Err(Error::OutputLength {
            expected: 4,
            found: 3
        })
    );
    assert_eq!(out, [[7.0]; 3], "out is untouched on error");
    let mut out = [[0.0; 1]; 4];
    net.forward(&x, &mut out).unwrap();
}

#[test]
fn empty_sequences_are_fine() {
    let mut out: [[f32; 1]; 0] = [];
    let net = Second::from_flat(&[0.5; 22]).unwrap();
    net.forward(&[], &mut out).unwrap();
    // Nothing read: a model with no timesteps and a zero state gives its zero-state output.
    let first = First::from_flat(&[0.5; First::PARAMS]).unwrap();
    assert_eq!(First::PARAMS, 3 * (2 + 3) + 3);
    let y = first.forward(&[[0.0; 2]; 4]);
    assert!(y.iter().all(|v| v.is_finite()));
}

#[test]
fn string_activation_is_keras_relu() {
    // kernel (1, 2) = [1, -1], bias 0: relu(x), relu(-x) per timestep.
    let net = Strings::from_flat(&[1.0, -1.0, 0.0, 0.0]).unwrap();
    assert_eq!(
        net.forward(&[[2.0], [-3.0], [0.0]]),
        [[2.0, 0.0], [0.0, 3.0], [0.0, 0.0]]
    );
}

#[test]
fn model_trait_matches_inherent_items() {
    fn via_trait<M: tinyrnn::Model>(w: &[f32]) -> (usize, Result<M, Error>) {
        (M::PARAMS, M::from_flat(w))
    }
    let (params, net) = via_trait::<Second>(&[0.0; 22]);
    assert_eq!(params, Second::PARAMS);
    assert_eq!(net.unwrap(), Second::ZERO);
    assert_eq!(<Second as tinyrnn::Model>::summary(), Second::summary());
}

#[test]
fn error_is_a_std_error() {
    let e: Box<dyn std::error::Error> = Box::new(Error::WeightCount {
        expected: 1,
        found: 0,
    });
    assert!(e.to_string().contains("expected 1"));
}

// Alignment: as far as the size allows with no padding, and `Aligned` for the rest.
tinyrnn::model! {
    /// 4 * (16 * (16 + 16) + 16) = 2112 weights, 8448 bytes: a multiple of 64.
    pub struct Lstm16; input [_, 16]; lstm(16); params 2112;
}

tinyrnn::model! {
    /// The same with a dense(1) head: 2129 weights, 8516 bytes (= 4 * 2129, odd).
    pub struct Lstm16Head; input [_, 16]; lstm(16); dense(1); params 2129;
}

#[test]
fn models_are_aligned_as_far_as_their_size_allows() {
    use core::mem::{align_of, size_of};
    assert_eq!((align_of::<Lstm16>(), size_of::<Lstm16>()), (64, 8448));
    assert_eq!(
        (align_of::<Lstm16Head>(), size_of::<Lstm16Head>()),
        (4, 8516)
    );
    // simple_rnn(3) on 2 features: 18 weights, 72 bytes = 8 * 9.
    assert_eq!((align_of::<First>(), size_of::<First>()), (8, 72));
    let boxed = Lstm16::boxed_from_flat(&[0.0; 2112]).expect("weights");
    assert_eq!((&raw const *boxed) as usize % 64, 0);
}

#[test]
fn aligned_wraps_any_model_at_a_cache_line() {
    let w: Vec<f32> = (0..Lstm16Head::PARAMS)
        .map(|i| (i % 7) as f32 * 0.01)
        .collect();
    let plain = Lstm16Head::from_flat(&w).expect("weights");
    let aligned = Box::new(tinyrnn::Aligned(plain.clone()));
    assert_eq!((&raw const aligned.0) as usize % 64, 0);
    let x = [[0.5_f32; 16]; 3];
    // Same model, same numbers, through `Deref`.
    assert_eq!(aligned.forward(&x), plain.forward(&x));
}

tinyrnn::model! { pub struct SoftmaxAxis; input [3, 2]; dense(3); softmax(axis = -1) }
tinyrnn::model! { pub struct SoftmaxDefault; input [3, 2]; dense(3); softmax() }

/// `softmax(axis = -1)` is Keras's default written out: the same layer as `softmax()`.
#[test]
fn softmax_axis_minus_one_is_the_default() {
    let w: Vec<f32> = (0..SoftmaxAxis::PARAMS)
        .map(|i| i as f32 / 10.0 - 0.3)
        .collect();
    let x = [[0.5, -1.0], [2.0, 0.25], [-0.75, 1.5]];
    let a = SoftmaxAxis::from_flat(&w).unwrap().forward(&x);
    let b = SoftmaxDefault::from_flat(&w).unwrap().forward(&x);
    assert_eq!(a, b);
    for row in a {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-6, "{row:?}");
    }
    assert_eq!(SoftmaxAxis::summary().layers[1].kind, "Softmax");
}
