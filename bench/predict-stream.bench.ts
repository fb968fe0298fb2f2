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
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as rnam from '../src/index.js';
import { cpuDetails } from './floor/machine.js';
import { peakPreload, runCli, writeCsv } from './stream-csv.js';

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

const preload = peakPreload(dir);

/** Runs `rnam predict` in a child; its wall time, peak RSS (MB) and the summary line. */
async function predict(model: string, data: string, out: string, extra: string[] = []): Promise<{ seconds: number; peakMb: number; line: string }> {
  const r = await runCli(preload, bin, ['predict', model, data, '--out', out, '--device', 'wasm', ...extra]);
  return { seconds: r.seconds, peakMb: r.peakMb, line: r.stderr.split('\n').find((l) => l.startsWith('wrote')) ?? '' };
}

const mode = window === undefined ? 'panel' : `window ${window}`;
console.log(`# rnam predict, streamed: ${ids} ids x ${steps} steps x ${F} features (${mode}), wasm`);
console.log(`machine: ${cpuDetails()}; Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (shared: timings under load)`);
const big = path.join(dir, 'big.csv'), small = path.join(dir, 'small.csv'), trainFile = path.join(dir, 'train.csv');
const compare = compareIds > 0 && compareIds <= ids;
let t0 = performance.now();
const rows = await writeCsv(big, ids, [{ file: trainFile, count: Math.min(trainIds, ids) }, ...(compare ? [{ file: small, count: compareIds }] : [])], steps, F);
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
