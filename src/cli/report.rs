//! `twinwire report`: one HTML page to look at a run.

use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Deserialize;

use crate::cluster::{clusters, settle, Cluster, Keep};
use crate::corpus::format;
use crate::keep::{choose_kept, Core};
use crate::output::AtomicFile;
use crate::pipeline::Analysis;
use crate::relate::{Evidence, PairEvidence, Relation, RelationKind};
use crate::report::{write_page, Limits, ListedPair, PageStats, PairTally, Run};
use crate::stream::Related;
use crate::{Config, DocId};

use super::aligned::{texts_of, AlignedArgs};
use super::{
    analyze_inputs, check_outputs, print_summary, Analyzed, InputArgs, Keeping, MatchArgs,
};

/// Write one HTML page to look at a run: the summary, score and cluster-size charts, every
/// cluster (sortable, filterable by size, relation and id), its members with which one is kept,
/// and for a pair the two texts side by side with their shared passages marked, or their aligned
/// sentences facing each other (translations).
///
/// The page is self-contained (no network, no server): open it by double click. It carries the
/// texts of the largest clusters and first translations only (--texts), and says what it left out.
/// Deep links: REPORT.html#cluster=N, #member=N/M (member M of cluster N beside the kept one),
/// #pair=K (the K-th listed pair).
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Where to write the page (HTML).
    #[arg(short, long, value_name = "REPORT", required = true)]
    output: PathBuf,
    /// Pairs already computed by `twinwire pairs` on the same inputs (JSONL): report them instead
    /// of matching again. Give the matching options the pairs were computed with.
    #[arg(long, value_name = "PAIRS")]
    pairs: Option<PathBuf>,
    /// Carry the texts of the N largest clusters (up to 20 members each) and of the first N
    /// translation pairs; the other clusters are listed without texts.
    #[arg(long, default_value_t = 100, value_name = "N")]
    texts: usize,
    #[command(flatten)]
    aligned: AlignedArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

/// What the page is made of.
struct Found {
    tally: PairTally,
    clusters: Vec<Cluster>,
    translations: Vec<(DocId, DocId)>,
}

pub fn run(args: ReportArgs) -> Result<()> {
    let started = Instant::now();
    let mut outputs: Vec<&Path> = vec![args.output.as_path()];
    outputs.extend(args.input.outputs());
    outputs.extend(args.aligned.aligned_sentences.as_deref());
    check_outputs(&outputs, &args.inputs)?;
    if let Some(pairs) = args.pairs.as_deref().filter(|p| outputs.contains(p)) {
        bail!(
            "{}: the pairs file is also named as an output; write the output somewhere else",
            pairs.display()
        );
    }
    let limits = Limits {
        text_clusters: args.texts,
        text_translations: args.texts,
        ..Limits::default()
    };
    // With pairs given, matching is not run again: exact copies only, to read and fingerprint.
    let mut matching = args.matching.clone();
    if args.pairs.is_some() {
        matching.relations = RelationKind::Exact.name().into();
    }
    let keep_text = args.inputs.iter().any(|i| i == "-");
    let keeping = Keeping {
        records: false,
        text: keep_text,
        ..Keeping::default()
    };
    let Analyzed {
        mut analysis,
        pivoter,
        progress,
    } = analyze_inputs(&args.inputs, &args.input, &matching, keeping)?;
    // The kept documents and the views follow the options the pairs were made with.
    let (config, pivoter) = match args.pairs {
        Some(_) => (args.matching.config()?, args.matching.pivoter()?),
        None => (analysis.config.clone(), pivoter),
    };
    let t = Instant::now();
    let found = match &args.pairs {
        Some(path) => from_pairs_file(path, &analysis, &config, limits.listed_pairs)?,
        None => {
            let step = |done: usize, total: usize| progress.step("settling clusters", done, total);
            matched(&analysis, limits.listed_pairs, &step)
        }
    };
    progress.finish();
    let mut clusters = choose_kept(found.clusters, &analysis.fingerprints, &config, &Core);
    Run::sort_clusters(&mut clusters);
    analysis.times.score = t.elapsed();

    let read_options = args.input.read_options(false);
    let mut run = Run {
        docs: &analysis.docs,
        tally: &found.tally,
        clusters: &clusters,
        seconds: 0.0,
        inputs: &args.inputs,
        settings: settings(&args.matching, args.pairs.as_deref()),
        config: &config,
        pivoter: &pivoter,
        limits,
    };
    let texts = texts_of(&analysis, &args.inputs, &read_options, &run.texts_wanted())?;
    run.seconds = started.elapsed().as_secs_f64();
    let mut file = AtomicFile::create(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    let page = write_page(file.writer(), &run, &texts)
        .with_context(|| format!("{}: cannot write", args.output.display()))?;
    file.commit()
        .with_context(|| format!("{}: cannot write", args.output.display()))?;

    let mut extra = vec![page_line(&found.tally, clusters.len(), &args.output, &page)];
    let aligned = args.aligned.write_pairs(
        &analysis,
        &found.translations,
        &args.inputs,
        &read_options,
        &pivoter,
    )?;
    if let Some(n) = aligned {
        extra.push(format!("{n} aligned sentence groups written"));
    }
    print_summary(&analysis, started, None, &extra, args.input.quiet);
    Ok(())
}

/// The run's own pairs and clusters (the clusters `dedupe` makes, the pairs `pairs` writes).
fn matched(analysis: &Analysis, cap: usize, step: &(dyn Fn(usize, usize) + Sync)) -> Found {
    let words: Vec<u32> = analysis.docs.iter().map(|d| d.words).collect();
    let related = Related {
        progress: Some(step),
        ..analysis.related()
    };
    let settled = settle(&related, &words, Keep::Longest);
    let mut tally = PairTally::new(cap);
    let mut translations = Vec::new();
    let listed = |rs: &[Relation]| -> Vec<ListedPair> { rs.iter().map(listed_pair).collect() };
    analysis
        .related()
        .for_each::<_, std::convert::Infallible>(None, &listed, &mut |pairs| {
            for p in pairs {
                if p.kind == RelationKind::Translation {
                    translations.push((p.a, p.b));
                }
                tally.add(p);
            }
            Ok(())
        })
        .unwrap_or_else(|e| match e {});
    Found {
        tally,
        clusters: settled.clusters,
        translations,
    }
}

fn listed_pair(r: &Relation) -> ListedPair {
    ListedPair {
        a: r.a,
        b: r.b,
        kind: r.kind,
        score: r.score,
    }
}

/// One line of a pairs file (other fields are not needed).
#[derive(Deserialize)]
struct PairLine {
    a: String,
    b: String,
    relation: String,
    score: f64,
    /// Copy relations only (a containment that also resembles may be deduplicated either way).
    #[serde(default)]
    jaccard: f64,
}

/// The pairs of a `twinwire pairs` file, and the clusters they make.
fn from_pairs_file(path: &Path, analysis: &Analysis, config: &Config, cap: usize) -> Result<Found> {
    let shown = path.display();
    let file = std::fs::File::open(path).with_context(|| format!("{shown}: cannot read"))?;
    let reader = format::open(Box::new(file), Some(format::Format::Jsonl))
        .with_context(|| format!("{shown}: cannot read"))?
        .stream;
    let ids: HashMap<&str, DocId> = analysis
        .docs
        .iter()
        .enumerate()
        .map(|(i, d)| (d.id.as_str(), DocId(i as u32)))
        .collect();
    let mut tally = PairTally::new(cap);
    let mut duplicates: Vec<Relation> = Vec::new();
    let mut translations = Vec::new();
    for (n, line) in reader.lines().enumerate() {
        let line = line.with_context(|| format!("{shown}:{}: cannot read", n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let p = pair_of_line(&line, &ids).with_context(|| {
            format!(
                "{shown}:{}: not a pair of these inputs; give the file `twinwire pairs` wrote for \
                 the same inputs",
                n + 1
            )
        })?;
        tally.add(listed_pair(&p));
        if p.kind == RelationKind::Translation {
            translations.push((p.a, p.b));
        } else {
            duplicates.push(p);
        }
    }
    let words: Vec<u32> = analysis.docs.iter().map(|d| d.words).collect();
    let clusters = clusters(
        analysis.docs.len(),
        &duplicates,
        &words,
        Keep::Longest,
        config,
    );
    Ok(Found {
        tally,
        clusters,
        translations,
    })
}

fn pair_of_line(line: &str, ids: &HashMap<&str, DocId>) -> Result<Relation> {
    let p: PairLine = serde_json::from_str(line)?;
    let Some(kind) = RelationKind::parse(&p.relation) else {
        bail!("unknown relation \"{}\"", p.relation);
    };
    let doc = |id: &str| match ids.get(id) {
        Some(&d) => Ok(d),
        None => Err(anyhow::anyhow!(
            "no document with id \"{id}\" in the inputs"
        )),
    };
    let (a, b) = (doc(&p.a)?, doc(&p.b)?);
    if a == b || !(0.0..=1.0).contains(&p.score) {
        bail!("a pair of a document with itself, or a score out of [0, 1]");
    }
    Ok(Relation {
        a,
        b,
        kind,
        score: p.score,
        // Clusters are made from the relation, its score and the resemblance.
        evidence: Evidence::Shingles(PairEvidence {
            jaccard: p.jaccard,
            ..PairEvidence::default()
        }),
    })
}

/// The summary's line on what the page holds.
fn page_line(tally: &PairTally, clusters: usize, output: &Path, page: &PageStats) -> String {
    format!(
        "{} pairs ({}), {clusters} clusters; wrote {} ({:.1} MB): texts of {} documents, {} pairs to open{}",
        tally.total(),
        by_kind(tally),
        output.display(),
        page.bytes as f64 / 1e6,
        page.texts,
        page.views,
        if tally.left_out > 0 {
            format!("; {} pairs counted but not listed", tally.left_out)
        } else {
            String::new()
        }
    )
}

fn by_kind(tally: &PairTally) -> String {
    RelationKind::ALL
        .iter()
        .zip(tally.counts)
        .map(|(k, n)| format!("{} {n}", k.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The settings, in words, for the page's header.
fn settings(m: &MatchArgs, pairs: Option<&Path>) -> String {
    let mut s = format!(
        "threshold {}, containment {}, shingles of {} words, relations {}",
        m.threshold, m.containment, m.shingle_size, m.relations
    );
    if let Some(p) = pairs {
        s += &format!(", pairs from {}", p.display());
    }
    s
}
