//! `twinwire bench`: the pipeline on a generated corpus: speed, memory, and recall per planted kind.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use crate::cluster::{settle, Keep};
use crate::output::{write_json_line, PairRecord};
use crate::relate::RelationKind;

use super::{analyze_inputs, InputArgs, MatchArgs};

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
    let (analysis, config, _, progress) = analyze_inputs(
        std::slice::from_ref(&args.corpus),
        &input,
        &args.matching,
        false,
        false,
    )?;
    progress.finish();

    let t = Instant::now();
    let (relations, _) = analysis.related().collect();
    let score_time = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let words: Vec<u32> = analysis.docs.iter().map(|d| d.words).collect();
    let found_clusters = settle(&analysis.related(), &words, Keep::Longest).clusters;
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
    let write_time = t.elapsed().as_secs_f64();
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_mb();

    // Truth: planted pairs and the family of every planted document.
    let file = std::fs::File::open(&args.truth)
        .with_context(|| format!("{}: cannot open", args.truth.display()))?;
    let mut family: HashMap<String, u64> = HashMap::new();
    let mut planted: Vec<(String, String, String, String)> = Vec::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line?;
        let v: serde_json::Value = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not JSON", args.truth.display(), n + 1))?;
        let s = |k: &str| v[k].as_str().unwrap_or_default().to_string();
        let f = v["family"].as_u64().unwrap_or(0);
        family.insert(s("a"), f);
        family.insert(s("b"), f);
        planted.push((s("a"), s("b"), s("relation"), s("kind")));
    }
    let id = |d: crate::DocId| analysis.docs[d.index()].id.as_str();
    let mut found: HashMap<(&str, &str), &'static str> = HashMap::new();
    let mut right_by: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    let mut right = 0usize;
    for r in &relations {
        let (a, b) = (id(r.a), id(r.b));
        found.insert((a, b), r.kind.name());
        if r.kind.is_symmetric() {
            found.insert((b, a), r.kind.name());
        }
        let same = matches!((family.get(a), family.get(b)), (Some(x), Some(y)) if x == y);
        let e = right_by.entry(r.kind.name()).or_default();
        e.1 += 1;
        if same {
            e.0 += 1;
            right += 1;
        }
    }
    let mut by_kind: BTreeMap<String, KindScore> = BTreeMap::new();
    for (a, b, relation, kind) in &planted {
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
        if found.get(&(a.as_str(), b.as_str())) == Some(&relation.as_str()) {
            k.found += 1;
        }
    }
    for k in by_kind.values_mut() {
        k.recall = k.found as f64 / k.planted.max(1) as f64;
    }
    let t = &analysis.times;
    let stages: BTreeMap<&'static str, f64> = [
        ("1 read", t.read.as_secs_f64()),
        (
            "2 fingerprint (normalize, shingle, SimHash, MinHash, pivot)",
            t.fingerprint.as_secs_f64(),
        ),
        ("3 candidates", t.candidates.as_secs_f64()),
        ("4 score", score_time),
        ("5 translate", t.translate.as_secs_f64()),
        ("6 cluster", cluster_time),
        ("7 write", write_time),
    ]
    .into_iter()
    .collect();
    let megabytes = analysis.report.bytes as f64 / 1e6;
    let report = Report {
        documents: analysis.docs.len(),
        megabytes,
        seconds,
        documents_per_second: analysis.docs.len() as f64 / seconds,
        megabytes_per_second: megabytes / seconds,
        peak_rss_mb: peak,
        stages,
        pairs: relations.len(),
        pairs_by_relation: right_by.iter().map(|(k, v)| (*k, v.1)).collect(),
        precision: right as f64 / relations.len().max(1) as f64,
        precision_by_relation: right_by
            .iter()
            .map(|(k, v)| (*k, v.0 as f64 / v.1.max(1) as f64))
            .collect(),
        recall_by_kind: by_kind,
        threads: rayon::current_num_threads(),
    };
    print_report(&mut std::io::stdout().lock(), &report, found_clusters.len())?;
    if let Some(path) = &args.json {
        let mut f = std::fs::File::create(path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        serde_json::to_writer_pretty(&mut f, &report)?;
        writeln!(f)?;
    }
    Ok(())
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
