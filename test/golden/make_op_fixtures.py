#!/usr/bin/env python3
"""PyTorch golden values for every row of test/helpers/op-cases.ts that names a PyTorch expression.

Usage (from the repository root): /usr/bin/python3 test/golden/make_op_fixtures.py
It asks node for the cases (test/golden/export-op-cases.ts: inputs drawn in float32, the output
gradient dy), evaluates each expression in float64 with autograd (x0, x1, ... the inputs; torch and
F = torch.nn.functional in scope) and writes test/fixtures/op_golden.json: per case the output and
the gradient of sum(output * dy) with respect to every input.
"""
import json
import os
import subprocess
import sys

import torch
import torch.nn.functional as F  # noqa: F401 (used by the expressions)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "op_golden.json")

cases = json.loads(subprocess.check_output(
    ["node", "--import", "tsx", os.path.join("test", "golden", "export-op-cases.ts")], cwd=ROOT))
out = []
for case in cases:
    xs = [torch.tensor(v, dtype=torch.float64).reshape(s).requires_grad_(True) for v, s in zip(case["inputs"], case["shapes"])]
    scope = {"torch": torch, "F": F, **{f"x{i}": x for i, x in enumerate(xs)}}
    y = eval(case["torch"], scope)  # noqa: S307 (expressions from our own test table)
    dy = torch.tensor(case["dy"], dtype=torch.float64).reshape(y.shape)
    (y * dy).sum().backward()
    out.append({
        "what": case["what"], "torch": case["torch"], "shapes": case["shapes"], "inputs": case["inputs"], "dy": case["dy"],
        "y": y.detach().reshape(-1).tolist(), "grads": [x.grad.reshape(-1).tolist() for x in xs],
    })
with open(OUT_PATH, "w") as f:
    json.dump({"torch": torch.__version__, "generator": "test/golden/make_op_fixtures.py", "cases": out}, f)
print(f"wrote {len(out)} cases to {os.path.relpath(OUT_PATH, ROOT)}", file=sys.stderr)
