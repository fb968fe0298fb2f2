// One sample's prediction as intercept + per-term contributions, from the stored model outputs.
import { ArgumentError, describeValue } from '../errors.js';
import type { ExplainTask, LocalExplanation, LocalOptions } from './types.js';

export interface StoredOutputs {
  task: ExplainTask;
  featureNames: readonly string[];
  intercept: readonly number[];
  samples: number;
  outDim: number;
  predictions: ArrayLike<number>;
  contributions: ArrayLike<number>;
  /** Per sample, the last known value a target learned as a change starts from (in the predictions' units). */
  from?: ArrayLike<number>;
}

function softmax(logits: number[]): number[] {
  const top = logits.reduce((m, v) => Math.max(m, v), -Infinity), e = logits.map((v) => Math.exp(v - top)), total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}

export function localExplanation(s: StoredOutputs, sample: number, options: LocalOptions = {}): LocalExplanation {
  if (!Number.isInteger(sample) || sample < 0 || sample >= s.samples) {
    throw new ArgumentError(`explanation.local: sample must be an integer in 0..${s.samples - 1}, got ${describeValue(sample)}`);
  }
  const logits = Array.from({ length: s.outDim }, (_, k) => s.predictions[sample * s.outDim + k]);
  const predicted = logits.indexOf(logits.reduce((m, v) => Math.max(m, v), -Infinity));
  const output = options.output ?? (s.task === 'multiclass' ? predicted : 0);
  if (!Number.isInteger(output) || output < 0 || output >= s.outDim) {
    throw new ArgumentError(`explanation.local: output must be an integer in 0..${s.outDim - 1}, got ${describeValue(output)}`);
  }
  const contributions = s.featureNames.map((feature, t) => ({ feature, contribution: s.contributions[(t * s.samples + sample) * s.outDim + output] }));
  const from = s.from?.[sample];
  const base = { sample, output, contributions, intercept: s.intercept[output] + (from ?? 0), ...(from !== undefined ? { from } : {}), prediction: logits[output] };
  if (s.task === 'regression') return { ...base, scale: 'output' };
  if (s.task === 'binary') return { ...base, scale: 'logit', probability: 1 / (1 + Math.exp(-logits[output])) };
  const probabilities = softmax(logits);
  return { ...base, scale: 'logit', probability: probabilities[output], probabilities };
}
