// Seed 004's tasks as configurations (data, model size, training) that the example runs at full
// scale and the tests at reduced scale, and one function that trains a model kind on a task.
import * as rnam from '../../src/index.js';
import { createModel, type ModelKind } from './models.js';
import { train, evaluate } from './train.js';
import { arangeTask, lineTask, memoryTask, meanBaseline, lastValueBaseline, type MemoryTarget, type Split } from './sequences.js';

export interface TaskConfig {
  name: string;
  /** The data, from a generator seeded by the caller. */
  data: (generator: rnam.Generator) => Split;
  inputSize: number;
  outputSize: number;
  hiddenSize: number;
  /** minGRU layers (one layer's gates see only x_t; see memoryConfig). */
  minGRULayers: number;
  /** Chrono initialisation range for the gated models (see ModelOptions.chronoInit). */
  chronoInit?: number;
  epochs: number;
  /** Mini-batch size; full batch (the seed's training) when omitted. */
  batchSize?: number;
  lr: number;
  /** Reference errors on the test split: [label, MSE]. */
  baselines: (split: Split) => [string, number][];
}

export interface ScaleOptions {
  trainSamples?: number;
  testSamples?: number;
  epochs?: number;
  batchSize?: number;
  hiddenSize?: number;
}

/** (a) next value of arange(6) * randn; the seed: 1000 + 200 sequences, full batch, Adam 0.01, 500 epochs. */
export function arangeConfig(o: ScaleOptions = {}): TaskConfig {
  return {
    name: 'arange(6) * randn: 6th value from the first 5',
    data: (g) => arangeTask(o.trainSamples ?? 1000, o.testSamples ?? 200, g),
    inputSize: 1, outputSize: 1, hiddenSize: o.hiddenSize ?? 10, minGRULayers: 2,
    epochs: o.epochs ?? 500, batchSize: o.batchSize, lr: 0.01,
    baselines: (s) => [['predict the training mean (≈ Var(y) = 25)', meanBaseline(s)]],
  };
}

/** (b) next point of a 2D line; the seed: 1000 + 200 trajectories, full batch, Adam 0.01, 1000 epochs. */
export function lineConfig(o: ScaleOptions = {}): TaskConfig {
  return {
    name: '2D lines: 6th point from the first 5',
    data: (g) => lineTask(o.trainSamples ?? 1000, o.testSamples ?? 200, g),
    inputSize: 2, outputSize: 2, hiddenSize: o.hiddenSize ?? 10, minGRULayers: 2,
    epochs: o.epochs ?? 1000, batchSize: o.batchSize, lr: 0.01,
    baselines: (s) => [['predict the training mean (≈ Var(y) / 2 = 25)', meanBaseline(s)]],
  };
}

/**
 * (c) the memory tasks at length `seq` (the seed: 100; 1000 + 200 sequences). Trained in
 * mini-batches of 100 (the seed's full-batch Adam needs ~1000 epochs), hidden 16. The gated models
 * start from chrono initialisation over the task's dependency range (5 or seq steps): with
 * PyTorch's default gate biases (a gate near 1/2) the gradient from the target to x[0] shrinks like
 * 2^-99 and nothing is learned in this budget. minGRU has two layers: one minGRU layer's gates and
 * candidates see only x_t, so its last state is a sum over steps whose weights treat every position
 * alike; it cannot single out x[0]. A second layer gets a position signal from the first.
 */
export function memoryConfig(target: MemoryTarget, o: ScaleOptions & { seq?: number } = {}): TaskConfig {
  const seq = o.seq ?? 100;
  return {
    name: `memory, seq ${seq}: y = ${target}`,
    data: (g) => memoryTask(target, seq, o.trainSamples ?? 1000, o.testSamples ?? 200, g),
    inputSize: 1, outputSize: 1, hiddenSize: o.hiddenSize ?? 16, minGRULayers: 2,
    chronoInit: target === 'x[0] + x[-1]' ? seq : 5,
    epochs: o.epochs ?? 60, batchSize: o.batchSize ?? 100, lr: 0.01,
    baselines: (s) => [
      ['y = x[-1] (no memory of the early value: ≈ Var(x) = 1)', lastValueBaseline(s.test)],
      ['predict the training mean (≈ 2)', meanBaseline(s)],
    ],
  };
}

/**
 * The four tasks: 'full' is the example's scale (the seed's data sizes), 'reduced' the tests' (and
 * `npm run example:tasks -- --quick`): fewer sequences and epochs, the short memory task at seq 30.
 */
export function sequenceTasks(scale: 'full' | 'reduced' = 'full'): TaskConfig[] {
  if (scale === 'full') return [arangeConfig(), lineConfig(), memoryConfig('x[-5] + x[-1]'), memoryConfig('x[0] + x[-1]')];
  return [
    arangeConfig({ trainSamples: 200, testSamples: 100, epochs: 150 }),
    lineConfig({ trainSamples: 200, testSamples: 100, epochs: 200 }),
    memoryConfig('x[-5] + x[-1]', { seq: 30, trainSamples: 400, testSamples: 100, epochs: 60, batchSize: 50 }),
    memoryConfig('x[0] + x[-1]', { seq: 100, trainSamples: 500, testSamples: 100, epochs: 80, batchSize: 50 }),
  ];
}

export interface TaskResult {
  kind: ModelKind;
  parameters: number;
  trainLoss: number;
  testMse: number;
  seconds: number;
}

/**
 * Trains a model of `kind` on `task` on `device` and returns its test MSE. Data from
 * Generator(dataSeed); the model's initialisation from rnam.manualSeed(seed); the shuffling from
 * Generator(seed). Bitwise reproducible on the wasm backend.
 */
export async function runTask(task: TaskConfig, kind: ModelKind, options: { device?: rnam.Backend; seed?: number; dataSeed?: number; split?: Split } = {}): Promise<TaskResult> {
  const seed = options.seed ?? 0;
  const split = options.split ?? task.data(new rnam.Generator(options.dataSeed ?? 1));
  rnam.manualSeed(seed);
  const model = createModel(kind, {
    inputSize: task.inputSize, hiddenSize: task.hiddenSize, outputSize: task.outputSize,
    minGRULayers: task.minGRULayers, chronoInit: task.chronoInit,
  });
  if (options.device) model.to(options.device);
  const started = performance.now();
  const history = await train(model, split.train, {
    epochs: task.epochs, batchSize: task.batchSize, lr: task.lr, generator: new rnam.Generator(seed),
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    kind, parameters: model.parameters().reduce((s, p) => s + p.numel, 0),
    trainLoss: history.at(-1)!, testMse: await evaluate(model, split.test), seconds,
  };
}
