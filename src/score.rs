//! Exact scoring of a pair of documents from their shingle sets, in parallel over many pairs.
//!
//! Candidate tables only propose pairs; every reported number comes from here, computed exactly on
//! the shingle sets. So precision does not depend on the sketches, only recall does.

#[cfg(any(test, feature = "internals"))]
use rayon::prelude::*;

#[cfg(test)]
use crate::fingerprint::Fingerprint;
use crate::fingerprint::FingerprintRef;
#[cfg(any(test, feature = "internals"))]
use crate::fingerprint::Fingerprints;
#[cfg(any(test, feature = "internals"))]
use crate::DocId;

/// How much two documents share.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    /// Shingles in both documents.
    pub shared: usize,
    /// |A ∩ B| / |A ∪ B| of the shingle sets.
    pub jaccard: f64,
    /// Share of a's shingles found in b.
    pub a_in_b: f64,
    /// Share of b's shingles found in a.
    pub b_in_a: f64,
    /// Differing SimHash bits.
    pub hamming: u32,
}

/// Scores one pair. Symmetric: swapping the documents swaps `a_in_b` and `b_in_a` and nothing else.
pub fn score<'a, 'b>(
    a: impl Into<FingerprintRef<'a>>,
    b: impl Into<FingerprintRef<'b>>,
) -> PairScore {
    let (a, b) = (a.into(), b.into());
    scores_of(a, b, a.shingles.intersection_len(b.shingles))
}

/// [`score`] for a pair that shares at least `need` shingles; `None`, found early, for one that
/// shares fewer ([`crate::fingerprint::Shingles::intersection_len_at_least`]).
pub fn score_at_least(
    a: FingerprintRef<'_>,
    b: FingerprintRef<'_>,
    need: usize,
) -> Option<PairScore> {
    let shared = a.shingles.intersection_len_at_least(b.shingles, need)?;
    Some(scores_of(a, b, shared))
}

/// The scores of a and b, which share `shared` shingles.
fn scores_of(a: FingerprintRef<'_>, b: FingerprintRef<'_>, shared: usize) -> PairScore {
    let (na, nb) = (a.shingles.len(), b.shingles.len());
    let union = na + nb - shared;
    let ratio = |x: usize, y: usize| if y == 0 { 0.0 } else { x as f64 / y as f64 };
    PairScore {
        shared,
        jaccard: ratio(shared, union),
        a_in_b: ratio(shared, na),
        b_in_a: ratio(shared, nb),
        hamming: a.simhash.hamming(b.simhash),
    }
}

#[cfg(any(test, feature = "internals"))]
/// Scores `pairs` in parallel, keeping what `keep` maps to `Some`, in the order of `pairs`.
pub fn score_pairs<T, F>(fingerprints: &Fingerprints, pairs: &[(DocId, DocId)], keep: F) -> Vec<T>
where
    T: Send,
    F: Fn(DocId, DocId, &PairScore) -> Option<T> + Sync,
{
    pairs
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(bi, bj), &(i, j)| {
                let s = score(
                    fingerprints.get(i.index(), bi),
                    fingerprints.get(j.index(), bj),
                );
                keep(i, j, &s)
            },
        )
        .flatten()
        .collect()
}

#[cfg(any(test, feature = "internals"))]
/// Scores every pair of `docs` (quadratic), keeping what `keep` maps to `Some`, in (i, j) order.
pub fn score_all_pairs<T, F>(fingerprints: &Fingerprints, docs: &[DocId], keep: F) -> Vec<T>
where
    T: Send,
    F: Fn(DocId, DocId, &PairScore) -> Option<T> + Sync,
{
    (0..docs.len())
        .into_par_iter()
        .flat_map_iter(|x| {
            let i = docs[x];
            let keep = &keep;
            let (mut bi, mut bj) = (Vec::new(), Vec::new());
            docs[x + 1..].iter().filter_map(move |&j| {
                let s = score(
                    fingerprints.get(i.index(), &mut bi),
                    fingerprints.get(j.index(), &mut bj),
                );
                keep(i, j, &s)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn identical_and_disjoint() {
        let c = Config::default();
        let a = Fingerprint::of_text("one two three four five six", &c);
        let b = Fingerprint::of_text("seven eight nine ten eleven twelve", &c);
        let s = score(&a, &a);
        assert_eq!(
            (s.jaccard, s.a_in_b, s.b_in_a, s.hamming),
            (1.0, 1.0, 1.0, 0)
        );
        let s = score(&a, &b);
        assert_eq!((s.shared, s.jaccard), (0, 0.0));
    }

    #[test]
    fn containment_is_directional() {
        let c = Config::default();
        let long = Fingerprint::of_text("a b c d e f g h i j k l", &c);
        let short = Fingerprint::of_text("d e f g h", &c);
        let s = score(&long, &short);
        assert_eq!(s.b_in_a, 1.0);
        assert!(s.a_in_b < 0.5);
    }

    #[test]
    fn empty_documents_score_zero() {
        let c = Config::default();
        let e = Fingerprint::of_text("", &c);
        let s = score(&e, &e);
        assert_eq!((s.jaccard, s.a_in_b, s.b_in_a), (0.0, 0.0, 0.0));
    }
}
