//! Dedupe: clusters settled from verified edges, the copy kept of each chosen by a policy, and
//! which cluster drops each document. The command line and the library share it.

use std::collections::BTreeMap;

use crate::cluster::{settle, Cluster, Keep};
use crate::keep::{choose_kept, Core, KeepOrder};
use crate::pipeline::Analysis;
use crate::stream::Related;

/// Which document of a cluster is kept.
pub(crate) enum KeepPolicy<'a> {
    /// The settled representative: the longest (ties: first in input order).
    Longest,
    /// The first in input order.
    First,
    /// The document best covered by the cluster's other members ([`Core`]).
    Core,
    /// An order of the caller's (`--keep-by`).
    Order(&'a dyn KeepOrder),
}

/// The clusters of a run and who is dropped for whom.
pub(crate) struct Deduped {
    /// Each cluster's representative is the document kept.
    pub clusters: Vec<Cluster>,
    /// Candidate pairs scored to settle them.
    pub scored: u64,
    /// Document index -> (cluster, member) that drops it.
    pub dropped_for: BTreeMap<usize, (usize, usize)>,
}

/// Settles the clusters of `analysis` and chooses the document kept of each by `policy`;
/// `progress` is told (done, total) as clusters are settled.
pub(crate) fn dedupe(
    analysis: &Analysis,
    policy: &KeepPolicy<'_>,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Deduped {
    let words: Vec<u32> = analysis.docs.iter().map(|d| d.words).collect();
    let keep = match policy {
        KeepPolicy::First => Keep::First,
        _ => Keep::Longest,
    };
    let related = Related {
        progress,
        ..analysis.related()
    };
    let settled = settle(&related, &words, keep);
    let (fingerprints, config) = (&analysis.fingerprints, &analysis.config);
    let clusters = match policy {
        KeepPolicy::Longest | KeepPolicy::First => settled.clusters,
        KeepPolicy::Core => choose_kept(settled.clusters, fingerprints, config, &Core),
        KeepPolicy::Order(order) => choose_kept(settled.clusters, fingerprints, config, *order),
    };
    let mut dropped_for = BTreeMap::new();
    for (c, cluster) in clusters.iter().enumerate() {
        for (m, member) in cluster.members.iter().enumerate() {
            dropped_for.insert(member.doc.index(), (c, m));
        }
    }
    Deduped {
        clusters,
        scored: settled.scored,
        dropped_for,
    }
}
