//! Web pages in: HTML files and WARC records, reduced to their main content ([`super::html`]).
//!
//! A WARC response's document id is its `WARC-Target-URI` (its `WARC-Record-ID` when it has none);
//! the record written back by `dedupe` is `{"id", "url", "warc_record_id", "warc_date", "title",
//! "text"}`. Records that are not HTML pages (requests, metadata, images) are passed over and counted.

use std::io::BufRead;
use std::num::NonZeroU64;
use std::sync::Arc;

use serde::Serialize;

use super::decode;
use super::html::{self, Extracted};
use super::warc::{WarcError, WarcReader, WarcRecord};
use super::{InputError, Origin, Reader, Record, WarningKind};

/// The record a web page is written back as.
#[derive(Serialize)]
struct PageRecord<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warc_record_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warc_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    text: &'a str,
}

impl Reader<'_> {
    pub(super) fn read_html_file(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        stem: &str,
        compressed: bool,
    ) -> Result<(), InputError> {
        let Some(page) = self.read_one_document(stream, shown, compressed)? else {
            return Ok(());
        };
        let extracted = html::extract(&page, None);
        self.report.html_stripped += 1;
        let origin = Origin {
            file: shown.clone(),
            line: None,
        };
        let text = with_title(&extracted);
        let record = self
            .options
            .keep_records
            .then(|| Record::JsonLine(page_record(stem, None, None, None, &extracted)));
        self.emit(stem.to_string(), text, None, origin, record)
    }

    pub(super) fn read_warc(
        &mut self,
        stream: &mut dyn BufRead,
        shown: &Arc<str>,
        compressed: bool,
    ) -> Result<(), InputError> {
        let max = self.options.max_doc_bytes;
        let mut warc = WarcReader::new(stream, max);
        let mut rank = 0u64;
        loop {
            let record = match warc.next_record() {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(e) => {
                    let kind = match &e {
                        WarcError::Io(_) | WarcError::Truncated if compressed => {
                            WarningKind::TruncatedStream
                        }
                        _ => WarningKind::Unreadable,
                    };
                    return self.reject(
                        shown,
                        rank + 1,
                        None,
                        kind,
                        format!("WARC record {}: {e}; the {rank} records before it were read, the rest of the file is skipped", rank + 1),
                    );
                }
            };
            rank += 1;
            if self.wanted(shown, rank) {
                self.read_warc_record(&record, shown, rank)?;
            }
        }
    }

    fn read_warc_record(
        &mut self,
        record: &WarcRecord,
        shown: &Arc<str>,
        rank: u64,
    ) -> Result<(), InputError> {
        let kind = record.field("WARC-Type").unwrap_or("").to_ascii_lowercase();
        if !matches!(kind.as_str(), "response" | "resource") {
            return Ok(());
        }
        if record.block.is_none() {
            let max = self.options.max_doc_bytes;
            return self.reject(
                shown,
                rank,
                None,
                WarningKind::LineTooLong,
                format!("WARC record {rank} is longer than --max-doc-bytes ({max}); skipped. Raise --max-doc-bytes to read it"),
            );
        }
        let Some(body) = record.html_page() else {
            self.report.not_pages += 1;
            return Ok(());
        };
        // UTF-8 unless that fails, then Windows-1252 (which Latin-1 pages also read as).
        let page = decode::decode(body).0;
        let url = record.field("WARC-Target-URI").filter(|u| !u.is_empty());
        let record_id = record.field("WARC-Record-ID");
        let id = url
            .or(record_id)
            .map(String::from)
            .unwrap_or_else(|| format!("{shown}:{rank}"));
        let extracted = html::extract(&page, url);
        self.report.html_stripped += 1;
        let text = with_title(&extracted);
        let date = record.field("WARC-Date");
        let kept = self
            .options
            .keep_records
            .then(|| Record::JsonLine(page_record(&id, url, record_id, date, &extracted)));
        let origin = Origin {
            file: shown.clone(),
            line: NonZeroU64::new(rank),
        };
        self.emit(id, text, None, origin, kept)
    }
}

/// The page's text with its title first, as for JSON records.
fn with_title(e: &Extracted) -> String {
    match &e.title {
        Some(t) if !e.text.starts_with(t.as_str()) => format!("{t}\n\n{}", e.text),
        _ => e.text.clone(),
    }
}

fn page_record(
    id: &str,
    url: Option<&str>,
    record_id: Option<&str>,
    date: Option<&str>,
    e: &Extracted,
) -> Vec<u8> {
    serde_json::to_vec(&PageRecord {
        id,
        url,
        warc_record_id: record_id,
        warc_date: date,
        title: e.title.as_deref(),
        text: &e.text,
    })
    .expect("strings serialize")
}
