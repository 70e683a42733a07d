//! `twinwire explain`: why two documents are (or are not) related, for a person. The library
//! computes the [`Explanation`]; this prints it.

use std::io::Write;

use anyhow::Result;
use clap::Args;

use crate::api::find;
use crate::{DocId, Explanation, RelationKind, TranslationCheck};

use super::{analyze_read, Analyzed, InputArgs, Keeping, MatchArgs};

/// Why two documents are (or are not) related: every score next to its threshold, whether the
/// candidate tables would propose the pair, and the longest passages they share.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// Id of the first document.
    id_a: String,
    /// Id of the second document.
    id_b: String,
    /// Files or directories to read (`-` for JSONL on standard input).
    #[arg(
        required_unless_present = "index",
        conflicts_with = "index",
        value_name = "INPUT"
    )]
    inputs: Vec<String>,
    /// Read the two documents from this index (`twinwire index`) instead of INPUTs: the pair is
    /// then looked at on its own (the candidate tables shown are those of the two documents).
    #[arg(long, value_name = "INDEX_DIR")]
    index: Option<std::path::PathBuf>,
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
    let keeping = Keeping {
        records: false,
        text: true,
        ..Keeping::default()
    };
    let (inputs, read_options) = match &args.index {
        Some(dir) => {
            let ids = [args.id_a.as_str(), args.id_b.as_str()];
            super::index::explain_inputs(dir, ids, &args.matching)?
        }
        None => (args.inputs.clone(), input.read_options(false)),
    };
    let read = (&input, read_options);
    let Analyzed {
        analysis,
        pivoter,
        progress,
    } = analyze_read(&inputs, read, &args.matching, keeping)?;
    progress.finish();
    let (i, j) = (find(&analysis, &args.id_a)?, find(&analysis, &args.id_b)?);
    let text = |d: DocId| analysis.docs[d.index()].text().unwrap_or_default();
    let explanation = Explanation::of(&analysis, (i, j), (text(i), text(j)), &pivoter);
    // Written through a handle so that a closed pipe (`| head`) is an error to end on, not a panic.
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    print(&mut out, &explanation, args.passages)?;
    Ok(())
}

/// Prints an explanation for a person, `rows` passages or aligned groups at most.
fn print(out: &mut dyn Write, e: &Explanation, rows: usize) -> std::io::Result<()> {
    for d in [&e.a, &e.b] {
        writeln!(
            out,
            "{}  ({} words, {} shingles, from {})",
            d.id, d.words, d.shingles, d.origin
        )?;
    }
    writeln!(out)?;
    print_relation(out, e)?;
    writeln!(out)?;
    print_measures(out, e)?;
    writeln!(out)?;
    if let Some(t) = &e.translation {
        return print_alignment(out, t, rows);
    }
    if e.passages.is_empty() {
        writeln!(
            out,
            "shared passages: none ({}-word runs in common: 0)",
            e.measures.shingle_size
        )?;
        return Ok(());
    }
    let shared_words: usize = e.passages.iter().map(|p| p.words).sum();
    writeln!(
        out,
        "shared passages: {} runs, {} of {}'s {} words; the longest, as in {}:",
        e.passages.len(),
        shared_words,
        e.b.id,
        e.b.words,
        e.b.id
    )?;
    for p in e.passages.iter().take(rows) {
        writeln!(out, "  [{} words] {}", p.words, quote(&p.text, 240))?;
    }
    Ok(())
}

fn print_relation(out: &mut dyn Write, e: &Explanation) -> std::io::Result<()> {
    let translation = e.translation.as_ref().filter(|t| t.is_translation);
    if let Some(t) = translation {
        writeln!(
            out,
            "relation: translation ({} / {}; score {:.4} = coverage of the shorter)",
            t.lang_a,
            t.lang_b,
            t.score.unwrap_or_default()
        )?;
    }
    match &e.copy {
        Some(c) if c.relation == RelationKind::Containment => writeln!(
            out,
            "relation: containment: {} contains {} ({:.1}% of its shingles)",
            c.a,
            c.b,
            c.score * 100.0
        ),
        Some(c) => writeln!(
            out,
            "relation: {} (score {:.4})",
            c.relation.name(),
            c.score
        ),
        None if translation.is_some() => Ok(()),
        None => writeln!(out, "relation: none"),
    }
}

fn print_measures(out: &mut dyn Write, e: &Explanation) -> std::io::Result<()> {
    let m = &e.measures;
    let (a, b) = (&e.a.id, &e.b.id);
    let mark = |ok: bool| if ok { "yes" } else { "no " };
    let identical = if m.identical {
        "identical"
    } else {
        "different"
    };
    writeln!(out, "  exact text (after normalization) ... {identical}")?;
    writeln!(
        out,
        "  jaccard resemblance ............... {:.4}  near_duplicate needs >= {}: {}",
        m.jaccard,
        m.threshold,
        mark(m.jaccard >= m.threshold)
    )?;
    writeln!(out, "  {a} in {b} .......... {:.4}", m.a_in_b)?;
    writeln!(
        out,
        "  {b} in {a} .......... {:.4}  containment needs >= {} of the shorter, and it >= {} words",
        m.b_in_a, m.containment, m.min_contained_words
    )?;
    writeln!(
        out,
        "  shared shingles ................... {}",
        m.shared_shingles
    )?;
    writeln!(
        out,
        "  simhash hamming distance .......... {} of 64 bits",
        m.hamming
    )?;
    writeln!(
        out,
        "  candidate tables .................. {} of {} MinHash bands shared; {} shared anchors",
        m.bands_shared, m.bands, m.anchors_shared
    )
}

fn print_alignment(out: &mut dyn Write, t: &TranslationCheck, rows: usize) -> std::io::Result<()> {
    writeln!(out, "translation ({} / {}):", t.lang_a, t.lang_b)?;
    writeln!(
        out,
        "  aligned sentence groups ........... {} (needs >= {})",
        t.aligned, t.min_aligned
    )?;
    writeln!(
        out,
        "  coverage .......................... {:.4} of {} sentences / {:.4} of {} sentences; the shorter needs >= {}",
        t.coverage_a, t.sentences_a, t.coverage_b, t.sentences_b, t.min_coverage
    )?;
    writeln!(
        out,
        "  mean similarity of aligned pairs .. {:.4} (needs >= {})",
        t.similarity, t.min_similarity
    )?;
    writeln!(
        out,
        "  verdict ........................... {}",
        if t.is_translation {
            "translation"
        } else {
            "not a translation"
        }
    )?;
    writeln!(
        out,
        "  candidate index ................... {}",
        if t.proposed {
            "proposes the pair"
        } else {
            "does not propose the pair (too few rare names, numbers and words in common): \
             not reported"
        }
    )?;
    writeln!(out)?;
    if t.groups.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "aligned sentences, in order (similarity; {} of {} shown):",
        rows.min(t.groups.len()),
        t.groups.len()
    )?;
    const WIDTH: usize = 58;
    for g in t.groups.iter().take(rows) {
        let left = wrap(&g.text_a, WIDTH);
        let right = wrap(&g.text_b, WIDTH);
        writeln!(out, "  [{:.2}]", g.similarity)?;
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
