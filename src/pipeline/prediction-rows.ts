// The rows `rnam predict` writes, one per sample (id, time, target, target_known, prediction,
// intervals, class probabilities, intercept, contributions), and their CSV text: one home for the
// format, so predictTable and predictStream write the same bytes for the same samples.
import Papa from 'papaparse';
import type { TrainedModel } from './model-file.js';
import type { TableOutputs } from './outputs.js';
import { safeCsvCell } from '../io/csv-cells.js';
import { halfWidths } from './intervals.js';

export type PredictionRow = (string | number)[];

/** A cell as written: text a spreadsheet would run as a formula gets a leading apostrophe unless `raw`. */
export function predictionCell(raw: boolean): (v: string | number) => string | number {
  return (v) => safeCsvCell(v, { raw });
}

/** Regression with intervals: each sample's half width (rolling per series in window mode; `o` holds whole series); else null. */
export function sampleHalfWidths(trained: TrainedModel, o: TableOutputs): Float64Array | null {
  const pre = trained.preprocessing;
  return pre.task === 'regression' && trained.intervals ? halfWidths(trained.intervals, o, pre.record.horizon) : null;
}

export function predictionHeader(trained: TrainedModel, raw: boolean): string[] {
  const pre = trained.preprocessing, cell = predictionCell(raw);
  const intervals = pre.task === 'regression' && trained.intervals !== undefined;
  const classes = pre.task === 'multiclass' ? pre.record.target.classes! : [];
  return ['id', 'time', 'target', 'target_known', 'prediction', ...(intervals ? ['lower', 'upper'] : []), ...classes.map((c) => `p_${c}`),
    'intercept', ...pre.featureNames.map((f) => `contribution_${f}`)].map((h) => String(cell(h)));
}

/** One row per sample of `o` (times in the input's format, class labels as given). */
export function* predictionRows(trained: TrainedModel, o: TableOutputs, raw: boolean, widths = sampleHalfWidths(trained, o)): Generator<PredictionRow> {
  const pre = trained.preprocessing, cell = predictionCell(raw);
  const classes = pre.task === 'multiclass' ? pre.record.target.classes! : [];
  const terms = pre.featureNames.length;
  const label = (v: number) => (pre.task === 'regression' ? v : pre.classLabel(v));
  for (let i = 0; i < o.samples; i++) {
    const known = !Number.isNaN(o.targets[i]);
    yield [
      cell(o.ids[i]), pre.formatTime(o.times[i]), known ? cell(label(o.targets[i])) : '', known ? 'true' : 'false',
      pre.task === 'multiclass' ? cell(pre.classLabel(o.prediction[i])) : o.prediction[i],
      ...(widths ? [o.prediction[i] - widths[i], o.prediction[i] + widths[i]] : []),
      ...classes.map((_, k) => o.probabilities![i * classes.length + k]),
      o.intercept[i], ...Array.from({ length: terms }, (_, t) => o.contributions[t * o.samples + i]),
    ];
  }
}

/**
 * The CSV text of a header and rows given in batches, piece by piece (papaparse's quoting, '\r\n'
 * between rows, a final '\n'): the same bytes as one Papa.unparse of every row.
 */
export async function* predictionCsv(header: readonly string[], batches: AsyncIterable<readonly PredictionRow[]> | Iterable<readonly PredictionRow[]>): AsyncGenerator<string> {
  yield Papa.unparse([[...header]]);
  for await (const rows of batches) if (rows.length > 0) yield '\r\n' + Papa.unparse(rows as PredictionRow[]);
  yield '\n';
}
