#!/usr/bin/env bash
# How training cost grows: vae-bench's training samples/s and achieved GFLOP/s of 784-H-20-H-784
# (ReLU, Adam) over batch {25, 50, 100, 250, 1000} x hidden {200, 400, 1000, 2000}, natively on 1
# and 2 threads and in WebAssembly under node, on 1 thread (build-web's vae-bench.js) and on 2
# (build-web-mt's vae-bench-mt.js, Emscripten pthreads: the page's two-thread build).
# Writes weights/cost-growth.csv and plots it to weights/cost-growth.png. A benchmark that prints
# figures, not a test: run it on an otherwise idle machine.
# Usage: tools/growth.sh [seconds per measurement, default 1]   (about 100 measurements)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [[ "${1:-}" == "-h" || "${1:-}" == "--help" ]]; then sed -n 2,8p "$0" | sed 's/^# \{0,1\}//'; exit 0; fi
seconds=${1:-1}
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "growth.sh: seconds must be a number, got '$seconds'" >&2; exit 2; }
"$root/tools/build.sh" >/dev/null
"$root/tools/build_web.sh" --target vae-bench >/dev/null
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
csv="$root/weights/cost-growth.csv"
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "build,threads,hidden,batch,train_samples_per_s,train_gflops,cpu" >"$tmp"
run() {  # build threads hidden batch command...
  local build=$1 threads=$2 hidden=$3 batch=$4
  shift 4
  local json
  json=$("$@" --train-only --seconds "$seconds" --hidden "$hidden" --batch "$batch" --threads "$threads")
  local sps gf
  sps=$(sed -n 's/.*"train_samples_per_s": *\([0-9.]*\).*/\1/p' <<<"$json")
  gf=$(sed -n 's/.*"train_gflops": *\([0-9.]*\).*/\1/p' <<<"$json")
  echo "$build,$threads,$hidden,$batch,$sps,$gf,$cpu" | tee -a "$tmp"
}
for hidden in 200 400 1000 2000; do
  for batch in 25 50 100 250 1000; do
    for threads in 1 2; do run native "$threads" "$hidden" "$batch" "$root/build/vae-bench"; done
    run wasm 1 "$hidden" "$batch" node --no-experimental-fetch "$root/build-web/vae-bench.js"
    run wasm 2 "$hidden" "$batch" node --no-experimental-fetch "$root/build-web-mt/vae-bench-mt.js"
  done
done
mv "$tmp" "$csv"
trap - EXIT
/usr/bin/python3 "$root/tools/plot_growth.py" "$csv" "$root/weights/cost-growth.png"
