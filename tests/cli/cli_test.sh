#!/usr/bin/env bash
# The native programs as a user runs them. Usage: cli_test.sh CASE BIN_DIR MNIST_DIR
set -uo pipefail
case_name=$1 bin=$2 mnist=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
# runs a command, keeping its exit code, stdout and stderr
run() { "$@" >"$tmp/out" 2>"$tmp/err"; code=$?; }

case $case_name in
help)
  for p in vae-train vae-eval vae-bench; do
    run "$bin/$p" --help
    [ $code -eq 0 ] || fail "$p --help exited $code"
    grep -q -- "--threads" "$tmp/out" || fail "$p --help does not list --threads"
  done
  run "$bin/vae-train" --help
  for flag in --hidden --latent --activation --optimizer --lr --batch --epochs --samples --seed --resume --data --out \
              --likelihood --decoder-variance --posterior-scale --dropout --init --objective --k; do
    grep -q -- "$flag" "$tmp/out" || fail "vae-train --help does not list $flag"
  done ;;
bad_flag)
  for p in vae-train "vae-eval w.safetensors" vae-bench; do
    run $bin/$p --no-such-flag
    [ $code -ne 0 ] || fail "$p accepted --no-such-flag"
    [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "$p: expected a one-line message, got: $(cat "$tmp/err")"
    grep -q "no-such-flag" "$tmp/err" || fail "$p: message does not name the flag: $(cat "$tmp/err")"
  done ;;
bad_value)
  run "$bin/vae-train" --activation gelu
  [ $code -ne 0 ] && grep -q "gelu" "$tmp/err" || fail "bad activation: $code $(cat "$tmp/err")"
  run "$bin/vae-train" --latent 0
  [ $code -ne 0 ] && grep -q "latent" "$tmp/err" || fail "latent 0: $code $(cat "$tmp/err")"
  run "$bin/vae-train" --lr abc
  [ $code -ne 0 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "lr abc: $code $(cat "$tmp/err")" ;;
missing_data)
  run "$bin/vae-train" --data "$tmp/nowhere" --epochs 1
  [ $code -ne 0 ] || fail "vae-train ran without data"
  grep -q "$tmp/nowhere" "$tmp/err" || fail "message does not name the directory: $(cat "$tmp/err")" ;;
corrupt_weights)
  printf 'not a safetensors file' > "$tmp/bad.safetensors"
  run "$bin/vae-eval" "$tmp/bad.safetensors" --data "$mnist"
  [ $code -eq 1 ] || fail "vae-eval on a corrupt file exited $code"
  grep -q "$tmp/bad.safetensors: safetensors: " "$tmp/err" || fail "message: $(cat "$tmp/err")"
  [ "$(wc -l < "$tmp/err")" -eq 1 ] || fail "expected one line: $(cat "$tmp/err")"
  run "$bin/vae-eval" "$tmp/missing.safetensors" --data "$mnist"
  [ $code -eq 1 ] && grep -q "missing.safetensors" "$tmp/err" || fail "missing file: $(cat "$tmp/err")" ;;
train_eval_tiny)
  run "$bin/vae-train" --data "$mnist" --train-limit 1000 --epochs 2 --hidden 64 --latent 4 --threads 1 --out "$tmp/m.safetensors" --log "$tmp/log.csv"
  [ $code -eq 0 ] || fail "vae-train exited $code: $(cat "$tmp/err")"
  [ "$(grep -c '^epoch ' "$tmp/out")" -eq 2 ] || fail "expected 2 epoch lines: $(cat "$tmp/out")"
  grep -q "test ELBO" "$tmp/out" || fail "no test ELBO in the epoch lines"
  for f in m.safetensors m-samples.png m-recon.png m.safetensors.ckpt; do [ -s "$tmp/$f" ] || fail "$f not written"; done
  [ "$(head -c 8 "$tmp/m-samples.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "samples PNG has no PNG signature"
  [ "$(wc -l < "$tmp/log.csv")" -eq 3 ] || fail "log CSV should have a header and 2 rows"
  run "$bin/vae-eval" "$tmp/m.safetensors" --data "$mnist" --n 50 --k 20 --threads 1
  [ $code -eq 0 ] || fail "vae-eval exited $code: $(cat "$tmp/err")"
  grep -q '"metric":"test_elbo"' "$tmp/out" && grep -q '"metric":"log_px"' "$tmp/out" || fail "vae-eval output: $(cat "$tmp/out")"
  ls "$tmp" | grep -q '\.tmp\.' && fail "temporary files left behind: $(ls "$tmp")"
  true ;;
resume_matches)
  common=(--data "$mnist" --train-limit 600 --hidden 32 --latent 3 --threads 2 --seed 5)
  run "$bin/vae-train" "${common[@]}" --epochs 3 --out "$tmp/straight.safetensors"
  [ $code -eq 0 ] || fail "straight run: $(cat "$tmp/err")"
  run "$bin/vae-train" "${common[@]}" --epochs 1 --out "$tmp/resumed.safetensors"
  [ $code -eq 0 ] || fail "first part: $(cat "$tmp/err")"
  run "$bin/vae-train" --data "$mnist" --train-limit 600 --threads 2 --epochs 3 --resume --out "$tmp/resumed.safetensors"
  [ $code -eq 0 ] || fail "resumed part: $(cat "$tmp/err")"
  grep -q "resuming" "$tmp/out" || fail "no resume line"
  # the data sections (weights, Adam's moments) must match byte for byte; the headers differ in wall time
  data_section() { local n; n=$(od -An -tu8 -N8 "$1" | tr -d ' '); tail -c +$((8 + n + 1)) "$1"; }
  data_section "$tmp/straight.safetensors.ckpt" > "$tmp/a.bin"
  data_section "$tmp/resumed.safetensors.ckpt" > "$tmp/b.bin"
  [ "$(stat -c %s "$tmp/a.bin")" -gt 100000 ] || fail "checkpoint data section too small: $(stat -c %s "$tmp/a.bin")"
  cmp "$tmp/a.bin" "$tmp/b.bin" || fail "resumed run's weights and moments differ from the straight run's" ;;
model_card)
  weights=$(cd "$(dirname "$0")/../../weights" && pwd)
  run "$bin/vae-train" --data "$mnist" --train-limit 600 --hidden 32 --latent 3 --epochs 1 --threads 1 --out "$tmp/m.safetensors"
  [ $code -eq 0 ] || fail "vae-train: $(cat "$tmp/err")"
  cp "$tmp/m.safetensors" "$tmp/before.safetensors"
  run "$bin/vae-eval" "$tmp/m.safetensors" --data "$mnist" --n 50 --write-card
  [ $code -eq 1 ] && grep -q "whole test set" "$tmp/err" || fail "--write-card with --n: $code $(cat "$tmp/err")"
  run "$bin/vae-eval" "$tmp/m.safetensors" --data "$mnist" --dataset fashion --write-card
  [ $code -eq 1 ] && grep -q "trained on mnist" "$tmp/err" || fail "--write-card on the wrong dataset: $code $(cat "$tmp/err")"
  cmp -s "$tmp/m.safetensors" "$tmp/before.safetensors" || fail "a refused --write-card changed the file"
  run "$bin/vae-eval" "$tmp/m.safetensors" --data "$mnist" --k 4 --threads 1 --write-card
  [ $code -eq 0 ] || fail "vae-eval --write-card: $(cat "$tmp/err")"
  # the card holds the printed figures; the rest of the metadata and every tensor byte are kept
  /usr/bin/python3 - "$tmp/out" "$tmp/before.safetensors" "$tmp/m.safetensors" <<'PY' || fail "model card"
import json, struct, sys
def read(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8:8 + n])["__metadata__"], b[8 + n:]
lines = {j["metric"]: j for j in map(json.loads, open(sys.argv[1]))}
(old, old_data), (new, new_data) = read(sys.argv[2]), read(sys.argv[3])
assert new_data == old_data, "tensor bytes changed"
for key in old:  # vae-train's test ELBO is the same figure, so it stays too
    assert new[key] == old[key], (key, old[key], new[key])
assert new["test_elbo"] == "%.3f" % lines["test_elbo"]["value"], (new["test_elbo"], lines["test_elbo"])
assert new["log_px"] == "%.3f" % lines["log_px"]["value"], (new["log_px"], lines["log_px"])
assert "k=4 " in new["log_px_how"], new["log_px_how"]
assert new["architecture"] == lines["test_elbo"]["model"], new["architecture"]
assert new["test_images"] == "10000"
PY
  # the shipped conditional model: its card's classifier agreement is the printed one, and meets 95%
  cp "$weights/mnist-cvae.safetensors" "$tmp/c.safetensors"
  run "$bin/vae-eval" "$tmp/c.safetensors" --data "$mnist" --classifier "$weights/mnist-classifier.safetensors" --k 0 --threads 1 --write-card
  [ $code -eq 0 ] || fail "vae-eval --classifier --write-card: $(cat "$tmp/err")"
  /usr/bin/python3 - "$tmp/out" "$tmp/c.safetensors" <<'PY' || fail "conditional model card"
import json, struct, sys
lines = {j["metric"]: j for j in map(json.loads, open(sys.argv[1]))}
b = open(sys.argv[2], "rb").read()
meta = json.loads(b[8:8 + struct.unpack("<Q", b[:8])[0]])["__metadata__"]
agreement = lines["classifier_agreement"]["value"]
assert meta["classifier_agreement"] == "%.4f" % agreement, (meta["classifier_agreement"], agreement)
assert agreement >= 0.95, agreement
assert meta["test_elbo"] == "%.3f" % lines["test_elbo_conditional"]["value"]
assert "mnist-classifier.safetensors (test accuracy 0.98" in meta["classifier_agreement_how"], meta["classifier_agreement_how"]
PY
  ls "$tmp" | grep -q '\.tmp\.' && fail "temporary files left behind: $(ls "$tmp")"
  true ;;
family)
  # the model family's flags: refused when they do not fit together, each message naming the flag
  run "$bin/vae-train" --data "$mnist" --k 3
  [ $code -ne 0 ] && grep -q -- "--k is for --objective iwae" "$tmp/err" || fail "--k without iwae: $code $(cat "$tmp/err")"
  run "$bin/vae-train" --data "$mnist" --objective iwae --samples 2
  [ $code -ne 0 ] && grep -q -- "--samples" "$tmp/err" || fail "--samples with iwae: $code $(cat "$tmp/err")"
  run "$bin/vae-train" --data "$mnist" --decoder-variance shared
  [ $code -ne 0 ] && grep -q "decoder_variance is for a gaussian likelihood" "$tmp/err" || fail "variance of a Bernoulli: $code $(cat "$tmp/err")"
  run "$bin/vae-train" --dropout 1.5
  [ $code -ne 0 ] && grep -q -- "--dropout" "$tmp/err" || fail "dropout 1.5: $code $(cat "$tmp/err")"
  run "$bin/vae-train" --likelihood poisson
  [ $code -ne 0 ] && grep -q "poisson" "$tmp/err" || fail "likelihood poisson: $code $(cat "$tmp/err")"
  # a Gaussian decoder with the seed's options, trained with IWAE: vae-eval reports bits/dim and active
  # units, and the card carries them
  run "$bin/vae-train" --data "$mnist" --train-limit 600 --hidden 32,16 --latent 4 --epochs 1 --threads 1 \
      --likelihood gaussian --activation elu --dropout 0.1 --posterior-scale softplus --init xavier \
      --objective iwae --k 3 --out "$tmp/g.safetensors"
  [ $code -eq 0 ] || fail "vae-train with the family's flags: $(cat "$tmp/err")"
  grep -q "train IWAE-3" "$tmp/out" && grep -q "bits/dim" "$tmp/out" || fail "epoch line: $(cat "$tmp/out")"
  run "$bin/vae-eval" "$tmp/g.safetensors" --data "$mnist" --k 4 --threads 1 --write-card
  [ $code -eq 0 ] || fail "vae-eval --write-card: $(cat "$tmp/err")"
  /usr/bin/python3 - "$tmp/out" "$tmp/g.safetensors" <<'PY' || fail "Gaussian model's figures and card"
import json, math, struct, sys
lines = {j["metric"]: j for j in map(json.loads, open(sys.argv[1]))}
b = open(sys.argv[2], "rb").read()
meta = json.loads(b[8:8 + struct.unpack("<Q", b[:8])[0]])["__metadata__"]
config = json.loads(meta["config"])
assert config["likelihood"] == "gaussian" and config["activation"] == "elu" and config["dropout"] == 0.1, config
assert config["posterior_scale"] == "softplus" and config["init"] == "xavier", config
assert config["objective"] == "iwae" and config["iwae_k"] == 3, config
assert "dequantization" in meta["protocol"], meta["protocol"]
log_px = lines["log_px"]
# bits/dim of a density of dequantized 8-bit pixels: (-log p(x) + 784 ln 256) / (784 ln 2)
bpd = (-log_px["value"] + 784 * math.log(256)) / (784 * math.log(2))
assert abs(log_px["bits_per_dim"] - bpd) < 1e-9, (log_px["bits_per_dim"], bpd)
assert meta["bits_per_dim"] == "%.4f" % bpd, meta["bits_per_dim"]
units = lines["active_units"]
assert len(units["kl_per_dim"]) == 4 and len(units["variance_of_mean"]) == 4, units
assert units["value"] == sum(v > 0.01 for v in units["variance_of_mean"]), units
assert meta["active_units"] == "%d of 4" % units["value"], meta["active_units"]
assert meta["test_elbo_bits_per_dim"] == "%.4f" % lines["test_elbo"]["bits_per_dim"]
PY
  # a file whose config names an option this program does not know is refused by name
  /usr/bin/python3 - "$tmp/g.safetensors" "$tmp/new.safetensors" <<'PY' || fail "writing the file with an unknown option"
import json, struct, sys
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
header = json.loads(b[8:8 + n])
config = json.loads(header["__metadata__"]["config"])
config["flow_layers"] = 4
header["__metadata__"]["config"] = json.dumps(config)
text = json.dumps(header).encode()
text += b" " * (-len(text) % 8)
open(sys.argv[2], "wb").write(struct.pack("<Q", len(text)) + text + b[8 + n:])
PY
  run "$bin/vae-eval" "$tmp/new.safetensors" --data "$mnist" --k 0
  [ $code -eq 1 ] && grep -q 'unknown option "flow_layers"' "$tmp/err" || fail "unknown option: $code $(cat "$tmp/err")"
  ls "$tmp" | grep -q '\.tmp\.' && fail "temporary files left behind: $(ls "$tmp")"
  true ;;
one_image)
  # vae-eval --image N --posterior --fit-q on a shipped Z = 2 model: the true posterior on its grid and
  # the best Gaussian fitted to the image alone describe the same p(z|x), and the gap splits in order
  # (one image: the sanitized tree takes 7 s a run; the page test checks image 3 again)
  weights=$(cd "$(dirname "$0")/../.." && pwd)/weights/mnist-z2.safetensors
  for i in 3; do
    run "$bin/vae-eval" "$weights" --data "$mnist" --image $i --posterior --fit-q --threads 1
    [ $code -eq 0 ] || fail "vae-eval --image $i --posterior --fit-q: $(cat "$tmp/err")"
    /usr/bin/python3 - "$tmp/out" <<'PY' || fail "image $i: $(cat "$tmp/out")"
import json, math, sys
j = json.load(open(sys.argv[1]))
post, fit = j["posterior"], j["fit_q"]
assert fit["elbo_encoder"] == j["elbo"], j
assert fit["elbo_encoder"] <= fit["elbo_fit"] <= fit["log_px"], fit
assert abs(fit["amortization_gap"] + fit["approximation_gap"] - (fit["log_px"] - j["elbo"])) < 1e-9, fit
# the same log p(x) by quadrature on the grid and by importance sampling from the fitted q
assert abs(post["log_px"] - fit["log_px"]) < 0.15, (post["log_px"], fit["log_px"])
# the fitted Gaussian sits on the posterior's mass: its mean within two posterior deviations
for d in range(2):
    sd = math.sqrt(post["cov"][d][d])
    assert abs(fit["mu"][d] - post["mean"][d]) < 2 * sd, (d, fit["mu"], post["mean"], sd)
    assert post["extent"][2 * d] < post["mean"][d] < post["extent"][2 * d + 1], post
PY
  done ;;
bench)
  # vae-bench --train-only: training figures alone, with the FLOP count of the layers' products
  run "$bin/vae-bench" --data "$mnist" --train-only --seconds 0.1 --hidden 50 --latent 20 --batch 20 --threads 1
  [ $code -eq 0 ] || fail "vae-bench --train-only: $(cat "$tmp/err")"
  /usr/bin/python3 - "$tmp/out" <<'PY' || fail "vae-bench --train-only JSON: $(cat "$tmp/out")"
import json, sys
j = json.load(open(sys.argv[1]))
# 784-50-20-50-784: forward and weight gradients of every layer, input gradients but the first's
macs = 784 * 50 + 50 * 2 * 20 + 20 * 50 + 50 * 784
assert j["train_flop_per_sample"] == 4 * macs + 2 * (macs - 784 * 50), j
assert j["train_samples_per_s"] > 0 and j["threads"] == 1 and j["batch"] == 20, j
assert abs(j["train_gflops"] - j["train_samples_per_s"] * j["train_flop_per_sample"] / 1e9) < 0.051, j
assert "decode_images_per_s" not in j, j
PY
  # vae-bench --gemm-only: the GEMM rates at 1024^3 and the training's shapes, Eigen's first, then
  # each of the project's kernels this CPU runs (x86-64: AVX2 and/or AVX-512), nothing else
  run "$bin/vae-bench" --gemm-only --seconds 0.2 --threads 1
  [ $code -eq 0 ] || fail "vae-bench --gemm-only: $(cat "$tmp/err")"
  /usr/bin/python3 - "$tmp/out" "$(grep -o -w -E 'avx2|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')" <<'PY' || fail "vae-bench --gemm-only JSON: $(cat "$tmp/out")"
import json, platform, sys
j = json.load(open(sys.argv[1]))
flags = sys.argv[2].split()
assert isinstance(j, list) and j[0]["blas"].startswith("eigen 3."), j
want = ["vae gemm avx2"] * ("avx2" in flags) + ["vae gemm avx512"] * ("avx512f" in flags)
if platform.machine() == "x86_64":
    assert [k["blas"] for k in j[1:]] == want, (j, flags)
for k in j:
    assert k["threads"] == 1, j
    for shape in ("1024^3", "100x784x400", "100x400x784", "400x100x784"):
        assert k["gflops_" + shape] > 0, j
    assert "train_samples_per_s" not in k, j
PY
  # --gemm: a kernel by name, refused by name when unknown
  run "$bin/vae-bench" --gemm avx1024 --train-only --seconds 0.1
  [ $code -ne 0 ] && grep -q -- "--gemm avx1024: not a kernel" "$tmp/err" || fail "vae-bench --gemm avx1024: $code $(cat "$tmp/err")"
  run "$bin/vae-bench" --gemm eigen --train-only --seconds 0.1 --hidden 50 --batch 20 --threads 1
  [ $code -eq 0 ] && grep -q '"gemm": "eigen"' "$tmp/out" || fail "vae-bench --gemm eigen: $(cat "$tmp/out" "$tmp/err")"
  ;;
*) fail "unknown case $case_name" ;;
esac
echo "ok: $case_name"
