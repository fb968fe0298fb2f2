// The missing-value rules on a series' features (see MissingRule): an error naming the cell, or the
// last observation carried forward with the training mean before an id's first observation.
import { DataError } from './errors.js';
import type { MissingRule } from './options.js';
import type { Series } from './series.js';

/** 'error': throws at the first missing feature; 'carry-forward': fills in place all but the leading gaps. */
export function applyMissingRule(s: Series, rule: MissingRule, featureNames: readonly string[], hasId: boolean): void {
  const F = featureNames.length;
  for (let j = 0; j < F; j++) {
    let last = NaN;
    for (let k = 0; k < s.length; k++) {
      const v = s.x[k * F + j];
      if (!Number.isNaN(v)) last = v;
      else if (rule === 'error') {
        throw new DataError('missing-value', "a feature value is missing (choose missing: 'carry-forward' to fill gaps)",
          { column: featureNames[j], row: s.rows[k], id: hasId ? s.id : undefined });
      } else s.x[k * F + j] = last;
    }
  }
}

/** Fills the leading gaps that carry-forward left with the given per-feature values (training means). */
export function fillLeadingGaps(s: Series, means: readonly number[]): void {
  const F = means.length;
  for (let j = 0; j < F; j++) {
    for (let k = 0; k < s.length && Number.isNaN(s.x[k * F + j]); k++) s.x[k * F + j] = means[j];
  }
}
