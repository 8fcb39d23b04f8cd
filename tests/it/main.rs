//! The integration tests, one binary: each module tests one concern
//! through the real server, the real binary or the library's public API.
//! One binary links the crate and its dependencies once, not once a file:
//! on a small machine, linking and the disk it takes dominated a test
//! build. `cargo test --test it MODULE` runs one module's tests.

mod common;

mod analyze;
mod binary;
mod classify;
mod client_mistakes;
mod compare;
mod compare_semantic;
mod compression;
mod deadlines;
mod embed;
#[cfg(feature = "semantic")]
mod embed_static;
#[cfg(feature = "semantic")]
mod encoder;
mod errors;
mod fuzz_regressions;
mod health;
mod language;
mod memory;
mod metrics;
mod overload;
mod properties;
mod reflection;
mod segmentation;
mod semantic_summary;
mod semantic_train;
mod shutdown;
mod slow_clients;
mod stream;
mod summarize;
mod tls;
mod traces;
mod wire_pair;
mod zero_shot;
