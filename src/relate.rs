//! Pair -> relation: what one document is to another, with the evidence a user needs to check it.
//!
//! One relation per pair, the most specific one the user asked for: an exact copy is reported as
//! `exact` (or as a `near_duplicate` of resemblance 1 when only near-duplicates were asked for). An
//! excerpt is an excerpt: when b lies mostly inside a (containment of b in a at the threshold C) but a
//! does not lie mostly inside b, the pair is a `containment` even when its Jaccard resemblance
//! reaches the near-duplicate threshold (a 75% excerpt); when both lie mostly inside each other (a
//! copy missing a paragraph) it is a `near_duplicate`. Symmetric relations name
//! the documents in input order; a containment names the container first (`a` contains `b`).
//! Translations are decided in [`crate::crosslingual`] and carry alignment evidence instead.

use crate::config::Config;
use crate::crosslingual::translate::TranslationEvidence;
use crate::fingerprint::FingerprintRef;
use crate::score::{score_at_least, PairScore};
use crate::DocId;

/// The kinds of relation twinwire reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RelationKind {
    /// Identical after normalization.
    Exact,
    /// Shingle-set resemblance at or above the threshold.
    NearDuplicate,
    /// Most of `b`'s shingles are in `a`, and `b` is much shorter.
    Containment,
    /// The same report in two languages.
    Translation,
}

impl RelationKind {
    /// The duplicate relations, strongest first.
    pub const DUPLICATES: [RelationKind; 3] = [
        RelationKind::Exact,
        RelationKind::NearDuplicate,
        RelationKind::Containment,
    ];

    /// Every relation, in the order of the output's summaries.
    pub const ALL: [RelationKind; 4] = [
        RelationKind::Exact,
        RelationKind::NearDuplicate,
        RelationKind::Containment,
        RelationKind::Translation,
    ];

    /// The name used on the command line and in the output.
    pub fn name(self) -> &'static str {
        match self {
            RelationKind::Exact => "exact",
            RelationKind::NearDuplicate => "near_duplicate",
            RelationKind::Containment => "containment",
            RelationKind::Translation => "translation",
        }
    }

    /// Parses a name from the command line.
    pub fn parse(name: &str) -> Option<RelationKind> {
        RelationKind::ALL
            .into_iter()
            .find(|k| k.name() == name.trim())
    }

    /// Whether the relation reads the same both ways.
    pub fn is_symmetric(self) -> bool {
        self != RelationKind::Containment
    }

    /// Whether one of the two documents is a copy of the other (`dedupe` drops one; translations
    /// are related but both are kept).
    pub fn is_duplicate(self) -> bool {
        self != RelationKind::Translation
    }
}

/// The numbers behind a copy relation (exact, near-duplicate, containment); its field names are
/// those of `twinwire pairs` output.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct PairEvidence {
    /// Jaccard resemblance of the shingle sets.
    pub jaccard: f64,
    /// Share of b's shingles found in a.
    pub containment: f64,
    /// Differing SimHash bits (of 64).
    pub hamming: u32,
    /// Shingles in both.
    pub shared_shingles: usize,
    /// a's distinct shingles.
    pub shingles_a: usize,
    /// b's distinct shingles.
    pub shingles_b: usize,
    /// a's words.
    pub words_a: u32,
    /// b's words.
    pub words_b: u32,
}

/// The measures behind a relation; serialized, its fields are those of a `twinwire pairs` line.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(untagged)]
pub enum Evidence {
    /// Shingle-set measures (exact, near-duplicate, containment).
    Shingles(PairEvidence),
    /// Sentence alignment (translation).
    Alignment(TranslationEvidence),
}

impl Evidence {
    /// The same measures read from the other side (a and b exchanged).
    pub fn swapped(&self) -> Evidence {
        match self {
            Evidence::Shingles(e) => Evidence::Shingles(PairEvidence {
                // The share of the new b (the old a) found in the new a, as scoring makes it.
                containment: if e.shingles_a == 0 {
                    0.0
                } else {
                    e.shared_shingles as f64 / e.shingles_a as f64
                },
                shingles_a: e.shingles_b,
                shingles_b: e.shingles_a,
                words_a: e.words_b,
                words_b: e.words_a,
                ..*e
            }),
            Evidence::Alignment(e) => Evidence::Alignment(e.swapped()),
        }
    }
}

/// One related pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub a: DocId,
    pub b: DocId,
    pub kind: RelationKind,
    /// The number the relation was decided on: 1 for exact, the Jaccard resemblance, the containment
    /// of b in a, or for a translation the coverage of the document with fewer sentences.
    pub score: f64,
    pub evidence: Evidence,
}

impl Relation {
    /// The same relation between other documents with the same text (exact copies).
    pub fn moved_to(&self, a: DocId, b: DocId) -> Relation {
        let mut r = Relation {
            a,
            b,
            ..self.clone()
        };
        if self.kind.is_symmetric() && a > b {
            r.a = b;
            r.b = a;
            r.evidence = self.evidence.swapped();
        }
        r
    }

    /// Whether `rep`, one of the pair, may stand for the other in a cluster of duplicates (dedupe
    /// keeps `rep` and removes the other): either of two copies or near-duplicates, only the
    /// container of a containment unless the two also resemble each other ([`Self::resembles`]),
    /// never a translation.
    pub fn may_stand_for(&self, rep: DocId, config: &Config) -> bool {
        match self.kind {
            RelationKind::Translation => false,
            RelationKind::Containment => self.a == rep || self.resembles(config),
            _ => true,
        }
    }

    /// Whether the two documents resemble each other as near-duplicates do (Jaccard at the
    /// threshold, near-duplicates asked for), whatever the relation reported: an excerpt of three
    /// quarters of an article is reported as contained in it, and deduplicated as its near-duplicate.
    pub fn resembles(&self, config: &Config) -> bool {
        config.wants(RelationKind::NearDuplicate)
            && matches!(&self.evidence, Evidence::Shingles(e) if e.jaccard >= config.threshold)
    }

    #[cfg(any(test, feature = "internals"))]
    /// The shingle evidence, for copy relations.
    pub fn shingles(&self) -> Option<&PairEvidence> {
        match &self.evidence {
            Evidence::Shingles(e) => Some(e),
            Evidence::Alignment(_) => None,
        }
    }
}

/// Decides what `j` is to `i` (with `i < j`), if anything the configuration asks for.
pub fn relate<'a, 'b>(
    i: DocId,
    j: DocId,
    fi: impl Into<FingerprintRef<'a>>,
    fj: impl Into<FingerprintRef<'b>>,
    s: &PairScore,
    config: &Config,
) -> Option<Relation> {
    let (fi, fj): (FingerprintRef<'_>, FingerprintRef<'_>) = (fi.into(), fj.into());
    if fi.is_empty() || fj.is_empty() {
        return None;
    }
    let evidence = |a: FingerprintRef<'_>, b: FingerprintRef<'_>, b_in_a: f64| {
        Evidence::Shingles(PairEvidence {
            jaccard: s.jaccard,
            containment: b_in_a,
            hamming: s.hamming,
            shared_shingles: s.shared,
            shingles_a: a.shingles.len(),
            shingles_b: b.shingles.len(),
            words_a: a.words,
            words_b: b.words,
        })
    };
    let symmetric = |kind, score| Relation {
        a: i,
        b: j,
        kind,
        score,
        evidence: evidence(fi, fj, s.b_in_a),
    };
    if fi.exact == fj.exact && config.wants(RelationKind::Exact) {
        return Some(symmetric(RelationKind::Exact, 1.0));
    }
    let near_duplicate = s.jaccard >= config.threshold && config.wants(RelationKind::NearDuplicate);
    let containment = config
        .wants(RelationKind::Containment)
        .then(|| contained(i, j, fi, fj, s, config))
        .flatten();
    let mutual = s.a_in_b >= config.containment && s.b_in_a >= config.containment;
    match containment {
        // An excerpt is an excerpt: b mostly inside a, a not mostly inside b, whatever their
        // resemblance. Both mostly inside each other (a copy missing a paragraph) is a near-duplicate.
        Some((a, b, fa, fb, b_in_a)) if !near_duplicate || !mutual => Some(Relation {
            a,
            b,
            kind: RelationKind::Containment,
            score: b_in_a,
            evidence: evidence(fa, fb, b_in_a),
        }),
        _ if near_duplicate => Some(symmetric(RelationKind::NearDuplicate, s.jaccard)),
        _ => None,
    }
}

/// The relation of two exact copies a and b of one document whose fingerprint is `f` and whose
/// shingle count is `count`: a document against itself, which needs its count only (`f`'s
/// shingles may be its anchors alone, as an index holds its old documents: the scores and the
/// evidence are those of the whole set).
pub fn relate_copies(
    (a, b): (DocId, DocId),
    f: FingerprintRef<'_>,
    count: usize,
    config: &Config,
) -> Option<Relation> {
    let whole = if count == 0 { 0.0 } else { 1.0 };
    let s = PairScore {
        shared: count,
        jaccard: whole,
        a_in_b: whole,
        b_in_a: whole,
        hamming: 0,
    };
    let mut relation = relate(a, b, f, f, &s, config)?;
    if let Evidence::Shingles(e) = &mut relation.evidence {
        e.shingles_a = count;
        e.shingles_b = count;
    }
    Some(relation)
}

/// [`relate`] with the pair scored here: its shared shingles are counted only as long as they can
/// still make a relation ([`shared_needed`]), so a pair that is none is left early.
pub fn relate_scored(
    i: DocId,
    j: DocId,
    fi: FingerprintRef<'_>,
    fj: FingerprintRef<'_>,
    config: &Config,
) -> Option<Relation> {
    let s = score_at_least(fi, fj, shared_needed(fi, fj, config))?;
    relate(i, j, fi, fj, &s, config)
}

/// A number of shared shingles under which [`relate`] finds no relation between a and b, whatever
/// else they score (0 for exact copies, which relate whatever they share). It stays one under
/// the exact bars, so that no rounding of a ratio can make a pair it rules out reach one.
fn shared_needed(a: FingerprintRef<'_>, b: FingerprintRef<'_>, config: &Config) -> usize {
    if a.exact == b.exact && config.wants(RelationKind::Exact) {
        return 0;
    }
    let (na, nb) = (a.shingles.len(), b.shingles.len());
    let under = |bar: f64| (bar.ceil() as usize).saturating_sub(1);
    let mut need = usize::MAX;
    if config.wants(RelationKind::NearDuplicate) {
        // shared / (na + nb - shared) >= t  <=>  shared >= t (na + nb) / (1 + t).
        let t = config.threshold;
        need = need.min(under(t * (na + nb) as f64 / (1.0 + t)));
    }
    if config.wants(RelationKind::Containment) && na != nb {
        need = need.min(under(config.containment * na.min(nb) as f64));
    }
    need
}

/// [`relate`] for two documents in either order, scored here ([`relate_scored`]).
pub fn relate_either(
    (x, fx): (DocId, FingerprintRef<'_>),
    (y, fy): (DocId, FingerprintRef<'_>),
    config: &Config,
) -> Option<Relation> {
    let ((i, fi), (j, fj)) = if x < y {
        ((x, fx), (y, fy))
    } else {
        ((y, fy), (x, fx))
    };
    relate_scored(i, j, fi, fj, config)
}

/// The pair as (container, contained, their fingerprints, containment) when one holds at least
/// `containment` of the other's shingles and the contained one is long enough. The container is
/// the document with more shingles; equal sizes cannot be a containment.
fn contained<'f>(
    i: DocId,
    j: DocId,
    fi: FingerprintRef<'f>,
    fj: FingerprintRef<'f>,
    s: &PairScore,
    config: &Config,
) -> Option<(DocId, DocId, FingerprintRef<'f>, FingerprintRef<'f>, f64)> {
    let (a, b, fa, fb, b_in_a) = match fi.shingles.len().cmp(&fj.shingles.len()) {
        std::cmp::Ordering::Greater => (i, j, fi, fj, s.b_in_a),
        std::cmp::Ordering::Less => (j, i, fj, fi, s.a_in_b),
        std::cmp::Ordering::Equal => return None,
    };
    (b_in_a >= config.containment && fb.words >= config.min_contained_words)
        .then_some((a, b, fa, fb, b_in_a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::Fingerprint;
    use crate::score::score;

    fn text(range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("w{i} ")).collect()
    }

    fn rel(a: &str, b: &str, config: &Config) -> Option<Relation> {
        let (fa, fb) = (
            Fingerprint::of_text(a, config),
            Fingerprint::of_text(b, config),
        );
        relate(DocId(0), DocId(1), &fa, &fb, &score(&fa, &fb), config)
    }

    /// A pair scored only as far as a relation is possible gets the relation a whole score gives,
    /// at every size around the bars, for every set of relations and several thresholds.
    #[test]
    fn a_score_left_early_relates_as_a_whole_score() {
        let (mut seen, mut related) = (0, 0);
        for (threshold, containment) in [(0.5, 0.8), (0.3, 0.9), (0.9, 0.5), (1.0, 1.0)] {
            for relations in [
                &RelationKind::DUPLICATES[..],
                &[RelationKind::NearDuplicate],
                &[RelationKind::Containment],
                &[RelationKind::Exact],
            ] {
                let config = Config::default()
                    .with_threshold(threshold)
                    .with_containment(containment)
                    .with_min_contained_words(1)
                    .with_relations(relations.iter().copied());
                // b is a run of a's words shifted by `from`, with `extra` words of its own.
                for (len, from, extra) in [
                    (40, 0, 0),
                    (40, 3, 0),
                    (40, 10, 2),
                    (200, 20, 0),
                    (200, 60, 30),
                    (200, 100, 0),
                    (30, 29, 5),
                ] {
                    let a = text(0..len);
                    let b = format!("{}{}", text(from..len), text(1000..1000 + extra));
                    let (fa, fb) = (
                        Fingerprint::of_text(&a, &config),
                        Fingerprint::of_text(&b, &config),
                    );
                    let whole = relate(DocId(0), DocId(1), &fa, &fb, &score(&fa, &fb), &config);
                    let early =
                        relate_scored(DocId(0), DocId(1), (&fa).into(), (&fb).into(), &config);
                    assert_eq!(
                        early, whole,
                        "{threshold} {containment} {relations:?} {len} {from} {extra}"
                    );
                    seen += 1;
                    related += usize::from(whole.is_some());
                }
            }
        }
        // Both kinds of answer were met.
        assert!(related > 20 && seen - related > 20, "{related} of {seen}");
    }

    /// Two copies related from the document's anchors and count alone (as an index holds its old
    /// documents) give the relation two whole sets give, whatever relations are asked for.
    #[test]
    fn copies_relate_from_their_count_as_from_their_whole_set() {
        let all = Config::default();
        let no_exact = Config::default()
            .with_relations([RelationKind::NearDuplicate, RelationKind::Containment]);
        let texts = [text(0..2), text(0..3), text(0..40), text(5..400)];
        for config in [&all, &no_exact] {
            for t in &texts {
                let f = Fingerprint::of_text(t, config);
                let whole = relate(DocId(3), DocId(7), &f, &f, &score(&f, &f), config);
                let anchors: Vec<u32> = f.shingles.anchors(config.anchor_modulus).collect();
                let stored = FingerprintRef {
                    shingles: crate::fingerprint::Shingles::of_sorted(&anchors),
                    ..FingerprintRef::from(&f)
                };
                let count = f.shingles.len();
                assert!(anchors.len() < count || count < 4, "{t}");
                let from_count = relate_copies((DocId(3), DocId(7)), stored, count, config);
                assert_eq!(from_count, whole, "{t}");
            }
        }
    }

    #[test]
    fn exact_beats_near_duplicate() {
        let c = Config::default();
        let r = rel(
            "Hello, world: five soldiers.",
            "hello world five SOLDIERS",
            &c,
        )
        .unwrap();
        assert_eq!(r.kind, RelationKind::Exact);
        let only_near = Config {
            relations: vec![RelationKind::NearDuplicate],
            ..Config::default()
        };
        let r = rel(
            "Hello, world: five soldiers.",
            "hello world five SOLDIERS",
            &only_near,
        )
        .unwrap();
        assert_eq!((r.kind, r.score), (RelationKind::NearDuplicate, 1.0));
    }

    #[test]
    fn an_excerpt_is_contained_even_when_it_resembles_its_source() {
        let c = Config::default();
        // Three quarters of the article: Jaccard 0.74, the article 0.74 inside the excerpt.
        let r = rel(&text(0..200), &text(0..150), &c).unwrap();
        assert_eq!(
            (r.kind, r.a, r.b),
            (RelationKind::Containment, DocId(0), DocId(1))
        );
        assert!(r.shingles().unwrap().jaccard >= c.threshold);
        assert!(r.resembles(&c) && r.may_stand_for(DocId(1), &c));
        // Missing a tenth: both mostly inside each other.
        let r = rel(&text(0..200), &text(0..180), &c).unwrap();
        assert_eq!(r.kind, RelationKind::NearDuplicate);
        // Containment not asked for: the resemblance is what is reported.
        let only_near = c.clone().with_relations([RelationKind::NearDuplicate]);
        let r = rel(&text(0..200), &text(0..150), &only_near).unwrap();
        assert_eq!(r.kind, RelationKind::NearDuplicate);
        // Too short to be contained (under `min_contained_words`): a near-duplicate.
        let r = rel(&text(0..16), &text(0..12), &c).unwrap();
        assert_eq!(r.kind, RelationKind::NearDuplicate);
    }

    #[test]
    fn only_the_container_stands_for_a_containment_that_does_not_resemble() {
        let c = Config::default();
        let r = rel(&text(40..70), &text(0..200), &c).unwrap();
        assert!(!r.resembles(&c));
        assert!(r.may_stand_for(DocId(1), &c) && !r.may_stand_for(DocId(0), &c));
    }

    #[test]
    fn containment_names_the_container_first() {
        let c = Config::default();
        let r = rel(&text(40..70), &text(0..200), &c).unwrap();
        assert_eq!(r.kind, RelationKind::Containment);
        assert_eq!((r.a, r.b), (DocId(1), DocId(0)));
        assert_eq!(r.score, 1.0);
    }

    #[test]
    fn short_texts_are_not_reported_as_contained() {
        let c = Config::default();
        assert!(rel(&text(40..50), &text(0..200), &c).is_none());
    }

    #[test]
    fn unrelated_texts_are_not_related() {
        let c = Config::default();
        assert!(rel(&text(0..100), &text(100..200), &c).is_none());
    }

    #[test]
    fn moving_a_symmetric_relation_keeps_input_order() {
        let c = Config::default();
        let r = rel(&text(0..100), &text(0..101), &c).unwrap();
        let moved = r.moved_to(DocId(9), DocId(4));
        assert_eq!((moved.a, moved.b), (DocId(4), DocId(9)));
        assert_eq!(
            moved.shingles().unwrap().words_a,
            r.shingles().unwrap().words_b
        );
        // Its containment is the share of the new b in the new a, as if scored that way round.
        let (fa, fb) = (
            Fingerprint::of_text(&text(0..101), &c),
            Fingerprint::of_text(&text(0..100), &c),
        );
        let direct = relate(DocId(4), DocId(9), &fa, &fb, &score(&fa, &fb), &c).unwrap();
        assert_eq!(moved.evidence, direct.evidence);
    }
}

/// A run of text that two documents share, located in the second one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedPassage {
    /// Words in the run.
    pub words: usize,
    /// Byte range in the second document's original text.
    pub span: (usize, usize),
}

/// The runs of `b` made of shingles that also occur in `a`, longest first (ties in text order).
pub fn shared_passages(a: &str, b: &str, config: &Config) -> Vec<SharedPassage> {
    use crate::fingerprint::{hash_word, shingle_hashes, ShingleSet};
    use crate::text::for_each_token;
    let mut a_words = Vec::new();
    for_each_token(a, |t| a_words.push(hash_word(t.folded)));
    let a_set = ShingleSet::from_hashes(&shingle_hashes(&a_words, config.shingle_size));
    let (mut b_words, mut b_spans) = (Vec::new(), Vec::new());
    for_each_token(b, |t| {
        b_words.push(hash_word(t.folded));
        b_spans.push(t.span);
    });
    let k = config.shingle_size.max(1).min(b_words.len().max(1));
    let mut covered = vec![false; b_words.len()];
    for (i, s) in shingle_hashes(&b_words, config.shingle_size)
        .into_iter()
        .enumerate()
    {
        if a_set.contains((s >> 32) as u32) {
            covered[i..i + k].iter_mut().for_each(|c| *c = true);
        }
    }
    let mut runs = Vec::new();
    let mut i = 0;
    while i < covered.len() {
        if !covered[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < covered.len() && covered[i] {
            i += 1;
        }
        runs.push(SharedPassage {
            words: i - start,
            span: (b_spans[start].0, b_spans[i - 1].1),
        });
    }
    runs.sort_by_key(|r| (std::cmp::Reverse(r.words), r.span.0));
    runs
}

#[cfg(test)]
mod passage_tests {
    use super::*;

    #[test]
    fn finds_the_quoted_run() {
        let a = "The army said the attack had been foiled and the situation was under control.";
        let b = "In other news, officials insisted the attack had been foiled and the situation was under control, said X.";
        let p = shared_passages(a, b, &Config::default());
        assert_eq!(
            &b[p[0].span.0..p[0].span.1],
            "the attack had been foiled and the situation was under control"
        );
        assert_eq!(p[0].words, 11);
    }
}
