// One number per input sequence for a shape function's x axis, over the sequence's valid steps only
// (padding after lengths[i] never enters), in the data's original units when a scale is given.
import { unstandardizeValue, type Scale } from '../data/standardize.js';
import type { SequenceSummary } from './types.js';

/**
 * The summary of values[start .. start + length): 'last' the last valid value, 'mean' their mean,
 * 'ema' alpha * x_t + (1 - alpha) * ema started at the first value (weights that sum to 1, so the
 * summary is in the input's units and un-standardizing before or after gives the same number).
 */
export function summarizeSequence(values: ArrayLike<number>, start: number, length: number, how: SequenceSummary, alpha: number, scale?: Scale): number {
  const at = scale ? (t: number) => unstandardizeValue(values[start + t], scale) : (t: number) => values[start + t];
  if (how === 'last') return at(length - 1);
  if (how === 'mean') {
    let sum = 0;
    for (let t = 0; t < length; t++) sum += at(t);
    return sum / length;
  }
  let ema = at(0);
  for (let t = 1; t < length; t++) ema = alpha * at(t) + (1 - alpha) * ema;
  return ema;
}
