//! Every related pair, in output order, produced a slice of the corpus at a time.
//!
//! The order is that of `twinwire pairs`: by first document, then second document, then relation,
//! all in input order. Document d's lines are its pairs with later documents, so the output is
//! written as the documents are passed, and memory never holds the pairs of the whole corpus:
//!
//! - Exact copies are compared once, through their group's representative (see
//!   [`crate::candidates::ExactGroups`]); their pairs are made when each copy's turn comes, never
//!   stored. A thousand copies of one brief cost one document here, and their half-million pairs
//!   cost nothing until they are written.
//! - Representatives are taken in slices bounded by the work they promise (the sizes of their
//!   candidate buckets), each representative scoring only its partners after it: a dense family of
//!   m near-identical pages is m²/2 scorings, but never more than a slice's worth of them in memory.
//! - The relations of a representative that has copies are kept until its last copy is written
//!   (its copies need them), and so are those found by a representative with copies for a later
//!   one; everything else is written in the slice that found it.
//!
//! `max_partners` keeps, for each document, its K strongest partners: by score, then relation
//! (exact first), then input order; a pair is written when either side keeps it. Knowing each
//! document's K-th partner takes a first pass over the same relations.

use rayon::prelude::*;

use crate::candidates::{CandidateIndex, ExactGroups};
use crate::config::Config;
use crate::fingerprint::{Fingerprints, KeyMap};
use crate::relate::{relate_copies, relate_scored, Relation, RelationKind};
use crate::DocId;

/// Documents in one slice at most.
const SLICE_DOCS: usize = 4096;
/// Candidate partners promised by one slice at most (it may hold as many relations).
const SLICE_WORK: usize = 1 << 20;
/// Pair lines made at once at most when writing a slice (beyond one document's own).
const WINDOW_LINES: usize = 1 << 16;

/// What the pairs are drawn from: fingerprints, exact groups, candidate tables and the translations
/// found between representatives.
pub struct Related<'a> {
    pub fingerprints: &'a Fingerprints,
    pub groups: &'a ExactGroups,
    pub index: &'a CandidateIndex,
    /// Translation relations between representatives.
    pub translations: &'a [Relation],
    pub config: &'a Config,
    /// Told (done, total) as documents are streamed or clusters settled: for a progress bar.
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// When set (from the configuration's `pairs_from`), copy candidates are scored only where
    /// one of the two exact groups holds a document at or after this one (an index `add`, which
    /// writes only the pairs of its new documents): the other pairs are left out, unscored, and
    /// only the pairs with a document at or after it are streamed (an older document's exact
    /// copies are not related to each other again).
    pub new_from: Option<DocId>,
}

/// What streaming the pairs found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamStats {
    /// Candidate pairs scored exactly.
    pub scored: u64,
    /// Pairs written, per relation.
    pub by_kind: [u64; 4],
    /// The document with the most partners, and how many (written or not).
    pub busiest: Option<(DocId, u64)>,
}

impl StreamStats {
    /// Pairs written.
    pub fn pairs(&self) -> u64 {
        self.by_kind.iter().sum()
    }

    /// Pairs written of one relation.
    pub fn count(&self, kind: RelationKind) -> u64 {
        self.by_kind[kind_rank(kind) as usize]
    }
}

fn kind_rank(kind: RelationKind) -> u8 {
    match kind {
        RelationKind::Exact => 0,
        RelationKind::NearDuplicate => 1,
        RelationKind::Containment => 2,
        RelationKind::Translation => 3,
    }
}

/// How strong a partner is, strongest smallest: score (descending), relation, input order.
type Strength = (u64, u8, u32);

fn strength(score: f64, kind: RelationKind, partner: DocId) -> Strength {
    // Scores are in [0, 1]: their bits order like the numbers, so the complement orders them down.
    (u64::MAX - score.to_bits(), kind_rank(kind), partner.0)
}

/// The other document of a relation that involves `d`.
fn other(r: &Relation, d: DocId) -> DocId {
    if r.a == d {
        r.b
    } else {
        r.a
    }
}

impl Related<'_> {
    /// Hands each document's pairs with later documents to `take`, in output order (documents
    /// without any are passed over). `max_partners` keeps each document's K strongest partners.
    ///
    /// `shape` turns one document's pairs into what `take` receives (the lines to write, say): it
    /// runs in parallel, `take` in output order.
    pub fn for_each<T: Send, E>(
        &self,
        max_partners: Option<usize>,
        shape: &(dyn Fn(&[Relation]) -> T + Sync),
        take: &mut dyn FnMut(T) -> Result<(), E>,
    ) -> Result<StreamStats, E> {
        let mut sink = Sink { shape, take };
        let strongest = max_partners.map(|k| self.strongest_partners(k));
        let mut stats = StreamStats::default();
        let mut retained: KeyMap<u32, Vec<Relation>> = KeyMap::default();
        let mut partners: Vec<u32> = vec![0; self.fingerprints.len()];
        let n = self.fingerprints.len();
        let mut lo = 0;
        while lo < n {
            let hi = self.slice_end(lo);
            let upward = self.upward_relations(lo, hi, &mut stats);
            self.count_partners(&upward, lo, hi, &mut partners);
            let local = self.retain(upward, &mut retained);
            self.write_slice(
                lo,
                hi,
                &local,
                &retained,
                strongest.as_ref(),
                &mut stats,
                &mut sink,
            )?;
            // A representative's kept relations go with its last copy.
            for d in lo..hi {
                let r = self.groups.representative[d];
                if self.groups.copies(r).last() == Some(&DocId(d as u32)) {
                    retained.remove(&r.0);
                }
            }
            lo = hi;
            if let Some(progress) = self.progress {
                progress(hi, n);
            }
        }
        stats.busiest = partners
            .iter()
            .enumerate()
            .max_by_key(|&(d, &p)| (p, std::cmp::Reverse(d)))
            .filter(|&(_, &p)| p > 0)
            .map(|(d, &p)| (DocId(d as u32), u64::from(p)));
        Ok(stats)
    }

    /// Every pair, collected (for tests, `bench` and small corpora).
    pub fn collect(&self) -> (Vec<Relation>, StreamStats) {
        let mut all = Vec::new();
        let stats = self
            .for_each::<_, std::convert::Infallible>(None, &|rs| rs.to_vec(), &mut |rs| {
                all.extend(rs);
                Ok(())
            })
            .unwrap_or_else(|e| match e {});
        (all, stats)
    }

    /// The end of the slice that starts at `lo`: at most [`SLICE_DOCS`] documents and, past the
    /// first, at most [`SLICE_WORK`] promised partners.
    fn slice_end(&self, lo: usize) -> usize {
        let n = self.fingerprints.len();
        let mut work = 0;
        let mut hi = lo;
        while hi < n && hi - lo < SLICE_DOCS {
            let d = DocId(hi as u32);
            if self.is_representative(d) {
                work += self.index.partners_bound(d);
                if work > SLICE_WORK && hi > lo {
                    break;
                }
            }
            hi += 1;
        }
        hi
    }

    fn is_representative(&self, d: DocId) -> bool {
        self.groups.representative[d.index()] == d && !self.fingerprints[d.index()].is_empty()
    }

    /// For each representative of `lo..hi`, its relations with later representatives (copies and
    /// translations), found in parallel.
    fn upward_relations(
        &self,
        lo: usize,
        hi: usize,
        stats: &mut StreamStats,
    ) -> Vec<(DocId, Vec<Relation>)> {
        let reps: Vec<DocId> = (lo..hi)
            .map(|d| DocId(d as u32))
            .filter(|&d| self.is_representative(d))
            .collect();
        let found: Vec<(DocId, Vec<Relation>, usize)> = reps
            .par_iter()
            .map_init(Vec::new, |partners, &r| {
                let (rels, scored) = self.copy_relations_after(r, partners);
                (r, rels, scored)
            })
            .collect();
        let mut out = Vec::with_capacity(found.len());
        for (r, mut rels, scored) in found {
            stats.scored += scored as u64;
            rels.extend(self.translations_after(r).cloned());
            if !rels.is_empty() {
                out.push((r, rels));
            }
        }
        out
    }

    /// The copy relations of representative r with its candidate partners after it, and how many
    /// candidates were scored.
    fn copy_relations_after(&self, r: DocId, partners: &mut Vec<DocId>) -> (Vec<Relation>, usize) {
        let copies = RelationKind::DUPLICATES
            .iter()
            .any(|&k| self.config.wants(k));
        if !copies {
            return (Vec::new(), 0);
        }
        self.index.partners_after(r, self.fingerprints, partners);
        if let Some(new) = self.new_from {
            let holds_new = |d: DocId| self.groups.copies(d).last().is_some_and(|&c| c >= new);
            if !holds_new(r) {
                partners.retain(|&o| holds_new(o));
            }
        }
        if partners.is_empty() {
            return (Vec::new(), 0);
        }
        let (mut br, mut bo) = (Vec::new(), Vec::new());
        let fr = self.fingerprints.get(r.index(), &mut br);
        let rels = partners
            .iter()
            .filter_map(|&o| {
                let fo = self.fingerprints.get(o.index(), &mut bo);
                relate_scored(r, o, fr, fo, self.config)
            })
            .collect();
        (rels, partners.len())
    }

    /// The translations whose first representative is r.
    fn translations_after(&self, r: DocId) -> impl Iterator<Item = &Relation> {
        let first = |t: &Relation| t.a.min(t.b);
        let from = self.translations.partition_point(|t| first(t) < r);
        self.translations[from..]
            .iter()
            .take_while(move |t| first(t) == r)
    }

    /// Keeps what later slices need (relations of representatives with copies, for their copies
    /// and for their partners' later copies) and returns the rest, by representative.
    fn retain(
        &self,
        upward: Vec<(DocId, Vec<Relation>)>,
        retained: &mut KeyMap<u32, Vec<Relation>>,
    ) -> KeyMap<u32, Vec<Relation>> {
        let mut local: KeyMap<u32, Vec<Relation>> = KeyMap::default();
        for (r, rels) in upward {
            if self.groups.has_copies(r) {
                for rel in &rels {
                    retained
                        .entry(other(rel, r).0)
                        .or_default()
                        .push(rel.clone());
                }
                retained.entry(r.0).or_default().extend(rels);
            } else {
                local.insert(r.0, rels);
            }
        }
        local
    }

    /// Counts, for each representative, the documents it is related to (copies included).
    fn count_partners(
        &self,
        upward: &[(DocId, Vec<Relation>)],
        lo: usize,
        hi: usize,
        partners: &mut [u32],
    ) {
        for d in lo..hi {
            let d = DocId(d as u32);
            if self.is_representative(d) {
                let mates = self.groups.copies(d).len() - 1;
                partners[d.index()] = partners[d.index()].saturating_add(mates as u32);
            }
        }
        for (r, rels) in upward {
            for rel in rels {
                let p = other(rel, *r);
                let (cr, cp) = (self.groups.copies(*r).len(), self.groups.copies(p).len());
                partners[r.index()] = partners[r.index()].saturating_add(cp as u32);
                partners[p.index()] = partners[p.index()].saturating_add(cr as u32);
            }
        }
    }

    /// Writes the lines of the documents `lo..hi`, made in parallel a window at a time.
    #[allow(clippy::too_many_arguments)]
    fn write_slice<T: Send, E>(
        &self,
        lo: usize,
        hi: usize,
        local: &KeyMap<u32, Vec<Relation>>,
        retained: &KeyMap<u32, Vec<Relation>>,
        strongest: Option<&Strongest>,
        stats: &mut StreamStats,
        sink: &mut Sink<'_, T, E>,
    ) -> Result<(), E> {
        let rels_of = |r: DocId| {
            let l = local.get(&r.0).map(Vec::as_slice).unwrap_or_default();
            let k = retained.get(&r.0).map(Vec::as_slice).unwrap_or_default();
            l.iter().chain(k)
        };
        let mut start = lo;
        while start < hi {
            // A window ends once its documents promise WINDOW_LINES lines.
            let mut end = start;
            let mut promised = 0;
            while end < hi && (end == start || promised < WINDOW_LINES) {
                if !self.fingerprints[end].is_empty() {
                    let r = self.groups.representative[end];
                    promised += self.groups.copies(r).len();
                    promised += rels_of(r)
                        .map(|rel| self.groups.copies(other(rel, r)).len())
                        .sum::<usize>();
                }
                end += 1;
            }
            let shaped: Vec<Option<(T, [u64; 4])>> = (start..end)
                .into_par_iter()
                .map(|d| {
                    let d = DocId(d as u32);
                    let r = self.groups.representative[d.index()];
                    let lines = self.lines_of(d, rels_of(r), strongest);
                    if lines.is_empty() {
                        return None;
                    }
                    let mut counts = [0u64; 4];
                    for rel in &lines {
                        counts[kind_rank(rel.kind) as usize] += 1;
                    }
                    Some(((sink.shape)(&lines), counts))
                })
                .collect();
            for (shaped, counts) in shaped.into_iter().flatten() {
                for (total, c) in stats.by_kind.iter_mut().zip(counts) {
                    *total += c;
                }
                (sink.take)(shaped)?;
            }
            start = end;
        }
        Ok(())
    }

    /// The relation between two copies of representative r, if the configuration reports one.
    fn mate_relation(&self, r: DocId) -> Option<Relation> {
        let copies = self.groups.copies(r);
        let (&a, &b) = (copies.first()?, copies.get(1)?);
        let mut buf = Vec::new();
        let f = self.fingerprints.get_stored(r.index(), &mut buf);
        let count = self.fingerprints.shingle_count(r.index());
        relate_copies((a, b), f, count, self.config)
    }

    /// Document d's pairs with later documents, sorted; `rels` are its representative's relations.
    fn lines_of<'r>(
        &self,
        d: DocId,
        rels: impl Iterator<Item = &'r Relation>,
        strongest: Option<&Strongest>,
    ) -> Vec<Relation> {
        if self.fingerprints[d.index()].is_empty() {
            return Vec::new();
        }
        let r = self.groups.representative[d.index()];
        let own = strongest.map(|s| s.threshold(self.groups, d));
        // The partners d's lines may have: those after it, and with `new_from`, new ones only
        // when d is not.
        let first = DocId(match self.new_from {
            Some(new) if d < new => new.0,
            _ => d.0 + 1,
        });
        let mut lines = Vec::new();
        let mates = self.groups.copies(r);
        if mates.last().is_some_and(|&m| m >= first) {
            if let Some(mate) = self.mate_relation(r) {
                let run = Run {
                    first,
                    copies: mates,
                    rel: &mate,
                    d_is_a: true,
                };
                self.extend_run(d, &run, strongest.zip(own), &mut lines);
            }
        }
        for rel in rels {
            let run = Run {
                first,
                copies: self.groups.copies(other(rel, r)),
                rel,
                d_is_a: rel.a == r,
            };
            self.extend_run(d, &run, strongest.zip(own), &mut lines);
        }
        lines.sort_by_key(|l| (l.a.max(l.b), l.kind));
        lines
    }

    /// Adds the pairs of d with the copies after it of one partner, all related by one relation.
    /// With `max_partners`, the copies are read in input order, so that their strength for d only
    /// weakens: once neither d nor the copies past the partner's strongest list keep the pair,
    /// none after does either.
    fn extend_run(
        &self,
        d: DocId,
        run: &Run<'_>,
        strongest: Option<(&Strongest, Option<Strength>)>,
        lines: &mut Vec<Relation>,
    ) {
        let from = run.copies.partition_point(|&o| o < run.first);
        for &o in &run.copies[from..] {
            if let Some((s, own)) = strongest {
                let by_d = own.is_none_or(|t| strength(run.rel.score, run.rel.kind, o) <= t);
                let for_o = s.threshold(self.groups, o);
                let by_o = for_o.is_none_or(|t| strength(run.rel.score, run.rel.kind, d) <= t);
                if !by_d && !by_o {
                    if s.beyond_list(self.groups, o) {
                        break;
                    }
                    continue;
                }
            }
            lines.push(if run.d_is_a {
                run.rel.moved_to(d, o)
            } else {
                run.rel.moved_to(o, d)
            });
        }
    }

    /// Each representative's strongest partners, for `max_partners`: a first pass over the
    /// relations.
    fn strongest_partners(&self, k: usize) -> Strongest {
        let mut s = Strongest {
            k,
            lists: KeyMap::default(),
        };
        let mut ignored = StreamStats::default();
        let n = self.fingerprints.len();
        let mut lo = 0;
        while lo < n {
            let hi = self.slice_end(lo);
            for d in lo..hi {
                let r = DocId(d as u32);
                if self.is_representative(r) {
                    if let Some(mate) = self.mate_relation(r) {
                        s.offer(r, self.groups.copies(r), &mate);
                    }
                }
            }
            for (r, rels) in self.upward_relations(lo, hi, &mut ignored) {
                for rel in &rels {
                    let p = other(rel, r);
                    s.offer(r, self.groups.copies(p), rel);
                    s.offer(p, self.groups.copies(r), rel);
                }
            }
            lo = hi;
        }
        s
    }
}

/// Where the pairs go: `shape` runs in parallel, `take` in output order.
struct Sink<'s, T, E> {
    shape: &'s (dyn Fn(&[Relation]) -> T + Sync),
    take: &'s mut dyn FnMut(T) -> Result<(), E>,
}

/// One partner's copies from `first` on (after d), related to d's group by `rel`.
struct Run<'a> {
    first: DocId,
    copies: &'a [DocId],
    rel: &'a Relation,
    /// Whether d stands for `rel.a` (else for `rel.b`).
    d_is_a: bool,
}

/// For each representative, the strengths of its K + 1 strongest partners (one more than kept, so
/// that a copy can leave itself out of its group's list).
struct Strongest {
    k: usize,
    lists: KeyMap<u32, Vec<Strength>>,
}

impl Strongest {
    /// Offers r the documents `partners`, all related to it by `rel`.
    fn offer(&mut self, r: DocId, partners: &[DocId], rel: &Relation) {
        let list = self.lists.entry(r.0).or_default();
        for &o in partners.iter().take(self.k + 1) {
            let s = strength(rel.score, rel.kind, o);
            if list.len() > self.k && s >= list[self.k] {
                break;
            }
            let at = list.partition_point(|&x| x < s);
            list.insert(at, s);
            list.truncate(self.k + 1);
        }
    }

    /// The strength of d's K-th strongest partner (`None`: it has K or fewer, all kept).
    fn threshold(&self, groups: &ExactGroups, d: DocId) -> Option<Strength> {
        let list = self.lists.get(&groups.representative[d.index()].0)?;
        list.iter()
            .filter(|s| s.2 != d.0)
            .nth(self.k.saturating_sub(1))
            .copied()
    }

    /// Whether o and every later copy of its group are out of their group's strongest list (so
    /// that all of them have the same threshold).
    fn beyond_list(&self, groups: &ExactGroups, o: DocId) -> bool {
        self.lists
            .get(&groups.representative[o.index()].0)
            .is_none_or(|list| list.iter().all(|s| s.2 < o.0))
    }
}
