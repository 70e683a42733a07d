//! Candidate generation: which pairs are worth scoring, without looking at all n² of them.
//!
//! Three sources, each near-linear in the corpus:
//!
//! 1. **Exact groups.** Documents with the same folded word sequence are grouped by hash; only the
//!    first of each group (its representative) goes on, and pairs found for it hold for every copy.
//!    A wire story re-sent fifty times costs one document in the tables below.
//! 2. **MinHash LSH bands** for near-duplicates. SimHash tables (Manku et al. 2007) find pairs within
//!    a few bits, but two stories at Jaccard 0.5 over 3-shingles differ by about 17 of 64 SimHash bits,
//!    far beyond what permuted tables can search; MinHash bands (42 x 3) find a J = 0.5 pair with
//!    probability 0.996 (BENCHMARKS.md compares the two on Reuters). A pair that shares one band
//!    and no other is scored only when its SimHashes are close ([`ONE_BAND_HAMMING`]): a
//!    near-duplicate shares five bands on average, while a site's template (shared by thousands
//!    of its pages) or a few passages two articles share make pairs near J = 0.05 to 0.3 that
//!    share one. Candidates then grow with the related pairs, not with the square of the pages
//!    a template is on or of how often a passage recurs.
//! 3. **An anchor index** for containment. A three-paragraph excerpt of a long article has a low
//!    resemblance to it, so whole-document sketches miss it. Anchors are a content-defined sample of
//!    shingles (one in `anchor_modulus`, chosen by value, so a passage has the same anchors wherever it
//!    is quoted); a document probes the index with its rarest anchors only (prefix filtering), enough
//!    that any document sharing 40% of its anchors is found. Anchors in more than
//!    `max_anchor_postings` documents are boilerplate and are not indexed.
//!
//! The tables are queried one document at a time ([`CandidateIndex`]): nothing here lists the pairs
//! of a bucket. A dense family (thousands of near-identical pages, one bucket in most bands) is one
//! stored list, so memory grows with documents and distinct buckets, and a caller that needs only
//! some edges (`dedupe`, see [`crate::cluster::settle`]) pays only for those.
//!
//! An index's `add` wants only the pairs of its new documents: the tables then hold only the
//! buckets and anchors of those ([`CandidateIndex::build_around`]), and the indexed documents'
//! entries for them are looked up by key in the batches' postings ([`StoredKeys`]) rather than
//! scanned; the indexed documents are then held by none of their shingles.

use std::cmp::Reverse;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;

use crate::config::Config;
use crate::fingerprint::{BitFilter, FilteredKeys, Fingerprints, HitCounts, KeyMap, Shingles};
use crate::relate::RelationKind;
use crate::DocId;

/// The keys of the documents before a run's new ones, looked up rather than scanned: an index's
/// batches keep each key with the documents that have it ([`crate::index::postings`]), so that an
/// `add` reads the entries of its new documents' keys instead of every indexed document's keys.
/// Documents are the run's: the stored ones are the first [`StoredKeys::documents`].
pub trait StoredKeys: Sync {
    /// How many documents the keys are of (the run's documents before its new ones).
    fn documents(&self) -> usize;
    /// (anchor, document) for every stored document that `keep` keeps with one of `anchors`
    /// (sorted, unique), sorted; and each of those documents' number of anchors (indexed by
    /// document, 0 for the others).
    fn anchors(
        &self,
        anchors: &[u32],
        keep: &(dyn Fn(DocId) -> bool + Sync),
    ) -> (Vec<(u32, DocId)>, Vec<u32>);
    /// How many stored documents that `keep` keeps have each of `anchors` (sorted, unique).
    fn count_anchors(&self, anchors: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32>;
    /// The anchors of each of `docs` (sorted stored documents), in their order.
    fn anchors_of(&self, docs: &[DocId]) -> Vec<Vec<u32>>;
    /// (band << 32 | key, document) for every stored document with one of `keys` (sorted,
    /// unique), sorted.
    fn bands(&self, keys: &[u64]) -> Vec<(u64, DocId)>;
    /// Why a lookup failed (a damaged file): the tables built since are then incomplete.
    fn failure(&self) -> Option<String>;
    /// Whether the stored documents' translation keys are looked up here too: the run then
    /// holds none of them ([`crate::crosslingual::candidate_index`]), and the methods below
    /// answer (they are not asked otherwise).
    fn translation_keys(&self) -> bool {
        false
    }
    /// How many stored documents that `keep` keeps have each of the translation `keys` (sorted,
    /// unique).
    fn count_keys(&self, keys: &[u32], _keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
        vec![0; keys.len()]
    }
    /// The translation keys of each of `docs` (sorted stored documents), in their order.
    fn keys_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
        vec![Vec::new(); docs.len()]
    }
    /// The parts the stored translation keys are kept in (an index's batches), each with how
    /// many postings it holds: every document's keys are in one part, so that a rule over a
    /// document's keys can be applied part by part, each part's keys looked up at once when
    /// they are few. One part, of unknown size, unless said otherwise.
    fn key_parts(&self) -> Vec<u64> {
        vec![u64::MAX]
    }
    /// (key, document) for every stored document of part `part` of [`StoredKeys::key_parts`]
    /// that `keep` keeps with one of the translation `keys` (sorted, unique), sorted, in `found`
    /// (emptied first: a caller that looks up chunk after chunk keeps its memory).
    fn key_postings(
        &self,
        _part: usize,
        _keys: &[u32],
        _keep: &(dyn Fn(DocId) -> bool + Sync),
        found: &mut Vec<(u32, DocId)>,
    ) {
        found.clear();
    }
}

/// A run's documents when tables are built from [`StoredKeys`] and its new documents (the last).
///
/// The stored documents may be held by nothing of their shingles (an index's features leave them
/// to its postings): nothing here reads their sets. An old representative whose group holds a
/// new copy is read through that copy (the same shingles).
struct Looked<'a> {
    stored: &'a dyn StoredKeys,
    /// Per document: whether it is one of the documents the tables are built over (the exact
    /// groups' representatives).
    in_docs: Vec<bool>,
    /// The new documents among them.
    new_docs: Vec<DocId>,
    /// Every new document (copies too: an old representative with a new copy has its keys).
    all_new: Vec<DocId>,
    /// Old representatives with a new copy -> the first such copy.
    copy_of: KeyMap<u32, DocId>,
}

impl<'a> Looked<'a> {
    fn new(fingerprints: &Fingerprints, docs: &[DocId], stored: &'a dyn StoredKeys) -> Looked<'a> {
        let n = fingerprints.len();
        let mut in_docs = vec![false; n];
        docs.iter().for_each(|d| in_docs[d.index()] = true);
        let first = stored.documents().min(n);
        let all_new: Vec<DocId> = (first as u32..n as u32).map(DocId).collect();
        let new_docs = all_new
            .iter()
            .copied()
            .filter(|d| in_docs[d.index()])
            .collect();
        let mut first_copy: KeyMap<u128, DocId> = KeyMap::default();
        for &d in &all_new {
            first_copy.entry(fingerprints[d.index()].exact).or_insert(d);
        }
        let copy_of = (docs.iter())
            .take_while(|d| d.index() < first)
            .filter_map(|&d| Some((d.0, *first_copy.get(&fingerprints[d.index()].exact)?)))
            .collect();
        Looked {
            stored,
            in_docs,
            new_docs,
            all_new,
            copy_of,
        }
    }

    /// Calls `f` with each of `docs` and its shingles, an old one's read through its new copy
    /// (in the copies' order).
    fn scan_shingles(
        &self,
        fingerprints: &Fingerprints,
        docs: &[DocId],
        mut f: impl FnMut(DocId, Shingles<'_>),
    ) {
        let mut read: Vec<(DocId, DocId)> = (docs.iter())
            .map(|&d| (self.copy_of.get(&d.0).copied().unwrap_or(d), d))
            .collect();
        read.sort_unstable();
        let sources: Vec<DocId> = read.iter().map(|p| p.0).collect();
        let mut at = 0;
        fingerprints.scan_shingles(&sources, |_, s| {
            f(read[at].1, s);
            at += 1;
        });
    }

    /// (anchor, document) for every new document of the tables with one of `anchors` (sorted,
    /// unique), sorted, and those documents' number of anchors (indexed by document).
    fn new_entries(
        &self,
        fingerprints: &Fingerprints,
        anchors: &[u32],
        modulus: u32,
    ) -> (Vec<(u32, DocId)>, Vec<u32>) {
        let mut counts = vec![0; fingerprints.len()];
        let place = numbered(anchors);
        let mut entries = Vec::new();
        fingerprints.scan_shingles(&self.new_docs, |d, s| {
            let before = entries.len();
            entries.extend(
                s.anchors(modulus)
                    .filter(|&a| place.contains(a))
                    .map(|a| (a, d)),
            );
            if entries.len() > before {
                counts[d.index()] = s.anchors(modulus).count() as u32;
            }
        });
        entries.par_sort_unstable();
        (entries, counts)
    }

    /// (anchor, document) for every document of the tables with one of `anchors` (sorted,
    /// unique), sorted: the stored ones looked up, merged with the `new` entries of those anchors
    /// (sorted); the stored documents' number of anchors is set in `counts` (indexed by document).
    fn slice_entries(
        &self,
        anchors: &[u32],
        new: &[(u32, DocId)],
        counts: &mut [u32],
    ) -> Vec<(u32, DocId)> {
        let in_docs = |d: DocId| self.in_docs[d.index()];
        let (stored, stored_counts) = self.stored.anchors(anchors, &in_docs);
        for (count, stored) in counts.iter_mut().zip(stored_counts) {
            if stored > 0 {
                *count = stored;
            }
        }
        // The stored entries come sorted and far outnumber the new ones.
        merged(stored, new.to_vec())
    }

    /// The anchors of `docs` (sorted): the stored ones' from [`StoredKeys::anchors_of`].
    fn anchors_of(
        &self,
        fingerprints: &Fingerprints,
        docs: &[DocId],
        modulus: u32,
    ) -> KeyMap<u32, Vec<u32>> {
        let first = self.stored.documents();
        let (old, new) = docs.split_at(docs.partition_point(|d| d.index() < first));
        let mut out: KeyMap<u32, Vec<u32>> = old
            .iter()
            .map(|d| d.0)
            .zip(self.stored.anchors_of(old))
            .collect();
        fingerprints.scan_shingles(new, |d, s| {
            drop(out.insert(d.0, s.anchors(modulus).collect()))
        });
        out
    }
}

/// The sorted `a` and `b` in one sorted vector, `a`'s (grown: a vector this large is moved by
/// the kernel, not copied), merged from the end: no second vector of them all is held (the
/// stored anchor entries of an `add` are tens of megabytes; BENCHMARKS.md section 39).
fn merged<T: Ord + Copy>(mut a: Vec<T>, b: Vec<T>) -> Vec<T> {
    let Some(&filler) = b.first() else {
        return a;
    };
    let (mut i, mut j) = (a.len(), b.len());
    a.resize(i + j, filler);
    // Every place from `i + j` on is filled; of equals, `a`'s come first.
    while j > 0 {
        if i > 0 && a[i - 1] > b[j - 1] {
            a[i + j - 1] = a[i - 1];
            i -= 1;
        } else {
            a[i + j - 1] = b[j - 1];
            j -= 1;
        }
    }
    a
}

/// Documents grouped by exact folded text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactGroups {
    /// For each document, the first document with the same folded text (itself if none before).
    pub representative: Vec<DocId>,
    /// Groups of two or more documents, each in input order, groups ordered by first member.
    pub groups: Vec<Vec<DocId>>,
    /// For each document, its group's place in `groups` (`u32::MAX` when it has no copies).
    group_of: Vec<u32>,
}

impl ExactGroups {
    /// Groups the non-empty documents by their exact-text hash.
    pub fn of(fingerprints: &Fingerprints) -> ExactGroups {
        let mut order: Vec<u32> = (0..fingerprints.len() as u32)
            .filter(|&i| !fingerprints[i as usize].is_empty())
            .collect();
        order.par_sort_unstable_by_key(|&i| (fingerprints[i as usize].exact, i));
        let mut representative: Vec<DocId> = (0..fingerprints.len() as u32).map(DocId).collect();
        let mut groups = Vec::new();
        for run in order
            .chunk_by(|&x, &y| fingerprints[x as usize].exact == fingerprints[y as usize].exact)
        {
            if run.len() > 1 {
                for &m in run {
                    representative[m as usize] = DocId(run[0]);
                }
                groups.push(run.iter().map(|&m| DocId(m)).collect::<Vec<_>>());
            }
        }
        groups.sort_unstable_by_key(|g: &Vec<DocId>| g[0]);
        let mut group_of = vec![u32::MAX; fingerprints.len()];
        for (k, g) in groups.iter().enumerate() {
            for d in g {
                group_of[d.index()] = k as u32;
            }
        }
        ExactGroups {
            representative,
            groups,
            group_of,
        }
    }

    /// For each document, whether its group (or itself, without copies) holds a document at or
    /// after `from`: the documents whose pairs an index `add` wants.
    pub fn holding_from(&self, from: DocId) -> Vec<bool> {
        (0..self.representative.len())
            .map(|d| {
                self.copies(DocId(d as u32))
                    .last()
                    .is_some_and(|&c| c >= from)
            })
            .collect()
    }

    /// The documents with the same folded text as d, d included, in input order.
    pub fn copies(&self, d: DocId) -> &[DocId] {
        match self.group_of.get(d.index()) {
            Some(&k) if k != u32::MAX => &self.groups[k as usize],
            _ => std::slice::from_ref(&self.representative[d.index()]),
        }
    }

    /// Whether d has at least one exact copy.
    pub fn has_copies(&self, d: DocId) -> bool {
        self.group_of.get(d.index()).is_some_and(|&k| k != u32::MAX)
    }

    /// The representatives of non-empty documents, in input order: the documents left to compare.
    pub fn representatives(&self, fingerprints: &Fingerprints) -> Vec<DocId> {
        self.representative
            .iter()
            .enumerate()
            .filter(|&(i, r)| r.index() == i && !fingerprints[i].is_empty())
            .map(|(_, r)| *r)
            .collect()
    }
}

#[cfg(any(test, feature = "internals"))]
/// Candidate pairs among `docs`, as (smaller id, larger id), sorted and unique: every pair that
/// [`CandidateIndex`] proposes, listed whole (for tests and measurements; the pipeline queries the
/// index one document at a time instead).
pub fn candidate_pairs(
    fingerprints: &Fingerprints,
    docs: &[DocId],
    config: &Config,
) -> Vec<(DocId, DocId)> {
    let index = CandidateIndex::build(fingerprints, docs, config);
    let mut out = Vec::new();
    let mut pairs = Vec::new();
    for &d in docs {
        index.partners_after(d, fingerprints, &mut out);
        pairs.extend(out.iter().map(|&o| (d, o)));
    }
    pairs
}

#[cfg(any(test, feature = "internals"))]
/// Pairs that share at least one MinHash band, listed whole (a dense family of m documents lists
/// m²/2 pairs here: measurements and tests only).
pub fn lsh_pairs(
    fingerprints: &Fingerprints,
    docs: &[DocId],
    config: &Config,
) -> Vec<(DocId, DocId)> {
    let buckets = Buckets::build(fingerprints, docs, config, (None, None));
    let mut pairs: Vec<(DocId, DocId)> = Vec::new();
    for b in 0..buckets.members.len() {
        let m = buckets.members.get(b);
        for (i, &x) in m.iter().enumerate() {
            pairs.extend(m[i + 1..].iter().map(|&y| (DocId(x), DocId(y))));
        }
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Lists of `u32` stored end to end: list k is `items[offsets[k]..offsets[k + 1]]`.
#[derive(Debug, Clone, Default)]
struct Lists {
    offsets: Vec<usize>,
    items: Vec<u32>,
}

impl Lists {
    fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn get(&self, k: usize) -> &[u32] {
        match (self.offsets.get(k), self.offsets.get(k + 1)) {
            (Some(&s), Some(&e)) => &self.items[s..e],
            _ => &[],
        }
    }

    /// Lists indexed by `0..n` from (list, item) entries: each list sorted and without repeats.
    fn from_entries(n: usize, mut entries: Vec<(u32, u32)>) -> Lists {
        entries.par_sort_unstable();
        entries.dedup();
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0);
        let mut at = 0;
        for k in 0..n as u32 {
            while at < entries.len() && entries[at].0 == k {
                at += 1;
            }
            offsets.push(at);
        }
        let mut items: Vec<u32> = entries.into_iter().map(|(_, x)| x).collect();
        // Collected in place, the items would keep the entries' allocation: twice their size.
        items.shrink_to_fit();
        Lists { offsets, items }
    }
}

/// The LSH buckets that hold two documents or more, each stored once: a band whose bucket has the
/// same members as another band's (the usual case for near-copies, which share most bands) adds
/// nothing. A dense family of m near-identical pages is then one list of m documents, not 42.
struct Buckets {
    /// Bucket -> its documents, in input order.
    members: Lists,
    /// Bucket -> how many bands have exactly its member list (identical lists are stored once).
    bands: Vec<u8>,
}

impl Buckets {
    /// The buckets of `docs`; only those holding a wanted document when `holds_new` says which
    /// (per document), each with all its members.
    fn build(
        fingerprints: &Fingerprints,
        docs: &[DocId],
        config: &Config,
        (holds_new, looked): (Option<&[bool]>, Option<&Looked<'_>>),
    ) -> Buckets {
        let bands = config.minhash.bands;
        let per_band = match (holds_new, looked) {
            (Some(new), Some(looked)) => {
                looked_up_buckets_per_band(fingerprints, bands, new, looked)
            }
            _ => {
                let wanted = holds_new.map(|new| NewKeys::of(fingerprints, docs, new, bands));
                shared_buckets_per_band(fingerprints, docs, bands, wanted.as_ref())
            }
        };
        // Identical member lists are kept once: sorted by content hash, then compared whole.
        // (hash, band, list): 16 bytes a list, the largest transient of the tables' build.
        let mut all: Vec<(u64, u32, u32)> = per_band
            .par_iter()
            .enumerate()
            .flat_map_iter(|(band, lists)| {
                let hash = |k: usize| content_hash(lists.get(k).iter().copied());
                (0..lists.len()).map(move |k| (hash(k), band as u32, k as u32))
            })
            .collect();
        all.par_sort_unstable();
        let mut members = Lists {
            offsets: vec![0],
            items: Vec::new(),
        };
        let mut bands_of: Vec<u8> = Vec::new();
        let mut kept: Vec<(&[u32], usize)> = Vec::new();
        for run in all.chunk_by(|x, y| x.0 == y.0) {
            kept.clear();
            for &(_, band, k) in run {
                let list = per_band[band as usize].get(k as usize);
                match kept.iter().position(|&(l, _)| l == list) {
                    Some(at) => bands_of[kept[at].1] = bands_of[kept[at].1].saturating_add(1),
                    None => {
                        kept.push((list, bands_of.len()));
                        bands_of.push(1);
                        members.items.extend_from_slice(list);
                        members.offsets.push(members.items.len());
                    }
                }
            }
        }
        members.offsets.shrink_to_fit();
        members.items.shrink_to_fit();
        Buckets {
            members,
            bands: bands_of,
        }
    }
}

/// The band keys of the wanted documents, as bits of a filter (a key of another band, or of no
/// wanted document, may pass it: the buckets found are then checked), and which they are.
struct NewKeys<'a> {
    filter: BitFilter,
    holds_new: &'a [bool],
}

impl<'a> NewKeys<'a> {
    /// Bits of the filter, as a power of two (16 million bits: 2 MB, a few percent passing for
    /// the 420,000 keys of 10,000 documents).
    const BITS: u32 = 24;

    fn of(
        fingerprints: &Fingerprints,
        docs: &[DocId],
        holds_new: &'a [bool],
        bands: usize,
    ) -> Self {
        let mut filter = BitFilter::new(Self::BITS);
        let wanted: Vec<DocId> = docs
            .iter()
            .copied()
            .filter(|d| holds_new[d.index()])
            .collect();
        fingerprints.scan_bands(&wanted, |_, keys| {
            for (band, &k) in keys.iter().enumerate().take(bands) {
                filter.insert(Self::value(band, k));
            }
        });
        NewKeys { filter, holds_new }
    }

    /// One value per band and key.
    fn value(band: usize, key: u32) -> u64 {
        u64::from(key) | (band as u64) << 32
    }

    fn may_hold(&self, band: usize, key: u32) -> bool {
        self.filter.may_hold(Self::value(band, key))
    }
}

/// Every band's buckets of two documents or more (holding a wanted document, when `wanted` is
/// given). The band keys are read in passes over the documents, one band per worker thread at a
/// time, so that a pass holds one table per thread.
fn shared_buckets_per_band(
    fingerprints: &Fingerprints,
    docs: &[DocId],
    bands: usize,
    wanted: Option<&NewKeys<'_>>,
) -> Vec<Lists> {
    let per_pass = rayon::current_num_threads().clamp(1, bands.max(1));
    let mut per_band = Vec::with_capacity(bands);
    for first in (0..bands).step_by(per_pass) {
        let these = first..(first + per_pass).min(bands);
        let room = if wanted.is_some() { 0 } else { docs.len() };
        let mut tables: Vec<Vec<(u32, u32)>> =
            these.clone().map(|_| Vec::with_capacity(room)).collect();
        fingerprints.scan_bands(docs, |d, keys| {
            for (table, band) in tables.iter_mut().zip(these.clone()) {
                match keys.get(band) {
                    Some(&k) if wanted.is_none_or(|w| w.may_hold(band, k)) => table.push((k, d.0)),
                    _ => {}
                }
            }
        });
        let holds_new = |run: &[(u32, u32)]| {
            wanted.is_none_or(|w| run.iter().any(|&(_, d)| w.holds_new[d as usize]))
        };
        let lists: Vec<Lists> = tables
            .into_par_iter()
            .map(|mut table| {
                table.sort_unstable();
                let mut lists = Lists {
                    offsets: vec![0],
                    items: Vec::new(),
                };
                let shared = table.chunk_by(|x, y| x.0 == y.0).filter(|r| r.len() >= 2);
                for run in shared.filter(|r| holds_new(r)) {
                    lists.items.extend(run.iter().map(|&(_, d)| d));
                    lists.offsets.push(lists.items.len());
                }
                lists
            })
            .collect();
        per_band.extend(lists);
    }
    per_band
}

/// [`shared_buckets_per_band`] holding a wanted document, from the new documents' keys: the
/// stored documents with one are looked up, the new ones scanned. The same lists: a bucket holding
/// a wanted document holds a new one's key (a wanted old document's group holds a new copy, whose
/// keys are its own).
fn looked_up_buckets_per_band(
    fingerprints: &Fingerprints,
    bands: usize,
    holds_new: &[bool],
    looked: &Looked<'_>,
) -> Vec<Lists> {
    let value = |band: usize, k: u32| (band as u64) << 32 | u64::from(k);
    let (mut keys, mut entries) = (Vec::new(), Vec::new());
    fingerprints.scan_bands(&looked.all_new, |d, ks| {
        for (band, &k) in ks.iter().enumerate().take(bands) {
            keys.push(value(band, k));
            if looked.in_docs[d.index()] {
                entries.push((value(band, k), d.0));
            }
        }
    });
    keys.par_sort_unstable();
    keys.dedup();
    let stored = looked.stored.bands(&keys).into_iter();
    entries.extend(
        stored
            .filter(|(_, d)| looked.in_docs[d.index()])
            .map(|(k, d)| (k, d.0)),
    );
    entries.par_sort_unstable();
    let empty = Lists {
        offsets: vec![0],
        items: Vec::new(),
    };
    let mut per_band = vec![empty; bands];
    for run in entries.chunk_by(|x, y| x.0 == y.0) {
        if run.len() >= 2 && run.iter().any(|&(_, d)| holds_new[d as usize]) {
            let lists = &mut per_band[(run[0].0 >> 32) as usize];
            lists.items.extend(run.iter().map(|&(_, d)| d));
            lists.offsets.push(lists.items.len());
        }
    }
    per_band
}

/// A hash of a list of documents, to find lists with the same members.
fn content_hash(list: impl IntoIterator<Item = u32>) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for x in list {
        h.update(&x.to_le_bytes());
    }
    h.digest()
}

/// Buckets at least this large are *crowded*: they keep their members by size, so that the
/// possible containers of a document are found without walking the whole bucket.
///
/// Such buckets are made by passages many unrelated pages share: a site's header and footer
/// (twenty to thirty shingles of a page of two hundred) fill the three bins of a band in thousands
/// of its pages. Every two of them then share that band at a resemblance near 0.05: a bucket of m
/// pages would propose m²/2 pairs that no rule keeps (3.0 M of the 3.5 M candidates scored on the
/// project's corpus of a million, BENCHMARKS.md section 32) but for [`ONE_BAND_HAMMING`].
pub const LARGE_BUCKET: usize = 64;

/// The SimHash distance (bits of 64) within which a pair sharing one band and no other is still
/// scored ([`keep_band_partners`]).
///
/// A near-duplicate pair (J >= 0.5) shares five bands of 42 on average, and a pair sharing exactly
/// one is at J = 0.5 2.2% of the time, at J = 0.6 0.04%. Near-duplicates at J in [0.5, 0.6) of the
/// project's corpus of a million: 99% within 24 bits. Pairs sharing one band and nothing else are
/// mostly not near-duplicates:
/// - a site's pages sharing a crowded bucket: 0.9% within 20 bits, 8.9% within 24;
/// - articles sharing a few passages (J near 0.2 to 0.3, where one band of 42 is shared a third of
///   the time): on the shared-passage corpus of 100k, 60% of the scored candidates were such
///   pairs, and no pair was lost without them. The project's ten million lost 9 pairs of 6.9 M,
///   short excerpts that the anchor search's bar passed over (BENCHMARKS.md section 52).
///
/// A dense family of near-identical pages shares nearly every band: all its pairs are kept.
pub const ONE_BAND_HAMMING: u32 = 20;

/// The candidate tables, queried one document at a time: which documents are worth scoring
/// against document d. Memory grows with the documents and the distinct buckets they share, never
/// with the pairs a dense family would make (m near-identical pages are one bucket of m).
///
/// The partners of d are the documents that share a MinHash band key with it (near-duplicates)
/// and those that share enough containment anchors with it ([`anchor_pairs`]); the union over
/// every document of its partners after it is [`candidate_pairs`].
pub struct CandidateIndex {
    buckets: Buckets,
    /// Document -> its distinct buckets.
    doc_buckets: Lists,
    /// Document -> its anchor candidates (both directions), in input order.
    anchors: Lists,
    /// Large bucket -> its members, most shingles first (ties in input order).
    by_size: KeyMap<u32, Vec<u32>>,
    /// With [`CandidateIndex::every_pair`]: every document, each a partner of all the others.
    everyone: Option<Vec<u32>>,
}

impl CandidateIndex {
    /// Builds the tables over `docs` (the exact-group representatives).
    pub fn build(fingerprints: &Fingerprints, docs: &[DocId], config: &Config) -> CandidateIndex {
        CandidateIndex::build_around(fingerprints, docs, config, (None, None))
    }

    /// [`CandidateIndex::build`], for the pairs of some documents only when `holds_new` is given
    /// (per document: whether its pairs are wanted): the containment search finds only the pairs
    /// with a wanted document ([`anchor_pairs_around`]), the band tables hold only the buckets
    /// with one (whole: a document's partners with a wanted one are all there). With `stored`
    /// as well (the new documents are the last), the stored documents' keys are looked up in it
    /// rather than scanned: the same tables.
    pub fn build_around(
        fingerprints: &Fingerprints,
        docs: &[DocId],
        config: &Config,
        (holds_new, stored): (Option<&[bool]>, Option<&dyn StoredKeys>),
    ) -> CandidateIndex {
        let n = fingerprints.len();
        let stored = stored.filter(|_| holds_new.is_some());
        let looked = stored.map(|s| Looked::new(fingerprints, docs, s));
        // The anchor search first: its index is the largest transient table, and the band
        // tables built after it do not live beside it (BENCHMARKS.md, section 34).
        let anchors = if config.wants(RelationKind::Containment) {
            let pairs =
                anchor_pairs_around(fingerprints, docs, config, (holds_new, looked.as_ref()));
            let both = pairs
                .iter()
                .flat_map(|&(a, b)| [(a.0, b.0), (b.0, a.0)])
                .collect();
            Lists::from_entries(n, both)
        } else {
            Lists::from_entries(n, Vec::new())
        };
        let buckets = Buckets::build(fingerprints, docs, config, (holds_new, looked.as_ref()));
        let entries: Vec<(u32, u32)> = (0..buckets.members.len())
            .into_par_iter()
            .flat_map_iter(|b| buckets.members.get(b).iter().map(move |&d| (d, b as u32)))
            .collect();
        let doc_buckets = Lists::from_entries(n, entries);
        let by_size = (0..buckets.members.len())
            .into_par_iter()
            .filter(|&b| buckets.members.get(b).len() >= LARGE_BUCKET)
            .map(|b| {
                let mut m = buckets.members.get(b).to_vec();
                m.sort_by_key(|&d| (Reverse(fingerprints.shingle_count(d as usize)), d));
                (b as u32, m)
            })
            .collect();
        CandidateIndex {
            buckets,
            doc_buckets,
            anchors,
            by_size,
            everyone: None,
        }
    }

    /// Tables in which every two of `docs` are partners (`--exhaustive`: quadratic, for small
    /// corpora and for measuring what the real tables miss).
    pub fn every_pair(docs: &[DocId]) -> CandidateIndex {
        CandidateIndex {
            buckets: Buckets {
                members: Lists::default(),
                bands: Vec::new(),
            },
            doc_buckets: Lists::default(),
            anchors: Lists::default(),
            by_size: KeyMap::default(),
            everyone: Some(docs.iter().map(|d| d.0).collect()),
        }
    }

    /// Whether d has any candidate partner.
    pub fn has_partners(&self, d: DocId) -> bool {
        if let Some(all) = &self.everyone {
            return all.len() > 1;
        }
        !self.doc_buckets.get(d.index()).is_empty() || !self.anchors.get(d.index()).is_empty()
    }

    /// An upper bound of d's partners (bucket sizes added up), to size batches of work.
    pub fn partners_bound(&self, d: DocId) -> usize {
        if let Some(all) = &self.everyone {
            return all.len();
        }
        let in_buckets: usize = self
            .doc_buckets
            .get(d.index())
            .iter()
            .map(|&b| self.buckets.members.get(b as usize).len())
            .sum();
        in_buckets + self.anchors.get(d.index()).len()
    }

    /// d's partners after it in input order, sorted, into `out`.
    pub fn partners_after(&self, d: DocId, fingerprints: &Fingerprints, out: &mut Vec<DocId>) {
        self.collect(d, fingerprints, out, |list| {
            let from = list.partition_point(|&x| x <= d.0);
            &list[from..]
        });
    }

    /// All of d's partners, sorted, into `out`.
    pub fn partners(&self, d: DocId, fingerprints: &Fingerprints, out: &mut Vec<DocId>) {
        self.collect(d, fingerprints, out, |list| list);
        out.retain(|&o| o != d);
    }

    /// d's partners with at least `min_shingles` shingles (its possible containers), sorted, into
    /// `out`. Large buckets are read largest first and left as soon as their members are too small.
    pub fn partners_with_at_least(
        &self,
        d: DocId,
        min_shingles: usize,
        fingerprints: &Fingerprints,
        out: &mut Vec<DocId>,
    ) {
        out.clear();
        let big_enough = |&o: &u32| fingerprints.shingle_count(o as usize) >= min_shingles;
        if let Some(all) = &self.everyone {
            out.extend(all.iter().filter(|o| big_enough(o)).map(|&o| DocId(o)));
        }
        let mut in_buckets = Vec::new();
        for &b in self.doc_buckets.get(d.index()) {
            let bands = self.buckets.bands[b as usize];
            match self.by_size.get(&b) {
                Some(by_size) => {
                    let members = by_size.iter().take_while(|o| big_enough(o));
                    in_buckets.extend(members.map(|&o| (o, bands)));
                }
                None => {
                    let members = self.buckets.members.get(b as usize).iter();
                    in_buckets.extend(members.filter(|o| big_enough(o)).map(|&o| (o, bands)));
                }
            }
        }
        out.extend(
            self.anchors
                .get(d.index())
                .iter()
                .filter(|o| big_enough(o))
                .map(|&o| DocId(o)),
        );
        out.sort_unstable();
        out.dedup();
        keep_band_partners(d, fingerprints, in_buckets, out);
        out.retain(|&o| o != d);
    }

    fn collect<'s>(
        &'s self,
        d: DocId,
        fingerprints: &Fingerprints,
        out: &mut Vec<DocId>,
        part: impl Fn(&'s [u32]) -> &'s [u32],
    ) {
        out.clear();
        if let Some(all) = &self.everyone {
            out.extend(part(all).iter().map(|&o| DocId(o)));
        }
        let mut in_buckets = Vec::new();
        for &b in self.doc_buckets.get(d.index()) {
            let members = part(self.buckets.members.get(b as usize)).iter();
            let bands = self.buckets.bands[b as usize];
            in_buckets.extend(members.map(|&o| (o, bands)));
        }
        out.extend(part(self.anchors.get(d.index())).iter().map(|&o| DocId(o)));
        out.sort_unstable();
        out.dedup();
        keep_band_partners(d, fingerprints, in_buckets, out);
    }
}

/// Adds to d's partners `out` (sorted, unique; kept so) the members of its buckets that are worth
/// scoring: those sharing a second band with d (`in_buckets` holds each member once per bucket,
/// with the bands that bucket stands for) or a SimHash within [`ONE_BAND_HAMMING`] bits.
fn keep_band_partners(
    d: DocId,
    fingerprints: &Fingerprints,
    mut in_buckets: Vec<(u32, u8)>,
    out: &mut Vec<DocId>,
) {
    if in_buckets.is_empty() {
        return;
    }
    in_buckets.sort_unstable_by_key(|&(o, _)| o);
    let simhash = fingerprints[d.index()].simhash;
    let before = out.len();
    for run in in_buckets.chunk_by(|x, y| x.0 == y.0) {
        let o = run[0].0;
        let bands: u32 = run.iter().map(|&(_, b)| u32::from(b)).sum();
        if bands >= 2 || simhash.hamming(fingerprints[o as usize].simhash) <= ONE_BAND_HAMMING {
            out.push(DocId(o));
        }
    }
    if out.len() > before {
        out.sort_unstable();
        out.dedup();
    }
}

/// The anchor index: for each anchor found in two documents or more, the documents that have it
/// (an anchor of one document pairs it with nothing, and most anchors are such).
///
/// Anchors held by the same documents share one posting list, stored once: the anchors of a
/// passage quoted whole are held by the same documents (a sentence recurring in fifty articles
/// gives its four or five anchors one list of fifty), and so are those of a paragraph shared by a
/// family of near-copies. A search walks each distinct list once, counting its hits as many times
/// as the document has anchors with that list: the same counts. On the shared-passage corpus of
/// a million articles this stores 28.0 M postings instead of 40.2 M (BENCHMARKS.md, section 21).
struct AnchorIndex {
    /// Anchor -> its posting list's slot in `offsets` (several anchors may share one).
    slots: Slots,
    /// `postings[offsets[k]..offsets[k + 1]]` holds the documents of list k, largest first (by
    /// shingle count, ties in input order), and `sizes` the same places their shingle counts
    /// (see [`List`]): a search for the containers of a document stops at the first smaller one,
    /// and finds one by binary search on (size, document).
    offsets: Vec<usize>,
    postings: Vec<DocId>,
    sizes: Vec<u16>,
    /// Anchors with no postings here whose documents were counted (see
    /// [`AnchorIndex::build_held`]): how many hold each, 0 for one.
    lengths: KeyMap<u32, u32>,
}

impl AnchorIndex {
    fn empty() -> AnchorIndex {
        AnchorIndex {
            slots: Slots::default(),
            offsets: vec![0],
            postings: Vec::new(),
            sizes: Vec::new(),
            lengths: KeyMap::default(),
        }
    }

    /// The index of every anchor of `docs`, built in slices sized by `--memory-limit`.
    fn build(fingerprints: &Fingerprints, docs: &[DocId], modulus: u32) -> AnchorIndex {
        let budget = slice_budget(fingerprints.memory_limit());
        AnchorIndex::build_in_slices(fingerprints, docs, (modulus, budget))
    }

    /// [`AnchorIndex::build`], each slice's entries within `budget` bytes (see [`slices_of`]).
    fn build_in_slices(
        fingerprints: &Fingerprints,
        docs: &[DocId],
        (modulus, budget): (u32, Option<usize>),
    ) -> AnchorIndex {
        let mut index = AnchorIndex::empty();
        // One slice of the anchor values at a time (a range of their top bytes), so that only the
        // (anchor, document) entries of one slice are ever held; the slices come in value order.
        let groups = groups_of(docs);
        let counts = anchors_per_bucket(fingerprints, &groups, modulus);
        let mut by_content = ListsByContent::default();
        for slice in slices_of(&counts, budget) {
            let every = |_: u32| true;
            let mut entries = sorted_entries_of(
                fingerprints,
                (&groups, &counts),
                (modulus, slice.clone(), every),
            );
            index.add_slice(slice, &mut entries, fingerprints, &mut by_content);
        }
        index.postings.shrink_to_fit();
        index.sizes.shrink_to_fit();
        index.offsets.shrink_to_fit();
        index.slots.shrink_to_fit();
        index
    }

    /// The index of the anchors `held` by some documents only (an `add`'s new ones), over all of
    /// `docs`, and each document's number of anchors (indexed by document, 0 for those not in
    /// `docs`), in two passes over the sets.
    ///
    /// It answers every search that looks up those anchors alone as the whole index does (their
    /// postings are whole): the searches of the new documents, and the walk from a new container.
    /// The search of another document also needs the lengths of its other anchors (which ones it
    /// skips depends on them): [`AnchorIndex::count_lengths`] counts those for the few that ask.
    fn build_held(
        fingerprints: &Fingerprints,
        docs: &[DocId],
        modulus: u32,
        held: &FilteredKeys,
    ) -> (AnchorIndex, Vec<u32>) {
        let groups = groups_of(docs);
        // A first pass counts each document's anchors and each group's held ones by bucket, so
        // that the second writes the entries in their buckets of one array of their exact size.
        let per_group: Vec<([usize; BUCKETS], Vec<u32>)> = groups
            .par_iter()
            .map(|g| {
                let (mut in_held, mut counts) = ([0; BUCKETS], Vec::with_capacity(g.len()));
                fingerprints.scan_shingles(g, |_, s| {
                    let mut n = 0;
                    for a in s.anchors(modulus) {
                        n += 1;
                        if held.contains(a) {
                            in_held[(a >> BUCKET_SHIFT) as usize] += 1;
                        }
                    }
                    counts.push(n);
                });
                (in_held, counts)
            })
            .collect();
        let mut anchor_counts = vec![0; fingerprints.len()];
        for (group, (_, counts)) in groups.iter().zip(&per_group) {
            for (d, &n) in group.iter().zip(counts) {
                anchor_counts[d.index()] = n;
            }
        }
        let counts: Vec<[usize; BUCKETS]> = per_group.iter().map(|(n, _)| *n).collect();
        let is_held = |a: u32| held.contains(a);
        let entries = sorted_entries_of(
            fingerprints,
            (&groups, &counts),
            (modulus, 0..BUCKETS, is_held),
        );
        (
            AnchorIndex::of_entries(entries, fingerprints),
            anchor_counts,
        )
    }

    /// Adds the slice of the anchor values whose top bytes are `buckets`, from its sorted
    /// (anchor, document) `entries`: a slot array sized to its lists, and a list for each anchor
    /// of two documents or more ([`AnchorIndex::add_lists`]).
    fn add_slice(
        &mut self,
        buckets: std::ops::Range<usize>,
        entries: &mut [(u32, DocId)],
        fingerprints: &Fingerprints,
        by_content: &mut ListsByContent,
    ) {
        let shared = entries
            .chunk_by(|x, y| x.0 == y.0)
            .filter(|run| run.len() >= 2);
        let (runs, total) = shared.fold((0, 0), |(r, t), run| (r + 1, t + run.len()));
        // Exact: `reserve` would double the postings, the largest part of the index.
        self.slots.start_slice(buckets, runs);
        self.postings.reserve_exact(total);
        self.sizes.reserve_exact(total);
        self.add_lists(entries, fingerprints, by_content);
    }

    /// The index of sorted (anchor, document) entries: a list for each anchor of two documents
    /// or more.
    fn of_entries(mut entries: Vec<(u32, DocId)>, fingerprints: &Fingerprints) -> AnchorIndex {
        let mut index = AnchorIndex::empty();
        let mut by_content = ListsByContent::default();
        index.add_slice(0..BUCKETS, &mut entries, fingerprints, &mut by_content);
        index.postings.shrink_to_fit();
        index.sizes.shrink_to_fit();
        index
    }

    /// Counts, over `docs`, the documents holding each anchor of the `asking` documents that has
    /// no postings here, so that [`AnchorIndex::length`] answers for them: one pass over the
    /// sets, a counter per anchor.
    fn count_lengths(
        &mut self,
        fingerprints: &Fingerprints,
        docs: &[DocId],
        (modulus, asking): (u32, &[DocId]),
    ) {
        let mut anchors = anchors_of(fingerprints, asking, modulus);
        anchors.retain(|&a| self.slots.get(a).is_none());
        let place = numbered(&anchors);
        let counts: Vec<AtomicU32> = anchors.iter().map(|_| AtomicU32::new(0)).collect();
        groups_of(docs).into_par_iter().for_each(|g| {
            fingerprints.scan_shingles(g, |_, s| {
                for k in s.anchors(modulus).filter_map(|a| place.get(a)) {
                    counts[k as usize].fetch_add(1, Ordering::Relaxed);
                }
            });
        });
        // As the whole index: an anchor of one document has no postings.
        let length = |n: u32| if n >= 2 { n } else { 0 };
        self.lengths = (anchors.into_iter().zip(counts))
            .map(|(a, n)| (a, length(n.into_inner())))
            .collect();
    }

    /// [`AnchorIndex::build_held`] from the stored documents' postings of the `held` anchors
    /// (sorted, unique) and the new documents' anchors. The anchor counts are those of the
    /// documents in the index's lists: the only ones a container's walk can meet.
    ///
    /// Built in [`LOOKED_UP_SLICES`] slices of the anchor values, as [`AnchorIndex::build_in_slices`]
    /// builds the whole index (the same lists): only one slice's stored entries are held at a
    /// time. In one piece, an `add` of 10k articles with shared passages into 990k held 50
    /// million entries, 400 MB, at its peak (BENCHMARKS.md section 48).
    fn build_looked_up(
        fingerprints: &Fingerprints,
        (modulus, held): (u32, &[u32]),
        looked: &Looked<'_>,
    ) -> (AnchorIndex, Vec<u32>) {
        let (new, mut anchor_counts) = looked.new_entries(fingerprints, held, modulus);
        let mut index = AnchorIndex::empty();
        let mut by_content = ListsByContent::default();
        for k in 0..LOOKED_UP_SLICES {
            let buckets = k * BUCKETS / LOOKED_UP_SLICES..(k + 1) * BUCKETS / LOOKED_UP_SLICES;
            let bucket = |a: u32| (a >> BUCKET_SHIFT) as usize;
            let held = &held[held.partition_point(|&a| bucket(a) < buckets.start)
                ..held.partition_point(|&a| bucket(a) < buckets.end)];
            let new = &new[new.partition_point(|e| bucket(e.0) < buckets.start)
                ..new.partition_point(|e| bucket(e.0) < buckets.end)];
            let mut entries = looked.slice_entries(held, new, &mut anchor_counts);
            index.add_slice(buckets, &mut entries, fingerprints, &mut by_content);
        }
        index.postings.shrink_to_fit();
        index.sizes.shrink_to_fit();
        (index, anchor_counts)
    }

    /// [`AnchorIndex::count_lengths`] from the stored documents' postings and the new documents,
    /// given the asking documents' `anchors`.
    fn look_up_lengths(
        &mut self,
        fingerprints: &Fingerprints,
        anchors: &KeyMap<u32, Vec<u32>>,
        (looked, modulus): (&Looked<'_>, u32),
    ) {
        let mut wanted: Vec<u32> = anchors.values().flatten().copied().collect();
        wanted.par_sort_unstable();
        wanted.dedup();
        wanted.retain(|&a| self.slots.get(a).is_none());
        let in_docs = |d: DocId| looked.in_docs[d.index()];
        let mut counts = looked.stored.count_anchors(&wanted, &in_docs);
        let place = numbered(&wanted);
        fingerprints.scan_shingles(&looked.new_docs, |_, s| {
            s.anchors(modulus)
                .filter_map(|a| place.get(a))
                .for_each(|k| counts[k as usize] += 1);
        });
        // As the whole index: an anchor of one document has no postings.
        let held = wanted.into_iter().zip(counts).filter(|&(_, n)| n >= 2);
        self.lengths = held.collect();
    }

    /// How many documents hold `anchor`, as the whole index counts them (0 for one), given its
    /// `postings`.
    fn length(&self, anchor: u32, postings: List<'_>) -> usize {
        match postings.is_empty() {
            true => self.lengths.get(&anchor).map_or(0, |&n| n as usize),
            false => postings.len(),
        }
    }

    /// Adds the postings of the anchors of sorted (anchor, document) `entries` held by two
    /// documents or more (an anchor of one document pairs it with nothing, and most anchors are
    /// such), in anchor order, leaving `entries` in no useful order.
    ///
    /// A block of entries at a time, its lists are made in parallel ([`prepare_list`]: sorted,
    /// hashed, their sizes looked up), then added one after the other: the lookups of the shingle
    /// counts, one cache miss a posting, had made this loop, on one thread, a sixth of the
    /// candidates stage at a million (2.6 s; BENCHMARKS.md, section 35).
    fn add_lists(
        &mut self,
        entries: &mut [(u32, DocId)],
        fingerprints: &Fingerprints,
        by_content: &mut ListsByContent,
    ) {
        let mut rest = entries;
        while !rest.is_empty() {
            let mut end = PREPARED_ENTRIES.min(rest.len());
            while end < rest.len() && rest[end].0 == rest[end - 1].0 {
                end += 1;
            }
            let (block, tail) = std::mem::take(&mut rest).split_at_mut(end);
            rest = tail;
            let prepared: Vec<PreparedList> = block
                .par_chunk_by_mut(|x, y| x.0 == y.0)
                .map(|run| prepare_list(run, fingerprints))
                .collect();
            let mut at = 0;
            for list in prepared {
                let run = &block[at..at + list.len];
                at += list.len;
                if list.len >= 2 {
                    self.add_list(run, &list, by_content);
                }
            }
        }
    }

    /// Adds one prepared list (`run`: its documents and their stored sizes), as a new list or
    /// as a list already stored with the same documents (found in `by_content`).
    fn add_list(
        &mut self,
        run: &[(u32, DocId)],
        list: &PreparedList,
        by_content: &mut ListsByContent,
    ) {
        let from = self.postings.len();
        self.postings.extend(run.iter().map(|&(_, d)| d));
        if let Some(slot) = by_content.find(list.hash, self, from) {
            self.postings.truncate(from);
            // The same documents: the same sizes.
            self.slots.insert(list.anchor, slot);
            return;
        }
        let slot = (self.offsets.len() - 1) as u32;
        self.slots.insert(list.anchor, slot);
        self.sizes.extend(run.iter().map(|&(size, _)| size as u16));
        self.offsets.push(self.postings.len());
        by_content.insert(list.hash, slot, self);
    }

    /// The documents of list `slot`.
    fn list(&self, slot: u32) -> &[DocId] {
        let k = slot as usize;
        &self.postings[self.offsets[k]..self.offsets[k + 1]]
    }

    /// The postings of `anchor`, with their list's slot (`usize::MAX`, with no posting, for an
    /// anchor of one document). The pipeline looks a document's anchors up together
    /// ([`AnchorIndex::postings_of`]).
    #[cfg(test)]
    fn postings(&self, anchor: u32) -> (usize, List<'_>) {
        self.list_at(self.slots.get(anchor))
    }

    /// [`AnchorIndex::postings`] of each of `anchors`, looked up together: each step's memory
    /// (the anchor's place in the slot arrays, then its list's offsets) is asked for for every
    /// anchor before any is read, so that a document's anchors wait for memory at once rather
    /// than one after another. The lookups were the candidates stage's largest part at a million
    /// articles, a cache miss each step (BENCHMARKS.md section 48).
    fn postings_of(&self, anchors: &[u32]) -> Vec<(usize, List<'_>)> {
        anchors.iter().for_each(|&a| self.slots.prefetch(a));
        let slots: Vec<Option<u32>> = anchors.iter().map(|&a| self.slots.get(a)).collect();
        for &k in slots.iter().flatten() {
            prefetch(&self.offsets[k as usize]);
        }
        slots.into_iter().map(|k| self.list_at(k)).collect()
    }

    /// The list in `slot`, with its slot as a number (`usize::MAX` and no posting for none).
    fn list_at(&self, slot: Option<u32>) -> (usize, List<'_>) {
        match slot {
            Some(k) => {
                let (k, range) = (
                    k as usize,
                    self.offsets[k as usize]..self.offsets[k as usize + 1],
                );
                let list = List {
                    docs: &self.postings[range.clone()],
                    sizes: &self.sizes[range],
                };
                (k, list)
            }
            None => (usize::MAX, List::default()),
        }
    }
}

/// Anchor -> slot, for anchors inserted in increasing order: for each slice of the anchor values
/// (see [`AnchorIndex::build_in_slices`]), made when its slice is built, the (anchor, slot) pairs
/// sorted in one array, each placed at the first free place at or after the place its value
/// would have in the slice's range if the pairs filled it evenly ([`SlotArray`]). Anchors are hash
/// values, spread evenly: a lookup starts at that place and reads on (about three pairs, in one
/// cache line) until the anchor, a larger one or a free place. With one free place in seven,
/// that is 9.3 bytes an anchor.
///
/// A hash table took 10 to 18 bytes an anchor, and twice that while it grew: at ten million
/// articles, 56 million anchors, 925 MB for a table per slice, or 600 MB for one table that
/// held 900 MB at its last growth (BENCHMARKS.md, section 34). A sorted array searched by halves
/// from a directory of the anchors' top bits made the candidates stage 13% slower at a million
/// articles (section 33).
#[derive(Debug)]
struct Slots {
    /// An anchor's top byte -> its array in `arrays` (`NO_ARRAY` for none).
    array_of: Vec<u16>,
    arrays: Vec<SlotArray>,
}

const NO_ARRAY: u16 = u16::MAX;

impl Default for Slots {
    fn default() -> Slots {
        Slots {
            array_of: vec![NO_ARRAY; BUCKETS],
            arrays: Vec::new(),
        }
    }
}

impl Slots {
    /// A new array for the anchors whose top byte is in `bytes`, with room for `anchors`. The
    /// anchors inserted next are those, in increasing order.
    fn start_slice(&mut self, bytes: std::ops::Range<usize>, anchors: usize) {
        let array = self.arrays.len() as u16; // At most one per top byte value.
        let lo = (bytes.start as u64) << BUCKET_SHIFT;
        let span = (bytes.len() as u64) << BUCKET_SHIFT;
        self.arrays.push(SlotArray::new(lo as u32, span, anchors));
        self.array_of[bytes].fill(array);
    }

    /// Adds `anchor` (larger than those inserted before in its slice).
    fn insert(&mut self, anchor: u32, slot: u32) {
        let array = self.array_of[(anchor >> BUCKET_SHIFT) as usize];
        self.arrays[array as usize].push(anchor, slot);
    }

    fn get(&self, anchor: u32) -> Option<u32> {
        self.array_for(anchor)?.get(anchor)
    }

    /// Asks for the cache line where a lookup of `anchor` starts ([`prefetch`]).
    fn prefetch(&self, anchor: u32) {
        let array = self.array_for(anchor);
        if let Some(entry) = array.and_then(|a| a.entries.get(a.home(anchor))) {
            prefetch(entry);
        }
    }

    /// The array that holds `anchor` if its slice was built.
    fn array_for(&self, anchor: u32) -> Option<&SlotArray> {
        let array = self.array_of[(anchor >> BUCKET_SHIFT) as usize];
        self.arrays.get(usize::from(array))
    }

    /// Gives back what the arrays reserved past their length.
    fn shrink_to_fit(&mut self) {
        self.arrays
            .iter_mut()
            .for_each(|a| a.entries.shrink_to_fit());
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.keys().count()
    }

    #[cfg(test)]
    fn keys(&self) -> impl Iterator<Item = u32> + '_ {
        self.arrays
            .iter()
            .flat_map(|a| a.entries.iter().filter(|e| e.1 != FREE).map(|e| e.0))
    }
}

/// A free place in a [`SlotArray`].
const FREE: u32 = u32::MAX;

/// Asks the processor to bring `value`'s cache line in, without waiting for it (a hint: nothing
/// changes but when the line arrives).
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and writes nothing; `value` is a valid reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch(
            (value as *const T).cast::<i8>(),
            std::arch::x86_64::_MM_HINT_T0,
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Sorted (anchor, slot) pairs over anchors `lo..lo + span`, anchor a placed at its home
/// (`(a - lo) / span` of the way along `places`) or just after the pair before it.
///
/// Every place from an anchor's home to the anchor's own is taken, by smaller anchors: a lookup
/// that meets a free place or a larger anchor first knows the anchor is not there.
#[derive(Debug)]
struct SlotArray {
    lo: u32,
    /// `places / span` in 32-bit fixed point (below 1: there are fewer places than values).
    scale: u64,
    entries: Vec<(u32, u32)>,
}

impl SlotArray {
    fn new(lo: u32, span: u64, anchors: usize) -> SlotArray {
        // One free place in seven: about three pairs read by a lookup.
        let places = (anchors as u64 + anchors as u64 / 6 + 1).min(span);
        SlotArray {
            lo,
            scale: ((u128::from(places) << 32) / u128::from(span.max(1))) as u64,
            entries: Vec::with_capacity(places as usize + places as usize / 64),
        }
    }

    fn home(&self, anchor: u32) -> usize {
        ((u64::from(anchor - self.lo) * self.scale) >> 32) as usize
    }

    fn push(&mut self, anchor: u32, slot: u32) {
        debug_assert!(
            self.entries.last().is_none_or(|e| e.0 < anchor),
            "anchors in order"
        );
        let at = self.home(anchor).max(self.entries.len());
        self.entries.resize(at, (0, FREE));
        self.entries.push((anchor, slot));
    }

    fn get(&self, anchor: u32) -> Option<u32> {
        for &(key, slot) in self.entries.get(self.home(anchor)..)? {
            if slot == FREE || key > anchor {
                return None;
            }
            if key == anchor {
                return Some(slot);
            }
        }
        None
    }
}

/// The lists of an anchor index being built, found by their documents: a table of list slots,
/// 5 bytes a list, each hashed from its list when the table grows. At ten million articles the
/// index holds 25 million lists, and a table of (content hash, slot) took 570 MB, 850 MB while
/// it grew, at the top of the build (BENCHMARKS.md, section 34).
#[derive(Default)]
struct ListsByContent {
    slots: hashbrown::HashTable<u32>,
}

impl ListsByContent {
    /// The slot of the list stored in `index` equal to `postings[from..]`, which hashes to `hash`.
    fn find(&self, hash: u64, index: &AnchorIndex, from: usize) -> Option<u32> {
        let list = &index.postings[from..];
        self.slots.find(hash, |&k| index.list(k) == list).copied()
    }

    /// Adds list `slot`, already in `index`, which hashes to `hash`.
    fn insert(&mut self, hash: u64, slot: u32, index: &AnchorIndex) {
        self.slots.insert_unique(hash, slot, |&k| {
            let list = index.list(k);
            list_hash(list.iter().copied(), list.len())
        });
    }
}

/// The hash of a posting list's documents (equal lists are then compared whole, so its only
/// duty is to spread them): a multiply-rotate over the documents, then a final mix.
fn list_hash(list: impl Iterator<Item = DocId>, len: usize) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let h = list.fold(len as u64, |h, d| {
        (h.rotate_left(5) ^ u64::from(d.0)).wrapping_mul(K)
    });
    let h = (h ^ (h >> 32)).wrapping_mul(K);
    h ^ (h >> 29)
}

/// Entries whose lists are prepared in parallel before being added one after the other (see
/// [`AnchorIndex::add_lists`]): 1 MiB of them.
const PREPARED_ENTRIES: usize = 1 << 17;

/// A run of entries of one anchor, ready to be added to the index.
struct PreparedList {
    anchor: u32,
    /// The run's entries (the anchor's documents).
    len: usize,
    /// [`list_hash`] of its documents, sorted, when it has two or more.
    hash: u64,
}

/// Prepares the entries of one anchor: with two documents or more, sorts them largest first (by
/// shingle count, ties in input order) and puts each document's stored size ([`List`]) in place
/// of the anchor; with one, leaves it.
fn prepare_list(run: &mut [(u32, DocId)], fingerprints: &Fingerprints) -> PreparedList {
    let (anchor, len) = (run[0].0, run.len());
    if len < 2 {
        return PreparedList {
            anchor,
            len,
            hash: 0,
        };
    }
    let count = |d: DocId| fingerprints.shingle_count(d.index());
    for entry in run.iter_mut() {
        entry.0 = u32::from(List::stored_size(count(entry.1)));
    }
    // A stored size of 65,535 stands for that many or more: those are ordered by their count.
    let key = |&(size, d): &(u32, DocId)| match size {
        size if size == u32::from(u16::MAX) => (Reverse(count(d)), d),
        _ => (Reverse(size as usize), d),
    };
    run.sort_unstable_by_key(key);
    let hash = list_hash(run.iter().map(|&(_, d)| d), len);
    PreparedList { anchor, len, hash }
}

/// One posting list: its documents largest first (ties in input order) and their shingle
/// counts, two bytes each: a count of 65,535 or more is stored as 65,535 and looked up
/// ([`Fingerprints::shingle_count`]) when read. Two bytes rather than four: at ten million
/// articles the index holds about 200 million postings, and the count is read in every
/// comparison of a search, where looking each up would be a cache miss (BENCHMARKS.md, section
/// 33).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct List<'a> {
    docs: &'a [DocId],
    sizes: &'a [u16],
}

impl List<'_> {
    fn stored_size(count: usize) -> u16 {
        count.min(usize::from(u16::MAX)) as u16
    }

    fn len(&self) -> usize {
        self.docs.len()
    }

    fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// The shingle count of the document at place i.
    fn size(&self, i: usize, fingerprints: &Fingerprints) -> u32 {
        match self.sizes[i] {
            u16::MAX => fingerprints.shingle_count(self.docs[i].index()) as u32,
            size => u32::from(size),
        }
    }

    /// The first place whose document has fewer than `size` shingles.
    fn first_below(&self, size: u32, fingerprints: &Fingerprints) -> usize {
        partition(self.len(), |i| self.size(i, fingerprints) >= size)
    }

    /// The first place whose document has at most `size` shingles.
    fn first_at_most(&self, size: u32, fingerprints: &Fingerprints) -> usize {
        partition(self.len(), |i| self.size(i, fingerprints) > size)
    }

    /// Whether document x, of `x_size` shingles, is in the list.
    fn holds(&self, x: DocId, x_size: u32, fingerprints: &Fingerprints) -> bool {
        let key = (Reverse(x_size), x);
        let at = partition(self.len(), |i| {
            (Reverse(self.size(i, fingerprints)), self.docs[i]) < key
        });
        at < self.len() && self.docs[at] == x && self.size(at, fingerprints) == x_size
    }
}

/// The first of `0..n` for which `before` is false, `before` being true then false along it.
fn partition(n: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match before(mid) {
            true => lo = mid + 1,
            false => hi = mid,
        }
    }
    lo
}

/// Anchors are counted by their top byte (a bucket) when the anchor index's slices are chosen.
const BUCKET_SHIFT: u32 = 24;
/// Slices an `add`'s index of looked-up anchors is built in ([`AnchorIndex::build_looked_up`]).
const LOOKED_UP_SLICES: usize = 8;
const BUCKETS: usize = 1 << (32 - BUCKET_SHIFT);

/// The anchor index is built in at least this many slices of anchor values.
const MIN_SLICES: usize = 4;
/// And in about this many at most, whatever the limit: each slice is a pass over every set, and
/// a limit that would need more is one the run cannot keep anyway (what it holds per document
/// besides the slice, about 0.4 kB, is then most of the limit: ten million articles at the
/// default `1G` build in 16 slices of 200 MB, where `4G` builds in 13 of 256 MB).
const MAX_SLICES: usize = 16;

/// The bytes of (anchor, document) entries one slice may hold: a sixteenth of `--memory-limit`
/// (at least 32 MiB), none without a limit. Each slice costs one more pass over the sets, so
/// a limit that leaves room builds in fewer. Ten million articles hold about 3.2 GB of
/// entries: at `4G`, 13 slices of at most 256 MiB instead of four of 800 MB. The last slice's
/// entries are held beside the index nearly whole, at the top of the build (BENCHMARKS.md,
/// sections 33, 34 and 47).
fn slice_budget(memory_limit: Option<u64>) -> Option<usize> {
    memory_limit.map(|limit| (limit / 16).max(32 << 20) as usize)
}

/// The slices of anchor values (ranges of buckets, in order) given each group's anchors per
/// bucket: [`MIN_SLICES`] of about the same number of entries, or more, each within `budget`
/// bytes where a single bucket does not exceed it alone and [`MAX_SLICES`] are enough.
fn slices_of(counts: &[[usize; BUCKETS]], budget: Option<usize>) -> Vec<std::ops::Range<usize>> {
    let per_bucket: Vec<usize> = (0..BUCKETS)
        .map(|b| counts.iter().map(|c| c[b]).sum())
        .collect();
    let total: usize = per_bucket.iter().sum();
    let entry = std::mem::size_of::<(u32, DocId)>();
    let even = total.div_ceil(MIN_SLICES).max(1);
    let fewest = total.div_ceil(MAX_SLICES).max(1);
    let most = budget.map_or(even, |bytes| even.min((bytes / entry).max(fewest)));
    let (mut slices, mut start, mut held) = (Vec::new(), 0, 0);
    for (b, &n) in per_bucket.iter().enumerate() {
        if held > 0 && held + n > most {
            slices.push(start..b);
            (start, held) = (b, 0);
        }
        held += n;
    }
    slices.push(start..BUCKETS);
    slices
}

/// `docs` in 256 groups (or fewer), in order: the units of a parallel pass over their sets.
fn groups_of(docs: &[DocId]) -> Vec<&[DocId]> {
    docs.chunks(docs.len().div_ceil(256).max(1)).collect()
}

/// The anchors of `docs`, sorted, each once.
fn anchors_of(fingerprints: &Fingerprints, docs: &[DocId], modulus: u32) -> Vec<u32> {
    let mut anchors: Vec<u32> = docs
        .par_chunks(64)
        .flat_map_iter(|g| {
            let mut found = Vec::new();
            fingerprints.scan_shingles(g, |_, s| found.extend(s.anchors(modulus)));
            found
        })
        .collect();
    anchors.par_sort_unstable();
    anchors.dedup();
    anchors
}

/// Keys numbered in their order (key -> its place).
fn numbered(keys: &[u32]) -> FilteredKeys {
    FilteredKeys::new(keys.iter().enumerate().map(|(i, &k)| (k, i as u32)))
}

/// For each group of documents, how many anchors it has in each bucket (one pass over the sets).
fn anchors_per_bucket(
    fingerprints: &Fingerprints,
    groups: &[&[DocId]],
    modulus: u32,
) -> Vec<[usize; BUCKETS]> {
    groups
        .par_iter()
        .map(|g| {
            let mut counts = [0; BUCKETS];
            fingerprints.scan_shingles(g, |_, s| {
                s.for_each_anchors(modulus, |anchors| {
                    for &a in anchors {
                        counts[(a >> BUCKET_SHIFT) as usize] += 1;
                    }
                });
            });
            counts
        })
        .collect()
}

/// (anchor, document) for every anchor that `keep` keeps of every document whose bucket is in
/// `slice`, sorted, given each group's kept anchors per bucket (`counts`).
///
/// Each group writes its entries straight into their bucket's part of one array, at the place
/// the counts of the groups before it leave (a counting sort by bucket, done as the sets are
/// read, with no second array), then each bucket's part is sorted on its own, in parallel. A
/// bucket holds a 256th of the entries, so its sort runs in the cache, where one sort of the
/// whole slice went through memory at each of its levels (about 3% of a run at a million).
/// With `groups` in document order, a bucket's entries come in document order, and a stable
/// radix sort by the anchor's three lower bytes finishes it ([`sort_bucket`]).
fn sorted_entries_of(
    fingerprints: &Fingerprints,
    (groups, counts): (&[&[DocId]], &[[usize; BUCKETS]]),
    (modulus, slice, keep): (u32, std::ops::Range<usize>, impl Fn(u32) -> bool + Sync),
) -> Vec<(u32, DocId)> {
    let totals: Vec<usize> = slice
        .clone()
        .map(|b| counts.iter().map(|c| c[b]).sum())
        .collect();
    let mut entries: Vec<(u32, DocId)> = vec![(0, DocId(0)); totals.iter().sum()];
    // Each group's part of each bucket: buckets in order, groups in order within a bucket.
    let mut parts: Vec<Vec<&mut [(u32, DocId)]>> = (0..groups.len()).map(|_| Vec::new()).collect();
    let mut rest = entries.as_mut_slice();
    for b in slice.clone() {
        for (g, group_counts) in counts.iter().enumerate() {
            let (part, tail) = rest.split_at_mut(group_counts[b]);
            parts[g].push(part);
            rest = tail;
        }
    }
    parts
        .into_par_iter()
        .zip(groups)
        .for_each(|(parts, group)| {
            let mut cursors: Vec<std::slice::IterMut<'_, (u32, DocId)>> =
                parts.into_iter().map(|p| p.iter_mut()).collect();
            fingerprints.scan_shingles(group, |d, s| {
                s.for_each_anchors(modulus, |anchors| {
                    for &a in anchors.iter().filter(|&&a| keep(a)) {
                        let b = (a >> BUCKET_SHIFT) as usize;
                        if let Some(slot) = b
                            .checked_sub(slice.start)
                            .and_then(|k| cursors.get_mut(k)?.next())
                        {
                            *slot = (a, d);
                        }
                    }
                });
            });
        });
    let mut buckets: Vec<&mut [(u32, DocId)]> = Vec::with_capacity(totals.len());
    let mut rest = entries.as_mut_slice();
    for &n in &totals {
        let (bucket, tail) = rest.split_at_mut(n);
        buckets.push(bucket);
        rest = tail;
    }
    let in_order = groups.iter().flat_map(|g| g.iter()).is_sorted();
    buckets
        .into_par_iter()
        .for_each_init(Vec::new, |spare, bucket| match in_order {
            true => sort_bucket(bucket, spare),
            false => bucket.sort_unstable(),
        });
    entries
}

/// Sorts the entries of one bucket (anchors with the same top byte, documents in order) by
/// anchor then document: a stable radix sort on the anchors' three lower bytes, one pass a byte,
/// with `spare` as working memory.
fn sort_bucket(bucket: &mut [(u32, DocId)], spare: &mut Vec<(u32, DocId)>) {
    const FEWEST: usize = 256;
    if bucket.len() < FEWEST {
        bucket.sort_unstable();
        return;
    }
    let mut counts = [[0usize; 256]; 3];
    for &(a, _) in bucket.iter() {
        for (byte, count) in counts.iter_mut().enumerate() {
            count[(a >> (8 * byte)) as usize & 255] += 1;
        }
    }
    spare.clear();
    spare.resize(bucket.len(), (0, DocId(0)));
    let (mut from, mut to) = (bucket, &mut spare[..]);
    for (byte, count) in counts.iter_mut().enumerate() {
        let mut at = 0;
        for c in count.iter_mut() {
            (*c, at) = (at, at + *c);
        }
        for &e in from.iter() {
            let slot = &mut count[(e.0 >> (8 * byte)) as usize & 255];
            to[*slot] = e;
            *slot += 1;
        }
        std::mem::swap(&mut from, &mut to);
    }
    // Three passes: the sorted entries are in `spare`.
    to.copy_from_slice(from);
}

/// Pairs where one document may contain most of the other.
///
/// Each document d looks for its containers: the documents at least as long that share at least
/// `needed` of d's anchors, half of what a containment at the threshold implies. This is prefix
/// filtering over anchors ordered by frequency (AllPairs, PPJoin): d's most common anchors are not
/// looked up (those over `max_anchor_postings`, and `needed / 2` more, or as many more as
/// [`widened_skip`] shows change nothing), so a container needs only `needed - skipped` hits among
/// the rest to be considered; its full count of shared anchors is then verified against
/// [`anchors_needed`], looking it up in the skipped anchors' postings, before it becomes a
/// candidate.
///
/// The verification is what bounds the candidates when passages recur across unrelated articles:
/// without it, a document sharing one sentence with d (a fifth of a short article's anchors) passes
/// the lowered bar, and candidates grow with the square of how often passages recur.
#[cfg_attr(not(any(test, feature = "internals")), allow(dead_code))]
pub fn anchor_pairs(
    fingerprints: &Fingerprints,
    docs: &[DocId],
    config: &Config,
) -> Vec<(DocId, DocId)> {
    anchor_pairs_around(fingerprints, docs, config, (None, None))
}

/// [`anchor_pairs`] with at least one document of each pair wanted, when `holds_new` says which.
///
/// Wanted documents search for their containers as [`anchor_pairs`] does. The others are searched
/// for from the wanted containers ([`Search::may_be_contained_in`]): in a daily batch added to a
/// large index, the old documents sharing a passage with a new one are most of the index (a
/// recurring sentence is enough), and a search from each of them costs as much as a whole run.
///
/// Every list read is a list of a wanted document's anchor, so the index holds only those
/// ([`AnchorIndex::build_held`]); the old documents that a wanted container may hold then apply
/// their own rule, which needs the lengths of all their anchors ([`AnchorIndex::count_lengths`]).
fn anchor_pairs_around(
    fingerprints: &Fingerprints,
    docs: &[DocId],
    config: &Config,
    (holds_new, looked): (Option<&[bool]>, Option<&Looked<'_>>),
) -> Vec<(DocId, DocId)> {
    let modulus = config.anchor_modulus;
    let long_enough = |d: &DocId| fingerprints[d.index()].words >= config.min_contained_words;
    let wanted: Vec<DocId> = docs
        .iter()
        .copied()
        .filter(|d| holds_new.is_none_or(|new| new[d.index()]))
        .collect();
    let (mut index, anchor_counts) = match (holds_new, looked) {
        (Some(_), Some(looked)) => {
            // The new documents' anchors are the wanted ones' (an old wanted one has a new copy).
            let held = anchors_of(fingerprints, &looked.all_new, modulus);
            AnchorIndex::build_looked_up(fingerprints, (modulus, &held), looked)
        }
        (Some(_), None) => {
            let held = numbered(&anchors_of(fingerprints, &wanted, modulus));
            AnchorIndex::build_held(fingerprints, docs, modulus, &held)
        }
        (None, _) => (AnchorIndex::build(fingerprints, docs, modulus), Vec::new()),
    };
    let searchers: Vec<DocId> = wanted.iter().copied().filter(long_enough).collect();
    let search = Search {
        fingerprints,
        index: &index,
        config,
        looked,
        anchors: None,
    };
    let mut pairs: Vec<(DocId, DocId)> = searchers
        .par_chunks(256)
        .flat_map_iter(|chunk| {
            let mut out = Vec::new();
            search.scan_shingles(chunk, |d, s| out.extend(search.containers_of(d, s)));
            out
        })
        .collect();
    if let Some(new) = holds_new {
        let unwanted: Vec<DocId> = docs
            .iter()
            .copied()
            .filter(|d| !new[d.index()] && long_enough(d))
            .collect();
        let found = search.may_be_contained_in(&unwanted, &wanted, &anchor_counts);
        // Their own rule decides, which reads the lengths of all their anchors.
        let mut asking: Vec<DocId> = found.iter().map(|p| p.0).collect();
        asking.dedup();
        let asking_anchors = looked.map(|l| l.anchors_of(fingerprints, &asking, modulus));
        match (looked, &asking_anchors) {
            (Some(looked), Some(anchors)) => {
                index.look_up_lengths(fingerprints, anchors, (looked, modulus))
            }
            _ => index.count_lengths(fingerprints, docs, (modulus, &asking)),
        }
        let search = Search {
            fingerprints,
            index: &index,
            config,
            looked,
            anchors: asking_anchors.as_ref(),
        };
        pairs.extend(search.kept_of_found(&found));
    }
    pairs.par_sort_unstable();
    pairs.dedup();
    pairs
}

/// Anchors a container of a document with `anchors` anchors must share with it, once counted in
/// full: what a containment at the threshold C implies, less four standard deviations of sampling.
/// Anchors are a content-defined quarter of the shingles, so the anchors a container shares vary
/// around C times the document's, as a sample would (a true pair falls below this about 3 times in
/// 100,000): 8 of 20 anchors at C = 0.8, 137 of 200. Short documents, where sampling says little,
/// keep the looser bar of the lookup (a single anchor for 5 or fewer).
pub fn anchors_needed(anchors: usize, containment: f64) -> usize {
    let a = anchors as f64;
    let spread = 4.0 * (a * containment * (1.0 - containment)).sqrt();
    ((a * containment - spread).floor().max(1.0)) as usize
}

/// Which of a document's anchors its search for containers looks up, and how many hits make a
/// container: the part of [`anchor_pairs`] that depends only on the document and on how many
/// documents hold each of its anchors (its postings' lengths), so that an engine that counts the
/// postings itself (`twinwire.spark`) applies the same rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbePlan {
    /// The anchors' places, most common first (ties in the anchors' order): the first `skipped`
    /// are not looked up, the others are.
    pub order: Vec<usize>,
    /// How many of `order` are skipped.
    pub skipped: usize,
    /// Hits in the looked-up anchors that make a container worth checking.
    pub needed_in_probed: usize,
    /// Anchors shared in full (hits plus skipped anchors the container holds) that make it a
    /// candidate.
    pub verified: usize,
}

impl ProbePlan {
    /// The plan of a document whose anchors (in their order) are held by `postings[k]`
    /// documents each (0 for an anchor no other document has).
    pub fn of(postings: &[usize], config: &Config) -> ProbePlan {
        // Half of what a containment at the threshold implies decides which anchors are looked
        // up and how many hits make a container worth checking; the sampling bound, tighter for
        // long documents, decides which are kept once their full count is known.
        let needed = ((postings.len() as f64 * config.containment * 0.5).ceil() as usize).max(1);
        let verified = anchors_needed(postings.len(), config.containment);
        // The most common anchors cost the most to count: skip those over the cap and, at most,
        // half of `needed` more. Ties go in the anchors' order, so any engine skips the same ones.
        let mut order: Vec<usize> = (0..postings.len()).collect();
        order.sort_unstable_by_key(|&k| (Reverse(postings[k]), k));
        let over_cap = order
            .iter()
            .take_while(|&&k| postings[k] > config.max_anchor_postings)
            .count();
        let skipped = over_cap.max(needed / 2).min(postings.len());
        let needed_in_probed = needed.saturating_sub(skipped).max(1);
        ProbePlan {
            order,
            skipped: widened_skip(skipped, needed_in_probed, needed, verified),
            needed_in_probed,
            verified,
        }
    }
}

/// How many of a document's most common anchors its search may skip without changing which
/// containers it finds: more than [`ProbePlan::of`]'s first choice when the full bar is at least
/// `needed` (documents of about 16 anchors or more at C = 0.8).
///
/// A container is kept when it has `needed_in_probed` hits among the probed anchors and
/// `verified` anchors in all. When `verified >= needed`, the first condition follows from the
/// second as long as `verified - skipped >= needed_in_probed` (a container holding `verified`
/// anchors holds at least `verified - skipped` of the probed ones): so up to
/// `verified - needed_in_probed` anchors can be skipped, the found containers staying the same
/// (the set of pairs is the set of containers sharing `verified` anchors, whatever is skipped).
/// Each anchor skipped is one posting list not walked, the most common ones first; a container
/// reaching the hit bar is checked in the skipped lists by binary search instead. Documents
/// below that length keep the first choice: there the hit bar decides on its own.
fn widened_skip(skipped: usize, needed_in_probed: usize, needed: usize, verified: usize) -> usize {
    if verified < needed {
        return skipped;
    }
    skipped.max(verified - needed_in_probed)
}

/// What a search for the containers of a document reads.
struct Search<'a> {
    fingerprints: &'a Fingerprints,
    index: &'a AnchorIndex,
    config: &'a Config,
    /// With stored keys: old documents are read through their new copies.
    looked: Option<&'a Looked<'a>>,
    /// The anchors of the documents whose own rule is applied, when their sets are not held.
    anchors: Option<&'a KeyMap<u32, Vec<u32>>>,
}

impl Search<'_> {
    /// [`Fingerprints::scan_shingles`], through new copies when keys are stored.
    fn scan_shingles(&self, docs: &[DocId], f: impl FnMut(DocId, Shingles<'_>)) {
        match self.looked {
            Some(looked) => looked.scan_shingles(self.fingerprints, docs, f),
            None => self.fingerprints.scan_shingles(docs, f),
        }
    }

    /// The candidate pairs (d, o) of d and its possible containers o (as (smaller, larger) id).
    fn containers_of(&self, d: DocId, shingles: Shingles<'_>) -> Vec<(DocId, DocId)> {
        let size = self.fingerprints.shingle_count(d.index()) as u32;
        let probe = Probe::of(self.index, (shingles, size), self.config);
        let fingerprints = self.fingerprints;
        // Hits are counted in a per-thread array indexed by document (no sorting of hits).
        HITS.with(|hits| {
            let mut hits = hits.borrow_mut();
            hits.prepare(fingerprints.len());
            for &(_, p, times) in &probe.probed {
                // Largest first: d's possible containers are the head (d among them: not kept).
                let end = p.first_below(probe.size, fingerprints);
                hits.add_distinct(&p.docs[..end], |o| o.0, times);
            }
            let (mut out, mut unsure) = (Vec::new(), Vec::new());
            for (o, count) in hits.drain() {
                if o == d.0 || (count as usize) < probe.needed_in_probed {
                    continue;
                }
                match count as usize >= probe.verified {
                    true => out.push((d.min(DocId(o)), d.max(DocId(o)))),
                    false => unsure.push((DocId(o), count)),
                }
            }
            // Their sizes are read first, in a loop of their own: the reads miss together.
            let sizes: Vec<u32> = (unsure.iter())
                .map(|&(o, _)| fingerprints.shingle_count(o.index()) as u32)
                .collect();
            for (&(o, count), &size) in unsure.iter().zip(&sizes) {
                if probe.skipped_reach((o, size), count, fingerprints) {
                    out.push((d.min(o), d.max(o)));
                }
            }
            out
        })
    }
}

/// A document's search for its containers: the distinct posting lists of its anchors that it
/// walks (`probed`) and those it skips, and its two bars ([`ProbePlan`]).
struct Probe<'a> {
    /// The document's shingle count: its containers are at least as long.
    size: u32,
    probed: Vec<CountedList<'a>>,
    skipped: Vec<CountedList<'a>>,
    /// The anchors of the skipped lists (each list counted as many times as it stands for).
    skipped_times: u32,
    needed_in_probed: usize,
    verified: usize,
}

impl<'a> Probe<'a> {
    /// The search of a document with these `shingles` (as stored: its anchors are what is read)
    /// and `size` shingles.
    fn of(
        index: &'a AnchorIndex,
        (shingles, size): (Shingles<'_>, u32),
        config: &Config,
    ) -> Probe<'a> {
        let mut anchors: Vec<u32> = Vec::new();
        shingles.for_each_anchors(config.anchor_modulus, |a| anchors.extend_from_slice(a));
        let postings = index.postings_of(&anchors);
        let lens: Vec<usize> = (anchors.iter().zip(&postings))
            .map(|(&a, (_, p))| index.length(a, *p))
            .collect();
        let plan = ProbePlan::of(&lens, config);
        let (skipped, probed) = plan.order.split_at(plan.skipped);
        let skipped = distinct_lists(skipped.iter().map(|&k| postings[k]));
        Probe {
            size,
            probed: distinct_lists(probed.iter().map(|&k| postings[k])),
            skipped_times: skipped.iter().map(|&(_, _, times)| times).sum(),
            skipped,
            needed_in_probed: plan.needed_in_probed,
            verified: plan.verified,
        }
    }

    /// How many of the document's anchors in `lists` the document x holds (a binary search in
    /// each list on (size, document), the sizes looked up).
    fn held_in(
        lists: &[CountedList<'_>],
        (x, size): (DocId, u32),
        fingerprints: &Fingerprints,
    ) -> u32 {
        let holding = lists
            .iter()
            .filter(|(_, p, _)| p.holds(x, size, fingerprints));
        holding.map(|&(_, _, times)| times).sum()
    }

    /// Whether the document x (of `size` shingles), holding `hits` of the probed anchors, holds
    /// enough of the skipped ones to reach the verified bar. The lists are looked into one by one
    /// (a binary search each), and the answer is given as soon as it is known: when the bar is
    /// reached, or when the lists left could not reach it even if x were in all of them. Most
    /// documents that reach the hit bar share a passage or two with the searcher, and are missing
    /// from the first lists looked into (BENCHMARKS.md, section 42).
    fn skipped_reach(
        &self,
        (x, size): (DocId, u32),
        hits: u32,
        fingerprints: &Fingerprints,
    ) -> bool {
        let lists = self.skipped.iter().map(|&(_, p, times)| (p, times));
        reaches_bar(
            lists,
            (x, size),
            (hits as usize, self.skipped_times as usize),
            self.verified,
            fingerprints,
        )
    }

    /// Whether the search keeps x as a container: its rule, for a given x.
    fn keeps(&self, x: DocId, fingerprints: &Fingerprints) -> bool {
        let size = fingerprints.shingle_count(x.index()) as u32;
        if size < self.size {
            return false;
        }
        let hits = Probe::held_in(&self.probed, (x, size), fingerprints);
        hits as usize >= self.needed_in_probed && self.skipped_reach((x, size), hits, fingerprints)
    }
}

impl Search<'_> {
    /// The pairs (d, x) that the searches of the `searchers` d may find among the `containers`
    /// x, found from the containers, sorted: [`Search::kept_of_found`] then applies d's rule.
    ///
    /// d's search counts hits only in the anchors it looks up, whose lists hold at most
    /// `max_anchor_postings` documents (the longer ones are always skipped), and needs at least
    /// one hit. So walking the container's lists of that length or less meets every d its search
    /// could keep, with a count of their shared anchors; the container's longer lists are then
    /// looked into for d ([`Search::shares_enough`]). A d that shares its full bar of anchors
    /// ([`anchors_needed`]) is then decided by d's own rule ([`Search::kept_containers`]).
    ///
    /// `anchor_counts` holds each searcher's number of anchors (indexed by document).
    fn may_be_contained_in(
        &self,
        searchers: &[DocId],
        containers: &[DocId],
        anchor_counts: &[u32],
    ) -> Vec<(DocId, DocId)> {
        let fingerprints = self.fingerprints;
        let mut is_searcher = vec![false; fingerprints.len()];
        for d in searchers {
            is_searcher[d.index()] = true;
        }
        let mut found: Vec<(DocId, DocId)> = containers
            .par_chunks(64)
            .flat_map_iter(|chunk| {
                let mut out = Vec::new();
                self.scan_shingles(chunk, |x, s| {
                    out.extend(self.may_be_contained(x, s, (&is_searcher, anchor_counts)));
                });
                out
            })
            .collect();
        found.par_sort_unstable();
        found
    }

    /// The pairs of `found` (sorted (searcher, container) pairs) that the searcher's own rule
    /// keeps, as (smaller, larger) id.
    fn kept_of_found(&self, found: &[(DocId, DocId)]) -> Vec<(DocId, DocId)> {
        let by_searcher: Vec<&[(DocId, DocId)]> = found.chunk_by(|p, q| p.0 == q.0).collect();
        by_searcher
            .par_iter()
            .flat_map_iter(|run| {
                let d = run[0].0;
                let mut buf = Vec::new();
                let shingles = match self.anchors.and_then(|a| a.get(&d.0)) {
                    Some(anchors) => Shingles::of_sorted(anchors),
                    None => self.fingerprints.stored_shingles(d.index(), &mut buf),
                };
                let size = self.fingerprints.shingle_count(d.index()) as u32;
                let kept = self.kept_containers((shingles, size), run.iter().map(|p| p.1));
                kept.into_iter().map(move |x| (d.min(x), d.max(x)))
            })
            .collect()
    }

    /// (d, x) for every searcher d no longer than x that may share its full bar of anchors with
    /// x, and has a hit in a list short enough to be looked up.
    fn may_be_contained(
        &self,
        x: DocId,
        shingles: Shingles<'_>,
        (is_searcher, anchor_counts): (&[bool], &[u32]),
    ) -> Vec<(DocId, DocId)> {
        let size = self.fingerprints.shingle_count(x.index()) as u32;
        let anchors: Vec<u32> = shingles.anchors(self.config.anchor_modulus).collect();
        let lists = self.index.postings_of(&anchors).into_iter();
        HITS.with(|hits| {
            let mut hits = hits.borrow_mut();
            hits.prepare(self.fingerprints.len());
            let (mut long, mut in_long_lists) = (Vec::new(), 0);
            for (_, p, times) in distinct_lists(lists) {
                if p.len() > self.config.max_anchor_postings {
                    long.push((p, times));
                    in_long_lists += times as usize;
                    continue;
                }
                // Largest first: the documents x may contain are the tail.
                let from = p.first_at_most(size, self.fingerprints);
                hits.add_distinct(&p.docs[from..], |d| d.0, times);
            }
            let containment = self.config.containment;
            let bar = |d: u32| anchors_needed(anchor_counts[d as usize] as usize, containment);
            hits.drain()
                .filter(|&(d, _)| d != x.0 && is_searcher[d as usize])
                .filter(|&(d, shared)| {
                    self.shares_enough(DocId(d), (shared, &long, in_long_lists), bar(d))
                })
                .map(|(d, _)| (DocId(d), x))
                .collect()
        })
    }

    /// Whether searcher d, which holds `shared` of a container's anchors in the container's short
    /// lists, holds `bar` of them in all: the container's long lists (`long`, each with how many
    /// of its anchors have it, `in_long` of its anchors in all) are looked into, a binary search each, until that is known. d's
    /// own rule counts the same anchors (those both hold), so a d under its bar here is one its
    /// rule would not keep: at a million, 29 thousand documents searched from a daily
    /// batch's containers came down to 6 thousand, 191 thousand to 13 thousand with shared
    /// passages (BENCHMARKS.md section 41).
    fn shares_enough(
        &self,
        d: DocId,
        (shared, long, in_long): (u32, &[(List<'_>, u32)], usize),
        bar: usize,
    ) -> bool {
        let size = self.fingerprints.shingle_count(d.index()) as u32;
        reaches_bar(
            long.iter().copied(),
            (d, size),
            (shared as usize, in_long),
            bar,
            self.fingerprints,
        )
    }

    /// The `containers` that the search for the containers of the document with these
    /// (stored) shingles and shingle count keeps: its rule, for given containers.
    fn kept_containers(
        &self,
        document: (Shingles<'_>, u32),
        containers: impl Iterator<Item = DocId>,
    ) -> Vec<DocId> {
        let probe = Probe::of(self.index, document, self.config);
        containers
            .filter(|&x| probe.keeps(x, self.fingerprints))
            .collect()
    }
}

/// A posting list: its slot, its documents, and how many of a document's anchors have it.
type CountedList<'a> = (usize, List<'a>, u32);

/// Whether document x (of `size` shingles), which holds `held` anchors already counted, holds
/// `bar` once `lists` (each with how many anchors it stands for, `left` of them in all) are
/// looked into: a binary search each, stopped as soon as the bar is reached or out of reach.
fn reaches_bar<'a>(
    lists: impl Iterator<Item = (List<'a>, u32)>,
    (x, size): (DocId, u32),
    (mut held, mut left): (usize, usize),
    bar: usize,
    fingerprints: &Fingerprints,
) -> bool {
    for (p, times) in lists {
        if held >= bar || held + left < bar {
            break;
        }
        left -= times as usize;
        if p.holds(x, size, fingerprints) {
            held += times as usize;
        }
    }
    held >= bar
}

/// The non-empty posting lists of some anchors, each once, with how many of the anchors have it.
fn distinct_lists<'a>(lists: impl Iterator<Item = (usize, List<'a>)>) -> Vec<CountedList<'a>> {
    let mut lists: Vec<(usize, List<'a>)> = lists.filter(|(_, p)| !p.is_empty()).collect();
    lists.sort_unstable_by_key(|&(slot, _)| slot);
    let runs = lists.chunk_by(|x, y| x.0 == y.0);
    runs.map(|run| (run[0].0, run[0].1, run.len() as u32))
        .collect()
}

thread_local! {
    static HITS: std::cell::RefCell<HitCounts> = std::cell::RefCell::new(HitCounts::default());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::{Fingerprint, ShingleSet};
    use std::collections::BTreeMap;

    #[test]
    fn merged_is_the_sort_of_both() {
        let a: Vec<(u32, u32)> = vec![(1, 0), (3, 2), (3, 5), (9, 1)];
        for b in [
            vec![],
            vec![(0, 7)],
            vec![(3, 3), (3, 9), (10, 0)],
            vec![(1, 0), (2, 2)],
        ] {
            let mut want = [a.clone(), b.clone()].concat();
            want.sort_unstable();
            assert_eq!(merged(a.clone(), b.clone()), want);
            assert_eq!(merged(b.clone(), a.clone()), want);
        }
    }

    fn fps(texts: &[String]) -> Fingerprints {
        let c = Config::default();
        let all: Vec<Fingerprint> = texts.iter().map(|t| Fingerprint::of_text(t, &c)).collect();
        Fingerprints::from(all)
    }

    fn words(range: std::ops::Range<usize>) -> String {
        range.map(|i| format!("w{i} ")).collect()
    }

    #[test]
    fn exact_groups_keep_the_first_as_representative() {
        let f = fps(&[
            "a b c".into(),
            "x y".into(),
            "A, b: c!".into(),
            "".into(),
            "".into(),
        ]);
        let g = ExactGroups::of(&f);
        assert_eq!(g.groups, vec![vec![DocId(0), DocId(2)]]);
        assert_eq!(g.representative[2], DocId(0));
        // Empty documents are not grouped and are not compared.
        assert_eq!(g.representatives(&f), vec![DocId(0), DocId(1)]);
    }

    #[test]
    fn near_duplicates_and_excerpts_become_candidates() {
        let texts = vec![
            words(0..300),
            words(0..280) + &words(1000..1020), // near-duplicate of 0
            words(5000..5300),                  // unrelated
            words(100..160),                    // an excerpt of 0
        ];
        let f = fps(&texts);
        let docs: Vec<DocId> = (0..4).map(DocId).collect();
        let pairs = candidate_pairs(&f, &docs, &Config::default());
        assert!(pairs.contains(&(DocId(0), DocId(1))), "{pairs:?}");
        assert!(pairs.contains(&(DocId(0), DocId(3))), "{pairs:?}");
        assert!(!pairs.contains(&(DocId(0), DocId(2))));
        assert!(!pairs.contains(&(DocId(2), DocId(3))));
        assert!(!pairs.contains(&(DocId(1), DocId(2))));
    }

    #[test]
    fn an_excerpt_finds_its_source_through_the_anchor_index() {
        let texts = vec![words(0..1000), words(400..450)];
        let f = fps(&texts);
        let pairs = anchor_pairs(&f, &[DocId(0), DocId(1)], &Config::default());
        assert_eq!(pairs, vec![(DocId(0), DocId(1))]);
        // Whole-document sketches alone do not see it.
        assert!(lsh_pairs(&f, &[DocId(0), DocId(1)], &Config::default()).is_empty());
    }

    /// A site's pages: one header and footer of 100 words around 300 words of their own (a
    /// resemblance near 0.14 between two pages), and among them two twins (a copy with three
    /// words changed, a copy with a tenth of its own words changed) and a family of 80
    /// near-identical pages.
    fn a_sites_pages() -> Vec<String> {
        let header = words(9_000_000..9_000_050);
        let footer = words(9_100_000..9_100_050);
        let page = |body: String| format!("{header}{body}{footer}");
        let mut texts: Vec<String> = (0..6000)
            .map(|k| page(words(k * 1000..k * 1000 + 300)))
            .collect();
        texts.push(page(words(5000..5297) + "x1 x2 x3"));
        texts.push(page(words(7000..7270) + &words(8_000_000..8_000_030)));
        let family = words(8_500_000..8_500_300);
        texts.extend((0..80).map(|k| page(format!("{family}v{k}"))));
        texts
    }

    /// The site's template makes crowded buckets, whose pairs sharing nothing else are mostly not
    /// scored; the twins and the family are.
    #[test]
    fn a_sites_pages_share_crowded_buckets_and_only_their_twins_are_scored() {
        let texts = a_sites_pages();
        let f = fps(&texts);
        let config = Config::default();
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        let in_a_band = lsh_pairs(&f, &docs, &config);
        let candidates = candidate_pairs(&f, &docs, &config);
        assert!(
            in_a_band.len() > 20_000,
            "{} pairs share a band",
            in_a_band.len()
        );
        assert!(
            candidates.len() * 4 < in_a_band.len(),
            "{} candidates",
            candidates.len()
        );
        for twin in [(DocId(5), DocId(6000)), (DocId(7), DocId(6001))] {
            assert!(candidates.contains(&twin), "{twin:?}");
        }
        // What scoring every pair sharing a band finds: the twins and the family, nothing else
        // (two pages of the site resemble each other at about 0.14).
        let mut truth = vec![(DocId(5), DocId(6000)), (DocId(7), DocId(6001))];
        let family: Vec<DocId> = (6002..6082).map(DocId).collect();
        for (k, &x) in family.iter().enumerate() {
            truth.extend(family[k + 1..].iter().map(|&y| (x, y)));
        }
        let (mut ba, mut bb) = (Vec::new(), Vec::new());
        let found: Vec<(DocId, DocId)> = candidates
            .iter()
            .filter_map(|&(a, b)| {
                let (fa, fb) = (f.get(a.index(), &mut ba), f.get(b.index(), &mut bb));
                crate::relate::relate_either((a, fa), (b, fb), &config)
            })
            .inspect(|r| assert_eq!(r.kind, RelationKind::NearDuplicate))
            .map(|r| (r.a, r.b))
            .collect();
        assert_eq!(found, truth);
    }

    /// A member of a bucket is kept when it shares a second band (another bucket, or one bucket
    /// standing for two bands) or a close SimHash.
    #[test]
    fn a_buckets_member_is_kept_by_a_second_band_or_a_close_simhash() {
        let texts = [words(0..300), words(0..295) + "x1 x2", words(5000..5300)];
        let f = fps(&texts);
        let (d, near, far) = (DocId(0), DocId(1), DocId(2));
        assert!(f[0].simhash.hamming(f[1].simhash) <= ONE_BAND_HAMMING);
        assert!(f[0].simhash.hamming(f[2].simhash) > ONE_BAND_HAMMING);
        let kept = |in_buckets: Vec<(u32, u8)>| {
            let mut out = Vec::new();
            keep_band_partners(d, &f, in_buckets, &mut out);
            out
        };
        assert_eq!(kept(vec![(1, 1), (2, 1)]), vec![near]);
        assert_eq!(kept(vec![(2, 1), (1, 1), (2, 1)]), vec![near, far]);
        assert_eq!(kept(vec![(2, 2)]), vec![far]);
        // What is already a partner stays one, once.
        let mut out = vec![far];
        keep_band_partners(d, &f, vec![(2, 1), (1, 1)], &mut out);
        assert_eq!(out, vec![near, far]);
    }

    /// Pairs of articles sharing 120 of their 300 words (J near 0.25), each pair alone in its
    /// buckets: a pair sharing one band is a candidate only when its SimHashes are close, as in a
    /// crowded bucket; one sharing two bands always is.
    #[test]
    fn a_pair_sharing_one_band_of_a_small_bucket_needs_a_close_simhash() {
        let texts: Vec<String> = (0..200)
            .flat_map(|k| {
                let own = words(k * 1000..k * 1000 + 300);
                let shared = words(k * 1000..k * 1000 + 120);
                [own, shared + &words(k * 1000 + 500..k * 1000 + 680)]
            })
            .collect();
        let f = fps(&texts);
        let config = Config::default().with_relations([RelationKind::NearDuplicate]);
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        let candidates = candidate_pairs(&f, &docs, &config);
        let (mut one_far, mut two) = (0, 0);
        for k in 0..200 {
            let (a, b) = (DocId(2 * k), DocId(2 * k + 1));
            let (fa, fb) = (f.to_owned(a.index()), f.to_owned(b.index()));
            let shared = fa.bands_shared_with(&fb);
            let close = f[a.index()].simhash.hamming(f[b.index()].simhash) <= ONE_BAND_HAMMING;
            one_far += usize::from(shared == 1 && !close);
            two += usize::from(shared >= 2);
            let expected = shared >= 2 || (shared == 1 && close);
            assert_eq!(
                candidates.contains(&(a, b)),
                expected,
                "pair {k}: {shared} bands"
            );
        }
        assert!(
            one_far >= 10 && two >= 10,
            "{one_far} pairs by one band, {two} by two"
        );
    }

    /// 150 documents drawn from a pool of 120 sentences of 25 words, so that passages recur across
    /// unrelated documents, then 30 excerpts of half of one of them, then (`short`) 30 excerpts
    /// of 8 to 40 words.
    fn shared_passages(short: bool) -> Vec<String> {
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let pool: Vec<String> = (0..120).map(|k| words(k * 25..k * 25 + 25)).collect();
        let mut texts: Vec<String> = (0..150)
            .map(|_| {
                (0..12 + next(25))
                    .map(|_| pool[next(120) as usize].clone())
                    .collect()
            })
            .collect();
        for k in 0..30 {
            let source: Vec<&str> = texts[k * 5].split(' ').collect();
            let from = next(source.len() as u64 / 2) as usize;
            texts.push(source[from..from + source.len() / 2].join(" "));
        }
        for k in 0..if short { 30 } else { 0 } {
            let source: Vec<&str> = texts[k * 3 + 1].split(' ').collect();
            let len = 8 + next(33) as usize;
            let from = next((source.len() - len) as u64) as usize;
            texts.push(source[from..from + len].join(" "));
        }
        texts
    }

    /// Stored keys computed from the documents before `first`: what an index's postings hold.
    struct MemoryKeys {
        first: usize,
        anchors: Vec<(u32, DocId)>,
        bands: Vec<(u64, DocId)>,
    }

    impl MemoryKeys {
        fn of(f: &Fingerprints, first: usize, config: &Config) -> MemoryKeys {
            let old: Vec<DocId> = (0..first as u32).map(DocId).collect();
            let mut anchors = Vec::new();
            f.scan_shingles(&old, |d, s| {
                anchors.extend(s.anchors(config.anchor_modulus).map(|a| (a, d)));
            });
            let mut bands = Vec::new();
            f.scan_bands(&old, |d, keys| {
                let values = keys
                    .iter()
                    .enumerate()
                    .map(|(b, &k)| ((b as u64) << 32 | u64::from(k), d));
                bands.extend(values);
            });
            anchors.sort_unstable();
            bands.sort_unstable();
            MemoryKeys {
                first,
                anchors,
                bands,
            }
        }
    }

    impl StoredKeys for MemoryKeys {
        fn documents(&self) -> usize {
            self.first
        }

        fn anchors(
            &self,
            keys: &[u32],
            keep: &(dyn Fn(DocId) -> bool + Sync),
        ) -> (Vec<(u32, DocId)>, Vec<u32>) {
            let found = self
                .anchors
                .iter()
                .filter(|(a, d)| keys.binary_search(a).is_ok() && keep(*d));
            let found: Vec<(u32, DocId)> = found.copied().collect();
            let mut counts = vec![0; self.first];
            for &(_, d) in &found {
                counts[d.index()] = self.anchors.iter().filter(|p| p.1 == d).count() as u32;
            }
            (found, counts)
        }

        fn count_anchors(&self, keys: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
            let holding = |a: u32| {
                self.anchors
                    .iter()
                    .filter(|p| p.0 == a && keep(p.1))
                    .count()
            };
            keys.iter().map(|&a| holding(a) as u32).collect()
        }

        fn anchors_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
            let of = |d: &DocId| {
                self.anchors
                    .iter()
                    .filter(|p| p.1 == *d)
                    .map(|p| p.0)
                    .collect()
            };
            docs.iter().map(of).collect()
        }

        fn bands(&self, keys: &[u64]) -> Vec<(u64, DocId)> {
            let found = self
                .bands
                .iter()
                .filter(|(k, _)| keys.binary_search(k).is_ok());
            found.copied().collect()
        }

        fn failure(&self) -> Option<String> {
            None
        }
    }

    /// The tables built from the stored documents' keys looked up (an index's `add`) are those
    /// built by scanning them: old excerpts in new containers, old containers of new excerpts,
    /// new exact and near copies of old documents, long lists skipped or not.
    #[test]
    fn tables_looked_up_in_stored_keys_are_those_built_by_scanning() {
        let mut texts = shared_passages(true);
        // Excerpts first, then their sources: old short documents in new containers.
        texts.rotate_left(150);
        let n = texts.len();
        for k in 0..10 {
            texts.push(texts[k * 7].clone());
            texts.push(format!("{} variant{k}", texts[k * 7 + 1]));
        }
        let f = fps(&texts);
        let pairs = |index: &CandidateIndex| {
            let (mut out, mut partners) = (Vec::new(), Vec::new());
            for d in (0..f.len() as u32).map(DocId) {
                index.partners(d, &f, &mut partners);
                out.extend(partners.iter().map(|&o| (d, o)));
            }
            out
        };
        for cap in [Config::default().max_anchor_postings, 8] {
            let config = Config {
                max_anchor_postings: cap,
                ..Config::default()
            };
            for cut in [n / 3, 2 * n / 3, n] {
                let groups = ExactGroups::of(&f);
                let reps = groups.representatives(&f);
                let holds_new = groups.holding_from(DocId(cut as u32));
                let keys = MemoryKeys::of(&f, cut, &config);
                let scanned = pairs(&CandidateIndex::build_around(
                    &f,
                    &reps,
                    &config,
                    (Some(&holds_new), None),
                ));
                // The old documents held by nothing of their shingles, as an index's are.
                let mut held = Fingerprints::default();
                for d in 0..f.len() {
                    let mut whole = f.to_owned(d);
                    if d < cut {
                        let count = whole.shingles.len() as u32;
                        (whole.shingles, whole.bands) =
                            (ShingleSet::of_sorted(Vec::new()), Vec::new());
                        held.push_anchors_only(whole, count).unwrap();
                    } else {
                        held.push(whole).unwrap();
                    }
                }
                let looked_up = (Some(&holds_new[..]), Some(&keys as &dyn StoredKeys));
                let looked = pairs(&CandidateIndex::build_around(
                    &held, &reps, &config, looked_up,
                ));
                let old_with_new = scanned
                    .iter()
                    .filter(|(a, b)| a.index() < cut && b.index() >= cut);
                assert!(
                    old_with_new.count() >= 10,
                    "cap {cap}, new from {cut}: {scanned:?}"
                );
                assert_eq!(looked, scanned, "cap {cap}, new from {cut}");
            }
        }
    }

    /// The containment search, whatever it skips, finds exactly the pairs whose shorter document
    /// shares `anchors_needed` of its anchors with the other.
    #[test]
    fn skipping_common_anchors_finds_the_pairs_a_full_count_finds() {
        let texts = shared_passages(false);
        let f = fps(&texts);
        let config = Config::default();
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        let anchors: Vec<Vec<u32>> = (0..texts.len())
            .map(|d| {
                let mut buf = Vec::new();
                let f = f.get(d, &mut buf);
                f.shingles.anchors(config.anchor_modulus).collect()
            })
            .collect();
        let mut expected = Vec::new();
        for d in 0..texts.len() {
            let a = anchors[d].len();
            let needed = ((a as f64 * config.containment * 0.5).ceil() as usize).max(1);
            let verified = anchors_needed(a, config.containment);
            // Short documents are decided by their hit bar too: this corpus has none.
            assert!(verified >= needed, "document {d}: {a} anchors");
            if f[d].words < config.min_contained_words {
                continue;
            }
            for o in 0..texts.len() {
                let shared = anchors[d].iter().filter(|x| anchors[o].contains(x)).count();
                let bigger = f.shingle_count(o) >= f.shingle_count(d);
                if o != d && bigger && shared >= verified {
                    expected.push((DocId(d.min(o) as u32), DocId(d.max(o) as u32)));
                }
            }
        }
        expected.sort_unstable();
        expected.dedup();
        assert!(expected.len() >= 30, "{} pairs", expected.len());
        assert_eq!(anchor_pairs(&f, &docs, &config), expected);
        // The anchors of a recurring sentence share one stored list.
        let index = AnchorIndex::build(&f, &docs, config.anchor_modulus);
        let lists = index.offsets.len() - 1;
        assert!(
            lists * 2 < index.slots.len(),
            "{lists} lists, {} anchors",
            index.slots.len()
        );
    }

    /// Documents of 65,535 shingles or more (a list stores that cap as their size and looks the
    /// size up when read) are found as containers, and contained, as the others are.
    #[test]
    fn documents_past_the_stored_size_cap_are_searched_as_the_others() {
        let a = words(0..70_000);
        let b = format!("{a}{}", words(70_000..70_100));
        let texts = vec![a, b, words(10_000..50_000), words(20_000..20_300)];
        let f = fps(&texts);
        assert!(f.shingle_count(1) > f.shingle_count(0));
        assert!(
            f.shingle_count(2) < usize::from(u16::MAX),
            "{}",
            f.shingle_count(2)
        );
        assert!(
            f.shingle_count(0) > usize::from(u16::MAX),
            "{}",
            f.shingle_count(0)
        );
        let config = Config::default();
        let docs: Vec<DocId> = (0..4).map(DocId).collect();
        let pairs = anchor_pairs(&f, &docs, &config);
        let all: Vec<(DocId, DocId)> = [(0, 1), (0, 2), (0, 3), (1, 2), (1, 3), (2, 3)]
            .map(|(x, y)| (DocId(x), DocId(y)))
            .to_vec();
        assert_eq!(pairs, all);
        let index = AnchorIndex::build(&f, &docs, config.anchor_modulus);
        let mut buf = Vec::new();
        let anchor = f
            .get(3, &mut buf)
            .shingles
            .anchors(config.anchor_modulus)
            .next()
            .unwrap();
        let (_, list) = index.postings(anchor);
        // Largest first.
        assert_eq!(list.docs, &[DocId(1), DocId(0), DocId(2), DocId(3)]);
        assert_eq!(&list.sizes[..2], &[u16::MAX; 2]);
        for (i, &d) in list.docs.iter().enumerate() {
            let size = f.shingle_count(d.index()) as u32;
            assert_eq!(list.size(i, &f), size);
            assert!(list.holds(d, size, &f) && !list.holds(d, size + 1, &f));
            assert_eq!(
                (list.first_below(size, &f), list.first_at_most(size, &f)),
                (i + 1, i)
            );
        }
    }

    /// (anchor, document) for every anchor that `keep` keeps of every document, written in place:
    /// each group of documents fills its own part of one array, sized in advance (`sizes`, one per
    /// group).
    fn entries_of(
        fingerprints: &Fingerprints,
        groups: &[&[DocId]],
        sizes: &[usize],
        (modulus, keep): (u32, impl Fn(u32) -> bool + Sync),
    ) -> Vec<(u32, DocId)> {
        let mut entries: Vec<(u32, DocId)> = vec![(0, DocId(0)); sizes.iter().sum()];
        let mut parts: Vec<&mut [(u32, DocId)]> = Vec::with_capacity(groups.len());
        let mut rest = entries.as_mut_slice();
        for &size in sizes {
            let (part, tail) = rest.split_at_mut(size);
            parts.push(part);
            rest = tail;
        }
        parts.into_par_iter().zip(groups).for_each(|(part, group)| {
            let mut slots = part.iter_mut();
            fingerprints.scan_shingles(group, |d, s| {
                s.for_each_anchors(modulus, |anchors| {
                    let kept = anchors.iter().filter(|&&a| keep(a));
                    // Anchors first: `zip` stops on them without taking a slot.
                    for (&a, slot) in kept.zip(slots.by_ref()) {
                        *slot = (a, d);
                    }
                });
            });
        });
        entries
    }

    /// The fingerprints of the shared-passage corpus, the anchor modulus, and every document.
    fn shared_passage_tables() -> (Fingerprints, u32, Vec<DocId>) {
        let texts = shared_passages(true);
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        (fps(&texts), Config::default().anchor_modulus, docs)
    }

    /// Entries written into their buckets and sorted bucket by bucket are the slice's entries
    /// sorted whole, documents in order (radix sorts) or not (comparison sorts), every anchor
    /// kept or some.
    #[test]
    fn entries_sorted_by_bucket_are_the_sorted_entries() {
        let (f, modulus, in_order) = shared_passage_tables();
        let reversed: Vec<DocId> = in_order.iter().rev().copied().collect();
        // Every anchor, or those of one value in three (as an `add` keeps its new documents').
        let every = |_: u32| true;
        let some = |a: u32| a.is_multiple_of(3);
        let kept: [&(dyn Fn(u32) -> bool + Sync); 2] = [&every, &some];
        for (docs, keep) in [&in_order, &reversed]
            .into_iter()
            .flat_map(|d| kept.map(|k| (d, k)))
        {
            let groups = groups_of(docs);
            let counts = kept_per_bucket(&f, &groups, (modulus, keep));
            for slice in [0..BUCKETS, 0..1, 17..18, 40..200, 255..BUCKETS] {
                let sizes: Vec<usize> = counts
                    .iter()
                    .map(|c| c[slice.clone()].iter().sum())
                    .collect();
                let in_slice = |a: u32| keep(a) && slice.contains(&((a >> BUCKET_SHIFT) as usize));
                let mut expected = entries_of(&f, &groups, &sizes, (modulus, in_slice));
                expected.sort_unstable();
                let sorted =
                    sorted_entries_of(&f, (&groups, &counts), (modulus, slice.clone(), keep));
                assert_eq!(sorted, expected, "slice {slice:?}");
            }
        }
        assert_eq!(
            kept_per_bucket(&f, &groups_of(&in_order), (modulus, &every)),
            anchors_per_bucket(&f, &groups_of(&in_order), modulus)
        );
    }

    /// Each group's anchors that `keep` keeps, by bucket.
    fn kept_per_bucket(
        f: &Fingerprints,
        groups: &[&[DocId]],
        (modulus, keep): (u32, &(dyn Fn(u32) -> bool + Sync)),
    ) -> Vec<[usize; BUCKETS]> {
        let mut out = vec![[0; BUCKETS]; groups.len()];
        for (g, counts) in groups.iter().zip(&mut out) {
            f.scan_shingles(g, |_, s| {
                s.anchors(modulus)
                    .filter(|&a| keep(a))
                    .for_each(|a| counts[(a >> BUCKET_SHIFT) as usize] += 1)
            });
        }
        out
    }

    /// A xorshift generator: the same draws on every run.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// A bucket's radix sort sorts as a comparison sort: entries of one top byte, documents in
    /// order (several anchors each), sizes around where the radix sort starts.
    #[test]
    fn a_buckets_radix_sort_is_a_sort() {
        let mut next = xorshift(0x9e37_79b9_7f4a_7c15);
        let mut spare = Vec::new();
        for n in [0, 1, 255, 256, 257, 1_000, 20_000] {
            let mut bucket: Vec<(u32, DocId)> = Vec::with_capacity(n);
            let mut doc = 0;
            while bucket.len() < n {
                // A document's anchors: distinct values of one top byte, some close together.
                let mut anchors: Vec<u32> = (0..1 + next() % 6)
                    .map(|_| 0x2a00_0000 | (next() as u32 & 0x00ff_ff0f))
                    .collect();
                anchors.sort_unstable();
                anchors.dedup();
                bucket.extend(
                    anchors
                        .into_iter()
                        .map(|a| (a, DocId(doc)))
                        .take(n - bucket.len()),
                );
                doc += 1 + (next() % 3) as u32;
            }
            let mut expected = bucket.clone();
            expected.sort_unstable();
            sort_bucket(&mut bucket, &mut spare);
            assert_eq!(bucket, expected, "{n} entries");
        }
    }

    /// The anchor index holds the same lists whatever the number of slices it is built in.
    #[test]
    fn an_anchor_index_built_in_many_slices_holds_the_same_lists() {
        let (f, modulus, docs) = shared_passage_tables();
        let whole = AnchorIndex::build_in_slices(&f, &docs, (modulus, None));
        // One entry a slice: each bucket of anchor values is a slice of its own.
        let sliced = AnchorIndex::build_in_slices(&f, &docs, (modulus, Some(1)));
        assert!(whole.slots.len() >= 100, "{} anchors", whole.slots.len());
        assert_eq!(sliced.slots.len(), whole.slots.len());
        for anchor in whole.slots.keys() {
            assert_eq!(
                sliced.postings(anchor).1,
                whole.postings(anchor).1,
                "anchor {anchor}"
            );
        }
    }

    /// A document's anchors looked up together give each one's list, as looked up alone: those
    /// held, and values that are not anchors (missing at the start, the end and between them).
    #[test]
    fn anchors_looked_up_together_give_their_own_lists() {
        let (f, modulus, docs) = shared_passage_tables();
        let index = AnchorIndex::build_in_slices(&f, &docs, (modulus, Some(1)));
        let mut asked: Vec<u32> = index.slots.keys().collect();
        let absent: Vec<u32> = asked.iter().map(|a| a.wrapping_add(1)).collect();
        asked.extend(absent);
        asked.extend([0, 1, u32::MAX - 1, u32::MAX]);
        let together = index.postings_of(&asked);
        assert_eq!(together.len(), asked.len());
        let held = together.iter().filter(|(k, _)| *k != usize::MAX).count();
        assert!(held >= 100, "{held} anchors held");
        for (&a, found) in asked.iter().zip(&together) {
            assert_eq!(*found, index.postings(a), "anchor {a}");
        }
    }

    /// Slices cover every bucket in order, hold at most the budget unless one bucket is more or
    /// the budget would need more than [`MAX_SLICES`] slices, and are at least four without a
    /// budget.
    #[test]
    fn anchor_slices_keep_within_their_budget() {
        let mut counts = vec![[0; BUCKETS]; 3];
        for (g, c) in counts.iter_mut().enumerate() {
            for (b, n) in c.iter_mut().enumerate() {
                *n = (b * 7 + g * 3) % 11 + usize::from(b == 100) * 500;
            }
        }
        let entry = std::mem::size_of::<(u32, DocId)>();
        let per_bucket = |b: usize| counts.iter().map(|c| c[b]).sum::<usize>();
        let total: usize = (0..BUCKETS).map(per_bucket).sum();
        for budget in [
            None,
            Some(1 << 20),
            Some(1000 * entry),
            Some(200 * entry),
            Some(40 * entry),
            Some(1),
        ] {
            let slices = slices_of(&counts, budget);
            assert_eq!(slices[0].start, 0);
            assert_eq!(slices.last().unwrap().end, BUCKETS);
            assert!(
                slices.windows(2).all(|w| w[0].end == w[1].start),
                "{budget:?}"
            );
            assert!(slices.len() >= MIN_SLICES, "{budget:?}: {}", slices.len());
            // Slices are cut before the bucket that would pass the most a slice holds: at most
            // twice as many as that most allows.
            assert!(
                slices.len() <= 2 * MAX_SLICES,
                "{budget:?}: {}",
                slices.len()
            );
            for slice in &slices {
                let held: usize = slice.clone().map(per_bucket).sum();
                let most = budget.map(|bytes| (bytes / entry).max(total.div_ceil(MAX_SLICES)));
                let fits = most.is_none_or(|most| held <= most);
                assert!(
                    fits || slice.len() == 1,
                    "{budget:?}: {slice:?} holds {held}"
                );
            }
        }
        // A budget of 1 byte: about as many slices as the cap allows (fewer here, where one
        // bucket holds more than a sixteenth of the entries alone), not one a bucket.
        let slices = slices_of(&counts, Some(1)).len();
        assert!(
            (MAX_SLICES / 2..=2 * MAX_SLICES).contains(&slices),
            "{slices}"
        );
    }

    /// The slot arrays find every anchor inserted, and no other, in every slice: clustered
    /// anchors (displaced past their home), the range's ends, and slices of one value.
    #[test]
    fn slot_arrays_find_exactly_the_anchors_inserted() {
        let mut draw = xorshift(0x2545_F491_4F6C_DD1D);
        let mut next = || draw() as u32;
        let mut anchors: Vec<u32> = (0..20_000).map(|_| next() & !3).collect();
        // A dense run, the ends of the range and of a slice.
        anchors.extend((0..300).map(|i| 0x4000_0000 + 4 * i));
        anchors.extend([0, 4, !3, 0x3FFF_FFFC, 0x0100_0000]);
        anchors.sort_unstable();
        anchors.dedup();
        let want: BTreeMap<u32, u32> = anchors
            .iter()
            .enumerate()
            .map(|(i, &a)| (a, i as u32))
            .collect();
        let whole: Vec<std::ops::Range<usize>> = std::iter::once(0..BUCKETS).collect();
        for slices in [whole, vec![0..1, 1..64, 64..65, 65..BUCKETS]] {
            let mut slots = Slots::default();
            for slice in &slices {
                let within = |a: &&u32| slice.contains(&((**a >> BUCKET_SHIFT) as usize));
                slots.start_slice(slice.clone(), anchors.iter().filter(within).count());
                for &a in anchors.iter().filter(within) {
                    slots.insert(a, want[&a]);
                }
            }
            slots.shrink_to_fit();
            assert_eq!(slots.len(), anchors.len());
            for &a in &anchors {
                assert_eq!(slots.get(a), Some(want[&a]), "{a:#x}");
                for absent in [a.wrapping_add(4), a.wrapping_sub(4), a | 1] {
                    assert_eq!(slots.get(absent), want.get(&absent).copied(), "{absent:#x}");
                }
            }
        }
        assert_eq!(Slots::default().get(12), None);
    }

    /// Searching from the wanted containers for the unwanted documents they may contain (an
    /// index's `add`) finds the pairs with a wanted document that searching from every document
    /// finds, short documents (decided by their hit bar) included.
    #[test]
    fn searching_from_new_containers_finds_the_pairs_of_a_whole_search() {
        let texts = shared_passages(true);
        let f = fps(&texts);
        // Lists of more than 8 documents are never looked up with the second configuration:
        // most of this corpus's, whose sentences recur in about 30 documents each.
        for cap in [Config::default().max_anchor_postings, 8] {
            let config = Config {
                max_anchor_postings: cap,
                ..Config::default()
            };
            same_pairs_around_new_documents(&texts, &f, &config);
        }
    }

    #[test]
    fn old_documents_skip_their_common_anchors_when_searched_from_new_ones() {
        // Old short documents, each a sentence common to many old documents and a few words of
        // one new long document: the search of each skips its most common anchors, those of the
        // sentence, whose lists hold old documents only. An `add`'s index does not hold those
        // lists: it must still know their lengths to skip the same anchors.
        let common: Vec<String> = (0..4).map(|k| words(k * 25..k * 25 + 25)).collect();
        let mut texts: Vec<String> = (0..30)
            .map(|i| common.concat() + &words(500 + i * 10..510 + i * 10))
            .collect();
        let long = |k: usize| 1000 + k * 100;
        texts.extend((0..20).map(|k| words(long(k)..long(k) + 60)));
        for k in 0..20 {
            let len = 8 + k % 6;
            texts.push(common[k % 4].clone() + &words(long(k) + 10..long(k) + 10 + len));
        }
        let f = fps(&texts);
        let new: Vec<bool> = (0..texts.len()).map(|d| (30..50).contains(&d)).collect();
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        for cap in [Config::default().max_anchor_postings, 8] {
            let config = Config {
                max_anchor_postings: cap,
                ..Config::default()
            };
            let whole = anchor_pairs(&f, &docs, &config);
            // (new long document, old short one)
            let new_long = |p: &&(DocId, DocId)| (30..50).contains(&p.0.index());
            let old_short_in_new = whole.iter().filter(new_long).filter(|p| p.1.index() >= 50);
            assert!(old_short_in_new.count() >= 10, "cap {cap}: {whole:?}");
            let expected: Vec<(DocId, DocId)> = whole
                .iter()
                .filter(|p| new[p.0.index()] || new[p.1.index()])
                .copied()
                .collect();
            assert_eq!(
                anchor_pairs_around(&f, &docs, &config, (Some(&new), None)),
                expected,
                "cap {cap}"
            );
        }
    }

    fn same_pairs_around_new_documents(texts: &[String], f: &Fingerprints, config: &Config) {
        let (f, config) = (f, config.clone());
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        let whole = anchor_pairs(f, &docs, &config);
        let short = (180..texts.len()).filter(|&d| {
            let mut buf = Vec::new();
            let a = f
                .get(d, &mut buf)
                .shingles
                .anchors(config.anchor_modulus)
                .count();
            let needed = ((a as f64 * config.containment * 0.5).ceil() as usize).max(1);
            anchors_needed(a, config.containment) < needed
                && f[d].words >= config.min_contained_words
        });
        let short: Vec<usize> = short.collect();
        assert!(short.len() >= 5, "{} short documents", short.len());
        let short_pairs = whole
            .iter()
            .filter(|p| short.contains(&p.1.index()))
            .count();
        assert!(short_pairs >= 5, "{short_pairs} pairs of short documents");
        for (k, every) in [(0, 3), (1, 7), (2, 2)] {
            // Wanted: every `every`-th document from the `k`-th, as a batch of new documents.
            let new: Vec<bool> = (0..texts.len()).map(|d| d % every == k % every).collect();
            let wanted = |p: &&(DocId, DocId)| new[p.0.index()] || new[p.1.index()];
            let expected: Vec<(DocId, DocId)> = whole.iter().filter(wanted).copied().collect();
            let around = anchor_pairs_around(f, &docs, &config, (Some(&new), None));
            let cap = config.max_anchor_postings;
            assert_eq!(around, expected, "new: every {every} from {k}, cap {cap}");
        }
    }

    /// Band tables built for the pairs of new documents give each document every partner a
    /// whole build gives it with a new document (near-copy families of four, new in some).
    #[test]
    fn band_tables_around_new_documents_hold_every_pair_with_one() {
        let mut texts = shared_passages(false);
        let bases: Vec<String> = texts.iter().take(40).cloned().collect();
        let first_copy = texts.len();
        for (k, t) in bases.iter().enumerate() {
            texts.extend((0..3).map(|v| format!("{t} variant{k}x{v}")));
        }
        let f = fps(&texts);
        let config = Config::default();
        let docs: Vec<DocId> = (0..texts.len() as u32).map(DocId).collect();
        let pairs_of = |index: &CandidateIndex, new: &[bool]| {
            let (mut out, mut partners) = (Vec::new(), Vec::new());
            for &d in &docs {
                index.partners(d, &f, &mut partners);
                let wanted = partners.iter().filter(|o| new[d.index()] || new[o.index()]);
                out.extend(wanted.map(|&o| (d, o)));
            }
            out
        };
        let whole = CandidateIndex::build(&f, &docs, &config);
        for every in [3, 7] {
            let new: Vec<bool> = (0..texts.len()).map(|d| d % every == 1).collect();
            let expected = pairs_of(&whole, &new);
            let copies =
                |p: &&(DocId, DocId)| p.0.index() >= first_copy || p.1.index() >= first_copy;
            let from_bands = expected.iter().filter(copies);
            assert!(from_bands.count() >= 40, "near-copies found: {expected:?}");
            let around = CandidateIndex::build_around(&f, &docs, &config, (Some(&new), None));
            assert_eq!(pairs_of(&around, &new), expected, "new: every {every}");
        }
    }
}
