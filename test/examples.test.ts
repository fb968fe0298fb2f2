// The shipped public data sets train and predict through the command line as their notes say, from the
// CSV as it is (empty cells, text labels and columns, irregular visits included): a model file, a report
// with finite test metrics, and predictions whose intercept plus contributions give each output.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Papa from 'papaparse';
import { main } from '../src/cli/main.js';

const test = suite('shipped data sets through the command line');
const dir = mkdtempSync(join(tmpdir(), 'rnam-examples-'));
const data = (name: string) => join(import.meta.dirname, '..', 'examples', 'data', name);
// Short runs: these check the path from the file to explained predictions, not accuracy (bench/accuracy.ts does that).
const quick = ['--epochs', '4', '--members', '2', '--no-progress', '--device', 'wasm'];

const cases: [name: string, args: string[], metric: string][] = [
  ['csl.csv', ['--id', 'id', '--time', 'day', '--target', 'died_within_3y'], 'auc'],
  ['cps1985.csv', ['--id', 'row', '--target', 'wage'], 'rmse'],
  ['ozone.csv', ['--time', 'date', '--target', 'ozone', '--window', '7'], 'rmse'],
];

for (const [name, args, metric] of cases) {
  test(`${name} trains as it is and its predictions add up`, async () => {
    const out = join(dir, name.replace('.csv', ''));
    const log: string[] = [];
    const code = await main(['train', data(name), ...args, '--out', out, ...quick], (l) => log.push(l));
    assert.is(code, 0, log.join('\n'));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    assert.ok(Number.isFinite(report.metrics.test[metric]), `${metric}: ${JSON.stringify(report.metrics.test)}`);
    const preds = join(out, 'predictions.csv');
    assert.is(await main(['predict', join(out, 'model.safetensors'), data(name), '--out', preds], () => {}), 0);
    assert.ok(existsSync(preds));
    const rows = Papa.parse<Record<string, string>>(readFileSync(preds, 'utf8'), { header: true, skipEmptyLines: true }).data;
    assert.ok(rows.length > 0);
    for (const r of rows) {
      const parts = Object.keys(r).filter((k) => k.startsWith('contribution_')).reduce((s, k) => s + Number(r[k]), Number(r.intercept));
      const prediction = Number(r.prediction);
      assert.ok(Number.isFinite(prediction), `prediction ${r.prediction} for ${r.id} ${r.time}`);
      // Binary: the parts add up to the logit of the positive class.
      const output = metric === 'auc' ? Math.log(prediction / (1 - prediction)) : prediction;
      assert.ok(Math.abs(parts - output) <= 1e-3 * Math.max(1, Math.abs(output)), `${name} ${r.id} ${r.time}: ${parts} vs ${output}`);
    }
  });
}

test.run();
