"""The Python package against the command line and on its own: same pairs, same scores, same
dedupe; errors that name the document; fingerprints as arrays."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import twinwire
from conftest import SAMPLE, cli_lines, cli_pairs, data_or_skip, twinwire_binary

STORY = (
    "The army said on Tuesday that gunmen attacked a police school in Bamako at dawn, killing "
    "several recruits before troops regained control of the area after hours of fighting."
)


def test_pairs_on_the_sample_equal_the_command_line() -> None:
    docs = twinwire.read(SAMPLE)
    assert len(docs) == 5
    assert twinwire.pairs(docs) == cli_pairs(str(SAMPLE))


def test_the_sample_pairs_000_with_002_as_a_translation_and_nothing_else() -> None:
    found = twinwire.pairs(twinwire.read(SAMPLE))
    assert len(found) == 1
    pair = found[0]
    assert pair["a"].startswith("000") and pair["b"].startswith("002")
    assert pair["relation"] == "translation"
    assert {pair["lang_a"], pair["lang_b"]} == {"en", "fr"}


def test_pairs_on_reuters_equal_the_command_line() -> None:
    reuters = data_or_skip("reuters21578")
    docs = twinwire.read(reuters)
    assert len(docs) > 20000
    mine = twinwire.pairs(docs)
    theirs = cli_pairs(str(reuters))
    assert len(mine) > 1000
    assert mine == theirs


def test_dedupe_on_reuters_keeps_and_removes_what_the_command_line_does(tmp_path: Path) -> None:
    reuters = data_or_skip("reuters21578")
    docs = twinwire.read(reuters)
    result = twinwire.dedupe(docs, keep="core")
    removed = cli_lines(
        "dedupe",
        str(reuters),
        "-o",
        str(tmp_path / "kept.jsonl"),
        "--clusters",
        str(tmp_path / "clusters.jsonl"),
        output_flag="--removed",
        tmp=tmp_path,
    )
    assert [{k: r[k] for k in ("id", "duplicate_of", "relation", "score")} for r in removed] == (
        result.removed
    )
    clusters = [json.loads(line) for line in (tmp_path / "clusters.jsonl").read_text().splitlines()]
    assert clusters == result.clusters
    assert len(result.kept) + len(result.removed) == len(docs)


def test_documents_as_tuples_dicts_and_int_ids_give_the_same_pairs() -> None:
    copy = STORY + " Read more on our site."
    as_tuples = twinwire.pairs([("1", STORY), ("2", copy), ("3", "Wheat rose on Monday.")])
    as_dicts = twinwire.pairs([{"id": 1, "text": STORY}, {"id": 2, "text": copy, "lang": None}])
    assert as_tuples == as_dicts
    assert [(p["a"], p["b"], p["relation"]) for p in as_tuples] == [("1", "2", "near_duplicate")]
    assert twinwire.pairs(iter([("a", STORY), ("b", STORY)]))[0]["relation"] == "exact"


def test_parameters_change_the_answer() -> None:
    cut = " ".join(STORY.split()[:-6])
    docs = [("a", STORY), ("b", cut)]
    default = twinwire.pairs(docs)
    # An excerpt is an excerpt: b lies inside a, a does not lie mostly inside b.
    assert [p["relation"] for p in default] == ["containment"]
    near_only = twinwire.pairs(docs, relations="exact,near_duplicate")
    assert [p["relation"] for p in near_only] == ["near_duplicate"]
    assert [p["relation"] for p in twinwire.pairs(docs, threshold=0.9)] == ["containment"]
    assert twinwire.pairs(docs, threshold=0.9, relations="exact,near_duplicate") == []
    assert twinwire.pairs(docs, threshold=0.9, containment=0.95, shingle_size=1) != []
    assert twinwire.pairs(docs, threads=1) == default


def test_bad_documents_raise_input_error_naming_them() -> None:
    with pytest.raises(twinwire.InputError, match=r'docs\[1\] has the id "x" of docs\[0\]'):
        twinwire.pairs([("x", "one"), ("x", "two")])
    with pytest.raises(twinwire.InputError, match=r"docs\[1\]: an int"):
        twinwire.pairs([("a", "text"), 5])
    with pytest.raises(twinwire.InputError, match=r'docs\[0\] \(id "a"\): the text is a bytes'):
        twinwire.pairs([("a", b"bytes")])
    with pytest.raises(twinwire.InputError, match=r'docs\[0\] \(id "a"\): no "text"'):
        twinwire.pairs([{"id": "a", "body": "text"}])
    with pytest.raises(ValueError):
        twinwire.pairs([("a", "text")], threshold=1.5)
    with pytest.raises(ValueError, match="unknown relation"):
        twinwire.pairs([("a", "text")], relations=["copies"])
    with pytest.raises(ValueError, match="threads"):
        twinwire.pairs([("a", "text")], threads=0)
    with pytest.raises(TypeError):
        twinwire.pairs(42)  # type: ignore[arg-type]
    assert issubclass(twinwire.InputError, ValueError)


def test_read_errors_name_the_file_and_warnings_say_what_was_skipped(tmp_path: Path) -> None:
    with pytest.raises(twinwire.InputError, match="no-such-file.jsonl"):
        twinwire.read(tmp_path / "no-such-file.jsonl")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "fine"}\n{not json\n')
    with pytest.warns(UserWarning, match="bad.jsonl:2"):
        docs = twinwire.read(bad)
    assert [d["id"] for d in docs] == ["a"]
    with pytest.raises(twinwire.InputError, match="bad.jsonl:2"):
        twinwire.read(bad, strict=True)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(twinwire.InputError, match="no documents were read"):
        twinwire.read(empty)
    with pytest.warns(UserWarning, match="no documents were read"):
        assert twinwire.read(empty, allow_empty=True) == []


def test_explain_says_what_the_command_line_says() -> None:
    docs = {d["id"][:3]: d for d in twinwire.read(SAMPLE)}
    e = twinwire.explain(docs["000"], docs["002"])
    assert e["translation"]["is_translation"] is True
    assert e["copy"] is None
    assert e["translation"]["aligned"] >= 20
    out = subprocess.run(
        [str(twinwire_binary()), "explain", docs["000"]["id"], docs["002"]["id"], str(SAMPLE)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert f"aligned sentence groups ........... {e['translation']['aligned']} " in out
    unrelated = twinwire.explain(docs["001"], docs["003"])
    assert unrelated["copy"] is None and unrelated["measures"]["jaccard"] < 0.1


def test_dedupe_keeps_one_of_each_cluster() -> None:
    copy = STORY + " Read more on our site."
    result = twinwire.dedupe([("a", STORY), ("b", copy), ("c", "Wheat rose on Monday.")])
    assert result.kept == ["b", "c"]
    assert result.removed == [
        {
            "id": "a",
            "duplicate_of": "b",
            "relation": "near_duplicate",
            "score": result.removed[0]["score"],
        }
    ]
    assert twinwire.dedupe([("a", STORY), ("b", copy)], keep="first").kept == ["a"]
    with pytest.raises(ValueError, match="keep"):
        twinwire.dedupe([("a", STORY)], keep="newest")  # type: ignore[arg-type]


def test_fingerprints_as_numpy_and_arrow() -> None:
    texts = [STORY, STORY.upper(), "", "Wheat rose on Monday after a dry spell."]
    f = twinwire.fingerprint(texts)
    assert f["words"].dtype == np.uint32 and list(f["words"][:3]) == [29, 29, 0]
    assert (f["exact"][0] == f["exact"][1]).all() and not (f["exact"][0] == f["exact"][3]).all()
    assert f["bands"].shape == (4, 42)
    assert (f["bands"][0] == f["bands"][1]).all() and (f["bands"][2] == 0).all()
    offsets = f["shingle_offsets"]
    assert offsets[0] == 0 and offsets[-1] == len(f["shingles"])
    first = f["shingles"][offsets[0] : offsets[1]]
    assert len(first) == 27 and (np.diff(first.astype(np.int64)) > 0).all()
    assert twinwire.fingerprint(texts, threshold=0.8)["bands"].shape == (4, 31)
    pa = pytest.importorskip("pyarrow")
    table = twinwire.fingerprint(texts, format="arrow")
    assert table.num_rows == 4
    assert table.column("exact").type == pa.binary(16)
    assert table.column("shingles")[0].as_py() == [int(x) for x in first]


def test_help_is_useful() -> None:
    doc = twinwire.pairs.__doc__ or ""
    assert "threshold" in doc and "InputError" in doc
    import inspect

    sig = inspect.signature(twinwire.pairs)
    assert sig.parameters["threshold"].default == 0.5
    assert sig.parameters["containment"].default == 0.8
    assert sig.parameters["shingle_size"].default == 3


def test_the_gil_is_released_while_it_works() -> None:
    """Another Python thread runs while `pairs` works: with the GIL held, none of its steps would
    fall strictly inside the call."""
    import random
    import threading
    import time

    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(5000)]
    docs = [(str(i), " ".join(rng.choices(vocabulary, k=300))) for i in range(12000)]
    span: list = []

    def work() -> None:
        start = time.perf_counter()
        twinwire.pairs(docs)
        span.extend([start, time.perf_counter()])

    steps = []
    worker = threading.Thread(target=work)
    worker.start()
    while worker.is_alive():
        steps.append(time.perf_counter())
        time.sleep(0.001)
    worker.join()
    start, end = span
    assert end - start > 0.05, "the call is long enough to tell"
    inside = [t for t in steps if start + 0.02 < t < end - 0.02]
    assert len(inside) >= 5, f"{len(inside)} steps of the other thread during {end - start:.2f}s"


HOSTILE = [
    (
        "a lone surrogate in a text",
        lambda: twinwire.pairs([("a", "x\ud800y")]),
        twinwire.InputError,
        'docs\\[0\\] \\(id "a"\\): the text is not valid Unicode',
    ),
    (
        "a lone surrogate in an id",
        lambda: twinwire.pairs([("a\udc00", "t")]),
        twinwire.InputError,
        "the id is not valid Unicode",
    ),
    (
        "a NaN threshold",
        lambda: twinwire.pairs([("a", "t")], threshold=float("nan")),
        ValueError,
        "threshold must be in \\(0, 1\\], got NaN",
    ),
    (
        "a negative shingle size",
        lambda: twinwire.pairs([("a", "t")], shingle_size=-1),
        ValueError,
        "shingle_size must be positive, got -1",
    ),
    ("a float id", lambda: twinwire.pairs([(1.5, "t")]), twinwire.InputError, "the id is a float"),
    ("a bool id", lambda: twinwire.pairs([(True, "t")]), twinwire.InputError, "the id is a bool"),
    (
        "None for a document",
        lambda: twinwire.pairs([None]),
        twinwire.InputError,
        "docs\\[0\\]: a NoneType",
    ),
    (
        "an int language",
        lambda: twinwire.pairs([("a", "t", 5)]),
        twinwire.InputError,
        "the language is not a str",
    ),
    (
        "a non-str text to fingerprint",
        lambda: twinwire.fingerprint([1]),
        twinwire.InputError,
        "texts\\[0\\]: an int",
    ),
    (
        "a bad second document to explain",
        lambda: twinwire.explain(("a", "t"), 5),
        twinwire.InputError,
        "doc_b: an int",
    ),
    (
        "an unknown format",
        lambda: twinwire.read(__file__, format="klingon"),
        ValueError,
        'format "klingon" is not one of',
    ),
    (
        "a missing lexicon",
        lambda: twinwire.pairs([("a", "t")], lexicons={"de": "/no/such/lexicon"}),
        twinwire.InputError,
        "/no/such/lexicon",
    ),
    (
        "a three-letter lexicon language",
        lambda: twinwire.pairs([("a", "t")], lexicons={"deu": __file__}),
        twinwire.InputError,
        "two-letter code",
    ),
    (
        "a trillion threads",
        lambda: twinwire.pairs([("a", "t")], threads=10**12),
        ValueError,
        "threads must be 1 to 1024",
    ),
    (
        "a negative max_doc_bytes",
        lambda: twinwire.read(__file__, max_doc_bytes=-5),
        ValueError,
        "max_doc_bytes must be positive",
    ),
    (
        "an unknown strip_html",
        lambda: twinwire.read(__file__, strip_html="sometimes"),
        ValueError,
        "strip_html",
    ),
]


@pytest.mark.parametrize("what,call,error,message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_input_raises_a_python_error_naming_it(what, call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_huge_int_id_is_its_decimal_text() -> None:
    story = STORY + " More."
    found = twinwire.pairs([(10**40, STORY), (10**40 + 1, story)])
    assert (found[0]["a"], found[0]["b"]) == (str(10**40), str(10**40 + 1))


def test_a_pyarrow_table_gives_the_pairs_its_rows_give() -> None:
    pa = pytest.importorskip("pyarrow")
    rows = [("a", STORY, None), ("b", STORY + " More.", "en"), ("c", "Wheat rose.", None)]
    table = pa.table(
        {"id": [r[0] for r in rows], "text": [r[1] for r in rows], "lang": [r[2] for r in rows]}
    )
    assert twinwire.pairs(table) == twinwire.pairs(rows)
    assert twinwire.pairs(table.to_batches()[0]) == twinwire.pairs(rows)
    assert twinwire.dedupe(table).kept == twinwire.dedupe(rows).kept
    with pytest.raises(twinwire.InputError, match='no "text" column .*it has: id, body'):
        twinwire.pairs(pa.table({"id": ["a"], "body": ["t"]}))


def test_a_pandas_dataframe_gives_the_pairs_its_rows_give() -> None:
    pd = pytest.importorskip("pandas")
    rows = [("a", STORY), ("b", STORY + " More."), ("c", "Wheat rose.")]
    frame = pd.DataFrame(rows, columns=["id", "text"])
    assert twinwire.pairs(frame) == twinwire.pairs(rows)
    with pytest.raises(twinwire.InputError, match='no "id" column'):
        twinwire.pairs(pd.DataFrame({"key": ["a"], "text": ["t"]}))


def test_explain_among_the_corpus_says_what_the_command_line_says() -> None:
    docs = twinwire.read(SAMPLE)
    ids = {d["id"][:3]: d["id"] for d in docs}
    e = twinwire.explain(ids["000"], ids["002"], among=docs)
    assert e["translation"]["proposed"] is True and e["translation"]["is_translation"] is True
    assert e["a"]["origin"].startswith("<memory>:")
    assert twinwire.explain(docs[0], docs[1], among=docs)["a"]["id"] == docs[0]["id"]
    with pytest.raises(twinwire.InputError, match='no document with id "nope"'):
        twinwire.explain("nope", ids["002"], among=docs)
    with pytest.raises(twinwire.InputError, match="not an id"):
        twinwire.explain(3.5, ids["002"], among=docs)
