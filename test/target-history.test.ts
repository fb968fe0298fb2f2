// Panel mode with targetHistory: the target's earlier values are a time-varying feature named as
// the target, and its value at the row predicted is hidden (read as unobserved, the earlier value
// carried), in training and at predict time, through the model file; the options that cannot hold
// it are errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const quiet = { log: null, progress: false } as const;

/** Ids with 3-5 visits; y is a score that drifts from visit to visit (regression), x a noisy lab. */
function scoresCsv(ids: number, seed: number): string {
  const gen = new rnam.Generator(seed), lines = ['id,day,x,y'];
  for (let i = 0; i < ids; i++) {
    let y = gen.normal() * 3;
    const visits = 3 + gen.int(3);
    for (let v = 0; v < visits; v++) {
      y += gen.normal() * 0.3;
      lines.push(`p${i},${v * 10 + gen.int(5)},${(gen.normal()).toFixed(3)},${y.toFixed(3)}`);
    }
  }
  return lines.join('\n') + '\n';
}

const test = suite('target history');

test('the target term reads each earlier value; at the row predicted it is unobserved and the earlier value is carried', () => {
  const csv = 'id,day,x,y\na,0,1,10\na,1,2,20\na,2,3,30\nb,0,1,5\nb,1,2,6\nc,0,4,7\nc,1,5,8\nc,2,6,\n';
  const { preprocessing: pre, datasets } = rnam.Preprocessing.fit(rnam.readCsv(csv), { id: 'id', time: 'day', target: 'y', targetHistory: true, split: { validation: 0, test: 0 } });
  assert.equal(pre.featureNames, ['x', 'y']);
  assert.is(pre.toRecord().targetHistory, true);
  const ds = datasets.train as rnam.MixedDataset, n = ds.samples, S = ds.seq, D = ds.stepInputs;
  const term = 1, sampleOf = (id: string) => ds.sampleIds.indexOf(id);
  const raw = (id: string) => Array.from(ds.rawSequence.subarray((term * n + sampleOf(id)) * S, (term * n + sampleOf(id)) * S + ds.lengths[sampleOf(id)]));
  const observed = (id: string) => raw(id).map((_, t) => ds.sequence[((term * n + sampleOf(id)) * S + t) * D + 1]);
  const value = (id: string, t: number) => ds.sequence[((term * n + sampleOf(id)) * S + t) * D];
  // a: target 30 at day 2, read as 10, 20 and then hidden; its value input repeats 20's.
  assert.equal(raw('a'), [10, 20, NaN]);
  assert.equal(observed('a'), [1, 1, 0]);
  assert.is(value('a', 2), value('a', 1));
  assert.equal(Array.from(ds.rawTargets.subarray(sampleOf('a'), sampleOf('a') + 1)), [30]);
  // c: its last known target is day 1's 8 (day 2 has none): the sample ends there, 8 hidden.
  assert.equal(raw('c'), [7, NaN]);
  // The other features are untouched.
  const xs = Array.from(ds.rawSequence.subarray(sampleOf('a') * S, sampleOf('a') * S + 3));
  assert.equal(xs, [1, 2, 3]);
  // New data: the row predicted is the id's last; a known target there is hidden too, an earlier one read.
  const fresh = pre.transform(rnam.readCsv('id,day,x,y\nq,0,1,3\nq,1,1,4\nq,2,1,\nr,0,1,9\nr,1,1,11\n')) as rnam.MixedDataset;
  const rawOf = (d: rnam.MixedDataset, i: number) => Array.from(d.rawSequence.subarray((1 * d.samples + i) * d.seq, (1 * d.samples + i) * d.seq + d.lengths[i]));
  assert.equal(rawOf(fresh, 0), [3, 4, NaN]);
  assert.equal(rawOf(fresh, 1), [9, NaN]);
});

test('no leak: a final value unrelated to the history is not learned; a drifting score is, and the model file keeps the rule', async () => {
  // The last label is a coin flip; earlier labels are other coin flips. Read, the hidden value would make training perfect.
  const gen = new rnam.Generator(3), lines = ['id,day,x,y'];
  for (let i = 0; i < 200; i++) for (let v = 0; v < 4; v++) lines.push(`p${i},${v},${gen.normal().toFixed(3)},${gen.uniform() < 0.5 ? 1 : 0}`);
  const coin = await rnam.trainTable(lines.join('\n'), { id: 'id', time: 'day', target: 'y', targetHistory: true, members: 1, epochs: 30, device: 'wasm', ...quiet });
  assert.ok(coin.report.metrics.train!.auc < 0.75, `train AUC ${coin.report.metrics.train!.auc}: the hidden label leaked`);
  // Streamed in chunks of whole ids, the same rule.
  const streamed = await rnam.trainStream(() => ({ csv: [lines.join('\n')] }), { id: 'id', time: 'day', target: 'y', targetHistory: true, epochs: 30, chunkSamples: 50, device: 'wasm', ...quiet });
  assert.is(streamed.preprocessing.toRecord().targetHistory, true);
  assert.ok(streamed.report.metrics.validation!.auc < 0.75, JSON.stringify(streamed.report.metrics));
  // A score that drifts: its last earlier value predicts it; without the history nothing does.
  const csv = scoresCsv(240, 5);
  const options = { id: 'id', time: 'day', target: 'y', members: 2, epochs: 60, device: 'wasm', ...quiet } as const;
  const without = await rnam.trainTable(csv, options);
  const said: string[] = [];
  const withHistory = await rnam.trainTable(csv, { ...options, targetHistory: true, log: (l) => said.push(l) });
  assert.ok(said.includes("target history: the target 'y' is also a time-varying feature, its value at the row predicted hidden"), said.join('\n'));
  assert.not.ok(said.some((l) => l.startsWith("note: the target 'y' changes within")), 'no note suggesting what is done');
  const rmse = (t: rnam.TrainedTable) => t.report.metrics.test!.rmse;
  assert.ok(rmse(withHistory) < 0.5 * rmse(without), `test RMSE ${rmse(withHistory)} with the history, ${rmse(without)} without`);
  // Saved and loaded, predict rebuilds the same inputs (the value at each id's last row hidden).
  const loaded = await rnam.loadTrained(await rnam.saveTrained(withHistory));
  const a = await rnam.predictTable(withHistory, csv), b = await rnam.predictTable(loaded, csv);
  assert.equal(Array.from(b.prediction), Array.from(a.prediction));
  const held = withHistory.datasets.test as rnam.MixedDataset;
  assert.ok(held.samples > 0);
});

test('errors: window and table mode, a multiclass target, a bad value, a record that breaks the rule, a predict file without the target column', async () => {
  const csv = scoresCsv(30, 1);
  const table = rnam.readCsv(csv);
  assert.throws(() => rnam.Preprocessing.fit(table, { id: 'id', time: 'day', target: 'y', window: 2, targetHistory: true }), /window mode reads them already/);
  assert.throws(() => rnam.Preprocessing.fit(table, { target: 'y', targetHistory: true }), /a plain table has one row per sample/);
  assert.throws(() => rnam.Preprocessing.fit(table, { id: 'id', time: 'day', target: 'y', targetHistory: 'yes' as unknown as boolean }), /targetHistory must be true or false, got 'yes'/);
  const labels = csv.replace(/,(-?\d+\.\d+)\n/g, (_, v: string) => `,${Number(v) > 1 ? 'high' : Number(v) < -1 ? 'low' : 'mid'}\n`);
  assert.throws(() => rnam.Preprocessing.fit(rnam.readCsv(labels), { id: 'id', time: 'day', target: 'y', targetHistory: true }), /regression or binary target \(not multiclass\)/);
  const { preprocessing: pre } = rnam.Preprocessing.fit(table, { id: 'id', time: 'day', target: 'y', targetHistory: true });
  const record = pre.toRecord();
  assert.throws(() => rnam.Preprocessing.fromRecord({ ...record, mode: 'window', window: 2, horizon: 1 }), /targetHistory must be true, in a panel record/);
  assert.throws(() => rnam.Preprocessing.fromRecord({ ...record, targetHistory: 1 }), /targetHistory must be true/);
  const noTarget = csv.split('\n').map((l) => l.split(',').slice(0, 3).join(',')).join('\n');
  try {
    pre.transform(rnam.readCsv(noTarget));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /the target column is not in the header \(id, day, x\): the model reads its earlier values \(target history\); give the column, empty where unknown/);
    assert.is((err as rnam.DataError).column, 'y');
  }
});

test.run();
