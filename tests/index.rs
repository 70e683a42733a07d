//! `twinwire index`: the pairs of batches added one by one are those of one run over all of them;
//! a killed `add` leaves the index as it was; one writer at a time; damaged files are named.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use common::{root, shared_data, twinwire};

fn sample(name: &str) -> String {
    let dir = root().join("corpus/bamako");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_str().unwrap().starts_with(name))
        .unwrap();
    file.to_str().unwrap().to_string()
}

fn run(args: &[&str]) -> Output {
    twinwire().args(args).output().unwrap()
}

fn run_ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn lines(bytes: &[u8]) -> BTreeSet<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(String::from)
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Adds `batches` one by one to a new index and checks that the pairs of every `add`, together,
/// are the lines `twinwire pairs` writes over all the batches in order.
fn same_as_one_run(batches: &[Vec<String>], dir: &Path) {
    let index = dir.join("index");
    let mut union = BTreeSet::new();
    let mut every_pair = 0;
    for (n, batch) in batches.iter().enumerate() {
        let out = dir.join(format!("pairs-{n}.jsonl"));
        let verb = if n == 0 { "create" } else { "add" };
        let mut args = vec!["index", verb, "-q", s(&index)];
        args.extend(batch.iter().map(String::as_str));
        args.extend(["-o", s(&out)]);
        run_ok(&args);
        // Later adds take this batch's documents from its stored features.
        let features = index.join(format!("batch-{:06}.features", n + 1));
        assert!(features.is_file(), "{}", features.display());
        let found = lines(&std::fs::read(&out).unwrap());
        every_pair += found.len();
        union.extend(found);
    }
    let mut args = vec!["pairs", "-q"];
    args.extend(batches.iter().flatten().map(String::as_str));
    let one_run = lines(&run_ok(&args).stdout);
    assert!(!one_run.is_empty());
    assert_eq!(every_pair, union.len(), "a pair was written by two adds");
    assert_eq!(union, one_run, "{} pairs in one run", one_run.len());
}

#[test]
fn the_sample_added_in_three_batches_pairs_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let batches = vec![
        vec![sample("000")],
        vec![sample("001"), sample("002")],
        vec![sample("003"), sample("004")],
    ];
    same_as_one_run(&batches, dir.path());
    let pairs = std::fs::read_to_string(dir.path().join("pairs-1.jsonl")).unwrap();
    assert!(pairs.contains("\"relation\":\"translation\""), "{pairs}");
}

/// A corpus grown by `twinwire gen` from the sample, split into `parts` JSONL files.
fn generated(dir: &Path, documents: usize, parts: usize) -> Vec<String> {
    let corpus = dir.join("gen.jsonl");
    let bamako = root().join("corpus/bamako");
    let n = documents.to_string();
    run_ok(&["gen", s(&bamako), "-n", &n, "--seed", "3", "-o", s(&corpus)]);
    let text = std::fs::read_to_string(&corpus).unwrap();
    let all: Vec<&str> = text.lines().collect();
    let per = all.len().div_ceil(parts);
    all.chunks(per)
        .enumerate()
        .map(|(k, chunk)| {
            let path = dir.join(format!("part-{k:02}.jsonl"));
            std::fs::write(&path, chunk.join("\n") + "\n").unwrap();
            s(&path).to_string()
        })
        .collect()
}

#[test]
fn a_generated_corpus_added_in_ten_batches_pairs_as_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let parts = generated(dir.path(), 1500, 10);
    let batches: Vec<Vec<String>> = parts.into_iter().map(|p| vec![p]).collect();
    assert_eq!(batches.len(), 10);
    same_as_one_run(&batches, dir.path());
}

#[test]
fn reuters_added_in_five_batches_pairs_as_one_run() {
    let Some(data) = shared_data("reuters_added_in_five_batches_pairs_as_one_run") else {
        return;
    };
    let mut files: Vec<String> = std::fs::read_dir(data.join("reuters21578"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sgm"))
        .map(|p| s(&p).to_string())
        .collect();
    files.sort();
    let per = files.len().div_ceil(5);
    let batches: Vec<Vec<String>> = files.chunks(per).map(<[String]>::to_vec).collect();
    assert_eq!(batches.len(), 5);
    let dir = tempfile::tempdir().unwrap();
    same_as_one_run(&batches, dir.path());
}

fn write_jsonl(path: &Path, docs: &[(&str, &str)]) -> String {
    let text: String = docs
        .iter()
        .map(|(id, text)| serde_json::json!({"id": id, "text": text}).to_string() + "\n")
        .collect();
    std::fs::write(path, text).unwrap();
    s(path).to_string()
}

fn words(range: std::ops::Range<usize>) -> String {
    range.map(|i| format!("w{i}")).collect::<Vec<_>>().join(" ")
}

#[test]
fn an_id_already_indexed_is_renamed_as_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let a = write_jsonl(&dir.path().join("a.jsonl"), &[("x", &words(0..80))]);
    let b = write_jsonl(&dir.path().join("b.jsonl"), &[("x", &words(0..79))]);
    same_as_one_run(&[vec![a], vec![b]], dir.path());
    let pairs = std::fs::read_to_string(dir.path().join("pairs-1.jsonl")).unwrap();
    assert!(pairs.contains(r#""a":"x","b":"x#2""#), "{pairs}");
}

/// An indexed document contained in a new one is asked for its anchors, which an `add` makes
/// again from its text when few are asked and reads from the postings otherwise: both give the
/// pairs of one run (one excerpt asked in the first `add`, nine in the second).
#[test]
fn indexed_excerpts_of_new_documents_pair_as_in_one_run_whether_few_or_many() {
    let dir = tempfile::tempdir().unwrap();
    let excerpt = |k: usize| words(500_000 + k * 1000..500_000 + k * 1000 + 60);
    let longer = |k: usize| {
        format!(
            "{} {}",
            excerpt(k),
            words(900_000 + k * 1000..900_000 + k * 1000 + 240)
        )
    };
    let mut old: Vec<(String, String)> = (0..200)
        .map(|i| (format!("filler{i}"), words(i * 100..i * 100 + 60)))
        .collect();
    old.extend((0..10).map(|k| (format!("excerpt{k}"), excerpt(k))));
    let first = vec![("whole0".to_string(), longer(0))];
    let then: Vec<(String, String)> = (1..10).map(|k| (format!("whole{k}"), longer(k))).collect();
    let batches: Vec<Vec<String>> = [old, first, then]
        .iter()
        .enumerate()
        .map(|(n, docs)| {
            let docs: Vec<(&str, &str)> =
                docs.iter().map(|(i, t)| (i.as_str(), t.as_str())).collect();
            vec![write_jsonl(
                &dir.path().join(format!("batch{n}.jsonl")),
                &docs,
            )]
        })
        .collect();
    same_as_one_run(&batches, dir.path());
    for (n, wanted) in [(1, 1), (2, 9)] {
        let pairs = std::fs::read_to_string(dir.path().join(format!("pairs-{n}.jsonl"))).unwrap();
        let contained = pairs
            .lines()
            .filter(|l| l.contains(r#""relation":"containment""#))
            .count();
        assert_eq!(contained, wanted, "{pairs}");
    }
}

/// A batch's documents go to the fingerprinting as they are written into the index (they are not
/// read back): the input's problems are still told with their place in the user's file, the rest
/// of the batch is added, and the pairs are those of one run.
#[test]
fn an_added_batch_with_a_bad_line_keeps_the_rest_and_names_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let old = write_jsonl(&dir.path().join("old.jsonl"), &[("old", &words(0..100))]);
    run_ok(&["index", "create", "-q", s(&index), &old, "-o", "/dev/null"]);
    let new = dir.path().join("new.jsonl");
    let good = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string();
    let lines_in = [
        good("copy", &words(0..99)),
        "{\"id\": \"broken\", \"text\": ".to_string(),
        good("fresh", &words(1000..1100)),
    ];
    std::fs::write(&new, lines_in.join("\n") + "\n").unwrap();
    let (pairs, rejects) = (
        dir.path().join("pairs.jsonl"),
        dir.path().join("rejects.jsonl"),
    );
    let out = run_ok(&[
        "index",
        "add",
        s(&index),
        s(&new),
        "-o",
        s(&pairs),
        "--rejects",
        s(&rejects),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("new.jsonl:2"), "{stderr}");
    let rejected: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&rejects).unwrap().trim()).unwrap();
    assert_eq!(rejected["line"], 2, "{rejected}");
    assert_eq!(rejected["kind"], "malformed_json", "{rejected}");
    let pairs = std::fs::read_to_string(&pairs).unwrap();
    assert!(pairs.contains(r#""a":"old","b":"copy""#), "{pairs}");
    assert_eq!(pairs.lines().count(), 1, "{pairs}");
    let stats = String::from_utf8(run_ok(&["index", "stats", s(&index)]).stdout).unwrap();
    assert!(stats.contains("documents: 3 in 2 batches"), "{stats}");
    // The same pairs as one run over both files (the bad line skipped there too).
    let one_run = run(&["pairs", "-q", &old, s(&new)]);
    assert_eq!(lines(&one_run.stdout), lines(pairs.as_bytes()));
}

#[test]
fn dedupe_keeps_the_new_documents_that_twin_nothing_seen() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let old = write_jsonl(
        &dir.path().join("old.jsonl"),
        &[("old1", &words(0..100)), ("old2", &words(500..600))],
    );
    run_ok(&["index", "create", "-q", s(&index), &old, "-o", "/dev/null"]);
    let new = write_jsonl(
        &dir.path().join("new.jsonl"),
        &[
            ("copy_of_old1", &words(0..99)),
            ("fresh", &words(1000..1100)),
            ("fresh_again", &words(1000..1100)),
            ("other", &words(2000..2100)),
        ],
    );
    let (kept, removed) = (
        dir.path().join("kept.jsonl"),
        dir.path().join("removed.jsonl"),
    );
    run_ok(&[
        "index",
        "dedupe",
        "-q",
        s(&index),
        &new,
        "-o",
        s(&kept),
        "--removed",
        s(&removed),
    ]);
    let kept = std::fs::read_to_string(&kept).unwrap();
    let ids: Vec<String> = kept
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["fresh", "other"]);
    let removed = std::fs::read_to_string(&removed).unwrap();
    assert!(
        removed.contains(r#""id":"copy_of_old1","duplicate_of":"old1""#),
        "{removed}"
    );
    assert!(
        removed.contains(r#""id":"fresh_again","duplicate_of":"fresh""#),
        "{removed}"
    );
    let stats = String::from_utf8(run_ok(&["index", "stats", s(&index)]).stdout).unwrap();
    assert!(stats.contains("documents: 6 in 2 batches"), "{stats}");
}

#[test]
fn other_settings_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    run_ok(&["index", "create", "-q", s(&index)]);
    let out = run(&[
        "index",
        "add",
        s(&index),
        &sample("000"),
        "--threshold",
        "0.7",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--threshold: index 0.5, this command 0.7"),
        "{err}"
    );
    let again = run(&["index", "create", s(&index)]);
    assert!(String::from_utf8_lossy(&again.stderr).contains("already holds a twinwire index"));
    // A create whose first batch cannot be read leaves nothing, and can be run again.
    let fresh = dir.path().join("fresh");
    let missing = dir.path().join("missing.jsonl");
    assert_eq!(
        run(&["index", "create", s(&fresh), s(&missing)])
            .status
            .code(),
        Some(2)
    );
    assert!(!fresh.exists());
    run_ok(&[
        "index",
        "create",
        "-q",
        s(&fresh),
        &sample("000"),
        "-o",
        "/dev/null",
    ]);
}

/// Starts an `index add` reading standard input, which holds the lock until its input ends, and
/// polls until another `add` is refused because of it. A poll takes the lock for an instant when
/// it is free: a writer starting in that instant is refused in turn, and is started again.
fn start_locked_writer(index: &Path) -> std::process::Child {
    let started = Instant::now();
    let spawn = || {
        twinwire()
            .args(["index", "add", "-q", s(index), "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let mut writer = spawn();
    loop {
        let missing = index.with_file_name("missing.jsonl");
        let out = twinwire()
            .args(["index", "add", s(index), s(&missing)])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr).to_string();
        if err.contains("another `twinwire index` command is adding") {
            assert_eq!(out.status.code(), Some(2));
            return writer;
        }
        assert!(!out.status.success(), "an add of nothing succeeded: {err}");
        if writer.try_wait().unwrap().is_some() {
            let out = writer.wait_with_output().unwrap();
            let refused = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(
                refused.contains("is adding"),
                "the writer stopped: {refused}"
            );
            writer = spawn();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "never locked: {err}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn one_writer_while_readers_read() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let (a, b) = (sample("000"), sample("002"));
    run_ok(&["index", "create", "-q", s(&index), &a, "-o", "/dev/null"]);
    let mut writer = start_locked_writer(&index);
    let stats = String::from_utf8(run_ok(&["index", "stats", s(&index)]).stdout).unwrap();
    assert!(stats.contains("documents: 1 in 1 batches"), "{stats}");
    let text = std::fs::read_to_string(&b).unwrap();
    let doc = serde_json::json!({"id": "french", "text": text});
    let mut stdin = writer.stdin.take().unwrap();
    writeln!(stdin, "{doc}").unwrap();
    drop(stdin);
    let out = writer.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"relation\":\"translation\""));
    let id_a = Path::new(&a).file_stem().unwrap().to_str().unwrap();
    let explained = run_ok(&["explain", id_a, "french", "--index", s(&index)]);
    let explained = String::from_utf8(explained.stdout).unwrap();
    assert!(explained.contains("relation: translation"), "{explained}");
}

/// A batch is written in zstd frames of 512 lines: an `add`'s translation check and `explain
/// --index` decode only the frames of the documents they read, so a damaged frame elsewhere in
/// the batch is not even read.
#[test]
fn documents_are_read_again_from_their_own_frame_only() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    let english = std::fs::read_to_string(sample("000")).unwrap();
    let fillers: Vec<(String, String)> = (0..1100)
        .map(|i| (format!("filler{i}"), words(i * 50..i * 50 + 40)))
        .collect();
    let mut docs: Vec<(&str, &str)> = fillers
        .iter()
        .map(|(id, text)| (id.as_str(), text.as_str()))
        .collect();
    docs.push(("english", &english));
    let old = write_jsonl(&dir.path().join("old.jsonl"), &docs);
    run_ok(&["index", "create", "-q", s(&index), &old, "-o", "/dev/null"]);
    // The first frame's magic number: reading the batch from its start now fails there.
    let batch = index.join("batch-000001.jsonl.zst");
    let mut bytes = std::fs::read(&batch).unwrap();
    bytes[..4].copy_from_slice(&[0; 4]);
    std::fs::write(&batch, &bytes).unwrap();

    let french = std::fs::read_to_string(sample("002")).unwrap();
    let new = write_jsonl(&dir.path().join("new.jsonl"), &[("french", &french)]);
    let pairs = run_ok(&["index", "add", "-q", s(&index), &new]);
    let pairs = String::from_utf8(pairs.stdout).unwrap();
    assert!(
        pairs.contains(r#""a":"english","b":"french","relation":"translation""#),
        "{pairs}"
    );
    let explained = run_ok(&["explain", "english", "french", "--index", s(&index)]);
    let explained = String::from_utf8(explained.stdout).unwrap();
    assert!(explained.contains("relation: translation"), "{explained}");
    damaged(
        &["explain", "filler3", "english", "--index", s(&index)],
        "batch-000001.jsonl.zst",
    );

    // An old document is scored against a new one from its whole shingle set, read again from
    // its own frame (the index stores its anchors only): a copy of a document of the third frame
    // is found; one of a document of the damaged frame cannot be scored, and the add says why.
    let copy = |i: usize| format!("{} extra", words(i * 50..i * 50 + 40));
    let third = write_jsonl(
        &dir.path().join("third.jsonl"),
        &[("copy1050", &copy(1050))],
    );
    let pairs = run_ok(&["index", "add", "-q", s(&index), &third]);
    let pairs = String::from_utf8(pairs.stdout).unwrap();
    assert!(
        pairs.contains(r#""a":"filler1050","b":"copy1050","relation":"near_duplicate""#),
        "{pairs}"
    );
    let first = write_jsonl(&dir.path().join("first.jsonl"), &[("copy3", &copy(3))]);
    damaged(
        &["index", "add", "-q", s(&index), &first],
        "batch-000001.jsonl.zst",
    );
    assert_eq!(
        indexed_documents(&index),
        docs.len() + 2,
        "the failed add added nothing"
    );
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, to.join(p.file_name().unwrap())).unwrap();
    }
}

fn indexed_documents(index: &Path) -> usize {
    let stats = String::from_utf8(run_ok(&["index", "stats", s(index)]).stdout).unwrap();
    let line = stats
        .lines()
        .find(|l| l.starts_with("documents: "))
        .unwrap();
    line["documents: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn an_add_killed_at_any_moment_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let parts = generated(dir.path(), 3000, 2);
    let base = dir.path().join("base");
    run_ok(&[
        "index",
        "create",
        "-q",
        s(&base),
        &parts[0],
        "-o",
        "/dev/null",
    ]);
    let before = indexed_documents(&base);
    // The answer of an add left alone, and how long it takes.
    let clean = dir.path().join("clean");
    copy_dir(&base, &clean);
    let expected = dir.path().join("expected.jsonl");
    let started = Instant::now();
    run_ok(&[
        "index",
        "add",
        "-q",
        s(&clean),
        &parts[1],
        "-o",
        s(&expected),
    ]);
    let took = started.elapsed();
    let expected = lines(&std::fs::read(&expected).unwrap());
    assert!(!expected.is_empty());
    let mut killed = 0;
    for trial in 0..20u32 {
        let index = dir.path().join(format!("trial-{trial}"));
        copy_dir(&base, &index);
        let out = dir.path().join(format!("trial-{trial}.jsonl"));
        let mut child = twinwire()
            .args(["index", "add", "-q", s(&index), &parts[1], "-o", s(&out)])
            .spawn()
            .unwrap();
        // Moments spread over the whole add, from its start to just past its usual end.
        std::thread::sleep(took.mul_f64(f64::from(trial) / 18.0));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().unwrap();
        child.wait().unwrap();
        let now = indexed_documents(&index);
        if finished || now != before {
            // It had committed: the index answers as after the add.
            assert_eq!(now, before + 1500, "trial {trial}");
            continue;
        }
        killed += 1;
        run_ok(&["index", "add", "-q", s(&index), &parts[1], "-o", s(&out)]);
        let again = lines(&std::fs::read(&out).unwrap());
        assert_eq!(again, expected, "trial {trial}: the add run again differs");
        assert_eq!(indexed_documents(&index), before + 1500);
    }
    assert!(
        killed >= 10,
        "only {killed} of 20 adds were killed before they ended"
    );
}

fn damaged(args: &[&str], names: &str) {
    let out = run(args);
    assert_eq!(out.status.code(), Some(2), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(names), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn damaged_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("index");
    run_ok(&[
        "index",
        "create",
        "-q",
        s(&index),
        &sample("000"),
        "-o",
        "/dev/null",
    ]);
    let manifest: PathBuf = index.join("twinwire-index.json");
    let batch = index.join("batch-000001.jsonl.zst");
    let (manifest_text, batch_bytes) = (
        std::fs::read_to_string(&manifest).unwrap(),
        std::fs::read(&batch).unwrap(),
    );
    let add = ["index", "add", s(&index), &sample("001")];

    let id = Path::new(&sample("000"))
        .file_stem()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    damaged(
        &["explain", &id, "nobody", "--index", s(&index)],
        "nobody: no document with this id in the index",
    );
    std::fs::write(&batch, &batch_bytes[..batch_bytes.len() / 2]).unwrap();
    damaged(
        &["explain", &id, &id, "--index", s(&index)],
        "batch-000001.jsonl.zst",
    );
    // An add takes the indexed documents from their features, and from their text without them.
    let features = index.join("batch-000001.features");
    let features_bytes = std::fs::read(&features).unwrap();
    std::fs::remove_file(&features).unwrap();
    damaged(&add, "batch-000001.jsonl.zst");
    std::fs::write(&batch, &batch_bytes).unwrap();
    std::fs::write(&features, &features_bytes[..features_bytes.len() - 9]).unwrap();
    damaged(&add, "batch-000001.features: damaged");
    std::fs::write(&features, &features_bytes).unwrap();
    // The postings an add looks its keys up in: a block changed stops it, naming them.
    let postings = index.join("batch-000001.postings");
    let postings_bytes = std::fs::read(&postings).unwrap();
    let mut changed = postings_bytes.clone();
    changed[12] ^= 0x55;
    std::fs::write(&postings, &changed).unwrap();
    damaged(&add, "batch-000001.postings: damaged");
    std::fs::write(&postings, &postings_bytes).unwrap();

    std::fs::write(&manifest, &manifest_text[..manifest_text.len() / 2]).unwrap();
    damaged(&add, "twinwire-index.json: damaged");
    damaged(
        &["index", "stats", s(&index)],
        "twinwire-index.json: damaged",
    );
    std::fs::write(
        &manifest,
        manifest_text.replace("\"version\": 1", "\"version\": 7"),
    )
    .unwrap();
    damaged(&add, "written in index format 7");
    std::fs::write(&manifest, &manifest_text).unwrap();

    std::fs::remove_file(&batch).unwrap();
    damaged(
        &["index", "stats", s(&index)],
        "batch-000001.jsonl.zst is missing",
    );
    damaged(
        &["index", "stats", s(&dir.path().join("nowhere"))],
        "not a twinwire index",
    );
}

/// A batch of a megabyte of text or more is framed with a dictionary (its first frame): an `add`
/// reads its documents again frame by frame, or the whole batch when its features are gone, with
/// the same pairs either way; `explain --index` reads two of them.
#[test]
fn a_batch_framed_with_a_dictionary_is_read_in_part_and_whole() {
    let dir = tempfile::tempdir().unwrap();
    let parts = generated(dir.path(), 2400, 2);
    let index = dir.path().join("index");
    let add = |features: bool| -> BTreeSet<String> {
        let _ = std::fs::remove_dir_all(&index);
        run_ok(&[
            "index",
            "create",
            "-q",
            s(&index),
            &parts[0],
            "-o",
            "/dev/null",
        ]);
        let batch = std::fs::read(index.join("batch-000001.jsonl.zst")).unwrap();
        assert_eq!(
            batch[..4],
            0x184D_2A5Cu32.to_le_bytes(),
            "a dictionary frame first"
        );
        if !features {
            std::fs::remove_file(index.join("batch-000001.features")).unwrap();
        }
        lines(&run_ok(&["index", "add", "-q", s(&index), &parts[1]]).stdout)
    };
    let in_part = add(true);
    let whole = add(false);
    assert_eq!(in_part, whole);
    let one_run = run_ok(&["pairs", "-q", &parts[0], &parts[1]]).stdout;
    let across: BTreeSet<String> = lines(&one_run)
        .into_iter()
        .filter(|l| in_part.contains(l))
        .collect();
    assert!(!across.is_empty());
    let pair: serde_json::Value = serde_json::from_str(across.first().unwrap()).unwrap();
    let (a, b) = (pair["a"].as_str().unwrap(), pair["b"].as_str().unwrap());
    let explained = run_ok(&["explain", a, b, "--index", s(&index)]);
    let relation = pair["relation"].as_str().unwrap();
    let text = String::from_utf8(explained.stdout).unwrap();
    assert!(text.contains(&format!("relation: {relation}")), "{text}");
}

/// Features the index cannot use (another version's, or gone) leave the batch to be read from its
/// text: the pairs are the same.
#[test]
fn features_of_another_version_are_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let pairs_after = |damage: &dyn Fn(&Path)| -> (BTreeSet<String>, String) {
        let index = dir.path().join("index");
        let _ = std::fs::remove_dir_all(&index);
        let first = [sample("000"), sample("001")];
        let mut args = vec!["index", "create", "-q", s(&index)];
        args.extend(first.iter().map(String::as_str));
        args.extend(["-o", "/dev/null"]);
        run_ok(&args);
        damage(&index.join("batch-000001.features"));
        let stats = run_ok(&["index", "stats", s(&index)]).stdout;
        let out = run_ok(&["index", "add", "-q", s(&index), &sample("002")]);
        (
            lines(&out.stdout),
            String::from_utf8_lossy(&stats).into_owned(),
        )
    };
    let (intact, stats) = pairs_after(&|_| {});
    assert!(stats.contains("features stored"), "{stats}");
    assert!(
        intact.iter().any(|l| l.contains("\"translation\"")),
        "{intact:?}"
    );
    let other_version = pairs_after(&|f| {
        let mut bytes = std::fs::read(f).unwrap();
        bytes[8] = bytes[8].wrapping_add(1);
        std::fs::write(f, bytes).unwrap();
    });
    assert_eq!(other_version.0, intact);
    assert!(
        other_version.1.contains("read from its text"),
        "{}",
        other_version.1
    );
    let gone = pairs_after(&|f| std::fs::remove_file(f).unwrap());
    assert_eq!(gone.0, intact);
    assert!(gone.1.contains("read from its text"), "{}", gone.1);
    // Features that leave anchors and band keys to the postings are of no use without them.
    let postings_gone =
        pairs_after(&|f| std::fs::remove_file(f.with_extension("postings")).unwrap());
    assert_eq!(postings_gone.0, intact);
    assert!(
        postings_gone.1.contains("read from its text"),
        "{}",
        postings_gone.1
    );
}
