#!/usr/bin/env bash
# Configures and builds the sanitized native tree in build-asan/: the core, the programs, the Catch2
# suite and the app with AddressSanitizer and UndefinedBehaviorSanitizer (no recovery; Dear ImGui's
# own sources excepted, see CMakeLists.txt). tools/test.sh runs its ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Release -DVAE_SANITIZE=ON >/dev/null
cmake --build "$root/build-asan" -j2 "$@"
