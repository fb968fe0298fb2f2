// One training step of the seed's model (FirstOrderRNAM terms 8, hidden 8, blocks 4; batch 128,
// seq 1024; AdamW; MSE) and the forward pass alone, on rnam's CPU backend and, when /usr/bin/python3
// has torch, in PyTorch on the same machine. Reports median times and peak resident memory.
//   npm run bench:train            (add --seq 128 --steps 5 for a quicker look, --no-torch to skip PyTorch)
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import * as rnam from '../src/index.js';
import { forwardPass, timeMs, trainingStep } from './steps.js';

const { values: a } = parseArgs({
  options: {
    batch: { type: 'string', default: '128' }, seq: { type: 'string', default: '1024' }, steps: { type: 'string', default: '3' },
    terms: { type: 'string', default: '8' }, hidden: { type: 'string', default: '8' }, blocks: { type: 'string', default: '4' },
    'no-torch': { type: 'boolean', default: false }, profile: { type: 'boolean', default: false },
  },
});
const [batch, seq, steps, terms, hiddenDim, blocks] = [a.batch, a.seq, a.steps, a.terms, a.hidden, a.blocks].map(Number);


rnam.manualSeed(0);
const model = new rnam.FirstOrderRNAM({ terms, hiddenDim, outDim: 1, blocks });
const opt = new rnam.AdamW(model.parameters(), { lr: 1e-3 });
const gen = new rnam.Generator(1);
const x = rnam.tensor(gen.fillUniform(new Float32Array(terms * batch * seq), -1, 1), [terms, batch, seq, 1]);
const y = rnam.tensor(gen.fillUniform(new Float32Array(batch), -1, 1), [batch, 1]);

await rnam.cpu.ready(); // the worker threads, before anything is timed
const trainStep = trainingStep(opt, () => rnam.mseLoss(model.forward(x)[0], y));
const forward = forwardPass(() => model.forward(x)[0]);

console.log(`training step of FirstOrderRNAM(terms ${terms}, hidden ${hiddenDim}, blocks ${blocks}), batch ${batch}, seq ${seq}, AdamW; `
  + `${os.cpus()[0]?.model ?? 'CPU'}, ${os.cpus().length} cores, Node ${process.version}; median of ${steps}`);
const rnamTrain = (await timeMs(trainStep, steps)) / 1000;
const rnamForward = (await timeMs(forward, steps)) / 1000;
const rnamPeak = process.resourceUsage().maxRSS * 1024;
if (a.profile) {
  // One more step with every kernel timed: where the time goes, per kernel.
  const { table, stop } = rnam.profileKernels(rnam.cpu);
  const t0 = performance.now();
  await trainStep();
  const total = performance.now() - t0;
  stop();
  const kernelMs = [...table.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`\nprofile of one training step: ${total.toFixed(0)} ms, of which kernels ${kernelMs.toFixed(0)} ms`);
  console.log('| kernel | calls | ms | share |\n|---|---:|---:|---:|');
  for (const [name, e] of [...table].sort((p, q) => q[1].ms - p[1].ms)) {
    console.log(`| ${name} | ${e.calls} | ${e.ms.toFixed(1)} | ${((e.ms / total) * 100).toFixed(1)}% |`);
  }
}
const wasmReserved = rnam.cpu.memoryStats().reservedBytes;

const rows: [string, string, string, string][] = [
  [`rnam ${rnam.cpu.description}`, (rnamTrain * 1000).toFixed(0), (rnamForward * 1000).toFixed(0),
    `${(rnamPeak / 2 ** 20).toFixed(0)} MiB (wasm heap ${(wasmReserved / 2 ** 20).toFixed(0)} MiB)`],
];
let torchNote = '';
if (!a['no-torch']) {
  const py = spawnSync('/usr/bin/python3', ['bench/torch_train_step.py', '--batch', String(batch), '--seq', String(seq), '--steps', String(steps),
    '--terms', String(terms), '--hidden', String(hiddenDim), '--blocks', String(blocks), '--threads', String(os.cpus().length)], { encoding: 'utf8' });
  if (py.status === 0) {
    const t = JSON.parse(py.stdout.trim().split('\n').at(-1)!);
    rows.push([`PyTorch ${t.torch}, ${t.threads} threads`, (t.train_step_s * 1000).toFixed(0), (t.forward_s * 1000).toFixed(0),
      `${(t.peak_rss_bytes / 2 ** 20).toFixed(0)} MiB`]);
    torchNote = `rnam is ${(t.train_step_s / rnamTrain).toFixed(1)}x PyTorch's speed per training step, ${(t.forward_s / rnamForward).toFixed(1)}x per forward.`;
  } else {
    torchNote = `PyTorch not measured: /usr/bin/python3 with torch is not available here (${(py.stderr || String(py.error)).trim().split('\n').at(-1)}).`;
  }
}
console.log('\n| implementation | train step ms | forward ms | peak RSS |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);
console.log(`\n${torchNote}`);
