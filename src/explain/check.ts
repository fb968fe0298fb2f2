// What explain() needs, checked before any model run: an additive model (describe().additive), a
// dataset of its terms, and options that make sense; each failure a typed error naming what and where.
import { isDescribable, type ModelDescription } from '../nn/describe.js';
import { checkDataset, type SequenceDataset } from '../data/dataset.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import { ArgumentError, ShapeError, describeValue } from '../errors.js';
import { resolveTask as resolveTaskByRule } from '../train/task.js';
import type { ExplainOptions, ExplainTask } from './types.js';

export type AdditiveDescription = ModelDescription & { additive: NonNullable<ModelDescription['additive']> };

export function checkAdditiveModel(model: unknown): AdditiveDescription {
  const d = isDescribable(model) ? model.describe() : null;
  if (!d?.additive) {
    const what = model === null || typeof model !== 'object' ? describeValue(model) : (d?.kind ?? model.constructor?.name ?? 'an object');
    throw new ArgumentError(`explain: the model is not additive (its describe().additive is null), so it has no per-term contributions; explanations need an additive model such as FirstOrderRNAM, got ${what}`);
  }
  return d as AdditiveDescription;
}

export function checkExplainDataset(d: AdditiveDescription, ds: SequenceDataset | MixedDataset): void {
  if (ds instanceof MixedDataset) {
    if (ds.terms !== d.additive.terms) throw new ShapeError(`explain: the dataset has ${ds.terms} terms (features), the ${d.kind} has ${d.additive.terms}`);
    if (ds.samples < 1) throw new ShapeError('explain: the dataset has no sample');
    return;
  }
  if (ds === null || typeof ds !== 'object' || !(ds.features instanceof Float32Array)) {
    throw new ArgumentError(`explain: data must be a SequenceDataset or SeriesDataset, got ${describeValue(ds)}`);
  }
  try {
    checkDataset(ds, 'explain');
  } catch (err) {
    throw new ShapeError((err as Error).message, { cause: err });
  }
  const { terms } = d.additive;
  if (ds.terms !== terms) throw new ShapeError(`explain: the dataset has ${ds.terms} terms (features), the ${d.kind} has ${terms}`);
  if (ds.featureDim !== 1) throw new ShapeError(`explain: the RNAM reads one value per term and step (featureDim 1), the dataset has featureDim ${ds.featureDim}`);
  if (ds.samples < 1) throw new ShapeError('explain: the dataset has no sample');
  const names = (ds as { featureNames?: readonly string[] }).featureNames;
  if (names && names.length !== terms) throw new ShapeError(`explain: the dataset names ${names.length} features for ${terms} terms`);
}

/** The task: asked for (and checked against the model's outputs), or the one rule of train/task.ts over the model and the data. */
export function resolveTask(d: ModelDescription, ds: SequenceDataset | MixedDataset, asked: ExplainTask | undefined): ExplainTask {
  const outDim = d.outputs;
  if (asked !== undefined) {
    if (asked === 'binary' && outDim !== 1) throw new ArgumentError(`explain: task 'binary' needs a model with one output (a logit), this one has ${outDim}`);
    if (asked === 'multiclass' && outDim < 2) throw new ArgumentError(`explain: task 'multiclass' needs a model with one output per class (>= 2), this one has ${outDim}`);
  }
  const hint = (ds as { task?: { kind: 'binary' | 'integer' | 'continuous'; classes?: number } }).task ?? null;
  // A dataset without a hint (the seed's arrays) still says multiclass through its single target column.
  const classHint = hint ?? (outDim > 1 && ds.outDim === 1 ? { kind: 'integer' as const, classes: outDim } : null);
  return resolveTaskByRule('explain', asked, classHint, { outputs: outDim, dataOutDim: ds.outDim });
}

export function checkExplainOptions(o: ExplainOptions, terms: number, outDim: number): Required<Omit<ExplainOptions, 'task' | 'offsets' | 'memberOffsets' | 'outputNames'>> & { offsets: number[][] | null; memberOffsets: number[][][] | null; outputNames: string[] | null } {
  const center = o.center ?? true;
  if (typeof center !== 'boolean') throw new ArgumentError(`explain: center must be true or false, got ${describeValue(center)}`);
  const summary = o.summary ?? 'last', emaAlpha = o.emaAlpha ?? 0.05, bins = o.bins ?? 20, batchSize = o.batchSize ?? 128;
  const targetUnits = o.targetUnits ?? true;
  if (summary !== 'last' && summary !== 'mean' && summary !== 'ema') throw new ArgumentError(`explain: summary must be 'last', 'mean' or 'ema', got ${describeValue(summary)}`);
  if (!(emaAlpha > 0 && emaAlpha <= 1)) throw new ArgumentError(`explain: emaAlpha must lie in (0, 1], got ${describeValue(emaAlpha)}`);
  if (!Number.isInteger(bins) || bins < 1) throw new ArgumentError(`explain: bins must be a positive integer, got ${describeValue(bins)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`explain: batchSize must be a positive integer, got ${describeValue(batchSize)}`);
  if (typeof targetUnits !== 'boolean') throw new ArgumentError(`explain: targetUnits must be true or false, got ${describeValue(targetUnits)}`);
  const offsets = o.offsets ?? null;
  if (offsets !== null) {
    if (!center) throw new ArgumentError('explain: offsets are a centering; they need center: true');
    const ok = Array.isArray(offsets) && offsets.length === terms
      && offsets.every((row) => Array.isArray(row) && row.length === outDim && row.every((v) => typeof v === 'number' && Number.isFinite(v)));
    if (!ok) throw new ArgumentError(`explain: offsets must be ${terms} rows (terms) of ${outDim} finite numbers (outputs)`);
  }
  const memberOffsets = o.memberOffsets ?? null;
  if (memberOffsets !== null) {
    if (offsets === null) throw new ArgumentError('explain: memberOffsets are the members\' centering; they need the ensemble\'s offsets');
    const ok = Array.isArray(memberOffsets) && memberOffsets.length === terms && memberOffsets.every((term) => Array.isArray(term) && term.length === memberOffsets[0].length
      && term.every((row) => Array.isArray(row) && row.length === outDim && row.every((v) => typeof v === 'number' && Number.isFinite(v))));
    if (!ok) throw new ArgumentError(`explain: memberOffsets must be ${terms} terms of one row per member of ${outDim} finite numbers (outputs)`);
  }
  const outputNames = o.outputNames ?? null;
  if (outputNames !== null && !(Array.isArray(outputNames) && outputNames.length === outDim && outputNames.every((n) => typeof n === 'string'))) {
    throw new ArgumentError(`explain: outputNames must be ${outDim} strings (one per output), got ${describeValue(outputNames)}`);
  }
  return { center, summary, emaAlpha, bins, batchSize, targetUnits, offsets, memberOffsets, outputNames: outputNames && [...outputNames] };
}
