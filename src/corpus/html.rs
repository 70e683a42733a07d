//! HTML to words: the main content of a web page (HTML files, WARC records), and markup removed from
//! a text field that holds HTML (`--strip-html`).
//!
//! A page's main content is found by `dom_smoothie`, a maintained Rust port of Mozilla's Readability
//! (the algorithm of Firefox's reader view): it scores blocks by their text and link density and keeps
//! the article, leaving out navigation, menus, related links, comments, cookie banners and scripts.
//! When it finds no article (a page that is all list, a very short page), the page's visible text is
//! used instead, so a page is never silently empty. BENCHMARKS.md measures both on real articles
//! wrapped in site templates, beside trafilatura.

use dom_query::Document as Dom;
use dom_smoothie::{Config, Readability, TextMode};

/// A web page's title and main text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: String,
}

/// Elements whose content is never words of the page.
const NOT_TEXT: &str = "script, style, noscript, template, svg, iframe, head";

/// The main content of the page `html` (`url`, when known, resolves its relative links).
pub fn extract(html: &str, url: Option<&str>) -> Extracted {
    let config = Config {
        text_mode: TextMode::Formatted,
        ..Config::default()
    };
    // Readability wants an absolute URL or none.
    let url = url.filter(|u| u.starts_with("http://") || u.starts_with("https://"));
    let article = Readability::new(html, url, Some(config.clone()))
        .or_else(|_| Readability::new(html, None, Some(config)))
        .ok()
        .and_then(|mut r| r.parse().ok());
    match article {
        Some(a) if !a.text_content.trim().is_empty() => Extracted {
            title: Some(a.title.trim().to_string()).filter(|t| !t.is_empty()),
            text: tidy(&a.text_content),
        },
        _ => {
            let dom = Dom::from(html);
            let title = dom.select("title").text().trim().to_string();
            Extracted {
                title: Some(title).filter(|t| !t.is_empty()),
                text: visible_text(&dom),
            }
        }
    }
}

/// The text of an HTML fragment or page, without markup: block elements end paragraphs, entities are
/// decoded, scripts and styles left out. For text fields that hold an article body as HTML.
pub fn strip(html: &str) -> String {
    visible_text(&Dom::from(html))
}

fn visible_text(dom: &Dom) -> String {
    dom.select(NOT_TEXT).remove();
    tidy(&dom.formatted_text())
}

/// Trims each line and keeps at most one empty line between paragraphs.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = false;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if blank {
            out.push_str("\n\n");
        } else if !out.is_empty() {
            out.push('\n');
        }
        blank = false;
        out.push_str(line);
    }
    out
}

/// Whether a text field holds HTML rather than text: at least three tags of common HTML elements
/// (paragraphs, line breaks, links, emphasis, lists, headings, divisions) in its first 64 KiB, an
/// `<html>`/`<body>` tag, or a text that is one such element from its first byte to its last. A news
/// text quoting one `<b>` or writing "a < b > c" is left alone.
pub fn looks_like_html(text: &str) -> bool {
    // Most texts have no '<' at all: one fast scan of the head says so.
    if !text[..floor_char_boundary(text, text.len().min(HEAD_BYTES))].contains('<') {
        return false;
    }
    let trimmed = text.trim();
    if trimmed.starts_with('<') && trimmed.ends_with('>') && count_tags(trimmed, 2) >= 2 {
        return true;
    }
    count_tags(text, 3) >= 3
}

/// Bytes of a text looked at to tell whether it is HTML.
const HEAD_BYTES: usize = 64 << 10;

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Tags of common elements in the first 64 KiB of `text`, counted up to `enough`; `<html>` or
/// `<body>` counts as enough at once.
fn count_tags(text: &str, enough: usize) -> usize {
    const ELEMENTS: [&str; 20] = [
        "p", "br", "div", "span", "a", "b", "i", "em", "strong", "li", "ul", "ol", "h1", "h2",
        "h3", "h4", "table", "td", "tr", "img",
    ];
    let bytes = text.as_bytes();
    let head = &bytes[..bytes.len().min(HEAD_BYTES)];
    let mut tags = 0;
    let mut at = 0;
    let head_text = &text[..floor_char_boundary(text, head.len())];
    while let Some(lt) = head_text[at..].find('<') {
        let start = at + lt + 1;
        at = start;
        let rest = &head[start..];
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let name = rest[..name_len].to_ascii_lowercase();
        let closes = matches!(rest.get(name_len), Some(b'>' | b' ' | b'/' | b'\n' | b'\t'));
        if name_len == 0 || !closes {
            continue;
        }
        if name == b"html" || name == b"body" {
            return enough;
        }
        if ELEMENTS.iter().any(|e| e.as_bytes() == name.as_slice()) {
            tags += 1;
            if tags >= enough {
                return tags;
            }
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_told_from_text() {
        assert!(looks_like_html("<p>One.</p><p>Two &amp; three.</p><br>"));
        assert!(looks_like_html("<html><body>x</body></html>"));
        assert!(looks_like_html(" <p>One paragraph only.</p>\n"));
        assert!(!looks_like_html("<Reuters> said <b> was bold"));
        assert!(!looks_like_html("if a < b and c > d, the <b> tag is bold"));
        assert!(!looks_like_html("Plain text about <Reuters> quotes."));
    }

    #[test]
    fn stripping_keeps_paragraphs_and_decodes_entities() {
        let text =
            strip("<p>Bamako &amp; Mopti.</p><script>alert(1)</script><p>Second<br>line</p>");
        assert_eq!(text, "Bamako & Mopti.\n\nSecond\nline");
    }

    #[test]
    fn extraction_leaves_navigation_and_comments_out() {
        let body = "The attack on the gendarmerie school in Bamako killed more than seventy \
                    people, the army said on Wednesday, in the deadliest strike on the capital \
                    in years. ";
        let html = format!(
            "<html><head><title>Attack in Bamako</title><script>var x = 1;</script></head><body>\
             <nav><ul><li><a href='/'>Home</a></li><li><a href='/world'>World</a></li>\
             <li><a href='/sport'>Sport</a></li></ul></nav>\
             <article><h1>Attack in Bamako</h1><p>{0}</p><p>{0}</p><p>{0}</p></article>\
             <aside class='related'><a href='/a'>Related: markets fall</a></aside>\
             <div id='comments' class='comments'><p>First!</p></div>\
             <footer>Copyright Example Media</footer></body></html>",
            body
        );
        let e = extract(&html, Some("https://example.com/news/1"));
        assert_eq!(e.title.as_deref(), Some("Attack in Bamako"));
        assert!(e.text.contains("gendarmerie school"), "{}", e.text);
        for leaked in ["Home", "Sport", "var x", "Copyright"] {
            assert!(!e.text.contains(leaked), "{leaked} leaked into {}", e.text);
        }
    }
}
