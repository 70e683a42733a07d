//! The stage kernels `twinwire.spark` runs inside Spark tasks (see `twinwire::Stages`): each takes
//! and gives flat little-endian buffers that the Python side wraps into Arrow arrays without
//! copying them element by element.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyString};

use twinwire::{
    Evidence, Keep, RelationKind, StageDecision, StageLine, StagePair, StageRelation, Stages,
};

use crate::{a_type, InputError, Options};

/// The stages of one configuration, as the Spark tasks run them.
#[pyclass(name = "Stages", module = "twinwire._twinwire", frozen)]
pub struct PyStages {
    stages: Stages,
}

/// Buffers by name, as `bytes`.
fn buffers<'py>(py: Python<'py>, named: &[(&str, &[u8])]) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    for (name, bytes) in named {
        out.set_item(*name, PyBytes::new(py, bytes))?;
    }
    Ok(out)
}

fn push_offset(offsets: &mut Vec<u8>, end: usize) -> PyResult<()> {
    let end = i32::try_from(end).map_err(|_| {
        PyValueError::new_err("a batch of more than 2 GiB of features: make the batches smaller")
    })?;
    offsets.extend_from_slice(&end.to_le_bytes());
    Ok(())
}

/// `count` little-endian values of `width` bytes from `bytes`, or a clear error.
fn values<const W: usize>(name: &str, bytes: &[u8]) -> PyResult<Vec<[u8; W]>> {
    if !bytes.len().is_multiple_of(W) {
        return Err(PyValueError::new_err(format!(
            "{name}: {} bytes is not a whole number of {W}-byte values",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(W)
        .map(|c| c.try_into().unwrap_or([0; W]))
        .collect())
}

fn offsets(name: &str, bytes: &[u8], items: usize) -> PyResult<Vec<usize>> {
    let raw = values::<4>(name, bytes)?;
    let out: Vec<usize> = raw
        .iter()
        .map(|v| i32::from_le_bytes(*v).max(0) as usize)
        .collect();
    if out.windows(2).any(|w| w[0] > w[1]) || out.last().is_some_and(|&e| e > items) {
        return Err(PyValueError::new_err(format!(
            "{name}: offsets out of order or past the values"
        )));
    }
    Ok(out)
}

/// Lines as column buffers: a, b (i64), relation (u8 code: 0 exact, 1 near_duplicate,
/// 2 containment, 3 translation), score and the copy measures.
#[derive(Default)]
struct Lines {
    a: Vec<u8>,
    b: Vec<u8>,
    relation: Vec<u8>,
    score: Vec<u8>,
    jaccard: Vec<u8>,
    containment: Vec<u8>,
    hamming: Vec<u8>,
    shared: Vec<u8>,
    shingles_a: Vec<u8>,
    shingles_b: Vec<u8>,
    words_a: Vec<u8>,
    words_b: Vec<u8>,
    raw_score: Vec<u8>,
    raw_jaccard: Vec<u8>,
}

impl Lines {
    fn push(&mut self, line: &StageLine) {
        self.a.extend_from_slice(&line.a.to_le_bytes());
        self.b.extend_from_slice(&line.b.to_le_bytes());
        let code = RelationKind::ALL.iter().position(|&k| k == line.relation);
        self.relation.push(code.unwrap_or(0) as u8);
        self.score.extend_from_slice(&line.score.to_le_bytes());
        self.raw_score
            .extend_from_slice(&line.unrounded.0.to_le_bytes());
        self.raw_jaccard
            .extend_from_slice(&line.unrounded.1.to_le_bytes());
        let Evidence::Shingles(e) = &line.evidence else {
            return;
        };
        self.jaccard.extend_from_slice(&e.jaccard.to_le_bytes());
        self.containment
            .extend_from_slice(&e.containment.to_le_bytes());
        self.hamming.extend_from_slice(&e.hamming.to_le_bytes());
        for (column, v) in [
            (&mut self.shared, e.shared_shingles),
            (&mut self.shingles_a, e.shingles_a),
            (&mut self.shingles_b, e.shingles_b),
        ] {
            column.extend_from_slice(&(v as i64).to_le_bytes());
        }
        self.words_a.extend_from_slice(&e.words_a.to_le_bytes());
        self.words_b.extend_from_slice(&e.words_b.to_le_bytes());
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        buffers(
            py,
            &[
                ("a", &self.a),
                ("b", &self.b),
                ("relation", &self.relation),
                ("score", &self.score),
                ("jaccard", &self.jaccard),
                ("containment", &self.containment),
                ("hamming", &self.hamming),
                ("shared_shingles", &self.shared),
                ("shingles_a", &self.shingles_a),
                ("shingles_b", &self.shingles_b),
                ("words_a", &self.words_a),
                ("words_b", &self.words_b),
                ("raw_score", &self.raw_score),
                ("raw_jaccard", &self.raw_jaccard),
            ],
        )
    }
}

/// Blobs of a list of `bytes`.
fn blobs<'py>(name: &str, list: &Bound<'py, PyList>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
    list.iter()
        .enumerate()
        .map(|(i, b)| {
            b.cast_into::<PyBytes>()
                .map_err(|_| PyValueError::new_err(format!("{name}[{i}]: not bytes")))
        })
        .collect()
}

/// A list of str, owned.
fn strings(name: &str, list: &Bound<'_, PyList>) -> PyResult<Vec<String>> {
    list.iter()
        .enumerate()
        .map(|(i, t)| {
            if !t.is_instance_of::<PyString>() {
                return Err(InputError::new_err(format!(
                    "{name}[{i}]: {}; give it as str",
                    a_type(&t).unwrap_or_default()
                )));
            }
            t.extract::<String>().map_err(|_| {
                InputError::new_err(format!(
                    "{name}[{i}]: not valid Unicode (a lone surrogate); decode it with errors=\"replace\""
                ))
            })
        })
        .collect()
}

/// Translation lines as columns: a, b (i64), score and the alignment measures.
#[derive(Default)]
struct TranslationLines {
    a: Vec<u8>,
    b: Vec<u8>,
    score: Vec<u8>,
    lang_a: Vec<String>,
    lang_b: Vec<String>,
    coverage_a: Vec<u8>,
    coverage_b: Vec<u8>,
    aligned: Vec<u8>,
    sentences_a: Vec<u8>,
    sentences_b: Vec<u8>,
    similarity: Vec<u8>,
    raw_score: Vec<u8>,
}

impl TranslationLines {
    fn push(&mut self, line: &StageLine) {
        let Evidence::Alignment(e) = &line.evidence else {
            return;
        };
        self.a.extend_from_slice(&line.a.to_le_bytes());
        self.b.extend_from_slice(&line.b.to_le_bytes());
        self.score.extend_from_slice(&line.score.to_le_bytes());
        self.raw_score
            .extend_from_slice(&line.unrounded.0.to_le_bytes());
        self.lang_a.push(e.lang_a.clone());
        self.lang_b.push(e.lang_b.clone());
        for (column, v) in [
            (&mut self.coverage_a, e.coverage_a),
            (&mut self.coverage_b, e.coverage_b),
            (&mut self.similarity, e.similarity),
        ] {
            column.extend_from_slice(&v.to_le_bytes());
        }
        for (column, v) in [
            (&mut self.aligned, e.aligned),
            (&mut self.sentences_a, e.sentences_a),
            (&mut self.sentences_b, e.sentences_b),
        ] {
            column.extend_from_slice(&(v as i64).to_le_bytes());
        }
    }

    fn into_py(self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        let out = buffers(
            py,
            &[
                ("a", &self.a),
                ("b", &self.b),
                ("score", &self.score),
                ("coverage_a", &self.coverage_a),
                ("coverage_b", &self.coverage_b),
                ("aligned", &self.aligned),
                ("sentences_a", &self.sentences_a),
                ("sentences_b", &self.sentences_b),
                ("similarity", &self.similarity),
                ("raw_score", &self.raw_score),
            ],
        )?;
        out.set_item("lang_a", self.lang_a)?;
        out.set_item("lang_b", self.lang_b)?;
        Ok(out)
    }
}

/// A component batch's relations: a, b, relation codes, scores, Jaccard, offsets.
type RelationBuffers<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a [u8], &'a [u8], &'a [u8]);

/// Dedupe decisions as columns.
#[derive(Default)]
struct Decisions {
    doc: Vec<u8>,
    kept_for: Vec<u8>,
    relation: Vec<u8>,
    score: Vec<u8>,
    representative: Vec<u8>,
    members: Vec<u8>,
    member_offsets: Vec<u8>,
    kept: Vec<u8>,
    kept_offsets: Vec<u8>,
    min_similarity: Vec<u8>,
    translations: Vec<u8>,
    translation_offsets: Vec<u8>,
}

impl Decisions {
    fn push(&mut self, d: &StageDecision) -> PyResult<()> {
        if self.member_offsets.is_empty() {
            for o in [
                &mut self.member_offsets,
                &mut self.kept_offsets,
                &mut self.translation_offsets,
            ] {
                o.extend_from_slice(&0i32.to_le_bytes());
            }
        }
        for &(doc, kept_for, relation, score) in &d.removed {
            self.doc.extend_from_slice(&doc.to_le_bytes());
            self.kept_for.extend_from_slice(&kept_for.to_le_bytes());
            let code = RelationKind::ALL.iter().position(|&k| k == relation);
            self.relation.push(code.unwrap_or(0) as u8);
            self.score.extend_from_slice(&score.to_le_bytes());
        }
        for g in &d.groups {
            self.representative
                .extend_from_slice(&g.representative.to_le_bytes());
            self.members
                .extend(g.members.iter().flat_map(|m| m.to_le_bytes()));
            push_offset(&mut self.member_offsets, self.members.len() / 8)?;
            self.kept
                .extend(g.kept.iter().flat_map(|m| m.to_le_bytes()));
            push_offset(&mut self.kept_offsets, self.kept.len() / 8)?;
            let min = g.min_similarity.unwrap_or(f64::NAN);
            self.min_similarity.extend_from_slice(&min.to_le_bytes());
            for &(a, b) in &g.translations {
                self.translations.extend_from_slice(&a.to_le_bytes());
                self.translations.extend_from_slice(&b.to_le_bytes());
            }
            push_offset(&mut self.translation_offsets, self.translations.len() / 16)?;
        }
        Ok(())
    }

    fn into_py(mut self, py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
        if self.member_offsets.is_empty() {
            for o in [
                &mut self.member_offsets,
                &mut self.kept_offsets,
                &mut self.translation_offsets,
            ] {
                o.extend_from_slice(&0i32.to_le_bytes());
            }
        }
        buffers(
            py,
            &[
                ("doc", &self.doc),
                ("kept_for", &self.kept_for),
                ("relation", &self.relation),
                ("score", &self.score),
                ("representative", &self.representative),
                ("members", &self.members),
                ("member_offsets", &self.member_offsets),
                ("kept", &self.kept),
                ("kept_offsets", &self.kept_offsets),
                ("min_similarity", &self.min_similarity),
                ("translations", &self.translations),
                ("translation_offsets", &self.translation_offsets),
            ],
        )
    }
}

fn rows(name: &str, bytes: &[u8]) -> PyResult<Vec<i64>> {
    Ok(values::<8>(name, bytes)?
        .into_iter()
        .map(i64::from_le_bytes)
        .collect())
}

#[pymethods]
impl PyStages {
    #[new]
    fn new(options: Options) -> PyResult<PyStages> {
        let matcher = options.matcher()?;
        Ok(PyStages {
            stages: Stages::new(matcher),
        })
    }

    /// Whether copy relations are asked for.
    fn wants_copies(&self) -> bool {
        self.stages.wants_copies()
    }

    /// Whether translations are asked for.
    fn wants_translations(&self) -> bool {
        self.stages.wants_translations()
    }

    /// Two documents sharing one MinHash band and no other are candidates only when their
    /// SimHashes differ by at most this many bits.
    fn one_band_hamming(&self) -> u32 {
        self.stages.one_band_hamming()
    }

    /// The most documents an anchor may be held by and still be looked up.
    fn max_anchor_postings(&self) -> usize {
        self.stages.max_anchor_postings()
    }

    /// Keys a translation signature holds at most.
    fn signature_size(&self) -> usize {
        self.stages.signature_size()
    }

    /// The most documents an eligible translation key is in, among `keyed` documents.
    fn max_key_postings(&self, keyed: usize) -> u64 {
        self.stages.max_key_postings(keyed)
    }

    /// Languages and translation keys of `texts` (str) with their given codes (str or None):
    /// `lang` (a list of str or None), `keys` (u32 values, i32 offsets), `keyed` (u8 each).
    fn languages<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
        langs: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let owned = strings("texts", texts)?;
        let given: Vec<Option<String>> = langs
            .iter()
            .map(|l| l.extract::<Option<String>>().unwrap_or(None))
            .collect();
        if given.len() != owned.len() {
            return Err(PyValueError::new_err(
                "languages: texts and langs of different lengths",
            ));
        }
        let stages = &self.stages;
        let found = py.detach(|| {
            owned
                .iter()
                .zip(&given)
                .map(|(t, l)| stages.language(t, l.as_deref()))
                .collect::<Vec<_>>()
        });
        let (mut keys, mut offsets, mut keyed) =
            (Vec::new(), 0i32.to_le_bytes().to_vec(), Vec::new());
        let names = PyList::empty(py);
        for f in &found {
            names.append(f.lang.as_deref())?;
            keyed.push(u8::from(f.keys.is_some()));
            keys.extend(f.keys.iter().flatten().flat_map(|k| k.to_le_bytes()));
            push_offset(&mut offsets, keys.len() / 4)?;
        }
        let out = buffers(
            py,
            &[
                ("keys", &keys),
                ("key_offsets", &offsets),
                ("keyed", &keyed),
            ],
        )?;
        out.set_item("lang", names)?;
        Ok(out)
    }

    /// The weights of keys found in `dfs` (u32 each) of `keyed` documents: u32 each.
    fn key_weights<'py>(
        &self,
        py: Python<'py>,
        keyed: usize,
        dfs: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let out: Vec<u8> = values::<4>("dfs", dfs)?
            .into_iter()
            .flat_map(|v| {
                self.stages
                    .key_weight(keyed, u32::from_le_bytes(v))
                    .to_le_bytes()
            })
            .collect();
        Ok(PyBytes::new(py, &out))
    }

    /// Each document's chosen translation partners: its signature length (u32 each), its
    /// partners (i64), the summed weights and number of the keys shared (u32 each) and the
    /// partners' signature lengths (u32 each), with i32 offsets. Gives `chosen` (i64 values, i32
    /// offsets).
    #[allow(clippy::too_many_arguments)]
    fn choose_partners<'py>(
        &self,
        py: Python<'py>,
        signatures: &[u8],
        partners: &[u8],
        weights: &[u8],
        shared: &[u8],
        lengths: &[u8],
        partner_offsets: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        let sig: Vec<u32> = values::<4>("signatures", signatures)?
            .into_iter()
            .map(u32::from_le_bytes)
            .collect();
        let o = rows("partners", partners)?;
        let u32s = |name: &str, b: &[u8]| -> PyResult<Vec<u32>> {
            Ok(values::<4>(name, b)?
                .into_iter()
                .map(u32::from_le_bytes)
                .collect())
        };
        let (w, n, l) = (
            u32s("weights", weights)?,
            u32s("shared", shared)?,
            u32s("lengths", lengths)?,
        );
        let ends = offsets("partner_offsets", partner_offsets, o.len())?;
        if w.len() != o.len()
            || n.len() != o.len()
            || l.len() != o.len()
            || ends.len() != sig.len() + 1
        {
            return Err(PyValueError::new_err(
                "choose_partners: columns of different lengths",
            ));
        }
        let (mut chosen, mut chosen_offsets) = (Vec::new(), 0i32.to_le_bytes().to_vec());
        let mut hits = Vec::new();
        for (i, &s) in sig.iter().enumerate() {
            hits.clear();
            hits.extend((ends[i]..ends[i + 1]).map(|k| (o[k], w[k], n[k], l[k].min(255) as u8)));
            for p in self.stages.choose_partners(s as usize, &hits) {
                chosen.extend_from_slice(&p.to_le_bytes());
            }
            push_offset(&mut chosen_offsets, chosen.len() / 8)?;
        }
        buffers(
            py,
            &[("chosen", &chosen), ("chosen_offsets", &chosen_offsets)],
        )
    }

    /// The translation lines of candidate pairs: for pair k, each side's text, language and blob
    /// (lists) and copies' places (i64 values, i32 offsets).
    #[allow(clippy::too_many_arguments)]
    fn translations<'py>(
        &self,
        py: Python<'py>,
        first: (Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>),
        second: (Bound<'py, PyList>, Bound<'py, PyList>, Bound<'py, PyList>),
        first_copies: &[u8],
        first_offsets: &[u8],
        second_copies: &[u8],
        second_offsets: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        let (t1, l1, b1) = (
            strings("first texts", &first.0)?,
            strings("first langs", &first.1)?,
            blobs("first blobs", &first.2)?,
        );
        let (t2, l2, b2) = (
            strings("second texts", &second.0)?,
            strings("second langs", &second.1)?,
            blobs("second blobs", &second.2)?,
        );
        let c1 = rows("first_copies", first_copies)?;
        let c2 = rows("second_copies", second_copies)?;
        let e1 = offsets("first_offsets", first_offsets, c1.len())?;
        let e2 = offsets("second_offsets", second_offsets, c2.len())?;
        let n = t1.len();
        if [l1.len(), b1.len(), t2.len(), l2.len(), b2.len()]
            .iter()
            .any(|&m| m != n)
            || e1.len() != n + 1
            || e2.len() != n + 1
        {
            return Err(PyValueError::new_err(
                "translations: columns of different lengths",
            ));
        }
        let mut lines = TranslationLines::default();
        for k in 0..n {
            let found = self
                .stages
                .translation(
                    (&t1[k], &l1[k], b1[k].as_bytes()),
                    (&t2[k], &l2[k], b2[k].as_bytes()),
                )
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            if let Some(pair) = found {
                for &x in &c1[e1[k]..e1[k + 1]] {
                    for &y in &c2[e2[k]..e2[k + 1]] {
                        lines.push(&pair.between(x, y));
                    }
                }
            }
        }
        lines.into_py(py)
    }

    /// Dedupe, component by component. Documents: places (i64) and words (u32), i32 offsets per
    /// component; relations: a, b (i64), relation (u8 code), score and jaccard (f64, not
    /// rounded), i32 offsets per component. Gives `removed` (doc, kept_for: i64; relation: u8;
    /// score: f64) and the groups: representative (i64), members, kept (i64 values, i32 offsets),
    /// min_similarity (f64, NaN for none), translations (i64 pairs, i32 offsets in pairs).
    #[allow(clippy::too_many_arguments)]
    fn settle<'py>(
        &self,
        py: Python<'py>,
        keep: &str,
        docs: (&[u8], &[u8], &[u8]),
        relations: RelationBuffers<'_>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let keep = Keep::parse(keep).ok_or_else(|| {
            PyValueError::new_err(format!("keep: \"{keep}\" is not one of longest, first"))
        })?;
        let places = rows("doc places", docs.0)?;
        let words: Vec<u32> = values::<4>("doc words", docs.1)?
            .into_iter()
            .map(u32::from_le_bytes)
            .collect();
        let doc_ends = offsets("doc offsets", docs.2, places.len())?;
        let (ra, rb) = (rows("a", relations.0)?, rows("b", relations.1)?);
        let kinds = relations.2;
        let f64s = |name: &str, b: &[u8]| -> PyResult<Vec<f64>> {
            Ok(values::<8>(name, b)?
                .into_iter()
                .map(f64::from_le_bytes)
                .collect())
        };
        let (score, jaccard) = (f64s("score", relations.3)?, f64s("jaccard", relations.4)?);
        let rel_ends = offsets("relation offsets", relations.5, ra.len())?;
        let n = ra.len();
        if words.len() != places.len()
            || [rb.len(), kinds.len(), score.len(), jaccard.len()]
                .iter()
                .any(|&m| m != n)
            || rel_ends.len() != doc_ends.len()
        {
            return Err(PyValueError::new_err(
                "settle: columns of different lengths",
            ));
        }
        let mut out = Decisions::default();
        for c in 0..doc_ends.len().saturating_sub(1) {
            let docs: Vec<(i64, u32)> = (doc_ends[c]..doc_ends[c + 1])
                .map(|k| (places[k], words[k]))
                .collect();
            let mut rels = Vec::new();
            for k in rel_ends[c]..rel_ends[c + 1] {
                let relation = *RelationKind::ALL.get(kinds[k] as usize).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "relation code {} is not one of 0 to 3",
                        kinds[k]
                    ))
                })?;
                rels.push(StageRelation {
                    a: ra[k],
                    b: rb[k],
                    relation,
                    score: score[k],
                    jaccard: jaccard[k],
                });
            }
            let decision = self
                .stages
                .settle(&docs, &rels, keep)
                .map_err(crate::to_py)?;
            out.push(&decision)?;
        }
        out.into_py(py)
    }

    /// Whether containment is asked for.
    fn wants_containment(&self) -> bool {
        self.stages.wants_containment()
    }

    /// The features of `texts` (a list of str): words and shingles (u32 each), exact (16 bytes
    /// each), bands and anchors (u32 values with i32 offsets), blobs (bytes with i32 offsets).
    fn features<'py>(
        &self,
        py: Python<'py>,
        texts: &Bound<'py, PyList>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut owned = Vec::with_capacity(texts.len());
        for (i, t) in texts.iter().enumerate() {
            let s = t.cast::<PyString>().map_err(|_| {
                InputError::new_err(format!(
                    "texts[{i}]: {}; give the texts as str",
                    a_type(&t).unwrap_or_default()
                ))
            })?;
            owned.push(s.extract::<String>().map_err(|_| {
                InputError::new_err(format!(
                    "texts[{i}]: not valid Unicode (a lone surrogate); decode it with errors=\"replace\""
                ))
            })?);
        }
        let stages = &self.stages;
        let docs = py.detach(|| owned.iter().map(|t| stages.features(t)).collect::<Vec<_>>());
        let (mut words, mut shingles, mut exact) = (Vec::new(), Vec::new(), Vec::new());
        let mut simhash = Vec::new();
        let (mut bands, mut band_offsets) = (Vec::new(), 0i32.to_le_bytes().to_vec());
        let (mut anchors, mut anchor_offsets) = (Vec::new(), 0i32.to_le_bytes().to_vec());
        let (mut blob, mut blob_offsets) = (Vec::new(), 0i32.to_le_bytes().to_vec());
        for d in &docs {
            words.extend_from_slice(&d.words.to_le_bytes());
            shingles.extend_from_slice(&(d.shingles as u32).to_le_bytes());
            exact.extend_from_slice(&d.exact.to_le_bytes());
            simhash.extend_from_slice(&d.simhash.to_le_bytes());
            bands.extend(d.bands.iter().flat_map(|k| k.to_le_bytes()));
            push_offset(&mut band_offsets, bands.len() / 4)?;
            anchors.extend(d.anchors.iter().flat_map(|k| k.to_le_bytes()));
            push_offset(&mut anchor_offsets, anchors.len() / 4)?;
            blob.extend_from_slice(&d.blob);
            push_offset(&mut blob_offsets, blob.len())?;
        }
        buffers(
            py,
            &[
                ("words", &words),
                ("shingles", &shingles),
                ("exact", &exact),
                ("simhash", &simhash),
                ("bands", &bands),
                ("band_offsets", &band_offsets),
                ("anchors", &anchors),
                ("anchor_offsets", &anchor_offsets),
                ("blob", &blob),
                ("blob_offsets", &blob_offsets),
            ],
        )
    }

    /// The containment search plans of documents: `words` (u32 each), the postings count of each
    /// of their anchors (u32 values, i32 offsets). Gives `skipped` (u8 per anchor, 1 when not
    /// looked up), `needed` and `verified` (i32 per document; -1 for a document too short).
    fn probe_plans<'py>(
        &self,
        py: Python<'py>,
        words: &[u8],
        postings: &[u8],
        posting_offsets: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        let words: Vec<u32> = values::<4>("words", words)?
            .into_iter()
            .map(u32::from_le_bytes)
            .collect();
        let counts: Vec<usize> = values::<4>("postings", postings)?
            .into_iter()
            .map(|v| u32::from_le_bytes(v) as usize)
            .collect();
        let ends = offsets("posting_offsets", posting_offsets, counts.len())?;
        if ends.len() != words.len() + 1 {
            return Err(PyValueError::new_err(
                "posting_offsets: one more than the documents",
            ));
        }
        let mut skipped = vec![0u8; counts.len()];
        let (mut needed, mut verified) = (Vec::new(), Vec::new());
        for (i, &w) in words.iter().enumerate() {
            let (from, to) = (ends[i], ends[i + 1]);
            match self.stages.probe_plan(w, &counts[from..to]) {
                Some(plan) => {
                    for &k in &plan.order[..plan.skipped] {
                        skipped[from + k] = 1;
                    }
                    needed.extend_from_slice(&(plan.needed_in_probed as i32).to_le_bytes());
                    verified.extend_from_slice(&(plan.verified as i32).to_le_bytes());
                }
                None => {
                    needed.extend_from_slice(&(-1i32).to_le_bytes());
                    verified.extend_from_slice(&(-1i32).to_le_bytes());
                }
            }
        }
        buffers(
            py,
            &[
                ("skipped", &skipped),
                ("needed", &needed),
                ("verified", &verified),
            ],
        )
    }

    /// The lines of candidate pairs of representatives: pair k is `first[k]` (earlier in input
    /// order) and `second[k]`, blobs; their copies' places (i64 values, i32 offsets). Each related
    /// pair gives a line for every copy of one with every copy of the other.
    #[allow(clippy::too_many_arguments)]
    fn relate<'py>(
        &self,
        py: Python<'py>,
        first: &Bound<'py, PyList>,
        second: &Bound<'py, PyList>,
        first_copies: &[u8],
        first_offsets: &[u8],
        second_copies: &[u8],
        second_offsets: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        let (first, second) = (blobs("first", first)?, blobs("second", second)?);
        let c1 = rows("first_copies", first_copies)?;
        let c2 = rows("second_copies", second_copies)?;
        let e1 = offsets("first_offsets", first_offsets, c1.len())?;
        let e2 = offsets("second_offsets", second_offsets, c2.len())?;
        if second.len() != first.len() || e1.len() != first.len() + 1 || e2.len() != e1.len() {
            return Err(PyValueError::new_err(
                "relate: columns of different lengths",
            ));
        }
        let mut lines = Lines::default();
        for k in 0..first.len() {
            let found = self
                .stages
                .relate(first[k].as_bytes(), second[k].as_bytes())
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            if let Some(pair) = found {
                expand(
                    &pair,
                    &c1[e1[k]..e1[k + 1]],
                    &c2[e2[k]..e2[k + 1]],
                    &mut lines,
                );
            }
        }
        lines.into_py(py)
    }

    /// The lines between the exact copies of each representative: `blobs`, their copies' places
    /// (i64 values, i32 offsets, in input order).
    fn mates<'py>(
        &self,
        py: Python<'py>,
        blobs_list: &Bound<'py, PyList>,
        copies: &[u8],
        copy_offsets: &[u8],
    ) -> PyResult<Bound<'py, PyDict>> {
        let all = blobs("blobs", blobs_list)?;
        let c = rows("copies", copies)?;
        let e = offsets("copy_offsets", copy_offsets, c.len())?;
        if e.len() != all.len() + 1 {
            return Err(PyValueError::new_err("mates: columns of different lengths"));
        }
        let mut lines = Lines::default();
        for (k, blob) in all.iter().enumerate() {
            let found = self
                .stages
                .mate(blob.as_bytes())
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            let Some(pair) = found else { continue };
            let group = &c[e[k]..e[k + 1]];
            for (i, &x) in group.iter().enumerate() {
                for &y in &group[i + 1..] {
                    lines.push(&pair.between(x, y));
                }
            }
        }
        lines.into_py(py)
    }
}

fn expand(pair: &StagePair, first: &[i64], second: &[i64], lines: &mut Lines) {
    for &x in first {
        for &y in second {
            lines.push(&pair.between(x, y));
        }
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStages>()
}
