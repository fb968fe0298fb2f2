// Prediction intervals by conformal calibration: prediction ± the ceil((n + 1) * coverage)-th smallest
// of n absolute residuals the model did not train on. Panels and tables use one width for every sample
// (their samples are exchangeable). A series drifts, so in window mode the width rolls: each series
// starts from the saved calibration residuals, and every target that becomes known (horizon steps after
// its window) replaces the oldest residual, so the width follows the recent errors of that series.
import type { PredictionIntervals } from './report.js';
import type { TableOutputs } from './outputs.js';

/** The conformal half width from residuals sorted ascending; Infinity when there are too few for the coverage. */
export function conformalWidth(sorted: readonly number[], coverage: number): number {
  const rank = Math.ceil((sorted.length + 1) * coverage);
  return rank > sorted.length ? Infinity : sorted[rank - 1];
}

/**
 * The interval's half-width as reports say it: the number, or, where too few residuals were held out
 * for the coverage (the width is then unbounded), how many there were and how many it needs.
 */
export function describeHalfWidth(iv: Pick<PredictionIntervals, 'halfWidth' | 'coverage' | 'calibrationSamples'>, format: (v: number) => string): string {
  if (Number.isFinite(iv.halfWidth)) return `± ${format(iv.halfWidth)}`;
  let need = iv.calibrationSamples + 1;
  while (Math.ceil((need + 1) * iv.coverage) > need) need++;
  return `unbounded (${iv.calibrationSamples} held-out residuals; ${(iv.coverage * 100).toFixed(0)}% coverage needs at least ${need})`;
}

/** Intervals from held-out absolute residuals; `recent` (window mode) keeps them in time order for rolling. */
export function calibrate(residuals: readonly number[], coverage: number, rolling: boolean): PredictionIntervals | undefined {
  if (residuals.length === 0) return undefined;
  const sorted = [...residuals].sort((a, b) => a - b);
  return { coverage, halfWidth: conformalWidth(sorted, coverage), calibrationSamples: residuals.length, ...(rolling ? { recent: [...residuals] } : {}) };
}

/** A multiset of the latest residuals kept sorted, the oldest dropped first. */
class RecentResiduals {
  private readonly order: number[];
  private readonly sorted: number[];

  constructor(initial: readonly number[]) {
    this.order = [...initial];
    this.sorted = [...initial].sort((a, b) => a - b);
  }

  push(r: number): void {
    const old = this.order.shift()!;
    this.order.push(r);
    this.sorted.splice(lowerBound(this.sorted, old), 1);
    this.sorted.splice(lowerBound(this.sorted, r), 0, r);
  }

  width(coverage: number): number {
    return conformalWidth(this.sorted, coverage);
  }
}

function lowerBound(xs: readonly number[], v: number): number {
  let lo = 0, hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Each sample's half width. Window mode with `recent`: samples of a series come one per step in time
 * order, so sample k's target is known from sample k + horizon on; its residual then joins the series'
 * calibration set. Otherwise the saved width for all.
 */
export function halfWidths(iv: PredictionIntervals, o: Pick<TableOutputs, 'samples' | 'ids' | 'prediction' | 'targets'>, horizon: number | undefined): Float64Array {
  const widths = new Float64Array(o.samples).fill(iv.halfWidth);
  if (!iv.recent?.length || horizon === undefined) return widths;
  let start = 0;
  while (start < o.samples) {
    let end = start;
    while (end < o.samples && o.ids[end] === o.ids[start]) end++;
    const recent = new RecentResiduals(iv.recent);
    for (let k = start; k < end; k++) {
      const known = k - Math.max(1, horizon);
      if (known >= start && !Number.isNaN(o.targets[known])) recent.push(Math.abs(o.prediction[known] - o.targets[known]));
      widths[k] = recent.width(iv.coverage);
    }
    start = end;
  }
  return widths;
}

/** The share of samples with a known target inside prediction ± width (NaN when none is known). */
export function intervalCoverage(o: Pick<TableOutputs, 'samples' | 'prediction' | 'targets'>, widths: Float64Array): number {
  let inside = 0, known = 0;
  for (let i = 0; i < o.samples; i++) {
    if (Number.isNaN(o.targets[i])) continue;
    known++;
    if (Math.abs(o.prediction[i] - o.targets[i]) <= widths[i]) inside++;
  }
  return known ? inside / known : NaN;
}
