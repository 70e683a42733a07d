//! The whole way through: read -> fingerprint (and pivot) -> candidates -> score -> relate ->
//! translations -> copies expanded.
//!
//! Documents are fingerprinted in parallel batches as they are read, and their text is dropped unless
//! the caller needs it, so memory holds features, not the corpus. When translations are asked for,
//! each document also gets its language and, in a supported language, its cheap candidate keys in
//! the same batch; only the documents of translation candidates are read again and put in pivot
//! space, while the copy candidates are found. Each stage's wall time is recorded.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::num::NonZeroU64;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use compact_str::CompactString;
use rayon::prelude::*;

use crate::candidates::{CandidateIndex, ExactGroups, StoredKeys};
use crate::config::Config;
use crate::corpus::{
    read_inputs, read_inputs_ahead, Document, Input, InputError, InputWarning, Origin, ReadOptions,
    ReadReport, Record, WarningKind,
};
use crate::crosslingual::candidate_index::translation_candidates_around;
use crate::crosslingual::pivot::{candidate_keys, candidate_keys_knowing, PivotDoc, Pivoter};
use crate::crosslingual::translate::{verify, KeyedDocs};
use crate::fingerprint::{exact_hash_of, Fingerprint, Fingerprints, Shingles, Spill};
use crate::relate::{relate_either, Evidence, Relation, RelationKind};
use crate::stream::Related;
use crate::text::{FunctionWordHits, LangCode, TokenList};
use crate::DocId;

/// What the pipeline keeps of each document: 72 bytes, ten million of them at the
/// `--memory-limit` run of BENCHMARKS.md (section 34). The id is held inline when it is 24 bytes
/// or shorter (most ids: hashes, numbers, short names), and what only some runs keep is behind one
/// pointer.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub id: CompactString,
    pub origin: Origin,
    pub words: u32,
    /// Language code: from the input's language field, else detected when translations are asked
    /// for; `None` when unknown.
    pub lang: Option<LangCode>,
    kept: Option<Box<Kept>>,
}

/// The parts of a document only some runs keep.
#[derive(Debug, Clone)]
struct Kept {
    /// The input record, when reading kept it (for `dedupe`).
    record: Option<Record>,
    /// The original text, when asked for (for `explain`).
    text: Option<Box<str>>,
}

impl DocInfo {
    /// A document as reading found it, keeping its record and text when given.
    pub fn new(
        id: impl Into<CompactString>,
        origin: Origin,
        words: u32,
        record: Option<Record>,
        text: Option<Box<str>>,
    ) -> DocInfo {
        let kept = (record.is_some() || text.is_some()).then(|| Box::new(Kept { record, text }));
        DocInfo {
            id: id.into(),
            origin,
            words,
            lang: None,
            kept,
        }
    }

    /// The input record, when reading kept it (for `dedupe`).
    pub fn record(&self) -> Option<&Record> {
        self.kept.as_ref()?.record.as_ref()
    }

    /// The original text, when asked for (for `explain`).
    pub fn text(&self) -> Option<&str> {
        self.kept.as_ref()?.text.as_deref()
    }
}

/// Wall time of each stage. Translations are verified while the copy candidates are found and
/// scored, so `translate` overlaps `candidates` and `score`.
#[derive(Debug, Clone, Default)]
pub struct StageTimes {
    /// Reading and decoding inputs (not counting fingerprinting done while reading), and reading
    /// again the texts of the old documents an index holds by their anchors whose pairs are scored.
    pub read: Duration,
    /// Normalization, shingling, SimHash and MinHash; language and pivot for translations. Each
    /// batch is kept in the run's stores (and written to an index) while the next one is
    /// fingerprinted: that is counted here too.
    pub fingerprint: Duration,
    pub candidates: Duration,
    /// Exact scoring and relation decisions.
    pub score: Duration,
    /// Translation candidates and sentence alignment.
    pub translate: Duration,
}

/// The result of a run: every document's features, and the tables its pairs are drawn from. The
/// pairs themselves are not held: [`Analysis::related`] streams them in output order, and
/// [`crate::cluster::settle`] finds the clusters from verified edges alone.
pub struct Analysis {
    pub docs: Vec<DocInfo>,
    pub fingerprints: Fingerprints,
    pub report: ReadReport,
    /// The matching tables and the translations found.
    pub matched: Matched,
    pub times: StageTimes,
    /// The configuration the run was made with.
    pub config: Config,
    /// The languages translations were looked for in (English and each lexicon's); empty when
    /// translations were not asked for.
    pub checked_languages: Vec<String>,
}

impl Analysis {
    /// Documents per language (`None`: not told), when translations were asked for (the language
    /// of each document is only found then).
    pub fn languages(&self) -> BTreeMap<Option<&str>, usize> {
        let mut counts = BTreeMap::new();
        if !self.checked_languages.is_empty() {
            for d in &self.docs {
                *counts.entry(d.lang.as_deref()).or_default() += 1;
            }
        }
        counts
    }
}

impl Analysis {
    /// The related pairs of the run, to stream ([`Related::for_each`]) or collect.
    pub fn related(&self) -> Related<'_> {
        self.matched.related(&self.fingerprints, &self.config)
    }
}

/// What a caller wants kept besides fingerprints, and how to hear about progress.
pub struct Hooks<'a> {
    pub keep_text: bool,
    /// Called for every input problem (after the reader counted it).
    pub on_warning: &'a mut dyn FnMut(&InputWarning),
    /// Told the documents read so far after each batch, then each stage as it starts.
    pub on_progress: &'a mut dyn FnMut(Progress),
    /// Where and when the fingerprints' sets go to disk.
    pub spill: Spill,
    /// An input whose documents are handed over as it is written, rather than read from it.
    pub fresh: Option<&'a mut dyn FreshInput>,
}

/// An input whose documents come as it is written instead of being read back from it: an index's
/// new batch, written from the user's inputs while its documents are fingerprinted (the batch is
/// then neither parsed nor decompressed a second time: BENCHMARKS.md section 38).
///
/// Its documents must be those reading the input back would give, with the same origins (the
/// input's file, and each document's line in it): texts read again later are read from it.
pub trait FreshInput {
    /// Whether `input` is the one this hands over.
    fn gives(&self, input: &Input) -> bool;
    /// Hands the input's documents to `on_batch` in order, in batches of at most `batch_docs`, and
    /// returns what reading the input would have reported. The input is complete and in place
    /// once this returns `Ok`.
    fn read(
        &mut self,
        batch_docs: usize,
        on_batch: &mut dyn FnMut(Vec<Document>),
    ) -> Result<ReadReport, InputError>;
}

/// How far [`analyze`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Documents read so far.
    Read(usize),
    /// A stage started, by name.
    Stage(&'static str),
}

const BATCH_DOCS: usize = 4096;

/// Documents read again per batch put in pivot space: small, so that pivoting keeps pace with the
/// reading.
const REREAD_BATCH_DOCS: usize = 64;

thread_local! {
    /// Each thread's words of the document it fingerprints (see [`crate::fingerprint`] on why
    /// per-document temporaries are reused).
    static TOKENS: std::cell::RefCell<TokenList> = std::cell::RefCell::new(TokenList::of(""));
}

/// A language code as written in dumps (`fr`, `FR`, `fr-FR`, `fra`, `French`) in ISO 639-1 form.
pub fn normalize_lang(code: &str) -> Option<String> {
    let lower = code.trim().to_lowercase();
    let base = lower.split(['-', '_']).next().unwrap_or("");
    let mapped = match base {
        "fra" | "fre" | "french" | "francais" | "français" => "fr",
        "eng" | "english" | "anglais" => "en",
        "deu" | "ger" | "german" | "deutsch" => "de",
        "spa" | "spanish" | "espanol" | "español" => "es",
        "ita" | "italian" => "it",
        "por" | "portuguese" => "pt",
        "nld" | "dut" | "dutch" => "nl",
        other => other,
    };
    (mapped.len() == 2 && mapped.chars().all(|c| c.is_ascii_lowercase()))
        .then(|| mapped.to_string())
}

/// Runs the pipeline over `inputs`. `pivoter` puts documents in pivot space when translations are
/// asked for (`Pivoter::new(vec![Lexicon::bundled_fr_en()])` is the default one).
///
/// For translations every document in a supported language gets its cheap candidate keys as it is
/// read; only the documents of translation candidates are put in pivot space, from their texts: the
/// kept texts (`keep_text`), or else a second reading of the inputs, checked against the first.
/// Standard input cannot be read twice: with it, every document is put in pivot space as it is read.
#[cfg_attr(not(any(test, feature = "internals")), allow(dead_code))]
pub fn analyze(
    inputs: &[Input],
    read_options: &ReadOptions,
    config: &Config,
    pivoter: &Pivoter,
    hooks: Hooks<'_>,
) -> Result<Analysis, InputError> {
    analyze_stored(
        inputs,
        read_options,
        (config, pivoter),
        hooks,
        &mut NothingStored,
    )
}

/// Features an earlier run computed, for inputs that need not be read and fingerprinted again (an
/// index's batches), and where the features of the documents that are read go.
///
/// Stored features are the [`Features`] value fingerprinting gave, pushed where a fresh reading
/// pushes its own: a run with them is the run without them, value for value, as long as they were
/// computed with the same configuration and lexicons (the index checks its settings) by the same
/// fingerprinting (their format version says so; see [`crate::index::features`]).
pub trait FeatureStore {
    /// Whether `input`'s documents are stored (it is then not read).
    fn holds(&self, input: &Input) -> bool;
    /// Pushes the stored documents of `input`, in their order, with their id and origin; returns
    /// how many and their bytes of text.
    fn load(
        &mut self,
        input: &Input,
        push: &mut dyn FnMut(DocInfo, Features),
    ) -> Result<(usize, u64), InputError>;
    /// Told every document that was read and fingerprinted, in order.
    fn keep(&mut self, doc: &DocInfo, features: &Features);
    /// Told that every document was read: nothing more is kept.
    fn kept_all(&mut self) {}
    /// The stored documents' keys, when the run looks them up instead of scanning them (the
    /// stored documents were then pushed without what they hold; see [`StoredKeys`]).
    fn stored_keys(&self) -> Option<&dyn StoredKeys> {
        None
    }
}

/// No input stored, nothing kept: a plain run.
pub struct NothingStored;

impl FeatureStore for NothingStored {
    fn holds(&self, _: &Input) -> bool {
        false
    }

    fn load(
        &mut self,
        _: &Input,
        _: &mut dyn FnMut(DocInfo, Features),
    ) -> Result<(usize, u64), InputError> {
        Ok((0, 0))
    }

    fn keep(&mut self, _: &DocInfo, _: &Features) {}
}

/// [`analyze`], taking the documents of the inputs `store` holds from it rather than reading them.
pub fn analyze_stored(
    inputs: &[Input],
    read_options: &ReadOptions,
    (config, pivoter): (&Config, &Pivoter),
    hooks: Hooks<'_>,
    store: &mut dyn FeatureStore,
) -> Result<Analysis, InputError> {
    let Hooks {
        keep_text,
        on_warning,
        on_progress,
        spill,
        fresh,
    } = hooks;
    let translations = config.wants(RelationKind::Translation);
    let eager = translations && !keep_text && inputs.contains(&Input::Stdin);
    // Stored features hold neither texts nor pivot documents: a run that keeps either reads all.
    let store: &mut dyn FeatureStore = if keep_text || eager {
        &mut NothingStored
    } else {
        store
    };
    let start = Instant::now();
    let featurizer = Featurizer {
        config,
        pivoter,
        translations,
        eager,
    };
    let (collected, mut report) = read_and_fingerprint(
        inputs,
        read_options,
        (&featurizer, Fingerprints::new(spill), store),
        (keep_text, fresh),
        (on_warning, on_progress),
    )?;
    store.kept_all();
    let read_time = start.elapsed().saturating_sub(collected.fingerprint_time);
    let Collected {
        docs,
        fingerprints,
        keyed,
        mut eager_pivots,
        fingerprint_time,
        ..
    } = collected;

    let mut changed: Vec<DocId> = Vec::new();
    let mut pivots_of = |wanted: &[DocId]| -> Vec<Option<PivotDoc>> {
        if eager {
            return wanted
                .iter()
                .map(|d| eager_pivots[d.index()].take())
                .collect();
        }
        if keep_text {
            return wanted
                .par_iter()
                .map(|d| {
                    let doc = &docs[d.index()];
                    pivoter.pivot(doc.text()?, doc.lang.as_deref()?)
                })
                .collect();
        }
        let reread = reread_pivots(inputs, read_options, wanted, &docs, &fingerprints, pivoter);
        changed = reread.changed;
        reread.pivots
    };
    on_progress(Progress::Stage(if translations {
        "matching: candidate tables and translations"
    } else {
        "matching: candidate tables"
    }));
    let translation = translations.then_some(TranslationInput {
        keyed,
        pivots_of: &mut pivots_of,
    });
    // Documents whose stored features hold their anchors only: their whole sets, from their text.
    let mut changed_sets: Vec<DocId> = Vec::new();
    let mut fetch_whole = |wanted: &[DocId]| {
        let (sets, changed) =
            reread_sets(inputs, read_options, wanted, (&docs, &fingerprints), config);
        fingerprints.add_whole(sets);
        changed_sets.extend(changed);
    };
    let stored = store.stored_keys();
    if let Some(keys) = stored {
        if Some(keys.documents() as u32) != config.pairs_from {
            let reason = format!(
                "its postings are of {} documents, the run has {} before the new ones",
                keys.documents(),
                config.pairs_from.unwrap_or(0)
            );
            return Err(InputError::Stored(reason));
        }
    }
    let reread_keys =
        |wanted: &[DocId]| reread_keys(inputs, read_options, wanted, (&docs, &fingerprints));
    let reread_anchors = |wanted: &[DocId]| {
        let (sets, changed) =
            reread_sets(inputs, read_options, wanted, (&docs, &fingerprints), config);
        if !changed.is_empty() {
            return None;
        }
        let modulus = config.anchor_modulus;
        let anchors = (sets.iter())
            .map(|(_, set)| Shingles::of_sorted(set).anchors(modulus).collect())
            .collect();
        fingerprints.add_whole(sets);
        Some(anchors)
    };
    let stored = stored.map(|stored| RereadKeys {
        stored,
        reread: &reread_keys,
        reread_anchors: &reread_anchors,
    });
    let stored = stored.as_ref().map(|s| s as &dyn StoredKeys);
    let matched = relate_fingerprints_stored(
        &fingerprints,
        translation,
        config,
        (&mut fetch_whole, stored),
    );
    if let Some(failure) = stored.and_then(|k| k.failure()) {
        return Err(InputError::Stored(failure));
    }
    // Only stored documents are held by their anchors: one whose text is not what was stored
    // means a damaged store, and its pairs cannot be scored as one run would.
    if let Some(d) = changed_sets.first() {
        return Err(InputError::Stored(unreadable_stored(&docs[d.index()])));
    }
    for d in changed {
        warn_changed(&docs[d.index()], &mut report, on_warning);
    }
    report.empty_documents = fingerprints.heads().iter().filter(|f| f.is_empty()).count();
    let times = (read_time, fingerprint_time);
    Ok(Analysis::of(
        docs,
        fingerprints,
        report,
        matched,
        times,
        (config, pivoter),
    ))
}

/// Who hears of input problems and of progress.
type Listeners<'a> = (
    &'a mut dyn FnMut(&InputWarning),
    &'a mut dyn FnMut(Progress),
);

/// Reads the inputs, fingerprinting them in parallel batches of [`BATCH_DOCS`] as they come; the
/// documents of the inputs `store` holds are taken from it instead, in their place.
fn read_and_fingerprint(
    inputs: &[Input],
    read_options: &ReadOptions,
    (featurizer, fingerprints, store): (&Featurizer<'_>, Fingerprints, &mut dyn FeatureStore),
    (keep_text, mut fresh): (bool, Option<&mut dyn FreshInput>),
    (on_warning, on_progress): Listeners<'_>,
) -> Result<(Collected, ReadReport), InputError> {
    let mut collected = Collected {
        fingerprints,
        ..Collected::default()
    };
    let mut report = ReadReport::default();
    let mut at = 0;
    while at < inputs.len() {
        if store.holds(&inputs[at]) {
            let push = &mut |info, f| collected.push(info, f, featurizer);
            let (documents, bytes) = store.load(&inputs[at], push)?;
            report.documents += documents;
            report.bytes += bytes;
            report.files += 1;
            on_progress(Progress::Read(collected.docs.len()));
            at += 1;
            continue;
        }
        let is_fresh = |k: usize| fresh.as_ref().is_some_and(|f| f.gives(&inputs[k]));
        let fresh_here = is_fresh(at);
        // The inputs up to the next stored or fresh one are read in one go (ids are made unique
        // within it; a store's own ids are unique by construction, and so are a fresh input's).
        let end = match fresh_here {
            true => at + 1,
            false => (at..inputs.len())
                .find(|&k| store.holds(&inputs[k]) || is_fresh(k))
                .unwrap_or(inputs.len()),
        };
        let run = ReadRun {
            inputs: &inputs[at..end],
            options: read_options,
            keep_text,
            fresh: if fresh_here {
                fresh.as_deref_mut()
            } else {
                None
            },
        };
        let part = run.read(
            featurizer,
            (&mut collected, &mut *store),
            on_warning,
            on_progress,
        )?;
        report.absorb(part);
        at = end;
    }
    if collected.spill_error.is_none() {
        let settled = collected.fingerprints.settle();
        let settled = settled.and_then(|()| collected.keyed.settle());
        collected.spill_error = settled.err();
    }
    match collected.spill_error.take() {
        Some(e) => Err(InputError::Spill(e)),
        None => Ok((collected.shrunk(), report)),
    }
}

/// Inputs read one after the other.
struct ReadRun<'a, 'f> {
    inputs: &'a [Input],
    options: &'a ReadOptions,
    keep_text: bool,
    /// The one input of the run, handed over as it is written.
    fresh: Option<&'a mut (dyn FreshInput + 'f)>,
}

impl ReadRun<'_, '_> {
    /// Reads the inputs into `collected`, fingerprinting them in parallel batches of
    /// [`BATCH_DOCS`], and tells `store` each document's features.
    fn read(
        self,
        featurizer: &Featurizer<'_>,
        (collected, store): (&mut Collected, &mut dyn FeatureStore),
        on_warning: &mut dyn FnMut(&InputWarning),
        on_progress: &mut dyn FnMut(Progress),
    ) -> Result<ReadReport, InputError> {
        let keep_text = self.keep_text;
        // A batch's documents, fingerprinted, are kept in order by this thread while the pool
        // fingerprints the next one (keeping a million took 3-4 s on one thread, the other core
        // mostly idle: BENCHMARKS.md section 48). The next batches are read meanwhile.
        let mut keep = |(batch, features): (Vec<Document>, Vec<Features>)| {
            for (d, f) in batch.into_iter().zip(features) {
                let text = keep_text.then(|| d.text.into_boxed_str());
                let info = DocInfo::new(d.id, d.origin, f.fingerprint.words, d.record, text);
                store.keep(&info, &f);
                collected.push(info, f, featurizer);
            }
            on_progress(Progress::Read(collected.docs.len()));
        };
        let mut fingerprint_time = Duration::ZERO;
        let mut fingerprinted: Option<(Vec<Document>, Vec<Features>)> = None;
        let mut flush = |batch: Vec<Document>| {
            let t = Instant::now();
            let mut features: Vec<Features> = Vec::new();
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| {
                    features = batch
                        .par_iter()
                        .map(|d| featurizer.features(&d.text, d.lang.as_deref()))
                        .collect();
                });
                if let Some(before) = fingerprinted.take() {
                    keep(before);
                }
            });
            fingerprint_time += t.elapsed();
            fingerprinted = Some((batch, features));
        };
        let report = match self.fresh {
            Some(fresh) => fresh.read(BATCH_DOCS, &mut flush),
            None => read_inputs_ahead(
                self.inputs,
                self.options,
                BATCH_DOCS,
                &mut flush,
                on_warning,
            ),
        };
        if let Some(last) = fingerprinted.take() {
            let t = Instant::now();
            keep(last);
            fingerprint_time += t.elapsed();
        }
        collected.fingerprint_time += fingerprint_time;
        report
    }
}

/// The message for a stored document whose text cannot be read again as it was fingerprinted.
fn unreadable_stored(doc: &DocInfo) -> String {
    let line = doc
        .origin
        .line
        .map(|l| format!(", line {l}"))
        .unwrap_or_default();
    format!(
        "{}{line} (document {}): damaged: its text cannot be read again as it was indexed; \
         restore the index from a copy or create it again",
        doc.origin.file, doc.id
    )
}

/// Reports a document whose input changed between the two readings.
fn warn_changed(doc: &DocInfo, report: &mut ReadReport, on_warning: &mut dyn FnMut(&InputWarning)) {
    let warning = InputWarning::new(
        format!("{} ({})", doc.origin, doc.id),
        WarningKind::ChangedInput,
        "changed while twinwire was running (its text is read again to check translations); \
         its translations are not reported. Run on inputs that do not change during the run"
            .into(),
    );
    *report.warnings.entry(warning.kind).or_default() += 1;
    on_warning(&warning);
}

impl Analysis {
    /// The analysis of a run: its documents and what matching found; `(read, fingerprint)` the
    /// times of the first stages.
    fn of(
        docs: Vec<DocInfo>,
        fingerprints: Fingerprints,
        report: ReadReport,
        matched: Matched,
        (read, fingerprint): (Duration, Duration),
        (config, pivoter): (&Config, &Pivoter),
    ) -> Analysis {
        let times = StageTimes {
            read: read + matched.whole_sets_time,
            fingerprint,
            candidates: matched.candidates_time,
            score: Duration::ZERO,
            translate: matched.translate_time,
        };
        // The languages translations are looked for in, when they are.
        let checked_languages = if config.wants(RelationKind::Translation) {
            pivoter.languages().into_iter().map(String::from).collect()
        } else {
            Vec::new()
        };
        Analysis {
            docs,
            fingerprints,
            report,
            matched,
            times,
            config: config.clone(),
            checked_languages,
        }
    }
}

/// Runs the pipeline over documents in memory (the library's and Python's way in). Their texts are
/// not copied: translation candidates are put in pivot space from `documents` directly.
pub fn analyze_documents(
    documents: &[crate::Document],
    config: &Config,
    pivoter: &Pivoter,
) -> Analysis {
    let translations = config.wants(RelationKind::Translation);
    let featurizer = Featurizer {
        config,
        pivoter,
        translations,
        eager: false,
    };
    let t = Instant::now();
    let features: Vec<Features> = documents
        .par_iter()
        .map(|d| featurizer.features(&d.text, d.lang.as_deref()))
        .collect();
    let mut collected = Collected {
        fingerprint_time: t.elapsed(),
        ..Collected::default()
    };
    let memory: Arc<str> = Arc::from("<memory>");
    for (i, (d, f)) in documents.iter().zip(features).enumerate() {
        let origin = Origin {
            file: memory.clone(),
            line: NonZeroU64::new(i as u64 + 1),
        };
        let info = DocInfo::new(d.id.as_str(), origin, f.fingerprint.words, None, None);
        collected.push(info, f, &featurizer);
    }
    let Collected {
        docs,
        fingerprints,
        keyed,
        fingerprint_time,
        ..
    } = collected;
    let mut pivots_of = |wanted: &[DocId]| -> Vec<Option<PivotDoc>> {
        wanted
            .par_iter()
            .map(|d| pivoter.pivot(&documents[d.index()].text, docs[d.index()].lang.as_deref()?))
            .collect()
    };
    let translation = translations.then_some(TranslationInput {
        keyed,
        pivots_of: &mut pivots_of,
    });
    let matched = relate_fingerprints(&fingerprints, translation, config, &mut |_| {});
    let report = ReadReport {
        documents: docs.len(),
        bytes: documents.iter().map(|d| d.text.len() as u64).sum(),
        empty_documents: fingerprints.heads().iter().filter(|f| f.is_empty()).count(),
        ..ReadReport::default()
    };
    let times = (Duration::ZERO, fingerprint_time);
    Analysis::of(
        docs,
        fingerprints,
        report,
        matched,
        times,
        (config, pivoter),
    )
}

/// What one pass over a document's words gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub fingerprint: Fingerprint,
    /// Given (normalized) or, when translations are asked for, detected.
    pub lang: Option<String>,
    /// Translation candidate keys, in a supported language.
    pub keys: Option<Vec<u32>>,
    /// The document in pivot space, when pivoting happens as documents are read.
    pub pivot: Option<PivotDoc>,
    /// `Some(n)` when `fingerprint.shingles` holds only the anchors of the document's `n`
    /// shingles (features stored by an index: [`crate::index::features`]).
    pub anchors_only: Option<u32>,
}

/// Computes [`Features`]: one tokenization serves the fingerprint, the language and the keys, in
/// memory each thread reuses.
struct Featurizer<'a> {
    config: &'a Config,
    pivoter: &'a Pivoter,
    translations: bool,
    /// Put documents in pivot space as they are read (standard input cannot be read twice).
    eager: bool,
}

impl Featurizer<'_> {
    fn features(&self, text: &str, lang: Option<&str>) -> Features {
        TOKENS.with(|tokens| {
            let mut tokens = tokens.borrow_mut();
            tokens.refill(text);
            let tokens = &*tokens;
            let fingerprint = Fingerprint::of_tokens(tokens, self.config);
            if !self.translations {
                return Features {
                    fingerprint,
                    lang: lang.and_then(normalize_lang),
                    keys: None,
                    pivot: None,
                    anchors_only: None,
                };
            }
            let (lang, keys) = language_and_keys(text, tokens, lang, self.pivoter);
            let pivot = match (&lang, self.eager && keys.is_some()) {
                (Some(l), true) => self.pivoter.pivot_tokens(text, tokens, l),
                _ => None,
            };
            Features {
                fingerprint,
                lang,
                keys,
                pivot,
                anchors_only: None,
            }
        })
    }
}

/// A document's language (`given`, normalized, or detected) and, in a language `pivoter`
/// supports, its translation candidate keys.
pub(crate) fn language_and_keys(
    text: &str,
    tokens: &TokenList,
    given: Option<&str>,
    pivoter: &Pivoter,
) -> (Option<String>, Option<Vec<u32>>) {
    // The function words are looked up once, for the language and the keys both, and only if
    // one of them needs them.
    let hits = std::cell::OnceCell::new();
    let hits = || hits.get_or_init(|| FunctionWordHits::of(tokens));
    let lang = given
        .and_then(normalize_lang)
        .or_else(|| hits().language().map(String::from));
    let keys = lang
        .as_deref()
        .filter(|l| pivoter.supports(l))
        .map(|l| candidate_keys_knowing(text, tokens, l, hits().has_foreign(l)));
    (lang, keys)
}

/// The documents fingerprinted so far.
#[derive(Default)]
struct Collected {
    docs: Vec<DocInfo>,
    fingerprints: Fingerprints,
    /// The first failure to write the temporary file, if any (reading stops being useful then).
    spill_error: Option<std::io::Error>,
    keyed: KeyedDocs,
    eager_pivots: Vec<Option<PivotDoc>>,
    fingerprint_time: Duration,
}

impl Collected {
    /// Without what its vectors reserved past their length: at ten million documents, doubling
    /// had left a gigabyte unused (BENCHMARKS.md, section 33).
    fn shrunk(mut self) -> Collected {
        self.docs.shrink_to_fit();
        self.fingerprints.shrink_to_fit();
        self.keyed.shrink_to_fit();
        self.eager_pivots.shrink_to_fit();
        self
    }

    fn push(&mut self, mut info: DocInfo, f: Features, featurizer: &Featurizer<'_>) {
        if featurizer.translations {
            self.keyed.push(f.lang.as_deref().zip(f.keys.as_deref()));
        }
        // Every code the pipeline makes is two letters: none is lost here.
        info.lang = f.lang.as_deref().and_then(LangCode::new);
        self.docs.push(info);
        let spilled = self.fingerprints.spilled_bytes();
        let pushed = match f.anchors_only {
            Some(count) => self.fingerprints.push_anchors_only(f.fingerprint, count),
            None => self.fingerprints.push(f.fingerprint),
        };
        // The translation keys go to disk with the sets, chunk by chunk, once they do.
        let pushed = pushed.and_then(|()| match self.fingerprints.spilled_bytes() > spilled {
            true => self.keyed.spill(self.fingerprints.spill_dir()),
            false => Ok(()),
        });
        if let Err(e) = pushed {
            self.spill_error.get_or_insert(e);
        }
        if featurizer.eager {
            self.eager_pivots.push(f.pivot);
        }
    }
}

/// Pivot documents read again from the inputs.
struct Reread {
    /// One per wanted document; `None` when it is gone or changed.
    pivots: Vec<Option<PivotDoc>>,
    /// Wanted documents that are not what was read the first time.
    changed: Vec<DocId>,
}

/// Reads the inputs again for the whole shingle sets of the `wanted` documents (sorted), held by
/// their anchors only (an index's stored features), each checked to be the document
/// fingerprinted the first time; one that is not gets an empty set and is in the second list.
fn reread_sets(
    inputs: &[Input],
    read_options: &ReadOptions,
    wanted: &[DocId],
    (docs, fingerprints): (&[DocInfo], &Fingerprints),
    config: &Config,
) -> (Vec<(DocId, Vec<u32>)>, Vec<DocId>) {
    let set_of = |at: usize, doc: &Document| -> Option<Vec<u32>> {
        let d = wanted[at];
        let (exact, shingles) = Fingerprint::set_of_text(&doc.text, config);
        let same = exact == fingerprints[d.index()].exact
            && shingles.len() == fingerprints.shingle_count(d.index());
        same.then(|| shingles.as_slice().to_vec())
    };
    let sets = reread_wanted(inputs, read_options, wanted, docs, &set_of);
    let changed = (wanted.iter().zip(&sets))
        .filter(|(_, s)| s.is_none())
        .map(|(&d, _)| d)
        .collect();
    let sets = (wanted.iter().zip(sets))
        .map(|(&d, s)| (d, s.unwrap_or_default()))
        .collect();
    (sets, changed)
}

/// Reads the inputs again and puts the `wanted` documents (sorted) in pivot space, each checked to
/// be the document fingerprinted the first time. Other JSONL lines are passed over unparsed.
/// Problems were reported by the first reading and are not repeated.
fn reread_pivots(
    inputs: &[Input],
    read_options: &ReadOptions,
    wanted: &[DocId],
    docs: &[DocInfo],
    fingerprints: &Fingerprints,
    pivoter: &Pivoter,
) -> Reread {
    // Every wanted document has a supported language (it was keyed), so a `None` left here is a
    // document gone or changed.
    let pivot_of = |at: usize, doc: &Document| -> Option<PivotDoc> {
        let d = wanted[at];
        let tokens = TokenList::of(&doc.text);
        let same = exact_hash_of(&tokens) == fingerprints[d.index()].exact;
        let lang = docs[d.index()].lang.as_deref().filter(|_| same)?;
        pivoter.pivot_tokens(&doc.text, &tokens, lang)
    };
    let pivots = reread_wanted(inputs, read_options, wanted, docs, &pivot_of);
    let changed = (0..wanted.len())
        .filter(|&at| pivots[at].is_none())
        .map(|at| wanted[at])
        .collect();
    Reread { pivots, changed }
}

/// An `add`'s stored keys, with the translation keys and anchors of a few stored documents made
/// again from their texts instead of read from the postings: the postings are sorted by key, so
/// reading the keys of any number of documents there is a pass over every stored key (0.13 to
/// 0.17 s at a million, three times in an `add` of a daily batch, for three to three thousand
/// documents), while reading a few texts again takes a few milliseconds (BENCHMARKS.md sections
/// 37 and 41). The keys are the same: those the fingerprinting made from the same text and
/// language.
struct RereadKeys<'a> {
    stored: &'a dyn StoredKeys,
    /// The keys of the given documents (sorted), made from their texts read again; `None` when
    /// one is not what was stored (the postings then answer, and the damage is found there).
    reread: &'a RereadKeysOf<'a>,
    /// The anchors of the given documents (sorted), made from their texts read again, their whole
    /// sets given to the fingerprints on the way (scoring reads them next); `None` when one is not
    /// what was stored.
    reread_anchors: &'a RereadKeysOf<'a>,
}

/// The keys of the given documents, made from their texts read again ([`reread_keys`]).
type RereadKeysOf<'a> = dyn Fn(&[DocId]) -> Option<Vec<Vec<u32>>> + Sync + 'a;

/// [`RereadKeys`] reads texts again for at most this share of the stored documents; a pass over
/// the postings costs less than reading more.
const REREAD_KEYS_SHARE: usize = 32;

/// [`RereadKeys`] makes anchors from texts read again for at most this share of the stored
/// documents: reading a text again takes about 15 microseconds, a pass over every stored anchor
/// 0.2 to 0.3 seconds at a million (BENCHMARKS.md section 41).
const REREAD_ANCHORS_SHARE: usize = 50;

impl StoredKeys for RereadKeys<'_> {
    fn documents(&self) -> usize {
        self.stored.documents()
    }

    fn anchors(
        &self,
        anchors: &[u32],
        keep: &(dyn Fn(DocId) -> bool + Sync),
    ) -> (Vec<(u32, DocId)>, Vec<u32>) {
        self.stored.anchors(anchors, keep)
    }

    fn count_anchors(&self, anchors: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
        self.stored.count_anchors(anchors, keep)
    }

    fn anchors_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
        let few = docs.len() <= self.stored.documents() / REREAD_ANCHORS_SHARE;
        match few.then(|| (self.reread_anchors)(docs)).flatten() {
            Some(anchors) => anchors,
            None => self.stored.anchors_of(docs),
        }
    }

    fn bands(&self, keys: &[u64]) -> Vec<(u64, DocId)> {
        self.stored.bands(keys)
    }

    fn failure(&self) -> Option<String> {
        self.stored.failure()
    }

    fn translation_keys(&self) -> bool {
        self.stored.translation_keys()
    }

    fn count_keys(&self, keys: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
        self.stored.count_keys(keys, keep)
    }

    fn keys_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
        let few = docs.len() <= self.stored.documents() / REREAD_KEYS_SHARE;
        match few.then(|| (self.reread)(docs)).flatten() {
            Some(keys) => keys,
            None => self.stored.keys_of(docs),
        }
    }

    fn key_parts(&self) -> Vec<u64> {
        self.stored.key_parts()
    }

    fn key_postings(
        &self,
        part: usize,
        keys: &[u32],
        keep: &(dyn Fn(DocId) -> bool + Sync),
        found: &mut Vec<(u32, DocId)>,
    ) {
        self.stored.key_postings(part, keys, keep, found)
    }
}

/// The translation keys of the `wanted` documents (sorted, each keyed), made again from their
/// texts read again from the inputs that hold them; `None` when one is gone or changed.
fn reread_keys(
    inputs: &[Input],
    read_options: &ReadOptions,
    wanted: &[DocId],
    (docs, fingerprints): (&[DocInfo], &Fingerprints),
) -> Option<Vec<Vec<u32>>> {
    let keys_of = |at: usize, doc: &Document| -> Option<Vec<u32>> {
        let d = wanted[at];
        let tokens = TokenList::of(&doc.text);
        let same = exact_hash_of(&tokens) == fingerprints[d.index()].exact;
        let lang = docs[d.index()].lang.as_deref().filter(|_| same)?;
        Some(candidate_keys(&doc.text, &tokens, lang))
    };
    // Only the files that hold them: the new batch is not scanned for stored documents.
    let files: HashSet<&str> = wanted
        .iter()
        .map(|d| &*docs[d.index()].origin.file)
        .collect();
    let holding: Vec<Input> = (inputs.iter())
        .filter(|i| matches!(i, Input::Path(p) if files.contains(p.display().to_string().as_str())))
        .cloned()
        .collect();
    reread_wanted(&holding, read_options, wanted, docs, &keys_of)
        .into_iter()
        .collect()
}

/// Reads the inputs again and makes each of the `wanted` documents (sorted) into what `make`
/// gives (told its place in `wanted`); `None` for one not found. Other JSONL lines are passed over
/// unparsed, and frames of a framed batch that hold no wanted line are not decoded.
fn reread_wanted<T: Send>(
    inputs: &[Input],
    read_options: &ReadOptions,
    wanted: &[DocId],
    docs: &[DocInfo],
    make: &(dyn Fn(usize, &Document) -> Option<T> + Sync),
) -> Vec<Option<T>> {
    // A document is known by where it was read, (file, line), and its rank among the documents
    // read there (several for an SGML file, one for a JSONL line or a text file).
    type Place = (Arc<str>, Option<u64>);
    let place = |o: &Origin| -> Place { (o.file.clone(), o.line.map(NonZeroU64::get)) };
    let places: HashSet<Place> = wanted
        .iter()
        .map(|d| place(&docs[d.index()].origin))
        .collect();
    // Most documents are at no wanted place: their lines say so without their file's name.
    let lines: hashbrown::HashSet<Option<u64>> = places.iter().map(|&(_, line)| line).collect();
    let mut seen: HashMap<Place, usize> = HashMap::new();
    let mut wanted_at: HashMap<(Place, usize), usize> = HashMap::new();
    for (i, doc) in docs.iter().enumerate() {
        if !lines.contains(&doc.origin.line.map(NonZeroU64::get)) {
            continue;
        }
        let p = place(&doc.origin);
        if let Some(&(ref file, line)) = places.get(&p) {
            let rank = seen.entry(p).or_default();
            if let Ok(at) = wanted.binary_search(&DocId(i as u32)) {
                wanted_at.insert(((file.clone(), line), *rank), at);
            }
            *rank += 1;
        }
    }
    let only_lines: HashSet<(Arc<str>, u64)> = places
        .iter()
        .filter_map(|(file, line)| Some((file.clone(), (*line)?)))
        .collect();
    let options = ReadOptions {
        keep_records: false,
        strict: false,
        only_lines: Some(Arc::new(only_lines)),
        ..read_options.clone()
    };
    let mut made_of: Vec<Option<T>> = (0..wanted.len()).map(|_| None).collect();
    // Reading is one thread's work: batches are made by the others meanwhile. When they fall
    // behind, the reader makes a batch itself, so that texts do not pile up in memory.
    let made: std::sync::Mutex<Vec<(usize, Option<T>)>> = Default::default();
    let make_batch = |batch: Vec<(usize, Document)>| {
        let made_batch: Vec<(usize, Option<T>)> = batch
            .par_iter()
            .map(|(at, doc)| (*at, make(*at, doc)))
            .collect();
        made.lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(made_batch);
    };
    let in_flight = AtomicUsize::new(0);
    let max_in_flight = 2 * rayon::current_num_threads();
    seen.clear();
    rayon::scope(|scope| {
        let mut batch: Vec<(usize, Document)> = Vec::with_capacity(REREAD_BATCH_DOCS);
        let send = |batch: Vec<(usize, Document)>| {
            if in_flight.load(Ordering::Acquire) >= max_in_flight {
                return make_batch(batch);
            }
            in_flight.fetch_add(1, Ordering::AcqRel);
            let (make_batch, in_flight) = (&make_batch, &in_flight);
            scope.spawn(move |_| {
                make_batch(batch);
                in_flight.fetch_sub(1, Ordering::AcqRel);
            });
        };
        // An input that cannot be read now leaves its documents out; they are reported as changed.
        let _ = read_inputs(
            inputs,
            &options,
            &mut |doc| {
                let p = place(&doc.origin);
                if !places.contains(&p) {
                    return;
                }
                let rank = seen.entry(p.clone()).or_default();
                let key = (p, *rank);
                *rank += 1;
                if let Some(&at) = wanted_at.get(&key) {
                    batch.push((at, doc));
                    if batch.len() >= REREAD_BATCH_DOCS {
                        send(std::mem::take(&mut batch));
                    }
                }
            },
            &mut |_| {},
        );
        send(batch);
    });
    for (at, value) in made.into_inner().unwrap_or_else(|e| e.into_inner()) {
        made_of[at] = value;
    }
    made_of
}

/// What translation detection needs besides fingerprints.
pub struct TranslationInput<'a> {
    /// Per document: its language and candidate keys (`None` outside the supported languages).
    pub keyed: KeyedDocs,
    /// The pivot documents of the given documents (sorted), in that order; `None` where there is
    /// none to be had.
    pub pivots_of: &'a mut (dyn FnMut(&[DocId]) -> Vec<Option<PivotDoc>> + Send),
}

/// What the pairs of fingerprinted documents are drawn from, and what finding it cost.
pub struct Matched {
    /// Documents with the same folded text, compared once through their first.
    pub groups: ExactGroups,
    /// The candidate tables over the groups' representatives.
    pub index: CandidateIndex,
    /// Translations between representatives, sorted by (first, second) document.
    pub translations: Vec<Relation>,
    /// Translation candidates aligned.
    pub translation_candidates: usize,
    /// Those candidates, between exact groups' representatives (smaller id first, sorted).
    pub translation_candidate_pairs: Vec<(DocId, DocId)>,
    pub candidates_time: Duration,
    /// Reading again the texts of documents held by their anchors, for their whole sets.
    pub whole_sets_time: Duration,
    pub translate_time: Duration,
}

impl Matched {
    /// The translations, repeated for every exact copy of their documents, sorted.
    pub fn translations_of_copies(&self) -> Vec<Relation> {
        let mut out = Vec::new();
        for t in &self.translations {
            for &a in self.groups.copies(t.a) {
                for &b in self.groups.copies(t.b) {
                    out.push(t.moved_to(a, b));
                }
            }
        }
        out.sort_by_key(|r| (r.a.min(r.b), r.a.max(r.b)));
        out
    }

    /// The related pairs, to stream or collect.
    pub fn related<'a>(
        &'a self,
        fingerprints: &'a Fingerprints,
        config: &'a Config,
    ) -> Related<'a> {
        Related {
            fingerprints,
            groups: &self.groups,
            index: &self.index,
            translations: &self.translations,
            config,
            progress: None,
            new_from: config.pairs_from.map(DocId),
        }
    }
}

/// The stages after fingerprinting: exact groups, candidate tables and translations; the copy
/// relations are found as they are streamed ([`Related`]). Translations are looked for when
/// `translation` is given (and asked for in `config`): their candidates first, then their
/// verification side by side with building the copy candidate tables.
///
/// Documents held by their anchors only (an index's stored features) that a pair may score are
/// given their whole sets by `fetch_whole` (told them, sorted) before any is scored.
pub fn relate_fingerprints(
    fingerprints: &Fingerprints,
    translation: Option<TranslationInput<'_>>,
    config: &Config,
    fetch_whole: &mut (dyn FnMut(&[DocId]) + Send),
) -> Matched {
    relate_fingerprints_stored(fingerprints, translation, config, (fetch_whole, None))
}

/// Gives documents held by their anchors only their whole sets (see [`relate_fingerprints`]).
pub type FetchWhole<'a> = dyn FnMut(&[DocId]) + Send + 'a;

/// [`relate_fingerprints`], the stored documents' keys looked up in `stored` (see
/// [`CandidateIndex::build_around`]) when given.
pub fn relate_fingerprints_stored(
    fingerprints: &Fingerprints,
    translation: Option<TranslationInput<'_>>,
    config: &Config,
    (fetch_whole, stored): (&mut FetchWhole<'_>, Option<&dyn StoredKeys>),
) -> Matched {
    let groups = ExactGroups::of(fingerprints);
    let reps = groups.representatives(fingerprints);
    // With `pairs_from` (an index's `add`), only the pairs whose exact groups hold a new document.
    let holds_new = config
        .pairs_from
        .map(|from| groups.holding_from(DocId(from)));
    let params = &config.translation;
    // Translation candidates first: their keys are dropped before the copy candidates are built.
    // Their rules read statistics of the whole corpus; with `pairs_from`, only the documents
    // that a pair with a new one involves search for partners, and only those pairs are aligned.
    let t = Instant::now();
    let translation = translation.filter(|_| config.wants(RelationKind::Translation));
    let (translation_pairs, pivots_of) = match translation {
        Some(TranslationInput { keyed, pivots_of }) => {
            let new = holds_new.as_deref();
            let pairs = translation_candidates_around(&keyed, &reps, params, (new, stored));
            (pairs, Some(pivots_of))
        }
        None => (Vec::new(), None),
    };
    let candidates_translate_time = t.elapsed();

    // The translation side spends part of its time reading the inputs again on one thread, which
    // building the copy candidate tables (and reading the whole sets they need) fills.
    let wants_copies = RelationKind::DUPLICATES.iter().any(|&k| config.wants(k));
    let ((index, candidates_time, whole_sets_time), (mut translations, verify_time)) = rayon::join(
        || {
            let t = Instant::now();
            let index = if !wants_copies {
                CandidateIndex::build(fingerprints, &[], config)
            } else if config.exhaustive {
                CandidateIndex::every_pair(&reps)
            } else {
                let around = (holds_new.as_deref(), stored);
                CandidateIndex::build_around(fingerprints, &reps, config, around)
            };
            let candidates_time = t.elapsed();
            let t = Instant::now();
            let candidates = (&groups, &index, holds_new.as_deref());
            let lacking = lacking_whole_sets(fingerprints, candidates, &translation_pairs);
            if !lacking.is_empty() {
                fetch_whole(&lacking);
            }
            (index, candidates_time, t.elapsed())
        },
        || {
            let t = Instant::now();
            let found = match pivots_of {
                Some(pivots_of) if !translation_pairs.is_empty() => {
                    verify_translations(&translation_pairs, pivots_of, params)
                }
                _ => Vec::new(),
            };
            (found, t.elapsed())
        },
    );
    // A pair is reported once, with its most specific relation: a copy is never also a translation
    // (a French page with an English paragraph and its typo'd copy are near-duplicates).
    let (mut ba, mut bb) = (Vec::new(), Vec::new());
    translations.retain(|t| {
        let fa = fingerprints.get(t.a.index(), &mut ba);
        let fb = fingerprints.get(t.b.index(), &mut bb);
        relate_either((t.a, fa), (t.b, fb), config).is_none()
    });
    translations.sort_by_key(|r| (r.a.min(r.b), r.a.max(r.b)));
    Matched {
        groups,
        index,
        translations,
        translation_candidates: translation_pairs.len(),
        translation_candidate_pairs: translation_pairs,
        candidates_time,
        whole_sets_time,
        translate_time: candidates_translate_time + verify_time,
    }
}

/// The documents held by their anchors only whose whole sets a later stage may read: those of a
/// translation candidate (checked not to be a copy) and those with a candidate partner or an
/// exact copy (pairs are scored and clusters settled among them). When only the pairs holding a
/// new document are wanted (`holds_new`, by document), the new documents' partners and copies.
fn lacking_whole_sets(
    fingerprints: &Fingerprints,
    (groups, index, holds_new): (&ExactGroups, &CandidateIndex, Option<&[bool]>),
    translation_pairs: &[(DocId, DocId)],
) -> Vec<DocId> {
    if !fingerprints.holds_anchors_only() {
        return Vec::new();
    }
    let translated = translation_pairs.iter().flat_map(|&(a, b)| [a, b]);
    let Some(holds_new) = holds_new else {
        let paired = (0..fingerprints.len() as u32)
            .map(DocId)
            .filter(|&d| index.has_partners(d) || groups.has_copies(d));
        return fingerprints.lacking_whole(paired.chain(translated));
    };
    let wanted: Vec<DocId> = (0..fingerprints.len() as u32)
        .map(DocId)
        .filter(|d| holds_new[d.index()])
        .collect();
    let partners: Vec<DocId> = wanted
        .par_iter()
        .flat_map_iter(|&d| {
            let mut out = Vec::new();
            index.partners(d, fingerprints, &mut out);
            out.extend_from_slice(groups.copies(d));
            out
        })
        .collect();
    fingerprints.lacking_whole(partners.into_iter().chain(wanted).chain(translated))
}

/// The translation candidates that alignment confirms, their documents put in pivot space by
/// `pivots_of`.
fn verify_translations(
    pairs: &[(DocId, DocId)],
    pivots_of: &mut (dyn FnMut(&[DocId]) -> Vec<Option<PivotDoc>> + Send),
    params: &crate::crosslingual::translate::TranslationParams,
) -> Vec<Relation> {
    let mut wanted: Vec<DocId> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let pivots = pivots_of(&wanted);
    let pivot = |d: DocId| {
        let at = wanted.binary_search(&d).ok()?;
        pivots.get(at)?.as_ref()
    };
    pairs
        .par_iter()
        .filter_map(|&(i, j)| {
            let (_, evidence) = verify(pivot(i)?, pivot(j)?, params);
            let e = evidence?;
            Some(Relation {
                a: i,
                b: j,
                kind: RelationKind::Translation,
                score: e.shorter_coverage(),
                evidence: Evidence::Alignment(e),
            })
        })
        .collect()
}

/// The related pairs among in-memory texts (document i is `texts[i]`), for the copy relations: the
/// library's shortest path.
pub fn relate_texts<S: AsRef<str> + Sync>(texts: &[S], config: &Config) -> Vec<Relation> {
    let fingerprints: Vec<Fingerprint> = texts
        .par_iter()
        .map(|t| Fingerprint::of_text(t.as_ref(), config))
        .collect();
    let fingerprints = Fingerprints::from(fingerprints);
    let matched = relate_fingerprints(&fingerprints, None, config, &mut |_| {});
    matched.related(&fingerprints, config).collect().0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn a_document_costs_seventy_two_bytes_and_its_short_id_no_allocation() {
        // Ten million documents are resident for the whole run: each byte here is 10 MB there.
        assert_eq!(std::mem::size_of::<DocInfo>(), 72);
        let origin = Origin {
            file: Arc::from("a.jsonl"),
            line: NonZeroU64::new(1),
        };
        let doc = DocInfo::new(
            String::from("000001a09aceb40f"),
            origin.clone(),
            3,
            None,
            None,
        );
        assert!(!doc.id.is_heap_allocated());
        assert_eq!((doc.record(), doc.text()), (None, None));
        let text = Some(Box::from("the text"));
        let kept = DocInfo::new(
            "https://example.com/a/long/url/for/an/id",
            origin,
            3,
            None,
            text,
        );
        assert_eq!(
            (kept.id.as_str(), kept.text()),
            ("https://example.com/a/long/url/for/an/id", Some("the text"))
        );
    }

    #[test]
    fn keys_read_again_are_those_the_fingerprinting_made() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("batch.jsonl");
        // The sample's five articles (French and English), and a short one in no language.
        let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/bamako");
        let mut files: Vec<_> = (std::fs::read_dir(&sample).unwrap())
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        files.sort();
        let mut texts: Vec<String> = files
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect();
        texts.push("zzz qqq xxyz".into());
        let lines: Vec<String> = (texts.iter().enumerate())
            .map(|(i, t)| serde_json::json!({"id": format!("d{i}"), "text": t}).to_string())
            .collect();
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let inputs = [Input::Path(path.clone())];
        let (config, options) = (Config::default(), ReadOptions::default());
        let pivoter = Pivoter::new(vec![crate::crosslingual::lexicon::Lexicon::bundled_fr_en()]);
        let featurizer = Featurizer {
            config: &config,
            pivoter: &pivoter,
            translations: true,
            eager: false,
        };
        let store = (
            &featurizer,
            Fingerprints::new(Spill::default()),
            &mut NothingStored as &mut dyn FeatureStore,
        );
        let (collected, _) = read_and_fingerprint(
            &inputs,
            &options,
            store,
            (false, None),
            (&mut |_| {}, &mut |_| {}),
        )
        .unwrap();
        let (docs, fingerprints) = (&collected.docs, &collected.fingerprints);
        let keyed: Vec<DocId> = (0..docs.len() as u32)
            .map(DocId)
            .filter(|d| collected.keyed.lang(d.index()).is_some())
            .collect();
        assert_eq!(keyed.len(), 5);
        let again = reread_keys(&inputs, &options, &keyed, (docs, fingerprints)).unwrap();
        let mut buf = Vec::new();
        for (d, keys) in keyed.iter().zip(&again) {
            assert!(!keys.is_empty());
            assert_eq!(
                keys.as_slice(),
                collected.keyed.keys(d.index(), &mut buf),
                "document {d:?}"
            );
        }
        // A text that is not what was fingerprinted is not read as it.
        let changed = lines.join("\n").replace("Bamako", "Bamaco") + "\n";
        std::fs::write(&path, changed).unwrap();
        assert!(reread_keys(&inputs, &options, &keyed, (docs, fingerprints)).is_none());
    }

    #[test]
    fn language_codes_are_normalized() {
        for (given, want) in [
            ("fr", "fr"),
            ("FR", "fr"),
            ("fr-FR", "fr"),
            ("fra", "fr"),
            ("English", "en"),
            ("en_US", "en"),
        ] {
            assert_eq!(normalize_lang(given).as_deref(), Some(want), "{given}");
        }
        assert_eq!(normalize_lang(""), None);
        assert_eq!(normalize_lang("klingon"), None);
    }
}
