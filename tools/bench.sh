#!/usr/bin/env bash
# Speed side by side, in one run: vae-bench (this project) on 1 and 2 threads with each of its matrix-
# product kernels this CPU runs (the fastest counts, and is named), the same model in
# PyTorch (Debian's python3-torch with OpenBLAS) in each thread configuration an expert would try
# (torch threads 1 and 2, each with OPENBLAS_NUM_THREADS 1 and 2; OpenBLAS on the fastest of the core
# types this CPU runs, measured first: OPENBLAS_CORETYPE; the fastest of glibc's malloc, jemalloc and
# tcmalloc, measured next: LD_PRELOAD), and this machine's float32 GEMM
# rate at 1024^3 and at the training's shapes, through OpenBLAS, Eigen and the project's own kernels
# (vae-bench --gemm-only): the fastest at 1024^3 is the limit. Prints every figure, then the ratios
# against PyTorch at its best and the fraction of the GEMM limit each training run reaches. Our
# kernels' first-layer products sum over the binarized images' 1s (fewer operations, the same
# bits); the fraction of the limit is measured on the dense products (--no-binary), whose GFLOP/s
# are operations done, and printed also as the dense-equivalent rate of the default run.
# A benchmark that prints figures, not a test: run it on an otherwise idle machine.
# Usage: tools/bench.sh [--contended] [--rounds N] [--record] [seconds per measurement, default 5]
#   --contended: keeps one core (CPU 1) busy with another process (a shell loop) during the measurements
#   --rounds N: runs ours and the peer's configurations N times in turn (default 1) and prints each
#     round's ratios, then their medians: on a shared host whose speed drifts by a quarter within
#     minutes, a ratio of runs made seconds apart, taken over several rounds, is the steadier figure
#   --record: appends the run's figures (the medians with --rounds) to tools/results/speed.csv, one
#     row a measure (date, commit, CPU, measure, threads, ours, peer, ratio, unit, method), and
#     redraws tools/results/speed.png from it (tools/plot_speed.py)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
contended=0 rounds=1 record=0
args="$*"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --contended) contended=1; shift ;;
    --rounds)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "bench.sh: --rounds takes a whole number of rounds >= 1, got '${2:-}'" >&2; exit 2; }
      rounds=$2; shift 2 ;;
    --record) record=1; shift ;;
    -h|--help) sed -n 2,22p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
    *) break ;;
  esac
done
seconds=${1:-5}
[[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]] || { echo "bench.sh: seconds must be a number, got '$seconds'" >&2; exit 2; }
"$root/tools/build.sh" >/dev/null
cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)
ext=$(grep -o -w -E 'avx2|fma|avx512f|avx512bw|avx512vl' /proc/cpuinfo | sort -u | tr '\n' ' ')
# every one-thread measurement (ours, the peer's, the GEMM's) runs pinned to the same core, CPU 0: on
# a shared host the two cores need not be equally fast (one was seen to train 30% slower than the other)
pin() { if [[ $1 == 1 ]]; then taskset -c 0 "${@:2}"; else "${@:2}"; fi; }
echo "{\"cpu\": \"$cpu\", \"cores\": $(nproc), \"vector_extensions\": \"${ext% }\", \"contended\": $contended, \"rounds\": $rounds, \"one_thread_runs_pinned_to_cpu\": 0}"
busy=""
if [[ $contended == 1 ]]; then
  # on CPU 1, beside one of the 2-thread runs' threads but never beside the 1-thread runs (CPU 0):
  # left to the scheduler, it once shared CPU 0 with them and halved the 1-thread figures instead
  taskset -c "$(( $(nproc) > 1 ? 1 : 0 ))" bash -c 'while :; do :; done' &
  busy=$!
  trap 'kill $busy 2>/dev/null || true' EXIT
  echo "{\"contended_by\": \"a busy shell loop on CPU 1, pid $busy\"}"
fi
out=$(mktemp -d)
# OpenBLAS picks its kernels by the CPU it detects, and Debian 12's (0.3.21) does not know every CPU:
# on an Intel Xeon (family 6, model 207, AVX-512) it fell back to its Prescott (SSE3) kernels, 32
# GFLOP/s at 1024^3 on one core, where OPENBLAS_CORETYPE=SkylakeX ran at 146. An expert sets
# OPENBLAS_CORETYPE then: each core type whose instructions this CPU has is measured here (one
# thread, CPU 0, numpy's 1024^3 product) and the fastest is set for every OpenBLAS run below
# (numpy's GEMMs and the PyTorch peer).
openblas_core() { OPENBLAS_VERBOSE=2 OPENBLAS_NUM_THREADS=1 "$@" /usr/bin/python3 -c 'import numpy' 2>&1 | sed -n 's/^Core: //p' | head -1; }
detected=$(openblas_core env -u OPENBLAS_CORETYPE)
candidates=(detected)
[[ " $ext " == *" avx2 "* && " $ext " == *" fma "* ]] && candidates+=(Haswell)
[[ " $ext " == *" avx512f "* && " $ext " == *" avx512bw "* && " $ext " == *" avx512vl "* ]] && candidates+=(SkylakeX)
best_core="" best_rate=0 rates=""
for c in "${candidates[@]}"; do
  if [[ $c == detected ]]; then set -- env -u OPENBLAS_CORETYPE; name=$detected; else set -- env OPENBLAS_CORETYPE=$c; name=$(openblas_core env OPENBLAS_CORETYPE="$c"); fi
  rate=$("$@" OPENBLAS_NUM_THREADS=1 taskset -c 0 /usr/bin/python3 "$root/tools/bench_gemm.py" 0.3 1024 |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["gflops_1024^3"])')
  rates+="${rates:+, }\"$c ($name)\": $rate"
  if awk "BEGIN{exit !($rate > $best_rate)}"; then best_rate=$rate; best_core=$c; fi
done
if [[ $best_core == detected ]]; then unset OPENBLAS_CORETYPE; best_core=$detected; else export OPENBLAS_CORETYPE=$best_core; fi
echo "{\"openblas_core_detected\": \"$detected\", \"openblas_core_gflops_1024^3_1_thread\": {$rates}, \"openblas_core_used\": \"$best_core\"}"
# The peer's memory allocator: with glibc's malloc, PyTorch hands each step's large tensors back to
# the system and takes them again (page faults every step); PyTorch's own CPU tuning advice is to
# preload jemalloc or tcmalloc, which keep them. Measured here (AMD EPYC, Zen 5, torch 1 thread):
# 4,400-9,400 samples/s with glibc, 16,000-17,200 with either. Each allocator is measured the same
# way (torch 1 thread, OpenBLAS 1, CPU 0) and the fastest is preloaded for every PyTorch run below.
libdir=/usr/lib/x86_64-linux-gnu
best_alloc="" best_alloc_rate=0 alloc_rates=""
for a in glibc "$libdir/libjemalloc.so.2" "$libdir/libtcmalloc_minimal.so.4"; do
  [[ $a == glibc || -f $a ]] || continue
  pre=""; [[ $a != glibc ]] && pre=$a
  rate=$(LD_PRELOAD=$pre OPENBLAS_NUM_THREADS=1 taskset -c 0 /usr/bin/python3 "$root/tools/bench_torch.py" "$root/.deps/mnist" 1 1 |
    /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["train_samples_per_s"])')
  alloc_rates+="${alloc_rates:+, }\"$(basename "$a")\": $rate"
  if (( rate > best_alloc_rate )); then best_alloc_rate=$rate; best_alloc=$pre; fi
done
echo "{\"peer_allocator_train_samples_per_s_1_thread\": {$alloc_rates}, \"peer_allocator_used\": \"$(basename "${best_alloc:-glibc}")\"}"
for t in 1 2; do
  OPENBLAS_NUM_THREADS=$t pin "$t" /usr/bin/python3 "$root/tools/bench_gemm.py" "$(awk "BEGIN{print $seconds/3}")" | tee "$out/gemm$t.json"
done
for t in 1 2; do
  pin "$t" "$root/build/vae-bench" --gemm-only --seconds "$seconds" --threads "$t" | tee "$out/eigen$t.json"
done
# ours with each matrix-product kernel this CPU runs (the programs' default, --gemm auto, is the
# widest; which is fastest here is measured, and the figures below name it)
kernels=(eigen)
[[ " $ext " == *" avx2 "* && " $ext " == *" fma "* ]] && kernels+=(avx2)
[[ " $ext " == *" avx512f "* ]] && kernels+=(avx512)
for r in $(seq "$rounds"); do
  # one round, into a folder of its own: ours on 1 thread, the peer with torch on 1, ours on 2, the peer on 2
  mkdir -p "$out/r$r"
  [[ $rounds -gt 1 ]] && echo "{\"round\": $r}"
  for t in 1 2; do
    for k in "${kernels[@]}"; do
      pin "$t" "$root/build/vae-bench" --seconds "$seconds" --threads "$t" --gemm "$k" | tr -d '\n' | tee "$out/r$r/ours$t-$k.json"; echo
    done
    # our kernels with the dense products only: the operations they do are the GFLOP/s they print
    for k in "${kernels[@]:1}"; do
      pin "$t" "$root/build/vae-bench" --train-only --no-binary --seconds "$seconds" --threads "$t" --gemm "$k" |
        tr -d '\n' | tee "$out/r$r/dense$t-$k.json"; echo
    done
    # the peer with torch on t threads, right after ours on t threads
    for b in 1 2; do
      LD_PRELOAD=$best_alloc OPENBLAS_NUM_THREADS=$b pin "$((t * b))" /usr/bin/python3 "$root/tools/bench_torch.py" "$root/.deps/mnist" "$t" "$seconds" |
        tee "$out/r$r/peer$t$b.json"
    done
  done
done
csv_out=""
[[ $record == 1 ]] && csv_out=$root/tools/results/speed.csv
# the CPU as the record names it: its model and its widest vector instructions, no commas
widest=AVX; [[ " $ext " == *" avx2 "* ]] && widest=AVX2; [[ " $ext " == *" avx512f "* ]] && widest=AVX-512
cpu_short="$(tr -d ',' <<<"$cpu" | sed 's/(R)//g; s/(TM)//g; s/ Processor//; s/ CPU @.*//; s/ \{2,\}/ /g; s/ *$//') ($widest)"
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
method="bench.sh${args:+ $(sed 's/--record *//' <<<"$args")}"
[[ $rounds -gt 1 ]] && method+=" median"
/usr/bin/python3 - "$out" "$rounds" "$csv_out" "$cpu_short" "$commit" "${method% }" <<'PY'
import csv, datetime, glob, json, os, statistics, sys
d, rounds = sys.argv[1], int(sys.argv[2])
csv_out, cpu, commit, method = sys.argv[3:7]
load = lambda path: json.load(open(path))
gemm = {t: load(os.path.join(d, f"gemm{t}.json")) for t in (1, 2)}
eigen = {t: load(os.path.join(d, f"eigen{t}.json")) for t in (1, 2)}

def summarize(rd):
    """The comparison of one round (the files in folder rd), as the benchmark always printed it."""
    runs = {t: [load(p) for p in sorted(glob.glob(os.path.join(rd, f"ours{t}-*.json")))] for t in (1, 2)}
    # ours: the fastest kernel at training on t threads, and at decoding on one
    ours = {t: max(runs[t], key=lambda r: r["train_samples_per_s"]) for t in (1, 2)}
    ours_decode = max(runs[1], key=lambda r: r["decode_images_per_s_1_thread"])
    peers = [load(p) for p in sorted(glob.glob(os.path.join(rd, "peer*.json")))]
    # one thread means one core for the peer too: torch 1 thread and OpenBLAS 1 thread; two threads,
    # the best of every configuration; decoding runs torch on 1 thread, so only OpenBLAS 1 counts
    one_core = [p for p in peers if p["threads"] == 1 and p["openblas_threads"] == 1]
    best_train = {1: max(one_core, key=lambda p: p["train_samples_per_s"]),
                  2: max(peers, key=lambda p: p["train_samples_per_s"])}
    best_decode = max([p for p in peers if p["openblas_threads"] == 1], key=lambda p: p["decode_images_per_s_1_thread"])
    # FLOP per training sample, as vae-bench counts them for the model it ran (the layers' products)
    flop = ours[1]["train_flop_per_sample"]
    cfg = lambda p: (f"torch threads {p['threads']}, OPENBLAS_NUM_THREADS {p['openblas_threads']}" +
                     (f", OPENBLAS_CORETYPE {p['openblas_coretype']}" if p["openblas_coretype"] != "detected" else "") +
                     (f", allocator {p['allocator']}" if p.get("allocator", "glibc") != "glibc" else ""))
    summary = {"pytorch_best_training_1_core": cfg(best_train[1]), "pytorch_best_training": cfg(best_train[2]),
               "pytorch_best_decoding_1_core": cfg(best_decode), "flop_per_training_sample": flop}
    for t in (1, 2):
        # the limit: the fastest float32 GEMM this machine has at 1024^3: OpenBLAS's, Eigen's or ours
        fastest = max([gemm[t]] + eigen[t], key=lambda k: k["gflops_1024^3"])
        limit = fastest["gflops_1024^3"]
        summary[f"gemm_limit_gflops_{t}_thread"] = limit
        summary[f"gemm_limit_from_{t}_thread"] = fastest["blas"]
        summary[f"train_gemm_{t}_thread"] = ours[t]["gemm"]
        summary[f"train_samples_per_s_by_gemm_{t}_thread"] = {r["gemm"]: r["train_samples_per_s"] for r in runs[t]}
        summary[f"pytorch_best_train_samples_per_s_{t}_thread"] = best_train[t]["train_samples_per_s"]
        summary[f"train_ratio_vs_pytorch_best_{t}_thread"] = round(ours[t]["train_samples_per_s"] / best_train[t]["train_samples_per_s"], 2)
        # the fraction of the limit: the fastest kernel's dense products (eigen's are always dense)
        dense = [load(p) for p in glob.glob(os.path.join(rd, f"dense{t}-*.json"))] + \
                [r for r in runs[t] if not r.get("binary_products", False)]
        dense_best = max(dense, key=lambda r: r["train_gflops"])
        summary[f"train_dense_gemm_{t}_thread"] = dense_best["gemm"]
        summary[f"train_dense_samples_per_s_{t}_thread"] = dense_best["train_samples_per_s"]
        summary[f"train_fraction_of_gemm_limit_{t}_thread"] = round(dense_best["train_gflops"] / limit, 3)
        summary[f"train_gflops_{t}_thread"] = ours[t]["train_gflops"]
        summary[f"train_binary_products_{t}_thread"] = ours[t].get("binary_products", False)
        # the default run's rate counted as dense multiply-adds (it does fewer): not a fraction of anything done
        summary[f"train_dense_equivalent_fraction_of_gemm_limit_{t}_thread"] = round(ours[t]["train_gflops"] / limit, 3)
    summary["decode_gemm"] = ours_decode["gemm"]
    summary["decode_images_per_s_by_gemm_1_thread"] = {r["gemm"]: r["decode_images_per_s_1_thread"] for r in runs[1]}
    summary["pytorch_best_decode_images_per_s_1_thread"] = best_decode["decode_images_per_s_1_thread"]
    summary["decode_ratio_vs_pytorch_best_1_thread"] = round(ours_decode["decode_images_per_s_1_thread"] / best_decode["decode_images_per_s_1_thread"], 2)
    summary["train_2_threads_over_1"] = round(ours[2]["train_samples_per_s"] / ours[1]["train_samples_per_s"], 2)
    return summary

def record(s):
    """Appends one run's figures to the speed record (tools/results/speed.csv), one row a measure."""
    if not csv_out:
        return
    date = datetime.date.today().isoformat()
    rows = []
    for t in (1, 2):
        ours = s[f"train_samples_per_s_by_gemm_{t}_thread"][s[f"train_gemm_{t}_thread"]]
        rows.append(["training", t, round(ours), round(s[f"pytorch_best_train_samples_per_s_{t}_thread"]),
                     s[f"train_ratio_vs_pytorch_best_{t}_thread"], "samples/s"])
    ours = s["decode_images_per_s_by_gemm_1_thread"][s["decode_gemm"]]
    rows.append(["decoding", 1, round(ours), round(s["pytorch_best_decode_images_per_s_1_thread"]),
                 s["decode_ratio_vs_pytorch_best_1_thread"], "images/s"])
    for t in (1, 2):
        rows.append(["gemm_limit_fraction", t, s[f"train_fraction_of_gemm_limit_{t}_thread"], "", "", "fraction"])
    rows.append(["training_scaling", 2, s["train_2_threads_over_1"], "", "", "x one thread"])
    with open(csv_out, "a", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for r in rows:
            w.writerow([date, commit, cpu, *r, method])
    print(json.dumps({"recorded_rows": len(rows), "into": csv_out}))

summaries = [summarize(os.path.join(d, f"r{r}")) for r in range(1, rounds + 1)]
if rounds == 1:
    print(json.dumps(summaries[0], indent=2))
    record(summaries[0])
    sys.exit(0)
# several rounds: each round's figures on a line, then the median of each over the rounds
figures = ["train_ratio_vs_pytorch_best_1_thread", "train_ratio_vs_pytorch_best_2_thread",
           "decode_ratio_vs_pytorch_best_1_thread", "train_fraction_of_gemm_limit_1_thread",
           "train_fraction_of_gemm_limit_2_thread", "train_2_threads_over_1"]
for r, s in enumerate(summaries, 1):
    print(json.dumps({"round": r, **{k: s[k] for k in figures}}))
median = {"rounds": rounds, "median_over_rounds": {}}
for k, v in summaries[0].items():
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        median["median_over_rounds"][k] = round(statistics.median(s[k] for s in summaries), 3)
median["median_over_rounds"]["peer_configurations_by_round"] = [
    {k: s[k] for k in ("pytorch_best_training_1_core", "pytorch_best_training", "pytorch_best_decoding_1_core")} for s in summaries]
print(json.dumps(median, indent=2))
# the record holds the medians: the ratio of each measure's median over the rounds
m = median["median_over_rounds"]
record({**m, "train_gemm_1_thread": "median", "train_gemm_2_thread": "median", "decode_gemm": "median",
        "train_samples_per_s_by_gemm_1_thread": {"median": statistics.median(max(s["train_samples_per_s_by_gemm_1_thread"].values()) for s in summaries)},
        "train_samples_per_s_by_gemm_2_thread": {"median": statistics.median(max(s["train_samples_per_s_by_gemm_2_thread"].values()) for s in summaries)},
        "decode_images_per_s_by_gemm_1_thread": {"median": statistics.median(max(s["decode_images_per_s_by_gemm_1_thread"].values()) for s in summaries)}})
PY
rm -rf "$out"
if [[ $record == 1 ]]; then
  /usr/bin/python3 "$root/tools/plot_speed.py" "$root/tools/results/speed.csv" "$root/tools/results/speed.png"
fi
