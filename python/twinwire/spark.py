"""twinwire on Apache Spark: the pairs of a DataFrame of articles, with Spark doing the shuffles
and twinwire's Rust core every decision.

The plan, stage by stage (each a Spark operation; the per-document and per-pair work runs in the
Rust core over Arrow batches, through ``mapInArrow``):

1. **Features.** Every document is fingerprinted once: words, shingle count, the hash of its
   folded text, MinHash band keys, containment anchors, and its features as one byte string
   (the *blob*) for verification. Rows without an id or a text are counted and reported.
2. **Exact groups.** Documents are grouped by text hash; the first of each group in input order
   (its *representative*) stands for the others, as on one machine.
3. **Candidates.** Representatives sharing a band key in the same band (a shuffle on
   ``(band, key)``); and containment candidates from anchors, by the rule of the command line:
   the number of documents holding each anchor is counted (a shuffle), each document's search
   plan is made from those counts by the Rust core (which anchors it looks up, how many hits
   make a container worth checking, how many shared anchors in full make it a candidate), hits
   are counted by moving each looked-up anchor's documents (one array per anchor) to the
   document looking it up, and a container below the full bar is checked against the skipped
   anchors too.
4. **Verification.** Each candidate pair is joined with both blobs and its copies' places, and
   the Rust core scores and relates it exactly, writing a line for every copy of one with every
   copy of the other; copies of one text are related to each other the same way.
5. **Translations.** Each representative's language (given or detected) and candidate keys
   (Rust); each key's documents and languages counted (shuffles); a document's signature, its 80
   eligible keys of fewest documents, by a window; the keys each pair of documents in two
   languages shares, by moving each key's documents (one array per key) to the documents
   holding it and counting them there; each document's choice of partners (Rust), made as the
   command line makes it: the documents outside the majority language search first, then the
   majority documents they chose (no other can be in a mutual pair); pairs chosen from both
   sides aligned next to their texts (Rust, the texts picked by a broadcast of their rows), a
   pair that is a copy left out.
6. **Dedupe.** Connected components of every relation (large-star/small-star), each settled by
   the Rust core with the command line's rules (no chaining, containers kept, translations kept
   and grouped).

"Input order" is the DataFrame's order (``monotonically_increasing_id``): the order of the files
and of their rows, as the command line reads them. It decides which copy represents a group and
which document of a symmetric pair is ``a``.

Not distributed yet: ``keep="core"``, ``max_partners``, the persistent index. A family of m
exact copies makes m²/2 lines, all in one component for ``dedupe``: the dense-family limit of
this version.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from typing import Any, Callable, Dict, Iterable, Iterator, Mapping, Optional, Sequence

from twinwire import _DEFAULTS, _options, _twinwire

__all__ = ["pairs", "dedupe", "PAIR_SCHEMA", "main"]

_RELATION_NAMES = ("exact", "near_duplicate", "containment", "translation")

PAIR_SCHEMA = (
    "a string, b string, relation string, score double, jaccard double, containment double, "
    "hamming int, shared_shingles long, shingles_a long, shingles_b long, words_a int, "
    "words_b int, lang_a string, lang_b string, coverage_a double, coverage_b double, "
    "aligned long, sentences_a long, sentences_b long, similarity double"
)
_LINE_SCHEMA = (
    "a_row long, b_row long, relation string, score double, jaccard double, containment double, "
    "hamming int, shared_shingles long, shingles_a long, shingles_b long, words_a int, "
    "words_b int, raw_score double, raw_jaccard double"
)
_TRANSLATION_SCHEMA = (
    "a_row long, b_row long, relation string, score double, lang_a string, lang_b string, "
    "coverage_a double, coverage_b double, aligned long, sentences_a long, sentences_b long, "
    "similarity double, raw_score double"
)
_FEATURE_SCHEMA = (
    "row long, words int, shingles int, exact binary, simhash long, bands array<int>, "
    "anchors array<int>, blob binary"
)


def _stage_options(
    threshold: float,
    containment: float,
    relations: Optional[Iterable[str]],
    shingle_size: int,
    lexicons: Optional[Mapping[str, str]],
) -> Dict[str, Any]:
    options = _options(threshold, containment, relations, shingle_size, 1, lexicons)
    _twinwire.Stages(options)  # a parameter out of range is said here, on the driver
    return options


# ---------------------------------------------------------------------------------------------
# Arrow <-> the Rust kernels' flat buffers


def _ints(pa: Any, raw: bytes, kind: Any) -> Any:
    width = kind.bit_width // 8
    return pa.Array.from_buffers(kind, len(raw) // width, [None, pa.py_buffer(raw)])


def _lists(pa: Any, values: Any, offsets_raw: bytes) -> Any:
    return pa.ListArray.from_arrays(_ints(pa, offsets_raw, pa.int32()), values)


def _binaries(pa: Any, data: bytes, offsets_raw: bytes) -> Any:
    n = len(offsets_raw) // 4 - 1
    return pa.Array.from_buffers(
        pa.binary(), n, [None, pa.py_buffer(offsets_raw), pa.py_buffer(data)]
    )


def _flat(column: Any, kind: str) -> "tuple[bytes, bytes]":
    """A list column as (values, offsets) little-endian buffers, offsets from 0."""
    import numpy as np

    offsets = np.asarray(column.offsets, dtype="<i4")
    offsets = offsets - offsets[0] if len(offsets) else np.zeros(1, dtype="<i4")
    values = column.flatten().to_numpy(zero_copy_only=False).astype(kind)
    return values.tobytes(), offsets.astype("<i4").tobytes()


def _features_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            raw = stages.features(batch.column("text").to_pylist())
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("row"),
                    _ints(pa, raw["words"], pa.int32()),
                    _ints(pa, raw["shingles"], pa.int32()),
                    pa.Array.from_buffers(
                        pa.binary(16), len(raw["words"]) // 4, [None, pa.py_buffer(raw["exact"])]
                    ).cast(pa.binary()),
                    _ints(pa, raw["simhash"], pa.int64()),
                    _lists(pa, _ints(pa, raw["bands"], pa.int32()), raw["band_offsets"]),
                    _lists(pa, _ints(pa, raw["anchors"], pa.int32()), raw["anchor_offsets"]),
                    _binaries(pa, raw["blob"], raw["blob_offsets"]),
                ],
                names=["row", "words", "shingles", "exact", "simhash", "bands", "anchors", "blob"],
            )

    return run


def _plans_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            words = batch.column("words").to_numpy(zero_copy_only=False).astype("<u4")
            counts, offsets = _flat(batch.column("counts"), "<u4")
            raw = stages.probe_plans(words.tobytes(), counts, offsets)
            skipped = pa.Array.from_buffers(
                pa.uint8(), len(raw["skipped"]), [None, pa.py_buffer(raw["skipped"])]
            ).cast(pa.bool_())
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("row"),
                    batch.column("size"),
                    batch.column("anchors"),
                    _lists(pa, skipped, offsets),
                    _ints(pa, raw["needed"], pa.int32()),
                    _ints(pa, raw["verified"], pa.int32()),
                ],
                names=["row", "size", "anchors", "skipped", "needed", "verified"],
            )

    return run


def _lines(pa: Any, raw: Dict[str, bytes]) -> Any:
    import numpy as np

    codes = np.frombuffer(raw["relation"], dtype="u1")
    names = pa.array(np.array(_RELATION_NAMES, dtype=object)[codes].tolist(), pa.string())
    columns = [
        _ints(pa, raw["a"], pa.int64()),
        _ints(pa, raw["b"], pa.int64()),
        names,
        _ints(pa, raw["score"], pa.float64()),
        _ints(pa, raw["jaccard"], pa.float64()),
        _ints(pa, raw["containment"], pa.float64()),
        _ints(pa, raw["hamming"], pa.int32()),
        _ints(pa, raw["shared_shingles"], pa.int64()),
        _ints(pa, raw["shingles_a"], pa.int64()),
        _ints(pa, raw["shingles_b"], pa.int64()),
        _ints(pa, raw["words_a"], pa.int32()),
        _ints(pa, raw["words_b"], pa.int32()),
        _ints(pa, raw["raw_score"], pa.float64()),
        _ints(pa, raw["raw_jaccard"], pa.float64()),
    ]
    names_ = [n for n, _ in _fields(_LINE_SCHEMA)]
    return pa.RecordBatch.from_arrays(columns, names=names_)


def _relate_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            c1, o1 = _flat(batch.column("first_copies"), "<i8")
            c2, o2 = _flat(batch.column("second_copies"), "<i8")
            raw = stages.relate(
                batch.column("first_blob").to_pylist(),
                batch.column("second_blob").to_pylist(),
                c1,
                o1,
                c2,
                o2,
            )
            yield _lines(pa, raw)

    return run


def _mates_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            copies, offsets = _flat(batch.column("copies"), "<i8")
            raw = stages.mates(batch.column("blob").to_pylist(), copies, offsets)
            yield _lines(pa, raw)

    return run


# ---------------------------------------------------------------------------------------------
# The plan


_ROW = "__twinwire_row"


def _place(row: int, file: Optional[str], id_: Optional[str]) -> str:
    """Where a row is, in words: its file, partition and rank (monotonically_increasing_id
    packs the partition in the high bits), and its id when it has one."""
    part, rank = row >> 33, row & ((1 << 33) - 1)
    at = f"{file}: " if file else ""
    named = f' (id "{id_}")' if id_ is not None else " (no id)"
    return f"{at}row {rank + 1} of partition {part}{named}"


class _Rows:
    """The documents of a run: (row, id, text), ids made unique, malformed rows counted."""

    def __init__(self, df: Any, id_col: str, text_col: str, lang_col: Optional[str]) -> None:
        from pyspark.sql import Window
        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType

        for name in (id_col, text_col) + ((lang_col,) if lang_col else ()):
            if name not in df.columns:
                raise ValueError(
                    f'the DataFrame has no "{name}" column (it has: {", ".join(df.columns)}); '
                    "name the columns with id_col=, text_col= and lang_col="
                )
        if not isinstance(df.schema[text_col].dataType, StringType):
            raise ValueError(
                f'column "{text_col}" holds {df.schema[text_col].dataType.simpleString()}, '
                "not text: cast it to string or name the text column with text_col="
            )
        self.numbered = df.withColumn(_ROW, F.monotonically_increasing_id())
        numbered = self.numbered.select(
            F.col(_ROW).alias("row"),
            F.input_file_name().alias("file"),
            F.col(id_col).cast("string").alias("id"),
            F.col(text_col).alias("text"),
            (F.col(lang_col).cast("string") if lang_col else F.lit(None).cast("string")).alias(
                "lang"
            ),
        )
        good = F.col("id").isNotNull() & F.col("text").isNotNull()
        self.good = F.col(id_col).isNotNull() & F.col(text_col).isNotNull()
        self.malformed = numbered.where(~good).select("row", "file", "id")
        occurrence = F.row_number().over(Window.partitionBy("id").orderBy("row"))
        self.docs = (
            numbered.drop("file")
            .where(good)
            .withColumn("occurrence", occurrence)
            .withColumn(
                "id",
                F.when(
                    F.col("occurrence") > 1, F.concat_ws("#", "id", F.col("occurrence"))
                ).otherwise(F.col("id")),
            )
        )

    def report(self, on_warning: Callable[[str], None]) -> Dict[str, int]:
        """Counts the rows left out and the ids renamed (one pass), and says so."""
        from pyspark.sql import functions as F

        malformed = self.malformed.count()
        renamed = self.docs.where(F.col("occurrence") > 1).count()
        if malformed:
            first = self.malformed.orderBy("row").limit(5).collect()
            where = "; ".join(_place(r["row"], r["file"], r["id"]) for r in first)
            on_warning(
                f"{malformed} row(s) without an id or a text were left out ({where}"
                f"{'...' if malformed > len(first) else ''}); give every row an id and a text"
            )
        if renamed:
            on_warning(
                f"{renamed} document(s) repeat an earlier id and were renamed id#2, id#3... "
                "in input order, as the command line does"
            )
        return {"malformed": malformed, "renamed": renamed}


def pairs(
    df: Any,
    *,
    id_col: str = "id",
    text_col: str = "text",
    lang_col: Optional[str] = None,
    threshold: float = _DEFAULTS["threshold"],
    containment: float = _DEFAULTS["containment"],
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = _DEFAULTS["shingle_size"],
    lexicons: Optional[Mapping[str, str]] = None,
    on_warning: Optional[Callable[[str], None]] = None,
) -> Any:
    """Every related pair of the documents of ``df``, as a Spark DataFrame with the fields of
    ``twinwire pairs`` (:data:`PAIR_SCHEMA`; the measures of the other kind of relation are
    null): ``a``, ``b``, ``relation``, ``score`` and the measures. The pairs, relations and
    scores are those the command line finds on the same documents in the same order.

    df: a Spark DataFrame with an id column (any type, taken as text) and a text column
        (string); ``lang_col`` names a column of language codes (``fr``, ``en-GB``...; detected
        where null or absent). Rows without an id or a text are left out, counted and reported
        through ``on_warning`` (default: a ``UserWarning``), not a failed job; a repeated id is
        renamed ``id#2``... as the command line does.
    threshold, containment, relations, shingle_size, lexicons: as in :func:`twinwire.pairs`
        (lexicon files must be readable at the same path on every executor).
    """
    from pyspark.sql import functions as F

    options = _stage_options(threshold, containment, relations, shingle_size, lexicons)
    run = _Run(df, (id_col, text_col, lang_col), options, on_warning)
    lines = run.lines()
    if lines is None:
        return df.sparkSession.createDataFrame([], PAIR_SCHEMA)
    ids = run.docs.select("row", "id")
    return (
        lines.join(ids.withColumnRenamed("row", "a_row").withColumnRenamed("id", "a"), "a_row")
        .join(ids.withColumnRenamed("row", "b_row").withColumnRenamed("id", "b"), "b_row")
        .select(*[F.col(n).cast(t) for n, t in _fields(PAIR_SCHEMA)])
    )


# Spark's default for `spark.sql.maxPlanStringLength` (no bound).
_UNBOUNDED_PLAN_STRING = 2147483632


def _bound_plan_strings(spark: Any) -> None:
    """Bounds the plan descriptions Spark writes for its UI, unless the user set a bound.

    A stage kept (persisted) to feed two branches prints its whole plan wherever it is used, and
    these plans nest: unbounded, the description of a run's last query outgrew a 4 GB driver at
    100k documents (BENCHMARKS 20). The bound cuts only that text, never the work.
    """
    key = "spark.sql.maxPlanStringLength"
    # A size in bytes: Spark says "2147483632b".
    if str(spark.conf.get(key)).strip().lower().rstrip("b") == str(_UNBOUNDED_PLAN_STRING):
        spark.conf.set(key, "1000000")


class _Run:
    """One run's stages over the documents of a DataFrame (see the module documentation)."""

    def __init__(
        self,
        df: Any,
        columns: "tuple[str, str, Optional[str]]",
        options: Dict[str, Any],
        on_warning: Optional[Callable[[str], None]],
    ) -> None:
        from pyspark import StorageLevel
        from pyspark.sql import functions as F

        keep = StorageLevel.MEMORY_AND_DISK
        _bound_plan_strings(df.sparkSession)
        self.options = options
        self.rows = _Rows(df, *columns)
        self.rows.numbered.persist(keep)
        self.docs = self.rows.docs.select("row", "id", "text", "lang").persist(keep)
        self.report = self.rows.report(
            on_warning or (lambda m: warnings.warn(m, UserWarning, stacklevel=4))
        )
        self.features = (
            self.docs.select("row", "text")
            .mapInArrow(_features_kernel(options), _FEATURE_SCHEMA)
            .where(F.col("words") > 0)
            .persist(keep)
        )
        self.groups = self.features.groupBy("exact").agg(
            F.min("row").alias("rep"), F.sort_array(F.collect_list("row")).alias("copies")
        )
        self.reps = (
            self.features.hint("merge")
            .join(self.groups.select("rep", "copies"), self.features["row"] == self.groups["rep"])
            .drop("rep")
            .persist(keep)
        )

    def lines(self) -> Any:
        """Every related pair as (a_row, b_row, relation, the measures), or None when no
        relation is asked for."""
        options, reps = self.options, self.reps
        stages = _twinwire.Stages(options)
        parts = []
        if stages.wants_copies():
            candidates = _band_candidates(reps, stages)
            if stages.wants_containment():
                candidates = candidates.unionByName(_anchor_candidates(reps, options, stages))
            parts.append(_related(candidates.distinct(), reps, options))
            parts.append(_mates(self.groups, self.features, options))
        if stages.wants_translations():
            parts.append(_translations(reps, self.docs, options, stages))
        if not parts:
            return None
        lines = parts[0]
        for part in parts[1:]:
            lines = lines.unionByName(part, allowMissingColumns=True)
        return lines


def _fields(schema: str) -> "list[tuple[str, str]]":
    return [tuple(f.split()) for f in schema.split(", ")]  # type: ignore[misc]


def _band_candidates(reps: Any, stages: Any) -> Any:
    """Representatives sharing a MinHash band key in the same band, by the rule of the command
    line's tables: a pair that shares one band only is a candidate when its SimHashes are within
    ``one_band_hamming()`` bits. (first, second) rows."""
    from pyspark.sql import functions as F

    keyed = reps.select("row", "simhash", F.posexplode("bands").alias("band", "key"))
    x, y = keyed.alias("x"), keyed.hint("merge").alias("y")
    shared = (
        x.join(y, (F.col("x.band") == F.col("y.band")) & (F.col("x.key") == F.col("y.key")))
        .where(F.col("x.row") < F.col("y.row"))
        .groupBy(
            F.col("x.row").alias("first"),
            F.col("y.row").alias("second"),
            F.bit_count(F.col("x.simhash").bitwiseXOR(F.col("y.simhash"))).alias("hamming"),
        )
        .agg(F.count("*").alias("bands"))
    )
    kept = (F.col("bands") >= 2) | (F.col("hamming") <= stages.one_band_hamming())
    return shared.where(kept).select("first", "second")


def _anchor_candidates(reps: Any, options: Dict[str, Any], stages: Any) -> Any:
    """Containment candidates, by the rule of the command line's anchor index (see the module
    documentation): (first, second) rows."""
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    held = reps.select(
        "row",
        F.col("shingles").alias("size"),
        "words",
        F.posexplode("anchors").alias("pos", "anchor"),
    )
    postings = held.groupBy("anchor").agg(F.count("*").alias("count"))
    # Each of these feeds two branches below: kept, so that neither branch recomputes it (and
    # shuffles it again). One plan recomputed them: 2.7x the bytes at 100k (BENCHMARKS 20).
    keep = StorageLevel.MEMORY_AND_DISK
    counted = held.join(postings.hint("merge"), "anchor").persist(keep)
    per_doc = (
        counted.groupBy("row", "size", "words")
        .agg(F.sort_array(F.collect_list(F.struct("pos", "anchor", "count"))).alias("held"))
        .select(
            "row",
            "size",
            "words",
            F.col("held.anchor").alias("anchors"),
            F.col("held.count").cast("array<int>").alias("counts"),
        )
    )
    plans = per_doc.mapInArrow(
        _plans_kernel(options),
        "row long, size int, anchors array<int>, skipped array<boolean>, needed int, verified int",
    ).where(F.col("needed") >= 0)
    looked = (
        plans.select(
            F.col("row").alias("d"),
            F.col("size").alias("d_size"),
            "needed",
            "verified",
            F.explode(F.arrays_zip("anchors", "skipped")).alias("a"),
        )
        .select(
            "d",
            "d_size",
            "needed",
            "verified",
            F.col("a.anchors").alias("anchor"),
            F.col("a.skipped").alias("skipped"),
        )
        .persist(keep)
    )
    # Sizes are unknown before the tables are made: none of these joins is broadcast.
    holders = held.select("anchor", F.col("row").alias("o"), F.col("size").alias("o_size")).hint(
        "merge"
    )
    cap = stages.max_anchor_postings()
    hits = _hits(looked.where(~F.col("skipped")), counted.where(F.col("count") <= cap)).persist(
        keep
    )
    sure = hits.where(F.col("hits") >= F.col("verified")).select("d", "o")
    in_skipped = (
        hits.where(F.col("hits") < F.col("verified"))
        .join(looked.where(F.col("skipped")).select("d", "anchor").hint("merge"), "d")
        .join(holders.select("anchor", "o"), ["anchor", "o"])
        .groupBy("d", "o", "hits", "verified")
        .agg(F.count("*").alias("more"))
        .where(F.col("hits") + F.col("more") >= F.col("verified"))
        .select("d", "o")
    )
    return sure.unionByName(in_skipped).select(
        F.least("d", "o").alias("first"), F.greatest("d", "o").alias("second")
    )


def _hits(looked: Any, lookable: Any) -> Any:
    """(d, o, needed, verified, hits): the containers o at least as large as d holding at least
    `needed` of the anchors d looks up, as the command line counts them.

    `lookable` holds the (anchor, row, size) of the anchors held by at most
    ``max_anchor_postings`` documents, the only ones a plan looks up. Each anchor's holders
    travel as one array, cut to those at least as large as the looking document; the
    arrays are then moved to their looking document and counted there, so an anchor held by
    many documents and looked up by many does not make a row per (looker, holder) before the
    shuffle. The count after the shuffle needs none: rows are already partitioned by d.
    """
    from pyspark.sql import functions as F

    by_anchor = lookable.groupBy("anchor").agg(
        F.collect_list(F.struct(F.col("row"), F.col("size"))).alias("holders")
    )
    found = (
        looked.join(by_anchor.hint("merge"), "anchor")
        .select(
            "d",
            "needed",
            "verified",
            F.transform(
                F.filter(
                    "holders",
                    lambda h: (h["size"] >= F.col("d_size")) & (h["row"] != F.col("d")),
                ),
                lambda h: h["row"],
            ).alias("found"),
        )
        .where(F.size("found") > 0)
    )
    return (
        found.repartition("d")
        .select("d", "needed", "verified", F.explode("found").alias("o"))
        .groupBy("d", "o", "needed", "verified")
        .agg(F.count("*").alias("hits"))
        .where(F.col("hits") >= F.col("needed"))
    )


def _related(candidates: Any, reps: Any, options: Dict[str, Any]) -> Any:
    """The lines of the candidate pairs, every copy with every copy."""
    # Blobs and texts are never broadcast: their size is not known before they are made.
    side = reps.select("row", "blob", "copies").hint("merge")
    first = side.toDF("first", "first_blob", "first_copies")
    second = side.toDF("second", "second_blob", "second_copies")
    joined = candidates.join(first, "first").join(second, "second")
    return joined.select("first_blob", "second_blob", "first_copies", "second_copies").mapInArrow(
        _relate_kernel(options), _LINE_SCHEMA
    )


def _mates(groups: Any, features: Any, options: Dict[str, Any]) -> Any:
    """The lines between exact copies of one text."""
    from pyspark.sql import functions as F

    multi = groups.where(F.size("copies") > 1)
    withblob = multi.join(features.select(F.col("row").alias("rep"), "blob").hint("merge"), "rep")
    return withblob.select("blob", "copies").mapInArrow(_mates_kernel(options), _LINE_SCHEMA)


# ---------------------------------------------------------------------------------------------
# Translations


def _languages_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            raw = stages.languages(
                batch.column("text").to_pylist(), batch.column("lang").to_pylist()
            )
            keyed = pa.Array.from_buffers(
                pa.uint8(), len(raw["keyed"]), [None, pa.py_buffer(raw["keyed"])]
            ).cast(pa.bool_())
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("row"),
                    pa.array(raw["lang"], pa.string()),
                    keyed,
                    _lists(pa, _ints(pa, raw["keys"], pa.int32()), raw["key_offsets"]),
                ],
                names=["row", "lang", "keyed", "keys"],
            )

    return run


def _weights_kernel(
    options: Dict[str, Any], keyed: int
) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            dfs = batch.column("df").to_numpy(zero_copy_only=False).astype("<u4")
            weights = stages.key_weights(keyed, dfs.tobytes())
            yield pa.RecordBatch.from_arrays(
                [batch.column("key"), batch.column("df"), _ints(pa, weights, pa.int32())],
                names=["key", "df", "weight"],
            )

    return run


def _choose_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            hits = batch.column("hits")
            partners, offsets = _flat(_field(hits, "o"), "<i8")
            weights, _ = _flat(_field(hits, "weight"), "<u4")
            shared, _ = _flat(_field(hits, "shared"), "<u4")
            lengths, _ = _flat(_field(hits, "length"), "<u4")
            sig = batch.column("length").to_numpy(zero_copy_only=False).astype("<u4")
            raw = stages.choose_partners(sig.tobytes(), partners, weights, shared, lengths, offsets)
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("x"),
                    _lists(pa, _ints(pa, raw["chosen"], pa.int64()), raw["chosen_offsets"]),
                ],
                names=["x", "chosen"],
            )

    return run


def _field(column: Any, name: str) -> Any:
    """The list of one field of a list<struct> column, as a list column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    values = column.flatten().field(name)
    offsets = column.offsets
    return pa.ListArray.from_arrays(pc.subtract(offsets, offsets[0]), values)


def _translate_kernel(options: Dict[str, Any]) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            side = {
                p: tuple(batch.column(f"{p}_{c}").to_pylist() for c in ("text", "lang", "blob"))
                for p in ("first", "second")
            }
            c1, o1 = _flat(batch.column("first_copies"), "<i8")
            c2, o2 = _flat(batch.column("second_copies"), "<i8")
            raw = stages.translations(side["first"], side["second"], c1, o1, c2, o2)
            n = len(raw["a"]) // 8
            columns = [
                _ints(pa, raw["a"], pa.int64()),
                _ints(pa, raw["b"], pa.int64()),
                pa.array(["translation"] * n, pa.string()),
                _ints(pa, raw["score"], pa.float64()),
                pa.array(raw["lang_a"], pa.string()),
                pa.array(raw["lang_b"], pa.string()),
                _ints(pa, raw["coverage_a"], pa.float64()),
                _ints(pa, raw["coverage_b"], pa.float64()),
                _ints(pa, raw["aligned"], pa.int64()),
                _ints(pa, raw["sentences_a"], pa.int64()),
                _ints(pa, raw["sentences_b"], pa.int64()),
                _ints(pa, raw["similarity"], pa.float64()),
                _ints(pa, raw["raw_score"], pa.float64()),
            ]
            yield pa.RecordBatch.from_arrays(
                columns, names=[n for n, _ in _fields(_TRANSLATION_SCHEMA)]
            )

    return run


# Keys of the other languages broadcast to every task when at most this many.
_BROADCAST_KEYS = 5_000_000


def _majority(langs: Any) -> str:
    """The most common language of the keyed documents; on a tie, the one seen first in input
    order, as the command line chooses it."""
    from pyspark.sql import functions as F

    counts = langs.groupBy("lang").agg(F.count("*").alias("n"), F.min("row").alias("first"))
    best = max(counts.collect(), key=lambda r: (r["n"], -r["first"]))
    return str(best["lang"])


def _keys_in_two_languages(langs: Any, majority: str) -> Any:
    """(row, lang, key) for every key of every keyed document that some document outside the
    most common language has too: a key must be in two languages to be eligible, so the others
    (most keys of a mostly-English dump) are dropped before any counting shuffle, as the command
    line counts only those keys."""
    from pyspark.sql import functions as F

    others = (
        langs.where(F.col("lang") != majority).select(F.explode("keys").alias("key")).distinct()
    )
    n_other_keys = others.count()
    if n_other_keys <= _BROADCAST_KEYS:
        others = F.broadcast(others)
    held = langs.select("row", "lang", F.explode("keys").alias("key"))
    return held.join(others, "key", "left_semi")


def _translation_hits(signatures: Any, searching: Any) -> Any:
    """(x, x_length, o, length, weight, shared): for every document x of `searching` (rows of
    `signatures`), every document o in another language sharing signature keys with x, the
    summed weight and the number of those keys, with both signatures' lengths, as the command
    line's search from x counts them.

    Each key's documents travel as one array (with their language and signature length), met
    by the searching documents holding the key, cut to the other languages, and moved to the
    searching document (`repartition` by it), where they are counted with no further shuffle:
    no row is made per (document, partner, key) before the shuffle.
    """
    from pyspark.sql import functions as F

    by_key = signatures.groupBy("key").agg(
        F.collect_list(F.struct("row", "lang", "length")).alias("docs")
    )
    found = (
        searching.join(by_key.hint("merge"), "key")
        .select(
            F.col("row").alias("x"),
            F.col("length").alias("x_length"),
            "weight",
            F.filter("docs", lambda d: d["lang"] != F.col("lang")).alias("others"),
        )
        .where(F.size("others") > 0)
    )
    return (
        found.repartition("x")
        .select("x", "x_length", "weight", F.explode("others").alias("o"))
        .groupBy("x", "x_length", F.col("o.row").alias("o"), F.col("o.length").alias("length"))
        .agg(F.sum("weight").cast("int").alias("weight"), F.count("*").cast("int").alias("shared"))
    )


def _chosen(signatures: Any, searching: Any, options: Dict[str, Any]) -> Any:
    """(x, o): the partners each document of `searching` chooses (the Rust core's rule)."""
    from pyspark.sql import functions as F

    return (
        _translation_hits(signatures, searching)
        .groupBy("x", "x_length")
        .agg(F.collect_list(F.struct("o", "weight", "shared", "length")).alias("hits"))
        .select("x", F.col("x_length").alias("length"), "hits")
        .mapInArrow(_choose_kernel(options), "x long, chosen array<long>")
        .select("x", F.explode("chosen").alias("o"))
    )


def _mutual_choices(signatures: Any, majority: str, options: Dict[str, Any]) -> Any:
    """(x, o) for every choice that can make a mutual pair, as the command line searches: the
    documents outside the majority language search, then the majority documents they chose.
    A majority document no one chose cannot be in a mutual pair, so its search is not made
    (in a mostly-English dump, nearly every document)."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    keep = StorageLevel.MEMORY_AND_DISK
    sized = signatures.withColumn(
        "length", F.count("*").over(Window.partitionBy("row")).cast("int")
    )
    minority = _chosen(sized, sized.where(F.col("lang") != majority), options).persist(keep)
    named = minority.select(F.col("o").alias("row")).distinct()
    answering = sized.where(F.col("lang") == majority).join(named.hint("merge"), "row", "left_semi")
    return minority.unionByName(_chosen(sized, answering, options))


def _translations(reps: Any, docs: Any, options: Dict[str, Any], stages: Any) -> Any:
    """The translation lines between representatives, by the rules of the command line's
    translation candidate index (see :class:`twinwire._twinwire.Stages`): keys counted by
    shuffles, each document's signature and choice of partners made by the Rust core, pairs
    chosen from both sides aligned next to their texts."""
    from pyspark import StorageLevel
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    texts = reps.select("row").join(docs.select("row", "text", "lang").hint("merge"), "row")
    langs = (
        texts.mapInArrow(
            _languages_kernel(options), "row long, lang string, keyed boolean, keys array<int>"
        )
        .where(F.col("keyed"))
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    keyed = langs.count()
    spark = reps.sparkSession
    if keyed < 2:
        return spark.createDataFrame([], _TRANSLATION_SCHEMA)
    keep = StorageLevel.MEMORY_AND_DISK
    # `held` and `chosen` each feed two branches (a self-join for `chosen`): kept, so that
    # neither is recomputed and shuffled twice.
    majority = _majority(langs)
    held = _keys_in_two_languages(langs, majority).persist(keep)
    most = stages.max_key_postings(keyed)
    eligible = (
        held.groupBy("key", "lang")
        .agg(F.count("*").alias("in_lang"))
        .groupBy("key")
        .agg(F.sum("in_lang").alias("df"), F.count("*").alias("langs"))
        .where((F.col("df") >= 2) & (F.col("df") <= most) & (F.col("langs") >= 2))
        .select("key", F.col("df").cast("int").alias("df"))
        .mapInArrow(_weights_kernel(options, keyed), "key int, df int, weight int")
    )
    rarest = Window.partitionBy("row").orderBy("df", "key")
    signatures = (
        held.join(eligible.hint("merge"), "key")
        .withColumn("rank", F.row_number().over(rarest))
        .where(F.col("rank") <= stages.signature_size())
        .select("row", "lang", "key", "weight")
        .persist(keep)
    )
    chosen = _mutual_choices(signatures, majority, options).persist(keep)
    p, q = chosen.alias("p"), chosen.hint("merge").alias("q")
    candidates = (
        p.join(q, (F.col("p.x") == F.col("q.o")) & (F.col("p.o") == F.col("q.x")))
        .where(F.col("p.x") < F.col("p.o"))
        .select(F.col("p.x").alias("first"), F.col("p.o").alias("second"))
    )
    side = _texts_of(candidates, reps, docs, langs)
    first = side.toDF("first", "first_text", "first_lang", "first_blob", "first_copies")
    second = side.toDF("second", "second_text", "second_lang", "second_blob", "second_copies")
    return (
        candidates.join(first, "first")
        .join(second, "second")
        .drop("first", "second")
        .mapInArrow(_translate_kernel(options), _TRANSLATION_SCHEMA)
    )


# Rows of translation candidates sent to every task, to pick their texts without a shuffle of
# every text, when at most this many.
_BROADCAST_ROWS = 2_000_000


def _texts_of(candidates: Any, reps: Any, docs: Any, langs: Any) -> Any:
    """(row, text, lang, blob, copies) of the documents of the candidate pairs. They are few
    (a document's partners are capped): picked by a broadcast of their rows, so that the texts
    of the others do not move."""
    from pyspark.sql import functions as F

    rows = candidates.select(F.explode(F.array("first", "second")).alias("row")).distinct()
    few = [r[0] for r in rows.limit(_BROADCAST_ROWS + 1).collect()]
    if len(few) <= _BROADCAST_ROWS:
        # Made anew from the driver: a plan that does not carry the candidates' own.
        spark = candidates.sparkSession
        rows = F.broadcast(spark.createDataFrame([(r,) for r in few], "row long"))

    def pick(df: Any) -> Any:
        return df.join(rows, "row", "left_semi")

    return (
        pick(reps.select("row", "blob", "copies"))
        .join(pick(docs.select("row", "text")), "row")
        .join(pick(langs.select("row", "lang")), "row")
        .select("row", "text", "lang", "blob", "copies")
        .hint("merge")
    )


# ---------------------------------------------------------------------------------------------
# Dedupe

_DECISION_SCHEMA = (
    "doc long, kept_for long, relation string, score double, representative long, "
    "members array<long>, kept array<long>, min_similarity double, translations array<array<long>>"
)


def dedupe(
    df: Any,
    *,
    id_col: str = "id",
    text_col: str = "text",
    lang_col: Optional[str] = None,
    keep: str = "longest",
    threshold: float = _DEFAULTS["threshold"],
    containment: float = _DEFAULTS["containment"],
    relations: Optional[Iterable[str]] = None,
    shingle_size: int = _DEFAULTS["shingle_size"],
    lexicons: Optional[Mapping[str, str]] = None,
    on_warning: Optional[Callable[[str], None]] = None,
) -> "tuple[Any, Any, Any]":
    """The documents of ``df`` without their duplicates, as ``twinwire dedupe`` decides:
    ``(kept_df, removed_df, clusters_df)``.

    kept_df: the rows of ``df`` kept (every column as given; rows without an id or a text are
        left out and reported). removed_df: ``id``, ``duplicate_of``, ``relation``, ``score``.
    clusters_df: the lines of ``twinwire dedupe --clusters``: ``cluster``, ``representative``,
        ``members``, ``min_similarity``, ``kept``, ``translations``.
    keep: ``longest`` (most words, ties: first) or ``first`` (input order); ``core`` is not
        distributed yet. Clusters are settled one connected component of relations at a time,
        by the Rust core: no chaining, an article never removed for an excerpt it quotes,
        translations kept. The other parameters are those of :func:`pairs`.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    if keep not in ("longest", "first"):
        raise ValueError(
            f'keep: "{keep}" is not one of longest, first (core is not distributed yet)'
        )
    options = _stage_options(threshold, containment, relations, shingle_size, lexicons)
    run = _Run(df, (id_col, text_col, lang_col), options, on_warning)
    spark = df.sparkSession
    lines = run.lines()
    if lines is None:
        lines = spark.createDataFrame([], _LINE_SCHEMA)
    lines = lines.select(
        "a_row",
        "b_row",
        (F.array_position(F.array(*[F.lit(n) for n in _RELATION_NAMES]), F.col("relation")) - 1)
        .cast("int")
        .alias("code"),
        "raw_score",
        F.coalesce(F.col("raw_jaccard"), F.lit(0.0)).alias("raw_jaccard"),
    ).localCheckpoint()
    component = _components(lines.select(F.col("a_row").alias("u"), F.col("b_row").alias("v")))
    words = run.features.select("row", "words")
    members = (
        component.join(words, component["node"] == words["row"])
        .groupBy("component")
        .agg(F.sort_array(F.collect_list(F.struct("row", "words"))).alias("docs"))
    )
    edges = (
        lines.join(component, lines["a_row"] == component["node"])
        .groupBy("component")
        .agg(
            F.collect_list(F.struct("a_row", "b_row", "code", "raw_score", "raw_jaccard")).alias(
                "rels"
            )
        )
    )
    decisions = (
        members.join(edges, "component")
        .select("docs", "rels")
        .mapInArrow(_settle_kernel(options, keep), _DECISION_SCHEMA)
        .localCheckpoint()
    )
    ids = run.docs.select("row", "id")
    removed = (
        decisions.where(F.col("doc").isNotNull())
        .join(ids.toDF("doc", "id"), "doc")
        .join(ids.toDF("kept_for", "duplicate_of"), "kept_for")
        .select("doc", "id", "duplicate_of", "relation", "score")
    )
    kept = (
        run.rows.numbered.where(run.rows.good)
        .join(removed.select(F.col("doc").alias(_ROW)), _ROW, "left_anti")
        .orderBy(_ROW)
        .drop(_ROW)
    )
    groups = decisions.where(F.col("representative").isNotNull()).withColumn(
        "first", F.array_min("members")
    )
    numbered = groups.withColumn("cluster", F.row_number().over(Window.orderBy("first")) - 1)
    clusters = _named_clusters(numbered, ids)
    return kept, removed.orderBy("doc").drop("doc"), clusters


def _named_clusters(groups: Any, ids: Any) -> Any:
    """Groups with places replaced by ids (members and kept in their order)."""
    from pyspark.sql import functions as F

    def named(column: str) -> Any:
        exploded = groups.select("cluster", F.posexplode(column).alias("pos", "row"))
        return (
            exploded.join(ids, "row")
            .groupBy("cluster")
            .agg(F.sort_array(F.collect_list(F.struct("pos", "id"))).alias("named"))
            .select("cluster", F.col("named.id").alias(column))
        )

    pairs_ = groups.select("cluster", F.posexplode("translations").alias("pos", "pair"))
    translations = (
        pairs_.join(ids.toDF("ra", "ida"), F.col("pair")[0] == F.col("ra"))
        .join(ids.toDF("rb", "idb"), F.col("pair")[1] == F.col("rb"))
        .groupBy("cluster")
        .agg(
            F.sort_array(F.collect_list(F.struct("pos", F.array("ida", "idb").alias("p")))).alias(
                "t"
            )
        )
        .select("cluster", F.col("t.p").alias("translations"))
    )
    return (
        groups.select("cluster", "representative", "min_similarity")
        .join(ids.toDF("representative", "representative_id"), "representative")
        .join(named("members"), "cluster")
        .join(named("kept"), "cluster", "left")
        .join(translations, "cluster", "left")
        .select(
            "cluster",
            F.col("representative_id").alias("representative"),
            "members",
            F.when(F.isnan("min_similarity"), None)
            .otherwise(F.col("min_similarity"))
            .alias("min_similarity"),
            F.coalesce("kept", F.array().cast("array<string>")).alias("kept"),
            F.coalesce("translations", F.array().cast("array<array<string>>")).alias(
                "translations"
            ),
        )
        .orderBy("cluster")
    )


def _components(edges: Any) -> Any:
    """Connected components of an undirected graph of (u, v) edges: (node, component), the
    component named by its smallest node. Alternating large-star and small-star rounds (Kiveris
    et al., "Connected Components in MapReduce and Beyond", 2014) until the edges stop changing:
    O(log^2 n) rounds, each a few shuffles, no node's neighbours collected in one place."""
    from pyspark.sql import functions as F

    e = (
        edges.select(F.least("u", "v").alias("u"), F.greatest("u", "v").alias("v"))
        .where(F.col("u") != F.col("v"))
        .distinct()
        .localCheckpoint()
    )
    while True:
        both = e.unionByName(e.select(F.col("v").alias("u"), F.col("u").alias("v")))
        # Large star: every neighbour larger than x links to the smallest of x's neighbourhood.
        smallest = both.groupBy("u").agg(F.least(F.min("v"), F.col("u")).alias("m"))
        large = (
            both.where(F.col("v") > F.col("u"))
            .join(smallest, "u")
            .select(F.least("v", "m").alias("u"), F.greatest("v", "m").alias("v"))
            .where(F.col("u") != F.col("v"))
            .distinct()
        )
        # Small star: x and its smaller neighbours link to the smallest of them.
        down = large.select(F.col("v").alias("x"), F.col("u").alias("y"))
        least_below = down.groupBy("x").agg(F.min("y").alias("m"))
        small = (
            down.join(least_below, "x")
            .select("y", "m")
            .unionByName(least_below.select(F.col("x").alias("y"), "m"))
            .select(F.least("y", "m").alias("u"), F.greatest("y", "m").alias("v"))
            .where(F.col("u") != F.col("v"))
            .distinct()
            .localCheckpoint()
        )
        if small.count() == e.count() and small.exceptAll(e).isEmpty():
            break
        e = small
    return (
        e.select(F.col("v").alias("node"), F.col("u").alias("component"))
        .unionByName(e.select(F.col("u").alias("node"), F.col("u").alias("component")))
        .distinct()
    )


def _settle_kernel(options: Dict[str, Any], keep: str) -> Callable[[Iterator[Any]], Iterator[Any]]:
    def run(batches: Iterator[Any]) -> Iterator[Any]:
        import numpy as np
        import pyarrow as pa

        stages = _twinwire.Stages(options)
        for batch in batches:
            docs, rels = batch.column("docs"), batch.column("rels")
            places, doc_offsets = _flat(_field(docs, "row"), "<i8")
            words, _ = _flat(_field(docs, "words"), "<u4")
            a, rel_offsets = _flat(_field(rels, "a_row"), "<i8")
            b, _ = _flat(_field(rels, "b_row"), "<i8")
            code, _ = _flat(_field(rels, "code"), "u1")
            score, _ = _flat(_field(rels, "raw_score"), "<f8")
            jaccard, _ = _flat(_field(rels, "raw_jaccard"), "<f8")
            raw = stages.settle(
                keep, (places, words, doc_offsets), (a, b, code, score, jaccard, rel_offsets)
            )
            n_removed = len(raw["doc"]) // 8
            n_groups = len(raw["representative"]) // 8
            codes = np.frombuffer(raw["relation"], dtype="u1")
            names = np.array(_RELATION_NAMES, dtype=object)[codes].tolist()
            i64 = pa.int64()
            pairs_ = _ints(pa, raw["translations"], i64)
            pair_lists = pa.FixedSizeListArray.from_arrays(pairs_, 2).cast(pa.list_(i64))
            removed = pa.RecordBatch.from_arrays(
                [
                    _ints(pa, raw["doc"], i64),
                    _ints(pa, raw["kept_for"], i64),
                    pa.array(names, pa.string()),
                    _ints(pa, raw["score"], pa.float64()),
                    pa.nulls(n_removed, i64),
                    pa.nulls(n_removed, pa.list_(i64)),
                    pa.nulls(n_removed, pa.list_(i64)),
                    pa.nulls(n_removed, pa.float64()),
                    pa.nulls(n_removed, pa.list_(pa.list_(i64))),
                ],
                names=[n for n, _ in _fields(_DECISION_SCHEMA)],
            )
            grouped = pa.RecordBatch.from_arrays(
                [
                    pa.nulls(n_groups, i64),
                    pa.nulls(n_groups, i64),
                    pa.nulls(n_groups, pa.string()),
                    pa.nulls(n_groups, pa.float64()),
                    _ints(pa, raw["representative"], i64),
                    _lists(pa, _ints(pa, raw["members"], i64), raw["member_offsets"]),
                    _lists(pa, _ints(pa, raw["kept"], i64), raw["kept_offsets"]),
                    _ints(pa, raw["min_similarity"], pa.float64()),
                    _lists(pa, pair_lists, raw["translation_offsets"]),
                ],
                names=[n for n, _ in _fields(_DECISION_SCHEMA)],
            )
            yield removed
            yield grouped

    return run


# ---------------------------------------------------------------------------------------------
# The command line: spark-submit twinwire/spark.py INPUT --output DIR, or python -m twinwire.spark


def _read(spark: Any, paths: Sequence[str], fmt: Optional[str]) -> Any:
    kind = fmt or _format_of(paths[0])
    reader = spark.read
    if kind == "json":
        return reader.json(list(paths))
    if kind == "parquet":
        return reader.parquet(*paths)
    if kind == "csv":
        return reader.option("header", True).option("multiLine", True).csv(list(paths))
    raise ValueError(f"--format: {kind!r} is not one of json, parquet, csv")


def _format_of(path: str) -> str:
    lower = path.lower().rstrip("/")
    for ending, kind in (
        (".parquet", "parquet"),
        (".csv", "csv"),
        (".jsonl", "json"),
        (".json", "json"),
    ):
        if lower.endswith(ending) or lower.endswith(ending + ".gz"):
            return kind
    return "parquet"


def _arguments() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m twinwire.spark",
        description="twinwire on Spark: the pairs of INPUT (Parquet, JSON lines or CSV with id "
        "and text columns) written to DIR; with --dedupe, DIR/kept, DIR/removed and "
        "DIR/clusters instead. Run it with spark-submit on a cluster.",
    )
    parser.add_argument("input", nargs="+", help="files or directories Spark reads")
    parser.add_argument("--output", required=True, metavar="DIR", help="where to write")
    parser.add_argument("--dedupe", action="store_true", help="kept, removed and clusters")
    parser.add_argument("--keep", choices=["longest", "first"], default="longest")
    parser.add_argument(
        "--format",
        choices=["json", "parquet", "csv"],
        default=None,
        help="of INPUT (default: from its name; parquet)",
    )
    parser.add_argument("--output-format", choices=["parquet", "json"], default="parquet")
    parser.add_argument("--id-col", default="id")
    parser.add_argument("--text-col", default="text")
    parser.add_argument("--lang-col", default=None)
    parser.add_argument("--threshold", type=float, default=_DEFAULTS["threshold"])
    parser.add_argument("--containment", type=float, default=_DEFAULTS["containment"])
    parser.add_argument("--relations", default=None, help="comma-separated (default: all four)")
    parser.add_argument("--master", default=None, help="default: spark-submit's, or local[*]")
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m twinwire.spark INPUT... --output DIR``: exit 0, or 2 on bad input."""
    args = _arguments().parse_args(argv)
    from pyspark.errors import AnalysisException
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("twinwire")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    common: Dict[str, Any] = dict(
        id_col=args.id_col,
        text_col=args.text_col,
        lang_col=args.lang_col,
        threshold=args.threshold,
        containment=args.containment,
        relations=args.relations,
        on_warning=lambda m: print(f"warning: {m}", file=sys.stderr),
    )
    try:
        df = _read(spark, args.input, args.format)
        if args.dedupe:
            kept, removed, clusters = dedupe(df, keep=args.keep, **common)
            outputs = {"kept": kept, "removed": removed, "clusters": clusters}
        else:
            outputs = {"": pairs(df, **common)}
        for name, frame in outputs.items():
            target = f"{args.output.rstrip('/')}/{name}" if name else args.output
            writer = frame.write.mode("overwrite")
            (writer.json if args.output_format == "json" else writer.parquet)(target)
            print(f"twinwire: wrote {target}", file=sys.stderr)
    except (ValueError, AnalysisException) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    finally:
        spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
