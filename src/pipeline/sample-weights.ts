// Class weights of a classification target and the weights training sees: a sample's weight column
// value (1 without one) times its class's weight. Class weights steer the training and validation
// loss only; the metrics a report gives are weighted by the weight column alone (or not at all).
import { ArgumentError, describeValue } from '../errors.js';
import { DataError } from '../data/errors.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import type { SeriesDataset } from '../data/series-dataset.js';
import type { Task } from '../train/task.js';

/** 'balanced': n / (k n_c) from the training split's class counts; or a weight per class label (classes left out weigh 1). */
export type ClassWeightOption = 'balanced' | Readonly<Record<string, number>>;

/** What a report says of the weights: the column, and the class weights in label order. */
export interface WeightingRecord {
  /** The weight column: every loss, metric and baseline is weighted by it. */
  column?: string;
  /** How the class weights were set. */
  classWeight?: 'balanced' | 'given';
  /** Each class label's weight (they multiply the column's weights in the training and validation loss). */
  classWeights?: Record<string, number>;
}

/**
 * Class weights per class index, checked against the task and the labels; null without the option.
 * `targets` are the training split's class indices (NaN: unknown, not counted).
 */
export function resolveClassWeights(where: string, option: unknown, task: Task, labels: readonly string[], targets: ArrayLike<number>): Float64Array | null {
  if (option === undefined) return null;
  if (task === 'regression') throw new ArgumentError(`${where}: class weights need a classification task; the task is 'regression' (use a weight column to weight samples)`);
  const k = labels.length;
  if (option === 'balanced') {
    const counts = new Float64Array(k);
    let n = 0;
    for (let i = 0; i < targets.length; i++) if (!Number.isNaN(targets[i])) counts[targets[i]]++, n++;
    return Float64Array.from(counts, (c, j) => {
      if (c === 0) throw new DataError('option', `classWeight 'balanced': class '${labels[j]}' has no training sample`);
      return n / (k * c);
    });
  }
  if (typeof option !== 'object' || option === null || Array.isArray(option)) {
    throw new ArgumentError(`${where}: classWeight must be 'balanced' or a weight per class label ({ ${labels.map((l) => `'${l}': 1`).join(', ')} }), got ${describeValue(option)}`);
  }
  const out = new Float64Array(k).fill(1);
  for (const [label, w] of Object.entries(option)) {
    const j = labels.indexOf(label);
    if (j < 0) throw new ArgumentError(`${where}: classWeight names '${label}', which is not a class (the classes: ${labels.join(', ')})`);
    if (!(typeof w === 'number' && w >= 0 && Number.isFinite(w))) throw new ArgumentError(`${where}: classWeight '${label}' must be a finite number >= 0, got ${describeValue(w)}`);
    out[j] = w;
  }
  if (!out.some((w) => w > 0)) throw new ArgumentError(`${where}: every class weight is 0`);
  return out;
}

/** The dataset with the weights training sees: its own (or 1) times its class's weight; unchanged without class weights. */
export function trainingWeights<D extends SeriesDataset | MixedDataset | undefined>(ds: D, classWeights: Float64Array | null): D {
  if (!classWeights || !(ds instanceof MixedDataset)) return ds;
  const w = Float32Array.from({ length: ds.samples }, (_, i) => (ds.weights ? ds.weights[i] : 1) * classWeights[ds.targets[i]]);
  if (!w.some((x) => x > 0)) throw new DataError('option', 'every sample weighs 0 once the class weights multiply the sample weights');
  return ds.withWeights(w) as D;
}
