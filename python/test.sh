#!/usr/bin/env bash
# The Python package's tests: build the wheel into a fresh virtual environment (packages from PyPI
# only), then run pytest against the command line built from this checkout.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${TWINWIRE_PY_VENV:-target/python-venv}"
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
echo "== building the wheel (pip install ./python[test])"
"$venv/bin/pip" install --quiet "./python[test]"
"$venv/bin/pip" install --quiet ruff
echo "== ruff format --check, ruff check (python/)"
"$venv/bin/ruff" format --check python
"$venv/bin/ruff" check python
cargo build --release --quiet
log="$(mktemp)"
cd python
TWINWIRE_BIN="$PWD/../target/release/twinwire" "../$venv/bin/pytest" tests -q -rs -p no:cacheprovider | tee "$log"
skipped=$(grep -c 'SKIPPED: .* is absent' "$log" || true)
echo "== Python tests needing ../shared/data, pyspark or Java: $skipped skipped (absent); the others ran"
rm -f "$log"
