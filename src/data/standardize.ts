// Per-feature standardization fitted on the training split only, kept as plain JSON so it can be
// stored with a model and applied to new data (or inverted on predictions).
import { DataError } from './errors.js';

export interface Scale {
  readonly name: string;
  readonly mean: number;
  /** The population standard deviation; 1 for a constant column (which then maps to 0). */
  readonly std: number;
  /**
   * True when the column is read as log(1 + value) before centring (mean and std are then the log's):
   * a heavily right-skewed, non-negative column (a lab such as bilirubin), so a few extreme values
   * neither saturate the model's inputs nor dominate its linear paths.
   */
  readonly log?: true;
}

/** Skewness above which a non-negative column is read on the log scale (when that at least halves it). */
export const LOG_SKEWNESS = 2;

/** What was applied to a dataset: JSON.stringify / JSON.parse keep it whole. */
export interface Standardizer {
  readonly features?: readonly Scale[];
  readonly target?: Scale;
}

/** Running mean, variance and third moment (Welford, Terriberry), NaN skipped: one pass. */
class Moments {
  count = 0;
  mean = 0;
  m2 = 0;
  m3 = 0;

  add(v: number): void {
    const n1 = this.count;
    this.count++;
    const d = v - this.mean, dn = d / this.count;
    this.m3 += d * dn * dn * n1 * (this.count - 2) - 3 * dn * this.m2;
    this.mean += dn;
    this.m2 += d * (v - this.mean);
  }

  get skewness(): number {
    return this.m2 > 0 ? (Math.sqrt(this.count) * this.m3) / this.m2 ** 1.5 : 0;
  }
}

/**
 * Running scale of a column, NaN skipped: one pass, so streams can be fitted too. With `logSkewed`,
 * it also follows log(1 + value) while every value is non-negative, to choose the log scale for a
 * heavily right-skewed column.
 */
export class ScaleAccumulator {
  private readonly raw = new Moments();
  private readonly logged: Moments | null;

  constructor({ logSkewed = false }: { logSkewed?: boolean } = {}) {
    this.logged = logSkewed ? new Moments() : null;
  }

  get count(): number {
    return this.raw.count;
  }

  add(v: number): void {
    if (Number.isNaN(v)) return;
    this.raw.add(v);
    if (this.logged && v >= 0) this.logged.add(Math.log1p(v));
  }

  /** The raw skewness when the column is read on the log scale, else undefined. */
  get logSkewness(): number | undefined {
    const raw = this.raw, logged = this.logged;
    if (!logged || logged.count !== raw.count || raw.count < 3) return undefined;
    const skew = raw.skewness;
    return skew > LOG_SKEWNESS && Math.abs(logged.skewness) < skew / 2 ? skew : undefined;
  }

  scale(name: string): Scale {
    if (this.count === 0) throw new DataError('missing-value', 'no observed value in the training split to standardize with', { column: name });
    const log = this.logSkewness !== undefined;
    const m = log ? this.logged! : this.raw;
    const std = Math.sqrt(m.m2 / m.count);
    // A constant column (std 0, or rounding noise around it) is centred only, not divided by ~0.
    return { name, mean: m.mean, std: std > 1e-12 * Math.max(1, Math.abs(m.mean)) ? std : 1, ...(log ? { log: true as const } : {}) };
  }
}

export function standardizeValue(v: number, s: Scale): number {
  return ((s.log ? logScale(v) : v) - s.mean) / s.std;
}

/** A standardized value back in the column's units. */
export function unstandardizeValue(v: number, s: Scale): number {
  const u = v * s.std + s.mean;
  return s.log ? (u >= 0 ? Math.expm1(u) : u) : u;
}

/** log(1 + v), continued linearly below 0 (a value under the training range stays finite and ordered). */
function logScale(v: number): number {
  return v >= 0 ? Math.log1p(v) : v;
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
