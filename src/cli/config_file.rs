//! The configuration file: options a user repeats on every command, in TOML.
//!
//! `twinwire.toml` in the working directory is read when present, or the file `--config FILE` names
//! (which must exist). Keys are the long option names without their dashes; top-level keys apply to
//! every subcommand that has the option, and a `[pairs]`, `[dedupe]` ... table to that subcommand
//! only. Flags on the command line override the file:
//!
//! ```toml
//! id-field = "url"
//! text-field = "body"
//! threshold = 0.6
//!
//! [dedupe]
//! keep = "first"
//! ```
//!
//! The file's options are put on the command line before the user's, and every option overrides an
//! earlier use of itself, so the user's flag wins. A key that no subcommand (or not the table's
//! subcommand) has is an error naming the file and the key, never silently ignored.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};
use toml::Value;

use super::Cli;

/// The name read from the working directory.
pub const DEFAULT_NAME: &str = "twinwire.toml";

/// Parses the command line with the configuration file's options put in front of the user's.
pub fn parse_with_config(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let command = overriding(Cli::command());
    let (config_path, rest) = take_config_flag(args);
    let explicit = config_path.is_some();
    let path = config_path.unwrap_or_else(|| PathBuf::from(DEFAULT_NAME));
    let args = if explicit || path.exists() {
        match with_config(&command, &path, rest) {
            Ok(a) => a,
            Err(e) => {
                let mut cmd = command.clone();
                return Err(cmd.error(clap::error::ErrorKind::InvalidValue, format!("{e:#}")));
            }
        }
    } else {
        rest
    };
    let matches: ArgMatches = command.try_get_matches_from(args)?;
    Cli::from_arg_matches(&matches)
}

/// Every option of every subcommand overrides an earlier use of itself.
fn overriding(command: Command) -> Command {
    command.args_override_self(true).mut_subcommands(overriding)
}

/// Removes `--config FILE` / `--config=FILE` from the arguments.
fn take_config_flag(args: Vec<OsString>) -> (Option<PathBuf>, Vec<OsString>) {
    let mut rest = Vec::with_capacity(args.len());
    let mut path = None;
    let mut iter = args.into_iter();
    while let Some(a) = iter.next() {
        if a == "--" {
            rest.push(a);
            rest.extend(iter.by_ref());
            break;
        }
        if a == "--config" {
            path = iter.next().map(PathBuf::from);
            continue;
        }
        if let Some(v) = a.to_str().and_then(|s| s.strip_prefix("--config=")) {
            path = Some(PathBuf::from(v));
            continue;
        }
        rest.push(a);
    }
    (path, rest)
}

/// `args` with the options of the file at `path` inserted after the subcommand name.
fn with_config(command: &Command, path: &Path, args: Vec<OsString>) -> Result<Vec<OsString>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("--config {}: cannot read", path.display()))?;
    let table: toml::Table = text
        .parse()
        .with_context(|| format!("{}: not valid TOML", path.display()))?;
    // The subcommand is the first argument after the program that is a subcommand name.
    let Some(at) = args
        .iter()
        .skip(1)
        .position(|a| {
            a.to_str()
                .is_some_and(|s| command.find_subcommand(s).is_some())
        })
        .map(|i| i + 1)
    else {
        return Ok(args);
    };
    let name = args[at].to_str().unwrap_or_default().to_string();
    let sub = command.find_subcommand(&name).expect("found above");
    let mut inserted: Vec<OsString> = Vec::new();
    for (key, value) in &table {
        match value {
            Value::Table(t) => {
                if command.find_subcommand(key).is_none() {
                    bail!("{}: [{key}] is not a twinwire subcommand", path.display());
                }
                for (k, v) in t {
                    if !has_option(command.find_subcommand(key).expect("checked"), k) {
                        bail!(
                            "{}: [{key}] {k}: twinwire {key} has no --{k} option",
                            path.display()
                        );
                    }
                    if key == &name {
                        inserted.extend(as_flags(path, k, v)?);
                    }
                }
            }
            v => {
                if !command.get_subcommands().any(|c| has_option(c, key)) {
                    bail!(
                        "{}: {key}: no twinwire subcommand has a --{key} option",
                        path.display()
                    );
                }
                if has_option(sub, key) {
                    inserted.extend(as_flags(path, key, v)?);
                }
            }
        }
    }
    let mut out = args[..=at].to_vec();
    out.extend(inserted);
    out.extend_from_slice(&args[at + 1..]);
    Ok(out)
}

fn has_option(command: &Command, key: &str) -> bool {
    command.get_arguments().any(|a| a.get_long() == Some(key))
}

/// A TOML value as command-line flags: `true` -> `--key`, `false` -> nothing, a list -> one flag
/// per element, anything else -> `--key=value`.
fn as_flags(path: &Path, key: &str, value: &Value) -> Result<Vec<OsString>> {
    let one = |v: &Value| -> Result<OsString> {
        let s = match v {
            Value::String(s) => s.clone(),
            Value::Integer(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            other => bail!(
                "{}: {key}: a {} is not an option value",
                path.display(),
                other.type_str()
            ),
        };
        Ok(format!("--{key}={s}").into())
    };
    Ok(match value {
        Value::Boolean(true) => vec![format!("--{key}").into()],
        Value::Boolean(false) => Vec::new(),
        Value::Array(items) => items.iter().map(one).collect::<Result<_>>()?,
        v => vec![one(v)?],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn file_options_come_before_the_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "id-field = \"url\"\nstrict = true\nkeep = \"first\"\n[pairs]\nthreshold = 0.7\n",
        )
        .unwrap();
        let cmd = overriding(Cli::command());
        let out = with_config(
            &cmd,
            &path,
            args(&["twinwire", "pairs", "in", "--threshold", "0.9"]),
        )
        .unwrap();
        assert_eq!(
            out,
            args(&[
                "twinwire",
                "pairs",
                "--id-field=url",
                "--threshold=0.7",
                "--strict",
                "in",
                "--threshold",
                "0.9"
            ])
        );
        // The user's flag wins.
        let m = cmd.try_get_matches_from(out).unwrap();
        let (_, sub) = m.subcommand().unwrap();
        assert_eq!(sub.get_one::<f64>("threshold"), Some(&0.9));
    }

    #[test]
    fn unknown_keys_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        let cmd = overriding(Cli::command());
        for (text, says) in [
            (
                "idfield = \"url\"\n",
                "no twinwire subcommand has a --idfield option",
            ),
            (
                "[pairs]\nkeep = \"first\"\n",
                "twinwire pairs has no --keep option",
            ),
            (
                "[dedup]\nkeep = \"first\"\n",
                "[dedup] is not a twinwire subcommand",
            ),
            ("threshold = [", "not valid TOML"),
        ] {
            std::fs::write(&path, text).unwrap();
            let e = with_config(&cmd, &path, args(&["twinwire", "pairs", "in"])).unwrap_err();
            assert!(format!("{e:#}").contains(says), "{text}: {e:#}");
        }
    }

    #[test]
    fn config_flag_is_taken_out() {
        let (p, rest) = take_config_flag(args(&[
            "tw",
            "--config",
            "a.toml",
            "pairs",
            "--config=b.toml",
            "x",
        ]));
        assert_eq!(p, Some(PathBuf::from("b.toml")));
        assert_eq!(rest, args(&["tw", "pairs", "x"]));
    }
}
