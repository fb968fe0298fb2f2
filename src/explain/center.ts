// Centered shape functions: each term's mean contribution (per output) moves into the intercept, so
// a flat term reads 0 (not an arbitrary offset that looks important) and the intercept is the
// average prediction; intercept + contributions still equals the model's output. The means are the
// training data's when given (`offsets`, stored with a trained model), so a sample's contributions
// do not depend on which other samples it is explained with.
import type { Scale } from '../data/standardize.js';

export interface Centered {
  /** (terms, samples, outDim), each term's offset subtracted. */
  contributions: Float64Array;
  /** (terms, outDim): the means moved. */
  offsets: number[][];
  /** bias + the sum of the offsets, per output. */
  intercept: number[];
}

/** Each term's mean contribution over the samples, per output: (terms, outDim). */
export function meanContributions(raw: ArrayLike<number>, terms: number, samples: number, outDim: number): number[][] {
  return Array.from({ length: terms }, (_, t) => Array.from({ length: outDim }, (_, k) => {
    let sum = 0;
    for (let n = 0; n < samples; n++) sum += raw[(t * samples + n) * outDim + k];
    return sum / samples;
  }));
}

export function centerContributions(raw: ArrayLike<number>, terms: number, samples: number, outDim: number, bias: readonly number[], offsets: number[][] | null = null): Centered {
  const means = offsets ?? meanContributions(raw, terms, samples, outDim);
  const contributions = new Float64Array(terms * samples * outDim), intercept = [...bias];
  for (let t = 0; t < terms; t++) {
    for (let k = 0; k < outDim; k++) {
      const mean = means[t][k];
      for (let n = 0; n < samples; n++) contributions[(t * samples + n) * outDim + k] = raw[(t * samples + n) * outDim + k] - mean;
      intercept[k] += mean;
    }
  }
  return { contributions, offsets: means.map((row) => [...row]), intercept };
}

/** A regression model's outputs back in the target's units: contributions and offsets times std, the intercept times std plus the mean. */
export function toTargetUnits(c: Centered, predictions: Float64Array, scale: Scale): { centered: Centered; predictions: Float64Array } {
  return {
    centered: {
      contributions: c.contributions.map((v) => v * scale.std),
      offsets: c.offsets.map((row) => row.map((v) => v * scale.std)),
      intercept: c.intercept.map((v) => v * scale.std + scale.mean),
    },
    predictions: predictions.map((v) => v * scale.std + scale.mean),
  };
}
