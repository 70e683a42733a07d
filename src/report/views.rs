//! Which texts the page carries, and for a pair of them what a person is shown: the passages the
//! two texts share (copies: the computation `explain` shows, [`shared_passages`]) or their aligned
//! sentences (translations: the alignment `--aligned-sentences` writes).

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::cluster::Cluster;
use crate::crosslingual::bitext::{aligned_groups, Side};
use crate::crosslingual::pivot::Pivoter;
use crate::pipeline::DocInfo;
use crate::relate::{shared_passages, RelationKind};
use crate::text::detect_language;
use crate::Config;

use super::tally::ListedPair;

/// What the page carries, so that it stays small enough to open on a run of any size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Clusters, largest first, whose members' texts are carried (`--texts`).
    pub text_clusters: usize,
    /// Members of each of those clusters with their text, besides the representative.
    pub members_with_text: usize,
    /// Translation pairs, in output order, whose texts and aligned sentences are carried.
    pub text_translations: usize,
    /// Characters of a text carried at most (a longer text is cut, and says so).
    pub text_chars: usize,
    /// Pairs listed at most; all are counted.
    pub listed_pairs: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            text_clusters: 100,
            members_with_text: 20,
            text_translations: 100,
            text_chars: 100_000,
            listed_pairs: 200_000,
        }
    }
}

/// The documents whose texts the page carries: the representatives and first members of the
/// largest clusters (`clusters` sorted largest first), and both sides of the first translations.
pub fn texts_wanted(
    clusters: &[Cluster],
    listed: &[ListedPair],
    limits: &Limits,
) -> BTreeSet<usize> {
    let mut wanted = BTreeSet::new();
    for c in clusters.iter().take(limits.text_clusters) {
        wanted.insert(c.representative.index());
        for m in c.members.iter().take(limits.members_with_text) {
            wanted.insert(m.doc.index());
        }
    }
    let translations = listed
        .iter()
        .filter(|p| p.kind == RelationKind::Translation);
    for p in translations.take(limits.text_translations) {
        wanted.insert(p.a.index());
        wanted.insert(p.b.index());
    }
    wanted
}

/// What the page shows for one pair whose two texts it carries.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum View {
    /// Shared passages, as [start, end) in UTF-16 code units of each text (JavaScript's indices).
    Passages {
        a: Vec<[usize; 2]>,
        b: Vec<[usize; 2]>,
    },
    /// Aligned sentence groups: [text of a, text of b, similarity].
    Aligned { aligned: Vec<(String, String, f64)> },
}

/// The view of the pair (a, b), with a and b's texts; `None` for a translation whose languages
/// the pivoter does not know.
pub fn view<'a>(
    (a, b): (&'a DocInfo, &'a DocInfo),
    kind: RelationKind,
    (ta, tb): (&'a str, &'a str),
    config: &Config,
    pivoter: &Pivoter,
) -> Option<View> {
    if kind != RelationKind::Translation {
        return Some(View::Passages {
            a: utf16_spans(ta, shared_passages(tb, ta, config).iter().map(|p| p.span)),
            b: utf16_spans(tb, shared_passages(ta, tb, config).iter().map(|p| p.span)),
        });
    }
    // A language the run did not detect (pairs given, not computed) is detected here.
    let side = |d: &'a DocInfo, text: &'a str| {
        Some(Side {
            id: "",
            text,
            lang: d.lang.as_deref().or_else(|| detect_language(text))?,
        })
    };
    let groups = aligned_groups(side(a, ta)?, side(b, tb)?, pivoter, &config.translation);
    Some(View::Aligned {
        aligned: groups
            .into_iter()
            .map(|g| (g.text_a, g.text_b, g.score))
            .collect(),
    })
}

/// Byte spans of `text` as UTF-16 spans, sorted by start.
fn utf16_spans(text: &str, spans: impl Iterator<Item = (usize, usize)>) -> Vec<[usize; 2]> {
    let mut spans: Vec<(usize, usize)> = spans.collect();
    spans.sort_unstable();
    let mut bounds: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut at: HashMap<usize, usize> = HashMap::with_capacity(bounds.len());
    let (mut byte, mut units) = (0, 0);
    for &bound in &bounds {
        units += text[byte..bound].encode_utf16().count();
        byte = bound;
        at.insert(bound, units);
    }
    spans.iter().map(|(s, e)| [at[s], at[e]]).collect()
}

/// `text` cut to at most `max_chars` characters (at a character boundary); whether it was cut.
pub fn cut(text: &str, max_chars: usize) -> (&str, bool) {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => (&text[..at], true),
        None => (text, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_utf16_units() {
        // "é" is 2 bytes and 1 unit; "𝄞" is 4 bytes and 2 units.
        let text = "é𝄞 abc";
        let start = text.find("abc").unwrap();
        assert_eq!(
            utf16_spans(text, [(start, start + 3)].into_iter()),
            vec![[4, 7]]
        );
    }

    #[test]
    fn cut_stops_at_a_character() {
        assert_eq!(cut("ééé", 2), ("éé", true));
        assert_eq!(cut("ééé", 3), ("ééé", false));
    }
}
