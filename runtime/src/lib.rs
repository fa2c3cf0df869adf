//! The runtime behind [tinyrnn](https://docs.rs/tinyrnn)'s `model!` macro.
//!
//! Everything here is `#![no_std]` and allocation-free: layers are structs of fixed-size
//! [`nalgebra`] matrices whose sizes are `const` generics, so a model is a plain struct of
//! weights that can live in flash. The macro composes these types; it never re-implements
//! their maths.
//!
//! Weights are laid out so that Keras's `get_weights()` arrays, flattened row-major, are
//! exactly the memory of each matrix: a Keras kernel of shape `(d, h)` is stored as an
//! `h x d` column-major matrix (its transpose), which makes `kernel * x` the layer's product.
//!
//! ```
//! use tinyrnn_runtime::layers::{Dense, Layer};
//! use tinyrnn_runtime::activations::Relu;
//! use tinyrnn_runtime::nalgebra::SVector;
//!
//! // Keras Dense(2, activation="relu") on 3 features: kernel (3, 2), bias (2,).
//! let w = [1.0, 0.0, 0.0, 1.0, 1.0, -1.0, 0.5, -0.5];
//! let dense = Dense::<3, 2, 2, Relu>::from_flat(&w)?;
//! let y = dense.step(&mut (), &SVector::from([1.0, 2.0, 3.0]));
//! assert_eq!(y, SVector::from([4.5, 0.0]));
//! # Ok::<(), tinyrnn_runtime::Error>(())
//! ```
#![no_std]
// Denied, and allowed in one place with its reason: the run-time choice of the matrix
// products' vector width (layers/kernel.rs, `wider`), where calling code compiled for CPU
// features that the build's target lacks needs `unsafe` after checking the CPU has them.
#![deny(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "std")]
extern crate std;

/// The square root of an `f32`, correctly rounded (IEEE 754) either way, so the same bits:
/// with `std` its `f32::sqrt`, which the compiler vectorises over a layer's units (`sqrtps`),
/// else `libm`'s (`core` has none on stable Rust), one unit at a time.
#[inline]
pub(crate) fn sqrt(x: f32) -> f32 {
    #[cfg(feature = "std")]
    {
        x.sqrt()
    }
    #[cfg(not(feature = "std"))]
    {
        libm::sqrtf(x)
    }
}

pub mod activations;
mod aligned;
mod error;
pub mod layers;
mod model;
mod summary;
pub mod train;

pub use aligned::Aligned;
pub use error::Error;
pub use layers::Layer;
pub use model::{Model, Streamable, Trainable};
pub use nalgebra;
pub use summary::{LayerSummary, OptimizerParams, OutputShape, Summary, WeightSpec};
