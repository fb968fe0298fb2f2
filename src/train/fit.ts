// fit(): epochs of (shuffled) mini-batches for any trainable model and any data kind (train-epoch.ts),
// validation with the task's metrics, then per epoch: the history entry and the seed's
// "epoch: train/val" line, early stopping, the lr scheduler, onEpoch and checkpoints.
import { ReduceLROnPlateau } from '../optim/schedulers.js';
import type { TrainingData } from './data-source.js';
import type { TrainableModel } from './model-info.js';
import { runPass } from './inference.js';
import { setup } from './setup.js';
import { taskMetrics } from './task.js';
import { monitoredValue, type EpochStats } from './history.js';
import { fitOptionKeys, resolveFitOptions, type FitOptions } from './fit-options.js';
import { checkOptions } from '../optim/options.js';
import { trainEpoch } from './train-epoch.js';
import { NonFiniteGuard } from './non-finite-guard.js';
import { checkWeightedData } from './weighted-loss.js';
import { StopTraining } from './stop-training.js';

export type { FitOptions } from './fit-options.js';

/** Trains `model` on `data` and returns the per-epoch history. */
export async function fit(model: TrainableModel, data: TrainingData, options: FitOptions): Promise<EpochStats[]> {
  checkOptions('fit', options, fitOptionKeys);
  const s = setup('fit', model, data, options);
  const f = resolveFitOptions(options, model, s.info, s.source, s.task);
  checkWeightedData('fit', s.source, options.loss);
  if (f.validation) checkWeightedData('fit validation', f.validation, options.loss);
  // No update from a non-finite loss or gradient, on any backend, without a read per step.
  const guard = new NonFiniteGuard(s.info.device);
  const context = { ...s, model, fit: f, guard, clipGradNorm: options.clipGradNorm, onBatch: options.onBatch, progress: options.progress };
  const history: EpochStats[] = [];
  f.log?.('epoch: training loss/validation loss');
  try {
    for (let epoch = 1; epoch <= f.epochs; epoch++) {
      const started = Date.now(), lr = f.optimizer.lr;
      const { trainLoss, metrics } = await trainEpoch(context, epoch);
      model.eval();
      const stats: EpochStats = { epoch, trainLoss, seconds: 0, lr, metrics: { train: metrics } };
      if (f.validation) {
        const r = await runPass('fit validation', model, s.info, f.validation, { batchSize: f.batchSize, task: s.task, loss: s.loss });
        stats.valLoss = r.loss;
        stats.metrics.validation = taskMetrics(s.task, r.yHat, r.targets, r.outDim, r.weights);
      }
      stats.seconds = (Date.now() - started) / 1000;
      history.push(stats);
      f.log?.(`${String(epoch).padStart(3, '0')}: ${stats.trainLoss.toFixed(6)}/${stats.valLoss?.toFixed(6) ?? '-'}`);
      let stop = f.stopper?.update(stats) ?? false;
      if (f.scheduler instanceof ReduceLROnPlateau) f.scheduler.step(monitoredValue(stats, f.plateauMonitor!));
      else f.scheduler?.step();
      if ((await options.onEpoch?.(stats)) === false) stop = true;
      if (f.checkpoint && (epoch % f.checkpoint.every === 0 || stop || epoch === f.epochs)) {
        await f.checkpoint.save({ epoch, model, optimizer: f.optimizer, scheduler: f.scheduler, stats, history });
      }
      if (stop) break;
    }
    f.stopper?.finish();
  } catch (err) {
    if (err instanceof StopTraining) f.stopper?.interrupted();
    throw err;
  } finally {
    f.stopper?.dispose();
    guard.dispose();
  }
  return history;
}
