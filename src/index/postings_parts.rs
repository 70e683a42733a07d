//! The parts of a batch's postings that the writer ([`super::postings::PostingsWriter`]) sends to
//! temporary files once it holds [`super::postings::SPILL_POSTINGS`], and how a part is read
//! back and sorted before it is packed.
//!
//! A part (one of 64 per table, by the key's top bits) keeps most of its postings in 8 bytes, a
//! [`Part::narrow`] number: the 32 bits of the key that the part does not tell, the document (31
//! bits) and one bit saying whether the value is the document's or 0. A value is its document's
//! (the writer keeps one per document and refuses a second), so the bit is enough. The rest are
//! kept whole, in 16 bytes, in a second file: keys whose high bits the part does not tell (band
//! keys of bands 64 and up, which share the last part with band 63; anchors and translation keys
//! past 32 bits) and documents from 2^31 on. Settings of 64 bands or fewer (42 by default) make
//! none of those keys.
//!
//! Sixteen bytes a posting made the temporary files of a million documents' `index create` 2.76
//! GB, each byte copied by the kernel into its page cache and back; eight halve that, and what a
//! part's sort moves (BENCHMARKS.md section 49).
//!
//! Read back, a part is the same whatever was spilled and when: its narrow numbers sorted
//! (their order is the postings' order: key, then document, then value), its whole postings
//! sorted, the two merged.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use rayon::prelude::*;

use super::postings::{Posting, Table};

/// The temporary files of one part: its postings in 8 bytes, and those kept whole.
#[derive(Debug, Default)]
pub(super) struct PartFiles {
    narrow: Option<File>,
    wide: Option<File>,
}

/// One part of one table, with the values of the table's documents (its postings' values).
#[derive(Debug, Clone, Copy)]
pub(super) struct Part<'a> {
    pub(super) table: Table,
    pub(super) part: usize,
    pub(super) values: &'a [u32],
}

/// Bits of a narrow number's document.
const DOCUMENT: u64 = (1 << 31) - 1;

impl Part<'_> {
    /// The bits above the lowest 32 that every key of the part has, as far as the part tells them.
    fn high(&self) -> u64 {
        match self.table {
            Table::Bands => (self.part as u64) << 32,
            Table::Anchors | Table::Keys => 0,
        }
    }

    fn value_of(&self, doc: u32) -> u32 {
        self.values.get(doc as usize).copied().unwrap_or(0)
    }

    /// The posting in 8 bytes: its key's low 32 bits, its document, and whether its value is its
    /// document's (1) or 0. None when it does not fit.
    fn narrow(&self, (key, doc, value): Posting) -> Option<u64> {
        let fits = key >> 32 << 32 == self.high() && u64::from(doc) <= DOCUMENT;
        let has_value = value != 0;
        match fits && (!has_value || self.value_of(doc) == value) {
            true => Some((key & 0xffff_ffff) << 32 | u64::from(doc) << 1 | u64::from(has_value)),
            false => None,
        }
    }

    /// The posting a narrow number holds.
    fn widen(&self, n: u64) -> Posting {
        let doc = ((n >> 1) & DOCUMENT) as u32;
        let value = match n & 1 {
            1 => self.value_of(doc),
            _ => 0,
        };
        (self.high() | n >> 32, doc, value)
    }

    /// The part's postings, from its files then `held` (which came after them), sorted; the
    /// narrow ones in `buffers`.
    pub(super) fn sorted<'b>(
        &self,
        files: PartFiles,
        held: Vec<Posting>,
        buffers: &'b mut PartBuffers,
    ) -> io::Result<SortedPart<'b>> {
        let PartBuffers { narrow, scratch } = buffers;
        read_numbers(files.narrow, narrow)?;
        let mut wide = read_whole(files.wide)?;
        for p in held {
            match self.narrow(p) {
                Some(n) => narrow.push(n),
                None => wide.push(p),
            }
        }
        sort_narrow(narrow, scratch);
        narrow.dedup();
        sort_postings(&mut wide);
        wide.dedup();
        Ok(SortedPart { narrow, wide })
    }
}

/// The vectors a part's narrow numbers are read back and sorted in, used again from one part to
/// the next. Made anew for each part, they were mapped and zeroed by the kernel for every one of
/// a batch's 192 parts: 1.2% of the samples of a million documents' `index create` were that
/// zeroing (BENCHMARKS.md section 49).
#[derive(Debug, Default)]
pub(super) struct PartBuffers {
    narrow: Vec<u64>,
    scratch: Vec<u64>,
}

/// A part's postings read back and sorted: the narrow ones, and those kept whole.
pub(super) struct SortedPart<'b> {
    narrow: &'b [u64],
    wide: Vec<Posting>,
}

impl SortedPart<'_> {
    /// Every posting of the part in order, once.
    pub(super) fn postings<'a>(&'a self, part: Part<'a>) -> impl Iterator<Item = Posting> + 'a {
        let mut narrow = self.narrow.iter().map(move |&n| part.widen(n)).peekable();
        let mut wide = self.wide.iter().copied().peekable();
        let mut last = None;
        std::iter::from_fn(move || loop {
            let next = match (narrow.peek(), wide.peek()) {
                (Some(a), Some(b)) if b < a => wide.next(),
                (Some(_), _) => narrow.next(),
                (None, _) => wide.next(),
            }?;
            if last != Some(next) {
                last = Some(next);
                return Some(next);
            }
        })
    }
}

/// Appends the postings of `table` in `held` to their parts' temporary files (`files`, created in
/// `dir` when first needed), in the order held. `values` are the table's documents' values.
pub(super) fn spill_table(
    table: Table,
    held: &[Posting],
    files: &mut [PartFiles],
    values: &[u32],
    dir: &Path,
) -> io::Result<()> {
    let mut narrow: Vec<Option<BufWriter<File>>> = files.iter().map(|_| None).collect();
    let mut wide: Vec<Option<BufWriter<File>>> = files.iter().map(|_| None).collect();
    for &p in held {
        let part = table.part(p.0);
        let at = Part {
            table,
            part,
            values,
        };
        match at.narrow(p) {
            Some(n) => writer(&mut narrow[part], &mut files[part].narrow, dir)?
                .write_all(&n.to_le_bytes())?,
            None => writer(&mut wide[part], &mut files[part].wide, dir)?.write_all(&whole(p))?,
        }
    }
    narrow
        .into_iter()
        .chain(wide)
        .flatten()
        .try_for_each(|mut out| out.flush())
}

/// The buffered writer of a part's file, opened (and the file created) on its first posting.
fn writer<'a>(
    out: &'a mut Option<BufWriter<File>>,
    file: &mut Option<File>,
    dir: &Path,
) -> io::Result<&'a mut BufWriter<File>> {
    if out.is_none() {
        let f = match file.take() {
            Some(f) => f,
            None => tempfile::tempfile_in(dir)?,
        };
        // A second handle on the same open file: it writes where the file ends.
        *out = Some(BufWriter::with_capacity(1 << 16, f.try_clone()?));
        *file = Some(f);
    }
    out.as_mut()
        .ok_or_else(|| io::Error::other("a part's writer was not opened"))
}

/// A posting in 16 bytes: key, document, value.
fn whole((key, doc, value): Posting) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&key.to_le_bytes());
    bytes[8..12].copy_from_slice(&doc.to_le_bytes());
    bytes[12..].copy_from_slice(&value.to_le_bytes());
    bytes
}

/// Everything a file of narrow numbers holds, into `numbers` (emptied first).
fn read_numbers(file: Option<File>, numbers: &mut Vec<u64>) -> io::Result<()> {
    numbers.clear();
    let Some(mut file) = file else {
        return Ok(());
    };
    let length = file.seek(SeekFrom::End(0))?;
    file.seek(SeekFrom::Start(0))?;
    numbers.resize((length / 8) as usize, 0);
    file.read_exact(bytemuck::cast_slice_mut(numbers))?;
    numbers.iter_mut().for_each(|n| *n = u64::from_le(*n));
    Ok(())
}

/// Everything a file of whole postings holds.
fn read_whole(file: Option<File>) -> io::Result<Vec<Posting>> {
    let Some(mut file) = file else {
        return Ok(Vec::new());
    };
    file.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let le = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or_default());
    let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or_default());
    let postings = bytes
        .chunks_exact(16)
        .map(|p| (le(&p[..8]), u32_at(&p[8..12]), u32_at(&p[12..16])));
    Ok(postings.collect())
}

/// Sorts narrow numbers. They come in document order, so a stable sort by their key bits gives
/// the order of their postings; when it does not (not pushed in order), a full sort follows.
fn sort_narrow(numbers: &mut Vec<u64>, scratch: &mut Vec<u64>) {
    radix_sort_by(numbers, scratch, |&n| n >> 32);
    if !numbers.is_sorted() {
        numbers.par_sort_unstable();
    }
}

/// Sorts postings by key, then document and value. They come pushed in document order, so a
/// stable sort by key alone gives that order; when it does not (not pushed in order), a full
/// sort follows.
pub(super) fn sort_postings(postings: &mut Vec<Posting>) {
    radix_sort_by(postings, &mut Vec::new(), |p| p.0);
    if !postings.is_sorted() {
        postings.par_sort_unstable();
    }
}

/// A stable sort by `key`: a radix sort over the key bits that differ, 11 at a time, moving the
/// items between `items` and `scratch` (whose values are not read).
fn radix_sort_by<T: Copy + Default>(
    items: &mut Vec<T>,
    scratch: &mut Vec<T>,
    key: impl Fn(&T) -> u64,
) {
    const DIGIT_BITS: u32 = 11;
    let Some(first) = items.first().map(&key) else {
        return;
    };
    let differ = items.iter().fold(0u64, |d, p| d | (key(p) ^ first));
    let bits = 64 - differ.leading_zeros();
    let passes = bits.div_ceil(DIGIT_BITS);
    scratch.clear();
    scratch.resize(items.len(), T::default());
    for pass in 0..passes {
        let shift = pass * DIGIT_BITS;
        let digit = |p: &T| ((key(p) >> shift) & ((1 << DIGIT_BITS) - 1)) as usize;
        let mut starts = vec![0usize; 1 << DIGIT_BITS];
        items.iter().for_each(|p| starts[digit(p)] += 1);
        let mut at = 0;
        for s in starts.iter_mut() {
            (*s, at) = (at, at + *s);
        }
        for &p in items.iter() {
            let d = digit(&p);
            scratch[starts[d]] = p;
            starts[d] += 1;
        }
        std::mem::swap(items, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postings_are_sorted_as_a_full_sort_sorts_them() {
        let mut x = 99u64;
        let mut next = || {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            x
        };
        // Pushed in document order (the radix sort alone), then shuffled (the full sort after
        // it), over keys of 26, 40 and 64 bits.
        for bits in [26u32, 40, 64] {
            let mask = u64::MAX >> (64 - bits);
            let mut postings: Vec<Posting> = (0..20_000u32)
                .flat_map(|doc| (0..3).map(move |i| (doc, i)))
                .map(|(doc, i)| ((next() >> 3) % 4000 * (mask / 4000), doc, i))
                .collect();
            for shuffled in [false, true] {
                if shuffled {
                    postings.reverse();
                }
                let mut expected = postings.clone();
                expected.sort_unstable();
                let mut sorted = postings.clone();
                sort_postings(&mut sorted);
                assert_eq!(sorted, expected, "{bits} bits, shuffled: {shuffled}");
            }
        }
    }

    /// Postings that fit 8 bytes and postings that do not (a band past the last part, keys past
    /// 32 bits, documents past 31 bits), with and without their document's value, come back as
    /// they went, in the order a full sort gives, once each.
    #[test]
    fn narrow_and_whole_postings_come_back_merged_in_order() {
        let values: Vec<u32> = (0..200).map(|d| d % 7).collect();
        let value = |doc: u32| values.get(doc as usize).copied().unwrap_or(0);
        let dir = tempfile::tempdir().unwrap();
        for table in Table::ALL {
            let mut held: Vec<Posting> = Vec::new();
            for doc in (0..200u32).chain([(1 << 31) + 5, u32::MAX]) {
                // Keys of the last part: one base the part tells, one it does not.
                let bases = match table {
                    Table::Bands => [63u64 << 32, 70 << 32],
                    Table::Anchors | Table::Keys => [63 << 26, 5 << 32],
                };
                for (i, h) in bases.into_iter().enumerate() {
                    let key = h | ((u64::from(doc) * 2_654_435_761 + i as u64) % 1000);
                    held.push((key, doc, value(doc)));
                    held.push((key ^ 1, doc, 0));
                }
            }
            held.push(held[3]);
            let part = Part {
                table,
                part: 63,
                values: &values,
            };
            assert!(held.iter().any(|&p| part.narrow(p).is_some()));
            assert!(held.iter().any(|&p| part.narrow(p).is_none()));
            // Half sent to the files, in two spills, half still held.
            let mut files: Vec<PartFiles> = (0..64).map(|_| PartFiles::default()).collect();
            let (a, rest) = held.split_at(held.len() / 4);
            let (b, c) = rest.split_at(rest.len() / 3);
            spill_table(table, a, &mut files, &values, dir.path()).unwrap();
            spill_table(table, b, &mut files, &values, dir.path()).unwrap();
            let files = files.pop().unwrap();
            // Buffers left with another part's numbers, as the writer passes them on.
            let mut buffers = PartBuffers {
                narrow: vec![7; 5000],
                scratch: vec![9; 3],
            };
            let sorted = part.sorted(files, c.to_vec(), &mut buffers).unwrap();
            let mut expected = held.clone();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(sorted.postings(part).collect::<Vec<_>>(), expected);
        }
    }
}
