//! Every input a fuzzer once failed on (tests/fuzz_regressions/TARGET/*), replayed through the same
//! checks as the fuzz targets (fuzz/fuzz_targets/checks.rs). How to fuzz: README "Fuzzing".

#[path = "../fuzz/fuzz_targets/checks.rs"]
mod checks;

use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_regressions")
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return;
    };
    let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let result = std::panic::catch_unwind(|| check(&data));
        assert!(
            result.is_ok(),
            "{} fails its fuzz check again",
            file.display()
        );
    }
}

#[test]
fn jsonl_reader() {
    replay("jsonl_reader", checks::jsonl_reader);
}

#[test]
fn tokenizer() {
    replay("tokenizer", checks::tokenizer);
}

#[test]
fn sgml() {
    replay("sgml", checks::sgml);
}

#[test]
fn sentences() {
    replay("sentences", checks::sentences);
}

#[test]
fn parquet_reader() {
    replay("parquet_reader", checks::parquet_reader);
}

#[test]
fn warc_reader() {
    replay("warc_reader", checks::warc_reader);
}

#[test]
fn html_page() {
    replay("html_page", checks::html_page);
}
