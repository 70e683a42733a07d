//! Fingerprint stage: the per-document features every later stage works on, computed once.
//!
//! A document's folded words become word k-shingles hashed to 64 bits. From those come:
//! - an exact-text hash (identical after normalization <=> same hash, up to 128-bit collisions),
//! - the shingle set (sorted, unique, 32-bit) that exact scoring intersects,
//! - a SimHash (reported as evidence: Hamming distance between two documents),
//! - MinHash band keys for the near-duplicate LSH tables,
//! - anchors (a content-defined sample of the shingle set) for the containment index.
//!
//! The text itself is not kept here: a million-article corpus keeps only these features in memory.

mod minhash;
mod shingle;
mod simhash;
mod spill;
mod store;

pub use minhash::{band_keys, MinHashParams};
pub(crate) use shingle::sort_hash_values;
pub use shingle::{shingle_hashes, shingle_hashes_into, SetScratch, ShingleSet, Shingles};
pub use simhash::SimHash64;
pub(crate) use store::Sets;
pub use store::{FingerprintRef, Fingerprints, Spill};

use crate::config::Config;
use crate::text::TokenList;

/// Everything the matcher knows about one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// Number of words after folding.
    pub words: u32,
    /// Hash of the whole folded word sequence; 0 for an empty document.
    pub exact: u128,
    /// Word k-shingles, sorted and unique.
    pub shingles: ShingleSet,
    /// SimHash over the shingles.
    pub simhash: SimHash64,
    /// One key per LSH band of the MinHash sketch (empty for an empty document).
    pub bands: Vec<u32>,
}

impl Fingerprint {
    /// Computes the fingerprint of one document's text.
    pub fn of_text(text: &str, config: &Config) -> Fingerprint {
        with_words_of(text, |words, scratch| {
            Fingerprint::build(words, config, scratch)
        })
    }

    /// How many MinHash bands have the same key in both: what decides whether the candidate
    /// tables propose the pair.
    pub fn bands_shared_with(&self, other: &Fingerprint) -> usize {
        let same = self.bands.iter().zip(&other.bands);
        same.filter(|(x, y)| x == y).count()
    }

    /// The exact hash and shingle set of one document's text, as [`Fingerprint::of_text`] makes
    /// them, without its SimHash and band keys (most of its work): what reading an indexed
    /// document's whole set again needs.
    pub fn set_of_text(text: &str, config: &Config) -> (u128, ShingleSet) {
        with_words_of(text, |words, scratch| {
            if words.is_empty() {
                return (0, ShingleSet::default());
            }
            shingle_hashes_into(words, config.shingle_size, &mut scratch.shingles);
            let set = ShingleSet::from_hashes_with(&scratch.shingles, &mut scratch.set);
            (exact_hash(words), set)
        })
    }

    /// Computes the fingerprint of an already tokenized document.
    pub fn of_tokens(tokens: &TokenList, config: &Config) -> Fingerprint {
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let mut words = std::mem::take(&mut scratch.words);
            words.clear();
            words.extend(tokens.hashes());
            let f = Fingerprint::build(&words, config, &mut scratch);
            scratch.words = words;
            f
        })
    }

    fn build(word_hashes: &[u64], config: &Config, scratch: &mut Scratch) -> Fingerprint {
        if word_hashes.is_empty() {
            return Fingerprint {
                words: 0,
                exact: 0,
                shingles: ShingleSet::default(),
                simhash: SimHash64(0),
                bands: Vec::new(),
            };
        }
        shingle_hashes_into(word_hashes, config.shingle_size, &mut scratch.shingles);
        let shingles64 = &scratch.shingles;
        Fingerprint {
            words: u32::try_from(word_hashes.len()).unwrap_or(u32::MAX),
            exact: exact_hash(word_hashes),
            simhash: SimHash64::from_feature_hashes(shingles64.iter().copied()),
            bands: band_keys(shingles64, &config.minhash),
            shingles: ShingleSet::from_hashes_with(shingles64, &mut scratch.set),
        }
    }

    /// True when the document has no words: it is kept and counted, never matched.
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }
}

/// The exact-text hash of a tokenized document, as its fingerprint has it (0 when it has no words).
pub fn exact_hash_of(tokens: &TokenList) -> u128 {
    let hashes: Vec<u64> = tokens.hashes().collect();
    if hashes.is_empty() {
        return 0;
    }
    exact_hash(&hashes)
}

/// Per-thread working memory of fingerprinting. Only a fingerprint's own parts are allocated per
/// document, at their exact size: temporaries freed between long-lived allocations leave holes in
/// the heap (on 300k generated articles, resident memory after reading went from 539 to 511 MB).
#[derive(Default)]
struct Scratch {
    /// The words of the text fingerprinted from its text.
    tokens: TokenList,
    words: Vec<u64>,
    shingles: Vec<u64>,
    set: SetScratch,
}

/// Calls `f` with the hashes of the words of `text` and the rest of the thread's working memory.
fn with_words_of<T>(text: &str, f: impl FnOnce(&[u64], &mut Scratch) -> T) -> T {
    SCRATCH.with(|scratch| {
        let scratch = &mut *scratch.borrow_mut();
        let mut words = std::mem::take(&mut scratch.words);
        scratch.tokens.refill(text);
        words.clear();
        words.extend(scratch.tokens.hashes());
        let made = f(&words, scratch);
        scratch.words = words;
        made
    })
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// A `Hasher` for keys that are hash values already (word hashes, shingles, pivot keys): one
/// multiplication spreads them over a table, no SipHash needed.
#[derive(Debug, Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = u64::from(n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A `HashMap` keyed by hash values.
pub type KeyMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// A set of hash values kept as one bit each (a Bloom filter with a single hash): a value
/// inserted always passes, a value never inserted passes when it shares another's bit. Put in
/// front of a table that most lookups miss, it answers those misses without a probe.
#[derive(Debug, Clone)]
pub struct BitFilter {
    bits: Vec<u64>,
    log2_bits: u32,
}

impl BitFilter {
    /// An empty filter of `2^log2_bits` bits (at least 64).
    pub fn new(log2_bits: u32) -> BitFilter {
        let log2_bits = log2_bits.clamp(6, 40);
        BitFilter {
            bits: vec![0; 1 << (log2_bits - 6)],
            log2_bits,
        }
    }

    /// Sets the bit of `v`.
    pub fn insert(&mut self, v: u64) {
        let b = self.bit(v);
        self.bits[b >> 6] |= 1 << (b & 63);
    }

    /// Whether `v` may have been inserted (false: it never was).
    pub fn may_hold(&self, v: u64) -> bool {
        let b = self.bit(v);
        self.bits[b >> 6] & (1 << (b & 63)) != 0
    }

    fn bit(&self, v: u64) -> usize {
        (v.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - self.log2_bits)) as usize
    }
}

/// Keys with a value, and a bit per key in front of the table: most keys looked up are absent,
/// and their bit says so without a table probe.
pub struct FilteredKeys {
    filter: BitFilter,
    table: KeyMap<u32, u32>,
}

impl FilteredKeys {
    /// The table of `entries` (key, value), behind a filter of at least 4 million bits (512 kB)
    /// and 16 bits per key.
    pub fn new(entries: impl IntoIterator<Item = (u32, u32)>) -> FilteredKeys {
        let table: KeyMap<u32, u32> = entries.into_iter().collect();
        let bits = (table.len() * 16)
            .next_power_of_two()
            .trailing_zeros()
            .max(22);
        let mut filter = BitFilter::new(bits);
        for &k in table.keys() {
            filter.insert(u64::from(k));
        }
        FilteredKeys { filter, table }
    }

    /// The value of key `k`.
    pub fn get(&self, k: u32) -> Option<u32> {
        if !self.filter.may_hold(u64::from(k)) {
            return None;
        }
        self.table.get(&k).copied()
    }

    /// Whether key `k` is there.
    pub fn contains(&self, k: u32) -> bool {
        self.get(k).is_some()
    }
}

/// How many times each document was hit during one search, and which documents were: a count per
/// document, kept per thread and set back to zero as it is read, so that a search costs its hits,
/// never a sort of them or a pass over every document.
#[derive(Debug, Default)]
pub struct HitCounts {
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl HitCounts {
    /// Makes room for documents `0..n`.
    pub fn prepare(&mut self, n: usize) {
        if self.counts.len() < n {
            self.counts.resize(n, 0);
        }
    }

    /// Counts `w` (a weighted hit) for each of `docs`, which are distinct documents (`doc` tells
    /// which): a whole posting list at once. The counts of a block of documents are read before
    /// any is written and no branch depends on them, so the processor waits for a block's cache
    /// misses together, not one after the other: in a million documents most of them miss
    /// (BENCHMARKS.md, section 51).
    pub fn add_distinct<T: Copy>(&mut self, docs: &[T], doc: impl Fn(T) -> u32, w: u32) {
        const BLOCK: usize = 16;
        let mut n = self.touched.len();
        self.touched.resize(n + docs.len(), 0);
        for block in docs.chunks(BLOCK) {
            let mut before = [0u32; BLOCK];
            for (b, &o) in before.iter_mut().zip(block) {
                *b = self.counts[doc(o) as usize];
            }
            for (&b, &o) in before.iter().zip(block) {
                self.counts[doc(o) as usize] = b + w;
                self.touched[n] = doc(o);
                n += usize::from(b == 0);
            }
        }
        self.touched.truncate(n);
    }

    /// Every document hit, with its count, in the order first hit.
    pub fn iter(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.touched.iter().map(|&o| (o, self.counts[o as usize]))
    }

    /// Every document hit, with its count, in the order first hit; the counts are set back to
    /// zero.
    pub fn drain(&mut self) -> impl Iterator<Item = (u32, u32)> + '_ {
        let counts = &mut self.counts;
        self.touched
            .drain(..)
            .map(move |o| (o, std::mem::take(&mut counts[o as usize])))
    }
}

/// The 64-bit hash of one folded word.
pub fn hash_word(folded: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(folded.as_bytes())
}

fn exact_hash(word_hashes: &[u64]) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for w in word_hashes {
        h.update(&w.to_le_bytes());
    }
    // Never 0, which marks the empty document.
    h.digest128() | 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lists counted in blocks give each document its summed weight once, in the order first hit,
    /// and leave every count at zero for the next search: a block's reads come before its writes,
    /// so a slip there would count a document twice or lose a weight.
    #[test]
    fn hits_of_whole_lists_are_summed_once_per_document() {
        let mut hits = HitCounts::default();
        hits.prepare(100);
        let lists: [(Vec<u32>, u32); 3] = [
            ((0..40).map(|i| i * 2).collect(), 1),
            ((0..26).map(|i| 79 - i * 3).collect(), 5),
            (vec![7, 3, 99], 2),
        ];
        for round in 0..2 {
            let mut want: Vec<(u32, u32)> = Vec::new();
            for (docs, w) in &lists {
                hits.add_distinct(docs, |o| o, *w);
                for &o in docs {
                    match want.iter_mut().find(|(d, _)| *d == o) {
                        Some((_, c)) => *c += w,
                        None => want.push((o, *w)),
                    }
                }
            }
            let got: Vec<(u32, u32)> = hits.drain().collect();
            assert_eq!(got, want, "round {round}");
        }
        assert!(hits.counts.iter().all(|&c| c == 0));
    }

    #[test]
    fn a_bit_filter_passes_what_it_holds_and_few_others() {
        let mut filter = BitFilter::new(16);
        let held: Vec<u64> = (0..1_000u64)
            .map(|i| i.wrapping_mul(0x2545_f491_4f6c_dd1d))
            .collect();
        for &v in &held {
            filter.insert(v);
        }
        assert!(held.iter().all(|&v| filter.may_hold(v)));
        // 1,000 bits of 65,536 set: about 1.5% of other values pass.
        let passing = (1_000..101_000u64).filter(|&v| filter.may_hold(v)).count();
        assert!(passing < 5_000, "{passing} of 100,000 absent values passed");
    }

    #[test]
    fn spelling_variants_have_the_same_fingerprint() {
        let config = Config::default();
        let a = Fingerprint::of_text(
            "The “army” said: ﬁve soldiers were killed in Bamako.",
            &config,
        );
        let b = Fingerprint::of_text(
            "THE \"ARMY\" SAID -- FIVE\u{00A0}soldiers were killed in   Bamako",
            &config,
        );
        assert_eq!(a, b);
        assert!(!a.is_empty());
    }

    #[test]
    fn a_set_made_alone_is_the_fingerprint_s() {
        let config = Config::default();
        let texts = [
            "",
            " -- ",
            "five",
            "The “army” said: ﬁve soldiers were killed in Bamako, then left.",
        ];
        for text in texts {
            let f = Fingerprint::of_text(text, &config);
            assert_eq!(
                Fingerprint::set_of_text(text, &config),
                (f.exact, f.shingles),
                "{text:?}"
            );
        }
    }

    #[test]
    fn empty_and_punctuation_only_texts_are_empty() {
        let config = Config::default();
        assert!(Fingerprint::of_text("", &config).is_empty());
        assert!(Fingerprint::of_text(" \n\t -- « » ", &config).is_empty());
    }

    #[test]
    fn one_changed_word_changes_the_exact_hash() {
        let config = Config::default();
        let a = Fingerprint::of_text("five soldiers were killed", &config);
        let b = Fingerprint::of_text("six soldiers were killed", &config);
        assert_ne!(a.exact, b.exact);
    }
}
