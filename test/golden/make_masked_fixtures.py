#!/usr/bin/env python3
"""Generate PyTorch golden fixtures for rnam's masked (variable-length) recurrences.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_masked_fixtures.py

Writes test/fixtures/masked_golden.json. All values are drawn in float32 and computed in float64.
- nn.RNN / nn.GRU / nn.LSTM: a right-padded batch with per-sample lengths runs through
  pack_padded_sequence (enforce_sorted=False) and pad_packed_sequence(total_length=seq): padded
  outputs are 0, hN and cN are each sequence's state at its last valid step. The padding holds
  large garbage values (they must not matter). loss = sum(out * dOut) + sum(hN * dhN) (+ sum(cN * dcN))
  is backpropagated; the gradients of the input, the initial states and every parameter are stored.
  The script checks the packed run against each sequence run alone and exits non-zero on a mismatch.
- minGRU (rnam.MinGRU's equations, written out here): each sequence runs alone over its valid
  steps; at padded steps the state is carried (h_t = h_{len-1}), so the padded outputs repeat it
  (through to_out with an expansion factor); lastHidden = h_{len-1}. Same loss and gradients.
"""

import json
import os
import sys

import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

torch.manual_seed(4321)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "masked_golden.json")
GENERATOR = "test/golden/make_masked_fixtures.py"

# (kind, nonlinearity, input_size, hidden, layers, bias, batch_first, initial_state, seq, lengths)
RNN_CASES = [
    ("rnn", "tanh", 2, 5, 1, True, True, False, 6, [6, 2, 4]),
    ("rnn", "relu", 3, 4, 2, True, False, True, 5, [1, 5, 3]),
    ("rnn", "tanh", 1, 3, 1, False, False, False, 4, [2, 4]),
    ("gru", None, 2, 5, 1, True, True, False, 6, [3, 6, 1]),
    ("gru", None, 3, 4, 2, False, False, True, 5, [5, 2, 4, 1]),
    ("gru", None, 1, 6, 1, True, False, True, 7, [7, 3]),
    ("lstm", None, 2, 5, 1, True, True, False, 6, [2, 6, 4]),
    ("lstm", None, 3, 4, 2, True, False, True, 5, [5, 1, 3]),
    ("lstm", None, 1, 3, 3, False, True, True, 4, [4, 2, 1]),
]

# (terms, dim, expansion_factor, seq, lengths, prev_hidden)
MINGRU_CASES = [
    (1, 4, 1.0, 6, [6, 2, 4], False),
    (2, 3, 1.5, 5, [1, 5, 3], True),
    (3, 2, 2.0, 7, [7, 4], False),
]

FAILURES = []
GARBAGE = 50.0


def f32(*shape, scale=1.0):
    """Uniform(-scale, scale) drawn in float32, returned as float64."""
    return ((torch.rand(*shape, dtype=torch.float32) * 2 - 1) * scale).double()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def check(label, got, ref):
    if not torch.allclose(got, ref, rtol=1e-10, atol=1e-12):
        FAILURES.append(f"{label}: packed and per-sequence runs differ by {(got - ref).abs().max().item():.3e}")


def padded_input(shape, lengths, batch_first):
    """x with garbage at padded steps (time axis 1 if batch-first, else 0)."""
    x = f32(*shape, scale=1.5)
    for b, n in enumerate(lengths):
        if batch_first:
            x[b, n:] = f32(*x[b, n:].shape, scale=GARBAGE)
        else:
            x[n:, b] = f32(*x[n:, b].shape, scale=GARBAGE)
    return x


def rnn_case(index, spec):
    kind, nonlinearity, input_size, hidden, layers, bias, batch_first, init_state, seq, lengths = spec
    batch = len(lengths)
    common = dict(input_size=input_size, hidden_size=hidden, num_layers=layers, bias=bias, batch_first=batch_first)
    module = (torch.nn.RNN(nonlinearity=nonlinearity, **common) if kind == "rnn"
              else torch.nn.GRU(**common) if kind == "gru" else torch.nn.LSTM(**common)).double()
    bound = 1.0 / hidden ** 0.5 + 0.2
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(f32(*p.shape, scale=bound))
    x_shape = (batch, seq, input_size) if batch_first else (seq, batch, input_size)
    x = padded_input(x_shape, lengths, batch_first).requires_grad_(True)
    h0 = f32(layers, batch, hidden).requires_grad_(True) if init_state else None
    c0 = f32(layers, batch, hidden).requires_grad_(True) if init_state and kind == "lstm" else None
    state = ((h0, c0) if kind == "lstm" else h0) if init_state else None

    def run(inp, lens, st):
        packed = pack_padded_sequence(inp, torch.tensor(lens), batch_first=batch_first, enforce_sorted=False)
        out_p, s = module(packed, st)
        out, _ = pad_packed_sequence(out_p, batch_first=batch_first, total_length=inp.shape[1 if batch_first else 0])
        return (out, s[0], s[1]) if kind == "lstm" else (out, s, None)

    out, hn, cn = run(x, lengths, state)
    d_out = f32(*out.shape)
    d_hn = f32(*hn.shape)
    d_cn = f32(*cn.shape) if cn is not None else None
    loss = (out * d_out).sum() + (hn * d_hn).sum()
    if cn is not None:
        loss = loss + (cn * d_cn).sum()
    loss.backward()

    # Each sequence alone (its valid steps, no packing) must give the same results.
    with torch.no_grad():
        for b, n in enumerate(lengths):
            xb = x[b:b + 1, :n] if batch_first else x[:n, b:b + 1]
            sb = None
            if init_state:
                sb = (h0[:, b:b + 1], c0[:, b:b + 1]) if kind == "lstm" else h0[:, b:b + 1]
            if kind == "lstm":
                ob, (hb, cb) = module(xb, sb)
            else:
                ob, hb = module(xb, sb)
                cb = None
            check(f"case {index} sample {b} out", out[b:b + 1, :n] if batch_first else out[:n, b:b + 1], ob)
            check(f"case {index} sample {b} hN", hn[:, b:b + 1], hb)
            if cb is not None:
                check(f"case {index} sample {b} cN", cn[:, b:b + 1], cb)
            pad = out[b, n:] if batch_first else out[n:, b]
            if pad.numel() and pad.abs().max().item() != 0:
                FAILURES.append(f"case {index} sample {b}: padded outputs are not 0")

    name = f"{kind}{'-' + nonlinearity if kind == 'rnn' else ''} in{input_size} h{hidden} L{layers}" \
           f"{'' if bias else ' nobias'}{' batchFirst' if batch_first else ''}{' h0' if init_state else ''} seq{seq} lengths{lengths}"
    return {
        "name": name, "kind": kind, "nonlinearity": nonlinearity or "tanh", "inputSize": input_size, "hiddenSize": hidden,
        "numLayers": layers, "bias": bias, "batchFirst": batch_first, "seq": seq, "batch": batch, "lengths": lengths,
        "inputShape": list(x_shape),
        "x": flat(x), "h0": flat(h0) if h0 is not None else None, "c0": flat(c0) if c0 is not None else None,
        "params": {n: flat(p) for n, p in module.named_parameters()},
        "paramShapes": {n: list(p.shape) for n, p in module.named_parameters()},
        "out": flat(out), "hN": flat(hn), "cN": flat(cn) if cn is not None else None,
        "dOut": flat(d_out), "dhN": flat(d_hn), "dcN": flat(d_cn) if d_cn is not None else None,
        "dx": flat(x.grad), "dh0": flat(h0.grad) if h0 is not None else None,
        "dc0": flat(c0.grad) if c0 is not None else None,
        "grads": {n: flat(p.grad) for n, p in module.named_parameters()},
    }


def mingru_scan(hg, h0):
    """rnam's minGRU recurrence over hg (terms, seq, 2 * hidden) from h0 (terms, hidden)."""
    hid, gate = hg.chunk(2, -1)
    z = torch.sigmoid(gate)
    cand = torch.where(hid >= 0, hid + 0.5, torch.sigmoid(hid))
    h, outs = h0, []
    for t in range(hg.shape[1]):
        h = (1 - z[:, t]) * h + z[:, t] * cand[:, t]
        outs.append(h)
    return torch.stack(outs, 1)


def mingru_case(index, spec):
    terms, dim, factor, seq, lengths, prev_hidden = spec
    batch = len(lengths)
    inner = int(dim * factor)
    bound = 1.0 / dim ** 0.5
    w_hg = f32(terms, dim, 2 * inner, scale=bound).requires_grad_(True)
    w_out = f32(terms, inner, dim, scale=1.0 / inner ** 0.5).requires_grad_(True) if factor != 1 else None
    x = f32(terms, batch, seq, dim, scale=1.5)
    for b, n in enumerate(lengths):
        x[:, b, n:] = f32(terms, seq - n, dim, scale=GARBAGE)
    x.requires_grad_(True)
    h0 = f32(terms, batch, 1, inner).requires_grad_(True) if prev_hidden else None

    hidden_rows, last_rows = [], []
    for b, n in enumerate(lengths):
        hg = torch.einsum("tsd,tde->tse", x[:, b, :n], w_hg)
        start = h0[:, b, 0] if h0 is not None else torch.zeros(terms, inner, dtype=torch.float64)
        h = mingru_scan(hg, start)  # (terms, n, inner)
        last = h[:, n - 1:n]
        hidden_rows.append(torch.cat([h, last.expand(terms, seq - n, inner)], 1))
        last_rows.append(last)
    hidden = torch.stack(hidden_rows, 1)  # (terms, batch, seq, inner)
    last = torch.stack(last_rows, 1)  # (terms, batch, 1, inner)
    out = torch.einsum("tbsi,tid->tbsd", hidden, w_out) if w_out is not None else hidden
    d_out = f32(*out.shape)
    d_last = f32(*last.shape)
    loss = (out * d_out).sum() + (last * d_last).sum()
    loss.backward()

    params = {"to_hidden_and_gate.weight": w_hg}
    if w_out is not None:
        params["to_out.weight"] = w_out
    return {
        "name": f"minGRU terms{terms} dim{dim} x{factor} seq{seq} lengths{lengths}{' prevHidden' if prev_hidden else ''}",
        "terms": terms, "dim": dim, "expansionFactor": factor, "seq": seq, "batch": batch, "lengths": lengths,
        "x": flat(x), "h0": flat(h0) if h0 is not None else None,
        "params": {n: flat(p) for n, p in params.items()},
        "out": flat(out), "last": flat(last), "dOut": flat(d_out), "dLast": flat(d_last),
        "dx": flat(x.grad), "dh0": flat(h0.grad) if h0 is not None else None,
        "grads": {n: flat(p.grad) for n, p in params.items()},
    }


def main():
    rnn = [rnn_case(i, spec) for i, spec in enumerate(RNN_CASES)]
    mingru = [mingru_case(i, spec) for i, spec in enumerate(MINGRU_CASES)]
    if FAILURES:
        print("\n".join(FAILURES), file=sys.stderr)
        sys.exit(1)
    with open(OUT_PATH, "w") as f:
        json.dump({"generator": GENERATOR, "torch": torch.__version__, "rnn": rnn, "mingru": mingru}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT_PATH}: {len(rnn)} rnn/gru/lstm and {len(mingru)} minGRU cases, "
          f"{os.path.getsize(OUT_PATH)} bytes (torch {torch.__version__})")


if __name__ == "__main__":
    main()
