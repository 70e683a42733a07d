//! The library's front door, used as a library user would (only what the crate root exports):
//! the same answers as the command line, byte for byte, on the sample, Reuters and WMT; errors
//! that name what is wrong; translations and dedupe from memory.

mod common;

use std::path::Path;

use common::{root, shared_data, twinwire};
use twinwire::{read, Config, Document, Error, Keep, Matcher, ReadOptions, RelationKind};

/// The lines `twinwire ARGS -q` writes to standard output.
fn cli_lines(args: &[&str]) -> Vec<String> {
    let out = twinwire()
        .args(args)
        .arg("-q")
        .output()
        .expect("twinwire runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .map(String::from)
        .collect()
}

fn documents(path: &Path) -> Vec<Document> {
    read(&[path], &ReadOptions::default())
        .expect("the corpus reads")
        .documents
}

/// `Matcher::pairs` serialized is what `twinwire pairs` writes, line for line.
fn assert_pairs_as_cli(path: &Path) -> usize {
    let matcher = Matcher::new(Config::default()).unwrap();
    let pairs = matcher.pairs(&documents(path)).unwrap();
    let mine: Vec<String> = pairs
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    let theirs = cli_lines(&["pairs", path.to_str().unwrap()]);
    assert_eq!(mine, theirs, "{}", path.display());
    mine.len()
}

#[test]
fn the_sample_pairs_as_the_command_line_and_finds_the_translation() {
    let sample = root().join("corpus/bamako");
    assert_eq!(assert_pairs_as_cli(&sample), 1);
    let pairs = Matcher::new(Config::default())
        .unwrap()
        .pairs(&documents(&sample))
        .unwrap();
    assert_eq!(pairs[0].relation, RelationKind::Translation);
    assert!(pairs[0].a.starts_with("000") && pairs[0].b.starts_with("002"));
}

#[test]
fn reuters_and_wmt_pair_as_the_command_line() {
    let Some(data) = shared_data("reuters_and_wmt_pair_as_the_command_line") else {
        return;
    };
    assert!(assert_pairs_as_cli(&data.join("reuters21578")) > 1000);
    assert!(assert_pairs_as_cli(&data.join("wmt-dev")) > 500);
}

#[test]
fn dedupe_removes_what_the_command_line_removes() {
    let Some(data) = shared_data("dedupe_removes_what_the_command_line_removes") else {
        return;
    };
    let reuters = data.join("reuters21578");
    let dir = tempfile::tempdir().unwrap();
    let (removed, clusters) = (dir.path().join("removed"), dir.path().join("clusters"));
    let out = twinwire()
        .args(["dedupe", "-q", "--keep", "core", "-o"])
        .arg(dir.path().join("kept"))
        .arg("--removed")
        .arg(&removed)
        .arg("--clusters")
        .arg(&clusters)
        .arg(&reuters)
        .output()
        .unwrap();
    assert!(out.status.success());
    let docs = documents(&reuters);
    let dedupe = Matcher::new(Config::default())
        .unwrap()
        .dedupe(&docs, Keep::Core)
        .unwrap();
    let theirs: Vec<serde_json::Value> = std::fs::read_to_string(&removed)
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            v.as_object_mut().unwrap().remove("record");
            v
        })
        .collect();
    let mine: Vec<serde_json::Value> = dedupe
        .removed
        .iter()
        .map(|r| serde_json::to_value(r).unwrap())
        .collect();
    assert!(mine.len() > 500);
    assert_eq!(mine, theirs);
    let clusters_written: Vec<String> = std::fs::read_to_string(&clusters)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let mine: Vec<String> = dedupe
        .clusters
        .iter()
        .map(|c| serde_json::to_string(c).unwrap())
        .collect();
    assert_eq!(mine, clusters_written);
    assert_eq!(dedupe.kept.len() + dedupe.removed.len(), docs.len());
}

const STORY: &str = "The army said on Tuesday that gunmen attacked a police school in Bamako at \
    dawn, killing several recruits before troops regained control of the area after hours of \
    fighting near the airport.";

#[test]
fn translations_are_found_in_memory() {
    let sample = root().join("corpus/bamako");
    let docs = documents(&sample);
    let french = docs.iter().find(|d| d.id.starts_with("002")).unwrap();
    let english = docs.iter().find(|d| d.id.starts_with("000")).unwrap();
    // In memory, the languages given or left to detection.
    let given = vec![
        Document::new("en", english.text.clone()).with_lang("en"),
        Document::new("fr", french.text.clone()).with_lang("fra"),
    ];
    let detected = vec![
        Document::new("en", english.text.clone()),
        Document::new("fr", french.text.clone()),
    ];
    let matcher = Matcher::new(Config::default()).unwrap();
    for docs in [given, detected] {
        let pairs = matcher.pairs(&docs).unwrap();
        assert_eq!(pairs.len(), 1);
        assert_eq!(pairs[0].relation, RelationKind::Translation);
    }
    let copies_only = Matcher::new(Config::default().with_relations(RelationKind::DUPLICATES));
    let docs = [english.clone(), french.clone()];
    assert!(copies_only.unwrap().pairs(&docs).unwrap().is_empty());
}

#[test]
fn dedupe_in_memory_keeps_one_per_cluster_by_policy() {
    let docs = vec![
        Document::new("short", STORY),
        Document::new(
            "long",
            format!("{STORY} Read more news on our site every day."),
        ),
        Document::new(
            "other",
            "Wheat prices rose on Monday after a dry spell in the plains.",
        ),
    ];
    let matcher = Matcher::new(Config::default()).unwrap();
    let longest = matcher.dedupe(&docs, Keep::Longest).unwrap();
    assert_eq!(longest.kept, ["long", "other"]);
    assert_eq!(longest.removed.len(), 1);
    assert_eq!(longest.removed[0].duplicate_of, "long");
    let first = matcher.dedupe(&docs, Keep::First).unwrap();
    assert_eq!(first.kept, ["short", "other"]);
    let core = matcher.dedupe(&docs, Keep::Core).unwrap();
    assert_eq!(
        core.kept,
        ["short", "other"],
        "the copy without the site's tail"
    );
    assert_eq!(core.clusters.len(), 1);
    assert_eq!(core.clusters[0].members, ["short", "long"]);
}

#[test]
fn explain_gives_the_measures_and_the_passages() {
    let a = Document::new("a", STORY);
    let b = Document::new("b", format!("Breaking news. {STORY} More to follow."));
    let matcher = Matcher::new(Config::default()).unwrap();
    let e = matcher.explain(&a, &b).unwrap();
    let copy = e.copy.as_ref().expect("related");
    assert_eq!(copy.relation, RelationKind::NearDuplicate);
    assert_eq!(e.relation(), Some(RelationKind::NearDuplicate));
    assert!(e.measures.jaccard > 0.7 && e.measures.jaccard < 1.0);
    assert_eq!(e.measures.bands, 42);
    assert_eq!(e.passages.len(), 1);
    assert!(e.passages[0].text.starts_with("The army said"));
    assert!(e.translation.is_none());
    let unrelated = Document::new("c", "Wheat prices rose on Monday after a dry spell.");
    let e = matcher.explain(&a, &unrelated).unwrap();
    assert_eq!(e.relation(), None);
    assert!(e.passages.is_empty());
}

/// The sample's five articles and a near-duplicate copy of each (`copy0`..`copy4`).
fn sample_with_copies() -> Vec<Document> {
    let sample = root().join("corpus/bamako");
    let mut docs = documents(&sample);
    for (i, d) in documents(&sample).into_iter().enumerate() {
        docs.push(Document::new(
            format!("copy{i}"),
            format!("{} Updated.", d.text),
        ));
    }
    docs
}

#[test]
fn answers_do_not_depend_on_the_threads() {
    let docs = sample_with_copies();
    let all = Matcher::new(Config::default())
        .unwrap()
        .pairs(&docs)
        .unwrap();
    let one = Matcher::new(Config::default())
        .unwrap()
        .with_threads(1)
        .unwrap()
        .pairs(&docs)
        .unwrap();
    let copies = all
        .iter()
        .filter(|p| p.relation == RelationKind::NearDuplicate);
    assert_eq!(copies.count(), 5, "{all:?}");
    assert!(all.iter().any(|p| p.relation == RelationKind::Translation));
    assert_eq!(all, one);
}

#[test]
fn errors_name_what_is_wrong() {
    let bad = [
        (
            Config::default().with_threshold(1.5),
            "threshold must be in (0, 1], got 1.5",
        ),
        (
            Config::default().with_containment(0.0),
            "containment must be in (0, 1]",
        ),
        (
            Config::default().with_shingle_size(0),
            "shingle_size must be 1 to 16",
        ),
        (
            Config::default().with_relations([]),
            "relations names no relation",
        ),
        (
            Config::default().with_anchor_modulus(3),
            "anchor_modulus must be a power of two",
        ),
        (
            Config::default().with_minhash_shape(0, 3),
            "minhash_bands and minhash_rows",
        ),
    ];
    for (config, message) in bad {
        let e = Matcher::new(config).err().expect("refused");
        assert!(matches!(e, Error::Config { .. }));
        assert!(e.to_string().contains(message), "{e}");
    }
    let matcher = Matcher::new(Config::default()).unwrap();
    let twice = [Document::new("x", "one"), Document::new("x", "two")];
    let e = matcher.pairs(&twice).unwrap_err();
    assert!(
        e.to_string()
            .contains("docs[1] has the id \"x\" of docs[0]"),
        "{e}"
    );
    let e = matcher.explain_in(&twice[..1], "x", "y").unwrap_err();
    assert!(e.to_string().contains("no document with id \"y\""), "{e}");
    let e = Matcher::new(Config::default())
        .unwrap()
        .with_lexicon_file("de", "no/such/lexicon.tsv")
        .err()
        .expect("refused");
    assert!(e.to_string().contains("no/such/lexicon.tsv"), "{e}");
    let e = read(&["no/such/corpus.jsonl"], &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("no/such/corpus.jsonl"), "{e}");
    assert!(Matcher::new(Config::default())
        .unwrap()
        .with_threads(0)
        .is_err());
    let e = Matcher::new(Config::default())
        .unwrap()
        .with_threads(5000)
        .err();
    assert!(e
        .unwrap()
        .to_string()
        .contains("threads must be 1 to 1024, got 5000"));
    let out = twinwire()
        .args(["pairs", "-q", "--threads", "100000"])
        .arg(root().join("corpus/bamako"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--threads must be 1 to 1024"));
}

#[test]
fn the_minhash_shape_follows_the_threshold_unless_set() {
    assert_eq!(Config::default().minhash_shape(), (42, 3));
    assert_eq!(
        Config::default().with_threshold(0.8).minhash_shape(),
        (31, 8)
    );
    let set = Config::default()
        .with_minhash_shape(20, 5)
        .with_threshold(0.8);
    assert_eq!(set.minhash_shape(), (20, 5));
}

#[test]
fn a_translation_is_found_beside_copies_of_its_documents_in_a_small_corpus() {
    // Ten documents: the sample's five and a near-duplicate copy of each. A key shared by an
    // article, its copy and its translation is in three documents; with a floor of two documents
    // per key, the translation was lost.
    let docs = sample_with_copies();
    let pairs = Matcher::new(Config::default())
        .unwrap()
        .pairs(&docs)
        .unwrap();
    // English: 000 and its copy copy0; French: 002 and its copy copy2.
    fn side(id: &str) -> &str {
        match id {
            "copy0" => "000",
            "copy2" => "002",
            other => &other[..3],
        }
    }
    let translations: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|p| p.relation == RelationKind::Translation)
        .map(|p| (side(&p.a), side(&p.b)))
        .collect();
    assert!(translations.len() >= 2, "{translations:?}");
    assert!(
        translations
            .iter()
            .all(|&t| t == ("000", "002") || t == ("002", "000")),
        "{translations:?}"
    );
}
