#!/usr/bin/env python3
"""make_cnn_fixture.py — the PyTorch reference file for the convolutional model.

Run from anywhere (needs torch, safetensors and numpy; torch is NOT a gashell
dependency, the file is committed):
    python3 Tests/Fixtures/make_cnn_fixture.py
It rewrites torch_cnn.safetensors next to itself and prints a SHA-256 of the tensors (names,
dtypes, shapes and bytes, in name order; not the header), which is the same on every re-run.
One thread, torch.manual_seed(0): one summation order, whatever the machine.

torch_cnn.safetensors  (every tensor F32; labels too, as gashell stores F32 only)
    metadata {"made_by": "make_cnn_fixture.py", "torch": torch.__version__}

    The plain model, narrow so the file stays small, made after torch.manual_seed(0):
        nn.Sequential(Conv2d(1, 4, 3, padding=1), ReLU(), MaxPool2d(2),
                      Conv2d(4, 8, 3, padding=1), ReLU(), MaxPool2d(2),
                      Flatten(), Linear(8*7*7, 128), ReLU(), Linear(128, 10))
    PARAMS = 0.weight [4, 1, 3, 3], 0.bias [4], 3.weight [8, 4, 3, 3], 3.bias [8],
             7.weight [128, 392], 7.bias [128], 9.weight [10, 128], 9.bias [10]
             (PyTorch layout: conv weight [out, in, kh, kw], linear weight [out, in];
             Flatten is over [C, H, W] in that order, so 7.weight's column c*49 + h*7 + w)

    0.weight ... 9.bias   the initial weights (no prefix: loads as a state_dict)
    x        [64, 1, 28, 28]  the first 64 FashionMNIST training images, uint8 / 255
                              in float32, exactly as torchvision's ToTensor does
    y        [64]             their labels 0..9, as floats
    logits   [64, 10]         model(x) with the initial weights
    loss     [1]              CrossEntropyLoss() (mean over the 64) of logits, y
    grad.<P>                  d loss / d P, one backward of the full batch
    accum.grad.<P>            gradients after 4 micro-batches of 16 rows (rows
                              16k..16k+15), each backward of (its mean loss / 4),
                              no zeroing in between: equals grad.<P> up to rounding
    accum.losses [4]          each micro-batch's mean loss (before dividing by 4)
    act.conv1 [64, 4, 28, 28] the first conv's output (before ReLU), initial weights
    act.pool1 [64, 4, 14, 14] after the first MaxPool2d
    act.pool2 [64, 8, 7, 7]   after the second MaxPool2d (before Flatten)

    bn.*  the batch-norm variant, made after torch.manual_seed(0), in train mode:
        nn.Sequential(Conv2d(1, 4, 3, padding=1), BatchNorm2d(4), ReLU(), MaxPool2d(2),
                      Conv2d(4, 8, 3, padding=1), BatchNorm2d(8), ReLU(), MaxPool2d(2),
                      Flatten(), Linear(392, 128), ReLU(), Linear(128, 10))
        (BatchNorm2d defaults: eps=1e-5, momentum=0.1, affine, running stats tracked)
    BN_PARAMS = bn.0.weight [4, 1, 3, 3], bn.0.bias [4], bn.1.weight [4] (gamma), bn.1.bias [4]
                (beta), bn.4.weight [8, 4, 3, 3], bn.4.bias [8], bn.5.weight [8], bn.5.bias [8],
                bn.9.weight [128, 392], bn.9.bias [128], bn.11.weight [10, 128], bn.11.bias [10]
                (BatchNorm2d draws no random numbers, so the conv and linear weights equal
                the plain model's 0, 3, 7 and 9)

    bn.<P>                    the initial parameters
    bn.1.running_mean [4], bn.1.running_var [4], bn.5.running_mean [8], bn.5.running_var [8]
                              the running statistics AFTER one training forward of the 64,
                              from the initial (0, 1): 0.9 * old + 0.1 * batch, the batch
                              variance unbiased (/(n-1), n = 64*28*28 resp. 64*14*14)
                              while the forward normalises with the biased one
    bn.logits [64, 10]        that training forward's output (batch statistics)
    bn.loss   [1]             its CrossEntropyLoss (mean)
    bn.grad.<P>               d bn.loss / d P, one backward of the full batch
    bn.accum.grad.<P>         4 micro-batches of 16 rows, each backward of (its mean loss / 4),
                              no zeroing in between; each micro-batch is normalised with ITS
                              OWN batch statistics, so this is NOT grad.<P> up to rounding
    bn.accum.losses [4]       each micro-batch's mean loss (before dividing by 4)
    bn.relative_difference [1]  max over all P and elements of |bn.accum.grad.<P> - bn.grad.<P>|
                              divided by max over all P and elements of |bn.grad.<P>|

    pool.* a MaxPool2d(2) tie case, one image, four 2x2 windows:
    pool.x      [1, 1, 4, 4]  [[ 1,  1,   0,    2  ],     window (0,0): all four equal
                               [ 1,  1,   2,    0  ],     window (0,1): two equal, 2nd and 3rd
                               [-3, -1,   0.5,  0.25],    window (1,0): two equal, 2nd and 4th
                               [-2, -1,   0.5,  0.5 ]]    window (1,1): three equal, 1st 3rd 4th
    pool.y      [1, 1, 2, 2]  MaxPool2d(2)(pool.x) = [[1, 2], [-1, 0.5]]
    pool.grad_x [1, 1, 4, 4]  d pool.y.sum() / d pool.x: PyTorch (CPU) sends each window's
                              gradient 1 to ONE position, its first maximum in row-major order
                              within the window (scan: top row left to right, then bottom row);
                              the other tied positions get 0. The script asserts exactly this:
                              [[1, 0, 0, 1], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]
"""
import gzip
import hashlib
import os
import struct

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import save_file
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist"
OUT = f"{HERE}/torch_cnn.safetensors"


def idx(path, magic, header):
    """An IDX file's payload as uint8 after checking its magic number and header length."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    (found,) = struct.unpack(">I", raw[:4])
    assert found == magic, f"{path}: magic {found}, expected {magic}"
    rank = magic & 0xFF
    assert 4 + 4 * rank == header, f"{path}: header {4 + 4 * rank}, expected {header}"
    dims = struct.unpack(">" + "I" * rank, raw[4:header])
    return np.frombuffer(raw, np.uint8, offset=header).reshape(dims)


def plain_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def bn_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(8 * 7 * 7, 128), nn.ReLU(), nn.Linear(128, 10))


def full_and_accumulated(model, x, y, prefix, out):
    """logits, loss, grad.<P> (full batch), accum.grad.<P> and accum.losses (4 x 16, loss / 4)."""
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    logits = model(x)
    loss = loss_fn(logits, y)
    loss.backward()
    out[f"{prefix}logits"], out[f"{prefix}loss"] = logits.detach(), loss.detach().reshape(1)
    out.update({f"{prefix}grad.{n}": p.grad.clone() for n, p in model.named_parameters()})

    model.zero_grad()
    losses = []
    for k in range(4):
        part = slice(16 * k, 16 * k + 16)
        micro = loss_fn(model(x[part]), y[part])
        losses.append(micro.item())
        (micro / 4).backward()  # the tutorial's loss / N; gradients add up in .grad
    out[f"{prefix}accum.losses"] = torch.tensor(losses)
    out.update({f"{prefix}accum.grad.{n}": p.grad.clone() for n, p in model.named_parameters()})


def cnn_fixture():
    torch.set_num_threads(1)  # one summation order, whatever the machine
    images = idx(f"{DATA}/train-images-idx3-ubyte.gz", 2051, 16)[:64]
    labels = idx(f"{DATA}/train-labels-idx1-ubyte.gz", 2049, 8)[:64]
    x = torch.from_numpy(images.copy()).reshape(64, 1, 28, 28).float().div(255)  # ToTensor's arithmetic
    y = torch.from_numpy(labels.astype(np.int64))
    out = {}

    # The plain model.
    model = plain_model()
    out.update({n: p.detach().clone() for n, p in model.state_dict().items()})
    out["x"], out["y"] = x, y.float()
    with torch.no_grad():
        out["act.conv1"] = model[0](x)
        out["act.pool1"] = model[:3](x)
        out["act.pool2"] = model[:6](x)
    full_and_accumulated(model, x, y, "", out)

    # The batch-norm variant, in train mode.
    model = bn_model().train()
    names = [n for n, _ in model.named_parameters()]
    out.update({f"bn.{n}": p.detach().clone() for n, p in model.named_parameters()})
    full_and_accumulated(model, x, y, "bn.", out)  # the full forward comes first
    # Running statistics after that one full forward: recompute it from fresh buffers, as the
    # accumulation pass above updated them four more times.
    fresh = bn_model().train()
    fresh(x)
    for layer in ("1", "5"):
        for stat in ("running_mean", "running_var"):
            out[f"bn.{layer}.{stat}"] = getattr(fresh[int(layer)], stat).detach().clone()
    largest_difference = max((out[f"bn.accum.grad.{n}"] - out[f"bn.grad.{n}"]).abs().max().item() for n in names)
    largest_gradient = max(out[f"bn.grad.{n}"].abs().max().item() for n in names)
    out["bn.relative_difference"] = torch.tensor([largest_difference / largest_gradient])

    # The max-pool tie case.
    pool_x = torch.tensor([[1.0, 1.0, 0.0, 2.0],
                           [1.0, 1.0, 2.0, 0.0],
                           [-3.0, -1.0, 0.5, 0.25],
                           [-2.0, -1.0, 0.5, 0.5]]).reshape(1, 1, 4, 4).requires_grad_()
    pool_y = nn.MaxPool2d(2)(pool_x)
    pool_y.sum().backward()
    first_maximum = torch.tensor([[1.0, 0, 0, 1], [0, 0, 0, 0], [0, 1, 1, 0], [0, 0, 0, 0]]).reshape(1, 1, 4, 4)
    assert torch.equal(pool_x.grad, first_maximum), f"max-pool ties went elsewhere: {pool_x.grad}"
    out["pool.x"], out["pool.y"], out["pool.grad_x"] = pool_x.detach(), pool_y.detach(), pool_x.grad.clone()

    out = {name: t.detach().contiguous().to(torch.float32) for name, t in out.items()}
    save_file(out, OUT, metadata={"made_by": "make_cnn_fixture.py", "torch": torch.__version__})

    plain = max((out["grad." + n] - out["accum.grad." + n]).abs().max().item()
                for n in ("0.weight", "0.bias", "3.weight", "3.bias", "7.weight", "7.bias", "9.weight", "9.bias"))
    print(f"torch {torch.__version__}, loss {out['loss'].item():.9g}, bn.loss {out['bn.loss'].item():.9g}, "
          f"max |grad - accum.grad| {plain:.3g}, bn.relative_difference {out['bn.relative_difference'].item():.6g}")
    print(f"{len(out)} tensors, {os.path.getsize(OUT)} bytes, tensors sha256 {tensors_hash(OUT)}")


def tensors_hash(path):
    """SHA-256 of every tensor's name, dtype, shape and bytes in name order, read back from the file."""
    digest = hashlib.sha256()
    with safe_open(path, framework="np") as f:
        for name in sorted(f.keys()):
            t = f.get_tensor(name)
            digest.update(f"{name}|{t.dtype}|{list(t.shape)}|".encode())
            digest.update(np.ascontiguousarray(t).tobytes())
    return digest.hexdigest()


if __name__ == "__main__":
    cnn_fixture()
