//! Listing the files of an input in a stable order.
//!
//! Directories are walked recursively, entries sorted by name (bytewise) so the same tree always gives
//! the same document order. Hidden entries (starting with `.`) and names matched by a `.twinwireignore`
//! file (one glob a line, `*` and `?`, for that directory and below) are left out and counted; that is
//! how `corpus/bamako/gold.jsonl` stays out of the corpus it describes. Links to directories are
//! followed once: a link back to a directory being walked is reported as a loop.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use super::warning::{InputWarning, WarningKind};

/// A file to read, with the id prefix its documents get.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFile {
    pub path: PathBuf,
    /// Path relative to the directory given on the command line, `/`-separated, for ids.
    pub relative: String,
    /// Named on the command line itself (not found in a directory): read whatever its extension.
    pub named: bool,
}

/// What walking an input found.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<InputFile>,
    pub warnings: Vec<InputWarning>,
    pub ignored: usize,
}

/// Lists the files under `root` (a file lists itself).
pub fn list_files(root: &Path) -> Listing {
    let mut listing = Listing::default();
    let mut active = HashSet::new();
    match fs::metadata(root) {
        Ok(m) if m.is_dir() => walk_dir(root, "", &mut Vec::new(), &mut active, &mut listing),
        _ => {
            let relative = root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| root.display().to_string());
            listing.files.push(InputFile {
                path: root.to_path_buf(),
                relative,
                named: true,
            });
        }
    }
    listing
}

#[cfg(unix)]
fn dir_key(m: &fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (m.dev(), m.ino())
}

#[cfg(not(unix))]
fn dir_key(_m: &fs::Metadata) -> (u64, u64) {
    (0, 0)
}

fn walk_dir(
    dir: &Path,
    prefix: &str,
    ignores: &mut Vec<Vec<String>>,
    active: &mut HashSet<(u64, u64)>,
    listing: &mut Listing,
) {
    let key = match fs::metadata(dir) {
        Ok(m) => dir_key(&m),
        Err(e) => {
            listing.warnings.push(unreadable(dir, &e));
            return;
        }
    };
    if cfg!(unix) && !active.insert(key) {
        listing.warnings.push(InputWarning::new(
            dir.display(),
            WarningKind::SymlinkLoop,
            "a link here leads back to a directory already being read; not followed".into(),
        ));
        return;
    }
    let mut entries: Vec<(String, PathBuf)> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect(),
        Err(e) => {
            listing.warnings.push(unreadable(dir, &e));
            active.remove(&key);
            return;
        }
    };
    entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    ignores.push(read_ignore_file(&dir.join(".twinwireignore")));
    for (name, path) in entries {
        if name.starts_with('.') || ignores.iter().flatten().any(|g| glob_match(g, &name)) {
            listing.ignored += 1;
            continue;
        }
        let relative = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        match fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk_dir(&path, &relative, ignores, active, listing),
            Ok(m) if m.is_file() => listing.files.push(InputFile {
                path,
                relative,
                named: false,
            }),
            Ok(_) => listing.warnings.push(InputWarning::new(
                path.display(),
                WarningKind::SpecialFile,
                "not a regular file (fifo, socket or device); skipped".into(),
            )),
            Err(e) => listing.warnings.push(unreadable(&path, &e)),
        }
    }
    ignores.pop();
    active.remove(&key);
}

fn unreadable(path: &Path, e: &std::io::Error) -> InputWarning {
    InputWarning::new(
        path.display(),
        WarningKind::Unreadable,
        format!("cannot read ({e}); check that it exists and its permissions; skipped"),
    )
}

fn read_ignore_file(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .map(|s| {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Matches `name` against a glob with `*` (any run) and `?` (one character).
pub fn glob_match(glob: &str, name: &str) -> bool {
    let (g, n): (Vec<char>, Vec<char>) = (glob.chars().collect(), name.chars().collect());
    let (mut gi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if gi < g.len() && (g[gi] == '?' || g[gi] == n[ni]) {
            gi += 1;
            ni += 1;
        } else if gi < g.len() && g[gi] == '*' {
            star = Some((gi, ni));
            gi += 1;
        } else if let Some((sg, sn)) = star {
            gi = sg + 1;
            ni = sn + 1;
            star = Some((sg, sn + 1));
        } else {
            return false;
        }
    }
    g[gi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("gold.jsonl", "gold.jsonl"));
        assert!(glob_match("*.jsonl", "gold.jsonl"));
        assert!(glob_match("g?ld*", "gold.jsonl"));
        assert!(!glob_match("*.txt", "gold.jsonl"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("a*b", "acbd"));
    }

    #[test]
    fn walks_in_name_order_and_skips_hidden_and_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::create_dir(p.join("sub")).unwrap();
        for f in ["b.txt", "a.txt", "sub/c.txt", ".hidden.txt", "gold.jsonl"] {
            fs::write(p.join(f), "x").unwrap();
        }
        fs::write(p.join(".twinwireignore"), "# gold labels\ngold.jsonl\n").unwrap();
        let listing = list_files(p);
        let rel: Vec<_> = listing.files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(rel, ["a.txt", "b.txt", "sub/c.txt"]);
        assert_eq!(listing.ignored, 3);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_are_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        fs::create_dir(p.join("sub")).unwrap();
        fs::write(p.join("sub/a.txt"), "x").unwrap();
        std::os::unix::fs::symlink(p, p.join("sub/loop")).unwrap();
        let listing = list_files(p);
        assert_eq!(listing.files.len(), 1);
        assert_eq!(listing.warnings.len(), 1);
        assert_eq!(listing.warnings[0].kind, WarningKind::SymlinkLoop);
    }
}
