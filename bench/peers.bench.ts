// rnam side by side with its peers (PyTorch, TensorFlow.js) on the workloads of the "Speed" issue,
// in one run: every (library, workload) runs in its own child process, one after another, so each
// reports its own peak RSS and they do not compete for the cores. Prints a markdown table of median
// times, speedups and peak memory, and writes it to bench/results/peers-latest.md (and .json).
//   npm run bench:peers                 (about 6 minutes on 2 cores of an AMD EPYC, family 26 model 2; the slowest rows are PyTorch's seed model)
//   npm run bench:peers -- --quick      (fewer repetitions)
//   flags: --profile (per-kernel time of one rnam step of each seed workload), --reps N, --only seed-train,linear-fwd,...,
//          --no-torch, --no-tfjs
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const { values: a } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false }, profile: { type: 'boolean', default: false },
    reps: { type: 'string' }, only: { type: 'string' },
    'no-torch': { type: 'boolean', default: false }, 'no-tfjs': { type: 'boolean', default: false },
  },
});
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PYTHON = '/usr/bin/python3';
// Timed repetitions per row: up to `reps`; a slow row stops once `budget` seconds of repetitions are
// done and it has `minReps`. One untimed warm-up call comes first.
const reps = { reps: a.reps ? Number(a.reps) : a.quick ? 2 : 9, minReps: a.quick ? 1 : 3, budget: a.quick ? 5 : 20 };
const childTimeoutMs = (a.quick ? 150 : 400) * 1000;

type Lib = 'rnam' | 'tfjs' | 'torch';
interface Run { lib: Lib; workload: string; backend?: string; label: string; env?: Record<string, string>;
  /** The issue's target as a ratio to this peer (peer time / rnam time), checked on this row. */
  targetRatio?: number }
interface Workload { id: string; title: string; target: string; targetS?: number; targetRss?: number; rnam: Run; peers: Run[] }

const torch = (workload: string, label: string, targetRatio?: number): Run => ({ lib: 'torch', workload, label, targetRatio });
const tfjs = (backend: string, workload: string, label: string): Run => ({ lib: 'tfjs', backend, workload, label });
const WORKLOADS: Workload[] = [
  {
    id: 'seed-train', title: 'seed training step: FirstOrderRNAM terms 8, hidden 8, blocks 4, batch 128, seq 1024, AdamW, MSE',
    target: '>= 20x PyTorch, peak RSS <= 1 GB; 2 threads >= 1.8x 1 thread', targetRss: 1e9,
    rnam: { lib: 'rnam', workload: 'seed-train', label: 'FirstOrderRNAM' },
    // The "peer" of the second row is rnam itself on one thread: its speedup is the thread scaling.
    peers: [torch('seed-train', "PyTorch, the seed's model", 20),
      { lib: 'rnam', workload: 'seed-train', label: 'rnam on 1 thread (RNAM_THREADS=1)', env: { RNAM_THREADS: '1' }, targetRatio: 1.8 }],
  },
  {
    id: 'seed-train-small', title: 'the same training step at batch 32, seq 256', target: '>= 10x PyTorch',
    rnam: { lib: 'rnam', workload: 'seed-train-small', label: 'FirstOrderRNAM' },
    peers: [torch('seed-train-small', "PyTorch, the seed's model", 10)],
  },
  {
    id: 'seed-forward', title: 'the seed model (batch 128, seq 1024), forward only', target: '>= 20x PyTorch',
    rnam: { lib: 'rnam', workload: 'seed-forward', label: 'FirstOrderRNAM' },
    peers: [torch('seed-forward', "PyTorch, the seed's model", 20)],
  },
  {
    id: 'linear-fwd', title: 'grouped linear forward [8,131072,8] x [8,8,16] + bias', target: '<= 30 ms', targetS: 0.03,
    rnam: { lib: 'rnam', workload: 'linear-fwd', label: 'rnam.linear' },
    peers: [tfjs('wasm', 'linear-fwd', 'TF.js wasm: matMul + add'), tfjs('cpu', 'linear-fwd', 'TF.js cpu: matMul + add'),
      torch('linear-fwd', 'PyTorch: baddbmm')],
  },
  {
    id: 'linear-fwdbwd', title: 'the same, forward + backward (dx, dw, db)', target: '<= 100 ms', targetS: 0.1,
    rnam: { lib: 'rnam', workload: 'linear-fwdbwd', label: 'rnam.linear + backward' },
    peers: [tfjs('wasm', 'linear-fwdbwd', 'TF.js wasm: tf.grads'), tfjs('cpu', 'linear-fwdbwd', 'TF.js cpu: tf.grads'),
      torch('linear-fwdbwd', 'PyTorch: baddbmm + backward')],
  },
  {
    id: 'recurrent-train', title: 'one recurrent layer of 8 units on [128,1024,1], dense(1), MSE, Adam: training step',
    target: 'minGRU <= 40 ms', targetS: 0.04,
    rnam: { lib: 'rnam', workload: 'mingru-train', label: 'minGRU' },
    peers: [tfjs('wasm', 'gru-train', 'TF.js wasm: GRU'), tfjs('wasm', 'rnn-train', 'TF.js wasm: SimpleRNN'),
      tfjs('cpu', 'gru-train', 'TF.js cpu: GRU'), tfjs('cpu', 'rnn-train', 'TF.js cpu: SimpleRNN'),
      torch('gru-train', 'PyTorch: nn.GRU'), torch('rnn-train', 'PyTorch: nn.RNN'), torch('mingru-train', "PyTorch: the seed's minGRU")],
  },
];

interface Result { median_s: number; reps: number; times_s: number[]; peak_rss_bytes: number; version?: string; backend?: string; profile?: string }
type Outcome = { ok: true; r: Result; wallS: number } | { ok: false; why: string };

// Which peers exist on this machine; a missing one is reported and skipped.
function torchStatus(): string | null {
  if (a['no-torch']) return 'skipped (--no-torch)';
  const py = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (py.status === 0) return null;
  return `unavailable: ${PYTHON} with torch not found (${(py.stderr || String(py.error)).trim().split('\n').at(-1)}; apt-get install python3-torch)`;
}
function tfjsStatus(): string | null {
  if (a['no-tfjs']) return 'skipped (--no-tfjs)';
  try {
    const req = createRequire(import.meta.url);
    req.resolve('@tensorflow/tfjs');
    req.resolve('@tensorflow/tfjs-backend-wasm');
    return null;
  } catch {
    return 'unavailable: @tensorflow/tfjs and @tensorflow/tfjs-backend-wasm are not installed (npm install)';
  }
}
const missing: Record<Lib, string | null> = { rnam: null, torch: torchStatus(), tfjs: tfjsStatus() };

function command(run: Run, profile: boolean): [string, string[]] {
  const common = ['--workload', run.workload, '--reps', String(reps.reps), '--min-reps', String(reps.minReps), '--budget', String(reps.budget)];
  if (run.lib === 'torch') return [PYTHON, ['bench/torch_peers.py', ...common, '--threads', String(os.cpus().length)]];
  const script = run.lib === 'rnam' ? 'bench/peer-rnam.ts' : 'bench/peer-tfjs.ts';
  const extra = run.lib === 'tfjs' ? ['--backend', run.backend!] : profile ? ['--profile'] : [];
  return [process.execPath, ['--import', 'tsx', script, ...common, ...extra]];
}

let step = 0;
const total = WORKLOADS.reduce((n, w) => n + 1 + w.peers.length, 0);
function execute(run: Run, profile = false): Outcome {
  step++;
  if (missing[run.lib]) return { ok: false, why: missing[run.lib]! };
  const [cmd, args] = command(run, profile);
  process.stderr.write(`[${step}/${total}] ${run.lib}${run.backend ? ` ${run.backend}` : ''} ${run.workload}${run.env ? ` ${JSON.stringify(run.env)}` : ''} ... `);
  const t0 = performance.now();
  const child = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: childTimeoutMs, maxBuffer: 64 << 20, env: { ...process.env, ...run.env } });
  const wallS = (performance.now() - t0) / 1000;
  const last = child.stdout?.trim().split('\n').at(-1) ?? '';
  if (child.status === 0 && last.startsWith('{')) {
    const r = JSON.parse(last) as Result;
    process.stderr.write(`${fmtTime(r.median_s)} (median of ${r.reps}; ${wallS.toFixed(0)} s in all)\n`);
    return { ok: true, r, wallS };
  }
  const why = child.error?.message.includes('ETIMEDOUT') ? `timed out after ${childTimeoutMs / 1000} s`
    : `failed: ${(child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').filter(Boolean).at(-1)}`;
  process.stderr.write(`${why}\n`);
  return { ok: false, why };
}

function fmtTime(s: number): string {
  return s < 0.01 ? `${(s * 1000).toFixed(1)} ms` : s < 1 ? `${(s * 1000).toFixed(0)} ms` : `${s.toFixed(2)} s`;
}
const fmtRss = (b: number) => (b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / 1e6).toFixed(0)} MB`);
const cell = (o: Outcome) => (o.ok ? `${fmtTime(o.r.median_s)} (n=${o.r.reps})` : o.why);

// ---- run everything, one child at a time ----
const started = new Date();
const t0 = performance.now();
const load0 = os.loadavg()[0];
const only = a.only ? new Set(a.only.split(',')) : null;
const rows: string[] = [];
const raw: unknown[] = [];
const profiles: string[] = [];
const versions = { rnamBackend: '', torch: '', tfjsWasm: '', tfjsCpu: '', tfjs: '' };
for (const w of WORKLOADS) {
  if (only && !only.has(w.id)) { step += 1 + w.peers.length; continue; }
  const mine = execute(w.rnam, a.profile && w.id.startsWith('seed'));
  if (mine.ok) {
    versions.rnamBackend = mine.r.backend ?? '';
    if (mine.r.profile) profiles.push(mine.r.profile);
  }
  const rssMet = !mine.ok || w.targetRss === undefined || mine.r.peak_rss_bytes <= w.targetRss;
  const timeMet = !mine.ok || w.targetS === undefined || mine.r.median_s <= w.targetS;
  w.peers.forEach((peer, i) => {
    const theirs = execute(peer);
    if (theirs.ok) {
      if (peer.lib === 'torch') versions.torch = `${theirs.r.version}, ${theirs.r.backend}`;
      if (peer.lib === 'tfjs') {
        versions.tfjs = theirs.r.version ?? '';
        versions[peer.backend === 'wasm' ? 'tfjsWasm' : 'tfjsCpu'] = theirs.r.backend ?? '';
      }
    }
    const ratio = mine.ok && theirs.ok ? theirs.r.median_s / mine.r.median_s : NaN;
    const speedup = Number.isFinite(ratio) ? `${ratio.toFixed(ratio < 3 ? 2 : 1)}x` : '—';
    const first = i === 0;
    // Each row says whether its own target holds: the ratio to this peer, and (first row) time and memory.
    const checks = [...(peer.targetRatio !== undefined ? [Number.isFinite(ratio) && ratio >= peer.targetRatio] : []),
      ...(first && mine.ok ? [rssMet, timeMet] : [])];
    const met = !mine.ok ? '' : checks.every(Boolean) ? 'met' : 'not met';
    const targetCell = first ? `${w.target}: ${met}` : peer.targetRatio !== undefined ? `>= ${peer.targetRatio}x: ${met}` : '';
    rows.push(`| ${first ? w.title : ''} | ${first ? `${w.rnam.label}: ${cell(mine)}` : ''} | ${first && mine.ok ? fmtRss(mine.r.peak_rss_bytes) : ''} `
      + `| ${peer.label} | ${cell(theirs)} | ${theirs.ok ? fmtRss(theirs.r.peak_rss_bytes) : '—'} | ${speedup} | ${targetCell} |`);
    raw.push({ workload: w.id, peer: peer.label, rnam: mine, peerResult: theirs });
  });
}
const elapsedS = (performance.now() - t0) / 1000;

// ---- report ----
const cpus = os.cpus();
/** os.cpus() names only "AMD EPYC" on some VMs: add the family/model and the vector extensions from /proc/cpuinfo. */
function cpuDetails(): string {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const field = (name: string) => info.match(new RegExp(`^${name}\\s*: (.*)$`, 'm'))?.[1]?.trim();
    const flags = field('flags')?.split(' ') ?? [];
    const vector = flags.includes('avx512f') ? 'AVX-512' : flags.includes('avx2') ? 'AVX2' : 'no AVX2';
    return ` (${field('vendor_id') ?? ''} family ${field('cpu family')} model ${field('model')}, ${vector})`;
  } catch {
    return '';
  }
}
const header = [
  `# rnam and its peers, side by side`,
  '',
  `Run ${started.toISOString()} with \`npm run bench:peers${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\`, `
    + `${elapsedS.toFixed(0)} s in all.`,
  '',
  `- machine: ${cpus[0]?.model ?? 'CPU'}${cpuDetails()}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, `
    + `load average ${load0.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`,
  `- Node ${process.version}; rnam: ${versions.rnamBackend || 'not measured'}`,
  `- PyTorch: ${missing.torch ?? (versions.torch || 'not measured')}`,
  `- TensorFlow.js: ${missing.tfjs ?? (versions.tfjs ? `${versions.tfjs}; backends ${versions.tfjsWasm || 'wasm not measured'} and ${versions.tfjsCpu || 'cpu not measured'}` : 'not measured')}`,
  `- times: median of n timed repetitions after one warm-up, each (library, workload) in its own process; up to ${reps.reps} repetitions, `
    + `fewer (at least ${reps.minReps}) once ${reps.budget} s of repetitions are done. Peak RSS is that process's maxRSS.`,
  '- the grouped-linear rows do not read the output back (every backend here runs synchronously); training steps read the loss back.',
  '',
];
const table = [
  '| workload | rnam | rnam peak RSS | peer | peer time | peer peak RSS | rnam speedup (peer/rnam) | target (issue) |',
  '|---|---|---:|---|---|---:|---:|---|',
  ...rows,
];
const text = [...header, ...table, ...profiles.flatMap((p) => ['', p])].join('\n');
console.log(`\n${text}`);
// A partial run (--only) leaves the saved full results alone.
if (!only) {
  const outDir = path.join(root, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'peers-latest.md'), `${text}\n`);
  writeFileSync(path.join(outDir, 'peers-latest.json'), `${JSON.stringify({ started, elapsedS, reps, versions, results: raw }, null, 1)}\n`);
  console.log(`\nwritten to bench/results/peers-latest.md and .json (${elapsedS.toFixed(0)} s)`);
}
