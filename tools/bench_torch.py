# The PyTorch peer of vae-bench: the same model (784-400-20-400-784 ReLU), batch 100, Adam 1e-3,
# dynamic binarization, on the same MNIST files; prints JSON. Run by tools/bench.sh in each thread
# configuration: torch's threads from the command line, OpenBLAS's from OPENBLAS_NUM_THREADS (and its
# kernels from OPENBLAS_CORETYPE where bench.sh sets it; its allocator from LD_PRELOAD, jemalloc or tcmalloc
# where bench.sh found one faster than glibc's malloc).
import json, os, sys, time
import numpy as np
import torch

def read_images(path):
    raw = open(path, "rb").read()
    n = int.from_bytes(raw[4:8], "big")
    return torch.from_numpy(np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 784).astype(np.float32) / 255)

def rate(fn, warmup, seconds):
    for _ in range(warmup):
        fn()
    calls, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        fn()
        calls += 1
    return calls / (time.perf_counter() - t0)

class VAE(torch.nn.Module):
    def __init__(self, d=784, h=400, z=20):
        super().__init__()
        self.enc, self.mu, self.logvar = torch.nn.Linear(d, h), torch.nn.Linear(h, z), torch.nn.Linear(h, z)
        self.dec = torch.nn.Sequential(torch.nn.Linear(z, h), torch.nn.ReLU(), torch.nn.Linear(h, d))

    def loss(self, x):
        h = torch.relu(self.enc(x))
        mu, logvar = self.mu(h), self.logvar(h)
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        bce = torch.nn.functional.binary_cross_entropy_with_logits(self.dec(z), x, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kl) / x.shape[0]

data_dir, threads, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
images = read_images(data_dir + "/train-images-idx3-ubyte")
torch.manual_seed(1)
model = VAE()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
batch, step = 100, [0]

def train_step():
    i = (step[0] * batch) % images.shape[0]
    step[0] += 1
    x = torch.bernoulli(images[i:i + batch])
    opt.zero_grad()
    model.loss(x).backward()
    opt.step()

torch.set_num_threads(threads)
train = rate(train_step, 20, seconds) * batch
z = torch.randn(256, 20)
torch.set_num_threads(1)
with torch.no_grad():
    decode_1 = rate(lambda: torch.sigmoid(model.dec(z)), 5, seconds) * 256
print(json.dumps({"peer": "pytorch " + torch.__version__, "threads": threads,
                  "openblas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0")),
                  "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "detected"),
                  "allocator": os.path.basename(os.environ.get("LD_PRELOAD", "")) or "glibc", "train_samples_per_s": round(train),
                  "decode_images_per_s_1_thread": round(decode_1)}))
