"""twinwire.spark, stage by stage, on a JSON-lines corpus: wall time and shuffle bytes of each
stage (read from Spark's monitoring REST API), and whether the pairs equal the command line's.

    python benches/spark_bench.py CORPUS.jsonl [--master local[2]] [--cli target/release/twinwire]

Each stage is materialized before the next (persisted, then counted), so its time and bytes are
its own; `twinwire.spark.pairs` runs the same stages lazily, in one plan. BENCHMARKS.md section 20.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from typing import Any


def shuffle_totals(ui: str, app: str) -> tuple[int, int]:
    """(shuffle bytes written, shuffle bytes read) over every completed stage so far."""
    with urllib.request.urlopen(
        f"{ui}/api/v1/applications/{app}/stages?status=complete"
    ) as r:
        stages = json.load(r)
    return (
        sum(s.get("shuffleWriteBytes", 0) for s in stages),
        sum(s.get("shuffleReadBytes", 0) for s in stages),
    )


def row_text(r: dict[str, Any]) -> str:
    """One stage as a row of BENCHMARKS.md's tables."""
    return (
        f"| {r['stage']} | {r['rows']:,} | {r['seconds']} | "
        f"{r['shuffle_written'] / 1e6:.1f} | {r['shuffle_read'] / 1e6:.1f} |"
    )


def digest(lines: list[tuple[Any, ...]]) -> str:
    h = hashlib.md5()
    for line in sorted(lines):
        h.update(repr(line).encode())
    return h.hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--cli", default="target/release/twinwire")
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument("--partitions", default="8", help="spark.sql.shuffle.partitions")
    args = parser.parse_args()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ["PYTHONSAFEPATH"] = "1"

    from pyspark import StorageLevel
    from pyspark.sql import SparkSession
    from twinwire import spark as tws

    spark = (
        SparkSession.builder.master(args.master)
        .appName("twinwire spark bench")
        .config("spark.driver.memory", args.driver_memory)
        .config("spark.sql.shuffle.partitions", args.partitions)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    ui, app = spark.sparkContext.uiWebUrl, spark.sparkContext.applicationId
    keep = StorageLevel.MEMORY_AND_DISK
    rows: list[dict[str, Any]] = []
    before = shuffle_totals(ui, app)

    def stage(name: str, make: Callable[[], Any]) -> Any:
        nonlocal before
        t = time.time()
        df = make().persist(keep)
        n = df.count()
        after = shuffle_totals(ui, app)
        rows.append(
            {
                "stage": name,
                "rows": n,
                "seconds": round(time.time() - t, 1),
                "shuffle_written": after[0] - before[0],
                "shuffle_read": after[1] - before[1],
            }
        )
        before = after
        # As it happens too (stderr), so a run stopped midway still tells its stages.
        print(row_text(rows[-1]), file=sys.stderr, flush=True)
        return df

    total = time.time()
    source = spark.read.json(args.corpus).select("id", "text")
    options = tws._stage_options(0.5, 0.8, None, 3, None)
    stages = tws._twinwire.Stages(options)
    read = stage("read (JSON lines)", lambda: source)
    run = tws._Run(read, ("id", "text", None), options, None)
    stage("features (Rust)", lambda: run.features)
    reps = stage("exact groups, representatives", lambda: run.reps)
    bands = stage("band candidates", lambda: tws._band_candidates(reps).distinct())
    anchors = stage(
        "anchor candidates", lambda: tws._anchor_candidates(reps, options, stages).distinct()
    )
    candidates = stage(
        "candidates (union)", lambda: bands.unionByName(anchors).distinct()
    )
    copies = stage(
        "verify + relate (Rust)", lambda: tws._related(candidates, reps, options)
    )
    mates = stage(
        "exact copies' lines", lambda: tws._mates(run.groups, run.features, options)
    )
    translations = stage(
        "translations (keys, signatures, choice, alignment)",
        lambda: tws._translations(reps, run.docs, options, stages),
    )
    lines = copies.unionByName(mates, allowMissingColumns=True).unionByName(
        translations, allowMissingColumns=True
    )
    ids = run.docs.select("row", "id")
    named = stage(
        "ids joined",
        lambda: (
            lines.join(ids.toDF("a_row", "a"), "a_row")
            .join(ids.toDF("b_row", "b"), "b_row")
            .select("a", "b", "relation", "score")
        ),
    )
    got = [(r["a"], r["b"], r["relation"], r["score"]) for r in named.collect()]
    wall = time.time() - total
    spark.stop()

    t = time.time()
    out = subprocess.run(
        [args.cli, "pairs", "-q", args.corpus],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cli_wall = time.time() - t
    want = [
        (p["a"], p["b"], p["relation"], p["score"])
        for p in map(json.loads, out.splitlines())
    ]
    for r in rows:
        print(row_text(r))
    written = sum(r["shuffle_written"] for r in rows)
    n_docs = rows[0]["rows"]
    n_candidates = rows[5]["rows"]
    print(
        f"spark wall {wall:.1f} s; command line {cli_wall:.1f} s; ratio {wall / cli_wall:.1f}"
    )
    print(
        f"shuffled {written / 1e6:.1f} MB: {written / n_docs:.0f} B per document, "
        f"{written / max(n_candidates, 1):.0f} B per candidate pair ({n_candidates:,} candidates)"
    )
    print(
        f"pairs: spark {len(got):,} md5 {digest(got)}; command line {len(want):,} md5 {digest(want)}"
    )
    return 0 if digest(got) == digest(want) else 1


if __name__ == "__main__":
    sys.exit(main())
