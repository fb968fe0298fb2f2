// The simple baselines a data scientist runs first, on the same split as the model, so a report says
// at once whether the RNAM earns its place: the training mean (regression) or base rate
// (classification), persistence (window mode, when the target is among the inputs), and an L2
// linear model on the last step's inputs (each time-varying feature's last value and whether it was
// observed, the static values, the categorical levels one-hot): ridge regression for regression,
// logistic regression (damped Newton) for binary targets, multinomial (softmax) logistic
// regression (L-BFGS) for multiclass, as scikit-learn's LogisticRegression fits by default (after
// the training class shares). Plain float64 on the host. Weighted data
// (a weight column) fits and scores every baseline with the samples' weights, as the model's metrics.
import { MixedDataset } from '../data/mixed-dataset.js';
import { predictionMetrics, type Metrics, type Task } from '../train/task.js';
import type { Preprocessing } from './preprocessing.js';

/** Above this many columns the linear baseline is left out (its normal equations grow as the square). */
export const MAX_BASELINE_COLUMNS = 400;
/** The multinomial regression's L-BFGS: pairs kept, most iterations, and when the gradient is small enough (its largest element, per sample). */
const LBFGS_MEMORY = 10;
const MAX_ITERATIONS = 1000;
const GRADIENT_TOLERANCE = 1e-7;
/** The L2 penalty on the standardized columns (scikit-learn's C = 1 for the logistic regression). */
const L2 = 1;

/** The last step's inputs of every sample as rows, with a leading 1 for the intercept. */
function design(ds: MixedDataset): { x: Float64Array; columns: number } {
  const n = ds.samples, S = ds.seq, D = ds.stepInputs, Ts = ds.sequenceTerms;
  const levels = ds.levels.map((l) => l.length);
  const columns = 1 + Ts * D + ds.staticTerms + levels.reduce((a, b) => a + b, 0);
  const x = new Float64Array(n * columns);
  for (let i = 0; i < n; i++) {
    let c = i * columns;
    x[c++] = 1;
    const last = ds.lengths[i] - 1;
    for (let t = 0; t < Ts; t++) for (let d = 0; d < D; d++) x[c++] = ds.sequence[((t * n + i) * S + last) * D + d];
    for (let t = 0; t < ds.staticTerms; t++) x[c++] = ds.statics[t * n + i];
    levels.forEach((count, t) => {
      x[c + ds.categorical[t * n + i]] = 1;
      c += count;
    });
  }
  return { x, columns };
}

/** Solves A b = r for a symmetric positive definite A (Cholesky), in place of r. */
function solve(a: Float64Array, r: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * p + j];
    }
  }
  const y = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = r[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * y[k];
    y[i] = s / l[i * p + i];
  }
  const b = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * b[k];
    b[i] = s / l[i * p + i];
  }
  return b;
}

/** argmin sum w_i (x_i b - z_i)^2 + L2 |b without the intercept|^2. */
function weightedRidge(x: Float64Array, z: ArrayLike<number>, w: ArrayLike<number> | null, n: number, p: number): Float64Array {
  const a = new Float64Array(p * p), r = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1, row = i * p;
    for (let j = 0; j < p; j++) {
      const xj = x[row + j] * wi;
      if (xj === 0) continue;
      r[j] += xj * z[i];
      for (let k = 0; k <= j; k++) a[j * p + k] += xj * x[row + k];
    }
  }
  for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) a[k * p + j] = a[j * p + k];
  for (let j = 1; j < p; j++) a[j * p + j] += L2;
  return solve(a, r, p);
}

const dot = (x: Float64Array, row: number, b: Float64Array) => {
  let s = 0;
  for (let j = 0; j < b.length; j++) s += x[row + j] * b[j];
  return s;
};

/** The ridge penalty of a weight vector: L2 / 2 times its squared norm without the intercept. */
function penalty(b: Float64Array): number {
  let s = 0;
  for (let j = 1; j < b.length; j++) s += b[j] * b[j];
  return (L2 / 2) * s;
}

/**
 * A Newton step from `from` towards `to`, halved until the objective is no larger than at `from`:
 * a full Newton step on a nearly separable table can overshoot and leave the fit worse (and its
 * predictions confidently wrong), which the halving rules out, so every step goes downhill.
 */
function dampedStep(from: Float64Array, to: Float64Array, objective: (b: Float64Array) => number): Float64Array {
  const start = objective(from);
  let step = 1;
  for (let tries = 0; tries < 30; tries++, step /= 2) {
    const b = step === 1 ? to : from.map((v, j) => v + step * (to[j] - v));
    if (objective(b) <= start) return b;
  }
  return from;
}

/** -log(sigmoid(eta)) for y = 1, -log(1 - sigmoid(eta)) for y = 0, without overflow. */
const logLoss1 = (eta: number, y: number) => (y === 1 ? 1 : 0) * -eta + Math.max(eta, 0) + Math.log1p(Math.exp(-Math.abs(eta)));

/** Logistic regression by Newton's method (iteratively reweighted ridge), each step damped. */
function logistic(x: Float64Array, y: ArrayLike<number>, sampleWeights: ArrayLike<number> | null, n: number, p: number): Float64Array {
  const objective = (b: Float64Array) => {
    let s = penalty(b);
    for (let i = 0; i < n; i++) s += (sampleWeights ? sampleWeights[i] : 1) * logLoss1(dot(x, i * p, b), y[i]);
    return s;
  };
  let b: Float64Array = new Float64Array(p);
  for (let it = 0; it < 50; it++) {
    const w = new Float64Array(n), z = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const eta = dot(x, i * p, b), mu = 1 / (1 + Math.exp(-eta));
      const v = Math.max(mu * (1 - mu), 1e-6);
      w[i] = sampleWeights ? sampleWeights[i] * v : v;
      z[i] = eta + (y[i] - mu) / v;
    }
    const next = dampedStep(b, weightedRidge(x, z, w, n, p), objective);
    let change = 0;
    for (let j = 0; j < p; j++) change = Math.max(change, Math.abs(next[j] - b[j]));
    b = next;
    if (change < 1e-8) break;
  }
  return b;
}

/**
 * Multinomial logistic regression, L2 on every class's weights (not the intercepts), by L-BFGS (as
 * scikit-learn's default solver) on the penalized weighted log loss, each step a backtracking line
 * search that lowers it. The objective is convex, so the iterations reach its minimum. Returns one
 * weight vector per class.
 */
function multinomial(x: Float64Array, y: ArrayLike<number>, sampleWeights: ArrayLike<number> | null, n: number, p: number, classes: number): Float64Array[] {
  const size = classes * p;
  const eta = new Float64Array(classes), mu = new Float64Array(classes);
  // The objective and, into grad, its gradient at theta (class k's weights at k p ... k p + p - 1).
  const evaluate = (theta: Float64Array, grad: Float64Array): number => {
    let f = 0;
    grad.fill(0);
    for (let k = 0; k < classes; k++) {
      f += penalty(theta.subarray(k * p, k * p + p));
      for (let j = 1; j < p; j++) grad[k * p + j] = L2 * theta[k * p + j];
    }
    for (let i = 0; i < n; i++) {
      const row = i * p, w = sampleWeights ? sampleWeights[i] : 1;
      let most = -Infinity, sum = 0;
      for (let k = 0; k < classes; k++) {
        let e = 0;
        for (let j = 0; j < p; j++) e += x[row + j] * theta[k * p + j];
        eta[k] = e;
        most = Math.max(most, e);
      }
      for (let k = 0; k < classes; k++) sum += (mu[k] = Math.exp(eta[k] - most));
      f += w * (most + Math.log(sum) - eta[y[i]]);
      for (let k = 0; k < classes; k++) {
        const r = w * (mu[k] / sum - (y[i] === k ? 1 : 0));
        if (r === 0) continue;
        for (let j = 0; j < p; j++) grad[k * p + j] += r * x[row + j];
      }
    }
    return f;
  };
  let theta = new Float64Array(size), grad = new Float64Array(size);
  let f = evaluate(theta, grad);
  const memory: { s: Float64Array; y: Float64Array; rho: number }[] = [];
  const alpha = new Float64Array(LBFGS_MEMORY);
  const dotOf = (a: Float64Array, b: Float64Array) => {
    let t = 0;
    for (let j = 0; j < size; j++) t += a[j] * b[j];
    return t;
  };
  for (let it = 0; it < MAX_ITERATIONS; it++) {
    let largest = 0;
    for (let j = 0; j < size; j++) largest = Math.max(largest, Math.abs(grad[j]));
    if (largest <= GRADIENT_TOLERANCE * Math.max(1, n)) break;
    // The two-loop recursion: d = -H grad, H the L-BFGS estimate of the inverse Hessian.
    const d = Float64Array.from(grad, (g) => -g);
    for (let m = memory.length - 1; m >= 0; m--) {
      alpha[m] = memory[m].rho * dotOf(memory[m].s, d);
      for (let j = 0; j < size; j++) d[j] -= alpha[m] * memory[m].y[j];
    }
    const last = memory[memory.length - 1];
    const scale = last ? 1 / (last.rho * dotOf(last.y, last.y)) : 1 / Math.max(1, largest);
    for (let j = 0; j < size; j++) d[j] *= scale;
    for (let m = 0; m < memory.length; m++) {
      const beta = memory[m].rho * dotOf(memory[m].y, d);
      for (let j = 0; j < size; j++) d[j] += (alpha[m] - beta) * memory[m].s[j];
    }
    // Backtracking (Armijo) from the full step.
    const slope = dotOf(grad, d);
    if (!(slope < 0)) break;
    const nextGrad = new Float64Array(size);
    let step = 1, next = theta, nextF = f;
    for (let tries = 0; tries < 40; tries++, step /= 2) {
      next = theta.map((v, j) => v + step * d[j]);
      nextF = evaluate(next, nextGrad);
      if (nextF <= f + 1e-4 * step * slope) break;
    }
    if (!(nextF < f)) break;
    const sv = next.map((v, j) => v - theta[j]), yv = nextGrad.map((g, j) => g - grad[j]);
    const sy = dotOf(sv, yv);
    if (sy > 1e-12) {
      memory.push({ s: sv, y: yv, rho: 1 / sy });
      if (memory.length > LBFGS_MEMORY) memory.shift();
    }
    const decrease = f - nextF;
    theta = next;
    grad = nextGrad;
    f = nextF;
    if (decrease <= 1e-13 * Math.abs(f)) break;
  }
  return Array.from({ length: classes }, (_, k) => theta.slice(k * p, k * p + p));
}

/** Softmax of one row's logits. */
function softmax(logits: number[]): number[] {
  const most = logits.reduce((m, z) => Math.max(m, z), -Infinity), e = logits.map((z) => Math.exp(z - most)), sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/**
 * The baselines' metrics on `test`, fitted on `train` (known targets only); empty when the data are
 * not mixed inputs. targetTerm: the term of the target's own earlier values (window mode, target
 * history), for persistence; classes: a multiclass target's class count.
 */
export function baselineMetrics(task: Task, train: unknown, test: unknown, targetTerm: number, classes = 2): Record<string, Metrics> {
  if (!(train instanceof MixedDataset) || !(test instanceof MixedDataset)) return {};
  const known = (ds: MixedDataset) => Array.from({ length: ds.samples }, (_, i) => i).filter((i) => !Number.isNaN(ds.rawTargets[i]));
  const tr = known(train), te = known(test);
  if (tr.length === 0 || te.length === 0) return {};
  const yTrain = tr.map((i) => train.rawTargets[i]), yTest = te.map((i) => test.rawTargets[i]);
  const wTrain = train.weights && tr.map((i) => train.weights![i]), wTest = test.weights && te.map((i) => test.weights![i]);
  const metrics = (scores: number[]) => predictionMetrics(task, scores, yTest, classes, wTest);
  const out: Record<string, Metrics> = {};
  const trainMean = () => {
    if (!wTrain) return yTrain.reduce((a, b) => a + b, 0) / yTrain.length;
    let s = 0, total = 0;
    yTrain.forEach((y, k) => ((s += wTrain[k] * y), (total += wTrain[k])));
    return s / total;
  };
  if (task === 'regression') {
    const mean = trainMean();
    out['training mean'] = metrics(yTest.map(() => mean));
    if (targetTerm >= 0) {
      // The target's last observed value in each window (carried over missing steps).
      const last = te.map((i) => {
        for (let k = test.lengths[i] - 1; k >= 0; k--) {
          const v = test.rawSequence[(targetTerm * test.samples + i) * test.seq + k];
          if (!Number.isNaN(v)) return v;
        }
        return mean;
      });
      out.persistence = metrics(last);
    }
  } else if (task === 'binary') {
    const rate = trainMean();
    out['base rate'] = metrics(yTest.map(() => rate));
  } else {
    // Multiclass: every sample gets the training split's class shares.
    const share = new Array<number>(classes).fill(0);
    yTrain.forEach((y, k) => (share[y] += wTrain ? wTrain[k] : 1));
    const total = share.reduce((a, b) => a + b, 0);
    // A class the training split lacks (given in classes) gets half a sample, so its log loss stays finite.
    const half = share.some((c) => c === 0) ? 0.5 : 0;
    const rates = share.map((c) => (c + half) / (total + half * classes));
    out['class rates'] = metrics(yTest.flatMap(() => rates));
  }
  const a = design(train.subset(tr)), b = design(test.subset(te));
  if (a.columns > MAX_BASELINE_COLUMNS) return out;
  const p = a.columns;
  // A plain table has no steps: its linear model reads the row.
  const where = train.sequenceTerms > 0 ? ' on the last step' : '';
  if (task === 'multiclass') {
    const betas = multinomial(a.x, yTrain, wTrain, tr.length, p, classes);
    out[`logistic regression${where}`] = metrics(te.flatMap((_, i) => softmax(betas.map((beta) => dot(b.x, i * p, beta)))));
  } else if (task === 'regression') {
    const beta = weightedRidge(a.x, yTrain, wTrain, tr.length, p);
    out[`ridge${where}`] = metrics(te.map((_, i) => dot(b.x, i * p, beta)));
  } else {
    const beta = logistic(a.x, yTrain, wTrain, tr.length, p);
    out[`logistic regression${where}`] = metrics(te.map((_, i) => 1 / (1 + Math.exp(-dot(b.x, i * p, beta)))));
  }
  return out;
}

/** The baselines of a fitted preprocessing's task, fitted on `train` and scored on `test` (its datasets); persistence reads the target's own term when the inputs hold one. */
export function preprocessingBaselines(pre: Preprocessing, train: unknown, test: unknown): Record<string, Metrics> {
  if (pre.record.inputs !== 'mixed') return {};
  const targetTerm = pre.record.mode === 'window' || pre.record.targetHistory ? pre.featureNames.indexOf(pre.record.columns.target) : -1;
  return baselineMetrics(pre.task, train, test, targetTerm, pre.outputs);
}
