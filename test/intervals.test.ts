// Conformal prediction intervals: one width for exchangeable samples (panels, tables); in window mode a
// width that rolls with each series' recent residuals, so a series whose errors grow keeps its coverage.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { calibrate, conformalWidth, describeHalfWidth, halfWidths, intervalCoverage } from '../src/pipeline/intervals.js';

const test = suite('prediction intervals');

test('the conformal width is the ceil((n + 1) * coverage)-th smallest residual, Infinity with too few', () => {
  const sorted = Array.from({ length: 19 }, (_, i) => i + 1);
  assert.is(conformalWidth(sorted, 0.9), 18);
  assert.is(conformalWidth(sorted, 0.95), 19);
  assert.is(conformalWidth([1, 2, 3], 0.9), Infinity);
  const iv = calibrate([3, 1, 2, 5, 4, 9, 8, 7, 6, 10], 0.8, true)!;
  assert.is(iv.halfWidth, 9);
  assert.equal(iv.recent, [3, 1, 2, 5, 4, 9, 8, 7, 6, 10], 'time order is kept');
  assert.is(calibrate([], 0.9, false), undefined);
  // Said: the width, or how few residuals left it unbounded and how many the coverage needs.
  assert.is(describeHalfWidth({ halfWidth: 1.5, coverage: 0.9, calibrationSamples: 20 }, String), '± 1.5');
  assert.is(describeHalfWidth({ halfWidth: Infinity, coverage: 0.9, calibrationSamples: 4 }, String), 'unbounded (4 held-out residuals; 90% coverage needs at least 9)');
  assert.is(conformalWidth(Array.from({ length: 9 }, (_, i) => i), 0.9), 8, 'nine are enough');
  assert.is(describeHalfWidth({ halfWidth: Infinity, coverage: 0.95, calibrationSamples: 10 }, String), 'unbounded (10 held-out residuals; 95% coverage needs at least 19)');
});

test('a rolling width takes each target once it is known (horizon steps later), per series, skipping unknown targets', () => {
  const iv = { coverage: 0.5, halfWidth: 1, calibrationSamples: 3, recent: [1, 1, 1] };
  // Series a: residuals 10, 10, unknown, 10; series b starts again from the saved residuals.
  const o = {
    samples: 6, ids: ['a', 'a', 'a', 'a', 'b', 'b'],
    prediction: new Float64Array([0, 0, 0, 0, 0, 0]), targets: new Float64Array([10, 10, NaN, 10, 10, 10]),
  };
  // Horizon 1: sample k sees the residuals of samples < k of its series. Median rank of 3: ceil(4 * 0.5) = 2nd smallest.
  assert.equal([...halfWidths(iv, o, 1)], [1, 1, 10, 10, 1, 1]);
  // Horizon 2: one step later.
  assert.equal([...halfWidths(iv, o, 2)], [1, 1, 1, 10, 1, 1]);
  // No recent residuals (a panel): one width.
  assert.equal([...halfWidths({ ...iv, recent: undefined }, o, 1)], [1, 1, 1, 1, 1, 1]);
  assert.is(intervalCoverage(o, new Float64Array([10, 10, 10, 9, 10, 10])), 4 / 5);
});

/** One daily series whose noise grows tenfold over its length: y = 3 sin(t / 5) + noise. */
function driftingCsv(days: number): string {
  const gen = new rnam.Generator(7), lines = ['date,x,y'];
  for (let t = 0; t < days; t++) {
    const date = new Date(Date.UTC(2020, 0, 1 + t)).toISOString().slice(0, 10);
    const sd = 0.3 * Math.exp((Math.log(10) * t) / days);
    lines.push(`${date},${Math.sin(t / 5).toFixed(4)},${(3 * Math.sin((t + 1) / 5) + sd * gen.normal()).toFixed(4)}`);
  }
  return lines.join('\n') + '\n';
}

test('window mode: the rolling width keeps its coverage where the noise grows; a fixed width does not', async () => {
  const trained = await rnam.trainTable(driftingCsv(1200), { time: 'date', target: 'y', window: 5, members: 2, epochs: 12, device: 'wasm', log: null });
  const iv = trained.intervals!;
  assert.ok(iv.recent && iv.recent.length === iv.calibrationSamples, 'window mode keeps the residuals in time order');
  const test = trained.datasets.test!;
  const p = await rnam.predictTable(trained, driftingCsv(1200));
  // The samples of the test split: the last ones of the series.
  const from = p.samples - test.samples, idx = Array.from({ length: test.samples }, (_, i) => from + i).filter((i) => p.targetKnown[i]);
  const inside = (w: (i: number) => number) => idx.filter((i) => Math.abs(p.prediction[i] - p.targets[i]) <= w(i)).length / idx.length;
  const rolling = inside((i) => p.halfWidths![i]), fixed = inside(() => iv.halfWidth);
  // Three binomial standard deviations of a 90% coverage over this many test targets (about 0.067).
  const tolerance = 3 * Math.sqrt((0.9 * 0.1) / idx.length);
  assert.ok(Math.abs(rolling - 0.9) <= tolerance, `rolling coverage ${rolling} (tolerance ${tolerance})`);
  assert.ok(fixed < 0.9 - tolerance && fixed < rolling - 0.05, `the fixed width under-covers: ${fixed}, rolling ${rolling}`);
  assert.ok(Math.abs(trained.report.intervals!.testCoverage! - rolling) <= 0.03, `the report's test coverage ${trained.report.intervals!.testCoverage} vs ${rolling}`);
  assert.not.ok(trained.report.notes.some((n) => n.text.includes('prediction intervals hold')), 'covered as asked: no warning');
  // The CSV's columns are those widths.
  const rows = [...p.rows()], lower = p.header.indexOf('lower'), upper = p.header.indexOf('upper'), pred = p.header.indexOf('prediction');
  for (const i of [from, p.samples - 1]) {
    assert.is(rows[i][lower], p.prediction[i] - p.halfWidths![i]);
    assert.is(rows[i][upper], (rows[i][pred] as number) + p.halfWidths![i]);
  }
});

test('intervals that hold clearly fewer test targets than asked are warned of, in the log and the notes', async () => {
  // A level that climbs past the training range: the held-out residuals before it are small.
  const gen = new rnam.Generator(3), lines = ['t,x,y'];
  for (let t = 0; t < 300; t++) lines.push(`${t},${gen.normal().toFixed(3)},${(t < 240 ? 0.01 * t : 2.4 + 0.2 * (t - 240)) + 0.1 * gen.normal()}`);
  const said: string[] = [];
  const trained = await rnam.trainTable(lines.join('\n'), { time: 't', target: 'y', window: 4, features: ['x'], members: 1, epochs: 5, device: 'wasm', log: (l) => said.push(l) });
  const covered = trained.report.intervals!.testCoverage!;
  assert.ok(covered < 0.5, `test coverage ${covered}`);
  const warning = `warning: the prediction intervals hold ${(covered * 100).toFixed(1)}% of the ${trained.datasets.test!.samples} test targets, for 90% asked`;
  assert.ok(said.some((l) => l.startsWith(warning)), said.join('\n'));
  assert.ok(trained.report.notes.some((n) => n.kind === 'warning' && n.text.startsWith(warning)));
});

test.run();
