// The task a model is trained for: it picks the default loss, the shape of the targets the loss
// sees and the metrics. Targets on the host are checked here, so a wrong label is a DataError
// naming the sample on every backend (the GPU would only show a NaN loss).
import type { Tensor } from '../tensor.js';
import { mseLoss, bceWithLogitsLoss, crossEntropyLoss } from '../ops/loss.js';
import { ArgumentError, describeValue } from '../errors.js';
import { DataError } from '../data/errors.js';
import type { TaskHint } from '../data/task.js';

export type Task = 'regression' | 'binary' | 'multiclass';
export type LossFn = (yHat: Tensor, y: Tensor) => Tensor;

const tasks: readonly Task[] = ['regression', 'binary', 'multiclass'];

/** The metric names each task reports, in history entries and evaluate(). */
export const taskMetricNames: Record<Task, readonly string[]> = {
  regression: ['rmse', 'mae', 'r2'],
  binary: ['auc', 'accuracy', 'logLoss'],
  multiclass: ['accuracy', 'logLoss'],
};

/**
 * The task asked for, or the data's hint: binary 0/1 targets -> 'binary' (one output per target);
 * class indices 0..C-1 with a model of C >= 2 outputs and one target column -> 'multiclass';
 * anything else (and data without a hint) -> 'regression'.
 */
export function resolveTask(where: string, asked: unknown, hint: TaskHint | null, dataOutDim: number | null, modelOutDim: number | null): Task {
  if (asked !== undefined) {
    if (!tasks.includes(asked as Task)) throw new ArgumentError(`${where}: task must be one of ${tasks.map((t) => `'${t}'`).join(', ')}, got ${describeValue(asked)}`);
    return asked as Task;
  }
  if (!hint) return 'regression';
  if (hint.classes !== undefined && dataOutDim === 1 && modelOutDim !== null && modelOutDim >= 2 && modelOutDim === hint.classes) return 'multiclass';
  if (hint.kind === 'binary' && (modelOutDim === null || modelOutDim === dataOutDim)) return 'binary';
  return 'regression';
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
