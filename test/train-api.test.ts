// The training API for every model and data kind: fit/evaluate/predict on FirstOrderRNAM,
// SequenceModel (rnn, gru, lstm, mingru) and ImplicitRNN from datasets, arrays and streams; tasks and
// their metrics; callbacks, early stopping, checkpoints, schedulers in fit; predict's outputs; typed
// errors. The WebGPU cases run the same training on the GPU.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';
import { assertBitwiseEqual, assertClose } from './helpers/util.js';
import { webgpuBackend, reportUnavailable } from './helpers/backends.js';

const test = suite('train-api');

const F = 2, SEQ = 6;

/** Batch-first x (samples, SEQ, F), lengths 3..SEQ, y from each sample's valid steps (mean of f0 plus its last f1). */
function sequences(seed: number, samples: number, variable = true) {
  const gen = new rnam.Generator(seed);
  const x = gen.fillNormal(new Float32Array(samples * SEQ * F));
  const lengths = Int32Array.from({ length: samples }, (_, i) => (variable ? 3 + (i % (SEQ - 2)) : SEQ));
  const y = new Float32Array(samples);
  for (let s = 0; s < samples; s++) {
    let m = 0;
    for (let t = 0; t < lengths[s]; t++) m += x[(s * SEQ + t) * F];
    y[s] = m / lengths[s] + 0.5 * x[(s * SEQ + lengths[s] - 1) * F + 1];
    for (let t = lengths[s]; t < SEQ; t++) x.fill(0, (s * SEQ + t) * F, (s * SEQ + t + 1) * F); // right padding
  }
  return { x, y, lengths, shape: [samples, SEQ, F] as const };
}

type Kind = 'rnam' | 'rnn' | 'gru' | 'lstm' | 'mingru' | 'implicit';
const kinds: Kind[] = ['rnam', 'rnn', 'gru', 'lstm', 'mingru', 'implicit'];

function makeModel(kind: Kind, outDim = 1): rnam.TrainableModel {
  if (kind === 'rnam') return new rnam.FirstOrderRNAM({ terms: F, hiddenDim: 4, outDim, blocks: 1 });
  if (kind === 'implicit') return new rnam.ImplicitRNN({ inputDim: F, outputDim: outDim, implicitHiddenDim: 6, hiddenDim: 4 });
  return new rnam.SequenceModel({ cell: kind, inputSize: F, hiddenSize: 6, outDim });
}

/** Rows of a long table: ids s0..s3, 16 steps each, target y the next step's 0.8 a + 0.3 b. */
function tableRows() {
  const gen = new rnam.Generator(9), rows: Record<string, number | string>[] = [];
  for (let i = 0; i < 4; i++) {
    let a = 0, b = 0;
    for (let t = 0; t < 16; t++) {
      const y = 0.8 * a + 0.3 * b;
      a = gen.normal();
      b = gen.normal();
      rows.push({ id: `s${i}`, t, a, b, y });
    }
  }
  return rows;
}

const streamOptions = { id: 'id', time: 't', target: 'y', features: ['a', 'b'], window: 4, batchSize: 8 } as const;

async function weights(model: rnam.Module): Promise<Float32Array[]> {
  return Promise.all(model.parameters().map((p) => p.toArray()));
}

function quiet() {
  return { log: null, progress: false } as const;
}

async function rejects(fn: () => Promise<unknown>, type: new (...a: any[]) => Error, ...parts: string[]) {
  let err: unknown = null;
  try {
    await fn();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof type, `expected a ${type.name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  for (const p of parts) assert.ok((err as Error).message.includes(p), `message '${(err as Error).message}' lacks '${p}'`);
}

// ---- every model from every data kind ----

for (const kind of kinds) {
  test(`${kind}: trains from a dataset, from arrays and from a stream; the loss decreases`, async () => {
    const d = sequences(1, 32);
    const ds = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: d.y, lengths: d.lengths });
    const rows = tableRows();
    const layout = makeModel(kind).describe!().layout;
    const sources: [string, rnam.TrainingData][] = [
      ['dataset', ds],
      ['arrays', { x: d.x, shape: d.shape, layout: 'batch-first', y: d.y, lengths: d.lengths }],
      ['stream', () => rnam.windowBatches({ rows }, { ...streamOptions, layout })],
    ];
    for (const [what, data] of sources) {
      rnam.manualSeed(3);
      const model = makeModel(kind);
      const history = await rnam.fit(model, data, { epochs: 5, batchSize: 8, optimizer: new rnam.Adam(model.parameters(), { lr: 0.03 }), ...quiet() });
      assert.is(history.length, 5, `${what}: epochs`);
      const first = history[0].trainLoss, last = history.at(-1)!.trainLoss;
      assert.ok(last < 0.9 * first, `${kind} from ${what}: train loss ${first} -> ${last}`);
      assert.equal(Object.keys(history[0].metrics.train), ['rmse', 'mae', 'r2']);
    }
  });
}

test('lengths reach the forward: predictions on right-padded data equal those of each sequence cut to its length', async () => {
  const d = sequences(2, 6);
  for (const kind of ['rnam', 'gru', 'implicit'] as Kind[]) {
    rnam.manualSeed(4);
    const model = makeModel(kind);
    const padded = await rnam.predict(model, { x: d.x, shape: d.shape, layout: 'batch-first', lengths: d.lengths });
    for (let s = 0; s < 6; s++) {
      const L = d.lengths[s], x = d.x.slice(s * SEQ * F, (s * SEQ + L) * F);
      const one = await rnam.predict(model, { x, shape: [1, L, F], layout: 'batch-first' });
      assertClose(padded.yHat.subarray(s, s + 1), one.yHat, `${kind} sample ${s} (length ${L})`, 1e-5, 1e-6);
    }
  }
});

test('a stream given as an array of batches trains every epoch; a generator read twice is an error naming the fix', async () => {
  const d = sequences(3, 16);
  const ds = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: d.y, lengths: d.lengths });
  const batches = [ds.toBatch([0, 1, 2, 3, 4, 5, 6, 7], { layout: 'batch-first' }), ds.toBatch([8, 9, 10, 11, 12, 13, 14, 15], { layout: 'batch-first' })];
  rnam.manualSeed(5);
  const model = makeModel('gru');
  let steps = 0;
  const history = await rnam.fit(model, batches, { epochs: 3, batchSize: 8, optimizer: new rnam.Adam(model.parameters(), { lr: 0.02 }), onBatch: () => void steps++, ...quiet() });
  assert.is(history.length, 3);
  assert.is(steps, 6);
  const once = rnam.windowBatches({ rows: tableRows() }, { ...streamOptions, layout: 'batch-first' });
  await rejects(() => rnam.fit(model, once, { epochs: 2, batchSize: 8, optimizer: new rnam.Adam(model.parameters()), ...quiet() }),
    rnam.ArgumentError, 'generator cannot be read twice', '() => rnam.windowBatches');
});

test('evaluate and predict on a stream equal those on the dataset it was cut from; validation may be a stream', async () => {
  const d = sequences(33, 20);
  const ds = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: d.y, lengths: d.lengths });
  const stream = () => [[0, 8], [8, 16], [16, 20]].map(([a, b]) => ds.toBatch(Array.from({ length: b - a }, (_, i) => a + i), { layout: 'batch-first' }));
  rnam.manualSeed(34);
  const model = makeModel('lstm');
  const history = await rnam.fit(model, ds, { epochs: 2, batchSize: 8, validation: stream, optimizer: new rnam.Adam(model.parameters(), { lr: 0.02 }), ...quiet() });
  const onStream = await rnam.evaluate(model, stream), onDataset = await rnam.evaluate(model, ds, { batchSize: 8 });
  assert.equal(onStream, onDataset);
  assert.is(history[1].valLoss, onDataset.loss);
  const p = await rnam.predict(model, stream), q = await rnam.predict(model, ds);
  assertBitwiseEqual(p.yHat, q.yHat, 'predictions');
  assert.equal(p.shape, [20, 1]);
  assert.is(p.featureNames, null);
  assert.equal(q.featureNames, ['x0', 'x1']);
});

// ---- tasks and their metrics ----

function classification(seed: number, samples: number, classes: number) {
  const d = sequences(seed, samples, false);
  const y = Float32Array.from(d.y, (v) => (classes === 2 ? (v > 0 ? 1 : 0) : v < -0.4 ? 0 : v < 0.4 ? 1 : 2));
  return { ...d, y };
}

test('regression, binary and multiclass: the default loss and metrics per task, train and validation, as evaluate() computes them', async () => {
  const cases = [
    { task: 'regression', classes: 0, outDim: 1, names: ['rmse', 'mae', 'r2'] },
    { task: 'binary', classes: 2, outDim: 1, names: ['auc', 'accuracy', 'logLoss'] },
    { task: 'multiclass', classes: 3, outDim: 3, names: ['accuracy', 'logLoss'] },
  ] as const;
  for (const c of cases) {
    const tr = c.classes ? classification(6, 48, c.classes) : sequences(6, 48, false);
    const va = c.classes ? classification(7, 24, c.classes) : sequences(7, 24, false);
    const train = rnam.fromArrays({ x: tr.x, shape: tr.shape, layout: 'batch-first', y: tr.y });
    const validation = rnam.fromArrays({ x: va.x, shape: va.shape, layout: 'batch-first', y: va.y });
    rnam.manualSeed(8);
    const model = makeModel('lstm', c.outDim);
    // the task comes from the data's hint: 0/1 targets, and class indices with one output per class
    const history = await rnam.fit(model, train, { epochs: 6, batchSize: 8, validation, optimizer: new rnam.Adam(model.parameters(), { lr: 0.03 }), ...quiet() });
    const last = history.at(-1)!;
    assert.equal(Object.keys(last.metrics.train), [...c.names], `${c.task}: train metrics`);
    assert.equal(Object.keys(last.metrics.validation!), [...c.names], `${c.task}: validation metrics`);
    assert.ok(history[5].trainLoss < history[0].trainLoss, `${c.task}: train loss ${history[0].trainLoss} -> ${history[5].trainLoss}`);
    const ev = await rnam.evaluate(model, validation, { batchSize: 8 }); // fit's validation batches
    assert.is(ev.task, c.task);
    assert.is(ev.loss, last.valLoss, `${c.task}: evaluate's loss is the last valLoss`);
    assert.equal(ev.metrics, last.metrics.validation, `${c.task}: evaluate's metrics are the last validation metrics`);
    // the metrics are those of the metric functions on predict's outputs
    const p = await rnam.predict(model, validation);
    assert.is(p.task, c.task);
    if (c.task === 'regression') {
      assert.is(ev.metrics.rmse, rnam.rmse(p.yHat, va.y));
      assert.is(ev.metrics.r2, rnam.r2Score(p.yHat, va.y));
      assert.ok(ev.metrics.r2 > 0, `r2 ${ev.metrics.r2}`);
    } else if (c.task === 'binary') {
      assert.is(ev.metrics.auc, rnam.rocAuc(p.probabilities!, va.y));
      assert.is(ev.metrics.accuracy, rnam.accuracy(p.classes!, va.y));
      assert.ok(ev.metrics.auc > 0.7, `auc ${ev.metrics.auc}`);
      // the loss is BCE with logits: the mean of -log p(target)
      let nll = 0;
      p.probabilities!.forEach((q, i) => (nll -= Math.log(va.y[i] === 1 ? q : 1 - q)));
      assertClose([ev.loss * 3], [(nll / 24) * 3], 'bce loss (3 batches of 8: the mean of batch means is the mean)', 1e-4);
    } else {
      assert.is(ev.metrics.accuracy, rnam.accuracy(p.yHat, va.y, { classes: 3 }));
      assertClose([ev.metrics.logLoss], [rnam.logLoss(p.probabilities!, va.y, { classes: 3 })], 'logLoss from probabilities', 1e-5);
      assert.ok(ev.metrics.accuracy > 0.5, `accuracy ${ev.metrics.accuracy}`);
    }
  }
});

// ---- early stopping, checkpoints, callbacks ----

test('early stopping stops after patience epochs without improvement and restores the best epoch\'s weights bitwise', async () => {
  const d = sequences(10, 24);
  const train = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: d.y, lengths: d.lengths });
  for (const restore of [true, false]) {
    rnam.manualSeed(11);
    const model = makeModel('rnam');
    const perEpoch: Float32Array[][] = [];
    // mode 'max' on the falling training loss: epoch 1 is the best, so 2 worse epochs stop at epoch 3
    const history = await rnam.fit(model, train, {
      epochs: 10, batchSize: 8, optimizer: new rnam.Adam(model.parameters(), { lr: 0.02 }), ...quiet(),
      earlyStopping: { monitor: 'trainLoss', mode: 'max', patience: 2, restoreBestWeights: restore },
      onEpoch: async () => void perEpoch.push(await weights(model)),
    });
    assert.is(history.length, 3, 'stopped after epoch 3');
    assert.ok(history[1].trainLoss < history[0].trainLoss && history[2].trainLoss < history[0].trainLoss, 'epoch 1 is the best');
    const now = await weights(model);
    const expected = restore ? perEpoch[0] : perEpoch[2];
    now.forEach((w, i) => assertBitwiseEqual(w, expected[i], `parameter ${i} (restoreBestWeights ${restore})`));
    assert.ok(now.some((w, i) => w.some((v, j) => v !== (restore ? perEpoch[2] : perEpoch[0])[i][j])), 'the other epoch\'s weights differ');
  }
});

test('early stopping on a validation metric: mode from the metric, minDelta counts', async () => {
  const d = sequences(12, 24), v = sequences(13, 16);
  const train = { x: d.x, shape: d.shape, layout: 'batch-first' as const, y: d.y };
  const validation = { x: v.x, shape: v.shape, layout: 'batch-first' as const, y: v.y };
  rnam.manualSeed(14);
  const model = makeModel('gru');
  // r2 rises (mode max by default), but never by 10 in an epoch: the first epoch stays the best
  const history = await rnam.fit(model, train, { epochs: 6, batchSize: 8, validation, optimizer: new rnam.Adam(model.parameters(), { lr: 0.02 }), ...quiet(),
    earlyStopping: { monitor: 'r2', patience: 1, minDelta: 10 } });
  assert.is(history.length, 2);
});

test('onBatch per step, onEpoch returning false stops, checkpoints every 2 epochs and at the end', async () => {
  const d = sequences(15, 20);
  const data = { x: d.x, shape: d.shape, layout: 'batch-first' as const, y: d.y, lengths: d.lengths };
  rnam.manualSeed(16);
  const model = makeModel('mingru');
  const optimizer = new rnam.SGD(model.parameters(), { lr: 0.05 });
  const steps: rnam.BatchStats[] = [], saved: number[] = [];
  const history = await rnam.fit(model, data, {
    epochs: 9, batchSize: 8, optimizer, ...quiet(),
    onBatch: async (s) => { await Promise.resolve(); steps.push(s); },
    onEpoch: (s) => s.epoch < 5,
    checkpoint: { every: 2, save: async (state) => {
      assert.is(state.model, model);
      assert.is(state.optimizer, optimizer);
      assert.is(state.history.at(-1), state.stats);
      saved.push(state.epoch);
    } },
  });
  assert.is(history.length, 5);
  assert.equal(steps.slice(0, 4).map((s) => [s.epoch, s.step]), [[1, 1], [1, 2], [1, 3], [2, 1]]);
  assert.is(steps.length, 15);
  assert.is(steps[2].loss > 0, true);
  assert.equal(saved, [2, 4, 5]);
  assert.ok(history.every((h) => h.lr === 0.05 && h.seconds >= 0));
});

// ---- schedulers ----

interface SchedulerCase { name: string; kind: string; lr: number; options: Record<string, unknown>; epochs: number; metrics?: number[]; initial: number; lrs: number[] }
const schedulerGolden: { cases: SchedulerCase[] } = JSON.parse(readFileSync(new URL('./fixtures/scheduler_golden.json', import.meta.url), 'utf8'));

function schedulerFor(c: SchedulerCase, opt: rnam.Optimizer): rnam.Scheduler {
  if (c.kind === 'StepLR') return new rnam.StepLR(opt, c.options as unknown as rnam.StepLROptions);
  if (c.kind === 'CosineAnnealingLR') return new rnam.CosineAnnealingLR(opt, c.options as unknown as rnam.CosineAnnealingLROptions);
  return new rnam.ReduceLROnPlateau(opt, c.options as rnam.ReduceLROnPlateauOptions);
}

test('schedulers: the lr sequences of PyTorch 1.13 (test/golden/make_scheduler_fixtures.py): bit for bit, cosine to float64 rounding', () => {
  assert.ok(schedulerGolden.cases.length >= 7);
  for (const c of schedulerGolden.cases) {
    const opt = new rnam.SGD([rnam.zeros([1], { requiresGrad: true })], { lr: c.lr });
    const sched = schedulerFor(c, opt);
    assert.is(opt.lr, c.initial, `${c.name}: initial lr`);
    const lrs = Array.from({ length: c.epochs }, (_, e) => {
      if (sched instanceof rnam.ReduceLROnPlateau) sched.step(c.metrics![e]);
      else sched.step();
      return opt.lr;
    });
    // cosine: glibc's cos (PyTorch's) and musl's (hostmath) differ by an ulp at 6 pi / 5, which the recursion carries on
    const exact = c.kind !== 'CosineAnnealingLR';
    lrs.forEach((lr, e) => assert.ok(exact ? Object.is(lr, c.lrs[e]) : Math.abs(lr - c.lrs[e]) <= 1e-14 * Math.abs(c.lrs[e]) + 1e-18,
      `${c.name}: epoch ${e + 1} lr ${lr}, PyTorch ${c.lrs[e]}`));
  }
});

test('fit steps the scheduler after each epoch: history lr is the lr each epoch trained with; ReduceLROnPlateau reads its monitor', async () => {
  const d = sequences(17, 16);
  const data = { x: d.x, shape: d.shape, layout: 'batch-first' as const, y: d.y };
  rnam.manualSeed(18);
  const model = makeModel('rnn');
  const opt = new rnam.SGD(model.parameters(), { lr: 0.1 });
  const h = await rnam.fit(model, data, { epochs: 5, batchSize: 8, optimizer: opt, scheduler: new rnam.StepLR(opt, { stepSize: 2, gamma: 0.5 }), ...quiet() });
  assert.equal(h.map((e) => e.lr), [0.1, 0.1, 0.05, 0.05, 0.025]);
  assert.is(opt.lr, 0.025);
  // monitoring the falling training loss in mode 'max': every epoch is a plateau, patience 0 halves lr each time
  const opt2 = new rnam.SGD(model.parameters(), { lr: 0.08 });
  const h2 = await rnam.fit(model, data, { epochs: 4, batchSize: 8, optimizer: opt2, ...quiet(),
    scheduler: new rnam.ReduceLROnPlateau(opt2, { mode: 'max', patience: 0, factor: 0.5, monitor: 'trainLoss' }) });
  assert.equal(h2.map((e) => e.lr), [0.08, 0.08, 0.04, 0.02]);
});

test('the optimizer trains with the lr the scheduler sets: gamma 0 freezes the weights from epoch 2 on', async () => {
  const d = sequences(30, 8);
  rnam.manualSeed(31);
  const model = makeModel('rnam');
  const opt = new rnam.Adam(model.parameters(), { lr: 0.01 });
  const perEpoch: Float32Array[][] = [];
  await rnam.fit(model, { x: d.x, shape: d.shape, layout: 'batch-first', y: d.y }, { epochs: 3, batchSize: 4, optimizer: opt, ...quiet(),
    scheduler: new rnam.StepLR(opt, { stepSize: 1, gamma: 0 }), onEpoch: async () => void perEpoch.push(await weights(model)) });
  perEpoch[2].forEach((w, i) => assertBitwiseEqual(w, perEpoch[0][i], `parameter ${i}`));
});

test('the progress bar on a terminal: a bar for in-memory data, a step count for a stream', async () => {
  const d = sequences(32, 8);
  const ds = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: d.y });
  const model = makeModel('gru');
  const stderr = process.stderr as unknown as { isTTY?: boolean; write: (s: string) => boolean };
  const { isTTY, write } = stderr;
  let out = '';
  stderr.isTTY = true;
  stderr.write = (text: string) => ((out += text), true);
  try {
    const o = { epochs: 1, batchSize: 4, optimizer: new rnam.Adam(model.parameters()), log: null, progress: true };
    await rnam.fit(model, ds, o);
    assert.ok(out.includes('epoch 1/1 [') && out.includes('2/2 loss'), out);
    out = '';
    await rnam.fit(model, [ds.toBatch([0, 1, 2, 3], { layout: 'batch-first' })], o);
    assert.ok(out.includes('epoch 1/1 step 1 loss'), out);
  } finally {
    stderr.isTTY = isTTY;
    stderr.write = write;
  }
});

test('schedulers and optimizers reject bad options with ArgumentErrors naming them', async () => {
  const opt = new rnam.SGD([rnam.zeros([1], { requiresGrad: true })], { lr: 0.1 });
  const cases: [() => unknown, string][] = [
    [() => new rnam.StepLR(opt, { stepSize: 0 }), 'StepLR: stepSize must be an integer >= 1, got 0'],
    [() => new rnam.StepLR(opt, { stepSize: 2, gama: 0.5 } as unknown as rnam.StepLROptions), 'StepLR: unknown option gama'],
    [() => new rnam.StepLR(opt, 3 as unknown as rnam.StepLROptions), 'did you mean'],
    [() => new rnam.CosineAnnealingLR(opt, { tMax: 2.5 }), 'CosineAnnealingLR: tMax must be an integer >= 1'],
    [() => new rnam.CosineAnnealingLR(opt, { tMax: 5, etaMin: -1 }), 'CosineAnnealingLR: invalid etaMin -1'],
    [() => new rnam.ReduceLROnPlateau(opt, { factor: 1 }), 'ReduceLROnPlateau: invalid factor 1'],
    [() => new rnam.ReduceLROnPlateau(opt, { mode: 'up' as 'min' }), "mode must be 'min' or 'max'"],
    [() => new rnam.ReduceLROnPlateau(opt).step(undefined as unknown as number), 'the metric must be a number'],
    [() => new rnam.StepLR({} as rnam.Optimizer, { stepSize: 1 }), 'must be an optimizer'],
    [() => new rnam.AdamW(opt.params, 0.01 as unknown as rnam.AdamOptions), 'did you mean { lr: 0.01 }'],
    [() => new rnam.SGD(opt.params, { lr: -1 }), 'invalid lr -1'],
  ];
  for (const [fn, text] of cases) {
    let err: unknown = null;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof rnam.ArgumentError, `${text}: got ${String(err)}`);
    assert.ok((err as Error).message.includes(text), `'${(err as Error).message}' lacks '${text}'`);
  }
});

// ---- predict ----

test('predict: shapes, contributions and intercept of the RNAM, original units of a standardized target', async () => {
  const d = sequences(19, 10);
  const raw = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: Float32Array.from(d.y, (v) => 100 + 20 * v), lengths: d.lengths, featureNames: ['f', 'g'] });
  const ds = rnam.standardizeDataset(raw, rnam.fitStandardizer(raw, { target: true }));
  rnam.manualSeed(20);
  const model = new rnam.FirstOrderRNAM({ terms: F, hiddenDim: 4, outDim: 1, blocks: 1 });
  const p = await rnam.predict(model, ds, { batchSize: 4 });
  assert.equal(p.shape, [10, 1]);
  assert.equal(p.contributionsShape, [F, 10, 1]);
  assert.equal(p.featureNames, ['f', 'g']);
  assert.is(p.task, 'regression');
  assert.equal([...p.intercept!], [...(await model.gam.bias.toArray())]);
  const sum = Array.from(p.yHat, (_, s) => p.intercept![0] + p.contributions![s] + p.contributions![10 + s]);
  assertClose(p.yHat, sum, 'yHat = intercept + sum of contributions');
  const t = ds.standardizer.target!;
  assert.equal([...p.predictions], [...Float32Array.from(p.yHat, (v) => v * t.std + t.mean)], 'predictions in the target\'s units');
  const batchFirst = await rnam.predict(makeModel('lstm'), ds);
  assert.is(batchFirst.contributions, null);
  assert.is(batchFirst.contributionsShape, null);
  assert.is(batchFirst.intercept, null);
  assert.equal(batchFirst.shape, [10, 1]);
});

test('predict: binary probabilities (sigmoid) and classes, multiclass softmax rows and argmax', async () => {
  const b = classification(21, 12, 2), m = classification(21, 12, 3);
  rnam.manualSeed(22);
  const pb = await rnam.predict(makeModel('gru'), { x: b.x, shape: b.shape, layout: 'batch-first', y: b.y });
  assert.is(pb.task, 'binary');
  assertClose(pb.probabilities!, Array.from(pb.yHat, (z) => 1 / (1 + Math.exp(-z))), 'sigmoid', 1e-6, 1e-7);
  assert.is(pb.predictions, pb.probabilities);
  assert.equal([...pb.classes!], Array.from(pb.yHat, (z) => (z > 0 ? 1 : 0)));
  const pm = await rnam.predict(makeModel('gru', 3), { x: m.x, shape: m.shape, layout: 'batch-first' }, { task: 'multiclass' });
  assert.equal(pm.shape, [12, 3]);
  const ref = Array.from(pm.yHat, (_, i) => {
    const row = Math.floor(i / 3) * 3, mx = Math.max(pm.yHat[row], pm.yHat[row + 1], pm.yHat[row + 2]);
    const z = [0, 1, 2].reduce((s, c) => s + Math.exp(pm.yHat[row + c] - mx), 0);
    return Math.exp(pm.yHat[i] - mx) / z;
  });
  assertClose(pm.probabilities!, ref, 'softmax', 1e-6, 1e-7);
  assert.ok(pm.classes instanceof Int32Array && pm.classes.length === 12);
  pm.classes!.forEach((c, i) => assert.ok(pm.yHat[i * 3 + c] === Math.max(...pm.yHat.subarray(i * 3, i * 3 + 3)), `row ${i}`));
});

// ---- bad input ----

test('bad inputs are typed errors naming what is wrong', async () => {
  const d = sequences(23, 8);
  const arrays = { x: d.x, shape: d.shape, layout: 'batch-first' as const, y: d.y };
  const model = makeModel('gru'), rnamModel = makeModel('rnam');
  const o = () => ({ epochs: 1, batchSize: 4, optimizer: new rnam.Adam(model.parameters()), ...quiet() });
  await rejects(() => rnam.fit(model, { ...arrays, layout: undefined as unknown as 'batch-first' }, o()), rnam.DataError, 'name the layout');
  await rejects(() => rnam.fit(model, { ...arrays, shape: [8, F, SEQ] }, o()), rnam.ShapeError, 'the data has 6 features per step, SequenceModel reads 2');
  await rejects(() => rnam.fit(model, { ...arrays, shape: [8, SEQ, 3] }, o()), rnam.DataError, 'x holds 96 values');
  await rejects(() => rnam.fit(model, { ...arrays, layout: 'terms-first' }, o()), rnam.DataError, 'terms-first x has the shape');
  await rejects(() => rnam.fit(makeModel('lstm'), { x: new Float32Array(8 * SEQ * 3), shape: [8, SEQ, 3], layout: 'batch-first', y: d.y }, o()),
    rnam.ShapeError, 'the data has 3 features per step, SequenceModel reads 2');
  await rejects(() => rnam.fit(model, { ...arrays, y: new Float32Array(16), yShape: [8, 2] }, o()), rnam.ShapeError, 'the data has 2 targets per sample, SequenceModel has 1 outputs');
  const ds = rnam.fromArrays(arrays);
  const stream = [ds.toBatch([0, 1, 2, 3])]; // terms-first, the default
  await rejects(() => rnam.fit(model, stream, o()), rnam.DataError, 'stream batch 1 is terms-first, the model reads batch-first', "layout: 'batch-first'");
  await rejects(() => rnam.fit(rnamModel, [{ layout: 'terms-first', x: new Float32Array(5), shape: [2, 4, SEQ, 1], y: new Float32Array(4) }], { ...o(), optimizer: new rnam.Adam(rnamModel.parameters()) }), rnam.DataError, 'x holds 5 values');
  await rejects(() => rnam.fit(rnamModel, arrays, o()), rnam.ArgumentError, "the optimizer's params[0] is not a parameter of the model");
  await rejects(() => rnam.fit(model, [], o()), rnam.DataError, 'the stream yielded no batches');
  await rejects(() => rnam.fit(model, arrays, { ...o(), task: 'binary' }), rnam.DataError, "task 'binary' needs targets 0 or 1; sample 0");
  await rejects(() => rnam.fit(makeModel('gru', 3), { ...arrays, y: [0, 1, 2, 3, 0, 1, 2, 1] }, { ...o(), task: 'multiclass' }), rnam.DataError, 'sample 3 has target 3, not a class index in [0, 3)');
  await rejects(() => rnam.fit(model, arrays, { ...o(), task: 'classification' as rnam.Task }), rnam.ArgumentError, "task must be one of 'regression'");
  await rejects(() => rnam.fit(model, arrays, { ...o(), epoch: 3 } as unknown as rnam.FitOptions), rnam.ArgumentError, 'fit: unknown option epoch');
  await rejects(() => rnam.fit(model, arrays, { ...o(), batchSize: 0 }), rnam.ArgumentError, 'batchSize must be a positive integer');
  await rejects(() => rnam.fit(model, arrays, { ...o(), earlyStopping: { patience: 1, monitor: 'auc' } }), rnam.ArgumentError, "unknown monitor 'auc' for task 'regression'");
  await rejects(() => rnam.fit(model, arrays, { ...o(), earlyStopping: { patience: 1, monitor: 'valLoss' } }), rnam.ArgumentError, "monitor 'valLoss' needs validation data");
  await rejects(() => rnam.fit(model, arrays, { ...o(), checkpoint: { every: 0, save: () => {} } }), rnam.ArgumentError, 'every must be a positive integer');
  await rejects(() => rnam.fit(model, stream, { ...o(), shuffle: true }), rnam.ArgumentError, 'a stream is read in its order');
  const other = new rnam.SGD(model.parameters(), { lr: 0.1 });
  await rejects(() => rnam.fit(model, arrays, { ...o(), scheduler: new rnam.StepLR(other, { stepSize: 1 }) }), rnam.ArgumentError, 'the scheduler was made for another optimizer');
  await rejects(() => rnam.fit(model, 42 as unknown as rnam.TrainingData, o()), rnam.ArgumentError, 'data must be a dataset');
  await rejects(() => rnam.evaluate(model, { x: d.x, shape: d.shape, layout: 'batch-first' }), rnam.DataError, 'the arrays have no y');
  await rejects(() => rnam.predict(model, arrays, { batchsize: 4 } as rnam.PredictOptions), rnam.ArgumentError, 'predict: unknown option batchsize');
});

/** The seed's terms-first SequenceDataset (F terms) of `sequences`, with sample `bad` all NaN. */
function seedDataset(seed: number, samples: number, bad: number): rnam.SequenceDataset {
  const d = sequences(seed, samples, false), features = new Float32Array(F * samples * SEQ);
  for (let f = 0; f < F; f++) for (let s = 0; s < samples; s++) for (let t = 0; t < SEQ; t++) features[(f * samples + s) * SEQ + t] = s === bad ? NaN : d.x[(s * SEQ + t) * F + f];
  return { terms: F, samples, seq: SEQ, featureDim: 1, outDim: 1, features, targets: d.y };
}

test('a NaN loss is a NonFiniteError naming the epoch and the step; a seed dataset trains a batch-first model', async () => {
  const model = makeModel('gru');
  const o = { epochs: 1, batchSize: 4, shuffle: false, optimizer: new rnam.Adam(model.parameters()), ...quiet() };
  await rejects(() => rnam.fit(model, seedDataset(24, 8, 5), o), rnam.NonFiniteError, 'at epoch 1, step 2'); // sample 5: the second batch of 4
  const h = await rnam.fit(model, seedDataset(24, 8, -1), { ...o, epochs: 2 });
  assert.ok(Number.isFinite(h[1].trainLoss));
});

// ---- WebGPU ----

const gpu = await webgpuBackend();
if (typeof gpu === 'string') reportUnavailable('train-api', gpu);
else {
  // The terms-first and batch-first paths with lengths, async reads and on-device copies; the other
  // cells' kernels have their own WebGPU suites (each first use compiles pipelines for seconds on SwiftShader).
  for (const kind of ['rnam', 'gru', 'mingru'] as Kind[]) {
    test(`${kind} on WebGPU: trains from variable-length data (one batch an epoch), the loss decreases; predict agrees with the CPU's`, async () => {
      const d = sequences(25, 8);
      const ds = rnam.fromArrays({ x: d.x, shape: d.shape, layout: 'batch-first', y: d.y, lengths: d.lengths });
      rnam.manualSeed(26);
      const model = makeModel(kind).to(gpu);
      const cpuCopy = makeModel(kind);
      cpuCopy.loadStateDict(Object.fromEntries(await Promise.all(model.namedParameters().map(async ([n, p]) => [n, rnam.tensor(await p.toArray(), p.shape)] as const))));
      assertClose((await rnam.predict(model, ds)).yHat, (await rnam.predict(cpuCopy, ds)).yHat, `${kind}: GPU vs CPU predictions`, 1e-3, 1e-4);
      const history = await rnam.fit(model, ds, { epochs: 3, batchSize: 8, optimizer: new rnam.Adam(model.parameters(), { lr: 0.05 }), trainMetrics: false, ...quiet() });
      assert.ok(history[2].trainLoss < history[0].trainLoss, `${kind}: ${history.map((h) => h.trainLoss).join(' -> ')}`);
    });
  }

  test('WebGPU: binary task metrics, early stopping restores weights bitwise, a NaN loss is a NonFiniteError', async () => {
    const b = classification(27, 8, 2);
    const data = { x: b.x, shape: b.shape, layout: 'batch-first' as const, y: b.y };
    rnam.manualSeed(28);
    const model = makeModel('gru').to(gpu);
    const perEpoch: Float32Array[][] = [];
    const history = await rnam.fit(model, data, { epochs: 4, batchSize: 8, validation: data, optimizer: new rnam.Adam(model.parameters(), { lr: 0.02 }), ...quiet(),
      earlyStopping: { monitor: 'trainLoss', mode: 'max', patience: 1, restoreBestWeights: true }, onEpoch: async () => void perEpoch.push(await weights(model)) });
    assert.is(history.length, 2);
    assert.equal(Object.keys(history[0].metrics.validation!), ['auc', 'accuracy', 'logLoss']);
    (await weights(model)).forEach((w, i) => assertBitwiseEqual(w, perEpoch[0][i], `parameter ${i}`));
    const p = await rnam.predict(model, data);
    assert.is(p.task, 'binary');
    assert.ok(p.probabilities!.every((q) => q > 0 && q < 1));
    // the RNAM: the recurrent kernels of SequenceModel on WebGPU (SwiftShader) turn a NaN input into finite outputs (reported)
    const additive = makeModel('rnam').to(gpu);
    await rejects(() => rnam.fit(additive, seedDataset(29, 8, 5), { epochs: 1, batchSize: 4, shuffle: false, optimizer: new rnam.Adam(additive.parameters()), ...quiet() }),
      rnam.NonFiniteError, 'at epoch 1, step 2');
  });
}

test.run();
