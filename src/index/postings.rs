//! A batch's posting tables: for each key of its documents, which documents have it, sorted by
//! key, so that an `add` looks up the keys of its new documents instead of reading every indexed
//! document's keys and building the tables over them all.
//!
//! `batch-000001.postings`, beside the batch's documents, written once (fsync'd and renamed into
//! place before the manifest names it, like the batch's other files):
//!
//! - a header: the magic bytes `twpost\0\n`, the format version ([`POSTINGS_VERSION`], 4 bytes);
//!   its tables ([`Table`]) are the containment anchors, the MinHash band keys and (from version
//!   2) the translation candidate keys;
//! - blocks of up to [`BLOCK_ENTRIES`] postings `(key, document)`, sorted by table, then key, then
//!   document, bit-packed ([`super::postings_block`]): from version 3 in runs (a bit a posting,
//!   then per key its gap from the key before and its first document, then the gaps between the
//!   documents of a key), before it as three fields a posting (key gap, document, value) at the
//!   block's widths. Not compressed further: keys are hashes, and a block decodes with shifts and
//!   masks (varints compressed with zstd took 3% more bytes than fixed fields and 1.4 times as
//!   long to look up, on 990k documents: BENCHMARKS.md section 27; runs took 35% fewer bytes than
//!   fixed fields, section 40);
//! - from version 3, the values: a posting's value is its document's (an anchor's is the
//!   document's number of anchors), so each table's values are kept once per document, packed
//!   at the width of the largest, with an xxh3 ([`values_section`]);
//! - the block table: per block its table, first and last key, offset, length, number of postings
//!   and an xxh3 of its decoded bytes;
//! - a footer of 32 bytes: the block table's offset, its number of blocks, its xxh3, the magic.
//!
//! A lookup reads the block table (a few bytes per two thousand postings), then decodes only the
//! blocks whose key range holds a key looked up, in parallel. Keys are hashes: the ten thousand
//! documents of a daily batch look up about a million keys, so against a large batch most blocks
//! are still decoded; what a lookup saves is building tables over every document (and holding
//! them), not reading bytes.
//!
//! The writer holds the postings of a batch per table as they come, and once [`SPILL_POSTINGS`]
//! are held puts them in 64 parts by key (the top bits) and sends each part to unnamed
//! temporary files, most postings in 8 bytes ([`super::postings_parts`]): a batch of a million
//! documents (170 million postings) is then sorted one part at a time, a few parts at once on the
//! thread pool, each by a radix sort over its keys (the postings come in document order, so a
//! stable sort by key is the whole order: BENCHMARKS.md section 36).

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::postings_block::{pack_runs, Decoder, Layout, PADDING};
use super::postings_parts::{spill_table, Part, PartBuffers, PartFiles};
use super::{beside, io_error, partial_path, IndexError};

/// The version of the layout; another version is not read (the tables are then built by scanning,
/// as for a batch without postings). Version 2 added the translation keys' table; version 3 put
/// the postings in runs by key and the values by document ([`super::postings_block`]).
pub const POSTINGS_VERSION: u32 = 3;
/// The first version, without the translation keys' table: still read.
const WITHOUT_KEYS_VERSION: u32 = 1;
/// The first version whose blocks are in runs, with the values by document.
const RUNS_VERSION: u32 = 3;
const MAGIC: &[u8; 8] = b"twpost\0\n";
/// Postings per block.
pub const BLOCK_ENTRIES: usize = 2048;
/// Postings the writer holds in memory before sending them to its temporary files (64 MiB).
pub const SPILL_POSTINGS: usize = 1 << 22;
/// Parts per table, by the key's top bits.
const PARTS: usize = 64;
const FOOTER: u64 = 32;
/// Bytes of one row of the block table.
const ROW: usize = 1 + 8 + 8 + 8 + 4 + 4 + 8;

/// The tables a postings file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Containment anchors (`--anchor-modulus`); the value is the document's number of anchors.
    Anchors,
    /// MinHash band keys, `band << 32 | key`; the value is 0.
    Bands,
    /// Translation candidate keys (from version 2); the value is 0.
    Keys,
}

impl Table {
    /// Every table, in the order of their codes.
    pub(super) const ALL: [Table; 3] = [Table::Anchors, Table::Bands, Table::Keys];

    pub(super) fn code(self) -> u8 {
        match self {
            Table::Anchors => 0,
            Table::Bands => 1,
            Table::Keys => 2,
        }
    }

    /// The part of a key: increasing with the key, so that parts in order are keys in order.
    pub(super) fn part(self, key: u64) -> usize {
        match self {
            Table::Anchors | Table::Keys => (key >> 26).min(PARTS as u64 - 1) as usize,
            Table::Bands => (key >> 32).min(PARTS as u64 - 1) as usize,
        }
    }
}

/// One posting: key, the document's place in its batch (0-based), value.
pub type Posting = (u64, u32, u32);

/// The postings file beside a batch's documents.
pub fn postings_path(batch: &Path) -> PathBuf {
    beside(batch, "postings")
}

/// Writes a batch's postings as its documents are fingerprinted.
pub struct PostingsWriter {
    path: PathBuf,
    /// Where the temporary files go (the index directory).
    dir: PathBuf,
    /// Per table, the postings held, as pushed (put in parts when they are spilled or written:
    /// one vector a table is pushed to faster than 192 are).
    held: Vec<Vec<Posting>>,
    /// Per table and part, its temporary files, once some were sent there.
    spilled: Vec<PartFiles>,
    /// Per table, each document's value (0 for a document without one).
    values: Vec<Vec<u32>>,
    held_count: usize,
    spill_at: usize,
    /// The version written: [`POSTINGS_VERSION`] (the tests write earlier ones too).
    version: u32,
    /// The first write error, reported by `finish`.
    error: Option<io::Error>,
}

/// How a block's postings are packed.
type Packer = fn(&[Posting]) -> io::Result<Vec<u8>>;

impl PostingsWriter {
    /// A writer of the file at `path` (written under a temporary name by [`PostingsWriter::finish`]).
    pub fn create(path: PathBuf) -> PostingsWriter {
        PostingsWriter::spilling_at(path, SPILL_POSTINGS)
    }

    fn spilling_at(path: PathBuf, spill_at: usize) -> PostingsWriter {
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        let parts = Table::ALL.len() * PARTS;
        PostingsWriter {
            path,
            dir,
            held: vec![Vec::new(); Table::ALL.len()],
            spilled: (0..parts).map(|_| PartFiles::default()).collect(),
            values: vec![Vec::new(); Table::ALL.len()],
            held_count: 0,
            spill_at,
            version: POSTINGS_VERSION,
            error: None,
        }
    }

    /// Adds one posting (the tests'; a batch's come in chunks, [`PostingsWriter::extend`]).
    #[cfg(test)]
    pub fn push(&mut self, table: Table, key: u64, doc: u32, value: u32) {
        self.keep_values(table, &[(key, doc, value)]);
        self.held[table.code() as usize].push((key, doc, value));
        self.held_count += 1;
        if self.held_count >= self.spill_at {
            self.spill();
        }
    }

    /// Adds postings of one table, in order.
    pub fn extend(&mut self, table: Table, postings: &[Posting]) {
        self.keep_values(table, postings);
        self.held[table.code() as usize].extend_from_slice(postings);
        self.held_count += postings.len();
        if self.held_count >= self.spill_at {
            self.spill();
        }
    }

    /// Keeps the values of the postings' documents: a value is its document's, the same in
    /// every posting of the table (an error, reported by `finish`, when it is not).
    fn keep_values(&mut self, table: Table, postings: &[Posting]) {
        let values = &mut self.values[table.code() as usize];
        for &(_, doc, value) in postings.iter().filter(|p| p.2 != 0) {
            let d = doc as usize;
            if d >= values.len() {
                values.resize(d + 1, 0);
            }
            if values[d] != 0 && values[d] != value {
                let e = format!(
                    "document {doc} has two values ({} and {value}) in one table",
                    values[d]
                );
                self.error.get_or_insert(io::Error::other(e));
            }
            values[d] = value;
        }
    }

    /// The postings held of `table`, by part, each in the order pushed; none are held after.
    fn take_parts(&mut self, table: Table) -> Vec<Vec<Posting>> {
        // Taken, not cleared: the vector's room goes with it (what a run holds after its last
        // spill is what it pushed since).
        let held = std::mem::take(&mut self.held[table.code() as usize]);
        let mut sizes = [0usize; PARTS];
        held.iter().for_each(|p| sizes[table.part(p.0)] += 1);
        let mut parts: Vec<Vec<Posting>> = sizes.iter().map(|&n| Vec::with_capacity(n)).collect();
        held.iter().for_each(|&p| parts[table.part(p.0)].push(p));
        parts
    }

    /// Sends every posting held to its part's temporary file. Each posting is written where its
    /// part goes, in one pass over a table, and the tables' vectors keep their room for the
    /// postings that come next (grown again from nothing at each spill, they cost a copy and page
    /// faults a posting: BENCHMARKS.md section 38).
    fn spill(&mut self) {
        self.held_count = 0;
        for table in Table::ALL {
            let held = &mut self.held[table.code() as usize];
            let files = &mut self.spilled[table.code() as usize * PARTS..][..PARTS];
            let values = &self.values[table.code() as usize];
            if self.error.is_none() {
                if let Err(e) = spill_table(table, held, files, values, &self.dir) {
                    self.error = Some(e);
                }
            }
            held.clear();
        }
    }

    /// Writes the file, makes it durable and gives it its name (the manifest names it later).
    pub fn finish(mut self) -> Result<(), IndexError> {
        let partial = partial_path(&self.path);
        if let Some(e) = self.error.take() {
            return Err(io_error(&partial)(e));
        }
        let file = File::create(&partial).map_err(io_error(&partial))?;
        let mut out = Blocks {
            out: BufWriter::with_capacity(1 << 20, file),
            offset: 0,
            rows: Vec::new(),
        };
        out.write(MAGIC).map_err(io_error(&partial))?;
        out.write(&self.version.to_le_bytes())
            .map_err(io_error(&partial))?;
        let pack: Packer = match self.version {
            #[cfg(test)]
            v if v < RUNS_VERSION => super::postings_block::pack_fixed,
            _ => pack_runs,
        };
        let parts: Vec<Vec<Posting>> = Table::ALL
            .into_iter()
            .flat_map(|t| self.take_parts(t))
            .collect();
        let spilled = std::mem::take(&mut self.spilled);
        let mut slots = parts.into_iter().zip(spilled).enumerate();
        let values = &self.values;
        let mut buffers: Vec<PartBuffers> =
            (0..PARTS_AT_ONCE).map(|_| PartBuffers::default()).collect();
        // A few parts at a time, each read back, sorted and packed on a thread of its own (with
        // buffers used again from group to group), then written in order: the file is the same
        // whatever the threads.
        loop {
            let group: Vec<_> = slots.by_ref().take(PARTS_AT_ONCE).collect();
            if group.is_empty() {
                break;
            }
            let packed: Vec<io::Result<Vec<PackedBlock>>> = group
                .into_par_iter()
                .zip(buffers.par_iter_mut())
                .map(|((slot, (held, files)), buffers)| {
                    let part = Part {
                        table: Table::ALL[slot / PARTS],
                        part: slot % PARTS,
                        values: &values[slot / PARTS],
                    };
                    packed_part(part, (held, files), buffers, pack)
                })
                .collect();
            for blocks in packed {
                for block in blocks.map_err(io_error(&partial))? {
                    out.block(&block).map_err(io_error(&partial))?;
                }
            }
        }
        if self.version >= RUNS_VERSION {
            out.write(&values_section(&self.values))
                .map_err(io_error(&partial))?;
        }
        out.end().map_err(io_error(&partial))?;
        let file = out
            .out
            .into_inner()
            .map_err(|e| io_error(&partial)(e.into_error()))?;
        file.sync_all().map_err(io_error(&partial))?;
        fs::rename(&partial, &self.path).map_err(io_error(&self.path))
    }
}

/// Parts read back, sorted and packed at once by [`PostingsWriter::finish`].
const PARTS_AT_ONCE: usize = 4;

/// A block packed, with its row (but its offset).
struct PackedBlock {
    row: Row,
    bytes: Vec<u8>,
}

/// The blocks of one part of a writer: its postings sent to `files`, then those `held`, sorted
/// in `buffers`.
fn packed_part(
    part: Part<'_>,
    (held, files): (Vec<Posting>, PartFiles),
    buffers: &mut PartBuffers,
    pack: Packer,
) -> io::Result<Vec<PackedBlock>> {
    let sorted = part.sorted(files, held, buffers)?;
    let table = part.table.code();
    let block = |postings: &[Posting]| -> io::Result<PackedBlock> {
        let bytes = pack(postings)?;
        let row = Row {
            table,
            first: postings[0].0,
            last: postings[postings.len() - 1].0,
            offset: 0,
            length: u32::try_from(bytes.len()).map_err(io::Error::other)?,
            entries: postings.len() as u32,
            check: xxhash_rust::xxh3::xxh3_64(&bytes),
        };
        Ok(PackedBlock { row, bytes })
    };
    let mut blocks = Vec::new();
    let mut chunk = Vec::with_capacity(BLOCK_ENTRIES);
    for p in sorted.postings(part) {
        chunk.push(p);
        if chunk.len() == BLOCK_ENTRIES {
            blocks.push(block(&chunk)?);
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        blocks.push(block(&chunk)?);
    }
    Ok(blocks)
}

/// The file being written: its blocks, then their table.
struct Blocks {
    out: BufWriter<File>,
    offset: u64,
    rows: Vec<Row>,
}

impl Blocks {
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Writes one block.
    fn block(&mut self, block: &PackedBlock) -> io::Result<()> {
        let row = Row {
            offset: self.offset,
            ..block.row
        };
        self.write(&block.bytes)?;
        self.rows.push(row);
        Ok(())
    }

    /// Writes the block table and the footer.
    fn end(&mut self) -> io::Result<()> {
        let mut table = Vec::with_capacity(self.rows.len() * ROW);
        for r in &self.rows {
            table.push(r.table);
            table.extend_from_slice(&r.first.to_le_bytes());
            table.extend_from_slice(&r.last.to_le_bytes());
            table.extend_from_slice(&r.offset.to_le_bytes());
            table.extend_from_slice(&r.length.to_le_bytes());
            table.extend_from_slice(&r.entries.to_le_bytes());
            table.extend_from_slice(&r.check.to_le_bytes());
        }
        let at = self.offset;
        self.write(&table)?;
        let mut footer = Vec::with_capacity(FOOTER as usize);
        footer.extend_from_slice(&at.to_le_bytes());
        footer.extend_from_slice(&(self.rows.len() as u64).to_le_bytes());
        footer.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&table).to_le_bytes());
        footer.extend_from_slice(MAGIC);
        self.write(&footer)
    }
}

/// One block, as the block table describes it.
#[derive(Debug, Clone, Copy)]
struct Row {
    table: u8,
    first: u64,
    last: u64,
    offset: u64,
    length: u32,
    entries: u32,
    check: u64,
}

/// A postings file opened for lookups: its block table read and checked.
pub struct PostingsFile {
    path: PathBuf,
    file: File,
    rows: Vec<Row>,
    version: u32,
    /// Per table, each document's value (from version 3; empty before, where each posting holds
    /// its own).
    values: Vec<Vec<u32>>,
}

impl PostingsFile {
    /// Opens the file at `path`; a damaged one, or one of another version, is an error naming it.
    pub fn open(path: &Path) -> Result<PostingsFile, IndexError> {
        let damaged = |reason: String| IndexError::Damaged {
            path: path.display().to_string(),
            reason,
        };
        let file = File::open(path).map_err(io_error(path))?;
        let size = file.metadata().map_err(io_error(path))?.len();
        if size < 12 + FOOTER {
            return Err(damaged(format!(
                "{size} bytes, too short for a postings file"
            )));
        }
        let mut header = [0u8; 12];
        file.read_exact_at(&mut header, 0).map_err(io_error(path))?;
        if header[..8] != MAGIC[..] {
            return Err(damaged("not a postings file".into()));
        }
        let version = u32::from_le_bytes(header[8..].try_into().unwrap_or_default());
        if !(WITHOUT_KEYS_VERSION..=POSTINGS_VERSION).contains(&version) {
            return Err(damaged(format!(
                "postings version {version}, this twinwire reads {POSTINGS_VERSION}"
            )));
        }
        let mut footer = [0u8; FOOTER as usize];
        file.read_exact_at(&mut footer, size - FOOTER)
            .map_err(io_error(path))?;
        let word =
            |k: usize| u64::from_le_bytes(footer[k * 8..k * 8 + 8].try_into().unwrap_or_default());
        let (at, blocks, check) = (word(0), word(1), word(2));
        if footer[24..] != MAGIC[..] {
            return Err(damaged("no end (cut short?)".into()));
        }
        let length = blocks
            .checked_mul(ROW as u64)
            .filter(|&l| at.checked_add(l) == Some(size - FOOTER));
        let Some(length) = length.filter(|_| at >= 12) else {
            return Err(damaged("its block table does not fit the file".into()));
        };
        let mut table = vec![0u8; length as usize];
        file.read_exact_at(&mut table, at).map_err(io_error(path))?;
        if xxhash_rust::xxh3::xxh3_64(&table) != check {
            return Err(damaged("its block table's checksum does not match".into()));
        }
        let rows = parse_rows(&table, at).map_err(damaged)?;
        let values = match version {
            RUNS_VERSION.. => {
                // Between the last block and the block table.
                let from = rows
                    .iter()
                    .map(|r| r.offset + u64::from(r.length))
                    .max()
                    .unwrap_or(12);
                let mut section = vec![0u8; (at - from) as usize];
                file.read_exact_at(&mut section, from)
                    .map_err(io_error(path))?;
                parse_values(&section).map_err(damaged)?
            }
            _ => vec![Vec::new(); Table::ALL.len()],
        };
        Ok(PostingsFile {
            path: path.to_path_buf(),
            file,
            rows,
            version,
            values,
        })
    }

    /// How many postings `table` holds.
    pub fn postings_in(&self, table: Table) -> u64 {
        let code = table.code();
        self.rows
            .iter()
            .filter(|r| r.table == code)
            .map(|r| u64::from(r.entries))
            .sum()
    }

    /// Whether the file holds the translation keys' table (its version has one).
    pub fn holds_keys(&self) -> bool {
        self.version > WITHOUT_KEYS_VERSION
    }

    /// The postings of `keys` (sorted, unique) in `table`, sorted by key then document.
    pub fn lookup(&self, table: Table, keys: &[u64]) -> Result<Vec<Posting>, IndexError> {
        let found = self.lookup_map(table, keys, Some)?;
        Ok(found.into_iter().flatten().collect())
    }

    /// [`PostingsFile::lookup`], each posting given to `f` as it is decoded (what it gives is
    /// kept), in vectors of a block each: a large lookup holds the postings once, as `f` makes
    /// them.
    pub fn lookup_map<T: Send>(
        &self,
        table: Table,
        keys: &[u64],
        f: impl Fn(Posting) -> Option<T> + Sync,
    ) -> Result<Vec<Vec<T>>, IndexError> {
        self.in_blocks(table, keys, |block, n, keys, _| {
            let mut kept = Vec::new();
            matching(block, n, keys, |_, p| kept.extend(f(p)))?;
            Ok(kept)
        })
    }

    /// How many postings of each of `keys` (sorted, unique) in `table` have a document that
    /// `keep` keeps, in the keys' order: nothing else is held.
    pub fn count(
        &self,
        table: Table,
        keys: &[u64],
        keep: impl Fn(u32) -> bool + Sync,
    ) -> Result<Vec<u32>, IndexError> {
        let found = self.in_blocks(table, keys, |block, n, keys, from| {
            let mut counts: Vec<(usize, u32)> = Vec::new();
            matching(block, n, keys, |at, (_, doc, _)| {
                if keep(doc) {
                    let at = from + at;
                    match counts.last_mut() {
                        Some((last, n)) if *last == at => *n += 1,
                        _ => counts.push((at, 1)),
                    }
                }
            })?;
            Ok(counts)
        });
        let mut counts = vec![0; keys.len()];
        for (at, n) in found?.into_iter().flatten() {
            counts[at] += n;
        }
        Ok(counts)
    }

    /// `f(block, its number, keys from the first the block may hold, that first's place)` for
    /// every block of `table` whose key range holds one of `keys` (sorted, unique), in parallel,
    /// in order.
    fn in_blocks<T: Send>(
        &self,
        table: Table,
        keys: &[u64],
        f: impl Fn(&Decoder, usize, &[u64], usize) -> Result<T, String> + Sync,
    ) -> Result<Vec<T>, IndexError> {
        let code = table.code();
        let wanted: Vec<(usize, &Row, usize)> = (self.rows.iter().enumerate())
            .filter(|(_, r)| r.table == code)
            .filter_map(|(n, r)| {
                let from = keys.partition_point(|&k| k < r.first);
                (from < keys.len() && keys[from] <= r.last).then_some((n, r, from))
            })
            .collect();
        let found: Vec<Result<T, String>> = wanted
            .par_iter()
            .map(|&(n, row, from)| f(&self.read_block(n, row)?, n, &keys[from..], from))
            .collect();
        found
            .into_iter()
            .map(|r| r.map_err(|reason| self.damaged(reason)))
            .collect()
    }

    /// Every posting of `table` whose document `keep` keeps, as (document, key), grouped by
    /// document in document order, each document's keys in key order: one pass over the table.
    pub fn of_documents(
        &self,
        table: Table,
        keep: impl Fn(u32) -> bool + Sync,
    ) -> Result<Vec<(u32, u64)>, IndexError> {
        let code = table.code();
        let rows: Vec<(usize, &Row)> = (self.rows.iter().enumerate())
            .filter(|(_, r)| r.table == code)
            .collect();
        let found: Vec<Result<Vec<(u32, u64)>, String>> = rows
            .par_iter()
            .map(|&(n, row)| {
                // A new vector: collected in place, the block's would keep its whole size.
                let mut kept = Vec::new();
                let block = self.read_block(n, row)?;
                block.walk(n, |(key, doc, _)| {
                    if keep(doc) {
                        kept.push((doc, key));
                    }
                })?;
                Ok(kept)
            })
            .collect();
        let mut out = Vec::new();
        for block in found {
            out.extend(block.map_err(|reason| self.damaged(reason))?);
        }
        // Stable: each document's keys stay in key order.
        out.sort_by_key(|&(d, _)| d);
        Ok(out)
    }

    /// The keys of `table` by document, for the batch's `documents` documents: document d's
    /// keys (their low 32 bits) are `values[offsets[d]..offsets[d + 1]]`, in key order. Two
    /// passes over the table (a count, then the keys put in place), so that what is held is the
    /// result alone.
    pub fn transpose(
        &self,
        table: Table,
        documents: usize,
    ) -> Result<(Vec<usize>, Vec<u32>), IndexError> {
        let code = table.code();
        let rows: Vec<(usize, &Row)> = (self.rows.iter().enumerate())
            .filter(|(_, r)| r.table == code)
            .collect();
        let mut offsets = vec![0usize; documents + 1];
        let mut values = Vec::new();
        let mut next = Vec::new();
        for pass in 0..2 {
            for chunk in rows.chunks(64) {
                let decoded: Vec<Result<Vec<Posting>, String>> = chunk
                    .par_iter()
                    .map(|&(n, row)| self.block(n, row))
                    .collect();
                for block in decoded {
                    for (key, doc, _) in block.map_err(|reason| self.damaged(reason))? {
                        let d = doc as usize;
                        if d >= documents {
                            return Err(self.damaged(format!(
                                "a posting of document {d}, the batch has {documents}"
                            )));
                        }
                        if pass == 0 {
                            offsets[d + 1] += 1;
                        } else {
                            values[next[d]] = key as u32;
                            next[d] += 1;
                        }
                    }
                }
            }
            if pass == 0 {
                for d in 0..documents {
                    offsets[d + 1] += offsets[d];
                }
                values = vec![0u32; offsets[documents]];
                next = offsets[..documents].to_vec();
            }
        }
        Ok((offsets, values))
    }

    fn damaged(&self, reason: String) -> IndexError {
        IndexError::Damaged {
            path: self.path.display().to_string(),
            reason,
        }
    }

    /// Block `n`'s postings, read, checked and decoded.
    fn block(&self, n: usize, row: &Row) -> Result<Vec<Posting>, String> {
        let block = self.read_block(n, row)?;
        let mut postings = Vec::with_capacity(row.entries as usize);
        block.walk(n, |p| postings.push(p))?;
        Ok(postings)
    }

    /// Block `n` read and checked against its checksum, to be decoded as it is walked.
    fn read_block(&self, n: usize, row: &Row) -> Result<Decoder<'_>, String> {
        // Read with the padding the decoder wants after the bytes.
        let length = row.length as usize;
        let mut packed = vec![0u8; length + PADDING];
        (self.file.read_exact_at(&mut packed[..length], row.offset))
            .map_err(|e| format!("block {n}: {e}"))?;
        if xxhash_rust::xxh3::xxh3_64(&packed[..length]) != row.check {
            return Err(format!("block {n}: its checksum does not match"));
        }
        let layout = match self.version {
            RUNS_VERSION.. => Layout::Runs {
                values: &self.values[row.table as usize],
            },
            _ => Layout::Fixed,
        };
        let entries = row.entries as usize;
        Decoder::new(packed, layout, entries, row.first, row.last)
            .ok_or_else(|| format!("block {n}: cut short"))
    }
}

/// `f(key's place, posting)` for each posting of `block` (walked as block `n`) whose key is in
/// `keys` (sorted).
fn matching(
    block: &Decoder,
    n: usize,
    keys: &[u64],
    mut f: impl FnMut(usize, Posting),
) -> Result<(), String> {
    let k = std::cell::Cell::new(0);
    let wanted = |key: u64| {
        let mut at = k.get();
        while at < keys.len() && keys[at] < key {
            at += 1;
        }
        k.set(at);
        at < keys.len() && keys[at] == key
    };
    block.walk_wanted(n, wanted, |posting| f(k.get(), posting))
}

/// The values section of a version 3 file, from each table's documents' values: per table the
/// number of documents (`u32`), the width in bits of their values (a byte), the values packed at
/// that width (little-endian bit order), then an xxh3 of all that (`u64`).
fn values_section(values: &[Vec<u32>]) -> Vec<u8> {
    let mut out = Vec::new();
    for table in values {
        let w = table.iter().max().map_or(0, |&m| 32 - m.leading_zeros());
        out.extend_from_slice(&(table.len() as u32).to_le_bytes());
        out.push(w as u8);
        let (mut word, mut held) = (0u64, 0u32);
        for &v in table {
            word |= u64::from(v) << held;
            held += w;
            while held >= 8 {
                out.push(word as u8);
                (word, held) = (word >> 8, held - 8);
            }
        }
        if held > 0 {
            out.push(word as u8);
        }
    }
    let check = xxhash_rust::xxh3::xxh3_64(&out);
    out.extend_from_slice(&check.to_le_bytes());
    out
}

/// The values [`values_section`] wrote, checked.
fn parse_values(section: &[u8]) -> Result<Vec<Vec<u32>>, String> {
    let damaged = || "its values section is not valid".to_string();
    let (body, check) = section
        .split_at_checked(section.len().checked_sub(8).ok_or_else(damaged)?)
        .ok_or_else(damaged)?;
    if xxhash_rust::xxh3::xxh3_64(body)
        != u64::from_le_bytes(check.try_into().map_err(|_| damaged())?)
    {
        return Err("its values section's checksum does not match".into());
    }
    let mut rest = body;
    let mut tables = Vec::with_capacity(Table::ALL.len());
    for _ in Table::ALL {
        let (head, after) = rest.split_at_checked(5).ok_or_else(damaged)?;
        let n = u32::from_le_bytes(head[..4].try_into().map_err(|_| damaged())?) as usize;
        let w = u32::from(head[4]);
        let length = n.checked_mul(w as usize).ok_or_else(damaged)?.div_ceil(8);
        let (packed, after) = after
            .split_at_checked(length)
            .filter(|_| w <= 32)
            .ok_or_else(damaged)?;
        let (mut word, mut held, mut bytes) = (0u64, 0u32, packed.iter());
        let mut values = Vec::with_capacity(n);
        for _ in 0..n {
            while held < w {
                word |= u64::from(*bytes.next().ok_or_else(damaged)?) << held;
                held += 8;
            }
            values.push((word & ((1u64 << w) - 1)) as u32);
            (word, held) = (word >> w, held - w);
        }
        tables.push(values);
        rest = after;
    }
    if !rest.is_empty() {
        return Err(damaged());
    }
    Ok(tables)
}

/// The rows of a block table that starts at `end` (the blocks lie before it), checked.
fn parse_rows(table: &[u8], end: u64) -> Result<Vec<Row>, String> {
    let mut rows: Vec<Row> = Vec::with_capacity(table.len() / ROW);
    for (n, b) in table.chunks_exact(ROW).enumerate() {
        let u64_at = |k: usize| u64::from_le_bytes(b[k..k + 8].try_into().unwrap_or_default());
        let u32_at = |k: usize| u32::from_le_bytes(b[k..k + 4].try_into().unwrap_or_default());
        let row = Row {
            table: b[0],
            first: u64_at(1),
            last: u64_at(9),
            offset: u64_at(17),
            length: u32_at(25),
            entries: u32_at(29),
            check: u64_at(33),
        };
        let in_order = rows
            .last()
            .is_none_or(|p| (p.table, p.last) <= (row.table, row.first));
        let fits = row.offset >= 12 && row.offset + u64::from(row.length) <= end;
        let sized = (1..=BLOCK_ENTRIES as u32).contains(&row.entries);
        if !(in_order
            && fits
            && sized
            && row.first <= row.last
            && (row.table as usize) < Table::ALL.len())
        {
            return Err(format!("its block table's row {n} is not valid"));
        }
        rows.push(row);
    }
    Ok(rows)
}

/// Whether the file at `path` is postings this twinwire reads.
pub fn readable(path: &Path) -> bool {
    PostingsFile::open(path).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Postings of both tables over keys that make many blocks and repeat across documents.
    fn some_postings() -> Vec<(Table, Posting)> {
        let mut out = Vec::new();
        let mut x = 12345u64;
        for doc in 0..3000u32 {
            for _ in 0..4 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // A key space small enough that keys repeat.
                let anchor = (x >> 33) % 5000 * 858_993;
                out.push((Table::Anchors, (anchor, doc, doc % 97)));
                let band = (x >> 20) % 42;
                out.push((Table::Bands, ((band << 32) | ((x >> 40) % 700), doc, 0)));
                out.push((Table::Keys, ((x >> 8) % 9000 * 477_211, doc, 0)));
            }
        }
        out
    }

    fn write(path: &Path, postings: &[(Table, Posting)], spill_at: usize) {
        write_version(path, postings, spill_at, POSTINGS_VERSION);
    }

    fn write_version(path: &Path, postings: &[(Table, Posting)], spill_at: usize, version: u32) {
        let mut w = PostingsWriter::spilling_at(path.to_path_buf(), spill_at);
        w.version = version;
        for &(t, (k, d, v)) in postings {
            w.push(t, k, d, v);
        }
        w.finish().unwrap();
    }

    fn expected(all: &[(Table, Posting)], table: Table, keys: &[u64]) -> Vec<Posting> {
        let mut out: Vec<Posting> = all
            .iter()
            .filter(|(t, p)| *t == table && keys.binary_search(&p.0).is_ok())
            .map(|&(_, p)| p)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    #[test]
    fn lookups_find_every_posting_of_their_keys_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let all = some_postings();
        // Held whole, and sent to temporary files every 1,000 postings: the same file.
        let (whole, spilled) = (dir.path().join("a.postings"), dir.path().join("b.postings"));
        write(&whole, &all, SPILL_POSTINGS);
        write(&spilled, &all, 1000);
        assert_eq!(fs::read(&whole).unwrap(), fs::read(&spilled).unwrap());
        let file = PostingsFile::open(&whole).unwrap();
        assert!(file.rows.len() > 4, "{} blocks", file.rows.len());
        assert!(file.holds_keys());
        for table in Table::ALL {
            let mut keys: Vec<u64> = all
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, p)| p.0)
                .collect();
            keys.sort_unstable();
            keys.dedup();
            // Every third key, and keys no document has.
            let mut asked: Vec<u64> = keys.iter().step_by(3).copied().collect();
            asked.extend([1, 7, u64::MAX - 1]);
            asked.sort_unstable();
            asked.dedup();
            let found = file.lookup(table, &asked).unwrap();
            assert!(!found.is_empty());
            assert_eq!(found, expected(&all, table, &asked));
            assert_eq!(
                file.lookup(table, &keys).unwrap().len(),
                expected(&all, table, &keys).len()
            );
        }
        assert!(file.lookup(Table::Bands, &[]).unwrap().is_empty());
    }

    /// Postings whose three fields are wide (key gaps of up to 2^52, documents of 20 bits,
    /// values of 31) and narrow ones in the same file are read back as written.
    #[test]
    fn wide_and_narrow_postings_are_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.postings");
        let mut all = Vec::new();
        let mut x = 99u64;
        for doc in 0..5000u32 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let wide = (
                x >> 11,
                (doc * 211) % (1 << 20),
                (x >> 33) as u32 & 0x7fff_ffff,
            );
            all.push((Table::Anchors, wide));
            all.push((Table::Bands, ((x >> 40) % 300, doc, 0)));
        }
        write(&path, &all, SPILL_POSTINGS);
        let file = PostingsFile::open(&path).unwrap();
        for table in [Table::Anchors, Table::Bands] {
            let mut keys: Vec<u64> = all
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, p)| p.0)
                .collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(
                file.lookup(table, &keys).unwrap(),
                expected(&all, table, &keys)
            );
        }
    }

    /// Version 3 files are smaller than version 2's on keys held by many documents: each
    /// posting of a run is a flag and a document gap, and the values are once per document.
    #[test]
    fn runs_take_fewer_bytes_than_fixed_fields() {
        let dir = tempfile::tempdir().unwrap();
        let (runs, fixed) = (dir.path().join("a.postings"), dir.path().join("b.postings"));
        // 50 keys held by every other of 10,000 documents, values by document.
        let all: Vec<(Table, Posting)> = (0..10_000u32)
            .step_by(2)
            .flat_map(|doc| {
                (0..50u64).map(move |k| (Table::Anchors, (k * 1_000_003, doc, doc % 300 + 1)))
            })
            .collect();
        write(&runs, &all, SPILL_POSTINGS);
        write_version(&fixed, &all, SPILL_POSTINGS, 2);
        let (runs_size, fixed_size) = (
            fs::metadata(&runs).unwrap().len(),
            fs::metadata(&fixed).unwrap().len(),
        );
        // About 3 bits a posting (its bit and a gap of 2 in 2 bits), against a document of 14
        // bits and a value of 9, and the key gaps of the blocks where a key changes.
        assert!(
            runs_size * 5 < fixed_size,
            "{runs_size} against {fixed_size} bytes"
        );
        for path in [&runs, &fixed] {
            let file = PostingsFile::open(path).unwrap();
            let keys: Vec<u64> = (0..50u64).step_by(7).map(|k| k * 1_000_003).collect();
            assert_eq!(
                file.lookup(Table::Anchors, &keys).unwrap(),
                expected(&all, Table::Anchors, &keys)
            );
        }
    }

    /// A document's value is one: two in one table stop the writer.
    #[test]
    fn a_document_with_two_values_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = PostingsWriter::create(dir.path().join("a.postings"));
        w.push(Table::Anchors, 5, 1, 3);
        w.push(Table::Anchors, 9, 1, 4);
        let e = w.finish().err().unwrap().to_string();
        assert!(e.contains("document 1 has two values"), "{e}");
    }

    /// Files of versions 1 (written before translation keys had a table) and 2 (fixed fields,
    /// values in each posting) are still read; version 1 says that it holds no translation keys.
    #[test]
    fn files_of_earlier_versions_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.postings");
        let all = some_postings();
        write_version(&path, &all, 1000, 2);
        let file = PostingsFile::open(&path).unwrap();
        assert!(file.holds_keys());
        for table in Table::ALL {
            let mut keys: Vec<u64> = all
                .iter()
                .filter(|(t, _)| *t == table)
                .map(|(_, p)| p.0)
                .collect();
            keys.sort_unstable();
            keys.dedup();
            assert_eq!(
                file.lookup(table, &keys).unwrap(),
                expected(&all, table, &keys)
            );
        }
        let all: Vec<(Table, Posting)> = all.into_iter().filter(|p| p.0 != Table::Keys).collect();
        write_version(&path, &all, SPILL_POSTINGS, WITHOUT_KEYS_VERSION);
        let file = PostingsFile::open(&path).unwrap();
        assert!(!file.holds_keys());
        let mut keys: Vec<u64> = all
            .iter()
            .filter(|(t, _)| *t == Table::Anchors)
            .map(|(_, p)| p.0)
            .take(5)
            .collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(
            file.lookup(Table::Anchors, &keys).unwrap(),
            expected(&all, Table::Anchors, &keys)
        );
    }

    #[test]
    fn a_damaged_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch-000001.postings");
        let all = some_postings();
        write(&path, &all, SPILL_POSTINGS);
        let bytes = fs::read(&path).unwrap();
        // A block's byte changed: found when the block is read.
        let mut changed = bytes.clone();
        changed[100] ^= 0x55;
        fs::write(&path, &changed).unwrap();
        let file = PostingsFile::open(&path).unwrap();
        let mut keys: Vec<u64> = all.iter().map(|(_, p)| p.0).collect();
        keys.sort_unstable();
        let e = file.lookup(Table::Anchors, &keys).unwrap_err().to_string();
        assert!(
            e.contains("batch-000001.postings") && e.contains("block 0"),
            "{e}"
        );
        // Cut short, or of another version: found when opened.
        fs::write(&path, &bytes[..bytes.len() - 10]).unwrap();
        let e = PostingsFile::open(&path).err().unwrap().to_string();
        assert!(
            e.contains("batch-000001.postings") && e.contains("damaged"),
            "{e}"
        );
        let mut newer = bytes.clone();
        newer[8] = 9;
        fs::write(&path, &newer).unwrap();
        let e = PostingsFile::open(&path).err().unwrap().to_string();
        assert!(e.contains("postings version 9"), "{e}");
        // The values section changed: found when opened.
        let mut changed = bytes.clone();
        let at = u64::from_le_bytes(bytes[bytes.len() - 32..][..8].try_into().unwrap()) as usize;
        changed[at - 9] ^= 0x55;
        fs::write(&path, &changed).unwrap();
        let e = PostingsFile::open(&path).err().unwrap().to_string();
        assert!(e.contains("values section"), "{e}");
        assert!(!readable(&path));
    }
}
