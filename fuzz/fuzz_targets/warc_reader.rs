//! Fuzz target: see `checks::warc_reader` for what it checks.
#![no_main]

#[path = "checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::warc_reader(data));
