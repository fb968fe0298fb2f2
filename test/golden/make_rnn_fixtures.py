#!/usr/bin/env python3
"""Generate PyTorch golden fixtures for rnam's SimpleRNN, GRU and LSTM.

Usage (from the repository root):
    /usr/bin/python3 test/golden/make_rnn_fixtures.py

Writes test/fixtures/rnn_golden.json. torch's own nn.RNN / nn.GRU / nn.LSTM run in float64 on
values drawn in float32 (parameters, inputs, initial states, output gradients), so the stored
results are (near) exact for float32-representable inputs. Each case backpropagates
loss = sum(output * dOutput) + sum(hN * dhN) (+ sum(cN * dcN)) and stores the gradients of the
input, of the initial states and of every parameter under its state-dict name. The script checks
torch's results against a plain per-step loop of the cell equations and exits non-zero on a mismatch.
"""

import json
import os
import sys

import torch

torch.manual_seed(1234)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT_PATH = os.path.join(ROOT, "test", "fixtures", "rnn_golden.json")
GENERATOR = "test/golden/make_rnn_fixtures.py"

# (kind, nonlinearity, input_size, hidden, layers, bias, batch_first, initial_state, seq, batch)
CASES = [
    ("rnn", "tanh", 1, 8, 1, True, False, False, 6, 3),
    ("rnn", "tanh", 3, 5, 2, True, True, True, 4, 2),
    ("rnn", "relu", 2, 7, 1, True, False, True, 5, 4),
    ("rnn", "relu", 4, 6, 3, False, True, False, 3, 2),
    ("rnn", "tanh", 5, 17, 1, False, False, True, 1, 1),
    ("rnn", "tanh", 2, 20, 2, True, False, False, 7, 2),
    ("gru", None, 1, 8, 1, True, False, False, 6, 3),
    ("gru", None, 3, 5, 2, True, True, True, 4, 2),
    ("gru", None, 2, 7, 1, False, False, True, 5, 4),
    ("gru", None, 4, 3, 3, True, True, False, 3, 2),
    ("gru", None, 5, 17, 1, True, False, True, 1, 1),
    ("gru", None, 2, 20, 2, False, True, True, 7, 2),
    ("gru", None, 1, 1, 1, True, False, True, 9, 1),
    ("lstm", None, 1, 8, 1, True, False, False, 6, 3),
    ("lstm", None, 3, 5, 2, True, True, True, 4, 2),
    ("lstm", None, 2, 7, 1, False, False, True, 5, 4),
    ("lstm", None, 4, 3, 3, True, True, False, 3, 2),
    ("lstm", None, 5, 17, 1, True, False, True, 1, 1),
    ("lstm", None, 2, 20, 2, False, True, True, 7, 2),
    ("lstm", None, 1, 1, 1, True, False, True, 9, 1),
]

FAILURES = []


def f32(*shape, scale=1.0):
    """Uniform(-scale, scale) drawn in float32, returned as float64."""
    return ((torch.rand(*shape, dtype=torch.float32) * 2 - 1) * scale).double()


def flat(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def loop_reference(kind, nonlinearity, module, x, h0, c0):
    """The cell equations step by step (time-major x), for checking torch."""
    layers = module.num_layers
    inp = x
    hs, cs = [], []
    for k in range(layers):
        w_ih = getattr(module, f"weight_ih_l{k}")
        w_hh = getattr(module, f"weight_hh_l{k}")
        b_ih = getattr(module, f"bias_ih_l{k}") if module.bias else torch.zeros(w_ih.shape[0], dtype=x.dtype)
        b_hh = getattr(module, f"bias_hh_l{k}") if module.bias else torch.zeros(w_ih.shape[0], dtype=x.dtype)
        h = h0[k]
        c = c0[k] if c0 is not None else None
        outs = []
        for t in range(inp.shape[0]):
            gi = inp[t] @ w_ih.T + b_ih
            gh = h @ w_hh.T + b_hh
            if kind == "rnn":
                h = torch.tanh(gi + gh) if nonlinearity == "tanh" else torch.relu(gi + gh)
            elif kind == "gru":
                ir, iz, inn = gi.chunk(3, -1)
                hr, hz, hn = gh.chunk(3, -1)
                r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                n = torch.tanh(inn + r * hn)
                h = (1 - z) * n + z * h
            else:
                i, f, g, o = (gi + gh).chunk(4, -1)
                i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                c = f * c + i * g
                h = o * torch.tanh(c)
            outs.append(h)
        inp = torch.stack(outs)
        hs.append(h)
        cs.append(c)
    return inp, torch.stack(hs), (torch.stack(cs) if c0 is not None else None)


def make_case(index, spec):
    kind, nonlinearity, input_size, hidden, layers, bias, batch_first, init_state, seq, batch = spec
    common = dict(input_size=input_size, hidden_size=hidden, num_layers=layers, bias=bias, batch_first=batch_first)
    if kind == "rnn":
        module = torch.nn.RNN(nonlinearity=nonlinearity, **common)
    elif kind == "gru":
        module = torch.nn.GRU(**common)
    else:
        module = torch.nn.LSTM(**common)
    module = module.double()
    bound = 1.0 / hidden ** 0.5 + 0.2
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(f32(*p.shape, scale=bound))
    x_shape = (batch, seq, input_size) if batch_first else (seq, batch, input_size)
    x = f32(*x_shape, scale=1.5).requires_grad_(True)
    h0 = f32(layers, batch, hidden).requires_grad_(True) if init_state else None
    c0 = f32(layers, batch, hidden).requires_grad_(True) if init_state and kind == "lstm" else None
    if kind == "lstm":
        out, (hn, cn) = module(x, (h0, c0)) if init_state else module(x)
    else:
        out, hn = module(x, h0) if init_state else module(x)
        cn = None
    d_out = f32(*out.shape)
    d_hn = f32(*hn.shape)
    d_cn = f32(*cn.shape) if cn is not None else None
    loss = (out * d_out).sum() + (hn * d_hn).sum()
    if cn is not None:
        loss = loss + (cn * d_cn).sum()
    loss.backward()

    # Check torch against the plain loop.
    with torch.no_grad():
        xt = x.transpose(0, 1) if batch_first else x
        z = torch.zeros(layers, batch, hidden, dtype=torch.float64)
        ref_out, ref_hn, ref_cn = loop_reference(kind, nonlinearity, module, xt, h0 if h0 is not None else z,
                                                 (c0 if c0 is not None else z) if kind == "lstm" else None)
        if batch_first:
            ref_out = ref_out.transpose(0, 1)
        for label, got, ref in (("out", out, ref_out), ("hN", hn, ref_hn), ("cN", cn, ref_cn)):
            if got is not None and not torch.allclose(got, ref, rtol=1e-10, atol=1e-12):
                FAILURES.append(f"case {index} {label}: torch and the loop differ by {(got - ref).abs().max().item():.3e}")

    name = f"{kind}{'-' + nonlinearity if kind == 'rnn' else ''} in{input_size} h{hidden} L{layers}" \
           f"{'' if bias else ' nobias'}{' batchFirst' if batch_first else ''}{' h0' if init_state else ''} seq{seq} batch{batch}"
    return {
        "name": name, "kind": kind, "nonlinearity": nonlinearity or "tanh", "inputSize": input_size, "hiddenSize": hidden,
        "numLayers": layers, "bias": bias, "batchFirst": batch_first, "seq": seq, "batch": batch,
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


def main():
    cases = [make_case(i, spec) for i, spec in enumerate(CASES)]
    if FAILURES:
        print("\n".join(FAILURES), file=sys.stderr)
        sys.exit(1)
    with open(OUT_PATH, "w") as f:
        json.dump({"generator": GENERATOR, "torch": torch.__version__, "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {OUT_PATH}: {len(cases)} cases, {os.path.getsize(OUT_PATH)} bytes (torch {torch.__version__})")


if __name__ == "__main__":
    main()
