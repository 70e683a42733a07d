//! Which embedded store for twinwire's persistent index: redb, LMDB (heed), or sorted segment
//! files. Workload: per document, 42 MinHash band keys and ~35 anchors (postings: key -> documents)
//! and its shingle set (document -> sorted u32s). `create` inserts a base corpus; `add` looks up a
//! batch's keys, fetches the candidates' shingle sets, then inserts the batch.
use std::io::{BufRead, Write};
use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;
use twinwire::fingerprint::Fingerprint;

struct Doc {
    keys: Vec<u64>,
    shingles: Vec<u32>,
}

fn load(path: &str, skip: usize, n: usize) -> Vec<Doc> {
    let file = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    let texts: Vec<String> = file
        .lines()
        .skip(skip)
        .take(n)
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(&l.unwrap()).unwrap();
            v["text"].as_str().unwrap().to_string()
        })
        .collect();
    let config = twinwire::Config::default();
    texts
        .par_iter()
        .map(|t| {
            let f = Fingerprint::of_text(t, &config);
            let mut keys: Vec<u64> = f
                .bands
                .iter()
                .enumerate()
                .map(|(b, &k)| (b as u64) << 32 | u64::from(k))
                .collect();
            keys.extend(f.shingles.anchors(4).map(|a| 0xFF << 32 | u64::from(a)));
            Doc {
                keys,
                shingles: f.shingles.as_slice().to_vec(),
            }
        })
        .collect()
}

fn bytes(s: &[u32]) -> Vec<u8> {
    s.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// A key in more documents than this is boilerplate and is not read (its first `MAX_POSTINGS + 1`
/// are, to know), as twinwire's anchor index skips anchors in more than `max_anchor_postings`.
const MAX_POSTINGS: usize = 1000;

/// The batch's (key, document) postings, sorted (every store inserts them in key order).
fn sorted_entries(first: u32, docs: &[Doc]) -> Vec<(u64, u32)> {
    let mut entries: Vec<(u64, u32)> = docs
        .iter()
        .enumerate()
        .flat_map(|(i, d)| d.keys.iter().map(move |&k| (k, first + i as u32)))
        .collect();
    entries.par_sort_unstable();
    entries
}

trait Store {
    fn insert(&mut self, first: u32, docs: &[Doc]);
    /// Documents with key k (the first [`MAX_POSTINGS`]).
    fn postings(&self, k: u64, out: &mut Vec<u32>);
    fn shingles(&self, d: u32) -> usize;
}

// ---------- redb ----------
const POST: redb::TableDefinition<(u64, u32), ()> = redb::TableDefinition::new("post");
const SH: redb::TableDefinition<u32, &[u8]> = redb::TableDefinition::new("sh");
struct Redb(redb::Database);
impl Store for Redb {
    fn insert(&mut self, first: u32, docs: &[Doc]) {
        let entries = sorted_entries(first, docs);
        let tx = self.0.begin_write().unwrap();
        {
            let mut t = tx.open_table(POST).unwrap();
            for e in &entries {
                t.insert(e, ()).unwrap();
            }
            let mut s = tx.open_table(SH).unwrap();
            for (i, d) in docs.iter().enumerate() {
                s.insert(first + i as u32, bytes(&d.shingles).as_slice())
                    .unwrap();
            }
        }
        tx.commit().unwrap();
    }
    fn postings(&self, k: u64, out: &mut Vec<u32>) {
        use redb::ReadableDatabase;
        let tx = self.0.begin_read().unwrap();
        let t = tx.open_table(POST).unwrap();
        for e in t
            .range((k, 0)..=(k, u32::MAX))
            .unwrap()
            .take(MAX_POSTINGS + 1)
        {
            out.push(e.unwrap().0.value().1);
        }
    }
    fn shingles(&self, d: u32) -> usize {
        use redb::ReadableDatabase;
        let tx = self.0.begin_read().unwrap();
        let t = tx.open_table(SH).unwrap();
        t.get(d).unwrap().map_or(0, |v| v.value().len())
    }
}

// ---------- LMDB (heed) ----------
use heed::types::Bytes;
struct Lmdb {
    env: heed::Env,
    post: heed::Database<Bytes, Bytes>,
    sh: heed::Database<Bytes, Bytes>,
}
fn pkey(k: u64, d: u32) -> [u8; 12] {
    let mut b = [0u8; 12];
    b[..8].copy_from_slice(&k.to_be_bytes());
    b[8..].copy_from_slice(&d.to_be_bytes());
    b
}
impl Lmdb {
    fn open(dir: &Path) -> Lmdb {
        std::fs::create_dir_all(dir).unwrap();
        let env = unsafe {
            heed::EnvOpenOptions::new()
                .map_size(64 << 30)
                .max_dbs(4)
                .open(dir)
                .unwrap()
        };
        let mut tx = env.write_txn().unwrap();
        let post = env.create_database(&mut tx, Some("post")).unwrap();
        let sh = env.create_database(&mut tx, Some("sh")).unwrap();
        tx.commit().unwrap();
        Lmdb { env, post, sh }
    }
}
impl Store for Lmdb {
    fn insert(&mut self, first: u32, docs: &[Doc]) {
        let entries = sorted_entries(first, docs);
        let mut tx = self.env.write_txn().unwrap();
        for &(k, d) in &entries {
            self.post.put(&mut tx, &pkey(k, d), &[]).unwrap();
        }
        for (i, d) in docs.iter().enumerate() {
            self.sh
                .put(
                    &mut tx,
                    &(first + i as u32).to_be_bytes(),
                    &bytes(&d.shingles),
                )
                .unwrap();
        }
        tx.commit().unwrap();
    }
    fn postings(&self, k: u64, out: &mut Vec<u32>) {
        let tx = self.env.read_txn().unwrap();
        let prefix = k.to_be_bytes();
        for e in self
            .post
            .prefix_iter(&tx, &prefix[..])
            .unwrap()
            .take(MAX_POSTINGS + 1)
        {
            let (key, _) = e.unwrap();
            out.push(u32::from_be_bytes(key[8..12].try_into().unwrap()));
        }
    }
    fn shingles(&self, d: u32) -> usize {
        let tx = self.env.read_txn().unwrap();
        self.sh
            .get(&tx, &d.to_be_bytes())
            .unwrap()
            .map_or(0, |v| v.len())
    }
}

// ---------- segment files ----------
/// One immutable segment per batch: sorted (key, doc) entries, shingle sets end to end with
/// offsets; read through memory maps. A real index merges small segments in the background.
struct Segments {
    dir: std::path::PathBuf,
    segs: Vec<Seg>,
}
struct Seg {
    first: u32,
    entries: memmap2::Mmap,
    offsets: memmap2::Mmap,
    shingles: memmap2::Mmap,
}
impl Segments {
    fn open(dir: &Path) -> Segments {
        std::fs::create_dir_all(dir).unwrap();
        let mut names: Vec<u32> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                e.unwrap()
                    .file_name()
                    .to_str()?
                    .strip_suffix(".entries")?
                    .parse()
                    .ok()
            })
            .collect();
        names.sort();
        let map = |p: std::path::PathBuf| unsafe {
            memmap2::Mmap::map(&std::fs::File::open(p).unwrap()).unwrap()
        };
        let segs = names
            .into_iter()
            .map(|f| Seg {
                first: f,
                entries: map(dir.join(format!("{f}.entries"))),
                offsets: map(dir.join(format!("{f}.offsets"))),
                shingles: map(dir.join(format!("{f}.shingles"))),
            })
            .collect();
        Segments {
            dir: dir.to_path_buf(),
            segs,
        }
    }
}
fn write_synced(path: &Path, data: &[u8]) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(data).unwrap();
    f.sync_all().unwrap();
}
impl Store for Segments {
    fn insert(&mut self, first: u32, docs: &[Doc]) {
        let entries = sorted_entries(first, docs);
        let e: Vec<u8> = entries.iter().flat_map(|&(k, d)| pkey(k, d)).collect();
        let mut offsets = vec![0u64];
        let mut sh = Vec::new();
        for d in docs {
            sh.extend(bytes(&d.shingles));
            offsets.push(sh.len() as u64);
        }
        let o: Vec<u8> = offsets.iter().flat_map(|x| x.to_le_bytes()).collect();
        write_synced(&self.dir.join(format!("{first}.entries")), &e);
        write_synced(&self.dir.join(format!("{first}.offsets")), &o);
        write_synced(&self.dir.join(format!("{first}.shingles")), &sh);
    }
    fn postings(&self, k: u64, out: &mut Vec<u32>) {
        for s in &self.segs {
            let n = s.entries.len() / 12;
            let at =
                |i: usize| u64::from_be_bytes(s.entries[i * 12..i * 12 + 8].try_into().unwrap());
            let (mut lo, mut hi) = (0, n);
            while lo < hi {
                let mid = (lo + hi) / 2;
                if at(mid) < k {
                    lo = mid + 1
                } else {
                    hi = mid
                }
            }
            let end = (lo + MAX_POSTINGS + 1).min(n);
            while lo < end && at(lo) == k {
                out.push(u32::from_be_bytes(
                    s.entries[lo * 12 + 8..lo * 12 + 12].try_into().unwrap(),
                ));
                lo += 1;
            }
        }
    }
    fn shingles(&self, d: u32) -> usize {
        let s = self.segs.iter().rev().find(|s| s.first <= d).unwrap();
        let i = (d - s.first) as usize;
        let off =
            |j: usize| u64::from_le_bytes(s.offsets[j * 8..j * 8 + 8].try_into().unwrap()) as usize;
        s.shingles[off(i)..off(i + 1)].len()
    }
}

fn open(kind: &str, dir: &Path) -> Box<dyn Store> {
    match kind {
        "redb" => {
            std::fs::create_dir_all(dir).unwrap();
            Box::new(Redb(
                redb::Database::create(dir.join("index.redb")).unwrap(),
            ))
        }
        "lmdb" => Box::new(Lmdb::open(dir)),
        "segments" => Box::new(Segments::open(dir)),
        _ => panic!("redb, lmdb or segments"),
    }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| Some(e.ok()?.metadata().ok()?.len()))
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (cmd, kind, dir, corpus) = (&a[1], &a[2], Path::new(&a[3]), &a[4]);
    let n: usize = a[5].parse().unwrap();
    match cmd.as_str() {
        "create" => {
            let docs = load(corpus, 0, n);
            let t = Instant::now();
            let mut s = open(kind, dir);
            for (c, chunk) in docs.chunks(100_000).enumerate() {
                s.insert((c * 100_000) as u32, chunk);
            }
            println!(
                "{kind} create {n}: {:.2} s, {:.1} MB on disk",
                t.elapsed().as_secs_f64(),
                dir_size(dir) as f64 / 1e6
            );
        }
        "add" => {
            // a[5] = documents already in; a[6] = batch size
            let batch: usize = a[6].parse().unwrap();
            let docs = load(corpus, n, batch);
            let t = Instant::now();
            let mut s = open(kind, dir);
            let (mut postings, mut fetched, mut bytes_read) = (0usize, 0usize, 0usize);
            let mut out = Vec::new();
            let mut one = Vec::new();
            for d in &docs {
                out.clear();
                for &k in &d.keys {
                    one.clear();
                    s.postings(k, &mut one);
                    if one.len() <= MAX_POSTINGS {
                        out.extend_from_slice(&one);
                    }
                }
                postings += out.len();
                out.sort_unstable();
                out.dedup();
                for &o in out.iter().take(200) {
                    bytes_read += s.shingles(o);
                    fetched += 1;
                }
            }
            let looked = t.elapsed().as_secs_f64();
            s.insert(n as u32, &docs);
            println!(
                "{kind} add {batch} to {n}: lookups {looked:.2} s ({postings} postings, {fetched} shingle sets, {:.1} MB), total {:.2} s, {:.1} MB on disk",
                bytes_read as f64 / 1e6,
                t.elapsed().as_secs_f64(),
                dir_size(dir) as f64 / 1e6
            );
        }
        _ => panic!("create or add"),
    }
}
