#!/usr/bin/env python3
"""The seed's training step in PyTorch on this machine, for bench/train-step.bench.ts.

Uses the seed's model as reimplemented in test/golden/seed_reference.py (the seed package's Linear
and log-space minGRU, the notebook's FirstOrderRNAM), AdamW and MSELoss, float32 on the CPU.
Prints one JSON line: median seconds per training step and per forward, peak RSS in bytes.

    /usr/bin/python3 bench/torch_train_step.py --batch 128 --seq 1024 --steps 3 --threads 2
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
from seed_reference import FirstOrderRNAM  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--terms", type=int, default=8)
p.add_argument("--hidden", type=int, default=8)
p.add_argument("--blocks", type=int, default=4)
p.add_argument("--batch", type=int, default=128)
p.add_argument("--seq", type=int, default=1024)
p.add_argument("--steps", type=int, default=3)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()

torch.manual_seed(0)
torch.set_num_threads(a.threads)
model = FirstOrderRNAM(a.terms, a.hidden, 1, a.blocks)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
loss_fn = torch.nn.MSELoss()
x = torch.randn(a.terms, a.batch, a.seq, 1)
y = torch.randn(a.batch, 1)


def train_step():
    opt.zero_grad()
    y_hat, _ = model(x)
    loss = loss_fn(y_hat, y)
    loss.backward()
    opt.step()


def forward():
    with torch.no_grad():
        model(x)


def median_seconds(fn, n):
    fn()  # warm-up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


result = {
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
    "train_step_s": median_seconds(train_step, a.steps),
    "forward_s": median_seconds(forward, a.steps),
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}
print(json.dumps(result))
