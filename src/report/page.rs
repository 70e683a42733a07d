//! The page itself: the run's data as JSON, the charts, and the template with its style and script.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::cluster::Cluster;
use crate::crosslingual::pivot::Pivoter;
use crate::output::round4;
use crate::pipeline::DocInfo;
use crate::relate::RelationKind;
use crate::{Config, DocId};

use super::charts::{score_charts, size_chart};
use super::tally::{kind_index, PairTally};
use super::views::{cut, texts_wanted, view, Limits, View};

const TEMPLATE: &str = include_str!("assets/report.html");
const STYLE: &str = include_str!("assets/report.css");
const SCRIPT: &str = include_str!("assets/report.js");

/// What a run found, as the page shows it.
pub struct Run<'a> {
    /// Every document read, in input order.
    pub docs: &'a [DocInfo],
    /// The pairs, counted and the first ones listed.
    pub tally: &'a PairTally,
    /// The clusters, largest first ([`Run::sort_clusters`]).
    pub clusters: &'a [Cluster],
    /// Seconds the run took.
    pub seconds: f64,
    /// The inputs as named on the command line.
    pub inputs: &'a [String],
    /// The settings, in words.
    pub settings: String,
    pub config: &'a Config,
    pub pivoter: &'a Pivoter,
    pub limits: Limits,
}

/// What was written, for the command's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStats {
    pub bytes: u64,
    pub clusters_with_text: usize,
    pub texts: usize,
    pub views: usize,
}

impl Run<'_> {
    /// Puts clusters in the page's order: most documents first, then representative's input order.
    pub fn sort_clusters(clusters: &mut [Cluster]) {
        clusters.sort_by_key(|c| (std::cmp::Reverse(c.members.len()), c.representative));
    }

    /// The documents (indices) whose texts the page carries.
    pub fn texts_wanted(&self) -> BTreeSet<usize> {
        texts_wanted(self.clusters, &self.tally.listed, &self.limits)
    }
}

/// Writes the page; `texts` holds the texts of [`Run::texts_wanted`] (a text missing there is
/// shown as not carried).
pub fn write_page(
    out: &mut dyn Write,
    run: &Run<'_>,
    texts: &HashMap<usize, String>,
) -> io::Result<PageStats> {
    let data = PageData::of(run, texts);
    let stats = PageStats {
        bytes: 0,
        clusters_with_text: run.clusters.len().min(run.limits.text_clusters),
        texts: data.texts.len(),
        views: data.views.len(),
    };
    let json = script_safe(&serde_json::to_string(&data).map_err(io::Error::from)?);
    let sizes = run.clusters.iter().map(|c| c.members.len() as u64 + 1);
    let charts = format!(
        "{}{}",
        score_charts(&run.tally.counts, &run.tally.histograms),
        size_chart(sizes)
    );
    let page = TEMPLATE
        .replacen("/*STYLE*/", STYLE, 1)
        .replacen("<!--CHARTS-->", &charts, 1)
        .replacen("/*SCRIPT*/", SCRIPT, 1);
    // The data goes in last: nothing it holds is ever searched for a placeholder.
    let (head, tail) = page.split_once("/*DATA*/").unwrap_or((&page, ""));
    out.write_all(head.as_bytes())?;
    out.write_all(json.as_bytes())?;
    out.write_all(tail.as_bytes())?;
    Ok(PageStats {
        bytes: (head.len() + json.len() + tail.len()) as u64,
        ..stats
    })
}

/// JSON that no text can end the `<script>` element it sits in: `<`, `>` and `&` escaped (they
/// only occur inside JSON strings, where the escapes mean the same characters).
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The data the page's script reads (field names are the script's).
#[derive(Serialize)]
struct PageData<'a> {
    summary: Summary<'a>,
    kinds: [&'static str; 4],
    /// [id, words, language] of the documents the page names; the rest refers to them by position.
    docs: Vec<(&'a str, u32, Option<&'a str>)>,
    /// [representative, [[member, kind, score], ...]], largest first.
    clusters: Vec<(usize, Vec<MemberShown>)>,
    /// [a, b, kind, score], in output order.
    pairs: Vec<(usize, usize, usize, f64)>,
    /// [document, text, cut?].
    texts: Vec<(usize, &'a str, bool)>,
    /// "x-y" (x < y, document positions) -> what the pair shows, x's side first.
    views: BTreeMap<String, View>,
    limits: LimitsShown,
}

/// [member, kind, score to the representative].
type MemberShown = (usize, usize, f64);

#[derive(Serialize)]
struct Summary<'a> {
    documents: usize,
    pairs: BTreeMap<&'static str, u64>,
    pairs_total: u64,
    clusters: usize,
    removed: usize,
    kept: usize,
    seconds: f64,
    inputs: &'a [String],
    settings: &'a str,
    version: &'static str,
}

#[derive(Serialize)]
struct LimitsShown {
    text_clusters: usize,
    members_with_text: usize,
    text_translations: usize,
    text_chars: usize,
    listed_pairs: usize,
    pairs_left_out: u64,
}

impl<'a> PageData<'a> {
    fn of(run: &'a Run<'a>, texts: &'a HashMap<usize, String>) -> PageData<'a> {
        let named = named_documents(run);
        let local: HashMap<DocId, usize> = named.iter().enumerate().map(|(i, &d)| (d, i)).collect();
        let texts_carried: BTreeMap<usize, (&'a str, bool)> = named
            .iter()
            .filter_map(|d| {
                let text = texts.get(&d.index())?;
                Some((local[d], cut(text, run.limits.text_chars)))
            })
            .collect();
        let views = views(run, &named, &local, &texts_carried);
        let removed: usize = run.clusters.iter().map(|c| c.members.len()).sum();
        PageData {
            summary: Summary {
                documents: run.docs.len(),
                pairs: RelationKind::ALL
                    .iter()
                    .map(|&k| (k.name(), run.tally.counts[kind_index(k)]))
                    .collect(),
                pairs_total: run.tally.total(),
                clusters: run.clusters.len(),
                removed,
                kept: run.docs.len() - removed,
                seconds: (run.seconds * 1000.0).round() / 1000.0,
                inputs: run.inputs,
                settings: &run.settings,
                version: env!("CARGO_PKG_VERSION"),
            },
            kinds: RelationKind::ALL.map(RelationKind::name),
            docs: named
                .iter()
                .map(|d| {
                    let doc = &run.docs[d.index()];
                    (doc.id.as_str(), doc.words, doc.lang.as_deref())
                })
                .collect(),
            clusters: run
                .clusters
                .iter()
                .map(|c| {
                    let members = c
                        .members
                        .iter()
                        .map(|m| (local[&m.doc], kind_index(m.relation), round4(m.score)));
                    (local[&c.representative], members.collect())
                })
                .collect(),
            pairs: run
                .tally
                .listed
                .iter()
                .map(|p| {
                    (
                        local[&p.a],
                        local[&p.b],
                        kind_index(p.kind),
                        round4(p.score),
                    )
                })
                .collect(),
            texts: texts_carried
                .into_iter()
                .map(|(d, (text, was_cut))| (d, text, was_cut))
                .collect(),
            views,
            limits: LimitsShown {
                text_clusters: run.limits.text_clusters,
                members_with_text: run.limits.members_with_text,
                text_translations: run.limits.text_translations,
                text_chars: run.limits.text_chars,
                listed_pairs: run.limits.listed_pairs,
                pairs_left_out: run.tally.left_out,
            },
        }
    }
}

/// The documents the page names (in clusters or listed pairs), in input order.
fn named_documents(run: &Run<'_>) -> Vec<DocId> {
    let mut named: BTreeSet<DocId> = BTreeSet::new();
    for c in run.clusters {
        named.insert(c.representative);
        named.extend(c.members.iter().map(|m| m.doc));
    }
    for p in &run.tally.listed {
        named.extend([p.a, p.b]);
    }
    named.into_iter().collect()
}

/// The views of every pair the page can open with both texts: listed pairs, and each carried
/// member with its representative.
fn views(
    run: &Run<'_>,
    named: &[DocId],
    local: &HashMap<DocId, usize>,
    texts: &BTreeMap<usize, (&str, bool)>,
) -> BTreeMap<String, View> {
    let mut wanted: BTreeMap<(usize, usize), RelationKind> = BTreeMap::new();
    let mut want = |a: DocId, b: DocId, kind: RelationKind| {
        let (x, y) = (local[&a].min(local[&b]), local[&a].max(local[&b]));
        if texts.contains_key(&x) && texts.contains_key(&y) {
            wanted.entry((x, y)).or_insert(kind);
        }
    };
    for p in &run.tally.listed {
        want(p.a, p.b, p.kind);
    }
    for c in run.clusters.iter().take(run.limits.text_clusters) {
        for m in &c.members {
            want(c.representative, m.doc, m.relation);
        }
    }
    let wanted: Vec<((usize, usize), RelationKind)> = wanted.into_iter().collect();
    wanted
        .par_iter()
        .filter_map(|&((x, y), kind)| {
            let docs = (&run.docs[named[x].index()], &run.docs[named[y].index()]);
            let view = view(
                docs,
                kind,
                (texts[&x].0, texts[&y].0),
                run.config,
                run.pivoter,
            )?;
            Some((format!("{x}-{y}"), view))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_text_can_close_the_script_element() {
        let json = serde_json::to_string(&"</script><script>alert(1)</script> & <!--").unwrap();
        let safe = script_safe(&json);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "</script><script>alert(1)</script> & <!--");
    }
}
