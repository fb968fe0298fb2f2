// rnam's side of bench/peers.bench.ts: runs one workload in this process and prints one JSON line
// (median seconds, repetitions, peak RSS). With --profile (the seed workloads), also the per-kernel
// time of one more step, from rnam.profileKernels.
//   node --import tsx bench/peer-rnam.ts --workload seed-train|seed-train-small|seed-forward|seed-forward-small|linear-fwd|linear-fwdbwd|mingru-train
import * as rnam from '../src/index.js';
import { childArgs, measure, report } from './peer-common.js';
import { trainingStep } from './steps.js';

const args = childArgs();
const gen = new rnam.Generator(1);
const uniform = (shape: number[], requiresGrad = false) =>
  rnam.tensor(gen.fillUniform(new Float32Array(shape.reduce((p, q) => p * q, 1)), -1, 1), shape, { requiresGrad });
rnam.manualSeed(0);

function seedModel(batch = 128, seq = 1024) {
  const model = new rnam.FirstOrderRNAM({ terms: 8, hiddenDim: 8, outDim: 1, blocks: 4 });
  const x = uniform([8, batch, seq, 1]);
  const y = uniform([batch, 1]);
  return { model, x, y };
}

async function profileStep(step: () => Promise<void>, what: string): Promise<string> {
  const { table, stop } = rnam.profileKernels(rnam.cpu);
  const t0 = performance.now();
  await step();
  const total = performance.now() - t0;
  stop();
  const kernelMs = [...table.values()].reduce((s, e) => s + e.ms, 0);
  const lines = [`profile of one rnam ${what} (seed model): ${total.toFixed(0)} ms, of which kernels ${kernelMs.toFixed(0)} ms`,
    '', '| kernel | calls | ms | share |', '|---|---:|---:|---:|'];
  for (const [name, e] of [...table].sort((p, q) => q[1].ms - p[1].ms)) {
    lines.push(`| ${name} | ${e.calls} | ${e.ms.toFixed(1)} | ${((e.ms / total) * 100).toFixed(1)}% |`);
  }
  return lines.join('\n');
}

let fn: () => unknown;
let profile: string | undefined;
switch (args.workload) {
  case 'seed-train':
  case 'seed-train-small': {
    const { model, x, y } = args.workload === 'seed-train' ? seedModel() : seedModel(32, 256);
    const opt = new rnam.AdamW(model.parameters(), { lr: 1e-3 });
    fn = trainingStep(opt, () => rnam.mseLoss(model.forward(x)[0], y));
    break;
  }
  case 'seed-forward':
  case 'seed-forward-small': {
    const { model, x } = args.workload === 'seed-forward' ? seedModel() : seedModel(32, 256);
    fn = async () => {
      const out = rnam.noGrad(() => rnam.tidy(() => model.forward(x)[0]));
      await out.toArray();
      out.dispose();
    };
    break;
  }
  case 'linear-fwd': {
    // The CPU backend is synchronous: the kernel has run when linear() returns (no read-back, as for tfjs).
    const x = uniform([8, 131072, 8]), w = uniform([8, 8, 16]), b = uniform([8, 1, 16]);
    fn = () => rnam.noGrad(() => rnam.linear(x, w, b)).dispose();
    break;
  }
  case 'linear-fwdbwd': {
    // Forward, then backward from a given upstream gradient: dx, dw and db.
    const x = uniform([8, 131072, 8], true), w = uniform([8, 8, 16], true), b = uniform([8, 1, 16], true);
    const dy = uniform([8, 131072, 16]);
    fn = () => {
      const y = rnam.linear(x, w, b);
      y.backward(dy);
      y.dispose();
      for (const t of [x, w, b]) { t.grad?.dispose(); t.grad = null; }
    };
    break;
  }
  case 'mingru-train': {
    // emb Linear(1 term, 1 -> 8), MinGRU(1, 8), last step, Linear(1, 8 -> 1), MSE, Adam; batch as (1, 128, 1024, 1).
    const emb = new rnam.Linear(1, 1, 8), gru = new rnam.MinGRU(1, 8), head = new rnam.Linear(1, 8, 1);
    const params = [...emb.parameters(), ...gru.parameters(), ...head.parameters()];
    const opt = new rnam.Adam(params, { lr: 1e-3 });
    const x = uniform([1, 128, 1024, 1]), y = uniform([1, 128, 1, 1]);
    fn = trainingStep(opt, () => rnam.mseLoss(head.forward(gru.forward(emb.forward(x))[1]), y));
    break;
  }
  default:
    throw new Error(`peer-rnam: unknown workload ${args.workload}`);
}

const timing = await measure(fn, args);
// The profiled step (not timed above) needs no more memory than the steps before it.
const profiled: Record<string, string> = { 'seed-train': 'training step', 'seed-train-small': 'training step at batch 32, seq 256', 'seed-forward': 'forward',
  'seed-forward-small': 'forward at batch 32, seq 256' };
if (args.profile && profiled[args.workload]) profile = await profileStep(fn as () => Promise<void>, profiled[args.workload]);
report({ impl: 'rnam', backend: rnam.cpu.description, workload: args.workload, ...timing, profile });
