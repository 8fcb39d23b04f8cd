//! textanalysis: extractive summaries, topic scores and document comparison,
//! as a plain Rust library and as a gRPC service.
//!
//! The analysis core ([`text`], [`summarize`]) knows nothing of gRPC: it takes
//! `&str` and options and returns domain types. The gRPC layer ([`service`])
//! validates proto messages, calls the core and maps errors to statuses once
//! ([`error`]); [`server`] assembles the server (health, reflection, layers,
//! shutdown) so that the binary and the tests start exactly the same thing.
//!
//! The gRPC layer, the configuration and the command line are the `server`
//! feature (on by default); without it the crate is the analysis core alone.
//! The sentence encoder ([`encoder`]) is the `semantic` feature (on by
//! default, and part of `server`): most of the dependency tree, which the
//! fuzz targets skip. The core's analyses reach it through the
//! [`semantic::Embedder`] trait, so they build without it.
// No unsafe code but a prefetch hint, allowed where it stands (`prefetch`),
// which cannot fault or read memory into the program.
#![deny(unsafe_code)]

pub mod classify;
#[cfg(feature = "server")]
pub mod commands;
pub mod compare;
#[cfg(feature = "server")]
pub mod config;
pub mod deadline;
pub mod dedup;
#[cfg(feature = "semantic")]
pub mod encoder;
#[cfg(feature = "server")]
pub mod error;
#[cfg(feature = "server")]
pub mod metrics;
pub mod offsets;
mod prefetch;
#[cfg(feature = "server")]
pub mod proto;
mod radix;
pub mod semantic;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod service;
pub mod summarize;
#[cfg(feature = "server")]
pub mod telemetry;
pub mod text;
