// The dataset the trainer uses for any model: sequences with their lengths, right-padded with 0 to
// a common length, stored terms-first (the seed's SequenceDataset, so fit() takes it as it is) and
// handed out per batch in either layout.
import { DataError } from './errors.js';
import { checkDataset, type SequenceDataset } from './dataset.js';
import { checkLayout, layoutIndex, layoutShape, type Layout } from './layout.js';
import type { Standardizer } from './standardize.js';
import { taskHint, type TaskHint } from './task.js';

export interface Batch {
  readonly layout: Layout;
  /** Inputs in `layout`: terms-first (features, batch, seq, 1), batch-first (batch, seq, features). */
  readonly x: Float32Array;
  readonly shape: number[];
  /** Targets (batch, outDim). */
  readonly y: Float32Array;
  readonly yShape: [number, number];
  /** Valid steps per sample; steps from lengths[i] to seq - 1 are padding (0). */
  readonly lengths: Int32Array;
}

export interface BatchOptions {
  /** Default 'terms-first' (the RNAM's input). */
  layout?: Layout;
  /** Cut seq to the longest sample of the batch (default false: the dataset's seq, fixed shapes). */
  trim?: boolean;
}

export interface SeriesDatasetInit {
  /** (terms, samples, seq, 1) row-major, right-padded with 0. */
  features: Float32Array;
  targets: Float32Array;
  terms: number;
  samples: number;
  seq: number;
  outDim: number;
  lengths: Int32Array;
  featureNames: readonly string[];
  targetNames: readonly string[];
  sampleIds?: readonly string[];
  sampleTimes?: Float64Array;
  task?: TaskHint;
  standardizer?: Standardizer;
}

export class SeriesDataset implements SequenceDataset {
  readonly features: Float32Array;
  readonly targets: Float32Array;
  /** Features: each is one term of an additive model, with featureDim 1. */
  readonly terms: number;
  readonly samples: number;
  /** The padded length (the longest sample, or the maxLength asked for). */
  readonly seq: number;
  readonly featureDim = 1;
  readonly outDim: number;
  readonly lengths: Int32Array;
  readonly featureNames: readonly string[];
  readonly targetNames: readonly string[];
  /** The entity of each sample ('' for a table without an id column, the index as text for arrays). */
  readonly sampleIds: readonly string[];
  /** The time of each sample's target step (ms since 1970 for dates); NaN when unknown (arrays). */
  readonly sampleTimes: Float64Array;
  /** From the raw targets: binary, integer classes or continuous. */
  readonly task: TaskHint;
  /** The standardization applied to this data (store it with the model). */
  readonly standardizer: Standardizer;

  constructor(init: SeriesDatasetInit) {
    this.features = init.features;
    this.targets = init.targets;
    this.terms = init.terms;
    this.samples = init.samples;
    this.seq = init.seq;
    this.outDim = init.outDim;
    this.lengths = init.lengths;
    this.featureNames = init.featureNames;
    this.targetNames = init.targetNames;
    this.sampleIds = init.sampleIds ?? Array.from({ length: init.samples }, (_, i) => String(i));
    this.sampleTimes = init.sampleTimes ?? new Float64Array(init.samples).fill(NaN);
    this.task = init.task ?? taskHint(init.targets);
    this.standardizer = init.standardizer ?? {};
    checkDataset(this, 'SeriesDataset');
    const counts: [string, number, number][] = [['lengths', this.lengths.length, this.samples], ['featureNames', this.featureNames.length, this.terms],
      ['targetNames', this.targetNames.length, this.outDim], ['sampleIds', this.sampleIds.length, this.samples], ['sampleTimes', this.sampleTimes.length, this.samples]];
    for (const [name, got, want] of counts) if (got !== want) throw new DataError('shape', `SeriesDataset: ${name} holds ${got} entries, expected ${want}`);
    this.lengths.forEach((l, i) => {
      if (!(l >= 1 && l <= this.seq)) throw new DataError('shape', `SeriesDataset: sample ${i} has length ${l}, expected 1..seq = 1..${this.seq}`);
    });
  }

  /** The value of feature f at step t of sample s. */
  at(s: number, t: number, f: number): number {
    return this.features[(f * this.samples + s) * this.seq + t];
  }

  /** x, y and lengths of the given samples, x in the layout asked for. */
  toBatch(indices: readonly number[], options: BatchOptions = {}): Batch {
    const layout = checkLayout(options.layout ?? 'terms-first', 'toBatch');
    const b = indices.length, F = this.terms, S = this.seq;
    for (const i of indices) if (!(Number.isInteger(i) && i >= 0 && i < this.samples)) throw new DataError('option', `toBatch: sample index ${i} is outside 0..${this.samples - 1}`);
    const lengths = Int32Array.from(indices, (i) => this.lengths[i]);
    const seq = options.trim ? lengths.reduce((m, l) => Math.max(m, l), 1) : S;
    const x = new Float32Array(b * seq * F), at = layoutIndex(layout, b, seq, F);
    indices.forEach((s, k) => {
      for (let f = 0; f < F; f++) {
        const src = (f * this.samples + s) * S;
        if (layout === 'terms-first') x.set(this.features.subarray(src, src + seq), at(k, 0, f));
        else for (let t = 0; t < lengths[k]; t++) x[at(k, t, f)] = this.features[src + t];
      }
    });
    const y = new Float32Array(b * this.outDim);
    indices.forEach((s, k) => y.set(this.targets.subarray(s * this.outDim, (s + 1) * this.outDim), k * this.outDim));
    return { layout, x, shape: layoutShape(layout, b, seq, F), y, yShape: [b, this.outDim], lengths };
  }

  /** The given samples, in that order, as a new dataset (copies; same seq, task and standardizer). */
  subset(indices: readonly number[]): SeriesDataset {
    const { x, y, lengths } = this.toBatch(indices);
    return new SeriesDataset({
      features: x, targets: y, terms: this.terms, samples: indices.length, seq: this.seq, outDim: this.outDim, lengths,
      featureNames: this.featureNames, targetNames: this.targetNames, sampleIds: indices.map((i) => this.sampleIds[i]),
      sampleTimes: Float64Array.from(indices, (i) => this.sampleTimes[i]), task: this.task, standardizer: this.standardizer,
    });
  }
}
