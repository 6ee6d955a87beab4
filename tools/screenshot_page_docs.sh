#!/usr/bin/env bash
# The README's pictures of the page: builds the page, then tools/screenshot_page_docs.mjs drives it in headless
# Chromium and writes web/teach-*.png. Usage: tools/screenshot_page_docs.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/build_web.sh" --target vae-site >/dev/null
node "$root/tools/screenshot_page_docs.mjs" --site "$root/build-web/site" --artifacts "$root/web"
