"""Find the twins in a pile of news articles: exact and near-duplicate copies, articles quoted
inside other articles, and the French and English versions of the same report.

The functions take documents as an iterable of ``(id, text)`` or ``(id, text, lang)`` tuples, or
of dicts with ``id``, ``text`` and an optional ``lang``. They run twinwire's Rust core with the GIL
released, on every core (or ``threads``), and give the answers the command line gives:
``pairs`` the lines of ``twinwire pairs``, ``dedupe`` what ``twinwire dedupe`` keeps and removes,
``explain`` what ``twinwire explain`` shows.

>>> import twinwire
>>> story = ("The army said on Tuesday that gunmen attacked a police school in Bamako at dawn, "
...          "killing several recruits before troops regained control of the area.")
>>> found = twinwire.pairs([("afp", story), ("copy", story + " Read more on our site.")])
>>> [(p["a"], p["b"], p["relation"]) for p in found]
[('afp', 'copy', 'near_duplicate')]
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _twinwire
from ._twinwire import InputError

__all__ = [
    "InputError",
    "Dedupe",
    "pairs",
    "dedupe",
    "explain",
    "fingerprint",
    "read",
    "__version__",
]

__version__: str = _twinwire.__version__

_DEFAULTS: Dict[str, Any] = _twinwire.defaults()

Doc = Union[Sequence[Any], Mapping[str, Any]]


def _documents(docs: Any) -> Iterable[Any]:
    """Tables as rows: a pyarrow Table or RecordBatch, or a pandas DataFrame, with columns ``id``,
    ``text`` and optionally ``lang``, become ``(id, text, lang)`` tuples; anything else is
    passed as is (an iterable of tuples or dicts)."""
    columns = getattr(docs, "column_names", None)  # pyarrow Table / RecordBatch
    if columns is None and hasattr(docs, "itertuples") and hasattr(docs, "columns"):
        columns = [str(c) for c in docs.columns]  # pandas DataFrame
        get = docs.__getitem__
    elif columns is not None:

        def get(name: str) -> Any:
            return docs.column(name)

    else:
        return docs
    for needed in ("id", "text"):
        if needed not in columns:
            raise InputError(
                f'the table has no "{needed}" column (it has: {", ".join(map(str, columns))}); '
                "rename the columns holding the ids and the texts to id and text"
            )
    ids, texts = _column(get("id")), _column(get("text"))
    langs = _column(get("lang")) if "lang" in columns else [None] * len(ids)
    return zip(ids, texts, langs)


def _column(column: Any) -> List[Any]:
    to_pylist = getattr(column, "to_pylist", None)
    if to_pylist is not None:
        return to_pylist()
    return column.tolist()


def _options(
    threshold: float,
    containment: float,
    relations: Optional[Iterable[str]],
    shingle_size: int,
    threads: Optional[int],
    lexicons: Optional[Mapping[str, str]],
) -> Dict[str, Any]:
    if isinstance(relations, str):
        relations = [r for r in relations.split(",") if r.strip()]
    return {
        "threshold": float(threshold),
        "containment": float(containment),
        "relations": None if relations is None else [str(r).strip() for r in relations],
        "shingle_size": int(shingle_size),
        "threads": None if threads is None else int(threads),
        "lexicons": None if lexicons is None else [(str(k), str(v)) for k, v in lexicons.items()],
    }


def pairs(
    docs: Iterable[Doc],
    *,
    threshold: float = _DEFAULTS["threshold"],
    containment: float = _DEFAULTS["containment"],
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = _DEFAULTS["shingle_size"],
    threads: Optional[int] = None,
    lexicons: Optional[Mapping[str, str]] = None,
) -> List[Dict[str, Any]]:
    """Every related pair of ``docs``, as the lines of ``twinwire pairs`` (one dict each).

    Each dict has ``a``, ``b``, ``relation`` (``exact``, ``near_duplicate``, ``containment``,
    ``translation``), ``score``, and the measures behind it: ``jaccard``, ``containment``,
    ``hamming``, ``shared_shingles``, ``shingles_a``/``_b``, ``words_a``/``_b`` for copies;
    ``lang_a``/``_b``, ``coverage_a``/``_b``, ``aligned``, ``sentences_a``/``_b``, ``similarity``
    for translations. Scores are rounded to 4 decimals. Pairs come in the order of their first
    document; for a containment, ``a`` contains ``b``.

    docs: ``(id, text)`` or ``(id, text, lang)`` tuples, or dicts with ``id``, ``text`` and an
        optional ``lang`` (``fr``, ``en``, ``fr-FR``, ``fra``...; detected when absent), or a
        pyarrow Table / RecordBatch or pandas DataFrame with those columns. Ids must be unique
        (str, or int taken as its decimal text).
    threshold: Jaccard resemblance of word-shingle sets for a near-duplicate, in (0, 1].
    containment: share of the shorter document's shingles found in the longer, in (0, 1].
    relations: the relations to report (default: all four), a list or a comma-separated str.
    shingle_size: words per shingle, 1 to 16.
    threads: worker threads (default: every core). Answers do not depend on it.
    lexicons: ``{"de": "de-en.tsv"}``: bilingual lexicons to English for translations from
        more languages (the bundled French one is replaced by a ``"fr"`` entry).

    Raises ``InputError`` (a ``ValueError``) for documents it cannot use, naming them, and
    ``ValueError`` for a parameter out of range.
    """
    options = _options(threshold, containment, relations, shingle_size, threads, lexicons)
    return _twinwire.pairs(_documents(docs), options)


@dataclass
class Dedupe:
    """What ``dedupe`` decided.

    kept: the ids kept, in input order (one per cluster, and every document in none).
    removed: every document removed, in input order, as a dict with ``id``, ``duplicate_of``
        (the document kept in its place), ``relation`` and ``score``.
    clusters: the lines of ``twinwire dedupe --clusters``: dicts with ``cluster``,
        ``representative``, ``members``, ``min_similarity``, ``kept`` and ``translations``.
    """

    kept: List[str] = field(default_factory=list)
    removed: List[Dict[str, Any]] = field(default_factory=list)
    clusters: List[Dict[str, Any]] = field(default_factory=list)


def dedupe(
    docs: Iterable[Doc],
    *,
    keep: str = "longest",
    threshold: float = _DEFAULTS["threshold"],
    containment: float = _DEFAULTS["containment"],
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = _DEFAULTS["shingle_size"],
    threads: Optional[int] = None,
    lexicons: Optional[Mapping[str, str]] = None,
) -> Dedupe:
    """The documents without their duplicates, as ``twinwire dedupe`` decides.

    A document is removed only when it is related to the document kept in its place (no
    chaining), and an article is never removed for an excerpt it quotes. Translations are both
    kept (they join clusters). ``keep``: ``longest`` (most words), ``first`` (input order) or
    ``core`` (the copy best covered by the others: no foreign header or comments; the command
    line's default). The other parameters are those of :func:`pairs`.
    """
    options = _options(threshold, containment, relations, shingle_size, threads, lexicons)
    result = _twinwire.dedupe(_documents(docs), keep, options)
    return Dedupe(kept=result["kept"], removed=result["removed"], clusters=result["clusters"])


def explain(
    doc_a: Doc,
    doc_b: Doc,
    *,
    threshold: float = _DEFAULTS["threshold"],
    containment: float = _DEFAULTS["containment"],
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = _DEFAULTS["shingle_size"],
    lexicons: Optional[Mapping[str, str]] = None,
    among: Any = None,
) -> Dict[str, Any]:
    """Why two documents are (or are not) related: what ``twinwire explain`` shows, as a dict.

    Alone, the two are looked at on their own. With ``among`` (the documents of a run, in any
    form :func:`pairs` takes), ``doc_a`` and ``doc_b`` may be ids, and the pair is explained as
    ``twinwire explain ID_A ID_B INPUT`` would: among the others, which decide for instance which
    words are rare enough for the translation candidate index to propose the pair.

    Keys: ``a`` and ``b`` (id, words, shingles, origin, lang), ``copy`` (the copy relation
    found, or None: relation, score, a, b), ``measures`` (jaccard, a_in_b, b_in_a, shared
    shingles, hamming, bands and anchors shared, each threshold), ``translation`` (for two
    languages translations are looked for in: the sentence alignment, its coverage and
    similarity next to what they need, whether the candidate index proposes the pair, the aligned
    groups), ``passages`` (runs of b's words found in a, longest first).
    """
    options = _options(threshold, containment, relations, shingle_size, None, lexicons)
    if among is None:
        return _twinwire.explain(doc_a, doc_b, options)
    return _twinwire.explain_among(_id_of(doc_a), _id_of(doc_b), _documents(among), options)


def _id_of(doc: Any) -> str:
    """An id given as such (str or int), or the id of a document (tuple or dict)."""
    if isinstance(doc, Mapping):
        doc = doc.get("id")
    elif isinstance(doc, (tuple, list)) and doc:
        doc = doc[0]
    if isinstance(doc, bool) or not isinstance(doc, (str, int)):
        raise InputError(f"explain: {doc!r} is not an id or a document with one")
    return str(doc)


def fingerprint(
    texts: Iterable[str],
    *,
    threshold: float = _DEFAULTS["threshold"],
    shingle_size: int = _DEFAULTS["shingle_size"],
    format: str = "numpy",
    threads: Optional[int] = None,
) -> Any:
    """The per-document signatures the matcher works on: the building block of custom tables.

    ``format="numpy"`` gives a dict of NumPy arrays: ``words`` (uint32, n), ``exact`` (uint64,
    n x 2: the 128-bit hash of the folded text, low half first; equal for texts identical after
    normalization), ``simhash`` (uint64, n), ``bands`` (uint32, n x bands: the MinHash LSH band
    keys, zeros for a text without words), ``shingle_offsets`` (int64, n + 1) and ``shingles``
    (uint32: text i's sorted shingle hashes are ``shingles[offsets[i]:offsets[i + 1]]``).
    ``format="arrow"`` gives a ``pyarrow.Table`` with the columns ``words``, ``exact``
    (fixed_size_binary(16)), ``simhash``, ``bands`` and ``shingles`` (lists of uint32).
    The band shape follows ``threshold`` as in :func:`pairs`.
    """
    import numpy as np

    if format not in ("numpy", "arrow"):
        raise ValueError(f'format: "{format}" is not one of numpy, arrow')
    options = _options(threshold, _DEFAULTS["containment"], None, shingle_size, threads, None)
    raw = _twinwire.fingerprint(texts, options)
    n, per = raw["n"], raw["bands_per_document"]
    arrays = {
        "words": np.frombuffer(raw["words"], dtype="<u4"),
        "exact": np.frombuffer(raw["exact"], dtype="<u8").reshape(n, 2),
        "simhash": np.frombuffer(raw["simhash"], dtype="<u8"),
        "bands": np.frombuffer(raw["bands"], dtype="<u4").reshape(n, per),
        "shingle_offsets": np.frombuffer(raw["shingle_offsets"], dtype="<i8"),
        "shingles": np.frombuffer(raw["shingles"], dtype="<u4"),
    }
    if format == "numpy":
        return arrays
    import pyarrow as pa

    words = arrays["words"]
    bands = pa.FixedSizeListArray.from_arrays(pa.array(arrays["bands"].reshape(-1)), per)
    shingles = pa.LargeListArray.from_arrays(
        pa.array(arrays["shingle_offsets"]), pa.array(arrays["shingles"])
    )
    exact = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(16), n, [None, pa.py_buffer(raw["exact"])]
    )
    return pa.table(
        {
            "words": pa.array(words),
            "exact": exact,
            "simhash": pa.array(arrays["simhash"]),
            "bands": bands,
            "shingles": shingles,
        }
    )


def read(
    path: Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]]],
    *,
    id_field: str = _DEFAULTS["id_field"],
    text_field: str = _DEFAULTS["text_field"],
    title_field: str = _DEFAULTS["title_field"],
    lang_field: str = _DEFAULTS["lang_field"],
    format: Optional[str] = None,
    strict: bool = False,
    max_doc_bytes: int = _DEFAULTS["max_doc_bytes"],
    strip_html: str = _DEFAULTS["strip_html"],
    allow_empty: bool = False,
) -> List[Dict[str, Any]]:
    """Reads files and directories as the command line does: JSONL (also gzip, zstd, bzip2, xz),
    JSON arrays, text files, Parquet, WARC, HTML, Reuters SGML; a directory is walked in name
    order. Returns dicts with ``id``, ``text`` and ``lang`` (None when the input has none).

    Each problem (a bad JSON line, an undecodable file, an id used twice and renamed ``ID#2``)
    is a ``UserWarning`` naming the file and line, and the reading goes on; with ``strict=True``
    the first one raises ``InputError``. Reading no document at all raises ``InputError`` unless
    ``allow_empty``.
    """
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    options = {
        "id_field": id_field,
        "text_field": text_field,
        "title_field": title_field,
        "lang_field": lang_field,
        "strict": bool(strict),
        "max_doc_bytes": int(max_doc_bytes),
        "format": format,
        "strip_html": strip_html,
        "allow_empty": bool(allow_empty),
    }
    docs, problems = _twinwire.read([os.fspath(p) for p in paths], options)
    for w in problems:
        warnings.warn(f"{w['location']}: {w['message']}", UserWarning, stacklevel=2)
    return docs
