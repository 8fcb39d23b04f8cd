//! Fuzz target: see [`checks::segment`] for what it feeds and asserts.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::segment(data));
