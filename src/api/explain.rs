//! [`Explanation`]: why two documents are (or are not) related, as a value; `twinwire explain`
//! prints it.

use serde::Serialize;

use crate::crosslingual::pivot::{PivotDoc, Pivoter};
use crate::crosslingual::translate::verify;
use crate::pipeline::{Analysis, DocInfo};
use crate::relate::{relate, shared_passages, Relation};
use crate::score::score;
use crate::{DocId, RelationKind};

/// Why two documents are (or are not) related.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The first document.
    pub a: ExplainedDoc,
    /// The second document.
    pub b: ExplainedDoc,
    /// The copy relation between them, if any (exact, near-duplicate or containment).
    pub copy: Option<CopyVerdict>,
    /// The shingle measures, each next to what it needs.
    pub measures: Measures,
    /// When the two are in different languages that translations are looked for in: the
    /// sentence alignment.
    pub translation: Option<TranslationCheck>,
    /// The runs of b made of shingles that also occur in a, longest first (not computed for a
    /// pair checked as a translation).
    pub passages: Vec<Passage>,
}

/// One of the two documents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainedDoc {
    /// Its id.
    pub id: String,
    /// Words after folding.
    pub words: u32,
    /// Distinct word shingles.
    pub shingles: usize,
    /// Where it was read (`FILE:LINE`, or `<memory>:N` for the N-th document given in memory).
    pub origin: String,
    /// Its language, given or detected (detected only when translations are looked for).
    pub lang: Option<String>,
}

/// A copy relation found between the two.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CopyVerdict {
    /// Exact, near-duplicate or containment.
    #[serde(serialize_with = "super::relation_name")]
    pub relation: RelationKind,
    /// Its score (unrounded).
    pub score: f64,
    /// For a containment, the id of the document that contains the other; else the first's.
    pub a: String,
    /// The other document's id.
    pub b: String,
}

/// The shingle measures of the pair and the thresholds they are held to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measures {
    /// Same text after normalization.
    pub identical: bool,
    /// Jaccard resemblance of the shingle sets.
    pub jaccard: f64,
    /// The near-duplicate threshold.
    pub threshold: f64,
    /// Share of a's shingles found in b.
    pub a_in_b: f64,
    /// Share of b's shingles found in a.
    pub b_in_a: f64,
    /// The containment threshold (of the shorter document).
    pub containment: f64,
    /// Fewest words a contained document needs.
    pub min_contained_words: u32,
    /// Shingles in both.
    pub shared_shingles: usize,
    /// Words per shingle.
    pub shingle_size: usize,
    /// Differing SimHash bits, of 64.
    pub hamming: u32,
    /// MinHash bands with the same key in both.
    pub bands_shared: usize,
    /// MinHash bands in all.
    pub bands: usize,
    /// Containment anchors in both.
    pub anchors_shared: usize,
}

/// The sentence alignment of two documents in different languages.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TranslationCheck {
    /// a's language.
    pub lang_a: String,
    /// b's language.
    pub lang_b: String,
    /// Aligned sentence groups.
    pub aligned: usize,
    /// Aligned groups needed.
    pub min_aligned: usize,
    /// Share of a's content sentences aligned.
    pub coverage_a: f64,
    /// a's content sentences.
    pub sentences_a: usize,
    /// Share of b's content sentences aligned.
    pub coverage_b: f64,
    /// b's content sentences.
    pub sentences_b: usize,
    /// Coverage of the shorter needed.
    pub min_coverage: f64,
    /// Mean similarity of the aligned groups.
    pub similarity: f64,
    /// Mean similarity needed.
    pub min_similarity: f64,
    /// Whether the alignment makes them translations.
    pub is_translation: bool,
    /// When it does: the score (the coverage of the document with fewer sentences).
    pub score: Option<f64>,
    /// Whether the translation candidate index proposes the pair (if not, it is not reported).
    pub proposed: bool,
    /// The aligned groups, in order.
    pub groups: Vec<AlignedGroup>,
}

/// One or two sentences of a facing one or two of b.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlignedGroup {
    /// Similarity of the two sides.
    pub similarity: f64,
    /// a's sentences, spaces collapsed.
    pub text_a: String,
    /// b's sentences, spaces collapsed.
    pub text_b: String,
}

/// A run of b's words that also occurs in a.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Passage {
    /// Words in the run.
    pub words: usize,
    /// The run as b has it.
    pub text: String,
}

impl Explanation {
    /// The relation a pair file reports for the two: the copy relation, else a translation.
    pub fn relation(&self) -> Option<RelationKind> {
        match (&self.copy, &self.translation) {
            (Some(c), _) => Some(c.relation),
            (None, Some(t)) if t.is_translation && t.proposed => Some(RelationKind::Translation),
            _ => None,
        }
    }

    /// Explains documents `i` and `j` of `analysis`, whose texts are `texts`.
    pub(crate) fn of(
        analysis: &Analysis,
        (i, j): (DocId, DocId),
        (ta, tb): (&str, &str),
        pivoter: &Pivoter,
    ) -> Explanation {
        let config = &analysis.config;
        let (di, dj) = (&analysis.docs[i.index()], &analysis.docs[j.index()]);
        let (lo, hi) = (i.min(j), i.max(j));
        let (flo, fhi) = (
            analysis.fingerprints.to_owned(lo.index()),
            analysis.fingerprints.to_owned(hi.index()),
        );
        let (flo, fhi) = (&flo, &fhi);
        let copy = relate(lo, hi, flo, fhi, &score(flo, fhi), config)
            .map(|r| CopyVerdict::of(&r, &analysis.docs));
        let pivots = (pivot(pivoter, di, ta), pivot(pivoter, dj, tb));
        let translation = match pivots {
            (Some(pa), Some(pb)) if pa.lang != pb.lang => {
                Some(TranslationCheck::of(analysis, (i, j), (&pa, &pb), (ta, tb)))
            }
            _ => None,
        };
        let passages = match translation {
            Some(_) => Vec::new(),
            None => shared_passages(ta, tb, config)
                .into_iter()
                .map(|p| Passage {
                    words: p.words,
                    text: tb[p.span.0..p.span.1].to_string(),
                })
                .collect(),
        };
        Explanation {
            a: ExplainedDoc::of(analysis, i),
            b: ExplainedDoc::of(analysis, j),
            copy,
            measures: Measures::of(analysis, i, j),
            translation,
            passages,
        }
    }
}

fn pivot(pivoter: &Pivoter, d: &DocInfo, text: &str) -> Option<PivotDoc> {
    pivoter.pivot(text, d.lang.as_deref()?)
}

impl ExplainedDoc {
    fn of(analysis: &Analysis, d: DocId) -> ExplainedDoc {
        let (doc, f) = (&analysis.docs[d.index()], &analysis.fingerprints[d.index()]);
        ExplainedDoc {
            id: doc.id.to_string(),
            words: f.words,
            shingles: analysis.fingerprints.shingle_count(d.index()),
            origin: doc.origin.to_string(),
            lang: doc.lang.map(|l| l.to_string()),
        }
    }
}

impl CopyVerdict {
    fn of(r: &Relation, docs: &[DocInfo]) -> CopyVerdict {
        CopyVerdict {
            relation: r.kind,
            score: r.score,
            a: docs[r.a.index()].id.to_string(),
            b: docs[r.b.index()].id.to_string(),
        }
    }
}

impl Measures {
    fn of(analysis: &Analysis, i: DocId, j: DocId) -> Measures {
        let config = &analysis.config;
        let (fi, fj) = (
            analysis.fingerprints.to_owned(i.index()),
            analysis.fingerprints.to_owned(j.index()),
        );
        let (fi, fj) = (&fi, &fj);
        let s = score(fi, fj);
        let bands_shared = fi.bands_shared_with(fj);
        let anchors_i: Vec<u32> = fi.shingles.anchors(config.anchor_modulus).collect();
        let anchors_shared = fj
            .shingles
            .anchors(config.anchor_modulus)
            .filter(|a| anchors_i.binary_search(a).is_ok())
            .count();
        Measures {
            identical: !fi.is_empty() && fi.exact == fj.exact,
            jaccard: s.jaccard,
            threshold: config.threshold,
            a_in_b: s.a_in_b,
            b_in_a: s.b_in_a,
            containment: config.containment,
            min_contained_words: config.min_contained_words,
            shared_shingles: s.shared,
            shingle_size: config.shingle_size,
            hamming: s.hamming,
            bands_shared,
            bands: config.minhash.bands,
            anchors_shared,
        }
    }
}

impl TranslationCheck {
    fn of(
        analysis: &Analysis,
        (i, j): (DocId, DocId),
        (pa, pb): (&PivotDoc, &PivotDoc),
        (ta, tb): (&str, &str),
    ) -> TranslationCheck {
        let p = &analysis.config.translation;
        let (alignment, evidence) = verify(pa, pb, p);
        let rep = |d: DocId| analysis.matched.groups.representative[d.index()];
        let (x, y) = (rep(i).min(rep(j)), rep(i).max(rep(j)));
        let proposed = analysis
            .matched
            .translation_candidate_pairs
            .binary_search(&(x, y))
            .is_ok();
        let group = |doc: &PivotDoc, text: &str, (lo, hi): (usize, usize)| -> String {
            let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
            let sentences = doc.sentences[lo..hi]
                .iter()
                .map(|s| flat(&text[s.span.0 as usize..s.span.1 as usize]));
            sentences.collect::<Vec<_>>().join(" ")
        };
        let groups = alignment
            .beads
            .iter()
            .map(|bead| AlignedGroup {
                similarity: bead.similarity,
                text_a: group(pa, ta, bead.a),
                text_b: group(pb, tb, bead.b),
            })
            .collect();
        TranslationCheck {
            lang_a: pa.lang.clone(),
            lang_b: pb.lang.clone(),
            aligned: alignment.beads.len(),
            min_aligned: p.min_aligned,
            coverage_a: alignment.coverage_a,
            sentences_a: pa.content_sentences(),
            coverage_b: alignment.coverage_b,
            sentences_b: pb.content_sentences(),
            min_coverage: p.min_coverage,
            similarity: alignment.similarity,
            min_similarity: p.min_similarity,
            is_translation: evidence.is_some(),
            score: evidence.as_ref().map(|e| e.shorter_coverage()),
            proposed,
            groups,
        }
    }
}
