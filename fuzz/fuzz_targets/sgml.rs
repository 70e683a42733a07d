//! The SGML collection parser on arbitrary text: never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twinwire::corpus::parse_sgml;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for record in parse_sgml(&text) {
        assert!(!record.text.contains('\u{0}'));
    }
});
