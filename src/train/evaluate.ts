// evaluate(): the loss and the task's metrics of a model over data, without gradients.
import type { TrainingData } from './data-source.js';
import type { TrainableModel } from './model-info.js';
import { runPass } from './inference.js';
import { checkBatchSize, setup } from './setup.js';
import { taskMetrics, type LossFn, type Metrics, type Task } from './task.js';
import { checkOptions } from '../optim/options.js';
import { checkWeightedData } from './weighted-loss.js';

export interface EvaluateOptions {
  batchSize?: number;
  /** Default: the data's task hint, else 'regression' (see fit). */
  task?: Task;
  /** Default: the task's loss (mseLoss, bceWithLogitsLoss, crossEntropyLoss). */
  loss?: LossFn;
}

export interface Evaluation {
  /** The mean over batches of the batch loss (weighted data: the weighted mean over samples). */
  loss: number;
  metrics: Metrics;
  task: Task;
  samples: number;
}

export async function evaluate(model: TrainableModel, data: TrainingData, options: EvaluateOptions = {}): Promise<Evaluation> {
  const where = 'evaluate';
  checkOptions(where, options, ['batchSize', 'task', 'loss']);
  const s = setup(where, model, data, options);
  checkWeightedData(where, s.source, options.loss);
  const batchSize = checkBatchSize(where, options.batchSize, 128);
  const was = model.training;
  model.eval();
  try {
    const r = await runPass(where, model, s.info, s.source, { batchSize, task: s.task, loss: s.loss });
    return { loss: r.loss, metrics: taskMetrics(s.task, r.yHat, r.targets, r.outDim, r.weights), task: s.task, samples: r.samples };
  } finally {
    if (was) model.train();
  }
}
