// What fit, evaluate and predict resolve the same way: the model's layout and sizes, the data as a
// source of batches in that layout, the task and its loss, with every mismatch named up front.
import { ArgumentError, describeValue } from '../errors.js';
import { dataSource, type DataSource, type TrainingData } from './data-source.js';
import { modelInfo, type ModelInfo, type TrainableModel } from './model-info.js';
import { checkTargets, defaultLoss, resolveTask, type LossFn, type Task } from './task.js';
import { checkBatchShapes } from './inference.js';

export interface Setup {
  info: ModelInfo;
  source: DataSource;
  task: Task;
  loss: LossFn;
}

export function checkBatchSize(where: string, v: unknown, fallback?: number): number {
  const b = v ?? fallback;
  if (!Number.isInteger(b) || (b as number) < 1) throw new ArgumentError(`${where}: batchSize must be a positive integer, got ${describeValue(v)}`);
  return b as number;
}

/** The source checked against the model and the task (in-memory targets checked whole, unless only predictions are asked for). */
export function checkedSource(where: string, info: ModelInfo, data: TrainingData, task: Task | undefined, needTargets = true): { source: DataSource; task: Task } {
  const source = dataSource(where, data, info.layout, needTargets, info.inputs === 'mixed');
  const resolved = resolveTask(where, task, source.task, { outputs: info.outDim, dataOutDim: source.outDim });
  if (source.features !== null && source.outDim !== null) checkBatchShapes(where, info, resolved, source.features, source.outDim);
  if (needTargets && source.targets && source.outDim !== null) checkTargets(where, resolved, source.targets, source.outDim, info.outDim);
  return { source, task: resolved };
}

export function setup(where: string, model: TrainableModel, data: TrainingData, options: { task?: Task; loss?: LossFn }, needTargets = true): Setup {
  const info = modelInfo(where, model);
  const { source, task } = checkedSource(where, info, data, options.task, needTargets);
  if (options.loss !== undefined && typeof options.loss !== 'function') throw new ArgumentError(`${where}: loss must be a function (yHat, y) => Tensor, got ${describeValue(options.loss)}`);
  return { info, source, task, loss: options.loss ?? defaultLoss(task) };
}
