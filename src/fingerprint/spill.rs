//! The temporary file a store's sets go to past the memory limit, appended to on a thread of its
//! own.
//!
//! The thread that keeps the documents read hands each chunk over and goes on keeping: before, it
//! wrote the chunk itself, and the fingerprinting threads, done with their batch, waited for it.
//! The first chunk holds every set kept until the limit was reached (480 MB in `pairs` of the
//! project's million): its copy into the page cache took this VM about a second, with one core
//! idle (BENCHMARKS.md section 52). At most one chunk waits while another is written, so the
//! memory in flight is two chunks at most.
//!
//! Reading waits until every chunk handed over is written ([`SpillFile::settle`]).

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Buffers of at most this many values are given back to be filled again: grown once, their
/// pages stay mapped (given back at every chunk, they were mapped, faulted in and zeroed by the
/// kernel again every 16 MiB, BENCHMARKS.md section 48). Larger ones (a first chunk) are freed.
const REUSED_VALUES: usize = 8 << 20;

/// An unnamed temporary file, so that nothing is left behind whatever ends the run.
#[derive(Debug)]
pub(crate) struct SpillFile {
    file: Arc<File>,
    writer: Mutex<Option<Writer>>,
    /// Set once every chunk handed over is written.
    settled: AtomicBool,
}

#[derive(Debug)]
struct Writer {
    chunks: SyncSender<Vec<u32>>,
    emptied: Receiver<Vec<u32>>,
    thread: JoinHandle<io::Result<()>>,
}

impl Writer {
    fn spawn(file: Arc<File>) -> io::Result<Writer> {
        let (chunks, to_write) = mpsc::sync_channel::<Vec<u32>>(1);
        let (give_back, emptied) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("twinwire-spill".into())
            .spawn(move || {
                for mut chunk in to_write {
                    (&*file).write_all(bytemuck::cast_slice(&chunk))?;
                    if chunk.capacity() <= REUSED_VALUES {
                        chunk.clear();
                        let _ = give_back.send(chunk);
                    }
                }
                Ok(())
            })?;
        Ok(Writer {
            chunks,
            emptied,
            thread,
        })
    }

    /// Waits for every chunk handed over to be written: the first error writing one, if any.
    fn finish(self) -> io::Result<()> {
        drop(self.chunks);
        self.thread
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    }
}

impl SpillFile {
    /// A new temporary file in `dir` (the system's temporary directory when `None`).
    pub(crate) fn create(dir: Option<&PathBuf>) -> io::Result<SpillFile> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        Ok(SpillFile {
            file: Arc::new(file),
            writer: Mutex::new(None),
            settled: AtomicBool::new(true),
        })
    }

    /// Hands `chunk` over to be appended to the file; returns an empty buffer to fill next (one
    /// written already, or a new one). An error is the first one writing a chunk.
    pub(crate) fn append(&mut self, chunk: Vec<u32>) -> io::Result<Vec<u32>> {
        let slot = self.writer.get_mut().unwrap_or_else(|e| e.into_inner());
        if slot.is_none() {
            *slot = Some(Writer::spawn(self.file.clone())?);
        }
        *self.settled.get_mut() = false;
        let Some(writer) = slot.as_ref() else {
            unreachable!("the writer was just spawned");
        };
        if writer.chunks.send(chunk).is_err() {
            // The thread stopped at an error: it is what the caller gets.
            let stopped = slot.take().map_or(Ok(()), Writer::finish);
            return Err(stopped
                .err()
                .unwrap_or_else(|| io::Error::other("spill writer ended")));
        }
        Ok(writer.emptied.try_recv().unwrap_or_default())
    }

    /// Waits for every chunk handed over to be written: the first error writing one, if any.
    pub(crate) fn settle(&mut self) -> io::Result<()> {
        let slot = self.writer.get_mut().unwrap_or_else(|e| e.into_inner());
        let done = slot.take().map_or(Ok(()), Writer::finish);
        *self.settled.get_mut() = true;
        done
    }

    /// Fills `buf` from the file at byte `offset`, once every chunk handed over is written.
    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        if !self.settled.load(Ordering::Acquire) {
            let mut slot = self.writer.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(writer) = slot.take() {
                writer.finish()?;
            }
            self.settled.store(true, Ordering::Release);
        }
        read_exact_at(&self.file, buf, offset)
    }
}

#[cfg(unix)]
fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
}

#[cfg(windows)]
fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, offset)? {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chunks handed over in turn are read back in order, after the writer is settled or while
    /// it may still be writing (a read waits for it); buffers come back empty.
    #[test]
    fn chunks_are_read_back_in_order_once_written() {
        let mut file = SpillFile::create(None).unwrap();
        let mut expected = Vec::new();
        let mut next = Vec::new();
        for k in 0..50u32 {
            next.extend((0..1000).map(|i| k * 1000 + i));
            expected.extend_from_slice(&next);
            next = file.append(std::mem::take(&mut next)).unwrap();
            assert!(next.is_empty());
        }
        let mut back = vec![0u32; expected.len()];
        file.read_at(bytemuck::cast_slice_mut(&mut back), 0)
            .unwrap();
        assert_eq!(back, expected);
        // More after a read, then settled explicitly.
        next.extend(7..9);
        file.append(next).unwrap();
        file.settle().unwrap();
        let mut tail = [0u32; 2];
        let at = expected.len() as u64 * 4;
        file.read_at(bytemuck::cast_slice_mut(&mut tail), at)
            .unwrap();
        assert_eq!(tail, [7, 8]);
    }
}
