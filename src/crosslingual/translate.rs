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
//! "Sharing most" is weighed, not counted: a shared key weighs its rarity (`4 log2(N / df)`,
//! rounded up), and the sum is divided by the square root of the partner's signature length. When
//! passages recur across unrelated articles, every key of an English version is common (its
//! sentences are quoted in dozens of other articles) and only a few of them reach the French
//! article's signature; counted, an unrelated article sharing as many common keys ties with the
//! translation, while the key the two versions alone share outweighs them. The division keeps long
//! articles, whose many keys meet any signature, from crowding out a short translation (an English
//! version cut to its first half). Measured in BENCHMARKS.md, section 17.
//!
//! Verification: the pair is aligned ([`super::align`]); it is a translation when the alignment covers
//! at least `min_coverage` of the shorter document's sentences (a partial translation followed by
//! comments or "related news" is found, with a low coverage on the longer side) with at least
//! `min_aligned` aligned groups of sentences whose mean similarity is at least `min_similarity`, and
//! at least `few_min_similarity` when they are fewer than `few_aligned` (little evidence must be
//! strong evidence). A short article aligned whole needs only `whole_min_aligned` groups, each of
//! them at least `few_min_similarity`.

use std::path::PathBuf;

use super::align::{align, AlignParams, Alignment};
use super::pivot::PivotDoc;
use crate::fingerprint::Sets;

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
    /// Rarest keys of a document indexed for candidates (at most 255). 80 rather than 40 since
    /// BENCHMARKS section 18: at 1M articles of the shared-passage shape, 40 missed 14 of 569
    /// planted translations (a cut-down English version's rarest keys are not its French
    /// original's when a million other articles set the frequencies), 80 missed 4; WMT unchanged.
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
            signature: 80,
            min_shared: 2,
            short_signature: 5,
            max_candidates: 12,
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
/// (see [`super::pivot::candidate_keys`]). The keys are stored end to end, as the shingle sets
/// are, and go to the run's temporary file with them past `--memory-limit` ([`KeyedDocs::spill`]):
/// at ten million articles they are the largest thing a run holds (BENCHMARKS.md, section 32).
#[derive(Debug, Default)]
pub struct KeyedDocs {
    /// Language code per document; `[0, 0]` for a document without keys.
    langs: Vec<[u8; 2]>,
    keys: Sets,
}

impl KeyedDocs {
    /// Frees what the store reserved past what it holds, once every document is in.
    pub fn shrink_to_fit(&mut self) {
        self.langs.shrink_to_fit();
        self.keys.shrink_to_fit();
    }

    /// Adds the next document: its language (a two-letter code, as every code in the pipeline
    /// is) and keys, sorted and unique; `None` leaves it out of the index.
    pub fn push(&mut self, keyed: Option<(&str, &[u32])>) {
        let lang = keyed.and_then(|(lang, _)| <[u8; 2]>::try_from(lang.as_bytes()).ok());
        match (lang, keyed) {
            (Some(lang), Some((_, keys))) if lang.is_ascii() => {
                self.langs.push(lang);
                self.keys.push(keys);
            }
            _ => {
                self.langs.push([0, 0]);
                self.keys.push(&[]);
            }
        }
    }

    /// Document `i`'s language, if it has keys.
    pub fn lang(&self, i: usize) -> Option<&str> {
        let lang = self.langs.get(i).filter(|l| **l != [0, 0])?;
        std::str::from_utf8(lang).ok()
    }

    /// Document `i`'s keys (none when it has none): held, or read into `buf` from the file.
    pub fn keys<'a>(&'a self, i: usize, buf: &'a mut Vec<u32>) -> &'a [u32] {
        match self.lang(i) {
            Some(_) => self.keys.get(i, buf),
            None => &[],
        }
    }

    /// Document `i`'s language and keys, if it has any.
    #[cfg(test)]
    pub fn get<'a>(&'a self, i: usize, buf: &'a mut Vec<u32>) -> Option<(&'a str, &'a [u32])> {
        Some((self.lang(i)?, self.keys(i, buf)))
    }

    /// Bytes of keys held in memory.
    #[cfg(test)]
    pub fn memory_bytes(&self) -> u64 {
        self.keys.memory_bytes()
    }

    /// Bytes of keys written to the temporary file.
    #[cfg(test)]
    pub fn spilled_bytes(&self) -> u64 {
        self.keys.disk_bytes()
    }

    /// Moves the keys held in memory to the end of the temporary file (unnamed, in `dir` or the
    /// system's temporary directory). The keys read back are the same.
    pub fn spill(&mut self, dir: Option<&PathBuf>) -> std::io::Result<()> {
        self.keys.spill(dir)
    }

    /// Waits until every key sent to the temporary file is written (see
    /// [`crate::fingerprint::Fingerprints::settle`]).
    pub fn settle(&mut self) -> std::io::Result<()> {
        self.keys.settle()
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
    use crate::crosslingual::candidate_index::translation_candidates;
    use crate::DocId;

    /// A French document (0), its translation (1) sharing its ten rare keys, a same-event English
    /// article (2) sharing two and with eight names of its own, English filler sharing nothing (so
    /// that the keys are rare), and a French article (63) on the same event as 2, sharing its eight.
    fn corpus() -> (KeyedDocs, Vec<DocId>) {
        let mut keyed = KeyedDocs::default();
        let rare: Vec<u32> = (1..=10).collect();
        let own: Vec<u32> = (11..=18).collect();
        let same_event: Vec<u32> = rare[..2].iter().chain(&own).copied().collect();
        keyed.push(Some(("fr", &rare)));
        keyed.push(Some(("en", &rare)));
        keyed.push(Some(("en", &same_event)));
        for i in 0..60u32 {
            keyed.push(Some(("en", &[1000 + i])));
        }
        keyed.push(Some(("fr", &own)));
        (keyed, (0..64).map(DocId).collect())
    }

    #[test]
    fn a_partner_far_behind_the_best_is_no_candidate() {
        let (keyed, docs) = corpus();
        let cut = TranslationParams::default();
        assert_eq!(
            translation_candidates(&keyed, &docs, &cut),
            [(DocId(0), DocId(1)), (DocId(2), DocId(63))]
        );
        let no_cut = TranslationParams {
            min_share_of_best: 0.0,
            ..cut
        };
        assert_eq!(
            translation_candidates(&keyed, &docs, &no_cut),
            [
                (DocId(0), DocId(1)),
                (DocId(0), DocId(2)),
                (DocId(2), DocId(63))
            ]
        );
    }

    /// Passages quoted across articles make every key of an English version common: twenty
    /// English articles quoting its sentences share three common keys with the French article,
    /// more than the translation (last in input order, so ties go against it) shares, one of them
    /// a key the two versions alone have. Counted, the twenty fill the candidate list; weighed by
    /// rarity, the translation leads it.
    #[test]
    fn a_rare_shared_key_outweighs_common_ones() {
        let mut keyed = KeyedDocs::default();
        let french = [1, 100, 101, 102];
        keyed.push(Some(("fr", &french)));
        let quoting = [100, 101, 102];
        for _ in 0..20 {
            keyed.push(Some(("en", &quoting)));
        }
        for i in 0..478u32 {
            keyed.push(Some(("en", &[1000 + i])));
        }
        keyed.push(Some(("en", &[1, 100])));
        let docs: Vec<DocId> = (0..500).map(DocId).collect();
        let params = TranslationParams::default();
        let found = translation_candidates(&keyed, &docs, &params);
        assert!(found.contains(&(DocId(0), DocId(499))), "{found:?}");
        assert!(found.len() < 20, "{found:?}");
    }
}
