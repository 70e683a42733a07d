//! `twinwire explain`: why two documents are (or are not) related, for a person.

use std::io::Write;

use anyhow::{bail, Result};
use clap::Args;

use twinwire::crosslingual::align::Alignment;
use twinwire::crosslingual::pivot::PivotDoc;
use twinwire::crosslingual::translate::verify;
use twinwire::fingerprint::Fingerprint;
use twinwire::relate::{relate, shared_passages, RelationKind};
use twinwire::score::score;
use twinwire::{Config, DocId};

use super::{analyze_inputs, InputArgs, MatchArgs};

/// Why two documents are (or are not) related: every score next to its threshold, whether the
/// candidate tables would propose the pair, and the longest passages they share.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Id of the first document.
    id_a: String,
    /// Id of the second document.
    id_b: String,
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(required = true, value_name = "INPUT")]
    inputs: Vec<String>,
    /// How many shared passages (or aligned sentence groups) to show.
    #[arg(long, default_value_t = 5, value_name = "N")]
    passages: usize,
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    matching: MatchArgs,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let mut input = args.input.clone();
    input.quiet = true;
    let (analysis, config, pivoter, progress) =
        analyze_inputs(&args.inputs, &input, &args.matching, false, true)?;
    progress.finish();
    let find = |id: &str| -> Result<DocId> {
        match analysis.docs.iter().position(|d| d.id == id) {
            Some(i) => Ok(DocId(i as u32)),
            None => {
                let some: Vec<&str> = analysis
                    .docs
                    .iter()
                    .take(5)
                    .map(|d| d.id.as_str())
                    .collect();
                bail!(
                    "no document with id \"{id}\" in the inputs ({} documents; the first ids are {})",
                    analysis.docs.len(),
                    some.join(", ")
                )
            }
        }
    };
    let (i, j) = (find(&args.id_a)?, find(&args.id_b)?);
    let (fi, fj) = (
        &analysis.fingerprints[i.index()],
        &analysis.fingerprints[j.index()],
    );
    let (di, dj) = (&analysis.docs[i.index()], &analysis.docs[j.index()]);
    let s = score(fi, fj);
    let (lo, hi) = if i <= j { (i, j) } else { (j, i) };
    let (flo, fhi) = (
        &analysis.fingerprints[lo.index()],
        &analysis.fingerprints[hi.index()],
    );
    let verdict = relate(lo, hi, flo, fhi, &score(flo, fhi), &config);
    // Written through a handle so that a closed pipe (`| head`) is an error to end on, not a panic.
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let out = &mut out as &mut dyn Write;

    for (d, f) in [(di, fi), (dj, fj)] {
        writeln!(
            out,
            "{}  ({} words, {} shingles, from {})",
            d.id,
            f.words,
            f.shingles.len(),
            d.origin
        )?;
    }
    writeln!(out)?;
    let pivot =
        |d: &twinwire::pipeline::DocInfo| pivoter.pivot(d.text.as_deref()?, d.lang.as_deref()?);
    let (pivot_a, pivot_b) = (pivot(di), pivot(dj));
    let translation = match (&pivot_a, &pivot_b) {
        (Some(pa), Some(pb)) if pa.lang != pb.lang => {
            Some((pa, pb, verify(pa, pb, &config.translation)))
        }
        _ => None,
    };
    if let Some((_, _, (_, Some(e)))) = &translation {
        writeln!(
            out,
            "relation: translation ({} / {}; score {:.4} = coverage of the shorter)",
            e.lang_a,
            e.lang_b,
            e.shorter_coverage()
        )?;
    }
    match &verdict {
        Some(r) if r.kind == RelationKind::Containment => writeln!(
            out,
            "relation: containment: {} contains {} ({:.1}% of its shingles)",
            analysis.docs[r.a.index()].id,
            analysis.docs[r.b.index()].id,
            r.score * 100.0
        )?,
        Some(r) => writeln!(out, "relation: {} (score {:.4})", r.kind.name(), r.score)?,
        None if matches!(translation, Some((_, _, (_, Some(_))))) => {}
        None => writeln!(out, "relation: none")?,
    }
    writeln!(out)?;
    print_scores(out, &args, &config, fi, fj, &s)?;
    writeln!(out)?;
    let text = |d: &twinwire::pipeline::DocInfo| d.text.clone().unwrap_or_default();
    let (ta, tb) = (text(di), text(dj));
    if let Some((pa, pb, (alignment, evidence))) = &translation {
        let rep = |d: DocId| analysis.matched.groups.representative[d.index()];
        let (x, y) = (rep(i).min(rep(j)), rep(i).max(rep(j)));
        let proposed = analysis
            .matched
            .translation_candidate_pairs
            .binary_search(&(x, y))
            .is_ok();
        print_alignment(
            out,
            &config,
            pa,
            pb,
            alignment,
            (evidence.is_some(), proposed),
            &ta,
            &tb,
            args.passages,
        )?;
        return Ok(());
    }
    let passages = shared_passages(&ta, &tb, &config);
    if passages.is_empty() {
        writeln!(
            out,
            "shared passages: none ({}-word runs in common: 0)",
            config.shingle_size
        )?;
        return Ok(());
    }
    let shared_words: usize = passages.iter().map(|p| p.words).sum();
    writeln!(
        out,
        "shared passages: {} runs, {} of {}'s {} words; the longest, as in {}:",
        passages.len(),
        shared_words,
        dj.id,
        fj.words,
        dj.id
    )?;
    for p in passages.iter().take(args.passages) {
        writeln!(
            out,
            "  [{} words] {}",
            p.words,
            quote(&tb[p.span.0..p.span.1], 240)
        )?;
    }
    Ok(())
}

fn print_scores(
    out: &mut dyn Write,
    args: &ExplainArgs,
    config: &Config,
    fi: &Fingerprint,
    fj: &Fingerprint,
    s: &twinwire::score::PairScore,
) -> std::io::Result<()> {
    let mark = |ok: bool| if ok { "yes" } else { "no " };
    writeln!(
        out,
        "  exact text (after normalization) ... {}",
        if !fi.is_empty() && fi.exact == fj.exact {
            "identical"
        } else {
            "different"
        }
    )?;
    writeln!(
        out,
        "  jaccard resemblance ............... {:.4}  near_duplicate needs >= {}: {}",
        s.jaccard,
        config.threshold,
        mark(s.jaccard >= config.threshold)
    )?;
    writeln!(
        out,
        "  {} in {} .......... {:.4}",
        args.id_a, args.id_b, s.a_in_b
    )?;
    writeln!(
        out,
        "  {} in {} .......... {:.4}  containment needs >= {} of the shorter, and it >= {} words",
        args.id_b, args.id_a, s.b_in_a, config.containment, config.min_contained_words
    )?;
    writeln!(out, "  shared shingles ................... {}", s.shared)?;
    writeln!(
        out,
        "  simhash hamming distance .......... {} of 64 bits",
        s.hamming
    )?;
    let bands = fi
        .bands
        .iter()
        .zip(&fj.bands)
        .filter(|(x, y)| x == y)
        .count();
    let anchors_i: Vec<u32> = fi.shingles.anchors(config.anchor_modulus).collect();
    let shared_anchors = fj
        .shingles
        .anchors(config.anchor_modulus)
        .filter(|a| anchors_i.binary_search(a).is_ok())
        .count();
    writeln!(
        out,
        "  candidate tables .................. {} of {} MinHash bands shared; {} shared anchors",
        bands, config.minhash.bands, shared_anchors
    )?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn print_alignment(
    out: &mut dyn Write,
    config: &Config,
    pa: &PivotDoc,
    pb: &PivotDoc,
    alignment: &Alignment,
    (is_translation, proposed): (bool, bool),
    ta: &str,
    tb: &str,
    rows: usize,
) -> std::io::Result<()> {
    let p = &config.translation;
    let (sa, sb) = (pa.content_sentences(), pb.content_sentences());
    writeln!(out, "translation ({} / {}):", pa.lang, pb.lang)?;
    writeln!(
        out,
        "  aligned sentence groups ........... {} (needs >= {})",
        alignment.beads.len(),
        p.min_aligned
    )?;
    writeln!(
        out,
        "  coverage .......................... {:.4} of {} sentences / {:.4} of {} sentences; the shorter needs >= {}",
        alignment.coverage_a, sa, alignment.coverage_b, sb, p.min_coverage
    )?;
    writeln!(
        out,
        "  mean similarity of aligned pairs .. {:.4} (needs >= {})",
        alignment.similarity, p.min_similarity
    )?;
    writeln!(
        out,
        "  verdict ........................... {}",
        if is_translation {
            "translation"
        } else {
            "not a translation"
        }
    )?;
    writeln!(
        out,
        "  candidate index ................... {}",
        if proposed {
            "proposes the pair"
        } else {
            "does not propose the pair (too few rare names, numbers and words in common): \
             not reported"
        }
    )?;
    writeln!(out)?;
    if alignment.beads.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "aligned sentences, in order (similarity; {} of {} shown):",
        rows.min(alignment.beads.len()),
        alignment.beads.len()
    )?;
    const WIDTH: usize = 58;
    let group = |doc: &PivotDoc, text: &str, (lo, hi): (usize, usize)| -> String {
        doc.sentences[lo..hi]
            .iter()
            .map(|s| {
                text[s.span.0 as usize..s.span.1 as usize]
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    for bead in alignment.beads.iter().take(rows) {
        let left = wrap(&group(pa, ta, bead.a), WIDTH);
        let right = wrap(&group(pb, tb, bead.b), WIDTH);
        writeln!(out, "  [{:.2}]", bead.similarity)?;
        for k in 0..left.len().max(right.len()) {
            let l = left.get(k).map(String::as_str).unwrap_or("");
            let r = right.get(k).map(String::as_str).unwrap_or("");
            writeln!(out, "  {l:<WIDTH$} | {r}")?;
        }
    }
    Ok(())
}

/// Splits text into lines of at most `width` characters, at spaces where it can.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            lines.push(head);
            line = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn quote(s: &str, max_chars: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max_chars {
        format!("\"{flat}\"")
    } else {
        let cut: String = flat.chars().take(max_chars).collect();
        format!("\"{cut}...\"")
    }
}
