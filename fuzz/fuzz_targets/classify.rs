//! Fuzz target: see [`checks::classify`] for what it feeds and asserts.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::classify(data));
