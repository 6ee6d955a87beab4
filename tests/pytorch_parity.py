# The README's PyTorch loader (tools/load_in_pytorch.py, quoted verbatim in the README) loads a
# weights file of this project and decodes the same pixels as the C++ core (vae-sample --json).
# Usage: python3 pytorch_parity.py SOURCE_DIR VAE_SAMPLE WEIGHTS
import json, subprocess, sys

source_dir, vae_sample, weights = sys.argv[1:4]
sys.path.insert(0, source_dir + "/tools")
import torch
from load_in_pytorch import build_decoder, load_safetensors

snippet = open(source_dir + "/tools/load_in_pytorch.py").read()
readme = open(source_dir + "/README.md").read()
assert snippet.strip() in readme, "README.md does not quote tools/load_in_pytorch.py verbatim"

tensors, meta = load_safetensors(weights)
config = json.loads(meta["config"])
decoder = build_decoder(tensors, config)
lines = subprocess.run([vae_sample, weights, "--n", "8", "--json", "--seed", "3"], check=True,
                       capture_output=True, text=True).stdout.splitlines()
z = torch.tensor([json.loads(l)["z"] for l in lines])
p_core = torch.tensor([json.loads(l)["p"] for l in lines])
with torch.no_grad():
    p_torch = torch.sigmoid(decoder(z))
diff = (p_torch - p_core).abs().max().item()
print(f"{len(lines)} samples, {p_core.shape[1]} pixels each: max |p_torch - p_core| = {diff:.2e}")
assert p_core.shape == (8, config["input"]), p_core.shape
assert diff <= 1e-5, diff
print("ok")
