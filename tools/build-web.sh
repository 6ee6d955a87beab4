#!/usr/bin/env bash
# Configures and builds the WebAssembly tree in build-web/ with Emscripten (Debian's 3.1.6).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Debian's emcc needs Debian's acorn, which the machine's node only sees through NODE_PATH
export NODE_PATH=/usr/share/nodejs
# emcmake's default emulator flag is rejected by node 20, and generated JS must not fetch() under node
emcmake cmake -S "$root" -B "$root/build-web" -DCMAKE_BUILD_TYPE=Release \
  "-DCMAKE_CROSSCOMPILING_EMULATOR=$(command -v node);--no-experimental-fetch" >/dev/null
cmake --build "$root/build-web" -j2 "$@"
