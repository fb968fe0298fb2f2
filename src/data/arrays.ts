// Arrays in the layouts people have, the layout always named: batch-first (samples, seq, features)
// or the seed's terms-first (terms, samples, seq, 1), nested arrays (sequences may differ in length)
// or a flat array with its shape (right-padded, with optional lengths).
import { DataError } from './errors.js';
import { checkLayout, layoutIndex, type Layout } from './layout.js';
import { SeriesDataset } from './series-dataset.js';
import type { MissingRule } from './options.js';

type Flat = ArrayLike<number>;
type Nested3 = readonly (readonly (readonly number[])[])[];
type Nested4 = readonly Nested3[];

export interface ArrayDatasetOptions {
  /** Nested arrays in `layout`, or a flat row-major array with `shape`. */
  x: Nested3 | Nested4 | Flat;
  layout: Layout;
  /** A flat x's shape: (samples, seq, features) batch-first or (terms, samples, seq, 1) terms-first. */
  shape?: readonly number[];
  /** (samples) or (samples, outDim) nested, or flat with yShape when outDim > 1. */
  y: readonly number[] | readonly (readonly number[])[] | Flat;
  yShape?: readonly [number, number];
  /** Valid steps per sample (the rest is padding); default: each nested sequence's length, or seq. */
  lengths?: ArrayLike<number>;
  /** Pad to this length; longer sequences keep their last maxLength steps (the oldest are dropped). */
  maxLength?: number;
  /** Default 'error'. 'carry-forward' fills each gap with the sample's last observation, and leading gaps with fillValues. */
  missing?: MissingRule;
  /** Per feature, for leading gaps under carry-forward (e.g. the training standardizer's means); default the feature's mean over x. */
  fillValues?: readonly number[];
  featureNames?: readonly string[];
  targetNames?: readonly string[];
  sampleIds?: readonly string[];
}

interface Source {
  samples: number;
  features: number;
  seq: number;
  lengths: Int32Array;
  get(s: number, t: number, f: number): number;
}

function isFlat(x: unknown): x is Flat {
  return ArrayBuffer.isView(x) || (Array.isArray(x) && (x.length === 0 || typeof x[0] === 'number'));
}

function shapeText(shape: readonly number[]): string {
  return `(${shape.join(', ')})`;
}

function flatSource(x: Flat, layout: Layout, shape: readonly number[] | undefined): Source {
  const named = layout === 'batch-first' ? '(samples, seq, features)' : '(terms, samples, seq, 1)';
  if (!shape) throw new DataError('shape', `a flat x needs its shape ${named}`);
  const rank = layout === 'batch-first' ? 3 : 4;
  if (shape.length !== rank || !shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new DataError('shape', `a ${layout} x has the shape ${named}, got ${shapeText(shape)}`);
  }
  if (layout === 'terms-first' && shape[3] !== 1) throw new DataError('shape', `a terms-first x has featureDim 1 (terms = features), got shape ${shapeText(shape)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (x.length !== size) throw new DataError('shape', `x holds ${x.length} values, its shape ${shapeText(shape)} ${named} needs ${size}`);
  const [samples, seq, features] = layout === 'batch-first' ? shape : [shape[1], shape[2], shape[0]];
  const at = layoutIndex(layout, samples, seq, features);
  return { samples, seq, features, lengths: new Int32Array(samples).fill(seq), get: (s, t, f) => x[at(s, t, f)] };
}

function nestedSource(x: Nested3 | Nested4, layout: Layout): Source {
  const bad = (what: string) => new DataError('shape', `x is not a nested ${layout === 'batch-first' ? '(samples, seq, features)' : '(terms, samples, seq, 1)'} array: ${what}`);
  if (layout === 'batch-first') {
    const b = x as Nested3, samples = b.length;
    if (samples === 0) throw new DataError('empty', 'x has no samples');
    const features = b[0][0]?.length;
    if (!features) throw bad('sample 0 has no steps or no features');
    b.forEach((seqs, s) => {
      if (!Array.isArray(seqs) || seqs.length === 0) throw bad(`sample ${s} has no steps`);
      seqs.forEach((step, t) => {
        if (!Array.isArray(step) || step.length !== features) throw bad(`sample ${s} step ${t} has ${Array.isArray(step) ? step.length : 'no'} features, sample 0 step 0 has ${features}`);
      });
    });
    const lengths = Int32Array.from(b, (seqs) => seqs.length);
    return { samples, features, seq: lengths.reduce((m, l) => Math.max(m, l), -Infinity), lengths, get: (s, t, f) => b[s][t][f] };
  }
  const tf = x as Nested4, features = tf.length;
  if (features === 0) throw new DataError('empty', 'x has no terms');
  const samples = tf[0].length;
  if (samples === 0) throw new DataError('empty', 'x has no samples');
  const lengths = Int32Array.from(tf[0], (seqs) => (Array.isArray(seqs) ? seqs.length : 0));
  tf.forEach((term, f) => {
    if (!Array.isArray(term) || term.length !== samples) throw bad(`term ${f} has ${Array.isArray(term) ? term.length : 'no'} samples, term 0 has ${samples}`);
    term.forEach((seqs, s) => {
      if (!Array.isArray(seqs) || seqs.length !== lengths[s] || lengths[s] === 0) throw bad(`term ${f} sample ${s} has ${Array.isArray(seqs) ? seqs.length : 'no'} steps, term 0 has ${lengths[s]}`);
      seqs.forEach((v, t) => {
        if (!Array.isArray(v) || v.length !== 1) throw bad(`term ${f} sample ${s} step ${t} is not a [value] of featureDim 1`);
      });
    });
  });
  return { samples, features, seq: lengths.reduce((m, l) => Math.max(m, l), -Infinity), lengths, get: (s, t, f) => (tf[f][s][t] as unknown as number[])[0] };
}

function readTargets(o: ArrayDatasetOptions, samples: number): { y: Float32Array; outDim: number } {
  const y = o.y;
  let flat: Float32Array, outDim: number;
  if (Array.isArray(y) && y.length > 0 && Array.isArray(y[0])) {
    const rows = y as readonly (readonly number[])[];
    outDim = rows[0].length;
    rows.forEach((r, i) => {
      if (!Array.isArray(r) || r.length !== outDim) throw new DataError('shape', `y[${i}] has ${Array.isArray(r) ? r.length : 'no'} targets, y[0] has ${outDim}`);
    });
    flat = Float32Array.from(rows.flat());
    if (rows.length !== samples) throw new DataError('shape', `y has ${rows.length} samples, x has ${samples}`);
  } else {
    flat = Float32Array.from(y as Flat);
    outDim = o.yShape ? o.yShape[1] : 1;
    if (o.yShape && o.yShape[0] !== samples) throw new DataError('shape', `yShape ${shapeText(o.yShape)} has ${o.yShape[0]} samples, x has ${samples}`);
    if (flat.length !== samples * outDim) throw new DataError('shape', `y holds ${flat.length} values, (samples, outDim) = (${samples}, ${outDim}) needs ${samples * outDim}`);
  }
  const k = flat.findIndex(Number.isNaN);
  if (k >= 0) throw new DataError('missing-value', `target ${Math.floor(k / outDim)} is missing (targets are never filled)`);
  return { y: flat, outDim };
}

/** A dataset from arrays; the layout is named, and every shape is checked against it. */
export function fromArrays(o: ArrayDatasetOptions): SeriesDataset {
  const layout = checkLayout(o.layout, 'fromArrays');
  const src = isFlat(o.x) ? flatSource(o.x, layout, o.shape) : nestedSource(o.x as Nested3 | Nested4, layout);
  if (!isFlat(o.x) && o.shape) throw new DataError('shape', 'shape is for a flat x; nested arrays carry their own');
  const { samples, features: F } = src;
  if (o.lengths) {
    if (o.lengths.length !== samples) throw new DataError('shape', `lengths has ${o.lengths.length} entries, x has ${samples} samples`);
    for (let s = 0; s < samples; s++) {
      const l = o.lengths[s];
      if (!(Number.isInteger(l) && l >= 1 && l <= src.lengths[s])) throw new DataError('shape', `lengths[${s}] = ${l}, expected an integer in 1..${src.lengths[s]}`);
      src.lengths[s] = l;
    }
  }
  if (o.maxLength !== undefined && !(Number.isInteger(o.maxLength) && o.maxLength >= 1)) throw new DataError('option', `maxLength must be a positive integer, got ${o.maxLength}`);
  const seq = o.maxLength ?? src.lengths.reduce((m, l) => Math.max(m, l), -Infinity);
  const { y, outDim } = readTargets(o, samples);
  const featureNames = o.featureNames ?? Array.from({ length: F }, (_, f) => `x${f}`);
  if (featureNames.length !== F) throw new DataError('shape', `featureNames has ${featureNames.length} names, x has ${F} features`);
  const sampleIds = o.sampleIds ?? Array.from({ length: samples }, (_, i) => String(i));
  const missing = o.missing ?? 'error';
  if (missing !== 'error' && missing !== 'carry-forward') throw new DataError('option', `missing must be 'error' or 'carry-forward', got ${String(missing)}`);

  const features = new Float32Array(F * samples * seq), lengths = new Int32Array(samples);
  let fill: readonly number[] | null = o.fillValues ?? null;
  if (fill && fill.length !== F) throw new DataError('shape', `fillValues has ${fill.length} values, x has ${F} features`);
  for (let s = 0; s < samples; s++) {
    const len = Math.min(src.lengths[s], seq), first = src.lengths[s] - len;
    lengths[s] = len;
    for (let f = 0; f < F; f++) {
      let last = NaN;
      const row = (f * samples + s) * seq;
      for (let t = 0; t < len; t++) {
        let v = src.get(s, first + t, f);
        if (typeof v !== 'number') throw new DataError('non-numeric', `x at sample ${s}, step ${first + t} is not a number: ${String(v)}`, { column: featureNames[f], id: sampleIds[s] });
        if (Number.isNaN(v)) {
          if (missing === 'error') throw new DataError('missing-value', `x is NaN at sample ${s}, step ${first + t} (choose missing: 'carry-forward' to fill gaps)`, { column: featureNames[f], id: sampleIds[s] });
          v = last;
        } else last = v;
        features[row + t] = v;   // NaN stays only for a leading gap, filled below
      }
    }
  }
  if (missing === 'carry-forward') {
    fill ??= observedMeans(features, F, samples, seq, lengths, featureNames);
    for (let f = 0; f < F; f++) for (let s = 0; s < samples; s++) {
      const row = (f * samples + s) * seq;
      for (let t = 0; t < lengths[s] && Number.isNaN(features[row + t]); t++) features[row + t] = fill[f];
    }
  }
  return new SeriesDataset({
    features, targets: y, terms: F, samples, seq, outDim, lengths, featureNames,
    targetNames: o.targetNames ?? Array.from({ length: outDim }, (_, k) => (outDim === 1 ? 'y' : `y${k}`)), sampleIds,
  });
}

function observedMeans(features: Float32Array, F: number, samples: number, seq: number, lengths: Int32Array, names: readonly string[]): number[] {
  return Array.from({ length: F }, (_, f) => {
    let sum = 0, n = 0;
    for (let s = 0; s < samples; s++) for (let t = 0; t < lengths[s]; t++) {
      const v = features[(f * samples + s) * seq + t];
      if (!Number.isNaN(v)) sum += v, n++;
    }
    if (n === 0) throw new DataError('missing-value', 'every value of the feature is missing', { column: names[f] });
    return sum / n;
  });
}
