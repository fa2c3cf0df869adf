//! PyTorch state dicts with `nn.Embedding`, `nn.LayerNorm` and `nn.BatchNorm1d`
//! (`tools/gen_torch_layers.py`, `tests/fixtures/torch-layers/`): the `model!` declaration
//! says where each goes, the loader finds them in its order, and the model gives
//! PyTorch's outputs, from `.safetensors` and `.pt` alike.

mod common;

use common::{assert_close, json_floats as floats};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/torch-layers");

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(format!("{DIR}/{name}.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn assert_dsl(name: &str, tokens: &str) {
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(
        squash(tokens).trim_end_matches(';'),
        squash(fixture(name)["dsl"].as_str().unwrap()).trim_end_matches(';'),
        "{name}"
    );
}

/// Every case of the fixture `name` (timesteps of `F` features) through `run`, against
/// PyTorch's outputs.
fn assert_matches<const F: usize>(name: &str, run: impl Fn(Vec<[f32; F]>) -> Vec<f32>) {
    for case in fixture(name)["cases"].as_array().unwrap() {
        let x: Vec<[f32; F]> = case["input"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| floats(row).try_into().unwrap())
            .collect();
        assert_close(name, &run(x), &floats(&case["output"]));
    }
}

mod embedding_gru {
    use super::*;

    tinyrnn::model! { pub struct Net; input [10]; embedding(50, 8); gru(6); dense(2); }

    #[test]
    fn matches_pytorch() {
        assert_dsl(
            "embedding_gru",
            "input [10]; embedding(50, 8); gru(6); dense(2);",
        );
        let net = Net::from_torch_file(format!("{DIR}/embedding_gru.safetensors")).unwrap();
        let pt = Net::from_torch_file(format!("{DIR}/embedding_gru.pt")).unwrap();
        assert_eq!(net, pt);
        for case in fixture("embedding_gru")["cases"].as_array().unwrap() {
            let ids: Vec<u32> = case["input"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| u32::try_from(v.as_u64().unwrap()).unwrap())
                .collect();
            let got = net.forward(&ids.try_into().unwrap());
            assert_close("embedding_gru", &got, &floats(&case["output"]));
        }
    }
}

mod layernorm_lstm {
    use super::*;

    tinyrnn::model! {
        pub struct Net;
        input [10, 4];
        lstm(6, return_sequences = true);
        layer_normalization(epsilon = 0.00001);
        lstm(5);
        dense(1);
    }

    #[test]
    fn matches_pytorch() {
        assert_dsl(
            "layernorm_lstm",
            "input [10, 4]; lstm(6, return_sequences = true); layer_normalization(epsilon = 0.00001); lstm(5); dense(1);",
        );
        let net = Net::from_torch_file(format!("{DIR}/layernorm_lstm.safetensors")).unwrap();
        assert_eq!(
            Net::from_torch_file(format!("{DIR}/layernorm_lstm.pt")),
            Ok(net.clone())
        );
        assert_matches("layernorm_lstm", |x: Vec<[f32; 4]>| {
            net.forward(&x.try_into().unwrap()).to_vec()
        });
    }
}

mod batchnorm_gru {
    use super::*;

    tinyrnn::model! {
        pub struct Net;
        input [12, 3];
        gru(5);
        batch_normalization(epsilon = 0.00001);
        dense(2);
    }

    tinyrnn::model! {
        pub struct LayerNormInstead;
        input [12, 3];
        gru(5);
        layer_normalization(epsilon = 0.00001);
        dense(2);
    }

    tinyrnn::model! {
        pub struct NoOffset;
        input [12, 3];
        gru(5);
        batch_normalization(epsilon = 0.00001, center = false);
        dense(2);
    }

    #[test]
    fn matches_pytorch() {
        assert_dsl(
            "batchnorm_gru",
            "input [12, 3]; gru(5); batch_normalization(epsilon = 0.00001); dense(2);",
        );
        let net = Net::from_torch_file(format!("{DIR}/batchnorm_gru.safetensors")).unwrap();
        assert_eq!(
            Net::from_torch_file(format!("{DIR}/batchnorm_gru.pt")),
            Ok(net.clone())
        );
        assert_matches("batchnorm_gru", |x: Vec<[f32; 3]>| {
            net.forward(&x.try_into().unwrap()).to_vec()
        });
    }

    #[test]
    fn a_declaration_that_does_not_fit_says_what_it_needs() {
        let path = format!("{DIR}/batchnorm_gru.safetensors");
        assert_eq!(
            LayerNormInstead::from_torch_file(&path)
                .unwrap_err()
                .to_string(),
            "PyTorch state dict: layer `layer_normalization` needs an nn.LayerNorm of 5 features with `weight` and `bias`, and none is left in the state dict"
        );
        assert_eq!(
            NoOffset::from_torch_file(&path).unwrap_err().to_string(),
            "PyTorch state dict: layer `batch_normalization`: an nn.BatchNorm1d has both `weight` and `bias` (`norm.weight`); declare it with `center = true, scale = true`"
        );
    }
}

/// `tinyrnn inspect` cannot place a norm module or an embedding from a state dict alone,
/// and says so.
#[test]
fn inspect_asks_for_a_declaration_where_a_norm_module_or_an_embedding_is() {
    let (code, stdout, stderr) =
        common::tinyrnn(&["inspect", &format!("{DIR}/batchnorm_gru.safetensors")]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("`norm.weight` is an nn.LayerNorm or nn.BatchNorm1d"),
        "{stderr}"
    );
    let (code, stdout, stderr) =
        common::tinyrnn(&["inspect", &format!("{DIR}/embedding_gru.safetensors")]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains("`embedding.weight` looks like an nn.Embedding(50, 8)"),
        "{stderr}"
    );
}

mod conv_gru {
    use super::*;

    tinyrnn::model! {
        pub struct Net;
        input [10, 3];
        conv1d(4, 3, padding = same);
        conv1d(6, 2, dilation_rate = 2, groups = 2, use_bias = false);
        gru(5);
        dense(2);
    }

    /// `nn.Conv1d`'s weight `(out, in / groups, kernel)` is Keras's kernel transposed.
    #[test]
    fn matches_pytorch() {
        assert_dsl(
            "conv_gru",
            "input [10, 3]; conv1d(4, 3, padding = same); conv1d(6, 2, dilation_rate = 2, groups = 2, use_bias = false); gru(5); dense(2);",
        );
        let net = Net::from_torch_file(format!("{DIR}/conv_gru.safetensors")).unwrap();
        assert_eq!(
            Net::from_torch_file(format!("{DIR}/conv_gru.pt")),
            Ok(net.clone())
        );
        assert_matches("conv_gru", |x: Vec<[f32; 3]>| {
            net.forward(&x.try_into().unwrap()).to_vec()
        });
        let (code, _, stderr) =
            common::tinyrnn(&["inspect", &format!("{DIR}/conv_gru.safetensors")]);
        assert_eq!(code, 1);
        assert!(stderr.contains("`conv.weight` is an nn.Conv1d"), "{stderr}");
    }
}
