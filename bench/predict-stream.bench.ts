// `rnam predict` on a CSV far larger than the memory it may use. Generates ids x steps rows of
// `features` numeric features and a target (default 100,000 x 100 x 8: 10 million rows) in a temp
// folder, trains a small model on a slice of it (trainTable: one member, two epochs), then runs the
// built CLI (bin/rnam.js predict, wasm) as a child process and reports its wall time, input rows per
// second and peak RSS (VmHWM, read from /proc/self/status as the child exits). --compare-ids N runs
// the streamed and the whole-file path (--in-memory) on the first N ids as well, and checks that
// their outputs are the same bytes. Exits 1 when a streamed run peaks above --limit-mb (default 500).
//   npm run bench:predict-stream -- [--ids 100000] [--steps 100] [--features 8] [--window W]
//                                   [--compare-ids 20000] [--train-ids 1000] [--limit-mb 500] [--keep]
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as rnam from '../src/index.js';
import { cpuDetails } from './floor/machine.js';

const { values: a } = parseArgs({
  options: {
    ids: { type: 'string', default: '100000' }, steps: { type: 'string', default: '100' }, features: { type: 'string', default: '8' },
    window: { type: 'string' }, 'compare-ids': { type: 'string', default: '20000' }, 'train-ids': { type: 'string', default: '1000' },
    'limit-mb': { type: 'string', default: '500' }, keep: { type: 'boolean', default: false },
  },
});
const ids = Number(a.ids), steps = Number(a.steps), F = Number(a.features), window = a.window === undefined ? undefined : Number(a.window);
const compareIds = Number(a['compare-ids']), trainIds = Number(a['train-ids']), limitMb = Number(a['limit-mb']);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'rnam.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'rnam-predict-stream-'));

/** A fast deterministic uniform in [0, 1) (xorshift32): 10^9 cells must not wait on the generator. */
function uniform(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Writes ids x steps rows: id,t,x0..x{F-1},y (y: a noisy sum of the id's levels); `prefixes` get the
 * header and the first `count` ids as files of their own (the training slice, the comparison file).
 */
async function writeCsv(file: string, count: number, prefixes: { file: string; count: number }[]): Promise<number> {
  const outs = [{ file, count }, ...prefixes].map((p) => ({ ...p, out: createWriteStream(p.file) }));
  const u = uniform(12345);
  const header = ['id', 't', ...Array.from({ length: F }, (_, j) => `x${j}`), 'y'].join(',') + '\n';
  for (const o of outs) o.out.write(header);
  let block = '';
  const flush = async (e: number) => {
    for (const o of outs) if (e < o.count && !o.out.write(block)) await once(o.out, 'drain');
    block = '';
  };
  for (let e = 0; e < count; e++) {
    const level = Array.from({ length: F }, () => u() * 2 - 1);
    for (let t = 0; t < steps; t++) {
      let line = `e${e},${t}`, y = 0;
      for (let j = 0; j < F; j++) {
        line += ',' + (level[j] + (u() - 0.5) * 0.6).toFixed(3);
        y += (j % 2 === 0 ? 1 : -0.5) * level[j];
      }
      block += `${line},${(y + (u() - 0.5) * 0.2).toFixed(3)}\n`;
    }
    // Blocks end at id boundaries, so each prefix file holds whole ids.
    if (block.length > 1 << 20 || prefixes.some((p) => p.count === e + 1)) await flush(e);
  }
  await flush(count - 1);
  for (const o of outs) o.out.end();
  await Promise.all(outs.map((o) => once(o.out, 'finish')));
  return count * steps;
}

const preload = path.join(dir, 'peak.mjs');
writeFileSync(preload, `import { readFileSync, writeSync } from 'node:fs';
process.on('exit', () => { const m = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8')); writeSync(2, 'VmHWM ' + (m ? m[1] : '?') + '\\n'); });
`);

/** Runs `rnam predict` in a child; its wall time, peak RSS (MB) and the summary line. */
async function predict(model: string, data: string, out: string, extra: string[] = []): Promise<{ seconds: number; peakMb: number; line: string }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', preload, bin, 'predict', model, data, '--out', out, '--device', 'wasm', ...extra], { stdio: ['ignore', 'inherit', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const [code] = await once(child, 'close') as [number];
  const seconds = (performance.now() - t0) / 1000;
  if (code !== 0) throw new Error(`rnam predict exited ${code}: ${err}`);
  const peak = /VmHWM (\d+)/.exec(err);
  return { seconds, peakMb: peak ? Number(peak[1]) / 1024 : NaN, line: err.split('\n').find((l) => l.startsWith('wrote')) ?? '' };
}

const mode = window === undefined ? 'panel' : `window ${window}`;
console.log(`# rnam predict, streamed: ${ids} ids x ${steps} steps x ${F} features (${mode}), wasm`);
console.log(`machine: ${cpuDetails()}; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (shared: timings under load)`);
const big = path.join(dir, 'big.csv'), small = path.join(dir, 'small.csv'), trainFile = path.join(dir, 'train.csv');
const compare = compareIds > 0 && compareIds <= ids;
let t0 = performance.now();
const rows = await writeCsv(big, ids, [{ file: trainFile, count: Math.min(trainIds, ids) }, ...(compare ? [{ file: small, count: compareIds }] : [])]);
console.log(`generated ${rows} rows, ${(statSync(big).size / 2 ** 20).toFixed(0)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

t0 = performance.now();
const trained = await rnam.trainTable(readFileSync(trainFile, 'utf8'), {
  id: 'id', time: 't', target: 'y', ...(window !== undefined ? { window } : {}), members: 1, epochs: 2, hiddenDim: 8, device: 'wasm', log: null, progress: false,
});
const model = path.join(dir, 'model.safetensors');
writeFileSync(model, await rnam.saveTrained(trained));
console.log(`trained on the first ${trainIds} ids in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const results: { what: string; rows: number; seconds: number; peakMb: number }[] = [];
const report = (what: string, n: number, r: { seconds: number; peakMb: number; line: string }) => {
  results.push({ what, rows: n, seconds: r.seconds, peakMb: r.peakMb });
  console.log(`${what}: ${n} rows in ${r.seconds.toFixed(1)} s = ${Math.round(n / r.seconds)} rows/s, peak RSS ${r.peakMb.toFixed(0)} MB (${r.line})`);
};
const streamed = await predict(model, big, path.join(dir, 'pred.csv'));
report('streamed', rows, streamed);
let failed = streamed.peakMb > limitMb;

if (compare) {
  const n = compareIds * steps;
  const s = await predict(model, small, path.join(dir, 'small-stream.csv'));
  report(`streamed, first ${compareIds} ids`, n, s);
  const w = await predict(model, small, path.join(dir, 'small-whole.csv'), ['--in-memory']);
  report(`whole file (--in-memory), first ${compareIds} ids`, n, w);
  const same = readFileSync(path.join(dir, 'small-stream.csv')).equals(readFileSync(path.join(dir, 'small-whole.csv')));
  console.log(`streamed and whole-file outputs: ${same ? 'the same bytes' : 'DIFFERENT'}; peak RSS whole/streamed ${(w.peakMb / s.peakMb).toFixed(2)}x, wall ${(w.seconds / s.seconds).toFixed(2)}x`);
  failed ||= !same || s.peakMb > limitMb;
}
console.log(JSON.stringify({ ids, steps, features: F, mode, results }));
if (a.keep) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
if (failed) {
  console.error(`FAILED: a streamed run peaked above ${limitMb} MB, or the outputs differ`);
  process.exitCode = 1;
}
