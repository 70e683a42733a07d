//! What an input holds: its format and its compression, from its name or its first bytes.
//!
//! In a directory walk a file's extension decides (so that stray files are skipped, not misread); a
//! file named on the command line is always read, its format taken from its extension when known and
//! sniffed from its first bytes otherwise. Compression is always sniffed from the magic bytes (a
//! `.jsonl` that is really gzip is read as gzip), on standard input too. `--format` overrides both.

use std::io::{self, BufRead, BufReader, Read};

/// The formats twinwire reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// One JSON object a line (`.jsonl`, `.ndjson`, `.jl`).
    Jsonl,
    /// A JSON array of objects (`.json`); a file holding one object is read as one record.
    Json,
    /// One document per file (`.txt`).
    Txt,
    /// Apache Parquet (`.parquet`): one row a record.
    Parquet,
    /// Web archives (`.warc`): response records with HTML bodies.
    Warc,
    /// Reuters-21578 or WMT SGML (`.sgm`): many documents in one file.
    Sgml,
    /// One web page per file (`.html`, `.htm`): its main content.
    Html,
}

impl Format {
    /// All formats, as `--format` names them.
    pub const NAMES: &'static str = "jsonl, json, txt, parquet, warc, sgml, html";

    /// Parses a `--format` value.
    pub fn parse(name: &str) -> Option<Format> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "jsonl" | "ndjson" | "jl" => Format::Jsonl,
            "json" => Format::Json,
            "txt" | "text" => Format::Txt,
            "parquet" => Format::Parquet,
            "warc" => Format::Warc,
            "sgml" | "sgm" => Format::Sgml,
            "html" | "htm" => Format::Html,
            _ => return None,
        })
    }
}

/// How an input's bytes are compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

impl Compression {
    /// The compression whose magic bytes start `head`.
    pub fn sniff(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(b"BZh") && head.get(3).is_some_and(|b| (b'1'..=b'9').contains(b))
        {
            Compression::Bzip2
        } else if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else {
            Compression::None
        }
    }

    /// Wraps `stream` in the matching decoder.
    pub fn decoder<'a>(self, stream: Box<dyn BufRead + 'a>) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Compression::None => Box::new(stream),
            Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(stream)),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(stream)?),
            Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(stream)),
            Compression::Xz => Box::new(xz2::bufread::XzDecoder::new_multi_decoder(stream)),
        })
    }
}

/// Splits a file name into its stem and the format its extension names, looking through a
/// compression suffix: `a/b.jsonl.gz` -> (`a/b`, Jsonl). `None` for an extension twinwire does not know.
pub fn from_name(name: &str) -> (&str, Option<Format>) {
    let rest = [".gz", ".zst", ".bz2", ".xz"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name);
    for (ext, format) in [
        (".txt", Format::Txt),
        (".jsonl", Format::Jsonl),
        (".ndjson", Format::Jsonl),
        (".jl", Format::Jsonl),
        (".json", Format::Json),
        (".parquet", Format::Parquet),
        (".warc", Format::Warc),
        (".sgm", Format::Sgml),
        (".html", Format::Html),
        (".htm", Format::Html),
    ] {
        if let Some(stem) = rest.strip_suffix(ext) {
            return (stem, Some(format));
        }
    }
    (strip_any_extension(rest), None)
}

fn strip_any_extension(name: &str) -> &str {
    let base = name.rfind('/').map_or(0, |i| i + 1);
    match name[base..].rfind('.') {
        Some(dot) if dot > 0 => &name[..base + dot],
        _ => name,
    }
}

/// The format of (decompressed) content from its first bytes. Text that is none of the others is `Txt`.
pub fn sniff(head: &[u8]) -> Format {
    if head.starts_with(b"PAR1") {
        return Format::Parquet;
    }
    if head.starts_with(b"WARC/") {
        return Format::Warc;
    }
    let body = head
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(head)
        .trim_ascii_start();
    match body.first() {
        Some(b'{') => Format::Jsonl,
        Some(b'[') => Format::Json,
        Some(b'<') => {
            let lower = body[..body.len().min(4096)].to_ascii_lowercase();
            let has = |s: &[u8]| lower.windows(s.len()).any(|w| w == s);
            if has(b"<reuters") || has(b"<doc ") || has(b"<srcset") || has(b"<refset") {
                Format::Sgml
            } else {
                Format::Html
            }
        }
        _ => Format::Txt,
    }
}

/// An input stream opened for reading: decompressed, with its format decided.
pub struct Opened<'a> {
    pub stream: Box<dyn BufRead + 'a>,
    pub format: Format,
    pub compression: Compression,
}

/// Sniffs the compression of `raw`, decompresses, then takes the format from `named` (the extension,
/// or `--format`) or from the first decompressed bytes.
pub fn open<'a>(raw: Box<dyn Read + 'a>, named: Option<Format>) -> io::Result<Opened<'a>> {
    let mut raw: Box<dyn BufRead + 'a> = Box::new(BufReader::with_capacity(1 << 16, raw));
    let compression = Compression::sniff(raw.fill_buf()?);
    let mut stream: Box<dyn BufRead + 'a> = match compression {
        Compression::None => raw,
        c => Box::new(BufReader::with_capacity(1 << 16, c.decoder(raw)?)),
    };
    let format = match named {
        Some(f) => f,
        None => sniff(&peek(&mut stream, 4096)?),
    };
    Ok(Opened {
        stream,
        format,
        compression,
    })
}

/// Up to `n` first bytes of `stream`, left unread. A stream's buffer holds at least 64 KiB, so one
/// fill gives them unless the first read returns less.
fn peek(stream: &mut Box<dyn BufRead + '_>, n: usize) -> io::Result<Vec<u8>> {
    let head = stream.fill_buf()?;
    Ok(head[..head.len().min(n)].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(from_name("a/b.jsonl.gz"), ("a/b", Some(Format::Jsonl)));
        assert_eq!(from_name("x.jl"), ("x", Some(Format::Jsonl)));
        assert_eq!(from_name("x.json.bz2"), ("x", Some(Format::Json)));
        assert_eq!(
            from_name("reut2-000.sgm"),
            ("reut2-000", Some(Format::Sgml))
        );
        assert_eq!(from_name("cc.warc.gz"), ("cc", Some(Format::Warc)));
        assert_eq!(from_name("dump.data"), ("dump", None));
        assert_eq!(from_name("dir.v2/dump"), ("dir.v2/dump", None));
    }

    #[test]
    fn sniffs() {
        assert_eq!(sniff(b"  {\"id\": 1}\n"), Format::Jsonl);
        assert_eq!(sniff(b"\xEF\xBB\xBF[{\"id\": 1}]"), Format::Json);
        assert_eq!(sniff(b"PAR1...."), Format::Parquet);
        assert_eq!(sniff(b"WARC/1.0\r\n"), Format::Warc);
        assert_eq!(sniff(b"<!DOCTYPE html><html>"), Format::Html);
        assert_eq!(
            sniff(b"<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n<REUTERS"),
            Format::Sgml
        );
        assert_eq!(sniff(b"Bamako, 22 Sept."), Format::Txt);
        assert_eq!(sniff(b""), Format::Txt);
        assert_eq!(Compression::sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(Compression::sniff(b"BZh9"), Compression::Bzip2);
        assert_eq!(Compression::sniff(b"BZh is a word"), Compression::None);
    }

    #[test]
    fn every_compression_decodes() {
        use std::io::Write;
        let text = b"{\"id\":\"a\",\"text\":\"x\"}\n";
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(text).unwrap();
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(text).unwrap();
        let mut xz = xz2::write::XzEncoder::new(Vec::new(), 1);
        xz.write_all(text).unwrap();
        for (bytes, c) in [
            (gz.finish().unwrap(), Compression::Gzip),
            (zstd::encode_all(&text[..], 1).unwrap(), Compression::Zstd),
            (bz.finish().unwrap(), Compression::Bzip2),
            (xz.finish().unwrap(), Compression::Xz),
        ] {
            let mut opened = open(Box::new(io::Cursor::new(bytes)), None).unwrap();
            assert_eq!((opened.compression, opened.format), (c, Format::Jsonl));
            let mut out = Vec::new();
            opened.stream.read_to_end(&mut out).unwrap();
            assert_eq!(out, text);
        }
    }
}
