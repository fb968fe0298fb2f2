// fit()'s options, checked and resolved before the first epoch, so a misspelt key, a monitor the task
// has no metric for or a scheduler of another optimizer fails at once rather than epochs later.
import type { Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau, type Scheduler } from '../optim/schedulers.js';
import { defaultGenerator, Generator } from '../random.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { DataSource, TrainingData } from './data-source.js';
import type { ModelInfo, TrainableModel } from './model-info.js';
import { checkBatchSize, checkedSource } from './setup.js';
import type { LossFn, Task } from './task.js';
import { checkMonitor, type BatchStats, type EpochStats } from './history.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { checkCheckpoint, type CheckpointOptions } from './checkpoint.js';

export interface FitOptions {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  /** Validation data of any kind fit takes; its loss and metrics are in each history entry. */
  validation?: TrainingData;
  /** Default: the data's task hint (binary 0/1 targets, class indices for a model with one output per class), else 'regression'. */
  task?: Task;
  /** Shuffle in-memory data every epoch (default true); a stream is read in its order. */
  shuffle?: boolean;
  /** Default: the task's (mseLoss; bceWithLogitsLoss; crossEntropyLoss on class indices). */
  loss?: LossFn;
  /** Clip the global gradient norm to this value before each step. */
  clipGradNorm?: number;
  /**
   * Shuffling stream. By default each fit() call draws one number from the global generator at its
   * start and shuffles with its own Generator seeded by it, so the shuffles of fits that run
   * concurrently (two models training side by side) do not interleave: each run is reproducible
   * after rnam.manualSeed, whether the fits overlap or not. A generator given here is used as is.
   */
  generator?: Generator;
  /** Training metrics over each epoch's batches (default true: one more read per step). */
  trainMetrics?: boolean;
  /** After each optimizer step. */
  onBatch?: (stats: BatchStats) => void | Promise<void>;
  /** After each epoch (return false to stop). */
  onEpoch?: (stats: EpochStats) => void | boolean | Promise<void | boolean>;
  earlyStopping?: EarlyStoppingOptions;
  checkpoint?: CheckpointOptions;
  /** Stepped after each epoch; ReduceLROnPlateau gets its monitor's value (default valLoss, else trainLoss). */
  scheduler?: Scheduler;
  /** Where the epoch lines go (default console.log); null for silence. */
  log?: ((line: string) => void) | null;
  /** A progress bar on a terminal (default: when stderr is a TTY); for a stream, the step count. */
  progress?: boolean;
}

export const fitOptionKeys: readonly (keyof FitOptions)[] = ['epochs', 'batchSize', 'optimizer', 'validation', 'task', 'shuffle', 'loss', 'clipGradNorm',
  'generator', 'trainMetrics', 'onBatch', 'onEpoch', 'earlyStopping', 'checkpoint', 'scheduler', 'log', 'progress'];

export interface ResolvedFit {
  epochs: number;
  batchSize: number;
  optimizer: Optimizer;
  validation: DataSource | null;
  shuffle: boolean;
  generator: Generator;
  trainMetrics: boolean;
  stopper: EarlyStopping | null;
  checkpoint: Required<CheckpointOptions> | null;
  scheduler: Scheduler | null;
  /** What ReduceLROnPlateau is stepped with. */
  plateauMonitor: string | null;
  log: ((line: string) => void) | null;
}

/** Checks every option but the task and the loss (setup's), after checkOptions(options, fitOptionKeys). */
export function resolveFitOptions(options: FitOptions, model: TrainableModel, info: ModelInfo, source: DataSource, task: Task): ResolvedFit {
  const opt = options.optimizer;
  if (!opt || typeof opt.step !== 'function' || typeof opt.zeroGrad !== 'function') throw new ArgumentError(`fit: optimizer must be an optimizer (new rnam.AdamW(model.parameters())), got ${describeValue(opt)}`);
  const own = new Set(model.parameters());
  const foreign = (opt.params ?? []).findIndex((p) => !own.has(p));
  if (foreign >= 0) throw new ArgumentError(`fit: the optimizer's params[${foreign}] is not a parameter of the model (build the optimizer over model.parameters() of the model you fit)`);
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new ArgumentError(`fit: epochs must be a positive integer, got ${describeValue(options.epochs)}`);
  const batchSize = checkBatchSize('fit', options.batchSize);
  if (options.shuffle === true && source.kind === 'stream') throw new ArgumentError('fit: a stream is read in its order; shuffle: true needs in-memory data (a dataset or arrays)');
  for (const k of ['onBatch', 'onEpoch', 'log'] as const) {
    const v = options[k];
    if (v != null && typeof v !== 'function') throw new ArgumentError(`fit: ${k} must be a function, got ${describeValue(v)}`);
  }
  const validation = options.validation === undefined ? null : checkedSource('fit validation', info, options.validation, task).source;
  const scheduler = options.scheduler ?? null;
  if (scheduler && typeof (scheduler as { step?: unknown }).step !== 'function') throw new ArgumentError(`fit: scheduler must be an lr scheduler (StepLR, CosineAnnealingLR, ReduceLROnPlateau), got ${describeValue(scheduler)}`);
  if (scheduler && scheduler.optimizer !== opt) throw new ArgumentError('fit: the scheduler was made for another optimizer than fit\'s optimizer option');
  const trainMetrics = options.trainMetrics ?? true;
  if (typeof trainMetrics !== 'boolean') throw new ArgumentError(`fit: trainMetrics must be a boolean, got ${describeValue(trainMetrics)}`);
  return {
    epochs: options.epochs, batchSize, optimizer: opt, validation, shuffle: options.shuffle ?? source.kind !== 'stream',
    generator: options.generator ?? new Generator(defaultGenerator.nextUint32()), trainMetrics,
    checkpoint: options.checkpoint ? checkCheckpoint(options.checkpoint) : null,
    scheduler, plateauMonitor: scheduler instanceof ReduceLROnPlateau ? checkMonitor('fit: scheduler', scheduler.monitor, task, validation !== null) : null,
    log: options.log === undefined ? (line: string) => console.log(line) : options.log,
    // last: it copies the weights when restoreBestWeights is asked
    stopper: options.earlyStopping ? new EarlyStopping(options.earlyStopping, task, validation !== null, model) : null,
  };
}
