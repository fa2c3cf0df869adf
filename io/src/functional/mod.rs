//! A Functional model's graph, reduced to the chain of layers it runs, or the reason it is
//! not one.
//!
//! Almost every example on keras.io builds its model as `keras.Model(inputs, outputs)`. When
//! the graph is one chain (one input, each layer called once on the output of the layer
//! before it, one output) it computes what the `Sequential` model of the same layers
//! computes, and tinyrnn reads it as that. Anything else (a branch, a merge such as `Add`,
//! several inputs or outputs, a layer called twice) is an error that names the layer and
//! says why.
//!
//! Both config dialects are read: Keras 3 writes each call of a layer as
//! `{"args": [...], "kwargs": {...}}` with its input tensors as
//! `{"class_name": "__keras_tensor__", "config": {"keras_history": [layer, node, tensor]}}`;
//! tf.keras 2 writes a call as a list of `[layer, node, tensor, kwargs]`. Either way, a
//! tensor is a `[layer, node, tensor]` triple; those among the positional arguments are the
//! layer's inputs, a `mask=` argument is the mask Keras passes along (computed by operations
//! that are not layers of the chain), and any other tensor argument (`initial_state=`) makes
//! the model other than a chain.
//!
//! The config may come from anyone: names are looked up in a map, the chain is walked with a
//! bounded loop (a cycle is an error, not a hang), and the search for tensors inside a call
//! stops at a fixed depth (serde_json already refuses JSON nested deeper than 128 levels).

use crate::LoadError;
use serde_json::Value;
use std::collections::HashMap;

/// The chain a Functional config describes: its `InputLayer` and the layers after it, in
/// the order they run, each the config's entry (`class_name`, `config`, ...).
pub struct Chain<'a> {
    /// The `InputLayer`'s name.
    pub input_name: String,
    /// The `InputLayer`'s entry.
    pub input: &'a Value,
    /// The other layers, from the first after the input to the output.
    pub layers: Vec<&'a Value>,
    /// Whether the graph also holds the operations that compute masks (`NotEqual`,
    /// `Any`): Keras then summarizes the model as a graph, not a chain ([`graph`]).
    pub operations: bool,
}

/// One row of Keras's summary of a Functional model drawn as a graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// The layer's or operation's name (`not_equal_1`).
    pub name: String,
    /// Its class (`NotEqual`, `GRU`).
    pub class: String,
    /// The nodes it reads, positional arguments first, then `mask=`.
    pub inputs: Vec<String>,
    /// The shape of its output as the tensors that read it record it (`[None, None]`),
    /// when one does.
    pub output_shape: Option<Vec<Option<usize>>>,
}

/// The shape of each node's output, from the Keras 3 tensors (`keras_history`, `shape`)
/// that reference it anywhere in `v`.
fn output_shapes<'a>(v: &'a Value, depth: usize, out: &mut HashMap<&'a str, Vec<Option<usize>>>) {
    if depth > MAX_ARGUMENT_DEPTH {
        return;
    }
    match v {
        Value::Object(map) => {
            let config = &v["config"];
            if let (Some(Value::String(name)), Some(shape)) =
                (config["keras_history"].get(0), config["shape"].as_array())
            {
                let dims = shape
                    .iter()
                    .map(|d| d.as_u64().and_then(|d| usize::try_from(d).ok()))
                    .collect();
                out.entry(name.as_str()).or_insert(dims);
            }
            for item in map.values() {
                output_shapes(item, depth + 1, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                output_shapes(item, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// Every node of a Functional `config`, in its order (Keras's summary's), with what it
/// reads and the shape of what it makes.
#[must_use]
pub fn graph(config: &Value) -> Vec<GraphNode> {
    let entries = config["layers"].as_array().map_or(&[][..], Vec::as_slice);
    let mut shapes: HashMap<&str, Vec<Option<usize>>> = HashMap::new();
    for entry in entries {
        output_shapes(&entry["inbound_nodes"], 0, &mut shapes);
    }
    entries
        .iter()
        .map(|entry| {
            let name = entry["name"]
                .as_str()
                .or_else(|| entry["config"]["name"].as_str())
                .unwrap_or("");
            let reads = entry["inbound_nodes"]
                .as_array()
                .and_then(|calls| calls.first())
                .and_then(|call| inputs(call).ok())
                .unwrap_or_default();
            GraphNode {
                name: name.to_owned(),
                class: entry["class_name"].as_str().unwrap_or("").to_owned(),
                inputs: reads
                    .data
                    .iter()
                    .chain(&reads.mask)
                    .map(|n| (*n).to_owned())
                    .collect(),
                output_shape: shapes.get(name).cloned(),
            }
        })
        .collect()
}

/// How deep inside one call's arguments a tensor is looked for. Keras nests them a few
/// levels (`args`, a list of tensors, `config`, `keras_history`).
const MAX_ARGUMENT_DEPTH: usize = 16;

fn error(message: String) -> LoadError {
    LoadError::Config(message)
}

/// One layer of the config: its name, class and calls (`inbound_nodes`).
struct Node<'a> {
    name: &'a str,
    class: &'a str,
    entry: &'a Value,
    calls: &'a [Value],
}

/// The tensors one call reads: its data inputs (positional arguments), the mask Keras
/// passes along (`mask=`), and any other tensor argument (`initial_state=`, ...).
#[derive(Default)]
struct Inputs<'a> {
    data: Vec<&'a str>,
    mask: Vec<&'a str>,
    other: Vec<(&'a str, &'a str)>,
}

/// What one call reads. Keras 3: `{"args": [...], "kwargs": {...}}`; tf.keras 2: a list of
/// `[layer, node, tensor, {kwargs}]`, each a positional input.
fn inputs(call: &Value) -> Result<Inputs<'_>, ()> {
    let mut found = Inputs::default();
    let mut kwargs: Vec<&Value> = Vec::new();
    if let Some(args) = call.get("args") {
        let mut tensors = Vec::new();
        collect_tensors(args, 0, &mut tensors)?;
        found.data.extend(tensors);
        kwargs.extend(call.get("kwargs"));
    } else if let Some(entries) = call.as_array() {
        for entry in entries {
            let items = entry.as_array().map_or(&[][..], Vec::as_slice);
            if let Some(name) = tensor_ref(items) {
                found.data.push(name);
                kwargs.extend(items.get(3));
            } else {
                let mut tensors = Vec::new();
                collect_tensors(entry, 0, &mut tensors)?;
                found.data.extend(tensors);
            }
        }
    }
    for map in kwargs.iter().filter_map(|k| k.as_object()) {
        for (key, value) in map {
            let mut tensors = Vec::new();
            collect_tensors(value, 0, &mut tensors)?;
            for name in tensors {
                if key == "mask" {
                    found.mask.push(name);
                } else {
                    found.other.push((key.as_str(), name));
                }
            }
        }
    }
    Ok(found)
}

/// The chain of the Functional `config` (the value of the model's `"config"` key).
///
/// Keras 3 records how a mask is computed (`Masking`, `Embedding(mask_zero=True)`) as
/// operations of their own (`NotEqual`, `Any`) whose result reaches a later layer as its
/// `mask=` argument. They are not layers of the chain: the masking layer itself says what
/// they compute, so they are left out.
///
/// # Errors
/// [`LoadError::Config`] naming the layer that makes the graph other than one chain, or
/// what is missing from the config.
pub fn chain(config: &Value) -> Result<Chain<'_>, LoadError> {
    let entries = config["layers"]
        .as_array()
        .ok_or_else(|| error("the Functional config has no `layers` list".to_owned()))?;
    let mut nodes = Vec::with_capacity(entries.len());
    let mut index = HashMap::with_capacity(entries.len());
    for entry in entries {
        let name = entry["name"]
            .as_str()
            .or_else(|| entry["config"]["name"].as_str())
            .ok_or_else(|| error("a layer of the Functional config has no `name`".to_owned()))?;
        if index.insert(name, nodes.len()).is_some() {
            return Err(error(format!(
                "two layers of the Functional config are named `{name}`"
            )));
        }
        nodes.push(Node {
            name,
            class: entry["class_name"].as_str().unwrap_or(""),
            entry,
            calls: entry["inbound_nodes"].as_array().map_or(&[], Vec::as_slice),
        });
    }
    let lookup = |name: &str, what: &str| {
        index.get(name).copied().ok_or_else(|| {
            error(format!(
                "{what} `{name}`, which is not a layer of the model"
            ))
        })
    };

    let input = single_end(&config["input_layers"], "input")?;
    let output = single_end(&config["output_layers"], "output")?;
    let input = lookup(&input, "the model's input is")?;
    let output = lookup(&output, "the model's output is")?;
    if nodes[input].class != "InputLayer" {
        return Err(error(format!(
            "the model's input `{}` is a `{}`, not an `InputLayer`",
            nodes[input].name, nodes[input].class
        )));
    }

    // What each layer's one call reads (`None` for input layers and layers never called
    // or called more than once, which are errors only on the chain).
    let mut reads: Vec<Option<Inputs<'_>>> = Vec::with_capacity(nodes.len());
    for node in &nodes {
        let read = match node.calls {
            [call] if node.class != "InputLayer" => Some(inputs(call).map_err(|()| {
                error(format!(
                    "layer `{}`: its call nests deeper than {MAX_ARGUMENT_DEPTH} levels",
                    node.name
                ))
            })?),
            _ => None,
        };
        reads.push(read);
    }

    // From the output back to the input along each layer's one data input.
    let mut on_chain = vec![false; nodes.len()];
    let mut chain = vec![output];
    on_chain[output] = true;
    let mut at = output;
    while at != input {
        let node = &nodes[at];
        let read = match (node.class, node.calls, &reads[at]) {
            (_, _, Some(read)) => read,
            ("InputLayer", _, _) => {
                return Err(error(format!(
                    "the model's output `{}` comes from `{}`, not from its input `{}`",
                    nodes[output].name, node.name, nodes[input].name
                )));
            }
            (_, [], _) => {
                return Err(error(format!(
                    "layer `{}` is never called on a tensor of the model",
                    node.name
                )));
            }
            (_, calls, _) => {
                return Err(error(format!(
                    "layer `{}` is called {} times (a shared layer); tinyrnn reads models \
                     whose layers are each called once",
                    node.name,
                    calls.len()
                )));
            }
        };
        let from = match read.data.as_slice() {
            [from] => *from,
            [] => {
                return Err(error(format!(
                    "layer `{}` is called on no tensor of the model",
                    node.name
                )));
            }
            many => {
                let names: Vec<String> = many.iter().map(|n| format!("`{n}`")).collect();
                return Err(error(format!(
                    "layer `{}` takes {} inputs ({}): the model merges branches; tinyrnn \
                     reads chains of one-input layers",
                    node.name,
                    many.len(),
                    names.join(", ")
                )));
            }
        };
        if let Some((key, source)) = read.other.first() {
            return Err(error(format!(
                "layer `{}` takes `{key}` from `{source}`: tinyrnn reads chains of one-input \
                 layers",
                node.name
            )));
        }
        let from = lookup(from, &format!("layer `{}` reads", node.name))?;
        if on_chain[from] {
            return Err(error(format!(
                "the layers form a cycle through `{}`",
                nodes[from].name
            )));
        }
        on_chain[from] = true;
        chain.push(from);
        at = from;
    }

    // The rest must compute masks for the chain: reached backwards from a chain layer's
    // `mask=` through what those operations read.
    let mut masks = vec![false; nodes.len()];
    let mut todo: Vec<&str> = chain
        .iter()
        .filter_map(|&i| reads[i].as_ref())
        .flat_map(|read| read.mask.iter().copied())
        .collect();
    while let Some(name) = todo.pop() {
        let i = lookup(name, "a mask is read from")?;
        if on_chain[i] || masks[i] {
            continue;
        }
        masks[i] = true;
        if let Some(read) = &reads[i] {
            todo.extend(read.data.iter().chain(&read.mask).copied());
            todo.extend(read.other.iter().map(|(_, name)| *name));
        }
    }
    if let Some(stray) = (0..nodes.len()).find(|&i| !on_chain[i] && !masks[i]) {
        let reads_chain = reads[stray].as_ref().and_then(|read| {
            read.data
                .iter()
                .find(|n| index.get(*n).is_some_and(|&j| on_chain[j]))
        });
        return Err(error(match reads_chain {
            Some(from) => format!(
                "the output of `{from}` also goes to `{}`, which does not lead to the output \
                 `{}`: the model branches; tinyrnn reads chains in which each layer feeds the \
                 next",
                nodes[stray].name, nodes[output].name
            ),
            None => format!(
                "layer `{}` is not on the path from the input `{}` to the output `{}`",
                nodes[stray].name, nodes[input].name, nodes[output].name
            ),
        }));
    }
    chain.reverse();
    Ok(Chain {
        input_name: nodes[input].name.to_owned(),
        input: nodes[input].entry,
        layers: chain[1..].iter().map(|&i| nodes[i].entry).collect(),
        operations: masks.contains(&true),
    })
}

/// The one layer named by `input_layers` or `output_layers`: `[name, node, tensor]`, a list
/// of them, or a dict of them (Keras 3 writes the structure the model was built with).
fn single_end(value: &Value, what: &str) -> Result<String, LoadError> {
    let mut tensors = Vec::new();
    collect_tensors(value, 0, &mut tensors)
        .map_err(|()| error(format!("the model's `{what}_layers` nest too deeply")))?;
    match tensors.as_slice() {
        [name] => Ok((*name).to_owned()),
        [] => Err(error(format!("the model config names no {what} layer"))),
        many => {
            let names: Vec<String> = many.iter().map(|n| format!("`{n}`")).collect();
            Err(error(format!(
                "the model has {} {what}s ({}); tinyrnn reads models with one {what}",
                many.len(),
                names.join(", ")
            )))
        }
    }
}

/// Every tensor reference `[layer, node, tensor]` (optionally followed by tf.keras's kwargs)
/// inside `value`: the layers it names. `Err` past [`MAX_ARGUMENT_DEPTH`].
fn collect_tensors<'a>(value: &'a Value, depth: usize, out: &mut Vec<&'a str>) -> Result<(), ()> {
    if depth > MAX_ARGUMENT_DEPTH {
        return Err(());
    }
    match value {
        Value::Array(items) => {
            if let Some(tensor) = tensor_ref(items) {
                out.push(tensor);
                // tf.keras's kwargs (the fourth item) may hold more tensors.
                if let Some(kwargs) = items.get(3) {
                    collect_tensors(kwargs, depth + 1, out)?;
                }
                return Ok(());
            }
            for item in items {
                collect_tensors(item, depth + 1, out)?;
            }
        }
        Value::Object(map) => {
            for item in map.values() {
                collect_tensors(item, depth + 1, out)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The layer named by `[name, node, tensor]` or `[name, node, tensor, {kwargs}]`.
fn tensor_ref(items: &[Value]) -> Option<&str> {
    match items {
        [Value::String(name), node, tensor]
        | [Value::String(name), node, tensor, Value::Object(_)] => {
            node.as_u64()?;
            tensor.as_u64()?;
            Some(name.as_str())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests;
