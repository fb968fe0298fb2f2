// predictTable: a trained model (from trainTable or loadTrained) on a new table, through the stored
// preprocessing: no split, the target column optional (the last window of a series, whose target
// lies in the future, is predicted too), and every sample's intercept and centered contributions.
import { checkOptions } from '../optim/options.js';
import { ArgumentError, describeValue } from '../errors.js';
import { outputMetrics, tableOutputs, type TableOutputs } from './outputs.js';
import type { TrainedModel } from './model-file.js';
import { toTable, type TableInput } from './table-input.js';
import type { Metrics } from '../train/task.js';
import { predictionHeader, predictionRows, sampleHalfWidths, type PredictionRow } from './prediction-rows.js';
import { UnseenLevelCounter, type UnseenLevel } from './unseen-levels.js';
import { shortIdsOf, type ShortIds } from './short-ids.js';

export interface PredictTableOptions {
  /** Samples per forward pass (default 256). */
  batchSize?: number;
  /**
   * rows(): text cells (ids, labels) that a spreadsheet would run as formulas (=, +, -, @ first) get a
   * leading apostrophe (default); true writes them as they are.
   */
  rawCells?: boolean;
}

export interface TablePrediction extends TableOutputs {
  /** Regression with intervals: each sample's half width (lower = prediction - it, upper = prediction + it); else null. */
  halfWidths: Float64Array | null;
  /** Per sample, whether the table holds its target. */
  targetKnown: boolean[];
  /** The task's metrics over the samples with a known target; null when there is none. */
  metrics: Metrics | null;
  /** Categorical levels of the table the model does not know, read as 'other' (empty when none). */
  unseenLevels: UnseenLevel[];
  /** Window mode: the ids with fewer rows than a window, which get no prediction. */
  shortIds: ShortIds;
  /** The CSV columns and rows `rnam predict` writes (times in the input's format, class labels as given). */
  header: string[];
  rows(): Generator<PredictionRow>;
}

export async function predictTable(trained: TrainedModel, data: TableInput, options: PredictTableOptions = {}): Promise<TablePrediction> {
  checkOptions('predictTable', options, ['batchSize', 'rawCells']);
  const { batchSize, raw } = checkPredictOptions('predictTable', trained, options);
  const pre = trained.preprocessing;
  // The weight column training read, when the table has it, weights the metrics.
  const table = toTable('predictTable', data), unseen = new UnseenLevelCounter(pre.record);
  unseen.add(table);
  const { dataset, shortIds } = pre.transformParts(table, { weights: true });
  if (!dataset) throw pre.noSampleError();
  const o = await tableOutputs(trained.model, dataset, pre, trained.centering, batchSize);
  const widths = sampleHalfWidths(trained, o);
  return {
    ...o, targetKnown: Array.from(o.targets, (y) => !Number.isNaN(y)), halfWidths: widths, metrics: outputMetrics(pre, o), unseenLevels: unseen.list(),
    shortIds: shortIdsOf(shortIds), header: predictionHeader(trained, raw),
    rows: () => predictionRows(trained, o, raw, widths),
  };
}

/** The batch size (default 256) and the raw-cells flag, checked; `trained` must be what trainTable or loadTrained returned. */
export function checkPredictOptions(where: string, trained: TrainedModel, options: PredictTableOptions): { batchSize: number; raw: boolean } {
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`${where}: batchSize must be a positive integer, got ${describeValue(options.batchSize)}`);
  if (!trained || typeof trained !== 'object' || !trained.preprocessing || !trained.model) {
    throw new ArgumentError(`${where}: pass what trainTable or loadTrained returned ({ model, preprocessing, centering })`);
  }
  return { batchSize, raw: options.rawCells ?? false };
}
