#!/usr/bin/env python3
"""Reading speed per input format: the same documents as JSONL, gzip JSONL, Parquet and WARC.

    python3 benches/formats.py CORPUS.jsonl [--twinwire BIN] [--pages N] [--runs 3]

Writes CORPUS as Parquet (snappy, pyarrow's default row groups) and gzip JSONL beside it, and its
first N documents as HTML pages in a gzip WARC (one member per record, as Common Crawl writes them).
Times `twinwire export FILE -o /dev/null` on each (alternating, median of RUNS) and prints MB/s of
text read and documents/s. Needs pyarrow (pip install pyarrow).
"""

import argparse
import gzip
import html
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def page(title, text):
    body = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>"
            f"<body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav><article>"
            f"<h1>{html.escape(title)}</h1>{body}</article><footer>Example News</footer></body></html>")


def warc_record(uri, html_text):
    payload = html_text.encode("utf-8")
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + payload
    head = (f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {uri}\r\n"
            f"WARC-Date: 2024-09-18T10:00:00Z\r\nContent-Type: application/http; msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n").encode()
    return gzip.compress(head + http + b"\r\n\r\n", compresslevel=6)


def convert(corpus, pages):
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids, texts = [], []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            ids.append(rec["id"])
            texts.append(rec["text"])
    stem = corpus.with_suffix("")
    parquet = stem.with_suffix(".parquet")
    if not parquet.exists():
        pq.write_table(pa.table({"id": ids, "text": texts}), parquet, compression="snappy")
    gz = Path(str(corpus) + ".gz")
    if not gz.exists():
        with open(corpus, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
            dst.write(src.read())
    warc = stem.with_suffix(f".{pages}.warc.gz")
    if not warc.exists():
        with open(warc, "wb") as out:
            for i in range(min(pages, len(ids))):
                title = texts[i].split("\n", 1)[0][:80]
                out.write(warc_record(f"https://example.org/{ids[i]}", page(title, texts[i])))
    jsonl_pages = stem.with_suffix(f".{pages}.jsonl")
    if not jsonl_pages.exists():
        with open(jsonl_pages, "w", encoding="utf-8") as out:
            for i in range(min(pages, len(ids))):
                out.write(json.dumps({"id": ids[i], "text": texts[i]}) + "\n")
    return [("JSONL", corpus), ("JSONL, gzip", gz), ("Parquet (snappy)", parquet),
            (f"JSONL, first {pages} documents", jsonl_pages), (f"WARC.gz of HTML pages, same {pages}", warc)]


def time_export(binary, path):
    t = time.perf_counter()
    r = subprocess.run([binary, "export", str(path), "-o", "/dev/null"], capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if r.returncode != 0:
        sys.exit(f"{path}: {r.stderr}")
    return elapsed, r.stderr


def text_bytes_and_docs(binary, path):
    out = subprocess.run([binary, "export", str(path), "-o", "-", "-q"], capture_output=True, check=True).stdout
    docs = 0
    size = 0
    for line in out.splitlines():
        docs += 1
        size += len(json.loads(line)["text"].encode("utf-8"))
    return size, docs


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--twinwire", default=str(ROOT / "target" / "release" / "twinwire"))
    ap.add_argument("--pages", type=int, default=20000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    inputs = convert(args.corpus, args.pages)
    times = {name: [] for name, _ in inputs}
    for _ in range(args.runs):
        for name, path in inputs:
            times[name].append(time_export(args.twinwire, path)[0])
    print("| input | file size | text read | documents | median wall | text MB/s | documents/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, path in inputs:
        size, docs = text_bytes_and_docs(args.twinwire, path)
        t = statistics.median(times[name])
        print(f"| {name} | {os.path.getsize(path) / 1e6:.1f} MB | {size / 1e6:.1f} MB | {docs} | {t:.2f} s "
              f"| {size / 1e6 / t:.0f} | {docs / t:.0f} |")


if __name__ == "__main__":
    main()
