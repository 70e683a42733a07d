"""A corpus where no language is a large majority (the many-searchers shape of the translation
candidate search): articles of 8-15 random segments of the WMT dev sets in en/fr/de/es, one in
fifty followed by its translation (the same segments in another language). Seeded: same bytes.

Usage: python3 benches/four_languages.py N OUT.jsonl [WMT_DEV_DIR]  (BENCHMARKS.md section 23)"""

import glob
import json
import random
import re
import sys

n, out = int(sys.argv[1]), sys.argv[2]
wmt = sys.argv[3] if len(sys.argv) > 3 else "../shared/data/wmt-dev"
rng = random.Random(7)
langs = ["en", "fr", "de", "es"]
pools = {lang: [] for lang in langs}
for path in sorted(glob.glob(f"{wmt}/*.en.sgm")):
    segs = {}
    for lang in langs:
        sgm = path.replace(".en.sgm", f".{lang}.sgm")
        with open(sgm, encoding="utf-8", errors="replace") as f:
            text = f.read()
        segs[lang] = [s.strip() for s in re.findall(r"<seg[^>]*>(.*?)</seg>", text)]
    k = min(len(v) for v in segs.values())
    for lang in langs:
        pools[lang].extend(segs[lang][:k])
size = len(pools["en"])
with open(out, "w") as f:
    x = 0
    while x < n:
        lang = rng.choice(langs)
        picked = [rng.randrange(size) for _ in range(rng.randint(8, 15))]
        f.write(
            json.dumps(
                {"id": f"w{x}", "text": " ".join(pools[lang][i] for i in picked)}
            )
            + "\n"
        )
        x += 1
        if rng.random() < 0.02 and x < n:
            other = rng.choice([o for o in langs if o != lang])
            f.write(
                json.dumps(
                    {"id": f"w{x}", "text": " ".join(pools[other][i] for i in picked)}
                )
                + "\n"
            )
            x += 1
