//! The index as a [`FeatureStore`]: an `add` takes the indexed documents from their batches'
//! features files (and ids files) instead of reading and fingerprinting their texts, and writes
//! the new batch's features as its documents are fingerprinted.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::features::{features_path, read_features, FeatureWriter};
use super::{read_ids, Index, IndexError, PendingBatch};
use crate::corpus::{Input, InputError, Origin};
use crate::pipeline::{DocInfo, FeatureStore, Features};

/// An index's stored features, for a run over its batches' files (named as [`Input`]s by their
/// paths) followed by a new batch.
pub struct IndexStore {
    /// The indexed batches whose features this twinwire reads, by their documents' file as the
    /// run names it.
    stored: HashMap<String, StoredBatch>,
    /// The new batch's documents' file, as the run names it.
    new_batch: String,
    writer: Option<FeatureWriter>,
    /// Documents of the new batch whose features were written.
    written: usize,
}

struct StoredBatch {
    batch: PathBuf,
    features: PathBuf,
    documents: usize,
    text_bytes: u64,
}

impl IndexStore {
    /// The store of `index`'s batches, writing the features of `pending` (the batch being added)
    /// with the anchors `modulus` (the index's `--anchor-modulus`) keeps.
    pub fn new(
        index: &Index,
        pending: &PendingBatch,
        modulus: u32,
    ) -> Result<IndexStore, IndexError> {
        let batches = index.manifest().batches.iter().zip(index.batch_features());
        let stored = batches
            .filter_map(|(b, (batch, features))| {
                let name = batch.display().to_string();
                let stored = StoredBatch {
                    features: features?,
                    batch,
                    documents: b.documents,
                    text_bytes: b.text_bytes,
                };
                Some((name, stored))
            })
            .collect();
        Ok(IndexStore {
            stored,
            new_batch: pending.path().display().to_string(),
            writer: Some(FeatureWriter::create(features_path(pending.path()), modulus)?),
            written: 0,
        })
    }

    /// Ends the new batch's features file and names it in `pending`. A file that missed some of
    /// the batch's documents is given up (the batch is then read from its text by later runs).
    pub fn finish(mut self, pending: &mut PendingBatch) -> Result<(), IndexError> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        if self.written != pending.documents() {
            writer.abandon();
            return Ok(());
        }
        writer.finish()?;
        pending.set_features();
        Ok(())
    }

    /// Gives the new batch's features file up (the `add` failed).
    pub fn abandon(mut self) {
        if let Some(writer) = self.writer.take() {
            writer.abandon();
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
        let mut ids = Vec::with_capacity(b.documents);
        read_ids(&b.batch, b.documents, &mut |_, id| ids.push(id)).map_err(stored_error)?;
        let file: Arc<str> = Arc::from(key.as_str());
        let mut ids = ids.into_iter();
        let mut line = 0;
        let mut push_one = |f: Features| {
            line += 1;
            let info = DocInfo {
                id: ids.next().unwrap_or_default(),
                origin: Origin {
                    file: file.clone(),
                    line: Some(line),
                },
                words: f.fingerprint.words,
                lang: None,
                record: None,
                text: None,
            };
            push(info, f);
        };
        read_features(&b.features, b.documents, &mut push_one).map_err(stored_error)?;
        Ok((b.documents, b.text_bytes))
    }

    fn keep(&mut self, doc: &DocInfo, features: &Features) {
        if *doc.origin.file != *self.new_batch {
            return;
        }
        if let Some(writer) = self.writer.as_mut() {
            writer.push(features);
            self.written += 1;
        }
    }
}

/// A batch's documents' file as a run over the index names it.
fn path_key(p: &Path) -> String {
    p.display().to_string()
}
