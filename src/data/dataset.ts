// In-memory sequence datasets in the seed's layout and their batching.
import type { Generator } from '../random.js';

/**
 * Features (terms, samples, seq, featureDim) and targets (samples, outDim), row-major float32,
 * kept in JavaScript memory; batches are gathered and uploaded to the device one at a time.
 */
export interface SequenceDataset {
  readonly features: Float32Array;
  readonly targets: Float32Array;
  readonly terms: number;
  readonly samples: number;
  readonly seq: number;
  readonly featureDim: number;
  readonly outDim: number;
  /** Valid steps per sample when sequences differ in length (right padding); absent: all seq steps. */
  readonly lengths?: Int32Array;
}

export function checkDataset(ds: SequenceDataset, where = 'dataset'): void {
  const { terms, samples, seq, featureDim, outDim } = ds;
  if (ds.features.length !== terms * samples * seq * featureDim) {
    throw new Error(`${where}: features hold ${ds.features.length} values, expected terms*samples*seq*featureDim = ${terms}*${samples}*${seq}*${featureDim}`);
  }
  if (ds.targets.length !== samples * outDim) {
    throw new Error(`${where}: targets hold ${ds.targets.length} values, expected samples*outDim = ${samples}*${outDim}`);
  }
  if (ds.lengths && ds.lengths.length !== samples) throw new Error(`${where}: lengths hold ${ds.lengths.length} values, expected samples = ${samples}`);
}

/** Samples [start, end) as a new dataset (copies); a dataset with its own subset (SeriesDataset) keeps its type. */
export function subset(ds: SequenceDataset, start: number, end: number): SequenceDataset {
  const own = (ds as { subset?: (indices: number[]) => SequenceDataset }).subset;
  if (typeof own === 'function') return own.call(ds, Array.from({ length: end - start }, (_, i) => start + i));
  const n = end - start, row = ds.seq * ds.featureDim;
  const features = new Float32Array(ds.terms * n * row);
  for (let t = 0; t < ds.terms; t++) {
    features.set(ds.features.subarray((t * ds.samples + start) * row, (t * ds.samples + end) * row), t * n * row);
  }
  const lengths = ds.lengths ? { lengths: ds.lengths.slice(start, end) } : {};
  return { ...ds, features, samples: n, targets: ds.targets.slice(start * ds.outDim, end * ds.outDim), ...lengths };
}

/** Batches of sample indices: a seeded Fisher-Yates shuffle when asked, the last batch may be short. */
export function batchIndices(samples: number, batchSize: number, shuffle: boolean, gen: Generator): number[][] {
  const order = Array.from({ length: samples }, (_, i) => i);
  if (shuffle) gen.shuffle(order);
  const batches: number[][] = [];
  for (let i = 0; i < samples; i += batchSize) batches.push(order.slice(i, i + batchSize));
  return batches;
}

/** The seed's collate: x (terms, batch, seq, featureDim), y (batch, outDim) and the lengths (when the dataset has them). */
export function gatherBatch(ds: SequenceDataset, indices: readonly number[]): { x: Float32Array; y: Float32Array; lengths?: Int32Array } {
  const b = indices.length, row = ds.seq * ds.featureDim;
  const x = new Float32Array(ds.terms * b * row);
  for (let t = 0; t < ds.terms; t++) {
    indices.forEach((s, k) => x.set(ds.features.subarray((t * ds.samples + s) * row, (t * ds.samples + s + 1) * row), (t * b + k) * row));
  }
  const y = new Float32Array(b * ds.outDim);
  indices.forEach((s, k) => y.set(ds.targets.subarray(s * ds.outDim, (s + 1) * ds.outDim), k * ds.outDim));
  return ds.lengths ? { x, y, lengths: Int32Array.from(indices, (s) => ds.lengths![s]) } : { x, y };
}
