# Loads a weights file of this project into PyTorch: the encoder q(z|x) and the decoder p(x|z) of any
# configuration (relu, tanh or elu; Bernoulli or Gaussian decoder; sigma from a log-variance or a
# softplus head; dropout and the training objective only matter in training), then decodes samples.
# Needs only torch: safetensors is an 8-byte header length, a JSON header, then raw tensors.
import json, math, struct, sys
import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
ACTIVATIONS = {"relu": torch.nn.ReLU, "tanh": torch.nn.Tanh, "elu": torch.nn.ELU}

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

def linear(tensors, name):
    """The nn.Linear stored as name.weight (out, in) and name.bias (out)."""
    out_features, in_features = tensors[f"{name}.weight"].shape
    layer = torch.nn.Linear(in_features, out_features)
    layer.load_state_dict({"weight": tensors[f"{name}.weight"], "bias": tensors[f"{name}.bias"]})
    return layer

class VAE(torch.nn.Module):
    def __init__(self, tensors, config):
        super().__init__()
        self.config = config
        act = ACTIVATIONS[config["activation"]]
        n = len(config["hidden"])
        hidden = lambda prefix: [m for i in range(n) for m in (linear(tensors, f"{prefix}.{i}"), act())]
        self.encoder = torch.nn.Sequential(*hidden("encoder"))
        self.mu = linear(tensors, "encoder.mu")
        self.softplus_sigma = config.get("posterior_scale", "logvar") == "softplus"
        self.scale = linear(tensors, "encoder.scale" if self.softplus_sigma else "encoder.logvar")
        self.decoder = torch.nn.Sequential(*hidden("decoder"))
        self.logits = linear(tensors, f"decoder.{n}")
        self.gaussian = config.get("likelihood", "bernoulli") == "gaussian"
        if self.gaussian and config["decoder_variance"] == "per_pixel":
            self.logvar = linear(tensors, "decoder.logvar")  # log sigma^2 per pixel, from h
        elif self.gaussian:
            shared = tensors["decoder.logvar.bias"]  # one log sigma^2 for every pixel
            self.logvar = lambda h: shared.expand(h.shape[0], config["input"])

    def encode(self, x, y=None):
        """q(z|x): mu and sigma (B, Z); y: one-hot labels (B, C) of a conditional model."""
        h = self.encoder(x if y is None else torch.cat([x, y], 1))
        a = self.scale(h)
        sigma = torch.nn.functional.softplus(a) + 1e-6 if self.softplus_sigma else torch.exp(a / 2)
        return self.mu(h), sigma

    def decode(self, z, y=None):
        """p(x|z): the means (B, 784), Bernoulli probabilities or Gaussian means (both sigmoid of the
        logits), and a Gaussian decoder's log sigma^2 (B, 784) (None for Bernoulli)."""
        h = self.decoder(z if y is None else torch.cat([z, y], 1))
        return torch.sigmoid(self.logits(h)), (self.logvar(h) if self.gaussian else None)

    def log_px_given_z(self, x, z):
        """log p(x|z) per image (B): x binarized (Bernoulli) or (pixel + u) / 256 (Gaussian)."""
        mean, logvar = self.decode(z)
        if not self.gaussian:
            return -torch.nn.functional.binary_cross_entropy(mean, x, reduction="none").sum(1)
        return -0.5 * (math.log(2 * math.pi) + logvar + (x - mean) ** 2 / torch.exp(logvar)).sum(1)

if __name__ == "__main__":
    tensors, meta = load_safetensors(sys.argv[1] if len(sys.argv) > 1 else "weights/mnist-z20.safetensors")
    config = json.loads(meta["config"])
    vae = VAE(tensors, config).eval()
    z = torch.randn(16, config["latent"])
    with torch.no_grad():
        images, _ = vae.decode(z)  # the decoder's means, (16, 784)
        mu, sigma = vae.encode(images)  # q(z|x) of those images
    print(config, meta.get("test_elbo"), images.reshape(16, 28, 28).shape, mu.shape)
