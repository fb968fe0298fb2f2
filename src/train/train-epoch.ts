// One training epoch: per batch zeroGrad, forward with the batch's lengths, the loss, backward,
// optional clipping, the optimizer step; the loss read back (a NaN stops training, naming where)
// and, for the training metrics, the predictions.
import { clipGradNorm } from '../optim/optimizer.js';
import { tidy } from '../memory.js';
import { NonFiniteError } from '../errors.js';
import type { DataSource } from './data-source.js';
import type { ModelInfo, TrainableModel } from './model-info.js';
import type { Tensor } from '../tensor.js';
import { batchTensors, outputs } from './batch-tensors.js';
import { batchFeatures, checkBatchShapes } from './inference.js';
import { checkTargets, taskMetrics, type LossFn, type Metrics, type Task } from './task.js';
import { Collector } from './collector.js';
import type { BatchStats } from './history.js';
import type { ResolvedFit } from './fit-options.js';
import { ProgressBar } from './progress.js';
import type { NonFiniteGuard } from './non-finite-guard.js';
import { weightedLoss, weightSum } from './weighted-loss.js';

export interface EpochContext {
  model: TrainableModel;
  info: ModelInfo;
  source: DataSource;
  task: Task;
  loss: LossFn;
  fit: ResolvedFit;
  /** Skips the optimizer update of a step whose loss or gradients are non-finite (read at the epoch's end). */
  guard: NonFiniteGuard;
  clipGradNorm?: number;
  onBatch?: (stats: BatchStats) => void | Promise<void>;
  progress?: boolean;
}

export function nonFinite(value: number, epoch: number, step: number, cause?: unknown): NonFiniteError {
  return new NonFiniteError(`fit: the training loss is ${value} at epoch ${epoch}, step ${step} (a learning rate too high for the data diverges so: a lower one, such as 1e-3, or inputs without extreme values train)`, { cause });
}

/** loss.backward(), its refusal of a non-finite loss (wasm reads the loss first) said as fit says it: when, and what helps. */
export function backwardChecked(loss: Tensor, epoch: number, step: number): void {
  try {
    loss.backward();
  } catch (err) {
    if (err instanceof NonFiniteError) throw nonFinite(loss.device.syncRead ? loss.itemSync() : NaN, epoch, step, err);
    throw err;
  }
}

/**
 * Trains one epoch; returns the mean batch loss and the training metrics (empty when not asked).
 * Weighted data (batches with weights) trains on the weighted loss and reports weighted metrics; a
 * batch whose weights are all 0 has nothing to learn from and is passed over.
 */
export async function trainEpoch(c: EpochContext, epoch: number): Promise<{ trainLoss: number; metrics: Metrics }> {
  const { model, info, source, task, fit: f } = c, opt = f.optimizer;
  model.train();
  const bar = new ProgressBar(`epoch ${epoch}/${f.epochs}`, source.samples === null ? 0 : Math.ceil(source.samples / f.batchSize), c.progress);
  let total = 0, step = 0, seen = 0, trained = 0;
  const yHats = new Collector(), targets = new Collector(), weights = new Collector();
  for await (const b of source.batches(f.batchSize, f.shuffle, f.generator)) {
    const w = b.weights ?? null;
    if (w && weightSum('fit', w) === 0) {
      seen += b.batch;
      continue;
    }
    step++;
    checkBatchShapes('fit', info, task, b.terms ?? batchFeatures(b.shape, info.layout), b.outDim);
    if (!source.targets) checkTargets('fit', task, b.y, b.outDim, info.outDim, seen);
    const { loss, yHat } = tidy(() => {
      opt.zeroGrad();
      const { x, y, extra } = batchTensors(b, task, info.device);
      const pred = outputs(extra ? model.forward(x, b.lengths, extra) : model.forward(x, b.lengths)).yHat;
      const l = w ? weightedLoss(task, pred, b.y, w) : c.loss(pred, y);
      backwardChecked(l, epoch, step);
      if (c.clipGradNorm !== undefined) clipGradNorm(opt.params, c.clipGradNorm).dispose();
      c.guard.step(opt, l, epoch, step - 1);
      return { loss: l, yHat: f.trainMetrics ? pred : null };
    });
    let value: number, predicted: Float32Array | undefined;
    try {
      [value, predicted] = await Promise.all([loss.item(), yHat?.toArray()]);
    } finally {
      loss.dispose();
      yHat?.dispose();
    }
    if (!Number.isFinite(value)) throw nonFinite(value, epoch, step);
    if (predicted) yHats.push(predicted), targets.push(b.y), w && weights.push(w);
    total += value;
    seen += b.batch;
    trained += b.batch;
    bar.update(step, total / step);
    await c.onBatch?.({ epoch, step, loss: value });
  }
  bar.done();
  await c.guard.check();
  const metrics = f.trainMetrics ? taskMetrics(task, yHats.values(), targets.values(), yHats.length / trained, weights.length ? weights.values() : null) : {};
  return { trainLoss: total / step, metrics };
}
