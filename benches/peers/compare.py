"""twinwire and the dedup tools people run, side by side on one corpus: speed, memory, pairs and clusters.

Ground truth: every pair whose word-3-shingle Jaccard resemblance is >= THRESHOLD, computed exactly
by `twinwire pairs --exhaustive` (all pairs scored, no sketch), cached beside the corpus.

Tools:
- twinwire: `pairs` (its pairs) and `dedupe --clusters --removed` (its clusters and who is removed
  for whom), each timed end to end as a process reading the JSONL.
- gaoya, datasketch, rensa (MinHash-LSH indexes a user calls from Python): each in its own process,
  given the texts already in memory (JSON parsing not timed), their own word tokenizer (lowercased
  \\w+ runs, k-grams); candidates kept when their MinHash estimate is >= THRESHOLD, as their users
  do. They make no clusters: clusters are the connected components of their pairs (union-find, as
  their users do), the first document of each in input order kept.
- "twinwire pairs + union-find": twinwire's exact pairs clustered as the indexes' are (connected
  components, first document kept): the same pairs without dedupe's chaining guard, to show the guard.
- text-dedup 0.4 (`python -m text_dedup.minhash`) and datatrove 0.10.1 (its four MinHash stages), each
  in its own virtual environment, timed as processes. They make clusters and write no pairs.

Every tool is scored on pairs and on clusters: pairs derived from clusters (every pair within a
cluster) against the truth; the share of removed documents whose kept representative is a true twin
of them (J >= THRESHOLD); removed documents unrelated to what they were removed for (word-k-shingle
Jaccard < 0.2, computed here); true twin pairs of which both documents were kept (duplicates left
in); the largest cluster; documents lost (in neither output). Peak memory is
the largest total resident size of the tool's process tree, polled every 20 ms.
"""

import argparse
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

WORD = re.compile(r"\w+")


def shingles(text, k):
    words = WORD.findall(text.lower())
    if len(words) < k:
        return [" ".join(words)] if words else []
    return [" ".join(words[i : i + k]) for i in range(len(words) - k + 1)]


def load(corpus):
    ids, texts = [], []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            ids.append(d["id"])
            texts.append(d["text"])
    return ids, texts


def pair_set(path, relations):
    out = set()
    with open(path) as f:
        for line in f:
            d = json.loads(line)
            if d["relation"] in relations:
                out.add(tuple(sorted((d["a"], d["b"]))))
    return out


def twinwire_args(args):
    return [
        "pairs",
        "--relations",
        "exact,near_duplicate",
        "--shingle-size",
        str(args.k),
        "--threshold",
        str(args.threshold),
        "--quiet",
        args.corpus,
    ]


def truth(args):
    path = args.truth or f"{args.corpus}.truth-k{args.k}-t{args.threshold}.jsonl"
    if not os.path.exists(path):
        print(f"computing exact ground truth with --exhaustive into {path} ...", file=sys.stderr)
        with open(path + ".tmp", "w") as out:
            subprocess.run([args.twinwire] + twinwire_args(args) + ["--exhaustive"], stdout=out, check=True)
        os.rename(path + ".tmp", path)
    return pair_set(path, {"exact", "near_duplicate"})


def run_twinwire_pairs(args, work):
    out = os.path.join(work, "twinwire-pairs.jsonl")
    seconds, rss = timed_process([args.twinwire] + twinwire_args(args) + ["-o", out])
    return Outcome(seconds, rss, pairs=pair_set(out, {"exact", "near_duplicate"}))


def run_twinwire_dedupe(args, work):
    kept, removed, clusters = (os.path.join(work, f"twinwire-{n}.jsonl") for n in ("kept", "removed", "clusters"))
    command = [args.twinwire, "dedupe"] + twinwire_args(args)[1:] + ["-o", kept, "--removed", removed, "--clusters", clusters]
    seconds, rss = timed_process(command)
    with open(kept) as f:
        kept_ids = [json.loads(line)["id"] for line in f]
    representative_of, groups = {}, []
    with open(removed) as f:
        for line in f:
            d = json.loads(line)
            representative_of[d["id"]] = d["duplicate_of"]
    with open(clusters) as f:
        for line in f:
            groups.append(json.loads(line)["members"])
    return Outcome(seconds, rss, kept=kept_ids, representative_of=representative_of, clusters=groups)


def run_gaoya(ids, texts, args):
    from gaoya.minhash import MinHashStringIndex

    t = time.perf_counter()
    index = MinHashStringIndex(
        hash_size=32,
        jaccard_threshold=args.threshold,
        num_bands=42,
        band_size=3,
        analyzer="word",
        lowercase=True,
        ngram_range=(args.k, args.k),
    )
    index.par_bulk_insert_docs(list(range(len(texts))), texts)
    results = index.par_bulk_query(texts)
    elapsed = time.perf_counter() - t
    pairs = set()
    for i, found in enumerate(results):
        for j in found:
            if j != i:
                pairs.add(tuple(sorted((ids[i], ids[j]))))
    return elapsed, pairs


def verified_pairs(ids, sketches, lsh, threshold):
    """The LSH candidates of each document whose MinHash estimate reaches the threshold."""
    pairs = set()
    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            if j != i and m.jaccard(sketches[j]) >= threshold:
                pairs.add(tuple(sorted((ids[i], ids[j]))))
    return pairs


def run_datasketch(ids, texts, args):
    from datasketch import MinHash, MinHashLSH

    t = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=128)
    sketches = []
    for i, text in enumerate(texts):
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([s.encode("utf-8") for s in shingles(text, args.k)])
        sketches.append(m)
        lsh.insert(i, m)
    pairs = verified_pairs(ids, sketches, lsh, args.threshold)
    return time.perf_counter() - t, pairs


def run_rensa(ids, texts, args):
    from rensa import RMinHash, RMinHashLSH

    t = time.perf_counter()
    lsh = RMinHashLSH(threshold=args.threshold, num_perm=128, num_bands=32)
    sketches = []
    for i, text in enumerate(texts):
        m = RMinHash(num_perm=128, seed=42)
        m.update(shingles(text, args.k))
        sketches.append(m)
        lsh.insert(i, m)
    pairs = verified_pairs(ids, sketches, lsh, args.threshold)
    return time.perf_counter() - t, pairs


def run_twinwire_python(ids, texts, args):
    """The twinwire Python package (`pip install ./python`), the texts in memory like the others'."""
    import twinwire

    docs = list(zip(ids, texts))
    t = time.perf_counter()
    found = twinwire.pairs(
        docs, threshold=args.threshold, shingle_size=args.k, relations=["exact", "near_duplicate"]
    )
    elapsed = time.perf_counter() - t
    return elapsed, {tuple(sorted((p["a"], p["b"]))) for p in found}


PEERS_IN_PYTHON = {
    "gaoya": run_gaoya,
    "datasketch": run_datasketch,
    "rensa": run_rensa,
    "twinwire-python": run_twinwire_python,
}


@dataclass
class Outcome:
    """What one run of a tool gave: its time and memory, its pairs if it writes pairs, its clusters."""

    seconds: float
    peak_rss: int
    pairs: set | None = None
    kept: list | None = None
    representative_of: dict = field(default_factory=dict)
    clusters: list = field(default_factory=list)


def timed_process(command, env=None, cwd=None):
    """Runs command; returns (wall seconds, peak resident bytes over its process tree)."""
    import psutil

    t = time.perf_counter()
    proc = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    watched = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = [watched] + watched.children(recursive=True)
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.02)
    seconds = time.perf_counter() - t
    stderr = proc.stderr.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return seconds, peak


def run_python_peer(name, args, work):
    """A Python peer in its own process (its memory is its own); it reports its time without parsing."""
    out = os.path.join(work, f"{name}-pairs.json")
    command = [sys.executable, os.path.abspath(__file__), args.corpus, "--twinwire", args.twinwire,
               "--run-peer", name, "--peer-output", out, "--k", str(args.k), "--threshold", str(args.threshold)]
    _, rss = timed_process(command)
    with open(out) as f:
        d = json.load(f)
    pairs = {tuple(p) for p in d["pairs"]}
    return Outcome(d["seconds"], rss, pairs=pairs)


def peer_process_main(args):
    """--run-peer: one peer on the corpus, pairs and time written to --peer-output."""
    ids, texts = load(args.corpus)
    seconds, pairs = PEERS_IN_PYTHON[args.run_peer](ids, texts, args)
    with open(args.peer_output, "w") as f:
        json.dump({"seconds": seconds, "pairs": sorted(pairs)}, f)


def venv_python(name):
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), f".venv-{name}", "bin", "python")


def run_text_dedup(args, work):
    out = os.path.join(work, "text-dedup")
    subprocess.run(["rm", "-rf", out], check=True)
    env = dict(os.environ, HF_DATASETS_OFFLINE="1", HF_HUB_OFFLINE="1", HF_DATASETS_CACHE=os.path.join(work, "hf-cache"))
    command = [venv_python("text-dedup"), "-m", "text_dedup.minhash", "--path", "json", "--data_files",
               os.path.abspath(args.corpus), "--split", "train", "--column", "text", "--idx_column", "id",
               "--output", out, "--threshold", str(args.threshold), "--ngram", str(args.k),
               "--num_perm", "250", "--num_proc", str(os.cpu_count()), "--debug"]
    seconds, rss = timed_process(command, env=env, cwd=work)
    here = os.path.dirname(os.path.abspath(__file__))
    subprocess.run([venv_python("text-dedup"), os.path.join(here, "text_dedup_clusters.py"), out], check=True)
    return outcome_of_cluster_ids(seconds, rss, os.path.join(out, "clusters.json"))


def run_datatrove(args, work):
    out = os.path.join(work, "datatrove")
    here = os.path.dirname(os.path.abspath(__file__))
    command = [venv_python("datatrove"), os.path.join(here, "datatrove_dedup.py"), os.path.abspath(args.corpus), out,
               "--ngrams", str(args.k), "--buckets", "20", "--hashes", "5", "--workers", str(os.cpu_count())]
    seconds, rss = timed_process(command, cwd=work)
    return outcome_of_cluster_ids(seconds, rss, os.path.join(out, "clusters.json"))


def outcome_of_cluster_ids(seconds, rss, path):
    """Kept and removed documents with cluster ids -> clusters, and each removed one's kept document."""
    with open(path) as f:
        d = json.load(f)
    members, kept_in = {}, {}
    for doc, cluster in d["kept"]:
        if cluster != -1:
            members.setdefault(cluster, []).append(doc)
            kept_in.setdefault(cluster, doc)
    representative_of = {}
    for doc, cluster in d["removed"]:
        members.setdefault(cluster, []).append(doc)
        if cluster in kept_in:
            representative_of[doc] = kept_in[cluster]
    clusters = [m for m in members.values() if len(m) > 1]
    kept = [doc for doc, _ in d["kept"]]
    return Outcome(seconds, rss, kept=kept, representative_of=representative_of, clusters=clusters)


def components(ids, pairs):
    """Connected components of pairs (union-find); in each, the first document in input order is kept."""
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb, key=ids.index_of)] = min(ra, rb, key=ids.index_of)
    groups = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    clusters = [sorted(m, key=ids.index_of) for m in groups.values() if len(m) > 1]
    representative_of = {x: c[0] for c in clusters for x in c[1:]}
    removed = set(representative_of)
    kept = [i for i in ids if i not in removed]
    return kept, representative_of, clusters


class Ids(list):
    """Document ids in input order, with their positions."""

    def __init__(self, ids):
        super().__init__(ids)
        self.position = {d: i for i, d in enumerate(ids)}

    def index_of(self, d):
        return self.position[d]


def score_clusters(outcome, ids, texts, gold, args):
    """Pairwise precision and recall of within-cluster pairs, and how removed documents fare."""
    cluster_of = {}
    for c, members in enumerate(outcome.clusters):
        for m in members:
            cluster_of[m] = c
    derived = sum(len(m) * (len(m) - 1) // 2 for m in outcome.clusters)
    found = sum(1 for a, b in gold if a in cluster_of and cluster_of.get(b) == cluster_of[a])
    removed = outcome.representative_of
    true_twin = sum(1 for d, r in removed.items() if tuple(sorted((d, r))) in gold)
    text_of = dict(zip(ids, texts))
    unrelated = sum(
        1 for d, r in removed.items()
        if tuple(sorted((d, r))) not in gold and jaccard(text_of[d], text_of[r], args.k) < UNRELATED
    )
    kept = set(outcome.kept)
    both_kept = sum(1 for a, b in gold if a in kept and b in kept)
    accounted = len(outcome.kept) + len(removed)
    return {
        "cluster_pairs": derived,
        "cluster_recall": found / len(gold) if gold else 1.0,
        "cluster_precision": found / derived if derived else 1.0,
        "kept": len(outcome.kept),
        "removed": len(removed),
        "removed_for_a_true_twin": true_twin / len(removed) if removed else 1.0,
        "removed_for_an_unrelated_document": unrelated,
        "true_twins_both_kept": both_kept,
        "largest_cluster": max((len(m) for m in outcome.clusters), default=1),
        "lost": len(ids) - accounted,
    }


UNRELATED = 0.2


def jaccard(a, b, k):
    sa, sb = set(shingles(a, k)), set(shingles(b, k))
    return len(sa & sb) / len(sa | sb) if sa or sb else 1.0


def score_pairs(pairs, gold):
    if pairs is None:
        return {"pairs": None, "recall": None, "precision": None}
    found = len(pairs & gold)
    return {
        "pairs": len(pairs),
        "recall": found / len(gold) if gold else 1.0,
        "precision": found / len(pairs) if pairs else 1.0,
    }


def median_run(run, repeat):
    """Runs until `repeat` runs or one over 30 s; the run of median time."""
    outcomes = []
    while True:
        outcomes.append(run())
        if len(outcomes) >= repeat or outcomes[-1].seconds > 30:
            break
    outcomes.sort(key=lambda o: o.seconds)
    middle = outcomes[len(outcomes) // 2]
    middle.runs = len(outcomes)
    return middle


def tools(args, ids, work):
    """(name, run) for every tool asked for, twinwire first."""
    out = [("twinwire", lambda: combined_twinwire(args, work))]
    # The chaining guard's effect alone: twinwire's own pairs, clustered as the indexes' are.
    out.append(("twinwire pairs + union-find", lambda: with_components(run_twinwire_pairs(args, work), ids)))
    for name in filter(None, args.peers.split(",")):
        if name in PEERS_IN_PYTHON:
            out.append((name, lambda n=name: with_components(run_python_peer(n, args, work), ids)))
        elif name == "text-dedup":
            out.append((name, lambda: run_text_dedup(args, work)))
        elif name == "datatrove":
            out.append((name, lambda: run_datatrove(args, work)))
        else:
            sys.exit(f"unknown peer {name!r}: use gaoya, datasketch, rensa, twinwire-python, text-dedup, datatrove")
    return out


def combined_twinwire(args, work):
    """twinwire's pairs run for its pairs, its dedupe run for its clusters; the time is dedupe's."""
    pairs = run_twinwire_pairs(args, work)
    dedupe = run_twinwire_dedupe(args, work)
    dedupe.pairs = pairs.pairs
    dedupe.pairs_seconds = pairs.seconds
    return dedupe


def with_components(outcome, ids):
    outcome.kept, outcome.representative_of, outcome.clusters = components(ids, outcome.pairs)
    return outcome


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("corpus", help="JSONL with id and text fields (twinwire export writes one)")
    p.add_argument("--twinwire", required=True)
    p.add_argument("--truth", help="exhaustive twinwire pairs (default: computed and cached)")
    p.add_argument("--k", type=int, default=3)
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--repeat", type=int, default=3, help="runs per tool under 30 s; the median is kept")
    p.add_argument("--peers", default="gaoya,datasketch,rensa,text-dedup,datatrove")
    p.add_argument("--json", help="also write the results here")
    p.add_argument("--run-peer", help=argparse.SUPPRESS)
    p.add_argument("--peer-output", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.run_peer:
        return peer_process_main(args)

    import tempfile

    gold = truth(args)
    raw_ids, texts = load(args.corpus)
    ids = Ids(raw_ids)
    rows = []
    with tempfile.TemporaryDirectory(prefix="twinwire-peers-") as work:
        for name, run in tools(args, ids, work):
            o = median_run(run, args.repeat)
            row = {"tool": name, "seconds": o.seconds, "runs": o.runs, "peak_rss_mb": o.peak_rss / 1e6}
            row.update(score_pairs(o.pairs, gold))
            row.update(score_clusters(o, ids, texts, gold, args))
            rows.append(row)
            print(f"  {name}: {row}", file=sys.stderr)
    print_tables(args, rows, len(texts), len(gold))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"corpus": args.corpus, "documents": len(texts), "truth": len(gold), "rows": rows}, f, indent=1)


def floor4(x):
    """Four decimals, rounded down: one pair missed in 60,000 does not print as 1.0000."""
    return f"{math.floor(x * 1e4) / 1e4:.4f}"


def print_tables(args, rows, documents, truth_pairs):
    base = rows[0]["seconds"]
    print(f"corpus: {args.corpus} ({documents} documents), truth: {truth_pairs} pairs with "
          f"word-{args.k}-shingle Jaccard >= {args.threshold}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    print()
    print("| tool | seconds (median) | runs | x twinwire time | peak memory MB | pairs it reports | recall | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        pairs = "-" if r["pairs"] is None else f"{r['pairs']} | {floor4(r['recall'])} | {floor4(r['precision'])}"
        if r["pairs"] is None:
            pairs = "- | - | -"
        print(f"| {r['tool']} | {r['seconds']:.2f} | {r['runs']} | {r['seconds'] / base:.1f} | {r['peak_rss_mb']:.0f} | {pairs} |")
    print()
    print("| tool | clusters' pairs | recall | precision | largest cluster | kept | removed | removed for a true twin "
          f"| removed for an unrelated document (J < {UNRELATED}) | true twins both kept | lost |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['tool']} | {r['cluster_pairs']} | {floor4(r['cluster_recall'])} | {floor4(r['cluster_precision'])} "
              f"| {r['largest_cluster']} | {r['kept']} | {r['removed']} | {floor4(r['removed_for_a_true_twin'])} "
              f"| {r['removed_for_an_unrelated_document']} | {r['true_twins_both_kept']} | {r['lost']} |")


if __name__ == "__main__":
    main()
