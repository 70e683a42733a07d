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
    let mut line_start = 0;
    for (i, c) in text.char_indices().chain([(text.len(), '\n')]) {
        if c == '\n' || c == '\r' || c == '\u{2028}' || c == '\u{2029}' {
            split_line(text, line_start, i, &mut out);
            line_start = i + c.len_utf8();
        }
    }
    out
}

fn split_line(text: &str, start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let line = &text[start..end];
    let mut sentence_start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut k = 0;
    while k < chars.len() {
        let (at, c) = chars[k];
        if matches!(c, '.' | '!' | '?' | '…') {
            // Extend over repeated terminators and closing quotes or brackets.
            let mut e = k + 1;
            loop {
                while e < chars.len() && is_closing(chars[e].1) {
                    e += 1;
                }
                // French typography: a space, then the closing guillemet (`fini ! »`).
                let mut q = e;
                while q < chars.len() && matches!(chars[q].1, ' ' | '\u{00A0}' | '\u{202F}') {
                    q += 1;
                }
                if q > e && q < chars.len() && matches!(chars[q].1, '»' | '”') {
                    e = q;
                } else {
                    break;
                }
            }
            // Scraped text often loses the space after a full stop: "la tete.Elle est". A stop glued
            // between a lowercase word of two letters or more and a capitalised word still ends one.
            if c == '.' && e == k + 1 && glued_sentence_end(&chars, k) {
                push(text, start + sentence_start, start + chars[e].0, out);
                sentence_start = chars[e].0;
                k = e;
                continue;
            }
            let followed = e < chars.len() && chars[e].1.is_whitespace();
            let mut n = e;
            while n < chars.len() && chars[n].1.is_whitespace() {
                n += 1;
            }
            let next_starts = n < chars.len() && {
                let d = chars[n].1;
                d.is_uppercase()
                    || d.is_ascii_digit()
                    || matches!(
                        d,
                        '"' | '\'' | '“' | '«' | '‘' | '-' | '–' | '—' | '(' | '['
                    )
            };
            if followed && next_starts && !(c == '.' && is_abbreviation(&line[sentence_start..at]))
            {
                let cut = if e < chars.len() {
                    chars[e].0
                } else {
                    line.len()
                };
                push(text, start + sentence_start, start + cut, out);
                sentence_start = chars[n].0;
                k = n;
                continue;
            }
            k = e;
            continue;
        }
        k += 1;
    }
    push(text, start + sentence_start, end, out);
}

/// Whether the full stop at `chars[k]` ends a sentence although no space follows it.
fn glued_sentence_end(chars: &[(usize, char)], k: usize) -> bool {
    let before_lower = k >= 2 && chars[k - 1].1.is_lowercase() && chars[k - 2].1.is_lowercase();
    let after_capital =
        k + 2 < chars.len() && chars[k + 1].1.is_uppercase() && chars[k + 2].1.is_lowercase();
    // Not inside a web address or a file name: no letter, digit or dot right before the word.
    let word_start = chars[..k]
        .iter()
        .rposition(|(_, c)| !c.is_alphabetic())
        .map_or(0, |p| p + 1);
    let plain_word =
        word_start == 0 || !matches!(chars[word_start - 1].1, '.' | '/' | '@' | '_' | '-');
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
