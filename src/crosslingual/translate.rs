//! Translation pairs: candidates from rare pivot keys, verified by sentence alignment.
//!
//! Candidates: every key of a pivot document has a document frequency; a document's signature is its
//! `signature` rarest keys found in at least two documents of two languages. An index over signatures
//! gives, for each document, the documents in another language that share at least `min_shared` of
//! its signature keys (one, for a short article whose signature has fewer than `short_signature`
//! keys); its best partners are the `max_candidates` sharing most, and a pair is a candidate when
//! each document is among the other's best. Names, numbers and rare content words make
//! those keys, so a translation shares many of them; so do articles on the same event, which the
//! verification tells apart.
//!
//! Verification: the pair is aligned ([`super::align`]); it is a translation when the alignment covers
//! at least `min_coverage` of the shorter document's sentences (a partial translation followed by
//! comments or "related news" is found, with a low coverage on the longer side) with at least
//! `min_aligned` aligned groups of sentences whose mean similarity is at least `min_similarity`, and
//! at least `few_min_similarity` when they are fewer than `few_aligned` (little evidence must be
//! strong evidence). A short article aligned whole needs only `whole_min_aligned` groups, each of
//! them at least `few_min_similarity`.

use rayon::prelude::*;

use super::align::{align, AlignParams, Alignment};
use super::pivot::PivotDoc;
use crate::fingerprint::{HitCounts, KeyMap};
use crate::DocId;

/// Parameters of translation detection; defaults are justified in BENCHMARKS.md.
#[derive(Debug, Clone, PartialEq)]
pub struct TranslationParams {
    pub align: AlignParams,
    /// Coverage of the shorter document (in sentences) needed for a translation.
    pub min_coverage: f64,
    /// Mean similarity of the aligned sentences needed for a translation.
    pub min_similarity: f64,
    /// Aligned sentence groups needed for a translation.
    pub min_aligned: usize,
    /// Aligned groups enough when they cover every sentence of the shorter document and each has
    /// `few_min_similarity` (a short article: two or three sentences).
    pub whole_min_aligned: usize,
    /// An alignment of fewer groups than this is little evidence: it needs `few_min_similarity`.
    pub few_aligned: usize,
    /// Mean similarity needed by an alignment of fewer than `few_aligned` groups.
    pub few_min_similarity: f64,
    /// Rarest keys of a document indexed for candidates.
    pub signature: usize,
    /// Signature keys two documents must share to be a candidate.
    pub min_shared: usize,
    /// A document whose signature has fewer keys than this (a short article: few names, numbers
    /// and rare words) needs only one shared with its partner.
    pub short_signature: usize,
    /// Candidates kept per document (those sharing most).
    pub max_candidates: usize,
    /// A candidate must share at least this share of the signature keys the document's best
    /// candidate shares.
    pub min_share_of_best: f64,
    /// Keys in more than this share of the documents are too common to index.
    pub max_key_share: f64,
    /// ... but a key in at most this many documents is always indexed: in a small corpus, a
    /// story, a few copies of it and its translation share their keys (with a floor of 2, ten
    /// documents lost the sample's translation to one near-duplicate copy of each).
    pub min_key_postings: u32,
}

impl Default for TranslationParams {
    fn default() -> TranslationParams {
        TranslationParams {
            align: AlignParams::default(),
            min_coverage: 0.45,
            min_similarity: 0.33,
            min_aligned: 3,
            whole_min_aligned: 2,
            few_aligned: 5,
            few_min_similarity: 0.45,
            signature: 40,
            min_shared: 2,
            short_signature: 5,
            max_candidates: 8,
            min_share_of_best: 0.25,
            max_key_share: 0.05,
            min_key_postings: 8,
        }
    }
}

/// Why two documents are translations of each other; its field names are those of `twinwire pairs`
/// output.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TranslationEvidence {
    /// a's language.
    pub lang_a: String,
    /// b's language.
    pub lang_b: String,
    /// Share of a's content sentences aligned to b.
    pub coverage_a: f64,
    /// Share of b's content sentences aligned to a.
    pub coverage_b: f64,
    /// Aligned groups of sentences.
    pub aligned: usize,
    /// a's content sentences.
    pub sentences_a: usize,
    /// b's content sentences.
    pub sentences_b: usize,
    /// Mean similarity of the aligned groups.
    pub similarity: f64,
}

impl TranslationEvidence {
    /// The same evidence read from the other side.
    pub fn swapped(&self) -> TranslationEvidence {
        TranslationEvidence {
            lang_a: self.lang_b.clone(),
            lang_b: self.lang_a.clone(),
            coverage_a: self.coverage_b,
            coverage_b: self.coverage_a,
            sentences_a: self.sentences_b,
            sentences_b: self.sentences_a,
            ..self.clone()
        }
    }

    /// Coverage of the document with fewer sentences: the number the decision is made on.
    pub fn shorter_coverage(&self) -> f64 {
        if self.sentences_a <= self.sentences_b {
            self.coverage_a
        } else {
            self.coverage_b
        }
    }
}

/// What the translation candidate index knows of every document: its language and candidate keys
/// (see [`super::pivot::candidate_keys`]), all in three arrays: a million documents' keys are one
/// allocation, given back whole when the index is built.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyedDocs {
    /// Language code per document; `[0, 0]` for a document without keys.
    langs: Vec<[u8; 2]>,
    /// Document i's keys are `keys[ends[i - 1]..ends[i]]`.
    ends: Vec<usize>,
    keys: Vec<u32>,
}

impl KeyedDocs {
    /// Adds the next document: its language (a two-letter code, as every code in the pipeline
    /// is) and keys, sorted and unique; `None` leaves it out of the index.
    pub fn push(&mut self, keyed: Option<(&str, &[u32])>) {
        let lang = keyed.and_then(|(lang, _)| <[u8; 2]>::try_from(lang.as_bytes()).ok());
        match (lang, keyed) {
            (Some(lang), Some((_, keys))) if lang.is_ascii() => {
                self.langs.push(lang);
                self.keys.extend_from_slice(keys);
            }
            _ => self.langs.push([0, 0]),
        }
        self.ends.push(self.keys.len());
    }

    /// Document `i`'s language and keys, if it has any.
    pub fn get(&self, i: usize) -> Option<(&str, &[u32])> {
        let lang = self.langs.get(i).filter(|l| **l != [0, 0])?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        let lang = std::str::from_utf8(lang).ok()?;
        Some((lang, &self.keys[start..self.ends[i]]))
    }
}

/// Candidate translation pairs (smaller id first), sorted and unique, among `docs`: those keyed.
pub fn translation_candidates(
    keyed: &KeyedDocs,
    docs: &[DocId],
    params: &TranslationParams,
) -> Vec<(DocId, DocId)> {
    let with_keys: Vec<(DocId, &str, &[u32])> = docs
        .iter()
        .filter_map(|&d| keyed.get(d.index()).map(|(lang, keys)| (d, lang, keys)))
        .collect();
    let n = with_keys.len();
    if !(2..1 << 28).contains(&n) {
        return Vec::new();
    }
    // Languages as small numbers (at most 15 kinds: a posting packs 4 bits of language).
    let mut codes: Vec<&str> = Vec::new();
    let lang_of: Vec<u8> = with_keys
        .iter()
        .map(|&(_, l, _)| match codes.iter().position(|c| *c == l) {
            Some(i) => i as u8,
            None if codes.len() < 15 => {
                codes.push(l);
                (codes.len() - 1) as u8
            }
            None => 15,
        })
        .collect();
    let doc_keys = |x: usize| with_keys[x].2;
    // Only documents outside the most common language search (see below); and only their keys can
    // be shared by two languages, so only those keys are counted.
    let mut per_lang = [0usize; 16];
    for &l in &lang_of {
        per_lang[l as usize] += 1;
    }
    let majority = (0..per_lang.len())
        .max_by_key(|&l| (per_lang[l], std::cmp::Reverse(l)))
        .unwrap_or(0) as u8;
    let searchers: Vec<usize> = (0..n).filter(|&x| lang_of[x] != majority).collect();
    if searchers.is_empty() {
        return Vec::new();
    }
    let mut minority_keys: Vec<u32> = searchers
        .iter()
        .flat_map(|&x| doc_keys(x))
        .copied()
        .collect();
    minority_keys.par_sort_unstable();
    minority_keys.dedup();
    let slot = FilteredKeys::new(
        minority_keys
            .iter()
            .enumerate()
            .map(|(i, &k)| (k, i as u32)),
    );
    let slot_of = |k: u32| slot.get(k).map(|i| i as usize);
    // Document frequency of those keys, and the languages they occur in (sums and unions: the
    // same whatever the order the threads count in).
    use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
    let df: Vec<AtomicU32> = (0..minority_keys.len())
        .map(|_| AtomicU32::new(0))
        .collect();
    let langs: Vec<AtomicU32> = (0..minority_keys.len())
        .map(|_| AtomicU32::new(0))
        .collect();
    (0..n).into_par_iter().for_each(|x| {
        for &k in doc_keys(x) {
            if let Some(i) = slot_of(k) {
                df[i].fetch_add(1, Relaxed);
                langs[i].fetch_or(1 << lang_of[x], Relaxed);
            }
        }
    });
    // A document's signature: its rarest keys found in two documents of two languages or more.
    // Those eligible keys, with their document frequency, get a table and a filter of their own:
    // a majority document's keys are mostly common ones (`The`, small numbers) that the filter
    // passes over.
    let max_df = ((n as f64 * params.max_key_share).ceil() as u32).max(params.min_key_postings);
    let eligible = FilteredKeys::new(minority_keys.iter().zip(df.iter().zip(&langs)).filter_map(
        |(&k, (d, l))| {
            let (d, l) = (d.load(Relaxed), l.load(Relaxed));
            ((2..=max_df).contains(&d) && l.count_ones() >= 2).then_some((k, d))
        },
    ));
    drop((df, langs, slot));
    let signature = |x: usize| -> Vec<u32> {
        let mut sig: Vec<(u32, u32)> = doc_keys(x)
            .iter()
            .filter_map(|&k| Some((eligible.get(k)?, k)))
            .collect();
        // The rarest first, ties by key: (df, key) pairs are unique, so the order is total.
        if sig.len() > params.signature {
            sig.select_nth_unstable(params.signature);
            sig.truncate(params.signature);
        }
        sig.sort_unstable();
        sig.into_iter().map(|(_, k)| k).collect()
    };
    let searcher_signatures: Vec<Vec<u32>> = searchers.par_iter().map(|&x| signature(x)).collect();
    let mut searched: Vec<u32> = searcher_signatures.iter().flatten().copied().collect();
    searched.par_sort_unstable();
    searched.dedup();
    // Postings of the searchers' signature keys, packed: key (32 bits) | language (4 bits) |
    // document (28 bits), so that within a key, documents are grouped by language.
    let pack = |x: usize, k: u32| u64::from(k) << 32 | u64::from(lang_of[x]) << 28 | x as u64;
    let mut postings: Vec<u64> = searchers
        .iter()
        .zip(&searcher_signatures)
        .flat_map(|(&x, sig)| sig.iter().map(move |&k| pack(x, k)))
        .collect();
    postings.par_sort_unstable();
    let key_range = |k: u32| {
        let lo = postings.partition_point(|&e| (e >> 32) < u64::from(k));
        let hi = postings.partition_point(|&e| (e >> 32) <= u64::from(k));
        &postings[lo..hi]
    };
    let lang_bits = |e: u64| ((e >> 28) & 0xF) as u8;
    // The majority's postings, only for the keys some searcher looks up, laid out by key in one
    // array of exactly their number: in a dump of millions they are the bulk. Each majority
    // document's signature is made once, its searched keys kept (as slots of `searched`) in runs
    // of documents, then counted and placed in document order.
    let searched_slots =
        FilteredKeys::new(searched.iter().enumerate().map(|(i, &k)| (k, i as u32)));
    let searched_slot = |k: u32| searched_slots.get(k).map(|s| s as usize);
    const RUN: usize = 4096;
    let majority_list: Vec<u32> = (0..n as u32)
        .filter(|&x| lang_of[x as usize] == majority)
        .collect();
    let runs: Vec<(Vec<u32>, Vec<u32>)> = majority_list
        .par_chunks(RUN)
        .map(|docs| {
            let (mut slots, mut ends) = (Vec::new(), Vec::with_capacity(docs.len()));
            for &x in docs {
                let sig = signature(x as usize);
                slots.extend(sig.iter().filter_map(|&k| Some(searched_slot(k)? as u32)));
                ends.push(slots.len() as u32);
            }
            slots.shrink_to_fit();
            (slots, ends)
        })
        .collect();
    let mut starts = vec![0usize; searched.len() + 1];
    for &s in runs.iter().flat_map(|(slots, _)| slots) {
        starts[s as usize + 1] += 1;
    }
    for i in 0..searched.len() {
        starts[i + 1] += starts[i];
    }
    let mut majority_postings = vec![0u32; starts[searched.len()]];
    let mut next = starts.clone();
    for ((slots, ends), docs) in runs.iter().zip(majority_list.chunks(RUN)) {
        let mut from = 0;
        for (&x, &end) in docs.iter().zip(ends) {
            for &s in &slots[from..end as usize] {
                majority_postings[next[s as usize]] = x;
                next[s as usize] += 1;
            }
            from = end as usize;
        }
    }
    drop((runs, next, majority_list));
    let majority_run = |k: u32| match searched_slot(k) {
        Some(s) => &majority_postings[starts[s]..starts[s + 1]],
        None => &[],
    };
    // A document's best partners in another language, most shared signature keys first.
    let best_of = |x: usize, sig: &[u32]| -> Vec<u32> {
        let own = lang_of[x];
        let mut counted: Vec<(usize, u32)> = HITS.with(|hits| {
            let mut hits = hits.borrow_mut();
            hits.prepare(n);
            for &k in sig {
                let run = key_range(k);
                let (lo, hi) = (
                    run.partition_point(|&e| lang_bits(e) < own),
                    run.partition_point(|&e| lang_bits(e) <= own),
                );
                for &e in run[..lo].iter().chain(&run[hi..]) {
                    hits.add((e & 0x0FFF_FFFF) as u32);
                }
                if own != majority {
                    majority_run(k).iter().for_each(|&o| hits.add(o));
                }
            }
            // A short document has few rare keys: one shared is as much as it can show.
            let need = if sig.len() < params.short_signature {
                1
            } else {
                params.min_shared
            };
            hits.drain()
                .map(|(o, c)| (c as usize, o))
                .filter(|&(c, _)| c >= need)
                .collect()
        });
        // Most shared first; ties by input order.
        counted.sort_unstable_by_key(|&(n, o)| (std::cmp::Reverse(n), o));
        counted.truncate(params.max_candidates);
        // Far behind the best is not a partner: a translation shares about as many keys as the
        // best does (its copies too), a same-event article far fewer.
        if let Some(&(top, _)) = counted.first() {
            counted.retain(|&(n, _)| n as f64 >= params.min_share_of_best * top as f64);
        }
        let mut partners: Vec<u32> = counted.into_iter().map(|(_, o)| o).collect();
        partners.sort_unstable();
        partners
    };
    // A pair is a candidate when each is among the other's best: a translation stands out from
    // both sides, while an English article that merely shares names with a French one is rarely
    // among that French article's best. So only documents outside the most common language search;
    // a document of that language needs its own list only when a searcher named it (the result is
    // the same as every document searching, at a fraction of the cost in a mostly-English dump).
    let mut best: Vec<Option<Vec<u32>>> = vec![None; n];
    let found: Vec<(usize, Vec<u32>)> = searchers
        .par_iter()
        .zip(&searcher_signatures)
        .map(|(&x, sig)| (x, best_of(x, sig)))
        .collect();
    let mut named: Vec<usize> = Vec::new();
    for (x, list) in found {
        named.extend(
            list.iter()
                .map(|&o| o as usize)
                .filter(|&o| lang_of[o] == majority),
        );
        best[x] = Some(list);
    }
    named.sort_unstable();
    named.dedup();
    let answers: Vec<(usize, Vec<u32>)> = named
        .par_iter()
        .map(|&o| (o, best_of(o, &signature(o))))
        .collect();
    for (o, list) in answers {
        best[o] = Some(list);
    }
    let lists = |x: usize| best[x].as_deref().unwrap_or(&[]);
    let (lang_of, with_keys) = (&lang_of, &with_keys);
    let mut pairs: Vec<(DocId, DocId)> = searchers
        .iter()
        .flat_map(|&x| {
            lists(x)
                .iter()
                .map(|&o| o as usize)
                .filter(move |&o| {
                    (lang_of[o] == majority || o > x) && lists(o).binary_search(&(x as u32)).is_ok()
                })
                .map(move |o| {
                    let (a, b) = (with_keys[x].0, with_keys[o].0);
                    (a.min(b), a.max(b))
                })
        })
        .collect();
    pairs.par_sort_unstable();
    pairs
}

thread_local! {
    /// How many signature keys each document shares with the one whose partners are sought.
    static HITS: std::cell::RefCell<HitCounts> = std::cell::RefCell::new(HitCounts::default());
}

/// Keys with a value, and a bit per hashed key in front of the table: most keys looked up are
/// absent, and their bit says so without a table probe.
struct FilteredKeys {
    bits: Vec<u64>,
    table: KeyMap<u32, u32>,
}

impl FilteredKeys {
    /// Bits of the filter, as a power of two (4 million bits: 512 kB).
    const BITS: u32 = 22;

    fn new(entries: impl IntoIterator<Item = (u32, u32)>) -> FilteredKeys {
        let table: KeyMap<u32, u32> = entries.into_iter().collect();
        let mut bits = vec![0u64; 1 << (Self::BITS - 6)];
        for &k in table.keys() {
            let b = Self::bit(k);
            bits[b >> 6] |= 1 << (b & 63);
        }
        FilteredKeys { bits, table }
    }

    fn bit(k: u32) -> usize {
        (u64::from(k).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - Self::BITS)) as usize
    }

    fn get(&self, k: u32) -> Option<u32> {
        let b = Self::bit(k);
        if self.bits[b >> 6] & (1 << (b & 63)) == 0 {
            return None;
        }
        self.table.get(&k).copied()
    }
}

/// Aligns a candidate pair and decides: the evidence when it is a translation.
///
/// Sentences found word for word in both documents (a site's header and footer on two articles,
/// a name-only line) are copies, not translations: they are passed over (the alignment shows them
/// unaligned, coverage does not count them).
pub fn verify(
    a: &PivotDoc,
    b: &PivotDoc,
    params: &TranslationParams,
) -> (Alignment, Option<TranslationEvidence>) {
    let in_b: std::collections::HashSet<u64> = b.sentences.iter().map(|s| s.text_hash).collect();
    let copied: std::collections::HashSet<u64> = a
        .sentences
        .iter()
        .map(|s| s.text_hash)
        .filter(|h| *h != 0 && in_b.contains(h))
        .collect();
    if copied.is_empty() {
        return decide(a, b, params);
    }
    decide(&a.masking(&copied), &b.masking(&copied), params)
}

fn decide(
    a: &PivotDoc,
    b: &PivotDoc,
    params: &TranslationParams,
) -> (Alignment, Option<TranslationEvidence>) {
    let alignment = align(a, b, &params.align);
    let evidence = TranslationEvidence {
        lang_a: a.lang.clone(),
        lang_b: b.lang.clone(),
        coverage_a: alignment.coverage_a,
        coverage_b: alignment.coverage_b,
        aligned: alignment.beads.len(),
        sentences_a: a.content_sentences(),
        sentences_b: b.content_sentences(),
        similarity: alignment.similarity,
    };
    // A short document aligned whole, every sentence, needs fewer groups, each of them strong:
    // two sentences are little evidence.
    let enough_groups = evidence.aligned >= params.min_aligned
        || (evidence.aligned >= params.whole_min_aligned
            && evidence.shorter_coverage() >= 1.0
            && alignment
                .beads
                .iter()
                .all(|b| b.similarity >= params.few_min_similarity));
    let is_translation = a.lang != b.lang
        && enough_groups
        && evidence.shorter_coverage() >= params.min_coverage
        && evidence.similarity >= params.min_similarity
        && (evidence.aligned >= params.few_aligned
            || evidence.similarity >= params.few_min_similarity);
    (alignment, is_translation.then_some(evidence))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A French document (0), its translation (1) sharing its ten rare keys, a same-event English
    /// article (2) sharing two, and English filler sharing nothing, so that the ten keys are rare.
    fn corpus() -> (KeyedDocs, Vec<DocId>) {
        let mut keyed = KeyedDocs::default();
        let rare: Vec<u32> = (1..=10).collect();
        keyed.push(Some(("fr", &rare)));
        keyed.push(Some(("en", &rare)));
        keyed.push(Some(("en", &rare[..2])));
        for i in 0..60u32 {
            keyed.push(Some(("en", &[1000 + i])));
        }
        (keyed, (0..63).map(DocId).collect())
    }

    #[test]
    fn a_partner_far_behind_the_best_is_no_candidate() {
        let (keyed, docs) = corpus();
        let cut = TranslationParams::default();
        assert_eq!(
            translation_candidates(&keyed, &docs, &cut),
            [(DocId(0), DocId(1))]
        );
        let no_cut = TranslationParams {
            min_share_of_best: 0.0,
            ..cut
        };
        assert_eq!(
            translation_candidates(&keyed, &docs, &no_cut),
            [(DocId(0), DocId(1)), (DocId(0), DocId(2))]
        );
    }
}
