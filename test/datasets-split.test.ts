// Splits that leak nothing (whole entities, or time blocks per id) and standardization fitted on
// the training split only, serializable, with constant features and the target handled.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { spreadOrder } from '../src/data/split.js';

const test = suite('datasets: splits and standardization');

/** A long table: `ids` entities with `steps` daily rows each; values depend on the id so splits show. */
function panelCsv(ids: number, steps: number): string {
  const lines = ['id,day,a,b,const,y'];
  for (let i = 0; i < ids; i++) for (let t = 0; t < steps; t++) {
    const day = new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10);
    lines.push(`u${i},${day},${i * 10 + t},${(i % 3) - t},7,${(i + t) % 2}`);
  }
  return lines.join('\n');
}

test('entity split: every id in exactly one part, seeded (same seed same parts, another seed others), fractions rounded', () => {
  const csv = panelCsv(40, 3);
  const opts = { id: 'id', time: 'day', target: 'y', mode: 'panel', split: { by: 'entity', validation: 0.2, test: 0.1, seed: 1 } } as const;
  const d = rnam.datasetsFromCsv(csv, opts);
  const parts = [d.train, d.validation!, d.test!].map((p) => new Set(p.sampleIds));
  assert.equal(parts.map((p) => p.size), [28, 8, 4]);
  const all = new Set([...parts[0], ...parts[1], ...parts[2]]);
  assert.is(all.size, 40, 'no id in two parts, none lost');
  const again = rnam.datasetsFromCsv(csv, opts);
  assert.equal(again.test!.sampleIds, d.test!.sampleIds);
  const other = rnam.datasetsFromCsv(csv, { ...opts, split: { ...opts.split, seed: 2 } });
  assert.not.equal(other.test!.sampleIds, d.test!.sampleIds);
  // window mode split by entity: all windows of an id in one part
  const w = rnam.datasetsFromCsv(csv, { id: 'id', time: 'day', target: 'y', mode: 'window', window: 1, split: { by: 'entity', test: 0.25, seed: 0 } });
  const trainIds = new Set(w.train.sampleIds);
  assert.ok(w.test!.sampleIds.every((id) => !trainIds.has(id)));
  assert.is(w.test!.samples, 10 * 2);
  assert.throws(() => rnam.datasetsFromCsv(panelCsv(3, 2), { ...opts, split: { by: 'entity', test: 0.1 } }), (e: unknown) => e instanceof rnam.DataError && /no id/.test((e as Error).message));
});

test('time split by fractions: per id, every training window (inputs and target) ends before validation begins; a validation or test window is the block its target lies in, its inputs reach back, never forward', () => {
  const csv = panelCsv(3, 20);
  const d = rnam.datasetsFromCsv(csv, { id: 'id', time: 'day', target: 'y', mode: 'window', window: 3, horizon: 2, split: { by: 'time', validation: 0.25, test: 0.25 } });
  const dayOf = (ms: number) => new Date(ms).getUTCDate() - 1;   // step index of a target time
  for (const id of ['u0', 'u1', 'u2']) {
    const targets = (ds: rnam.SeriesDataset) => ds.sampleIds.flatMap((s, i) => (s === id ? [dayOf(ds.sampleTimes[i])] : []));
    const [tr, va, te] = [targets(d.train), targets(d.validation!), targets(d.test!)];
    // 20 steps: train 0..9, validation 10..14, test 15..19; a window's first step is its target - horizon - window + 1
    assert.equal(tr, [4, 5, 6, 7, 8, 9]);
    assert.equal(va, [10, 11, 12, 13, 14]);
    assert.equal(te, [15, 16, 17, 18, 19]);
    assert.ok(Math.max(...tr) < Math.min(...va) && Math.max(...va) < Math.min(...te), 'no window reads a step of a later part');
  }
});

test('time split by cutoffs (ISO dates): the blocks start at the first step at or after each cutoff', () => {
  const d = rnam.datasetsFromCsv(panelCsv(2, 11), { id: 'id', time: 'day', target: 'y', mode: 'window', window: 2, standardize: false,
    split: { by: 'time', validationFrom: '2020-01-06', testFrom: '2020-01-09' } });
  const days = (ds: rnam.SeriesDataset) => [...ds.sampleTimes].map((ms) => new Date(ms).toISOString().slice(5, 10));
  assert.equal(days(d.train), ['01-03', '01-04', '01-05', '01-03', '01-04', '01-05']);
  // 11 days: train steps 0..4, validation 5..7 (01-06..01-08), test 8..10; a window and its target take 3 steps
  // every step of a block is a target: the inputs of its first windows are the previous block's last steps
  assert.equal(days(d.validation!), ['01-06', '01-07', '01-08', '01-06', '01-07', '01-08']);
  assert.equal(days(d.test!), ['01-09', '01-10', '01-11', '01-09', '01-10', '01-11']);
  const t = d.test!, a = t.featureNames.indexOf('a') * t.samples * t.seq;   // features are [feature][sample][step]
  assert.equal([t.features[a], t.features[a + 1]], [6, 7], "u0's first test window reads a at 01-07 and 01-08, validation steps");
  const tooLate = { id: 'id', time: 'day', target: 'y', mode: 'window', window: 2, horizon: 2 } as const;
  assert.throws(() => rnam.datasetsFromCsv(panelCsv(2, 10), { ...tooLate, split: { by: 'time', testFrom: '2021-01-01' } }),
    (e: unknown) => e instanceof rnam.DataError && /asks for test data and none comes out: no id has a step in its test block/.test((e as Error).message));
  assert.throws(() => rnam.datasetsFromCsv(panelCsv(2, 10), { id: 'id', time: 'day', target: 'y', mode: 'window', window: 2, split: { by: 'time', testFrom: 3 } }),
    (e: unknown) => e instanceof rnam.DataError && /not a date like the time column/.test((e as Error).message));
});

test('standardization: fitted on the training split only, applied to the others, JSON round trip, constant feature, target', () => {
  const csv = panelCsv(10, 4);
  const d = rnam.datasetsFromCsv(csv, { id: 'id', time: 'day', target: 'a', features: ['b', 'const'], mode: 'panel', standardize: { target: true },
    split: { by: 'entity', validation: 0.3, seed: 4 } });
  const trainIds = new Set(d.train.sampleIds);
  const table = rnam.readCsv(csv);
  const b = table.rows.filter((r) => trainIds.has(r[0] as string)).map((r) => Number(r[3]));
  const mean = b.reduce((s, v) => s + v, 0) / b.length, std = Math.sqrt(b.reduce((s, v) => s + (v - mean) ** 2, 0) / b.length);
  const sb = d.standardizer.features![0];
  assert.ok(Math.abs(sb.mean - mean) < 1e-12 && Math.abs(sb.std - std) < 1e-12, `b: ${JSON.stringify(sb)} vs ${mean}, ${std}`);
  assert.equal(d.standardizer.features![1], { name: 'const', mean: 7, std: 1 }, 'a constant feature: std 1, so it becomes 0');
  assert.ok([...d.train.features].every(Number.isFinite));
  // the validation split uses the training numbers (so it is not exactly centred itself)
  const vb = d.validation!.toBatch(d.validation!.sampleIds.map((_, i) => i), { layout: 'batch-first' });
  const rawFirst = Number(table.rows.find((r) => r[0] === d.validation!.sampleIds[0])![3]);
  assert.ok(Math.abs(vb.x[0] - (rawFirst - sb.mean) / sb.std) < 1e-6);
  // target: panel target = a at the last row, standardized with the training targets
  const ta = d.train.sampleIds.map((id) => Number(table.rows.filter((r) => r[0] === id).at(-1)![2]));
  const tm = ta.reduce((s, v) => s + v, 0) / ta.length;
  assert.ok(Math.abs(d.standardizer.target!.mean - tm) < 1e-12);
  assert.equal(d.train.task.kind, 'integer', 'the hint is read from the raw targets');
  const back = rnam.unstandardizeTarget(d.train.targets.slice(), d.standardizer);
  ta.forEach((v, i) => assert.ok(Math.abs(back[i] - v) < 1e-3));
  // plain JSON: stored with a model and applied again to arrays
  const json = JSON.parse(JSON.stringify(d.standardizer)) as rnam.Standardizer;
  assert.equal(json, d.standardizer);
  const arrays = rnam.fromArrays({ x: [[[rawFirst, 7]]], layout: 'batch-first', y: [0], featureNames: ['b', 'const'], targetNames: ['a'] });
  const applied = rnam.standardizeDataset(arrays, json);
  assert.ok(Math.abs(applied.at(0, 0, 0) - vb.x[0]) < 1e-6 && applied.at(0, 0, 1) === 0);
  assert.throws(() => rnam.standardizeDataset(rnam.fromArrays({ x: [[[1, 2]]], layout: 'batch-first', y: [0] }), json), /fitted on features \[b, const\]/);
});

test('arrays: splitDataset is seeded, fitStandardizer reads only the training split\'s valid steps (never the padding)', () => {
  const x = Array.from({ length: 10 }, (_, s) => Array.from({ length: 1 + (s % 3) }, (_, t) => [s * 10 + t]));
  const ds = rnam.fromArrays({ x, layout: 'batch-first', y: x.map((_, s) => s) });
  const { train, validation } = rnam.splitDataset(ds, { validation: 0.3, seed: 9 });
  assert.equal([train.samples, validation!.samples], [7, 3]);
  assert.equal(rnam.splitDataset(ds, { validation: 0.3, seed: 9 }).validation!.sampleIds, validation!.sampleIds);
  const values = train.sampleIds.flatMap((id) => x[Number(id)].map((r) => r[0]));
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const st = rnam.fitStandardizer(train);
  assert.ok(Math.abs(st.features![0].mean - mean) < 1e-9, `${st.features![0].mean} vs ${mean}`);
  const v = rnam.standardizeDataset(validation!, st);
  const b = v.toBatch([0], { layout: 'batch-first' });
  for (let t = v.lengths[0]; t < v.seq; t++) assert.is(b.x[t], 0, 'padding stays 0');
});

test('classification: the entity split holds each class in its share of every part (a plain shuffle can leave a small class out of the test part)', async () => {
  // 200 ids, 20 of them positive: every part of a stratified split holds a tenth positives, within one id.
  const lines = ['id,day,x,y'];
  for (let i = 0; i < 200; i++) for (let t = 0; t < 2; t++) lines.push(`p${i},${t},${(i * 7919) % 13},${i % 10 === 3 ? 'yes' : 'no'}`);
  const csv = lines.join('\n');
  for (const seed of [0, 1, 2, 3, 4]) {
    const split = { validation: 0.15, test: 0.15, seed };
    for (const inputs of ['mixed', 'series'] as const) {
      const { datasets: d } = rnam.Preprocessing.fit(rnam.readCsv(csv), { id: 'id', time: 'day', target: 'y', split, inputs });
      for (const [name, part, n] of [['train', d.train, 140], ['validation', d.validation!, 30], ['test', d.test!, 30]] as const) {
        const positives = Array.from(part.targets).filter((v) => v === 1).length;
        assert.is(part.samples, n, `${inputs} ${name}`);
        assert.ok(Math.abs(positives - n / 10) <= 1, `${inputs} seed ${seed} ${name}: ${positives} positives of ${n}`);
      }
    }
  }
  // Regression keeps the plain seeded shuffle; the same seed gives the same parts.
  const reg = csv.replace(/,yes$/gm, ',2.5').replace(/,no$/gm, ',1.5');
  const a = rnam.Preprocessing.fit(rnam.readCsv(reg), { id: 'id', time: 'day', target: 'y', split: { seed: 3 } }).datasets.test!;
  const b = rnam.Preprocessing.fit(rnam.readCsv(reg), { id: 'id', time: 'day', target: 'y', split: { seed: 3 } }).datasets.test!;
  assert.equal(Array.from(a.sampleIds), Array.from(b.sampleIds));
  // Each member's own validation samples (cross-fitting) come from the same order: every prefix of
  // it holds each class in its share, within one sample.
  const labels = Array.from({ length: 170 }, (_, i) => (i % 10 === 3 ? '1' : '0'));
  const order = spreadOrder(labels.map((_, i) => i), labels, new rnam.Generator(7));
  assert.equal([...order].sort((p, q) => p - q), labels.map((_, i) => i), 'a permutation');
  for (let k = 1; k <= 170; k++) {
    const positives = order.slice(0, k).filter((i) => labels[i] === '1').length;
    assert.ok(Math.abs(positives - k * 17 / 170) <= 1, `the first ${k} hold ${positives} positives`);
  }
  const said: string[] = [];
  await rnam.trainTable(csv, { id: 'id', time: 'day', target: 'y', members: 2, epochs: 1, device: 'wasm', log: (l) => said.push(l) });
  assert.ok(said.some((l) => /^validation: each member validates on its own 30 of the 170 samples/.test(l)), said.join('\n'));
});

test.run();
