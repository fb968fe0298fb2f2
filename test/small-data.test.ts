// What small real data needs, through trainTable: ensembles whose members are exactly one-member
// runs, split-conformal intervals that reach their coverage, refit for the epoch count early
// stopping chose, a warning when the validation data is too small to steer it, and calibration.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { readFileSync } from 'node:fs';

const quiet = { log: null, progress: false } as const;

/** A table: y = 3 sin(a) + b^2 / 2 + noise(sd 1) — a regression whose residuals are known. */
function tableCsv(rows: number, seed: number): string {
  const gen = new rnam.Generator(seed), lines = ['row,a,b,y'];
  for (let i = 0; i < rows; i++) {
    const a = gen.normal() * 2, b = gen.normal();
    lines.push(`${i},${a.toFixed(4)},${b.toFixed(4)},${(3 * Math.sin(a) + (b * b) / 2 + gen.normal()).toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

function panelCsv(patients: number): string {
  const gen = new rnam.Generator(4), lines = ['id,day,x,y'];
  for (let p = 0; p < patients; p++) {
    const level = gen.normal();
    for (let t = 0; t < 4; t++) lines.push(`e${p},${t * 7},${(level + gen.normal() * 0.5).toFixed(3)},${level > 0 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}

const test = suite('small data: ensembles, intervals, refit');

test('split-conformal intervals reach their nominal coverage within 3 points on held-out data', async () => {
  const trained = await rnam.trainTable(tableCsv(1200, 1), { id: 'row', target: 'y', members: 2, epochs: 25, coverage: 0.9, device: 'wasm', ...quiet });
  const iv = trained.intervals!;
  assert.ok(iv && Number.isFinite(iv.halfWidth) && iv.calibrationSamples > 100, JSON.stringify(iv));
  const p = await rnam.predictTable(trained, tableCsv(2000, 2));
  let inside = 0;
  for (let i = 0; i < p.samples; i++) if (Math.abs(p.prediction[i] - p.targets[i]) <= iv.halfWidth) inside++;
  const coverage = inside / p.samples;
  assert.ok(Math.abs(coverage - 0.9) <= 0.03, `coverage ${coverage} on 2,000 new rows (half width ${iv.halfWidth})`);
  assert.ok(Math.abs(trained.report.intervals!.testCoverage! - 0.9) <= 0.06, `test split coverage ${trained.report.intervals!.testCoverage}`);
  // predict writes them: lower and upper around each prediction, and they survive the model file.
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained));
  const q = await rnam.predictTable(loaded, tableCsv(5, 3));
  assert.equal(q.header.slice(4, 7), ['prediction', 'lower', 'upper']);
  const row = [...q.rows()][0] as number[];
  assert.ok(Math.abs(row[6] - row[4] - iv.halfWidth) < 1e-9 && Math.abs(row[4] - row[5] - iv.halfWidth) < 1e-9);
});

test('an ensemble of K members: member m is bit for bit the one-member run with its seed', async () => {
  const csv = panelCsv(60), base = { id: 'id', time: 'day', target: 'y', epochs: 3, device: 'wasm', ...quiet } as const;
  const ensemble = await rnam.trainTable(csv, { ...base, memberSeeds: [11, 12, 13] });
  const ds = ensemble.datasets.test as rnam.MixedDataset;
  const b = ds.batch(Array.from({ length: ds.samples }, (_, i) => i));
  const run = (model: rnam.AdditiveRNAM) => model.forwardMembers(rnam.tensor(b.x!, b.shape), b.lengths, {
    static: b.static && rnam.tensor(b.static.data, b.static.shape), categorical: b.categorical && rnam.tensor(b.categorical.data, b.categorical.shape),
  }).yHat.toArray();
  const all = await run(ensemble.model as rnam.AdditiveRNAM);
  for (const [m, seed] of [11, 12, 13].entries()) {
    const one = await rnam.trainTable(csv, { ...base, memberSeeds: [seed] });
    const alone = await run(one.model as rnam.AdditiveRNAM);
    assert.equal(Array.from(all.subarray(m * ds.samples, (m + 1) * ds.samples)), Array.from(alone), `member ${m} (seed ${seed})`);
  }
  assert.is(ensemble.report.members.length, 3);
  // Each importance comes with its spread across the members.
  assert.ok(ensemble.report.importance.every((e) => typeof e.sd === 'number' && e.sd >= 0 && Number.isFinite(e.sd)), JSON.stringify(ensemble.report.importance));
});

test('refit trains again for the epoch count early stopping chose', async () => {
  const said: string[] = [];
  const trained = await rnam.trainTable(panelCsv(80), { id: 'id', time: 'day', target: 'y', epochs: 12, patience: 3, members: 1, refit: true, device: 'wasm', log: (l) => said.push(l) });
  const best = trained.history.reduce((b, h) => (h.valLoss! < trained.history[b - 1].valLoss! ? h.epoch : b), 1);
  const line = said.find((l) => l.startsWith('refit'));
  assert.ok(line, said.join('\n'));
  assert.match(line!, new RegExp(`^refit: ${best} epochs on ${80 - Math.round(0.15 * 80)} samples`));
});

test('a validation split too small to steer early stopping is said, with the numbers', async () => {
  const said: string[] = [];
  await rnam.trainTable(panelCsv(60), { id: 'id', time: 'day', target: 'y', epochs: 1, members: 1, device: 'wasm', log: (l) => said.push(l) });
  assert.ok(said.some((l) => /^warning: early stopping watches 9 validation samples \(42 train\)/.test(l)), said.join('\n'));
  // Pooled stopping (5 members) watches the distinct validation ids of all members.
  const pooled: string[] = [];
  await rnam.trainTable(panelCsv(40), { id: 'id', time: 'day', target: 'y', epochs: 1, device: 'wasm', log: (l) => pooled.push(l) });
  const m = pooled.map((l) => /^warning: early stopping watches (\d+) validation samples \(28 train per member, 6 validation\)/.exec(l)).find((x) => x);
  assert.ok(m && Number(m[1]) > 6 && Number(m[1]) < 30, pooled.join('\n'));
});

test('binary: the report holds a reliability curve and the calibration error', async () => {
  const trained = await rnam.trainTable(panelCsv(80), { id: 'id', time: 'day', target: 'y', epochs: 3, members: 1, device: 'wasm', ...quiet });
  const c = trained.report.calibration!;
  assert.is(c.split, 'test');
  assert.is(c.bins.reduce((n, b) => n + b.count, 0), trained.report.samples.test);
  assert.ok(c.ece >= 0 && c.ece <= 1);
});

test.run();

const more = suite('small data: the user\'s own splits');

more('a split column is honoured exactly; --test-data tests on a file of its own', async () => {
  const gen = new rnam.Generator(6), lines = ['id,day,x,part,y'];
  const parts: Record<string, string> = {};
  for (let p = 0; p < 50; p++) {
    const part = p < 30 ? 'train' : p < 40 ? 'validation' : 'TEST';
    parts[`e${p}`] = part.toLowerCase();
    const level = gen.normal();
    for (let t = 0; t < 3; t++) lines.push(`e${p},${t},${(level + gen.normal() * 0.3).toFixed(3)},${part},${level > 0 ? 1 : 0}`);
  }
  const trained = await rnam.trainTable(lines.join('\n'), { id: 'id', time: 'day', target: 'y', split: { column: 'part' }, members: 1, epochs: 2, device: 'wasm', ...quiet });
  const d = trained.datasets as { train: rnam.MixedDataset; validation: rnam.MixedDataset; test: rnam.MixedDataset };
  for (const [name, ds] of [['train', d.train], ['validation', d.validation], ['test', d.test]] as const) {
    assert.ok(ds.sampleIds.every((id) => parts[id] === name), `${name}: ${ds.sampleIds.join(' ')}`);
  }
  assert.equal([d.train.samples, d.validation.samples, d.test.samples], [30, 10, 10]);
  assert.not.ok(trained.preprocessing.featureNames.includes('part'), 'the split column is no feature');
  const bad = lines.join('\n').replace('e3,1,', 'e3,1,').replace(/^(e3,1,[^,]*),train/m, '$1,test');
  try {
    await rnam.trainTable(bad, { id: 'id', time: 'day', target: 'y', split: { column: 'part' }, members: 1, epochs: 1, ...quiet });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, rnam.DataError);
    assert.match((err as Error).message, /id 'e3' both train and test/);
  }
  // Without validation rows, the members validate on ids of their own among the training rows (cross-fit), as without a column.
  const noValidation = lines.join('\n').replace(/,validation,/g, ',train,');
  const said: string[] = [];
  const crossFitted = await rnam.trainTable(noValidation, { id: 'id', time: 'day', target: 'y', split: { column: 'part' }, members: 2, epochs: 3, device: 'wasm', log: (l) => said.push(l) });
  assert.ok(crossFitted.report.crossFitted);
  assert.equal([crossFitted.report.samples.train + crossFitted.report.samples.validation, crossFitted.report.samples.test], [40, 10]);
  assert.ok(crossFitted.report.samples.validation > 0);
  assert.ok(said.some((l) => l.startsWith('validation: each member validates on its own') && l.includes('of the 40 samples')), said.join('\n'));
  assert.ok((crossFitted.datasets.test as rnam.MixedDataset).sampleIds.every((id) => parts[id] === 'test'));
  // A test file of its own: all 50 ids train or validate; the test metrics come from the other file.
  const own = await rnam.trainTable(lines.join('\n'), { id: 'id', time: 'day', target: 'y', members: 1, epochs: 2, testData: lines.slice(0, 31).join('\n'), device: 'wasm', ...quiet });
  assert.is(own.report.samples.test, 10);
  assert.is(own.report.samples.train + own.report.samples.validation, 50);
  assert.ok(own.report.metrics.test !== null);
});

more.run();

const baselines = suite('small data: baselines in the report');

baselines('the report scores the simple baselines on the same test split', async () => {
  const trained = await rnam.trainTable(panelCsv(200), { id: 'id', time: 'day', target: 'y', epochs: 3, members: 1, device: 'wasm', ...quiet });
  const b = trained.report.baselines!;
  assert.is(b['base rate'].auc, 0.5);
  assert.ok(b['logistic regression on the last step'].auc > 0.8, JSON.stringify(b));
  // A series that rises by one a day: persistence is off by exactly one on every test day.
  const lines = ['day,noise,y'];
  const gen = new rnam.Generator(1);
  for (let d = 0; d < 100; d++) lines.push(`${d},${gen.normal().toFixed(3)},${d}`);
  const series = await rnam.trainTable(lines.join('\n'), { time: 'day', target: 'y', window: 5, epochs: 2, members: 1, device: 'wasm', ...quiet });
  assert.ok(Math.abs(series.report.baselines!.persistence.rmse - 1) < 1e-12, JSON.stringify(series.report.baselines));
  assert.ok(series.report.baselines!['ridge on the last step'].rmse < 1.5, 'the ridge extrapolates a line');
  // Panel mode with target history: persistence is the last earlier value, off by one on a rising count.
  const visits = ['id,day,y'];
  for (let p = 0; p < 60; p++) for (let d = 0; d < 4; d++) visits.push(`p${p},${d},${p + d}`);
  const history = await rnam.trainTable(visits.join('\n'), { id: 'id', time: 'day', target: 'y', targetHistory: true, epochs: 2, members: 1, device: 'wasm', ...quiet });
  assert.ok(Math.abs(history.report.baselines!.persistence.rmse - 1) < 1e-12, JSON.stringify(history.report.baselines));
  // Multiclass: the training class shares for every test sample; the log line compares log losses.
  const rows = ['row,x,y'];
  for (let i = 0; i < 300; i++) {
    const label = ['a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'b', 'c'][i % 10];
    rows.push(`${i},${'abc'.indexOf(label) * 3 + ((i * 37) % 11) / 11},${label}`);
  }
  const said: string[] = [];
  const multi = await rnam.trainTable(rows.join('\n'), { id: 'row', target: 'y', epochs: 2, members: 1, device: 'wasm', log: (l) => said.push(l) });
  const d = multi.datasets as { train: rnam.MixedDataset; test: rnam.MixedDataset };
  const counts = [0, 1, 2].map((k) => Array.from(d.train.targets).filter((t) => t === k).length);
  const shares = counts.map((c) => c / d.train.samples);
  const expected = -Array.from(d.test.targets).reduce((s, t) => s + Math.log(shares[t]), 0) / d.test.samples;
  assert.ok(Math.abs(multi.report.baselines!['class rates'].logLoss - expected) < 1e-6, `${multi.report.baselines!['class rates'].logLoss} against ${expected}`);
  assert.ok(said.some((l) => /^test logLoss: rnam \d\.\d{4}; class rates \d\.\d{4}, logistic regression \d\.\d{4}$/.test(l)), said.join('\n'));
  const lr = multi.report.baselines!['logistic regression'];
  assert.ok(lr.accuracy > 0.95 && lr.logLoss < multi.report.baselines!['class rates'].logLoss, `x separates the classes: ${JSON.stringify(lr)}`);
});

baselines('the logistic regressions are scikit-learn\'s LogisticRegression(C=1): multinomial for multiclass (test/golden/make_baseline_fixtures.py)', async () => {
  const golden = JSON.parse(readFileSync(new URL('./fixtures/baseline_golden.json', import.meta.url), 'utf8')) as Record<string, { task: string; csv: string; expected: { accuracy: number; logLoss: number } }>;
  assert.ok(Object.keys(golden).length >= 3);
  for (const [name, { task, csv, expected }] of Object.entries(golden)) {
    const trained = await rnam.trainTable(csv, { id: 'row', target: 'y', split: { column: 'part' }, epochs: 1, members: 1, device: 'wasm', ...quiet });
    assert.is(trained.preprocessing.task, task);
    const got = trained.report.baselines!['logistic regression'];
    assert.is(got.accuracy, expected.accuracy, `${name}: accuracy`);
    assert.ok(Math.abs(got.logLoss - expected.logLoss) < 1e-5, `${name}: log loss ${got.logLoss}, scikit-learn ${expected.logLoss}`);
  }
});

baselines.run();
