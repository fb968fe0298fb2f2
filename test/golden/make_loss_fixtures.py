#!/usr/bin/env python3
"""Generate PyTorch golden fixtures for rnam's losses and reference values for its metrics.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_loss_fixtures.py

Writes test/fixtures/loss_golden.json:
- "losses": L1Loss, HuberLoss, BCEWithLogitsLoss (pos_weight a number or per class) and
  CrossEntropyLoss (class indices, weight, ignore_index) with reduction 'mean', forward and
  backward (the loss's gradient scaled by an upstream dOut) for float32 inputs computed in
  float64, including logits of magnitude ~100 where naive formulas overflow in float32. Every
  loss is checked against an independent closed-form float64 formula.
- "metrics": RMSE, MAE, R^2, accuracy, ROC AUC and log-loss from scikit-learn's definitions,
  written out here (no scikit-learn needed): ROC AUC as the Mann-Whitney pair count (ties count
  1/2), independent of the midrank method rnam uses.
The script exits non-zero when a sanity check fails.
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F

torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "loss_golden.json")
GENERATOR = "test/golden/make_loss_fixtures.py"
FAILURES = []


def flat(t):
    return t.detach().to(torch.float64).reshape(-1).tolist()


def check(label, got, ref, rtol=1e-10):
    got, ref = torch.as_tensor(got, dtype=torch.float64), torch.as_tensor(ref, dtype=torch.float64)
    err = (got - ref).abs().max().item() if got.numel() else 0.0
    scale = max(ref.abs().max().item() if ref.numel() else 0.0, 1.0)
    if not math.isfinite(err) or err > rtol * scale:
        FAILURES.append(f"{label}: max abs err {err:.3e}")


def f64(t):
    return t.detach().to(torch.float64).requires_grad_()


def run(loss_fn, inputs, grad_of, d_out):
    """The loss in float64 and the gradients of `grad_of` (indices into inputs) for upstream d_out."""
    xs = [f64(t) if i in grad_of else t.detach().to(torch.float64) for i, t in enumerate(inputs)]
    loss = loss_fn(*xs)
    grads = torch.autograd.grad(loss * d_out, [xs[i] for i in grad_of])
    return loss, grads


# --------------------------------------------------------------------------
# Losses
# --------------------------------------------------------------------------

def pair_case(kind, shape, scale=1.0, delta=1.0, spread=1.0):
    x32 = (torch.randn(*shape) * scale).float()
    t32 = (x32 + torch.randn(*shape) * spread).float()
    d_out = float(torch.empty(()).uniform_(0.5, 2.0).float())
    if kind == "l1":
        fn = lambda a, b: F.l1_loss(a, b)
        ref = lambda a, b: (a - b).abs().mean()
    else:
        fn = lambda a, b: F.huber_loss(a, b, delta=delta)
        ref = lambda a, b: torch.where((a - b).abs() < delta, 0.5 * (a - b) ** 2, delta * ((a - b).abs() - 0.5 * delta)).mean()
    loss, (dx, dt) = run(fn, [x32, t32], [0, 1], d_out)
    name = f"{kind}_{'x'.join(map(str, shape))}_scale{scale:g}" + (f"_delta{delta:g}" if kind == "huber" else "")
    check(f"{name} loss", loss, ref(x32.double(), t32.double()))
    return {
        "name": name, "kind": kind, "shape": list(shape), "delta": delta, "input": flat(x32), "target": flat(t32),
        "dOut": d_out, "loss": loss.item(), "dInput": flat(dx), "dTarget": flat(dt),
    }


def bce_case(shape, scale=1.0, pos_weight=None, hard=False):
    x32 = (torch.randn(*shape) * scale).float()
    t32 = (torch.rand(*shape) < 0.5).float() if hard else torch.rand(*shape).float()
    d_out = float(torch.empty(()).uniform_(0.5, 2.0).float())
    pw = None
    if pos_weight == "number":
        pw = torch.tensor([2.5], dtype=torch.float32)
    elif pos_weight == "per-class":
        pw = (torch.rand(shape[-1]) * 3 + 0.1).float()
    fn = lambda a, b: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw.double() if pw is not None else None)
    loss, (dx, dt) = run(fn, [x32, t32], [0, 1], d_out)
    name = f"bce_{'x'.join(map(str, shape))}_scale{scale:g}_{'hard' if hard else 'soft'}_pw-{pos_weight or 'none'}"
    # closed form: -(pw y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))), with log sigmoid(x) = -softplus(-x)
    x, y = x32.double(), t32.double()
    p = pw.double() if pw is not None else 1.0
    check(f"{name} loss", loss, (p * y * F.softplus(-x) + (1 - y) * F.softplus(x)).mean())
    s = torch.sigmoid(x)
    check(f"{name} dx", dx, d_out * (-(p * y * (1 - s)) + (1 - y) * s) / x.numel())
    return {
        "name": name, "kind": "bce", "shape": list(shape), "logits": flat(x32), "target": flat(t32),
        "posWeight": (pw.item() if pos_weight == "number" else flat(pw)) if pw is not None else None,
        "dOut": d_out, "loss": loss.item(), "dLogits": flat(dx), "dTarget": flat(dt),
    }


def ce_case(rows, classes, scale=1.0, weight=False, ignore_index=-100, ignored=0, unbatched=False):
    x32 = (torch.randn(rows, classes) * scale).float()
    t = torch.randint(0, classes, (rows,))
    if ignored:
        t[torch.randperm(rows)[:ignored]] = ignore_index
    w32 = (torch.rand(classes) * 2 + 0.1).float() if weight else None
    d_out = float(torch.empty(()).uniform_(0.5, 2.0).float())
    if unbatched:
        x32, t = x32[0], t[0]
    kw = {"ignore_index": ignore_index}
    fn = lambda a: F.cross_entropy(a, t, weight=w32.double() if w32 is not None else None, **kw)
    loss, (dx,) = run(fn, [x32], [0], d_out)
    name = f"ce_{'unbatched_' if unbatched else ''}{rows}x{classes}_scale{scale:g}_{'weight' if weight else 'noweight'}_ignore{ignore_index}x{ignored}"
    # closed form: sum_i w[t_i] (logsumexp(x_i) - x_i[t_i]) / sum_i w[t_i] over the kept rows
    x2, t2 = x32.double().reshape(-1, classes), t.reshape(-1)
    keep = t2 != ignore_index
    lse = torch.logsumexp(x2[keep], dim=1)
    picked = x2[keep].gather(1, t2[keep].unsqueeze(1)).squeeze(1)
    wt = w32.double()[t2[keep]] if w32 is not None else torch.ones_like(lse)
    check(f"{name} loss", loss, (wt * (lse - picked)).sum() / wt.sum())
    return {
        "name": name, "kind": "ce", "logitsShape": list(x32.shape), "logits": flat(x32),
        "target": [float(v) for v in t.reshape(-1).tolist()], "weight": flat(w32) if w32 is not None else None,
        "ignoreIndex": ignore_index, "dOut": d_out, "loss": loss.item(), "dLogits": flat(dx),
    }


def loss_cases():
    cases = []
    for shape in [(1,), (7,), (3, 5), (4, 3, 2), (300,)]:
        cases.append(pair_case("l1", shape))
    cases.append(pair_case("l1", (2, 9), scale=100.0, spread=50.0))
    for delta in [1.0, 0.5, 2.5]:
        for shape in [(1,), (7,), (3, 5), (4, 3, 2)]:
            cases.append(pair_case("huber", shape, delta=delta))
    cases.append(pair_case("huber", (200,), delta=0.3, spread=0.5))
    cases.append(pair_case("huber", (2, 9), scale=100.0, spread=50.0, delta=1.5))
    for pw in [None, "number", "per-class"]:
        for shape in [(1,), (9,), (4, 3), (2, 3, 5)]:
            for hard in [False, True]:
                cases.append(bce_case(shape, pos_weight=pw, hard=hard))
        cases.append(bce_case((6, 4), scale=100.0, pos_weight=pw, hard=True))  # |x| ~ 100
        cases.append(bce_case((6, 4), scale=100.0, pos_weight=pw))
    for rows, classes in [(1, 1), (1, 4), (5, 3), (16, 10), (7, 2), (300, 5)]:
        cases.append(ce_case(rows, classes))
        cases.append(ce_case(rows, classes, weight=True))
    cases.append(ce_case(12, 6, ignored=3))
    cases.append(ce_case(12, 6, weight=True, ignored=4))
    cases.append(ce_case(10, 4, ignore_index=2, ignored=3, weight=True))
    cases.append(ce_case(8, 5, scale=100.0))  # |x| ~ 100: exp overflows without max subtraction
    cases.append(ce_case(8, 5, scale=100.0, weight=True))
    cases.append(ce_case(1, 6, unbatched=True))
    return cases


# --------------------------------------------------------------------------
# Metrics (scikit-learn's definitions, in float64)
# --------------------------------------------------------------------------

def auc_pairs(scores, labels):
    """P(score of a positive > score of a negative), ties 1/2: the Mann-Whitney statistic."""
    pos = [s for s, y in zip(scores, labels) if y == 1]
    neg = [s for s, y in zip(scores, labels) if y == 0]
    total = 0.0
    for p in pos:
        for q in neg:
            total += 1.0 if p > q else 0.5 if p == q else 0.0
    return total / (len(pos) * len(neg))


def log_loss_row(probs, label, eps=1e-15):
    """sklearn's log_loss for one row: every column clipped to [eps, 1 - eps], the row renormalised
    (a binary probability p is the row [1 - p, p])."""
    clipped = [min(max(p, eps), 1 - eps) for p in probs]
    return -math.log(clipped[label] / sum(clipped))


def metric_cases():
    out = []
    f32 = lambda t: t.float().double().tolist()
    for n in [1, 5, 64]:
        p = f32(torch.randn(n))
        y = f32(torch.tensor(p) * 0.7 + torch.randn(n) * 0.5)
        pt, yt = torch.tensor(p, dtype=torch.float64), torch.tensor(y, dtype=torch.float64)
        ss_res = ((yt - pt) ** 2).sum().item()
        ss_tot = ((yt - yt.mean()) ** 2).sum().item()
        r2 = 1 - ss_res / ss_tot if ss_tot > 0 else (1.0 if ss_res == 0 else 0.0)  # sklearn's force_finite
        out.append({
            "kind": "regression", "name": f"regression_n{n}", "pred": p, "target": y,
            "rmse": math.sqrt(((pt - yt) ** 2).mean().item()), "mae": (pt - yt).abs().mean().item(), "r2": r2,
        })
    for n, tie_levels in [(10, None), (50, None), (40, 5), (200, 8)]:
        labels = [float(v) for v in (torch.rand(n) < 0.4).tolist()]
        labels[0], labels[1] = 0.0, 1.0  # both classes present
        raw = torch.randn(n) + torch.tensor(labels) * 0.8
        if tie_levels:  # few distinct scores: many ties
            raw = torch.round(raw * tie_levels / 4) / (tie_levels / 4)
        probs = f32(torch.sigmoid(raw))
        logits = f32(raw)
        ll = sum(log_loss_row([1 - p, p], int(y)) for p, y in zip(probs, labels)) / n
        out.append({
            "kind": "binary", "name": f"binary_n{n}_ties{tie_levels or 0}", "probs": probs, "logits": logits, "target": labels,
            "auc": auc_pairs(probs, labels), "aucLogits": auc_pairs(logits, labels),
            "accuracy": sum((p > 0.5) == (y == 1) for p, y in zip(probs, labels)) / n,
            "accuracyLogits": sum((x > 0) == (y == 1) for x, y in zip(logits, labels)) / n,
            "accuracyAt03": sum((p > 0.3) == (y == 1) for p, y in zip(probs, labels)) / n,
            "logLoss": ll,
        })
    for n, c in [(6, 3), (40, 5)]:
        scores = torch.randn(n, c)
        labels = torch.randint(0, c, (n,))
        probs = torch.softmax(scores.double(), 1).float().double()
        ll = sum(log_loss_row(row, k) for row, k in zip(probs.tolist(), labels.tolist())) / n
        out.append({
            "kind": "multiclass", "name": f"multiclass_n{n}_c{c}", "classes": c, "scores": f32(scores.reshape(-1)),
            "probs": probs.reshape(-1).tolist(), "target": [float(v) for v in labels.tolist()],
            "accuracy": (scores.float().argmax(1) == labels).double().mean().item(), "logLoss": ll,
        })
    return out


def main():
    doc = {"generator": GENERATOR, "torch": torch.__version__, "losses": loss_cases(), "metrics": metric_cases()}
    if FAILURES:
        print(f"{len(FAILURES)} sanity check(s) failed:", file=sys.stderr)
        for f in FAILURES:
            print("  " + f, file=sys.stderr)
        sys.exit(1)
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as fh:
        json.dump(doc, fh, allow_nan=False)
        fh.write("\n")
    print(f"wrote {os.path.relpath(OUT_PATH, ROOT)}: {len(doc['losses'])} loss cases, {len(doc['metrics'])} metric cases, "
          f"{os.path.getsize(OUT_PATH)} bytes, all sanity checks passed")


if __name__ == "__main__":
    main()
