// Standardization of a SeriesDataset (e.g. one built from arrays): fit on the training split's
// valid steps (padding never counts), apply the same numbers to every split.
import { DataError } from './errors.js';
import { SeriesDataset } from './series-dataset.js';
import { ScaleAccumulator, checkStandardizer, standardizeValue, type Standardizer } from './standardize.js';
import type { StandardizeOptions } from './options.js';

/** Per-feature (and optionally target) mean and std over the valid steps of `train`. */
export function fitStandardizer(train: SeriesDataset, options: StandardizeOptions = {}): Standardizer {
  if (train.samples === 0) throw new DataError('option', 'fitStandardizer: the training split has no sample');
  const features = options.features ?? true, target = options.target ?? false;
  if (target && train.outDim !== 1) throw new DataError('option', `fitStandardizer: the target is standardized for one output, the data has ${train.outDim}`);
  const out: { features?: Standardizer['features']; target?: Standardizer['target'] } = {};
  if (features) {
    out.features = train.featureNames.map((name, f) => {
      const acc = new ScaleAccumulator();
      for (let s = 0; s < train.samples; s++) for (let t = 0; t < train.lengths[s]; t++) acc.add(train.at(s, t, f));
      return acc.scale(name);
    });
  }
  if (target) {
    const acc = new ScaleAccumulator();
    train.targets.forEach((v) => acc.add(v));
    out.target = acc.scale(train.targetNames[0]);
  }
  return out;
}

/** A new dataset with `standardizer` applied to the valid steps (padding stays 0) and the target. */
export function standardizeDataset(ds: SeriesDataset, standardizer: Standardizer): SeriesDataset {
  if (ds.standardizer.features || ds.standardizer.target) throw new DataError('option', 'standardizeDataset: the dataset is standardized already');
  checkStandardizer(standardizer, ds.featureNames, ds.outDim === 1 ? ds.targetNames[0] : undefined);
  if (standardizer.target && ds.outDim !== 1) throw new DataError('option', `standardizeDataset: a target scale needs one output, the data has ${ds.outDim}`);
  const features = ds.features.slice(), targets = ds.targets.slice();
  const fs = standardizer.features;
  if (fs) {
    for (let f = 0; f < ds.terms; f++) for (let s = 0; s < ds.samples; s++) {
      const row = (f * ds.samples + s) * ds.seq;
      for (let t = 0; t < ds.lengths[s]; t++) features[row + t] = standardizeValue(features[row + t], fs[f]);
    }
  }
  if (standardizer.target) for (let i = 0; i < targets.length; i++) targets[i] = standardizeValue(targets[i], standardizer.target);
  return new SeriesDataset({ ...ds, features, targets, task: ds.task, standardizer });
}
