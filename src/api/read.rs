//! [`read`]: the command line's readers (JSONL, JSON, text files, Parquet, WARC, HTML, SGML, any
//! of them compressed), as a library call.

use std::path::Path;

use serde::Serialize;

use crate::api::Document;
use crate::corpus::{self, Format, Input, StripHtml};
use crate::error::{Error, Result};

/// How to read files; the defaults are the command line's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOptions {
    /// JSON field holding the document id (`a.b` inside objects); a record without it gets
    /// `FILE:LINE`.
    pub id_field: String,
    /// JSON field holding the article text.
    pub text_field: String,
    /// JSON field holding the title, prepended to the text when present.
    pub title_field: String,
    /// JSON field holding the language code.
    pub lang_field: String,
    /// Stop at the first bad input (an error) instead of skipping it with a warning.
    pub strict: bool,
    /// Longest document read, in bytes: longer text files are cut, longer JSONL lines skipped.
    pub max_doc_bytes: usize,
    /// Read every input as this format (jsonl, json, txt, parquet, warc, sgml, html) instead of
    /// going by file names and first bytes.
    pub format: Option<String>,
    /// Remove HTML markup from text fields and text files: `auto` (when the text looks like
    /// HTML), `always` or `never`.
    pub strip_html: String,
    /// Zero documents read is not an error.
    pub allow_empty: bool,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        let d = corpus::ReadOptions::default();
        ReadOptions {
            id_field: d.id_field,
            text_field: d.text_field,
            title_field: d.title_field,
            lang_field: d.lang_field,
            strict: d.strict,
            max_doc_bytes: d.max_doc_bytes,
            format: None,
            strip_html: "auto".into(),
            allow_empty: d.allow_empty,
        }
    }
}

impl ReadOptions {
    fn to_corpus(&self) -> Result<corpus::ReadOptions> {
        let format = match &self.format {
            None => None,
            Some(name) => Some(Format::parse(name).ok_or_else(|| {
                Error::config(
                    "format",
                    format!("\"{name}\" is not one of {}", Format::NAMES),
                )
            })?),
        };
        let strip_html = match self.strip_html.as_str() {
            "auto" => StripHtml::Auto,
            "always" => StripHtml::Always,
            "never" => StripHtml::Never,
            other => {
                return Err(Error::config(
                    "strip_html",
                    format!("\"{other}\" is not one of auto, always, never"),
                ))
            }
        };
        if self.max_doc_bytes == 0 {
            return Err(Error::config("max_doc_bytes", "must be at least 1"));
        }
        Ok(corpus::ReadOptions {
            id_field: self.id_field.clone(),
            text_field: self.text_field.clone(),
            title_field: self.title_field.clone(),
            lang_field: self.lang_field.clone(),
            strict: self.strict,
            max_doc_bytes: self.max_doc_bytes,
            format,
            strip_html,
            allow_empty: self.allow_empty,
            ..corpus::ReadOptions::default()
        })
    }
}

/// What [`read`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Read {
    /// The documents, in the command line's order (inputs in the order given, directory entries
    /// by name, records in file order). An id used twice is renamed `ID#2` (with a warning).
    pub documents: Vec<Document>,
    /// Every problem met: records skipped, repairs made; each names the file and line.
    pub warnings: Vec<Warning>,
    /// Records or files that could not be used.
    pub rejected: usize,
}

/// One problem with one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// `FILE`, `FILE:LINE` or a document id.
    pub location: String,
    /// Its kind, as the command line's summary and `--rejects` name it (`bad_json`, ...).
    pub kind: &'static str,
    /// What happened and what to do about it.
    pub message: String,
    /// Whether the input was skipped (else it was repaired and read).
    pub skipped: bool,
}

/// Reads files and directories as `twinwire pairs` does (a directory is walked, formats and
/// compression are found from names and first bytes). Problems are warnings unless
/// `options.strict`; reading no document at all is an error unless `options.allow_empty`.
pub fn read<P: AsRef<Path>>(paths: &[P], options: &ReadOptions) -> Result<Read> {
    let inputs: Vec<Input> = paths
        .iter()
        .map(|p| Input::Path(p.as_ref().to_path_buf()))
        .collect();
    let options = options.to_corpus()?;
    let mut documents = Vec::new();
    let mut warnings = Vec::new();
    let report = corpus::read_inputs(
        &inputs,
        &options,
        &mut |d| {
            documents.push(Document {
                id: d.id,
                text: d.text,
                lang: d.lang,
            })
        },
        &mut |w| {
            warnings.push(Warning {
                location: w.location.clone(),
                kind: w.kind.label(),
                message: w.message.clone(),
                skipped: w.kind.skips(),
            })
        },
    )?;
    Ok(Read {
        documents,
        warnings,
        rejected: report.skipped_total(),
    })
}
