#!/usr/bin/env bash
# Files that fail to write: a full disk (a small tmpfs, filled up to a chosen number of free pages,
# or of free inodes)
# while vae-train writes its checkpoint, its weights, its samples PNG or its reconstructions PNG,
# while vae-eval --write-card rewrites a weights file, while vae-classifier writes its file; and a
# read-only folder for each program's outputs (checkpoint, weights, PNGs, log, card, sample grid,
# classifier). Each time: exit code 1, one line naming the file and the problem, the previous file
# byte for byte as it was, no temporary file left behind.
# The mounts live in a private mount namespace (unshare), gone when the test ends; it needs root
# (CI runs as root) and fails, loudly, when it cannot mount rather than skip.
#   write_fail.sh BIN_DIR MNIST_DIR
set -uo pipefail
bin=$1 mnist=$2
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${VAE_WRITE_FAIL_NS:-}" ]; then
  unshare --mount --propagation private true 2>/dev/null ||
    { echo "FAIL: cannot make a private mount namespace (unshare --mount: needs root); this test cannot run here"; exit 1; }
  VAE_WRITE_FAIL_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
T=$(mktemp -d)
D=$T/disk  # the tmpfs
mkdir -p "$D"
trap 'umount "$D" 2>/dev/null; rm -rf "$T"' EXIT
mount -t tmpfs -o size=4m,nr_inodes=400 tmpfs "$D" || { echo "FAIL: cannot mount a tmpfs on $D"; exit 1; }
failures=0
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
pages() { echo $(( ($(stat -c %s "$1") + 4095) / 4096 )); }

python3 "$here/make_unfit_files.py" "$T/files" "$mnist" >/dev/null || { echo "FAIL make_unfit_files.py"; exit 1; }
data=(--data "$T/files/mini")
train=("$bin/vae-train" "${data[@]}" --hidden 1 --latent 1 --batch 20 --epochs 1 --threads 1 --dtype f16)
# the previous outputs, written on the ordinary disk: weights, checkpoint (epoch 1), PNGs, log, card
mkdir -p "$T/prev"
"${train[@]}" --out "$T/prev/m.safetensors" --log "$T/prev/log.csv" >/dev/null 2>&1 || { echo "FAIL the first run"; exit 1; }
"$bin/vae-classifier" "${data[@]}" --hidden 4 --epochs 1 --batch 20 --threads 1 --out "$T/prev/c.safetensors" >/dev/null 2>&1 ||
  { echo "FAIL the classifier run"; exit 1; }
W=$(pages "$T/prev/m.safetensors") C=$(pages "$T/prev/m.safetensors.ckpt") S=$(pages "$T/prev/m-samples.png")
R=$(pages "$T/prev/m-recon.png") K=$(pages "$T/prev/c.safetensors")
echo "sizes in 4 KiB pages: weights $W, checkpoint $C, samples PNG $S, reconstructions PNG $R, classifier $K"

# fill D/ until exactly N pages are free, with the previous outputs in place
fill() {
  rm -rf "${D:?}"/*
  cp "$T/prev/"* "$D/"
  local avail
  avail=$(df -B4096 --output=avail "$D" | tail -n 1 | tr -d ' ')
  [ "$avail" -gt "$1" ] || { echo "FAIL the tmpfs is too small"; exit 1; }
  head -c $(( (avail - $1) * 4096 )) /dev/zero >"$D/filler"
  [ "$(df -B4096 --output=avail "$D" | tail -n 1 | tr -d ' ')" -eq "$1" ] || { echo "FAIL could not leave $1 pages free"; exit 1; }
}
# expect_write_fail WHAT FILE PATTERN PROGRAM ARGS...: exit 1, one line naming FILE and matching
# PATTERN, FILE unchanged, no temporary file in D/
expect_write_fail() {
  local what=$1 file=$2 pattern=$3 code
  shift 3
  timeout 300 "$@" >"$T/out" 2>"$T/err" </dev/null
  code=$?
  if [ $code -ne 1 ]; then fail "$what: exit code $code, expected 1: $(head -c 600 "$T/err")"
  elif [ "$(wc -l <"$T/err")" -ne 1 ]; then fail "$what: expected one line on stderr: $(head -c 600 "$T/err")"
  elif ! grep -q -- "$file" "$T/err" || ! grep -Eq -- "$pattern" "$T/err"; then fail "$what: message: $(cat "$T/err")"
  elif ! cmp -s "$T/prev/$(basename "$file")" "$file"; then fail "$what: $(basename "$file") is no longer the previous file"
  elif ls "$D" | grep -q '\.tmp\.'; then fail "$what: temporary file left: $(ls "$D" | grep '\.tmp\.')"
  elif [ -n "${BEFORE_WORK:-}" ] && grep -q "^epoch " "$T/out"; then fail "$what: refused only after training"
  else echo "ok   $what: $(cat "$T/err")"
  fi
}
full="No space left on device"

# ---- a full disk
fill $((C - 1))
expect_write_fail "disk full: vae-train's checkpoint" "$D/m.safetensors.ckpt" "$full" "${train[@]}" --out "$D/m.safetensors"
# --resume from a checkpoint that already reached --epochs: no training, straight to the final writes
resume=("$bin/vae-train" "${data[@]}" --threads 1 --epochs 1 --resume --checkpoint "$T/prev/m.safetensors.ckpt" --dtype f16)
fill $((W - 1))
expect_write_fail "disk full: vae-train's weights" "$D/m.safetensors" "$full" "${resume[@]}" --out "$D/m.safetensors"
if [ "$S" -gt "$W" ]; then
  fill $((S - 1))
  expect_write_fail "disk full: vae-train's samples PNG" "$D/m-samples.png" "$full" "${resume[@]}" --out "$D/m.safetensors"
else
  fail "test setup: the samples PNG ($S pages) is not larger than the weights ($W): its write cannot be made to fail alone"
fi
# the reconstructions PNG is small, so its disk fills up with inodes instead: one free, no previous
# samples PNG. The weights' temporary file takes the free inode and the rename frees the old one;
# the new samples PNG keeps it; the reconstructions' temporary file finds none.
fill 200
rm -f "$D/m-samples.png"
while [ "$(df --output=iavail "$D" | tail -n 1 | tr -d ' ')" -gt 1 ]; do : >"$D/inode.$RANDOM$RANDOM"; done
expect_write_fail "disk full (inodes): vae-train's reconstructions PNG" "$D/m-recon.png" "$full" "${resume[@]}" --out "$D/m.safetensors"
[ -s "$D/m-samples.png" ] || fail "disk full (inodes): the samples PNG before it was not written"
# the log: a row appended to a log whose last page is full, on a disk with no page free
fill 0
{ cat "$T/prev/log.csv"; yes "0,0,0,0,0" | head -c $((4096 - $(stat -c %s "$T/prev/log.csv"))); } >"$T/log-4k.csv"
cp "$T/log-4k.csv" "$T/prev/log.csv" && cp "$T/log-4k.csv" "$D/log.csv"
expect_write_fail "disk full: vae-train's log" "$D/log.csv" "appending a row failed" "${train[@]}" --out "$D/m.safetensors" \
  --log "$D/log.csv"
fill $((W - 1))
expect_write_fail "disk full: vae-eval --write-card" "$D/m.safetensors" "$full" \
  "$bin/vae-eval" "$D/m.safetensors" "${data[@]}" --k 2 --threads 1 --write-card
fill $((K - 1))
expect_write_fail "disk full: vae-classifier's file" "$D/c.safetensors" "$full" \
  "$bin/vae-classifier" "${data[@]}" --hidden 4 --epochs 1 --batch 20 --threads 1 --out "$D/c.safetensors"

# ---- a read-only folder: refused before any work, with the folder named
fill 200
rm -f "$D/filler"
mount -o remount,ro "$D" || { echo "FAIL cannot remount $D read-only"; exit 1; }
ro="Read-only file system"
export BEFORE_WORK=1  # a folder that cannot be written is found before the first epoch, not after it
expect_write_fail "read-only: vae-train's weights and PNGs" "$D/m.safetensors" "$ro" "${train[@]}" --out "$D/m.safetensors" \
  --checkpoint "$T/elsewhere.ckpt"
expect_write_fail "read-only: vae-train's checkpoint" "$D/m.safetensors.ckpt" "$ro" "${train[@]}" --out "$T/m.safetensors" \
  --checkpoint "$D/m.safetensors.ckpt"
expect_write_fail "read-only: vae-train's log" "$D/log.csv" "$ro" "${train[@]}" --out "$T/m.safetensors" --log "$D/log.csv"
expect_write_fail "read-only: vae-eval --write-card" "$D/m.safetensors" "$ro" \
  "$bin/vae-eval" "$D/m.safetensors" "${data[@]}" --k 2 --threads 1 --write-card
expect_write_fail "read-only: vae-sample's grid" "$D/m-samples.png" "$ro" "$bin/vae-sample" "$D/m.safetensors" --out "$D/m-samples.png"
expect_write_fail "read-only: vae-classifier's file" "$D/c.safetensors" "$ro" \
  "$bin/vae-classifier" "${data[@]}" --hidden 4 --epochs 1 --batch 20 --threads 1 --out "$D/c.safetensors"
# the same programs, writable again, succeed: the failures above were the writes'
mount -o remount,rw "$D"
"${train[@]}" --out "$D/m.safetensors" --log "$D/log.csv" >/dev/null 2>"$T/err" || fail "vae-train on a writable disk: $(cat "$T/err")"
"$bin/vae-eval" "$D/m.safetensors" "${data[@]}" --k 2 --threads 1 --write-card >/dev/null 2>"$T/err" ||
  fail "vae-eval --write-card on a writable disk: $(cat "$T/err")"
echo "write failures: $failures failed"
[ $failures -eq 0 ]
