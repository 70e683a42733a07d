//! How one block of a postings file ([`super::postings`]) holds its postings, bit-packed, and how
//! it is walked back.
//!
//! Two layouts:
//!
//! - **Runs** (postings version 3): the postings of a key make a run. The block holds three
//!   widths (a byte each: key gap, document, document gap), then four parts, each starting on a
//!   byte:
//!   1. one bit a posting, 1 when it starts a run (the first posting does);
//!   2. per run, its key's gap from the key before (0 for the first, whose key is the block
//!      table's);
//!   3. per run, its first document;
//!   4. per posting that does not start a run, its document's gap from the one before.
//!
//!   A posting's value is not in the block: it is its document's, in the file's values
//!   ([`super::postings`]). Keys held by many documents (a translation key is held by thousands)
//!   then cost a bit and a small gap a posting, not a key gap and a whole document number: the
//!   postings of 990k documents took 451 MB instead of 692 (BENCHMARKS.md section 40). The parts
//!   are apart so that walking them is not a chain of reads each waiting for the one before
//!   (where a posting's fields follow its bit, the next posting's place is known only once
//!   they are read: that walk took twice the fixed layout's time).
//! - **Fixed** (versions 1 and 2, still read): three widths (key gap, document, value), then each
//!   posting's three fields at those widths.
//!
//! Fields are little-endian bit order; a field is read from the 8 bytes at its first byte,
//! shifted by at most 7 bits, so a block is read with [`PADDING`] zero bytes after it.

use std::io;

use super::postings::Posting;

/// The widest key gap: a field is read from the 8 bytes at its first byte, shifted by at most 7
/// bits.
pub(super) const MAX_WIDTH: u8 = 56;
/// Zero bytes after a block's, so that every field's 8-byte read is in bounds (the runs layout
/// reads each part's next field for every posting, one past a part's end included).
pub(super) const PADDING: usize = 16;
/// Bytes of a block before its postings: its three widths.
const HEAD: usize = 3;

/// Bits a value needs.
pub(super) fn width(max: u64) -> u8 {
    (64 - max.leading_zeros()) as u8
}

/// Appends the low `w` bits of values to bytes.
struct Bits {
    out: Vec<u8>,
    word: u128,
    held: u32,
}

impl Bits {
    fn new(out: Vec<u8>) -> Bits {
        Bits {
            out,
            word: 0,
            held: 0,
        }
    }

    /// Appends `v`, of at most `w` bits (at most 64), eight bytes at a time.
    fn put(&mut self, v: u64, w: u8) {
        self.word |= u128::from(v) << self.held;
        self.held += u32::from(w);
        if self.held >= 64 {
            self.out
                .extend_from_slice(&(self.word as u64).to_le_bytes());
            self.word >>= 64;
            self.held -= 64;
        }
    }

    /// The bytes, the last one filled with zero bits.
    fn end(mut self) -> Vec<u8> {
        while self.held > 0 {
            self.out.push(self.word as u8);
            self.word >>= 8;
            self.held = self.held.saturating_sub(8);
        }
        self.out
    }
}

/// A block's bytes in the runs layout, for postings sorted by key then document (their values
/// are not written). The first key is the block table's.
pub(super) fn pack_runs(postings: &[Posting]) -> io::Result<Vec<u8>> {
    let starts = |i: usize| i == 0 || postings[i].0 != postings[i - 1].0;
    let (mut key_gap, mut doc, mut doc_gap) = (0u64, 0u64, 0u64);
    for i in 0..postings.len() {
        if starts(i) {
            key_gap = key_gap.max(postings[i].0 - postings[i.saturating_sub(1)].0);
            doc = doc.max(u64::from(postings[i].1));
        } else {
            doc_gap = doc_gap.max(u64::from(postings[i].1 - postings[i - 1].1));
        }
    }
    let widths = [width(key_gap), width(doc), width(doc_gap)];
    if widths[0] > MAX_WIDTH {
        return Err(io::Error::other("keys too far apart in a postings block"));
    }
    // The four parts filled in one pass, then put end to end.
    let n = postings.len();
    let mut parts = [
        n / 8,
        n * widths[0] as usize / 8,
        n * widths[1] as usize / 8,
        n * widths[2] as usize / 8,
    ]
    .map(|bytes| Bits::new(Vec::with_capacity(bytes + 1)));
    let mut last = postings[0];
    for (i, &(key, doc, _)) in postings.iter().enumerate() {
        if i == 0 || key != last.0 {
            parts[0].put(1, 1);
            parts[1].put(key - last.0, widths[0]);
            parts[2].put(u64::from(doc), widths[1]);
        } else {
            parts[0].put(0, 1);
            parts[3].put(u64::from(doc - last.1), widths[2]);
        }
        last = (key, doc, 0);
    }
    let mut out = Vec::with_capacity(HEAD + parts.iter().map(|p| p.out.len() + 1).sum::<usize>());
    out.extend_from_slice(&widths);
    for part in parts {
        out.extend_from_slice(&part.end());
    }
    Ok(out)
}

/// A block's bytes in the fixed layout of versions 1 and 2 (the tests write such files, to read
/// them back).
#[cfg(test)]
pub(super) fn pack_fixed(postings: &[Posting]) -> io::Result<Vec<u8>> {
    let gaps = postings.windows(2).map(|w| w[1].0 - w[0].0);
    let widths = [
        width(gaps.max().unwrap_or(0)),
        width(postings.iter().map(|p| u64::from(p.1)).max().unwrap_or(0)),
        width(postings.iter().map(|p| u64::from(p.2)).max().unwrap_or(0)),
    ];
    let mut bits = Bits::new(widths.to_vec());
    let mut last = postings[0].0;
    for &(key, doc, value) in postings {
        bits.put(key - last, widths[0]);
        bits.put(u64::from(doc), widths[1]);
        bits.put(u64::from(value), widths[2]);
        last = key;
    }
    Ok(bits.end())
}

/// Which layout a block is in, and where its values are.
#[derive(Clone, Copy)]
pub(super) enum Layout<'a> {
    /// The runs layout; a posting's value is `values[document]` (0 past its end).
    Runs {
        values: &'a [u32],
    },
    Fixed,
}

/// Where the parts of a block in the runs layout start, in bits from the block's start.
#[derive(Clone, Copy, Default)]
struct Parts {
    gaps: usize,
    docs: usize,
    doc_gaps: usize,
}

/// A block's bytes followed by [`PADDING`] zero bytes, checked against what its row says, decoded
/// as it is walked: nothing is decoded into a vector first (BENCHMARKS.md section 37).
pub(super) struct Decoder<'a> {
    padded: Vec<u8>,
    layout: Layout<'a>,
    widths: [u8; 3],
    parts: Parts,
    entries: usize,
    first: u64,
    last: u64,
}

impl<'a> Decoder<'a> {
    /// `None` when the bytes are not `entries` postings in `layout`.
    pub(super) fn new(
        padded: Vec<u8>,
        layout: Layout<'a>,
        entries: usize,
        first: u64,
        last: u64,
    ) -> Option<Decoder<'a>> {
        let length = padded.len().checked_sub(PADDING)?;
        let widths: [u8; 3] = padded.get(..HEAD)?.try_into().ok()?;
        if widths[0] > MAX_WIDTH || widths[1] > 32 || widths[2] > 32 || entries == 0 {
            return None;
        }
        let w = widths.map(usize::from);
        let parts = match layout {
            Layout::Runs { .. } => {
                let flags = padded.get(HEAD..HEAD + entries.div_ceil(8))?;
                let runs = flags.iter().map(|b| b.count_ones() as usize).sum::<usize>();
                // The first posting starts a run, and no bit lies past the last posting.
                let tail = (flags[flags.len() - 1] >> ((entries - 1) % 8)) >> 1;
                let gaps = (HEAD + flags.len()) * 8;
                let docs = gaps + (runs * w[0]).div_ceil(8) * 8;
                let doc_gaps = docs + (runs * w[1]).div_ceil(8) * 8;
                let end = doc_gaps + ((entries - runs) * w[2]).div_ceil(8) * 8;
                (flags[0] & 1 == 1 && tail == 0 && end == length * 8).then_some(Parts {
                    gaps,
                    docs,
                    doc_gaps,
                })?
            }
            Layout::Fixed => {
                let bits = (w.iter().sum::<usize>() * entries).div_ceil(8);
                (HEAD + bits == length).then_some(Parts::default())?
            }
        };
        let decoder = Decoder {
            padded,
            layout,
            widths,
            parts,
            entries,
            first,
            last,
        };
        // The first key is the block table's: its gap is 0.
        let first_gap = decoder.field(decoder.parts.gaps.max(HEAD * 8), widths[0]);
        (first_gap == 0).then_some(decoder)
    }

    /// The field of `w` bits at bit `at` of the block.
    fn field(&self, at: usize, w: u8) -> u64 {
        let bytes = &self.padded[at / 8..at / 8 + 8];
        let word = u64::from_le_bytes(bytes.try_into().unwrap_or_default());
        (word >> (at % 8)) & ((1u64 << w) - 1)
    }

    /// `f(posting)` for each posting in order; an error when the block does not hold what its
    /// row says (its first and last key), found once it is walked.
    pub(super) fn walk(&self, n: usize, f: impl FnMut(Posting)) -> Result<(), String> {
        self.walk_wanted(n, |_| true, f)
    }

    /// [`Decoder::walk`] for the postings whose key `wanted` wants (asked once a key, in order):
    /// the documents of the others are not decoded.
    pub(super) fn walk_wanted(
        &self,
        n: usize,
        wanted: impl FnMut(u64) -> bool,
        f: impl FnMut(Posting),
    ) -> Result<(), String> {
        let walked = match self.layout {
            Layout::Runs { values } => self.walk_runs(values, wanted, f),
            Layout::Fixed => self.walk_fixed(wanted, f),
        };
        match walked {
            Some(key) if key == self.last => Ok(()),
            _ => Err(format!("block {n}: not what the block table says")),
        }
    }

    /// The runs layout's postings; the last key, or `None` when a key or a document overflows.
    /// Run by run: a run's end is the next bit set, and the documents of a run whose key is not
    /// wanted are passed over whole (a lookup wants few of a block's keys).
    fn walk_runs(
        &self,
        values: &[u32],
        mut wanted: impl FnMut(u64) -> bool,
        mut f: impl FnMut(Posting),
    ) -> Option<u64> {
        let [wk, wd, wg] = self.widths.map(usize::from);
        let Parts {
            gaps,
            docs,
            doc_gaps,
        } = self.parts;
        let value = |doc: u32| values.get(doc as usize).copied().unwrap_or(0);
        let mut key = self.first;
        let (mut i, mut runs, mut others) = (0usize, 0usize, 0usize);
        while i < self.entries {
            key = key.checked_add(self.field(gaps + runs * wk, wk as u8))?;
            // Most runs are of one posting: the next one's bit is looked at first.
            let next = i + 1;
            let end = if next >= self.entries || self.padded[HEAD + next / 8] >> (next % 8) & 1 == 1
            {
                next
            } else {
                self.next_run(next + 1)
            };
            if wanted(key) {
                let mut doc = self.field(docs + runs * wd, wd as u8) as u32;
                f((key, doc, value(doc)));
                for j in others..others + (end - i - 1) {
                    doc = doc.checked_add(self.field(doc_gaps + j * wg, wg as u8) as u32)?;
                    f((key, doc, value(doc)));
                }
            }
            runs += 1;
            others += end - i - 1;
            i = end;
        }
        Some(key)
    }

    /// The first posting from `i` on that starts a run, or the number of postings.
    fn next_run(&self, mut i: usize) -> usize {
        while i < self.entries {
            // 57 bits of flags from posting i on (past the last posting's come the zero bits of
            // its byte, then the next part: a bit found there is the end).
            let word = self.field(HEAD * 8 + i, 57);
            if word != 0 {
                return (i + word.trailing_zeros() as usize).min(self.entries);
            }
            i += 57;
        }
        self.entries
    }

    /// The fixed layout's postings; the last key, or `None` when a gap overflows.
    fn walk_fixed(
        &self,
        mut wanted: impl FnMut(u64) -> bool,
        mut f: impl FnMut(Posting),
    ) -> Option<u64> {
        let [wk, wd, wv] = self.widths;
        let per_posting = (wk + wd + wv) as usize;
        // The first gap is 0: `Decoder::new` checked it.
        let mut at = HEAD * 8;
        let (mut key, mut want) = (self.first, false);
        for i in 0..self.entries {
            let gap = self.field(at, wk);
            key = key.checked_add(gap)?;
            if gap > 0 || i == 0 {
                want = wanted(key);
            }
            if want {
                let doc = self.field(at + wk as usize, wd) as u32;
                let value = self.field(at + (wk + wd) as usize, wv) as u32;
                f((key, doc, value));
            }
            at += per_posting;
        }
        Some(key)
    }
}
