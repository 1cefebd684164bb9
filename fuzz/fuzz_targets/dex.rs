//! Fuzz target `dex`: see `exercise::dex` (fuzz/exercise.rs).
#![no_main]

#[path = "../exercise.rs"]
#[allow(dead_code)] // each target uses one of the shared functions
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| exercise::dex(data));
