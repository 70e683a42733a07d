//! The page's pictures, as inline SVG made from numbers only (no text of the corpus goes in):
//! how the scores of each relation spread, and how large the clusters are.

use std::fmt::Write;

use crate::relate::RelationKind;

use super::tally::BINS;

const WIDTH: f64 = 240.0;
const HEIGHT: f64 = 120.0;
const MARGIN_LEFT: f64 = 44.0;
const MARGIN_BOTTOM: f64 = 30.0;
const TOP: f64 = 22.0;

/// Upper bounds (inclusive) of the cluster-size bins, in documents; the last bin is open.
const SIZE_BINS: [(u64, &str); 9] = [
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (9, "5-9"),
    (19, "10-19"),
    (49, "20-49"),
    (99, "50-99"),
    (999, "100-999"),
    (u64::MAX, "1000+"),
];

/// One bar chart per relation with pairs: the number of pairs in each score bin.
pub fn score_charts(counts: &[u64; 4], histograms: &[[u64; BINS]; 4]) -> String {
    let mut out = String::new();
    for (k, kind) in RelationKind::ALL.iter().enumerate() {
        if counts[k] == 0 {
            continue;
        }
        let bars: Vec<(String, u64)> = (0..BINS)
            .map(|b| {
                let lo = b as f64 / BINS as f64;
                let hi = (b + 1) as f64 / BINS as f64;
                (format!("{lo:.2}-{hi:.2}"), histograms[k][b])
            })
            .collect();
        let title = format!("{}: {} pairs", kind.name(), counts[k]);
        out.push_str(&bar_chart(
            &format!("chart-{}", kind.name()),
            &title,
            &bars,
            ("0", "score", "1"),
        ));
    }
    out
}

/// The number of clusters of each size (in documents, representative included).
pub fn size_chart(sizes: impl Iterator<Item = u64>) -> String {
    let mut bins = [0u64; SIZE_BINS.len()];
    let mut total = 0;
    for size in sizes {
        let b = SIZE_BINS.iter().position(|&(hi, _)| size <= hi);
        bins[b.unwrap_or(SIZE_BINS.len() - 1)] += 1;
        total += 1;
    }
    if total == 0 {
        return String::new();
    }
    let bars: Vec<(String, u64)> = SIZE_BINS
        .iter()
        .zip(bins)
        .map(|(&(_, label), n)| (label.to_string(), n))
        .collect();
    let title = format!("{total} clusters by size");
    bar_chart("chart-sizes", &title, &bars, ("2", "documents", "1000+"))
}

/// A bar chart: one bar per (label, count), each with a tooltip.
fn bar_chart(id: &str, title: &str, bars: &[(String, u64)], axis: (&str, &str, &str)) -> String {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let plot_w = WIDTH - MARGIN_LEFT - 6.0;
    let plot_h = HEIGHT - MARGIN_BOTTOM - TOP;
    let bar_w = plot_w / bars.len() as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<figure class="chart" id="{id}"><svg viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{title}">"#
    );
    let _ = write!(
        svg,
        r#"<text x="{MARGIN_LEFT}" y="14" class="t">{title}</text>"#
    );
    for (i, (label, n)) in bars.iter().enumerate() {
        let h = plot_h * (*n as f64) / max as f64;
        let x = MARGIN_LEFT + i as f64 * bar_w;
        let y = TOP + plot_h - h;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}"><title>{label}: {n}</title></rect>"#,
            (bar_w - 1.0).max(1.0)
        );
    }
    let base = TOP + plot_h;
    let right = MARGIN_LEFT + plot_w;
    let _ = write!(
        svg,
        r#"<line x1="{MARGIN_LEFT}" y1="{base}" x2="{right}" y2="{base}"/><text x="{}" y="{}" class="a" text-anchor="end">{max}</text><text x="{}" y="{base}" class="a" text-anchor="end">0</text>"#,
        MARGIN_LEFT - 4.0,
        TOP + 8.0,
        MARGIN_LEFT - 4.0,
    );
    let (left, middle, end) = axis;
    let label_y = base + 14.0;
    let _ = write!(
        svg,
        r#"<text x="{MARGIN_LEFT}" y="{label_y}" class="a">{left}</text><text x="{:.0}" y="{label_y}" class="a" text-anchor="middle">{middle}</text><text x="{right}" y="{label_y}" class="a" text-anchor="end">{end}</text></svg></figure>"#,
        MARGIN_LEFT + plot_w / 2.0
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_chart_per_relation_with_pairs() {
        let mut h = [[0u64; BINS]; 4];
        h[1][12] = 3;
        let svg = score_charts(&[0, 3, 0, 0], &h);
        assert_eq!(svg.matches("<svg").count(), 1);
        assert!(svg.contains("near_duplicate: 3 pairs"));
        assert!(svg.contains("<title>0.60-0.65: 3</title>"));
    }

    #[test]
    fn sizes_fall_in_their_bins() {
        let svg = size_chart([2, 2, 7, 5000].into_iter());
        assert!(svg.contains("<title>2: 2</title>"));
        assert!(svg.contains("<title>5-9: 1</title>"));
        assert!(svg.contains("<title>1000+: 1</title>"));
    }
}
