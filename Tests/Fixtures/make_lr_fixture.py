#!/usr/bin/env python3
"""make_lr_fixture.py — the learning rates torch.optim.lr_scheduler gives, step by step.

Run from anywhere (needs torch; torch is NOT a gashell dependency, the file is committed):
    python3 Tests/Fixtures/make_lr_fixture.py
It rewrites lr_schedules.json next to itself: for each case, the rate PyTorch's optimizer holds
after construction (index 0) and after each of `steps` calls of scheduler.step() following
optimizer.step(), as Python floats (doubles) written with repr, so they read back exactly.
"""
import json
import os
import warnings

import torch

CASES = [
    # name, base lr, scheduler, its arguments, steps
    ("StepLR", 1e-3, torch.optim.lr_scheduler.StepLR, {"step_size": 3, "gamma": 0.5}, 12),
    ("StepLR", 0.1, torch.optim.lr_scheduler.StepLR, {"step_size": 1, "gamma": 0.9}, 40),
    ("LinearLR", 1e-3, torch.optim.lr_scheduler.LinearLR, {"start_factor": 0.1, "total_iters": 10}, 15),
    ("LinearLR", 0.05, torch.optim.lr_scheduler.LinearLR, {"start_factor": 0.25, "total_iters": 100}, 120),
    ("LinearLR", 1e-3, torch.optim.lr_scheduler.LinearLR, {"start_factor": 1 / 3, "total_iters": 5}, 8),
    ("CosineAnnealingLR", 1e-3, torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": 10, "eta_min": 0.0}, 35),
    ("CosineAnnealingLR", 0.1, torch.optim.lr_scheduler.CosineAnnealingLR, {"T_max": 7, "eta_min": 1e-4}, 30),
]


def main():
    cases = []
    for name, lr, cls, args, steps in CASES:
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.SGD([p], lr=lr)
        sched = cls(opt, **args)
        rates = [opt.param_groups[0]["lr"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(steps):
                opt.step()
                sched.step()
                rates.append(opt.param_groups[0]["lr"])
        cases.append({"scheduler": name, "lr": lr, "args": args, "rates": [repr(float(r)) for r in rates]})
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lr_schedules.json")
    with open(out, "w") as f:
        json.dump({"made_by": "make_lr_fixture.py", "torch": torch.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(cases)} cases")


if __name__ == "__main__":
    main()
