//! Reading ahead: the inputs are read on a thread of their own, in batches, while the caller works
//! on the batch before. Parsing JSON is one thread's work: without this, the threads that
//! fingerprint waited while each batch was read, 4.4 s of a million articles' 37 to 43 s on two
//! cores (BENCHMARKS.md, section 35).
//!
//! The caller sees what [`read_inputs`] would show it, in the same order: the same documents,
//! batch after batch, and each warning after the documents read before it. Its callbacks run on
//! its own thread (a Python callback or a thread pool the caller installed stays where it was).

use std::cell::RefCell;
use std::sync::mpsc::{sync_channel, SyncSender};

use super::{read_inputs, Document, Input, InputError, InputWarning, ReadOptions, ReadReport};

/// What the reading thread hands over.
enum Message {
    Batch(Vec<Document>),
    Warning(InputWarning),
}

/// Reads `inputs` as [`read_inputs`] does, on another thread, handing the documents to
/// `on_batch` in batches of `batch_docs` (the last one, and one before a warning, may be smaller).
/// At most two batches are read ahead of the one `on_batch` holds.
pub fn read_inputs_ahead(
    inputs: &[Input],
    options: &ReadOptions,
    batch_docs: usize,
    on_batch: &mut dyn FnMut(Vec<Document>),
    on_warning: &mut dyn FnMut(&InputWarning),
) -> Result<ReadReport, InputError> {
    std::thread::scope(|scope| {
        let (sender, received) = sync_channel(1);
        let reading = scope.spawn(move || {
            let batcher = RefCell::new(Batcher {
                sender,
                batch: Vec::with_capacity(batch_docs),
                batch_docs,
            });
            let report = read_inputs(
                inputs,
                options,
                &mut |doc| batcher.borrow_mut().push(doc),
                &mut |warning| batcher.borrow_mut().warn(warning),
            );
            batcher.borrow_mut().send_batch();
            report
        });
        for message in received {
            match message {
                Message::Batch(batch) => on_batch(batch),
                Message::Warning(warning) => on_warning(&warning),
            }
        }
        match reading.join() {
            Ok(report) => report,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The reading thread's end: the batch being filled.
struct Batcher {
    sender: SyncSender<Message>,
    batch: Vec<Document>,
    batch_docs: usize,
}

impl Batcher {
    fn push(&mut self, doc: Document) {
        self.batch.push(doc);
        if self.batch.len() >= self.batch_docs {
            self.send_batch();
        }
    }

    /// Sends the documents read before `warning`, then it.
    fn warn(&mut self, warning: &InputWarning) {
        self.send_batch();
        // The caller has stopped listening only when it panicked: nothing is left to tell.
        let _ = self.sender.send(Message::Warning(warning.clone()));
    }

    fn send_batch(&mut self) {
        if !self.batch.is_empty() {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(self.batch_docs));
            let _ = self.sender.send(Message::Batch(full));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    /// Documents and warnings as [`read_inputs`] shows them, in one sequence.
    #[derive(Debug, PartialEq)]
    enum Seen {
        Doc(Document),
        Warning(String),
    }

    #[test]
    fn reading_ahead_shows_what_reading_shows_in_the_same_order() {
        let mut file = tempfile::NamedTempFile::with_suffix(".jsonl").unwrap();
        for i in 0..23 {
            match i % 7 {
                3 => writeln!(file, "{{not json").unwrap(),
                5 => writeln!(
                    file,
                    "{{\"id\": \"same\", \"text\": \"a repeated id {i}\"}}"
                )
                .unwrap(),
                _ => writeln!(
                    file,
                    "{{\"id\": \"d{i}\", \"text\": \"article number {i}\"}}"
                )
                .unwrap(),
            }
        }
        let inputs = [Input::Path(file.path().to_path_buf())];
        let options = ReadOptions::default();
        let (mut plain, mut plain_warnings) = (Vec::new(), Vec::new());
        let plain_report = read_inputs(
            &inputs,
            &options,
            &mut |d| plain.push(Seen::Doc(d)),
            &mut |w| plain_warnings.push(w.clone()),
        )
        .unwrap();
        for batch_docs in [1, 2, 5, 100] {
            let seen = RefCell::new(Vec::new());
            let report = read_inputs_ahead(
                &inputs,
                &options,
                batch_docs,
                &mut |batch| {
                    assert!((1..=batch_docs).contains(&batch.len()));
                    seen.borrow_mut().extend(batch.into_iter().map(Seen::Doc));
                },
                &mut |w| seen.borrow_mut().push(Seen::Warning(w.location.clone())),
            )
            .unwrap();
            let seen = seen.into_inner();
            let docs: Vec<&Seen> = seen.iter().filter(|s| matches!(s, Seen::Doc(_))).collect();
            assert_eq!(docs, plain.iter().collect::<Vec<_>>());
            let warnings: Vec<String> = seen
                .iter()
                .filter_map(|s| match s {
                    Seen::Warning(at) => Some(at.clone()),
                    Seen::Doc(_) => None,
                })
                .collect();
            let plain_at: Vec<String> = plain_warnings.iter().map(|w| w.location.clone()).collect();
            assert_eq!(warnings, plain_at);
            assert_eq!(report.documents, plain_report.documents);
            // A warning comes after the documents of the lines before it.
            for (k, s) in seen.iter().enumerate() {
                let Seen::Warning(at) = s else { continue };
                let line: u64 = at.rsplit(':').next().unwrap().parse().unwrap_or(0);
                let before = seen[..k].iter().filter(|s| matches!(s, Seen::Doc(d) if d.origin.line.is_some_and(|l| l.get() < line))).count();
                let all_before = plain.iter().filter(|s| matches!(s, Seen::Doc(d) if d.origin.line.is_some_and(|l| l.get() < line))).count();
                assert_eq!(before, all_before, "warning {at}");
            }
        }
        assert!(plain_warnings.len() >= 3, "{plain_warnings:?}");
    }

    #[test]
    fn an_error_stops_reading_ahead_as_it_stops_reading() {
        let missing = [Input::Path("/nonexistent/twinwire-input.jsonl".into())];
        let err = read_inputs_ahead(
            &missing,
            &ReadOptions::default(),
            4,
            &mut |_| {},
            &mut |_| {},
        );
        assert!(matches!(err, Err(InputError::Missing { .. })), "{err:?}");
    }
}
