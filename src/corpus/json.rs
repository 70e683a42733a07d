//! JSON records: JSON lines, JSON arrays, and the record -> document rule shared with Parquet rows.
//!
//! A field is named by `--text-field` and friends; `a.b` is the field `b` inside the object `a` (a
//! key that itself contains the dot wins). A record that cannot be used (not JSON, not an object, no
//! text) is rejected with its place and, for `--rejects`, its raw bytes.

use std::borrow::Cow;
use std::io::{self, BufRead, Read};
use std::num::NonZeroU64;
use std::sync::Arc;

use serde::de::{Deserializer, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::decode::{self, Encoding};
use super::{html, InputError, Origin, Reader, Record, WarningKind};

/// Keys remembered from records without the text field, to say what the records do have.
const KEYS_REMEMBERED: usize = 40;

/// Takes the value at `path` out of `object` (see [`field`]).
fn take_field(object: &mut Map<String, Value>, path: &str) -> Option<Value> {
    if let Some(v) = object.remove(path) {
        return Some(v);
    }
    let (parent, last) = path.rsplit_once('.')?;
    let mut parts = parent.split('.');
    let mut value = object.get_mut(parts.next()?)?;
    for part in parts {
        value = value.as_object_mut()?.get_mut(part)?;
    }
    value.as_object_mut()?.remove(last)
}

/// The value at `path` in `object`: the key itself, or a dotted path into nested objects.
pub fn field<'v>(object: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    if let Some(v) = object.get(path) {
        return Some(v);
    }
    let mut parts = path.split('.');
    let mut value = object.get(parts.next()?)?;
    for part in parts {
        value = value.as_object()?.get(part)?;
    }
    Some(value)
}

pub(super) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

pub(super) enum Line {
    Eof,
    Read,
    TooLong(usize),
}

impl Reader<'_> {
    pub(super) fn read_jsonl(
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
            return self.read_jsonl_lines(&mut cursor, shown, compressed, 1);
        }
        self.read_jsonl_lines(stream, shown, compressed, 1)
    }

    /// Reads JSONL lines, numbering them from `first_line`.
    pub(super) fn read_jsonl_lines(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
        first_line: u64,
    ) -> Result<(), InputError> {
        let max = self.options.max_doc_bytes;
        let mut buf = Vec::new();
        let mut line_no: u64 = first_line - 1;
        loop {
            line_no += 1;
            let outcome = match read_line_bounded(stream, &mut buf, max) {
                Ok(o) => o,
                Err(e) => {
                    let (kind, what) = super::read_error_kind(&e, compressed);
                    let read = line_no - 1;
                    return self.reject(
                        shown,
                        line_no,
                        None,
                        kind,
                        format!("{what} ({e}); the {read} lines before it were read, the rest of the file is skipped"),
                    );
                }
            };
            match outcome {
                Line::Eof => return Ok(()),
                Line::TooLong(len) => {
                    self.reject(
                        shown,
                        line_no,
                        None,
                        WarningKind::LineTooLong,
                        format!("line of {len} bytes or more is longer than --max-doc-bytes ({max}); skipped. Raise --max-doc-bytes to read it"),
                    )?;
                }
                Line::Read => {
                    if !self.wanted(shown, line_no) || buf.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.read_json_record(&buf, shown, line_no, Record::JsonLine)?;
                }
            }
        }
    }

    /// A JSON array of objects, streamed element by element; a file holding one object is one record.
    pub(super) fn read_json_array(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
    ) -> Result<(), InputError> {
        let first = match stream.fill_buf() {
            Ok(head) => head.iter().find(|b| !b.is_ascii_whitespace()).copied(),
            Err(e) => return self.warn_read_error(shown, &e, compressed),
        };
        if first != Some(b'[') {
            let max = self.options.max_doc_bytes;
            let mut bytes = Vec::new();
            if let Err(e) = stream.take(max as u64 + 1).read_to_end(&mut bytes) {
                return self.warn_read_error(shown, &e, compressed);
            }
            if bytes.len() > max {
                return self.reject(shown, 1, None, WarningKind::LineTooLong,
                    format!("a JSON value longer than --max-doc-bytes ({max}); skipped. Raise --max-doc-bytes, or write it as JSON lines"));
            }
            return self.read_json_record(&bytes, shown, 1, Record::JsonLine);
        }
        let mut elements = ArrayElements {
            reader: self,
            shown,
            rank: 0,
            stopped: None,
        };
        let mut de = serde_json::Deserializer::from_reader(stream);
        let outcome = (&mut de).deserialize_seq(&mut elements);
        let (rank, stopped) = (elements.rank, elements.stopped.take());
        if let Some(e) = stopped {
            return Err(e);
        }
        if let Err(e) = outcome.and_then(|()| de.end()) {
            let kind = if e.is_io() && compressed {
                WarningKind::TruncatedStream
            } else {
                WarningKind::MalformedJson
            };
            return self.reject(
                shown,
                rank + 1,
                None,
                kind,
                format!("not a valid JSON array here ({e}); the {rank} records before it were read, the rest of the file is skipped"),
            );
        }
        Ok(())
    }

    /// A JSON record (a line, an array element, a Parquet row) -> a document, or a rejection.
    pub(super) fn read_json_record(
        &mut self,
        raw: &[u8],
        shown: &Arc<str>,
        line_no: u64,
        as_record: fn(Vec<u8>) -> Record,
    ) -> Result<(), InputError> {
        let at = || format!("{shown}:{line_no}");
        let (line, encoding) = match std::str::from_utf8(raw) {
            Ok(s) => (Cow::Borrowed(s), Encoding::Utf8),
            Err(_) => {
                let (s, e) = decode::decode_utf8_or_1252(raw);
                (Cow::Owned(s), e)
            }
        };
        let value: Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                return self.reject(
                    shown,
                    line_no,
                    Some(raw),
                    WarningKind::MalformedJson,
                    format!("not valid JSON ({e}); skipped. Each line must be one JSON object"),
                )
            }
        };
        let Value::Object(mut object) = value else {
            let t = json_type(&value);
            return self.reject(
                shown,
                line_no,
                Some(raw),
                WarningKind::NotAnObject,
                format!("a JSON {t} where an object was expected; skipped"),
            );
        };
        self.note_encoding(at(), encoding)?;
        let Some(text) = self.text_of(&mut object, raw, shown, line_no)? else {
            return Ok(());
        };
        let id = self.id_of(&object, shown, line_no)?;
        let text = self.with_title(&object, text, &at())?;
        let opts = self.options;
        let lang = match field(&object, &opts.lang_field) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_ascii_lowercase()),
            _ => None,
        };
        let origin = Origin {
            file: shown.clone(),
            line: NonZeroU64::new(line_no),
        };
        let record = opts.keep_records.then(|| as_record(raw.to_vec()));
        self.emit(id, text, lang, origin, record)
    }

    /// The text field (HTML removed if it holds HTML), or `None` after rejecting the record.
    fn text_of(
        &mut self,
        object: &mut Map<String, Value>,
        raw: &[u8],
        shown: &Arc<str>,
        line_no: u64,
    ) -> Result<Option<String>, InputError> {
        let opts = self.options;
        let name = &opts.text_field;
        let (kind, message) = match take_field(object, name) {
            Some(Value::String(s)) => return Ok(Some(self.maybe_strip_html(s))),
            None => {
                self.missing_text += 1;
                for key in object.keys() {
                    if self.keys_seen.len() < KEYS_REMEMBERED {
                        self.keys_seen.insert(key.clone());
                    }
                }
                (
                    WarningKind::MissingText,
                    format!("no \"{name}\" field; skipped. Name the field holding the article with --text-field"),
                )
            }
            Some(Value::Null) => (
                WarningKind::MissingText,
                format!("field \"{name}\" is null; skipped"),
            ),
            Some(other) => (
                WarningKind::TextNotAString,
                format!(
                    "field \"{name}\" is a {}, not a string; skipped",
                    json_type(&other)
                ),
            ),
        };
        self.reject(shown, line_no, Some(raw), kind, message)?;
        Ok(None)
    }

    fn id_of(
        &mut self,
        object: &Map<String, Value>,
        shown: &Arc<str>,
        line_no: u64,
    ) -> Result<String, InputError> {
        let at = format!("{shown}:{line_no}");
        Ok(match field(object, &self.options.id_field) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            None | Some(Value::Null) => at,
            Some(other) => {
                let t = json_type(other);
                self.warn_at(
                    &at,
                    WarningKind::BadId,
                    format!(
                        "field \"{}\" is a {t}, not a string or number; the id {at} is used",
                        self.options.id_field
                    ),
                )?;
                at
            }
        })
    }

    fn with_title(
        &mut self,
        object: &Map<String, Value>,
        text: String,
        at: &str,
    ) -> Result<String, InputError> {
        Ok(match field(object, &self.options.title_field) {
            Some(Value::String(title)) if !title.trim().is_empty() => format!("{title}\n\n{text}"),
            None | Some(Value::Null) | Some(Value::String(_)) => text,
            Some(other) => {
                let t = json_type(other);
                self.warn_at(
                    at,
                    WarningKind::BadTitle,
                    format!(
                        "field \"{}\" is a {t}, not a string; ignored",
                        self.options.title_field
                    ),
                )?;
                text
            }
        })
    }

    /// `text` without its markup when `--strip-html` asks for it or (by default) it looks like HTML.
    pub(super) fn maybe_strip_html(&mut self, text: String) -> String {
        let strip = match self.options.strip_html {
            super::StripHtml::Always => true,
            super::StripHtml::Never => false,
            super::StripHtml::Auto => html::looks_like_html(&text),
        };
        if strip {
            self.report.html_stripped += 1;
            html::strip(&text)
        } else {
            text
        }
    }
}

/// Hands each element of a JSON array to the reader as it is parsed.
struct ArrayElements<'r, 'a, 's> {
    reader: &'r mut Reader<'a>,
    shown: &'s Arc<str>,
    rank: u64,
    /// An error of the reader (`--strict`) that stopped the parse.
    stopped: Option<InputError>,
}

impl<'de> Visitor<'de> for &mut ArrayElements<'_, '_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(element) = seq.next_element::<Box<RawValue>>()? {
            self.rank += 1;
            let raw = element.get().as_bytes();
            let reader = &mut *self.reader;
            if !reader.wanted(self.shown, self.rank) {
                continue;
            }
            let max = reader.options.max_doc_bytes;
            let outcome = if raw.len() > max {
                reader.reject(self.shown, self.rank, None, WarningKind::LineTooLong,
                    format!("record of {} bytes is longer than --max-doc-bytes ({max}); skipped. Raise --max-doc-bytes to read it", raw.len()))
            } else {
                reader.read_json_record(raw, self.shown, self.rank, Record::JsonLine)
            };
            if let Err(e) = outcome {
                self.stopped = Some(e);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// Reads one line (without its `\n` or `\r\n`) into `buf`, holding at most `max` bytes of it.
pub(super) fn read_line_bounded(
    stream: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    max: usize,
) -> io::Result<Line> {
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
        let (part, done) = match memchr::memchr(b'\n', chunk) {
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
    fn dotted_paths_reach_into_objects() {
        let v: Value =
            serde_json::from_str(r#"{"a":{"b":{"c":"deep"}},"a.b":"flat","x":1}"#).unwrap();
        let o = v.as_object().unwrap();
        assert_eq!(field(o, "a.b.c"), Some(&Value::String("deep".into())));
        assert_eq!(field(o, "a.b"), Some(&Value::String("flat".into())));
        assert_eq!(field(o, "x.y"), None);
        assert_eq!(field(o, "nope"), None);
    }
}
