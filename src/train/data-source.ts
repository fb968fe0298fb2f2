// Every kind of data fit/evaluate/predict take, as one source of host batches in the model's layout:
// - a SequenceDataset (the seed's, terms-first) or a SeriesDataset (either layout);
// - arrays { x, y, layout, shape?, lengths?, ... }: rnam.fromArrays checks them against their layout;
// - a stream: an iterable or async iterable of batches (rnam.windowBatches' output), or a function
//   returning a fresh one per epoch; every batch names its layout, which must be the model's; for an
//   AdditiveRNAM, a stream of MixedDataset chunks (trainStream's), each read in batches in its order.
import type { Generator } from '../random.js';
import { batchIndices, checkDataset, gatherBatch, type SequenceDataset } from '../data/dataset.js';
import { SeriesDataset } from '../data/series-dataset.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import { fromArrays, type ArrayDatasetOptions } from '../data/arrays.js';
import { layoutShape, type Layout } from '../data/layout.js';
import { DataError } from '../data/errors.js';
import type { Standardizer } from '../data/standardize.js';
import type { TaskHint } from '../data/task.js';
import { ArgumentError, describeValue } from '../errors.js';

/** Static and categorical inputs of a mixed batch (MixedDataset), as host arrays with their shapes. */
export interface BatchExtra {
  readonly static: { data: Float32Array; shape: number[] } | null;
  readonly categorical: { data: Float32Array; shape: number[] } | null;
}

/** One batch on the host: x in the model's layout, y (batch, outDim), lengths null when every sequence is full. */
export interface HostBatch {
  /** null for a mixed batch without sequence terms (a plain table). */
  readonly x: Float32Array | null;
  readonly shape: number[];
  /** Mixed batches: the static and categorical inputs, and the model's term count (for the shape checks). */
  readonly extra?: BatchExtra;
  readonly terms?: number;
  readonly y: Float32Array;
  readonly batch: number;
  readonly outDim: number;
  readonly lengths: Int32Array | null;
  /** Per-sample weights of the loss and the metrics (a MixedDataset's); absent: unweighted. */
  readonly weights?: Float32Array | null;
}

/** A batch as a stream yields it (rnam.windowBatches' StreamBatch is one). */
export interface StreamedBatch {
  readonly layout: Layout;
  readonly x: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly y: ArrayLike<number>;
  readonly lengths?: ArrayLike<number>;
}

type BatchStream = AsyncIterable<StreamedBatch | MixedDataset> | Iterable<StreamedBatch | MixedDataset>;

/** Arrays as rnam.fromArrays takes them; y may be left out for predict. */
export type ArrayData = Omit<ArrayDatasetOptions, 'y'> & { y?: ArrayDatasetOptions['y'] };

/** What fit, evaluate and predict accept as data. */
export type TrainingData = SequenceDataset | MixedDataset | ArrayData | BatchStream | (() => BatchStream);

export interface DataSource {
  /** 'dataset', 'arrays' or 'stream', for messages. */
  readonly kind: 'dataset' | 'arrays' | 'stream';
  /** Features per step; null for a stream until its first batch. */
  readonly features: number | null;
  readonly outDim: number | null;
  readonly samples: number | null;
  readonly featureNames: readonly string[] | null;
  readonly task: TaskHint | null;
  readonly standardizer: Standardizer | null;
  /** Whether it has targets (arrays given to predict may not). */
  readonly hasTargets: boolean;
  /** The whole target array, when it is in memory (checked once, before training). */
  readonly targets: Float32Array | null;
  /** Per-sample weights (a MixedDataset's), null when the data is unweighted. */
  readonly weights: Float32Array | null;
  batches(batchSize: number, shuffle: boolean, generator: Generator): AsyncIterable<HostBatch>;
}

function isIterable(v: unknown): v is BatchStream {
  return v != null && typeof v === 'object' && (Symbol.asyncIterator in v || Symbol.iterator in v);
}

/** null when every sample has all `seq` steps (the forward then reads the last step without a gather). */
function partialLengths(lengths: ArrayLike<number> | undefined, seq: number): Int32Array | null {
  if (!lengths) return null;
  for (let i = 0; i < lengths.length; i++) if (lengths[i] !== seq) return Int32Array.from(lengths);
  return null;
}

/** (terms, b, seq, 1) -> (b, seq, terms). */
function termsToBatchFirst(x: Float32Array, terms: number, b: number, seq: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let f = 0; f < terms; f++) for (let s = 0; s < b; s++) for (let t = 0; t < seq; t++) out[(s * seq + t) * terms + f] = x[(f * b + s) * seq + t];
  return out;
}

function datasetSource(where: string, ds: SequenceDataset, layout: Layout, kind: 'dataset' | 'arrays', hasTargets: boolean): DataSource {
  try {
    checkDataset(ds, where);
  } catch (err) {
    throw err instanceof DataError ? err : new DataError('shape', (err as Error).message);
  }
  if (ds.samples < 1) throw new DataError('empty', `${where}: the dataset has no samples`);
  if (layout === 'batch-first' && ds.featureDim !== 1) {
    throw new DataError('shape', `${where}: a batch-first model reads (batch, seq, features); this dataset has featureDim ${ds.featureDim} per term (build it with rnam.fromArrays in your layout)`);
  }
  const series = ds instanceof SeriesDataset ? ds : null;
  const toHost = (idx: number[]): HostBatch => {
    const b = idx.length;
    if (series && layout === 'batch-first') {
      const t = series.toBatch(idx, { layout });
      return { x: t.x, shape: t.shape, y: t.y, batch: b, outDim: ds.outDim, lengths: partialLengths(t.lengths, ds.seq) };
    }
    const g = gatherBatch(ds, idx);
    const x = layout === 'terms-first' ? g.x : termsToBatchFirst(g.x, ds.terms, b, ds.seq);
    const shape = layout === 'terms-first' ? [ds.terms, b, ds.seq, ds.featureDim] : layoutShape(layout, b, ds.seq, ds.terms);
    return { x, shape, y: g.y, batch: b, outDim: ds.outDim, lengths: partialLengths(g.lengths, ds.seq) };
  };
  return {
    kind, features: ds.terms * ds.featureDim, outDim: ds.outDim, samples: ds.samples,
    featureNames: series?.featureNames ?? Array.from({ length: ds.terms }, (_, i) => `x${i}`),
    task: series?.task ?? null, standardizer: series?.standardizer ?? null, hasTargets, targets: hasTargets ? ds.targets : null, weights: null,
    async* batches(batchSize, shuffle, generator) {
      for (const idx of batchIndices(ds.samples, batchSize, shuffle, generator)) yield toHost(idx);
    },
  };
}

/** The sample count of arrays before fromArrays reads them (to stand in zero targets when y is absent). */
function arraySamples(a: ArrayData): number {
  if (a.shape) return a.layout === 'terms-first' ? a.shape[1] : a.shape[0];
  const x = a.x as unknown as unknown[];
  return a.layout === 'terms-first' ? ((x[0] as unknown[] | undefined)?.length ?? 0) : x.length;
}

function checkStreamBatch(where: string, b: StreamedBatch, n: number, layout: Layout): HostBatch {
  const at = `${where}: stream batch ${n}`;
  if (!b || typeof b !== 'object' || !('x' in b) || !('shape' in b) || !('y' in b)) {
    throw new DataError('shape', `${at} is ${describeValue(b)}, not a batch { layout, x, shape, y, lengths? } (rnam.windowBatches yields them)`);
  }
  if (b.layout !== layout) {
    throw new DataError('shape', `${at} is ${b.layout === undefined ? 'of no named layout' : `${String(b.layout)}`}, the model reads ${layout}: stream with layout: '${layout}' (windowBatches' option)`);
  }
  const rank = layout === 'batch-first' ? 3 : 4;
  if (!Array.isArray(b.shape) || b.shape.length !== rank || !b.shape.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new DataError('shape', `${at}: a ${layout} x has the shape ${layout === 'batch-first' ? '(batch, seq, features)' : '(terms, batch, seq, 1)'}, got ${describeValue(b.shape)}${Array.isArray(b.shape) ? ` (${b.shape.join(', ')})` : ''}`);
  }
  const [batch, seq] = layout === 'batch-first' ? b.shape : [b.shape[1], b.shape[2]];
  const size = b.shape.reduce((p, d) => p * d, 1);
  if (b.x.length !== size) throw new DataError('shape', `${at}: x holds ${b.x.length} values, its shape (${b.shape.join(', ')}) needs ${size}`);
  if (b.y.length === 0 || b.y.length % batch !== 0) throw new DataError('shape', `${at}: y holds ${b.y.length} values for ${batch} samples`);
  if (b.lengths) {
    if (b.lengths.length !== batch) throw new DataError('shape', `${at}: lengths has ${b.lengths.length} entries for ${batch} samples`);
    for (let i = 0; i < batch; i++) {
      const l = b.lengths[i];
      if (!(Number.isInteger(l) && l >= 1 && l <= seq)) throw new DataError('shape', `${at}: lengths[${i}] = ${l}, expected an integer in 1..${seq}`);
    }
  }
  const x = b.x instanceof Float32Array ? b.x : Float32Array.from(b.x), y = b.y instanceof Float32Array ? b.y : Float32Array.from(b.y);
  return { x, shape: [...b.shape], y, batch, outDim: b.y.length / batch, lengths: partialLengths(b.lengths, seq) };
}

function streamSource(where: string, data: BatchStream | (() => BatchStream), layout: Layout, mixedModel: boolean): DataSource {
  let used = false;
  const open = (): BatchStream => {
    const s = typeof data === 'function' ? data() : data;
    if (!isIterable(s)) throw new ArgumentError(`${where}: the stream function returned ${describeValue(s)}, not an (async) iterable of batches`);
    return s;
  };
  return {
    kind: 'stream', features: null, outDim: null, samples: null, featureNames: null, task: null, standardizer: null, hasTargets: true, targets: null, weights: null,
    async* batches(batchSize, _shuffle, generator) {
      // A generator is read once: a second epoch over it would be empty, so say how to stream again.
      const s = open();
      const it = s as { [Symbol.asyncIterator]?: () => unknown; [Symbol.iterator]?: () => unknown };
      const once = typeof data !== 'function' && (it[Symbol.asyncIterator] ?? it[Symbol.iterator])?.call(s) === s;
      if (once && used) throw new ArgumentError(`${where}: the stream was read in an earlier pass and a generator cannot be read twice; pass a function, () => rnam.windowBatches(...), to stream it again`);
      used = true;
      let n = 0;
      for await (const b of s as AsyncIterable<StreamedBatch | MixedDataset>) {
        n++;
        if (b instanceof MixedDataset) {
          if (!mixedModel) throw new ArgumentError(`${where}: stream item ${n} is a MixedDataset chunk; mixed inputs need a model that reads them (AdditiveRNAM)`);
          for (const idx of batchIndices(b.samples, batchSize, false, generator)) yield mixedBatch(b, idx);
        } else {
          if (mixedModel) throw new ArgumentError(`${where}: an AdditiveRNAM reads mixed inputs: stream MixedDataset chunks (rnam.trainStream), not batches of one value per step`);
          yield checkStreamBatch(where, b, n, layout);
        }
      }
      if (n === 0) throw new DataError('empty', `${where}: the stream yielded no batches`);
    },
  };
}

function mixedBatch(ds: MixedDataset, idx: number[]): HostBatch {
  const b = ds.batch(idx);
  return {
    x: b.x, shape: b.shape, y: b.y, batch: idx.length, outDim: 1, terms: ds.terms,
    lengths: b.x ? partialLengths(b.lengths, ds.seq) : null, extra: { static: b.static, categorical: b.categorical }, weights: b.weights,
  };
}

function mixedSource(where: string, ds: MixedDataset, mixedModel: boolean): DataSource {
  if (!mixedModel) throw new ArgumentError(`${where}: mixed inputs (static, categorical, observed flags and gaps) need a model that reads them (AdditiveRNAM)`);
  if (ds.samples < 1) throw new DataError('empty', `${where}: the dataset has no samples`);
  return {
    kind: 'dataset', features: ds.terms, outDim: 1, samples: ds.samples, featureNames: ds.featureNames, task: ds.task,
    standardizer: ds.standardizer, hasTargets: true, targets: ds.targets, weights: ds.weights,
    async* batches(batchSize, shuffle, generator) {
      for (const idx of batchIndices(ds.samples, batchSize, shuffle, generator)) yield mixedBatch(ds, idx);
    },
  };
}

/** The data as a source of batches in `layout`; `needTargets` false lets arrays come without y (predict). */
export function dataSource(where: string, data: TrainingData, layout: Layout, needTargets = true, mixedModel = false): DataSource {
  if (data == null || (typeof data !== 'object' && typeof data !== 'function')) {
    throw new ArgumentError(`${where}: data must be a dataset, arrays { x, y, layout } or a stream of batches, got ${describeValue(data)}`);
  }
  if (typeof data === 'function') return streamSource(where, data, layout, mixedModel);
  if (data instanceof MixedDataset) return mixedSource(where, data, mixedModel);
  if (mixedModel && isIterable(data)) return streamSource(where, data, layout, mixedModel);
  if (mixedModel) throw new ArgumentError(`${where}: an AdditiveRNAM reads mixed inputs: give it a MixedDataset (rnam.Preprocessing, trainTable)`);
  if ('features' in data && 'targets' in data) return datasetSource(where, data as SequenceDataset, layout, 'dataset', true);
  if ('x' in data) {
    const a = data as ArrayData;
    const hasTargets = a.y !== undefined;
    if (!hasTargets && needTargets) throw new DataError('shape', `${where}: the arrays have no y (targets)`);
    const y = a.y ?? new Float32Array(arraySamples(a));
    return datasetSource(where, fromArrays({ ...a, y } as ArrayDatasetOptions), layout, 'arrays', hasTargets);
  }
  if (isIterable(data)) return streamSource(where, data, layout, mixedModel);
  throw new ArgumentError(`${where}: data must be a dataset (features, targets), arrays { x, y, layout } or a stream of batches; got an object with keys ${Object.keys(data).join(', ') || '(none)'}`);
}
