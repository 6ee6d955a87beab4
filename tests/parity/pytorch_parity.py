# The PyTorch loader (tools/load_in_pytorch.py, linked from weights/README.md) loads weights
# files of this project and computes what the C++ core computes (vae-sample --json): the decoder's
# means (and a Gaussian decoder's log-variance) of z, log p(x|z) of those images, and the encoder's mu
# and sigma of them, to 1e-5. Every configuration is covered: the given files, and small models of each option trained
# here for one epoch on 200 images (Bernoulli and Gaussian decoders with per-pixel and shared
# variance, relu/tanh/elu, log-variance and softplus sigma, dropout, Xavier init, the IWAE objective).
# Usage: python3 pytorch_parity.py SOURCE_DIR VAE_TRAIN VAE_SAMPLE MNIST_DIR WEIGHTS...
import json, os, subprocess, sys, tempfile

source_dir, vae_train, vae_sample, mnist_dir = sys.argv[1:5]
files = sys.argv[5:]
sys.path.insert(0, source_dir + "/tools")
import torch
from load_in_pytorch import VAE, load_safetensors

OPTIONS = [
    ["--activation", "tanh", "--likelihood", "gaussian"],
    ["--activation", "relu", "--likelihood", "gaussian", "--decoder-variance", "shared", "--posterior-scale", "softplus"],
    ["--activation", "elu", "--dropout", "0.2", "--posterior-scale", "softplus", "--init", "xavier"],
    ["--activation", "relu", "--objective", "iwae", "--k", "3"],
]
tmp = tempfile.mkdtemp()
for i, options in enumerate(OPTIONS):
    out = os.path.join(tmp, f"option{i}.safetensors")
    subprocess.run([vae_train, "--data", mnist_dir, "--train-limit", "200", "--epochs", "1", "--hidden", "24,16",
                    "--latent", "3", "--threads", "1", "--out", out] + options, check=True, capture_output=True)
    files.append(out)

seen = set()
worst = 0.0
for path in files:
    tensors, meta = load_safetensors(path)
    config = json.loads(meta["config"])
    vae = VAE(tensors, config).eval()
    lines = subprocess.run([vae_sample, path, "--n", "8", "--json", "--seed", "3"], check=True,
                           capture_output=True, text=True).stdout.splitlines()
    rows = [json.loads(l) for l in lines]
    z = torch.tensor([r["z"] for r in rows])
    with torch.no_grad():
        mean, logvar = vae.decode(z)
        mu, sigma = vae.encode(torch.tensor([r["p"] for r in rows]))
        log_p = vae.log_px_given_z(torch.tensor([r["p"] for r in rows]), z)
    diffs = {"p": (mean - torch.tensor([r["p"] for r in rows])).abs().max().item(),
             "mu": (mu - torch.tensor([r["mu"] for r in rows])).abs().max().item(),
             "sigma": (sigma - torch.tensor([r["sigma"] for r in rows])).abs().max().item()}
    gaussian = config.get("likelihood", "bernoulli") == "gaussian"
    assert gaussian == ("logvar" in rows[0]), (path, config)
    if gaussian:
        # log sigma^2 per pixel reaches -10 and below on the background: float32's spacing there is
        # ~1e-6, so it is compared relative to its size (as log p(x|z) below), to 1e-5
        core_logvar = torch.tensor([r["logvar"] for r in rows])
        diffs["logvar relative"] = ((logvar - core_logvar).abs() / core_logvar.abs().clamp(min=1)).max().item()
    # log p(x|z) of the mean image (hundreds of nats): the same to 1e-5 relative
    core_log_p = torch.tensor([r["log_p_given_z"] for r in rows], dtype=torch.float64)
    diffs["log p(x|z) relative"] = ((log_p.double() - core_log_p).abs() / core_log_p.abs().clamp(min=1)).max().item()
    assert mean.shape == (8, config["input"]), mean.shape
    print(f"{os.path.basename(path)} ({json.dumps(config)}): max |torch - core| " +
          ", ".join(f"{k} {v:.2e}" for k, v in diffs.items()))
    for k, v in diffs.items():
        assert v <= 1e-5, (path, k, v)
        worst = max(worst, v)
    for key in ("likelihood", "decoder_variance", "posterior_scale", "dropout", "init", "objective"):
        if key in config:
            seen.add(f"{key}={config[key]}")
    seen.add(f"activation={config['activation']}")
want = {"activation=relu", "activation=tanh", "activation=elu", "likelihood=gaussian", "decoder_variance=per_pixel",
        "decoder_variance=shared", "posterior_scale=softplus", "init=xavier", "objective=iwae"}
assert want <= seen, f"configurations not covered: {want - seen}"
assert any(k.startswith("dropout=") for k in seen), "no dropout model"
print(f"{len(files)} files, every option covered: {sorted(seen)}; worst difference {worst:.2e}")
print("ok")
