// Whole-model files (src/io/model-file.ts): every model class round trips on wasm and WebGPU with
// bitwise-equal predictions, the metadata comes back whole, training resumes bit for bit from a
// saved optimizer state, bad and foreign files fail with typed errors, the PyTorch-exported seed
// model loads, and model.summary() lists the right modules and counts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as rnam from '../src/index.js';
import { availableBackends } from './helpers/backends.js';
import { assertBitwiseEqual, assertClose } from './helpers/util.js';

const backends = await availableBackends('model files');
const cpu = backends[0];

/** A tensor of deterministic values in (-1, 1). */
function wave(shape: number[], phase: number, device: rnam.Backend = cpu): rnam.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return rnam.tensor(Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i * 0.37 + phase))), shape, { device });
}

interface Case {
  what: string;
  make: () => rnam.Module;
  input: number[];
  run: (m: rnam.Module, x: rnam.Tensor) => rnam.Tensor[];
}

type Outputs = rnam.Tensor | Outputs[];
/** Every tensor a forward returns (the LSTM's is [output, [hN, cN]]). */
const first = (out: Outputs): rnam.Tensor[] => (Array.isArray(out) ? out.flatMap(first) : [out]);
const cases: Case[] = [
  { what: 'FirstOrderRNAM', make: () => new rnam.FirstOrderRNAM({ terms: 3, hiddenDim: 4, outDim: 2, blocks: 2 }), input: [3, 2, 5, 1],
    run: (m, x) => first(m.forward(x, [5, 3])) },
  ...(['rnn', 'gru', 'lstm', 'mingru'] as const).map((cell): Case => ({
    what: `SequenceModel(${cell})`, make: () => new rnam.SequenceModel({ cell, inputSize: 3, hiddenSize: 5, numLayers: 2, outDim: 2 }),
    input: [2, 4, 3], run: (m, x) => first(m.forward(x, [4, 2])),
  })),
  { what: 'ImplicitRNN', make: () => new rnam.ImplicitRNN({ inputDim: 3, outputDim: 2, implicitHiddenDim: 4, hiddenDim: 3, maxIter: 50, kappa: 0.9 }),
    input: [2, 4, 3], run: (m, x) => first(m.forward(x)) },
  { what: 'SimpleRNN(relu)', make: () => new rnam.SimpleRNN({ inputSize: 3, hiddenSize: 4, numLayers: 2, nonlinearity: 'relu', batchFirst: true }),
    input: [2, 4, 3], run: (m, x) => first(m.forward(x)) },
  { what: 'GRU', make: () => new rnam.GRU({ inputSize: 3, hiddenSize: 4, bias: false }), input: [4, 2, 3], run: (m, x) => first(m.forward(x)) },
  { what: 'LSTM', make: () => new rnam.LSTM({ inputSize: 3, hiddenSize: 4 }), input: [4, 2, 3], run: (m, x) => first(m.forward(x)) },
  { what: 'MinGRU', make: () => new rnam.MinGRU(2, 4, { expansionFactor: 1.5 }), input: [2, 2, 5, 4], run: (m, x) => first(m.forward(x)) },
];

for (const device of backends) {
  const test = suite(`model files on ${device.description}`);

  test('every model class: load rebuilds the class and options, predictions equal bit for bit', async () => {
    rnam.manualSeed(5);
    for (const c of cases) {
      const model = c.make();
      await model.toAsync(device);
      const x = wave(c.input, 0.5, device);
      const before = await Promise.all(c.run(model, x).map((t) => t.toArray()));
      const bytes = device.syncRead ? rnam.save(model) : await rnam.saveAsync(model);
      if (!device.syncRead) assert.throws(() => rnam.save(model), (e: Error) => e instanceof rnam.ArgumentError && /saveAsync/.test(e.message));
      const generator = rnam.defaultGenerator.getState();
      const { model: loaded, metadata } = await rnam.load(bytes, { device });
      assert.equal(rnam.defaultGenerator.getState(), generator, `${c.what}: load must not move the global generator`);
      assert.is(loaded.constructor, model.constructor, c.what);
      assert.is(loaded.parameters()[0].device, device, `${c.what}: on the device asked for`);
      assert.is(metadata.class, model.constructor.name);
      assert.equal(metadata.options, JSON.parse(metadata.raw['rnam.options']));
      assert.is(String(loaded), String(model), `${c.what}: same configuration`);
      const after = await Promise.all(c.run(loaded, x).map((t) => t.toArray()));
      after.forEach((a, i) => assertBitwiseEqual(a, before[i], `${c.what} output ${i} after load`));
      // The check can fail: a model of the same options with its own initial weights predicts otherwise.
      const fresh = c.make();
      await fresh.toAsync(device);
      const other = await c.run(fresh, x)[0].toArray();
      assert.ok(other.some((v, i) => v !== before[0][i]), `${c.what}: a fresh model should differ`);
    }
  });

  test('load onto another device than the one saved from', async () => {
    rnam.manualSeed(6);
    const model = new rnam.SequenceModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, outDim: 1 });
    const bytes = rnam.save(model);
    const { model: moved } = await rnam.load(bytes, { device });
    const x = wave([2, 3, 2], 1);
    const want = model.forward(x).toArraySync();
    const got = await (moved as rnam.SequenceModel).forward(wave([2, 3, 2], 1, device)).toArray();
    assertClose(got, want, 'a CPU-saved model on this device', 1e-5, 1e-6);
  });

  test('resume on this device: saved model and optimizer state continue as the run that never stopped', async () => {
    const options = { terms: 2, hiddenDim: 3, outDim: 1, blocks: 1 };
    const x = wave([2, 3, 4, 1], 0.3, device), y = wave([3, 1], 1.1, device);
    const steps = (model: rnam.Module, opt: rnam.Optimizer, n: number) => {
      for (let i = 0; i < n; i++) {
        opt.zeroGrad();
        rnam.mseLoss((model as rnam.FirstOrderRNAM).forward(x)[0], y).backward();
        opt.step();
      }
    };
    rnam.manualSeed(31);
    const straight = await new rnam.FirstOrderRNAM(options).toAsync(device);
    steps(straight, new rnam.Adam(straight.parameters(), { lr: 0.02 }), 3);
    rnam.manualSeed(31);
    const early = await new rnam.FirstOrderRNAM(options).toAsync(device);
    const opt = new rnam.Adam(early.parameters(), { lr: 0.02 });
    steps(early, opt, 2);
    const { model, optimizerState } = await rnam.load(await rnam.saveAsync(early, { optimizer: opt }), { device });
    assert.is(optimizerState!.state[0].slots.expAvg.device, device, 'the optimizer state is on the device');
    const resumed = new rnam.Adam(model.parameters());
    resumed.loadStateDict(optimizerState!);
    steps(model, resumed, 1);
    const want = await Promise.all(straight.parameters().map((p) => p.toArray()));
    const got = await Promise.all(model.parameters().map((p) => p.toArray()));
    got.forEach((g, i) => assertBitwiseEqual(g, want[i], `resumed ${model.namedParameters()[i][0]}`));
  });

  test.run();
}

const test = suite('model files: metadata, resume, errors, PyTorch files, summary');

test('the extras come back whole: task, names, classes, standardizer, data settings, history with NaN, free metadata', async () => {
  const rows = ['id,t,a,b,y'];
  for (const id of ['p', 'q']) for (let t = 0; t < 10; t++) rows.push(`${id},${t},${Math.sin(t + id.length)},${t * 0.5},${(t * 7) % 3}`);
  const { train } = rnam.datasetsFromCsv(rows.join('\n'), { mode: 'window', id: 'id', time: 't', target: 'y', features: ['a', 'b'], window: 4 });
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 3, blocks: 1 });
  const extras = {
    task: 'multiclass', classes: [0, 1, 2], dataset: train,
    data: { mode: 'window' as const, id: 'id', time: 't', target: 'y', features: ['a', 'b'], window: 4, horizon: 1, missing: 'error' as const, layout: 'terms-first' as const, seq: train.seq },
    history: [{ epoch: 1, trainLoss: 1.25, valLoss: NaN, lr: 0.01 }, { epoch: 2, trainLoss: Infinity, lr: -Infinity }],
    metadata: { author: 'test', nested: { list: [1, 'two', null], unicode: 'ünïcødé ✓' } },
  };
  const { metadata } = await rnam.load(rnam.save(model, extras));
  assert.is(metadata.format, rnam.MODEL_FILE_FORMAT);
  assert.is(metadata.version, rnam.VERSION);
  assert.is(metadata.class, 'FirstOrderRNAM');
  assert.equal(metadata.options, { terms: 2, hiddenDim: 3, outDim: 3, blocks: 1 });
  assert.is(metadata.task, 'multiclass');
  assert.equal(metadata.classes, [0, 1, 2]);
  assert.equal(metadata.featureNames, ['a', 'b']);
  assert.equal(metadata.targetNames, train.targetNames);
  assert.equal(metadata.standardizer, JSON.parse(JSON.stringify(train.standardizer)));
  assert.ok(metadata.standardizer?.features?.length === 2, 'the dataset standardizer has both features');
  assert.equal(metadata.data, extras.data);
  assert.equal(metadata.metadata, extras.metadata);
  const history = metadata.history as { valLoss?: number; trainLoss: number; lr: number }[];
  assert.ok(Number.isNaN(history[0].valLoss), 'NaN survives');
  assert.is(history[1].trainLoss, Infinity);
  assert.is(history[1].lr, -Infinity);
  assert.is(history[0].trainLoss, 1.25);
  assert.is(metadata.raw.format, 'pt');
  assert.is(metadata.raw['rnam.version'], rnam.VERSION);
  assert.not.ok('optimizerState' in (await rnam.load(rnam.save(model))), 'no optimizer state unless saved');
});

test('the embedded version is package.json\'s', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.is(rnam.VERSION, pkg.version);
});

/** Deterministic regression data for the resume tests. */
const resumeX = wave([2, 4, 6, 1], 0.1);
const resumeY = wave([4, 1], 2);

function trainSteps(model: rnam.FirstOrderRNAM, opt: rnam.Optimizer, steps: number): void {
  for (let i = 0; i < steps; i++) {
    opt.zeroGrad();
    const [yHat] = model.forward(resumeX);
    rnam.mseLoss(yHat, resumeY).backward();
    opt.step();
  }
}

const optimizers: [string, (params: rnam.Tensor[]) => rnam.Optimizer][] = [
  ['AdamW', (p) => new rnam.AdamW(p, { lr: 0.02, betas: [0.8, 0.99], weightDecay: 0.05 })],
  ['Adam', (p) => new rnam.Adam(p, { lr: 0.01, eps: 1e-6 })],
  ['SGD', (p) => new rnam.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true })],
];

test('resume: N steps, save, load into a fresh model and optimizer, M steps = N + M steps, bit for bit', async () => {
  const options = { terms: 2, hiddenDim: 4, outDim: 1, blocks: 1 };
  for (const [name, make] of optimizers) {
    rnam.manualSeed(21);
    const straight = new rnam.FirstOrderRNAM(options);
    trainSteps(straight, make(straight.parameters()), 5);
    const want = straight.parameters().map((p) => p.toArraySync());

    rnam.manualSeed(21);
    const early = new rnam.FirstOrderRNAM(options);
    const earlyOpt = make(early.parameters());
    trainSteps(early, earlyOpt, 3);
    const bytes = rnam.save(early, { optimizer: earlyOpt });
    const { model, optimizerState } = await rnam.load(bytes);
    assert.ok(optimizerState, `${name}: the optimizer state is in the file`);
    assert.is(optimizerState!.optimizer, name);
    assert.equal(optimizerState!.paramNames, early.namedParameters().map(([n]) => n));
    // Built with other hyper-parameters: loadStateDict restores the saved ones, as PyTorch does.
    const resumed = name === 'SGD' ? new rnam.SGD(model.parameters(), { lr: 1 }) : name === 'Adam' ? new rnam.Adam(model.parameters()) : new rnam.AdamW(model.parameters());
    resumed.loadStateDict(optimizerState!);
    assert.equal(resumed.stateDict().paramGroups, earlyOpt.stateDict().paramGroups, `${name}: hyper-parameters restored`);
    trainSteps(model as rnam.FirstOrderRNAM, resumed, 2);
    model.parameters().forEach((p, i) => assertBitwiseEqual(p.toArraySync(), want[i], `${name} resumed ${early.namedParameters()[i][0]}`));

    // Without the optimizer state the same steps end elsewhere (so the comparison above can fail).
    const { model: cold } = await rnam.load(bytes);
    trainSteps(cold as rnam.FirstOrderRNAM, make(cold.parameters()), 2);
    assert.ok(cold.parameters().some((p, i) => p.toArraySync().some((v, j) => v !== want[i][j])), `${name}: a cold restart should differ`);
  }
});

test('optimizer stateDict / loadStateDict in memory: a copy of the state, and every mismatch is a StateDictError that changes nothing', () => {
  rnam.manualSeed(3);
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 1, blocks: 0 });
  const opt = new rnam.AdamW(model.parameters(), { lr: 0.01 });
  assert.equal(opt.stateDict().state, {}, 'nothing stepped yet');
  trainSteps(model, opt, 2);
  const sd = opt.stateDict();
  assert.equal(Object.keys(sd.state).map(Number), model.parameters().map((_, i) => i));
  assert.equal(Object.keys(sd.state[0].slots), ['expAvg', 'expAvgSq']);
  assert.is(sd.state[0].step, 2);
  assert.equal(sd.paramGroups, [{ params: model.parameters().map((_, i) => i), lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 }]);

  const other = new rnam.AdamW(model.parameters(), { lr: 0.5 });
  other.loadStateDict(sd);
  const copied = other.stateDict();
  assert.ok(copied.state[0].slots.expAvg !== sd.state[0].slots.expAvg, 'loadStateDict copies into its own buffers');
  assertBitwiseEqual(copied.state[0].slots.expAvgSq.toArraySync(), sd.state[0].slots.expAvgSq.toArraySync(), 'copied values');

  const fresh = () => new rnam.AdamW(model.parameters(), { lr: 0.3 });
  const rejects = (state: unknown, ...fragments: string[]) => {
    const target = fresh();
    try {
      target.loadStateDict(state as rnam.OptimizerStateDict);
    } catch (err) {
      assert.instance(err, rnam.StateDictError, String(err));
      for (const f of fragments) assert.ok((err as Error).message.includes(f), `"${(err as Error).message}" lacks "${f}"`);
      assert.equal(target.stateDict(), { optimizer: 'AdamW', state: {}, paramGroups: [{ ...sd.paramGroups[0], lr: 0.3 }] }, 'unchanged after the error');
      return;
    }
    assert.unreachable(`expected a StateDictError mentioning ${fragments.join(', ')}`);
  };
  rejects({ ...sd, optimizer: 'SGD' }, "'SGD'", 'not AdamW');
  rejects({ ...sd, paramGroups: [{ ...sd.paramGroups[0], params: [0, 1] }] }, `the ${model.parameters().length} parameters`);
  rejects({ ...sd, paramGroups: [{ ...sd.paramGroups[0], eps: -1 }] }, 'invalid hyper-parameters', 'eps');
  rejects({ ...sd, paramGroups: [{ ...sd.paramGroups[0], momentum: 0.9 }] }, 'exactly the hyper-parameters');
  rejects({ ...sd, state: { ...sd.state, 0: { step: 2, slots: { expAvg: rnam.zeros([7]), expAvgSq: sd.state[0].slots.expAvgSq } } } }, 'state[0].expAvg: expected shape');
  rejects({ ...sd, state: { ...sd.state, 1: { step: 0, slots: sd.state[1].slots } } }, 'state[1].step must be a positive integer');
  rejects({ ...sd, state: { ...sd.state, 99: sd.state[0] } }, 'entry "99"');
  rejects({ ...sd, state: { 0: { step: 1, slots: { expAvg: sd.state[0].slots.expAvg } } } }, 'missing slot expAvgSq');
  rejects(null, 'expected a state dict');
});

/** A copy of a file with its metadata changed (and tensors dropped, renamed or replaced). */
function rewrite(bytes: Uint8Array, edit: (metadata: Record<string, string>, tensors: Record<string, rnam.Tensor>) => void): Uint8Array {
  const file = rnam.safetensors.parse(bytes);
  const metadata = { ...file.metadata }, tensors = { ...file.tensors };
  edit(metadata, tensors);
  return rnam.safetensors.serialize(tensors, metadata);
}

async function rejects(promise: Promise<unknown>, type: new (...args: never[]) => Error, ...fragments: string[]): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, type, `expected a ${type.name}, got ${String(err)}`);
    for (const f of fragments) assert.ok((err as Error).message.includes(f), `"${(err as Error).message}" lacks "${f}"`);
    return err as Error;
  }
  assert.unreachable(`expected a ${type.name} mentioning ${fragments.join(', ')}`);
  throw new Error('unreachable');
}

test('corrupted and foreign files: FileFormatError or StateDictError naming the problem', async () => {
  rnam.manualSeed(8);
  const model = new rnam.SequenceModel({ cell: 'lstm', inputSize: 2, hiddenSize: 3, outDim: 1 });
  const good = rnam.save(model, { featureNames: ['a', 'b'] });
  await rejects(rnam.load(new TextEncoder().encode('this is not a model')), rnam.FileFormatError);
  await rejects(rnam.load(good.subarray(0, good.length - 3)), rnam.FileFormatError, 'truncated');
  const foreign = rnam.safetensors.serialize({ 'recurrent.weight_ih_l0': rnam.zeros([12, 2]) }, { format: 'pt' });
  await rejects(rnam.load(foreign), rnam.FileFormatError, 'no rnam metadata', "class: 'FirstOrderRNAM'");
  await rejects(rnam.load(rewrite(good, (m) => { m['rnam.class'] = 'Transformer'; })), rnam.FileFormatError, "unknown model class 'Transformer'", 'SequenceModel');
  const unbuildable = await rejects(rnam.load(rewrite(good, (m) => { m['rnam.options'] = JSON.stringify({ ...model.options, hiddenSize: -3 }); })),
    rnam.FileFormatError, 'do not build a SequenceModel', 'hiddenSize');
  assert.instance(unbuildable.cause, rnam.ArgumentError, 'the constructor\'s error is the cause');
  await rejects(rnam.load(rewrite(good, (m) => { m['rnam.options'] = JSON.stringify({ ...model.options, dropout: 0.5 }); })), rnam.FileFormatError, 'no option dropout');
  await rejects(rnam.load(rewrite(good, (m) => { m['rnam.options'] = '{"cell": '; })), rnam.FileFormatError, 'rnam.options', 'not valid JSON');
  await rejects(rnam.load(rewrite(good, (m) => { delete m['rnam.class']; })), rnam.FileFormatError, 'must name its model');
  await rejects(rnam.load(rewrite(good, (m) => { m['rnam.format'] = '99'; })), rnam.FileFormatError, 'format 99', `up to format ${rnam.MODEL_FILE_FORMAT}`);
  await rejects(rnam.load(rewrite(good, (m) => { m['rnam.featureNames'] = '[1, 2]'; })), rnam.FileFormatError, 'rnam.featureNames must be an array of strings');
  await rejects(rnam.load(rewrite(good, (_m, t) => { delete t['head.bias']; })), rnam.StateDictError, 'missing head.bias');
  await rejects(rnam.load(rewrite(good, (_m, t) => { t['head.extra'] = rnam.zeros([1]); })), rnam.StateDictError, 'unexpected head.extra');
  await rejects(rnam.load(rewrite(good, (_m, t) => { t['head.bias'] = rnam.zeros([1, 2, 1]); })), rnam.StateDictError, 'head.bias: expected shape');
  await rejects(rnam.load(rewrite(good, (_m, t) => { t['__optimizer__.0.expAvg'] = rnam.zeros([1]); })), rnam.FileFormatError, 'optimizer tensors', 'no rnam.optimizer');
  await rejects(rnam.load(good, { model: new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 1, blocks: 1 }) }), rnam.StateDictError, 'holds a SequenceModel');
  // Not strict: a partial file loads what it has.
  const partial = rewrite(good, (_m, t) => { delete t['head.bias']; });
  const { model: loose } = await rnam.load(partial, { strict: false });
  assertBitwiseEqual((loose as rnam.SequenceModel).head.weight.toArraySync(), model.head.weight.toArraySync(), 'strict: false loads the rest');
});

test('save: typed errors for what cannot be stored', async () => {
  rnam.manualSeed(9);
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 1, blocks: 1 });
  const fails = (fn: () => unknown, ...fragments: string[]) => assert.throws(fn, (e: Error) => e instanceof rnam.ArgumentError && fragments.every((f) => e.message.includes(f)));
  fails(() => rnam.save(new rnam.Linear(2, 3, 4)), "'Linear' (a string) is not a registered model class", 'registerModelClass');
  fails(() => rnam.save(model, { featureNames: ['only-one'] }), '1 featureNames for a model reading 2 features');
  fails(() => rnam.save(model, { featureNames: [1, 2] as never }), 'extras.featureNames must be an array of strings');
  fails(() => rnam.save(model, { learningRate: 1 } as never), 'unknown extra learningRate');
  fails(() => rnam.save(model, { metadata: { callback: () => 1 } }), 'a function cannot be stored');
  fails(() => rnam.save(model, { metadata: { big: 1n } as never }), 'not storable as JSON');
  fails(() => rnam.save(model, { metadata: { x: { $number: '1' } } }), '"$number" is reserved');
  fails(() => rnam.save(model, { featureNames: ['a', 'b'], standardizer: { features: [{ name: 'b', mean: 0, std: 1 }, { name: 'a', mean: 0, std: 1 }] } }),
    'the standardizer scales features [b, a], featureNames are [a, b]');
  const stranger = new rnam.Adam(new rnam.Linear(1, 1, 1).parameters());
  fails(() => rnam.save(model, { optimizer: stranger }), "the optimizer's params[0] is not a parameter of the model");
  await rejects(rnam.saveAsync(model, { task: 3 as never }), rnam.ArgumentError, 'extras.task must be a string');
});

test('fuzz: 300 seeded corruptions of a model file load or fail with FileFormatError / StateDictError, nothing else', async () => {
  rnam.manualSeed(13);
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 3, outDim: 1, blocks: 1 });
  const opt = new rnam.SGD(model.parameters(), { lr: 0.1, momentum: 0.5 });
  trainSteps(model, opt, 1);
  const good = rnam.save(model, { task: 'regression', featureNames: ['a', 'b'], history: [{ epoch: 1, trainLoss: 0.5 }], optimizer: opt });
  const headerEnd = 8 + Number(new DataView(good.buffer, good.byteOffset).getBigUint64(0, true));
  let state = 0x9e3779b9;
  const next = () => (state = (Math.imul(state ^ (state >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
  const outcomes = { loaded: 0, FileFormatError: 0, StateDictError: 0 };
  for (let i = 0; i < 300; i++) {
    const bytes = good.slice();
    let cut = bytes.length;
    if (i % 10 === 9) cut = next() % bytes.length;             // truncated
    else for (let k = 0; k <= i % 3; k++) bytes[8 + (next() % (headerEnd - 8))] ^= 1 << (next() % 8);   // header bit flips
    try {
      const { model: m, optimizerState } = await rnam.load(bytes.subarray(0, cut));
      if (optimizerState) new rnam.SGD(m.parameters()).loadStateDict(optimizerState);
      outcomes.loaded++;
    } catch (err) {
      if (err instanceof rnam.StateDictError) outcomes.StateDictError++;
      else if (err instanceof rnam.FileFormatError) outcomes.FileFormatError++;
      else assert.unreachable(`case ${i}: ${String(err)}`);
    }
  }
  assert.ok(outcomes.FileFormatError > 100, JSON.stringify(outcomes));
});

const fixtures = new URL('./fixtures/rnam/', import.meta.url);

test('the seed PyTorch model exported with safetensors (test/golden/make_rnam_fixtures.py) loads and predicts as PyTorch', async () => {
  for (const name of ['case_0', 'case_3']) {
    const bytes = new Uint8Array(readFileSync(new URL(`${name}.model.safetensors`, fixtures)));
    const io = rnam.safetensors.parse(readFileSync(new URL(`${name}.io.safetensors`, fixtures))).tensors;
    const m = rnam.safetensors.parse(bytes).metadata;
    const options = { terms: +m.terms, hiddenDim: +m.hidden_dim, outDim: +m.out_dim, blocks: +m.blocks };
    await rejects(rnam.load(bytes), rnam.FileFormatError, 'no rnam metadata');
    const byClass = await rnam.load(bytes, { class: 'FirstOrderRNAM', options });
    const byModel = await rnam.load(bytes, { model: new rnam.FirstOrderRNAM(options) });
    assert.is(byClass.metadata.format, null);
    assert.is(byClass.metadata.class, 'FirstOrderRNAM');
    assert.is(byClass.metadata.raw.format, 'pt');
    const [yHat, contributions] = (byClass.model as rnam.FirstOrderRNAM).forward(io.x);
    assertClose(yHat.toArraySync(), io.y_hat.toArraySync(), `${name} y_hat against PyTorch`);
    assertClose(contributions.toArraySync(), io.contributions.toArraySync(), `${name} contributions against PyTorch`);
    assertBitwiseEqual((byModel.model as rnam.FirstOrderRNAM).forward(io.x)[0].toArraySync(), yHat.toArraySync(), `${name}: { model } and { class } agree`);
    // Saved again by rnam, the tensors keep PyTorch's names and values.
    const again = rnam.safetensors.parse(rnam.save(byClass.model)).tensors;
    const original = rnam.safetensors.parse(bytes).tensors;
    assert.equal(Object.keys(again).sort(), Object.keys(original).sort(), `${name}: the same PyTorch names`);
    for (const key of Object.keys(original)) assertBitwiseEqual(again[key].toArraySync(), original[key].toArraySync(), `${name} ${key}`);
  }
});

test('saveFile / loadFile round trip through the file system', async () => {
  rnam.manualSeed(12);
  const dir = mkdtempSync(join(tmpdir(), 'rnam-model-'));
  try {
    const model = new rnam.ImplicitRNN({ inputDim: 2, outputDim: 1, implicitHiddenDim: 3, hiddenDim: 2 });
    const path = join(dir, 'model.safetensors');
    await rnam.saveFile(path, model, { task: 'regression' });
    const { model: loaded, metadata } = await rnam.loadFile(path);
    assert.is(metadata.task, 'regression');
    const x = wave([3, 4, 2], 0.2);
    assertBitwiseEqual((loaded as rnam.ImplicitRNN).forward(x).toArraySync(), model.forward(x).toArraySync(), 'after loadFile');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('summary(): the module tree, own parameter shapes, counts per module and the total', () => {
  const terms = 3, h = 4, out = 2, blocks = 2;
  const model = new rnam.FirstOrderRNAM({ terms, hiddenDim: h, outDim: out, blocks });
  // Counted from the architecture, independently of rnam: emb, per block (minGRU, LayerNorm, two
  // Linear), proj (two Linear), the additive bias.
  const linear = (i: number, o: number) => terms * (i * o + o);
  const block = terms * h * 2 * h + 2 * h + 2 * linear(h, h);
  const total = linear(1, h) + blocks * block + linear(h, h) + linear(h, out) + out;
  const s = rnam.summarize(model);
  assert.is(s.totalParameters, total);
  assert.is(s.trainableParameters, total);
  assert.is(s.bytes, total * 4);
  assert.is(s.rows[0].count, total);
  assert.is(s.rows[0].description, String(model));
  const row = (path: string) => s.rows.find((r) => r.path === path)!;
  assert.equal(row('blocks.1.gru.to_hidden_and_gate').parameters, [{ name: 'weight', shape: [terms, h, 2 * h], count: terms * h * 2 * h }]);
  assert.is(row('blocks.0').count, block);
  assert.is(row('blocks.0').className, 'RNAMBlock');
  assert.is(row('blocks.0.ff.2').className, 'ReLU');
  assert.is(row('blocks.0.ff.2').count, 0);
  assert.is(row('gam').depth, 1);
  assert.is(s.rows.length, 1 + 1 + 1 + blocks * 8 + 4 + 1);
  const text = model.summary();
  const lines = text.split('\n');
  assert.ok(lines[2].startsWith(String(model)), 'the root first');
  assert.ok(text.includes(`Total parameters: ${total.toLocaleString('en-US')}`), text);
  assert.ok(lines.some((l) => /^ {8}to_hidden_and_gate: Linear\(terms=3, inDim=4, outDim=8, bias=false\) +weight \(3, 4, 8\) +96$/.test(l)), text);
  assert.ok(lines.some((l) => /^ {2}gam: AdditiveLayer +bias \(2\) +2$/.test(l)), text);
  // Another class: PyTorch's LSTM counts, 4 gates.
  const lstm = new rnam.LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2 });
  assert.is(rnam.summarize(lstm).totalParameters, 4 * 5 * (3 + 5 + 2) + 4 * 5 * (5 + 5 + 2));
  assert.ok(lstm.summary().includes('weight_ih_l1 (20, 5)'));
});

test.run();
