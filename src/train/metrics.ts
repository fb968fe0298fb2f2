// Evaluation metrics on host arrays (predictions read back with toArray()), accumulated in float64,
// with scikit-learn's definitions: rmse, mae, r2Score, accuracy (binary or multiclass), rocAuc and
// logLoss. Each checks its lengths and targets and names what is wrong. A NaN prediction makes
// rmse, mae, r2Score, rocAuc and logLoss NaN (accuracy counts it as a miss). log is hostmath's
// (the same bits on every engine); only logits through logLoss use Math.exp. Each takes optional
// per-target weights (sklearn's sample_weight): means become sum(w l) / sum(w), and rocAuc the
// weighted Mann-Whitney statistic; without them the unweighted code runs unchanged.
import { log } from '../hostmath.js';

export type Values = ArrayLike<number>;

function checkLengths(where: string, pred: Values, target: Values, perRow = 1): number {
  if (pred.length !== target.length * perRow) {
    const what = perRow === 1 ? `${target.length}` : `${target.length} targets x ${perRow} classes = ${target.length * perRow}`;
    throw new RangeError(`${where}: ${pred.length} predictions for ${what}`);
  }
  if (target.length === 0) throw new RangeError(`${where}: no targets`);
  return target.length;
}

function checkBinary(where: string, target: Values): void {
  for (let i = 0; i < target.length; i++) {
    if (target[i] !== 0 && target[i] !== 1) throw new RangeError(`${where}: target[${i}] = ${target[i]} is not 0 or 1`);
  }
}

function checkClasses(where: string, target: Values, classes: number): void {
  if (!Number.isInteger(classes) || classes < 2) throw new RangeError(`${where}: classes must be an integer >= 2, got ${classes}`);
  for (let i = 0; i < target.length; i++) {
    const t = target[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes) throw new RangeError(`${where}: target[${i}] = ${t} is not a class index in [0, ${classes})`);
  }
}

/** Per-target weights: finite, >= 0, not all zero, one per target; their sum. */
function checkWeights(where: string, weights: Values, n: number): number {
  if (weights.length !== n) throw new RangeError(`${where}: ${weights.length} weights for ${n} targets`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`${where}: weight[${i}] = ${w} is not a finite number >= 0`);
    sum += w;
  }
  if (sum === 0) throw new RangeError(`${where}: every weight is 0`);
  return sum;
}

export interface WeightOptions {
  /** One weight per target (finite, >= 0, not all 0): a weighted mean, as sklearn's sample_weight. */
  readonly weights?: Values;
}

const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** sigmoid(x) > t, compared on the logit scale (x > log(t / (1 - t))), so no exp is needed. */
const logitThreshold = (t: number): number => log(t / (1 - t));

/** Root mean squared error. */
export function rmse(pred: Values, target: Values, { weights }: WeightOptions = {}): number {
  const n = checkLengths('rmse', pred, target);
  if (weights) {
    const total = checkWeights('rmse', weights, n);
    let s = 0;
    for (let i = 0; i < n; i++) s += weights[i] * (pred[i] - target[i]) ** 2;
    return Math.sqrt(s / total);
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += (pred[i] - target[i]) ** 2;
  return Math.sqrt(s / n);
}

/** Mean absolute error. */
export function mae(pred: Values, target: Values, { weights }: WeightOptions = {}): number {
  const n = checkLengths('mae', pred, target);
  if (weights) {
    const total = checkWeights('mae', weights, n);
    let s = 0;
    for (let i = 0; i < n; i++) s += weights[i] * Math.abs(pred[i] - target[i]);
    return s / total;
  }
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.abs(pred[i] - target[i]);
  return s / n;
}

/**
 * The coefficient of determination 1 - SS_res / SS_tot (sklearn's r2_score). A constant target
 * (SS_tot = 0) gives 1 for a perfect prediction and 0 otherwise, as sklearn's force_finite.
 * Weighted: both sums and the mean weighted, as sklearn's r2_score with sample_weight.
 */
export function r2Score(pred: Values, target: Values, { weights }: WeightOptions = {}): number {
  const n = checkLengths('r2Score', pred, target);
  const w = weights ? (checkWeights('r2Score', weights, n), weights) : null;
  let mean = 0;
  if (w) {
    let total = 0;
    for (let i = 0; i < n; i++) mean += w[i] * target[i], (total += w[i]);
    mean /= total;
  } else {
    for (let i = 0; i < n; i++) mean += target[i];
    mean /= n;
  }
  let res = 0, tot = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    res += wi * (target[i] - pred[i]) ** 2;
    tot += wi * (target[i] - mean) ** 2;
  }
  if (Number.isNaN(res) || Number.isNaN(tot)) return NaN;
  if (tot === 0) return res === 0 ? 1 : 0;
  return 1 - res / tot;
}

export interface BinaryScoreOptions {
  /** What the predictions are: probabilities of class 1 (default) or logits. */
  readonly from?: 'probabilities' | 'logits';
}

export interface AccuracyOptions extends BinaryScoreOptions, WeightOptions {
  /**
   * Multiclass: the number of classes C; predictions are then (N, C) per-class scores, row-major,
   * and the predicted class is the first largest. Absent: binary, one score per target.
   */
  readonly classes?: number;
  /** Binary: class 1 is predicted where the probability exceeds this (default 0.5; logits go through the sigmoid). */
  readonly threshold?: number;
}

/**
 * The fraction of correct predictions. Binary (targets 0 / 1): class 1 where the probability
 * (sigmoid(logit) with from: 'logits') is above `threshold`. Multiclass (`classes` given, targets
 * class indices): the argmax of each row of scores (probabilities, logits: any monotone scores).
 */
export function accuracy(pred: Values, target: Values, { classes, threshold = 0.5, from = 'probabilities', weights }: AccuracyOptions = {}): number {
  const where = 'accuracy';
  if (classes !== undefined) {
    checkClasses(where, target, classes);
    const n = checkLengths(where, pred, target, classes);
    const total = weights ? checkWeights(where, weights, n) : n;
    let hits = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (pred[i * classes + c] > pred[i * classes + best]) best = c;
      if (best === target[i]) hits += weights ? weights[i] : 1;
    }
    return hits / total;
  }
  const n = checkLengths(where, pred, target);
  checkBinary(where, target);
  if (!(threshold >= 0 && threshold <= 1)) throw new RangeError(`${where}: threshold must be in [0, 1], got ${threshold}`);
  const total = weights ? checkWeights(where, weights, n) : n;
  const cut = from === 'logits' ? logitThreshold(threshold) : threshold;
  let hits = 0;
  for (let i = 0; i < n; i++) if ((pred[i] > cut ? 1 : 0) === target[i]) hits += weights ? weights[i] : 1;
  return hits / total;
}

/**
 * The area under the ROC curve of binary targets (0 / 1) from scores (probabilities or logits: only
 * their order matters): the Mann-Whitney statistic from midranks, so tied scores count 1/2. With
 * one class only the AUC is undefined and this returns NaN (sklearn raises); NaN scores give NaN.
 * Weighted: each positive-negative pair counts w_pos * w_neg (sklearn's roc_auc_score with
 * sample_weight), over the total weight of the pairs.
 */
export function rocAuc(scores: Values, target: Values, { weights }: WeightOptions = {}): number {
  const n = checkLengths('rocAuc', scores, target);
  checkBinary('rocAuc', target);
  if (weights) checkWeights('rocAuc', weights, n);
  for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) return NaN;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  if (weights) return weightedAuc(scores, target, weights, order);
  let positives = 0, rankSum = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    const midrank = (start + 1 + end) / 2; // ranks start + 1 .. end, averaged
    for (let k = start; k < end; k++) {
      if (target[order[k]] === 1) {
        positives++;
        rankSum += midrank;
      }
    }
    start = end;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** The weighted pair count over groups of tied scores in ascending order: a positive beats the negative weight below it, ties count 1/2. */
function weightedAuc(scores: Values, target: Values, weights: Values, order: number[]): number {
  const n = order.length;
  let below = 0, pairs = 0, positive = 0, negative = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[order[end]] === scores[order[start]]) end++;
    let pos = 0, neg = 0;
    for (let k = start; k < end; k++) {
      if (target[order[k]] === 1) pos += weights[order[k]];
      else neg += weights[order[k]];
    }
    pairs += pos * (below + neg / 2);
    below += neg;
    positive += pos;
    negative += neg;
    start = end;
  }
  if (positive === 0 || negative === 0) return NaN;
  return pairs / (positive * negative);
}

export interface LogLossOptions extends BinaryScoreOptions, WeightOptions {
  /** Multiclass: predictions are (N, C) probabilities, row-major (from: 'logits': logits, softmaxed). */
  readonly classes?: number;
  /** Probabilities are clipped to [eps, 1 - eps] (sklearn's classic default 1e-15). */
  readonly eps?: number;
}

/**
 * The mean negative log-likelihood (sklearn's log_loss). Binary: probabilities of class 1 (or
 * logits, through the sigmoid) and targets 0 / 1, taken as the rows [1 - p, p]. Multiclass
 * (`classes`): rows of probabilities, or rows of logits (log-softmax, not clipped). Probability
 * rows are clipped to [eps, 1 - eps] per column and renormalised to sum 1, as sklearn does.
 */
export function logLoss(pred: Values, target: Values, { classes, eps = 1e-15, from = 'probabilities', weights }: LogLossOptions = {}): number {
  const where = 'logLoss';
  if (!(eps > 0 && eps < 0.5)) throw new RangeError(`${where}: eps must be in (0, 0.5), got ${eps}`);
  const clip = (p: number) => Math.min(Math.max(p, eps), 1 - eps);
  let s = 0;
  if (classes !== undefined) {
    checkClasses(where, target, classes);
    const n = checkLengths(where, pred, target, classes);
    const total = weights ? checkWeights(where, weights, n) : n;
    for (let i = 0; i < n; i++) {
      const row = i * classes, t = row + target[i];
      let l: number;
      if (from === 'logits') {
        let m = -Infinity;
        for (let c = 0; c < classes; c++) m = Math.max(m, pred[row + c]);
        let z = 0;
        for (let c = 0; c < classes; c++) z += Math.exp(pred[row + c] - m);
        l = m + log(z) - pred[t];
      } else {
        let z = 0;
        for (let c = 0; c < classes; c++) z += clip(pred[row + c]);
        l = log(z) - log(clip(pred[t]));
      }
      s += weights ? weights[i] * l : l;
    }
    return s / total;
  }
  const n = checkLengths(where, pred, target);
  checkBinary(where, target);
  const total = weights ? checkWeights(where, weights, n) : n;
  for (let i = 0; i < n; i++) {
    // the row [1 - p, p], each clipped, renormalised (sklearn)
    const p = from === 'logits' ? sigmoid(pred[i]) : pred[i];
    const p1 = clip(p), p0 = clip(1 - p);
    const l = log(p0 + p1) - log(target[i] === 1 ? p1 : p0);
    s += weights ? weights[i] * l : l;
  }
  return s / total;
}
