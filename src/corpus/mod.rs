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

mod decode;
mod sgml;
mod walk;
mod warning;

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value;

pub use decode::{decode, Encoding};
pub use sgml::{parse_sgml, SgmlRecord};
pub use walk::{glob_match, list_files, InputFile};
pub use warning::{InputWarning, ReadReport, WarningKind};

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
        }
    }
}

/// Where a document came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file as the user named it (`<stdin>` for standard input).
    pub file: Arc<str>,
    /// 1-based line for JSONL records.
    pub line: Option<u64>,
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
    /// A JSONL line, byte for byte, without its line ending.
    JsonLine(Vec<u8>),
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
    #[error("{path}: {source}; check the path")]
    Missing { path: String, source: io::Error },
    #[error("standard input: {0}")]
    Stdin(io::Error),
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
                let stdin = io::stdin();
                reader.report.files += 1;
                reader.read_jsonl(&mut stdin.lock(), &Arc::from("<stdin>"), false)?;
            }
            Input::Path(path) => {
                if let Err(source) = std::fs::metadata(path) {
                    return Err(InputError::Missing {
                        path: path.display().to_string(),
                        source,
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
    if reader.report.documents == 0 {
        reader.warn(InputWarning {
            location: "input".into(),
            kind: WarningKind::EmptyInput,
            message:
                "no documents were read; check the paths and the file types (.txt, .jsonl, .sgm, \
                      .ndjson, optionally .gz or .zst)"
                    .into(),
        })?;
    }
    Ok(reader.report)
}

/// What a file name says its content is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Text,
    Jsonl,
    /// Reuters-21578 or WMT SGML: many documents in one file.
    Sgml,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

/// Splits `name` into (stem, kind, compression), e.g. `a/b.jsonl.gz` -> (`a/b`, Jsonl, Gzip).
fn classify(name: &str) -> Option<(&str, FileKind, Compression)> {
    let (rest, compression) = if let Some(r) = name.strip_suffix(".gz") {
        (r, Compression::Gzip)
    } else if let Some(r) = name.strip_suffix(".zst") {
        (r, Compression::Zstd)
    } else {
        (name, Compression::None)
    };
    for (ext, kind) in [
        (".txt", FileKind::Text),
        (".jsonl", FileKind::Jsonl),
        (".ndjson", FileKind::Jsonl),
        (".sgm", FileKind::Sgml),
    ] {
        if let Some(stem) = rest.strip_suffix(ext) {
            return Some((stem, kind, compression));
        }
    }
    None
}

struct Reader<'a> {
    options: &'a ReadOptions,
    report: ReadReport,
    ids: HashSet<String>,
    on_document: &'a mut dyn FnMut(Document),
    on_warning: &'a mut dyn FnMut(&InputWarning),
}

enum Line {
    Eof,
    Read,
    TooLong(usize),
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
            ids: HashSet::new(),
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
        self.warn(InputWarning {
            location: location.to_string(),
            kind,
            message,
        })
    }

    fn read_file(&mut self, file: &InputFile) -> Result<(), InputError> {
        let shown: Arc<str> = Arc::from(file.path.display().to_string());
        let Some((stem, kind, compression)) = classify(&file.relative) else {
            return self.warn_at(
                &shown,
                WarningKind::UnsupportedFile,
                "not a .txt, .jsonl, .ndjson or .sgm file (optionally .gz or .zst); skipped. Rename it, \
                 or list it in a .twinwireignore to silence this"
                    .into(),
            );
        };
        let opened = File::open(&file.path).and_then(|f| -> io::Result<Box<dyn Read>> {
            Ok(match compression {
                Compression::None => Box::new(f),
                Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(f)),
                Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(f)?),
            })
        });
        let stream = match opened {
            Ok(s) => s,
            Err(e) => {
                return self.warn_at(
                    &shown,
                    WarningKind::Unreadable,
                    format!("cannot open ({e}); check its permissions; skipped"),
                )
            }
        };
        self.report.files += 1;
        let mut stream = BufReader::with_capacity(1 << 16, stream);
        match kind {
            FileKind::Text => self.read_text_file(&mut stream, &shown, stem, compression),
            FileKind::Jsonl => {
                self.read_jsonl(&mut stream, &shown, compression != Compression::None)
            }
            FileKind::Sgml => {
                self.read_sgml(&mut stream, &shown, stem, compression != Compression::None)
            }
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
        compression: Compression,
    ) -> Result<(), InputError> {
        let max = self.options.max_doc_bytes;
        let mut bytes = Vec::new();
        if let Err(e) = stream.take(max as u64 + 1).read_to_end(&mut bytes) {
            return self.warn_read_error(shown, &e, compression != Compression::None);
        }
        if decode::looks_binary(&bytes[..bytes.len().min(8192)]) {
            return self.warn_at(
                shown,
                WarningKind::Binary,
                "contains NUL bytes: not a text file; skipped".into(),
            );
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

    fn read_jsonl(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
    ) -> Result<(), InputError> {
        // A UTF-16 JSONL file cannot be split on b'\n'; decode it whole (rare, and bounded by the file).
        let head = match stream.fill_buf() {
            Ok(h) => h,
            Err(e) => {
                return self.warn_read_error(shown, &e, compressed);
            }
        };
        if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
            let Some(text) = self.read_whole(stream, shown, compressed)? else {
                return Ok(());
            };
            let mut cursor = io::Cursor::new(text.into_bytes());
            return self.read_jsonl_lines(&mut cursor, shown, compressed);
        }
        self.read_jsonl_lines(stream, shown, compressed)
    }

    fn read_jsonl_lines(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
    ) -> Result<(), InputError> {
        let max = self.options.max_doc_bytes;
        let mut buf = Vec::new();
        let mut line_no: u64 = 0;
        loop {
            line_no += 1;
            let outcome = match read_line_bounded(stream, &mut buf, max) {
                Ok(o) => o,
                Err(e) => {
                    let (kind, what) = read_error_kind(&e, compressed);
                    let read = line_no - 1;
                    return self.warn_at(
                        format!("{shown}:{line_no}"),
                        kind,
                        format!("{what} ({e}); the {read} lines before it were read, the rest of the file is skipped"),
                    );
                }
            };
            match outcome {
                Line::Eof => return Ok(()),
                Line::TooLong(len) => {
                    self.warn_at(
                        format!("{shown}:{line_no}"),
                        WarningKind::LineTooLong,
                        format!("line of {len} bytes or more is longer than --max-doc-bytes ({max}); skipped. Raise --max-doc-bytes to read it"),
                    )?;
                }
                Line::Read => {
                    if let Some(only) = &self.options.only_lines {
                        if !only.contains(&(shown.clone(), line_no)) {
                            continue;
                        }
                    }
                    if buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.read_json_record(&buf, shown, line_no)?;
                }
            }
        }
    }

    fn read_json_record(
        &mut self,
        raw: &[u8],
        shown: &Arc<str>,
        line_no: u64,
    ) -> Result<(), InputError> {
        let at = || format!("{shown}:{line_no}");
        let (line, encoding) = match std::str::from_utf8(raw) {
            Ok(s) => (std::borrow::Cow::Borrowed(s), Encoding::Utf8),
            Err(_) => {
                let (s, e) = decode::decode_utf8_or_1252(raw);
                (std::borrow::Cow::Owned(s), e)
            }
        };
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                return self.warn_at(
                    at(),
                    WarningKind::MalformedJson,
                    format!("not valid JSON ({e}); skipped. Each line must be one JSON object"),
                )
            }
        };
        let Value::Object(mut object) = value else {
            return self.warn_at(
                at(),
                WarningKind::NotAnObject,
                format!(
                    "a JSON {} where an object was expected; skipped",
                    json_type(&value)
                ),
            );
        };
        self.note_encoding(at(), encoding)?;
        let opts = self.options;
        let text = match object.remove(&opts.text_field) {
            Some(Value::String(s)) => s,
            None | Some(Value::Null) => {
                return self.warn_at(
                    at(),
                    WarningKind::MissingText,
                    format!(
                        "no \"{}\" field; skipped. Name the field holding the article with --text-field",
                        opts.text_field
                    ),
                )
            }
            Some(other) => {
                return self.warn_at(
                    at(),
                    WarningKind::TextNotAString,
                    format!("field \"{}\" is a {}, not a string; skipped", opts.text_field, json_type(&other)),
                )
            }
        };
        let id = match object.get(&opts.id_field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            None | Some(Value::Null) => at(),
            Some(other) => {
                let t = json_type(other);
                self.warn_at(
                    at(),
                    WarningKind::BadId,
                    format!(
                        "field \"{}\" is a {t}, not a string or number; the id {} is used",
                        opts.id_field,
                        at()
                    ),
                )?;
                at()
            }
        };
        let text = match object.get(&opts.title_field) {
            Some(Value::String(title)) if !title.trim().is_empty() => format!("{title}\n\n{text}"),
            None | Some(Value::Null) | Some(Value::String(_)) => text,
            Some(other) => {
                let t = json_type(other);
                self.warn_at(
                    at(),
                    WarningKind::BadTitle,
                    format!(
                        "field \"{}\" is a {t}, not a string; ignored",
                        opts.title_field
                    ),
                )?;
                text
            }
        };
        let lang = match object.get(&opts.lang_field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_ascii_lowercase()),
            _ => None,
        };
        let origin = Origin {
            file: shown.clone(),
            line: Some(line_no),
        };
        let record = opts.keep_records.then(|| Record::JsonLine(raw.to_vec()));
        self.emit(id, text, lang, origin, record)
    }

    fn emit(
        &mut self,
        id: String,
        text: String,
        lang: Option<String>,
        origin: Origin,
        record: Option<Record>,
    ) -> Result<(), InputError> {
        let id = if self.ids.contains(&id) {
            let renamed = (2..)
                .map(|n| format!("{id}#{n}"))
                .find(|candidate| !self.ids.contains(candidate))
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
        self.ids.insert(id.clone());
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

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
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

/// Reads one line (without its `\n` or `\r\n`) into `buf`, holding at most `max` bytes of it.
fn read_line_bounded(stream: &mut dyn BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
    buf.clear();
    let mut total = 0usize;
    let mut too_long = false;
    loop {
        let chunk = match stream.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            if total == 0 {
                return Ok(Line::Eof);
            }
            break;
        }
        let (part, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        total += part.len();
        if !too_long {
            if total > max {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(part);
            }
        }
        let consumed = done.unwrap_or(chunk.len());
        stream.consume(consumed);
        if done.is_some() {
            total += 1;
            break;
        }
    }
    if too_long {
        return Ok(Line::TooLong(total));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Line::Read)
}

/// Reads JSONL from any stream (`name` is used in ids and messages), like a `.jsonl` input.
pub fn read_jsonl_stream(
    stream: &mut dyn BufRead,
    name: &str,
    options: &ReadOptions,
    on_document: &mut dyn FnMut(Document),
    on_warning: &mut dyn FnMut(&InputWarning),
) -> Result<ReadReport, InputError> {
    let mut reader = Reader::new(options, on_document, on_warning);
    reader.report.files += 1;
    reader.read_jsonl(stream, &Arc::from(name), false)?;
    Ok(reader.report)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, usize>> {
        let mut cursor = io::Cursor::new(input.to_vec());
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line_bounded(&mut cursor, &mut buf, max).unwrap() {
                Line::Eof => return out,
                Line::Read => out.push(Ok(String::from_utf8(buf.clone()).unwrap())),
                Line::TooLong(n) => out.push(Err(n)),
            }
        }
    }

    #[test]
    fn bounded_lines() {
        assert_eq!(
            lines(b"ab\ncd\r\n\nef", 10),
            [
                Ok("ab".into()),
                Ok("cd".into()),
                Ok("".into()),
                Ok("ef".into())
            ]
        );
        assert_eq!(lines(b"abcdef\ngh\n", 3), [Err(7), Ok("gh".into())]);
    }

    #[test]
    fn classify_names() {
        assert_eq!(
            classify("a/b.jsonl.gz"),
            Some(("a/b", FileKind::Jsonl, Compression::Gzip))
        );
        assert_eq!(
            classify("000_x.txt"),
            Some(("000_x", FileKind::Text, Compression::None))
        );
        assert_eq!(
            classify("x.ndjson.zst"),
            Some(("x", FileKind::Jsonl, Compression::Zstd))
        );
        assert_eq!(classify("x.json"), None);
        assert_eq!(
            classify("reut2-000.sgm"),
            Some(("reut2-000", FileKind::Sgml, Compression::None))
        );
    }
}
