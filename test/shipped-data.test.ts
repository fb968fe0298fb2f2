// The shipped panel with empty lab cells (examples/data/nafld.csv) trains as it is, through the one
// path users call: the figures of its note (rows, patients, deaths, empty cells), the column roles
// docs/accuracy.md describes, and finite outputs with intercept + contributions = the logit for every
// patient, those whose lab was never measured included.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rnam from '../src/index.js';

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

test.run();
