//! Dirty inputs: the run goes on, says what it skipped (file and line, what to do) and counts it;
//! `--strict` stops at the first problem with exit code 2. Nothing panics.

mod common;

use std::fs;
use std::io::Write;
use std::path::Path;

use common::{parse_pairs, run};

const ARTICLE: &str = "Bamako woke up around 5:00 a.m. to the sound of gunfire interspersed with explosions. \
    The Group for the Support of Islam and Muslims claimed responsibility for a double attack on the \
    military airport and the gendarmerie school a few minutes away.";

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn invalid_utf8_is_decoded_as_windows_1252_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut latin: Vec<u8> = ARTICLE.as_bytes().to_vec();
    latin.extend_from_slice(
        b" L\x92arm\xe9e a assur\xe9 que l\x92attaque avait \xe9t\xe9 d\xe9jou\xe9e.",
    );
    fs::write(dir.path().join("a.txt"), &latin).unwrap();
    let proper = format!("{ARTICLE} L’armée a assuré que l’attaque avait été déjouée.");
    fs::write(dir.path().join("b.txt"), proper).unwrap();
    let r = run(&["pairs", path(dir.path())]);
    assert_eq!(r.code, Some(0));
    assert!(
        r.stderr
            .contains("a.txt: not valid UTF-8; decoded as Windows-1252"),
        "{}",
        r.stderr
    );
    let found = parse_pairs(&r.stdout);
    assert_eq!(found.len(), 1);
    assert_eq!(
        found[0].relation, "exact",
        "the decoded text equals the UTF-8 one"
    );
}

#[test]
fn bad_jsonl_lines_are_skipped_named_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.jsonl");
    let lines = [
        format!(r#"{{"id": "ok1", "text": "{ARTICLE}"}}"#),
        r#"{"id": "broken", "text": "no closing brace""#.to_string(),
        r#"{"id": "notext", "body": "the text is under another name"}"#.to_string(),
        r#"["an", "array"]"#.to_string(),
        r#"{"id": "numtext", "text": 42}"#.to_string(),
        String::new(),
        r#"{"id": "empty", "text": "   "}"#.to_string(),
        format!(r#"{{"id": "ok2", "text": "{ARTICLE}"}}"#),
    ];
    fs::write(&file, lines.join("\n")).unwrap();
    let r = run(&["pairs", path(&file)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let f = path(&file);
    assert!(
        r.stderr.contains(&format!("{f}:2: not valid JSON")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!(
            "{f}:3: no \"text\" field; skipped. Name the field"
        )),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{f}:4: a JSON array where an object was expected")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{f}:5: field \"text\" is a number")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("read 3 documents (1 empty"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("rejected 4 records or files (malformed_json 1, not_an_object 1, missing_text 1, text_not_a_string 1"),
        "{}",
        r.stderr
    );
    let found = parse_pairs(&r.stdout);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].a.as_str(), found[0].b.as_str()), ("ok1", "ok2"));

    let strict = run(&["pairs", "--strict", path(&file)]);
    assert_eq!(strict.code, Some(2));
    assert!(
        strict.stderr.contains(&format!("{f}:2: not valid JSON")),
        "{}",
        strict.stderr
    );
    assert!(strict.stderr.contains("--strict"), "{}", strict.stderr);
    assert!(strict.stdout.is_empty());
}

#[test]
fn text_field_and_id_field_can_be_renamed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("dump.jsonl");
    let a = serde_json::json!({"url": "http://x/1", "body": ARTICLE, "headline": "Attack"});
    let b = serde_json::json!({"url": "http://x/2", "body": ARTICLE, "headline": "Attack"});
    fs::write(&file, format!("{a}\n{b}\n")).unwrap();
    let r = run(&[
        "pairs",
        "--id-field",
        "url",
        "--text-field",
        "body",
        "--title-field",
        "headline",
        path(&file),
    ]);
    let found = parse_pairs(&r.stdout);
    assert_eq!(found.len(), 1, "{}", r.stderr);
    assert_eq!(found[0].a, "http://x/1");
}

#[test]
fn missing_ids_become_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("noid.jsonl");
    let doc = serde_json::json!({ "text": ARTICLE });
    fs::write(&file, format!("{doc}\n{doc}\n")).unwrap();
    let r = run(&["pairs", path(&file)]);
    let found = parse_pairs(&r.stdout);
    assert_eq!(found[0].a, format!("{}:1", path(&file)));
    assert_eq!(found[0].b, format!("{}:2", path(&file)));
}

#[test]
fn empty_documents_are_counted_never_matched() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("a.txt", ""),
        ("b.txt", ""),
        ("c.txt", " \n -- \n"),
        ("d.txt", ARTICLE),
    ] {
        fs::write(dir.path().join(name), text).unwrap();
    }
    let r = run(&["pairs", path(dir.path())]);
    assert_eq!(r.code, Some(0));
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("read 4 documents (3 empty"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_input_is_an_error() {
    let r = run(&["pairs", "/definitely/not/here"]);
    assert_eq!(r.code, Some(2));
    assert!(r.stderr.contains("/definitely/not/here"), "{}", r.stderr);
}

#[test]
fn gzip_and_zstd_jsonl_are_read_and_truncated_streams_reported() {
    let dir = tempfile::tempdir().unwrap();
    let line = format!("{}\n", serde_json::json!({"id": "g", "text": ARTICLE}));
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    for i in 0..200 {
        gz.write_all(line.replace("\"g\"", &format!("\"g{i}\"")).as_bytes())
            .unwrap();
    }
    let gz = gz.finish().unwrap();
    fs::write(dir.path().join("a.jsonl.gz"), &gz).unwrap();
    let zst = zstd::encode_all(line.replace("\"g\"", "\"z\"").as_bytes(), 3).unwrap();
    fs::write(dir.path().join("b.jsonl.zst"), &zst).unwrap();
    let r = run(&["pairs", "--relations", "exact", path(dir.path())]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("read 201 documents"), "{}", r.stderr);
    assert_eq!(parse_pairs(&r.stdout).len(), 201 * 200 / 2);

    // Cut the gzip stream in half: what was read before the cut is kept, the rest reported.
    fs::write(dir.path().join("a.jsonl.gz"), &gz[..gz.len() / 2]).unwrap();
    let r = run(&["pairs", "--relations", "exact", path(dir.path())]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("a.jsonl.gz:"), "{}", r.stderr);
    assert!(
        r.stderr.contains("ends early (truncated download?)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("truncated_stream 1"), "{}", r.stderr);
}
