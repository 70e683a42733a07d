//! Reads files as the command line does and prints what a dedupe keeps and removes.
//!
//! `cargo run --release --example dedupe_files -- corpus/bamako [MORE INPUTS...]`

use twinwire::{read, Config, Keep, Matcher, ReadOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        return Err("give files or directories to read, as in: dedupe_files corpus/bamako".into());
    }
    let found = read(&paths, &ReadOptions::default())?;
    for warning in &found.warnings {
        eprintln!("warning: {}: {}", warning.location, warning.message);
    }
    let matcher = Matcher::new(Config::default().with_threshold(0.6))?;
    let dedupe = matcher.dedupe(&found.documents, Keep::Core)?;
    println!(
        "{} documents: {} kept, {} removed, {} clusters",
        found.documents.len(),
        dedupe.kept.len(),
        dedupe.removed.len(),
        dedupe.clusters.len()
    );
    for r in &dedupe.removed {
        println!(
            "removed {} ({} of {}, score {})",
            r.id,
            r.relation.name(),
            r.duplicate_of,
            r.score
        );
    }
    for c in dedupe
        .clusters
        .iter()
        .filter(|c| !c.translations.is_empty())
    {
        println!("cluster {}: translations {:?}", c.cluster, c.translations);
    }
    Ok(())
}
