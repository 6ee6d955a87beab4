#!/usr/bin/env bash
# The README's test command: sets everything up on a fresh Debian 12 machine, builds the native tree
# (build/), the sanitized tree (build-asan/: clang-14, ASan + UBSan, with the parsers' libFuzzer
# targets) and the two WebAssembly trees (build-web-mt/: two threads; build-web/: one thread, whose
# site serves both pages), then runs the whole suite: the native ctest (core, programs, PyTorch
# parity, docs, the native window), the same again sanitized, each parser's fuzz target briefly from
# its seeds, the core's suite and native/wasm parity under node in both WebAssembly trees, and the
# page and its server in headless Chromium. Ends with one line: "tests: N passed, M failed".
#   bash tools/test.sh            everything (tests/README.md has the time each step takes)
#   bash tools/test.sh --quick    the developer's loop: builds the native tree incrementally and runs
#                                 its unit and cli tests (ctest -L 'unit|cli')
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
case "${1:-}" in
  --quick) quick=1 ;;
  -h|--help) sed -n 2,11p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  "") ;;
  *) echo "test.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
esac
timings=""
step() {  # step NAME COMMAND...: runs it, notes how long it took
  local t0=$SECONDS
  "${@:2}"
  local rc=$?
  timings+="$1 $((SECONDS - t0)) s, "
  return $rc
}
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
finish() {
  echo "time: ${timings}total $SECONDS s"
  echo "tests: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

if [ $quick -eq 1 ]; then
  # setup only when it never ran here (it is idempotent, but apt's checks take seconds)
  if [ ! -e "$root/.deps/mnist" ] || [ ! -f "$root/.deps/imgui/imgui.cpp" ]; then
    step setup "$root/tools/setup.sh" || exit 1
  fi
  step build "$root/tools/build.sh" || exit 1
  echo "== unit and cli tests (build/)"
  step tests run_ctest "$root/build" -j2 -L 'unit|cli'
  finish
  exit $?
fi

step setup "$root/tools/setup.sh" || exit 1
step build "$root/tools/build.sh" || exit 1
step build-asan "$root/tools/build_asan.sh" || exit 1
step build-web "$root/tools/build_web.sh" || exit 1

echo "== native tests (build/)"
step tests run_ctest "$root/build" -j2
echo "== the native tests again, sanitized (build-asan/: ASan + UBSan, no recovery; a finding exits 86)"
step tests-asan run_ctest "$root/build-asan" -j2 -LE fuzz
echo "== fuzz smoke (build-asan/): every parser's libFuzzer target from its seeds"
step fuzz-smoke run_ctest "$root/build-asan" -j2 -L fuzz
echo "== web tests, two-thread build (build-web-mt/): the core's suite and parity under node, on pthreads"
step tests-web-mt run_ctest "$root/build-web-mt" -j2
echo "== web tests (build-web/): the core's suite and parity, WebAssembly under node"
step tests-web run_ctest "$root/build-web" -j2 -LE slow
echo "== the page and its server in headless Chromium (build-web/; one at a time: they check frame times)"
step tests-page run_ctest "$root/build-web" -L slow
finish
