#!/usr/bin/env bash
# Browser benchmarks of the web page (headless Chromium): decoded images/s, training samples/s,
# latent-map redraw, load time to first digits, module size; JSON on stdout. Builds the page first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build_web.sh" --target vae-site >&2
node "$root/tests/web/bench.mjs" --site "$root/build-web/site" "$@"
