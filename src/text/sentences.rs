//! Sentence splitting for alignment: byte ranges of the sentences of a text, in order.
//!
//! A line break always ends a sentence (news dumps put headlines, paragraphs and captions on lines of
//! their own; WMT puts one segment a line). Within a line, a sentence ends after `.`, `!`, `?` or `…`
//! (and any closing quotes or brackets) followed by white space and a capital letter, a digit, an
//! opening quote or a dash, unless the word before the full stop is an abbreviation (`M.`, `Dr.`,
//! `U.S.`, `a.m.`, `janv.`): a single letter or one of a short list. Ranges never split a character and
//! hold at least one letter or digit.

const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "gov", "sen",
    "rep", "st", "jr", "sr", "vs", "etc", "no", "inc", "ltd", "co", "corp", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mme", "mlle", "mgr", "me",
    "janv", "févr", "avr", "juil", "déc", "env", "cf", "art", "p", "pp", "vol", "fig", "approx",
    "est", "dept",
];

/// The sentences of `text` as byte ranges.
pub fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut line_start = 0;
    let mut i = 0;
    // Line breaks: `\n`, `\r`, U+2028 and U+2029 (bytes E2 80 A8 / A9); scanned as bytes, as every
    // one of them starts a character.
    while i <= bytes.len() {
        if !any_of(bytes, i, [b'\n', b'\r', 0xE2]) {
            i += 8;
            continue;
        }
        let width = match bytes.get(i) {
            None => 1,
            Some(b'\n' | b'\r') => 1,
            Some(0xE2) if matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xA8 | 0xA9])) => 3,
            Some(_) => {
                i += 1;
                continue;
            }
        };
        split_line(text, line_start, i, &mut out);
        i += width;
        line_start = i;
    }
    out
}

/// Whether the eight bytes from `at` hold one of `wanted`; true when fewer than eight are left.
/// Eight bytes are tested at once: news text is mostly long runs of bytes the splitter passes over.
fn any_of<const N: usize>(bytes: &[u8], at: usize, wanted: [u8; N]) -> bool {
    let Some(chunk) = bytes.get(at..).and_then(|b| b.first_chunk::<8>()) else {
        return true;
    };
    let x = u64::from_le_bytes(*chunk);
    const ONES: u64 = 0x0101_0101_0101_0101;
    wanted.iter().any(|&w| {
        // A zero byte of y is a byte equal to w.
        let y = x ^ (ONES * u64::from(w));
        y.wrapping_sub(ONES) & !y & (ONES << 7) != 0
    })
}

/// The character starting at byte `at` of `s`, if any.
fn char_at(s: &str, at: usize) -> Option<char> {
    s.get(at..)?.chars().next()
}

/// The next sentence terminator (`.`, `!`, `?`, `…` = E2 80 A6) at or after byte `from`.
fn next_stop(line: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i < line.len() {
        if !any_of(line, i, [b'.', b'!', b'?', 0xE2]) {
            i += 8;
            continue;
        }
        match line[i] {
            b'.' | b'!' | b'?' => return Some(i),
            0xE2 if line.get(i + 1..i + 3) == Some(&[0x80, 0xA6]) => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Splits the line `text[start..end]`; positions below are bytes of the line.
fn split_line(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let line = &text[start..end];
    let mut sentence_start = 0;
    let mut k = 0;
    while let Some(at) = next_stop(line.as_bytes(), k) {
        // A terminator's first byte always starts a character.
        let Some(c) = char_at(line, at) else { break };
        // Extend over repeated terminators and closing quotes or brackets.
        let mut e = at + c.len_utf8();
        loop {
            while let Some(d) = char_at(line, e).filter(|&d| is_closing(d)) {
                e += d.len_utf8();
            }
            // French typography: a space, then the closing guillemet (`fini ! »`).
            let mut q = e;
            while let Some(d) =
                char_at(line, q).filter(|d| matches!(d, ' ' | '\u{00A0}' | '\u{202F}'))
            {
                q += d.len_utf8();
            }
            if q > e && matches!(char_at(line, q), Some('»' | '”')) {
                e = q;
            } else {
                break;
            }
        }
        // Scraped text often loses the space after a full stop: "la tete.Elle est". A stop glued
        // between a lowercase word of two letters or more and a capitalised word still ends one.
        if c == '.' && e == at + 1 && glued_sentence_end(line, at) {
            push(text, start + sentence_start, start + e, out);
            sentence_start = e;
            k = e;
            continue;
        }
        let followed = char_at(line, e).is_some_and(char::is_whitespace);
        let mut n = e;
        while let Some(d) = char_at(line, n).filter(|d| d.is_whitespace()) {
            n += d.len_utf8();
        }
        let next_starts = char_at(line, n).is_some_and(|d| {
            d.is_uppercase()
                || d.is_ascii_digit()
                || matches!(
                    d,
                    '"' | '\'' | '“' | '«' | '‘' | '-' | '–' | '—' | '(' | '['
                )
        });
        if followed && next_starts && !(c == '.' && is_abbreviation(&line[sentence_start..at])) {
            push(text, start + sentence_start, start + e, out);
            sentence_start = n;
            k = n;
            continue;
        }
        k = e;
    }
    push(text, start + sentence_start, end, out);
}

/// Whether the full stop at byte `at` of `line` ends a sentence although no space follows it.
fn glued_sentence_end(line: &str, at: usize) -> bool {
    let mut before = line[..at].chars().rev();
    let before_lower = matches!((before.next(), before.next()), (Some(a), Some(b)) if a.is_lowercase() && b.is_lowercase());
    let mut after = line[at + 1..].chars();
    let after_capital = matches!((after.next(), after.next()), (Some(a), Some(b)) if a.is_uppercase() && b.is_lowercase());
    // Not inside a web address or a file name: no letter, digit or dot right before the word.
    let plain_word = line[..at]
        .chars()
        .rev()
        .find(|c| !c.is_alphabetic())
        .is_none_or(|c| !matches!(c, '.' | '/' | '@' | '_' | '-'));
    before_lower && after_capital && plain_word
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | '…' | '"' | '\'' | '’' | '”' | '»' | ')' | ']'
    )
}

/// Whether the last word of `before` (the text up to a full stop) is an abbreviation.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"' || c == '«')
        .next()
        .unwrap_or("");
    let lower = word.to_lowercase();
    // Times end sentences often enough ("at 5:00 a.m. The army...") that a capital after them wins.
    if lower == "a.m" || lower == "p.m" {
        return false;
    }
    let last = lower.rsplit('.').next().unwrap_or(&lower);
    // An initial: "M.", "U.S.", "J. K.".
    last.chars().count() == 1 || ABBREVIATIONS.contains(&last)
}

fn push(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trimmed = s.trim();
    if trimmed.chars().any(char::is_alphanumeric) {
        out.push((start + lead, start + lead + trimmed.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<&str> {
        sentence_spans(text)
            .into_iter()
            .map(|(a, b)| &text[a..b])
            .collect()
    }

    #[test]
    fn splits_at_full_stops_before_capitals() {
        assert_eq!(
            sentences("Bamako woke up at 5:00 a.m. The army said so. « C'est fini ! » Il part."),
            [
                "Bamako woke up at 5:00 a.m.",
                "The army said so.",
                "« C'est fini ! »",
                "Il part."
            ]
        );
    }

    #[test]
    fn abbreviations_and_initials_do_not_end_sentences() {
        assert_eq!(
            sentences("M. Goïta a parlé. Mr. Smith of the U.S. Army came. Gen. Diarra too."),
            [
                "M. Goïta a parlé.",
                "Mr. Smith of the U.S. Army came.",
                "Gen. Diarra too."
            ]
        );
    }

    #[test]
    fn lines_are_sentences_and_blank_ones_vanish() {
        assert_eq!(
            sentences("- Le bilan -\nCependant, des affrontements\n\n   \nRelated News"),
            [
                "- Le bilan -",
                "Cependant, des affrontements",
                "Related News"
            ]
        );
    }

    #[test]
    fn full_stops_without_a_space_still_split() {
        assert_eq!(
            sentences("Elle est divisée en trois.Les chenilles sont vertes. Voir www.example.Com et U.S.Army."),
            ["Elle est divisée en trois.", "Les chenilles sont vertes.", "Voir www.example.Com et U.S.Army."]
        );
    }

    #[test]
    fn decimals_and_lowercase_continuations_stay() {
        assert_eq!(
            sentences("It rose 3.5 pct. from 2.1 in May."),
            ["It rose 3.5 pct. from 2.1 in May."]
        );
    }

    #[test]
    fn never_panics_on_odd_text() {
        for t in [
            "",
            ".",
            "...",
            "A. B. C.",
            "é. É",
            "?\u{2028}!",
            "\r\n\r\n",
            "x.\u{00A0}Y",
        ] {
            for (a, b) in sentence_spans(t) {
                assert!(t.is_char_boundary(a) && t.is_char_boundary(b) && a < b);
            }
        }
    }
}
