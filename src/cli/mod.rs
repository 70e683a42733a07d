//! Command-line front end: argument groups shared by the subcommands, progress, warnings and the
//! summary on stderr. Each subcommand lives in its own file, whose doc comment is its `--help`.

mod aligned;
mod bench;
mod config_file;
mod dedupe;
mod eval;
mod explain;
mod export;
mod fresh;
mod gen;
mod index;
mod keep_by;
mod lexicon;
mod pairs;
mod progress;
mod report;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Serialize;

use crate::corpus::{
    is_among_inputs, Format, Input, InputWarning, ReadOptions, ReadReport, StripHtml, WarningKind,
};
use crate::crosslingual::pivot::Pivoter;
use crate::crosslingual::Lexicon;
use crate::fingerprint::Spill;
use crate::output::{is_stdout, write_json_line, AtomicFile};
use crate::pipeline::{
    analyze_stored, Analysis, FeatureStore, FreshInput, Hooks, NothingStored,
    Progress as PipelineProgress,
};
use crate::relate::RelationKind;
use crate::stream::StreamStats;
use crate::Config;

use progress::Progress;

/// Find the twins in a pile of news articles: exact and near-duplicate copies and excerpts.
#[derive(Debug, Parser)]
#[command(name = "twinwire", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Options read before the command line's (TOML, keys are long option names; see README).
    /// Default: twinwire.toml in the working directory, when there is one.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
}

/// The `twinwire` command: parses the command line, runs one subcommand, maps the outcome to an exit
/// code (0 done, 2 error). A closed pipe (`twinwire pairs ... | head`) is a normal end.
pub fn main() -> std::process::ExitCode {
    use std::process::ExitCode;
    // A panic inside the Parquet decoder is caught and reported as a damaged file; say nothing else.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !crate::corpus::parquet::in_guarded_read() {
            default_hook(info)
        }
    }));
    let args = match parse_args() {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    match run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("twinwire: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<std::io::Error>())
        .any(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
}

/// Parses the command line, with the configuration file's options (see `config_file`).
fn parse_args() -> Result<Cli, clap::Error> {
    config_file::parse_with_config(std::env::args_os().collect())
}

#[derive(Debug, Subcommand)]
enum Command {
    Pairs(pairs::PairsArgs),
    Dedupe(dedupe::DedupeArgs),
    Explain(explain::ExplainArgs),
    Export(export::ExportArgs),
    Eval(eval::EvalArgs),
    Lexicon(lexicon::LexiconArgs),
    Gen(gen::GenArgs),
    Bench(bench::BenchArgs),
    Report(report::ReportArgs),
    Index(index::IndexArgs),
}

/// Runs the subcommand.
fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Pairs(args) => pairs::run(args),
        Command::Dedupe(args) => dedupe::run(args),
        Command::Explain(args) => explain::run(args),
        Command::Export(args) => export::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Lexicon(args) => lexicon::run(args),
        Command::Gen(args) => gen::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Report(args) => report::run(args),
        Command::Index(args) => index::run(args),
    }
}

/// How to read the inputs (shared by every subcommand).
#[derive(Debug, Clone, Args)]
pub struct InputArgs {
    /// JSONL field holding the document id (a record without it gets FILE:LINE).
    #[arg(long, default_value_t = ReadOptions::default().id_field, value_name = "NAME")]
    id_field: String,
    /// JSONL field holding the article text.
    #[arg(long, default_value_t = ReadOptions::default().text_field, value_name = "NAME")]
    text_field: String,
    /// JSONL field holding the title, prepended to the text when present.
    #[arg(long, default_value_t = ReadOptions::default().title_field, value_name = "NAME")]
    title_field: String,
    /// JSONL field holding the language code (optional).
    #[arg(long, default_value_t = ReadOptions::default().lang_field, value_name = "NAME")]
    lang_field: String,
    /// Stop with exit code 2 at the first bad input instead of skipping it with a warning.
    #[arg(long)]
    strict: bool,
    /// Longest document read, in bytes: longer text files are cut, longer JSONL lines skipped (with a warning).
    #[arg(long, default_value_t = ReadOptions::default().max_doc_bytes, value_name = "BYTES")]
    max_doc_bytes: usize,
    /// No progress bar, no summary, no warnings on stderr (errors are still shown).
    #[arg(long, short)]
    quiet: bool,
    /// Read every input as this format (jsonl, json, txt, parquet, warc, sgml, html) instead of
    /// going by file names and first bytes.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    format: Option<Format>,
    /// Zero documents read is not an error (exit 0, empty outputs).
    #[arg(long)]
    allow_empty: bool,
    /// Write every record that could not be used to FILE, one JSON line each:
    /// {"file", "line", "kind", "reason", "raw"} (`line` is the record's rank for JSON arrays,
    /// Parquet and WARC; `raw` the line as read, null for a whole file).
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,
    /// Remove HTML markup from text fields and text files: auto (when the text has HTML tags: three
    /// or more tags of common elements, or <html>/<body>), always, never.
    #[arg(long, value_enum, default_value_t = StripHtmlArg::Auto, value_name = "WHEN")]
    strip_html: StripHtmlArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum StripHtmlArg {
    Auto,
    Always,
    Never,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("unknown format; use one of {}", Format::NAMES))
}

impl InputArgs {
    fn read_options(&self, keep_records: bool) -> ReadOptions {
        ReadOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            title_field: self.title_field.clone(),
            lang_field: self.lang_field.clone(),
            strict: self.strict,
            keep_records,
            max_doc_bytes: self.max_doc_bytes.max(1),
            only_lines: None,
            format: self.format,
            allow_empty: self.allow_empty,
            keep_rejects: self.rejects.is_some(),
            strip_html: match self.strip_html {
                StripHtmlArg::Auto => StripHtml::Auto,
                StripHtmlArg::Always => StripHtml::Always,
                StripHtmlArg::Never => StripHtml::Never,
            },
            bytes_read: None,
            taken_ids: None,
        }
    }

    /// The outputs these options name (`--rejects`), to check against the inputs and each other.
    pub fn outputs(&self) -> Vec<&Path> {
        self.rejects.iter().map(PathBuf::as_path).collect()
    }
}

/// `--rejects`: every record that could not be used, as it is reported.
pub struct RejectsFile {
    path: PathBuf,
    file: AtomicFile,
    written: usize,
    error: Option<std::io::Error>,
}

/// One line of the rejects file.
#[derive(Serialize)]
struct RejectLine<'a> {
    file: &'a str,
    line: Option<u64>,
    kind: &'static str,
    reason: &'a str,
    raw: Option<Cow<'a, str>>,
}

impl RejectsFile {
    /// The rejects file `--rejects` names, if it does.
    pub fn open(input_args: &InputArgs) -> Result<Option<RejectsFile>> {
        let Some(path) = &input_args.rejects else {
            return Ok(None);
        };
        let file = AtomicFile::create(path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        Ok(Some(RejectsFile {
            path: path.clone(),
            file,
            written: 0,
            error: None,
        }))
    }

    /// Writes `w` if it rejects a record or a file (the first write error is kept for `commit`).
    pub fn write(&mut self, w: &InputWarning) {
        if let Err(e) = self.write_line(w) {
            self.error.get_or_insert(e);
        }
    }

    /// Checks that every skipped input was written, and puts the file in place.
    pub fn commit(self, report: &ReadReport) -> Result<()> {
        let path = self.path.display();
        if let Some(e) = self.error {
            return Err(e).with_context(|| format!("{path}: cannot write"));
        }
        let skipped = report.skipped_total();
        if self.written != skipped {
            bail!(
                "internal error: {skipped} inputs were skipped but {} were written to {path}",
                self.written
            );
        }
        self.file
            .commit()
            .with_context(|| format!("{path}: cannot write"))
    }

    fn write_line(&mut self, w: &InputWarning) -> std::io::Result<()> {
        if !w.kind.skips() {
            return Ok(());
        }
        let line = match &w.rejected {
            Some(r) => RejectLine {
                file: &r.file,
                line: Some(r.line),
                kind: w.kind.label(),
                reason: &w.message,
                raw: r.raw.as_deref().map(String::from_utf8_lossy),
            },
            None => RejectLine {
                file: &w.location,
                line: None,
                kind: w.kind.label(),
                reason: &w.message,
                raw: None,
            },
        };
        self.written += 1;
        write_json_line(self.file.writer(), &line)
    }
}

/// What counts as a twin (shared by every subcommand).
#[derive(Debug, Clone, Args)]
pub struct MatchArgs {
    /// Near-duplicate threshold: Jaccard resemblance of word-shingle sets.
    #[arg(
        long,
        allow_negative_numbers = true,
        default_value_t = Config::default().threshold(),
        value_name = "J"
    )]
    threshold: f64,
    /// Words per shingle.
    #[arg(long, default_value_t = Config::default().shingle_size(), value_name = "K")]
    shingle_size: usize,
    /// Containment threshold: share of the shorter document's shingles found in the longer.
    #[arg(
        long,
        allow_negative_numbers = true,
        default_value_t = Config::default().containment(),
        value_name = "C"
    )]
    containment: f64,
    /// Relations to report, comma-separated: exact, near_duplicate, containment, translation.
    #[arg(
        long,
        default_value_t = default_relations(),
        value_name = "LIST"
    )]
    relations: String,
    /// A bilingual lexicon to English for translations: `LANG=FILE` or `FILE` (French), as TSV
    /// `word<TAB>english` or MUSE `english @ word` lines. Replaces the bundled one for that language.
    #[arg(long, value_name = "[LANG=]FILE")]
    lexicon: Vec<String>,
    /// Translation: share of the shorter document's sentences the alignment must cover.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().translation_coverage(), value_name = "F")]
    translation_coverage: f64,
    /// Translation: mean similarity of the aligned sentences needed.
    #[arg(long, allow_negative_numbers = true, default_value_t = Config::default().translation_similarity(), value_name = "S")]
    translation_similarity: f64,
    /// Worker threads (default: all cores). Output is the same whatever the number.
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
    /// Memory the run aims to stay under (e.g. 512M, 4G, 1.5G; "none": no limit). Past it the
    /// documents' shingle sets and band keys go to a temporary file and are read back from there:
    /// same output. A million news articles take about 0.75 GB at the default.
    #[arg(long, value_name = "SIZE", default_value = "1G", value_parser = parse_size)]
    memory_limit: MemoryLimit,
    /// Directory of that temporary file [default: TMPDIR, else the system's].
    #[arg(long, value_name = "DIR")]
    temp_dir: Option<PathBuf>,
    /// Score every pair instead of using the candidate tables (quadratic: small corpora, measuring recall).
    #[arg(long)]
    exhaustive: bool,
    /// Expert: LSH bands of the near-duplicate candidate table [default: chosen from --threshold,
    /// 42 at 0.5; see BENCHMARKS.md].
    #[arg(long, value_name = "N", help_heading = "Candidate tables (expert)")]
    minhash_bands: Option<usize>,
    /// Expert: MinHash values per LSH band [default: chosen from --threshold, 3 at 0.5].
    #[arg(long, value_name = "N", help_heading = "Candidate tables (expert)")]
    minhash_rows: Option<usize>,
    /// Expert: one shingle in N is an anchor of the containment index (a power of two).
    #[arg(
        long,
        default_value_t = Config::default().anchor_modulus(),
        value_name = "N",
        help_heading = "Candidate tables (expert)"
    )]
    anchor_modulus: u32,
}

/// Every relation, as `--relations` lists them.
fn default_relations() -> String {
    let names: Vec<&str> = Config::default()
        .relations()
        .iter()
        .map(|k| k.name())
        .collect();
    names.join(",")
}

impl MatchArgs {
    fn config(&self) -> Result<Config> {
        let mut relations = Vec::new();
        for name in self.relations.split(',').filter(|s| !s.trim().is_empty()) {
            match RelationKind::parse(name) {
                Some(k) => relations.push(k),
                None => bail!(
                    "--relations: unknown relation \"{}\"; use exact, near_duplicate, containment, translation",
                    name.trim()
                ),
            }
        }
        let mut config = Config::default()
            .with_threshold(self.threshold)
            .with_shingle_size(self.shingle_size)
            .with_containment(self.containment)
            .with_relations(relations)
            .with_exhaustive(self.exhaustive)
            .with_translation_coverage(self.translation_coverage)
            .with_translation_similarity(self.translation_similarity)
            .with_anchor_modulus(self.anchor_modulus);
        if self.minhash_bands.is_some() || self.minhash_rows.is_some() {
            let (bands, rows) = config.minhash_shape();
            config = config.with_minhash_shape(
                self.minhash_bands.unwrap_or(bands),
                self.minhash_rows.unwrap_or(rows),
            );
        }
        config.validate().map_err(option_names)?;
        Ok(config)
    }

    /// The pivoter for translations: the bundled French lexicon unless `--lexicon` replaces it.
    fn pivoter(&self) -> Result<Pivoter> {
        let mut lexicons: Vec<Lexicon> = Vec::new();
        for spec in &self.lexicon {
            let (lang, path) = match spec.split_once('=') {
                Some((l, p)) if l.len() == 2 => (l.to_string(), p),
                _ => ("fr".to_string(), spec.as_str()),
            };
            let lexicon = Lexicon::load(&lang, Path::new(path))
                .map_err(|e| anyhow::anyhow!("--lexicon: {e}"))?;
            lexicons.push(lexicon);
        }
        Ok(crate::crosslingual::pivoter_with(lexicons))
    }

    /// Where and when fingerprints go to disk.
    fn spill(&self) -> Spill {
        Spill {
            limit: self.memory_limit.0,
            dir: self.temp_dir.clone(),
        }
    }

    fn init_threads(&self) -> Result<()> {
        if let Some(n) = self.threads {
            if !(1..=crate::MAX_THREADS).contains(&n) {
                bail!("--threads must be 1 to {}, got {n}", crate::MAX_THREADS);
            }
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build_global()
                .context("cannot start the worker threads")?;
        }
        Ok(())
    }
}

/// A library error in the command line's words: parameters named as options (`--shingle-size`).
fn option_names(e: crate::Error) -> anyhow::Error {
    let mut message = e.to_string();
    if let crate::Error::Config { .. } = e {
        for name in [
            "translation_coverage",
            "translation_similarity",
            "threshold",
            "containment",
            "shingle_size",
            "minhash_bands",
            "minhash_rows",
            "anchor_modulus",
            "relations",
        ] {
            message = message.replace(name, &format!("--{}", name.replace('_', "-")));
        }
    }
    anyhow::Error::msg(message)
}

/// Warnings shown per kind before the rest are only counted.
const WARNINGS_SHOWN_PER_KIND: usize = 20;

/// The line to show for warning `w`, if it is still shown (`shown` counts them per kind).
fn warning_line(shown: &mut BTreeMap<WarningKind, usize>, w: &InputWarning) -> Option<String> {
    let n = shown.entry(w.kind).or_default();
    *n += 1;
    if *n <= WARNINGS_SHOWN_PER_KIND {
        Some(format!("twinwire: warning: {w}"))
    } else if *n == WARNINGS_SHOWN_PER_KIND + 1 {
        Some(format!(
            "twinwire: warning: more inputs with this problem ({}); they are counted in the summary",
            w.kind.label()
        ))
    } else {
        None
    }
}

/// What a subcommand keeps of each document besides its features.
#[derive(Debug, Clone, Copy, Default)]
pub struct Keeping {
    /// The input record, to write it back (`dedupe`).
    pub records: bool,
    /// The text (`explain`, `report`, aligned sentences from standard input).
    pub text: bool,
    /// Only the pairs with a document at or after this one are wanted (`index add`).
    pub pairs_from: Option<u32>,
}

/// A run of the pipeline, with the pivoter its translations used and the progress line, handed
/// back for the stages that follow (the caller clears it with [`Progress::finish`]).
pub struct Analyzed {
    pub analysis: Analysis,
    pub pivoter: Pivoter,
    pub progress: Progress,
}

/// Runs the pipeline with progress and warnings on stderr.
pub fn analyze_inputs(
    inputs: &[String],
    input_args: &InputArgs,
    match_args: &MatchArgs,
    keeping: Keeping,
) -> Result<Analyzed> {
    let read_options = input_args.read_options(keeping.records);
    analyze_read(inputs, (input_args, read_options), match_args, keeping)
}

/// [`analyze_inputs`] reading with `read_options` (the rest of `input_args` says what is shown).
pub fn analyze_read(
    inputs: &[String],
    read: (&InputArgs, ReadOptions),
    match_args: &MatchArgs,
    keeping: Keeping,
) -> Result<Analyzed> {
    analyze_read_stored(
        inputs,
        read,
        match_args,
        keeping,
        (&mut NothingStored, None),
    )
}

/// [`analyze_read`], taking the documents of the inputs `store` holds from it (an index's), and
/// those of the input `fresh` gives as it is written.
pub fn analyze_read_stored(
    inputs: &[String],
    (input_args, read_options): (&InputArgs, ReadOptions),
    match_args: &MatchArgs,
    keeping: Keeping,
    (store, fresh): (&mut dyn FeatureStore, Option<&mut dyn FreshInput>),
) -> Result<Analyzed> {
    match_args.init_threads()?;
    let config = match_args.config()?.with_pairs_from(keeping.pairs_from);
    let inputs: Vec<Input> = inputs.iter().map(|s| Input::parse(s)).collect();
    let stdin_count = inputs.iter().filter(|i| **i == Input::Stdin).count();
    if stdin_count > 1 {
        bail!("standard input (-) can be named only once");
    }
    let quiet = input_args.quiet;
    let bar = Progress::new(quiet, &inputs);
    let mut rejects = RejectsFile::open(input_args)?;
    let mut shown: BTreeMap<WarningKind, usize> = BTreeMap::new();
    let mut on_warning = |w: &InputWarning| {
        if let Some(r) = rejects.as_mut() {
            r.write(w);
        }
        if let Some(line) = warning_line(&mut shown, w).filter(|_| !quiet) {
            bar.println(&line);
        }
    };
    let mut on_progress = |p: PipelineProgress| match p {
        PipelineProgress::Read(n) => bar.reading(n),
        PipelineProgress::Stage(name) => bar.stage(name),
    };
    let pivoter = if config.wants(RelationKind::Translation) {
        match_args.pivoter()?
    } else {
        Pivoter::new(Vec::new())
    };
    let read_options = ReadOptions {
        bytes_read: Some(bar.bytes_read.clone()),
        ..read_options
    };
    let hooks = Hooks {
        keep_text: keeping.text,
        on_warning: &mut on_warning,
        on_progress: &mut on_progress,
        spill: match_args.spill(),
        fresh: fresh.map(|f| f as &mut dyn FreshInput),
    };
    let analysis = analyze_stored(&inputs, &read_options, (&config, &pivoter), hooks, store)?;
    if let Some(r) = rejects {
        r.commit(&analysis.report)?;
    }
    Ok(Analyzed {
        analysis,
        pivoter,
        progress: bar,
    })
}

/// Refuses to write an output over one of the inputs.
pub fn check_output_path(output: &Path, inputs: &[String]) -> Result<()> {
    if is_stdout(output) {
        return Ok(());
    }
    let inputs: Vec<Input> = inputs.iter().map(|s| Input::parse(s)).collect();
    if is_among_inputs(output, &inputs) {
        bail!(
            "{}: this output is also an input (or inside an input directory); write it somewhere else",
            output.display()
        );
    }
    Ok(())
}

/// Checks every output of a command: none is an input, no two are the same file, at most one is
/// standard output (`-`).
pub fn check_outputs(outputs: &[&Path], inputs: &[String]) -> Result<()> {
    for (i, out) in outputs.iter().enumerate() {
        check_output_path(out, inputs)?;
        if outputs[..i].contains(out) {
            if is_stdout(out) {
                bail!("only one output can be standard output (-)");
            }
            bail!("{}: named as two different outputs", out.display());
        }
    }
    Ok(())
}

/// The closing summary on stderr; `pairs` are the counts of pairs written, when they were.
pub fn print_summary(
    analysis: &Analysis,
    started: Instant,
    pairs: Option<&StreamStats>,
    extra: &[String],
    quiet: bool,
) {
    if quiet {
        return;
    }
    let r = &analysis.report;
    eprintln!(
        "twinwire: read {} documents ({} empty, {}) from {} files; rejected {} records or files{}",
        r.documents,
        r.empty_documents,
        human_bytes(r.bytes),
        r.files,
        r.skipped_total(),
        skipped_detail(analysis),
    );
    if let Some(stats) = pairs {
        let by_kind: Vec<String> = RelationKind::ALL
            .iter()
            .map(|&k| format!("{} {}", k.name(), stats.count(k)))
            .collect();
        let pairs = stats.pairs();
        eprintln!(
            "twinwire: {} pairs ({}) from {} scored candidates ({}) and {} aligned translation candidates",
            pairs,
            by_kind.join(", "),
            stats.scored,
            if pairs == 0 {
                "no pair reported".to_string()
            } else {
                format!("{:.1} per pair", stats.scored as f64 / pairs as f64)
            },
            analysis.matched.translation_candidates
        );
    }
    let spilled = analysis.fingerprints.spilled_bytes();
    if spilled > 0 {
        eprintln!(
            "twinwire: to stay under --memory-limit, {} of fingerprints went to a temporary file",
            human_bytes(spilled)
        );
    }
    if let Some(line) = languages_line(analysis) {
        eprintln!("twinwire: {line}");
    }
    for line in extra {
        eprintln!("twinwire: {line}");
    }
    let t = &analysis.times;
    eprintln!(
        "twinwire: {:.2}s (read {:.2}, fingerprint {:.2}, candidates {:.2}, score {:.2}, translate {:.2})",
        started.elapsed().as_secs_f64(),
        t.read.as_secs_f64(),
        t.fingerprint.as_secs_f64(),
        t.candidates.as_secs_f64(),
        t.score.as_secs_f64(),
        t.translate.as_secs_f64()
    );
}

/// The languages seen, and those not checked for translations (no lexicon for them).
fn languages_line(analysis: &Analysis) -> Option<String> {
    let counts = analysis.languages();
    if counts.is_empty() {
        return None;
    }
    let mut seen: Vec<(Option<&str>, usize)> = counts.into_iter().collect();
    seen.sort_by_key(|&(l, n)| (std::cmp::Reverse(n), l));
    let listed: Vec<String> = seen
        .iter()
        .map(|(l, n)| format!("{} {n}", l.unwrap_or("not told")))
        .collect();
    let unchecked: Vec<&str> = seen
        .iter()
        .filter_map(|(l, _)| *l)
        .filter(|l| !analysis.checked_languages.iter().any(|c| c == l))
        .collect();
    let mut line = format!("languages: {}", listed.join(", "));
    if !unchecked.is_empty() {
        line += &format!(
            "; not checked for translations: {} (translations are looked for between English and {}; \
             give a lexicon with --lexicon LANG=FILE)",
            unchecked.join(", "),
            analysis.checked_languages[1..].join(", ")
        );
    }
    if seen.iter().any(|(l, _)| l.is_none()) {
        line += "; a document whose language is not told is never paired as a translation";
    }
    Some(line)
}

/// `--memory-limit`: bytes, or `None` for no limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryLimit(Option<u64>);

/// A size as `--memory-limit` takes it: a number of bytes with an optional binary unit (`K`, `M`,
/// `G`, `T`, with or without `B`/`iB`), or `none`.
fn parse_size(given: &str) -> std::result::Result<MemoryLimit, String> {
    let text = given.trim().to_ascii_lowercase();
    if text == "none" {
        return Ok(MemoryLimit(None));
    }
    let digits = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(digits);
    let scale: u64 = match unit.trim().trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1 << 10,
        "m" => 1 << 20,
        "g" => 1 << 30,
        "t" => 1 << 40,
        _ => {
            return Err(format!(
                "\"{given}\": use a size such as 512M, 4G or 1.5G, or none"
            ))
        }
    };
    match number.parse::<f64>() {
        Ok(n) if n.is_finite() && n > 0.0 && n * (scale as f64) < 1e18 => {
            Ok(MemoryLimit(Some((n * scale as f64) as u64)))
        }
        _ => Err(format!(
            "\"{given}\": use a size such as 512M, 4G or 1.5G, or none"
        )),
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / 1e9),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / 1e6),
        n if n >= 1 << 10 => format!("{:.1} kB", n as f64 / 1e3),
        n => format!("{n} bytes"),
    }
}

fn skipped_detail(analysis: &Analysis) -> String {
    let r = &analysis.report;
    let mut parts: Vec<String> = Vec::new();
    let skipped: Vec<String> = r
        .skipped()
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect();
    if !skipped.is_empty() {
        parts.push(skipped.join(", "));
    }
    let repaired: Vec<String> = r
        .warnings
        .iter()
        .filter(|(k, _)| !k.skips())
        .map(|(k, n)| format!("{} {n}", k.label()))
        .collect();
    if !repaired.is_empty() {
        parts.push(format!("notes: {}", repaired.join(", ")));
    }
    if r.ignored_files > 0 {
        parts.push(format!(
            "{} hidden or ignored files not read",
            r.ignored_files
        ));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}
