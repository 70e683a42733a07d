//! Test corpora of any size grown from real articles, with planted twins and their ground truth.
//!
//! Base articles are real: the English articles of the sources first (less those that are twins of
//! another), then, once those are used, new articles of 5 to 9 sentences drawn from the sources'
//! English sentences (each of 8 to 60 words, each distinct), grouped in paragraphs after a lead
//! sentence. A drawn sentence has about 40% of its words replaced by source words of the same shape,
//! so that a million articles grown from a hundred thousand sentences do not share whole sentences. Around
//! the bases, twins are planted in families:
//!
//! | family | share of bases | planted pairs (relation) |
//! |---|---:|---|
//! | `single` | 55% | none |
//! | `exact` | 8% | 1-3 copies, byte-identical or re-spaced (`exact`) |
//! | `edited` | 20% | 1-3 copies, each with one edit: a paragraph dropped, a paragraph added, a site's header and footer, 1-2% typos, or a new headline; or a Unicode variant (NFD, curly quotes, no-break spaces). Each is planted with the relation the rule gives it (`near_duplicate`; `containment` when the header and footer make a fifth of the page or the dropped paragraph a fifth of the base; `exact` for the Unicode variant; nothing when typos leave a short article unrelated) |
//! | `excerpt` | 10% | an excerpt of 30-45% of the base (`containment`, base first) quoted inside another article at least twice its length (`containment`, quoting article first) |
//! | `copy_and_edit` | 7% | one copy and one edited copy (`exact`, and as above) |
//!
//! and every French/English pair of the sources (same WMT docid) once, as a `translation` family:
//! plain, the English cut to the first half of its sentences (at least four), the French followed by
//! reader comments, or the English
//! followed by "related news". The German and Spanish versions come along as distractors.
//!
//! Output: JSONL records `{"id", "text", "lang"?}` with ids that reveal nothing (random hex), in a
//! shuffled order, and a truth file: one line per planted pair, `{"a", "b", "relation", "kind",
//! "family"}` (`kind` is the edit, `family` a number). Any pair inside one family is a real relation
//! (copies of a base are also twins of its edited copies); a pair across families is a false positive.
//! A page quoting a French article that is a translation of the article's English version is of
//! both families.
//! Same sources and seed, same bytes.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::corpus::Document;
use crate::crosslingual::pivot::Pivoter;
use crate::text::sentence_spans;

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
}

/// One generated document.
#[derive(Debug, Clone, Serialize)]
pub struct GenDoc {
    pub id: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// One planted pair.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TruthPair {
    pub a: String,
    pub b: String,
    /// The relation twinwire should report (`a` contains `b` for containment).
    pub relation: &'static str,
    /// What was planted: `copy`, `dropped_paragraph`, `boilerplate`, `excerpt_of_source`, ...
    pub kind: &'static str,
    pub family: u64,
}

/// A generated corpus.
#[derive(Debug, Default)]
pub struct Generated {
    pub docs: Vec<GenDoc>,
    pub truth: Vec<TruthPair>,
    /// Planted pairs by kind.
    pub kinds: BTreeMap<&'static str, usize>,
}

const HEADERS: [&str; 4] = [
    "DayFR Euro | Home World Politics Business Sport Culture | Subscribe to our newsletter",
    "The Daily Wire Report - Latest news - Breaking - Opinion - Video - Log in - Register",
    "NEWS24 ONLINE > International > Africa > Full story. Share on Facebook Share on X Email",
    "World News Today | Home | Europe | Americas | Asia | Markets | Weather",
];
const FOOTERS: [&str; 4] = [
    "Related News\n\nMore from this section\n\nComments (12) Add your comment. Reply Report",
    "© All rights reserved. Reproduction prohibited without permission. Terms of use Privacy policy Cookies",
    "Read more: latest headlines, most popular, editor's picks. Follow us on social media for updates.",
    "Share this article. Print. Email. Sign up for our daily briefing and get the news that matters.",
];
const COMMENTS: &str = "Commentaires (12)\nJean-Pierre il y a 3 heures\nEncore une fois, on nous prend pour des \
imbéciles. Qui croit encore à ces chiffres ?\nMarie L. il y a 5 heures\nTrès bon article, merci pour ces \
précisions.\nRépondre Signaler\nParticiper à la discussion";

/// An article as paragraphs of sentences.
#[derive(Debug, Clone)]
struct Article {
    paragraphs: Vec<String>,
}

impl Article {
    fn text(&self) -> String {
        self.paragraphs.join("\n\n")
    }

    fn words(&self) -> usize {
        self.paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum()
    }
}

/// One article in French and English, and its other versions as (language, text).
type Versions = (String, String, Vec<(String, String)>);

/// Where new articles come from.
struct Sources {
    /// Real English articles, used as bases first.
    articles: Vec<Article>,
    /// Distinct English sentences of 8 to 60 words, to grow new articles.
    sentences: Vec<String>,
    /// Their words by shape, to vary a sentence each time it is reused.
    lower: Vec<String>,
    capitalised: Vec<String>,
    /// Each translated article in French, English, and its other versions.
    translations: Vec<Versions>,
}

fn sources(docs: &[Document]) -> Sources {
    // French/English pairs first (WMT ids: `newstest2010-src.fr#docid`): their articles are planted
    // as translations and must not also be grown into other families.
    let mut by_docid: BTreeMap<String, BTreeMap<String, (usize, String)>> = BTreeMap::new();
    for (i, d) in docs.iter().enumerate() {
        let (Some(lang), Some((file, docid))) = (d.lang.as_deref(), d.id.split_once('#')) else {
            continue;
        };
        if let Some((set, _)) = file.rsplit_once('.') {
            by_docid
                .entry(format!("{set}#{docid}"))
                .or_default()
                .insert(lang.to_string(), (i, d.text.clone()));
        }
    }
    let mut in_pair = vec![false; docs.len()];
    let mut translations = Vec::new();
    for mut versions in by_docid.into_values() {
        let (Some(fr), Some(en)) = (versions.remove("fr"), versions.remove("en")) else {
            continue;
        };
        in_pair[fr.0] = true;
        in_pair[en.0] = true;
        for (i, _) in versions.values() {
            in_pair[*i] = true;
        }
        if fr.1.split_whitespace().count() >= 40 {
            let others = versions.into_iter().map(|(l, (_, t))| (l, t)).collect();
            translations.push((fr.1, en.1, others));
        }
    }
    let mut articles = Vec::new();
    let mut sentences = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    for (i, d) in docs.iter().enumerate() {
        if in_pair[i] || d.lang.as_deref().is_some_and(|l| l != "en") {
            continue;
        }
        let mut paragraphs: Vec<String> = d
            .text
            .split("\n\n")
            .map(flat)
            .filter(|p| !p.is_empty())
            .collect();
        // Reuters bodies are hard-wrapped with no blank lines: a line is not a sentence there.
        let text = if paragraphs.len() < 3 {
            flat(&d.text)
        } else {
            d.text.clone()
        };
        let text_sentences: Vec<String> = sentence_spans(&text)
            .into_iter()
            .map(|(a, b)| flat(&text[a..b]))
            .collect();
        if paragraphs.len() < 3 && text_sentences.len() >= 3 {
            // Regroup: the first sentence alone (a lead), then two by two, so that edits can drop
            // or add a paragraph.
            paragraphs = std::iter::once(text_sentences[0].clone())
                .chain(text_sentences[1..].chunks(2).map(|c| c.join(" ")))
                .collect();
        }
        let words: usize = paragraphs
            .iter()
            .map(|p| p.split_whitespace().count())
            .sum();
        if words >= 60 {
            articles.push(Article { paragraphs });
        }
        for s in text_sentences {
            let n = s.split_whitespace().count();
            if (8..=60).contains(&n) && seen.insert(s.clone()) {
                sentences.push(s);
            }
        }
    }
    // Real articles are bases of different families, so none may be a twin of another: Reuters
    // itself holds re-sent stories. Keep the first of every related group (twinwire's own verdict).
    let texts: Vec<String> = articles.iter().map(Article::text).collect();
    let config = crate::Config::default().with_relations(crate::relate::RelationKind::DUPLICATES);
    let mut twin = vec![false; articles.len()];
    for r in crate::pipeline::relate_texts(&texts, &config) {
        twin[r.a.index().max(r.b.index())] = true;
    }
    let articles = articles
        .into_iter()
        .zip(twin)
        .filter(|(_, t)| !t)
        .map(|(a, _)| a)
        .collect();
    let mut words: Vec<&str> = sentences
        .iter()
        .flat_map(|s| s.split(' '))
        .filter(|w| w.len() >= 3)
        .collect();
    words.sort_unstable();
    words.dedup();
    let alphabetic = |w: &&str| w.chars().all(char::is_alphabetic);
    let lower = words
        .iter()
        .filter(|w| alphabetic(w) && w.starts_with(char::is_lowercase))
        .map(|w| w.to_string())
        .collect();
    let capitalised = words
        .iter()
        .filter(|w| alphabetic(w) && w.starts_with(char::is_uppercase))
        .map(|w| w.to_string())
        .collect();
    Sources {
        articles,
        sentences,
        lower,
        capitalised,
        translations,
    }
}

/// A source sentence with about 40% of its words replaced by words of the same shape: reused
/// thousands of times in a big corpus, a sentence must not make unrelated articles look alike (two
/// variants keep about 0.6^3 = 22% of their word 3-shingles in common).
fn vary(sentence: &str, src: &Sources, rng: &mut Rng) -> String {
    sentence
        .split(' ')
        .enumerate()
        .map(|(i, w)| {
            if i == 0 || !rng.chance(0.4) || !w.chars().all(char::is_alphanumeric) {
                return w.to_string();
            }
            if w.chars().all(|c| c.is_ascii_digit()) {
                return (rng.next_u64() % 10u64.pow(w.len().min(9) as u32)).to_string();
            }
            let pool = if w.starts_with(char::is_uppercase) {
                &src.capitalised
            } else {
                &src.lower
            };
            if pool.is_empty() {
                w.to_string()
            } else {
                pool[rng.below(pool.len())].clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `text` with a share `rate` of its words mistyped, and at least one.
fn typos(text: &str, rate: f64, rng: &mut Rng) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|&i| words[i].chars().count() >= 3)
        .collect();
    let forced = long.get(rng.below(long.len().max(1))).copied();
    words
        .iter()
        .enumerate()
        .map(|(k, w)| {
            if w.chars().count() >= 3 && (Some(k) == forced || rng.chance(rate)) {
                typo(w, rng)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` with one typing slip inside it (two letters swapped, one dropped, or an `e` for another
/// letter); a word of fewer than three letters is left as it is.
pub fn typo(word: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 3 {
        return word.to_string();
    }
    let i = 1 + rng.below(c.len() - 2);
    match rng.below(3) {
        0 => c.swap(i, i - 1),
        1 => {
            c.remove(i);
        }
        _ => c[i] = if c[i] == 'e' { 'a' } else { 'e' },
    }
    c.into_iter().collect()
}

fn unicode_variant(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    text.nfd()
        .collect::<String>()
        .replace('\'', "’")
        .replace(" \"", " “")
        .replace("\" ", "” ")
        .replace(". ", ".\u{00A0}")
}

/// The first paragraph from `from` on (wrapping to 1 past the end) holding at most a quarter of the
/// article's words; `from == 0` asks about the lead alone.
fn small_paragraph(a: &Article, from: usize) -> Option<usize> {
    let total = a.words().max(1);
    let small = |i: usize| a.paragraphs[i].split_whitespace().count() * 4 <= total;
    if from == 0 {
        return small(0).then_some(0);
    }
    let n = a.paragraphs.len();
    if n < 3 {
        return None;
    }
    (0..n - 1)
        .map(|k| 1 + (from - 1 + k) % (n - 1))
        .find(|&i| small(i))
}

/// The relation an edit makes: a Unicode variant is identical once folded.
/// The relation of an edited copy to its base, by definition: the one [`crate::relate::relate`]
/// gives the two texts at the default settings (word 3-shingles, Jaccard 0.5, containment 0.8), as
/// exhaustive scoring would. A copy whose added header and footer make more than a fifth of it
/// contains its base; one missing a fifth of the base is contained in it; typos in a short article
/// can leave it related to nothing (then nothing is planted). Returns the relation's name and
/// whether the base comes first (a containment names its container first).
fn copy_relation(base: &str, edited: &str) -> Option<(&'static str, bool)> {
    let config = crate::Config::default();
    let fb = crate::fingerprint::Fingerprint::of_text(base, &config);
    let fe = crate::fingerprint::Fingerprint::of_text(edited, &config);
    let s = crate::score::score(&fb, &fe);
    let r = crate::relate::relate(crate::DocId(0), crate::DocId(1), &fb, &fe, &s, &config)?;
    Some((r.kind.name(), r.a == crate::DocId(0)))
}

/// The shape of a generated corpus beyond its families: how often passages recur across unrelated
/// articles, and how many articles mix languages.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Shape {
    /// When not 0, articles draw whole sentences (not varied) from a pool sized so that each
    /// sentence recurs in about this many articles, as wire copy, quotes and stock phrases recur in
    /// real news dumps (the pool holds the sources' sentences, then varied ones once those are
    /// used). Every base is then drawn (5 to 9 sentences) and excerpts hold at least 3 sentences,
    /// so that no planted document is contained in an unrelated one by chance. 0: the sources'
    /// articles are bases first, and every drawn sentence is varied: unrelated articles share none.
    pub sentence_reuse: usize,
    /// Share of bases that get a French paragraph inside them (an English page quoting a French
    /// source), each planted with a typo'd copy (`near_duplicate`, kind `mixed_language`). A page
    /// that twinwire's rule makes a translation of the quoted article's English version (a short
    /// one, mostly covered by the paragraph) is planted as that too (kind `quoted_translation`).
    pub mixed_languages: f64,
}

#[cfg(any(test, feature = "internals"))]
/// Generates `n` documents (at least) from `source` documents with seed `seed`.
pub fn generate(source: &[Document], n: usize, seed: u64) -> Result<Generated, String> {
    generate_shaped(source, n, seed, &Shape::default())
}

/// The sentences new articles are drawn from with [`Shape::sentence_reuse`]: about `n * 7 / reuse`
/// of them (articles hold 7 sentences on average), the sources' own first.
fn sentence_pool(src: &Sources, n: usize, reuse: usize, seed: u64) -> Vec<String> {
    let size = (n * 7 / reuse.max(1)).max(100);
    let mut rng = Rng(seed ^ 0x005e_ed0f_5e47_e9ce);
    (0..size)
        .map(|i| match src.sentences.get(i) {
            Some(s) => s.clone(),
            None => vary(&src.sentences[i % src.sentences.len()], src, &mut rng),
        })
        .collect()
}

/// A few sentences of a French article of the sources, with the article's place in
/// `src.translations` (`None` when they hold none).
fn french_paragraph(src: &Sources, rng: &mut Rng) -> Option<(usize, String)> {
    let k = rng.below(src.translations.len().max(1));
    let (fr, _, _) = src.translations.get(k)?;
    let spans = sentence_spans(fr);
    let start = rng.below(spans.len().saturating_sub(3).max(1));
    let picked = spans.get(start..(start + 3).min(spans.len()))?;
    let text: Vec<&str> = picked.iter().map(|&(a, b)| fr[a..b].trim()).collect();
    Some((k, text.join(" ")))
}

/// Whether twinwire's translation rule (default settings, the bundled lexicon, languages detected
/// as the pipeline detects them) holds between a page and an English article.
fn is_translation(pivoter: &Pivoter, page: &str, english: &str) -> bool {
    let tokens = crate::text::TokenList::of(page);
    let Some(lang) = crate::text::detect_language_of(&tokens) else {
        return false;
    };
    if lang == "en" {
        return false;
    }
    let params = &crate::Config::default().translation;
    let pivots = (
        pivoter.pivot_tokens(page, &tokens, lang),
        pivoter.pivot(english, "en"),
    );
    match pivots {
        (Some(a), Some(b)) => crate::crosslingual::translate::verify(&a, &b, params)
            .1
            .is_some(),
        _ => false,
    }
}

/// Generates `n` documents (at least) from `source` documents with seed `seed`, in shape `shape`.
pub fn generate_shaped(
    source: &[Document],
    n: usize,
    seed: u64,
    shape: &Shape,
) -> Result<Generated, String> {
    let src = sources(source);
    if src.articles.is_empty() || src.sentences.len() < 100 {
        return Err(
            "the sources hold too few English articles to grow a corpus from (need at least one \
                    article of 60 words and 100 distinct sentences)"
                .into(),
        );
    }
    let pool = if shape.sentence_reuse > 0 {
        sentence_pool(&src, n, shape.sentence_reuse, seed)
    } else {
        Vec::new()
    };
    let mut g = Generator {
        // With shared sentences, every base is drawn from the pool: a real article of one or two
        // sentences would be contained, whole, in every article that reuses them.
        real_bases: if pool.is_empty() {
            src.articles.len()
        } else {
            0
        },
        src: &src,
        pool,
        shape,
        rng: Rng(seed),
        out: Generated::default(),
        next_base: 0,
        family: 0,
        english: vec![None; src.translations.len()],
        pivoter: None,
    };
    // Translations first: each French/English pair once, with its other-language versions.
    for k in 0..src.translations.len() {
        if g.out.docs.len() >= n {
            break;
        }
        g.translation_family(k);
    }
    while g.out.docs.len() < n {
        g.copy_family();
    }
    let mut out = g.out;
    // A stable order that tells nothing: by id (random hex).
    out.docs.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// The corpus being grown: one family at a time, every random draw from one generator in a fixed
/// order (same sources and seed, same bytes).
struct Generator<'a> {
    src: &'a Sources,
    pool: Vec<String>,
    shape: &'a Shape,
    rng: Rng,
    out: Generated,
    /// Real articles used as bases so far, and how many may be.
    next_base: usize,
    real_bases: usize,
    family: u64,
    /// For each French article of the sources planted as a translation: its English version's id,
    /// text and family (a page quoting the French article may be a translation of it).
    english: Vec<Option<(String, String, u64)>>,
    /// To check those pages, made when first needed.
    pivoter: Option<Pivoter>,
}

impl Generator<'_> {
    /// A new base article: the next real one, else 5-9 sentences drawn (varied, or whole from the
    /// shared pool) in paragraphs of 1-3.
    fn new_article(&mut self) -> Article {
        if self.next_base < self.real_bases {
            self.next_base += 1;
            return self.src.articles[self.next_base - 1].clone();
        }
        let (src, pool, rng) = (self.src, &self.pool, &mut self.rng);
        let count = 5 + rng.below(5);
        let mut paragraphs = Vec::new();
        let mut k = 0;
        while k < count {
            let size = if k == 0 { 1 } else { 1 + rng.below(3) };
            let p: Vec<String> = (0..size)
                .map(|_| match pool.len() {
                    0 => vary(&src.sentences[rng.below(src.sentences.len())], src, rng),
                    len => pool[rng.below(len)].clone(),
                })
                .collect();
            paragraphs.push(p.join(" "));
            k += size;
        }
        Article { paragraphs }
    }

    fn id(&mut self) -> String {
        format!("{:016x}", self.rng.next_u64())
    }

    fn push(&mut self, id: String, text: String, lang: Option<&str>) {
        self.out.docs.push(GenDoc {
            id,
            text,
            lang: lang.map(String::from),
        });
    }

    /// Records a planted pair of the current family.
    fn plant(&mut self, a: &str, b: &str, relation: &'static str, kind: &'static str) {
        self.plant_in(self.family, (a, b), relation, kind);
    }

    /// Records a planted pair of family `family`.
    fn plant_in(
        &mut self,
        family: u64,
        (a, b): (&str, &str),
        relation: &'static str,
        kind: &'static str,
    ) {
        *self.out.kinds.entry(kind).or_default() += 1;
        self.out.truth.push(TruthPair {
            a: a.to_string(),
            b: b.to_string(),
            relation,
            kind,
            family,
        });
    }

    /// The pages quoting French article `k` that are translations of its English version in the
    /// corpus (a short English article whose sentences the quoted paragraph mostly covers), planted
    /// in its family as kind `quoted_translation`.
    fn plant_quoted_translations(&mut self, k: usize, pages: &[(&str, &str)]) {
        let Some((en_id, en_text, family)) = self.english.get(k).cloned().flatten() else {
            return;
        };
        let pivoter = self
            .pivoter
            .get_or_insert_with(|| crate::crosslingual::pivoter_with(Vec::new()));
        let found: Vec<&str> = pages
            .iter()
            .filter(|(_, text)| is_translation(pivoter, text, &en_text))
            .map(|&(id, _)| id)
            .collect();
        for id in found {
            self.plant_in(family, (&en_id, id), "translation", "quoted_translation");
        }
    }

    /// The `k`-th French/English pair of the sources, whole or edited (the edit by `k % 4`), and
    /// its versions in other languages.
    fn translation_family(&mut self, k: usize) {
        let src = self.src;
        let (fr, en, others) = &src.translations[k];
        self.family += 1;
        let (fr_id, en_id) = (self.id(), self.id());
        let (fr_text, en_text, kind) = match k % 4 {
            0 => (fr.clone(), en.clone(), "translation"),
            1 => {
                // The first half of its sentences, and at least four.
                let spans = sentence_spans(en);
                let keep = (spans.len() / 2).max(4).min(spans.len());
                let end = spans.get(keep.saturating_sub(1)).map_or(en.len(), |s| s.1);
                (fr.clone(), en[..end].to_string(), "translation_cut_to_half")
            }
            2 => (
                format!("{fr}\n\n{COMMENTS}"),
                en.clone(),
                "translation_with_comments",
            ),
            _ => {
                let related: Vec<String> = (0..4)
                    .map(|_| {
                        let s = &src.sentences[self.rng.below(src.sentences.len())];
                        s.split_whitespace().take(10).collect::<Vec<_>>().join(" ")
                    })
                    .collect();
                (
                    fr.clone(),
                    format!("{en}\n\nRelated News\n{}", related.join("\n")),
                    "translation_with_related_news",
                )
            }
        };
        self.english[k] = Some((en_id.clone(), en_text.clone(), self.family));
        self.push(fr_id.clone(), fr_text, Some("fr"));
        self.push(en_id.clone(), en_text, Some("en"));
        self.plant(&fr_id, &en_id, "translation", kind);
        for (lang, text) in others {
            let id = self.id();
            self.push(id, text.clone(), Some(lang));
        }
    }

    /// A base article and what happens to it: nothing (55%), exact copies (8%), edited copies
    /// (20%), an excerpt quoted in another article (10%), an exact and an edited copy (7%); or,
    /// with [`Shape::mixed_languages`], a French paragraph inside it and a typo'd copy.
    fn copy_family(&mut self) {
        self.family += 1;
        let mut base = self.new_article();
        let base_id = self.id();
        if self.shape.mixed_languages > 0.0 && self.rng.chance(self.shape.mixed_languages) {
            if let Some((k, french)) = french_paragraph(self.src, &mut self.rng) {
                let at = 1 + self.rng.below(base.paragraphs.len());
                base.paragraphs
                    .insert(at.min(base.paragraphs.len()), french);
                self.push(base_id.clone(), base.text(), None);
                let copy_id = self.id();
                let copy = typos(&base.text(), 0.01, &mut self.rng);
                let pages = [
                    (base_id.clone(), base.text()),
                    (copy_id.clone(), copy.clone()),
                ];
                self.plant_copy(&base, &base_id, copy_id, copy, "mixed_language");
                let pages: Vec<(&str, &str)> = pages
                    .iter()
                    .map(|(i, t)| (i.as_str(), t.as_str()))
                    .collect();
                self.plant_quoted_translations(k, &pages);
                return;
            }
        }
        self.push(base_id.clone(), base.text(), None);
        match self.rng.below(100) {
            0..=54 => {}
            55..=62 => self.exact_copies(&base, &base_id),
            63..=82 => {
                for _ in 0..1 + self.rng.below(3) {
                    self.edited_copy(&base, &base_id);
                }
            }
            83..=92 => self.excerpt(&base, &base_id),
            _ => {
                let copy_id = self.id();
                self.push(copy_id.clone(), base.text(), None);
                self.plant(&base_id, &copy_id, "exact", "copy");
                self.edited_copy(&base, &base_id);
            }
        }
    }

    /// 1-3 exact copies (half of them with doubled spaces: the same once folded).
    fn exact_copies(&mut self, base: &Article, base_id: &str) {
        for _ in 0..1 + self.rng.below(3) {
            let copy_id = self.id();
            let text = if self.rng.chance(0.5) {
                base.text()
            } else {
                base.text().replace(' ', "  ")
            };
            self.push(copy_id.clone(), text, None);
            self.plant(base_id, &copy_id, "exact", "copy");
        }
    }

    /// One edited copy of the base, planted with the relation its edit makes.
    fn edited_copy(&mut self, base: &Article, base_id: &str) {
        let (text, kind) = self.edit(base);
        let edit_id = self.id();
        self.plant_copy(base, base_id, edit_id, text, kind);
    }

    /// Adds an edited copy of the base and plants it with the relation the edit made
    /// ([`copy_relation`]), if any.
    fn plant_copy(
        &mut self,
        base: &Article,
        base_id: &str,
        copy_id: String,
        copy: String,
        kind: &'static str,
    ) {
        let relation = copy_relation(&base.text(), &copy);
        self.push(copy_id.clone(), copy, None);
        match relation {
            Some((relation, true)) => self.plant(base_id, &copy_id, relation, kind),
            Some((relation, false)) => self.plant(&copy_id, base_id, relation, kind),
            None => {}
        }
    }

    /// An edited copy, and the edit (a Unicode variant is exact once folded).
    fn edit(&mut self, base: &Article) -> (String, &'static str) {
        let (src, rng) = (self.src, &mut self.rng);
        let mut a = base.clone();
        let boilerplate = |a: &Article, rng: &mut Rng| {
            let site = rng.below(4);
            (
                format!("{}\n\n{}\n\n{}", HEADERS[site], a.text(), FOOTERS[site]),
                "boilerplate",
            )
        };
        match rng.below(6) {
            // A dropped or replaced paragraph holds at most a quarter of the words: beyond that, the
            // copy is no longer a near-duplicate (resemblance under 0.5) but contained in the base.
            0 if small_paragraph(&a, 1).is_some() => {
                let i = small_paragraph(&a, 1 + rng.below(a.paragraphs.len())).unwrap_or(1);
                a.paragraphs.remove(i);
                (a.text(), "dropped_paragraph")
            }
            1 => {
                let s = src.sentences[rng.below(src.sentences.len())].clone();
                let i = 1 + rng.below(a.paragraphs.len());
                a.paragraphs.insert(i.min(a.paragraphs.len()), s);
                (a.text(), "added_paragraph")
            }
            2 => boilerplate(&a, rng),
            3 => {
                let rate = 0.01 + 0.01 * rng.below(2) as f64;
                (typos(&a.text(), rate, rng), "typos")
            }
            4 => (unicode_variant(&a.text()), "unicode_variant"),
            _ if small_paragraph(&a, 0) == Some(0) => {
                let headline = vary(&src.sentences[rng.below(src.sentences.len())], src, rng);
                a.paragraphs[0] = headline.split(' ').take(14).collect::<Vec<_>>().join(" ");
                (a.text(), "new_headline")
            }
            _ => boilerplate(&a, rng),
        }
    }

    /// An excerpt of 30-45% of the base (contiguous paragraphs; at half the base, resemblance
    /// reaches 0.5 and it is a near-duplicate), and the same excerpt quoted inside another article
    /// at least twice as long.
    fn excerpt(&mut self, base: &Article, base_id: &str) {
        let total = base.words();
        let target = total * (30 + self.rng.below(16)) / 100;
        let start = self.rng.below(base.paragraphs.len().div_ceil(2));
        let mut ex = Vec::new();
        let mut words = 0;
        for p in &base.paragraphs[start..] {
            let w = p.split_whitespace().count();
            if (words + w) * 100 > total * 45 {
                break;
            }
            ex.push(p.clone());
            words += w;
            if words >= target {
                break;
            }
        }
        // With shared sentences, an excerpt of one or two of them is really contained in every
        // article that reuses them: three make it the base's own.
        let shared_only = self.shape.sentence_reuse > 0 && sentence_spans(&ex.join(" ")).len() < 3;
        if words < 20 || words * 100 < total * 30 || shared_only {
            return;
        }
        let ex_id = self.id();
        self.push(ex_id.clone(), ex.join("\n\n"), None);
        self.plant(base_id, &ex_id, "containment", "excerpt_of_source");
        let mut host = self.new_article();
        while host.words() < 2 * words {
            let more = self.new_article();
            host.paragraphs.extend(more.paragraphs);
        }
        let at = host.paragraphs.len() / 2;
        host.paragraphs
            .insert(at, format!("As the report put it: \"{}\"", ex.join(" ")));
        let host_id = self.id();
        self.push(host_id.clone(), host.text(), None);
        self.plant(&host_id, &ex_id, "containment", "excerpt_quoted");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::Origin;
    use std::sync::Arc;

    fn doc(id: &str, text: String) -> Document {
        Document {
            id: id.into(),
            text,
            lang: None,
            origin: Origin {
                file: Arc::from("test"),
                line: None,
            },
            record: None,
        }
    }

    fn sample() -> Vec<Document> {
        (0..40)
            .map(|a| {
                let sentences: Vec<String> = (0..12)
                    .map(|s| format!("Sentence {s} of article {a} says that word{a}x{s} and others happened today in town."))
                    .collect();
                doc(&format!("a{a}"), sentences.chunks(3).map(|c| c.join(" ")).collect::<Vec<_>>().join("\n\n"))
            })
            .collect()
    }

    #[test]
    fn same_seed_same_corpus() {
        let a = generate(&sample(), 300, 7).unwrap();
        let b = generate(&sample(), 300, 7).unwrap();
        assert_eq!(a.docs.len(), b.docs.len());
        assert!(a
            .docs
            .iter()
            .zip(&b.docs)
            .all(|(x, y)| x.id == y.id && x.text == y.text));
        assert_eq!(a.truth, b.truth);
        assert!(a.docs.len() >= 300);
        let c = generate(&sample(), 300, 8).unwrap();
        assert_ne!(a.docs[0].id, c.docs[0].id);
    }

    #[test]
    fn every_planted_document_exists_and_ids_are_unique() {
        let g = generate(&sample(), 500, 1).unwrap();
        let ids: std::collections::HashSet<&str> = g.docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids.len(), g.docs.len());
        for t in &g.truth {
            assert!(ids.contains(t.a.as_str()) && ids.contains(t.b.as_str()));
        }
        assert!(g.kinds.contains_key("copy") && g.kinds.contains_key("excerpt_quoted"));
    }

    #[test]
    fn a_page_is_a_quoted_translation_only_when_the_rule_holds() {
        let bamako = |prefix: &str| {
            let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/bamako");
            let file = std::fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
                .unwrap();
            std::fs::read_to_string(file).unwrap()
        };
        let (fr, en, other) = (bamako("002"), bamako("000"), bamako("001"));
        let pivoter = crate::crosslingual::pivoter_with(Vec::new());
        assert!(is_translation(&pivoter, &fr, &en));
        assert!(!is_translation(&pivoter, &fr, &other));
        // An English page is not a translation of an English article, whatever it quotes.
        assert!(!is_translation(&pivoter, &en, &en));
    }

    #[test]
    fn too_small_sources_are_refused() {
        assert!(generate(&sample()[..1], 10, 1).is_err());
    }
}
