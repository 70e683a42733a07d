//! Framed zstd JSONL: a `.jsonl.zst` file cut into independent zstd frames of whole lines, with a
//! table of the frames at its end, so that a few of its lines are read without decoding the rest
//! (an `add` reads again the few thousand indexed documents its new ones are scored against;
//! `explain --index` reads two).
//!
//! A batch of a megabyte of text or more is compressed with a dictionary trained on its first
//! lines (zstd's `ZDICT`), or with one the writer is given (an index's `add` gives the last
//! batch's), in frames of [`DICTIONARY_FRAME_LINES`] lines: the dictionary holds
//! what the articles have in common, so that small frames compress as well as large ones without
//! it (BENCHMARKS.md section 28), and reading one line again decodes four. The dictionary is the
//! file's first frame, a zstd *skippable frame* (magic `0x184D2A5C`). A smaller batch has no
//! dictionary and frames of [`FRAME_LINES`] lines.
//!
//! The table is a skippable frame too (magic `0x184D2A5B`), which every zstd decoder passes over:
//!
//! - the skippable frame's header: magic (4 bytes), content length (4 bytes);
//! - one entry per frame: its compressed length (`u64`) and how many lines it holds (`u32`); with a
//!   dictionary, the first entry is the dictionary's frame (no line);
//! - a footer: the number of entries (`u32`), then the magic bytes `twft` (no dictionary) or `twfd`.
//!
//! Integers are little-endian. A file without a dictionary is an ordinary zstd file: its frames
//! decode one after the other into the JSONL text (`zstd -d`). One with a dictionary decodes with
//! it (`zstd -d -D DICT`, the dictionary being the first frame's content past its 8-byte header);
//! twinwire's readers find it themselves. zstd's own seekable format (contrib/seekable_format)
//! indexes frames by decompressed bytes; lines are what a reader seeks here, so the table counts
//! them. A table that does not add up to the file (damaged, or a file that merely ends like one) is
//! not used: the file is then read whole, as any other zstd file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Lines per frame without a dictionary: small enough that reading one line decodes little
/// (about 650 KB of text at news articles' length), large enough that zstd compresses nearly as
/// well as one stream would (7% more bytes at level 3 on the shared-passage shape, 20% more with
/// frames of 128 lines: BENCHMARKS.md section 25).
pub const FRAME_LINES: u32 = 512;
/// Lines per frame with a dictionary.
pub const DICTIONARY_FRAME_LINES: u32 = 4;
/// A frame also ends once it holds this much text, whatever its number of lines.
const FRAME_BYTES: usize = 1 << 20;
/// The dictionary is trained on the batch's first lines, up to this much text (training takes
/// about 0.11 s a megabyte, on the compressing thread); a batch with less text than
/// [`MIN_SAMPLE_BYTES`] has none (a dictionary would weigh too much beside it).
const SAMPLE_BYTES: usize = 4 << 20;
const MIN_SAMPLE_BYTES: usize = 1 << 20;
/// The dictionary's size: a 16th of its sample (256 KiB from 4 MiB: of the sizes and samples
/// tried on three shapes, the frames of four lines came closest to those of 512 without one).
const DICTIONARY_SHARE: usize = 16;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A5B;
const DICTIONARY_MAGIC: u32 = 0x184D_2A5C;
const TABLE_MAGIC: &[u8; 4] = b"twft";
const TABLE_MAGIC_DICTIONARY: &[u8; 4] = b"twfd";
const ENTRY_BYTES: u64 = 12;
const FOOTER_BYTES: u64 = 8;
const ZSTD_LEVEL: i32 = 3;
/// Past this, a frame's declared size is damage.
const MAX_FRAME_CONTENT: usize = 1 << 31;

/// Lines sent to the compressing thread: their bytes end to end and where each ends.
struct Lines {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// Writes lines into frames, then the table. Lines are sent in chunks to a thread of their own,
/// which trains the dictionary and cuts the frames, so that whoever reads the lines (parsing
/// JSON, on one thread) is not also compressing them (BENCHMARKS.md section 25); the frames are
/// compressed a few hundred at a time on a few threads (section 36).
pub struct FramedWriter<W: Write + Send + 'static> {
    chunk: Lines,
    chunks: Option<mpsc::SyncSender<Lines>>,
    compressing: Option<thread::JoinHandle<io::Result<W>>>,
}

impl<W: Write + Send + 'static> FramedWriter<W> {
    /// A writer whose frames use `dictionary` when one is given (another file's, of lines of
    /// the same kind: nothing to train); without, it trains one on the first lines (when they
    /// are enough).
    pub fn new(out: W, dictionary: Option<Vec<u8>>) -> io::Result<FramedWriter<W>> {
        // What waits is bounded whatever the reader's pace: twice the lines of the frames
        // compressed at once, so that the reader goes on while they are compressed.
        let queued_chunks =
            2 * PENDING_FRAMES * DICTIONARY_FRAME_LINES as usize / FRAME_LINES as usize;
        let (chunks, queued) = mpsc::sync_channel::<Lines>(queued_chunks);
        let compressing = thread::Builder::new()
            .name("twinwire-frames".into())
            .spawn(move || match dictionary {
                Some(d) => frame_lines(Framer::new(out, Some(d))?, queued),
                None => compress_lines(out, queued),
            })?;
        Ok(FramedWriter {
            chunk: Lines::empty(),
            chunks: Some(chunks),
            compressing: Some(compressing),
        })
    }

    /// Appends one line; `line` ends with its `\n`.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.chunk.push(line);
        if self.chunk.ends.len() == FRAME_LINES as usize || self.chunk.bytes.len() >= FRAME_BYTES {
            self.send_chunk()?;
        }
        Ok(())
    }

    fn send_chunk(&mut self) -> io::Result<()> {
        if self.chunk.ends.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.chunk, Lines::empty());
        let sent = self.chunks.as_ref().map(|chunks| chunks.send(chunk));
        match sent {
            Some(Ok(())) => Ok(()),
            // The compressing thread stopped: its error says why.
            _ => Err(self.stop().err().unwrap_or_else(stopped)),
        }
    }

    /// Waits for the compressing thread to end and takes what it gives back.
    fn stop(&mut self) -> io::Result<W> {
        self.chunks = None;
        match self.compressing.take().map(thread::JoinHandle::join) {
            Some(Ok(done)) => done,
            Some(Err(_)) | None => Err(stopped()),
        }
    }

    /// Writes the last frames and the table; gives the writer back (to flush and sync).
    pub fn finish(mut self) -> io::Result<W> {
        self.send_chunk()?;
        self.stop()
    }
}

impl<W: Write + Send + 'static> Drop for FramedWriter<W> {
    /// A writer given up still waits for its thread, so that nothing writes after it is gone.
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

fn stopped() -> io::Error {
    io::Error::other("the thread compressing the frames stopped")
}

impl Lines {
    fn empty() -> Lines {
        Lines {
            bytes: Vec::new(),
            ends: Vec::new(),
        }
    }

    fn push(&mut self, line: &[u8]) {
        self.bytes.extend_from_slice(line);
        self.ends.push(self.bytes.len());
    }

    fn append(&mut self, other: &Lines) {
        let at = self.bytes.len();
        self.bytes.extend_from_slice(&other.bytes);
        self.ends.extend(other.ends.iter().map(|&e| e + at));
    }

    /// Each line, in order.
    fn each(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(s, &e)| &self.bytes[s..e])
    }
}

/// The compressing thread: the first lines are kept until the sample is full (or the lines end),
/// the dictionary trained on them, then every line framed. While the dictionary is trained (about
/// half a second), the lines that come are kept rather than left to block their writer (a few
/// tens of megabytes at the pace of reading).
fn compress_lines<W: Write>(out: W, queued: mpsc::Receiver<Lines>) -> io::Result<W> {
    let mut sample = Lines::empty();
    while sample.bytes.len() < SAMPLE_BYTES {
        match queued.recv() {
            Ok(chunk) => sample.append(&chunk),
            Err(_) => break,
        }
    }
    let (dictionary, meanwhile) = thread::scope(|scope| {
        let training = scope.spawn(|| train(&sample));
        let mut meanwhile = Vec::new();
        while !training.is_finished() {
            match queued.recv_timeout(Duration::from_millis(5)) {
                Ok(chunk) => meanwhile.push(chunk),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        (training.join(), meanwhile)
    });
    let mut framer = Framer::new(out, dictionary.map_err(|_| stopped())?)?;
    for chunk in std::iter::once(sample).chain(meanwhile) {
        framer.write_lines(&chunk)?;
    }
    frame_lines(framer, queued)
}

/// Frames the lines that come, then writes the table.
fn frame_lines<W: Write>(mut framer: Framer<W>, queued: mpsc::Receiver<Lines>) -> io::Result<W> {
    for chunk in queued {
        framer.write_lines(&chunk)?;
    }
    framer.finish()
}

/// Cuts lines into frames, compresses them and keeps the table. Frames are compressed
/// [`PENDING_FRAMES`] at a time, on a few threads (each frame alone, so the file is the same
/// whatever their number).
struct Framer<W> {
    out: W,
    /// One compressor a thread.
    compressors: Vec<zstd::bulk::Compressor<'static>>,
    /// Compressed length and lines of each frame written (the dictionary's first, when any).
    table: Vec<(u64, u32)>,
    frame_lines: u32,
    dictionary: bool,
    frame: Vec<u8>,
    lines: u32,
    /// Frames cut but not compressed yet: their text and lines.
    pending: Vec<(Vec<u8>, u32)>,
    /// Bytes of text of the pending frames.
    pending_bytes: usize,
}

/// Frames cut before they are compressed together, at most, and at most this much of their text
/// (frames without a dictionary hold 512 lines).
const PENDING_FRAMES: usize = 512;
const PENDING_BYTES: usize = 8 << 20;
/// Threads compressing frames, at most.
const MAX_COMPRESSING_THREADS: usize = 4;

impl<W: Write> Framer<W> {
    /// A framer with `dictionary` (written as the first frame), or without one.
    fn new(mut out: W, dictionary: Option<Vec<u8>>) -> io::Result<Framer<W>> {
        let threads =
            thread::available_parallelism().map_or(1, |n| n.get().min(MAX_COMPRESSING_THREADS));
        let compressor = || -> io::Result<zstd::bulk::Compressor<'static>> {
            let mut compressor = match &dictionary {
                Some(d) => zstd::bulk::Compressor::with_dictionary(ZSTD_LEVEL, d)?,
                None => zstd::bulk::Compressor::new(ZSTD_LEVEL)?,
            };
            // A damaged frame is then an error when it is read, not a wrong text.
            compressor.include_checksum(true)?;
            Ok(compressor)
        };
        let compressors = (0..threads)
            .map(|_| compressor())
            .collect::<io::Result<Vec<_>>>()?;
        let mut table = Vec::new();
        if let Some(d) = &dictionary {
            let frame = skippable(DICTIONARY_MAGIC, d)?;
            out.write_all(&frame)?;
            table.push((frame.len() as u64, 0));
        }
        Ok(Framer {
            out,
            compressors,
            table,
            frame_lines: match dictionary {
                Some(_) => DICTIONARY_FRAME_LINES,
                None => FRAME_LINES,
            },
            dictionary: dictionary.is_some(),
            frame: Vec::new(),
            lines: 0,
            pending: Vec::new(),
            pending_bytes: 0,
        })
    }

    fn write_lines(&mut self, lines: &Lines) -> io::Result<()> {
        for line in lines.each() {
            self.frame.extend_from_slice(line);
            self.lines += 1;
            if self.lines == self.frame_lines || self.frame.len() >= FRAME_BYTES {
                self.end_frame()?;
            }
        }
        Ok(())
    }

    fn end_frame(&mut self) -> io::Result<()> {
        if self.lines == 0 {
            return Ok(());
        }
        self.pending_bytes += self.frame.len();
        self.pending
            .push((std::mem::take(&mut self.frame), self.lines));
        self.lines = 0;
        if self.pending.len() >= PENDING_FRAMES || self.pending_bytes >= PENDING_BYTES {
            self.compress_pending()?;
        }
        Ok(())
    }

    /// Compresses the pending frames, a run of them a thread, and writes them in order.
    fn compress_pending(&mut self) -> io::Result<()> {
        let per = self.pending.len().div_ceil(self.compressors.len()).max(1);
        let compressed: Vec<io::Result<Vec<Vec<u8>>>> = thread::scope(|scope| {
            let runs = self.compressors.iter_mut().zip(self.pending.chunks(per));
            let threads: Vec<_> = runs
                .map(|(c, run)| {
                    scope.spawn(move || run.iter().map(|(text, _)| c.compress(text)).collect())
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|_| Err(stopped())))
                .collect()
        });
        let frames = compressed.into_iter().collect::<io::Result<Vec<_>>>()?;
        for (compressed, (_, lines)) in frames.into_iter().flatten().zip(&self.pending) {
            self.out.write_all(&compressed)?;
            self.table.push((compressed.len() as u64, *lines));
        }
        self.pending.clear();
        self.pending_bytes = 0;
        Ok(())
    }

    /// Writes the last frame and the table.
    fn finish(mut self) -> io::Result<W> {
        self.end_frame()?;
        self.compress_pending()?;
        let entries = self.table.len() as u64;
        let content = entries * ENTRY_BYTES + FOOTER_BYTES;
        let (Ok(content), Ok(count)) = (u32::try_from(content), u32::try_from(entries)) else {
            return Err(io::Error::other("too many frames for one table"));
        };
        let mut bytes = Vec::with_capacity(8 + content as usize);
        bytes.extend_from_slice(&SKIPPABLE_MAGIC.to_le_bytes());
        bytes.extend_from_slice(&content.to_le_bytes());
        for (length, lines) in &self.table {
            bytes.extend_from_slice(&length.to_le_bytes());
            bytes.extend_from_slice(&lines.to_le_bytes());
        }
        bytes.extend_from_slice(&count.to_le_bytes());
        let magic = match self.dictionary {
            true => TABLE_MAGIC_DICTIONARY,
            false => TABLE_MAGIC,
        };
        bytes.extend_from_slice(magic);
        self.out.write_all(&bytes)?;
        Ok(self.out)
    }
}

/// A dictionary trained on the sample's lines, when it holds enough text and training succeeds
/// (zstd refuses samples too few or too alike: the file then has none).
fn train(sample: &Lines) -> Option<Vec<u8>> {
    if sample.bytes.len() < MIN_SAMPLE_BYTES {
        return None;
    }
    let size = sample.bytes.len() / DICTIONARY_SHARE;
    let sizes: Vec<usize> = sample.each().map(<[u8]>::len).collect();
    zstd::dict::from_continuous(&sample.bytes, &sizes, size).ok()
}

/// A skippable frame holding `content`.
fn skippable(magic: u32, content: &[u8]) -> io::Result<Vec<u8>> {
    let length = u32::try_from(content.len()).map_err(io::Error::other)?;
    let mut frame = Vec::with_capacity(8 + content.len());
    frame.extend_from_slice(&magic.to_le_bytes());
    frame.extend_from_slice(&length.to_le_bytes());
    frame.extend_from_slice(content);
    Ok(frame)
}

/// One frame of a framed file: where its bytes are and which lines it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame {
    pub offset: u64,
    pub length: u64,
    /// The line number (1-based) of its first line.
    pub first_line: u64,
    pub lines: u32,
}

impl Frame {
    fn holds(&self, line: u64) -> bool {
        line >= self.first_line && line < self.first_line + u64::from(self.lines)
    }
}

/// A framed file's table, and its dictionary when it has one.
#[derive(Debug, PartialEq, Eq)]
pub struct Framed {
    /// The frames of lines, in order.
    pub frames: Vec<Frame>,
    dictionary: Option<Vec<u8>>,
}

impl Framed {
    /// The file's table (and dictionary); `None` when the file has no table that adds up. A table
    /// that adds up with a dictionary frame that is not one is an error (the file is damaged).
    pub fn open(file: &mut File) -> io::Result<Option<Framed>> {
        let Some((entries, with_dictionary)) = table_of(file)? else {
            return Ok(None);
        };
        let mut frames = Vec::with_capacity(entries.len());
        let (mut offset, mut first_line) = (0u64, 1u64);
        for (length, lines) in entries {
            frames.push(Frame {
                offset,
                length,
                first_line,
                lines,
            });
            offset = offset.saturating_add(length);
            first_line += u64::from(lines);
        }
        let dictionary = match with_dictionary {
            true => Some(read_dictionary(file, frames.remove(0))?),
            false => None,
        };
        Ok(Some(Framed { frames, dictionary }))
    }

    pub fn has_dictionary(&self) -> bool {
        self.dictionary.is_some()
    }

    /// The file's dictionary, when it has one.
    pub fn into_dictionary(self) -> Option<Vec<u8>> {
        self.dictionary
    }

    /// What decodes this file's frames.
    pub fn decoder(&self) -> io::Result<FrameDecoder> {
        let decompressor = match &self.dictionary {
            Some(d) => zstd::bulk::Decompressor::with_dictionary(d)?,
            None => zstd::bulk::Decompressor::new()?,
        };
        Ok(FrameDecoder(decompressor))
    }
}

/// A table's entries, (compressed length, lines) each, and whether the first is a dictionary.
type Table = (Vec<(u64, u32)>, bool);

/// The file's table; `None` when the file has no table that adds up to it.
fn table_of(file: &mut File) -> io::Result<Option<Table>> {
    let size = file.seek(SeekFrom::End(0))?;
    if size < 8 + FOOTER_BYTES {
        return Ok(None);
    }
    let mut footer = [0u8; FOOTER_BYTES as usize];
    file.seek(SeekFrom::Start(size - FOOTER_BYTES))?;
    file.read_exact(&mut footer)?;
    let with_dictionary = match &footer[4..] {
        magic if magic == TABLE_MAGIC => false,
        magic if magic == TABLE_MAGIC_DICTIONARY => true,
        _ => return Ok(None),
    };
    let count = u64::from(u32_at(&footer, 0));
    let table_bytes = 8 + count * ENTRY_BYTES + FOOTER_BYTES;
    let Some(table_start) = size.checked_sub(table_bytes) else {
        return Ok(None);
    };
    let mut table = vec![0u8; (table_bytes - FOOTER_BYTES) as usize];
    file.seek(SeekFrom::Start(table_start))?;
    file.read_exact(&mut table)?;
    let content = u64::from(u32_at(&table, 4));
    if u32_at(&table, 0) != SKIPPABLE_MAGIC || content != table_bytes - 8 {
        return Ok(None);
    }
    let entries: Vec<(u64, u32)> = table[8..]
        .chunks_exact(ENTRY_BYTES as usize)
        .map(|e| {
            (
                u64::from_le_bytes(e[..8].try_into().expect("8 bytes")),
                u32_at(e, 8),
            )
        })
        .collect();
    let total = entries.iter().fold(0u64, |sum, e| sum.saturating_add(e.0));
    let adds_up =
        total == table_start && (!with_dictionary || entries.first().is_some_and(|e| e.1 == 0));
    Ok(adds_up.then_some((entries, with_dictionary)))
}

/// The dictionary held by the skippable frame `frame`.
fn read_dictionary(file: &mut File, frame: Frame) -> io::Result<Vec<u8>> {
    let bytes = read_frame(file, &frame)?;
    let damaged = || {
        io::Error::new(
            io::ErrorKind::InvalidData,
            "its dictionary frame is damaged",
        )
    };
    if bytes.len() < 8 || u32_at(&bytes, 0) != DICTIONARY_MAGIC {
        return Err(damaged());
    }
    if u64::from(u32_at(&bytes, 4)) != frame.length - 8 {
        return Err(damaged());
    }
    Ok(bytes[8..].to_vec())
}

/// Decodes one frame at a time (with the file's dictionary, when it has one).
pub struct FrameDecoder(zstd::bulk::Decompressor<'static>);

impl FrameDecoder {
    /// The lines `frame` holds, decoded.
    pub fn decode(&mut self, file: &mut File, frame: &Frame) -> io::Result<Vec<u8>> {
        let bytes = read_frame(file, frame)?;
        let size = zstd::zstd_safe::get_frame_content_size(&bytes)
            .ok()
            .flatten()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a damaged frame"))?;
        // A frame holds a few lines: a size past any line's is damage, not an allocation to try.
        let size = usize::try_from(size)
            .ok()
            .filter(|&s| s <= MAX_FRAME_CONTENT)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "a damaged frame"))?;
        self.0.decompress(&bytes, size)
    }
}

/// The frames that hold any of `lines` (sorted), in order.
pub fn frames_holding(frames: &[Frame], lines: &[u64]) -> Vec<Frame> {
    let mut wanted: Vec<Frame> = Vec::new();
    for &line in lines {
        let at = frames.partition_point(|f| f.first_line + u64::from(f.lines) <= line);
        match frames.get(at) {
            Some(f) if f.holds(line) && wanted.last() != Some(f) => wanted.push(*f),
            _ => {}
        }
    }
    wanted
}

/// The compressed bytes of `frame`.
fn read_frame(file: &mut File, frame: &Frame) -> io::Result<Vec<u8>> {
    let length = usize::try_from(frame.length).map_err(io::Error::other)?;
    let mut bytes = vec![0u8; length];
    file.seek(SeekFrom::Start(frame.offset))?;
    file.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A framed file of `lines` lines, `extra` bytes of varied words each.
    fn framed_of(lines: usize, extra: usize) -> (tempfile::NamedTempFile, Vec<String>) {
        let words = [
            "wire", "copy", "Bamako", "attack", "report", "said", "the", "army",
        ];
        let text: Vec<String> = (1..=lines)
            .map(|i| {
                let body: Vec<&str> = (0..extra / 6).map(|j| words[(i * 7 + j * j) % 8]).collect();
                format!(
                    "{{\"id\":\"d{i}\",\"text\":\"line {i} {}\"}}\n",
                    body.join(" ")
                )
            })
            .collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer = FramedWriter::new(file.reopen().unwrap(), None).unwrap();
        for line in &text {
            writer.write_line(line.as_bytes()).unwrap();
        }
        writer.finish().unwrap();
        (file, text)
    }

    fn framed(lines: usize) -> (tempfile::NamedTempFile, Vec<String>) {
        framed_of(lines, 6)
    }

    fn open(file: &tempfile::NamedTempFile) -> (File, Framed) {
        let mut f = File::open(file.path()).unwrap();
        let framed = Framed::open(&mut f).unwrap().expect("a table");
        (f, framed)
    }

    /// Every frame decodes to the lines the table says it holds.
    fn check_frames(file: &tempfile::NamedTempFile, text: &[String]) -> Framed {
        let (mut f, framed) = open(file);
        let mut decoder = framed.decoder().unwrap();
        let mut next_line = 1;
        for frame in &framed.frames {
            assert_eq!(frame.first_line, next_line);
            let bytes = decoder.decode(&mut f, frame).unwrap();
            let from = frame.first_line as usize - 1;
            let lines = &text[from..from + frame.lines as usize];
            assert_eq!(String::from_utf8(bytes).unwrap(), lines.concat());
            next_line += u64::from(frame.lines);
        }
        assert_eq!(next_line as usize, text.len() + 1);
        framed
    }

    #[test]
    fn a_framed_file_without_dictionary_decodes_whole_as_any_zstd_file() {
        let (file, text) = framed(2 * FRAME_LINES as usize + 44);
        let whole = zstd::decode_all(File::open(file.path()).unwrap()).unwrap();
        assert_eq!(String::from_utf8(whole).unwrap(), text.concat());
        assert!(!check_frames(&file, &text).has_dictionary());
    }

    #[test]
    fn each_frame_holds_the_lines_its_table_says() {
        let (file, text) = framed(2 * FRAME_LINES as usize + 44);
        let (_, framed) = open(&file);
        assert_eq!(framed.frames.len(), 3);
        let per = u64::from(FRAME_LINES);
        let wanted = frames_holding(&framed.frames, &[5, per + 1, per + 2, 2 * per + 44]);
        assert_eq!(
            wanted.iter().map(|f| f.first_line).collect::<Vec<_>>(),
            [1, per + 1, 2 * per + 1]
        );
        check_frames(&file, &text);
    }

    /// A batch of a few megabytes: a dictionary, frames of four lines, each decoded alone, and
    /// the whole file decoded by zstd with the dictionary the first frame holds.
    #[test]
    fn a_large_batch_has_a_dictionary_and_small_frames() {
        let (file, text) = framed_of(8000, 700);
        assert!(text.concat().len() > SAMPLE_BYTES);
        let framed = check_frames(&file, &text);
        assert!(framed.has_dictionary());
        let per = DICTIONARY_FRAME_LINES as usize;
        assert_eq!(framed.frames.len(), text.len().div_ceil(per));
        let wanted = frames_holding(&framed.frames, &[1, 4, 5, 7999]);
        let starts: Vec<u64> = wanted.iter().map(|f| f.first_line).collect();
        assert_eq!(starts, [1, 5, 7997]);
        let dictionary = framed.dictionary.clone().unwrap();
        let decoder = zstd::stream::read::Decoder::with_dictionary(
            io::BufReader::new(File::open(file.path()).unwrap()),
            &dictionary,
        );
        let whole = io::read_to_string(decoder.unwrap()).unwrap();
        assert_eq!(whole, text.concat());
    }

    /// A writer given another file's dictionary frames with it from the first line, however few
    /// the lines (too few to train one).
    #[test]
    fn a_writer_given_a_dictionary_frames_with_it() {
        let (large, _) = framed_of(8000, 700);
        let dictionary = open(&large).1.into_dictionary().expect("a dictionary");
        let text: Vec<String> = (1..=10)
            .map(|i| format!("{{\"id\":\"n{i}\",\"text\":\"Bamako army {i}\"}}\n"))
            .collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer =
            FramedWriter::new(file.reopen().unwrap(), Some(dictionary.clone())).unwrap();
        for line in &text {
            writer.write_line(line.as_bytes()).unwrap();
        }
        writer.finish().unwrap();
        let framed = check_frames(&file, &text);
        assert_eq!(framed.frames.len(), 3);
        assert_eq!(framed.into_dictionary(), Some(dictionary));
    }

    #[test]
    fn a_file_without_a_table_or_with_a_damaged_one_has_no_frames() {
        let plain = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(plain.path(), zstd::encode_all(&b"{}\n"[..], 3).unwrap()).unwrap();
        assert_eq!(
            Framed::open(&mut File::open(plain.path()).unwrap()).unwrap(),
            None
        );
        let (file, _) = framed(2 * FRAME_LINES as usize + 44);
        let mut bytes = std::fs::read(file.path()).unwrap();
        let n = bytes.len();
        bytes[n - 8] = 200; // the count of frames
        std::fs::write(file.path(), &bytes).unwrap();
        assert_eq!(
            Framed::open(&mut File::open(file.path()).unwrap()).unwrap(),
            None
        );
    }

    #[test]
    fn a_damaged_dictionary_or_frame_is_an_error_not_a_wrong_text() {
        let (file, text) = framed_of(3000, 700);
        let bytes = std::fs::read(file.path()).unwrap();
        let mut no_magic = bytes.clone();
        no_magic[0] ^= 1;
        std::fs::write(file.path(), &no_magic).unwrap();
        let err = Framed::open(&mut File::open(file.path()).unwrap()).unwrap_err();
        assert!(err.to_string().contains("dictionary"), "{err}");
        // A byte changed inside the dictionary's content: no frame decodes to a wrong text (a
        // frame that used it fails its checksum); one changed in its id: none decodes.
        let decoded = |damaged: &[u8]| -> Vec<io::Result<Vec<u8>>> {
            std::fs::write(file.path(), damaged).unwrap();
            let (mut f, framed) = open(&file);
            match framed.decoder() {
                Ok(mut d) => framed
                    .frames
                    .iter()
                    .map(|fr| d.decode(&mut f, fr))
                    .collect(),
                Err(e) => vec![Err(e)],
            }
        };
        let right = |(at, r): (usize, &io::Result<Vec<u8>>)| match r {
            Ok(b) => {
                *b == text[at * 4..(at * 4 + 4).min(text.len())]
                    .concat()
                    .into_bytes()
            }
            Err(_) => true,
        };
        let mut in_content = bytes.clone();
        in_content[5000] ^= 0x55;
        assert!(decoded(&in_content).iter().enumerate().all(right));
        let mut in_id = bytes.clone();
        in_id[8 + 4] ^= 0x55;
        assert!(decoded(&in_id).iter().all(Result::is_err));
    }
}
