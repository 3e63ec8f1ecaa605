#!/usr/bin/env python3
"""check_ours_in_torch.py FILE — proves a safetensors file gashell wrote loads in PyTorch.

    python3 Tests/Fixtures/check_ours_in_torch.py model.safetensors

Loads FILE with safetensors.torch.load_file and lists its tensors and metadata. If it holds an
MLP's parameters — `0.weight`, `0.bias`, `2.weight`, … (optionally under `linear_relu_stack.`,
as in the tutorial's NeuralNetwork) — builds the matching nn.Sequential of Linear and ReLU
(the tutorial's is Linear(784, 512), ReLU, Linear(512, 512), ReLU, Linear(512, 10)), loads them
with load_state_dict(strict=True), runs one forward pass, and prints OK. Exits non-zero otherwise.
torch is not a gashell dependency: this is run by hand or by the benchmark scripts.
"""
import re
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file
from torch import nn


def main(path):
    tensors = load_file(path)
    with safe_open(path, "pt") as f:
        metadata = f.metadata() or {}
    for name, t in tensors.items():
        print(f"{name:24} {str(t.dtype):14} {list(t.shape)}")
    for key, value in sorted(metadata.items()):
        print(f"metadata {key} = {value}")

    prefix = "linear_relu_stack." if any(n.startswith("linear_relu_stack.") for n in tensors) else ""
    layers = sorted(int(m.group(1)) for n in tensors if (m := re.fullmatch(re.escape(prefix) + r"(\d+)\.weight", n)))
    if not layers:
        print(f"{path}: loaded {len(tensors)} tensors; no N.weight parameters, so no model to load them into")
        return 0
    if layers != list(range(0, 2 * len(layers), 2)):
        print(f"{path}: linear layers at {layers}, expected 0, 2, 4, … (Linear, ReLU, Linear, …)")
        return 1
    modules = []
    for i in layers:
        out_features, in_features = tensors[f"{prefix}{i}.weight"].shape
        modules += [nn.Linear(in_features, out_features), nn.ReLU()]
    model = nn.Sequential(*modules[:-1])
    state = {name[len(prefix):]: t for name, t in tensors.items()
             if re.fullmatch(re.escape(prefix) + r"\d+\.(weight|bias)", name)}
    model.load_state_dict(state, strict=True)
    logits = model(torch.zeros(1, model[0].in_features))
    shapes = " -> ".join(str(m.in_features) for m in model if isinstance(m, nn.Linear)) + f" -> {logits.shape[1]}"
    print(f"OK: {path} loads into nn.Sequential ({shapes}), torch {torch.__version__}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[0])
    sys.exit(main(sys.argv[1]))
