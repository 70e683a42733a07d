//! The user's sample: five real articles on the 2024 Bamako attack, with gold labels.

mod common;

use common::{pairs, root, twinwire};

fn gold_duplicate_pairs() -> Vec<(String, String, String)> {
    let gold = std::fs::read_to_string(root().join("corpus/bamako/gold.jsonl")).unwrap();
    gold.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["relation"] != "translation")
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("a"), s("b"), s("relation"))
        })
        .collect()
}

#[test]
fn no_copies_among_the_bamako_articles() {
    let corpus = root().join("corpus/bamako");
    let found: Vec<_> = pairs(&[corpus.to_str().unwrap()])
        .into_iter()
        .map(|p| (p.a, p.b, p.relation))
        .collect();
    assert_eq!(found, gold_duplicate_pairs());
    assert!(found.is_empty());
}

#[test]
fn the_gold_file_and_readme_are_not_read_as_articles() {
    let out = twinwire()
        .args(["pairs", root().join("corpus/bamako").to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("read 5 documents"), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
}

#[test]
fn exhaustive_agrees_with_the_candidate_tables() {
    let corpus = root().join("corpus/bamako");
    let c = corpus.to_str().unwrap();
    assert_eq!(pairs(&[c]), pairs(&[c, "--exhaustive"]));
}

#[test]
fn explain_shows_the_scores_and_what_is_shared() {
    let corpus = root().join("corpus/bamako");
    let out = twinwire()
        .args([
            "explain",
            "001_35dc1731561789f4",
            "004_429b7ec007db3dca",
            corpus.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("relation: none"), "{text}");
    assert!(text.contains("jaccard resemblance"), "{text}");
    assert!(text.contains("near_duplicate needs >= 0.5: no"), "{text}");

    let out = twinwire()
        .args([
            "explain",
            "001_35dc1731561789f4",
            "nope",
            corpus.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no document with id \"nope\""));
}
