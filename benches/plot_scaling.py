"""Draw the scaling curve (seconds and peak memory against documents) from `twinwire bench --json`
reports as a small standalone SVG, log-log, with the linear reference through the smallest point."""

import json
import math
import sys


def main():
    out, files = sys.argv[1], sys.argv[2:]
    rows = sorted((json.load(open(f)) for f in files), key=lambda r: r["documents"])
    if not rows:
        sys.exit("no reports")
    w, h, pad = 640, 400, 60
    xs = [r["documents"] for r in rows]
    series = [
        ("seconds", [r["seconds"] for r in rows], "#1f77b4"),
        ("peak RSS (GB)", [(r["peak_rss_mb"] or 0) / 1024 for r in rows], "#d62728"),
    ]
    lo_x, hi_x = math.log10(min(xs)), math.log10(max(xs))
    all_y = [y for _, ys, _ in series for y in ys if y > 0]
    lo_y, hi_y = math.log10(min(all_y)) - 0.2, math.log10(max(all_y)) + 0.2
    hi_x = hi_x if hi_x > lo_x else lo_x + 1

    def px(x):
        return pad + (math.log10(x) - lo_x) / (hi_x - lo_x) * (w - 2 * pad)

    def py(y):
        return h - pad - (math.log10(y) - lo_y) / (hi_y - lo_y) * (h - 2 * pad)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w/2}" y="20" text-anchor="middle" font-size="14">twinwire bench: time and peak memory against corpus size (log-log)</text>',
        f'<line x1="{pad}" y1="{h-pad}" x2="{w-pad}" y2="{h-pad}" stroke="black"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h-pad}" stroke="black"/>',
        f'<text x="{w/2}" y="{h-15}" text-anchor="middle">documents</text>',
    ]
    for x in xs:
        parts.append(f'<text x="{px(x):.1f}" y="{h-pad+16}" text-anchor="middle">{x:,}</text>')
    for e in range(math.floor(lo_y), math.ceil(hi_y) + 1):
        for m in (1, 2, 5):
            y = m * 10 ** e
            if lo_y <= math.log10(y) <= hi_y:
                parts.append(f'<line x1="{pad-4}" y1="{py(y):.1f}" x2="{w-pad}" y2="{py(y):.1f}" stroke="#eee"/>')
                parts.append(f'<text x="{pad-6}" y="{py(y)+4:.1f}" text-anchor="end">{y:g}</text>')
    for k, (name, ys, color) in enumerate(series):
        pts = [(px(x), py(y)) for x, y in zip(xs, ys) if y > 0]
        parts.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in pts)}"/>')
        for a, b in pts:
            parts.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3" fill="{color}"/>')
        # Linear growth from the smallest point, for reference.
        y0 = ys[0]
        if y0 > 0:
            ref = [(px(x), py(y0 * x / xs[0])) for x in (xs[0], xs[-1])]
            parts.append(f'<line x1="{ref[0][0]:.1f}" y1="{ref[0][1]:.1f}" x2="{ref[1][0]:.1f}" y2="{ref[1][1]:.1f}" stroke="{color}" stroke-dasharray="4 4" opacity="0.5"/>')
        parts.append(f'<text x="{w-pad-150}" y="{pad+16*k}" fill="{color}">{name} (dashed: linear)</text>')
    parts.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
