// Data larger than memory: window mode over a stream of rows sorted by id (any time order within
// an id), one id's series in memory at a time, batches out as an async iterable. The numbers are
// those of the in-memory build with the same options (same series code, same materialize).
import { DataError } from './errors.js';
import { sourceRecords, IdRuns, type RowSource } from './row-source.js';
import type { Cell, TimeKind } from './cells.js';
import { resolveColumns, type ResolvedColumns } from './columns.js';
import { buildSeries, rowId, timeKindFrom, type Series } from './series.js';
import { applyMissingRule } from './missing.js';
import { finishSeries } from './prepare.js';
import { windowSamples, blockWindows, checkWindow, stepsNeeded, type CheckedWindow, type SampleSpec } from './samples.js';
import { timeBlocks, timeCut, blockRange, type TimeCut } from './split.js';
import { ScaleAccumulator, checkStandardizer, type Standardizer } from './standardize.js';
import { materialize } from './materialize.js';
import { checkLayout, type Layout } from './layout.js';
import type { Batch } from './series-dataset.js';
import type { ColumnOptions, MissingRule, SplitName, SplitOptions, WindowOptions } from './options.js';

export type { RowSource } from './row-source.js';

export interface StreamOptions extends ColumnOptions, WindowOptions {
  /** Named: a stream cannot be scanned for its numeric columns first. */
  features: readonly string[];
  /** Default 'error'; 'carry-forward' needs standardizer.features for the leading gaps (their means). */
  missing?: MissingRule;
  /** A time split (fractions of each id's steps, or cutoffs), with `part` choosing the block streamed. */
  split?: Extract<SplitOptions, { by: 'time' }>;
  /** Default 'train'. */
  part?: SplitName;
  tooShort?: 'error' | 'drop';
}

export interface StreamBatchOptions extends StreamOptions {
  batchSize: number;
  /** Default 'terms-first'. */
  layout?: Layout;
  /** Applied as it is (fitted beforehand with fitStreamStandardizer, or stored with a model). */
  standardizer?: Standardizer;
}

export interface StreamBatch extends Batch {
  /** The entity of each sample and the time of its target step. */
  readonly sampleIds: readonly string[];
  readonly sampleTimes: Float64Array;
}

interface StreamContext {
  columns: ResolvedColumns;
  names: string[];
  hasId: boolean;
  window: CheckedWindow;
  cut: TimeCut | null;
}

/** Each id's checked series in stream order; an id that comes back after another started is an error. */
async function* streamSeries(source: RowSource, options: StreamOptions): AsyncGenerator<{ series: Series; ctx: StreamContext }> {
  const window = checkWindow(options);
  const missing = options.missing ?? 'error';
  if (missing !== 'error' && missing !== 'carry-forward') throw new DataError('option', `missing must be 'error' or 'carry-forward', got ${String(missing)}`);
  if (options.split && options.split.by !== 'time') throw new DataError('option', "a stream splits by time only (split: { by: 'time', ... })");
  let ctx: StreamContext | null = null, kind: TimeKind | null = null;
  let id: string | null = null, cells: (readonly Cell[])[] = [], rows: number[] = [], runs: IdRuns | null = null;
  const finish = (): Series | null => {
    if (id === null) return null;
    const s = buildSeries(id, cells, rows, ctx!.columns, kind!);
    cells = [];
    rows = [];
    if (s.length < stepsNeeded(window)) {
      if (options.tooShort === 'drop') return null;
      throw new DataError('too-few-rows', `the id has ${s.length} rows; a window of ${window.window} steps and its target ${window.horizon} steps later need ${stepsNeeded(window)}`,
        { id: s.id, column: ctx!.columns.id?.name });
    }
    applyMissingRule(s, missing, ctx!.names, ctx!.hasId);
    return s;
  };
  for await (const r of sourceRecords(source)) {
    if (!ctx) {
      const columns = resolveColumns(r.columns, options, window.horizon >= 1, null);
      ctx = { columns, names: columns.features.map((f) => f.name), hasId: columns.id !== undefined, window, cut: null };
      kind = timeKindFrom(r.cells[columns.time.index], columns, r.row, columns.id ? rowId(r.cells, columns, r.row) : undefined);
      ctx.cut = options.split ? timeCut(options.split, kind) : null;
      runs = new IdRuns(columns.id?.name);
    }
    const rid = rowId(r.cells, ctx.columns, r.row);
    if (runs!.next(rid, r.row)) {
      const s = finish();
      if (s) yield { series: s, ctx };
      id = rid;
    }
    cells.push(r.cells);
    rows.push(r.row);
  }
  const s = finish();
  if (s) yield { series: s, ctx: ctx! };
}

function partSpecs(s: Series, ctx: StreamContext, part: SplitName): SampleSpec[] {
  if (!ctx.cut) return part === 'train' ? windowSamples(s, ctx.window) : [];
  return blockWindows(s, ctx.window, ...blockRange(timeBlocks(s, ctx.cut), part, s.length)); // spread-ok: blockRange is a [start, end] pair
}

/**
 * The windows of a stream in batches of `batchSize` (the last may be short), in stream order (ids as
 * they come, windows by start); the same windows and numbers as datasetsFromCsv with the same options.
 */
export async function* windowBatches(source: RowSource, options: StreamBatchOptions): AsyncGenerator<StreamBatch> {
  const layout = checkLayout(options.layout ?? 'terms-first', 'windowBatches');
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) throw new DataError('option', `batchSize must be a positive integer, got ${options.batchSize}`);
  const standardizer = options.standardizer ?? {};
  let pending: SampleSpec[] = [];
  const emit = (specs: SampleSpec[], ctx: StreamContext): StreamBatch => {
    const ds = materialize(specs, { seq: ctx.window.window, featureNames: ctx.names, targetName: ctx.columns.target.name, standardizer, task: { kind: 'continuous' } });
    return { ...ds.toBatch(specs.map((_, i) => i), { layout }), sampleIds: ds.sampleIds, sampleTimes: ds.sampleTimes };
  };
  let last: StreamContext | null = null, checked = false;
  for await (const { series, ctx } of streamSeries(source, options)) {
    if (!checked) checkStandardizer(standardizer, ctx.names, ctx.columns.target.name), (checked = true);
    finishSeries(series, ctx.names, ctx.hasId, standardizer.features?.map((f) => f.mean) ?? null, standardizer.features ?? null);
    const specs = partSpecs(series, ctx, options.part ?? 'train');
    for (const p of specs) if (Number.isNaN(series.y[p.targetStep])) {
      throw new DataError('missing-value', 'a sample\'s target is missing (targets are never filled: drop the row or fill it)', { column: ctx.columns.target.name, row: series.rows[p.targetStep], id: ctx.hasId ? series.id : undefined });
    }
    for (const p of specs) pending.push(p);
    last = ctx;
    while (pending.length >= options.batchSize) {
      yield emit(pending.slice(0, options.batchSize), ctx);
      pending = pending.slice(options.batchSize);
    }
  }
  if (pending.length > 0) yield emit(pending, last!);
}

/**
 * One pass over a stream's training part (the same steps and windows as the in-memory build): the
 * per-feature mean and std, and the target's with standardizeTarget; give the result to windowBatches.
 */
export async function fitStreamStandardizer(source: RowSource, options: StreamOptions & { standardizeTarget?: boolean }): Promise<Standardizer> {
  let acc: ScaleAccumulator[] | null = null, names: string[] = [], targetName = '';
  const targetAcc = new ScaleAccumulator();
  for await (const { series: s, ctx } of streamSeries(source, { ...options, part: 'train' })) {
    names = ctx.names;
    targetName = ctx.columns.target.name;
    acc ??= names.map(() => new ScaleAccumulator());
    const F = names.length, to = ctx.cut ? timeBlocks(s, ctx.cut).validationStart : s.length;
    for (let k = 0; k < to; k++) for (let j = 0; j < F; j++) acc[j].add(s.x[k * F + j]);
    for (const p of partSpecs(s, ctx, 'train')) targetAcc.add(s.y[p.targetStep]);
  }
  if (!acc) throw new DataError('too-few-rows', 'the stream holds no id with the rows a window needs');
  return { features: acc.map((a, j) => a.scale(names[j])), ...(options.standardizeTarget ? { target: targetAcc.scale(targetName) } : {}) };
}
