"""What the Spark tests share: a corpus made here (no shared data needed), the comparison of
Spark's answers with one machine's, and Spark itself (SKIPPED where pyspark or Java is absent)."""

from __future__ import annotations

import os
import random
import shutil
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import pytest


def spark_or_skip() -> None:
    """Skips the calling test when pyspark or a Java runtime is absent."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        pytest.skip("SKIPPED: pyspark is absent (pip install pyspark)")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("SKIPPED: a Java runtime is absent (apt-get install openjdk-17-jre-headless)")
    # Executors run the Python of the tests, which has twinwire installed; not the source tree
    # of the working directory (python/twinwire has no compiled core), which `python -m`
    # would put first on the path.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYTHONSAFEPATH"] = "1"


def made_corpus(bases: int, seed: int) -> List[Tuple[str, str]]:
    """Articles of random words with planted copies, near-copies and quoted excerpts, and one
    passage quoted by many unrelated articles (ids in input order)."""
    rng = random.Random(seed)
    vocabulary = [f"w{rng.randrange(10**6)}" for _ in range(4000)]
    common = " ".join(rng.choice(vocabulary) for _ in range(30))
    docs: List[Tuple[str, str]] = []
    for i in range(bases):
        words = [rng.choice(vocabulary) for _ in range(rng.randrange(60, 400))]
        text = " ".join(words)
        if i % 7 == 0:
            text = f"{text} {common}"
        docs.append((f"base{i}", text))
        kind = i % 5
        if kind == 0:
            docs.append((f"copy{i}", text))
        elif kind == 1:
            edited = [w for k, w in enumerate(words) if k % 25 != 3]
            docs.append((f"edit{i}", " ".join(edited)))
        elif kind == 2 and len(words) > 200:
            start = rng.randrange(len(words) // 3)
            docs.append((f"excerpt{i}", " ".join(words[start : start + 80])))
    rng.shuffle(docs)
    return docs


def line_of(row: Dict[str, Any]) -> Dict[str, Any]:
    """A pair row without its null fields: what the command line writes for it."""
    return {k: v for k, v in row.items() if v is not None}


def keyed(lines: Iterable[Dict[str, Any]]) -> Dict[Tuple[str, str, str], Dict[str, Any]]:
    out = {}
    for line in lines:
        out[(line["a"], line["b"], line["relation"])] = line
    return out


def assert_same_pairs(spark_rows: Iterable[Any], expected: Iterable[Dict[str, Any]]) -> None:
    """Spark's pairs equal one machine's: same pairs, relations and every measure."""
    got = keyed(line_of(r.asDict()) for r in spark_rows)
    want = keyed(expected)
    assert set(got) == set(want), (
        f"missing {sorted(set(want) - set(got))[:5]}, extra {sorted(set(got) - set(want))[:5]}"
    )
    for key, line in want.items():
        assert got[key] == line, key


def write_parquet(docs: List[Tuple[str, str]], path: Path) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({"id": [d[0] for d in docs], "text": [d[1] for d in docs]})
    pq.write_table(table, path)
    return path


def write_jsonl(docs: List[Tuple[str, str]], path: Path) -> Path:
    import json

    with path.open("w") as f:
        for i, t in docs:
            f.write(json.dumps({"id": i, "text": t}) + "\n")
    return path
