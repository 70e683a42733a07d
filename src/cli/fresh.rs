//! An index's new batch handed to the analysis as it is written: the documents read from the
//! user's inputs go into the batch file and, in the same pass, to the fingerprinting, each with
//! its place in the batch file as its origin (what reading the file back would give). The batch
//! is then parsed and compressed once, and its compression runs beside the fingerprinting instead
//! of before it (BENCHMARKS.md section 38).

use std::collections::BTreeMap;
use std::num::NonZeroU64;
use std::path::Path;
use std::sync::mpsc::sync_channel;
use std::sync::Arc;

use anyhow::{bail, Result};

use crate::corpus::{
    read_inputs_ahead, Document, IdSet, Input, InputError, InputWarning, Origin, ReadOptions,
    ReadReport, Record, WarningKind,
};
use crate::index::{BatchWriter, PendingBatch};
use crate::pipeline::FreshInput;

use super::{warning_line, InputArgs, RejectsFile};

/// The input record (when kept) and origin of each document of a batch.
pub type Records = Vec<(Option<Record>, Origin)>;

/// The new batch of an `add`, written from the user's inputs as the analysis reads it.
pub struct FreshBatch {
    inputs: Vec<Input>,
    options: ReadOptions,
    quiet: bool,
    rejects: Option<RejectsFile>,
    /// Warnings shown so far, by kind.
    shown: BTreeMap<WarningKind, usize>,
    /// The batch file as the analysis names it, and as an input.
    file: Arc<str>,
    input: Input,
    /// The batch being written, until it is finished.
    writer: Option<BatchWriter>,
    finished: Option<PendingBatch>,
    /// What reading the user's inputs found (for the rejects file).
    report: ReadReport,
    records: Records,
}

/// A finished fresh batch: durable under its name, not yet in the manifest.
pub struct Written {
    pub pending: PendingBatch,
    pub records: Records,
}

/// What the writing thread sends the analysis.
enum Message {
    /// Documents written, with their records and origins in the user's inputs.
    Batch(Vec<Document>, Records),
    Warning(InputWarning),
}

impl FreshBatch {
    /// The batch `writer` writes, to be read from `inputs` with the user's options; ids already
    /// in the index (`taken`) count as used.
    pub fn new(
        inputs: &[String],
        input_args: &InputArgs,
        (taken, keep_records): (IdSet, bool),
        writer: BatchWriter,
    ) -> Result<FreshBatch> {
        let inputs: Vec<Input> = inputs.iter().map(|s| Input::parse(s)).collect();
        if inputs.iter().filter(|i| **i == Input::Stdin).count() > 1 {
            bail!("standard input (-) can be named only once");
        }
        let options = ReadOptions {
            taken_ids: Some(Arc::new(taken)),
            ..input_args.read_options(keep_records)
        };
        let file = writer.path().display().to_string();
        Ok(FreshBatch {
            inputs,
            options,
            quiet: input_args.quiet,
            rejects: RejectsFile::open(input_args)?,
            shown: BTreeMap::new(),
            input: Input::parse(&file),
            file: Arc::from(file),
            writer: Some(writer),
            finished: None,
            report: ReadReport::default(),
            records: Vec::new(),
        })
    }

    /// The batch file.
    pub fn path(&self) -> &Path {
        Path::new(&*self.file)
    }

    /// The batch, once the analysis has read it whole; the rejects file is written.
    pub fn finish(self) -> Result<Written> {
        let Some(pending) = self.finished else {
            bail!("internal error: the new batch was not read");
        };
        if let Some(r) = self.rejects {
            r.commit(&self.report)?;
        }
        Ok(Written {
            pending,
            records: self.records,
        })
    }

    /// Gives the batch up (the run failed): a partial batch file is removed.
    pub fn abandon(self) {
        if let Some(writer) = self.writer {
            writer.abandon();
        }
    }

    /// Reads the user's inputs on a thread of their own, writing each document into the batch and
    /// sending it on with its origin in the batch file; the analysis fingerprints one batch of
    /// documents while the next is written.
    fn write_and_hand_over(
        &mut self,
        batch_docs: usize,
        on_batch: &mut dyn FnMut(Vec<Document>),
    ) -> Result<(ReadReport, u64), InputError> {
        let writer = self.writer.as_mut().expect("a batch is read once");
        let (inputs, options, file) = (&self.inputs, &self.options, &self.file);
        let (records, rejects, shown) = (&mut self.records, &mut self.rejects, &mut self.shown);
        let quiet = self.quiet;
        let mut warn = |w: &InputWarning| {
            if let Some(r) = rejects.as_mut() {
                r.write(w);
            }
            if let Some(line) = warning_line(shown, w).filter(|_| !quiet) {
                eprintln!("{line}");
            }
        };
        let (sender, received) = sync_channel(1);
        std::thread::scope(|scope| {
            let writing = scope.spawn(move || {
                let (mut line, mut bytes) = (0u64, 0u64);
                let warnings = sender.clone();
                let mut write = |mut batch: Vec<Document>| {
                    let mut records = Vec::with_capacity(batch.len());
                    for d in &mut batch {
                        writer.push(d);
                        line += 1;
                        bytes += d.text.len() as u64;
                        let origin = Origin {
                            file: file.clone(),
                            line: NonZeroU64::new(line),
                        };
                        records.push((d.record.take(), std::mem::replace(&mut d.origin, origin)));
                    }
                    let _ = sender.send(Message::Batch(batch, records));
                };
                let mut warn = |w: &InputWarning| {
                    let _ = warnings.send(Message::Warning(w.clone()));
                };
                let report = read_inputs_ahead(inputs, options, batch_docs, &mut write, &mut warn);
                report.map(|r| (r, bytes))
            });
            for message in received {
                match message {
                    Message::Batch(batch, origins) => {
                        records.extend(origins);
                        on_batch(batch);
                    }
                    Message::Warning(w) => warn(&w),
                }
            }
            match writing.join() {
                Ok(read) => read,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
}

impl FreshInput for FreshBatch {
    fn gives(&self, input: &Input) -> bool {
        *input == self.input
    }

    fn read(
        &mut self,
        batch_docs: usize,
        on_batch: &mut dyn FnMut(Vec<Document>),
    ) -> Result<ReadReport, InputError> {
        let read = self.write_and_hand_over(batch_docs, on_batch);
        // The index's ids (a million take tens of megabytes) are not held through the matching.
        self.options.taken_ids = None;
        let (report, bytes) = read?;
        let documents = self.records.len();
        self.report = report;
        let writer = self.writer.take().expect("a batch is read once");
        let pending = writer
            .finish()
            .map_err(|e| InputError::Stored(e.to_string()))?;
        self.finished = Some(pending);
        // What reading the batch file back reports.
        Ok(ReadReport {
            documents,
            files: 1,
            bytes,
            ..ReadReport::default()
        })
    }
}
