//! Fuzz target: see [`checks::model_file`] for what it feeds and asserts.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::model_file(data));
