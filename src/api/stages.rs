//! [`Stages`]: one run of `twinwire pairs` cut where an engine that does its own shuffles
//! (`twinwire.spark`) exchanges data, each stage a function of one document or one pair.
//!
//! The engine's part is counting and joining: which documents share a text hash, a band key or an
//! anchor, and how many documents hold each anchor. The decisions are made here, by the same code
//! the command line runs: a document's features ([`Stages::features`]), which of its anchors its
//! containment search looks up ([`Stages::probe_plan`], the rule of
//! [`crate::candidates::anchor_pairs`]), what a candidate pair is ([`Stages::relate`]), and how a
//! relation found between two representatives reads between their exact copies
//! ([`StagePair::between`]). Features travel between stages as a compact byte string, the
//! document's *blob*.

use crate::api::Keep;
use crate::api::Matcher;
use crate::candidates::ProbePlan;
use crate::cluster::{clusters, groups, Keep as ClusterKeep};
use crate::config::Config;
use crate::crosslingual::candidate_index::{choose_partners, key_weight};
use crate::crosslingual::translate::verify;
use crate::crosslingual::translate::TranslationEvidence;
use crate::fingerprint::{Fingerprint, FingerprintRef, ShingleSet, SimHash64};
use crate::output::round4;
use crate::pipeline::language_and_keys;
use crate::relate::{relate, Evidence, RelationKind};
use crate::relate::{PairEvidence, Relation};
use crate::score::score;
use crate::text::TokenList;
use crate::DocId;

/// The stages of one configuration.
pub struct Stages {
    matcher: Matcher,
}

/// One document's features, as the candidate stages need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageDoc {
    /// Words after folding (0: an empty document, never matched).
    pub words: u32,
    /// Hash of the folded text: exact copies share it.
    pub exact: u128,
    /// Distinct shingles: a container has at least as many as what it contains.
    pub shingles: usize,
    /// One MinHash key per band (empty for an empty document).
    pub bands: Vec<u32>,
    /// SimHash over the shingles: decides, with the bands shared, whether two documents sharing
    /// a band are candidates ([`Stages::one_band_hamming`]).
    pub simhash: u64,
    /// The containment anchors, in increasing order.
    pub anchors: Vec<u32>,
    /// Everything [`Stages::relate`] reads, serialized.
    pub blob: Vec<u8>,
}

/// A blob that is not one [`Stages::features`] wrote.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a document's features are damaged ({len} bytes): compute them again with the same version"
)]
pub struct BlobError {
    len: usize,
}

/// A relation between the two documents handed to [`Stages::relate`] (the *first* one earlier
/// in input order), before it is moved to their copies.
#[derive(Debug, Clone, PartialEq)]
pub struct StagePair {
    /// Whether the first document is the pair's `a` (a containment names its container first).
    pub first_is_a: bool,
    /// The relation.
    pub relation: RelationKind,
    /// The number it was decided on (not rounded).
    pub score: f64,
    /// Its measures, for the first document as `a` when `first_is_a` (not rounded).
    pub evidence: Evidence,
}

/// One line of the output: the places of `a` and `b` in input order, the relation, and its
/// numbers rounded as `twinwire pairs` writes them.
#[derive(Debug, Clone, PartialEq)]
pub struct StageLine {
    /// `a`'s place in input order.
    pub a: i64,
    /// `b`'s place in input order.
    pub b: i64,
    /// The relation.
    pub relation: RelationKind,
    /// The number it was decided on, rounded to 4 decimals.
    pub score: f64,
    /// Its measures, rounded.
    pub evidence: Evidence,
    /// The score and, for a copy, the Jaccard resemblance, not rounded: what `dedupe` decides on.
    pub unrounded: (f64, f64),
}

const HEAD: usize = 4 + 16 + 8;

impl Stages {
    /// The stages of `matcher` (its configuration and lexicons).
    pub fn new(matcher: Matcher) -> Stages {
        Stages { matcher }
    }

    /// Their configuration.
    pub fn config(&self) -> &Config {
        self.matcher.config()
    }

    /// Whether copy relations are asked for (no candidate stage runs otherwise).
    pub fn wants_copies(&self) -> bool {
        RelationKind::DUPLICATES
            .iter()
            .any(|&k| self.config().wants(k))
    }

    /// Whether containment is asked for (the anchor stages run only then).
    pub fn wants_containment(&self) -> bool {
        self.config().wants(RelationKind::Containment)
    }

    /// A document's features.
    pub fn features(&self, text: &str) -> StageDoc {
        let f = Fingerprint::of_text(text, self.config());
        let mut blob = Vec::with_capacity(HEAD + 4 * f.shingles.as_slice().len());
        blob.extend_from_slice(&f.words.to_le_bytes());
        blob.extend_from_slice(&f.exact.to_le_bytes());
        blob.extend_from_slice(&f.simhash.0.to_le_bytes());
        for s in f.shingles.as_slice() {
            blob.extend_from_slice(&s.to_le_bytes());
        }
        StageDoc {
            words: f.words,
            exact: f.exact,
            shingles: f.shingles.as_slice().len(),
            anchors: f.shingles.anchors(self.config().anchor_modulus).collect(),
            bands: f.bands,
            simhash: f.simhash.0,
            blob,
        }
    }

    /// The containment search plan of a document of `words` words whose anchors are held by
    /// `postings[k]` documents each (among the representatives, the document included; 0 for an
    /// anchor only it has): `None` when the document is too short to be looked up as contained.
    pub fn probe_plan(&self, words: u32, postings: &[usize]) -> Option<ProbePlan> {
        if words < self.config().min_contained_words {
            return None;
        }
        let lens: Vec<usize> = postings
            .iter()
            .map(|&p| if p < 2 { 0 } else { p })
            .collect();
        Some(ProbePlan::of(&lens, self.config()))
    }

    /// Two documents sharing one MinHash band and no other are candidates only when their
    /// SimHashes differ by at most this many bits (the rule of the command line's candidate
    /// tables).
    pub fn one_band_hamming(&self) -> u32 {
        crate::candidates::ONE_BAND_HAMMING
    }

    /// The most documents an anchor may be held by and still be looked up (an anchor held by
    /// more is always skipped by [`Stages::probe_plan`]).
    pub fn max_anchor_postings(&self) -> usize {
        self.config().max_anchor_postings
    }

    /// What the second document is to the first (the first earlier in input order), if anything
    /// the configuration asks for.
    pub fn relate(&self, first: &[u8], second: &[u8]) -> Result<Option<StagePair>, BlobError> {
        let (f1, f2) = (decode(first)?, decode(second)?);
        let (f1, f2) = (f1.as_ref(), f2.as_ref());
        let found = relate(DocId(0), DocId(1), f1, f2, &score(f1, f2), self.config());
        Ok(found.map(|r| StagePair {
            first_is_a: r.a == DocId(0),
            relation: r.kind,
            score: r.score,
            evidence: r.evidence,
        }))
    }

    /// The relation between two exact copies of the document of `blob`, if the configuration
    /// reports one (`exact`, or a `near_duplicate` of resemblance 1 when only that is asked).
    pub fn mate(&self, blob: &[u8]) -> Result<Option<StagePair>, BlobError> {
        self.relate(blob, blob)
    }
}

/// What the translation stages know of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageLang {
    /// Its language: given (normalized: `fr-FR` is `fr`) or detected.
    pub lang: Option<String>,
    /// Its translation candidate keys, in a language translations are looked for in.
    pub keys: Option<Vec<u32>>,
}

/// Translations, stage by stage (the rules are [`crate::crosslingual::translate`]'s). The
/// engine counts, over the keyed representatives: each key's documents and languages (a key is
/// *eligible* in 2 to [`Stages::max_key_postings`] documents of two languages or more); each
/// document's signature (its [`Stages::signature_size`] eligible keys of fewest documents, ties
/// by key); for each document and each partner in another language sharing signature keys, the
/// summed [`Stages::key_weight`] of the keys they share and their number. Then each document
/// chooses ([`Stages::choose_partners`]); a pair chosen from both sides is verified
/// ([`Stages::translation`]).
impl Stages {
    /// Whether translations are asked for.
    pub fn wants_translations(&self) -> bool {
        self.config().wants(RelationKind::Translation)
    }

    /// A document's language and translation keys (`given`: its language code, if known).
    pub fn language(&self, text: &str, given: Option<&str>) -> StageLang {
        let tokens = TokenList::of(text);
        let (lang, keys) = language_and_keys(text, &tokens, given, self.matcher.pivoter());
        StageLang { lang, keys }
    }

    /// Keys a signature holds at most.
    pub fn signature_size(&self) -> usize {
        self.config().translation.signature
    }

    /// The most documents an eligible key is in, among `keyed` keyed documents.
    pub fn max_key_postings(&self, keyed: usize) -> u64 {
        let params = &self.config().translation;
        ((keyed as f64 * params.max_key_share).ceil() as u64)
            .max(u64::from(params.min_key_postings))
    }

    /// The weight of a shared key found in `df` of `keyed` documents.
    pub fn key_weight(&self, keyed: usize, df: u32) -> u32 {
        key_weight(keyed, df)
    }

    /// The partners a document with a signature of `signature` keys keeps, from (partner, summed
    /// weight of the shared keys, their number, the partner's signature length), sorted.
    pub fn choose_partners(&self, signature: usize, hits: &[(i64, u32, u32, u8)]) -> Vec<i64> {
        choose_partners(signature, hits.iter().copied(), &self.config().translation)
    }

    /// Whether the second document (text, language code, blob) is a translation of the first
    /// (earlier in input order) that is not also a copy of it: the relation when it is.
    pub fn translation(
        &self,
        (first, first_lang, first_blob): (&str, &str, &[u8]),
        (second, second_lang, second_blob): (&str, &str, &[u8]),
    ) -> Result<Option<StagePair>, BlobError> {
        let pivoter = self.matcher.pivoter();
        let (Some(a), Some(b)) = (
            pivoter.pivot(first, first_lang),
            pivoter.pivot(second, second_lang),
        ) else {
            return Ok(None);
        };
        let (_, evidence) = verify(&a, &b, &self.config().translation);
        let Some(e) = evidence else {
            return Ok(None);
        };
        // A pair is reported once, with its most specific relation: a copy is never also a
        // translation.
        if self.relate(first_blob, second_blob)?.is_some() {
            return Ok(None);
        }
        Ok(Some(StagePair {
            first_is_a: true,
            relation: RelationKind::Translation,
            score: e.shorter_coverage(),
            evidence: Evidence::Alignment(e),
        }))
    }
}

/// A relation of a component, as [`Stages::settle`] reads it: the unrounded numbers a cluster
/// is decided on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StageRelation {
    /// `a`'s place in input order.
    pub a: i64,
    /// `b`'s place in input order.
    pub b: i64,
    /// The relation.
    pub relation: RelationKind,
    /// Its score, not rounded.
    pub score: f64,
    /// The Jaccard resemblance of a copy relation, not rounded (unused for a translation).
    pub jaccard: f64,
}

/// What `dedupe` decides for one connected component of relations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageDecision {
    /// (document removed, the document kept for it, relation, score rounded).
    pub removed: Vec<(i64, i64, RelationKind, f64)>,
    /// Its groups, as `dedupe --clusters` lists them (places in input order).
    pub groups: Vec<StageGroup>,
}

/// A group of `dedupe --clusters`, with places in input order instead of ids.
#[derive(Debug, Clone, PartialEq)]
pub struct StageGroup {
    /// The representative.
    pub representative: i64,
    /// Every document, the representative first, then in input order.
    pub members: Vec<i64>,
    /// The weakest member-to-representative score, rounded.
    pub min_similarity: Option<f64>,
    /// The documents kept.
    pub kept: Vec<i64>,
    /// The translation pairs inside it.
    pub translations: Vec<(i64, i64)>,
}

/// Dedupe, one connected component of relations at a time: the clusters and groups of
/// `twinwire dedupe` depend on a component's relations and lengths only.
impl Stages {
    /// The decision over one component: its documents (place in input order, words) and every
    /// relation among them. `keep` is `Longest` or `First` (`Core` reads the documents'
    /// features: not a stage yet).
    pub fn settle(
        &self,
        docs: &[(i64, u32)],
        relations: &[StageRelation],
        keep: Keep,
    ) -> Result<StageDecision, crate::Error> {
        let keep = match keep {
            Keep::Longest => ClusterKeep::Longest,
            Keep::First => ClusterKeep::First,
            Keep::Core => {
                return Err(crate::Error::config(
                    "keep",
                    "core is not distributed yet: use longest or first".to_string(),
                ))
            }
        };
        let mut docs = docs.to_vec();
        docs.sort_unstable();
        docs.dedup_by_key(|d| d.0);
        let place = |row: i64| docs.binary_search_by_key(&row, |d| d.0).ok();
        let mut rels = Vec::with_capacity(relations.len());
        for r in relations {
            let (Some(a), Some(b)) = (place(r.a), place(r.b)) else {
                return Err(crate::Error::config(
                    "relations",
                    format!(
                        "a relation names a document outside its component ({} {})",
                        r.a, r.b
                    ),
                ));
            };
            rels.push(relation_of(r, DocId(a as u32), DocId(b as u32)));
        }
        rels.sort_by_key(|r| (r.a.min(r.b), r.a.max(r.b), r.kind));
        let words: Vec<u32> = docs.iter().map(|d| d.1).collect();
        let found = clusters(docs.len(), &rels, &words, keep, self.config());
        let row = |d: DocId| docs[d.index()].0;
        let mut decision = StageDecision::default();
        for c in &found {
            for m in &c.members {
                decision.removed.push((
                    row(m.doc),
                    row(c.representative),
                    m.relation,
                    round4(m.score),
                ));
            }
        }
        for g in groups(docs.len(), &found, &rels) {
            decision.groups.push(StageGroup {
                representative: row(g.representative),
                members: g.members.iter().map(|&d| row(d)).collect(),
                min_similarity: g.min_similarity.map(round4),
                kept: g.kept.iter().map(|&d| row(d)).collect(),
                translations: g
                    .translations
                    .iter()
                    .map(|&(a, b)| (row(a), row(b)))
                    .collect(),
            });
        }
        Ok(decision)
    }
}

/// The relation `clusters` reads: its kind, score and, for a copy, Jaccard resemblance.
fn relation_of(r: &StageRelation, a: DocId, b: DocId) -> Relation {
    let evidence = match r.relation {
        RelationKind::Translation => Evidence::Alignment(TranslationEvidence {
            lang_a: String::new(),
            lang_b: String::new(),
            coverage_a: r.score,
            coverage_b: r.score,
            aligned: 0,
            sentences_a: 0,
            sentences_b: 0,
            similarity: 0.0,
        }),
        _ => Evidence::Shingles(PairEvidence {
            jaccard: r.jaccard,
            ..PairEvidence::default()
        }),
    };
    Relation {
        a,
        b,
        kind: r.relation,
        score: r.score,
        evidence,
    }
}

impl StagePair {
    /// The line between `x`, a copy of the first document, and `y`, a copy of the second (their
    /// places in input order): what the command line writes for them.
    pub fn between(&self, x: i64, y: i64) -> StageLine {
        let (mut a, mut b) = if self.first_is_a { (x, y) } else { (y, x) };
        let mut evidence = self.evidence.clone();
        if self.relation.is_symmetric() && a > b {
            std::mem::swap(&mut a, &mut b);
            evidence = evidence.swapped();
        }
        StageLine {
            a,
            b,
            relation: self.relation,
            score: crate::output::round4(self.score),
            unrounded: (
                self.score,
                match &evidence {
                    Evidence::Shingles(e) => e.jaccard,
                    Evidence::Alignment(_) => 0.0,
                },
            ),
            evidence: crate::output::rounded(&evidence),
        }
    }
}

/// A blob's fingerprint, its shingles owned.
struct Decoded {
    words: u32,
    exact: u128,
    simhash: u64,
    shingles: ShingleSet,
}

impl Decoded {
    fn as_ref(&self) -> FingerprintRef<'_> {
        FingerprintRef {
            words: self.words,
            exact: self.exact,
            simhash: SimHash64(self.simhash),
            shingles: self.shingles.view(),
        }
    }
}

fn decode(blob: &[u8]) -> Result<Decoded, BlobError> {
    let bad = || BlobError { len: blob.len() };
    if blob.len() < HEAD || !(blob.len() - HEAD).is_multiple_of(4) {
        return Err(bad());
    }
    let (head, rest) = blob.split_at(HEAD);
    let words = u32::from_le_bytes(head[0..4].try_into().map_err(|_| bad())?);
    let exact = u128::from_le_bytes(head[4..20].try_into().map_err(|_| bad())?);
    let simhash = u64::from_le_bytes(head[20..28].try_into().map_err(|_| bad())?);
    let values: Vec<u32> = rest
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    if values.windows(2).any(|w| w[0] >= w[1]) {
        return Err(bad());
    }
    Ok(Decoded {
        words,
        exact,
        simhash,
        shingles: ShingleSet::of_sorted(values),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("w{i} ")).collect()
    }

    #[test]
    fn an_excerpt_is_related_as_one_run_relates_it() {
        let stages = Stages::new(Matcher::new(Config::default()).unwrap());
        let long = stages.features(&words(0..400));
        let part = stages.features(&words(100..200));
        let found = stages.relate(&part.blob, &long.blob).unwrap().unwrap();
        assert_eq!(found.relation, RelationKind::Containment);
        // The container is named first, whichever order the pair came in.
        assert!(!found.first_is_a);
        let line = found.between(7, 3);
        assert_eq!((line.a, line.b), (3, 7));
        assert_eq!(line.score, 1.0);
    }

    #[test]
    fn a_symmetric_relation_names_the_earlier_copy_first() {
        let stages = Stages::new(Matcher::new(Config::default()).unwrap());
        let a = stages.features(&words(0..300));
        let b = stages.features(&(words(0..290) + "extra words here"));
        let found = stages.relate(&a.blob, &b.blob).unwrap().unwrap();
        assert_eq!(found.relation, RelationKind::NearDuplicate);
        let straight = found.between(1, 2);
        let crossed = found.between(9, 2);
        assert_eq!((crossed.a, crossed.b), (2, 9));
        match (&straight.evidence, &crossed.evidence) {
            (Evidence::Shingles(s), Evidence::Shingles(c)) => {
                assert_eq!((s.words_a, s.words_b), (c.words_b, c.words_a));
            }
            _ => panic!("copy evidence expected"),
        }
    }

    #[test]
    fn a_damaged_blob_is_an_error_not_a_panic() {
        let stages = Stages::new(Matcher::new(Config::default()).unwrap());
        let a = stages.features("one two three four five");
        assert!(stages.relate(&a.blob[..5], &a.blob).is_err());
        let mut unsorted = a.blob.clone();
        unsorted.extend_from_slice(&0u32.to_le_bytes());
        assert!(stages.relate(&unsorted, &a.blob).is_err());
        assert!(stages.mate(&a.blob).unwrap().is_some());
    }

    #[test]
    fn short_documents_are_not_looked_up_as_contained() {
        let stages = Stages::new(Matcher::new(Config::default()).unwrap());
        assert!(stages.probe_plan(5, &[3, 4]).is_none());
        let plan = stages.probe_plan(100, &[0, 5, 1, 5]).unwrap();
        // The most common first, ties in order; an anchor of one document counts as none.
        assert_eq!(plan.order, vec![1, 3, 0, 2]);
    }
}
