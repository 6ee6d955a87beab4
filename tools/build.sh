#!/usr/bin/env bash
# Configures and builds the native tree in build/ (Release, this machine's vector instructions).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j2
