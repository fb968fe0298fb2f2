// `rnam train --stream` on a CSV far larger than the memory it may use. Generates ids x steps rows of
// `features` numeric features and a target (default 30,000 x 100 x 8: 3 million rows) in a temp
// folder, runs the built CLI (bin/rnam.js train --stream, wasm, one epoch) as a child process and
// reports its wall time, rows of the file per second and peak RSS (VmHWM). --compare-ids
// N trains the first N ids both streamed and read whole (--in-memory, one member) for the peak RSS of
// each on the same rows. Exits 1 when a streamed run peaks above --limit-mb (default 500).
//   npm run bench:train-stream -- [--ids 30000] [--steps 100] [--features 8] [--epochs 1]
//                                 [--compare-ids 5000] [--limit-mb 500] [--keep]
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuDetails } from './floor/machine.js';
import { peakPreload, runCli, writeCsv } from './stream-csv.js';

const { values: a } = parseArgs({
  options: {
    ids: { type: 'string', default: '30000' }, steps: { type: 'string', default: '100' }, features: { type: 'string', default: '8' },
    epochs: { type: 'string', default: '1' }, 'compare-ids': { type: 'string', default: '5000' }, 'limit-mb': { type: 'string', default: '500' },
    keep: { type: 'boolean', default: false },
  },
});
const ids = Number(a.ids), steps = Number(a.steps), F = Number(a.features), epochs = Number(a.epochs);
const compareIds = Number(a['compare-ids']), limitMb = Number(a['limit-mb']);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(root, 'bin', 'rnam.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'rnam-train-stream-'));
const preload = peakPreload(dir);

console.log(`# rnam train --stream: ${ids} ids x ${steps} steps x ${F} features (panel), ${epochs} epoch(s), wasm`);
console.log(`machine: ${cpuDetails()}; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (shared: timings under load)`);
const big = path.join(dir, 'big.csv'), small = path.join(dir, 'small.csv');
const compare = compareIds > 0 && compareIds <= ids;
const t0 = performance.now();
const rows = await writeCsv(big, ids, compare ? [{ file: small, count: compareIds }] : [], steps, F);
console.log(`generated ${rows} rows, ${(statSync(big).size / 2 ** 20).toFixed(0)} MiB, in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const results: { what: string; rows: number; seconds: number; peakMb: number }[] = [];
async function train(what: string, file: string, n: number, extra: string[]): Promise<{ seconds: number; peakMb: number }> {
  const r = await runCli(preload, bin, ['train', file, '--id', 'id', '--time', 't', '--target', 'y', '--epochs', String(epochs), '--hidden', '8',
    '--device', 'wasm', '--no-progress', '--out', path.join(dir, what.replace(/\W+/g, '-')), ...extra]);
  results.push({ what, rows: n, seconds: r.seconds, peakMb: r.peakMb });
  const test = r.stderr.split('\n').find((l) => l.startsWith('test ')) ?? '';
  console.log(`${what}: ${n} rows in ${r.seconds.toFixed(1)} s = ${Math.round(n / r.seconds)} rows/s of the file, peak RSS ${r.peakMb.toFixed(0)} MB ${test ? `(${test})` : ''}`);
  return r;
}
const streamed = await train('streamed', big, rows, ['--stream']);
let failed = streamed.peakMb > limitMb;
if (compare) {
  const n = compareIds * steps;
  const s = await train(`streamed, first ${compareIds} ids`, small, n, ['--stream']);
  const w = await train(`in memory, first ${compareIds} ids`, small, n, ['--in-memory', '--members', '1']);
  console.log(`peak RSS in memory/streamed on the same ${n} rows: ${(w.peakMb / s.peakMb).toFixed(2)}x; wall ${(w.seconds / s.seconds).toFixed(2)}x`);
  failed ||= s.peakMb > limitMb;
}
console.log(`a streamed epoch reads the file twice (training, validation loss); the preprocessing reads it twice before, the centering and the metrics once after: ${2 + 2 * epochs + 1} reads in all`);
console.log(JSON.stringify({ ids, steps, features: F, epochs, results }));
if (a.keep) console.log(`kept ${dir}`);
else rmSync(dir, { recursive: true, force: true });
if (failed) {
  console.error(`FAILED: a streamed run peaked above ${limitMb} MB`);
  process.exitCode = 1;
}
