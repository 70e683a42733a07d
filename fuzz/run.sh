#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 600), one after the other, starting from seeds/.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz wants a nightly compiler for the
# sanitizer flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. Crashes land in
# fuzz/artifacts/TARGET/; copy each into tests/fuzz_regressions/TARGET/ once fixed, where
# `cargo test --test fuzz_regressions` replays it forever.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jsonl_reader tokenizer sgml sentences)
export RUSTC_BOOTSTRAP=1
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "== $t for ${seconds}s"
  cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 | tail -25
done
