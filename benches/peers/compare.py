"""Time twinwire and MinHash-LSH peers on one corpus; score each against exact ground truth.

Ground truth: every pair whose word-3-shingle Jaccard resemblance is >= THRESHOLD, computed exactly
by `twinwire pairs --exhaustive` (all pairs scored, no sketch), cached beside the corpus.

Each peer is given the texts already in memory (JSON parsing is not timed for them), and its own
word tokenizer (lowercased \\w+ runs, 3-grams); twinwire is timed end to end as a process, reading
the JSONL itself. Peers' candidate pairs are kept when their MinHash estimate is >= THRESHOLD, which
is what their users do; gaoya does that inside its query.
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

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


def run_twinwire(args):
    out = f"{args.corpus}.twinwire-pairs.jsonl"
    t = time.perf_counter()
    subprocess.run([args.twinwire] + twinwire_args(args) + ["-o", out], check=True)
    return time.perf_counter() - t, pair_set(out, {"exact", "near_duplicate"})


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


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("corpus", help="JSONL with id and text fields (twinwire export writes one)")
    p.add_argument("--twinwire", required=True)
    p.add_argument("--truth", help="exhaustive twinwire pairs (default: computed and cached)")
    p.add_argument("--k", type=int, default=3)
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--repeat", type=int, default=3, help="runs per tool under 30 s; the median is kept")
    p.add_argument("--peers", default="gaoya,datasketch,rensa")
    p.add_argument("--json", help="also write the results here")
    args = p.parse_args()

    gold = truth(args)
    ids, texts = load(args.corpus)
    tools = [("twinwire", lambda: run_twinwire(args))]
    runners = {"gaoya": run_gaoya, "datasketch": run_datasketch, "rensa": run_rensa}
    for name in args.peers.split(","):
        if name:
            tools.append((name, lambda r=runners[name]: r(ids, texts, args)))

    rows = []
    for name, run in tools:
        times, pairs = [], None
        while True:
            seconds, pairs = run()
            times.append(seconds)
            if len(times) >= args.repeat or seconds > 30:
                break
        found = len(pairs & gold)
        rows.append(
            {
                "tool": name,
                "seconds": statistics.median(times),
                "runs": len(times),
                "pairs": len(pairs),
                "recall": found / len(gold) if gold else 1.0,
                "precision": found / len(pairs) if pairs else 1.0,
            }
        )
        print(f"  {name}: {rows[-1]}", file=sys.stderr)

    base = rows[0]["seconds"]
    print(f"corpus: {args.corpus} ({len(texts)} documents), truth: {len(gold)} pairs with "
          f"word-{args.k}-shingle Jaccard >= {args.threshold}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {time.strftime('%Y-%m-%d')}")
    print()
    print("| tool | seconds (median) | runs | x twinwire time | pairs | recall | precision |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['tool']} | {r['seconds']:.2f} | {r['runs']} | {r['seconds'] / base:.1f} | {r['pairs']} "
              f"| {r['recall']:.4f} | {r['precision']:.4f} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"corpus": args.corpus, "documents": len(texts), "truth": len(gold), "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
