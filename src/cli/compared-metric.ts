// The metric rnam cv compares rnam and the baselines on, in its log and in cv.html.
import { headlineMetric, type CrossValidation } from '../index.js';

/**
 * The task's headline metric, or the log loss where some folds scored one class and have no AUC
 * (`undefinedAuc`: how many).
 */
export function comparedMetric(cv: Pick<CrossValidation, 'task' | 'folds'>): { metric: string; undefinedAuc: number } {
  const undefinedAuc = cv.task === 'binary' ? cv.folds.filter((f) => Number.isNaN(f.metrics.auc)).length : 0;
  return { metric: undefinedAuc ? 'logLoss' : headlineMetric[cv.task], undefinedAuc };
}
