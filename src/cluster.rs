//! Clusters of duplicates, each with the representative that `dedupe` keeps.
//!
//! Connected components (union-find) alone would chain: A ~ B and B ~ C put A and C together even
//! when C is far from A, and deduplication would then drop C for a document it does not resemble.
//! So within each component, representatives are chosen greedily in order of preference and a
//! document joins a representative only when it is itself related to it (a star, not a chain).
//! A containment only lets the container absorb the contained document, never the other way: an
//! article that quotes an excerpt is not a duplicate of the excerpt.
//!
//! Invariants: every member is related to its representative; every document is in at most one
//! cluster; the result depends on the relations and the preference only, not on thread count.
//!
//! Translations join clusters into [`Group`]s (the versions of one report in several languages) but
//! never remove anything: each language version keeps its own representative.

use rayon::prelude::*;

use crate::relate::{relate_copies, relate_either, Relation, RelationKind};
use crate::stream::Related;
use crate::{Config, DocId};

/// Which document of a cluster is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Keep {
    /// The one with most words (ties: the first in input order).
    #[default]
    Longest,
    /// The first in input order.
    First,
}

/// A document absorbed by a representative.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Member {
    pub doc: DocId,
    /// How it relates to the representative.
    pub relation: RelationKind,
    pub score: f64,
}

/// A representative and the documents it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub representative: DocId,
    /// In input order; never empty.
    pub members: Vec<Member>,
}

impl Cluster {
    /// The weakest member-to-representative score.
    pub fn weakest(&self) -> f64 {
        self.members.iter().map(|m| m.score).fold(1.0, f64::min)
    }
}

struct UnionFind(Vec<u32>);

impl UnionFind {
    fn find(&mut self, x: u32) -> u32 {
        let mut root = x;
        while self.0[root as usize] != root {
            root = self.0[root as usize];
        }
        let mut x = x;
        while self.0[x as usize] != root {
            let next = self.0[x as usize];
            self.0[x as usize] = root;
            x = next;
        }
        root
    }

    fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        // The smaller index becomes the root: the outcome does not depend on edge order.
        if ra != rb {
            self.0[ra.max(rb) as usize] = ra.min(rb);
        }
    }
}

/// The order in which documents are offered to become representatives (smallest first): those
/// contained in another last, so that their containers claim them first; then by the keep policy;
/// then input order. [`clusters`] and [`settle`] must share it to agree.
fn preference(d: DocId, contained: &[bool], words: &[u32], keep: Keep) -> (bool, u32, u32) {
    let i = d.index();
    let length = match keep {
        Keep::Longest => u32::MAX - words[i],
        Keep::First => 0,
    };
    (contained[i], length, d.0)
}

/// Builds the clusters of `n` documents from the duplicate relations among them: the reference
/// that holds every pair ([`settle`], which `dedupe` uses, gives the same clusters from verified
/// edges alone).
///
/// `words[d]` is document d's length, used by [`Keep::Longest`].
pub fn clusters(
    n: usize,
    relations: &[Relation],
    words: &[u32],
    keep: Keep,
    config: &Config,
) -> Vec<Cluster> {
    let mut uf = UnionFind((0..n as u32).collect());
    // Adjacency: (other, kind, score, may `other` join a cluster of which this doc is representative).
    let mut adjacent: Vec<Vec<(DocId, RelationKind, f64, bool)>> = vec![Vec::new(); n];
    let mut contained = vec![false; n];
    for r in relations.iter().filter(|r| r.kind.is_duplicate()) {
        uf.union(r.a.0, r.b.0);
        let either_way = r.may_stand_for(r.b, config);
        adjacent[r.a.index()].push((r.b, r.kind, r.score, true));
        adjacent[r.b.index()].push((r.a, r.kind, r.score, either_way));
        if !either_way {
            contained[r.b.index()] = true;
        }
    }
    let mut components: Vec<Vec<DocId>> = Vec::new();
    let mut slot = vec![usize::MAX; n];
    for d in 0..n as u32 {
        if adjacent[d as usize].is_empty() {
            continue;
        }
        let root = uf.find(d) as usize;
        if slot[root] == usize::MAX {
            slot[root] = components.len();
            components.push(Vec::new());
        }
        components[slot[root]].push(DocId(d));
    }
    let mut assigned = vec![false; n];
    let mut out = Vec::new();
    for mut component in components {
        // Documents contained in another come last so their containers claim them first.
        component.sort_by_key(|&d| preference(d, &contained, words, keep));
        for &rep in &component {
            if assigned[rep.index()] {
                continue;
            }
            assigned[rep.index()] = true;
            let mut members: Vec<Member> = adjacent[rep.index()]
                .iter()
                .filter(|&&(other, _, _, may_join)| may_join && !assigned[other.index()])
                .map(|&(doc, relation, score, _)| Member {
                    doc,
                    relation,
                    score,
                })
                .collect();
            members.sort_by_key(|m| m.doc);
            members.dedup_by_key(|m| m.doc);
            for m in &members {
                assigned[m.doc.index()] = true;
            }
            if !members.is_empty() {
                out.push(Cluster {
                    representative: rep,
                    members,
                });
            }
        }
    }
    out.sort_by_key(|c| c.representative.min(c.members[0].doc));
    out
}

/// What [`settle`] found, and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    /// The clusters, as [`clusters`] makes them from every relation.
    pub clusters: Vec<Cluster>,
    /// Candidate pairs scored to find them.
    pub scored: u64,
}

/// Heads whose edges are found at once at most, and the candidates they may promise together.
const HEADS_AT_ONCE: usize = 256;
const HEAD_WORK: usize = 1 << 16;

/// The clusters of [`clusters`], found from verified edges alone: no pair list is ever made.
///
/// The greedy choice of [`clusters`] only ever reads the edges of a representative, at the moment
/// it is chosen; so representatives are taken in the same order of preference, and each one's
/// edges to the documents still unassigned are found then, from the candidate tables, and scored.
/// A family of m near-identical pages costs the m edges of its representative, not m²/2 pairs.
/// Exact copies follow their group's first document (they have its edges and its place in the
/// order), so only the groups' representatives are compared. The order needs to know which
/// documents are contained in another; each document's possible containers are looked up by size
/// (a container much larger than what it contains), which leaves near-identical pages alone.
///
/// Heads are taken a batch at a time: their edges are found in parallel, then applied in order, a
/// head already absorbed by an earlier one of its batch being passed over.
pub fn settle(related: &Related<'_>, words: &[u32], keep: Keep) -> Settled {
    let fps = related.fingerprints;
    let (groups, index) = (related.groups, related.index);
    let n = fps.len();
    let heads: Vec<DocId> = groups
        .representatives(fps)
        .into_iter()
        .filter(|&r| index.has_partners(r) || groups.has_copies(r))
        .collect();
    let contained = contained_flags(related, &heads);
    let mut order = heads;
    order.sort_by_key(|&d| preference(d, &contained, words, keep));
    let mut assigned = vec![false; n];
    let mut scored = 0u64;
    let mut out = Vec::new();
    let mut next = 0;
    while next < order.len() {
        let mut batch = Vec::new();
        let mut work = 0;
        while next < order.len()
            && batch.len() < HEADS_AT_ONCE
            && (batch.is_empty() || work < HEAD_WORK)
        {
            let h = order[next];
            next += 1;
            if !assigned[h.index()] {
                work += index.partners_bound(h);
                batch.push(h);
            }
        }
        let found: Vec<(Vec<Member>, usize)> = batch
            .par_iter()
            .map_init(Vec::new, |partners, &h| {
                edges_of(related, h, &assigned, partners)
            })
            .collect();
        for (&h, (edges, n_scored)) in batch.iter().zip(found) {
            scored += n_scored as u64;
            if assigned[h.index()] {
                continue;
            }
            assigned[h.index()] = true;
            let absorbed: Vec<Member> = edges
                .into_iter()
                .filter(|m| !assigned[m.doc.index()])
                .collect();
            for m in &absorbed {
                assigned[m.doc.index()] = true;
            }
            if let Some(c) = with_copies(related, h, absorbed) {
                out.push(c);
            }
        }
        if let Some(progress) = related.progress {
            progress(next, order.len());
        }
    }
    out.sort_by_key(|c| c.representative.min(c.members[0].doc));
    Settled {
        clusters: out,
        scored,
    }
}

/// For each of `heads`, whether it is contained in another document (such documents are chosen
/// last, so that their containers claim them first).
fn contained_flags(related: &Related<'_>, heads: &[DocId]) -> Vec<bool> {
    let (fps, config) = (related.fingerprints, related.config);
    let mut contained = vec![false; fps.len()];
    if !config.wants(RelationKind::Containment) {
        return contained;
    }
    // A container of b that does not resemble it (Jaccard under J) has at least `factor` times b's
    // shingles: with s >= C|B| shared and s / (|A| + |B| - s) < J, |A| > |B| (C (1 + J) / J - 1).
    let factor = if config.wants(RelationKind::NearDuplicate) {
        config.containment * (1.0 + config.threshold) / config.threshold - 1.0
    } else {
        1.0
    };
    let flags: Vec<(DocId, bool)> = heads
        .par_iter()
        .filter(|&&b| fps[b.index()].words >= config.min_contained_words)
        .map_init(Vec::new, |partners, &b| {
            let size = fps.shingle_count(b.index());
            // One shingle of slack for rounding; never below one more than b's own count.
            let min_size = ((size as f64 * factor - 1.0).floor().max(0.0) as usize).max(size + 1);
            related
                .index
                .partners_with_at_least(b, min_size, fps, partners);
            if partners.is_empty() {
                return (b, false);
            }
            let (mut bb, mut bo) = (Vec::new(), Vec::new());
            let fb = fps.get(b.index(), &mut bb);
            let is_contained = partners.iter().any(|&o| {
                let fo = fps.get(o.index(), &mut bo);
                relate_either((b, fb), (o, fo), config)
                    .is_some_and(|r| r.b == b && !r.may_stand_for(b, config))
            });
            (b, is_contained)
        })
        .collect();
    for (b, c) in flags {
        contained[b.index()] = c;
    }
    contained
}

/// The documents head h may absorb among those not yet assigned: its duplicate relations, except
/// where h is the one contained. Returns them in input order, and how many candidates were scored.
fn edges_of(
    related: &Related<'_>,
    h: DocId,
    assigned: &[bool],
    partners: &mut Vec<DocId>,
) -> (Vec<Member>, usize) {
    let (fps, config) = (related.fingerprints, related.config);
    related.index.partners(h, fps, partners);
    partners.retain(|o| !assigned[o.index()]);
    if partners.is_empty() {
        return (Vec::new(), 0);
    }
    let (mut bh, mut bo) = (Vec::new(), Vec::new());
    let fh = fps.get(h.index(), &mut bh);
    let edges = partners
        .iter()
        .filter_map(|&o| {
            let fo = fps.get(o.index(), &mut bo);
            let r = relate_either((h, fh), (o, fo), config)?;
            let may_join = r.may_stand_for(h, config);
            may_join.then_some(Member {
                doc: o,
                relation: r.kind,
                score: r.score,
            })
        })
        .collect();
    (edges, partners.len())
}

/// The cluster of head h: its own copies, then each absorbed representative with its copies.
fn with_copies(related: &Related<'_>, h: DocId, absorbed: Vec<Member>) -> Option<Cluster> {
    let groups = related.groups;
    let mut members: Vec<Member> = Vec::new();
    let copies = groups.copies(h);
    if copies.len() > 1 {
        let (mut buf, fps) = (Vec::new(), related.fingerprints);
        let f = fps.get_stored(h.index(), &mut buf);
        let count = fps.shingle_count(h.index());
        if let Some(r) = relate_copies((copies[0], copies[1]), f, count, related.config) {
            members.extend(copies[1..].iter().map(|&doc| Member {
                doc,
                relation: r.kind,
                score: r.score,
            }));
        }
    }
    for m in absorbed {
        members.extend(groups.copies(m.doc).iter().map(|&doc| Member { doc, ..m }));
    }
    members.sort_by_key(|m| m.doc);
    (!members.is_empty()).then_some(Cluster {
        representative: h,
        members,
    })
}

/// Duplicate clusters (and lone documents) joined by translations: what `dedupe --clusters` lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The representative of the group's first duplicate cluster, or its first document.
    pub representative: DocId,
    /// Every document, the representative first, then in input order.
    pub members: Vec<DocId>,
    /// The documents `dedupe` keeps (one per language version), in input order.
    pub kept: Vec<DocId>,
    /// The weakest member-to-representative score over the group's duplicate clusters, if any.
    pub min_similarity: Option<f64>,
    /// Translation pairs inside the group, in input order.
    pub translations: Vec<(DocId, DocId)>,
}

/// Groups `clusters` and the translation relations among `n` documents.
pub fn groups(n: usize, clusters: &[Cluster], relations: &[Relation]) -> Vec<Group> {
    let mut uf = UnionFind((0..n as u32).collect());
    let mut in_group = vec![false; n];
    for c in clusters {
        in_group[c.representative.index()] = true;
        for m in &c.members {
            uf.union(c.representative.0, m.doc.0);
            in_group[m.doc.index()] = true;
        }
    }
    let translations: Vec<&Relation> = relations
        .iter()
        .filter(|r| r.kind == RelationKind::Translation)
        .collect();
    for r in &translations {
        uf.union(r.a.0, r.b.0);
        in_group[r.a.index()] = true;
        in_group[r.b.index()] = true;
    }
    let mut removed = vec![false; n];
    for c in clusters {
        for m in &c.members {
            removed[m.doc.index()] = true;
        }
    }
    let mut slot = vec![usize::MAX; n];
    let mut out: Vec<Group> = Vec::new();
    for d in (0..n).filter(|&d| in_group[d]) {
        let root = uf.find(d as u32) as usize;
        if slot[root] == usize::MAX {
            slot[root] = out.len();
            out.push(Group {
                representative: DocId(d as u32),
                members: Vec::new(),
                kept: Vec::new(),
                min_similarity: None,
                translations: Vec::new(),
            });
        }
        let g = &mut out[slot[root]];
        g.members.push(DocId(d as u32));
        if !removed[d] {
            g.kept.push(DocId(d as u32));
        }
    }
    // Clusters are ordered by their first document, so the first one met is the group's first.
    for c in clusters {
        let g = &mut out[slot[uf.find(c.representative.0) as usize]];
        if g.min_similarity.is_none() {
            g.representative = c.representative;
        }
        g.min_similarity = Some(g.min_similarity.unwrap_or(1.0).min(c.weakest()));
    }
    for r in translations {
        out[slot[uf.find(r.a.0) as usize]]
            .translations
            .push((r.a, r.b));
    }
    for g in &mut out {
        let rep = g.representative;
        g.members.retain(|&m| m != rep);
        g.members.insert(0, rep);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::relate::{Evidence, PairEvidence};

    fn rel(a: u32, b: u32, kind: RelationKind, score: f64) -> Relation {
        let e = PairEvidence {
            jaccard: score,
            containment: score,
            hamming: 0,
            shared_shingles: 0,
            shingles_a: 0,
            shingles_b: 0,
            words_a: 0,
            words_b: 0,
        };
        Relation {
            a: DocId(a),
            b: DocId(b),
            kind,
            score,
            evidence: Evidence::Shingles(e),
        }
    }

    #[test]
    fn chains_are_cut_at_the_representative() {
        // 0 ~ 1 ~ 2 but 0 is far from 2; 1 is longest and takes both.
        let r = [
            rel(0, 1, RelationKind::NearDuplicate, 0.6),
            rel(1, 2, RelationKind::NearDuplicate, 0.7),
        ];
        let c = clusters(3, &r, &[100, 120, 100], Keep::Longest, &Config::default());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].representative, DocId(1));
        // With the first kept, 2 is not related to 0 and stays on its own.
        let c = clusters(3, &r, &[100, 120, 100], Keep::First, &Config::default());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].representative, DocId(0));
        assert_eq!(
            c[0].members.iter().map(|m| m.doc).collect::<Vec<_>>(),
            [DocId(1)]
        );
        assert_eq!(c[0].weakest(), 0.6);
    }

    #[test]
    fn a_container_is_never_absorbed_by_what_it_contains() {
        // 0 contains 1 (an excerpt); 2 also contains 1 (quotes it); 0 and 2 are unrelated.
        let r = [
            rel(0, 1, RelationKind::Containment, 0.95),
            rel(2, 1, RelationKind::Containment, 0.9),
        ];
        for keep in [Keep::First, Keep::Longest] {
            let c = clusters(3, &r, &[500, 100, 400], keep, &Config::default());
            assert_eq!(c.len(), 1, "{keep:?}");
            assert_eq!(c[0].representative, DocId(0));
            assert_eq!(c[0].members[0].doc, DocId(1));
        }
    }

    #[test]
    fn translations_join_clusters_and_remove_nothing() {
        // 0 ~ 1 (near-duplicates, French); 2 is the English translation of 0; 3 is alone.
        let r = [
            rel(0, 1, RelationKind::NearDuplicate, 0.8),
            rel(0, 2, RelationKind::Translation, 0.9),
        ];
        let c = clusters(4, &r, &[100, 90, 95, 10], Keep::Longest, &Config::default());
        assert_eq!(c.len(), 1, "translations form no duplicate cluster");
        let g = groups(4, &c, &r);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].representative, DocId(0));
        assert_eq!(g[0].members, vec![DocId(0), DocId(1), DocId(2)]);
        assert_eq!(g[0].kept, vec![DocId(0), DocId(2)]);
        assert_eq!(g[0].translations, vec![(DocId(0), DocId(2))]);
        assert_eq!(g[0].min_similarity, Some(0.8));
    }

    #[test]
    fn unrelated_documents_are_in_no_cluster() {
        assert!(clusters(3, &[], &[1, 2, 3], Keep::Longest, &Config::default()).is_empty());
    }
}
