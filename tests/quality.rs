//! Quality on edited copies of real articles (WMT news, English and French), built reproducibly.
//!
//! For each original article the corpus holds copies edited the way re-sent and re-published wire
//! stories are: a paragraph dropped, a site's header and footer added, 1-2% typos, all three at once;
//! an excerpt of 30-45% of it; and another article quoting that excerpt. A person expects:
//! every copy a near-duplicate of the original, the excerpt contained in the original and in the
//! quoting article (container first), and nothing between different stories.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{pairs, shared_data, wmt_articles, write_jsonl, Article, Rng};
use twinwire::gen::typo;

const HEADERS: [&str; 3] = [
    "DayFR Euro | Home World Politics Business Sport Culture | Subscribe to our newsletter",
    "The Daily Wire Report - Latest news - Breaking - Opinion - Video - Log in - Register",
    "NEWS24 ONLINE > International > Africa > Full story. Share on Facebook Share on X Email",
];
const FOOTERS: [&str; 3] = [
    "Related News\n\nMore from this section\n\nComments (12) Add your comment. Reply Report",
    "© All rights reserved. Reproduction prohibited without permission. Terms of use Privacy policy Cookies",
    "Read more: latest headlines, most popular, editor's picks. Follow us on social media for updates.",
];

fn with_typos(text: &str, rate: f64, rng: &mut Rng) -> String {
    text.split(' ')
        .map(|w| {
            if rng.chance(rate) {
                typo(w, rng)
            } else {
                w.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn drop_paragraph(a: &Article, rng: &mut Rng) -> Vec<String> {
    let mut p = a.paragraphs.clone();
    p.remove(1 + rng.below(p.len() - 1));
    p
}

/// Share of `a`'s words that a copy made of `kept` paragraphs lost.
fn lost_share(a: &Article, kept: &[String]) -> f64 {
    let words = |ps: &[String]| {
        ps.iter()
            .map(|p| p.split_whitespace().count())
            .sum::<usize>()
    };
    1.0 - words(kept) as f64 / a.words() as f64
}

fn with_boilerplate(paragraphs: &[String], site: usize) -> String {
    format!(
        "{}\n\n{}\n\n{}",
        HEADERS[site % 3],
        paragraphs.join("\n\n"),
        FOOTERS[site % 3]
    )
}

/// The paragraphs of an excerpt holding 30-45% of the article's words, contiguous.
fn excerpt(a: &Article, rng: &mut Rng) -> Vec<String> {
    let total = a.words();
    let target = total * (30 + rng.below(16)) / 100;
    let start = rng.below(a.paragraphs.len() / 2);
    let mut out = Vec::new();
    let mut words = 0;
    for p in &a.paragraphs[start..] {
        let n = p.split_whitespace().count();
        if words + n > total * 45 / 100 {
            break;
        }
        out.push(p.clone());
        words += n;
        if words >= target {
            break;
        }
    }
    out
}

struct Family {
    docs: Vec<(String, String)>,
    near: Vec<(String, String)>,
    contained: Vec<(String, String)>,
    /// Copies missing a paragraph of 15-25% of the words: at the containment threshold (0.8), so
    /// either a near-duplicate or contained in the original.
    either: Vec<(String, String)>,
}

/// One original and its edited copies; the excerpt is quoted in a host article at least twice its
/// length (a quote inside a longer piece, not a short note wrapped around a long quote).
fn family(
    n: usize,
    a: &Article,
    hosts: &[Article],
    used: &mut [bool],
    rng: &mut Rng,
) -> Option<Family> {
    let id = |kind: &str| format!("{kind}-{n}");
    let ex = excerpt(a, rng);
    let ex_words: usize = ex.iter().map(|p| p.split_whitespace().count()).sum();
    if ex_words * 100 < a.words() * 30 {
        return None; // paragraphs too long to cut a 30-45% excerpt
    }
    let h = (0..hosts.len())
        .map(|k| (n + k) % hosts.len())
        .find(|&h| !used[h] && hosts[h].words() >= 2 * ex_words)?;
    used[h] = true;
    let host = &hosts[h];
    let mut quoting = host.paragraphs.clone();
    let at = quoting.len() / 2;
    quoting.insert(at, format!("As the report put it: \"{}\"", ex.join(" ")));
    let dropped = drop_paragraph(a, rng);
    let lost = lost_share(a, &dropped);
    let docs = vec![
        (id("orig"), a.text()),
        (id("dropped"), dropped.join("\n\n")),
        (id("boiler"), with_boilerplate(&a.paragraphs, n)),
        (
            id("typos"),
            with_typos(&a.text(), 0.01 + 0.01 * (rng.below(2) as f64), rng),
        ),
        (
            id("all"),
            with_typos(
                &with_boilerplate(&drop_paragraph(a, rng), n + 1),
                0.015,
                rng,
            ),
        ),
        (id("excerpt"), ex.join("\n\n")),
        (id("quoting"), quoting.join("\n\n")),
    ];
    // An excerpt is an excerpt: a copy that lost more than a fifth of the original lies mostly
    // inside it, but not the other way, and is contained. The copy with every edit (a paragraph
    // dropped, a header and footer added, typos) may fall on either side.
    let mut near = vec![(id("orig"), id("boiler")), (id("orig"), id("typos"))];
    let mut contained = vec![(id("orig"), id("excerpt")), (id("quoting"), id("excerpt"))];
    let mut either = vec![(id("orig"), id("all"))];
    match lost {
        l if l <= 0.15 => near.push((id("orig"), id("dropped"))),
        l if l >= 0.25 => contained.push((id("orig"), id("dropped"))),
        _ => either.push((id("orig"), id("dropped"))),
    }
    Some(Family {
        docs,
        near,
        contained,
        either,
    })
}

fn check_language(lang: &str) {
    let Some(data) = shared_data(&format!("quality::edited_copies_{lang}")) else {
        return;
    };
    let articles: Vec<Article> = wmt_articles(&data, lang)
        .into_iter()
        .filter(|a| a.words() >= 250 && a.paragraphs.len() >= 5)
        .collect();
    assert!(
        articles.len() >= 120,
        "only {} long {lang} articles",
        articles.len()
    );
    let mut rng = Rng(0x7717_0000 + lang.len() as u64);
    let (sources, hosts) = articles.split_at(60);
    let mut used = vec![false; hosts.len()];
    let families: Vec<Family> = sources
        .iter()
        .enumerate()
        .filter_map(|(n, a)| family(n, a, hosts, &mut used, &mut rng))
        .collect();
    assert!(families.len() >= 40, "only {} families", families.len());

    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("edited.jsonl");
    let docs: Vec<(String, String)> = families.iter().flat_map(|f| f.docs.clone()).collect();
    write_jsonl(&corpus, &docs);
    if let Some(keep) = std::env::var_os("TWINWIRE_KEEP_TEST_CORPUS") {
        std::fs::copy(
            &corpus,
            std::path::Path::new(&keep).join(format!("edited-{lang}.jsonl")),
        )
        .unwrap();
    }
    let found = pairs(&[corpus.to_str().unwrap()]);

    let family_of = |id: &str| id.rsplit('-').next().unwrap().to_string();
    let by_pair: BTreeMap<(String, String), (String, f64)> = found
        .iter()
        .map(|p| ((p.a.clone(), p.b.clone()), (p.relation.clone(), p.score)))
        .collect();
    let mut missed = Vec::new();
    let expected: usize = families
        .iter()
        .map(|f| f.near.len() + f.contained.len() + f.either.len())
        .sum();
    for f in &families {
        for (a, b) in &f.near {
            match by_pair.get(&(a.clone(), b.clone())) {
                Some((r, _)) if r == "near_duplicate" => {}
                other => missed.push(format!("{a} ~ {b}: {other:?}")),
            }
        }
        for (a, b) in &f.contained {
            match by_pair.get(&(a.clone(), b.clone())) {
                Some((r, _)) if r == "containment" => {}
                other => missed.push(format!("{a} contains {b}: {other:?}")),
            }
        }
        for (a, b) in &f.either {
            match by_pair.get(&(a.clone(), b.clone())) {
                Some((r, _)) if r == "containment" || r == "near_duplicate" => {}
                other => missed.push(format!("{a} contains or resembles {b}: {other:?}")),
            }
        }
    }
    // Nothing between different stories, and the quoting article is no copy of the original.
    let wrong: Vec<String> = found
        .iter()
        .filter(|p| {
            family_of(&p.a) != family_of(&p.b) || {
                let kinds: BTreeSet<&str> = [
                    p.a.split('-').next().unwrap(),
                    p.b.split('-').next().unwrap(),
                ]
                .into();
                kinds.contains("quoting") && !kinds.contains("excerpt")
            }
        })
        .map(|p| format!("{} {} {} {}", p.a, p.relation, p.b, p.score))
        .collect();
    let recall = 1.0 - missed.len() as f64 / expected as f64;
    eprintln!(
        "{lang}: {} families, {} documents, {} pairs reported, {expected} expected, recall {recall:.4}, {} wrong",
        families.len(),
        docs.len(),
        found.len(),
        wrong.len()
    );
    assert!(
        recall >= 0.99,
        "{lang}: recall {recall:.4}; missed:\n{}",
        missed.join("\n")
    );
    assert!(
        wrong.is_empty(),
        "{lang}: pairs no person would report:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn edited_copies_en() {
    check_language("en");
}

#[test]
fn edited_copies_fr() {
    check_language("fr");
}
