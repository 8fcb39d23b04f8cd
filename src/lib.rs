//! textanalysis: extractive summaries, topic scores and document comparison,
//! as a plain Rust library and as a gRPC service.
//!
//! The analysis core ([`text`], [`summarize`]) knows nothing of gRPC: it takes
//! `&str` and options and returns domain types. The gRPC layer ([`service`])
//! validates proto messages, calls the core and maps errors to statuses once
//! ([`error`]); [`server`] assembles the server (health, reflection, layers,
//! shutdown) so that the binary and the tests start exactly the same thing.
#![forbid(unsafe_code)]

pub mod classify;
pub mod commands;
pub mod compare;
pub mod config;
pub mod deadline;
pub mod error;
pub mod metrics;
pub mod offsets;
pub mod proto;
pub mod server;
pub mod service;
pub mod summarize;
pub mod telemetry;
pub mod text;
