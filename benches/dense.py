#!/usr/bin/env python3
"""Corpora of dense families: the records of a crawl that are copies of thousands of others.

    python3 benches/dense.py soft404 N OUT.jsonl [--ordinary FILE --ordinary-count M] [--seed S]
    python3 benches/dense.py exact GROUPS SIZE OUT.jsonl [--seed S]
    python3 benches/dense.py snippets N OUT.jsonl [--seed S]

soft404: N near-identical pages from one template (a random path and a number in each, about 50
words), the "page not found" / cookie wall / paywall stub a crawler collects by the thousand; with
--ordinary, the first M records of a JSONL corpus (e.g. Reuters) are interleaved with them.
exact: GROUPS groups of SIZE identical one-line records (a syndicated brief), interleaved.
snippets: one long page that quotes N distinct short passages (each about 30 words), and the N
passages on their own: one container of thousands of excerpts.

Same arguments, same bytes. Standard library only.
"""

import argparse
import json
import random

WORDS = (
    "market government minister report week city police council company price bank water "
    "school health court election energy road union village river station project budget "
    "hospital airport festival museum bridge harbour factory theatre library stadium"
).split()


def soft404(rng: random.Random, i: int) -> str:
    path = "/".join(rng.choice(WORDS) for _ in range(3))
    number = rng.randrange(10_000, 99_999_999)
    return (
        f"Page not found. The page you requested at /news/{path}/{number} could not be found "
        "on this server. It may have been moved, renamed or deleted, or the address may have "
        "been typed incorrectly. Please check the address, use the search box above, or return "
        "to the home page to find the latest news, sport, weather and business stories from "
        f"our newsroom. Error reference {rng.randrange(100_000, 999_999)}."
    )


def brief(rng: random.Random, g: int) -> str:
    words = [rng.choice(WORDS) for _ in range(12)]
    return f"Brief {g}: " + " ".join(words) + "."


def write(out: str, records) -> None:
    with open(out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("shape", choices=["soft404", "exact", "snippets"])
    p.add_argument("numbers", nargs="+")
    p.add_argument("--ordinary", help="JSONL corpus whose records are interleaved (soft404)")
    p.add_argument("--ordinary-count", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rng = random.Random(a.seed)
    *numbers, out = a.numbers
    numbers = [int(n) for n in numbers]
    if a.shape == "soft404":
        (n,) = numbers
        pages = [{"id": f"404-{i}", "text": soft404(rng, i)} for i in range(n)]
        ordinary = []
        if a.ordinary:
            with open(a.ordinary, encoding="utf-8") as f:
                for k, line in enumerate(f):
                    if k >= a.ordinary_count:
                        break
                    r = json.loads(line)
                    ordinary.append({"id": f"article-{k}", "text": r["text"]})
        records = pages + ordinary
        rng.shuffle(records)
    elif a.shape == "exact":
        groups, size = numbers
        texts = [brief(rng, g) for g in range(groups)]
        records = [
            {"id": f"g{g}-{c}", "text": texts[g]} for c in range(size) for g in range(groups)
        ]
    else:
        (n,) = numbers
        vocabulary = [f"{w}{k}" for w in WORDS for k in range(100)]
        passages = [" ".join(rng.choice(vocabulary) for _ in range(30)) + "." for _ in range(n)]
        container = {"id": "container", "text": "\n\n".join(passages)}
        records = [container] + [{"id": f"snippet-{i}", "text": t} for i, t in enumerate(passages)]
    write(out, records)


if __name__ == "__main__":
    main()
