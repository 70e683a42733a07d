//! A persistent index: every batch of documents added to it, kept so that tomorrow's scrape is
//! matched against everything seen before without the user keeping (or naming) the old corpus.
//!
//! An index is a directory:
//!
//! - `twinwire-index.json`, the manifest: the format version, the settings the index was made with
//!   (matching an `add` made with others would give pairs a single run would not), and the batches
//!   it holds. It alone says what the index holds; it is replaced, never edited: written to a
//!   temporary name, fsync'd, renamed over the old one, and the directory fsync'd. That rename is
//!   the commit point of an `add`.
//! - `batch-000001.jsonl.zst` (and `.ids`): one batch's documents as read (id after renaming,
//!   text with its title, language), zstd-compressed in frames of a few lines (four, with a
//!   dictionary, once it holds a megabyte of text: the last batch's, or for the first batch one
//!   trained on its first lines) with a table of the
//!   frames at the end ([`crate::corpus::framed`]: a few documents are read again without
//!   decoding the batch; batches written before it are one zstd stream, read whole), and their ids
//!   one JSON string a line (to rename a repeated id without reading the texts). Written once,
//!   fsync'd and renamed into place before the manifest names them. Files the manifest does not
//!   name are what a killed `add` left: the next `add` writes over them.
//! - `batch-000001.features`: what fingerprinting gave each of the batch's documents
//!   ([`features`]), so that an `add` does not read and fingerprint the indexed texts again.
//!   Written and fsync'd before the manifest names it, like the batch. A batch without one (an
//!   index written before it existed, or by a twinwire whose fingerprints differ) is read from
//!   its text.
//! - `batch-000001.postings`: the batch's documents' anchors and band keys, each with the
//!   documents that have it, sorted by key ([`postings`]): an `add` looks up its new documents'
//!   keys there instead of scanning every indexed document's. Written and named like the
//!   features; when a batch has none (an index written before they existed), an `add` scans.
//! - `lock`: locked (`flock`) by the one writer for the length of an `add`. The kernel lets go of
//!   it when the process dies, so a killed `add` leaves no stale lock. Readers (`stats`, `explain`)
//!   take no lock: they see the last committed manifest and files that never change.
//!
//! Power loss: a batch is durable before the manifest that names it is written (fsync of the files,
//! then of the directory), and the manifest is replaced by an atomic rename followed by an fsync
//! of the directory, so after a crash the manifest is either the old one or the new one, and every
//! file it names is complete.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::corpus::framed::{Framed, FramedWriter};
use crate::corpus::{hash_id, Document, IdSet};

pub mod features;
pub mod postings;
mod postings_block;
mod postings_parts;
mod postings_thread;
mod stored;

pub use stored::IndexStore;

/// The manifest's file name.
pub const MANIFEST: &str = "twinwire-index.json";
/// The format this version writes and reads. A change of layout or of what a batch file holds
/// takes a new number.
pub const FORMAT_VERSION: u32 = 1;
const FORMAT_NAME: &str = "twinwire-index";
const LOCK: &str = "lock";

/// What goes wrong with an index, each naming the file.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{0}: not a twinwire index ({MANIFEST} is missing); create one with `twinwire index create`")]
    NotAnIndex(String),
    #[error("{0}: already holds a twinwire index; add to it with `twinwire index add`")]
    Exists(String),
    #[error("{path}: damaged ({reason}); restore the index from a copy or create it again")]
    Damaged { path: String, reason: String },
    #[error("{path}: written in index format {found}, this twinwire reads format {FORMAT_VERSION}; use the twinwire that wrote it, or create the index again")]
    Version { path: String, found: u32 },
    #[error("{0}: another `twinwire index` command is adding to this index; wait for it to end")]
    Locked(String),
    #[error("{dir}: the index was made with other settings ({differences}); pass the index's (they cannot change: the pairs would not be those of one run)")]
    Settings { dir: String, differences: String },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The settings that decide which pairs are found, by option name (`--threshold` -> "0.5").
pub type Settings = BTreeMap<String, String>;

/// The manifest: what the index holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// The twinwire that last wrote it.
    pub written_by: String,
    pub settings: Settings,
    pub batches: Vec<Batch>,
}

/// One batch added.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    /// The batch's documents, in the index directory.
    pub file: String,
    pub documents: usize,
    /// Bytes of text (UTF-8) of its documents.
    pub text_bytes: u64,
    /// When it was added, seconds since 1970.
    pub added: u64,
    /// Its documents' features, in the index directory (see [`features`]); absent in an index
    /// written before they were stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<String>,
    /// Its documents' keys, each with the documents that have it (see [`postings`]); absent in
    /// an index written before they were stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postings: Option<String>,
}

/// A batch's features file, with its postings file when it has one.
pub type UsableFeatures = (PathBuf, Option<PathBuf>);

/// An index opened for reading: its directory and manifest.
#[derive(Debug, Clone)]
pub struct Index {
    dir: PathBuf,
    manifest: Manifest,
}

/// The writer's lock, held until dropped.
pub struct WriteLock {
    _file: File,
}

/// A batch written and durable, not yet named by the manifest.
pub struct PendingBatch {
    batch: Batch,
    path: PathBuf,
}

impl PendingBatch {
    /// Documents in the batch.
    pub fn documents(&self) -> usize {
        self.batch.documents
    }

    /// Names its features file, written and finished ([`features::FeatureWriter`]).
    pub fn set_features(&mut self) {
        let path = features::features_path(&self.path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        self.batch.features = Some(name.into_owned());
    }

    /// Names its postings file, written and finished ([`postings::PostingsWriter`]).
    pub fn set_postings(&mut self) {
        let path = postings::postings_path(&self.path);
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        self.batch.postings = Some(name.into_owned());
    }
}

impl Index {
    /// Makes a new, empty index in `dir` (created if missing) with these settings.
    pub fn create(dir: &Path, settings: Settings) -> Result<Index, IndexError> {
        fs::create_dir_all(dir).map_err(io_error(dir))?;
        if dir.join(MANIFEST).exists() {
            return Err(IndexError::Exists(dir.display().to_string()));
        }
        let index = Index {
            dir: dir.to_path_buf(),
            manifest: Manifest {
                format: FORMAT_NAME.into(),
                version: FORMAT_VERSION,
                written_by: written_by(),
                settings,
                batches: Vec::new(),
            },
        };
        index.write_manifest()?;
        Ok(index)
    }

    /// Removes the index in `dir` if it holds no batch (a `create` whose first batch failed), and
    /// the directory too when `created` and nothing else is in it. Best effort.
    pub fn remove_empty(dir: &Path, created: bool) {
        if Index::open(dir).is_ok_and(|i| i.manifest.batches.is_empty()) {
            let _ = fs::remove_file(dir.join(MANIFEST));
            let _ = fs::remove_file(dir.join(LOCK));
            if created {
                let _ = fs::remove_dir(dir);
            }
        }
    }

    /// Opens the index in `dir`, checking its manifest's format and version.
    pub fn open(dir: &Path) -> Result<Index, IndexError> {
        let path = dir.join(MANIFEST);
        let bytes = match fs::read(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(IndexError::NotAnIndex(dir.display().to_string()))
            }
            other => other.map_err(io_error(&path))?,
        };
        let damaged = |reason: String| IndexError::Damaged {
            path: path.display().to_string(),
            reason,
        };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| damaged(format!("not JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT_NAME) {
            return Err(damaged(format!("no \"format\": \"{FORMAT_NAME}\" field")));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) => {
                return Err(IndexError::Version {
                    path: path.display().to_string(),
                    found: v.min(u64::from(u32::MAX)) as u32,
                })
            }
            None => return Err(damaged("no version number".into())),
        }
        let manifest: Manifest =
            serde_json::from_value(value).map_err(|e| damaged(e.to_string()))?;
        let index = Index {
            dir: dir.to_path_buf(),
            manifest,
        };
        for batch in &index.manifest.batches {
            let file = index.dir.join(&batch.file);
            if !file.is_file() {
                return Err(damaged(format!("its batch {} is missing", file.display())));
            }
        }
        Ok(index)
    }

    /// Takes the writer's lock of the index in `dir`, or says another writer holds it.
    pub fn lock(dir: &Path) -> Result<WriteLock, IndexError> {
        let path = dir.join(LOCK);
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(WriteLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(IndexError::Locked(dir.display().to_string())),
            Err(fs::TryLockError::Error(e)) => Err(io_error(&path)(e)),
        }
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Documents in the index.
    pub fn documents(&self) -> usize {
        self.manifest.batches.iter().map(|b| b.documents).sum()
    }

    /// The batches' document files, in the order they were added.
    pub fn batch_paths(&self) -> Vec<PathBuf> {
        let files = self.manifest.batches.iter();
        files.map(|b| self.dir.join(&b.file)).collect()
    }

    /// Each batch's documents' file with its features file, when it has one this twinwire reads
    /// (and, for features that leave anchors and band keys to them, its postings file).
    pub fn batch_features(&self) -> Vec<(PathBuf, Option<UsableFeatures>)> {
        let batches = self.manifest.batches.iter();
        batches
            .map(|b| {
                let features = b.features.as_ref().map(|f| self.dir.join(f));
                let postings = b.postings.as_ref().map(|f| self.dir.join(f));
                let postings = postings.filter(|p| postings::readable(p));
                let usable = features.and_then(|f| {
                    let version = features::version(&f)?;
                    match features::in_postings(version) {
                        true => Some((f, Some(postings?))),
                        false => Some((f, postings)),
                    }
                });
                (self.dir.join(&b.file), usable)
            })
            .collect()
    }

    /// Each batch's postings file, when every batch has one this twinwire reads (`None` when
    /// one has not: an `add` then builds its tables by scanning).
    pub fn batch_postings(&self) -> Option<Vec<PathBuf>> {
        let batches = self.manifest.batches.iter();
        let files = batches.map(|b| b.postings.as_ref().map(|p| self.dir.join(p)));
        files.map(|p| p.filter(|p| postings::readable(p))).collect()
    }

    /// Bytes the index takes on disk (its manifest, batches, features and postings).
    pub fn size_on_disk(&self) -> Result<u64, IndexError> {
        let mut paths = vec![self.dir.join(MANIFEST)];
        for (b, p) in self.manifest.batches.iter().zip(self.batch_paths()) {
            paths.push(ids_path(&p));
            // Features gone are passed over (the batch is read from its text).
            let features = b.features.as_ref().map(|f| self.dir.join(f));
            paths.extend(features.filter(|f| f.is_file()));
            let postings = b.postings.as_ref().map(|f| self.dir.join(f));
            paths.extend(postings.filter(|f| f.is_file()));
            paths.push(p);
        }
        let mut total = 0;
        for p in paths {
            total += fs::metadata(&p).map_err(io_error(&p))?.len();
        }
        Ok(total)
    }

    /// Refuses settings other than the index's, naming each that differs.
    pub fn check_settings(&self, given: &Settings) -> Result<(), IndexError> {
        let names: std::collections::BTreeSet<&String> =
            self.manifest.settings.keys().chain(given.keys()).collect();
        let none = String::from("(not set)");
        let mut differences = Vec::new();
        for name in names {
            let index = self.manifest.settings.get(name).unwrap_or(&none);
            let given = given.get(name).unwrap_or(&none);
            if index != given {
                differences.push(format!("{name}: index {index}, this command {given}"));
            }
        }
        if differences.is_empty() {
            return Ok(());
        }
        Err(IndexError::Settings {
            dir: self.dir.display().to_string(),
            differences: differences.join("; "),
        })
    }

    /// The ids of every document in the index.
    pub fn ids(&self) -> Result<IdSet, IndexError> {
        let mut hashes = Vec::with_capacity(self.documents());
        for (batch, path) in self.manifest.batches.iter().zip(self.batch_paths()) {
            hashes.extend(parse_ids(&path, batch.documents, hash_id)?);
        }
        Ok(IdSet::of_hashes(hashes))
    }

    /// Where each of `ids` is: its batch file and line (1-based), `None` for an id not indexed.
    pub fn locate(&self, ids: &[&str]) -> Result<Vec<Option<(PathBuf, u64)>>, IndexError> {
        let mut found = vec![None; ids.len()];
        for (batch, path) in self.manifest.batches.iter().zip(self.batch_paths()) {
            let wanted = parse_ids(&path, batch.documents, |id| {
                ids.iter().position(|w| *w == id)
            })?;
            for (line, k) in wanted.into_iter().enumerate() {
                // The first place of an id repeated in the arguments: every place of it.
                for at in k
                    .into_iter()
                    .flat_map(|k| (k..ids.len()).filter(move |&at| ids[at] == ids[k]))
                {
                    if found[at].is_none() {
                        found[at] = Some((path.clone(), line as u64 + 1));
                    }
                }
            }
        }
        Ok(found)
    }

    /// A writer of the next batch, which is durable once [`BatchWriter::finish`]ed but not part
    /// of the index until [`Index::commit`] names it.
    pub fn batch_writer(&self) -> Result<BatchWriter, IndexError> {
        let file = format!("batch-{:06}.jsonl.zst", self.manifest.batches.len() + 1);
        let path = self.dir.join(&file);
        let partial = partial_path(&path);
        let out = File::create(&partial).map_err(io_error(&partial))?;
        let out = BufWriter::with_capacity(1 << 20, out);
        let texts = FramedWriter::new(out, self.last_dictionary()).map_err(io_error(&partial))?;
        Ok(BatchWriter {
            batch: Batch {
                file,
                documents: 0,
                text_bytes: 0,
                added: 0,
                features: None,
                postings: None,
            },
            path,
            partial,
            texts,
            line: Vec::new(),
            ids: Vec::new(),
            error: None,
        })
    }

    /// The dictionary of the last batch's frames, when it has one: the next batch's are compressed
    /// with it rather than with one trained on its own first lines (half a second a batch; a
    /// daily batch is text of the same kind). A batch file that cannot give it is passed over
    /// (the new batch trains its own): whatever else is wrong with it is for its readers to say.
    fn last_dictionary(&self) -> Option<Vec<u8>> {
        let last = self.manifest.batches.last()?;
        let mut file = File::open(self.dir.join(&last.file)).ok()?;
        Framed::open(&mut file).ok()??.into_dictionary()
    }

    /// Names `pending` in the manifest: from here on the index holds it.
    pub fn commit(&mut self, pending: PendingBatch) -> Result<(), IndexError> {
        self.manifest.batches.push(pending.batch);
        self.manifest.written_by = written_by();
        self.write_manifest()
    }

    fn write_manifest(&self) -> Result<(), IndexError> {
        let path = self.dir.join(MANIFEST);
        let mut bytes = serde_json::to_vec_pretty(&self.manifest).expect("a manifest serializes");
        bytes.push(b'\n');
        write_durably(&path, &bytes)?;
        sync_dir(&self.dir)
    }
}

/// Writes a batch's documents as they are read (the batch is never held in memory).
pub struct BatchWriter {
    batch: Batch,
    path: PathBuf,
    partial: PathBuf,
    texts: FramedWriter<BufWriter<File>>,
    /// One document's line, written whole into a frame.
    line: Vec<u8>,
    ids: Vec<u8>,
    /// The first write error, reported by `finish`.
    error: Option<io::Error>,
}

impl BatchWriter {
    /// The batch's file, under the name it has once finished.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one document.
    pub fn push(&mut self, d: &Document) {
        if self.error.is_some() {
            return;
        }
        let record = StoredDocument {
            id: &d.id,
            text: &d.text,
            lang: d.lang.as_deref(),
        };
        self.line.clear();
        let written = crate::output::write_json_line(&mut self.line, &record)
            .and_then(|()| self.texts.write_line(&self.line))
            .and_then(|()| crate::output::write_json_line(&mut self.ids, &d.id));
        match written {
            Ok(()) => {
                self.batch.documents += 1;
                self.batch.text_bytes += d.text.len() as u64;
            }
            Err(e) => self.error = Some(e),
        }
    }

    /// Gives the batch up (the read failed): its partial file is removed.
    pub fn abandon(self) {
        drop(self.texts);
        let _ = fs::remove_file(&self.partial);
    }

    /// Makes the batch durable under its final name (not yet in the manifest).
    pub fn finish(mut self) -> Result<PendingBatch, IndexError> {
        if let Some(e) = self.error.take() {
            return Err(io_error(&self.partial)(e));
        }
        let out = self.texts.finish().map_err(io_error(&self.partial))?;
        let file = out
            .into_inner()
            .map_err(|e| io_error(&self.partial)(e.into_error()))?;
        file.sync_all().map_err(io_error(&self.partial))?;
        fs::rename(&self.partial, &self.path).map_err(io_error(&self.path))?;
        write_durably(&ids_path(&self.path), &self.ids)?;
        let dir = self.path.parent().unwrap_or(Path::new("."));
        sync_dir(dir)?;
        self.batch.added = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Ok(PendingBatch {
            batch: self.batch,
            path: self.path,
        })
    }
}

/// One document as a batch file holds it (read back with the default field names).
#[derive(Serialize)]
struct StoredDocument<'a> {
    id: &'a str,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<&'a str>,
}

fn written_by() -> String {
    format!("twinwire {}", env!("CARGO_PKG_VERSION"))
}

/// `make(id)` for every id in the ids file of the batch at `batch`, in order, checking that it
/// holds `documents` ids. Every `add` reads every indexed id twice (for the ids taken, then for the
/// documents): the file is read whole and its lines parsed in parallel (a million ids: BENCHMARKS.md
/// section 41); an id without escapes is taken from its line as it is.
pub(crate) fn parse_ids<T: Send>(
    batch: &Path,
    documents: usize,
    make: impl Fn(&str) -> T + Sync,
) -> Result<Vec<T>, IndexError> {
    let ids_file = ids_path(batch);
    let bytes = fs::read(&ids_file).map_err(io_error(&ids_file))?;
    // Lines as `read_until` gives them: the last one may lack its newline.
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    let mut lines: Vec<&[u8]> = Vec::with_capacity(documents);
    let mut start = 0;
    for end in memchr::memchr_iter(b'\n', body) {
        lines.push(&body[start..end]);
        start = end + 1;
    }
    if !bytes.is_empty() {
        lines.push(&body[start..]);
    }
    const CHUNK: usize = 1 << 14;
    let parsed: Vec<Result<Vec<T>, IndexError>> = lines
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(chunk, lines)| {
            let mut unescaped = String::new();
            let mut out = Vec::with_capacity(lines.len());
            for (k, line) in lines.iter().enumerate() {
                let id = parse_id(line, &mut unescaped).map_err(|reason| IndexError::Damaged {
                    path: format!("{}:{}", ids_file.display(), chunk * CHUNK + k + 1),
                    reason,
                })?;
                out.push(make(id));
            }
            Ok(out)
        })
        .collect();
    let mut out = Vec::with_capacity(lines.len());
    for chunk in parsed {
        out.extend(chunk?);
    }
    if out.len() != documents {
        return Err(IndexError::Damaged {
            path: ids_file.display().to_string(),
            reason: format!("{} ids, the manifest says {documents} documents", out.len()),
        });
    }
    Ok(out)
}

/// An id as a line of an ids file holds it, a JSON string: one without escapes or control
/// characters is the text between its quotes (what a JSON parser gives); another is parsed into
/// `unescaped`.
fn parse_id<'a>(line: &'a [u8], unescaped: &'a mut String) -> Result<&'a str, String> {
    let text = std::str::from_utf8(line).map_err(|e| e.to_string())?;
    let plain = |inner: &str| !inner.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
        Some(inner) if plain(inner) => Ok(inner),
        _ => {
            *unescaped = serde_json::from_str(text).map_err(|e| e.to_string())?;
            Ok(unescaped)
        }
    }
}

/// The ids file beside a batch's documents.
fn ids_path(batch: &Path) -> PathBuf {
    beside(batch, "ids")
}

/// The file of another kind beside a batch's documents (`batch-000001.jsonl.zst` with
/// `"ids"` -> `batch-000001.ids`).
fn beside(batch: &Path, extension: &str) -> PathBuf {
    let name = batch.file_name().unwrap_or_default().to_string_lossy();
    batch.with_file_name(name.replace(".jsonl.zst", &format!(".{extension}")))
}

/// Writes `bytes` to a temporary name beside `path`, fsyncs it and renames it to `path`.
fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    let partial = partial_path(path);
    let file = File::create(&partial).map_err(io_error(&partial))?;
    let mut out = BufWriter::new(file);
    out.write_all(bytes).map_err(io_error(&partial))?;
    let file = out
        .into_inner()
        .map_err(|e| io_error(&partial)(e.into_error()))?;
    file.sync_all().map_err(io_error(&partial))?;
    fs::rename(&partial, path).map_err(io_error(path))
}

/// The temporary name a file is written under before it is renamed into place.
fn partial_path(path: &Path) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!("{name}.partial"))
}

/// Makes the directory's entries (renames) durable.
fn sync_dir(dir: &Path) -> Result<(), IndexError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_error(dir))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Origin;

    fn doc(id: &str, text: &str) -> Document {
        Document {
            id: id.into(),
            text: text.into(),
            lang: None,
            origin: Origin {
                file: std::sync::Arc::from("test"),
                line: None,
            },
            record: None,
        }
    }

    fn write_batch(index: &Index, docs: &[Document]) -> PendingBatch {
        let mut writer = index.batch_writer().unwrap();
        for d in docs {
            writer.push(d);
        }
        writer.finish().unwrap()
    }

    fn settings(threshold: &str) -> Settings {
        [("--threshold".to_string(), threshold.to_string())].into()
    }

    #[test]
    fn a_committed_batch_is_found_again_and_a_pending_one_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let mut index = Index::create(dir.path(), settings("0.5")).unwrap();
        let pending = write_batch(&index, &[doc("a", "one"), doc("b", "two")]);
        index.commit(pending).unwrap();
        let pending = write_batch(&index, &[doc("c", "three")]);
        assert!(pending.path.is_file());
        let reopened = Index::open(dir.path()).unwrap();
        assert_eq!(reopened.documents(), 2);
        let ids = reopened.ids().unwrap();
        assert!(ids.len() == 2 && ids.contains("a") && ids.contains("b") && !ids.contains("c"));
    }

    #[test]
    fn ids_read_as_a_json_parser_reads_them() {
        let mut buf = String::new();
        for line in [
            r#""plain-id_01""#,
            r#""https://example.com/a?b=c""#,
            r#""quote \" inside""#,
            r#""caf\u00e9""#,
            "\"caf\u{e9} raw\"",
            "\"with trailing cr\"\r",
            r#""""#,
        ] {
            let want: String = serde_json::from_str(line).unwrap();
            assert_eq!(
                parse_id(line.as_bytes(), &mut buf),
                Ok(want.as_str()),
                "{line}"
            );
        }
        for bad in ["", "plain", "\"tab\there\"", r#""open"#, r#""a" "b""#] {
            assert!(serde_json::from_str::<String>(bad).is_err(), "{bad}");
            assert!(parse_id(bad.as_bytes(), &mut buf).is_err(), "{bad}");
        }
        assert!(parse_id(b"\"\xff\"", &mut buf).is_err());
    }

    #[test]
    fn other_settings_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let index = Index::create(dir.path(), settings("0.5")).unwrap();
        assert!(index.check_settings(&settings("0.5")).is_ok());
        let e = index.check_settings(&settings("0.7")).unwrap_err();
        assert!(
            e.to_string()
                .contains("--threshold: index 0.5, this command 0.7"),
            "{e}"
        );
        assert!(Index::create(dir.path(), settings("0.5")).is_err());
    }

    #[test]
    fn a_damaged_or_newer_manifest_is_named() {
        let dir = tempfile::tempdir().unwrap();
        Index::create(dir.path(), settings("0.5")).unwrap();
        let path = dir.path().join(MANIFEST);
        let text = fs::read_to_string(&path).unwrap();
        fs::write(&path, &text[..text.len() / 2]).unwrap();
        let e = Index::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains(MANIFEST) && e.contains("damaged"), "{e}");
        fs::write(&path, text.replace("\"version\": 1", "\"version\": 99")).unwrap();
        let e = Index::open(dir.path()).unwrap_err().to_string();
        assert!(e.contains("format 99"), "{e}");
        let e = Index::open(&dir.path().join("nothing"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a twinwire index"), "{e}");
    }

    #[test]
    fn one_writer_at_a_time() {
        let dir = tempfile::tempdir().unwrap();
        Index::create(dir.path(), settings("0.5")).unwrap();
        let held = Index::lock(dir.path()).unwrap();
        assert!(matches!(
            Index::lock(dir.path()),
            Err(IndexError::Locked(_))
        ));
        drop(held);
        assert!(Index::lock(dir.path()).is_ok());
    }
}
