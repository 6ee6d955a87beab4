#!/usr/bin/env bash
# Configures and builds the fuzz tree in build-fuzz/ with clang-14 (Debian's clang-14 and
# libclang-rt-14-dev): the core with -fsanitize=fuzzer-no-link,address,undefined, one libFuzzer
# target per parser (tests/fuzz/) and make_corpus, which writes their seeds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
CC=clang-14 CXX=clang++-14 cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=Release -DVAE_FUZZ=ON >/dev/null
cmake --build "$root/build-fuzz" -j2 "$@"
