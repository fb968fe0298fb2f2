// The floor of this machine as wasm sees it, and how near the seed model's steps come to it.
//   npm run bench:floor                  (about 5 minutes on 2 cores; PyTorch's seed step is the slowest part)
//   flags: --quick (fewer rounds, smaller arrays), --no-torch, --no-model (the floor alone),
//          --reps N (rnam repetitions per workload; default 25 at batch 32 / seq 256, 7 at the seed's size),
//          --threads N (the "all threads" count; default: the cores)
//    The small workloads take more repetitions on both sides (rnam 25, PyTorch 15): a step of a few
//    milliseconds on a shared 2-core machine varies by 2x from one step to the next, and a median of 7
//    moves with it.
// 1. The floor (bench/floor/measure.ts): the SIMD128 multiply-add peak of register-blocked kernels
//    (f32x4.mul + f32x4.add, 8 or 12 independent accumulators, no relaxed SIMD) and the streaming
//    bandwidth (copy, scale, read over arrays far larger than the caches), on 1 thread and on all,
//    the best of several rounds (a peak: the machine may be shared).
// 2. For each whole-model benchmark of the seed model (FirstOrderRNAM terms 8, hidden 8, blocks 4;
//    training step with AdamW and MSE, and forward only, at batch 32 / seq 256 and batch 128 /
//    seq 1024): its FLOPs and minimal bytes (bench/floor/model-cost.ts), the roofline time
//    max(FLOPs / peak, bytes / bandwidth) on all threads, rnam's measured median (bench/peer-rnam.ts,
//    its own process, default thread count) and the fraction of the roofline it reaches; PyTorch's
//    time on the same machine (bench/torch_train_step.py, /usr/bin/python3 with torch) beside it.
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureFloor, type Floor } from './floor/measure.js';
import { forwardCost, SEED, trainCost, type Cost } from './floor/model-cost.js';
import { cpuDetails } from './floor/machine.js';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false }, 'no-torch': { type: 'boolean', default: false }, 'no-model': { type: 'boolean', default: false },
    reps: { type: 'string' }, threads: { type: 'string' },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const threads = Number(a.threads ?? process.env.RNAM_THREADS ?? os.cpus().length);
/** rnam's repetitions of a workload: more where a step is short (see the header). */
const repsFor = (small: boolean) => Number(a.reps ?? (a.quick ? 3 : small ? 25 : 7));

console.log(`# The floor and the seed model's roofline\n`);
console.log(`Run ${new Date().toISOString()} with \`npm run bench:floor${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`.`);
console.log(`Machine: ${cpuDetails()}; Node ${process.version}; load average ${os.loadavg()[0].toFixed(2)} at the start.\n`);

const floor: Floor = await measureFloor({ threads, quick: a.quick, log: (s) => process.stderr.write(`${s}\n`) });
const f1 = (x: number) => x.toFixed(1);
console.log(`## The floor (wasm SIMD128; best of the rounds, median in brackets)\n`);
console.log(`| | 1 thread | ${threads} threads |\n|---|---:|---:|`);
console.log(`| multiply-add peak (f32x4.mul + f32x4.add), GFLOP/s | ${f1(floor.peak1.best)} (${f1(floor.peak1.median)}) | ${f1(floor.peakAll.best)} (${f1(floor.peakAll.median)}) |`);
console.log(`| copy (bytes read + written), GB/s | ${f1(floor.copy1.best)} (${f1(floor.copy1.median)}) | ${f1(floor.copyAll.best)} (${f1(floor.copyAll.median)}) |`);
console.log(`| scale (bytes read + written), GB/s | ${f1(floor.scale1.best)} (${f1(floor.scale1.median)}) | ${f1(floor.scaleAll.best)} (${f1(floor.scaleAll.median)}) |`);
console.log(`| read (sum), GB/s | ${f1(floor.read1.best)} (${f1(floor.read1.median)}) | ${f1(floor.readAll.best)} (${f1(floor.readAll.median)}) |`);
console.log(`\nThe peak is the best of the kernels (${floor.peakKernel} on ${threads} threads); streams run over ${floor.arrayMiB} MiB arrays per thread.`);

if (!a['no-model']) {
  const peak = floor.peakAll.best * 1e9;
  const bandwidth = Math.max(floor.copyAll.best, floor.scaleAll.best) * 1e9;
  interface Row { id: string; title: string; cost: Cost; batch: number; seq: number; kind: 'train' | 'forward'; small: boolean }
  const rows: Row[] = [];
  for (const [batch, seq, small] of [[32, 256, true], [128, 1024, false]] as const) {
    const shape = { ...SEED, batch, seq };
    rows.push({ id: small ? 'seed-train-small' : 'seed-train', title: `training step, batch ${batch}, seq ${seq}`, cost: trainCost(shape), batch, seq, kind: 'train', small });
    rows.push({ id: small ? 'seed-forward-small' : 'seed-forward', title: `forward, batch ${batch}, seq ${seq}`, cost: forwardCost(shape), batch, seq, kind: 'forward', small });
  }
  const rnamMs = (id: string, reps: number): number | string => {
    process.stderr.write(`rnam ${id} ... `);
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/peer-rnam.ts', '--workload', id, '--reps', String(reps), '--min-reps', '3', '--budget', '30'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, RNAM_THREADS: String(threads) }, maxBuffer: 64 << 20 });
    const last = child.stdout?.trim().split('\n').at(-1) ?? '';
    if (child.status !== 0 || !last.startsWith('{')) return `failed: ${(child.stderr || '').trim().split('\n').at(-1)}`;
    const r = JSON.parse(last) as { median_s: number };
    process.stderr.write(`${(r.median_s * 1000).toFixed(1)} ms\n`);
    return r.median_s * 1000;
  };
  const torch = new Map<string, { train: number; forward: number; version: string } | string>();
  const torchMs = (batch: number, seq: number) => {
    const key = `${batch}x${seq}`;
    if (!torch.has(key)) {
      if (a['no-torch']) { torch.set(key, 'skipped (--no-torch)'); return torch.get(key)!; }
      process.stderr.write(`PyTorch ${key} ... `);
      const steps = seq >= 1024 ? (a.quick ? 1 : 3) : (a.quick ? 3 : 15);
      const py = spawnSync('/usr/bin/python3', ['bench/torch_train_step.py', '--batch', String(batch), '--seq', String(seq), '--steps', String(steps),
        '--threads', String(threads)], { cwd: root, encoding: 'utf8' });
      if (py.status === 0) {
        const t = JSON.parse(py.stdout.trim().split('\n').at(-1)!);
        torch.set(key, { train: t.train_step_s * 1000, forward: t.forward_s * 1000, version: `PyTorch ${t.torch}, ${t.threads} threads` });
        process.stderr.write('done\n');
      } else {
        torch.set(key, `not measured (${(py.stderr || String(py.error)).trim().split('\n').at(-1)})`);
        process.stderr.write('failed\n');
      }
    }
    return torch.get(key)!;
  };

  console.log(`\n## The seed model (FirstOrderRNAM terms 8, hidden 8, blocks 4) against the floor on ${threads} threads\n`);
  console.log(`Roofline = max(FLOPs / ${f1(peak / 1e9)} GFLOP/s, minimal bytes / ${f1(bandwidth / 1e9)} GB/s); FLOPs and bytes as counted in bench/floor/model-cost.ts. `
    + `rnam: median of up to ${repsFor(true)} steps (batch 32) or ${repsFor(false)} (batch 128) after a warm-up, its own process, ${threads} threads; `
    + `PyTorch: median of ${a.quick ? 3 : 15} steps (batch 32) or ${a.quick ? 1 : 3} (batch 128) after a warm-up.\n`);
  console.log('| workload | GFLOP | minimal MB | roofline ms | rnam ms | roofline / rnam | rnam GFLOP/s | PyTorch ms | rnam speedup over PyTorch |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  let version = '';
  for (const r of rows) {
    const roof = Math.max(r.cost.flops / peak, r.cost.bytes / bandwidth) * 1000;
    const mine = rnamMs(r.id, repsFor(r.small));
    const t = torchMs(r.batch, r.seq);
    const theirs = typeof t === 'string' ? t : r.kind === 'train' ? t.train : t.forward;
    if (typeof t !== 'string') version = t.version;
    const ok = typeof mine === 'number';
    console.log(`| ${r.title} | ${(r.cost.flops / 1e9).toFixed(3)} | ${(r.cost.bytes / 1e6).toFixed(1)} | ${roof.toFixed(2)} | ${ok ? mine.toFixed(1) : mine} `
      + `| ${ok ? `${((roof / mine) * 100).toFixed(1)}%` : '—'} | ${ok ? f1(r.cost.flops / mine / 1e6) : '—'} `
      + `| ${typeof theirs === 'number' ? theirs.toFixed(0) : theirs} | ${ok && typeof theirs === 'number' ? `${(theirs / mine).toFixed(1)}x` : '—'} |`);
  }
  if (version) console.log(`\nPyTorch: ${version} (bench/torch_train_step.py, the seed's model in float32), run after rnam on the same machine.`);
}
console.log(`\nLoad average at the end: ${os.loadavg()[0].toFixed(2)} (a shared machine: compare ratios measured in one run, not times across runs).`);
