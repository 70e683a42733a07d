//! `twinwire gen`: a test corpus of any size, grown from real articles, with planted twins.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use crate::corpus::{read_all, Input, ReadOptions};
use crate::gen::{generate_shaped, Shape};
use crate::output::{write_json_line, AtomicFile};

/// Write a corpus of N documents grown from the SOURCE articles (Reuters and WMT SGML, JSONL, text
/// files), with planted exact copies, edited copies, excerpts quoted in other articles and
/// French/English translations, and the truth file that says which pairs were planted. The families
/// and their shares are documented in `src/gen.rs`. Same sources and seed, same bytes.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Articles to grow the corpus from.
    #[arg(required = true, value_name = "SOURCE")]
    sources: Vec<String>,
    /// Documents to write (at least).
    #[arg(short = 'n', long, value_name = "N")]
    documents: usize,
    /// Where to write the corpus (JSONL).
    #[arg(short, long, value_name = "CORPUS")]
    output: PathBuf,
    /// Where to write the planted pairs (JSONL); default: CORPUS with `.truth.jsonl`.
    #[arg(long, value_name = "FILE")]
    truth: Option<PathBuf>,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Draw new articles' sentences whole from a pool sized so that each recurs in about R
    /// unrelated articles (as passages recur in real dumps; 50 is a heavy case). 0: every drawn
    /// sentence is varied, and unrelated articles share none.
    #[arg(long, default_value_t = 0, value_name = "R")]
    sentence_reuse: usize,
    /// Share of base articles that get a French paragraph inside them, each planted with a typo'd
    /// copy (kind `mixed_language`).
    #[arg(long, default_value_t = 0.0, value_name = "SHARE")]
    mixed_languages: f64,
}

pub fn run(args: GenArgs) -> Result<()> {
    let inputs: Vec<Input> = args.sources.iter().map(|s| Input::parse(s)).collect();
    let (docs, _, _) = read_all(&inputs, &ReadOptions::default())?;
    if !(0.0..=1.0).contains(&args.mixed_languages) {
        anyhow::bail!(
            "--mixed-languages must be a share from 0 to 1, got {}",
            args.mixed_languages
        );
    }
    let shape = Shape {
        sentence_reuse: args.sentence_reuse,
        mixed_languages: args.mixed_languages,
    };
    let generated =
        generate_shaped(&docs, args.documents, args.seed, &shape).map_err(anyhow::Error::msg)?;
    let truth_path = args.truth.clone().unwrap_or_else(|| {
        let name = args
            .output
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let stem = name.strip_suffix(".jsonl").unwrap_or(&name);
        args.output.with_file_name(format!("{stem}.truth.jsonl"))
    });
    let mut corpus = AtomicFile::create(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    let mut bytes = 0usize;
    for d in &generated.docs {
        bytes += d.text.len();
        write_json_line(corpus.writer(), d)?;
    }
    corpus
        .commit()
        .with_context(|| format!("{}: cannot write", args.output.display()))?;
    let mut truth = AtomicFile::create(&truth_path)
        .with_context(|| format!("{}: cannot create", truth_path.display()))?;
    for t in &generated.truth {
        write_json_line(truth.writer(), t)?;
    }
    truth.writer().flush()?;
    truth
        .commit()
        .with_context(|| format!("{}: cannot write", truth_path.display()))?;
    let kinds: Vec<String> = generated
        .kinds
        .iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    eprintln!(
        "twinwire: wrote {} documents ({:.1} MB of text) to {} and {} planted pairs ({}) to {}",
        generated.docs.len(),
        bytes as f64 / 1e6,
        args.output.display(),
        generated.truth.len(),
        kinds.join(", "),
        truth_path.display()
    );
    Ok(())
}
