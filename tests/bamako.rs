//! The user's sample: five real articles on the 2024 Bamako attack, with gold labels.

mod common;

use common::{pairs, root, twinwire};

fn gold() -> Vec<(String, String, String)> {
    let gold = std::fs::read_to_string(root().join("corpus/bamako/gold.jsonl")).unwrap();
    gold.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| {
            let s = |k: &str| v[k].as_str().unwrap().to_string();
            (s("a"), s("b"), s("relation"))
        })
        .collect()
}

#[test]
fn the_sample_gives_exactly_its_gold_pairs() {
    let corpus = root().join("corpus/bamako");
    let found: Vec<_> = pairs(&[corpus.to_str().unwrap()])
        .into_iter()
        .map(|p| (p.a, p.b, p.relation))
        .collect();
    assert_eq!(found, gold());
    assert_eq!(
        found.len(),
        1,
        "000 and 002 as a translation, and nothing else"
    );
}

#[test]
fn without_the_translation_there_is_no_pair() {
    // The same-event articles 001 and 004 share names, numbers and quotes with 002.
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("corpus/bamako")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if name.ends_with(".txt") && !name.starts_with("000_") {
            std::fs::copy(&path, dir.path().join(name)).unwrap();
        }
    }
    assert!(pairs(&[dir.path().to_str().unwrap()]).is_empty());
}

#[test]
fn translations_come_with_languages_and_coverage() {
    let out = twinwire()
        .args([
            "pairs",
            "--relations",
            "translation",
            root().join("corpus/bamako").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (v["lang_a"].as_str(), v["lang_b"].as_str()),
        (Some("en"), Some("fr"))
    );
    let (ca, cb) = (
        v["coverage_a"].as_f64().unwrap(),
        v["coverage_b"].as_f64().unwrap(),
    );
    // 000 is translated nearly whole; 002 carries reader comments that have no counterpart.
    assert!(ca > 0.7 && cb < 0.5, "{v}");
    assert_eq!(v["score"].as_f64(), Some(ca));
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

/// The sample as JSONL (id, text), in file-name order.
fn sample_jsonl(path: &std::path::Path) {
    let mut docs: Vec<(String, String)> = std::fs::read_dir(root().join("corpus/bamako"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let id = p.file_stem().unwrap().to_str().unwrap().to_string();
            (id, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    docs.sort();
    common::write_jsonl(path, &docs);
}

#[test]
fn standard_input_gives_what_a_file_gives() {
    // A file is read a second time for the texts of translation candidates; standard input cannot
    // be, and its documents are put in pivot space as they are read. Same answer either way.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.jsonl");
    sample_jsonl(&file);
    let from_file = twinwire()
        .args(["pairs", file.to_str().unwrap()])
        .output()
        .unwrap();
    let from_stdin = twinwire()
        .args(["pairs", "-"])
        .stdin(std::fs::File::open(&file).unwrap())
        .output()
        .unwrap();
    assert!(from_file.status.success() && from_stdin.status.success());
    assert_eq!(
        String::from_utf8_lossy(&from_file.stdout),
        String::from_utf8_lossy(&from_stdin.stdout)
    );
    let found = common::parse_pairs(&from_file.stdout);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].relation, "translation");
}

#[test]
fn an_input_changed_during_the_run_is_reported_not_trusted() {
    use twinwire::corpus::{Input, ReadOptions, WarningKind};
    use twinwire::crosslingual::lexicon::Lexicon;
    use twinwire::crosslingual::pivot::Pivoter;
    use twinwire::pipeline::{analyze, Hooks};

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sample.jsonl");
    sample_jsonl(&file);
    let inputs = [Input::Path(file.clone())];
    let pivoter = Pivoter::new(vec![Lexicon::bundled_fr_en()]);
    let run = |change: bool| {
        let mut warnings = Vec::new();
        let mut on_warning = |w: &twinwire::corpus::InputWarning| warnings.push(w.clone());
        // Called once the first reading is over (five documents, one batch): the file is then
        // rewritten with the English translation's text changed.
        let mut on_progress = |p: twinwire::pipeline::Progress| {
            if change && matches!(p, twinwire::pipeline::Progress::Read(_)) {
                let text = std::fs::read_to_string(&file).unwrap();
                let changed: String = text
                    .lines()
                    .map(|l| {
                        if l.contains("\"000_") {
                            l.replace("Bamako", "Timbuktu") + "\n"
                        } else {
                            l.to_string() + "\n"
                        }
                    })
                    .collect();
                std::fs::write(&file, changed).unwrap();
            }
        };
        let analysis = analyze(
            &inputs,
            &ReadOptions::default(),
            &twinwire::Config::default(),
            &pivoter,
            Hooks {
                keep_text: false,
                on_warning: &mut on_warning,
                on_progress: &mut on_progress,
                spill: Default::default(),
                fresh: None,
            },
        )
        .unwrap();
        (analysis, warnings)
    };
    let (steady, warnings) = run(false);
    assert_eq!(steady.related().collect().0.len(), 1);
    assert!(warnings.is_empty(), "{warnings:?}");
    let (changed, warnings) = run(true);
    assert!(changed.related().collect().0.is_empty());
    assert_eq!(
        changed.report.warnings.get(&WarningKind::ChangedInput),
        Some(&1)
    );
    assert!(
        warnings
            .iter()
            .any(|w| w.kind == WarningKind::ChangedInput && w.location.contains("000_")),
        "{warnings:?}"
    );
}
