// An ensemble's members one by one: each member's per-term contributions over a mixed dataset, for
// the spread of the importances and the bands of the shape functions across members.
import { AdditiveRNAM } from '../nn/additive-rnam.js';
import type { MixedDataset } from '../data/mixed-dataset.js';
import { noGrad } from '../autograd.js';
import { tidy } from '../memory.js';
import { tensor } from '../creation.js';

/** Runs the members over `ds` a batch at a time: `visit` gets each batch's raw contributions, (terms, members, size, outDim). */
async function eachMemberBatch(model: AdditiveRNAM, ds: MixedDataset, batchSize: number, visit: (batch: Float32Array, start: number, size: number) => void): Promise<void> {
  const device = model.parameters()[0].device;
  for (let start = 0; start < ds.samples; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, ds.samples - start) }, (_, k) => start + k), b = ds.batch(idx);
    const c = noGrad(() => tidy(() => model.forwardMembers(b.x ? tensor(b.x, b.shape, { device }) : null, b.x ? b.lengths : null, {
      static: b.static && tensor(b.static.data, b.static.shape, { device }), categorical: b.categorical && tensor(b.categorical.data, b.categorical.shape, { device }),
    }).contributions.detach()));
    const batch = await c.toArray();
    c.dispose();
    visit(batch, start, idx.length);
  }
}

const isEnsemble = (model: unknown): model is AdditiveRNAM => model instanceof AdditiveRNAM && model.options.members >= 2;

/**
 * Each member's raw contributions, (terms, members, samples, outDim) row-major, in sample order; null
 * for a model that is not an ensemble (not an AdditiveRNAM, or one member).
 */
export async function memberContributions(model: unknown, ds: MixedDataset, batchSize = 256): Promise<{ members: number; outDim: number; values: Float32Array } | null> {
  if (!isEnsemble(model)) return null;
  const M = model.options.members, T = ds.terms, n = ds.samples, out = model.options.outDim;
  const values = new Float32Array(T * M * n * out);
  await eachMemberBatch(model, ds, batchSize, (batch, start, size) => {
    for (let g = 0; g < T * M; g++) values.set(batch.subarray(g * size * out, (g + 1) * size * out), (g * n + start) * out);
  });
  return { members: M, outDim: out, values };
}

/**
 * Each member's own centering, (terms, members, outDim): its mean raw contribution over `ds` (the
 * training data), as the ensemble's centering is the ensemble's; null for a model that is not an
 * ensemble. Their mean over the members is the ensemble's centering.
 */
export async function memberOffsets(model: unknown, ds: MixedDataset, batchSize = 256): Promise<number[][][] | null> {
  if (!isEnsemble(model)) return null;
  const M = model.options.members, T = ds.terms, n = ds.samples, out = model.options.outDim;
  const sums = new Float64Array(T * M * out);
  await eachMemberBatch(model, ds, batchSize, (batch, _start, size) => {
    for (let g = 0; g < T * M; g++) for (let i = 0; i < size; i++) for (let k = 0; k < out; k++) sums[g * out + k] += batch[(g * size + i) * out + k];
  });
  return Array.from({ length: T }, (_, t) => Array.from({ length: M }, (_, m) => Array.from({ length: out }, (_, k) => sums[(t * M + m) * out + k] / n)));
}
