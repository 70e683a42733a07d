//! `twinwire index`: a persistent index of every article seen, so that each new batch (this
//! morning's scrape) is matched against all the earlier ones. The storage is [`crate::index`].
//!
//! An `add` reads the new batch and writes it durably into the index while its documents are
//! fingerprinted (`super::fresh`), then matches the whole index (the earlier batches are taken
//! from the index: the user keeps no old corpus) and reports the pairs that involve a new
//! document. The pairs of every `add`, put together, are the pairs of one
//! `twinwire pairs` run over all the batches in order: same pairs, relations and scores. The index
//! names the batch in its manifest only after the outputs are in place: a killed `add` changes
//! nothing, and running it again gives the same answer.

use std::collections::HashSet;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand};

use crate::cluster::Cluster;
use crate::corpus::{Format, ReadOptions, StripHtml};
use crate::dedupe::{dedupe, KeepPolicy};
use crate::fingerprint::Fingerprints;
use crate::index::{Index, IndexStore, Settings};
use crate::keep::{Core, KeepOrder};
use crate::output::{round4, write_json_line, AtomicFile, PairRecord};
use crate::pipeline::{FeatureStore, FreshInput};
use crate::relate::Relation;
use crate::DocId;

use super::dedupe::{record_bytes, RemovedRecord};
use super::fresh::{FreshBatch, Records, Written};
use super::{
    analyze_read_stored, check_outputs, human_bytes, Analyzed, InputArgs, Keeping, MatchArgs,
};

/// A persistent index for daily batches: `create`, `add`, `dedupe`, `stats` (and
/// `twinwire explain A B --index DIR`).
#[derive(Debug, Args)]
pub struct IndexArgs {
    #[command(subcommand)]
    command: IndexCommand,
}

#[derive(Debug, Subcommand)]
enum IndexCommand {
    Create(CreateArgs),
    Add(AddArgs),
    Dedupe(DedupeArgs),
    Stats(StatsArgs),
}

/// Make a new index in INDEX_DIR with these settings (thresholds, shingle size, relations,
/// lexicons: every later command on it must use the same), optionally with a first batch.
#[derive(Debug, Args)]
struct CreateArgs {
    index_dir: PathBuf,
    /// A first batch: files or directories to read (`-` for JSONL on standard input).
    #[arg(value_name = "INPUT")]
    inputs: Vec<String>,
    /// Write the first batch's pairs to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "PAIRS", requires = "inputs")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

/// Add a batch to the index and write every pair involving one of its documents (with each other
/// or with any document already indexed), in the format of `twinwire pairs`.
#[derive(Debug, Args)]
struct AddArgs {
    index_dir: PathBuf,
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Write the pairs to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "PAIRS")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

/// Add a batch to the index and write the records of its documents that twin nothing seen before:
/// one per cluster of new documents (the document `dedupe --keep core` keeps), none of a cluster
/// that holds an indexed document.
#[derive(Debug, Args)]
struct DedupeArgs {
    index_dir: PathBuf,
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Where to write the kept records (JSONL, each as read).
    #[arg(short, long, value_name = "KEPT", required = true)]
    output: PathBuf,
    /// Also write the batch's dropped records: {"id", "duplicate_of", "relation", "score", "record"}.
    #[arg(long, value_name = "FILE")]
    removed: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

/// What the index holds: documents, batches, size on disk, settings.
#[derive(Debug, Args)]
struct StatsArgs {
    index_dir: PathBuf,
}

pub fn run(args: IndexArgs) -> Result<()> {
    match args.command {
        IndexCommand::Create(a) => create(a),
        IndexCommand::Add(a) => {
            let outputs = Outputs::Pairs(a.output);
            add(&a.index_dir, &a.inputs, (&a.input, &a.matching), outputs)
        }
        IndexCommand::Dedupe(a) => {
            let outputs = Outputs::Kept {
                kept: a.output,
                removed: a.removed,
            };
            add(&a.index_dir, &a.inputs, (&a.input, &a.matching), outputs)
        }
        IndexCommand::Stats(a) => stats(&a.index_dir),
    }
}

fn create(args: CreateArgs) -> Result<()> {
    let settings = settings(&args.matching)?;
    let existed = args.index_dir.exists();
    Index::create(&args.index_dir, settings)?;
    if args.inputs.is_empty() {
        if !args.input.quiet {
            eprintln!(
                "twinwire: index {} created, empty",
                args.index_dir.display()
            );
        }
        return Ok(());
    }
    let outputs = Outputs::Pairs(args.output);
    let added = add(
        &args.index_dir,
        &args.inputs,
        (&args.input, &args.matching),
        outputs,
    );
    if added.is_err() {
        // A create whose first batch failed leaves nothing behind, so that it can be run again.
        Index::remove_empty(&args.index_dir, !existed);
    }
    added
}

/// What an `add` writes.
enum Outputs {
    /// The pairs involving a new document (standard output when `None`).
    Pairs(Option<PathBuf>),
    /// The new records that twin nothing seen before, and the others.
    Kept {
        kept: PathBuf,
        removed: Option<PathBuf>,
    },
}

impl Outputs {
    fn paths(&self) -> Vec<&Path> {
        match self {
            Outputs::Pairs(p) => p.iter().map(PathBuf::as_path).collect(),
            Outputs::Kept { kept, removed } => {
                let mut paths = vec![kept.as_path()];
                paths.extend(removed.as_deref());
                paths
            }
        }
    }
}

/// Adds the batch read from `inputs` to the index in `dir`, writing `outputs` before the index
/// names the batch.
fn add(
    dir: &Path,
    inputs: &[String],
    (input_args, match_args): (&InputArgs, &MatchArgs),
    outputs: Outputs,
) -> Result<()> {
    let started = Instant::now();
    let mut paths = outputs.paths();
    paths.extend(input_args.outputs());
    check_outputs(&paths, inputs)?;
    let settings = settings(match_args)?;
    // The lock first, so that the manifest read is the one this add extends.
    let _lock = Index::lock(dir)?;
    let mut index = Index::open(dir)?;
    index.check_settings(&settings)?;
    let keep_records = matches!(outputs, Outputs::Kept { .. });
    let taken = index.ids()?;
    let writer = index.batch_writer()?;
    let mut fresh = FreshBatch::new(inputs, input_args, (taken, keep_records), writer)?;
    let mut files: Vec<String> = index.batch_paths().iter().map(path_string).collect();
    files.push(path_string(fresh.path()));
    // Pairs want only those with a new document; dedupe settles clusters from every edge. Into
    // an empty index every document is new: the whole search is then the same and faster than
    // searching from each new document (BENCHMARKS.md section 25).
    let keeping = Keeping {
        pairs_from: (!keep_records && index.documents() > 0).then_some(index.documents() as u32),
        ..Keeping::default()
    };
    let quiet_input = InputArgs {
        rejects: None,
        ..input_args.clone()
    };
    let read = (&quiet_input, index_read_options());
    // The indexed batches come from their stored features; the new one's documents come as it is
    // written, and their features are written as they are fingerprinted.
    let modulus = match_args.config()?.anchor_modulus();
    let lookups = keeping.pairs_from.is_some();
    let mut store = match IndexStore::new(&index, fresh.path(), (modulus, lookups)) {
        Ok(store) => store,
        Err(e) => {
            fresh.abandon();
            return Err(e.into());
        }
    };
    let opened_in = started.elapsed();
    let sources = (
        &mut store as &mut dyn FeatureStore,
        Some(&mut fresh as &mut dyn FreshInput),
    );
    let analyzed = match analyze_read_stored(&files, read, match_args, keeping, sources) {
        Ok(analyzed) => fresh.finish().map(|written| (analyzed, written)),
        Err(e) => {
            fresh.abandon();
            Err(e)
        }
    };
    let (
        Analyzed {
            analysis, progress, ..
        },
        written,
    ) = match analyzed {
        Ok(done) => done,
        Err(e) => {
            store.abandon();
            return Err(e);
        }
    };
    let Written {
        mut pending,
        records,
    } = written;
    progress.finish();
    let first_new = index.documents();
    if analysis.docs.len() != first_new + records.len() {
        bail!(
            "{}: the index's batches hold {} documents, its manifest says {}: the index is damaged",
            dir.display(),
            analysis.docs.len() - records.len(),
            first_new
        );
    }
    let matched_at = Instant::now();
    let summary = match &outputs {
        Outputs::Pairs(path) => write_new_pairs(path.as_deref(), &analysis, first_new)?,
        Outputs::Kept { kept, removed } => {
            let out = (kept.as_path(), removed.as_deref());
            write_new_kept(out, &analysis, first_new, &records)?
        }
    };
    store.finish(&mut pending)?;
    index.commit(pending)?;
    let t = &analysis.times;
    if !input_args.quiet {
        eprintln!(
            "twinwire: index {}: added {} documents (batch {}), {} in all; {summary}; {:.1} s \
             (index opened {:.1}, index read {:.1}, fingerprint {:.1}, candidates {:.1}, translate {:.1}, \
             pairs scored and written {:.1})",
            dir.display(),
            records.len(),
            index.manifest().batches.len(),
            index.documents(),
            started.elapsed().as_secs_f64(),
            opened_in.as_secs_f64(),
            t.read.as_secs_f64(),
            t.fingerprint.as_secs_f64(),
            t.candidates.as_secs_f64(),
            t.translate.as_secs_f64(),
            matched_at.elapsed().as_secs_f64(),
        );
    }
    Ok(())
}

/// How the index's own batch files are read: as written, strictly (a damaged batch is an error
/// naming it, never a skipped record).
fn index_read_options() -> ReadOptions {
    ReadOptions {
        strict: true,
        format: Some(Format::Jsonl),
        strip_html: StripHtml::Never,
        max_doc_bytes: 1 << 40,
        allow_empty: true,
        ..ReadOptions::default()
    }
}

fn path_string(p: impl AsRef<Path>) -> String {
    p.as_ref().display().to_string()
}

/// Writes the pairs with a document at or after `first_new`; returns the summary's words.
fn write_new_pairs(
    path: Option<&Path>,
    analysis: &crate::pipeline::Analysis,
    first_new: usize,
) -> Result<String> {
    let is_new = |r: &Relation| r.a.index().max(r.b.index()) >= first_new;
    let mut written = 0u64;
    let mut write = |out: &mut dyn Write| -> io::Result<()> {
        let format = |relations: &[Relation]| -> io::Result<(Vec<u8>, u64)> {
            let mut lines = Vec::new();
            let mut n = 0;
            for r in relations.iter().filter(|r| is_new(r)) {
                write_json_line(&mut lines, &PairRecord::new(r, &analysis.docs))?;
                n += 1;
            }
            Ok((lines, n))
        };
        // The configuration's `pairs_from` (set by `add`) makes it score only those pairs.
        let related = analysis.related();
        related.for_each::<io::Result<(Vec<u8>, u64)>, io::Error>(None, &format, &mut |lines| {
            let (lines, n) = lines?;
            written += n;
            out.write_all(&lines)
        })?;
        out.flush()
    };
    match path {
        Some(path) => {
            let mut file = AtomicFile::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?;
            write(file.writer()).with_context(|| format!("{}: cannot write", path.display()))?;
            file.commit()
                .with_context(|| format!("{}: cannot write", path.display()))?;
        }
        None => write(&mut BufWriter::new(io::stdout().lock()))?,
    }
    Ok(format!("{written} pairs involve them"))
}

/// Keeps indexed documents ahead of new ones, then `--keep core`'s order: a cluster with an
/// indexed document keeps it, and every new document of the cluster is dropped.
struct SeenFirst {
    first_new: usize,
}

impl KeepOrder for SeenFirst {
    fn order(&self, cluster: &Cluster, fingerprints: &Fingerprints) -> Vec<DocId> {
        let mut order = Core.order(cluster, fingerprints);
        order.sort_by_key(|d| d.index() >= self.first_new);
        order
    }
}

/// Writes the new records kept (and those removed); returns the summary's words.
fn write_new_kept(
    (kept_path, removed_path): (&Path, Option<&Path>),
    analysis: &crate::pipeline::Analysis,
    first_new: usize,
    records: &Records,
) -> Result<String> {
    let order = SeenFirst { first_new };
    let deduped = dedupe(analysis, &KeepPolicy::Order(&order), None);
    let docs = &analysis.docs;
    let create =
        |p: &Path| AtomicFile::create(p).with_context(|| format!("{}: cannot create", p.display()));
    let mut kept = create(kept_path)?;
    let mut removed = removed_path.map(create).transpose()?;
    let (mut n_kept, mut n_removed) = (0, 0);
    let mut buf = Vec::new();
    for (k, (record, origin)) in records.iter().enumerate() {
        let i = first_new + k;
        record_bytes(&docs[i].id, record.as_ref(), origin, &mut buf)?;
        match deduped.dropped_for.get(&i) {
            None => {
                n_kept += 1;
                let w = kept.writer();
                w.write_all(&buf)?;
                w.write_all(b"\n")?;
            }
            Some(&(c, m)) => {
                n_removed += 1;
                if let Some(out) = removed.as_mut() {
                    let cluster = &deduped.clusters[c];
                    let member = &cluster.members[m];
                    let line = RemovedRecord {
                        id: &docs[i].id,
                        duplicate_of: &docs[cluster.representative.index()].id,
                        relation: member.relation.name(),
                        score: round4(member.score),
                    };
                    line.write(&buf, out.writer())?;
                }
            }
        }
    }
    kept.commit()
        .with_context(|| format!("{}: cannot write", kept_path.display()))?;
    if let (Some(out), Some(p)) = (removed, removed_path) {
        out.commit()
            .with_context(|| format!("{}: cannot write", p.display()))?;
    }
    Ok(format!("{n_kept} kept, {n_removed} removed as twins"))
}

/// The settings that decide which pairs are found, as the index records them.
fn settings(m: &MatchArgs) -> Result<Settings> {
    let config = m.config()?;
    let (bands, rows) = config.minhash_shape();
    let relations: Vec<&str> = config.relations().iter().map(|k| k.name()).collect();
    let mut lexicons = Vec::new();
    for spec in &m.lexicon {
        let (lang, path) = match spec.split_once('=') {
            Some((l, p)) if l.len() == 2 => (l, p),
            _ => ("fr", spec.as_str()),
        };
        let bytes =
            std::fs::read(path).with_context(|| format!("--lexicon: {path}: cannot read"))?;
        lexicons.push(format!(
            "{lang}:xxh3={:016x}",
            xxhash_rust::xxh3::xxh3_64(&bytes)
        ));
    }
    let lexicons = if lexicons.is_empty() {
        "bundled".to_string()
    } else {
        lexicons.join(",")
    };
    let pairs = [
        ("--threshold", config.threshold().to_string()),
        ("--shingle-size", config.shingle_size().to_string()),
        ("--containment", config.containment().to_string()),
        ("--relations", relations.join(",")),
        ("--lexicon", lexicons),
        (
            "--translation-coverage",
            config.translation_coverage().to_string(),
        ),
        (
            "--translation-similarity",
            config.translation_similarity().to_string(),
        ),
        ("--minhash-bands", bands.to_string()),
        ("--minhash-rows", rows.to_string()),
        ("--anchor-modulus", config.anchor_modulus().to_string()),
        ("--exhaustive", config.exhaustive().to_string()),
    ];
    Ok(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

/// Prints what the index holds.
fn stats(dir: &Path) -> Result<()> {
    let index = Index::open(dir)?;
    let manifest = index.manifest();
    let text: u64 = manifest.batches.iter().map(|b| b.text_bytes).sum();
    let size = index.size_on_disk()?;
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "index: {} (format {}, written by {})",
        dir.display(),
        manifest.version,
        manifest.written_by
    )?;
    writeln!(
        out,
        "documents: {} in {} batches ({} of text)",
        index.documents(),
        manifest.batches.len(),
        human_bytes(text)
    )?;
    let share = if text == 0 {
        0.0
    } else {
        size as f64 / text as f64 * 100.0
    };
    writeln!(
        out,
        "size on disk: {} ({share:.0}% of the text)",
        human_bytes(size)
    )?;
    let settings: Vec<String> = manifest
        .settings
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    writeln!(out, "settings: {}", settings.join(" "))?;
    let features = index.batch_features();
    for (n, (b, (_, usable))) in manifest.batches.iter().zip(features).enumerate() {
        // Whether an `add` takes this batch's documents from stored features or reads its text.
        let from = match (&b.features, usable) {
            (_, Some(_)) => "features stored",
            (Some(_), None) => "features missing or of another version, read from its text",
            (None, None) => "no features stored, read from its text",
        };
        writeln!(
            out,
            "batch {}: {} documents, {} of text, added at {} (unix time), {from}",
            n + 1,
            b.documents,
            human_bytes(b.text_bytes),
            b.added
        )?;
    }
    Ok(())
}

/// The index's batch files that hold `ids`, and how to read only their lines, for `explain
/// --index`: the pair is explained on its own, without matching the whole index again.
pub fn explain_inputs(
    dir: &Path,
    ids: [&str; 2],
    match_args: &MatchArgs,
) -> Result<(Vec<String>, ReadOptions)> {
    let index = Index::open(dir)?;
    index.check_settings(&settings(match_args)?)?;
    let mut files = Vec::new();
    let mut lines = HashSet::new();
    for (id, place) in ids.iter().zip(index.locate(&ids)?) {
        let Some((path, line)) = place else {
            bail!(
                "{id}: no document with this id in the index {}",
                dir.display()
            );
        };
        let file = path_string(&path);
        lines.insert((Arc::from(file.as_str()), line));
        if !files.contains(&file) {
            files.push(file);
        }
    }
    files.sort();
    let options = ReadOptions {
        only_lines: Some(Arc::new(lines)),
        ..index_read_options()
    };
    Ok((files, options))
}
