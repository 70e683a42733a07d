//! Hostile inputs from issue 5, one test each: what twinwire does is documented in README "Messages
//! and exit codes" and in TESTING.md. The run goes on, names what it skipped, counts it, and with
//! `--strict` stops with exit code 2. No panic, ever.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{parse_pairs, run, twinwire, Run};

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn article(n: usize) -> String {
    (0..n)
        .map(|i| format!("word{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Runs `pairs` on `dir` normally and with `--strict`; returns the normal run.
fn run_both(dir: &Path, expect_in_stderr: &str) -> Run {
    let normal = run(&["pairs", p(dir)]);
    assert_eq!(normal.code, Some(0), "{}", normal.stderr);
    assert!(
        normal.stderr.contains(expect_in_stderr),
        "{}",
        normal.stderr
    );
    let strict = run(&["pairs", "--strict", p(dir)]);
    assert_eq!(strict.code, Some(2), "{}", strict.stderr);
    assert!(
        strict.stderr.contains(expect_in_stderr),
        "{}",
        strict.stderr
    );
    normal
}

#[test]
fn utf16_files_with_a_bom_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("L’armée {}", article(40));
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    fs::write(dir.path().join("le.txt"), le).unwrap();
    fs::write(dir.path().join("be.txt"), be).unwrap();
    fs::write(dir.path().join("utf8.txt"), &text).unwrap();
    let r = run_both(dir.path(), "UTF-16 (byte-order mark found); decoded");
    assert_eq!(
        parse_pairs(&r.stdout)
            .iter()
            .filter(|p| p.relation == "exact")
            .count(),
        3
    );
}

#[test]
fn binary_files_and_nul_bytes_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("image.txt"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .unwrap();
    fs::write(dir.path().join("ok.txt"), article(30)).unwrap();
    let r = run_both(
        dir.path(),
        "image.txt: contains NUL bytes: not a text file; skipped",
    );
    assert!(r.stderr.contains("read 1 documents"), "{}", r.stderr);
    assert!(r.stderr.contains("binary 1"), "{}", r.stderr);
}

#[test]
fn unsupported_files_in_a_directory_are_named() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.docx"), "x").unwrap();
    fs::write(dir.path().join("ok.txt"), article(30)).unwrap();
    run_both(
        dir.path(),
        "notes.docx: a file type twinwire does not read in a folder",
    );
}

#[test]
fn a_huge_document_is_cut_with_a_warning_and_a_huge_line_skipped() {
    let dir = tempfile::tempdir().unwrap();
    // 200 MB of text in one file: read up to --max-doc-bytes (16 MiB by default), the rest dropped.
    let big = dir.path().join("big.txt");
    let mut f = fs::File::create(&big).unwrap();
    let chunk = "Bamako attack report continues with more words here. ".repeat(1000);
    while f.metadata().unwrap().len() < 200_000_000 {
        f.write_all(chunk.as_bytes()).unwrap();
    }
    drop(f);
    let r = run(&["pairs", p(dir.path())]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("big.txt: longer than --max-doc-bytes (16777216)"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("read 1 documents (0 empty, 16.8 MB)"),
        "{}",
        r.stderr
    );
    fs::remove_file(&big).unwrap();

    // The same limit, made small, for a JSONL line: that record is skipped and named.
    let jsonl = dir.path().join("lines.jsonl");
    let long = serde_json::json!({"id": "long", "text": article(5000)});
    let short = serde_json::json!({"id": "short", "text": article(30)});
    fs::write(&jsonl, format!("{short}\n{long}\n{short}\n")).unwrap();
    let r = run(&["pairs", "--max-doc-bytes", "10000", p(&jsonl)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("lines.jsonl:2: line of"), "{}", r.stderr);
    assert!(r.stderr.contains("Raise --max-doc-bytes"), "{}", r.stderr);
    assert!(r.stderr.contains("line_too_long 1"), "{}", r.stderr);
    // The records after the long line are still read, with their own line numbers.
    assert!(r.stderr.contains("duplicate_id 1"), "{}", r.stderr);
}

#[test]
fn odd_id_and_title_fields() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ids.jsonl");
    let t = article(30);
    let lines = [
        serde_json::json!({"id": 17, "text": t}),
        serde_json::json!({"id": {"nested": true}, "text": t}),
        serde_json::json!({"id": "dup", "text": t}),
        serde_json::json!({"id": "dup", "text": t}),
        serde_json::json!({"id": "dup#2", "text": t, "title": ["not", "a", "string"]}),
    ];
    fs::write(
        &file,
        lines
            .iter()
            .map(|l| l.to_string() + "\n")
            .collect::<String>(),
    )
    .unwrap();
    let r = run_both(dir.path(), "ids.jsonl:2: field \"id\" is a object");
    let f = p(&file);
    assert!(r.stderr.contains(&format!("{f}:4: id \"dup\" was already used by an earlier document; this one is renamed \"dup#2\"")), "{}", r.stderr);
    assert!(
        r.stderr
            .contains(&format!("{f}:5: id \"dup#2\" was already used")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{f}:5: field \"title\" is a array")),
        "{}",
        r.stderr
    );
    let ids: std::collections::BTreeSet<String> = parse_pairs(&r.stdout)
        .into_iter()
        .flat_map(|p| [p.a, p.b])
        .collect();
    let expected: std::collections::BTreeSet<String> =
        ["17", &format!("{f}:2"), "dup", "dup#2", "dup#2#2"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    assert_eq!(ids, expected, "every record kept, under a unique id");
}

#[test]
fn truncated_zstd_keeps_what_was_read() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..2000)
        .map(|i| {
            serde_json::json!({"id": format!("z{i}"), "text": article(20 + i % 50)}).to_string()
                + "\n"
        })
        .collect();
    let zst = zstd::encode_all(lines.as_bytes(), 3).unwrap();
    fs::write(dir.path().join("dump.jsonl.zst"), &zst[..zst.len() * 2 / 3]).unwrap();
    let r = run_both(dir.path(), "dump.jsonl.zst:");
    assert!(
        r.stderr.contains("ends early (truncated download?)"),
        "{}",
        r.stderr
    );
    let read: usize = r
        .stderr
        .split("read ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        read > 100 && read < 2000,
        "{read} documents read before the break"
    );
}

#[cfg(unix)]
#[test]
fn unreadable_entries_symlink_loops_and_fifos_are_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("ok.txt"), article(30)).unwrap();
    fs::create_dir(d.join("sub")).unwrap();
    fs::write(d.join("sub/ok2.txt"), article(30)).unwrap();
    std::os::unix::fs::symlink(d, d.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(d.join("missing.txt"), d.join("dangling.txt")).unwrap();
    let fifo = std::process::Command::new("mkfifo")
        .arg(d.join("pipe.txt"))
        .status();
    let has_fifo = fifo.map(|s| s.success()).unwrap_or(false);

    let r = run(&["pairs", p(d)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("a link here leads back to a directory already being read"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("dangling.txt: cannot read"),
        "{}",
        r.stderr
    );
    if has_fifo {
        assert!(
            r.stderr.contains("pipe.txt: not a regular file"),
            "{}",
            r.stderr
        );
    }
    assert!(r.stderr.contains("read 2 documents"), "{}", r.stderr);
    assert_eq!(parse_pairs(&r.stdout).len(), 1);
    assert_eq!(run(&["pairs", "--strict", p(d)]).code, Some(2));
}

#[test]
fn an_empty_input_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing read is an error (a cron job must not publish an empty corpus) ...
    let r = run(&["pairs", p(dir.path())]);
    assert_eq!(r.code, Some(2));
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr
            .contains("error: no documents were read: the inputs hold no file twinwire reads"),
        "{}",
        r.stderr
    );
    // ... unless it is expected.
    let r = run(&["pairs", "--allow-empty", p(dir.path())]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: input: no documents were read"),
        "{}",
        r.stderr
    );
    // An empty file too.
    fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    let r = run(&["pairs", p(dir.path())]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("no documents were read"));
}

#[test]
fn a_killed_dedupe_leaves_no_half_written_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let lines: String = (0..60_000)
        .map(|i| {
            serde_json::json!({"id": format!("d{i}"), "text": article(60 + i % 40)}).to_string()
                + "\n"
        })
        .collect();
    fs::write(&input, lines).unwrap();
    let out = dir.path().join("out");
    fs::create_dir(&out).unwrap();
    let kept = out.join("kept.jsonl");
    let mut child = twinwire()
        .args(["dedupe", p(&input), "-o", p(&kept), "--quiet"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    child.kill().unwrap();
    let status = child.wait().unwrap();
    if status.success() {
        // It finished first: then the output is whole (40 distinct texts, one kept for each).
        let text = fs::read_to_string(&kept).unwrap();
        assert!(text.ends_with('\n'));
        assert_eq!(
            text.lines()
                .filter(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
                .count(),
            40
        );
    } else {
        assert!(!kept.exists(), "a killed run left {}", kept.display());
    }
}

/// A WARC response record holding `text` as an HTML page.
fn warc_page(uri: &str, text: &str) -> Vec<u8> {
    let http = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body><article><p>{text}</p></article></body></html>"
    );
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    r.extend_from_slice(http.as_bytes());
    r.extend_from_slice(b"\r\n\r\n");
    r
}

#[test]
fn a_truncated_warc_keeps_the_records_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let mut warc = warc_page("https://a.example/1", &article(80));
    warc.extend(warc_page("https://b.example/1", &article(80)));
    let third = warc_page("https://c.example/1", &article(90));
    warc.extend_from_slice(&third[..third.len() / 2]);
    // Gzip members per record, the last one cut short as by an interrupted download.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&warc).unwrap();
    let bytes = gz.finish().unwrap();
    fs::write(dir.path().join("crawl.warc.gz"), &bytes[..bytes.len() - 20]).unwrap();
    let r = run_both(dir.path(), "crawl.warc.gz:3: WARC record 3");
    assert!(
        r.stderr.contains("the 2 records before it were read"),
        "{}",
        r.stderr
    );
    let found = parse_pairs(&r.stdout);
    assert_eq!(found.len(), 1, "{}", r.stderr);
    assert_eq!(found[0].relation, "exact");
}

#[test]
fn a_damaged_parquet_file_is_skipped_and_named() {
    let dir = tempfile::tempdir().unwrap();
    // Not Parquet at all, under a Parquet name (a cut file is the fuzz target parquet_reader's work).
    fs::write(
        dir.path().join("a.parquet"),
        b"PAR1 this is not a parquet file",
    )
    .unwrap();
    let good = dir.path().join("good.jsonl");
    common::write_jsonl(
        &good,
        &[("x".into(), article(60)), ("y".into(), article(60))],
    );
    let r = run_both(dir.path(), "a.parquet: not a readable Parquet file");
    assert_eq!(parse_pairs(&r.stdout).len(), 1);
    assert!(r.stderr.contains("bad_parquet 1"), "{}", r.stderr);
}

#[test]
fn a_json_array_broken_midway_keeps_the_records_before() {
    let dir = tempfile::tempdir().unwrap();
    let a = serde_json::json!({"id": "a", "text": article(60)}).to_string();
    let b = serde_json::json!({"id": "b", "text": article(60)}).to_string();
    fs::write(
        dir.path().join("d.json"),
        format!("[{a},\n{b},\n{{\"id\": \"c\", \"text\": \"unterminated]"),
    )
    .unwrap();
    let r = run_both(dir.path(), "d.json:3: not a valid JSON array here");
    assert!(
        r.stderr.contains("the 2 records before it were read"),
        "{}",
        r.stderr
    );
    assert_eq!(parse_pairs(&r.stdout).len(), 1);
}

#[test]
fn html_files_that_are_not_pages_do_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("empty.html"), "").unwrap();
    fs::write(
        dir.path().join("binary.html"),
        [0u8, 159, 146, 150, 0, 1, 2],
    )
    .unwrap();
    fs::write(dir.path().join("tags.html"), "<<<<>>>></p></div><script>").unwrap();
    fs::write(dir.path().join("a.txt"), article(50)).unwrap();
    fs::write(dir.path().join("b.txt"), article(50)).unwrap();
    let r = run_both(dir.path(), "binary.html: contains NUL bytes");
    assert_eq!(parse_pairs(&r.stdout).len(), 1);
    assert!(
        r.stderr.contains("read 4 documents (2 empty"),
        "{}",
        r.stderr
    );
}

#[test]
fn parquet_files_the_fuzzer_broke_are_reported_without_a_panic_message() {
    let dir = common::root().join("tests/fuzz_regressions/parquet_reader");
    for entry in fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // `run` fails the test if "panicked" shows on stderr.
        let r = run(&["pairs", "--format", "parquet", "--allow-empty", p(&path)]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        assert!(r.stderr.contains("bad_parquet 1"), "{}", r.stderr);
    }
}
