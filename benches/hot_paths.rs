//! Criterion micro-benchmarks of the hot paths, on the bundled Bamako articles (always present):
//! folding + tokenizing, full fingerprinting (tokenize + shingle + SimHash + MinHash), SimHash alone,
//! and exact pair scoring. Throughput is reported in bytes of original text.
//!
//!     cargo bench --bench hot_paths

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

use twinwire::fingerprint::{Fingerprint, SimHash64};
use twinwire::score::score;
use twinwire::text::for_each_token;
use twinwire::Config;

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
}

criterion_group!(benches, bench);
criterion_main!(benches);
