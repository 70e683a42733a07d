//! Bilingual lexicons: words of a source language -> English words, both sides stemmed.
//!
//! The bundled French->English lexicon (`lexicons/fr-en.tsv`) is derived from English Wiktionary by
//! [`derive_from_wiktionary`] (`twinwire lexicon` runs it); other lexicons load from a file in either
//! of two formats: TSV `source<TAB>english` or MUSE/hunalign `english @ source`. Lines starting with
//! `#` are comments.
//!
//! Entries are lemmas; text is inflected. Both sides go through the folding of [`crate::text`] and
//! then a Snowball stemmer (source-language stemmer on the source side, English on the other), so
//! `revendiqué`, `revendiquait` and `revendiquer` all find `claim`, and `claimed` in the English text
//! matches it.
//!
//! Folding and stemming sixty thousand entries takes a twentieth of a second of a core, a cost every
//! run would pay: the bundled lexicon is embedded already compiled (`lexicons/fr-en.bin`, made from
//! the TSV by `twinwire lexicon --compile`; a test checks that the two agree), and loads in a few
//! milliseconds.

use std::collections::HashMap;
use std::path::Path;

use rust_stemmers::{Algorithm, Stemmer};

use crate::fingerprint::{hash_word, KeyMap};
use crate::text::words;

/// A Snowball stemmer for a language code, if there is one.
pub fn stemmer(lang: &str) -> Option<Stemmer> {
    let algorithm = match lang {
        "en" => Algorithm::English,
        "fr" => Algorithm::French,
        "de" => Algorithm::German,
        "es" => Algorithm::Spanish,
        "it" => Algorithm::Italian,
        "pt" => Algorithm::Portuguese,
        "nl" => Algorithm::Dutch,
        _ => return None,
    };
    Some(Stemmer::create(algorithm))
}

/// The 32-bit key of an English stem in the pivot space.
pub fn pivot_key(english_stem: &str) -> u32 {
    xxhash_rust::xxh3::xxh3_64_with_seed(english_stem.as_bytes(), 0x7069_766f) as u32
}

/// A source language -> English lexicon, keyed by folded source words and by their stems.
pub struct Lexicon {
    /// Source language code (`fr`).
    pub source: String,
    /// Where it came from, for messages (`bundled Wiktionary fr-en`, a file path).
    pub origin: String,
    /// Folded headword (by its 64-bit hash) -> English stem keys.
    forms: KeyLists,
    /// Stem of the folded headword (by its 64-bit hash) -> English stem keys.
    stems: KeyLists,
    /// French: a headword's base, without its `er`, `re` or `ir` (by its 64-bit hash) -> the
    /// headword's English stem keys (`er` first, then `re`, then `ir`, when several are headwords).
    infinitives: KeyLists,
    stemmer: Stemmer,
}

/// Word hash -> a short list of keys, all the lists in one array.
#[derive(Default)]
struct KeyLists {
    /// Word hash -> (start, end) of its list in `keys`.
    at: KeyMap<u64, (u32, u32)>,
    keys: Vec<u32>,
}

impl KeyLists {
    /// From each word's list, in the order of the hashes.
    fn from_lists(lists: KeyMap<u64, Vec<u32>>) -> KeyLists {
        let mut lists: Vec<(u64, Vec<u32>)> = lists.into_iter().collect();
        lists.sort_unstable_by_key(|&(hash, _)| hash);
        let mut out = KeyLists::default();
        out.at.reserve(lists.len());
        for (hash, keys) in lists {
            out.push(hash, &keys);
        }
        out
    }

    fn push(&mut self, hash: u64, keys: &[u32]) {
        let start = self.keys.len() as u32;
        self.keys.extend_from_slice(keys);
        self.at.insert(hash, (start, self.keys.len() as u32));
    }

    fn get(&self, hash: u64) -> Option<&[u32]> {
        let &(start, end) = self.at.get(&hash)?;
        self.keys.get(start as usize..end as usize)
    }

    fn len(&self) -> usize {
        self.at.len()
    }

    /// Appends the lists, in the order of the hashes: `count: u32`, then per word
    /// `hash: u64, n: u8, n × key: u32`, little-endian.
    fn write(&self, out: &mut Vec<u8>) {
        let mut hashes: Vec<u64> = self.at.keys().copied().collect();
        hashes.sort_unstable();
        out.extend_from_slice(&(hashes.len() as u32).to_le_bytes());
        for hash in hashes {
            let keys = self.get(hash).unwrap_or_default();
            out.extend_from_slice(&hash.to_le_bytes());
            out.push(keys.len() as u8);
            for k in keys {
                out.extend_from_slice(&k.to_le_bytes());
            }
        }
    }

    /// Reads what [`KeyLists::write`] wrote at the start of `bytes`; returns the rest.
    fn read(bytes: &[u8]) -> Option<(KeyLists, &[u8])> {
        let (count, mut rest) = take_u32(bytes)?;
        let mut out = KeyLists::default();
        out.at.reserve(count as usize);
        for _ in 0..count {
            let (hash, after) = rest.split_first_chunk::<8>()?;
            let (&n, mut after) = after.split_first()?;
            let start = out.keys.len() as u32;
            for _ in 0..n {
                let (k, next) = take_u32(after)?;
                out.keys.push(k);
                after = next;
            }
            out.at
                .insert(u64::from_le_bytes(*hash), (start, out.keys.len() as u32));
            rest = after;
        }
        Some((out, rest))
    }
}

fn take_u32(bytes: &[u8]) -> Option<(u32, &[u8])> {
    let (n, rest) = bytes.split_first_chunk::<4>()?;
    Some((u32::from_le_bytes(*n), rest))
}

/// The first line of a compiled lexicon; the version changes with the format or with what the keys
/// are made of.
const COMPILED_MAGIC: &[u8] = b"twinwire compiled lexicon 2\n";

/// The endings of French infinitives, in the order a guessed infinitive tries them.
const INFINITIVE_ENDINGS: [&str; 3] = ["er", "re", "ir"];

/// French conjugation and agreement endings (folded), longest first: stripping one and adding
/// `er`, `re` or `ir` often gives the infinitive the lexicon lists (`dejouee` -> `dejouer`). Snowball
/// stems of accent-folded French are too erratic to find these alone (`revendique` -> `revend`).
const FRENCH_VERB_ENDINGS: &[&str] = &[
    "eraient", "erions", "eriez", "erait", "erais", "erons", "eront", "aient", "assent", "erez",
    "era", "ions", "iez", "ait", "ais", "ant", "ent", "ons", "ees", "ez", "ee", "es", "ai", "as",
    "a", "e", "is", "it", "ie", "ies", "us", "ue", "ues",
];

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Lexicon({} -> en, {} entries, {})",
            self.source,
            self.forms.len(),
            self.origin
        )
    }
}

/// The most English translations kept for one source stem: a word with twenty senses would match
/// everything.
const MAX_TRANSLATIONS: usize = 6;

impl Lexicon {
    /// Builds a lexicon from (source word, English word) pairs.
    pub fn from_pairs<'a>(
        source: &str,
        origin: &str,
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Option<Lexicon> {
        let source_stemmer = stemmer(source)?;
        let english = stemmer("en").expect("English has a stemmer");
        let mut forms: KeyMap<u64, Vec<u32>> = KeyMap::default();
        let mut stems: KeyMap<u64, Vec<u32>> = KeyMap::default();
        let add = |entry: &mut Vec<u32>, k: u32| {
            if !entry.contains(&k) && entry.len() < MAX_TRANSLATIONS {
                entry.push(k);
            }
        };
        // English words recur across entries, and a headword's lines come together: each is
        // stemmed once.
        let mut english_keys: KeyMap<u64, Option<u32>> = KeyMap::default();
        let mut last: Option<(String, u64, u64)> = None;
        let mut keys: Vec<u32> = Vec::new();
        let mut headwords: Vec<String> = Vec::new();
        for (s, e) in pairs {
            let s = words(s);
            // Single source words only; an English phrase contributes each of its words.
            let [s] = s.as_slice() else { continue };
            keys.clear();
            for w in words(e) {
                let key = *english_keys.entry(hash_word(&w)).or_insert_with(|| {
                    (!crate::crosslingual::stopwords::is_stopword("en", &w))
                        .then(|| pivot_key(&english.stem(&w)))
                });
                keys.extend(key);
            }
            if last.as_ref().is_none_or(|(word, ..)| word != s) {
                headwords.push(s.clone());
                let stem = hash_word(&source_stemmer.stem(s));
                last = Some((s.clone(), hash_word(s), stem));
            }
            let Some((_, form, stem)) = &last else {
                continue;
            };
            for &k in &keys {
                add(forms.entry(*form).or_default(), k);
                add(stems.entry(*stem).or_default(), k);
            }
        }
        let mut infinitives: KeyMap<u64, Vec<u32>> = KeyMap::default();
        if source == "fr" {
            for base in headwords.iter().filter_map(|h| {
                let base = INFINITIVE_ENDINGS.iter().find_map(|e| h.strip_suffix(e))?;
                (base.len() >= 3).then_some(base)
            }) {
                let found = INFINITIVE_ENDINGS
                    .iter()
                    .find_map(|e| forms.get(&hash_word(&format!("{base}{e}"))));
                if let Some(keys) = found {
                    infinitives.insert(hash_word(base), keys.clone());
                }
            }
        }
        Some(Lexicon {
            source: source.to_string(),
            origin: origin.to_string(),
            forms: KeyLists::from_lists(forms),
            stems: KeyLists::from_lists(stems),
            infinitives: KeyLists::from_lists(infinitives),
            stemmer: source_stemmer,
        })
    }

    /// The lexicon compiled: what [`Lexicon::from_compiled`] loads without folding or stemming.
    pub fn compiled(&self) -> Vec<u8> {
        let mut out = COMPILED_MAGIC.to_vec();
        out.push(self.source.len() as u8);
        out.extend_from_slice(self.source.as_bytes());
        self.forms.write(&mut out);
        self.stems.write(&mut out);
        self.infinitives.write(&mut out);
        out
    }

    /// Loads a lexicon that [`Lexicon::compiled`] wrote.
    pub fn from_compiled(origin: &str, bytes: &[u8]) -> Result<Lexicon, String> {
        let bad = || format!("{origin}: not a lexicon compiled by this version of twinwire");
        let rest = bytes.strip_prefix(COMPILED_MAGIC).ok_or_else(bad)?;
        let (&n, rest) = rest.split_first().ok_or_else(bad)?;
        let (source, rest) = rest.split_at_checked(n as usize).ok_or_else(bad)?;
        let source = std::str::from_utf8(source).map_err(|_| bad())?;
        let (forms, rest) = KeyLists::read(rest).ok_or_else(bad)?;
        let (stems, rest) = KeyLists::read(rest).ok_or_else(bad)?;
        let (infinitives, rest) = KeyLists::read(rest).ok_or_else(bad)?;
        if !rest.is_empty() {
            return Err(bad());
        }
        Ok(Lexicon {
            source: source.to_string(),
            origin: origin.to_string(),
            forms,
            stems,
            infinitives,
            stemmer: stemmer(source)
                .ok_or_else(|| format!("{origin}: no stemmer for \"{source}\""))?,
        })
    }

    /// Parses a lexicon file: TSV `source<TAB>english`, or MUSE `english @ source` lines.
    pub fn parse(source: &str, origin: &str, text: &str) -> Result<Lexicon, String> {
        let lines = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'));
        let mut pairs: Vec<(&str, &str)> = Vec::new();
        for (n, line) in lines.enumerate() {
            if let Some((s, e)) = line.split_once('\t') {
                pairs.push((s.trim(), e.trim()));
            } else if let Some((e, s)) = line.split_once(" @ ") {
                pairs.push((s.trim(), e.trim()));
            } else if n < 3 {
                return Err(format!(
                    "{origin}: line \"{line}\" is neither `source<TAB>english` nor `english @ source`"
                ));
            }
        }
        if pairs.is_empty() {
            return Err(format!("{origin}: no entries"));
        }
        Lexicon::from_pairs(source, origin, pairs)
            .ok_or_else(|| format!("no stemmer for language \"{source}\""))
    }

    /// Loads a lexicon file.
    pub fn load(source: &str, path: &Path) -> Result<Lexicon, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read ({e})", path.display()))?;
        Lexicon::parse(source, &path.display().to_string(), &text)
    }

    /// The bundled French -> English lexicon (Wiktionary, CC BY-SA 3.0; see lexicons/README.md),
    /// `lexicons/fr-en.tsv` compiled.
    pub fn bundled_fr_en() -> Lexicon {
        const COMPILED: &[u8] = include_bytes!("../../lexicons/fr-en.bin");
        Lexicon::from_compiled("bundled Wiktionary fr-en", COMPILED)
            .expect("the bundled lexicon loads (a test checks it)")
    }

    /// Number of source headwords.
    pub fn len(&self) -> usize {
        self.forms.len()
    }

    #[cfg(any(test, feature = "internals"))]
    /// True when it has no entry.
    pub fn is_empty(&self) -> bool {
        self.forms.len() == 0
    }

    /// Appends the pivot keys of the English translations of a folded source word to `out`: those of
    /// the word itself and of its stem; failing both, of a guessed infinitive (French).
    pub fn translate_into(&self, folded: &str, out: &mut Vec<u32>) {
        let before = out.len();
        if let Some(k) = self.forms.get(hash_word(folded)) {
            out.extend_from_slice(k);
        }
        if let Some(k) = self.stems.get(hash_word(&self.stemmer.stem(folded))) {
            out.extend_from_slice(k);
        }
        if out.len() > before || self.source != "fr" {
            return;
        }
        for ending in FRENCH_VERB_ENDINGS {
            let Some(base) = folded.strip_suffix(ending) else {
                continue;
            };
            if base.len() < 3 {
                continue;
            }
            if let Some(k) = self.infinitives.get(hash_word(base)) {
                out.extend_from_slice(k);
                return;
            }
        }
    }

    #[cfg(any(test, feature = "internals"))]
    /// The pivot keys of the English translations of a folded source word.
    pub fn translate(&self, folded: &str) -> Vec<u32> {
        let mut out = Vec::new();
        self.translate_into(folded, &mut out);
        out.sort_unstable();
        out.dedup();
        out
    }
}

/// Gloss prefixes that describe a word instead of translating it.
const DESCRIPTIONS: &[&str] = &[
    "used ",
    "a prefix",
    "a suffix",
    "suffix ",
    "prefix ",
    "the letter",
    "the first letter",
    "name of",
    "abbreviation",
    "initialism",
    "acronym",
    "synonym of",
    "see ",
    "obsolete",
    "archaic",
    "misspelling",
    "eye dialect",
    "nonstandard",
    "indicates",
    "denotes",
    "expresses",
    "forms ",
    "third-person",
    "first-person",
    "second-person",
    "past participle",
    "present participle",
    "inflection of",
];

/// Prefixes of glosses that point at another headword: `plural of X` is read as X's translations.
const REFERENCES: &[&str] = &[
    "alternative form of ",
    "alternative spelling of ",
    "feminine form of ",
    "feminine of ",
    "masculine form of ",
    "plural of ",
    "feminine plural of ",
    "masculine plural of ",
    "feminine singular of ",
    "form of ",
];

/// Derives (French, English) pairs from the `headword {pos} [labels] :: gloss; gloss` lines of
/// Matthias Buchmeier's Wiktionary dictionaries; sorted, unique. Multi-word headwords, descriptive
/// glosses and glosses of more than three words are left out; references (`plural of X`) are
/// resolved to X's translations.
pub fn derive_from_wiktionary(text: &str) -> Vec<(String, String)> {
    let mut direct: HashMap<String, Vec<String>> = HashMap::new();
    let mut refers: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some((head, glosses)) = line.split_once(" :: ") else {
            continue;
        };
        let head = head.split(" {").next().unwrap_or("").trim();
        let letters = head.chars().filter(|c| c.is_alphabetic()).count();
        if letters < 2
            || head.starts_with('-')
            || head.ends_with('-')
            || !head
                .chars()
                .all(|c| c.is_alphabetic() || c == '\'' || c == '-')
        {
            continue;
        }
        let glosses = strip_brackets(glosses);
        for gloss in glosses.split([';', ',']) {
            let gloss = gloss.trim().trim_end_matches('.');
            let lower = gloss.to_lowercase();
            if let Some(target) = REFERENCES.iter().find_map(|p| lower.strip_prefix(p)) {
                if !target.contains(' ') {
                    refers.push((head.to_string(), target.to_string()));
                }
                continue;
            }
            if lower.is_empty() || DESCRIPTIONS.iter().any(|p| lower.starts_with(p)) {
                continue;
            }
            let gloss = ["to ", "a ", "an ", "the "]
                .iter()
                .find_map(|p| gloss.strip_prefix(p))
                .unwrap_or(gloss)
                .trim();
            let n = gloss.split_whitespace().count();
            if (1..=3).contains(&n)
                && gloss
                    .chars()
                    .all(|c| c.is_alphabetic() || c == ' ' || c == '-' || c == '\'')
            {
                direct
                    .entry(head.to_string())
                    .or_default()
                    .push(gloss.to_string());
            }
        }
    }
    let mut out: Vec<(String, String)> = Vec::new();
    for (head, target) in refers {
        if let Some(glosses) = direct.get(&target) {
            out.extend(glosses.iter().map(|g| (head.clone(), g.clone())));
        }
    }
    for (head, glosses) in direct {
        out.extend(glosses.into_iter().map(|g| (head.clone(), g)));
    }
    out.sort();
    out.dedup();
    out
}

fn strip_brackets(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut depth = 0i32;
    for c in s.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = (depth - 1).max(0),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# comment
attaque {f} :: attack
attaque {f} [linguistics] :: onset
revendiquer {v} [legal] :: to demand
revendiquer {v} :: to claim, to lay claim to (ownership)
attaques {f} :: plural of attaque
à {prep} :: Used to describe a part of something
armée de l'air {f} [military] :: air force
bilan {m} [specifically, of disaster] :: reports; (death) toll
";

    #[test]
    fn derives_translations_and_resolves_references() {
        let pairs = derive_from_wiktionary(SAMPLE);
        let has = |f: &str, e: &str| pairs.contains(&(f.to_string(), e.to_string()));
        assert!(has("attaque", "attack"));
        assert!(has("attaques", "attack"));
        assert!(has("revendiquer", "claim"));
        assert!(has("revendiquer", "lay claim to"));
        assert!(has("bilan", "toll"));
        assert!(!pairs.iter().any(|(f, _)| f == "à" || f.contains(' ')));
    }

    #[test]
    fn inflected_forms_meet_through_stems() {
        let lex = Lexicon::parse("fr", "test", "revendiquer\tto claim\nattaque\tattack\n").unwrap();
        let english = stemmer("en").unwrap();
        let claim = pivot_key(&english.stem("claimed"));
        for form in ["revendique", "revendiquait", "revendiquer", "revendiquent"] {
            assert!(lex.translate(form).contains(&claim), "{form}");
        }
        assert!(lex
            .translate("attaques")
            .contains(&pivot_key(&english.stem("attacks"))));
        assert!(lex.translate("revendiquee").contains(&claim));
        assert!(lex.translate("inconnu").is_empty());
    }

    #[test]
    fn the_bundled_lexicon_is_its_tsv_compiled() {
        let tsv = include_str!("../../lexicons/fr-en.tsv");
        let fresh = Lexicon::parse("fr", "lexicons/fr-en.tsv", tsv)
            .unwrap()
            .compiled();
        assert!(
            fresh == include_bytes!("../../lexicons/fr-en.bin"),
            "lexicons/fr-en.bin is stale: run `twinwire lexicon --compile lexicons/fr-en.tsv \
             -o lexicons/fr-en.bin`"
        );
        let loaded = Lexicon::bundled_fr_en();
        assert_eq!(loaded.compiled(), fresh);
        assert_eq!(loaded.source, "fr");
    }

    #[test]
    fn a_compiled_lexicon_loads_as_it_was() {
        let lex = Lexicon::parse("fr", "t", "attaque\tattack\nrevendiquer\tto claim\n").unwrap();
        let bytes = lex.compiled();
        let again = Lexicon::from_compiled("t", &bytes).unwrap();
        for w in ["attaque", "attaques", "revendiquait", "inconnu"] {
            assert_eq!(again.translate(w), lex.translate(w), "{w}");
        }
        assert_eq!(again.len(), 2);
        // Cut or lengthened, it is refused, not misread.
        for broken in [
            &bytes[..bytes.len() - 1],
            &[bytes.as_slice(), b"x"].concat(),
            b"x",
        ] {
            assert!(Lexicon::from_compiled("t", broken).is_err());
        }
    }

    #[test]
    fn muse_format_and_errors() {
        let lex = Lexicon::parse("fr", "muse", "attack @ attaque\nairport @ aéroport\n").unwrap();
        assert_eq!(lex.len(), 2);
        assert!(Lexicon::parse("fr", "x", "no separator here\n").is_err());
        assert!(Lexicon::parse("xx", "x", "a\tb\n").is_err());
    }
}
