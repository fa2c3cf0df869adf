//! `weights = "models/net.keras"`: the Keras file read at compile time, checked against the
//! declared layers, and its weights embedded as a `const` of the model.

use crate::check::Model;
#[cfg(feature = "keras")]
use crate::check::{Layer, Resample};
#[cfg(feature = "keras")]
use proc_macro2::Literal;
use proc_macro2::TokenStream;
#[cfg(feature = "keras")]
use quote::quote;
use syn::LitStr;

/// `impl Net { pub const WEIGHTS: Self = ... }`, or an error spanned on the path.
#[cfg(feature = "keras")]
pub fn embed(model: &Model, path: &LitStr) -> syn::Result<TokenStream> {
    use tinyrnn_io::config::ModelConfig;

    let error = |message: String| syn::Error::new(path.span(), message);
    let dir = std::env::var("CARGO_MANIFEST_DIR")
        .map_err(|_| error("`CARGO_MANIFEST_DIR` is not set: build with cargo".to_owned()))?;
    let full = std::path::Path::new(&dir).join(path.value());
    let bytes = std::fs::read(&full)
        .map_err(|e| error(format!("cannot read `{}`: {e}", full.display())))?;
    let ours = ModelConfig {
        name: model.name.to_string(),
        input: Some([model.timesteps, Some(model.features)]),
        tokens: model.tokens,
        graph: None,
        input_layer: None,
        layers: model.layers.iter().map(layer_config).collect(),
    };
    let expected = tinyrnn_io::expected_from_config(&ours).map_err(|e| error(e.to_string()))?;
    // A PyTorch state dict (.safetensors), or one of Keras's files.
    let pt = matches!(
        full.extension().and_then(|e| e.to_str()),
        Some("pt" | "pth")
    );
    let flat = if tinyrnn_io::torch::is_safetensors(&bytes) || pt {
        tinyrnn_io::torch::read_path(&full)
            .and_then(|dict| tinyrnn_io::torch::weights_for(&dict, &expected))
    } else {
        tinyrnn_io::read(&bytes).and_then(|file| tinyrnn_io::weights_for(&file, &expected))
    }
    .map_err(|e| error(format!("`{}` does not fit this model: {e}", path.value())))?;
    let bytes: Vec<u8> = flat.iter().flat_map(|w| w.to_le_bytes()).collect();
    let blob = Literal::byte_string(&bytes);
    let full = full.to_string_lossy().into_owned();
    let name = &model.name;
    let doc = format!(
        " The weights of `{}`, read and checked against the layers at compile time. As a\n `static`, they stay in read-only memory: `static NET: {name} = {name}::WEIGHTS;`",
        path.value()
    );
    Ok(quote! {
        impl #name {
            #[doc = #doc]
            pub const WEIGHTS: Self = Self::from_le_bytes(#blob);
        }
        // Naming the file makes cargo rebuild when it changes.
        const _: &[u8] = ::core::include_bytes!(#full);
    })
}

/// Without the `keras` feature there is no reader to embed with.
#[cfg(not(feature = "keras"))]
pub fn embed(_model: &Model, path: &LitStr) -> syn::Result<TokenStream> {
    Err(syn::Error::new(
        path.span(),
        "`weights = \"...\"` reads the file at compile time, which needs tinyrnn's `keras` feature (on by default)",
    ))
}

/// A declared layer as the Keras config of the same layer would read.
#[cfg(feature = "keras")]
fn layer_config(layer: &Layer) -> tinyrnn_io::config::LayerConfig {
    let spec = layer.kind.spec();
    let recurrent = matches!(spec.role, tinyrnn_spec::Role::Recurrent { .. });
    let gated = spec.takes("recurrent_activation");
    let weighted = recurrent || spec.role == tinyrnn_spec::Role::Dense;
    tinyrnn_io::config::LayerConfig {
        class: layer.kind.keras_class().to_owned(),
        name: layer.field.to_string(),
        units: (weighted
            || matches!(
                spec.role,
                tinyrnn_spec::Role::Embedding | tinyrnn_spec::Role::Convolution
            ))
        .then_some(layer.units),
        activation: (weighted || spec.takes("activation"))
            .then(|| layer.activation.name.to_owned()),
        recurrent_activation: gated.then(|| layer.recurrent_activation.name.to_owned()),
        use_bias: (weighted || spec.role == tinyrnn_spec::Role::Convolution)
            .then_some(layer.use_bias),
        return_sequences: recurrent.then_some(layer.seq_out),
        go_backwards: recurrent.then_some(layer.go_backwards),
        reset_after: spec.takes("reset_after").then_some(layer.reset_after),
        merge_mode: layer.merge.map(|m| m.name.to_owned()),
        rate: None,
        axis: None,
        center: layer.kind.spec().takes("center").then_some(layer.center),
        scale: layer.kind.spec().takes("scale").then_some(layer.scale),
        invert: layer.kind.spec().takes("invert").then_some(layer.invert),
        input_dim: layer
            .kind
            .spec()
            .takes("input_dim")
            .then_some(layer.input_dim),
        mask_zero: layer
            .kind
            .spec()
            .takes("mask_zero")
            .then_some(layer.mask_zero),
        window_size: layer.window.map(|w| w.size),
        strides: layer.window.map(|w| w.strides),
        padding: layer.window.map(|w| w.padding.name().to_owned()),
        dilation_rate: layer.window.map(|w| w.dilation),
        groups: layer.window.map(|w| w.groups),
        ends: match layer.resample {
            Some(Resample::Pad(start, end) | Resample::Crop(start, end)) => Some([start, end]),
            _ => None,
        },
        size: match layer.resample {
            Some(Resample::Repeat(n)) => Some(n),
            _ => None,
        },
        shared_axes: (layer.kind == crate::check::Kind::PRelu).then(|| {
            layer
                .shared_axes
                .iter()
                .map(|&a| i64::try_from(a).unwrap_or(i64::MAX))
                .collect()
        }),
        target_shape: (layer.kind == crate::check::Kind::Reshape).then(|| {
            let width = i64::try_from(layer.units).unwrap_or(i64::MAX);
            match layer.timesteps.filter(|_| layer.seq_out) {
                Some(t) => vec![i64::try_from(t).unwrap_or(i64::MAX), width],
                None => vec![width],
            }
        }),
        repeat: (layer.kind == crate::check::Kind::RepeatVector)
            .then_some(layer.timesteps)
            .flatten(),
        numbers: layer
            .numbers
            .iter()
            .map(|(name, v)| ((*name).to_owned(), v.is_finite().then_some(f64::from(*v))))
            .collect(),
        wrapped: layer
            .wrapped
            .as_ref()
            .map(|inner| Box::new(layer_config(inner))),
        unsupported: Vec::new(),
    }
}
