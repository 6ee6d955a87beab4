#!/usr/bin/env bash
# Configures and builds the two WebAssembly trees with Emscripten (Debian's 3.1.6): build-web-mt, the
# two-thread build (pthreads: the page's vae-app-mt, the core's tests and vae-bench-mt), then
# build-web, the single-thread build, whose site/ serves both pages (the page picks one).
# Usage: tools/build_web.sh [--target T]  (T in both trees; for vae-site, build-web-mt's page vae-app)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# Debian's emcc needs Debian's acorn, which the machine's node only sees through NODE_PATH
export NODE_PATH=/usr/share/nodejs
configure() {  # configure DIR [cmake args]
  # emcmake's default emulator flag is rejected by node 20, and generated JS must not fetch() under node
  emcmake cmake -S "$root" -B "$1" -DCMAKE_BUILD_TYPE=Release \
    "-DCMAKE_CROSSCOMPILING_EMULATOR=$(command -v node);--no-experimental-fetch" "${@:2}" >/dev/null
}
configure "$root/build-web-mt" -DVAE_WEB_THREADS=ON
if [ "${1:-}" = "--target" ] && [ -n "${2:-}" ]; then
  cmake --build "$root/build-web-mt" -j2 --target "$([ "$2" = vae-site ] && echo vae-app || echo "$2")"
else
  cmake --build "$root/build-web-mt" -j2
fi
configure "$root/build-web" -DVAE_WEB_THREADS=OFF -DVAE_WEB_MT_BUILD_DIR="$root/build-web-mt"
cmake --build "$root/build-web" -j2 "$@"
