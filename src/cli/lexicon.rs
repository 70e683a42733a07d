//! `twinwire lexicon`: derive a bilingual lexicon from a Wiktionary dictionary dump, or compile one
//! for embedding.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{ArgGroup, Args};

use crate::crosslingual::{derive_from_wiktionary, Lexicon};
use crate::output::AtomicFile;

/// Derive a `source<TAB>english` lexicon from one of Matthias Buchmeier's English-Wiktionary
/// dictionaries (`headword {pos} :: gloss; gloss` lines): how `lexicons/fr-en.tsv` is made, and how a
/// lexicon for another language is made from the same project's file for that language. With
/// `--compile`, fold and stem a TSV lexicon into the form twinwire embeds (`lexicons/fr-en.bin`).
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("from").required(true).args(["from_wiktionary", "compile"])))]
pub struct LexiconArgs {
    /// The Wiktionary dictionary file.
    #[arg(long, value_name = "FILE")]
    from_wiktionary: Option<PathBuf>,
    /// A lexicon (TSV `source<TAB>english` or MUSE `english @ source`) to compile.
    #[arg(long, value_name = "FILE")]
    compile: Option<PathBuf>,
    /// The language of the source words of `--compile`.
    #[arg(long, value_name = "CODE", default_value = "fr")]
    lang: String,
    /// Where to write the TSV lexicon, or the compiled one.
    #[arg(short, long, value_name = "FILE")]
    output: PathBuf,
}

pub fn run(args: LexiconArgs) -> Result<()> {
    match (&args.from_wiktionary, &args.compile) {
        (Some(dump), _) => derive(dump, &args.output),
        (None, Some(tsv)) => compile(tsv, &args.lang, &args.output),
        (None, None) => anyhow::bail!("give --from-wiktionary FILE or --compile FILE"),
    }
}

fn compile(tsv: &std::path::Path, lang: &str, output: &std::path::Path) -> Result<()> {
    let lexicon = Lexicon::load(lang, tsv).map_err(|e| anyhow::anyhow!("--compile: {e}"))?;
    let mut file = AtomicFile::create(output)
        .with_context(|| format!("{}: cannot create", output.display()))?;
    file.writer().write_all(&lexicon.compiled())?;
    file.commit()
        .with_context(|| format!("{}: cannot write", output.display()))?;
    eprintln!(
        "twinwire: compiled {} {lang} headwords to {}",
        lexicon.len(),
        output.display()
    );
    Ok(())
}

fn derive(dump: &std::path::Path, output: &std::path::Path) -> Result<()> {
    let text = std::fs::read_to_string(dump)
        .with_context(|| format!("{}: cannot read", dump.display()))?;
    let pairs = derive_from_wiktionary(&text);
    let header: Vec<&str> = text.lines().take_while(|l| l.starts_with('#')).collect();
    let mut file = AtomicFile::create(output)
        .with_context(|| format!("{}: cannot create", output.display()))?;
    let w = file.writer();
    writeln!(
        w,
        "# Derived by `twinwire lexicon` from {}",
        dump.file_name().unwrap_or_default().to_string_lossy()
    )?;
    for line in header {
        writeln!(w, "{line}")?;
    }
    writeln!(w, "# Derived data: same licence (CC BY-SA 3.0), attribution: English Wiktionary contributors.")?;
    for (s, e) in &pairs {
        writeln!(w, "{s}\t{e}")?;
    }
    file.commit()
        .with_context(|| format!("{}: cannot write", output.display()))?;
    eprintln!(
        "twinwire: wrote {} pairs to {}",
        pairs.len(),
        output.display()
    );
    Ok(())
}
