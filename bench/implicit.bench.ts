// One training step of ImplicitRNN (Adam, MSE) at a modest size, on the wasm backend with 1 thread
// and with every core, on WebGPU when there is an adapter (on a machine without a GPU that is
// SwiftShader, a CPU emulation: labelled, and no GPU speed conclusion), and, when /usr/bin/python3
// has torch, the same step in PyTorch following torchidl's algorithm (float32; Picard iterations as
// batched matrix products, implicit backward).
//   npm run bench:implicit            (--batch --seq --input --implicit --hidden --steps, --no-torch, --no-webgpu)
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as rnam from '../src/index.js';
import { forwardPass, median, trainingStep } from './steps.js';
import { webgpuBackend } from '../test/helpers/backends.js';

const { values: a } = parseArgs({
  options: {
    batch: { type: 'string', default: '64' }, seq: { type: 'string', default: '32' }, input: { type: 'string', default: '1' },
    implicit: { type: 'string', default: '64' }, hidden: { type: 'string', default: '32' }, steps: { type: 'string', default: '5' },
    'no-torch': { type: 'boolean', default: false }, 'no-webgpu': { type: 'boolean', default: false },
  },
});
const [batch, seq, inputDim, implicitHiddenDim, hiddenDim, steps] = [a.batch, a.seq, a.input, a.implicit, a.hidden, a.steps].map(Number);

async function run(device: rnam.Backend) {
  rnam.manualSeed(0);
  const model = new rnam.ImplicitRNN({ inputDim, outputDim: 1, implicitHiddenDim, hiddenDim }).to(device);
  const gen = new rnam.Generator(1);
  const x = rnam.tensor(gen.fillUniform(new Float32Array(batch * seq * inputDim), -1, 1), [batch, seq, inputDim], { device });
  const y = rnam.tensor(gen.fillUniform(new Float32Array(batch), -1, 1), [batch, 1], { device });
  const opt = new rnam.Adam(model.parameters(), { lr: 1e-3 });
  const step = trainingStep(opt, () => rnam.mseLoss(model.forward(x), y));
  const forward = forwardPass(() => model.forward(x));
  await step();
  const times: number[] = [], fwd: number[] = [];
  for (let i = 0; i < steps; i++) {
    let t = performance.now();
    await step();
    times.push(performance.now() - t);
    t = performance.now();
    await forward();
    fwd.push(performance.now() - t);
  }
  return { step: median(times), forward: median(fwd), stats: model.lastStats };
}

const TORCH = String.raw`
import sys, time, torch
torch.set_num_threads(int(sys.argv[7]))
batch, seq, p, n, h, steps = map(int, sys.argv[1:7])
class F(torch.autograd.Function):
    @staticmethod
    def forward(ctx, A, B, U):
        norm = A.abs().sum(1).max()
        if norm > 0.99: A = A * (0.99 / norm)
        Z = B @ U; X = torch.zeros(A.shape[0], U.shape[1])
        for _ in range(300):
            Xn = torch.relu(A @ X + Z); err = (Xn - X).abs().max(); X = Xn
            if err < 3e-6: break
        ctx.save_for_backward(A, B, X, U); return X
    @staticmethod
    def backward(ctx, G):
        A, B, X, U = ctx.saved_tensors
        M = ((A @ X + B @ U) > 0).float(); MG = M * G; V = torch.zeros_like(G)
        for _ in range(300):
            Vn = M * (A.T @ V) + MG; err = (Vn - V).abs().max(); V = Vn
            if err < 3e-6: break
        return V @ X.T, V @ U.T, B.T @ V
A = torch.nn.Parameter(torch.randn(n, n) / n); B = torch.nn.Parameter(torch.randn(n, p + h) / n)
C = torch.nn.Parameter(torch.randn(h, n) / n); D = torch.nn.Parameter(torch.randn(h, p + h) / n)
lin = torch.nn.Linear(h, 1)
params = [A, B, C, D, *lin.parameters()]
opt = torch.optim.Adam(params, lr=1e-3)
x = torch.rand(batch, seq, p) * 2 - 1; y = torch.rand(batch, 1) * 2 - 1
def step():
    opt.zero_grad(); hs = torch.zeros(batch, h)
    for t in range(seq):
        U = torch.cat((x[:, t, :], hs), 1).T
        hs = (C @ F.apply(A, B, U) + D @ U).T
    loss = torch.nn.functional.mse_loss(lin(hs), y); loss.backward(); opt.step()
step(); ts = []
for _ in range(steps):
    t = time.perf_counter(); step(); ts.append(time.perf_counter() - t)
ts.sort(); print(ts[len(ts) // 2] * 1000)
`;

function torchStep(threads: number): number | string {
  if (a['no-torch']) return 'skipped (--no-torch)';
  const r = spawnSync('/usr/bin/python3', ['-c', TORCH, ...[batch, seq, inputDim, implicitHiddenDim, hiddenDim, steps, threads].map(String)], { encoding: 'utf8' });
  if (r.status !== 0) return `unavailable (${(r.stderr || r.error?.message || '').trim().split('\n').pop()})`;
  return Number(r.stdout.trim());
}

const cores = os.availableParallelism();
console.log(`ImplicitRNN(inputDim ${inputDim}, implicitHiddenDim ${implicitHiddenDim}, hiddenDim ${hiddenDim}), batch ${batch}, seq ${seq}, Adam, MSE; `
  + `${os.cpus()[0]?.model ?? 'CPU'}, ${cores} cores, Node ${process.version}; median of ${steps}\n`);
console.log('| run | training step ms | forward ms | mean iterations fwd / bwd |\n|---|---:|---:|---:|');
for (const threads of [...new Set([1, cores])]) {
  const dev = threads === rnam.cpu.threads ? rnam.cpu : await rnam.WasmBackend.create({ threads });
  const r = await run(dev);
  console.log(`| rnam wasm, ${threads} thread${threads > 1 ? 's' : ''} | ${r.step.toFixed(1)} | ${r.forward.toFixed(1)} | `
    + `${r.stats.forward?.meanIterations.toFixed(1)} / ${r.stats.backward?.meanIterations.toFixed(1)} |`);
  if (dev !== rnam.cpu) (dev as rnam.WasmBackend).dispose();
}
if (a['no-webgpu']) {
  console.log('| rnam webgpu | skipped (--no-webgpu) | | |');
} else {
  const gpu = await webgpuBackend();
  if (typeof gpu === 'string') {
    console.log(`| rnam webgpu | not available (${gpu}) | | |`);
  } else {
    const r = await run(gpu);
    const label = gpu.cpuEmulation ? `rnam webgpu, ${gpu.adapterName || 'adapter'} (a CPU emulation of a GPU: no GPU speed conclusions)` : `rnam webgpu, ${gpu.adapterName}`;
    console.log(`| ${label} | ${r.step.toFixed(1)} | ${r.forward.toFixed(1)} | `
      + `${r.stats.forward?.meanIterations.toFixed(1)} / ${r.stats.backward?.meanIterations.toFixed(1)} |`);
  }
}
for (const threads of [...new Set([1, cores])]) {
  const t = torchStep(threads);
  console.log(`| PyTorch (torchidl's algorithm, float32), ${threads} thread${threads > 1 ? 's' : ''} | ${typeof t === 'number' ? t.toFixed(1) : t} | | |`);
}
