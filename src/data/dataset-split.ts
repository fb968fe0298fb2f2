// A seeded split of a SeriesDataset by entity: samples that share a sampleId stay together (arrays
// get one id per sample, so this is then a plain seeded split of the samples).
import { entitySplit } from './split.js';
import type { SeriesDataset } from './series-dataset.js';
import type { SplitName } from './options.js';

export function splitDataset(ds: SeriesDataset, split: { validation?: number; test?: number; seed?: number }):
  { train: SeriesDataset; validation?: SeriesDataset; test?: SeriesDataset } {
  const ids = [...new Set(ds.sampleIds)];
  const part = entitySplit(ids, split);
  const idx: Record<SplitName, number[]> = { train: [], validation: [], test: [] };
  ds.sampleIds.forEach((id, i) => idx[part.get(id)!].push(i));
  return {
    train: ds.subset(idx.train),
    ...((split.validation ?? 0) > 0 ? { validation: ds.subset(idx.validation) } : {}),
    ...((split.test ?? 0) > 0 ? { test: ds.subset(idx.test) } : {}),
  };
}
