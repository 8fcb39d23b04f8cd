//! Topic classification: linear models trained by the service's own
//! tooling, a built-in news model, and ad-hoc topics scored without a model.
//!
//! Everything reads the shared pipeline's [`crate::text::Document`] through
//! [`features`], so a request analyses its text once whichever way it is
//! classified.

pub mod adhoc;
pub mod data;
pub mod features;
pub mod linear;
pub mod metrics;
pub mod model;
pub mod registry;
pub mod train;

pub use model::{Model, ModelError, ModelMeta};
