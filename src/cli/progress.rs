//! The progress line on stderr (a terminal only): each stage by name, with a percentage where its
//! size is known (input bytes while reading, documents while writing pairs or settling clusters).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressStyle};

use crate::corpus::{list_files, Input};

/// The progress line, or nothing when stderr is not a terminal or `--quiet` is given.
#[derive(Clone)]
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Input bytes consumed so far (counted by the readers), of `total_bytes`.
    pub bytes_read: Arc<AtomicU64>,
    total_bytes: Option<u64>,
}

impl Progress {
    /// A progress line for reading `inputs` (their size is known unless one is standard input).
    pub fn new(quiet: bool, inputs: &[Input]) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(ProgressBar::new_spinner);
        let total_bytes = if bar.is_some() {
            input_bytes(inputs)
        } else {
            None
        };
        Progress {
            bar,
            bytes_read: Arc::new(AtomicU64::new(0)),
            total_bytes,
        }
    }

    /// Reading: documents so far, and the share of the input bytes.
    pub fn reading(&self, documents: usize) {
        let Some(bar) = &self.bar else { return };
        match self.total_bytes {
            Some(total) if total > 0 => {
                bar.set_style(style("{spinner} {elapsed} reading {percent}% {msg}"));
                bar.set_length(total);
                bar.set_position(self.bytes_read.load(Ordering::Relaxed).min(total));
            }
            _ => bar.set_style(style("{spinner} {elapsed} reading {msg}")),
        }
        bar.set_message(format!("({documents} documents)"));
    }

    /// A stage whose size is not known.
    pub fn stage(&self, name: &str) {
        let Some(bar) = &self.bar else { return };
        bar.set_style(style("{spinner} {elapsed} {msg}"));
        bar.set_message(name.to_string());
        bar.tick();
    }

    /// A stage `done` of `total` through.
    pub fn step(&self, name: &str, done: usize, total: usize) {
        let Some(bar) = &self.bar else { return };
        bar.set_style(style("{spinner} {elapsed} {msg} {percent}%"));
        bar.set_message(name.to_string());
        bar.set_length(total.max(1) as u64);
        bar.set_position(done as u64);
    }

    /// Prints a line above the progress line.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Clears the progress line.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("valid template")
}

/// The bytes of every file of `inputs`, `None` with standard input.
fn input_bytes(inputs: &[Input]) -> Option<u64> {
    let mut total = 0;
    for input in inputs {
        let Input::Path(path) = input else {
            return None;
        };
        for file in list_files(path).files {
            total += std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
        }
    }
    Some(total)
}
