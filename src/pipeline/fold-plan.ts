// The folds of a cross-validation, planned from the table alone (pure: the same table, options and
// k give the same folds in any thread, process or machine). Panels and plain tables: whole ids per
// fold (an id is never in two folds), stratified by the label for classification. Windows: rolling
// origin (fold f trains on the rows before its test block and tests on the block that follows).
import { Generator } from '../random.js';
import { idCell, isMissing, numberCell, timeCell, timeKindOf } from '../data/cells.js';
import { taskHint } from '../data/task.js';
import type { LongTable } from '../data/table.js';
import { DataError } from '../data/errors.js';
import { inferTask } from '../train/task.js';
import { ArgumentError, describeValue } from '../errors.js';
import type { TrainTableOptions } from './train-table.js';
import type { JobExecutor } from '../jobs/executor.js';

export interface CrossValidateOptions extends Omit<TrainTableOptions, 'testData' | 'onStart' | 'shouldStop'> {
  /** Folds (default 5). */
  folds?: number;
  /**
   * Worker threads the folds train on (default 1: one after another on this thread). Results are
   * the same bits for any count; each worker's kernels run on cores / workers threads.
   */
  workers?: number;
  /** Runs the fold jobs there instead (a remote queue's client: anything with run(kind, payload) answering runJob's result). */
  executor?: JobExecutor;
}

/** One fold: the rows it trains on, the rows it predicts, and the times it scores ([from, to); everything outside windows). */
export interface FoldPart {
  train: LongTable;
  test: LongTable;
  from: number;
  to: number;
}

export interface FoldPlan {
  scheme: 'grouped' | 'rolling-origin';
  parts: FoldPart[];
}

export function rowsOf(table: LongTable, keep: (i: number) => boolean): LongTable {
  const rows: LongTable['rows'][number][] = [], rowNumbers: number[] = [];
  table.rows.forEach((r, i) => {
    if (keep(i)) {
      rows.push(r);
      rowNumbers.push(table.rowNumbers[i]);
    }
  });
  return { columns: table.columns, rows, rowNumbers };
}

/** Each row's entity: its id cell, or its row number in a table without ids. */
export function entityOf(table: LongTable, id: string | undefined): (i: number) => string {
  const idIndex = id !== undefined ? table.columns.indexOf(id) : -1;
  return (i) => (idIndex >= 0 ? idCell(table.rows[i][idIndex]) ?? '' : String(table.rowNumbers[i]));
}

/** Whether the folds are stratified: the task asked for, or the one rule over the target column (text labels are classes). */
export function classifies(table: LongTable, options: Pick<CrossValidateOptions, 'target' | 'task'>): boolean {
  const targetIndex = table.columns.indexOf(options.target);
  if (targetIndex < 0) throw new DataError('missing-column', `the target column is not in the header (${table.columns.join(', ')})`, { column: options.target });
  const numbers: number[] = [];
  let text = false;
  for (const r of table.rows) {
    const v = numberCell(r[targetIndex]);
    if (v === undefined) text = true;
    else if (!Number.isNaN(v)) numbers.push(v);
  }
  return (options.task ?? (text ? 'binary' : inferTask(taskHint(numbers)))) !== 'regression';
}

/** The ids of each stratum (label for classification, else one stratum), shuffled by the seed, strata in label order. */
export function shuffledStrata(table: LongTable, o: Pick<CrossValidateOptions, 'id' | 'target' | 'split' | 'seed'>, classify: boolean): string[][] {
  const entity = entityOf(table, o.id);
  const targetIndex = table.columns.indexOf(o.target);
  const label = new Map<string, string>();
  table.rows.forEach((r, i) => {
    const id = entity(i);
    const y = r[targetIndex];
    if (!label.has(id) || !isMissing(y)) label.set(id, classify && !isMissing(y) ? String(y).trim() : '');
  });
  const strata = new Map<string, string[]>();
  for (const [id, y] of label) {
    let s = strata.get(y);
    if (!s) strata.set(y, (s = []));
    s.push(id);
  }
  const gen = new Generator(o.split?.seed ?? o.seed ?? 0);
  return [...strata.keys()].sort().map((key) => {
    return gen.shuffle(strata.get(key)!);
  });
}

/** Each id's fold: the shuffled strata dealt round-robin. */
function groupedFolds(table: LongTable, o: CrossValidateOptions, k: number, classify: boolean): Map<string, number> {
  const fold = new Map<string, number>();
  let next = 0;
  for (const ids of shuffledStrata(table, o, classify)) for (const id of ids) fold.set(id, next++ % k);
  if (fold.size < k) throw new DataError('option', `${k} folds need at least ${k} ids; the table has ${fold.size}`);
  return fold;
}

/** Each row's time (NaN where unreadable), read as the column's first cell reads. */
function timesOf(table: LongTable, time: string): number[] {
  const timeIndex = table.columns.indexOf(time);
  const kind = timeKindOf(table.rows[0]?.[timeIndex]) ?? 'number';
  return table.rows.map((r) => timeCell(r[timeIndex], kind) ?? NaN);
}

/** Each row's series for windows: its id, or the one series of a table without ids (''). */
function seriesOf(table: LongTable, id: string | undefined): (i: number) => string {
  return id !== undefined ? entityOf(table, id) : () => '';
}

/** The k folds of `table` (k >= 2, checked by the caller). */
export function planFolds(table: LongTable, options: CrossValidateOptions, k: number): FoldPlan {
  const classify = classifies(table, options);
  if (options.window === undefined) {
    const fold = groupedFolds(table, options, k, classify), entity = entityOf(table, options.id);
    const foldOf = table.rows.map((_, i) => fold.get(entity(i))!);
    return {
      scheme: 'grouped',
      parts: Array.from({ length: k }, (_, f) => ({ train: rowsOf(table, (i) => foldOf[i] !== f), test: rowsOf(table, (i) => foldOf[i] === f), from: -Infinity, to: Infinity })),
    };
  }
  if (options.time === undefined) throw new ArgumentError('crossValidate: windows need the time column');
  const times = timesOf(table, options.time);
  const sorted = [...new Set(times.filter((t) => !Number.isNaN(t)))].sort((a, b) => a - b);
  // k + 1 blocks of distinct times: block 0 only trains; fold f tests on block f + 1 and trains on what came before.
  const cutOf = (folds: number) => (b: number) => sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / (folds + 1)))];
  const cut = cutOf(k);
  checkFirstBlock(table, options, times, (folds) => cutOf(folds)(1), k);
  return {
    scheme: 'rolling-origin',
    parts: Array.from({ length: k }, (_, f) => {
      const from = cut(f + 1), to = f === k - 1 ? Infinity : cut(f + 2);
      return { train: rowsOf(table, (i) => times[i] < from), test: rowsOf(table, (i) => times[i] < to), from, to };
    }),
  };
}

/**
 * Fold 1 trains on the rows before the first cut: some id needs a window and its target there and,
 * after them, a validation block (15% of its steps, at least one). Said before any fold trains, with
 * the folds that would fit.
 */
function checkFirstBlock(table: LongTable, options: CrossValidateOptions, times: readonly number[], firstCut: (folds: number) => number, k: number): void {
  const window = options.window!, need = window + (options.horizon ?? 1);
  const least = Math.max(need + 1, 4);   // round(0.15 * 4) = 1: the shortest series with a validation step
  const entity = seriesOf(table, options.id);
  const longest = (folds: number) => {
    const before = firstCut(folds), steps = new Map<string, number>();
    times.forEach((t, i) => { if (t < before) steps.set(entity(i), (steps.get(entity(i)) ?? 0) + 1); });
    let most = 0;
    for (const n of steps.values()) most = Math.max(most, n);
    return most;
  };
  const first = longest(k);
  if (first >= least) return;
  let fits = k - 1;
  while (fits >= 2 && longest(fits) < least) fits--;
  const series = options.id !== undefined ? 'the longest id has' : 'the series has';
  throw new DataError('option', `rolling origin with ${k} folds trains fold 1 on the first of ${k + 1} blocks of the times, where ${series} ${first} step(s); `
    + `a window and its target take ${need} and a validation block follows (${least} at least): ${fits >= 2 ? `at most ${fits} folds fit here${window > 1 ? ' (more with a shorter window)' : ''}` : `not even 2 folds fit here${window > 1 ? ': a shorter window may fit' : ''}`}`);
}

/**
 * The time of a window's target: `horizon` steps after its last input step (a window sample is timed
 * at that step) in its id's series; undefined past the series' end. Folds and held-out parts score
 * the windows whose target lies in their times, the rule train's time split follows.
 */
export function windowTargetTimes(table: LongTable, options: Pick<CrossValidateOptions, 'id' | 'time' | 'horizon'>): (id: string, lastInput: number) => number | undefined {
  const entity = seriesOf(table, options.id), series = new Map<string, number[]>();
  timesOf(table, options.time!).forEach((t, i) => {
    if (Number.isNaN(t)) return;
    const list = series.get(entity(i)) ?? [];
    list.push(t);
    series.set(entity(i), list);
  });
  const sorted = new Map([...series].map(([id, ts]) => [id, [...new Set(ts)].sort((a, b) => a - b)]));
  const horizon = options.horizon ?? 1;
  return (id, lastInput) => {
    const ts = sorted.get(options.id !== undefined ? id : '');
    if (!ts) return undefined;
    let lo = 0, hi = ts.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (ts[mid] < lastInput) lo = mid + 1; else hi = mid; }
    return ts[lo] === lastInput ? ts[lo + horizon] : undefined;
  };
}

/**
 * One part held out, as a fold: whole ids, stratified like the folds (the first round(share * n)
 * ids of each shuffled stratum), or for windows the last `share` of the distinct times (the held
 * part predicts with the rows before it as history and scores from the cut on).
 */
export function holdoutPart(table: LongTable, options: CrossValidateOptions, share: number, what: string): FoldPart {
  if (!(share > 0 && share < 1)) throw new ArgumentError(`${what} must be a fraction in (0, 1), got ${describeValue(share)}`);
  if (options.window === undefined) {
    const held = new Set<string>();
    let ids = 0;
    for (const stratum of shuffledStrata(table, options, classifies(table, options))) {
      stratum.slice(0, Math.round(share * stratum.length)).forEach((id) => held.add(id));
      ids += stratum.length;
    }
    if (held.size === 0 || held.size === ids) throw new DataError('option', `${what} ${share} of ${ids} ids holds out ${held.size === 0 ? 'no id' : 'every id'}`);
    const entity = entityOf(table, options.id);
    return { train: rowsOf(table, (i) => !held.has(entity(i))), test: rowsOf(table, (i) => held.has(entity(i))), from: -Infinity, to: Infinity };
  }
  if (options.time === undefined) throw new ArgumentError(`${what}: windows need the time column`);
  const times = timesOf(table, options.time);
  const sorted = [...new Set(times.filter((t) => !Number.isNaN(t)))].sort((a, b) => a - b);
  const at = sorted.length - Math.round(share * sorted.length);
  if (at <= 0 || at >= sorted.length) throw new DataError('option', `${what} ${share} of ${sorted.length} times holds out ${at >= sorted.length ? 'no time' : 'every time'}`);
  const from = sorted[at];
  return { train: rowsOf(table, (i) => times[i] < from), test: table, from, to: Infinity };
}
