// A regression that reads its target's own history learns the change from the last known value:
// the record says so, each sample carries that value, predictions and explanations add it back, and
// a level beyond the training range is followed where a model of the level stays inside it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { MixedDataset } from '../src/data/mixed-dataset.js';
import { parseSearchArgs, parseTrainArgs, UsageError } from '../src/cli/args.js';
import { renderReportHtml } from '../src/cli/report-html.js';
import { main } from '../src/cli/main.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const test = suite('a target learned as a change');

/** A series that climbs by about 0.5 a day with noise, and an input of noise: its last 15% lie above every training value. */
function trendCsv(steps: number, seed: number, gaps = false): string {
  const gen = new rnam.Generator(seed), lines = ['day,level,noise'];
  let level = 10;
  for (let t = 0; t < steps; t++) {
    level += 0.5 + gen.normal() * 0.5;
    const empty = gaps && (t < 6 || t % 5 === 2);
    lines.push(`${t},${empty ? '' : level.toFixed(3)},${gen.normal().toFixed(3)}`);
  }
  return lines.join('\n');
}

test('by default a window regression over its own target learns changes: the record holds their scale and the fallback, each sample its last value', () => {
  const table = rnam.readCsv(trendCsv(120, 1));
  const { preprocessing: pre, datasets } = rnam.Preprocessing.fit(table, { time: 'day', target: 'level', window: 4 });
  const change = pre.record.mixed!.targetChange!;
  assert.ok(change, 'targetChange recorded');
  const train = datasets.train as MixedDataset;
  const levels = table.rows.map((r) => Number(r[1]));
  // The first training window reads days 0-3 and predicts day 4: it changes from day 3's value.
  assert.is(train.targetOffsets![0], levels[3]);
  const scale = pre.record.mixed!.target!;
  for (let i = 0; i < train.samples; i++) {
    const day = train.sampleTimes[i];
    assert.is(train.targetOffsets![i], levels[day]);
    assert.ok(Math.abs(train.targets[i] - ((levels[day + 1] - levels[day]) - scale.mean) / scale.std) < 1e-5, `sample ${i}`);
  }
  // The changes' scale: a mean near the drift of 0.5, a spread near the noise's 0.5, far below the level's.
  assert.ok(Math.abs(scale.mean - 0.5) < 0.2 && scale.std > 0.3 && scale.std < 0.8, JSON.stringify(scale));
  assert.ok(Math.abs(change.fallback - levels.slice(4, Math.round(120 * 0.7)).reduce((a, b) => a + b, 0) / (Math.round(120 * 0.7) - 4)) < 3, `fallback ${change.fallback}`);
  const level = rnam.Preprocessing.fit(table, { time: 'day', target: 'level', window: 4, targetChange: false });
  assert.is(level.preprocessing.record.mixed!.targetChange, undefined);
  assert.is((level.datasets.train as MixedDataset).targetOffsets, null);
});

test('a window without its target among the features, a classifier and a panel without target history learn the target as it is', () => {
  const table = rnam.readCsv(trendCsv(120, 2).split('\n').map((l, i) => (i === 0 ? `${l},up,id` : `${l},${i % 3 ? 'yes' : 'no'},s${i % 20}`)).join('\n'));
  const cases: rnam.PreprocessingOptions[] = [
    { time: 'day', target: 'level', window: 4, features: ['noise'] },
    { time: 'day', target: 'up', window: 4, features: ['level', 'noise'] },
    { time: 'day', target: 'level', id: 'id', features: ['noise'] },
  ];
  for (const options of cases) assert.is(rnam.Preprocessing.fit(table, options).preprocessing.record.mixed!.targetChange, undefined, JSON.stringify(options));
});

test('targetChange true where it cannot apply, or not a boolean, is an ArgumentError naming why', () => {
  const table = rnam.readCsv(trendCsv(60, 3).split('\n').map((l, i) => (i === 0 ? `${l},up` : `${l},${i % 3 ? 'yes' : 'no'}`)).join('\n'));
  const cases: [rnam.PreprocessingOptions, RegExp][] = [
    [{ time: 'day', target: 'up', window: 4, targetChange: true }, /regression target \(this one is binary\)/],
    [{ time: 'day', target: 'level', window: 4, features: ['noise'], targetChange: true }, /window mode with the target among the time-varying features/],
    [{ time: 'day', target: 'level', window: 4, targetChange: 'yes' as unknown as boolean }, /targetChange must be true or false, got 'yes'/],
  ];
  for (const [options, message] of cases) {
    assert.throws(() => rnam.Preprocessing.fit(table, options), (e: Error) => e instanceof rnam.ArgumentError && message.test(e.message), JSON.stringify(options));
  }
  assert.throws(() => rnam.Preprocessing.fit(table, { inputs: 'series', time: 'day', target: 'level', window: 4, targetChange: true }), /targetChange needs inputs: 'mixed'/);
});

test('a step without an earlier target value changes from the fallback; a panel with target history from the last value before the hidden one', () => {
  const table = rnam.readCsv(trendCsv(120, 4, true));
  const { preprocessing: pre } = rnam.Preprocessing.fit(table, { time: 'day', target: 'level', window: 4 });
  const ds = pre.transform(table) as MixedDataset, fallback = pre.record.mixed!.targetChange!.fallback;
  const cells = table.rows.map((r) => (r[1] === null || r[1] === '' ? NaN : Number(r[1])));
  for (let i = 0; i < ds.samples; i++) {
    const end = ds.sampleTimes[i];
    let last = NaN;
    for (let k = end; k >= 0 && Number.isNaN(last); k--) last = cells[k];
    assert.is(ds.targetOffsets![i], Number.isNaN(last) ? fallback : last, `window ending on day ${end}`);
  }
  assert.is(ds.targetOffsets![0], fallback, 'days 0-5 are empty: the first window has no earlier value');

  // Panel: ids of 5 visits; the last visit is predicted from the ones before it.
  const lines = ['id,visit,score,dose'];
  for (let id = 0; id < 40; id++) for (let v = 0; v < 5; v++) lines.push(`p${id},${v},${id + v * 2 + (v === 2 && id % 4 === 0 ? 0.5 : 0)},${(id * 7 + v) % 5}`);
  const panel = rnam.readCsv(lines.join('\n'));
  const fitted = rnam.Preprocessing.fit(panel, { id: 'id', time: 'visit', target: 'score', targetHistory: true });
  assert.ok(fitted.preprocessing.record.mixed!.targetChange);
  const all = fitted.preprocessing.transform(panel) as MixedDataset;
  all.sampleIds.forEach((id, i) => assert.is(all.targetOffsets![i], Number(id.slice(1)) + 6, id));
});

test('on a climbing series the change model follows the level past the training range; the level model stays behind it', async () => {
  const csv = trendCsv(300, 5), options = { time: 'day', target: 'level', window: 4, members: 1, epochs: 20, device: 'wasm' as const, log: null };
  const change = await rnam.trainTable(csv, options);
  const level = await rnam.trainTable(csv, { ...options, targetChange: false });
  const persistence = change.report.baselines!.persistence.rmse;
  const changeRmse = change.report.metrics.test!.rmse, levelRmse = level.report.metrics.test!.rmse;
  assert.ok(changeRmse < 1.2 * persistence, `change ${changeRmse} against persistence ${persistence}`);
  assert.ok(levelRmse > 2 * changeRmse, `level ${levelRmse} against change ${changeRmse}`);
  const note = change.report.notes.find((n) => n.text.startsWith('target change'));
  assert.ok(note && /learns how 'level' changes from its last known value/.test(note.text), JSON.stringify(change.report.notes));
  assert.not.ok(level.report.notes.some((n) => n.text.startsWith('target change')), 'the value itself: no such line');
});

test('predictions, intervals and explanations add each sample\'s last value back: intercept + contributions = prediction, saved and loaded alike', async () => {
  const csv = trendCsv(160, 6);
  const trained = await rnam.trainTable(csv, { time: 'day', target: 'level', window: 4, members: 2, epochs: 4, device: 'wasm', log: null });
  const test = trained.datasets.test as MixedDataset;
  const ex = trained.explanation;
  assert.ok(ex.from, 'the explanation carries each sample\'s last value');
  for (let i = 0; i < test.samples; i++) {
    assert.is(ex.from![i], test.targetOffsets![i]);
    const local = ex.local(i);
    const sum = local.contributions.reduce((s, c) => s + c.contribution, local.intercept);
    assert.is(local.from, test.targetOffsets![i]);
    assert.ok(Math.abs(sum - local.prediction) < 1e-3 * Math.max(1, Math.abs(local.prediction)), `sample ${i}: ${sum} against ${local.prediction}`);
    // The prediction is near the last value (a change of about 0.5), not near the training levels.
    assert.ok(Math.abs(local.prediction - test.targetOffsets![i]) < 5, `sample ${i}: ${local.prediction} from ${test.targetOffsets![i]}`);
  }
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained), { device: 'wasm' });
  const p = await rnam.predictTable(loaded, csv);
  const times = Array.from(test.sampleTimes);
  let matched = 0;
  for (let i = 0; i < p.samples; i++) {
    const k = times.indexOf(p.times[i]);
    if (k < 0) continue;
    matched++;
    const lastValue = test.targetOffsets![k], sum = Array.from({ length: p.featureNames.length }, (_, t) => p.contributions[t * p.samples + i]).reduce((s, c) => s + c, p.intercept[i]);
    assert.ok(Math.abs(ex.predictions[k] - p.prediction[i]) < 1e-9 * Math.abs(p.prediction[i]) + 1e-9, `day ${p.times[i]}: ${p.prediction[i]} against ${ex.predictions[k]}`);
    assert.ok(Math.abs(sum - p.prediction[i]) < 1e-6 * Math.abs(p.prediction[i]), `day ${p.times[i]}`);
    assert.ok(p.halfWidths![i] > 0 && p.prediction[i] - p.halfWidths![i] < lastValue + 3 && p.prediction[i] + p.halfWidths![i] > lastValue - 3, 'the interval sits around the level');
  }
  assert.is(matched, test.samples);
  const html = await renderReportHtml(trained.report, trained.explanation);
  assert.ok(html.includes('The model learns the change of level from its last known value') && html.includes("the intercept holding the sample's last known value"));
});

test('a record whose targetChange is not { fallback: a finite number } with the target among the time-varying features is refused', () => {
  const { preprocessing: pre } = rnam.Preprocessing.fit(rnam.readCsv(trendCsv(60, 7)), { time: 'day', target: 'level', window: 4 });
  const record = pre.toRecord();
  for (const bad of [{ fallback: 'x' }, { fallback: Infinity }, true]) {
    const r = structuredClone(record) as unknown as { mixed: Record<string, unknown> };
    r.mixed.targetChange = bad;
    assert.throws(() => rnam.Preprocessing.fromRecord(r), (e: Error) => e instanceof rnam.FileFormatError && /mixed\.targetChange must be/.test(e.message), JSON.stringify(bad));
  }
  assert.is(record.version, 7);
});

test('search chooses between the change and the value by cross-validation, the queue\'s JSON included', async () => {
  // The executor sends each job through JSON, as a remote queue would.
  const executor = { run: (kind: string, payload: unknown) => rnam.runJob(kind, JSON.parse(JSON.stringify(payload))) };
  const r = await rnam.search(trendCsv(240, 10), { targetChange: [true, false] }, {
    time: 'day', target: 'level', window: 4, members: 1, epochs: 15, device: 'wasm', log: null, grid: true, folds: 3, final: false, executor,
  });
  assert.equal(r.trials.map((t) => t.config), [{ targetChange: true }, { targetChange: false }]);
  const [change, value] = r.trials.map((t) => t.metrics.rmse);
  assert.ok(change < value, `a climbing series: change ${change} against value ${value}`);
  assert.equal(r.best.config, { targetChange: true });
  for (const [space, message] of [[{ targetChange: ['yes'] }, /space.targetChange\[0\] must be true or false, got 'yes'/], [{ targetChange: { min: 0, max: 1 } }, /space.targetChange is a list of true and false, not a range/]] as const) {
    const err = await rnam.search(trendCsv(60, 11), space as unknown as rnam.SearchSpace, { time: 'day', target: 'level', window: 4, log: null }).then(() => null, (e) => e);
    assert.ok(err instanceof rnam.ArgumentError && message.test(err.message), String(err));
  }
  const base = ['d.csv', '--target', 'y', '--time', 't', '--window', '3', '--out', 'o'];
  assert.equal(parseSearchArgs([...base, '--target-change', 'on,off']).space, { targetChange: [true, false] });
  assert.equal(parseSearchArgs([...base, '--hidden', '4,8', '--target-change', 'off']).targetChange, false, 'one value: a fixed option');
  assert.throws(() => parseSearchArgs([...base, '--target-change', 'on,maybe']), (e: Error) => e instanceof UsageError && /--target-change searched must be a list of on and off/.test(e.message));
  // The command line says the trials in its own words.
  const dir = mkdtempSync(join(tmpdir(), 'rnam-change-')), said: string[] = [];
  try {
    writeFileSync(join(dir, 'climb.csv'), trendCsv(160, 12));
    const code = await main(['search', join(dir, 'climb.csv'), '--time', 'day', '--target', 'level', '--window', '4', '--members', '1', '--epochs', '5',
      '--target-change', 'on,off', '--grid', '--device', 'wasm', '--out', join(dir, 'out')], (line) => said.push(line));
    assert.is(code, 0, said.join('\n'));
    assert.ok(said.some((l) => /^best: trial \d \(--target-change (on|off)\)/.test(l)), said.join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the command line: --target-change on|off, anything else a usage error', () => {
  const base = ['d.csv', '--target', 'y', '--time', 't', '--window', '3', '--out', 'o'];
  assert.is(parseTrainArgs(base).targetChange, undefined);
  assert.is(parseTrainArgs([...base, '--target-change', 'off']).targetChange, false);
  assert.is(parseTrainArgs([...base, '--target-change', 'on']).targetChange, true);
  assert.throws(() => parseTrainArgs([...base, '--target-change', 'no']), (e: Error) => e instanceof UsageError && /--target-change/.test(e.message));
});

test.run();

// WebGPU: the same model predicts the same levels (the last value is added on the host, the change on the device).
const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('a target learned as a change', gpu);
else {
  const g = suite('a target learned as a change, on WebGPU');
  g('a model trained on wasm predicts on WebGPU what it predicts on wasm, each sample from its last value', async () => {
    const csv = trendCsv(120, 8);
    const trained = await rnam.trainTable(csv, { time: 'day', target: 'level', window: 4, members: 2, epochs: 3, device: 'wasm', log: null });
    const bytes = await rnam.saveTrained(trained);
    const [cpu, onGpu] = await Promise.all([rnam.loadTrained(bytes, { device: 'wasm' }), rnam.loadTrained(bytes, { device: gpu })]);
    const a = await rnam.predictTable(cpu, csv), b = await rnam.predictTable(onGpu, csv);
    assert.is(b.samples, a.samples);
    for (let i = 0; i < a.samples; i++) {
      assert.ok(Math.abs(a.prediction[i] - b.prediction[i]) < 1e-4 * Math.max(1, Math.abs(a.prediction[i])), `sample ${i}: ${a.prediction[i]} against ${b.prediction[i]}`);
      assert.ok(Math.abs(a.intercept[i] - b.intercept[i]) < 1e-4 * Math.max(1, Math.abs(a.intercept[i])), `sample ${i}'s intercept`);
    }
  });
  g.run();
}
