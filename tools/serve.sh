#!/usr/bin/env bash
# Serves the built web page (build-web/site) on http://127.0.0.1:PORT/ (default 8080; 0 = any free port).
#   bash tools/serve.sh [PORT]       (build it first: bash tools/build_web.sh --target vae-site)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec node "$root/web/serve.mjs" "${1:-8080}" "$root/build-web/site"
