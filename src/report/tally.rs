//! The pairs of a run, counted as they stream by: how many of each relation, how their scores
//! spread, and the first ones to list on the page (memory does not grow past the cap).

use crate::relate::RelationKind;
use crate::DocId;

/// Score bins of the histograms, over [0, 1].
pub const BINS: usize = 20;

/// One pair listed on the page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ListedPair {
    pub a: DocId,
    pub b: DocId,
    pub kind: RelationKind,
    pub score: f64,
}

/// Counts, score histograms and the listed pairs.
#[derive(Debug, Clone)]
pub struct PairTally {
    /// Pairs of each relation, in [`RelationKind::ALL`] order.
    pub counts: [u64; 4],
    /// For each relation, how many pairs have a score in each of [`BINS`] equal bins.
    pub histograms: [[u64; BINS]; 4],
    /// The first pairs, in the order they came.
    pub listed: Vec<ListedPair>,
    /// How many pairs came past the cap.
    pub left_out: u64,
    cap: usize,
}

impl PairTally {
    /// A tally that lists at most `cap` pairs.
    pub fn new(cap: usize) -> PairTally {
        PairTally {
            counts: [0; 4],
            histograms: [[0; BINS]; 4],
            listed: Vec::new(),
            left_out: 0,
            cap,
        }
    }

    /// Counts one pair, and lists it while there is room.
    pub fn add(&mut self, pair: ListedPair) {
        let k = kind_index(pair.kind);
        self.counts[k] += 1;
        self.histograms[k][bin(pair.score)] += 1;
        if self.listed.len() < self.cap {
            self.listed.push(pair);
        } else {
            self.left_out += 1;
        }
    }

    /// Every pair counted.
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// The position of `kind` in [`RelationKind::ALL`].
pub(crate) fn kind_index(kind: RelationKind) -> usize {
    RelationKind::ALL
        .iter()
        .position(|&k| k == kind)
        .unwrap_or(0)
}

/// The bin of a score; 1.0 falls in the last bin, anything out of [0, 1] in the nearest.
fn bin(score: f64) -> usize {
    let b = (score * BINS as f64).floor();
    if b.is_nan() || b < 0.0 {
        0
    } else {
        (b as usize).min(BINS - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_everything_and_lists_up_to_the_cap() {
        let mut t = PairTally::new(2);
        for (i, s) in [1.0, 0.5, 0.52, 0.0].into_iter().enumerate() {
            t.add(ListedPair {
                a: DocId(0),
                b: DocId(i as u32 + 1),
                kind: RelationKind::NearDuplicate,
                score: s,
            });
        }
        assert_eq!(t.total(), 4);
        assert_eq!(t.listed.len(), 2);
        assert_eq!(t.left_out, 2);
        let h = t.histograms[kind_index(RelationKind::NearDuplicate)];
        assert_eq!((h[0], h[10], h[BINS - 1]), (1, 2, 1));
    }
}
