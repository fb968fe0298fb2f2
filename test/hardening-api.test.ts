// Hardening of the public API: nothing silent. Typed errors, Module.to() in place (optimizers
// keep working), device mismatches as DeviceErrors, argument validation, reproducible concurrent
// fits, atomic loadStateDict, readable tensors. Every case runs on every backend.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inspect } from 'node:util';
import * as rnam from '../src/index.js';
import { forEachBackend, webgpuBackend } from './helpers/backends.js';

const gpuOrReason = await webgpuBackend();
/** For the cases between devices; without WebGPU, forEachBackend reports why. */
const gpu = typeof gpuOrReason === 'string' ? undefined : gpuOrReason;
const cpu = rnam.cpu;

type ErrorClass = new (...args: any[]) => Error;

/** fn must throw an instance of `type` whose message holds every fragment. */
function throwsTyped(fn: () => unknown, type: ErrorClass, ...fragments: string[]): Error {
  try {
    fn();
  } catch (err) {
    checkError(err, type, fragments);
    return err as Error;
  }
  assert.unreachable(`expected a ${type.name} mentioning ${fragments.join(', ')}`);
  throw new Error('unreachable');
}

async function rejectsTyped(fn: () => Promise<unknown>, type: ErrorClass, ...fragments: string[]): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    checkError(err, type, fragments);
    return err as Error;
  }
  assert.unreachable(`expected a ${type.name} mentioning ${fragments.join(', ')}`);
  throw new Error('unreachable');
}

function checkError(err: unknown, type: ErrorClass, fragments: string[]): void {
  const message = (err as Error)?.message ?? String(err);
  assert.ok(err instanceof type, `expected a ${type.name}, got ${(err as Error)?.name}: ${message}`);
  assert.ok(err instanceof rnam.RnamError, `${type.name} is not an RnamError`);
  for (const f of fragments) assert.ok(message.includes(f), `message "${message}" lacks "${f}"`);
}

const values = async (t: rnam.Tensor) => [...(await t.toArray())];

const test = suite('hardening: the public API');

test('1. the error classes: one RnamError base, each with its name, all exported from the root', () => {
  const classes = { ShapeError: rnam.ShapeError, ArgumentError: rnam.ArgumentError, DeviceError: rnam.DeviceError, OutOfMemoryError: rnam.OutOfMemoryError,
    NonFiniteError: rnam.NonFiniteError, StateDictError: rnam.StateDictError, FileFormatError: rnam.FileFormatError };
  for (const [name, Class] of Object.entries(classes)) {
    const err = new Class('boom', { cause: 'why' });
    assert.ok(err instanceof rnam.RnamError && err instanceof Error, name);
    assert.is(err.name, name);
    assert.is(err.cause, 'why');
    assert.match(String(err), new RegExp(`^${name}: boom`));
  }
  assert.is(new rnam.RnamError('x').name, 'RnamError');
  throwsTyped(() => rnam.zeros([2, 3]).reshape(4, 2), rnam.ShapeError, 'cannot reshape (2, 3) to (4, 2)');
});

await forEachBackend('hardening-api: typed errors', (test, dev) => {
  test(`1. errors thrown by ops, modules and optimizers are typed (${dev.kind})`, () => {
    const x = rnam.zeros([2, 3], { device: dev });
    throwsTyped(() => rnam.add(x, rnam.zeros([3, 2], { device: dev })), rnam.ShapeError, 'add: shapes (2, 3) and (3, 2) differ');
    throwsTyped(() => new rnam.Linear(0, 3, 4), rnam.ArgumentError, 'terms must be a positive integer');
    throwsTyped(() => x.backward(), rnam.RnamError, 'does not require grad');
    x.dispose();
    throwsTyped(() => rnam.add(x, x), rnam.RnamError, 'was freed');
    throwsTyped(() => new rnam.SGD([]), rnam.ArgumentError, 'empty parameter list');
  });
});

if (gpu) {
  test('1/3. tensors on two devices in one op: a DeviceError naming both', () => {
    throwsTyped(() => rnam.add(rnam.zeros([2], { device: cpu }), rnam.zeros([2], { device: gpu })), rnam.DeviceError, cpu.description, gpu.description);
  });

  for (const [from, to] of [[cpu, gpu], [gpu, cpu]] as const) {
    test(`3. backward(grad) with the gradient on another device is a DeviceError (${from.kind} output, ${to.kind} gradient)`, async () => {
      const x = rnam.tensor([1, 2, 3], [3], { device: from, requiresGrad: true });
      const y = rnam.mulScalar(x, 2);
      throwsTyped(() => y.backward(rnam.tensor([10, 20, 30], [3], { device: to })), rnam.DeviceError, 'backward()', from.description, to.description);
      assert.is(x.grad, null, 'a gradient was written');
      y.backward(rnam.tensor([10, 20, 30], [3], { device: from })); // the graph is intact
      assert.equal(await values(x.grad!), [20, 40, 60]);
    });
  }

  test('3. clipGradNorm over gradients on two devices: a DeviceError naming both, nothing scaled', async () => {
    const a = rnam.tensor([3, 0], [2], { device: cpu, requiresGrad: true });
    const b = rnam.tensor([0, 4], [2], { device: gpu, requiresGrad: true });
    rnam.sum(rnam.mulScalar(a, 3)).backward();
    rnam.sum(rnam.mulScalar(b, 4)).backward();
    throwsTyped(() => rnam.clipGradNorm([a, b], 1), rnam.DeviceError, 'clipGradNorm', cpu.description, gpu.description);
    assert.equal(await values(a.grad!), [3, 3]);
    assert.equal(await values(b.grad!), [4, 4]);
  });

  /** A Linear(1, 2, 1) and its loss on one batch, on the module's device. */
  const lossOf = (m: rnam.Linear) => rnam.mseLoss(m.forward(rnam.tensor([1, 2, 3, 4, -1, 0.5, 2, -2], [1, 4, 2], { device: m.weight.device })), rnam.zeros([1, 4, 1], { device: m.weight.device }));

  async function trainSteps(m: rnam.Linear, opt: rnam.Optimizer, steps: number) {
    for (let i = 0; i < steps; i++) {
      opt.zeroGrad();
      const loss = lossOf(m);
      loss.backward();
      opt.step();
      loss.dispose();
    }
  }

  test('2. to(webgpu) and toAsync(cpu) move parameters in place: an optimizer made before keeps updating the model', async () => {
    for (const make of [(p: rnam.Tensor[]) => new rnam.SGD(p, { lr: 0.1, momentum: 0.9 }), (p: rnam.Tensor[]) => new rnam.AdamW(p, { lr: 0.05 })]) {
      rnam.manualSeed(3);
      const model = new rnam.Linear(1, 2, 1);
      rnam.manualSeed(3);
      const reference = new rnam.Linear(1, 2, 1); // trained on the CPU throughout
      const weight = model.weight, opt = make(model.parameters()), refOpt = make(reference.parameters());
      await trainSteps(model, opt, 2); // optimizer state now exists on the CPU
      await trainSteps(reference, refOpt, 6);
      lossOf(model).backward(); // a pending gradient moves along too
      model.to(gpu);
      assert.ok(model.weight === weight && opt.params[0] === weight, 'to() replaced the parameter tensor');
      assert.is(weight.device, gpu);
      assert.is(weight.grad!.device, gpu);
      assert.ok(!weight.disposed && weight.requiresGrad && weight.isLeaf);
      const before = await values(weight);
      opt.zeroGrad();
      await trainSteps(model, opt, 2);
      assert.not.equal(await values(weight), before, `${opt.constructor.name} did not update the model after to(webgpu)`);
      await model.toAsync(cpu); // state on the GPU comes back too
      assert.is(weight.device, cpu);
      const onCpu = await values(weight);
      await trainSteps(model, opt, 2);
      assert.not.equal(await values(weight), onCpu, `${opt.constructor.name} did not update the model after toAsync(cpu)`);
      const got = await values(weight), want = await values(reference.weight);
      got.forEach((v, i) => assert.ok(Math.abs(v - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `${opt.constructor.name} weight[${i}] ${v} vs ${want[i]} trained on the CPU`));
    }
  });

  test('2. to(cpu) from WebGPU needs toAsync (a DeviceError says so); a graph recorded before a move cannot run backward across devices', async () => {
    const model = new rnam.Linear(1, 2, 1).to(gpu);
    throwsTyped(() => model.to(cpu), rnam.DeviceError, 'toAsync');
    assert.is(model.weight.device, gpu, 'a failed to() moved a parameter');
    const loss = lossOf(model); // recorded on the GPU
    await model.toAsync(cpu);
    throwsTyped(() => loss.backward(), rnam.DeviceError, 'backward()', 'moved with to()');
    const view = model.weight.reshape(2, 1); // a view keeps its own storage when its base moves
    model.to(gpu);
    assert.is(view.device, cpu);
    assert.equal(await values(view), await values(model.weight));
  });
}

await forEachBackend('hardening-api: slice arguments', (test, dev) => {
  test(`4. slice: non-integer axis, start or end is an ArgumentError (${dev.kind})`, async () => {
    const x = rnam.tensor([1, 2, 3, 4, 5, 6], [2, 3], { device: dev });
    throwsTyped(() => rnam.slice(x, 0, 0.5, 3), rnam.ArgumentError, 'slice: start must be an integer, got 0.5');
    throwsTyped(() => rnam.slice(x, 0, 0, 1.5), rnam.ArgumentError, 'end must be an integer, got 1.5');
    throwsTyped(() => rnam.slice(x, 0.5, 0, 1), rnam.ArgumentError, 'axis must be an integer');
    throwsTyped(() => rnam.slice(x, 0, NaN, 1), rnam.ArgumentError, 'start must be an integer, got NaN');
    throwsTyped(() => rnam.cat([x, x], 1.5), rnam.ArgumentError, 'cat: axis must be an integer');
    assert.equal(await values(rnam.slice(x, 1, -2)), [2, 3, 5, 6]);
  });

  test(`4. tensor and full: non-numbers are errors naming the value and its index (${dev.kind})`, () => {
    throwsTyped(() => rnam.tensor(['a', 'b'] as unknown as number[], [2], { device: dev }), rnam.ArgumentError, "values[0] is 'a' (a string)");
    throwsTyped(() => rnam.tensor([1, null, 3] as unknown as number[], [3], { device: dev }), rnam.ArgumentError, 'values[1] is null');
    throwsTyped(() => rnam.tensor([[1, 2], [3, 'x']] as unknown as number[][], { device: dev }), rnam.ArgumentError, "values[1][1] is 'x'");
    throwsTyped(() => rnam.full([2], 'x' as unknown as number, { device: dev }), rnam.ArgumentError, "full: the fill value must be a number, got 'x'");
    throwsTyped(() => rnam.tensor('abc' as unknown as number[]), rnam.ArgumentError, 'values must be a number, an array or a typed array');
    throwsTyped(() => rnam.tensor([1, 2], { device: dev, requiresgrad: true } as rnam.TensorOptions), rnam.ArgumentError, 'unknown option requiresgrad');
    throwsTyped(() => rnam.tensor([1, 2], new Int32Array([2]) as unknown as number[]), rnam.ArgumentError, 'options must be an object');
    throwsTyped(() => rnam.zeros([2], { device: dev, requiresGrad: 'yes' } as unknown as rnam.TensorOptions), rnam.ArgumentError, 'requiresGrad must be a boolean');
  });

  test(`4. tensor: nested arrays infer the shape (torch.tensor); ragged nesting is a ShapeError (${dev.kind})`, async () => {
    const t = rnam.tensor([[1, 2], [3, 4]], { device: dev, requiresGrad: true });
    assert.equal([...t.shape], [2, 2]);
    assert.is(t.device, dev);
    assert.ok(t.requiresGrad);
    assert.equal(await values(t), [1, 2, 3, 4]);
    const t3 = rnam.tensor([[[1], [2]], [[3], [4]], [[5], [6]]], undefined, { device: dev });
    assert.equal([...t3.shape], [3, 2, 1]);
    assert.equal(await values(t3), [1, 2, 3, 4, 5, 6]);
    assert.equal([...rnam.tensor([[1, 2, 3], [4, 5, 6]], [3, 2], { device: dev }).shape], [3, 2]);
    assert.equal([...rnam.tensor(7, { device: dev }).shape], []);
    assert.equal([...rnam.tensor([[], []], { device: dev }).shape], [2, 0]);
    assert.equal([...rnam.tensor([1, 2, 3], [3], { device: dev }).shape], [3]); // the flat form is unchanged
    throwsTyped(() => rnam.tensor([[1, 2], [3]], { device: dev }), rnam.ShapeError, 'ragged', 'values[1] has 1 entries', 'values[0] has 2');
    throwsTyped(() => rnam.tensor([[1, 2], 3] as unknown as number[][], { device: dev }), rnam.ShapeError, 'ragged', 'values[1] is 3');
    throwsTyped(() => rnam.tensor([[1, [2]], [3, 4]] as unknown as number[][], { device: dev }), rnam.ShapeError, 'ragged', 'values[0][1] is an array');
    throwsTyped(() => rnam.tensor([[1, 2], [3, 4]], [3], { device: dev }), rnam.ShapeError, 'nested values of shape (2, 2) do not fill shape (3)');
  });

  test(`4. LayerNorm: eps must be finite and > 0; a wrong input names the input and both shapes (${dev.kind})`, () => {
    for (const eps of [-1, 0, NaN, Infinity]) {
      throwsTyped(() => new rnam.LayerNorm(8, eps), rnam.ArgumentError, 'LayerNorm: eps must be a finite number > 0', `got ${eps}`);
      throwsTyped(() => rnam.layerNorm(rnam.zeros([2, 8], { device: dev }), null, null, eps), rnam.ArgumentError, 'layerNorm: eps');
    }
    const ln = new rnam.LayerNorm(8).to(dev);
    const err = throwsTyped(() => ln.forward(rnam.zeros([3, 4], { device: dev })), rnam.ShapeError, 'LayerNorm(8)', 'input', '(3, 4)', '(8)');
    assert.ok(!/expected weight/.test(err.message), `the message blames the weight: ${err.message}`);
  });

  test(`4. recurrent layers: dropout NaN or out of [0, 1] is an ArgumentError (${dev.kind})`, () => {
    for (const dropout of [NaN, -0.5, 2, '0.1' as unknown as number]) {
      throwsTyped(() => new rnam.GRU({ inputSize: 2, hiddenSize: 3, dropout }), rnam.ArgumentError, 'GRU: dropout must be a number in [0, 1]');
    }
    throwsTyped(() => new rnam.LSTM({ inputSize: 2, hiddenSize: 3, dropout: 0.2 }), rnam.ArgumentError, 'not supported');
    assert.is(new rnam.LSTM({ inputSize: 2, hiddenSize: 3, dropout: 0 }).to(dev).hiddenSize, 3);
  });

  test(`4. optimizers: bad options are ArgumentErrors as PyTorch's ValueErrors (${dev.kind})`, () => {
    const params = () => new rnam.Linear(1, 2, 1).to(dev).parameters();
    throwsTyped(() => new rnam.AdamW(params(), 0.5 as unknown as rnam.AdamOptions), rnam.ArgumentError, 'AdamW: options must be an object; did you mean { lr: 0.5 }?');
    throwsTyped(() => new rnam.SGD(params(), 0.1 as unknown as rnam.SGDOptions), rnam.ArgumentError, 'did you mean { lr: 0.1 }?');
    throwsTyped(() => new rnam.Adam(params(), { learningRate: 0.1 } as unknown as rnam.AdamOptions), rnam.ArgumentError, 'unknown option learningRate');
    for (const lr of [Infinity, NaN, -1]) {
      throwsTyped(() => new rnam.AdamW(params(), { lr }), rnam.ArgumentError, `invalid lr ${lr}`);
      throwsTyped(() => new rnam.SGD(params(), { lr }), rnam.ArgumentError, `invalid lr ${lr}`);
    }
    for (const weightDecay of [NaN, -0.1]) {
      throwsTyped(() => new rnam.AdamW(params(), { weightDecay }), rnam.ArgumentError, `invalid weightDecay ${weightDecay}`);
      throwsTyped(() => new rnam.SGD(params(), { weightDecay }), rnam.ArgumentError, `invalid weightDecay ${weightDecay}`);
    }
    throwsTyped(() => new rnam.SGD(params(), { momentum: -1 }), rnam.ArgumentError, 'invalid momentum -1');
    throwsTyped(() => new rnam.SGD(params(), { momentum: NaN }), rnam.ArgumentError, 'invalid momentum NaN');
    for (const betas of [[1, 0.999], [0.9, 1], [-0.1, 0.9], [NaN, 0.9]] as [number, number][]) {
      throwsTyped(() => new rnam.Adam(params(), { betas }), rnam.ArgumentError, 'invalid betas[');
    }
    throwsTyped(() => new rnam.Adam(params(), { betas: [0.9] as unknown as [number, number] }), rnam.ArgumentError, 'betas must be a pair');
    for (const eps of [0, -1e-8, NaN]) throwsTyped(() => new rnam.Adam(params(), { eps }), rnam.ArgumentError, `invalid eps ${eps}`);
    const p = params();
    throwsTyped(() => new rnam.AdamW([...p, p[0]]), rnam.ArgumentError, 'params[2] appears more than once');
    throwsTyped(() => new rnam.SGD(new rnam.Linear(1, 2, 1) as unknown as rnam.Tensor[]), rnam.ArgumentError, 'params must be an iterable of tensors');
    throwsTyped(() => new rnam.SGD([p[0], 3 as unknown as rnam.Tensor]), rnam.ArgumentError, 'params[1] is 3, not a Tensor');
    throwsTyped(() => rnam.clipGradNorm(p, NaN), rnam.ArgumentError, 'clipGradNorm: invalid maxNorm NaN');
    assert.is(new rnam.AdamW(p, { lr: 0.5 }).lr, 0.5);
  });
});

/** A tiny seed dataset and a model for fit(). */
function fitCase(dev: rnam.Backend, seed: number) {
  const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 2, outDim: 1, blocks: 1 }).to(dev);
  const gen = new rnam.Generator(seed);
  const ds: rnam.SequenceDataset = { terms: 2, samples: 12, seq: 3, featureDim: 1, outDim: 1,
    features: gen.fillNormal(new Float32Array(2 * 12 * 3)), targets: gen.fillNormal(new Float32Array(12)) };
  return { model, ds, optimizer: new rnam.SGD(model.parameters(), { lr: 0.05 }) };
}

await forEachBackend('hardening-api: reproducible fits', (test, dev) => {
  test(`5. fits on the default generator are each reproducible whether they run one after the other or concurrently (${dev.kind})`, async () => {
    const run = async (concurrent: boolean) => {
      rnam.manualSeed(21);
      const a = fitCase(dev, 1), b = fitCase(dev, 2);
      const opts = (c: typeof a) => ({ epochs: 3, batchSize: 4, optimizer: c.optimizer, log: null });
      if (concurrent) await Promise.all([rnam.fit(a.model, a.ds, opts(a)), rnam.fit(b.model, b.ds, opts(b))]);
      else {
        await rnam.fit(a.model, a.ds, opts(a));
        await rnam.fit(b.model, b.ds, opts(b));
      }
      return Promise.all([...a.model.parameters(), ...b.model.parameters()].map(values));
    };
    const sequential = await run(false), concurrent = await run(true);
    sequential.forEach((w, i) => assert.equal(concurrent[i], w, `parameter ${i} differs between sequential and concurrent fits`));
  });

  test(`5. a NaN loss in fit is a NonFiniteError naming the epoch and the step (${dev.kind})`, async () => {
    const { model, ds, optimizer } = fitCase(dev, 3);
    for (const term of [0, 1]) ds.features.fill(NaN, term * 36 + 5 * 3, (term + 1) * 36); // samples 5..11: the batch order decides the step
    const gen = new rnam.Generator(0);
    const firstBad = rnam.batchIndices(12, 4, true, new rnam.Generator(0)).findIndex((b) => b.some((i) => i >= 5)) + 1;
    await rejectsTyped(() => rnam.fit(model, ds, { epochs: 2, batchSize: 4, optimizer, log: null, generator: gen }), rnam.NonFiniteError,
      'fit: the training loss is NaN at epoch 1, step ' + firstBad);
  });

  test(`6. loadStateDict with a disposed entry after the first is a StateDictError naming it, and nothing is written (${dev.kind})`, async () => {
    const lin = new rnam.Linear(1, 2, 3).to(dev);
    const before = [await values(lin.weight), await values(lin.bias!)];
    const bias = rnam.zeros([1, 1, 3]);
    bias.dispose();
    throwsTyped(() => lin.loadStateDict({ weight: rnam.ones([1, 2, 3]), bias }), rnam.StateDictError, 'Linear.loadStateDict', 'bias was disposed');
    throwsTyped(() => lin.loadStateDict({ weight: rnam.ones([1, 2, 3]), bias: rnam.ones([1, 3]) }), rnam.StateDictError, 'bias: expected shape (1, 1, 3), got (1, 3)');
    assert.equal([await values(lin.weight), await values(lin.bias!)], before, 'a failed load wrote parameters');
    lin.loadStateDict({ weight: rnam.ones([1, 2, 3]), bias: rnam.full([1, 1, 3], 2) }); // CPU tensors load on any device
    assert.equal(await values(lin.bias!), [2, 2, 2]);
  });
});

if (gpu) {
  test('6. loadStateDict of a WebGPU tensor into a wasm model is a StateDictError naming it (not a half-written model)', async () => {
    const lin = new rnam.Linear(1, 2, 3);
    const before = [await values(lin.weight), await values(lin.bias!)];
    throwsTyped(() => lin.loadStateDict({ weight: rnam.ones([1, 2, 3]), bias: rnam.ones([1, 1, 3], { device: gpu }) }), rnam.StateDictError,
      'bias is on webgpu', 'toAsync');
    assert.equal([await values(lin.weight), await values(lin.bias!)], before);
  });
}

await forEachBackend('hardening-api: printing tensors', (test, dev) => {
  test(`7. toString and util.inspect show shape, device and values; itemSync on the CPU, a DeviceError on WebGPU (${dev.kind})`, async () => {
    const t = rnam.tensor([[1, 2.5], [-3, 4]], { device: dev });
    const big = rnam.zeros([3, 4], { device: dev, requiresGrad: true });
    const one = rnam.tensor([0.25], [1], { device: dev });
    if (dev.syncRead) {
      assert.is(String(t), 'Tensor(2, 2) on wasm [1, 2.5, -3, 4]');
      assert.is(inspect(t), 'Tensor(2, 2) on wasm [1, 2.5, -3, 4]');
      assert.is(inspect(big), 'Tensor(3, 4) on wasm, requiresGrad [0, 0, 0, 0, 0, 0, 0, 0, ... (12 values)]');
      assert.match(inspect({ w: t }), /w: Tensor\(2, 2\) on wasm \[1, 2.5, -3, 4\]/);
      assert.is(one.itemSync(), 0.25);
      assert.ok(one.itemSync() < 0.3);
      assert.equal([...t.toArraySync()], [1, 2.5, -3, 4]);
    } else {
      assert.is(String(t), 'Tensor(2, 2) on webgpu (values: await t.toArray())');
      assert.is(inspect(t), String(t));
      throwsTyped(() => one.itemSync(), rnam.DeviceError, 'itemSync()', 'await t.item()', 'toArray()');
      throwsTyped(() => t.toArraySync(), rnam.DeviceError, 'toArraySync()', 'await t.toArray()');
    }
    assert.is(await one.item(), 0.25);
    throwsTyped(() => t.itemSync(), rnam.ShapeError, 'itemSync(): tensor of shape (2, 2) has 4 elements');
    throwsTyped(() => (one as unknown as number) < 0.3, rnam.ArgumentError, 'used as a number', 'itemSync()');
    assert.is(`${one}`, String(one));
    one.dispose();
    assert.is(String(one), `Tensor(1) on ${dev.kind} (disposed)`);
  });
});

test.run();
