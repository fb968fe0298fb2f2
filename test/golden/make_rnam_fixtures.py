#!/usr/bin/env python3
"""Generate PyTorch golden fixtures for the whole RNAM model, LayerNorm, AdditiveLayer and the optimizers.

Usage (from the repository root; Debian's python3-torch):
    /usr/bin/python3 test/golden/make_rnam_fixtures.py

Everything is drawn in float32 with fixed seeds, then computed in float64 (forward, backward,
optimizer steps) and stored cast to float32 (safetensors) or as exact float64 values of the
float32 inputs / float64 results (JSON). The script sanity-checks its results (float32 rerun,
sequential-loop minGRU, hand-written optimizers, safetensors read-back) and exits non-zero on
any failure. Running it twice writes byte-identical files.

1. Whole-model cases, test/fixtures/rnam/case_<k>.{model,io}.safetensors
   The seed notebook's FirstOrderRNAM(terms, hidden_dim, out_dim, blocks) (see seed_reference.py),
   with randomized LayerNorm weight/bias and gam.bias.
   case_<k>.model.safetensors: exactly model.state_dict() in float32 (PyTorch names, e.g.
       emb.weight (terms, 1, hidden), blocks.0.gru.to_hidden_and_gate.weight (terms, hidden, 2*hidden),
       blocks.0.ff.0.weight / .bias (hidden,) [LayerNorm], blocks.0.ff.1.weight (terms, hidden, hidden),
       blocks.0.ff.1.bias (terms, 1, hidden), blocks.0.ff.3.*, proj.0.*, proj.2.*, gam.bias (out,)).
   case_<k>.io.safetensors (all F32):
       x (terms, batch, seq, 1), y (batch, out_dim)           inputs (randn)
       y_hat (batch, out_dim), contributions (terms, batch, out_dim)   model(x) = (y_hat, contributions)
       loss ()                                                  nn.MSELoss()(y_hat, y)
       grad.<name>        d loss / d parameter, for every parameter (same shape as the parameter)
       after.<name>       parameters after one AdamW(lr, weight_decay) step
       grad2.<name>       gradients of the second forward/backward (on the same x, y, at after.*)
       loss2 ()           the loss of that second forward
       after2.<name>      parameters after the second AdamW step (optimizer state carried over)
   Both files carry __metadata__ (strings): format "pt", case, terms, hidden_dim, out_dim, blocks,
   batch, seq, lr, weight_decay, optimizer "AdamW", torch (version), generator.

2. test/fixtures/golden_layers.json, one object:
   {
     "generator": "test/golden/make_rnam_fixtures.py", "torch": "<version>",
     "layerNorm": [ { "name", "shape": [terms, batch, seq, dim], "dim", "eps": 1e-5,
                      "x", "weight" (dim), "bias" (dim), "y", "dy", "dx", "dweight" (dim), "dbias" (dim) } ],
     "additive":  [ { "name", "shape": [terms, batch, dim], "dim",
                      "input", "bias" (dim), "output" (batch, dim), "contributions" (= input),
                      "dOutput" (batch, dim), "dInput" (terms, batch, dim), "dBias" (dim) } ],
     "optimizers": [ { "name", "optimizer": "SGD" | "Adam" | "AdamW",
                       "options": SGD:        {"lr", "momentum", "dampening", "weightDecay", "nesterov"}
                                  Adam/AdamW: {"lr", "betas": [b1, b2], "eps", "weightDecay", "amsgrad"},
                                  (every option, defaults filled in),
                       "steps": 5, "size": 20,
                       "initial" (size),                     the parameter before the first step
                       "grads"  (steps * size, row-major),   the gradient given at step i is row i
                       "params" (steps * size, row-major) } ],  the parameter after step i is row i
     "clipGradNorm": [ { "name", "maxNorm", "normType": 2, "shapes": [[...], ...],
                         "grads": [[...], ...] (one flat list per tensor), "totalNorm" (number,
                         the value clip_grad_norm_ returns), "clipped": [[...], ...] } ]
   }
   Every tensor is a flat row-major list of numbers; a layer case's shapes follow from "shape"/"dim".
   Inputs are float32 values (written exactly); results are the float64 results.
"""

import copy
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import seed_reference as rnam  # noqa: E402
from seed_reference import flat, grad_of_loss, mingru_loop  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RNAM_DIR = os.path.join(ROOT, "test", "fixtures", "rnam")
LAYERS_PATH = os.path.join(ROOT, "test", "fixtures", "golden_layers.json")
GENERATOR = "test/golden/make_rnam_fixtures.py"

LR = 1e-2
WEIGHT_DECAY = 1e-2

FAILURES = []


def check(label, got, ref, rtol, atol=0.0):
    """|got - ref| <= rtol * max|ref| + atol (per tensor), and finite."""
    got = torch.as_tensor(got).detach().to(torch.float64)
    ref = torch.as_tensor(ref).detach().to(torch.float64)
    if got.shape != ref.shape:
        FAILURES.append(f"{label}: shape {tuple(got.shape)} != {tuple(ref.shape)}")
        return
    scale = ref.abs().max().item() if ref.numel() else 0.0
    err = (got - ref).abs().max().item() if ref.numel() else 0.0
    if not (err <= rtol * scale + atol) or not bool(torch.isfinite(got).all()):
        FAILURES.append(f"{label}: max abs err {err:.3e} (scale {scale:.3e}, rtol {rtol:g}, atol {atol:g})")


# --------------------------------------------------------------------------
# safetensors (written by hand: Debian has no python3-safetensors)
# --------------------------------------------------------------------------

def write_safetensors(path, tensors, metadata=None):
    """F32 tensors in sorted name order; header padded with spaces to a multiple of 8."""
    header, blobs, offset = {}, [], 0
    if metadata:
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())
        header["__metadata__"] = dict(metadata)
    for name in sorted(tensors):
        t = tensors[name].detach().to(torch.float32).contiguous()
        values = t.reshape(-1).tolist()
        blob = struct.pack(f"<{len(values)}f", *values)
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(text)))
        fh.write(text)
        for blob in blobs:
            fh.write(blob)


def read_safetensors(path):
    """Returns (tensors, metadata); checks the layout strictly."""
    with open(path, "rb") as fh:
        raw = fh.read()
    (n,) = struct.unpack("<Q", raw[:8])
    assert n % 8 == 0 and 8 + n <= len(raw), f"{path}: bad header length {n}"
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    data = raw[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, expect = {}, 0
    for name in sorted(header, key=lambda k: header[k]["data_offsets"][0]):
        info = header[name]
        start, end = info["data_offsets"]
        assert info["dtype"] == "F32" and start == expect, f"{path}: {name} {info}"
        count = math.prod(info["shape"])
        assert end - start == 4 * count, f"{path}: {name} size"
        values = struct.unpack(f"<{count}f", data[start:end])
        tensors[name] = torch.tensor(values, dtype=torch.float32).reshape(info["shape"])
        expect = end
    assert expect == len(data), f"{path}: trailing bytes"
    assert list(header) == sorted(header), f"{path}: tensors not in sorted order"
    return tensors, metadata


def write_and_verify(path, tensors, metadata):
    write_safetensors(path, tensors, metadata)
    got, meta = read_safetensors(path)
    if meta != metadata:
        FAILURES.append(f"{path}: metadata read back differs")
    if sorted(got) != sorted(tensors):
        FAILURES.append(f"{path}: tensor names read back differ")
        return
    for name, t in tensors.items():
        ref = t.detach().to(torch.float32)
        if got[name].shape != ref.shape or not torch.equal(got[name], ref):
            FAILURES.append(f"{path}: {name} read back differs")


# --------------------------------------------------------------------------
# Whole-model cases
# --------------------------------------------------------------------------

# (terms, hidden_dim, out_dim, blocks, batch, seq)
MODEL_CASES = [
    (1, 1, 1, 1, 1, 1),    # minimal; seq 1 takes minGRU's sequential path
    (3, 2, 2, 2, 2, 5),
    (5, 3, 3, 1, 3, 17),
    (2, 5, 1, 4, 5, 2),
    (8, 8, 2, 2, 1, 17),
    (4, 1, 3, 4, 5, 1),
    (7, 5, 2, 1, 3, 5),
    (6, 3, 1, 2, 2, 2),
    (8, 8, 1, 4, 4, 16),   # the seed's configuration, scaled down
]


def build_model(terms, hidden_dim, out_dim, blocks):
    """The float32 model: seed-style init, then random LayerNorm affine and gam.bias."""
    model = rnam.FirstOrderRNAM(terms, hidden_dim, out_dim, blocks)
    with torch.no_grad():
        for block in model.blocks:
            norm = block.ff[0]
            assert isinstance(norm, nn.LayerNorm) and norm.eps == 1e-5
            norm.weight.copy_(1 + 0.3 * torch.randn(hidden_dim))
            norm.bias.copy_(0.3 * torch.randn(hidden_dim))
        model.gam.bias.copy_(0.5 * torch.randn(out_dim))
    return model


def run_training(model32, x32, y32, dtype, impl=None):
    """Copy the model to dtype; forward, backward, AdamW step, forward, backward, AdamW step."""
    model = copy.deepcopy(model32).to(dtype)
    if impl is not None:
        for m in model.modules():
            if isinstance(m, rnam.minGRU):
                m.impl = impl
    x, y = x32.to(dtype), y32.to(dtype)
    criterion = nn.MSELoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, weight_decay=WEIGHT_DECAY)
    res = {}

    optimizer.zero_grad()
    y_hat, contributions = model(x)
    loss = criterion(y_hat, y)
    loss.backward()
    res["y_hat"], res["contributions"], res["loss"] = y_hat.detach(), contributions, loss.detach()
    assert not contributions.requires_grad
    for name, p in model.named_parameters():
        res[f"grad.{name}"] = p.grad.detach().clone()
    optimizer.step()
    for name, p in model.named_parameters():
        res[f"after.{name}"] = p.detach().clone()

    optimizer.zero_grad()
    y_hat2, _ = model(x)
    loss2 = criterion(y_hat2, y)
    loss2.backward()
    res["loss2"] = loss2.detach()
    for name, p in model.named_parameters():
        res[f"grad2.{name}"] = p.grad.detach().clone()
    optimizer.step()
    for name, p in model.named_parameters():
        res[f"after2.{name}"] = p.detach().clone()
    return res


def adamw_reference(p, grads, lr, weight_decay, betas=(0.9, 0.999), eps=1e-8):
    """Hand-written AdamW (decoupled decay), returns the parameter after each gradient."""
    b1, b2 = betas
    m, v, out = torch.zeros_like(p), torch.zeros_like(p), []
    for t, gr in enumerate(grads, start=1):
        p = p * (1 - lr * weight_decay)
        m = b1 * m + (1 - b1) * gr
        v = b2 * v + (1 - b2) * gr * gr
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        p = p - lr * m_hat / (v_hat.sqrt() + eps)
        out.append(p)
    return out


def make_model_case(k, cfg):
    terms, hidden_dim, out_dim, blocks, batch, seq = cfg
    torch.manual_seed(1000 + k)
    model = build_model(terms, hidden_dim, out_dim, blocks)
    x32 = torch.randn(terms, batch, seq, 1)
    y32 = torch.randn(batch, out_dim)
    label = f"case_{k}"

    state = model.state_dict()
    params = dict(model.named_parameters())
    assert list(state) == list(params), "state_dict has buffers or differs from parameters"
    for name, t in state.items():
        assert t.dtype == torch.float32

    r64 = run_training(model, x32, y32, torch.float64)

    # sanity 1: the float32 computation agrees to ~1e-4 relative (per tensor, scaled by max |ref|;
    # gradients with an absolute floor of 1e-6 * the largest gradient, since float32 rounding noise
    # scales with the whole backward pass, e.g. LayerNorm(1)'s mathematically zero gradients).
    r32 = run_training(model, x32, y32, torch.float32)
    grad_max = max(v.abs().max().item() for key, v in r64.items() if key.startswith("grad"))
    for key, ref in r64.items():
        if key.startswith("grad"):
            check(f"{label} float32 {key}", r32[key], ref, 1e-4, 1e-6 * grad_max)
        elif not key.startswith("after"):
            check(f"{label} float32 {key}", r32[key], ref, 1e-4)
    # AdamW's first updates are ~ lr * g / (|g| + eps), so an element whose gradient is tiny moves
    # by up to lr on float32 rounding noise alone: compare the updates elementwise within
    # 1e-4 * lr plus what the float32 gradient errors of both steps explain.
    # Elements whose float64 gradient is rounding noise (< 1e-12 * the largest gradient, both steps;
    # e.g. everything upstream of LayerNorm(1), whose output is its bias) are counted as zero-gradient.
    ill_conditioned = zero_grad = 0
    for name, p in params.items():
        cond = torch.zeros_like(p, dtype=torch.float64)
        zero = torch.ones_like(p, dtype=torch.bool)
        for gk in ("grad", "grad2"):
            g64, g32 = r64[f"{gk}.{name}"], r32[f"{gk}.{name}"].double()
            cond = torch.maximum(cond, (g32 - g64).abs() / (g64.abs() + 1e-8))
            zero &= g64.abs() < 1e-12 * grad_max
        zero_grad += int(zero.sum())
        ill_conditioned += int(((cond > 1e-2) & ~zero).sum())
        for prefix, before64, before32 in (
            ("after", p.detach().double(), p.detach().double()),
            ("after2", r64[f"after.{name}"], r32[f"after.{name}"].double()),
        ):
            d64 = r64[f"{prefix}.{name}"] - before64
            d32 = r32[f"{prefix}.{name}"].double() - before32
            tol = 1e-4 * LR + 4 * LR * cond
            bad = (d32 - d64).abs() > tol
            if bool(bad.any()):
                FAILURES.append(f"{label} float32 {prefix}.{name} update: {int(bad.sum())} element(s) off, "
                                f"max err {(d32 - d64).abs().max().item():.3e}")
    n_params = sum(p.numel() for p in params.values())
    if ill_conditioned > 0.05 * n_params:
        FAILURES.append(f"{label}: {ill_conditioned} of {n_params} parameters have ill-conditioned AdamW updates")

    # sanity 2: the minGRU log-space scan against the plain sequential loop (float64)
    rl = run_training(model, x32, y32, torch.float64, impl=mingru_loop)
    for key, ref in r64.items():
        check(f"{label} loop {key}", rl[key], ref, 1e-9)

    # sanity 3: AdamW against a hand-written one
    for name, p in params.items():
        g1, g2 = r64[f"grad.{name}"], r64[f"grad2.{name}"]
        a1, a2 = adamw_reference(p.detach().double(), [g1, g2], LR, WEIGHT_DECAY)
        check(f"{label} manual AdamW after.{name}", r64[f"after.{name}"], a1, 1e-12)
        check(f"{label} manual AdamW after2.{name}", r64[f"after2.{name}"], a2, 1e-12)

    # sanity 4: the model's outputs against the definition
    check(f"{label} loss", r64["loss"], ((r64["y_hat"] - y32.double()) ** 2).mean(), 1e-12)
    check(f"{label} y_hat = gam.bias + sum(contributions)", r64["y_hat"],
          params["gam.bias"].double() + r64["contributions"].sum(0), 1e-12)
    assert r64["contributions"].shape == (terms, batch, out_dim)

    metadata = {
        "format": "pt", "case": str(k),
        "terms": str(terms), "hidden_dim": str(hidden_dim), "out_dim": str(out_dim), "blocks": str(blocks),
        "batch": str(batch), "seq": str(seq), "lr": repr(LR), "weight_decay": repr(WEIGHT_DECAY),
        "optimizer": "AdamW", "torch": torch.__version__, "generator": GENERATOR,
    }
    io = {"x": x32, "y": y32}
    io.update(r64)
    write_and_verify(os.path.join(RNAM_DIR, f"{label}.model.safetensors"), state, metadata)
    write_and_verify(os.path.join(RNAM_DIR, f"{label}.io.safetensors"), io, metadata)
    return f"{label}: terms={terms} hidden={hidden_dim} out={out_dim} blocks={blocks} batch={batch} seq={seq} " \
           f"({len(params)} tensors, {n_params} params, loss {r64['loss'].item():.6g}, " \
           f"{zero_grad} zero-gradient, {ill_conditioned} other ill-conditioned AdamW updates)"


# --------------------------------------------------------------------------
# LayerNorm and AdditiveLayer
# --------------------------------------------------------------------------

# (terms, batch, seq, dim, offset added to x)
LAYERNORM_CASES = [
    (1, 1, 1, 1, 0.0),
    (2, 3, 4, 1, 0.0),
    (1, 2, 5, 2, 0.0),
    (3, 1, 7, 3, 0.0),
    (2, 2, 16, 8, 0.0),
    (8, 4, 3, 9, 0.0),
    (2, 3, 5, 9, 20.0),   # large mean: a one-pass E[x^2] - E[x]^2 variance loses digits here
    (8, 4, 16, 8, 0.0),   # the seed's block shape, scaled down
]


def make_layernorm_case(terms, batch, seq, dim, offset):
    shape = (terms, batch, seq, dim)
    x32 = (torch.randn(*shape) + offset).to(torch.float32)
    w32 = 1 + 0.3 * torch.randn(dim)
    b32 = 0.3 * torch.randn(dim)
    dy32 = torch.randn(*shape)
    norm = nn.LayerNorm(dim).double()
    assert norm.eps == 1e-5
    f = lambda x, w, b: torch.nn.functional.layer_norm(x, (dim,), w, b, norm.eps)  # noqa: E731
    (y,), (dx, dw, db) = grad_of_loss(f, [x32.double(), w32.double(), b32.double()], [dy32.double()])
    name = f"layernorm_t{terms}_b{batch}_s{seq}_d{dim}" + (f"_offset{offset:g}" if offset else "")

    # sanity: nn.LayerNorm module and closed forms
    with torch.no_grad():
        norm.weight.copy_(w32)
        norm.bias.copy_(b32)
    check(f"{name} module", norm(x32.double()), y, 1e-12)
    x = x32.double()
    mu = x.mean(-1, keepdim=True)
    rstd = 1 / ((x - mu).pow(2).mean(-1, keepdim=True) + 1e-5).sqrt()
    xhat = (x - mu) * rstd
    check(f"{name} y closed form", y, xhat * w32.double() + b32.double(), 1e-12)
    gg = dy32.double() * w32.double()
    dx_ref = rstd * (gg - gg.mean(-1, keepdim=True) - xhat * (gg * xhat).mean(-1, keepdim=True))
    # (dim 1: x - mean is exactly 0, the closed forms give exact zeros, PyTorch rounding noise)
    check(f"{name} dx closed form", dx, dx_ref, 1e-10, 1e-12)
    check(f"{name} dweight closed form", dw, (dy32.double() * xhat).reshape(-1, dim).sum(0), 1e-12, 1e-13)
    check(f"{name} dbias closed form", db, dy32.double().reshape(-1, dim).sum(0), 1e-12)

    return {
        "name": name, "shape": list(shape), "dim": dim, "eps": norm.eps,
        "x": flat(x32), "weight": flat(w32), "bias": flat(b32),
        "y": flat(y), "dy": flat(dy32), "dx": flat(dx), "dweight": flat(dw), "dbias": flat(db),
    }


ADDITIVE_CASES = [(1, 1, 1), (3, 2, 1), (8, 4, 1), (5, 3, 3), (2, 5, 2)]


def make_additive_case(terms, batch, dim):
    layer = rnam.AdditiveLayer(dim).double()
    x32 = torch.randn(terms, batch, dim)
    b32 = 0.5 * torch.randn(dim)
    dout32 = torch.randn(batch, dim)
    with torch.no_grad():
        layer.bias.copy_(b32)
    x = x32.double().requires_grad_(True)
    out, contributions = layer(x)
    assert not contributions.requires_grad
    (out * dout32.double()).sum().backward()
    name = f"additive_t{terms}_b{batch}_d{dim}"
    check(f"{name} dInput", x.grad, dout32.double().expand(terms, batch, dim), 0)
    check(f"{name} dBias", layer.bias.grad, dout32.double().sum(0), 1e-15)
    return {
        "name": name, "shape": [terms, batch, dim], "dim": dim,
        "input": flat(x32), "bias": flat(b32), "output": flat(out), "contributions": flat(contributions),
        "dOutput": flat(dout32), "dInput": flat(x.grad), "dBias": flat(layer.bias.grad),
    }


# --------------------------------------------------------------------------
# Optimizers and gradient clipping
# --------------------------------------------------------------------------

STEPS, SIZE = 5, 20

OPTIMIZER_CASES = [
    ("sgd", "SGD", dict(lr=0.1)),
    ("sgd_momentum", "SGD", dict(lr=0.1, momentum=0.9)),
    ("sgd_momentum_dampening_wd", "SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("sgd_nesterov_wd", "SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adam", "Adam", dict(lr=1e-2)),
    ("adam_wd", "Adam", dict(lr=1e-2, weight_decay=0.1)),
    ("adamw", "AdamW", dict(lr=1e-2)),
    ("adamw_betas_eps_wd", "AdamW", dict(lr=1e-2, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


def optimizer_reference(kind, o, p, grads):
    """Hand-written PyTorch 1.13 semantics; returns the parameter after each step."""
    out = []
    if kind == "SGD":
        buf = None
        for gr in grads:
            d = gr + o["weightDecay"] * p
            if o["momentum"]:
                buf = d.clone() if buf is None else o["momentum"] * buf + (1 - o["dampening"]) * d
                d = d + o["momentum"] * buf if o["nesterov"] else buf
            p = p - o["lr"] * d
            out.append(p)
        return out
    b1, b2 = o["betas"]
    m, v = torch.zeros_like(p), torch.zeros_like(p)
    for t, gr in enumerate(grads, start=1):
        if kind == "AdamW":
            p = p * (1 - o["lr"] * o["weightDecay"])
        else:
            gr = gr + o["weightDecay"] * p
        m = b1 * m + (1 - b1) * gr
        v = b2 * v + (1 - b2) * gr * gr
        p = p - o["lr"] * (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + o["eps"])
        out.append(p)
    return out


def make_optimizer_case(name, kind, kwargs):
    p32 = torch.randn(SIZE)
    # per-element gradient scales from 1e-3 to 10, element 0 always has a zero gradient
    scale = 10 ** (torch.rand(SIZE) * 4 - 3)
    g32 = (torch.randn(STEPS, SIZE) * scale).to(torch.float32)
    g32[:, 0] = 0
    p = p32.double().clone().requires_grad_(True)
    opt = getattr(torch.optim, kind)([p], **kwargs)
    d = opt.defaults
    if kind == "SGD":
        options = {"lr": d["lr"], "momentum": d["momentum"], "dampening": d["dampening"],
                   "weightDecay": d["weight_decay"], "nesterov": d["nesterov"]}
    else:
        options = {"lr": d["lr"], "betas": list(d["betas"]), "eps": d["eps"],
                   "weightDecay": d["weight_decay"], "amsgrad": d["amsgrad"]}
    assert not d.get("maximize", False)
    traj = []
    for i in range(STEPS):
        p.grad = g32[i].double().clone()
        opt.step()
        traj.append(p.detach().clone())
    traj = torch.stack(traj)
    ref = torch.stack(optimizer_reference(kind, options, p32.double(), [g.double() for g in g32]))
    check(f"optimizer {name} manual", traj, ref, 1e-12)
    return {
        "name": name, "optimizer": kind, "options": options, "steps": STEPS, "size": SIZE,
        "initial": flat(p32), "grads": flat(g32), "params": flat(traj),
    }


# (name, tensor shapes, max_norm, grad scale)
CLIP_CASES = [
    ("clip_three_tensors_0.5", [(3, 4), (5,), (2, 1, 3)], 0.5, 1.0),
    ("clip_three_tensors_no_clip", [(3, 4), (5,), (2, 1, 3)], 1000.0, 1.0),
    ("clip_one_tensor_1.0", [(7,)], 1.0, 1.0),
    ("clip_small_norm_0.01", [(2, 3), (4,)], 0.01, 0.01),  # total ~0.03: the +1e-6 matters at float32 precision
]


def make_clip_case(name, shapes, max_norm, scale):
    grads32 = [(torch.randn(*s) * scale).to(torch.float32) for s in shapes]
    params = [torch.zeros(*s, dtype=torch.float64, requires_grad=True) for s in shapes]
    for p, gr in zip(params, grads32):
        p.grad = gr.double().clone()
    total = torch.nn.utils.clip_grad_norm_(params, max_norm)
    total = total.item()
    ref_total = math.sqrt(sum(float((gr.double() ** 2).sum()) for gr in grads32))
    check(f"{name} total norm", torch.tensor(total), torch.tensor(ref_total), 1e-14)
    coef = min(1.0, max_norm / (ref_total + 1e-6))
    for i, (p, gr) in enumerate(zip(params, grads32)):
        check(f"{name} clipped {i}", p.grad, gr.double() * coef, 1e-14)
    return {
        "name": name, "maxNorm": max_norm, "normType": 2, "shapes": [list(s) for s in shapes],
        "grads": [flat(gr) for gr in grads32], "totalNorm": total, "clipped": [flat(p.grad) for p in params],
    }


# --------------------------------------------------------------------------

def main():
    torch.set_num_threads(1)  # so reduction orders (and the goldens) do not depend on the machine
    os.makedirs(RNAM_DIR, exist_ok=True)
    summary = [make_model_case(k, cfg) for k, cfg in enumerate(MODEL_CASES)]

    torch.manual_seed(7)
    layer_norm = [make_layernorm_case(*c) for c in LAYERNORM_CASES]
    additive = [make_additive_case(*c) for c in ADDITIVE_CASES]
    optimizers = [make_optimizer_case(*c) for c in OPTIMIZER_CASES]
    clip = [make_clip_case(*c) for c in CLIP_CASES]

    if FAILURES:
        print(f"{len(FAILURES)} sanity check(s) failed:", file=sys.stderr)
        for f in FAILURES:
            print("  " + f, file=sys.stderr)
        sys.exit(1)

    doc = {"generator": GENERATOR, "torch": torch.__version__, "layerNorm": layer_norm, "additive": additive,
           "optimizers": optimizers, "clipGradNorm": clip}
    with open(LAYERS_PATH, "w") as fh:
        json.dump(doc, fh, allow_nan=False)
        fh.write("\n")

    for line in summary:
        print(line)
    total = sum(os.path.getsize(os.path.join(RNAM_DIR, f)) for f in os.listdir(RNAM_DIR))
    print(f"wrote {len(MODEL_CASES)} model cases to {os.path.relpath(RNAM_DIR, ROOT)} ({total} bytes) and "
          f"{os.path.relpath(LAYERS_PATH, ROOT)} ({len(layer_norm)} layerNorm, {len(additive)} additive, "
          f"{len(optimizers)} optimizer, {len(clip)} clip cases, {os.path.getsize(LAYERS_PATH)} bytes); "
          "all sanity checks passed")


if __name__ == "__main__":
    main()
