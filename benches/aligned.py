#!/usr/bin/env python3
"""Aligned sentences against the WMT truth: segment i of a French test-set document translates
segment i of the English document with the same docid.

    python3 benches/aligned.py [--twinwire BIN]

Runs `twinwire pairs --relations translation --aligned-sentences` on every French and English WMT
test set in ../shared/data/wmt-dev, maps each aligned group's sentences back to the segments they come
from, and counts links (a group of segments i..j on one side and k..l on the other links every pair):
precision is the share of links that join a segment to its own translation; recall the share of the
segments of the found pairs whose translation is linked to them (and of every WMT segment, counting the
documents whose pair was not found as missed).
"""

import argparse
import html
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("TWINWIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def norm(s):
    return " ".join(s.split())


def segments(path):
    """docid -> list of segment texts, for one SGML file."""
    text = path.read_text(encoding="utf-8", errors="replace")
    out = {}
    for doc in re.finditer(r"<doc [^>]*docid=\"([^\"]+)\"[^>]*>(.*?)</doc>", text, re.S):
        out[doc.group(1)] = [norm(html.unescape(s)) for s in re.findall(r"<seg[^>]*>(.*?)</seg>", doc.group(2), re.S)]
    return out


def locate(group_text, segs):
    """Indices of the segments a group's text comes from."""
    t = norm(group_text)
    found = [k for k, s in enumerate(segs) if s and (s in t or t in s)]
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--twinwire", default=str(ROOT / "target" / "release" / "twinwire"))
    args = ap.parse_args()
    wmt = DATA / "wmt-dev"
    if not wmt.is_dir():
        print(f"SKIPPED: needs {wmt}", file=sys.stderr)
        return
    files = sorted(p for p in wmt.glob("*.sgm") if p.name.endswith((".fr.sgm", ".en.sgm")))
    segs = {}
    for f in files:
        stem = f.name[: -len(".sgm")]
        for docid, s in segments(f).items():
            segs[f"{stem}#{docid}"] = s
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "aligned.jsonl"
        pairs = subprocess.run(
            [args.twinwire, "pairs", *map(str, files), "--relations", "translation", "--aligned-sentences", str(out), "-q"],
            check=True, capture_output=True, text=True,
        ).stdout
        groups = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    pairs = [json.loads(l) for l in pairs.splitlines()]

    def same_story(a, b):
        return a.split("#", 1)[1] == b.split("#", 1)[1] and a.split("#")[0][:-3] == b.split("#")[0][:-3]

    true_pairs = [p for p in pairs if same_story(p["a"], p["b"])]
    links = correct = unplaced = 0
    linked = set()
    for g in groups:
        ka, kb = locate(g["text_a"], segs[g["a"]]), locate(g["text_b"], segs[g["b"]])
        if not ka or not kb:
            unplaced += 1
            continue
        for i in ka:
            for j in kb:
                links += 1
                if same_story(g["a"], g["b"]) and i == j:
                    correct += 1
                    linked.add((g["a"], i))
    in_found = sum(len(segs[p["a"]]) for p in true_pairs)
    # Every French document with an English one of the same docid in the same test set.
    all_gold = sum(len(s) for d, s in segs.items() if ".fr#" in d and d.replace(".fr#", ".en#") in segs)
    recall_found = len(linked) / max(in_found, 1)
    print(f"{len(pairs)} translation pairs ({len(true_pairs)} true), {len(groups)} aligned groups, "
          f"{unplaced} not placed on segments")
    print("| links | correct | precision | segments of found pairs linked right | recall (found pairs) | recall (all WMT fr/en segments) |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(f"| {links} | {correct} | {correct / max(links, 1):.4f} | {len(linked)} of {in_found} | {recall_found:.4f} "
          f"| {len(linked) / max(all_gold, 1):.4f} |")


if __name__ == "__main__":
    main()
