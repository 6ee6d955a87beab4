#!/usr/bin/env python3
"""Writes the files of tests/cli/cli_refuse.sh into DIR: weights, checkpoints and classifiers that parse
as safetensors but do not fit (their config, the data, each other), each next to a good control
made the same way, and a small MNIST subset (and broken variants) cut from the real files.
    make_unfit_files.py DIR MNIST_DIR"""
import json
import os
import struct
import sys

out, mnist = sys.argv[1], sys.argv[2]


def write_safetensors(path, tensors, metadata):
    """tensors: [(name, shape, values)] stored as F32 in this order."""
    header, data, offset = {"__metadata__": metadata}, b"", 0
    for name, shape, values in tensors:
        raw = struct.pack("<%df" % len(values), *values)
        header[name] = {"dtype": "F32", "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


def vae_tensors(config, value=0.01):
    """The tensors of a VAE config (names and shapes of src/model/vae.cpp), every value `value`."""
    C, D, Z, H = config.get("classes", 0), config["input"], config["latent"], config["hidden"]
    layers, n_in = [], D + C
    for i, h in enumerate(H):
        layers.append(("encoder.%d" % i, h, n_in))
        n_in = h
    layers += [("encoder.mu", Z, n_in), ("encoder.logvar", Z, n_in)]
    n_in = Z + C
    for i, h in enumerate(list(reversed(H)) + [D]):
        layers.append(("decoder.%d" % i, h, n_in))
        n_in = h
    tensors = []
    for name, o, i in layers:
        tensors.append((name + ".weight", [o, i], [value] * (o * i)))
        tensors.append((name + ".bias", [o], [value] * o))
    return tensors


def weights(name, config, value=0.01, tensors=None, extra_meta=None):
    meta = {"config": json.dumps(config), "dataset": "mnist"}
    meta.update(extra_meta or {})
    write_safetensors(os.path.join(out, name), vae_tensors(config, value) if tensors is None else tensors, meta)


GOOD_STATE = {"epoch": 0, "step": 0, "optimizer": "adam", "lr": 0.001, "batch": 20, "samples": 1, "seed": "5",
              "rng_state": "12345678901234567", "rng_inc": "109", "rng_has_spare": False, "rng_spare": 0.0,
              "train_seconds": 0.0, "lr_base": 0.001, "lr_final": 0.0, "schedule_epochs": 1, "kl_warmup": 0.0}


def checkpoint(name, config=None, state_changes=None, v_value=0.0):
    config = config or {"input": 784, "hidden": [8], "latent": 2, "activation": "relu"}
    tensors = vae_tensors(config)
    P = sum(len(t[2]) for t in tensors)
    state = dict(GOOD_STATE, **(state_changes or {}))
    tensors += [("optimizer.m", [P], [0.0] * P), ("optimizer.v", [P], [v_value] * P)]
    write_safetensors(os.path.join(out, name), tensors,
                      {"config": json.dumps(config), "checkpoint": json.dumps(state)})


def classifier(name, config, tensors=None):
    layers, n_in = [], config["input"]
    for i, o in enumerate(config["hidden"] + [config["classes"]]):
        layers.append(("classifier.%d" % i, o, n_in))
        n_in = o
    if tensors is None:
        tensors = []
        for lname, o, i in layers:
            tensors += [(lname + ".weight", [o, i], [0.01] * (o * i)), (lname + ".bias", [o], [0.0] * o)]
    write_safetensors(os.path.join(out, name), tensors, {"classifier": json.dumps(config)})


def idx_subset(src, dst, count, header_len, item_len, patch=None):
    with open(src, "rb") as f:
        head = bytearray(f.read(header_len))
        body = f.read(count * item_len)
    head[4:8] = struct.pack(">I", count)
    if patch:
        patch(head)
    with open(dst, "wb") as f:
        f.write(bytes(head) + body)


def mnist_subset(folder, train, test, labels_extra=0, side=28):
    os.makedirs(os.path.join(out, folder), exist_ok=True)
    for split, n in (("train", train), ("t10k", test)):
        def sides(head):
            head[8:12] = struct.pack(">I", side)
            head[12:16] = struct.pack(">I", side)
        idx_subset(os.path.join(mnist, split + "-images-idx3-ubyte"),
                   os.path.join(out, folder, split + "-images-idx3-ubyte"), n, 16, 784, sides if side != 28 else None)
        idx_subset(os.path.join(mnist, split + "-labels-idx1-ubyte"),
                   os.path.join(out, folder, split + "-labels-idx1-ubyte"), n + labels_extra, 8, 1)


os.makedirs(out, exist_ok=True)
small = {"input": 784, "hidden": [8], "latent": 2, "activation": "relu"}
# ---- weights: a good control, then files that parse but do not fit
weights("good.safetensors", small)
weights("cvae.safetensors", dict(small, classes=10))
weights("z3.safetensors", dict(small, latent=3))
weights("giant-config.safetensors", {"input": 1048576, "hidden": [16384], "latent": 2, "activation": "relu"}, tensors=[])
# 147 million parameters (590 MB) declared, none present: refused before anything is allocated
BIG = {"input": 784, "hidden": [8192, 8192], "latent": 2, "activation": "relu"}
weights("big-config.safetensors", BIG, tensors=[])
weights("classes3.safetensors", dict(small, classes=3))
weights("input100.safetensors", dict(small, input=100))
weights("layers17.safetensors", dict(small, hidden=[4] * 17), tensors=[])
weights("too-many-params.safetensors", {"input": 784, "hidden": [16384] * 4, "latent": 20, "activation": "relu"}, tensors=[])
weights("wrong-shape.safetensors", small, tensors=[(n, s[::-1], v) for n, s, v in vae_tensors(small)])
weights("huge-values.safetensors", small, value=3e38)
# ---- checkpoints: a good control, then one field or size at a time out of place
checkpoint("good.ckpt")
write_safetensors(os.path.join(out, "big-config.ckpt"), [],
                  {"config": json.dumps(BIG), "checkpoint": json.dumps(GOOD_STATE)})
checkpoint("input100.ckpt", config=dict(small, input=100))
checkpoint("classes3.ckpt", config=dict(small, classes=3))
checkpoint("rng-state-too-big.ckpt", state_changes={"rng_state": "99999999999999999999"})
checkpoint("seed-2-64.ckpt", state_changes={"seed": "18446744073709551616"})
checkpoint("seed-negative.ckpt", state_changes={"seed": "-1"})
checkpoint("rng-inc-even.ckpt", state_changes={"rng_inc": "108"})
checkpoint("epochs-1e300.ckpt", state_changes={"schedule_epochs": 1e300})
checkpoint("epoch-1e300.ckpt", state_changes={"epoch": 1e300})
checkpoint("epoch-huge.ckpt", state_changes={"epoch": 1 << 40})
checkpoint("lr-1e300.ckpt", state_changes={"lr": 1e300})
checkpoint("lr-base-zero.ckpt", state_changes={"lr_base": 0})
checkpoint("kl-warmup-negative.ckpt", state_changes={"kl_warmup": -1})
checkpoint("batch-huge.ckpt", state_changes={"batch": 1 << 20})
checkpoint("samples-zero.ckpt", state_changes={"samples": 0})
checkpoint("spare-huge.ckpt", state_changes={"rng_spare": 1e30})
checkpoint("seconds-negative.ckpt", state_changes={"train_seconds": -5})
checkpoint("moments-negative.ckpt", v_value=-1.0)
# ---- classifiers: a good control (784 -> 10), then ones that do not fit the model or their config
classifier("classifier.safetensors", {"input": 784, "hidden": [16], "classes": 10})
classifier("classifier-input100.safetensors", {"input": 100, "hidden": [16], "classes": 10})
classifier("classifier-classes3.safetensors", {"input": 784, "hidden": [16], "classes": 3})
classifier("classifier-giant.safetensors", {"input": 16384, "hidden": [16384] * 16, "classes": 16384}, tensors=[])
# ---- data: a small good subset, and subsets that do not fit
mnist_subset("mini", 200, 50)
mnist_subset("test15", 200, 15)
mnist_subset("test0", 200, 0)
mnist_subset("train10", 10, 50)
mnist_subset("label-count", 200, 50, labels_extra=1)
mnist_subset("side27", 200, 50, side=27)
print("make_unfit_files: wrote", len(os.listdir(out)), "entries in", out)
