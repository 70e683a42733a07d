//! Which member of a settled cluster is kept: the representative a person would keep.
//!
//! [`crate::cluster::settle`] forms the clusters around the longest (or first) document. A person
//! checking a dedup run would rather keep the clean wire copy than the repost wrapped in another
//! site's header and comments, or a copy with typos. So after settling, the kept member can be chosen
//! again by another policy:
//!
//! - **core**: the member whose text is best covered by the cluster's other members, i.e. with the
//!   least text of its own (foreign boilerplate and typos are text no other copy has). Coverage is
//!   the share of a member's shingles found in at least one other member; ties go to the longer
//!   (a cut copy is as well covered as the text it was cut from), then to the first in input order.
//! - **by field** (`--keep-by date:asc`, `source` with preferred values): decided by a value of the
//!   input record, ties to the first.
//!
//! The chaining guard still holds: a member is kept only if every other member of the cluster is
//! related to it (a near-duplicate or an exact copy of it, or contained in it). The candidates are
//! tried in order of the policy, a few at most; the settled representative always qualifies, so a
//! cluster never loses its guarantee, only, at worst, the policy's preference.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::cluster::{Cluster, Member};
use crate::fingerprint::Fingerprints;
use crate::relate::relate_either;
use crate::{Config, DocId};

/// Candidates tried per cluster before the settled representative is kept.
const TRIES: usize = 8;

/// The policy ordering a cluster's documents (best first) for [`choose_kept`].
pub trait KeepOrder: Sync {
    /// The documents of `cluster` (its representative and members), best first.
    fn order(&self, cluster: &Cluster, fingerprints: &Fingerprints) -> Vec<DocId>;
}

/// `--keep core`: best covered by the others first, then the longer, then input order. Length
/// breaks ties because a cut copy is as well covered as the full text it was cut from.
pub struct Core;

impl KeepOrder for Core {
    fn order(&self, cluster: &Cluster, fingerprints: &Fingerprints) -> Vec<DocId> {
        let docs = documents(cluster);
        let coverage = coverage(&docs, fingerprints);
        let mut order: Vec<(DocId, (usize, usize))> = docs.into_iter().zip(coverage).collect();
        // covered / total, larger first, compared exactly; then more shingles; then input order.
        order.sort_by(|(da, (ca, ta)), (db, (cb, tb))| {
            let (na, nb) = ((*ta).max(1), (*tb).max(1));
            (cb * na).cmp(&(ca * nb)).then(tb.cmp(ta)).then(da.cmp(db))
        });
        order.into_iter().map(|(d, _)| d).collect()
    }
}

/// A policy given as one sort key per document (smaller first; ties: input order).
pub struct ByKey<K: Ord + Sync>(pub Vec<K>);

impl<K: Ord + Sync> KeepOrder for ByKey<K> {
    fn order(&self, cluster: &Cluster, _: &Fingerprints) -> Vec<DocId> {
        let mut docs = documents(cluster);
        docs.sort_by(|a, b| self.0[a.index()].cmp(&self.0[b.index()]).then(a.cmp(b)));
        docs
    }
}

/// The representative and the members, in input order.
fn documents(cluster: &Cluster) -> Vec<DocId> {
    let mut docs: Vec<DocId> = cluster.members.iter().map(|m| m.doc).collect();
    docs.push(cluster.representative);
    docs.sort();
    docs
}

/// For each document: (shingles found in another document of `docs`, shingles).
pub fn coverage(docs: &[DocId], fingerprints: &Fingerprints) -> Vec<(usize, usize)> {
    // How many documents hold each shingle: one pass over the cluster, not a pass per member.
    let mut holders: HashMap<u32, u32> = HashMap::new();
    let mut buf = Vec::new();
    for d in docs {
        let f = fingerprints.get(d.index(), &mut buf);
        for &s in f.shingles.as_slice() {
            *holders.entry(s).or_default() += 1;
        }
    }
    docs.iter()
        .map(|d| {
            let shingles = fingerprints.get(d.index(), &mut buf).shingles.as_slice();
            let covered = shingles.iter().filter(|s| holders[s] >= 2).count();
            (covered, shingles.len())
        })
        .collect()
}

/// The clusters with their kept member chosen by `policy` (see the module doc for the guard).
pub fn choose_kept(
    clusters: Vec<Cluster>,
    fingerprints: &Fingerprints,
    config: &Config,
    policy: &dyn KeepOrder,
) -> Vec<Cluster> {
    clusters
        .into_par_iter()
        .map(|c| {
            let order = policy.order(&c, fingerprints);
            for &k in order.iter().take(TRIES) {
                if k == c.representative {
                    return c;
                }
                if let Some(rebuilt) = around(&c, k, fingerprints, config) {
                    return rebuilt;
                }
            }
            c
        })
        .collect()
}

/// The cluster of `c`'s documents kept around `k`, if every other one may join `k`.
fn around(c: &Cluster, k: DocId, fingerprints: &Fingerprints, config: &Config) -> Option<Cluster> {
    let (mut bk, mut bd) = (Vec::new(), Vec::new());
    let fk = fingerprints.get(k.index(), &mut bk);
    let mut members = Vec::with_capacity(c.members.len());
    for d in documents(c).into_iter().filter(|&d| d != k) {
        let fd = fingerprints.get(d.index(), &mut bd);
        let r = relate_either((k, fk), (d, fd), config)?;
        if !r.may_stand_for(k, config) {
            return None;
        }
        members.push(Member {
            doc: d,
            relation: r.kind,
            score: r.score,
        });
    }
    Some(Cluster {
        representative: k,
        members,
    })
}
