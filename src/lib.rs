//! twinwire finds the twins in a pile of news articles: exact and near-duplicate copies and articles
//! quoted inside other articles, pair by pair and cluster by cluster, with evidence.
//!
//! The pipeline, one module a stage, in the order data flows:
//! [`corpus`] (read) -> [`text`] (fold, tokenize) -> [`fingerprint`] (shingles, SimHash, MinHash) ->
//! [`candidates`] (sub-quadratic tables) -> [`score`] (exact, parallel) -> [`relate`] (pair ->
//! relation) -> [`cluster`] (representatives) -> [`output`] (JSONL, atomic files).
//! [`pipeline::analyze`] runs it end to end; [`Config`] holds every parameter.

pub mod candidates;
pub mod cluster;
pub mod config;
pub mod corpus;
pub mod crosslingual;
pub mod fingerprint;
pub mod gen;
pub mod keep;
pub mod output;
pub mod pipeline;
pub mod relate;
pub mod report;
pub mod score;
pub mod stream;
pub mod text;

pub use config::Config;

/// A document's position in input order (0-based). The user-facing id is a string in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(pub u32);

impl DocId {
    /// The position as an index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
