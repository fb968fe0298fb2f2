// Global term importance: the mean absolute contribution of each term over the samples.
import type { TermImportance } from './types.js';

/** contributions (terms, samples, outDim); largest first (ties keep feature order). */
export function termImportance(contributions: ArrayLike<number>, featureNames: readonly string[], samples: number, outDim: number): TermImportance[] {
  const out = featureNames.map((feature, t): TermImportance => {
    const perClass = new Array<number>(outDim).fill(0);
    for (let n = 0; n < samples; n++) {
      for (let k = 0; k < outDim; k++) perClass[k] += Math.abs(contributions[(t * samples + n) * outDim + k]);
    }
    for (let k = 0; k < outDim; k++) perClass[k] /= samples;
    const importance = perClass.reduce((a, b) => a + b, 0) / outDim;
    return outDim > 1 ? { feature, importance, perClass } : { feature, importance };
  });
  return out.map((entry, t) => ({ entry, t })).sort((a, b) => b.entry.importance - a.entry.importance || a.t - b.t).map((e) => e.entry);
}
