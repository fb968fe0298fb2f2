// Per-feature standardization fitted on the training split only, kept as plain JSON so it can be
// stored with a model and applied to new data (or inverted on predictions).
import { DataError } from './errors.js';

export interface Scale {
  readonly name: string;
  readonly mean: number;
  /** The population standard deviation; 1 for a constant column (which then maps to 0). */
  readonly std: number;
}

/** What was applied to a dataset: JSON.stringify / JSON.parse keep it whole. */
export interface Standardizer {
  readonly features?: readonly Scale[];
  readonly target?: Scale;
}

/** Running mean and variance (Welford), NaN skipped: one pass, so streams can be fitted too. */
export class ScaleAccumulator {
  count = 0;
  private mean = 0;
  private m2 = 0;

  add(v: number): void {
    if (Number.isNaN(v)) return;
    this.count++;
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
  }

  scale(name: string): Scale {
    if (this.count === 0) throw new DataError('missing-value', 'no observed value in the training split to standardize with', { column: name });
    const std = Math.sqrt(this.m2 / this.count);
    // A constant column (std 0, or rounding noise around it) is centred only, not divided by ~0.
    return { name, mean: this.mean, std: std > 1e-12 * Math.max(1, Math.abs(this.mean)) ? std : 1 };
  }
}

export function standardizeValue(v: number, s: Scale): number {
  return (v - s.mean) / s.std;
}

/** Predictions back in the target's units: y * std + mean (in place; returns `values`). */
export function unstandardizeTarget(values: Float32Array, standardizer: Standardizer): Float32Array {
  const t = standardizer.target;
  if (!t) return values;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * t.std + t.mean;
  return values;
}

/** Checks a standardizer read back from JSON against the feature names it is applied to. */
export function checkStandardizer(s: Standardizer, featureNames: readonly string[], targetName?: string): void {
  if (s.features) {
    const names = s.features.map((f) => f.name);
    if (names.join('\u0000') !== featureNames.join('\u0000')) {
      throw new DataError('option', `the standardizer was fitted on features [${names.join(', ')}], the data has [${featureNames.join(', ')}]`);
    }
    for (const f of s.features) {
      if (!Number.isFinite(f.mean) || !(f.std > 0)) throw new DataError('option', `the standardizer's scale is invalid (mean ${f.mean}, std ${f.std})`, { column: f.name });
    }
  }
  if (s.target && targetName !== undefined && s.target.name !== targetName) {
    throw new DataError('option', `the standardizer was fitted on target '${s.target.name}', the data's target is '${targetName}'`);
  }
}
