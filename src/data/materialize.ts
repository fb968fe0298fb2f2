// Sample specs to a SeriesDataset: the one place values are copied into the padded terms-first
// array, shared by the in-memory builders and the streaming source (so both give the same numbers).
import { DataError } from './errors.js';
import { SeriesDataset } from './series-dataset.js';
import { standardizeValue, type Standardizer } from './standardize.js';
import type { SampleSpec } from './samples.js';
import type { TaskHint } from './task.js';

export interface MaterializeOptions {
  seq: number;
  featureNames: readonly string[];
  targetName: string;
  standardizer: Standardizer;
  task: TaskHint;
}

/** Throws on the first sample whose target is missing. */
export function checkTargets(specs: readonly SampleSpec[], targetName: string, hasId: boolean): void {
  for (const p of specs) {
    if (Number.isNaN(p.series.y[p.targetStep])) {
      throw new DataError('missing-value', 'a sample\'s target is missing (targets are never filled: drop the row or fill it)',
        { column: targetName, row: p.series.rows[p.targetStep], id: hasId ? p.series.id : undefined });
    }
  }
}

/** The specs' steps, right-padded with 0 to `seq` (the oldest steps of a longer sample dropped), as a dataset. */
export function materialize(specs: readonly SampleSpec[], o: MaterializeOptions): SeriesDataset {
  const n = specs.length, F = o.featureNames.length, seq = o.seq;
  const features = new Float32Array(F * n * seq), targets = new Float32Array(n), lengths = new Int32Array(n);
  const sampleTimes = new Float64Array(n), target = o.standardizer.target;
  specs.forEach((p, i) => {
    const len = Math.min(p.length, seq), first = p.start + p.length - len, x = p.series.x;
    for (let f = 0; f < F; f++) {
      const row = (f * n + i) * seq;
      for (let t = 0; t < len; t++) features[row + t] = x[(first + t) * F + f];
    }
    const y = p.series.y[p.targetStep];
    targets[i] = target ? standardizeValue(y, target) : y;
    lengths[i] = len;
    sampleTimes[i] = p.series.times[p.targetStep];
  });
  return new SeriesDataset({
    features, targets, terms: F, samples: n, seq, outDim: 1, lengths, featureNames: o.featureNames, targetNames: [o.targetName],
    sampleIds: specs.map((p) => p.series.id), sampleTimes, task: o.task, standardizer: o.standardizer,
  });
}
