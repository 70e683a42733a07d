//! Framed zstd JSONL: a `.jsonl.zst` file cut into independent zstd frames of whole lines, with a
//! table of the frames at its end, so that a few of its lines are read without decoding the rest
//! (an `add`'s translation check reads a few hundred documents of a million; `explain --index`
//! reads two).
//!
//! The file is an ordinary zstd file: its frames decode one after the other into the JSONL
//! text, and the table is a zstd *skippable frame* (magic `0x184D2A5B`), which every zstd decoder
//! passes over (`zstd -d`, and this crate's readers when they read a file whole). The table:
//!
//! - the skippable frame's header: magic (4 bytes), content length (4 bytes);
//! - one entry per frame: its compressed length (`u64`) and how many lines it holds (`u32`);
//! - a footer: the number of frames (`u32`), then the magic bytes `twft`.
//!
//! Integers are little-endian. zstd's own seekable format (contrib/seekable_format) indexes frames
//! by decompressed bytes; lines are what a reader seeks here, so the table counts them. A table
//! that does not add up to the file (damaged, or a file that merely ends like one) is not used: the
//! file is then read whole, as any other zstd file.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::sync::mpsc;
use std::thread;

/// Lines per frame: small enough that reading one line decodes little (about 650 KB of text at
/// news articles' length), large enough that zstd compresses nearly as well as one stream would
/// (7% more bytes at level 3 on the shared-passage shape, 20% more with frames of 128 lines:
/// BENCHMARKS.md section 25).
pub const FRAME_LINES: u32 = 512;
/// A frame also ends once it holds this much text, whatever its number of lines.
const FRAME_BYTES: usize = 1 << 20;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A5B;
const TABLE_MAGIC: &[u8; 4] = b"twft";
const ENTRY_BYTES: u64 = 12;
const FOOTER_BYTES: u64 = 8;
const ZSTD_LEVEL: i32 = 3;

/// Writes lines into frames of up to [`FRAME_LINES`] lines, then the table. Frames are
/// compressed and written on a thread of their own, so that whoever reads the lines (parsing
/// JSON, on one thread) is not also compressing them (BENCHMARKS.md section 25).
pub struct FramedWriter<W: Write + Send + 'static> {
    frame: Vec<u8>,
    lines: u32,
    frames: Option<mpsc::SyncSender<(Vec<u8>, u32)>>,
    compressing: Option<thread::JoinHandle<io::Result<Compressed<W>>>>,
}

/// What the compressing thread gives back: the output and the table of the frames it wrote.
struct Compressed<W> {
    out: W,
    table: Vec<(u64, u32)>,
}

impl<W: Write + Send + 'static> FramedWriter<W> {
    pub fn new(out: W) -> io::Result<FramedWriter<W>> {
        let mut compressor = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
        // A damaged frame is then an error when it is read, not a wrong text.
        compressor.include_checksum(true)?;
        // Two frames queued at most: what waits is bounded whatever the reader's pace.
        let (frames, queued) = mpsc::sync_channel::<(Vec<u8>, u32)>(2);
        let compressing = thread::Builder::new()
            .name("twinwire-frames".into())
            .spawn(move || {
                let mut done = Compressed {
                    out,
                    table: Vec::new(),
                };
                for (frame, lines) in queued {
                    let compressed = compressor.compress(&frame)?;
                    done.out.write_all(&compressed)?;
                    done.table.push((compressed.len() as u64, lines));
                }
                Ok(done)
            })?;
        Ok(FramedWriter {
            frame: Vec::new(),
            lines: 0,
            frames: Some(frames),
            compressing: Some(compressing),
        })
    }

    /// Appends one line; `line` ends with its `\n`.
    pub fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        self.frame.extend_from_slice(line);
        self.lines += 1;
        if self.lines == FRAME_LINES || self.frame.len() >= FRAME_BYTES {
            self.end_frame()?;
        }
        Ok(())
    }

    fn end_frame(&mut self) -> io::Result<()> {
        if self.lines == 0 {
            return Ok(());
        }
        let frame = (std::mem::take(&mut self.frame), self.lines);
        self.lines = 0;
        let sent = self.frames.as_ref().map(|frames| frames.send(frame));
        match sent {
            Some(Ok(())) => Ok(()),
            // The compressing thread stopped: its error says why.
            _ => Err(self.stop().err().unwrap_or_else(stopped)),
        }
    }

    /// Waits for the compressing thread to end and takes what it gives back.
    fn stop(&mut self) -> io::Result<Compressed<W>> {
        self.frames = None;
        match self.compressing.take().map(thread::JoinHandle::join) {
            Some(Ok(done)) => done,
            Some(Err(_)) | None => Err(stopped()),
        }
    }

    /// Writes the last frame and the table; gives the writer back (to flush and sync).
    pub fn finish(mut self) -> io::Result<W> {
        self.end_frame()?;
        let Compressed { mut out, table } = self.stop()?;
        let entries = table.len() as u64;
        let content = entries * ENTRY_BYTES + FOOTER_BYTES;
        let (Ok(content), Ok(frames)) = (u32::try_from(content), u32::try_from(entries)) else {
            return Err(io::Error::other("too many frames for one table"));
        };
        let mut bytes = Vec::with_capacity(8 + content as usize);
        bytes.extend_from_slice(&SKIPPABLE_MAGIC.to_le_bytes());
        bytes.extend_from_slice(&content.to_le_bytes());
        for (length, lines) in &table {
            bytes.extend_from_slice(&length.to_le_bytes());
            bytes.extend_from_slice(&lines.to_le_bytes());
        }
        bytes.extend_from_slice(&frames.to_le_bytes());
        bytes.extend_from_slice(TABLE_MAGIC);
        out.write_all(&bytes)?;
        Ok(out)
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

/// The frames of a framed file, from its table; `None` when the file has no table that adds up.
pub fn frames_of(file: &mut File) -> io::Result<Option<Vec<Frame>>> {
    let size = file.seek(SeekFrom::End(0))?;
    if size < 8 + FOOTER_BYTES {
        return Ok(None);
    }
    let mut footer = [0u8; FOOTER_BYTES as usize];
    file.seek(SeekFrom::Start(size - FOOTER_BYTES))?;
    file.read_exact(&mut footer)?;
    if &footer[4..] != TABLE_MAGIC {
        return Ok(None);
    }
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
    let mut frames = Vec::with_capacity(count as usize);
    let (mut offset, mut first_line) = (0u64, 1u64);
    for entry in table[8..].chunks_exact(ENTRY_BYTES as usize) {
        let length = u64::from_le_bytes(entry[..8].try_into().expect("8 bytes"));
        let lines = u32_at(entry, 8);
        frames.push(Frame {
            offset,
            length,
            first_line,
            lines,
        });
        offset = offset.saturating_add(length);
        first_line += u64::from(lines);
    }
    Ok((offset == table_start).then_some(frames))
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
pub fn read_frame(file: &mut File, frame: &Frame) -> io::Result<Vec<u8>> {
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

    fn framed(lines: usize) -> (tempfile::NamedTempFile, Vec<String>) {
        let text: Vec<String> = (1..=lines)
            .map(|i| format!("{{\"id\":\"d{i}\",\"text\":\"line {i} {}\"}}\n", "x".repeat(i % 7)))
            .collect();
        let file = tempfile::NamedTempFile::new().unwrap();
        let mut writer = FramedWriter::new(file.reopen().unwrap()).unwrap();
        for line in &text {
            writer.write_line(line.as_bytes()).unwrap();
        }
        writer.finish().unwrap();
        (file, text)
    }

    #[test]
    fn a_framed_file_decodes_whole_as_any_zstd_file() {
        let (file, text) = framed(2 * FRAME_LINES as usize + 44);
        let whole = zstd::decode_all(File::open(file.path()).unwrap()).unwrap();
        assert_eq!(String::from_utf8(whole).unwrap(), text.concat());
    }

    #[test]
    fn each_frame_holds_the_lines_its_table_says() {
        let (file, text) = framed(2 * FRAME_LINES as usize + 44);
        let mut f = File::open(file.path()).unwrap();
        let frames = frames_of(&mut f).unwrap().expect("a table");
        assert_eq!(frames.len(), 3);
        let per = u64::from(FRAME_LINES);
        let wanted = frames_holding(&frames, &[5, per + 1, per + 2, 2 * per + 44]);
        assert_eq!(
            wanted.iter().map(|f| f.first_line).collect::<Vec<_>>(),
            [1, per + 1, 2 * per + 1]
        );
        for frame in wanted {
            let bytes = zstd::decode_all(&read_frame(&mut f, &frame).unwrap()[..]).unwrap();
            let from = frame.first_line as usize - 1;
            let lines = &text[from..from + frame.lines as usize];
            assert_eq!(String::from_utf8(bytes).unwrap(), lines.concat());
        }
    }

    #[test]
    fn a_file_without_a_table_or_with_a_damaged_one_has_no_frames() {
        let plain = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(plain.path(), zstd::encode_all(&b"{}\n"[..], 3).unwrap()).unwrap();
        assert_eq!(frames_of(&mut File::open(plain.path()).unwrap()).unwrap(), None);
        let (file, _) = framed(2 * FRAME_LINES as usize + 44);
        let mut bytes = std::fs::read(file.path()).unwrap();
        let n = bytes.len();
        bytes[n - 8] = 200; // the count of frames
        std::fs::write(file.path(), &bytes).unwrap();
        assert_eq!(frames_of(&mut File::open(file.path()).unwrap()).unwrap(), None);
    }
}
