//! A corpus's fingerprints, column by column, within a memory budget.
//!
//! Per document the matcher keeps a small head (words, exact hash, SimHash: 32 bytes) and two
//! variable parts that make most of the memory: the shingle set (about 800 bytes for a news
//! article) and the MinHash band keys (168 bytes). Those two are stored end to end, one store for
//! each, so that a million documents are two arrays rather than two million allocations. When a
//! memory budget is set and the stores outgrow it, what they hold goes to one temporary file
//! (written on a thread of its own, [`super::spill`]) and later documents follow it there: sets
//! are then read back with positioned reads (`pread`),
//! which leave the file's pages to the kernel's page cache (shared, reclaimable, not the
//! process's resident memory) where memory maps would count every page touched.
//!
//! Reading back never changes a value: a run gives the same output with or without spilling.
//!
//! An index's old documents come from its stored features with their shingle count and not their
//! whole set ([`Fingerprints::push_anchors_only`]): held by their anchors (the shingles the
//! containment index samples) when the candidate tables scan them, by none at all in an `add`,
//! which looks their keys up in the index's postings instead. The few that a pair with a new
//! document scores get their whole sets afterwards, read again from their text
//! ([`Fingerprints::add_whole`]); reading the whole set of one that did not is a bug, and panics.
//!
//! Access patterns: scoring reads two sets per candidate pair (one positioned read each); the
//! candidate tables read every document's anchors and band keys in input order, through
//! [`Fingerprints::scan_shingles`] and [`Fingerprints::scan_bands`], which read runs of
//! neighbouring documents in one call.

use std::io;
use std::ops::Index;
use std::path::PathBuf;

use super::spill::SpillFile;
use super::KeyMap;
use super::{Fingerprint, ShingleSet, Shingles, SimHash64};
use crate::DocId;

/// What every stage reads of one document without its sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Head {
    /// Number of words after folding.
    pub words: u32,
    /// SimHash over the shingles.
    pub simhash: SimHash64,
    /// Hash of the whole folded word sequence; 0 for an empty document.
    pub exact: u128,
}

impl Head {
    /// True when the document has no words: it is kept and counted, never matched.
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }
}

/// One document's fingerprint, borrowed from a [`Fingerprint`] or from a [`Fingerprints`] store:
/// what scoring and relation decisions read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FingerprintRef<'a> {
    pub words: u32,
    pub exact: u128,
    pub simhash: SimHash64,
    pub shingles: Shingles<'a>,
}

impl FingerprintRef<'_> {
    /// True when the document has no words.
    pub fn is_empty(&self) -> bool {
        self.words == 0
    }
}

impl<'a> From<&'a Fingerprint> for FingerprintRef<'a> {
    fn from(f: &'a Fingerprint) -> FingerprintRef<'a> {
        FingerprintRef {
            words: f.words,
            exact: f.exact,
            simhash: f.simhash,
            shingles: f.shingles.view(),
        }
    }
}

/// Where the stores may spill, and when.
///
/// Sets stay in memory while they and what the run holds besides them (estimated as [`BASE`] and
/// [`PER_DOCUMENT`] per document read so far, [`PER_ANCHORS_ONLY`] for one held by its anchors
/// only) fit the limit; past it, they go to disk by chunks of at least a sixteenth of the limit
/// (16 MiB at most), and later documents' sets follow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Spill {
    /// The memory the run aims to stay under, in bytes; `None`: sets are never spilled.
    pub limit: Option<u64>,
    /// The directory of the temporary file (the system's temporary directory when `None`).
    pub dir: Option<PathBuf>,
}

/// What a run holds per document besides its sets, for the spill decision: its record (id, origin,
/// language), head, set offsets, its share of the candidate tables and, with translations, its
/// candidate keys until their candidates are found (which go to disk with the sets once these
/// do). Measured about 900 bytes on a million shared-passage articles, keys held (BENCHMARKS.md
/// section 18).
pub const PER_DOCUMENT: u64 = 1024;

/// What a run holds per document held by its anchors only (an index's old document in an `add`)
/// besides its anchors: its record, head and offsets, about 130 bytes. An `add` of 10k articles
/// into 990k peaks at 440-460 MB, 0.34 kB a document all told (BENCHMARKS.md section 47). Counted
/// at [`PER_DOCUMENT`], the old documents alone passed the default `1G` limit, and an `add` of 30k
/// into 990k sent its new documents' sets to disk.
pub const PER_ANCHORS_ONLY: u64 = 256;

/// What a run holds whatever the corpus: the program, lexicons, thread stacks, reading batches.
pub const BASE: u64 = 128 << 20;

/// Sets go to disk by chunks of at least this (or a sixteenth of the limit when that is less).
const SPILL_CHUNK: u64 = 16 << 20;

/// Every document's fingerprint, in input order ([`DocId`] k is document k).
#[derive(Debug, Default)]
pub struct Fingerprints {
    heads: Vec<Head>,
    shingles: Sets,
    bands: Sets,
    spill: Spill,
    /// Set once a document is stored with its anchors only (see [`Fingerprints::push_anchors_only`]).
    sampled: Option<Sampled>,
}

/// What a store holding some documents by their anchors only keeps besides: every document's
/// whole shingle count, and the whole sets fetched for those documents since.
///
/// A document is held by its anchors when its count is not the length of its stored set (when
/// they are equal, its anchors are its whole set).
#[derive(Debug, Default)]
struct Sampled {
    counts: Vec<u32>,
    /// Documents pushed by their anchors only.
    anchors_only: usize,
    whole: std::sync::RwLock<KeyMap<u32, Box<[u32]>>>,
}

impl Index<usize> for Fingerprints {
    type Output = Head;

    fn index(&self, d: usize) -> &Head {
        &self.heads[d]
    }
}

impl From<Vec<Fingerprint>> for Fingerprints {
    fn from(all: Vec<Fingerprint>) -> Fingerprints {
        let mut store = Fingerprints::default();
        for f in all {
            store.push_in_memory(f);
        }
        store
    }
}

impl Fingerprints {
    /// An empty store that spills as `spill` says.
    pub fn new(spill: Spill) -> Fingerprints {
        Fingerprints {
            spill,
            ..Fingerprints::default()
        }
    }

    /// Number of documents.
    pub fn len(&self) -> usize {
        self.heads.len()
    }

    #[cfg(any(test, feature = "internals"))]
    /// True when there is no document.
    pub fn is_empty(&self) -> bool {
        self.heads.is_empty()
    }

    /// Every document's head, in input order.
    pub fn heads(&self) -> &[Head] {
        &self.heads
    }

    /// Adds the next document; its sets go to disk when the budget is passed.
    pub fn push(&mut self, f: Fingerprint) -> io::Result<()> {
        self.push_in_memory(f);
        let Some(limit) = self.spill.limit else {
            return Ok(());
        };
        let held = self.memory_bytes();
        let others = self.others_bytes();
        if held >= SPILL_CHUNK.min(limit / 16) && held + others > limit {
            let dir = self.spill.dir.clone();
            self.shingles.spill(dir.as_ref())?;
            self.bands.spill(dir.as_ref())?;
        }
        Ok(())
    }

    /// What the run holds besides the stores' sets, as the spill decision estimates it.
    fn others_bytes(&self) -> u64 {
        let by_anchors = self.sampled.as_ref().map_or(0, |s| s.anchors_only) as u64;
        let whole = self.len() as u64 - by_anchors;
        BASE + PER_DOCUMENT * whole + PER_ANCHORS_ONLY * by_anchors
    }

    /// Adds the next document by its anchors only: `f`'s shingle set holds the anchors of a set
    /// of `count` shingles (an index's stored features). Everything the candidate tables read of it
    /// is there (its anchors, band keys, shingle count); its whole set, which scoring reads, is
    /// given later by [`Fingerprints::add_whole`].
    pub fn push_anchors_only(&mut self, f: Fingerprint, count: u32) -> io::Result<()> {
        let n = self.len();
        let shingles = &self.shingles;
        let sampled = self.sampled.get_or_insert_with(|| Sampled {
            counts: (0..n).map(|d| shingles.len_of(d) as u32).collect(),
            ..Sampled::default()
        });
        sampled.counts.push(count);
        sampled.anchors_only += 1;
        self.push(f)
    }

    /// Whether some document is held by its anchors only.
    pub fn holds_anchors_only(&self) -> bool {
        self.sampled.is_some()
    }

    /// The documents of `docs` held by their anchors whose whole sets were not given yet.
    pub fn lacking_whole(&self, docs: impl IntoIterator<Item = DocId>) -> Vec<DocId> {
        let Some(sampled) = &self.sampled else {
            return Vec::new();
        };
        let whole = sampled.whole.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<DocId> = docs
            .into_iter()
            .filter(|d| self.is_sampled(d.index()) && !whole.contains_key(&d.0))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Gives the whole shingle sets of documents held by their anchors.
    pub fn add_whole(&self, sets: impl IntoIterator<Item = (DocId, Vec<u32>)>) {
        if let Some(sampled) = &self.sampled {
            let mut whole = sampled.whole.write().unwrap_or_else(|e| e.into_inner());
            whole.extend(sets.into_iter().map(|(d, s)| (d.0, s.into_boxed_slice())));
        }
    }

    fn is_sampled(&self, d: usize) -> bool {
        self.sampled
            .as_ref()
            .is_some_and(|s| s.counts[d] as usize != self.shingles.len_of(d))
    }

    fn push_in_memory(&mut self, f: Fingerprint) {
        if let Some(sampled) = &mut self.sampled {
            if sampled.counts.len() == self.heads.len() {
                sampled.counts.push(f.shingles.len() as u32);
            }
        }
        self.heads.push(Head {
            words: f.words,
            simhash: f.simhash,
            exact: f.exact,
        });
        self.shingles.push(f.shingles.as_slice());
        self.bands.push(&f.bands);
    }

    /// Bytes of sets held in memory.
    pub fn memory_bytes(&self) -> u64 {
        self.shingles.memory_bytes() + self.bands.memory_bytes()
    }

    /// Bytes of sets written to the temporary file.
    pub fn spilled_bytes(&self) -> u64 {
        self.shingles.disk_bytes() + self.bands.disk_bytes()
    }

    /// Waits until every set sent to the temporary file is written: the first error writing
    /// them, if any. Reading a set back waits for it too; a run calls this once every document
    /// is in, to report a failing disk as such.
    pub fn settle(&mut self) -> io::Result<()> {
        self.shingles.settle()?;
        self.bands.settle()
    }

    /// Frees what the store reserved past what it holds, once every document is in.
    pub fn shrink_to_fit(&mut self) {
        self.heads.shrink_to_fit();
        self.shingles.shrink_to_fit();
        self.bands.shrink_to_fit();
        if let Some(sampled) = &mut self.sampled {
            sampled.counts.shrink_to_fit();
        }
    }

    /// The memory the run aims to stay under (`--memory-limit`), in bytes, when set: the stages
    /// that build large transient tables size their parts by it.
    pub fn memory_limit(&self) -> Option<u64> {
        self.spill.limit
    }

    /// The directory the temporary file goes to, when set: what else the run sends to disk with
    /// the sets (the translation keys) goes there too.
    pub fn spill_dir(&self) -> Option<&PathBuf> {
        self.spill.dir.as_ref()
    }

    /// Number of distinct shingles of document d (no read).
    pub fn shingle_count(&self, d: usize) -> usize {
        match &self.sampled {
            Some(sampled) => sampled.counts[d] as usize,
            None => self.shingles.len_of(d),
        }
    }

    /// Document d's fingerprint, its sets read into `buf` when they are on disk or given whole
    /// after it was stored by its anchors.
    ///
    /// Panics for a document held by its anchors whose whole set was not given: the stages that
    /// score a pair fetch the sets of its documents first ([`Fingerprints::lacking_whole`]).
    pub fn get<'a>(&'a self, d: usize, buf: &'a mut Vec<u32>) -> FingerprintRef<'a> {
        let h = &self.heads[d];
        let shingles = match &self.sampled {
            Some(sampled) if self.is_sampled(d) => {
                let whole = sampled.whole.read().unwrap_or_else(|e| e.into_inner());
                let Some(set) = whole.get(&(d as u32)) else {
                    panic!("twinwire: internal error: the shingles of document {d} were not read");
                };
                buf.clear();
                buf.extend_from_slice(set);
                &buf[..]
            }
            _ => self.shingles.get(d, buf),
        };
        FingerprintRef {
            words: h.words,
            exact: h.exact,
            simhash: h.simhash,
            shingles: Shingles::of_sorted(shingles),
        }
    }

    /// Document d's fingerprint with its shingles as stored (see [`Fingerprints::stored_shingles`]).
    pub fn get_stored<'a>(&'a self, d: usize, buf: &'a mut Vec<u32>) -> FingerprintRef<'a> {
        let h = &self.heads[d];
        FingerprintRef {
            words: h.words,
            exact: h.exact,
            simhash: h.simhash,
            shingles: Shingles::of_sorted(self.shingles.get(d, buf)),
        }
    }

    /// Document d's shingles as stored: its whole set, or its anchors when it is held by them.
    /// Enough for [`Shingles::anchors`]; its count is [`Fingerprints::shingle_count`].
    pub fn stored_shingles<'a>(&'a self, d: usize, buf: &'a mut Vec<u32>) -> Shingles<'a> {
        Shingles::of_sorted(self.shingles.get(d, buf))
    }

    /// Document d's whole fingerprint, owned.
    pub fn to_owned(&self, d: usize) -> Fingerprint {
        let (mut s, mut b) = (Vec::new(), Vec::new());
        let h = &self.heads[d];
        Fingerprint {
            words: h.words,
            exact: h.exact,
            simhash: h.simhash,
            shingles: ShingleSet::of_sorted(self.get(d, &mut s).shingles.as_slice().to_vec()),
            bands: self.bands.get(d, &mut b).to_vec(),
        }
    }

    /// Calls `f` with each of `docs` (in input order) and its shingles as stored (see
    /// [`Fingerprints::stored_shingles`]: their anchors are right, their length is not always
    /// the document's shingle count).
    pub fn scan_shingles(&self, docs: &[DocId], f: impl FnMut(DocId, Shingles<'_>)) {
        let mut f = f;
        self.shingles
            .scan(docs, |d, values| f(d, Shingles::of_sorted(values)));
    }

    /// Calls `f` with each of `docs` (in input order) and its band keys.
    pub fn scan_bands(&self, docs: &[DocId], f: impl FnMut(DocId, &[u32])) {
        self.bands.scan(docs, f);
    }
}

/// Runs of documents read back in one call hold at most this many values (4 MiB).
const SCAN_VALUES: u64 = 1 << 20;

/// Sets of `u32` end to end: set d is values `ends[d - 1]..ends[d]` of the store; the first
/// `on_disk` values are in the temporary file, the rest in `memory`. A set is never split: the
/// whole of `memory` goes to disk at once.
#[derive(Debug, Default)]
pub(crate) struct Sets {
    ends: Vec<u64>,
    memory: Vec<u32>,
    on_disk: u64,
    file: Option<SpillFile>,
}

impl Sets {
    /// Frees what the vectors reserved past their length (they grow by doubling while a corpus
    /// is read: up to 60% more than they hold).
    pub(crate) fn shrink_to_fit(&mut self) {
        self.ends.shrink_to_fit();
        self.memory.shrink_to_fit();
    }

    pub(crate) fn push(&mut self, values: &[u32]) {
        self.memory.extend_from_slice(values);
        self.ends.push(self.on_disk + self.memory.len() as u64);
    }

    fn span(&self, d: usize) -> (u64, u64) {
        let start = if d == 0 { 0 } else { self.ends[d - 1] };
        (start, self.ends[d])
    }

    fn len_of(&self, d: usize) -> usize {
        let (s, e) = self.span(d);
        (e - s) as usize
    }

    pub(crate) fn memory_bytes(&self) -> u64 {
        self.memory.len() as u64 * 4
    }

    pub(crate) fn disk_bytes(&self) -> u64 {
        self.on_disk * 4
    }

    /// Moves every value held in memory to the end of the temporary file, written on a thread
    /// of its own ([`SpillFile`]); values on disk are read back once written.
    pub(crate) fn spill(&mut self, dir: Option<&PathBuf>) -> io::Result<()> {
        if self.memory.is_empty() {
            return Ok(());
        }
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(SpillFile::create(dir)?),
        };
        let chunk = std::mem::take(&mut self.memory);
        self.on_disk += chunk.len() as u64;
        self.memory = file.append(chunk)?;
        Ok(())
    }

    /// Waits until every value sent to the temporary file is written: the first error writing
    /// them, if any.
    pub(crate) fn settle(&mut self) -> io::Result<()> {
        self.file.as_mut().map_or(Ok(()), SpillFile::settle)
    }

    /// Set d: a slice of memory, or read into `buf` from the file.
    pub(crate) fn get<'a>(&'a self, d: usize, buf: &'a mut Vec<u32>) -> &'a [u32] {
        let (start, end) = self.span(d);
        if start >= self.on_disk {
            let from = (start - self.on_disk) as usize;
            return &self.memory[from..from + (end - start) as usize];
        }
        self.read(start, end, buf);
        buf
    }

    /// Values `start..end` (on disk) into `buf`.
    fn read(&self, start: u64, end: u64, buf: &mut Vec<u32>) {
        buf.clear();
        buf.resize((end - start) as usize, 0);
        if let Some(file) = &self.file {
            if let Err(e) = file.read_at(bytemuck::cast_slice_mut(buf), start * 4) {
                // The file is twinwire's own, written and synced to the kernel moments ago: only a
                // failing disk gets here.
                panic!("twinwire: cannot read back its temporary file of fingerprints: {e}");
            }
        }
    }

    /// Calls `f` with each of `docs` (sorted) and its set, reading neighbours on disk together.
    fn scan(&self, docs: &[DocId], mut f: impl FnMut(DocId, &[u32])) {
        let mut buf = Vec::new();
        let mut at = 0;
        while at < docs.len() {
            let (start, end) = self.span(docs[at].index());
            if start >= self.on_disk {
                let from = (start - self.on_disk) as usize;
                f(docs[at], &self.memory[from..from + (end - start) as usize]);
                at += 1;
                continue;
            }
            // The run of documents after this one that are on disk and fit one read.
            let mut last = at;
            while let Some(next) = docs.get(last + 1) {
                let (_, e) = self.span(next.index());
                if e > self.on_disk || e - start > SCAN_VALUES {
                    break;
                }
                last += 1;
            }
            let (_, run_end) = self.span(docs[last].index());
            self.read(start, run_end, &mut buf);
            for &d in &docs[at..=last] {
                let (s, e) = self.span(d.index());
                f(d, &buf[(s - start) as usize..(e - start) as usize]);
            }
            at = last + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn corpus() -> Vec<Fingerprint> {
        let c = Config::default();
        (0..50)
            .map(|i| {
                let text: String = (0..(i * 7) % 40).map(|w| format!("w{} ", w + i)).collect();
                Fingerprint::of_text(&text, &c)
            })
            .collect()
    }

    #[test]
    fn spilled_sets_read_back_as_they_went_in() {
        let all = corpus();
        // A limit of a few documents' sets: most go to disk, the last ones stay in memory.
        let mut store = Fingerprints::new(Spill {
            limit: Some(16_000),
            dir: None,
        });
        for f in &all {
            store.push(f.clone()).unwrap();
        }
        assert!(store.spilled_bytes() > 0);
        assert!(store.memory_bytes() <= 1_000 + 4 * 200);
        let mut buf = Vec::new();
        for (d, f) in all.iter().enumerate() {
            assert_eq!(store.to_owned(d), *f);
            assert_eq!(store.get(d, &mut buf), FingerprintRef::from(f));
            assert_eq!(store.shingle_count(d), f.shingles.len());
        }
        let docs: Vec<DocId> = (0..all.len() as u32).step_by(3).map(DocId).collect();
        let mut seen = Vec::new();
        store.scan_bands(&docs, |d, b| seen.push((d, b.to_vec())));
        let want: Vec<(DocId, Vec<u32>)> = docs
            .iter()
            .map(|&d| (d, all[d.index()].bands.clone()))
            .collect();
        assert_eq!(seen, want);
        let mut counts = Vec::new();
        store.scan_shingles(&docs, |d, s| counts.push((d, s.len())));
        assert!(counts
            .iter()
            .all(|&(d, n)| n == all[d.index()].shingles.len()));
    }

    /// An index's old documents, held by their anchors, are counted at what they cost: thirty
    /// thousand of them stay within a limit that the same documents held whole would pass.
    #[test]
    fn documents_held_by_their_anchors_count_for_less() {
        let limit = BASE + (24 << 20);
        let documents = 30_000u32;
        let pushed = |anchors_only: bool| {
            let mut store = Fingerprints::new(Spill {
                limit: Some(limit),
                dir: None,
            });
            for d in 0..documents {
                // 100 anchors, 11.4 MiB in all: past the smallest chunk spilled (9.5 MiB here).
                let anchors: Vec<u32> = (0..100).map(|i| i * 1_000 + d % 1_000).collect();
                let f = Fingerprint {
                    words: 1_000,
                    exact: u128::from(d),
                    shingles: ShingleSet::of_sorted(anchors),
                    simhash: SimHash64(0),
                    bands: Vec::new(),
                };
                match anchors_only {
                    true => store.push_anchors_only(f, 1_000).unwrap(),
                    false => store.push(f).unwrap(),
                }
            }
            store.spilled_bytes()
        };
        assert_eq!(pushed(true), 0);
        assert!(pushed(false) > 0);
    }

    #[test]
    fn without_a_budget_nothing_is_written() {
        let mut store = Fingerprints::new(Spill::default());
        for f in corpus() {
            store.push(f).unwrap();
        }
        assert_eq!(store.spilled_bytes(), 0);
    }
}
