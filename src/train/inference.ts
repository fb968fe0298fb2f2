// One pass of a model over data without gradients (evaluate, predict, fit's validation): the batch
// losses and every sample's outputs, targets and contributions, in data order.
import { tidy } from '../memory.js';
import { noGrad } from '../autograd.js';
import { Generator } from '../random.js';
import { ShapeError } from '../errors.js';
import type { DataSource } from './data-source.js';
import type { ModelInfo, TrainableModel } from './model-info.js';
import { batchTensors, outputs } from './batch-tensors.js';
import { checkTargets, type LossFn, type Task } from './task.js';
import { Collector } from './collector.js';
import { weightedLoss, weightSum } from './weighted-loss.js';

export interface PassResult {
  /** The mean over batches of the batch loss (the seed's validation loss); weighted data: the weighted mean over samples; NaN without a loss. */
  loss: number;
  /** The samples' weights, null for unweighted data. */
  weights: Float32Array | null;
  samples: number;
  outDim: number;
  yHat: Float32Array;
  targets: Float32Array;
  /** (terms, samples, outDim), or null for a model without contributions. */
  contributions: Float32Array | null;
  terms: number;
}

export interface PassOptions {
  batchSize: number;
  task: Task;
  loss: LossFn | null;
  contributions?: boolean;
}

/** Checks a batch's outputs against the model's and the data's (a model or data of another size). */
export function checkBatchShapes(where: string, info: ModelInfo, task: Task, features: number, outDim: number): void {
  if (features !== info.inputFeatures) {
    throw new ShapeError(`${where}: the data has ${features} features per step, ${info.name} reads ${info.inputFeatures}`);
  }
  if (task !== 'multiclass' && outDim !== info.outDim) {
    throw new ShapeError(`${where}: the data has ${outDim} targets per sample, ${info.name} has ${info.outDim} outputs (task '${task}')`);
  }
}

export function batchFeatures(shape: readonly number[], layout: 'terms-first' | 'batch-first'): number {
  return layout === 'batch-first' ? shape[2] : shape[0] * shape[3];
}

export async function runPass(where: string, model: TrainableModel, info: ModelInfo, source: DataSource, o: PassOptions): Promise<PassResult> {
  const yHat = new Collector(), targets = new Collector(), weights = new Collector(), parts: { c: Float32Array; batch: number }[] = [];
  let lossSum = 0, batches = 0, samples = 0, outDim = 0, terms = 0, weightTotal = 0;
  for await (const b of source.batches(o.batchSize, false, new Generator(0))) {
    checkBatchShapes(where, info, o.task, b.terms ?? batchFeatures(b.shape, info.layout), b.outDim);
    // Targets matter only to a loss: predict reads samples whose target is unknown (NaN).
    if (o.loss && source.hasTargets && !source.targets) checkTargets(where, o.task, b.y, b.outDim, info.outDim, samples);
    const w = b.weights ?? null, batchWeight = w ? weightSum(where, w) : 0;
    const out = noGrad(() => tidy(() => {
      const { x, y, extra } = batchTensors(b, o.task, info.device);
      const r = outputs(extra ? model.forward(x, b.lengths, extra) : model.forward(x, b.lengths));
      const loss = !o.loss ? null : !w ? o.loss(r.yHat, y) : batchWeight > 0 ? weightedLoss(o.task, r.yHat, b.y, w) : null;
      return { ...r, loss, contributions: o.contributions ? r.contributions : null };
    }));
    try {
      const [p, l, c] = await Promise.all([out.yHat.toArray(), out.loss?.item(), out.contributions?.toArray()]);
      outDim = p.length / b.batch;
      yHat.push(p);
      targets.push(b.y);
      if (l !== undefined) lossSum += w ? l * batchWeight : l;
      if (w) weights.push(w), (weightTotal += batchWeight);
      if (c && out.contributions) {
        terms = out.contributions.shape[0];
        parts.push({ c, batch: b.batch });
      }
    } finally {
      out.yHat.dispose();
      out.loss?.dispose();
      out.contributions?.dispose();
    }
    batches++;
    samples += b.batch;
  }
  let contributions: Float32Array | null = null;
  if (parts.length) {
    // per batch (terms, batch, outDim) -> (terms, samples, outDim)
    contributions = new Float32Array(terms * samples * outDim);
    let start = 0;
    for (const { c, batch } of parts) {
      const per = batch * outDim;
      for (let t = 0; t < terms; t++) contributions.set(c.subarray(t * per, (t + 1) * per), (t * samples + start) * outDim);
      start += batch;
    }
  }
  const weighted = weights.length > 0;
  return { loss: o.loss ? lossSum / (weighted ? weightTotal : batches) : NaN, weights: weighted ? weights.values() : null, samples, outDim, yHat: yHat.values(), targets: targets.values(), contributions, terms };
}
