// Heavily right-skewed numeric features (labs such as bilirubin or free light chains) are read as
// log(1 + value) by default: chosen on the training split, saved with the model, applied the same
// to new data, said on the log, and off with skewed 'keep'. Contributions stay exact and the shape
// functions keep the feature's own units.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { LOG_SKEWNESS, ScaleAccumulator, standardizeValue, unstandardizeValue } from '../src/data/standardize.js';
import { fitStreamPreprocessing } from '../src/pipeline/stream-preprocessing.js';
import { Preprocessing } from '../src/pipeline/preprocessing.js';
import { toTable } from '../src/pipeline/table-input.js';
import { main } from '../src/cli/main.js';
import { renderSvg } from '../src/plot/index.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const test = suite('skewed features');
const quiet = { log: null, progress: false } as const;

function accumulate(values: number[], logSkewed = true) {
  const acc = new ScaleAccumulator({ logSkewed });
  for (const v of values) acc.add(v);
  return acc;
}

/** Log-normal draws: skewness far above LOG_SKEWNESS, about 0 on the log scale. */
function logNormal(n: number, seed: number, sigma = 1.2): number[] {
  const gen = new rnam.Generator(seed);
  return Array.from({ length: n }, () => Math.exp(gen.normal() * sigma));
}

test('a heavily right-skewed non-negative column takes the log scale; symmetric, negative, binary and opted-out columns do not', () => {
  const skewed = logNormal(2000, 1);
  const s = accumulate(skewed).scale('bili');
  assert.is(s.log, true);
  const logs = skewed.map(Math.log1p), mean = logs.reduce((a, b) => a + b) / logs.length;
  assert.ok(Math.abs(s.mean - mean) < 1e-9, `the mean is the log's: ${s.mean} vs ${mean}`);
  assert.ok(accumulate(skewed).logSkewness! > LOG_SKEWNESS);
  const gen = new rnam.Generator(2);
  assert.is(accumulate(Array.from({ length: 2000 }, () => 5 + gen.normal())).scale('sbp').log, undefined, 'symmetric');
  assert.is(accumulate([...skewed, -0.5]).scale('x').log, undefined, 'a negative value keeps the raw scale');
  assert.is(accumulate(Array.from({ length: 2000 }, (_, i) => (i % 40 === 0 ? 1 : 0))).scale('rare').log, undefined, 'a rare 0/1 flag: the log does not halve its skewness');
  assert.is(accumulate(skewed, false).scale('bili').log, undefined, 'logSkewed false');
  // Without the log the scale is the one it always was (the same bits for data without skewed columns).
  const raw = accumulate(skewed, false).scale('bili');
  const m = skewed.reduce((a, b) => a + b) / skewed.length;
  assert.ok(Math.abs(raw.mean - m) < 1e-9 && raw.log === undefined);
});

test('standardize and back: log(1 + v) above 0, linear below (a value under the training range stays finite and ordered)', () => {
  const s = { name: 'x', mean: 0.7, std: 0.4, log: true as const };
  for (const v of [0, 0.3, 1, 17.5, 1e4, -0.2, -3]) {
    const z = standardizeValue(v, s);
    assert.ok(Number.isFinite(z), `${v}`);
    assert.ok(Math.abs(unstandardizeValue(z, s) - v) < 1e-9 * (1 + Math.abs(v)), `round trip ${v}`);
  }
  assert.ok(standardizeValue(-3, s) < standardizeValue(-0.2, s) && standardizeValue(-0.2, s) < standardizeValue(0, s));
  assert.ok(Number.isNaN(standardizeValue(NaN, s)));
});

/** Patients with a log-normal lab at irregular visits and a log-normal static marker; y depends on their logs. */
function skewedPanelCsv(patients: number, seed: number): string {
  const gen = new rnam.Generator(seed), lines = ['id,day,lab,marker,y'];
  for (let p = 0; p < patients; p++) {
    const marker = Math.exp(gen.normal() * 1.3);
    let day = 0, lab = 0;
    const visits = 2 + gen.int(4);
    for (let v = 0; v < visits; v++) {
      day += 1 + gen.int(20);
      lab = Math.exp(gen.normal() * 1.3);
      const y = 1.5 * Math.log(lab) + Math.log(marker) + gen.normal() * 0.3;
      lines.push(`p${p},${day},${lab.toFixed(4)},${marker.toFixed(4)},${y.toFixed(4)}`);
    }
  }
  return lines.join('\n') + '\n';
}

test('trainTable reads skewed labs on the log scale: said, saved, applied to new data; the identity holds; skewed keep reads them as they are', async () => {
  const said: string[] = [];
  const options = { id: 'id', time: 'day', target: 'y', epochs: 40, members: 1, lr: 0.01, device: 'wasm' } as const;
  const trained = await rnam.trainTable(skewedPanelCsv(300, 1), { ...options, log: (l: string) => said.push(l), progress: false });
  const m = trained.preprocessing.record.mixed!;
  assert.is(m.sequence[0].log, true, 'lab');
  assert.is(m.static[0].log, true, 'marker');
  assert.ok(said.some((l) => l.startsWith('read as log(1 + value)') && l.includes('lab, marker')), said.join('\n'));
  const holdout = skewedPanelCsv(100, 2);
  const p = await rnam.predictTable(trained, holdout);
  for (let i = 0; i < p.samples; i++) {
    let z = p.intercept[i];
    for (let t = 0; t < p.featureNames.length; t++) z += p.contributions[t * p.samples + i];
    assert.ok(Math.abs(z - p.prediction[i]) < 1e-4 * (1 + Math.abs(z)), `sample ${i}: ${z} vs ${p.prediction[i]}`);
  }
  const loaded = await rnam.loadTrained(await rnam.saveTrained(trained), { device: await rnam.device('wasm') });
  assert.is(loaded.preprocessing.record.mixed!.static[0].log, true, 'the model file keeps the log scale');
  assert.equal(Array.from((await rnam.predictTable(loaded, holdout)).prediction), Array.from(p.prediction));
  // The static shape function is in the marker's own units.
  const shape = trained.explanation.shapes.find((s) => s.feature === 'marker')!;
  const xs = shape.points.map((pt) => pt.x);
  assert.ok(Math.min(...xs) > 0 && Math.max(...xs) > 5, `marker's x axis in its units: ${Math.min(...xs)} to ${Math.max(...xs)}`);

  // The charts draw the log-scaled features on a log axis, the report says which.
  assert.equal(trained.explanation.shapes.map((s) => s.logAxis ?? false), [true, true]);
  assert.equal(trained.report.shapes.map((s) => s.logAxis ?? false), [true, true]);
  type Panels = { concat: { layer: { encoding: { x: { scale: { type?: string } } } }[] }[] };
  const panels = (rnam.explanationCharts(trained.explanation).shapes as unknown as Panels).concat;
  assert.equal(panels.map((p) => p.layer[0].encoding.x.scale.type), ['symlog', 'symlog']);
  assert.ok((await renderSvg(rnam.explanationCharts(trained.explanation).shapes)).includes('log(1 + value)'));

  const kept = await rnam.trainTable(skewedPanelCsv(300, 1), { ...options, skewed: 'keep', ...quiet });
  assert.equal((rnam.explanationCharts(kept.explanation).shapes as unknown as Panels).concat.map((p) => p.layer[0].encoding.x.scale.type), [undefined, undefined]);
  assert.is(kept.preprocessing.record.mixed!.sequence[0].log, undefined);
  assert.is(kept.preprocessing.record.mixed!.static[0].log, undefined);
  const q = await rnam.predictTable(kept, holdout);
  const err = (r: rnam.TablePrediction) => rnam.rmse(Array.from(r.prediction), Array.from(r.targets));
  assert.ok(err(p) < 0.8 * err(q), `a truth in the logs is learned better on the log scale: rmse ${err(p)} vs ${err(q)} as they are`);
});

test('bad skewed options are errors: an unknown rule, the log with series inputs, a bad --skewed flag', async () => {
  for (const [options, pattern] of [
    [{ skewed: 'sqrt' }, /skewed must be 'log' or 'keep', got 'sqrt'/],
    [{ skewed: 'log', model: 'first-order' }, /skewed 'log' needs inputs: 'mixed'/],
  ] as const) {
    try {
      await rnam.trainTable(skewedPanelCsv(20, 3), { id: 'id', time: 'day', target: 'y', epochs: 1, ...options, ...quiet } as rnam.TrainTableOptions);
      assert.unreachable();
    } catch (err) {
      assert.instance(err, rnam.ArgumentError);
      assert.match((err as Error).message, pattern);
    }
  }
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'rnam-skewed-'));
  const csv = join(dir, 'd.csv');
  writeFileSync(csv, skewedPanelCsv(20, 3));
  const code = await main(['train', csv, '--id', 'id', '--time', 'day', '--target', 'y', '--out', join(dir, 'out'), '--skewed', 'sqrt'], (l) => lines.push(l));
  assert.is(code, 2);
  assert.match(lines.join('\n'), /--skewed/);
});

test('a streamed fit chooses the same log scales as the in-memory one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-skewed-stream-'));
  const path = join(dir, 'd.csv');
  // A split column, so both fits see the same training ids.
  const [head, ...rows] = skewedPanelCsv(200, 4).trimEnd().split('\n');
  const text = [`${head},part`, ...rows.map((r) => `${r},${Number(r.slice(1, r.indexOf(','))) % 5 === 0 ? 'test' : 'train'}`)].join('\n') + '\n';
  writeFileSync(path, text);
  const options = { id: 'id', time: 'day', target: 'y', split: { column: 'part' } };
  const streamed = await fitStreamPreprocessing(() => ({ csv: createReadStream(path, { highWaterMark: 2048 }) }), options, 30);
  const memory = Preprocessing.fit(toTable('test', text), options);
  assert.equal(streamed.preprocessing.toRecord(), memory.preprocessing.toRecord());
  assert.is(memory.preprocessing.record.mixed!.static[0].log, true);
});

test.run();

const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('skewed features', gpu);
else {
  const g = suite('skewed features on WebGPU');
  g('WebGPU: a model with log-scaled terms predicts what the wasm model predicts', async () => {
    const options = { id: 'id', time: 'day', target: 'y', epochs: 2, members: 1, ...quiet } as const;
    const onWasm = await rnam.trainTable(skewedPanelCsv(60, 5), { ...options, device: 'wasm' });
    const onGpu = await rnam.loadTrained(await rnam.saveTrained(onWasm), { device: gpu as unknown as rnam.Device });
    assert.is(onGpu.preprocessing.record.mixed!.sequence[0].log, true);
    const a = await rnam.predictTable(onWasm, skewedPanelCsv(40, 6)), b = await rnam.predictTable(onGpu, skewedPanelCsv(40, 6));
    for (let i = 0; i < a.samples; i++) assert.ok(Math.abs(a.prediction[i] - b.prediction[i]) < 1e-4 * (1 + Math.abs(a.prediction[i])), `sample ${i}`);
  });
  g.run();
}
