#!/usr/bin/env bash
# Peers side by side: twinwire, gaoya, datasketch and rensa on the same JSONL corpus, in one run.
#
#   bash benches/peers/run.sh CORPUS.jsonl [compare.py options]
#
# Creates its own virtual environment (benches/peers/.venv) with pinned peer versions, builds
# twinwire in release mode, then runs compare.py. See BENCHMARKS.md for the recorded tables.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
fi
(cd "$root" && cargo build --release --quiet)
exec "$venv/bin/python" "$here/compare.py" --twinwire "$root/target/release/twinwire" "$@"
