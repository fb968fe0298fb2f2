// Early stopping as Keras does it: stop after `patience` epochs without an improvement of more
// than minDelta in the monitored quantity, optionally putting back the best epoch's weights.
import { ArgumentError, describeValue } from '../errors.js';
import { checkOptions, checkNumber } from '../optim/options.js';
import type { Module } from '../nn/module.js';
import { checkMonitor, monitoredValue, type EpochStats } from './history.js';
import { higherIsBetter } from './task.js';
import type { Task } from './task.js';
import { WeightSnapshot } from './weights.js';

export interface EarlyStoppingOptions {
  /** 'valLoss' (default with validation data, else 'trainLoss'), 'trainLoss' or a metric name (see fit). */
  monitor?: string;
  /** Epochs without improvement before stopping. */
  patience: number;
  /** The least change that counts as an improvement (default 0). */
  minDelta?: number;
  /** 'min' or 'max'; default 'max' for auc, accuracy and r2, else 'min'. */
  mode?: 'min' | 'max';
  /** At the end, load the weights of the best epoch when it was not the last (default false, as Keras). */
  restoreBestWeights?: boolean;
}

export class EarlyStopping {
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  private readonly patience: number;
  private readonly minDelta: number;
  private best = NaN;
  private wait = 0;
  /** The epoch whose value was the best so far. */
  bestEpoch = 0;
  private lastEpoch = 0;
  private snapshot: WeightSnapshot | null = null;

  constructor(options: EarlyStoppingOptions, task: Task, hasValidation: boolean, private readonly model: Module) {
    const where = 'fit: earlyStopping';
    checkOptions(where, options, ['monitor', 'patience', 'minDelta', 'mode', 'restoreBestWeights']);
    if (!Number.isInteger(options.patience) || options.patience < 0) throw new ArgumentError(`${where}: patience must be an integer >= 0, got ${describeValue(options.patience)}`);
    this.patience = options.patience;
    this.minDelta = checkNumber(where, 'minDelta', options.minDelta ?? 0, { min: 0 });
    this.monitor = checkMonitor(where, options.monitor, task, hasValidation);
    const mode = options.mode ?? (higherIsBetter(this.monitor) ? 'max' : 'min');
    if (mode !== 'min' && mode !== 'max') throw new ArgumentError(`${where}: mode must be 'min' or 'max', got ${describeValue(mode)}`);
    this.mode = mode;
    const restore = options.restoreBestWeights ?? false;
    if (typeof restore !== 'boolean') throw new ArgumentError(`${where}: restoreBestWeights must be a boolean, got ${describeValue(restore)}`);
    if (restore) this.snapshot = new WeightSnapshot(model);
  }

  private improves(v: number): boolean {
    if (Number.isNaN(v)) return false;
    if (Number.isNaN(this.best)) return true;
    return this.mode === 'min' ? v < this.best - this.minDelta : v > this.best + this.minDelta;
  }

  /** After an epoch: whether to stop. */
  update(stats: EpochStats): boolean {
    const v = monitoredValue(stats, this.monitor);
    this.lastEpoch = stats.epoch;
    if (this.improves(v)) {
      this.best = v;
      this.bestEpoch = stats.epoch;
      this.wait = 0;
      this.snapshot?.update();
      return false;
    }
    this.wait++;
    return this.wait >= this.patience;
  }

  /** At the end of training: the best weights back when asked and the best was not the last epoch. */
  finish(): void {
    if (this.snapshot && this.bestEpoch > 0 && this.bestEpoch !== this.lastEpoch) this.snapshot.restore();
  }

  /** Training stopped part-way through an epoch: the best weights back when asked and an epoch was best. */
  interrupted(): void {
    if (this.snapshot && this.bestEpoch > 0) this.snapshot.restore();
  }

  dispose(): void {
    this.snapshot?.dispose();
    this.snapshot = null;
  }
}
