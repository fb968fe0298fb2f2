// A series' features made ready for samples (after the missing rule): the leading gaps filled, then
// standardized, in place (once per series, however many windows read a step).
import { fillLeadingGaps } from './missing.js';
import { DataError } from './errors.js';
import { standardizeValue, type Scale } from './standardize.js';
import type { Series } from './series.js';

/** Fills the leading gaps left by carry-forward with `means` (the training means) and standardizes by `scales`. */
export function finishSeries(s: Series, featureNames: readonly string[], hasId: boolean, means: readonly number[] | null, scales: readonly Scale[] | null): void {
  const F = featureNames.length;
  if (means) fillLeadingGaps(s, means);
  else {
    const k = s.x.findIndex(Number.isNaN);
    if (k >= 0) {
      throw new DataError('missing-value', 'a value before the id\'s first observation has nothing to carry forward, and no training mean was given',
        { column: featureNames[k % F], row: s.rows[Math.floor(k / F)], id: hasId ? s.id : undefined });
    }
  }
  if (scales) for (let i = 0; i < s.x.length; i++) s.x[i] = standardizeValue(s.x[i], scales[i % F]);
}
