//! `twinwire explain`: why two documents are (or are not) related, for a person.

use anyhow::{bail, Result};
use clap::Args;

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
    /// How many shared passages to show.
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
    let (analysis, config) = analyze_inputs(&args.inputs, &input, &args.matching, false, true)?;
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

    for (d, f) in [(di, fi), (dj, fj)] {
        println!(
            "{}  ({} words, {} shingles, from {})",
            d.id,
            f.words,
            f.shingles.len(),
            d.origin
        );
    }
    println!();
    match &verdict {
        Some(r) if r.kind == RelationKind::Containment => println!(
            "relation: containment: {} contains {} ({:.1}% of its shingles)",
            analysis.docs[r.a.index()].id,
            analysis.docs[r.b.index()].id,
            r.score * 100.0
        ),
        Some(r) => println!("relation: {} (score {:.4})", r.kind.name(), r.score),
        None => println!("relation: none"),
    }
    println!();
    print_scores(&args, &config, fi, fj, &s);
    println!();
    let text = |d: &twinwire::pipeline::DocInfo| d.text.clone().unwrap_or_default();
    let (ta, tb) = (text(di), text(dj));
    let passages = shared_passages(&ta, &tb, &config);
    if passages.is_empty() {
        println!(
            "shared passages: none ({}-word runs in common: 0)",
            config.shingle_size
        );
        return Ok(());
    }
    let shared_words: usize = passages.iter().map(|p| p.words).sum();
    println!(
        "shared passages: {} runs, {} of {}'s {} words; the longest, as in {}:",
        passages.len(),
        shared_words,
        dj.id,
        fj.words,
        dj.id
    );
    for p in passages.iter().take(args.passages) {
        println!(
            "  [{} words] {}",
            p.words,
            quote(&tb[p.span.0..p.span.1], 240)
        );
    }
    Ok(())
}

fn print_scores(
    args: &ExplainArgs,
    config: &Config,
    fi: &Fingerprint,
    fj: &Fingerprint,
    s: &twinwire::score::PairScore,
) {
    let mark = |ok: bool| if ok { "yes" } else { "no " };
    println!(
        "  exact text (after normalization) ... {}",
        if !fi.is_empty() && fi.exact == fj.exact {
            "identical"
        } else {
            "different"
        }
    );
    println!(
        "  jaccard resemblance ............... {:.4}  near_duplicate needs >= {}: {}",
        s.jaccard,
        config.threshold,
        mark(s.jaccard >= config.threshold)
    );
    println!(
        "  {} in {} .......... {:.4}",
        args.id_a, args.id_b, s.a_in_b
    );
    println!(
        "  {} in {} .......... {:.4}  containment needs >= {} of the shorter, and it >= {} words",
        args.id_b, args.id_a, s.b_in_a, config.containment, config.min_contained_words
    );
    println!("  shared shingles ................... {}", s.shared);
    println!(
        "  simhash hamming distance .......... {} of 64 bits",
        s.hamming
    );
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
    println!(
        "  candidate tables .................. {} of {} MinHash bands shared; {} shared anchors",
        bands, config.minhash.bands, shared_anchors
    );
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
