#!/usr/bin/env bash
# Runs one libFuzzer target of the fuzz tree for SECONDS from its seeds (BUILD/corpus/TARGET) and the
# corpus it grows (GROWN; "fresh" empties it first), then prints one line of figures: executions,
# exec/s, coverage (edges), features, corpus size. Exits non-zero on any finding (crash, invariant,
# leak, timeout, out-of-memory): the input is kept as BUILD/findings/TARGET-*.
#   run_target.sh BUILD TARGET SECONDS GROWN [fresh]
set -uo pipefail
build=$1 target=$2 seconds=$3 grown=$4 mode=${5:-keep}
here=$(cd "$(dirname "$0")" && pwd)
seeds=$build/corpus/$target
binary=$build/tests/fuzz/fuzz_$target
[ -x "$binary" ] || { echo "FAIL $target: $binary not built (tools/build_asan.sh)"; exit 1; }
[ -n "$(ls -A "$seeds" 2>/dev/null)" ] || { echo "FAIL $target: no seeds in $seeds (make_corpus)"; exit 1; }
[ "$mode" = fresh ] && rm -rf "$grown"
mkdir -p "$grown" "$build/findings"
dict=()
case $target in
  safetensors | weights | checkpoint | config | classifier | manifest) dict=("-dict=$here/safetensors.dict") ;;
esac
log=$build/findings/$target.log
"$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=512 -print_final_stats=1 \
  -artifact_prefix="$build/findings/$target-" "${dict[@]}" "$grown" "$seeds" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -n 1)
secs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
if [ $rc -ne 0 ] || [ -z "$runs" ]; then
  echo "FAIL $target: libFuzzer exited $rc; the end of $log:"
  tail -n 40 "$log"
  exit 1
fi
printf '%-12s %12s executions %8s exec/s  cov %5s  ft %6s  corpus %5s  (%s s)\n' "$target" "$runs" \
  "$((runs / (secs > 0 ? secs : 1)))" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$secs"
