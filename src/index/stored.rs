//! The index as a [`FeatureStore`]: an `add` takes the indexed documents from their batches'
//! features files (and ids files) instead of reading and fingerprinting their texts, looks their
//! anchors and band keys up in the batches' postings files ([`StoredKeys`]), and writes the new
//! batch's features and postings as its documents are fingerprinted.

use std::collections::HashMap;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

use compact_str::CompactString;
use rayon::prelude::*;

use super::features::{self, features_path, read_features_with, FeatureWriter};
use super::postings::{postings_path, Posting, PostingsFile, Table};
use super::postings_thread::PostingsThread;
use super::{parse_ids, Index, IndexError, PendingBatch};
use crate::candidates::StoredKeys;
use crate::corpus::{Input, InputError, Origin};
use crate::pipeline::{DocInfo, FeatureStore, Features};
use crate::DocId;

/// An index's stored features, for a run over its batches' files (named as [`Input`]s by their
/// paths) followed by a new batch.
pub struct IndexStore {
    /// The indexed batches whose features this twinwire reads, by their documents' file as the
    /// run names it.
    stored: HashMap<String, StoredBatch>,
    /// The new batch's documents' file, as the run names it.
    new_batch: String,
    writer: Option<FeatureWriter>,
    /// The new batch's postings, written on a thread of its own: handed over as documents are
    /// kept, sorted and written while the run matches (BENCHMARKS.md section 38).
    postings: Option<PostingsThread>,
    /// The index's anchor modulus (which shingles are anchors).
    modulus: u32,
    /// Documents of the new batch whose features were written.
    written: usize,
    /// The indexed batches' postings, when the run looks keys up in them.
    keys: Option<StoredPostings>,
    /// The anchors of the document being kept.
    anchors: Vec<u32>,
}

struct StoredBatch {
    batch: PathBuf,
    features: PathBuf,
    /// Its postings, when it has them.
    postings: Option<PathBuf>,
    documents: usize,
    text_bytes: u64,
}

impl IndexStore {
    /// The store of `index`'s batches, writing the features and postings of the batch being
    /// added (its file is `new_batch`) with the anchors `modulus` (the index's `--anchor-modulus`) keeps.
    /// With `lookups` (a run that wants only the new documents' pairs), the indexed batches'
    /// keys are looked up in their postings when every batch has them: their documents are then
    /// read without anchors or band keys. Otherwise a batch whose features leave those to its
    /// postings takes them from there, by document.
    pub fn new(
        index: &Index,
        new_batch: &Path,
        (modulus, lookups): (u32, bool),
    ) -> Result<IndexStore, IndexError> {
        let batches = index.manifest().batches.iter().zip(index.batch_features());
        let stored: HashMap<String, StoredBatch> = batches
            .filter_map(|(b, (batch, features))| {
                let name = batch.display().to_string();
                let (features, postings) = features?;
                let stored = StoredBatch {
                    features,
                    postings,
                    batch,
                    documents: b.documents,
                    text_bytes: b.text_bytes,
                };
                Some((name, stored))
            })
            .collect();
        // Translation keys are looked up when every batch leaves them to its postings: the run
        // then holds none of the indexed documents' keys.
        let keys_in_postings = index.manifest().batches.len() == stored.len()
            && stored.values().all(|b| {
                let version = features::version(&b.features).unwrap_or(0);
                features::keys_in_postings(version)
            });
        let keys = match index.batch_postings() {
            Some(files) if lookups => Some(StoredPostings::open(index, &files, keys_in_postings)?),
            _ => None,
        };
        Ok(IndexStore {
            stored,
            new_batch: new_batch.display().to_string(),
            writer: Some(FeatureWriter::create(features_path(new_batch))?),
            postings: Some(PostingsThread::spawn(postings_path(new_batch))),
            modulus,
            written: 0,
            keys,
            anchors: Vec::new(),
        })
    }

    /// Ends the new batch's features file and names it in `pending`. A file that missed some of
    /// the batch's documents is given up (the batch is then read from its text by later runs).
    pub fn finish(mut self, pending: &mut PendingBatch) -> Result<(), IndexError> {
        let (Some(writer), Some(mut postings)) = (self.writer.take(), self.postings.take()) else {
            return Ok(());
        };
        if self.written != pending.documents() {
            writer.abandon();
            postings.wait()?;
            return Ok(());
        }
        writer.finish()?;
        pending.set_features();
        // Ended already when every document was kept.
        postings.end();
        if postings.wait()? {
            pending.set_postings();
        }
        Ok(())
    }

    /// Gives the new batch's features and postings up (the `add` failed).
    pub fn abandon(mut self) {
        if let Some(writer) = self.writer.take() {
            writer.abandon();
        }
        if let Some(postings) = self.postings.take() {
            let _ = postings.wait();
        }
    }
}

fn stored_error(e: IndexError) -> InputError {
    InputError::Stored(e.to_string())
}

impl FeatureStore for IndexStore {
    fn holds(&self, input: &Input) -> bool {
        match input {
            Input::Path(p) => self.stored.contains_key(&path_key(p)),
            Input::Stdin => false,
        }
    }

    fn load(
        &mut self,
        input: &Input,
        push: &mut dyn FnMut(DocInfo, Features),
    ) -> Result<(usize, u64), InputError> {
        let Input::Path(p) = input else {
            return Ok((0, 0));
        };
        let key = path_key(p);
        let Some(b) = self.stored.get(&key) else {
            return Ok((0, 0));
        };
        let ids =
            parse_ids(&b.batch, b.documents, |id| CompactString::from(id)).map_err(stored_error)?;
        let file: Arc<str> = Arc::from(key.as_str());
        let lookups = self.keys.is_some();
        let translation_lookups = self.keys.as_ref().is_some_and(|k| k.translation_keys());
        let mut ids = ids.into_iter();
        let version = features::version(&b.features).unwrap_or(0);
        // What the features leave to the postings and the run does not look up there is taken
        // from there by document.
        let tables = [
            (Table::Anchors, !lookups && features::in_postings(version)),
            (Table::Bands, !lookups && features::in_postings(version)),
            (
                Table::Keys,
                !translation_lookups && features::keys_in_postings(version),
            ),
        ];
        let by_document = match &b.postings {
            Some(postings) if tables.iter().any(|t| t.1) => {
                Some(by_document(postings, b.documents, tables).map_err(stored_error)?)
            }
            _ => None,
        };
        let mut line = 0;
        let mut push_one = |mut f: Features| {
            if let Some(tables) = &by_document {
                with_keys(&mut f, tables, line as usize);
            }
            line += 1;
            let origin = Origin {
                file: file.clone(),
                line: NonZeroU64::new(line),
            };
            let id = ids.next().unwrap_or_default();
            let info = DocInfo::new(id, origin, f.fingerprint.words, None, None);
            push(info, f);
        };
        // Band keys looked up in the postings are not read (`StoredKeys::bands`).
        let bands = !lookups;
        read_features_with(&b.features, (b.documents, bands), &mut push_one)
            .map_err(stored_error)?;
        Ok((b.documents, b.text_bytes))
    }

    fn keep(&mut self, doc: &DocInfo, features: &Features) {
        if *doc.origin.file != *self.new_batch {
            return;
        }
        if let Some(writer) = self.writer.as_mut() {
            writer.push(features);
        }
        if let Some(postings) = self.postings.as_mut() {
            let doc = self.written as u32;
            let fp = &features.fingerprint;
            let anchors = &mut self.anchors;
            anchors.clear();
            fp.shingles
                .view()
                .for_each_anchors(self.modulus, |a| anchors.extend_from_slice(a));
            for &a in anchors.iter() {
                postings.push(Table::Anchors, u64::from(a), doc, anchors.len() as u32);
            }
            for (band, &k) in fp.bands.iter().enumerate() {
                postings.push(Table::Bands, (band as u64) << 32 | u64::from(k), doc, 0);
            }
            for &k in features.keys.iter().flatten() {
                postings.push(Table::Keys, u64::from(k), doc, 0);
            }
        }
        self.written += 1;
    }

    fn kept_all(&mut self) {
        if let Some(postings) = self.postings.as_mut() {
            postings.end();
        }
    }

    fn stored_keys(&self) -> Option<&dyn StoredKeys> {
        self.keys.as_ref().map(|k| k as &dyn StoredKeys)
    }
}

/// The postings of an index's batches, looked up for a run whose first documents are the
/// batches' in order: a batch's document k is the run's document `first + k`.
struct StoredPostings {
    batches: Vec<(PostingsFile, u32)>,
    documents: usize,
    /// Whether translation keys are looked up here.
    translation: bool,
    /// The first lookup that failed (a damaged file): the run's answer is then wrong, and the
    /// caller stops it ([`StoredKeys::failure`]).
    failed: Mutex<Option<String>>,
}

impl StoredPostings {
    /// The postings of `index`'s batches, in `files`; translation keys are looked up in them when
    /// every file holds them and `keys_in_postings` (the features hold none).
    fn open(
        index: &Index,
        files: &[PathBuf],
        keys_in_postings: bool,
    ) -> Result<StoredPostings, IndexError> {
        let mut batches = Vec::with_capacity(files.len());
        let mut first = 0usize;
        for (b, path) in index.manifest().batches.iter().zip(files) {
            batches.push((PostingsFile::open(path)?, first as u32));
            first += b.documents;
        }
        let translation = keys_in_postings && batches.iter().all(|(f, _)| f.holds_keys());
        Ok(StoredPostings {
            batches,
            documents: first,
            translation,
            failed: Mutex::new(None),
        })
    }

    fn fail(&self, e: IndexError) {
        let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
        failed.get_or_insert(e.to_string());
    }

    /// Every batch's postings of `keys` (sorted, unique), as (key, run's document, value),
    /// sorted by key then document.
    fn lookup(&self, table: Table, keys: &[u64]) -> Vec<Posting> {
        let mut all = Vec::new();
        for (file, first) in &self.batches {
            match file.lookup(table, keys) {
                Ok(found) => all.extend(found.into_iter().map(|(k, d, v)| (k, first + d, v))),
                Err(e) => {
                    self.fail(e);
                    return Vec::new();
                }
            }
        }
        all.sort_unstable();
        all
    }
}

impl StoredPostings {
    /// Every batch's postings of `keys` (sorted, unique) in `table` whose document `keep` keeps,
    /// made by `make` from (key, run's document, value) as they are decoded, in vectors of a
    /// block each.
    fn kept<T: Send>(
        &self,
        table: Table,
        keys: &[u64],
        keep: &(dyn Fn(DocId) -> bool + Sync),
        make: impl Fn(u64, DocId, u32) -> T + Sync,
    ) -> Vec<Vec<T>> {
        let mut all = Vec::new();
        for (file, first) in &self.batches {
            let kept =
                |(k, d, v): Posting| keep(DocId(first + d)).then(|| make(k, DocId(first + d), v));
            match file.lookup_map(table, keys, kept) {
                Ok(blocks) => all.extend(blocks),
                Err(e) => {
                    self.fail(e);
                    return Vec::new();
                }
            }
        }
        all
    }

    /// How many stored documents that `keep` keeps have each of `keys` (sorted, unique) in
    /// `table`.
    fn count_in(
        &self,
        table: Table,
        keys: &[u64],
        keep: &(dyn Fn(DocId) -> bool + Sync),
    ) -> Vec<u32> {
        let mut counts = vec![0; keys.len()];
        for (file, first) in &self.batches {
            match file.count(table, keys, |d| keep(DocId(first + d))) {
                Ok(found) => counts.iter_mut().zip(found).for_each(|(c, n)| *c += n),
                Err(e) => self.fail(e),
            }
        }
        counts
    }

    /// The keys in `table` of each of `docs` (sorted stored documents), in their order.
    fn of_documents(&self, table: Table, docs: &[DocId]) -> Vec<Vec<u32>> {
        let mut out = vec![Vec::new(); docs.len()];
        let ends = self
            .batches
            .iter()
            .skip(1)
            .map(|b| b.1)
            .chain([self.documents as u32]);
        for ((file, first), end) in self.batches.iter().zip(ends) {
            let (from, to) = (
                docs.partition_point(|d| d.0 < *first),
                docs.partition_point(|d| d.0 < end),
            );
            if from == to {
                continue;
            }
            let mut wanted = vec![false; (end - first) as usize];
            docs[from..to]
                .iter()
                .for_each(|d| wanted[(d.0 - first) as usize] = true);
            let found = file.of_documents(table, |d| wanted.get(d as usize) == Some(&true));
            let found = match found {
                Ok(found) => found,
                Err(e) => {
                    self.fail(e);
                    return out;
                }
            };
            for run in found.chunk_by(|x, y| x.0 == y.0) {
                let d = DocId(first + run[0].0);
                if let Ok(at) = docs[from..to].binary_search(&d) {
                    out[from + at] = run.iter().map(|&(_, k)| k as u32).collect();
                }
            }
        }
        out
    }
}

/// The vectors of `blocks` in one, each given back once it is copied.
fn concat<T: Copy>(blocks: Vec<Vec<T>>) -> Vec<T> {
    let mut out = Vec::new();
    concat_into(blocks, &mut out);
    out
}

/// [`concat`] into `out` (emptied first), whose memory is used again.
fn concat_into<T: Copy>(blocks: Vec<Vec<T>>, out: &mut Vec<T>) {
    out.clear();
    out.reserve(blocks.iter().map(Vec::len).sum());
    for block in blocks {
        out.extend_from_slice(&block);
    }
}

/// Keys of 32 bits as the postings hold them.
fn wide(keys: &[u32]) -> Vec<u64> {
    keys.iter().map(|&k| u64::from(k)).collect()
}

impl StoredKeys for StoredPostings {
    fn documents(&self) -> usize {
        self.documents
    }

    fn anchors(
        &self,
        anchors: &[u32],
        keep: &(dyn Fn(DocId) -> bool + Sync),
    ) -> (Vec<(u32, DocId)>, Vec<u32>) {
        let counts: Vec<AtomicU32> = (0..self.documents).map(|_| AtomicU32::new(0)).collect();
        let blocks = self.kept(Table::Anchors, &wide(anchors), keep, |a, d, n| {
            counts[d.index()].store(n, Relaxed);
            (a as u32, d)
        });
        let mut entries = concat(blocks);
        // Each batch's blocks come in key order, each sorted, and the batches in document order:
        // sorted by anchor alone, keeping that order, the whole is sorted (one batch's already is).
        if !entries.is_sorted() {
            entries.par_sort_by_key(|&(anchor, _)| anchor);
        }
        (
            entries,
            counts.into_iter().map(AtomicU32::into_inner).collect(),
        )
    }

    fn count_anchors(&self, anchors: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
        self.count_in(Table::Anchors, &wide(anchors), keep)
    }

    fn anchors_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
        self.of_documents(Table::Anchors, docs)
    }

    fn bands(&self, keys: &[u64]) -> Vec<(u64, DocId)> {
        let found = self.lookup(Table::Bands, keys);
        found.into_iter().map(|(k, d, _)| (k, DocId(d))).collect()
    }

    fn failure(&self) -> Option<String> {
        self.failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn translation_keys(&self) -> bool {
        self.translation
    }

    fn key_parts(&self) -> Vec<u64> {
        self.batches
            .iter()
            .map(|(file, _)| file.postings_in(Table::Keys))
            .collect()
    }

    fn key_postings(
        &self,
        part: usize,
        keys: &[u32],
        keep: &(dyn Fn(DocId) -> bool + Sync),
        found: &mut Vec<(u32, DocId)>,
    ) {
        found.clear();
        let Some((file, first)) = self.batches.get(part) else {
            return;
        };
        let kept =
            |(k, d, _): Posting| keep(DocId(first + d)).then_some((k as u32, DocId(first + d)));
        match file.lookup_map(Table::Keys, &wide(keys), kept) {
            // Blocks in key order, each sorted by key then document: the whole is sorted.
            Ok(blocks) => concat_into(blocks, found),
            Err(e) => self.fail(e),
        }
    }

    fn count_keys(&self, keys: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
        self.count_in(Table::Keys, &wide(keys), keep)
    }

    fn keys_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
        self.of_documents(Table::Keys, docs)
    }
}

/// Keys by document: document d's are `values[offsets[d]..offsets[d + 1]]`.
struct ByDocument {
    offsets: Vec<usize>,
    values: Vec<u32>,
}

impl ByDocument {
    fn get(&self, d: usize) -> &[u32] {
        match (self.offsets.get(d), self.offsets.get(d + 1)) {
            (Some(&from), Some(&to)) => &self.values[from..to],
            _ => &[],
        }
    }
}

/// A batch's anchors, band keys and translation keys by document, from its postings: those of
/// the tables marked `true` (`None` for the others).
fn by_document(
    path: &Path,
    documents: usize,
    tables: [(Table, bool); 3],
) -> Result<[Option<ByDocument>; 3], IndexError> {
    let file = PostingsFile::open(path)?;
    let of = |(table, wanted): (Table, bool)| {
        if !wanted {
            return Ok(None);
        }
        let (offsets, values) = file.transpose(table, documents)?;
        Ok::<_, IndexError>(Some(ByDocument { offsets, values }))
    };
    Ok([of(tables[0])?, of(tables[1])?, of(tables[2])?])
}

/// Gives document `d` of a batch, read from features without them, its anchors, band keys and
/// translation keys, where `tables` holds them.
fn with_keys(f: &mut Features, [anchors, bands, keys]: &[Option<ByDocument>; 3], d: usize) {
    if let Some(anchors) = anchors {
        let anchors = anchors.get(d);
        let count = f.anchors_only.unwrap_or(0);
        f.fingerprint.shingles = crate::fingerprint::ShingleSet::of_sorted(anchors.to_vec());
        f.anchors_only = (count as usize > anchors.len()).then_some(count);
    }
    if let Some(bands) = bands {
        f.fingerprint.bands = bands.get(d).to_vec();
    }
    if let (Some(keys), Some(held)) = (keys, f.keys.as_mut()) {
        *held = keys.get(d).to_vec();
    }
}

/// A batch's documents' file as a run over the index names it.
fn path_key(p: &Path) -> String {
    p.display().to_string()
}
