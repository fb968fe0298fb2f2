// Which columns of a table are which kind of feature, when the user did not say: numeric columns are
// time-varying features, or static ones when they hold one value per id; text columns that hold one
// value per id are categorical; a column that is mostly numbers with a stray text cell is an error
// naming that cell (a typo must not turn a lab into levels or drop it). Every choice is reported.
import { DataError } from '../data/errors.js';
import { ArgumentError, describeValue } from '../errors.js';
import { DECIMAL_COMMA, MOSTLY_NUMERIC, notANumber, dateYears, idCell, isMissing, numberCell, type Cell } from '../data/cells.js';
import { ROW_NAMES, type LongTable } from '../data/table.js';

export interface ColumnChoice {
  sequence: string[];
  /** Text columns whose level changes within an id (or a series without ids): time-varying categorical features. */
  sequenceCategorical: string[];
  static: string[];
  categorical: string[];
  autoStatic: string[];
  autoCategorical: string[];
  /** Columns with no value at all: left out. */
  leftOut: string[];
  /** Features chosen without being named whose name reads as an identifier ('Id', 'sample_id'): said, since an id is rarely a predictor. */
  idLike: string[];
  /**
   * Numeric columns that number the rows (0 or 1, then one more each row, in file order, as R's and
   * pandas' row names), and a CSV's unnamed first column (row_names): left out, since they say how
   * the file is sorted (often by the target) or was subset, not what a sample is.
   */
  rowNumbers: string[];
  /**
   * Text columns in which no two samples share a value (names, labels: R's and pandas' row names
   * among them), at least LABELS_MIN values: left out, since as levels every value would have one
   * sample, too few to learn from.
   */
  rowLabels: string[];
  /** Numeric features (chosen or named) whose cells are all dates: read as decimal years. */
  dates: string[];
  /**
   * Panel mode: the ids whose known target values differ (`changing`) of those with one (`ids`). Such a
   * target is a series, and panel mode reads none of its earlier values (window mode does): said.
   */
  targetWithinIds?: { changing: number; ids: number };
}

/** A column name that reads as an identifier: 'id', 'ID', 'sample_id', 'record.id', 'id_code', 'patientID', 'patientId' (not 'valid', 'fluid'). */
const identifierName = (c: string): boolean => /^ids?$|[_.\s-]id$|^id[_.\s-]/i.test(c) || /[a-z]I[Dd]$/.test(c);

/** The columns a user names, each with its role (the preprocessing's options extend this). */
export interface ColumnRoles {
  id?: string;
  /** Absent: a plain table, one sample per row, every feature static (mixed inputs only). */
  time?: string;
  target: string;
  /** Time-varying features (default: every numeric column left, see the notes for what was chosen). */
  features?: readonly string[];
  /** Numeric features with one value per id (default: numeric columns constant within every id, in panel mode). */
  static?: readonly string[];
  /** Features read as levels, one per id (default: text columns constant within every id). */
  categorical?: readonly string[];
  /**
   * Features read as levels at every step (a one-hot per step), even where they hold one level per id
   * (default: text columns whose level changes within an id; in a plain table, read as categorical).
   */
  sequenceCategorical?: readonly string[];
  /** Columns the automatic choice of features leaves out (a leak, a second target, a note). */
  exclude?: readonly string[];
}

export interface Asked extends ColumnRoles {
  /** 'table': no time column, one sample per row. */
  mode: 'panel' | 'window' | 'table';
  /** Panel mode: the target is also a time-varying feature (its earlier values). */
  targetHistory?: boolean;
  /** Columns that are never features (the split and weight columns, checked where they are read). */
  notFeatures?: readonly string[];
}


/** A number with thousands separators and a decimal point: '5,123.45', '-1,234,567' (one group alone, '1,234', also reads as a decimal comma). */
const GROUPED_NUMBER = /^\s*[+-]?\d{1,3}(,\d{3})+(\.\d+)?\s*$/;

/** At least this many rows for a column counting 0 or 1, 2, 3, ... to be taken for row numbers. */
const ROW_NUMBERS_MIN = 3;

/** At least this many distinct texts, none shared by two samples, for a column to be taken for labels. */
const LABELS_MIN = 20;
/** A column of labels holds at most one number for this many texts. */
const LABEL_NUMBERS_MAX = 9;

/** A column's texts remembered to find one that two samples share: past this many, none is found any more (and the memory stays bounded). */
const LABELS_KEPT = 100_000;

/**
 * What one column holds so far: numbers, texts (and how many are decimal-comma numbers), the first
 * text cell, whether it keeps one value per id, and the last row number while every row so far
 * held the one after the row before (null once one did not).
 */
interface Profile {
  numbers: number;
  texts: number;
  commaDecimals: number;
  /** Text cells that are numbers with thousands separators ('5,123.45', '1,234,567'). */
  grouped: number;
  /** Text cells that are dates (Date objects included). */
  dates: number;
  firstText: { row: number; cell: unknown } | null;
  /** The first text cell that is not a date (for a column of dates with a stray text). */
  firstNonDate: { row: number; cell: unknown } | null;
  perId: boolean;
  counted: number | null;
  /** Each text seen and the sample (id, or row in table mode) it was seen in; null once two samples shared one, or in window mode. */
  labels: Map<string, string> | null;
}

/**
 * The columns' profiles, read a table at a time: one table, or a stream's chunks of whole ids (an id
 * is never split across chunks, so one value per id is judged within each chunk).
 */
export class ColumnProfiler {
  private readonly profiles = new Map<string, Profile>();
  private readonly candidates: string[];
  private readonly target = { changing: 0, ids: 0 };

  constructor(private readonly columns: readonly string[], private readonly o: Asked) {
    const has = (name: string, role: string) => {
      if (!columns.includes(name)) throw new DataError('missing-column', `the ${role} column is not in the header (${columns.join(', ')})`, { column: name });
    };
    for (const key of ['features', 'static', 'categorical', 'sequenceCategorical', 'exclude'] as const) {
      const list: unknown = o[key];
      if (list !== undefined && !(Array.isArray(list) && list.every((n) => typeof n === 'string'))) throw new ArgumentError(`preprocessing: ${key} must be a list of column names, got ${describeValue(list)}`);
    }
    const named = [...(o.features ?? []), ...(o.static ?? []), ...(o.categorical ?? []), ...(o.sequenceCategorical ?? [])];
    for (const [list, role] of [[o.features, 'feature'], [o.static, 'static feature'], [o.categorical, 'categorical feature'], [o.sequenceCategorical, 'time-varying categorical feature']] as const) for (const n of list ?? []) has(n, role);
    for (const n of o.exclude ?? []) has(n, 'excluded');
    const excludedFeature = named.find((n) => (o.exclude ?? []).includes(n));
    if (excludedFeature !== undefined) throw new DataError('option', 'a column is both named as a feature and excluded', { column: excludedFeature });
    const twice = named.find((n, i) => named.indexOf(n) !== i);
    if (twice !== undefined) throw new DataError('option', 'a column is named twice among the features', { column: twice });
    const reserved = [o.id, o.time, o.target].filter((c): c is string => c !== undefined);
    const targetFeature = o.mode === 'window' || (o.mode === 'panel' && o.targetHistory === true);
    const clash = named.find((n) => reserved.includes(n) && !(targetFeature && n === o.target && (o.features ?? []).includes(n)));
    if (clash !== undefined) throw new DataError('option', `the column '${clash}' is the id, time or target column, not a feature`, { column: clash });
    // Window mode (and panel mode with target history): the target's past predicts it, so it is a feature; elsewhere it never is.
    this.candidates = o.features !== undefined ? [] : columns.filter((c) => c !== o.id && c !== o.time && !named.includes(c) && !(o.exclude ?? []).includes(c) && !(o.notFeatures ?? []).includes(c) && (targetFeature || c !== o.target));
    // Named numeric features are profiled too, for their dates.
    const namedNumbers = [...(o.features ?? []), ...(o.static ?? [])].filter((c) => c !== o.target);
    for (const c of [...(o.categorical ?? []), ...this.candidates, ...namedNumbers]) this.profiles.set(c, { numbers: 0, texts: 0, commaDecimals: 0, grouped: 0, dates: 0, firstText: null, firstNonDate: null, perId: true, counted: -1, labels: o.mode === 'window' ? null : new Map() });
  }

  add(table: LongTable): void {
    const idIndex = this.o.id !== undefined && this.o.mode !== 'table' ? table.columns.indexOf(this.o.id) : -1;
    if (this.o.mode === 'panel' && idIndex >= 0) this.addTargetWithinIds(table, idIndex);
    for (const [c, p] of this.profiles) {
      const index = table.columns.indexOf(c);
      const seen = new Map<string, string>();
      // Window mode: the target (a feature there) is read as class indices when it holds labels.
      if (c === this.o.target) {
        for (const row of table.rows) if (!isMissing(row[index])) p.numbers++;
        continue;
      }
      table.rows.forEach((row, i) => {
        const cell = row[index];
        const number = isMissing(cell) ? undefined : numberCell(cell);
        if (p.counted !== null) p.counted = number === (p.counted < 0 ? (number === 0 ? 0 : 1) : p.counted + 1) ? number! : null;
        if (isMissing(cell)) return;
        if (number !== undefined) p.numbers++;
        else {
          p.texts++;
          if (DECIMAL_COMMA.test(String(cell))) p.commaDecimals++;
          else if (GROUPED_NUMBER.test(String(cell))) p.grouped++;
          if (dateYears(cell) !== undefined) p.dates++;
          else p.firstNonDate ??= { row: table.rowNumbers[i], cell };
          p.firstText ??= { row: table.rowNumbers[i], cell };
          if (p.labels) {
            const v = String(cell).trim(), sample = idIndex >= 0 ? idCell(row[idIndex]) ?? '' : String(table.rowNumbers[i]), before = p.labels.get(v);
            if (before !== undefined && before !== sample) p.labels = null;
            else if (p.labels.size < LABELS_KEPT) p.labels.set(v, sample);
          }
        }
        if (idIndex >= 0 && p.perId) {
          const id = idCell(row[idIndex]) ?? '', v = String(cell).trim(), before = seen.get(id);
          if (before !== undefined && before !== v) p.perId = false;
          seen.set(id, v);
        }
      });
    }
  }

  /** Counts the ids of a table (whole ids: a stream's chunk never splits one) whose known target values differ. */
  private addTargetWithinIds(table: LongTable, idIndex: number): void {
    const index = table.columns.indexOf(this.o.target);
    const first = new Map<string, string | null>();   // an id's first known target, null once another differs
    for (const row of table.rows) {
      const id = idCell(row[idIndex]) ?? '', cell = row[index];
      if (isMissing(cell)) continue;
      const number = numberCell(cell), v = number !== undefined ? String(number) : String(cell).trim(), before = first.get(id);
      if (before === undefined) first.set(id, v);
      else if (before !== null && before !== v) first.set(id, null);
    }
    this.target.ids += first.size;
    for (const v of first.values()) if (v === null) this.target.changing++;
  }

  choose(): ColumnChoice {
    const o = this.o, idIndex = o.id !== undefined && o.mode !== 'table' ? this.columns.indexOf(o.id) : -1;
    const perId = (p: Profile) => idIndex >= 0 && p.perId;
    const out: ColumnChoice = {
      sequence: o.mode === 'table' ? [] : [...(o.features ?? [])], sequenceCategorical: [], static: [...(o.static ?? [])], categorical: [],
      autoStatic: [], autoCategorical: [], leftOut: [], idLike: [], rowNumbers: [], rowLabels: [], dates: [],
      ...(o.mode === 'panel' && idIndex >= 0 ? { targetWithinIds: { ...this.target } } : {}),
    };
    // A named categorical column is static when it holds one level per id, else time-varying.
    for (const c of o.categorical ?? []) {
      if (o.mode === 'table' || perId(this.profiles.get(c)!)) out.categorical.push(c);
      else out.sequenceCategorical.push(c);
    }
    for (const c of o.sequenceCategorical ?? []) (o.mode === 'table' ? out.categorical : out.sequenceCategorical).push(c);
    if (o.mode === 'table') for (const f of o.features ?? []) out.static.push(f);
    // Named features with target history: the target joins them.
    if (o.features !== undefined && o.targetHistory && o.mode === 'panel' && !out.sequence.includes(o.target)) out.sequence.push(o.target);
    const dated = (c: string) => {
      const p = this.profiles.get(c);
      return p !== undefined && p.texts > 0 && p.numbers === 0 && p.dates === p.texts;
    };
    out.dates.push(...[...out.sequence, ...out.static].filter(dated));   // spread-ok: column names
    if (o.features !== undefined) return out;
    for (const c of this.candidates) {
      const p = this.profiles.get(c)!;
      if (p.numbers + p.texts === 0) {
        out.leftOut.push(c);
        continue;
      }
      // A CSV's unnamed first column: row names (R's write.csv, pandas' to_csv), in any order.
      if ((c === ROW_NAMES || (p.counted !== null && p.numbers >= ROW_NUMBERS_MIN)) && c !== o.target) {
        out.rowNumbers.push(c);
        continue;
      }
      // Text no two samples share (no date or decimal comma among it, which the checks below read; a
      // few numbers may be labels too, as a car model '900' among 'Integra' and 'Legend')
      if (p.labels !== null && p.labels.size >= LABELS_MIN && p.numbers * LABEL_NUMBERS_MAX <= p.texts && p.dates === 0 && p.commaDecimals === 0 && p.grouped === 0 && c !== o.target) {
        out.rowLabels.push(c);
        continue;
      }
      if (identifierName(c) && c !== o.target) out.idLike.push(c);
      const isDate = dated(c);
      if (p.texts === 0 || isDate) {
        if (isDate) out.dates.push(c);
        if (o.mode === 'table') out.static.push(c);
        else if (o.mode === 'panel' && perId(p) && c !== o.target) (out.static.push(c), out.autoStatic.push(c));
        else out.sequence.push(c);
        continue;
      }
      // Text cells that are all numbers with thousands separators (and maybe decimal commas, '1,234' reads as either): a report's format, not levels.
      if (p.grouped > 0 && p.commaDecimals + p.grouped === p.texts) {
        const first = String(p.firstText!.cell).trim();
        throw new DataError('non-numeric', `the column's text cells are numbers with thousands separators ('${first}'): write them without the separators, or name the column categorical`,
          { column: c, row: p.firstText!.row });
      }
      // Text cells that are all numbers with a decimal comma: a locale's export, not levels.
      if (p.commaDecimals === p.texts) {
        throw new DataError('non-numeric', `the column's text cells are numbers with a decimal comma ('${String(p.firstText!.cell).trim()}'): write them with a decimal point, or name the column categorical`,
          { column: c, row: p.firstText!.row });
      }
      // Mostly dates with a stray text: a typo, as with numbers, not a reason to read dates as levels.
      if (p.numbers === 0 && p.dates / p.texts >= MOSTLY_NUMERIC) {
        throw new DataError('non-numeric', `a cell is not a date: '${String(p.firstNonDate!.cell)}' in a column of dates (fix the cell, or name the column categorical)`,
          { column: c, row: p.firstNonDate!.row });
      }
      if (p.numbers / (p.numbers + p.texts) >= MOSTLY_NUMERIC) {
        throw new DataError('non-numeric', `${notANumber(p.firstText!.cell as Cell)}: '${String(p.firstText!.cell)}' in a column of numbers (fix the cell, or name the column categorical)`,
          { column: c, row: p.firstText!.row });
      }
      if (o.mode === 'table' || perId(p)) out.categorical.push(c);
      else out.sequenceCategorical.push(c);
      out.autoCategorical.push(c);
    }
    return out;
  }
}

export function chooseColumns(table: LongTable, o: Asked): ColumnChoice {
  const profiler = new ColumnProfiler(table.columns, o);
  profiler.add(table);
  return profiler.choose();
}
