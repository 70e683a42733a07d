//! Aligned sentences of translation pairs, for people who build or check parallel corpora (as
//! Bitextor's users do): one group a line, one sentence or two on either side, in document order.
//!
//! The groups are the beads of the same alignment that decided the pair is a translation
//! ([`super::translate::verify`]), so what is written is what was judged. Three formats: JSON lines
//! (`{"a","b","lang_a","lang_b","text_a","text_b","score"}`), TSV (the same columns, tabs and line
//! breaks in texts turned into spaces) and TMX 1.4b (one `<tu>` a group, the pair's ids as `<prop>`s),
//! which translation-memory tools read.

use std::io::{self, Write};

use serde::Serialize;

use super::pivot::{PivotDoc, Pivoter};
use super::translate::{verify, TranslationParams};

/// One aligned group of sentences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedGroup<'a> {
    pub a: &'a str,
    pub b: &'a str,
    pub lang_a: &'a str,
    pub lang_b: &'a str,
    pub text_a: String,
    pub text_b: String,
    /// Similarity of the group (pivot keys in common, scaled by how alike the lengths are).
    pub score: f64,
}

/// A document of a translation pair: its id, text and language.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub lang: &'a str,
}

/// The aligned groups of the pair (`a`, `b`), in order; empty when either side cannot be put in
/// pivot space.
pub fn aligned_groups<'a>(
    a: Side<'a>,
    b: Side<'a>,
    pivoter: &Pivoter,
    params: &TranslationParams,
) -> Vec<AlignedGroup<'a>> {
    let (Some(pa), Some(pb)) = (pivoter.pivot(a.text, a.lang), pivoter.pivot(b.text, b.lang))
    else {
        return Vec::new();
    };
    let (alignment, _) = verify(&pa, &pb, params);
    alignment
        .beads
        .iter()
        .map(|bead| AlignedGroup {
            a: a.id,
            b: b.id,
            lang_a: a.lang,
            lang_b: b.lang,
            text_a: sentences(&pa, a.text, bead.a),
            text_b: sentences(&pb, b.text, bead.b),
            score: (bead.similarity * 1e4).round() / 1e4,
        })
        .collect()
}

/// Sentences `lo..hi` of `doc`, their inner whitespace (line breaks included) made single spaces.
fn sentences(doc: &PivotDoc, text: &str, (lo, hi): (usize, usize)) -> String {
    doc.sentences[lo..hi]
        .iter()
        .flat_map(|s| text[s.span.0 as usize..s.span.1 as usize].split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

/// How aligned groups are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitextFormat {
    Jsonl,
    Tsv,
    Tmx,
}

/// Writes aligned groups in one format: `begin`, `group` for each, then `end`.
pub struct BitextWriter<W: Write> {
    out: W,
    format: BitextFormat,
}

impl<W: Write> BitextWriter<W> {
    /// Starts the output (the TSV header line, the TMX header).
    pub fn begin(mut out: W, format: BitextFormat) -> io::Result<BitextWriter<W>> {
        match format {
            BitextFormat::Jsonl => {}
            BitextFormat::Tsv => out.write_all(b"a\tb\tlang_a\tlang_b\ttext_a\ttext_b\tscore\n")?,
            BitextFormat::Tmx => out.write_all(
                concat!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n",
                    "<tmx version=\"1.4\">\n",
                    "  <header creationtool=\"twinwire\" creationtoolversion=\"",
                    env!("CARGO_PKG_VERSION"),
                    "\" segtype=\"sentence\" o-tmf=\"twinwire\" adminlang=\"en\" srclang=\"*all*\" ",
                    "datatype=\"plaintext\"/>\n",
                    "  <body>\n"
                )
                .as_bytes(),
            )?,
        }
        Ok(BitextWriter { out, format })
    }

    /// Writes one group.
    pub fn group(&mut self, g: &AlignedGroup<'_>) -> io::Result<()> {
        match self.format {
            BitextFormat::Jsonl => {
                serde_json::to_writer(&mut self.out, g)?;
                self.out.write_all(b"\n")
            }
            BitextFormat::Tsv => {
                let cell = |s: &str| s.replace(['\t', '\n', '\r'], " ");
                writeln!(
                    self.out,
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    cell(g.a),
                    cell(g.b),
                    g.lang_a,
                    g.lang_b,
                    cell(&g.text_a),
                    cell(&g.text_b),
                    g.score
                )
            }
            BitextFormat::Tmx => write!(
                self.out,
                "    <tu>\n      <prop type=\"x-doc-a\">{}</prop>\n      <prop type=\"x-doc-b\">{}</prop>\n      \
                 <prop type=\"x-score\">{}</prop>\n      <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>\n      \
                 <tuv xml:lang=\"{}\"><seg>{}</seg></tuv>\n    </tu>\n",
                xml(g.a),
                xml(g.b),
                g.score,
                xml(g.lang_a),
                xml(&g.text_a),
                xml(g.lang_b),
                xml(&g.text_b)
            ),
        }
    }

    /// Ends the output (closes the TMX body) and hands the writer back.
    pub fn end(mut self) -> io::Result<W> {
        if self.format == BitextFormat::Tmx {
            self.out.write_all(b"  </body>\n</tmx>\n")?;
        }
        Ok(self.out)
    }
}

/// Text as XML character data: markup characters escaped, and the characters XML 1.0 forbids
/// (control characters but tab and line breaks) left out.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_is_escaped_and_cleaned() {
        assert_eq!(xml("a < b & \"c\" \u{1}"), "a &lt; b &amp; &quot;c&quot; ");
    }
}
