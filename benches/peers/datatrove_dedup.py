"""datatrove's MinHash deduplication, as its README runs it, on one JSONL corpus; prints its clusters.

Runs in datatrove's own virtual environment (compare.py starts it as a process):

    python datatrove_dedup.py CORPUS.jsonl WORKDIR [--ngrams 3 --buckets 20 --hashes 5 --workers 2]

The corpus is cut in one shard per worker (datatrove reads one file per task). The four stages of datatrove's `examples/minhash_deduplication.py`: signatures, buckets (one task
per bucket: the bucket stage needs a task count that is a multiple of the bucket count), clusters
(one task, cluster ids saved), filter (kept and removed documents written). Writes
WORKDIR/clusters.json: {"kept": [[id, cluster], ...], "removed": [[id, cluster], ...]} where
cluster is `metadata.minhash_cluster_id` (-1 for a document in no cluster).
"""

import argparse
import gzip
import json
import os
import shutil

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import (
    MinhashConfig,
    MinhashDedupBuckets,
    MinhashDedupCluster,
    MinhashDedupFilter,
    MinhashDedupSignature,
)
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter
from datatrove.utils.hashing import HashConfig


def main():
    p = argparse.ArgumentParser()
    p.add_argument("corpus")
    p.add_argument("workdir")
    p.add_argument("--ngrams", type=int, default=3)
    p.add_argument("--buckets", type=int, default=20)
    p.add_argument("--hashes", type=int, default=5)
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args()

    work = os.path.abspath(a.workdir)
    shutil.rmtree(work, ignore_errors=True)
    config = MinhashConfig(
        n_grams=a.ngrams,
        num_buckets=a.buckets,
        hashes_per_bucket=a.hashes,
        hash_config=HashConfig(precision=64),
    )
    shards = split(a.corpus, f"{work}/input", a.workers)

    def reader():
        return JsonlReader(f"{work}/input", glob_pattern="*.jsonl", text_key="text", id_key="id")

    def run(pipeline, tasks, workers, name):
        LocalPipelineExecutor(
            pipeline=pipeline, tasks=tasks, workers=workers, logging_dir=f"{work}/logs/{name}"
        ).run()

    # One input file is one task: the corpus is cut in one shard per worker.
    run([reader(), MinhashDedupSignature(output_folder=f"{work}/sigs", config=config)], shards, a.workers, "sigs")
    run(
        [MinhashDedupBuckets(input_folder=f"{work}/sigs", output_folder=f"{work}/buckets", config=config)],
        a.buckets,
        a.workers,
        "buckets",
    )
    run(
        [
            MinhashDedupCluster(
                input_folder=f"{work}/buckets",
                output_folder=f"{work}/remove",
                config=config,
                save_cluster_id=True,
            )
        ],
        1,
        1,
        "clusters",
    )
    run(
        [
            reader(),
            MinhashDedupFilter(
                input_folder=f"{work}/remove",
                exclusion_writer=JsonlWriter(f"{work}/removed", compression=None),
                load_cluster_ids=True,
            ),
            JsonlWriter(f"{work}/kept", compression=None),
        ],
        shards,
        a.workers,
        "filter",
    )
    out = {"kept": read_clusters(f"{work}/kept"), "removed": read_clusters(f"{work}/removed")}
    with open(f"{work}/clusters.json", "w") as f:
        json.dump(out, f)


def split(corpus, folder, n):
    """Cuts the corpus in n contiguous shards (input order kept); returns how many."""
    os.makedirs(folder)
    with open(corpus, encoding="utf-8") as f:
        lines = f.readlines()
    size = -(-len(lines) // n)
    for i in range(n):
        with open(f"{folder}/{i:03d}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(lines[i * size : (i + 1) * size])
    return n


def read_clusters(folder):
    rows = []
    if not os.path.isdir(folder):
        return rows
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rt", encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                rows.append([d["id"], d.get("metadata", {}).get("minhash_cluster_id", -1)])
    return rows


if __name__ == "__main__":
    main()
