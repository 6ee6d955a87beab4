#!/usr/bin/env bash
# Fuzzes the parsers for long: builds the sanitized tree's fuzz targets (tools/build_asan.sh:
# clang-14 with libFuzzer, ASan and UBSan), writes the seed corpora (make_corpus), then runs each target for SECONDS (default
# 600) at the lowest priority (nice -n 19: the machine is shared), growing its corpus in
# build-asan/corpus-grown/TARGET from run to run. Prints one line per target (executions, exec/s,
# coverage in edges, features, corpus size) and the total; exits non-zero on any finding (its input
# is kept in build-asan/findings/).
#   bash tools/fuzz.sh [SECONDS] [TARGET...]      targets: see tests/fuzz/CMakeLists.txt
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-600}
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors weights checkpoint idx_images idx_labels gunzip config classifier manifest numbers url)
build=$root/build-asan
"$root/tools/build_asan.sh" >/dev/null || exit 1
"$build/tests/fuzz/make_corpus" "$build/corpus" >/dev/null || exit 1
echo "fuzzing ${#targets[@]} target(s) for $seconds s each on $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cores"
total=0 findings=0
for target in "${targets[@]}"; do
  line=$(nice -n 19 bash "$root/tests/fuzz/run_target.sh" "$build" "$target" "$seconds" "$build/corpus-grown/$target")
  rc=$?
  echo "$line"
  if [ $rc -ne 0 ]; then
    findings=$((findings + 1))
  else
    total=$((total + $(awk '{print $2}' <<<"$line")))
  fi
done
echo "total: $total executions, $findings target(s) with findings"
[ $findings -eq 0 ]
