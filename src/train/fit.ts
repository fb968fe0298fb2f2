// The training loop of the seed notebook as a helper: epochs of shuffled mini-batches, the
// optimizer step, validation, and the seed's "epoch: train/val" lines.
import type { Module } from '../nn/module.js';
import type { Tensor } from '../tensor.js';
import type { Backend } from '../backend/backend.js';
import type { Optimizer } from '../optim/optimizer.js';
import { clipGradNorm } from '../optim/optimizer.js';
import { tensor } from '../creation.js';
import { tidy } from '../memory.js';
import { NonFiniteGuard } from './non-finite-guard.js';
import { noGrad } from '../autograd.js';
import { mseLoss } from '../ops/loss.js';
import { defaultGenerator, Generator } from '../random.js';
import { ArgumentError, NonFiniteError } from '../errors.js';
import { batchIndices, checkDataset, gatherBatch, type SequenceDataset } from '../data/dataset.js';
import { ProgressBar } from './progress.js';

export type LossFn = (yHat: Tensor, y: Tensor) => Tensor;

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  valLoss?: number;
  seconds: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  validation?: SequenceDataset;
  shuffle?: boolean;
  loss?: LossFn;
  /** Clip the global gradient norm to this value before each step. */
  clipGradNorm?: number;
  /**
   * Shuffling stream. By default each fit() call draws one number from the global generator at its
   * start and shuffles with its own Generator seeded by it, so the shuffles of fits that run
   * concurrently (two models training side by side) do not interleave: each run is reproducible
   * after rnam.manualSeed, whether the fits overlap or not. A generator given here is used as is.
   */
  generator?: Generator;
  /** Called after each epoch, e.g. for early stopping (return false to stop). */
  onEpoch?: (stats: EpochStats) => void | boolean | Promise<void | boolean>;
  /** Where the epoch lines go (default console.log); null for silence. */
  log?: ((line: string) => void) | null;
  /** A progress bar on a terminal (default: when stderr is a TTY). */
  progress?: boolean;
}

/** A model whose forward returns yHat or [yHat, ...]. */
type Model = Module & { forward(x: Tensor): Tensor | [Tensor, ...Tensor[]] };

function deviceOf(model: Module): Backend {
  const p = model.parameters()[0];
  if (!p) throw new ArgumentError('fit: the model has no parameters');
  return p.device;
}

function prediction(out: Tensor | [Tensor, ...Tensor[]]): Tensor {
  return Array.isArray(out) ? out[0] : out;
}

function batchTensors(ds: SequenceDataset, indices: number[], device: Backend): [Tensor, Tensor] {
  const { x, y } = gatherBatch(ds, indices);
  return [tensor(x, [ds.terms, indices.length, ds.seq, ds.featureDim], { device }), tensor(y, [indices.length, ds.outDim], { device })];
}

/** Mean over batches of the batch loss, without gradients (the seed's validation loss). */
export async function evaluate(model: Model, ds: SequenceDataset, options: { batchSize?: number; loss?: LossFn } = {}): Promise<number> {
  checkDataset(ds, 'evaluate');
  const device = deviceOf(model), lossFn = options.loss ?? mseLoss;
  const batches = batchIndices(ds.samples, options.batchSize ?? 128, false, defaultGenerator);
  let total = 0;
  for (const idx of batches) {
    const loss = noGrad(() => tidy(() => {
      const [x, y] = batchTensors(ds, idx, device);
      return lossFn(prediction(model.forward(x)), y);
    }));
    total += await loss.item();
    loss.dispose();
  }
  return total / batches.length;
}

/** Predictions and, for additive models, per-term contributions for every sample, in order. */
export async function predict(model: Model, ds: SequenceDataset, options: { batchSize?: number } = {}) {
  checkDataset(ds, 'predict');
  const device = deviceOf(model);
  const batches = batchIndices(ds.samples, options.batchSize ?? 128, false, defaultGenerator);
  const yHat = new Float32Array(ds.samples * ds.outDim);
  let contributions: Float32Array | null = null;
  for (const idx of batches) {
    const out = noGrad(() => tidy(() => {
      const [x] = batchTensors(ds, idx, device);
      const result = model.forward(x);
      return Array.isArray(result) ? result : [result];
    }));
    const start = idx[0];
    yHat.set(await out[0].toArray(), start * ds.outDim);
    if (out[1]) {
      // contributions (terms, batch, outDim) -> (terms, samples, outDim)
      contributions ??= new Float32Array(ds.terms * ds.samples * ds.outDim);
      const c = await out[1].toArray(), per = idx.length * ds.outDim;
      for (let t = 0; t < ds.terms; t++) contributions.set(c.subarray(t * per, (t + 1) * per), (t * ds.samples + start) * ds.outDim);
    }
    out.forEach((t) => t.dispose());
  }
  return { yHat, contributions };
}

/** Trains `model` on `train` and returns the per-epoch history. */
export async function fit(model: Model, train: SequenceDataset, options: FitOptions): Promise<EpochStats[]> {
  checkDataset(train, 'fit');
  if (options.validation) checkDataset(options.validation, 'fit validation');
  const device = deviceOf(model), lossFn = options.loss ?? mseLoss, opt = options.optimizer;
  const log = options.log === undefined ? (line: string) => console.log(line) : options.log;
  const history: EpochStats[] = [];
  const generator = options.generator ?? new Generator(defaultGenerator.nextUint32());
  const nonFinite = (value: number, epoch: number, step: number, cause?: unknown) =>
    new NonFiniteError(`fit: the training loss is ${value} at epoch ${epoch}, step ${step + 1}`, { cause });
  const guard = new NonFiniteGuard(device); // no update from a non-finite loss or gradient
  try {
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = Date.now();
    model.train();
    const batches = batchIndices(train.samples, options.batchSize, options.shuffle ?? true, generator);
    const bar = new ProgressBar(`epoch ${epoch}/${options.epochs}`, batches.length, options.progress);
    let trainLoss = 0;
    for (const [step, idx] of batches.entries()) {
      const loss = tidy(() => {
        opt.zeroGrad();
        const [x, y] = batchTensors(train, idx, device);
        const l = lossFn(prediction(model.forward(x)), y);
        try {
          l.backward();
        } catch (err) {
          // Where the loss is read before backward (wasm), its NaN stops here: say when, as below.
          if (err instanceof NonFiniteError) throw nonFinite(l.device.syncRead ? l.itemSync() : NaN, epoch, step, err);
          throw err;
        }
        if (options.clipGradNorm !== undefined) clipGradNorm(opt.params, options.clipGradNorm).dispose();
        guard.step(opt, l, epoch, step);
        return l;
      });
      const value = await loss.item();
      loss.dispose();
      if (!Number.isFinite(value)) throw nonFinite(value, epoch, step);
      trainLoss += value;
      bar.update(step + 1, trainLoss / (step + 1));
    }
    bar.done();
    await guard.check();
    model.eval();
    const stats: EpochStats = { epoch, trainLoss: trainLoss / batches.length, seconds: 0 };
    if (options.validation) stats.valLoss = await evaluate(model, options.validation, { batchSize: options.batchSize, loss: lossFn });
    stats.seconds = (Date.now() - started) / 1000;
    history.push(stats);
    log?.(`${String(epoch).padStart(3, '0')}: ${stats.trainLoss.toFixed(6)}/${stats.valLoss?.toFixed(6) ?? '-'}`);
    if ((await options.onEpoch?.(stats)) === false) break;
  }
  } finally {
    guard.dispose();
  }
  return history;
}
