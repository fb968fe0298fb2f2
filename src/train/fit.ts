// fit(): epochs of (shuffled) mini-batches for any trainable model and any data kind, the optimizer
// step, validation, the task's metrics, callbacks, early stopping, checkpoints and an lr scheduler,
// and the seed's "epoch: train/val" lines.
import { clipGradNorm, type Optimizer } from '../optim/optimizer.js';
import { ReduceLROnPlateau, type Scheduler } from '../optim/schedulers.js';
import { checkOptions } from '../optim/options.js';
import { tidy } from '../memory.js';
import { defaultGenerator, Generator } from '../random.js';
import { ArgumentError, NonFiniteError, describeValue } from '../errors.js';
import type { TrainingData } from './data-source.js';
import type { TrainableModel } from './model-info.js';
import { batchTensors, outputs } from './batch-tensors.js';
import { batchFeatures, checkBatchShapes, runPass } from './inference.js';
import { checkBatchSize, checkedSource, setup } from './setup.js';
import { checkTargets, type LossFn, type Task } from './task.js';
import { Collector, taskMetrics } from './task-metrics.js';
import { checkMonitor, monitoredValue, type BatchStats, type EpochStats } from './history.js';
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { checkCheckpoint, type CheckpointOptions } from './checkpoint.js';
import { ProgressBar } from './progress.js';

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

const known = ['epochs', 'batchSize', 'optimizer', 'validation', 'task', 'shuffle', 'loss', 'clipGradNorm', 'generator', 'trainMetrics',
  'onBatch', 'onEpoch', 'earlyStopping', 'checkpoint', 'scheduler', 'log', 'progress'];

function checkFunction(name: string, v: unknown): void {
  if (v !== undefined && typeof v !== 'function') throw new ArgumentError(`fit: ${name} must be a function, got ${describeValue(v)}`);
}

/** Trains `model` on `data` and returns the per-epoch history. */
export async function fit(model: TrainableModel, data: TrainingData, options: FitOptions): Promise<EpochStats[]> {
  const where = 'fit';
  checkOptions(where, options, known);
  const s = setup(where, model, data, options);
  const { info, source, task, loss: lossFn } = s;
  const opt = options.optimizer;
  if (!opt || typeof opt.step !== 'function' || typeof opt.zeroGrad !== 'function') throw new ArgumentError(`fit: optimizer must be an optimizer (new rnam.AdamW(model.parameters())), got ${describeValue(opt)}`);
  if (!Number.isInteger(options.epochs) || options.epochs < 1) throw new ArgumentError(`fit: epochs must be a positive integer, got ${describeValue(options.epochs)}`);
  const batchSize = checkBatchSize(where, options.batchSize);
  if (options.shuffle === true && source.kind === 'stream') throw new ArgumentError('fit: a stream is read in its order; shuffle: true needs in-memory data (a dataset or arrays)');
  ['onBatch', 'onEpoch', 'log'].forEach((k) => checkFunction(k, (options as unknown as Record<string, unknown>)[k] ?? undefined));
  const validation = options.validation === undefined ? null : checkedSource('fit validation', info, options.validation, task).source;
  const stopper = options.earlyStopping ? new EarlyStopping(options.earlyStopping, task, validation !== null, model) : null;
  const checkpoint = options.checkpoint ? checkCheckpoint(options.checkpoint) : null;
  const scheduler = options.scheduler ?? null;
  if (scheduler && typeof (scheduler as { step?: unknown }).step !== 'function') throw new ArgumentError(`fit: scheduler must be an lr scheduler (StepLR, CosineAnnealingLR, ReduceLROnPlateau), got ${describeValue(scheduler)}`);
  if (scheduler && scheduler.optimizer !== opt) throw new ArgumentError('fit: the scheduler was made for another optimizer than fit\'s optimizer option');
  const plateauMonitor = scheduler instanceof ReduceLROnPlateau ? checkMonitor('fit: scheduler', scheduler.monitor, task, validation !== null) : null;
  const trainMetrics = options.trainMetrics ?? true;
  const log = options.log === undefined ? (line: string) => console.log(line) : options.log;
  const history: EpochStats[] = [];
  const generator = options.generator ?? new Generator(defaultGenerator.nextUint32());
  const nonFinite = (value: number, epoch: number, step: number, cause?: unknown) =>
    new NonFiniteError(`fit: the training loss is ${value} at epoch ${epoch}, step ${step + 1}`, { cause });
  try {
    for (let epoch = 1; epoch <= options.epochs; epoch++) {
      const started = Date.now(), lr = opt.lr;
      model.train();
      const bar = new ProgressBar(`epoch ${epoch}/${options.epochs}`, source.samples === null ? 0 : Math.ceil(source.samples / batchSize), options.progress);
      let trainLoss = 0, step = 0, seen = 0;
      const yHats = new Collector(), targets = new Collector();
      for await (const b of source.batches(batchSize, options.shuffle ?? source.kind !== 'stream', generator)) {
        checkBatchShapes(where, info, task, batchFeatures(b.shape, info.layout), b.outDim);
        if (!source.targets) checkTargets(where, task, b.y, b.outDim, info.outDim, seen);
        const { loss, yHat } = tidy(() => {
          opt.zeroGrad();
          const { x, y } = batchTensors(b, task, info.device);
          const pred = outputs(model.forward(x, b.lengths)).yHat;
          const l = lossFn(pred, y);
          try {
            l.backward();
          } catch (err) {
            // Where the loss is read before backward (wasm), its NaN stops here: say when, as below.
            if (err instanceof NonFiniteError) throw nonFinite(l.device.syncRead ? l.itemSync() : NaN, epoch, step, err);
            throw err;
          }
          if (options.clipGradNorm !== undefined) clipGradNorm(opt.params, options.clipGradNorm).dispose();
          opt.step();
          return { loss: l, yHat: trainMetrics ? pred : null };
        });
        let value: number, predicted: Float32Array | undefined;
        try {
          [value, predicted] = await Promise.all([loss.item(), yHat?.toArray()]);
        } finally {
          loss.dispose();
          yHat?.dispose();
        }
        if (!Number.isFinite(value)) throw nonFinite(value, epoch, step);
        if (predicted) yHats.push(predicted), targets.push(b.y);
        trainLoss += value;
        step++;
        seen += b.batch;
        bar.update(step, trainLoss / step);
        await options.onBatch?.({ epoch, step, loss: value });
      }
      bar.done();
      model.eval();
      const stats: EpochStats = { epoch, trainLoss: trainLoss / step, seconds: 0, lr, metrics: { train: {} } };
      if (trainMetrics) stats.metrics.train = taskMetrics(task, yHats.values(), targets.values(), yHats.length / seen);
      if (validation) {
        const r = await runPass('fit validation', model, info, validation, { batchSize, task, loss: lossFn });
        stats.valLoss = r.loss;
        stats.metrics.validation = taskMetrics(task, r.yHat, r.targets, r.outDim);
      }
      stats.seconds = (Date.now() - started) / 1000;
      history.push(stats);
      log?.(`${String(epoch).padStart(3, '0')}: ${stats.trainLoss.toFixed(6)}/${stats.valLoss?.toFixed(6) ?? '-'}`);
      let stop = stopper?.update(stats) ?? false;
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(monitoredValue(stats, plateauMonitor!));
      else scheduler?.step();
      if ((await options.onEpoch?.(stats)) === false) stop = true;
      if (checkpoint && (epoch % checkpoint.every === 0 || stop || epoch === options.epochs)) {
        await checkpoint.save({ epoch, model, optimizer: opt, scheduler, stats, history });
      }
      if (stop) break;
    }
    stopper?.finish();
  } finally {
    stopper?.dispose();
  }
  return history;
}
