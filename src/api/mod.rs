//! The library's front door: [`Matcher`] over [`Document`]s, giving [`Pair`]s, a [`Dedupe`] or an
//! [`Explanation`].

mod dedupe;
mod explain;
mod matcher;
mod read;
mod signature;
mod stages;

pub use crate::candidates::ProbePlan;
pub use dedupe::{Cluster, Dedupe, Keep, Removed};
pub use explain::{AlignedGroup, ExplainedDoc, Explanation, Measures, Passage, TranslationCheck};
pub(crate) use matcher::find;
pub use matcher::{Matcher, MAX_THREADS};
pub use read::{read, Read, ReadOptions, Warning};
pub use signature::Signature;
pub use stages::{
    BlobError, StageDecision, StageDoc, StageGroup, StageLang, StageLine, StagePair, StageRelation,
    Stages,
};

use serde::Serialize;

pub use crate::crosslingual::translate::TranslationEvidence;
pub use crate::relate::{Evidence, PairEvidence};

/// One article: its id (unique among the documents of a call), its text, and its language code
/// when known (`fr`, `en`, `fr-FR`, `fra` are all understood; without one, the language is
/// detected when translations are looked for).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Document {
    /// Unique id.
    pub id: String,
    /// The article's text, title first when there is one.
    pub text: String,
    /// Language code, if known.
    pub lang: Option<String>,
}

impl Document {
    /// A document of unknown language.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            lang: None,
        }
    }

    /// The same document, its language given.
    pub fn with_lang(mut self, lang: impl Into<String>) -> Document {
        self.lang = Some(lang.into());
        self
    }
}

/// One related pair, as a line of `twinwire pairs` has it (serialized, it is that line; scores
/// are rounded to 4 decimals as the command line writes them).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    /// The first document's id (for a containment, the one that contains the other).
    pub a: String,
    /// The second document's id.
    pub b: String,
    /// The relation.
    #[serde(serialize_with = "relation_name")]
    pub relation: crate::RelationKind,
    /// The number the relation was decided on: 1 for exact, the Jaccard resemblance, the
    /// containment of b in a, or for a translation the coverage of the document with fewer
    /// sentences.
    pub score: f64,
    /// The measures behind it.
    #[serde(flatten)]
    pub evidence: Evidence,
}

fn relation_name<S: serde::Serializer>(
    kind: &crate::RelationKind,
    s: S,
) -> Result<S::Ok, S::Error> {
    s.serialize_str(kind.name())
}

impl Pair {
    /// The pair as the command line writes it.
    pub(crate) fn of(r: &crate::relate::Relation, docs: &[crate::pipeline::DocInfo]) -> Pair {
        Pair {
            a: docs[r.a.index()].id.to_string(),
            b: docs[r.b.index()].id.to_string(),
            relation: r.kind,
            score: crate::output::round4(r.score),
            evidence: crate::output::rounded(&r.evidence),
        }
    }
}
