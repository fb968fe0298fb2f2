// A shape function as the page draws it (in the worker): a time-varying or static term's samples,
// thinned, and its binned curve, with a band where the explanation gives a spread per bin; a
// categorical term's mean contribution per level.
import type * as rnam from 'rnam';
import type { ShapeCurve } from './protocol.js';

/** Up to this many points per shape function go to the page (sorted by x, evenly thinned). */
const SHAPE_POINTS = 240;

/**
 * A bin's spread when the explanation gives one (across ensemble members): lower and upper edges, or
 * an sd around its contribution. Explanations without it draw no band.
 */
function spread(bin: rnam.ShapeBin): { lower: number; upper: number } | null {
  const b = bin as rnam.ShapeBin & { lower?: unknown; upper?: unknown; sd?: unknown };
  if (typeof b.lower === 'number' && typeof b.upper === 'number') return { lower: b.lower, upper: b.upper };
  if (typeof b.sd === 'number' && Number.isFinite(b.sd)) return { lower: b.contribution - b.sd, upper: b.contribution + b.sd };
  return null;
}

export function shapeCurve(s: rnam.ShapeFunction, output = 0): ShapeCurve {
  const bins = s.bins.filter((b) => b.output === output);
  const spreads = bins.map(spread);
  const kind = s.kind ?? 'sequence';
  if (kind === 'categorical') {
    return {
      feature: s.feature, kind, x: [], contribution: [], curveX: [], curve: [],
      levels: bins.map((b, i) => ({ level: s.levels?.[b.x] ?? String(b.x), contribution: b.contribution, count: b.count, ...(spreads[i] ?? {}) })),
    };
  }
  const sorted = s.points.filter((p) => p.output === output && !Number.isNaN(p.x)).sort((a, b) => a.x - b.x);
  const step = Math.max(1, sorted.length / SHAPE_POINTS);
  const picked = Array.from({ length: Math.min(SHAPE_POINTS, sorted.length) }, (_, i) => sorted[Math.floor(i * step)]);
  const band = spreads.every((b) => b !== null) && spreads.length > 0 ? { lower: spreads.map((b) => b!.lower), upper: spreads.map((b) => b!.upper) } : undefined;
  return {
    feature: s.feature, kind, x: picked.map((p) => p.x), contribution: picked.map((p) => p.contribution),
    curveX: bins.map((b) => b.x), curve: bins.map((b) => b.contribution), ...(band ? { band } : {}),
    ...(s.logAxis ? { logAxis: true } : {}),
  };
}
