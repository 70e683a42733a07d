//! The whole way through: read -> fingerprint -> candidates -> score -> relate -> (expand copies).
//!
//! Documents are fingerprinted in parallel batches as they are read, and their text is dropped unless
//! the caller needs it, so memory holds features, not the corpus. Each stage's wall time is recorded.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::candidates::{candidate_pairs, ExactGroups};
use crate::config::Config;
use crate::corpus::{
    read_inputs, Document, Input, InputError, InputWarning, Origin, ReadOptions, ReadReport, Record,
};
use crate::fingerprint::Fingerprint;
use crate::relate::{relate, Relation};
use crate::score::{score, score_all_pairs, score_pairs};
use crate::DocId;

/// What the pipeline keeps of each document.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub id: String,
    pub origin: Origin,
    pub words: u32,
    /// The input record, when reading kept it (for `dedupe`).
    pub record: Option<Record>,
    /// The original text, when asked for (for `explain`).
    pub text: Option<String>,
}

/// Wall time of each stage.
#[derive(Debug, Clone, Default)]
pub struct StageTimes {
    /// Reading and decoding inputs (not counting fingerprinting done while reading).
    pub read: Duration,
    /// Normalization, shingling, SimHash and MinHash.
    pub fingerprint: Duration,
    pub candidates: Duration,
    /// Exact scoring and relation decisions.
    pub score: Duration,
}

/// The result of a run.
#[derive(Debug)]
pub struct Analysis {
    pub docs: Vec<DocInfo>,
    pub fingerprints: Vec<Fingerprint>,
    /// Related pairs, sorted by (first document, second document) in input order.
    pub relations: Vec<Relation>,
    pub report: ReadReport,
    /// Pairs scored (candidates, or all pairs with `exhaustive`).
    pub candidates: usize,
    pub times: StageTimes,
}

/// What a caller wants kept besides fingerprints, and how to hear about progress.
pub struct Hooks<'a> {
    pub keep_text: bool,
    /// Called for every input problem (after the reader counted it).
    pub on_warning: &'a mut dyn FnMut(&InputWarning),
    /// Called after each batch with the number of documents read so far.
    pub on_progress: &'a mut dyn FnMut(usize),
}

const BATCH_DOCS: usize = 4096;

/// Runs the pipeline over `inputs`.
pub fn analyze(
    inputs: &[Input],
    read_options: &ReadOptions,
    config: &Config,
    hooks: Hooks<'_>,
) -> Result<Analysis, InputError> {
    let Hooks {
        keep_text,
        on_warning,
        on_progress,
    } = hooks;
    let start = Instant::now();
    let mut docs: Vec<DocInfo> = Vec::new();
    let mut fingerprints: Vec<Fingerprint> = Vec::new();
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH_DOCS);
    let mut fingerprint_time = Duration::ZERO;
    let mut flush =
        |batch: &mut Vec<Document>, docs: &mut Vec<DocInfo>, fps: &mut Vec<Fingerprint>| {
            let t = Instant::now();
            let new: Vec<Fingerprint> = batch
                .par_iter()
                .map(|d| Fingerprint::of_text(&d.text, config))
                .collect();
            fingerprint_time += t.elapsed();
            for (d, f) in batch.drain(..).zip(&new) {
                docs.push(DocInfo {
                    id: d.id,
                    origin: d.origin,
                    words: f.words,
                    record: d.record,
                    text: keep_text.then_some(d.text),
                });
            }
            fps.extend(new);
            on_progress(docs.len());
        };
    let mut report = read_inputs(
        inputs,
        read_options,
        &mut |doc| {
            batch.push(doc);
            if batch.len() >= BATCH_DOCS {
                flush(&mut batch, &mut docs, &mut fingerprints);
            }
        },
        on_warning,
    )?;
    flush(&mut batch, &mut docs, &mut fingerprints);
    report.empty_documents = fingerprints.iter().filter(|f| f.is_empty()).count();
    let read_time = start.elapsed().saturating_sub(fingerprint_time);

    let t = Instant::now();
    let groups = ExactGroups::of(&fingerprints);
    let reps = groups.representatives(&fingerprints);
    let pairs = if config.exhaustive {
        Vec::new()
    } else {
        candidate_pairs(&fingerprints, &reps, config)
    };
    let candidates_time = t.elapsed();

    let t = Instant::now();
    let keep = |i: DocId, j: DocId, s: &_| {
        relate(
            i,
            j,
            &fingerprints[i.index()],
            &fingerprints[j.index()],
            s,
            config,
        )
    };
    let (scored, rep_relations) = if config.exhaustive {
        let n = reps.len();
        (
            n * n.saturating_sub(1) / 2,
            score_all_pairs(&fingerprints, &reps, keep),
        )
    } else {
        (pairs.len(), score_pairs(&fingerprints, &pairs, keep))
    };
    let relations = expand_copies(&groups, &fingerprints, rep_relations, config);
    let score_time = t.elapsed();

    Ok(Analysis {
        docs,
        fingerprints,
        relations,
        report,
        candidates: scored,
        times: StageTimes {
            read: read_time,
            fingerprint: fingerprint_time,
            candidates: candidates_time,
            score: score_time,
        },
    })
}

/// Adds the pairs within each exact group, and repeats each representative's relations for its
/// copies; returns all relations sorted by document pair.
fn expand_copies(
    groups: &ExactGroups,
    fingerprints: &[Fingerprint],
    rep_relations: Vec<Relation>,
    config: &Config,
) -> Vec<Relation> {
    // Representative -> its group of copies (a document without copies is its own group of one).
    let group_of: std::collections::HashMap<DocId, &[DocId]> =
        groups.groups.iter().map(|g| (g[0], g.as_slice())).collect();
    let copies = |d: DocId| -> &[DocId] {
        match group_of.get(&d) {
            Some(g) => g,
            None => std::slice::from_ref(&groups.representative[d.index()]),
        }
    };
    let mut out: Vec<Relation> = Vec::with_capacity(rep_relations.len());
    for g in &groups.groups {
        let f = &fingerprints[g[0].index()];
        let s = score(f, f);
        for (x, &i) in g.iter().enumerate() {
            for &j in &g[x + 1..] {
                out.extend(relate(i, j, f, f, &s, config));
            }
        }
    }
    for r in rep_relations {
        for &a in copies(r.a) {
            for &b in copies(r.b) {
                out.push(r.moved_to(a, b));
            }
        }
    }
    out.par_sort_unstable_by_key(|r| (r.a.min(r.b), r.a.max(r.b)));
    out
}
