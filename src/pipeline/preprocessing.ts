// The fitted preprocessing of a table: which columns are what, panel or window samples, the
// missing-value rule and fill values, the standardizer, the target's encoding (task and class
// labels) and the time column's kind. Fitted on the training split only, stored in the model file as
// a versioned record, and applied unchanged to new data: one object that training, predict, the CLI
// and the page share. A new preprocessing step is a field here, its record and its tests.
import { DataError } from '../data/errors.js';
import { isMissing, numberCell, timeKindOf, type Cell, type TimeKind } from '../data/cells.js';
import { ROW_NAMES, type LongTable } from '../data/table.js';
import { TaskHintAccumulator, type TaskHint } from '../data/task.js';
import { datasetsFromTable, type Datasets } from '../data/build.js';
import { predictionDatasetFromTable } from '../data/prediction-dataset.js';
import type { SeriesDataset } from '../data/series-dataset.js';
import type { MissingRule } from '../data/options.js';
import type { Standardizer } from '../data/standardize.js';
import { checkTaskAgainstTargets, checkTaskName, inferTask, maxInferredClasses, type Task } from '../train/task.js';
import { buildMixed, mixedStandardizer, transformMixed, windowNeeds, type MixedBuildOptions, type MixedStats, type SkewedRule } from '../data/mixed-build.js';
import { MixedDataset } from '../data/mixed-dataset.js';
import { chooseColumns, type Asked, type ColumnChoice, type ColumnRoles } from './columns.js';
import { ArgumentError, FileFormatError, describeValue } from '../errors.js';
import { shortIdsOf, type ShortIds } from './short-ids.js';

/** The record's version this code writes (1: series inputs only; 2: mixed inputs; 3: log-scaled features; 4: target history; 5: per-feature missing flags; 6: date features; 7: a target learned as a change); a newer one is refused with a FileFormatError. */
export const PREPROCESSING_VERSION = 7;

/** The JSON record stored in a model file under `rnam.preprocessing` (documented in docs/api.md). */
export interface PreprocessingRecord {
  version: number;
  /**
   * 'mixed' (AdditiveRNAM): time-varying features as step inputs (value, observed, gap, and seen with empty cells), static and
   * categorical features one value per entity; 'series' (FirstOrderRNAM): one value per feature and step.
   */
  inputs: 'series' | 'mixed';
  /** features: every model input in term order (time-varying numbers, time-varying levels, static, categorical). */
  /** weight: the column of per-sample weights training read (mixed inputs), never a feature. */
  columns: { id?: string; time?: string; target: string; features: string[]; sequenceCategorical?: string[]; static?: string[]; categorical?: string[]; weight?: string;
    /** Numeric features whose cells are dates, read as decimal years. */
    dates?: string[] };
  /** 'panel': one sample per id, the target at its last known row; 'window': sliding windows per id; 'table': one sample per row (no time column). */
  mode: 'panel' | 'window' | 'table';
  window?: number;
  horizon?: number;
  /** Panel mode: the padded length of the training data (longer series keep their last steps). */
  maxLength?: number;
  /** Panel mode: the target's earlier values are a time-varying feature named as the target; its value at the target row is hidden. */
  targetHistory?: true;
  missing: MissingRule;
  /** Numbers, or ISO-8601 dates (then times are ms since 1970 inside, written back as dates). */
  time: { kind: TimeKind };
  /** Feature scales (and, for regression, the target's), fitted on the training split. */
  standardizer: Standardizer;
  /** Per feature, its raw training mean: the fill of an id's leading gap under carry-forward (series inputs). */
  fill: number[];
  /** Mixed inputs: the scales, the categorical levels ('other' first) and the gap unit fitted on the training split. */
  mixed?: MixedStats;
  target: {
    task: Task;
    /** Classification: the label of each class, in output order (binary: [negative, positive]). */
    classes?: string[];
    /** True when the column holds text labels (mapped to class indices by `classes`), not numbers. */
    labels?: boolean;
  };
}

export interface PreprocessingOptions extends ColumnRoles {
  /** Default 'mixed'; 'series' builds the seed model's inputs (one value per feature and step). */
  inputs?: 'series' | 'mixed';
  /** Default: inferred from the target column by the one rule (train/task.ts). */
  task?: Task;
  /** Binary with text labels: the label that is class 1 (default: the second label in sorted order). */
  positive?: string;
  /**
   * Classification: the class labels in output order (binary: [negative, positive]), as the target's
   * cells spell them, instead of those the training rows hold: the classes stay the same when some
   * are rare or absent in the rows trained on (cross-validation gives every fold the whole table's).
   * Every label in the target column must be one of them.
   */
  classes?: string[];
  window?: number;
  horizon?: number;
  missing?: MissingRule;
  /**
   * Mixed inputs, default 'log': a numeric feature whose training values are non-negative and heavily
   * right-skewed (skewness above 2, at least halved on the log scale) is read as log(1 + value);
   * 'keep' reads every feature as it is.
   */
  skewed?: SkewedRule;
  /**
   * Panel mode: the target's earlier values are also a time-varying feature (named as the target),
   * its value at the row predicted hidden, as window mode reads a target's past. Only where the
   * target column holds values measured over time: a label known only later (an outcome copied to
   * every row, a "dies within 3 years" per visit) would leak. Regression and binary targets.
   */
  targetHistory?: boolean;
  /**
   * Regression that reads the target's own history (window mode with the target among the features,
   * or targetHistory): the model learns the change from the target's last known value, and a
   * prediction is that value plus the model's output, so a level beyond the training range is
   * followed. Default: on wherever it applies; false learns the level itself.
   */
  targetChange?: boolean;
  /**
   * A column of per-sample weights for the loss and the metrics (mixed inputs): one value per id in
   * panel and table mode, the target row's in window mode; finite numbers >= 0, not all 0.
   */
  weight?: string;
  /** Default { validation: 0.15, test: 0.15, seed: 0 }: whole ids for panels, consecutive time blocks for windows. */
  split?: {
    validation?: number; test?: number; seed?: number;
    /** A column whose cells say train, validation or test, one value per id (mixed inputs, panel or table mode): the split as given, no fractions. */
    column?: string;
  };
}

/** What fitting found out, for the caller to say (the CLI prints these lines). */
export interface FitNotes {
  taskInferred: boolean;
  /** Columns left out of the features because they are not numeric (and not usable as levels). */
  nonNumeric: string[];
  /** Features chosen without being named whose name reads as an identifier. */
  idLike: string[];
  /** Numeric columns left out because they number the rows (ColumnChoice's). */
  rowNumbers: string[];
  /** Text columns left out because no two samples share a value (ColumnChoice's). */
  rowLabels: string[];
  /** Features whose cells are dates, read as decimal years (ColumnChoice's). */
  dates: string[];
  /** Columns made static or categorical without being named so. */
  autoStatic: string[];
  autoCategorical: string[];
  /** Samples left out of training and evaluation because their target is missing. */
  skippedTargets: number;
  /** Window mode: the ids too short for a window and its horizon, which make no sample. */
  shortIds: ShortIds;
  /** True when the missing rule was chosen by default. */
  missingDefaulted: boolean;
  /** Panel mode: the ids whose known target values differ, of the ids with one (ColumnChoice's). */
  targetWithinIds?: { changing: number; ids: number };
}

/** One line of what fitting found out, as train says it: a choice made without being told, or a warning about the data. */
export interface FitNote {
  kind: 'choice' | 'warning';
  text: string;
}

/** The datasets of every split, series or mixed inputs. */
export interface SplitDatasets {
  train: SeriesDataset | MixedDataset;
  validation?: SeriesDataset | MixedDataset;
  test?: SeriesDataset | MixedDataset;
}

const isRecordObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** At most this many distinct target labels are kept while reading (more is no classification target). */
const MAX_LABELS = 10_000;

/** What the target column holds, read a cell at a time: the task hint of its numbers, or its text labels. */
export class TargetColumnReader {
  private readonly hint = new TaskHintAccumulator();
  private readonly labels = new Set<string>();
  private tooMany = false;
  private texts = 0;
  private firstText: { cell: Cell; row: number } | null = null;
  private firstNumber: number | null = null;
  private varies = false;

  add(cell: Cell, row = 0): void {
    if (isMissing(cell)) return;
    const v = numberCell(cell);
    if (v === undefined) {
      this.texts++;
      this.firstText ??= { cell, row };
    } else {
      this.hint.add(v);
      if (this.firstNumber === null) this.firstNumber = v;
      else if (v !== this.firstNumber) this.varies = true;
    }
    if (this.tooMany) return;
    this.labels.add(String(cell).trim());
    // Numbers need no labels; text labels past the cap are no classes.
    if (this.labels.size > MAX_LABELS) this.tooMany = true, this.labels.clear();
  }

  addTable(table: LongTable, index: number): void {
    table.rows.forEach((row, i) => this.add(row[index], table.rowNumbers[i]));
  }

  column(): TargetColumn {
    // A stray text among numbers is a typo (a '<0.5', an 'Inf'), not a reason to read numbers as labels.
    const stray = this.texts > 0 && this.hint.count / (this.hint.count + this.texts) >= MOSTLY_NUMERIC_TARGET ? this.firstText! : null;
    const numeric = this.texts === 0;
    return {
      hint: numeric ? this.hint.hint() : null, known: this.hint.count, labels: [...this.labels].sort(),
      ...(!numeric && this.tooMany ? { tooManyLabels: true } : {}),
      ...(stray ? { strayText: stray } : {}),
      ...(numeric && this.firstNumber !== null && !this.varies ? { onlyValue: this.firstNumber } : {}),
    };
  }
}

/** At least this share of a target column's known cells are numbers for a text cell among them to be an error (not a label). */
const MOSTLY_NUMERIC_TARGET = 0.9;

/** The target column's facts: the hint of its numbers (null when a cell is text), how many numbers, its labels. */
interface TargetColumn {
  hint: TaskHint | null;
  known: number;
  labels: string[];
  /** Text in more than MAX_LABELS distinct labels: no classes. */
  tooManyLabels?: true;
  /** A text cell in a column of numbers (the first), when numbers are most of it. */
  strayText?: { cell: Cell; row: number };
  /** The one number a numeric column holds, when every known cell holds it. */
  onlyValue?: number;
}

function readTargetColumn(table: LongTable, index: number): TargetColumn {
  const reader = new TargetColumnReader();
  reader.addTable(table, index);
  return reader.column();
}

export class Preprocessing {
  private constructor(readonly record: PreprocessingRecord) {}

  get task(): Task {
    return this.record.target.task;
  }

  get featureNames(): readonly string[] {
    return this.record.columns.features;
  }

  /** Outputs the model needs: one per class for multiclass, else one. */
  get outputs(): number {
    return this.task === 'multiclass' ? this.record.target.classes!.length : 1;
  }

  /**
   * Fits on `table`'s training split (the split is drawn here: whole ids for panels, time blocks
   * for windows) and returns the datasets of every split, already transformed.
   */
  static fit(table: LongTable, options: PreprocessingOptions): { preprocessing: Preprocessing; datasets: SplitDatasets; notes: FitNotes } {
    if (!isRecordObject(options)) throw new ArgumentError(`preprocessing: options must be an object, got ${describeValue(options)}`);
    const inputs = options.inputs ?? 'mixed';
    if (inputs !== 'mixed' && inputs !== 'series') throw new ArgumentError(`preprocessing: inputs must be 'mixed' or 'series', got ${describeValue(inputs)}`);
    if (inputs === 'mixed') return fitMixed(table, options);
    const { time, target } = options;
    for (const [name, v] of Object.entries({ time, target })) {
      if (typeof v !== 'string' || v === '') throw new ArgumentError(`preprocessing: ${name} must name a column, got ${describeValue(v)}`);
    }
    if (options.static?.length || options.categorical?.length || options.sequenceCategorical?.length) throw new ArgumentError("preprocessing: static and categorical features need inputs: 'mixed'");
    if (options.split?.column !== undefined) throw new ArgumentError("preprocessing: a split column needs inputs: 'mixed'");
    if (options.missing === 'mask') throw new ArgumentError("preprocessing: missing 'mask' needs inputs: 'mixed'");
    if (options.skewed === 'log') throw new ArgumentError("preprocessing: skewed 'log' needs inputs: 'mixed' (series inputs are read as they are)");
    if (options.weight !== undefined) throw new ArgumentError("preprocessing: a weight column needs inputs: 'mixed' (the additive model)");
    if (options.targetChange) throw new ArgumentError("preprocessing: targetChange needs inputs: 'mixed' (the additive model)");
    const targetIndex = table.columns.indexOf(target);
    if (targetIndex < 0) throw new DataError('missing-column', `the target column is not in the header (${table.columns.join(', ')})`, { column: target });
    const timeIndex = table.columns.indexOf(time!);
    if (timeIndex < 0) throw new DataError('missing-column', `the time column is not in the header (${table.columns.join(', ')})`, { column: time });
    if (table.rows.length === 0) throw new DataError('empty', 'the table has no rows');

    const encoding = targetEncoding(readTargetColumn(table, targetIndex), options, target);
    const encoded = encoding.map ? encodeTarget(table, targetIndex, encoding.map) : table;
    const mode = options.window !== undefined ? 'window' : 'panel';
    if (mode === 'panel' && options.id === undefined) {
      throw new ArgumentError('preprocessing: panel mode (no window) makes one sample per id: name the id column, or give a window length for sliding windows over the table');
    }
    if (mode === 'panel' && options.horizon !== undefined) throw new ArgumentError('preprocessing: horizon needs a window (panel mode has no horizon)');
    const split = options.split ?? {};
    const validation = split.validation ?? 0.15, test = split.test ?? 0.15;
    const datasets = datasetsFromTable(encoded, {
      id: options.id, time: time!, target, features: options.features, ...(options.exclude ? { exclude: options.exclude } : {}), mode, missing: options.missing ?? 'error',
      ...(mode === 'window' ? { window: options.window, horizon: options.horizon ?? 1 } : {}),
      split: mode === 'panel' ? { by: 'entity', validation, test, seed: split.seed ?? 0, stratify: encoding.task !== 'regression' } : { by: 'time', validation, test },
      standardize: { features: true, target: encoding.task === 'regression' },
    });
    const features = [...datasets.train.featureNames];
    const firstTime = table.rows[0][timeIndex];
    if (options.missing !== undefined && options.missing !== 'error' && options.missing !== 'carry-forward') {
      throw new ArgumentError(`preprocessing: missing must be 'error' or 'carry-forward' for series inputs, got ${describeValue(options.missing)}`);
    }
    const record: PreprocessingRecord = {
      version: PREPROCESSING_VERSION, inputs: 'series',
      columns: { ...(options.id !== undefined ? { id: options.id } : {}), time: time!, target, features },
      mode, ...(mode === 'window' ? { window: options.window, horizon: options.horizon ?? 1 } : { maxLength: datasets.train.seq }),
      missing: options.missing ?? 'error',
      time: { kind: timeKindOf(firstTime) ?? 'number' },
      standardizer: datasets.standardizer,
      fill: datasets.featureMeans,
      target: { task: encoding.task, ...(encoding.classes ? { classes: encoding.classes } : {}), ...(encoding.map ? { labels: true } : {}) },
    };
    // The columns the automatic choice left out: R's row names, said as such; the rest for not being numbers.
    const leftOut = options.features ? [] : table.columns.filter((c) => c !== options.id && c !== time && c !== target && !features.includes(c) && !(options.exclude ?? []).includes(c));
    const nonNumeric = leftOut.filter((c) => c !== ROW_NAMES), rowNumbers = leftOut.filter((c) => c === ROW_NAMES);
    return {
      preprocessing: new Preprocessing(record), datasets,
      notes: { taskInferred: options.task === undefined, nonNumeric, idLike: [], rowNumbers, rowLabels: [], dates: [], autoStatic: [], autoCategorical: [], skippedTargets: 0, shortIds: { count: 0, examples: [] }, missingDefaulted: options.missing === undefined },
    };
  }

  /**
   * New data as the model saw its training data: the same columns, windows, fill values and scales;
   * no split; the target column optional (its cells NaN where unknown). Panel mode: one sample per
   * id; window mode: a window ending at every step, the latest one being the forecast. `weights`:
   * read the weight column training read, when the table has it (for weighted test metrics). An
   * id shorter than a window makes no sample; an error when no id makes one (transformParts says
   * which ids made none).
   */
  transform(table: LongTable, options: { weights?: boolean } = {}): SeriesDataset | MixedDataset {
    const { dataset } = this.transformParts(table, options);
    if (!dataset) throw this.noSampleError();
    return dataset;
  }

  /** transform's dataset (null when no id makes a sample) and the ids that make none (window mode: shorter than a window). */
  transformParts(table: LongTable, { weights = false }: { weights?: boolean } = {}): { dataset: SeriesDataset | MixedDataset | null; shortIds: string[] } {
    const r = this.record;
    const targetIndex = table.columns.indexOf(r.columns.target);
    const map = r.target.labels && r.target.classes && targetIndex >= 0 ? labelMap(r.target.classes) : null;
    const encoded = map ? encodeTarget(table, targetIndex, map, true) : table;
    if (r.inputs === 'mixed') return transformMixed(encoded, mixedBuildOptions(r, weights), r.mixed!);
    const dataset = predictionDatasetFromTable(encoded, {
      id: r.columns.id, time: r.columns.time!, target: r.columns.target, features: r.columns.features, mode: r.mode as 'panel' | 'window',
      ...(r.mode === 'window' ? { window: r.window, horizon: r.horizon } : { maxLength: r.maxLength }),
      missing: r.missing, standardizer: r.standardizer, featureMeans: r.fill,
    });
    return { dataset, shortIds: [] };
  }

  /** The error of data in which no id makes a sample (every id shorter than a window). */
  noSampleError(): DataError {
    const r = this.record;
    return new DataError('too-few-rows', `no id has ${r.mode === 'window' ? windowNeeds({ window: r.window!, horizon: r.horizon ?? 1 }, false) : 'a row'}`,
      r.columns.id !== undefined ? { column: r.columns.id } : {});
  }

  /** A time as the input wrote it: a number, or an ISO-8601 date for a date column. */
  formatTime(t: number): number | string {
    if (Number.isNaN(t) || this.record.mode === 'table') return '';
    if (this.record.time.kind !== 'date') return t;
    // A date at midnight UTC as the date alone (2020-01-31, as a date-only column writes it), else ISO-8601 in UTC.
    const iso = new Date(t).toISOString();
    return t % 86_400_000 === 0 ? iso.slice(0, 10) : iso;
  }

  /** The user's label of class k (binary: 0 negative, 1 positive). */
  classLabel(k: number): string {
    return this.record.target.classes?.[k] ?? String(k);
  }

  /** explain()'s options this preprocessing decides: the task and, for a multiclass target with text labels, the labels as the outputs' names. */
  explainOptions(): { task: Task; outputNames?: string[] } {
    const t = this.record.target;
    return { task: this.task, ...(this.task === 'multiclass' && t.labels && t.classes ? { outputNames: [...t.classes] } : {}) };
  }

  toRecord(): PreprocessingRecord {
    return structuredClone(this.record);
  }

  /** A record read back from a model file, checked field by field (FileFormatError naming the field). */
  static fromRecord(value: unknown): Preprocessing {
    const bad = (what: string): never => {
      throw new FileFormatError(`preprocessing record: ${what}`);
    };
    if (!isRecordObject(value)) return bad(`must be an object, got ${describeValue(value)}`);
    const r = value as Partial<PreprocessingRecord>;
    if (typeof r.version !== 'number') bad('version must be a number');
    if (r.version! > PREPROCESSING_VERSION) bad(`version ${r.version} is newer than this rnam reads (${PREPROCESSING_VERSION}): update rnam`);
    // Version 1 records hold series inputs only.
    const inputs = r.inputs ?? 'series';
    if (inputs !== 'series' && inputs !== 'mixed') bad(`inputs must be 'series' or 'mixed', got ${describeValue(r.inputs)}`);
    const c = r.columns;
    const names = (v: unknown) => Array.isArray(v) && v.every((f) => typeof f === 'string');
    if (!isRecordObject(c) || (c.time !== undefined && typeof c.time !== 'string') || typeof c.target !== 'string' || (c.id !== undefined && typeof c.id !== 'string')
      || !names(c.features) || c.features.length === 0 || (c.static !== undefined && !names(c.static)) || (c.categorical !== undefined && !names(c.categorical))
    || (c.weight !== undefined && typeof c.weight !== 'string') || (c.dates !== undefined && !(names(c.dates) && c.dates.every((d) => c.features!.includes(d))))) {
      bad('columns must be { id?, time?, target, features: [names], static?: [names], categorical?: [names], dates?: [names among the features] }');
    }
    if (inputs === 'series' && c!.time === undefined) bad('series inputs need a time column');
    if (r.mode !== 'panel' && r.mode !== 'window' && !(r.mode === 'table' && inputs === 'mixed')) bad(`mode must be 'panel' or 'window' (or 'table' for mixed inputs), got ${describeValue(r.mode)}`);
    if (inputs === 'mixed') checkMixedStats(r.mixed, c!, bad);
    const int = (v: unknown, min: number) => Number.isInteger(v) && (v as number) >= min;
    if (r.mode === 'window' && (!int(r.window, 1) || !int(r.horizon, 0))) bad('a window record needs window >= 1 and horizon >= 0');
    if (r.mode === 'panel' && r.maxLength !== undefined && !int(r.maxLength, 1)) bad('maxLength must be a positive integer');
    if (r.targetHistory !== undefined && (r.targetHistory !== true || r.mode !== 'panel' || inputs !== 'mixed' || !c!.features.includes(c!.target))) {
      bad('targetHistory must be true, in a panel record of mixed inputs whose features include the target');
    }
    if (r.missing !== 'error' && r.missing !== 'carry-forward' && !(r.missing === 'mask' && inputs === 'mixed')) bad(`missing must be 'error', 'carry-forward' or (mixed inputs) 'mask', got ${describeValue(r.missing)}`);
    if (!isRecordObject(r.time) || (r.time.kind !== 'number' && r.time.kind !== 'date')) bad("time.kind must be 'number' or 'date'");
    if (!isRecordObject(r.standardizer)) bad('standardizer must be an object');
    if (!Array.isArray(r.fill) || (inputs === 'series' && r.fill.length !== c!.features.length) || !r.fill.every((v) => typeof v === 'number')) bad(`fill must hold one number per feature (${c!.features.length})`);
    if (!isRecordObject(r.target)) bad('target must be { task, classes? }');
    try {
      checkTaskName('preprocessing record', r.target!.task);
    } catch (err) {
      bad((err as Error).message);
    }
    const classes = r.target!.classes;
    if (classes !== undefined && !(Array.isArray(classes) && classes.length >= 2 && classes.every((k) => typeof k === 'string'))) bad('target.classes must list at least two labels');
    if (r.target!.task === 'multiclass' && classes === undefined) bad('a multiclass target needs its classes');
    if (r.target!.labels !== undefined && (typeof r.target!.labels !== 'boolean' || classes === undefined)) bad('target.labels must be true or false, with classes');
    return new Preprocessing(structuredClone({ ...r, inputs } as PreprocessingRecord));
  }

  /**
   * The preprocessing of a loaded model file: its `preprocessing` record, or, for files written
   * before the record existed, the same facts rebuilt from their data settings, standardizer and
   * the command line's metadata (fill values and time kind).
   */
  static fromModelFile(metadata: { preprocessing?: unknown; data?: unknown; task?: unknown; standardizer?: unknown; classes?: unknown; metadata?: Record<string, unknown> }): Preprocessing {
    if (metadata.preprocessing !== undefined) return Preprocessing.fromRecord(metadata.preprocessing);
    const data = metadata.data as Partial<PreprocessingRecord['columns'] & { mode: 'panel' | 'window'; window: number; horizon: number; maxLength: number; missing: MissingRule }> | undefined;
    if (!isRecordObject(data) || typeof metadata.task !== 'string') {
      throw new FileFormatError('the model file has no preprocessing record (nor the data settings and task of an older rnam file): it was not written by trainTable or `rnam train`');
    }
    const cli = (metadata.metadata?.cli ?? {}) as { timeKind?: TimeKind; featureMeans?: number[] };
    const standardizer = (metadata.standardizer ?? {}) as Standardizer;
    const features = data.features ?? [];
    const task = metadata.task as Task;
    const classes = Array.isArray(metadata.classes) ? metadata.classes.map(String) : task === 'binary' ? ['0', '1'] : undefined;
    return Preprocessing.fromRecord({
      version: 1, inputs: 'series',
      columns: { ...(data.id !== undefined ? { id: data.id } : {}), time: data.time, target: data.target, features },
      mode: data.mode,
      ...(data.mode === 'window' ? { window: data.window, horizon: data.horizon ?? 1 } : { maxLength: data.maxLength }),
      missing: data.missing ?? 'error',
      time: { kind: cli.timeKind ?? 'number' },
      standardizer,
      fill: cli.featureMeans ?? standardizer.features?.map((f) => f.mean) ?? features.map(() => 0),
      target: { task, ...(classes ? { classes } : {}) },
    });
  }
}

/** The mixed builder's options from a record. */
function mixedBuildOptions(r: PreprocessingRecord, weights: boolean): MixedBuildOptions {
  const c = r.columns, stat = c.static ?? [], cat = c.categorical ?? [], seqCat = c.sequenceCategorical ?? [];
  return {
    id: c.id, time: c.time, target: c.target, ...(weights && c.weight !== undefined ? { weight: c.weight } : {}),
    sequence: c.features.slice(0, c.features.length - stat.length - cat.length - seqCat.length),
    sequenceCategorical: seqCat, static: stat, categorical: cat, ...(c.dates ? { dates: c.dates } : {}),
    mode: r.mode, window: r.window, horizon: r.horizon, maxLength: r.maxLength, missing: r.missing, standardizeTarget: r.target.task === 'regression',
    ...(r.targetHistory ? { targetHistory: true } : {}), ...(r.mixed?.targetChange ? { targetChange: true } : {}),
  };
}

function checkMixedStats(m: unknown, c: PreprocessingRecord['columns'], bad: (what: string) => never): void {
  if (!isRecordObject(m)) bad('mixed inputs need their fitted statistics (mixed)');
  const s = m as Partial<MixedStats>;
  const scales = (v: unknown, n: number) => Array.isArray(v) && v.length === n
    && v.every((x) => isRecordObject(x) && typeof x.mean === 'number' && Number.isFinite(x.mean) && typeof x.std === 'number' && x.std > 0 && (x.log === undefined || x.log === true));
  const stat = c.static ?? [], cat = c.categorical ?? [], seqCat = c.sequenceCategorical ?? [];
  const sequence = c.features.length - stat.length - cat.length - seqCat.length;
  if (s.sequenceLevels !== undefined && (!Array.isArray(s.sequenceLevels) || s.sequenceLevels.length !== seqCat.length
    || !s.sequenceLevels.every((l) => Array.isArray(l) && l.length >= 1 && l.every((x) => typeof x === 'string')))) bad('mixed.sequenceLevels must list the levels of each time-varying categorical feature');
  if (seqCat.length && s.sequenceLevels === undefined) bad('mixed.sequenceLevels is missing');
  if (sequence < 0) bad('columns.features must list the time-varying, static and categorical features');
  if (!scales(s.sequence, sequence) && !(sequence === 0 && Array.isArray(s.sequence))) bad('mixed.sequence must hold one scale per time-varying feature');
  if (!scales(s.static, stat.length)) bad('mixed.static must hold one scale per static feature');
  if (!Array.isArray(s.levels) || s.levels.length !== cat.length || !s.levels.every((l) => Array.isArray(l) && l.length >= 1 && l.every((x) => typeof x === 'string'))) bad('mixed.levels must list the levels of each categorical feature');
  if (!(typeof s.gapScale === 'number' && s.gapScale > 0 && Number.isFinite(s.gapScale))) bad('mixed.gapScale must be a positive number');
  if (!(Number.isInteger(s.seq) && s.seq! >= 1)) bad('mixed.seq must be a positive integer');
  if (s.staticMissing !== undefined && s.staticMissing !== true) bad('mixed.staticMissing must be true when present');
  if (s.staticFlagged !== undefined && !(s.staticMissing && Array.isArray(s.staticFlagged) && s.staticFlagged.length === stat.length
    && s.staticFlagged.every((f) => typeof f === 'boolean'))) bad('mixed.staticFlagged must hold one boolean per static feature, with staticMissing');
  if (s.seenInput !== undefined && s.seenInput !== true) bad('mixed.seenInput must be true when present');
  if (s.targetChange !== undefined && !(isRecordObject(s.targetChange) && typeof s.targetChange.fallback === 'number' && Number.isFinite(s.targetChange.fallback)
    && c.features.slice(0, sequence).includes(c.target))) bad('mixed.targetChange must be { fallback: a finite number }, with the target among the time-varying features');
}

/** Mixed inputs: a table without a time column, sliding windows when a window is given, else one sample per id. */
export function mixedMode(options: PreprocessingOptions): 'panel' | 'window' | 'table' {
  return options.time === undefined ? 'table' : options.window !== undefined ? 'window' : 'panel';
}

/** The mixed fit's options checked against the header: the mode, the missing rule, the target and weight columns. */
export function mixedSetup(columns: readonly string[], options: PreprocessingOptions): { mode: 'panel' | 'window' | 'table'; missing: MissingRule; targetIndex: number; weight?: string } {
  const { time, target } = options;
  if (typeof target !== 'string' || target === '') throw new ArgumentError(`preprocessing: target must name a column, got ${describeValue(target)}`);
  if (time !== undefined && (typeof time !== 'string' || time === '')) throw new ArgumentError(`preprocessing: time must name a column, got ${describeValue(time)}`);
  const targetIndex = columns.indexOf(target);
  if (targetIndex < 0) throw new DataError('missing-column', `the target column is not in the header (${columns.join(', ')})`, { column: target });
  const mode = mixedMode(options);
  if (mode === 'table' && options.window !== undefined) throw new ArgumentError('preprocessing: a window needs the time column');
  if (mode === 'panel' && options.id === undefined) {
    throw new ArgumentError('preprocessing: panel mode (no window) makes one sample per id: name the id column, or give a window length for sliding windows over the table');
  }
  if (mode !== 'window' && options.horizon !== undefined) throw new ArgumentError('preprocessing: horizon needs a window (panel mode has no horizon)');
  if (options.skewed !== undefined && options.skewed !== 'log' && options.skewed !== 'keep') throw new ArgumentError(`preprocessing: skewed must be 'log' or 'keep', got ${describeValue(options.skewed)}`);
  if (options.targetHistory !== undefined && typeof options.targetHistory !== 'boolean') throw new ArgumentError(`preprocessing: targetHistory must be true or false, got ${describeValue(options.targetHistory)}`);
  if (options.targetHistory && mode !== 'panel') {
    throw new ArgumentError(`preprocessing: targetHistory reads the target's earlier values in panel mode; ${mode === 'window' ? 'window mode reads them already (the target is a feature)' : 'a plain table has one row per sample, no history'}`);
  }
  const missing = options.missing ?? 'mask';
  if (missing !== 'error' && missing !== 'carry-forward' && missing !== 'mask') throw new ArgumentError(`preprocessing: missing must be 'error', 'carry-forward' or 'mask', got ${describeValue(missing)}`);
  const weight = options.weight;
  if (weight !== undefined) {
    if (typeof weight !== 'string' || weight === '') throw new ArgumentError(`preprocessing: weight must name a column, got ${describeValue(weight)}`);
    if (!columns.includes(weight)) throw new DataError('missing-column', `the weight column is not in the header (${columns.join(', ')})`, { column: weight });
    const named = [options.id, time, target, options.split?.column, ...(options.features ?? []), ...(options.static ?? []), ...(options.categorical ?? []), ...(options.sequenceCategorical ?? [])];
    if (named.includes(weight)) throw new ArgumentError(`preprocessing: the weight column '${weight}' cannot also be the id, time, target, split column or a feature`);
  }
  return { mode, missing, targetIndex, ...(weight !== undefined ? { weight } : {}) };
}

/** What the column choice asks for (the split and weight columns are never features). */
export function columnsAsked(options: PreprocessingOptions, mode: 'panel' | 'window' | 'table'): Asked {
  return {
    id: options.id, time: options.time, target: options.target, features: options.features, static: options.static, categorical: options.categorical,
    sequenceCategorical: options.sequenceCategorical, mode,
    ...(options.targetHistory ? { targetHistory: true } : {}),
    ...(options.exclude !== undefined ? { exclude: options.exclude } : {}),
    notFeatures: [...(options.split?.column !== undefined ? [options.split.column] : []), ...(options.weight !== undefined ? [options.weight] : [])],
  };
}

/** The mixed builder's options from the chosen columns, with the split column checked against them. */
export function mixedBuild(columns: readonly string[], options: PreprocessingOptions, setup: ReturnType<typeof mixedSetup>, chosen: ColumnChoice, task: Task): { build: MixedBuildOptions; features: string[] } {
  const features = [...chosen.sequence, ...chosen.sequenceCategorical, ...chosen.static, ...chosen.categorical];
  const { mode, missing, weight } = setup, time = options.time;
  if (features.length === 0) {
    // A panel of the target alone (a drug's concentration over time): its own past is the input there is.
    const own = mode === 'panel' && time !== undefined ? ': targetHistory reads the target\'s earlier values as a feature, and window mode (a window of steps) reads its past' : '';
    throw new DataError('option', `no feature column besides id, time and target${own}`);
  }
  const build: MixedBuildOptions = {
    id: options.id, time, target: options.target, ...(weight !== undefined ? { weight } : {}), sequence: chosen.sequence, sequenceCategorical: chosen.sequenceCategorical, static: chosen.static, categorical: chosen.categorical,
    ...(chosen.dates.length ? { dates: chosen.dates } : {}), mode, window: options.window, horizon: mode === 'window' ? options.horizon ?? 1 : undefined, missing, standardizeTarget: task === 'regression',
    skewed: options.skewed ?? 'log', ...(options.targetHistory ? { targetHistory: true } : {}),
  };
  if (options.targetHistory && task === 'multiclass') throw new ArgumentError('preprocessing: targetHistory reads the target as a number: a regression or binary target (not multiclass)');
  build.targetChange = targetChangeOf(options, mode, chosen, task);
  const column = options.split?.column;
  if (column !== undefined && !columns.includes(column)) throw new DataError('missing-column', `the split column is not in the header (${columns.join(', ')})`, { column });
  if (column !== undefined && (features.includes(column) || column === options.id || column === time || column === options.target)) {
    throw new ArgumentError(`preprocessing: the split column '${column}' cannot also be the id, time, target or a feature`);
  }
  return { build, features };
}

/** Whether a regression learns its target's change from the last known value (PreprocessingOptions.targetChange), checked. */
function targetChangeOf(options: PreprocessingOptions, mode: 'panel' | 'window' | 'table', chosen: ColumnChoice, task: Task): boolean {
  const asked = options.targetChange;
  if (asked !== undefined && typeof asked !== 'boolean') throw new ArgumentError(`preprocessing: targetChange must be true or false, got ${describeValue(asked)}`);
  const readsHistory = (mode === 'window' || options.targetHistory === true) && chosen.sequence.includes(options.target);
  if (asked && task !== 'regression') throw new ArgumentError(`preprocessing: targetChange learns a change of a number: a regression target (this one is ${task})`);
  if (asked && !readsHistory) {
    throw new ArgumentError(`preprocessing: targetChange measures the change from the target's last known value, which the model reads only in window mode with the target among the time-varying features, or with targetHistory`);
  }
  return asked ?? (readsHistory && task === 'regression');
}

/** The record of a fitted mixed preprocessing. */
export function mixedRecord(options: PreprocessingOptions, fitted: { build: MixedBuildOptions; features: string[]; chosen: ColumnChoice; stats: MixedStats; timeKind: TimeKind; encoding: TargetEncoding }): PreprocessingRecord {
  const { build: { mode, missing, weight }, features, chosen, stats, encoding } = fitted, time = options.time;
  return {
    version: PREPROCESSING_VERSION, inputs: 'mixed',
    columns: {
      ...(options.id !== undefined ? { id: options.id } : {}), ...(time !== undefined ? { time } : {}), target: options.target, features,
      ...(chosen.sequenceCategorical.length ? { sequenceCategorical: chosen.sequenceCategorical } : {}), static: chosen.static, categorical: chosen.categorical,
      ...(weight !== undefined ? { weight } : {}), ...(chosen.dates.length ? { dates: chosen.dates } : {}),
    },
    mode, ...(mode === 'window' ? { window: options.window, horizon: options.horizon ?? 1 } : mode === 'panel' ? { maxLength: stats.seq } : {}),
    ...(fitted.build.targetHistory ? { targetHistory: true } : {}),
    missing, time: { kind: fitted.timeKind },
    standardizer: mixedStandardizer(fitted.build, stats),
    fill: [], mixed: stats,
    target: { task: encoding.task, ...(encoding.classes ? { classes: encoding.classes } : {}), ...(encoding.map ? { labels: true } : {}) },
  };
}

export function fitNotes(options: PreprocessingOptions, chosen: ColumnChoice, skippedTargets: number, shortIds: ShortIds): FitNotes {
  return {
    taskInferred: options.task === undefined, nonNumeric: chosen.leftOut, idLike: chosen.idLike, rowNumbers: chosen.rowNumbers, rowLabels: chosen.rowLabels, dates: chosen.dates, autoStatic: chosen.autoStatic, autoCategorical: chosen.autoCategorical,
    skippedTargets, shortIds, missingDefaulted: options.missing === undefined,
    ...(chosen.targetWithinIds ? { targetWithinIds: chosen.targetWithinIds } : {}),
  };
}

/** Fits the mixed-input preprocessing: columns chosen (and said), target encoded, statistics on the training split. */
function fitMixed(table: LongTable, options: PreprocessingOptions): { preprocessing: Preprocessing; datasets: SplitDatasets; notes: FitNotes } {
  const setup = mixedSetup(table.columns, options);
  if (table.rows.length === 0) throw new DataError('empty', 'the table has no rows');
  const encoding = targetEncoding(readTargetColumn(table, setup.targetIndex), options, options.target);
  const encoded = encoding.map ? encodeTarget(table, setup.targetIndex, encoding.map) : table;
  const chosen = chooseColumns(encoded, columnsAsked(options, setup.mode));
  const { build, features } = mixedBuild(table.columns, options, setup, chosen, encoding.task);
  const split = options.split ?? {};
  const built = buildMixed(encoded, build, { validation: split.validation ?? 0.15, test: split.test ?? 0.15, seed: split.seed ?? 0, stratify: encoding.task !== 'regression', ...(split.column !== undefined ? { column: split.column } : {}) });
  const record = mixedRecord(options, { build, features, chosen, stats: built.stats, timeKind: built.timeKind, encoding });
  return {
    preprocessing: Preprocessing.fromRecord(record),
    datasets: { train: built.train, ...(built.validation ? { validation: built.validation } : {}), ...(built.test ? { test: built.test } : {}) },
    notes: fitNotes(options, chosen, built.skippedTargets, shortIdsOf(built.shortIds)),
  };
}

export interface TargetEncoding {
  task: Task;
  classes?: string[];
  /** Cell text -> class index, for targets given as text labels (or to be relabelled). */
  map?: Map<string, number>;
}

export function labelMap(classes: readonly string[]): Map<string, number> {
  return new Map(classes.map((c, k) => [c, k]));
}

/**
 * Numbers that are class codes the index rule cannot read (it reads 0/1, and 0 ... C-1): two
 * distinct values (R's factor codes 1 and 2, a status of 1 or 2), or 3 to 10 whole numbers from 1
 * up to 10 (codes 1 ... C). Their labels in numeric order; null for other numbers, or when two
 * spellings name one number ('2', '2.0').
 */
function numericCodes(column: TargetColumn): string[] | null {
  if (!column.hint || column.hint.kind === 'binary') return null;
  const values = column.labels.map(Number);
  if (values.length < 2 || values.some(Number.isNaN) || new Set(values).size !== values.length) return null;
  const sorted = [...column.labels].sort((a, b) => Number(a) - Number(b));
  if (values.length === 2) return sorted;
  const low = Number(sorted[0]), high = Number(sorted[sorted.length - 1]);
  return column.hint.kind === 'integer' && values.length <= maxInferredClasses && low >= 1 && high <= maxInferredClasses ? sorted : null;
}

/**
 * The task and class labels from the target column: numbers keep the one inference rule of
 * train/task.ts, except numeric class codes (numericCodes), which are read as labels; text labels
 * are classes (two: binary, the positive one chosen by `positive` or the sorted order (numeric
 * order for codes); more: multiclass in that order).
 */
export function targetEncoding(column: TargetColumn, o: PreprocessingOptions, target: string): TargetEncoding {
  if (o.positive !== undefined && typeof o.positive !== 'string') throw new ArgumentError(`preprocessing: positive must be a label (text), got ${describeValue(o.positive)}`);
  const stray = column.strayText;
  if (stray && (o.task === undefined || o.task === 'regression') && o.classes === undefined) {
    throw new DataError('non-numeric', `a target cell is not a number: '${String(stray.cell)}' in a column of numbers (fix the cell or leave it empty; text labels need a task, binary or multiclass)`, { column: target, row: stray.row });
  }
  if (column.tooManyLabels) throw new DataError('option', `the target column holds text in more than ${MAX_LABELS} distinct labels: no classification target`, { column: target });
  if (column.onlyValue !== undefined && o.classes === undefined) {
    throw new DataError('option', `the target column holds one value (${column.onlyValue}) in every row that has one: there is nothing to predict`, { column: target });
  }
  if (o.classes !== undefined) return givenClassesEncoding(column, o, target);
  const codes = o.task === 'regression' ? null : numericCodes(column);
  if (codes) return labelEncoding(codes, o, target);
  if (column.hint) {
    const hint: TaskHint = column.hint;
    if (hint.kind === 'continuous' && column.known === 0) throw new DataError('missing-value', 'the target column has no value', { column: target });
    const task = o.task === undefined ? inferTask(hint) : checkTaskName('preprocessing', o.task);
    checkTaskAgainstTargets(task, hint, target);
    if (o.positive !== undefined) {
      if (task !== 'binary') throw new ArgumentError(`preprocessing: positive is for a binary target, the task is '${task}'`);
      if (o.positive !== '1') throw new DataError('option', `positive '${o.positive}' is not a label of column '${target}' (its labels: 0, 1)`, { column: target });
    }
    if (task === 'binary') return { task, classes: ['0', '1'] };
    if (task === 'multiclass') return { task, classes: Array.from({ length: hint.classes! }, (_, k) => String(k)) };
    return { task };
  }
  return labelEncoding(column.labels, o, target);
}

/** The classes given (`o.classes`): checked, and every label of the target column among them. */
function givenClassesEncoding(column: TargetColumn, o: PreprocessingOptions, target: string): TargetEncoding {
  const classes = o.classes as unknown;
  const bad = (why: string) => new ArgumentError(`preprocessing: classes must be two or more distinct labels (text) in output order; ${why}`);
  if (!Array.isArray(classes)) throw bad(`got ${describeValue(classes)}`);
  if (classes.length < 2) throw bad(`got ${classes.length}`);
  const trimmed = classes.map((c) => {
    if (typeof c !== 'string' || c.trim() === '') throw bad(`got ${describeValue(c)} among them`);
    return c.trim();
  });
  const twice = trimmed.find((c, i) => trimmed.indexOf(c) !== i);
  if (twice !== undefined) throw bad(`'${twice}' is given twice`);
  if (o.task === 'regression') throw new ArgumentError(`preprocessing: classes are for a binary or multiclass target, the task is 'regression'`);
  const stray = column.labels.find((l) => !trimmed.includes(l));
  if (stray !== undefined) throw new DataError('option', `the target label '${stray}' is not one of the classes given (${trimmed.join(', ')})`, { column: target });
  return labelEncoding(trimmed, o, target);
}

/**
 * The target column's classes over the whole table when they are labels (text, or numeric class
 * codes), for parts of it to train with (`classes`); undefined for a regression or a target read as
 * class indices, whose parts agree on their own.
 */
export function tableClasses(table: LongTable, o: PreprocessingOptions & { target: string }): string[] | undefined {
  if (o.classes === undefined && o.task === 'regression') return undefined;
  const index = table.columns.indexOf(o.target);
  if (index < 0) return undefined;
  // classes given are checked against the whole table here, before any part trains
  const encoding = targetEncoding(readTargetColumn(table, index), o, o.target);
  return encoding.map ? encoding.classes : undefined;
}

/**
 * The features' roles chosen over the whole table, named, for parts of it to train with: a part's
 * rows alone can hold one level per id of a text column that changes within an id elsewhere (its
 * model would then read it as static and fail on the rows predicted), or leave a column out that the
 * whole table keeps. Empty for series inputs, which have no roles.
 */
export function tableRoles(table: LongTable, o: PreprocessingOptions): Pick<PreprocessingOptions, 'features' | 'static' | 'categorical' | 'sequenceCategorical'> {
  if ((o.inputs ?? 'mixed') !== 'mixed') return {};
  // the options checked against the header here, before any part trains
  const { mode } = mixedSetup(table.columns, o), chosen = chooseColumns(table, columnsAsked(o, mode));
  // A plain table names its features static (the choice's sequence is empty there).
  return { features: mode === 'table' ? [] : chosen.sequence, static: chosen.static, categorical: chosen.categorical, sequenceCategorical: chosen.sequenceCategorical };
}

/** Labels (in class order) as classes: two give binary, more multiclass, unless `o.task` says otherwise. */
function labelEncoding(labels: string[], o: PreprocessingOptions, target: string): TargetEncoding {
  if (labels.length < 2) throw new DataError('option', `the target column holds one label ('${labels[0]}'): there is nothing to predict`, { column: target });
  const task: Task = o.task ?? (labels.length === 2 ? 'binary' : 'multiclass');
  if (task === 'regression') throw new DataError('non-numeric', `task 'regression' needs numbers; column '${target}' holds text labels (${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', ...' : ''})`, { column: target });
  if (task === 'binary' && labels.length !== 2) {
    throw new DataError('option', `task 'binary' needs two labels; column '${target}' holds ${labels.length} (${labels.slice(0, 5).join(', ')}${labels.length > 5 ? ', ...' : ''})`, { column: target });
  }
  let classes = labels;
  if (task === 'binary' && o.positive !== undefined) {
    if (!labels.includes(o.positive)) throw new DataError('option', `positive '${o.positive}' is not a label of column '${target}' (its labels: ${labels.join(', ')})`, { column: target });
    classes = [labels.find((l) => l !== o.positive)!, o.positive];
  }
  if (task === 'multiclass' && o.positive !== undefined) throw new ArgumentError(`preprocessing: positive is for a binary target, the task is '${task}'`);
  return { task, classes, map: labelMap(classes) };
}

/** A copy of the table whose target cells are class indices; an unknown label is an error naming the cell, or missing when `unknownIsMissing`. */
export function encodeTarget(table: LongTable, index: number, map: Map<string, number>, unknownIsMissing = false): LongTable {
  const rows = table.rows.map((row, i) => {
    const cell: Cell = row[index];
    if (isMissing(cell)) return row;
    const k = map.get(String(cell).trim());
    if (k === undefined) {
      if (unknownIsMissing) return row.map((c, j) => (j === index ? null : c));
      throw new DataError('option', `the target label '${String(cell)}' is not one of the classes (${[...map.keys()].join(', ')})`, { column: table.columns[index], row: table.rowNumbers[i] });
    }
    return row.map((c, j) => (j === index ? k : c));
  });
  return { columns: table.columns, rows, rowNumbers: table.rowNumbers };
}
