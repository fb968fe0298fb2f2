// The one path from a table to an explained model, through the library as users call it:
// trainTable, saveTrained/loadTrained, predictTable and explain. One contribution convention
// (intercept + centered contributions = the output) in every output and on both backends; predict
// needs no target; the preprocessing record round-trips; files written before the record existed
// load and predict exactly as they did; text labels are classes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const fixtures = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'fixtures', 'legacy');
const quiet = { log: null, progress: false } as const;

/** 40 patients with 3 to 8 visits; the label is 'dead' when the mean of `marker` is high. */
function panelCsv(labels: [string, string] = ['alive', 'dead']): string {
  const gen = new rnam.Generator(11), lines = ['patient,visit,marker,noise,outcome'];
  for (let p = 0; p < 40; p++) {
    const level = gen.normal() * 1.5, n = 3 + gen.int(6);
    for (let t = 0; t < n; t++) lines.push(`p${p},${t * 3 + gen.int(3)},${(level + gen.normal() * 0.5).toFixed(3)},${gen.normal().toFixed(3)},${level > 0 ? labels[1] : labels[0]}`);
  }
  return lines.join('\n') + '\n';
}

/** One daily series; y is tomorrow's rain (0/1) from today's humidity. */
function seriesCsv(days = 120): string {
  const gen = new rnam.Generator(5), lines = ['day,humidity,rain'];
  let rain = 0;
  for (let d = 0; d < days; d++) {
    const humidity = gen.normal();
    lines.push(`${d},${humidity.toFixed(3)},${rain}`);
    rain = humidity + gen.normal() * 0.3 > 0 ? 1 : 0;
  }
  return lines.join('\n') + '\n';
}

function sumCheck(p: rnam.TablePrediction, i: number): number {
  let s = p.intercept[i];
  for (let t = 0; t < p.featureNames.length; t++) s += p.contributions[t * p.samples + i];
  return s;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

async function identityAndAgreement(device: rnam.Device, what: string): Promise<void> {
  const trained = await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', epochs: 6, device, seed: 1, ...quiet });
  assert.is(trained.preprocessing.task, 'binary', `${what}: two text labels are a binary task`);
  assert.equal(trained.preprocessing.record.target.classes, ['alive', 'dead'], 'sorted labels, the second positive');
  const p = await rnam.predictTable(trained, panelCsv());
  assert.is(p.samples, 40);
  for (let i = 0; i < p.samples; i++) {
    const z = sumCheck(p, i);
    assert.ok(Math.abs(z - p.output[i]) < 1e-5 * (1 + Math.abs(z)), `${what} sample ${i}: intercept + contributions ${z} vs logit ${p.output[i]}`);
    assert.ok(Math.abs(sigmoid(z) - p.prediction[i]) < 1e-5, `${what} sample ${i}: probability`);
  }
  // The same sample shows the same numbers in the report, in predictTable and in explain.
  const test = trained.datasets.test!;
  const e = await rnam.explain(trained.model, test, { offsets: trained.centering.offsets });
  for (const ex of trained.report.examples) {
    const i = p.ids.indexOf(ex.id), j = test.sampleIds.indexOf(ex.id);
    const local = e.local(j);
    assert.ok(Math.abs(local.intercept - ex.intercept) < 1e-9 && Math.abs(p.intercept[i] - ex.intercept) < 1e-6, `${what} ${ex.id}: intercepts`);
    local.contributions.forEach((c, t) => {
      assert.ok(Math.abs(c.contribution - ex.contributions[c.feature]) < 1e-9, `${what} ${ex.id} ${c.feature}: explain vs report`);
      assert.ok(Math.abs(p.contributions[t * p.samples + i] - ex.contributions[c.feature]) < 1e-6, `${what} ${ex.id} ${c.feature}: predictTable vs report`);
    });
  }
  // Centering on the training data: each term's mean contribution over the training split is 0.
  const onTrain = await rnam.explain(trained.model, trained.datasets.train, { offsets: trained.centering.offsets });
  for (let t = 0; t < 2; t++) {
    let mean = 0;
    for (let n = 0; n < onTrain.samples; n++) mean += onTrain.contributions[t * onTrain.samples + n] / onTrain.samples;
    assert.ok(Math.abs(mean) < 1e-5, `${what}: term ${t} mean over training ${mean}`);
  }
}

const test = suite('one path: trainTable, predictTable, the model file');

test('wasm: intercept + contributions = the logit for every sample; report, predictTable and explain agree', async () => {
  await identityAndAgreement(await rnam.device('wasm'), 'wasm');
});

test('a saved model predicts the same after loadTrained, and a table without the target column', async () => {
  const trained = await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', features: ['marker', 'noise'], epochs: 3, device: 'wasm', ...quiet });
  const bytes = await rnam.saveTrained(trained, { history: trained.history });
  const loaded = await rnam.loadTrained(bytes);
  assert.equal(loaded.preprocessing.toRecord(), trained.preprocessing.toRecord());
  assert.ok(loaded.centered);
  const a = await rnam.predictTable(trained, panelCsv()), b = await rnam.predictTable(loaded, panelCsv());
  assert.equal(Array.from(b.prediction), Array.from(a.prediction));
  assert.equal(Array.from(b.contributions), Array.from(a.contributions));
  const blind = panelCsv().split('\n').map((line) => line.split(',').slice(0, 4).join(',')).join('\n');
  const c = await rnam.predictTable(loaded, blind);
  assert.equal(Array.from(c.prediction), Array.from(a.prediction), 'the target column is not needed');
  assert.ok(c.targetKnown.every((k) => !k));
  assert.is(c.metrics, null);
  assert.equal([...c.rows()][0].slice(0, 4), ['p0', a.times[0], '', 'false']);
});

test('window mode: the final window, whose target lies after the table, is predicted', async () => {
  const trained = await rnam.trainTable(seriesCsv(), { time: 'day', target: 'rain', window: 10, epochs: 3, device: 'wasm', ...quiet });
  const p = await rnam.predictTable(trained, seriesCsv());
  assert.is(p.samples, 120 - 10 + 1);
  assert.is(p.times[p.samples - 1], 119);
  assert.not.ok(p.targetKnown[p.samples - 1], 'the last window has no target in the table');
  assert.ok(p.targetKnown.slice(0, -1).every(Boolean));
  assert.ok(p.prediction[p.samples - 1] > 0 && p.prediction[p.samples - 1] < 1);
  assert.ok(Math.abs(sigmoid(sumCheck(p, p.samples - 1)) - p.prediction[p.samples - 1]) < 1e-6);
});

test('regression: contributions and intercept in the target units, summing to the prediction', async () => {
  const gen = new rnam.Generator(2), lines = ['id,t,a,b,y'];
  for (let e = 0; e < 30; e++) {
    const level = gen.normal();
    for (let t = 0; t < 5; t++) lines.push(`e${e},${t},${(level + gen.normal() * 0.2).toFixed(3)},${gen.normal().toFixed(3)},${(100 + 20 * level).toFixed(2)}`);
  }
  const trained = await rnam.trainTable(lines.join('\n'), { id: 'id', time: 't', target: 'y', epochs: 4, device: 'wasm', ...quiet });
  assert.is(trained.preprocessing.task, 'regression');
  const p = await rnam.predictTable(trained, lines.join('\n'));
  for (let i = 0; i < p.samples; i++) assert.ok(Math.abs(sumCheck(p, i) - p.prediction[i]) < 1e-3, `sample ${i}`);
  assert.ok(p.intercept[0] > 50, `the intercept is in the target's units (about its mean), got ${p.intercept[0]}`);
  const e = await rnam.explain(trained.model, trained.datasets.test!, { offsets: trained.centering.offsets });
  assert.ok(Math.abs(e.local(0).intercept - p.intercept[0]) < 1e-6, 'explain reports in the target units too');
});

test('text labels: --positive picks the positive class; a label unknown at training is an error naming the row', async () => {
  const trained = await rnam.trainTable(panelCsv(['yes', 'no']), { id: 'patient', time: 'visit', target: 'outcome', positive: 'yes', epochs: 1, device: 'wasm', ...quiet });
  assert.equal(trained.preprocessing.record.target.classes, ['no', 'yes']);
  const p = await rnam.predictTable(trained, panelCsv(['yes', 'no']));
  assert.ok(p.targets.every((y) => y === 0 || y === 1));
  const row = [...p.rows()][0];
  assert.ok(row[2] === 'yes' || row[2] === 'no', 'the target written back as its label');
  try {
    await rnam.trainTable(panelCsv(['yes', 'no']), { id: 'patient', time: 'visit', target: 'outcome', positive: 'maybe', epochs: 1, ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /positive 'maybe'.*yes/);
  }
  try {
    await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', task: 'regression', epochs: 1, ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /regression.*text labels/);
  }
});

test('numeric class codes (1/2, 1 ... C) are classes of their own values, not indices with a class never seen', async () => {
  // R writes a two-level factor, or a status of 1 or 2, as numbers: binary, the larger value positive.
  const coded = await rnam.trainTable(panelCsv(['1', '2']), { id: 'patient', time: 'visit', target: 'outcome', epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.is(coded.preprocessing.task, 'binary');
  assert.equal(coded.preprocessing.record.target.classes, ['1', '2']);
  assert.equal(coded.report.notes.find((n) => n.text.startsWith('classes:'))?.text, "classes: 1, 2 (positive: '2')");
  const p = await rnam.predictTable(coded, panelCsv(['1', '2']));
  assert.ok([...p.rows()].every((row) => row[2] === '1' || row[2] === '2'), 'the target written back as its code');
  assert.ok(p.metrics!.auc > 0.5);
  // Codes 1, 3 and 10: three classes in numeric order (10 last, not after 1).
  const three = panelCsv(['1', '3']).split('\n').map((l, i) => (i % 3 === 1 ? l.replace(/,(1|3)$/, ',10') : l)).join('\n');
  const multi = await rnam.trainTable(three, { id: 'patient', time: 'visit', target: 'outcome', epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.is(multi.preprocessing.task, 'multiclass');
  assert.equal(multi.preprocessing.record.target.classes, ['1', '3', '10']);
  // Asked for, regression reads the numbers; a third value makes binary an error naming the labels.
  assert.is((await rnam.trainTable(three, { id: 'patient', time: 'visit', target: 'outcome', task: 'regression', epochs: 1, members: 1, device: 'wasm', ...quiet })).preprocessing.task, 'regression');
  try {
    await rnam.trainTable(three, { id: 'patient', time: 'visit', target: 'outcome', task: 'binary', epochs: 1, ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, "task 'binary' needs two labels; column 'outcome' holds 3 (1, 3, 10)");
  }
});

test('a stray text in a numeric target, or a target with one value, is an error naming the column (and the row), not a task of its own', async () => {
  const lines = ['x,y', ...Array.from({ length: 40 }, (_, i) => `${i},${(i * 0.37 % 1).toFixed(3)}`)];
  const failure = (csv: string, o: object = {}) => rnam.trainTable(csv, { target: 'y', epochs: 1, members: 1, device: 'wasm', ...quiet, ...o }).then(() => null, (e) => e);
  for (const cell of ['<0.5', 'Inf']) {
    const bad = [...lines];
    bad[8] = `7,${cell}`;
    const err = await failure(bad.join('\n'));
    assert.instance(err, rnam.DataError, cell);
    assert.is(err.code, 'non-numeric');
    assert.is(err.row, 9, 'the line in the file');
    assert.match(err.message, `a target cell is not a number: '${cell}' in a column of numbers`);
  }
  for (const value of ['5', '3.7', '0']) {
    const err = await failure(['x,y', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 4 ? value : ''}`)].join('\n'));
    assert.instance(err, rnam.DataError, value);
    assert.is(err.message, `the target column holds one value (${value}) in every row that has one: there is nothing to predict (column 'y')`);
  }
  // Text labels with a task named are classes, numbers among them too.
  const labels = ['x,y', ...Array.from({ length: 40 }, (_, i) => `${(i * 7) % 11},${i === 3 ? 'none' : i % 2}`)].join('\n');
  assert.is((await rnam.trainTable(labels, { target: 'y', task: 'multiclass', epochs: 1, members: 1, device: 'wasm', ...quiet })).preprocessing.task, 'multiclass');
});

test('a learning rate that diverges is a NonFiniteError naming the epoch and the step, and what helps', async () => {
  const lines = ['x,y', ...Array.from({ length: 200 }, (_, i) => `${(i * 7) % 13},${((i * 7) % 13) * 100 + (i % 5)}`)];
  const err = await rnam.trainTable(lines.join('\n'), { target: 'y', lr: 1e6, epochs: 5, members: 2, device: 'wasm', ...quiet }).then(() => null, (e) => e);
  assert.instance(err, rnam.NonFiniteError);
  assert.match(err.message, /^fit: the training loss is (Infinity|NaN) at epoch \d+, step \d+ \(a learning rate too high for the data diverges so: a lower one, such as 1e-3/);
});

test('classes: the labels in output order, one absent from the training rows included; checked', async () => {
  const given = await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', classes: ['alive', 'unknown', 'dead'], epochs: 40, members: 1, device: 'wasm', ...quiet });
  assert.is(given.preprocessing.task, 'multiclass');
  assert.equal(given.preprocessing.record.target.classes, ['alive', 'unknown', 'dead']);
  const p = await rnam.predictTable(given, panelCsv());
  assert.ok(p.header.includes('p_unknown'), p.header.join(','));
  const k = p.header.indexOf('p_unknown'), rows = [...p.rows()];
  assert.ok(rows.every((r) => Number(r[k]) < 0.5), 'a class never trained on is not predicted');
  assert.ok(rows.every((r) => r[p.header.indexOf('prediction')] !== 'unknown'));
  // The absent class last: the rows alone read as binary (indices 0 and 1), the model has three outputs.
  const last = await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', classes: ['alive', 'dead', 'unknown'], epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.equal((await rnam.predictTable(last, panelCsv())).header.filter((h) => h.startsWith('p_')), ['p_alive', 'p_dead', 'p_unknown']);
  // A test class the training rows lack: the class-rate baseline gives it half a sample, a finite log loss.
  const table = (n: number, label: (i: number) => string) => Array.from({ length: n }, (_, i) => `${(i * 7) % 13},${label(i)}`);
  const absent = await rnam.trainTable(['x,y', ...table(60, (i) => (i % 2 ? 'a' : 'b'))].join('\n'), {
    target: 'y', classes: ['a', 'b', 'c'], testData: ['x,y', ...table(9, (i) => 'abc'[i % 3])].join('\n'), epochs: 1, members: 1, device: 'wasm', ...quiet,
  });
  const rates = absent.report.baselines!['class rates'].logLoss;
  // 30 + 0.5 of 61.5 for a and b, 0.5 of 61.5 for c; a third of the test rows each.
  assert.ok(Math.abs(rates - -(2 * Math.log(30.5 / 61.5) + Math.log(0.5 / 61.5)) / 3) < 1e-9, `class rates ${rates}`);
  // Two given in the other order: binary with 'alive' positive.
  const flipped = await rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', classes: ['dead', 'alive'], epochs: 1, members: 1, device: 'wasm', ...quiet });
  assert.is(flipped.preprocessing.classLabel(1), 'alive');
  const failure = (options: Record<string, unknown>) => rnam.trainTable(panelCsv(), { id: 'patient', time: 'visit', target: 'outcome', epochs: 1, ...quiet, ...options } as rnam.TrainTableOptions).then(() => null, (e: unknown) => e as Error);
  const stray = await failure({ classes: ['alive', 'sick'] });
  assert.instance(stray, rnam.DataError);
  assert.is(stray!.message, "the target label 'dead' is not one of the classes given (alive, sick) (column 'outcome')");
  for (const [classes, why] of [[['alive'], 'got 1'], [['alive', 'alive'], "'alive' is given twice"], [['alive', 3], 'got 3 among them'], ['alive,dead', "got 'alive,dead' (a string)"]] as const) {
    const err = await failure({ classes });
    assert.instance(err, rnam.ArgumentError);
    assert.ok(err!.message.endsWith(why), err!.message);
  }
  assert.instance(await failure({ classes: ['alive', 'dead'], task: 'regression' }), rnam.ArgumentError);
});

test('the task is checked against the targets before training', async () => {
  const csv = panelCsv().replace(/alive/g, '0').replace(/dead/g, '1');
  for (const [task, pattern] of [['regression', /only 0 and 1/], ['multiclass', /needs class indices/]] as const) {
    try {
      await rnam.trainTable(csv, { id: 'patient', time: 'visit', target: 'outcome', task: task === 'multiclass' ? 'multiclass' : task, epochs: 1, ...quiet });
      if (task === 'multiclass') continue; // 0/1 are valid class indices of a two-class multiclass task
      assert.unreachable(`task ${task}`);
    } catch (err) {
      assert.instance(err, rnam.DataError);
      assert.match((err as Error).message, pattern);
    }
  }
});

test('files written before the preprocessing record load and predict exactly as they did', async () => {
  for (const [name, data] of [['panel', 'panel.csv'], ['station', 'stations.csv']] as const) {
    const loaded = await rnam.loadTrained(new Uint8Array(readFileSync(join(fixtures, `${name}-model.safetensors`))), { device: await rnam.device('wasm') });
    assert.not.ok(loaded.centered, 'no centering stored: contributions stay the model\'s own');
    const p = await rnam.predictTable(loaded, readFileSync(join(fixtures, data), 'utf8'));
    const expected = readFileSync(join(fixtures, `${name}-predictions.csv`), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    assert.is(p.samples, expected.length, name);
    const rows = [...p.rows()];
    rows.forEach((row, i) => {
      const want = expected[i];
      assert.is(String(row[0]), want[0], `${name} row ${i}: id`);
      // Dates were written as ISO date-times; a midnight date is now written as the date alone: the same instant.
      if (want[1].includes('T')) assert.is(Date.parse(String(row[1])), Date.parse(want[1]), `${name} row ${i}: the same date`);
      else assert.is(String(row[1]), want[1], `${name} row ${i}: time in the input's format`);
      // Regression values are now put back in the target's units in float64 (they were float32).
      const [got, wanted] = [Number(row[4]), Number(want[2])];
      assert.ok(name === 'panel' ? got === wanted : Math.abs(got - wanted) <= 1e-6 * (1 + Math.abs(wanted)), `${name} row ${i}: prediction ${got} vs ${wanted}`);
      const contributions = row.slice(-loaded.preprocessing.featureNames.length);
      contributions.forEach((c, t) => assert.ok(Math.abs(Number(c) - Number(want[3 + t])) < 1e-12, `${name} row ${i}: contribution ${t}`));
    });
  }
});

test('the preprocessing record: versioned, checked field by field when read', () => {
  const good = { version: 1, columns: { id: 'p', time: 't', target: 'y', features: ['a'] }, mode: 'panel', maxLength: 4, missing: 'error', time: { kind: 'number' }, standardizer: {}, fill: [0], target: { task: 'binary', classes: ['0', '1'] } };
  assert.equal(rnam.Preprocessing.fromRecord(good).toRecord(), { ...good, inputs: 'series' }, 'a version 1 record holds series inputs');
  const cases: [object, RegExp][] = [
    [{ ...good, version: 99 }, /newer/],
    [{ ...good, mode: 'tabular' }, /mode/],
    [{ ...good, fill: [] }, /fill/],
    [{ ...good, columns: { ...good.columns, features: [] } }, /columns/],
    [{ ...good, target: { task: 'ranking' } }, /task/],
    [{ ...good, target: { task: 'multiclass' } }, /classes/],
  ];
  for (const [record, pattern] of cases) {
    try {
      rnam.Preprocessing.fromRecord(record);
      assert.unreachable(JSON.stringify(record));
    } catch (err) {
      assert.instance(err, rnam.FileFormatError);
      assert.match((err as Error).message, pattern);
    }
  }
});

test('every model says what it is through describe(); the registry saves what it says', async () => {
  const models: [rnam.Module & rnam.Describable, string, number][] = [
    [new rnam.FirstOrderRNAM({ terms: 3, hiddenDim: 4, outDim: 2, blocks: 1 }), 'terms-first', 3],
    [new rnam.SequenceModel({ cell: 'gru', inputSize: 5, hiddenSize: 4, outDim: 1 }), 'batch-first', 5],
    [new rnam.ImplicitRNN({ inputDim: 2, outputDim: 1, implicitHiddenDim: 3, hiddenDim: 4 }), 'batch-first', 2],
  ];
  for (const [model, layout, inputs] of models) {
    const d = model.describe();
    assert.is(d.layout, layout);
    assert.is(d.inputFeatures, inputs);
    assert.is(d.additive !== null, d.kind === 'FirstOrderRNAM');
    const { metadata } = await rnam.load(rnam.save(model));
    assert.is(metadata.class, d.kind);
    assert.equal(metadata.options, JSON.parse(JSON.stringify(d.config)));
  }
});

test.run();

const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('the one path', gpu);
else {
  const g = suite('one path on WebGPU');
  g('WebGPU: intercept + contributions = the logit for every sample; report, predictTable and explain agree', async () => {
    await identityAndAgreement(gpu as unknown as rnam.Device, 'webgpu');
  });
  g.run();
}
