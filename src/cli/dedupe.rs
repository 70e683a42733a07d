//! `twinwire dedupe`: the corpus without its duplicates.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::cluster::{groups, Cluster, Group};
use crate::corpus::{parquet, Origin, Record};
use crate::dedupe::{dedupe, Deduped, KeepPolicy};
use crate::output::{round4, write_json_line, AtomicFile, ClusterRecord};
use crate::pipeline::{Analysis, DocInfo};

use super::aligned::AlignedArgs;
use super::keep_by;
use super::{
    analyze_inputs, check_outputs, print_summary, Analyzed, InputArgs, Keeping, MatchArgs,
};

/// Write the corpus without its duplicates: one representative per cluster plus every unrelated
/// document, as the original records (JSONL lines unchanged; text files as {"id", "text"}).
///
/// A document is dropped only when it is related to the representative it is dropped for (no
/// chaining), and an article is never dropped for an excerpt it quotes. Every input record ends up
/// exactly once in KEPT or REMOVED; the summary says so.
#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Where to write the kept records: JSONL, or Parquet when the name ends in `.parquet` (the
    /// rows of Parquet inputs unchanged, same schema; other records with a schema inferred).
    #[arg(short, long, value_name = "KEPT", required = true)]
    output: PathBuf,
    /// Also write every dropped record: {"id", "duplicate_of", "relation", "score", "record"}.
    #[arg(long, value_name = "FILE")]
    removed: Option<PathBuf>,
    /// Also write one line per cluster: {"cluster", "representative", "members", "min_similarity"}.
    #[arg(long, value_name = "FILE")]
    clusters: Option<PathBuf>,
    /// Which document of a cluster to keep (core measured best: BENCHMARKS.md "Which copy is kept").
    #[arg(long, value_enum, default_value_t = KeepArg::Core)]
    keep: KeepArg,
    /// Keep the document with the smallest (`:asc`, the default) or largest (`:desc`) value of this
    /// record field (`a.b` inside objects): `date:asc` keeps the first publication. Documents
    /// without the field come last; ties go to the first in input order. Overrides --keep.
    #[arg(long, value_name = "FIELD[:asc|desc]")]
    keep_by: Option<String>,
    /// With --keep-by: keep the document whose field value comes first in this list
    /// (`--keep-by source --prefer-values lemonde.fr,afp.com`); other values after, in input order.
    #[arg(long, value_name = "LIST", requires = "keep_by")]
    prefer_values: Option<String>,
    #[command(flatten)]
    aligned: AlignedArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KeepArg {
    /// The document with most words.
    Longest,
    /// The first in input order.
    First,
    /// The document best covered by the cluster's other members: the least text of its own (no
    /// foreign header or comments, no typos). Ties: the first in input order.
    Core,
}

/// A dropped record and why; the record itself follows as `"record"`, byte for byte.
#[derive(Serialize)]
pub(super) struct RemovedRecord<'a> {
    pub id: &'a str,
    pub duplicate_of: &'a str,
    pub relation: &'static str,
    pub score: f64,
}

impl RemovedRecord<'_> {
    /// Writes the line of REMOVED: these fields, then `record` (JSON bytes) as `"record"`.
    pub(super) fn write(&self, record: &[u8], out: &mut impl Write) -> Result<()> {
        let head = serde_json::to_vec(self)?;
        out.write_all(&head[..head.len() - 1])?;
        out.write_all(b",\"record\":")?;
        out.write_all(record)?;
        out.write_all(b"}\n")?;
        Ok(())
    }
}

/// A text-file document written as a record.
#[derive(Serialize)]
struct TextRecord<'a> {
    id: &'a str,
    text: &'a str,
}

pub fn run(args: DedupeArgs) -> Result<()> {
    let started = Instant::now();
    let mut outputs: Vec<&Path> = [
        Some(args.output.as_path()),
        args.removed.as_deref(),
        args.clusters.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    outputs.extend(args.input.outputs());
    outputs.extend(args.aligned.aligned_sentences.as_deref());
    check_outputs(&outputs, &args.inputs)?;
    let keep_text = args.aligned.needs_texts_kept(&args.inputs);
    let keeping = Keeping {
        records: true,
        text: keep_text,
        ..Keeping::default()
    };
    let Analyzed {
        mut analysis,
        pivoter,
        progress,
    } = analyze_inputs(&args.inputs, &args.input, &args.matching, keeping)?;
    // Clusters are settled from verified edges; the pairs are never all listed.
    let t = Instant::now();
    let step = |done: usize, total: usize| progress.step("settling clusters", done, total);
    let by_field;
    let policy = match (&args.keep_by, args.keep) {
        (Some(spec), _) => {
            by_field = keep_by::policy(spec, args.prefer_values.as_deref(), &analysis.docs)?;
            KeepPolicy::Order(&by_field)
        }
        (None, KeepArg::Core) => KeepPolicy::Core,
        (None, KeepArg::Longest) => KeepPolicy::Longest,
        (None, KeepArg::First) => KeepPolicy::First,
    };
    let deduped = dedupe(&analysis, &policy, Some(&step));
    progress.finish();
    analysis.times.score = t.elapsed();

    let counts = write_kept_and_removed(&args, &analysis, &deduped)?;
    let groups_line = match &args.clusters {
        Some(path) => Some(write_groups(path, &analysis, &deduped.clusters)?),
        None => None,
    };
    let read_options = args.input.read_options(false);
    let aligned = args
        .aligned
        .write(&analysis, &args.inputs, &read_options, &pivoter)?
        .map(|n| format!("{n} aligned sentence groups written"));
    let extra: Vec<String> = summary_lines(&args, &analysis, &deduped, counts)
        .into_iter()
        .chain(groups_line)
        .chain(aligned)
        .collect();
    print_summary(&analysis, started, None, &extra, args.input.quiet);
    Ok(())
}

/// Documents written to KEPT and to REMOVED.
#[derive(Clone, Copy)]
struct Written {
    kept: usize,
    removed: usize,
}

/// Writes KEPT (and REMOVED when asked): every record read goes to exactly one of them, checked
/// before either file is put in place.
fn write_kept_and_removed(
    args: &DedupeArgs,
    analysis: &Analysis,
    deduped: &Deduped,
) -> Result<Written> {
    let (docs, clusters) = (&analysis.docs, &deduped.clusters);
    let mut written = vec![0u8; docs.len()];
    let mut kept = AtomicFile::create(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    let mut removed = match &args.removed {
        Some(p) => {
            Some(AtomicFile::create(p).with_context(|| format!("{}: cannot create", p.display()))?)
        }
        None => None,
    };
    let as_parquet = args.output.extension().is_some_and(|e| e == "parquet");
    let mut kept_docs: Vec<usize> = Vec::new();
    let mut record_buf = Vec::new();
    for (i, doc) in docs.iter().enumerate() {
        record_bytes(&doc.id, doc.record(), &doc.origin, &mut record_buf)?;
        match deduped.dropped_for.get(&i) {
            None if as_parquet => kept_docs.push(i),
            None => {
                let w = kept.writer();
                w.write_all(&record_buf)?;
                w.write_all(b"\n")?;
            }
            Some(&(c, m)) => {
                if let Some(out) = removed.as_mut() {
                    let cluster = &clusters[c];
                    let member = &cluster.members[m];
                    let line = RemovedRecord {
                        id: &doc.id,
                        duplicate_of: &docs[cluster.representative.index()].id,
                        relation: member.relation.name(),
                        score: round4(member.score),
                    };
                    line.write(&record_buf, out.writer())?;
                }
            }
        }
        written[i] += 1;
    }
    // Conservation: every record read is in exactly one of KEPT and REMOVED.
    if let Some(i) = written.iter().position(|&n| n != 1) {
        bail!(
            "internal error: record {} was written {} times; no output was written",
            docs[i].origin,
            written[i]
        );
    }
    if as_parquet {
        write_parquet(&kept_docs, docs, kept.writer())
            .with_context(|| format!("{}: cannot write", args.output.display()))?;
    }
    kept.commit()
        .with_context(|| format!("{}: cannot write", args.output.display()))?;
    if let (Some(out), Some(p)) = (removed, &args.removed) {
        out.commit()
            .with_context(|| format!("{}: cannot write", p.display()))?;
    }
    let n_removed = deduped.dropped_for.len();
    Ok(Written {
        kept: docs.len() - n_removed,
        removed: n_removed,
    })
}

/// Writes `--clusters` (duplicate clusters joined by their translations, and groups of
/// translations only); returns the summary line about them.
fn write_groups(path: &Path, analysis: &Analysis, clusters: &[Cluster]) -> Result<String> {
    let docs = &analysis.docs;
    let translations = analysis.matched.translations_of_copies();
    let groups = groups(docs.len(), clusters, &translations);
    write_clusters(path, &groups, docs)?;
    let only_translations = groups.iter().filter(|g| g.min_similarity.is_none()).count();
    let joined = groups
        .iter()
        .filter(|g| g.min_similarity.is_some() && g.kept.len() > 1)
        .count();
    Ok(format!(
        "{} lines in {}: {} duplicate clusters ({joined} of them joined to their translations) \
         and {only_translations} groups of translations only",
        groups.len(),
        path.display(),
        groups.len() - only_translations,
    ))
}

/// The summary's lines about the clusters and the conservation of records.
fn summary_lines(
    args: &DedupeArgs,
    analysis: &Analysis,
    deduped: &Deduped,
    written: Written,
) -> [String; 2] {
    let (docs, clusters) = (&analysis.docs, &deduped.clusters);
    let Written {
        kept: n_kept,
        removed: n_removed,
    } = written;
    let n_rejected = analysis.report.skipped_total();
    let largest = clusters
        .iter()
        .max_by_key(|c| (c.members.len(), std::cmp::Reverse(c.representative)));
    [
        format!(
            "{} clusters settled from {} scored candidates and {} aligned translation candidates \
             (pairs are not listed: see twinwire pairs){}; kept {n_kept}, removed {n_removed}",
            clusters.len(),
            deduped.scored,
            analysis.matched.translation_candidates,
            match largest {
                Some(c) => format!(
                    "; the largest has {} documents, around {}",
                    c.members.len() + 1,
                    docs[c.representative.index()].id
                ),
                None => String::new(),
            }
        ),
        format!(
            "conservation checked: {} lines in = {n_kept} kept + {n_removed} removed + {n_rejected} rejected{}{}",
            docs.len() + n_rejected,
            if args.removed.is_none() {
                " (removed records not written: no --removed)"
            } else {
                ""
            },
            if n_rejected > 0 && args.input.rejects.is_none() {
                " (rejected records not written: no --rejects)"
            } else {
                ""
            }
        ),
    ]
}

/// The record of `doc` as it goes to KEPT or inside REMOVED.
pub(super) fn record_bytes(
    id: &str,
    record: Option<&Record>,
    origin: &Origin,
    buf: &mut Vec<u8>,
) -> Result<()> {
    buf.clear();
    match record {
        Some(Record::JsonLine(raw) | Record::ParquetRow(raw)) => buf.extend_from_slice(raw),
        Some(Record::TextFile(text)) => serde_json::to_writer(&mut *buf, &TextRecord { id, text })?,
        None => bail!("internal error: {origin} was read without its record"),
    }
    Ok(())
}

/// KEPT as Parquet: the kept rows of Parquet inputs unchanged (same schema), or the kept records of
/// other inputs with a schema inferred from them. Parquet and other inputs cannot be mixed.
fn write_parquet(kept: &[usize], docs: &[DocInfo], out: &mut (dyn Write + Send)) -> Result<()> {
    // Every Parquet input is listed, in input order, even with no row kept: it fixes the schema.
    let mut parquet_files: Vec<(Arc<str>, HashSet<u64>)> = Vec::new();
    let mut slot: HashMap<Arc<str>, usize> = HashMap::new();
    for doc in docs
        .iter()
        .filter(|d| matches!(d.record(), Some(Record::ParquetRow(_))))
    {
        let file = &doc.origin.file;
        if !slot.contains_key(file) {
            slot.insert(file.clone(), parquet_files.len());
            parquet_files.push((file.clone(), HashSet::new()));
        }
    }
    if slot.is_empty() {
        let mut json_records: Vec<Vec<u8>> = Vec::with_capacity(kept.len());
        for &i in kept {
            let mut buf = Vec::new();
            record_bytes(&docs[i].id, docs[i].record(), &docs[i].origin, &mut buf)?;
            json_records.push(buf);
        }
        let records: Vec<&[u8]> = json_records.iter().map(Vec::as_slice).collect();
        return parquet::write_json_records(&records, out).map_err(anyhow::Error::msg);
    }
    if docs
        .iter()
        .any(|d| !matches!(d.record(), Some(Record::ParquetRow(_))))
    {
        bail!(
            "KEPT as Parquet needs inputs of one kind: these are Parquet and other formats. \
             Write KEPT as .jsonl, or dedupe them separately"
        );
    }
    for &i in kept {
        let origin = &docs[i].origin;
        let rank = origin
            .line
            .context("internal error: a Parquet row without its rank")?;
        parquet_files[slot[&origin.file]].1.insert(rank.get());
    }
    // The files are read again in input order and their kept rows written unchanged.
    parquet::write_kept_rows(&parquet_files, out).map_err(anyhow::Error::msg)
}

fn write_clusters(path: &Path, groups: &[Group], docs: &[DocInfo]) -> Result<()> {
    let mut file =
        AtomicFile::create(path).with_context(|| format!("{}: cannot create", path.display()))?;
    for (n, g) in groups.iter().enumerate() {
        write_json_line(file.writer(), &ClusterRecord::new(n, g, docs))?;
    }
    file.commit()
        .with_context(|| format!("{}: cannot write", path.display()))
}
