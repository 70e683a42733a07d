//! The native half of the `twinwire` Python package (`twinwire._twinwire`). The Python half
//! (`twinwire/__init__.py`) gives the functions their signatures, defaults and docstrings; this
//! converts documents, runs the Rust library with the GIL released, and converts the answers.
//!
//! Nothing here panics on what Python hands it: every bad value is a `ValueError` or a
//! `twinwire.InputError` naming the document and what to do.

use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyInt, PyList, PyString, PyTuple};
use pythonize::pythonize;

mod stages;

use twinwire::{read, Config, Document, Error, Keep, Matcher, ReadOptions, RelationKind};

create_exception!(
    twinwire,
    InputError,
    PyValueError,
    "Input twinwire cannot use: a missing path, a bad record under strict=True, duplicate ids, \
     nothing read. The message names the file and line (or the document) and what to do."
);

/// A library error as the Python exception a user expects.
fn to_py(e: Error) -> PyErr {
    match e {
        Error::Config { .. } => PyValueError::new_err(e.to_string()),
        Error::Write { .. } => PyOSError::new_err(e.to_string()),
        _ => InputError::new_err(e.to_string()),
    }
}

/// The matching options every function takes (the Python side fills in the defaults and makes
/// them floats, ints, lists).
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct Options {
    threshold: f64,
    containment: f64,
    relations: Option<Vec<String>>,
    shingle_size: i64,
    threads: Option<i64>,
    lexicons: Option<Vec<(String, String)>>,
}

/// A count the library takes as `usize`: a negative one is out of range, said in its words.
fn count(name: &'static str, value: i64) -> PyResult<usize> {
    usize::try_from(value).map_err(|_| {
        to_py(Error::Config {
            parameter: name,
            problem: format!("must be positive, got {value}"),
        })
    })
}

impl Options {
    fn matcher(&self) -> PyResult<Matcher> {
        let mut config = Config::default()
            .with_threshold(self.threshold)
            .with_containment(self.containment)
            .with_shingle_size(count("shingle_size", self.shingle_size)?);
        if let Some(names) = &self.relations {
            let mut kinds = Vec::new();
            for name in names {
                let kind = RelationKind::parse(name).ok_or_else(|| {
                    PyValueError::new_err(format!(
                        "relations: unknown relation \"{name}\"; use exact, near_duplicate, \
                         containment, translation"
                    ))
                })?;
                kinds.push(kind);
            }
            config = config.with_relations(kinds);
        }
        let mut matcher = Matcher::new(config).map_err(to_py)?;
        for (lang, path) in self.lexicons.iter().flatten() {
            matcher = matcher.with_lexicon_file(lang, path).map_err(to_py)?;
        }
        if let Some(n) = self.threads {
            matcher = matcher.with_threads(count("threads", n)?).map_err(to_py)?;
        }
        Ok(matcher)
    }
}

/// Reads `docs`: an iterable of `(id, text)` or `(id, text, lang)` tuples, or of dicts with
/// `id`, `text` and an optional `lang`. Ids may be str or int (an int becomes its decimal text).
fn documents(docs: &Bound<'_, PyAny>) -> PyResult<Vec<Document>> {
    let mut out = Vec::new();
    let iter = docs.try_iter().map_err(|_| {
        PyTypeError::new_err("docs must be an iterable of (id, text) tuples or of dicts")
    })?;
    for (i, item) in iter.enumerate() {
        out.push(document(&format!("docs[{i}]"), &item?)?);
    }
    Ok(out)
}

fn document(at: &str, item: &Bound<'_, PyAny>) -> PyResult<Document> {
    let (id, text, lang) = if let Ok(d) = item.cast::<PyDict>() {
        (d.get_item("id")?, d.get_item("text")?, d.get_item("lang")?)
    } else if let Ok(t) = item.cast::<PyTuple>() {
        if !(2..=3).contains(&t.len()) {
            return Err(InputError::new_err(format!(
                "{at}: a tuple of {} items; give (id, text) or (id, text, lang)",
                t.len()
            )));
        }
        (
            Some(t.get_item(0)?),
            Some(t.get_item(1)?),
            t.get_item(2).ok(),
        )
    } else {
        return Err(InputError::new_err(format!(
            "{at}: {}; give an (id, text) tuple or a dict with \"id\" and \"text\"",
            a_type(item)?
        )));
    };
    let id = match id {
        Some(v) => id_text(at, &v)?,
        None => {
            return Err(InputError::new_err(format!(
                "{at}: no \"id\"; give every document an id"
            )))
        }
    };
    let text = match text {
        Some(v) if v.is_instance_of::<PyString>() => v.extract::<String>().map_err(|_| {
            InputError::new_err(format!(
                "{at} (id \"{id}\"): the text is not valid Unicode (a lone surrogate); \
                 decode it with errors=\"replace\""
            ))
        })?,
        Some(v) if v.is_none() => String::new(),
        Some(v) => {
            return Err(InputError::new_err(format!(
                "{at} (id \"{id}\"): the text is {}; give a str",
                a_type(&v)?
            )));
        }
        None => {
            return Err(InputError::new_err(format!(
                "{at} (id \"{id}\"): no \"text\"; give every document a text"
            )))
        }
    };
    let lang = match lang {
        Some(v) if v.is_none() => None,
        Some(v) => Some(v.extract::<String>().map_err(|_| {
            InputError::new_err(format!(
                "{at} (id \"{id}\"): the language is not a str; give a code such as \"fr\" or None"
            ))
        })?),
        None => None,
    };
    Ok(Document { id, text, lang })
}

fn id_text(at: &str, v: &Bound<'_, PyAny>) -> PyResult<String> {
    if v.is_instance_of::<PyString>() {
        return v.extract::<String>().map_err(|_| {
            InputError::new_err(format!(
                "{at}: the id is not valid Unicode (a lone surrogate); give a str that is"
            ))
        });
    }
    if v.is_instance_of::<PyInt>() && !v.is_instance_of::<PyBool>() {
        return Ok(v.str()?.to_string());
    }
    Err(InputError::new_err(format!(
        "{at}: the id is {}; give a str or an int",
        a_type(v)?
    )))
}

/// "a float", "an int", "a NoneType": the type of `v` for a message.
fn a_type(v: &Bound<'_, PyAny>) -> PyResult<String> {
    let name = v.get_type().name()?.to_string();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Ok(format!("{article} {name}"))
}

/// Every related pair, as the command line's JSONL lines (dicts).
#[pyfunction]
fn pairs<'py>(
    py: Python<'py>,
    docs: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Bound<'py, PyAny>> {
    let matcher = options.matcher()?;
    let docs = documents(docs)?;
    let found = py.detach(|| matcher.pairs(&docs)).map_err(to_py)?;
    Ok(pythonize(py, &found)?)
}

/// The dedupe: a dict with `kept`, `removed`, `clusters`.
#[pyfunction]
fn dedupe<'py>(
    py: Python<'py>,
    docs: &Bound<'py, PyAny>,
    keep: &str,
    options: Options,
) -> PyResult<Bound<'py, PyAny>> {
    let keep = Keep::parse(keep).ok_or_else(|| {
        PyValueError::new_err(format!(
            "keep: \"{keep}\" is not a policy; use longest, first or core"
        ))
    })?;
    let matcher = options.matcher()?;
    let docs = documents(docs)?;
    let result = py.detach(|| matcher.dedupe(&docs, keep)).map_err(to_py)?;
    Ok(pythonize(py, &result)?)
}

/// The explanation of one pair, among `docs` when given (else the two alone).
#[pyfunction]
fn explain<'py>(
    py: Python<'py>,
    doc_a: &Bound<'py, PyAny>,
    doc_b: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Bound<'py, PyAny>> {
    let matcher = options.matcher()?;
    let (a, b) = (document("doc_a", doc_a)?, document("doc_b", doc_b)?);
    let explanation = py.detach(|| matcher.explain(&a, &b)).map_err(to_py)?;
    Ok(pythonize(py, &explanation)?)
}

/// The explanation of documents `id_a` and `id_b` among `docs` (as `twinwire explain` gives it).
#[pyfunction]
fn explain_among<'py>(
    py: Python<'py>,
    id_a: &str,
    id_b: &str,
    docs: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Bound<'py, PyAny>> {
    let matcher = options.matcher()?;
    let docs = documents(docs)?;
    let explanation = py
        .detach(|| matcher.explain_in(&docs, id_a, id_b))
        .map_err(to_py)?;
    Ok(pythonize(py, &explanation)?)
}

/// The signatures of `texts`, as raw little-endian buffers the Python side wraps in arrays:
/// `words` (u32), `exact` (16 bytes each), `simhash` (u64), `bands` (u32, `bands` per document,
/// zeros for a document without words), `shingle_offsets` (i64, n + 1) and `shingles` (u32).
#[pyfunction]
fn fingerprint<'py>(
    py: Python<'py>,
    texts: &Bound<'py, PyAny>,
    options: Options,
) -> PyResult<Bound<'py, PyDict>> {
    let matcher = options.matcher()?;
    let mut owned: Vec<String> = Vec::new();
    for (i, t) in texts.try_iter()?.enumerate() {
        let t = t?;
        if !t.is_instance_of::<PyString>() {
            return Err(InputError::new_err(format!(
                "texts[{i}]: {}; give the texts as str",
                a_type(&t)?
            )));
        }
        owned.push(t.extract::<String>().map_err(|_| {
            InputError::new_err(format!(
                "texts[{i}]: not valid Unicode (a lone surrogate); decode it with errors=\"replace\""
            ))
        })?);
    }
    let (bands, _) = matcher.config().minhash_shape();
    let buffers = py.detach(|| {
        let signatures = matcher.fingerprint(&owned);
        let mut b = Buffers::default();
        b.shingle_offsets.extend_from_slice(&0i64.to_le_bytes());
        let mut total: i64 = 0;
        for s in &signatures {
            b.words.extend_from_slice(&s.words.to_le_bytes());
            b.exact.extend_from_slice(&s.exact.to_le_bytes());
            b.simhash.extend_from_slice(&s.simhash.to_le_bytes());
            for k in 0..bands {
                let key = s.bands.get(k).copied().unwrap_or(0);
                b.bands.extend_from_slice(&key.to_le_bytes());
            }
            for sh in &s.shingles {
                b.shingles.extend_from_slice(&sh.to_le_bytes());
            }
            total += s.shingles.len() as i64;
            b.shingle_offsets.extend_from_slice(&total.to_le_bytes());
        }
        b
    });
    let out = PyDict::new(py);
    out.set_item("n", owned.len())?;
    out.set_item("bands_per_document", bands)?;
    for (name, bytes) in [
        ("words", &buffers.words),
        ("exact", &buffers.exact),
        ("simhash", &buffers.simhash),
        ("bands", &buffers.bands),
        ("shingle_offsets", &buffers.shingle_offsets),
        ("shingles", &buffers.shingles),
    ] {
        out.set_item(name, PyBytes::new(py, bytes))?;
    }
    Ok(out)
}

#[derive(Default)]
struct Buffers {
    words: Vec<u8>,
    exact: Vec<u8>,
    simhash: Vec<u8>,
    bands: Vec<u8>,
    shingle_offsets: Vec<u8>,
    shingles: Vec<u8>,
}

/// The read options the Python side passes.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct PyReadOptions {
    id_field: String,
    text_field: String,
    title_field: String,
    lang_field: String,
    strict: bool,
    max_doc_bytes: i64,
    format: Option<String>,
    strip_html: String,
    allow_empty: bool,
}

/// Reads files as the command line does: (documents as dicts, warnings as dicts).
#[pyfunction(name = "read")]
fn read_paths<'py>(
    py: Python<'py>,
    paths: Vec<String>,
    options: PyReadOptions,
) -> PyResult<(Bound<'py, PyList>, Bound<'py, PyAny>)> {
    let options = ReadOptions {
        id_field: options.id_field,
        text_field: options.text_field,
        title_field: options.title_field,
        lang_field: options.lang_field,
        strict: options.strict,
        max_doc_bytes: count("max_doc_bytes", options.max_doc_bytes)?,
        format: options.format,
        strip_html: options.strip_html,
        allow_empty: options.allow_empty,
    };
    let found = py.detach(|| read(&paths, &options)).map_err(to_py)?;
    let docs = PyList::empty(py);
    for d in &found.documents {
        let item = PyDict::new(py);
        item.set_item("id", &d.id)?;
        item.set_item("text", &d.text)?;
        item.set_item("lang", &d.lang)?;
        docs.append(item)?;
    }
    Ok((docs, pythonize(py, &found.warnings)?))
}

/// The library's defaults, for the Python signatures (one source of every default).
#[pyfunction]
fn defaults(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let config = Config::default();
    let read = ReadOptions::default();
    let d = PyDict::new(py);
    d.set_item("threshold", config.threshold())?;
    d.set_item("containment", config.containment())?;
    d.set_item("shingle_size", config.shingle_size())?;
    d.set_item("id_field", read.id_field)?;
    d.set_item("text_field", read.text_field)?;
    d.set_item("title_field", read.title_field)?;
    d.set_item("lang_field", read.lang_field)?;
    d.set_item("max_doc_bytes", read.max_doc_bytes)?;
    d.set_item("strip_html", read.strip_html)?;
    Ok(d)
}

#[pymodule]
fn _twinwire(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("InputError", m.py().get_type::<InputError>())?;
    m.add_function(wrap_pyfunction!(pairs, m)?)?;
    m.add_function(wrap_pyfunction!(dedupe, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(explain_among, m)?)?;
    m.add_function(wrap_pyfunction!(fingerprint, m)?)?;
    m.add_function(wrap_pyfunction!(read_paths, m)?)?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    stages::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
