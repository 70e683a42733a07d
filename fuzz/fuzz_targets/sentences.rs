//! The sentence splitter, the pivot representation and the alignment on arbitrary text: never
//! panics; sentence spans are in order, apart, on char boundaries, and hold a letter or digit.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use twinwire::crosslingual::align::{align, AlignParams};
use twinwire::crosslingual::pivot::Pivoter;
use twinwire::crosslingual::Lexicon;
use twinwire::text::sentence_spans;

fn pivoter() -> &'static Pivoter {
    static P: OnceLock<Pivoter> = OnceLock::new();
    P.get_or_init(|| Pivoter::new(vec![Lexicon::bundled_fr_en()]))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut last = 0;
    for (a, b) in sentence_spans(text) {
        assert!(a >= last && a < b && b <= text.len());
        assert!(text.is_char_boundary(a) && text.is_char_boundary(b));
        assert!(text[a..b].chars().any(char::is_alphanumeric));
        last = b;
    }
    let fr = pivoter().pivot(text, "fr").expect("French is supported");
    let en = pivoter().pivot(text, "en").expect("English is supported");
    let al = align(&fr, &en, &AlignParams::default());
    assert!((0.0..=1.0).contains(&al.coverage_a) && (0.0..=1.0).contains(&al.coverage_b));
});
