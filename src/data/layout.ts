// The two array layouts, always named explicitly so a wrongly ordered array of the right length
// cannot pass: batch-first (samples, seq, features), as the RNNs take with batchFirst, and the
// seed's terms-first (terms = features, samples, seq, 1), as the RNAM takes.
import { DataError } from './errors.js';

export type Layout = 'batch-first' | 'terms-first';

export function checkLayout(layout: unknown, where: string): Layout {
  if (layout !== 'batch-first' && layout !== 'terms-first') {
    throw new DataError('option', `${where}: name the layout, 'batch-first' (samples, seq, features) or 'terms-first' (terms, samples, seq, 1); got ${String(layout)}`);
  }
  return layout;
}

/** The shape of x for `batch` samples in a layout. */
export function layoutShape(layout: Layout, batch: number, seq: number, features: number): number[] {
  return layout === 'batch-first' ? [batch, seq, features] : [features, batch, seq, 1];
}

/** The index of (sample, step, feature) in a flat array of a layout. */
export function layoutIndex(layout: Layout, samples: number, seq: number, features: number) {
  return layout === 'batch-first'
    ? (s: number, t: number, f: number) => (s * seq + t) * features + f
    : (s: number, t: number, f: number) => (f * samples + s) * seq + t;
}
