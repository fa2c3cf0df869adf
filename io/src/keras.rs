//! The three files Keras writes, read into one [`KerasFile`]: weight arrays per layer, and
//! the model config when the file has one.
//!
//! - Keras 3 `.keras`: a zip of `config.json`, `metadata.json`, `model.weights.h5`.
//! - Keras 3 `.weights.h5`: `layers/<group>/vars/<i>`, `layers/<group>/cell/vars/<i>` for
//!   recurrent layers, `.../forward_layer/...` then `.../backward_layer/...` for
//!   `Bidirectional`. The group is named after the layer's class and its place among its
//!   siblings ([`saving_names`]), not after the layer. No config: HDF5 lists links by name,
//!   so layers are found by their group's name.
//! - Legacy `.h5` (tf.keras 2, Keras 3's legacy writer): the `model_config` attribute, and
//!   `model_weights/<layer>/<weight name>` in the order of the `layer_names` and
//!   `weight_names` attributes.

use crate::config::{self, ModelConfig};
use crate::h5::H5;
use crate::{LoadError, zip};

/// Which of Keras's files it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Keras 3 `.keras` (zip).
    Keras,
    /// Keras 3 `.weights.h5` (weights only, no config).
    WeightsH5,
    /// Legacy HDF5 `.h5` from `model.save("x.h5")`.
    LegacyH5,
}

/// One weight array: where it was, its shape, its values (row-major).
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    /// Its path in the HDF5 file.
    pub path: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Its values, row-major.
    pub data: Vec<f32>,
}

/// A layer's weight arrays in Keras `get_weights()` order.
#[derive(Debug, Clone, PartialEq)]
pub struct FileLayer {
    /// The Keras layer name.
    pub name: String,
    /// Its arrays.
    pub arrays: Vec<Array>,
}

/// What a Keras file holds, as tinyrnn needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct KerasFile {
    /// The kind of file.
    pub format: Format,
    /// The architecture, when the file has one (not `.weights.h5`).
    pub config: Option<ModelConfig>,
    /// The Keras version that wrote it, when recorded.
    pub keras_version: Option<String>,
    /// Every layer that has a weight group, in the file's order (the config's for `.keras`
    /// and legacy files, by name for `.weights.h5`).
    pub layers: Vec<FileLayer>,
    /// The optimizer's variables of a file Keras 3 saved after training (`optimizer/vars`):
    /// how many values and bytes, which Keras's summary shows as "Optimizer params". Not
    /// weights of the model; `None` when the file has none.
    pub optimizer: Option<(usize, usize)>,
}

impl KerasFile {
    /// The layer named `name`, when the file has it.
    #[must_use]
    pub fn layer(&self, name: &str) -> Option<&FileLayer> {
        self.layers.iter().find(|l| l.name == name)
    }
}

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const HDF5_MAGIC: &[u8] = b"\x89HDF\r\n\x1a\n";

/// Reads any of Keras's files from its bytes.
///
/// # Errors
/// [`LoadError::NotKeras`] for other files; [`LoadError::Zip`], [`LoadError::Hdf5`] or
/// [`LoadError::Config`] for damaged ones.
pub fn read(bytes: &[u8]) -> Result<KerasFile, LoadError> {
    if bytes.starts_with(ZIP_MAGIC) {
        read_keras_zip(bytes)
    } else if bytes.starts_with(HDF5_MAGIC) {
        let h5 = H5::open(bytes)?;
        if h5.has_group("model_weights") {
            read_legacy(&h5)
        } else {
            read_weights_h5(&h5, None)
        }
    } else {
        Err(LoadError::NotKeras {
            found: describe(bytes),
        })
    }
}

/// What the first bytes of a file look like, for a message.
fn describe(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "an empty file".to_owned();
    }
    if bytes.starts_with(b"\x89PNG") {
        return "a PNG image".to_owned();
    }
    let head: String = bytes
        .iter()
        .take(8)
        .map(|b| {
            if b.is_ascii_graphic() || *b == b' ' {
                char::from(*b).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect();
    format!("a file starting with `{head}`")
}

fn read_keras_zip(bytes: &[u8]) -> Result<KerasFile, LoadError> {
    let archive = zip::Archive::new(bytes)?;
    let config_json = archive.member("config.json")?;
    let config_json = std::str::from_utf8(config_json)
        .map_err(|e| LoadError::Zip(format!("`config.json` is not UTF-8: {e}")))?;
    let config = config::parse(config_json)?;
    let keras_version = archive
        .member("metadata.json")
        .ok()
        .and_then(|m| serde_json::from_slice::<serde_json::Value>(m).ok())
        .and_then(|m| m["keras_version"].as_str().map(str::to_owned));
    let weights = archive.member("model.weights.h5")?;
    if !weights.starts_with(HDF5_MAGIC) {
        return Err(LoadError::Zip(
            "`model.weights.h5` is not an HDF5 file".to_owned(),
        ));
    }
    let h5 = H5::open(weights)?;
    let mut file = read_weights_h5(&h5, Some(&config))?;
    file.format = Format::Keras;
    file.config = Some(config);
    file.keras_version = keras_version;
    Ok(file)
}

/// Keras 3's weights layout. With a config, each of its layers is read from the group Keras
/// saved it under (see [`saving_names`]) and keeps the config's name; without one, every
/// group under `layers/` is a layer of that name.
fn read_weights_h5(h5: &H5, config: Option<&ModelConfig>) -> Result<KerasFile, LoadError> {
    let names: Vec<(String, String)> = match config {
        Some(c) => {
            // A Functional model's `InputLayer` is one of its layers, and numbered as one.
            let input = c.input_layer.as_ref().map(|_| "InputLayer");
            let classes = input
                .into_iter()
                .chain(c.layers.iter().map(|l| l.class.as_str()));
            let groups = saving_names(classes)
                .into_iter()
                .skip(usize::from(input.is_some()));
            c.layers
                .iter()
                .map(|l| l.name.clone())
                .zip(groups)
                .collect()
        }
        None => h5
            .children("layers")?
            .into_iter()
            .map(|name| (name.clone(), name))
            .collect(),
    };
    let mut layers = Vec::new();
    for (name, group) in names {
        let group = format!("layers/{group}");
        if !h5.has_group(&group) {
            continue;
        }
        let mut arrays = Vec::new();
        collect_vars(h5, &group, &mut arrays, 0)?;
        layers.push(FileLayer { name, arrays });
    }
    let optimizer = if h5.has_group("optimizer/vars") {
        let mut total = (0_usize, 0_usize);
        for name in h5.children("optimizer/vars")? {
            let (count, bytes) = h5.dataset_size(&format!("optimizer/vars/{name}"))?;
            total = (total.0.saturating_add(count), total.1.saturating_add(bytes));
        }
        Some(total)
    } else {
        None
    };
    Ok(KerasFile {
        format: Format::WeightsH5,
        config: None,
        keras_version: None,
        layers,
        optimizer,
    })
}

/// The groups under `layers/` that Keras 3 saves sibling layers of these classes in, in
/// order: each class in snake case, numbered among the earlier ones of the same class
/// (`simple_rnn`, `dense`, `dense_1`), as `saving_lib._save_container_state` names them.
/// Never the layers' own names, which count every layer made in the Python process.
///
/// ```
/// let names = tinyrnn_io::saving_names(["LSTM", "Dropout", "LSTM", "Dense"]);
/// assert_eq!(names, ["lstm", "dropout", "lstm_1", "dense"]);
/// ```
pub fn saving_names<'a>(classes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut used: Vec<(String, usize)> = Vec::new();
    classes
        .into_iter()
        .map(|class| {
            let name = to_snake_case(class);
            if let Some((_, count)) = used.iter_mut().find(|(n, _)| *n == name) {
                *count += 1;
                format!("{name}_{count}")
            } else {
                used.push((name.clone(), 0));
                name
            }
        })
        .collect()
}

/// Keras's `naming.to_snake_case`: drop what is not a word character, then `_` before an
/// uppercase letter that starts a lowercase run (`(.)([A-Z][a-z]+)`), then between a
/// lowercase and an uppercase letter (`([a-z])([A-Z])`), then lowercase.
///
/// ```
/// assert_eq!(tinyrnn_io::to_snake_case("SimpleRNN"), "simple_rnn");
/// assert_eq!(tinyrnn_io::to_snake_case("PReLU"), "p_re_lu");
/// assert_eq!(tinyrnn_io::to_snake_case("SpatialDropout1D"), "spatial_dropout1d");
/// ```
#[must_use]
pub fn to_snake_case(class: &str) -> String {
    let word: Vec<char> = class
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // (.)([A-Z][a-z]+) -> \1_\2, matches taken left to right without overlap.
    let mut first = Vec::with_capacity(word.len() + 4);
    let mut i = 0;
    while i < word.len() {
        let starts_run = word.get(i + 1).is_some_and(char::is_ascii_uppercase)
            && word.get(i + 2).is_some_and(char::is_ascii_lowercase);
        if starts_run {
            let mut end = i + 3;
            while word.get(end).is_some_and(char::is_ascii_lowercase) {
                end += 1;
            }
            first.push(word[i]);
            first.push('_');
            first.extend_from_slice(&word[i + 1..end]);
            i = end;
        } else {
            first.push(word[i]);
            i += 1;
        }
    }
    // ([a-z])([A-Z]) -> \1_\2, then lower().
    let mut out = String::with_capacity(first.len() + 4);
    let mut i = 0;
    while i < first.len() {
        out.push(first[i]);
        if first[i].is_ascii_lowercase() && first.get(i + 1).is_some_and(char::is_ascii_uppercase) {
            out.push('_');
            out.push(first[i + 1]);
            i += 2;
        } else {
            i += 1;
        }
    }
    out.to_lowercase()
}

/// A layer's arrays in `get_weights()` order: its own `vars`, its `cell`'s (recurrent
/// layers) or `layer`'s (`TimeDistributed`), then for `Bidirectional` the forward layer's
/// and the backward layer's.
fn collect_vars(h5: &H5, group: &str, out: &mut Vec<Array>, depth: usize) -> Result<(), LoadError> {
    if depth > 8 {
        return Err(LoadError::Hdf5(format!("`{group}` nests too deeply")));
    }
    let vars = format!("{group}/vars");
    if h5.has_group(&vars) {
        let mut indices: Vec<(usize, String)> = h5
            .children(&vars)?
            .into_iter()
            .filter_map(|c| c.parse::<usize>().ok().map(|i| (i, c)))
            .collect();
        indices.sort_unstable();
        for (_, child) in indices {
            let path = format!("{vars}/{child}");
            let (shape, data) = h5.read_f32(&path)?;
            out.push(Array { path, shape, data });
        }
    }
    for sub in ["cell", "layer", "forward_layer", "backward_layer"] {
        let path = format!("{group}/{sub}");
        if h5.has_group(&path) {
            collect_vars(h5, &path, out, depth + 1)?;
        }
    }
    Ok(())
}

fn read_legacy(h5: &H5) -> Result<KerasFile, LoadError> {
    let config = match h5.attr_string("", "model_config")? {
        Some(json) => Some(config::parse(&json)?),
        None => None,
    };
    let keras_version = h5
        .attr_string("", "keras_version")
        .ok()
        .flatten()
        .or_else(|| {
            h5.attr_string("model_weights", "keras_version")
                .ok()
                .flatten()
        });
    let mut layers = Vec::new();
    for name in h5.attr_strings("model_weights", "layer_names")? {
        let group = format!("model_weights/{name}");
        let mut arrays = Vec::new();
        for weight in h5.attr_strings(&group, "weight_names")? {
            let path = format!("{group}/{weight}");
            let (shape, data) = h5.read_f32(&path)?;
            arrays.push(Array { path, shape, data });
        }
        layers.push(FileLayer { name, arrays });
    }
    Ok(KerasFile {
        format: Format::LegacyH5,
        config,
        keras_version,
        layers,
        // tf_keras's `optimizer_weights` are not in the Keras 3 summary this describes.
        optimizer: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table's saving names are Keras's snake case of its classes.
    #[test]
    fn the_spec_s_saving_names_are_the_classes_in_snake_case() {
        for spec in tinyrnn_spec::LAYERS {
            assert_eq!(to_snake_case(spec.keras_class), spec.saving_name);
        }
    }
}
