#!/usr/bin/env bash
# The README's test command: sets everything up on a fresh Debian 12 machine, builds the native,
# the sanitized, the fuzz and the WebAssembly trees, and runs the whole test suite: the native ctest
# (core, programs, PyTorch parity, the native window), the same again under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/), each parser's libFuzzer target briefly from its seeds
# (build-fuzz/), and the web ctests: the core's suite and native/wasm parity under node in both
# WebAssembly builds (build-web-mt/: two threads, pthreads; build-web/: one thread), then the page
# and its server in headless Chromium (build-web/). Ends with one line: "tests: N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
timings=""
step() {  # step NAME COMMAND...: runs it, notes how long it took
  local t0=$SECONDS
  "${@:2}"
  local rc=$?
  timings+="$1 $((SECONDS - t0)) s, "
  return $rc
}
step setup "$root/tools/setup.sh" || exit 1
step build "$root/tools/build.sh" || exit 1
step build-asan "$root/tools/build-asan.sh" || exit 1
step build-fuzz "$root/tools/build-fuzz.sh" || exit 1
step build-web "$root/tools/build-web.sh" || exit 1

passed=0 failed=0
run_ctest() {  # run_ctest DIR [ctest args]: adds its counts to passed/failed
  local dir=$1 log
  shift
  log=$(mktemp)
  (cd "$dir" && ctest --output-on-failure "$@") 2>&1 | tee "$log"
  local total fails
  total=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\2/p' "$log" | tail -n 1)
  fails=$(sed -n 's/.*tests passed, \([0-9]*\) tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -n 1)
  if [ -z "$total" ]; then  # ctest printed no summary: count it as one failure
    total=1 fails=1
  fi
  passed=$((passed + total - fails))
  failed=$((failed + fails))
  rm -f "$log"
}
echo "== native tests (build/)"
step tests run_ctest "$root/build" -j2
echo "== the native tests again, sanitized (build-asan/: ASan + UBSan, no recovery; a finding exits 86)"
step tests-asan run_ctest "$root/build-asan" -j2
echo "== fuzz smoke (build-fuzz/): every parser's libFuzzer target from its seeds, 4 s each"
step fuzz-smoke run_ctest "$root/build-fuzz" -j2
echo "== web tests, two-thread build (build-web-mt/): the core's suite and parity under node, on pthreads"
step tests-web-mt run_ctest "$root/build-web-mt" -j2
echo "== web tests (build-web/): WebAssembly under node, the page and its server in headless Chromium"
step tests-web run_ctest "$root/build-web"
echo "time: ${timings}total $SECONDS s"
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
