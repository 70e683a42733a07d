//! `twinwire pairs`: every related pair, one JSON object a line.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use clap::Args;

use crate::output::{write_json_line, AtomicFile, PairRecord};
use crate::relate::Relation;
use crate::stream::{Related, StreamStats};

use super::aligned::AlignedArgs;
use super::{
    analyze_inputs, check_outputs, print_summary, Analyzed, InputArgs, Keeping, MatchArgs,
};

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
    /// Write the pairs to FILE (atomically) instead of standard output (`-`).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Keep, for each document, only its K strongest partners (by score, then relation, exact
    /// first, then input order); a pair is written when either side keeps it. Default: all.
    #[arg(long, value_name = "K", value_parser = clap::value_parser!(u64).range(1..))]
    max_partners: Option<u64>,
    #[command(flatten)]
    aligned: AlignedArgs,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

pub fn run(args: PairsArgs) -> Result<()> {
    let started = Instant::now();
    let mut outputs: Vec<&Path> = args.output.iter().map(PathBuf::as_path).collect();
    outputs.extend(args.aligned.aligned_sentences.as_deref());
    outputs.extend(args.input.outputs());
    check_outputs(&outputs, &args.inputs)?;
    let keep_text = args.aligned.needs_texts_kept(&args.inputs);
    let keeping = Keeping {
        records: false,
        text: keep_text,
        ..Keeping::default()
    };
    let Analyzed {
        mut analysis,
        pivoter,
        progress,
    } = analyze_inputs(&args.inputs, &args.input, &args.matching, keeping)?;
    let max_partners = args.max_partners.map(|k| k as usize);
    // The pairs are written as they are found, in output order: memory does not grow with them.
    let t = Instant::now();
    let write = |out: &mut dyn Write| -> io::Result<StreamStats> {
        let step = |done: usize, total: usize| progress.step("writing pairs", done, total);
        let related = Related {
            progress: Some(&step),
            ..analysis.related()
        };
        // Lines are formatted in parallel, written in order.
        let format = |relations: &[Relation]| -> io::Result<Vec<u8>> {
            let mut lines = Vec::with_capacity(relations.len() * 256);
            for r in relations {
                write_json_line(&mut lines, &PairRecord::new(r, &analysis.docs))?;
            }
            Ok(lines)
        };
        let stats = related.for_each::<io::Result<Vec<u8>>, io::Error>(
            max_partners,
            &format,
            &mut |lines| out.write_all(&lines?),
        )?;
        out.flush()?;
        Ok(stats)
    };
    let stats = match &args.output {
        Some(path) => {
            let mut file = AtomicFile::create(path)
                .with_context(|| format!("{}: cannot create", path.display()))?;
            let stats = write(file.writer())
                .with_context(|| format!("{}: cannot write", path.display()))?;
            file.commit()
                .with_context(|| format!("{}: cannot write", path.display()))?;
            stats
        }
        None => {
            let stdout = io::stdout();
            write(&mut BufWriter::with_capacity(1 << 16, stdout.lock()))?
        }
    };
    progress.finish();
    analysis.times.score = t.elapsed();
    let mut extra = Vec::new();
    let read_options = args.input.read_options(false);
    if let Some(n) = args
        .aligned
        .write(&analysis, &args.inputs, &read_options, &pivoter)?
    {
        extra.push(format!("{n} aligned sentence groups written"));
    }
    if let Some((d, partners)) = stats.busiest.filter(|&(_, p)| p >= DENSE_FAMILY) {
        extra.push(format!(
            "family of {} related documents around {}: {} pairs written in all{}; \
             see --max-partners or dedupe --clusters",
            partners + 1,
            analysis.docs[d.index()].id,
            stats.pairs(),
            if max_partners.is_some() {
                ", --max-partners applied"
            } else {
                ""
            }
        ));
    }
    print_summary(&analysis, started, Some(&stats), &extra, args.input.quiet);
    Ok(())
}

/// Partners of one document from which the summary names its family.
const DENSE_FAMILY: u64 = 1000;
