//! `twinwire eval`: how a pairs file compares with a gold file, relation by relation.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Serialize;

/// Precision, recall and F1 of PAIRS against GOLD, per relation and overall.
///
/// Both files are JSONL with "a", "b" and "relation" (the output of `twinwire pairs`; gold files may
/// carry more fields). Symmetric relations match in either order; `containment` must name the container
/// as "a". A gold pair found with another relation counts as missed, and the found one as wrong.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The expected pairs.
    #[arg(long, value_name = "GOLD")]
    gold: PathBuf,
    /// The pairs to judge.
    #[arg(value_name = "PAIRS")]
    pairs: PathBuf,
    /// Only judge these relations (comma-separated); default: every relation in either file.
    #[arg(long, value_name = "LIST")]
    relations: Option<String>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
}

type Key = (String, String, String);

#[derive(Debug, Default, Serialize)]
struct Counts {
    gold: usize,
    found: usize,
    correct: usize,
    precision: f64,
    recall: f64,
    f1: f64,
}

impl Counts {
    fn finish(mut self) -> Counts {
        let ratio = |x: usize, y: usize| if y == 0 { 1.0 } else { x as f64 / y as f64 };
        self.precision = ratio(self.correct, self.found);
        self.recall = ratio(self.correct, self.gold);
        let (p, r) = (self.precision, self.recall);
        self.f1 = if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        };
        self
    }
}

fn load(path: &Path) -> Result<BTreeSet<Key>> {
    let file = File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut out = BTreeSet::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", path.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not valid JSON", path.display(), n + 1))?;
        let field = |k: &str| -> Result<String> {
            match v.get(k).and_then(|x| x.as_str()) {
                Some(s) => Ok(s.to_string()),
                None => bail!("{}:{}: no string field \"{k}\"", path.display(), n + 1),
            }
        };
        let (a, b, relation) = (field("a")?, field("b")?, field("relation")?);
        // Containment is directional; every other relation is compared as an unordered pair.
        let (a, b) = if relation == "containment" || a <= b {
            (a, b)
        } else {
            (b, a)
        };
        out.insert((a, b, relation));
    }
    Ok(out)
}

pub fn run(args: EvalArgs) -> Result<()> {
    let gold = load(&args.gold)?;
    let found = load(&args.pairs)?;
    let wanted: Option<BTreeSet<String>> = args
        .relations
        .as_ref()
        .map(|l| l.split(',').map(|s| s.trim().to_string()).collect());
    let keep = |k: &&Key| wanted.as_ref().is_none_or(|w| w.contains(&k.2));
    let mut by_relation: BTreeMap<String, Counts> = BTreeMap::new();
    let mut all = Counts::default();
    for k in gold.iter().filter(keep) {
        by_relation.entry(k.2.clone()).or_default().gold += 1;
        all.gold += 1;
    }
    for k in found.iter().filter(keep) {
        let c = by_relation.entry(k.2.clone()).or_default();
        c.found += 1;
        all.found += 1;
        if gold.contains(k) {
            c.correct += 1;
            all.correct += 1;
        }
    }
    let by_relation: BTreeMap<String, Counts> = by_relation
        .into_iter()
        .map(|(k, c)| (k, c.finish()))
        .collect();
    let all = all.finish();
    if args.json {
        let report = serde_json::json!({"relations": by_relation, "all": all});
        println!("{report}");
        return Ok(());
    }
    println!("| relation | gold | found | correct | precision | recall | F1 |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, c) in by_relation
        .iter()
        .map(|(k, c)| (k.as_str(), c))
        .chain([("all", &all)])
    {
        println!(
            "| {name} | {} | {} | {} | {:.4} | {:.4} | {:.4} |",
            c.gold, c.found, c.correct, c.precision, c.recall, c.f1
        );
    }
    Ok(())
}
