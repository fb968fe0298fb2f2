// The model's outputs and per-term contributions for every sample of a dataset, batch by batch
// without gradients, each batch with its lengths (so padded sequences are read at their last step).
import type { FirstOrderRNAM } from '../nn/rnam.js';
import type { SequenceDataset } from '../data/dataset.js';
import { batchIndices, gatherBatch } from '../data/dataset.js';
import { tensor } from '../creation.js';
import { tidy } from '../memory.js';
import { noGrad } from '../autograd.js';
import { defaultGenerator } from '../random.js';

export interface ModelOutputs {
  /** (samples, outDim) */
  predictions: Float32Array;
  /** (terms, samples, outDim) */
  contributions: Float32Array;
}

export async function runAdditiveModel(model: FirstOrderRNAM, ds: SequenceDataset, batchSize: number): Promise<ModelOutputs> {
  const { terms, outDim } = model.options;
  const device = model.parameters()[0].device;
  const predictions = new Float32Array(ds.samples * outDim);
  const contributions = new Float32Array(terms * ds.samples * outDim);
  // Unshuffled, so batches are consecutive samples and the generator is not drawn from.
  for (const idx of batchIndices(ds.samples, batchSize, false, defaultGenerator)) {
    const [yHat, parts] = noGrad(() => tidy(() => {
      const { x, lengths } = gatherBatch(ds, idx);
      return model.forward(tensor(x, [terms, idx.length, ds.seq, 1], { device }), lengths);
    }));
    try {
      const start = idx[0], per = idx.length * outDim;
      predictions.set(await yHat.toArray(), start * outDim);
      const c = await parts.toArray();
      for (let t = 0; t < terms; t++) contributions.set(c.subarray(t * per, (t + 1) * per), (t * ds.samples + start) * outDim);
    } finally {
      yHat.dispose();
      parts.dispose();
    }
  }
  return { predictions, contributions };
}
