// Each term's shape function as data: every sample's (input summary, contribution) and a binned
// curve through them (quantile bins: equal sample counts, so sparse tails do not make empty bins;
// one bin per level of a categorical term). For an ensemble each bin also carries the standard
// deviation of its mean contribution across the members (EBM's error bars).
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

/** Samples grouped into one bin: their indices and the bin's x range and mean x. */
interface Group {
  samples: number[];
  x0: number;
  x1: number;
  x: number;
}

/** One group per level present (x = the level's index); samples never observed (NaN) are left out. */
function levelGroups(xs: ArrayLike<number>, levels: number): Group[] {
  const members: number[][] = Array.from({ length: levels }, () => []);
  for (let i = 0; i < xs.length; i++) if (!Number.isNaN(xs[i])) members[xs[i]].push(i);
  return members.flatMap((samples, l) => (samples.length ? [{ samples, x0: l, x1: l, x: l }] : []));
}

/** Samples sorted by x, cut into `bins` groups of (nearly) equal size; samples without an x (NaN) are left out. */
function quantileGroups(allXs: ArrayLike<number>, bins: number): Group[] {
  const kept = Array.from({ length: allXs.length }, (_, i) => i).filter((i) => !Number.isNaN(allXs[i]));
  const order = kept.sort((a, b) => allXs[a] - allXs[b] || a - b);
  const n = order.length, count = Math.min(bins, n), out: Group[] = [];
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * n) / count), to = Math.floor(((b + 1) * n) / count);
    const samples = order.slice(from, to);
    let sx = 0;
    for (const i of samples) sx += allXs[i];
    out.push({ samples, x0: allXs[samples[0]], x1: allXs[samples[samples.length - 1]], x: sx / samples.length });
  }
  return out;
}

/**
 * Each ensemble member's contributions in the explanation's convention, (terms, members, samples,
 * outDim): their mean over the members is the explanation's contributions, so a bin's member means
 * average to the bin's contribution and their spread is the band.
 */
export interface MemberContributions {
  members: number;
  contributions: ArrayLike<number>;
}

/** The mean of ys over a group, and with members the standard deviation of the members' means (n - 1); null without members. */
function binOf(g: Group, ys: ArrayLike<number>, output: number, spread: ((samples: number[]) => number) | null): ShapeBin {
  let sy = 0;
  for (const i of g.samples) sy += ys[i];
  return { output, x0: g.x0, x1: g.x1, x: g.x, contribution: sy / g.samples.length, count: g.samples.length, sd: spread ? spread(g.samples) : null };
}

/** The standard deviation over the members of their mean contribution over `samples` (term t, output k). */
function memberSpread(m: MemberContributions, t: number, k: number, samples: number, outDim: number): (group: number[]) => number {
  const M = m.members, c = m.contributions;
  return (group) => {
    const means = Array.from({ length: M }, (_, j) => {
      let s = 0;
      for (const i of group) s += c[((t * M + j) * samples + i) * outDim + k];
      return s / group.length;
    });
    const mean = means.reduce((a, b) => a + b, 0) / M;
    return Math.sqrt(means.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1));
  };
}

/** Every term's shape function; `members` (an ensemble's) gives each bin its spread across the members. */
export function shapeFunctions(ds: SequenceDataset | MixedDataset, contributions: ArrayLike<number>, outDim: number, featureNames: readonly string[], settings: ShapeSettings,
  members: MemberContributions | null = null): ShapeFunction[] {
  const mixed = ds instanceof MixedDataset ? ds : null;
  return featureNames.map((feature, t) => {
    const xs = mixed ? mixedTermSummaries(mixed, t, settings) : termSummaries(ds as SequenceDataset, t, settings);
    const firstLevels = mixed ? mixed.sequenceTerms - mixed.sequenceLevels.length : 0;
    const categorical = !mixed ? null
      : t >= mixed.sequenceTerms + mixed.staticTerms ? mixed.levels[t - mixed.sequenceTerms - mixed.staticTerms]
        : t >= firstLevels && t < mixed.sequenceTerms ? mixed.sequenceLevels[t - firstLevels] : null;
    const points: ShapePoint[] = [], bins: ShapeBin[] = [], missing: Omit<ShapeBin, 'x0' | 'x1' | 'x'>[] = [];
    const without = mixed ? Array.from({ length: ds.samples }, (_, i) => i).filter((i) => Number.isNaN(xs[i])) : [];
    for (let k = 0; k < outDim; k++) {
      const ys = Float64Array.from({ length: ds.samples }, (_, n) => contributions[(t * ds.samples + n) * outDim + k]);
      for (let n = 0; n < ds.samples; n++) points.push({ sample: n, output: k, x: xs[n], contribution: ys[n] });
      const spread = members ? memberSpread(members, t, k, ds.samples, outDim) : null;
      for (const g of categorical ? levelGroups(xs, categorical.length) : quantileGroups(xs, settings.bins)) bins.push(binOf(g, ys, k, spread));
      if (without.length) {
        const { x0: _a, x1: _b, x: _c, ...bin } = binOf({ samples: without, x0: NaN, x1: NaN, x: NaN }, ys, k, spread);
        missing.push(bin);
      }
    }
    points.sort((a, b) => a.sample - b.sample || a.output - b.output);
    return {
      feature, term: t, summary: settings.summary, ...(settings.summary === 'ema' ? { emaAlpha: settings.emaAlpha } : {}),
      originalUnits: mixed !== null || settings.scales !== undefined, points, bins, members: members?.members ?? 1,
      ...(mixed ? { kind: categorical ? 'categorical' as const : t < mixed.sequenceTerms ? 'sequence' as const : 'static' as const } : {}),
      ...(categorical ? { levels: [...categorical] } : {}),
      ...(mixed?.logScaled.includes(feature) ? { logAxis: true as const } : {}),
      ...(mixed?.dates.includes(feature) ? { dateAxis: true as const } : {}),
      ...(missing.length ? { missing } : {}),
    };
  });
}
