//! Finds the twins among a few articles held in memory: copies, an excerpt and a translation.
//!
//! `cargo run --example find_twins`

use twinwire::{Config, Document, Matcher};

fn main() -> Result<(), twinwire::Error> {
    let report = "Gunmen attacked a gendarmerie school and the military airport in Bamako on \
                  Tuesday at dawn. The army said the situation was under control by the evening. \
                  Several aircraft were destroyed on the ground, an airport official said. The \
                  group affiliated with al-Qaeda claimed responsibility for the double attack.";
    let rapport = "Des hommes armés ont attaqué mardi à l'aube une école de gendarmerie et \
                   l'aéroport militaire de Bamako. L'armée a dit que la situation était sous \
                   contrôle dans la soirée. Plusieurs avions ont été détruits au sol, a dit un \
                   responsable de l'aéroport. Le groupe affilié à al-Qaïda a revendiqué la double \
                   attaque.";
    let documents = vec![
        Document::new("wire", report),
        Document::new("resent", report.replace("Tuesday", "Tuesday (corrected)")),
        Document::new("portal", format!("World news | {report} | 31 comments")),
        Document::new("french", rapport).with_lang("fr"),
        Document::new(
            "market",
            "Wheat prices rose on Monday after a dry spell in the plains.",
        ),
    ];
    let matcher = Matcher::new(Config::default())?;
    for pair in matcher.pairs(&documents)? {
        println!(
            "{} ~ {}: {} (score {:.2})",
            pair.a,
            pair.b,
            pair.relation.name(),
            pair.score
        );
    }
    let explanation = matcher.explain(&documents[0], &documents[3])?;
    if let Some(t) = &explanation.translation {
        println!(
            "wire / french: {} aligned sentence groups, mean similarity {:.2}: {}",
            t.aligned,
            t.similarity,
            if t.is_translation {
                "a translation"
            } else {
                "not a translation"
            }
        );
    }
    Ok(())
}
