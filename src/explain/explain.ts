// rnam.explain: what a trained RNAM learned, from its own additive structure: the intercept, each
// term's global importance, its shape function, and any sample's prediction split term by term.
import type { FirstOrderRNAM } from '../nn/rnam.js';
import type { SequenceDataset } from '../data/dataset.js';
import type { Scale, Standardizer } from '../data/standardize.js';
import { ArgumentError } from '../errors.js';
import { checkAdditiveModel, checkExplainDataset, checkExplainOptions, resolveTask } from './check.js';
import { predict } from '../train/predict.js';
import { termImportance } from './importance.js';
import { shapeFunctions } from './shapes.js';
import { localExplanation } from './local.js';
import { centerContributions } from './center.js';
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
 * Explains `model` on `data` (a SequenceDataset or a SeriesDataset of the model's terms): runs the
 * model once over every sample, without gradients, on the model's device.
 */
export async function explain(model: FirstOrderRNAM, data: SequenceDataset, options: ExplainOptions = {}): Promise<Explanation> {
  checkAdditiveModel(model);
  checkExplainDataset(model, data);
  const settings = checkExplainOptions(options);
  const task = resolveTask(model, data, options.task);
  const { terms, outDim } = model.options;
  const described = data as SequenceDataset & Described;
  const featureNames = described.featureNames ? [...described.featureNames] : Array.from({ length: terms }, (_, t) => `term_${t}`);
  const scales = featureScales(featureNames, described.standardizer); // checked before the model runs
  const bias = Array.from(await model.gam.bias.toArray());
  // The model's raw outputs (logits for classification) and per-term contributions, each batch read at its lengths.
  const outputs = await predict(model, data, { task, batchSize: settings.batchSize });
  const predictions = outputs.yHat, raw = outputs.contributions!;
  const { contributions, offsets, intercept } = settings.center
    ? centerContributions(raw, terms, data.samples, outDim, bias)
    : { contributions: Float64Array.from(raw), offsets: Array.from({ length: terms }, () => new Array<number>(outDim).fill(0)), intercept: [...bias] };
  const stored = { task, featureNames, intercept, samples: data.samples, outDim, predictions, contributions };
  return {
    ...stored, bias, centered: settings.center, offsets,
    outputNames: outputNames(task, outDim, described.targetNames),
    importance: termImportance(contributions, featureNames, data.samples, outDim),
    shapes: shapeFunctions(data, contributions, outDim, featureNames, { ...settings, scales }),
    ...(described.standardizer?.target ? { targetScale: described.standardizer.target } : {}),
    local: (sample, localOptions) => localExplanation(stored, sample, localOptions),
  };
}
