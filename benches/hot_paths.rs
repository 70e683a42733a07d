//! Criterion micro-benchmarks of the hot paths, on the bundled Bamako articles (always present):
//! folding + tokenizing (alone and into a token list), language and translation keys, full
//! fingerprinting (tokenize + shingle + SimHash + MinHash), SimHash alone,
//! exact pair scoring, candidate generation (LSH tables and anchor index over 2000 documents grown
//! from the sample), pivoting and sentence alignment (the French report and its translation).
//! Throughput is reported in bytes of original text, or in elements.
//!
//!     cargo bench --bench hot_paths

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use twinwire::candidates::{anchor_pairs, lsh_pairs};
use twinwire::crosslingual::align::{align, AlignParams};
use twinwire::crosslingual::pivot::candidate_keys;
use twinwire::crosslingual::pivot::Pivoter;
use twinwire::crosslingual::Lexicon;
use twinwire::fingerprint::{Fingerprint, Fingerprints, SimHash64};
use twinwire::score::score;
use twinwire::text::{detect_language_of, for_each_token, TokenList};
use twinwire::Config;
use twinwire::DocId;

fn sample_texts() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/bamako");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = sample_texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let config = Config::default();

    let mut g = c.benchmark_group("text");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("fold_and_tokenize", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                for_each_token(black_box(t), |tok| n += tok.folded.len());
            }
            n
        })
    });
    g.bench_function("token_list", |b| {
        let mut list = TokenList::of("");
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                list.refill(black_box(t));
                n += list.len();
            }
            n
        })
    });
    let lists: Vec<TokenList> = texts.iter().map(|t| TokenList::of(t)).collect();
    g.bench_function("language_and_translation_keys", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (t, list) in texts.iter().zip(&lists) {
                let lang = detect_language_of(black_box(list)).unwrap_or("en");
                n += candidate_keys(black_box(t), list, lang).len();
            }
            n
        })
    });
    g.bench_function("fingerprint", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| Fingerprint::of_text(black_box(t), &config).words)
                .sum::<u32>()
        })
    });
    g.finish();

    let features: Vec<u64> = (0..10_000u64)
        .map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .collect();
    let mut g = c.benchmark_group("simhash");
    g.throughput(Throughput::Elements(features.len() as u64));
    g.bench_function("10k_features", |b| {
        b.iter(|| SimHash64::from_feature_hashes(black_box(&features).iter().copied()))
    });
    g.finish();

    let fps: Vec<Fingerprint> = texts
        .iter()
        .map(|t| Fingerprint::of_text(t, &config))
        .collect();
    let mut g = c.benchmark_group("score");
    g.throughput(Throughput::Elements(1));
    g.bench_function("pair_of_articles", |b| {
        b.iter(|| score(black_box(&fps[0]), black_box(&fps[2])))
    });
    g.finish();

    // 2000 documents: each sample article cut into 400 overlapping windows of its lines.
    let mut grown: Vec<String> = Vec::new();
    for t in &texts {
        let lines: Vec<&str> = t.lines().filter(|l| !l.trim().is_empty()).collect();
        for k in 0..400 {
            let start = k % lines.len().max(1);
            let window: Vec<&str> = lines
                .iter()
                .cycle()
                .skip(start)
                .take(5 + k % 7)
                .copied()
                .collect();
            grown.push(format!("{k} {}", window.join("\n")));
        }
    }
    let grown_fps: Vec<Fingerprint> = grown
        .iter()
        .map(|t| Fingerprint::of_text(t, &config))
        .collect();
    let grown_fps = Fingerprints::from(grown_fps);
    let docs: Vec<DocId> = (0..grown_fps.len() as u32).map(DocId).collect();
    let mut g = c.benchmark_group("candidates");
    g.throughput(Throughput::Elements(docs.len() as u64));
    g.sample_size(20);
    g.bench_function("lsh_tables_2000_docs", |b| {
        b.iter(|| lsh_pairs(black_box(&grown_fps), &docs, &config).len())
    });
    g.bench_function("anchor_index_2000_docs", |b| {
        b.iter(|| anchor_pairs(black_box(&grown_fps), &docs, &config).len())
    });
    g.finish();

    let pivoter = Pivoter::new(vec![Lexicon::bundled_fr_en()]);
    let (fr, en) = (&texts[2], &texts[0]);
    let mut g = c.benchmark_group("translation");
    g.throughput(Throughput::Bytes((fr.len() + en.len()) as u64));
    g.bench_function("pivot_report_and_translation", |b| {
        b.iter(|| {
            let f = pivoter.pivot(black_box(fr), "fr").unwrap();
            let e = pivoter.pivot(black_box(en), "en").unwrap();
            f.sentences.len() + e.sentences.len()
        })
    });
    let (pf, pe) = (
        pivoter.pivot(fr, "fr").unwrap(),
        pivoter.pivot(en, "en").unwrap(),
    );
    g.bench_function("align_report_and_translation", |b| {
        b.iter(|| {
            align(black_box(&pf), black_box(&pe), &AlignParams::default())
                .beads
                .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
