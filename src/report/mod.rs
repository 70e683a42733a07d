//! The HTML report of a run (`twinwire report`): one self-contained page a person opens by double
//! click to look at what a run found: the summary, the score and cluster-size distributions as
//! inline SVG, every cluster in a list that sorts and filters, and for a pair the two texts side by
//! side with their shared passages marked (copies) or their aligned sentences facing each other
//! (translations).
//!
//! What the page carries is bounded whatever the run's size ([`Limits`]): every cluster and the
//! first pairs are listed, but texts only for the largest clusters and the first translations; the
//! page says what it left out.
//!
//! Safety: article text is data, never markup. The data travels as JSON inside a
//! `<script type="application/json">` element with `<`, `>` and `&` written as `\u003c`, `\u003e`
//! and `\u0026`, so no text can close the element; the page's script puts text into the document
//! with `textContent` only.

mod charts;
mod page;
mod tally;
mod views;

pub use page::{write_page, PageStats, Run};
#[cfg(any(test, feature = "internals"))]
pub use tally::BINS;
pub use tally::{ListedPair, PairTally};
pub use views::Limits;
