// A trained additive model's outputs on a transformed table, in the one convention every output
// uses (predict's CSV, report.json, the HTML report, the page): per sample an intercept plus one
// centered contribution per feature that sum to the model's output: the value in the target's units
// (regression), the logit of the positive class (binary), the logit of the predicted class
// (multiclass). The centering is the training data's, so a sample's numbers never depend on which
// other samples it is predicted with.
import type { Task } from '../train/task.js';
import type { SeriesDataset } from '../data/series-dataset.js';
import type { MixedDataset } from '../data/mixed-dataset.js';
import type { TrainableModel } from '../train/model-info.js';
import { predict, targetOffsetsOf } from '../train/predict.js';
import { predictionMetrics, type Metrics } from '../train/task.js';
import { meanContributions } from '../explain/center.js';
import { ArgumentError } from '../errors.js';
import type { Preprocessing } from './preprocessing.js';

/** Each term's mean contribution over the training data, per output: what centering subtracts. */
export interface Centering {
  offsets: number[][];
}

export interface TableOutputs {
  samples: number;
  featureNames: readonly string[];
  ids: readonly string[];
  /** The time of each sample's target step (ms since 1970 for dates). */
  times: Float64Array;
  /** The target in the user's units (a class index for classification); NaN where unknown. */
  targets: Float64Array;
  /** Regression: the value; binary: p(positive class); multiclass: the predicted class index. */
  prediction: Float64Array;
  /** Multiclass: (samples, classes) probabilities; else null. */
  probabilities: Float64Array | null;
  /** The output each sample's contributions explain: 0, or the predicted class (multiclass). */
  explained: Int32Array;
  /** Per sample, the intercept of its explained output. */
  intercept: Float64Array;
  /** (terms, samples): centered contributions to the explained output. intercept + their sum = the output. */
  contributions: Float64Array;
  /** Per sample: the explained output itself (value, or logit). */
  output: Float64Array;
  /** Per sample, its weight (the weight column's), or null when the data are unweighted. */
  weights: Float32Array | null;
}

/** The centering fitted a dataset at a time (a stream's chunks): the raw contributions' sums, divided once at the end. */
export class CenteringAccumulator {
  private sums: number[][] | null = null;
  private first: number[][] | null = null;
  private samples = 0;
  private datasets = 0;

  /** task: the model's (a class absent from the data leaves the data's own hint short of the model's outputs). */
  async add(model: TrainableModel, ds: SeriesDataset | MixedDataset, task: Task, batchSize = 256): Promise<void> {
    const r = await predict(model, ds, { task, batchSize });
    if (!r.contributions) throw new ArgumentError(`centering: the ${model.describe?.().kind ?? "model"} is not additive`);
    const n = r.shape[0], means = meanContributions(r.contributions, r.contributionsShape![0], n, r.shape[1]);
    this.first ??= means;
    this.datasets++;
    if (!this.sums) this.sums = means.map((row) => row.map((m) => m * n));
    else means.forEach((row, t) => row.forEach((m, k) => (this.sums![t][k] += m * n)));
    this.samples += n;
  }

  finish(): Centering {
    if (!this.sums) throw new ArgumentError('centering: the training data has no sample');
    // One dataset: its means as they are.
    return { offsets: this.datasets === 1 ? this.first! : this.sums.map((row) => row.map((v) => v / this.samples)) };
  }
}

/** The training split's centering (its mean raw contribution per term and output). */
export async function fitCentering(model: TrainableModel, train: SeriesDataset | MixedDataset, task: Task, batchSize = 256): Promise<Centering> {
  const acc = new CenteringAccumulator();
  await acc.add(model, train, task, batchSize);
  return acc.finish();
}

export async function tableOutputs(model: TrainableModel, ds: SeriesDataset | MixedDataset, pre: Preprocessing, centering: Centering, batchSize = 256): Promise<TableOutputs> {
  const task = pre.task;
  const r = await predict(model, ds, { task, batchSize, standardizer: pre.record.standardizer });
  if (!r.contributions || !r.intercept) throw new ArgumentError(`predict: the ${model.describe?.().kind ?? "model"} is not additive: it has no per-feature contributions`);
  const n = r.shape[0], out = r.shape[1], terms = r.contributionsShape![0];
  if (centering.offsets.length !== terms || centering.offsets.some((row) => row.length !== out)) {
    throw new ArgumentError(`predict: the centering has ${centering.offsets.length} rows for ${terms} terms and ${out} outputs`);
  }
  const scale = task === 'regression' ? pre.record.standardizer.target : undefined;
  const std = scale?.std ?? 1, mean = scale?.mean ?? 0, offsets = task === 'regression' ? targetOffsetsOf(ds) : null;
  const o: TableOutputs = {
    samples: n, featureNames: pre.featureNames, ids: ds.sampleIds, times: ds.sampleTimes,
    // Mixed datasets keep the table's targets; series ones are read back from their float32 scaling.
    targets: 'rawTargets' in ds ? Float64Array.from(ds.rawTargets) : Float64Array.from(ds.targets, (y) => (scale ? y * std + mean : y)),
    prediction: new Float64Array(n), probabilities: task === 'multiclass' ? Float64Array.from(r.probabilities!) : null,
    explained: new Int32Array(n), intercept: new Float64Array(n), contributions: new Float64Array(terms * n), output: new Float64Array(n),
    weights: 'weights' in ds ? ds.weights : null,
  };
  for (let i = 0; i < n; i++) {
    const k = task === 'multiclass' ? r.classes![i] : 0;
    o.explained[i] = k;
    let intercept = r.intercept[k];
    for (let t = 0; t < terms; t++) {
      intercept += centering.offsets[t][k];
      o.contributions[t * n + i] = (r.contributions[(t * n + i) * out + k] - centering.offsets[t][k]) * std;
    }
    // A target learned as a change starts from each sample's last value: its intercept.
    const from = offsets ? offsets[i] : 0;
    o.intercept[i] = intercept * std + mean + from;
    o.output[i] = r.yHat[i * out + k] * std + mean + from;
    o.prediction[i] = task === 'regression' ? o.output[i] : task === 'binary' ? r.probabilities![i] : k;
  }
  return o;
}

/** The task's metrics over the samples whose target is known (null when none is), weighted by the samples' weights when they have them. */
export function outputMetrics(pre: Preprocessing, o: TableOutputs): Metrics | null {
  const known = new KnownTargets(pre);
  known.add(o);
  return known.metrics();
}

/**
 * The samples with a known target, gathered over one or more outputs (a stream's chunks), for the
 * task's metrics: the same numbers in the same order as one output of every sample would give.
 */
export class KnownTargets {
  private readonly scores: number[] = [];
  private readonly targets: number[] = [];
  /** The samples' weights (the weight column training read), when the outputs carry them. */
  private readonly weights: number[] = [];
  private weighted = false;

  constructor(private readonly pre: Preprocessing) {}

  get count(): number {
    return this.targets.length;
  }

  add(o: TableOutputs): void {
    if (o.weights) this.weighted = true;
    const classes = this.pre.outputs, multiclass = this.pre.task === 'multiclass';
    for (let i = 0; i < o.samples; i++) {
      if (Number.isNaN(o.targets[i])) continue;
      this.targets.push(o.targets[i]);
      this.weights.push(o.weights ? o.weights[i] : 1);
      if (!multiclass) this.scores.push(o.prediction[i]);
      else for (let k = 0; k < classes; k++) this.scores.push(o.probabilities![i * classes + k]);
    }
  }

  metrics(): Metrics | null {
    if (this.targets.length === 0) return null;
    const weights = this.weighted ? this.weights : undefined;
    if (this.pre.task === 'multiclass') return predictionMetrics('multiclass', this.scores, this.targets, this.pre.outputs, weights);
    return predictionMetrics(this.pre.task, this.scores, this.targets, 2, weights);
  }
}
