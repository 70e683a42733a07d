//! The library's one error type.

use crate::corpus::InputError;

/// What can go wrong in a twinwire call. Every message names what is wrong and what to do; input
/// problems name the file and line (or document id).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`crate::Config`] value out of its range. `parameter` is the field's name (the command
    /// line's option is the same name with dashes: `shingle_size` is `--shingle-size`).
    #[error("{parameter} {problem}")]
    Config {
        /// The parameter's name.
        parameter: &'static str,
        /// What is wrong with it and what is allowed.
        problem: String,
    },
    /// Input that stops the run: a missing path, a bad record under `strict`, nothing read.
    #[error("{0}")]
    Input(String),
    /// A document that cannot be used, given in memory: the message names its id or position.
    #[error("{0}")]
    Document(String),
    /// A bilingual lexicon that cannot be loaded (the message names the file and line).
    #[error("{0}")]
    Lexicon(String),
    /// Writing an output failed.
    #[error("{path}: cannot write: {source}")]
    Write {
        /// The output.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

impl From<InputError> for Error {
    fn from(e: InputError) -> Error {
        Error::Input(e.to_string())
    }
}

impl Error {
    /// A configuration error about `parameter`.
    pub(crate) fn config(parameter: &'static str, problem: impl Into<String>) -> Error {
        Error::Config {
            parameter,
            problem: problem.into(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
