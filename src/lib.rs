//! twinwire finds the twins in a pile of news articles: exact and near-duplicate copies, articles
//! quoted inside other articles, and the French and English versions of the same report, pair by
//! pair and cluster by cluster, with evidence.
//!
//! The front door is a [`Matcher`] made from a [`Config`]: give it [`Document`]s and it returns the
//! related [`Pair`]s, a [`Dedupe`] (clusters, the copy kept of each, the documents removed), or the
//! [`Explanation`] of one pair. Documents can come from memory or from the files the command line
//! reads ([`read`]).
//!
//! ```
//! use twinwire::{Config, Document, Matcher, RelationKind};
//!
//! let story = "The army said on Tuesday that gunmen attacked a police school in Bamako at dawn, \
//!              killing several recruits before troops regained control of the area.";
//! let docs = vec![
//!     Document::new("afp", story),
//!     Document::new("copy", format!("{story} Read more on our site.")),
//!     Document::new("other", "Wheat prices rose on Monday after a dry spell in the plains."),
//! ];
//! let matcher = Matcher::new(Config::default().with_threshold(0.5))?;
//! let pairs = matcher.pairs(&docs)?;
//! assert_eq!(pairs.len(), 1);
//! assert_eq!((pairs[0].a.as_str(), pairs[0].b.as_str()), ("afp", "copy"));
//! assert_eq!(pairs[0].relation, RelationKind::NearDuplicate);
//! # Ok::<(), twinwire::Error>(())
//! ```
//!
//! The pipeline inside, one module a stage, in the order data flows: `corpus` (read) -> `text`
//! (fold, tokenize) -> `fingerprint` (shingles, SimHash, MinHash) -> `candidates` (sub-quadratic
//! tables) -> `score` (exact, parallel) -> `relate` (pair -> relation) -> `crosslingual`
//! (translations) -> `cluster` (representatives) -> `output`. They are private: the `internals`
//! feature opens them to the project's own tests, benchmarks and fuzz targets, with no stability
//! promise.
#![warn(missing_docs)]
// Without the command line, the parts of the pipeline only it uses (pair streaming with progress,
// record writers, bitext formats) are unused; the default build checks them.
#![cfg_attr(not(feature = "cli"), allow(dead_code, unused_imports))]

/// Declares the pipeline's modules: private, or public (and undocumented) with `internals`.
macro_rules! internal_modules {
    ($($name:ident),* $(,)?) => {
        $(
            #[cfg(feature = "internals")]
            #[doc(hidden)]
            #[allow(missing_docs)]
            pub mod $name;
            #[cfg(not(feature = "internals"))]
            mod $name;
        )*
    };
}

internal_modules!(
    candidates,
    cluster,
    config,
    corpus,
    crosslingual,
    dedupe,
    fingerprint,
    index,
    keep,
    output,
    pipeline,
    relate,
    score,
    stream,
    text,
);

// rustfmt does not expand macros: these declarations, never compiled (`cfg(any())` is false),
// show it the modules `internal_modules!` declares, so that `cargo fmt` formats them too. A module
// added there is added here as well.
#[cfg(any())]
mod candidates;
#[cfg(any())]
mod cluster;
#[cfg(any())]
mod config;
#[cfg(any())]
mod corpus;
#[cfg(any())]
mod crosslingual;
#[cfg(any())]
mod dedupe;
#[cfg(any())]
mod fingerprint;
#[cfg(any())]
mod index;
#[cfg(any())]
mod keep;
#[cfg(any())]
mod output;
#[cfg(any())]
mod pipeline;
#[cfg(any())]
mod relate;
#[cfg(any())]
mod score;
#[cfg(any())]
mod stream;
#[cfg(any())]
mod text;

// Only the command line (and the project's tests) use the corpus generator and the HTML report.
#[cfg(all(feature = "cli", not(feature = "internals")))]
mod gen;
#[cfg(feature = "internals")]
#[doc(hidden)]
#[allow(missing_docs)]
pub mod gen;
#[cfg(all(feature = "cli", not(feature = "internals")))]
mod report;
#[cfg(feature = "internals")]
#[doc(hidden)]
#[allow(missing_docs)]
pub mod report;

mod api;
#[cfg(feature = "cli")]
mod cli;
mod error;

pub use api::*;
pub use config::Config;
pub use error::Error;
pub use relate::RelationKind;

/// Runs the `twinwire` command line (what the `twinwire` binary's `main` calls).
#[cfg(feature = "cli")]
#[doc(hidden)]
pub fn cli_main() -> std::process::ExitCode {
    cli::main()
}

/// A document's position in input order (0-based). The user-facing id is a string in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[doc(hidden)]
pub struct DocId(pub u32);

impl DocId {
    /// The position as an index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}
