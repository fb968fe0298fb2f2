// What explain() needs, checked before any model run: an additive model, a dataset of its terms, and
// options that make sense; each failure a typed error naming what and where.
import { AdditiveLayer, FirstOrderRNAM } from '../nn/rnam.js';
import { checkDataset, type SequenceDataset } from '../data/dataset.js';
import { ArgumentError, ShapeError, describeValue } from '../errors.js';
import type { ExplainOptions, ExplainTask } from './types.js';

export function checkAdditiveModel(model: unknown): asserts model is FirstOrderRNAM {
  const gam = (model as { gam?: unknown } | null)?.gam;
  if (!(model instanceof FirstOrderRNAM) || !(gam instanceof AdditiveLayer)) {
    const what = model === null || typeof model !== 'object' ? describeValue(model) : (model.constructor?.name ?? 'an object');
    throw new ArgumentError(`explain: the model has no additive layer (model.gam, an AdditiveLayer), so it has no per-term contributions; explanations need a FirstOrderRNAM, got ${what}`);
  }
}

export function checkExplainDataset(model: FirstOrderRNAM, ds: SequenceDataset): void {
  if (ds === null || typeof ds !== 'object' || !(ds.features instanceof Float32Array)) {
    throw new ArgumentError(`explain: data must be a SequenceDataset or SeriesDataset, got ${describeValue(ds)}`);
  }
  try {
    checkDataset(ds, 'explain');
  } catch (err) {
    throw new ShapeError((err as Error).message, { cause: err });
  }
  const { terms } = model.options;
  if (ds.terms !== terms) throw new ShapeError(`explain: the dataset has ${ds.terms} terms (features), ${model.toString()} has ${terms}`);
  if (ds.featureDim !== 1) throw new ShapeError(`explain: the RNAM reads one value per term and step (featureDim 1), the dataset has featureDim ${ds.featureDim}`);
  if (ds.samples < 1) throw new ShapeError('explain: the dataset has no sample');
  const names = (ds as { featureNames?: readonly string[] }).featureNames;
  if (names && names.length !== terms) throw new ShapeError(`explain: the dataset names ${names.length} features for ${terms} terms`);
}

/** The task: asked for (and checked against the model's outputs), or read from the model and the data. */
export function resolveTask(model: FirstOrderRNAM, ds: SequenceDataset, asked: ExplainTask | undefined): ExplainTask {
  const { outDim } = model.options;
  if (asked !== undefined) {
    if (asked !== 'regression' && asked !== 'binary' && asked !== 'multiclass') {
      throw new ArgumentError(`explain: task must be 'regression', 'binary' or 'multiclass', got ${describeValue(asked)}`);
    }
    if (asked === 'binary' && outDim !== 1) throw new ArgumentError(`explain: task 'binary' needs a model with one output (a logit), this one has ${outDim}`);
    if (asked === 'multiclass' && outDim < 2) throw new ArgumentError(`explain: task 'multiclass' needs a model with one output per class (>= 2), this one has ${outDim}`);
    return asked;
  }
  if (outDim > 1 && ds.outDim === 1) return 'multiclass';
  const hint = (ds as { task?: { kind?: string } }).task;
  return outDim === 1 && hint?.kind === 'binary' ? 'binary' : 'regression';
}

export function checkExplainOptions(o: ExplainOptions): Required<Omit<ExplainOptions, 'task'>> {
  const center = o.center ?? true;
  if (typeof center !== 'boolean') throw new ArgumentError(`explain: center must be true or false, got ${describeValue(center)}`);
  const summary = o.summary ?? 'last', emaAlpha = o.emaAlpha ?? 0.05, bins = o.bins ?? 20, batchSize = o.batchSize ?? 128;
  if (summary !== 'last' && summary !== 'mean' && summary !== 'ema') throw new ArgumentError(`explain: summary must be 'last', 'mean' or 'ema', got ${describeValue(summary)}`);
  if (!(emaAlpha > 0 && emaAlpha <= 1)) throw new ArgumentError(`explain: emaAlpha must lie in (0, 1], got ${describeValue(emaAlpha)}`);
  if (!Number.isInteger(bins) || bins < 1) throw new ArgumentError(`explain: bins must be a positive integer, got ${describeValue(bins)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`explain: batchSize must be a positive integer, got ${describeValue(batchSize)}`);
  return { center, summary, emaAlpha, bins, batchSize };
}
