//! SGML news collections: Reuters-21578 (`<REUTERS NEWID=..>` with `<BODY>`) and the WMT news test
//! sets (`<doc docid=..>` with `<seg>` sentences), the public corpora twinwire is measured on.
//!
//! Reuters: one document per record, the body only (what duplicate-detection studies on this corpus
//! compare); a record without a body is an empty document. WMT: the segments of a document, one per
//! line, paragraphs separated by a blank line; the language is taken from the file name
//! (`newstest2010-src.fr.sgm` -> `fr`). Record ids are `NEWID` or `docid`.

/// One record of an SGML collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SgmlRecord {
    pub id: String,
    pub text: String,
}

/// The records of a Reuters-21578 or WMT SGML file (decoded text).
pub fn parse_sgml(text: &str) -> Vec<SgmlRecord> {
    if text.contains("<REUTERS") {
        parse_reuters(text)
    } else {
        parse_wmt(text)
    }
}

/// The language code in a WMT file name (`newstest2010-src.fr.sgm` -> `fr`), if it has one.
pub fn language_from_file_name(stem: &str) -> Option<String> {
    let (_, code) = stem.rsplit_once('.')?;
    (code.len() == 2 && code.chars().all(|c| c.is_ascii_lowercase())).then(|| code.to_string())
}

fn parse_reuters(text: &str) -> Vec<SgmlRecord> {
    elements(text, "REUTERS")
        .map(|(tag, body)| SgmlRecord {
            id: attribute(tag, "NEWID").unwrap_or_default().to_string(),
            text: elements(body, "BODY")
                .next()
                .map(|(_, b)| unescape(b).trim().to_string())
                .unwrap_or_default(),
        })
        .collect()
}

fn parse_wmt(text: &str) -> Vec<SgmlRecord> {
    elements(text, "doc")
        .map(|(tag, body)| {
            let mut paragraphs: Vec<String> = Vec::new();
            let mut rest = body;
            // Headline and paragraphs are <hl> and <p> blocks of <seg>s, in document order.
            while let Some(start) = rest.find('<') {
                rest = &rest[start..];
                let block = if rest.starts_with("<hl") {
                    "hl"
                } else if rest.starts_with("<p") && !rest.starts_with("<pre") {
                    "p"
                } else {
                    rest = &rest[1..];
                    continue;
                };
                let Some((_, inner)) = elements(rest, block).next() else {
                    break;
                };
                let segs: Vec<String> = elements(inner, "seg")
                    .map(|(_, s)| unescape(s).trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if !segs.is_empty() {
                    paragraphs.push(segs.join("\n"));
                }
                let close = format!("</{block}>");
                rest = match rest.find(&close) {
                    Some(end) => &rest[end + close.len()..],
                    None => "",
                };
            }
            // news-test2008 has its segments directly under <doc>, one paragraph.
            if paragraphs.is_empty() {
                let segs: Vec<String> = elements(body, "seg")
                    .map(|(_, s)| unescape(s).trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                if !segs.is_empty() {
                    paragraphs.push(segs.join("\n"));
                }
            }
            SgmlRecord {
                id: attribute(tag, "docid").unwrap_or_default().to_string(),
                text: paragraphs.join("\n\n"),
            }
        })
        .collect()
}

/// (opening tag, content) of each `<name ...>content</name>` in `text`.
fn elements<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = (&'t str, &'t str)> + 't {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut rest = text;
    std::iter::from_fn(move || loop {
        let start = rest.find(&open)?;
        let after = &rest[start + open.len()..];
        // `<doc` must not match `<docid`: the name ends at '>' or whitespace.
        if !after.starts_with(|c: char| c == '>' || c.is_whitespace()) {
            rest = after;
            continue;
        }
        let tag_end = after.find('>')?;
        let tag = &after[..tag_end];
        let content = &after[tag_end + 1..];
        let end = content.find(&close).unwrap_or(content.len());
        rest = &content[(end + close.len()).min(content.len())..];
        return Some((tag, &content[..end]));
    })
}

fn attribute<'t>(tag: &'t str, name: &str) -> Option<&'t str> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Replaces SGML entities and drops control characters other than line breaks and tabs.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest[1..]
            .find(';')
            .filter(|&n| n <= 8)
            .map(|n| &rest[1..n + 1]);
        let decoded = entity.and_then(|e| match e {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => e
                .strip_prefix('#')
                .and_then(|n| n.parse::<u32>().ok())
                .and_then(char::from_u32),
        });
        match (entity, decoded) {
            (Some(e), Some(c)) => {
                out.push(c);
                rest = &rest[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out.retain(|c| !c.is_control() || c == '\n' || c == '\t');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reuters_records() {
        let sgm = r#"<!DOCTYPE lewis SYSTEM "lewis.dtd">
<REUTERS TOPICS="YES" NEWID="1"><TEXT>&#2;
<TITLE>BAHIA COCOA</TITLE><BODY>Showers continued &lt;in&gt; Bahia.
 Reuter
&#3;</BODY></TEXT></REUTERS>
<REUTERS NEWID="2"><TEXT TYPE="BRIEF"><TITLE>NO BODY</TITLE></TEXT></REUTERS>"#;
        let r = parse_sgml(sgm);
        assert_eq!(r.len(), 2);
        assert_eq!(
            r[0],
            SgmlRecord {
                id: "1".into(),
                text: "Showers continued <in> Bahia.\n Reuter".into()
            }
        );
        assert_eq!(r[1].text, "");
    }

    #[test]
    fn wmt_documents() {
        let sgm = r#"<srcset setid="test2009" srclang="any">
<doc docid="idnes.cz/1" genre="news">
<hl>
<seg id="1"> Obama &amp; le Nobel</seg>
</hl>
<p>
<seg id="2"> Première phrase.</seg>
<seg id="3"> Deuxième phrase.</seg>
</p>
</doc>
<doc docid="x/2"><p><seg id="1">Seul.</seg></p></doc>
<doc docid="x/3">
<seg id="1">Sans paragraphe.</seg>
<seg id="2">Deux.</seg>
</doc>
</srcset>"#;
        let r = parse_sgml(sgm);
        assert_eq!(r.len(), 3);
        assert_eq!(r[2].text, "Sans paragraphe.\nDeux.");
        assert_eq!(r[0].id, "idnes.cz/1");
        assert_eq!(
            r[0].text,
            "Obama & le Nobel\n\nPremière phrase.\nDeuxième phrase."
        );
        assert_eq!(r[1].text, "Seul.");
        assert_eq!(
            language_from_file_name("newstest2010-src.fr"),
            Some("fr".into())
        );
        assert_eq!(language_from_file_name("reut2-000"), None);
    }
}
