#!/usr/bin/env bash
# The scaling curve: twinwire bench on generated corpora of growing size, then an SVG of time and
# peak memory against N.
#
#   bash benches/scale.sh [OUTDIR] [N...]          (default OUTDIR bench-out/scale, N 10000 30000 100000 300000 1000000)
#   SHAPE=shared bash benches/scale.sh [OUTDIR] [N...]
#
# SHAPE=shared grows corpora where each sentence recurs in about 50 unrelated articles and 2% of the
# English articles hold a French paragraph (`gen --sentence-reuse 50 --mixed-languages 0.02`), as in
# real dumps; its files are named shared-N and its curve benches/scaling-shared.svg.
#
# Corpora are grown from ../shared/data (Reuters-21578 and the WMT news sets) by `twinwire gen`
# (seed 1) and kept in OUTDIR for reruns. Results: OUTDIR/bench-corpus-N.json, benches/scaling.svg.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${TWINWIRE_SHARED_DATA:-$root/../shared/data}"
if [ ! -d "$data/reuters21578" ]; then
  echo "SKIPPED: the scaling benchmark needs the shared data at $data (or set TWINWIRE_SHARED_DATA)"
  exit 0
fi
out="${1:-$root/bench-out/scale}"
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 30000 100000 300000 1000000)
mkdir -p "$out"
(cd "$root" && cargo build --release --quiet)
bin="$root/target/release/twinwire"
case "${SHAPE:-generated}" in
  shared) name=shared; shape=(--sentence-reuse 50 --mixed-languages 0.02); svg=scaling-shared.svg ;;
  generated) name=corpus; shape=(); svg=scaling.svg ;;
  *) echo "SHAPE is generated or shared" >&2; exit 2 ;;
esac
for n in "${sizes[@]}"; do
  corpus="$out/$name-$n.jsonl"
  if [ ! -s "$corpus" ]; then
    "$bin" gen "$data/reuters21578" "$data/wmt-dev" -n "$n" --seed 1 "${shape[@]}" -o "$corpus"
  fi
  echo "== $n documents"
  # The whole report to a file first: `| head -1` could end bench before it writes its JSON.
  "$bin" bench "$corpus" --truth "$out/$name-$n.truth.jsonl" --json "$out/bench-$name-$n.json" > "$out/bench-$name-$n.txt"
  head -1 "$out/bench-$name-$n.txt"
done
python3 "$root/benches/plot_scaling.py" "$root/benches/$svg" "$out"/bench-"$name"-*.json
echo "wrote $root/benches/$svg"
