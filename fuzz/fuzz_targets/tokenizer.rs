//! Folding and tokenizing arbitrary text: never panics, spans lie on char boundaries in order, and
//! the words do not change under Unicode normalization.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twinwire::fingerprint::Fingerprint;
use twinwire::text::{for_each_token, words};
use twinwire::Config;
use unicode_normalization::UnicodeNormalization;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut last_end = 0;
    for_each_token(text, |t| {
        assert!(t.span.0 >= last_end && t.span.0 < t.span.1 && t.span.1 <= text.len());
        assert!(text.is_char_boundary(t.span.0) && text.is_char_boundary(t.span.1));
        assert!(!t.folded.is_empty());
        last_end = t.span.1;
    });
    let nfd: String = text.nfd().collect();
    assert_eq!(words(text), words(&nfd));
    let f = Fingerprint::of_text(text, &Config::default());
    assert_eq!(f.is_empty(), words(text).is_empty());
});
