// GPU (WebGPU through Dawn, the `webgpu` package) against the CPU backend (wasm SIMD, all threads) on
// the same machine: every kernel, then the seed model's whole training step and forward. Prints one
// markdown table with the adapter's name. One command on a machine with a GPU:
//   npm run bench:gpu                 (the seed's sizes: terms 8, batch 128, seq 1024, hidden 8)
//   npm run bench:gpu -- --small      (batch 8, seq 64: for SwiftShader, the CPU emulation of a GPU)
//   flags: --reps N, --batch N, --seq N
// Kernels are timed as throughput: a warm-up call and a device sync, then `reps` calls and one sync
// (the GPU queues them; the CPU backend runs each as it is called). The recurrent families and the
// losses are timed through their ops (forward + backward), which call their kernels; the coverage
// line at the end lists any spec kernel that no row called. On SwiftShader the numbers are a CPU
// emulation's: they check that the script runs, never GPU speed.
import { parseArgs } from 'node:util';
import os from 'node:os';
import * as rnam from '../src/index.js';
import { kernelNames } from '../src/kernels/spec.js';
import { webgpuBackend } from '../test/helpers/backends.js';
import { cpuDetails } from './floor/machine.js';

const { values: a } = parseArgs({
  options: { small: { type: 'boolean', default: false }, reps: { type: 'string' }, batch: { type: 'string' }, seq: { type: 'string' } },
});
const T = 8, H = 8;
const B = Number(a.batch ?? (a.small ? 8 : 128)), S = Number(a.seq ?? (a.small ? 64 : 1024));
const reps = Number(a.reps ?? (a.small ? 3 : 10));

import { kernelCases, tensor, type Dev } from './kernel-cases.js';

const cases = kernelCases({ terms: T, batch: B, seq: S, hid: H });


async function finish(dev: Dev): Promise<void> {
  if (dev instanceof rnam.WebGPUBackend) await dev.sync();
}

/** Milliseconds per call: a warm-up (pipelines, first touch), then `reps` calls and one sync. */
async function time(dev: Dev, fn: () => unknown): Promise<number> {
  await fn();
  await finish(dev);
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  await finish(dev);
  return (performance.now() - t0) / reps;
}

const gpuOrWhy = await webgpuBackend();
if (typeof gpuOrWhy === 'string') {
  console.log(`WebGPU is not available here (${gpuOrWhy}); nothing to compare.`);
  process.exit(1);
}
const gpu = gpuOrWhy;
const cpu = rnam.cpu;
await cpu.ready();
console.log(`# GPU vs CPU backend: ${gpu.adapterName}\n`);
console.log(`Run ${new Date().toISOString()} with \`npm run bench:gpu${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`; Node ${process.version}.`);
console.log(`- GPU: ${gpu.description}`);
console.log(`- CPU: ${cpu.description}; ${cpuDetails()}`);
console.log(`- sizes: terms ${T}, batch ${B}, seq ${S}, hidden ${H}; ms per call, ${reps} calls after a warm-up, then one sync`);
if (gpu.cpuEmulation) console.log(`\n**${gpu.adapterName} is a CPU emulation of a GPU: these numbers show the script runs, not GPU speed.**`);

// Which kernels each case calls (on the CPU backend, with the profiler): the coverage line.
const covered = new Set<string>();
const rows: string[] = [];
for (const c of cases) {
  const { table, stop } = rnam.profileKernels(cpu);
  const fnCpu = c.setup(cpu);
  const tCpu = await time(cpu, fnCpu);
  stop();
  for (const name of table.keys()) covered.add(name);
  if (c.name.startsWith('count_nonfinite')) covered.add('count_nonfinite');
  const tGpu = await time(gpu, c.setup(gpu));
  rows.push(`| ${c.name} | ${tCpu.toFixed(3)} | ${tGpu.toFixed(3)} | ${(tCpu / tGpu).toFixed(2)}x |`);
  process.stderr.write('.');
}

// The whole seed model: one AdamW training step (loss read back) and one forward (output read back).
async function modelRows(dev: Dev) {
  rnam.manualSeed(0);
  const model = new rnam.FirstOrderRNAM({ terms: T, hiddenDim: H, outDim: 1, blocks: 4 }).to(dev);
  const x = tensor(dev, [T, B, S, 1], 50), y = tensor(dev, [B, 1], 51);
  const opt = new rnam.AdamW(model.parameters(), { lr: 1e-3 });
  const train = async () => {
    const l = rnam.tidy(() => { opt.zeroGrad(); const v = rnam.mseLoss(model.forward(x)[0], y); v.backward(); opt.step(); return v; });
    await l.item();
    l.dispose();
  };
  const forward = async () => {
    const out = rnam.noGrad(() => rnam.tidy(() => model.forward(x)[0]));
    await out.toArray();
    out.dispose();
  };
  return { train: await time(dev, train), forward: await time(dev, forward) };
}
const mc = await modelRows(cpu), mg = await modelRows(gpu);
process.stderr.write('\n');

console.log(`\n| kernel or workload | CPU backend ms | GPU ms | GPU speedup (CPU / GPU) |\n|---|---:|---:|---:|`);
for (const r of rows) console.log(r);
console.log(`| **FirstOrderRNAM(terms ${T}, hidden ${H}, blocks 4) training step, batch ${B}, seq ${S}** | ${mc.train.toFixed(2)} | ${mg.train.toFixed(2)} | ${(mc.train / mg.train).toFixed(2)}x |`);
console.log(`| **the same, forward only** | ${mc.forward.toFixed(2)} | ${mg.forward.toFixed(2)} | ${(mc.forward / mg.forward).toFixed(2)}x |`);
const missing = kernelNames.filter((k) => !covered.has(k));
console.log(`\nKernels covered: ${kernelNames.length - missing.length} of ${kernelNames.length}${missing.length ? `; not called by any row: ${missing.join(', ')}` : ''}.`);
console.log(`Machine: ${os.cpus().length} CPU cores, load average ${os.loadavg()[0].toFixed(2)} at the end.`);
process.exit(0);
