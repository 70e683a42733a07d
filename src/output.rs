//! Writers: pair JSONL, kept/removed records, clusters, and atomic files.
//!
//! The JSON field names here are a contract other tools read (see README "Output"). Scores are
//! rounded to 4 decimals: enough to compare with any threshold, and stable to read.
//!
//! Files are written to a temporary name beside the target and renamed into place when complete,
//! so an interrupted run never leaves a half-written output under the real name.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cluster::Group;
use crate::crosslingual::translate::TranslationEvidence;
use crate::pipeline::DocInfo;
use crate::relate::{Evidence, PairEvidence, Relation};
use crate::DocId;

/// Rounds to 4 decimals for output.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// One line of `twinwire pairs`: the pair, the relation, and its evidence (shingle measures for
/// copies, alignment measures for translations, with their field names).
#[derive(Debug, Serialize)]
pub struct PairRecord<'a> {
    pub a: &'a str,
    pub b: &'a str,
    pub relation: &'static str,
    pub score: f64,
    #[serde(flatten)]
    pub evidence: Evidence,
}

impl<'a> PairRecord<'a> {
    pub fn new(r: &'a Relation, docs: &'a [DocInfo]) -> PairRecord<'a> {
        PairRecord {
            a: &docs[r.a.index()].id,
            b: &docs[r.b.index()].id,
            relation: r.kind.name(),
            score: round4(r.score),
            evidence: rounded(&r.evidence),
        }
    }
}

/// The evidence with its fractions rounded as they are written.
pub fn rounded(evidence: &Evidence) -> Evidence {
    match evidence {
        Evidence::Shingles(e) => Evidence::Shingles(PairEvidence {
            jaccard: round4(e.jaccard),
            containment: round4(e.containment),
            ..*e
        }),
        Evidence::Alignment(e) => Evidence::Alignment(TranslationEvidence {
            coverage_a: round4(e.coverage_a),
            coverage_b: round4(e.coverage_b),
            similarity: round4(e.similarity),
            ..e.clone()
        }),
    }
}

/// Writes one JSON value and a newline.
pub fn write_json_line<W: Write + ?Sized, T: Serialize>(out: &mut W, value: &T) -> io::Result<()> {
    // `From` keeps the kind of an I/O error (a closed pipe must stay `BrokenPipe`).
    serde_json::to_writer(&mut *out, value).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// One line of `dedupe --clusters`: a duplicate cluster, or several joined by translations.
#[derive(Debug, Serialize)]
pub struct ClusterRecord<'a> {
    pub cluster: usize,
    pub representative: &'a str,
    /// Every document of the cluster, the representative first, then in input order.
    pub members: Vec<&'a str>,
    /// The weakest member-to-representative score of its duplicates (null when it has none).
    pub min_similarity: Option<f64>,
    /// The documents kept in the deduplicated corpus (one per language version).
    pub kept: Vec<&'a str>,
    /// Translation pairs inside the cluster.
    pub translations: Vec<[&'a str; 2]>,
}

impl<'a> ClusterRecord<'a> {
    pub fn new(number: usize, g: &Group, docs: &'a [DocInfo]) -> ClusterRecord<'a> {
        let id = |d: DocId| docs[d.index()].id.as_str();
        ClusterRecord {
            cluster: number,
            representative: id(g.representative),
            members: g.members.iter().map(|&d| id(d)).collect(),
            min_similarity: g.min_similarity.map(round4),
            kept: g.kept.iter().map(|&d| id(d)).collect(),
            translations: g
                .translations
                .iter()
                .map(|&(a, b)| [id(a), id(b)])
                .collect(),
        }
    }
}

/// A file written under a temporary name and renamed into place by [`AtomicFile::commit`].
/// Dropped without commit, the temporary file is removed and the target is untouched.
///
/// Only a regular file (or a name not taken yet) is replaced that way. A symlink is followed: the
/// file it names is replaced and the link stays. A device, fifo or socket (`-o /dev/null`) is written
/// in place: renaming over it would replace the device with a regular file, and for those an
/// interrupted write has no half-written file to leave anyway.
///
/// The name `-` is standard output, written as it goes.
pub struct AtomicFile {
    target: PathBuf,
    /// `None` when writing in place.
    temp: Option<PathBuf>,
    writer: Option<BufWriter<Sink>>,
}

/// Where an [`AtomicFile`] writes.
pub enum Sink {
    File(File),
    Stdout(io::Stdout),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::File(f) => f.write(buf),
            Sink::Stdout(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::File(f) => f.flush(),
            Sink::Stdout(s) => s.flush(),
        }
    }
}

/// Whether an output name means standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

impl AtomicFile {
    /// Creates the temporary file beside `target` (or opens `target` itself if it is special;
    /// `-` is standard output).
    pub fn create(target: &Path) -> io::Result<AtomicFile> {
        if is_stdout(target) {
            return Ok(AtomicFile {
                target: target.to_path_buf(),
                temp: None,
                writer: Some(BufWriter::with_capacity(
                    1 << 16,
                    Sink::Stdout(io::stdout()),
                )),
            });
        }
        let target = match fs::symlink_metadata(target) {
            Ok(m) if m.file_type().is_symlink() => target
                .canonicalize()
                .unwrap_or_else(|_| target.to_path_buf()),
            _ => target.to_path_buf(),
        };
        if let Ok(m) = fs::metadata(&target) {
            if m.is_dir() {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "is a directory",
                ));
            }
            if !m.is_file() {
                let file = fs::OpenOptions::new().write(true).open(&target)?;
                return Ok(AtomicFile {
                    target,
                    temp: None,
                    writer: Some(BufWriter::with_capacity(1 << 16, Sink::File(file))),
                });
            }
        }
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let temp = target.with_file_name(format!(
            ".{}.twinwire-{}.tmp",
            name.to_string_lossy(),
            std::process::id()
        ));
        let file = File::create(&temp)?;
        Ok(AtomicFile {
            target,
            temp: Some(temp),
            writer: Some(BufWriter::with_capacity(1 << 16, Sink::File(file))),
        })
    }

    /// The writer.
    pub fn writer(&mut self) -> &mut BufWriter<Sink> {
        self.writer.as_mut().expect("not committed yet")
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> io::Result<()> {
        let writer = self.writer.take().expect("committed once");
        let sink = writer.into_inner().map_err(|e| e.into_error())?;
        let Sink::File(file) = sink else {
            return Ok(());
        };
        match self.temp.take() {
            Some(temp) => {
                file.sync_all()?;
                drop(file);
                fs::rename(&temp, &self.target)
            }
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            if let Some(temp) = &self.temp {
                let _ = fs::remove_file(temp);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_file_appears_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        let mut f = AtomicFile::create(&target).unwrap();
        f.writer().write_all(b"{}\n").unwrap();
        assert!(!target.exists());
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"{}\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn abandoned_atomic_file_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out.jsonl");
        fs::write(&target, "old").unwrap();
        {
            let mut f = AtomicFile::create(&target).unwrap();
            f.writer().write_all(b"half").unwrap();
        }
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.jsonl");
        let link = dir.path().join("link.jsonl");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let mut f = AtomicFile::create(&link).unwrap();
        f.writer().write_all(b"new\n").unwrap();
        f.commit().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read_to_string(&real).unwrap(), "new\n");
    }

    #[cfg(unix)]
    #[test]
    fn a_special_file_is_written_in_place_never_replaced() {
        // Like `-o /dev/null`, on a fifo of our own: renaming over it would turn it into a file.
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        if !std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success())
        {
            return; // no mkfifo here
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        let mut f = AtomicFile::create(&fifo).unwrap();
        f.writer().write_all(b"pairs\n").unwrap();
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), b"pairs\n");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn rounding() {
        assert_eq!(round4(0.123456), 0.1235);
        assert_eq!(round4(1.0), 1.0);
    }
}
