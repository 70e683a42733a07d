//! The translation candidate index: which documents are worth aligning. The rules are in
//! [`super::translate`]'s documentation; here they are built step by step, each step a function
//! with a named result:
//!
//! 1. [`Languages`]: each keyed document's language as a small number, and the most common one
//!    (its documents only answer; the others search).
//! 2. [`Signatures`]: the keys found in two documents of two languages or more and in at most
//!    `max(max_key_share of the documents, min_key_postings)` documents; a document's signature is
//!    its `signature` rarest such keys.
//! 3. [`SearcherPostings`] and [`MajorityPostings`]: for each signature key the searching
//!    documents that have it (grouped by language) and the majority documents that have it.
//! 4. [`best_partners`]: a document's best partners in another language, by the rarity of the keys
//!    they share ([`key_weight`]) over the square root of the partner's signature length.
//! 5. [`mutual_pairs`]: a pair is a candidate when each is among the other's best.
//!
//! When only the pairs holding some documents are wanted (an index's `add`), steps 1 and 2 still
//! count over every document, and step 4 runs only for the documents such a pair can involve
//! ([`PartnerSearch::best_lists_around`]).
//!
//! In an `add` to an index whose postings hold the translation keys ([`StoredKeys`]), the run
//! holds the keys of its new documents only: the indexed documents outside the majority language
//! (a few percent) have theirs read from the postings; those of the majority are never held
//! whole. Their part of the key counts of step 2 is counted in the postings, and the signatures
//! of those that step 3b lists are made from the postings of the eligible keys ([`StoredSide`]).
//! Every count and signature is the one the whole keys give.

use rayon::prelude::*;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::LazyLock;

use super::translate::{KeyedDocs, TranslationParams};
use crate::candidates::StoredKeys;
use crate::fingerprint::{FilteredKeys, HitCounts};
use crate::DocId;

/// Candidate translation pairs (smaller id first), sorted and unique, among `docs`: those keyed.
#[cfg_attr(not(any(test, feature = "internals")), allow(dead_code))]
pub fn translation_candidates(
    keyed: &KeyedDocs,
    docs: &[DocId],
    params: &TranslationParams,
) -> Vec<(DocId, DocId)> {
    translation_candidates_around(keyed, docs, params, (None, None))
}

/// [`translation_candidates`] holding a wanted document, when `wanted` (indexed by document) says
/// which: the same pairs as the whole search's that hold one, from a search made only by the
/// documents a wanted document's pair can involve ([`PartnerSearch::best_lists_around`]). The
/// statistics the rules read (languages, key frequencies, signatures) are still counted over
/// every document. With `stored` keys that hold the translation keys (and `wanted`), the stored
/// documents' keys in `keyed` are empty: they are looked up there (see the module's
/// documentation).
pub fn translation_candidates_around(
    keyed: &KeyedDocs,
    docs: &[DocId],
    params: &TranslationParams,
    (wanted, stored): (Option<&[bool]>, Option<&dyn StoredKeys>),
) -> Vec<(DocId, DocId)> {
    // The keyed documents, numbered 0.. in this order (x).
    let ids: Vec<DocId> = docs
        .iter()
        .copied()
        .filter(|d| keyed.lang(d.index()).is_some())
        .collect();
    if !(2..1 << 28).contains(&ids.len()) {
        return Vec::new();
    }
    let languages = Languages::of(ids.iter().filter_map(|d| keyed.lang(d.index())));
    if languages.searchers.is_empty() {
        return Vec::new();
    }
    let stored = stored.filter(|s| wanted.is_some() && s.translation_keys());
    let side = stored.map(|s| StoredSide::new(s, &ids, &languages));
    let read = match &side {
        Some(side) => side.searcher_keys(&languages),
        None => Default::default(),
    };
    let keys = DocKeys {
        keyed,
        ids: &ids,
        read,
    };
    let signatures = Signatures::new(&keys, &languages, params, side);
    let searcher_signatures: Vec<Vec<u32>> = languages
        .searchers
        .par_iter()
        .map(|&x| signatures.of(x))
        .collect();
    let searchers = SearcherPostings::new(&languages, &searcher_signatures);
    let search = PartnerSearch {
        signatures: &signatures,
        searcher_signatures: &searcher_signatures,
        languages: &languages,
        searchers: &searchers,
        params,
    };
    match wanted {
        None => {
            let (majority, lengths) = search.majority_for(&searchers.keys);
            let best = best_lists(
                &search.index(&majority, &lengths),
                &signatures,
                &searcher_signatures,
            );
            mutual_pairs(&languages, &best, &ids, |_, _| true)
        }
        Some(wanted) => {
            let wanted: Vec<bool> = ids.iter().map(|d| wanted[d.index()]).collect();
            let best = search.best_lists_around(&wanted);
            mutual_pairs(&languages, &best, &ids, |x, o| wanted[x] || wanted[o])
        }
    }
}

/// Every keyed document's keys, by its number x: from the run's [`KeyedDocs`] (held, or read
/// again from its temporary file), or for the stored searchers of an `add`, read from the
/// postings ([`StoredSide::searcher_keys`]).
struct DocKeys<'a> {
    keyed: &'a KeyedDocs,
    /// The keyed documents' ids, sorted (keyed document x is `ids[x]`).
    ids: &'a [DocId],
    /// The keyed documents whose keys were read from the postings (sorted), and their keys.
    read: (Vec<usize>, Vec<Vec<u32>>),
}

impl DocKeys<'_> {
    /// Keyed document x's keys, read into `buf` when they are not held.
    fn get<'b>(&'b self, x: usize, buf: &'b mut Vec<u32>) -> &'b [u32] {
        match self.read.0.binary_search(&x) {
            Ok(at) => &self.read.1[at],
            Err(_) => self.keyed.keys(self.ids[x].index(), buf),
        }
    }
}

/// What the steps after the signatures read, to build an [`Index`] for given searched keys.
struct PartnerSearch<'a> {
    signatures: &'a Signatures<'a>,
    /// The signature of each of `languages.searchers`, in their order.
    searcher_signatures: &'a [Vec<u32>],
    languages: &'a Languages,
    searchers: &'a SearcherPostings,
    params: &'a TranslationParams,
}

impl PartnerSearch<'_> {
    /// The majority's postings of the `searched` keys, and every keyed document's signature
    /// length where a search may read it (searchers, and majority documents in those postings).
    fn majority_for(&self, searched: &[u32]) -> (MajorityPostings, Vec<u8>) {
        let mut majority = MajorityPostings::new(self.languages, self.signatures, searched);
        let mut lengths = std::mem::take(&mut majority.signature_lengths);
        for (&x, sig) in self
            .languages
            .searchers
            .iter()
            .zip(self.searcher_signatures)
        {
            lengths[x] = sig.len() as u8;
        }
        (majority, lengths)
    }

    fn index<'b>(&'b self, majority: &'b MajorityPostings, lengths: &'b [u8]) -> Index<'b> {
        Index {
            eligible: &self.signatures.eligible,
            signature_lengths: lengths,
            languages: self.languages,
            searchers: self.searchers,
            majority,
            params: self.params,
        }
    }

    /// The signature of searcher `x`, as computed once.
    fn searcher_signature(&self, x: usize) -> &[u32] {
        let at = self.languages.searchers.binary_search(&x);
        at.map_or(&[], |at| &self.searcher_signatures[at])
    }

    /// [`best_lists`] for the pairs that hold a `wanted` document (indexed as keyed documents):
    /// the lists of the wanted documents, of the searchers whose lists can name a wanted one or be
    /// named by it, and of the majority documents a wanted searcher names; none for the others.
    /// A pair is mutual best partners, so these lists decide every pair with a wanted document
    /// as the whole search's lists do (each list is the same, its document's search the same).
    fn best_lists_around(&self, wanted: &[bool]) -> BestLists {
        let languages = self.languages;
        let is_majority = |x: usize| languages.lang_of[x] == languages.majority;
        let mut best = BestLists::new(languages.len());
        // The wanted majority documents search the searchers' postings only.
        let (none, lengths) = self.majority_for(&[]);
        let index = self.index(&none, &lengths);
        let wanted_majority: Vec<usize> = (0..wanted.len())
            .filter(|&x| wanted[x] && is_majority(x))
            .collect();
        let wanted_signatures = self.signatures.of_docs(&wanted_majority);
        self.search_with(
            &index,
            &wanted_majority,
            (&wanted_majority, &wanted_signatures),
            &mut best,
        );
        // A searcher's pair with a wanted document needs its list: when that document is of the
        // majority, it named the searcher; when it is a searcher, the two share a signature key.
        // The majority's postings cover the signatures of every searcher that may be asked.
        let mut may_search = vec![false; languages.len()];
        for &x in languages.searchers.iter().filter(|&&x| wanted[x]) {
            for &k in self.searcher_signature(x) {
                let run = self.searchers.of(k);
                run.iter()
                    .for_each(|&e| may_search[SearcherPostings::doc(e) as usize] = true);
            }
        }
        for &x in &wanted_majority {
            named(&best, x).for_each(|o| may_search[o] = true);
        }
        let keys = self.signature_keys(languages.searchers.iter().filter(|&&x| may_search[x]));
        let (majority, lengths) = self.majority_for(&keys);
        let index = self.index(&majority, &lengths);
        // The wanted searchers, then the documents (of any language) they named: the other side
        // of their pairs.
        let wanted_searchers: Vec<usize> = languages
            .searchers
            .iter()
            .copied()
            .filter(|&x| wanted[x])
            .collect();
        self.search_into(&index, &wanted_searchers, &mut best);
        let mut then: Vec<usize> = wanted_searchers
            .iter()
            .flat_map(|&x| named(&best, x))
            .collect();
        then.retain(|&o| !best.made(o));
        then.sort_unstable();
        then.dedup();
        // Besides them, the searchers the wanted majority named, whose lists matter only where
        // they can hold one of those: a part of the search passes over the others
        // ([`list_if_may_hold`]).
        let mut asked: Vec<(usize, usize)> = wanted_majority
            .iter()
            .flat_map(|&m| named(&best, m).map(move |x| (x, m)))
            .collect();
        asked.retain(|&(x, _)| !best.made(x) && then.binary_search(&x).is_err());
        asked.sort_unstable();
        asked.dedup();
        let signature_of = |m: usize| {
            wanted_majority
                .binary_search(&m)
                .map_or(&[][..], |at| &wanted_signatures[at])
        };
        let groups: Vec<&[(usize, usize)]> = asked.chunk_by(|a, b| a.0 == b.0).collect();
        let holding: Vec<(usize, Vec<u32>)> = groups
            .par_iter()
            .filter_map(|group| {
                let x = group[0].0;
                let named: Vec<(usize, &[u32])> =
                    group.iter().map(|&(_, m)| (m, signature_of(m))).collect();
                list_if_may_hold(&index, x, self.searcher_signature(x), &named)
                    .map(|list| (x, list))
            })
            .collect();
        for (x, list) in holding {
            best.set(x, list);
        }
        self.search_into(&index, &then, &mut best);
        best
    }

    /// Every key of these searchers' signatures, sorted, unique.
    fn signature_keys<'b>(&self, searchers: impl Iterator<Item = &'b usize>) -> Vec<u32> {
        let mut keys: Vec<u32> = searchers
            .flat_map(|&x| self.searcher_signature(x))
            .copied()
            .collect();
        keys.par_sort_unstable();
        keys.dedup();
        keys
    }

    /// Sets the best partners of each of `docs` (sorted) in `best`.
    fn search_into(&self, index: &Index<'_>, docs: &[usize], best: &mut BestLists) {
        let languages = self.languages;
        let majority: Vec<usize> = docs
            .iter()
            .copied()
            .filter(|&x| languages.lang_of[x] == languages.majority)
            .collect();
        let majority_signatures = self.signatures.of_docs(&majority);
        self.search_with(index, docs, (&majority, &majority_signatures), best);
    }

    /// [`PartnerSearch::search_into`] with the signatures of the majority documents among `docs`
    /// (sorted) already made.
    fn search_with(
        &self,
        index: &Index<'_>,
        docs: &[usize],
        (majority, majority_signatures): (&[usize], &[Vec<u32>]),
        best: &mut BestLists,
    ) {
        let found: Vec<(usize, Vec<u32>)> = docs
            .par_iter()
            .map(|&x| {
                let sig = match majority.binary_search(&x) {
                    Ok(at) => &majority_signatures[at],
                    Err(_) => self.searcher_signature(x),
                };
                (x, best_partners(index, x, sig))
            })
            .collect();
        for (x, list) in found {
            best.set(x, list);
        }
    }
}

/// The partners in document x's best list, when it was made.
fn named(best: &BestLists, x: usize) -> impl Iterator<Item = usize> + '_ {
    best.get(x).into_iter().flatten().map(|&o| o as usize)
}

/// The best lists made, by keyed document: a few thousand of a million documents have one, so a
/// number per document says where its list is (4 bytes a document, not an `Option<Vec>`'s 24).
struct BestLists {
    /// Per keyed document, its list's place in `lists`; [`BestLists::NONE`] while it has none.
    at: Vec<u32>,
    lists: Vec<Vec<u32>>,
}

impl BestLists {
    const NONE: u32 = u32::MAX;

    fn new(documents: usize) -> BestLists {
        BestLists {
            at: vec![Self::NONE; documents],
            lists: Vec::new(),
        }
    }

    /// Whether keyed document x's list was made.
    fn made(&self, x: usize) -> bool {
        self.at[x] != Self::NONE
    }

    /// Keyed document x's list, when it was made.
    fn get(&self, x: usize) -> Option<&[u32]> {
        self.lists.get(self.at[x] as usize).map(Vec::as_slice)
    }

    /// Sets keyed document x's list (replacing the one made, if any).
    fn set(&mut self, x: usize, list: Vec<u32>) {
        match self.lists.get_mut(self.at[x] as usize) {
            Some(made) => *made = list,
            None => {
                self.at[x] = self.lists.len() as u32;
                self.lists.push(list);
            }
        }
    }
}

/// Step 1: languages as small numbers (at most 15 kinds: a posting packs 4 bits of language).
struct Languages {
    /// Per keyed document.
    lang_of: Vec<u8>,
    /// The most common language (ties: the first seen).
    majority: u8,
    /// The documents outside it, in order: only they search (see [`mutual_pairs`]).
    searchers: Vec<usize>,
}

impl Languages {
    fn of<'a>(langs: impl Iterator<Item = &'a str>) -> Languages {
        let mut codes: Vec<&str> = Vec::new();
        let lang_of: Vec<u8> = langs
            .map(|l| match codes.iter().position(|c| *c == l) {
                Some(i) => i as u8,
                None if codes.len() < 15 => {
                    codes.push(l);
                    (codes.len() - 1) as u8
                }
                None => 15,
            })
            .collect();
        let mut per_lang = [0usize; 16];
        for &l in &lang_of {
            per_lang[l as usize] += 1;
        }
        let majority = (0..per_lang.len())
            .max_by_key(|&l| (per_lang[l], std::cmp::Reverse(l)))
            .unwrap_or(0) as u8;
        let searchers = (0..lang_of.len())
            .filter(|&x| lang_of[x] != majority)
            .collect();
        Languages {
            lang_of,
            majority,
            searchers,
        }
    }

    fn len(&self) -> usize {
        self.lang_of.len()
    }
}

/// Step 2: the keys a signature may hold, with their document frequency.
struct Signatures<'a> {
    keys: &'a DocKeys<'a>,
    eligible: FilteredKeys,
    size: usize,
    /// The stored documents whose keys are looked up, when some are.
    side: Option<StoredSide<'a>>,
}

impl<'a> Signatures<'a> {
    /// Counts the searchers' keys (only they can be shared by two languages) over every document,
    /// and keeps those in two documents of two languages or more, and not too common. The table
    /// of eligible keys is small: a majority document's keys are mostly common ones (`The`, small
    /// numbers) that its filter passes over.
    fn new(
        keys: &'a DocKeys<'a>,
        languages: &Languages,
        params: &TranslationParams,
        mut side: Option<StoredSide<'a>>,
    ) -> Self {
        assert!(
            params.signature <= 255,
            "a signature holds at most 255 keys"
        );
        let n = languages.len();
        let mut buf = Vec::new();
        let mut minority_keys: Vec<u32> = Vec::new();
        for &x in &languages.searchers {
            minority_keys.extend_from_slice(keys.get(x, &mut buf));
        }
        minority_keys.par_sort_unstable();
        minority_keys.dedup();
        let (mut df, mut langs) = key_counts(keys, &minority_keys, &languages.lang_of);
        let stored_df = match &side {
            Some(side) => side
                .keys
                .count_keys(&minority_keys, &|d| side.is_looked_up(d)),
            None => Vec::new(),
        };
        for ((d, l), &stored) in df.iter_mut().zip(&mut langs).zip(&stored_df) {
            *d += stored;
            *l |= u32::from(stored > 0) << languages.majority;
        }
        let max_df = ((n as f64 * params.max_key_share).ceil() as u32).max(params.min_key_postings);
        let eligible: Vec<(u32, u32)> = (minority_keys.iter().zip(df.iter().zip(&langs)))
            .filter(|(_, (&d, &l))| (2..=max_df).contains(&d) && l.count_ones() >= 2)
            .map(|(&k, (&d, _))| (k, d))
            .collect();
        if let Some(side) = side.as_mut() {
            side.eligible = eligible.clone();
            let stored_df = minority_keys
                .iter()
                .zip(stored_df)
                .filter(|(k, _)| eligible.binary_search_by_key(k, |e| &e.0).is_ok());
            side.stored_df = FilteredKeys::new(stored_df.map(|(&k, d)| (k, d)));
        }
        Signatures {
            keys,
            eligible: FilteredKeys::new(eligible),
            size: params.signature,
            side,
        }
    }

    /// Document `x`'s signature: its rarest eligible keys, ties by key ((df, key) pairs are
    /// unique, so the order is total), sorted that way. Not for a document whose keys are looked
    /// up ([`Signatures::of_keys`] with its keys).
    fn of(&self, x: usize) -> Vec<u32> {
        let mut buf = Vec::new();
        self.of_keys(self.keys.get(x, &mut buf))
    }

    /// The signature of a document with these keys.
    fn of_keys(&self, keys: &[u32]) -> Vec<u32> {
        let mut sig: Vec<(u32, u32)> = keys
            .iter()
            .filter_map(|&k| Some((self.eligible.get(k)?, k)))
            .collect();
        if sig.len() > self.size {
            sig.select_nth_unstable(self.size);
            sig.truncate(self.size);
        }
        sig.sort_unstable();
        sig.into_iter().map(|(_, k)| k).collect()
    }

    /// Whether keyed document `x`'s keys are looked up rather than held.
    fn looked_up(&self, x: usize) -> bool {
        self.side.as_ref().is_some_and(|s| s.looked_up_keyed[x])
    }

    /// The signatures of `docs` (keyed documents, some looked up: their keys are read in one
    /// pass), in their order.
    fn of_docs(&self, docs: &[usize]) -> Vec<Vec<u32>> {
        let mut out: Vec<Vec<u32>> = docs
            .par_iter()
            .map(|&x| {
                if self.looked_up(x) {
                    Vec::new()
                } else {
                    self.of(x)
                }
            })
            .collect();
        let mut stored: Vec<(DocId, usize)> = Vec::new();
        if let Some(side) = &self.side {
            let looked_up = docs.iter().enumerate().filter(|&(_, &x)| self.looked_up(x));
            stored.extend(looked_up.map(|(at, &x)| (side.ids[x], at)));
        }
        if let Some(side) = self.side.as_ref().filter(|_| !stored.is_empty()) {
            stored.sort_unstable();
            let ids: Vec<DocId> = stored.iter().map(|&(d, _)| d).collect();
            for ((_, at), keys) in stored.iter().zip(side.keys.keys_of(&ids)) {
                out[*at] = self.of_keys(&keys);
            }
        }
        out
    }
}

/// The stored documents of an `add` whose translation keys are looked up rather than held: the
/// keyed representatives of the majority language (see the module's documentation).
struct StoredSide<'a> {
    keys: &'a dyn StoredKeys,
    /// The keyed documents' ids, sorted (keyed document x is `ids[x]`).
    ids: &'a [DocId],
    /// Per stored document: the keyed document it is when it is looked up (`u32::MAX` when not).
    looked_up: Vec<u32>,
    /// The same as bits (whether looked up), a 32nd of the bytes: asked of every posting a
    /// lookup decodes, it stays in the cache.
    looked_up_bits: Vec<u64>,
    /// Per keyed document: whether it is looked up.
    looked_up_keyed: Vec<bool>,
    /// The eligible keys with their document frequency, sorted by key (set by
    /// [`Signatures::new`]).
    eligible: Vec<(u32, u32)>,
    /// The eligible keys' document frequency among the looked-up documents (set likewise).
    stored_df: FilteredKeys,
}

/// Eligible keys looked up at a time, in [`StoredSide::majority_by_rank`], at most...
const RANKED_KEYS_AT_ONCE: usize = 512;
/// ... and at most this many postings by their document frequency (16 MiB of them).
const RANKED_POSTINGS_AT_ONCE: u64 = 1 << 21;

impl<'a> StoredSide<'a> {
    fn new(keys: &'a dyn StoredKeys, ids: &'a [DocId], languages: &Languages) -> StoredSide<'a> {
        let stored = keys.documents();
        let mut looked_up = vec![u32::MAX; stored];
        let looked_up_keyed: Vec<bool> = (0..ids.len())
            .map(|x| ids[x].index() < stored && languages.lang_of[x] == languages.majority)
            .collect();
        let mut looked_up_bits = vec![0u64; stored.div_ceil(64)];
        for x in (0..ids.len()).filter(|&x| looked_up_keyed[x]) {
            let d = ids[x].index();
            looked_up[d] = x as u32;
            looked_up_bits[d / 64] |= 1 << (d % 64);
        }
        StoredSide {
            keys,
            ids,
            looked_up,
            looked_up_bits,
            looked_up_keyed,
            eligible: Vec::new(),
            stored_df: FilteredKeys::new(std::iter::empty()),
        }
    }

    fn is_looked_up(&self, d: DocId) -> bool {
        let d = d.index();
        self.looked_up_bits
            .get(d / 64)
            .is_some_and(|&bits| bits >> (d % 64) & 1 == 1)
    }

    /// The stored searchers (keyed documents outside the majority) and their keys, read from
    /// the postings: the run holds none of the stored documents' keys.
    fn searcher_keys(&self, languages: &Languages) -> (Vec<usize>, Vec<Vec<u32>>) {
        let stored = self.keys.documents();
        let mut old: Vec<(DocId, usize)> = (languages.searchers.iter())
            .filter(|&&x| self.ids[x].index() < stored)
            .map(|&x| (self.ids[x], x))
            .collect();
        old.sort_unstable();
        let docs: Vec<DocId> = old.iter().map(|&(d, _)| d).collect();
        let keys = self.keys.keys_of(&docs);
        (old.into_iter().map(|(_, x)| x).collect(), keys)
    }

    /// For the looked-up documents: which have each searched key (by `slots`) in their
    /// signature, and each one's signature length, without holding their keys. A signature is a
    /// document's `size` rarest eligible keys: the eligible keys are looked up from the rarest
    /// on, and each key is in the signature of the documents that have it and fewer than `size`
    /// rarer ones. A document's keys are all in one part of the stored keys
    /// ([`StoredKeys::key_parts`]), so the parts are taken one after another; a part whose
    /// postings fit [`RANKED_POSTINGS_AT_ONCE`] is looked up once (a daily batch), a larger
    /// one by chunks of keys. The documents of slot s are put in `postings` from `next[s]` on
    /// (room for its key's [`StoredSide::stored_df`] is left there), in document order; returns
    /// per keyed document its signature length (0 for those not looked up).
    fn majority_by_rank(
        &self,
        slots: &FilteredKeys,
        size: usize,
        (postings, next): (&mut [u32], &mut [usize]),
    ) -> Vec<u8> {
        let mut lengths = vec![0u8; self.ids.len()];
        let mut ranked: Vec<(u32, u32)> = self.eligible.iter().map(|&(k, df)| (df, k)).collect();
        ranked.sort_unstable();
        let keep = |d: DocId| self.is_looked_up(d);
        let from: Vec<usize> = next.to_vec();
        let mut ranking = Ranking {
            slots,
            size,
            lengths: &mut lengths,
            postings,
            next,
            from: &from,
        };
        // Each chunk with its keys sorted, made once for every part: whole, and by chunks.
        let whole = vec![with_sorted_keys(&ranked[..])];
        let mut by_chunks = Vec::new();
        // The postings of the chunk ranked, and of the next one, read meanwhile.
        let (mut found, mut ahead) = (Vec::<(u32, DocId)>::new(), Vec::new());
        for (part, held) in self.keys.key_parts().into_iter().enumerate() {
            let chunks = match held <= RANKED_POSTINGS_AT_ONCE {
                true => &whole,
                false => {
                    if by_chunks.is_empty() {
                        by_chunks = by_postings(&ranked).map(with_sorted_keys).collect();
                    }
                    &by_chunks
                }
            };
            // The postings of the next chunk are read while those of one are ranked: ranking
            // goes key by key in rank order, on one thread. The two chunks' vectors are used
            // again and again: up to 16 MiB each, they were mapped and zeroed anew for every
            // chunk (BENCHMARKS.md section 48).
            let look_up = |at: usize, found: &mut Vec<(u32, DocId)>| match chunks.get(at) {
                Some((_, keys)) => self.keys.key_postings(part, keys, &keep, found),
                None => found.clear(),
            };
            look_up(0, &mut found);
            for (at, (chunk, _)) in chunks.iter().enumerate() {
                rayon::join(
                    || look_up(at + 1, &mut ahead),
                    || ranking.add(self, chunk, &found),
                );
                std::mem::swap(&mut found, &mut ahead);
            }
        }
        let Ranking { postings, next, .. } = ranking;
        (0..next.len()).for_each(|s| postings[from[s]..next[s]].sort_unstable());
        lengths
    }
}

/// What [`StoredSide::majority_by_rank`] fills as it goes.
struct Ranking<'a> {
    slots: &'a FilteredKeys,
    size: usize,
    lengths: &'a mut [u8],
    postings: &'a mut [u32],
    next: &'a mut [usize],
    from: &'a [usize],
}

impl Ranking<'_> {
    /// The postings `found` (sorted by key) of the keys of `chunk` (by rank), one key after
    /// another from the rarest: each posting of a document whose signature is not full yet.
    fn add(&mut self, side: &StoredSide<'_>, chunk: &[(u32, u32)], found: &[(u32, DocId)]) {
        for &(_, k) in chunk {
            let (lo, hi) = (
                found.partition_point(|p| p.0 < k),
                found.partition_point(|p| p.0 <= k),
            );
            let slot = self.slots.get(k).map(|s| s as usize);
            // The room left is the key's count (a damaged file, already reported, may give
            // fewer: never more than the room is written).
            let room = side.stored_df.get(k).unwrap_or(0) as usize;
            for &(_, d) in &found[lo..hi] {
                let x = side.looked_up[d.index()] as usize;
                if (self.lengths[x] as usize) < self.size {
                    self.lengths[x] += 1;
                    match slot {
                        Some(s) if self.next[s] < self.from[s] + room => {
                            self.postings[self.next[s]] = x as u32;
                            self.next[s] += 1;
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// A chunk of (document frequency, key) with its keys sorted.
fn with_sorted_keys(chunk: &[(u32, u32)]) -> (&[(u32, u32)], Vec<u32>) {
    let mut keys: Vec<u32> = chunk.iter().map(|&(_, k)| k).collect();
    keys.sort_unstable();
    (chunk, keys)
}

/// `ranked` (document frequency, key) in consecutive chunks of at most [`RANKED_KEYS_AT_ONCE`]
/// keys and [`RANKED_POSTINGS_AT_ONCE`] postings (a key with more is a chunk alone).
fn by_postings(ranked: &[(u32, u32)]) -> impl Iterator<Item = &[(u32, u32)]> {
    let mut rest = ranked;
    std::iter::from_fn(move || {
        let (mut n, mut postings) = (0, 0u64);
        while n < rest.len() && n < RANKED_KEYS_AT_ONCE {
            postings += u64::from(rest[n].0);
            if n > 0 && postings > RANKED_POSTINGS_AT_ONCE {
                break;
            }
            n += 1;
        }
        let (chunk, after) = rest.split_at(n);
        rest = after;
        (!chunk.is_empty()).then_some(chunk)
    })
}

/// Document frequency of each of `counted` (sorted) and the languages it occurs in, over every
/// document (sums and unions: the same whatever the order the threads count in).
fn key_counts(keys: &DocKeys<'_>, counted: &[u32], lang_of: &[u8]) -> (Vec<u32>, Vec<u32>) {
    let slot = FilteredKeys::new(counted.iter().enumerate().map(|(i, &k)| (k, i as u32)));
    let df: Vec<AtomicU32> = (0..counted.len()).map(|_| AtomicU32::new(0)).collect();
    let langs: Vec<AtomicU32> = (0..counted.len()).map(|_| AtomicU32::new(0)).collect();
    (0..lang_of.len())
        .into_par_iter()
        .for_each_init(Vec::new, |buf, x| {
            for &k in keys.get(x, buf) {
                if let Some(i) = slot.get(k) {
                    df[i as usize].fetch_add(1, Relaxed);
                    langs[i as usize].fetch_or(1 << lang_of[x], Relaxed);
                }
            }
        });
    let load = |v: Vec<AtomicU32>| v.into_iter().map(AtomicU32::into_inner).collect();
    (load(df), load(langs))
}

/// Step 3a: the searchers' signature keys, and their postings packed: key (32 bits) | language
/// (4 bits) | document (28 bits), so that within a key, documents are grouped by language.
struct SearcherPostings {
    /// Every key of a searcher's signature, sorted, unique.
    keys: Vec<u32>,
    postings: Vec<u64>,
}

impl SearcherPostings {
    fn new(languages: &Languages, signatures: &[Vec<u32>]) -> SearcherPostings {
        let mut keys: Vec<u32> = signatures.iter().flatten().copied().collect();
        keys.par_sort_unstable();
        keys.dedup();
        let lang_of = &languages.lang_of;
        let pack = |x: usize, k: u32| u64::from(k) << 32 | u64::from(lang_of[x]) << 28 | x as u64;
        let mut postings: Vec<u64> = languages
            .searchers
            .iter()
            .zip(signatures)
            .flat_map(|(&x, sig)| sig.iter().map(move |&k| pack(x, k)))
            .collect();
        postings.par_sort_unstable();
        SearcherPostings { keys, postings }
    }

    /// The postings of key `k`.
    fn of(&self, k: u32) -> &[u64] {
        let lo = self.postings.partition_point(|&e| (e >> 32) < u64::from(k));
        let hi = self
            .postings
            .partition_point(|&e| (e >> 32) <= u64::from(k));
        &self.postings[lo..hi]
    }

    fn lang(e: u64) -> u8 {
        ((e >> 28) & 0xF) as u8
    }

    fn doc(e: u64) -> u32 {
        (e & 0x0FFF_FFFF) as u32
    }
}

/// Step 3b: the majority's postings, only for the keys some searcher looks up, laid out by key in
/// one array of exactly their number: in a dump of millions they are the bulk.
struct MajorityPostings {
    /// Slot of each searched key.
    slots: FilteredKeys,
    /// Key in slot s has `postings[starts[s]..starts[s + 1]]`.
    starts: Vec<usize>,
    postings: Vec<u32>,
    /// The signature length of every majority document in a list (0 for the others).
    signature_lengths: Vec<u8>,
}

impl MajorityPostings {
    /// Documents per run of the parallel pass.
    const RUN: usize = 4096;

    /// Each majority document's signature is made once, its searched keys kept (as slots) in
    /// runs of documents, then counted and placed in document order. Documents whose keys are
    /// looked up come from [`StoredSide::majority_by_rank`]: they are stored, so before every
    /// held majority document (a new one).
    fn new(languages: &Languages, signatures: &Signatures<'_>, searched: &[u32]) -> Self {
        let slots = FilteredKeys::new(searched.iter().enumerate().map(|(i, &k)| (k, i as u32)));
        let majority_list: Vec<u32> = (0..languages.len() as u32)
            .filter(|&x| languages.lang_of[x as usize] == languages.majority)
            .collect();
        let runs: Vec<(Vec<u32>, Vec<u32>, Vec<u8>)> = majority_list
            .par_chunks(Self::RUN)
            .map(|docs| {
                let (mut found, mut ends) = (Vec::new(), Vec::with_capacity(docs.len()));
                let (mut lengths, mut buf) = (Vec::with_capacity(docs.len()), Vec::new());
                for &x in docs {
                    // A document with none of the searched keys is in no list: no signature.
                    let keys = signatures.keys.get(x as usize, &mut buf);
                    let listed = !searched.is_empty()
                        && !signatures.looked_up(x as usize)
                        && keys.iter().any(|&k| slots.contains(k));
                    let sig = if listed {
                        signatures.of_keys(keys)
                    } else {
                        Vec::new()
                    };
                    found.extend(sig.iter().filter_map(|&k| slots.get(k)));
                    ends.push(found.len() as u32);
                    lengths.push(sig.len() as u8);
                }
                found.shrink_to_fit();
                (found, ends, lengths)
            })
            .collect();
        // Room for the looked-up documents first in each list: at most the key's number of them.
        let room = |s: usize| match &signatures.side {
            Some(side) => side.stored_df.get(searched[s]).unwrap_or(0) as usize,
            None => 0,
        };
        let mut starts = vec![0usize; searched.len() + 1];
        for &s in runs.iter().flat_map(|(found, _, _)| found) {
            starts[s as usize + 1] += 1;
        }
        for s in 0..searched.len() {
            starts[s + 1] += starts[s] + room(s);
        }
        let mut postings = vec![0u32; starts[searched.len()]];
        let mut next = starts.clone();
        let mut signature_lengths = match &signatures.side {
            Some(side) if !searched.is_empty() => {
                side.majority_by_rank(&slots, signatures.size, (&mut postings, &mut next))
            }
            _ => vec![0u8; languages.len()],
        };
        for ((_, _, lengths), docs) in runs.iter().zip(majority_list.chunks(Self::RUN)) {
            for (&x, &l) in docs.iter().zip(lengths) {
                if !signatures.looked_up(x as usize) {
                    signature_lengths[x as usize] = l;
                }
            }
        }
        for ((found, ends, _), docs) in runs.iter().zip(majority_list.chunks(Self::RUN)) {
            let mut from = 0;
            for (&x, &end) in docs.iter().zip(ends) {
                for &s in &found[from..end as usize] {
                    postings[next[s as usize]] = x;
                    next[s as usize] += 1;
                }
                from = end as usize;
            }
        }
        if signatures.side.is_some() {
            compact(&mut postings, &mut starts, &next);
        }
        MajorityPostings {
            slots,
            starts,
            postings,
            signature_lengths,
        }
    }

    /// The majority documents with key `k` in their signature.
    fn of(&self, k: u32) -> &[u32] {
        match self.slots.get(k) {
            Some(s) => &self.postings[self.starts[s as usize]..self.starts[s as usize + 1]],
            None => &[],
        }
    }
}

/// Gives back the room left unused at the end of each list: list s, at `starts[s]..next[s]` of
/// `postings`, is moved down to follow the one before.
fn compact(postings: &mut Vec<u32>, starts: &mut [usize], next: &[usize]) {
    let (mut to, lists) = (0, starts.len() - 1);
    for s in 0..lists {
        let len = next[s] - starts[s];
        postings.copy_within(starts[s]..next[s], to);
        starts[s] = to;
        to += len;
    }
    starts[lists] = to;
    postings.truncate(to);
    postings.shrink_to_fit();
}

/// What [`best_partners`] looks up.
struct Index<'a> {
    /// Eligible keys, with their document frequency.
    eligible: &'a FilteredKeys,
    /// Every keyed document's signature length.
    signature_lengths: &'a [u8],
    languages: &'a Languages,
    searchers: &'a SearcherPostings,
    majority: &'a MajorityPostings,
    params: &'a TranslationParams,
}

thread_local! {
    /// How many signature keys each document shares with the one whose partners are sought.
    static HITS: std::cell::RefCell<HitCounts> = std::cell::RefCell::new(HitCounts::default());
}

/// The weight of a shared key of document frequency `df` among `n` documents: `4 log2(n / df)`
/// rounded up, at least 1 (a key in every document weighs 1, a key in two of a million 76; a
/// signature of 255 keys weighs under 2^15).
pub fn key_weight(n: usize, df: u32) -> u32 {
    (4.0 * (n as f64 / f64::from(df.max(1))).log2())
        .ceil()
        .max(1.0) as u32
}

/// A hit packs the shared keys' weight (high 24 bits) and their number (low 8 bits: a signature
/// holds at most 255 keys).
const HIT_COUNT_BITS: u32 = 8;

/// Step 4: document `x`'s best partners in another language (its signature `sig`), sorted:
/// those sharing at least `min_shared` keys (one for a short signature), the `max_candidates`
/// sharing most by weight (the rarity of the shared keys over the square root of the partner's
/// signature length; ties by input order), and none far behind the best: a translation shares
/// about as much as the best does (its copies too), a same-event article far less.
fn best_partners(index: &Index<'_>, x: usize, sig: &[u32]) -> Vec<u32> {
    HITS.with(|hits| {
        let mut hits = hits.borrow_mut();
        count_hits(index, x, sig, &mut hits);
        let found = drain_hits(index, &mut hits);
        choose_partners(sig.len(), found, index.params)
    })
}

/// Counts in `hits` the documents of another language than `x`'s that have each of `keys` in
/// their signature, by [`key_weight`] (a hit packs the weight and the number of keys).
fn count_hits(index: &Index<'_>, x: usize, keys: &[u32], hits: &mut HitCounts) {
    hits.prepare(index.languages.len());
    add_hits(index, x, keys, hits);
}

/// [`count_hits`] for more keys, added to the counts in `hits` (prepared).
fn add_hits(index: &Index<'_>, x: usize, keys: &[u32], hits: &mut HitCounts) {
    let Index {
        eligible,
        languages,
        searchers,
        majority,
        ..
    } = index;
    let own = languages.lang_of[x];
    for &k in keys {
        let df = eligible.get(k).unwrap_or(1);
        let w = key_weight(languages.len(), df) << HIT_COUNT_BITS | 1;
        let run = searchers.of(k);
        let (lo, hi) = (
            run.partition_point(|&e| SearcherPostings::lang(e) < own),
            run.partition_point(|&e| SearcherPostings::lang(e) <= own),
        );
        hits.add_distinct(&run[..lo], SearcherPostings::doc, w);
        hits.add_distinct(&run[hi..], SearcherPostings::doc, w);
        if own != languages.majority {
            hits.add_distinct(majority.of(k), |o| o, w);
        }
    }
}

/// The documents hit, as (document, summed weight, keys shared, its signature length), the
/// counts set back to zero.
fn drain_hits<'b>(
    index: &'b Index<'_>,
    hits: &'b mut HitCounts,
) -> impl Iterator<Item = (u32, u32, u32, u8)> + 'b {
    let mask = (1 << HIT_COUNT_BITS) - 1;
    hits.drain().map(move |(o, hit)| {
        let length = index.signature_lengths[o as usize];
        (o, hit >> HIT_COUNT_BITS, hit & mask, length)
    })
}

/// Where a search for [`list_if_may_hold`] stops to look whether it proved its answer: after
/// the keys that hold at most an eighth, a quarter and a half of its postings (as shares). Each
/// look costs about what counting that part did (a pass over the documents found, scattered in
/// memory): with a look at three quarters too, or at every eighth, an `add` of 10k took longer
/// (BENCHMARKS.md section 41).
const PARTIAL_SEARCH_SHARES: [usize; 3] = [8, 4, 2];

/// Searcher `x`'s best list (its signature `sig`, rarest keys first) when it may hold one of
/// `named` (majority documents, each with its signature); `None` when a search over part of its
/// keys proves it does not. A named document's weight with `x` is found from the two signatures.
/// The search counts `x`'s keys rarest first, and stops three times ([`PARTIAL_SEARCH_SHARES`]):
/// each weight counted so far is at most the document's whole weight, so the best found is at
/// most the list's best, and a named document under [`TranslationParams::min_share_of_best`] of
/// it, or behind `max_candidates` documents found, is not in the list ([`proved_out`]). The rarest
/// keys are those a translation shares, so a part of the search mostly finds the list's best.
/// Counted to the end, the counts are the whole search's, and the list is [`best_partners`]'s.
fn list_if_may_hold(
    index: &Index<'_>,
    x: usize,
    sig: &[u32],
    named: &[(usize, &[u32])],
) -> Option<Vec<u32>> {
    let params = index.params;
    let need = if sig.len() < params.short_signature {
        1
    } else {
        params.min_shared
    };
    let weights = named_weights(index, sig, named, need);
    if weights.is_empty() || params.max_candidates == 0 {
        return None;
    }
    let postings = |k: u32| index.majority.of(k).len() + index.searchers.of(k).len();
    let total = sig.iter().map(|&k| postings(k)).sum::<usize>();
    HITS.with(|hits| {
        let mut hits = hits.borrow_mut();
        hits.prepare(index.languages.len());
        let (mut taken, mut read) = (0, 0);
        for share in PARTIAL_SEARCH_SHARES {
            let from = taken;
            while taken < sig.len() && read + postings(sig[taken]) <= total / share {
                read += postings(sig[taken]);
                taken += 1;
            }
            add_hits(index, x, &sig[from..taken], &mut hits);
            if proved_out(index, &hits, need, &weights) {
                hits.drain().for_each(drop);
                return None;
            }
        }
        add_hits(index, x, &sig[taken..], &mut hits);
        let found = drain_hits(index, &mut hits);
        Some(choose_partners(sig.len(), found, params))
    })
}

/// The weight with searcher x (its signature `sig`) of each `named` document sharing at least
/// `need` keys with it, as [`choose_partners`] ranks it, with the document.
fn named_weights(
    index: &Index<'_>,
    sig: &[u32],
    named: &[(usize, &[u32])],
    need: usize,
) -> Vec<(u64, usize)> {
    let n = index.languages.len();
    let mut by_key = sig.to_vec();
    by_key.sort_unstable();
    named
        .iter()
        .filter_map(|&(m, their)| {
            let shared = their.iter().filter(|k| by_key.binary_search(k).is_ok());
            let (count, weight) = shared.fold((0, 0), |(c, w), &k| {
                (c + 1, w + key_weight(n, index.eligible.get(k).unwrap_or(1)))
            });
            (count >= need).then(|| (partner_weight(weight, index.signature_lengths[m]), m))
        })
        .collect()
}

/// Whether the weights counted so far in `hits` (each at most the whole weight) prove that none
/// of the named documents (`weights`: their whole weights) is in the best list.
fn proved_out(index: &Index<'_>, hits: &HitCounts, need: usize, weights: &[(u64, usize)]) -> bool {
    // The documents found, first by (weight descending, document): the best, and the
    // `max_candidates` first (the last of them on top), which say whether a named document has
    // that many ahead of it. Only those at least as heavy as the lightest named one can be ahead
    // of one, so the others are not kept: when `keep` are kept, they are the first `keep` of all.
    let keep = index.params.max_candidates;
    let lightest = weights.iter().map(|&(w, _)| w).min().unwrap_or(0);
    let mut best = None;
    let mut first: BinaryHeap<(Reverse<u64>, usize)> = BinaryHeap::with_capacity(keep + 1);
    let mask = (1 << HIT_COUNT_BITS) - 1;
    for (o, hit) in hits.iter() {
        if ((hit & mask) as usize) < need {
            continue;
        }
        let weight = partner_weight(hit >> HIT_COUNT_BITS, index.signature_lengths[o as usize]);
        best = best.max(Some(weight));
        if weight >= lightest {
            keep_first(&mut first, keep, (Reverse(weight), o as usize));
        }
    }
    let Some(best) = best else {
        return false;
    };
    // Fewer than `keep` found are ahead of (w, m) when fewer than `keep` were found, or the last
    // of the first `keep` is not ahead of it.
    let few_ahead = |w: u64, m: usize| {
        first.len() < keep || first.peek().is_none_or(|last| (Reverse(w), m) <= *last)
    };
    !weights
        .iter()
        .any(|&(w, m)| w as f64 >= index.params.min_share_of_best * best as f64 && few_ahead(w, m))
}

/// Puts `item` in `first`, the `keep` smallest items seen (the largest of them on top), when it
/// is one of them.
fn keep_first<T: Ord>(first: &mut BinaryHeap<T>, keep: usize, item: T) {
    if first.len() < keep {
        first.push(item);
    } else if let Some(mut last) = first.peek_mut().filter(|last| item < **last) {
        *last = item;
    }
}

/// A partner's weight as [`choose_partners`] ranks it: the summed [`key_weight`] of the keys
/// shared over the square root of its signature length, in fixed point (ties and order exact).
fn partner_weight(weight: u32, length: u8) -> u64 {
    (f64::from(weight) * 1024.0 / ROOTS[length as usize]) as u64
}

/// The square root of each signature length (of 1 for 0), as [`partner_weight`] divides by it.
static ROOTS: LazyLock<[f64; 256]> =
    LazyLock::new(|| std::array::from_fn(|l| f64::from(l.max(1) as u8).sqrt()));

/// The end of step 4, once the keys shared with each partner are counted: from (partner, the
/// summed [`key_weight`] of the keys shared, their number, the partner's signature length), the
/// partners chosen, sorted. `signature` is the length of the searching document's signature. An
/// engine that counts the shared keys itself (`twinwire.spark`) chooses with this too.
pub fn choose_partners<O: Copy + Ord>(
    signature: usize,
    hits: impl Iterator<Item = (O, u32, u32, u8)>,
    params: &TranslationParams,
) -> Vec<O> {
    let need = if signature < params.short_signature {
        1
    } else {
        params.min_shared
    };
    // The `max_candidates` first by (weight descending, partner), kept in a heap whose top is
    // the last of them: each partner found is looked at once, and none is held but those (a
    // search finds thousands where a language has many documents on one event).
    let keep = params.max_candidates;
    let mut first: BinaryHeap<(Reverse<u64>, O)> = BinaryHeap::with_capacity(keep + 1);
    for (o, weight, shared, length) in hits {
        if (shared as usize) < need {
            continue;
        }
        keep_first(
            &mut first,
            keep,
            (Reverse(partner_weight(weight, length)), o),
        );
    }
    let mut counted: Vec<(u64, O)> = first.into_iter().map(|(Reverse(n), o)| (n, o)).collect();
    if let Some(top) = counted.iter().map(|&(n, _)| n).max() {
        counted.retain(|&(n, _)| n as f64 >= params.min_share_of_best * top as f64);
    }
    let mut partners: Vec<O> = counted.into_iter().map(|(_, o)| o).collect();
    partners.sort_unstable();
    partners
}

/// The best partners of every searcher, and of every majority document a searcher named (the
/// result is the same as every document searching, at a fraction of the cost in a
/// mostly-English dump); none for the others.
fn best_lists(
    index: &Index<'_>,
    signatures: &Signatures<'_>,
    searcher_signatures: &[Vec<u32>],
) -> BestLists {
    let languages = index.languages;
    let mut best = BestLists::new(languages.len());
    let found: Vec<(usize, Vec<u32>)> = languages
        .searchers
        .par_iter()
        .zip(searcher_signatures)
        .map(|(&x, sig)| (x, best_partners(index, x, sig)))
        .collect();
    let mut named: Vec<usize> = Vec::new();
    for (x, list) in found {
        named.extend(
            list.iter()
                .map(|&o| o as usize)
                .filter(|&o| languages.lang_of[o] == languages.majority),
        );
        best.set(x, list);
    }
    named.sort_unstable();
    named.dedup();
    let answers: Vec<(usize, Vec<u32>)> = named
        .par_iter()
        .map(|&o| (o, best_partners(index, o, &signatures.of(o))))
        .collect();
    for (o, list) in answers {
        best.set(o, list);
    }
    best
}

/// Step 5: a pair is a candidate when each is among the other's best: a translation stands out
/// from both sides, while an English article that merely shares names with a French one is rarely
/// among that French article's best. Pairs as (smaller, larger) document, sorted.
fn mutual_pairs(
    languages: &Languages,
    best: &BestLists,
    ids: &[DocId],
    keep: impl Fn(usize, usize) -> bool,
) -> Vec<(DocId, DocId)> {
    let lists = |x: usize| best.get(x).unwrap_or(&[]);
    let keep = &keep;
    let lang_of = &languages.lang_of;
    let majority = languages.majority;
    let mut pairs: Vec<(DocId, DocId)> = languages
        .searchers
        .iter()
        .flat_map(|&x| {
            lists(x)
                .iter()
                .map(|&o| o as usize)
                .filter(move |&o| {
                    (lang_of[o] == majority || o > x)
                        && keep(x, o)
                        && lists(o).binary_search(&(x as u32)).is_ok()
                })
                .map(move |o| (ids[x].min(ids[o]), ids[x].max(ids[o])))
        })
        .collect();
    pairs.par_sort_unstable();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Draws below `m` (xorshift from `state`): the same every run.
    fn draws(mut state: u64) -> impl FnMut(u64) -> u64 {
        move |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        }
    }

    /// Keyed documents in three languages, none a large majority (so that most documents
    /// search): each draws keys from a skewed vocabulary, and one in four has a translation in
    /// another language sharing most of its keys.
    fn three_languages(n: usize) -> KeyedDocs {
        let mut next = draws(0x9e37_79b9_7f4a_7c15);
        let langs = ["en", "fr", "de", "en", "fr"];
        let mut keyed = KeyedDocs::default();
        let mut last: Vec<u32> = Vec::new();
        for x in 0..n {
            let lang = langs[next(langs.len() as u64) as usize];
            let mut keys: Vec<u32> = if x % 4 == 1 {
                last.iter().copied().filter(|_| next(10) < 8).collect()
            } else {
                (0..30)
                    .map(|_| (next(40) * next(100) + next(3)) as u32)
                    .collect()
            };
            keys.sort_unstable();
            keys.dedup();
            keyed.push(Some((lang, &keys)));
            last = keys;
        }
        keyed
    }

    /// Keys sent to the temporary file part by part, as a run past its memory limit sends them,
    /// give the pairs that held keys give, searched whole or around some documents.
    #[test]
    fn keys_on_disk_give_the_pairs_of_keys_held() {
        let n = 900;
        let held = three_languages(n);
        let mut spilled = KeyedDocs::default();
        let mut buf = Vec::new();
        for x in 0..n {
            spilled.push(held.get(x, &mut buf));
            if x % 97 == 0 {
                spilled.spill(None).expect("a temporary file");
            }
        }
        assert!(spilled.spilled_bytes() > 0 && spilled.memory_bytes() > 0);
        let docs: Vec<DocId> = (0..n as u32).filter(|x| x % 11 != 4).map(DocId).collect();
        let params = TranslationParams::default();
        let whole = translation_candidates(&held, &docs, &params);
        assert!(whole.len() > 50, "{} pairs", whole.len());
        assert_eq!(translation_candidates(&spilled, &docs, &params), whole);
        let wanted: Vec<bool> = (0..n).map(|x| x % 3 == 0).collect();
        let around =
            |k: &KeyedDocs| translation_candidates_around(k, &docs, &params, (Some(&wanted), None));
        assert_eq!(around(&spilled), around(&held));
    }

    /// The partners chosen are those of a sort of every partner found by (weight descending,
    /// partner), cut at `max_candidates` and at the share of the best.
    #[test]
    fn chosen_partners_are_the_first_of_all_sorted() {
        let mut next = draws(0x2545_f491_4f6c_dd1d);
        for case in 0..300 {
            let params = TranslationParams {
                max_candidates: next(12) as usize,
                min_share_of_best: [0.0, 0.5, 0.9][case % 3],
                ..TranslationParams::default()
            };
            // Few distinct weights, so that ties are decided by the partner.
            let hits: Vec<(u32, u32, u32, u8)> = (0..next(60) as u32)
                .map(|o| {
                    (
                        o * 7 % 61,
                        next(5) as u32 * 100,
                        next(6) as u32,
                        next(9) as u8,
                    )
                })
                .collect();
            let signature = next(30) as usize;
            let need = if signature < params.short_signature {
                1
            } else {
                params.min_shared
            };
            let mut all: Vec<(u64, u32)> = hits
                .iter()
                .filter(|h| h.2 as usize >= need)
                .map(|&(o, w, _, len)| {
                    let len = f64::from(len.max(1));
                    ((f64::from(w) * 1024.0 / len.sqrt()) as u64, o)
                })
                .collect();
            all.sort_unstable_by_key(|&(n, o)| (std::cmp::Reverse(n), o));
            all.truncate(params.max_candidates);
            let top = all.first().map_or(0, |a| a.0) as f64;
            let mut expected: Vec<u32> = all
                .iter()
                .filter(|a| a.0 as f64 >= params.min_share_of_best * top)
                .map(|a| a.1)
                .collect();
            expected.sort_unstable();
            let chosen = choose_partners(signature, hits.iter().copied(), &params);
            assert_eq!(chosen, expected, "case {case}");
        }
    }

    /// With the default rules, and with rules where the share of the best (not the number of
    /// candidates) cuts the lists, or where both cut harder: the partial searches that pass over
    /// a searcher ([`list_if_may_hold`]) are then decided by one rule or the other.
    #[test]
    fn searching_around_wanted_documents_finds_the_pairs_of_a_whole_search() {
        let n = 800;
        let keyed = three_languages(n);
        let docs: Vec<DocId> = (0..n as u32).map(DocId).collect();
        let rules = [(12, 0.25), (1000, 0.25), (1000, 0.6), (3, 0.8)];
        for (max_candidates, min_share_of_best) in rules {
            let params = TranslationParams {
                max_candidates,
                min_share_of_best,
                ..TranslationParams::default()
            };
            let all = translation_candidates(&keyed, &docs, &params);
            let majority = Languages::of((0..n).filter_map(|x| keyed.lang(x)));
            let of_majority = |x: usize| majority.lang_of[x] == majority.majority;
            let choices: [&dyn Fn(usize) -> bool; 4] = [
                &|x| x % 17 == 3,
                &|x| x >= n - 40,
                &|x| x % 5 == 0 || x % 7 == 1,
                // Majority documents only: the searchers they name search too.
                &|x| x % 9 == 0 && of_majority(x),
            ];
            for (choice, wanted_if) in choices.iter().enumerate() {
                let wanted: Vec<bool> = (0..n).map(wanted_if).collect();
                let expected: Vec<(DocId, DocId)> = all
                    .iter()
                    .copied()
                    .filter(|&(a, b)| wanted[a.index()] || wanted[b.index()])
                    .collect();
                assert!(!expected.is_empty() && expected.len() < all.len());
                let around =
                    translation_candidates_around(&keyed, &docs, &params, (Some(&wanted), None));
                assert_eq!(
                    around, expected,
                    "rules {max_candidates}, {min_share_of_best}; choice {choice}"
                );
            }
        }
    }

    /// The translation keys of the first documents of `keyed`, as an index's postings hold them.
    struct PostedKeys {
        first: usize,
        /// (key, document), sorted.
        postings: Vec<(u32, DocId)>,
        /// The first document of each part, when the keys are in parts (as an index's batches).
        parts: Option<Vec<u32>>,
    }

    impl PostedKeys {
        fn of(keyed: &KeyedDocs, first: usize) -> PostedKeys {
            let mut buf = Vec::new();
            let mut postings: Vec<(u32, DocId)> = Vec::new();
            for x in 0..first {
                let keys = keyed.keys(x, &mut buf);
                postings.extend(keys.iter().map(|&k| (k, DocId(x as u32))));
            }
            postings.sort_unstable();
            PostedKeys {
                first,
                postings,
                parts: None,
            }
        }

        /// The documents of part p are `parts[p]..parts[p + 1]` (the last to the end).
        fn in_parts(self, parts: Vec<u32>) -> PostedKeys {
            PostedKeys {
                parts: Some(parts),
                ..self
            }
        }

        fn part_of(&self, d: DocId) -> usize {
            let parts = self.parts.as_deref().unwrap_or(&[0]);
            parts.partition_point(|&first| first <= d.0) - 1
        }
    }

    impl StoredKeys for PostedKeys {
        fn documents(&self) -> usize {
            self.first
        }
        fn anchors(
            &self,
            _: &[u32],
            _: &(dyn Fn(DocId) -> bool + Sync),
        ) -> (Vec<(u32, DocId)>, Vec<u32>) {
            (Vec::new(), Vec::new())
        }
        fn count_anchors(&self, anchors: &[u32], _: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
            vec![0; anchors.len()]
        }
        fn anchors_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
            vec![Vec::new(); docs.len()]
        }
        fn bands(&self, _: &[u64]) -> Vec<(u64, DocId)> {
            Vec::new()
        }
        fn failure(&self) -> Option<String> {
            None
        }
        fn translation_keys(&self) -> bool {
            true
        }
        fn count_keys(&self, keys: &[u32], keep: &(dyn Fn(DocId) -> bool + Sync)) -> Vec<u32> {
            let holding = |k: u32| {
                self.postings
                    .iter()
                    .filter(|p| p.0 == k && keep(p.1))
                    .count()
            };
            keys.iter().map(|&k| holding(k) as u32).collect()
        }
        fn keys_of(&self, docs: &[DocId]) -> Vec<Vec<u32>> {
            let of = |d: &DocId| {
                self.postings
                    .iter()
                    .filter(|p| p.1 == *d)
                    .map(|p| p.0)
                    .collect()
            };
            docs.iter().map(of).collect()
        }
        fn key_parts(&self) -> Vec<u64> {
            match &self.parts {
                Some(parts) => (0..parts.len())
                    .map(|p| {
                        self.postings
                            .iter()
                            .filter(|e| self.part_of(e.1) == p)
                            .count() as u64
                    })
                    .collect(),
                None => vec![u64::MAX],
            }
        }
        fn key_postings(
            &self,
            part: usize,
            keys: &[u32],
            keep: &(dyn Fn(DocId) -> bool + Sync),
            found: &mut Vec<(u32, DocId)>,
        ) {
            let kept = self.postings.iter().filter(|(k, d)| {
                keys.binary_search(k).is_ok() && keep(*d) && self.part_of(*d) == part
            });
            found.clear();
            found.extend(kept);
        }
    }

    /// An `add` that looks the indexed documents' keys up (holding none of them) finds the pairs
    /// that holding them finds: with signatures cut short (so that which keys a looked-up
    /// document's signature holds is decided by rank), some documents left out (copies of
    /// others), and the new documents of every language; the keys in one part of unknown size
    /// (looked up by chunks of keys) or in parts (each looked up at once, as daily batches).
    #[test]
    fn keys_looked_up_give_the_pairs_of_keys_held() {
        let n = 900;
        let keyed = three_languages(n);
        let docs: Vec<DocId> = (0..n as u32).filter(|x| x % 13 != 5).map(DocId).collect();
        for (first, signature) in [(800, 8), (600, 30), (899, 4)] {
            let params = TranslationParams {
                signature,
                ..TranslationParams::default()
            };
            let wanted: Vec<bool> = (0..n).map(|x| x >= first).collect();
            let expected =
                translation_candidates_around(&keyed, &docs, &params, (Some(&wanted), None));
            let mut held = KeyedDocs::default();
            let mut buf = Vec::new();
            for x in 0..n {
                match keyed.get(x, &mut buf) {
                    Some((lang, _)) if x < first => held.push(Some((lang, &[]))),
                    other => held.push(other),
                }
            }
            assert!(!expected.is_empty(), "first {first}");
            for parts in [None, Some(vec![0, 1, 250, 251, 500])] {
                let mut stored = PostedKeys::of(&keyed, first);
                if let Some(parts) = parts.clone() {
                    stored = stored.in_parts(parts);
                }
                let found = translation_candidates_around(
                    &held,
                    &docs,
                    &params,
                    (Some(&wanted), Some(&stored)),
                );
                assert_eq!(
                    found, expected,
                    "first {first}, signature {signature}, parts {parts:?}"
                );
            }
        }
    }
}
