// crossValidate: k folds of trainTable and predictTable over one table, the way a data scientist
// checks a model before trusting it. Panels and plain tables: whole ids per fold (an id is never in
// two folds), stratified by the label for classification. Windows: rolling origin (fold k trains on
// the rows before its test block and tests on the block that follows, never on the future).
// Every fold reports the task's metrics (weighted by the weight column when there is one); the
// out-of-fold predictions keep the one contribution convention (intercept + contributions = the output).
import { Generator } from '../random.js';
import { idCell, isMissing, numberCell, timeCell, timeKindOf } from '../data/cells.js';
import { taskHint } from '../data/task.js';
import type { LongTable } from '../data/table.js';
import { DataError } from '../data/errors.js';
import { inferTask, predictionMetrics, type Metrics, type Task } from '../train/task.js';
import { ArgumentError, describeValue } from '../errors.js';
import { trainTable, type TrainTableOptions } from './train-table.js';
import { predictTable } from './predict-table.js';
import { toTable, type TableInput } from './table-input.js';

export interface CrossValidateOptions extends Omit<TrainTableOptions, 'testData' | 'onStart' | 'shouldStop'> {
  /** Folds (default 5). */
  folds?: number;
}

export interface FoldResult {
  fold: number;
  /** Samples scored in this fold's test part. */
  samples: number;
  metrics: Metrics;
}

export interface CrossValidation {
  task: Task;
  /** 'grouped' (whole ids, stratified for classification) or 'rolling-origin' (windows). */
  scheme: 'grouped' | 'rolling-origin';
  folds: FoldResult[];
  /** Per metric, its mean and standard deviation over the folds. */
  summary: Record<string, { mean: number; sd: number }>;
  /** Every scored sample once: its fold, the CSV columns of predictTable (header) and rows. */
  header: string[];
  rows: (string | number)[][];
}

function rowsOf(table: LongTable, keep: (i: number) => boolean): LongTable {
  const rows: LongTable['rows'][number][] = [], rowNumbers: number[] = [];
  table.rows.forEach((r, i) => {
    if (keep(i)) {
      rows.push(r);
      rowNumbers.push(table.rowNumbers[i]);
    }
  });
  return { columns: table.columns, rows, rowNumbers };
}

/** Each id's fold: ids shuffled by the seed within each label (classification) and dealt round-robin. */
function groupedFolds(table: LongTable, o: CrossValidateOptions, k: number, classify: boolean): Map<string, number> {
  const idIndex = o.id !== undefined ? table.columns.indexOf(o.id) : -1;
  const targetIndex = table.columns.indexOf(o.target);
  const label = new Map<string, string>();
  table.rows.forEach((r, i) => {
    const id = idIndex >= 0 ? idCell(r[idIndex]) ?? '' : String(table.rowNumbers[i]);
    const y = r[targetIndex];
    if (!label.has(id) || !isMissing(y)) label.set(id, classify && !isMissing(y) ? String(y).trim() : '');
  });
  const strata = new Map<string, string[]>();
  for (const [id, y] of label) {
    let s = strata.get(y);
    if (!s) strata.set(y, (s = []));
    s.push(id);
  }
  const gen = new Generator(o.split?.seed ?? o.seed ?? 0), fold = new Map<string, number>();
  let next = 0;
  for (const key of [...strata.keys()].sort()) {
    const ids = strata.get(key)!;
    for (let i = ids.length - 1; i > 0; i--) {
      const j = gen.int(i + 1);
      [ids[i], ids[j]] = [ids[j], ids[i]];
    }
    for (const id of ids) fold.set(id, next++ % k);
  }
  if (label.size < k) throw new DataError('option', `${k} folds need at least ${k} ids; the table has ${label.size}`);
  return fold;
}

export async function crossValidate(data: TableInput, options: CrossValidateOptions): Promise<CrossValidation> {
  if (typeof options !== 'object' || options === null) throw new ArgumentError(`crossValidate: options must be an object, got ${describeValue(options)}`);
  const { folds: askedFolds, ...trainOptions } = options;
  const k = askedFolds ?? 5;
  if (!Number.isInteger(k) || k < 2) throw new ArgumentError(`crossValidate: folds must be an integer >= 2, got ${describeValue(askedFolds)}`);
  const table = toTable('crossValidate', data);
  const targetIndex = table.columns.indexOf(options.target);
  if (targetIndex < 0) throw new DataError('missing-column', `the target column is not in the header (${table.columns.join(', ')})`, { column: options.target });
  const idIndex = options.id !== undefined ? table.columns.indexOf(options.id) : -1;
  const windowed = options.window !== undefined;
  const log = options.log ?? null;
  const results: FoldResult[] = [];
  let header: string[] = [];
  const rows: (string | number)[][] = [];
  let task: Task | null = null;

  // Folds are stratified for classification: the task asked for, or the one rule over the target column (text labels are classes).
  const numbers: number[] = [];
  let text = false;
  for (const r of table.rows) {
    const v = numberCell(r[targetIndex]);
    if (v === undefined) text = true;
    else if (!Number.isNaN(v)) numbers.push(v);
  }
  const classify = (options.task ?? (text ? 'binary' : inferTask(taskHint(numbers)))) !== 'regression';

  let parts: { train: LongTable; test: LongTable; keep: (time: number) => boolean }[];
  if (!windowed) {
    const fold = groupedFolds(table, options, k, classify);
    const foldOf = (i: number) => fold.get(idIndex >= 0 ? idCell(table.rows[i][idIndex]) ?? '' : String(table.rowNumbers[i]))!;
    parts = Array.from({ length: k }, (_, f) => ({ train: rowsOf(table, (i) => foldOf(i) !== f), test: rowsOf(table, (i) => foldOf(i) === f), keep: () => true }));
  } else {
    if (options.time === undefined) throw new ArgumentError('crossValidate: windows need the time column');
    const timeIndex = table.columns.indexOf(options.time);
    const kind = timeKindOf(table.rows[0]?.[timeIndex]) ?? 'number';
    const times = table.rows.map((r) => timeCell(r[timeIndex], kind) ?? NaN);
    const sorted = [...new Set(times.filter((t) => !Number.isNaN(t)))].sort((a, b) => a - b);
    // k + 1 blocks of distinct times: block 0 only trains; fold f tests on block f + 1 and trains on what came before.
    const cut = (b: number) => sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / (k + 1)))];
    parts = Array.from({ length: k }, (_, f) => {
      const from = cut(f + 1), to = f === k - 1 ? Infinity : cut(f + 2);
      return { train: rowsOf(table, (i) => times[i] < from), test: rowsOf(table, (i) => times[i] < to), keep: (t: number) => t >= from && t < to };
    });
  }

  for (let f = 0; f < k; f++) {
    const part = parts[f];
    log?.(`fold ${f + 1} of ${k}: ${part.train.rows.length} training rows`);
    const trained = await trainTable(part.train, { ...trainOptions, split: { ...trainOptions.split, test: 0 }, log: null, examples: 0 });
    task = trained.preprocessing.task;
    const p = await predictTable(trained, part.test);
    const scored = Array.from({ length: p.samples }, (_, i) => i).filter((i) => p.targetKnown[i] && part.keep(p.times[i]));
    if (scored.length === 0) throw new DataError('option', `fold ${f + 1} has no test sample with a known target (too few rows or ids for ${k} folds)`);
    const y = scored.map((i) => p.targets[i]);
    const classes = trained.preprocessing.outputs;
    const scores = task === 'multiclass'
      ? scored.flatMap((i) => Array.from(p.probabilities!.subarray(i * classes, (i + 1) * classes)))
      : scored.map((i) => p.prediction[i]);
    const metrics = predictionMetrics(task, scores, y, classes, p.weights && scored.map((i) => p.weights![i]));
    results.push({ fold: f + 1, samples: scored.length, metrics });
    log?.(`fold ${f + 1}: ${Object.entries(metrics).map(([m, v]) => `${m} ${v.toFixed(4)}`).join(', ')} on ${scored.length} samples`);
    header = ['fold', ...p.header];
    const all = [...p.rows()];
    for (const i of scored) rows.push([f + 1, ...all[i]]);
    for (const param of trained.model.parameters()) param.dispose();
  }
  const names = Object.keys(results[0].metrics);
  const summary = Object.fromEntries(names.map((m) => {
    const xs = results.map((r) => r.metrics[m]), mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return [m, { mean, sd: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1)) }];
  }));
  return { task: task!, scheme: windowed ? 'rolling-origin' : 'grouped', folds: results, summary, header, rows };
}
