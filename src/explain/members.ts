// An ensemble's members one by one: each member's per-term contributions over a mixed dataset, for
// the spread of the importances and the bands of the shape functions across members.
import { AdditiveRNAM } from '../nn/additive-rnam.js';
import type { MixedDataset } from '../data/mixed-dataset.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { tensor } from '../creation.js';

/**
 * Each member's raw contributions, (terms, members, samples, outDim) row-major, in sample order; null
 * for a model that is not an ensemble (not an AdditiveRNAM, or one member).
 */
export async function memberContributions(model: unknown, ds: MixedDataset, batchSize = 256): Promise<{ members: number; outDim: number; values: Float32Array } | null> {
  if (!(model instanceof AdditiveRNAM) || model.options.members < 2) return null;
  const M = model.options.members, T = ds.terms, n = ds.samples, out = model.options.outDim, device = model.parameters()[0].device;
  const values = new Float32Array(T * M * n * out);
  for (let start = 0; start < n; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, n - start) }, (_, k) => start + k), b = ds.batch(idx), size = idx.length;
    const c = noGrad(() => tidy(() => model.forwardMembers(b.x ? tensor(b.x, b.shape, { device }) : null, b.x ? b.lengths : null, {
      static: b.static && tensor(b.static.data, b.static.shape, { device }), categorical: b.categorical && tensor(b.categorical.data, b.categorical.shape, { device }),
    }).contributions.detach()));
    const batch = await c.toArray(); // (T, M, size, out)
    c.dispose();
    for (let g = 0; g < T * M; g++) values.set(batch.subarray(g * size * out, (g + 1) * size * out), (g * n + start) * out);
  }
  return { members: M, outDim: out, values };
}
