//! A batch's features on disk: what fingerprinting gave each of its documents, so that an `add`
//! takes the indexed documents from here instead of reading and fingerprinting their texts again
//! (a million documents: about 20 seconds saved on this project's machine, BENCHMARKS.md section 22).
//!
//! `batch-000001.features`, beside the batch's documents, written once:
//!
//! - a header: the magic bytes `twfeat\0\n`, the format version ([`FEATURES_VERSION`], 4 bytes,
//!   little-endian);
//! - frames of up to [`FRAME_DOCS`] documents, each `documents: u32`, `length: u32`,
//!   `check: u64` (xxh3 of the decoded bytes), then `length` bytes of zstd: frames decode in
//!   parallel, and a damaged one is named;
//! - an end frame: `documents = 0`, `length = 0`, `check` = the number of documents in the file.
//!
//! One document, decoded: words (varint), exact hash (16 bytes), SimHash (8), its number of
//! shingles (varint), language (a length byte, then the code; 0: none), whether it has
//! translation keys (a varint, 1 when it has, 0 when not). Integers are little-endian.
//!
//! Neither the shingle set, the band keys nor the translation keys are stored here: the batch's
//! postings file ([`super::postings`]) holds each document's anchors (the shingles the
//! containment index samples), band keys and translation keys by key, which is what an `add`
//! looks up; a run over the whole index (`index dedupe`) takes them from there by document
//! ([`super::postings::PostingsFile::transpose`]).
//! The few old documents that an `add` scores against new ones are read again from the batch's
//! text (framed: only their frames are decoded) and fingerprinted.
//!
//! Earlier versions are still read: version 3 held the translation keys (their count + 1, 0 for
//! none, then the first value and the gaps), version 2 also each document's anchors and band keys
//! after its count, version 1 its whole shingle set (and no count) and band keys.
//!
//! A file of another version is not read: the batch's documents are then read and fingerprinted
//! from their text, as when the index holds no features for it. [`FEATURES_VERSION`] changes
//! whenever fingerprinting gives other values (a test fails when it does and the version did not).

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::{beside, io_error, partial_path, IndexError};
use crate::fingerprint::{Fingerprint, ShingleSet, SimHash64};
use crate::pipeline::Features;

/// The version of the features' layout and of the fingerprinting that computed them.
pub const FEATURES_VERSION: u32 = 4;
/// The first version, whose files hold whole shingle sets and band keys: still read.
const WHOLE_SETS_VERSION: u32 = 1;
/// The version whose files hold each document's anchors and band keys: still read.
const ANCHORS_VERSION: u32 = 2;
/// The version whose files hold each document's translation keys: still read.
const KEYS_VERSION: u32 = 3;
const MAGIC: &[u8; 8] = b"twfeat\0\n";
/// Documents per frame.
pub const FRAME_DOCS: usize = 4096;
/// Frames decoded at a time (in parallel), to bound what loading holds: two such groups at most,
/// one being decoded while the one before is pushed.
const FRAMES_AT_ONCE: usize = 8;

/// The features file beside a batch's documents (`batch-000001.jsonl.zst` ->
/// `batch-000001.features`).
pub fn features_path(batch: &Path) -> PathBuf {
    beside(batch, "features")
}

/// Writes a batch's features as its documents are fingerprinted.
pub struct FeatureWriter {
    path: PathBuf,
    partial: PathBuf,
    out: BufWriter<File>,
    frame: Vec<u8>,
    in_frame: u32,
    documents: u64,
    /// The first write error, reported by `finish`.
    error: Option<io::Error>,
}

impl FeatureWriter {
    /// Starts the file at `path` (written under a temporary name until [`FeatureWriter::finish`]).
    pub fn create(path: PathBuf) -> Result<FeatureWriter, IndexError> {
        let partial = partial_path(&path);
        let file = File::create(&partial).map_err(io_error(&partial))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        out.write_all(MAGIC)
            .and_then(|()| out.write_all(&FEATURES_VERSION.to_le_bytes()))
            .map_err(io_error(&partial))?;
        Ok(FeatureWriter {
            path,
            partial,
            out,
            frame: Vec::new(),
            in_frame: 0,
            documents: 0,
            error: None,
        })
    }

    /// Adds the next document's features.
    pub fn push(&mut self, f: &Features) {
        encode(f, &mut self.frame);
        self.in_frame += 1;
        self.documents += 1;
        if self.in_frame as usize >= FRAME_DOCS {
            self.end_frame();
        }
    }

    fn end_frame(&mut self) {
        if self.in_frame == 0 || self.error.is_some() {
            return;
        }
        let check = xxhash_rust::xxh3::xxh3_64(&self.frame);
        let written = zstd::bulk::compress(&self.frame, 3).and_then(|packed| {
            let length = u32::try_from(packed.len()).map_err(io::Error::other)?;
            self.out.write_all(&self.in_frame.to_le_bytes())?;
            self.out.write_all(&length.to_le_bytes())?;
            self.out.write_all(&check.to_le_bytes())?;
            self.out.write_all(&packed)
        });
        if let Err(e) = written {
            self.error = Some(e);
        }
        self.frame.clear();
        self.in_frame = 0;
    }

    /// Ends the file, makes it durable and gives it its name (the manifest names it later).
    pub fn finish(mut self) -> Result<(), IndexError> {
        self.end_frame();
        if let Some(e) = self.error.take() {
            return Err(io_error(&self.partial)(e));
        }
        let mut end = [0u8; 16];
        end[8..].copy_from_slice(&self.documents.to_le_bytes());
        self.out.write_all(&end).map_err(io_error(&self.partial))?;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io_error(&self.partial)(e.into_error()))?;
        file.sync_all().map_err(io_error(&self.partial))?;
        fs::rename(&self.partial, &self.path).map_err(io_error(&self.path))
    }

    /// Gives the file up: its partial file is removed.
    pub fn abandon(self) {
        drop(self.out);
        let _ = fs::remove_file(&self.partial);
    }
}

/// Whether the file at `path` is features this twinwire reads (its version); `false` for a file
/// missing or of another version (the batch is then read from its text).
#[cfg(test)]
pub fn readable(path: &Path) -> bool {
    version(path).is_some()
}

/// The version of the features file at `path`, when this twinwire reads it.
pub fn version(path: &Path) -> Option<u32> {
    let mut header = [0u8; 12];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .ok()?;
    version_of(&header).filter(|_| header[..8] == MAGIC[..])
}

/// Whether features of `version` leave the documents' anchors and band keys to the batch's
/// postings file.
pub fn in_postings(version: u32) -> bool {
    version >= 3
}

/// Whether features of `version` leave the documents' translation keys to the batch's postings
/// file (they say only whether a document has keys).
pub fn keys_in_postings(version: u32) -> bool {
    version > KEYS_VERSION
}

/// The version of a header this twinwire reads.
fn version_of(header: &[u8; 12]) -> Option<u32> {
    let version = u32::from_le_bytes(header[8..].try_into().ok()?);
    [
        WHOLE_SETS_VERSION,
        ANCHORS_VERSION,
        KEYS_VERSION,
        FEATURES_VERSION,
    ]
    .contains(&version)
    .then_some(version)
}

/// Reads the features of the `documents` documents of the file at `path`, pushing them in order.
#[cfg(test)]
pub fn read_features(
    path: &Path,
    documents: usize,
    push: &mut dyn FnMut(Features),
) -> Result<(), IndexError> {
    read_features_with(path, (documents, true), push)
}

/// [`read_features`], leaving each document's band keys out unless `bands` (a run that looks
/// them up in the batch's postings reads nothing else of them).
pub fn read_features_with(
    path: &Path,
    (documents, bands): (usize, bool),
    push: &mut dyn FnMut(Features),
) -> Result<(), IndexError> {
    let damaged = |reason: String| IndexError::Damaged {
        path: path.display().to_string(),
        reason,
    };
    let file = File::open(path).map_err(io_error(path))?;
    let mut input = BufReader::with_capacity(1 << 20, file);
    let mut header = [0u8; 12];
    input
        .read_exact(&mut header)
        .map_err(|e| damaged(format!("no header: {e}")))?;
    let version = version_of(&header).filter(|_| header[..8] == MAGIC[..]);
    let Some(version) = version else {
        return Err(damaged("not a features file of this version".into()));
    };
    let mut read = 0usize;
    let mut frame_no = 0usize;
    // The frames of one group are decoded (in parallel, from another thread) while those of the
    // group before are pushed: pushing copies each document into the run's tables, on this
    // thread, and would otherwise leave the other cores idle.
    let mut before: Vec<Result<Vec<Features>, String>> = Vec::new();
    loop {
        let (frames, ended) = next_frames(&mut input, &mut frame_no).map_err(damaged)?;
        let (decoded, pushed) = std::thread::scope(|scope| {
            let decoding = scope.spawn(|| {
                let decoded: Vec<Result<Vec<Features>, String>> = frames
                    .par_iter()
                    .map(|f| f.decode(version, bands))
                    .collect();
                decoded
            });
            let pushed = push_frames(std::mem::take(&mut before), &mut read, push);
            let decoded = decoding
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (decoded, pushed)
        });
        pushed.map_err(damaged)?;
        before = decoded;
        if let Some(total) = ended {
            push_frames(before, &mut read, push).map_err(damaged)?;
            if total != read as u64 || read != documents {
                let reason =
                    format!("{read} documents, its end says {total}, the manifest {documents}");
                return Err(damaged(reason));
            }
            return Ok(());
        }
    }
}

/// The next [`FRAMES_AT_ONCE`] frames, or fewer and the end frame's number of documents.
fn next_frames(
    input: &mut impl Read,
    frame_no: &mut usize,
) -> Result<(Vec<PackedFrame>, Option<u64>), String> {
    let mut frames = Vec::with_capacity(FRAMES_AT_ONCE);
    while frames.len() < FRAMES_AT_ONCE {
        match next_frame(input, *frame_no)? {
            Frame::Packed(f) => frames.push(f),
            Frame::End(total) => return Ok((frames, Some(total))),
        }
        *frame_no += 1;
    }
    Ok((frames, None))
}

/// Pushes the documents of decoded frames in order, counting them in `read`; the first frame
/// that failed to decode is the error.
fn push_frames(
    frames: Vec<Result<Vec<Features>, String>>,
    read: &mut usize,
    push: &mut dyn FnMut(Features),
) -> Result<(), String> {
    for frame in frames {
        for f in frame? {
            *read += 1;
            push(f);
        }
    }
    Ok(())
}

/// A frame as read, before decoding.
struct PackedFrame {
    number: usize,
    documents: u32,
    check: u64,
    bytes: Vec<u8>,
}

enum Frame {
    Packed(PackedFrame),
    /// The end frame, with the file's number of documents.
    End(u64),
}

fn next_frame(input: &mut impl Read, number: usize) -> Result<Frame, String> {
    let mut head = [0u8; 16];
    input
        .read_exact(&mut head)
        .map_err(|e| format!("frame {number}: cut short ({e})"))?;
    let documents = u32::from_le_bytes(head[0..4].try_into().unwrap_or_default());
    let length = u32::from_le_bytes(head[4..8].try_into().unwrap_or_default());
    let check = u64::from_le_bytes(head[8..16].try_into().unwrap_or_default());
    if documents == 0 {
        return Ok(Frame::End(check));
    }
    if documents as usize > FRAME_DOCS {
        return Err(format!(
            "frame {number}: {documents} documents, at most {FRAME_DOCS}"
        ));
    }
    let mut bytes = Vec::new();
    let got = input
        .take(u64::from(length))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("frame {number}: {e}"))?;
    if got != length as usize {
        return Err(format!("frame {number}: cut short"));
    }
    Ok(Frame::Packed(PackedFrame {
        number,
        documents,
        check,
        bytes,
    }))
}

/// A frame decoded larger than this is damaged (a frame of 4,096 long articles is far less).
const MAX_FRAME_BYTES: usize = 1 << 31;

impl PackedFrame {
    fn decode(&self, version: u32, bands: bool) -> Result<Vec<Features>, String> {
        let number = self.number;
        // The frame says its decoded size (the writer's `bulk::compress` records it): the buffer
        // is that, not the bound (eight frames decode at once).
        let size = zstd::zstd_safe::get_frame_content_size(&self.bytes)
            .ok()
            .flatten()
            .filter(|&n| n <= MAX_FRAME_BYTES as u64)
            .ok_or_else(|| format!("frame {number}: no valid decoded size"))?;
        let plain = zstd::bulk::decompress(&self.bytes, size as usize)
            .map_err(|e| format!("frame {number}: {e}"))?;
        if xxhash_rust::xxh3::xxh3_64(&plain) != self.check {
            return Err(format!("frame {number}: its checksum does not match"));
        }
        let mut at = Cursor {
            bytes: &plain,
            at: 0,
        };
        let mut out = Vec::with_capacity(self.documents as usize);
        for k in 0..self.documents {
            let f = decode(&mut at, version, bands)
                .ok_or_else(|| format!("frame {number}: document {k} cut short"))?;
            out.push(f);
        }
        if at.at != plain.len() {
            return Err(format!("frame {number}: bytes after its last document"));
        }
        Ok(out)
    }
}

/// Writes a document's features.
fn encode(f: &Features, out: &mut Vec<u8>) {
    let fp = &f.fingerprint;
    put_varint(out, u64::from(fp.words));
    out.extend_from_slice(&fp.exact.to_le_bytes());
    out.extend_from_slice(&fp.simhash.0.to_le_bytes());
    let count = f.anchors_only.unwrap_or(fp.shingles.len() as u32);
    put_varint(out, u64::from(count));
    let lang = f.lang.as_deref().unwrap_or("").as_bytes();
    let lang = &lang[..lang.len().min(255)];
    out.push(lang.len() as u8);
    out.extend_from_slice(lang);
    put_varint(out, u64::from(f.keys.is_some()));
}

/// One document's features as written in `version`. From version 3 on, the document is held by
/// no shingle (its anchors and band keys are in the postings): `anchors_only` is its count. From
/// version 4 on, a document with translation keys has an empty list of them (they are in the
/// postings).
fn decode(at: &mut Cursor<'_>, version: u32, with_bands: bool) -> Option<Features> {
    let words = u32::try_from(at.varint()?).ok()?;
    let exact = u128::from_le_bytes(at.take(16)?.try_into().ok()?);
    let simhash = SimHash64(u64::from_le_bytes(at.take(8)?.try_into().ok()?));
    let count = match version {
        WHOLE_SETS_VERSION => None,
        _ => Some(u32::try_from(at.varint()?).ok()?),
    };
    let (shingles, bands) = match version {
        WHOLE_SETS_VERSION | ANCHORS_VERSION => {
            let n = at.count()?;
            let shingles = ShingleSet::of_sorted(at.gaps(n)?);
            let n = at.count()?;
            let packed = at.take(n.checked_mul(4)?)?.chunks_exact(4);
            let bands = match with_bands {
                true => packed
                    .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    .collect(),
                false => Vec::new(),
            };
            (shingles, bands)
        }
        _ => (ShingleSet::of_sorted(Vec::new()), Vec::new()),
    };
    // Anchors are a subset: more of them than the count is damage.
    let anchors_only = match count {
        Some(c) if (c as usize) < shingles.len() => return None,
        Some(c) if c as usize > shingles.len() => Some(c),
        _ => None,
    };
    let len = *at.take(1)?.first()? as usize;
    let lang = std::str::from_utf8(at.take(len)?).ok()?;
    let lang = (!lang.is_empty()).then(|| lang.to_string());
    let keys = match (at.count_plus_one()?, keys_in_postings(version)) {
        (0, _) => None,
        (1, true) => Some(Vec::new()),
        (_, true) => return None,
        (n, false) => Some(at.gaps(n - 1)?),
    };
    Some(Features {
        fingerprint: Fingerprint {
            words,
            exact,
            shingles,
            simhash,
            bands,
        },
        lang,
        keys,
        pivot: None,
        anchors_only,
    })
}

/// Writes sorted, unique values: their count, the first, then the gaps.
#[cfg(test)]
fn put_sorted(out: &mut Vec<u8>, values: &[u32]) {
    put_varint(out, values.len() as u64);
    put_gaps(out, values);
}

#[cfg(test)]
fn put_gaps(out: &mut Vec<u8>, values: &[u32]) {
    let mut last = 0u32;
    for (k, &v) in values.iter().enumerate() {
        let gap = if k == 0 { v } else { v.wrapping_sub(last) };
        put_varint(out, u64::from(gap));
        last = v;
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Decoding position in a frame's bytes; every read is checked (`None`: cut short or invalid).
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n)?;
        let out = self.bytes.get(self.at..end)?;
        self.at = end;
        Some(out)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(v);
            }
        }
        None
    }

    /// A count of items that each take at least one byte (larger than what is left: damaged).
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= self.bytes.len() - self.at).then_some(n)
    }

    /// A count written as count + 1 (0 meaning none), of items that each take at least one byte.
    fn count_plus_one(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n.saturating_sub(1) <= self.bytes.len() - self.at).then_some(n)
    }

    /// `n` values written by [`put_gaps`], checked sorted and unique.
    fn gaps(&mut self, n: usize) -> Option<Vec<u32>> {
        let mut values = Vec::with_capacity(n);
        let mut last = 0u32;
        for k in 0..n {
            let gap = u32::try_from(self.varint()?).ok()?;
            let v = if k == 0 {
                gap
            } else {
                (gap > 0).then_some(())?;
                last.checked_add(gap)?
            };
            values.push(v);
            last = v;
        }
        Some(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::crosslingual::pivot::Pivoter;
    use crate::text::TokenList;

    /// The features of a text as a run computes them with translations asked for.
    fn features_of(text: &str, pivoter: &Pivoter) -> Features {
        let config = Config::default();
        let tokens = TokenList::of(text);
        let (lang, keys) = crate::pipeline::language_and_keys(text, &tokens, None, pivoter);
        Features {
            fingerprint: Fingerprint::of_tokens(&tokens, &config),
            lang,
            keys,
            pivot: None,
            anchors_only: None,
        }
    }

    const MODULUS: u32 = 4;

    /// What reading back features gives: no shingle, no band key and no translation key (the
    /// postings hold them), and the count.
    fn as_stored(f: &Features) -> Features {
        let mut stored = as_stored_in_version_three(f);
        stored.keys = f.keys.as_ref().map(|_| Vec::new());
        stored
    }

    /// What reading back a version 3 file gives: no shingle and no band key, and the count.
    fn as_stored_in_version_three(f: &Features) -> Features {
        let count = f.fingerprint.shingles.len();
        let mut stored = f.clone();
        stored.anchors_only = (count > 0).then_some(count as u32);
        stored.fingerprint.shingles = ShingleSet::of_sorted(Vec::new());
        stored.fingerprint.bands = Vec::new();
        stored
    }

    /// What reading back a version 2 file gives: the anchors, the band keys and the count.
    fn as_stored_in_version_two(f: &Features) -> Features {
        let anchors: Vec<u32> = f.fingerprint.shingles.anchors(MODULUS).collect();
        let count = f.fingerprint.shingles.len();
        let mut stored = f.clone();
        stored.anchors_only = (anchors.len() < count).then_some(count as u32);
        stored.fingerprint.shingles = ShingleSet::of_sorted(anchors);
        stored
    }

    fn sample() -> Vec<Features> {
        let mut texts = vec![
            String::new(),
            "Bamako, le 17 septembre 2024 (AFP) - Des jihadistes ont attaqué l'école de \
             gendarmerie et l'aéroport militaire de Bamako mardi matin."
                .to_string(),
            "Jihadists attacked a gendarmerie school and a military airport in Bamako on \
             Tuesday morning, the army said."
                .to_string(),
            "word ".repeat(3),
        ];
        texts.extend((0..5000).map(|k| format!("article {k} about the {} market", k % 97)));
        let pivoter = Pivoter::new(vec![crate::crosslingual::lexicon::Lexicon::bundled_fr_en()]);
        texts.iter().map(|t| features_of(t, &pivoter)).collect()
    }

    fn write(path: &Path, all: &[Features]) {
        let mut writer = FeatureWriter::create(path.to_path_buf()).unwrap();
        for f in all {
            writer.push(f);
        }
        writer.finish().unwrap();
    }

    #[test]
    fn features_read_back_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch-000001.features");
        let all = sample();
        assert!(
            all[1].keys.is_some() && all[0].keys.is_none(),
            "{:?}",
            all[1]
        );
        write(&path, &all);
        assert!(readable(&path));
        let mut back = Vec::new();
        read_features(&path, all.len(), &mut |f| back.push(f)).unwrap();
        let stored: Vec<Features> = all.iter().map(as_stored).collect();
        assert_eq!(back, stored);
        assert!(stored.iter().any(|f| f.anchors_only.is_some()));
        // Written again from what was read, the same features.
        let again = dir.path().join("batch-000002.features");
        write(&again, &back);
        assert_eq!(fs::read(&again).unwrap(), fs::read(&path).unwrap());
        // Two frames and some: decoded in parallel, pushed in order.
        assert!(all.len() > FRAME_DOCS);
    }

    #[test]
    fn features_of_many_groups_of_frames_read_back_as_written() {
        // More frames than are decoded at once: a group is decoded while the one before is
        // pushed, and a damaged frame of a later group is still named.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch-000001.features");
        let sample = sample();
        let n = FRAME_DOCS * (2 * FRAMES_AT_ONCE + 1) + 7;
        let all: Vec<Features> = sample.iter().cycle().take(n).cloned().collect();
        write(&path, &all);
        let mut back = Vec::new();
        read_features(&path, all.len(), &mut |f| back.push(f)).unwrap();
        let stored: Vec<Features> = all.iter().map(as_stored).collect();
        assert!(
            back == stored,
            "{} documents read back, {} written",
            back.len(),
            all.len()
        );
        let mut flipped = fs::read(&path).unwrap();
        let at = flipped.len() - flipped.len() / (4 * FRAMES_AT_ONCE);
        flipped[at] ^= 0x55;
        fs::write(&path, &flipped).unwrap();
        let err = read_features(&path, all.len(), &mut |_| {}).unwrap_err();
        assert!(err.to_string().contains("batch-000001.features"), "{err}");
    }

    #[test]
    fn damaged_features_are_named_never_misread() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch-000001.features");
        let all = sample();
        write(&path, &all);
        let bytes = fs::read(&path).unwrap();
        let read = |bytes: &[u8], documents: usize| {
            fs::write(&path, bytes).unwrap();
            let err = read_features(&path, documents, &mut |_| {}).unwrap_err();
            let message = err.to_string();
            assert!(message.contains("batch-000001.features"), "{message}");
            message
        };
        assert!(read(&bytes, all.len() + 1).contains("the manifest"));
        assert!(read(&bytes[..bytes.len() / 2], all.len()).contains("cut short"));
        for at in [40, bytes.len() / 3, bytes.len() - 20] {
            let mut flipped = bytes.clone();
            flipped[at] ^= 0x55;
            read(&flipped, all.len());
        }
        let mut other = bytes.clone();
        other[8] = other[8].wrapping_add(1);
        read(&other, all.len());
        fs::write(&path, &other).unwrap();
        assert!(!readable(&path), "another version is not read");
    }

    /// A document ending a frame whose translation keys take exactly the bytes left (none, or
    /// each within one byte) is valid.
    #[test]
    fn keys_filling_the_rest_of_a_frame_are_read() {
        let pivoter = Pivoter::new(vec![crate::crosslingual::lexicon::Lexicon::bundled_fr_en()]);
        let mut f = features_of(
            "Jihadists attacked a school in Bamako on Tuesday.",
            &pivoter,
        );
        for keys in [vec![], vec![5], vec![5, 6, 90]] {
            f.keys = Some(keys);
            let mut bytes = Vec::new();
            encode_earlier(KEYS_VERSION, &f, &mut bytes);
            let back = decode(
                &mut Cursor {
                    bytes: &bytes,
                    at: 0,
                },
                KEYS_VERSION,
                true,
            );
            assert_eq!(back, Some(as_stored_in_version_three(&f)));
            bytes.clear();
            encode(&f, &mut bytes);
            let back = decode(
                &mut Cursor {
                    bytes: &bytes,
                    at: 0,
                },
                FEATURES_VERSION,
                true,
            );
            assert_eq!(back, Some(as_stored(&f)));
        }
    }

    /// Stored features are reused by later runs only while fingerprinting gives the same values:
    /// when this fails, fingerprinting changed, and [`FEATURES_VERSION`] must change with it
    /// (then write the new value here).
    #[test]
    fn fingerprints_unchanged_since_this_features_version() {
        let mut bytes = Vec::new();
        for f in sample() {
            encode(&f, &mut bytes);
            // What the postings hold of it.
            let anchors = f.fingerprint.shingles.anchors(MODULUS);
            bytes.extend(anchors.flat_map(|a| a.to_le_bytes()));
            bytes.extend(f.fingerprint.bands.iter().flat_map(|b| b.to_le_bytes()));
            bytes.extend(f.keys.iter().flatten().flat_map(|k| k.to_le_bytes()));
        }
        let seen = (FEATURES_VERSION, xxhash_rust::xxh3::xxh3_64(&bytes));
        assert_eq!(
            seen,
            (4, 11875483188408656357),
            "fingerprints changed: raise FEATURES_VERSION"
        );
    }

    /// One document as a file of an earlier `version` holds it.
    fn encode_earlier(version: u32, f: &Features, plain: &mut Vec<u8>) {
        let fp = &f.fingerprint;
        put_varint(plain, u64::from(fp.words));
        plain.extend_from_slice(&fp.exact.to_le_bytes());
        plain.extend_from_slice(&fp.simhash.0.to_le_bytes());
        match version {
            WHOLE_SETS_VERSION => put_sorted(plain, fp.shingles.as_slice()),
            ANCHORS_VERSION => {
                put_varint(plain, fp.shingles.len() as u64);
                put_sorted(plain, &fp.shingles.anchors(MODULUS).collect::<Vec<u32>>());
            }
            _ => put_varint(plain, fp.shingles.len() as u64),
        }
        if version < KEYS_VERSION {
            put_varint(plain, fp.bands.len() as u64);
            fp.bands
                .iter()
                .for_each(|b| plain.extend_from_slice(&b.to_le_bytes()));
        }
        let lang = f.lang.as_deref().unwrap_or("").as_bytes();
        plain.push(lang.len() as u8);
        plain.extend_from_slice(lang);
        match &f.keys {
            None => put_varint(plain, 0),
            Some(keys) => {
                put_varint(plain, keys.len() as u64 + 1);
                put_gaps(plain, keys);
            }
        }
    }

    /// A file of an earlier `version` holding the first [`FRAME_DOCS`] of `all`, in one frame.
    fn earlier_file(version: u32, all: &[Features]) -> Vec<u8> {
        let mut plain = Vec::new();
        for f in &all[..FRAME_DOCS] {
            encode_earlier(version, f, &mut plain);
        }
        let packed = zstd::bulk::compress(&plain, 3).unwrap();
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&version.to_le_bytes());
        file.extend_from_slice(&(FRAME_DOCS as u32).to_le_bytes());
        file.extend_from_slice(&(packed.len() as u32).to_le_bytes());
        file.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&plain).to_le_bytes());
        file.extend_from_slice(&packed);
        file.extend_from_slice(&[0u8; 8]);
        file.extend_from_slice(&(FRAME_DOCS as u64).to_le_bytes());
        file
    }

    /// Files of versions 1 (whole shingle sets), 2 (anchors and band keys) and 3 (translation
    /// keys), as indexes written before version 4 hold, are still read, with what they hold.
    #[test]
    fn files_of_earlier_versions_are_read() {
        let all = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch-000001.features");
        for version in [WHOLE_SETS_VERSION, ANCHORS_VERSION, KEYS_VERSION] {
            fs::write(&path, earlier_file(version, &all)).unwrap();
            assert!(readable(&path) && in_postings(version) == (version == KEYS_VERSION));
            assert!(!keys_in_postings(version));
            let mut back = Vec::new();
            read_features(&path, FRAME_DOCS, &mut |f| back.push(f)).unwrap();
            let expected: Vec<Features> = match version {
                WHOLE_SETS_VERSION => all[..FRAME_DOCS].to_vec(),
                ANCHORS_VERSION => all[..FRAME_DOCS]
                    .iter()
                    .map(as_stored_in_version_two)
                    .collect(),
                _ => all[..FRAME_DOCS]
                    .iter()
                    .map(as_stored_in_version_three)
                    .collect(),
            };
            assert!(back == expected, "version {version} read back");
            let bands = back.iter().any(|f| !f.fingerprint.bands.is_empty());
            assert_eq!(bands, version != KEYS_VERSION);
            assert!(back
                .iter()
                .any(|f| f.keys.as_ref().is_some_and(|k| !k.is_empty())));
        }
    }
}
