"""Draw the daily-batches curve from `daily_growth.sh`'s TSV as a small standalone SVG: the wall
time and peak RSS of each `index add` against the documents already indexed (linear axes), with
the least-squares line of each (dashed) for reference. The first row, the `create`, is left out.
A second TSV (an earlier run, `plot_daily.py TSV OUT BEFORE_TSV`) is drawn faint beside it.
`--title TEXT` replaces the title (`index_size.sh`'s adds are all of the same batch).

    python3 benches/plot_daily.py daily.tsv daily-growth.svg [before.tsv] [--title TEXT]"""

import sys


def fit(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs) or 1.0
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - b * mx, b


def adds(tsv):
    """The rows of the `add`s: (documents before, wall seconds, peak RSS in GB)."""
    rows = [line.rstrip("\n").split("\t") for line in open(tsv) if line.strip()]
    rows = [r for r in rows if int(r[0]) > 0]
    if not rows:
        sys.exit("no add in " + tsv)
    return [(int(r[1]), float(r[2]), int(r[3]) / 1e6) for r in rows]


def main():
    args = sys.argv[1:]
    title = None
    if "--title" in args:
        k = args.index("--title")
        title = args[k + 1]
        del args[k : k + 2]
    tsv, out = args[0], args[1]
    rows = adds(tsv)
    xs = [r[0] for r in rows]
    series = [
        ("add wall (s)", xs, [r[1] for r in rows], "#1f77b4", 1.0),
        ("peak RSS (GB)", xs, [r[2] for r in rows], "#d62728", 1.0),
    ]
    if len(args) > 2:
        before = adds(args[2])
        bx = [r[0] for r in before]
        series += [
            ("before: add wall (s)", bx, [r[1] for r in before], "#1f77b4", 0.35),
            ("before: peak RSS (GB)", bx, [r[2] for r in before], "#d62728", 0.35),
        ]
    w, h, pad = 720, 420, 60
    hi_x = max(xs)
    hi_y = max(max(ys) for _, _, ys, _, _ in series) * 1.1

    def px(x):
        return pad + x / hi_x * (w - 2 * pad)

    def py(y):
        return h - pad - y / hi_y * (h - 2 * pad)

    if title is None:
        title = (
            f"twinwire index add of {xs[1] - xs[0]:,} documents against documents indexed before it"
        )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
        'font-family="sans-serif" font-size="12">',
        f'<rect width="{w}" height="{h}" fill="white"/>',
        f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>',
        f'<line x1="{pad}" y1="{h - pad}" x2="{w - pad}" y2="{h - pad}" stroke="black"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{h - pad}" stroke="black"/>',
        f'<text x="{w / 2}" y="{h - 15}" text-anchor="middle">'
        "documents in the index before the add</text>",
    ]
    step = 10 ** (len(str(hi_x)) - 1)
    for x in range(0, hi_x + 1, step):
        parts.append(f'<text x="{px(x):.1f}" y="{h - pad + 16}" text-anchor="middle">{x:,}</text>')
    for k in range(0, int(hi_y) + 1, max(1, int(hi_y) // 8)):
        parts.append(
            f'<line x1="{pad - 4}" y1="{py(k):.1f}" x2="{w - pad}" y2="{py(k):.1f}" stroke="#eee"/>'
        )
        parts.append(f'<text x="{pad - 6}" y="{py(k) + 4:.1f}" text-anchor="end">{k}</text>')
    for k, (name, sx, ys, color, opacity) in enumerate(series):
        pts = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(sx, ys))
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="1.5" '
            f'opacity="{opacity}" points="{pts}"/>'
        )
        a, b = fit(sx, ys)
        parts.append(
            f'<line x1="{px(sx[0]):.1f}" y1="{py(a + b * sx[0]):.1f}" x2="{px(sx[-1]):.1f}" '
            f'y2="{py(a + b * sx[-1]):.1f}" stroke="{color}" stroke-dasharray="4 4" '
            f'opacity="{0.6 * opacity}"/>'
        )
        label = f"{name}; dashed: least squares, {b * 1e5:.2f} per 100k"
        parts.append(
            f'<text x="{pad + 10}" y="{pad + 16 * k}" fill="{color}" '
            f'opacity="{max(opacity, 0.6)}">{label}</text>'
        )
    parts.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(parts) + "\n")


if __name__ == "__main__":
    main()
