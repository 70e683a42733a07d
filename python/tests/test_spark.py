"""twinwire.spark on `local[2]`: the same pairs, relations, scores and dedupe as one machine, from
Parquet; bad rows counted, not a failed job. (The standalone cluster: test_spark_cluster.py.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator, List

import pytest
from spark_support import (
    assert_same_pairs,
    made_corpus,
    spark_or_skip,
    write_jsonl,
    write_parquet,
)

import twinwire
from conftest import SAMPLE, cli_pairs, data_or_skip, twinwire_binary


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    spark_or_skip()
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("twinwire tests")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def forget_cached(request: Any) -> Iterator[None]:
    """Each run persists its stages' tables; one test's are dropped before the next."""
    yield
    if "spark" in request.fixturenames:
        request.getfixturevalue("spark").catalog.clearCache()


def sample_docs() -> List[Any]:
    return [(d["id"], d["text"]) for d in twinwire.read(SAMPLE)]


def test_the_sample_from_parquet_gives_the_command_lines_pairs(spark: Any, tmp_path: Path) -> None:
    from twinwire import spark as tws

    docs = sample_docs()
    df = spark.read.parquet(str(write_parquet(docs, tmp_path / "sample.parquet")))
    found = tws.pairs(df).collect()
    # The command line on the same documents, in the same order.
    assert_same_pairs(found, cli_pairs(str(write_jsonl(docs, tmp_path / "sample.jsonl"))))
    assert [(r["a"], r["b"], r["relation"]) for r in found] == [
        ("000_037d270298f87007", "002_cebe9f5fd735330a", "translation")
    ]


@pytest.mark.parametrize("first", ["000", "002"])
def test_a_translation_is_found_whichever_language_is_the_majority(
    spark: Any, tmp_path: Path, first: str
) -> None:
    """One English and one French article: a tie, which the first seen wins, so each order
    makes another language the majority (the one whose documents only answer the others)."""
    from twinwire import spark as tws

    pair = [d for d in sample_docs() if d[0][:3] in ("000", "002")]
    docs = sorted(pair, key=lambda d: d[0][:3] != first)
    df = spark.createDataFrame(docs, "id string, text string")
    found = tws.pairs(df).collect()
    assert_same_pairs(found, cli_pairs(str(write_jsonl(docs, tmp_path / "pair.jsonl"))))
    assert [r["relation"] for r in found] == ["translation"]


def test_plan_descriptions_are_bounded_unless_the_user_bounds_them(spark: Any) -> None:
    from twinwire import spark as tws

    key = "spark.sql.maxPlanStringLength"
    spark.conf.unset(key)
    tws._bound_plan_strings(spark)
    assert spark.conf.get(key) == "1000000"
    spark.conf.set(key, "5000")
    tws._bound_plan_strings(spark)
    assert spark.conf.get(key) == "5000"
    spark.conf.unset(key)


def test_copies_edits_and_excerpts_are_found_as_on_one_machine(spark: Any, tmp_path: Path) -> None:
    from twinwire import spark as tws

    docs = made_corpus(300, seed=3)
    df = spark.read.parquet(str(write_parquet(docs, tmp_path / "made.parquet")))
    found = tws.pairs(df).collect()
    relations = {r["relation"] for r in found}
    assert {"exact", "near_duplicate", "containment"} <= relations
    assert_same_pairs(found, cli_pairs(str(write_jsonl(docs, tmp_path / "made.jsonl"))))


@pytest.mark.parametrize("keep", ["longest", "first"])
def test_dedupe_keeps_and_removes_what_one_machine_does(spark: Any, keep: str) -> None:
    from twinwire import spark as tws

    docs = made_corpus(300, seed=4) + sample_docs()
    df = spark.createDataFrame(docs, "id string, text string")
    kept, removed, clusters = tws.dedupe(df, keep=keep)
    want = twinwire.dedupe(docs, keep=keep)
    assert [r["id"] for r in kept.collect()] == want.kept
    assert [r.asDict() for r in removed.collect()] == want.removed
    got_clusters = [r.asDict() for r in clusters.collect()]
    assert got_clusters == [
        dict(c, translations=[list(t) for t in c["translations"]]) for c in want.clusters
    ]
    assert want.removed, "the corpus has duplicates to remove"


@pytest.mark.parametrize("shape", [[], ["--sentence-reuse", "50", "--mixed-languages", "0.02"]])
def test_generated_corpora_of_both_shapes(spark: Any, tmp_path: Path, shape: List[str]) -> None:
    from twinwire import spark as tws

    sources = [str(data_or_skip("reuters21578")), str(data_or_skip("wmt-dev"))]
    corpus = tmp_path / "gen.jsonl"
    subprocess.run(
        [
            str(twinwire_binary()),
            "gen",
            *sources,
            "-n",
            "3000",
            "--seed",
            "5",
            *shape,
            "-o",
            str(corpus),
        ],
        check=True,
        capture_output=True,
    )
    docs = [(d["id"], d["text"]) for d in twinwire.read(corpus)]
    df = spark.read.parquet(str(write_parquet(docs, tmp_path / "gen.parquet")))
    found = tws.pairs(df).collect()
    assert {r["relation"] for r in found} == {
        "exact",
        "near_duplicate",
        "containment",
        "translation",
    }
    assert_same_pairs(found, cli_pairs(str(corpus)))


def test_reuters_gives_the_command_lines_pairs(spark: Any, tmp_path: Path) -> None:
    from twinwire import spark as tws

    docs = [(d["id"], d["text"]) for d in twinwire.read(data_or_skip("reuters21578"))]
    df = spark.read.parquet(str(write_parquet(docs, tmp_path / "reuters.parquet")))
    assert_same_pairs(
        tws.pairs(df).collect(), cli_pairs(str(write_jsonl(docs, tmp_path / "reuters.jsonl")))
    )


def test_bad_rows_are_counted_and_reported_not_a_failed_job(spark: Any, tmp_path: Path) -> None:
    from twinwire import spark as tws

    story = sample_docs()[0][1]
    rows = [("a", story), (None, story), ("b", None), ("a", story + " More at our site.")]
    df = spark.createDataFrame(rows, "id string, text string")
    said: List[str] = []
    found = tws.pairs(df, on_warning=said.append).collect()
    assert any("2 row(s) without an id or a text" in m for m in said), said
    assert any("renamed" in m for m in said), said
    # The repeated id is renamed as the command line renames it.
    assert [(r["a"], r["b"]) for r in found] == [("a", "a#2")]
    jsonl = tmp_path / "dup.jsonl"
    write_jsonl([("a", story), ("a", story + " More at our site.")], jsonl)
    assert [(p["a"], p["b"]) for p in cli_pairs(str(jsonl))] == [("a", "a#2")]


def test_parameters_are_checked_on_the_driver(spark: Any) -> None:
    from twinwire import spark as tws

    df = spark.createDataFrame([("a", "x")], "id string, text string")
    with pytest.raises(ValueError, match="threshold"):
        tws.pairs(df, threshold=2.0)
    with pytest.raises(ValueError, match='no "body" column'):
        tws.pairs(df, text_col="body")
    with pytest.raises(ValueError, match="not text"):
        tws.pairs(spark.createDataFrame([("a", 1)], "id string, text int"))
    with pytest.raises(ValueError, match="core"):
        tws.dedupe(df, keep="core")


def test_the_command_line_entry_writes_the_pairs(tmp_path: Path) -> None:
    spark_or_skip()
    docs = made_corpus(60, seed=6) + sample_docs()
    source = write_parquet(docs, tmp_path / "in.parquet")
    out = tmp_path / "pairs"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "twinwire.spark",
            str(source),
            "--output",
            str(out),
            "--output-format",
            "json",
            "--master",
            "local[2]",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [
        json.loads(x) for f in sorted(out.glob("part-*.json")) for x in f.read_text().splitlines()
    ]
    want = cli_pairs(str(write_jsonl(docs, tmp_path / "in.jsonl")))
    assert sorted((p["a"], p["b"], p["relation"], p["score"]) for p in lines) == sorted(
        (p["a"], p["b"], p["relation"], p["score"]) for p in want
    )
    # spark-submit on the module's file, as on a cluster.
    import pyspark

    import twinwire.spark

    submit = Path(pyspark.__file__).parent / "bin" / "spark-submit"
    out2 = tmp_path / "submitted"
    done = subprocess.run(
        [
            str(submit),
            "--master",
            "local[2]",
            twinwire.spark.__file__,
            str(source),
            "--output",
            str(out2),
            "--dedupe",
            "--output-format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=dict(os.environ, SPARK_HOME=str(submit.parent.parent)),
    )
    assert done.returncode == 0, done.stderr[-2000:]
    removed = [
        json.loads(x)
        for f in sorted((out2 / "removed").glob("part-*.json"))
        for x in f.read_text().splitlines()
    ]
    assert sorted(r["id"] for r in removed) == sorted(
        r["id"] for r in twinwire.dedupe(docs, keep="longest").removed
    )
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "twinwire.spark",
            str(tmp_path / "missing.parquet"),
            "--output",
            str(tmp_path / "x"),
            "--master",
            "local[1]",
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2 and "missing.parquet" in bad.stderr, bad.stderr[-2000:]
