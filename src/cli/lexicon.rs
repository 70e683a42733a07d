//! `twinwire lexicon`: derive a bilingual lexicon from a Wiktionary dictionary dump.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use twinwire::crosslingual::derive_from_wiktionary;
use twinwire::output::AtomicFile;

/// Derive a `source<TAB>english` lexicon from one of Matthias Buchmeier's English-Wiktionary
/// dictionaries (`headword {pos} :: gloss; gloss` lines): how `lexicons/fr-en.tsv` is made, and how a
/// lexicon for another language is made from the same project's file for that language.
#[derive(Debug, Args)]
pub struct LexiconArgs {
    /// The Wiktionary dictionary file.
    #[arg(long, value_name = "FILE")]
    from_wiktionary: PathBuf,
    /// Where to write the TSV lexicon.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: LexiconArgs) -> Result<()> {
    let text = std::fs::read_to_string(&args.from_wiktionary)
        .with_context(|| format!("{}: cannot read", args.from_wiktionary.display()))?;
    let pairs = derive_from_wiktionary(&text);
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    let mut file = AtomicFile::create(&args.output)
        .with_context(|| format!("{}: cannot create", args.output.display()))?;
    let w = file.writer();
    writeln!(
        w,
        "# Derived by `twinwire lexicon` from {}",
        args.from_wiktionary
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
    )?;
    for line in header {
        writeln!(w, "{line}")?;
    }
    writeln!(w, "# Derived data: same licence (CC BY-SA 3.0), attribution: English Wiktionary contributors.")?;
    for (s, e) in &pairs {
        writeln!(w, "{s}\t{e}")?;
    }
    file.commit()
        .with_context(|| format!("{}: cannot write", args.output.display()))?;
    eprintln!(
        "twinwire: wrote {} pairs to {}",
        pairs.len(),
        args.output.display()
    );
    Ok(())
}
