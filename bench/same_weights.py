#!/usr/bin/env python3
"""same_weights.py — gashell and PyTorch from the same initial weights, epoch by epoch.

    TORCH_PYTHON=~/torchenv/bin/python make same-weights
    ~/torchenv/bin/python bench/same_weights.py .build/release/gashell --epochs 3
    ~/torchenv/bin/python bench/same_weights.py .build/release/gashell --model cnn

gashell draws the model from its seed and saves it as safetensors; PyTorch loads that file
into the same nn.Sequential. `--model mlp` (the default) is the tutorial's network
(784-512-512-10, ReLU; 3 epochs unless --epochs); `--model cnn` is gashell's `model cnn`,
Conv2d(1,32,3,p=1) ReLU MaxPool2d(2) Conv2d(32,64,3,p=1) ReLU MaxPool2d(2) Flatten
Linear(3136,128) ReLU Linear(128,10), on images shaped [N, 1, 28, 28] (1 epoch unless
--epochs). Both sides then train with the tutorial's loop on FashionMNIST in order (SGD lr
1e-3, cross-entropy), once at batch 64 and once at batch 16 with N = 4 (loss / N, a step every
N batches or at the epoch's last one), and test after every epoch with the tutorial's test
loop (the test loader at the training batch size). The table lists both sides' test accuracy
and average loss and their difference: float sums in another order (OpenBLAS here, MKL or
oneDNN in PyTorch) may move the last digits.

torch is not a gashell dependency: this is run by hand, like bench/compare_torch.sh.
"""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file
from torch import nn


def idx(path):
    """An IDX file (gzipped) as a numpy array; the header is checked as gashell checks it."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    assert magic >> 8 == 0x08, f"{path}: not unsigned-byte IDX data (magic {magic:#x})"
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(magic & 0xFF)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


# What each model is: gashell's `model` command, PyTorch's nn.Sequential, and the shape of
# one image as that Sequential takes it.
MODELS = {
    "mlp": ("model mlp 512", (784,), lambda: nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))),
    "cnn": ("model cnn", (1, 28, 28), lambda: nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))),
}


def fashion(folder, shape):
    def images(name):  # ToTensor(): uint8 → float32 / 255
        return torch.from_numpy(idx(os.path.join(folder, name)).copy()).float().div(255).reshape(-1, *shape)

    def labels(name):
        return torch.from_numpy(idx(os.path.join(folder, name)).astype(np.int64))

    return (images("train-images-idx3-ubyte.gz"), labels("train-labels-idx1-ubyte.gz"),
            images("t10k-images-idx3-ubyte.gz"), labels("t10k-labels-idx1-ubyte.gz"))


def network(kind, weights):
    model = MODELS[kind][2]()
    model.load_state_dict(load_file(weights), strict=True)
    return model


def test(model, x, y, batch, loss_fn):
    """The tutorial's test loop: accuracy over the set, mean of the per-batch mean losses."""
    loss, correct, batches = 0.0, 0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            pred = model(x[i:i + batch])
            loss += loss_fn(pred, y[i:i + batch]).item()
            correct += (pred.argmax(1) == y[i:i + batch]).sum().item()
            batches += 1
    return 100 * correct / len(x), loss / batches


def train_torch(kind, weights, data, batch, n, epochs):
    x, y, tx, ty = data
    model = network(kind, weights)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    batches = (len(x) + batch - 1) // batch
    results = []
    for _ in range(epochs):
        for b in range(batches):
            loss = loss_fn(model(x[b * batch:(b + 1) * batch]), y[b * batch:(b + 1) * batch])
            (loss / n).backward()  # N = 1 is the plain loop: loss / 1 is the loss
            if (b + 1) % n == 0 or b + 1 == batches:
                optimizer.step()
                optimizer.zero_grad()
        results.append(test(model, tx, ty, batch, loss_fn))
    return results


def train_gashell(gashell, kind, weights, batch, n, epochs, data_folder):
    script = f'load fashion from "{data_folder}"; {MODELS[kind][0]}; load weights "{weights}"; ' \
             f'set batch {batch}; set accumulate {n}; train {epochs}'
    out = subprocess.run([gashell, "-c", script], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"gashell failed:\n{out.stdout}{out.stderr}")
    found = re.findall(r"Accuracy: ([0-9.]+)%, Avg loss: ([0-9.]+)", out.stdout)
    return [(float(a), float(l)) for a, l in found]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("gashell", help="the gashell binary (a release build)")
    p.add_argument("--model", choices=sorted(MODELS), default="mlp")
    p.add_argument("--epochs", type=int, help="epochs of each run (default: 3 for mlp, 1 for cnn)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--data", default=os.environ.get("FASHION_MNIST_GZ", "/usr/share/datasets/fashion-mnist"))
    args = p.parse_args()
    if args.epochs is None:
        args.epochs = 3 if args.model == "mlp" else 1
    torch.set_num_threads(args.threads)

    with tempfile.TemporaryDirectory() as work:
        weights = os.path.join(work, "init.safetensors")
        made = subprocess.run([args.gashell, "-c", f'{MODELS[args.model][0]}; save weights "{weights}"'],
                              capture_output=True, text=True)
        if made.returncode != 0:
            sys.exit(f"gashell could not save its initial weights:\n{made.stdout}{made.stderr}")
        data = fashion(args.data, MODELS[args.model][1])
        print(f"{MODELS[args.model][0]}; torch {torch.__version__}, threads {args.threads}; gashell's seed-0 weights in both; "
              f"FashionMNIST from {args.data}")
        worst = 0.0
        for batch, n in [(64, 1), (16, 4)]:
            ours = train_gashell(args.gashell, args.model, weights, batch, n, args.epochs, args.data)
            theirs = train_torch(args.model, weights, data, batch, n, args.epochs)
            label = f"batch {batch}" if n == 1 else f"batch {batch} × {n}"
            print(f"\n{label:14} {'gashell':>20} {'PyTorch':>20}   |Δ avg loss|")
            for e, ((a1, l1), (a2, l2)) in enumerate(zip(ours, theirs), 1):
                worst = max(worst, abs(l1 - l2))
                print(f"epoch {e:<8} {a1:6.1f}% {l1:.6f}      {a2:6.1f}% {l2:.6f}      {abs(l1 - l2):.1e}")
            if len(ours) != len(theirs):
                sys.exit(f"gashell printed {len(ours)} test results for {len(theirs)} epochs")
        print(f"\nlargest difference in average test loss: {worst:.1e}")


if __name__ == "__main__":
    main()
