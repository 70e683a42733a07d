//! Language identification from function words.
//!
//! News text is long enough that the share of each language's most frequent function words decides
//! its language; counting them costs one hash lookup per word on words the tokenizer already made. A
//! text with fewer than [`MIN_EVIDENCE`] function words, or where no language clearly leads, is
//! `None` (unknown) rather than a guess. Accuracy is measured in BENCHMARKS.md.

use std::fmt;
use std::num::NonZeroU8;
use std::ops::Deref;
use std::sync::OnceLock;

use super::tokenize::for_each_token;

/// A language code as the pipeline keeps one per document, held inline: a million documents'
/// codes take no allocation each (every code the pipeline makes is two lowercase letters:
/// [`crate::pipeline::normalize_lang`], [`PROFILES`]; up to seven bytes are held).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct LangCode {
    len: NonZeroU8,
    bytes: [u8; 7],
}

impl LangCode {
    /// The code `code`; `None` when it is empty or longer than seven bytes.
    pub fn new(code: &str) -> Option<LangCode> {
        let len = NonZeroU8::new(u8::try_from(code.len()).ok().filter(|&n| n <= 7)?)?;
        let mut bytes = [0u8; 7];
        bytes[..code.len()].copy_from_slice(code.as_bytes());
        Some(LangCode { len, bytes })
    }

    pub fn as_str(&self) -> &str {
        // Whole UTF-8 text, as `new` was given it.
        std::str::from_utf8(&self.bytes[..usize::from(self.len.get())]).unwrap_or_default()
    }
}

impl Deref for LangCode {
    type Target = str;
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for LangCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for LangCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Function words needed before a language is named.
pub const MIN_EVIDENCE: usize = 5;

/// Different function words needed before a language is named: a table of figures repeating "a"
/// ("a 12.4 pct rise", French "il a") is no French text.
pub const MIN_DISTINCT: usize = 3;

/// The languages told apart, with their most frequent function words (folded: no accents).
/// Words shared by several of them (`a`, `de`, `en`, `la`, `in`, `die`...) count for each.
pub const PROFILES: &[(&str, &[&str])] = &[
    (
        "en",
        &[
            "the", "of", "and", "to", "in", "is", "that", "for", "it", "was", "on", "with", "he",
            "as", "by", "at", "from", "his", "have", "are", "be", "this", "has", "which", "not",
            "but", "they", "were", "been", "their", "said", "would", "will", "an", "or", "had",
            "its", "who", "after",
        ],
    ),
    (
        "fr",
        &[
            "le", "la", "les", "de", "des", "et", "est", "un", "une", "du", "dans", "que", "qui",
            "pour", "pas", "sur", "au", "aux", "il", "elle", "par", "ne", "se", "ce", "plus",
            "avec", "sont", "ont", "mais", "ou", "son", "sa", "ses", "cette", "nous", "vous",
            "leur", "a", "d", "l", "qu", "n", "s", "c", "j",
        ],
    ),
    (
        "de",
        &[
            "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "zu", "den", "von", "mit",
            "sich", "des", "auf", "fur", "im", "dem", "auch", "es", "an", "als", "wird", "bei",
            "sind", "nach", "wie", "aus", "noch", "hat", "oder", "uber", "einen", "einer",
            "werden", "wurde", "sie", "er",
        ],
    ),
    (
        "es",
        &[
            "el", "la", "los", "las", "de", "del", "y", "que", "en", "un", "una", "es", "por",
            "con", "para", "se", "no", "su", "sus", "al", "lo", "como", "mas", "pero", "fue",
            "este", "esta", "ha", "son", "o", "entre", "sobre", "tambien", "hay", "muy", "cuando",
            "desde",
        ],
    ),
    (
        "it",
        &[
            "il", "di", "che", "e", "la", "per", "un", "una", "non", "sono", "del", "della", "nel",
            "alla", "con", "si", "le", "gli", "dei", "delle", "ha", "anche", "come", "piu",
            "questo", "ma", "essere", "lo",
        ],
    ),
    (
        "pt",
        &[
            "o", "os", "as", "de", "do", "da", "dos", "das", "que", "e", "em", "um", "uma", "para",
            "com", "nao", "por", "no", "na", "mais", "se", "foi", "ao", "seu", "sua", "ele", "ela",
            "como", "mas",
        ],
    ),
    (
        "nl",
        &[
            "de", "het", "een", "en", "van", "in", "is", "op", "dat", "te", "zijn", "met", "voor",
            "niet", "aan", "er", "om", "ook", "als", "bij", "door", "maar", "nog", "wordt", "werd",
            "naar", "dan", "uit",
        ],
    ),
];

/// Function word (by the 64-bit hash of its folded form) -> bit set of the profiles it is in: an
/// open-addressed table small enough to stay in cache, looked up once per word of every document.
struct FunctionWords {
    /// (hash, profiles); a zero bit set marks an empty slot.
    slots: Vec<(u64, u8)>,
    /// One bit per value of a hash's top [`FunctionWords::FILTER_BITS`] bits, set for those of
    /// the function words: a word whose bit is clear is none, told by 2 KiB that stay in the
    /// first-level cache (the table's 32 KiB do not, beside a document's words). Most words are
    /// no function word.
    filter: Vec<u64>,
}

impl FunctionWords {
    /// Slots: a power of two, four times the words of all profiles or more.
    const SLOTS: usize = 2048;
    /// The filter's bits: 2^14, about 80 times the function words.
    const FILTER_BITS: u32 = 14;

    fn build() -> FunctionWords {
        let mut t = FunctionWords {
            slots: vec![(0, 0); Self::SLOTS],
            filter: vec![0; (1 << Self::FILTER_BITS) / 64],
        };
        for (i, (_, words)) in PROFILES.iter().enumerate() {
            for w in *words {
                let hash = xxhash_rust::xxh3::xxh3_64(w.as_bytes());
                let mut at = hash as usize & (Self::SLOTS - 1);
                while t.slots[at].1 != 0 && t.slots[at].0 != hash {
                    at = (at + 1) & (Self::SLOTS - 1);
                }
                t.slots[at] = (hash, t.slots[at].1 | 1 << i);
                let bit = Self::filter_bit(hash);
                t.filter[bit / 64] |= 1 << (bit % 64);
            }
        }
        t
    }

    /// A hash's bit in the filter: its top bits (the slots are chosen by the bottom ones).
    fn filter_bit(hash: u64) -> usize {
        (hash >> (64 - Self::FILTER_BITS)) as usize
    }

    /// The word's slot (which tells function words apart) and its profiles (0: not a function
    /// word, and the slot means nothing).
    fn find(&self, hash: u64) -> (usize, u8) {
        let bit = Self::filter_bit(hash);
        if self.filter[bit / 64] >> (bit % 64) & 1 == 0 {
            return (0, 0);
        }
        let mut at = hash as usize & (Self::SLOTS - 1);
        loop {
            let (h, profiles) = self.slots[at];
            if profiles == 0 || h == hash {
                return (at, profiles);
            }
            at = (at + 1) & (Self::SLOTS - 1);
        }
    }
}

fn table() -> &'static FunctionWords {
    static TABLE: OnceLock<FunctionWords> = OnceLock::new();
    TABLE.get_or_init(FunctionWords::build)
}

/// Counts function words of each language in a stream of folded words.
#[derive(Debug, Clone)]
pub struct LanguageCounter {
    counts: [usize; 7],
    /// Different function words seen per language.
    distinct: [usize; 7],
    /// The function words seen, one bit a slot of the table.
    seen: [u64; FunctionWords::SLOTS / 64],
}

impl Default for LanguageCounter {
    fn default() -> LanguageCounter {
        LanguageCounter {
            counts: [0; 7],
            distinct: [0; 7],
            seen: [0; FunctionWords::SLOTS / 64],
        }
    }
}

impl LanguageCounter {
    /// Counts one folded word.
    pub fn add(&mut self, folded: &str) {
        self.add_hash(xxhash_rust::xxh3::xxh3_64(folded.as_bytes()));
    }

    /// Counts one folded word given by its 64-bit hash (see `TokenList::hash`).
    pub fn add_hash(&mut self, hash: u64) {
        let (slot, mask) = table().find(hash);
        self.add_found(slot, mask);
    }

    /// Counts one word found in the table at `slot`, a function word of the profiles in `mask`.
    fn add_found(&mut self, slot: usize, mask: u8) {
        if mask == 0 {
            return;
        }
        let (word, bit) = (slot / 64, 1u64 << (slot % 64));
        let new = self.seen[word] & bit == 0;
        self.seen[word] |= bit;
        // The profiles, one set bit each (a function word is in one or two).
        let mut rest = mask;
        while rest != 0 {
            let l = rest.trailing_zeros() as usize;
            self.counts[l] += 1;
            self.distinct[l] += usize::from(new);
            rest &= rest - 1;
        }
    }

    /// Whether the words counted name a language other than profile `own` (they were counted
    /// without `own`'s function words).
    fn is_foreign_to(&self, own: usize) -> bool {
        (0..PROFILES.len())
            .any(|l| l != own && self.counts[l] >= MIN_EVIDENCE && self.distinct[l] >= MIN_DISTINCT)
    }

    /// The language, if the evidence is enough and one language leads the next by a quarter. English
    /// shares few function words with the others, so a text where English and another language come
    /// within a factor of two of each other mixes them (an English page quoting a French
    /// paragraph): it has no one language, and is never paired as a translation. (Related languages,
    /// French and Spanish, share many function words: for them the quarter decides.)
    pub fn language(&self) -> Option<&'static str> {
        let mut order: Vec<usize> = (0..PROFILES.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(self.counts[i]));
        let (best, second) = (self.counts[order[0]], self.counts[order[1]]);
        let with_english = PROFILES[order[0]].0 == "en" || PROFILES[order[1]].0 == "en";
        let lead = if with_english {
            best >= second * 2
        } else {
            best * 4 >= second * 5
        };
        let varied = self.distinct[order[0]] >= MIN_DISTINCT;
        (best >= MIN_EVIDENCE && varied && lead).then(|| PROFILES[order[0]].0)
    }
}

/// Whether a text in `lang` holds enough function words of another language that are not also
/// `lang`'s ([`MIN_EVIDENCE`] of them, [`MIN_DISTINCT`] different) to hold a passage in that
/// language. One hash lookup a word: the cheap test before looking at sentences one by one.
pub fn has_foreign_function_words(tokens: &super::TokenList, lang: &str) -> bool {
    let Some(own) = PROFILES.iter().position(|(l, _)| *l == lang) else {
        return false;
    };
    let table = table();
    let mut foreign = LanguageCounter::default();
    for hash in tokens.hashes() {
        // Most words are no function word at all: one lookup tells.
        let (slot, mask) = table.find(hash);
        if mask >> own & 1 == 0 {
            foreign.add_found(slot, mask);
        }
    }
    foreign.is_foreign_to(own)
}

/// The function words of a tokenized text, each looked up once in the table: telling the text's
/// language and looking for words of another one ([`has_foreign_function_words`]) both count
/// them, and most of a text's words are looked up for both.
#[derive(Debug, Clone, Default)]
pub struct FunctionWordHits {
    /// (table slot, profiles) of each function word, in the text's order.
    hits: Vec<(u16, u8)>,
    /// How many of `hits` lie within the text's first [`DETECTION_BYTES`].
    detected: usize,
}

impl FunctionWordHits {
    /// Looks every word of `tokens` up.
    pub fn of(tokens: &super::TokenList) -> FunctionWordHits {
        let table = table();
        let (mut hits, mut detected) = (Vec::new(), None);
        for i in 0..tokens.len() {
            if detected.is_none() && tokens.span(i).1 > DETECTION_BYTES {
                detected = Some(hits.len());
            }
            let (slot, mask) = table.find(tokens.hash(i));
            if mask != 0 {
                hits.push((slot as u16, mask));
            }
        }
        let detected = detected.unwrap_or(hits.len());
        FunctionWordHits { hits, detected }
    }

    /// [`detect_language_of`] the same words.
    pub fn language(&self) -> Option<&'static str> {
        let mut counter = LanguageCounter::default();
        for &(slot, mask) in &self.hits[..self.detected] {
            counter.add_found(slot as usize, mask);
        }
        counter.language()
    }

    /// [`has_foreign_function_words`] of the same words.
    pub fn has_foreign(&self, lang: &str) -> bool {
        let Some(own) = PROFILES.iter().position(|(l, _)| *l == lang) else {
            return false;
        };
        let mut foreign = LanguageCounter::default();
        for &(slot, mask) in &self.hits {
            if mask >> own & 1 == 0 {
                foreign.add_found(slot as usize, mask);
            }
        }
        foreign.is_foreign_to(own)
    }
}

/// Whether a folded word is among `lang`'s most frequent function words.
pub fn is_function_word(lang: &str, folded: &str) -> bool {
    PROFILES
        .iter()
        .find(|(l, _)| *l == lang)
        .is_some_and(|(_, words)| words.contains(&folded))
}

/// The language of a tokenized text, from its first words (as many as [`DETECTION_BYTES`] hold).
pub fn detect_language_of(tokens: &super::TokenList) -> Option<&'static str> {
    let mut counter = LanguageCounter::default();
    for i in 0..tokens.len() {
        if tokens.span(i).1 > DETECTION_BYTES {
            break;
        }
        counter.add_hash(tokens.hash(i));
    }
    counter.language()
}

/// Bytes of a text read to tell its language: a few hundred words decide it.
pub const DETECTION_BYTES: usize = 4096;

/// The language of `text` (ISO 639-1 code), from its first [`DETECTION_BYTES`], or `None` when unsure.
pub fn detect_language(text: &str) -> Option<&'static str> {
    let mut end = text.len().min(DETECTION_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut counter = LanguageCounter::default();
    for_each_token(&text[..end], |t| counter.add(t.folded));
    counter.language()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_finds_every_function_word_and_no_other_word() {
        let table = table();
        for (i, (_, words)) in PROFILES.iter().enumerate() {
            for w in *words {
                let (_, mask) = table.find(xxhash_rust::xxh3::xxh3_64(w.as_bytes()));
                assert_ne!(mask >> i & 1, 0, "{w}");
            }
        }
        let is_function_word = |w: &str| PROFILES.iter().any(|(_, words)| words.contains(&w));
        let others =
            crate::text::words(include_str!("../../corpus/bamako/000_037d270298f87007.txt"));
        let mut passed_filter = 0;
        for w in others.iter().filter(|w| !is_function_word(w)) {
            let hash = xxhash_rust::xxh3::xxh3_64(w.as_bytes());
            assert_eq!(table.find(hash).1, 0, "{w}");
            let bit = FunctionWords::filter_bit(hash);
            passed_filter += usize::from(table.filter[bit / 64] >> (bit % 64) & 1 == 1);
        }
        // The filter stops most of them before the table.
        assert!(
            passed_filter * 10 < others.len(),
            "{passed_filter} of {}",
            others.len()
        );
    }

    #[test]
    fn a_language_code_is_held_whole_or_not_at_all() {
        for code in ["fr", "en", "fil", "zh-hant"] {
            let held = LangCode::new(code).expect("seven bytes or fewer");
            assert_eq!(held.as_str(), code);
            assert_eq!(&*held, code);
            assert_eq!(held.to_string(), code);
        }
        assert_ne!(LangCode::new("fr"), LangCode::new("fra"));
        assert_eq!(LangCode::new(""), None);
        assert_eq!(LangCode::new("toolong1"), None);
        // Every code the pipeline makes fits.
        for (code, _) in PROFILES {
            assert_eq!(
                LangCode::new(code).map(|c| c.to_string()).as_deref(),
                Some(*code)
            );
        }
        assert_eq!(std::mem::size_of::<Option<LangCode>>(), 8);
    }

    #[test]
    fn tells_news_languages_apart() {
        assert_eq!(
            detect_language("Les jihadistes affiliés à Al-Qaïda ont revendiqué mardi une double attaque contre l'aéroport militaire et un camp de gendarmerie à Bamako."),
            Some("fr")
        );
        assert_eq!(
            detect_language("Al-Qaeda-affiliated jihadists claimed responsibility for a double attack on the military airport and a gendarmerie camp in Bamako on Tuesday."),
            Some("en")
        );
        assert_eq!(
            detect_language("Der Präsident ist nicht in Berlin, und die Regierung hat sich mit den Ländern auf eine Reform geeinigt."),
            Some("de")
        );
        assert_eq!(
            detect_language("El presidente de la república dijo que los ministros se reunirán con las autoridades para una nueva ley."),
            Some("es")
        );
    }

    #[test]
    fn a_table_of_figures_is_no_language() {
        let table = "Year to end-March\n Shr 20.9p, a 22.3 pct rise\n Div 5.1p making 8.45p vs \
                     7.5p\n Turnover 9.42 billion, a 12.4 pct increase\n Operating profit 2.35 \
                     billion, a 10.9 pct increase\n Pretax profit 2.07 billion, a 11.7 pct rise\n \
                     Turnover 2.42 billion, a 8.4 pct rise\n Operating profit 629.0 mln, a 12.1 \
                     pct increase\n Pretax profit 555.0 mln, a 11.7 pct rise.";
        assert_eq!(detect_language(table), None);
    }

    #[test]
    fn english_mixed_with_french_is_no_one_language() {
        let english = "The army said that the attack on the airport had been foiled and that the \
                       situation was under control, but witnesses in the city said that they had \
                       heard shots for most of the morning.";
        let french = "Les jihadistes affiliés à Al-Qaïda ont revendiqué mardi une double attaque \
                      contre l'aéroport militaire et un camp de gendarmerie à Bamako, selon un \
                      communiqué de leur agence de propagande.";
        assert_eq!(detect_language(english), Some("en"));
        assert_eq!(detect_language(&format!("{english} {french}")), None);
        // A French article quoting one short English phrase is still French.
        let quoted = format!("{french} {french} Il a déclaré: \"under control\".");
        assert_eq!(detect_language(&quoted), Some("fr"));
    }

    #[test]
    fn too_little_evidence_is_unknown() {
        assert_eq!(detect_language("Bamako Goïta JNIM 2024"), None);
        assert_eq!(detect_language(""), None);
    }

    #[test]
    fn function_words_looked_up_once_tell_what_two_lookups_tell() {
        let fr = include_str!("../../corpus/bamako/002_cebe9f5fd735330a.txt");
        let en = include_str!("../../corpus/bamako/000_037d270298f87007.txt");
        let texts = [
            fr.to_string(),
            en.to_string(),
            // An English page quoting a French paragraph, a short text, none.
            format!("{en}\n\n{fr}"),
            "The army said it was in control.".to_string(),
            String::new(),
            // Past the bytes that tell the language: French first, English after.
            format!("{}{}", fr.repeat(4096 / fr.len() + 1), en.repeat(3)),
        ];
        for text in &texts {
            let tokens = crate::text::TokenList::of(text);
            let hits = FunctionWordHits::of(&tokens);
            assert_eq!(
                hits.language(),
                detect_language_of(&tokens),
                "{}",
                text.chars().take(40).collect::<String>()
            );
            for lang in PROFILES.iter().map(|(l, _)| *l).chain(["xx"]) {
                assert_eq!(
                    hits.has_foreign(lang),
                    has_foreign_function_words(&tokens, lang),
                    "{lang}"
                );
            }
        }
    }
}
