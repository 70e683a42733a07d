//! Shared by the integration tests: the binary, the shared data folder, a seeded RNG, real articles.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use twinwire::corpus::{read_all, Input, ReadOptions};

/// The `twinwire` binary built for these tests.
pub fn twinwire() -> Command {
    Command::new(env!("CARGO_BIN_EXE_twinwire"))
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data` (or `$TWINWIRE_SHARED_DATA`), or `None` with a message saying the test is skipped.
/// With `$TWINWIRE_DATA_LOG` set, each call appends `ran TEST` or `skipped TEST` to that file, for
/// `.ci/run` to count.
pub fn shared_data(test: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("TWINWIRE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data"));
    let found = dir.join("README.md").exists();
    log_requirement(test, found);
    if found {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED {test}: needs the shared data folder at {} (or set TWINWIRE_SHARED_DATA)",
            dir.display()
        );
        None
    }
}

/// With `$TWINWIRE_DATA_LOG` set, appends `ran TEST` or `skipped TEST` to that file, for `.ci/run`
/// to count the tests that need something a machine may lack.
pub fn log_requirement(test: &str, found: bool) {
    if let Some(log) = std::env::var_os("TWINWIRE_DATA_LOG") {
        use std::io::Write;
        let line = format!("{} {test}\n", if found { "ran" } else { "skipped" });
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
        {
            let _ = f.write_all(line.as_bytes());
        }
    }
}

/// A headless Chromium (`$TWINWIRE_CHROMIUM`, else `chromium`, `chromium-browser` or
/// `google-chrome` on the PATH), or `None` with a message saying the test is skipped.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let named = std::env::var_os("TWINWIRE_CHROMIUM").map(PathBuf::from);
    let found = named.or_else(|| {
        let path = std::env::var_os("PATH")?;
        std::env::split_paths(&path).find_map(|dir| {
            ["chromium", "chromium-browser", "google-chrome"]
                .iter()
                .map(|name| dir.join(name))
                .find(|p| p.is_file())
        })
    });
    log_requirement(test, found.is_some());
    if found.is_none() {
        eprintln!(
            "SKIPPED {test}: needs Chromium (apt-get install chromium, or set TWINWIRE_CHROMIUM)"
        );
    }
    found
}

/// The library's deterministic generator (SplitMix64): the same seed gives the same corpus everywhere.
#[allow(unused_imports)]
pub use twinwire::gen::Rng;

/// The outcome of one run of the binary.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs the binary with `args`; a panic message on stderr fails the test.
pub fn run(args: &[&str]) -> Run {
    let out = twinwire().args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{stderr}");
    Run {
        code: out.status.code(),
        stdout: out.stdout,
        stderr,
    }
}

/// An article: id and paragraphs.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub paragraphs: Vec<String>,
}

impl Article {
    pub fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    pub fn words(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum()
    }
}

/// The articles of one WMT language (`fr`, `en`, ...) from every test set, in file order.
pub fn wmt_articles(data: &Path, lang: &str) -> Vec<Article> {
    let dir = data.join("wmt-dev");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("wmt-dev is readable")
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(&format!(".{lang}.sgm")))
        .collect();
    files.sort();
    let inputs: Vec<Input> = files.into_iter().map(Input::Path).collect();
    let (docs, _, _) = read_all(&inputs, &ReadOptions::default()).expect("wmt-dev reads");
    docs.into_iter()
        .map(|d| Article {
            id: d.id,
            paragraphs: d.text.split("\n\n").map(|p| p.replace('\n', " ")).collect(),
        })
        .collect()
}

/// Writes `docs` (id, text) as a JSONL file.
pub fn write_jsonl(path: &Path, docs: &[(String, String)]) {
    let mut out = String::new();
    for (id, text) in docs {
        out.push_str(&serde_json::json!({"id": id, "text": text}).to_string());
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}

/// One output pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub relation: String,
    pub score: f64,
}

/// Parses `twinwire pairs` output.
pub fn parse_pairs(stdout: &[u8]) -> Vec<Pair> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
            Pair {
                a: v["a"].as_str().unwrap().to_string(),
                b: v["b"].as_str().unwrap().to_string(),
                relation: v["relation"].as_str().unwrap().to_string(),
                score: v["score"].as_f64().unwrap(),
            }
        })
        .collect()
}

/// Runs `twinwire pairs` with `args` and returns the pairs (asserting success).
pub fn pairs(args: &[&str]) -> Vec<Pair> {
    let out = twinwire().arg("pairs").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "twinwire pairs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_pairs(&out.stdout)
}
