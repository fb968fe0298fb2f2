// predictTable: a trained model (from trainTable or loadTrained) on a new table, through the stored
// preprocessing: no split, the target column optional (the last window of a series, whose target
// lies in the future, is predicted too), and every sample's intercept and centered contributions.
import { checkOptions } from '../optim/options.js';
import { ArgumentError, describeValue } from '../errors.js';
import { outputMetrics, tableOutputs, type TableOutputs } from './outputs.js';
import type { TrainedModel } from './model-file.js';
import { toTable, type TableInput } from './table-input.js';
import type { Metrics } from '../train/task.js';
import { safeCsvCell } from '../io/csv-cells.js';
import { halfWidths } from './intervals.js';

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
  /** The CSV columns and rows `rnam predict` writes (times in the input's format, class labels as given). */
  header: string[];
  rows(): Generator<(string | number)[]>;
}

export async function predictTable(trained: TrainedModel, data: TableInput, options: PredictTableOptions = {}): Promise<TablePrediction> {
  checkOptions('predictTable', options, ['batchSize', 'rawCells']);
  const cell = (v: string | number) => safeCsvCell(v, { raw: options.rawCells ?? false });
  const batchSize = options.batchSize ?? 256;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ArgumentError(`predictTable: batchSize must be a positive integer, got ${describeValue(options.batchSize)}`);
  if (!trained || typeof trained !== 'object' || !trained.preprocessing || !trained.model) {
    throw new ArgumentError('predictTable: pass what trainTable or loadTrained returned ({ model, preprocessing, centering })');
  }
  const pre = trained.preprocessing;
  // The weight column training read, when the table has it, weights the metrics.
  const ds = pre.transform(toTable('predictTable', data), { weights: true });
  const o = await tableOutputs(trained.model, ds, pre, trained.centering, batchSize);
  const targetKnown = Array.from(o.targets, (y) => !Number.isNaN(y));
  const classes = pre.task === 'multiclass' ? pre.record.target.classes! : [];
  const features = pre.featureNames;
  const widths = pre.task === 'regression' && trained.intervals ? halfWidths(trained.intervals, o, pre.record.horizon) : null;
  const header = ['id', 'time', 'target', 'target_known', 'prediction', ...(widths ? ['lower', 'upper'] : []), ...classes.map((c) => `p_${c}`), 'intercept', ...features.map((f) => `contribution_${f}`)].map((h) => String(cell(h)));
  const label = (v: number) => (pre.task === 'regression' ? v : pre.classLabel(v));
  return {
    ...o, targetKnown, halfWidths: widths, metrics: outputMetrics(pre, o), header,
    * rows() {
      for (let i = 0; i < o.samples; i++) {
        yield [
          cell(o.ids[i]), pre.formatTime(o.times[i]), targetKnown[i] ? cell(label(o.targets[i])) : '', targetKnown[i] ? 'true' : 'false',
          pre.task === 'multiclass' ? cell(pre.classLabel(o.prediction[i])) : o.prediction[i],
          ...(widths ? [o.prediction[i] - widths[i], o.prediction[i] + widths[i]] : []),
          ...classes.map((_, k) => o.probabilities![i * classes.length + k]),
          o.intercept[i], ...features.map((_, t) => o.contributions[t * o.samples + i]),
        ];
      }
    },
  };
}
