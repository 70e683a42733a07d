#!/usr/bin/env bash
# One batch added to indexes of growing size whose extra documents are unrelated to it: the cost of
# the index's size alone. In `daily_growth.sh` the pairs each add must report grow with the index
# (the generator spreads a family over the whole corpus: its last batch has 13,746 pairs with the
# documents before it, its tenth 1,454), so its curve mixes the index's size with the answer's.
# Here the answer stays about the same.
#
#   bash benches/index_size.sh RELATED.jsonl FILLER.jsonl [OUTDIR] [SIZES...]
#
# RELATED's last B lines (B = 10,000, or INDEX_SIZE_BATCH) are the batch; its other lines, the
# batch's relatives, are in every index. FILLER (a corpus generated with another seed) tops each
# index up to SIZE documents (default 100000 200000 500000 1000000 2000000); the filler comes first,
# the relatives last, as older and newer days would. Each add runs twice on a fresh copy of its
# index. One line per add in OUTDIR/index-size.tsv (run, documents before the add, wall seconds,
# peak RSS in KB, the add's stages, the pairs it wrote), drawn with `plot_daily.py` in
# benches/index-size.svg (or INDEX_SIZE_SVG).
#
# BENCHMARKS.md section 50 ran it on `twinwire gen ../shared/data/reuters21578 ../shared/data/wmt-dev
# -n 110000 --seed 1` and the same with `-n 1900000 --seed 2` (and both with `--sentence-reuse 50
# --mixed-languages 0.02` for the shared-passage shape).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
related="$(realpath "$1")"
filler="$(realpath "$2")"
out="${3:-$root/bench-out/index-size}"
shift $(($# < 3 ? $# : 3))
sizes=("$@")
[ ${#sizes[@]} -eq 0 ] && sizes=(100000 200000 500000 1000000 2000000)
per="${INDEX_SIZE_BATCH:-10000}"
svg="${INDEX_SIZE_SVG:-$root/benches/index-size.svg}"
mkdir -p "$out"
(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/twinwire"
lines="$(wc -l < "$related")"
base=$((lines - per))
head -n "$base" "$related" > "$out/relatives.jsonl"
tail -n "$per" "$related" > "$out/batch.jsonl"
: > "$out/index-size.tsv"
run=1
for size in "${sizes[@]}"; do
  fill=$((size - base))
  [ "$fill" -lt 0 ] && fill=0
  head -n "$fill" "$filler" > "$out/filler.jsonl"
  [ "$(wc -l < "$out/filler.jsonl")" -eq "$fill" ] || { echo "$filler has fewer than $fill lines" >&2; exit 1; }
  rm -rf "$out/index"
  "$bin" index create "$out/index" "$out/filler.jsonl" "$out/relatives.jsonl" -q -o /dev/null
  for _ in 1 2; do
    rm -rf "$out/copy"
    cp -r "$out/index" "$out/copy"
    sync
    /usr/bin/time -f "TIME %e %M" "$bin" index add "$out/copy" "$out/batch.jsonl" \
      -o "$out/pairs.jsonl" 2> "$out/err"
    read -r _ wall rss < <(grep '^TIME' "$out/err")
    stages="$(grep -o 'index read.*' "$out/err" | tr -d ')')"
    printf '%s\t%s\t%s\t%s\t%s\t%s pairs\n' "$run" "$((fill + base))" "$wall" "$rss" "$stages" \
      "$(wc -l < "$out/pairs.jsonl")" >> "$out/index-size.tsv"
    run=$((run + 1))
  done
done
rm -rf "$out/copy" "$out/index" "$out/filler.jsonl"
python3 "$root/benches/plot_daily.py" "$out/index-size.tsv" "$svg" \
  --title "twinwire index add of $per documents whose relatives are in every index"
echo "wrote $out/index-size.tsv and $svg"
