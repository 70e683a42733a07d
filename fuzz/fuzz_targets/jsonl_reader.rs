//! The JSONL reader on arbitrary bytes: never panics; every non-blank line is a document or a warning.
#![no_main]

use libfuzzer_sys::fuzz_target;
use twinwire::corpus::{read_jsonl_stream, ReadOptions};

fuzz_target!(|data: &[u8]| {
    let options = ReadOptions {
        keep_records: true,
        max_doc_bytes: 4096,
        ..ReadOptions::default()
    };
    let (mut docs, mut warnings) = (0usize, 0usize);
    let mut cursor = std::io::Cursor::new(data);
    let report = read_jsonl_stream(&mut cursor, "fuzz", &options, &mut |_| docs += 1, &mut |_| warnings += 1)
        .expect("not strict: never an error");
    assert_eq!(report.documents, docs);
    assert_eq!(report.warnings.values().sum::<usize>(), warnings);
    // Conservation: each non-blank line is read or skipped (a UTF-16 file is decoded first).
    if !data.starts_with(b"\xFF\xFE") && !data.starts_with(b"\xFE\xFF") {
        let lines = data
            .split(|&b| b == b'\n')
            .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
            .count();
        assert_eq!(docs + report.skipped_total(), lines);
    }
});
