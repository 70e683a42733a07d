//! Spelling variants of one real article are exact twins: NFC/NFD, quotes, spaces, ligatures, case.

mod common;

use common::{pairs, root, write_jsonl};
use unicode_normalization::UnicodeNormalization;

#[test]
fn unicode_and_typographic_variants_are_exact() {
    let original =
        std::fs::read_to_string(root().join("corpus/bamako/002_cebe9f5fd735330a.txt")).unwrap();
    let variants: Vec<(&str, String)> = vec![
        ("nfc", original.nfc().collect()),
        ("nfd", original.nfd().collect()),
        (
            "straight-quotes",
            original
                .replace(['’', '‘'], "'")
                .replace(['“', '”', '«', '»'], "\""),
        ),
        ("curly-quotes", original.replace('\'', "’")),
        ("nbsp", original.replace(' ', "\u{00A0}")),
        ("ligatures", original.replace("fi", "ﬁ").replace("fl", "ﬂ")),
        ("upper", original.to_uppercase()),
        ("dashes", original.replace(" - ", " — ").replace('-', "‐")),
        (
            "all",
            original
                .nfd()
                .collect::<String>()
                .replace("fi", "ﬁ")
                .replace(' ', "\u{202F}")
                .to_uppercase(),
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("variants.jsonl");
    let docs: Vec<(String, String)> = variants
        .iter()
        .map(|(k, t)| (k.to_string(), t.clone()))
        .collect();
    write_jsonl(&file, &docs);
    let found = pairs(&[file.to_str().unwrap()]);
    let n = variants.len();
    assert_eq!(found.len(), n * (n - 1) / 2, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|p| p.relation == "exact" && p.score == 1.0),
        "{found:#?}"
    );
}

#[test]
fn one_changed_word_is_not_exact() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("two.jsonl");
    let text =
        std::fs::read_to_string(root().join("corpus/bamako/000_037d270298f87007.txt")).unwrap();
    let changed = text.replacen("six aircraft", "seven aircraft", 1);
    assert_ne!(text, changed);
    write_jsonl(&file, &[("a".into(), text), ("b".into(), changed)]);
    let found = pairs(&[file.to_str().unwrap()]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].relation, "near_duplicate");
    assert!(found[0].score > 0.95);
}
