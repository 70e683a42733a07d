//! `twinwire pairs`: every related pair, one JSON object a line.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use twinwire::output::{write_json_line, AtomicFile, PairRecord};

use super::{analyze_inputs, check_output_path, print_summary, InputArgs, MatchArgs};

/// Every related pair as JSONL: {"a", "b", "relation", "score", "jaccard", "containment", "hamming", ...}.
///
/// INPUT is a file or a directory (walked recursively, in name order): `*.txt` is one document whose id
/// is its path without extension; `*.jsonl` / `*.ndjson` (also `.gz`, `.zst`) hold one JSON object per
/// line; `-` reads JSONL from standard input. Pairs come in input order of their first document.
#[derive(Debug, Args)]
pub struct PairsArgs {
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Write the pairs to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

pub fn run(args: PairsArgs) -> Result<()> {
    let started = Instant::now();
    if let Some(out) = &args.output {
        check_output_path(out, &args.inputs)?;
    }
    let (analysis, _config, _) =
        analyze_inputs(&args.inputs, &args.input, &args.matching, false, false)?;
    let write = |out: &mut dyn Write| -> io::Result<()> {
        for r in &analysis.relations {
            write_json_line(out, &PairRecord::new(r, &analysis.docs))?;
        }
        out.flush()
    };
    match &args.output {
        Some(path) => {
            let mut file = AtomicFile::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?;
            write(file.writer()).with_context(|| format!("{}: cannot write", path.display()))?;
            file.commit()
                .with_context(|| format!("{}: cannot write", path.display()))?;
        }
        None => {
            let stdout = io::stdout();
            write(&mut BufWriter::with_capacity(1 << 16, stdout.lock()))?;
        }
    }
    print_summary(&analysis, started, &[], args.input.quiet);
    Ok(())
}
