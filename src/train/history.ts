// What fit() records per epoch and hands to callbacks, and how a monitored quantity is read from it.
import { ArgumentError, describeValue } from '../errors.js';
import type { Metrics } from './task.js';
import { taskMetricNames, type Task } from './task.js';

export interface EpochStats {
  epoch: number;
  /** The mean over the epoch's batches of the batch loss. */
  trainLoss: number;
  /** The same over the validation data, after the epoch (when validation data is given). */
  valLoss?: number;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** The learning rate the epoch trained with (a scheduler changes it after the epoch). */
  lr: number;
  /** Training metrics are over the epoch's batches as predicted before each step ({} with trainMetrics: false). */
  metrics: { train: Metrics; validation?: Metrics };
}

/** The argument of onBatch, after each optimizer step. */
export interface BatchStats {
  epoch: number;
  /** 1-based within the epoch. */
  step: number;
  loss: number;
}

/**
 * A monitored quantity: 'valLoss', 'trainLoss', a metric name (the validation metric when there is
 * validation data, else the training one) or 'train.<metric>' / 'validation.<metric>'. Checked
 * once before training, so a misspelt name fails at once.
 */
export function checkMonitor(where: string, monitor: unknown, task: Task, hasValidation: boolean): string {
  if (monitor === undefined) return hasValidation ? 'valLoss' : 'trainLoss';
  if (typeof monitor !== 'string') throw new ArgumentError(`${where}: monitor must be a string, got ${describeValue(monitor)}`);
  const names = taskMetricNames[task];
  const known = ['valLoss', 'trainLoss', ...names, ...names.map((n) => `train.${n}`), ...names.map((n) => `validation.${n}`)];
  if (!known.includes(monitor)) throw new ArgumentError(`${where}: unknown monitor '${monitor}' for task '${task}' (known: ${known.join(', ')})`);
  if (!hasValidation && (monitor === 'valLoss' || monitor.startsWith('validation.'))) {
    throw new ArgumentError(`${where}: monitor '${monitor}' needs validation data (fit option validation)`);
  }
  return monitor;
}

export function monitoredValue(stats: EpochStats, monitor: string): number {
  if (monitor === 'valLoss') return stats.valLoss!;
  if (monitor === 'trainLoss') return stats.trainLoss;
  if (monitor.startsWith('train.')) return stats.metrics.train[monitor.slice(6)];
  if (monitor.startsWith('validation.')) return stats.metrics.validation![monitor.slice(11)];
  return (stats.metrics.validation ?? stats.metrics.train)[monitor];
}
