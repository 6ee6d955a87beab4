#!/usr/bin/env bash
# The README's pictures of the page: builds the page, then tools/readme_shots.mjs drives it in headless
# Chromium and writes web/teach-*.png. Usage: tools/screenshots.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build-web.sh" --target vae-site >/dev/null
node "$root/tools/readme_shots.mjs" --site "$root/build-web/site" --artifacts "$root/web"
