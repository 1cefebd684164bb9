//! Fuzz target `elf`: see `exercise::elf` (fuzz/exercise.rs).
#![no_main]

#[path = "../exercise.rs"]
#[allow(dead_code)] // each target uses one of the shared functions
mod exercise;

libfuzzer_sys::fuzz_target!(|data: &[u8]| exercise::elf(data));
