//! [`Dedupe`]: what `twinwire dedupe` decides, as values.

use serde::Serialize;

use crate::cluster::groups;
use crate::dedupe::{dedupe, KeepPolicy};
use crate::output::{round4, ClusterRecord};
use crate::pipeline::Analysis;
use crate::RelationKind;

/// Which document of a cluster is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// The document with most words (ties: the first in input order).
    #[default]
    Longest,
    /// The first in input order.
    First,
    /// The document best covered by the cluster's other members: the least text of its own (no
    /// foreign header or comments, no typos); ties: the longer, then the first. The command
    /// line's default (BENCHMARKS.md "Which copy is kept").
    Core,
}

impl Keep {
    /// Parses `longest`, `first` or `core`.
    pub fn parse(name: &str) -> Option<Keep> {
        match name {
            "longest" => Some(Keep::Longest),
            "first" => Some(Keep::First),
            "core" => Some(Keep::Core),
            _ => None,
        }
    }
}

/// The documents without their duplicates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dedupe {
    /// The ids of the documents kept, in input order: one per cluster, and every document in none.
    pub kept: Vec<String>,
    /// Every document removed, in input order, with the document kept for it.
    pub removed: Vec<Removed>,
    /// The clusters, as `dedupe --clusters` writes them: duplicate clusters, joined to their
    /// translations, and groups of translations only.
    pub clusters: Vec<Cluster>,
}

/// A document removed, and why (a line of `dedupe --removed`, without the record).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Removed {
    /// Its id.
    pub id: String,
    /// The id of the document kept in its place.
    pub duplicate_of: String,
    /// How it relates to that document.
    #[serde(serialize_with = "super::relation_name")]
    pub relation: RelationKind,
    /// The relation's score (4 decimals).
    pub score: f64,
}

/// A cluster: a line of `dedupe --clusters`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// Its number, from 0, in the order of the output.
    pub cluster: usize,
    /// The representative: the document kept of its first duplicate cluster, or its first
    /// document.
    pub representative: String,
    /// Every document, the representative first, then in input order.
    pub members: Vec<String>,
    /// The weakest member-to-representative score (none for translations only).
    pub min_similarity: Option<f64>,
    /// The documents kept (one per language version).
    pub kept: Vec<String>,
    /// The translation pairs inside it.
    pub translations: Vec<[String; 2]>,
}

impl Dedupe {
    /// The dedupe of an analysed run.
    pub(crate) fn of(analysis: &Analysis, keep: Keep) -> Dedupe {
        let policy = match keep {
            Keep::Longest => KeepPolicy::Longest,
            Keep::First => KeepPolicy::First,
            Keep::Core => KeepPolicy::Core,
        };
        let deduped = dedupe(analysis, &policy, None);
        let docs = &analysis.docs;
        let id = |i: usize| docs[i].id.to_string();
        let mut kept = Vec::new();
        let mut removed = Vec::new();
        for i in 0..docs.len() {
            match deduped.dropped_for.get(&i) {
                None => kept.push(id(i)),
                Some(&(c, m)) => {
                    let cluster = &deduped.clusters[c];
                    let member = &cluster.members[m];
                    removed.push(Removed {
                        id: id(i),
                        duplicate_of: id(cluster.representative.index()),
                        relation: member.relation,
                        score: round4(member.score),
                    });
                }
            }
        }
        let translations = analysis.matched.translations_of_copies();
        let clusters = groups(docs.len(), &deduped.clusters, &translations)
            .iter()
            .enumerate()
            .map(|(n, g)| Cluster::of(ClusterRecord::new(n, g, docs)))
            .collect();
        Dedupe {
            kept,
            removed,
            clusters,
        }
    }
}

impl Cluster {
    fn of(r: ClusterRecord<'_>) -> Cluster {
        let owned = |ids: Vec<&str>| ids.into_iter().map(String::from).collect();
        Cluster {
            cluster: r.cluster,
            representative: r.representative.to_string(),
            members: owned(r.members),
            min_similarity: r.min_similarity,
            kept: owned(r.kept),
            translations: r
                .translations
                .into_iter()
                .map(|[a, b]| [a.to_string(), b.to_string()])
                .collect(),
        }
    }
}
