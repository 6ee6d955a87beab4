# Loads a weights file of this project into PyTorch and decodes samples from the prior.
# Needs only torch: safetensors is an 8-byte header length, a JSON header, then raw tensors.
import json, struct, sys
import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}

def load_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        raw = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[t["dtype"]])
        tensors[name] = raw.reshape(t["shape"]).float()
    return tensors, meta

def build_decoder(tensors, config):
    """nn.Sequential of nn.Linear layers: z (B, Z) -> Bernoulli logits (B, 784)."""
    sizes = [config["latent"]] + config["hidden"][::-1] + [config["input"]]
    act = torch.nn.ReLU if config["activation"] == "relu" else torch.nn.Tanh
    layers, state = [], {}
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        state[f"{len(layers) - 1}.weight"] = tensors[f"decoder.{i}.weight"]
        state[f"{len(layers) - 1}.bias"] = tensors[f"decoder.{i}.bias"]
        if i < len(sizes) - 2:
            layers.append(act())
    decoder = torch.nn.Sequential(*layers)
    decoder.load_state_dict(state)
    return decoder

if __name__ == "__main__":
    tensors, meta = load_safetensors(sys.argv[1] if len(sys.argv) > 1 else "weights/mnist-z20.safetensors")
    config = json.loads(meta["config"])
    decoder = build_decoder(tensors, config)
    z = torch.randn(16, config["latent"])
    with torch.no_grad():
        images = torch.sigmoid(decoder(z)).reshape(16, 28, 28)  # pixel probabilities
    print(config, meta.get("test_elbo"), images.shape)
