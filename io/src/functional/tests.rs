//! The chain reader on small configs written out by hand: both dialects, masks, and every
//! way a graph can fail to be a chain.

use super::*;

fn keras3_call(from: &str) -> String {
    format!(
        r#"[{{"args": [{{"class_name": "__keras_tensor__", "config": {{"shape": [null, 4],
            "dtype": "float32", "keras_history": ["{from}", 0, 0]}}}}],
            "kwargs": {{"mask": null}}}}]"#
    )
}

fn layer(class: &str, name: &str, calls: &str) -> String {
    format!(
        r#"{{"class_name": "{class}", "name": "{name}", "config": {{"name": "{name}"}},
            "inbound_nodes": {calls}}}"#
    )
}

fn config(layers: &[String], inputs: &str, outputs: &str) -> Value {
    let json = format!(
        r#"{{"name": "functional", "layers": [{}], "input_layers": {inputs},
            "output_layers": {outputs}}}"#,
        layers.join(",")
    );
    serde_json::from_str(&json).unwrap()
}

fn names<'a>(chain: &Chain<'a>) -> Vec<&'a str> {
    chain
        .layers
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect()
}

#[test]
fn a_chain_listed_in_any_order_runs_from_input_to_output() {
    let cfg = config(
        &[
            layer("Dense", "dense_3", &keras3_call("lstm_1")),
            layer("InputLayer", "input_layer_2", "[]"),
            layer("LSTM", "lstm_1", &keras3_call("input_layer_2")),
        ],
        r#"["input_layer_2", 0, 0]"#,
        r#"[["dense_3", 0, 0]]"#,
    );
    let chain = chain(&cfg).unwrap();
    assert_eq!(chain.input_name, "input_layer_2");
    assert_eq!(names(&chain), ["lstm_1", "dense_3"]);
}

#[test]
fn reads_tf_keras_2_calls() {
    let cfg = config(
        &[
            layer("InputLayer", "input_1", "[]"),
            layer("GRU", "gru", r#"[[["input_1", 0, 0, {}]]]"#),
            layer("Dense", "dense", r#"[[["gru", 0, 0, {}]]]"#),
        ],
        r#"[["input_1", 0, 0]]"#,
        r#"[["dense", 0, 0]]"#,
    );
    assert_eq!(names(&chain(&cfg).unwrap()), ["gru", "dense"]);
}

fn message(cfg: &Value) -> String {
    match chain(cfg) {
        Ok(c) => panic!("expected an error, got {:?}", names(&c)),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_cycle_is_an_error_not_a_hang() {
    let cfg = config(
        &[
            layer("InputLayer", "input", "[]"),
            layer("Dense", "a", &keras3_call("b")),
            layer("Dense", "b", &keras3_call("a")),
        ],
        r#"["input", 0, 0]"#,
        r#"["b", 0, 0]"#,
    );
    assert_eq!(
        message(&cfg),
        "model config: the layers form a cycle through `b`"
    );
    // A layer reading itself.
    let cfg = config(
        &[
            layer("InputLayer", "input", "[]"),
            layer("Dense", "a", &keras3_call("a")),
        ],
        r#"["input", 0, 0]"#,
        r#"["a", 0, 0]"#,
    );
    assert_eq!(
        message(&cfg),
        "model config: the layers form a cycle through `a`"
    );
}

#[test]
fn a_missing_layer_is_named() {
    let cfg = config(
        &[
            layer("InputLayer", "input", "[]"),
            layer("Dense", "dense", &keras3_call("nope")),
        ],
        r#"["input", 0, 0]"#,
        r#"["dense", 0, 0]"#,
    );
    assert_eq!(
        message(&cfg),
        "model config: layer `dense` reads `nope`, which is not a layer of the model"
    );
    let cfg = config(
        &[layer("InputLayer", "input", "[]")],
        r#"["input", 0, 0]"#,
        r#"["gone", 0, 0]"#,
    );
    assert_eq!(
        message(&cfg),
        "model config: the model's output is `gone`, which is not a layer of the model"
    );
}

#[test]
fn what_is_not_a_chain_says_why() {
    let input = layer("InputLayer", "input", "[]");
    let two_outputs = config(
        &[
            input.clone(),
            layer("Dense", "a", &keras3_call("input")),
            layer("Dense", "b", &keras3_call("input")),
        ],
        r#"["input", 0, 0]"#,
        r#"[["a", 0, 0], ["b", 0, 0]]"#,
    );
    assert_eq!(
        message(&two_outputs),
        "model config: the model has 2 outputs (`a`, `b`); tinyrnn reads models with one output"
    );
    let branch = config(
        &[
            input.clone(),
            layer("Dense", "a", &keras3_call("input")),
            layer("Dense", "b", &keras3_call("input")),
        ],
        r#"["input", 0, 0]"#,
        r#"["b", 0, 0]"#,
    );
    assert_eq!(
        message(&branch),
        "model config: the output of `input` also goes to `a`, which does not lead to \
         the output `b`: the model branches; tinyrnn reads chains in which each layer \
         feeds the next"
    );
    let twice = config(
        &[
            input.clone(),
            layer(
                "Dense",
                "shared",
                r#"[[["input", 0, 0, {}]], [["shared", 0, 0, {}]]]"#,
            ),
        ],
        r#"["input", 0, 0]"#,
        r#"["shared", 1, 0]"#,
    );
    assert_eq!(
        message(&twice),
        "model config: layer `shared` is called 2 times (a shared layer); tinyrnn reads \
         models whose layers are each called once"
    );
    let stray = config(
        &[
            input.clone(),
            layer("Dense", "a", &keras3_call("input")),
            layer("InputLayer", "other", "[]"),
        ],
        r#"["input", 0, 0]"#,
        r#"["a", 0, 0]"#,
    );
    assert_eq!(
        message(&stray),
        "model config: layer `other` is not on the path from the input `input` to the output `a`"
    );
    let not_input = config(
        &[input, layer("Dense", "a", &keras3_call("input"))],
        r#"["a", 0, 0]"#,
        r#"["a", 0, 0]"#,
    );
    assert_eq!(
        message(&not_input),
        "model config: the model's input `a` is a `Dense`, not an `InputLayer`"
    );
}

/// Keras 3's record of `Masking(0.0)` before an `LSTM`: the mask is computed by
/// `NotEqual` and `Any` from the input, and reaches the LSTM as `mask=`.
#[test]
fn operations_that_compute_a_mask_are_not_layers_of_the_chain() {
    let mask_call = r#"[{"args": [{"class_name": "__keras_tensor__", "config":
        {"keras_history": ["masking", 0, 0]}}], "kwargs": {"training": false, "mask":
        {"class_name": "__keras_tensor__", "config": {"keras_history": ["any", 0, 0]}}}}]"#;
    let cfg = config(
        &[
            layer("InputLayer", "input", "[]"),
            layer("NotEqual", "not_equal", &keras3_call("input")),
            layer("Masking", "masking", &keras3_call("input")),
            layer("Any", "any", &keras3_call("not_equal")),
            layer("LSTM", "lstm", mask_call),
        ],
        r#"["input", 0, 0]"#,
        r#"["lstm", 0, 0]"#,
    );
    assert_eq!(names(&chain(&cfg).unwrap()), ["masking", "lstm"]);
}

#[test]
fn other_tensor_arguments_are_not_a_chain() {
    let call = r#"[{"args": [{"class_name": "__keras_tensor__", "config":
        {"keras_history": ["input", 0, 0]}}], "kwargs": {"initial_state":
        [{"class_name": "__keras_tensor__", "config": {"keras_history": ["state", 0, 0]}}]}}]"#;
    let cfg = config(
        &[
            layer("InputLayer", "input", "[]"),
            layer("InputLayer", "state", "[]"),
            layer("LSTM", "lstm", call),
        ],
        r#"["input", 0, 0]"#,
        r#"["lstm", 0, 0]"#,
    );
    assert_eq!(
        message(&cfg),
        "model config: layer `lstm` takes `initial_state` from `state`: tinyrnn reads \
         chains of one-input layers"
    );
}

#[test]
fn arguments_nested_too_deeply_are_an_error() {
    let mut call = r#"["input", 0, 0]"#.to_owned();
    for _ in 0..20 {
        call = format!("[{call}]");
    }
    let cfg = config(
        &[
            layer("InputLayer", "input", "[]"),
            layer("Dense", "a", &format!("[{call}]")),
        ],
        r#"["input", 0, 0]"#,
        r#"["a", 0, 0]"#,
    );
    assert_eq!(
        message(&cfg),
        "model config: layer `a`: its call nests deeper than 16 levels"
    );
}
