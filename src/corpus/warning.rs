//! What can be wrong with an input, said so a person can act on it, and counted.

use std::collections::BTreeMap;
use std::fmt;

/// The kinds of problem the readers report. Some skip the input, the others only note a repair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    // Repairs: the article is read.
    /// Not valid UTF-8; decoded as Windows-1252.
    DecodedAsWindows1252,
    /// A UTF-16 file (with a byte-order mark), decoded.
    DecodedUtf16,
    /// Longer than `--max-doc-bytes`; the rest was dropped.
    TruncatedDocument,
    /// The same id twice; the later one was renamed.
    DuplicateId,
    /// The id field is not a string or number; the FILE:LINE id was used.
    BadId,
    /// The title field is not a string; it was ignored.
    BadTitle,
    // Skips: nothing (or nothing more) is read from this input.
    /// A JSONL line that is not valid JSON.
    MalformedJson,
    /// A JSONL line whose value is not an object.
    NotAnObject,
    /// A JSONL object without the text field.
    MissingText,
    /// A JSONL object whose text field is not a string.
    TextNotAString,
    /// A JSONL line longer than `--max-doc-bytes`.
    LineTooLong,
    /// A compressed stream that ends early.
    TruncatedStream,
    /// A file that could not be opened or read.
    Unreadable,
    /// A file with NUL bytes (not text).
    Binary,
    /// A file whose name is not one twinwire reads.
    UnsupportedFile,
    /// A fifo, socket or device in a directory.
    SpecialFile,
    /// A directory link that leads back to a directory being walked.
    SymlinkLoop,
    /// No document at all in the inputs.
    EmptyInput,
    /// An input read a second time (for the texts of translation candidates) had changed.
    ChangedInput,
    /// A WARC record that is not an HTML response, or a page without text.
    NotAnArticle,
    /// A Parquet file whose columns lack the text column, or that cannot be decoded.
    BadParquet,
}

impl WarningKind {
    /// Whether this problem means an input (a line or a file) was not read.
    pub fn skips(self) -> bool {
        !matches!(
            self,
            WarningKind::DecodedAsWindows1252
                | WarningKind::DecodedUtf16
                | WarningKind::TruncatedDocument
                | WarningKind::DuplicateId
                | WarningKind::BadId
                | WarningKind::BadTitle
                | WarningKind::EmptyInput
                | WarningKind::ChangedInput
        )
    }

    /// A short label for summaries and JSON.
    pub fn label(self) -> &'static str {
        match self {
            WarningKind::DecodedAsWindows1252 => "decoded_as_windows_1252",
            WarningKind::DecodedUtf16 => "decoded_utf16",
            WarningKind::TruncatedDocument => "truncated_document",
            WarningKind::DuplicateId => "duplicate_id",
            WarningKind::BadId => "bad_id",
            WarningKind::BadTitle => "bad_title",
            WarningKind::MalformedJson => "malformed_json",
            WarningKind::NotAnObject => "not_an_object",
            WarningKind::MissingText => "missing_text",
            WarningKind::TextNotAString => "text_not_a_string",
            WarningKind::LineTooLong => "line_too_long",
            WarningKind::TruncatedStream => "truncated_stream",
            WarningKind::Unreadable => "unreadable",
            WarningKind::Binary => "binary",
            WarningKind::UnsupportedFile => "unsupported_file",
            WarningKind::SpecialFile => "special_file",
            WarningKind::SymlinkLoop => "symlink_loop",
            WarningKind::EmptyInput => "empty_input",
            WarningKind::ChangedInput => "changed_input",
            WarningKind::NotAnArticle => "not_an_article",
            WarningKind::BadParquet => "bad_parquet",
        }
    }
}

/// One problem with one input: where, what, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputWarning {
    /// `FILE`, `FILE:LINE` or a document id.
    pub location: String,
    pub kind: WarningKind,
    /// What happened and what the user can do about it.
    pub message: String,
    /// For a record that could not be used: where it was and, when asked for, its raw bytes.
    pub rejected: Option<Rejected>,
}

/// A record the readers could not use, for `--rejects`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// The file as the user named it (`<stdin>` for standard input).
    pub file: String,
    /// Its 1-based line (JSONL) or rank in the file (JSON array, Parquet row, WARC record).
    pub line: u64,
    /// The record as read (with [`super::ReadOptions::keep_rejects`]): the raw line, the JSON array
    /// element, or the Parquet row as JSON. `None` for a line too long to keep.
    pub raw: Option<Vec<u8>>,
}

impl InputWarning {
    /// A warning about a whole input (a file, a folder) or a document id.
    pub fn new(location: impl fmt::Display, kind: WarningKind, message: String) -> InputWarning {
        InputWarning {
            location: location.to_string(),
            kind,
            message,
            rejected: None,
        }
    }
}

impl fmt::Display for InputWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// What the readers did: documents read and problems by kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Documents read (including empty ones).
    pub documents: usize,
    /// Documents without any word: kept, counted, never matched.
    pub empty_documents: usize,
    /// Files opened.
    pub files: usize,
    /// Hidden files and files matched by a `.twinwireignore`, not read on purpose.
    pub ignored_files: usize,
    /// Bytes of text read.
    pub bytes: u64,
    /// Texts whose HTML markup was removed (`--strip-html`), and web pages whose main content was
    /// extracted (HTML files and WARC records).
    pub html_stripped: usize,
    /// WARC responses that are not HTML pages (images, PDF, scripts): not articles, passed over.
    pub not_pages: usize,
    /// Problems by kind.
    pub warnings: BTreeMap<WarningKind, usize>,
}

impl ReadReport {
    /// Adds what another reading found.
    pub fn absorb(&mut self, other: ReadReport) {
        self.documents += other.documents;
        self.empty_documents += other.empty_documents;
        self.files += other.files;
        self.ignored_files += other.ignored_files;
        self.bytes += other.bytes;
        self.html_stripped += other.html_stripped;
        self.not_pages += other.not_pages;
        for (kind, n) in other.warnings {
            *self.warnings.entry(kind).or_default() += n;
        }
    }

    /// Inputs (lines or files) that were not read, by reason.
    pub fn skipped(&self) -> impl Iterator<Item = (WarningKind, usize)> + '_ {
        self.warnings
            .iter()
            .filter(|(k, _)| k.skips())
            .map(|(k, n)| (*k, *n))
    }

    /// Number of inputs not read.
    pub fn skipped_total(&self) -> usize {
        self.skipped().map(|(_, n)| n).sum()
    }
}
