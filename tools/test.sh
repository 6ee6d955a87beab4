#!/usr/bin/env bash
# The README's test command: sets everything up on a fresh Debian 12 machine, builds, and runs the
# whole test suite through ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh"
"$root/tools/build.sh"
cd "$root/build"
ctest --output-on-failure -j2
