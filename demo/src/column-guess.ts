// The page's first guess of a CSV's id, time and target columns, which the user then confirms or
// changes. Names propose, the data decides: a time column must tell each id's rows apart (so the
// 'Time' of a loan table, a duration repeated across rows, is not one), and where an id repeats,
// a column that rises within every id is its time even when its name does not say so ('age' of
// children measured yearly).
import type * as rnam from 'rnam';

const OUTCOME_WORDS = new Set([
  'y', 'target', 'label', 'outcome', 'class', 'response', 'resp', 'status', 'died', 'dead', 'death', 'survived',
  'survival', 'deny', 'default', 'churn', 'diagnosis', 'species', 'event', 'fatal',
]);
/** Words naming a time axis on their own, and those that do only for an id's repeated rows. */
const TIME_WORDS = ['time', 'date', 'day', 'step', 'year', 'month', 'week', 'hour'];
const PANEL_TIME_WORDS = ['age', 'visit', 'period', 'occasion', 'wave'];

/** A column name's words: split at non-letters and digits and at lower-to-upper case changes (diedWithin3y: died, within, 3y). */
function words(name: string): string[] {
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
}

/** A word, its plural, or (time, date) a compound starting with it: timestamp, datetime. */
const says = (name: string, list: readonly string[]) => words(name).some((w) =>
  list.some((t) => w === t || w === `${t}s` || ((t === 'time' || t === 'date') && w.startsWith(t))));

/** An identifier by its name, the library's rule for id-like features ('id', 'patient_id', 'patientID'; not 'Width' or 'valid'), or by what it names. */
function namesAnId(c: string): boolean {
  return /^ids?$|[_.\s-]id$|^id[_.\s-]/i.test(c) || /[a-z]I[Dd]$/.test(c)
    || ['station', 'sensor', 'patient', 'subject', 'entity'].some((w) => c.toLowerCase().includes(w)) || ['row', 'index'].includes(c.toLowerCase());
}

const namesAnOutcome = (c: string) => words(c).some((w) => OUTCOME_WORDS.has(w));

/** Of `columns` (the id and time guesses left out by the caller), the first whose name reads as an outcome, else the last of `numeric`. */
export function guessTarget(columns: readonly string[], numeric: readonly string[]): string | undefined {
  return columns.find(namesAnOutcome) ?? numeric.filter((c) => columns.includes(c)).at(-1);
}

export interface ColumnGuess {
  id?: string;
  time?: string;
  target?: string;
}

/**
 * The page's guess of the id, time and target columns of a table (`numeric`: its numeric columns;
 * `missing`: the spellings of an empty cell, rnam.missingSpellings).
 */
export function guessColumns(table: rnam.LongTable, numeric: readonly string[], missing: readonly string[]): ColumnGuess {
  const { columns, rows } = table;
  const key = (cell: rnam.Cell): string | null => {
    if (cell === null || cell === undefined) return null;
    const s = cell instanceof Date ? cell.toISOString() : String(cell).trim();
    return s === '' || missing.includes(s.toLowerCase()) ? null : s;
  };
  const cells = (c: string) => { const j = columns.indexOf(c); return rows.map((r) => key(r[j])); };
  const repeats = (values: (string | null)[]) => new Set(values).size < values.length;
  /** Present on every row, and different on each row of an id (on every row, without ids). */
  const tellsRowsApart = (c: string, ids: (string | null)[] | null) => {
    const seen = new Set<string>();
    return cells(c).every((v, i) => {
      const k = ids ? `${ids[i]}\u0000${v}` : v;
      if (v === null || seen.has(k!)) return false;
      seen.add(k!);
      return true;
    });
  };
  /** Distinct values of a column, each with its rows. */
  const counted = (c: string) => {
    const counts = new Map<string | null, number>();
    for (const v of cells(c)) counts.set(v, (counts.get(v) ?? 0) + 1);
    return counts;
  };
  /**
   * An entity column: not named as an outcome, on every row, no fractional numbers (a measure such
   * as a tumour's thickness), three values or more, most of them on two rows or more (a state, a
   * herd, a chick).
   */
  const namesEntities = (c: string) => {
    if (namesAnOutcome(c)) return false;
    const counts = counted(c);
    if (counts.has(null) || [...counts.keys()].some((v) => /^-?\d*\.\d+$/.test(v!))) return false;
    return counts.size >= 3 && counts.size <= rows.length / 2 && [...counts.values()].filter((n) => n >= 2).length * 2 >= counts.size;
  };
  /** A time shared across entities: at most half as many values as rows (years of states, not survival times). */
  const repeatsAcrossRows = (c: string) => counted(c).size <= rows.length / 2;
  /** Numbers rising within every id in the file's order. */
  const risesWithinIds = (c: string, ids: (string | null)[]) => {
    const last = new Map<string | null, number>();
    return cells(c).every((v, i) => {
      const x = v === null ? NaN : Number(v);
      const before = last.get(ids[i]);
      last.set(ids[i], x);
      return Number.isFinite(x) && (before === undefined || x > before);
    });
  };

  let id = columns.find(namesAnId);
  let time: string | undefined;
  const timeNamed = columns.filter((c) => c !== id && (says(c, TIME_WORDS) || says(c, PANEL_TIME_WORDS)));
  if (id) {
    const ids = cells(id);
    if (repeats(ids)) time = timeNamed.find((c) => tellsRowsApart(c, ids)) ?? numeric.find((c) => c !== id && risesWithinIds(c, ids));
    else time = timeNamed.find((c) => says(c, TIME_WORDS) && tellsRowsApart(c, null));
  } else {
    // No column named as an id: a time column telling every row apart is one series; one repeated
    // across rows points at the entity column that tells its rows apart (a state's years).
    for (const t of timeNamed) {
      if (says(t, TIME_WORDS) && tellsRowsApart(t, null)) { time = t; break; }
      const entity = repeatsAcrossRows(t) ? columns.find((c) => c !== t && namesEntities(c) && tellsRowsApart(t, cells(c))) : undefined;
      if (entity) { id = entity; time = t; break; }
    }
  }
  const candidates = columns.filter((c) => c !== id && c !== time && c !== 'row_names');
  // A plain table (no time) often ends with its class: a text column of 2 to 10 levels (Pima's diabetes).
  const last = candidates.at(-1);
  const levels = last !== undefined && !time && !numeric.includes(last) ? [...counted(last).keys()].filter((v) => v !== null).length : 0;
  const target = candidates.find(namesAnOutcome) ?? (levels >= 2 && levels <= 10 ? last : guessTarget(candidates, numeric));
  return { ...(id ? { id } : {}), ...(time ? { time } : {}), ...(target ? { target } : {}) };
}
