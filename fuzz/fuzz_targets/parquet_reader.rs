//! Fuzz target: see `checks::parquet_reader` for what it checks.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::parquet_reader(data));
