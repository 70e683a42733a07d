//! `--aligned-sentences FILE [--aligned-format jsonl|tsv|tmx]` (pairs and dedupe): the aligned
//! sentences of every translation pair, for parallel corpora. The texts of the pairs' documents are
//! read again from the inputs (standard input, which cannot be, keeps its texts while read).

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::corpus::{read_inputs, Input, ReadOptions};
use crate::crosslingual::bitext::{aligned_groups, BitextFormat, BitextWriter, Side};
use crate::crosslingual::pivot::Pivoter;
use crate::output::AtomicFile;
use crate::pipeline::Analysis;
use crate::text::detect_language;
use crate::DocId;

/// The options, shared by `pairs` and `dedupe`.
#[derive(Debug, Clone, Args)]
pub struct AlignedArgs {
    /// Also write the aligned sentences of every translation pair to FILE: one group (one sentence
    /// or two on either side) a line, in document order.
    #[arg(long, value_name = "FILE")]
    pub aligned_sentences: Option<PathBuf>,
    /// Format of --aligned-sentences: jsonl {"a","b","lang_a","lang_b","text_a","text_b","score"},
    /// tsv (the same columns, with a header), tmx (TMX 1.4b, for translation-memory tools).
    #[arg(long, value_enum, default_value_t = AlignedFormat::Jsonl, value_name = "FORMAT")]
    pub aligned_format: AlignedFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum AlignedFormat {
    Jsonl,
    Tsv,
    Tmx,
}

impl AlignedArgs {
    /// Whether the texts must be kept while read (the inputs cannot be read again).
    pub fn needs_texts_kept(&self, inputs: &[String]) -> bool {
        self.aligned_sentences.is_some() && inputs.iter().any(|i| i == "-")
    }

    /// Writes the file, if asked, for the run's translations; returns how many groups were written.
    pub fn write(
        &self,
        analysis: &Analysis,
        inputs: &[String],
        read_options: &ReadOptions,
        pivoter: &Pivoter,
    ) -> Result<Option<usize>> {
        let pairs: Vec<(DocId, DocId)> = analysis
            .matched
            .translations_of_copies()
            .iter()
            .map(|r| (r.a, r.b))
            .collect();
        self.write_pairs(analysis, &pairs, inputs, read_options, pivoter)
    }

    /// Writes the file, if asked, for these translation pairs.
    pub fn write_pairs(
        &self,
        analysis: &Analysis,
        pairs: &[(DocId, DocId)],
        inputs: &[String],
        read_options: &ReadOptions,
        pivoter: &Pivoter,
    ) -> Result<Option<usize>> {
        let Some(path) = &self.aligned_sentences else {
            return Ok(None);
        };
        let wanted = pairs.iter().flat_map(|&(a, b)| [a.index(), b.index()]);
        let texts = texts_of(analysis, inputs, read_options, &wanted.collect())?;
        let format = match self.aligned_format {
            AlignedFormat::Jsonl => BitextFormat::Jsonl,
            AlignedFormat::Tsv => BitextFormat::Tsv,
            AlignedFormat::Tmx => BitextFormat::Tmx,
        };
        let mut file = AtomicFile::create(path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        let mut out = BitextWriter::begin(file.writer(), format)?;
        let mut written = 0;
        for &(a, b) in pairs {
            let (i, j) = (a.min(b), a.max(b));
            let side = |d: DocId| -> Option<Side<'_>> {
                let doc = &analysis.docs[d.index()];
                let text = texts.get(&d.index())?;
                Some(Side {
                    id: &doc.id,
                    text,
                    lang: doc.lang.as_deref().or_else(|| detect_language(text))?,
                })
            };
            let (Some(a), Some(b)) = (side(i), side(j)) else {
                continue;
            };
            for g in aligned_groups(a, b, pivoter, &analysis.config.translation) {
                out.group(&g)?;
                written += 1;
            }
        }
        out.end()?;
        file.commit()
            .with_context(|| format!("{}: cannot write", path.display()))?;
        Ok(Some(written))
    }
}

/// The texts of the documents `docs` (indices), by index: kept, or read again.
pub fn texts_of(
    analysis: &Analysis,
    inputs: &[String],
    read_options: &ReadOptions,
    docs: &BTreeSet<usize>,
) -> Result<HashMap<usize, String>> {
    let mut wanted: HashMap<usize, String> = docs
        .iter()
        .map(|&d| {
            (
                d,
                analysis.docs[d]
                    .text()
                    .map(String::from)
                    .unwrap_or_default(),
            )
        })
        .collect();
    if wanted.is_empty() || analysis.docs.iter().any(|d| d.text().is_some()) {
        return Ok(wanted);
    }
    let inputs: Vec<Input> = inputs.iter().map(|s| Input::parse(s)).collect();
    let options = ReadOptions {
        keep_records: false,
        strict: false,
        allow_empty: true,
        keep_rejects: false,
        bytes_read: None,
        ..read_options.clone()
    };
    // Documents come out in the same order as the first time; a document whose id differs (the
    // input changed) is left out.
    let mut index = 0;
    read_inputs(
        &inputs,
        &options,
        &mut |doc| {
            if let Some(text) = wanted.get_mut(&index) {
                if analysis.docs.get(index).is_some_and(|d| d.id == doc.id) {
                    *text = doc.text;
                }
            }
            index += 1;
        },
        &mut |_| {},
    )?;
    Ok(wanted)
}
