#!/usr/bin/env python3
"""How well twinwire takes an article out of a web page, beside trafilatura, on the same pages.

Real articles (WMT news test sets, English and French, from ../shared/data) are wrapped in four site
templates with what real pages carry around an article: navigation menus, a cookie banner,
sidebars, related-link lists, share buttons, comments and footers. Each article is published by two
sites (two templates), as a wire story is.

Measured per tool, over all pages (bags of folded words):
  kept   share of the article's words found in the extracted text (recall of the article)
  leak   share of the extracted words that are not the article's (boilerplate let through)
and for twinwire, whether the two sites' pages of one story come out as twins (`exact` or
`near_duplicate`) and whether any pair joins two different stories.

    python3 benches/extraction.py [--articles N] [--twinwire target/release/twinwire]

Needs trafilatura (pip install trafilatura). Writes the pages to bench-out/extraction/ and prints a
Markdown table for BENCHMARKS.md.
"""

import argparse
import collections
import html
import json
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("TWINWIRE_SHARED_DATA", ROOT.parent / "shared" / "data"))

WORD = re.compile(r"\w+", re.UNICODE)


def words(text):
    return [w.lower() for w in WORD.findall(text)]


def wmt_articles(lang, limit):
    """(id, title, paragraphs) of WMT documents in `lang`, read from the SGML test sets."""
    out = []
    for path in sorted((DATA / "wmt-dev").glob(f"*.{lang}.sgm")):
        text = path.read_text(encoding="utf-8", errors="replace")
        for doc in re.finditer(r"<doc [^>]*docid=\"([^\"]+)\"[^>]*>(.*?)</doc>", text, re.S):
            segs = [html.unescape(s) for s in re.findall(r"<seg[^>]*>(.*?)</seg>", doc.group(2), re.S)]
            if len(segs) < 8:
                continue
            title, body = segs[0], segs[1:]
            # Paragraphs of three sentences, as news pages set them.
            paragraphs = [" ".join(body[i : i + 3]) for i in range(0, len(body), 3)]
            out.append((f"{path.stem}-{doc.group(1)}", title, paragraphs))
            if len(out) >= limit:
                return out
    return out


def filler(rng, n):
    vocab = ("market shares weather update sport league final coach season festival film music "
             "election minister council budget traffic police storm health school museum").split()
    return " ".join(rng.choice(vocab) for _ in range(n))


def links(rng, site, n, prefix):
    return "".join(
        f'<li><a href="/{prefix}/{i}">{html.escape(site)}: {filler(rng, 6)}</a></li>' for i in range(n)
    )


def esc(s):
    return html.escape(s, quote=False)


def template_news(rng, site, title, paragraphs):
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)} - {site}</title>
<script>window.dataLayer=[];function gtag(){{dataLayer.push(arguments)}}</script>
<style>.nav{{display:flex}} .cookie{{position:fixed}}</style></head><body>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to personalise content and ads, to provide social media
features and to analyse our traffic. <a href="/privacy">Privacy policy</a> <button>Accept all</button></p></div>
<header class="site-header"><a class="logo" href="/">{site}</a><nav class="nav main-menu"><ul>
{links(rng, site, 8, "section")}</ul></nav></header>
<main><article class="story"><h1>{esc(title)}</h1><div class="byline">By staff writers | Updated 3 hours ago</div>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Share on X</a> <a href="#">Email</a></div>
<div class="story-body">{body}</div></article>
<aside class="related"><h2>Related stories</h2><ul>{links(rng, site, 6, "related")}</ul></aside>
<section class="comments" id="comments"><h2>Comments (12)</h2>
<div class="comment"><p>{filler(rng, 25)}</p></div><div class="comment"><p>{filler(rng, 18)}</p></div></section></main>
<footer><ul>{links(rng, site, 5, "footer")}</ul><p>&copy; 2024 {site}. All rights reserved.</p></footer>
</body></html>"""


def template_blog(rng, site, title, paragraphs):
    body = "".join(f"<p>{esc(p)}</p>\n" for p in paragraphs)
    return f"""<html><head><title>{esc(title)} | {site}</title></head><body>
<div id="wrapper"><div id="top-bar"><span>Breaking: {filler(rng, 8)}</span> <a href="/login">Sign in</a> <a href="/subscribe">Subscribe</a></div>
<div id="menu">{" | ".join(f'<a href="/c{i}">{w}</a>' for i, w in enumerate(filler(rng, 9).split()))}</div>
<div id="content"><div class="post"><h2 class="post-title">{esc(title)}</h2><div class="post-meta">Posted in World | 4 comments</div>
<div class="post-content entry-content">{body}</div>
<div class="tags">Tags: {filler(rng, 5)}</div></div>
<div class="newsletter">Sign up for our daily newsletter: the news that matters, in your inbox every morning.</div></div>
<div id="sidebar" class="widget-area"><div class="widget"><h3>Most read</h3><ol>{links(rng, site, 7, "popular")}</ol></div>
<div class="widget"><h3>Archives</h3><ul>{links(rng, site, 6, "archive")}</ul></div></div>
<div id="footer">{site} | About | Contact | Advertise | Terms of use</div></div></body></html>"""


def template_portal(rng, site, title, paragraphs):
    body = "".join(f'<div class="para"><span>{esc(p)}</span></div>' for p in paragraphs)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{site} | {esc(title)}</title>
<script src="/ads.js"></script></head><body>
<div class="gdpr-overlay"><div class="gdpr">This site uses cookies. By continuing to browse you agree to our use of cookies.
<a href="/cookies">Learn more</a></div></div>
<div class="header"><div class="brand">{site}</div><ul class="topnav">{links(rng, site, 10, "portal")}</ul></div>
<div class="ad-slot">Advertisement</div>
<div class="layout"><div class="col-left"><ul class="quicklinks">{links(rng, site, 8, "quick")}</ul></div>
<div class="col-main"><div class="headline"><h1>{esc(title)}</h1></div><div class="article-text">{body}</div>
<div class="read-more"><h4>Read more</h4><ul>{links(rng, site, 5, "more")}</ul></div></div>
<div class="col-right"><div class="weather">Weather: {filler(rng, 6)}</div><div class="markets">Markets: {filler(rng, 8)}</div></div></div>
<div class="footer-links">{links(rng, site, 12, "bottom")}</div></body></html>"""


def template_minimal(rng, site, title, paragraphs):
    body = "<br><br>".join(esc(p) for p in paragraphs)
    return f"""<html><head><title>{esc(title)}</title></head><body>
<table width="100%"><tr><td class="nav">{"<br>".join(f'<a href="/n{i}">{w}</a>' for i, w in enumerate(filler(rng, 7).split()))}</td>
<td class="main"><h3>{esc(title)}</h3><font size="2">{body}</font>
<hr><small>{site} wire service. Copy and redistribution prohibited.</small></td></tr></table></body></html>"""


def template_hard(rng, site, title, paragraphs):
    """No class names to go by: reader replies as long paragraphs in generic blocks, and a "Read
    also" link paragraph in the middle of the article, as many news sites insert."""
    mid = len(paragraphs) // 2
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs[:mid])
    body += f'<p><strong>Read also:</strong> <a href="/x">{filler(rng, 10)}</a></p>'
    body += "".join(f"<p>{esc(p)}</p>" for p in paragraphs[mid:])
    replies = "".join(f"<div><div><b>user{i}</b></div><p>{filler(rng, 45)}</p></div>" for i in range(3))
    return f"""<html><head><title>{esc(title)}</title></head><body><div><div>{site}</div>
<div>{" ".join(f'<a href="/s{i}">{w}</a>' for i, w in enumerate(filler(rng, 6).split()))}</div>
<div><div><h1>{esc(title)}</h1>{body}</div><div><h4>Your reactions</h4>{replies}</div></div></div></body></html>"""


TEMPLATES = [
    ("news", "Daily Courier", template_news),
    ("blog", "Metro Ledger", template_blog),
    ("portal", "InfoPortal", template_portal),
    ("minimal", "Wire Desk", template_minimal),
    ("hard", "Town Crier", template_hard),
]


def build(out, n, rng):
    pages_dir = out / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    for old in pages_dir.glob("*.html"):
        old.unlink()
    articles = wmt_articles("en", n // 2) + wmt_articles("fr", n - n // 2)
    pages = []
    for k, (aid, title, paragraphs) in enumerate(articles):
        # Two sites publish each story.
        for t in rng.sample(range(len(TEMPLATES)), 2):
            name, site, make = TEMPLATES[t]
            page_id = f"{k:04d}-{name}"
            (pages_dir / f"{page_id}.html").write_text(make(rng, site, title, paragraphs), encoding="utf-8")
            pages.append((page_id, k, title + "\n" + "\n".join(paragraphs)))
    return pages_dir, pages


def score(extracted, truth):
    kept = leak = total_truth = total_out = 0
    for page_id, _, text in truth:
        want = collections.Counter(words(text))
        got = collections.Counter(words(extracted.get(page_id, "")))
        common = sum((want & got).values())
        kept += common
        total_truth += sum(want.values())
        leak += sum(got.values()) - common
        total_out += sum(got.values())
    return kept / max(total_truth, 1), leak / max(total_out, 1)


def run_twinwire(binary, pages_dir, out):
    export = out / "twinwire-export.jsonl"
    t = time.perf_counter()
    subprocess.run([binary, "export", str(pages_dir), "-o", str(export), "-q"], check=True)
    elapsed = time.perf_counter() - t
    extracted = {}
    for line in export.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        extracted[rec["id"]] = rec["text"]
    pairs = subprocess.run(
        [binary, "pairs", str(pages_dir), "-q", "--relations", "exact,near_duplicate,containment"],
        check=True, capture_output=True, text=True,
    ).stdout
    return extracted, elapsed, [json.loads(l) for l in pairs.splitlines()]


def run_trafilatura(pages_dir):
    import trafilatura

    extracted = {}
    t = time.perf_counter()
    for path in sorted(pages_dir.glob("*.html")):
        text = trafilatura.extract(path.read_text(encoding="utf-8"), include_comments=False) or ""
        extracted[path.stem] = text
    return extracted, time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=200)
    ap.add_argument("--twinwire", default=str(ROOT / "target" / "release" / "twinwire"))
    ap.add_argument("--out", default=str(ROOT / "bench-out" / "extraction"))
    args = ap.parse_args()
    if not (DATA / "wmt-dev").is_dir():
        print(f"SKIPPED: needs the WMT test sets in {DATA}/wmt-dev", file=sys.stderr)
        return
    rng = random.Random(1)
    out = Path(args.out)
    pages_dir, truth = build(out, args.articles, rng)
    story = {page_id: k for page_id, k, _ in truth}
    tw, tw_time, pairs = run_twinwire(args.twinwire, pages_dir, out)
    tr, tr_time = run_trafilatura(pages_dir)
    stories = len(set(story.values()))
    # Ids of HTML files are their paths without extension, relative to the folder read.
    same = {story[p["a"].split("/")[-1]] for p in pairs if story[p["a"].split("/")[-1]] == story[p["b"].split("/")[-1]]}
    wrong = [p for p in pairs if story[p["a"].split("/")[-1]] != story[p["b"].split("/")[-1]]]
    relations = collections.Counter(p["relation"] for p in pairs)
    print(f"{len(truth)} pages of {stories} stories (two sites each), templates: {', '.join(t[0] for t in TEMPLATES)}\n")
    print("| extractor | article words kept | boilerplate in output | time | pages/s |")
    print("|---|---:|---:|---:|---:|")
    for name, ext, secs in [("twinwire (dom_smoothie, via `twinwire export`)", tw, tw_time), ("trafilatura 2 (`extract`)", tr, tr_time)]:
        kept, leak = score(ext, truth)
        print(f"| {name} | {kept:.3f} | {leak:.3f} | {secs:.2f} s | {len(truth) / secs:.0f} |")
    print(f"\ntwinwire pairs on the pages: {len(same)} of {stories} stories found as twins "
          f"({dict(relations)}), {len(wrong)} pairs joining different stories")
    per_template = collections.defaultdict(list)
    for page_id, k, text in truth:
        per_template[page_id.split("-", 1)[1]].append((page_id, k, text))
    print("\n| template | twinwire kept | twinwire leak | trafilatura kept | trafilatura leak |")
    print("|---|---:|---:|---:|---:|")
    for name, pages in sorted(per_template.items()):
        a, b = score(tw, pages), score(tr, pages)
        print(f"| {name} | {a[0]:.3f} | {a[1]:.3f} | {b[0]:.3f} | {b[1]:.3f} |")


if __name__ == "__main__":
    main()
