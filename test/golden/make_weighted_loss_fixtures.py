#!/usr/bin/env python3
"""Generate PyTorch golden values for rnam's per-sample weighted task losses.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_weighted_loss_fixtures.py

Writes test/fixtures/weighted_loss_golden.json: for regression (MSE, one and two outputs), binary
(BCE with logits, logits of magnitude ~30 included) and multiclass (cross-entropy on class indices),
float32 outputs, targets and per-sample weights (zeros included), the loss
sum_i w_i l_i / sum_i w_i (a sample with several outputs: the mean of its squared errors) and its
gradient with respect to the outputs, computed in float64 with PyTorch's losses at reduction='none'.
"""

import json
import os

import torch
import torch.nn.functional as F

torch.manual_seed(0)
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "weighted_loss_golden.json")


def flat(t):
    return t.detach().to(torch.float64).reshape(-1).tolist()


def case(task, what, y_hat, target, weights):
    x = y_hat.to(torch.float32).to(torch.float64).requires_grad_()
    w = weights.to(torch.float32).to(torch.float64)
    if task == "regression":
        per = F.mse_loss(x, target.to(torch.float64), reduction="none").mean(dim=1)
    elif task == "binary":
        per = F.binary_cross_entropy_with_logits(x, target.to(torch.float64), reduction="none").mean(dim=1)
    else:
        per = F.cross_entropy(x, target.long(), reduction="none")
    loss = (w * per).sum() / w.sum()
    (grad,) = torch.autograd.grad(loss, [x])
    return {
        "task": task, "what": what, "shape": list(x.shape), "yHat": flat(x), "target": flat(target),
        "weights": flat(w), "loss": loss.item(), "grad": flat(grad),
    }


cases = [
    case("regression", "mse, one output", torch.randn(6, 1), torch.randn(6, 1), torch.tensor([1.0, 2.0, 0.0, 0.5, 3.0, 1.0])),
    case("regression", "mse, two outputs", torch.randn(5, 2), torch.randn(5, 2), torch.tensor([0.25, 1.0, 4.0, 0.0, 2.0])),
    case("binary", "bce with logits, large logits", torch.tensor([[0.3], [-2.0], [30.0], [-30.0], [5.0], [0.0], [-0.7]]),
         torch.tensor([[1.0], [0.0], [0.0], [1.0], [1.0], [0.0], [1.0]]), torch.tensor([1.0, 3.0, 0.5, 2.0, 0.0, 1.0, 4.0])),
    case("multiclass", "cross-entropy, 4 classes", 3 * torch.randn(6, 4), torch.tensor([0.0, 3.0, 1.0, 2.0, 3.0, 0.0]),
         torch.tensor([2.0, 1.0, 0.0, 0.5, 1.5, 1.0])),
]

with open(OUT_PATH, "w") as f:
    json.dump({"torch": torch.__version__, "generator": "test/golden/make_weighted_loss_fixtures.py", "cases": cases}, f)
    f.write("\n")
print(f"wrote {OUT_PATH}: {len(cases)} cases")
