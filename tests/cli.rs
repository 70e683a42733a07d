//! The command line as a contract: stdin, output files, exit codes, pipes, determinism.

mod common;

use std::io::{Read, Write};
use std::process::Stdio;

use common::{root, twinwire};

fn bamako() -> String {
    root().join("corpus/bamako").to_str().unwrap().to_string()
}

fn words(range: std::ops::Range<usize>) -> String {
    range.map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")
}

#[test]
fn reads_jsonl_from_stdin() {
    let mut child = twinwire()
        .args(["pairs", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let doc = serde_json::json!({"text": words(0..50)});
    write!(child.stdin.take().unwrap(), "{doc}\n{doc}\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(r#""a":"<stdin>:1","b":"<stdin>:2","relation":"exact""#),
        "{stdout}"
    );
}

#[test]
fn writes_the_same_pairs_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("in.jsonl");
    let docs: String = (0..4)
        .map(|i| {
            serde_json::json!({"id": format!("d{i}"), "text": words(0..100 + i)}).to_string() + "\n"
        })
        .collect();
    std::fs::write(&file, docs).unwrap();
    let out_file = dir.path().join("pairs.jsonl");
    let to_stdout = twinwire()
        .args(["pairs", file.to_str().unwrap()])
        .output()
        .unwrap();
    let to_file = twinwire()
        .args([
            "pairs",
            file.to_str().unwrap(),
            "-o",
            out_file.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(to_file.status.success() && to_file.stdout.is_empty());
    assert_eq!(std::fs::read(&out_file).unwrap(), to_stdout.stdout);
    assert_eq!(to_stdout.stdout.iter().filter(|&&b| b == b'\n').count(), 6);
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.jsonl");
    // 300 copies: 44,850 exact pairs, far more than a pipe buffer holds.
    let doc = serde_json::json!({"text": words(0..30)}).to_string() + "\n";
    std::fs::write(&file, doc.repeat(300)).unwrap();
    let mut child = twinwire()
        .args(["pairs", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("error"),
        "{stderr}"
    );
}

#[test]
fn bad_options_are_errors_with_exit_code_2() {
    for args in [
        vec!["pairs", "--threshold", "1.5"],
        vec!["pairs", "--relations", "exact,cousin"],
        vec!["pairs", "--shingle-size", "0"],
        vec!["pairs", "--threads", "0"],
    ] {
        let out = twinwire().args(&args).arg(bamako()).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.starts_with("twinwire: error: --"),
            "{args:?}: {stderr}"
        );
    }
    // clap's own usage errors also exit with 2.
    let out = twinwire().args(["pairs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_output_does_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ties.jsonl");
    // Many ties: exact copies, equal-length near-duplicates, excerpts of equal length.
    let mut docs = String::new();
    for i in 0..120 {
        let base = (i % 7) * 1000;
        let text = match i % 4 {
            0 => words(base..base + 200),
            1 => words(base..base + 190) + " x",
            2 => words(base + 50..base + 120),
            _ => words(base..base + 200),
        };
        docs += &(serde_json::json!({"id": format!("d{i}"), "text": text}).to_string() + "\n");
    }
    std::fs::write(&file, docs).unwrap();
    let run = |threads: &str, cmd: &str| {
        let kept = dir.path().join(format!("kept-{threads}.jsonl"));
        let clusters = dir.path().join(format!("clusters-{threads}.jsonl"));
        let out = if cmd == "pairs" {
            twinwire()
                .args(["pairs", "--threads", threads, file.to_str().unwrap()])
                .output()
                .unwrap()
                .stdout
        } else {
            let o = twinwire()
                .args([
                    "dedupe",
                    "--threads",
                    threads,
                    file.to_str().unwrap(),
                    "-o",
                    kept.to_str().unwrap(),
                ])
                .args(["--clusters", clusters.to_str().unwrap()])
                .output()
                .unwrap();
            assert!(o.status.success());
            [
                std::fs::read(&kept).unwrap(),
                std::fs::read(&clusters).unwrap(),
            ]
            .concat()
        };
        assert!(!out.is_empty());
        out
    };
    for cmd in ["pairs", "dedupe"] {
        let one = run("1", cmd);
        assert!(one.len() > 1000);
        for threads in ["2", "8"] {
            assert!(
                run(threads, cmd) == one,
                "{cmd} with {threads} threads differs from 1 thread"
            );
        }
        assert!(run("2", cmd) == run("2", cmd), "{cmd}: two runs differ");
    }
}

#[test]
fn spilling_fingerprints_to_disk_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let spill_dir = dir.path().join("spill");
    std::fs::create_dir(&spill_dir).unwrap();
    let file = dir.path().join("docs.jsonl");
    // Copies, near-duplicates and excerpts, with the sample's translation beside them.
    let mut docs = String::new();
    for i in 0..300 {
        let base = (i % 11) * 1000;
        let text = match i % 5 {
            0 => words(base..base + 300),
            1 => words(base..base + 280) + " x y z",
            2 => words(base + 40..base + 140),
            3 => words(base + i * 3..base + i * 3 + 90),
            _ => words(base..base + 300),
        };
        docs += &(serde_json::json!({"id": format!("d{i}"), "text": text}).to_string() + "\n");
    }
    std::fs::write(&file, docs).unwrap();
    let inputs = [file.to_str().unwrap().to_string(), bamako()];
    let run = |cmd: &str, extra: &[&str]| -> (Vec<u8>, String) {
        let kept = dir.path().join("kept.jsonl");
        let mut args: Vec<&str> = vec![cmd];
        args.extend(inputs.iter().map(String::as_str));
        if cmd == "dedupe" {
            args.extend(["--keep", "core", "-o", kept.to_str().unwrap()]);
        }
        let out = twinwire().args(&args).args(extra).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written = if cmd == "dedupe" {
            std::fs::read(&kept).unwrap()
        } else {
            out.stdout
        };
        (written, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    for cmd in ["pairs", "dedupe"] {
        let (whole, said) = run(cmd, &[]);
        assert!(whole.len() > 1000);
        assert!(!said.contains("temporary file"), "{said}");
        let spill_dir = spill_dir.to_str().unwrap();
        for threads in ["1", "2"] {
            let args = [
                "--memory-limit",
                "1K",
                "--temp-dir",
                spill_dir,
                "--threads",
                threads,
            ];
            let (spilled, said) = run(cmd, &args);
            assert!(said.contains("went to a temporary file"), "{said}");
            assert!(
                spilled == whole,
                "{cmd} spilled on {threads} threads differs"
            );
        }
    }
    // The sample's translation is found from spilled fingerprints too.
    let (pairs, _) = run("pairs", &["--memory-limit", "1K"]);
    assert!(String::from_utf8_lossy(&pairs).contains(r#""relation":"translation""#));
    // The temporary file is unnamed: nothing is left behind.
    assert_eq!(std::fs::read_dir(&spill_dir).unwrap().count(), 0);
}

#[test]
fn a_memory_limit_must_be_a_size() {
    for bad in ["12Q", "G", "0", "1.5.5G"] {
        let out = twinwire()
            .args(["pairs", &bamako(), "--memory-limit", bad])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("--memory-limit") && said.contains("4G"),
            "{bad}: {said}"
        );
    }
    let out = twinwire()
        .args(["pairs", &bamako(), "--memory-limit", "none", "-q"])
        .output()
        .unwrap();
    assert!(out.status.success());
}
