// A long table with mixed inputs to MixedDatasets: time-varying features read as step inputs (the
// value carried forward, whether it was observed, the time since it was last observed), static
// features one value per entity (numeric: standardized; categorical: a level, rare or unseen ones
// 'other'), a table without a time column read as one sample per row. Statistics are fitted on the
// training split only and kept in MixedStats, which predictions reuse unchanged.
import { DataError, duplicateTimeError } from './errors.js';
import { beyondFloat32, isMissing, notANumber, numberCell, dateYears, timeCell, timeKindOf, idCell, TIME_CELL_FORMS, type Cell, type TimeKind } from './cells.js';
import type { LongTable } from './table.js';
import type { Series } from './series.js';
import type { MissingRule } from './options.js';
import { entitySplit, timeBlocks, timeCut, blockRange, type TimeCut } from './split.js';
import { panelSample, blockWindows, checkWindow, type SampleSpec, type CheckedWindow } from './samples.js';
import { ScaleAccumulator, standardizeValue, type Scale, type Standardizer } from './standardize.js';
import { MixedDataset, STEP_INPUTS } from './mixed-dataset.js';
import { Generator } from '../random.js';

export interface MixedColumns {
  id?: string;
  /** Absent: a plain table, one sample per row, every feature static. */
  time?: string;
  target: string;
  sequence: readonly string[];
  /** Time-varying text columns: each a sequence term whose steps read a one-hot of the level (carried forward), observed and gap. */
  sequenceCategorical: readonly string[];
  static: readonly string[];
  categorical: readonly string[];
  /** Time-varying or static features whose cells are dates, read as decimal years (dateYears). */
  dates?: readonly string[];
  /**
   * Per-sample weights of the loss and the metrics: one value per id in panel and table mode, the
   * target row's in window mode; finite and >= 0. Never a feature; optional in new data.
   */
  weight?: string;
}

export interface MixedBuildOptions extends MixedColumns {
  mode: 'panel' | 'window' | 'table';
  window?: number;
  horizon?: number;
  maxLength?: number;
  missing: MissingRule;
  /** Regression: targets standardized with the training scale (stats.target). */
  standardizeTarget: boolean;
  /** 'log' (the default): a heavily right-skewed, non-negative numeric feature is read as log(1 + value); 'keep': as it is. */
  skewed?: SkewedRule;
  /** Panel mode: the target is also a time-varying feature (in `sequence`), hidden at the sample's target step. */
  targetHistory?: boolean;
  /**
   * Regression whose target is also in `sequence` (window mode, target history): the samples' targets
   * are the change from the target's last known value (MixedStats.targetChange).
   */
  targetChange?: boolean;
}

export type SkewedRule = 'log' | 'keep';

/** What fitting learned on the training split (stored with the model through its preprocessing). */
export interface MixedStats {
  sequence: Scale[];
  static: Scale[];
  /** Per categorical feature its levels, 'other' first. */
  levels: string[][];
  /** Per time-varying categorical feature its levels, 'other' first (a level seen at fewer training steps than MIN_LEVEL_COUNT joins 'other'). */
  sequenceLevels: string[][];
  /** The typical gap between observations (the median over the training series), the unit of the gap input. */
  gapScale: number;
  target?: Scale;
  /**
   * Present when the model predicts the change from the target's last known value (lastTargetValue):
   * `target` is then the scale of those changes, and a sample with no earlier value changes from
   * `fallback`, the training targets' mean.
   */
  targetChange?: { fallback: number };
  /** Panel mode: the padded length. */
  seq: number;
  /** True when some static feature lacks a value in at least MIN_MISSING_COUNT training entities: each static term then also reads a missing flag. */
  staticMissing?: boolean;
  /**
   * With staticMissing, per static feature whether its flag is read: a feature missing in fewer
   * training entities reads a missing value as its mean instead, so a flag learned from one or two
   * rows cannot decide a prediction. Absent: every feature's flag is read.
   */
  staticFlagged?: boolean[];
  /**
   * True when a time-varying feature has empty cells in training: each step then also reads whether
   * the feature was observed at that step or any before it in the series, so a lab never measured
   * is told apart from one measured earlier at its mean.
   */
  seenInput?: boolean;
}

export const OTHER_LEVEL = 'other';

/** Inputs per step of every sequence term: value, observed, gap (and seen), then room for the widest one-hot of a time-varying categorical feature. */
export function stepInputsOf(stats: Pick<MixedStats, 'sequenceLevels' | 'seenInput'>): number {
  return levelOffsetOf(stats) + (stats.sequenceLevels ?? []).reduce((m, l) => Math.max(m, l.length), 0);
}

/** Where a time-varying level's one-hot starts in a step: after value, observed and gap (and seen). */
function levelOffsetOf(stats: Pick<MixedStats, 'seenInput'>): number {
  return STEP_INPUTS.length + (stats.seenInput ? 1 : 0);
}

/** Inputs of each static term: the value, and a missing flag when training saw a missing static value. */
export function staticInputsOf(stats: Pick<MixedStats, 'staticMissing'>): 1 | 2 {
  return stats.staticMissing ? 2 : 1;
}

/** Per static feature, whether the model reads its missing flag (none without staticMissing). */
export function staticFlagsOf(stats: Pick<MixedStats, 'staticMissing' | 'staticFlagged' | 'static'>): boolean[] {
  return stats.static.map((_, j) => !!stats.staticMissing && (stats.staticFlagged?.[j] ?? true));
}

/** A level seen in fewer training entities than this joins 'other'. */
export const MIN_LEVEL_COUNT = 2;
/** A static feature missing in fewer training entities than this reads a missing value as its mean, without a flag of its own. */
export const MIN_MISSING_COUNT = 5;

export interface Entity {
  series: Series;
  statics: number[];
  categories: (string | null)[];
  /** Per time-varying categorical feature, its level at each (sorted) step, null where missing. */
  stepLevels: (string | null)[][];
  /** The weight column's value at each (sorted) step; null without a weight column. */
  weights: Float64Array | null;
}

function column(table: LongTable, name: string, role: string): number {
  const i = table.columns.indexOf(name);
  if (i < 0) throw new DataError('missing-column', `the ${role} column is not in the header (${table.columns.join(', ')})`, { column: name });
  return i;
}

function number(cell: Cell, where: () => { column: string; row: number; id?: string }): number {
  const v = numberCell(cell);
  if (v === undefined) {
    throw new DataError('non-numeric', `${notANumber(cell)}: '${String(cell)}'${beyondFloat32(cell) ? '' : ' (declare the column categorical to use it as levels)'}`, where());
  }
  return v;
}

function date(cell: Cell, where: () => { column: string; row: number; id?: string }): number {
  const v = dateYears(cell);
  if (v === undefined) throw new DataError('non-numeric', `a cell is not a date like the column's others: '${String(cell)}'; ${TIME_CELL_FORMS}`, where());
  return v;
}

/** The reader of a numeric feature's cells: numbers, or dates as decimal years. */
const readerOf = (o: MixedBuildOptions, c: string) => (o.dates?.includes(c) ? date : number);

/**
 * The target's last known value that a sample's inputs hold (its own feature, carried forward from
 * the series start, before the step predicted): what a change is measured from; NaN when none.
 */
export function lastTargetValue(p: SampleSpec, o: Pick<MixedBuildOptions, 'sequence' | 'target'>): number {
  const j = o.sequence.indexOf(o.target), F = o.sequence.length, x = p.series.x;
  if (j < 0) return NaN;
  for (let k = Math.min(p.start + p.length - 1, p.targetStep - 1); k >= 0; k--) if (!Number.isNaN(x[k * F + j])) return x[k * F + j];
  return NaN;
}

/** Rows grouped into entities, sorted by time, with their static values checked constant within each entity. */
function entities(table: LongTable, o: MixedBuildOptions, targetOptional: boolean, streamKind?: TimeKind): { list: Entity[]; kind: TimeKind } {
  const idIndex = o.id !== undefined ? column(table, o.id, 'id') : -1;
  const timeIndex = o.time !== undefined ? column(table, o.time, 'time') : -1;
  // Window mode reads the target's earlier values as one of the features, as target history does.
  const readsTarget = o.targetHistory || (o.mode === 'window' && o.sequence.includes(o.target));
  if (readsTarget && !table.columns.includes(o.target)) {
    const why = o.targetHistory ? 'target history' : 'a window of its steps';
    throw new DataError('missing-column', `the target column is not in the header (${table.columns.join(', ')}): the model reads its earlier values (${why}); give the column, empty where unknown`, { column: o.target });
  }
  const targetIndex = targetOptional && !table.columns.includes(o.target) ? -1 : column(table, o.target, 'target');
  const seqIdx = o.sequence.map((c) => column(table, c, 'feature'));
  const seqRead = o.sequence.map((c) => readerOf(o, c)), staticRead = o.static.map((c) => readerOf(o, c));
  const staticIdx = o.static.map((c) => column(table, c, 'static feature'));
  const catIdx = o.categorical.map((c) => column(table, c, 'categorical feature'));
  const seqCatIdx = o.sequenceCategorical.map((c) => column(table, c, 'categorical feature'));
  const weightIndex = o.weight === undefined || (targetOptional && !table.columns.includes(o.weight)) ? -1 : column(table, o.weight, 'weight');
  const groups = new Map<string, number[]>();
  table.rows.forEach((row, i) => {
    let id: string;
    if (o.mode === 'table') id = idIndex >= 0 ? idCell(row[idIndex]) ?? String(table.rowNumbers[i]) : String(table.rowNumbers[i]);
    else if (idIndex < 0) id = '';
    else {
      const cell = idCell(row[idIndex]);
      if (cell === undefined) throw new DataError('missing-value', 'an id cell is empty', { column: o.id, row: table.rowNumbers[i] });
      id = cell;
    }
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(i);
  });
  if (o.mode === 'table' && idIndex >= 0) {
    const twice = [...groups].find(([, g]) => g.length > 1);
    if (twice) throw new DataError('option', `a table without a time column has one row per id; id '${twice[0]}' has ${twice[1].length} rows (name the time column)`, { column: o.id, id: twice[0] });
  }
  let kind: TimeKind = streamKind ?? 'number';
  // A stream's chunk reads times as the stream's first cell did (a chunk's first row may differ: an error naming it below).
  if (timeIndex >= 0 && table.rows.length && streamKind === undefined) {
    const first = table.rows[0][timeIndex];
    const k = timeKindOf(first);
    if (!k) throw new DataError('non-numeric', `a time cell is neither a number nor a date: '${String(first)}'; ${TIME_CELL_FORMS}`, { column: o.time, row: table.rowNumbers[0] });
    kind = k;
  }
  const F = o.sequence.length;
  const list: Entity[] = [];
  for (const [id, idx] of groups) {
    const where = (i: number, c: string) => () => ({ column: c, row: table.rowNumbers[i], ...(idIndex >= 0 ? { id } : {}) });
    const times = idx.map((i) => {
      if (timeIndex < 0) return 0;
      const cell = table.rows[i][timeIndex];
      if (isMissing(cell)) throw new DataError('missing-value', 'a time cell is empty', where(i, o.time!)());
      const t = timeCell(cell, kind);
      if (t === undefined || !Number.isFinite(t)) throw new DataError('non-numeric', `a time cell is not ${kind === 'number' ? 'a finite number' : 'a date'} like the column's first: '${String(cell)}'`, where(i, o.time!)());
      return t;
    });
    const order = idx.map((_, k) => k).sort((a, b) => times[a] - times[b] || a - b);
    const n = idx.length;
    const s = { id, rows: new Int32Array(n), times: new Float64Array(n), x: new Float64Array(n * F), y: new Float64Array(n), length: n };
    const stepLevels = seqCatIdx.map(() => new Array<string | null>(n).fill(null));
    const weights = weightIndex >= 0 ? new Float64Array(n) : null;
    order.forEach((src, k) => {
      const i = idx[src], row = table.rows[i];
      if (k > 0 && times[src] === times[order[k - 1]]) {
        throw duplicateTimeError(row[timeIndex], table.rowNumbers[idx[order[k - 1]]], table.rowNumbers[i], where(i, o.time!)());
      }
      s.rows[k] = table.rowNumbers[i];
      s.times[k] = times[src];
      seqIdx.forEach((c, j) => (s.x[k * F + j] = seqRead[j](row[c], where(i, o.sequence[j]))));
      seqCatIdx.forEach((c, j) => (stepLevels[j][k] = isMissing(row[c]) ? null : String(row[c]).trim()));
      s.y[k] = targetIndex < 0 ? NaN : number(row[targetIndex], where(i, o.target));
      if (weights) weights[k] = weightCell(row[weightIndex], where(i, o.weight!));
    });
    // Panel and table samples are ids: one weight per id, as static features hold one value.
    if (weights && o.mode !== 'window') {
      const k = weights.findIndex((w) => w !== weights[0]);
      if (k >= 0) {
        throw new DataError('option', `the weight column '${o.weight}' changes within id '${id}' (${weights[0]}, then ${weights[k]}): a sample is an id and has one weight`, where(idx[order[k]], o.weight!)());
      }
    }
    const statics = staticIdx.map((c, j) => {
      let v = NaN;
      for (const i of idx) {
        const x = staticRead[j](table.rows[i][c], where(i, o.static[j]));
        if (Number.isNaN(x)) continue;
        if (!Number.isNaN(v) && x !== v) throw new DataError('option', `the static feature '${o.static[j]}' changes within id '${id}' (${v}, then ${x}): static features hold one value per id`, where(i, o.static[j])());
        v = x;
      }
      return v;
    });
    const categories = catIdx.map((c, j) => {
      let v: string | null = null;
      for (const i of idx) {
        const cell = table.rows[i][c];
        if (isMissing(cell)) continue;
        const text = String(cell).trim();
        if (v !== null && text !== v && o.mode !== 'table') throw new DataError('option', `the categorical feature '${o.categorical[j]}' changes within id '${id}' ('${v}', then '${text}'): categorical features hold one level per id`, where(i, o.categorical[j])());
        v = text;
      }
      return v;
    });
    list.push({ series: s, statics, categories, stepLevels, weights });
  }
  return { list, kind };
}

/** A weight cell: a finite number >= 0. */
function weightCell(cell: Cell, where: () => { column: string; row: number; id?: string }): number {
  if (isMissing(cell)) throw new DataError('missing-value', 'a weight cell is empty: every row needs its weight (a finite number >= 0)', where());
  const v = numberCell(cell);
  if (v === undefined) throw new DataError('non-numeric', `a weight cell is not a number: '${String(cell)}'`, where());
  if (!(v >= 0 && Number.isFinite(v))) throw new DataError('option', `a weight must be a finite number >= 0, got ${v}`, where());
  return v;
}

/** The sample specs of each entity: one per panel id or table row; windows; samples whose target is unknown are skipped when `skipUnknown`. */
function specsOf(e: Entity, o: MixedBuildOptions, w: CheckedWindow | null, from = 0, to = e.series.length): SampleSpec[] {
  const s = e.series;
  if (o.mode === 'window') return blockWindows(s, w!, from, to);
  // Panel and table: the target is the last observed one; the inputs end there.
  let last = s.length - 1;
  while (last > 0 && Number.isNaN(s.y[last])) last--;
  const p = panelSample({ ...s, length: last + 1 }, o.maxLength);
  return [{ ...p, series: s }];
}

/**
 * The median of the positive gaps between consecutive steps of the training series (1 when there is
 * none), one gap at a time: exact from the count of each distinct gap; past `cap` distinct gaps (a
 * stream of irregular times) it is the median of a seeded uniform sample of `cap` gaps.
 */
export class GapMedian {
  private counts: Map<number, number> | null = new Map();
  private readonly sample: number[] = [];
  private seen = 0;
  private readonly gen = new Generator(0);

  constructor(private readonly cap = Infinity) {}

  addSeries(s: Series): void {
    for (let k = 1; k < s.length; k++) if (s.times[k] > s.times[k - 1]) this.add(s.times[k] - s.times[k - 1]);
  }

  private add(gap: number): void {
    this.seen++;
    if (Number.isFinite(this.cap)) {
      if (this.sample.length < this.cap) this.sample.push(gap);
      else {
        const j = this.gen.int(this.seen);
        if (j < this.cap) this.sample[j] = gap;
      }
    }
    if (!this.counts) return;
    this.counts.set(gap, (this.counts.get(gap) ?? 0) + 1);
    if (this.counts.size > this.cap) this.counts = null;
  }

  /** True when the median is of a sample (more distinct gaps than the cap). */
  get sampled(): boolean {
    return this.counts === null;
  }

  median(): number {
    if (this.seen === 0) return 1;
    if (!this.counts) {
      const sorted = [...this.sample].sort((a, b) => a - b);
      return sorted[Math.floor(sorted.length / 2)];
    }
    const half = Math.floor(this.seen / 2);
    let below = 0;
    for (const [gap, count] of [...this.counts].sort((a, b) => a[0] - b[0])) {
      below += count;
      if (below > half) return gap;
    }
    return 1;
  }
}

export interface MixedBuild {
  train: MixedDataset;
  validation?: MixedDataset;
  test?: MixedDataset;
  stats: MixedStats;
  timeKind: TimeKind;
  /** Samples left out of training and evaluation because their target is missing. */
  skippedTargets: number;
  /** Window mode: the ids with fewer rows than a window and its horizon, which make no sample. */
  shortIds: string[];
}

function checkOptions(o: MixedBuildOptions): CheckedWindow | null {
  if (o.mode === 'window') return checkWindow({ window: o.window!, horizon: o.horizon });
  if (o.missing !== 'error' && o.missing !== 'carry-forward' && o.missing !== 'mask') {
    throw new DataError('option', `missing must be 'error', 'carry-forward' or 'mask', got ${String(o.missing)}`);
  }
  return null;
}

/**
 * Window mode: the ids with at least `need` rows (a window, and for training its horizon), and the
 * ids of the others, which make no sample (a patient with one visit, a sensor that came late). Every
 * id in a panel or a table makes a sample.
 */
function longEnough(list: Entity[], w: CheckedWindow | null, need: number): { kept: Entity[]; shortIds: string[] } {
  if (!w) return { kept: list, shortIds: [] };
  const kept = list.filter((e) => e.series.length >= need);
  return { kept, shortIds: list.filter((e) => e.series.length < need).map((e) => e.series.id) };
}

/** What a window needs, for the error when no id has it. */
export function windowNeeds(w: { window: number; horizon: number }, training: boolean): string {
  const need = training ? w.window + w.horizon : w.window;
  return `the ${need} rows a window of ${w.window} steps${training ? ` and its target ${w.horizon} step${w.horizon === 1 ? '' : 's'} later need` : ' needs'}`;
}

/**
 * The split a column assigns to each entity: its cells say 'train', 'validation' or 'test' (any case),
 * one value per entity; anything else is an error naming the cell.
 */
function columnSplit(table: LongTable, o: MixedBuildOptions, splitColumn: string): Map<string, SplitPart> {
  const index = column(table, splitColumn, 'split');
  const idIndex = o.id !== undefined ? table.columns.indexOf(o.id) : -1;
  const out = new Map<string, SplitPart>();
  table.rows.forEach((row, i) => {
    const text = String(row[index] ?? '').trim().toLowerCase();
    if (text !== 'train' && text !== 'validation' && text !== 'test') {
      throw new DataError('option', `a split cell must be train, validation or test, got '${String(row[index] ?? '')}'`, { column: splitColumn, row: table.rowNumbers[i] });
    }
    const id = o.mode === 'table' ? (idIndex >= 0 ? idCell(row[idIndex]) ?? String(table.rowNumbers[i]) : String(table.rowNumbers[i])) : idCell(row[idIndex]) ?? '';
    const before = out.get(id);
    if (before !== undefined && before !== text) throw new DataError('option', `the split column gives id '${id}' both ${before} and ${text}: one split per id`, { column: splitColumn, row: table.rowNumbers[i], id });
    out.set(id, text);
  });
  return out;
}

export type SplitPart = 'train' | 'validation' | 'test';

/** Each entity's samples by part (known targets only) and the steps whose values fit the statistics. */
export interface PartSpecs {
  specs: Record<SplitPart, { e: Entity; p: SampleSpec }[]>;
  /** Per training entity, the steps [from, to) the feature scales and levels are fitted on. */
  trainSteps: [Entity, number, number][];
  /** Samples left out because their target is missing. */
  skippedTargets: number;
  /** Window mode: the ids too short for a window and its horizon (no sample). */
  shortIds: string[];
}

/** Splits the entities' samples: whole ids by `partOf` (panel, table), time blocks by `cut` (window). */
function partSpecs(list: readonly Entity[], o: MixedBuildOptions, w: CheckedWindow | null, partOf: ((id: string) => SplitPart) | null, cut: TimeCut | null): Omit<PartSpecs, 'shortIds'> {
  const specs: PartSpecs['specs'] = { train: [], validation: [], test: [] };
  const trainSteps: [Entity, number, number][] = [];
  for (const e of list) {
    if (cut) {
      const blocks = timeBlocks(e.series, cut);
      for (const part of ['train', 'validation', 'test'] as const) {
        const [from, to] = blockRange(blocks, part, e.series.length);
        for (const p of specsOf(e, o, w, from, to)) specs[part].push({ e, p });
      }
      trainSteps.push([e, 0, blocks.validationStart]);
    } else {
      const part = partOf!(e.series.id);
      const ps = specsOf(e, o, w);
      for (const p of ps) specs[part].push({ e, p });
      if (part === 'train') trainSteps.push([e, 0, ps[0]?.targetStep + 1 || e.series.length]);
    }
  }
  let skippedTargets = 0;
  for (const part of ['train', 'validation', 'test'] as const) {
    const before = specs[part].length;
    specs[part] = specs[part].filter(({ p }) => !Number.isNaN(p.series.y[p.targetStep]));
    skippedTargets += before - specs[part].length;
  }
  return { specs, trainSteps, skippedTargets };
}

/** Fits on the training split (whole ids for panels and tables, time blocks for windows) and builds every split. */
export function buildMixed(table: LongTable, o: MixedBuildOptions, split: { validation: number; test: number; seed: number; column?: string; stratify?: boolean }): MixedBuild {
  const w = checkOptions(o);
  if (split.column !== undefined && o.mode === 'window') throw new DataError('option', 'a split column assigns whole ids: it needs panel mode or a plain table (windows are split in time)', { column: split.column });
  const all = entities(table, o, false), kind = all.kind;
  const { kept: list, shortIds } = longEnough(all.list, w, w ? w.window + w.horizon : 1);
  if (list.length === 0) throw new DataError('too-few-rows', `no id has ${windowNeeds(w!, true)}`, o.id !== undefined ? { column: o.id } : {});
  missingRule(list, o);
  // Classification: each id's stratum is its sample's label (panel and table modes make one sample per id).
  const strata = split.stratify && o.mode !== 'window' ? list.map((e) => { const p = specsOf(e, o, w)[0]; return String(p.series.y[p.targetStep]); }) : null;
  const parts = split.column !== undefined ? columnSplit(table, o, split.column) : o.mode !== 'window' ? entitySplit(list.map((e) => e.series.id), split, strata) : null;
  const cut = o.mode === 'window' ? timeCut({ by: 'time', validation: split.validation, test: split.test }, kind) : null;
  const { specs, trainSteps, skippedTargets } = partSpecs(list, o, w, parts && ((id) => parts.get(id) ?? 'train'), cut);
  if (specs.train.length === 0) throw new DataError('option', 'no training sample has a known target (check the split and the target column)');
  const acc = new MixedStatsAccumulator(o);
  acc.add({ specs, trainSteps, skippedTargets, shortIds });
  const stats = acc.finish();
  const build = (part: 'train' | 'validation' | 'test') => materializeMixed(specs[part], o, stats);
  const out: MixedBuild = { train: build('train'), stats, timeKind: kind, skippedTargets, shortIds };
  const byColumn = split.column !== undefined;
  if ((split.validation > 0 || byColumn) && specs.validation.length) out.validation = build('validation');
  if ((split.test > 0 || byColumn) && specs.test.length) out.test = build('test');
  for (const part of ['validation', 'test'] as const) {
    if (byColumn || !(split[part] > 0) || out[part]) continue;
    throw new DataError('option', `the split asks for ${part} data and none comes out: ${w
      ? `window mode splits each series in time, and no series' ${part} block (${part === 'validation' ? `${Math.round(split[part] * 100)}% of its steps, just before the test block` : `the last ${Math.round(split[part] * 100)}% of its steps`}) holds the target of a window (a step with ${w.window + w.horizon - 1} steps before it); a larger split.${part} = share, a shorter window, or panel mode (one sample per id) gives some`
      : 'too few ids'}`);
  }
  for (const part of ['train', 'validation', 'test'] as const) {
    const w = out[part]?.weights;
    if (w && !w.some((x) => x > 0)) throw new DataError('option', `every ${part} sample has weight 0: the weights must leave something to learn from and to measure`, { column: o.weight });
  }
  return out;
}

/** How a stream's ids are split: a split column's cells, or a function of the id (hashedSplit); window mode splits in time. */
export type StreamSplit = { column: string } | { of: (id: string) => SplitPart; validation: number; test: number };

/**
 * A stream's chunk of whole ids (idChunks), checked and split as buildMixed checks and splits a
 * table: its samples by part, for the statistics (MixedStatsAccumulator) and, once they are fitted,
 * the datasets (chunkDataset). `kind`: the time kind of the stream's first time cell.
 */
export function chunkParts(table: LongTable, o: MixedBuildOptions, split: StreamSplit, kind: TimeKind): PartSpecs {
  const w = checkOptions(o);
  if ('column' in split && o.mode === 'window') throw new DataError('option', 'a split column assigns whole ids: it needs panel mode or a plain table (windows are split in time)', { column: split.column });
  const { kept: list, shortIds } = longEnough(entities(table, o, false, kind).list, w, w ? w.window + w.horizon : 1);
  missingRule(list, o);
  const byColumn = 'column' in split ? columnSplit(table, o, split.column) : null;
  const partOf = o.mode === 'window' ? null : byColumn ? (id: string) => byColumn.get(id) ?? 'train' : (split as { of: (id: string) => SplitPart }).of;
  const cut = o.mode === 'window' ? timeCut({ by: 'time', validation: (split as { validation: number }).validation, test: (split as { test: number }).test }, kind) : null;
  return { ...partSpecs(list, o, w, partOf, cut), shortIds };
}

/** One part of a chunk as a dataset with the fitted statistics; null when the chunk has no sample of that part. */
export function chunkDataset(parts: PartSpecs, part: SplitPart, o: MixedBuildOptions, stats: MixedStats): MixedDataset | null {
  return parts.specs[part].length ? materializeMixed(parts.specs[part], o, stats) : null;
}

/** The time kind of a stream's first time cell (what entities() reads from a table's first row). */
export function streamTimeKind(cell: Cell, column: string, row: number): TimeKind {
  const k = timeKindOf(cell);
  if (!k) throw new DataError('non-numeric', `a time cell is neither a number nor a date: '${String(cell)}'; ${TIME_CELL_FORMS}`, { column, row });
  return k;
}

/**
 * New data with fitted statistics: no split; every sample kept, its target NaN where unknown. Window
 * mode: the ids shorter than a window make none (shortIds); dataset is null when no id makes one.
 */
export function transformMixed(table: LongTable, o: MixedBuildOptions, stats: MixedStats): { dataset: MixedDataset | null; shortIds: string[] } {
  const w = checkOptions(o);
  const { kept: list, shortIds } = longEnough(entities(table, o, true).list, w, w ? w.window : 1);
  if (list.length === 0) return { dataset: null, shortIds };
  missingRule(list, o);
  const specs: { e: Entity; p: SampleSpec }[] = [];
  for (const e of list) {
    if (o.mode === 'window') {
      // A window ending at every step, the latest one being the forecast (its target lies after the table).
      const s = e.series;
      for (let end = w!.window - 1; end < s.length; end++) specs.push({ e, p: { series: s, start: end - w!.window + 1, length: w!.window, targetStep: end + w!.horizon } });
    } else {
      const s = e.series;
      const p = panelSample(s, o.maxLength);
      specs.push({ e, p });
    }
  }
  return { dataset: materializeMixed(specs, o, stats), shortIds };
}

function missingRule(list: Entity[], o: MixedBuildOptions): void {
  if (o.missing !== 'error') return;
  const F = o.sequence.length;
  for (const { series: s, stepLevels } of list) {
    stepLevels.forEach((levels, j) => {
      const k = levels.indexOf(null);
      if (k >= 0) {
        throw new DataError('missing-value', "a feature value is missing (missing: 'mask' lets the model see which values were observed)",
          { column: o.sequenceCategorical[j], row: s.rows[k], ...(o.id !== undefined ? { id: s.id } : {}) });
      }
    });
    for (let k = 0; k < s.length; k++) {
      for (let j = 0; j < F; j++) {
        if (Number.isNaN(s.x[k * F + j])) {
          throw new DataError('missing-value', "a feature value is missing (missing: 'mask' lets the model see which values were observed; 'carry-forward' repeats the last one)",
            { column: o.sequence[j], row: s.rows[k], ...(o.id !== undefined ? { id: s.id } : {}) });
        }
      }
    }
  }
}

/**
 * The statistics of the training split, fitted a table or a stream's chunk at a time: feature scales
 * and time-varying levels over the training steps; static scales, levels and the gap unit over the
 * entities with a known training target; the target scale and the panel length over the training
 * samples. The in-memory build adds its one table, a stream its chunks: one fit, the same numbers
 * for the same rows in the same order.
 */
export class MixedStatsAccumulator {
  private readonly seqAcc: ScaleAccumulator[];
  private readonly staticAcc: ScaleAccumulator[];
  private readonly levelCounts: Map<string, number>[];
  private readonly stepLevelCounts: Map<string, number>[];
  private readonly targetAcc = new ScaleAccumulator();
  /** With targetChange: the targets' changes from their last known value. */
  private readonly changeAcc = new ScaleAccumulator();
  private readonly gaps: GapMedian;
  private readonly staticMissingCounts: number[];
  private seenInput = false;
  private longest = 1;
  /** Training samples added. */
  samples = 0;

  /** `gapCap`: distinct gaps counted exactly before the gap unit is a sample's median (streams). */
  constructor(private readonly o: MixedBuildOptions, gapCap = Infinity) {
    const logSkewed = (o.skewed ?? 'log') === 'log';
    // A window's own target history stays on the target's scale, where persistence is linear (persistence-start.ts).
    this.seqAcc = o.sequence.map((c) => new ScaleAccumulator({ logSkewed: logSkewed && !(o.mode === 'window' && c === o.target) }));
    this.staticAcc = o.static.map(() => new ScaleAccumulator({ logSkewed }));
    this.staticMissingCounts = o.static.map(() => 0);
    this.levelCounts = o.categorical.map(() => new Map());
    this.stepLevelCounts = o.sequenceCategorical.map(() => new Map());
    this.gaps = new GapMedian(gapCap);
  }

  /** True when the gap unit is the median of a sample of the gaps. */
  get gapSampled(): boolean {
    return this.gaps.sampled;
  }

  add(parts: PartSpecs): void {
    const o = this.o, F = o.sequence.length;
    for (const [e, from, to] of parts.trainSteps) {
      for (let k = from; k < to; k++) for (let j = 0; j < F; j++) this.seqAcc[j].add(e.series.x[k * F + j]);
      e.stepLevels.forEach((steps, j) => {
        for (let k = from; k < to; k++) {
          const v = steps[k];
          if (v !== null) this.stepLevelCounts[j].set(v, (this.stepLevelCounts[j].get(v) ?? 0) + 1);
        }
      });
      if (o.missing === 'mask' && !this.seenInput && e.series.x.subarray(from * F, to * F).some(Number.isNaN)) this.seenInput = true;
    }
    let last: Entity | null = null;
    for (const { e, p } of parts.specs.train) {
      const y = p.series.y[p.targetStep];
      this.targetAcc.add(y);
      if (o.targetChange) this.changeAcc.add(y - lastTargetValue(p, o));
      this.longest = Math.max(this.longest, p.length);
      this.samples++;
      if (e === last) continue;
      last = e;
      e.statics.forEach((v, j) => {
        this.staticAcc[j].add(v);
        if (Number.isNaN(v)) this.staticMissingCounts[j]++;
      });
      e.categories.forEach((v, j) => {
        if (v !== null) this.levelCounts[j].set(v, (this.levelCounts[j].get(v) ?? 0) + 1);
      });
      this.gaps.addSeries(e.series);
    }
  }

  finish(): MixedStats {
    const o = this.o;
    const scale = (acc: ScaleAccumulator, name: string): Scale => (acc.count > 0 ? acc.scale(name) : { name, mean: 0, std: 1 });
    const levels = (counts: Map<string, number>) => [OTHER_LEVEL, ...[...counts].filter(([level, c]) => c >= MIN_LEVEL_COUNT && level !== OTHER_LEVEL).map(([level]) => level).sort()];
    const flagged = this.staticMissingCounts.map((c) => c >= MIN_MISSING_COUNT);
    // Changes need a last value: none known in training leaves the target as it is.
    const change = o.targetChange && this.changeAcc.count > 0;
    return {
      sequenceLevels: this.stepLevelCounts.map(levels),
      sequence: o.sequence.map((name, j) => scale(this.seqAcc[j], name)),
      static: o.static.map((name, j) => scale(this.staticAcc[j], name)),
      levels: this.levelCounts.map(levels), gapScale: this.gaps.median(),
      ...(flagged.some((f) => f) ? { staticMissing: true, staticFlagged: flagged } : {}),
      ...(this.seenInput ? { seenInput: true } : {}),
      ...(this.targetAcc.count > 0 ? { target: (change ? this.changeAcc : this.targetAcc).scale(o.target) } : {}),
      ...(change ? { targetChange: { fallback: this.targetAcc.scale(o.target).mean } } : {}),
      seq: o.mode === 'window' ? o.window! : o.maxLength ?? this.longest,
    };
  }
}

/** The numeric features, time-varying then static, that the fit reads as log(1 + value). */
export function logScaledFeatures(stats: Pick<MixedStats, 'sequence' | 'static'>): string[] {
  return [...stats.sequence, ...stats.static].filter((s) => s.log).map((s) => s.name);
}

/** The scales a mixed dataset applies: the time-varying features' (when it has sequence terms) and the regression target's. */
export function mixedStandardizer(o: MixedBuildOptions, stats: MixedStats): Standardizer {
  const sequenceTerms = o.mode === 'table' ? 0 : o.sequence.length + o.sequenceCategorical.length;
  return { ...(sequenceTerms ? { features: stats.sequence } : {}), ...(stats.target && o.standardizeTarget ? { target: stats.target } : {}) };
}

/** Sample specs to a MixedDataset with the fitted statistics (targets standardized when stats.target is set and asked for). */
function materializeMixed(specs: readonly { e: Entity; p: SampleSpec }[], o: MixedBuildOptions, stats: MixedStats): MixedDataset {
  const n = specs.length, F = o.sequence.length, S = o.mode === 'table' ? 1 : stats.seq;
  const Fc = o.mode === 'table' ? 0 : o.sequenceCategorical.length, D = stepInputsOf(stats), levelAt = levelOffsetOf(stats), seenAt = stats.seenInput ? STEP_INPUTS.length : -1;
  const Ts = o.mode === 'table' ? 0 : F + Fc;
  const sequence = new Float32Array(Ts * n * S * D), rawSequence = new Float64Array(Ts * n * S).fill(NaN), lengths = new Int32Array(n);
  const statics = new Float32Array(o.static.length * n), rawStatics = new Float64Array(o.static.length * n);
  const categorical = new Int32Array(o.categorical.length * n), targets = new Float32Array(n), rawTargets = new Float64Array(n), sampleTimes = new Float64Array(n);
  const weights = specs.length && specs[0].e.weights ? new Float32Array(n) : null;
  const change = stats.targetChange, targetOffsets = change ? new Float64Array(n) : null;
  // Per series, the carried value and the time of the last observation before each step.
  const carried = new Map<Series, { value: Float64Array; lastSeen: Float64Array }>();
  const history = (s: Series) => {
    let h = carried.get(s);
    if (h) return h;
    h = { value: new Float64Array(s.length * F), lastSeen: new Float64Array(s.length * F) };
    for (let j = 0; j < F; j++) {
      let value = NaN, seen = s.times[0];
      for (let k = 0; k < s.length; k++) {
        h.lastSeen[k * F + j] = seen; // the time of the last observation before step k (the series start before the first)
        const v = s.x[k * F + j];
        if (!Number.isNaN(v)) value = v, seen = s.times[k];
        h.value[k * F + j] = value;
      }
    }
    carried.set(s, h);
    return h;
  };
  const target = stats.target;
  // Target history: the target's own feature, whose value at the step predicted is hidden (read as unobserved).
  const hidden = o.targetHistory ? o.sequence.indexOf(o.target) : -1;
  specs.forEach(({ e, p }, i) => {
    const s = p.series;
    const len = Math.min(p.length, S), first = p.start + p.length - len;
    lengths[i] = Math.max(1, len);
    // Time-varying levels: a one-hot of the level carried forward (after value, observed, gap and seen), the raw level index for explanations.
    for (let c = 0; c < Fc; c++) {
      const levels = stats.sequenceLevels[c], j = F + c, steps = e.stepLevels[c];
      let carried = -1, seen = s.times[0];
      for (let k = 0; k < first + len; k++) {
        const gap = s.times[k] - seen, v = steps[k];
        const level = v === null ? -1 : Math.max(0, levels.indexOf(v));
        if (v !== null) carried = level, seen = s.times[k];
        const t = k - first;
        if (t < 0) continue;
        const at = ((j * n + i) * S + t) * D;
        sequence[at + 1] = v === null ? 0 : 1;
        sequence[at + 2] = Math.log1p(Math.max(0, gap) / stats.gapScale);
        if (carried >= 0) sequence[at + levelAt + carried] = 1;
        if (seenAt >= 0 && carried >= 0) sequence[at + seenAt] = 1;
        rawSequence[(j * n + i) * S + t] = v === null ? NaN : level;
      }
    }
    if (F > 0 && Ts > 0) {
      const h = history(s);
      for (let j = 0; j < F; j++) {
        const sc = stats.sequence[j];
        for (let t = 0; t < len; t++) {
          const k = first + t, at = ((j * n + i) * S + t) * D;
          const hide = j === hidden && k === p.targetStep;
          const raw = hide ? NaN : s.x[k * F + j], value = hide ? (k > 0 ? h.value[(k - 1) * F + j] : NaN) : h.value[k * F + j];
          sequence[at] = Number.isNaN(value) ? 0 : standardizeValue(value, sc);
          sequence[at + 1] = Number.isNaN(raw) ? 0 : 1;
          sequence[at + 2] = Math.log1p(Math.max(0, s.times[k] - h.lastSeen[k * F + j]) / stats.gapScale);
          if (seenAt >= 0 && !Number.isNaN(value)) sequence[at + seenAt] = 1;
          rawSequence[(j * n + i) * S + t] = raw;
        }
      }
    }
    e.statics.forEach((v, j) => {
      rawStatics[j * n + i] = v;
      statics[j * n + i] = Number.isNaN(v) ? 0 : standardizeValue(v, stats.static[j]);
    });
    e.categories.forEach((v, j) => {
      const k = v === null ? 0 : stats.levels[j].indexOf(v);
      categorical[j * n + i] = k < 0 ? 0 : k;
    });
    const y = p.targetStep < s.length ? s.y[p.targetStep] : NaN;
    if (targetOffsets) {
      const last = lastTargetValue(p, o);
      targetOffsets[i] = Number.isNaN(last) ? change!.fallback : last;
    }
    const learned = targetOffsets ? y - targetOffsets[i] : y;
    targets[i] = target && o.standardizeTarget ? standardizeValue(learned, target) : learned;
    rawTargets[i] = y;
    // The target row's weight (a forecast past the table's end has none: 0, and no target either).
    if (weights) weights[i] = p.targetStep < s.length ? e.weights![p.targetStep] : 0;
    // The time a sample is known at: its last input step (a forecast's target lies after it).
    sampleTimes[i] = s.times[first + Math.max(1, len) - 1];
  });
  return new MixedDataset({
    sequence, sequenceTerms: Ts, stepInputs: D, sequenceLevels: Fc ? stats.sequenceLevels : [], seq: S, lengths, statics, staticTerms: o.static.length, staticInputs: staticInputsOf(stats), staticFlagged: staticFlagsOf(stats), categorical, levels: stats.levels,
    targets, samples: n, featureNames: [...(Ts ? [...o.sequence, ...o.sequenceCategorical] : []), ...o.static, ...o.categorical], targetNames: [o.target],
    sampleIds: specs.map(({ p }) => p.series.id), sampleTimes,
    standardizer: mixedStandardizer(o, stats),
    rawSequence, rawStatics, rawTargets, weights, targetOffsets,
    logScaled: logScaledFeatures(stats), dates: o.dates ?? [],
  });
}
