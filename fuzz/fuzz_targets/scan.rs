//! Fuzz target `scan`: see `exercise::scan` (fuzz/exercise.rs).
#![no_main]

#[path = "../exercise.rs"]
#[allow(dead_code)] // each target uses one of the shared functions
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| exercise::scan(data));
