#!/usr/bin/env python3
"""Generate PyTorch's learning-rate sequences for rnam's schedulers.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_scheduler_fixtures.py

Writes test/fixtures/scheduler_golden.json: for each case, the optimizer's lr after construction
("initial") and after each scheduler.step() ("lrs"), from torch.optim.lr_scheduler's StepLR,
CosineAnnealingLR (past T_max, where PyTorch's recursive form rises again) and ReduceLROnPlateau
(fed the case's metric sequence; modes min/max, rel/abs thresholds, cooldown, min_lr). Python
floats are float64, as rnam's lr.
"""

import json
import os
import warnings

import torch

warnings.filterwarnings("ignore")  # "scheduler.step() before optimizer.step()": no training here

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "scheduler_golden.json")


def optimizer(lr):
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)


def run(case):
    opt = optimizer(case["lr"])
    kind, o = case["kind"], case["options"]
    if kind == "StepLR":
        sched = torch.optim.lr_scheduler.StepLR(opt, step_size=o["stepSize"], gamma=o.get("gamma", 0.1))
    elif kind == "CosineAnnealingLR":
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=o["tMax"], eta_min=o.get("etaMin", 0))
    else:
        sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
            opt, mode=o.get("mode", "min"), factor=o.get("factor", 0.1), patience=o.get("patience", 10),
            threshold=o.get("threshold", 1e-4), threshold_mode=o.get("thresholdMode", "rel"),
            cooldown=o.get("cooldown", 0), min_lr=o.get("minLr", 0), eps=o.get("eps", 1e-8))
    initial = opt.param_groups[0]["lr"]
    lrs = []
    for e in range(case["epochs"]):
        if kind == "ReduceLROnPlateau":
            sched.step(case["metrics"][e])
        else:
            sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return {**case, "initial": initial, "lrs": lrs}


CASES = [
    {"name": "StepLR stepSize 3 gamma 0.5", "kind": "StepLR", "lr": 0.1, "options": {"stepSize": 3, "gamma": 0.5}, "epochs": 12},
    {"name": "StepLR stepSize 1 default gamma", "kind": "StepLR", "lr": 0.3, "options": {"stepSize": 1}, "epochs": 6},
    {"name": "CosineAnnealingLR tMax 5 etaMin 0.001, past tMax", "kind": "CosineAnnealingLR", "lr": 0.1,
     "options": {"tMax": 5, "etaMin": 0.001}, "epochs": 23},
    {"name": "CosineAnnealingLR tMax 7", "kind": "CosineAnnealingLR", "lr": 0.01, "options": {"tMax": 7}, "epochs": 16},
    {"name": "ReduceLROnPlateau min rel patience 2 cooldown 1 minLr", "kind": "ReduceLROnPlateau", "lr": 0.1,
     "options": {"mode": "min", "factor": 0.5, "patience": 2, "cooldown": 1, "minLr": 0.01},
     "metrics": [1.0, 0.9, 0.9, 0.9, 0.9, 0.95, 0.8, 0.80001, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8], "epochs": 18},
    {"name": "ReduceLROnPlateau max abs threshold 0.05 defaults", "kind": "ReduceLROnPlateau", "lr": 1.0,
     "options": {"mode": "max", "thresholdMode": "abs", "threshold": 0.05, "patience": 0},
     "metrics": [0.5, 0.6, 0.62, 0.7, 0.7, 0.74, 0.8, 0.79], "epochs": 8},
    {"name": "ReduceLROnPlateau eps blocks tiny reductions", "kind": "ReduceLROnPlateau", "lr": 1e-7,
     "options": {"patience": 0, "factor": 0.5, "eps": 1e-7}, "metrics": [1, 1, 1, 1], "epochs": 4},
]


def main():
    out = {"torch": torch.__version__, "cases": [run(c) for c in CASES]}
    with open(OUT_PATH, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT_PATH}: {len(CASES)} cases")


if __name__ == "__main__":
    main()
