//! Corpus stage: inputs (directories, text files, JSONL, gzip/zstd JSONL, stdin) -> [`Document`]s.
//!
//! Readers stream: each document is handed to the caller as soon as it is read, so a dump larger than
//! memory can go through the fingerprint stage batch by batch. Documents come out in a stable order:
//! inputs in command-line order, directory entries by name, lines in file order.
//!
//! Nothing is dropped silently. Every input that cannot be read (a malformed JSON line, a binary file,
//! a truncated gzip stream) becomes an [`InputWarning`] naming the file and line and saying what to do,
//! is counted in the [`ReadReport`], and the run goes on; with `strict` the first one is an error.
//! Repairs (an encoding guessed, an id renamed, an over-long text cut) are warned about the same way.

mod ahead;
mod decode;
pub mod format;
pub mod framed;
pub mod html;
mod ids;
mod json;
pub mod parquet;
mod sgml;
mod walk;
pub mod warc;
mod warning;
mod web;

use std::collections::{BTreeSet, HashSet};
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, Read, Seek};
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};
use std::sync::Arc;

pub use ahead::read_inputs_ahead;
pub use decode::{decode, Encoding};
pub use format::{Compression, Format};
pub use ids::{hash_id, IdSet};
pub use json::field;
pub use sgml::parse_sgml;
#[cfg(any(test, feature = "internals"))]
pub use sgml::SgmlRecord;
#[cfg(any(test, feature = "internals"))]
pub use walk::glob_match;
pub use walk::{list_files, InputFile};
pub use warning::{InputWarning, ReadReport, Rejected, WarningKind};

/// One input named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file or a directory.
    Path(PathBuf),
    /// JSONL on standard input (`-`).
    Stdin,
}

impl Input {
    /// `-` is standard input, anything else a path.
    pub fn parse(arg: &str) -> Input {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::Path(PathBuf::from(arg))
        }
    }
}

/// A JSONL line: the file as shown in origins, and its 1-based line number.
pub type LinePlace = (Arc<str>, u64);

/// How to read the inputs.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// JSONL field holding the document id; a record without it gets `FILE:LINE`.
    pub id_field: String,
    /// JSONL field holding the article text.
    pub text_field: String,
    /// JSONL field holding the title, prepended to the text when present.
    pub title_field: String,
    /// JSONL field holding the language code, when the dump has one.
    pub lang_field: String,
    /// Stop at the first problem instead of skipping the input.
    pub strict: bool,
    /// Keep each input record as read, to write it back (`dedupe`).
    pub keep_records: bool,
    /// Longest document read, in bytes: a longer text file is cut, a longer JSONL line skipped.
    pub max_doc_bytes: usize,
    /// When set, only these JSONL lines (file as shown in origins, 1-based line) are parsed; the
    /// others are passed over. For reading chosen documents a second time.
    pub only_lines: Option<Arc<HashSet<LinePlace>>>,
    /// Read every input as this format instead of going by names and first bytes.
    pub format: Option<Format>,
    /// Zero documents read is a warning, not an error.
    pub allow_empty: bool,
    /// Keep the raw bytes of rejected records in their warnings (`--rejects`).
    pub keep_rejects: bool,
    /// Whether HTML markup is removed from text fields and text files.
    pub strip_html: StripHtml,
    /// Counts the input bytes consumed (before decompression), for a progress bar.
    pub bytes_read: Option<Arc<AtomicU64>>,
    /// Ids already used before these inputs (documents of a persistent index): a document with
    /// one of them is renamed as a repeated id is.
    pub taken_ids: Option<Arc<IdSet>>,
}

/// `--strip-html`: remove HTML markup from text fields and text files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StripHtml {
    /// When the text looks like HTML ([`html::looks_like_html`]).
    #[default]
    Auto,
    Always,
    Never,
}

impl Default for ReadOptions {
    fn default() -> ReadOptions {
        ReadOptions {
            id_field: "id".into(),
            text_field: "text".into(),
            title_field: "title".into(),
            lang_field: "lang".into(),
            strict: false,
            keep_records: false,
            max_doc_bytes: 16 << 20,
            only_lines: None,
            format: None,
            allow_empty: false,
            keep_rejects: false,
            strip_html: StripHtml::Auto,
            bytes_read: None,
            taken_ids: None,
        }
    }
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as the user named it (`<stdin>` for standard input).
    pub file: Arc<str>,
    /// 1-based line for JSONL records (the record's rank in a WARC file). Never zero, so that
    /// an origin takes 24 bytes, not 32: ten million documents keep one each.
    pub line: Option<NonZeroU64>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => write!(f, "{}", self.file),
        }
    }
}

/// A document as it was in the input, to be written back unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    /// A JSONL line, byte for byte, without its line ending (also a JSON array element, a WARC page).
    JsonLine(Vec<u8>),
    /// A row of a Parquet file read from its path, as its JSON object: written back as that object,
    /// and as the row itself, unchanged, in a KEPT written as Parquet.
    ParquetRow(Vec<u8>),
    /// A text file (its original text): written back as `{"id", "text"}`.
    TextFile(String),
}

/// One article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// Unique id: from the id field, the file path, or `FILE:LINE`.
    pub id: String,
    /// The original text (title first when there is one), decoded but otherwise untouched.
    pub text: String,
    /// Language code from the input, if it has one.
    pub lang: Option<String>,
    pub origin: Origin,
    /// The input record, when [`ReadOptions::keep_records`] is set.
    pub record: Option<Record>,
}

/// A problem that stops the reading.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error(
        "{0} (stopped because of --strict; without it this input is skipped and the run goes on)"
    )]
    Strict(InputWarning),
    #[error("{path}: {reason}; check the path")]
    Missing { path: String, reason: String },
    #[error("standard input: {0}")]
    Stdin(io::Error),
    /// Not one document in the inputs (an error unless [`ReadOptions::allow_empty`]).
    #[error("no documents were read: {0}")]
    NothingRead(String),
    /// The fingerprints could not go to their temporary file (`--memory-limit`).
    #[error(
        "cannot write the temporary file of fingerprints ({0}); free disk space in the temporary \
         directory (TMPDIR), choose another with --temp-dir, or raise --memory-limit"
    )]
    Spill(io::Error),
    /// Features stored by an earlier run (an index's) could not be read; the message names the
    /// file.
    #[error("{0}")]
    Stored(String),
}

/// Reads every input, calling `on_document` for each document and `on_warning` for each problem.
pub fn read_inputs(
    inputs: &[Input],
    options: &ReadOptions,
    on_document: &mut dyn FnMut(Document),
    on_warning: &mut dyn FnMut(&InputWarning),
) -> Result<ReadReport, InputError> {
    let mut reader = Reader::new(options, on_document, on_warning);
    for input in inputs {
        match input {
            Input::Stdin => {
                reader.report.files += 1;
                let stdin: Box<dyn Read> = Box::new(io::stdin().lock());
                reader.read_stream(
                    stdin,
                    &Arc::from("<stdin>"),
                    "<stdin>",
                    options.format,
                    None,
                )?;
            }
            Input::Path(path) => {
                if let Err(e) = std::fs::metadata(path) {
                    return Err(InputError::Missing {
                        path: path.display().to_string(),
                        reason: describe_io_error(&e),
                    });
                }
                let listing = list_files(path);
                reader.report.ignored_files += listing.ignored;
                for w in listing.warnings {
                    reader.warn(w)?;
                }
                for file in &listing.files {
                    reader.read_file(file)?;
                }
            }
        }
    }
    reader.finish()
}

/// A reader that adds the bytes it reads to a shared count.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, AtomicOrdering::Relaxed);
        Ok(n)
    }
}

/// An I/O error in words, without the `(os error N)` tail.
fn describe_io_error(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

struct Reader<'a> {
    options: &'a ReadOptions,
    report: ReadReport,
    /// The ids this run has used (beside `options.taken_ids`).
    ids: IdSet,
    /// Records without the text field, and some of the fields they have.
    missing_text: usize,
    keys_seen: BTreeSet<String>,
    on_document: &'a mut dyn FnMut(Document),
    on_warning: &'a mut dyn FnMut(&InputWarning),
}

impl<'a> Reader<'a> {
    fn new(
        options: &'a ReadOptions,
        on_document: &'a mut dyn FnMut(Document),
        on_warning: &'a mut dyn FnMut(&InputWarning),
    ) -> Reader<'a> {
        Reader {
            options,
            report: ReadReport::default(),
            ids: IdSet::default(),
            missing_text: 0,
            keys_seen: BTreeSet::new(),
            on_document,
            on_warning,
        }
    }

    fn warn(&mut self, warning: InputWarning) -> Result<(), InputError> {
        *self.report.warnings.entry(warning.kind).or_default() += 1;
        if self.options.strict {
            return Err(InputError::Strict(warning));
        }
        (self.on_warning)(&warning);
        Ok(())
    }

    fn warn_at(
        &mut self,
        location: impl fmt::Display,
        kind: WarningKind,
        message: String,
    ) -> Result<(), InputError> {
        self.warn(InputWarning::new(location, kind, message))
    }

    /// Rejects the record at `line` of `shown` (its raw bytes go to `--rejects`).
    fn reject(
        &mut self,
        shown: &Arc<str>,
        line: u64,
        raw: Option<&[u8]>,
        kind: WarningKind,
        message: String,
    ) -> Result<(), InputError> {
        let raw = raw
            .filter(|_| self.options.keep_rejects)
            .map(<[u8]>::to_vec);
        self.warn(InputWarning {
            location: format!("{shown}:{line}"),
            kind,
            message,
            rejected: Some(Rejected {
                file: shown.to_string(),
                line,
                raw,
            }),
        })
    }

    /// Whether the record at `line` of `shown` is to be read (all are, unless `only_lines` says).
    fn wanted(&self, shown: &Arc<str>, line: u64) -> bool {
        match &self.options.only_lines {
            Some(only) => only.contains(&(shown.clone(), line)),
            None => true,
        }
    }

    /// The report, once every input is read: reading no document at all is an error unless
    /// `allow_empty` (or only chosen lines were read again).
    fn finish(mut self) -> Result<ReadReport, InputError> {
        let options = self.options;
        if self.report.documents == 0 && options.only_lines.is_none() {
            let why = self.why_nothing_was_read();
            if !options.allow_empty {
                return Err(InputError::NothingRead(format!(
                    "{why}. Pass --allow-empty if an empty result is expected"
                )));
            }
            self.warn_at(
                "input",
                WarningKind::EmptyInput,
                format!("no documents were read: {why}"),
            )?;
        }
        Ok(self.report)
    }

    /// Says why no document came out, for the error.
    fn why_nothing_was_read(&self) -> String {
        if self.missing_text > 0 && self.missing_text == self.report.skipped_total() {
            let have: Vec<&str> = self.keys_seen.iter().map(String::as_str).collect();
            return format!(
                "no record has a \"{}\" field (records have: {}); name the field holding the \
                 article with --text-field (a.b for a field inside an object)",
                self.options.text_field,
                have.join(", ")
            );
        }
        if self.report.skipped_total() > 0 {
            return format!(
                "{} inputs were skipped (see the warnings above)",
                self.report.skipped_total()
            );
        }
        "the inputs hold no file twinwire reads (.txt, .jsonl, .ndjson, .jl, .json, .parquet, \
         .warc, .html, .sgm, optionally compressed); name a file directly to have its format \
         sniffed, or force it with --format"
            .into()
    }

    fn read_file(&mut self, file: &InputFile) -> Result<(), InputError> {
        let shown: Arc<str> = Arc::from(file.path.display().to_string());
        let (stem, by_name) = format::from_name(&file.relative);
        let named = self.options.format.or(by_name);
        if named.is_none() && !file.named {
            return self.warn_at(
                &shown,
                WarningKind::UnsupportedFile,
                format!(
                    "a file type twinwire does not read in a folder ({}, optionally .gz, .zst, \
                     .bz2 or .xz); skipped. Name it on the command line to have its format \
                     sniffed, or list it in a .twinwireignore to silence this",
                    ".txt, .jsonl, .ndjson, .jl, .json, .parquet, .warc, .html, .sgm"
                ),
            );
        }
        let opened = match File::open(&file.path) {
            Ok(f) => f,
            Err(e) => {
                return self.warn_at(
                    &shown,
                    WarningKind::Unreadable,
                    format!(
                        "cannot open ({}); check its permissions; skipped",
                        describe_io_error(&e)
                    ),
                )
            }
        };
        self.report.files += 1;
        let mut opened = opened;
        // A framed file (an index's batch) is read frame by frame when only some of its lines
        // are wanted, or when its frames need its dictionary; otherwise as any zstd stream.
        let chosen = self.options.only_lines.is_some();
        let regular = opened.metadata().is_ok_and(|m| m.is_file());
        if named == Some(Format::Jsonl) && regular && (chosen || compressed_name(&file.path)) {
            match framed::Framed::open(&mut opened) {
                Ok(Some(f)) if chosen || f.has_dictionary() => {
                    return self.read_frames(&mut opened, &shown, &f)
                }
                Ok(_) => {}
                Err(e) => return self.warn_read_error(&shown, &e, true),
            }
            if let Err(e) = opened.seek(io::SeekFrom::Start(0)) {
                return self.warn_read_error(&shown, &e, false);
            }
        }
        let raw: Box<dyn Read> = match &self.options.bytes_read {
            Some(count) => Box::new(Counting {
                inner: opened,
                count: count.clone(),
            }),
            None => Box::new(opened),
        };
        self.read_stream(raw, &shown, stem, named, Some(&file.path))
    }

    /// Reads a framed zstd JSONL file ([`framed`]) frame by frame: the frames that hold the
    /// chosen lines (`only_lines`), or every frame.
    fn read_frames(
        &mut self,
        file: &mut File,
        shown: &Arc<str>,
        framed: &framed::Framed,
    ) -> Result<(), InputError> {
        let chosen;
        let frames = match &self.options.only_lines {
            Some(only) => {
                let mut lines: Vec<u64> = only
                    .iter()
                    .filter(|(file, _)| file == shown)
                    .map(|&(_, line)| line)
                    .collect();
                lines.sort_unstable();
                chosen = framed::frames_holding(&framed.frames, &lines);
                &chosen
            }
            None => &framed.frames,
        };
        let mut decoder = match framed.decoder() {
            Ok(d) => d,
            Err(e) => return self.warn_read_error(shown, &e, true),
        };
        for frame in frames {
            let lines = match decoder.decode(file, frame) {
                Ok(lines) => lines,
                Err(e) => return self.warn_read_error(shown, &e, true),
            };
            if let Some(count) = &self.options.bytes_read {
                count.fetch_add(frame.length, AtomicOrdering::Relaxed);
            }
            let mut stream = io::Cursor::new(lines);
            self.read_jsonl_lines(&mut stream, shown, true, frame.first_line)?;
        }
        Ok(())
    }

    /// Reads one input stream: compression sniffed, format `named` or sniffed.
    fn read_stream(
        &mut self,
        raw: Box<dyn Read + '_>,
        shown: &Arc<str>,
        stem: &str,
        named: Option<Format>,
        path: Option<&Path>,
    ) -> Result<(), InputError> {
        let opened = match format::open(raw, named) {
            Ok(o) => o,
            Err(e) => return self.warn_read_error(shown, &e, true),
        };
        let compressed = opened.compression != Compression::None;
        let mut stream = opened.stream;
        match opened.format {
            Format::Txt => self.read_text_file(&mut stream, shown, stem, compressed),
            Format::Jsonl => self.read_jsonl(&mut stream, shown, compressed),
            Format::Json => self.read_json_array(&mut stream, shown, compressed),
            Format::Sgml => self.read_sgml(&mut stream, shown, stem, compressed),
            Format::Warc => self.read_warc(&mut stream, shown, compressed),
            Format::Html => self.read_html_file(&mut stream, shown, stem, compressed),
            Format::Parquet => self.read_parquet(stream, shown, path.filter(|_| !compressed)),
        }
    }

    fn read_sgml(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        stem: &str,
        compressed: bool,
    ) -> Result<(), InputError> {
        let Some(text) = self.read_whole(stream, shown, compressed)? else {
            return Ok(());
        };
        let lang = sgml::language_from_file_name(stem);
        for record in parse_sgml(&text) {
            let origin = Origin {
                file: shown.clone(),
                line: None,
            };
            let id = format!("{stem}#{}", record.id);
            let kept = self
                .options
                .keep_records
                .then(|| Record::TextFile(record.text.clone()));
            self.emit(id, record.text, lang.clone(), origin, kept)?;
        }
        Ok(())
    }

    fn read_text_file(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        stem: &str,
        compressed: bool,
    ) -> Result<(), InputError> {
        let Some(text) = self.read_one_document(stream, shown, compressed)? else {
            return Ok(());
        };
        let text = self.maybe_strip_html(text);
        let origin = Origin {
            file: shown.clone(),
            line: None,
        };
        let record = self
            .options
            .keep_records
            .then(|| Record::TextFile(text.clone()));
        self.emit(stem.to_string(), text, None, origin, record)
    }

    /// A file that is one document: at most `--max-doc-bytes` of it, decoded; `None` when it is not
    /// text or cannot be read (warned).
    fn read_one_document(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
    ) -> Result<Option<String>, InputError> {
        let max = self.options.max_doc_bytes;
        let mut bytes = Vec::new();
        if let Err(e) = stream.take(max as u64 + 1).read_to_end(&mut bytes) {
            self.warn_read_error(shown, &e, compressed)?;
            return Ok(None);
        }
        if decode::looks_binary(&bytes[..bytes.len().min(8192)]) {
            self.warn_at(
                shown,
                WarningKind::Binary,
                "contains NUL bytes: not a text file; skipped. If it is in a format twinwire \
                 reads, say which with --format"
                    .into(),
            )?;
            return Ok(None);
        }
        let truncated = bytes.len() > max;
        if truncated {
            bytes.truncate(max);
            // Do not let the cut split a UTF-8 sequence and make the whole file look like Windows-1252.
            if let Err(e) = std::str::from_utf8(&bytes) {
                if e.error_len().is_none() {
                    bytes.truncate(e.valid_up_to());
                }
            }
        }
        let (text, encoding) = decode::decode(&bytes);
        self.note_encoding(shown, encoding)?;
        if truncated {
            self.warn_at(
                shown,
                WarningKind::TruncatedDocument,
                format!("longer than --max-doc-bytes ({max}); only the first {max} bytes are read. Raise --max-doc-bytes to read it all"),
            )?;
        }
        Ok(Some(text))
    }

    /// Warns that a file could not be read (or its compressed stream is damaged) and is skipped.
    fn warn_read_error(
        &mut self,
        shown: &Arc<str>,
        e: &io::Error,
        compressed: bool,
    ) -> Result<(), InputError> {
        let (kind, what) = read_error_kind(e, compressed);
        self.warn_at(shown, kind, format!("{what} ({e}); skipped"))
    }

    /// The whole of a stream, decoded (with a note if not UTF-8); `None` when it could not be read.
    fn read_whole(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
    ) -> Result<Option<String>, InputError> {
        let mut bytes = Vec::new();
        if let Err(e) = stream.read_to_end(&mut bytes) {
            self.warn_read_error(shown, &e, compressed)?;
            return Ok(None);
        }
        let (text, encoding) = decode::decode(&bytes);
        self.note_encoding(shown, encoding)?;
        Ok(Some(text))
    }

    fn note_encoding(
        &mut self,
        location: impl fmt::Display,
        encoding: Encoding,
    ) -> Result<(), InputError> {
        match encoding {
            Encoding::Utf8 => Ok(()),
            Encoding::Windows1252 => self.warn_at(
                location,
                WarningKind::DecodedAsWindows1252,
                "not valid UTF-8; decoded as Windows-1252. Convert the file to UTF-8 if that is wrong".into(),
            ),
            Encoding::Utf16Le | Encoding::Utf16Be => self.warn_at(
                location,
                WarningKind::DecodedUtf16,
                "UTF-16 (byte-order mark found); decoded".into(),
            ),
        }
    }

    /// Whether `id` was used by a document before (of this run, or of the index it adds to).
    fn used(&self, id: &str) -> bool {
        self.ids.contains(id)
            || self
                .options
                .taken_ids
                .as_ref()
                .is_some_and(|t| t.contains(id))
    }

    fn emit(
        &mut self,
        id: String,
        text: String,
        lang: Option<String>,
        origin: Origin,
        record: Option<Record>,
    ) -> Result<(), InputError> {
        let id = if self.used(&id) {
            let renamed = (2..)
                .map(|n| format!("{id}#{n}"))
                .find(|candidate| !self.used(candidate))
                .expect("an unused suffix exists");
            self.warn_at(
                &origin,
                WarningKind::DuplicateId,
                format!("id \"{id}\" was already used by an earlier document; this one is renamed \"{renamed}\""),
            )?;
            renamed
        } else {
            id
        };
        self.ids.insert(&id);
        self.report.documents += 1;
        self.report.bytes += text.len() as u64;
        (self.on_document)(Document {
            id,
            text,
            lang,
            origin,
            record,
        });
        Ok(())
    }
}

fn read_error_kind(_e: &io::Error, compressed: bool) -> (WarningKind, &'static str) {
    if compressed {
        (
            WarningKind::TruncatedStream,
            "the compressed stream is damaged or ends early (truncated download?)",
        )
    } else {
        (WarningKind::Unreadable, "read error")
    }
}

#[cfg(any(test, feature = "internals"))]
/// Reads one stream (`name` is used in ids and messages) as an input of `format`, or of the format
/// its first bytes show; compression is sniffed. Zero documents is an error unless `allow_empty`.
pub fn read_stream(
    stream: Box<dyn Read + '_>,
    name: &str,
    format: Option<Format>,
    options: &ReadOptions,
    on_document: &mut dyn FnMut(Document),
    on_warning: &mut dyn FnMut(&InputWarning),
) -> Result<ReadReport, InputError> {
    let mut reader = Reader::new(options, on_document, on_warning);
    reader.report.files += 1;
    reader.read_stream(stream, &Arc::from(name), name, format, None)?;
    reader.finish()
}

/// Reads every document of `inputs` into memory (for small corpora and tests).
pub fn read_all(
    inputs: &[Input],
    options: &ReadOptions,
) -> Result<(Vec<Document>, Vec<InputWarning>, ReadReport), InputError> {
    let mut docs = Vec::new();
    let mut warnings = Vec::new();
    let report = read_inputs(inputs, options, &mut |d| docs.push(d), &mut |w| {
        warnings.push(w.clone())
    })?;
    Ok((docs, warnings, report))
}

/// True when `path` names the same file as one of the inputs (or lies inside an input directory).
pub fn is_among_inputs(path: &Path, inputs: &[Input]) -> bool {
    // The output usually does not exist yet: resolve its folder instead.
    let target = match (path.canonicalize(), path.parent(), path.file_name()) {
        (Ok(t), _, _) => t,
        (Err(_), Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            match parent.canonicalize() {
                Ok(p) => p.join(name),
                Err(_) => return false,
            }
        }
        _ => return false,
    };
    inputs.iter().any(|input| match input {
        Input::Path(p) => p
            .canonicalize()
            .map(|p| target.starts_with(&p))
            .unwrap_or(false),
        Input::Stdin => false,
    })
}

/// Whether a file's name says zstd (`.zst`), the compression of an index's framed batches.
fn compressed_name(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "zst")
}
