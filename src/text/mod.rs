//! Text stage: turns an article's original text into the folded words every later stage works on.
//!
//! Matching must not care about Unicode spelling (NFC vs NFD, ligatures, non-breaking spaces), case,
//! accents or punctuation style, so all of that is folded away here, once. The original text is never
//! modified: tokens carry their byte span in the original so that a person can be shown the evidence.

mod language;
mod sentences;
mod tokenize;

pub use language::{
    detect_language, detect_language_of, has_foreign_function_words, is_function_word,
    FunctionWordHits, LangCode, LanguageCounter,
};
pub use sentences::sentence_spans;
#[cfg(any(test, feature = "internals"))]
pub use tokenize::Token;
pub use tokenize::{for_each_token, words, TokenList};
