// The one home of the task a model is trained for: the task names, inference from the targets (one
// rule, used by fit, explain, trainTable, the CLI and the page), the checks of targets against a
// task, the loss, the target shape the loss sees, the metric names and the metric functions.
// Targets on the host are checked here, so a wrong label is a DataError naming the sample on every
// backend (the GPU would only show a NaN loss).
import type { Tensor } from '../tensor.js';
import { mseLoss, bceWithLogitsLoss, crossEntropyLoss } from '../ops/loss.js';
import { ArgumentError, describeValue } from '../errors.js';
import { DataError } from '../data/errors.js';
import type { TaskHint } from '../data/task.js';
import { accuracy, logLoss, mae, r2Score, rmse, rocAuc } from './metrics.js';

export type Task = 'regression' | 'binary' | 'multiclass';
export type LossFn = (yHat: Tensor, y: Tensor) => Tensor;
export type Metrics = Record<string, number>;

export const tasks: readonly Task[] = ['regression', 'binary', 'multiclass'];

/** At most this many whole-number classes are inferred as multiclass; more read as a count (regression). */
export const maxInferredClasses = 10;

/** The metric names each task reports, in history entries, evaluate() and reports. */
/** The metric a one-line comparison with the baselines quotes: RMSE, AUC, or the multiclass log loss. */
export const headlineMetric: Record<Task, string> = { regression: 'rmse', binary: 'auc', multiclass: 'logLoss' };

/**
 * The metric a test line quotes: the headline one, or the log loss where a split of one class left
 * AUC undefined (`undefinedAuc` then begins the line with that).
 */
export function quotedMetric(task: Task, test: Metrics): { metric: string; undefinedAuc: string } {
  const oneClass = headlineMetric[task] === 'auc' && Number.isNaN(test.auc);
  return oneClass ? { metric: 'logLoss', undefinedAuc: 'test auc: undefined (the test split holds one class); ' } : { metric: headlineMetric[task], undefinedAuc: '' };
}

export const taskMetricNames: Record<Task, readonly string[]> = {
  regression: ['rmse', 'mae', 'r2'],
  binary: ['auc', 'accuracy', 'logLoss'],
  multiclass: ['accuracy', 'logLoss'],
};

export function checkTaskName(where: string, asked: unknown): Task {
  if (!tasks.includes(asked as Task)) throw new ArgumentError(`${where}: task must be one of ${tasks.map((t) => `'${t}'`).join(', ')}, got ${describeValue(asked)}`);
  return asked as Task;
}

/** What is known of the model when inferring: its outputs and the data's targets per sample (null: no model yet). */
export interface ModelOutputs {
  outputs: number | null;
  dataOutDim: number | null;
}

/**
 * The one inference rule. Binary 0/1 targets (or two text labels) -> 'binary'; class indices 0..C-1
 * -> 'multiclass' when the model has C >= 2 outputs for one target column, or, before a model
 * exists, when 3 <= C <= maxInferredClasses; anything else (and no targets at all) -> 'regression'.
 */
export function inferTask(hint: TaskHint | null, model: ModelOutputs = { outputs: null, dataOutDim: 1 }): Task {
  if (!hint) return 'regression';
  const { outputs, dataOutDim } = model;
  if (outputs !== null && outputs >= 2 && dataOutDim === 1 && hint.classes === outputs && hint.kind !== 'continuous') return 'multiclass';
  if (hint.kind === 'binary' && (outputs === null || outputs === dataOutDim)) return 'binary';
  if (outputs === null && hint.kind === 'integer' && hint.classes !== undefined && hint.classes >= 3 && hint.classes <= maxInferredClasses) return 'multiclass';
  return 'regression';
}

/** The task asked for (checked), or the one the targets and the model imply. */
export function resolveTask(where: string, asked: unknown, hint: TaskHint | null, model: ModelOutputs): Task {
  return asked !== undefined ? checkTaskName(where, asked) : inferTask(hint, model);
}

/** An explicit task checked against what the targets hold, before any training (`target` names the column). */
export function checkTaskAgainstTargets(task: Task, hint: TaskHint, target: string): void {
  if (task === 'binary' && hint.kind !== 'binary') {
    throw new DataError('option', `task 'binary' needs two classes (0/1, or two labels); column '${target}' holds other values`, { column: target });
  }
  if (task === 'multiclass' && (hint.kind === 'continuous' || hint.classes === undefined)) {
    throw new DataError('option', `task 'multiclass' needs class indices 0, 1, 2, ... or text labels in column '${target}'`, { column: target });
  }
  if (task === 'regression' && hint.kind === 'binary') {
    throw new DataError('option', `task 'regression' on column '${target}', which holds only 0 and 1: that is task 'binary' (or leave the task out)`, { column: target });
  }
}

export function defaultLoss(task: Task): LossFn {
  if (task === 'binary') return (yHat, y) => bceWithLogitsLoss(yHat, y);
  if (task === 'multiclass') return (yHat, y) => crossEntropyLoss(yHat, y);
  return mseLoss;
}

/** The target shape the loss takes: (batch, outDim), or (batch) class indices for multiclass. */
export function targetShape(task: Task, batch: number, outDim: number): number[] {
  return task === 'multiclass' ? [batch] : [batch, outDim];
}

/**
 * Checks the data's targets against the task and the model: binary targets are 0 or 1, multiclass
 * targets one class index in [0, classes) per sample. `first` numbers the samples in messages.
 */
export function checkTargets(where: string, task: Task, y: ArrayLike<number>, outDim: number, classes: number | null, first = 0): void {
  if (task === 'binary') {
    for (let i = 0; i < y.length; i++) {
      if (y[i] !== 0 && y[i] !== 1) throw new DataError('option', `${where}: task 'binary' needs targets 0 or 1; sample ${first + Math.floor(i / outDim)} has ${y[i]}`);
    }
  } else if (task === 'multiclass') {
    if (outDim !== 1) throw new DataError('shape', `${where}: task 'multiclass' needs one target per sample (a class index), the data has ${outDim}`);
    if (classes === null || classes < 2) throw new ArgumentError(`${where}: task 'multiclass' needs a model with one output per class (>= 2), it has ${classes ?? 'an unknown number of'} outputs`);
    for (let i = 0; i < y.length; i++) {
      if (!Number.isInteger(y[i]) || y[i] < 0 || y[i] >= classes) {
        throw new DataError('option', `${where}: sample ${first + i} has target ${y[i]}, not a class index in [0, ${classes}) (the model has ${classes} outputs)`);
      }
    }
  }
}

/**
 * The task's metrics from the model's raw outputs: yHat (samples, outDim) logits for classification;
 * y (samples, outDim), or class indices for multiclass. `weights` (one per sample): weighted metrics.
 */
export function taskMetrics(task: Task, yHat: Float32Array, y: Float32Array, outDim: number, weights?: ArrayLike<number> | null): Metrics {
  if (task === 'binary') {
    const w = weights ? { weights: perTarget(weights, y.length) } : {};
    return { auc: rocAuc(yHat, y, w), accuracy: accuracy(yHat, y, { from: 'logits', ...w }), logLoss: logLoss(yHat, y, { from: 'logits', ...w }) };
  }
  if (task === 'multiclass') {
    const w = weights ? { weights } : {};
    return { accuracy: accuracy(yHat, y, { classes: outDim, ...w }), logLoss: logLoss(yHat, y, { classes: outDim, from: 'logits', ...w }) };
  }
  const w = weights ? { weights: perTarget(weights, y.length) } : {};
  return { rmse: rmse(yHat, y, w), mae: mae(yHat, y, w), r2: r2Score(yHat, y, w) };
}

/** Per-sample weights repeated over each sample's targets (samples * outDim of them). */
function perTarget(weights: ArrayLike<number>, targets: number): ArrayLike<number> {
  if (weights.length === targets) return weights;
  const per = targets / weights.length, out = new Float64Array(targets);
  for (let i = 0; i < targets; i++) out[i] = weights[Math.floor(i / per)];
  return out;
}

/**
 * The same metrics from predictions in the user's units: regression values, binary p(1), multiclass
 * (samples, classes) probabilities; targets in the user's units (class indices for multiclass);
 * `weights` (one per target): weighted metrics.
 */
export function predictionMetrics(task: Task, scores: ArrayLike<number>, targets: ArrayLike<number>, classes = 2, weights?: ArrayLike<number> | null): Metrics {
  const w = weights ? { weights } : {};
  if (task === 'binary') return { auc: rocAuc(scores, targets, w), accuracy: accuracy(scores, targets, w), logLoss: logLoss(scores, targets, w) };
  if (task === 'multiclass') return { accuracy: accuracy(scores, targets, { classes, ...w }), logLoss: logLoss(scores, targets, { classes, ...w }) };
  return { rmse: rmse(scores, targets, w), mae: mae(scores, targets, w), r2: r2Score(scores, targets, w) };
}

/** Whether a larger value of the metric (or loss) is better. */
export function higherIsBetter(name: string): boolean {
  const base = name.includes('.') ? name.slice(name.indexOf('.') + 1) : name;
  return base === 'auc' || base === 'accuracy' || base === 'r2';
}
