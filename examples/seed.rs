//! The founding question, answered: why does Keras report 5, 12, 21 and 32 parameters for
//! `SimpleRNN(1..4)` on `input_shape=[50, 3]`?
//!
//! Each model below is declared in Rust, its parameter count is checked at compile time
//! (`params N`), its summary shows every weight array and the formula, and it runs with the
//! weights real Keras produced (tests/fixtures/keras/seed_rnn*.json), printing our output
//! beside Keras's.
//!
//! Run with `cargo run --example seed`.

use serde_json::Value;

tinyrnn::model! {
    /// `SimpleRNN(1)` then `Dense(1)`: 5 + 2 parameters.
    pub struct Rnn1;
    input [50, 3];
    simple_rnn(1);
    dense(1);
    params 7;
}

tinyrnn::model! {
    /// `SimpleRNN(2)` then `Dense(1)`: 12 + 3 parameters.
    pub struct Rnn2;
    input [50, 3];
    simple_rnn(2);
    dense(1);
    params 15;
}

tinyrnn::model! {
    /// `SimpleRNN(3)` then `Dense(1)`: 21 + 4 parameters.
    pub struct Rnn3;
    input [50, 3];
    simple_rnn(3);
    dense(1);
    params 25;
}

tinyrnn::model! {
    /// `SimpleRNN(4)` then `Dense(1)`: 32 + 5 parameters.
    pub struct Rnn4;
    input [50, 3];
    simple_rnn(4);
    dense(1);
    params 37;
}

/// The Keras weights, first input sequence and Keras's output for one seed model.
struct Reference {
    weights: Vec<f32>,
    input: [[f32; 3]; 50],
    output: f32,
}

fn reference(case: &str) -> Result<Reference, Box<dyn std::error::Error>> {
    let path = format!(
        "{}/tests/fixtures/keras/{case}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let fixture: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
    let floats = |v: &Value| -> Vec<f32> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_f64)
            // Exact: the fixture holds f32 values written as f64.
            .map(|x| {
                #[allow(clippy::cast_possible_truncation, reason = "f32 values stored as f64")]
                let x = x as f32;
                x
            })
            .collect()
    };
    let first = &fixture["cases"][0];
    let mut input = [[0.0; 3]; 50];
    for (row, values) in input
        .iter_mut()
        .zip(first["input"].as_array().into_iter().flatten())
    {
        for (dst, src) in row.iter_mut().zip(floats(values)) {
            *dst = src;
        }
    }
    Ok(Reference {
        weights: floats(&fixture["weights"]),
        input,
        output: floats(&first["output"])
            .first()
            .copied()
            .unwrap_or(f32::NAN),
    })
}

macro_rules! show {
    ($model:ident, $case:literal) => {{
        println!("{}", $model::summary());
        let r = reference($case)?;
        let net = $model::from_flat(&r.weights)?;
        let [y] = net.forward(&r.input);
        println!(
            "forward on Keras's first test sequence: tinyrnn {y:.7}, Keras {:.7}, |difference| {:.1e}\n",
            r.output,
            (y - r.output).abs()
        );
    }};
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("SimpleRNN(h) on 3 features has h*(3+h)+h parameters: kernel (3, h),");
    println!("recurrent_kernel (h, h) and bias (h,). Dense(1) after it has h+1.\n");
    show!(Rnn1, "seed_rnn1");
    show!(Rnn2, "seed_rnn2");
    show!(Rnn3, "seed_rnn3");
    show!(Rnn4, "seed_rnn4");
    Ok(())
}
