// The metrics each task reports, from the model's raw outputs (logits for classification) and the
// targets, on the host in float64 (src/train/metrics.ts): regression rmse, mae, r2; binary auc,
// accuracy, logLoss; multiclass accuracy, logLoss. In the units of the data the model sees.
import { accuracy, logLoss, mae, r2Score, rmse, rocAuc } from './metrics.js';
import type { Task } from './task.js';

export type Metrics = Record<string, number>;

/** yHat (samples, outDim) raw outputs; y (samples, outDim), or class indices (samples) for multiclass. */
export function taskMetrics(task: Task, yHat: Float32Array, y: Float32Array, outDim: number): Metrics {
  if (task === 'binary') {
    return { auc: rocAuc(yHat, y), accuracy: accuracy(yHat, y, { from: 'logits' }), logLoss: logLoss(yHat, y, { from: 'logits' }) };
  }
  if (task === 'multiclass') {
    return { accuracy: accuracy(yHat, y, { classes: outDim }), logLoss: logLoss(yHat, y, { classes: outDim, from: 'logits' }) };
  }
  return { rmse: rmse(yHat, y), mae: mae(yHat, y), r2: r2Score(yHat, y) };
}

/** Whether a larger value of the metric (or loss) is better. */
export function higherIsBetter(name: string): boolean {
  const base = name.includes('.') ? name.slice(name.indexOf('.') + 1) : name;
  return base === 'auc' || base === 'accuracy' || base === 'r2';
}
