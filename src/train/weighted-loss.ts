// The task's loss weighted per sample: sum_i w_i l_i / sum_i w_i, l_i the sample's loss (a regression
// sample with several targets: the mean of its squared errors). Composed from elementwise ops,
// reductions and the grouped linear, which run the same on every backend and carry their own
// gradients; the targets and weights are on the host (fit's batches), so the per-sample pieces that
// depend only on them (weights normalised in float64, signs, one-hots) are made there. Unweighted
// training never comes here: it keeps the fused losses of defaultLoss.
import type { Tensor } from '../tensor.js';
import { tensor } from '../creation.js';
import { exp, log, mul, softplus, square, sub } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { reshape } from '../ops/shape.js';
import { linear } from '../ops/linear.js';
import { ArgumentError } from '../errors.js';
import type { LossFn, Task } from './task.js';
import type { DataSource } from './data-source.js';

/** The sum of the weights, checked (finite, >= 0); 0 when every weight is 0. */
export function weightSum(where: string, weights: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0 && Number.isFinite(w))) throw new ArgumentError(`${where}: weight ${i} is ${w}, not a finite number >= 0`);
    total += w;
  }
  return total;
}

/**
 * The weighted mean loss of a batch, a scalar. yHat (batch, outDim) outputs (logits for
 * classification); y the host targets (batch, outDim), or class indices for multiclass; weights one
 * per sample with a positive sum. Regression: squared error (mseLoss's); binary: binary cross-entropy
 * on logits, as softplus((1 - 2y) x), stable for any finite logit; multiclass: cross-entropy,
 * log(sum_c exp(x_c - x_t)), finite while no logit exceeds the target's by more than ~88.
 */
export function weightedLoss(task: Task, yHat: Tensor, y: Float32Array, weights: ArrayLike<number>): Tensor {
  const where = 'weightedLoss';
  const batch = weights.length, device = yHat.device;
  if (yHat.ndim !== 2 || yHat.shape[0] !== batch) throw new ArgumentError(`${where}: outputs (${yHat.shape.join(', ')}) for ${batch} weights`);
  const outDim = yHat.shape[1];
  const total = weightSum(where, weights);
  if (!(total > 0)) throw new ArgumentError(`${where}: every weight of the batch is 0`);
  const perOutput = task === 'multiclass' ? 1 : outDim;
  if (y.length !== batch * perOutput) throw new ArgumentError(`${where}: ${y.length} targets for ${batch} samples of ${perOutput}`);
  // w_i / (sum w * outputs) for each loss element: the loss is the sum of their products.
  const norm = new Float32Array(batch * perOutput);
  for (let i = 0; i < norm.length; i++) norm[i] = weights[Math.floor(i / perOutput)] / (total * perOutput);
  const normT = tensor(norm, [batch, perOutput], { device });
  if (task === 'regression') return sum(mul(square(sub(yHat, tensor(y, [batch, outDim], { device }))), normT));
  if (task === 'binary') {
    // -log sigmoid(x) for y = 1, -log(1 - sigmoid(x)) = softplus(x) for y = 0
    const sign = Float32Array.from({ length: y.length }, (_, i) => 1 - 2 * y[i]);
    return sum(mul(softplus(mul(yHat, tensor(sign, [batch, outDim], { device }))), normT));
  }
  const C = outDim;
  const oneHot = new Float32Array(batch * C);
  for (let i = 0; i < batch; i++) oneHot[i * C + y[i]] = 1;
  const rowSum = (x: Tensor) => reshape(linear(reshape(x, [1, batch, C]), tensor(new Float32Array(C).fill(1), [1, C, 1], { device })), [batch, 1]);
  const target = rowSum(mul(yHat, tensor(oneHot, [batch, C], { device }))); // x_t, (batch, 1)
  const spread = reshape(linear(reshape(target, [1, batch, 1]), tensor(new Float32Array(C).fill(1), [1, 1, C], { device })), [batch, C]);
  return sum(mul(log(rowSum(exp(sub(yHat, spread)))), normT));
}

/** Weighted data trains on the task's loss, weighted: a loss function of one's own cannot be weighted, and weights that are all 0 leave nothing to learn. */
export function checkWeightedData(where: string, source: DataSource, loss: LossFn | undefined): void {
  if (!source.weights) return;
  if (loss !== undefined) throw new ArgumentError(`${where}: the data has per-sample weights, which weight the task's own loss; leave the loss option out (or drop the weights)`);
  if (!(weightSum(where, source.weights) > 0)) throw new ArgumentError(`${where}: every sample weight is 0`);
}
