#!/usr/bin/env bash
# Configures and builds the sanitized tree in build-asan/ with clang-14 (Debian's clang-14 and
# libclang-rt-14-dev): the core, the programs and the Catch2 suite with AddressSanitizer and
# UndefinedBehaviorSanitizer (no recovery), and one libFuzzer target per parser (tests/fuzz/) with
# make_corpus, which writes their seeds; the core carries libFuzzer's coverage for them. The window
# app is not in this tree. tools/test.sh runs its ctest; tools/fuzz.sh fuzzes its targets for long.
#   bash tools/build_asan.sh [--target T]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Release -DVAE_SANITIZE=ON >/dev/null
cmake --build "$root/build-asan" -j2 "$@"
