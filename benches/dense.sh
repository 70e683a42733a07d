#!/usr/bin/env bash
# Dense families: time and peak memory of `pairs` and `dedupe` on the shapes of benches/dense.py.
#
#   bash benches/dense.sh [WORKDIR] [ORDINARY.jsonl]
#
# WORKDIR (default /tmp/twinwire-dense) receives the corpora; ORDINARY is a JSONL corpus whose first
# 100,000 records are interleaved with the 100,000 soft 404 pages (default: a generated corpus made
# from ../shared/data, else none). Prints one line per run: command, seconds, peak RSS, and the
# summary's last lines. Pairs go to /dev/null: the point is memory that does not grow with them.
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-/tmp/twinwire-dense}
mkdir -p "$work"
cargo build --release --quiet
bin=$PWD/target/release/twinwire
data=${TWINWIRE_SHARED_DATA:-../shared/data}
ordinary=${2:-}
if [[ -z "$ordinary" && -d "$data/reuters21578" ]]; then
  ordinary=$work/ordinary.jsonl
  [[ -f $ordinary ]] || "$bin" gen "$data/reuters21578" "$data/wmt-dev" -n 100000 -o "$ordinary" 2>/dev/null
fi
make() { [[ -f "$work/$1" ]] || python3 benches/dense.py "${@:2}" "$work/$1"; }
make soft5k.jsonl soft404 5000
make soft20k.jsonl soft404 20000
if [[ -n "$ordinary" ]]; then
  make soft100k.jsonl soft404 100000 --ordinary "$ordinary" --ordinary-count 100000
else
  make soft100k.jsonl soft404 100000
fi
make exact1m.jsonl exact 1000 1000
make snippets10k.jsonl snippets 10000

run() {
  local label=$1; shift
  local out
  out=$( { /usr/bin/time -f "TIME %e %M" "$bin" "$@" >/dev/null; } 2>&1 )
  local t
  t=$(grep '^TIME' <<<"$out")
  printf '%s | %s s | %s MB\n' "$label" "$(cut -d' ' -f2 <<<"$t")" "$(( $(cut -d' ' -f3 <<<"$t") / 1024 ))"
  grep -E 'clusters|pairs \(|dense family' <<<"$out" | sed 's/^/    /'
}
cd "$work"
run "dedupe 100k soft 404 + 100k articles" dedupe soft100k.jsonl -o kept.jsonl --clusters clusters.jsonl
run "dedupe 1M in 1000 groups of 1000 copies" dedupe exact1m.jsonl -o kept.jsonl --clusters clusters.jsonl
run "pairs --max-partners 10, same" pairs exact1m.jsonl --max-partners 10 -o /dev/null
run "dedupe 5k soft 404" dedupe soft5k.jsonl -o kept.jsonl --clusters clusters.jsonl
run "pairs 5k soft 404" pairs soft5k.jsonl -o /dev/null
run "dedupe 10k snippets in one page" dedupe snippets10k.jsonl -o kept.jsonl --clusters clusters.jsonl
run "pairs 10k snippets in one page" pairs snippets10k.jsonl -o /dev/null
if [[ "${FULL:-0}" == 1 ]]; then
  run "pairs 20k soft 404 (200 M lines)" pairs soft20k.jsonl -o /dev/null
  run "pairs 1M in 1000 groups of 1000 copies (500 M lines)" pairs exact1m.jsonl -o /dev/null
fi
