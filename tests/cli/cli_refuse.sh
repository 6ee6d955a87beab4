#!/usr/bin/env bash
# Table-driven: every program refuses what does not fit with exit code 1 or 2 and ONE line on stderr
# naming the problem; none aborts, hangs or trips a sanitizer (exit 86 in the sanitized tree).
#   cli_refuse.sh numbers BIN_DIR MNIST_DIR   every numeric flag at NaN, infinities, -1, huge, 2^64+,
#                                             non-numbers, and just past its range; sizes that only
#                                             fail together (17 layers, too many parameters)
#   cli_refuse.sh files BIN_DIR MNIST_DIR     files that parse but contradict their config, the data
#                                             or each other (tests/cli/make_unfit_files.py), next to
#                                             good controls that must succeed
set -uo pipefail
group=$1 bin=$2 mnist=$3
here=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0 rows=0
limit=${CLI_REFUSE_TIMEOUT:-300}  # seconds a row may take before it counts as a hang
# the app is built only with Dear ImGui's sources and GLFW; its flags are checked when it exists, and
# its absence fails unless the tree says it has none (CLI_REFUSE_NO_APP: the sanitized tree)
app=$bin/src/app/vae-app

# expect CODE PATTERN [capped] PROGRAM ARGS...: exit code CODE, one stderr line matching PATTERN
# (ERE); CODE 0: success, stderr free of sanitizer reports. "capped" runs the program with 400 MB of
# memory at most, so one that allocates a model's parameters from a config before checking that
# the file holds them (590 MB) dies; the sanitized tree caps ASan's allocations instead (a cap on
# address space would stop ASan itself).
sanitized=$(grep -c "^VAE_SANITIZE:BOOL=ON" "$bin/CMakeCache.txt" 2>/dev/null)
expect() {
  local want=$1 pattern=$2 code
  shift 2
  rows=$((rows + 1))
  if [ "$1" = capped ] && [ "$sanitized" = 1 ]; then
    shift
    ASAN_OPTIONS=max_allocation_size_mb=400:allocator_may_return_null=0 timeout "$limit" "$@" >"$T/out" 2>"$T/err" </dev/null
  elif [ "$1" = capped ]; then
    shift
    (ulimit -v 400000 && exec timeout "$limit" "$@") >"$T/out" 2>"$T/err" </dev/null
  else
    timeout "$limit" "$@" >"$T/out" 2>"$T/err" </dev/null
  fi
  code=$?
  local what="$(basename "$1") ${*:2}"
  local problem=""
  if [ $code -eq 124 ]; then problem="hung (killed after $limit s)"
  elif [ $code -eq 86 ]; then problem="sanitizer finding"
  elif [ $code -ge 128 ]; then problem="died of signal $((code - 128))"
  elif [ $code -ne "$want" ]; then problem="exit code $code, expected $want"
  elif [ "$want" -ne 0 ] && [ "$(wc -l <"$T/err")" -ne 1 ]; then problem="expected one line on stderr"
  elif [ "$want" -ne 0 ] && ! grep -Eq -- "$pattern" "$T/err"; then problem="message does not match /$pattern/"
  elif grep -q "Sanitizer\|runtime error" "$T/err"; then problem="sanitizer report"
  fi
  if [ -n "$problem" ]; then
    failures=$((failures + 1))
    echo "FAIL ${what:0:160}: $problem"
    head -c 1500 "$T/err" | sed 's/^/    /'
  else
    echo "ok   ${what:0:160}: $(head -n 1 "$T/err" | cut -c1-140)"
  fi
}

# every bad value of a flag: exit 2, one line naming the flag
bad_values() {  # bad_values PROGRAM_AND_ARGS... -- FLAG VALUE...
  local cmd=() flag
  while [ "$1" != "--" ]; do cmd+=("$1"); shift; done
  shift
  flag=$1
  shift
  for value in "$@"; do expect 2 "^[a-z-]+: $flag: " "${cmd[@]}" "$flag" "$value"; done
}
NON_NUMBERS=(nan NaN inf -inf infinity 1e309 -1e309 abc "" " 5" 0x10 5x)
HUGE_INTS=(-1 18446744073709551616 99999999999999999999999 9223372036854775808 1e3 2.5)

python3 "$here/make_unfit_files.py" "$T" "$mnist" >/dev/null || { echo "FAIL make_unfit_files.py"; exit 1; }
case $group in
numbers)
  W=$here/../../weights/mnist-z20.safetensors
  for flag in --hidden --latent --batch --epochs --samples --threads --train-limit; do
    bad_values "$bin/vae-train" -- $flag "${NON_NUMBERS[@]}" "${HUGE_INTS[@]}"
  done
  for flag in --lr --lr-final --kl-warmup; do bad_values "$bin/vae-train" -- $flag "${NON_NUMBERS[@]}" -1 1e300; done
  bad_values "$bin/vae-train" -- --seed "${NON_NUMBERS[@]}" -1 18446744073709551616 99999999999999999999999 1e3 +5
  expect 2 "--latent: '4097' is out of range" "$bin/vae-train" --latent 4097
  expect 2 "--hidden: '16385' is out of range" "$bin/vae-train" --hidden 400,16385
  expect 2 "--batch: '60001' is out of range" "$bin/vae-train" --batch 60001
  expect 2 "--epochs: '100001' is out of range" "$bin/vae-train" --epochs 100001
  expect 2 "--samples: '0' is out of range" "$bin/vae-train" --samples 0
  expect 2 "--lr: '0' is out of range" "$bin/vae-train" --lr 0
  expect 2 "--lr: '11' is out of range" "$bin/vae-train" --lr 11
  expect 1 "need 1 to 16 hidden layers" "$bin/vae-train" --hidden 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
  expect 1 "parameters, more than" "$bin/vae-train" --hidden 16384,16384,16384,16384
  expect 1 "work buffers" "$bin/vae-train" --hidden 16384 --batch 60000

  for flag in --k --n --threads --chunk; do
    bad_values "$bin/vae-eval" "$W" -- $flag "${NON_NUMBERS[@]}" "${HUGE_INTS[@]}"
  done
  bad_values "$bin/vae-eval" "$W" -- --seed "${NON_NUMBERS[@]}" -1 18446744073709551616
  expect 2 "--chunk: '0' is out of range" "$bin/vae-eval" "$W" --chunk 0
  expect 2 "--k: '1000001' is out of range" "$bin/vae-eval" "$W" --k 1000001

  for flag in --n --columns; do bad_values "$bin/vae-sample" "$W" --json -- $flag "${NON_NUMBERS[@]}" "${HUGE_INTS[@]}"; done
  bad_values "$bin/vae-sample" "$W" --json -- --class "${NON_NUMBERS[@]}" -2 256 18446744073709551616
  bad_values "$bin/vae-sample" "$W" --json -- --temperature "${NON_NUMBERS[@]}" -1 10.5 1e300
  bad_values "$bin/vae-sample" "$W" --json -- --seed "${NON_NUMBERS[@]}" -1 18446744073709551616
  expect 1 "is not a conditional model" "$bin/vae-sample" "$W" --json --class 3
  expect 1 "knows classes 0..9" "$bin/vae-sample" "$here/../../weights/mnist-cvae.safetensors" --json --class 10

  for flag in --hidden --latent --batch --decode-batch --threads; do
    bad_values "$bin/vae-bench" -- $flag "${NON_NUMBERS[@]}" "${HUGE_INTS[@]}"
  done
  bad_values "$bin/vae-bench" -- --seconds "${NON_NUMBERS[@]}" -1 0 3601 1e300
  expect 1 "need 1 to 16 hidden layers" "$bin/vae-bench" --hidden 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
  expect 1 "work buffers" "$bin/vae-bench" --hidden 16384 --batch 60000
  expect 1 "smaller than --batch" "$bin/vae-bench" --data "$T/mini" --batch 500

  for flag in --hidden --epochs --batch --threads; do
    bad_values "$bin/vae-classifier" -- $flag "${NON_NUMBERS[@]}" "${HUGE_INTS[@]}"
  done
  bad_values "$bin/vae-classifier" -- --lr "${NON_NUMBERS[@]}" -1 0 1e300
  bad_values "$bin/vae-classifier" -- --seed "${NON_NUMBERS[@]}" -1 18446744073709551616
  expect 2 "--hidden: At Most 16" "$bin/vae-classifier" --hidden 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17
  expect 1 "more than this program handles" "$bin/vae-classifier" --hidden 16384,16384,16384 --batch 60000

  if [ -n "${CLI_REFUSE_NO_APP:-}" ]; then
    echo "not here: vae-app's flags ($CLI_REFUSE_NO_APP)"
  elif [ -x "$app" ]; then
    for value in "${NON_NUMBERS[@]}" "${HUGE_INTS[@]}" 0; do expect 2 "^vae-app: --frames: " "$app" --frames "$value"; done
  else
    echo "FAIL $app not built: the app's flags were not checked"
    failures=$((failures + 1))
  fi ;;

files)
  mini=(--data "$T/mini")
  # controls: made the same way, they are used without a word
  expect 0 "" "$bin/vae-eval" "$T/good.safetensors" "${mini[@]}" --k 2 --threads 1
  expect 0 "" "$bin/vae-sample" "$T/good.safetensors" --out "$T/s.png"
  expect 0 "" "$bin/vae-eval" "$T/cvae.safetensors" "${mini[@]}" --k 0 --classifier "$T/classifier.safetensors" --threads 1
  expect 0 "" "$bin/vae-eval" "$T/good.safetensors" "${mini[@]}" --image 0 --posterior --fit-q --k 100 --threads 1
  expect 0 "" "$bin/vae-eval" "$T/cvae.safetensors" "${mini[@]}" --image 1 --posterior --fit-q --k 100 --threads 1
  expect 0 "" "$bin/vae-eval" "$T/z3.safetensors" "${mini[@]}" --image 0 --fit-q --k 100 --threads 1
  expect 0 "" "$bin/vae-train" --resume --checkpoint "$T/good.ckpt" --epochs 1 "${mini[@]}" --out "$T/r.safetensors" --threads 1
  # weights that declare a model they do not hold, or one the data does not fit
  for p in "vae-eval" "vae-sample --json" ; do
    expect 1 "giant-config.safetensors: config: .* has 34360918020 parameters, more than" $bin/$p "$T/giant-config.safetensors"
    expect 1 "big-config.safetensors: missing tensor \"encoder.0.weight\"" capped $bin/$p "$T/big-config.safetensors"
    expect 1 "need 1 to 16 hidden layers" $bin/$p "$T/layers17.safetensors"
    expect 1 "parameters, more than" $bin/$p "$T/too-many-params.safetensors"
    expect 1 "tensor \"encoder.0.weight\" has shape \[784, 8\]" $bin/$p "$T/wrong-shape.safetensors"
    expect 1 "no \"config\" in the metadata" $bin/$p "$T/classifier.safetensors"
    expect 1 "unexpected tensor \"optimizer.m\"" $bin/$p "$T/good.ckpt"
  done
  # the one-image figures that need an image, or two latent dimensions
  expect 1 "describe one image: add --image N" "$bin/vae-eval" "$T/good.safetensors" "${mini[@]}" --posterior
  expect 1 "describe one image: add --image N" "$bin/vae-eval" "$T/good.safetensors" "${mini[@]}" --fit-q
  expect 1 "z3.safetensors has Z = 3" "$bin/vae-eval" "$T/z3.safetensors" "${mini[@]}" --image 0 --posterior
  expect 1 "conditional on 3 classes, the data has 10" "$bin/vae-eval" "$T/classes3.safetensors" "${mini[@]}"
  expect 1 "input is 100 values, the images have 784" "$bin/vae-eval" "$T/input100.safetensors" "${mini[@]}"
  expect 1 "input is 100 values, not a 28x28 image" "$bin/vae-sample" "$T/input100.safetensors" --out "$T/x.png"
  expect 0 "" "$bin/vae-sample" "$T/input100.safetensors" --json --n 2
  expect 0 "" "$bin/vae-sample" "$T/classes3.safetensors" --out "$T/c3.png"
  # values so large the decoder overflows to NaN: drawn black, no undefined conversion
  expect 0 "" "$bin/vae-sample" "$T/huge-values.safetensors" --out "$T/h.png"
  # classifiers that do not fit the model, or hold less than their config declares
  expect 1 "classifier reads 100 pixels" "$bin/vae-eval" "$T/cvae.safetensors" "${mini[@]}" --k 0 --classifier "$T/classifier-input100.safetensors"
  expect 1 "into 3 classes" "$bin/vae-eval" "$T/cvae.safetensors" "${mini[@]}" --k 0 --classifier "$T/classifier-classes3.safetensors"
  expect 1 "tensor classifier.0 missing" "$bin/vae-eval" "$T/cvae.safetensors" "${mini[@]}" --k 0 --classifier "$T/classifier-giant.safetensors"
  expect 1 "not a classifier file" "$bin/vae-eval" "$T/cvae.safetensors" "${mini[@]}" --k 0 --classifier "$T/good.safetensors"
  # checkpoints: a model the data does not fit, fields out of range
  resume() { expect 1 "$1" "$bin/vae-train" --resume --checkpoint "$T/$2" --epochs 2 "${mini[@]}" --out "$T/r2.safetensors"; }
  expect 1 "big-config.ckpt: missing tensor \"encoder.0.weight\"" capped "$bin/vae-train" --resume --checkpoint "$T/big-config.ckpt" --epochs 2 "${mini[@]}" --out "$T/r3.safetensors"
  resume "input is 100 values, the images have 784" input100.ckpt
  resume "conditional on 3 classes, the data has 10" classes3.ckpt
  resume "\"rng_state\": '99999999999999999999' is larger than 2\^64 - 1" rng-state-too-big.ckpt
  resume "\"seed\": '18446744073709551616' is larger than 2\^64 - 1" seed-2-64.ckpt
  resume "\"seed\": '-1' is not a whole number" seed-negative.ckpt
  resume "\"rng_inc\" is even" rng-inc-even.ckpt
  resume "\"schedule_epochs\" missing or not an integer" epochs-1e300.ckpt
  resume "\"epoch\" missing or not an integer" epoch-1e300.ckpt
  resume "\"epoch\" is 1099511627776, out of range 0..100000" epoch-huge.ckpt
  resume "\"lr\" is 1e\+?300, out of range" lr-1e300.ckpt
  resume "\"lr_base\" is 0, out of range \(0" lr-base-zero.ckpt
  resume "\"kl_warmup\" is -1(\.0)?, out of range" kl-warmup-negative.ckpt
  resume "\"batch\" is 1048576, out of range 1..60000" batch-huge.ckpt
  resume "\"samples\" is 0, out of range 1..1000" samples-zero.ckpt
  resume "\"rng_spare\" is 1e\+?30, out of range" spare-huge.ckpt
  resume "\"train_seconds\" is -5(\.0)?, out of range" seconds-negative.ckpt
  resume "\"optimizer.v\" holds a negative value" moments-negative.ckpt
  resume "not a checkpoint" good.safetensors
  # data that does not fit: empty test set, fewer images than a batch, counts or sizes that disagree
  expect 1 "t10k-images-idx3-ubyte|test split .* holds no images" "$bin/vae-train" --data "$T/test0" --epochs 1 --batch 20 --out "$T/t0.safetensors"
  expect 1 "test split .* holds no images" "$bin/vae-eval" "$T/good.safetensors" --data "$T/test0"
  expect 1 "smaller than one batch" "$bin/vae-train" --data "$T/train10" --epochs 1 --batch 20 --out "$T/t1.safetensors"
  expect 1 "smaller than one batch" "$bin/vae-classifier" --data "$T/train10" --epochs 1 --batch 20 --out "$T/c.safetensors"
  expect 1 "image/label count mismatch" "$bin/vae-eval" "$T/good.safetensors" --data "$T/label-count"
  expect 1 "images are 27x27, expected 28x28" "$bin/vae-train" --data "$T/side27" --epochs 1 --out "$T/t2.safetensors"
  # a test set smaller than the reconstruction figure's 40 digits is drawn whole
  expect 0 "" "$bin/vae-train" --data "$T/test15" --epochs 1 --batch 20 --hidden 8 --latent 2 --threads 1 --out "$T/t15.safetensors"
  [ -s "$T/t15-recon.png" ] || { echo "FAIL t15-recon.png not written"; failures=$((failures + 1)); } ;;
*) echo "unknown group $group"; exit 2 ;;
esac
echo "$group: $rows rows, $failures failed"
[ $failures -eq 0 ]
