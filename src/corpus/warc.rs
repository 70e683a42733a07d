//! WARC files (ISO 28500, as written by Common Crawl, Heritrix, wget): a sequence of records, each a
//! `WARC/1.x` line, named header fields, an empty line, `Content-Length` bytes of block and two line
//! ends. Compressed files (`.warc.gz`, one gzip member per record) are decompressed before this.
//!
//! Only `response` records carrying an HTTP response with an HTML body (and `resource` records of
//! type HTML) hold articles; the others (`warcinfo`, `request`, `metadata`, images) are passed over
//! and counted. A block longer than the longest document allowed is skipped without being held.

use std::io::{self, BufRead, Read};

/// One WARC record: its named fields and its block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarcRecord {
    pub fields: Vec<(String, String)>,
    /// `None` when the block was longer than the limit and was skipped.
    pub block: Option<Vec<u8>>,
}

impl WarcRecord {
    /// The value of a field, by case-insensitive name.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The HTML page this record holds, if it is one: (its URI, the HTML bytes).
    pub fn html_page(&self) -> Option<&[u8]> {
        let block = self.block.as_deref()?;
        let kind = self.field("WARC-Type")?.to_ascii_lowercase();
        let content_type = self
            .field("Content-Type")
            .unwrap_or("")
            .to_ascii_lowercase();
        match kind.as_str() {
            "response" if content_type.starts_with("application/http") => {
                let (head, body) = split_http(block)?;
                let head = String::from_utf8_lossy(head).to_ascii_lowercase();
                let html = head.lines().any(|l| {
                    l.strip_prefix("content-type:")
                        .is_some_and(|v| v.contains("html"))
                });
                html.then_some(body)
            }
            "resource" | "response" if content_type.contains("html") => Some(block),
            _ => None,
        }
    }
}

/// Splits an HTTP response into its head (status line and headers) and its body.
fn split_http(block: &[u8]) -> Option<(&[u8], &[u8])> {
    if !block.starts_with(b"HTTP/") {
        return None;
    }
    let end = block
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4));
    let end = end.or_else(|| {
        block
            .windows(2)
            .position(|w| w == b"\n\n")
            .map(|i| (i, i + 2))
    });
    let (head, body) = end?;
    Some((&block[..head], &block[body..]))
}

/// Why a WARC file could not be read further.
#[derive(Debug, thiserror::Error)]
pub enum WarcError {
    #[error("not a WARC record (expected a WARC/1.x line, found {0:?})")]
    NotARecord(String),
    #[error("a WARC header line is not `Name: value` ({0:?})")]
    BadField(String),
    #[error("the record has no valid Content-Length")]
    NoLength,
    #[error("the file ends inside a record")]
    Truncated,
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Reads the records of a WARC stream one at a time.
pub struct WarcReader<R> {
    stream: R,
    max_block: u64,
    line: Vec<u8>,
}

/// Longest header line accepted: a longer one is damage, not a header.
const MAX_HEADER_LINE: u64 = 64 << 10;

impl<R: BufRead> WarcReader<R> {
    /// Blocks longer than `max_block` bytes are skipped.
    pub fn new(stream: R, max_block: usize) -> WarcReader<R> {
        WarcReader {
            stream,
            max_block: max_block as u64,
            line: Vec::new(),
        }
    }

    /// The next record, `None` at the end of the stream.
    pub fn next_record(&mut self) -> Result<Option<WarcRecord>, WarcError> {
        // Records are separated by empty lines; tolerate extra ones.
        let version = loop {
            if !self.read_line()? {
                return Ok(None);
            }
            if !self.line.trim_ascii().is_empty() {
                break String::from_utf8_lossy(self.line.trim_ascii()).into_owned();
            }
        };
        if !version.starts_with("WARC/") {
            return Err(WarcError::NotARecord(version.chars().take(40).collect()));
        }
        let mut fields = Vec::new();
        loop {
            if !self.read_line()? {
                return Err(WarcError::Truncated);
            }
            let line = self.line.trim_ascii_end();
            if line.is_empty() {
                break;
            }
            let line = String::from_utf8_lossy(line);
            let Some((name, value)) = line.split_once(':') else {
                return Err(WarcError::BadField(line.chars().take(60).collect()));
            };
            fields.push((name.trim().to_string(), value.trim().to_string()));
        }
        let length: u64 = fields
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .and_then(|(_, v)| v.parse().ok())
            .ok_or(WarcError::NoLength)?;
        let block = if length > self.max_block {
            let skipped = io::copy(&mut (&mut self.stream).take(length), &mut io::sink())?;
            if skipped < length {
                return Err(WarcError::Truncated);
            }
            None
        } else {
            let mut block = Vec::with_capacity(length as usize);
            (&mut self.stream).take(length).read_to_end(&mut block)?;
            if (block.len() as u64) < length {
                return Err(WarcError::Truncated);
            }
            Some(block)
        };
        Ok(Some(WarcRecord { fields, block }))
    }

    /// Reads one line into `self.line` (bounded); false at the end of the stream.
    fn read_line(&mut self) -> Result<bool, WarcError> {
        self.line.clear();
        let n = (&mut self.stream)
            .take(MAX_HEADER_LINE)
            .read_until(b'\n', &mut self.line)?;
        if n as u64 == MAX_HEADER_LINE && self.line.last() != Some(&b'\n') {
            return Err(WarcError::BadField(
                String::from_utf8_lossy(&self.line[..60]).into_owned(),
            ));
        }
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, uri: &str, content_type: &str, block: &[u8]) -> Vec<u8> {
        let mut r = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        r.extend_from_slice(block);
        r.extend_from_slice(b"\r\n\r\n");
        r
    }

    #[test]
    fn reads_records_and_finds_html_responses() {
        let mut warc = record(
            "warcinfo",
            "",
            "application/warc-fields",
            b"software: x\r\n",
        );
        let page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>hi</p>";
        warc.extend(record(
            "response",
            "https://a.example/1",
            "application/http; msgtype=response",
            page,
        ));
        let image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG";
        warc.extend(record(
            "response",
            "https://a.example/i.png",
            "application/http; msgtype=response",
            image,
        ));
        let mut reader = WarcReader::new(&warc[..], 1 << 20);
        let mut pages = Vec::new();
        let mut n = 0;
        while let Some(r) = reader.next_record().unwrap() {
            n += 1;
            if let Some(html) = r.html_page() {
                pages.push((
                    r.field("warc-target-uri").unwrap().to_string(),
                    html.to_vec(),
                ));
            }
        }
        assert_eq!(n, 3);
        assert_eq!(
            pages,
            [("https://a.example/1".to_string(), b"<p>hi</p>".to_vec())]
        );
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        let full = record("response", "u", "text/html", b"<p>some text here</p>");
        for cut in 0..full.len() {
            let mut reader = WarcReader::new(&full[..cut], 1 << 20);
            let _ = reader.next_record();
        }
        let mut reader = WarcReader::new(&b"GET / HTTP/1.1\r\n"[..], 1 << 20);
        assert!(matches!(
            reader.next_record(),
            Err(WarcError::NotARecord(_))
        ));
        let mut reader = WarcReader::new(&full[..full.len() - 10], 1 << 20);
        assert!(matches!(reader.next_record(), Err(WarcError::Truncated)));
    }

    #[test]
    fn long_blocks_are_skipped_not_held() {
        let mut warc = record("resource", "u1", "text/html", &[b'x'; 100]);
        warc.extend(record("resource", "u2", "text/html", b"<p>short</p>"));
        let mut reader = WarcReader::new(&warc[..], 50);
        assert_eq!(reader.next_record().unwrap().unwrap().block, None);
        assert_eq!(
            reader.next_record().unwrap().unwrap().block.as_deref(),
            Some(&b"<p>short</p>"[..])
        );
        assert!(reader.next_record().unwrap().is_none());
    }
}
