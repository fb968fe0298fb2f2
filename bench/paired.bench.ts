// Paired, interleaved timing of this checkout (B) against another (A, e.g. a worktree of the commit
// before a change), with PyTorch in the same rounds: for a shared, noisy machine. Each round runs,
// for every workload, A then B (or B then A on odd rounds) in fresh processes, and PyTorch's seed
// step at each size; the report gives per-side medians over rounds of the per-process medians, wall
// and CPU time (all threads), and the median of the per-round ratios A/B.
//   node --import tsx bench/paired.bench.ts --base ../rnam-before [--rounds 5] [--reps 5] [--no-torch] [--only train-small,...]
// workloads: train-small (batch 32, seq 256), forward-small, train (batch 128, seq 1024), forward.
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './peer-common.js';
import { cpuDetails } from './floor/machine.js';

const { values: a } = parseArgs({
  options: { base: { type: 'string' }, rounds: { type: 'string', default: '5' }, reps: { type: 'string', default: '5' },
    'no-torch': { type: 'boolean', default: false }, only: { type: 'string' } },
});
if (!a.base) throw new Error('--base DIR (another checkout of rnam, built) is required');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sides = { A: path.resolve(a.base, 'src/index.ts'), B: path.join(root, 'src/index.ts') };
const rounds = Number(a.rounds), reps = Number(a.reps);
const WORKLOADS = [
  { id: 'train-small', kind: 'train', batch: 32, seq: 256 }, { id: 'forward-small', kind: 'forward', batch: 32, seq: 256 },
  { id: 'train', kind: 'train', batch: 128, seq: 1024 }, { id: 'forward', kind: 'forward', batch: 128, seq: 1024 },
].filter((w) => !a.only || a.only.split(',').includes(w.id));

type Sample = { wall_ms: number; cpu_ms: number };
const samples = new Map<string, { A: Sample[]; B: Sample[]; torch: number[] }>(WORKLOADS.map((w) => [w.id, { A: [], B: [], torch: [] }]));

function child(side: 'A' | 'B', w: typeof WORKLOADS[number]): Sample {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/paired-child.ts', '--src', sides[side], '--kind', w.kind,
    '--batch', String(w.batch), '--seq', String(w.seq), '--reps', String(w.seq >= 1024 ? Math.min(reps, 3) : reps)], { cwd: root, encoding: 'utf8' });
  const last = r.stdout?.trim().split('\n').at(-1) ?? '';
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`${side} ${w.id}: ${r.stderr}`);
  return JSON.parse(last) as Sample;
}

function torch(batch: number, seq: number): { train: number; forward: number } | null {
  if (a['no-torch']) return null;
  const r = spawnSync('/usr/bin/python3', ['bench/torch_train_step.py', '--batch', String(batch), '--seq', String(seq),
    '--steps', seq >= 1024 ? '1' : '3', '--threads', String(os.cpus().length)], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) return null;
  const t = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
  return { train: t.train_step_s * 1000, forward: t.forward_s * 1000 };
}

const started = new Date();
for (let round = 0; round < rounds; round++) {
  for (const w of WORKLOADS) {
    const order: ('A' | 'B')[] = round % 2 ? ['B', 'A'] : ['A', 'B'];
    for (const side of order) samples.get(w.id)![side].push(child(side, w));
    process.stderr.write(`round ${round + 1}/${rounds} ${w.id}: A ${samples.get(w.id)!.A.at(-1)!.wall_ms.toFixed(1)} ms, B ${samples.get(w.id)!.B.at(-1)!.wall_ms.toFixed(1)} ms\n`);
  }
  for (const [batch, seq] of [[32, 256], [128, 1024]]) {
    if (!WORKLOADS.some((w) => w.batch === batch)) continue;
    if (seq >= 1024 && round % 2) continue; // PyTorch's seed step is slow: every other round
    const t = torch(batch, seq);
    if (!t) continue;
    for (const w of WORKLOADS.filter((v) => v.batch === batch)) samples.get(w.id)!.torch.push(w.kind === 'train' ? t.train : t.forward);
  }
}

console.log(`# Paired runs: A = ${path.resolve(a.base)}, B = ${root}\n`);
console.log(`${started.toISOString()}, ${cpuDetails()}, Node ${process.version}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')} at the end.`);
console.log(`${rounds} rounds (A and B alternate which goes first), each side a fresh process timing the median of up to ${reps} calls after a warm-up; `
  + `PyTorch (bench/torch_train_step.py, ${os.cpus().length} threads) in the same rounds. Default rnam threads (${process.env.RNAM_THREADS ?? os.cpus().length}).\n`);
console.log('| workload | A wall ms | B wall ms | A/B wall (median of rounds) | A CPU ms | B CPU ms | A/B CPU | PyTorch ms | PyTorch / B |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const w of WORKLOADS) {
  const s = samples.get(w.id)!;
  const m = (xs: number[]) => median(xs);
  const ratio = (k: keyof Sample) => m(s.A.map((x, i) => x[k] / s.B[i][k]));
  const bWall = m(s.B.map((x) => x.wall_ms));
  const tm = s.torch.length ? m(s.torch) : NaN;
  console.log(`| ${w.kind} batch ${w.batch}, seq ${w.seq} | ${m(s.A.map((x) => x.wall_ms)).toFixed(1)} | ${bWall.toFixed(1)} | ${ratio('wall_ms').toFixed(3)} `
    + `| ${m(s.A.map((x) => x.cpu_ms)).toFixed(1)} | ${m(s.B.map((x) => x.cpu_ms)).toFixed(1)} | ${ratio('cpu_ms').toFixed(3)} `
    + `| ${Number.isFinite(tm) ? `${tm.toFixed(0)} (n=${s.torch.length})` : '—'} | ${Number.isFinite(tm) ? `${(tm / bWall).toFixed(1)}x` : '—'} |`);
}
