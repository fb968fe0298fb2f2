#!/usr/bin/env python3
"""PyTorch's side of bench/peers.bench.ts: one workload in this process, one JSON line out.

Models come from test/golden/seed_reference.py (the seed's Linear, log-space minGRU and
FirstOrderRNAM), so the PyTorch rows run the seed's own code; nn.GRU / nn.RNN are PyTorch's.
float32 on the CPU, torch.set_num_threads(--threads).

    /usr/bin/python3 bench/torch_peers.py --workload seed-train|seed-train-small|seed-forward|linear-fwd|linear-fwdbwd|gru-train|rnn-train|mingru-train
"""
import argparse
import json
import os
import resource
import statistics
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "golden"))

import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from seed_reference import FirstOrderRNAM, Linear, linear, minGRU  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--workload", required=True)
p.add_argument("--reps", type=int, default=5)
p.add_argument("--min-reps", type=int, default=3)
p.add_argument("--budget", type=float, default=20.0)
p.add_argument("--threads", type=int, default=os.cpu_count())
a = p.parse_args()

torch.manual_seed(0)
torch.set_num_threads(a.threads)


def uniform(*shape, requires_grad=False):
    return (torch.rand(*shape) * 2 - 1).requires_grad_(requires_grad)


def train_step(params, loss_fn):
    opt = torch.optim.AdamW(params, lr=1e-3) if a.workload.startswith("seed-train") else torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        loss.item()
    return step


mse = nn.MSELoss()
w = a.workload
if w in ("seed-train", "seed-forward", "seed-train-small"):
    model = FirstOrderRNAM(8, 8, 1, 4)
    batch, seq = (32, 256) if w == "seed-train-small" else (128, 1024)
    x, y = uniform(8, batch, seq, 1), uniform(batch, 1)
    if w != "seed-forward":
        fn = train_step(model.parameters(), lambda: mse(model(x)[0], y))
    else:
        def fn():
            with torch.no_grad():
                model(x)
elif w == "linear-fwd":
    x, wt, b = uniform(8, 131072, 8), uniform(8, 8, 16), uniform(8, 1, 16)

    def fn():
        with torch.no_grad():
            linear(x, wt, b)  # torch.baddbmm
elif w == "linear-fwdbwd":
    x, wt, b = (uniform(8, 131072, 8, requires_grad=True), uniform(8, 8, 16, requires_grad=True),
                uniform(8, 1, 16, requires_grad=True))
    dy = uniform(8, 131072, 16)

    def fn():
        linear(x, wt, b).backward(dy)
        x.grad = wt.grad = b.grad = None
elif w in ("gru-train", "rnn-train"):
    # One recurrent layer of 8 units on (128, 1024, 1), its last hidden state, Linear(8, 1), MSE, Adam.
    rnn = (nn.GRU if w == "gru-train" else nn.RNN)(1, 8, batch_first=True)
    head = nn.Linear(8, 1)
    x, y = uniform(128, 1024, 1), uniform(128, 1)
    fn = train_step([*rnn.parameters(), *head.parameters()], lambda: mse(head(rnn(x)[1][-1]), y))
elif w == "mingru-train":
    # rnam's recurrent workload in the seed's PyTorch code: emb Linear(1, 1 -> 8), minGRU(1, 8), last step, Linear(1, 8 -> 1).
    emb, gru, head = Linear(1, 1, 8), minGRU(1, 8), Linear(1, 8, 1)
    x, y = uniform(1, 128, 1024, 1), uniform(1, 128, 1, 1)
    fn = train_step([*emb.parameters(), *gru.parameters(), *head.parameters()], lambda: mse(head(gru(emb(x))[1]), y))
else:
    sys.exit(f"torch_peers: unknown workload {w}")

# One warm-up call, then timed calls until --reps, or until --budget seconds once --min-reps are done.
fn()
times = []
start = time.perf_counter()
while len(times) < a.reps and not (len(times) >= a.min_reps and time.perf_counter() - start > a.budget):
    t = time.perf_counter()
    fn()
    times.append(time.perf_counter() - t)

print(json.dumps({
    "impl": "torch", "version": torch.__version__, "backend": f"CPU, {torch.get_num_threads()} threads", "workload": w,
    "median_s": statistics.median(times), "times_s": times, "reps": len(times),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
