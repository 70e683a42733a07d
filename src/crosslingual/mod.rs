//! Translations: finding the same report in two languages.
//!
//! Every document in a language with a lexicon (and every English one) gets a pivot representation:
//! its sentences, each a set of English stem keys (content words translated through the lexicon,
//! names and cognates as they are, numbers in one notation). Candidate pairs come from an index over
//! each document's rarest pivot keys; each candidate is verified by a monotonic sentence alignment
//! (dynamic programming, Gale & Church style) whose coverage of the shorter document decides.
//!
//! Two articles about the same event share names, numbers and vocabulary, so bag-of-words similarity
//! cannot tell them from a translation; a translation, unlike them, says the same things in the same
//! order, sentence after sentence, which is what the alignment measures.

pub mod align;
pub mod bitext;
pub mod candidate_index;
pub mod lexicon;
pub mod pivot;
pub mod stopwords;
pub mod translate;

pub use lexicon::{derive_from_wiktionary, Lexicon};

/// The pivoter of a run: English, each of `lexicons` (a later one for a language replaces an
/// earlier one), and the bundled French one unless French is given.
pub fn pivoter_with(given: Vec<Lexicon>) -> pivot::Pivoter {
    let mut lexicons: Vec<Lexicon> = Vec::new();
    for lexicon in given {
        lexicons.retain(|l| l.source != lexicon.source);
        lexicons.push(lexicon);
    }
    if !lexicons.iter().any(|l| l.source == "fr") {
        lexicons.push(Lexicon::bundled_fr_en());
    }
    pivot::Pivoter::new(lexicons)
}
