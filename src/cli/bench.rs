//! `twinwire bench`: the pipeline on a generated corpus: speed, memory, and recall per planted kind.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use crate::cluster::{settle, Keep};
use crate::output::{write_json_line, PairRecord};
use crate::pipeline::Analysis;
use crate::relate::{Relation, RelationKind};
use crate::Config;

use super::{analyze_inputs, Analyzed, InputArgs, Keeping, MatchArgs};

/// Run the whole pipeline on CORPUS (as `pairs` does, plus clustering) and report documents/s, MB/s,
/// peak resident memory, the time of each stage, and recall and precision against the planted pairs
/// of TRUTH (`twinwire gen` writes both). A reported pair is right when both documents belong to one
/// planted family.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// The corpus.
    #[arg(value_name = "CORPUS")]
    corpus: String,
    /// The planted pairs.
    #[arg(long, value_name = "TRUTH")]
    truth: PathBuf,
    /// Also write the report as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

#[derive(Debug, Serialize)]
struct KindScore {
    planted: usize,
    found: usize,
    recall: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    documents: usize,
    megabytes: f64,
    seconds: f64,
    documents_per_second: f64,
    megabytes_per_second: f64,
    peak_rss_mb: Option<f64>,
    stages: BTreeMap<&'static str, f64>,
    pairs: usize,
    pairs_by_relation: BTreeMap<&'static str, usize>,
    precision: f64,
    precision_by_relation: BTreeMap<&'static str, f64>,
    recall_by_kind: BTreeMap<String, KindScore>,
    threads: usize,
}

/// Peak resident memory of this process, from /proc (Linux), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

pub fn run(args: BenchArgs) -> Result<()> {
    let started = Instant::now();
    let mut input = args.input.clone();
    input.quiet = true;
    let Analyzed {
        analysis, progress, ..
    } = analyze_inputs(
        std::slice::from_ref(&args.corpus),
        &input,
        &args.matching,
        Keeping::default(),
    )?;
    progress.finish();
    let after = after_matching(&analysis)?;
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();
    let truth = Truth::read(&args.truth)?;
    let checked = Checked::of(&analysis, &after.relations, &truth);
    let t = &analysis.times;
    let stages: BTreeMap<&'static str, f64> = [
        ("1 read", t.read.as_secs_f64()),
        (
            "2 fingerprint (normalize, shingle, SimHash, MinHash, pivot)",
            t.fingerprint.as_secs_f64(),
        ),
        ("3 candidates", t.candidates.as_secs_f64()),
        ("4 score", after.score_time),
        ("5 translate", t.translate.as_secs_f64()),
        ("6 cluster", after.cluster_time),
        ("7 write", after.write_time),
    ]
    .into_iter()
    .collect();
    let megabytes = analysis.report.bytes as f64 / 1e6;
    let pairs = after.relations.len();
    let report = Report {
        documents: analysis.docs.len(),
        megabytes,
        seconds,
        documents_per_second: analysis.docs.len() as f64 / seconds,
        megabytes_per_second: megabytes / seconds,
        peak_rss_mb: peak,
        stages,
        pairs,
        pairs_by_relation: checked.right_by.iter().map(|(k, v)| (*k, v.1)).collect(),
        precision: checked.right as f64 / pairs.max(1) as f64,
        precision_by_relation: checked
            .right_by
            .iter()
            .map(|(k, v)| (*k, v.0 as f64 / v.1.max(1) as f64))
            .collect(),
        recall_by_kind: recall_by_kind(&truth, &checked, &analysis.config),
        threads: rayon::current_num_threads(),
    };
    print_report(&mut std::io::stdout().lock(), &report, after.clusters)?;
    if let Some(path) = &args.json {
        let mut f = std::fs::File::create(path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        serde_json::to_writer_pretty(&mut f, &report)?;
        writeln!(f)?;
    }
    Ok(())
}

/// The stages after matching, timed: scoring the pairs, settling the clusters, writing the pairs
/// (to a temporary file, removed).
struct AfterMatching {
    relations: Vec<Relation>,
    clusters: usize,
    score_time: f64,
    cluster_time: f64,
    write_time: f64,
}

fn after_matching(analysis: &Analysis) -> Result<AfterMatching> {
    let t = Instant::now();
    let (relations, _) = analysis.related().collect();
    let score_time = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let words: Vec<u32> = analysis.docs.iter().map(|d| d.words).collect();
    let clusters = settle(&analysis.related(), &words, Keep::Longest)
        .clusters
        .len();
    let cluster_time = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let out_path =
        std::env::temp_dir().join(format!("twinwire-bench-{}.jsonl", std::process::id()));
    {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&out_path)?);
        for r in &relations {
            write_json_line(&mut out, &PairRecord::new(r, &analysis.docs))?;
        }
        out.flush()?;
    }
    let _ = std::fs::remove_file(&out_path);
    Ok(AfterMatching {
        relations,
        clusters,
        score_time,
        cluster_time,
        write_time: t.elapsed().as_secs_f64(),
    })
}

/// The truth file: planted pairs (a, b, relation, kind) and the families of every planted
/// document (a page quoting a French article is of its own family and of the article's).
struct Truth {
    family: HashMap<String, Vec<u64>>,
    planted: Vec<(String, String, String, String)>,
}

impl Truth {
    fn read(path: &Path) -> Result<Truth> {
        let file = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let mut family: HashMap<String, Vec<u64>> = HashMap::new();
        let mut planted = Vec::new();
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let line = line?;
            let v: serde_json::Value = serde_json::from_str(&line)
                .with_context(|| format!("{}:{}: not JSON", path.display(), n + 1))?;
            let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
            let f = v["family"].as_u64().unwrap_or(0);
            for d in [s("a"), s("b")] {
                let of = family.entry(d).or_default();
                if !of.contains(&f) {
                    of.push(f);
                }
            }
            planted.push((s("a"), s("b"), s("relation"), s("kind")));
        }
        Ok(Truth { family, planted })
    }
}

/// The pairs found, checked against the truth: a pair is right when both documents are of one
/// planted family.
struct Checked<'a> {
    /// (a, b) -> relation found (both ways for symmetric relations).
    found: HashMap<(&'a str, &'a str), &'static str>,
    /// Per relation: (right, found).
    right_by: BTreeMap<&'static str, (usize, usize)>,
    right: usize,
}

impl<'a> Checked<'a> {
    fn of(analysis: &'a Analysis, relations: &[Relation], truth: &Truth) -> Checked<'a> {
        let id = |d: crate::DocId| analysis.docs[d.index()].id.as_str();
        let mut checked = Checked {
            found: HashMap::new(),
            right_by: BTreeMap::new(),
            right: 0,
        };
        for r in relations {
            let (a, b) = (id(r.a), id(r.b));
            checked.found.insert((a, b), r.kind.name());
            if r.kind.is_symmetric() {
                checked.found.insert((b, a), r.kind.name());
            }
            let (fa, fb) = (truth.family.get(a), truth.family.get(b));
            let same = matches!((fa, fb), (Some(x), Some(y)) if x.iter().any(|f| y.contains(f)));
            let e = checked.right_by.entry(r.kind.name()).or_default();
            e.1 += 1;
            if same {
                e.0 += 1;
                checked.right += 1;
            }
        }
        checked
    }
}

/// Recall per planted kind, over the kinds whose relation was asked for.
fn recall_by_kind(
    truth: &Truth,
    checked: &Checked<'_>,
    config: &Config,
) -> BTreeMap<String, KindScore> {
    let mut by_kind: BTreeMap<String, KindScore> = BTreeMap::new();
    for (a, b, relation, kind) in &truth.planted {
        let wanted = RelationKind::parse(relation)
            .map(|k| config.wants(k))
            .unwrap_or(false);
        if !wanted {
            continue;
        }
        let k = by_kind.entry(kind.clone()).or_insert(KindScore {
            planted: 0,
            found: 0,
            recall: 0.0,
        });
        k.planted += 1;
        if checked.found.get(&(a.as_str(), b.as_str())) == Some(&relation.as_str()) {
            k.found += 1;
        }
    }
    for k in by_kind.values_mut() {
        k.recall = k.found as f64 / k.planted.max(1) as f64;
    }
    by_kind
}

fn print_report(out: &mut dyn Write, r: &Report, clusters: usize) -> std::io::Result<()> {
    writeln!(
        out,
        "{} documents, {:.1} MB, {:.2} s on {} threads: {:.0} documents/s, {:.1} MB/s, peak RSS {}",
        r.documents,
        r.megabytes,
        r.seconds,
        r.threads,
        r.documents_per_second,
        r.megabytes_per_second,
        r.peak_rss_mb
            .map(|m| format!("{m:.0} MB"))
            .unwrap_or_else(|| "unknown".into())
    )?;
    writeln!(out)?;
    writeln!(out, "| stage | seconds |")?;
    writeln!(out, "|---|---:|")?;
    for (stage, s) in &r.stages {
        writeln!(out, "| {} | {s:.2} |", &stage[2..])?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{} pairs, {clusters} duplicate clusters; precision (pairs within a planted family) {:.4}",
        r.pairs, r.precision
    )?;
    writeln!(out)?;
    writeln!(out, "| relation | pairs | precision |")?;
    writeln!(out, "|---|---:|---:|")?;
    for (k, n) in &r.pairs_by_relation {
        writeln!(out, "| {k} | {n} | {:.4} |", r.precision_by_relation[k])?;
    }
    writeln!(out)?;
    writeln!(out, "| planted kind | planted | found | recall |")?;
    writeln!(out, "|---|---:|---:|---:|")?;
    for (k, s) in &r.recall_by_kind {
        writeln!(
            out,
            "| {k} | {} | {} | {:.4} |",
            s.planted, s.found, s.recall
        )?;
    }
    Ok(())
}
