#!/usr/bin/env bash
# Daily batches into one index: the corpus cut in order into batches of B lines, the first an
# `index create`, each next an `index add`; one line per batch (batch, documents indexed before
# it, wall seconds, peak RSS in KB, the add's stages) in OUTDIR/daily.tsv, then the curve
# benches/daily-growth.svg (time and peak RSS of each add against the documents before it).
#
#   bash benches/daily_growth.sh CORPUS.jsonl [OUTDIR] [B]      (default OUTDIR bench-out/daily, B 10000)
#
# BENCHMARKS.md sections 26, 27, 28, 30, 31, 36, 37, 38, 39 and 49 ran it on `twinwire gen ../shared/data/reuters21578
# ../shared/data/wmt-dev -n 1000000 --seed 1` (100 batches of 10,000); the drawing
# of section 49 is `python3 benches/plot_daily.py benches/daily-growth.tsv benches/daily-growth.svg
# benches/daily-growth-39.tsv`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
corpus="$(realpath "$1")"
out="${2:-$root/bench-out/daily}"
per="${3:-10000}"
mkdir -p "$out/batches"
(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/twinwire"
rm -rf "$out/index" "$out/batches"/*
split -l "$per" -d -a 4 "$corpus" "$out/batches/day-"
: > "$out/daily.tsv"
n=0
for batch in "$out/batches"/day-*; do
  verb=add
  [ "$n" -eq 0 ] && verb=create
  /usr/bin/time -f "TIME %e %M" "$bin" index "$verb" "$out/index" "$batch" -o "$out/pairs.jsonl" 2> "$out/err"
  read -r _ wall rss < <(grep '^TIME' "$out/err")
  stages="$(grep -o 'index read.*' "$out/err" | tr -d ')')"
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$((n * per))" "$wall" "$rss" "$stages" >> "$out/daily.tsv"
  n=$((n + 1))
done
python3 "$root/benches/plot_daily.py" "$out/daily.tsv" "$root/benches/daily-growth.svg"
echo "wrote $out/daily.tsv and benches/daily-growth.svg"
