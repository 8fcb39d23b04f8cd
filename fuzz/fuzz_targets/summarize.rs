//! Fuzz target: see [`checks::summarize`] for what it feeds and asserts.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::summarize(data));
