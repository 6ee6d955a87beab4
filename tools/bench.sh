#!/usr/bin/env bash
# Speed side by side, in one run: vae-bench (this project) and the same model in PyTorch (Debian's
# python3-torch with OpenBLAS), then the ratios. A benchmark that prints figures, not a test; run it
# on an otherwise idle machine. Usage: tools/bench.sh [seconds per measurement, default 5]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-5}
"$root/tools/build.sh" >/dev/null
ours=$("$root/build/vae-bench" --seconds "$seconds" --threads 2)
echo "$ours"
peer=$(/usr/bin/python3 "$root/tools/bench_torch.py" "$root/.deps/mnist" 2 "$seconds")
echo "$peer"
/usr/bin/python3 - "$ours" "$peer" <<'PY'
import json, sys
ours, peer = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(json.dumps({
    "train_ratio_vs_pytorch_2_threads": round(ours["train_samples_per_s"] / peer["train_samples_per_s"], 2),
    "decode_ratio_vs_pytorch_1_thread": round(ours["decode_images_per_s_1_thread"] / peer["decode_images_per_s_1_thread"], 2)}))
PY
