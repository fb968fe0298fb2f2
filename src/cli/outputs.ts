// A trained model's outputs on a dataset in the units a user reads: probabilities and classes for
// classification, values in the target's units for regression, and per-feature contributions that
// add up, with the intercept, to the model's output (the logit for classification).
import { predict, type FirstOrderRNAM, type SeriesDataset, type Standardizer } from '../index.js';
import type { Task } from './args.js';

export interface Outputs {
  samples: number;
  /** Regression: the value; binary: p(class 1); multiclass: the class index. */
  prediction: Float64Array;
  /** Multiclass: (samples, classes) probabilities. */
  classProbabilities?: Float32Array;
  classes: number;
  /** (terms, samples): the contribution of each feature to the predicted output (the predicted class's logit for multiclass). */
  contributions: Float64Array;
  /** The raw scores the metrics read: regression values, binary p(1), multiclass (samples, classes) probabilities. */
  scores: ArrayLike<number>;
}

export async function modelOutputs(model: FirstOrderRNAM, ds: SeriesDataset, task: Task, standardizer: Standardizer, batchSize = 256): Promise<Outputs> {
  const r = await predict(model, ds, { task, batchSize, standardizer });
  const n = ds.samples, terms = ds.terms, out = model.options.outDim;
  const prediction = new Float64Array(n), contributions = new Float64Array(terms * n);
  const contribution = (t: number, i: number, k: number) => r.contributions![(t * n + i) * out + k];
  if (task === 'multiclass') {
    const probs = r.probabilities!;
    for (let i = 0; i < n; i++) {
      const best = r.classes![i];
      prediction[i] = best;
      for (let t = 0; t < terms; t++) contributions[t * n + i] = contribution(t, i, best);
    }
    return { samples: n, prediction, classProbabilities: probs, classes: out, contributions, scores: probs };
  }
  // predict's predictions are p(1) for binary and, for regression, back in the target's units (the
  // standardizer given here); the contributions stay in the model's units: scaled by the target's std.
  const scale = task === 'regression' ? standardizer.target?.std ?? 1 : 1;
  for (let i = 0; i < n; i++) {
    prediction[i] = r.predictions[i];
    for (let t = 0; t < terms; t++) contributions[t * n + i] = contribution(t, i, 0) * scale;
  }
  return { samples: n, prediction, classes: task === 'binary' ? 2 : 1, contributions, scores: prediction };
}
