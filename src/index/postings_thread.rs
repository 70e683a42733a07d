//! A batch's [`PostingsWriter`] on a thread of its own. Pushing ninety million postings into the
//! writer's tables, and sending them to its temporary files, took seconds of the thread that
//! keeps each fingerprinted document, while the workers waited for it; the postings file was then
//! sorted and written after the run. Here the keeping thread fills small chunks and hands them
//! over, and the file is sorted and written while the run goes on matching (BENCHMARKS.md
//! section 38). The file is the same: the writer gets the same postings in the same order.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

use super::postings::{Posting, PostingsWriter, Table};
use super::IndexError;

/// Postings a chunk holds before it is handed over (1 MiB).
const CHUNK_POSTINGS: usize = 1 << 16;

/// Per table, postings in the order pushed.
type Chunk = Vec<Vec<Posting>>;

enum Message {
    Postings(Chunk),
    /// Every posting came: the file is written.
    End,
}

/// A postings file written by a thread of its own.
pub struct PostingsThread {
    chunk: Chunk,
    in_chunk: usize,
    sender: Option<SyncSender<Message>>,
    /// Chunks the thread emptied, to fill again.
    emptied: Receiver<Chunk>,
    thread: JoinHandle<Result<bool, IndexError>>,
}

impl PostingsThread {
    /// A thread writing the postings file at `path` once [`PostingsThread::end`] is called.
    pub fn spawn(path: PathBuf) -> PostingsThread {
        let (sender, received) = sync_channel(2);
        let (give_back, emptied) = sync_channel(4);
        let thread = std::thread::spawn(move || {
            let mut writer = PostingsWriter::create(path);
            for message in received {
                match message {
                    Message::Postings(mut chunk) => {
                        for (table, postings) in Table::ALL.into_iter().zip(&mut chunk) {
                            writer.extend(table, postings);
                            postings.clear();
                        }
                        let _ = give_back.try_send(chunk);
                    }
                    Message::End => return writer.finish().map(|()| true),
                }
            }
            // Given up before the end: nothing is written.
            Ok(false)
        });
        PostingsThread {
            chunk: new_chunk(),
            in_chunk: 0,
            sender: Some(sender),
            emptied,
            thread,
        }
    }

    /// Adds one posting.
    pub fn push(&mut self, table: Table, key: u64, doc: u32, value: u32) {
        self.chunk[table.code() as usize].push((key, doc, value));
        self.in_chunk += 1;
        if self.in_chunk >= CHUNK_POSTINGS {
            self.hand_over();
        }
    }

    fn hand_over(&mut self) {
        let next = self.emptied.try_recv().unwrap_or_else(|_| new_chunk());
        let full = std::mem::replace(&mut self.chunk, next);
        self.in_chunk = 0;
        if let Some(sender) = &self.sender {
            // The thread ends only once told to, or on a panic that `wait` passes on.
            let _ = sender.send(Message::Postings(full));
        }
    }

    /// Every posting was pushed: the thread writes the file from now on (once, however many
    /// times this is called).
    pub fn end(&mut self) {
        if self.sender.is_none() {
            return;
        }
        self.hand_over();
        if let Some(sender) = self.sender.take() {
            let _ = sender.send(Message::End);
        }
    }

    /// Waits for the thread: true when it wrote the file (after [`PostingsThread::end`]), false
    /// when it was given up before.
    pub fn wait(mut self) -> Result<bool, IndexError> {
        drop(self.sender.take());
        self.thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

fn new_chunk() -> Chunk {
    let per_table = CHUNK_POSTINGS / Table::ALL.len() + 1;
    Table::ALL
        .iter()
        .map(|_| Vec::with_capacity(per_table))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Postings of three tables, interleaved as a batch's documents give them.
    fn postings(n: u32) -> Vec<(Table, u64, u32, u32)> {
        let mut out = Vec::new();
        for doc in 0..n {
            let h = u64::from(doc).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            out.push((Table::Anchors, h >> 34, doc, 3));
            out.push((Table::Bands, (u64::from(doc % 7) << 32) | (h >> 40), doc, 0));
            out.push((Table::Keys, h >> 36, doc, 0));
            out.push((Table::Keys, (h >> 37) + 1, doc, 0));
        }
        out
    }

    #[test]
    fn the_file_is_the_one_the_writer_writes_alone() {
        let dir = tempfile::tempdir().unwrap();
        let (alone, threaded) = (dir.path().join("alone"), dir.path().join("threaded"));
        // More than a chunk, so that several are handed over.
        let all = postings(40_000);
        let mut writer = PostingsWriter::create(alone.clone());
        all.iter().for_each(|&(t, k, d, v)| writer.push(t, k, d, v));
        writer.finish().unwrap();
        let mut thread = PostingsThread::spawn(threaded.clone());
        all.iter().for_each(|&(t, k, d, v)| thread.push(t, k, d, v));
        thread.end();
        thread.end();
        assert!(thread.wait().unwrap());
        assert_eq!(
            std::fs::read(&alone).unwrap(),
            std::fs::read(&threaded).unwrap()
        );
    }

    #[test]
    fn a_thread_given_up_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postings");
        let mut thread = PostingsThread::spawn(path.clone());
        postings(100)
            .iter()
            .for_each(|&(t, k, d, v)| thread.push(t, k, d, v));
        assert!(!thread.wait().unwrap());
        assert!(!path.exists());
    }
}
