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

/// The words of a text, tokenized once for every stage that needs them: their folded forms, their
/// spans in the original, and their 64-bit hashes.
///
/// Most words are ASCII: their folded form is their span in the text with its ASCII letters
/// lowercased, found from a bitmap of the text's bytes without a branch per byte. A run of letters
/// that holds a non-ASCII character is folded character by character as [`for_each_token`] folds
/// it. Runs are cut at ASCII separators only, and those always end a word, so both ways give the
/// same words.
#[derive(Debug, Clone, Default)]
pub struct TokenList {
    /// The text with its ASCII letters lowercased.
    lower: String,
    /// The folded forms of the words that have a non-ASCII character.
    folded: String,
    tokens: Vec<WordEntry>,
    /// The text's bytes that are no ASCII separator, one bit each.
    runs: Vec<u64>,
    /// The text's non-ASCII bytes, one bit each.
    high: Vec<u64>,
}

/// One word of a [`TokenList`].
#[derive(Debug, Clone, Copy, Default)]
struct WordEntry {
    /// Range of the folded form in `TokenList::folded`, or [`IN_LOWER`] for an ASCII word.
    folded: (u32, u32),
    /// Byte span in the original text.
    span: (u32, u32),
    /// xxh3 of the folded form.
    hash: u64,
}

/// Marks a word whose folded form is its span in `TokenList::lower`.
const IN_LOWER: u32 = u32::MAX;

impl TokenList {
    /// Tokenizes `text`.
    pub fn of(text: &str) -> TokenList {
        let mut list = TokenList::default();
        list.refill(text);
        list
    }

    /// Tokenizes `text` in place of the words held, reusing their memory (for a thread that
    /// tokenizes one document after another).
    pub fn refill(&mut self, text: &str) {
        self.tokens.clear();
        self.folded.clear();
        self.lower.clear();
        self.lower.push_str(text);
        self.lower.make_ascii_lowercase();
        let bytes = text.as_bytes();
        let ascii = mark_runs(bytes, &mut self.runs, &mut self.high);
        let mut at = 0;
        while let Some(start) = next_bit(&self.runs, at, true) {
            let end =
                next_bit(&self.runs, start, false).map_or(bytes.len(), |e| e.min(bytes.len()));
            if ascii || !any_bit(&self.high, start, end) {
                let hash = xxhash_rust::xxh3::xxh3_64(&self.lower.as_bytes()[start..end]);
                self.tokens.push(WordEntry {
                    folded: (IN_LOWER, 0),
                    span: (start as u32, end as u32),
                    hash,
                });
            } else {
                self.fold_run(&text[start..end], start);
            }
            at = end;
        }
    }

    /// Folds a run of letters that holds a non-ASCII character, which starts at byte `offset`.
    fn fold_run(&mut self, run: &str, offset: usize) {
        for_each_token(run, |t| {
            let from = self.folded.len() as u32;
            self.folded.push_str(t.folded);
            self.tokens.push(WordEntry {
                folded: (from, self.folded.len() as u32),
                span: ((offset + t.span.0) as u32, (offset + t.span.1) as u32),
                hash: xxhash_rust::xxh3::xxh3_64(t.folded.as_bytes()),
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
        let entry = &self.tokens[i];
        match entry.folded {
            (IN_LOWER, _) => &self.lower[entry.span.0 as usize..entry.span.1 as usize],
            (a, b) => &self.folded[a as usize..b as usize],
        }
    }

    /// Whether the folded form of word `i` is ASCII (told at once for the words read as ASCII).
    pub fn is_ascii_word(&self, i: usize) -> bool {
        self.tokens[i].folded.0 == IN_LOWER || self.word(i).is_ascii()
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

/// Sets one bit in `runs` for each byte of `bytes` a word can hold, and one in `high` for each
/// non-ASCII byte; true when there is none of those. Eight bytes are classified at a time
/// ([`mark8`]); the last chunk is read padded with zeros (no byte of a word).
fn mark_runs(bytes: &[u8], runs: &mut Vec<u64>, high: &mut Vec<u64>) -> bool {
    runs.clear();
    high.clear();
    let mut any_high = 0u64;
    let mut mark = |chunk: &[u8; 64]| {
        let (mut r, mut h) = (0u64, 0u64);
        for (k, eight) in chunk.chunks_exact(8).enumerate() {
            let (r8, h8) = mark8(u64::from_le_bytes(eight.try_into().unwrap_or_default()));
            r |= r8 << (8 * k);
            h |= h8 << (8 * k);
        }
        runs.push(r);
        high.push(h);
        any_high |= h;
    };
    let chunks = bytes.chunks_exact(64);
    let tail = chunks.remainder();
    chunks.for_each(|c| mark(c.try_into().unwrap_or(&[0; 64])));
    if !tail.is_empty() {
        let mut padded = [0u8; 64];
        padded[..tail.len()].copy_from_slice(tail);
        mark(&padded);
    }
    any_high == 0
}

/// For eight bytes (little-endian in `x`), one bit each: those a word can hold (an ASCII letter or
/// digit, or any byte of a non-ASCII character), and the non-ASCII ones. Byte-wide comparisons in
/// one 64-bit word (the additions stay within each byte, its high bit cleared first), then the
/// bytes' top bits gathered into the low byte by one multiplication.
fn mark8(x: u64) -> (u64, u64) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    // At least `lo`, for bytes under 0x80: the top bit of v + 0x80 - lo.
    let at_least = |v: u64, lo: u8| v + ONES * u64::from(0x80 - lo);
    let seven = x & !TOPS;
    let digit = at_least(seven, b'0') & !at_least(seven, b'9' + 1);
    let folded = seven | (ONES * 0x20);
    let letter = at_least(folded, b'a') & !at_least(folded, b'z' + 1);
    let high = x & TOPS;
    let gather = |tops: u64| ((tops & TOPS) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
    (gather(digit | letter | high), gather(high))
}

/// The first bit at or after `from` that is set (`set`) or clear (`!set`); the bits past the
/// end of the text are clear.
fn next_bit(bits: &[u64], from: usize, set: bool) -> Option<usize> {
    let flip = if set { 0 } else { u64::MAX };
    let mut k = from / 64;
    let mut w = (*bits.get(k)? ^ flip) & (u64::MAX << (from % 64));
    while w == 0 {
        k += 1;
        w = *bits.get(k)? ^ flip;
    }
    Some(k * 64 + w.trailing_zeros() as usize)
}

/// Whether any bit in `start..end` (not empty) is set.
fn any_bit(bits: &[u64], start: usize, end: usize) -> bool {
    let (first, last) = (start / 64, (end - 1) / 64);
    if first == last {
        // Most words: one word of bits.
        return bits[first] >> (start % 64) & (u64::MAX >> (63 - (end - 1 - start))) != 0;
    }
    (first..=last).any(|k| {
        let low = if k == first { start % 64 } else { 0 };
        let high = if k == last { (end - 1) % 64 } else { 63 };
        bits[k] & (u64::MAX << low) & (u64::MAX >> (63 - high)) != 0
    })
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

    /// 1 for the bytes a word can hold (ASCII letters and digits, any byte of a non-ASCII character).
    const IN_RUN: [u8; 256] = {
        let mut table = [0u8; 256];
        let mut b = 0;
        while b < 256 {
            if b >= 0x80 || (b as u8).is_ascii_alphanumeric() {
                table[b] = 1;
            }
            b += 1;
        }
        table
    };

    /// Eight bytes classified at once are classified as the table classifies them one by one:
    /// every byte value at every place, and texts whose length is no multiple of 64.
    #[test]
    fn bytes_are_marked_as_the_table_marks_them() {
        for place in 0..8 {
            for b in 0..=255u8 {
                let mut eight = [b'-'; 8];
                eight[place] = b;
                let (runs, high) = mark8(u64::from_le_bytes(eight));
                let expected: u64 = eight
                    .iter()
                    .enumerate()
                    .map(|(j, &c)| u64::from(IN_RUN[c as usize]) << j)
                    .sum();
                assert_eq!(runs, expected, "byte {b:#x} at {place}");
                assert_eq!(high, u64::from(b >> 7) << place, "byte {b:#x} at {place}");
            }
        }
        let text: Vec<u8> = (0..200u32).map(|i| (i * 37 % 256) as u8).collect();
        for len in [0, 1, 63, 64, 65, 130, 200] {
            let (mut runs, mut high) = (Vec::new(), Vec::new());
            let ascii = mark_runs(&text[..len], &mut runs, &mut high);
            assert_eq!(runs.len(), len.div_ceil(64));
            for (i, &c) in text[..len].iter().enumerate() {
                assert_eq!(
                    runs[i / 64] >> (i % 64) & 1,
                    u64::from(IN_RUN[c as usize]),
                    "{len}: byte {i}"
                );
                assert_eq!(
                    high[i / 64] >> (i % 64) & 1,
                    u64::from(c >> 7),
                    "{len}: byte {i}"
                );
            }
            assert_eq!(ascii, text[..len].is_ascii());
        }
    }

    /// `any_bit` and `next_bit` answer as a bit-by-bit look does, for every range of 200 bits.
    #[test]
    fn bits_are_found_as_one_by_one() {
        let bits: Vec<u64> = [0x8000_0000_0000_0001, 0, 0x0000_0100_0000_0000, 0x10].to_vec();
        let bit = |i: usize| bits[i / 64] >> (i % 64) & 1 == 1;
        for start in 0..200 {
            for end in start + 1..=200 {
                assert_eq!(
                    any_bit(&bits, start, end),
                    (start..end).any(bit),
                    "{start}..{end}"
                );
            }
            let (set, clear) = (
                (start..256).find(|&i| bit(i)),
                (start..256).find(|&i| !bit(i)),
            );
            assert_eq!(
                (next_bit(&bits, start, true), next_bit(&bits, start, false)),
                (set, clear),
                "{start}"
            );
        }
    }

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

    /// Each word of `list`: its folded form, span and hash.
    fn listed(list: &TokenList) -> Vec<(String, (usize, usize), u64)> {
        (0..list.len())
            .map(|i| {
                assert_eq!(list.is_ascii_word(i), list.word(i).is_ascii());
                (list.word(i).to_string(), list.span(i), list.hash(i))
            })
            .collect()
    }

    /// Each word of `text` as the character-by-character folding gives it.
    fn folded_one_by_one(text: &str) -> Vec<(String, (usize, usize), u64)> {
        let mut out = Vec::new();
        for_each_token(text, |t| {
            let hash = xxhash_rust::xxh3::xxh3_64(t.folded.as_bytes());
            out.push((t.folded.to_string(), t.span, hash));
        });
        out
    }

    /// Pieces whose mixes cross the 64-byte words of the bitmaps in every way: ASCII words and
    /// separators, accents, a mark after ASCII, a sharp s, ideographs, a fraction, odd spaces.
    const PIECES: &[&str] = &[
        "a",
        "Word",
        "x9",
        "12",
        " ",
        ", ",
        "-",
        "\n",
        "é",
        "É",
        "e\u{0301}",
        "ß",
        "马",
        "⅝",
        "\u{00A0}",
        "’",
        "«",
        "ﬁ",
        "ŒUVRE",
        "İ",
    ];

    proptest::proptest! {
        #[test]
        fn a_token_list_has_the_words_of_the_folding_one_character_at_a_time(
            picks in proptest::collection::vec(0..PIECES.len(), 0..200),
            other in "\\PC{0,80}",
        ) {
            let text: String = picks.iter().map(|&p| PIECES[p]).collect();
            let mut list = TokenList::of(&other);
            proptest::prop_assert_eq!(listed(&list), folded_one_by_one(&other));
            // Refilled, a list holds nothing of the text before.
            list.refill(&text);
            proptest::prop_assert_eq!(listed(&list), folded_one_by_one(&text));
        }
    }

    #[test]
    fn a_word_may_end_on_the_last_bit_of_a_bitmap_word() {
        for n in [63, 64, 65, 127, 128, 129] {
            let text = "b".repeat(n);
            assert_eq!(
                listed(&TokenList::of(&text)),
                folded_one_by_one(&text),
                "{n}"
            );
            let text = format!("{} é", "c".repeat(n));
            assert_eq!(
                listed(&TokenList::of(&text)),
                folded_one_by_one(&text),
                "{n}"
            );
        }
    }
}
