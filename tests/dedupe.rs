//! `twinwire dedupe`: one representative per cluster, every record exactly once in KEPT or REMOVED,
//! records written back byte for byte.

mod common;

use std::fs;

use common::{root, twinwire};
use serde_json::Value;

fn words(range: std::ops::Range<usize>) -> String {
    range.map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")
}

fn lines(path: &std::path::Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(String::from)
        .collect()
}

/// A dump with copies, an excerpt, a chain, and unrelated articles; records carry extra fields and
/// an unusual key order that must survive.
fn dirty_dump() -> Vec<String> {
    let rec = |id: &str, text: &str| {
        format!(r#"{{"src":"site","text":"{text}","id":"{id}","n":[1, 2]}}"#)
    };
    vec![
        rec("orig", &words(0..300)),
        rec("resent", &(words(0..290) + " correction")), // near-duplicate of orig
        rec("copy", &words(0..300)),                     // exact copy of orig
        rec("excerpt", &words(100..200)),                // contained in orig
        rec("other", &words(1000..1300)),                // unrelated
        // A chain: c1 ~ c2 ~ c3 but c1 is far from c3.
        rec("c1", &words(2000..2300)),
        rec("c2", &(words(2000..2210) + " " + &words(2500..2620))),
        rec("c3", &(words(2100..2210) + " " + &words(2500..2700))),
        r#"{"id": "bad", "text": "#.to_string(),
        rec("empty", ""),
    ]
}

#[test]
fn every_record_ends_up_once_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dump.jsonl");
    let dump = dirty_dump();
    fs::write(&input, dump.join("\n") + "\n").unwrap();
    let (kept, removed, clusters) = (
        dir.path().join("kept.jsonl"),
        dir.path().join("removed.jsonl"),
        dir.path().join("clusters.jsonl"),
    );
    let rejects = dir.path().join("rejects.jsonl");
    let out = twinwire()
        .args([
            "dedupe",
            input.to_str().unwrap(),
            "-o",
            kept.to_str().unwrap(),
        ])
        .args([
            "--removed",
            removed.to_str().unwrap(),
            "--clusters",
            clusters.to_str().unwrap(),
            "--rejects",
            rejects.to_str().unwrap(),
            "--keep",
            "longest",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The broken line is in the rejects file, raw, with its place and reason.
    let rejected: Vec<serde_json::Value> = lines(&rejects)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rejected.len(), 1);
    assert_eq!(rejected[0]["raw"], dump[8].as_str());
    assert_eq!(rejected[0]["line"], 9);
    assert_eq!(rejected[0]["kind"], "malformed_json");
    assert!(rejected[0]["file"]
        .as_str()
        .unwrap()
        .ends_with("dump.jsonl"));
    assert!(
        stderr.contains("conservation checked: 10 lines in = ")
            && stderr.contains(" removed + 1 rejected"),
        "{stderr}"
    );
    assert!(stderr.contains("malformed_json 1"), "{stderr}");

    let kept_lines = lines(&kept);
    let removed_lines = lines(&removed);
    // Every readable input record is in exactly one file, unchanged.
    let readable: Vec<&String> = dump.iter().filter(|l| !l.contains("\"bad\"")).collect();
    let mut seen: Vec<String> = kept_lines.clone();
    for l in &removed_lines {
        let v: Value = serde_json::from_str(l).unwrap();
        let start = l.find(",\"record\":").unwrap() + ",\"record\":".len();
        let record = &l[start..l.len() - 1];
        assert_eq!(serde_json::from_str::<Value>(record).unwrap(), v["record"]);
        seen.push(record.to_string());
    }
    seen.sort();
    let mut expected: Vec<String> = readable.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(seen, expected);

    let removed_ids: Vec<(String, String, String)> = removed_lines
        .iter()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("id"), s("duplicate_of"), s("relation"))
        })
        .collect();
    assert!(
        removed_ids.contains(&("copy".into(), "orig".into(), "exact".into())),
        "{removed_ids:?}"
    );
    assert!(
        removed_ids.contains(&("resent".into(), "orig".into(), "near_duplicate".into())),
        "{removed_ids:?}"
    );
    assert!(
        removed_ids.contains(&("excerpt".into(), "orig".into(), "containment".into())),
        "{removed_ids:?}"
    );
    // The chain is cut: the longest (c2) is kept and absorbs both ends only if each is related to it.
    for (id, rep, _) in &removed_ids {
        if id.starts_with('c') && id != "copy" {
            assert_eq!(rep, "c2", "{removed_ids:?}");
        }
    }
    assert!(kept_lines.iter().any(|l| l.contains("\"id\":\"other\"")));
    assert!(kept_lines.iter().any(|l| l.contains("\"id\":\"empty\"")));

    let clusters: Vec<Value> = lines(&clusters)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let orig = clusters
        .iter()
        .find(|c| c["representative"] == "orig")
        .expect("a cluster for orig");
    assert_eq!(
        orig["members"],
        serde_json::json!(["orig", "resent", "copy", "excerpt"])
    );
    assert!(orig["min_similarity"].as_f64().unwrap() < 1.0);
}

#[test]
fn keep_first_keeps_the_first_copy_but_never_an_excerpt_over_its_source() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dump.jsonl");
    let rec = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string();
    let dump = [
        rec("excerpt", &words(100..200)),
        rec("short", &words(0..280)),
        rec("long", &words(0..300)),
    ];
    fs::write(&input, dump.join("\n")).unwrap();
    let (kept, removed) = (
        dir.path().join("kept.jsonl"),
        dir.path().join("removed.jsonl"),
    );
    let out = twinwire()
        .args([
            "dedupe",
            "--keep",
            "first",
            input.to_str().unwrap(),
            "-o",
            kept.to_str().unwrap(),
            "--removed",
            removed.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept = fs::read_to_string(&kept).unwrap();
    assert!(kept.contains("\"short\""), "{kept}");
    assert!(!kept.contains("\"excerpt\""), "{kept}");
}

#[test]
fn text_files_are_written_as_id_and_text() {
    let dir = tempfile::tempdir().unwrap();
    let kept = dir.path().join("kept.jsonl");
    let out = twinwire()
        .args([
            "dedupe",
            root().join("corpus/bamako").to_str().unwrap(),
            "-o",
            kept.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let kept: Vec<Value> = lines(&kept)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(kept.len(), 5);
    let original =
        fs::read_to_string(root().join("corpus/bamako/003_f6ecd4630458bc2b.txt")).unwrap();
    assert_eq!(kept[3]["id"], "003_f6ecd4630458bc2b");
    assert_eq!(kept[3]["text"], original.as_str());
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("dump.jsonl");
    fs::write(&input, dirty_dump().join("\n")).unwrap();
    let before = fs::read(&input).unwrap();
    let out = twinwire()
        .args([
            "dedupe",
            input.to_str().unwrap(),
            "-o",
            input.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("this output is also an input"));
    assert_eq!(fs::read(&input).unwrap(), before);
    // Inside an input directory counts too.
    let out = twinwire()
        .args([
            "dedupe",
            dir.path().to_str().unwrap(),
            "-o",
            dir.path().join("kept.jsonl").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
