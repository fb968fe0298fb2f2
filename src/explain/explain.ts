// rnam.explain: what a trained additive model learned, from its own additive structure: the
// intercept, each term's global importance, its shape function, and any sample's prediction split
// term by term. One convention everywhere: centered contributions plus an intercept that sums to
// the model's output (the logit for classification), in the target's units for regression.
import type { SequenceDataset } from '../data/dataset.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import type { Scale, Standardizer } from '../data/standardize.js';
import type { Describable } from '../nn/describe.js';
import type { Module } from '../nn/module.js';
import { ArgumentError } from '../errors.js';
import { checkAdditiveModel, checkExplainDataset, checkExplainOptions, resolveTask } from './check.js';
import { predict, targetOffsetsOf } from '../train/predict.js';
import type { TrainingData } from '../train/data-source.js';
import type { TrainableModel } from '../train/model-info.js';
import { termImportance } from './importance.js';
import { shapeFunctions, type MemberContributions } from './shapes.js';
import { memberContributions } from './members.js';
import { localExplanation } from './local.js';
import { centerContributions, toTargetUnits, type Centered } from './center.js';
import type { ExplainOptions, ExplainTask, Explanation } from './types.js';

interface Described {
  featureNames?: readonly string[];
  targetNames?: readonly string[];
  standardizer?: Standardizer;
}

function outputNames(task: ExplainTask, outDim: number, targetNames: readonly string[] | undefined): string[] {
  if (task === 'multiclass') return Array.from({ length: outDim }, (_, k) => `class ${k}`);
  if (targetNames && targetNames.length === outDim) return [...targetNames];
  return Array.from({ length: outDim }, (_, k) => `output ${k}`);
}

/** The feature scales of a standardized dataset, matched to its features by name. */
function featureScales(featureNames: readonly string[], standardizer: Standardizer | undefined): Scale[] | undefined {
  const scales = standardizer?.features;
  if (!scales) return undefined;
  return featureNames.map((name) => {
    const s = scales.find((f) => f.name === name);
    if (!s) throw new ArgumentError(`explain: the dataset's standardizer has no scale for feature '${name}'`);
    return s;
  });
}

/**
 * Explains `model` (an additive model: FirstOrderRNAM or any model whose describe().additive is set)
 * on `data` (a SequenceDataset or SeriesDataset of its terms): runs the model once over every sample,
 * without gradients, on the model's device.
 */
export async function explain(model: Module & Describable, data: SequenceDataset | MixedDataset, options: ExplainOptions = {}): Promise<Explanation> {
  const d = checkAdditiveModel(model);
  checkExplainDataset(d, data);
  const { terms } = d.additive, outDim = d.outputs;
  const settings = checkExplainOptions(options, terms, outDim);
  const task = resolveTask(d, data, options.task);
  const described = data as (SequenceDataset | MixedDataset) & Described;
  const featureNames = described.featureNames ? [...described.featureNames] : Array.from({ length: terms }, (_, t) => `term_${t}`);
  // Mixed datasets keep their raw values for the x axes; series datasets are un-standardized by their scales.
  const scales = data instanceof MixedDataset ? undefined : featureScales(featureNames, described.standardizer); // checked before the model runs
  const bias = Array.from(await d.additive.intercept.toArray());
  // The model's raw outputs (logits for classification) and per-term contributions, each batch read at its lengths.
  const outputs = await predict(model as unknown as TrainableModel, data, { task, batchSize: settings.batchSize });
  const raw = outputs.contributions!;
  let centered: Centered = settings.center
    ? centerContributions(raw, terms, data.samples, outDim, bias, settings.offsets)
    : { contributions: Float64Array.from(raw), offsets: Array.from({ length: terms }, () => new Array<number>(outDim).fill(0)), intercept: [...bias] };
  let predictions: Float64Array = Float64Array.from(outputs.yHat);
  const targetScale = task === 'regression' ? described.standardizer?.target : undefined;
  if (targetScale && settings.targetUnits) ({ centered, predictions } = toTargetUnits(centered, predictions, targetScale));
  const { contributions, offsets, intercept } = centered;
  // A target learned as a change: each sample's prediction starts from its last known value.
  const offsetsOfData = task === 'regression' ? targetOffsetsOf(data as TrainingData) : null;
  const from = offsetsOfData ? offsetsOfData.map((v) => (targetScale && !settings.targetUnits ? v / targetScale.std : v)) : undefined;
  if (from) for (let i = 0; i < data.samples; i++) predictions[i] += from[i];
  const members = data instanceof MixedDataset
    ? memberCurves(await memberContributions(model, data, settings.batchSize), offsets, targetScale && settings.targetUnits ? targetScale.std : 1, settings.memberOffsets) : null;
  const stored = { task, featureNames, intercept, samples: data.samples, outDim, predictions, contributions, ...(from ? { from } : {}) };
  return {
    ...stored, bias, centered: settings.center, offsets,
    outputNames: settings.outputNames ?? outputNames(task, outDim, described.targetNames),
    importance: termImportance(contributions, featureNames, data.samples, outDim),
    shapes: shapeFunctions(data, contributions, outDim, featureNames, { ...settings, scales }, members),
    ...(targetScale ? { targetScale, targetUnits: settings.targetUnits } : {}),
    local: (sample, localOptions) => localExplanation(stored, sample, localOptions),
  };
}

/**
 * Each member's contributions in the explanation's convention, so that their mean over the members
 * is the explanation's (centered) contributions and their spread is the members' disagreement. With
 * `own` (each member's training centering, raw units), each member is centered on its own training
 * mean, as the ensemble is on its. Without, each member's own mean over these samples is taken out
 * and the members' common mean put back, less the explanation's offset (in the units of `offsets`,
 * so times `unit` for a regression target in its units): the spread is then that of the members'
 * shapes alone.
 */
function memberCurves(each: { members: number; outDim: number; values: Float32Array } | null, offsets: number[][], unit: number, own: number[][][] | null): MemberContributions | null {
  if (!each) return null;
  const { members: M, outDim } = each, T = offsets.length, n = each.values.length / (T * M * outDim);
  if (own && own[0].length !== M) throw new ArgumentError(`explain: memberOffsets has ${own[0].length} members for a model of ${M}`);
  // Each member's curve is (its values - centre) * unit - base: centre its own training mean (own),
  // or its mean over these samples less the members' common mean, then less the explanation's offset.
  const centre = new Float64Array(T * M * outDim);
  for (let t = 0; t < T; t++) for (let k = 0; k < outDim; k++) {
    if (own) {
      for (let m = 0; m < M; m++) centre[(t * M + m) * outDim + k] = own[t][m][k];
      continue;
    }
    let common = 0;
    for (let m = 0; m < M; m++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += each.values[((t * M + m) * n + i) * outDim + k];
      centre[(t * M + m) * outDim + k] = s / n;
      common += s / n / M;
    }
    for (let m = 0; m < M; m++) centre[(t * M + m) * outDim + k] -= common;
  }
  const out = new Float64Array(each.values.length);
  for (let t = 0; t < T; t++) for (let m = 0; m < M; m++) for (let k = 0; k < outDim; k++) {
    const c = centre[(t * M + m) * outDim + k], base = own ? 0 : offsets[t][k];
    for (let i = 0; i < n; i++) {
      const at = ((t * M + m) * n + i) * outDim + k;
      out[at] = (each.values[at] - c) * unit - base;
    }
  }
  return { members: M, contributions: out };
}
