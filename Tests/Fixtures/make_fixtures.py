#!/usr/bin/env python3
"""make_fixtures.py — the PyTorch reference files the Swift tests read.

Run from anywhere (needs torch, safetensors and numpy; torch is NOT a gashell
dependency, these files are committed):
    python3 Tests/Fixtures/make_fixtures.py
It rewrites, next to itself, the three files below. A re-run gives the same tensor bytes; only the
order of the metadata inside the header changes (the library keeps metadata in a hash map).

safetensors_python.safetensors  (safetensors.torch.save_file; exact values)
    0.weight [4, 3]   k * 0.25 - 1.5 for k = 0..11, row-major
    0.bias   [4]      [0.1, -0.0, 1e-45 (smallest subnormal), 3.4028235e38 (max float)]
    2.weight [2, 4]   1 / (k + 1) for k = 0..7, rounded to float32
    2.bias   [2]      [-2.5, 1024]
    metadata          {"format": "pt", "made_by": "make_fixtures.py"}

safetensors_dtypes.safetensors  (one tensor per dtype gashell converts on read)
    f16    F16  [4]    [1.5, -0.000061035156 (smallest normal), 5.9604645e-08 (smallest subnormal), 65504]
    bf16   BF16 [2, 2] [[1.0, -3.140625], [1e30 rounded to bf16, 0.0078125]]
    f64    F64  [3]    [0.1, 1e-300 (underflows to 0 in float32), -2.0]
    scalar F32  []     7.0 (rank 0: gashell reads it as shape [1])

torch_mlp.safetensors  (every tensor F32; labels too, as gashell stores F32 only)
    The tutorial's model, narrower: nn.Sequential(Linear(784, 32), ReLU(),
    Linear(32, 16), ReLU(), Linear(16, 10)), made after torch.manual_seed(0).
    PARAMS = 0.weight [32, 784], 0.bias [32], 2.weight [16, 32], 2.bias [16],
             4.weight [10, 16], 4.bias [10]   (PyTorch layout: weight [out, in])

    0.weight ... 4.bias   the initial weights (no prefix: loads as a state_dict)
    x        [64, 784]    the first 64 FashionMNIST training images, uint8 / 255
                          in float32, exactly as torchvision's ToTensor does
    y        [64]         their labels 0..9, as floats
    logits   [64, 10]     model(x) with the initial weights
    loss     [1]          CrossEntropyLoss() (mean over the 64) of logits, y
    grad.<P>              d loss / d P, one backward of the full batch
    accum.grad.<P>        gradients after 4 micro-batches of 16 rows (rows
                          16k..16k+15), each backward of (its mean loss / 4),
                          no zeroing in between: equals grad.<P> up to rounding
    accum.losses [4]      each micro-batch's mean loss (before dividing by 4)
    sgd.<P>               weights after 3 steps of SGD(lr=0.1, momentum=0.9,
                          dampening=0, weight_decay=1e-2, nesterov=False) on the
                          full batch from the initial weights, zero_grad between
    nesterov.<P>          the same with nesterov=True
    adam.<P>              3 steps of Adam(lr=1e-2), other arguments default
                          (betas=(0.9, 0.999), eps=1e-8, weight_decay=0)
    adamw.<P>             3 steps of AdamW(lr=1e-2, weight_decay=0.1)
    adamwd.<P>            3 steps of Adam(lr=1e-2, weight_decay=0.1) (L2 added
                          to the gradient, not decoupled)
    <opt>.losses [3]      for each of those five: the full-batch loss computed
                          before each of its 3 steps (the first equals `loss`)
    metadata              versions, seed, data source and every hyper-parameter
"""
import gzip
import json
import os
import struct

import numpy as np
import safetensors
import torch
from safetensors.torch import save_file
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = "/usr/share/datasets/fashion-mnist"


def idx(path, magic):
    """An IDX file's payload as uint8 after checking its magic number; shape from the header."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    (found,) = struct.unpack(">I", raw[:4])
    assert found == magic, f"{path}: magic {found}, expected {magic}"
    dims = struct.unpack(">" + "I" * (magic & 0xFF), raw[4 : 4 + 4 * (magic & 0xFF)])
    return np.frombuffer(raw, np.uint8, offset=4 + 4 * len(dims)).reshape(dims)


def python_fixture():
    k = torch.arange(12, dtype=torch.float32)
    tensors = {
        "0.weight": (k * 0.25 - 1.5).reshape(4, 3),
        "0.bias": torch.tensor([0.1, -0.0, 1e-45, 3.4028235e38], dtype=torch.float32),
        "2.weight": (1 / (torch.arange(8, dtype=torch.float64) + 1)).float().reshape(2, 4),
        "2.bias": torch.tensor([-2.5, 1024.0]),
    }
    save_file(tensors, f"{HERE}/safetensors_python.safetensors",
              metadata={"format": "pt", "made_by": "make_fixtures.py"})


def dtypes_fixture():
    tensors = {
        "f16": torch.tensor([1.5, 2.0**-14, 2.0**-24, 65504.0], dtype=torch.float16),
        "bf16": torch.tensor([[1.0, -3.140625], [1e30, 0.0078125]], dtype=torch.bfloat16),
        "f64": torch.tensor([0.1, 1e-300, -2.0], dtype=torch.float64),
        "scalar": torch.tensor(7.0),
    }
    save_file(tensors, f"{HERE}/safetensors_dtypes.safetensors")


def mlp_fixture():
    torch.set_num_threads(1)  # one summation order, whatever the machine
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 10))
    initial = {name: p.detach().clone() for name, p in model.state_dict().items()}

    images = idx(f"{DATA}/train-images-idx3-ubyte.gz", 2051)[:64]
    labels = idx(f"{DATA}/train-labels-idx1-ubyte.gz", 2049)[:64]
    x = torch.from_numpy(images.copy()).reshape(64, 784).float().div(255)  # ToTensor's arithmetic
    y = torch.from_numpy(labels.astype(np.int64))
    loss_fn = nn.CrossEntropyLoss()

    out = dict(initial)
    out["x"], out["y"] = x, y.float()

    logits = model(x)
    loss = loss_fn(logits, y)
    loss.backward()
    out["logits"], out["loss"] = logits.detach(), loss.detach().reshape(1)
    out.update({f"grad.{n}": p.grad.clone() for n, p in model.named_parameters()})

    model.zero_grad()
    losses = []
    for k in range(4):
        part = slice(16 * k, 16 * k + 16)
        micro = loss_fn(model(x[part]), y[part])
        losses.append(micro.item())
        (micro / 4).backward()  # the tutorial's loss / N; gradients add up in .grad
    out["accum.losses"] = torch.tensor(losses)
    out.update({f"accum.grad.{n}": p.grad.clone() for n, p in model.named_parameters()})

    optimizers = {
        "sgd": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0, weight_decay=1e-2, nesterov=False)),
        "nesterov": (torch.optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0, weight_decay=1e-2, nesterov=True)),
        "adam": (torch.optim.Adam, dict(lr=1e-2)),
        "adamw": (torch.optim.AdamW, dict(lr=1e-2, weight_decay=0.1)),
        "adamwd": (torch.optim.Adam, dict(lr=1e-2, weight_decay=0.1)),
    }
    metadata = {
        "torch": torch.__version__, "numpy": np.__version__, "safetensors": safetensors.__version__,
        "seed": "0", "model": "Sequential(Linear(784,32), ReLU, Linear(32,16), ReLU, Linear(16,10))",
        "data": "first 64 of train-images-idx3-ubyte.gz / train-labels-idx1-ubyte.gz, uint8 / 255",
        "loss": "CrossEntropyLoss(reduction=mean)", "accumulation": "4 micro-batches of 16, loss / 4",
        "steps": "3, full batch, zero_grad between steps",
    }
    for prefix, (kind, arguments) in optimizers.items():
        model.load_state_dict(initial)
        optimizer = kind(model.parameters(), **arguments)
        losses = []
        for _ in range(3):
            optimizer.zero_grad()
            step_loss = loss_fn(model(x), y)
            step_loss.backward()
            optimizer.step()
            losses.append(step_loss.item())
        out[f"{prefix}.losses"] = torch.tensor(losses)
        out.update({f"{prefix}.{n}": p.detach().clone() for n, p in model.named_parameters()})
        full = {**optimizer.defaults}
        full.pop("params", None)
        metadata[prefix] = f"{kind.__name__} " + json.dumps(
            {k: v for k, v in full.items() if isinstance(v, (int, float, bool, tuple))}, sort_keys=True)

    out = {name: t.contiguous().to(torch.float32) for name, t in out.items()}
    save_file(out, f"{HERE}/torch_mlp.safetensors", metadata=metadata)
    print(f"torch {torch.__version__}, loss {loss.item():.9g}, "
          f"max |grad - accum.grad| {max((out['grad.' + n] - out['accum.grad.' + n]).abs().max().item() for n in initial):.3g}")


if __name__ == "__main__":
    python_fixture()
    dtypes_fixture()
    mlp_fixture()
