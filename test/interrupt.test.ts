// Stopping a training run part-way: `rnam train` on the first Ctrl-C (SIGINT) or SIGTERM stops after
// the running batch and writes what was trained, a second exits at once with 130 writing nothing;
// fit, stopped by StopTraining part-way through an epoch, gives back its best epoch's weights.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { StopTraining } from '../src/train/stop-training.js';

const test = suite('stopping a training run part-way');
const dir = mkdtempSync(join(tmpdir(), 'rnam-interrupt-'));
const bin = join(import.meta.dirname, '..', 'bin', 'rnam.js');

/** A table that keeps training for many epochs: 400 rows, the outcome from two features and noise. */
function tableCsv(): string {
  const g = new rnam.Generator(3), lines = ['a,b,y'];
  for (let i = 0; i < 400; i++) {
    const a = g.normal(), b = g.normal();
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${a + 0.5 * b + g.normal() > 0 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}
const data = join(dir, 'table.csv');
writeFileSync(data, tableCsv());

/** Runs `rnam train` and sends `signal` once per line of `after` seen on stderr; resolves with the exit code and stderr. */
function trainAndSignal(out: string, signal: NodeJS.Signals, after: RegExp[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'train', data, '--target', 'y', '--epochs', '5000', '--patience', '5000', '--members', '2', '--device', 'wasm', '--no-progress', '--out', out]);
    let stderr = '', next = 0;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      while (next < after.length && after[next].test(stderr)) {
        next++;
        child.kill(signal);
      }
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

test('the first Ctrl-C stops after the running batch and writes the model, its report saying it stopped', async () => {
  const out = join(dir, 'once');
  const { code, stderr } = await trainAndSignal(out, 'SIGINT', [/\n003: /]);
  assert.is(code, 0, stderr);
  assert.match(stderr, /Ctrl-C: stopping after this batch; the model keeps each member's best epoch so far and is written \(Ctrl-C again stops at once, writing nothing\)/);
  assert.match(stderr, /stopped during epoch \d+/);
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as rnam.Report;
  assert.is(report.stopped, true);
  assert.ok(report.history.length < 5000 && report.history.length >= 3, `${report.history.length} epochs`);
  // The model loads and predicts.
  const trained = await rnam.loadTrained(readFileSync(join(out, 'model.safetensors')));
  assert.is((await rnam.predictTable(trained, readFileSync(data, 'utf8'))).samples, 400);
});

test('SIGTERM twice: stops at once with 143, writing nothing (no model, no temporary file)', async () => {
  const out = join(dir, 'twice');
  const { code, stderr } = await trainAndSignal(out, 'SIGTERM', [/\n002: /, /SIGTERM: stopping after this batch/]);
  assert.is(code, 143, stderr);
  assert.match(stderr, /SIGTERM: stopped at once, nothing written/);
  assert.ok(!existsSync(out) || readdirSync(out).length === 0, `nothing in ${out}: ${existsSync(out) ? readdirSync(out).join(', ') : ''}`);
});

test("fit stopped part-way through an epoch gives back its best epoch's weights (the first-order model, one member)", async () => {
  const g = new rnam.Generator(4), lines = ['t,x,y'];
  let y = 0;
  for (let t = 0; t < 300; t++) lines.push(`${t},${g.normal().toFixed(3)},${(y = 0.8 * y + g.normal()).toFixed(3)}`);
  let batches = 0, epochs = 0;
  const trained = await rnam.trainTable(lines.join('\n'), {
    model: 'first-order', time: 't', target: 'y', window: 6, epochs: 200, patience: 200, batchSize: 16, lr: 0.02, device: 'wasm', log: null, progress: false,
    onEpoch: () => void epochs++, onBatch: () => void batches++, shouldStop: () => epochs >= 8 && batches % 5 === 2,
  });
  assert.is(trained.report.stopped, true);
  const losses = trained.history.map((h) => h.valLoss!);
  assert.ok(losses.length >= 8, `${losses.length} epochs`);
  const best = Math.min(...losses);
  // The weights are the best epoch's: their validation loss is that epoch's, to the bit (wasm is deterministic).
  const now = await rnam.evaluate(trained.model, trained.datasets.validation!, { task: 'regression', batchSize: 16 });
  assert.is(now.loss, best, `validation loss ${now.loss}, the best epoch's ${best} (epochs: ${losses.map((l) => l.toFixed(4)).join(' ')})`);
  // StopTraining is what shouldStop throws inside: a plain error from onBatch is an error.
  const failing = await rnam.trainTable(lines.join('\n'), { model: 'first-order', time: 't', target: 'y', window: 6, epochs: 2, device: 'wasm', log: null, progress: false,
    onBatch: () => { throw new Error('boom'); } }).then(() => null, (e) => e);
  assert.match(failing?.message ?? '', /boom/);
  assert.ok(new StopTraining() instanceof Error);
});

test.run();
