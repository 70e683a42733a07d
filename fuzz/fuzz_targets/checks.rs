//! The invariants the fuzz targets check, shared with `tests/fuzz_regressions.rs`, which replays
//! every input a fuzzer once failed on. One function a target; each panics when its invariant breaks.
#![allow(dead_code)]

use std::sync::OnceLock;

use twinwire::corpus::{parse_sgml, read_stream, Compression, Format, ReadOptions};
use twinwire::crosslingual::align::{align, AlignParams};
use twinwire::crosslingual::pivot::Pivoter;
use twinwire::crosslingual::Lexicon;
use twinwire::fingerprint::Fingerprint;
use twinwire::text::{for_each_token, sentence_spans, words, TokenList};
use twinwire::Config;
use unicode_normalization::UnicodeNormalization;

/// The JSONL reader: never an error (not strict); every non-blank line is a document or a skip.
pub fn jsonl_reader(data: &[u8]) {
    let options = ReadOptions {
        keep_records: true,
        max_doc_bytes: 4096,
        allow_empty: true,
        ..ReadOptions::default()
    };
    let (mut docs, mut warnings) = (0usize, 0usize);
    let cursor = std::io::Cursor::new(data);
    let report = read_stream(
        Box::new(cursor),
        "fuzz",
        Some(Format::Jsonl),
        &options,
        &mut |_| docs += 1,
        &mut |_| warnings += 1,
    )
    .expect("not strict: never an error");
    assert_eq!(report.documents, docs);
    assert_eq!(report.warnings.values().sum::<usize>(), warnings);
    // Conservation: each non-blank line is read or skipped (a UTF-16 file is decoded first).
    // (Compressed input is decompressed first.)
    let plain = Compression::sniff(data) == Compression::None;
    if plain && !data.starts_with(b"\xFF\xFE") && !data.starts_with(b"\xFE\xFF") {
        let lines = data
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count();
        assert_eq!(docs + report.skipped_total(), lines);
    }
}

/// A reader of one format on arbitrary bytes: never an error when not strict, never a panic; every
/// document has a unique id; the report counts what was handed out.
fn reader_holds(data: &[u8], format: Format) {
    let options = ReadOptions {
        keep_records: true,
        keep_rejects: true,
        max_doc_bytes: 1 << 16,
        allow_empty: true,
        ..ReadOptions::default()
    };
    let mut ids = std::collections::HashSet::new();
    let mut warnings = 0usize;
    let report = read_stream(
        Box::new(std::io::Cursor::new(data)),
        "fuzz",
        Some(format),
        &options,
        &mut |d| assert!(ids.insert(d.id.clone()), "id {} twice", d.id),
        &mut |_| warnings += 1,
    )
    .expect("not strict: never an error");
    assert_eq!(report.documents, ids.len());
    assert_eq!(report.warnings.values().sum::<usize>(), warnings);
}

/// The Parquet reader (rows as JSON records). The `parquet` and `arrow` crates assert on some damage
/// they do not check; the reader catches those panics and reports a damaged file. What is checked
/// here is that no panic gets out of the reader: a panic inside its guarded decoding is let through
/// the fuzzer's abort-on-panic hook, any other is not.
pub fn parquet_reader(data: &[u8]) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let outer = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !twinwire::corpus::parquet::in_guarded_read() {
                outer(info)
            }
        }));
    });
    reader_holds(data, Format::Parquet);
}

/// The WARC reader (records, HTTP heads, HTML extraction).
pub fn warc_reader(data: &[u8]) {
    reader_holds(data, Format::Warc);
}

/// HTML pages: extraction, markup detection and stripping never panic.
pub fn html_page(data: &[u8]) {
    reader_holds(data, Format::Html);
    let text = String::from_utf8_lossy(data);
    let _ = twinwire::corpus::html::looks_like_html(&text);
    let _ = twinwire::corpus::html::strip(&text);
}

/// Folding and tokenizing: spans non-empty, on char boundaries, starting in order; the words do
/// not change under Unicode normalization; a token list (ASCII words read from a bitmap) has the
/// words and spans of the folding one character at a time.
pub fn tokenizer(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut last_start = 0;
    let mut one_by_one = Vec::new();
    for_each_token(text, |t| {
        assert!(t.span.0 >= last_start && t.span.0 < t.span.1 && t.span.1 <= text.len());
        assert!(text.is_char_boundary(t.span.0) && text.is_char_boundary(t.span.1));
        assert!(!t.folded.is_empty());
        last_start = t.span.0;
        one_by_one.push((t.folded.to_string(), t.span));
    });
    let list = TokenList::of(text);
    let listed: Vec<(String, (usize, usize))> = (0..list.len())
        .map(|i| (list.word(i).to_string(), list.span(i)))
        .collect();
    assert_eq!(listed, one_by_one);
    let nfd: String = text.nfd().collect();
    assert_eq!(words(text), words(&nfd));
    let f = Fingerprint::of_text(text, &Config::default());
    assert_eq!(f.is_empty(), words(text).is_empty());
}

/// The SGML collection parser: never panics, drops control characters.
pub fn sgml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    for record in parse_sgml(&text) {
        assert!(!record.text.contains('\u{0}'));
    }
}

fn pivoter() -> &'static Pivoter {
    static P: OnceLock<Pivoter> = OnceLock::new();
    P.get_or_init(|| Pivoter::new(vec![Lexicon::bundled_fr_en()]))
}

/// Sentence splitting, pivot and alignment: spans in order, apart, on char boundaries, each with a
/// letter or digit; coverages within [0, 1].
pub fn sentences(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
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
}
