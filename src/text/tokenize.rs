//! Folding and tokenization in one pass.
//!
//! A word is a maximal run of letters and digits after compatibility decomposition (NFKD), with
//! combining marks dropped and letters lowercased: `Qaïda`, `QAÏDA` and `Qa\u{0308}ida` are all
//! `qaida`, `ﬁn` is `fin`. Everything else (spaces of any kind, quotes, dashes, apostrophes) separates
//! words, so `l'armée` is `l` `armee` and `d’Al-Qaïda` is `d` `al` `qaida`. Han, kana and Thai
//! characters have no spaces between words; each one is a word of its own so such text still shingles.
//!
//! Invariants: the words of a text depend only on its NFKD form; any two canonically or compatibly
//! equivalent spellings give the same words. Spans are never empty, lie on character boundaries and
//! start in order; a character that decomposes into several words (`⅝` is `5` and `8`, `㍿` four
//! ideographs) gives each of them its own span, so those spans overlap.

use std::ops::Range;

use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// One word of a text: its folded form and where it stands in the original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token<'a> {
    /// The folded word (lowercase, no accents, compatibility-decomposed).
    pub folded: &'a str,
    /// Byte range of the word in the original text.
    pub span: (usize, usize),
}

/// Calls `f` for each word of `text`, in order.
///
/// The folded form handed to `f` lives in a buffer reused between calls: copy it if you keep it.
pub fn for_each_token<F>(text: &str, mut f: F)
where
    F: FnMut(Token<'_>),
{
    let mut buf = String::with_capacity(32);
    // A word's span runs from the start of its first character to the end of the last character
    // that gave it a letter (`end`).
    let mut start: Option<usize> = None;
    let mut end = 0usize;
    let emit = |buf: &mut String, range: Range<usize>, f: &mut F| {
        if !buf.is_empty() {
            f(Token {
                folded: buf.as_str(),
                span: (range.start, range.end),
            });
            buf.clear();
        }
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            // ASCII fast path: most of a news dump, even in French, is ASCII.
            if b.is_ascii_alphanumeric() {
                if start.is_none() {
                    start = Some(i);
                }
                end = i + 1;
                buf.push(b.to_ascii_lowercase() as char);
            } else if let Some(s) = start.take() {
                emit(&mut buf, s..end, &mut f);
            }
            i += 1;
            continue;
        }
        let c = text[i..].chars().next().expect("i is on a char boundary");
        let len = c.len_utf8();
        fold_char(c, &mut |d| match d {
            Folded::Letter(l) => {
                if start.is_none() {
                    start = Some(i);
                }
                end = i + len;
                buf.push(l);
            }
            Folded::Mark => {}
            Folded::Separator => {
                if let Some(s) = start.take() {
                    emit(&mut buf, s..end, &mut f);
                }
            }
            Folded::Single(l) => {
                if let Some(s) = start.take() {
                    emit(&mut buf, s..end, &mut f);
                }
                buf.push(l);
                emit(&mut buf, i..i + len, &mut f);
            }
        });
        i += len;
    }
    if let Some(s) = start {
        emit(&mut buf, s..end, &mut f);
    }
}

/// The words of a text, tokenized once for every stage that needs them: folded forms in one buffer,
/// their spans in the original, and their 64-bit hashes.
#[derive(Debug, Clone, Default)]
pub struct TokenList {
    buf: String,
    tokens: Vec<WordEntry>,
}

/// One word of a [`TokenList`].
#[derive(Debug, Clone, Copy, Default)]
struct WordEntry {
    /// Range of the folded form in the buffer.
    folded: (u32, u32),
    /// Byte span in the original text.
    span: (u32, u32),
    /// xxh3 of the folded form.
    hash: u64,
}

impl TokenList {
    /// Tokenizes `text`.
    pub fn of(text: &str) -> TokenList {
        let mut list = TokenList {
            buf: String::with_capacity(text.len()),
            tokens: Vec::with_capacity(text.len() / 6 + 1),
        };
        list.refill(text);
        list
    }

    /// Tokenizes `text` in place of the words held, reusing their memory (for a thread that
    /// tokenizes one document after another).
    pub fn refill(&mut self, text: &str) {
        self.buf.clear();
        self.tokens.clear();
        for_each_token(text, |t| {
            let at = self.buf.len() as u32;
            self.buf.push_str(t.folded);
            let hash = xxhash_rust::xxh3::xxh3_64(t.folded.as_bytes());
            self.tokens.push(WordEntry {
                folded: (at, self.buf.len() as u32),
                span: (t.span.0 as u32, t.span.1 as u32),
                hash,
            });
        });
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    #[cfg(any(test, feature = "internals"))]
    /// True for a text without words.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The folded form of word `i`.
    pub fn word(&self, i: usize) -> &str {
        let (a, b) = self.tokens[i].folded;
        &self.buf[a as usize..b as usize]
    }

    /// The byte span of word `i` in the original text.
    pub fn span(&self, i: usize) -> (usize, usize) {
        let (a, b) = self.tokens[i].span;
        (a as usize, b as usize)
    }

    /// The 64-bit hash of word `i` (xxh3 of its folded form; see `fingerprint::hash_word`).
    pub fn hash(&self, i: usize) -> u64 {
        self.tokens[i].hash
    }

    /// Every word's hash, in order.
    pub fn hashes(&self) -> impl Iterator<Item = u64> + '_ {
        self.tokens.iter().map(|t| t.hash)
    }
}

/// The folded words of `text`, collected (for tests, `explain` and small inputs).
pub fn words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |t| out.push(t.folded.to_string()));
    out
}

enum Folded {
    /// Part of a word.
    Letter(char),
    /// A word of its own (an ideograph, kana, Thai letter).
    Single(char),
    /// Dropped without breaking the word (a combining mark).
    Mark,
    /// Between words.
    Separator,
}

fn fold_char(c: char, out: &mut dyn FnMut(Folded)) {
    decompose_compatible(c, |d| {
        if is_combining_mark(d) {
            out(Folded::Mark);
        } else if d.is_alphanumeric() {
            if is_unspaced_script(d) {
                out(Folded::Single(d));
            } else if d == 'ß' {
                // Full case folding: German sharp s matches "ss".
                out(Folded::Letter('s'));
                out(Folded::Letter('s'));
            } else {
                for l in d.to_lowercase() {
                    if !is_combining_mark(l) {
                        out(Folded::Letter(l));
                    }
                }
            }
        } else {
            out(Folded::Separator);
        }
    });
}

/// Scripts written without spaces between words, where each character is taken as a word.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x0E00..=0x0E7F      // Thai
        | 0x3040..=0x30FF    // Hiragana, Katakana
        | 0x3400..=0x4DBF    // CJK extension A
        | 0x4E00..=0x9FFF    // CJK unified ideographs
        | 0xF900..=0xFAFF    // CJK compatibility ideographs
        | 0x20000..=0x2FA1F) // CJK extensions B-F and supplement
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_accents_and_punctuation() {
        assert_eq!(
            words("Les jihadistes d’Al-Qaïda, à Bamako!"),
            ["les", "jihadistes", "d", "al", "qaida", "a", "bamako"]
        );
    }

    #[test]
    fn french_elisions_split() {
        assert_eq!(words("l'armée"), ["l", "armee"]);
        assert_eq!(words("L’ARMÉE"), ["l", "armee"]);
    }

    #[test]
    fn nfd_nfc_and_ligatures_agree() {
        let nfc = "Goïta a signé un décret. Fin.";
        let nfd = "Goi\u{0308}ta a signe\u{0301} un de\u{0301}cret. ﬁn.";
        assert_eq!(words(nfc), words(nfd));
    }

    #[test]
    fn non_breaking_and_odd_spaces_separate() {
        assert_eq!(words("2\u{00A0}000 morts\u{202F}!"), ["2", "000", "morts"]);
    }

    #[test]
    fn spans_point_into_the_original() {
        let text = "« Sous contrôle », dit-il.";
        let mut seen = Vec::new();
        for_each_token(text, |t| {
            seen.push((&text[t.span.0..t.span.1], t.folded.to_string()))
        });
        assert_eq!(
            seen,
            [
                ("Sous", "sous".to_string()),
                ("contrôle", "controle".to_string()),
                ("dit", "dit".to_string()),
                ("il", "il".to_string())
            ]
        );
    }

    #[test]
    fn a_character_that_is_several_words_spans_each() {
        // Found by the fuzzer: U+215D decomposes to "5", a fraction slash, "8".
        let text = "levels.⅝";
        let mut seen = Vec::new();
        for_each_token(text, |t| seen.push((t.folded.to_string(), t.span)));
        assert_eq!(
            seen,
            [
                ("levels".to_string(), (0, 6)),
                ("5".to_string(), (7, 10)),
                ("8".to_string(), (7, 10))
            ]
        );
    }

    #[test]
    fn ideographs_are_words_of_their_own() {
        assert_eq!(words("马里首都"), ["马", "里", "首", "都"]);
    }

    #[test]
    fn an_ascii_run_before_a_non_ascii_letter_or_mark_is_one_word() {
        assert_eq!(words("Contr\u{00F4}le ABC1x-y"), ["controle", "abc1x", "y"]);
        assert_eq!(words("Goi\u{0308}ta"), ["goita"]);
        assert_eq!(words("STRASSE\u{00DF} É"), ["strassess", "e"]);
        let text = "Big news\u{00A0}today";
        let mut spans = Vec::new();
        for_each_token(text, |t| spans.push(t.span));
        assert_eq!(spans, [(0, 3), (4, 8), (10, 15)]);
    }

    #[test]
    fn sharp_s_folds_to_ss() {
        assert_eq!(words("Straße"), words("STRASSE"));
    }
}
