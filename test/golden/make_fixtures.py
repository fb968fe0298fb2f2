#!/usr/bin/env python3
"""Generate PyTorch golden fixtures for rnam's multi-term Linear and minGRU.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_fixtures.py

Writes test/fixtures/golden_linear_mingru.json. Every input and parameter is
drawn in float32, then the forward and backward passes run in float64, so the
stored outputs/gradients are (near) exact for those float32-representable
inputs. The script checks the log-space scan against a plain sequential loop
and against step-by-step seq == 1 calls, and exits non-zero on any failure.
The reference implementations live in seed_reference.py (shared with make_rnam_fixtures.py).
"""

import json
import math
import os
import sys

import torch

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seed_reference import (  # noqa: E402
    flat, grad_of_loss, linear, mingru, mingru_loop, mingru_steps, uniform32,
)

torch.manual_seed(0)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "golden_linear_mingru.json")
GENERATOR = "test/golden/make_fixtures.py"

RTOL = 1e-9
FAILURES = []


# --------------------------------------------------------------------------
# Sanity checks (the references live in seed_reference.py)
# --------------------------------------------------------------------------

def check(label, got, ref, elementwise=False):
    """Relative comparison: per element, or scaled by max |ref| (for values that may be ~0)."""
    got, ref = got.detach(), ref.detach()
    if got.shape != ref.shape:
        FAILURES.append(f"{label}: shape {tuple(got.shape)} != {tuple(ref.shape)}")
        return
    err = (got - ref).abs()
    if elementwise:
        bad = err > RTOL * ref.abs()
    else:
        bad = err > RTOL * max(ref.abs().max().item(), 1e-300)
    if bool(bad.any()) or not bool(torch.isfinite(got).all()):
        FAILURES.append(f"{label}: max abs err {err.max().item():.3e}")


# --------------------------------------------------------------------------
# Linear cases
# --------------------------------------------------------------------------

# (terms, in_dim, out_dim, bias, middle dims)
LINEAR_CASES = [
    # the seed's shapes, scaled down
    (8, 1, 8, True, (2, 16)),
    (8, 8, 16, True, (2, 16)),
    (8, 8, 8, True, (2, 16)),
    (8, 8, 8, False, (3, 5)),
    # rank 3
    (1, 1, 1, True, (1,)),
    (1, 3, 5, False, (7,)),
    (2, 17, 9, True, (13,)),
    (3, 16, 17, False, (70,)),
    # rank 4
    (2, 5, 7, True, (3, 4)),
    (3, 9, 2, False, (1, 1)),
    (1, 7, 3, True, (5, 11)),
    (8, 2, 1, False, (2, 3)),
    # rank 5
    (2, 3, 8, True, (2, 3, 5)),
    (3, 8, 5, False, (1, 7, 2)),
    (1, 16, 16, True, (4, 2, 3)),
    (2, 1, 9, False, (3, 1, 4)),
]


def make_linear_case(terms, in_dim, out_dim, bias, mid):
    shape = (terms, *mid, in_dim)
    bound = 1.0 / math.sqrt(in_dim)
    weight32 = uniform32((terms, in_dim, out_dim), bound)
    bias32 = uniform32((terms, 1, out_dim), bound) if bias else None
    x32 = torch.randn(*shape)
    dy32 = torch.randn(terms, *mid, out_dim)

    f64 = lambda t: t.to(torch.float64) if t is not None else None
    x, w, b, dy = f64(x32), f64(weight32), f64(bias32), f64(dy32)
    (y,), (dx, dw, db) = grad_of_loss(linear, [x, w, b], [dy])

    name = f"linear_t{terms}_in{in_dim}_out{out_dim}_{'bias' if bias else 'nobias'}_mid{'x'.join(map(str, mid))}"
    # sanity: against einsum (and its closed-form gradients)
    ref = torch.einsum("t...i,tio->t...o", x, w) + (b.reshape(terms, *([1] * len(mid)), out_dim) if bias else 0)
    check(f"{name} y", y, ref)
    check(f"{name} dx", dx, torch.einsum("t...o,tio->t...i", dy, w))
    check(f"{name} dweight", dw, torch.einsum("t...i,t...o->tio", x, dy))
    if bias:
        check(f"{name} dbias", db, dy.reshape(terms, -1, out_dim).sum(1, keepdim=True))

    return {
        "name": name, "terms": terms, "inDim": in_dim, "outDim": out_dim, "bias": bias,
        "inputShape": list(shape), "x": flat(x32), "weight": flat(weight32),
        "biasValue": flat(bias32) if bias else None,
        "y": flat(y), "dy": flat(dy32), "dx": flat(dx), "dweight": flat(dw),
        "dbias": flat(db) if bias else None,
    }


# --------------------------------------------------------------------------
# minGRU cases
# --------------------------------------------------------------------------

# (terms, batch, seq, dim, expansion_factor); each runs with prev_hidden None and positive.
MINGRU_CONFIGS = [
    (1, 1, 1, 1, 1.0),
    (1, 1, 2, 2, 1.0),
    (2, 2, 3, 3, 1.0),
    (3, 1, 7, 5, 1.0),
    (1, 3, 16, 4, 1.0),
    (2, 1, 33, 3, 1.0),
    (2, 3, 3, 8, 1.0),
    (1, 1, 33, 16, 1.0),
    (1, 1, 1, 4, 2.0),
    (2, 2, 3, 2, 2.0),
    (3, 3, 7, 7, 2.0),
    (1, 2, 33, 5, 2.0),
    (2, 1, 2, 2, 0.5),
    (2, 2, 1, 3, 0.5),
    (1, 2, 7, 9, 0.5),
    (3, 1, 16, 16, 0.5),
]
# seq == 1 with prev_hidden of mixed sign (lerp path only): (terms, batch, dim, expansion_factor)
MINGRU_MIXED = [
    (1, 1, 1, 1.0),
    (2, 2, 4, 1.0),
    (2, 3, 5, 2.0),
    (3, 2, 9, 0.5),
]


def make_mingru_case(terms, batch, seq, dim, ef, prev):
    dim_inner = int(dim * ef)
    assert dim_inner >= 1
    w_hg32 = uniform32((terms, dim, dim_inner * 2), 1.0 / math.sqrt(dim))
    w_out32 = uniform32((terms, dim_inner, dim), 1.0 / math.sqrt(dim_inner)) if ef != 1.0 else None
    x32 = torch.randn(terms, batch, seq, dim)
    if prev == "positive":
        prev32 = torch.rand(terms, batch, 1, dim_inner) + 0.05
    elif prev == "mixed":
        prev32 = torch.randn(terms, batch, 1, dim_inner)
    else:
        prev32 = None
    d_out32 = torch.randn(terms, batch, seq, dim)
    d_last32 = torch.randn(terms, batch, 1, dim_inner)

    f64 = lambda t: t.to(torch.float64) if t is not None else None
    x, ph, w_hg, w_out = f64(x32), f64(prev32), f64(w_hg32), f64(w_out32)
    up = [f64(d_out32), f64(d_last32)]
    inputs = [x, ph, w_hg, w_out]
    (out, last), (dx, dph, dw_hg, dw_out) = grad_of_loss(mingru, inputs, up)

    name = f"mingru_t{terms}_b{batch}_s{seq}_d{dim}_ef{ef:g}_prev-{prev or 'none'}"

    # sanity 1: plain sequential float64 loop (forward and gradients)
    (out_l, last_l), grads_l = grad_of_loss(mingru_loop, inputs, up)
    check(f"{name} loop out", out_l, out, elementwise=(w_out is None and prev != "mixed"))
    check(f"{name} loop last", last_l, last, elementwise=(prev != "mixed"))
    # sanity 2: step-by-step seq == 1 calls carrying prev_hidden
    (out_s, last_s), grads_s = grad_of_loss(mingru_steps, inputs, up)
    check(f"{name} steps out", out_s, out, elementwise=(w_out is None and prev != "mixed"))
    check(f"{name} steps last", last_s, last, elementwise=(prev != "mixed"))
    for label, ga, gb in zip(["dx", "dPrevHidden", "dW_hg", "dW_out"], grads_l, [dx, dph, dw_hg, dw_out]):
        if gb is not None:
            check(f"{name} loop {label}", ga, gb)
    for label, ga, gb in zip(["dx", "dPrevHidden", "dW_hg", "dW_out"], grads_s, [dx, dph, dw_hg, dw_out]):
        if gb is not None:
            check(f"{name} steps {label}", ga, gb)

    params = {"to_hidden_and_gate.weight": flat(w_hg32)}
    grads = {"to_hidden_and_gate.weight": flat(dw_hg)}
    if w_out is not None:
        params["to_out.weight"] = flat(w_out32)
        grads["to_out.weight"] = flat(dw_out)
    return {
        "name": name, "terms": terms, "dim": dim, "expansionFactor": float(ef), "dimInner": dim_inner,
        "inputShape": [terms, batch, seq, dim], "x": flat(x32),
        "prevHidden": flat(prev32) if prev32 is not None else None,
        "params": params,
        "out": flat(out), "lastHidden": flat(last), "dOut": flat(d_out32), "dLastHidden": flat(d_last32),
        "dx": flat(dx), "dPrevHidden": flat(dph) if dph is not None else None,
        "grads": grads,
    }


def main():
    linear_cases = [make_linear_case(*c) for c in LINEAR_CASES]
    mingru_cases = []
    for terms, batch, seq, dim, ef in MINGRU_CONFIGS:
        for prev in (None, "positive"):
            mingru_cases.append(make_mingru_case(terms, batch, seq, dim, ef, prev))
    for terms, batch, dim, ef in MINGRU_MIXED:
        mingru_cases.append(make_mingru_case(terms, batch, 1, dim, ef, "mixed"))

    if FAILURES:
        print(f"{len(FAILURES)} sanity check(s) failed:", file=sys.stderr)
        for f in FAILURES:
            print("  " + f, file=sys.stderr)
        sys.exit(1)

    doc = {"generator": GENERATOR, "torch": torch.__version__, "linear": linear_cases, "mingru": mingru_cases}
    os.makedirs(os.path.dirname(OUT_PATH), exist_ok=True)
    with open(OUT_PATH, "w") as fh:
        json.dump(doc, fh, allow_nan=False)
        fh.write("\n")
    size = os.path.getsize(OUT_PATH)
    print(f"wrote {os.path.relpath(OUT_PATH, ROOT)}: {len(linear_cases)} linear + "
          f"{len(mingru_cases)} minGRU cases, {size} bytes, all sanity checks passed")


if __name__ == "__main__":
    main()
