//! [`Matcher`]: the configured pipeline, run over documents in memory.

use std::collections::HashMap;
use std::path::Path;

use crate::api::{Dedupe, Document, Explanation, Keep, Pair, Signature};
use crate::config::Config;
use crate::crosslingual::pivot::Pivoter;
use crate::crosslingual::{pivoter_with, Lexicon};
use crate::error::{Error, Result};
use crate::pipeline::{analyze_documents, Analysis};
use crate::DocId;

/// Most worker threads a matcher (or the command line) starts: more is a typo, not a machine.
pub const MAX_THREADS: usize = 1024;

/// The matching pipeline, configured: give it documents, get their pairs, their dedupe or the
/// explanation of one pair. It finds all four relations (exact, near-duplicate, containment,
/// translation) unless its [`Config`] says fewer, uses every core (or the threads of
/// [`Matcher::with_threads`]), and its answers are the command line's, byte for byte.
pub struct Matcher {
    config: Config,
    pivoter: Pivoter,
    pool: Option<rayon::ThreadPool>,
}

impl Matcher {
    /// A matcher with `config` (checked by [`Config::validate`]) and the bundled French-English
    /// lexicon for translations.
    pub fn new(config: Config) -> Result<Matcher> {
        config.validate()?;
        Ok(Matcher {
            config,
            pivoter: pivoter_with(Vec::new()),
            pool: None,
        })
    }

    /// Adds a bilingual lexicon to English for translations from `lang` (a two-letter code), read
    /// from `path`: TSV `word<TAB>english` or MUSE `english @ word` lines. It replaces the
    /// bundled one for that language (French).
    pub fn with_lexicon_file(mut self, lang: &str, path: impl AsRef<Path>) -> Result<Matcher> {
        if lang.len() != 2 || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(Error::Lexicon(format!(
                "lexicon language \"{lang}\": use a two-letter code such as de or es"
            )));
        }
        let lexicon = Lexicon::load(lang, path.as_ref()).map_err(Error::Lexicon)?;
        let mut lexicons = self.pivoter.into_lexicons();
        lexicons.push(lexicon);
        self.pivoter = pivoter_with(lexicons);
        Ok(self)
    }

    /// Runs on `threads` worker threads instead of every core. Answers do not depend on it.
    pub fn with_threads(mut self, threads: usize) -> Result<Matcher> {
        if !(1..=MAX_THREADS).contains(&threads) {
            return Err(Error::config(
                "threads",
                format!("must be 1 to {MAX_THREADS}, got {threads}"),
            ));
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| Error::config("threads", format!("cannot start them: {e}")))?;
        self.pool = Some(pool);
        Ok(self)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// What puts documents in pivot space for translations.
    pub(crate) fn pivoter(&self) -> &Pivoter {
        &self.pivoter
    }

    /// The languages translations are looked for in: English first, then each lexicon's.
    pub fn languages(&self) -> Vec<&str> {
        self.pivoter.languages()
    }

    /// Every related pair of `documents`, in the command line's order (by first document, in
    /// input order). Ids must be unique.
    pub fn pairs(&self, documents: &[Document]) -> Result<Vec<Pair>> {
        let analysis = self.analyze(documents)?;
        let (relations, _) = self.run(|| analysis.related().collect());
        Ok(relations
            .iter()
            .map(|r| Pair::of(r, &analysis.docs))
            .collect())
    }

    /// The documents without their duplicates: the clusters, the document kept of each, and every
    /// document removed with the one it duplicates (what `twinwire dedupe` writes).
    pub fn dedupe(&self, documents: &[Document], keep: Keep) -> Result<Dedupe> {
        let analysis = self.analyze(documents)?;
        Ok(self.run(|| Dedupe::of(&analysis, keep)))
    }

    /// Why `a` and `b` are (or are not) related, looked at on their own: every measure next to
    /// its threshold, the shared passages or the aligned sentences.
    pub fn explain(&self, a: &Document, b: &Document) -> Result<Explanation> {
        let documents = [a.clone(), b.clone()];
        self.explain_in(&documents, &a.id, &b.id)
    }

    /// Why the documents `id_a` and `id_b` of `documents` are (or are not) related, among the
    /// others (which decide, for instance, which words are rare enough to propose a
    /// translation).
    pub fn explain_in(
        &self,
        documents: &[Document],
        id_a: &str,
        id_b: &str,
    ) -> Result<Explanation> {
        let analysis = self.analyze(documents)?;
        let (i, j) = (find(&analysis, id_a)?, find(&analysis, id_b)?);
        let texts = (
            documents[i.index()].text.as_str(),
            documents[j.index()].text.as_str(),
        );
        Ok(self.run(|| Explanation::of(&analysis, (i, j), texts, &self.pivoter)))
    }

    /// The per-document signatures: what the candidate tables and exact scoring work on.
    pub fn fingerprint<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Signature> {
        self.run(|| Signature::of_texts(texts, &self.config))
    }

    fn analyze(&self, documents: &[Document]) -> Result<Analysis> {
        check_ids(documents)?;
        Ok(self.run(|| analyze_documents(documents, &self.config, &self.pivoter)))
    }

    /// Runs `work` on the matcher's threads.
    fn run<T: Send>(&self, work: impl FnOnce() -> T + Send) -> T {
        match &self.pool {
            Some(pool) => pool.install(work),
            None => work(),
        }
    }
}

/// Ids must be unique: a pair names its documents by id.
fn check_ids(documents: &[Document]) -> Result<()> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(documents.len());
    for (i, d) in documents.iter().enumerate() {
        if let Some(earlier) = first.insert(d.id.as_str(), i) {
            return Err(Error::Document(format!(
                "docs[{i}] has the id \"{}\" of docs[{earlier}]; give each document its own id",
                d.id
            )));
        }
    }
    Ok(())
}

/// The document with id `id`.
pub(crate) fn find(analysis: &Analysis, id: &str) -> Result<DocId> {
    match analysis.docs.iter().position(|d| d.id == id) {
        Some(i) => Ok(DocId(i as u32)),
        None => {
            let some: Vec<&str> = analysis
                .docs
                .iter()
                .take(5)
                .map(|d| d.id.as_str())
                .collect();
            Err(Error::Document(format!(
                "no document with id \"{id}\" in the inputs ({} documents; the first ids are {})",
                analysis.docs.len(),
                some.join(", ")
            )))
        }
    }
}
