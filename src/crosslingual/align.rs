//! Monotonic sentence alignment of two pivot documents, in the spirit of Gale & Church (1993).
//!
//! Dynamic programming over the two sentence sequences finds the in-order pairing of sentences (one
//! to one, two to one, one to two, or skipped) with the highest total gain, where a pair's gain is
//! its similarity minus [`AlignParams::min_similarity`]: only pairs clearly more alike than chance
//! add to an alignment, and skipping costs nothing, so headers, comments and "related news" fall out
//! by themselves. Similarity is the share of content words the two sentences have in common in pivot
//! space (Dice), scaled by how alike their lengths are.
//!
//! A translation aligns most of its sentences in order; two articles on the same event share names
//! and numbers in a few sentences, in another order, and align little.

use super::pivot::{PivotDoc, PivotSentence};

/// Parameters of the alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlignParams {
    /// Similarity a sentence pair must exceed to be aligned.
    pub min_similarity: f64,
    /// Cost of merging two sentences into one bead (2-1 or 1-2), so that 1-1 is preferred.
    pub merge_penalty: f64,
}

impl Default for AlignParams {
    fn default() -> AlignParams {
        AlignParams {
            min_similarity: 0.25,
            merge_penalty: 0.05,
        }
    }
}

/// A group of aligned sentences: `a.0..a.1` of the first document with `b.0..b.1` of the second.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bead {
    pub a: (usize, usize),
    pub b: (usize, usize),
    pub similarity: f64,
}

/// The result of aligning two documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Alignment {
    /// Aligned beads, in order.
    pub beads: Vec<Bead>,
    /// Share of the first document's content sentences that are aligned.
    pub coverage_a: f64,
    /// Share of the second document's content sentences that are aligned.
    pub coverage_b: f64,
    /// Mean similarity of the aligned beads (0 when there is none).
    pub similarity: f64,
}

/// Similarity of a group of sentences of a (`tokens_a` content words, `chars_a` characters) with a
/// group of b, given the keys they share: the Dice share of content words in common, scaled by how
/// alike their lengths are.
fn similarity(shared: usize, tokens_a: usize, tokens_b: usize, chars_a: f64, chars_b: f64) -> f64 {
    if tokens_a == 0 || tokens_b == 0 {
        return 0.0;
    }
    let dice = (2.0 * shared as f64 / (tokens_a + tokens_b) as f64).min(1.0);
    let length = chars_a.min(chars_b) / chars_a.max(chars_b).max(1.0);
    dice * (0.6 + 0.4 * length)
}

/// Aligns two documents: the shared keys of every sentence pair, the dynamic programming table
/// over them, the beads traced back from its last cell, and what they cover.
pub fn align(a: &PivotDoc, b: &PivotDoc, params: &AlignParams) -> Alignment {
    let shared = SharedKeys::of(a, b);
    let table = Table::fill(a, b, &shared, params);
    let beads = table.beads();
    let similarity = if beads.is_empty() {
        0.0
    } else {
        beads.iter().map(|b| b.similarity).sum::<f64>() / beads.len() as f64
    };
    Alignment {
        coverage_a: coverage(a, &beads, |b| b.a),
        coverage_b: coverage(b, &beads, |b| b.b),
        similarity,
        beads,
    }
}

/// Keys shared by each sentence pair, counted once. A merged group (2-1, 1-2) shares the sum of
/// its members' counts, capped by the other side's content words (keys found in both members are
/// counted twice: rare, and only ever in favour of a merge that already aligns).
struct SharedKeys {
    counts: Vec<usize>,
    /// Sentences of b.
    m: usize,
}

impl SharedKeys {
    /// Through an index of b's keys: cheaper than n x m merges when sentences share few keys.
    fn of(a: &PivotDoc, b: &PivotDoc) -> SharedKeys {
        let (n, m) = (a.sentences.len(), b.sentences.len());
        let mut counts = vec![0usize; n * m];
        let mut b_index: Vec<(u32, u32)> = (0..m)
            .flat_map(|j| b.sentence_keys(j).iter().map(move |&k| (k, j as u32)))
            .collect();
        b_index.sort_unstable();
        for i in 0..n {
            for k in a.sentence_keys(i) {
                let start = b_index.partition_point(|e| e.0 < *k);
                for e in b_index[start..].iter().take_while(|e| e.0 == *k) {
                    counts[i * m + e.1 as usize] += 1;
                }
            }
        }
        SharedKeys { counts, m }
    }

    /// Keys sentence i of a shares with sentence j of b.
    fn get(&self, i: usize, j: usize) -> usize {
        self.counts[i * self.m + j]
    }
}

/// How a cell of the table was reached.
const SKIP_A: u8 = 0;
const SKIP_B: u8 = 1;
const ONE_ONE: u8 = 2;
const TWO_ONE: u8 = 3;
const ONE_TWO: u8 = 4;

/// The dynamic programming table: cell (i, j) is the best gain aligning the first i sentences
/// of a with the first j of b, how it was reached, and the similarity of its last bead.
struct Table {
    best: Vec<f64>,
    back: Vec<u8>,
    sims: Vec<f64>,
    n: usize,
    width: usize,
}

impl Table {
    fn fill(a: &PivotDoc, b: &PivotDoc, shared: &SharedKeys, params: &AlignParams) -> Table {
        let (n, m) = (a.sentences.len(), b.sentences.len());
        let width = m + 1;
        let mut table = Table {
            best: vec![0.0f64; (n + 1) * width],
            back: vec![0u8; (n + 1) * width],
            sims: vec![0.0f64; (n + 1) * width],
            n,
            width,
        };
        for i in 0..=n {
            for j in 0..=m {
                if i == 0 && j == 0 {
                    continue;
                }
                let (gain, back, sim) = table.choice(a, b, shared, params, (i, j));
                let k = i * width + j;
                table.best[k] = gain;
                table.back[k] = back;
                table.sims[k] = sim;
            }
        }
        table
    }

    /// The best way to reach cell (i, j): skip a sentence of a or of b, or end with a 1-1, 2-1
    /// or 1-2 bead whose similarity exceeds `min_similarity` (and the merge penalty).
    fn choice(
        &self,
        a: &PivotDoc,
        b: &PivotDoc,
        shared: &SharedKeys,
        params: &AlignParams,
        (i, j): (usize, usize),
    ) -> (f64, u8, f64) {
        let (sa, sb, width, best) = (&a.sentences, &b.sentences, self.width, &self.best);
        let s = |i: usize, j: usize| shared.get(i, j);
        let (t, c) = (
            |x: &PivotSentence| x.tokens as usize,
            |x: &PivotSentence| x.chars as f64,
        );
        // A group of sentences with `shared` keys among `tokens` content words in all: its
        // similarity is at most its Dice share, so most pairs are passed over without computing it.
        let hopeless = |shared: usize, tokens: usize| {
            2.0 * shared as f64 <= params.min_similarity * tokens as f64 * (1.0 - 1e-9)
        };
        let mut choice = (f64::NEG_INFINITY, SKIP_A, 0.0);
        if i > 0 {
            choice = (best[(i - 1) * width + j], SKIP_A, 0.0);
        }
        if j > 0 && best[i * width + j - 1] > choice.0 {
            choice = (best[i * width + j - 1], SKIP_B, 0.0);
        }
        let consider =
            |prev: usize, sim: f64, kind: u8, penalty: f64, choice: &mut (f64, u8, f64)| {
                let gain = sim - params.min_similarity - penalty;
                if gain > 0.0 && best[prev] + gain > choice.0 {
                    *choice = (best[prev] + gain, kind, sim);
                }
            };
        if i == 0 || j == 0 {
            return choice;
        }
        let (x, y) = (&sa[i - 1], &sb[j - 1]);
        let one = s(i - 1, j - 1);
        if !hopeless(one, t(x) + t(y)) {
            let sim = similarity(one, t(x), t(y), c(x), c(y));
            consider((i - 1) * width + j - 1, sim, ONE_ONE, 0.0, &mut choice);
        }
        if i > 1 {
            let w = &sa[i - 2];
            let common = (s(i - 2, j - 1) + one).min(t(y));
            if !hopeless(common, t(w) + t(x) + t(y)) {
                let sim = similarity(common, t(w) + t(x), t(y), c(w) + c(x), c(y));
                let prev = (i - 2) * width + j - 1;
                consider(prev, sim, TWO_ONE, params.merge_penalty, &mut choice);
            }
        }
        if j > 1 {
            let z = &sb[j - 2];
            let common = (s(i - 1, j - 2) + one).min(t(x));
            if !hopeless(common, t(x) + t(z) + t(y)) {
                let sim = similarity(common, t(x), t(z) + t(y), c(x), c(z) + c(y));
                let prev = (i - 1) * width + j - 2;
                consider(prev, sim, ONE_TWO, params.merge_penalty, &mut choice);
            }
        }
        choice
    }

    /// The beads of the best alignment, in order, traced back from the last cell.
    fn beads(&self) -> Vec<Bead> {
        let mut beads = Vec::new();
        let (mut i, mut j) = (self.n, self.width - 1);
        while i > 0 || j > 0 {
            let k = i * self.width + j;
            let (da, db) = match self.back[k] {
                SKIP_A => (1, 0),
                SKIP_B => (0, 1),
                ONE_ONE => (1, 1),
                TWO_ONE => (2, 1),
                _ => (1, 2),
            };
            if self.back[k] >= ONE_ONE {
                beads.push(Bead {
                    a: (i - da, i),
                    b: (j - db, j),
                    similarity: self.sims[k],
                });
            }
            i -= da;
            j -= db;
        }
        beads.reverse();
        beads
    }
}

/// Share of `doc`'s content sentences inside the beads (`side` picks its side of a bead).
fn coverage(doc: &PivotDoc, beads: &[Bead], side: fn(&Bead) -> (usize, usize)) -> f64 {
    let total = doc.content_sentences();
    if total == 0 {
        return 0.0;
    }
    let aligned: usize = beads
        .iter()
        .map(|bd| {
            let (lo, hi) = side(bd);
            doc.sentences[lo..hi]
                .iter()
                .filter(|s| s.tokens > 0)
                .count()
        })
        .sum();
    aligned as f64 / total as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(sentences: &[&[u32]]) -> PivotDoc {
        PivotDoc::from_sentences(
            "xx",
            sentences
                .iter()
                .map(|k| ((0, 0), k.to_vec(), k.len() as u16, 10 * k.len() as u32)),
        )
    }

    #[test]
    fn aligns_in_order_and_skips_extra_sentences() {
        let a = doc(&[&[1, 2, 3], &[4, 5, 6], &[7, 8, 9], &[90, 91, 92]]);
        let b = doc(&[&[50, 51], &[1, 2, 3], &[4, 5, 6], &[7, 8, 9]]);
        let al = align(&a, &b, &AlignParams::default());
        assert_eq!(al.beads.len(), 3);
        assert_eq!((al.beads[0].a, al.beads[0].b), ((0, 1), (1, 2)));
        assert_eq!(al.coverage_a, 0.75);
        assert_eq!(al.coverage_b, 0.75);
    }

    #[test]
    fn crossing_matches_are_not_aligned_both() {
        // Same content, reversed order: a monotonic alignment keeps at most one.
        let a = doc(&[&[1, 2, 3], &[4, 5, 6]]);
        let b = doc(&[&[4, 5, 6], &[1, 2, 3]]);
        assert_eq!(align(&a, &b, &AlignParams::default()).beads.len(), 1);
    }

    #[test]
    fn split_sentences_align_two_to_one() {
        let a = doc(&[&[1, 2, 3, 4, 5, 6]]);
        let b = doc(&[&[1, 2, 3], &[4, 5, 6]]);
        let al = align(&a, &b, &AlignParams::default());
        assert_eq!(al.beads.len(), 1);
        assert_eq!(al.beads[0].b, (0, 2));
        assert_eq!((al.coverage_a, al.coverage_b), (1.0, 1.0));
    }

    #[test]
    fn nothing_in_common_aligns_nothing() {
        let a = doc(&[&[1, 2], &[3, 4]]);
        let b = doc(&[&[5, 6], &[7, 8]]);
        let al = align(&a, &b, &AlignParams::default());
        assert!(al.beads.is_empty());
        assert_eq!((al.coverage_a, al.similarity), (0.0, 0.0));
    }
}
