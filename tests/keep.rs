//! Which copy `dedupe` keeps, per policy, on clusters built from real articles: the clean wire copy,
//! a repost wrapped in another site's header, share buttons and comments, and a copy with typos, in
//! a random order. A person would keep the clean copy. The table this prints is BENCHMARKS.md's
//! "Which copy is kept". Bundled articles always; Reuters-21578 too when the shared data is there.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::Path;

use common::{root, run, shared_data, Rng};
use twinwire::corpus::{read_all, Input, ReadOptions};

/// Articles long enough to carry a wrapper and typos: (id, text).
fn articles() -> Vec<(String, String)> {
    let mut inputs = vec![Input::Path(root().join("corpus/bamako"))];
    if let Some(data) = shared_data("keep policies on Reuters") {
        inputs.push(Input::Path(data.join("reuters21578/reut2-000.sgm")));
    }
    let (docs, _, _) = read_all(&inputs, &ReadOptions::default()).unwrap();
    docs.into_iter()
        .filter(|d| (150..1500).contains(&d.text.split_whitespace().count()))
        .take(150)
        .map(|d| (d.id, d.text))
        .collect()
}

/// The article as another site reposts it: its header and menu, share buttons, comments.
fn wrapped(text: &str, rng: &mut Rng) -> String {
    let site = ["Daily Courier", "Metro Wire", "The Evening Ledger"][rng.below(3)];
    let n = rng.below(90) + 10;
    format!(
        "{site} | Home | World | Business | Markets | Sport | Culture\nSubscribe to the {site} \
         newsletter and never miss a story. Sign in\nAdvertisement\n\n{text}\n\nShare this \
         article on Facebook, Twitter, LinkedIn or by email\nComments ({n})\nreader{n}: this is \
         exactly what I said would happen last year, nobody listened\nmoderator: please keep the \
         discussion civil and on topic\nMost read on {site}: markets rally as rates hold steady; \
         storm warnings issued for the coast\n© {site} Media Group, all rights reserved"
    )
}

/// The article with two adjacent letters swapped in about one word in twenty-five.
fn typos(text: &str, rng: &mut Rng) -> String {
    text.split(' ')
        .map(|w| {
            let chars: Vec<char> = w.chars().collect();
            if chars.len() >= 4 && rng.below(25) == 0 {
                let i = 1 + rng.below(chars.len() - 2);
                let mut c = chars.clone();
                c.swap(i, i - 1);
                c.into_iter().collect()
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the dump and returns, for each cluster, its clean copy's id.
fn write_dump(path: &Path, articles: &[(String, String)]) -> Vec<String> {
    let mut rng = Rng(7);
    let mut out = String::new();
    let mut clean = Vec::new();
    for (i, (id, text)) in articles.iter().enumerate() {
        let mut versions = vec![
            (format!("{id}/clean"), text.clone(), "2024-09-17", "afp.com"),
            (
                format!("{id}/wrapped"),
                wrapped(text, &mut rng),
                "2024-09-18",
                "courier.example",
            ),
            (
                format!("{id}/typos"),
                typos(text, &mut rng),
                "2024-09-19",
                "aggregator.example",
            ),
        ];
        // A random order, so that "first" is no answer.
        for k in (1..versions.len()).rev() {
            versions.swap(k, rng.below(k + 1));
        }
        for (vid, vtext, date, source) in versions {
            let record = serde_json::json!({"id": vid, "text": vtext, "date": date, "source": source, "n": i});
            out.push_str(&record.to_string());
            out.push('\n');
        }
        clean.push(format!("{id}/clean"));
    }
    fs::write(path, out).unwrap();
    clean
}

/// Runs dedupe with `policy` and returns (clusters of three, of which the clean copy was kept).
fn kept_clean(dump: &Path, clean: &[String], policy: &[&str]) -> (usize, usize) {
    let dir = dump.parent().unwrap();
    let (kept, removed) = (dir.join("kept.jsonl"), dir.join("removed.jsonl"));
    let mut args = vec![
        "dedupe",
        dump.to_str().unwrap(),
        "-o",
        kept.to_str().unwrap(),
    ];
    args.extend([
        "--removed",
        removed.to_str().unwrap(),
        "--relations",
        "exact,near_duplicate,containment",
    ]);
    args.extend(policy);
    let r = run(&args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // Kept document of each article's cluster: what its removed copies were dropped for.
    let mut kept_for: HashMap<String, (String, usize)> = HashMap::new();
    for line in fs::read_to_string(&removed).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let article = v["id"]
            .as_str()
            .unwrap()
            .rsplit_once('/')
            .unwrap()
            .0
            .to_string();
        let e = kept_for
            .entry(article)
            .or_insert((v["duplicate_of"].as_str().unwrap().to_string(), 0));
        e.1 += 1;
    }
    let whole: Vec<&(String, usize)> = kept_for.values().filter(|(_, n)| *n == 2).collect();
    let right = whole.iter().filter(|(k, _)| clean.contains(k)).count();
    (whole.len(), right)
}

#[test]
fn core_keeps_the_clean_copy_longest_keeps_the_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("dump.jsonl");
    let articles = articles();
    let clean = write_dump(&dump, &articles);
    let mut table = Vec::new();
    for (name, policy) in [
        ("longest", vec!["--keep", "longest"]),
        ("first", vec!["--keep", "first"]),
        ("core", vec!["--keep", "core"]),
        ("keep-by date:asc", vec!["--keep-by", "date:asc"]),
        (
            "keep-by source, prefer afp.com",
            vec!["--keep-by", "source", "--prefer-values", "afp.com"],
        ),
    ] {
        let (clusters, right) = kept_clean(&dump, &clean, &policy);
        table.push((name, clusters, right));
    }
    eprintln!("| policy | clusters of 3 | clean copy kept |\n|---|---:|---:|");
    for (name, clusters, right) in &table {
        eprintln!(
            "| {name} | {clusters} | {right} ({:.1} %) |",
            100.0 * *right as f64 / *clusters as f64
        );
    }
    let share = |name: &str| {
        let (_, c, r) = table.iter().find(|t| t.0 == name).unwrap();
        assert!(
            *c >= articles.len() * 9 / 10,
            "{name}: only {c} of {} clusters whole",
            articles.len()
        );
        *r as f64 / *c as f64
    };
    // The wrapper is always the longest; the clean copy has no text of its own.
    assert!(share("longest") < 0.1);
    assert!(
        share("core") >= 0.95,
        "core kept the clean copy in {:.3}",
        share("core")
    );
    assert_eq!(share("keep-by date:asc"), 1.0);
    assert_eq!(share("keep-by source, prefer afp.com"), 1.0);
}
