"""Reference PyTorch reimplementation of the seed's rnam package and RNAM model.

Shared by the golden-fixture scripts in this folder (make_fixtures.py,
make_rnam_fixtures.py). Importing this module draws no random numbers.

Functional float64-friendly references:
    linear(x, weight, bias)              the seed's rnam.Linear forward
    mingru(x, prev_hidden, w_hg, w_out)  the seed's rnam.minGRU forward (log-space scan for seq > 1)
    mingru_loop / mingru_steps           independent references for sanity checks

Modules with the seed's parameter names and layouts (so state_dict() keys match):
    Linear(terms, in_dim, out_dim, bias=True)   weight (terms, in, out), bias (terms, 1, out)
    minGRU(terms, dim, expansion_factor=1.0)    to_hidden_and_gate (no bias), to_out (no bias) or Identity
    AdditiveLayer, RNAMBlock, FirstOrderRNAM    exactly as the seed notebook
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# --------------------------------------------------------------------------
# Functional references
# --------------------------------------------------------------------------

def linear(x, weight, bias=None):
    """Batched-by-term linear: x (terms, *, in) @ weight (terms, in, out) [+ bias (terms, 1, out)]."""
    assert x.dim() >= 3
    terms, in_dim = x.shape[0], x.shape[-1]
    mid = x.shape[1:-1]
    rows = x.reshape(terms, -1, in_dim)
    if bias is None:
        y = torch.bmm(rows, weight)
    else:
        y = torch.baddbmm(bias, rows, weight)
    return y.reshape(terms, *mid, weight.shape[-1])


def g(x):
    """Activation used by the sequential (seq == 1) path."""
    return torch.where(x >= 0, x + 0.5, x.sigmoid())


def log_g(x):
    """log(g(x)), computed stably for the log-space path."""
    return torch.where(x >= 0, (F.relu(x) + 0.5).log(), -F.softplus(-x))


def mingru(x, prev_hidden, w_hg, w_out):
    """minGRU forward. x: (terms, batch, seq, dim); prev_hidden: (terms, batch, 1, dim_inner) or None.

    Returns (out, last_hidden). w_out is None when expansion_factor == 1 (identity).
    """
    seq = x.shape[-2]
    hidden, gate = linear(x, w_hg).chunk(2, dim=-1)
    if seq == 1:
        hidden = g(hidden)
        gate = gate.sigmoid()
        if prev_hidden is not None:
            hidden = torch.lerp(prev_hidden, hidden, gate)
        else:
            hidden = hidden * gate
    else:
        # Heinsen parallel scan in log space.
        log_coeffs = -F.softplus(gate)
        log_z = -F.softplus(-gate)
        log_values = log_z + log_g(hidden)
        if prev_hidden is not None:
            log_coeffs = F.pad(log_coeffs, (0, 0, 1, 0))
            log_values = torch.cat((prev_hidden.log(), log_values), dim=-2)
        a_star = log_coeffs.cumsum(dim=-2)
        log_h = a_star + (log_values - a_star).logcumsumexp(dim=-2)
        hidden = log_h.exp()[:, :, -seq:]
    out = linear(hidden, w_out) if w_out is not None else hidden
    return out, hidden[:, :, -1:]


def mingru_loop(x, prev_hidden, w_hg, w_out):
    """Plain sequential recurrence h_t = (1 - z_t) h_{t-1} + z_t g(hid_t)."""
    terms, batch, seq, _ = x.shape
    proj = torch.einsum("tbsd,tde->tbse", x, w_hg)
    dim_inner = w_hg.shape[-1] // 2
    hid, gate = proj[..., :dim_inner], proj[..., dim_inner:]
    h = prev_hidden[:, :, 0] if prev_hidden is not None else x.new_zeros(terms, batch, dim_inner)
    hs = []
    for t in range(seq):
        z = torch.sigmoid(gate[:, :, t])
        h = (1 - z) * h + z * g(hid[:, :, t])
        hs.append(h)
    hidden = torch.stack(hs, dim=2)
    out = torch.einsum("tbsd,tde->tbse", hidden, w_out) if w_out is not None else hidden
    return out, hidden[:, :, -1:]


def mingru_steps(x, prev_hidden, w_hg, w_out):
    """Feed the sequence one step at a time through mingru() (seq == 1 path)."""
    outs, h = [], prev_hidden
    for t in range(x.shape[2]):
        o, h = mingru(x[:, :, t:t + 1], h, w_hg, w_out)
        outs.append(o)
    return torch.cat(outs, dim=2), h


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def uniform32(shape, bound):
    """float32 uniform in [-bound, bound), like nn.Linear's default init."""
    return (torch.rand(*shape, dtype=torch.float32) * 2 - 1) * bound


def flat(t):
    """Row-major flat list of Python floats (float32 inputs become exact floats)."""
    return t.detach().to(torch.float64).reshape(-1).tolist()


def grad_of_loss(fn, inputs, upstream):
    """Backprop loss = sum(output_i * upstream_i); return outputs and grads of inputs."""
    leaves = [t.detach().clone().requires_grad_(True) if t is not None else None for t in inputs]
    outs = fn(*leaves)
    if not isinstance(outs, tuple):
        outs = (outs,)
    loss = sum((o * u).sum() for o, u in zip(outs, upstream))
    wrt = [t for t in leaves if t is not None]
    grads = iter(torch.autograd.grad(loss, wrt))
    return [o.detach() for o in outs], [next(grads) if t is not None else None for t in leaves]


# --------------------------------------------------------------------------
# Modules (the seed package's rnam.Linear / rnam.minGRU)
# --------------------------------------------------------------------------

class Linear(nn.Module):
    """rnam.Linear: weight (terms, in_dim, out_dim), bias (terms, 1, out_dim), uniform within 1/sqrt(in_dim)."""

    def __init__(self, terms: int, in_dim: int, out_dim: int, bias: bool = True) -> None:
        super().__init__()
        bound = 1.0 / math.sqrt(in_dim)
        self.weight = nn.Parameter(uniform32((terms, in_dim, out_dim), bound))
        if bias:
            self.bias = nn.Parameter(uniform32((terms, 1, out_dim), bound))
        else:
            self.register_parameter("bias", None)

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return linear(input, self.weight, self.bias)


class minGRU(nn.Module):
    """rnam.minGRU: forward(x (terms, batch, seq, dim), prev_hidden=None) -> (out, last_hidden).

    `impl` selects the functional implementation (mingru, or mingru_loop for sanity checks).
    """

    def __init__(self, terms: int, dim: int, expansion_factor: float = 1.0) -> None:
        super().__init__()
        dim_inner = int(dim * expansion_factor)
        self.to_hidden_and_gate = Linear(terms, dim, dim_inner * 2, bias=False)
        self.to_out = Linear(terms, dim_inner, dim, bias=False) if expansion_factor != 1.0 else nn.Identity()
        self.impl = mingru

    def forward(self, input, prev_hidden=None):
        w_out = self.to_out.weight if isinstance(self.to_out, Linear) else None
        return self.impl(input, prev_hidden, self.to_hidden_and_gate.weight, w_out)


# --------------------------------------------------------------------------
# The seed notebook's model (verbatim apart from the rnam. prefix)
# --------------------------------------------------------------------------

class AdditiveLayer(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(dim))

    def forward(self, input: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return self.bias + input.sum(0), input.detach()


class RNAMBlock(nn.Module):
    def __init__(self, terms: int, dim: int) -> None:
        super().__init__()
        self.gru = minGRU(terms, dim)
        self.ff = nn.Sequential(
            nn.LayerNorm(dim),
            Linear(terms, dim, dim),
            nn.ReLU(),
            Linear(terms, dim, dim),
        )

    def forward(self, input: torch.Tensor) -> torch.Tensor:
        return input + self.ff(input + self.gru(input)[0])


class FirstOrderRNAM(nn.Module):
    def __init__(self, terms: int, hidden_dim: int, out_dim: int, blocks: int) -> None:
        super().__init__()
        self.emb = Linear(terms=terms, in_dim=1, out_dim=hidden_dim)
        self.blocks = nn.ModuleList(RNAMBlock(terms, hidden_dim) for _ in range(blocks))
        self.proj = nn.Sequential(
            Linear(terms=terms, in_dim=hidden_dim, out_dim=hidden_dim),
            nn.ReLU(),
            Linear(terms=terms, in_dim=hidden_dim, out_dim=out_dim),
        )
        self.gam = AdditiveLayer(dim=out_dim)

    def forward(self, input: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        input = self.emb(input)
        for block in self.blocks:
            input = block(input)
        input = self.proj(input[:, :, -1])
        return self.gam(input)
