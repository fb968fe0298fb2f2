// Periodic checkpoints: fit() hands the model, the optimizer and the history to a save function the
// user writes (e.g. rnam.save(model, { optimizer }) to a file), every `every` epochs.
import { ArgumentError, describeValue } from '../errors.js';
import { checkOptions } from '../optim/options.js';
import type { Optimizer } from '../optim/optimizer.js';
import type { Scheduler } from '../optim/schedulers.js';
import type { EpochStats } from './history.js';
import type { TrainableModel } from './model-info.js';

export interface CheckpointState {
  epoch: number;
  model: TrainableModel;
  optimizer: Optimizer;
  scheduler: Scheduler | null;
  stats: EpochStats;
  history: readonly EpochStats[];
}

export interface CheckpointOptions {
  /** Save after every this many epochs (default 1); the last epoch is saved too when training stops. */
  every?: number;
  save: (state: CheckpointState) => void | Promise<void>;
}

export function checkCheckpoint(options: unknown): Required<CheckpointOptions> {
  const where = 'fit: checkpoint';
  checkOptions(where, options, ['every', 'save']);
  const o = options as CheckpointOptions;
  const every = o.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new ArgumentError(`${where}: every must be a positive integer, got ${describeValue(every)}`);
  if (typeof o.save !== 'function') throw new ArgumentError(`${where}: save must be a function (state) => void, got ${describeValue(o.save)}`);
  return { every, save: o.save };
}
