//! The whole way through: read -> fingerprint (and pivot) -> candidates -> score -> relate ->
//! translations -> copies expanded.
//!
//! Documents are fingerprinted in parallel batches as they are read, and their text is dropped unless
//! the caller needs it, so memory holds features, not the corpus. When translations are asked for,
//! each document in a supported language also gets its pivot representation in the same batch.
//! Each stage's wall time is recorded.

use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::candidates::{candidate_pairs, ExactGroups};
use crate::config::Config;
use crate::corpus::{
    read_inputs, Document, Input, InputError, InputWarning, Origin, ReadOptions, ReadReport, Record,
};
use crate::crosslingual::pivot::{PivotDoc, Pivoter};
use crate::crosslingual::translate::{translation_candidates, verify};
use crate::fingerprint::Fingerprint;
use crate::relate::{relate, Evidence, Relation, RelationKind};
use crate::score::{score, score_all_pairs, score_pairs};
use crate::text::{detect_language_of, TokenList};
use crate::DocId;

/// What the pipeline keeps of each document.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub id: String,
    pub origin: Origin,
    pub words: u32,
    /// Language code: from the input's language field, else detected when translations are asked
    /// for; `None` when unknown.
    pub lang: Option<String>,
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
    /// Normalization, shingling, SimHash and MinHash; language and pivot for translations.
    pub fingerprint: Duration,
    pub candidates: Duration,
    /// Exact scoring and relation decisions.
    pub score: Duration,
    /// Translation candidates and sentence alignment.
    pub translate: Duration,
}

/// The result of a run.
#[derive(Debug)]
pub struct Analysis {
    pub docs: Vec<DocInfo>,
    pub fingerprints: Vec<Fingerprint>,
    /// Pivot documents (when translations were asked for), by document.
    pub pivots: Vec<Option<PivotDoc>>,
    /// Related pairs, sorted by (first document, second document, relation) in input order.
    pub relations: Vec<Relation>,
    pub report: ReadReport,
    /// Pairs scored (candidates, or all pairs with `exhaustive`).
    pub candidates: usize,
    /// Translation candidates aligned.
    pub translation_candidates: usize,
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
pub fn analyze(
    inputs: &[Input],
    read_options: &ReadOptions,
    config: &Config,
    pivoter: &Pivoter,
    hooks: Hooks<'_>,
) -> Result<Analysis, InputError> {
    let Hooks {
        keep_text,
        on_warning,
        on_progress,
    } = hooks;
    let translations = config.wants(RelationKind::Translation);
    let start = Instant::now();
    let mut docs: Vec<DocInfo> = Vec::new();
    let mut fingerprints: Vec<Fingerprint> = Vec::new();
    let mut pivots: Vec<Option<PivotDoc>> = Vec::new();
    let mut batch: Vec<Document> = Vec::with_capacity(BATCH_DOCS);
    let mut fingerprint_time = Duration::ZERO;
    let mut flush = |batch: &mut Vec<Document>,
                     docs: &mut Vec<DocInfo>,
                     fps: &mut Vec<Fingerprint>,
                     pivots: &mut Vec<Option<PivotDoc>>| {
        let t = Instant::now();
        let new: Vec<(Fingerprint, Option<String>, Option<PivotDoc>)> = batch
            .par_iter()
            .map(|d| {
                // One tokenization serves the fingerprint, the language and the pivot.
                let tokens = TokenList::of(&d.text);
                let f = Fingerprint::of_tokens(&tokens, config);
                let given = d.lang.as_deref().and_then(normalize_lang);
                if !translations {
                    return (f, given, None);
                }
                let lang = given.or_else(|| detect_language_of(&tokens).map(String::from));
                let pivot = lang
                    .as_deref()
                    .and_then(|l| pivoter.pivot_tokens(&d.text, &tokens, l));
                (f, lang, pivot)
            })
            .collect();
        fingerprint_time += t.elapsed();
        for (d, (f, lang, pivot)) in batch.drain(..).zip(new) {
            docs.push(DocInfo {
                id: d.id,
                origin: d.origin,
                words: f.words,
                lang,
                record: d.record,
                text: keep_text.then_some(d.text),
            });
            fps.push(f);
            pivots.push(pivot);
        }
        on_progress(docs.len());
    };
    let mut report = read_inputs(
        inputs,
        read_options,
        &mut |doc| {
            batch.push(doc);
            if batch.len() >= BATCH_DOCS {
                flush(&mut batch, &mut docs, &mut fingerprints, &mut pivots);
            }
        },
        on_warning,
    )?;
    flush(&mut batch, &mut docs, &mut fingerprints, &mut pivots);
    report.empty_documents = fingerprints.iter().filter(|f| f.is_empty()).count();
    let read_time = start.elapsed().saturating_sub(fingerprint_time);

    let matched = relate_fingerprints(&fingerprints, &pivots, config);
    Ok(Analysis {
        docs,
        fingerprints,
        pivots,
        relations: matched.relations,
        report,
        candidates: matched.scored,
        translation_candidates: matched.translation_candidates,
        times: StageTimes {
            read: read_time,
            fingerprint: fingerprint_time,
            candidates: matched.candidates_time,
            score: matched.score_time,
            translate: matched.translate_time,
        },
    })
}

/// The related pairs among fingerprinted documents, and what finding them cost.
#[derive(Debug)]
pub struct Matched {
    /// Sorted by (first document, second document, relation) in input order.
    pub relations: Vec<Relation>,
    /// Pairs scored.
    pub scored: usize,
    /// Translation candidates aligned.
    pub translation_candidates: usize,
    pub candidates_time: Duration,
    pub score_time: Duration,
    pub translate_time: Duration,
}

/// The stages after fingerprinting: candidates -> score -> relate -> translations -> copies
/// expanded. `pivots` is empty or holds one entry per document.
pub fn relate_fingerprints(
    fingerprints: &[Fingerprint],
    pivots: &[Option<PivotDoc>],
    config: &Config,
) -> Matched {
    let t = Instant::now();
    let groups = ExactGroups::of(fingerprints);
    let reps = groups.representatives(fingerprints);
    let wants_copies = RelationKind::DUPLICATES.iter().any(|&k| config.wants(k));
    let pairs = if config.exhaustive || !wants_copies {
        Vec::new()
    } else {
        candidate_pairs(fingerprints, &reps, config)
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
    let (scored, mut rep_relations) = if !wants_copies {
        (0, Vec::new())
    } else if config.exhaustive {
        let n = reps.len();
        (
            n * n.saturating_sub(1) / 2,
            score_all_pairs(fingerprints, &reps, keep),
        )
    } else {
        (pairs.len(), score_pairs(fingerprints, &pairs, keep))
    };
    let score_time = t.elapsed();

    let t = Instant::now();
    let mut translation_count = 0;
    if config.wants(RelationKind::Translation) && pivots.len() == fingerprints.len() {
        let params = &config.translation;
        let candidates = translation_candidates(pivots, &reps, params);
        translation_count = candidates.len();
        let found: Vec<Relation> = candidates
            .par_iter()
            .filter_map(|&(i, j)| {
                let (a, b) = (pivots[i.index()].as_ref()?, pivots[j.index()].as_ref()?);
                let (_, evidence) = verify(a, b, params);
                let e = evidence?;
                Some(Relation {
                    a: i,
                    b: j,
                    kind: RelationKind::Translation,
                    score: e.shorter_coverage(),
                    evidence: Evidence::Alignment(e),
                })
            })
            .collect();
        rep_relations.extend(found);
    }
    let translate_time = t.elapsed();

    let relations = expand_copies(&groups, fingerprints, rep_relations, config);
    Matched {
        relations,
        scored,
        translation_candidates: translation_count,
        candidates_time,
        score_time,
        translate_time,
    }
}

/// The related pairs among in-memory texts (document i is `texts[i]`), for the copy relations: the
/// library's shortest path.
pub fn relate_texts<S: AsRef<str> + Sync>(texts: &[S], config: &Config) -> Vec<Relation> {
    let fingerprints: Vec<Fingerprint> = texts
        .par_iter()
        .map(|t| Fingerprint::of_text(t.as_ref(), config))
        .collect();
    relate_fingerprints(&fingerprints, &[], config).relations
}

/// Adds the pairs within each exact group, and repeats each representative's relations for its
/// copies; returns all relations sorted by document pair and relation.
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
    out.par_sort_unstable_by_key(|r| (r.a.min(r.b), r.a.max(r.b), r.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
