//! Dense families (thousands of copies, near-identical pages, one page quoting many snippets): the
//! streamed pairs and the settled clusters against plain reference implementations that hold every
//! pair, on corpora small enough for those.

mod common;

use std::collections::{BTreeSet, HashSet};

use twinwire::candidates::{candidate_pairs, ExactGroups};
use twinwire::cluster::{clusters, settle, Keep};
use twinwire::fingerprint::{Fingerprint, Fingerprints};
use twinwire::gen::Rng;
use twinwire::pipeline::relate_fingerprints;
use twinwire::relate::{relate, Relation, RelationKind};
use twinwire::score::score;
use twinwire::{Config, DocId};

const WORDS: &[&str] = &[
    "market",
    "government",
    "minister",
    "report",
    "week",
    "city",
    "police",
    "council",
    "company",
    "price",
    "bank",
    "water",
    "school",
    "health",
    "court",
    "election",
    "energy",
    "road",
    "union",
    "village",
    "river",
    "station",
    "project",
    "budget",
    "hospital",
    "airport",
    "festival",
];

fn random_words(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| format!("{}{}", WORDS[rng.below(WORDS.len())], rng.below(50)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn soft404(rng: &mut Rng) -> String {
    format!(
        "Page not found. The page you requested at /news/{}/{} could not be found on this \
         server. It may have been moved, renamed or deleted, or the address may have been typed \
         incorrectly. Please check the address, use the search box above, or return to the home \
         page to find the latest news, sport, weather and business stories. Reference {}.",
        random_words(rng, 2).replace(' ', "/"),
        rng.below(90_000_000) + 10_000_000,
        rng.below(900_000) + 100_000,
    )
}

/// A corpus with every dense shape, shuffled: near-identical pages, groups of exact copies (some
/// of them near-duplicates of each other's groups), a page quoting many snippets, edited copies,
/// and unrelated articles.
fn dense_corpus(seed: u64) -> Vec<String> {
    let mut rng = Rng(seed);
    let mut docs: Vec<String> = (0..300).map(|_| soft404(&mut rng)).collect();
    for _ in 0..12 {
        let brief = random_words(&mut rng, 40);
        let copies = 2 + rng.below(25);
        docs.extend(std::iter::repeat_n(brief.clone(), copies));
        // A near-duplicate of the brief, itself copied.
        let edited = format!("{brief} {}", random_words(&mut rng, 6));
        docs.extend(std::iter::repeat_n(edited, 1 + rng.below(4)));
    }
    let snippets: Vec<String> = (0..60).map(|_| random_words(&mut rng, 30)).collect();
    docs.push(snippets.join(". "));
    docs.push(snippets[..30].join(". "));
    docs.extend(snippets.iter().cloned());
    docs.extend(snippets[..10].iter().cloned());
    for _ in 0..150 {
        let n = 20 + rng.below(300);
        docs.push(random_words(&mut rng, n));
    }
    for i in (1..docs.len()).rev() {
        let j = rng.below(i + 1);
        docs.swap(i, j);
    }
    docs
}

fn fingerprints(texts: &[String], config: &Config) -> Fingerprints {
    let all: Vec<Fingerprint> = texts
        .iter()
        .map(|t| Fingerprint::of_text(t, config))
        .collect();
    Fingerprints::from(all)
}

/// The pairs as the pipeline defined them before streaming: every candidate pair of
/// representatives scored, repeated for every copy, plus the pairs within each exact group; sorted
/// by (first, second, relation).
fn reference_pairs(fps: &Fingerprints, config: &Config) -> Vec<Relation> {
    let groups = ExactGroups::of(fps);
    let reps = groups.representatives(fps);
    let candidates: HashSet<(DocId, DocId)> =
        candidate_pairs(fps, &reps, config).into_iter().collect();
    let mut out = Vec::new();
    for i in 0..fps.len() {
        for j in i + 1..fps.len() {
            let (a, b) = (DocId(i as u32), DocId(j as u32));
            let (ra, rb) = (groups.representative[i], groups.representative[j]);
            let same_group = ra == rb && !fps[i].is_empty();
            if same_group || candidates.contains(&(ra.min(rb), ra.max(rb))) {
                let (fa, fb) = (fps.to_owned(i), fps.to_owned(j));
                out.extend(relate(a, b, &fa, &fb, &score(&fa, &fb), config));
            }
        }
    }
    out.sort_by_key(|r| (r.a.min(r.b), r.a.max(r.b), r.kind));
    out
}

fn key(r: &Relation) -> (u32, u32, RelationKind, u64) {
    (r.a.0, r.b.0, r.kind, r.score.to_bits())
}

#[test]
fn streamed_pairs_are_every_pair_in_order() {
    for seed in [1, 2, 3] {
        let texts = dense_corpus(seed);
        let config = Config::default();
        let fps = fingerprints(&texts, &config);
        let matched = relate_fingerprints(&fps, None, &config, &mut |_| {});
        let (streamed, stats) = matched.related(&fps, &config).collect();
        let want = reference_pairs(&fps, &config);
        assert!(
            want.len() > 40_000,
            "the corpus is dense: {} pairs",
            want.len()
        );
        assert_eq!(streamed.len(), want.len(), "seed {seed}");
        for (s, w) in streamed.iter().zip(&want) {
            assert_eq!(key(s), key(w), "seed {seed}");
            assert_eq!(s, w);
        }
        assert_eq!(stats.pairs(), want.len() as u64);
        // The busiest document is in the near-identical family (or an exact group as large).
        let (_, partners) = stats.busiest.expect("some document has partners");
        assert!(partners >= 250, "{partners}");
    }
}

#[test]
fn settled_clusters_are_those_of_every_pair() {
    for seed in [1, 2, 3] {
        let texts = dense_corpus(seed);
        for config in [
            Config::default(),
            Config::default()
                .with_relations([RelationKind::NearDuplicate, RelationKind::Containment]),
            Config::default().with_relations([RelationKind::Containment]),
            Config::default().with_threshold(0.3).with_containment(0.6),
        ] {
            let fps = fingerprints(&texts, &config);
            let words: Vec<u32> = fps.heads().iter().map(|f| f.words).collect();
            let matched = relate_fingerprints(&fps, None, &config, &mut |_| {});
            let related = matched.related(&fps, &config);
            let all = reference_pairs(&fps, &config);
            for keep in [Keep::Longest, Keep::First] {
                let want = clusters(fps.len(), &all, &words, keep, &config);
                let got = settle(&related, &words, keep);
                assert_eq!(
                    got.clusters,
                    want,
                    "seed {seed}, {keep:?}, {:?}",
                    config.relations()
                );
            }
        }
    }
}

#[test]
fn exhaustive_runs_settle_the_clusters_of_every_pair_too() {
    let texts = dense_corpus(6);
    let config = Config::default().with_exhaustive(true);
    let fps = fingerprints(&texts, &config);
    let words: Vec<u32> = fps.heads().iter().map(|f| f.words).collect();
    let matched = relate_fingerprints(&fps, None, &config, &mut |_| {});
    let related = matched.related(&fps, &config);
    let (all, stats) = related.collect();
    let n = fps.heads().iter().filter(|f| !f.is_empty()).count() as u64;
    assert!(
        stats.scored > n * 10,
        "every pair of representatives is scored: {}",
        stats.scored
    );
    for keep in [Keep::Longest, Keep::First] {
        let want = clusters(fps.len(), &all, &words, keep, &config);
        assert!(!want.is_empty());
        assert_eq!(settle(&related, &words, keep).clusters, want, "{keep:?}");
    }
}

#[test]
fn a_family_of_near_identical_pages_is_one_cluster_settled_from_its_edges() {
    let mut rng = Rng(7);
    let texts: Vec<String> = (0..2000).map(|_| soft404(&mut rng)).collect();
    let config = Config::default();
    let fps = fingerprints(&texts, &config);
    let words: Vec<u32> = fps.heads().iter().map(|f| f.words).collect();
    let matched = relate_fingerprints(&fps, None, &config, &mut |_| {});
    let settled = settle(&matched.related(&fps, &config), &words, Keep::Longest);
    let members: usize = settled.clusters.iter().map(|c| c.members.len() + 1).sum();
    assert_eq!(members, 2000, "every page is in a cluster");
    assert!(
        settled.clusters[0].members.len() > 1900,
        "{}",
        settled.clusters.len()
    );
    // About one scoring per page, not the 2 million pairs of the family.
    assert!(settled.scored < 20_000, "{}", settled.scored);
}

/// Each document's K strongest partners (score, then relation, then input order), from every pair.
fn reference_max_partners(
    all: &[Relation],
    n: usize,
    k: usize,
) -> BTreeSet<(u32, u32, RelationKind)> {
    let mut partners: Vec<Vec<(u64, RelationKind, u32)>> = vec![Vec::new(); n];
    for r in all {
        let s = u64::MAX - r.score.to_bits();
        partners[r.a.index()].push((s, r.kind, r.b.0));
        partners[r.b.index()].push((s, r.kind, r.a.0));
    }
    let mut kept: HashSet<(u32, u32)> = HashSet::new();
    for (d, list) in partners.iter_mut().enumerate() {
        list.sort();
        for &(_, _, o) in list.iter().take(k) {
            kept.insert((d as u32, o));
        }
    }
    all.iter()
        .filter(|r| kept.contains(&(r.a.0, r.b.0)) || kept.contains(&(r.b.0, r.a.0)))
        .map(|r| (r.a.0, r.b.0, r.kind))
        .collect()
}

#[test]
fn max_partners_keeps_each_documents_strongest_partners() {
    let texts = dense_corpus(4);
    let config = Config::default();
    let fps = fingerprints(&texts, &config);
    let matched = relate_fingerprints(&fps, None, &config, &mut |_| {});
    let related = matched.related(&fps, &config);
    let (all, _) = related.collect();
    for k in [1, 3, 10] {
        let mut got = Vec::new();
        related
            .for_each::<_, std::convert::Infallible>(Some(k), &|rs| rs.to_vec(), &mut |rs| {
                got.extend(rs);
                Ok(())
            })
            .unwrap();
        let got_keys: Vec<(u32, u32, RelationKind)> =
            got.iter().map(|r| (r.a.0, r.b.0, r.kind)).collect();
        let want = reference_max_partners(&all, fps.len(), k);
        assert_eq!(got_keys.len(), want.len(), "K = {k}");
        assert_eq!(
            got_keys.into_iter().collect::<BTreeSet<_>>(),
            want,
            "K = {k}"
        );
        assert!(
            got.len() < all.len() / 10,
            "K = {k}: {} of {}",
            got.len(),
            all.len()
        );
    }
}

#[test]
fn output_is_the_same_whatever_the_thread_count() {
    let texts = dense_corpus(5);
    let config = Config::default();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let fps = fingerprints(&texts, &config);
            let words: Vec<u32> = fps.heads().iter().map(|f| f.words).collect();
            let matched = relate_fingerprints(&fps, None, &config, &mut |_| {});
            let related = matched.related(&fps, &config);
            let pairs = related.collect().0;
            let settled = settle(&related, &words, Keep::Longest);
            (pairs, settled)
        })
    };
    assert_eq!(run(1), run(3));
}

#[test]
fn the_summary_names_a_dense_family_and_max_partners_bounds_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(11);
    let docs: Vec<(String, String)> = (0..1100)
        .map(|i| (format!("page-{i}"), soft404(&mut rng)))
        .collect();
    let input = dir.path().join("pages.jsonl");
    common::write_jsonl(&input, &docs);
    let out = dir.path().join("pairs.jsonl");
    let run = common::run(&[
        "pairs",
        input.to_str().unwrap(),
        "--max-partners",
        "2",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("family of 1100 related documents around page-"),
        "{}",
        run.stderr
    );
    assert!(run
        .stderr
        .contains("see --max-partners or dedupe --clusters"));
    let lines = std::fs::read_to_string(&out).unwrap().lines().count();
    assert!((1100..=2 * 1100).contains(&lines), "{lines}");

    let kept = dir.path().join("kept.jsonl");
    let clusters = dir.path().join("clusters.jsonl");
    let run = common::run(&[
        "dedupe",
        input.to_str().unwrap(),
        "-o",
        kept.to_str().unwrap(),
        "--clusters",
        clusters.to_str().unwrap(),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("1100 lines in ="), "{}", run.stderr);
    assert!(run.stderr.contains("the largest has"), "{}", run.stderr);
    let kept = std::fs::read_to_string(&kept).unwrap().lines().count();
    assert!(kept < 20, "{kept}");
}
