// The report's metrics per split, by task: binary auc/accuracy/logLoss, regression rmse/mae/r2,
// multiclass accuracy/logLoss, computed from the outputs in the user's units.
import { accuracy, logLoss, mae, r2Score, rmse, rocAuc, type SeriesDataset, type Standardizer } from '../index.js';
import type { Outputs } from './outputs.js';
import type { Task } from './args.js';

export type SplitMetrics = Record<string, number>;

/** The dataset's targets in their own units (regression targets may be standardized for training). */
export function rawTargets(ds: SeriesDataset, task: Task, standardizer: Standardizer): Float64Array {
  const t = task === 'regression' ? standardizer.target : undefined;
  return Float64Array.from(ds.targets, (y) => (t ? y * t.std + t.mean : y));
}

export function splitMetrics(task: Task, out: Outputs, targets: ArrayLike<number>): SplitMetrics {
  if (task === 'binary') {
    return { auc: rocAuc(out.scores, targets), accuracy: accuracy(out.scores, targets), logLoss: logLoss(out.scores, targets) };
  }
  if (task === 'multiclass') {
    return { accuracy: accuracy(out.scores, targets, { classes: out.classes }), logLoss: logLoss(out.scores, targets, { classes: out.classes }) };
  }
  return { rmse: rmse(out.prediction, targets), mae: mae(out.prediction, targets), r2: r2Score(out.prediction, targets) };
}
