#!/usr/bin/env bash
# The README's main command: sets everything up on a fresh Debian 12 machine, builds, and trains
# the default model (784-400-20-400-784 ReLU, Z = 20, batch 100, Adam 1e-3), writing
# weights/latest.safetensors with its sample and reconstruction PNGs. Extra flags go to vae-train.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh"
"$root/build/vae-train" "$@"
