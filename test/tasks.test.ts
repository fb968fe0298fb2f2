// The task examples at reduced scale (examples/weather.ts, examples/sequence-tasks.ts): each model
// learns each task (test MSE far below the baseline), and on y = x[0] + x[-1] over 100 steps
// SimpleRNN stays near Var(x[0]) while GRU, LSTM and minGRU remember x[0]. Same data builders,
// models and training loop as the examples (examples/tasks/); deterministic on the CPU backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { MODEL_KINDS, createModel, type ModelKind } from '../examples/tasks/models.js';
import { train, predict, mse } from '../examples/tasks/train.js';
import { memoryConfig, runTask, sequenceTasks, type TaskConfig } from '../examples/tasks/suite.js';
import { arangeTask, lineTask, memoryTask, lastValueBaseline } from '../examples/tasks/sequences.js';
import { loadSeattleWeather, weatherTask, persistence } from '../examples/tasks/weather.js';

const test = suite('tasks');
const [arange, lines, shortMemory, longMemory] = sequenceTasks('reduced');

/** Trains every kind in `kinds` on `task` (data seed 1, model seed 0) and returns the test MSEs and the first baseline. */
async function runAll(task: TaskConfig, kinds: readonly ModelKind[] = MODEL_KINDS) {
  const split = task.data(new rnam.Generator(1));
  const baseline = task.baselines(split)[0][1];
  const results = new Map<ModelKind, number>();
  for (const kind of kinds) results.set(kind, (await runTask(task, kind, { split, seed: 0 })).testMse);
  return { baseline, results, split };
}

const show = (results: Map<ModelKind, number>) => [...results].map(([k, v]) => `${k} ${v.toPrecision(3)}`).join(', ');

test('data builders: the seed\'s constructions, reproducible for a seed', () => {
  const a = arangeTask(3, 1, new rnam.Generator(4));
  assert.equal([a.train.samples, a.train.seq, a.train.features, a.test.samples], [3, 5, 1, 1]);
  const r = a.train.x[1];                                            // x = k * r, k = 0..4; y = 5 r
  assert.equal([...a.train.x.subarray(0, 5)], [0, r, 2 * r, 3 * r, 4 * r].map(Math.fround));
  assert.is(a.train.y[0], Math.fround(5 * r));
  const l = lineTask(2, 1, new rnam.Generator(4));
  assert.equal([l.train.seq, l.train.features, l.train.outputs], [5, 2, 2]);
  const [x0, y0, x1, y1] = l.train.x;                                  // points (k, a k + b)
  assert.equal([x0, x1, l.train.y[0]], [0, 1, 5]);
  assert.ok(Math.abs(l.train.y[1] - (y0 + 5 * (y1 - y0))) < 1e-4);
  for (const target of ['x[0] + x[-1]', 'x[-5] + x[-1]'] as const) {
    const m = memoryTask(target, 10, 4, 2, new rnam.Generator(4));
    const early = target === 'x[0] + x[-1]' ? 0 : 5;
    for (let s = 0; s < 4; s++) assert.is(m.train.y[s], Math.fround(m.train.x[s * 10 + early] + m.train.x[s * 10 + 9]));
    assert.equal(memoryTask(target, 10, 4, 2, new rnam.Generator(4)).test.x, m.test.x);
  }
});

test('models: (batch, seq, features) -> (batch, outputs) for every kind; chrono init sets the keep gates', () => {
  for (const kind of MODEL_KINDS) {
    rnam.manualSeed(0);
    const model = createModel(kind, { inputSize: 3, hiddenSize: 4, outputSize: 2, minGRULayers: 2, chronoInit: 50 });
    const y = model.forward(rnam.tensor(new Float32Array(5 * 7 * 3).fill(0.1), [5, 7, 3]));
    assert.equal(y.shape, [5, 2], kind);
    y.dispose();
  }
  rnam.manualSeed(0);
  const gru = createModel('GRU', { inputSize: 1, hiddenSize: 4, outputSize: 1, chronoInit: 100 });
  const z = gru.stateDict()['rnn.bias_ih_l0'].toArraySync().subarray(4, 8);   // gates (r, z, n): z = keep
  assert.ok([...z].every((b) => b >= 0 && b <= Math.log(99)), `GRU keep-gate biases ${[...z]}`);
});

test('weather: Seattle CSV, chronological 70/15/15 split, standardized with the training statistics', () => {
  const days = loadSeattleWeather();
  assert.is(days.length, 1461);
  assert.equal([days[0].date, days.at(-1)!.date], ['2012-01-01', '2015-12-31']);
  const w = weatherTask(days);
  assert.equal(w.days, [1022, 219, 220]);
  assert.equal([w.train.samples, w.validation.samples, w.test.samples], [1015, 212, 213]);
  assert.equal([w.train.seq, w.train.features], [7, 3]);
  // the training inputs are standardized (every day but the last 7 appears as a first step)
  for (let f = 0; f < 3; f++) {
    let s = 0, s2 = 0;
    for (let i = 0; i < w.train.samples; i++) {
      const v = w.train.x[i * 21 + f];
      s += v;
      s2 += v * v;
    }
    const mean = s / w.train.samples, std = Math.sqrt(s2 / w.train.samples - mean * mean);
    assert.ok(Math.abs(mean) < 0.02 && Math.abs(std - 1) < 0.02, `feature ${f}: mean ${mean}, std ${std}`);
  }
  // the target is the next day's tmax: the following window's last input tmax
  assert.ok(Math.abs(w.train.y[0] - w.train.x[(1 * 7 + 6) * 3]) < 1e-6);
  // persistence is a forecast of a few °C: MSE (°C²) between 4 and 16
  const p = mse(persistence(w.test), w.test.y, w.targetStd);
  assert.ok(p > 4 && p < 16, `persistence ${p}`);
});

test('weather: every model learns (test MSE below 0.3 of the variance, near persistence) in 8 epochs', async () => {
  const w = weatherTask(loadSeattleWeather());
  const persist = mse(persistence(w.test), w.test.y);
  const results = new Map<ModelKind, number>();
  for (const kind of MODEL_KINDS) {
    rnam.manualSeed(0);
    const model = createModel(kind, { inputSize: 3, hiddenSize: 16, outputSize: 1 });
    await train(model, w.train, { epochs: 8, batchSize: 32, lr: 3e-3, generator: new rnam.Generator(0) });
    results.set(kind, mse(await predict(model, w.test), w.test.y));
  }
  for (const [kind, v] of results) {
    assert.ok(v < 0.3 && v < 1.5 * persist, `${kind}: standardized test MSE ${v} (persistence ${persist}); ${show(results)}`);
  }
});

test('arange(6) * randn: every model predicts the 6th value (MSE < 5% of the baseline)', async () => {
  const { baseline, results } = await runAll(arange);
  for (const [kind, v] of results) assert.ok(v < 0.05 * baseline, `${kind}: ${v} vs baseline ${baseline}; ${show(results)}`);
});

test('2D lines: every model predicts the next point (MSE < 10% of the baseline)', async () => {
  const { baseline, results } = await runAll(lines);
  for (const [kind, v] of results) assert.ok(v < 0.1 * baseline, `${kind}: ${v} vs baseline ${baseline}; ${show(results)}`);
});

test('memory y = x[-5] + x[-1] (seq 30): SimpleRNN, GRU and LSTM remember x[-5] (MSE < 10% of Var)', async () => {
  // minGRU is not asserted here: its recurrence is diagonal with gates that see only x_t, so a
  // fixed delay of 4 steps is out of its reach at this budget (see the example's table).
  const { baseline, results } = await runAll(shortMemory, ['SimpleRNN', 'GRU', 'LSTM']);
  for (const [kind, v] of results) assert.ok(v < 0.1 * baseline, `${kind}: ${v} vs y = x[-1] ${baseline}; ${show(results)}`);
});

test('memory y = x[0] + x[-1] (seq 100): SimpleRNN does not remember x[0]; GRU, LSTM and minGRU do', async () => {
  const { baseline, results, split } = await runAll(longMemory);
  // the baseline is y = x[-1]: the mean square of x[0] on the test split, about Var(x[0]) = 1
  assert.ok(Math.abs(baseline - lastValueBaseline(split.test)) < 1e-12 && baseline > 0.7 && baseline < 1.3, `baseline ${baseline}`);
  assert.ok(results.get('SimpleRNN')! > 0.7 * baseline, `SimpleRNN should stay near Var(x[0]) = ${baseline}; ${show(results)}`);
  for (const kind of ['GRU', 'LSTM', 'minGRU'] as const) {
    assert.ok(results.get(kind)! < 0.05 * baseline, `${kind} should remember x[0]: ${results.get(kind)} vs ${baseline}; ${show(results)}`);
  }
});

test('bitwise reproducible: the same seeds give the same test MSE', async () => {
  const task = memoryConfig('x[0] + x[-1]', { seq: 20, trainSamples: 60, testSamples: 20, epochs: 3, batchSize: 20 });
  for (const kind of MODEL_KINDS) {
    const [a, b] = [await runTask(task, kind), await runTask(task, kind)];
    assert.is(a.testMse, b.testMse, kind);
    assert.is(a.trainLoss, b.trainLoss, kind);
  }
});

test.run();
