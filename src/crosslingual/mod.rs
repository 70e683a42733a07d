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
pub mod lexicon;
pub mod pivot;
pub mod stopwords;
pub mod translate;

pub use lexicon::{derive_from_wiktionary, Lexicon};
