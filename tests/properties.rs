//! Invariants, checked on generated inputs (proptest) and at the boilerplate cap's bound.

use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

use twinwire::fingerprint::Fingerprint;
use twinwire::pipeline::relate_texts;
use twinwire::relate::{Relation, RelationKind};
use twinwire::score::score;
use twinwire::Config;

#[rustfmt::skip]
const VOCAB: &[&str] = &[
    "Bamako", "l'armée", "d'Al-Qaïda", "attaque", "aéroport", "gendarmerie", "jihadistes", "Goïta",
    "élève", "the", "army", "said", "attack", "airport", "Malian", "capital", "five", "soldiers", "killed",
    "«contrôle»", "“under", "control”", "2 000", "5H00", "œuvre", "ﬁnal", "Noël", "déjà", "où", "ça",
];

fn text_from(words: &[usize], seps: &[usize]) -> String {
    const SEPS: [&str; 5] = [" ", ", ", " - ", "\u{00A0}", ". "];
    let mut s = String::new();
    for (i, &w) in words.iter().enumerate() {
        if i > 0 {
            s.push_str(SEPS[seps.get(i).copied().unwrap_or(0) % SEPS.len()]);
        }
        s.push_str(VOCAB[w % VOCAB.len()]);
    }
    s
}

fn text_strategy(max: usize) -> impl Strategy<Value = String> {
    (
        prop::collection::vec(0..VOCAB.len(), 0..max),
        prop::collection::vec(0..5usize, max),
    )
        .prop_map(|(w, s)| text_from(&w, &s))
}

fn key(r: &Relation) -> (u32, u32, RelationKind, u64) {
    (r.a.0, r.b.0, r.kind, (r.score * 1e9) as u64)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn similarity_is_symmetric_and_bounded(a in text_strategy(80), b in text_strategy(80)) {
        let c = Config::default();
        let (fa, fb) = (Fingerprint::of_text(&a, &c), Fingerprint::of_text(&b, &c));
        let (ab, ba) = (score(&fa, &fb), score(&fb, &fa));
        prop_assert_eq!(ab.jaccard, ba.jaccard);
        prop_assert_eq!(ab.a_in_b, ba.b_in_a);
        prop_assert_eq!(ab.hamming, ba.hamming);
        for x in [ab.jaccard, ab.a_in_b, ab.b_in_a] {
            prop_assert!((0.0..=1.0).contains(&x));
        }
        prop_assert!(ab.jaccard <= ab.a_in_b.min(ab.b_in_a) + 1e-12);
    }

    #[test]
    fn a_document_is_an_exact_twin_of_its_unicode_variants(t in text_strategy(60)) {
        let c = Config::default();
        let f = Fingerprint::of_text(&t, &c);
        for variant in [
            t.nfd().collect::<String>(),
            t.nfc().collect::<String>(),
            t.nfkc().collect::<String>(),
            t.nfkd().collect::<String>(),
            t.to_uppercase(),
            t.to_lowercase(),
        ] {
            prop_assert_eq!(&Fingerprint::of_text(&variant, &c), &f, "{:?} vs {:?}", t, variant);
        }
        if !f.is_empty() {
            let s = score(&f, &f);
            prop_assert_eq!((s.jaccard, s.a_in_b, s.b_in_a), (1.0, 1.0, 1.0));
            let r = relate_texts(&[t.clone(), t.nfd().collect::<String>()], &c);
            prop_assert_eq!(r.len(), 1);
            prop_assert_eq!(r[0].kind, RelationKind::Exact);
        }
    }

    #[test]
    fn adding_unrelated_documents_never_removes_a_pair(
        story in prop::collection::vec(0..400usize, 60..160),
        cuts in prop::collection::vec((0..100usize, 0..100usize), 1..6),
        noise in prop::collection::vec(prop::collection::vec(0..400usize, 0..120), 0..25),
    ) {
        // Related documents: cuts and edits of one story over a 400-word vocabulary.
        let word = |i: usize| format!("w{i}");
        let mut docs: Vec<String> = vec![story.iter().map(|&i| word(i)).collect::<Vec<_>>().join(" ")];
        for &(x, y) in &cuts {
            let (lo, hi) = (x.min(y) * story.len() / 100, x.max(y) * story.len() / 100 + 1);
            docs.push(story[lo..hi.min(story.len())].iter().map(|&i| word(i)).collect::<Vec<_>>().join(" "));
            docs.push(story.iter().enumerate().filter(|(k, _)| *k % 17 != x % 17).map(|(_, &i)| word(i)).collect::<Vec<_>>().join(" "));
        }
        let c = Config::default();
        let before: Vec<_> = relate_texts(&docs, &c).iter().map(key).collect();
        // Unrelated documents: another vocabulary; appended, so earlier ids do not move.
        docs.extend(noise.iter().map(|n| n.iter().map(|&i| format!("z{i}")).collect::<Vec<_>>().join(" ")));
        let after: Vec<_> = relate_texts(&docs, &c).iter().map(key).collect();
        for pair in &before {
            prop_assert!(after.contains(pair), "{:?} lost", pair);
        }
    }
}

/// The boilerplate cap: anchors shared by more than `max_anchor_postings` documents are not looked up.
/// Its bound: such an anchor counts as a possible hit, so an excerpt is still found however many
/// documents repeat the boilerplate it contains.
#[test]
fn the_anchor_cap_never_hides_an_excerpt_behind_boilerplate() {
    let words = |r: std::ops::Range<usize>, p: &str| {
        r.map(|i| format!("{p}{i}")).collect::<Vec<_>>().join(" ")
    };
    let boiler = words(0..40, "b");
    let source = format!("{boiler} {}", words(0..400, "s"));
    let excerpt = format!("{boiler} {}", words(100..160, "s"));
    let mut docs = vec![source, excerpt];
    let c = Config::default();
    let without: Vec<_> = relate_texts(&docs, &c).iter().map(key).collect();
    assert!(without.iter().any(|k| k.2 == RelationKind::Containment));
    // 1500 pages carrying the same boilerplate: its anchors now exceed the cap of 1000.
    for n in 0..1500 {
        docs.push(format!("{boiler} {}", words(0..60, &format!("p{n}x"))));
    }
    assert!(1500 > c.max_anchor_postings());
    let with = relate_texts(&docs, &c);
    assert!(
        with.iter()
            .any(|r| (r.a.0, r.b.0, r.kind) == (0, 1, RelationKind::Containment)),
        "the excerpt was lost behind the boilerplate"
    );
}
