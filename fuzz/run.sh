#!/usr/bin/env bash
# Fuzz every target for SECONDS each (default 600), one after the other, starting from seeds/.
#
#   bash fuzz/run.sh [SECONDS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz wants a nightly compiler for the
# sanitizer flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain accept them. Each target's full output
# goes to fuzz/logs/TARGET.log; a crash lands in fuzz/artifacts/TARGET/. Once fixed, copy the input
# into tests/fuzz_regressions/TARGET/, where `cargo test --test fuzz_regressions` replays it with the
# same checks (fuzz/fuzz_targets/checks.rs).
set -uo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(jsonl_reader tokenizer sgml sentences parquet_reader warc_reader html_page)
export RUSTC_BOOTSTRAP=1
mkdir -p logs
failed=()
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  cp -n seeds/"$t"/* "corpus/$t/" 2>/dev/null || true
  echo "== $t for ${seconds}s (log: fuzz/logs/$t.log)"
  if cargo fuzz run -O "$t" "corpus/$t" -- -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 > "logs/$t.log" 2>&1; then
    grep -aE "^Done|stat::number_of_executed_units|stat::peak_rss_mb" "logs/$t.log"
  else
    failed+=("$t")
    grep -aE "panicked|assertion|Test unit written|^Done" "logs/$t.log" | head -5
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED: ${failed[*]} (inputs in fuzz/artifacts/)"
  exit 1
fi
echo "all targets ran clean"
