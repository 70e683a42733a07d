//! Every tunable of the matcher in one place, with its default and why.
//!
//! Defaults are justified by measurements recorded in BENCHMARKS.md ("Choosing the defaults").

use crate::crosslingual::translate::TranslationParams;
use crate::fingerprint::MinHashParams;
use crate::relate::RelationKind;

/// Parameters of the matching pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Words per shingle. 3 keeps a 1-2% typo rate from destroying the resemblance of a re-sent
    /// story (each typo removes at most 3 shingles) while two different articles on the same event
    /// share almost no 3-word runs.
    pub shingle_size: usize,
    /// Jaccard resemblance of shingle sets at or above which two documents are near-duplicates.
    pub threshold: f64,
    /// Share of the shorter document's shingles found in the longer one at or above which the longer
    /// contains the shorter.
    pub containment: f64,
    /// Fewest words a document needs to be reported as contained in another: a dateline or a
    /// one-line brief is "contained" in every article that repeats it, which tells nobody anything.
    pub min_contained_words: u32,
    /// LSH table shape for near-duplicate candidates, derived from the threshold by
    /// [`MinHashParams::for_threshold`]: 42 bands of 3 at 0.5 find a pair at J = 0.5 with probability
    /// 0.996 and at J = 0.1 with probability 0.04.
    pub minhash: MinHashParams,
    /// Anchor sampling rate for the containment index: one shingle in `anchor_modulus` (power of two).
    pub anchor_modulus: u32,
    /// Anchors shared by more documents than this are boilerplate and are not indexed.
    pub max_anchor_postings: usize,
    /// Translation detection (candidates and alignment).
    pub translation: TranslationParams,
    /// Which relations to report.
    pub relations: Vec<RelationKind>,
    /// Score every pair of documents instead of the candidate tables (quadratic: for tests, small
    /// corpora and measuring the recall of the candidate tables).
    pub exhaustive: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            shingle_size: 3,
            threshold: 0.5,
            containment: 0.8,
            min_contained_words: 20,
            minhash: MinHashParams::for_threshold(0.5),
            anchor_modulus: 4,
            max_anchor_postings: 1000,
            translation: TranslationParams::default(),
            relations: RelationKind::ALL.to_vec(),
            exhaustive: false,
        }
    }
}

impl Config {
    /// Whether `kind` is among the relations to report.
    pub fn wants(&self, kind: RelationKind) -> bool {
        self.relations.contains(&kind)
    }

    /// Checks the values a user can set; the message says which one is wrong and what is allowed.
    pub fn validate(&self) -> Result<(), String> {
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            return Err(format!(
                "--threshold must be in (0, 1], got {}",
                self.threshold
            ));
        }
        if !(self.containment > 0.0 && self.containment <= 1.0) {
            return Err(format!(
                "--containment must be in (0, 1], got {}",
                self.containment
            ));
        }
        if self.shingle_size == 0 || self.shingle_size > 16 {
            return Err(format!(
                "--shingle-size must be 1 to 16, got {}",
                self.shingle_size
            ));
        }
        if self.minhash.bands == 0
            || self.minhash.rows == 0
            || self.minhash.bands * self.minhash.rows > 1024
        {
            return Err("--minhash-bands and --minhash-rows must be at least 1, with at most 1024 values in all".to_string());
        }
        if !self.anchor_modulus.is_power_of_two() {
            return Err(format!(
                "--anchor-modulus must be a power of two, got {}",
                self.anchor_modulus
            ));
        }
        if self.relations.is_empty() {
            return Err("--relations names no relation".to_string());
        }
        Ok(())
    }
}
