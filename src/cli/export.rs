//! `twinwire export`: the documents of any input, as one JSONL file.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;

use crate::corpus::{read_inputs, Input};
use crate::output::{write_json_line, AtomicFile};

use super::{check_outputs, InputArgs, RejectsFile};

/// Write the documents read from the inputs as JSONL {"id", "text", "lang"}: a mixed dump of text
/// files, JSONL and SGML collections becomes one file, with the ids and texts twinwire sees (this is
/// how the benchmarks feed the same articles to other tools).
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// Write to FILE (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Leave out documents without any word.
    #[arg(long)]
    skip_empty: bool,
    #[command(flatten)]
    input: InputArgs,
}

#[derive(Serialize)]
struct ExportRecord<'a> {
    id: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
}

pub fn run(args: ExportArgs) -> Result<()> {
    let mut outputs: Vec<&Path> = args.output.iter().map(PathBuf::as_path).collect();
    outputs.extend(args.input.outputs());
    check_outputs(&outputs, &args.inputs)?;
    let inputs: Vec<Input> = args.inputs.iter().map(|s| Input::parse(s)).collect();
    let quiet = args.input.quiet;
    let mut rejects = RejectsFile::open(&args.input)?;
    let mut write = |out: &mut dyn Write| -> Result<usize> {
        let mut error: Option<io::Error> = None;
        let mut written = 0;
        let report = read_inputs(
            &inputs,
            &args.input.read_options(false),
            &mut |doc| {
                if error.is_some() || (args.skip_empty && crate::text::words(&doc.text).is_empty())
                {
                    return;
                }
                let record = ExportRecord {
                    id: &doc.id,
                    text: &doc.text,
                    lang: doc.lang.as_deref(),
                };
                match write_json_line(out, &record) {
                    Ok(()) => written += 1,
                    Err(e) => error = Some(e),
                }
            },
            &mut |w| {
                if let Some(r) = rejects.as_mut() {
                    r.write(w);
                }
                if !quiet {
                    eprintln!("twinwire: warning: {w}");
                }
            },
        )?;
        if let Some(r) = rejects.take() {
            r.commit(&report)?;
        }
        if let Some(e) = error {
            return Err(e.into());
        }
        out.flush()?;
        Ok(written)
    };
    let written = match &args.output {
        Some(path) => {
            let mut file = AtomicFile::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?;
            let n = write(file.writer())?;
            file.commit()
                .with_context(|| format!("{}: cannot write", path.display()))?;
            n
        }
        None => write(&mut BufWriter::new(io::stdout().lock()))?,
    };
    if !quiet {
        eprintln!("twinwire: exported {written} documents");
    }
    Ok(())
}
