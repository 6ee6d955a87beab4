#!/usr/bin/env bash
# Curves like Kingma & Welling 2014, figure 2, on this project's protocol: trains the default
# architecture (784-400-Z-400-784, ReLU, Adam 1e-3, batch 100) for Z = 3, 5, 10, 20, 200, logging
# train and test ELBO per epoch, then plots them to weights/curves.png.
# Usage: tools/curves.sh [epochs per run, default 30] [threads, default 0 = all cores]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
epochs=${1:-30}
threads=${2:-0}
out="$root/build/curves"
mkdir -p "$out"
"$root/tools/build.sh" >/dev/null
args=()
for z in 3 5 10 20 200; do
  rm -f "$out/z$z.csv"
  "$root/build/vae-train" --latent "$z" --epochs "$epochs" --threads "$threads" --out "$out/z$z.safetensors" --log "$out/z$z.csv"
  cp "$out/z$z.csv" "$root/weights/curves-z$z.csv"
  args+=("$z=$root/weights/curves-z$z.csv")
done
/usr/bin/python3 "$root/tools/plot_curves.py" "$root/weights/curves.png" "${args[@]}"
