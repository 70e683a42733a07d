//! [`Signature`]: a document's features, for users who build their own tables (the Spark plan).

use rayon::prelude::*;
use serde::Serialize;

use crate::config::Config;
use crate::fingerprint::Fingerprint;

/// What the matcher knows of one document's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signature {
    /// Words after folding.
    pub words: u32,
    /// Hash of the whole folded text: equal for texts identical after normalization (0 for a
    /// text without words).
    pub exact: u128,
    /// SimHash of the shingles.
    pub simhash: u64,
    /// One MinHash band key per band of the near-duplicate table (empty without words): two
    /// documents sharing a key in the same band are candidates.
    pub bands: Vec<u32>,
    /// The word shingles hashed to 32 bits, sorted and unique: exact scoring intersects these.
    pub shingles: Vec<u32>,
}

impl Signature {
    pub(crate) fn of_texts<S: AsRef<str> + Sync>(texts: &[S], config: &Config) -> Vec<Signature> {
        texts
            .par_iter()
            .map(|t| Signature::of(Fingerprint::of_text(t.as_ref(), config)))
            .collect()
    }

    fn of(f: Fingerprint) -> Signature {
        Signature {
            words: f.words,
            exact: f.exact,
            simhash: f.simhash.0,
            bands: f.bands,
            shingles: f.shingles.as_slice().to_vec(),
        }
    }
}
