// New data for a trained model: the same columns, windows and preprocessing as at training time
// (the standardizer and fill values stored with the model), no split, and the target optional.
import { DataError } from './errors.js';
import { readCsv, type CsvOptions } from './csv.js';
import type { LongTable } from './table.js';
import { resolveColumns } from './columns.js';
import { seriesFromTable } from './series.js';
import { applyMissingRule } from './missing.js';
import { finishSeries } from './prepare.js';
import { panelSample, type SampleSpec } from './samples.js';
import { checkStandardizer, type Standardizer } from './standardize.js';
import { materialize } from './materialize.js';
import { checkTableOptions, type TableDatasetOptions } from './table-options.js';
import type { SeriesDataset } from './series-dataset.js';
import type { TaskHint } from './task.js';

export interface PredictionDataOptions extends Omit<TableDatasetOptions, 'split' | 'standardize' | 'tooShort' | 'features'> {
  /** The model's features, in its order. */
  features: readonly string[];
  /** The standardization fitted at training time ({} for none). */
  standardizer: Standardizer;
  /** Per feature, the training mean: the fill of leading gaps under carry-forward. */
  featureMeans?: readonly number[];
  /** The task the model was trained for (the target column may be absent). */
  task?: TaskHint;
}

/**
 * One sample per id (panel mode), or a window ending at every step that has `window` steps before
 * it (window mode: the latest window of each id is the forecast; its target, `horizon` steps later,
 * is NaN when the table does not reach it). Ids too short for one window are an error naming them.
 */
export function predictionDatasetFromTable(table: LongTable, options: PredictionDataOptions): SeriesDataset {
  const o = checkTableOptions({ ...options, standardize: false });
  const w = o.window;
  const columns = resolveColumns(table.columns, options, w !== null && w.horizon >= 1, table.rows, true);
  const names = columns.features.map((f) => f.name), hasId = columns.id !== undefined;
  checkStandardizer(options.standardizer, names);
  const scales = options.standardizer.features ?? null;
  const means = options.featureMeans ?? scales?.map((c) => c.mean) ?? null;
  const { series } = seriesFromTable(table, columns);
  const specs: SampleSpec[] = [];
  for (const s of series) {
    applyMissingRule(s, o.missing, names, hasId);
    finishSeries(s, names, hasId, o.missing === 'carry-forward' ? means : null, scales);
    if (!w) {
      specs.push(panelSample(s, o.maxLength));
      continue;
    }
    if (s.length < w.window) {
      throw new DataError('too-few-rows', `the id has ${s.length} rows; a window needs ${w.window}`, { id: s.id, column: columns.id?.name });
    }
    for (let start = 0; start + w.window <= s.length; start += w.stride) {
      specs.push({ series: s, start, length: w.window, targetStep: Math.min(start + w.window - 1 + w.horizon, s.length - 1) });
    }
  }
  // Window targets past the table's end read as missing, not as the last row's target.
  const beyond = new Set(w ? specs.filter((p) => p.start + w.window - 1 + w.horizon >= p.series.length) : []);
  const seq = w ? w.window : o.maxLength ?? specs.reduce((m, p) => Math.max(m, p.length), -Infinity);
  const ds = materialize(specs, { seq, featureNames: names, targetName: columns.target.name, standardizer: options.standardizer, task: options.task ?? { kind: 'continuous' } });
  specs.forEach((p, i) => {
    if (beyond.has(p)) ds.targets[i] = NaN;
    // The time a prediction is for: the sample's last input step.
    ds.sampleTimes[i] = p.series.times[p.start + p.length - 1];
  });
  return ds;
}

/** CSV text (header first) to a prediction dataset. */
export function predictionDatasetFromCsv(text: string, options: PredictionDataOptions & CsvOptions): SeriesDataset {
  return predictionDatasetFromTable(readCsv(text, options), options);
}
