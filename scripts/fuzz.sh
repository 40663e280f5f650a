#!/usr/bin/env bash
# Runs each cargo-fuzz target for $1 seconds from a corpus seeded with fuzz/seeds/<target>,
# and prints one line per target: executions and findings. Exit 1 on any crash.
set -uo pipefail
seconds=${1:?seconds}; shift
cd "$(dirname "$0")/../fuzz"
status=0
for t in "$@"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  cp -n "seeds/$t"/* "corpus/$t/" 2>/dev/null || true
  log="artifacts/$t/last-run.log"
  cargo +nightly fuzz run "$t" "corpus/$t" -- -dict=at.dict -max_total_time="$seconds" \
    -print_final_stats=1 >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  crashes=$(find "artifacts/$t" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
  echo "fuzz $t: ${seconds}s, ${execs:-0} executions, corpus $(ls "corpus/$t" | wc -l), findings $crashes, exit $rc"
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    grep -E 'panicked|SUMMARY|ERROR: libFuzzer' "$log" | head -5
    status=1
  fi
done
exit $status
