//! Every tunable of the matcher in one place, with its default and why. The command line's
//! defaults are read from here.
//!
//! Defaults are justified by measurements recorded in BENCHMARKS.md ("Choosing the defaults").

use crate::crosslingual::translate::TranslationParams;
use crate::error::Error;
use crate::fingerprint::MinHashParams;
use crate::relate::RelationKind;

/// What counts as a twin: the parameters of the matching pipeline.
///
/// Start from [`Config::default`] and change what you need with the `with_` methods; the MinHash
/// table shape follows the threshold unless set with [`Config::with_minhash_shape`].
/// [`Config::validate`] (called by [`crate::Matcher::new`]) checks the values.
///
/// ```
/// use twinwire::{Config, RelationKind};
///
/// let config = Config::default()
///     .with_threshold(0.8)
///     .with_relations([RelationKind::Exact, RelationKind::NearDuplicate]);
/// assert_eq!(config.minhash_shape(), (31, 8)); // derived from the threshold
/// config.validate()?;
/// # Ok::<(), twinwire::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Words per shingle. 3 keeps a 1-2% typo rate from destroying the resemblance of a re-sent
    /// story (each typo removes at most 3 shingles) while two different articles on the same event
    /// share almost no 3-word runs.
    pub(crate) shingle_size: usize,
    /// Jaccard resemblance of shingle sets at or above which two documents are near-duplicates.
    pub(crate) threshold: f64,
    /// Share of the shorter document's shingles found in the longer one at or above which the longer
    /// contains the shorter.
    pub(crate) containment: f64,
    /// Fewest words a document needs to be reported as contained in another: a dateline or a
    /// one-line brief is "contained" in every article that repeats it, which tells nobody anything.
    pub(crate) min_contained_words: u32,
    /// LSH table shape for near-duplicate candidates, derived from the threshold by
    /// [`MinHashParams::for_threshold`] unless set: 42 bands of 3 at 0.5 find a pair at J = 0.5
    /// with probability 0.996 and at J = 0.1 with probability 0.04.
    pub(crate) minhash: MinHashParams,
    /// Whether `minhash` was set by the user (else it follows the threshold).
    pub(crate) minhash_set: bool,
    /// Anchor sampling rate for the containment index: one shingle in `anchor_modulus` (power of two).
    pub(crate) anchor_modulus: u32,
    /// Anchors shared by more documents than this are boilerplate and are not indexed.
    pub(crate) max_anchor_postings: usize,
    /// Translation detection (candidates and alignment).
    pub(crate) translation: TranslationParams,
    /// Which relations to report.
    pub(crate) relations: Vec<RelationKind>,
    /// Score every pair of documents instead of the candidate tables (quadratic: for tests, small
    /// corpora and measuring the recall of the candidate tables).
    pub(crate) exhaustive: bool,
    /// Only the pairs with a document at or after this one are wanted (an index `add`): the
    /// containment search leaves out pairs of two earlier exact groups. Not a user setting.
    pub(crate) pairs_from: Option<u32>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            shingle_size: 3,
            threshold: 0.5,
            containment: 0.8,
            min_contained_words: 20,
            minhash: MinHashParams::for_threshold(0.5),
            minhash_set: false,
            anchor_modulus: 4,
            max_anchor_postings: 1000,
            translation: TranslationParams::default(),
            relations: RelationKind::ALL.to_vec(),
            exhaustive: false,
            pairs_from: None,
        }
    }
}

/// Setters: each returns the changed configuration.
impl Config {
    /// Only pairs with a document at or after `from` are wanted (see the field).
    pub(crate) fn with_pairs_from(mut self, from: Option<u32>) -> Config {
        self.pairs_from = from;
        self
    }

    /// Near-duplicate threshold: Jaccard resemblance of word-shingle sets, in (0, 1]. Default 0.5.
    pub fn with_threshold(mut self, threshold: f64) -> Config {
        self.threshold = threshold;
        if !self.minhash_set {
            self.minhash = MinHashParams::for_threshold(threshold);
        }
        self
    }

    /// Containment threshold: share of the shorter document's shingles found in the longer, in
    /// (0, 1]. Default 0.8.
    pub fn with_containment(mut self, containment: f64) -> Config {
        self.containment = containment;
        self
    }

    /// Words per shingle, 1 to 16. Default 3.
    pub fn with_shingle_size(mut self, words: usize) -> Config {
        self.shingle_size = words;
        self
    }

    /// Fewest words a document needs to be reported as contained in another. Default 20.
    pub fn with_min_contained_words(mut self, words: u32) -> Config {
        self.min_contained_words = words;
        self
    }

    /// The relations to report (repeats are ignored). Default: all four.
    pub fn with_relations(mut self, kinds: impl IntoIterator<Item = RelationKind>) -> Config {
        self.relations.clear();
        for k in kinds {
            if !self.relations.contains(&k) {
                self.relations.push(k);
            }
        }
        self
    }

    /// Translation: share of the shorter document's sentences the alignment must cover, in
    /// [0, 1]. Default 0.45.
    pub fn with_translation_coverage(mut self, share: f64) -> Config {
        self.translation.min_coverage = share;
        self
    }

    /// Translation: mean similarity of the aligned sentences needed, in [0, 1]. Default 0.33.
    pub fn with_translation_similarity(mut self, similarity: f64) -> Config {
        self.translation.min_similarity = similarity;
        self
    }

    /// Score every pair instead of using the candidate tables (quadratic: small corpora and
    /// measuring recall). Default false.
    pub fn with_exhaustive(mut self, exhaustive: bool) -> Config {
        self.exhaustive = exhaustive;
        self
    }

    /// Expert: the near-duplicate LSH table, `bands` bands of `rows` MinHash values (at most 1024
    /// values in all). Default: chosen from the threshold (42 x 3 at 0.5; see BENCHMARKS.md).
    pub fn with_minhash_shape(mut self, bands: usize, rows: usize) -> Config {
        self.minhash = MinHashParams { bands, rows };
        self.minhash_set = true;
        self
    }

    /// Every translation parameter at once (the project's own tests).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn with_translation_params(mut self, params: TranslationParams) -> Config {
        self.translation = params;
        self
    }

    /// Expert: one shingle in `modulus` is an anchor of the containment index (a power of two).
    /// Default 4.
    pub fn with_anchor_modulus(mut self, modulus: u32) -> Config {
        self.anchor_modulus = modulus;
        self
    }
}

/// Getters.
impl Config {
    /// Near-duplicate threshold.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Containment threshold.
    pub fn containment(&self) -> f64 {
        self.containment
    }

    /// Words per shingle.
    pub fn shingle_size(&self) -> usize {
        self.shingle_size
    }

    /// Fewest words of a contained document.
    pub fn min_contained_words(&self) -> u32 {
        self.min_contained_words
    }

    /// The relations reported.
    pub fn relations(&self) -> &[RelationKind] {
        &self.relations
    }

    /// Translation: coverage needed.
    pub fn translation_coverage(&self) -> f64 {
        self.translation.min_coverage
    }

    /// Translation: mean similarity needed.
    pub fn translation_similarity(&self) -> f64 {
        self.translation.min_similarity
    }

    /// Whether every pair is scored.
    pub fn exhaustive(&self) -> bool {
        self.exhaustive
    }

    /// The near-duplicate LSH table as (bands, rows).
    pub fn minhash_shape(&self) -> (usize, usize) {
        (self.minhash.bands, self.minhash.rows)
    }

    /// One shingle in this many is a containment anchor.
    pub fn anchor_modulus(&self) -> u32 {
        self.anchor_modulus
    }

    /// Anchors shared by more documents than this are not indexed (the project's own tests).
    #[cfg(feature = "internals")]
    #[doc(hidden)]
    pub fn max_anchor_postings(&self) -> usize {
        self.max_anchor_postings
    }

    /// Whether `kind` is among the relations to report.
    pub fn wants(&self, kind: RelationKind) -> bool {
        self.relations.contains(&kind)
    }

    /// Checks every value; the error names the parameter, what is wrong and what is allowed.
    pub fn validate(&self) -> Result<(), Error> {
        let unit = |x: f64| x > 0.0 && x <= 1.0;
        if !unit(self.threshold) {
            let got = self.threshold;
            return Err(Error::config(
                "threshold",
                format!("must be in (0, 1], got {got}"),
            ));
        }
        if !unit(self.containment) {
            let got = self.containment;
            return Err(Error::config(
                "containment",
                format!("must be in (0, 1], got {got}"),
            ));
        }
        if self.shingle_size == 0 || self.shingle_size > 16 {
            let got = self.shingle_size;
            return Err(Error::config(
                "shingle_size",
                format!("must be 1 to 16, got {got}"),
            ));
        }
        let MinHashParams { bands, rows } = self.minhash;
        if bands == 0 || rows == 0 || bands * rows > 1024 {
            return Err(Error::config(
                "minhash_bands",
                format!("and minhash_rows must be at least 1, with at most 1024 values in all, got {bands} x {rows}"),
            ));
        }
        if !self.anchor_modulus.is_power_of_two() {
            let got = self.anchor_modulus;
            return Err(Error::config(
                "anchor_modulus",
                format!("must be a power of two, got {got}"),
            ));
        }
        for (name, x) in [
            ("translation_coverage", self.translation.min_coverage),
            ("translation_similarity", self.translation.min_similarity),
        ] {
            if !(0.0..=1.0).contains(&x) {
                return Err(Error::config(name, format!("must be in [0, 1], got {x}")));
            }
        }
        if self.relations.is_empty() {
            return Err(Error::config("relations", "names no relation"));
        }
        Ok(())
    }
}
