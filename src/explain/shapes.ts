// Each term's shape function as data: every sample's (input summary, contribution) and a binned
// curve through them (quantile bins: equal sample counts, so sparse tails do not make empty bins).
import type { SequenceDataset } from '../data/dataset.js';
import type { Scale } from '../data/standardize.js';
import { summarizeSequence } from './summary.js';
import type { SequenceSummary, ShapeBin, ShapeFunction, ShapePoint } from './types.js';

export interface ShapeSettings {
  summary: SequenceSummary;
  emaAlpha: number;
  bins: number;
  /** Per term, when the dataset's features were standardized. */
  scales?: readonly Scale[];
}

/** The summary of every sample's sequence of term t. */
export function termSummaries(ds: SequenceDataset, t: number, settings: ShapeSettings): Float64Array {
  const xs = new Float64Array(ds.samples);
  for (let n = 0; n < ds.samples; n++) {
    const length = ds.lengths ? ds.lengths[n] : ds.seq;
    xs[n] = summarizeSequence(ds.features, (t * ds.samples + n) * ds.seq, length, settings.summary, settings.emaAlpha, settings.scales?.[t]);
  }
  return xs;
}

/** Mean x and mean contribution of samples sorted by x, cut into `bins` groups of (nearly) equal size. */
export function quantileBins(xs: ArrayLike<number>, ys: ArrayLike<number>, bins: number, output: number): ShapeBin[] {
  const n = xs.length, order = Array.from({ length: n }, (_, i) => i).sort((a, b) => xs[a] - xs[b] || a - b);
  const count = Math.min(bins, n), out: ShapeBin[] = [];
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * n) / count), to = Math.floor(((b + 1) * n) / count);
    let sx = 0, sy = 0;
    for (let i = from; i < to; i++) {
      sx += xs[order[i]];
      sy += ys[order[i]];
    }
    out.push({ output, x0: xs[order[from]], x1: xs[order[to - 1]], x: sx / (to - from), contribution: sy / (to - from), count: to - from });
  }
  return out;
}

export function shapeFunctions(ds: SequenceDataset, contributions: ArrayLike<number>, outDim: number, featureNames: readonly string[], settings: ShapeSettings): ShapeFunction[] {
  return featureNames.map((feature, t) => {
    const xs = termSummaries(ds, t, settings);
    const points: ShapePoint[] = [], bins: ShapeBin[] = [];
    for (let k = 0; k < outDim; k++) {
      const ys = Float64Array.from({ length: ds.samples }, (_, n) => contributions[(t * ds.samples + n) * outDim + k]);
      for (let n = 0; n < ds.samples; n++) points.push({ sample: n, output: k, x: xs[n], contribution: ys[n] });
      for (const b of quantileBins(xs, ys, settings.bins, k)) bins.push(b);
    }
    points.sort((a, b) => a.sample - b.sample || a.output - b.output);
    return {
      feature, term: t, summary: settings.summary, ...(settings.summary === 'ema' ? { emaAlpha: settings.emaAlpha } : {}),
      originalUnits: settings.scales !== undefined, points, bins,
    };
  });
}
