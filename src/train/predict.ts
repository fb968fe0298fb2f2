// predict(): every sample's outputs, in data order, with what the task makes of them (original
// units, probabilities, classes) and, for the RNAM, the per-term contributions and the intercept.
import type { TrainingData } from './data-source.js';
import type { TrainableModel } from './model-info.js';
import { runPass } from './inference.js';
import { checkBatchSize, setup } from './setup.js';
import type { Task } from './task.js';
import { argmaxRows, sigmoidValues, softmaxRows } from './probabilities.js';
import { checkOptions } from '../optim/options.js';
import { unstandardizeTarget, type Standardizer } from '../data/standardize.js';

export interface PredictOptions {
  batchSize?: number;
  /** Default: the data's task hint, else 'regression' (see fit). */
  task?: Task;
  /** The target's scale for regression predictions in original units; default the dataset's. */
  standardizer?: Standardizer;
}

export interface Prediction {
  task: Task;
  /** The model's raw outputs (samples, outDim), row-major: logits for classification, standardized units for a standardized target. */
  yHat: Float32Array;
  shape: [number, number];
  /**
   * (samples, outDim), like yHat: regression values in the target's original units (yHat * std + mean
   * when the data carries a target standardizer, else yHat, plus the sample's target offset when the
   * data learns changes: MixedDataset.targetOffsets); binary and multiclass: probabilities.
   */
  predictions: Float32Array;
  /** Binary: sigmoid(yHat) (samples, outDim); multiclass: softmax rows (samples, classes). */
  probabilities?: Float32Array;
  /** Binary: 1 where the logit is > 0 (probability > 0.5), (samples, outDim); multiclass: argmax (samples). */
  classes?: Int32Array;
  /** Per-term contributions (terms, samples, outDim) in yHat's units, for additive models; else null. */
  contributions: Float32Array | null;
  contributionsShape: [number, number, number] | null;
  featureNames: readonly string[] | null;
  /** The additive model's bias (outDim) in yHat's units: yHat = intercept + sum of contributions; else null. */
  intercept: Float32Array | null;
}

export async function predict(model: TrainableModel, data: TrainingData, options: PredictOptions = {}): Promise<Prediction> {
  const where = 'predict';
  checkOptions(where, options, ['batchSize', 'task', 'standardizer']);
  const s = setup(where, model, data, options, false);
  const batchSize = checkBatchSize(where, options.batchSize, 128);
  const was = model.training;
  model.eval();
  let r;
  try {
    r = await runPass(where, model, s.info, s.source, { batchSize, task: s.task, loss: null, contributions: true });
  } finally {
    if (was) model.train();
  }
  const { yHat, samples, outDim } = r;
  const out: Prediction = {
    task: s.task, yHat, shape: [samples, outDim], predictions: yHat,
    contributions: r.contributions, contributionsShape: r.contributions ? [r.terms, samples, outDim] : null,
    featureNames: s.source.featureNames, intercept: r.contributions && s.info.additive ? await s.info.additive.intercept.toArray() : null,
  };
  if (s.task === 'binary') {
    out.probabilities = out.predictions = sigmoidValues(yHat);
    out.classes = Int32Array.from(yHat, (z) => (z > 0 ? 1 : 0)); // p > 0.5 on the logit scale, as accuracy() counts
  } else if (s.task === 'multiclass') {
    out.probabilities = out.predictions = softmaxRows(yHat, outDim);
    out.classes = argmaxRows(yHat, outDim);
  } else {
    const standardizer = options.standardizer ?? s.source.standardizer;
    out.predictions = standardizer?.target ? unstandardizeTarget(yHat.slice(), standardizer) : yHat.slice();
    const offsets = targetOffsetsOf(data);
    if (offsets) for (let i = 0; i < samples; i++) out.predictions[i] += offsets[i];
  }
  return out;
}

/** A mixed dataset's per-sample target offsets (a target learned as a change), else null. */
export function targetOffsetsOf(data: TrainingData): Float64Array | null {
  return (data as { targetOffsets?: Float64Array | null }).targetOffsets ?? null;
}
