//! Pivot representation: a document as a list of sentences, each a set of English stem keys.
//!
//! English words are stemmed; words of another language are looked up in its lexicon and stand for
//! all their English translations, and also for themselves stemmed as English (names and cognates
//! spelled alike: `Bamako`, `gendarmerie`, `jihadistes` ~ `jihadists`). Function words are left out.
//! Numbers are written one way in every language: `2 000` (French), `2,000` (English) and `2000` are
//! `#2000`; `3,5` and `3.5` are `#3.5`; `5H00`, `5:00 a.m.` and `5 a.m.` are `#5:00`, `17h30` and
//! `5:30 p.m.` are `#17:30`; `1er` and `1st` are `#1`.

use rust_stemmers::Stemmer;

use super::lexicon::{pivot_key, stemmer, Lexicon};
use super::stopwords::is_stopword;
use crate::fingerprint::{sort_hash_values, KeyMap};
use crate::text::{has_foreign_function_words, sentence_spans, LanguageCounter, TokenList};

/// One sentence in pivot space; its keys are a range of its document's key array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PivotSentence {
    /// Byte range in the original text.
    pub span: (u32, u32),
    /// Its keys: `PivotDoc::keys[keys.0..keys.1]`, sorted and unique.
    keys: (u32, u32),
    /// Content words (and numbers) in the sentence.
    pub tokens: u16,
    /// Length in characters, for the length prior of the alignment.
    pub chars: u32,
    /// Hash of the sentence's folded words (0 without words): equal for a sentence copied as is.
    pub text_hash: u64,
}

/// A document in pivot space: its sentences and, in one array, their English stem keys (and number
/// keys). One array per document, not one per sentence: a million documents hold ten million
/// sentences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PivotDoc {
    pub lang: String,
    pub sentences: Vec<PivotSentence>,
    keys: Vec<u32>,
}

impl PivotDoc {
    #[cfg(any(test, feature = "internals"))]
    /// Builds a document from sentences given as (span, keys, content words, characters).
    pub fn from_sentences(
        lang: &str,
        sentences: impl IntoIterator<Item = ((u32, u32), Vec<u32>, u16, u32)>,
    ) -> PivotDoc {
        let mut doc = PivotDoc {
            lang: lang.to_string(),
            sentences: Vec::new(),
            keys: Vec::new(),
        };
        for (span, keys, tokens, chars) in sentences {
            let start = doc.keys.len();
            doc.keys.extend_from_slice(&keys);
            sort_unique_tail(&mut doc.keys, start);
            doc.sentences.push(PivotSentence {
                span,
                keys: (start as u32, doc.keys.len() as u32),
                tokens,
                chars,
                text_hash: 0,
            });
        }
        doc
    }

    /// The keys of sentence `i`, sorted and unique.
    pub fn sentence_keys(&self, i: usize) -> &[u32] {
        let (a, b) = self.sentences[i].keys;
        &self.keys[a as usize..b as usize]
    }

    /// The document with the sentences whose folded text is in `copied` left without content (no
    /// keys, no content words), so that alignment and coverage pass over them; sentence numbers
    /// are kept.
    pub fn masking(&self, copied: &std::collections::HashSet<u64>) -> PivotDoc {
        let mut doc = self.clone();
        for s in &mut doc.sentences {
            if s.text_hash != 0 && copied.contains(&s.text_hash) {
                s.keys = (s.keys.0, s.keys.0);
                s.tokens = 0;
            }
        }
        doc
    }

    /// Sentences with at least one content word: the ones coverage counts.
    pub fn content_sentences(&self) -> usize {
        self.sentences.iter().filter(|s| s.tokens > 0).count()
    }
}

/// Turns texts into pivot documents, for English and every language with a lexicon.
pub struct Pivoter {
    /// Distinguishes pivoters in the per-thread word cache.
    id: u64,
    english: Stemmer,
    lexicons: Vec<Lexicon>,
}

impl Pivoter {
    /// A pivoter for English plus the languages of `lexicons`.
    pub fn new(lexicons: Vec<Lexicon>) -> Pivoter {
        Pivoter {
            id: NEXT_PIVOTER_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            english: stemmer("en").expect("English has a stemmer"),
            lexicons,
        }
    }

    /// Its lexicons, given back.
    pub fn into_lexicons(self) -> Vec<Lexicon> {
        self.lexicons
    }

    /// Whether `lang` can be put in pivot space.
    pub fn supports(&self, lang: &str) -> bool {
        lang == "en" || self.lexicons.iter().any(|l| l.source == lang)
    }

    /// The languages supported, English first.
    pub fn languages(&self) -> Vec<&str> {
        std::iter::once("en")
            .chain(self.lexicons.iter().map(|l| l.source.as_str()))
            .collect()
    }

    /// The pivot document of `text` in `lang`, or `None` if the language is not supported.
    pub fn pivot(&self, text: &str, lang: &str) -> Option<PivotDoc> {
        self.pivot_tokens(text, &TokenList::of(text), lang)
    }

    /// The pivot document of `text`, already tokenized as `tokens`.
    pub fn pivot_tokens(&self, text: &str, tokens: &TokenList, lang: &str) -> Option<PivotDoc> {
        let lexicon = match lang {
            "en" => None,
            _ => Some(self.lexicons.iter().find(|l| l.source == lang)?),
        };
        let seed = self.id.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ lang_seed(lang);
        let mut doc = PivotDoc {
            lang: lang.to_string(),
            sentences: Vec::new(),
            keys: Vec::with_capacity(tokens.len() * 2),
        };
        let mut number = String::new();
        WORD_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            let mut t = 0;
            for (start, end) in sentence_spans(text) {
                // The words of this sentence: those whose span starts inside it.
                while t < tokens.len() && tokens.span(t).0 < start {
                    t += 1;
                }
                let first = t;
                while t < tokens.len() && tokens.span(t).0 < end {
                    t += 1;
                }
                let text_hash = (first..t).fold(0u64, |h, w| {
                    (h ^ tokens.hash(w))
                        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
                        .rotate_left(29)
                });
                let from = doc.keys.len();
                let mut content = 0usize;
                let mut i = first;
                while i < t {
                    if let Some(used) = read_number(text, tokens, i, t, lang, &mut number) {
                        doc.keys.push(pivot_key(&number));
                        content += 1;
                        i += used;
                        continue;
                    }
                    let word = (tokens.word(i), tokens.hash(i) ^ seed);
                    if cache.word_keys(self, lang, word, lexicon, &mut doc.keys) {
                        content += 1;
                    }
                    i += 1;
                }
                sort_unique_tail(&mut doc.keys, from);
                doc.sentences.push(PivotSentence {
                    span: (start as u32, end as u32),
                    keys: (from as u32, doc.keys.len() as u32),
                    tokens: content.min(u16::MAX as usize) as u16,
                    chars: text[start..end].chars().count() as u32,
                    text_hash,
                });
            }
        });
        Some(doc)
    }
}

/// Sorts `keys[from..]` and removes its repeats.
fn sort_unique_tail(keys: &mut Vec<u32>, from: usize) {
    keys[from..].sort_unstable();
    let mut kept = from;
    for i in from..keys.len() {
        if kept == from || keys[i] != keys[kept - 1] {
            keys[kept] = keys[i];
            kept += 1;
        }
    }
    keys.truncate(kept);
}

/// A document's candidate keys, sorted and unique: what the translation candidate index is built
/// from, cheap enough for every document of a large dump (no sentences, stems or lexicon).
///
/// Translations share what is written alike in both languages: numbers (in the one notation of
/// the pivot: `2 000` and `2,000` meet), names (`Goïta` and `Goita` fold alike) and cognates, which
/// mostly share their first letters (`terroristes`/`terrorists`, `gouvernement`/`government`). So
/// the keys are the numbers and, for every capitalised word and every word of eight letters or more,
/// its first six letters. Common keys (`The`, `govern`) are left to the document-frequency cut of
/// the index.
///
/// Only sentences in the document's own language give keys: an English page quoting a French
/// paragraph would otherwise share that paragraph's names and cognates with every French report
/// quoting it, and crowd the candidate lists of true translations (measured in BENCHMARKS.md,
/// section 10). A sentence is left out when its function words name another language.
pub fn candidate_keys(text: &str, tokens: &TokenList, lang: &str) -> Vec<u32> {
    candidate_keys_knowing(text, tokens, lang, has_foreign_function_words(tokens, lang))
}

/// [`candidate_keys`], told whether the text has function words of another language than `lang`
/// (`has_foreign`, as [`has_foreign_function_words`] tells it).
pub(crate) fn candidate_keys_knowing(
    text: &str,
    tokens: &TokenList,
    lang: &str,
    has_foreign: bool,
) -> Vec<u32> {
    const PREFIX: usize = 6;
    // Shorter lowercase words are mostly common words, and cost memory in a large dump: with 4,
    // 6, 8, 10 and none, 8 found as many translations as any (BENCHMARKS.md section 8).
    const COGNATE_MIN_CHARS: usize = 8;
    let bytes = text.as_bytes();
    let mut number = String::new();
    let foreign = if has_foreign {
        foreign_sentences(text, tokens, lang)
    } else {
        Vec::new()
    };
    let mut next_foreign = 0;
    KEY_SCRATCH.with(|scratch| {
        let (keys, spare) = &mut *scratch.borrow_mut();
        keys.clear();
        let mut i = 0;
        while i < tokens.len() {
            // Skip the words of sentences in another language.
            let at = tokens.span(i).0;
            while next_foreign < foreign.len() && foreign[next_foreign].1 <= at {
                next_foreign += 1;
            }
            if foreign
                .get(next_foreign)
                .is_some_and(|&(start, end)| (start..end).contains(&at))
            {
                i += 1;
                continue;
            }
            let word = tokens.word(i);
            if word.as_bytes()[0].is_ascii_digit() {
                if let Some(used) = read_number(text, tokens, i, tokens.len(), lang, &mut number) {
                    keys.push(pivot_key(&number));
                    i += used;
                    continue;
                }
            }
            // Folded words are mostly ASCII: characters are counted only for the others.
            let ascii = tokens.is_ascii_word(i);
            let long = word.len() >= COGNATE_MIN_CHARS
                && (ascii || word.chars().nth(COGNATE_MIN_CHARS - 1).is_some());
            let capitalised = || {
                let start = tokens.span(i).0;
                match bytes[start] {
                    b if b.is_ascii() => b.is_ascii_uppercase(),
                    _ => text[start..].chars().next().is_some_and(char::is_uppercase),
                }
            };
            if long || capitalised() {
                let end = if ascii || word.len() <= PREFIX || word.as_bytes()[..PREFIX].is_ascii() {
                    word.len().min(PREFIX)
                } else {
                    word.char_indices()
                        .nth(PREFIX)
                        .map_or(word.len(), |(at, _)| at)
                };
                keys.push(
                    xxhash_rust::xxh3::xxh3_64_with_seed(&word.as_bytes()[..end], 0x636f_676e)
                        as u32,
                );
            }
            i += 1;
        }
        sort_hash_values(keys, spare);
        keys.dedup();
        keys.to_vec()
    })
}

/// The byte spans of the sentences of `text` whose function words name a language other than
/// `lang`, in order. A sentence with too few function words to tell is not foreign.
fn foreign_sentences(text: &str, tokens: &TokenList, lang: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut t = 0;
    for (start, end) in sentence_spans(text) {
        while t < tokens.len() && tokens.span(t).0 < start {
            t += 1;
        }
        let mut counter = LanguageCounter::default();
        while t < tokens.len() && tokens.span(t).0 < end {
            counter.add_hash(tokens.hash(t));
            t += 1;
        }
        if counter.language().is_some_and(|l| l != lang) {
            out.push((start, end));
        }
    }
    out
}

thread_local! {
    /// The candidate keys of the document a thread is on, before they are sorted, and working
    /// memory to sort them.
    static KEY_SCRATCH: std::cell::RefCell<(Vec<u32>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
}

/// Words whose pivot keys each thread remembers before it starts afresh: news vocabulary is
/// small and repeats, so a word's stopword test, stem and lexicon lookups are mostly done once.
const WORD_CACHE_LIMIT: usize = 1 << 17;

/// What a thread remembers of the words it has put in pivot space.
#[derive(Default)]
struct WordCache {
    /// (pivoter, language, word hash) -> the word's keys, `keys[start..start + len]`; `start` is
    /// `u32::MAX` for a function word.
    found: KeyMap<u64, (u32, u32)>,
    keys: Vec<u32>,
}

thread_local! {
    static WORD_CACHE: std::cell::RefCell<WordCache> = std::cell::RefCell::new(WordCache::default());
}

static NEXT_PIVOTER_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

impl WordCache {
    /// Appends the pivot keys of one word (its English stem and its translations) and returns true,
    /// or returns false for a function word. `word` is the folded word and its hash mixed with the
    /// pivoter's and the language's seed. Pure: the cache only remembers answers.
    fn word_keys(
        &mut self,
        pivoter: &Pivoter,
        lang: &str,
        (word, key): (&str, u64),
        lexicon: Option<&Lexicon>,
        out: &mut Vec<u32>,
    ) -> bool {
        if let Some(&(start, len)) = self.found.get(&key) {
            if start == u32::MAX {
                return false;
            }
            out.extend_from_slice(&self.keys[start as usize..(start + len) as usize]);
            return true;
        }
        if self.found.len() >= WORD_CACHE_LIMIT {
            self.found.clear();
            self.keys.clear();
        }
        if is_stopword(lang, word) {
            self.found.insert(key, (u32::MAX, 0));
            return false;
        }
        let start = self.keys.len();
        self.keys.push(pivot_key(&pivoter.english.stem(word)));
        if let Some(lex) = lexicon {
            lex.translate_into(word, &mut self.keys);
        }
        out.extend_from_slice(&self.keys[start..]);
        let len = self.keys.len() - start;
        self.found.insert(key, (start as u32, len as u32));
        true
    }
}

fn lang_seed(lang: &str) -> u64 {
    lang.bytes().fold(0u64, |h, b| (h << 8) | u64::from(b)) << 32
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn trim_zeros(s: &str) -> &str {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0"
    } else {
        t
    }
}

/// Reads a number starting at word `at` (of the words before `end`, spans in `text`): writes `#`
/// and its one notation into `out` and returns how many words it used, or `None` if that word does
/// not start one.
fn read_number(
    text: &str,
    words: &TokenList,
    at: usize,
    end: usize,
    lang: &str,
    out: &mut String,
) -> Option<usize> {
    use std::fmt::Write;
    let first = words.word(at);
    if !first.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    out.clear();
    out.push('#');
    let n = end - at;
    let word = |k: usize| words.word(at + k);
    let get = |k: usize| (at + k < end).then(|| words.word(at + k));
    // What stands between two words; nothing when both come from one character (`½`).
    let gap = |k: usize| {
        let (stop, next) = (words.span(at + k - 1).1, words.span(at + k).0);
        text.get(stop..next).unwrap_or("")
    };
    let is_pm = |k: usize| -> Option<(bool, usize)> {
        match (get(k), get(k + 1)) {
            (Some("a"), Some("m")) => Some((false, 2)),
            (Some("p"), Some("m")) => Some((true, 2)),
            (Some("am"), _) => Some((false, 1)),
            (Some("pm"), _) => Some((true, 1)),
            _ => None,
        }
    };
    let time = |out: &mut String, h: u32, m: &str, pm: bool| {
        let h = if pm && h < 12 { h + 12 } else { h };
        let _ = write!(out, "{h}:{m}");
    };
    // 5h00, 17h30, 5h
    if let Some((h, m)) = first.split_once('h') {
        if all_digits(h) && h.len() <= 2 && (m.is_empty() || (all_digits(m) && m.len() == 2)) {
            let h: u32 = h.parse().ok()?;
            if h < 24 {
                time(out, h, if m.is_empty() { "00" } else { m }, false);
                return Some(1);
            }
        }
    }
    // 1er, 1re, 2e, 3eme, 1st, 2nd, 3rd, 4th
    for suffix in ["er", "re", "eme", "e", "st", "nd", "rd", "th"] {
        if let Some(num) = first.strip_suffix(suffix) {
            if all_digits(num) && num.len() <= 4 {
                out.push_str(trim_zeros(num));
                return Some(1);
            }
        }
    }
    if !all_digits(first) {
        return None;
    }
    // 5:00 (a.m. / p.m.), 5 a.m.
    if n > 1 && gap(1) == ":" && all_digits(word(1)) && word(1).len() == 2 && first.len() <= 2 {
        let h: u32 = first.parse().ok()?;
        let (pm, extra) = is_pm(2).unwrap_or((false, 0));
        time(out, h, word(1), pm);
        return Some(2 + extra);
    }
    if first.len() <= 2 {
        if let Some((pm, extra)) = is_pm(1) {
            let h: u32 = first.parse().ok()?;
            if (1..=12).contains(&h) {
                time(out, h, "00", pm);
                return Some(1 + extra);
            }
        }
    }
    let (thousands, decimal): (&[&str], &str) = if lang == "en" {
        (&[",", "\u{00A0}", "\u{202F}"], ".")
    } else {
        (&[" ", "\u{00A0}", "\u{202F}", "."], ",")
    };
    out.push_str(trim_zeros(first));
    let mut used = 1;
    // Thousands groups: 2 000, 2,000, 1.234.567
    while used < n
        && first.len() <= 3
        && thousands.contains(&gap(used))
        && all_digits(word(used))
        && word(used).len() == 3
    {
        out.push_str(word(used));
        used += 1;
    }
    // Decimals: 3,5 / 3.5
    if used < n && gap(used) == decimal && all_digits(word(used)) {
        out.push('.');
        out.push_str(word(used));
        used += 1;
    }
    Some(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str, lang: &str) -> Vec<String> {
        let words = TokenList::of(text);
        let mut out = Vec::new();
        let mut number = String::new();
        let mut i = 0;
        while i < words.len() {
            match read_number(text, &words, i, words.len(), lang, &mut number) {
                Some(used) => {
                    out.push(number[1..].to_string());
                    i += used;
                }
                None => i += 1,
            }
        }
        out
    }

    #[test]
    fn numbers_in_both_notations_meet() {
        assert_eq!(
            numbers("vers 5H00, 2 000 morts, 3,5 %, le 1er mai, à 17h30", "fr"),
            ["5:00", "2000", "3.5", "1", "17:30"]
        );
        assert_eq!(
            numbers(
                "around 5:00 a.m., 2,000 dead, 3.5 pct, on May 1st, at 5:30 p.m.",
                "en"
            ),
            ["5:00", "2000", "3.5", "1", "17:30"]
        );
        assert_eq!(numbers("at 5 a.m. and 11 pm", "en"), ["5:00", "23:00"]);
        assert_eq!(numbers("1.234.567 habitants", "fr"), ["1234567"]);
        // Two words from one character: their spans overlap.
        assert_eq!(numbers("½ heure, ⅝ mile", "fr"), ["1", "2", "5", "8"]);
    }

    #[test]
    fn a_sentence_and_its_translation_share_most_keys() {
        let p = Pivoter::new(vec![Lexicon::bundled_fr_en()]);
        let fr = p.pivot("L'armée a assuré que l'attaque avait été déjouée et que la situation était sous contrôle.", "fr").unwrap();
        let en = p.pivot("The army assured that the attack had been foiled and that the situation was under control.", "en").unwrap();
        let (f, e) = (fr.sentence_keys(0), en.sentence_keys(0));
        let e_tokens = en.sentences[0].tokens;
        let shared = f.iter().filter(|k| e.binary_search(k).is_ok()).count();
        assert!(
            shared * 10 >= e_tokens as usize * 6,
            "{shared} of {e_tokens} English words matched"
        );
        let other = p
            .pivot(
                "Prices of cocoa rose sharply in Bahia this week, traders said.",
                "en",
            )
            .unwrap();
        let shared = f
            .iter()
            .filter(|k| other.sentence_keys(0).binary_search(k).is_ok())
            .count();
        assert!(shared <= 1, "{shared}");
    }

    #[test]
    fn unsupported_languages_have_no_pivot() {
        let p = Pivoter::new(vec![]);
        assert!(p.pivot("Der Präsident", "de").is_none());
        assert!(p.supports("en") && !p.supports("fr"));
    }
}
