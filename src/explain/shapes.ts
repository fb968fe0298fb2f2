// Each term's shape function as data: every sample's (input summary, contribution) and a binned
// curve through them (quantile bins: equal sample counts, so sparse tails do not make empty bins).
import type { SequenceDataset } from '../data/dataset.js';
import { MixedDataset } from '../data/mixed-dataset.js';
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

/**
 * The x of every sample on term t of a mixed dataset, in the data's units: a sequence feature's
 * observed values summarized (NaN when it was never observed in the sample), a static value (NaN when
 * missing), a categorical feature's level index.
 */
export function mixedTermSummaries(ds: MixedDataset, t: number, settings: ShapeSettings): Float64Array {
  const n = ds.samples, xs = new Float64Array(n);
  if (t < ds.sequenceTerms) {
    for (let i = 0; i < n; i++) {
      const start = (t * n + i) * ds.seq, len = ds.lengths[i];
      let last = NaN, sum = 0, count = 0, ema = NaN;
      for (let k = 0; k < len; k++) {
        const v = ds.rawSequence[start + k];
        if (Number.isNaN(v)) continue;
        last = v;
        sum += v;
        count++;
        ema = Number.isNaN(ema) ? v : settings.emaAlpha * v + (1 - settings.emaAlpha) * ema;
      }
      // A time-varying level has no mean: its x is the last observed level.
      const levels = t >= ds.sequenceTerms - ds.sequenceLevels.length;
      xs[i] = settings.summary === 'last' || levels ? last : settings.summary === 'mean' ? (count ? sum / count : NaN) : ema;
    }
  } else if (t < ds.sequenceTerms + ds.staticTerms) {
    xs.set(ds.rawStatics.subarray((t - ds.sequenceTerms) * n, (t - ds.sequenceTerms + 1) * n));
  } else {
    const c = t - ds.sequenceTerms - ds.staticTerms;
    for (let i = 0; i < n; i++) xs[i] = ds.categorical[c * n + i];
  }
  return xs;
}

/** Per level (x = its index), the mean contribution of the samples at that level. */
function levelBins(xs: ArrayLike<number>, ys: ArrayLike<number>, levels: number, output: number): ShapeBin[] {
  const sum = new Float64Array(levels), count = new Int32Array(levels);
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) continue; // never observed in the sample
    sum[xs[i]] += ys[i];
    count[xs[i]]++;
  }
  const out: ShapeBin[] = [];
  for (let l = 0; l < levels; l++) if (count[l] > 0) out.push({ output, x0: l, x1: l, x: l, contribution: sum[l] / count[l], count: count[l] });
  return out;
}

/** Mean x and mean contribution of samples sorted by x, cut into `bins` groups of (nearly) equal size; samples without an x (NaN) are left out. */
export function quantileBins(allXs: ArrayLike<number>, allYs: ArrayLike<number>, bins: number, output: number): ShapeBin[] {
  const kept = Array.from({ length: allXs.length }, (_, i) => i).filter((i) => !Number.isNaN(allXs[i]));
  const xs = kept.map((i) => allXs[i]), ys = kept.map((i) => allYs[i]);
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

export function shapeFunctions(ds: SequenceDataset | MixedDataset, contributions: ArrayLike<number>, outDim: number, featureNames: readonly string[], settings: ShapeSettings): ShapeFunction[] {
  const mixed = ds instanceof MixedDataset ? ds : null;
  return featureNames.map((feature, t) => {
    const xs = mixed ? mixedTermSummaries(mixed, t, settings) : termSummaries(ds as SequenceDataset, t, settings);
    const firstLevels = mixed ? mixed.sequenceTerms - mixed.sequenceLevels.length : 0;
    const categorical = !mixed ? null
      : t >= mixed.sequenceTerms + mixed.staticTerms ? mixed.levels[t - mixed.sequenceTerms - mixed.staticTerms]
        : t >= firstLevels && t < mixed.sequenceTerms ? mixed.sequenceLevels[t - firstLevels] : null;
    const points: ShapePoint[] = [], bins: ShapeBin[] = [];
    for (let k = 0; k < outDim; k++) {
      const ys = Float64Array.from({ length: ds.samples }, (_, n) => contributions[(t * ds.samples + n) * outDim + k]);
      for (let n = 0; n < ds.samples; n++) points.push({ sample: n, output: k, x: xs[n], contribution: ys[n] });
      for (const b of categorical ? levelBins(xs, ys, categorical.length, k) : quantileBins(xs, ys, settings.bins, k)) bins.push(b);
    }
    points.sort((a, b) => a.sample - b.sample || a.output - b.output);
    return {
      feature, term: t, summary: settings.summary, ...(settings.summary === 'ema' ? { emaAlpha: settings.emaAlpha } : {}),
      originalUnits: mixed !== null || settings.scales !== undefined, points, bins,
      ...(mixed ? { kind: categorical ? 'categorical' as const : t < mixed.sequenceTerms ? 'sequence' as const : 'static' as const } : {}),
      ...(categorical ? { levels: [...categorical] } : {}),
    };
  });
}
