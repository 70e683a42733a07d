#!/usr/bin/env bash
# Peers side by side: twinwire (its CLI and its Python package), gaoya, datasketch, rensa, text-dedup and datatrove on the same JSONL
# corpus, in one run, scored on pairs and on clusters.
#
#   bash benches/peers/run.sh CORPUS.jsonl [compare.py options, e.g. --peers gaoya,datatrove --repeat 1]
#
# Creates one virtual environment per requirements file (benches/peers/.venv for the Python
# indexes, .venv-text-dedup, .venv-datatrove: their pins conflict), builds twinwire in release
# mode, then runs compare.py. See BENCHMARKS.md for the recorded tables.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
make_venv() { # DIR REQUIREMENTS
  if [ ! -x "$1/bin/python" ]; then
    python3 -m venv "$1"
    "$1/bin/pip" install --quiet --disable-pip-version-check -r "$2"
  fi
}
make_venv "$here/.venv" "$here/requirements.txt"
make_venv "$here/.venv-text-dedup" "$here/requirements-text-dedup.txt"
make_venv "$here/.venv-datatrove" "$here/requirements-datatrove.txt"
(cd "$root" && cargo build --release --quiet)
# The twinwire Python package (peer "twinwire-python"), built from this checkout into the indexes' venv.
"$here/.venv/bin/pip" install --quiet --disable-pip-version-check "$root/python"
exec "$here/.venv/bin/python" "$here/compare.py" --twinwire "$root/target/release/twinwire" "$@"
