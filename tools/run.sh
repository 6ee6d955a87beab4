#!/usr/bin/env bash
# The README's main command: sets everything up on a fresh Debian 12 machine, builds the page (the
# C++ core compiled to WebAssembly, Dear ImGui over WebGL2) and serves it on 127.0.0.1, printing
# its URL. Usage: tools/run.sh [PORT]   (default 8080; 0 = any free port). Ctrl-C stops it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build_web.sh" --target vae-site
exec node "$root/web/serve.mjs" "${1:-8080}" "$root/build-web/site"
