// The shipped panel with empty lab cells (examples/data/nafld.csv) trains as it is, through the one
// path users call: the figures of its note (rows, patients, deaths, empty cells), the column roles
// docs/accuracy.md describes, and finite outputs with intercept + contributions = the logit for every
// patient, those whose lab was never measured included. And every shipped data set trains and predicts
// through the command line as its note says, from the CSV as it is, with predictions that add up.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import * as rnam from '../src/index.js';
import { main } from '../src/cli/main.js';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const csv = readFileSync(join(root, 'examples', 'data', 'nafld.csv'), 'utf8');

const test = suite('shipped data');

test('nafld.csv: the figures of examples/data/nafld.md', () => {
  const [head, ...lines] = csv.trim().split('\n');
  const header = head.split(','), rows = lines.map((l) => l.split(','));
  assert.is(rows.length, 8829);
  const col = (name: string) => header.indexOf(name);
  const last = new Map(rows.map((r) => [r[col('id')], r[col('died_within_5y')]]));
  assert.is(last.size, 2015);
  assert.is([...last.values()].filter((y) => y === '1').length, 202);
  const empty = (name: string) => rows.filter((r) => r[col(name)] === '').length;
  assert.equal(['hdl', 'sbp', 'fib4', 'smoke'].map(empty), [2191, 6865, 8538, 8608]);
  const measured = (name: string) => new Set(rows.filter((r) => r[col(name)] !== '').map((r) => r[col('id')])).size;
  assert.equal(['hdl', 'sbp', 'fib4', 'smoke'].map((n) => 2015 - measured(n)), [72, 1213, 1724, 1852], 'patients never measured');
  // fib4 holds at most one value per patient: the column rule reads it as static (see docs/accuracy.md)
  const fib4 = new Map<string, number>();
  for (const r of rows) if (r[col('fib4')] !== '') fib4.set(r[col('id')], (fib4.get(r[col('id')]) ?? 0) + 1);
  assert.is(Math.max(...fib4.values()), 1);
});

test('nafld.csv trains as it is: roles, the missing mask, finite outputs for every patient', async () => {
  const trained = await rnam.trainTable(csv, { id: 'id', time: 'day', target: 'died_within_5y', epochs: 1, members: 1, device: 'wasm', log: null, progress: false });
  const r = trained.preprocessing.record;
  assert.is(trained.preprocessing.task, 'binary');
  assert.is(r.missing, 'mask');
  assert.equal(r.columns.static, ['fib4', 'age', 'bmi']);
  assert.equal(r.columns.categorical, ['sex', 'diabetes', 'hypertension', 'dyslipidemia', 'cardiovascular']);
  const p = await rnam.predictTable(trained, csv);
  assert.equal([...p.featureNames], ['hdl', 'sbp', 'smoke', 'fib4', 'age', 'bmi', 'sex', 'diabetes', 'hypertension', 'dyslipidemia', 'cardiovascular']);
  assert.is(p.samples, 2015);
  assert.ok(p.targetKnown.every(Boolean));
  for (let i = 0; i < p.samples; i++) {
    let z = p.intercept[i];
    for (let t = 0; t < p.featureNames.length; t++) {
      const c = p.contributions[t * p.samples + i];
      assert.ok(Number.isFinite(c), `patient ${p.ids[i]}: contribution of ${p.featureNames[t]} is ${c}`);
      z += c;
    }
    assert.ok(Number.isFinite(p.output[i]) && Math.abs(z - p.output[i]) < 1e-5 * (1 + Math.abs(z)), `patient ${p.ids[i]}: intercept + contributions ${z} vs the logit ${p.output[i]}`);
  }
});

const dir = mkdtempSync(join(tmpdir(), 'rnam-shipped-'));
const data = (name: string) => join(root, 'examples', 'data', name);
// Short runs: these check the path from the file to explained predictions, not accuracy (bench/accuracy.ts does that).
const quick = ['--epochs', '4', '--members', '2', '--no-progress', '--device', 'wasm'];

const cases: [name: string, args: string[], metric: string, said?: string][] = [
  ['csl.csv', ['--id', 'id', '--time', 'day', '--target', 'died_within_3y'], 'auc'],
  ['cps1985.csv', ['--id', 'row', '--target', 'wage'], 'rmse'],
  ['flchain.csv', ['--id', 'row', '--target', 'died_within_5y'], 'auc', 'read as log(1 + value), heavily right-skewed: kappa, lambda, creatinine'],
  ['ozone.csv', ['--time', 'date', '--target', 'ozone', '--window', '7'], 'rmse'],
  ['penguins.csv', ['--id', 'row', '--target', 'species'], 'logLoss', 'classes: Adelie, Chinstrap, Gentoo'],
];

for (const [name, args, metric, said] of cases) {
  test(`${name} trains as it is and its predictions add up`, async () => {
    const out = join(dir, name.replace('.csv', ''));
    const log: string[] = [];
    const code = await main(['train', data(name), ...args, '--out', out, ...quick], (l) => log.push(l));
    assert.is(code, 0, log.join('\n'));
    if (said) assert.ok(log.some((l) => l.startsWith(said)), `'${said}' in:\n${log.join('\n')}`);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.ok(Number.isFinite(report.metrics.test[metric]), `${metric}: ${JSON.stringify(report.metrics.test)}`);
    const preds = join(out, 'predictions.csv');
    assert.is(await main(['predict', join(out, 'model.safetensors'), data(name), '--out', preds], () => {}), 0);
    assert.ok(existsSync(preds));
    const rows = Papa.parse<Record<string, string>>(readFileSync(preds, 'utf8'), { header: true, skipEmptyLines: true }).data;
    assert.ok(rows.length > 0);
    for (const r of rows) {
      const parts = Object.keys(r).filter((k) => k.startsWith('contribution_')).reduce((s, k) => s + Number(r[k]), Number(r.intercept));
      if (metric === 'logLoss') {
        // Multiclass: the predicted class is the most probable one, and the probabilities sum to 1.
        const p = Object.keys(r).filter((k) => k.startsWith('p_')).map((k) => [k.slice(2), Number(r[k])] as const);
        assert.ok(Math.abs(p.reduce((s, [, v]) => s + v, 0) - 1) < 1e-5 && Number.isFinite(parts), `${name} ${r.id}: ${JSON.stringify(p)}`);
        assert.is(r.prediction, p.reduce((best, c) => (c[1] > best[1] ? c : best))[0], `${name} ${r.id}`);
        continue;
      }
      const prediction = Number(r.prediction);
      assert.ok(Number.isFinite(prediction), `prediction ${r.prediction} for ${r.id} ${r.time}`);
      // Binary: the parts add up to the logit of the positive class.
      const output = metric === 'auc' ? Math.log(prediction / (1 - prediction)) : prediction;
      assert.ok(Math.abs(parts - output) <= 1e-3 * Math.max(1, Math.abs(output)), `${name} ${r.id} ${r.time}: ${parts} vs ${output}`);
    }
  });
}

test.run();
